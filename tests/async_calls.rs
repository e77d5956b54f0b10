//! Issue 19 (core wasm): `call_async`, async host functions, async
//! instantiation and fuel/epoch yields as Rust futures, on tokio's
//! current-thread and multi-thread runtimes, against the round's real
//! libraries; the minimal build (no async) refusing with
//! `Unsupported(Async)`; cancellation and misuse that could abort in child
//! processes.

mod common;

use common::child::isolate;
use common::{kind, round_has, Flavour};
use std::cell::Cell;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use wasmtime_dyn::{
    Caller, Capability, Config, Engine, ErrorKind, Func, FuncType, Linker, Module, Store, Trap,
    Val, ValType,
};

const WAT: &str = r#"
(module
  (import "host" "nap" (func $nap (param i32) (result i32)))
  (import "host" "check" (func $check (param i32) (result i32)))
  (func (export "nap") (param i32) (result i32)
    (call $nap (local.get 0)))
  (func (export "check") (param i32) (result i32)
    (call $check (local.get 0)))
  (func (export "add") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1)))
  (func (export "spin") (param i32) (result i32)
    (local $acc i32)
    (block $done
      (loop $top
        (br_if $done (i32.eqz (local.get 0)))
        (local.set $acc (i32.add (local.get $acc) (local.get 0)))
        (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
        (br $top)))
    (local.get $acc)))
"#;

#[derive(Default)]
struct State {
    naps: u32,
    /// Set by the host future's `Drop`.
    dropped: Arc<AtomicBool>,
}

#[derive(Debug, PartialEq)]
struct Refused(i32);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the host refused {}", self.0)
    }
}

impl std::error::Error for Refused {}

/// Sets its flag when dropped.
struct DropFlag(Arc<AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// `host.nap(ms)` sleeps on a tokio timer and counts in the store's data;
/// `host.check(n)` (untyped) yields once, then fails with `Refused` for a
/// negative `n`, panics for 666, and returns `n + 1` otherwise.
fn linker(engine: &Engine) -> Linker<State> {
    let mut linker = Linker::new(engine);
    linker
        .func_wrap_async(
            "host",
            "nap",
            |mut caller: Caller<'_, State>, (ms,): (i32,)| {
                Box::new(async move {
                    let _flag = DropFlag(caller.data().dropped.clone());
                    tokio::time::sleep(Duration::from_millis(ms as u64)).await;
                    caller.data_mut().naps += 1;
                    Ok(caller.data().naps as i32)
                })
            },
        )
        .expect("defining nap");
    let ty = FuncType::new([ValType::I32], [ValType::I32]);
    linker
        .func_new_async("host", "check", ty, |_caller, params, results| {
            Box::new(async move {
                tokio::task::yield_now().await;
                match params[0].unwrap_i32() {
                    666 => panic!("the host panicked on 666"),
                    n if n < 0 => Err(Refused(n).into()),
                    n => {
                        results[0] = Val::I32(n + 1);
                        Ok(())
                    }
                }
            })
        })
        .expect("defining check");
    linker
}

/// Whether the round's full library refuses async calls as too old (the
/// crate hands them out from Wasmtime 42: before, an engine with async
/// support aborts the process on sync calls): the refusal is checked and
/// said, and the caller returns.
fn async_refused() -> bool {
    let engine = fuel_engine();
    let mut linker = Linker::<()>::new(&engine);
    let defined = linker
        .func_wrap_async("", "f", |_caller: Caller<'_, ()>, (): ()| {
            Box::new(async { Ok(()) })
        })
        .map(drop);
    match common::too_old(defined) {
        Ok(()) => false,
        Err(why) => {
            eprintln!("{why}");
            true
        }
    }
}

fn fuel_engine() -> Engine {
    common::engine_with(Flavour::Full, |c: &mut Config| {
        c.consume_fuel(true);
    })
}

fn current_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a tokio runtime")
}

/// Awaits `fut`, counting how often it is polled.
async fn counted<F: Future>(fut: F, polls: &Cell<u32>) -> F::Output {
    let mut fut = std::pin::pin!(fut);
    std::future::poll_fn(|cx| {
        polls.set(polls.get() + 1);
        fut.as_mut().poll(cx)
    })
    .await
}

async fn instance(engine: &Engine, module: &Module) -> (Store<State>, wasmtime_dyn::Instance) {
    let mut store = Store::new(engine, State::default());
    store.set_fuel(u64::MAX).unwrap();
    let instance = linker(engine)
        .instantiate_async(&mut store, module)
        .await
        .expect("instantiate_async");
    (store, instance)
}

