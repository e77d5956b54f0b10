//! Call-count driver for `cargo xtask bench`, on the full library.
//!
//! `callcount <mode> <n>` makes `n` calls in one way, for instruction counts
//! under callgrind (`cargo xtask bench` runs each mode with two values of
//! `n` and divides the difference of the totals by the difference of `n`,
//! which cancels start-up). Modes, calling `add: (i32, i32) -> i32`:
//! - `typed`: wasmtime-dyn's `TypedFunc::call`;
//! - `typed_min`: the same on the minimal library
//!   (`WASMTIME_DYN_TEST_MIN`), the module precompiled for it by full;
//! - `untyped`: wasmtime-dyn's `Func::call`, preallocated `Val` arrays;
//! - `raw_checked`: `wasmtime_func_call` through wasmtime-dyn's raw table;
//! - `static_c`: `wasmtime_func_call_unchecked` linked at build time;
//! - `instantiate_pre`: per iteration a new store, an instance from an
//!   `InstancePre` made once, `add` looked up typed and called, the store
//!   dropped;
//!
//! - `async_typed`: `TypedFunc::call_async`, each call's future run to
//!   completion by a busy-polling executor with a no-op waker (the call
//!   never suspends, so one poll);
//! - `async_untyped`: `Func::call_async`, preallocated `Val` arrays, the
//!   same executor;
//! - `async_raw`: `wasmtime_func_call_async`, `wasmtime_call_future_poll`
//!   until done and `wasmtime_call_future_delete` through wasmtime-dyn's
//!   raw table: what the C API's async call costs before any of
//!   wasmtime-dyn's work;
//!
//! and calling `call_host: (i32) -> i32`, one host round trip:
//! - `host_typed`: `TypedFunc::call`, host function from `Linker::func_wrap`;
//! - `host_static_c`: the linked call, host function a C callback.
//!
//! `callcount interleaved <rounds>` times wasmtime-dyn and the static C
//! baseline in this one process, alternating blocks of calls of each
//! variant round after round, and prints `<variant> <median ns per call>`
//! lines: the same library copy, the same code layout, and any slow phase of
//! the machine shared by every variant.
//!
//! `callcount majors <rounds>` times `TypedFunc::call` on the full library
//! of every supported major, all open in this one process, alternating
//! blocks of calls, and prints `<major> <median ns per call>` lines.
//!
//! `callcount same-copy` says whether the linked library and the one
//! wasmtime-dyn opens are one copy in memory (exit status 0 when they are).

#![deny(unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]

use bench_static_c::raw;
use std::hint::black_box;
use std::path::PathBuf;
use wasmtime_dyn::{Engine, Func, Linker, Module, Store, TypedFunc, Val, Wasmtime};

/// The minimal library (`WASMTIME_DYN_TEST_MIN`).
fn min() -> &'static Wasmtime {
    let path = std::env::var_os("WASMTIME_DYN_TEST_MIN")
        .expect("WASMTIME_DYN_TEST_MIN is not set (run `cargo xtask bench`)");
    // SAFETY: the benchmark library is a Wasmtime C API library.
    unsafe { Wasmtime::open(&path) }.unwrap_or_else(|e| panic!("{e}"))
}

fn full() -> &'static Wasmtime {
    let path = std::env::var_os("WASMTIME_DYN_TEST_FULL")
        .map(PathBuf::from)
        .or_else(bench_static_c::linked_library)
        .expect("WASMTIME_DYN_TEST_FULL is not set (run `cargo xtask bench`)");
    // SAFETY: the benchmark library is a Wasmtime C API library.
    unsafe { Wasmtime::open(&path) }.unwrap_or_else(|e| panic!("{e}"))
}

/// wasmtime-dyn's instance of the module, `host.inc` from `func_wrap`.
/// (Some fields serve only the interleaved mode, which needs the linked
/// baseline.)
#[cfg_attr(not(wasmtime_static), allow(dead_code))]
struct Dyn {
    store: Store<()>,
    nop: TypedFunc<(), ()>,
    add: TypedFunc<(i32, i32), i32>,
    mixed: TypedFunc<(i32, i64, f32, f64), f64>,
    call_host: TypedFunc<i32, i32>,
    host_loop: TypedFunc<i32, i32>,
    untyped_add: Func,
}

