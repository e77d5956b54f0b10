//! GC references and exceptions on the real libraries: structs, arrays and
//! `i31`s through every path a value takes (`Val`, globals, tables,
//! untyped and typed calls, host functions), rooting (dropped references
//! are released; 1 000 000 allocations stay within a bounded resident
//! size), store checks, exceptions both ways, and `Unsupported(Gc)` on the
//! builds without GC.

mod common;
// GC types past Wasmtime's limits, chains of nested types, root leaks and
// foreign throws (issue 17).
#[path = "gc/never_crash.rs"]
mod never_crash;

use common::child::isolate;
use common::{engine_with, expected_major, flavours, kind, module_with, Flavour};
use wasmtime_dyn::{
    AnyRef, ArrayRef, ArrayRefPre, ArrayType, Caller, Capability, Config, Engine, EqRef, ErrorKind,
    ExnRef, ExnRefPre, ExnType, ExternRef, ExternType, FieldType, Func, FuncType, Global,
    GlobalType, HeapType, Linker, Mutability, RefType, StorageType, Store, StructRef, StructRefPre,
    StructType, Table, TableType, Tag, TagType, ThrownException, Val, ValType, I31,
};

/// The GC and exceptions proposals on (they are off by default before
/// Wasmtime 47); nothing on a build without GC, which cannot set them.
/// Exceptions stay off where the library refuses them as too old (the C
/// API's setter came in Wasmtime 39): [`exceptions_refused`].
fn gc_on(config: &mut Config) {
    let exceptions = exceptions_refused(config.wasmtime()).is_none();
    if let Some(mut gc) = config.gc() {
        gc.wasm_function_references(true).wasm_gc(true);
        if exceptions {
            gc.wasm_exceptions(true);
        }
    }
}

/// `Some(why)` when `lib` refuses the exceptions proposal as too old for
/// its major: an engine with it on is refused with
/// `ErrorKind::UnsupportedVersion` (checked: any other error fails the
/// test); `None` when the engine is made, or the library has no GC (which
/// cannot set it at all). Asked of the library once.
fn exceptions_refused(lib: &'static wasmtime_dyn::Wasmtime) -> Option<String> {
    static ASKED: std::sync::Mutex<Vec<(usize, Option<String>)>> =
        std::sync::Mutex::new(Vec::new());
    let key = lib as *const wasmtime_dyn::Wasmtime as usize;
    let mut asked = ASKED.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, why)) = asked.iter().find(|(k, _)| *k == key) {
        return why.clone();
    }
    let mut config = Config::new(lib);
    let why = match config.gc() {
        Some(mut gc) => {
            gc.wasm_function_references(true)
                .wasm_gc(true)
                .wasm_exceptions(true);
            common::too_old(Engine::new(lib, &config)).err()
        }
        None => None,
    };
    if let Some(why) = &why {
        assert!(why.contains("wasm_exceptions"), "{why}");
    }
    asked.push((key, why.clone()));
    why
}

fn gc_engine(flavour: Flavour) -> Engine {
    engine_with(flavour, gc_on)
}

/// Whether the round's full library refuses the exceptions proposal (the
/// C API's setter came in Wasmtime 39): the refusal is said, and the
/// caller, a test of exceptions only, returns.
fn exceptions_too_old() -> bool {
    match exceptions_refused(Flavour::Full.load()) {
        Some(why) => {
            eprintln!("{why}");
            true
        }
        None => false,
    }
}

/// Whether the round's full library refuses GC types (the C API has them
/// from Wasmtime 45): the refusal is checked and said, and the caller
/// returns.
fn gc_types_refused() -> bool {
    let engine = gc_engine(Flavour::Full);
    match common::too_old(StructType::new(&engine, [])) {
        Ok(_) => false,
        Err(why) => {
            eprintln!("{why}");
            true
        }
    }
}

fn is_unsupported_gc(err: &wasmtime_dyn::Error) -> bool {
    matches!(kind(err), Some(ErrorKind::Unsupported(Capability::Gc)))
}

fn is_wrong_store(err: &wasmtime_dyn::Error) -> bool {
    matches!(kind(err), Some(ErrorKind::WrongStore(_)))
}

fn i32_field(engine: &Engine) -> StructType {
    StructType::new(
        engine,
        [FieldType::new(Mutability::Var, ValType::I32.into())],
    )
    .unwrap()
}

// ---- Rooting: 1 000 000 allocations, released as they drop ----

fn resident_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("/proc/self/statm");
    let pages: u64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

