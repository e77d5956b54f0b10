//! The instruction-count guard: `cargo xtask test` ends with it, and
//! `cargo xtask ceilings [--update]` runs it alone (or rewrites the ceilings
//! from a fresh measurement).
//!
//! Each hot path of [`MODES`] runs in the counter binary
//! `benches/static-c/src/bin/callcount.rs` (profile `bench`) under
//! `valgrind --tool=callgrind`, once with [`CALLS`]`[0]` calls and once with
//! [`CALLS`]`[1]`; the difference of the two program totals divided by the
//! difference of the call counts is the instructions per call, start-up
//! and the first call's one-time work cancelled. Callgrind counts
//! instructions, not time, so the figure is the same on every run of the
//! same binary and library (a guard that a noisy timing could never be),
//! with one exception: what hashes with a per-process random key (Rust's
//! `HashMap`s, in libwasmtime too) takes a little more or less in each
//! process, which moves `instantiate_pre` by about 1%. Hence the first run
//! makes one call, not half as many as the second: the second process's
//! average is then what is measured, where two long runs would double
//! their difference (`2b - a` for averages `a`, `b`; up to 4% seen).
//!
//! The figures are compared with [`CEILINGS`]: a path fails when its count
//! exceeds its ceiling by more than [`TOLERANCE_PERCENT`]. Instruction counts
//! depend on the compiler and the library, so the file says which it was
//! measured with (the full library of [`MAJOR`], the rustc, the target) and
//! the guard measures exactly that library; a different rustc is named in
//! the output (and in a failure) since a new compiler can move the counts by
//! itself.

use crate::{artifacts, cargo, root, run as run_cmd, Result};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The committed ceilings, relative to the repository root.
pub const CEILINGS: &str = "benches/ceilings.txt";
/// The major whose full library the counts are measured on (the benchmarks'
/// major, see `xtask/src/bench.rs`).
const MAJOR: u32 = 48;
/// The hot paths, as `callcount` modes, with what each one is.
const MODES: [(&str, &str); 5] = [
    ("typed", "TypedFunc::call of add: (i32, i32) -> i32"),
    ("untyped", "Func::call of add, preallocated Val slices"),
    (
        "host_typed",
        "TypedFunc::call of a wasm function calling a func_wrap host function",
    ),
    (
        "instantiate_pre",
        "InstancePre::instantiate in a new store, get_typed_func, call, drop",
    ),
    (
        "async_typed",
        "TypedFunc::call_async of add, the future polled to completion",
    ),
];
/// The two call counts of each mode (see the module's docs for why the
/// first is one).
const CALLS: [u64; 2] = [1, 40_000];
/// How far over its ceiling a count may be before the guard fails.
const TOLERANCE_PERCENT: f64 = 2.0;

/// `cargo xtask ceilings [--update]`.
pub fn command(args: &[String]) -> Result<()> {
    match args {
        [] => check(),
        [flag] if flag == "--update" => update(),
        _ => Err("usage: cargo xtask ceilings [--update]".to_string()),
    }
}

/// What the counts were (or are) measured with.
#[derive(Debug, PartialEq)]
struct Setup {
    library: String,
    rustc: String,
    target: String,
}

/// One line of the ceilings file.
#[derive(Debug, PartialEq)]
struct Ceiling {
    mode: String,
    ceiling: u64,
    measured: f64,
    date: String,
}

