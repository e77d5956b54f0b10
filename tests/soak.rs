//! Soak test: many threads, one engine, a fixed amount of work (calls,
//! traps, host errors, instantiations, store drops), and the resident set
//! size must not grow once warmed up.
//!
//! Deterministic counts, no randomness: every thread does the same work.
//! RSS is process-wide, so the two tests here take a lock and never overlap.

mod common;

use common::{engine_with, frames, kind, module_with, trap, Flavour};
use std::sync::{Barrier, Mutex};
use wasmtime_dyn::{Engine, ErrorKind, Linker, Module, Store, Trap};

const THREADS: usize = 8;

const WAT: &str = r#"(module
  (import "host" "add" (func $add (param i32 i32) (result i32)))
  (import "host" "check" (func $check (param i32) (result i32)))
  (memory (export "memory") 1)
  (global $calls (export "calls") (mut i32) (i32.const 0))
  (func (export "call") (param i32 i32) (result i32)
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (call $add (local.get 0) (local.get 1)))
  (func (export "unreachable") unreachable)
  (func (export "div") (param i32 i32) (result i32)
    (i32.div_s (local.get 0) (local.get 1)))
  (func (export "host_error") (param i32) (result i32)
    (call $check (local.get 0)))
  ;; Writes one word into each 4 KiB page of the 64 KiB memory, so every
  ;; instance has 16 resident pages a leak would keep.
  (func (export "touch") (param i32) (local $at i32)
    (loop $next
      (i32.store (local.get $at) (local.get 0))
      (local.set $at (i32.add (local.get $at) (i32.const 4096)))
      (br_if $next (i32.lt_u (local.get $at) (i32.const 65536))))))"#;

/// The work of one thread in one round.
#[derive(Clone, Copy)]
struct Work {
    /// Stores made and dropped.
    stores: usize,
    /// Instances per store.
    instances: usize,
    /// Successful calls (each calling the host) per instance.
    calls: usize,
}

/// Totals over all threads, for the report.
#[derive(Default, Debug)]
struct Done {
    stores: usize,
    instances: usize,
    calls: usize,
    traps: usize,
    host_errors: usize,
}

impl Done {
    fn add(&mut self, other: &Done) {
        self.stores += other.stores;
        self.instances += other.instances;
        self.calls += other.calls;
        self.traps += other.traps;
        self.host_errors += other.host_errors;
    }
}

fn linker(engine: &Engine) -> Linker<u64> {
    let mut linker = Linker::new(engine);
    linker
        .func_wrap("host", "add", |a: i32, b: i32| a.wrapping_add(b))
        .unwrap()
        .func_wrap("host", "check", |x: i32| -> wasmtime_dyn::Result<i32> {
            if x < 0 {
                Err(ErrorKind::Invalid(format!("negative input {x}")).into())
            } else {
                Ok(x)
            }
        })
        .unwrap();
    linker
}

fn trap_code<R: std::fmt::Debug>(result: wasmtime_dyn::Result<R>) -> Trap {
    match result {
        Err(err) => {
            trap(&err).unwrap_or_else(|| panic!("expected a trap with a code, got {err:?}"))
        }
        Ok(value) => panic!("expected a trap, got Ok({value:?})"),
    }
}

/// One thread's share of a round, checking every result.
fn round(
    engine: &Engine,
    linker: &Linker<u64>,
    module: &Module,
    thread: usize,
    work: Work,
) -> Done {
    let mut done = Done::default();
    for s in 0..work.stores {
        let mut store = Store::new(engine, (thread * 1000 + s) as u64);
        done.stores += 1;
        for i in 0..work.instances {
            let instance = linker.instantiate(&mut store, module).unwrap();
            done.instances += 1;
            let call = instance
                .get_typed_func::<(i32, i32), i32>(&mut store, "call")
                .unwrap();
            for c in 0..work.calls {
                let (a, b) = (c as i32, (thread * 7 + i) as i32);
                assert_eq!(call.call(&mut store, (a, b)).unwrap(), a + b);
            }
            done.calls += work.calls;
            let calls = instance.get_global(&mut store, "calls").unwrap();
            assert_eq!(
                calls.get(&mut store).unwrap().i32(),
                Some(work.calls as i32)
            );

            let touch = instance
                .get_typed_func::<i32, ()>(&mut store, "touch")
                .unwrap();
            touch.call(&mut store, i as i32 + 1).unwrap();

            let unreachable = instance
                .get_typed_func::<(), ()>(&mut store, "unreachable")
                .unwrap();
            assert_eq!(
                trap_code(unreachable.call(&mut store, ())),
                Trap::UnreachableCodeReached
            );
            let div = instance
                .get_typed_func::<(i32, i32), i32>(&mut store, "div")
                .unwrap();
            assert_eq!(
                trap_code(div.call(&mut store, (1, 0))),
                Trap::IntegerDivisionByZero
            );
            done.traps += 2;

            let host_error = instance
                .get_typed_func::<i32, i32>(&mut store, "host_error")
                .unwrap();
            let err = host_error.call(&mut store, -(i as i32) - 1).unwrap_err();
            assert!(
                matches!(kind(&err), Some(ErrorKind::Invalid(m)) if m.contains("negative input")),
                "expected the host's error, got {err:?}"
            );
            assert!(!frames(&err).is_empty(), "{err:?}");
            assert_eq!(host_error.call(&mut store, 5).unwrap(), 5);
            done.host_errors += 1;
        }
        assert_eq!(*store.data(), (thread * 1000 + s) as u64);
    }
    done
}