impl Dyn {
    fn new() -> Dyn {
        Dyn::with(full())
    }

    fn with(wasmtime: &'static Wasmtime) -> Dyn {
        let engine = Engine::default_for(wasmtime).unwrap();
        let module = Module::new(&engine, raw::WAT).unwrap();
        Dyn::of(&engine, &module)
    }

    /// On the minimal library, the module precompiled for it by full.
    fn min() -> Dyn {
        let (full, min) = (full(), min());
        let engine = Engine::default_for(min).unwrap();
        let cwasm = wasmtime_dyn::precompile_for(full, min.capabilities(), raw::WAT).unwrap();
        // SAFETY: the artifact was just produced by the official library
        // for the minimal one's capabilities.
        let module = unsafe { Module::deserialize(&engine, &cwasm) }.unwrap();
        Dyn::of(&engine, &module)
    }

    fn of(engine: &Engine, module: &Module) -> Dyn {
        let mut linker = Linker::new(engine);
        linker
            .func_wrap("host", "inc", |x: i32| x.wrapping_add(1))
            .unwrap();
        let mut store = Store::new(engine, ());
        let i = linker.instantiate(&mut store, module).unwrap();
        Dyn {
            nop: i.get_typed_func(&mut store, "nop").unwrap(),
            add: i.get_typed_func(&mut store, "add").unwrap(),
            mixed: i.get_typed_func(&mut store, "mixed").unwrap(),
            call_host: i.get_typed_func(&mut store, "call_host").unwrap(),
            host_loop: i.get_typed_func(&mut store, "host_loop").unwrap(),
            untyped_add: i.get_func(&mut store, "add").unwrap(),
            store,
        }
    }

    #[inline(always)]
    fn add(&mut self) {
        black_box(
            self.add
                .call(&mut self.store, (black_box(1), black_box(2)))
                .unwrap(),
        );
    }

    #[inline(always)]
    fn untyped_add(&mut self, params: &[Val; 2], results: &mut [Val; 1]) {
        self.untyped_add
            .call(&mut self.store, black_box(params), results)
            .unwrap();
        black_box(results);
    }

