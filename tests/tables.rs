//! The table membership in src/sys/tables.rs against the real libraries'
//! dynamic symbol tables.

mod common;

use common::{exported_functions, round_has, Flavour};
use std::collections::{BTreeMap, BTreeSet};
use wasmtime_dyn::sys::tables::{Absence, Compiler, TableId, TableKind, Tables};
use wasmtime_dyn::SUPPORTED_MAJORS;

fn names(tables: &[TableId]) -> BTreeSet<String> {
    tables
        .iter()
        .flat_map(|t| t.functions().iter().chain(t.undeclared()))
        .map(|n| n.to_string())
        .collect()
}

/// `Core` and the tables later majors added to it, as they hold for `major`.
fn core_of(major: u32) -> Vec<TableId> {
    TableId::ALL
        .iter()
        .copied()
        .filter(|t| {
            t.majors().contains(&major)
                && (*t == TableId::Core
                    || (t.kind() == TableKind::Addition && t.requires().is_empty()))
        })
        .collect()
}

#[test]
fn every_full_export_belongs_to_exactly_one_table() {
    for major in SUPPORTED_MAJORS {
        let exports = exported_functions(&common::library("full", major));
        assert!(
            exports.len() > 700,
            "{major}: read {} exports",
            exports.len()
        );
        let mut owner: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for table in TableId::ALL.iter().filter(|t| t.majors().contains(&major)) {
            for name in table.functions().iter().chain(table.undeclared()) {
                owner.entry(name).or_default().push(table.name());
            }
        }
        for export in &exports {
            match owner.get(export.as_str()) {
                Some(tables) if tables.len() == 1 => {}
                Some(tables) => panic!("{major}: {export} is in several tables: {tables:?}"),
                None => {
                    panic!("{export} is exported by the full library of {major} but in no table")
                }
            }
        }
        // And no table of this major names a function its library lacks.
        let phantom: Vec<_> = owner.keys().filter(|n| !exports.contains(**n)).collect();
        assert!(
            phantom.is_empty(),
            "{major}: in a table but not exported: {phantom:?}"
        );
        // Every table of the major loads from it.
        let lib = common::load_library("full", major);
        for table in TableId::ALL.iter().filter(|t| t.majors().contains(&major)) {
            assert_eq!(lib.absence(*table), None, "{major}: {}", table.name());
        }
    }
}

#[test]
fn core_is_exactly_the_minimal_build() {
    for major in [48, 50] {
        let exports = exported_functions(&common::library("min", major));
        assert_eq!(exports, names(&core_of(major)), "{major}");
        let min = common::load_library("min", major);
        assert!(min.absence(TableId::Core).is_none());
    }
    // Core itself is what the oldest supported major's builds export: every
    // function a later major added sits in a table that says which.
    let oldest = *SUPPORTED_MAJORS.start();
    assert_eq!(core_of(oldest), [TableId::Core]);
}

#[test]
fn compiler_only_is_core_compiler_and_wat() {
    for major in [48, 50] {
        let exports = exported_functions(&common::library("compiler-only", major));
        let mut tables = core_of(major);
        tables.extend([TableId::Compiler, TableId::Wat]);
        assert_eq!(exports, names(&tables), "{major}");
    }
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

#[test]
fn a_run_only_component_build_keeps_the_component_model() {
    // The full library with its compiler hidden stands for a build with
    // `component-model` and no `cranelift`/`winch` (which exports neither
    // `wasmtime_component_new` nor `wasmtime_component_serialize`).
    for major in [48, 50] {
        let path = common::library("full", major);
        // SAFETY: a real Wasmtime library; its symbols are only looked up.
        let library = unsafe { libloading::Library::new(&path) }.unwrap();
        let hidden: BTreeSet<&str> = Compiler::FUNCTIONS
            .iter()
            .copied()
            .chain(["wasmtime_component_new", "wasmtime_component_serialize"])
            .collect();
        let mut resolve = |name: &std::ffi::CStr| -> *const std::ffi::c_void {
            if hidden.contains(name.to_str().unwrap()) {
                return std::ptr::null();
            }
            // SAFETY: the address is only stored in a table, never called here.
            unsafe { library.get::<*const std::ffi::c_void>(name.to_bytes_with_nul()) }
                .map(|s| *s)
                .unwrap_or(std::ptr::null())
        };
        // SAFETY: every name resolves to the library's own function of that name.
        let (tables, absent) = unsafe { Tables::load(&mut resolve, major) }.unwrap();
        assert!(tables.compiler.is_none(), "{major}");
        assert!(tables.component_model.is_some(), "{major}");
        assert!(tables.component_model_compiler.is_none(), "{major}");
        let why = absent
            .iter()
            .find(|(id, _)| *id == TableId::ComponentModelCompiler)
            .map(|(_, a)| a);
        assert_eq!(why, Some(&Absence::Requires(TableId::Compiler)), "{major}");
        // The type getters of the library's own major, and only those.
        assert_eq!(tables.component_model_types_item.is_some(), major <= 48);
        assert_eq!(tables.component_model_types_extern.is_some(), major >= 49);
    }
}
