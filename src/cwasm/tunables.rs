//! The engine-section `Tunables` of the layouts this crate decodes
//! (`wasmtime-environ`'s `Tunables`, serialized by postcard field by field
//! in declaration order, and decoded here the same way by [`Fields`], so
//! an error names its field).
//!
//! 47, 48 and 49 declare the same fields; only the size of a fuel cost
//! table differs (47's has no per-byte costs), which the caller passes in.
//! 50 adds `asan_stack_switching` after `recording`, which shifts every GC
//! heap field after it: 48's layout would read 50's `gc_zeal_alloc_counter`
//! tag as this flag and misplace the rest.

use super::wire::Fields;
use super::Tunables;
use crate::error::Result;
use crate::versions::EngineLayout;
use std::num::NonZeroU32;

/// Reads the `Tunables` of an artifact of `layout`; `cost_table` is the
/// length of a fuel cost table in its major. (Fields are read in the order
/// written: a struct expression evaluates its fields in source order.)
pub(super) fn tunables(
    r: &mut Fields<'_>,
    layout: EngineLayout,
    cost_table: usize,
) -> Result<Tunables> {
    macro_rules! f {
        ($name:literal) => {
            concat!("tunables.", $name)
        };
    }
    Ok(Tunables {
        collector: r.collector(f!("collector"))?,
        memory_reservation: r.field::<u64>(f!("memory_reservation"))?,
        memory_guard_size: r.field::<u64>(f!("memory_guard_size"))?,
        memory_reservation_for_growth: r.field::<u64>(f!("memory_reservation_for_growth"))?,
        debug_native: r.field::<bool>(f!("debug_native"))?,
        debug_guest: r.field::<bool>(f!("debug_guest"))?,
        debug_symbols: r.field::<bool>(f!("debug_symbols"))?,
        parse_wasm_debuginfo: r.field::<bool>(f!("parse_wasm_debuginfo"))?,
        consume_fuel: r.field::<bool>(f!("consume_fuel"))?,
        operator_cost: r.operator_cost(f!("operator_cost"), cost_table)?,
        epoch_interruption: r.field::<bool>(f!("epoch_interruption"))?,
        memory_may_move: r.field::<bool>(f!("memory_may_move"))?,
        guard_before_linear_memory: r.field::<bool>(f!("guard_before_linear_memory"))?,
        table_lazy_init: r.field::<bool>(f!("table_lazy_init"))?,
        generate_address_map: r.field::<bool>(f!("generate_address_map"))?,
        debug_adapter_modules: r.field::<bool>(f!("debug_adapter_modules"))?,
        relaxed_simd_deterministic: r.field::<bool>(f!("relaxed_simd_deterministic"))?,
        winch_callable: r.field::<bool>(f!("winch_callable"))?,
        signals_based_traps: r.field::<bool>(f!("signals_based_traps"))?,
        memory_init_cow: r.field::<bool>(f!("memory_init_cow"))?,
        inlining: r.inlining(f!("inlining"))?,
        inlining_small_callee_size: r.field::<u32>(f!("inlining_small_callee_size"))?,
        inlining_sum_size_threshold: r.field::<u32>(f!("inlining_sum_size_threshold"))?,
        concurrency_support: r.field::<bool>(f!("concurrency_support"))?,
        recording: r.field::<bool>(f!("recording"))?,
        asan_stack_switching: match layout {
            // Not in this layout: off.
            EngineLayout::V47 => false,
            EngineLayout::V50 => r.field::<bool>(f!("asan_stack_switching"))?,
        },
        gc_zeal_alloc_counter: r
            .field::<Option<NonZeroU32>>(f!("gc_zeal_alloc_counter"))?
            .map(NonZeroU32::get),
        gc_heap_reservation: r.field::<u64>(f!("gc_heap_reservation"))?,
        gc_heap_guard_size: r.field::<u64>(f!("gc_heap_guard_size"))?,
        gc_heap_reservation_for_growth: r.field::<u64>(f!("gc_heap_reservation_for_growth"))?,
        gc_heap_initial_size: r.field::<u64>(f!("gc_heap_initial_size"))?,
        gc_heap_may_move: r.field::<bool>(f!("gc_heap_may_move"))?,
        metadata_for_internal_asserts: r.field::<bool>(f!("metadata_for_internal_asserts"))?,
        metadata_for_gc_heap_corruption: r.field::<bool>(f!("metadata_for_gc_heap_corruption"))?,
        branch_hinting: r.field::<bool>(f!("branch_hinting"))?,
    })
}
