//! Globals, tables, memories and references on both value layouts.

mod common;

use common::{flavours, kind, setup, Flavour};
use wasmtime_dyn::{
    Capability, ErrorKind, ExternRef, Func, Global, GlobalType, Linker, Memory, MemoryType,
    Mutability, Store, Table, TableType, Val, ValAbi, ValType, V128,
};

const GLOBALS: &str = r#"(module
    (global (export "i32") (mut i32) (i32.const -1))
    (global (export "i64") (mut i64) (i64.const -2))
    (global (export "f32") (mut f32) (f32.const 1.5))
    (global (export "f64") (mut f64) (f64.const -2.5))
    (global (export "v128") (mut v128) (v128.const i64x2 3 4))
    (global (export "const") i32 (i32.const 7))
    (global (export "funcref") (mut funcref) (ref.null func))
    (func $f (export "f") (result i32) i32.const 99)
    (table (export "table") 2 funcref)
    (elem (i32.const 1) $f)
    (memory (export "memory") 1 3))"#;

#[test]
fn globals_of_every_number_type_round_trip() {
    let values = [
        ("i32", Val::I32(i32::MIN)),
        ("i64", Val::I64(i64::MAX)),
        ("f32", Val::F32(0x7fa0_0001)),
        ("f64", Val::F64(0x7ff4_0000_0000_0001)),
        ("v128", Val::V128(V128::from(u128::MAX - 5))),
    ];
    for flavour in flavours() {
        let (engine, module) = setup(flavour, GLOBALS);
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap();
        assert_eq!(
            instance
                .get_global(&mut store, "i32")
                .unwrap()
                .get(&mut store)
                .unwrap()
                .i32(),
            Some(-1)
        );
        assert_eq!(
            instance
                .get_global(&mut store, "v128")
                .unwrap()
                .get(&mut store)
                .unwrap()
                .v128(),
            Some(V128::from((4u128 << 64) | 3))
        );
        for (name, value) in &values {
            let global = instance.get_global(&mut store, name).unwrap();
            assert_eq!(
                global.ty(&store).unwrap(),
                GlobalType::new(value.ty(), Mutability::Var)
            );
            global.set(&mut store, value.clone()).unwrap();
            let back = global.get(&mut store).unwrap();
            assert_eq!(
                format!("{back:?}"),
                format!("{value:?}"),
                "{flavour:?} {name}"
            );
            // Host-created globals of the same type too.
            let own = Global::new(
                &mut store,
                GlobalType::new(value.ty(), Mutability::Const),
                value.clone(),
            )
            .unwrap();
            assert_eq!(
                format!("{:?}", own.get(&mut store).unwrap()),
                format!("{value:?}")
            );
        }
        let constant = instance.get_global(&mut store, "const").unwrap();
        let err = constant.set(&mut store, Val::I32(1)).unwrap_err();
        assert!(
            matches!(kind(&err), Some(ErrorKind::TypeMismatch(_))),
            "{err:?}"
        );
        let err = instance
            .get_global(&mut store, "i32")
            .unwrap()
            .set(&mut store, Val::I64(1))
            .unwrap_err();
        assert!(
            matches!(kind(&err), Some(ErrorKind::TypeMismatch(_))),
            "{err:?}"
        );
    }
}

