//! The oldest majors of the window, the 36 LTS line first: what differs in
//! their C API (the 24-byte `wasmtime_val_t` of 36, the trap numbering of
//! 36 to 41, references unrooted through the store on 36 and 37) gives the
//! same results as on the newest major, 50, loaded beside the round's
//! library in the same process.

mod common;

use wasmtime_dyn::{
    Config, Engine, ExternRef, Func, Global, GlobalType, Linker, Module, Mutability, Store, Table,
    TableType, Trap, Val, ValType, Wasmtime, V128,
};

/// The round's full library, and 50's.
fn libraries() -> [&'static Wasmtime; 2] {
    [
        common::load_library("full", common::expected_major()),
        common::load_library("full", 50),
    ]
}

const MULTI: &str = r#"(module
    (func (export "swap") (param i64 i32 f64 f32 v128) (result v128 f32 f64 i32 i64)
        local.get 4 local.get 3 local.get 2 local.get 1 local.get 0)
    (func (export "refs") (param externref funcref i32) (result i32 funcref externref)
        local.get 2 local.get 1 local.get 0))"#;

/// Multi-value calls through `Func::call` (the `wasmtime_val_t` arrays,
/// whose stride is 24 bytes on 36) return every result in place.
#[test]
fn multi_value_calls_return_every_result() {
    for wasmtime in libraries() {
        let major = wasmtime.version().major();
        let engine = Engine::default_for(wasmtime).unwrap();
        let module = Module::new(&engine, MULTI).unwrap();
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap();
        let swap = instance.get_func(&mut store, "swap").unwrap();
        let v = V128::from(0x0102_0304_0506_0708_090a_0b0c_0d0e_0f10u128);
        let params = [
            Val::I64(-5_000_000_000),
            Val::I32(-7),
            Val::F64(2.5f64.to_bits()),
            Val::F32(1.25f32.to_bits()),
            Val::V128(v),
        ];
        let mut results = vec![Val::I32(0); 5];
        swap.call(&mut store, &params, &mut results).unwrap();
        assert_eq!(results[0].v128(), Some(v), "{major}");
        assert_eq!(results[1].f32(), Some(1.25), "{major}");
        assert_eq!(results[2].f64(), Some(2.5), "{major}");
        assert_eq!(results[3].i32(), Some(-7), "{major}");
        assert_eq!(results[4].i64(), Some(-5_000_000_000), "{major}");

        let refs = instance.get_func(&mut store, "refs").unwrap();
        let data = ExternRef::new(&mut store, format!("from {major}")).unwrap();
        let params = [
            Val::ExternRef(Some(data)),
            Val::FuncRef(Some(swap.clone())),
            Val::I32(major as i32),
        ];
        let mut results = vec![Val::I32(0); 3];
        refs.call(&mut store, &params, &mut results).unwrap();
        assert_eq!(results[0].i32(), Some(major as i32), "{major}");
        let back = results[1].funcref().unwrap().unwrap().clone();
        assert_eq!(back.ty(&store).params().count(), 5, "{major}");
        let r = results[2].unwrap_externref().unwrap().clone();
        let text = r.data(&mut store).unwrap().unwrap();
        assert_eq!(
            text.downcast_ref::<String>().unwrap(),
            &format!("from {major}")
        );
    }
}

