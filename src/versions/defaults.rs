//! Each supported major's engine defaults: the WebAssembly features and
//! settings a `Config` left untouched gets, as `config_rules` and
//! `cwasm::preflight` need them.
//!
//! Read from each release's `wasmtime/src/config.rs` (`Config::new`,
//! `compiler_panicking_wasm_features`, `features`, `validate`,
//! `build_compiler`) and `wasmtime-environ/src/tunables.rs`
//! (`Tunables::default_u64`, `default_u32`, `default_miri`). What did not
//! change between 45 and 50 is not here: `max_wasm_stack` (512 KiB) and
//! `async_stack_size` (2 MiB), the concurrency default (the library's
//! `component-model-async` build feature in every major: the official 46
//! and 47 libraries have it on, as 48's do), the relaxed-SIMD-needs-SIMD
//! rule, the tunables the C API can set and their 64-bit defaults.

use super::ByMajor;
use crate::capability::Capability;
use crate::cwasm::features::*;

/// One major's defaults.
#[derive(Debug)]
pub(crate) struct EngineDefaults {
    /// The features Wasmtime starts from with Cranelift, or without a
    /// compiler (`Config::features`).
    pub cranelift_base: u64,
    /// The features Wasmtime starts from with Winch.
    pub winch_base: u64,
    /// Features the build turns on or off: on when the library has the
    /// capability, off when it does not (`features.set(flag, cfg!(..))`).
    pub set_by_build: &'static [(u64, Capability)],
    /// Features the build can only turn off (`if !cfg!(..) remove`).
    pub removed_without: &'static [(u64, Capability)],
    /// Whether `CM_ASYNC` follows the concurrency support setting.
    pub cm_async_follows_concurrency: bool,
    /// The features Wasmtime knows (`features_known_to_wasmtime`).
    pub known_to_wasmtime: u64,
    /// The wasmparser feature bits this major's wasmparser defines (a
    /// loading engine truncates an artifact's bits to these).
    pub wasmparser_bits: u64,
    /// Features Winch cannot compile, on every architecture.
    pub winch_unsupported: u64,
    /// Features Winch cannot compile on AArch64, in addition.
    pub winch_unsupported_aarch64: u64,
    /// Whether the Cranelift target rules (stack switching only on x86-64
    /// Linux and macOS) also apply to a library without a compiler.
    pub target_rules_without_compiler: bool,
    /// `Config::validate`: the component-model async features need
    /// reference types.
    pub cm_async_needs_reference_types: bool,
    /// Cranelift ISA flags `check_compatible_with_isa_flag` does not know
    /// (an enabled one makes it refuse the artifact).
    pub unknown_isa_flags: &'static [&'static str],
    /// Cranelift shared flags `check_compatible_with_shared_flag` does not
    /// know, among those later majors accept whatever their value.
    pub unknown_shared_flags: &'static [&'static str],
    /// Cranelift shared flags older majors still have (and so write into
    /// their artifacts) that later ones dropped: `enable_pcc`,
    /// `enable_jump_tables` (any value), `enable_safepoints` (true when
    /// reference types are on), as 36's `check_compatible_with_shared_flag`
    /// has them; which major has which, from the flag names in the official
    /// libraries.
    pub retired_shared_flags: &'static [&'static str],
}

/// The build features of Wasmtime 45 to 49 (`features.set(..)`): GC types,
/// threads and the component model follow the library's build.
const SET_45: &[(u64, Capability)] = &[
    (GC_TYPES, Capability::Gc),
    (THREADS, Capability::Threads),
    (COMPONENT_MODEL, Capability::ComponentModel),
];

/// From 47, exceptions follow the GC build too.
const SET_47: &[(u64, Capability)] = &[
    (GC_TYPES, Capability::Gc),
    (EXCEPTIONS, Capability::Gc),
    (THREADS, Capability::Threads),
    (COMPONENT_MODEL, Capability::ComponentModel),
];

