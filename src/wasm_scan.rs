//! A small reader of the WebAssembly binary format, for the few facts this
//! crate must know about a module before handing it to the C API, where the
//! library cannot be asked without risk.
//!
//! It reads only what it needs and reports `None` for anything it does not
//! understand; callers then fall back to letting Wasmtime validate.

/// A cursor over a binary module.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(b)
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let out = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(out)
    }

    /// An unsigned LEB128 of at most 64 bits.
    fn u64(&mut self) -> Option<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            value |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(value);
            }
        }
        None
    }

    fn u32(&mut self) -> Option<u32> {
        u32::try_from(self.u64()?).ok()
    }

    /// A signed LEB128 (s33 heap types, type indices), value ignored.
    fn skip_sleb(&mut self) -> Option<()> {
        for _ in 0..10 {
            if self.byte()? & 0x80 == 0 {
                return Some(());
            }
        }
        None
    }

    /// A value type (or packed storage type).
    fn skip_valtype(&mut self) -> Option<()> {
        match self.byte()? {
            // (ref ht) / (ref null ht): a heap type follows.
            0x63 | 0x64 => self.skip_sleb(),
            _ => Some(()),
        }
    }

    fn skip_vec_valtypes(&mut self) -> Option<()> {
        for _ in 0..self.u32()? {
            self.skip_valtype()?;
        }
        Some(())
    }

    /// A composite type: func, struct, array or cont.
    fn skip_comptype(&mut self, form: u8) -> Option<()> {
        match form {
            0x60 => {
                self.skip_vec_valtypes()?;
                self.skip_vec_valtypes()
            }
            0x5f => {
                for _ in 0..self.u32()? {
                    self.skip_valtype()?;
                    self.byte()?;
                }
                Some(())
            }
            0x5e => {
                self.skip_valtype()?;
                self.byte().map(|_| ())
            }
            0x5d => self.skip_sleb(),
            _ => None,
        }
    }
}

/// The sections of a binary module: (id, contents). `None` when the bytes
/// are not a binary module this reader can walk.
fn sections(wasm: &[u8]) -> Option<Vec<(u8, &[u8])>> {
    let mut r = Reader { bytes: wasm, at: 0 };
    if r.take(4)? != b"\0asm" || r.take(4)? != [1, 0, 0, 0] {
        return None;
    }
    let mut out = Vec::new();
    while r.at < wasm.len() {
        let id = r.byte()?;
        let len = usize::try_from(r.u32()?).ok()?;
        out.push((id, r.take(len)?));
    }
    Some(out)
}

/// Whether any type the module declares satisfies `pred`, called with
/// whether the type is non-final (`sub` without `final`) and its composite
/// form (0x60 func, 0x5f struct, 0x5e array, 0x5d cont); `None` if the
/// module cannot be read here.
fn any_declared_type(wasm: &[u8], pred: impl Fn(bool, u8) -> bool) -> Option<bool> {
    let Some((_, types)) = sections(wasm)?.into_iter().find(|(id, _)| *id == 1) else {
        return Some(false);
    };
    let mut r = Reader {
        bytes: types,
        at: 0,
    };
    for _ in 0..r.u32()? {
        let mut form = r.byte()?;
        let members = if form == 0x4e {
            let n = r.u32()?;
            form = r.byte()?;
            n
        } else {
            1
        };
        for i in 0..members {
            if i > 0 {
                form = r.byte()?;
            }
            let non_final = form == 0x50;
            if form == 0x50 || form == 0x4f {
                for _ in 0..r.u32()? {
                    r.u32()?;
                }
                form = r.byte()?;
            }
            if pred(non_final, form) {
                return Some(true);
            }
            r.skip_comptype(form)?;
        }
    }
    Some(false)
}

/// Whether the module declares a non-final (`sub`) type, whose
/// `call_indirect` and `ref.cast` checks call Wasmtime's `is_subtype`
/// builtin; `None` if the module cannot be read here.
pub(crate) fn has_non_final_types(wasm: &[u8]) -> Option<bool> {
    any_declared_type(wasm, |non_final, _| non_final)
}

/// Whether the module declares a continuation type (stack switching),
/// which `cont.new` needs, whose builtin no C API build has; `None` if the
/// module cannot be read here.
pub(crate) fn has_continuation_types(wasm: &[u8]) -> Option<bool> {
    any_declared_type(wasm, |_, form| form == 0x5d)
}

/// What a table type holds that the C API cannot say: `wasm_limits_t` has
/// 32-bit limits, reads `u32::MAX` as "no maximum", has no index type, and
/// `wasm_tabletype_limits` aborts the process on limits beyond `u32`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TableLimits {
    pub(crate) is_64: bool,
    pub(crate) minimum: u64,
    pub(crate) maximum: Option<u64>,
}

