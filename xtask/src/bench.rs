//! `cargo xtask bench`: the benchmarks, run against the real libraries, and
//! `benches/RESULTS.md` written from that one run.
//!
//! Steps:
//! 1. the libraries (`cargo xtask artifacts`);
//! 2. building every benchmark binary (profile `bench`), the `wasmtime`
//!    crate included (`bench-wasmtime`), and the static C baseline linked
//!    against the full library (`benches/static-c`);
//! 3. the criterion benchmarks of the three packages (results read from
//!    `estimates.json`, median point estimates);
//! 4. `tests/alloc.rs` (heap allocations per typed call);
//! 5. the load comparison: whole processes started many times per mode
//!    (alone, for every major with builds: `cargo xtask bench load`);
//! 6. instruction counts under callgrind: each mode with two call counts,
//!    per call = difference of totals / difference of counts, and the same
//!    per function (where the instructions go);
//! 7. `benches/RESULTS.md`.
//!
//! Everything this run measures goes to `<target>/bench-run/` (removed
//! first, so no figure of an earlier run can be read back).

use crate::{artifacts, cargo, root, run as run_cmd, Result};

mod async_calls;
mod components;
mod min_recipe;
mod report;

use report::{ratio, show_ratio, Results, Target};

/// The Wasmtime version the benchmarks compare: the full library's, the
/// static link's and the `wasmtime` crate's (`bench-wasmtime`).
const WASMTIME_VERSION: &str = "48.0.0";
const BENCH_MAJOR: u32 = 48;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The two call counts of each callgrind mode.
const CALLS: [u64; 2] = [100_000, 200_000];
/// Processes and rounds per process of the interleaved timing.
const INTERLEAVED_PROCESSES: usize = 7;
const INTERLEAVED_ROUNDS: &str = "101";
/// Rounds of the load comparison; each round starts one process per mode.
const LOAD_ROUNDS: usize = 200;
/// Measurement seconds per criterion benchmark (see
/// `benches/common/criterion_config.rs`), unless `WASMTIME_DYN_BENCH_SECONDS`
/// says otherwise.
const CRITERION_SECONDS: &str = "2";

const FULL_VAR: &str = "WASMTIME_DYN_TEST_FULL";
const MIN_VAR: &str = "WASMTIME_DYN_TEST_MIN";

/// The targets of issue #5.
const TYPED_VS_STATIC: f64 = 1.02;
const TYPED_VS_CRATE: f64 = 1.15;
const UNTYPED_VS_TYPED: f64 = 1.5;
const HOST_VS_STATIC: f64 = 1.10;
const LOAD_VS_DLOPEN: f64 = 1.10;