/// Wasmtime 50: the base sets hold GC types, exceptions and threads (or
/// not, for Winch), which a build without them removes.
const REMOVED_50: &[(u64, Capability)] = &[
    (GC_TYPES | EXCEPTIONS, Capability::Gc),
    (THREADS, Capability::Threads),
];
const SET_50: &[(u64, Capability)] = &[(COMPONENT_MODEL, Capability::ComponentModel)];

/// Wasmtime 45 and 46's defaults: WebAssembly 2.0 and five proposals.
const WASM2_PLUS: u64 = WASM2 | MULTI_MEMORY | RELAXED_SIMD | TAIL_CALL | EXTENDED_CONST | MEMORY64;

/// The component-model features every major 45 to 50 knows.
const KNOWN_CM_45: u64 = COMPONENT_MODEL
    | CM_ASYNC
    | CM_ASYNC_STACKFUL
    | CM_MORE_ASYNC_BUILTINS
    | CM_THREADING
    | CM_ERROR_CONTEXT
    | CM_GC
    | CM_MAP
    | CM_FIXED_LENGTH_LISTS;

/// The core features every major 45 to 50 knows.
const KNOWN_CORE_45: u64 =
    WASM3 | SHARED_EVERYTHING_THREADS | CUSTOM_PAGE_SIZES | STACK_SWITCHING | WIDE_ARITHMETIC;

/// What Winch could not compile up to 47.
const WINCH_47: u64 = GC
    | FUNCTION_REFERENCES
    | RELAXED_SIMD
    | TAIL_CALL
    | GC_TYPES
    | EXCEPTIONS
    | LEGACY_EXCEPTIONS
    | STACK_SWITCHING
    | CM_ASYNC;

/// The CPU features 45 to 47 cannot probe.
const ISA_FLAGS_UNKNOWN_TO_46: &[&str] =
    &["has_dotprod", "has_i8mm", "has_avx_vnni", "has_avx512vnni"];

/// The retired Cranelift shared flags of 36 and 37 (see
/// [`EngineDefaults::retired_shared_flags`]).
const RETIRED_36: &[&str] = &["enable_pcc", "enable_jump_tables", "enable_safepoints"];
/// Those of 38 to 43.
const RETIRED_38: &[&str] = &["enable_pcc"];

