//! Async wasm on tokio: three guests on one thread, each awaiting an async
//! host import that sleeps 100 ms on a tokio timer, finish together in
//! about 100 ms; then a guest spinning on fuel yields lets another task on
//! the same thread run. On a library without async (the minimal build) it
//! says why it cannot run.
//!
//! ```text
//! cargo run --example async_tokio -- /path/to/libwasmtime.so
//! ```
//! Without an argument the library comes from `Wasmtime::load`
//! (`WASMTIME_DYN_LIB`, then the system search).

use std::cell::Cell;
use std::time::{Duration, Instant};
use wasmtime_dyn::{Caller, Config, Engine, Linker, Module, Store, Wasmtime};

const WAT: &str = r#"(module
    (import "host" "sleep" (func $sleep (param i32)))
    (func (export "nap") (param i32) (call $sleep (local.get 0)))
    (func (export "spin") (param i32) (result i32)
        (local $acc i32)
        (block $done
            (loop $top
                (br_if $done (i32.eqz (local.get 0)))
                (local.set $acc (i32.add (local.get $acc) (local.get 0)))
                (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
                (br $top)))
        (local.get $acc)))"#;

fn main() -> wasmtime_dyn::Result<()> {
    let wasmtime = match std::env::args().nth(1) {
        // SAFETY: the path given is taken to be a Wasmtime C API library.
        Some(path) => unsafe { Wasmtime::open(path) }?,
        // SAFETY: as above, for the library the loader finds.
        None => unsafe { Wasmtime::load() }?,
    };
    let mut config = Config::new(wasmtime);
    config.consume_fuel(true);
    let engine = Engine::new(wasmtime, &config)?;
    let mut linker: Linker<u32> = Linker::new(&engine);
    // On a library without async this is ErrorKind::Unsupported(Async).
    linker.func_wrap_async(
        "host",
        "sleep",
        |mut caller: Caller<'_, u32>, (ms,): (i32,)| {
            Box::new(async move {
                tokio::time::sleep(Duration::from_millis(ms as u64)).await;
                *caller.data_mut() += 1;
            })
        },
    )?;
    let module = Module::new(&engine, WAT)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()?;
    runtime.block_on(async {
        let guest = |id: u32| {
            let (engine, module, linker) = (&engine, &module, &linker);
            async move {
                let mut store = Store::new(engine, 0);
                store.set_fuel(u64::MAX)?;
                let instance = linker.instantiate_async(&mut store, module).await?;
                let nap = instance.get_typed_func::<i32, ()>(&mut store, "nap")?;
                nap.call_async(&mut store, 100).await?;
                println!("guest {id}: woke up after {} host sleep", store.data());
                Ok::<_, wasmtime_dyn::Error>(())
            }
        };
        let start = Instant::now();
        let (a, b, c) = tokio::join!(guest(1), guest(2), guest(3));
        a?;
        b?;
        c?;
        println!(
            "three guests awaiting 100 ms each, on one thread: {:?}",
            start.elapsed()
        );

        let mut store = Store::new(&engine, 0);
        store.set_fuel(u64::MAX)?;
        store.fuel_async_yield_interval(Some(10_000))?;
        let instance = linker.instantiate_async(&mut store, &module).await?;
        let spin = instance.get_typed_func::<i32, i32>(&mut store, "spin")?;
        let (ticks, done) = (Cell::new(0u32), Cell::new(false));
        let other = async {
            while !done.get() {
                ticks.set(ticks.get() + 1);
                tokio::task::yield_now().await;
            }
        };
        let spinning = async {
            let sum = spin.call_async(&mut store, 1_000_000).await;
            done.set(true);
            sum
        };
        let (sum, ()) = tokio::join!(spinning, other);
        println!(
            "spin(1000000) = {}; another task ran {} times meanwhile (fuel yields every 10000)",
            sum?,
            ticks.get()
        );
        Ok(())
    })
}
