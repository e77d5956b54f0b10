//! Issue 19: the values of `call_async` (typed and untyped) in every form
//! the async call writes and reads them: each number type (NaN payloads
//! kept), more values than the untyped call keeps inline, references (the
//! typed call's `Val` path), argument and arity errors; on the round's full
//! library, and on the build without GC (24-byte values) where the round
//! has one.

mod common;

use common::{kind, Flavour};
use wasmtime_dyn::{
    Engine, ErrorKind, ExternRef, Func, Instance, Linker, Module, Store, TypedFunc, Val, V128,
};

const NUMBERS: &str = r#"
(module
  (func (export "swap") (param i32 i64 f32 f64 v128) (result v128 f64 f32 i64 i32)
    (local.get 4) (local.get 3) (local.get 2) (local.get 1) (local.get 0))
  (func (export "sum6") (param i32 i32 i32 i32 i32 i32) (result i64)
    (i64.extend_i32_s
      (i32.add (local.get 0)
        (i32.add (local.get 1)
          (i32.add (local.get 2)
            (i32.add (local.get 3)
              (i32.add (local.get 4) (local.get 5))))))))
  (func (export "none"))
  (func (export "trap") (param i32) (result i32) unreachable))
"#;

const REFS: &str = r#"
(module
  (func (export "refs") (param externref funcref i32) (result funcref i32 externref)
    (local.get 1) (local.get 2) (local.get 0))
  (func (export "id") (param i32) (result i32) (local.get 0)))
"#;

fn current_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a tokio runtime")
}

/// A NaN with a payload, as bits: a round trip keeps it.
const F32_NAN: u32 = 0x7fa0_0001;
const F64_NAN: u64 = 0x7ff4_0000_0000_0001;
const V: u128 = 0x0123_4567_89ab_cdef_fedc_ba98_7654_3210;

type Swap = TypedFunc<(i32, i64, f32, f64, V128), (V128, f64, f32, i64, i32)>;

async fn numbers(engine: &Engine, module: &Module) {
    let mut store = Store::new(engine, ());
    let instance = match common::too_old(Instance::new_async(&mut store, module, &[]).await) {
        Ok(instance) => instance,
        Err(why) => return eprintln!("{why}"),
    };

    // Typed: every number type, five each way.
    let swap: Swap = instance.get_typed_func(&mut store, "swap").unwrap();
    let args = (
        -7,
        i64::MIN + 3,
        f32::from_bits(F32_NAN),
        f64::from_bits(F64_NAN),
        V128::from(V),
    );
    let (v, d, f, l, i) = swap.call_async(&mut store, args).await.unwrap();
    assert_eq!(
        (v.as_u128(), d.to_bits(), f.to_bits(), l, i),
        (V, F64_NAN, F32_NAN, i64::MIN + 3, -7)
    );

    // Untyped: the same, five results (more than the inline room), into
    // result slots holding other variants.
    let f = instance.get_func(&mut store, "swap").unwrap();
    let params = [
        Val::I32(-7),
        Val::I64(i64::MIN + 3),
        Val::F32(F32_NAN),
        Val::F64(F64_NAN),
        Val::V128(V128::from(V)),
    ];
    let mut results = [
        Val::I32(0),
        Val::I32(0),
        Val::I64(1),
        Val::F32(2),
        Val::I64(3),
    ];
    f.call_async(&mut store, &params, &mut results)
        .await
        .unwrap();
    assert_eq!(results[0].unwrap_v128(), V128::from(V));
    assert_eq!(results[1].unwrap_f64().to_bits(), F64_NAN);
    assert_eq!(results[2].unwrap_f32().to_bits(), F32_NAN);
    assert_eq!(results[3].unwrap_i64(), i64::MIN + 3);
    assert_eq!(results[4].unwrap_i32(), -7);

    // Six arguments (past the inline room), typed and untyped.
    let sum6 = instance
        .get_typed_func::<(i32, i32, i32, i32, i32, i32), i64>(&mut store, "sum6")
        .unwrap();
    assert_eq!(
        sum6.call_async(&mut store, (1, 2, 3, 4, 5, -6))
            .await
            .unwrap(),
        9
    );
    let f = instance.get_func(&mut store, "sum6").unwrap();
    let params: Vec<Val> = (1..=6).map(Val::I32).collect();
    let mut results = [Val::I64(0)];
    f.call_async(&mut store, &params, &mut results)
        .await
        .unwrap();
    assert_eq!(results[0].unwrap_i64(), 21);

    // No values at all.
    let none = instance
        .get_typed_func::<(), ()>(&mut store, "none")
        .unwrap();
    none.call_async(&mut store, ()).await.unwrap();
    let f = instance.get_func(&mut store, "none").unwrap();
    f.call_async(&mut store, &[], &mut []).await.unwrap();

    // A trap comes back as an error, and the store goes on.
    let trap = instance
        .get_typed_func::<i32, i32>(&mut store, "trap")
        .unwrap();
    let err = trap.call_async(&mut store, 1).await.unwrap_err();
    assert!(common::trap(&err).is_some(), "{err:?}");
    let f = instance.get_func(&mut store, "trap").unwrap();
    let mut results = [Val::I32(5)];
    let err = f
        .call_async(&mut store, &[Val::I32(1)], &mut results)
        .await
        .unwrap_err();
    assert!(common::trap(&err).is_some(), "{err:?}");
    assert_eq!(results[0].unwrap_i32(), 5, "results untouched by a trap");

    // Argument and arity errors name the function's type.
    let f = instance.get_func(&mut store, "sum6").unwrap();
    let mut bad = params.clone();
    bad[4] = Val::F32(0);
    let err = f
        .call_async(&mut store, &bad, &mut results)
        .await
        .unwrap_err();
    assert!(
        matches!(kind(&err), Some(ErrorKind::TypeMismatch(m)) if m.contains("argument 4")),
        "{err:?}"
    );
    let err = f
        .call_async(&mut store, &params, &mut [])
        .await
        .unwrap_err();
    assert!(
        matches!(kind(&err), Some(ErrorKind::TypeMismatch(m)) if m.contains("room for 0 results")),
        "{err:?}"
    );
    assert_eq!(
        sum6.call_async(&mut store, (1, 1, 1, 1, 1, 1))
            .await
            .unwrap(),
        6
    );
}

