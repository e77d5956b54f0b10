//! Project automation for wasmtime-dyn: `cargo xtask <command>`.
//!
//! Commands:
//! - `headers`: refresh `headers/include` from the crates.io package
//!   `wasmtime-c-api-impl` of the pinned version.
//! - `bindgen [--check]`: regenerate `src/sys/generated/` from `headers/`
//!   (with `--check`: regenerate in memory and fail if the committed files
//!   differ).
//! - `artifacts`: produce and cache the three real test libraries.
//! - `test`: artifacts, `cargo test` against them, then `bindgen --check`.
//! - `demo`: artifacts, then the `capabilities` example on each library.
//! - `bench`: artifacts, every benchmark, then `benches/RESULTS.md`.

mod artifacts;
mod bench;
mod bindings;
mod headers;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// The Wasmtime version the headers, bindings and test libraries pin.
pub const WASMTIME_VERSION: &str = "48.0.0";

type Result<T> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("headers") => headers::refresh(),
        Some("bindgen") => bindings::run(args.iter().any(|a| a == "--check")),
        Some("artifacts") => artifacts::ensure_all().map(|libs| libs.print()),
        Some("test") => test(&args[1..]),
        Some("demo") => demo(),
        Some("bench") => bench::run(),
        _ => Err(
            "usage: cargo xtask <headers | bindgen [--check] | artifacts | test [cargo test args] | demo | bench>"
                .to_string(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The repository root (the parent of this package's directory).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the repository root")
        .to_path_buf()
}

/// Runs `cmd`, failing with a message naming it when it cannot start or
/// exits unsuccessfully.
pub fn run(cmd: &mut Command) -> Result<()> {
    let shown = format!("{cmd:?}");
    eprintln!("xtask: running {shown}");
    let status = cmd
        .status()
        .map_err(|e| format!("could not start {shown}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{shown} failed with {status}"))
    }
}

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

fn test(extra: &[String]) -> Result<()> {
    let libs = artifacts::ensure_all()?;
    libs.print();
    let mut cmd = cargo();
    cmd.current_dir(root())
        .args(["test", "--package", "wasmtime-dyn"])
        .args(extra);
    libs.set_env(&mut cmd);
    run(&mut cmd)?;
    bindings::run(true)
}

fn example(name: &str) -> Command {
    let mut cmd = cargo();
    cmd.current_dir(root()).args([
        "run",
        "--quiet",
        "--package",
        "wasmtime-dyn",
        "--example",
        name,
        "--",
    ]);
    cmd
}

/// The capability table of each library, then one binary's story: compile
/// and run on the full library, precompile there for the minimal one, and
/// run the `.cwasm` on the minimal one.
fn demo() -> Result<()> {
    let libs = artifacts::ensure_all()?;
    run(example("capabilities").args(libs.paths()))?;
    let full = libs.path("full");
    let min = libs.path("min");
    run(example("hello").arg(full))?;
    let cwasm =
        std::env::temp_dir().join(format!("wasmtime-dyn-demo-{}.cwasm", std::process::id()));
    let fib = root().join("examples/fib.wat");
    run(example("precompile")
        .arg(full)
        .arg(&fib)
        .arg(&cwasm)
        .arg(min))?;
    let result = run(example("run_cwasm")
        .arg(min)
        .arg(&cwasm)
        .args(["fib", "20"]));
    let _ = std::fs::remove_file(&cwasm);
    result
}
