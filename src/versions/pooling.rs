//! What the pooling allocator reserves when an engine is created, per
//! major: the defaults of the limits this crate does not set and the
//! tunables the pool sizes follow, as `crate::pooling::Reservation`
//! computes them.
//!
//! Read from each release's `wasmtime/src/config.rs`
//! (`InstanceLimits::default`, `PoolingAllocationConfig::default`,
//! `Config::async_stack_size`, `Config::build_allocator`),
//! `wasmtime-environ/src/tunables.rs` (`Tunables::default_u64`,
//! `default_u32`, `default_for_target`) and
//! `runtime/vm/instance/allocator/pooling/{memory_pool,table_pool,unix_stack_pool,gc_heap_pool}.rs`
//! (tags v45.0.0 to v48.0.0 of the Wasmtime repository, crates 49.0.0 and
//! 50.0.1): identical in 45 to 50 for 64-bit hosts. The layout itself is
//! the same in every one of them:
//!
//! - memories: one `PROT_NONE` mapping of `guard` (before the first slot,
//!   `guard_before_linear_memory`, on by default and not settable through
//!   the C API) plus `total_memories` slots of `max(memory_reservation,
//!   max_memory_size) + guard`, each rounded up to the host page
//!   (`SlabConstraints::new`, `calculate`, `total_slab_bytes`; memory
//!   protection keys, which shrink the slots, are off by default and not
//!   settable through the C API);
//! - tables: one read-write mapping of `total_tables` slots of
//!   `table_elements * NOMINAL_MAX_TABLE_ELEM_SIZE` rounded up to the page
//!   (`TablePool::new`);
//! - stacks, in builds with `async`: one read-write mapping of
//!   `total_stacks` slots of `async_stack_size` rounded up to the page plus
//!   one guard page (`StackPool::new`, `build_allocator`);
//! - GC heaps share the memory slots and are allocated lazily
//!   (`GcHeapPool::new`): nothing of their own up front.

use super::ByMajor;

/// The linear-memory tunables the memory pool's slots follow.
#[derive(Debug)]
pub(crate) struct MemoryTunables {
    /// `memory_reservation`.
    pub reservation: u64,
    /// `memory_guard_size`.
    pub guard: u64,
}

/// One major's pooling numbers.
#[derive(Debug)]
pub(crate) struct PoolDefaults {
    /// `InstanceLimits::total_memories` on 64-bit hosts.
    pub total_memories: u64,
    /// `InstanceLimits::total_tables`.
    pub total_tables: u64,
    /// `InstanceLimits::total_stacks` (this crate does not set it).
    pub total_stacks: u64,
    /// `InstanceLimits::total_gc_heaps` (this crate does not set it).
    pub total_gc_heaps: u64,
    /// `InstanceLimits::max_memory_size` on 64-bit hosts.
    pub max_memory_size: u64,
    /// `InstanceLimits::table_elements`.
    pub table_elements: u64,
    /// `NOMINAL_MAX_TABLE_ELEM_SIZE` (runtime/vm/table.rs): the widest
    /// table element, a function reference pointer on 64-bit hosts.
    pub table_element_bytes: u64,
    /// `Config::async_stack_size`'s default, the size of a stack slot
    /// (this crate does not set it).
    pub async_stack_size: u64,
    /// Whether a guard region precedes the first memory slot.
    pub guard_before_linear_memory: bool,
    /// `Tunables::default_u64`: targets with 64-bit pointers.
    pub tunables_64: MemoryTunables,
    /// `Tunables::default_u32`: targets with 32-bit pointers.
    pub tunables_32: MemoryTunables,
    /// `default_for_target`: Pulley targets have no memory guard.
    pub pulley_has_guard: bool,
}

/// The pooling numbers of each supported major.
/// 36 to 44 have the same numbers (`wasmtime` 36.0.23 and 44.0.3
/// `pooling.rs` and `config.rs`, `wasmtime-environ` 36.0.23 `tunables.rs`).
pub(crate) const POOL_DEFAULTS: ByMajor<PoolDefaults> = ByMajor(&[(
    36..=50,
    PoolDefaults {
        total_memories: 1000,
        total_tables: 1000,
        total_stacks: 1000,
        total_gc_heaps: 1000,
        max_memory_size: 1 << 32,
        table_elements: 20_000,
        table_element_bytes: 8,
        async_stack_size: 2 << 20,
        guard_before_linear_memory: true,
        tunables_64: MemoryTunables {
            reservation: 1 << 32,
            guard: 32 << 20,
        },
        tunables_32: MemoryTunables {
            reservation: 10 << 20,
            guard: 0x1_0000,
        },
        pulley_has_guard: false,
    },
)]);

/// What Wasmtime allocates on the heap per pool slot when the engine is
/// created (slot states, image slots, GC heap slots), as an upper bound:
/// measured on the official 48 library at about 170 bytes per memory and
/// table slot pair (1 M of each: 167 MiB resident), so 256 per slot of
/// every pool leaves room. It counts towards the address-space limit.
pub(crate) const BOOKKEEPING_PER_SLOT: u64 = 256;
