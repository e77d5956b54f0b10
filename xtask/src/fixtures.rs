//! Test components that need tools the tests do not carry: a WASI 0.2
//! command (`wasi:cli/run`) made from a core WASI preview 1 module
//! (`tests/fixtures/component/p2-command.wat`) with `wit-component` and the
//! preview 1 command adapter of the crates.io
//! `wasi-preview1-component-adapter-provider`, as a user of
//! `cargo component` or `wasm-tools component new` would make one.
//!
//! The adapter is the one of Wasmtime 45, the oldest major with the
//! component API here, so every supported library runs the command. Made
//! in milliseconds, so made again on every run, into the artifact cache.

use crate::{root, Result};
use std::fs;
use std::path::{Path, PathBuf};
use wasi_preview1_component_adapter_provider::{
    WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME, WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER,
};

/// The environment variable the tests find the command component through.
pub const P2_COMMAND_VAR: &str = "WASMTIME_DYN_TEST_P2_COMMAND";

/// Makes the WASI 0.2 command component in `cache`, returning its path.
pub fn p2_command(cache: &Path) -> Result<PathBuf> {
    let source = root().join("tests/fixtures/component/p2-command.wat");
    let core = wat::parse_file(&source).map_err(|e| format!("{}: {e}", source.display()))?;
    let component = wit_component::ComponentEncoder::default()
        .module(&core)
        .and_then(|encoder| {
            encoder.adapter(
                WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME,
                WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER,
            )
        })
        .and_then(|encoder| encoder.validate(true).encode())
        .map_err(|e| {
            format!(
                "making the WASI 0.2 command from {}: {e:#}",
                source.display()
            )
        })?;
    let dir = cache.join("fixtures");
    fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let path = dir.join("p2-command.wasm");
    fs::write(&path, component).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}
