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
use crate::versions::version_text::{AFTER, BEFORE, CARRIED, SOURCE_AFTER, SOURCE_BEFORE};

/// The largest `.rodata` looked at: 32 MiB.
///
/// Measured on every library the tests use: 88 to 89 KiB (minimal builds of
/// 36, 48 and 50, the size-optimised recipe), 289 KiB (run-only), 550 to
/// 585 KiB (compiler-only), 985 KiB to 1,439 KiB (official 36 to 50).
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

/// Searches `rodata`, a library's `.rodata` section, for the `wasmtime`
/// crate's source paths ([`SOURCE_BEFORE`] `X.Y.Z` [`SOURCE_AFTER`]): one
/// version when every such path names it, ambiguous when two versions are
/// named. A [`SOURCE_BEFORE`] not followed by a version and
/// [`SOURCE_AFTER`] is another crate's path (`/wasmtime-environ-36.0.0/`),
/// passed over.
pub(crate) fn find_source(rodata: &[u8]) -> VersionText {
    if rodata.len() > MAX_RODATA {
        return VersionText::Absent;
    }
    let mut found: Option<Version> = None;
    for at in occurrences(rodata, SOURCE_BEFORE) {
        let rest = &rodata[at + SOURCE_BEFORE.len()..];
        let rest = &rest[..rest.len().min(LONGEST_VERSION + SOURCE_AFTER.len())];
        let Some(version) = version_then(rest, SOURCE_AFTER) else {
            continue;
        };
        match found {
            Some(f) if f != version => return VersionText::Ambiguous,
            _ => found = Some(version),
        }
    }
    found.map_or(VersionText::Absent, VersionText::One)
}

/// The version `X.Y.Z` at the start of `bytes`, when `after` follows it.
fn version_then(bytes: &[u8], after: &[u8]) -> Option<Version> {
    let end = bytes.windows(after.len()).position(|w| w == after)?;
    parse(&bytes[..end])
}