#[test]
fn a_host_timer_completes_in_few_outer_polls() {
    if async_refused() {
        return;
    }
    let engine = fuel_engine();
    let module = Module::new(&engine, WAT).unwrap();
    current_thread().block_on(async {
        let (mut store, instance) = instance(&engine, &module).await;
        let nap = instance
            .get_typed_func::<i32, i32>(&mut store, "nap")
            .unwrap();
        let polls = Cell::new(0);
        let start = Instant::now();
        let naps = counted(nap.call_async(&mut store, 50), &polls)
            .await
            .unwrap();
        let took = start.elapsed();
        println!("a 50 ms host sleep: {took:?}, {} outer polls", polls.get());
        assert_eq!(naps, 1);
        assert_eq!(store.data().naps, 1);
        assert!(took >= Duration::from_millis(50), "{took:?}");
        // The timer wakes the task once: no busy polling.
        assert!(polls.get() <= 3, "{} polls", polls.get());

        // Untyped, with results written through the same path.
        let f = instance.get_func(&mut store, "nap").unwrap();
        let mut results = [Val::I32(0)];
        f.call_async(&mut store, &[Val::I32(1)], &mut results)
            .await
            .unwrap();
        assert_eq!(results[0].unwrap_i32(), 2);
        // A plain wasm function, no host in between: done in one poll.
        let add = instance
            .get_typed_func::<(i32, i32), i32>(&mut store, "add")
            .unwrap();
        let polls = Cell::new(0);
        assert_eq!(
            counted(add.call_async(&mut store, (40, 2)), &polls)
                .await
                .unwrap(),
            42
        );
        assert_eq!(polls.get(), 1);
    });
}

#[test]
fn two_sleeping_calls_share_one_thread() {
    if async_refused() {
        return;
    }
    let engine = fuel_engine();
    let module = Module::new(&engine, WAT).unwrap();
    current_thread().block_on(async {
        let (mut a, ia) = instance(&engine, &module).await;
        let (mut b, ib) = instance(&engine, &module).await;
        let na = ia.get_typed_func::<i32, i32>(&mut a, "nap").unwrap();
        let nb = ib.get_typed_func::<i32, i32>(&mut b, "nap").unwrap();
        let start = Instant::now();
        let (ra, rb) = tokio::join!(na.call_async(&mut a, 100), nb.call_async(&mut b, 100));
        let took = start.elapsed();
        println!("two 100 ms host sleeps on one thread: {took:?}");
        assert_eq!((ra.unwrap(), rb.unwrap()), (1, 1));
        assert!(took < Duration::from_millis(180), "{took:?}");
    });
}

#[test]
fn fuel_yields_let_another_task_run() {
    if async_refused() {
        return;
    }
    let engine = fuel_engine();
    let module = Module::new(&engine, WAT).unwrap();
    current_thread().block_on(async {
        let (mut store, instance) = instance(&engine, &module).await;
        let spin = instance
            .get_typed_func::<i32, i32>(&mut store, "spin")
            .unwrap();
        assert!(matches!(
            kind(&store.fuel_async_yield_interval(Some(0)).unwrap_err()),
            Some(ErrorKind::Invalid(_))
        ));
        store.fuel_async_yield_interval(Some(1_000)).unwrap();
        let ticks = Cell::new(0u32);
        let done = Cell::new(false);
        let polls = Cell::new(0);
        let ticker = async {
            while !done.get() {
                ticks.set(ticks.get() + 1);
                tokio::task::yield_now().await;
            }
        };
        let guest = async {
            let sum = counted(spin.call_async(&mut store, 20_000), &polls).await;
            done.set(true);
            sum
        };
        let (sum, ()) = tokio::join!(guest, ticker);
        let want = (1..=20_000i32).fold(0i32, |a, b| a.wrapping_add(b));
        assert_eq!(sum.unwrap(), want);
        println!(
            "fuel interval 1000, 20 000 iterations: {} outer polls, the other task ran {} times",
            polls.get(),
            ticks.get()
        );
        assert!(polls.get() > 50, "{} polls", polls.get());
        assert!(ticks.get() + 1 >= polls.get() - 1, "{} ticks", ticks.get());
        // Yields off again: one poll.
        store.fuel_async_yield_interval(None).unwrap();
        let polls = Cell::new(0);
        counted(spin.call_async(&mut store, 20_000), &polls)
            .await
            .unwrap();
        assert_eq!(polls.get(), 1);
    });
}

#[test]
fn fuel_yields_need_fuel() {
    if async_refused() {
        return;
    }
    let engine = common::engine_with(Flavour::Full, |_| {});
    let mut store = Store::new(&engine, ());
    let err = store.fuel_async_yield_interval(Some(100)).unwrap_err();
    assert!(err.to_string().contains("fuel"), "{err}");
}

