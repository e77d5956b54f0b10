//! The names the loader looks for (every function of every table), in one
//! open-addressing table built at compile time, and what a library file
//! exports of them.
//!
//! A library's exports are looked up in this fixed table, never inserted
//! into a table of their own: the work per export is one hash (a multiply
//! per eight bytes of its name) and a few slot probes, and every later
//! question (is this function there? where is it? is this table complete?)
//! is an array index. The table holds only names known when the crate is
//! built and is at most a quarter full, and its longest run of occupied
//! slots is checked at compile time ([`LONGEST_RUN`]): a name from an
//! untrusted file is compared with at most that many names, so no file,
//! however crafted, makes the lookups more than linear. No per-process key
//! is needed (a key drawn from the system's randomness cost a system call
//! per process).

use crate::sys::tables::TableId;

/// The tables, in [`TableId::ALL`] order.
const TABLES: usize = TableId::ALL.len();

/// Every table's functions (declared, then undeclared), table after table,
/// repeats included: a name two tables share (the signature variants of
/// one function) appears once per table.
const FLAT: usize = {
    let mut n = 0;
    let mut t = 0;
    while t < TABLES {
        n += TableId::ALL[t].functions().len() + TableId::ALL[t].undeclared().len();
        t += 1;
    }
    n
};

/// The slots: a power of two at least four times the names.
const SLOTS: usize = (FLAT * 4).next_power_of_two();
/// `64 - log2(SLOTS)`: the hash's top bits index the slots.
const SHIFT: u32 = 64 - SLOTS.trailing_zeros();
/// The longest run of occupied slots allowed: a lookup of a name that is
/// not in the table looks at no more slots than this (the build fails if
/// the names ever make a longer one).
const LONGEST_RUN: usize = 16;

/// The table of known names.
struct Known {
    /// The distinct names, the first `distinct` entries used.
    names: [&'static str; FLAT],
    distinct: usize,
    /// Each slot: 0 if empty, else the index of its name plus one.
    slots: [u16; SLOTS],
    /// For each entry of the flat list, the index of its name.
    flat: [u16; FLAT],
    /// Where each table's entries start in the flat list (and, last,
    /// where the list ends).
    starts: [usize; TABLES + 1],
}

/// The known names, built by the compiler.
static KNOWN: Known = build();

/// The number of distinct names: the size of [`Exported`]'s values.
pub(super) const DISTINCT: usize = build().distinct;

/// Eight bytes of `b` at `at`, little-endian: one load.
#[inline(always)]
const fn word(b: &[u8], at: usize) -> u64 {
    match b.split_at(at).1.first_chunk::<8>() {
        Some(bytes) => u64::from_le_bytes(*bytes),
        None => panic!("eight bytes at `at`"),
    }
}

/// The hash of a name: a multiply per eight bytes, the last (partial) word
/// read overlapping the one before it.
#[inline(always)]
const fn hash(name: &[u8]) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    #[inline(always)]
    const fn mix(h: u64, w: u64) -> u64 {
        (h ^ w).wrapping_mul(K).rotate_left(29)
    }
    let len = name.len();
    let mut h = (len as u64).wrapping_mul(K);
    if len >= 8 {
        let mut at = 0;
        while at + 8 < len {
            h = mix(h, word(name, at));
            at += 8;
        }
        h = mix(h, word(name, len - 8));
    } else {
        let mut tail = 0u64;
        let mut at = len;
        while at > 0 {
            at -= 1;
            tail = (tail << 8) | name[at] as u64;
        }
        h = mix(h, tail);
    }
    h.wrapping_mul(K)
}

/// Whether `a` and `b` are the same bytes, compared eight at a time.
#[inline(always)]
const fn same(a: &[u8], b: &[u8]) -> bool {
    let len = a.len();
    if len != b.len() {
        return false;
    }
    if len < 8 {
        let mut at = 0;
        while at < len {
            if a[at] != b[at] {
                return false;
            }
            at += 1;
        }
        return true;
    }
    let mut at = 0;
    while at + 8 < len {
        if word(a, at) != word(b, at) {
            return false;
        }
        at += 8;
    }
    word(a, len - 8) == word(b, len - 8)
}

