//! Runs an export of a precompiled `.cwasm` on any library, the minimal one
//! included. Integer and float arguments are parsed by the export's type.
//!
//! ```text
//! cargo run --example run_cwasm -- <libwasmtime> <file.cwasm> <export> [args...]
//! ```

use wasmtime_dyn::error::Context;
use wasmtime_dyn::{bail, Engine, Linker, Module, Result, Store, Val, ValType, Wasmtime};

fn parse(text: &str, ty: ValType) -> Result<Val> {
    Ok(match ty {
        ValType::I32 => Val::I32(text.parse()?),
        ValType::I64 => Val::I64(text.parse()?),
        ValType::F32 => Val::from(text.parse::<f32>()?),
        ValType::F64 => Val::from(text.parse::<f64>()?),
        other => bail!("cannot pass a {other} from the command line"),
    })
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [library, file, export, params @ ..] = args.as_slice() else {
        bail!("usage: run_cwasm <libwasmtime> <file.cwasm> <export> [args...]");
    };
    // SAFETY: the path given is taken to be a Wasmtime C API library.
    let wasmtime = unsafe { Wasmtime::open(library) }?;
    let engine = Engine::default_for(wasmtime)?;
    let bytes = std::fs::read(file).with_context(|| format!("reading {file}"))?;
    // Say why before trying, if the artifact does not fit this engine.
    wasmtime_dyn::cwasm::preflight(&engine, &bytes)?;
    // SAFETY: the .cwasm is trusted: it was made by `precompile` from a
    // module we wrote.
    let module = unsafe { Module::deserialize(&engine, &bytes) }?;
    let mut linker = Linker::new(&engine);
    // Imports (none in `fib.wat`) trap when called: Wasmtime 39 and later
    // can define them so.
    if module.imports().len() > 0 {
        linker.define_unknown_imports_as_traps(&module)?;
    }
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &module)?;
    let func = instance
        .get_func(&mut store, export)
        .with_context(|| format!("the module exports no function `{export}`"))?;
    let ty = func.ty(&store);
    if params.len() != ty.params().len() {
        bail!(
            "`{export}` has type {ty}: give {} arguments",
            ty.params().len()
        );
    }
    let params = params
        .iter()
        .zip(ty.params())
        .map(|(p, t)| parse(p, t))
        .collect::<Result<Vec<_>>>()?;
    let mut results: Vec<Val> = ty.results().map(Val::default_for).collect();
    func.call(&mut store, &params, &mut results)?;
    println!(
        "{export}{params:?} = {results:?} (on {}, capabilities: {})",
        wasmtime.path().display(),
        wasmtime.capabilities()
    );
    Ok(())
}
