//! The pooling allocator: limits, many instantiations, clear errors.

mod common;

use common::child::isolate;
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

// ---- A pool this process cannot map is refused, not aborted on ----
//
// Wasmtime maps every pool inside `wasm_engine_new_with_config`, which
// unwraps the result: on main, a default pool under a 64 GiB address-space
// limit, or the 32nd default pooling engine of an x86-64 process, ended the
// process ("failed to create memory pool mapping").

/// Sets this (child) process's address-space limit (the soft one, so it
/// can be raised again).
fn set_address_space_limit(bytes: u64) {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid `rlimit` to fill.
    assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_AS, &mut limit) }, 0);
    limit.rlim_cur = bytes.min(limit.rlim_max);
    // SAFETY: a plain value for this process, which is a child of its own.
    let set = unsafe { libc::setrlimit(libc::RLIMIT_AS, &limit) };
    assert_eq!(set, 0, "setrlimit: {}", std::io::Error::last_os_error());
}

/// The number after `before` in `message`.
fn number_after(message: &str, before: &str) -> u64 {
    let rest = &message[message
        .find(before)
        .unwrap_or_else(|| panic!("{before:?} in {message}"))
        + before.len()..];
    rest.split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a number after {before:?} in {message}"))
}

/// The `ErrorKind::Config` message of `result`'s error.
fn config_message(result: Result<Engine, wasmtime_dyn::Error>) -> String {
    match result {
        Err(err) => match kind(&err) {
            Some(ErrorKind::Config(message)) => message.clone(),
            _ => panic!("expected ErrorKind::Config, got {err:?}"),
        },
        Ok(_) => panic!("expected the pool to be refused"),
    }
}

/// Instantiates a module with a memory on `engine` and calls it.
fn runs(engine: &Engine) {
    let module = Module::new(engine, WAT).unwrap();
    let mut store = Store::new(engine, ());
    let instance = Linker::new(engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let f = instance.get_typed_func::<(), i32>(&mut store, "f").unwrap();
    assert_eq!(f.call(&mut store, ()).unwrap(), 1);
}

#[test]
fn a_default_pool_under_an_address_space_limit_is_refused() {
    isolate(
        "a_default_pool_under_an_address_space_limit_is_refused",
        || {
            let full = Flavour::Full.load();
            let limit = 64u64 << 30;
            set_address_space_limit(limit);
            let mut config = Config::new(full);
            config.allocation_strategy(InstanceAllocationStrategy::pooling());
            let message = config_message(Engine::new(full, &config));
            println!("refused: {message}");
            let needed = number_after(&message, "reserves");
            let available = number_after(&message, "this process can map");
            assert!(needed > available, "{message}");
            assert!(available < limit, "{message}");
            assert!(
                message.contains(&format!("RLIMIT_AS, is {limit} bytes")),
                "{message}"
            );
            assert!(message.contains("total_memories"), "{message}");
            // A pool that fits under the same limit works.
            let mut pool = PoolingAllocationConfig::default();
            pool.total_core_instances(4)
                .total_memories(4)
                .total_tables(4)
                .max_memory_size(1 << 20);
            config.allocation_strategy(pool);
            runs(&Engine::new(full, &config).unwrap());
        },
    );
}

#[test]
fn pooling_engines_until_the_address_space_is_full_are_refused() {
    isolate(
        "pooling_engines_until_the_address_space_is_full_are_refused",
        || {
            let full = Flavour::Full.load();
            let mut config = Config::new(full);
            config.allocation_strategy(InstanceAllocationStrategy::pooling());
            let mut engines = Vec::new();
            let message = loop {
                match Engine::new(full, &config) {
                    Ok(engine) => engines.push(engine),
                    Err(err) => break config_message(Err(err)),
                }
                // About 4 TiB each: a 64-bit address space holds far fewer.
                assert!(engines.len() < 10_000, "no pooling engine was refused");
            };
            println!(
                "{} default pooling engines were made; the next: {message}",
                engines.len()
            );
            assert!(!engines.is_empty());
            let held = format!("{} pooling engines of this process hold", engines.len());
            assert!(message.contains(&held), "{message}");
            // The engines made work, and dropping one makes room for another.
            runs(&engines[0]);
            engines.pop();
            let engine = Engine::new(full, &config).unwrap();
            runs(&engine);
            drop(engines);
            // Once they are gone, a smaller pool beside it is no problem.
            let mut pool = PoolingAllocationConfig::default();
            pool.total_memories(4)
                .total_tables(4)
                .max_memory_size(1 << 20);
            config.allocation_strategy(pool);
            runs(&Engine::new(full, &config).unwrap());
        },
    );
}

/// The address ranges this process has mapped (`/proc/self/maps`), as
/// `(start, end)`.
fn mappings() -> Vec<(u64, u64)> {
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
    maps.lines()
        .map(|line| {
            let range = line.split_whitespace().next().unwrap();
            let (start, end) = range.split_once('-').unwrap();
            (
                u64::from_str_radix(start, 16).unwrap(),
                u64::from_str_radix(end, 16).unwrap(),
            )
        })
        .collect()
}

/// The bytes mapped now that no range of `before` covered: what was mapped
/// since, whatever was unmapped meanwhile (a `VmSize` difference would
/// subtract a malloc arena or a buffer freed in between).
fn newly_mapped(before: &[(u64, u64)]) -> u64 {
    mappings()
        .into_iter()
        .map(|(start, end)| {
            let covered: u64 = before
                .iter()
                .map(|&(b_start, b_end)| b_end.min(end).saturating_sub(b_start.max(start)))
                .sum();
            end - start - covered
        })
        .sum()
}

/// `VmSize` of this process.
fn mapped_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmSize:")).unwrap();
    line.split_whitespace()
        .nth(1)
        .unwrap()
        .parse::<u64>()
        .unwrap()
        * 1024
}