    #[inline(always)]
    fn call_host(&mut self) {
        black_box(self.call_host.call(&mut self.store, black_box(1)).unwrap());
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mode, n) = match args.as_slice() {
        [mode] if mode == "same-copy" => return same_copy(),
        [mode, rounds] if mode == "majors" => return majors(rounds.parse().expect("a count")),
        [mode, n] => (mode.as_str(), n.parse::<u64>().expect("a count")),
        _ => usage(),
    };
    match mode {
        "typed" => {
            let mut d = Dyn::new();
            for _ in 0..n {
                d.add();
            }
        }
        "typed_min" => {
            let mut d = Dyn::min();
            for _ in 0..n {
                d.add();
            }
        }
        "instantiate_pre" => {
            let lib = full();
            let engine = Engine::default_for(lib).unwrap();
            let cwasm = wasmtime_dyn::precompile_for(lib, lib.capabilities(), raw::WAT).unwrap();
            // SAFETY: the artifact was just produced by the same library.
            let module = unsafe { Module::deserialize(&engine, &cwasm) }.unwrap();
            let mut linker = Linker::new(&engine);
            linker
                .func_wrap("host", "inc", |x: i32| x.wrapping_add(1))
                .unwrap();
            let pre = linker.instantiate_pre(&module).unwrap();
            for _ in 0..n {
                let mut store = Store::new(&engine, ());
                let instance = pre.instantiate(&mut store).unwrap();
                let add = instance
                    .get_typed_func::<(i32, i32), i32>(&mut store, "add")
                    .unwrap();
                black_box(add.call(&mut store, (1, 2)).unwrap());
            }
        }
        "async_typed" => {
            let mut d = Dyn::new();
            for _ in 0..n {
                let call = d.add.call_async(&mut d.store, (black_box(1), black_box(2)));
                black_box(bench_static_c::block_on(call).unwrap());
            }
        }
        "async_untyped" => {
            let mut d = Dyn::new();
            let params = [Val::I32(1), Val::I32(2)];
            let mut results = [Val::I32(0)];
            for _ in 0..n {
                let call = d
                    .untyped_add
                    .call_async(&mut d.store, black_box(&params), &mut results);
                bench_static_c::block_on(call).unwrap();
                black_box(&mut results);
            }
        }
        "async_raw" => {
            let lib = full();
            let api = raw::Api::from_tables(lib).expect("a compiler and wat");
            let table = lib.tables().async_.as_ref().expect("an async table");
            // SAFETY: the table's functions are the full library's;
            // `raw::inc` is an `(i32) -> i32` callback.
            let world = unsafe { raw::World::new(&api, raw::inc) };
            let args = [raw::val_i32(1), raw::val_i32(2)];
            let mut results = [raw::val_i32(0)];
            for _ in 0..n {
                let mut trap = std::ptr::null_mut();
                let mut error = std::ptr::null_mut();
                let args = black_box(&args);
                // SAFETY: `add` of the world's live store, two i32
                // arguments and room for one result, GC layout (full);
                // the future is polled until done, then deleted once,
                // while every pointer it holds is live.
                unsafe {
                    let future = (table.wasmtime_func_call_async)(
                        world.context,
                        &world.add,
                        args.as_ptr(),
                        2,
                        results.as_mut_ptr(),
                        1,
                        &mut trap,
                        &mut error,
                    );
                    while !(table.wasmtime_call_future_poll)(future) {}
                    (table.wasmtime_call_future_delete)(future);
                }
                assert!(error.is_null() && trap.is_null());
                black_box(&results);
            }
        }
        "untyped" => {
            let mut d = Dyn::new();
            let params = [Val::I32(1), Val::I32(2)];
            let mut results = [Val::I32(0)];
            for _ in 0..n {
                d.untyped_add(&params, &mut results);
            }
        }
        "raw_checked" => {
            let lib = full();
            let api = raw::Api::from_tables(lib).expect("a compiler and wat");
            // SAFETY: the table's functions are the full library's;
            // `raw::inc` is an `(i32) -> i32` callback.
            let world = unsafe { raw::World::new(&api, raw::inc) };
            let call = lib.core().wasmtime_func_call;
            let args = [raw::val_i32(1), raw::val_i32(2)];
            let mut results = [raw::val_i32(0)];
            for _ in 0..n {
                let mut trap = std::ptr::null_mut();
                let args = black_box(&args);
                // SAFETY: `add` of the world's live store, two i32
                // arguments and room for one result, GC layout (full).
                let error = unsafe {
                    call(
                        world.context,
                        &world.add,
                        args.as_ptr(),
                        2,
                        results.as_mut_ptr(),
                        1,
                        &mut trap,
                    )
                };
                assert!(error.is_null() && trap.is_null());
                black_box(&results);
            }
        }
        "host_typed" => {
            let mut d = Dyn::new();
            for _ in 0..n {
                d.call_host();
            }
        }
        "static_c" | "host_static_c" | "interleaved" => linked(mode, n),
        _ => usage(),
    }
}