#[test]
fn a_million_struct_and_extern_refs_stay_within_16_mib() {
    if gc_types_refused() {
        return;
    }
    // In a child process of its own: the resident size is the whole
    // process's, and other tests allocate on other threads meanwhile.
    let outcome = isolate(
        "a_million_struct_and_extern_refs_stay_within_16_mib",
        || {
            let engine = gc_engine(Flavour::Full);
            let mut store = Store::new(&engine, ());
            let pre = StructRefPre::new(&mut store, i32_field(&engine)).unwrap();
            let mut allocate = |n: u32| {
                for i in 0..n {
                    let s = StructRef::new(&mut store, &pre, &[Val::I32(i as i32)]).unwrap();
                    drop(s);
                    let e = ExternRef::new(&mut store, vec![i; 4]).unwrap();
                    drop(e);
                }
            };
            // Past the first heap growths and lazy set-up.
            allocate(50_000);
            let start = resident_bytes();
            allocate(1_000_000);
            let end = resident_bytes();
            let grown = end.saturating_sub(start);
            println!(
                "RSS: {:.1} MiB at the start, {:.1} MiB after 1 000 000 StructRefs and 1 000 000 \
             ExternRefs allocated and dropped (+{:.1} MiB)",
                start as f64 / 1048576.0,
                end as f64 / 1048576.0,
                grown as f64 / 1048576.0
            );
            assert!(grown <= 16 << 20, "RSS grew by {grown} bytes");
        },
    );
    if let Some(outcome) = outcome {
        for line in outcome.text().lines() {
            if let Some(at) = line.find("RSS:") {
                eprintln!("{}", &line[at..]);
            }
        }
    }
}

#[test]
fn references_outlive_their_store_without_harm() {
    if gc_types_refused() {
        return;
    }
    let engine = gc_engine(Flavour::Full);
    let mut kept = Store::new(&engine, ());
    let (s, e, a) = {
        let mut gone = Store::new(&engine, ());
        let pre = StructRefPre::new(&mut gone, i32_field(&engine)).unwrap();
        let s = StructRef::new(&mut gone, &pre, &[Val::I32(1)]).unwrap();
        let e = ExternRef::new(&mut gone, 5u8).unwrap();
        let a = AnyRef::from_i31(&mut gone, I31::wrapping_u32(3)).unwrap();
        (s, e, a)
    };
    // The store is gone: every use is an error, with another store.
    assert!(is_wrong_store(&s.field(&mut kept, 0).unwrap_err()));
    assert!(is_wrong_store(&e.data(&mut kept).unwrap_err()));
    assert!(is_wrong_store(&a.is_i31(&kept).unwrap_err()));
    let g = Global::new(
        &mut kept,
        GlobalType::new(ValType::ANYREF, Mutability::Var),
        Val::AnyRef(None),
    )
    .unwrap();
    assert!(is_wrong_store(
        &g.set(&mut kept, Val::from(s.clone())).unwrap_err()
    ));
    // Clones and drops need no store.
    let copies = (s.clone(), e.clone(), a.clone());
    drop((s, e, a));
    drop(copies);
}

// ---- Exceptions ----

const EXCEPTIONS: &str = r#"(module
    (tag $e (export "e") (param i32 i64))
    (import "host" "throw" (func $host_throw (param i32)))
    (func (export "throw") (param i32)
        local.get 0
        i64.const 7
        throw $e)
    ;; Calls the host, catching its exception: the i32 payload, or -1 when
    ;; nothing was thrown.
    (func (export "catch_host") (param i32) (result i32)
        (block $h (result i32 i64)
            (try_table (catch $e $h)
                (call $host_throw (local.get 0)))
            (return (i32.const -1)))
        drop))"#;