#[test]
fn epoch_yields_and_then_traps_again() {
    if async_refused() {
        return;
    }
    let engine = common::engine_with(Flavour::Full, |c: &mut Config| {
        c.epoch_interruption(true);
    });
    let module = Module::new(&engine, WAT).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let ticker = {
        let (engine, stop) = (engine.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                engine.increment_epoch();
                std::thread::sleep(Duration::from_millis(1));
            }
        })
    };
    current_thread().block_on(async {
        let mut store = Store::new(&engine, State::default());
        store.set_epoch_deadline(1);
        store.epoch_deadline_async_yield_and_update(1).unwrap();
        let instance = linker(&engine)
            .instantiate_async(&mut store, &module)
            .await
            .unwrap();
        let spin = instance
            .get_typed_func::<i32, i32>(&mut store, "spin")
            .unwrap();
        let polls = Cell::new(0);
        let ticks = Cell::new(0u32);
        let done = Cell::new(false);
        let ticker = async {
            while !done.get() {
                ticks.set(ticks.get() + 1);
                tokio::task::yield_now().await;
            }
        };
        let guest = async {
            let sum = counted(spin.call_async(&mut store, 30_000_000), &polls).await;
            done.set(true);
            sum
        };
        let (sum, ()) = tokio::join!(guest, ticker);
        let want = (1..=30_000_000i32).fold(0i32, |a, b| a.wrapping_add(b));
        assert_eq!(sum.unwrap(), want);
        println!(
            "epoch yields (1 ms ticks): {} outer polls, the other task ran {} times",
            polls.get(),
            ticks.get()
        );
        assert!(polls.get() > 1 && ticks.get() > 0);

        // Trapping again replaces the yield, as in the crate.
        store.epoch_deadline_trap();
        store.set_epoch_deadline(1);
        let err = spin.call_async(&mut store, i32::MAX).await.unwrap_err();
        assert_eq!(common::trap(&err), Some(Trap::Interrupt), "{err:?}");
        // And a callback after that is called.
        let seen = Arc::new(AtomicU32::new(0));
        let counter = seen.clone();
        store.epoch_deadline_async_yield_and_update(1).unwrap();
        store.epoch_deadline_callback(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
            Ok(wasmtime_dyn::UpdateDeadline::Interrupt)
        });
        store.set_epoch_deadline(1);
        let err = spin.call_async(&mut store, i32::MAX).await.unwrap_err();
        assert_eq!(common::trap(&err), Some(Trap::Interrupt), "{err:?}");
        assert_eq!(seen.load(Ordering::SeqCst), 1);
    });
    stop.store(true, Ordering::SeqCst);
    ticker.join().unwrap();
}

#[test]
fn host_errors_come_back_as_the_same_value() {
    if async_refused() {
        return;
    }
    let engine = fuel_engine();
    let module = Module::new(&engine, WAT).unwrap();
    current_thread().block_on(async {
        let (mut store, instance) = instance(&engine, &module).await;
        let check = instance
            .get_typed_func::<i32, i32>(&mut store, "check")
            .unwrap();
        assert_eq!(check.call_async(&mut store, 41).await.unwrap(), 42);
        let err = check.call_async(&mut store, -7).await.unwrap_err();
        assert_eq!(err.downcast_ref::<Refused>(), Some(&Refused(-7)), "{err:?}");
        assert!(!common::frames(&err).is_empty(), "wasm frames: {err:?}");
        // Untyped too, and the store goes on.
        let f = instance.get_func(&mut store, "check").unwrap();
        let mut results = [Val::I32(0)];
        let err = f
            .call_async(&mut store, &[Val::I32(-1)], &mut results)
            .await
            .unwrap_err();
        assert_eq!(err.downcast_ref::<Refused>(), Some(&Refused(-1)));
        assert_eq!(check.call_async(&mut store, 1).await.unwrap(), 2);
        // Argument checks in Rust.
        let err = f
            .call_async(&mut store, &[Val::I64(1)], &mut results)
            .await
            .unwrap_err();
        assert!(
            matches!(kind(&err), Some(ErrorKind::TypeMismatch(_))),
            "{err:?}"
        );
        let err = f
            .call_async(&mut store, &[], &mut results)
            .await
            .unwrap_err();
        assert!(
            matches!(kind(&err), Some(ErrorKind::TypeMismatch(_))),
            "{err:?}"
        );
        let mut other = Store::new(&engine, State::default());
        let err = check.call_async(&mut other, 1).await.unwrap_err();
        assert!(
            matches!(kind(&err), Some(ErrorKind::WrongStore(_))),
            "{err:?}"
        );
    });
}

#[test]
fn a_host_panic_resumes_in_the_caller() {
    if async_refused() {
        return;
    }
    let engine = fuel_engine();
    let module = Module::new(&engine, WAT).unwrap();
    let rt = current_thread();
    let (mut store, instance) = rt.block_on(instance(&engine, &module));
    let check = instance
        .get_typed_func::<i32, i32>(&mut store, "check")
        .unwrap();
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(check.call_async(&mut store, 666))
    }))
    .expect_err("the host's panic");
    assert_eq!(
        caught.downcast_ref::<&str>().copied(),
        Some("the host panicked on 666")
    );
    assert_eq!(rt.block_on(check.call_async(&mut store, 1)).unwrap(), 2);
}

#[test]
fn a_panic_making_the_host_future_resumes_in_the_caller() {
    if async_refused() {
        return;
    }
    let engine = fuel_engine();
    let module = Module::new(
        &engine,
        r#"(module (import "host" "boom" (func $b)) (func (export "run") (call $b)))"#,
    )
    .unwrap();
    let mut linker: Linker<()> = Linker::new(&engine);
    linker
        .func_wrap_async("host", "boom", |_caller: Caller<'_, ()>, (): ()| {
            panic!("before any future");
            #[allow(unreachable_code)]
            Box::new(async { Ok(()) })
        })
        .unwrap();
    let rt = current_thread();
    let mut store = Store::new(&engine, ());
    store.set_fuel(u64::MAX).unwrap();
    let instance = rt
        .block_on(linker.instantiate_async(&mut store, &module))
        .unwrap();
    let run = instance
        .get_typed_func::<(), ()>(&mut store, "run")
        .unwrap();
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(run.call_async(&mut store, ()))
    }))
    .expect_err("the closure's panic");
    assert_eq!(
        caught.downcast_ref::<&str>().copied(),
        Some("before any future")
    );
}

