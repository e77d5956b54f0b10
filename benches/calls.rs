//! Criterion benchmarks of wasmtime-dyn, run by `cargo xtask bench` (which
//! makes the libraries and reads the results into `benches/RESULTS.md`).
//!
//! Groups, each over the module in `bench.wat`:
//! - `call_nop`, `call_add`, `call_mixed`: one call from the host into wasm,
//!   as `typed` ([`TypedFunc::call`]), `untyped` ([`Func::call`] with
//!   preallocated [`Val`] arrays), `raw_checked` (the C API's checked
//!   `wasmtime_func_call` through wasmtime-dyn's raw table with
//!   `wasmtime_val_t` arrays) on the full library, and `typed_min`
//!   (`TypedFunc::call` on the minimal library);
//! - `host_call`: one call into wasm that calls the host closure
//!   `host.inc: (i32) -> i32` once, as `typed` (defined with
//!   [`Linker::func_wrap`]) and `untyped` ([`Linker::func_new`], called with
//!   [`Func::call`]); `host_loop100`: one call into wasm that calls
//!   `host.inc` 100 times;
//! - `instantiate`: a fresh store, instantiation of the precompiled module
//!   (by the linker, or by an `InstancePre` made once: `_pre`),
//!   export lookup, the first call and dropping the store, on `full` and
//!   `min` (precompiled by the full library for the minimal one).
//!
//! The other variants of the same groups live in `benches/static-c`
//! (`static_c`: the C API linked at build time) and `bench-wasmtime`
//! (`wasmtime_crate`).
//!
//! Libraries: `WASMTIME_DYN_TEST_FULL` and `WASMTIME_DYN_TEST_MIN`.

#![deny(unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]

#[path = "common/criterion_config.rs"]
mod criterion_config;
#[path = "common/raw.rs"]
mod raw;

use criterion::Criterion;
use std::hint::black_box;
use std::path::PathBuf;
use wasmtime_dyn::sys::types::wasmtime_val_t;
use wasmtime_dyn::{
    precompile_for, Engine, Func, FuncType, Linker, Module, Store, TypedFunc, Val, ValAbi, ValType,
    Wasmtime,
};

/// The library named by `var`, or a panic saying how to get it.
fn library(var: &str) -> &'static Wasmtime {
    let path = std::env::var_os(var).map(PathBuf::from).unwrap_or_else(|| {
        panic!("{var} is not set: run the benchmarks with `cargo xtask bench`, which makes the libraries and sets it")
    });
    // SAFETY: the benchmark libraries are Wasmtime C API libraries.
    unsafe { Wasmtime::open(&path) }.unwrap_or_else(|e| panic!("{var}: {e}"))
}

/// A linker defining `host.inc`, typed or untyped.
fn linker(engine: &Engine, untyped: bool) -> Linker<()> {
    let mut linker = Linker::new(engine);
    if untyped {
        let ty = FuncType::new([ValType::I32], [ValType::I32]);
        linker
            .func_new("host", "inc", ty, |_, params, results| {
                results[0] = Val::I32(params[0].i32().unwrap().wrapping_add(1));
                Ok(())
            })
            .unwrap();
    } else {
        linker
            .func_wrap("host", "inc", |x: i32| x.wrapping_add(1))
            .unwrap();
    }
    linker
}

/// The typed exports of one instance.
struct Typed {
    nop: TypedFunc<(), ()>,
    add: TypedFunc<(i32, i32), i32>,
    mixed: TypedFunc<(i32, i64, f32, f64), f64>,
    call_host: TypedFunc<i32, i32>,
    host_loop: TypedFunc<i32, i32>,
}

fn typed(store: &mut Store<()>, instance: &wasmtime_dyn::Instance) -> Typed {
    Typed {
        nop: instance.get_typed_func(&mut *store, "nop").unwrap(),
        add: instance.get_typed_func(&mut *store, "add").unwrap(),
        mixed: instance.get_typed_func(&mut *store, "mixed").unwrap(),
        call_host: instance.get_typed_func(&mut *store, "call_host").unwrap(),
        host_loop: instance.get_typed_func(&mut *store, "host_loop").unwrap(),
    }
}

