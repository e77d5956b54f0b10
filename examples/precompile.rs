//! Precompiles a module with a library that has a compiler into a `.cwasm`
//! that another library (the minimal build, say) can load.
//!
//! ```text
//! cargo run --example precompile -- <compiling libwasmtime> <input.wat|.wasm> <output.cwasm> [target libwasmtime]
//! ```
//! Without a target library the `.cwasm` is made for a library with no
//! optional capability at all, which every build can load.

use wasmtime_dyn::{precompile_for, Capabilities, Wasmtime};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [compiling, input, output, rest @ ..] = args.as_slice() else {
        return Err("usage: precompile <compiling libwasmtime> <input.wat|.wasm> <output.cwasm> [target libwasmtime]".into());
    };
    // SAFETY: the paths given are taken to be Wasmtime C API libraries.
    let compiling = unsafe { Wasmtime::open(compiling) }?;
    let target = match rest.first() {
        // SAFETY: as above.
        Some(path) => unsafe { Wasmtime::open(path) }?.capabilities(),
        None => Capabilities::EMPTY,
    };
    let source = std::fs::read(input).map_err(|e| format!("{input}: {e}"))?;
    let cwasm = precompile_for(compiling, target, &source)?;
    std::fs::write(output, &cwasm).map_err(|e| format!("{output}: {e}"))?;
    println!(
        "wrote {output} ({} bytes) for a library with capabilities: {target}",
        cwasm.len()
    );
    Ok(())
}
