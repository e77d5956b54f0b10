//! The WebAssembly spec test suite against the three real libraries.
//!
//! Runs every `.wast` file of `tests/spec-testsuite/` and its
//! subdirectories (a copy of the project's `../shared/spec-testsuite/`,
//! kept in the repository so a clone anywhere runs it; or of the directory
//! named by `WASMTIME_DYN_SPEC_DIR`) on each library, in one thread per
//! library: the full and compiler-only libraries compile every module
//! themselves; for the minimal one, the full library precompiles each
//! module for its capabilities in this process and it deserializes the
//! `.cwasm`. Each file runs with the proposals Wasmtime's own spec runner
//! enables for its path (`spec/features.rs`).
//!
//! A directive is skipped only where it cannot run: a capability the
//! library lacks (GC, exceptions, threads, a compiler), or, in the files of
//! a proposal Wasmtime does not implement (legacy exceptions, custom
//! descriptors), a directive that fails. What this crate's API cannot do
//! yet (GC and exception references) fails, with a category in brackets
//! that the report counts. The report lists every skip and failure, per
//! file and library, and the test fails if any directive failed.
//!
//! The report goes straight to stderr, so that `cargo test` shows it even
//! when the test passes.

#![deny(clippy::undocumented_unsafe_blocks)]

mod common;
#[path = "spec/errors.rs"]
mod errors;
#[path = "spec/features.rs"]
mod features;
#[path = "spec/known.rs"]
mod known;
#[path = "spec/runner.rs"]
mod runner;
#[path = "spec/script.rs"]
mod script;
#[path = "spec/typed_references.rs"]
mod typed_references;
#[path = "spec/values.rs"]
mod values;

use common::{flavours, Flavour};
use runner::{panic_text, FileRun, Item, Lib, Located, Outcomes, THREAD_STACK};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use values::Verdict;

/// The environment variable naming another directory of `.wast` files.
const SPEC_DIR_VAR: &str = "WASMTIME_DYN_SPEC_DIR";

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

/// Runs one file on one library.
fn run_file(lib: &Lib, dir: &Path, path: &Path) -> FileReport {
    let relative = path.strip_prefix(dir).unwrap_or(path);
    match std::fs::read_to_string(path) {
        Ok(text) => run_text(lib, relative, &text),
        Err(e) => FileReport {
            file: relative.to_string_lossy().into_owned(),
            failed: vec![(0, format!("cannot read the file: {e}"))],
            ..FileReport::default()
        },
    }
}

/// Runs the text of the file at `relative` (its path in the suite, which
/// chooses its proposals) on one library.
fn run_text(lib: &Lib, relative: &Path, text: &str) -> FileReport {
    let mut report = FileReport {
        file: relative.to_string_lossy().into_owned(),
        ..FileReport::default()
    };
    let config = match features::for_file(relative) {
        Ok(config) => config,
        Err(e) => {
            report.failed.push((0, e));
            return report;
        }
    };
    let line_of = |offset: usize| wast::token::Span::from_offset(offset).linecol_in(text).0 + 1;
    let forms = match script::forms(text) {
        Ok(forms) => forms,
        Err(mut e) => {
            e.set_text(text);
            report
                .failed
                .push((line_of(e.span().offset()), format!("lexing failed: {e}")));
            return report;
        }
    };
    let buffers: Vec<_> = forms.iter().map(script::Form::buffer).collect();
    let mut directives: Vec<_> = forms
        .iter()
        .zip(&buffers)
        .map(|(form, buf)| match buf {
            Ok(buf) => form.parse(buf),
            Err(e) => Err(form.unparsed(e.to_string(), e.span().offset())),
        })
        .collect();
    // Where wasmtime-dyn reads no value type of a module in an engine with
    // the typed-reference proposals on (a library that deserializes every
    // module, before Wasmtime 45), a file whose modules need none of them
    // runs with them off, as an embedder of that library would run it.
    let features =
        if lib.reads_no_types_with_typed_references() && !typed_references::needed(&forms) {
            config.features.without_typed_references()
        } else {
            config.features
        };
    let setup = match lib.setup(features) {
        Ok(setup) => setup,
        Err(e) => {
            report.failed.push((0, e));
            return report;
        }
    };
    let mut run = match FileRun::new(&setup) {
        Ok(run) => run,
        Err(e) => {
            report
                .failed
                .push((0, format!("setting up the store and `spectest`: {e}")));
            return report;
        }
    };
    let mut outcomes = Outcomes::new();
    let items = forms
        .iter()
        .zip(&mut directives)
        .map(|(form, directive)| Located {
            base: form.start,
            item: match directive {
                Ok(directive) => Item::of(directive),
                Err(unparsed) => Item::Unparsed(unparsed),
            },
        })
        .collect();
    run.run_all(items, &line_of, &mut outcomes);
    // In the files of a proposal Wasmtime does not implement, what fails
    // is skipped, with the proposal named.
    let unimplemented = config.unimplemented.map(|u| u.reason(lib.major()));
    // What an old major does differently, known line by line.
    let file = relative.to_string_lossy().replace('\\', "/");
    let known = |line| known::reason(&file, line, lib.major(), lib.flavour);
    for (line, outcome) in outcomes {
        match (outcome, &unimplemented) {
            (Ok(()), _) => report.passed += 1,
            (Err(Verdict::Fail(_)), Some(reason)) => report.skipped.push((line, reason.clone())),
            (Err(Verdict::Fail(why)), None) => match known(line) {
                Some(reason) => report.skipped.push((line, reason.to_string())),
                None => report.failed.push((line, why)),
            },
            (Err(Verdict::Skip(reason)), _) => report.skipped.push((line, reason)),
        }
    }
    report
}