/// Globals of every value type, read back after `Global::new` and after
/// `Global::set`, and tables of both reference types.
#[test]
fn globals_and_tables_of_every_value_type() {
    for wasmtime in libraries() {
        let major = wasmtime.version().major();
        let engine = Engine::default_for(wasmtime).unwrap();
        let mut store = Store::new(&engine, ());
        let module = Module::new(&engine, r#"(module (func (export "f")))"#).unwrap();
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap();
        let f = instance.get_func(&mut store, "f").unwrap();
        let e = ExternRef::new(&mut store, 7u32).unwrap();
        let v = V128::from(u128::MAX - 3);
        let cases: Vec<(ValType, Val, Val)> = vec![
            (ValType::I32, Val::I32(-1), Val::I32(i32::MAX)),
            (ValType::I64, Val::I64(i64::MIN), Val::I64(3)),
            (ValType::F32, Val::F32(0x7fc0_0001), Val::F32(0)),
            (ValType::F64, Val::F64(0x7ff8_0000_0000_0001), Val::F64(1)),
            (ValType::V128, Val::V128(v), Val::V128(V128::from(1u128))),
            (
                ValType::FuncRef,
                Val::FuncRef(None),
                Val::FuncRef(Some(f.clone())),
            ),
            (
                ValType::ExternRef,
                Val::ExternRef(None),
                Val::ExternRef(Some(e.clone())),
            ),
        ];
        for (ty, first, second) in cases {
            let global = Global::new(
                &mut store,
                GlobalType::new(ty.clone(), Mutability::Var),
                first.clone(),
            )
            .unwrap_or_else(|e| panic!("{major} {ty}: {e}"));
            let got = global.get(&mut store).unwrap();
            same(&mut store, &got, &first, major);
            global.set(&mut store, second.clone()).unwrap();
            let got = global.get(&mut store).unwrap();
            same(&mut store, &got, &second, major);
            assert_eq!(global.ty(&store).unwrap().content(), &ty, "{major}");
        }
        for (ty, value) in [
            (ValType::FuncRef, Val::FuncRef(Some(f.clone()))),
            (ValType::ExternRef, Val::ExternRef(Some(e.clone()))),
        ] {
            let null = match ty {
                ValType::FuncRef => Val::FuncRef(None),
                _ => Val::ExternRef(None),
            };
            let table = Table::new(
                &mut store,
                TableType::new(ty.clone(), 3, Some(8)),
                null.clone(),
            )
            .unwrap_or_else(|e| panic!("{major} {ty}: {e}"));
            table.set(&mut store, 1, value.clone()).unwrap();
            let got = table.get(&mut store, 0).unwrap().unwrap();
            same(&mut store, &got, &null, major);
            let got = table.get(&mut store, 1).unwrap().unwrap();
            same(&mut store, &got, &value, major);
            assert_eq!(table.ty(&store).unwrap().element(), &ty, "{major}");
        }
    }
}

/// `a` and `b` hold the same value: numbers by bits, function references
/// by their type, external references by their data.
fn same(store: &mut Store<()>, a: &Val, b: &Val, major: u32) {
    match (a, b) {
        (Val::FuncRef(Some(x)), Val::FuncRef(Some(y))) => {
            assert_eq!(
                x.ty(&*store).params().count(),
                y.ty(&*store).params().count(),
                "{major}"
            );
        }
        (Val::ExternRef(Some(x)), Val::ExternRef(Some(y))) => {
            let x = *x
                .data(&mut *store)
                .unwrap()
                .unwrap()
                .downcast_ref::<u32>()
                .unwrap();
            let y = *y
                .data(&mut *store)
                .unwrap()
                .unwrap()
                .downcast_ref::<u32>()
                .unwrap();
            assert_eq!(x, y, "{major}");
        }
        (Val::FuncRef(None), Val::FuncRef(None)) | (Val::ExternRef(None), Val::ExternRef(None)) => {
        }
        (Val::I32(x), Val::I32(y)) => assert_eq!(x, y, "{major}"),
        (Val::I64(x), Val::I64(y)) => assert_eq!(x, y, "{major}"),
        (Val::F32(x), Val::F32(y)) => assert_eq!(x, y, "{major}"),
        (Val::F64(x), Val::F64(y)) => assert_eq!(x, y, "{major}"),
        (Val::V128(x), Val::V128(y)) => assert_eq!(x, y, "{major}"),
        _ => panic!("{major}: {a:?} is not {b:?}"),
    }
}

/// Externrefs survive a round trip through wasm (a table the module keeps
/// them in) and host functions; clones and drops of the handles on 36 and
/// 37, which unroot through the store, leave the others readable.
#[test]
fn externref_round_trips() {
    const KEEP: &str = r#"(module
        (import "host" "echo" (func $echo (param externref) (result externref)))
        (table $t 4 externref)
        (func (export "put") (param i32 externref) local.get 0 local.get 1 table.set $t)
        (func (export "take") (param i32) (result externref)
            local.get 0 table.get $t call $echo))"#;
    for wasmtime in libraries() {
        let major = wasmtime.version().major();
        let engine = Engine::default_for(wasmtime).unwrap();
        let module = Module::new(&engine, KEEP).unwrap();
        let mut store = Store::new(&engine, ());
        let mut linker = Linker::new(&engine);
        linker
            .func_wrap("host", "echo", |r: Option<ExternRef>| r)
            .unwrap();
        let instance = linker.instantiate(&mut store, &module).unwrap();
        let put = instance
            .get_typed_func::<(i32, Option<ExternRef>), ()>(&mut store, "put")
            .unwrap();
        let take = instance
            .get_typed_func::<i32, Option<ExternRef>>(&mut store, "take")
            .unwrap();
        for round in 0..50u32 {
            let slot = (round % 4) as i32;
            let r = ExternRef::new(&mut store, round).unwrap();
            let copy = r.clone();
            put.call(&mut store, (slot, Some(r))).unwrap();
            let back = take.call(&mut store, slot).unwrap().unwrap();
            let got = *back
                .data(&mut store)
                .unwrap()
                .unwrap()
                .downcast_ref::<u32>()
                .unwrap();
            assert_eq!(got, round, "{major}");
            let kept = *copy
                .data(&mut store)
                .unwrap()
                .unwrap()
                .downcast_ref::<u32>()
                .unwrap();
            assert_eq!(kept, round, "{major}");
            drop(copy);
            let again = back.clone();
            drop(back);
            let got = *again
                .data(&mut store)
                .unwrap()
                .unwrap()
                .downcast_ref::<u32>()
                .unwrap();
            assert_eq!(got, round, "{major}");
        }
        assert!(take.call(&mut store, 9).is_err(), "{major}: out of bounds");
        let null = take.call(&mut store, 0).unwrap();
        assert!(null.is_some(), "{major}: the last round's reference stays");
    }
}