/// The slot holding `name` in `slots` (of names `names`), or the empty one
/// where it would go.
#[inline(always)]
const fn probe(slots: &[u16; SLOTS], names: &[&'static str; FLAT], name: &[u8]) -> usize {
    let mut at = (hash(name) >> SHIFT) as usize;
    loop {
        let slot = slots[at];
        if slot == 0 || same(names[slot as usize - 1].as_bytes(), name) {
            return at;
        }
        at = (at + 1) & (SLOTS - 1);
    }
}

const fn build() -> Known {
    let mut known = Known {
        names: [""; FLAT],
        distinct: 0,
        slots: [0; SLOTS],
        flat: [0; FLAT],
        starts: [0; TABLES + 1],
    };
    let mut n = 0;
    let mut t = 0;
    while t < TABLES {
        let table = TableId::ALL[t];
        assert!(table as usize == t, "TableId::ALL is in declaration order");
        known.starts[t] = n;
        let lists = [table.functions(), table.undeclared()];
        let mut l = 0;
        while l < 2 {
            let list = lists[l];
            let mut f = 0;
            while f < list.len() {
                let name = list[f];
                assert!(!name.is_empty());
                let at = probe(&known.slots, &known.names, name.as_bytes());
                if known.slots[at] == 0 {
                    known.names[known.distinct] = name;
                    known.distinct += 1;
                    known.slots[at] = known.distinct as u16;
                }
                known.flat[n] = known.slots[at] - 1;
                n += 1;
                f += 1;
            }
            l += 1;
        }
        t += 1;
    }
    known.starts[TABLES] = n;
    assert!(known.distinct < u16::MAX as usize);
    // The longest run of occupied slots, wrapping around.
    let mut run = 0;
    let mut at = 0;
    while at < 2 * SLOTS {
        if known.slots[at & (SLOTS - 1)] == 0 {
            run = 0;
        } else {
            run += 1;
            assert!(
                run <= LONGEST_RUN,
                "the known names make a long run of slots: change the hash"
            );
        }
        at += 1;
    }
    known
}

/// The index of the known name `name` (`0..DISTINCT`), if it is one.
#[inline]
pub(super) fn index(name: &[u8]) -> Option<usize> {
    let slot = KNOWN.slots[probe(&KNOWN.slots, &KNOWN.names, name)];
    (slot != 0).then(|| slot as usize - 1)
}

/// The indices of `table`'s functions (declared, then undeclared), with
/// their names.
pub(super) fn of_table(table: TableId) -> impl Iterator<Item = (usize, &'static str)> {
    let t = table as usize;
    KNOWN.flat[KNOWN.starts[t]..KNOWN.starts[t + 1]]
        .iter()
        .map(|&i| (usize::from(i), KNOWN.names[usize::from(i)]))
}

/// Where the loader is in the list of every table's functions: tables
/// resolve their functions in order, and the loader resolves the tables in
/// [`TableId::ALL`] order, skipping some, so the next name asked for is
/// most often the next one of the list (a comparison, no hash), else the
/// first of a later table.
pub(crate) struct Cursor {
    next: usize,
}

impl Cursor {
    pub(crate) fn new() -> Self {
        Cursor { next: 0 }
    }

    /// The index of the known name `name`, if it is one.
    #[inline]
    fn index(&mut self, name: &[u8]) -> Option<usize> {
        if let Some(&i) = KNOWN.flat.get(self.next) {
            if same(KNOWN.names[usize::from(i)].as_bytes(), name) {
                self.next += 1;
                return Some(usize::from(i));
            }
        }
        self.jump(name)
    }

    /// As [`Cursor::index`] for a name that is not the next one: the first
    /// of a table, or else any known name (the cursor then stays).
    #[cold]
    fn jump(&mut self, name: &[u8]) -> Option<usize> {
        let first = |t: &usize| {
            let start = KNOWN.starts[*t];
            start < KNOWN.starts[t + 1]
                && same(KNOWN.names[usize::from(KNOWN.flat[start])].as_bytes(), name)
        };
        match (0..TABLES).find(first) {
            Some(t) => {
                let start = KNOWN.starts[t];
                self.next = start + 1;
                Some(usize::from(KNOWN.flat[start]))
            }
            None => index(name),
        }
    }
}

/// A value that says the name is exported but only `dlsym` can place it.
const UNKNOWN: u32 = u32::MAX;
/// A value that says the name is not exported.
const ABSENT: u32 = 0;

/// Which known names a file exports, each with its symbol value where the
/// address is that value plus the load base.
pub(super) struct Exported {
    /// By index: [`ABSENT`], [`UNKNOWN`], or the symbol value (32 bits:
    /// the fresh memory a process touches costs more than its
    /// instructions; a value that does not fit is left to `dlsym`).
    values: Vec<u32>,
}

impl Exported {
    pub(super) fn new() -> Self {
        Exported {
            values: vec![ABSENT; DISTINCT],
        }
    }

    /// Records an export `name` with `value` (`None` where only `dlsym`
    /// can place it); a name that is not a known one is ignored, and a
    /// name exported twice (symbol versions) is left to `dlsym`.
    #[inline]
    pub(super) fn insert(&mut self, name: &[u8], value: Option<u64>) {
        let Some(i) = index(name) else {
            return;
        };
        self.values[i] = match (self.values[i], value.map(u32::try_from)) {
            // Values that would read as absent or unknown, too.
            (ABSENT, Some(Ok(value))) if value != ABSENT => value,
            _ => UNKNOWN,
        };
    }

    /// `None` if the name at `index` is not exported, `Some(None)` if only
    /// `dlsym` can place it.
    #[inline]
    pub(super) fn at(&self, index: usize) -> Option<Option<u64>> {
        match self.values[index] {
            ABSENT => None,
            UNKNOWN => Some(None),
            value => Some(Some(u64::from(value))),
        }
    }

    /// As [`Exported::at`], by name, found through `cursor`.
    #[inline]
    pub(super) fn next(&self, cursor: &mut Cursor, name: &[u8]) -> Option<Option<u64>> {
        self.at(cursor.index(name)?)
    }

    /// As [`Exported::at`], by name; `None` for a name that is not a known
    /// one.
    #[inline]
    pub(super) fn get(&self, name: &[u8]) -> Option<Option<u64>> {
        self.at(index(name)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every function of every table is found, under its own name, and
    /// each table lists its functions in order.
    #[test]
    fn every_table_name_is_known() {
        let mut total = 0;
        for &table in TableId::ALL {
            let names: Vec<&str> = of_table(table).map(|(_, n)| n).collect();
            let want: Vec<&str> = table
                .functions()
                .iter()
                .chain(table.undeclared())
                .copied()
                .collect();
            assert_eq!(names, want, "{table:?}");
            for (i, name) in of_table(table) {
                assert_eq!(index(name.as_bytes()), Some(i), "{name}");
            }
            total += want.len();
        }
        assert_eq!(total, FLAT);
        assert!(DISTINCT <= FLAT && DISTINCT > TableId::Core.functions().len());
    }

    /// Names that are not known are not found, whatever their length, and
    /// none collides with a known one.
    #[test]
    fn unknown_names_are_not_found() {
        for name in [
            &b""[..],
            b"w",
            b"wasm",
            b"wasm_engine_new_",
            b"wasm_engine_ne",
            b"xasm_engine_new",
            b"wasm_engine_neW",
            &[b'w'; 300],
        ] {
            assert_eq!(index(name), None, "{:?}", String::from_utf8_lossy(name));
        }
        for &table in TableId::ALL {
            for (_, name) in of_table(table) {
                let mut changed = name.as_bytes().to_vec();
                let last = changed.len() - 1;
                changed[last] ^= 0x20;
                assert_eq!(index(&changed), None, "{name}");
            }
        }
    }

    /// The cursor finds every name, in the tables' order, skipping tables,
    /// and out of order.
    #[test]
    fn the_cursor_finds_names_in_any_order() {
        let mut exported = Exported::new();
        let mut all = Vec::new();
        let mut inserted = std::collections::HashSet::new();
        for (n, &table) in TableId::ALL.iter().enumerate() {
            for (i, name) in of_table(table) {
                // A name two tables share is exported once.
                if inserted.insert(i) {
                    exported.insert(name.as_bytes(), Some(i as u64 + 1));
                }
                all.push((n, i, name));
            }
        }
        for skip in [0, 1, 2, 3] {
            let mut cursor = Cursor::new();
            for &(n, i, name) in &all {
                if n % 4 != skip {
                    let got = exported.next(&mut cursor, name.as_bytes());
                    assert_eq!(got, Some(Some(i as u64 + 1)), "{name}");
                }
            }
        }
        let mut cursor = Cursor::new();
        for &(_, i, name) in all.iter().rev() {
            let got = exported.next(&mut cursor, name.as_bytes());
            assert_eq!(got, Some(Some(i as u64 + 1)), "{name}");
        }
        assert_eq!(exported.next(&mut cursor, b"wasm_nothing"), None);
    }

    /// How many slots a lookup of `name` looks at.
    fn looked_at(name: &[u8]) -> usize {
        let mut at = (hash(name) >> SHIFT) as usize;
        let mut looked = 1;
        loop {
            let slot = KNOWN.slots[at];
            if slot == 0 || same(KNOWN.names[slot as usize - 1].as_bytes(), name) {
                return looked;
            }
            at = (at + 1) & (SLOTS - 1);
            looked += 1;
        }
    }

    /// Names from a file, however many and however alike (here 320,000
    /// that differ in a few digits in the middle, as a file crafted against
    /// a weak hash would hold), are never inserted: each lookup looks at no
    /// more slots than the longest run of the fixed table allows, so
    /// reading a file stays linear in it. Counted slots, not time.
    #[test]
    fn lookups_stay_short_however_many_names() {
        let mut most = 0;
        let mut total = 0;
        let n = 320_000;
        for i in 0..n {
            for tail in ["zzzz", "_new", "_delete"] {
                let looked = looked_at(format!("wasm{i:012}{tail}").as_bytes());
                most = most.max(looked);
                total += looked;
            }
        }
        assert!(most <= LONGEST_RUN + 1, "{most} slots for one name");
        let average = total as f64 / (3 * n) as f64;
        assert!(average < 1.5, "{average:.2} slots per lookup");
    }

    /// Exports are recorded with their values; one exported twice, or with
    /// a value that reads as a marker, is left to `dlsym`.
    #[test]
    fn exports_are_recorded() {
        let mut exported = Exported::new();
        exported.insert(b"wasm_engine_new", Some(0x1234));
        exported.insert(b"wasm_engine_delete", None);
        exported.insert(b"wasm_store_new", Some(1));
        exported.insert(b"wasm_store_new", Some(1));
        exported.insert(b"wasm_store_delete", Some(0));
        exported.insert(b"wasm_module_delete", Some(1 << 32));
        exported.insert(b"wasmtime_not_a_function", Some(7));
        assert_eq!(exported.get(b"wasm_engine_new"), Some(Some(0x1234)));
        assert_eq!(exported.get(b"wasm_engine_delete"), Some(None));
        assert_eq!(exported.get(b"wasm_store_new"), Some(None));
        assert_eq!(exported.get(b"wasm_store_delete"), Some(None));
        assert_eq!(exported.get(b"wasm_module_delete"), Some(None));
        assert_eq!(exported.get(b"wasmtime_not_a_function"), None);
        assert_eq!(exported.get(b"wasm_module_new"), None);
    }
}