#[test]
fn exceptions_cross_the_boundary_both_ways() {
    // A test of exceptions only.
    if exceptions_too_old() || gc_types_refused() {
        return;
    }
    let engine = gc_engine(Flavour::Full);
    let module = module_with(Flavour::Full, &engine, EXCEPTIONS, gc_on);
    let mut store = Store::new(&engine, ());
    let mut linker: Linker<()> = Linker::new(&engine);
    linker
        .func_wrap(
            "host",
            "throw",
            |mut caller: Caller<'_, ()>, x: i32| -> wasmtime_dyn::Result<()> {
                if x < 0 {
                    return Ok(());
                }
                let tag = caller
                    .get_export("e")
                    .and_then(|e| e.into_tag())
                    .expect("the tag `e`");
                let ty = ExnType::from_tag_type(caller.engine(), &tag.ty(&caller)?)?;
                let pre = ExnRefPre::new(&mut caller, ty)?;
                let exn = ExnRef::new(&mut caller, &pre, &tag, &[Val::I32(x), Val::I64(9)])?;
                caller.throw(exn)
            },
        )
        .unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let tag = instance.get_tag(&mut store, "e").unwrap();
    assert_eq!(
        tag.ty(&store).unwrap(),
        TagType::new(FuncType::new([ValType::I32, ValType::I64], []))
    );
    let ExternType::Tag(ty) = module.exports().find(|e| e.name() == "e").unwrap().ty() else {
        panic!("`e` is a tag")
    };
    assert!(ty.ty().params().eq([ValType::I32, ValType::I64]));

    // Wasm throws; the host gets the exception, its tag and payload.
    let throw = instance
        .get_typed_func::<i32, ()>(&mut store, "throw")
        .unwrap();
    let err = throw.call(&mut store, 42).unwrap_err();
    assert!(err.is::<ThrownException>(), "{err:?}");
    assert_eq!(err.root_cause().to_string(), "thrown Wasm exception");
    assert!(store.has_pending_exception());
    let exn = store
        .take_pending_exception()
        .expect("the pending exception");
    assert!(!store.has_pending_exception());
    let thrown_with = exn.tag(&mut store).unwrap();
    assert!(Tag::eq(&thrown_with, &tag, &store));
    let payload = exn.fields(&mut store).unwrap();
    assert_eq!(payload.len(), 2);
    assert_eq!(payload[0].i32(), Some(42));
    assert_eq!(payload[1].i64(), Some(7));
    if expected_major() >= 46 {
        let ty = exn.ty(&store).unwrap();
        assert_eq!(
            ty.fields().collect::<Vec<_>>(),
            [ValType::I32, ValType::I64]
        );
    } else {
        assert!(matches!(
            kind(&exn.ty(&store).unwrap_err()),
            Some(ErrorKind::UnsupportedVersion { .. })
        ));
    }
    // The untyped call says the same.
    let func = instance.get_func(&mut store, "throw").unwrap();
    let err = func.call(&mut store, &[Val::I32(1)], &mut []).unwrap_err();
    assert!(err.is::<ThrownException>(), "{err:?}");
    assert!(store.take_pending_exception().is_some());

    // The host throws; wasm's `try_table` catches it.
    let catch_host = instance
        .get_typed_func::<i32, i32>(&mut store, "catch_host")
        .unwrap();
    assert_eq!(catch_host.call(&mut store, 5).unwrap(), 5);
    assert_eq!(catch_host.call(&mut store, 77).unwrap(), 77);
    assert_eq!(catch_host.call(&mut store, -3).unwrap(), -1);
    assert!(!store.has_pending_exception());

    // An exception of the host's own tag, handed to wasm as a value.
    let own = Tag::new(&mut store, &TagType::new(FuncType::new([ValType::F64], []))).unwrap();
    let pre = ExnRefPre::new(&mut store, ExnType::new(&engine, [ValType::F64]).unwrap()).unwrap();
    let exn = ExnRef::new(&mut store, &pre, &own, &[Val::from(2.5f64)]).unwrap();
    assert_eq!(exn.field(&mut store, 0).unwrap().f64(), Some(2.5));
    assert!(!Tag::eq(&exn.tag(&mut store).unwrap(), &tag, &store));
    // A tag whose type is not the allocator's is refused.
    let err = ExnRef::new(&mut store, &pre, &tag, &[Val::from(2.5f64)]).unwrap_err();
    assert!(
        matches!(kind(&err), Some(ErrorKind::TypeMismatch(_))),
        "{err}"
    );
}

// ---- Structs, arrays and i31s on every path ----

const GC_MODULE: &str = r#"(module
    (type $s (struct (field (mut i32))))
    (type $a (array (mut i64)))
    (import "host" "double" (func $double (param (ref $s)) (result (ref $s))))
    (import "host" "is_struct" (func $is_struct (param anyref) (result i32)))
    (import "host" "i31" (func $host_i31 (param i32) (result i31ref)))
    (global (export "g") (mut (ref null $s)) (ref.null $s))
    (global (export "gi") (mut i31ref) (ref.null i31))
    (table (export "t") 2 anyref)
    (func (export "make_struct") (param i32) (result (ref $s))
        (struct.new $s (local.get 0)))
    (func (export "get_field") (param (ref null $s)) (result i32)
        (struct.get $s 0 (local.get 0)))
    (func (export "make_array") (param i32 i64) (result (ref $a))
        (array.new $a (local.get 1) (local.get 0)))
    (func (export "array_len") (param (ref $a)) (result i32)
        (array.len (local.get 0)))
    (func (export "i31") (param i32) (result i31ref)
        (ref.i31 (local.get 0)))
    (func (export "i31_get") (param i31ref) (result i32)
        (i31.get_s (local.get 0)))
    (func (export "id_any") (param anyref) (result anyref)
        (local.get 0))
    (func (export "call_double") (param i32) (result i32)
        (struct.get $s 0 (call $double (struct.new $s (local.get 0)))))
    (func (export "call_is_struct") (result i32 i32)
        (call $is_struct (struct.new $s (i32.const 1)))
        (call $is_struct (ref.i31 (i32.const 1))))
    (func (export "call_host_i31") (param i32) (result i32)
        (i31.get_s (call $host_i31 (local.get 0)))))"#;

