//! Traps, host errors and host panics on the three real libraries.

mod common;

use common::{engine_with, flavours, frames, kind, module_with, setup, trap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use wasmtime_dyn::{Error, ErrorKind, Linker, Store, Trap};

const TRAPS: &str = r#"(module
    (memory 1)
    (func (export "unreachable") unreachable)
    (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
    (func (export "load") (param i32) (result i32) local.get 0 i32.load)
    (func $recurse (export "recurse") (param i64) (result i64)
        local.get 0 i64.const 1 i64.add call $recurse)
    (func (export "spin") (loop br 0)))"#;

fn trap_code(result: Result<impl std::fmt::Debug, Error>) -> Trap {
    match result {
        Err(err) => trap(&err).unwrap_or_else(|| panic!("not a trap with a code: {err:?}")),
        Ok(value) => panic!("expected a trap, got Ok({value:?})"),
    }
}

#[test]
fn core_traps_have_the_right_codes() {
    for flavour in flavours() {
        let (engine, module) = setup(flavour, TRAPS);
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap();
        let unreachable = instance
            .get_typed_func::<(), ()>(&mut store, "unreachable")
            .unwrap();
        assert_eq!(
            trap_code(unreachable.call(&mut store, ())),
            Trap::UnreachableCodeReached,
            "{flavour:?}"
        );
        let div = instance
            .get_typed_func::<(i32, i32), i32>(&mut store, "div")
            .unwrap();
        assert_eq!(
            trap_code(div.call(&mut store, (1, 0))),
            Trap::IntegerDivisionByZero,
            "{flavour:?}"
        );
        assert_eq!(
            trap_code(div.call(&mut store, (i32::MIN, -1))),
            Trap::IntegerOverflow,
            "{flavour:?}"
        );
        let load = instance
            .get_typed_func::<i32, i32>(&mut store, "load")
            .unwrap();
        assert_eq!(
            trap_code(load.call(&mut store, 65536)),
            Trap::MemoryOutOfBounds,
            "{flavour:?}"
        );
        let recurse = instance
            .get_typed_func::<i64, i64>(&mut store, "recurse")
            .unwrap();
        assert_eq!(
            trap_code(recurse.call(&mut store, 0)),
            Trap::StackOverflow,
            "{flavour:?}"
        );
        // The untyped path reports the same trap, and the store still works.
        let err = instance
            .get_func(&mut store, "unreachable")
            .unwrap()
            .call(&mut store, &[], &mut [])
            .unwrap_err();
        assert_eq!(trap(&err), Some(Trap::UnreachableCodeReached), "{err:?}");
        assert!(
            !frames(&err).is_empty(),
            "{flavour:?}: the trap carries a wasm backtrace"
        );
        assert_eq!(div.call(&mut store, (7, 2)).unwrap(), 3);
        // The trap is the root, in Wasmtime's wording; the wasm backtrace
        // is its context, and the full report shows both, the trap once.
        let err = div.call(&mut store, (1, 0)).unwrap_err();
        assert_eq!(trap(&err), Some(Trap::IntegerDivisionByZero), "{err:?}");
        assert_eq!(
            err.root_cause().to_string(),
            "wasm trap: integer divide by zero",
            "{flavour:?}"
        );
        assert!(!frames(&err).is_empty(), "{flavour:?}: {err:?}");
        let shown = err.to_string();
        assert!(
            shown.starts_with("error while executing at wasm backtrace:"),
            "{shown}"
        );
        let report = format!("{err:?}");
        assert!(report.contains("Caused by"), "{report}");
        assert_eq!(report.matches("wasm trap").count(), 1, "{report}");
        let chain = format!("{err:#}");
        assert!(
            chain.ends_with(": wasm trap: integer divide by zero"),
            "{chain}"
        );
        assert_eq!(chain.matches("wasm trap").count(), 1, "{chain}");
    }
}

#[test]
fn fuel_exhaustion_traps() {
    let fuel = |c: &mut wasmtime_dyn::Config| {
        c.consume_fuel(true);
    };
    for flavour in flavours() {
        let engine = engine_with(flavour, fuel);
        let module = module_with(flavour, &engine, TRAPS, fuel);
        let mut store = Store::new(&engine, ());
        store.set_fuel(10_000).unwrap();
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap();
        let spin = instance
            .get_typed_func::<(), ()>(&mut store, "spin")
            .unwrap();
        assert_eq!(
            trap_code(spin.call(&mut store, ())),
            Trap::OutOfFuel,
            "{flavour:?}"
        );
        assert_eq!(store.get_fuel().unwrap(), 0);
    }
}

#[test]
fn epoch_interruption_from_another_thread() {
    let epochs = |c: &mut wasmtime_dyn::Config| {
        c.epoch_interruption(true);
    };
    for flavour in flavours() {
        let engine = engine_with(flavour, epochs);
        let module = module_with(flavour, &engine, TRAPS, epochs);
        let mut store = Store::new(&engine, ());
        store.set_epoch_deadline(1);
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap();
        let spin = instance
            .get_typed_func::<(), ()>(&mut store, "spin")
            .unwrap();
        let done = Arc::new(AtomicBool::new(false));
        let ticker = {
            let engine = engine.clone();
            let done = done.clone();
            std::thread::spawn(move || {
                while !done.load(Ordering::Relaxed) {
                    std::thread::sleep(std::time::Duration::from_millis(5));
                    engine.increment_epoch();
                }
            })
        };
        let result = spin.call(&mut store, ());
        done.store(true, Ordering::Relaxed);
        ticker.join().unwrap();
        assert_eq!(trap_code(result), Trap::Interrupt, "{flavour:?}");
    }
}

const CALLS_HOST: &str = r#"(module
    (import "host" "f" (func $f (param i32) (result i32)))
    (func (export "run") (param i32) (result i32) local.get 0 call $f))"#;