#[test]
fn dropping_a_call_mid_way_leaves_the_store_usable() {
    if async_refused() {
        return;
    }
    let engine = fuel_engine();
    let module = Module::new(&engine, WAT).unwrap();
    current_thread().block_on(async {
        let (mut store, instance) = instance(&engine, &module).await;
        let nap = instance
            .get_typed_func::<i32, i32>(&mut store, "nap")
            .unwrap();
        let dropped = store.data().dropped.clone();
        let timed_out = tokio::time::timeout(
            Duration::from_millis(20),
            nap.call_async(&mut store, 60_000),
        )
        .await;
        assert!(timed_out.is_err());
        // The host future was dropped with the call.
        assert!(dropped.load(Ordering::SeqCst));
        assert_eq!(store.data().naps, 0);
        assert_eq!(nap.call_async(&mut store, 1).await.unwrap(), 1);

        // Dropped between two fuel yields.
        store.fuel_async_yield_interval(Some(1_000)).unwrap();
        let spin = instance
            .get_typed_func::<i32, i32>(&mut store, "spin")
            .unwrap();
        {
            let mut fut = std::pin::pin!(spin.call_async(&mut store, 1_000_000));
            let mut polls = 0;
            std::future::poll_fn(|cx| {
                polls += 1;
                match fut.as_mut().poll(cx) {
                    std::task::Poll::Pending if polls < 5 => std::task::Poll::Pending,
                    std::task::Poll::Pending => std::task::Poll::Ready(()),
                    std::task::Poll::Ready(r) => panic!("finished early: {r:?}"),
                }
            })
            .await;
        }
        assert_eq!(spin.call_async(&mut store, 3).await.unwrap(), 6);
    });
}

#[test]
fn many_guests_at_once_on_a_multi_thread_runtime() {
    if async_refused() {
        return;
    }
    let engine = fuel_engine();
    let module = Module::new(&engine, WAT).unwrap();
    let linker = Arc::new(linker(&engine));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .unwrap();
    let took = rt.block_on(async {
        let start = Instant::now();
        let tasks: Vec<_> = (0..64)
            .map(|i| {
                let (engine, module, linker) = (engine.clone(), module.clone(), linker.clone());
                tokio::spawn(async move {
                    let mut store = Store::new(&engine, State::default());
                    store.set_fuel(u64::MAX).unwrap();
                    // Half of them also yield on fuel, so futures move
                    // between the worker threads mid-call.
                    if i % 2 == 0 {
                        store.fuel_async_yield_interval(Some(500)).unwrap();
                    }
                    let instance = linker.instantiate_async(&mut store, &module).await?;
                    let nap = instance.get_typed_func::<i32, i32>(&mut store, "nap")?;
                    let spin = instance.get_typed_func::<i32, i32>(&mut store, "spin")?;
                    let naps = nap.call_async(&mut store, 100).await?;
                    let sum = spin.call_async(&mut store, 10_000).await?;
                    Ok::<_, wasmtime_dyn::Error>((naps, sum))
                })
            })
            .collect();
        let want = (1..=10_000i32).sum::<i32>();
        for task in tasks {
            assert_eq!(task.await.unwrap().unwrap(), (1, want));
        }
        start.elapsed()
    });
    println!("64 guests each awaiting 100 ms on 2 worker threads: {took:?}");
    assert!(took < Duration::from_millis(1_000), "{took:?}");
}

#[test]
fn instance_pre_and_a_start_function_awaiting_the_host() {
    if async_refused() {
        return;
    }
    let engine = fuel_engine();
    let wat = r#"
      (module
        (import "host" "nap" (func $nap (param i32) (result i32)))
        (global $g (mut i32) (i32.const 0))
        (func $start (global.set $g (call $nap (i32.const 20))))
        (start $start)
        (func (export "g") (result i32) (global.get $g)))
    "#;
    let module = Module::new(&engine, wat).unwrap();
    let pre = linker(&engine).instantiate_pre(&module).unwrap();
    current_thread().block_on(async {
        let mut store = Store::new(&engine, State::default());
        store.set_fuel(u64::MAX).unwrap();
        let polls = Cell::new(0);
        let start = Instant::now();
        let instance = counted(pre.instantiate_async(&mut store), &polls)
            .await
            .unwrap();
        assert!(start.elapsed() >= Duration::from_millis(20));
        assert!(polls.get() >= 2, "the start function was suspended");
        let g = instance.get_typed_func::<(), i32>(&mut store, "g").unwrap();
        assert_eq!(g.call_async(&mut store, ()).await.unwrap(), 1);
    });
}