/// The resident set size in bytes, from `/proc/self/statm`.
fn rss() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("reading /proc/self/statm");
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .expect("statm has a resident field")
        .parse()
        .expect("a number of pages");
    // SAFETY: sysconf only reads a system constant.
    let page_size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    pages * u64::try_from(page_size).expect("a positive page size")
}

/// Serializes the tests here: RSS is a property of the whole process.
static RSS_LOCK: Mutex<()> = Mutex::new(());

/// How much the RSS may grow from the warm-up to the end: 16 MiB. Wasmtime
/// and the allocator keep caches (glibc's per-thread arenas, Wasmtime's
/// type registry and per-thread trap state, the code of the one module)
/// that the warm-up round has already filled, so a correct run ends close to
/// the warm-up figure. A leak grows far more than the bound: each instance
/// touches 16 pages (64 KiB) of its memory, so keeping the instances alive
/// would add `instances × 64 KiB` (15 360 instances: 960 MiB on the full
/// library, 3 840: 240 MiB on the minimal one), and leaking even 1 KiB per
/// trap or host error would add 45 MiB over the full library's 46 080 of
/// them. A leak of a few hundred bytes per call would show as well (3
/// million calls).
const RSS_GROWTH_BOUND: u64 = 16 << 20;

fn soak(name: &str, engine: &Engine, module: &Module, warm_up: Work, work: Work, rounds: usize) {
    let _serial = RSS_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let linker = linker(engine);
    let started = std::time::Instant::now();
    // Every thread and the measuring thread meet at the barrier: after the
    // warm-up (measure), to start, and at the end before the threads exit
    // (measure while their stacks and arenas are still there, as at warm-up).
    let barrier = Barrier::new(THREADS + 1);
    let (warm_rss, end_rss, total) = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..THREADS)
            .map(|thread| {
                let (linker, barrier) = (&linker, &barrier);
                scope.spawn(move || {
                    let mut done = round(engine, linker, module, thread, warm_up);
                    barrier.wait();
                    barrier.wait();
                    for _ in 0..rounds {
                        done.add(&round(engine, linker, module, thread, work));
                    }
                    barrier.wait();
                    barrier.wait();
                    done
                })
            })
            .collect();
        barrier.wait();
        let warm = rss();
        barrier.wait();
        barrier.wait();
        let end = rss();
        barrier.wait();
        let mut total = Done::default();
        for thread in threads {
            total.add(&thread.join().expect("a soak thread panicked"));
        }
        (warm, end, total)
    });
    let mib = |bytes: u64| bytes as f64 / (1 << 20) as f64;
    println!(
        "{name}: {THREADS} threads, {total:?} in {:.1?}; RSS after warm-up {:.1} MiB, \
         at the end {:.1} MiB (growth {:+.1} MiB, bound {:.0} MiB)",
        started.elapsed(),
        mib(warm_rss),
        mib(end_rss),
        mib(end_rss) - mib(warm_rss),
        mib(RSS_GROWTH_BOUND)
    );
    let per_thread = |w: Work| w.stores * w.instances;
    let instances = THREADS * (per_thread(warm_up) + rounds * per_thread(work));
    assert_eq!(total.instances, instances, "every instantiation ran");
    assert!(
        end_rss <= warm_rss + RSS_GROWTH_BOUND,
        "{name}: RSS grew from {:.1} MiB after warm-up to {:.1} MiB at the end, more than \
         the {:.0} MiB bound: a leak",
        mib(warm_rss),
        mib(end_rss),
        mib(RSS_GROWTH_BOUND)
    );
}

#[test]
fn soak_full_library() {
    let engine = engine_with(Flavour::Full, |_| {});
    let module = module_with(Flavour::Full, &engine, WAT, |_| {});
    let warm_up = Work {
        stores: 2,
        instances: 4,
        calls: 50,
    };
    let work = Work {
        stores: 8,
        instances: 8,
        calls: 200,
    };
    soak("full", &engine, &module, warm_up, work, 30);
}

/// A smaller run on the minimal library, the module precompiled by the full
/// one.
#[test]
fn soak_minimal_library() {
    let engine = engine_with(Flavour::Min, |_| {});
    let module = module_with(Flavour::Min, &engine, WAT, |_| {});
    let warm_up = Work {
        stores: 2,
        instances: 4,
        calls: 50,
    };
    let work = Work {
        stores: 4,
        instances: 8,
        calls: 200,
    };
    soak("min", &engine, &module, warm_up, work, 15);
}
