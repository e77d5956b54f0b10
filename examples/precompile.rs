//! Precompiles a module with a library that has a compiler into a `.cwasm`
//! that another library (the minimal build, say) can load.
//!
//! ```text
//! cargo run --example precompile -- <compiling libwasmtime> <input.wat|.wasm> <output.cwasm> [target libwasmtime]
//! ```
//! Without a target library the `.cwasm` is made for a library with no
//! optional capability at all, which every build can load.

use wasmtime_dyn::error::Context;
use wasmtime_dyn::{bail, precompile_for, Capabilities, Wasmtime};

fn main() -> wasmtime_dyn::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [compiling, input, output, rest @ ..] = args.as_slice() else {
        bail!("usage: precompile <compiling libwasmtime> <input.wat|.wasm> <output.cwasm> [target libwasmtime]");
    };
    // SAFETY: the paths given are taken to be Wasmtime C API libraries.
    let compiling = unsafe { Wasmtime::open(compiling) }?;
    let target = match rest.first() {
        // SAFETY: as above.
        Some(path) => unsafe { Wasmtime::open(path) }?.capabilities(),
        None => Capabilities::EMPTY,
    };
    let source = std::fs::read(input).with_context(|| format!("reading {input}"))?;
    let cwasm = precompile_for(compiling, target, &source)?;
    std::fs::write(output, &cwasm).with_context(|| format!("writing {output}"))?;
    println!(
        "wrote {output} ({} bytes) for a library with capabilities: {target}",
        cwasm.len()
    );
    Ok(())
}
