//! `benches/RESULTS.md` written from one run's measurements: the targets
//! table, each section's figures and where the instructions go.

use super::*;

pub(super) struct Results {
    pub(super) criterion: BTreeMap<(String, String), Estimate>,
    /// `group/variant` -> per-process medians, ns per call.
    pub(super) interleaved: BTreeMap<String, Vec<f64>>,
    pub(super) allocations: BTreeMap<(String, String), (u64, u64)>,
    pub(super) alloc_test_passed: bool,
    pub(super) load: Load,
    pub(super) counts: Vec<Count>,
    /// The component calls' counts (`ccount`, `ccount-wasmtime`).
    pub(super) component_counts: Vec<Count>,
    /// Per supported major: the full library, the interleaved medians of
    /// each process, and the callgrind count of `typed`.
    pub(super) majors: Vec<MajorRow>,
    pub(super) same_copy: (Option<bool>, String),
    pub(super) full: PathBuf,
    pub(super) min: PathBuf,
    pub(super) machine: Machine,
    pub(super) build_time: Duration,
    pub(super) criterion_time: Duration,
    pub(super) total_time: Duration,
}

/// One row of the targets table.
pub(super) struct Target {
    pub(super) what: String,
    pub(super) measured: Option<f64>,
    /// Infinite for a ratio reported without a target.
    pub(super) limit: f64,
    pub(super) basis: &'static str,
}

impl Target {
    pub(super) fn met(&self) -> Option<bool> {
        if !self.limit.is_finite() {
            return None;
        }
        self.measured.map(|m| m <= self.limit)
    }

    /// The target and verdict cells.
    pub(super) fn verdict(&self) -> (String, &'static str) {
        if !self.limit.is_finite() {
            return ("none".into(), "reported");
        }
        let verdict = match self.met() {
            Some(true) => "met",
            Some(false) => "**missed**",
            None => "not measured",
        };
        (format!("≤ {:.2}x", self.limit), verdict)
    }
}

fn ns(v: f64) -> String {
    if v < 1_000.0 {
        format!("{v:.1} ns")
    } else if v < 1_000_000.0 {
        format!("{:.2} µs", v / 1_000.0)
    } else {
        format!("{:.2} ms", v / 1_000_000.0)
    }
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1_000.0)
}

pub(super) fn ratio(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => Some(a / b),
        _ => None,
    }
}

pub(super) fn show_ratio(r: Option<f64>) -> String {
    r.map_or("n/a".into(), |r| format!("{r:.3}x"))
}

impl Results {
    pub(super) fn median(&self, group: &str, id: &str) -> Option<f64> {
        self.criterion
            .get(&(group.to_string(), id.to_string()))
            .map(|e| e.median)
    }

    pub(super) fn cell(&self, group: &str, id: &str) -> String {
        match self.criterion.get(&(group.to_string(), id.to_string())) {
            Some(e) => format!("{} ({}–{})", ns(e.median), ns(e.lower), ns(e.upper)),
            None => "not measured".into(),
        }
    }

    /// The interleaved timing: median over the processes.
    pub(super) fn inter(&self, group: &str, id: &str) -> Option<f64> {
        self.interleaved
            .get(&format!("{group}/{id}"))
            .and_then(|v| median_of(v))
    }

    pub(super) fn count(&self, exe: &str, mode: &str) -> Option<&Count> {
        self.counts.iter().find(|c| c.exe == exe && c.mode == mode)
    }

    pub(super) fn ir(&self, exe: &str, mode: &str) -> Option<f64> {
        self.count(exe, mode).map(Count::per_call)
    }