#[test]
fn host_error_comes_back_as_the_same_value_with_the_wasm_frames() {
    for flavour in flavours() {
        let (engine, module) = setup(flavour, CALLS_HOST);
        let mut linker = Linker::new(&engine);
        linker
            .func_wrap("host", "f", |x: i32| -> wasmtime_dyn::Result<i32> {
                if x < 0 {
                    Err(ErrorKind::Invalid(format!("negative input {x}")).into())
                } else {
                    Ok(x + 1)
                }
            })
            .unwrap();
        let mut store = Store::new(&engine, ());
        let instance = linker.instantiate(&mut store, &module).unwrap();
        let run = instance
            .get_typed_func::<i32, i32>(&mut store, "run")
            .unwrap();
        assert_eq!(run.call(&mut store, 1).unwrap(), 2);
        let err = run.call(&mut store, -3).unwrap_err();
        assert_eq!(trap(&err), None, "{flavour:?}: {err:?}");
        assert!(
            matches!(kind(&err), Some(ErrorKind::Invalid(m)) if m == "negative input -3"),
            "{flavour:?}: {err:?}"
        );
        assert_eq!(err.root_cause().to_string(), "negative input -3");
        assert!(
            !frames(&err).is_empty(),
            "{flavour:?}: the host error carries the wasm frames: {err:?}"
        );
    }
}

/// A host's own error type.
#[derive(Debug, PartialEq, Eq)]
struct Refused {
    input: i32,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "refused input {}", self.input)
    }
}

impl std::error::Error for Refused {}

#[test]
fn host_error_of_its_own_type_comes_back_downcastable() {
    for flavour in flavours() {
        let (engine, module) = setup(flavour, CALLS_HOST);
        let mut linker = Linker::new(&engine);
        linker
            .func_wrap("host", "f", |x: i32| -> wasmtime_dyn::Result<i32> {
                if x < 0 {
                    Err(Refused { input: x }.into())
                } else {
                    Ok(x)
                }
            })
            .unwrap();
        let mut store = Store::new(&engine, ());
        let instance = linker.instantiate(&mut store, &module).unwrap();
        let run = instance
            .get_typed_func::<i32, i32>(&mut store, "run")
            .unwrap();
        let err = run.call(&mut store, -7).unwrap_err();
        assert_eq!(
            err.downcast_ref::<Refused>(),
            Some(&Refused { input: -7 }),
            "{flavour:?}: {err:?}"
        );
        assert_eq!(trap(&err), None, "{flavour:?}: {err:?}");
        assert!(kind(&err).is_none(), "{flavour:?}: {err:?}");
        assert!(!frames(&err).is_empty(), "{flavour:?}: {err:?}");
        assert_eq!(err.root_cause().to_string(), "refused input -7");
        // The value itself, not a copy: taken back out by value.
        assert_eq!(err.downcast::<Refused>().unwrap(), Refused { input: -7 });
        assert_eq!(run.call(&mut store, 4).unwrap(), 4);
    }
}

#[test]
fn host_panic_resumes_in_the_caller_and_the_store_stays_usable() {
    for flavour in flavours() {
        let (engine, module) = setup(flavour, CALLS_HOST);
        let mut linker = Linker::new(&engine);
        linker
            .func_wrap("host", "f", |x: i32| -> i32 {
                if x == 13 {
                    panic!("unlucky {x}");
                }
                x * 2
            })
            .unwrap();
        let mut store = Store::new(&engine, ());
        let instance = linker.instantiate(&mut store, &module).unwrap();
        let run = instance
            .get_typed_func::<i32, i32>(&mut store, "run")
            .unwrap();
        let payload =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run.call(&mut store, 13)))
                .expect_err("the host panic must reach the caller as a panic");
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .unwrap_or_default();
        assert_eq!(message, "unlucky 13", "{flavour:?}");
        // The same store, the same function: still fine.
        assert_eq!(run.call(&mut store, 21).unwrap(), 42, "{flavour:?}");
        // The untyped path too.
        let func = instance.get_func(&mut store, "run").unwrap();
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut out = [wasmtime_dyn::Val::I32(0)];
            func.call(&mut store, &[wasmtime_dyn::Val::I32(13)], &mut out)
        }));
        assert!(caught.is_err());
        assert_eq!(run.call(&mut store, 1).unwrap(), 2);
    }
}
