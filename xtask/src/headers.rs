//! `cargo xtask headers`: copy the C API headers of the pinned version,
//! unmodified, from the crates.io package `wasmtime-c-api-impl`.

use crate::{root, Result, WASMTIME_VERSION};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Finds the unpacked crates.io sources of `package` at `version`, fetching
/// them through a throw-away manifest that depends on exactly that version.
pub fn crate_source(package: &str, version: &str) -> Result<PathBuf> {
    let dir = root()
        .join("target/xtask-fetch")
        .join(format!("{package}-{version}"));
    fs::create_dir_all(dir.join("src")).map_err(|e| format!("{}: {e}", dir.display()))?;
    let manifest = dir.join("Cargo.toml");
    fs::write(
        &manifest,
        format!(
            "[package]\nname = \"fetch\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\
             [lib]\npath = \"src/lib.rs\"\n[dependencies]\n{package} = \"={version}\"\n[workspace]\n"
        ),
    )
    .map_err(|e| format!("{}: {e}", manifest.display()))?;
    fs::write(dir.join("src/lib.rs"), "").map_err(|e| e.to_string())?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(&cargo)
        .args(["metadata", "--format-version", "1", "--manifest-path"])
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
        .find(|p| p["name"] == package && p["version"] == version)
        .and_then(|p| p["manifest_path"].as_str())
        .and_then(|m| Path::new(m).parent().map(Path::to_path_buf))
        .ok_or_else(|| format!("{package} {version} was not resolved"))
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

/// Copies the C headers (`*.h`) under `from` to `to`, keeping the tree.
fn copy_c_headers(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    for entry in fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
        let entry = entry.map_err(|e| e.to_string())?;
        let target = to.join(entry.file_name());
        if entry.file_type().map_err(|e| e.to_string())?.is_dir() {
            copy_c_headers(&entry.path(), &target)?;
        } else if entry.path().extension().is_some_and(|x| x == "h") {
            fs::copy(entry.path(), &target).map_err(|e| format!("{}: {e}", target.display()))?;
        }
    }
    Ok(())
}

pub fn refresh() -> Result<()> {
    let c_api = crate_source("wasmtime-c-api-impl", WASMTIME_VERSION)?;
    // The C API package ships no license file; the `wasmtime` package of the
    // same release carries the project's license, which covers the headers.
    let wasmtime = crate_source("wasmtime", WASMTIME_VERSION)?;
    let headers = root().join("headers");
    let include = headers.join("include");
    if include.exists() {
        fs::remove_dir_all(&include).map_err(|e| format!("{}: {e}", include.display()))?;
    }
    copy_dir(&c_api.join("include"), &include)?;
    fs::copy(wasmtime.join("LICENSE"), headers.join("LICENSE"))
        .map_err(|e| format!("copying LICENSE: {e}"))?;
    let mut version_note = format!(
        "include/: wasmtime-c-api-impl {WASMTIME_VERSION} from crates.io (its include/ directory, unmodified);\n\
         LICENSE from the crates.io package wasmtime {WASMTIME_VERSION}.\n"
    );
    // Headers of older releases whose declarations differ, for the
    // signature variants (crate::bindings::VARIANTS).
    for (version, files) in crate::bindings::VARIANT_HEADERS {
        let source = crate_source("wasmtime-c-api-impl", version)?;
        let dir = headers.join("variants").join(version);
        if dir.exists() {
            fs::remove_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        if files.is_empty() {
            // The release's whole C API: every `.h` of its include/.
            copy_c_headers(&source.join("include"), &dir)?;
            version_note += &format!(
                "variants/{version}/: every .h of wasmtime-c-api-impl {version}'s include/ (unmodified).\n"
            );
            continue;
        }
        for file in *files {
            let target = dir.join(file);
            let parent = target.parent().expect("a file has a parent");
            fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
            fs::copy(source.join("include").join(file), &target)
                .map_err(|e| format!("copying {file} of {version}: {e}"))?;
        }
        version_note += &format!(
            "variants/{version}/: {} from wasmtime-c-api-impl {version} (include/, unmodified).\n",
            files.join(", ")
        );
    }
    fs::write(headers.join("VERSION"), version_note)
        .map_err(|e| format!("writing VERSION: {e}"))?;
    eprintln!("xtask: headers refreshed from {}", c_api.display());
    Ok(())
}