fn gc_instance(engine: &Engine) -> (Store<()>, wasmtime_dyn::Instance) {
    let module = module_with(Flavour::Full, engine, GC_MODULE, gc_on);
    let mut store = Store::new(engine, ());
    let mut linker: Linker<()> = Linker::new(engine);
    // The import's own (concrete) type, for the untyped host function.
    let double_ty = module
        .imports()
        .find_map(|i| match (i.name(), i.ty()) {
            ("double", ExternType::Func(ty)) => Some(ty),
            _ => None,
        })
        .unwrap();
    assert!(double_ty
        .param(0)
        .unwrap()
        .unwrap_ref()
        .heap_type()
        .as_concrete_struct()
        .is_some());
    linker
        .func_new(
            "host",
            "double",
            double_ty,
            |mut caller, params, results| {
                let s = params[0]
                    .unwrap_anyref()
                    .unwrap()
                    .unwrap_struct(&mut caller)?;
                let v = s.field(&mut caller, 0)?.unwrap_i32();
                s.set_field(&mut caller, 0, Val::I32(v * 2))?;
                results[0] = Val::from(s);
                Ok(())
            },
        )
        .unwrap();
    linker
        .func_wrap(
            "host",
            "is_struct",
            |caller: Caller<'_, ()>, r: Option<AnyRef>| -> wasmtime_dyn::Result<i32> {
                Ok(match r {
                    Some(r) => i32::from(r.is_struct(&caller)?),
                    None => -1,
                })
            },
        )
        .unwrap();
    linker
        .func_wrap("host", "i31", |x: i32| Some(I31::wrapping_i32(x + 1)))
        .unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    (store, instance)
}