impl TableLimits {
    /// Whether the C API would report these limits wrongly or abort on
    /// them, so this crate must answer from its own reading.
    pub(crate) fn beyond_c(&self) -> bool {
        self.is_64 || self.maximum.is_some_and(|max| max >= u64::from(u32::MAX))
    }
}

/// The tables of a module whose types the C API cannot give: imports by
/// (module, name), exports by name (with whether the module defines the
/// table, so its instances own it).
#[derive(Debug, Default)]
pub(crate) struct TableFacts {
    pub(crate) imports: Vec<(String, String, TableLimits)>,
    pub(crate) exports: Vec<(String, TableLimits, bool)>,
}

impl TableFacts {
    pub(crate) fn import(&self, module: &str, name: &str) -> Option<TableLimits> {
        self.imports
            .iter()
            .find(|(m, n, _)| m == module && n == name)
            .map(|(_, _, limits)| *limits)
    }

    pub(crate) fn export(&self, name: &str) -> Option<TableLimits> {
        self.exports
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, limits, _)| *limits)
    }

    /// Exported tables the module defines itself, with limits the C API
    /// cannot report: their instances' handles must be remembered.
    pub(crate) fn defined_exports(&self) -> impl Iterator<Item = (&str, TableLimits)> {
        self.exports
            .iter()
            .filter(|(_, _, defined)| *defined)
            .map(|(name, limits, _)| (name.as_str(), *limits))
    }
}

impl Reader<'_> {
    fn name(&mut self) -> Option<String> {
        let len = usize::try_from(self.u32()?).ok()?;
        Some(String::from_utf8_lossy(self.take(len)?).into_owned())
    }

    /// A reference type, then table limits.
    fn table_type(&mut self) -> Option<TableLimits> {
        self.skip_valtype()?;
        let flags = self.byte()?;
        if flags & !0x07 != 0 {
            return None;
        }
        let minimum = self.u64()?;
        let maximum = if flags & 0x01 != 0 {
            Some(self.u64()?)
        } else {
            None
        };
        Some(TableLimits {
            is_64: flags & 0x04 != 0,
            minimum,
            maximum,
        })
    }

    /// Memory limits (with a custom page size where flagged).
    fn skip_memory_type(&mut self) -> Option<()> {
        let flags = self.byte()?;
        if flags & !0x0f != 0 {
            return None;
        }
        self.u64()?;
        if flags & 0x01 != 0 {
            self.u64()?;
        }
        if flags & 0x08 != 0 {
            self.u32()?;
        }
        Some(())
    }

    /// An import's type; the table's limits when it is a table.
    fn import_desc(&mut self) -> Option<Option<TableLimits>> {
        match self.byte()? {
            0x00 => self.u32().map(|_| None),
            0x01 => self.table_type().map(Some),
            0x02 => self.skip_memory_type().map(|()| None),
            0x03 => {
                self.skip_valtype()?;
                self.byte().map(|_| None)
            }
            0x04 => {
                self.byte()?;
                self.u32().map(|_| None)
            }
            _ => None,
        }
    }

    /// A constant expression, through its `end`.
    fn skip_const_expr(&mut self) -> Option<()> {
        loop {
            match self.byte()? {
                0x0b => return Some(()),
                0x41 | 0x42 => self.skip_sleb()?,
                0x43 => drop(self.take(4)?),
                0x44 => drop(self.take(8)?),
                0x23 | 0xd2 => drop(self.u32()?),
                0xd0 => self.skip_sleb()?,
                0x6a | 0x6b | 0x6c | 0x7c | 0x7d | 0x7e => {}
                0xfb => match self.u32()? {
                    0 | 1 | 6 | 7 => drop(self.u32()?),
                    8 => {
                        self.u32()?;
                        self.u32()?;
                    }
                    0x1a..=0x1c => {}
                    _ => return None,
                },
                0xfd => match self.u32()? {
                    0x0c => drop(self.take(16)?),
                    _ => return None,
                },
                _ => return None,
            }
        }
    }
}

/// The table types of `wasm` the C API cannot report (see [`TableLimits`]),
/// read from its import, table and export sections in one pass; `None`
/// when the bytes are not a module this reader can walk.
pub(crate) fn table_facts(wasm: &[u8]) -> Option<TableFacts> {
    let mut imported = Vec::new();
    let mut defined = Vec::new();
    let mut facts = TableFacts::default();
    for (id, contents) in sections(wasm)? {
        let mut r = Reader {
            bytes: contents,
            at: 0,
        };
        match id {
            2 => {
                for _ in 0..r.u32()? {
                    let module = r.name()?;
                    let name = r.name()?;
                    if let Some(limits) = r.import_desc()? {
                        imported.push(limits);
                        if limits.beyond_c() {
                            facts.imports.push((module, name, limits));
                        }
                    }
                }
            }
            4 => {
                for _ in 0..r.u32()? {
                    if r.bytes.get(r.at) == Some(&0x40) {
                        r.take(2)?;
                        defined.push(r.table_type()?);
                        r.skip_const_expr()?;
                    } else {
                        defined.push(r.table_type()?);
                    }
                }
            }
            7 => {
                for _ in 0..r.u32()? {
                    let name = r.name()?;
                    let kind = r.byte()?;
                    let index = usize::try_from(r.u32()?).ok()?;
                    if kind != 0x01 {
                        continue;
                    }
                    let limits = match index.checked_sub(imported.len()) {
                        None => *imported.get(index)?,
                        Some(i) => *defined.get(i)?,
                    };
                    if limits.beyond_c() {
                        facts.exports.push((name, limits, index >= imported.len()));
                    }
                }
            }
            _ => {}
        }
    }
    Some(facts)
}

