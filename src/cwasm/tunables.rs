//! The engine-section `Tunables` (`wasmtime-environ`'s `Tunables`,
//! serialized by postcard field by field in declaration order), decoded
//! the same way by [`Fields`] along the field list of the artifact's
//! layout ([`layouts`](super::layouts)), so an error names its field and
//! a layout is data, not code.
//!
//! What a layout does not record takes the value that major behaved as:
//! see [`Tunables`]' documentation.

use super::layouts::{self, Field};
use super::wire::Fields;
use super::{Inlining, IntraModuleInlining, OperatorCost, Tunables};
use crate::error::Result;
use crate::versions::EngineLayout;
use std::num::NonZeroU32;

/// Reads the `Tunables` of an artifact of `layout`; `cost_table` is the
/// length of a fuel cost table in its major.
pub(super) fn tunables(
    r: &mut Fields<'_>,
    layout: EngineLayout,
    cost_table: usize,
) -> Result<Tunables> {
    let fields = layouts::tunables(layout);
    let mut t = absent();
    // 36 to 44 record whether inlining is on and, apart, the intra-module
    // mode; 45 folded both into one `Inlining`.
    let mut inlining_enabled = None;
    for &field in fields {
        read(r, field, &mut t, &mut inlining_enabled, cost_table)?;
    }
    if let Some(enabled) = inlining_enabled {
        t.inlining = match (enabled, t.inlining_intra_module) {
            (false, _) => Inlining::No,
            (true, Some(IntraModuleInlining::Yes)) => Inlining::Yes,
            (true, Some(IntraModuleInlining::WhenUsingGc)) => Inlining::InterModuleAndIntraGc,
            (true, Some(IntraModuleInlining::No) | None) => Inlining::InterModule,
        };
    }
    if !fields.contains(&Field::GcHeapReservation) {
        // Before 45 a GC heap was a memory with the memory settings
        // (Wasmtime's #13080 split them, copying these by default).
        t.gc_heap_reservation = t.memory_reservation;
        t.gc_heap_guard_size = t.memory_guard_size;
        t.gc_heap_reservation_for_growth = t.memory_reservation_for_growth;
        t.gc_heap_may_move = t.memory_may_move;
    }
    Ok(t)
}

/// The values of fields a layout does not record: off, zero or none, but
/// `debug_symbols`, which 47 added to turn off symbols every earlier
/// major wrote.
fn absent() -> Tunables {
    Tunables {
        collector: None,
        memory_reservation: 0,
        memory_guard_size: 0,
        memory_reservation_for_growth: 0,
        debug_native: false,
        debug_guest: false,
        debug_symbols: true,
        parse_wasm_debuginfo: false,
        consume_fuel: false,
        operator_cost: OperatorCost::Default,
        epoch_interruption: false,
        memory_may_move: false,
        guard_before_linear_memory: false,
        table_lazy_init: false,
        generate_address_map: false,
        debug_adapter_modules: false,
        relaxed_simd_deterministic: false,
        winch_callable: false,
        signals_based_traps: false,
        memory_init_cow: false,
        inlining: Inlining::No,
        inlining_intra_module: None,
        inlining_small_callee_size: 0,
        inlining_sum_size_threshold: 0,
        concurrency_support: false,
        recording: false,
        asan_stack_switching: false,
        gc_zeal_alloc_counter: None,
        gc_heap_reservation: 0,
        gc_heap_guard_size: 0,
        gc_heap_reservation_for_growth: 0,
        gc_heap_initial_size: 0,
        gc_heap_may_move: false,
        metadata_for_internal_asserts: false,
        metadata_for_gc_heap_corruption: false,
        branch_hinting: false,
    }
}