/// Linking an async host function makes the store's calls async-only in
/// Wasmtime 45 and later: a sync instantiation or call is an error, not an
/// abort (36 to 41 aborted on mixing; those majors get no async table).
#[test]
fn a_sync_call_reaching_an_async_host_function_is_an_error() {
    if async_refused() {
        return;
    }
    isolate(
        "a_sync_call_reaching_an_async_host_function_is_an_error",
        || {
            let engine = fuel_engine();
            let module = Module::new(&engine, WAT).unwrap();
            let linker = linker(&engine);
            let mut store = Store::new(&engine, State::default());
            store.set_fuel(u64::MAX).unwrap();
            let err = linker.instantiate(&mut store, &module).unwrap_err();
            assert!(err.to_string().contains("_async"), "{err:?}");
            let instance = current_thread()
                .block_on(linker.instantiate_async(&mut store, &module))
                .unwrap();
            let nap = instance
                .get_typed_func::<i32, i32>(&mut store, "nap")
                .unwrap();
            let err = nap.call(&mut store, 1).unwrap_err();
            assert!(err.to_string().contains("_async"), "{err:?}");
            let add = instance.get_func(&mut store, "add").unwrap();
            let mut results = [Val::I32(0)];
            let err = add
                .call(&mut store, &[Val::I32(1), Val::I32(2)], &mut results)
                .unwrap_err();
            assert!(err.to_string().contains("_async"), "{err:?}");

            // An async host function taken out of the linker into a fresh
            // store: calling it synchronously aborted inside Wasmtime.
            let mut fresh = Store::new(&engine, State::default());
            let nap = linker
                .get(&mut fresh, "host", "nap")
                .and_then(|e| e.into_func())
                .expect("host.nap");
            let err = nap
                .call(&mut fresh, &[Val::I32(1)], &mut results)
                .unwrap_err();
            assert!(err.to_string().contains("_async"), "{err:?}");
            current_thread()
                .block_on(nap.call_async(&mut fresh, &[Val::I32(1)], &mut results))
                .unwrap();
            assert_eq!(results[0].unwrap_i32(), 1);
        },
    );
}

/// A fuel yield reached by a sync call (the store made async-only by
/// `fuel_async_yield_interval`) is an error, not an abort.
#[test]
fn a_sync_call_in_a_yielding_store_is_an_error() {
    if async_refused() {
        return;
    }
    isolate("a_sync_call_in_a_yielding_store_is_an_error", || {
        let engine = fuel_engine();
        let mut store = Store::new(&engine, ());
        store.set_fuel(u64::MAX).unwrap();
        let f = Func::wrap(&mut store, |x: i32| x + 1);
        store.fuel_async_yield_interval(Some(10)).unwrap();
        let err = f
            .typed::<i32, i32>(&store)
            .unwrap()
            .call(&mut store, 1)
            .unwrap_err();
        assert!(err.to_string().contains("_async"), "{err:?}");
        let ok = current_thread().block_on(
            f.typed::<i32, i32>(&store)
                .unwrap()
                .call_async(&mut store, 1),
        );
        assert_eq!(ok.unwrap(), 2);
    });
}

/// A call future leaked mid-call (`mem::forget`): the C future and its
/// suspended fiber are never resumed; the store stays usable, as with the
/// crate, whose futures may be leaked in safe code too.
#[test]
fn a_leaked_call_future_leaves_the_store_usable() {
    if async_refused() {
        return;
    }
    isolate("a_leaked_call_future_leaves_the_store_usable", || {
        let engine = fuel_engine();
        let module = Module::new(&engine, WAT).unwrap();
        current_thread().block_on(async {
            let (mut store, instance) = instance(&engine, &module).await;
            let nap = instance
                .get_typed_func::<i32, i32>(&mut store, "nap")
                .unwrap();
            let mut fut = Box::pin(nap.call_async(&mut store, 60_000));
            let polled =
                std::future::poll_fn(|cx| std::task::Poll::Ready(fut.as_mut().poll(cx))).await;
            assert!(polled.is_pending());
            std::mem::forget(fut);
            assert_eq!(nap.call_async(&mut store, 1).await.unwrap(), 1);
            let add = instance
                .get_typed_func::<(i32, i32), i32>(&mut store, "add")
                .unwrap();
            assert_eq!(add.call_async(&mut store, (1, 2)).await.unwrap(), 3);
        });
    });
}