#[test]
fn reference_globals_and_tables_need_the_gc_layout() {
    for flavour in flavours() {
        let (engine, module) = setup(flavour, GLOBALS);
        let lib = engine.wasmtime();
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap();
        let global = instance.get_global(&mut store, "funcref").unwrap();
        let table = instance.get_table(&mut store, "table").unwrap();
        assert_eq!(table.size(&store), 2);
        assert_eq!(
            table.ty(&store).unwrap(),
            TableType::new(ValType::FuncRef, 2, None)
        );
        if lib.val_abi() == ValAbi::NoGc {
            for err in [
                global.get(&mut store).unwrap_err(),
                table.get(&mut store, 1).unwrap_err(),
                table.set(&mut store, 0, Val::FuncRef(None)).unwrap_err(),
                Table::new(
                    &mut store,
                    TableType::new(ValType::FuncRef, 1, None),
                    Val::FuncRef(None),
                )
                .unwrap_err(),
            ] {
                assert!(
                    matches!(kind(&err), Some(ErrorKind::Unsupported(Capability::Gc))),
                    "{flavour:?}: {err:?}"
                );
                assert!(err.to_string().contains("gc"), "{err}");
            }
            continue;
        }
        // The GC layout: the full library, or a build that has GC
        // although built without asking for it (36's C API always builds
        // it, tests/common BUILD_FACTS).
        assert!(engine.capabilities().contains(Capability::Gc));
        assert!(
            flavour == Flavour::Full || has_gc_whatever_the_build(),
            "{flavour:?}"
        );
        // Read the function the element segment put at index 1, call it.
        let Some(Val::FuncRef(Some(f))) = table.get(&mut store, 1).unwrap() else {
            panic!("expected a funcref")
        };
        assert_eq!(
            f.typed::<(), i32>(&store)
                .unwrap()
                .call(&mut store, ())
                .unwrap(),
            99
        );
        assert!(matches!(
            table.get(&mut store, 0).unwrap(),
            Some(Val::FuncRef(None))
        ));
        assert!(table.get(&mut store, 2).unwrap().is_none());
        // Write a host function into the table and the global, read back.
        let host = Func::wrap(&mut store, || 5i32);
        table
            .set(&mut store, 0, Val::FuncRef(Some(host.clone())))
            .unwrap();
        let Some(Val::FuncRef(Some(back))) = table.get(&mut store, 0).unwrap() else {
            panic!()
        };
        assert_eq!(
            back.typed::<(), i32>(&store)
                .unwrap()
                .call(&mut store, ())
                .unwrap(),
            5
        );
        global.set(&mut store, Val::FuncRef(Some(f))).unwrap();
        let Val::FuncRef(Some(g)) = global.get(&mut store).unwrap() else {
            panic!()
        };
        assert_eq!(
            g.typed::<(), i32>(&store)
                .unwrap()
                .call(&mut store, ())
                .unwrap(),
            99
        );
        assert_eq!(table.grow(&mut store, 3, Val::FuncRef(None)).unwrap(), 2);
        assert_eq!(table.size(&store), 5);
        // A funcref of another store is refused.
        let mut other = Store::new(&engine, ());
        let foreign = Func::wrap(&mut other, || 1i32);
        let err = table
            .set(&mut store, 0, Val::FuncRef(Some(foreign)))
            .unwrap_err();
        assert!(
            matches!(kind(&err), Some(ErrorKind::WrongStore(_))),
            "{err:?}"
        );
    }
}

/// Whether the round's minimal and compiler-only builds have GC although
/// built without asking for it (36's C API always builds `gc`:
/// tests/common `BUILD_FACTS`).
fn has_gc_whatever_the_build() -> bool {
    common::build_facts().always.contains(&Capability::Gc)
}

/// Host data through externrefs: on the full library, and on the builds
/// that have GC whatever they are built with (36's); the other builds
/// refuse them as `Unsupported(Gc)`.
#[test]
fn externref_values_carry_host_data_on_full_only() {
    let wat = r#"(module
        (table (export "t") 1 externref)
        (func (export "id") (param externref) (result externref) local.get 0))"#;
    for flavour in flavours() {
        let engine = common::engine_with(flavour, |_| {});
        let mut store = Store::new(&engine, ());
        let has_gc = flavour == Flavour::Full || has_gc_whatever_the_build();
        assert_eq!(
            engine.capabilities().contains(Capability::Gc),
            has_gc,
            "{flavour:?}"
        );
        if !has_gc {
            let err = ExternRef::new(&mut store, 5u8).unwrap_err();
            assert!(
                matches!(kind(&err), Some(ErrorKind::Unsupported(Capability::Gc))),
                "{err:?}"
            );
            continue;
        }
        let module = common::module_with(flavour, &engine, wat, |_| {});
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap();
        let r = ExternRef::new(&mut store, String::from("host data")).unwrap();
        let id = instance.get_func(&mut store, "id").unwrap();
        let mut out = [Val::ExternRef(None)];
        id.call(&mut store, &[Val::ExternRef(Some(r.clone()))], &mut out)
            .unwrap();
        let Val::ExternRef(Some(back)) = &out[0] else {
            panic!("{:?}", out[0])
        };
        let data = back.data(&mut store).unwrap().unwrap();
        assert_eq!(data.downcast_ref::<String>().unwrap(), "host data");
        let table = instance.get_table(&mut store, "t").unwrap();
        table.set(&mut store, 0, Val::ExternRef(Some(r))).unwrap();
        let Some(Val::ExternRef(Some(from_table))) = table.get(&mut store, 0).unwrap() else {
            panic!()
        };
        assert_eq!(
            from_table
                .data(&mut store)
                .unwrap()
                .unwrap()
                .downcast_ref::<String>()
                .unwrap(),
            "host data"
        );
    }
}