    pub(super) fn targets(&self) -> Vec<Target> {
        let mut t = Vec::new();
        for f in ["nop", "add", "mixed"] {
            let g = format!("call_{f}");
            t.push(Target {
                what: format!("typed / static C, `{f}`"),
                measured: ratio(self.median(&g, "typed"), self.median(&g, "static_c")),
                limit: TYPED_VS_STATIC,
                basis: "time",
            });
        }
        for f in ["nop", "add", "mixed"] {
            let g = format!("call_{f}");
            t.push(Target {
                what: format!("typed / static C, `{f}`"),
                measured: ratio(self.inter(&g, "typed"), self.inter(&g, "static_c")),
                limit: TYPED_VS_STATIC,
                basis: "time, interleaved",
            });
        }
        t.push(Target {
            what: "typed / static C, `add`".into(),
            measured: ratio(
                self.ir("callcount", "typed"),
                self.ir("callcount", "static_c"),
            ),
            limit: TYPED_VS_STATIC,
            basis: "instructions",
        });
        for f in ["nop", "add", "mixed"] {
            let g = format!("call_{f}");
            t.push(Target {
                what: format!("typed / wasmtime crate, `{f}`"),
                measured: ratio(self.median(&g, "typed"), self.median(&g, "wasmtime_crate")),
                limit: TYPED_VS_CRATE,
                basis: "time",
            });
        }
        t.push(Target {
            what: "typed / wasmtime crate, `add`".into(),
            measured: ratio(
                self.ir("callcount", "typed"),
                self.ir("callcount-wasmtime", "typed"),
            ),
            limit: TYPED_VS_CRATE,
            basis: "instructions",
        });
        for f in ["nop", "add", "mixed"] {
            let g = format!("call_{f}");
            t.push(Target {
                what: format!("untyped / typed, `{f}`"),
                measured: ratio(self.median(&g, "untyped"), self.median(&g, "typed")),
                limit: UNTYPED_VS_TYPED,
                basis: "time",
            });
        }
        t.push(Target {
            what: "untyped / typed, `add`".into(),
            measured: ratio(
                self.inter("call_add", "untyped"),
                self.inter("call_add", "typed"),
            ),
            limit: UNTYPED_VS_TYPED,
            basis: "time, interleaved",
        });
        t.push(Target {
            what: "untyped / typed, `add`".into(),
            measured: ratio(
                self.ir("callcount", "untyped"),
                self.ir("callcount", "typed"),
            ),
            limit: UNTYPED_VS_TYPED,
            basis: "instructions",
        });
        t.push(Target {
            what: "untyped / wasmtime crate untyped, `add`".into(),
            measured: ratio(
                self.ir("callcount", "untyped"),
                self.ir("callcount-wasmtime", "untyped"),
            ),
            limit: 1.0,
            basis: "instructions",
        });
        t.push(Target {
            what: "host round trip / static C host, `call_host`".into(),
            measured: ratio(
                self.median("host_call", "typed"),
                self.median("host_call", "static_c"),
            ),
            limit: HOST_VS_STATIC,
            basis: "time",
        });
        t.push(Target {
            what: "host round trip / static C host, `host_loop` (100 host calls)".into(),
            measured: ratio(
                self.median("host_loop100", "typed"),
                self.median("host_loop100", "static_c"),
            ),
            limit: HOST_VS_STATIC,
            basis: "time",
        });
        for (g, what) in [
            ("host_call", "`call_host`"),
            ("host_loop100", "`host_loop` (100 host calls)"),
        ] {
            t.push(Target {
                what: format!("host round trip / static C host, {what}"),
                measured: ratio(self.inter(g, "typed"), self.inter(g, "static_c")),
                limit: HOST_VS_STATIC,
                basis: "time, interleaved",
            });
        }
        t.push(Target {
            what: "host round trip / static C host, `call_host`".into(),
            measured: ratio(
                self.ir("callcount", "host_typed"),
                self.ir("callcount", "host_static_c"),
            ),
            limit: HOST_VS_STATIC,
            basis: "instructions",
        });
        let secs = |label: &str| self.load.get(label).map(|d| d.as_secs_f64());
        for major in &self.load.majors {
            for flavour in ["full", "min"] {
                t.push(Target {
                    what: format!(
                        "`Wasmtime::open` / `dlopen`, {flavour} library of {major}, whole process"
                    ),
                    measured: ratio(
                        secs(&format!("open {flavour} {major}")),
                        secs(&format!("dlopen {flavour} {major}")),
                    ),
                    limit: LOAD_VS_DLOPEN,
                    basis: "time",
                });
            }
        }
        t.extend(components::targets(self));
        t.extend(min_recipe::targets(self));
        t.extend(async_calls::targets(self));
        t
    }

