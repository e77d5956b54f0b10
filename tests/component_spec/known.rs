//! What a Wasmtime release does differently from the v48 test files, as
//! data: (file, lines, majors, reason). A directive listed here that fails
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
        majors: 42..=43,
        reason: "wasmtime-dyn refuses core modules importing or exporting tags before Wasmtime \
                 44, whose C API aborts the process describing a tag (a `todo!()` in its \
                 types/extern.rs): the exported module `m` is not compiled, and the instance \
                 importing it cannot be made",
    },
    Known {
        file: "types.wast",
        lines: &[378],
        majors: 42..=43,
        reason: "Wasmtime 42 and 43 trap on the out-of-range discriminant as expected, with the \
                 range of its message printed as \"[0..0)\" (measured; \"[0..2)\" from 44)",
    },
    Known {
        file: "big-strings.wast",
        lines: &[276, 374],
        majors: 42..=43,
        reason: "Wasmtime 42 and 43 trap in the adapter (an `unreachable` of the generated \
                 trampoline, measured) where later majors let the guest's own `unreachable` \
                 trap: both are traps, at another place",
    },
    Known {
        file: "big-strings.wast",
        lines: &[
            204, 215, 225, 253, 270, 286, 296, 324, 332, 347, 355, 369, 384, 390, 395, 405, 413,
        ],
        majors: 42..=44,
        reason: "Wasmtime 42 to 44's adapters check fewer string bounds before calling the \
                 callee's `realloc` (wasmtime-environ 44.0.3's fact/trampoline.rs raises \
                 StringOutOfBounds in two places, 47.0.4's in five more): the oversized string \
                 reaches the test's `realloc`, whose `unreachable` traps instead (measured)",
    },
    Known {
        file: "memory64.wast",
        lines: &[24, 122, 126, 131],
        majors: 42..=44,
        reason: "Wasmtime 42 to 44 do not parse a component lowering and lifting through a 64-bit \
                 memory (\"failed to parse WebAssembly module\", measured), so the component \
                 and the invokes of its instance fail",
    },
    Known {
        file: "exceptions.wast",
        lines: &[50, 127, 161, 237],
        majors: 42..=46,
        reason: "Wasmtime 42 to 46 do not stop an exception at a component boundary (the \
                 trap `uncaught exception propagated out of component` came in 47: \
                 wasmtime-environ's trap_encoding.rs has no UncaughtException before it), so \
                 the call returns and reaches the test's `unreachable`",
    },
    Known {
        file: "implements-disabled.wast",
        lines: &[3],
        majors: 42..=45,
        reason: "Wasmtime 42 to 45 do not implement the component-model `implements` proposal: \
                 their wasmparser reads such an import name as malformed (\"invalid leading \
                 byte (0x2) for import name\") instead of as a feature that is off",
    },
    Known {
        file: "implements.wast",
        lines: &[3],
        majors: 42..=45,
        reason: "Wasmtime 42 to 45 do not implement the component-model `implements` proposal: \
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
        42..=43,
        "Wasmtime 42 and 43 end the process on a misaligned UTF-16 string passed by the guest: \
         the transcoding libcall panics (\"unaligned 16-bit pointer\", \
         runtime/vm/component/libcalls.rs:162, measured) instead of trapping; 44 traps",
    ),
    (
        "string-transcode-invalid.wast",
        42..=43,
        "Wasmtime 42 and 43 end the process (a segmentation fault, measured) transcoding the \
         invalid strings of this file; 44 traps",
    ),
];

/// Why `file`'s directives are not run on Wasmtime `major`, if they are not.
pub fn crash(file: &str, major: u32) -> Option<&'static str> {
    CRASHES
        .iter()
        .find(|(f, majors, _)| *f == file && majors.contains(&major))
        .map(|(_, _, reason)| *reason)
}
