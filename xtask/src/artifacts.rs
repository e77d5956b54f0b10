//! `cargo xtask artifacts`: the three real libraries every test runs against,
//! produced once and cached outside the build tree.
//!
//! Cache layout: `<cache>/<version>/<flavour>/libwasmtime.so`, where `<cache>`
//! is `$WASMTIME_DYN_CACHE`, else `$XDG_CACHE_HOME/wasmtime-dyn`, else
//! `~/.cache/wasmtime-dyn`. A `stamp` file beside each library records the
//! inputs it was made from; a library whose stamp differs is made again.

use crate::{root, run, Result, WASMTIME_VERSION};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The flavours: name, environment variable the tests read, how it is made.
const FLAVOURS: [(&str, &str); 3] = [
    ("full", "WASMTIME_DYN_TEST_FULL"),
    ("min", "WASMTIME_DYN_TEST_MIN"),
    ("compiler-only", "WASMTIME_DYN_TEST_COMPILER_ONLY"),
];

/// The paths of the three cached libraries.
pub struct Libraries(Vec<(&'static str, &'static str, PathBuf)>);

impl Libraries {
    pub fn print(&self) {
        for (flavour, var, path) in &self.0 {
            eprintln!("xtask: {flavour:>13}: {var}={}", path.display());
        }
    }

    pub fn set_env(&self, cmd: &mut Command) {
        for (_, var, path) in &self.0 {
            cmd.env(var, path);
        }
    }

    pub fn path(&self, flavour: &str) -> &Path {
        self.0
            .iter()
            .find(|(f, _, _)| *f == flavour)
            .map(|(_, _, p)| p.as_path())
            .expect("every flavour is made")
    }

    pub fn paths(&self) -> impl Iterator<Item = &PathBuf> {
        self.0.iter().map(|(_, _, p)| p)
    }
}

fn cache_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("WASMTIME_DYN_CACHE") {
        return Ok(PathBuf::from(dir));
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME") {
        return Ok(PathBuf::from(dir).join("wasmtime-dyn"));
    }
    let home = std::env::var_os("HOME")
        .ok_or("neither WASMTIME_DYN_CACHE, XDG_CACHE_HOME nor HOME is set")?;
    Ok(PathBuf::from(home).join(".cache/wasmtime-dyn"))
}

/// What a flavour is made from, written beside the library: when it changes
/// the library is made again.
fn stamp(flavour: &str) -> Result<String> {
    if flavour == "full" {
        return Ok(format!("PyPI wheel wasmtime=={WASMTIME_VERSION}\n"));
    }
    let builder = root().join("xtask/libwasmtime-build/48");
    let mut text = format!("flavour {flavour}\n");
    for file in ["Cargo.toml", "Cargo.lock", "src/lib.rs"] {
        let path = builder.join(file);
        text += &fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(text)
}

pub fn ensure_all() -> Result<Libraries> {
    if !cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        return Err("the test libraries are only produced for x86_64 Linux".into());
    }
    let cache = cache_dir()?.join(WASMTIME_VERSION);
    let mut libs = Vec::new();
    for (flavour, var) in FLAVOURS {
        let dir = cache.join(flavour);
        let lib = dir.join("libwasmtime.so");
        let stamp_path = dir.join("stamp");
        let wanted = stamp(flavour)?;
        let fresh = lib.is_file() && fs::read_to_string(&stamp_path).ok() == Some(wanted.clone());
        if !fresh {
            fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            let made = match flavour {
                "full" => fetch_full(&cache)?,
                _ => build(&cache, flavour)?,
            };
            // Copy then rename, so an interrupted run never leaves a
            // truncated library that a later run would take as cached.
            let partial = dir.join("libwasmtime.so.partial");
            fs::copy(&made, &partial).map_err(|e| format!("{}: {e}", partial.display()))?;
            fs::rename(&partial, &lib).map_err(|e| format!("{}: {e}", lib.display()))?;
            fs::write(&stamp_path, &wanted).map_err(|e| e.to_string())?;
        }
        libs.push((flavour, var, lib));
    }
    Ok(Libraries(libs))
}

fn require(tool: &str, probe: &mut Command, install: &str) -> Result<()> {
    match probe.output() {
        Ok(out) if out.status.success() => Ok(()),
        _ => Err(format!(
            "{tool} is required to make the test libraries; install it with: {install}"
        )),
    }
}

/// Downloads the official release library from the PyPI wheel.
fn fetch_full(cache: &Path) -> Result<PathBuf> {
    require(
        "pip",
        Command::new("python3").args(["-m", "pip", "--version"]),
        "apt-get install -y python3-pip",
    )?;
    let download = cache.join("wheel");
    let _ = fs::remove_dir_all(&download);
    run(Command::new("python3")
        .args(["-m", "pip", "download", "--no-deps", "--only-binary=:all:"])
        .args([
            "--platform",
            "manylinux1_x86_64",
            "--python-version",
            "3.11",
        ])
        .arg(format!("wasmtime=={WASMTIME_VERSION}"))
        .arg("-d")
        .arg(&download))?;
    let wheel = fs::read_dir(&download)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "whl"))
        .ok_or("pip downloaded no wheel")?;
    let member = "wasmtime/linux-x86_64/_libwasmtime.so";
    run(Command::new("python3")
        .args([
            "-c",
            "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract(sys.argv[2], sys.argv[3])",
        ])
        .arg(&wheel)
        .arg(member)
        .arg(&download))?;
    Ok(download.join(member))
}

/// Builds the minimal or compiler-only library from crates.io sources with
/// the committed lock file.
fn build(cache: &Path, flavour: &str) -> Result<PathBuf> {
    require(
        "cmake",
        Command::new("cmake").arg("--version"),
        "apt-get install -y cmake",
    )?;
    let target = cache.join("build-target");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.args(["build", "--release", "--locked", "--manifest-path"])
        .arg(root().join("xtask/libwasmtime-build/48/Cargo.toml"))
        .env("CARGO_TARGET_DIR", &target);
    if flavour == "compiler-only" {
        cmd.args(["--features", "compiler-only"]);
    }
    run(&mut cmd)?;
    Ok(target.join("release/libwasmtime.so"))
}
