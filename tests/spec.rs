//! The WebAssembly spec test suite against the three real libraries.
//!
//! Runs every `.wast` file of `tests/spec-testsuite/` (a copy of the
//! project's `../shared/spec-testsuite/`, kept in the repository so a clone
//! anywhere runs it; or of the directory named by `WASMTIME_DYN_SPEC_DIR`)
//! on each library, in one
//! thread per library: the full and compiler-only libraries compile every
//! module themselves; for the minimal one, the full library precompiles each
//! module for its capabilities in this process and it deserializes the
//! `.cwasm`. Directives a library cannot run (a capability it lacks, a
//! proposal Wasmtime 48 does not enable) are skipped with their reason; the
//! report lists every skip and failure, per file and library, and the test
//! fails if any directive failed.
//!
//! The report goes straight to stderr, so that `cargo test` shows it even
//! when the test passes.

#![deny(clippy::undocumented_unsafe_blocks)]

mod common;
#[path = "spec/runner.rs"]
mod runner;
#[path = "spec/values.rs"]
mod values;

use common::{flavours, Flavour};
use runner::{FileRun, Lib};
use std::collections::BTreeMap;
use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use values::Verdict;

/// The environment variable naming another directory of `.wast` files.
const SPEC_DIR_VAR: &str = "WASMTIME_DYN_SPEC_DIR";

/// Native stack of each library's thread: wasm may use Wasmtime's default
/// 512 KiB `max_wasm_stack` on top of the runner's own (debug) frames.
const THREAD_STACK: usize = 64 << 20;

/// The outcome of one file on one library.
#[derive(Default)]
struct FileReport {
    file: String,
    passed: usize,
    /// (line, why)
    failed: Vec<(usize, String)>,
    /// (line, reason)
    skipped: Vec<(usize, String)>,
}

struct LibReport {
    flavour: Flavour,
    files: Vec<FileReport>,
    elapsed: Duration,
}

impl LibReport {
    fn totals(&self) -> (usize, usize, usize) {
        self.files.iter().fold((0, 0, 0), |(p, f, s), file| {
            (
                p + file.passed,
                f + file.failed.len(),
                s + file.skipped.len(),
            )
        })
    }
}

fn spec_dir() -> PathBuf {
    match std::env::var_os(SPEC_DIR_VAR) {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/spec-testsuite"),
    }
}

fn wast_files(dir: &Path) -> Vec<PathBuf> {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| {
        panic!(
            "cannot read the spec test directory {} ({e}); set {SPEC_DIR_VAR} to another one",
            dir.display()
        )
    });
    let mut files: Vec<PathBuf> = entries
        .map(|entry| entry.expect("reading the spec test directory").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "wast") && path.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no .wast files in {}", dir.display());
    files
}

/// A panic's message.
fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "a panic without a message".into())
}

/// Runs one file on one library.
fn run_file(lib: &Lib, path: &Path) -> FileReport {
    let mut report = FileReport {
        file: path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
        ..FileReport::default()
    };
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => {
            report
                .failed
                .push((0, format!("cannot read the file: {e}")));
            return report;
        }
    };
    let line_of = |span: wast::token::Span| span.linecol_in(&text).0 + 1;
    let buf = match wast::parser::ParseBuffer::new(&text) {
        Ok(buf) => buf,
        Err(mut e) => {
            e.set_text(&text);
            report
                .failed
                .push((line_of(e.span()), format!("lexing failed: {e}")));
            return report;
        }
    };
    let mut wast = match runner::parse(&buf) {
        Ok(wast) => wast,
        Err(mut e) => {
            e.set_text(&text);
            report
                .failed
                .push((line_of(e.span()), format!("parsing failed: {e}")));
            return report;
        }
    };
    let mut run = match FileRun::new(lib) {
        Ok(run) => run,
        Err(e) => {
            report
                .failed
                .push((0, format!("setting up the store and `spectest`: {e}")));
            return report;
        }
    };
    for directive in &mut wast.directives {
        let line = line_of(directive.span());
        match catch_unwind(AssertUnwindSafe(|| run.run(directive))) {
            Ok(Ok(())) => report.passed += 1,
            Ok(Err(Verdict::Fail(why))) => report.failed.push((line, why)),
            Ok(Err(Verdict::Skip(reason))) => report.skipped.push((line, reason)),
            Err(payload) => report
                .failed
                .push((line, format!("panicked: {}", panic_text(&*payload)))),
        }
    }
    report
}

