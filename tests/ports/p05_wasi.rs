//! Program 5: WASI preview 1 hello world (upstream examples/wasip1/main.rs, with an
//! inline module), the same module instantiated to check what `fd_write`
//! reported, and a module that exits through `proc_exit`.
//!
//! Port of `crate/c05_wasi.rs` to wasmtime-dyn. Besides the `use` line,
//! `main` taking the library and the library argument where an `Engine` or
//! `Config` is made, every changed line carries a `// port:` comment naming
//! the gap: at its end, or, for a function signature (where rustfmt would
//! move it into the body), on the line above. `DIFF.md` lists them with their
//! reasons.
use wasmtime_dyn::wasi::p1::{self, WasiP1Ctx};
use wasmtime_dyn::wasi::{I32Exit, WasiCtxBuilder};
use wasmtime_dyn::*;

const HELLO: &str = r#"
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 8) "hello world\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 8))   ;; iov.buf
    (i32.store (i32.const 4) (i32.const 12))  ;; iov.buf_len
    ;; errno at 24, bytes written at 20
    (i32.store (i32.const 24)
      (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 20)))))
"#;

const EXIT: &str = r#"
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start") (call $proc_exit (i32.const 3))))
"#;

pub fn main(wasmtime: &'static Wasmtime) -> Result<()> {
    // Define the WASI functions globally on the `Config`.
    let engine = Engine::default_for(wasmtime)?;
    let mut linker: Linker<WasiP1Ctx> = Linker::new(&engine);
    p1::add_to_linker_sync(&mut linker, |s| s)?;

    // Create a WASI context and put it in a Store.
    let wasi_ctx = WasiCtxBuilder::new()
        .inherit_stdio()
        .inherit_env()
        .args(&["wasi.wasm"])
        .build_p1();
    let mut store = Store::new(&engine, wasi_ctx);

    // Instantiate our module with the imports we've created, and run it.
    let module = Module::new(&engine, HELLO)?;
    linker.module(&mut store, "", &module)?;
    linker
        .get_default(&mut store, "")?
        .typed::<(), ()>(&store)?
        .call(&mut store, ())?;

    // Instantiated directly, the module's memory says what fd_write did.
    let instance = linker.instantiate(&mut store, &module)?;
    instance
        .get_typed_func::<(), ()>(&mut store, "_start")?
        .call(&mut store, ())?;
    let memory = instance.get_memory(&mut store, "memory").unwrap();
    let mut word = [0u8; 4];
    memory.read(&store, 24, &mut word)?;
    assert_eq!(u32::from_le_bytes(word), 0, "fd_write's errno");
    memory.read(&store, 20, &mut word)?;
    assert_eq!(u32::from_le_bytes(word), 12, "bytes written");

    // A program that exits with a status.
    let exit = Module::new(&engine, EXIT)?;
    let mut store = Store::new(&engine, WasiCtxBuilder::new().build_p1());
    let instance = linker.instantiate(&mut store, &exit)?;
    let err = instance
        .get_typed_func::<(), ()>(&mut store, "_start")?
        .call(&mut store, ())
        .unwrap_err();
    assert_eq!(err.downcast_ref::<I32Exit>().map(|e| e.0), Some(3));
    println!("ok");
    Ok(())
}
