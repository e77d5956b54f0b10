//! Calls through `Func::call` and `TypedFunc::call`, on the three real
//! libraries: every value must round-trip exactly on both value layouts.

mod common;

use common::{flavours, kind, round_has, setup, Flavour};
use wasmtime_dyn::{ErrorKind, Func, Linker, Store, Val, ValType, V128};

const TYPES: [ValType; 5] = [
    ValType::I32,
    ValType::I64,
    ValType::F32,
    ValType::F64,
    ValType::V128,
];

fn wat_type(t: ValType) -> &'static str {
    match t {
        ValType::I32 => "i32",
        ValType::I64 => "i64",
        ValType::F32 => "f32",
        ValType::F64 => "f64",
        ValType::V128 => "v128",
        _ => unreachable!(),
    }
}

/// `echoN` takes N parameters of mixed types and returns them reversed.
fn echo_module() -> String {
    let mut wat = String::from("(module\n");
    for n in 0..=16 {
        let types: Vec<ValType> = (0..n).map(|i| TYPES[i % TYPES.len()].clone()).collect();
        let params: String = types
            .iter()
            .map(|t| format!(" {}", wat_type(t.clone())))
            .collect();
        let results: String = types
            .iter()
            .rev()
            .map(|t| format!(" {}", wat_type(t.clone())))
            .collect();
        let body: String = (0..n).rev().map(|i| format!(" local.get {i}")).collect();
        wat += &format!("  (func (export \"echo{n}\") (param{params}) (result{results}){body})\n");
    }
    wat + ")"
}

/// Distinct, awkward values: NaNs with payloads, extremes, v128 patterns.
fn sample(t: ValType, i: usize) -> Val {
    match t {
        ValType::I32 => Val::I32(i32::MIN + i as i32 * 7919),
        ValType::I64 => Val::I64(i64::MAX - i as i64 * 104729),
        ValType::F32 => Val::F32(0x7fc0_1234 + i as u32),
        ValType::F64 => Val::F64(0xfff8_0000_dead_beef - i as u64),
        ValType::V128 => Val::V128(V128::from(
            0x0011_2233_4455_6677_8899_aabb_ccdd_eeffu128.rotate_left(i as u32 * 8),
        )),
        _ => unreachable!(),
    }
}

fn same(a: &Val, b: &Val) -> bool {
    match (a, b) {
        (Val::I32(x), Val::I32(y)) => x == y,
        (Val::I64(x), Val::I64(y)) => x == y,
        (Val::F32(x), Val::F32(y)) => x == y,
        (Val::F64(x), Val::F64(y)) => x == y,
        (Val::V128(x), Val::V128(y)) => x == y,
        _ => false,
    }
}

#[test]
fn untyped_calls_with_0_to_16_mixed_parameters() {
    let wat = echo_module();
    for flavour in flavours() {
        let (engine, module) = setup(flavour, &wat);
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap();
        for n in 0..=16 {
            let func = instance.get_func(&mut store, &format!("echo{n}")).unwrap();
            let params: Vec<Val> = (0..n)
                .map(|i| sample(TYPES[i % TYPES.len()].clone(), i))
                .collect();
            let mut results: Vec<Val> = (0..n).map(|_| Val::I32(0)).collect();
            func.call(&mut store, &params, &mut results).unwrap();
            for (i, result) in results.iter().enumerate() {
                let expected = &params[n - 1 - i];
                assert!(
                    same(result, expected),
                    "{flavour:?} echo{n} result {i}: {result:?} != {expected:?}"
                );
            }
        }
    }
}

