//! Criterion benchmarks of wasmtime-dyn's component calls, run by
//! `cargo xtask bench` (which reads the results into `benches/RESULTS.md`).
//!
//! Groups, each a call of one export of `benches/components.wat` on the
//! full library (`WASMTIME_DYN_TEST_FULL`):
//! - `component_echo`: `echo: (string) -> string` with a 32-byte string;
//! - `component_list`: `list-echo: (list<u32>) -> list<u32>` with 1,000
//!   `u32`s;
//! - `component_record`: `point-echo: (point) -> point`, a record of an
//!   `f64` pair, a `u32` and a `bool`;
//!
//! as `typed` ([`TypedFunc::call`](wasmtime_dyn::component::TypedFunc::call),
//! borrowed arguments) and `dynamic`
//! ([`Func::call`](wasmtime_dyn::component::Func::call) with the argument
//! `Val`s built once and the result slot reused). The wasmtime crate's
//! variants of the same groups (`crate_typed`, `crate_dynamic`) live in
//! `bench-wasmtime/benches/components.rs`.

#![deny(unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]

#[path = "common/components.rs"]
mod components;
#[path = "common/criterion_config.rs"]
mod criterion_config;

use components::{point_val, Components, POINT, TEXT};
use criterion::Criterion;
use std::hint::black_box;
use std::path::PathBuf;
use wasmtime_dyn::component::Val;
use wasmtime_dyn::Wasmtime;

fn full() -> &'static Wasmtime {
    let path = std::env::var_os("WASMTIME_DYN_TEST_FULL")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            panic!("WASMTIME_DYN_TEST_FULL is not set: run the benchmarks with `cargo xtask bench`")
        });
    // SAFETY: the benchmark library is a Wasmtime C API library.
    unsafe { Wasmtime::open(&path) }.unwrap_or_else(|e| panic!("WASMTIME_DYN_TEST_FULL: {e}"))
}

fn calls(c: &mut Criterion) {
    let list: &'static [u32] = Box::leak(components::list().into_boxed_slice());
    let mut w = Components::new(full());
    w.check(list);
    let Components {
        store,
        echo,
        list_echo,
        point_echo,
        echo_dyn,
        list_echo_dyn,
        point_echo_dyn,
        ..
    } = &mut w;

    let mut g = c.benchmark_group("component_echo");
    g.bench_function("typed", |b| {
        b.iter(|| echo.call(&mut *store, (black_box(TEXT),)).unwrap())
    });
    let args = [Val::String(TEXT.into())];
    let mut out = [Val::Bool(false)];
    g.bench_function("dynamic", |b| {
        b.iter(|| {
            echo_dyn
                .call(&mut *store, black_box(&args), &mut out)
                .unwrap()
        })
    });
    g.finish();

    let mut g = c.benchmark_group("component_list");
    g.bench_function("typed", |b| {
        b.iter(|| list_echo.call(&mut *store, (black_box(list),)).unwrap())
    });
    let args = [Val::List(list.iter().map(|v| Val::U32(*v)).collect())];
    g.bench_function("dynamic", |b| {
        b.iter(|| {
            list_echo_dyn
                .call(&mut *store, black_box(&args), &mut out)
                .unwrap()
        })
    });
    g.finish();

    let mut g = c.benchmark_group("component_record");
    g.bench_function("typed", |b| {
        b.iter(|| point_echo.call(&mut *store, (black_box(POINT),)).unwrap())
    });
    let args = [point_val()];
    g.bench_function("dynamic", |b| {
        b.iter(|| {
            point_echo_dyn
                .call(&mut *store, black_box(&args), &mut out)
                .unwrap()
        })
    });
    g.finish();
}

fn main() {
    let mut c = criterion_config::config().configure_from_args();
    calls(&mut c);
    c.final_summary();
}
