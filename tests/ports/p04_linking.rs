//! Program 4: Linking two modules (upstream examples/linking.rs, with a host `print`
//! in place of WASI's `fd_write` so that WASI stays in program 5).
//!
//! Port of `crate/c04_linking.rs` to wasmtime-dyn. Besides the `use` line,
//! `main` taking the library and the library argument where an `Engine` or
//! `Config` is made, every changed line carries a `// port:` comment naming
//! the gap: at its end, or, for a function signature (where rustfmt would
//! move it into the body), on the line above. `DIFF.md` lists them with their
//! reasons.
use wasmtime_dyn::*;

const LINKING1: &str = r#"
(module
  (import "linking2" "double" (func $double (param i32) (result i32)))
  (import "linking2" "log" (func $log (param i32 i32)))
  (import "linking2" "memory" (memory 1))
  (import "linking2" "memory_offset" (global $offset i32))
  (func (export "run") (result i32)
    global.get $offset
    i32.const 14
    call $log
    i32.const 21
    call $double)
  (data (global.get $offset) "Hello, world!\n"))
"#;

const LINKING2: &str = r#"
(module
  (import "host" "print" (func $print (param i32 i32)))
  (func (export "double") (param i32) (result i32)
    local.get 0 i32.const 2 i32.mul)
  (func (export "log") (param i32 i32)
    local.get 0 local.get 1 call $print)
  (memory (export "memory") 2)
  (global (export "memory_offset") i32 (i32.const 65536)))
"#;

pub fn main(wasmtime: &'static Wasmtime) -> Result<()> {
    let engine = Engine::default_for(wasmtime)?;
    let mut linker: Linker<Vec<String>> = Linker::new(&engine);
    linker.func_wrap(
        "host",
        "print",
        |mut caller: Caller<'_, Vec<String>>, ptr: i32, len: i32| -> Result<()> {
            let memory = caller
                .get_export("memory")
                .and_then(|e| e.into_memory())
                .ok_or_else(|| format_err!("no memory"))?;
            let bytes = memory.data(&caller)[ptr as usize..][..len as usize].to_vec();
            let text = String::from_utf8(bytes)?;
            print!("{text}");
            caller.data_mut().push(text);
            Ok(())
        },
    )?;
    let mut store = Store::new(&engine, Vec::new());

    let linking1 = Module::new(&engine, LINKING1)?;
    let linking2 = Module::new(&engine, LINKING2)?;

    // Instantiate linking2 and make its exports available to linking1.
    let linking2_instance = linker.instantiate(&mut store, &linking2)?;
    linker.instance(&mut store, "linking2", linking2_instance)?;

    let linking1_instance = linker.instantiate(&mut store, &linking1)?;
    let run = linking1_instance.get_typed_func::<(), i32>(&mut store, "run")?;
    assert_eq!(run.call(&mut store, ())?, 42);
    assert_eq!(store.data().as_slice(), ["Hello, world!\n"]);

    // The same through `Linker::module`, which instantiates and names it in one go.
    let mut linker2: Linker<Vec<String>> = Linker::new(&engine);
    linker2.func_wrap(
        "host",
        "print",
        |mut caller: Caller<'_, Vec<String>>, _: i32, len: i32| {
            caller.data_mut().push(format!("{len} bytes"));
        },
    )?;
    linker2.module(&mut store, "linking2", &linking2)?;
    let instance = linker2.instantiate(&mut store, &linking1)?;
    assert_eq!(
        instance
            .get_typed_func::<(), i32>(&mut store, "run")?
            .call(&mut store, ())?,
        42
    );
    // Items a linker holds can be read back.
    let double = linker2
        .get(&mut store, "linking2", "double")
        .and_then(Extern::into_func)
        .expect("defined");
    assert_eq!(double.typed::<i32, i32>(&store)?.call(&mut store, 4)?, 8);
    println!("ok");
    Ok(())
}
