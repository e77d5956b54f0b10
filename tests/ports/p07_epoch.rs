//! Program 7: Epoch interruption with `Store::epoch_deadline_trap` (single thread:
//! the epoch is advanced before the call and by a host function), then the
//! same store switched to `epoch_deadline_callback` and back.
//!
//! Port of `crate/c07_epoch.rs` to wasmtime-dyn. Besides the `use` line,
//! `main` taking the library and the library argument where an `Engine` or
//! `Config` is made, every changed line carries a `// port:` comment naming
//! the gap: at its end, or, for a function signature (where rustfmt would
//! move it into the body), on the line above. `DIFF.md` lists them with their
//! reasons.
use wasmtime_dyn::*;

const WAT: &str = r#"
(module
  (import "host" "tick" (func $tick))
  ;; loops forever
  (func (export "spin") (loop br 0))
  ;; calls the host's tick n times, then returns n
  (func (export "ticks") (param $n i32) (result i32) (local $i i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (call $tick)
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $i)))
"#;

pub fn main(wasmtime: &'static Wasmtime) -> Result<()> {
    let mut config = Config::new(wasmtime);
    config.epoch_interruption(true);
    let engine = Engine::new(wasmtime, &config)?;
    let module = Module::new(&engine, WAT)?;

    let mut linker: Linker<u32> = Linker::new(&engine);
    linker.func_wrap("host", "tick", |caller: Caller<'_, u32>| {
        caller.engine().increment_epoch();
    })?;
    let mut store = Store::new(&engine, 0u32);
    store.epoch_deadline_trap();
    store.set_epoch_deadline(1);
    let instance = linker.instantiate(&mut store, &module)?;
    let spin = instance.get_typed_func::<(), ()>(&mut store, "spin")?;
    let ticks = instance.get_typed_func::<i32, i32>(&mut store, "ticks")?;

    // The deadline is one tick away: advance the epoch, and the loop traps.
    engine.increment_epoch();
    let err = spin.call(&mut store, ()).unwrap_err();
    assert_eq!(err.downcast_ref::<Trap>(), Some(&Trap::Interrupt));
    println!("spin: {}", err.downcast_ref::<Trap>().unwrap());

    // A callback decides instead: keep going for 3 ticks, then fail.
    store.epoch_deadline_callback(|mut cx| {
        *cx.data_mut() += 1;
        if *cx.data() < 3 {
            Ok(UpdateDeadline::Continue(1))
        } else {
            bail!("out of ticks after {}", cx.data())
        }
    });
    store.set_epoch_deadline(1);
    assert_eq!(ticks.call(&mut store, 2)?, 2);
    let err = ticks.call(&mut store, 10).unwrap_err();
    assert!(
        format!("{err:?}").contains("out of ticks after 3"),
        "{err:?}"
    );

    // And back to trapping.
    store.epoch_deadline_trap();
    store.set_epoch_deadline(1);
    let err = ticks.call(&mut store, 10).unwrap_err();
    assert_eq!(err.downcast_ref::<Trap>(), Some(&Trap::Interrupt));
    println!("ok");
    Ok(())
}
