//! The table membership in src/sys/tables.rs against the real libraries'
//! dynamic symbol tables.

mod common;

use common::{exported_functions, round_has, Flavour};
use std::collections::{BTreeMap, BTreeSet};
use wasmtime_dyn::sys::tables::{Absence, Compiler, TableId, Tables};

fn names(tables: &[TableId]) -> BTreeSet<String> {
    tables
        .iter()
        .flat_map(|t| t.functions().iter().chain(t.undeclared()))
        .map(|n| n.to_string())
        .collect()
}

#[test]
fn every_full_export_belongs_to_exactly_one_table() {
    let exports = exported_functions(&Flavour::Full.path());
    assert!(exports.len() > 700, "read {} exports", exports.len());
    let mut owner: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for table in TableId::ALL {
        for name in table.functions().iter().chain(table.undeclared()) {
            owner.entry(name).or_default().push(table.name());
        }
    }
    for export in &exports {
        match owner.get(export.as_str()) {
            Some(tables) if tables.len() == 1 => {}
            Some(tables) => panic!("{export} is in several tables: {tables:?}"),
            None => panic!("{export} is exported by the full library but in no table"),
        }
    }
    // And no table names a function the full library does not export.
    let phantom: Vec<_> = owner.keys().filter(|n| !exports.contains(**n)).collect();
    assert!(
        phantom.is_empty(),
        "in a table but not exported: {phantom:?}"
    );
}

#[test]
fn core_is_exactly_the_minimal_build() {
    if !round_has(Flavour::Min) {
        return;
    }
    let exports = exported_functions(&Flavour::Min.path());
    assert_eq!(exports, names(&[TableId::Core]));
    // And it resolves completely from it.
    let min = Flavour::Min.load();
    assert!(min.absence(TableId::Core).is_none());
}

#[test]
fn compiler_only_is_core_compiler_and_wat() {
    if !round_has(Flavour::CompilerOnly) {
        return;
    }
    let exports = exported_functions(&Flavour::CompilerOnly.path());
    assert_eq!(
        exports,
        names(&[TableId::Core, TableId::Compiler, TableId::Wat])
    );
}

#[test]
fn a_partial_build_is_explained() {
    if !round_has(Flavour::CompilerOnly) {
        return;
    }
    // The compiler-only library with one compiler function hidden stands for
    // a custom build that lacks it.
    let path = Flavour::CompilerOnly.path();
    // SAFETY: a real Wasmtime library; its symbols are only looked up.
    let library = unsafe { libloading::Library::new(&path) }.unwrap();
    let mut resolve = |name: &std::ffi::CStr| -> *const std::ffi::c_void {
        if name == c"wasmtime_module_validate" {
            return std::ptr::null();
        }
        // SAFETY: the address is only stored in a table, never called here.
        unsafe { library.get::<*const std::ffi::c_void>(name.to_bytes_with_nul()) }
            .map(|s| *s)
            .unwrap_or(std::ptr::null())
    };
    // SAFETY: every name resolves to the library's own function of that name.
    let (tables, absent) = unsafe { Tables::load(&mut resolve, 48) }.unwrap();
    assert!(tables.compiler.is_none());
    assert!(tables.wat.is_some());
    let why = absent
        .iter()
        .find(|(id, _)| *id == TableId::Compiler)
        .map(|(_, a)| a);
    assert_eq!(
        why,
        Some(&Absence::Missing(vec!["wasmtime_module_validate"]))
    );
    assert_eq!(Compiler::FUNCTIONS.len(), 13);
}