#[test]
fn structs_arrays_and_i31s_round_trip_on_every_path() {
    if gc_types_refused() {
        return;
    }
    let engine = gc_engine(Flavour::Full);
    let (mut store, instance) = gc_instance(&engine);

    // Typed calls: references as parameters and results.
    let make_struct = instance
        .get_typed_func::<i32, StructRef>(&mut store, "make_struct")
        .unwrap();
    let get_field = instance
        .get_typed_func::<Option<StructRef>, i32>(&mut store, "get_field")
        .unwrap();
    let s = make_struct.call(&mut store, 11).unwrap();
    assert_eq!(s.field(&mut store, 0).unwrap().i32(), Some(11));
    s.set_field(&mut store, 0, Val::I32(12)).unwrap();
    assert_eq!(get_field.call(&mut store, Some(s.clone())).unwrap(), 12);
    // A null where the function reads the struct is wasm's trap.
    let err = get_field.call(&mut store, None).unwrap_err();
    assert_eq!(
        err.downcast_ref::<wasmtime_dyn::Trap>(),
        Some(&wasmtime_dyn::Trap::NullReference)
    );
    // A type that does not fit is refused once, when typing.
    assert!(instance
        .get_typed_func::<i32, ArrayRef>(&mut store, "make_struct")
        .is_err());
    assert!(instance
        .get_typed_func::<i32, Option<StructRef>>(&mut store, "make_struct")
        .is_ok());

    let make_array = instance
        .get_typed_func::<(i32, i64), ArrayRef>(&mut store, "make_array")
        .unwrap();
    let array_len = instance
        .get_typed_func::<ArrayRef, i32>(&mut store, "array_len")
        .unwrap();
    let a = make_array.call(&mut store, (3, -5)).unwrap();
    assert_eq!(a.len(&store).unwrap(), 3);
    assert_eq!(array_len.call(&mut store, a.clone()).unwrap(), 3);
    a.set(&mut store, 1, Val::I64(6)).unwrap();
    let elems: Vec<i64> = a
        .elems(&mut store)
        .unwrap()
        .iter()
        .map(Val::unwrap_i64)
        .collect();
    assert_eq!(elems, [-5, 6, -5]);
    // The struct's concrete type is checked by Wasmtime, dynamically: an
    // array where `(ref null $s)` is expected is the call's error.
    let get_field_any = instance.get_typed_func::<Option<AnyRef>, i32>(&mut store, "get_field");
    let get_field_any = get_field_any.unwrap();
    let err = get_field_any
        .call(&mut store, Some(a.to_anyref()))
        .unwrap_err();
    assert!(format!("{err:#}").contains("type mismatch"), "{err:#}");

    let i31 = instance
        .get_typed_func::<i32, Option<I31>>(&mut store, "i31")
        .unwrap();
    let i31_get = instance
        .get_typed_func::<Option<I31>, i32>(&mut store, "i31_get")
        .unwrap();
    assert_eq!(
        i31.call(&mut store, -7).unwrap(),
        Some(I31::wrapping_i32(-7))
    );
    assert_eq!(
        i31_get
            .call(&mut store, Some(I31::wrapping_i32(-9)))
            .unwrap(),
        -9
    );

    // Untyped calls: `Val`s.
    let id_any = instance.get_func(&mut store, "id_any").unwrap();
    let mut out = [Val::AnyRef(None)];
    for v in [
        Val::from(s.clone()),
        Val::from(a.clone()),
        Val::from(AnyRef::from_i31(&mut store, I31::wrapping_u32(5)).unwrap()),
        Val::AnyRef(None),
    ] {
        id_any
            .call(&mut store, std::slice::from_ref(&v), &mut out)
            .unwrap();
        match (&v, &out[0]) {
            (Val::AnyRef(None), Val::AnyRef(None)) => {}
            (Val::AnyRef(Some(sent)), Val::AnyRef(Some(got))) => {
                assert_eq!(
                    sent.is_struct(&store).unwrap(),
                    got.is_struct(&store).unwrap()
                );
                assert_eq!(
                    sent.is_array(&store).unwrap(),
                    got.is_array(&store).unwrap()
                );
                assert_eq!(sent.as_i31(&store).unwrap(), got.as_i31(&store).unwrap());
            }
            other => panic!("{other:?}"),
        }
    }
    let got = out[0].clone();
    assert!(got.is_null());
    let make_struct_untyped = instance.get_func(&mut store, "make_struct").unwrap();
    let mut out = [Val::AnyRef(None)];
    make_struct_untyped
        .call(&mut store, &[Val::I32(4)], &mut out)
        .unwrap();
    let made = out[0]
        .unwrap_anyref()
        .unwrap()
        .unwrap_struct(&mut store)
        .unwrap();
    assert_eq!(made.field(&mut store, 0).unwrap().i32(), Some(4));
    // A value of the wrong hierarchy is refused before the call.
    let err = id_any
        .call(&mut store, &[Val::ExternRef(None)], &mut out)
        .unwrap_err();
    assert!(
        matches!(kind(&err), Some(ErrorKind::TypeMismatch(_))),
        "{err}"
    );

    // Host functions: untyped with a concrete type, typed with anyref and
    // an i31 result.
    let call_double = instance
        .get_typed_func::<i32, i32>(&mut store, "call_double")
        .unwrap();
    assert_eq!(call_double.call(&mut store, 21).unwrap(), 42);
    let call_is_struct = instance
        .get_typed_func::<(), (i32, i32)>(&mut store, "call_is_struct")
        .unwrap();
    assert_eq!(call_is_struct.call(&mut store, ()).unwrap(), (1, 0));
    let call_host_i31 = instance
        .get_typed_func::<i32, i32>(&mut store, "call_host_i31")
        .unwrap();
    assert_eq!(call_host_i31.call(&mut store, 9).unwrap(), 10);

    // Globals.
    let g = instance.get_global(&mut store, "g").unwrap();
    let ty = g.ty(&store).unwrap();
    assert_eq!(ty.mutability(), Mutability::Var);
    let content = ty.content().unwrap_ref();
    assert!(content.is_nullable());
    assert!(content.heap_type().as_concrete_struct().is_some());
    assert!(g.get(&mut store).unwrap().is_null());
    g.set(&mut store, Val::from(s.clone())).unwrap();
    let back = g.get(&mut store).unwrap();
    let back = back
        .unwrap_anyref()
        .unwrap()
        .unwrap_struct(&mut store)
        .unwrap();
    assert_eq!(back.field(&mut store, 0).unwrap().i32(), Some(12));
    // Wasmtime checks the concrete type: an array is not a `$s`.
    assert!(g.set(&mut store, Val::from(a.clone())).is_err());
    let gi = instance.get_global(&mut store, "gi").unwrap();
    assert_eq!(gi.ty(&store).unwrap().content(), &ValType::I31REF);
    let seven = AnyRef::from_i31(&mut store, I31::wrapping_u32(7)).unwrap();
    gi.set(&mut store, Val::from(seven)).unwrap();
    let v = gi.get(&mut store).unwrap();
    assert_eq!(
        v.unwrap_anyref()
            .unwrap()
            .unwrap_i31(&store)
            .unwrap()
            .get_u32(),
        7
    );
    // Host globals of GC types.
    let host_g = Global::new(
        &mut store,
        GlobalType::new(ValType::EQREF, Mutability::Const),
        Val::from(s.to_eqref()),
    )
    .unwrap();
    let v = host_g.get(&mut store).unwrap();
    assert!(v.unwrap_anyref().unwrap().is_struct(&store).unwrap());
    let err = Global::new(
        &mut store,
        GlobalType::new(ValType::EQREF, Mutability::Const),
        Val::ExternRef(None),
    )
    .unwrap_err();
    assert!(
        matches!(kind(&err), Some(ErrorKind::TypeMismatch(_))),
        "{err}"
    );
    let non_null = ValType::from(RefType::new(false, HeapType::Any));
    assert!(Global::new(
        &mut store,
        GlobalType::new(non_null, Mutability::Const),
        Val::AnyRef(None)
    )
    .is_err());

    // Tables.
    let t = instance.get_table(&mut store, "t").unwrap();
    assert_eq!(t.ty(&store).unwrap().element(), &ValType::ANYREF);
    t.set(&mut store, 0, Val::from(a.clone())).unwrap();
    t.set(&mut store, 1, Val::from(s.clone())).unwrap();
    let first = t.get(&mut store, 0).unwrap().unwrap();
    assert!(first.unwrap_anyref().unwrap().is_array(&store).unwrap());
    let second = t.get(&mut store, 1).unwrap().unwrap();
    assert!(second.unwrap_anyref().unwrap().is_struct(&store).unwrap());
    let i31 = AnyRef::from_i31(&mut store, I31::wrapping_u32(3)).unwrap();
    assert_eq!(t.grow(&mut store, 2, Val::from(i31)).unwrap(), 2);
    let grown = t.get(&mut store, 3).unwrap().unwrap();
    assert_eq!(
        grown.unwrap_anyref().unwrap().as_i31(&store).unwrap(),
        Some(I31::wrapping_u32(3))
    );
    let host_t = Table::new(
        &mut store,
        TableType::new(ValType::STRUCTREF, 1, None),
        Val::AnyRef(None),
    )
    .unwrap();
    host_t.set(&mut store, 0, Val::from(s.clone())).unwrap();
    assert!(host_t.set(&mut store, 0, Val::from(a.clone())).is_err());

    // The host's own types and allocators.
    let pair = StructType::new(
        &engine,
        [
            FieldType::new(Mutability::Const, StorageType::I8),
            FieldType::new(Mutability::Var, ValType::ANYREF.into()),
        ],
    )
    .unwrap();
    assert_eq!(pair.fields().len(), 2);
    let pre = StructRefPre::new(&mut store, pair.clone()).unwrap();
    let p = StructRef::new(&mut store, &pre, &[Val::I32(0x1ff), Val::from(s.clone())]).unwrap();
    // Packed: the low 8 bits, read zero-extended.
    assert_eq!(p.field(&mut store, 0).unwrap().i32(), Some(0xff));
    assert!(p.set_field(&mut store, 0, Val::I32(1)).is_err()); // immutable
    assert!(StructRef::new(&mut store, &pre, &[Val::I32(1)]).is_err()); // too few
    let bytes = ArrayType::new(&engine, FieldType::new(Mutability::Var, StorageType::I8)).unwrap();
    let pre = ArrayRefPre::new(&mut store, bytes).unwrap();
    let b = ArrayRef::new(&mut store, &pre, &Val::I32(0x101), 4).unwrap();
    assert_eq!(b.get(&mut store, 3).unwrap().i32(), Some(1));
    assert!(b.get(&mut store, 4).is_err()); // out of bounds
    if expected_major() >= 46 {
        assert_eq!(p.ty(&store).unwrap(), pair);
        assert!(p.to_anyref().ty(&store).unwrap().is_concrete());
        assert_eq!(b.ty(&store).unwrap().element_type(), StorageType::I8);
        assert_eq!(
            AnyRef::from_i31(&mut store, I31::default())
                .unwrap()
                .ty(&store)
                .unwrap(),
            HeapType::I31
        );
    } else {
        assert!(matches!(
            kind(&p.ty(&store).unwrap_err()),
            Some(ErrorKind::UnsupportedVersion { .. })
        ));
    }
}

