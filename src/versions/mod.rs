//! What differs between the Wasmtime majors this crate supports, kept as
//! data in one place.
//!
//! Every entry is tagged with the majors it holds for. The loader, the trap
//! codes, WASI, `config_rules` and `cwasm` read these tables; no other file
//! branches on a version number. The figures come from the C API headers of
//! each release (`wasmtime-c-api-impl` on crates.io) and from the official
//! release libraries (PyPI wheels `wasmtime==X`), as recorded in the
//! project's `VERSIONS.md`.

#![allow(dead_code)] // Read by the loader, traps, WASI and cwasm as they land.

pub(crate) mod c_api_aborts;
pub(crate) mod cranelift;
pub(crate) mod defaults;
pub(crate) mod gc_rules;
pub(crate) mod pooling;
pub(crate) mod traps;
pub(crate) mod version_text;

use std::ops::RangeInclusive;

/// The Wasmtime majors this crate can load: [`Wasmtime::open`] refuses
/// libraries of any other major with
/// [`LoadError::UnsupportedVersion`](crate::LoadError::UnsupportedVersion).
///
/// Wasmtime reuses C function names with a new ABI between majors, so the
/// window is closed on both sides: a library newer than its end is refused,
/// never called through signatures it may have changed.
///
/// [`Wasmtime::open`]: crate::Wasmtime::open
///
/// The window starts at the 36 long-term-support line. What a major of it
/// lacks (Winch before 45, tags before 44, the GC type API before 45...)
/// is refused with
/// [`ErrorKind::UnsupportedVersion`](crate::ErrorKind::UnsupportedVersion)
/// naming the feature and the majors that have it.
///
/// ```
/// use wasmtime_dyn::SUPPORTED_MAJORS;
/// assert!(SUPPORTED_MAJORS.contains(&36));
/// assert!(SUPPORTED_MAJORS.contains(&48));
/// assert!(!SUPPORTED_MAJORS.contains(&35));
/// ```
pub const SUPPORTED_MAJORS: RangeInclusive<u32> = 36..=50;

/// The majors whose C API the function tables describe (every official
/// library of these exports exactly its tables: `tests/tables.rs`), a
/// superset of [`SUPPORTED_MAJORS`]: a table without a `majors` tag holds
/// for all of them.
pub(crate) const TABLE_MAJORS: RangeInclusive<u32> = 36..=50;

/// A value that holds for a range of majors.
pub(crate) struct ByMajor<T: 'static>(pub &'static [(RangeInclusive<u32>, T)]);

impl<T> ByMajor<T> {
    /// The value for `major`, if one of the ranges holds it.
    pub(crate) fn get(&self, major: u32) -> Option<&'static T> {
        self.0
            .iter()
            .find(|(range, _)| range.contains(&major))
            .map(|(_, value)| value)
    }

    /// The value for `major`; `major` must be a supported major, for which
    /// the tables below are complete (a unit test checks it).
    pub(crate) fn of(&self, major: u32) -> &'static T {
        self.get(major)
            .expect("the per-version tables cover every supported major")
    }
}

/// How `wasi_config_preopen_dir` takes the directory's permissions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PreopenAbi {
    /// `(config, host, guest, size_t dir_perms, size_t file_perms)` with
    /// `READ = 1`, `WRITE = 2` (Wasmtime 47 and before).
    PermissionFlags,
    /// `(config, host, guest, bool fs_mutable)` (Wasmtime 48 and later).
    Mutable,
}

/// How a major lays out `wasmtime_val_t` (and the references in it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ValLayout {
    /// 24 bytes with 16-byte references, whatever the build (the 36 LTS
    /// line: its `val.h` and the C API's `size_of::<wasmtime_val_union>()
    /// == 16` assertion).
    V36,
    /// 32 bytes with 24-byte references, whatever the build: 37 to 44
    /// compile the union's reference members in without the `gc` feature
    /// too (their `crates/c-api/src/val.rs` has no `cfg` on them).
    Wide,
    /// 32 bytes with GC, 24 without (no references): from 45 the union's
    /// reference members follow the `gc` feature, which also exports the
    /// `Gc` table, so that table's presence tells.
    ByGcFeature,
}

