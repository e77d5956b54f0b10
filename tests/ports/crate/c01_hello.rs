//! Program 1: Host functions with `Caller` (upstream examples/hello.rs, plus a host
//! function that reads the guest's memory through `Caller`).
//! Written against the `wasmtime` crate 48 (not compiled here).
use wasmtime::*;

const WAT: &str = r#"
(module
  (import "host" "hello" (func $hello))
  (import "host" "log" (func $log (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "Hello, world!")
  (func (export "run")
    call $hello
    i32.const 16 i32.const 13 call $log))
"#;

struct MyState {
    name: String,
    count: usize,
    logged: Vec<String>,
}

fn main() -> Result<()> {
    let engine = Engine::default();
    let module = Module::new(&engine, WAT)?;
    let mut store = Store::new(
        &engine,
        MyState {
            name: "hello, world!".to_string(),
            count: 0,
            logged: Vec::new(),
        },
    );

    // Func::wrap + Instance::new, as upstream hello.rs.
    let hello_func = Func::wrap(&mut store, |mut caller: Caller<'_, MyState>| {
        println!("Calling back...");
        println!("> {}", caller.data().name);
        caller.data_mut().count += 1;
    });
    let log_func = Func::wrap(
        &mut store,
        |mut caller: Caller<'_, MyState>, ptr: i32, len: i32| -> Result<()> {
            let mem = match caller.get_export("memory") {
                Some(Extern::Memory(mem)) => mem,
                _ => bail!("failed to find host memory"),
            };
            let data = mem
                .data(&caller)
                .get(ptr as u32 as usize..)
                .and_then(|arr| arr.get(..len as u32 as usize));
            let string = match data {
                Some(data) => match std::str::from_utf8(data) {
                    Ok(s) => s.to_string(),
                    Err(_) => bail!("invalid utf-8"),
                },
                None => bail!("pointer/length out of bounds"),
            };
            println!("> log: {string}");
            caller.data_mut().logged.push(string);
            Ok(())
        },
    );
    let imports = [hello_func.into(), log_func.into()];
    let instance = Instance::new(&mut store, &module, &imports)?;
    let run = instance.get_typed_func::<(), ()>(&mut store, "run")?;
    run.call(&mut store, ())?;
    assert_eq!(store.data().count, 1);
    assert_eq!(store.data().logged, ["Hello, world!"]);

    // The same through a Linker.
    let mut linker = Linker::new(&engine);
    linker.func_wrap("host", "hello", |mut caller: Caller<'_, MyState>| {
        caller.data_mut().count += 1;
    })?;
    linker.func_wrap(
        "host",
        "log",
        |mut caller: Caller<'_, MyState>, ptr: i32, len: i32| -> Result<()> {
            let mem = caller
                .get_export("memory")
                .and_then(Extern::into_memory)
                .ok_or_else(|| format_err!("no memory export"))?;
            let mut buf = vec![0; len as usize];
            mem.read(&caller, ptr as usize, &mut buf)?;
            caller.data_mut().logged.push(String::from_utf8(buf)?);
            Ok(())
        },
    )?;
    let instance = linker.instantiate(&mut store, &module)?;
    instance
        .get_typed_func::<(), ()>(&mut store, "run")?
        .call(&mut store, ())?;
    assert_eq!(store.data().count, 2);
    assert_eq!(store.data().logged.len(), 2);
    println!("ok");
    Ok(())
}
