//! Issue 10, "never crash the host": what a user passes or what a wasm
//! module does must never abort the process. Cases whose old behaviour
//! aborted run in a child process (see `common::child`), so a regression
//! fails its test instead of killing the test run.

mod common;

use common::child::isolate;
use common::{engine_with, setup, Flavour};
use wasmtime_dyn::{Error, Linker, Store, Table, TableType, Val, ValType};

// ---- Finding 2: NULL from `wasm_tabletype_new` ----

#[test]
fn table_new_with_i32_elements_is_a_type_error() {
    isolate("table_new_with_i32_elements_is_a_type_error", || {
        let engine = engine_with(Flavour::Full, |_| {});
        let mut store = Store::new(&engine, ());
        let err = Table::new(
            &mut store,
            TableType::new(ValType::I32, 1, None),
            Val::I32(0),
        )
        .unwrap_err();
        assert!(matches!(err, Error::TypeMismatch(_)), "{err:?}");
        assert!(
            err.to_string().contains("must be references") && err.to_string().contains("i32"),
            "{err}"
        );
        // The store still works afterwards.
        let ok = Table::new(
            &mut store,
            TableType::new(ValType::FuncRef, 1, None),
            Val::FuncRef(None),
        );
        assert!(ok.is_ok(), "{ok:?}");
    });
}

// ---- Finding 15: messages ----

#[test]
fn duplicate_definition_names_module_and_item() {
    let engine = engine_with(Flavour::Full, |_| {});
    let mut linker: Linker<()> = Linker::new(&engine);
    linker.func_wrap("a", "b", || 1).unwrap();
    let err = match linker.func_wrap("a", "b", || 2) {
        Err(err) => err.to_string(),
        Ok(_) => panic!("a duplicate definition was accepted"),
    };
    assert!(err.contains("defining `a::b`"), "{err}");
}

#[test]
fn engine_mismatch_says_engine() {
    let (engine_a, module_a) = setup(Flavour::Full, "(module)");
    let engine_b = engine_with(Flavour::Full, |_| {});
    let mut store_b = Store::new(&engine_b, ());
    let linker_a: Linker<()> = Linker::new(&engine_a);
    let cases = [
        linker_a.instantiate(&mut store_b, &module_a).unwrap_err(),
        wasmtime_dyn::Instance::new(&mut store_b, &module_a, &[]).unwrap_err(),
    ];
    for err in cases {
        assert!(matches!(err, Error::WrongEngine(..)), "{err:?}");
        let text = err.to_string();
        assert!(
            text.contains("different engine") && !text.contains("different store"),
            "{text}"
        );
    }
    let mut store_a = Store::new(&engine_a, ());
    let linker_b: Linker<()> = Linker::new(&engine_b);
    let err = linker_b.instantiate(&mut store_a, &module_a).unwrap_err();
    assert!(err.to_string().contains("different engine"), "{err}");
}
