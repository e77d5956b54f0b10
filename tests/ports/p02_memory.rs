//! Program 2: Memory read/write and grow (upstream examples/memory.rs, plus
//! `Memory::read`/`write`).
//!
//! Port of `crate/c02_memory.rs` to wasmtime-dyn. Besides the `use` line,
//! `main` taking the library and the library argument where an `Engine` or
//! `Config` is made, every changed line carries a `// port:` comment naming
//! the gap: at its end, or, for a function signature (where rustfmt would
//! move it into the body), on the line above. `DIFF.md` lists them with their
//! reasons.
use wasmtime_dyn::*;

const WAT: &str = r#"
(module
  (memory (export "memory") 2 3)
  (func (export "size") (result i32) (memory.size))
  (func (export "load") (param i32) (result i32)
    (i32.load8_s (local.get 0)))
  (func (export "store") (param i32 i32)
    (i32.store8 (local.get 0) (local.get 1)))
  (data (i32.const 0x1000) "\01\02\03\04"))
"#;

pub fn main(wasmtime: &'static Wasmtime) -> Result<()> {
    let mut store: Store<()> = Store::new(&Engine::default_for(wasmtime)?, ()); // port: no Default
    let module = Module::new(store.engine(), WAT)?;
    let instance = Instance::new(&mut store, &module, &[])?;

    let memory = instance
        .get_memory(&mut store, "memory")
        .ok_or(format_err!("failed to find `memory` export"))?;
    let size = instance.get_typed_func::<(), i32>(&mut store, "size")?;
    let load_fn = instance.get_typed_func::<i32, i32>(&mut store, "load")?;
    let store_fn = instance.get_typed_func::<(i32, i32), ()>(&mut store, "store")?;

    println!("Checking memory...");
    assert_eq!(memory.size(&store), 2);
    assert_eq!(memory.data_size(&store), 0x20000);
    assert_eq!(memory.data_mut(&mut store)[0], 0);
    assert_eq!(memory.data_mut(&mut store)[0x1000], 1);
    assert_eq!(memory.data_mut(&mut store)[0x1003], 4);

    assert_eq!(size.call(&mut store, ())?, 2);
    assert_eq!(load_fn.call(&mut store, 0)?, 0);
    assert_eq!(load_fn.call(&mut store, 0x1000)?, 1);
    assert_eq!(load_fn.call(&mut store, 0x1003)?, 4);
    assert_eq!(load_fn.call(&mut store, 0x1ffff)?, 0);
    let err = load_fn.call(&mut store, 0x20000).unwrap_err();
    assert_eq!(err.downcast_ref::<Trap>(), Some(&Trap::MemoryOutOfBounds));

    println!("Mutating memory...");
    memory.data_mut(&mut store)[0x1003] = 5;
    store_fn.call(&mut store, (0x1002, 6))?;
    assert!(store_fn.call(&mut store, (0x20000, 0)).is_err());
    assert_eq!(memory.data(&store)[0x1002], 6);
    assert_eq!(memory.data(&store)[0x1003], 5);
    assert_eq!(load_fn.call(&mut store, 0x1002)?, 6);
    assert_eq!(load_fn.call(&mut store, 0x1003)?, 5);

    println!("Reading and writing through the API...");
    memory.write(&mut store, 0x2000, b"abc")?;
    let mut buf = [0u8; 3];
    memory.read(&store, 0x2000, &mut buf)?;
    assert_eq!(&buf, b"abc");
    let oob: MemoryAccessError = memory.read(&store, 0x1ffff, &mut buf).unwrap_err();
    println!("out-of-bounds read: {oob}");

    println!("Growing memory...");
    assert_eq!(memory.grow(&mut store, 1)?, 2);
    assert_eq!(memory.size(&store), 3);
    assert_eq!(memory.data_size(&store), 0x30000);
    assert_eq!(load_fn.call(&mut store, 0x20000)?, 0);
    assert_eq!(store_fn.call(&mut store, (0x20000, 0))?, ());
    assert!(load_fn.call(&mut store, 0x30000).is_err());
    assert!(store_fn.call(&mut store, (0x30000, 0)).is_err());
    assert!(memory.grow(&mut store, 1).is_err());
    assert_eq!(memory.grow(&mut store, 0)?, 3);

    println!("Creating stand-alone memory...");
    let memorytype = MemoryType::new(5, Some(5));
    let memory2 = Memory::new(&mut store, memorytype)?;
    assert_eq!(memory2.size(&store), 5);
    assert!(memory2.grow(&mut store, 1).is_err());
    assert!(memory2.grow(&mut store, 0).is_ok());
    println!("ok");
    Ok(())
}
