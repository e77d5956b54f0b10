//! The component calls of `cargo xtask bench` (issue 18): wasmtime-dyn's
//! `TypedFunc::call` and `Func::call` against the wasmtime crate's, on the
//! three exports of `benches/components.wat`, timed by criterion
//! (`benches/components.rs`, `bench-wasmtime/benches/components.rs`) and
//! counted under callgrind (`ccount`, `ccount-wasmtime`), written into
//! `benches/RESULTS.md` by [`render`].

use super::{callgrind, ratio, show_ratio, Count, Results, Target};
use crate::Result;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

/// The two call counts of each component mode under callgrind; the list
/// calls (hundreds of thousands of instructions each) fewer.
const CALLS: [u64; 2] = [20_000, 40_000];
const LIST_CALLS: [u64; 2] = [100, 200];

fn calls_of(mode: &str) -> [u64; 2] {
    if mode.starts_with("list") {
        LIST_CALLS
    } else {
        CALLS
    }
}

/// Issue 18: wasmtime-dyn's `Func::call` within this factor of the crate's.
const DYNAMIC_VS_CRATE_DYNAMIC: f64 = 1.3;

/// (criterion group, callgrind mode prefix, what is called).
const FUNCTIONS: [(&str, &str, &str); 3] = [
    (
        "component_echo",
        "echo",
        "`echo: (string) -> string`, 32 bytes",
    ),
    (
        "component_list",
        "list",
        "`list-echo: (list<u32>) -> list<u32>`, 1,000 elements",
    ),
    (
        "component_record",
        "record",
        "`point-echo: (point) -> point`, record of f64, f64, u32, bool",
    ),
];

/// (criterion id, callgrind driver, mode suffix, label).
const VARIANTS: [(&str, &str, &str, &str); 4] = [
    ("typed", "ccount", "typed", "wasmtime-dyn typed"),
    ("dynamic", "ccount", "dynamic", "wasmtime-dyn dynamic"),
    (
        "crate_typed",
        "ccount-wasmtime",
        "typed",
        "wasmtime crate typed",
    ),
    (
        "crate_dynamic",
        "ccount-wasmtime",
        "dynamic",
        "wasmtime crate dynamic",
    ),
];

/// Every callgrind mode, as `'static` names.
const MODES: [&str; 6] = [
    "echo_typed",
    "echo_dynamic",
    "list_typed",
    "list_dynamic",
    "record_typed",
    "record_dynamic",
];

fn mode(prefix: &str, suffix: &str) -> &'static str {
    MODES
        .iter()
        .find(|m| m.strip_prefix(prefix).and_then(|r| r.strip_prefix('_')) == Some(suffix))
        .expect("a known mode")
}

/// Both drivers in every mode under callgrind.
pub(super) fn callgrind_all(
    bin: &Path,
    out: &Path,
    env: &dyn Fn(&mut Command),
) -> Result<Vec<Count>> {
    let mut counts = Vec::new();
    for exe in ["ccount", "ccount-wasmtime"] {
        for mode in MODES {
            eprintln!("xtask: callgrind: {exe} {mode}");
            counts.push(callgrind(&bin.join(exe), mode, calls_of(mode), out, env)?);
        }
    }
    Ok(counts)
}

impl Results {
    fn component_count(&self, exe: &str, mode: &str) -> Option<&Count> {
        self.component_counts
            .iter()
            .find(|c| c.exe == exe && c.mode == mode)
    }

    fn component_ir(&self, prefix: &str, variant: &str) -> Option<f64> {
        let (_, exe, suffix, _) = VARIANTS.iter().find(|v| v.0 == variant)?;
        self.component_count(exe, mode(prefix, suffix))
            .map(Count::per_call)
    }
}

/// The component rows of the targets table.
pub(super) fn targets(r: &Results) -> Vec<Target> {
    let mut t = Vec::new();
    for (group, prefix, _) in FUNCTIONS {
        t.push(Target {
            what: format!("component dynamic / wasmtime crate dynamic, `{prefix}`"),
            measured: ratio(r.median(group, "dynamic"), r.median(group, "crate_dynamic")),
            limit: DYNAMIC_VS_CRATE_DYNAMIC,
            basis: "time",
        });
        t.push(Target {
            what: format!("component dynamic / wasmtime crate dynamic, `{prefix}`"),
            measured: ratio(
                r.component_ir(prefix, "dynamic"),
                r.component_ir(prefix, "crate_dynamic"),
            ),
            limit: DYNAMIC_VS_CRATE_DYNAMIC,
            basis: "instructions",
        });
    }
    t
}

