//! A small reader of the WebAssembly binary format, for the few facts this
//! crate must know about a module before handing it to the C API, where the
//! library cannot be asked without risk.
//!
//! It reads only what it needs, in one pass, linear in the module's size,
//! and reports `None` for anything it does not understand: callers, which
//! call it on modules Wasmtime has just accepted, then refuse the module
//! rather than guess.

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

    /// A heap type: an abstract one (one byte, or `0x65` "shared" and one
    /// byte), `0x62` "exact" and a type index, or a type index (s33).
    fn skip_heaptype(&mut self) -> Option<()> {
        match *self.bytes.get(self.at)? {
            0x65 => self.take(2).map(|_| ()),
            0x62 => {
                self.byte()?;
                self.u32().map(|_| ())
            }
            _ => self.skip_sleb(),
        }
    }

    /// A value type (or packed storage type).
    fn skip_valtype(&mut self) -> Option<()> {
        match self.byte()? {
            // (ref ht) / (ref null ht): a heap type follows.
            0x63 | 0x64 => self.skip_heaptype(),
            // The short form of a shared abstract reference type.
            0x65 => self.byte().map(|_| ()),
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

    /// A subtype's composite type, after any `sub`/`sub final` prefix: the
    /// `shared`, `describes` and `descriptor` prefixes, then the form byte.
    fn comptype_form(&mut self) -> Option<u8> {
        let mut form = self.byte()?;
        if form == 0x65 {
            form = self.byte()?;
        }
        if form == 0x4c {
            self.u32()?;
            form = self.byte()?;
        }
        if form == 0x4d {
            self.u32()?;
            form = self.byte()?;
        }
        Some(form)
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

/// What the declared types of a module hold that decides whether a library
/// can run it (see `Compiler::refuse_unsupported_builtins`).
#[derive(Debug, Default)]
pub(crate) struct ModuleFacts {
    /// A non-final (`sub`) type: `call_indirect` and `ref.cast` on it call
    /// Wasmtime's `is_subtype` builtin, which only builds with GC have.
    pub(crate) non_final_types: bool,
    /// A continuation type (stack switching): `cont.new` needs one, and its
    /// builtin is in no C API build.
    pub(crate) continuation_types: bool,
    /// The tables whose types the C API cannot give.
    pub(crate) tables: TableFacts,
}

/// The tables of a module whose types the C API cannot give: imports by
/// position (every import, in the order of the import section with compact
/// groups flattened, as the C API lists them; `None` for all but such
/// tables), exports by name (with whether the module defines the table, so
/// its instances own it).
#[derive(Debug, Default)]
pub(crate) struct TableFacts {
    pub(crate) imports: Vec<Option<TableLimits>>,
    pub(crate) exports: Vec<(String, TableLimits, bool)>,
}

impl TableFacts {
    /// The limits of the import at `index`, if it is such a table.
    pub(crate) fn import(&self, index: usize) -> Option<TableLimits> {
        self.imports.get(index).copied().flatten()
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
    fn name_bytes(&mut self) -> Option<&[u8]> {
        let len = usize::try_from(self.u32()?).ok()?;
        self.take(len)
    }

    fn name(&mut self) -> Option<String> {
        Some(String::from_utf8_lossy(self.name_bytes()?).into_owned())
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
            // A function, or an exact one (custom descriptors).
            0x00 | 0x20 => self.u32().map(|_| None),
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
                0xd0 => self.skip_heaptype()?,
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

    /// The type section: every subtype, in rec groups or not.
    fn types(&mut self, facts: &mut ModuleFacts) -> Option<()> {
        for _ in 0..self.u32()? {
            let members = if self.bytes.get(self.at) == Some(&0x4e) {
                self.byte()?;
                self.u32()?
            } else {
                1
            };
            for _ in 0..members {
                let prefix = *self.bytes.get(self.at)?;
                if prefix == 0x50 || prefix == 0x4f {
                    self.byte()?;
                    facts.non_final_types |= prefix == 0x50;
                    for _ in 0..self.u32()? {
                        self.u32()?;
                    }
                }
                let form = self.comptype_form()?;
                facts.continuation_types |= form == 0x5d;
                self.skip_comptype(form)?;
            }
        }
        Some(())
    }

    /// One entry of the import section, which the compact-imports proposal
    /// lets stand for several imports: calls `each` with every import's
    /// table limits (`None` for imports that are not tables), in order.
    fn import_group(&mut self, each: &mut dyn FnMut(Option<TableLimits>)) -> Option<()> {
        self.name_bytes()?;
        let item = self.name_bytes()?;
        match (item.is_empty(), self.bytes.get(self.at)) {
            // One module name, then (name, type) pairs.
            (true, Some(0x7f)) => {
                self.byte()?;
                for _ in 0..self.u32()? {
                    self.name_bytes()?;
                    each(self.import_desc()?);
                }
            }
            // One module name and one type, then names.
            (true, Some(0x7e)) => {
                self.byte()?;
                let desc = self.import_desc()?;
                for _ in 0..self.u32()? {
                    self.name_bytes()?;
                    each(desc);
                }
            }
            _ => each(self.import_desc()?),
        }
        Some(())
    }
}

/// Reads the type, import, table and export sections of `wasm`: whether
/// it declares non-final or continuation types, and the table types the C
/// API cannot report (see [`TableLimits`]). `None` when the bytes are not
/// a module this reader can walk.
pub(crate) fn scan(wasm: &[u8]) -> Option<ModuleFacts> {
    let mut facts = ModuleFacts::default();
    let mut imported = Vec::new();
    let mut defined = Vec::new();
    for (id, contents) in sections(wasm)? {
        let mut r = Reader {
            bytes: contents,
            at: 0,
        };
        match id {
            1 => r.types(&mut facts)?,
            2 => {
                for _ in 0..r.u32()? {
                    r.import_group(&mut |limits| {
                        if let Some(limits) = limits {
                            imported.push(limits);
                        }
                        let wide = limits.filter(TableLimits::beyond_c);
                        facts.tables.imports.push(wide);
                    })?;
                }
            }
            4 => {
                for _ in 0..r.u32()? {
                    if r.bytes.get(r.at) == Some(&0x40) {
                        // A table with an initializer: 0x40 0x00, the type,
                        // the expression.
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
                        let is_defined = index >= imported.len();
                        facts.tables.exports.push((name, limits, is_defined));
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
    use super::{scan, ModuleFacts, TableLimits};

    fn wasm(wat: &str) -> Vec<u8> {
        let buffer = wast::parser::ParseBuffer::new(wat).unwrap();
        let mut module: wast::Wat = wast::parser::parse(&buffer).unwrap();
        module.encode().unwrap()
    }

    fn facts(wat: &str) -> ModuleFacts {
        scan(&wasm(wat)).unwrap_or_else(|| panic!("unread: {wat}"))
    }

    #[test]
    fn finds_non_final_and_continuation_types() {
        let cases = [
            ("(module (type (func)))", false, false),
            ("(module (type (sub (func))))", true, false),
            ("(module (type (sub final (func))))", false, false),
            (
                "(module (rec (type (func)) (type (sub final (func)))) (type (sub (func))))",
                true,
                false,
            ),
            // An empty rec group first: the next type is read as a type.
            ("(module (rec) (type (sub (func))))", true, false),
            ("(module (rec) (type $f (func)) (type (cont $f)))", false, true),
            ("(module (type $f (func)) (type (cont $f)))", false, true),
            (
                "(module (rec (type $f (sub (func))) (type (sub final (cont $f)))))",
                true,
                true,
            ),
            // References with exact and shared heap types, and descriptors.
            (
                "(module (type $s (struct (field (ref null (exact $s))))) (type (sub (func))))",
                true,
                false,
            ),
            (
                "(module (type (func (param (ref null (shared any))))) (type (sub (func))))",
                true,
                false,
            ),
            (
                "(module (rec (type $a (descriptor $b) (struct)) (type $b (describes $a) (struct))) \
                 (type $f (func)) (type (cont $f)))",
                false,
                true,
            ),
        ];
        for (wat, non_final, continuation) in cases {
            let f = facts(wat);
            assert_eq!(
                (f.non_final_types, f.continuation_types),
                (non_final, continuation),
                "{wat}"
            );
        }
        let empty = scan(b"\0asm\x01\0\0\0").expect("an empty module");
        assert!(!empty.non_final_types && !empty.continuation_types);
        assert!(scan(b"not wasm").is_none());
    }

    #[test]
    fn reads_table_limits_the_c_api_cannot() {
        let f = facts(
            r#"(module
                (import "m" "f" (func))
                (import "m" "t" (table i64 0 0x1_0000_0000 funcref))
                (import "m" "u" (table 1 funcref))
                (table (export "small") 1 funcref)
                (table (export "big") i64 7 0x1_0000_0001 externref)
                (table 0 0xffff_ffff funcref (ref.null func))
                (export "max" (table 4))
                (export "imp" (table 0)))"#,
        );
        let wide = |min, max| TableLimits {
            is_64: true,
            minimum: min,
            maximum: Some(max),
        };
        assert_eq!(f.tables.imports, [None, Some(wide(0, 1 << 32)), None]);
        assert_eq!(f.tables.import(1), Some(wide(0, 1 << 32)));
        assert_eq!(f.tables.export("small"), None);
        assert_eq!(f.tables.export("big"), Some(wide(7, (1 << 32) + 1)));
        assert_eq!(
            f.tables.export("max"),
            Some(TableLimits {
                is_64: false,
                minimum: 0,
                maximum: Some(u64::from(u32::MAX)),
            })
        );
        assert_eq!(f.tables.export("imp"), Some(wide(0, 1 << 32)));
        let defined: Vec<_> = f.tables.defined_exports().map(|(name, _)| name).collect();
        assert_eq!(defined, ["big", "max"]);
    }

    #[test]
    fn compact_imports_are_flattened_in_order() {
        let table64 = b"\x01\x70\x05\x00\x80\x80\x80\x80\x10"; // i64 0 2^32 funcref
        let func = b"\x00\x00"; // (func (type 0))
                                // Encoding 1: "m" "" 0x7f, then (name, type) pairs: a, t (table64), b.
        let mut group1 = b"\x01m\x00\x7f\x03\x01a".to_vec();
        group1.extend(func);
        group1.extend(b"\x01t");
        group1.extend(table64);
        group1.extend(b"\x01b");
        group1.extend(func);
        // Encoding 2: "n" "" 0x7e, one type (table64), then names: x, y.
        let mut group2 = b"\x01n\x00\x7e".to_vec();
        group2.extend(table64);
        group2.extend(b"\x02\x01x\x01y");
        let mut imports = vec![2u8];
        imports.extend(&group1);
        imports.extend(&group2);
        let mut module = b"\0asm\x01\0\0\0\x01\x04\x01\x60\0\0\x02".to_vec();
        module.push(u8::try_from(imports.len()).unwrap());
        module.extend(&imports);
        // Export the second table (the first of group 2).
        module.extend(b"\x07\x05\x01\x01e\x01\x02");
        let f = scan(&module).expect("compact imports");
        let wide = Some(TableLimits {
            is_64: true,
            minimum: 0,
            maximum: Some(1 << 32),
        });
        assert_eq!(f.tables.imports, [None, wide, None, wide, wide]);
        assert_eq!(f.tables.export("e"), wide);
        assert!(f.tables.defined_exports().next().is_none());
    }
}