/// Measures every mode and compares it with the committed ceilings.
pub fn check() -> Result<()> {
    let started = Instant::now();
    let path = root().join(CEILINGS);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "{}: {e} (write it with `cargo xtask ceilings --update`)",
            path.display()
        )
    })?;
    let (committed_setup, ceilings) =
        parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let (setup, counts) = measure()?;
    let other_rustc = (setup.rustc != committed_setup.rustc).then(|| {
        format!(
            "the ceilings were measured with {}, this is {}",
            committed_setup.rustc, setup.rustc
        )
    });
    if setup.library != committed_setup.library || setup.target != committed_setup.target {
        return Err(format!(
            "{CEILINGS} was measured on {} ({}), this run measures {} ({}): \
             rewrite it with `cargo xtask ceilings --update` and commit it",
            committed_setup.library, committed_setup.target, setup.library, setup.target
        ));
    }
    eprintln!(
        "xtask: instructions per call on {} ({}; {}), ceilings from {CEILINGS}, \
         tolerance {TOLERANCE_PERCENT}%:",
        setup.library, setup.rustc, setup.target
    );
    if let Some(note) = &other_rustc {
        eprintln!("xtask: note: {note}");
    }
    let mut failures = Vec::new();
    for (mode, what) in MODES {
        let measured = counts
            .iter()
            .find(|(m, _)| *m == mode)
            .map(|(_, c)| *c)
            .expect("every mode is measured");
        let Some(c) = ceilings.iter().find(|c| c.mode == mode) else {
            failures.push(format!("{mode} ({what}): no ceiling in {CEILINGS}"));
            continue;
        };
        let over = (measured / c.ceiling as f64 - 1.0) * 100.0;
        let verdict = if over > TOLERANCE_PERCENT {
            failures.push(format!(
                "{mode} ({what}): {measured:.1} instructions per call, ceiling {} \
                 (set from {:.1} on {}): {over:.1}% over",
                c.ceiling, c.measured, c.date
            ));
            "FAIL"
        } else if over < -5.0 {
            "ok, well under: `cargo xtask ceilings --update` lowers the ceiling"
        } else {
            "ok"
        };
        eprintln!(
            "xtask:   {mode:<16} {measured:>9.1}  ceiling {:>6}  {over:>+6.1}%  {verdict}",
            c.ceiling
        );
    }
    eprintln!(
        "xtask: instruction-count guard took {:.1} s",
        started.elapsed().as_secs_f64()
    );
    if failures.is_empty() {
        return Ok(());
    }
    let mut message = format!(
        "instruction counts over their ceilings by more than {TOLERANCE_PERCENT}% ({CEILINGS}):"
    );
    for f in &failures {
        let _ = write!(message, "\n  {f}");
    }
    if let Some(note) = other_rustc {
        let _ = write!(
            message,
            "\n  ({note}: if the compiler alone moved the counts, `cargo xtask ceilings --update` \
             and commit the file)"
        );
    } else {
        let _ = write!(
            message,
            "\n  (find the change that added them: `cargo xtask bench` lists the instructions \
             per function; raise a ceiling only on purpose, with `cargo xtask ceilings --update`)"
        );
    }
    Err(message)
}

/// Measures every mode and rewrites the ceilings file from the figures.
fn update() -> Result<()> {
    let (setup, counts) = measure()?;
    let date = today();
    let mut text = String::new();
    let _ = writeln!(
        text,
        "# Instruction ceilings per call of the hot paths, checked at the end of\n\
         # `cargo xtask test` (xtask/src/callgrind_guard.rs): a path fails when its\n\
         # count under callgrind exceeds its ceiling by more than {TOLERANCE_PERCENT}%.\n\
         # Per call = (Ir at {} calls - Ir at {} calls) / {} of\n\
         # `callcount <mode> <n>` (benches/static-c, profile bench).\n\
         # Counts depend on the compiler and the library: these were measured with\n\
         # the setup below. Rewrite with `cargo xtask ceilings --update`.",
        CALLS[1],
        CALLS[0],
        CALLS[1] - CALLS[0]
    );
    let _ = writeln!(text, "library: {}", setup.library);
    let _ = writeln!(text, "rustc: {}", setup.rustc);
    let _ = writeln!(text, "target: {}", setup.target);
    let _ = writeln!(text, "# mode ceiling measured date");
    for (mode, count) in &counts {
        let _ = writeln!(text, "{mode} {} {count:.1} {date}", count.ceil() as u64);
    }
    let path = root().join(CEILINGS);
    std::fs::write(&path, &text).map_err(|e| format!("{}: {e}", path.display()))?;
    eprint!("xtask: wrote {}:\n{text}", path.display());
    Ok(())
}