pub fn run() -> Result<()> {
    let started = Instant::now();
    let libs = artifacts::ensure_all()?;
    libs.print();
    let mut probe = Command::new("true");
    libs.set_env(&mut probe);
    libs.set_round(&mut probe, BENCH_MAJOR);
    let lib_var = |var: &str| -> Result<PathBuf> {
        probe
            .get_envs()
            .find(|(k, _)| *k == var)
            .and_then(|(_, v)| v.map(PathBuf::from))
            .ok_or_else(|| format!("the artifacts did not provide {var}"))
    };
    let full = lib_var(FULL_VAR)?;
    let min = lib_var(MIN_VAR)?;
    let env = |cmd: &mut Command| {
        libs.set_env(cmd);
        libs.set_round(cmd, BENCH_MAJOR);
    };

    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"));
    let out = target.join("bench-run");
    let _ = fs::remove_dir_all(&out);
    fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let bin = target.join("release");

    // 2. Build.
    let build_started = Instant::now();
    let mut cmd = cargo();
    cmd.current_dir(root())
        .args(["build", "--profile", "bench", "--bins", "--bench", "*"])
        .args(["--test", "alloc"])
        .args(PACKAGES);
    env(&mut cmd);
    run_cmd(&mut cmd)?;
    let build_time = build_started.elapsed();

    // 3. Criterion.
    let criterion_started = Instant::now();
    let criterion = out.join("criterion");
    let mut cmd = cargo();
    cmd.current_dir(root())
        .args(["bench", "--bench", "*"])
        .args(PACKAGES)
        .env("CRITERION_HOME", &criterion)
        .env(
            "WASMTIME_DYN_BENCH_SECONDS",
            std::env::var("WASMTIME_DYN_BENCH_SECONDS").unwrap_or(CRITERION_SECONDS.into()),
        );
    env(&mut cmd);
    run_cmd(&mut cmd)?;
    let criterion_time = criterion_started.elapsed();

    // 4. Allocations.
    let alloc_report = out.join("alloc.txt");
    let mut cmd = cargo();
    cmd.current_dir(root())
        .args(["test", "--profile", "bench", "--test", "alloc"])
        .args(PACKAGES)
        .env("WASMTIME_DYN_ALLOC_REPORT", &alloc_report);
    env(&mut cmd);
    let alloc_test_passed = match run_cmd(&mut cmd) {
        Ok(()) => true,
        Err(e) => {
            eprintln!("xtask: the allocation test failed ({e}); recording its counts");
            false
        }
    };
    let allocations = read_alloc_report(&alloc_report);

    // 5. Load.
    let load = load_comparison(&bin.join("loadprobe"), &libs)?;

    // 6. Interleaved timing in one process, then callgrind.
    let same_copy = same_copy(&bin.join("callcount"), &env)?;
    eprintln!("xtask: interleaved timing, {INTERLEAVED_PROCESSES} processes");
    let interleaved = interleaved(&bin.join("callcount"), &env)?;
    let mut counts = Vec::new();
    for (exe, mode) in CALLGRIND_MODES {
        eprintln!("xtask: callgrind: {exe} {mode}");
        counts.push(callgrind(&bin.join(exe), mode, CALLS, &out, &env)?);
    }
    let component_counts = components::callgrind_all(&bin, &out, &env)?;
    eprintln!("xtask: typed calls on every supported major");
    let majors = per_major(&bin.join("callcount"), &out, &env, &lib_var)?;

    // 7. Write up.
    let machine = Machine::read();
    let results = Results {
        criterion: read_criterion(&criterion),
        interleaved,
        allocations,
        alloc_test_passed,
        load,
        counts,
        component_counts,
        majors,
        same_copy,
        full,
        min,
        machine,
        build_time,
        criterion_time,
        total_time: started.elapsed(),
    };
    let text = results.render();
    let path = root().join("benches/RESULTS.md");
    fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    crate::readme_results::sync()?;
    eprintln!(
        "xtask: wrote {} ({:.0} s in all)",
        path.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The three packages with benchmark code. Every cargo command below
/// selects all three, so that features resolve alike and nothing the first
/// command builds is built again by the others.
const PACKAGES: [&str; 6] = [
    "--package",
    "wasmtime-dyn",
    "--package",
    "bench-static-c",
    "--package",
    "bench-wasmtime",
];

/// Callgrind modes: (binary, mode). See the binaries' documentation.
const CALLGRIND_MODES: [(&str, &str); 17] = [
    ("callcount", "typed"),
    ("callcount", "typed_min"),
    ("callcount", "static_c"),
    ("callcount-wasmtime", "typed"),
    ("callcount", "untyped"),
    ("callcount-wasmtime", "untyped"),
    ("callcount", "raw_checked"),
    ("callcount", "host_typed"),
    ("callcount", "host_static_c"),
    ("callcount-wasmtime", "host_typed"),
    ("callcount", "instantiate_pre"),
    ("callcount-wasmtime", "instantiate_pre"),
    // The async section (`bench/async_calls.rs`).
    ("callcount", "async_typed"),
    ("callcount", "async_untyped"),
    ("callcount", "async_raw"),
    ("callcount-wasmtime", "async_typed"),
    ("callcount-wasmtime", "async_untyped"),
];

/// A criterion result: median and its confidence interval, ns.
#[derive(Clone, Copy)]
struct Estimate {
    median: f64,
    lower: f64,
    upper: f64,
}

fn read_criterion(dir: &Path) -> BTreeMap<(String, String), Estimate> {
    let mut found = BTreeMap::new();
    let Ok(groups) = fs::read_dir(dir) else {
        return found;
    };
    for group in groups.flatten() {
        let Ok(ids) = fs::read_dir(group.path()) else {
            continue;
        };
        for id in ids.flatten() {
            let file = id.path().join("new/estimates.json");
            let Ok(text) = fs::read_to_string(&file) else {
                continue;
            };
            let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
                continue;
            };
            let median = &json["median"];
            let (Some(m), Some(l), Some(u)) = (
                median["point_estimate"].as_f64(),
                median["confidence_interval"]["lower_bound"].as_f64(),
                median["confidence_interval"]["upper_bound"].as_f64(),
            ) else {
                continue;
            };
            let key = (
                group.file_name().to_string_lossy().into_owned(),
                id.file_name().to_string_lossy().into_owned(),
            );
            found.insert(
                key,
                Estimate {
                    median: m,
                    lower: l,
                    upper: u,
                },
            );
        }
    }
    found
}

/// `(path, library) -> (allocations, calls)` from the allocation test.
fn read_alloc_report(file: &Path) -> BTreeMap<(String, String), (u64, u64)> {
    let text = fs::read_to_string(file).unwrap_or_default();
    text.lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            match f.as_slice() {
                [path, lib, n, calls] => Some((
                    (path.to_string(), lib.to_string()),
                    (n.parse().ok()?, calls.parse().ok()?),
                )),
                _ => None,
            }
        })
        .collect()
}

