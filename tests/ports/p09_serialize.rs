//! Program 9: Serialize and deserialize a module (upstream examples/serialize.rs,
//! plus the file variants and `Engine::detect_precompiled`).
//!
//! Port of `crate/c09_serialize.rs` to wasmtime-dyn. Besides the `use` line,
//! `main` taking the library and the library argument where an `Engine` or
//! `Config` is made, every changed line carries a `// port:` comment naming
//! the gap: at its end, or, for a function signature (where rustfmt would
//! move it into the body), on the line above. `DIFF.md` lists them with their
//! reasons.
use wasmtime_dyn::*;

pub const WAT: &str = // port: pub for the minimal-library test
    r#"
(module
  (func $hello (import "" "hello"))
  (func (export "run") (call $hello)))
"#;

// port: (next line) the library is passed in
fn serialize(wasmtime: &'static Wasmtime) -> Result<Vec<u8>> {
    // Configure the initial compilation environment, creating the global
    // `Store` structure. Note that you can also tweak configuration settings
    // with a `Config` and an `Engine` if desired.
    println!("Initializing...");
    let engine = Engine::default_for(wasmtime)?;

    // Compile the wasm binary into an in-memory instance of a `Module`.
    println!("Compiling module...");
    let module = Module::new(&engine, WAT)?;
    let serialized = module.serialize()?;

    println!("Serialized.");
    Ok(serialized)
}

// port: (next line) the library is passed in; pub for the minimal-library test
pub fn deserialize(wasmtime: &'static Wasmtime, buffer: &[u8]) -> Result<()> {
    println!("Initializing...");
    let engine = Engine::default_for(wasmtime)?;
    let mut store = Store::new(&engine, ());

    // Deserialize the compiled module. This is unsafe: only trusted artifacts.
    println!("Deserialize module...");
    let module = unsafe { Module::deserialize(&engine, buffer)? };

    // Here we handle the imports of the module, which in this case is our
    // `HelloCallback` type and its associated implementation of `Callback.
    println!("Creating callback...");
    let hello_func = Func::wrap(&mut store, || {
        println!("Calling back...");
        println!("> Hello World!");
    });

    // Once we've got that all set up we can then move to the instantiation
    // phase, pairing together a compiled module as well as a set of imports.
    // Note that this is where the wasm `start` function, if any, would run.
    println!("Instantiating module...");
    let imports = [hello_func.into()];
    let instance = Instance::new(&mut store, &module, &imports)?;

    // Next we poke around a bit to extract the `run` function from the module.
    println!("Extracting export...");
    let run = instance.get_typed_func::<(), ()>(&mut store, "run")?;

    // And last but not least we can call it!
    println!("Calling export...");
    run.call(&mut store, ())?;

    println!("Done.");
    Ok(())
}

pub fn main(wasmtime: &'static Wasmtime) -> Result<()> {
    let file = serialize(wasmtime)?; // port: the library is passed in
    assert_eq!(Engine::detect_precompiled(&file), Some(Precompiled::Module));
    assert_eq!(Engine::detect_precompiled(b"\0asm\x01\0\0\0"), None);
    deserialize(wasmtime, &file)?; // port: the library is passed in

    // Through a file, and with an engine's `precompile_module`.
    let engine = Engine::default_for(wasmtime)?;
    let path = std::env::temp_dir().join(format!("serialize-{}.cwasm", std::process::id()));
    std::fs::write(&path, engine.precompile_module(WAT.as_bytes())?)?;
    let module = unsafe { Module::deserialize_file(&engine, &path)? };
    assert_eq!(module.imports().len(), 1);
    assert_eq!(
        module
            .exports()
            .map(|e| e.name().to_string())
            .collect::<Vec<_>>(),
        ["run"]
    );
    std::fs::remove_file(&path)?;
    println!("ok");
    Ok(())
}