#[test]
fn references_of_another_store_are_errors_on_every_path() {
    if gc_types_refused() {
        return;
    }
    let engine = gc_engine(Flavour::Full);
    let (mut store, instance) = gc_instance(&engine);
    let mut other = Store::new(&engine, ());
    let pre = StructRefPre::new(&mut other, i32_field(&engine)).unwrap();
    let foreign = StructRef::new(&mut other, &pre, &[Val::I32(1)]).unwrap();
    let foreign_any = foreign.to_anyref();

    assert!(is_wrong_store(&foreign.field(&mut store, 0).unwrap_err()));
    assert!(is_wrong_store(
        &foreign.set_field(&mut store, 0, Val::I32(2)).unwrap_err()
    ));
    assert!(is_wrong_store(&foreign_any.is_struct(&store).unwrap_err()));
    assert!(is_wrong_store(
        &foreign_any.as_struct(&mut store).unwrap_err()
    ));
    // An allocator of another store.
    let err = StructRef::new(&mut store, &pre, &[Val::I32(1)]).unwrap_err();
    assert!(is_wrong_store(&err), "{err}");
    // As a field of a struct of this store.
    let mine = StructRefPre::new(
        &mut store,
        StructType::new(
            &engine,
            [FieldType::new(Mutability::Var, ValType::ANYREF.into())],
        )
        .unwrap(),
    )
    .unwrap();
    let err = StructRef::new(&mut store, &mine, &[Val::from(foreign.clone())]).unwrap_err();
    assert!(is_wrong_store(&err), "{err}");

    let id_any = instance.get_func(&mut store, "id_any").unwrap();
    let mut out = [Val::AnyRef(None)];
    let err = id_any
        .call(&mut store, &[Val::from(foreign.clone())], &mut out)
        .unwrap_err();
    assert!(is_wrong_store(&err), "{err}");
    let typed = instance
        .get_typed_func::<Option<AnyRef>, Option<AnyRef>>(&mut store, "id_any")
        .unwrap();
    let err = typed
        .call(&mut store, Some(foreign_any.clone()))
        .unwrap_err();
    assert!(is_wrong_store(&err), "{err}");
    let g = instance.get_global(&mut store, "g").unwrap();
    assert!(is_wrong_store(
        &g.set(&mut store, Val::from(foreign.clone())).unwrap_err()
    ));
    let t = instance.get_table(&mut store, "t").unwrap();
    assert!(is_wrong_store(
        &t.set(&mut store, 0, Val::from(foreign.clone()))
            .unwrap_err()
    ));

    // A host function returning another store's reference fails the call
    // (the C API would abort on it).
    let leaked = foreign_any.clone();
    let bad = Func::wrap(&mut store, move || Some(leaked.clone()));
    let err = bad
        .typed::<(), Option<AnyRef>>(&store)
        .unwrap()
        .call(&mut store, ())
        .unwrap_err();
    assert!(is_wrong_store(&err), "{err:#}");
    // The store still works.
    let make_struct = instance
        .get_typed_func::<i32, StructRef>(&mut store, "make_struct")
        .unwrap();
    assert!(make_struct.call(&mut store, 1).is_ok());
}

