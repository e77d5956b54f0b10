//! Heap allocations on the call paths, counted by a global allocator that
//! counts per thread (so other tests running meanwhile do not disturb the
//! count): `TypedFunc::call` allocates nothing once warm, on the full and
//! the minimal library, neither for a plain call nor for a call whose wasm
//! calls a `Linker::func_wrap` host function.
//!
//! Only this binary's allocations are seen, i.e. wasmtime-dyn's (and the
//! closures'); libwasmtime's Rust code allocates with its own allocator
//! (`malloc`). `cargo xtask bench` checks the whole process with callgrind
//! (instructions spent in `malloc` per call).
//!
//! When `WASMTIME_DYN_ALLOC_REPORT` names a file, each test appends its
//! counts there as lines `<path> <library> <allocations> <calls>`, which
//! `cargo xtask bench` reads into `benches/RESULTS.md`.

mod common;

use common::{round_has, Flavour};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::hint::black_box;
use std::io::Write;
use wasmtime_dyn::{Linker, Store, Val};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

fn count() {
    // `try_with`: during thread teardown the slot may be gone; those
    // allocations are not on any measured path.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

// SAFETY: every method forwards to the system allocator with the same
// arguments; counting touches only a const-initialized thread-local `Cell`,
// which neither allocates nor re-enters the allocator.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: the caller's contract is `System.alloc`'s.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: the caller's contract is `System.alloc_zeroed`'s.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: the caller's contract is `System.realloc`'s.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract is `System.dealloc`'s.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The module the benchmarks run.
const WAT: &str = include_str!("../benches/bench.wat");

/// How many calls each count covers.
const CALLS: u64 = 10_000;

/// The allocations this thread makes while running `f` `CALLS` times,
/// after one warm-up run.
fn allocations(mut f: impl FnMut()) -> u64 {
    f();
    let before = ALLOCATIONS.with(Cell::get);
    for _ in 0..CALLS {
        f();
    }
    ALLOCATIONS.with(Cell::get) - before
}

fn report(path: &str, flavour: Flavour, allocations: u64) {
    let library = match flavour {
        Flavour::Full => "full",
        Flavour::Min => "min",
        Flavour::CompilerOnly => "compiler-only",
    };
    println!("{path} on {library}: {allocations} allocations in {CALLS} calls");
    if let Some(file) = std::env::var_os("WASMTIME_DYN_ALLOC_REPORT") {
        let line = format!("{path} {library} {allocations} {CALLS}\n");
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(file)
            .and_then(|mut f| f.write_all(line.as_bytes()))
            .expect("appending to WASMTIME_DYN_ALLOC_REPORT");
    }
}

fn typed_calls(flavour: Flavour) {
    assert_eq!(
        allocations(|| drop(black_box(Box::new(0u8)))),
        CALLS,
        "the counting allocator counts this thread's allocations"
    );
    let (engine, module) = common::setup(flavour, WAT);
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap("host", "inc", |x: i32| x.wrapping_add(1))
        .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let nop = instance
        .get_typed_func::<(), ()>(&mut store, "nop")
        .unwrap();
    let add = instance
        .get_typed_func::<(i32, i32), i32>(&mut store, "add")
        .unwrap();
    let mixed = instance
        .get_typed_func::<(i32, i64, f32, f64), f64>(&mut store, "mixed")
        .unwrap();
    let call_host = instance
        .get_typed_func::<i32, i32>(&mut store, "call_host")
        .unwrap();
    let untyped_add = instance.get_func(&mut store, "add").unwrap();

    let typed = allocations(|| {
        nop.call(&mut store, ()).unwrap();
        black_box(add.call(&mut store, (black_box(1), 2)).unwrap());
        black_box(mixed.call(&mut store, (1, 2, 3.0, black_box(4.0))).unwrap());
    });
    report("typed_call", flavour, typed);
    let host = allocations(|| {
        assert_eq!(call_host.call(&mut store, black_box(1)).unwrap(), 2);
    });
    report("typed_host_round_trip", flavour, host);
    let params = [Val::I32(1), Val::I32(2)];
    let mut results = [Val::I32(0)];
    let untyped = allocations(|| {
        untyped_add
            .call(&mut store, black_box(&params), &mut results)
            .unwrap();
    });
    report("untyped_call", flavour, untyped);

    assert_eq!(typed, 0, "TypedFunc::call allocated on {flavour:?}");
    assert_eq!(
        host, 0,
        "TypedFunc::call into wasm calling a func_wrap host function allocated on {flavour:?}"
    );
}

#[test]
fn typed_call_allocates_nothing_on_full() {
    typed_calls(Flavour::Full);
}

#[test]
fn typed_call_allocates_nothing_on_min() {
    if !round_has(Flavour::Min) {
        return;
    }
    typed_calls(Flavour::Min);
}