#[cfg(wasmtime_static)]
fn linked(mode: &str, n: u64) {
    use bench_static_c::{call_static, ffi};
    use wasmtime_dyn::sys::types::{wasmtime_func_t, wasmtime_val_raw_t};

    // SAFETY: the linked functions are libwasmtime 48's; `raw::inc` is an
    // `(i32) -> i32` callback.
    let world = unsafe { raw::World::new(&ffi::api(), raw::inc) };
    let cx = world.context;
    let one = |func: &wasmtime_func_t, arg: i32| {
        let mut slots = [wasmtime_val_raw_t {
            i32_: black_box(arg),
        }];
        // SAFETY: `func` is `(i32) -> i32` of the live store; the slot
        // holds the result on return.
        unsafe {
            call_static(cx, func, &mut slots);
            black_box(slots[0].i32_);
        }
    };
    let add = || {
        let mut slots = [
            wasmtime_val_raw_t { i32_: black_box(1) },
            wasmtime_val_raw_t { i32_: black_box(2) },
        ];
        // SAFETY: `add: (i32, i32) -> i32` of the live store; the first
        // slot holds the result on return.
        unsafe {
            call_static(cx, &world.add, &mut slots);
            black_box(slots[0].i32_);
        }
    };
    match mode {
        "static_c" => (0..n).for_each(|_| add()),
        "host_static_c" => (0..n).for_each(|_| one(&world.call_host, 1)),
        _ => {
            let mut d = Dyn::new();
            let params = [Val::I32(1), Val::I32(2)];
            let mut results = [Val::I32(0)];
            let mixed = || {
                let mut slots = [
                    wasmtime_val_raw_t { i32_: black_box(1) },
                    wasmtime_val_raw_t { i64_: black_box(2) },
                    wasmtime_val_raw_t {
                        f32_: black_box(3.0),
                    },
                    wasmtime_val_raw_t {
                        f64_: black_box(4.0),
                    },
                ];
                // SAFETY: `mixed: (i32, i64, f32, f64) -> f64` of the live
                // store; the first slot holds the result on return.
                unsafe {
                    call_static(cx, &world.mixed, &mut slots);
                    black_box(slots[0].f64_);
                }
            };
            let nop = || {
                // SAFETY: `nop: () -> ()` of the live store.
                unsafe { call_static(cx, &world.nop, &mut []) };
            };
            // (name, calls per block, a block of calls): each block loops
            // inside its closure, so the per-call code is what the other
            // modes run.
            let mut variants: Vec<Variant> = vec![
                (
                    "call_nop/typed",
                    20_000,
                    Box::new(|d: &mut Dyn, n| {
                        for _ in 0..n {
                            d.nop.call(&mut d.store, ()).unwrap();
                        }
                    }),
                ),
                (
                    "call_nop/static_c",
                    20_000,
                    Box::new(|_, n| (0..n).for_each(|_| nop())),
                ),
                (
                    "call_add/typed",
                    20_000,
                    Box::new(|d, n| (0..n).for_each(|_| d.add())),
                ),
                (
                    "call_add/untyped",
                    20_000,
                    Box::new(|d, n| (0..n).for_each(|_| d.untyped_add(&params, &mut results))),
                ),
                (
                    "call_add/static_c",
                    20_000,
                    Box::new(|_, n| (0..n).for_each(|_| add())),
                ),
                (
                    "call_mixed/typed",
                    20_000,
                    Box::new(|d, n| {
                        for _ in 0..n {
                            let args = (black_box(1), black_box(2), black_box(3.0), black_box(4.0));
                            black_box(d.mixed.call(&mut d.store, args).unwrap());
                        }
                    }),
                ),
                (
                    "call_mixed/static_c",
                    20_000,
                    Box::new(|_, n| (0..n).for_each(|_| mixed())),
                ),
                (
                    "host_call/typed",
                    20_000,
                    Box::new(|d, n| (0..n).for_each(|_| d.call_host())),
                ),
                (
                    "host_call/static_c",
                    20_000,
                    Box::new(|_, n| (0..n).for_each(|_| one(&world.call_host, 1))),
                ),
                (
                    "host_loop100/typed",
                    1_000,
                    Box::new(|d, n| {
                        for _ in 0..n {
                            black_box(d.host_loop.call(&mut d.store, black_box(100)).unwrap());
                        }
                    }),
                ),
                (
                    "host_loop100/static_c",
                    1_000,
                    Box::new(|_, n| (0..n).for_each(|_| one(&world.host_loop, 100))),
                ),
            ];
            interleave(&mut d, &mut variants, n as usize);
        }
    }
}

