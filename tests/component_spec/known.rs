//! What a Wasmtime release does differently from the v48 test files (the
//! top level and `async/`), as data: (file, lines, majors, reason). A directive listed here that fails
//! on one of those majors is skipped with the reason; one that passes
//! counts as passed. Each reason names the Wasmtime source that shows
//! the difference.

use std::ops::RangeInclusive;

pub struct Known {
    pub file: &'static str,
    pub lines: &'static [usize],
    pub majors: RangeInclusive<u32>,
    pub reason: &'static str,
}

pub const KNOWN: &[Known] = &[
    Known {
        file: "modules.wast",
        lines: &[482, 485],
        majors: 40..=43,
        reason: "wasmtime-dyn refuses core modules importing or exporting tags before Wasmtime \
                 44, whose C API aborts the process describing a tag (a `todo!()` in its \
                 types/extern.rs): the exported module `m` is not compiled, and the instance \
                 importing it cannot be made",
    },
    Known {
        file: "types.wast",
        lines: &[378],
        majors: 40..=43,
        reason: "Wasmtime 40 to 43 trap on the out-of-range discriminant as expected, with the \
                 range of its message printed as \"[0..0)\" (measured): their `load_variant` \
                 (runtime/component/values.rs) reads `types.len()` after `types.nth(..)` has \
                 used the iterator up; wasmtime#12885 (in 44, which added this test) prints \
                 \"[0..2)\"",
    },
    Known {
        file: "enum_discriminant.wast",
        lines: &[1],
        majors: 40..=41,
        reason: "Wasmtime 40 and 41's adapters accept an enum discriminant equal to the number \
                 of cases (their fact/trampoline.rs checks it with `i32.gt_u` instead of \
                 `i32.ge_u`; wasmtime#12356, in 42, which added this file, fixed it): the \
                 discriminant 3 of a 3-case enum is lowered, and the instantiation succeeds \
                 (measured)",
    },
    Known {
        file: "adapter.wast",
        lines: &[97],
        majors: 40..=41,
        reason: "Wasmtime 40 and 41 trap on this lowering of a function the same component \
                 lifted with \"degenerate component adapter called\" (measured: the \
                 `AlwaysTrap` trampoline of their component/translate/inline.rs, \
                 `Trap::AlwaysTrapAdapter`); wasmtime#12349, in 42, made such an adapter trap \
                 with `CannotEnterComponent` and changed this test's message to \"cannot enter \
                 component instance\"",
    },
    Known {
        file: "big-strings.wast",
        lines: &[276, 374],
        majors: 41..=43,
        reason: "Wasmtime 41 to 43's adapters refuse a UTF-16 string of exactly 715827882 code \
                 units going to UTF-8 before the second `realloc` (\"string content \
                 out-of-bounds\", measured): their fact/trampoline.rs has \
                 MAX_STRING_BYTE_LENGTH = 1 << 31 and checks the length with `>=` \
                 (`validate_string_length_u8`, 43.0.0's trampoline.rs:2401), one too strict; \
                 wasmtime#12886, in 44, made it (1 << 31) - 1 and `>`, so the test's \
                 `realloc` is reached and its `unreachable` traps (40 passes: its adapter's \
                 trap is a plain `unreachable` too)",
    },
    // Listed before the entry that follows, which has line 390 too: on 40
    // that line fails for this reason.
    Known {
        file: "big-strings.wast",
        lines: &[
            210, 221, 231, 248, 259, 282, 292, 302, 319, 342, 361, 379, 390, 401, 419,
        ],
        majors: 40..=40,
        reason: "Wasmtime 40's adapters trap with a plain `unreachable` (\"wasm `unreachable` \
                 instruction executed\" in the adapter, measured) where 41 and later report \
                 the trap's code, here \"string content out-of-bounds\": until wasmtime#12215 \
                 (in 41) fact/trampoline.rs's `trap` emitted only `Unreachable` and kept the \
                 code as metadata nothing read",
    },
    Known {
        file: "big-strings.wast",
        lines: &[
            204, 215, 225, 253, 270, 286, 296, 324, 332, 347, 355, 369, 384, 390, 395, 405, 413,
        ],
        majors: 40..=44,
        reason: "Wasmtime 40 to 44's adapters check fewer string bounds before calling the \
                 callee's `realloc` (wasmtime-environ 44.0.3's fact/trampoline.rs raises \
                 StringOutOfBounds in two places, 47.0.4's in five more): the oversized string \
                 reaches the test's `realloc`, whose `unreachable` traps instead (measured)",
    },
    Known {
        file: "memory64.wast",
        lines: &[24, 122, 126, 131],
        majors: 40..=44,
        reason: "Wasmtime 40 to 44 do not parse a component lowering and lifting through a 64-bit \
                 memory (\"failed to parse WebAssembly module\", measured), so the component \
                 and the invokes of its instance fail",
    },
    Known {
        file: "exceptions.wast",
        lines: &[50, 127, 161, 237],
        majors: 40..=46,
        reason: "Wasmtime 40 to 46 do not stop an exception at a component boundary (the \
                 trap `uncaught exception propagated out of component` came in 47: \
                 wasmtime-environ's trap_encoding.rs has no UncaughtException before it), so \
                 the call returns and reaches the test's `unreachable`",
    },
    Known {
        file: "implements-disabled.wast",
        lines: &[3],
        majors: 40..=45,
        reason: "Wasmtime 40 to 45 do not implement the component-model `implements` proposal: \
                 their wasmparser reads such an import name as malformed (\"invalid leading \
                 byte (0x2) for import name\") instead of as a feature that is off",
    },
    Known {
        file: "implements.wast",
        lines: &[3],
        majors: 40..=45,
        reason: "Wasmtime 40 to 45 do not implement the component-model `implements` proposal: \
                 their wasmparser reads such an import name as malformed (\"invalid leading \
                 byte (0x2) for import name\")",
    },
    Known {
        file: "adapter.wast",
        lines: &[97],
        majors: 49..=49,
        reason: "Wasmtime 49's adapters do not trap on a call into the same component \
                 instance (its wasmtime-environ fact/trampoline.rs emits no \
                 CannotEnterComponent; 48 traps for the instance and its ancestors, 50 again \
                 for the same instance), so instantiation succeeds",
    },
    Known {
        file: "resources.wast",
        lines: &[812],
        majors: 50..=50,
        reason: "a Wasmtime 50.0.0 bug: with concurrency support (its default), a dynamic \
                 (`Val`) host function with two `borrow<T>` parameters, called from a start \
                 function during a synchronous instantiation, fails with \"BUG: deferred host \
                 scope has no call context\" (wasmtime 50's runtime/vm/component/resources.rs:328) \
                 while the borrows are lifted, before the host function runs; the C API has only \
                 dynamic host functions (Wasmtime's runner, with typed ones and async \
                 instantiation, does not reach it); 49 passes, and so does 50 with concurrency \
                 support off (tests/component.rs, two_borrows_passed_to_the_host_from_a_start_function)",
    },
    // The `async/` files. Those of 45 to 47 name the Wasmtime change (in
    // the history of Wasmtime's repository, between the release's tag and
    // v48.0.0) that added the test or changed what it expects.
    Known {
        file: "async/cancel-sync-and-waitable.wast",
        lines: &[68, 121, 174, 227, 301],
        majors: 45..=47,
        reason: "Wasmtime 45 to 47 do not trap on a synchronous `{stream,future}.cancel-{read,\
                 write}` or `subtask.cancel` of a waitable that is in a waitable set: the trap \
                 (component-model#647) came in 48 with wasmtime#13708, which added this file; the \
                 cancel returns",
    },
    Known {
        file: "async/futures-must-write2.wast",
        lines: &[39],
        majors: 45..=46,
        reason: "Wasmtime 45 and 46 let a future's write end be dropped without a value being \
                 written in this case: the unconditional trap came in 47 with wasmtime#13691, \
                 which added this file",
    },
    Known {
        file: "async/sync-and-async-waitable.wast",
        lines: &[123],
        majors: 45..=45,
        reason: "Wasmtime 45 has no trap for a waitable used synchronously while it is in a \
                 waitable set (it came in 46 with wasmtime#13415, which added this file): 45 \
                 reaches its internal error `BUG: event expected to be present` \
                 (runtime/component/concurrent.rs:3674) instead",
    },
    Known {
        file: "async/waitable-set-stale-entry.wast",
        lines: &[123, 125, 127, 129, 131, 133],
        majors: 45..=45,
        reason: "Wasmtime 45 leaves a dropped waitable set's pending entry behind (fixed by \
                 wasmtime#13663, backported to 46.0.0 with this file in #13668): the calls fail \
                 with `resource not present`",
    },
    Known {
        file: "async/trap-if-done.wast",
        lines: &[722],
        majors: 45..=45,
        reason: "Wasmtime 45 lets the read end of a future whose read succeeded be passed to \
                 another component: the trap `cannot lift future after previous read \
                 succeeded` came with wasmtime#13664, backported to 46.0.0 with this test in \
                 #13668",
    },
    Known {
        file: "async/future-drop-writable-after-notified-drop.wast",
        lines: &[160],
        majors: 47..=47,
        reason: "Wasmtime 47 refuses dropping a future's write end after the reader's drop was \
                 delivered asynchronously (\"cannot drop future write end without first writing \
                 a value\"): the write-before-drop rule of 47 (wasmtime#13691) missed that case, \
                 fixed in 48 by wasmtime#13914, which added this file (45 and 46, without the \
                 rule, pass)",
    },
    Known {
        file: "async/task-builtins.wast",
        lines: &[201, 466, 721],
        majors: 45..=47,
        reason: "Wasmtime 45 to 47 run `realloc` (which the runtime calls for a string result \
                 or a future or stream read) in the calling task's context slots, so it sees \
                 and changes the caller's `context.get` value; 48 gives it a context of its own \
                 (wasmtime#13949, which changed these tests' expectations), so the tests' checks \
                 reach `unreachable`",
    },
    // 49 and 50: their own test files are not in the history at hand, so
    // each reason names the code of the release that behaves differently.
    Known {
        file: "async/callback-yield-then-exit.wast",
        lines: &[50, 51],
        majors: 49..=50,
        reason: "Wasmtime 49 and 50 let a synchronous caller's async callee yield: whether a \
                 task may suspend is kept per component instance (`do_not_suspend`, \
                 `switch_if_may_not_suspend` in 49's runtime/component/concurrent.rs:2065), and a \
                 yield where it may not completes instead of trapping (concurrent.rs:4044), \
                 where 48 trapped `cannot block a synchronous task before returning` for any task \
                 that may not block (`check_blocking_for`, 48's concurrent.rs:5627); the call \
                 returns, and the next one finds the instance usable",
    },
    Known {
        file: "async/fused.wast",
        lines: &[148],
        majors: 49..=50,
        reason: "Wasmtime 49 and 50 let a sync-lowered call into an async export of another \
                 instance wait for it: whether a task may suspend is kept per component instance \
                 (`do_not_suspend`, `switch_if_may_not_suspend` in 49's \
                 runtime/component/concurrent.rs:2065), where 48 trapped `cannot block a \
                 synchronous task before returning` (`check_blocking_for`, concurrent.rs:5627)",
    },
    Known {
        file: "async/future-read.wast",
        lines: &[125],
        majors: 49..=50,
        reason: "Wasmtime 49 and 50 let a sync-lowered call into an async export of another \
                 instance wait for it: whether a task may suspend is kept per component instance \
                 (`do_not_suspend`, `switch_if_may_not_suspend` in 49's \
                 runtime/component/concurrent.rs:2065), where 48 trapped `cannot block a \
                 synchronous task before returning` (`check_blocking_for`, concurrent.rs:5627)",
    },
    Known {
        file: "async/stackful.wast",
        lines: &[107],
        majors: 49..=50,
        reason: "Wasmtime 49 and 50 let a sync-lowered call into an async export of another \
                 instance wait for it: whether a task may suspend is kept per component instance \
                 (`do_not_suspend`, `switch_if_may_not_suspend` in 49's \
                 runtime/component/concurrent.rs:2065), where 48 trapped `cannot block a \
                 synchronous task before returning` (`check_blocking_for`, concurrent.rs:5627)",
    },
    Known {
        file: "async/stackful.wast",
        lines: &[110, 121, 132],
        majors: 50..=50,
        reason: "Wasmtime 50's wasmparser no longer reads the `cancellable` flag of \
                 `waitable-set.wait`/`waitable-set.poll`/`thread.yield` that these v48 \
                 components set (\"invalid leading byte (0x1) for zero byte; this was \
                 historically accepted as `cancellable` until WebAssembly/component-model#716\"), \
                 so it refuses them",
    },
    Known {
        file: "async/reentrance.wast",
        lines: &[92],
        majors: 49..=50,
        reason: "Wasmtime 49 and 50 do not trap on a call through an adapter between a component \
                 instance and its ancestor: 49's wasmtime-environ fact/trampoline.rs emits no \
                 `CannotEnterComponent`, and 50's only for the same instance, where 48 trapped \
                 for ancestors too (fact/trampoline.rs:118); the call returns",
    },
    Known {
        file: "async/task-builtins.wast",
        lines: &[390, 391, 392, 393],
        majors: 49..=50,
        reason: "Wasmtime 49 and 50 keep a task's context slots apart from the `realloc` the \
                 runtime calls across a component composition (wasmtime#14139, after 48, which \
                 changed this file's expectations from 500 to 400 at lines 329 to 365): the first \
                 call reaches `unreachable` at its check, and the instance is then refused (\"cannot \
                 enter component instance\")",
    },
    Known {
        file: "async/task-builtins.wast",
        lines: &[721],
        majors: 49..=50,
        reason: "Wasmtime 49 and 50 defer creating an async-lowered callee's task \
                 (`VMDeferredThread`, `force_deferred_current_thread` in 49's \
                 runtime/component/concurrent.rs:1722; 48 has neither), so the reader has not \
                 reached its `future.read` when the writer's `future.write` runs: the write does \
                 not complete at once and the writer's `COMPLETED` check in `run` (the trapping \
                 wasm function 9) reaches `unreachable`",
    },
];