#[cfg(test)]
mod tests {
    use super::{has_continuation_types, has_non_final_types, table_facts, TableLimits};

    #[test]
    fn finds_non_final_types() {
        // (module (type (func)))
        let final_only = b"\0asm\x01\0\0\0\x01\x04\x01\x60\0\0";
        assert_eq!(has_non_final_types(final_only), Some(false));
        // (module (type (sub (func))))
        let non_final = b"\0asm\x01\0\0\0\x01\x06\x01\x50\0\x60\0\0";
        assert_eq!(has_non_final_types(non_final), Some(true));
        // (module (rec (type (func)) (type (sub final (func)))) (type (sub (func))))
        let mixed = b"\0asm\x01\0\0\0\x01\x10\x02\x4e\x02\x60\0\0\x4f\0\x60\0\0\x50\0\x60\0\0";
        assert_eq!(has_non_final_types(mixed), Some(true));
        assert_eq!(has_non_final_types(b"\0asm\x01\0\0\0"), Some(false));
        assert_eq!(has_non_final_types(b"not wasm"), None);
        assert_eq!(has_continuation_types(non_final), Some(false));
    }

    #[test]
    fn finds_continuation_types() {
        // (module (type $f (func)) (type (cont $f)))
        let cont = b"\0asm\x01\0\0\0\x01\x06\x02\x60\0\0\x5d\x00";
        assert_eq!(has_continuation_types(cont), Some(true));
        assert_eq!(has_non_final_types(cont), Some(false));
        // (module (rec (type $f (sub (func))) (type (sub final (cont $f)))))
        let in_rec = b"\0asm\x01\0\0\0\x01\x0c\x01\x4e\x02\x50\0\x60\0\0\x4f\0\x5d\x00";
        assert_eq!(has_continuation_types(in_rec), Some(true));
        assert_eq!(has_continuation_types(b"\0asm\x01\0\0\0"), Some(false));
    }

    #[test]
    fn reads_table_limits_the_c_api_cannot() {
        // (module (import "m" "t" (table i64 0 0x1_0000_0000 funcref))
        //   (table (export "small") 1 funcref)
        //   (table (export "big") i64 7 0x1_0000_0001 externref)
        //   (table 0 0xffff_ffff funcref) (export "max" (table 2)) (export "imp" (table 0)))
        let wasm = [
            b"\0asm\x01\0\0\0".as_slice(),
            // import: 1 entry, "m" "t" table funcref flags 5 min 0 max 2^32
            b"\x02\x0e\x01\x01m\x01t\x01\x70\x05\x00\x80\x80\x80\x80\x10",
            // tables: 3 entries
            b"\x04\x14\x03\x70\x00\x01\x6f\x05\x07\x81\x80\x80\x80\x10\x70\x01\x00\xff\xff\xff\xff\x0f",
            // exports: small=1 big=2 max=3 imp=0
            b"\x07\x1b\x04\x05small\x01\x01\x03big\x01\x02\x03max\x01\x03\x03imp\x01\x00",
        ]
        .concat();
        let facts = table_facts(&wasm).expect("a module this reader walks");
        let wide = |min, max| TableLimits {
            is_64: true,
            minimum: min,
            maximum: Some(max),
        };
        assert_eq!(facts.import("m", "t"), Some(wide(0, 1 << 32)));
        assert_eq!(facts.export("small"), None);
        assert_eq!(facts.export("big"), Some(wide(7, (1 << 32) + 1)));
        assert_eq!(
            facts.export("max"),
            Some(TableLimits {
                is_64: false,
                minimum: 0,
                maximum: Some(u64::from(u32::MAX)),
            })
        );
        assert_eq!(facts.export("imp"), Some(wide(0, 1 << 32)));
        let defined: Vec<_> = facts.defined_exports().map(|(name, _)| name).collect();
        assert_eq!(defined, ["big", "max"]);
        let empty = table_facts(b"\0asm\x01\0\0\0").expect("an empty module");
        assert!(empty.imports.is_empty() && empty.exports.is_empty());
        assert!(table_facts(b"not wasm").is_none());
    }
}