/// Builds `callcount` (profile `bench`) and counts each mode's instructions
/// per call under callgrind, on the full library of [`MAJOR`].
fn measure() -> Result<(Setup, Vec<(&'static str, f64)>)> {
    let libs = artifacts::ensure_all()?;
    let full = libs.full(MAJOR);
    let env = |cmd: &mut Command| {
        libs.set_env(cmd);
        libs.set_round(cmd, MAJOR);
    };
    let setup = Setup {
        library: format!(
            "full {}",
            full.version.expect("official libraries have a version")
        ),
        rustc: rustc_version()?,
        target: format!("{}-{}", std::env::consts::ARCH, std::env::consts::OS),
    };
    // The same build as `cargo xtask bench`'s (same profile, same
    // variables), so the two share it.
    let mut build = cargo();
    build.current_dir(root()).args([
        "build",
        "--profile",
        "bench",
        "--package",
        "bench-static-c",
        "--bin",
        "callcount",
    ]);
    env(&mut build);
    run_cmd(&mut build)?;
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"));
    let exe = target.join("release").join("callcount");
    let out = target.join("callgrind-guard");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let mut counts = Vec::new();
    for (mode, _) in MODES {
        let mut totals = [0u64; 2];
        for (total, n) in totals.iter_mut().zip(CALLS) {
            let file = out.join(format!("callgrind.{mode}.{n}"));
            crate::callgrind::run(&exe, mode, n, &file, &env)?;
            *total = program_total(&file)?;
        }
        let per_call = (totals[1] as f64 - totals[0] as f64) / (CALLS[1] - CALLS[0]) as f64;
        counts.push((mode, per_call));
    }
    Ok((setup, counts))
}

/// The `totals:` line of a callgrind output file (instructions executed by
/// the whole program).
fn program_total(file: &Path) -> Result<u64> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    text.lines()
        .find_map(|l| l.strip_prefix("totals:"))
        .and_then(|t| t.split_whitespace().next())
        .and_then(|t| t.parse().ok())
        .ok_or_else(|| format!("{}: no `totals:` line", file.display()))
}

fn rustc_version() -> Result<String> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = Command::new(&rustc)
        .arg("--version")
        .output()
        .map_err(|e| format!("starting {}: {e}", rustc.to_string_lossy()))?;
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// Reads the ceilings file: `key: value` lines for the setup, then
/// `mode ceiling measured date` lines; `#` starts a comment line.
fn parse(text: &str) -> std::result::Result<(Setup, Vec<Ceiling>), String> {
    let mut library = None;
    let mut rustc = None;
    let mut target = None;
    let mut ceilings = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = || format!("line {}: cannot read `{line}`", i + 1);
        if let Some((key, value)) = line.split_once(": ") {
            let slot = match key {
                "library" => &mut library,
                "rustc" => &mut rustc,
                "target" => &mut target,
                _ => return Err(bad()),
            };
            *slot = Some(value.trim().to_string());
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [mode, ceiling, measured, date] = fields[..] else {
            return Err(bad());
        };
        ceilings.push(Ceiling {
            mode: mode.to_string(),
            ceiling: ceiling.parse().map_err(|_| bad())?,
            measured: measured.parse().map_err(|_| bad())?,
            date: date.to_string(),
        });
    }
    let missing = |what: &str| format!("no `{what}:` line");
    Ok((
        Setup {
            library: library.ok_or_else(|| missing("library"))?,
            rustc: rustc.ok_or_else(|| missing("rustc"))?,
            target: target.ok_or_else(|| missing("target"))?,
        },
        ceilings,
    ))
}

/// Today's date (UTC) as `YYYY-MM-DD`.
fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The proleptic Gregorian date of a count of days since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(20_791), (2026, 12, 4));
    }

    #[test]
    fn reads_the_file() {
        let text = "# c\nlibrary: full 48.0.0\nrustc: rustc 1.95.0 (x 2026)\n\
                    target: x86_64-linux\n# mode ceiling measured date\n\
                    typed 272 271.3 2026-12-04\n";
        let (setup, ceilings) = parse(text).unwrap();
        assert_eq!(setup.rustc, "rustc 1.95.0 (x 2026)");
        assert_eq!(
            ceilings,
            vec![Ceiling {
                mode: "typed".into(),
                ceiling: 272,
                measured: 271.3,
                date: "2026-12-04".into()
            }]
        );
        assert!(parse("library: full 48.0.0\ntyped 272\n").is_err());
        assert!(parse("typed 272 271.3 2026-12-04\n").is_err());
    }
}
