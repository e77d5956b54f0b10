//! The engine-section layouts, as data: for each
//! [`EngineLayout`](crate::versions::EngineLayout), the `Tunables` fields
//! its Wasmtime wrote, in declaration order (postcard writes a struct as
//! its fields one after the other), and how it numbers the wasmparser
//! feature bits.
//!
//! Read from `crates/environ/src/tunables.rs` (`define_tunables!`) at
//! every tag of each range (v36.0.0 … v36.0.14, v37.0.0 … v48.0.0: the
//! field list changes only at 39.0.0, 42.0.0, 43.0.0, 45.0.0, 46.0.0 and
//! 47.0.0) and from `WasmFeatures` in the wasmparser each release pins
//! (0.236 for 36, 0.239 for 37 and 38, then 0.240 … 0.261).

use crate::versions::EngineLayout;

/// One field of a `Tunables` as some major wrote it: its name and wire
/// type. Fields that changed shape between majors are separate entries
/// (the two-variant `Collector` of 36–44, `inlining` as a `bool` before
/// 45).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Field {
    /// `collector: Option<Collector>` with `DeferredReferenceCounting`
    /// and `Null` (36–44).
    CollectorDrcNull,
    /// `collector: Option<Collector>` with `Copying` too (45+).
    Collector,
    MemoryReservation,
    MemoryGuardSize,
    MemoryReservationForGrowth,
    /// `generate_native_debuginfo: bool` (36–38; `debug_native` later).
    GenerateNativeDebuginfo,
    DebugNative,
    DebugGuest,
    DebugSymbols,
    ParseWasmDebuginfo,
    ConsumeFuel,
    /// `operator_cost: OperatorCostStrategy` (43+).
    OperatorCost,
    EpochInterruption,
    MemoryMayMove,
    GuardBeforeLinearMemory,
    TableLazyInit,
    GenerateAddressMap,
    DebugAdapterModules,
    RelaxedSimdDeterministic,
    WinchCallable,
    SignalsBasedTraps,
    MemoryInitCow,
    /// `inlining: bool` (36–44).
    InliningEnabled,
    /// `inlining_intra_module: IntraModuleInlining` (36–44).
    InliningIntraModule,
    /// `inlining: Inlining` (45+).
    Inlining,
    InliningSmallCalleeSize,
    InliningSumSizeThreshold,
    ConcurrencySupport,
    Recording,
    AsanStackSwitching,
    GcZealAllocCounter,
    GcHeapReservation,
    GcHeapGuardSize,
    GcHeapReservationForGrowth,
    GcHeapInitialSize,
    GcHeapMayMove,
    MetadataForInternalAsserts,
    MetadataForGcHeapCorruption,
    BranchHinting,
}

impl Field {
    /// The field's name in Wasmtime's `Tunables`.
    pub(super) fn name(self) -> &'static str {
        use Field::*;
        match self {
            CollectorDrcNull | Collector => "collector",
            MemoryReservation => "memory_reservation",
            MemoryGuardSize => "memory_guard_size",
            MemoryReservationForGrowth => "memory_reservation_for_growth",
            GenerateNativeDebuginfo => "generate_native_debuginfo",
            DebugNative => "debug_native",
            DebugGuest => "debug_guest",
            DebugSymbols => "debug_symbols",
            ParseWasmDebuginfo => "parse_wasm_debuginfo",
            ConsumeFuel => "consume_fuel",
            OperatorCost => "operator_cost",
            EpochInterruption => "epoch_interruption",
            MemoryMayMove => "memory_may_move",
            GuardBeforeLinearMemory => "guard_before_linear_memory",
            TableLazyInit => "table_lazy_init",
            GenerateAddressMap => "generate_address_map",
            DebugAdapterModules => "debug_adapter_modules",
            RelaxedSimdDeterministic => "relaxed_simd_deterministic",
            WinchCallable => "winch_callable",
            SignalsBasedTraps => "signals_based_traps",
            MemoryInitCow => "memory_init_cow",
            InliningEnabled | Inlining => "inlining",
            InliningIntraModule => "inlining_intra_module",
            InliningSmallCalleeSize => "inlining_small_callee_size",
            InliningSumSizeThreshold => "inlining_sum_size_threshold",
            ConcurrencySupport => "concurrency_support",
            Recording => "recording",
            AsanStackSwitching => "asan_stack_switching",
            GcZealAllocCounter => "gc_zeal_alloc_counter",
            GcHeapReservation => "gc_heap_reservation",
            GcHeapGuardSize => "gc_heap_guard_size",
            GcHeapReservationForGrowth => "gc_heap_reservation_for_growth",
            GcHeapInitialSize => "gc_heap_initial_size",
            GcHeapMayMove => "gc_heap_may_move",
            MetadataForInternalAsserts => "metadata_for_internal_asserts",
            MetadataForGcHeapCorruption => "metadata_for_gc_heap_corruption",
            BranchHinting => "branch_hinting",
        }
    }
}

