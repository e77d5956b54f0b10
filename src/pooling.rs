//! The pooling instance allocator: the
//! [`PoolingAllocator`](crate::Capability::PoolingAllocator) capability.

use crate::sys::tables;
use crate::sys::types::*;

mod reservation;

pub(crate) use reservation::{Creating, PoolTicket, Reservation};

/// Limits of the pooling allocator, which reserves every instance's memory
/// and tables up front so instantiation is fast and bounded. Unset limits
/// keep Wasmtime's defaults (1000 instances, memories and tables; 4 GiB per
/// memory; 20 000 table elements; one memory and one table per module).
///
/// ```
/// use wasmtime_dyn::PoolingConfig;
/// let mut pool = PoolingConfig::default();
/// pool.total_core_instances = Some(10);
/// pool.max_memory_size = Some(1 << 20);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PoolingConfig {
    /// Instances alive at once, across all stores.
    pub total_core_instances: Option<u32>,
    /// Linear memories alive at once.
    pub total_memories: Option<u32>,
    /// Tables alive at once.
    pub total_tables: Option<u32>,
    /// The most bytes one memory may grow to (at most the engine's
    /// `memory_reservation`).
    pub max_memory_size: Option<usize>,
    /// Memories one module may define.
    pub max_memories_per_module: Option<u32>,
    /// Tables one module may define.
    pub max_tables_per_module: Option<u32>,
    /// Elements one table may hold.
    pub table_elements: Option<usize>,
    /// Bytes of instance state one module may need.
    pub max_core_instance_size: Option<usize>,
    /// Freed slots kept warm for reuse.
    pub max_unused_warm_slots: Option<u32>,
}

impl PoolingConfig {
    /// Applies the settings to `config` through the C API.
    pub(crate) fn apply(&self, table: &tables::PoolingAllocator, config: *mut wasm_config_t) {
        // SAFETY: returns a new owned pooling configuration.
        let pool = unsafe { (table.wasmtime_pooling_allocation_config_new)() };
        macro_rules! set {
            ($($field:ident => $func:ident),* $(,)?) => {
                $(
                    if let Some(value) = self.$field {
                        // SAFETY: `pool` is live; plain value.
                        unsafe { (table.$func)(pool, value) };
                    }
                )*
            };
        }
        set!(
            total_core_instances => wasmtime_pooling_allocation_config_total_core_instances_set,
            total_memories => wasmtime_pooling_allocation_config_total_memories_set,
            total_tables => wasmtime_pooling_allocation_config_total_tables_set,
            max_memory_size => wasmtime_pooling_allocation_config_max_memory_size_set,
            max_memories_per_module => wasmtime_pooling_allocation_config_max_memories_per_module_set,
            max_tables_per_module => wasmtime_pooling_allocation_config_max_tables_per_module_set,
            table_elements => wasmtime_pooling_allocation_config_table_elements_set,
            max_core_instance_size => wasmtime_pooling_allocation_config_max_core_instance_size_set,
            max_unused_warm_slots => wasmtime_pooling_allocation_config_max_unused_warm_slots_set,
        );
        // SAFETY: both are live; the strategy copies the pool settings, so
        // the pool configuration is deleted right after.
        unsafe {
            (table.wasmtime_pooling_allocation_strategy_set)(config, pool);
            (table.wasmtime_pooling_allocation_config_delete)(pool);
        }
    }
}

/// The pooling allocator's limits, built as the `wasmtime` crate's
/// `PoolingAllocationConfig` is (a front for [`PoolingConfig`]), for
/// [`Config::allocation_strategy`](crate::Config::allocation_strategy).
///
/// ```
/// use wasmtime_dyn::PoolingAllocationConfig;
/// let mut pool = PoolingAllocationConfig::default();
/// pool.total_core_instances(10).total_memories(10).max_memory_size(1 << 20);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PoolingAllocationConfig(pub(crate) PoolingConfig);

macro_rules! pooling_setters {
    ($($(#[doc = $doc:literal])* $name:ident: $ty:ty;)*) => {
        impl PoolingAllocationConfig {
            $(
                $(#[doc = $doc])*
                pub fn $name(&mut self, value: $ty) -> &mut Self {
                    self.0.$name = Some(value);
                    self
                }
            )*
        }
    };
}

pooling_setters! {
    /// Instances alive at once, across all stores.
    ///
    /// ```
    /// wasmtime_dyn::PoolingAllocationConfig::default().total_core_instances(10);
    /// ```
    total_core_instances: u32;
    /// Linear memories alive at once.
    ///
    /// ```
    /// wasmtime_dyn::PoolingAllocationConfig::default().total_memories(10);
    /// ```
    total_memories: u32;
    /// Tables alive at once.
    ///
    /// ```
    /// wasmtime_dyn::PoolingAllocationConfig::default().total_tables(10);
    /// ```
    total_tables: u32;
    /// The most bytes one memory may grow to (at most the engine's
    /// `memory_reservation`).
    ///
    /// ```
    /// wasmtime_dyn::PoolingAllocationConfig::default().max_memory_size(1 << 20);
    /// ```
    max_memory_size: usize;
    /// Memories one module may define.
    ///
    /// ```
    /// wasmtime_dyn::PoolingAllocationConfig::default().max_memories_per_module(2);
    /// ```
    max_memories_per_module: u32;
    /// Tables one module may define.
    ///
    /// ```
    /// wasmtime_dyn::PoolingAllocationConfig::default().max_tables_per_module(2);
    /// ```
    max_tables_per_module: u32;
    /// Elements one table may hold.
    ///
    /// ```
    /// wasmtime_dyn::PoolingAllocationConfig::default().table_elements(1000);
    /// ```
    table_elements: usize;
    /// Bytes of instance state one module may need.
    ///
    /// ```
    /// wasmtime_dyn::PoolingAllocationConfig::default().max_core_instance_size(1 << 16);
    /// ```
    max_core_instance_size: usize;
    /// Freed slots kept warm for reuse.
    ///
    /// ```
    /// wasmtime_dyn::PoolingAllocationConfig::default().max_unused_warm_slots(4);
    /// ```
    max_unused_warm_slots: u32;
}

/// How instances get their memory, as the `wasmtime` crate's
/// `InstanceAllocationStrategy`: on demand (Wasmtime's default) or from
/// the pooling allocator.
///
/// ```
/// use wasmtime_dyn::{InstanceAllocationStrategy, PoolingAllocationConfig};
/// let on_demand = InstanceAllocationStrategy::default();
/// let pooled = InstanceAllocationStrategy::Pooling(PoolingAllocationConfig::default());
/// assert_eq!(InstanceAllocationStrategy::pooling(), pooled);
/// assert_ne!(on_demand, pooled);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum InstanceAllocationStrategy {
    /// Memory allocated for each instance when it is made.
    #[default]
    OnDemand,
    /// Memory taken from pools reserved when the engine is made; needs the
    /// [`PoolingAllocator`](crate::Capability::PoolingAllocator) capability.
    Pooling(PoolingAllocationConfig),
}

impl InstanceAllocationStrategy {
    /// The pooling allocator with Wasmtime's default limits.
    ///
    /// ```
    /// let strategy = wasmtime_dyn::InstanceAllocationStrategy::pooling();
    /// ```
    pub fn pooling() -> InstanceAllocationStrategy {
        InstanceAllocationStrategy::Pooling(PoolingAllocationConfig::default())
    }
}

impl From<PoolingAllocationConfig> for InstanceAllocationStrategy {
    fn from(pool: PoolingAllocationConfig) -> InstanceAllocationStrategy {
        InstanceAllocationStrategy::Pooling(pool)
    }
}