/// The value layout of each major (`Wasmtime::val_abi` reads it).
pub(crate) const VAL_LAYOUT: ByMajor<ValLayout> = ByMajor(&[
    (36..=36, ValLayout::V36),
    (37..=44, ValLayout::Wide),
    (45..=50, ValLayout::ByGcFeature),
]);

/// Whether a major's `wasmtime_strategy_t` has `WASMTIME_STRATEGY_WINCH`
/// (2): up to 44 the C API's `wasmtime_strategy_t` is a Rust
/// `#[repr(u8)] enum { Auto, Cranelift }` (`crates/c-api/src/config.rs`),
/// so passing 2 is undefined behaviour; 45 added `Winch`.
pub(crate) const WINCH: ByMajor<bool> = ByMajor(&[(36..=44, false), (45..=50, true)]);

/// The majors whose artifacts carry the runtime crate's full version
/// (`env!("CARGO_PKG_VERSION")` in `engine/serialization.rs` up to 37; from
/// 38.0.1 the major alone), each with its newest patch published on
/// crates.io (`wasmtime` 36.0.23 and 37.0.3 when this was written).
pub(crate) const FULL_VERSION_IN_ARTIFACTS: ByMajor<u32> = ByMajor(&[(36..=36, 23), (37..=37, 3)]);

/// Patches beyond the newest known one that the version probe also tries
/// for the majors of [`FULL_VERSION_IN_ARTIFACTS`] (patch releases of an
/// LTS line keep coming).
const LATER_PATCHES: u32 = 32;

/// The version strings an artifact of `major` carries, as the version
/// probe tries them: `"M.0.P"` for every patch of a major of
/// [`FULL_VERSION_IN_ARTIFACTS`], else `"M"`.
pub(crate) fn probe_versions(major: u32) -> Box<dyn Iterator<Item = String>> {
    match FULL_VERSION_IN_ARTIFACTS.get(major) {
        Some(&last) => Box::new((0..=last + LATER_PATCHES).map(move |p| format!("{major}.0.{p}"))),
        None => Box::new(std::iter::once(major.to_string())),
    }
}

/// For capabilities whose table holds for later majors only: a function
/// every build with the C API feature exports in every supported major, so
/// that a build of an earlier major tells the feature is compiled in though
/// this crate does not hand the capability out there. A compiled-in feature
/// still shapes the engine: its wasm feature is on by default (the
/// component model before 40) and its pools are reserved (async stacks
/// before 42). Checked on the official libraries of 36 to 50 and the
/// minimal builds, which export neither.
pub(crate) const BUILD_MARKERS: &[(crate::Capability, &str)] = &[
    (crate::Capability::Async, "wasmtime_func_call_async"),
    (crate::Capability::ComponentModel, "wasmtime_component_new"),
];

/// For capabilities of [`BUILD_MARKERS`] whose C API feature turns a wasm
/// proposal on in every engine's defaults: the config setter of that
/// proposal, with the signature `void (wasm_config_t *, bool)` and exported
/// by every build with the feature in every supported major (checked on
/// the official libraries of 36 to 50; the minimal and compiler-only
/// builds of 36, 48 and 50 export none). Where this crate does not hand
/// the capability out (the component model before 40), a library built
/// with it still needs the setter to compile for a library built without:
/// Wasmtime loads an artifact only where the proposal is on or off alike
/// ("Module was compiled with support for WebAssembly feature
/// `component_model` but it is not enabled for the host").
pub(crate) const BUILT_PROPOSAL_SETTERS: &[(crate::Capability, &std::ffi::CStr)] = &[(
    crate::Capability::ComponentModel,
    c"wasmtime_config_wasm_component_model_set",
)];