#[test]
fn typed_calls_round_trip_exactly() {
    let wat = echo_module();
    let nan32 = f32::from_bits(0x7fc0_1234);
    let nan64 = f64::from_bits(0xfff8_0000_dead_beef);
    let v = V128::from(0x0102_0304_0506_0708_090a_0b0c_0d0e_0f10u128);
    for flavour in flavours() {
        let (engine, module) = setup(flavour, &wat);
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap();

        let echo0 = instance
            .get_typed_func::<(), ()>(&mut store, "echo0")
            .unwrap();
        echo0.call(&mut store, ()).unwrap();

        let echo2 = instance
            .get_typed_func::<(i32, i64), (i64, i32)>(&mut store, "echo2")
            .unwrap();
        assert_eq!(
            echo2.call(&mut store, (-5, i64::MIN)).unwrap(),
            (i64::MIN, -5),
            "{flavour:?}"
        );

        let echo5 = instance
            .get_typed_func::<(i32, i64, f32, f64, V128), (V128, f64, f32, i64, i32)>(
                &mut store, "echo5",
            )
            .unwrap();
        let (rv, rf64, rf32, ri64, ri32) = echo5
            .call(&mut store, (u32::MAX as i32, 1, nan32, nan64, v))
            .unwrap();
        assert_eq!((rv, ri64, ri32), (v, 1, -1), "{flavour:?}");
        assert_eq!(
            rf32.to_bits(),
            nan32.to_bits(),
            "{flavour:?}: f32 NaN payload"
        );
        assert_eq!(
            rf64.to_bits(),
            nan64.to_bits(),
            "{flavour:?}: f64 NaN payload"
        );

        type P16 = (
            i32,
            i64,
            f32,
            f64,
            V128,
            i32,
            i64,
            f32,
            f64,
            V128,
            i32,
            i64,
            f32,
            f64,
            V128,
            i32,
        );
        type R16 = (
            i32,
            V128,
            f64,
            f32,
            i64,
            i32,
            V128,
            f64,
            f32,
            i64,
            i32,
            V128,
            f64,
            f32,
            i64,
            i32,
        );
        let echo16 = instance
            .get_typed_func::<P16, R16>(&mut store, "echo16")
            .unwrap();
        let p: P16 = (
            1,
            2,
            3.5,
            4.25,
            V128::from(5),
            6,
            7,
            nan32,
            9.0,
            V128::from(u128::MAX),
            11,
            -12,
            -0.0,
            nan64,
            v,
            16,
        );
        let r = echo16.call(&mut store, p).unwrap();
        assert_eq!(
            (r.0, r.1, r.4, r.5, r.6, r.10, r.11, r.15),
            (16, v, -12, 11, V128::from(u128::MAX), 6, V128::from(5), 1)
        );
        assert_eq!(r.2.to_bits(), nan64.to_bits());
        assert_eq!(r.3.to_bits(), (-0.0f32).to_bits());
        assert_eq!(r.8.to_bits(), nan32.to_bits());
        assert_eq!((r.7, r.9, r.12, r.13, r.14), (9.0, 7, 4.25, 3.5, 2));

        // The type is checked once, with both types in the message.
        let err = instance
            .get_typed_func::<i32, i32>(&mut store, "echo2")
            .unwrap_err();
        assert!(
            err.to_string().contains("(i32, i64) -> (i64, i32)"),
            "{err}"
        );
    }
}

#[test]
fn untyped_argument_errors_are_typed() {
    for flavour in flavours() {
        let (engine, module) = setup(flavour, &echo_module());
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap();
        let echo2 = instance.get_func(&mut store, "echo2").unwrap();
        let mut results = [Val::I32(0), Val::I32(0)];
        let err = echo2
            .call(&mut store, &[Val::I32(1)], &mut results)
            .unwrap_err();
        assert!(
            matches!(kind(&err), Some(ErrorKind::TypeMismatch(_))),
            "{err:?}"
        );
        let err = echo2
            .call(&mut store, &[Val::I64(1), Val::I64(2)], &mut results)
            .unwrap_err();
        assert!(err.to_string().contains("argument 0 is i64"), "{err}");
    }
}

/// The untyped call checks every argument against its parameter's type, at
/// every position and for every number type, and the arity, whether the
/// function came untyped or through a typed view.
#[test]
fn untyped_call_checks_each_argument() {
    for flavour in flavours() {
        let (engine, module) = setup(flavour, &echo_module());
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap();
        let echo5 = instance.get_func(&mut store, "echo5").unwrap();
        let typed = instance
            .get_typed_func::<(i32, i64, f32, f64, V128), (V128, f64, f32, i64, i32)>(
                &mut store, "echo5",
            )
            .unwrap();
        let good: Vec<Val> = (0..5).map(|i| sample(TYPES[i].clone(), i)).collect();
        for func in [&echo5, typed.func()] {
            let mut results: Vec<Val> = (0..5).map(|_| Val::FuncRef(None)).collect();
            func.call(&mut store, &good, &mut results).unwrap();
            for (i, result) in results.iter().enumerate() {
                assert!(
                    same(result, &good[4 - i]),
                    "{flavour:?} result {i}: {result:?}"
                );
            }
            for i in 0..5 {
                let wrong = TYPES[(i + 1) % TYPES.len()].clone();
                let mut params = good.clone();
                params[i] = sample(wrong.clone(), i);
                let err = func.call(&mut store, &params, &mut results).unwrap_err();
                assert!(
                    matches!(kind(&err), Some(ErrorKind::TypeMismatch(_)))
                        && err
                            .to_string()
                            .contains(&format!("argument {i} is {wrong}")),
                    "{flavour:?} argument {i}: {err}"
                );
                let mut fewer = results.clone();
                fewer.pop();
                let err = func.call(&mut store, &good, &mut fewer).unwrap_err();
                assert!(
                    err.to_string().contains("room for 4 results"),
                    "{flavour:?}: {err}"
                );
                let err = func.call(&mut store, &good[..i], &mut results).unwrap_err();
                assert!(
                    err.to_string()
                        .contains(&format!("called with {i} arguments")),
                    "{flavour:?}: {err}"
                );
            }
        }
    }
}

