//! Criterion benchmarks of the `wasmtime` crate, native `TypedFunc::call`:
//! the variant `wasmtime_crate` of the groups of wasmtime-dyn's `calls`
//! bench, over the same module; `wasmtime_crate_untyped` is the crate's
//! `Func::call` of `add`.

#[path = "../../benches/common/criterion_config.rs"]
mod criterion_config;

use bench_wasmtime::{linker, World, WAT};
use criterion::Criterion;
use std::hint::black_box;
use wasmtime::{Engine, Module, Store, Val};

fn calls(c: &mut Criterion) {
    let World {
        mut store,
        instance,
        nop,
        add,
        mixed,
        call_host,
        host_loop,
    } = World::new();
    let untyped_add = instance.get_func(&mut store, "add").unwrap();
    let params = [Val::I32(1), Val::I32(2)];
    let mut results = [Val::I32(0)];
    c.benchmark_group("call_nop")
        .bench_function("wasmtime_crate", |b| {
            b.iter(|| nop.call(&mut store, ()).unwrap())
        });
    c.benchmark_group("call_add")
        .bench_function("wasmtime_crate", |b| {
            b.iter(|| add.call(&mut store, (black_box(1), black_box(2))).unwrap())
        })
        .bench_function("wasmtime_crate_untyped", |b| {
            b.iter(|| {
                untyped_add
                    .call(&mut store, black_box(&params), &mut results)
                    .unwrap();
                black_box(&mut results);
            })
        });
    c.benchmark_group("call_mixed")
        .bench_function("wasmtime_crate", |b| {
            b.iter(|| {
                mixed
                    .call(
                        &mut store,
                        (
                            black_box(1),
                            black_box(2i64),
                            black_box(3.0f32),
                            black_box(4.0f64),
                        ),
                    )
                    .unwrap()
            })
        });
    c.benchmark_group("host_call")
        .bench_function("wasmtime_crate", |b| {
            b.iter(|| call_host.call(&mut store, black_box(1)).unwrap())
        });
    c.benchmark_group("host_loop100")
        .bench_function("wasmtime_crate", |b| {
            b.iter(|| host_loop.call(&mut store, black_box(100)).unwrap())
        });
}

fn instantiate(c: &mut Criterion) {
    let engine = Engine::default();
    let cwasm = engine.precompile_module(WAT.as_bytes()).unwrap();
    // SAFETY: the artifact was just produced by this engine.
    let module = unsafe { Module::deserialize(&engine, &cwasm) }.unwrap();
    let linker = linker(&engine);
    let pre = linker.instantiate_pre(&module).unwrap();
    c.benchmark_group("instantiate")
        .bench_function("wasmtime_crate", |b| {
            b.iter(|| {
                let mut store = Store::new(&engine, ());
                let instance = linker.instantiate(&mut store, &module).unwrap();
                let add = instance
                    .get_typed_func::<(i32, i32), i32>(&mut store, "add")
                    .unwrap();
                black_box(add.call(&mut store, (1, 2)).unwrap())
            })
        })
        .bench_function("wasmtime_crate_pre", |b| {
            b.iter(|| {
                let mut store = Store::new(&engine, ());
                let instance = pre.instantiate(&mut store).unwrap();
                let add = instance
                    .get_typed_func::<(i32, i32), i32>(&mut store, "add")
                    .unwrap();
                black_box(add.call(&mut store, (1, 2)).unwrap())
            })
        });
}

criterion::criterion_group! {
    name = group;
    config = criterion_config::config();
    targets = calls, instantiate
}
criterion::criterion_main!(group);