fn run_library(flavour: Flavour, files: &[PathBuf]) -> LibReport {
    let start = Instant::now();
    let lib = Lib::new(flavour);
    let files = files.iter().map(|path| run_file(&lib, path)).collect();
    LibReport {
        flavour,
        files,
        elapsed: start.elapsed(),
    }
}

/// Writes the report; returns the failures, one line each.
fn write_report(out: &mut impl Write, reports: &[LibReport]) -> std::io::Result<Vec<String>> {
    let mut failures = Vec::new();
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for report in reports {
        let lib = runner::name(report.flavour);
        for file in &report.files {
            writeln!(
                out,
                "{lib} {}: {} passed, {} failed, {} skipped",
                file.file,
                file.passed,
                file.failed.len(),
                file.skipped.len()
            )?;
            for (line, why) in &file.failed {
                let failure = format!("{lib} {}:{line}: {why}", file.file);
                writeln!(out, "    FAILED {failure}")?;
                failures.push(failure);
            }
            let mut by_reason: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
            for (line, reason) in &file.skipped {
                by_reason.entry(reason).or_default().push(*line);
            }
            for (reason, lines) in by_reason {
                let lines: Vec<String> = lines.iter().map(usize::to_string).collect();
                writeln!(
                    out,
                    "    skipped {} (lines {}): {reason}",
                    lines.len(),
                    lines.join(", ")
                )?;
            }
        }
        let (p, f, s) = report.totals();
        writeln!(
            out,
            "{lib}: {p} passed, {f} failed, {s} skipped ({:.1}s)",
            report.elapsed.as_secs_f64()
        )?;
        let mut by_reason: BTreeMap<&str, usize> = BTreeMap::new();
        for (_, reason) in report.files.iter().flat_map(|f| &f.skipped) {
            *by_reason.entry(reason).or_default() += 1;
        }
        for (reason, count) in by_reason {
            writeln!(out, "    {count} skipped: {reason}")?;
        }
        passed += p;
        failed += f;
        skipped += s;
    }
    writeln!(out, "{passed} passed, {failed} failed, {skipped} skipped")?;
    Ok(failures)
}

#[test]
fn spec_testsuite() {
    let dir = spec_dir();
    let files = wast_files(&dir);
    // Load every library before the threads start, so that a missing one
    // fails here with its own message.
    for flavour in flavours() {
        flavour.load();
    }
    let threads: Vec<_> = flavours()
        .into_iter()
        .map(|flavour| {
            let files = files.clone();
            std::thread::Builder::new()
                .name(format!("spec-{}", runner::name(flavour)))
                .stack_size(THREAD_STACK)
                .spawn(move || run_library(flavour, &files))
                .expect("spawning a spec thread")
        })
        .collect();
    let reports: Vec<LibReport> = threads
        .into_iter()
        .map(|thread| {
            thread.join().unwrap_or_else(|payload| {
                panic!("a spec thread panicked: {}", panic_text(&*payload))
            })
        })
        .collect();
    let mut report = Vec::new();
    let failures = write_report(&mut report, &reports).expect("writing to memory");
    // Straight to stderr: the test harness captures `print!` output, and the
    // summary is wanted on every run.
    std::io::stderr()
        .write_all(&report)
        .expect("writing the report to stderr");
    assert!(
        failures.is_empty(),
        "{} spec directives failed (from {}):\n{}",
        failures.len(),
        dir.display(),
        failures.join("\n")
    );
}