/// The defaults of each supported major.
pub(crate) const ENGINE_DEFAULTS: ByMajor<EngineDefaults> = ByMajor(&[
    // 36's wasmparser (0.236) has no `cm_threading`: its 35 bits are the
    // others below 36, numbered one lower from 30 on (`cwasm` remaps them;
    // here they are in the numbering of 37 and later).
    (
        36..=36,
        before_45(
            KNOWN_CM_39 & !CM_THREADING,
            bits_below(36) & !CM_THREADING,
            RETIRED_36,
        ),
    ),
    (37..=37, before_45(KNOWN_CM_39, bits_below(36), RETIRED_36)),
    (38..=39, before_45(KNOWN_CM_39, bits_below(36), RETIRED_38)),
    (40..=41, before_45(KNOWN_CM_39, bits_below(37), RETIRED_38)),
    (
        42..=43,
        before_45(
            KNOWN_CM_39 | CM_FIXED_LENGTH_LISTS,
            bits_below(39),
            RETIRED_38,
        ),
    ),
    (44..=44, before_45(KNOWN_CM_45, bits_below(39), &[])),
    (
        45..=45,
        EngineDefaults {
            cranelift_base: WASM2_PLUS,
            winch_base: WASM2_PLUS,
            set_by_build: SET_45,
            removed_without: &[],
            cm_async_follows_concurrency: false,
            known_to_wasmtime: KNOWN_CORE_45 | KNOWN_CM_45,
            wasmparser_bits: bits_below(40),
            winch_unsupported: WINCH_47,
            winch_unsupported_aarch64: THREADS | WIDE_ARITHMETIC,
            target_rules_without_compiler: false,
            cm_async_needs_reference_types: false,
            unknown_isa_flags: ISA_FLAGS_UNKNOWN_TO_46,
            unknown_shared_flags: &["enable_compact_unwind_abi"],
            retired_shared_flags: &[],
        },
    ),
    (
        46..=46,
        EngineDefaults {
            cranelift_base: WASM2_PLUS,
            winch_base: WASM2_PLUS,
            set_by_build: SET_45,
            removed_without: &[],
            cm_async_follows_concurrency: true,
            known_to_wasmtime: KNOWN_CORE_45 | KNOWN_CM_45 | CM_IMPLEMENTS,
            wasmparser_bits: bits_below(41),
            winch_unsupported: WINCH_47,
            winch_unsupported_aarch64: THREADS,
            target_rules_without_compiler: false,
            cm_async_needs_reference_types: false,
            unknown_isa_flags: ISA_FLAGS_UNKNOWN_TO_46,
            unknown_shared_flags: &[],
            retired_shared_flags: &[],
        },
    ),
    (
        47..=47,
        EngineDefaults {
            cranelift_base: WASM3,
            winch_base: WASM3,
            set_by_build: SET_47,
            removed_without: &[],
            cm_async_follows_concurrency: true,
            known_to_wasmtime: KNOWN_CORE_45 | KNOWN_CM_45 | CM_IMPLEMENTS,
            wasmparser_bits: bits_below(41),
            winch_unsupported: WINCH_47,
            winch_unsupported_aarch64: THREADS,
            target_rules_without_compiler: false,
            cm_async_needs_reference_types: false,
            unknown_isa_flags: &["has_i8mm", "has_avx_vnni", "has_avx512vnni"],
            unknown_shared_flags: &[],
            retired_shared_flags: &[],
        },
    ),
    (
        48..=48,
        EngineDefaults {
            cranelift_base: WASM3,
            winch_base: WASM3,
            set_by_build: SET_47,
            removed_without: &[],
            cm_async_follows_concurrency: true,
            known_to_wasmtime: KNOWN_CORE_45 | KNOWN_CM_45 | CM_IMPLEMENTS | CM64,
            wasmparser_bits: bits_below(42),
            winch_unsupported: WINCH_47 & !CM_ASYNC,
            winch_unsupported_aarch64: THREADS,
            target_rules_without_compiler: false,
            cm_async_needs_reference_types: false,
            unknown_isa_flags: &[],
            unknown_shared_flags: &[],
            retired_shared_flags: &[],
        },
    ),
    (
        49..=49,
        EngineDefaults {
            cranelift_base: WASM3 | WIDE_ARITHMETIC,
            winch_base: WASM3 | WIDE_ARITHMETIC,
            set_by_build: SET_47,
            removed_without: &[],
            cm_async_follows_concurrency: true,
            known_to_wasmtime: KNOWN_CORE_45 | KNOWN_CM_45 | CM_IMPLEMENTS | CM64,
            wasmparser_bits: bits_below(42),
            winch_unsupported: WINCH_47 & !(CM_ASYNC | GC_TYPES | EXCEPTIONS),
            winch_unsupported_aarch64: THREADS,
            target_rules_without_compiler: false,
            cm_async_needs_reference_types: true,
            unknown_isa_flags: &[],
            unknown_shared_flags: &[],
            retired_shared_flags: &[],
        },
    ),
    (
        50..=50,
        EngineDefaults {
            cranelift_base: WASM3 | WIDE_ARITHMETIC,
            winch_base: (WASM2 & !GC_TYPES) | EXTENDED_CONST | MEMORY64 | MULTI_MEMORY,
            set_by_build: SET_50,
            removed_without: REMOVED_50,
            cm_async_follows_concurrency: true,
            known_to_wasmtime: KNOWN_CORE_45
                | KNOWN_CM_45
                | CM_IMPLEMENTS
                | CM64
                | COMPACT_IMPORTS
                | CM_CANON_NAMES
                | CM_ACCESSORS,
            wasmparser_bits: bits_below(44),
            winch_unsupported: WINCH_47 & !(CM_ASYNC | GC_TYPES | EXCEPTIONS | TAIL_CALL),
            winch_unsupported_aarch64: THREADS,
            target_rules_without_compiler: true,
            cm_async_needs_reference_types: true,
            unknown_isa_flags: &[],
            unknown_shared_flags: &[],
            retired_shared_flags: &[],
        },
    ),
]);