fn run_library(flavour: Flavour, dir: &Path, files: &[PathBuf]) -> LibReport {
    let start = Instant::now();
    let lib = Lib::new(flavour);
    let files = files.iter().map(|path| run_file(&lib, dir, path)).collect();
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
        let mut by_category: BTreeMap<&str, usize> = BTreeMap::new();
        for (_, why) in report.files.iter().flat_map(|f| &f.failed) {
            let category = values::category(why).unwrap_or("(other failures)");
            *by_category.entry(category).or_default() += 1;
        }
        for (category, count) in by_category {
            writeln!(out, "    {count} failed: {category}")?;
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
    let files = common::wast_files(&dir, SPEC_DIR_VAR);
    // Load every library before the threads start, so that a missing one
    // fails here with its own message.
    for flavour in flavours() {
        flavour.load();
    }
    let threads: Vec<_> = flavours()
        .into_iter()
        .map(|flavour| {
            let files = files.clone();
            let dir = dir.clone();
            std::thread::Builder::new()
                .name(format!("spec-{}", runner::name(flavour)))
                .stack_size(THREAD_STACK)
                .spawn(move || run_library(flavour, &dir, &files))
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

/// Two `thread` blocks pass a message through a shared memory of a
/// registered module, with `memory.atomic.wait32` and `notify`; `wait`
/// collects their directives, and the main thread reads what they wrote.
/// (The suite itself has no `thread` block yet.)
const THREADS_SCRIPT: &str = r#"
(module $Mem (memory (export "shared") 1 1 shared))
(register "mem" $Mem)
(thread $Writer (shared (module $Mem))
  (register "mem" $Mem)
  (module
    (memory (import "mem" "shared") 1 1 shared)
    (func (export "run")
      (i32.atomic.store (i32.const 0) (i32.const 42))
      (i32.atomic.store (i32.const 4) (i32.const 1))
      (drop (memory.atomic.notify (i32.const 4) (i32.const 1)))))
  (invoke "run"))
(thread $Reader (shared (module $Mem))
  (register "mem" $Mem)
  (module
    (memory (import "mem" "shared") 1 1 shared)
    (func (export "run") (result i32)
      (block $done
        (loop $spin
          (br_if $done (i32.eq (i32.atomic.load (i32.const 4)) (i32.const 1)))
          (drop (memory.atomic.wait32 (i32.const 4) (i32.const 0) (i64.const 1000000)))
          (br $spin)))
      (i32.store (i32.const 8) (i32.atomic.load (i32.const 0)))
      (i32.atomic.load (i32.const 0))))
  (assert_return (invoke "run") (i32.const 42)))
(wait $Writer)
(wait $Reader)
(module $Check
  (memory (import "mem" "shared") 1 1 shared)
  (func (export "check") (result i32) (i32.load (i32.const 8))))
(assert_return (invoke $Check "check") (i32.const 42))
(assert_return (invoke $Check "check") (i32.const 41))
"#;

#[test]
fn thread_blocks_share_memories() {
    let lib = Lib::new(Flavour::Full);
    let relative = Path::new("proposals/threads/message-passing.wast");
    let report = run_text(&lib, relative, THREADS_SCRIPT);
    // Every directive ran, the threads' included; the last one fails on
    // purpose, to show the threads' results are checked.
    assert_eq!(report.skipped, []);
    assert_eq!(report.passed, 14, "{:?}", report.failed);
    let lines: Vec<usize> = report.failed.iter().map(|(line, _)| *line).collect();
    assert_eq!(lines, [32], "{:?}", report.failed);
}