// ---- Builds without GC ----

#[test]
fn without_gc_every_reference_is_unsupported() {
    for flavour in flavours() {
        if flavour == Flavour::Full {
            continue;
        }
        let engine = engine_with(flavour, |_| {});
        // 36's C API builds `gc` whatever its features: its builds have
        // the capability, and nothing is refused for want of it.
        if common::build_facts().always.contains(&Capability::Gc) {
            assert!(engine.capabilities().contains(Capability::Gc));
            no_reference_is_unsupported(flavour, &engine);
            continue;
        }
        assert!(!engine.capabilities().contains(Capability::Gc));
        let mut store = Store::new(&engine, ());
        let field = FieldType::new(Mutability::Var, ValType::I32.into());
        assert!(is_unsupported_gc(
            &StructType::new(&engine, [field.clone()]).unwrap_err()
        ));
        assert!(is_unsupported_gc(
            &ArrayType::new(&engine, field).unwrap_err()
        ));
        assert!(is_unsupported_gc(
            &ExnType::new(&engine, [ValType::I32]).unwrap_err()
        ));
        let tag_ty = TagType::new(FuncType::new([ValType::I32], []));
        assert!(is_unsupported_gc(
            &Tag::new(&mut store, &tag_ty).unwrap_err()
        ));
        assert!(is_unsupported_gc(
            &AnyRef::from_i31(&mut store, I31::wrapping_u32(1)).unwrap_err()
        ));
        assert!(is_unsupported_gc(
            &wasmtime_dyn::EqRef::from_i31(&mut store, I31::wrapping_u32(1)).unwrap_err()
        ));
        assert!(is_unsupported_gc(
            &ExternRef::new(&mut store, 1u8).unwrap_err()
        ));
        for ty in [ValType::ANYREF, ValType::EXNREF, ValType::STRUCTREF] {
            let null = Val::default_for(&ty);
            let err = Global::new(
                &mut store,
                GlobalType::new(ty.clone(), Mutability::Var),
                null.clone(),
            )
            .unwrap_err();
            assert!(is_unsupported_gc(&err), "{flavour:?} {ty}: {err}");
            let err = Table::new(&mut store, TableType::new(ty, 1, None), null).unwrap_err();
            assert!(is_unsupported_gc(&err), "{flavour:?}: {err}");
        }
        // A host function with references: made, and each call says why.
        let f = Func::wrap(&mut store, |r: Option<AnyRef>| r.is_some() as i32);
        let err = f
            .call(&mut store, &[Val::AnyRef(None)], &mut [Val::I32(0)])
            .unwrap_err();
        assert!(is_unsupported_gc(&err), "{flavour:?}: {err}");
        let err = f
            .typed::<Option<AnyRef>, i32>(&store)
            .unwrap()
            .call(&mut store, None)
            .unwrap_err();
        assert!(is_unsupported_gc(&err), "{flavour:?}: {err}");
        assert!(!store.has_pending_exception());
        assert!(store.take_pending_exception().is_none());
    }
}

