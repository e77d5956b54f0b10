//! Wasmtime's component-model test files against this crate's component
//! API, on the real libraries.
//!
//! Runs every `.wast` file of `tests/component-testsuite/` (Wasmtime's
//! `tests/misc_testsuite/component-model/` at v48.0.0; or of the directory
//! `WASMTIME_DYN_COMPONENT_SPEC_DIR` names) on the round's full library:
//! each file with the settings of its `;;!` lines
//! (`component_spec/header.rs`), the host imports of Wasmtime's runner
//! (`component_spec/host.rs`), and its directives run through
//! `wasmtime_dyn::component` (`component_spec/runner.rs`); the 52 files of
//! `async/` (the component-model async proposal) with `instantiate_async`
//! and `call_async`, as Wasmtime's runner runs them. The minimal build,
//! which has no component model, must refuse a component with
//! `Unsupported(ComponentModel)`.
//!
//! A directive is skipped only where it cannot run: a component the
//! library refuses for a component-model proposal the file turns on that
//! the C API cannot (error contexts, threading, GC, memory64 and
//! fixed-length lists have no C setter; `implements` none before 49), and
//! the directives that use it; a link against a resource type a named
//! instance exports (the C API cannot take one out of an instance); in
//! `async/`, the listed directives that need what the C API cannot express
//! (concurrent host functions, future and stream values at the host, a
//! store's resource table: `component_spec/limits.rs`); and a failure that
//! is a known difference of the release from the v48 files
//! (`component_spec/known.rs`). Each skip names its reason. The report
//! lists every file's figures, skips and failures on stderr, and the test
//! fails if any directive failed.

#![deny(clippy::undocumented_unsafe_blocks)]

mod common;
#[path = "component_spec/exports.rs"]
mod exports;
#[path = "component_spec/header.rs"]
mod header;
#[path = "component_spec/host.rs"]
mod host;
#[path = "component_spec/known.rs"]
mod known;
#[path = "component_spec/limits.rs"]
mod limits;
#[path = "component_spec/runner.rs"]
mod runner;
#[path = "component_spec/values.rs"]
mod values;

use common::{round_has, Flavour};
use header::Header;
use runner::{Build, Calls, FileRun, Verdict};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;
use wasmtime_dyn::component::Component;
use wasmtime_dyn::{Capability, Config, Engine, Wasmtime};
use wast_components::parser::{self, ParseBuffer};
use wast_components::Wast;

/// Native stack of the thread that runs the files: wasm may use
/// Wasmtime's default 512 KiB on top of the runner's (debug) frames.
const THREAD_STACK: usize = 64 << 20;

/// The outcome of one file.
#[derive(Default)]
struct FileReport {
    file: String,
    passed: usize,
    /// (line, why)
    failed: Vec<(usize, String)>,
    /// (line, reason)
    skipped: Vec<(usize, String)>,
}

/// The environment variable naming another directory of `.wast` files.
const SUITE_DIR_VAR: &str = "WASMTIME_DYN_COMPONENT_SPEC_DIR";

fn suite_dir() -> PathBuf {
    match std::env::var_os(SUITE_DIR_VAR) {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/component-testsuite"),
    }
}

/// Engines by settings, made on first use.
struct Engines {
    wasmtime: &'static Wasmtime,
    made: HashMap<Header, Engine>,
}

/// Why a file cannot run on a library.
enum NoEngine {
    /// The library lacks a capability the file needs: a skip.
    Lacks(String),
    /// The engine was refused: a failure.
    Refused(String),
}

impl Engines {
    fn get(&mut self, header: &Header) -> Result<Engine, NoEngine> {
        if let Some(engine) = self.made.get(header) {
            return Ok(engine.clone());
        }
        let mut config = Config::new(self.wasmtime);
        let major = self.wasmtime.version().major();
        header
            .configure(&mut config, major, self.wasmtime.capabilities())
            .map_err(NoEngine::Lacks)?;
        let engine = Engine::new(self.wasmtime, &config).map_err(|e| {
            // A setting the major is too old for (maps before 44) is
            // lacking, like a capability.
            match e.downcast_ref::<wasmtime_dyn::ErrorKind>() {
                Some(wasmtime_dyn::ErrorKind::UnsupportedVersion { needs, found, .. })
                    if found.major() < *needs.start() =>
                {
                    NoEngine::Lacks(format!("{e}"))
                }
                _ => NoEngine::Refused(format!("the engine: {e:#}")),
            }
        })?;
        self.made.insert(header.clone(), engine.clone());
        Ok(engine)
    }
}

