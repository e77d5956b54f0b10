//! Compiles a WebAssembly module with a host import and calls it, on a
//! libwasmtime that has a compiler.
//!
//! ```text
//! cargo run --example hello -- /path/to/libwasmtime.so
//! ```
//! Without an argument the library comes from `Wasmtime::load`
//! (`WASMTIME_DYN_LIB`, then the system search).

use wasmtime_dyn::{Caller, Engine, Linker, Module, Store, Wasmtime};

const WAT: &str = r#"(module
    (import "host" "greet" (func $greet (param i32)))
    (func (export "run") (param i32) (result i32)
        local.get 0 call $greet
        local.get 0 i32.const 2 i32.mul))"#;

fn main() -> wasmtime_dyn::Result<()> {
    let wasmtime = match std::env::args().nth(1) {
        // SAFETY: the path given is taken to be a Wasmtime C API library.
        Some(path) => unsafe { Wasmtime::open(path) }?,
        // SAFETY: as above, for the library the loader finds.
        None => unsafe { Wasmtime::load() }?,
    };
    let engine = Engine::default_for(wasmtime)?;
    // On the minimal build this fails with ErrorKind::Unsupported(Compiler), whose
    // message says to precompile (see the `precompile` example).
    let module = Module::new(&engine, WAT)?;
    let mut linker = Linker::new(&engine);
    linker.func_wrap(
        "host",
        "greet",
        |mut caller: Caller<'_, Vec<i32>>, n: i32| {
            println!("hello from wasm: {n}");
            caller.data_mut().push(n);
        },
    )?;
    let mut store = Store::new(&engine, Vec::new());
    let instance = linker.instantiate(&mut store, &module)?;
    let run = instance.get_typed_func::<i32, i32>(&mut store, "run")?;
    println!("run(21) = {}", run.call(&mut store, 21)?);
    println!("the host saw {:?}", store.data());
    Ok(())
}
