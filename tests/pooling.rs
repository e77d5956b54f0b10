//! The pooling allocator: limits, many instantiations, clear errors.

mod common;

use common::{engine_with, kind, round_has, Flavour};
use wasmtime_dyn::{
    Capability, Config, Engine, ErrorKind, InstanceAllocationStrategy, Linker, Module,
    PoolingAllocationConfig, PoolingConfig, Store,
};

const WAT: &str =
    r#"(module (memory (export "m") 1) (func (export "f") (result i32) i32.const 1))"#;

fn pool(instances: u32) -> PoolingConfig {
    let mut pool = PoolingConfig::default();
    pool.total_core_instances = Some(instances);
    pool.total_memories = Some(instances);
    pool.total_tables = Some(instances);
    pool.max_memory_size = Some(1 << 20);
    pool
}

#[test]
fn many_instantiations_and_a_clear_error_past_the_limit() {
    let engine = engine_with(Flavour::Full, |c| {
        c.pooling_allocator().unwrap().enable(pool(4));
    });
    let module = Module::new(&engine, WAT).unwrap();
    let linker = Linker::new(&engine);
    // Many instantiations, each store dropped: slots are reused.
    for _ in 0..200 {
        let mut store = Store::new(&engine, ());
        let instance = linker.instantiate(&mut store, &module).unwrap();
        assert_eq!(
            instance
                .get_typed_func::<(), i32>(&mut store, "f")
                .unwrap()
                .call(&mut store, ())
                .unwrap(),
            1
        );
    }
    // Four at once fit; the fifth is an error naming the limit.
    let mut stores: Vec<Store<()>> = (0..5).map(|_| Store::new(&engine, ())).collect();
    for store in &mut stores[..4] {
        linker.instantiate(store, &module).unwrap();
    }
    let err = linker.instantiate(&mut stores[4], &module).unwrap_err();
    assert!(err.to_string().contains("maximum concurrent"), "{err}");
    drop(stores);
    let mut store = Store::new(&engine, ());
    linker.instantiate(&mut store, &module).unwrap();
}

#[test]
fn memory_growth_past_the_pool_limit_fails() {
    let engine = engine_with(Flavour::Full, |c| {
        c.pooling_allocator().unwrap().enable(pool(2));
    });
    let module = Module::new(&engine, WAT).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let memory = instance.get_memory(&mut store, "m").unwrap();
    assert_eq!(memory.grow(&mut store, 15).unwrap(), 1);
    assert!(
        memory.grow(&mut store, 1).is_err(),
        "1 MiB = 16 pages is the pool's max_memory_size"
    );
}

#[test]
fn impossible_pools_are_refused_before_the_engine_exists() {
    let full = Flavour::Full.load();
    let mut config = Config::new(full);
    let mut big = pool(4);
    big.max_memory_size = Some(8 << 30);
    config.pooling_allocator().unwrap().enable(big);
    let err = Engine::new(full, &config).unwrap_err();
    assert!(
        matches!(kind(&err), Some(ErrorKind::Config(m)) if m.contains("max_memory_size")),
        "{err:?}"
    );

    let mut config = Config::new(full);
    let mut huge = pool(100_000);
    huge.max_memory_size = None;
    config.pooling_allocator().unwrap().enable(huge);
    let err = Engine::new(full, &config).unwrap_err();
    assert!(
        matches!(kind(&err), Some(ErrorKind::Config(m)) if m.contains("address")),
        "{err:?}"
    );
}

#[test]
fn absent_without_the_capability() {
    if !round_has(Flavour::Min) {
        return;
    }
    for flavour in [Flavour::Min, Flavour::CompilerOnly] {
        let mut config = Config::new(flavour.load());
        assert!(config.pooling_allocator().is_none());
        assert!(!flavour.load().has(Capability::PoolingAllocator));
        // The crate-shaped setter, which exists on every build, is refused
        // when the engine is made; on demand is fine.
        config.allocation_strategy(InstanceAllocationStrategy::pooling());
        let err = Engine::new(flavour.load(), &config).unwrap_err();
        assert!(
            matches!(
                kind(&err),
                Some(ErrorKind::Unsupported(Capability::PoolingAllocator))
            ),
            "{flavour:?}: {err:?}"
        );
        config.allocation_strategy(InstanceAllocationStrategy::OnDemand);
        Engine::new(flavour.load(), &config).unwrap();
    }
}

#[test]
fn the_crate_shaped_builder_and_strategy_set_the_same_pool() {
    let full = Flavour::Full.load();
    let mut pool = PoolingAllocationConfig::default();
    pool.total_core_instances(2)
        .total_memories(2)
        .total_tables(2)
        .max_memory_size(1 << 20);
    let mut config = Config::new(full);
    config.allocation_strategy(pool);
    let engine = Engine::new(full, &config).unwrap();
    let module = Module::new(&engine, WAT).unwrap();
    let linker = Linker::new(&engine);
    let mut stores: Vec<Store<()>> = (0..3).map(|_| Store::new(&engine, ())).collect();
    for store in &mut stores[..2] {
        linker.instantiate(store, &module).unwrap();
    }
    // The builder's limit of two holds.
    let err = linker.instantiate(&mut stores[2], &module).unwrap_err();
    assert!(err.to_string().contains("maximum concurrent"), "{err}");
    // Growth past the builder's max_memory_size fails.
    let mut store = Store::new(&engine, ());
    drop(stores);
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let memory = instance.get_memory(&mut store, "m").unwrap();
    assert!(memory.grow(&mut store, 16).is_err());
}
