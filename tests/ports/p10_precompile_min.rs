//! Program 10: Precompile on a machine with a compiler for a minimal, runtime-only
//! Wasmtime (`default-features = false, features = ["runtime"]`), with fuel.
//! With the crate the two halves are two builds of the program (the build
//! step and the embedded runtime); here they are two functions.
//!
//! Port of `crate/c10_precompile_min.rs` to wasmtime-dyn. Besides the `use`
//! line, `main` taking the library and the library argument where an `Engine`
//! or `Config` is made, every changed line carries a `// port:` comment
//! naming the gap: at its end, or, for a function signature (where rustfmt
//! would move it into the body), on the line above. `DIFF.md` lists them with
//! their reasons.
use wasmtime_dyn::*;

pub const WAT: &str = // port: pub for the minimal-library test
    r#"
(module
  (func (export "count") (param $n i32) (result i32) (local $i i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $i)))
"#;

/// The build step, with a compiler: settings must match the runtime's.
// port: (next line) the library is passed in; pub for the minimal-library test
pub fn precompile(wasmtime: &'static Wasmtime, wasm: &[u8]) -> Result<Vec<u8>> {
    let mut config = Config::new(wasmtime);
    config.consume_fuel(true);
    // What a runtime-only build (no `gc`, `threads`, `component-model`
    // cargo features) can run:
    // port: (next 3 lines) libraries before 43 have no `gc_support` setting: GC support is always on there (36's C API builds it into runtime-only builds too)
    if wasmtime.version().major() >= 43 {
        config.gc_support(false);
    }
    config
        .wasm_exceptions(false)
        .wasm_threads(false)
        .wasm_component_model(false)
        .concurrency_support(false);
    let engine = Engine::new(wasmtime, &config)?;
    engine.precompile_module(wasm)
}

/// The runtime-only build: no compiler.
// port: (next line) the library is passed in; pub for the minimal-library test
pub fn run(wasmtime: &'static Wasmtime, cwasm: &[u8]) -> Result<()> {
    let mut config = Config::new(wasmtime);
    config.consume_fuel(true);
    // Off in a runtime-only build anyway (no `component-model-async`);
    // saying so lets a full build run the artifact too.
    config.concurrency_support(false);
    // port: (next line) likewise off there; Wasmtime 36 (not the crate's 48) runs an artifact only in an engine of exactly its proposals
    config.wasm_threads(false).wasm_component_model(false);
    let engine = Engine::new(wasmtime, &config)?;
    assert_eq!(Engine::detect_precompiled(cwasm), Some(Precompiled::Module));
    // SAFETY: our own build step made the artifact.
    let module = unsafe { Module::deserialize(&engine, cwasm)? };
    let mut store = Store::new(&engine, ());
    store.set_fuel(1_000)?;
    let instance = Instance::new(&mut store, &module, &[])?;
    let count = instance.get_typed_func::<i32, i32>(&mut store, "count")?;
    assert_eq!(count.call(&mut store, 10)?, 10);
    println!("fuel left: {}", store.get_fuel()?);
    let err = count.call(&mut store, 1_000_000).unwrap_err();
    assert_eq!(err.downcast_ref::<Trap>(), Some(&Trap::OutOfFuel));
    // (A runtime-only build of the crate has no Module::new at all: it is
    // compiled out, so nothing here tries it.)
    Ok(())
}

pub fn main(wasmtime: &'static Wasmtime) -> Result<()> {
    let cwasm = precompile(wasmtime, WAT.as_bytes())?; // port: the library is passed in
    run(wasmtime, &cwasm)?; // port: the library is passed in
    println!("ok");
    Ok(())
}