/// Why the failure of `file`'s directive at `line` on Wasmtime `major` is
/// a known difference of that release, if it is.
pub fn reason(file: &str, line: usize, major: u32) -> Option<&'static str> {
    KNOWN
        .iter()
        .find(|k| k.file == file && k.lines.contains(&line) && k.majors.contains(&major))
        .map(|k| k.reason)
}

/// Files whose directives end the process on some majors (a panic or a
/// fault inside Wasmtime), so that none of them runs there: (file, majors,
/// reason).
pub const CRASHES: &[(&str, RangeInclusive<u32>, &str)] = &[
    (
        "strings.wast",
        40..=43,
        "Wasmtime 40 to 43 (their .0 releases, the PyPI wheels) end the process on a \
         misaligned UTF-16 string passed by the guest: the transcoding libcall panics \
         (\"unaligned 16-bit pointer\", runtime/vm/component/libcalls.rs:160 on 40 and 41 \
         and :162 on 42, measured) instead of trapping; 44 traps",
    ),
    (
        "string-transcode-invalid.wast",
        40..=43,
        "Wasmtime 40 to 43 (their .0 releases, the PyPI wheels) end the process (a \
         segmentation fault, measured) transcoding the invalid strings of this file; 44 traps",
    ),
];

/// Why `file`'s directives are not run on Wasmtime `major`, if they are not.
pub fn crash(file: &str, major: u32) -> Option<&'static str> {
    CRASHES
        .iter()
        .find(|(f, majors, _)| *f == file && majors.contains(&major))
        .map(|(_, _, reason)| *reason)
}