/// Reads `field` into `t`.
fn read(
    r: &mut Fields<'_>,
    field: Field,
    t: &mut Tunables,
    inlining_enabled: &mut Option<bool>,
    cost_table: usize,
) -> Result<()> {
    let name = field.name();
    // Error messages name the field as `tunables.<name>`.
    let full = &*format!("tunables.{name}");
    let bool_field = |r: &mut Fields<'_>| r.field::<bool>(full);
    let u64_field = |r: &mut Fields<'_>| r.field::<u64>(full);
    match field {
        Field::CollectorDrcNull => t.collector = r.collector(full, false)?,
        Field::Collector => t.collector = r.collector(full, true)?,
        Field::MemoryReservation => t.memory_reservation = u64_field(r)?,
        Field::MemoryGuardSize => t.memory_guard_size = u64_field(r)?,
        Field::MemoryReservationForGrowth => t.memory_reservation_for_growth = u64_field(r)?,
        // Native DWARF, renamed `debug_native` in 39.
        Field::GenerateNativeDebuginfo | Field::DebugNative => t.debug_native = bool_field(r)?,
        Field::DebugGuest => t.debug_guest = bool_field(r)?,
        Field::DebugSymbols => t.debug_symbols = bool_field(r)?,
        Field::ParseWasmDebuginfo => t.parse_wasm_debuginfo = bool_field(r)?,
        Field::ConsumeFuel => t.consume_fuel = bool_field(r)?,
        Field::OperatorCost => t.operator_cost = r.operator_cost(full, cost_table)?,
        Field::EpochInterruption => t.epoch_interruption = bool_field(r)?,
        Field::MemoryMayMove => t.memory_may_move = bool_field(r)?,
        Field::GuardBeforeLinearMemory => t.guard_before_linear_memory = bool_field(r)?,
        Field::TableLazyInit => t.table_lazy_init = bool_field(r)?,
        Field::GenerateAddressMap => t.generate_address_map = bool_field(r)?,
        Field::DebugAdapterModules => t.debug_adapter_modules = bool_field(r)?,
        Field::RelaxedSimdDeterministic => t.relaxed_simd_deterministic = bool_field(r)?,
        Field::WinchCallable => t.winch_callable = bool_field(r)?,
        Field::SignalsBasedTraps => t.signals_based_traps = bool_field(r)?,
        Field::MemoryInitCow => t.memory_init_cow = bool_field(r)?,
        Field::InliningEnabled => *inlining_enabled = Some(bool_field(r)?),
        Field::InliningIntraModule => {
            t.inlining_intra_module = Some(r.intra_module_inlining(full)?)
        }
        Field::Inlining => t.inlining = r.inlining(full)?,
        Field::InliningSmallCalleeSize => t.inlining_small_callee_size = r.field::<u32>(full)?,
        Field::InliningSumSizeThreshold => t.inlining_sum_size_threshold = r.field::<u32>(full)?,
        Field::ConcurrencySupport => t.concurrency_support = bool_field(r)?,
        Field::Recording => t.recording = bool_field(r)?,
        Field::AsanStackSwitching => t.asan_stack_switching = bool_field(r)?,
        Field::GcZealAllocCounter => {
            t.gc_zeal_alloc_counter = r.field::<Option<NonZeroU32>>(full)?.map(NonZeroU32::get)
        }
        Field::GcHeapReservation => t.gc_heap_reservation = u64_field(r)?,
        Field::GcHeapGuardSize => t.gc_heap_guard_size = u64_field(r)?,
        Field::GcHeapReservationForGrowth => t.gc_heap_reservation_for_growth = u64_field(r)?,
        Field::GcHeapInitialSize => t.gc_heap_initial_size = u64_field(r)?,
        Field::GcHeapMayMove => t.gc_heap_may_move = bool_field(r)?,
        Field::MetadataForInternalAsserts => t.metadata_for_internal_asserts = bool_field(r)?,
        Field::MetadataForGcHeapCorruption => t.metadata_for_gc_heap_corruption = bool_field(r)?,
        Field::BranchHinting => t.branch_hinting = bool_field(r)?,
    }
    Ok(())
}
