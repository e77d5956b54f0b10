//! `Linker::module` and `Linker::get_default` against the real libraries:
//! reactors instantiated once, commands afresh per call, as in Wasmtime.

mod common;

use common::{flavours, frames, kind, module_with, Flavour};
use wasmtime_dyn::{ErrorKind, Extern, Linker, Store, TableType, Val, ValType};

/// A reactor: `_initialize` sets the global to 10; `bump` adds one and
/// returns it.
const REACTOR: &str = r#"(module
    (global $g (export "g") (mut i32) (i32.const 0))
    (func (export "_initialize") (global.set $g (i32.const 10)))
    (func (export "bump") (result i32)
        (global.set $g (i32.add (global.get $g) (i32.const 1)))
        (global.get $g)))"#;

/// A command: each `_start` runs in a fresh instance, whose global starts
/// at 0, and reports it to the host.
const COMMAND: &str = r#"(module
    (import "host" "seen" (func $seen (param i32)))
    (global $g (mut i32) (i32.const 0))
    (func (export "_start")
        (global.set $g (i32.add (global.get $g) (i32.const 1)))
        (call $seen (global.get $g))))"#;

/// Imports `bump` from the reactor defined as "r".
const USER: &str = r#"(module
    (import "r" "bump" (func $bump (result i32)))
    (func (export "twice") (result i32) (drop (call $bump)) (call $bump)))"#;

#[test]
fn reactors_are_instantiated_once_and_commands_per_call() {
    for flavour in flavours() {
        let engine = common::engine_with(flavour, |_| {});
        let reactor = module_with(flavour, &engine, REACTOR, |_| {});
        let command = module_with(flavour, &engine, COMMAND, |_| {});
        let user = module_with(flavour, &engine, USER, |_| {});
        let mut store = Store::new(&engine, Vec::new());
        let mut linker: Linker<Vec<i32>> = Linker::new(&engine);
        linker
            .func_wrap(
                "host",
                "seen",
                |mut caller: wasmtime_dyn::Caller<'_, Vec<i32>>, g: i32| {
                    caller.data_mut().push(g);
                },
            )
            .unwrap();
        linker.module(&mut store, "r", &reactor).unwrap();
        // `_initialize` ran once; the instance is shared by every user.
        let Some(Extern::Global(g)) = linker.get(&mut store, "r", "g") else {
            panic!("{flavour:?}: no global r.g");
        };
        assert!(
            matches!(g.get(&mut store).unwrap(), Val::I32(10)),
            "{flavour:?}"
        );
        let user = linker.instantiate(&mut store, &user).unwrap();
        let twice = user.get_typed_func::<(), i32>(&mut store, "twice").unwrap();
        assert_eq!(twice.call(&mut store, ()).unwrap(), 12, "{flavour:?}");
        assert_eq!(twice.call(&mut store, ()).unwrap(), 14, "{flavour:?}");
        // A command's default function makes a fresh instance each call.
        linker.module(&mut store, "c", &command).unwrap();
        let start = linker.get_default(&mut store, "c").unwrap();
        for _ in 0..3 {
            start.call(&mut store, &[], &mut []).unwrap();
        }
        assert_eq!(store.data(), &[1, 1, 1], "{flavour:?}");
        // Without a default function (a reactor, or a name never defined),
        // Wasmtime hands out one that does nothing.
        for name in ["r", "nowhere"] {
            let none = linker.get_default(&mut store, name).unwrap();
            none.call(&mut store, &[], &mut []).unwrap();
        }
        assert_eq!(store.data(), &[1, 1, 1], "{flavour:?}");
        // A module defined twice under one name is refused (no shadowing).
        let err = linker.module(&mut store, "r", &reactor).unwrap_err();
        assert!(
            matches!(kind(&err), Some(ErrorKind::Wasmtime { .. })),
            "{flavour:?}: {err:?}"
        );
    }
}

/// A reactor whose `_initialize` traps: Wasmtime's error says so, with the
/// wasm frame (the C API gives no trap code for an error of this function).
#[test]
fn a_trapping_initializer_is_a_trap() {
    for flavour in flavours() {
        let engine = common::engine_with(flavour, |_| {});
        let module = module_with(
            flavour,
            &engine,
            r#"(module (func (export "_initialize") unreachable))"#,
            |_| {},
        );
        let mut store = Store::new(&engine, ());
        let mut linker: Linker<()> = Linker::new(&engine);
        let err = linker.module(&mut store, "r", &module).unwrap_err();
        let Some(ErrorKind::Wasmtime { message }) = kind(&err) else {
            panic!("{flavour:?}: {err:?}");
        };
        assert!(message.contains("unreachable"), "{flavour:?}: {message}");
        let trace = frames(&err);
        assert_eq!(trace.len(), 1, "{flavour:?}: {trace:?}");
    }
}

