//! The rows of docs/PANICS.md whose verdict rests on Wasmtime returning an
//! error instead of panicking: huge tables, invalid memory types, shared
//! memories past their index type, and reference values on a library
//! without GC. Each would end the process if the verdict were wrong.

mod common;

use common::{engine_with, Flavour};
use wasmtime_dyn::{
    Capability, Error, ErrorKind, Global, GlobalType, Memory, MemoryType, Mutability, SharedMemory,
    Store, Table, TableType, Val, ValType,
};

fn is_wasmtime_error<T>(result: Result<T, Error>) -> bool {
    matches!(
        result.as_ref().err().and_then(common::kind),
        Some(ErrorKind::Wasmtime { .. })
    )
}

#[test]
fn huge_tables_are_errors() {
    let engine = engine_with(Flavour::Full, |_| {});
    let mut store = Store::new(&engine, ());
    let huge = TableType::new(ValType::FuncRef, u32::MAX - 1, None);
    assert!(is_wasmtime_error(Table::new(
        &mut store,
        huge,
        Val::FuncRef(None)
    )));
    let ty = TableType::new(ValType::FuncRef, 0, None);
    let table = Table::new(&mut store, ty, Val::FuncRef(None)).unwrap();
    assert!(is_wasmtime_error(table.grow(
        &mut store,
        0xffff_fff0,
        Val::FuncRef(None)
    )));
    assert!(is_wasmtime_error(table.grow(
        &mut store,
        u64::MAX,
        Val::FuncRef(None)
    )));
    assert_eq!(table.size(&store), 0, "failed growth changes nothing");
}

#[test]
fn invalid_memory_types_are_errors() {
    let engine = engine_with(Flavour::Full, |_| {});
    let mut store = Store::new(&engine, ());
    assert!(is_wasmtime_error(Memory::new(
        &mut store,
        MemoryType::new(10, Some(5))
    )));
    assert!(is_wasmtime_error(SharedMemory::new(
        &engine,
        MemoryType::shared(1, 65537)
    )));
    assert!(is_wasmtime_error(SharedMemory::new(
        &engine,
        MemoryType::shared(5, 1)
    )));
}

/// `wasmtime_val_t` kinds of references are unknown to a library without
/// GC (C val.rs:392 panics on them): every writer refuses them first.
#[test]
fn reference_values_are_refused_before_a_library_without_gc() {
    if !common::round_has(Flavour::CompilerOnly) {
        println!("skipped: this round has no compiler-only library");
        return;
    }
    let engine = engine_with(Flavour::CompilerOnly, |_| {});
    let mut store = Store::new(&engine, ());
    // Wasmtime 36's builds all have GC (its C API builds `gc` whatever the
    // features): there every value is taken; later compiler-only builds
    // have none and every one is refused.
    let has_gc = engine.capabilities().contains(Capability::Gc);
    assert_eq!(
        has_gc,
        common::build_facts().always.contains(&Capability::Gc)
    );
    let gc = |result: Result<(), Error>| {
        if has_gc {
            return result.is_ok();
        }
        matches!(
            result.as_ref().err().and_then(common::kind),
            Some(ErrorKind::Unsupported(Capability::Gc))
        )
    };
    let ty = GlobalType::new(ValType::FuncRef, Mutability::Var);
    assert!(gc(Global::new(&mut store, ty, Val::FuncRef(None)).map(drop)));
    let module = wasmtime_dyn::Module::new(
        &engine,
        r#"(module (global (export "g") (mut funcref) (ref.null func)) (table (export "t") 1 funcref))"#,
    )
    .unwrap();
    let instance = wasmtime_dyn::Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let global = instance.get_global(&mut store, "g").unwrap();
    assert!(gc(global.set(&mut store, Val::FuncRef(None))));
    assert!(gc(global.get(&mut store).map(drop)));
    let table = instance.get_table(&mut store, "t").unwrap();
    assert!(gc(table.set(&mut store, 0, Val::FuncRef(None))));
    assert!(gc(table.get(&mut store, 0).map(drop)));
    assert!(gc(table.grow(&mut store, 1, Val::FuncRef(None)).map(drop)));
}
