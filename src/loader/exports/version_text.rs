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
/// Measured on every library the tests use: 101 KiB (minimal builds) to
/// 1.44 MiB (official 49.0.0); compiler-only builds 585 KiB.
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
    for at in memchr::memmem::find_iter(rodata, AFTER) {
        match version_before(&rodata[..at]) {
            Some(v) if CARRIED.get(v.major()).is_some() && found.is_none_or(|f| f == v) => {
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

/// The version `X.Y.Z` at the end of `bytes`, right after [`BEFORE`].
fn version_before(bytes: &[u8]) -> Option<Version> {
    let tail = &bytes[bytes.len().saturating_sub(LONGEST_VERSION + BEFORE.len())..];
    let start = memchr::memmem::rfind(tail, BEFORE)? + BEFORE.len();
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

    #[test]
    fn absent_or_oversized_is_absent() {
        assert_eq!(find(&[b'v'; 5000]), VersionText::Absent);
        assert_eq!(find(&[]), VersionText::Absent);
        let mut huge = vec![0u8; MAX_RODATA + 1];
        huge[..text("48.0.0").len()].copy_from_slice(&text("48.0.0"));
        assert_eq!(find(&huge), VersionText::Absent);
    }
}