    pub(super) fn render(&self) -> String {
        let mut s = String::new();
        let w = &mut s;
        let _ = writeln!(w, "# Benchmark results\n");
        let _ = writeln!(
            w,
            "Written by `cargo xtask bench` from one run ({:.0} s in all: building {:.0} s, \
             criterion {:.0} s). Do not edit: run the command again. Every figure and ratio \
             below comes from that run.\n",
            self.total_time.as_secs_f64(),
            self.build_time.as_secs_f64(),
            self.criterion_time.as_secs_f64()
        );

        let _ = writeln!(w, "## Machine and libraries\n");
        let m = &self.machine;
        let _ = writeln!(w, "- CPU: {} ({} logical cores)", m.cpu, m.cores);
        let _ = writeln!(w, "- System: {}; {}", m.kernel, m.rustc);
        let _ = writeln!(
            w,
            "- full: `{}` (Wasmtime {WASMTIME_VERSION}, the official release library, GC layout)",
            self.full.display()
        );
        let _ = writeln!(
            w,
            "- min: `{}` (Wasmtime {WASMTIME_VERSION} without compiler, built by `cargo xtask artifacts`; \
             modules precompiled by full with `precompile_for`)",
            self.min.display()
        );
        let _ = writeln!(
            w,
            "- static C baseline (`benches/static-c`): `#[link(name = \"wasmtime\")]` against the full \
             library's directory, rpath to it. In one process with wasmtime-dyn: {}",
            match self.same_copy.0 {
                Some(true) => format!("one copy ({}).", self.same_copy.1),
                Some(false) => format!("TWO copies ({}).", self.same_copy.1),
                None => format!("not checked ({}).", self.same_copy.1),
            }
        );
        let _ = writeln!(
            w,
            "- wasmtime crate (`bench-wasmtime`): `wasmtime = \"={WASMTIME_VERSION}\"`, \
             features `cranelift`, `runtime`, `wat`, `std`, `gc`, `gc-drc`, `Engine::default()`.\n"
        );

        let _ = writeln!(w, "## Targets\n");
        let _ = writeln!(w, "| ratio | basis | measured | target | verdict |");
        let _ = writeln!(w, "|---|---|---:|---:|---|");
        let targets = self.targets();
        for t in &targets {
            let (target, verdict) = t.verdict();
            let _ = writeln!(
                w,
                "| {} | {} | {} | {target} | {verdict} |",
                t.what,
                t.basis,
                show_ratio(t.measured),
            );
        }
        let typed_allocs: Vec<String> = ["full", "min"]
            .iter()
            .map(|lib| {
                match self
                    .allocations
                    .get(&("typed_call".to_string(), lib.to_string()))
                {
                    Some((n, calls)) => format!("{lib}: {n} in {calls}"),
                    None => format!("{lib}: not measured"),
                }
            })
            .collect();
        let allocs_zero = ["full", "min"].iter().all(|lib| {
            self.allocations
                .get(&("typed_call".to_string(), lib.to_string()))
                .is_some_and(|(n, _)| *n == 0)
        });
        let _ = writeln!(
            w,
            "| allocations per typed call (wasmtime-dyn's, after warm-up) | count | {} | 0 | {} |",
            typed_allocs.join("; "),
            if allocs_zero && self.alloc_test_passed {
                "met"
            } else {
                "**missed**"
            }
        );
        let malloc = self.count("callcount", "typed").map(Count::allocator);
        let _ = writeln!(
            w,
            "| instructions per typed call in `malloc`/`free` (whole process, libwasmtime too; under 1 counts as none, see below) | instructions | {} | 0 | {} |",
            malloc.map_or("n/a".into(), |m| format!("{m:.2}")),
            match malloc {
                Some(m) if m.abs() < 1.0 => "met",
                Some(_) => "**missed**",
                None => "not measured",
            }
        );
        let _ = writeln!(
            w,
            "\nBases: \"time\": criterion medians, each variant measured in its own benchmark \
             binary (wasmtime-dyn's in `calls`, the static C baseline in `static_c`, the \
             wasmtime crate in `wasmtime_crate`); \"time, interleaved\": wasmtime-dyn and the \
             static baseline alternating in one process (section below), which removes the \
             differences between binaries and between moments of the run; \"instructions\": \
             callgrind counts per call, deterministic. Calls take about 10 ns here, so 2% is \
             0.2 ns, under a cycle: only the instruction count resolves the 1.02x target \
             reliably; the time ratios of separate binaries move by several percent from run \
             to run.\n"
        );

        let _ = writeln!(w, "## Call overhead\n");
        let _ = writeln!(
            w,
            "Criterion median per call (95% confidence interval of the median). `typed`: \
             `TypedFunc::call`; `untyped`: `Func::call` with preallocated `Val` arrays; \
             `raw_checked`: `wasmtime_func_call` through `wasmtime.core()` with `wasmtime_val_t` \
             arrays (GC layout); `static_c`: `wasmtime_func_call_unchecked` linked at build time; \
             `wasmtime_crate`: the wasmtime crate's `TypedFunc::call`; `typed_min`: \
             `TypedFunc::call` on the minimal library.\n"
        );
        let ids = [
            "typed",
            "untyped",
            "raw_checked",
            "static_c",
            "wasmtime_crate",
            "typed_min",
        ];
        let _ = writeln!(w, "| function | {} |", ids.join(" | "));
        let _ = writeln!(w, "|---|{}", "---:|".repeat(ids.len()));
        for (f, sig) in [
            ("nop", "() -> ()"),
            ("add", "(i32, i32) -> i32"),
            ("mixed", "(i32, i64, f32, f64) -> f64"),
        ] {
            let g = format!("call_{f}");
            let cells: Vec<String> = ids.iter().map(|id| self.cell(&g, id)).collect();
            let _ = writeln!(w, "| `{f}` {sig} | {} |", cells.join(" | "));
        }
        let _ = writeln!(w);
        let _ = writeln!(w, "| ratio | `nop` | `add` | `mixed` |");
        let _ = writeln!(w, "|---|---:|---:|---:|");
        for (label, a, b) in [
            ("typed / static_c", "typed", "static_c"),
            ("typed / wasmtime_crate", "typed", "wasmtime_crate"),
            ("untyped / typed", "untyped", "typed"),
            ("raw_checked / static_c", "raw_checked", "static_c"),
            ("typed_min / typed", "typed_min", "typed"),
        ] {
            let cells: Vec<String> = ["nop", "add", "mixed"]
                .iter()
                .map(|f| {
                    let g = format!("call_{f}");
                    show_ratio(ratio(self.median(&g, a), self.median(&g, b)))
                })
                .collect();
            let _ = writeln!(w, "| {label} | {} |", cells.join(" | "));
        }

        let _ = writeln!(w, "\n## Host round trip\n");
        let _ = writeln!(
            w,
            "`call_host`: one call into wasm that calls `host.inc: (i32) -> i32` once. \
             `host_loop`: one call into wasm that calls it 100 times (the per-host-call cost \
             is about a hundredth). `typed`: `TypedFunc::call`, host closure from \
             `Linker::func_wrap`; `untyped`: `Func::call`, host closure from `Linker::func_new`; \
             `raw_checked`: `wasmtime_func_call`, C callback; `static_c`: linked \
             `wasmtime_func_call_unchecked`, C callback defined with \
             `wasmtime_linker_define_func_unchecked`; `wasmtime_crate`: `TypedFunc::call`, \
             `Linker::func_wrap`.\n"
        );
        let ids = [
            "typed",
            "untyped",
            "raw_checked",
            "static_c",
            "wasmtime_crate",
        ];
        let _ = writeln!(w, "| | {} | typed / static_c |", ids.join(" | "));
        let _ = writeln!(w, "|---|{}---:|", "---:|".repeat(ids.len()));
        for (g, label) in [
            ("host_call", "`call_host`"),
            ("host_loop100", "`host_loop` (100)"),
        ] {
            let cells: Vec<String> = ids.iter().map(|id| self.cell(g, id)).collect();
            let _ = writeln!(
                w,
                "| {label} | {} | {} |",
                cells.join(" | "),
                show_ratio(ratio(self.median(g, "typed"), self.median(g, "static_c")))
            );
        }

        let _ = writeln!(w, "\n## Interleaved timing in one process\n");
        let _ = writeln!(
            w,
            "`callcount interleaved {INTERLEAVED_ROUNDS}` (`benches/static-c/src/bin/callcount.rs`): \
             wasmtime-dyn and the static C baseline in one process (one library copy), \
             {INTERLEAVED_ROUNDS} rounds each running a block of calls of every variant in \
             rotating order; each process reports its median per call. Run in \
             {INTERLEAVED_PROCESSES} processes, since code and stack addresses (and with them \
             the timing of calls this short) change from process to process; the figure is \
             the median of the processes' medians.\n"
        );
        let _ = writeln!(w, "| variant | median | per process |");
        let _ = writeln!(w, "|---|---:|---|");
        for (name, values) in &self.interleaved {
            let all: Vec<String> = values.iter().map(|v| format!("{v:.1}")).collect();
            let _ = writeln!(
                w,
                "| {name} | {} | {} |",
                median_of(values).map_or("n/a".into(), ns),
                all.join(", ")
            );
        }
        let _ = writeln!(w);
        let _ = writeln!(w, "| ratio | median |");
        let _ = writeln!(w, "|---|---:|");
        for (g, a, b) in [
            ("call_nop", "typed", "static_c"),
            ("call_add", "typed", "static_c"),
            ("call_mixed", "typed", "static_c"),
            ("call_add", "untyped", "typed"),
            ("host_call", "typed", "static_c"),
            ("host_loop100", "typed", "static_c"),
        ] {
            let _ = writeln!(
                w,
                "| {g}: {a} / {b} | {} |",
                show_ratio(ratio(self.inter(g, a), self.inter(g, b)))
            );
        }

        let _ = writeln!(w, "\n## Instantiation and first call\n");
        let _ = writeln!(
            w,
            "Per iteration: a new store, instantiating the precompiled module (with \
             `host.inc` from a linker made once), looking up `add` as a typed function, \
             calling it, dropping the store.\n"
        );
        let _ = writeln!(
            w,
            "| path | full | min | wasmtime_crate | full / wasmtime_crate | min / full |"
        );
        let _ = writeln!(w, "|---|---:|---:|---:|---:|---:|");
        for (path, suffix) in [
            ("`Linker::instantiate`", ""),
            ("`InstancePre::instantiate`", "_pre"),
        ] {
            let full = format!("full{suffix}");
            let min = format!("min{suffix}");
            let krate = format!("wasmtime_crate{suffix}");
            let _ = writeln!(
                w,
                "| {path} | {} | {} | {} | {} | {} |",
                self.cell("instantiate", &full),
                self.cell("instantiate", &min),
                self.cell("instantiate", &krate),
                show_ratio(ratio(
                    self.median("instantiate", &full),
                    self.median("instantiate", &krate)
                )),
                show_ratio(ratio(
                    self.median("instantiate", &min),
                    self.median("instantiate", &full)
                ))
            );
        }
        let _ = writeln!(
            w,
            "\nInstructions per iteration of the `InstancePre` path on full (callgrind, \
             `callcount instantiate_pre` against `callcount-wasmtime instantiate_pre`, see \
             Instruction counts): {:.0} against the wasmtime crate's {:.0}, {}.",
            self.ir("callcount", "instantiate_pre").unwrap_or(f64::NAN),
            self.ir("callcount-wasmtime", "instantiate_pre")
                .unwrap_or(f64::NAN),
            show_ratio(ratio(
                self.ir("callcount", "instantiate_pre"),
                self.ir("callcount-wasmtime", "instantiate_pre")
            ))
        );

        let _ = writeln!(w, "\n## Load\n");
        let _ = writeln!(
            w,
            "Whole-process wall time of `loadprobe <mode> <library>` (`benches/static-c/src/bin/\
             loadprobe.rs`), median of {} starts per mode, modes interleaved. `exit`: the \
             process alone; `dlopen`: a bare `dlopen(RTLD_NOW | RTLD_LOCAL)`; `open`: \
             `Wasmtime::open` (the same `dlopen`, every function table resolved, value layout \
             and version found; on min the version needs the deserialization probe).\n",
            self.load.rounds
        );
        let _ = writeln!(w, "| mode | median | minus `exit` |");
        let _ = writeln!(w, "|---|---:|---:|");
        let exit = self.load.get("exit");
        for (label, d) in &self.load.medians {
            let _ = writeln!(
                w,
                "| {label} | {} | {} |",
                ms(*d),
                exit.map_or("n/a".into(), |e| ms(d.saturating_sub(e)))
            );
        }
        let secs = |label: &str| self.load.get(label).map(|d| d.as_secs_f64());
        let excess = |label: &str| Some(secs(label)? - secs("exit")?).filter(|x| *x > 0.0);
        let _ = writeln!(w);
        for major in &self.load.majors {
            let mode = |m: &str| format!("{m} {major}");
            let _ = writeln!(
                w,
                "open / dlopen on {major}: full {} (process), {} (beyond the empty process); \
                 min {} (process), {} (beyond the empty process).",
                show_ratio(ratio(secs(&mode("open full")), secs(&mode("dlopen full")))),
                show_ratio(ratio(
                    excess(&mode("open full")),
                    excess(&mode("dlopen full"))
                )),
                show_ratio(ratio(secs(&mode("open min")), secs(&mode("dlopen min")))),
                show_ratio(ratio(
                    excess(&mode("open min")),
                    excess(&mode("dlopen min"))
                )),
            );
        }

        let _ = writeln!(w, "\n## Typed calls on every supported major\n");
        let _ = writeln!(
            w,
            "`TypedFunc::call` of `add: (i32, i32) -> i32` on the official full library of each \
             major. Time: `callcount majors {INTERLEAVED_ROUNDS}` opens all {} libraries in one \
             process and alternates blocks of calls between them (median per process, then the \
             median of {INTERLEAVED_PROCESSES} processes). Instructions: `callcount typed` under \
             callgrind with that major's library, per call. Ratios are to {BENCH_MAJOR}, the \
             major the targets above are measured on.\n",
            self.majors.len()
        );
        let _ = writeln!(
            w,
            "| major | library | ns per call | / {BENCH_MAJOR} | instructions per call | / {BENCH_MAJOR} |"
        );
        let _ = writeln!(w, "|---|---|---:|---:|---:|---:|");
        let base = self.majors.iter().find(|(m, ..)| *m == BENCH_MAJOR);
        let base_ns = base.and_then(|(_, _, s, _)| median_of(s));
        let base_ir = base.map(|(.., c)| c.per_call());
        for (major, lib, samples, count) in &self.majors {
            let ns = median_of(samples);
            let _ = writeln!(
                w,
                "| {major} | `{}` | {} | {} | {:.1} | {} |",
                lib.display(),
                ns.map_or("n/a".into(), |ns| format!("{ns:.2}")),
                show_ratio(ratio(ns, base_ns)),
                count.per_call(),
                show_ratio(ratio(Some(count.per_call()), base_ir)),
            );
        }

        let _ = writeln!(w, "\n## Allocations\n");
        let _ = writeln!(
            w,
            "`tests/alloc.rs` (a counting global allocator, per thread, after one warm-up call; \
             test {}):\n",
            if self.alloc_test_passed {
                "passed"
            } else {
                "FAILED"
            }
        );
        let _ = writeln!(w, "| path | library | allocations | calls |");
        let _ = writeln!(w, "|---|---|---:|---:|");
        for ((path, lib), (n, calls)) in &self.allocations {
            let _ = writeln!(w, "| {path} | {lib} | {n} | {calls} |");
        }
        let _ = writeln!(
            w,
            "\n`typed_call` is one `nop`, one `add` and one `mixed` call per count; \
             `typed_host_round_trip` a `call_host` call; `untyped_call` a `Func::call` of `add`. \
             The counting allocator sees wasmtime-dyn's allocations, not libwasmtime's \
             (its own `malloc`): those show in the callgrind profile below, per call, in \
             `malloc`/`free`."
        );

        let _ = writeln!(w, "\n## Instructions per call (callgrind)\n");
        let _ = writeln!(
            w,
            "`valgrind --tool=callgrind` on `callcount <mode> <n>` (and \
             `callcount-wasmtime` for the wasmtime crate) with n = {} and {}; per call = \
             (Ir({}) − Ir({})) / {}. `add` for the call modes, `call_host` for the host modes.\n",
            CALLS[0],
            CALLS[1],
            CALLS[1],
            CALLS[0],
            CALLS[1] - CALLS[0]
        );
        let _ = writeln!(
            w,
            "| mode | Ir({}) | Ir({}) | per call | in malloc/free |",
            CALLS[0], CALLS[1]
        );
        let _ = writeln!(w, "|---|---:|---:|---:|---:|");
        for c in &self.counts {
            let _ = writeln!(
                w,
                "| {} | {} | {} | {:.1} | {:.1} |",
                c.label(),
                c.totals[0],
                c.totals[1],
                c.per_call(),
                c.allocator()
            );
        }
        let _ = writeln!(w);
        for (label, a, b) in [
            (
                "typed / static_c",
                ("callcount", "typed"),
                ("callcount", "static_c"),
            ),
            (
                "typed / wasmtime_crate",
                ("callcount", "typed"),
                ("callcount-wasmtime", "typed"),
            ),
            (
                "untyped / typed",
                ("callcount", "untyped"),
                ("callcount", "typed"),
            ),
            (
                "untyped / wasmtime_crate untyped",
                ("callcount", "untyped"),
                ("callcount-wasmtime", "untyped"),
            ),
            (
                "raw_checked / static_c",
                ("callcount", "raw_checked"),
                ("callcount", "static_c"),
            ),
            (
                "host_typed / host_static_c",
                ("callcount", "host_typed"),
                ("callcount", "host_static_c"),
            ),
            (
                "host_typed / wasmtime_crate host_typed",
                ("callcount", "host_typed"),
                ("callcount-wasmtime", "host_typed"),
            ),
            (
                "instantiate_pre / wasmtime_crate instantiate_pre",
                ("callcount", "instantiate_pre"),
                ("callcount-wasmtime", "instantiate_pre"),
            ),
        ] {
            let _ = writeln!(
                w,
                "- {label}: {}",
                show_ratio(ratio(self.ir(a.0, a.1), self.ir(b.0, b.1)))
            );
        }

        let _ = writeln!(w, "\n## Where the instructions go\n");
        let _ = writeln!(
            w,
            "Self instructions per call by function (callgrind, difference of the two runs \
             divided by the difference of the call counts; functions under 0.5 per call left \
             out; `???` is JIT-compiled wasm or the trampolines; a function's inlined code is \
             split by source file, in parentheses). Side by side for each comparison a target \
             is about. Fractions of an instruction (in `malloc`, `memcpy`) are start-up \
             differences between the two runs (Wasmtime's hash maps are seeded randomly), not \
             per-call work: an allocation per call would cost a malloc/free pair, about 100 \
             instructions or more, which is why under 1 per call counts as none above.\n"
        );
        for (title, a, b) in [
            (
                "`add`: typed (wasmtime-dyn) vs static C",
                ("callcount", "typed"),
                ("callcount", "static_c"),
            ),
            (
                "`call_host`: typed with `func_wrap` vs static C callback",
                ("callcount", "host_typed"),
                ("callcount", "host_static_c"),
            ),
            (
                "`add`: typed (wasmtime-dyn) vs the wasmtime crate",
                ("callcount", "typed"),
                ("callcount-wasmtime", "typed"),
            ),
            (
                "`add`: untyped vs typed (wasmtime-dyn)",
                ("callcount", "untyped"),
                ("callcount", "typed"),
            ),
        ] {
            let (Some(ca), Some(cb)) = (self.count(a.0, a.1), self.count(b.0, b.1)) else {
                continue;
            };
            let _ = writeln!(w, "### {title}\n");
            for c in [ca, cb] {
                let _ = writeln!(w, "{} ({:.1} per call):\n", c.label(), c.per_call());
                let _ = writeln!(w, "| per call | function [object] |");
                let _ = writeln!(w, "|---:|---|");
                for (name, n) in c
                    .per_function
                    .iter()
                    .filter(|(_, n)| n.abs() >= 0.5)
                    .take(25)
                {
                    let _ = writeln!(w, "| {n:.1} | `{}` |", name.replace('|', "\\|"));
                }
                let _ = writeln!(w);
            }
        }

        components::render(self, w);
        min_recipe::render(self, w);
        async_calls::render(self, w);

        let missed: Vec<&Target> = targets.iter().filter(|t| t.met() == Some(false)).collect();
        let _ = writeln!(w, "## Missed targets\n");
        if missed.is_empty() {
            let _ = writeln!(w, "None in this run.");
        } else {
            for t in &missed {
                let _ = writeln!(
                    w,
                    "- {} ({}): {} against ≤ {:.2}x.",
                    t.what,
                    t.basis,
                    show_ratio(t.measured),
                    t.limit
                );
            }
            let _ = writeln!(w);
            for note in ANALYSIS
                .iter()
                .chain(components::ANALYSIS)
                .chain(async_calls::ANALYSIS)
            {
                if missed.iter().any(|t| t.what.starts_with(note.0)) {
                    let _ = writeln!(w, "{}\n", note.1);
                }
            }
        }
        s
    }
}

