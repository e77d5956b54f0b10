//! Project automation for wasmtime-dyn: `cargo xtask <command>`.
//!
//! Commands:
//! - `headers`: refresh `headers/include` from the crates.io package
//!   `wasmtime-c-api-impl` of the pinned version.
//! - `bindgen [--check]`: regenerate `src/sys/generated/` from `headers/`
//!   (with `--check`: regenerate in memory and fail if the committed files
//!   differ).
//! - `artifacts`: produce and cache the real test libraries (official
//!   libraries of 36 to 50; minimal and compiler-only builds of 36, 48 and
//!   50, run-only builds of 48 and 50).
//! - `test`: the README figures check, artifacts, `cargo test` once per
//!   supported major (36 to 50, `ROUNDS`), then
//!   `bindgen --check`, then the instruction-count guard (`ceilings`).
//! - `ceilings [--update]`: the instruction counts per call of the hot
//!   paths under callgrind, checked against `benches/ceilings.txt` (with
//!   `--update`: that file rewritten from this measurement).
//! - `demo`: artifacts, the compatibility matrix, and the
//!   precompile-on-full, run-on-min story on 36, 48 and 50.
//! - `bench`: artifacts, every benchmark, then `benches/RESULTS.md` and
//!   README.md's figures copied from it. `bench load`: the load comparison
//!   alone (`Wasmtime::open` against a bare `dlopen`, whole processes), for
//!   the full and minimal libraries of 36, 48 and 50.
//! - `readme`: README.md's benchmark figures copied from
//!   `benches/RESULTS.md` (`test` fails when they differ).

mod artifacts;
mod bench;
mod bindings;
mod callgrind;
mod callgrind_guard;
mod fixtures;
mod headers;
mod readme_results;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// The Wasmtime version the headers and bindings come from: the newest
/// supported release.
pub const WASMTIME_VERSION: &str = "50.0.1";

type Result<T> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("headers") => headers::refresh(),
        Some("bindgen") => bindings::run(args.iter().any(|a| a == "--check")),
        Some("artifacts") => artifacts::ensure_all().map(|libs| libs.print()),
        Some("test") => test(&args[1..]),
        Some("demo") => demo(),
        Some("bench") if args.get(1).map(String::as_str) == Some("load") => bench::load_command(),
        Some("bench") => bench::run(),
        Some("ceilings") => callgrind_guard::command(&args[1..]),
        Some("readme") => readme_results::sync(),
        _ => Err(
            "usage: cargo xtask <headers | bindgen [--check] | artifacts | test [cargo test args] | demo | bench [load] | ceilings [--update] | readme>"
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

/// The Wasmtime majors the crate supports (`wasmtime_dyn::SUPPORTED_MAJORS`).
const SUPPORTED: std::ops::RangeInclusive<u32> = 36..=50;

/// The majors `cargo xtask test` runs a round of the whole suite for: every
/// supported major, the 36 LTS included.
const ROUNDS: std::ops::RangeInclusive<u32> = SUPPORTED;

/// Test files that need the minimal and compiler-only builds throughout.
const BUILDS_ONLY: [&str; 3] = ["fuzz", "soak", "panic_table"];

/// The names of the integration test files (`tests/*.rs`).
fn test_files() -> Result<Vec<String>> {
    let dir = root().join("tests");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            name.strip_suffix(".rs").map(str::to_string)
        })
        .collect();
    names.sort();
    Ok(names)
}