fn run_file(
    engines: &mut Engines,
    build: Build,
    suite: Suite,
    relative: &str,
    text: &str,
) -> FileReport {
    let mut report = FileReport {
        file: relative.to_string(),
        ..FileReport::default()
    };
    let major = engines.wasmtime.version().major();
    let header = match header::parse(text, major) {
        Ok(header) => header,
        Err(e) => {
            report.failed.push((1, e));
            return report;
        }
    };
    let buf = match ParseBuffer::new(text) {
        Ok(buf) => buf,
        Err(e) => {
            report.failed.push((0, format!("lexing failed: {e}")));
            return report;
        }
    };
    let wast = match parser::parse::<Wast>(&buf) {
        Ok(wast) => wast,
        Err(e) => {
            report.failed.push((0, format!("parsing failed: {e}")));
            return report;
        }
    };
    if let Some(reason) = known::crash(relative, major) {
        for directive in &wast.directives {
            let line = runner::line(directive.span(), text);
            report.skipped.push((line, reason.to_string()));
        }
        return report;
    }
    let engine = match engines.get(&header) {
        Ok(engine) => engine,
        Err(NoEngine::Lacks(what)) => {
            let reason = format!("needs {what}, which this build lacks");
            // (The label of the build is in the report's line.)
            for directive in &wast.directives {
                let line = runner::line(directive.span(), text);
                report.skipped.push((line, reason.clone()));
            }
            return report;
        }
        Err(NoEngine::Refused(e)) => {
            report.failed.push((1, e));
            return report;
        }
    };
    let calls = match suite {
        Suite::Sync => Calls::Sync,
        Suite::Async => Calls::new_async(),
    };
    let mut run = match FileRun::new(&engine, build, header.unset_reason(), calls) {
        Ok(run) => run,
        Err(e) => {
            report.failed.push((0, e));
            return report;
        }
    };
    for directive in wast.directives {
        let line = runner::line(directive.span(), text);
        match run.run(directive) {
            Ok(()) => report.passed += 1,
            Err(Verdict::Fail(why)) => match known::reason(relative, line, major)
                .or_else(|| limits::reason(relative, line, major, &why))
            {
                Some(reason) => report.skipped.push((line, reason.to_string())),
                None => report.failed.push((line, why)),
            },
            Err(Verdict::Skip(reason)) => report.skipped.push((line, reason)),
        }
    }
    report
}

/// Writes the report; returns the failures, one line each.
fn write_report(out: &mut String, lib: &str, files: &[FileReport], secs: f64) -> Vec<String> {
    let mut failures = Vec::new();
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for file in files {
        let _ = writeln!(
            out,
            "{lib} {}: {} passed, {} failed, {} skipped",
            file.file,
            file.passed,
            file.failed.len(),
            file.skipped.len()
        );
        for (line, why) in &file.failed {
            let failure = format!("{lib} {}:{line}: {why}", file.file);
            let _ = writeln!(out, "    FAILED {failure}");
            failures.push(failure);
        }
        let mut by_reason: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for (line, reason) in &file.skipped {
            by_reason.entry(reason).or_default().push(line.to_string());
        }
        for (reason, lines) in by_reason {
            let _ = writeln!(
                out,
                "    skipped {} (lines {}): {reason}",
                lines.len(),
                lines.join(", ")
            );
        }
        passed += file.passed;
        failed += file.failed.len();
        skipped += file.skipped.len();
    }
    let _ = writeln!(
        out,
        "{lib}: {} files, {passed} passed, {failed} failed, {skipped} skipped ({secs:.1}s)",
        files.len()
    );
    failures
}

/// Which files of the suite directory a run takes, and how it calls.
#[derive(Clone, Copy)]
enum Suite {
    /// Every file outside `async/`, with sync instantiations and calls.
    Sync,
    /// The files of `async/` (the component-model async proposal), with
    /// `instantiate_async` and `call_async`, as Wasmtime's runner.
    Async,
}

/// The directory of the async files.
const ASYNC_DIR: &str = "async";

impl Suite {
    fn files(self, dir: &Path) -> Vec<PathBuf> {
        match self {
            Suite::Sync => common::wast_files(dir, SUITE_DIR_VAR)
                .into_iter()
                .filter(|path| !path.starts_with(dir.join(ASYNC_DIR)))
                .collect(),
            Suite::Async => common::wast_files(&dir.join(ASYNC_DIR), SUITE_DIR_VAR),
        }
    }
}