/// Medians of whole-process wall time per load mode.
struct Load {
    rounds: usize,
    /// The majors compared, each with its full and minimal library (modes
    /// `dlopen full <major>`, `open min <major>`...).
    majors: Vec<u32>,
    /// (mode label, median)
    medians: Vec<(String, Duration)>,
}

impl Load {
    fn get(&self, label: &str) -> Option<Duration> {
        self.medians
            .iter()
            .find(|(l, _)| *l == label)
            .map(|(_, d)| *d)
    }
}

/// The load comparison of the full and the minimal library of every major
/// with builds ([`artifacts::BUILDS`]), all modes interleaved in one run.
fn load_comparison(probe: &Path, libs: &artifacts::Libraries) -> Result<Load> {
    let mut pairs = Vec::new();
    for build in artifacts::BUILDS {
        let min = libs
            .find("min", build.major)
            .ok_or(format!("BUILDS lists no minimal build of {}", build.major))?;
        pairs.push((
            build.major,
            libs.full(build.major).path.clone(),
            min.path.clone(),
        ));
    }
    let mut modes = vec![("exit".to_string(), "exit", None)];
    for (major, full, min) in &pairs {
        modes.extend(load_modes(full, min, &format!(" {major}")));
    }
    eprintln!(
        "xtask: load comparison, {LOAD_ROUNDS} rounds of {} modes (RUST_BACKTRACE={})",
        modes.len(),
        std::env::var("RUST_BACKTRACE").unwrap_or_else(|_| "unset".into())
    );
    let mut load = load_runs(probe, &modes, LOAD_ROUNDS)?;
    load.majors = pairs.iter().map(|(major, ..)| *major).collect();
    Ok(load)
}

/// The four load modes of a full and a minimal library, their labels
/// (`open full`...) followed by `suffix`.
fn load_modes<'a>(
    full: &'a Path,
    min: &'a Path,
    suffix: &str,
) -> [(String, &'static str, Option<&'a Path>); 4] {
    [
        (format!("dlopen full{suffix}"), "dlopen", Some(full)),
        (format!("open full{suffix}"), "open", Some(full)),
        (format!("dlopen min{suffix}"), "dlopen", Some(min)),
        (format!("open min{suffix}"), "open", Some(min)),
    ]
}

