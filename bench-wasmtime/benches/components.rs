//! Criterion benchmarks of the wasmtime crate's component calls: the
//! variants `crate_typed` (`TypedFunc::call`) and `crate_dynamic`
//! (`Func::call`, argument `Val`s built once, the result slot reused) of the
//! groups of wasmtime-dyn's `components` bench (`benches/components.rs`),
//! over the same component and arguments.

#[path = "../src/components.rs"]
mod components;
#[path = "../../benches/common/criterion_config.rs"]
mod criterion_config;

use components::{point_val, Components, POINT, TEXT};
use criterion::Criterion;
use std::hint::black_box;
use wasmtime::component::Val;

fn calls(c: &mut Criterion) {
    let list: &'static [u32] = Box::leak(components::list().into_boxed_slice());
    let mut w = Components::new();
    w.check(list);
    let Components {
        store,
        echo,
        list_echo,
        point_echo,
        echo_dyn,
        list_echo_dyn,
        point_echo_dyn,
    } = &mut w;

    let mut g = c.benchmark_group("component_echo");
    g.bench_function("crate_typed", |b| {
        b.iter(|| echo.call(&mut *store, (black_box(TEXT),)).unwrap())
    });
    let args = [Val::String(TEXT.into())];
    let mut out = [Val::Bool(false)];
    g.bench_function("crate_dynamic", |b| {
        b.iter(|| {
            echo_dyn
                .call(&mut *store, black_box(&args), &mut out)
                .unwrap()
        })
    });
    g.finish();

    let mut g = c.benchmark_group("component_list");
    g.bench_function("crate_typed", |b| {
        b.iter(|| list_echo.call(&mut *store, (black_box(list),)).unwrap())
    });
    let args = [Val::List(list.iter().map(|v| Val::U32(*v)).collect())];
    g.bench_function("crate_dynamic", |b| {
        b.iter(|| {
            list_echo_dyn
                .call(&mut *store, black_box(&args), &mut out)
                .unwrap()
        })
    });
    g.finish();

    let mut g = c.benchmark_group("component_record");
    g.bench_function("crate_typed", |b| {
        b.iter(|| point_echo.call(&mut *store, (black_box(POINT),)).unwrap())
    });
    let args = [point_val()];
    g.bench_function("crate_dynamic", |b| {
        b.iter(|| {
            point_echo_dyn
                .call(&mut *store, black_box(&args), &mut out)
                .unwrap()
        })
    });
    g.finish();
}

criterion::criterion_group! {
    name = group;
    config = criterion_config::config();
    targets = calls
}
criterion::criterion_main!(group);