#[test]
fn the_reservation_checked_is_what_wasmtime_maps() {
    isolate("the_reservation_checked_is_what_wasmtime_maps", || {
        let full = Flavour::Full.load();
        // One-time set-up (signal handlers, the compiler) outside the
        // figures.
        let _warm = Engine::new(full, &Config::new(full)).unwrap();
        type Configure = fn(&mut Config, &mut PoolingAllocationConfig);
        let cases: [(&str, Configure); 4] = [
            ("default", |_, _| {}),
            ("small", |_, p| {
                p.total_memories(10)
                    .total_tables(10)
                    .max_memory_size(1 << 20);
            }),
            ("tables", |c, p| {
                c.memory_reservation(1 << 20).memory_guard_size(0);
                p.total_memories(3000)
                    .max_memory_size(1 << 20)
                    .total_tables(5000)
                    .table_elements(100_000);
            }),
            ("odd sizes", |c, p| {
                c.memory_reservation(3 << 20).memory_guard_size(5000);
                p.total_memories(7)
                    .max_memory_size(100_000)
                    .table_elements(3);
            }),
        ];
        for (name, configure) in cases {
            let mut config = Config::new(full);
            let mut pool = PoolingAllocationConfig::default();
            configure(&mut config, &mut pool);
            config.allocation_strategy(pool);
            // What the check counts, read from its refusal under a limit
            // nothing fits in.
            let before = mapped_bytes();
            set_address_space_limit(before + (1 << 20));
            let message = config_message(Engine::new(full, &config));
            set_address_space_limit(libc::RLIM_INFINITY);
            let needed = number_after(&message, "reserves");
            let bookkeeping = {
                let end = message.find(" of bookkeeping").unwrap();
                message[..end]
                    .rsplit(' ')
                    .next()
                    .unwrap()
                    .parse::<u64>()
                    .unwrap()
            };
            // What Wasmtime maps.
            let ranges = mappings();
            let engine = Engine::new(full, &config).unwrap();
            let mapped = newly_mapped(&ranges);
            println!("{name}: checked {needed} bytes, of which {bookkeeping} bookkeeping; Wasmtime mapped {mapped}");
            // The process's own mappings can grow meanwhile by a malloc
            // arena (64 MiB reserved per thread that first allocates): what
            // this guards against, a pool left out, is gigabytes.
            const OTHER_MAPPINGS: u64 = 128 << 20;
            assert!(
                mapped <= needed + OTHER_MAPPINGS,
                "{name}: Wasmtime mapped {mapped} bytes, more than the {needed} checked: {message}"
            );
            let over = needed.saturating_sub(mapped);
            assert!(
                over <= bookkeeping + (8 << 20),
                "{name}: the check counts {over} bytes more than Wasmtime maps"
            );
            // And that much room (and room for the process's own mappings
            // meanwhile, a malloc arena included) is enough; compiling needs
            // more, so the limit is lifted before.
            drop(engine);
            set_address_space_limit(mapped_bytes() + needed + OTHER_MAPPINGS);
            let engine = Engine::new(full, &config).unwrap();
            set_address_space_limit(libc::RLIM_INFINITY);
            runs(&engine);
        }
    });
}

#[test]
fn a_pool_for_a_32_bit_target_follows_its_tunables() {
    // On main Wasmtime's refusal ("maximum memory size of 0x100000000
    // bytes exceeds the configured memory reservation of 0xa00000 bytes")
    // aborted the process: a 32-bit target reserves 10 MiB per memory.
    isolate("a_pool_for_a_32_bit_target_follows_its_tunables", || {
        let full = Flavour::Full.load();
        let mut config = Config::new(full);
        config.target("pulley32").unwrap();
        config.allocation_strategy(InstanceAllocationStrategy::pooling());
        let message = config_message(Engine::new(full, &config));
        assert!(
            message.contains("max_memory_size (4294967296 bytes)")
                && message.contains("memory_reservation (10485760 bytes"),
            "{message}"
        );
        let mut pool = PoolingAllocationConfig::default();
        pool.max_memory_size(10 << 20);
        config.allocation_strategy(pool);
        // A pool within the target's reservation is made.
        Engine::new(full, &config).unwrap();
    });
}