use Field as F;

/// 36, 37 and 38 (`v36.0.0` … `v38.0.4`).
const TUNABLES_36: [Field; 21] = [
    F::CollectorDrcNull,
    F::MemoryReservation,
    F::MemoryGuardSize,
    F::MemoryReservationForGrowth,
    F::GenerateNativeDebuginfo,
    F::ParseWasmDebuginfo,
    F::ConsumeFuel,
    F::EpochInterruption,
    F::MemoryMayMove,
    F::GuardBeforeLinearMemory,
    F::TableLazyInit,
    F::GenerateAddressMap,
    F::DebugAdapterModules,
    F::RelaxedSimdDeterministic,
    F::WinchCallable,
    F::SignalsBasedTraps,
    F::MemoryInitCow,
    F::InliningEnabled,
    F::InliningIntraModule,
    F::InliningSmallCalleeSize,
    F::InliningSumSizeThreshold,
];

/// 39 to 41.
const TUNABLES_39: [Field; 22] = [
    F::CollectorDrcNull,
    F::MemoryReservation,
    F::MemoryGuardSize,
    F::MemoryReservationForGrowth,
    F::DebugNative,
    F::DebugGuest,
    F::ParseWasmDebuginfo,
    F::ConsumeFuel,
    F::EpochInterruption,
    F::MemoryMayMove,
    F::GuardBeforeLinearMemory,
    F::TableLazyInit,
    F::GenerateAddressMap,
    F::DebugAdapterModules,
    F::RelaxedSimdDeterministic,
    F::WinchCallable,
    F::SignalsBasedTraps,
    F::MemoryInitCow,
    F::InliningEnabled,
    F::InliningIntraModule,
    F::InliningSmallCalleeSize,
    F::InliningSumSizeThreshold,
];

/// 42.
const TUNABLES_42: [Field; 23] = [
    F::CollectorDrcNull,
    F::MemoryReservation,
    F::MemoryGuardSize,
    F::MemoryReservationForGrowth,
    F::DebugNative,
    F::DebugGuest,
    F::ParseWasmDebuginfo,
    F::ConsumeFuel,
    F::EpochInterruption,
    F::MemoryMayMove,
    F::GuardBeforeLinearMemory,
    F::TableLazyInit,
    F::GenerateAddressMap,
    F::DebugAdapterModules,
    F::RelaxedSimdDeterministic,
    F::WinchCallable,
    F::SignalsBasedTraps,
    F::MemoryInitCow,
    F::InliningEnabled,
    F::InliningIntraModule,
    F::InliningSmallCalleeSize,
    F::InliningSumSizeThreshold,
    F::ConcurrencySupport,
];

/// 43 and 44.
const TUNABLES_43: [Field; 25] = [
    F::CollectorDrcNull,
    F::MemoryReservation,
    F::MemoryGuardSize,
    F::MemoryReservationForGrowth,
    F::DebugNative,
    F::DebugGuest,
    F::ParseWasmDebuginfo,
    F::ConsumeFuel,
    F::OperatorCost,
    F::EpochInterruption,
    F::MemoryMayMove,
    F::GuardBeforeLinearMemory,
    F::TableLazyInit,
    F::GenerateAddressMap,
    F::DebugAdapterModules,
    F::RelaxedSimdDeterministic,
    F::WinchCallable,
    F::SignalsBasedTraps,
    F::MemoryInitCow,
    F::InliningEnabled,
    F::InliningIntraModule,
    F::InliningSmallCalleeSize,
    F::InliningSumSizeThreshold,
    F::ConcurrencySupport,
    F::Recording,
];

