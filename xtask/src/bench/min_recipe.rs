//! The minimal library's recipe in `cargo xtask bench` (issue 21, item 3):
//! typed calls on the minimal library against the full one by callgrind
//! instructions (`callcount typed_min` against `callcount typed`), and the
//! minimal library's size beside the earlier recipe's.

use super::{ratio, show_ratio, Results, Target};
use std::fmt::Write as _;

/// Typed calls on the minimal library within this factor of full's.
const MIN_VS_FULL: f64 = 1.10;

/// The earlier recipe (`opt-level = "s"`, `panic = "abort"`, no LTO, 16
/// codegen units, cargo's default stripping of debug information), as
/// measured on 2026-12-05 from the minimal 48.0.0 library it had cached
/// (`~/.cache/wasmtime-dyn/48.0.0/min/libwasmtime.so`, built 2026-12-04 by
/// `cargo xtask artifacts`): its size in bytes as built (`stat -c %s`), its
/// size after `strip`, and `callcount typed_min` under callgrind,
/// instructions per `add` call (full 48.0.0: 271.1).
const OLD_RECIPE: (u64, u64, f64) = (1_902_672, 1_287_000, 382.3);

/// The target row: typed `add` on min / on full, instructions.
pub(super) fn targets(r: &Results) -> Vec<Target> {
    vec![Target {
        what: "typed min / typed full, `add`".into(),
        measured: ratio(r.ir("callcount", "typed_min"), r.ir("callcount", "typed")),
        limit: MIN_VS_FULL,
        basis: "instructions",
    }]
}

/// The section of `benches/RESULTS.md`.
pub(super) fn render(r: &Results, w: &mut String) {
    let size = std::fs::metadata(&r.min).map(|m| m.len()).ok();
    let full = r.ir("callcount", "typed");
    let min = r.ir("callcount", "typed_min");
    let (old_size, old_stripped, old_ir) = OLD_RECIPE;
    let _ = writeln!(w, "## The minimal library's recipe\n");
    let _ = writeln!(
        w,
        "Typed `add` calls (`callcount typed_min`, callgrind instructions per call) on the \
         minimal library `cargo xtask artifacts` builds (`xtask/libwasmtime-build/<major>`, \
         profile `release`), against the earlier recipe's figures recorded in \
         `xtask/src/bench/min_recipe.rs` (measured 2026-12-05 on the minimal 48.0.0 library \
         it had built).\n"
    );
    let _ = writeln!(
        w,
        "| library | size (bytes) | instructions per typed call | / full |"
    );
    let _ = writeln!(w, "|---|---:|---:|---:|");
    let _ = writeln!(
        w,
        "| min, this run's | {} | {} | {} |",
        size.map_or("n/a".into(), |s| s.to_string()),
        min.map_or("n/a".into(), |m| format!("{m:.1}")),
        show_ratio(ratio(min, full))
    );
    let _ = writeln!(
        w,
        "| min, earlier recipe (`opt-level = \"s\"`, no LTO) | {old_size} ({old_stripped} \
         stripped) | {old_ir:.1} | {} |",
        show_ratio(ratio(Some(old_ir), full))
    );
    let _ = writeln!(
        w,
        "| full {} | {} | {} | 1.000x |\n",
        super::WASMTIME_VERSION,
        std::fs::metadata(&r.full)
            .map(|m| m.len().to_string())
            .unwrap_or("n/a".into()),
        full.map_or("n/a".into(), |m| format!("{m:.1}"))
    );
}