#[test]
fn memories_read_write_and_grow() {
    for flavour in flavours() {
        let (engine, module) = setup(flavour, GLOBALS);
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap();
        let memory = instance.get_memory(&mut store, "memory").unwrap();
        assert_eq!(memory.ty(&store), MemoryType::new(1, Some(3)));
        assert_eq!(memory.data(&store).len(), 65536);
        memory.write(&mut store, 65530, b"hello!").unwrap();
        let mut buf = [0u8; 6];
        memory.read(&store, 65530, &mut buf).unwrap();
        assert_eq!(&buf, b"hello!");
        let err = memory.write(&mut store, 65531, b"hello!").unwrap_err();
        assert_eq!(
            err.to_string(),
            "out of bounds memory access: 6 bytes at offset 65531 are outside the memory's 65536 bytes"
        );
        assert!(
            memory.read(&store, usize::MAX, &mut buf).is_err(),
            "no overflow"
        );
        assert_eq!(memory.grow(&mut store, 2).unwrap(), 1);
        assert_eq!(memory.size(&store), 3);
        assert!(
            memory.grow(&mut store, 1).is_err(),
            "{flavour:?}: past the maximum"
        );
        let own = Memory::new(&mut store, MemoryType::new(0, None)).unwrap();
        assert!(own.data(&store).is_empty());
        // A memory of another store: reading it panics, as in the
        // `wasmtime` crate, saying why; growing it is an error.
        let mut other = Store::new(&engine, ());
        let payload =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| memory.data(&other).len()))
                .unwrap_err();
        let message = payload
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_default();
        assert!(message.contains("different store"), "{message}");
        let err = memory.grow(&mut other, 1).unwrap_err();
        assert!(
            matches!(kind(&err), Some(ErrorKind::WrongStore(_))),
            "{err:?}"
        );
    }
}

#[test]
fn store_limiter_refuses_growth() {
    for flavour in flavours() {
        let (engine, module) = setup(flavour, GLOBALS);
        let mut store = Store::new(&engine, ());
        store
            .limiter(Some(2 * 65536), None, None, None, None)
            .unwrap();
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap();
        let memory = instance.get_memory(&mut store, "memory").unwrap();
        assert_eq!(memory.grow(&mut store, 1).unwrap(), 1);
        assert!(
            memory.grow(&mut store, 1).is_err(),
            "{flavour:?}: the limiter caps at 2 pages"
        );
        assert!(store
            .limiter(Some(u64::MAX), None, None, None, None)
            .is_err());
    }
}

#[test]
fn module_imports_and_exports() {
    for flavour in flavours() {
        let (_, module) = setup(
            flavour,
            r#"(module (import "env" "f" (func (param i32 v128) (result f64))) (global (export "g") i64 (i64.const 0)))"#,
        );
        let imports: Vec<_> = module.imports().collect();
        assert_eq!((imports[0].module(), imports[0].name()), ("env", "f"));
        assert_eq!(
            imports[0].ty(),
            wasmtime_dyn::ExternType::Func(wasmtime_dyn::FuncType::new(
                [ValType::I32, ValType::V128],
                [ValType::F64]
            ))
        );
        let exports: Vec<_> = module.exports().collect();
        assert_eq!(exports[0].name(), "g");
        assert_eq!(
            exports[0].ty(),
            wasmtime_dyn::ExternType::Global(GlobalType::new(ValType::I64, Mutability::Const))
        );
    }
}