/// The "Component calls" section.
pub(super) fn render(r: &Results, w: &mut String) {
    let _ = writeln!(w, "## Component calls\n");
    let _ = writeln!(
        w,
        "The exports of `benches/components.wat` (the guest returns its argument, so what is \
         measured is the host's side: lowering into linear memory and lifting out of it), on \
         the full library. `typed`: `TypedFunc::call` with borrowed arguments (`&str`, \
         `&[u32]`, a `Point` with `ComponentType`/`Lower`/`Lift`); `dynamic`: `Func::call` \
         with the argument `Val`s built once and the result slot reused. wasmtime-dyn's go \
         through the C API's `wasmtime_component_func_call`, which converts every value \
         from `wasmtime_component_val_t` to the crate's `Val` and back (the C API has no \
         typed path), then calls the crate's dynamic `Func::call`. Criterion medians per \
         call (95% confidence interval):\n"
    );
    let ids: Vec<&str> = VARIANTS.iter().map(|v| v.0).collect();
    let _ = writeln!(w, "| call | {} |", ids.join(" | "));
    let _ = writeln!(w, "|---|{}", "---:|".repeat(ids.len()));
    for (group, _, what) in FUNCTIONS {
        let cells: Vec<String> = ids.iter().map(|id| r.cell(group, id)).collect();
        let _ = writeln!(w, "| {what} | {} |", cells.join(" | "));
    }
    let pairs = [
        ("dynamic / crate_dynamic", "dynamic", "crate_dynamic"),
        ("typed / crate_typed", "typed", "crate_typed"),
        ("typed / crate_dynamic", "typed", "crate_dynamic"),
        ("typed / dynamic", "typed", "dynamic"),
    ];
    let _ = writeln!(w, "\n| ratio (time) | `echo` | `list` | `record` |");
    let _ = writeln!(w, "|---|---:|---:|---:|");
    for (label, a, b) in pairs {
        let cells: Vec<String> = FUNCTIONS
            .iter()
            .map(|(g, ..)| show_ratio(ratio(r.median(g, a), r.median(g, b))))
            .collect();
        let _ = writeln!(w, "| {label} | {} |", cells.join(" | "));
    }

    let _ = writeln!(
        w,
        "\nInstructions per call: `valgrind --tool=callgrind` on `ccount <mode> <n>` \
         (`benches/static-c/src/bin/ccount.rs`) and `ccount-wasmtime <mode> <n>` \
         (`bench-wasmtime/src/bin/ccount-wasmtime.rs`) with n = {} and {} ({} and {} for the \
         list); per call = (Ir(n2) − Ir(n1)) / (n2 − n1); in parentheses the part in `malloc`/`free`/`realloc`.\n",
        CALLS[0],
        CALLS[1],
        LIST_CALLS[0],
        LIST_CALLS[1],
    );
    let labels: Vec<&str> = VARIANTS.iter().map(|v| v.3).collect();
    let _ = writeln!(w, "| call | {} |", labels.join(" | "));
    let _ = writeln!(w, "|---|{}", "---:|".repeat(labels.len()));
    for (_, prefix, what) in FUNCTIONS {
        let cells: Vec<String> = VARIANTS
            .iter()
            .map(
                |(_, exe, suffix, _)| match r.component_count(exe, mode(prefix, suffix)) {
                    Some(c) => format!("{:.0} ({:.0})", c.per_call(), c.allocator()),
                    None => "not measured".into(),
                },
            )
            .collect();
        let _ = writeln!(w, "| {what} | {} |", cells.join(" | "));
    }
    let _ = writeln!(w, "\n| ratio (instructions) | `echo` | `list` | `record` |");
    let _ = writeln!(w, "|---|---:|---:|---:|");
    for (label, a, b) in pairs {
        let cells: Vec<String> = FUNCTIONS
            .iter()
            .map(|(_, p, _)| show_ratio(ratio(r.component_ir(p, a), r.component_ir(p, b))))
            .collect();
        let _ = writeln!(w, "| {label} | {} |", cells.join(" | "));
    }

    let _ = writeln!(w, "\n### Where the component instructions go\n");
    let _ = writeln!(
        w,
        "Self instructions per call by function, as in \"Where the instructions go\" above \
         (functions under 0.5 per call left out, the 20 largest shown), for each call: \
         wasmtime-dyn's dynamic call against the crate's, then the two typed calls.\n"
    );
    for (_, prefix, what) in FUNCTIONS {
        let _ = writeln!(w, "#### {what}\n");
        for variant in ["dynamic", "crate_dynamic", "typed", "crate_typed"] {
            let (_, exe, suffix, label) =
                VARIANTS.iter().find(|v| v.0 == variant).expect("a variant");
            let Some(c) = r.component_count(exe, mode(prefix, suffix)) else {
                continue;
            };
            let _ = writeln!(w, "{label} ({:.0} per call):\n", c.per_call());
            let _ = writeln!(w, "| per call | function [object] |");
            let _ = writeln!(w, "|---:|---|");
            for (name, n) in c
                .per_function
                .iter()
                .filter(|(_, n)| n.abs() >= 0.5)
                .take(20)
            {
                let _ = writeln!(w, "| {n:.1} | `{}` |", name.replace('|', "\\|"));
            }
            let _ = writeln!(w);
        }
    }
}

/// What the component profiles show when the target is missed (figures
/// from the experiments made when the component path was optimised, not
/// from this run).
pub(super) const ANALYSIS: &[(&str, &str)] = &[(
    "component dynamic",
    "**component dynamic / wasmtime crate dynamic.** wasmtime-dyn's `Func::call` ends in the \
C API's `wasmtime_component_func_call`, which itself is the crate's dynamic `Func::call` plus \
two conversions the crate does not make: every argument from `wasmtime_component_val_t` to the \
crate's `Val` (a `String` copied and validated, a `Vec<Val>` per list, one `String` per record \
field name) and every result back (a `wasm_byte_vec_t` per string, a C vector per list, one name \
per field), each value tree dropped afterwards. wasmtime-dyn's own share is building the C \
argument values (the library's allocator for every string, list and field name) and reading the \
C results into `Val`s (UTF-8 checked). The profiles above split the three: `wasmtime_c_api` \
conversion functions and `malloc`/`free` in libwasmtime are the C API's part; what remains in \
`ccount` is this crate's. Only a C API entry point that lowers from, and lifts into, caller \
memory without the intermediate trees (or the crate's `Val` behind an opaque handle) would close \
the rest.",
)];
