//! Program 12: A host function that fails with its own error type, which the
//! caller of the wasm function gets back and downcasts.
//! Written against the `wasmtime` crate 48.
use std::fmt;
use wasmtime::error::Context;
use wasmtime::*;

#[derive(Debug, PartialEq)]
struct QuotaExceeded {
    asked: i32,
    limit: i32,
}

impl fmt::Display for QuotaExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "asked for {} units, the quota is {}",
            self.asked, self.limit
        )
    }
}

impl std::error::Error for QuotaExceeded {}

const WAT: &str = r#"
(module
  (import "host" "reserve" (func $reserve (param i32) (result i32)))
  (func (export "run") (param i32) (result i32)
    (call $reserve (local.get 0))))
"#;

fn main() -> Result<()> {
    let engine = Engine::default();
    let module = Module::new(&engine, WAT)?;
    let mut linker: Linker<i32> = Linker::new(&engine);
    linker.func_wrap(
        "host",
        "reserve",
        |caller: Caller<'_, i32>, n: i32| -> Result<i32> {
            let limit = *caller.data();
            if n > limit {
                return Err(QuotaExceeded { asked: n, limit }.into());
            }
            Ok(limit - n)
        },
    )?;
    let mut store = Store::new(&engine, 10);
    let instance = linker.instantiate(&mut store, &module)?;
    let run = instance.get_typed_func::<i32, i32>(&mut store, "run")?;

    assert_eq!(run.call(&mut store, 4)?, 6);

    let err = run.call(&mut store, 25).unwrap_err();
    // The host's own error comes back as it was...
    let quota = err
        .downcast_ref::<QuotaExceeded>()
        .expect("the host's error");
    assert_eq!(
        quota,
        &QuotaExceeded {
            asked: 25,
            limit: 10
        }
    );
    // ...it is not a trap...
    assert!(err.downcast_ref::<Trap>().is_none());
    // ...and the wasm frames it went through are attached.
    let trace = err
        .downcast_ref::<WasmBacktrace>()
        .expect("a wasm backtrace");
    assert!(!trace.frames().is_empty());
    println!("error: {err:?}");

    // Returning it from a function that returns `Result`, `?` keeps it.
    fn reserve(run: &TypedFunc<i32, i32>, store: &mut Store<i32>, n: i32) -> Result<i32> {
        let left = run.call(store, n).context("reserving")?;
        Ok(left)
    }
    let err = reserve(&run, &mut store, 11).unwrap_err();
    assert!(err.downcast_ref::<QuotaExceeded>().is_some());
    assert_eq!(format!("{err}"), "reserving");

    // `Func::new` closures fail the same way.
    let failing = Func::new(
        &mut store,
        FuncType::new(&engine, [], []),
        |_caller, _params, _results| Err(Error::new(QuotaExceeded { asked: 1, limit: 0 })),
    );
    let err = failing.call(&mut store, &[], &mut []).unwrap_err();
    assert!(err.is::<QuotaExceeded>());
    println!("ok");
    Ok(())
}
