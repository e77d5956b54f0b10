//! The configurations Wasmtime rejects in `Engine::new`, checked before
//! the C API would turn the rejection into a process abort.
//!
//! Found by reading each supported major's `Config::validate`,
//! `Config::build_compiler` and Winch's builder, and confirmed against the
//! 48 test libraries; each rule cites the check it mirrors (line numbers of
//! Wasmtime 48.0.0's `config.rs`). What differs between majors (the
//! default features, what Winch cannot compile, the rules added in 49) is
//! read from `versions::defaults` for the library's own major. Settings
//! this crate does not expose (target triples, profilers, raw Cranelift
//! flags, async stack sizes, component-model async) are not checked here.

use crate::capability::Capability;
use crate::config::{Settings, Strategy};
use crate::cwasm::features::{CM_ASYNC, REFERENCE_TYPES, RELAXED_SIMD, SIMD};
use crate::cwasm::profile::features_of;
use crate::error::{ErrorKind, Result};
use crate::loader::Wasmtime;
use crate::versions::{self, defaults};

/// Wasmtime's default `async_stack_size` (2 MiB in 45 to 50); this crate
/// does not expose the setter, so it is the bound for `max_wasm_stack` in
/// every build.
const ASYNC_STACK_SIZE: usize = 2 << 20;

/// Wasmtime's default `max_wasm_stack` (512 KiB in 45 to 50).
const DEFAULT_MAX_WASM_STACK: usize = 512 << 10;

pub(crate) fn validate(wasmtime: &Wasmtime, s: &Settings) -> Result<()> {
    let reject = |message: String| Err(ErrorKind::Config(message).into());
    let major_defaults = defaults::of(versions::major_of(wasmtime));
    // config.rs:2951, before the features depend on the strategy.
    let winch = s.strategy == Some(Strategy::Winch) && wasmtime.has(Capability::Compiler);
    if winch && !wasmtime.has_winch() {
        return Err(crate::config::config_error(
            "Strategy::Winch: this libwasmtime was built without Winch (it has Cranelift only)",
        ));
    }
    // config.rs:2610-2624: an explicitly enabled feature the compiler (or,
    // without one, Wasmtime on this platform) cannot handle.
    let features = features_of(wasmtime, s);
    if let Some((name, _)) = features
        .explicitly_enabled
        .iter()
        .find(|(_, flag)| flag & features.unsupported != 0)
    {
        return reject(if features.winch {
            format!("{name}(true) is not supported by Winch")
        } else {
            format!(
                "{name}(true) is not supported on this platform by this Wasmtime \
                 (stack switching needs x86-64 Linux or macOS)"
            )
        });
    }
    // config.rs:2631
    let stack = s.max_wasm_stack.unwrap_or(DEFAULT_MAX_WASM_STACK);
    if stack == 0 {
        return reject("max_wasm_stack cannot be zero".into());
    }
    // config.rs:2628: checked even in builds without async.
    if stack > ASYNC_STACK_SIZE {
        return reject(format!(
            "max_wasm_stack ({stack} bytes) cannot exceed Wasmtime's async stack size ({ASYNC_STACK_SIZE} bytes)"
        ));
    }
    // config.rs:2639
    if s.gc_support == Some(true) && !wasmtime.has(Capability::Gc) {
        return reject(
            "gc_support(true) needs a libwasmtime built with `gc`; this one has no GC".into(),
        );
    }
    // config.rs:2768
    if s.concurrency_support == Some(true) && !wasmtime.has(Capability::ComponentModelAsync) {
        return reject(
            "concurrency_support(true) needs a libwasmtime built with `component-model-async`"
                .into(),
        );
    }
    // Wasmtime 49 and later (49's config.rs:2786): component-model async
    // adapters use `ref.func`.
    if major_defaults.cm_async_needs_reference_types
        && features.enabled & CM_ASYNC != 0
        && features.enabled & REFERENCE_TYPES == 0
    {
        return reject(
            "concurrency support needs the reference-types proposal: keep \
             wasm_reference_types(true) or set concurrency_support(false)"
                .into(),
        );
    }
    if let Some(pool) = &s.pooling {
        validate_pool(s, pool)?;
    }
    if !wasmtime.has(Capability::Compiler) {
        return Ok(());
    }
    // config.rs:3033 (build_compiler): relaxed SIMD is on by default with
    // Cranelift.
    if features.enabled & RELAXED_SIMD != 0 && features.enabled & SIMD == 0 {
        return reject(
            "wasm_simd(false) needs wasm_relaxed_simd(false) too: the compiler cannot enable \
             relaxed SIMD without SIMD"
                .into(),
        );
    }
    if winch {
        validate_winch(s)?;
    }
    Ok(())
}

/// Wasmtime's default linear memory reservation and guard on 64-bit hosts.
const DEFAULT_MEMORY_RESERVATION: u64 = 4 << 30;
const DEFAULT_MEMORY_GUARD: u64 = 32 << 20;

/// Address space the pool may reserve: half of x86-64's 47-bit user space.
/// Every pool (memories, tables, stacks) is one mapping made when the
/// engine is created, so their sum must fit.
const MAX_POOL_RESERVATION: u64 = 1 << 46;