/// `X.Y.Z`, digits only, each number of up to ten digits.
fn parse(bytes: &[u8]) -> Option<Version> {
    let text = std::str::from_utf8(bytes).ok()?;
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

/// Where `needle` (at least two bytes) starts in `haystack`: the places
/// where its first and last bytes are at the needle's distance (for
/// [`AFTER`], a `\n` with an `e` 26 bytes on: 9 or 10 places in the
/// `.rodata` of the minimal and run-only builds of 48 and 50, where a
/// `\n\n` is at up to 471), each looked at closer.
fn occurrences(haystack: &[u8], needle: &[u8]) -> Vec<usize> {
    let mut found = Vec::new();
    let last = needle.len() - 1;
    pairs(haystack, needle[0], needle[last], last, |at| {
        if haystack[at..].starts_with(needle) {
            found.push(at);
        }
    });
    found
}

/// Calls `f` with every `at` where `haystack[at] == first` and
/// `haystack[at + distance] == second` (and, near the end, maybe with a few
/// more where only the first matches: `f` checks), in order; 64 bytes at a
/// time with SSE2, which every x86-64 processor has: no CPU feature
/// detection (`cpuid`, a trap to the hypervisor in a virtual machine, cost
/// more than the whole search).
fn pairs(haystack: &[u8], first: u8, second: u8, distance: usize, mut f: impl FnMut(usize)) {
    let mut at = 0;
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    {
        use std::arch::x86_64::{
            __m128i, _mm_and_si128, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8,
            _mm_or_si128, _mm_set1_epi8,
        };
        // SAFETY: SSE2 is enabled for this build (the `cfg` above); the
        // calls only build vectors.
        let (a, b) = unsafe { (_mm_set1_epi8(first as i8), _mm_set1_epi8(second as i8)) };
        const BLOCK: usize = 64;
        while at + BLOCK + distance <= haystack.len() {
            let window = &haystack[at..at + BLOCK + distance];
            let p = window.as_ptr();
            // SAFETY: SSE2 is enabled for this build (the `cfg` above, true
            // of every x86-64 target); each unaligned 16-byte load reads
            // `window[k..k + 16]` or `window[distance + k..distance + k +
            // 16]` for `k` up to 48, which lie in the window just taken.
            let masks = unsafe {
                let hits = |k: usize| {
                    let x = _mm_cmpeq_epi8(_mm_loadu_si128(p.add(k).cast::<__m128i>()), a);
                    let y =
                        _mm_cmpeq_epi8(_mm_loadu_si128(p.add(distance + k).cast::<__m128i>()), b);
                    _mm_and_si128(x, y)
                };
                let (m0, m1, m2, m3) = (hits(0), hits(16), hits(32), hits(48));
                let any = _mm_or_si128(_mm_or_si128(m0, m1), _mm_or_si128(m2, m3));
                if _mm_movemask_epi8(any) == 0 {
                    None
                } else {
                    Some([m0, m1, m2, m3].map(|m| _mm_movemask_epi8(m) as u32 as u64))
                }
            };
            if let Some([m0, m1, m2, m3]) = masks {
                let mut hits = m0 | m1 << 16 | m2 << 32 | m3 << 48;
                while hits != 0 {
                    f(at + hits.trailing_zeros() as usize);
                    hits &= hits - 1;
                }
            }
            at += BLOCK;
        }
    }
    let _ = (second, distance);
    for (i, &byte) in haystack.iter().enumerate().skip(at) {
        if byte == first {
            f(i);
        }
    }
}

/// The version `X.Y.Z` at the end of `bytes`, right after [`BEFORE`].
fn version_before(bytes: &[u8]) -> Option<Version> {
    let tail = &bytes[bytes.len().saturating_sub(LONGEST_VERSION + BEFORE.len())..];
    let start = tail.windows(BEFORE.len()).rposition(|w| w == BEFORE)? + BEFORE.len();
    parse(&tail[start..])
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

    /// The vector search finds what a plain one does, at every alignment,
    /// with needles overlapping and at either end, in haystacks shorter and
    /// longer than its blocks.
    #[test]
    fn occurrences_are_those_of_a_plain_search() {
        let plain = |h: &[u8], n: &[u8]| -> Vec<usize> {
            (0..h.len()).filter(|&i| h[i..].starts_with(n)).collect()
        };
        for needle in [&b"\n\nab"[..], b"\n\n", b"\nxy\n\n\nthe end of it\n\nb"] {
            for len in (0..40).chain([63, 64, 65, 90, 130, 200, 257]) {
                for at in 0..len {
                    let mut h: Vec<u8> = (0..len).map(|i| b"\n\x0b\x8a\nxab"[i % 7]).collect();
                    let end = (at + needle.len()).min(len);
                    h[at..end].copy_from_slice(&needle[..end - at]);
                    if at >= 3 {
                        // A second one, overlapping the first or not.
                        let second = (at / 3 + needle.len() / 2).min(len);
                        let end = (second + needle.len()).min(len);
                        h[second..end].copy_from_slice(&needle[..end - second]);
                    }
                    let found = occurrences(&h, needle);
                    assert_eq!(found, plain(&h, needle), "{h:?}");
                }
            }
        }
        for len in [37, 64, 100, 300] {
            let all = vec![b'\n'; len];
            assert_eq!(occurrences(&all, b"\n\n").len(), len - 1);
        }
    }

    fn path(version: &str) -> Vec<u8> {
        [
            b"x/registry/src/index.crates.io-1949cf8c6b5b557f".as_slice(),
            SOURCE_BEFORE,
            version.as_bytes(),
            SOURCE_AFTER,
            b"engine.rs",
        ]
        .concat()
    }

    #[test]
    fn source_paths_name_the_version() {
        let mut data = vec![b'x'; 100];
        // Other crates of the release, and a pre-release, are passed over.
        data.extend(b"\0/root/.cargo/registry/src/i/wasmtime-environ-36.0.0/src/lib.rs");
        data.extend(b"/wasmtime-36.0.0-rc1/src/x.rs/wasmtime-/wasmtime-36.0/src/");
        assert_eq!(find_source(&data), VersionText::Absent);
        data.extend(path("36.0.0"));
        data.extend([b'y'; 70]);
        data.extend(path("36.0.0"));
        assert_eq!(
            find_source(&data),
            VersionText::One(Version::exact(36, 0, 0))
        );
        // At the very end, the path cut short after the version: passed over.
        let mut cut = data.clone();
        cut.extend(b"/wasmtime-37.0.0/sr");
        assert_eq!(
            find_source(&cut),
            VersionText::One(Version::exact(36, 0, 0))
        );
        data.extend(path("36.0.1"));
        assert_eq!(find_source(&data), VersionText::Ambiguous);
        let mut huge = vec![0u8; MAX_RODATA + 1];
        huge[..path("36.0.0").len()].copy_from_slice(&path("36.0.0"));
        assert_eq!(find_source(&huge), VersionText::Absent);
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
