//! Finding the exact version a library names in its read-only data
//! ([`crate::versions::version_text`]), for builds without the symbol that
//! names it.
//!
//! The loader looks in the `.rodata` section of the loaded object, where
//! the file it read says it is (the dynamic linker has mapped it; nothing
//! is copied), only where the file's symbol tables and build id show it is
//! the loaded object ([`super::super::addresses`]). One pass over the
//! section, linear in its size, which [`MAX_RODATA`] bounds (a larger
//! section is not looked at: the version is then found by probing, as when
//! the text is absent).

use super::super::Version;
use crate::versions::version_text::{AFTER, BEFORE, CARRIED};

/// The largest `.rodata` looked at: 32 MiB.
///
/// Measured on every library the tests use: 99 KiB (minimal builds of 48
/// and 50), 289 KiB (run-only), 585 KiB (compiler-only), 985 KiB to
/// 1,439 KiB (official 36 to 50).
pub(crate) const MAX_RODATA: usize = 32 << 20;
/// The longest version text looked at: three numbers of up to ten digits
/// and two dots.
const LONGEST_VERSION: usize = 32;

/// What a library's read-only data says about its version.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum VersionText {
    /// The text is there, naming this version, every time it appears.
    One(Version),
    /// The text is not there (or the section is not looked at).
    Absent,
    /// It appears naming different versions, or a version that is not one
    /// (or not of a major that carries the text): it cannot be trusted.
    Ambiguous,
}

/// Searches `rodata`, a library's `.rodata` section.
pub(crate) fn find(rodata: &[u8]) -> VersionText {
    if rodata.len() > MAX_RODATA {
        return VersionText::Absent;
    }
    let mut found: Option<Version> = None;
    let mut ambiguous = false;
    for at in occurrences(rodata, AFTER) {
        match version_before(&rodata[..at]) {
            Some(v) if CARRIED.get(v.major()).is_some() && found.map_or(true, |f| f == v) => {
                found = Some(v)
            }
            _ => ambiguous = true,
        }
    }
    match (found, ambiguous) {
        (_, true) => VersionText::Ambiguous,
        (Some(version), false) => VersionText::One(version),
        (None, false) => VersionText::Absent,
    }
}

/// Where `needle` (not empty) starts in `haystack`, found eight bytes at a
/// time: a word is looked at closer only where one of its bytes may be the
/// needle's first (the libraries' `.rodata` has one such byte, `\n`, in
/// some 140). Portable code, no CPU feature detection: detecting features
/// (`cpuid`, a trap to the hypervisor in a virtual machine) cost more than
/// the whole search.
fn occurrences(haystack: &[u8], needle: &[u8]) -> Vec<usize> {
    const LOW: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    let first = u64::from_ne_bytes([needle[0]; 8]);
    let mut found = Vec::new();
    let mut check = |at: usize| {
        if haystack[at..].starts_with(needle) {
            found.push(at);
        }
    };
    let mut words = haystack.chunks_exact(8);
    for (w, word) in (&mut words).enumerate() {
        // A high bit set in each byte equal to the needle's first (and
        // possibly in bytes after one: `check` tells).
        let x = u64::from_le_bytes(word.try_into().expect("eight bytes")) ^ first;
        let mut maybe = x.wrapping_sub(LOW) & !x & HIGH;
        while maybe != 0 {
            check(w * 8 + maybe.trailing_zeros() as usize / 8);
            maybe &= maybe - 1;
        }
    }
    let tail = haystack.len() - words.remainder().len();
    (tail..haystack.len()).for_each(check);
    found
}

/// The version `X.Y.Z` at the end of `bytes`, right after [`BEFORE`].
fn version_before(bytes: &[u8]) -> Option<Version> {
    let tail = &bytes[bytes.len().saturating_sub(LONGEST_VERSION + BEFORE.len())..];
    let start = tail.windows(BEFORE.len()).rposition(|w| w == BEFORE)? + BEFORE.len();
    let text = std::str::from_utf8(&tail[start..]).ok()?;
    let mut parts = text.split('.').map(|p| {
        // Digits only: `parse` would take a sign.
        (!p.is_empty() && p.len() <= 10 && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse::<u32>().ok())
            .flatten()
    });
    let (major, minor, patch) = (parts.next()??, parts.next()??, parts.next()??);
    parts
        .next()
        .is_none()
        .then(|| Version::exact(major, minor, patch))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(version: &str) -> Vec<u8> {
        [
            b"location: x.rs:1:2".as_slice(),
            BEFORE,
            version.as_bytes(),
            AFTER,
            b" that",
        ]
        .concat()
    }

    #[test]
    fn one_text_names_the_version() {
        let mut data = vec![b'x'; 1000];
        data.extend(text("48.0.1"));
        data.extend([b'y'; 100]);
        assert_eq!(find(&data), VersionText::One(Version::exact(48, 0, 1)));
        // Twice the same: still one version.
        data.extend(text("48.0.1"));
        assert_eq!(find(&data), VersionText::One(Version::exact(48, 0, 1)));
    }

    #[test]
    fn disagreeing_or_malformed_texts_are_ambiguous() {
        let two = [text("48.0.0"), text("49.0.0")].concat();
        assert_eq!(find(&two), VersionText::Ambiguous);
        for bad in [
            "48.0",
            "48.0.0.1",
            "+48.0.0",
            "48.x.0",
            "44.0.0",
            "99999999999.0.0",
        ] {
            assert_eq!(find(&text(bad)), VersionText::Ambiguous, "{bad}");
        }
        // `AFTER` alone, at the very start: no version before it.
        assert_eq!(find(AFTER), VersionText::Ambiguous);
    }

    /// The word-at-a-time search finds what a plain one does, at every
    /// alignment, with needles overlapping and at either end.
    #[test]
    fn occurrences_are_those_of_a_plain_search() {
        let plain = |h: &[u8], n: &[u8]| -> Vec<usize> {
            (0..h.len()).filter(|&i| h[i..].starts_with(n)).collect()
        };
        let needle = b"\n\nab";
        for len in 0..40 {
            for at in 0..len {
                let mut h: Vec<u8> = (0..len).map(|i| b"\n\x0b\x8a\nxa"[i % 6]).collect();
                let end = (at + needle.len()).min(len);
                h[at..end].copy_from_slice(&needle[..end - at]);
                let found = occurrences(&h, needle);
                assert_eq!(found, plain(&h, needle), "{h:?}");
            }
        }
        let all = vec![b'\n'; 37];
        assert_eq!(occurrences(&all, b"\n\n").len(), 36);
    }

    #[test]
    fn absent_or_oversized_is_absent() {
        assert_eq!(find(&[b'v'; 5000]), VersionText::Absent);
        assert_eq!(find(&[]), VersionText::Absent);
        let mut huge = vec![0u8; MAX_RODATA + 1];
        huge[..text("48.0.0").len()].copy_from_slice(&text("48.0.0"));
        assert_eq!(find(&huge), VersionText::Absent);
    }
}