#[test]
fn the_minimal_build_refuses_async() {
    if !round_has(Flavour::Min) {
        return;
    }
    let lib = Flavour::Min.load();
    assert!(!lib.has(Capability::Async));
    let engine = Engine::default_for(lib).unwrap();
    // Where the round's major is too old for async calls (the full library
    // refuses them too), that is the refusal, naming them; otherwise the
    // build's lack of the capability.
    let too_old = async_refused();
    let unsupported = |err: wasmtime_dyn::Error| {
        if too_old {
            assert!(
                matches!(kind(&err), Some(ErrorKind::UnsupportedVersion { feature, .. })
                    if feature.contains("async")),
                "{err:?}"
            );
            assert!(common::too_old_why(&err).is_some(), "{err:?}");
        } else {
            assert!(
                matches!(kind(&err), Some(ErrorKind::Unsupported(Capability::Async))),
                "{err:?}"
            );
        }
    };
    let mut linker: Linker<()> = Linker::new(&engine);
    unsupported(
        linker
            .func_wrap_async("host", "f", |_: Caller<'_, ()>, (): ()| {
                Box::new(async { Ok(()) })
            })
            .map(|_| ())
            .unwrap_err(),
    );
    let mut store = Store::new(&engine, ());
    unsupported(store.fuel_async_yield_interval(Some(1)).unwrap_err());
    unsupported(store.epoch_deadline_async_yield_and_update(1).unwrap_err());
    let f = Func::wrap(&mut store, |x: i32| x);
    let rt = current_thread();
    let mut results = [Val::I32(0)];
    unsupported(
        rt.block_on(f.call_async(&mut store, &[Val::I32(1)], &mut results))
            .unwrap_err(),
    );
    unsupported(
        rt.block_on(
            f.typed::<i32, i32>(&store)
                .unwrap()
                .call_async(&mut store, 1),
        )
        .unwrap_err(),
    );
    // Everything else keeps working.
    assert_eq!(
        f.typed::<i32, i32>(&store)
            .unwrap()
            .call(&mut store, 5)
            .unwrap(),
        5
    );
}

/// Memory stays flat over many async calls (each makes and deletes a C call
/// future and runs on a fiber).
#[test]
fn many_async_calls_keep_memory_flat() {
    if async_refused() {
        return;
    }
    fn rss_kib() -> u64 {
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }
    let engine = fuel_engine();
    let module = Module::new(&engine, WAT).unwrap();
    current_thread().block_on(async {
        let (mut store, instance) = instance(&engine, &module).await;
        let add = instance
            .get_typed_func::<(i32, i32), i32>(&mut store, "add")
            .unwrap();
        let check = instance
            .get_typed_func::<i32, i32>(&mut store, "check")
            .unwrap();
        for i in 0..2_000 {
            add.call_async(&mut store, (i, 1)).await.unwrap();
            check.call_async(&mut store, i % 500).await.unwrap();
        }
        let before = rss_kib();
        let start = Instant::now();
        for i in 0..50_000 {
            assert_eq!(add.call_async(&mut store, (i, 1)).await.unwrap(), i + 1);
            assert_eq!(check.call_async(&mut store, i % 500).await.unwrap(), i % 500 + 1);
        }
        let after = rss_kib();
        println!(
            "100 000 async calls (half through an async host function): {:?}, RSS {before} -> {after} KiB",
            start.elapsed()
        );
        assert!(after < before + 4 * 1024, "RSS {before} -> {after} KiB");
    });
}

/// `UpdateDeadline::Yield` from an epoch callback: a yield under
/// `call_async`, Wasmtime's error in a sync call (not an abort).
#[test]
fn an_epoch_callback_can_yield() {
    if async_refused() {
        return;
    }
    isolate("an_epoch_callback_can_yield", || {
        let engine = common::engine_with(Flavour::Full, |c: &mut Config| {
            c.epoch_interruption(true);
        });
        let module = Module::new(&engine, WAT).unwrap();
        let mut store = Store::new(&engine, State::default());
        let rt = current_thread();
        let instance = rt
            .block_on(linker(&engine).instantiate_async(&mut store, &module))
            .unwrap();
        let spin = instance
            .get_typed_func::<i32, i32>(&mut store, "spin")
            .unwrap();
        let calls = Arc::new(AtomicU32::new(0));
        let counter = calls.clone();
        store.epoch_deadline_callback(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
            Ok(wasmtime_dyn::UpdateDeadline::Yield(1))
        });
        store.set_epoch_deadline(1);
        engine.increment_epoch();
        let polls = Cell::new(0);
        let sum = rt.block_on(counted(spin.call_async(&mut store, 1_000), &polls));
        assert_eq!(sum.unwrap(), (1..=1_000).sum::<i32>());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(polls.get(), 2, "one yield");
    });
}

#[test]
fn an_epoch_yield_without_async_is_an_error() {
    if !round_has(Flavour::Min) {
        return;
    }
    isolate("an_epoch_yield_without_async_is_an_error", || {
        let configure = |c: &mut Config| {
            c.epoch_interruption(true);
        };
        let engine = common::engine_with(Flavour::Min, configure);
        let module = common::module_with(
            Flavour::Min,
            &engine,
            r#"(module (func (export "run") (loop $l (br $l))))"#,
            configure,
        );
        let mut store = Store::new(&engine, ());
        let instance = wasmtime_dyn::Instance::new(&mut store, &module, &[]).unwrap();
        let run = instance
            .get_typed_func::<(), ()>(&mut store, "run")
            .unwrap();
        store.epoch_deadline_callback(|_| Ok(wasmtime_dyn::UpdateDeadline::Yield(1)));
        store.set_epoch_deadline(1);
        engine.increment_epoch();
        let err = run.call(&mut store, ()).unwrap_err();
        assert!(
            matches!(kind(&err), Some(ErrorKind::Unsupported(Capability::Async))),
            "{err:?}"
        );
    });
}