/// Starts `loadprobe` `rounds` times per mode (label, probe mode,
/// library), the modes interleaved in an order rotating every round, after
/// five warm-up starts of each; the median wall time per mode.
fn load_runs(
    probe: &Path,
    modes: &[(String, &'static str, Option<&Path>)],
    rounds: usize,
) -> Result<Load> {
    let start = |mode: &str, lib: Option<&Path>| -> Result<Duration> {
        let mut cmd = Command::new(probe);
        cmd.arg(mode);
        if let Some(lib) = lib {
            cmd.arg(lib);
        }
        cmd.stdout(Stdio::null()).stderr(Stdio::null());
        let t = Instant::now();
        let status = cmd
            .status()
            .map_err(|e| format!("starting {}: {e}", probe.display()))?;
        let elapsed = t.elapsed();
        if !status.success() {
            return Err(format!("{cmd:?} failed with {status}"));
        }
        Ok(elapsed)
    };
    // Warm the page cache and the binary.
    for _ in 0..5 {
        for (_, mode, lib) in modes {
            start(mode, *lib)?;
        }
    }
    let mut samples = vec![Vec::with_capacity(rounds); modes.len()];
    for round in 0..rounds {
        // Rotate the order so no mode always runs right after another.
        for k in 0..modes.len() {
            let i = (round + k) % modes.len();
            let (_, mode, lib) = &modes[i];
            samples[i].push(start(mode, *lib)?);
        }
    }
    let medians = modes
        .iter()
        .zip(samples)
        .map(|((label, _, _), mut s)| {
            s.sort();
            (label.clone(), s[s.len() / 2])
        })
        .collect();
    Ok(Load {
        rounds,
        majors: Vec::new(),
        medians,
    })
}

/// `cargo xtask bench load`: the load comparison alone, for the full and
/// the minimal library of every major with builds ([`artifacts::BUILDS`]),
/// all modes interleaved in one run; prints each mode's median and, per
/// major, `Wasmtime::open` / `dlopen` against the target.
pub fn load_command() -> Result<()> {
    let libs = artifacts::ensure_all()?;
    let mut cmd = cargo();
    cmd.current_dir(root()).args([
        "build",
        "--profile",
        "bench",
        "--package",
        "bench-static-c",
        "--bin",
        "loadprobe",
    ]);
    libs.set_env(&mut cmd);
    libs.set_round(&mut cmd, BENCH_MAJOR);
    run_cmd(&mut cmd)?;
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"));
    let probe = target.join("release").join("loadprobe");
    let load = load_comparison(&probe, &libs)?;
    let ms = |d: Duration| format!("{:.3} ms", d.as_secs_f64() * 1e3);
    println!("| mode | median | minus `exit` |");
    println!("|---|---:|---:|");
    let exit = load.get("exit");
    for (label, d) in &load.medians {
        println!(
            "| {label} | {} | {} |",
            ms(*d),
            exit.map_or("n/a".into(), |e| ms(d.saturating_sub(e)))
        );
    }
    println!();
    println!("| `Wasmtime::open` / `dlopen`, whole process | ratio | target | |");
    println!("|---|---:|---:|---|");
    let mut missed = Vec::new();
    for major in &load.majors {
        for flavour in ["full", "min"] {
            let secs = |mode: &str| {
                load.get(&format!("{mode} {flavour} {major}"))
                    .map(|d| d.as_secs_f64())
            };
            let r = ratio(secs("open"), secs("dlopen"));
            let met = r.is_some_and(|r| r <= LOAD_VS_DLOPEN);
            if !met {
                missed.push(format!("{flavour} {major}"));
            }
            println!(
                "| {flavour} {major} | {} | ≤ {LOAD_VS_DLOPEN:.2}x | {} |",
                show_ratio(r),
                if met { "met" } else { "missed" }
            );
        }
    }
    if missed.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "Wasmtime::open / dlopen over {LOAD_VS_DLOPEN}x: {}",
            missed.join(", ")
        ))
    }
}

/// Whether the linked and the opened library are one copy, and what the
/// check printed.
fn same_copy(callcount: &Path, env: &dyn Fn(&mut Command)) -> Result<(Option<bool>, String)> {
    let mut cmd = Command::new(callcount);
    cmd.arg("same-copy");
    env(&mut cmd);
    let output = cmd
        .output()
        .map_err(|e| format!("starting {}: {e}", callcount.display()))?;
    let text = String::from_utf8_lossy(&output.stdout).trim().to_string();
    let verdict = match output.status.code() {
        Some(0) => Some(true),
        Some(1) => Some(false),
        _ => None,
    };
    let text = if verdict.is_none() {
        String::from_utf8_lossy(&output.stderr).trim().to_string()
    } else {
        text
    };
    Ok((verdict, text))
}