#[test]
fn host_function_with_8_parameters_called_from_wasm() {
    let wat = r#"(module
        (import "host" "mix" (func $mix (param i32 i64 f32 f64 i32 i64 f32 f64) (result f64 i64)))
        (func (export "run") (param i32) (result f64 i64)
            local.get 0 i64.const -2 f32.const 1.5 f64.const 2.25
            i32.const 5 i64.const 6 f32.const -0.5 f64.const 1e300
            call $mix))"#;
    for flavour in flavours() {
        let (engine, module) = setup(flavour, wat);
        let mut linker = Linker::new(&engine);
        linker
            .func_wrap(
                "host",
                "mix",
                |mut caller: wasmtime_dyn::Caller<'_, Vec<i32>>,
                 a: i32,
                 b: i64,
                 c: f32,
                 d: f64,
                 e: i32,
                 f: i64,
                 g: f32,
                 h: f64| {
                    caller.data_mut().push(a);
                    (
                        d + h + f64::from(c) + f64::from(g),
                        b + f + i64::from(a) * i64::from(e),
                    )
                },
            )
            .unwrap();
        let mut store = Store::new(&engine, Vec::new());
        let instance = linker.instantiate(&mut store, &module).unwrap();
        let run = instance
            .get_typed_func::<i32, (f64, i64)>(&mut store, "run")
            .unwrap();
        assert_eq!(
            run.call(&mut store, 10).unwrap(),
            (2.25 + 1e300 + 1.5 - 0.5, -2 + 6 + 50),
            "{flavour:?}"
        );
        assert_eq!(store.data(), &[10]);
    }
}

#[test]
fn untyped_host_function_and_func_wrap() {
    for flavour in flavours() {
        let engine = common::engine_with(flavour, |_| {});
        let mut store = Store::new(&engine, 0u32);
        let ty = wasmtime_dyn::FuncType::new([ValType::I32, ValType::V128], [ValType::V128]);
        let func = Func::new(&mut store, ty, |mut caller, params, results| {
            *caller.data_mut() += 1;
            let shift = params[0].i32().unwrap() as u32;
            results[0] = Val::V128(V128::from(params[1].v128().unwrap().as_u128() << shift));
            Ok(())
        });
        let mut results = [Val::I32(0)];
        func.call(
            &mut store,
            &[Val::I32(4), Val::V128(V128::from(1))],
            &mut results,
        )
        .unwrap();
        assert_eq!(results[0].v128(), Some(V128::from(16)), "{flavour:?}");
        assert_eq!(*store.data(), 1);

        let double = Func::wrap(&mut store, |x: u64| x.wrapping_mul(2));
        let typed = double.typed::<u64, u64>(&store).unwrap();
        assert_eq!(typed.call(&mut store, u64::MAX).unwrap(), u64::MAX - 1);
    }
}

#[test]
fn objects_of_one_store_are_refused_by_another() {
    for flavour in flavours() {
        let (engine, module) = setup(flavour, &echo_module());
        let mut a = Store::new(&engine, ());
        let mut b = Store::new(&engine, ());
        let instance = Linker::new(&engine).instantiate(&mut a, &module).unwrap();
        let echo1 = instance
            .get_typed_func::<i32, i32>(&mut a, "echo1")
            .unwrap();
        let err = echo1.call(&mut b, 1).unwrap_err();
        assert!(
            matches!(kind(&err), Some(ErrorKind::WrongStore(_))),
            "{err:?}"
        );
        let func = instance.get_func(&mut a, "echo1").unwrap();
        assert!(func
            .call(&mut b, &[Val::I32(1)], &mut [Val::I32(0)])
            .is_err());
        // Looking an export up through another store panics, as in the
        // `wasmtime` crate, saying why.
        let panicked = |f: &mut dyn FnMut()| {
            let payload = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_err();
            payload
                .downcast_ref::<String>()
                .cloned()
                .unwrap_or_default()
        };
        for message in [
            panicked(&mut || drop(instance.get_export(&mut b, "echo1"))),
            panicked(&mut || drop(instance.get_func(&mut b, "echo1"))),
            panicked(&mut || drop(instance.get_typed_func::<i32, i32>(&mut b, "echo1"))),
            panicked(&mut || {
                let _ = instance.get_memory(&mut b, "echo1");
            }),
        ] {
            assert!(message.contains("different store"), "{message}");
        }
        // Used with its own store, it still works.
        assert_eq!(echo1.call(&mut a, 9).unwrap(), 9);
    }
}