const TRAPS: &str = r#"(module
    (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
    (func (export "unreachable") unreachable)
    (func (export "spin") (loop br 0)))"#;

/// The traps of one library: division by zero, unreachable, out of fuel.
fn traps_of(wasmtime: &'static Wasmtime) -> [Trap; 3] {
    let mut config = Config::new(wasmtime);
    config.consume_fuel(true);
    let engine = Engine::new(wasmtime, &config).unwrap();
    let module = Module::new(&engine, TRAPS).unwrap();
    let mut store = Store::new(&engine, ());
    store.set_fuel(10_000).unwrap();
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let code = |err: wasmtime_dyn::Error| common::trap(&err).unwrap_or_else(|| panic!("{err:?}"));
    let div = instance
        .get_typed_func::<(i32, i32), i32>(&mut store, "div")
        .unwrap();
    let unreachable = instance
        .get_typed_func::<(), ()>(&mut store, "unreachable")
        .unwrap();
    let spin = instance
        .get_typed_func::<(), ()>(&mut store, "spin")
        .unwrap();
    [
        code(div.call(&mut store, (1, 0)).unwrap_err()),
        code(unreachable.call(&mut store, ()).unwrap_err()),
        code(spin.call(&mut store, ()).unwrap_err()),
    ]
}

/// The trap codes of the round's library (numbered as Rust's enum on 36 to
/// 41: out of fuel is 12 there, 11 from 42) decode to the same traps as on
/// 50.
#[test]
fn trap_codes_equal_those_on_50() {
    let [round, newest] = libraries();
    let expected = [
        Trap::IntegerDivisionByZero,
        Trap::UnreachableCodeReached,
        Trap::OutOfFuel,
    ];
    assert_eq!(traps_of(newest), expected);
    assert_eq!(traps_of(round), traps_of(newest), "{}", round.version());
}

