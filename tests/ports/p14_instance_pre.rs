//! Program 14: `InstancePre` reuse: resolve imports once, instantiate in many stores,
//! on this thread and on others.
//!
//! Port of `crate/c14_instance_pre.rs` to wasmtime-dyn. Besides the `use`
//! line, `main` taking the library and the library argument where an `Engine`
//! or `Config` is made, every changed line carries a `// port:` comment
//! naming the gap: at its end, or, for a function signature (where rustfmt
//! would move it into the body), on the line above. `DIFF.md` lists them with
//! their reasons.
use wasmtime_dyn::*;

const WAT: &str = r#"
(module
  (import "host" "bump" (func $bump))
  (func (export "run") (param i32) (result i32)
    call $bump
    (i32.add (local.get 0) (i32.const 1))))
"#;

pub fn main(wasmtime: &'static Wasmtime) -> Result<()> {
    let engine = Engine::default_for(wasmtime)?;
    let module = Module::new(&engine, WAT)?;
    let mut linker: Linker<u32> = Linker::new(&engine);
    linker.func_wrap("host", "bump", |mut caller: Caller<'_, u32>| {
        *caller.data_mut() += 1;
    })?;
    let pre: InstancePre<u32> = linker.instantiate_pre(&module)?;

    for i in 0..3 {
        let mut store = Store::new(&engine, 0u32);
        let instance = pre.instantiate(&mut store)?;
        let run = instance.get_typed_func::<i32, i32>(&mut store, "run")?;
        assert_eq!(run.call(&mut store, i)?, i + 1);
        assert_eq!(*store.data(), 1);
    }

    // `InstancePre` is `Clone + Send + Sync`: one per thread.
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let pre = pre.clone();
            std::thread::spawn(move || -> Result<i32> {
                let mut store = Store::new(pre.module().engine(), 0u32);
                let instance = pre.instantiate(&mut store)?;
                instance
                    .get_typed_func::<i32, i32>(&mut store, "run")?
                    .call(&mut store, i)
            })
        })
        .collect();
    for (i, handle) in handles.into_iter().enumerate() {
        assert_eq!(handle.join().unwrap()?, i as i32 + 1);
    }
    println!("ok");
    Ok(())
}
