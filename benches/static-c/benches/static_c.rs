//! Criterion benchmarks of the static C baseline: the module's functions
//! called through `wasmtime_func_call_unchecked` bound at link time, and the
//! host round trip through a C callback defined with
//! `wasmtime_linker_define_func_unchecked`. Same groups and module as the
//! root bench `calls`; the variant is `static_c`.

#![deny(unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]

#[path = "../../common/criterion_config.rs"]
mod criterion_config;

use criterion::Criterion;

#[cfg(wasmtime_static)]
fn benches(c: &mut Criterion) {
    use bench_static_c::{call_static, ffi, raw};
    use std::hint::black_box;
    use wasmtime_dyn::sys::types::wasmtime_val_raw_t;

    eprintln!(
        "static C baseline: linked against {}",
        bench_static_c::linked_library().unwrap().display()
    );
    // SAFETY: the linked functions are libwasmtime 48's; `raw::inc` is an
    // `(i32) -> i32` callback.
    let world = unsafe { raw::World::new(&ffi::api(), raw::inc) };
    let cx = world.context;

    c.benchmark_group("call_nop")
        .bench_function("static_c", |b| {
            b.iter(|| {
                // SAFETY: `nop` is `() -> ()` in this live store.
                unsafe { call_static(cx, &world.nop, &mut []) };
            })
        });
    c.benchmark_group("call_add")
        .bench_function("static_c", |b| {
            b.iter(|| {
                let mut slots = [
                    wasmtime_val_raw_t { i32_: black_box(1) },
                    wasmtime_val_raw_t { i32_: black_box(2) },
                ];
                // SAFETY: `add` is `(i32, i32) -> i32` in this live store;
                // on return the first slot holds the i32 result.
                unsafe {
                    call_static(cx, &world.add, &mut slots);
                    black_box(slots[0].i32_)
                }
            })
        });
    c.benchmark_group("call_mixed")
        .bench_function("static_c", |b| {
            b.iter(|| {
                let mut slots = [
                    wasmtime_val_raw_t { i32_: black_box(1) },
                    wasmtime_val_raw_t { i64_: black_box(2) },
                    wasmtime_val_raw_t {
                        f32_: black_box(3.0f32),
                    },
                    wasmtime_val_raw_t {
                        f64_: black_box(4.0f64),
                    },
                ];
                // SAFETY: `mixed` is `(i32, i64, f32, f64) -> f64` in this
                // live store; on return the first slot holds the f64.
                unsafe {
                    call_static(cx, &world.mixed, &mut slots);
                    black_box(slots[0].f64_)
                }
            })
        });
    c.benchmark_group("host_call")
        .bench_function("static_c", |b| {
            b.iter(|| {
                let mut slots = [wasmtime_val_raw_t { i32_: black_box(1) }];
                // SAFETY: `call_host` is `(i32) -> i32` in this live store.
                unsafe {
                    call_static(cx, &world.call_host, &mut slots);
                    black_box(slots[0].i32_)
                }
            })
        });
    c.benchmark_group("host_loop100")
        .bench_function("static_c", |b| {
            b.iter(|| {
                let mut slots = [wasmtime_val_raw_t {
                    i32_: black_box(100),
                }];
                // SAFETY: `host_loop` is `(i32) -> i32` in this live store.
                unsafe {
                    call_static(cx, &world.host_loop, &mut slots);
                    black_box(slots[0].i32_)
                }
            })
        });
}

#[cfg(not(wasmtime_static))]
fn benches(_: &mut Criterion) {
    eprintln!("skipping: {}", bench_static_c::NOT_LINKED);
}

criterion::criterion_group! {
    name = group;
    config = criterion_config::config();
    targets = benches
}
criterion::criterion_main!(group);