#[test]
fn a_sync_call_reaching_an_epoch_yield_is_an_error() {
    if async_refused() {
        return;
    }
    isolate("a_sync_call_reaching_an_epoch_yield_is_an_error", || {
        let engine = common::engine_with(Flavour::Full, |c: &mut Config| {
            c.epoch_interruption(true);
        });
        let module = Module::new(
            &engine,
            r#"(module (func (export "run") (loop $l (br $l))))"#,
        )
        .unwrap();
        let mut store = Store::new(&engine, ());
        let instance = wasmtime_dyn::Instance::new(&mut store, &module, &[]).unwrap();
        let run = instance
            .get_typed_func::<(), ()>(&mut store, "run")
            .unwrap();
        store.epoch_deadline_callback(|_| Ok(wasmtime_dyn::UpdateDeadline::Yield(1)));
        store.set_epoch_deadline(1);
        engine.increment_epoch();
        let err = run.call(&mut store, ()).unwrap_err();
        assert!(
            format!("{err:?}").contains("UpdateDeadline::Yield"),
            "{err:?}"
        );
    });
}

#[test]
fn instance_new_async_runs_a_yielding_start_function() {
    if async_refused() {
        return;
    }
    let engine = fuel_engine();
    let wat = r#"
      (module
        (import "env" "base" (func $base (result i32)))
        (global $g (mut i32) (i32.const 0))
        (func $start
          (local $n i32)
          (local.set $n (i32.const 10000))
          (block $done
            (loop $top
              (br_if $done (i32.eqz (local.get $n)))
              (global.set $g (i32.add (global.get $g) (call $base)))
              (local.set $n (i32.sub (local.get $n) (i32.const 1)))
              (br $top))))
        (start $start)
        (func (export "g") (result i32) (global.get $g)))
    "#;
    let module = Module::new(&engine, wat).unwrap();
    current_thread().block_on(async {
        let mut store = Store::new(&engine, ());
        store.set_fuel(u64::MAX).unwrap();
        store.fuel_async_yield_interval(Some(1_000)).unwrap();
        let base = Func::wrap(&mut store, || 3);
        let err = wasmtime_dyn::Instance::new_async(&mut store, &module, &[])
            .await
            .unwrap_err();
        assert!(matches!(kind(&err), Some(ErrorKind::Invalid(_))), "{err:?}");
        let polls = Cell::new(0);
        let instance = counted(
            wasmtime_dyn::Instance::new_async(&mut store, &module, &[base.into()]),
            &polls,
        )
        .await
        .unwrap();
        println!("a start function under fuel yields: {} polls", polls.get());
        assert!(polls.get() > 10, "{} polls", polls.get());
        let g = instance.get_typed_func::<(), i32>(&mut store, "g").unwrap();
        assert_eq!(g.call_async(&mut store, ()).await.unwrap(), 30_000);
    });
}

/// An async host function that calls back into its own store with
/// `call_async` through its `Caller`.
#[test]
fn an_async_host_function_can_call_back_into_its_store() {
    if async_refused() {
        return;
    }
    isolate(
        "an_async_host_function_can_call_back_into_its_store",
        || {
            let engine = fuel_engine();
            let wat = r#"
          (module
            (import "host" "twice" (func $twice (param i32) (result i32)))
            (func (export "double") (param i32) (result i32)
              (i32.mul (local.get 0) (i32.const 2)))
            (func (export "run") (param i32) (result i32)
              (call $twice (local.get 0))))
        "#;
            let module = Module::new(&engine, wat).unwrap();
            let mut linker: Linker<()> = Linker::new(&engine);
            linker
                .func_wrap_async(
                    "host",
                    "twice",
                    |mut caller: Caller<'_, ()>, (x,): (i32,)| {
                        Box::new(async move {
                            let double = caller
                                .get_export("double")
                                .and_then(|e| e.into_func())
                                .expect("double");
                            let double = double.typed::<i32, i32>(&caller)?;
                            tokio::task::yield_now().await;
                            let once = double.call_async(&mut caller, x).await?;
                            double.call_async(&mut caller, once).await
                        })
                    },
                )
                .unwrap();
            current_thread().block_on(async {
                let mut store = Store::new(&engine, ());
                store.set_fuel(u64::MAX).unwrap();
                let instance = linker.instantiate_async(&mut store, &module).await.unwrap();
                let run = instance
                    .get_typed_func::<i32, i32>(&mut store, "run")
                    .unwrap();
                assert_eq!(run.call_async(&mut store, 5).await.unwrap(), 20);
            });
        },
    );
}