/// 45.
const TUNABLES_45: [Field; 29] = [
    F::Collector,
    F::MemoryReservation,
    F::MemoryGuardSize,
    F::MemoryReservationForGrowth,
    F::DebugNative,
    F::DebugGuest,
    F::ParseWasmDebuginfo,
    F::ConsumeFuel,
    F::OperatorCost,
    F::EpochInterruption,
    F::MemoryMayMove,
    F::GuardBeforeLinearMemory,
    F::TableLazyInit,
    F::GenerateAddressMap,
    F::DebugAdapterModules,
    F::RelaxedSimdDeterministic,
    F::WinchCallable,
    F::SignalsBasedTraps,
    F::MemoryInitCow,
    F::Inlining,
    F::InliningSmallCalleeSize,
    F::InliningSumSizeThreshold,
    F::ConcurrencySupport,
    F::Recording,
    F::GcZealAllocCounter,
    F::GcHeapReservation,
    F::GcHeapGuardSize,
    F::GcHeapReservationForGrowth,
    F::GcHeapMayMove,
];

/// 46.
const TUNABLES_46: [Field; 32] = [
    F::Collector,
    F::MemoryReservation,
    F::MemoryGuardSize,
    F::MemoryReservationForGrowth,
    F::DebugNative,
    F::DebugGuest,
    F::ParseWasmDebuginfo,
    F::ConsumeFuel,
    F::OperatorCost,
    F::EpochInterruption,
    F::MemoryMayMove,
    F::GuardBeforeLinearMemory,
    F::TableLazyInit,
    F::GenerateAddressMap,
    F::DebugAdapterModules,
    F::RelaxedSimdDeterministic,
    F::WinchCallable,
    F::SignalsBasedTraps,
    F::MemoryInitCow,
    F::Inlining,
    F::InliningSmallCalleeSize,
    F::InliningSumSizeThreshold,
    F::ConcurrencySupport,
    F::Recording,
    F::GcZealAllocCounter,
    F::GcHeapReservation,
    F::GcHeapGuardSize,
    F::GcHeapReservationForGrowth,
    F::GcHeapMayMove,
    F::MetadataForInternalAsserts,
    F::MetadataForGcHeapCorruption,
    F::BranchHinting,
];

/// 47, 48 and 49.
const TUNABLES_47: [Field; 34] = [
    F::Collector,
    F::MemoryReservation,
    F::MemoryGuardSize,
    F::MemoryReservationForGrowth,
    F::DebugNative,
    F::DebugGuest,
    F::DebugSymbols,
    F::ParseWasmDebuginfo,
    F::ConsumeFuel,
    F::OperatorCost,
    F::EpochInterruption,
    F::MemoryMayMove,
    F::GuardBeforeLinearMemory,
    F::TableLazyInit,
    F::GenerateAddressMap,
    F::DebugAdapterModules,
    F::RelaxedSimdDeterministic,
    F::WinchCallable,
    F::SignalsBasedTraps,
    F::MemoryInitCow,
    F::Inlining,
    F::InliningSmallCalleeSize,
    F::InliningSumSizeThreshold,
    F::ConcurrencySupport,
    F::Recording,
    F::GcZealAllocCounter,
    F::GcHeapReservation,
    F::GcHeapGuardSize,
    F::GcHeapReservationForGrowth,
    F::GcHeapInitialSize,
    F::GcHeapMayMove,
    F::MetadataForInternalAsserts,
    F::MetadataForGcHeapCorruption,
    F::BranchHinting,
];

/// 50: `asan_stack_switching` after `recording`, which shifts every GC
/// heap field after it.
const TUNABLES_50: [Field; 35] = [
    F::Collector,
    F::MemoryReservation,
    F::MemoryGuardSize,
    F::MemoryReservationForGrowth,
    F::DebugNative,
    F::DebugGuest,
    F::DebugSymbols,
    F::ParseWasmDebuginfo,
    F::ConsumeFuel,
    F::OperatorCost,
    F::EpochInterruption,
    F::MemoryMayMove,
    F::GuardBeforeLinearMemory,
    F::TableLazyInit,
    F::GenerateAddressMap,
    F::DebugAdapterModules,
    F::RelaxedSimdDeterministic,
    F::WinchCallable,
    F::SignalsBasedTraps,
    F::MemoryInitCow,
    F::Inlining,
    F::InliningSmallCalleeSize,
    F::InliningSumSizeThreshold,
    F::ConcurrencySupport,
    F::Recording,
    F::AsanStackSwitching,
    F::GcZealAllocCounter,
    F::GcHeapReservation,
    F::GcHeapGuardSize,
    F::GcHeapReservationForGrowth,
    F::GcHeapInitialSize,
    F::GcHeapMayMove,
    F::MetadataForInternalAsserts,
    F::MetadataForGcHeapCorruption,
    F::BranchHinting,
];