#[test]
fn compiling_without_a_compiler_says_to_precompile() {
    if !round_has(Flavour::Min) {
        return;
    }
    let min = Flavour::Min.load();
    let engine = wasmtime_dyn::Engine::default_for(min).unwrap();
    assert!(engine.compiler().is_none());
    assert!(engine.wat().is_none());
    let err = wasmtime_dyn::Module::new(&engine, "(module)").unwrap_err();
    assert!(
        matches!(
            kind(&err),
            Some(ErrorKind::Unsupported(wasmtime_dyn::Capability::Compiler))
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("precompile"), "{err}");
    let err = wasmtime_dyn::precompile_for(min, min.capabilities(), "(module)").unwrap_err();
    assert!(matches!(
        kind(&err),
        Some(ErrorKind::Unsupported(wasmtime_dyn::Capability::Compiler))
    ));
}

#[test]
fn precompile_with_full_and_run_on_min_in_one_process() {
    if !round_has(Flavour::Min) {
        return;
    }
    let full = Flavour::Full.load();
    let min = Flavour::Min.load();
    let cwasm = wasmtime_dyn::precompile_for(
        full,
        min.capabilities(),
        r#"(module (func (export "mul") (param i64 i64) (result i64) local.get 0 local.get 1 i64.mul))"#,
    )
    .unwrap();
    let engine = wasmtime_dyn::Engine::default_for(min).unwrap();
    // SAFETY: produced just now by the official library.
    let module = unsafe { wasmtime_dyn::Module::deserialize(&engine, &cwasm) }.unwrap();
    let mut store = Store::new(&engine, ());
    let instance = wasmtime_dyn::Instance::new(&mut store, &module, &[]).unwrap();
    let mul = instance
        .get_typed_func::<(i64, i64), i64>(&mut store, "mul")
        .unwrap();
    assert_eq!(mul.call(&mut store, (-7, 6)).unwrap(), -42);

    // Without turning the full build's extra features off, min refuses it,
    // with Wasmtime's reason, as an error.
    let engine_full = wasmtime_dyn::Engine::default_for(full).unwrap();
    let plain = engine_full
        .compiler()
        .unwrap()
        .precompile(&engine_full.wat().unwrap().to_wasm("(module)").unwrap())
        .unwrap();
    // SAFETY: produced just now by the official library.
    let err = unsafe { wasmtime_dyn::Module::deserialize(&engine, &plain) }.unwrap_err();
    assert!(err.to_string().contains("compiled with"), "{err}");
}

#[test]
fn concrete_reference_types_are_handed_out() {
    if common::expected_major() < 45 {
        println!(
            "skipped: Wasmtime {} has no wasmtime_valtype_new (from 45), so concrete reference \
             types cannot be read",
            common::expected_major()
        );
        return;
    }
    let wat = r#"(module (type $t (func)) (func (export "f") (param (ref null $t))) (func (export "g")))"#;
    // Typed function references are on by default from Wasmtime 47.
    let on = |c: &mut wasmtime_dyn::Config| {
        c.gc().unwrap().wasm_function_references(true);
    };
    let engine = common::engine_with(Flavour::Full, on);
    let module = common::module_with(Flavour::Full, &engine, wat, on);
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let f = instance.get_func(&mut store, "f").unwrap();
    let ty = f.ty(&store);
    let param = ty.param(0).unwrap();
    let param = param.unwrap_ref();
    assert!(param.is_nullable());
    let concrete = param.heap_type().as_concrete_func().unwrap();
    assert_eq!(concrete, &wasmtime_dyn::FuncType::new([], []));
    assert_eq!(ty.to_string(), "((ref null (concrete func))) -> ()");
    // A typed function of another signature is refused, naming both.
    let err = instance
        .get_typed_func::<(), ()>(&mut store, "f")
        .unwrap_err();
    assert!(
        matches!(kind(&err), Some(ErrorKind::TypeMismatch(_))),
        "{err}"
    );
    // The null of its hierarchy is an argument; a function is checked by
    // Wasmtime against the concrete type.
    f.call(&mut store, &[Val::FuncRef(None)], &mut []).unwrap();
    let g = instance.get_func(&mut store, "g").unwrap();
    f.call(&mut store, &[Val::FuncRef(Some(g.clone()))], &mut [])
        .unwrap();
    let other = wasmtime_dyn::Func::wrap(&mut store, |x: i32| x);
    let err = f
        .call(&mut store, &[Val::FuncRef(Some(other))], &mut [])
        .unwrap_err();
    assert!(format!("{err:#}").contains("type mismatch"), "{err:#}");
    assert_eq!(instance.exports(&mut store).len(), 2);
    assert_eq!(module.exports().len(), 2);
}

#[test]
fn precompile_for_min_keeps_the_proposals_min_enables() {
    if !round_has(Flavour::Min) {
        return;
    }
    // The proposals the minimal build enables by default (from 45 a build
    // without GC keeps the GC proposal's constant expressions and typed
    // function references on; 36's defaults have neither): precompiling for
    // it must keep them on, and code needing one it has off is refused.
    let full = Flavour::Full.load();
    let min = Flavour::Min.load();
    let engine = wasmtime_dyn::Engine::default_for(min).unwrap();
    let enabled = wasmtime_dyn::cwasm::engine_profile(&engine).features();
    for (feature, wat) in [
        (
            "extended_const",
            "(module (global (export \"g\") i32 (i32.add (i32.const 1) (i32.const 2))))",
        ),
        (
            "gc",
            "(module (global i32 (i32.const 0)) (global (export \"g\") i32 (global.get 0)))",
        ),
        (
            "function_references",
            "(module (type $t (func)) (table 1 (ref null $t)))",
        ),
    ] {
        let cwasm = wasmtime_dyn::precompile_for(full, min.capabilities(), wat);
        if enabled.contains(&feature) {
            let cwasm = cwasm.unwrap_or_else(|e| panic!("{wat}: {e:?}"));
            // SAFETY: produced just now by the official library.
            unsafe { wasmtime_dyn::Module::deserialize(&engine, &cwasm) }
                .unwrap_or_else(|e| panic!("{wat}: {e}"));
        } else {
            // Off in the minimal build's engines: Wasmtime's validation
            // refuses the module.
            let err = cwasm.map(drop).unwrap_err();
            assert!(
                matches!(kind(&err), Some(ErrorKind::Wasmtime { .. })),
                "{wat}: {err:?}"
            );
            eprintln!("`{feature}` is off in the minimal build's engines: {err:#}");
        }
    }
}

#[test]
fn objects_of_one_library_are_refused_by_a_store_of_another() {
    if !round_has(Flavour::CompilerOnly) {
        return;
    }
    // Wasmtime numbers stores from the same start in every library, so the
    // first store of each library has the same Wasmtime id: the check must
    // not rely on it.
    let wat = r#"(module (memory (export "m") 3) (func (export "f") (result i32) i32.const 7))"#;
    let (engine_a, module_a) = setup(Flavour::Full, wat);
    let (engine_b, module_b) = setup(Flavour::CompilerOnly, wat);
    let mut a = Store::new(&engine_a, ());
    let mut b = Store::new(&engine_b, ());
    let ia = Linker::new(&engine_a)
        .instantiate(&mut a, &module_a)
        .unwrap();
    let _ib = Linker::new(&engine_b)
        .instantiate(&mut b, &module_b)
        .unwrap();
    let memory = ia.get_memory(&mut a, "m").unwrap();
    // A memory used with a store of another library panics, as a memory
    // of another store does in the `wasmtime` crate, saying why.
    let payload =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| memory.size(&b))).unwrap_err();
    let message = payload
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(message.contains("different store"), "{message}");
    let f = ia.get_typed_func::<(), i32>(&mut a, "f").unwrap();
    let err = f.call(&mut b, ()).unwrap_err();
    assert!(
        matches!(kind(&err), Some(ErrorKind::WrongStore(_))),
        "{err:?}"
    );
    let g = ia.get_func(&mut a, "f").unwrap();
    assert!(g.call(&mut b, &[], &mut [Val::I32(0)]).is_err());
    assert_eq!(f.call(&mut a, ()).unwrap(), 7);
}
