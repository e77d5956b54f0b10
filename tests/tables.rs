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

/// `Core`, the tables later majors added to it and its parts whose
/// signature changed, as they hold for `major`.
fn core_of(major: u32) -> Vec<TableId> {
    TableId::ALL
        .iter()
        .copied()
        .filter(|t| {
            t.majors().contains(&major)
                && (*t == TableId::Core
                    || t.kind() == TableKind::CorePart
                    || (t.kind() == TableKind::Addition && t.requires().is_empty()))
        })
        .collect()
}

#[test]
fn every_full_export_belongs_to_exactly_one_table() {
    for major in SUPPORTED_MAJORS {
        let exports = exported_functions(&common::library("full", major));
        assert!(
            exports.len() > 500,
            "{major}: read {} exports",
            exports.len()
        );
        let mut owner: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for table in TableId::ALL.iter().filter(|t| t.majors().contains(&major)) {
            for name in table.functions().iter().chain(table.undeclared()) {
                owner.entry(name).or_default().push(table.name());
            }
        }
        // Before 40 the component model is not bound (see `ComponentModel`).
        let unbound_components = !TableId::ComponentModel.majors().contains(&major);
        for export in exports
            .iter()
            .filter(|e| !(is_unbound(e, major) || (unbound_components && is_component(e))))
        {
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

/// Every official library this crate has a table layout for: the LTS 36
/// up to the newest supported major.
const EVERY_MAJOR: std::ops::RangeInclusive<u32> = 36..=50;

/// Exports no table binds on these majors, each for a reason the survey of
/// 36 to 44 (../shared/VERSIONS-36-44.md, §1B) states: functions a later
/// major removed. (Functions whose signature changed are bound once per
/// signature, e.g. 44's struct and array type constructors and pending
/// exception in `CoreGcTypesV44` and `GcExceptionsV44`.)
const UNBOUND: &[(&str, std::ops::RangeInclusive<u32>)] = &[
    // 44's exception objects, replaced by exnref in 45.
    ("wasmtime_exn_new", 44..=44),
    ("wasmtime_exn_delete", 44..=44),
    ("wasmtime_exn_tag", 44..=44),
    ("wasmtime_exn_field", 44..=44),
    ("wasmtime_exn_field_count", 44..=44),
    // Async support had to be switched on before 42 (a no-op since).
    ("wasmtime_config_async_support_set", 36..=41),
    // WASI preview 2 for core modules, 36 to 38 only.
    ("wasmtime_context_set_wasip2", 36..=38),
    ("wasmtime_wasip2_config_new", 36..=38),
    ("wasmtime_wasip2_config_delete", 36..=38),
    ("wasmtime_wasip2_config_arg", 36..=38),
    ("wasmtime_wasip2_config_inherit_stdin", 36..=38),
    ("wasmtime_wasip2_config_inherit_stdout", 36..=38),
    ("wasmtime_wasip2_config_inherit_stderr", 36..=38),
];

/// Tables whose functions older majors export but which are not handed
/// out there: async calls abort the process on 36 to 41 (see `Async`).
const WITHHELD_BEFORE: &[(TableId, std::ops::RangeInclusive<u32>)] = &[
    (TableId::Async, 36..=41),
    (TableId::PoolingAllocatorAsync, 36..=41),
];

/// Whether `name` is exported by `major` without a table on purpose.
fn is_unbound(name: &str, major: u32) -> bool {
    UNBOUND
        .iter()
        .any(|(n, majors)| *n == name && majors.contains(&major))
        || WITHHELD_BEFORE
            .iter()
            .any(|(t, majors)| majors.contains(&major) && t.functions().contains(&name))
}

/// The component-model tables and exports, which other work sorts by
/// major: left out of the checks across 36 to 44.
fn is_component(name: &str) -> bool {
    name.starts_with("wasmtime_component_")
        || name.starts_with("wasmtime_config_wasm_component_model")
        || TableId::ALL
            .iter()
            .any(|t| t.name().starts_with("Component") && t.functions().contains(&name))
}

/// The tables outside the component model that hold for `major`.
fn tables_of(major: u32) -> Vec<TableId> {
    TableId::ALL
        .iter()
        .copied()
        .filter(|t| !t.name().starts_with("Component") && t.majors().contains(&major))
        .collect()
}

/// Across the official libraries of 36 to 50, outside the component model:
/// every export is in exactly one table holding for its major (or is one of
/// [`UNBOUND`]), and every function of such a table is exported.
#[test]
fn every_major_since_36_exports_exactly_its_tables() {
    let mut counts = Vec::new();
    for major in EVERY_MAJOR {
        let exports = exported_functions(&common::library("full", major));
        let mut owner: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for table in tables_of(major) {
            for name in table.functions().iter().chain(table.undeclared()) {
                owner.entry(name).or_default().push(table.name());
            }
        }
        let mut unbound = 0;
        for export in exports.iter().filter(|e| !is_component(e)) {
            match owner.get(export.as_str()) {
                Some(tables) => assert_eq!(tables.len(), 1, "{major}: {export} in {tables:?}"),
                None => {
                    assert!(
                        is_unbound(export, major),
                        "{export} is exported by the full library of {major} but in no table \
                         holding for {major}"
                    );
                    unbound += 1;
                }
            }
        }
        let phantom: Vec<_> = owner.keys().filter(|n| !exports.contains(**n)).collect();
        assert!(
            phantom.is_empty(),
            "{major}: in a table holding for {major} but not exported: {phantom:?}"
        );
        counts.push((major, owner.len(), unbound));
    }
    eprintln!("(major, functions bound outside the component model, unbound exports): {counts:?}");
}

/// A table tagged from major N (an addition, or one signature of a
/// function that changed) holds for N to its last major; its functions are
/// exported by every official library from N to 50 and, for an addition,
/// by none below N ([`UNBOUND`] names the exceptions: same name, older
/// signature).
#[test]
fn additions_arrive_in_the_major_they_are_tagged_with() {
    let exports: BTreeMap<u32, BTreeSet<String>> = EVERY_MAJOR
        .map(|m| (m, exported_functions(&common::library("full", m))))
        .collect();
    let mut checked = 0;
    for table in TableId::ALL
        .iter()
        .filter(|t| !t.name().starts_with("Component"))
    {
        let majors = table.majors();
        for name in table.functions().iter().chain(table.undeclared()) {
            for major in EVERY_MAJOR {
                let exported = exports[&major].contains(*name);
                if majors.contains(&major) {
                    assert!(
                        exported,
                        "{name} of {} not exported by {major}",
                        table.name()
                    );
                } else if table.kind() == TableKind::Addition && major < *majors.start() {
                    // Exported earlier under another signature, bound by
                    // that major's own table, or on purpose unbound.
                    let excused = is_unbound(name, major)
                        || tables_of(major)
                            .iter()
                            .any(|t| t.functions().contains(name));
                    assert!(
                        !exported || excused,
                        "{name} of {} (tagged {majors:?}) is exported by {major} already",
                        table.name()
                    );
                }
                checked += 1;
            }
        }
    }
    eprintln!("{checked} (function, major) pairs checked");
}

/// Every table that holds for a major resolves from that major's official
/// library (through `Tables::load`, the loader's own resolution, with the
/// library opened directly, as 36 to 44 are outside the window
/// `Wasmtime::open` accepts), and no other table does.
#[test]
fn every_major_since_36_resolves_its_tables() {
    for major in EVERY_MAJOR {
        let path = common::library("full", major);
        // SAFETY: an official Wasmtime library; its initializers are
        // Wasmtime's, and the functions are only looked up, never called.
        let library = unsafe { libloading::Library::new(&path) }.unwrap();
        let mut resolve = |name: &std::ffi::CStr| -> *const std::ffi::c_void {
            // SAFETY: the address is only stored in a table, never called.
            unsafe { library.get::<*const std::ffi::c_void>(name.to_bytes_with_nul()) }
                .map(|s| *s)
                .unwrap_or(std::ptr::null())
        };
        // SAFETY: nothing in the tables is called.
        let (_, absent) = unsafe { Tables::load(&mut resolve, major) }
            .unwrap_or_else(|missing| panic!("{major}: Core lacks {missing:?}"));
        for table in TableId::ALL
            .iter()
            .filter(|t| !t.name().starts_with("Component"))
        {
            let why = absent.iter().find(|(id, _)| id == table).map(|(_, a)| a);
            if table.majors().contains(&major) {
                assert_eq!(why, None, "{major}: {}", table.name());
            } else {
                assert_eq!(
                    why,
                    Some(&Absence::NotInVersion {
                        majors: table.majors(),
                        found: major
                    }),
                    "{major}: {}",
                    table.name()
                );
            }
        }
        // Leaked like every loaded libwasmtime: never unloaded.
        std::mem::forget(library);
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
    // Core itself is what 36's builds export, the signatures that changed
    // aside: every function a later major added sits in a table that says
    // which.
    assert_eq!(
        core_of(36),
        [
            TableId::Core,
            TableId::CoreRootsV36,
            TableId::CoreMemoryTypeV36
        ]
    );
}

#[test]
fn compiler_only_is_core_compiler_and_wat() {
    for major in [48, 50] {
        let exports = exported_functions(&common::library("compiler-only", major));
        let mut tables = core_of(major);
        tables.extend([TableId::Compiler, TableId::CompilerSince45, TableId::Wat]);
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
    // Every major since 36 has these 12; the regalloc setter came in 45.
    assert_eq!(Compiler::FUNCTIONS.len(), 12);
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
