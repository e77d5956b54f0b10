//! Runs an export of a precompiled `.cwasm` on any library, the minimal one
//! included. Integer and float arguments are parsed by the export's type.
//!
//! ```text
//! cargo run --example run_cwasm -- <libwasmtime> <file.cwasm> <export> [args...]
//! ```

use wasmtime_dyn::{Engine, Linker, Module, Store, Val, ValType, Wasmtime};

fn parse(text: &str, ty: ValType) -> Result<Val, Box<dyn std::error::Error>> {
    Ok(match ty {
        ValType::I32 => Val::I32(text.parse()?),
        ValType::I64 => Val::I64(text.parse()?),
        ValType::F32 => Val::from(text.parse::<f32>()?),
        ValType::F64 => Val::from(text.parse::<f64>()?),
        other => return Err(format!("cannot pass a {other} from the command line").into()),
    })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [library, file, export, params @ ..] = args.as_slice() else {
        return Err("usage: run_cwasm <libwasmtime> <file.cwasm> <export> [args...]".into());
    };
    // SAFETY: the path given is taken to be a Wasmtime C API library.
    let wasmtime = unsafe { Wasmtime::open(library) }?;
    let engine = Engine::default_for(wasmtime)?;
    let bytes = std::fs::read(file).map_err(|e| format!("{file}: {e}"))?;
    // Say why before trying, if the artifact does not fit this engine.
    wasmtime_dyn::cwasm::preflight(&engine, &bytes)?;
    // SAFETY: the .cwasm is trusted: it was made by `precompile` from a
    // module we wrote.
    let module = unsafe { Module::deserialize(&engine, &bytes) }?;
    let mut linker = Linker::new(&engine);
    linker.define_unknown_imports_as_traps(&module)?;
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &module)?;
    let func = instance
        .get_func(&mut store, export)
        .ok_or_else(|| format!("the module exports no function `{export}`"))?;
    let ty = func.ty(&store);
    if params.len() != ty.params().len() {
        return Err(format!(
            "`{export}` has type {ty}: give {} arguments",
            ty.params().len()
        )
        .into());
    }
    let params = params
        .iter()
        .zip(ty.params())
        .map(|(p, t)| parse(p, t.clone()))
        .collect::<Result<Vec<_>, _>>()?;
    let mut results: Vec<Val> = ty.results().iter().map(Val::default_for).collect();
    func.call(&mut store, &params, &mut results)?;
    println!(
        "{export}{params:?} = {results:?} (on {}, capabilities: {})",
        wasmtime.path().display(),
        wasmtime.capabilities()
    );
    Ok(())
}
