//! Runs a WASI 0.2 command component (`wasi:cli/run`) with the
//! `wasmtime_wasi` crate's preview 2 shapes, its output on this process's
//! standard output. With a second library, the component is precompiled by
//! that one (a full library) for the first (say, a run-only build without a
//! compiler) and run there. `--dir` preopens a directory as `.`.
//!
//! ```text
//! cargo run --example p2_command -- <libwasmtime> <command.wasm> [--precompile-with <full libwasmtime>] [--dir <directory>] [-- args...]
//! ```

use wasmtime_dyn::component::{Component, Linker};
use wasmtime_dyn::error::Context;
use wasmtime_dyn::wasi::p2::bindings::sync::Command;
use wasmtime_dyn::wasi::{
    cli, p2, DirPerms, FilePerms, ResourceTable, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView,
};
use wasmtime_dyn::{bail, precompile_for, Engine, Result, Store, Wasmtime};

/// The store's data: the WASI context and its resource table.
struct Host {
    ctx: WasiCtx,
    table: ResourceTable,
}

impl WasiView for Host {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.ctx,
            table: &mut self.table,
        }
    }
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (ours, theirs) = match args.iter().position(|a| a == "--") {
        Some(at) => (&args[..at], &args[at + 1..]),
        None => (&args[..], &[][..]),
    };
    let usage = "usage: p2_command <libwasmtime> <command.wasm> \
                 [--precompile-with <full libwasmtime>] [--dir <directory>] [-- args...]";
    let [library, file, options @ ..] = ours else {
        bail!("{usage}");
    };
    let (mut compiling, mut dir) = (None, None);
    for pair in options.chunks(2) {
        match pair {
            [flag, value] if flag == "--precompile-with" => compiling = Some(value),
            [flag, value] if flag == "--dir" => dir = Some(value),
            _ => bail!("{usage}"),
        }
    }
    // SAFETY: the paths given are taken to be Wasmtime C API libraries.
    let wasmtime = unsafe { Wasmtime::open(library) }?;
    let engine = Engine::default_for(wasmtime)?;
    let bytes = std::fs::read(file).with_context(|| format!("reading {file}"))?;
    let component = match compiling {
        None => Component::new(&engine, &bytes)?,
        Some(full) => {
            // SAFETY: as above.
            let full = unsafe { Wasmtime::open(full) }?;
            let cwasm = precompile_for(full, &engine, &bytes)?;
            println!(
                "precompiled {} bytes of component into {} bytes of .cwasm with {}",
                bytes.len(),
                cwasm.len(),
                full.version()
            );
            // SAFETY: the artifact was just made by the library given.
            unsafe { Component::deserialize(&engine, &cwasm) }?
        }
    };
    let mut linker: Linker<Host> = Linker::new(&engine);
    p2::add_to_linker_sync(&mut linker)?;
    let mut argv = vec![file.clone()];
    argv.extend(theirs.iter().cloned());
    let mut builder = WasiCtxBuilder::new();
    builder
        .args(&argv)
        .stdout(cli::stdout())
        .stderr(cli::stderr());
    if let Some(dir) = dir {
        builder.preopened_dir(dir, ".", DirPerms::ReadWrite, FilePerms::ReadWrite)?;
    }
    let ctx = builder.build();
    let mut store = Store::new(
        &engine,
        Host {
            ctx,
            table: ResourceTable::new(),
        },
    );
    let command = Command::instantiate(&mut store, &component, &linker)?;
    match command.wasi_cli_run().call_run(&mut store)? {
        Ok(()) => println!(
            "wasi:cli/run returned ok on Wasmtime {}",
            wasmtime.version()
        ),
        Err(()) => bail!("wasi:cli/run returned an error"),
    }
    Ok(())
}
