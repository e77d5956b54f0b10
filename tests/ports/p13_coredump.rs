//! Program 13: A core dump on trap (`Config::coredump_on_trap`, `WasmCoreDump`).
//!
//! Port of `crate/c13_coredump.rs` to wasmtime-dyn. Besides the `use` line,
//! `main` taking the library and the library argument where an `Engine` or
//! `Config` is made, every changed line carries a `// port:` comment naming
//! the gap: at its end, or, for a function signature (where rustfmt would
//! move it into the body), on the line above. `DIFF.md` lists them with their
//! reasons. Written against the crate's `Config::coredump_on_trap` and
//! `WasmCoreDump`, which wasmtime-dyn does not have yet: tests/ports.rs does
//! not include it until they land.
use wasmtime_dyn::*;

const WAT: &str = r#"
(module $crashy
  (memory (export "memory") 1)
  (global $g (export "g") (mut i32) (i32.const 7))
  (data (i32.const 0) "state before the crash")
  (func $inner (param i32) (result i32)
    (global.set $g (local.get 0))
    unreachable)
  (func (export "run") (result i32)
    (call $inner (i32.const 42))))
"#;

pub fn main(wasmtime: &'static Wasmtime) -> Result<()> {
    let mut config = Config::new(wasmtime);
    config.coredump_on_trap(true);
    let engine = Engine::new(wasmtime, &config)?;
    let module = Module::new(&engine, WAT)?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let run = instance.get_typed_func::<(), i32>(&mut store, "run")?;

    let err = run.call(&mut store, ()).unwrap_err();
    assert_eq!(
        err.downcast_ref::<Trap>(),
        Some(&Trap::UnreachableCodeReached)
    );
    let dump = err.downcast_ref::<WasmCoreDump>().expect("a core dump");
    println!("{dump}");
    assert_eq!(dump.frames().len(), 2);
    assert_eq!(dump.frames()[0].func_name(), Some("inner"));
    assert_eq!(dump.memories().len(), 1);
    assert_eq!(dump.globals().len(), 1);
    assert_eq!(dump.globals()[0].get(&mut store)?.i32(), Some(42)); // port: Global::get is a Result
    let bytes = dump.serialize(&mut store, "crashy.wasm");
    assert!(bytes.starts_with(b"\0asm"));
    let path = std::env::temp_dir().join(format!("crashy-{}.coredump", std::process::id()));
    std::fs::write(&path, &bytes)?;
    std::fs::remove_file(&path)?;
    println!("ok");
    Ok(())
}
