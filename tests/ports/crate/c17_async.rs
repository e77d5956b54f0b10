//! Program 17: async wasm on tokio. A guest awaits an async host import that
//! sleeps on a tokio timer with `Caller` state; typed and untyped
//! `call_async`; `instantiate_async`; an async host error downcast by the
//! caller; fuel yields letting another task on the same thread run; a call
//! future dropped mid-way, after which the store still works; and many
//! guests at once on a multi-thread runtime.
//! Written against the `wasmtime` crate 48 (features `async`, `cranelift`,
//! `wat`) and tokio 1.
use std::cell::Cell;
use std::sync::Arc;
use std::time::{Duration, Instant};
use wasmtime::*;

const WAT: &str = r#"
(module
  (import "host" "nap" (func $nap (param i32) (result i32)))
  (import "host" "check" (func $check (param i32)))
  (func (export "nap") (param i32) (result i32)
    (call $nap (local.get 0)))
  (func (export "check") (param i32)
    (call $check (local.get 0)))
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
    slept_ms: u64,
}

#[derive(Debug, PartialEq)]
struct Refused(i32);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the host refused {}", self.0)
    }
}

impl std::error::Error for Refused {}

fn linker(engine: &Engine) -> Result<Linker<State>> {
    let mut linker = Linker::new(engine);
    linker.func_wrap_async(
        "host",
        "nap",
        |mut caller: Caller<'_, State>, (ms,): (i32,)| {
            Box::new(async move {
                tokio::time::sleep(Duration::from_millis(ms as u64)).await;
                caller.data_mut().naps += 1;
                caller.data_mut().slept_ms += ms as u64;
                Ok(caller.data().naps as i32)
            })
        },
    )?;
    let ty = FuncType::new(engine, [ValType::I32], []);
    linker.func_new_async("host", "check", ty, |_caller, params, _results| {
        Box::new(async move {
            tokio::task::yield_now().await;
            match params[0].unwrap_i32() {
                n if n < 0 => Err(Refused(n).into()),
                _ => Ok(()),
            }
        })
    })?;
    Ok(linker)
}

async fn one_thread(engine: &Engine, module: &Module) -> Result<()> {
    let linker = linker(engine)?;
    let mut store = Store::new(engine, State::default());
    store.set_fuel(u64::MAX)?;
    let instance = linker.instantiate_async(&mut store, module).await?;

    // Typed: a 50 ms timer awaited by the host import.
    let nap = instance.get_typed_func::<i32, i32>(&mut store, "nap")?;
    let start = Instant::now();
    assert_eq!(nap.call_async(&mut store, 50).await?, 1);
    assert!(start.elapsed() >= Duration::from_millis(50));
    assert_eq!(store.data().slept_ms, 50);

    // Untyped.
    let untyped = instance.get_func(&mut store, "nap").expect("nap");
    let mut results = [Val::I32(0)];
    untyped
        .call_async(&mut store, &[Val::I32(5)], &mut results)
        .await?;
    assert_eq!(results[0].unwrap_i32(), 2);

    // The host's error comes back as it was.
    let check = instance.get_typed_func::<i32, ()>(&mut store, "check")?;
    check.call_async(&mut store, 1).await?;
    let err = check.call_async(&mut store, -7).await.unwrap_err();
    assert_eq!(err.downcast_ref::<Refused>(), Some(&Refused(-7)));

    // Fuel yields: another task on this thread runs while the guest spins.
    store.fuel_async_yield_interval(Some(10_000))?;
    let spin = instance.get_typed_func::<i32, i32>(&mut store, "spin")?;
    let ticks = Cell::new(0u32);
    let done = Cell::new(false);
    let ticker = async {
        while !done.get() {
            ticks.set(ticks.get() + 1);
            tokio::task::yield_now().await;
        }
    };
    let guest = async {
        let sum = spin.call_async(&mut store, 100_000).await;
        done.set(true);
        sum
    };
    let (sum, ()) = tokio::join!(guest, ticker);
    assert_eq!(sum?, (1..=100_000i32).fold(0i32, |a, b| a.wrapping_add(b)));
    println!("the other task ran {} times during the spin", ticks.get());
    assert!(ticks.get() > 10);

    // A call future dropped while its host import sleeps.
    let dropped = tokio::time::timeout(
        Duration::from_millis(20),
        nap.call_async(&mut store, 10_000),
    );
    assert!(dropped.await.is_err());
    assert_eq!(store.data().naps, 2);
    assert_eq!(nap.call_async(&mut store, 1).await?, 3);
    Ok(())
}

async fn many_threads(engine: &Engine, module: &Module, guests: u32) -> Result<Duration> {
    let linker = Arc::new(linker(engine)?);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..guests {
        let (engine, module, linker) = (engine.clone(), module.clone(), linker.clone());
        tasks.push(tokio::spawn(async move {
            let mut store = Store::new(&engine, State::default());
            store.set_fuel(u64::MAX)?;
            let instance = linker.instantiate_async(&mut store, &module).await?;
            let nap = instance.get_typed_func::<i32, i32>(&mut store, "nap")?;
            let naps = nap.call_async(&mut store, 100).await?;
            Ok::<_, Error>(naps)
        }));
    }
    for task in tasks {
        assert_eq!(task.await.expect("task")?, 1);
    }
    Ok(start.elapsed())
}

fn main() -> Result<()> {
    let mut config = Config::new();
    config.consume_fuel(true);
    let engine = Engine::new(&config)?;
    let module = Module::new(&engine, WAT)?;

    let current = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()?;
    current.block_on(one_thread(&engine, &module))?;

    let multi = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()?;
    let took = multi.block_on(many_threads(&engine, &module, 32))?;
    println!("32 guests each awaiting 100 ms took {took:?}");
    assert!(took < Duration::from_millis(1_000));
    Ok(())
}