/// wasmparser 0.236's feature bits (Wasmtime 36), each as the bit of the
/// same flag in the numbering this crate uses (`features.rs`, wasmparser
/// 0.239 and later, which only append): 0.239 inserted `cm_threading` at
/// bit 30, so 0.236's bits 30 to 34 (`cm_error_context`,
/// `cm_fixed_size_list`, `cm_gc`, `call_indirect_overlong`,
/// `bulk_memory_opt`) moved up by one.
const FEATURE_BITS_WASMPARSER_0_236: [u8; 35] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25,
    26, 27, 28, 29, 31, 32, 33, 34, 35,
];

/// The `Tunables` fields an artifact of `layout` records, in order.
pub(super) fn tunables(layout: EngineLayout) -> &'static [Field] {
    match layout {
        EngineLayout::V36 | EngineLayout::V37 => &TUNABLES_36,
        EngineLayout::V39 => &TUNABLES_39,
        EngineLayout::V42 => &TUNABLES_42,
        EngineLayout::V43 => &TUNABLES_43,
        EngineLayout::V45 => &TUNABLES_45,
        EngineLayout::V46 => &TUNABLES_46,
        EngineLayout::V47 => &TUNABLES_47,
        EngineLayout::V50 => &TUNABLES_50,
    }
}

/// How an artifact of `layout` numbers its feature bits: `Some(map)` when
/// its bit `i` is this crate's bit `map[i]` (and bits past the map are
/// undefined in its wasmparser), `None` when it numbers them as this crate
/// does.
pub(super) fn feature_numbering(layout: EngineLayout) -> Option<&'static [u8]> {
    match layout {
        EngineLayout::V36 => Some(&FEATURE_BITS_WASMPARSER_0_236),
        _ => None,
    }
}

/// `bits` as an artifact of `layout` recorded them, in this crate's
/// numbering (bits its wasmparser did not define are dropped, as
/// `WasmFeatures::from_bits_truncate` drops them).
pub(super) fn renumber_features(layout: EngineLayout, bits: u64) -> u64 {
    match feature_numbering(layout) {
        None => bits,
        Some(map) => map
            .iter()
            .enumerate()
            .filter(|&(from, _)| bits & (1 << from) != 0)
            .fold(0, |out, (_, &to)| out | 1 << to),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cwasm::features;
    use crate::versions::{ENGINE_LAYOUT, VARIABLE_OPERATOR_COSTS};

    #[test]
    fn field_counts_match_wasmtimes_tunables() {
        // `define_tunables!` fields counted at each tag.
        for (major, count) in [
            (36, 21),
            (38, 21),
            (39, 22),
            (41, 22),
            (42, 23),
            (43, 25),
            (44, 25),
            (45, 29),
            (46, 32),
            (47, 34),
            (49, 34),
            (50, 35),
        ] {
            assert_eq!(tunables(*ENGINE_LAYOUT.of(major)).len(), count, "{major}");
        }
    }

    #[test]
    fn no_field_twice_and_cost_tables_have_a_size() {
        for (majors, layout) in ENGINE_LAYOUT.0 {
            let fields = tunables(*layout);
            for (i, a) in fields.iter().enumerate() {
                assert!(!fields[i + 1..].contains(a), "{layout:?} {a:?}");
            }
            if fields.contains(&Field::OperatorCost) {
                for major in majors.clone() {
                    assert!(VARIABLE_OPERATOR_COSTS.get(major).is_some(), "{major}");
                }
            }
        }
    }

    #[test]
    fn wasmparser_0_236_bits_land_on_the_same_flags() {
        let renumber = |bits| renumber_features(EngineLayout::V36, bits);
        // 0.236: reference_types = 1 << 3 | call_indirect_overlong (1 << 33),
        // bulk_memory = 1 << 5 | bulk_memory_opt (1 << 34).
        assert_eq!(renumber(1 << 3 | 1 << 33), features::REFERENCE_TYPES);
        assert_eq!(renumber(1 << 5 | 1 << 34), features::BULK_MEMORY);
        assert_eq!(renumber(1 << 30), features::CM_ERROR_CONTEXT);
        assert_eq!(renumber(1 << 32), features::CM_GC);
        assert_eq!(renumber(1 << 29), features::CM_MORE_ASYNC_BUILTINS);
        assert_eq!(renumber(1 << 24), features::GC_TYPES);
        // Undefined in 0.236.
        assert_eq!(renumber(1 << 35 | 1 << 63), 0);
        assert_eq!(renumber_features(EngineLayout::V37, 1 << 30), 1 << 30);
    }
}