/// Whether an artifact's WebAssembly features must be exactly the
/// engine's (Wasmtime 36's `check_features` compares every bit both ways:
/// "Module was compiled without support for WebAssembly feature `threads`
/// but it is enabled for the host") or only enabled there (from 37:
/// proposals are additive, wasmtime#11463). Measured on the official
/// libraries of 36 to 50: an artifact compiled with threads off loads into
/// an engine with the default features (threads on) on 37 to 50 only.
pub(crate) const FEATURES_EXACT: ByMajor<bool> = ByMajor(&[(36..=36, true), (37..=50, false)]);

/// The signature of `wasi_config_preopen_dir`.
pub(crate) const PREOPEN: ByMajor<PreopenAbi> = ByMajor(&[
    (36..=47, PreopenAbi::PermissionFlags),
    (48..=50, PreopenAbi::Mutable),
]);

/// The highest trap code (`wasmtime_trap_code_t`) each major returns. Codes
/// are only appended within the window: a code's meaning is the same in
/// every major that has it.
pub(crate) const LAST_TRAP_CODE: ByMajor<u8> = ByMajor(&[
    // In the library's own numbering (`traps::TRAP_NUMBERING`).
    (36..=37, 23),
    (38..=39, 24),
    (40..=40, 25),
    (41..=41, 35),
    (42..=42, 33),
    (43..=43, 44),
    (44..=44, 45),
    (45..=45, 47),
    (46..=46, 48),
    (47..=49, 49),
    (50..=50, 53),
]);

/// Whether a component function's call must be followed by
/// `wasmtime_component_func_post_return`: up to 41 that runs the callee's
/// `post-return` and frees its results, and the instance refuses the next
/// call until it ran ("cannot enter component instance", measured on 41);
/// from 42 the call does it and the function does nothing (42's and
/// 44's `component/func.rs`).
pub(crate) const COMPONENT_POST_RETURN: ByMajor<bool> =
    ByMajor(&[(36..=41, true), (42..=50, false)]);

/// How Wasmtime begins its message refusing an artifact of another
/// version (`engine/serialization.rs`): "Wasmtime version" up to 41.
pub(crate) const INCOMPATIBLE_VERSION: ByMajor<&str> = ByMajor(&[
    (
        36..=41,
        "Module was compiled with incompatible Wasmtime version",
    ),
    (42..=50, "Module was compiled with incompatible version"),
]);

/// `sizeof(wasmtime_component_func_t)`: the generated bindings lay it out
/// as the newest headers do, so the component-model tables are handed out
/// only where the library agrees.
pub(crate) const COMPONENT_FUNC_SIZE: ByMajor<usize> = ByMajor(&[(36..=48, 24), (49..=50, 32)]);

/// The layouts of the `.wasmtime.engine` section's metadata that
/// [`cwasm`](crate::cwasm) decodes: which `Tunables` fields Wasmtime wrote,
/// in which order and with which enum shapes, and how the wasmparser
/// feature bits are numbered (`crates/environ/src/tunables.rs` and the
/// `WasmFeatures` of the release's wasmparser at each tag). The field list
/// of each is in `cwasm/layouts.rs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum EngineLayout {
    /// Wasmtime 36: 21 tunables (`generate_native_debuginfo`, `inlining`
    /// as a `bool` plus `inlining_intra_module`, a two-variant collector),
    /// and wasmparser 0.236's feature bits, which lack `cm_threading` (its
    /// bits 30 to 34 are bits 31 to 35 from 0.239 on).
    V36,
    /// Wasmtime 37 and 38: 36's tunables, feature bits as today.
    V37,
    /// Wasmtime 39 to 41: `debug_native` and `debug_guest` in place of
    /// `generate_native_debuginfo` (22 tunables).
    V39,
    /// Wasmtime 42: adds `concurrency_support` (23).
    V42,
    /// Wasmtime 43 and 44: adds `operator_cost` and `recording` (25).
    V43,
    /// Wasmtime 45: one `Inlining` enum, the copying collector, the GC
    /// heap settings (29).
    V45,
    /// Wasmtime 46: adds `metadata_for_internal_asserts`,
    /// `metadata_for_gc_heap_corruption` and `branch_hinting` (32).
    V46,
    /// Wasmtime 47, 48 and 49: adds `debug_symbols` and
    /// `gc_heap_initial_size` (34).
    V47,
    /// Wasmtime 50: adds `asan_stack_switching` (35).
    V50,
}