/// Runs `callcount <mode> INTERLEAVED_ROUNDS` in several processes (the
/// code and data addresses differ from process to process, and with them
/// the timing of calls this short) and collects its `<name> <ns>` lines:
/// name -> each process's median.
fn medians_by_name(
    callcount: &Path,
    mode: &str,
    env: &dyn Fn(&mut Command),
) -> Result<BTreeMap<String, Vec<f64>>> {
    let mut found: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for _ in 0..INTERLEAVED_PROCESSES {
        let mut cmd = Command::new(callcount);
        cmd.args([mode, INTERLEAVED_ROUNDS]);
        env(&mut cmd);
        let output = cmd
            .output()
            .map_err(|e| format!("starting {}: {e}", callcount.display()))?;
        if !output.status.success() {
            return Err(format!(
                "{cmd:?} failed with {}: {}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        for line in String::from_utf8_lossy(&output.stdout).lines() {
            if let Some((name, ns)) = line.split_once(' ') {
                if let Ok(ns) = ns.trim().parse::<f64>() {
                    found.entry(name.to_string()).or_default().push(ns);
                }
            }
        }
    }
    Ok(found)
}

/// `callcount interleaved`: `group/variant` -> each process's median.
fn interleaved(callcount: &Path, env: &dyn Fn(&mut Command)) -> Result<BTreeMap<String, Vec<f64>>> {
    medians_by_name(callcount, "interleaved", env)
}

/// One supported major's typed-call figures: the major, its full library,
/// each process's median ns per call, and the callgrind count.
type MajorRow = (u32, PathBuf, Vec<f64>, Count);

/// `TypedFunc::call` of `add` on the full library of each supported major:
/// `callcount majors` (all majors in one process, interleaved) in several
/// processes, and `callcount typed` under callgrind with each major's
/// library as the benchmark's full library.
fn per_major(
    callcount: &Path,
    out: &Path,
    env: &dyn Fn(&mut Command),
    lib_var: &dyn Fn(&str) -> Result<PathBuf>,
) -> Result<Vec<MajorRow>> {
    let times: BTreeMap<u32, Vec<f64>> = medians_by_name(callcount, "majors", env)?
        .into_iter()
        .filter_map(|(major, samples)| Some((major.parse().ok()?, samples)))
        .collect();
    let mut rows = Vec::new();
    for (major, samples) in times {
        let lib = lib_var(&format!("WASMTIME_DYN_TEST_LIB_FULL_{major}"))?;
        let dir = out.join(format!("major-{major}"));
        fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let with_major = |cmd: &mut Command| {
            env(cmd);
            cmd.env(FULL_VAR, &lib);
        };
        eprintln!("xtask: callgrind: callcount typed on Wasmtime {major}");
        let count = callgrind(callcount, "typed", CALLS, &dir, &with_major)?;
        rows.push((major, lib, samples, count));
    }
    Ok(rows)
}

fn median_of(values: &[f64]) -> Option<f64> {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied()
}

/// Instruction counts of one callgrind mode.
struct Count {
    exe: &'static str,
    mode: &'static str,
    /// The two call counts.
    calls: [u64; 2],
    totals: [u64; 2],
    /// Self instructions per call, by function, where not zero.
    per_function: Vec<(String, f64)>,
}

impl Count {
    fn per_call(&self) -> f64 {
        (self.totals[1] as f64 - self.totals[0] as f64) / (self.calls[1] - self.calls[0]) as f64
    }

    fn label(&self) -> String {
        match self.exe {
            "callcount-wasmtime" => format!("wasmtime_crate ({})", self.mode),
            _ => self.mode.to_string(),
        }
    }

    /// Instructions per call spent in allocator functions.
    fn allocator(&self) -> f64 {
        self.per_function
            .iter()
            .filter(|(name, _)| is_allocator(name))
            .map(|(_, n)| n)
            .sum::<f64>()
            + 0.0 // an empty sum is -0.0
    }
}

fn is_allocator(function: &str) -> bool {
    let name = function.split(" [").next().unwrap_or(function);
    let name = name.split(" (").next().unwrap_or(name);
    [
        "malloc",
        "calloc",
        "realloc",
        "free",
        "__rust_alloc",
        "__rust_dealloc",
        "__rust_realloc",
        "__rdl_alloc",
        "__rdl_dealloc",
        "__rdl_realloc",
    ]
    .iter()
    .any(|a| {
        name == *a
            || name.ends_with(&format!("_{a}"))
            || name.ends_with(&format!("::{a}"))
            || name.starts_with(&format!("__libc_{a}"))
    })
}

fn callgrind(
    exe: &Path,
    mode: &'static str,
    calls: [u64; 2],
    out: &Path,
    env: &dyn Fn(&mut Command),
) -> Result<Count> {
    let exe_name = exe
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("?")
        .to_string();
    let exe_label: &'static str = match exe_name.as_str() {
        "callcount" => "callcount",
        "ccount" => "ccount",
        "ccount-wasmtime" => "ccount-wasmtime",
        _ => "callcount-wasmtime",
    };
    let mut profiles = Vec::new();
    for n in calls {
        let file = out.join(format!("callgrind.{exe_name}.{mode}.{n}"));
        crate::callgrind::run(exe, mode, n, &file, env)?;
        profiles.push(annotate(&file)?);
    }
    let difference = (calls[1] - calls[0]) as f64;
    let (small, large) = (&profiles[0], &profiles[1]);
    let mut per_function: Vec<(String, f64)> = large
        .1
        .keys()
        .chain(small.1.keys())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(|name| {
            let a = small.1.get(name).copied().unwrap_or(0) as f64;
            let b = large.1.get(name).copied().unwrap_or(0) as f64;
            (name.clone(), (b - a) / difference)
        })
        .filter(|(_, n)| n.abs() >= 0.05)
        .collect();
    per_function.sort_by(|a, b| b.1.total_cmp(&a.1));
    Ok(Count {
        exe: exe_label,
        mode,
        calls,
        totals: [small.0, large.0],
        per_function,
    })
}

/// The program total and the self instructions per function (by name and
/// object, every source file of the function summed) of a callgrind file.
fn annotate(file: &Path) -> Result<(u64, BTreeMap<String, u64>)> {
    let output = Command::new("callgrind_annotate")
        .args(["--threshold=100", "--show-percs=no", "--auto=no"])
        .arg(file)
        .output()
        .map_err(|e| format!("starting callgrind_annotate: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "callgrind_annotate {} failed: {}",
            file.display(),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let number = |s: &str| s.replace(',', "").parse::<u64>().ok();
    let mut total = None;
    let mut functions = BTreeMap::new();
    let mut in_functions = false;
    for line in text.lines() {
        let line = line.trim();
        if line.ends_with("PROGRAM TOTALS") {
            total = line.split_whitespace().next().and_then(number);
            continue;
        }
        if line.contains("file:function") {
            in_functions = true;
            continue;
        }
        if !in_functions || line.is_empty() || line.starts_with("--") {
            continue;
        }
        let Some((count, rest)) = line.split_once(char::is_whitespace) else {
            continue;
        };
        let Some(count) = number(count) else {
            continue;
        };
        let rest = rest.trim();
        // `file:function [object]`: drop the source file, keep the object's
        // file name.
        let (location, object) = match rest.rsplit_once(" [") {
            Some((l, o)) => (l, o.trim_end_matches(']')),
            None => (rest, ""),
        };
        // The source file says which inlined code of a function the
        // instructions belong to (`typed.rs` or `store.rs` of the caller's
        // loop, say): kept as a suffix where known.
        let (file, function) = location.split_once(':').unwrap_or(("???", location));
        let file = Path::new(file)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .filter(|n| n != "???")
            .unwrap_or_default();
        let function = if file.is_empty() {
            function.to_string()
        } else {
            format!("{function} ({file})")
        };
        let object = Path::new(object)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let key = if object.is_empty() {
            function.to_string()
        } else {
            format!("{function} [{object}]")
        };
        *functions.entry(key).or_insert(0) += count;
    }
    let total = total.ok_or_else(|| format!("no PROGRAM TOTALS in {}", file.display()))?;
    Ok((total, functions))
}

struct Machine {
    cpu: String,
    cores: usize,
    kernel: String,
    rustc: String,
}

impl Machine {
    fn read() -> Machine {
        let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find(|l| l.starts_with("model name"))
            .and_then(|l| l.split_once(':'))
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_else(|| "unknown".into());
        let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
        let output = |cmd: &mut Command| {
            cmd.output()
                .ok()
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
                .unwrap_or_else(|| "unknown".into())
        };
        Machine {
            cpu,
            cores,
            kernel: output(Command::new("uname").args(["-sr"])),
            rustc: output(Command::new("rustc").arg("--version")),
        }
    }
}