#[test]
fn every_number_type_on_the_full_library() {
    let engine = Engine::default_for(Flavour::Full.load()).unwrap();
    let module = Module::new(&engine, NUMBERS).unwrap();
    current_thread().block_on(numbers(&engine, &module));
}

#[test]
fn every_number_type_without_gc() {
    let Some(lib) = common::run_only() else {
        return;
    };
    assert_eq!(lib.val_abi(), wasmtime_dyn::ValAbi::NoGc);
    let engine = Engine::default_for(lib).unwrap();
    let cwasm =
        wasmtime_dyn::precompile_for(Flavour::Full.load(), lib.capabilities(), NUMBERS).unwrap();
    // SAFETY: the artifact was just made by the official library for this
    // one's capabilities.
    let module = unsafe { Module::deserialize(&engine, &cwasm) }.unwrap();
    current_thread().block_on(numbers(&engine, &module));
}

#[test]
fn references_typed_and_untyped() {
    let engine = Engine::default_for(Flavour::Full.load()).unwrap();
    let module = Module::new(&engine, REFS).unwrap();
    current_thread().block_on(async {
        let mut store = Store::new(&engine, ());
        let instantiated = Linker::new(&engine)
            .instantiate_async(&mut store, &module)
            .await;
        let instance = match common::too_old(instantiated) {
            Ok(instance) => instance,
            Err(why) => return eprintln!("{why}"),
        };
        let id = instance.get_func(&mut store, "id").unwrap();
        let data = ExternRef::new(&mut store, 42u32).unwrap();

        // Typed: references go through `Val`s.
        let refs = instance
            .get_typed_func::<(Option<ExternRef>, Option<Func>, i32), (Option<Func>, i32, Option<ExternRef>)>(
                &mut store, "refs",
            )
            .unwrap();
        let (f, n, r) = refs
            .call_async(&mut store, (Some(data.clone()), Some(id), 9))
            .await
            .unwrap();
        assert_eq!(n, 9);
        let r = r.expect("the externref back");
        assert_eq!(
            r.data(&mut store).unwrap().and_then(|d| d.downcast_ref::<u32>()),
            Some(&42)
        );
        let f = f.expect("the funcref back");
        let mut out = [Val::I32(0)];
        f.call_async(&mut store, &[Val::I32(3)], &mut out)
            .await
            .unwrap();
        assert_eq!(out[0].unwrap_i32(), 3);
        let (f, n, r) = refs.call_async(&mut store, (None, None, -1)).await.unwrap();
        assert!(f.is_none() && r.is_none() && n == -1);

        // Untyped, into slots of other variants.
        let untyped = instance.get_func(&mut store, "refs").unwrap();
        let mut results = [Val::I64(0), Val::ExternRef(None), Val::I32(0)];
        untyped
            .call_async(
                &mut store,
                &[Val::ExternRef(Some(data)), Val::FuncRef(None), Val::I32(4)],
                &mut results,
            )
            .await
            .unwrap();
        assert!(matches!(results[0], Val::FuncRef(None)), "{results:?}");
        assert_eq!(results[1].unwrap_i32(), 4);
        let Val::ExternRef(Some(r)) = &results[2] else {
            panic!("an externref, got {results:?}");
        };
        assert_eq!(
            r.data(&mut store).unwrap().and_then(|d| d.downcast_ref::<u32>()),
            Some(&42)
        );

        // A number where a reference goes is an argument error.
        let err = untyped
            .call_async(
                &mut store,
                &[Val::I32(0), Val::FuncRef(None), Val::I32(4)],
                &mut results,
            )
            .await
            .unwrap_err();
        assert!(
            matches!(kind(&err), Some(ErrorKind::TypeMismatch(m)) if m.contains("argument 0")),
            "{err:?}"
        );
    });
}