fn calls(c: &mut Criterion) {
    let full = library("WASMTIME_DYN_TEST_FULL");
    let min = library("WASMTIME_DYN_TEST_MIN");

    // wasmtime-dyn on the full library: typed exports, and untyped ones of
    // an instance whose host function is untyped too.
    let engine = Engine::default_for(full).unwrap();
    let module = Module::new(&engine, raw::WAT).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = linker(&engine, false)
        .instantiate(&mut store, &module)
        .unwrap();
    let t = typed(&mut store, &instance);
    let mut ustore = Store::new(&engine, ());
    let uinstance = linker(&engine, true)
        .instantiate(&mut ustore, &module)
        .unwrap();
    let mut func = |name: &str| -> Func { uinstance.get_func(&mut ustore, name).unwrap() };
    let (unop, uadd, umixed, ucall_host) =
        (func("nop"), func("add"), func("mixed"), func("call_host"));

    // The same library through its raw table, with the checked call.
    assert_eq!(
        full.val_abi(),
        ValAbi::Gc,
        "the full library has the GC layout"
    );
    let api = raw::Api::from_tables(full).expect("the full library has a compiler and wat");
    // SAFETY: the table's functions are the full library's; `raw::inc` is an
    // `(i32) -> i32` callback.
    let world = unsafe { raw::World::new(&api, raw::inc) };
    let checked = full.core().wasmtime_func_call;
    let raw_call = |func, args: &[wasmtime_val_t], results: &mut [wasmtime_val_t]| {
        let mut trap = std::ptr::null_mut();
        // SAFETY: `func` belongs to the world's live store; `args` match its
        // parameter types and `results` has room for its results, in the
        // full library's (GC) `wasmtime_val_t` layout.
        let error = unsafe {
            checked(
                world.context,
                func,
                args.as_ptr(),
                args.len(),
                results.as_mut_ptr(),
                results.len(),
                &mut trap,
            )
        };
        assert!(error.is_null() && trap.is_null(), "raw call failed");
    };

    // wasmtime-dyn on the minimal library, module precompiled by full.
    let min_engine = Engine::default_for(min).unwrap();
    let cwasm = precompile_for(full, min.capabilities(), raw::WAT).unwrap();
    // SAFETY: the artifact was just produced by the official library.
    let min_module = unsafe { Module::deserialize(&min_engine, &cwasm) }.unwrap();
    let mut min_store = Store::new(&min_engine, ());
    let min_instance = linker(&min_engine, false)
        .instantiate(&mut min_store, &min_module)
        .unwrap();
    let m = typed(&mut min_store, &min_instance);

    {
        let mut g = c.benchmark_group("call_nop");
        g.bench_function("typed", |b| b.iter(|| t.nop.call(&mut store, ()).unwrap()));
        g.bench_function("untyped", |b| {
            b.iter(|| unop.call(&mut ustore, &[], &mut []).unwrap())
        });
        g.bench_function("raw_checked", |b| {
            b.iter(|| raw_call(&world.nop, &[], &mut []))
        });
        g.bench_function("typed_min", |b| {
            b.iter(|| m.nop.call(&mut min_store, ()).unwrap())
        });
    }
    {
        let mut g = c.benchmark_group("call_add");
        g.bench_function("typed", |b| {
            b.iter(|| {
                t.add
                    .call(&mut store, (black_box(1), black_box(2)))
                    .unwrap()
            })
        });
        let params = [Val::I32(1), Val::I32(2)];
        let mut results = [Val::I32(0)];
        g.bench_function("untyped", |b| {
            b.iter(|| {
                uadd.call(&mut ustore, black_box(&params), &mut results)
                    .unwrap();
                black_box(&results);
            })
        });
        let args = [raw::val_i32(1), raw::val_i32(2)];
        let mut out = [raw::val_i32(0)];
        g.bench_function("raw_checked", |b| {
            b.iter(|| {
                raw_call(&world.add, black_box(&args), &mut out);
                black_box(&out);
            })
        });
        g.bench_function("typed_min", |b| {
            b.iter(|| {
                m.add
                    .call(&mut min_store, (black_box(1), black_box(2)))
                    .unwrap()
            })
        });
    }
    {
        let mut g = c.benchmark_group("call_mixed");
        let args4 = || {
            (
                black_box(1),
                black_box(2i64),
                black_box(3.0f32),
                black_box(4.0f64),
            )
        };
        g.bench_function("typed", |b| {
            b.iter(|| t.mixed.call(&mut store, args4()).unwrap())
        });
        let params = [
            Val::I32(1),
            Val::I64(2),
            Val::F32(3.0f32.to_bits()),
            Val::F64(4.0f64.to_bits()),
        ];
        let mut results = [Val::F64(0)];
        g.bench_function("untyped", |b| {
            b.iter(|| {
                umixed
                    .call(&mut ustore, black_box(&params), &mut results)
                    .unwrap();
                black_box(&results);
            })
        });
        let args = [
            raw::val_i32(1),
            raw::val_i64(2),
            raw::val_f32(3.0),
            raw::val_f64(4.0),
        ];
        let mut out = [raw::val_f64(0.0)];
        g.bench_function("raw_checked", |b| {
            b.iter(|| {
                raw_call(&world.mixed, black_box(&args), &mut out);
                black_box(&out);
            })
        });
        g.bench_function("typed_min", |b| {
            b.iter(|| m.mixed.call(&mut min_store, args4()).unwrap())
        });
    }
    {
        let mut g = c.benchmark_group("host_call");
        g.bench_function("typed", |b| {
            b.iter(|| t.call_host.call(&mut store, black_box(1)).unwrap())
        });
        let params = [Val::I32(1)];
        let mut results = [Val::I32(0)];
        g.bench_function("untyped", |b| {
            b.iter(|| {
                ucall_host
                    .call(&mut ustore, black_box(&params), &mut results)
                    .unwrap();
                black_box(&results);
            })
        });
        let args = [raw::val_i32(1)];
        let mut out = [raw::val_i32(0)];
        g.bench_function("raw_checked", |b| {
            b.iter(|| {
                raw_call(&world.call_host, black_box(&args), &mut out);
                black_box(&out);
            })
        });
    }
    {
        let mut g = c.benchmark_group("host_loop100");
        g.bench_function("typed", |b| {
            b.iter(|| t.host_loop.call(&mut store, black_box(100)).unwrap())
        });
    }
}

fn instantiate(c: &mut Criterion) {
    let full = library("WASMTIME_DYN_TEST_FULL");
    let min = library("WASMTIME_DYN_TEST_MIN");
    let mut g = c.benchmark_group("instantiate");
    for (name, lib) in [("full", full), ("min", min)] {
        let engine = Engine::default_for(lib).unwrap();
        let cwasm = precompile_for(full, lib.capabilities(), raw::WAT).unwrap();
        // SAFETY: the artifact was just produced by the official library.
        let module = unsafe { Module::deserialize(&engine, &cwasm) }.unwrap();
        let linker = linker(&engine, false);
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut store = Store::new(&engine, ());
                let instance = linker.instantiate(&mut store, &module).unwrap();
                let add = instance
                    .get_typed_func::<(i32, i32), i32>(&mut store, "add")
                    .unwrap();
                black_box(add.call(&mut store, (1, 2)).unwrap())
            })
        });
        // The same through an `InstancePre` made once.
        let pre = linker.instantiate_pre(&module).unwrap();
        g.bench_function(format!("{name}_pre"), |b| {
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
}

criterion::criterion_group! {
    name = group;
    config = criterion_config::config();
    targets = calls, instantiate
}
criterion::criterion_main!(group);
