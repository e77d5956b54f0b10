//! `callcount-wasmtime <mode> <n>`: makes `n` calls with the wasmtime crate,
//! for instruction counts under callgrind (`cargo xtask bench` runs it with
//! two values of `n` and divides the difference). Modes: `typed` (`add`),
//! `untyped` (`add` through `Func::call`, preallocated `Val` arrays),
//! `async_typed`/`async_untyped` (`add` through `TypedFunc::call_async` and
//! `Func::call_async`, each future run to completion by a busy-polling
//! executor with a no-op waker),
//! `host_typed` (`call_host`, one host round trip), `instantiate_pre` (a
//! new store, an instance from an `InstancePre` made once, `add` looked up
//! typed and called once, the store dropped).

use bench_wasmtime::World;
use std::hint::black_box;
use wasmtime::Val;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mode, n) = match args.as_slice() {
        [mode, n] => (mode.as_str(), n.parse::<u64>().expect("a call count")),
        _ => {
            eprintln!("usage: callcount-wasmtime <typed | untyped | async_typed | async_untyped | host_typed | instantiate_pre> <calls>");
            std::process::exit(2);
        }
    };
    let mut w = World::new();
    match mode {
        "typed" => {
            for _ in 0..n {
                black_box(
                    w.add
                        .call(&mut w.store, (black_box(1), black_box(2)))
                        .unwrap(),
                );
            }
        }
        "untyped" => {
            let add = w.instance.get_func(&mut w.store, "add").unwrap();
            let params = [Val::I32(1), Val::I32(2)];
            let mut results = [Val::I32(0)];
            for _ in 0..n {
                add.call(&mut w.store, black_box(&params), &mut results)
                    .unwrap();
                black_box(&mut results);
            }
        }
        "async_typed" => {
            for _ in 0..n {
                let call = w.add.call_async(&mut w.store, (black_box(1), black_box(2)));
                black_box(bench_wasmtime::block_on(call).unwrap());
            }
        }
        "async_untyped" => {
            let add = w.instance.get_func(&mut w.store, "add").unwrap();
            let params = [Val::I32(1), Val::I32(2)];
            let mut results = [Val::I32(0)];
            for _ in 0..n {
                let call = add.call_async(&mut w.store, black_box(&params), &mut results);
                bench_wasmtime::block_on(call).unwrap();
                black_box(&mut results);
            }
        }
        "host_typed" => {
            for _ in 0..n {
                black_box(w.call_host.call(&mut w.store, black_box(1)).unwrap());
            }
        }
        "instantiate_pre" => {
            let engine = w.store.engine().clone();
            let cwasm = engine
                .precompile_module(bench_wasmtime::WAT.as_bytes())
                .unwrap();
            // SAFETY: the artifact was just produced by this engine.
            let module = unsafe { wasmtime::Module::deserialize(&engine, &cwasm) }.unwrap();
            let pre = bench_wasmtime::linker(&engine)
                .instantiate_pre(&module)
                .unwrap();
            for _ in 0..n {
                let mut store = wasmtime::Store::new(&engine, ());
                let instance = pre.instantiate(&mut store).unwrap();
                let add = instance
                    .get_typed_func::<(i32, i32), i32>(&mut store, "add")
                    .unwrap();
                black_box(add.call(&mut store, (1, 2)).unwrap());
            }
        }
        _ => {
            eprintln!("unknown mode {mode}");
            std::process::exit(2);
        }
    }
}
