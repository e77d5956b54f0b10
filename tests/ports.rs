//! Issue 12: programs written against the `wasmtime` crate's core API
//! (and, for p15, `wasmtime_wasi`'s preview 2 API, and for p16 the
//! component derive macros: issue 18)
//! (`tests/ports/crate/cNN_*.rs`, not compiled here) ported to wasmtime-dyn
//! (`tests/ports/pNN_*.rs`) by changing the `use` line, the library
//! loading and the library argument where an `Engine` or `Config` is made,
//! plus the lines marked `// port:` (listed with their reasons in
//! `tests/ports/DIFF.md`). Each program asserts its own results; here each
//! runs on the round's full library, and the ones that need no compiler at
//! run time (modules precompiled by the full library, as the crate's
//! pre_compile/run_pre_compiled examples do) on the minimal one too.

mod common;

use common::{round_has, Flavour};
use wasmtime_dyn::{Engine, Wasmtime};

#[path = "ports/p01_hello.rs"]
mod p01_hello;
#[path = "ports/p02_memory.rs"]
mod p02_memory;
#[path = "ports/p03_multi.rs"]
mod p03_multi;
#[path = "ports/p04_linking.rs"]
mod p04_linking;
#[path = "ports/p05_wasi.rs"]
mod p05_wasi;
#[path = "ports/p06_fuel.rs"]
mod p06_fuel;
#[path = "ports/p07_epoch.rs"]
mod p07_epoch;
#[path = "ports/p08_interrupt.rs"]
mod p08_interrupt;
#[path = "ports/p09_serialize.rs"]
mod p09_serialize;
#[path = "ports/p10_precompile_min.rs"]
mod p10_precompile_min;
#[path = "ports/p11_externref.rs"]
mod p11_externref;
#[path = "ports/p12_host_error.rs"]
mod p12_host_error;
#[path = "ports/p13_coredump.rs"]
mod p13_coredump;
#[path = "ports/p14_instance_pre.rs"]
mod p14_instance_pre;
#[path = "ports/p15_wasi_p2.rs"]
mod p15_wasi_p2;
#[path = "ports/p16_component_derive.rs"]
mod p16_component_derive;
#[path = "ports/p17_async.rs"]
mod p17_async;

/// Runs a port's `main`, failing with the error's whole chain.
fn run<E: std::fmt::Debug>(name: &str, main: impl FnOnce() -> Result<(), E>) {
    if let Err(err) = main() {
        panic!("{name} failed: {err:?}");
    }
}

fn full() -> &'static Wasmtime {
    Flavour::Full.load()
}

#[test]
fn p01_hello() {
    run("p01_hello", || p01_hello::main(full()));
}

#[test]
fn p02_memory() {
    run("p02_memory", || p02_memory::main(full()));
}

#[test]
fn p03_multi() {
    run("p03_multi", || p03_multi::main(full()));
}

#[test]
fn p04_linking() {
    run("p04_linking", || p04_linking::main(full()));
}

#[test]
fn p05_wasi() {
    run("p05_wasi", || p05_wasi::main(full()));
}

#[test]
fn p06_fuel() {
    run("p06_fuel", || p06_fuel::main(full()));
}

#[test]
fn p07_epoch() {
    run("p07_epoch", || p07_epoch::main(full()));
}

#[test]
fn p08_interrupt() {
    run("p08_interrupt", || p08_interrupt::main(full()));
}

#[test]
fn p09_serialize() {
    run("p09_serialize", || p09_serialize::main(full()));
}

/// The deserializing half of p09 on the minimal library, given the module
/// precompiled by the full library for the minimal engine.
#[test]
fn p09_serialize_deserialize_on_min() {
    if !round_has(Flavour::Min) {
        return;
    }
    let min = Flavour::Min.load();
    run("p09_serialize::deserialize on min", || {
        let target = Engine::default_for(min)?;
        let cwasm = wasmtime_dyn::precompile_for(full(), &target, p09_serialize::WAT)?;
        p09_serialize::deserialize(min, &cwasm)
    });
}

#[test]
fn p10_precompile_min() {
    run("p10_precompile_min", || p10_precompile_min::main(full()));
}

/// p10 as meant: the build step on the full library, the runtime on the
/// minimal one.
#[test]
fn p10_precompile_min_on_min() {
    if !round_has(Flavour::Min) {
        return;
    }
    let min = Flavour::Min.load();
    run("p10_precompile_min on min", || {
        let cwasm = p10_precompile_min::precompile(full(), p10_precompile_min::WAT.as_bytes())?;
        p10_precompile_min::run(min, &cwasm)
    });
}

#[test]
fn p11_externref() {
    run("p11_externref", || p11_externref::main(full()));
}

#[test]
fn p12_host_error() {
    run("p12_host_error", || p12_host_error::main(full()));
}

#[test]
fn p13_coredump() {
    run("p13_coredump", || p13_coredump::main(full()));
}

#[test]
fn p14_instance_pre() {
    run("p14_instance_pre", || p14_instance_pre::main(full()));
}

/// The crate's program reads the command component's path from
/// `WASMTIME_DYN_TEST_P2_COMMAND`; a plain `cargo test` finds it in the
/// manifest `cargo xtask artifacts` wrote, so it is copied to the
/// environment first.
#[test]
fn p15_wasi_p2() {
    if common::components_refused() {
        return;
    }
    const VAR: &str = "WASMTIME_DYN_TEST_P2_COMMAND";
    let path = common::test_var(VAR).unwrap_or_else(|| {
        panic!("{VAR} is not set: run `cargo xtask artifacts`, which makes the command component")
    });
    std::env::set_var(VAR, path);
    run("p15_wasi_p2", || p15_wasi_p2::main(full()));
}

#[test]
fn p16_component_derive() {
    if common::components_refused() {
        return;
    }
    run(
        "p16_component_derive",
        || p16_component_derive::main(full()),
    );
}

#[test]
fn p17_async() {
    // Before 42 async calls are refused as too old.
    if let Err(why) = common::too_old(p17_async::main(full())) {
        eprintln!("{why}");
    }
}
