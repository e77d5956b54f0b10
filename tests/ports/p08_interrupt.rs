//! Program 8: Interrupting wasm from another thread (upstream examples/interrupt.rs).
//!
//! Port of `crate/c08_interrupt.rs` to wasmtime-dyn. Besides the `use` line,
//! `main` taking the library and the library argument where an `Engine` or
//! `Config` is made, every changed line carries a `// port:` comment naming
//! the gap: at its end, or, for a function signature (where rustfmt would
//! move it into the body), on the line above. `DIFF.md` lists them with their
//! reasons.
use std::time::Duration;
use wasmtime_dyn::*;

const WAT: &str = r#"
(module
  (func (export "run")
    (loop
      br 0)))
"#;

pub fn main(wasmtime: &'static Wasmtime) -> Result<()> {
    // Enable epoch interruption code via `Config` which means that code will
    // get interrupted when `Engine::increment_epoch` happens.
    let engine = Engine::new(wasmtime, Config::new(wasmtime).epoch_interruption(true))?;
    let mut store = Store::new(&engine, ());
    store.set_epoch_deadline(1);

    // Compile and instantiate a small example with an infinite loop.
    let module = Module::new(&engine, WAT)?;
    let instance = Instance::new(&mut store, &module, &[])?;
    let run = instance.get_typed_func::<(), ()>(&mut store, "run")?;

    // Spin up a thread to send us an interrupt in a second
    let engine_clone = engine.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(1));
        println!("Interrupting!");
        engine_clone.increment_epoch();
    });

    println!("Entering infinite loop ...");
    let trap = run.call(&mut store, ()).unwrap_err();

    println!("trap received...");
    assert!(trap.downcast_ref::<Trap>().unwrap() == &Trap::Interrupt);
    println!("ok");
    Ok(())
}