/// Runs the test suite once per major of [`ROUNDS`]: the round of a major sets
/// `WASMTIME_DYN_TEST_FULL` (and `WASMTIME_DYN_TEST_VERSION`, the version
/// its wheel holds) to that major's official library, and
/// `WASMTIME_DYN_TEST_MIN`/`WASMTIME_DYN_TEST_COMPILER_ONLY` to its builds
/// where they are made (36, 48 and 50); elsewhere `WASMTIME_DYN_TEST_FULL_ONLY`
/// tells the tests that only the full library is in the round, and
/// `WASMTIME_DYN_TEST_NO_RUN_ONLY` that it has no run-only build (made for
/// 48 and 50) ([`artifacts::Libraries::round_vars`]). Every round
/// also gets every library as `WASMTIME_DYN_TEST_LIB_<FLAVOUR>_<MAJOR>`,
/// for the tests across versions. Doc tests run in the first round only.
fn test(extra: &[String]) -> Result<()> {
    // Cheap, so first: README.md's figures are RESULTS.md's.
    readme_results::check()?;
    let libs = artifacts::ensure_all()?;
    libs.print();
    let mut rounds = Vec::new();
    for (i, major) in ROUNDS.rev().enumerate() {
        let mut cmd = cargo();
        cmd.current_dir(root())
            .args(["test", "--package", "wasmtime-dyn"]);
        let built = libs.find("min", major).is_some();
        if i > 0 && built {
            // Unit and integration tests; the doc tests ran in round one.
            cmd.args(["--lib", "--tests"]);
        } else if i > 0 {
            // Rounds with the full library alone: every test file but the
            // fuzz, soak and panic-table tests, which are about the parsers
            // and the builds and run in the rounds of 48 and 50.
            cmd.arg("--lib");
            for name in test_files()? {
                if !BUILDS_ONLY.contains(&name.as_str()) {
                    cmd.args(["--test", &name]);
                }
            }
        }
        cmd.args(extra);
        libs.set_env(&mut cmd);
        libs.set_round(&mut cmd, major);
        eprintln!("xtask: test round for Wasmtime {major}");
        let started = std::time::Instant::now();
        run(&mut cmd).map_err(|e| format!("the Wasmtime {major} round failed: {e}"))?;
        rounds.push((major, started.elapsed()));
    }
    // The derive macros' own tests (token streams, compile errors) and
    // xtask's (bench tables, artifact layouts): no library involved, so
    // once.
    let mut tools = cargo();
    tools
        .current_dir(root())
        .args([
            "test",
            "--package",
            "wasmtime-dyn-macros",
            "--package",
            "xtask",
        ])
        .args(extra);
    run(&mut tools).map_err(|e| format!("the wasmtime-dyn-macros and xtask tests failed: {e}"))?;
    for (major, took) in rounds {
        eprintln!(
            "xtask: Wasmtime {major}: passed in {:.1} s",
            took.as_secs_f64()
        );
    }
    bindings::run(true)?;
    // Instruction counts of the hot paths against their committed ceilings.
    callgrind_guard::check()
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

/// The compatibility matrix of every library, then one binary's story on
/// every major with builds ([`artifacts::BUILDS`]: 36, 48 and 50): compile
/// and run on the full library, precompile there for the minimal one, and
/// run the `.cwasm` on the minimal one; then, where the major has a
/// run-only component build (48 and 50), a WASI 0.2 command component on
/// full, and precompiled there, on the run-only build.
fn demo() -> Result<()> {
    let libs = artifacts::ensure_all()?;
    run(example("capabilities").args(libs.0.iter().map(|l| &l.path)))?;
    run(example("hello").arg(&libs.full(*SUPPORTED.end()).path))?;
    run(example("async_tokio").arg(&libs.full(*SUPPORTED.end()).path))?;
    run(example("wasi_http").arg(&libs.full(*SUPPORTED.end()).path))?;
    for build in artifacts::BUILDS {
        let major = build.major;
        let full = &libs.full(major).path;
        let min = &libs
            .find("min", major)
            .ok_or(format!("BUILDS lists no minimal build of {major}"))?
            .path;
        let cwasm = std::env::temp_dir().join(format!(
            "wasmtime-dyn-demo-{major}-{}.cwasm",
            std::process::id()
        ));
        let fib = root().join("examples/fib.wat");
        eprintln!("xtask: Wasmtime {major}: precompile on full, run on min");
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
        result?;
        let Some(run_only) = libs.find("run-only", major) else {
            eprintln!(
                "xtask: Wasmtime {major}: no run-only build (BUILDS has none for {major}): \
                 the WASI 0.2 command story is not run"
            );
            continue;
        };
        // A WASI 0.2 command component: compiled and run on full, then
        // precompiled on full and run on the run-only component build.
        let dir = std::env::temp_dir().join(format!(
            "wasmtime-dyn-demo-p2-{major}-{}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        std::fs::write(
            dir.join("in.txt"),
            "a line read from a preopened directory\n",
        )
        .map_err(|e| e.to_string())?;
        let command = &libs.1.p2_command;
        eprintln!("xtask: Wasmtime {major}: a WASI 0.2 command on full");
        let on_full = run(example("p2_command")
            .arg(full)
            .arg(command)
            .arg("--dir")
            .arg(&dir)
            .args(["--", "on", "full"]));
        eprintln!("xtask: Wasmtime {major}: the same, precompiled on full, on the run-only build");
        let on_run_only = run(example("p2_command")
            .arg(&run_only.path)
            .arg(command)
            .arg("--precompile-with")
            .arg(full)
            .arg("--dir")
            .arg(&dir)
            .args(["--", "on", "run-only"]));
        let _ = std::fs::remove_dir_all(&dir);
        on_full?;
        on_run_only?;
    }
    Ok(())
}