/// Wasmtime's pooling defaults for what `PoolingConfig` leaves unset
/// (config.rs:3985-4010, 64-bit hosts).
const DEFAULT_TOTAL_TABLES: u64 = 1000;
const DEFAULT_TABLE_ELEMENTS: u64 = 20_000;
const DEFAULT_TOTAL_STACKS: u64 = 1000;
/// `NOMINAL_MAX_TABLE_ELEM_SIZE` (runtime/vm/table.rs:89): the widest
/// table element, a function reference pointer.
const TABLE_ELEMENT_BYTES: u64 = 8;
/// The host page size pools round their slots up to (4 KiB on x86-64
/// Linux; a larger page only makes the real slots larger).
const HOST_PAGE: u64 = 4096;
/// Wasmtime's default async stack (2 MiB) plus its guard page: one stack
/// pool slot when the library has async support (unix_stack_pool.rs:41-56).
const STACK_SLOT: u64 = (2 << 20) + HOST_PAGE;
/// The most slots one pool's bookkeeping may track: Wasmtime allocates a
/// slot-state entry per slot up front (index_allocator.rs:284-304), and
/// an allocation failure there aborts the process inside the C API.
const MAX_POOL_SLOTS: u64 = 1 << 24;

/// The pooling allocator reserves every pool when the engine is created
/// (`PoolingInstanceAllocator::new`, pooling.rs:272-307): memories
/// (memory_pool.rs), tables (table_pool.rs:33-52), GC heaps (which share
/// the memory pool, gc_heap_pool.rs:62-92), and, in builds with async,
/// stacks (unix_stack_pool.rs:35-56). Any error there (a size that
/// overflows, a mapping the address space cannot hold, bookkeeping that
/// cannot be allocated) aborts the process inside `wasm_engine_new_with_config`.
/// Instance counts (core and component) are only counters, and GC heap
/// and stack counts are not settable here (Wasmtime's defaults, 1000 each,
/// are accounted for).
fn validate_pool(s: &Settings, pool: &crate::pooling::PoolingConfig) -> Result<()> {
    let reservation = s.memory_reservation.unwrap_or(DEFAULT_MEMORY_RESERVATION);
    let guard = s.memory_guard_size.unwrap_or(DEFAULT_MEMORY_GUARD);
    let max_memory = pool
        .max_memory_size
        .map_or(crate::pooling::DEFAULT_MAX_MEMORY_SIZE, |m| m as u64);
    // memory_pool.rs:179-185
    if max_memory > reservation {
        return Err(ErrorKind::Config(format!(
            "the pool's max_memory_size ({max_memory} bytes) exceeds memory_reservation ({reservation} bytes): \
             lower max_memory_size or raise memory_reservation"
        )).into());
    }
    // index_allocator.rs:284-304: bookkeeping per slot, allocated up front.
    let counts = [
        ("total_memories", pool.total_memories),
        ("total_tables", pool.total_tables),
    ];
    for (name, count) in counts {
        if let Some(count) = count.map(u64::from).filter(|c| *c > MAX_POOL_SLOTS) {
            return Err(ErrorKind::Config(format!(
                "the pool's {name} ({count}) is above {MAX_POOL_SLOTS}: Wasmtime allocates the \
                 bookkeeping of every slot when the engine is created; lower {name}"
            ))
            .into());
        }
    }
    // memory_pool.rs:742-916: slot and total sizes must be computable and
    // mappable.
    let memories = pool
        .total_memories
        .map_or(crate::pooling::DEFAULT_TOTAL_MEMORIES, u64::from);
    let memory_total = reservation
        .checked_add(guard)
        .and_then(|slot| slot.checked_add(guard))
        .and_then(|slot| slot.checked_mul(memories.max(1)))
        .filter(|total| *total <= MAX_POOL_RESERVATION)
        .ok_or_else(|| {
            ErrorKind::Config(format!(
                "the pool's {memories} memories of {reservation} bytes plus {guard}-byte guards need more address \
                 space than this process can reserve: lower total_memories, memory_reservation or memory_guard_size"
            ))
        })?;
    // table_pool.rs:33-52: a slot of `table_elements` entries per table,
    // rounded up to pages, times `total_tables`, in one mapping.
    let elements = pool
        .table_elements
        .map_or(DEFAULT_TABLE_ELEMENTS, |e| e as u64);
    let tables = pool.total_tables.map_or(DEFAULT_TOTAL_TABLES, u64::from);
    let table_total = elements
        .checked_mul(TABLE_ELEMENT_BYTES)
        .and_then(|bytes| bytes.checked_next_multiple_of(HOST_PAGE))
        .and_then(|slot| slot.checked_mul(tables))
        .filter(|total| *total <= MAX_POOL_RESERVATION)
        .ok_or_else(|| {
            ErrorKind::Config(format!(
                "the pool's {tables} tables of {elements} elements ({TABLE_ELEMENT_BYTES} bytes each) need more \
                 address space than this process can reserve: lower total_tables or table_elements"
            ))
        })?;
    // unix_stack_pool.rs:35-56, with Wasmtime's defaults.
    let stack_total = DEFAULT_TOTAL_STACKS * STACK_SLOT;
    let sum = memory_total
        .checked_add(table_total)
        .and_then(|t| t.checked_add(stack_total));
    match sum {
        Some(sum) if sum <= MAX_POOL_RESERVATION => Ok(()),
        _ => Err(ErrorKind::Config(format!(
            "the pool's memories ({memory_total} bytes) and tables ({table_total} bytes) together need more \
             address space than this process can reserve ({MAX_POOL_RESERVATION} bytes): lower total_memories, \
             memory_reservation, total_tables or table_elements"
        )).into()),
    }
}

fn validate_winch(s: &Settings) -> Result<()> {
    // winch builder.rs:62 and 66
    if s.signals_based_traps == Some(false) {
        return Err(crate::config::config_error(
            "Winch requires signals_based_traps(true)",
        ));
    }
    if s.debug_info == Some(true) {
        return Err(crate::config::config_error(
            "Winch cannot generate debug info: use debug_info(false)",
        ));
    }
    Ok(())
}