/// A variant of the interleaved timing: its name, calls per block, and a
/// closure making a block of calls.
#[cfg(wasmtime_static)]
type Variant<'a> = (&'static str, u32, Box<dyn FnMut(&mut Dyn, u32) + 'a>);

/// Runs `rounds` rounds; each round runs one block of every variant, in an
/// order rotated from round to round. Prints each variant's median time per
/// call over the rounds.
#[cfg(wasmtime_static)]
fn interleave(d: &mut Dyn, variants: &mut [Variant], rounds: usize) {
    use std::time::Instant;
    // Warm-up: one block each.
    for (_, calls, f) in variants.iter_mut() {
        f(d, *calls);
    }
    let mut samples = vec![Vec::with_capacity(rounds); variants.len()];
    for round in 0..rounds {
        for k in 0..variants.len() {
            let i = (round + k) % variants.len();
            let (_, calls, f) = &mut variants[i];
            let t = Instant::now();
            f(d, *calls);
            samples[i].push(t.elapsed().as_secs_f64() * 1e9 / f64::from(*calls));
        }
    }
    for ((name, _, _), mut s) in variants.iter().zip(samples) {
        s.sort_by(f64::total_cmp);
        println!("{name} {:.3}", s[s.len() / 2]);
    }
}

#[cfg(not(wasmtime_static))]
fn linked(_: &str, _: u64) {
    eprintln!("{}", bench_static_c::NOT_LINKED);
    std::process::exit(3);
}

#[cfg(wasmtime_static)]
fn same_copy() {
    let (same, text) = bench_static_c::same_copy(full());
    println!("{text}");
    std::process::exit(if same { 0 } else { 1 });
}

#[cfg(not(wasmtime_static))]
fn same_copy() {
    eprintln!("{}", bench_static_c::NOT_LINKED);
    std::process::exit(3);
}

/// `callcount majors <rounds>`: `TypedFunc::call` of `add` on the full
/// library of every supported major (`WASMTIME_DYN_TEST_LIB_FULL_<major>`),
/// all open in this process, timed in blocks alternating between them round
/// after round; prints `<major> <median ns per call>` lines.
fn majors(rounds: usize) {
    use std::time::Instant;
    const CALLS: u32 = 20_000;
    let mut worlds: Vec<(u32, Dyn)> = wasmtime_dyn::SUPPORTED_MAJORS
        .map(|major| {
            let var = format!("WASMTIME_DYN_TEST_LIB_FULL_{major}");
            let path = std::env::var_os(&var)
                .unwrap_or_else(|| panic!("{var} is not set (run `cargo xtask bench`)"));
            // SAFETY: the benchmark libraries are Wasmtime C API libraries.
            let lib = unsafe { Wasmtime::open(&path) }.unwrap_or_else(|e| panic!("{e}"));
            (major, Dyn::with(lib))
        })
        .collect();
    for (_, d) in &mut worlds {
        (0..CALLS).for_each(|_| d.add());
    }
    let mut samples = vec![Vec::with_capacity(rounds); worlds.len()];
    for round in 0..rounds {
        for k in 0..worlds.len() {
            let i = (round + k) % worlds.len();
            let d = &mut worlds[i].1;
            let t = Instant::now();
            (0..CALLS).for_each(|_| d.add());
            samples[i].push(t.elapsed().as_secs_f64() * 1e9 / f64::from(CALLS));
        }
    }
    for ((major, _), mut s) in worlds.iter().zip(samples) {
        s.sort_by(f64::total_cmp);
        println!("{major} {:.3}", s[s.len() / 2]);
    }
}

fn usage() -> ! {
    eprintln!(
        "usage: callcount <typed | untyped | raw_checked | static_c | host_typed | host_static_c | instantiate_pre> <calls>\n       callcount interleaved <rounds>\n       callcount majors <rounds>\n       callcount same-copy"
    );
    std::process::exit(2);
}