/// The futures are `Send` where the crate's are (a store of `Send` data),
/// so a multi-thread runtime can move them between polls.
#[test]
fn the_futures_are_send() {
    if async_refused() {
        return;
    }
    fn send<F: Future + Send>(f: F) -> F {
        f
    }
    let engine = fuel_engine();
    let module = Module::new(&engine, WAT).unwrap();
    let linker = linker(&engine);
    let pre = linker.instantiate_pre(&module).unwrap();
    let rt = current_thread();
    let mut store = Store::new(&engine, State::default());
    store.set_fuel(u64::MAX).unwrap();
    let instance = rt
        .block_on(send(pre.instantiate_async(&mut store)))
        .unwrap();
    let add = instance.get_func(&mut store, "add").unwrap();
    let mut results = [Val::I32(0)];
    rt.block_on(send(add.call_async(
        &mut store,
        &[Val::I32(1), Val::I32(2)],
        &mut results,
    )))
    .unwrap();
    assert_eq!(results[0].unwrap_i32(), 3);
    let unit = Func::wrap(&mut store, || {});
    let imports_one = Module::new(&engine, r#"(module (import "m" "f" (func)))"#).unwrap();
    rt.block_on(send(wasmtime_dyn::Instance::new_async(
        &mut store,
        &imports_one,
        &[unit.into()],
    )))
    .unwrap();
    let mut cx = wasmtime_dyn::AsContextMut::as_context_mut(&mut store);
    let typed = add.typed::<(i32, i32), i32>(&cx).unwrap();
    assert_eq!(
        rt.block_on(send(typed.call_async(&mut cx, (2, 3))))
            .unwrap(),
        5
    );
}

/// The run-only builds (48, 50: async and WASI without a compiler or GC)
/// pass 24-byte `wasmtime_val_t`s: calls and async host functions use the
/// library's stride.
#[test]
fn async_calls_on_a_build_without_gc() {
    let Some(lib) = common::run_only() else {
        return;
    };
    assert!(lib.has(Capability::Async) && !lib.has(Capability::Gc));
    assert_eq!(lib.val_abi(), wasmtime_dyn::ValAbi::NoGc);
    let mut config = Config::new(lib);
    config.consume_fuel(true);
    let engine = Engine::new(lib, &config).unwrap();
    let full = Flavour::Full.load();
    let mut compiling = Config::new(full);
    compiling.consume_fuel(true);
    compiling.for_target(engine.capabilities());
    let compiling = Engine::new(full, &compiling).unwrap();
    let cwasm = wasmtime_dyn::precompile_for(&compiling, &engine, WAT).unwrap();
    // SAFETY: the artifact was just made by the official library.
    let module = unsafe { Module::deserialize(&engine, &cwasm) }.unwrap();
    current_thread().block_on(async {
        let (mut store, instance) = instance(&engine, &module).await;
        let nap = instance.get_func(&mut store, "nap").unwrap();
        let mut results = [Val::I32(0)];
        for want in 1..=3 {
            nap.call_async(&mut store, &[Val::I32(1)], &mut results)
                .await
                .unwrap();
            assert_eq!(results[0].unwrap_i32(), want);
        }
        let add = instance
            .get_typed_func::<(i32, i32), i32>(&mut store, "add")
            .unwrap();
        assert_eq!(add.call_async(&mut store, (40, 2)).await.unwrap(), 42);
        let check = instance
            .get_typed_func::<i32, i32>(&mut store, "check")
            .unwrap();
        assert_eq!(check.call_async(&mut store, 7).await.unwrap(), 8);
        let err = check.call_async(&mut store, -3).await.unwrap_err();
        assert_eq!(err.downcast_ref::<Refused>(), Some(&Refused(-3)));
    });
}

/// A sync host function that polls a `call_async` of its own store (for
/// example through an executor's `block_on`) while the outer call is
/// itself async.
#[test]
fn call_async_from_a_sync_host_function_inside_an_async_call() {
    if async_refused() {
        return;
    }
    isolate(
        "call_async_from_a_sync_host_function_inside_an_async_call",
        || {
            let engine = fuel_engine();
            let wat = r#"
              (module
                (import "host" "inner" (func $inner (param i32) (result i32)))
                (func (export "double") (param i32) (result i32)
                  (i32.mul (local.get 0) (i32.const 2)))
                (func (export "run") (param i32) (result i32)
                  (call $inner (local.get 0))))
            "#;
            let module = Module::new(&engine, wat).unwrap();
            let mut linker: Linker<()> = Linker::new(&engine);
            linker
                .func_wrap("host", "inner", |mut caller: Caller<'_, ()>, x: i32| {
                    let double = caller
                        .get_export("double")
                        .and_then(|e| e.into_func())
                        .expect("double");
                    let double = double.typed::<i32, i32>(&caller)?;
                    let mut fut = std::pin::pin!(double.call_async(&mut caller, x));
                    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
                    loop {
                        if let std::task::Poll::Ready(r) = fut.as_mut().poll(&mut cx) {
                            return r;
                        }
                    }
                })
                .unwrap();
            current_thread().block_on(async {
                let mut store = Store::new(&engine, ());
                store.set_fuel(u64::MAX).unwrap();
                let instance = linker.instantiate_async(&mut store, &module).await.unwrap();
                let run = instance
                    .get_typed_func::<i32, i32>(&mut store, "run")
                    .unwrap();
                assert_eq!(run.call_async(&mut store, 5).await.unwrap(), 10);
            });
        },
    );
}