/// A reactor's table64, reached through the linker, reads its real type
/// (the C API alone would abort on limits beyond `u32`).
#[test]
fn a_reactors_wide_table_reads_its_real_type() {
    common::child::isolate("a_reactors_wide_table_reads_its_real_type", || {
        let flavour = Flavour::Full;
        let engine = common::engine_with(flavour, |c| {
            c.wasm_memory64(true);
        });
        let module = module_with(
            flavour,
            &engine,
            r#"(module (table (export "t") i64 1 0x1_0000_0000 funcref))"#,
            |c| {
                c.wasm_memory64(true);
            },
        );
        let mut store = Store::new(&engine, ());
        let mut linker: Linker<()> = Linker::new(&engine);
        linker.module(&mut store, "r", &module).unwrap();
        let Some(Extern::Table(table)) = linker.get(&mut store, "r", "t") else {
            panic!("no table r.t");
        };
        assert_eq!(
            table.ty(&store).unwrap(),
            TableType::new64(ValType::FuncRef, 1, Some(1 << 32))
        );
    });
}

/// `InstancePre` instantiates in many stores with the imports resolved
/// once; host functions see each store's data; a linker's store-bound items
/// and other engines are refused, never handed to the C API (where
/// Wasmtime would panic and abort).
#[test]
fn instance_pre_instantiates_in_many_stores() {
    for flavour in flavours() {
        let engine = common::engine_with(flavour, |_| {});
        let command = module_with(flavour, &engine, COMMAND, |_| {});
        let mut linker: Linker<Vec<i32>> = Linker::new(&engine);
        linker
            .func_wrap(
                "host",
                "seen",
                |mut caller: wasmtime_dyn::Caller<'_, Vec<i32>>, g: i32| {
                    caller.data_mut().push(g * 10);
                },
            )
            .unwrap();
        let pre = linker.instantiate_pre(&command).unwrap();
        drop(linker);
        for round in 1..=3 {
            let mut store = Store::new(&engine, vec![round]);
            let instance = pre.instantiate(&mut store).unwrap();
            let start = instance
                .get_typed_func::<(), ()>(&mut store, "_start")
                .unwrap();
            start.call(&mut store, ()).unwrap();
            start.call(&mut store, ()).unwrap();
            assert_eq!(store.data(), &[round, 10, 20], "{flavour:?}");
        }
        // Unresolved imports are found when pre-instantiating.
        let empty: Linker<Vec<i32>> = Linker::new(&engine);
        let err = empty.instantiate_pre(&command).unwrap_err();
        assert!(err.to_string().contains("host"), "{flavour:?}: {err}");
        // Another engine's store is refused.
        let other = common::engine_with(flavour, |_| {});
        let mut foreign = Store::new(&other, Vec::new());
        let err = pre.instantiate(&mut foreign).unwrap_err();
        assert!(
            matches!(kind(&err), Some(ErrorKind::WrongEngine(..))),
            "{flavour:?}: {err:?}"
        );
    }
}

/// A linker holding an item of one store makes an `InstancePre` that only
/// that store can use.
#[test]
fn instance_pre_keeps_store_bound_items_to_their_store() {
    common::child::isolate(
        "instance_pre_keeps_store_bound_items_to_their_store",
        || {
            for flavour in flavours() {
                let engine = common::engine_with(flavour, |_| {});
                let user = module_with(flavour, &engine, USER, |_| {});
                let reactor = module_with(flavour, &engine, REACTOR, |_| {});
                let mut a = Store::new(&engine, Vec::new());
                let mut linker: Linker<Vec<i32>> = Linker::new(&engine);
                linker.module(&mut a, "r", &reactor).unwrap();
                let pre = linker.instantiate_pre(&user).unwrap();
                let mut b = Store::new(&engine, Vec::new());
                let err = pre.instantiate(&mut b).unwrap_err();
                assert!(
                    matches!(kind(&err), Some(ErrorKind::WrongStore(_))),
                    "{flavour:?}: {err:?}"
                );
                let instance = pre.instantiate(&mut a).unwrap();
                let twice = instance.get_typed_func::<(), i32>(&mut a, "twice").unwrap();
                assert_eq!(twice.call(&mut a, ()).unwrap(), 12, "{flavour:?}");

                // A module importing none of the store-bound items is
                // instantiated in any store of the engine, as with the crate.
                let own = module_with(
                    flavour,
                    &engine,
                    r#"(module (func (export "seven") (result i32) i32.const 7))"#,
                    |_| {},
                );
                let direct = linker.instantiate(&mut b, &own).unwrap();
                let seven = direct.get_typed_func::<(), i32>(&mut b, "seven").unwrap();
                assert_eq!(seven.call(&mut b, ()).unwrap(), 7, "{flavour:?}");
                let pre_own = linker.instantiate_pre(&own).unwrap();
                let mut c = Store::new(&engine, Vec::new());
                let instance = pre_own.instantiate(&mut c).unwrap();
                let seven = instance.get_typed_func::<(), i32>(&mut c, "seven").unwrap();
                assert_eq!(seven.call(&mut c, ()).unwrap(), 7, "{flavour:?}");
                // While the user of `r` is still refused there.
                let err = linker.instantiate(&mut b, &user).unwrap_err();
                assert!(
                    matches!(kind(&err), Some(ErrorKind::WrongStore(_))),
                    "{flavour:?}: {err:?}"
                );
            }
        },
    );
}