/// Runs every file of the suite on `wasmtime` (in a thread with a large
/// stack), writes the report to stderr and fails on any failure.
fn run_suite(label: &str, wasmtime: &'static Wasmtime, build: Build, suite: Suite) {
    let dir = suite_dir();
    let files = suite.files(&dir);
    assert!(!files.is_empty(), "no .wast files in {}", dir.display());
    let lib = format!("{label} {}", wasmtime.version());
    let thread = std::thread::Builder::new()
        .name("component-spec".to_string())
        .stack_size(THREAD_STACK)
        .spawn(move || {
            let start = Instant::now();
            let mut engines = Engines {
                wasmtime,
                made: HashMap::new(),
            };
            let reports: Vec<FileReport> = files
                .iter()
                .map(|path| {
                    let relative = path
                        .strip_prefix(&dir)
                        .unwrap_or(path)
                        .to_string_lossy()
                        .into_owned();
                    match std::fs::read_to_string(path) {
                        Ok(text) => run_file(&mut engines, build, suite, &relative, &text),
                        Err(e) => FileReport {
                            file: relative,
                            failed: vec![(0, format!("cannot read the file: {e}"))],
                            ..FileReport::default()
                        },
                    }
                })
                .collect();
            (reports, start.elapsed().as_secs_f64())
        })
        .expect("spawning the runner thread");
    let (reports, secs) = thread.join().expect("the runner thread panicked");
    let mut out = String::new();
    let failures = write_report(&mut out, &lib, &reports, secs);
    // Straight to stderr: the harness captures `print!`, and the report is
    // wanted on every run.
    std::io::stderr()
        .write_all(out.as_bytes())
        .expect("writing the report");
    assert!(
        failures.is_empty(),
        "{} component directives failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn component_testsuite() {
    if common::components_refused() {
        return;
    }
    run_suite(
        "full",
        Flavour::Full.load(),
        Build { precompiler: None },
        Suite::Sync,
    );
}

/// The 52 files of `async/` on the full library, which has the
/// component-model async proposal in 45 to 50: each instantiated with
/// `Linker::instantiate_async` and called with `Func::call_async`.
#[test]
fn component_async_testsuite() {
    let full = Flavour::Full.load();
    // Before 45 the C API has no component-model async: refused as too
    // old (checked), and the files are not run.
    if !full.has(Capability::ComponentModelAsync) {
        let engine = Engine::default_for(full).expect("an engine of the full library");
        let mut linker = wasmtime_dyn::component::Linker::<()>::new(&engine);
        let refused = linker
            .root()
            .func_new_async("f", |_, _, _, _| Box::new(async { Ok(()) }))
            .map(drop);
        if let Err(why) = common::too_old(refused) {
            return eprintln!("{why}");
        }
    }
    assert!(
        full.has(Capability::ComponentModelAsync),
        "every official full library of 45 to 50 has component-model-async: {:?}",
        full.capabilities()
    );
    run_suite(
        "full async",
        full,
        Build { precompiler: None },
        Suite::Async,
    );
}

/// The run-only component build of 48 and 50 (component model, no
/// compiler): every component and core module precompiled by the full
/// library for its engine, then deserialized there.
#[test]
fn component_testsuite_on_the_run_only_build() {
    let Some(run_only) = common::run_only() else {
        return;
    };
    assert!(
        run_only.has(Capability::ComponentModel) && !run_only.has(Capability::Compiler),
        "the run-only build: {:?}",
        run_only.capabilities()
    );
    let build = Build {
        precompiler: Some(Flavour::Full.load()),
    };
    run_suite("run-only", run_only, build, Suite::Sync);
}

/// The minimal build has no component model: compiling a component of the
/// suite there is `Unsupported(ComponentModel)`, not a crash.
#[test]
fn minimal_build_has_no_component_model() {
    if !round_has(Flavour::Min) {
        return;
    }
    let min = Flavour::Min.load();
    assert!(!min.has(Capability::ComponentModel));
    let engine = Engine::default_for(min).expect("an engine of the minimal library");
    let text = std::fs::read_to_string(suite_dir().join("simple.wast")).expect("simple.wast");
    let buf = ParseBuffer::new(&text).expect("lexing simple.wast");
    let wast = parser::parse::<Wast>(&buf).expect("parsing simple.wast");
    let mut component = wast
        .directives
        .into_iter()
        .find_map(|d| match d {
            wast_components::WastDirective::Module(wat) => Some(wat),
            _ => None,
        })
        .expect("simple.wast has a component");
    let bytes = component.encode().expect("encoding the component");
    let err = Component::new(&engine, &bytes).expect_err("no component model on min");
    common::assert_component_refusal(&err, Some(Capability::ComponentModel), "min");
}
