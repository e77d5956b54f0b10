//! Program 8: Interrupting wasm from another thread (upstream examples/interrupt.rs).
//! Written against the `wasmtime` crate 48.
use std::time::Duration;
use wasmtime::*;

const WAT: &str = r#"
(module
  (func (export "run")
    (loop
      br 0)))
"#;

fn main() -> Result<()> {
    // Enable epoch interruption code via `Config` which means that code will
    // get interrupted when `Engine::increment_epoch` happens.
    let engine = Engine::new(Config::new().epoch_interruption(true))?;
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
