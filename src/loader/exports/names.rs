//! The set of names a library exports, each with its symbol value: an
//! open-addressing table of slots pointing into the file's string table,
//! found by a keyed word-at-a-time hash.
//!
//! A general map (`HashMap<&[u8], _>` with SipHash, then with this hash)
//! cost more than reading the file; this one does one multiply per eight
//! bytes of a name and compares the bytes only where 16 bits of the hash
//! agree. The hash starts from a key drawn once per process: without it a
//! file could be crafted whose names all collide, making the table (and
//! `Wasmtime::open`, before it refuses the file) quadratic.

use std::sync::OnceLock;

/// A slot is a `u64`: the name's start in the strings (low 32 bits), its
/// length (the next 16) and 16 bits of its hash (the top 16); 0 where the
/// slot is empty (no exported name is empty). The slots and the values are
/// two arrays of zeros at first, which the allocator hands out without
/// writing them (`calloc`).
const fn slot(start: u32, len_tag: u32) -> u64 {
    start as u64 | (len_tag as u64) << 32
}

/// The value of a name only `dlsym` can place.
const UNKNOWN: u64 = u64::MAX;
/// The longest name kept.
pub(super) const LONGEST: usize = u16::MAX as usize;

/// Exported names, each with its symbol value where the address is that
/// value plus the load base, `None` where only `dlsym` can tell.
pub(super) struct NameTable<'a> {
    strings: &'a [u8],
    slots: Vec<u64>,
    /// Each slot's symbol value, or [`UNKNOWN`].
    values: Vec<u64>,
    /// `64 - log2(slots.len())`: the hash's top bits index the slots.
    shift: u32,
    /// Slots in use: at most half of them.
    filled: usize,
    key: u64,
}

impl<'a> NameTable<'a> {
    /// A table for `names` names from `strings` (more make it grow).
    pub(super) fn with_capacity(strings: &'a [u8], names: usize) -> Self {
        // At most half full.
        let len = names.saturating_mul(2).max(16).next_power_of_two();
        NameTable {
            strings,
            slots: vec![0; len],
            values: vec![0; len],
            shift: 64 - len.trailing_zeros(),
            filled: 0,
            key: key(),
        }
    }

    /// The keyed hash of `name`: a multiply per eight bytes, the last
    /// (partial) word read overlapping the one before it.
    #[inline(always)]
    fn hash(&self, name: &[u8]) -> u64 {
        #[inline(always)]
        fn mix(h: u64, w: u64) -> u64 {
            (h ^ w).wrapping_mul(K).rotate_left(29)
        }
        #[inline(always)]
        fn word(b: &[u8]) -> u64 {
            let mut w = [0u8; 8];
            w.copy_from_slice(&b[..8]);
            u64::from_le_bytes(w)
        }
        const K: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut h = self.key ^ name.len() as u64;
        let last = if name.len() >= 8 {
            let mut rest = name;
            while rest.len() > 8 {
                h = mix(h, word(rest));
                rest = &rest[8..];
            }
            word(&name[name.len() - 8..])
        } else {
            name.iter()
                .rev()
                .fold(0u64, |w, &b| (w << 8) | u64::from(b))
        };
        mix(h, last).wrapping_mul(K)
    }

    /// The slot holding `name`, or the empty one where it would go, and
    /// the slot's `len_tag` for it.
    #[inline]
    fn find(&self, name: &[u8]) -> (usize, u32) {
        let (at, want, _) = self.find_counting(name);
        (at, want)
    }

    /// [`find`](Self::find), also saying how many slots it looked at (the
    /// count is optimised away where unused; tests read it to show that
    /// lookups stay short however many names there are).
    #[inline(always)]
    fn find_counting(&self, name: &[u8]) -> (usize, u32, usize) {
        let hash = self.hash(name);
        let want = (name.len() as u32) | ((hash as u32) << 16);
        let mask = self.slots.len() - 1;
        let mut at = (hash >> self.shift) as usize;
        let mut looked = 1;
        loop {
            let slot = self.slots[at];
            if slot == 0 {
                return (at, want, looked);
            }
            if (slot >> 32) as u32 == want {
                let start = slot as u32 as usize;
                if self.strings.get(start..start + name.len()) == Some(name) {
                    return (at, want, looked);
                }
            }
            at = (at + 1) & mask;
            looked += 1;
        }
    }