/// A host function called with references and returning several values
/// (the library's `wasmtime_val_t` arrays, in its stride, both ways).
#[test]
fn host_functions_take_and_return_every_kind() {
    for wasmtime in libraries() {
        let major = wasmtime.version().major();
        let engine = Engine::default_for(wasmtime).unwrap();
        let mut store = Store::new(&engine, ());
        let ty = wasmtime_dyn::FuncType::new(
            [ValType::ExternRef, ValType::I64, ValType::V128],
            [
                ValType::V128,
                ValType::I64,
                ValType::ExternRef,
                ValType::F64,
            ],
        );
        let host = Func::new(&mut store, ty, |_caller, params, results| {
            results[0] = params[2].clone();
            results[1] = params[1].clone();
            results[2] = params[0].clone();
            results[3] = Val::F64(0.5f64.to_bits());
            Ok(())
        });
        let e = ExternRef::new(&mut store, 99u32).unwrap();
        let v = V128::from(0xdead_beef_u128 << 64);
        let mut results = vec![Val::I32(0); 4];
        host.call(
            &mut store,
            &[Val::ExternRef(Some(e)), Val::I64(-9), Val::V128(v)],
            &mut results,
        )
        .unwrap();
        assert_eq!(results[0].v128(), Some(v), "{major}");
        assert_eq!(results[1].i64(), Some(-9), "{major}");
        let r = results[2].unwrap_externref().unwrap().clone();
        assert_eq!(
            r.data(&mut store).unwrap().unwrap().downcast_ref::<u32>(),
            Some(&99),
            "{major}"
        );
        assert_eq!(results[3].f64(), Some(0.5), "{major}");
    }
}

/// What the round's major lacks is refused naming the feature and the
/// majors that have it, before any C call that would be undefined
/// (Winch's strategy value before 45) or abort (reading a typed reference
/// before 45).
#[test]
fn what_a_major_lacks_is_refused_with_the_majors_that_have_it() {
    let major = common::expected_major();
    let wasmtime = common::load_library("full", major);
    let version = |err: &wasmtime_dyn::Error| match common::kind(err) {
        Some(wasmtime_dyn::ErrorKind::UnsupportedVersion {
            feature,
            needs,
            found,
        }) => {
            assert_eq!(found.major(), major);
            assert!(!needs.contains(&major), "{feature}: {needs:?}");
            (feature.to_string(), needs.clone())
        }
        _ => panic!("{major}: expected UnsupportedVersion, got {err:?}"),
    };
    let mut config = Config::new(wasmtime);
    config
        .compiler()
        .unwrap()
        .strategy(wasmtime_dyn::Strategy::Winch);
    let winch = Engine::new(wasmtime, &config);
    if major < 45 {
        let (feature, needs) = version(&winch.expect_err("Winch refused before 45"));
        assert!(feature.contains("Winch"), "{feature}");
        assert_eq!(*needs.start(), 45);
    } else if let Err(err) = winch {
        // From 45 Winch is a valid strategy; a build without it says so.
        assert!(common::kind(&err).is_some(), "{err:?}");
    }

    let engine = Engine::default_for(wasmtime).unwrap();
    let tag = wasmtime_dyn::TagType::new(wasmtime_dyn::FuncType::new([], []));
    let mut store = Store::new(&engine, ());
    match wasmtime_dyn::Tag::new(&mut store, &tag) {
        Err(err) if major < 44 => {
            let (feature, needs) = version(&err);
            assert!(feature.contains("tag"), "{feature}");
            assert_eq!(*needs.start(), 44);
        }
        Err(err) => panic!("{major}: {err:?}"),
        Ok(_) => assert!(major >= 44),
    }

    let mut config = Config::new(wasmtime);
    config.gc().unwrap().wasm_function_references(true);
    let engine = Engine::new(wasmtime, &config).unwrap();
    let module = Module::new(
        &engine,
        r#"(module (type $t (func)) (func (export "f") (param (ref null $t))))"#,
    )
    .unwrap();
    let exports = module.try_exports().map(|e| e.len());
    if major < 45 {
        let (feature, needs) = version(&exports.expect_err("a typed reference before 45"));
        assert!(feature.contains("value types"), "{feature}");
        assert_eq!(*needs.start(), 45);
    } else {
        assert_eq!(exports.unwrap(), 1, "{major}");
    }
}
