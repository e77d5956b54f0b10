//! How each major numbers its trap codes.
//!
//! `wasmtime_trap_code` returns the Rust `Trap` enum's discriminant
//! (`*trap as u8`, `crates/c-api/src/trap.rs` in every major). Up to 41 that
//! enum has `AlwaysTrapAdapter` at 11, which the header enum (and the enum
//! from 42 on) does not, and 41 adds `DebugAssertMayEnterUnset` at 29; from
//! 42 codes are only appended. Read from `crates/environ/src/trap_encoding.rs`
//! at v36.0.0, v38.0.1, v40.0.0, v41.0.0 and v42.0.0; out-of-fuel measured
//! as 12 on the 36 to 41 libraries and 11 from 42 (`VERSIONS-36-44.md`).

use super::ByMajor;
use std::ops::RangeInclusive;

/// A major's trap numbering against the one of 42 and later (the one
/// [`Trap`](crate::Trap) decodes).
pub(crate) struct TrapNumbering {
    /// Ranges of the library's codes, each with what to subtract to get
    /// the code of 42 and later.
    pub(crate) shifted: &'static [(RangeInclusive<u8>, u8)],
    /// Codes with no counterpart from 42 on (kept as the library's number,
    /// [`Trap::Other`](crate::Trap::Other)).
    pub(crate) own: &'static [u8],
}

impl TrapNumbering {
    /// The code of 42 and later for the library's `code`; `None` for one of
    /// [`TrapNumbering::own`] or a code outside the known ranges.
    pub(crate) fn canonical(&self, code: u8) -> Option<u8> {
        if self.own.contains(&code) {
            return None;
        }
        self.shifted
            .iter()
            .find(|(range, _)| range.contains(&code))
            .map(|(_, shift)| code - shift)
    }
}

/// 36 to 40: `AlwaysTrapAdapter` at 11, the rest one above (36 and 37 end
/// at 23, 38 and 39 at 24, 40 at 25).
const WITH_ADAPTER: TrapNumbering = TrapNumbering {
    shifted: &[(0..=10, 0), (12..=25, 1)],
    own: &[11],
};

/// 41: as 36 to 40, plus `DebugAssertMayEnterUnset` at 29 and the codes
/// after it two above (ends at 35).
const WITH_ADAPTER_41: TrapNumbering = TrapNumbering {
    shifted: &[(0..=10, 0), (12..=28, 1), (30..=35, 2)],
    own: &[11, 29],
};

/// 42 and later: the header's numbering.
const HEADER: TrapNumbering = TrapNumbering {
    shifted: &[(0..=u8::MAX, 0)],
    own: &[],
};

/// Each major's trap numbering.
pub(crate) const TRAP_NUMBERING: ByMajor<TrapNumbering> = ByMajor(&[
    (36..=40, WITH_ADAPTER),
    (41..=41, WITH_ADAPTER_41),
    (42..=50, HEADER),
]);

#[cfg(test)]
mod tests {
    use super::*;

    /// The codes the survey measured (unreachable 9, division by zero 7,
    /// out of fuel 12 on 36 to 41) and those read from the enums.
    #[test]
    fn codes_map_to_the_numbering_of_42() {
        for major in 36..=41 {
            let n = TRAP_NUMBERING.of(major);
            assert_eq!(n.canonical(9), Some(9), "{major}: unreachable");
            assert_eq!(n.canonical(7), Some(7), "{major}: division by zero");
            assert_eq!(n.canonical(12), Some(11), "{major}: out of fuel");
            assert_eq!(n.canonical(11), None, "{major}: AlwaysTrapAdapter");
            // UnhandledTag: 20 there, 19 from 42.
            assert_eq!(n.canonical(20), Some(19), "{major}");
        }
        // 41's UnalignedPointer (35) is 33 from 42; its 29 has no match.
        assert_eq!(TRAP_NUMBERING.of(41).canonical(35), Some(33));
        assert_eq!(TRAP_NUMBERING.of(41).canonical(29), None);
        assert_eq!(TRAP_NUMBERING.of(40).canonical(25), Some(24));
        for major in 42..=50 {
            assert_eq!(TRAP_NUMBERING.of(major).canonical(11), Some(11));
            assert_eq!(TRAP_NUMBERING.of(major).canonical(53), Some(53));
        }
    }
}