/// The engine-section layout of each major's artifacts; majors missing here
/// have a layout this crate does not decode.
pub(crate) const ENGINE_LAYOUT: ByMajor<EngineLayout> = ByMajor(&[
    (36..=36, EngineLayout::V36),
    (37..=38, EngineLayout::V37),
    (39..=41, EngineLayout::V39),
    (42..=42, EngineLayout::V42),
    (43..=44, EngineLayout::V43),
    (45..=45, EngineLayout::V45),
    (46..=46, EngineLayout::V46),
    (47..=49, EngineLayout::V47),
    (50..=50, EngineLayout::V50),
]);

/// How many per-byte/per-element fuel costs (`VariableOperatorCost`)
/// follow the per-operator costs in a fuel cost table of each major's
/// engine section (the per-operator costs are
/// [`OPERATOR_COUNT`](crate::cwasm::OPERATOR_COUNT) in every major that has
/// a cost table: 43, whose wasmparser 0.245 has 627 operators, and later;
/// the layouts before 43 have no cost table).
pub(crate) const VARIABLE_OPERATOR_COSTS: ByMajor<usize> = ByMajor(&[(43..=47, 0), (48..=50, 16)]);

/// The major of the library `wasmtime` was loaded from.
pub(crate) fn major_of(wasmtime: &crate::Wasmtime) -> u32 {
    wasmtime.version().major()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sys::tables::TableId;

    /// Winch is a strategy value from 45 only (`config.h` and the C API's
    /// `wasmtime_strategy_t` enum gained it there).
    #[test]
    fn winch_from_45() {
        assert!((36..=44).all(|m| !WINCH.of(m)));
        assert!((45..=50).all(|m| *WINCH.of(m)));
    }

    /// The window lies within the majors the function tables describe, and
    /// the tables the safe layer reaches only through `Wasmtime::later` (or
    /// through an object that only their majors can make) are additions:
    /// no safe-layer path assumes them on every supported major.
    #[test]
    fn the_window_is_within_the_tables() {
        assert!(TABLE_MAJORS.start() <= SUPPORTED_MAJORS.start());
        assert!(TABLE_MAJORS.end() >= SUPPORTED_MAJORS.end());
        for table in [TableId::CoreSince44, TableId::CoreSince45] {
            assert!(
                table.majors().start() > SUPPORTED_MAJORS.start(),
                "{} is not an addition within the window",
                table.name()
            );
        }
        for major in TABLE_MAJORS {
            assert!(VAL_LAYOUT.get(major).is_some(), "{major}");
            assert!(PREOPEN.get(major).is_some(), "{major}");
            assert!(traps::TRAP_NUMBERING.get(major).is_some(), "{major}");
            assert!(LAST_TRAP_CODE.get(major).is_some(), "{major}");
            assert!(WINCH.get(major).is_some(), "{major}");
        }
    }

    #[test]
    fn every_supported_major_is_covered() {
        for major in SUPPORTED_MAJORS {
            assert!(PREOPEN.get(major).is_some(), "{major}");
            assert!(VAL_LAYOUT.get(major).is_some(), "{major}");
            assert!(FEATURES_EXACT.get(major).is_some(), "{major}");
            assert!(LAST_TRAP_CODE.get(major).is_some(), "{major}");
            assert!(defaults::ENGINE_DEFAULTS.get(major).is_some(), "{major}");
            assert!(cranelift::ENUM_VALUES.get(major).is_some(), "{major}");
            assert!(cranelift::PRESETS.get(major).is_some(), "{major}");
            assert!(cranelift::NUMERIC_RANGES.get(major).is_some(), "{major}");
            assert!(pooling::POOL_DEFAULTS.get(major).is_some(), "{major}");
        }
    }
}
