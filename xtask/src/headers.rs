//! `cargo xtask headers`: copy the C API headers of the pinned version,
//! unmodified, from the crates.io package `wasmtime-c-api-impl`.

use crate::{root, run, Result, WASMTIME_VERSION};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Finds the unpacked crates.io sources of `package` at the pinned version,
/// fetching them through the test-library builder's lock file.
pub fn crate_source(package: &str) -> Result<PathBuf> {
    let manifest = root().join("xtask/libwasmtime-build/Cargo.toml");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    run(Command::new(&cargo)
        .args(["fetch", "--locked", "--manifest-path"])
        .arg(&manifest))?;
    let output = Command::new(&cargo)
        .args([
            "metadata",
            "--locked",
            "--format-version",
            "1",
            "--manifest-path",
        ])
        .arg(&manifest)
        .output()
        .map_err(|e| format!("cargo metadata: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let meta: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("cargo metadata printed invalid JSON: {e}"))?;
    let packages = meta["packages"]
        .as_array()
        .ok_or("no packages in metadata")?;
    packages
        .iter()
        .find(|p| p["name"] == package && p["version"] == WASMTIME_VERSION)
        .and_then(|p| p["manifest_path"].as_str())
        .and_then(|m| Path::new(m).parent().map(Path::to_path_buf))
        .ok_or_else(|| format!("{package} {WASMTIME_VERSION} is not in the builder's lock file"))
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    for entry in fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
        let entry = entry.map_err(|e| e.to_string())?;
        let target = to.join(entry.file_name());
        if entry.file_type().map_err(|e| e.to_string())?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), &target).map_err(|e| format!("{}: {e}", target.display()))?;
        }
    }
    Ok(())
}

pub fn refresh() -> Result<()> {
    let c_api = crate_source("wasmtime-c-api-impl")?;
    // The C API package ships no license file; the `wasmtime` package of the
    // same release carries the project's license, which covers the headers.
    let wasmtime = crate_source("wasmtime")?;
    let headers = root().join("headers");
    let include = headers.join("include");
    if include.exists() {
        fs::remove_dir_all(&include).map_err(|e| format!("{}: {e}", include.display()))?;
    }
    copy_dir(&c_api.join("include"), &include)?;
    fs::copy(wasmtime.join("LICENSE"), headers.join("LICENSE"))
        .map_err(|e| format!("copying LICENSE: {e}"))?;
    fs::write(
        headers.join("VERSION"),
        format!(
            "wasmtime-c-api-impl {WASMTIME_VERSION} from crates.io (its include/ directory, unmodified);\n\
             LICENSE from the crates.io package wasmtime {WASMTIME_VERSION}.\n"
        ),
    )
    .map_err(|e| format!("writing VERSION: {e}"))?;
    eprintln!("xtask: headers refreshed from {}", c_api.display());
    Ok(())
}