    /// Adds the name at `strings[start..end]` (not empty, at most
    /// [`LONGEST`] bytes, starting within the first 4 GiB of the strings:
    /// others are left out); a name added twice (symbol versions) is left
    /// to `dlsym`.
    #[inline]
    pub(super) fn insert(&mut self, start: usize, end: usize, value: Option<u64>) {
        let (Some(name), Ok(start32)) = (self.strings.get(start..end), u32::try_from(start)) else {
            return;
        };
        if name.is_empty() || name.len() > LONGEST {
            return;
        }
        if (self.filled + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let (at, len_tag) = self.find(name);
        if self.slots[at] != 0 {
            self.values[at] = UNKNOWN;
            return;
        }
        self.slots[at] = slot(start32, len_tag);
        self.values[at] = value.unwrap_or(UNKNOWN);
        self.filled += 1;
    }

    /// Twice the slots, every name placed again.
    #[cold]
    fn grow(&mut self) {
        let len = self.slots.len() * 2;
        let slots = std::mem::replace(&mut self.slots, vec![0; len]);
        let values = std::mem::replace(&mut self.values, vec![0; len]);
        self.shift = 64 - len.trailing_zeros();
        for (slot, value) in slots.into_iter().zip(values).filter(|(s, _)| *s != 0) {
            let start = slot as u32 as usize;
            let len = (slot >> 32) as usize & 0xffff;
            let (at, _) = self.find(&self.strings[start..start + len]);
            self.slots[at] = slot;
            self.values[at] = value;
        }
    }

    /// `None` if `name` is not there, `Some(None)` if only `dlsym` can
    /// place it.
    #[inline]
    pub(super) fn get(&self, name: &[u8]) -> Option<Option<u64>> {
        if name.is_empty() || name.len() > LONGEST {
            return None;
        }
        let at = self.find(name).0;
        let value = self.values[at];
        (self.slots[at] != 0).then_some((value != UNKNOWN).then_some(value))
    }

    pub(super) fn contains(&self, name: &[u8]) -> bool {
        self.get(name).is_some()
    }
}

/// This process's key, drawn once from the system's randomness (through
/// `RandomState`).
fn key() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    static KEY: OnceLock<u64> = OnceLock::new();
    *KEY.get_or_init(|| {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u64(0x7761_736d_7469_6d65);
        hasher.finish()
    })
}

#[cfg(test)]
mod tests {
    use super::NameTable;

    /// Names that differ only in a few digits in the middle, as a file
    /// crafted against a weak hash would hold, each found after looking at
    /// about as many slots at 320,000 names as at 20,000 (and few: the table
    /// is at most half full), so building and querying the table stays
    /// linear in the file. Counted slots, not time: the count does not
    /// depend on the machine's load or caches.
    #[test]
    fn lookups_stay_short_however_many_names() {
        let average = |n: usize| {
            let mut strings = Vec::new();
            let mut spans = Vec::new();
            for i in 0..n {
                let start = strings.len();
                strings.extend(format!("wasm{i:012}zzzz").as_bytes());
                spans.push((start, strings.len()));
            }
            let mut table = NameTable::with_capacity(&strings, 16);
            for &(start, end) in &spans {
                table.insert(start, end, Some(0));
            }
            let mut looked = 0;
            for &(start, end) in &spans {
                looked += table.find_counting(&strings[start..end]).2;
            }
            for i in 0..n {
                looked += table.find_counting(format!("wasm{i:012}yyyy").as_bytes()).2;
            }
            looked as f64 / (2 * n) as f64
        };
        let (small, large) = (average(20_000), average(320_000));
        assert!(
            small < 4.0 && large < 4.0 && large < small * 1.5,
            "slots looked at per lookup: {small:.2} at 20k names, {large:.2} at 320k"
        );
    }

    /// Every name of every length is found with its value, absent names
    /// are not, and a name added twice is left to `dlsym`.
    #[test]
    fn names_are_found_as_added() {
        let mut strings = Vec::new();
        let mut spans = Vec::new();
        for i in 0..300usize {
            let start = strings.len();
            strings.extend(std::iter::repeat(b'a' + (i % 26) as u8).take(1 + i % 40));
            strings.extend(i.to_string().as_bytes());
            spans.push((start, strings.len()));
        }
        // Too small at first: it grows.
        let mut table = NameTable::with_capacity(&strings, 10);
        for (i, &(start, end)) in spans.iter().enumerate() {
            table.insert(start, end, Some(i as u64));
        }
        let (start, end) = spans[7];
        table.insert(start, end, Some(0));
        for (i, &(start, end)) in spans.iter().enumerate() {
            let want = if i == 7 {
                Some(None)
            } else {
                Some(Some(i as u64))
            };
            assert_eq!(table.get(&strings[start..end]), want, "{i}");
        }
        for absent in [
            &b"b"[..],
            b"",
            b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa0",
            b"zz",
        ] {
            assert_eq!(table.get(absent), None);
        }
    }
}
