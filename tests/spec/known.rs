//! What an old Wasmtime, or wasmtime-dyn on it, does differently from the
//! suite, as data: (file, lines, majors, flavours, reason). A directive
//! listed here that fails on one of those majors and libraries is skipped
//! with the reason; one that passes counts as passed. Each reason names
//! what makes the difference.

use crate::common::Flavour;
use std::ops::RangeInclusive;

pub struct Known {
    /// The file's path inside the suite.
    pub file: &'static str,
    pub lines: &'static [usize],
    pub majors: RangeInclusive<u32>,
    pub flavours: &'static [Flavour],
    pub reason: &'static str,
}

/// Why the minimal build of 36 skips the calls the entries below depend
/// on: it loads every module precompiled, and wasmtime-dyn does not read
/// the types of a deserialized module before Wasmtime 45 in an engine with
/// the typed-reference proposals on (the C API of 36 to 44 aborts the
/// process on a typed reference type). A file whose modules need those
/// proposals runs with them on (`spec/typed_references.rs`), so every call
/// there needing a function's type is refused as too old and skipped.
macro_rules! after_a_refused_call {
    ($what:literal) => {
        concat!(
            "on the minimal build of Wasmtime 36 the call that ",
            $what,
            " is refused as too old and skipped (wasmtime-dyn reads no value type of a \
             deserialized module in an engine with the typed-reference proposals on before \
             Wasmtime 45, whose C API aborts the process on such types; the minimal build \
             loads every module deserialized): this directive depends on the state that call \
             would have made"
        )
    };
}

pub const KNOWN: &[Known] = &[Known {
    file: "global.wast",
    lines: &[265],
    majors: 36..=36,
    flavours: &[Flavour::Min],
    reason: after_a_refused_call!(
        "sets the global `$x`, the address it stores at, to 6 (line 222, `set-x`; -12 before)"
    ),
}];

/// The reason a failure of `line` of `file` on `flavour` of `major` is a
/// known difference, if it is one.
pub fn reason(file: &str, line: usize, major: u32, flavour: Flavour) -> Option<&'static str> {
    KNOWN
        .iter()
        .find(|k| {
            k.file == file
                && k.lines.contains(&line)
                && k.majors.contains(&major)
                && k.flavours.contains(&flavour)
        })
        .map(|k| k.reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_difference_names_a_line_of_the_suite() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/spec-testsuite");
        for k in KNOWN {
            let text = std::fs::read_to_string(dir.join(k.file))
                .unwrap_or_else(|e| panic!("{}: {e}", k.file));
            let count = text.lines().count();
            for line in k.lines {
                assert!(
                    *line <= count && text.lines().nth(line - 1).unwrap().starts_with('('),
                    "{}:{line} is not a directive",
                    k.file
                );
            }
            assert!(!k.majors.is_empty() && !k.flavours.is_empty() && !k.reason.is_empty());
        }
    }
}
