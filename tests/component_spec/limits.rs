//! What the Wasmtime C API cannot express, as data: the directives of the
//! `async/` files that fail only because of it, each with the majors, the
//! words its failure must contain (so an entry cannot hide another
//! failure), and the reason, naming the C API's gap. A listed directive
//! that passes counts as passed; one that fails otherwise is a failure.
//!
//! Beyond this table, the files that turn on a component-model setting the
//! C API has no setter for (`component_model_error_context`,
//! `component_model_threading`) have what fails for it skipped with that
//! reason (`header.rs`).

use std::ops::RangeInclusive;

pub struct Limit {
    pub file: &'static str,
    pub lines: &'static [usize],
    pub majors: RangeInclusive<u32>,
    /// The failure contains one of these.
    pub failures: &'static [&'static str],
    pub reason: &'static str,
}

/// A call of the instance whose instantiation failed for the same reason.
const NO_INSTANCE: &str = "no current component instance";

const CONCURRENT_HOST: &str =
    "the component imports an `async func` from the host, which only a concurrent host \
     function satisfies (Wasmtime's runner defines it with `func_wrap_concurrent`): the C API \
     has no concurrent host functions, its `wasmtime_component_linker_instance_add_func_async` \
     (c-api 45 to 50 `component/linker.rs`) defines a sync-typed function through \
     `func_new_async`, which Wasmtime refuses for an `async func` import (\"type mismatch with \
     async\"); the calls of that instance go with it";

const HOST_FUTURES: &str =
    "the export returns a `future` or `stream` to the host (the trap is raised when Wasmtime \
     lifts it): the C API has no host type for future and stream values (c-api 45 to 50 \
     `component/val.rs` converts them with `todo!()`, a panic that aborts the process), so \
     this crate refuses the call before it starts";

pub const LIMITS: &[Limit] = &[
    Limit {
        file: "async/cancel-host.wast",
        lines: &[7, 85, 172, 264, 389],
        majors: 45..=50,
        failures: &["type mismatch with async"],
        reason: CONCURRENT_HOST,
    },
    Limit {
        file: "async/cancel-host.wast",
        lines: &[80, 167, 256, 385, 476],
        majors: 45..=50,
        failures: &[NO_INSTANCE],
        reason: CONCURRENT_HOST,
    },
    Limit {
        file: "async/drop-host.wast",
        lines: &[5],
        majors: 45..=50,
        failures: &["type mismatch with async"],
        reason: CONCURRENT_HOST,
    },
    Limit {
        file: "async/drop-host.wast",
        lines: &[56],
        majors: 45..=50,
        failures: &[NO_INSTANCE],
        reason: CONCURRENT_HOST,
    },
    Limit {
        file: "async/lower.wast",
        lines: &[4],
        majors: 45..=50,
        failures: &["type mismatch with async"],
        reason: CONCURRENT_HOST,
    },
    Limit {
        file: "async/cancel-starting-subtask-does-not-leak.wast",
        lines: &[103],
        majors: 45..=50,
        failures: &["wasmtime.set-max-table-capacity"],
        reason: "the test lowers the store's resource table capacity through the host import \
                 `wasmtime.set-max-table-capacity` (Wasmtime's runner calls \
                 `concurrent_resource_table().set_max_capacity`): the C API has no function \
                 that sets a store's resource table capacity, so the host function fails",
    },
    Limit {
        file: "async/trap-if-done.wast",
        lines: &[
            617, 619, 621, 623, 625, 627, 630, 632, 634, 636, 638, 640, 652, 654, 656, 658, 660,
            662,
        ],
        majors: 45..=50,
        failures: &["mention `future`, `stream` or `error-context`"],
        reason: HOST_FUTURES,
    },
    Limit {
        file: "async/trap-if-transfer-in-waitable-set.wast",
        lines: &[49, 51],
        majors: 45..=50,
        failures: &["mention `future`, `stream` or `error-context`"],
        reason: HOST_FUTURES,
    },
];

/// Why the failure `why` of `file`'s directive at `line` on Wasmtime
/// `major` is one of the C API's gaps, if it is.
pub fn reason(file: &str, line: usize, major: u32, why: &str) -> Option<&'static str> {
    LIMITS
        .iter()
        .find(|l| {
            l.file == file
                && l.lines.contains(&line)
                && l.majors.contains(&major)
                && l.failures.iter().any(|f| why.contains(f))
        })
        .map(|l| l.reason)
}