/// The component-model features 39 to 41 know (no maps, no fixed-length
/// lists); 36 to 38 have no such list, and are given the same.
const KNOWN_CM_39: u64 = COMPONENT_MODEL
    | CM_ASYNC
    | CM_ASYNC_STACKFUL
    | CM_MORE_ASYNC_BUILTINS
    | CM_THREADING
    | CM_ERROR_CONTEXT
    | CM_GC;

/// The defaults of a major 36 to 44 (`VERSIONS-36-44.md` §1D):
/// `Config::features()` is 45's there, GC types are on in every build of
/// the C API (its `Cargo.toml` enables `gc`, and the `Gc` table is always
/// exported), and the majors differ in the component-model features they
/// know and in how many wasmparser bits they define (36's are numbered
/// differently: `cwasm` remaps them). Winch is refused before 45
/// (`versions::WINCH`), so its sets are 45's.
const fn before_45(
    known_cm: u64,
    wasmparser_bits: u64,
    retired_shared_flags: &'static [&'static str],
) -> EngineDefaults {
    EngineDefaults {
        cranelift_base: WASM2_PLUS,
        winch_base: WASM2_PLUS,
        set_by_build: SET_45,
        removed_without: &[],
        cm_async_follows_concurrency: false,
        known_to_wasmtime: KNOWN_CORE_45 | known_cm,
        wasmparser_bits,
        winch_unsupported: WINCH_47,
        winch_unsupported_aarch64: THREADS | WIDE_ARITHMETIC,
        target_rules_without_compiler: false,
        cm_async_needs_reference_types: false,
        unknown_isa_flags: ISA_FLAGS_UNKNOWN_TO_46,
        unknown_shared_flags: &["enable_compact_unwind_abi"],
        retired_shared_flags,
    }
}

/// Every wasmparser feature bit below `n` (wasmparser only appends bits).
const fn bits_below(n: u32) -> u64 {
    (1 << n) - 1
}

/// The defaults of `major`, a supported major.
pub(crate) fn of(major: u32) -> &'static EngineDefaults {
    ENGINE_DEFAULTS.of(major)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_supported_major_has_defaults() {
        for major in super::super::SUPPORTED_MAJORS {
            let d = ENGINE_DEFAULTS.get(major).expect("defaults");
            // Every default feature is one Wasmtime knows and wasmparser
            // defines.
            assert_eq!(d.cranelift_base & !d.known_to_wasmtime, 0, "{major}");
            assert_eq!(d.winch_base & !d.known_to_wasmtime, 0, "{major}");
            assert_eq!(d.known_to_wasmtime & !d.wasmparser_bits, 0, "{major}");
        }
    }

    #[test]
    fn defaults_follow_the_release_notes() {
        // 45/46: WebAssembly 2.0 plus five proposals; 47/48: WebAssembly
        // 3.0; 49: plus wide arithmetic; 50: Winch gets its own smaller set.
        assert_eq!(of(45).cranelift_base & EXCEPTIONS, 0);
        assert_eq!(of(46).cranelift_base & GC, 0);
        assert_eq!(of(47).cranelift_base, WASM3);
        assert_eq!(of(48).cranelift_base, WASM3);
        assert_ne!(of(49).cranelift_base & WIDE_ARITHMETIC, 0);
        assert_eq!(of(48).cranelift_base & WIDE_ARITHMETIC, 0);
        assert_eq!(of(50).winch_base & (THREADS | EXCEPTIONS | GC_TYPES), 0);
    }
}