/// What the profiles above show for each target when it is missed: (the
/// start of the target's description, the explanation). The figures quoted
/// come from the experiments made when these benchmarks were written (on
/// the machine above, same libraries), not from this run.
const ANALYSIS: &[(&str, &str)] = &[
    (
        "typed / static C",
        "**typed / static C.** Both paths spend the same instructions inside libwasmtime \
(`wasmtime_func_call_unchecked`, `Func::call_unchecked_raw`, the TLS swaps, the trampoline and \
the wasm body: the profile tables above are identical there). What remains is the caller, about \
5 instructions per `add` call (the `typed.rs` and `store.rs` lines of the typed table against \
`lib.rs` and `callcount.rs` of the static one): the store identity check of \
`TypedFunc::call` (`StoreContextMut::check`, `src/store.rs`: two loads, a compare and a \
branch). It is what turns a function used with another store, or with a store of another \
libwasmtime (whose Wasmtime store ids collide with this one's), into `Error::WrongStore` \
instead of a process abort inside the C API, so it stays. The path around it was already \
shortened: the store's context pointer and id are copied into the `Store` handle (one load, \
as in C, instead of handle -> box -> context) and the cold error path takes a fresh reborrow \
so the hot path keeps `cx` in registers. An `unsafe fn call_unchecked` without the check \
would be the static call exactly; it is not offered, since the check costs less than the \
measurement noise.\n\n\
At about 10 ns per call, 2% is 0.2 ns, less than a cycle: the time ratios of separate \
binaries vary by more than that from run to run (the static baseline alone moved between \
10.2 and 11.6 ns per `add` in successive runs), which is why the interleaved and instruction \
figures are given.",
    ),
    (
        "untyped / typed",
        "**untyped / typed.** `Func::call` (`src/func.rs`) checks each argument's type against the \
function's cached type and writes it, in one pass, into uninitialized stack slots (numbers \
directly, references through `Val::to_raw`), then writes each result as a `Val`: about 150 \
instructions more than `TypedFunc::call` per `add` (see the untyped profile). What is left is \
the `Val` enum itself (a tagged value moved through memory, with its drop check on the \
overwritten result); `TypedFunc` is the path without it.",
    ),
    (
        "host round trip",
        "**host round trip / static C host.** The libwasmtime side is the same for both (the C \
API's `array_call_trampoline` into `c_unchecked_callback_to_rust_fn`, see the profile). \
wasmtime-dyn's callback (`src/func.rs`) adds `catch_unwind` and the closure call; it looks \
the store up (`wasmtime_caller_context`, `wasmtime_context_get_data`) only for closures that \
take a `Caller`, and on the error and panic paths. A miss here is within the run's noise: \
compare the interleaved and instruction figures.",
    ),
    (
        "typed / wasmtime crate",
        "**typed / wasmtime crate.** Compare the two `add` profiles above: the wasmtime crate \
runs the same entry path compiled into the binary (`TypedFunc::call_raw`, \
`invoke_wasm_and_catch_traps`, `catch_traps`); what wasmtime-dyn adds is the C API's \
`wasmtime_func_call_unchecked` frame and the TLS accesses of a shared library \
(`__tls_get_addr`), which no change in this crate removes.",
    ),
    (
        "`Wasmtime::open`",
        "**`Wasmtime::open` / `dlopen`.** Beyond the `dlopen`, `Wasmtime::open` reads the \
file's dynamic symbol table, its string table and its build-id note (one read each, \
`src/loader/exports/elf64.rs`) to find the exact version (`resolve_vmctx_memory_ptr_*` on \
official libraries) and which functions exist, then computes each function's address as the \
load base plus the symbol's value, once the object in memory is shown to have the file's build \
id: no `dlsym` per function (a failed one formats an error message, and `libloading`'s `dlerror` \
calls doubled the rest). Measured in-process, what remains on full is about 150 us: reading the \
file (about 60 us, most of it page faults on fresh buffers and the walk over the symbols), the \
name map (about 35 us) and the table lookups (about 50 us, cache misses). On builds without the \
version symbol, the exported functions narrow the major down and a probe artifact, deserialized \
by an engine, confirms it: about 130 us more on min (the engine about 40 us, the first, cold \
deserialization about 50 us). Confirming the major lazily, after `open` returns, would remove \
that, but would accept at `open` a build of an unknown later major whose exports look like a \
supported one.",
    ),
];