/// On a build that has GC although built without asking for it (36's
/// builds): each of the calls [`without_gc_every_reference_is_unsupported`]
/// makes is answered, or refused as too old for the major, never
/// `Unsupported(Gc)`; externrefs, in every major, are made and read.
fn no_reference_is_unsupported(flavour: Flavour, engine: &Engine) {
    let answered = |what: &str, result: Result<(), wasmtime_dyn::Error>| {
        if let Err(err) = result {
            assert!(
                common::too_old_why(&err).is_some(),
                "{flavour:?} {what}: {err:?}"
            );
        }
    };
    let mut store = Store::new(engine, ());
    let field = FieldType::new(Mutability::Var, ValType::I32.into());
    answered(
        "StructType::new",
        StructType::new(engine, [field.clone()]).map(drop),
    );
    answered("ArrayType::new", ArrayType::new(engine, field).map(drop));
    answered(
        "ExnType::new",
        ExnType::new(engine, [ValType::I32]).map(drop),
    );
    let tag_ty = TagType::new(FuncType::new([ValType::I32], []));
    answered("Tag::new", Tag::new(&mut store, &tag_ty).map(drop));
    answered(
        "AnyRef::from_i31",
        AnyRef::from_i31(&mut store, I31::wrapping_u32(1)).map(drop),
    );
    answered(
        "EqRef::from_i31",
        EqRef::from_i31(&mut store, I31::wrapping_u32(1)).map(drop),
    );
    let e = ExternRef::new(&mut store, 1u8).unwrap();
    let data = e.data(&mut store).unwrap().unwrap();
    assert_eq!(data.downcast_ref::<u8>(), Some(&1));
    for ty in [ValType::EXTERNREF, ValType::ANYREF, ValType::EXNREF] {
        let null = Val::default_for(&ty);
        answered(
            "Global::new",
            Global::new(
                &mut store,
                GlobalType::new(ty.clone(), Mutability::Var),
                null.clone(),
            )
            .map(drop),
        );
        answered(
            "Table::new",
            Table::new(&mut store, TableType::new(ty, 1, None), null).map(drop),
        );
    }
    let f = Func::wrap(&mut store, |r: Option<ExternRef>| r.is_some() as i32);
    let mut out = [Val::I32(0)];
    f.call(&mut store, &[Val::ExternRef(Some(e.clone()))], &mut out)
        .unwrap();
    assert_eq!(out[0].i32(), Some(1));
    let typed = f.typed::<Option<ExternRef>, i32>(&store).unwrap();
    assert_eq!(typed.call(&mut store, None).unwrap(), 0);
    assert!(!store.has_pending_exception());
}

#[test]
fn funcref_and_externref_are_typed_values_too() {
    // No GC type here: funcref and externref are values of every major.
    let engine = gc_engine(Flavour::Full);
    let module = module_with(
        Flavour::Full,
        &engine,
        r#"(module
            (import "host" "twice" (func $twice (param externref) (result externref externref)))
            (func (export "id_f") (param funcref) (result funcref) local.get 0)
            (func (export "id_e") (param externref) (result externref externref)
                (call $twice (local.get 0))))"#,
        gc_on,
    );
    let mut store = Store::new(&engine, ());
    let mut linker: Linker<()> = Linker::new(&engine);
    linker
        .func_wrap("host", "twice", |e: Option<ExternRef>| (e.clone(), e))
        .unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let id_f = instance
        .get_typed_func::<Option<Func>, Option<Func>>(&mut store, "id_f")
        .unwrap();
    // The types it hands out spell funcref as the variant.
    assert!(matches!(
        id_f.func().ty(&store).params().collect::<Vec<_>>()[..],
        [ValType::FuncRef]
    ));
    let f = Func::wrap(&mut store, || 3);
    let back = id_f.call(&mut store, Some(f)).unwrap().unwrap();
    assert_eq!(
        back.typed::<(), i32>(&store)
            .unwrap()
            .call(&mut store, ())
            .unwrap(),
        3
    );
    assert!(id_f.call(&mut store, None).unwrap().is_none());
    let id_e = instance
        .get_typed_func::<Option<ExternRef>, (Option<ExternRef>, Option<ExternRef>)>(
            &mut store, "id_e",
        )
        .unwrap();
    let e = ExternRef::new(&mut store, "hello").unwrap();
    let (a, b) = id_e.call(&mut store, Some(e)).unwrap();
    for r in [a.unwrap(), b.unwrap()] {
        let data = r.data(&mut store).unwrap().unwrap();
        assert_eq!(data.downcast_ref::<&str>(), Some(&"hello"));
    }
    // Non-null is a type of its own: a null result is refused as one.
    assert!(instance
        .get_typed_func::<Func, Func>(&mut store, "id_f")
        .is_err());
}
