//! The few facts this crate must know about a module before handing it to
//! the C API, where the library cannot be asked without risk, read with
//! `wasmparser` (the parser Wasmtime itself uses).
//!
//! Only the type, import, table and export sections are read, in one pass,
//! linear in the module's size; `None` for anything the parser refuses:
//! callers, which call it on modules Wasmtime has just accepted, then refuse
//! the module rather than guess.

use wasmparser::{
    CompositeInnerType, Encoding, ExternalKind, Parser, Payload, RefType, TypeRef, ValType,
};

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
    /// A value type other than the numbers, `v128`, `funcref` and
    /// `externref` in a function type, global or table, or a struct,
    /// array or continuation type: before Wasmtime 45 the C API's
    /// `wasm_valtype_kind` aborts the process on such a type (see
    /// `Engine::note_typed_references`).
    pub(crate) typed_references: bool,
    /// A tag import or export: before Wasmtime 44 the C API panics (a
    /// `todo!()`, so the process aborts) describing a tag extern.
    pub(crate) tag_externs: bool,
}

/// Whether `wasm_valtype_kind` of the C API before 45 aborts on `ty`: any
/// reference type but the nullable `funcref` and `externref`.
fn typed(ty: ValType) -> bool {
    matches!(ty, ValType::Ref(r) if r != RefType::FUNCREF && r != RefType::EXTERNREF)
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

impl TableLimits {
    fn of(ty: &wasmparser::TableType) -> TableLimits {
        TableLimits {
            is_64: ty.table64,
            minimum: ty.initial,
            maximum: ty.maximum,
        }
    }
}

/// Reads the type, import, table and export sections of `wasm`: whether
/// it declares non-final or continuation types, and the table types the C
/// API cannot report (see [`TableLimits`]). `None` when the bytes are not
/// a module the parser reads.
pub(crate) fn scan(wasm: &[u8]) -> Option<ModuleFacts> {
    let mut facts = ModuleFacts::default();
    let mut imported = Vec::new();
    let mut defined = Vec::new();
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.ok()? {
            Payload::Version { encoding, .. } if encoding != Encoding::Module => return None,
            Payload::TypeSection(reader) => {
                for group in reader {
                    for ty in group.ok()?.types() {
                        facts.non_final_types |= !ty.is_final;
                        facts.continuation_types |=
                            matches!(ty.composite_type.inner, CompositeInnerType::Cont(_));
                        facts.typed_references |= match &ty.composite_type.inner {
                            CompositeInnerType::Func(f) => {
                                f.params().iter().any(|t| typed(*t))
                                    || f.results().iter().any(|t| typed(*t))
                            }
                            _ => true,
                        };
                    }
                }
            }
            Payload::ImportSection(reader) => {
                // Compact import groups flattened, in order, as the C API
                // lists the imports.
                for import in reader.into_imports() {
                    let limits = match import.ok()?.ty {
                        TypeRef::Table(ty) => {
                            facts.typed_references |= typed(ValType::Ref(ty.element_type));
                            Some(TableLimits::of(&ty))
                        }
                        TypeRef::Global(ty) => {
                            facts.typed_references |= typed(ty.content_type);
                            None
                        }
                        TypeRef::Tag(_) => {
                            facts.tag_externs = true;
                            None
                        }
                        _ => None,
                    };
                    imported.extend(limits);
                    facts
                        .tables
                        .imports
                        .push(limits.filter(TableLimits::beyond_c));
                }
            }
            Payload::TableSection(reader) => {
                for table in reader {
                    let ty = table.ok()?.ty;
                    facts.typed_references |= typed(ValType::Ref(ty.element_type));
                    defined.push(TableLimits::of(&ty));
                }
            }
            Payload::GlobalSection(reader) => {
                for global in reader {
                    facts.typed_references |= typed(global.ok()?.ty.content_type);
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export.ok()?;
                    facts.tag_externs |= export.kind == ExternalKind::Tag;
                    if export.kind != ExternalKind::Table {
                        continue;
                    }
                    let index = usize::try_from(export.index).ok()?;
                    let limits = match index.checked_sub(imported.len()) {
                        None => *imported.get(index)?,
                        Some(i) => *defined.get(i)?,
                    };
                    if limits.beyond_c() {
                        let is_defined = index >= imported.len();
                        facts
                            .tables
                            .exports
                            .push((export.name.to_string(), limits, is_defined));
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
    fn finds_typed_references() {
        let cases = [
            (
                "(module (type (func (param i32 v128 funcref externref))))",
                false,
            ),
            ("(module (global (mut externref) (ref.null extern)))", false),
            (
                "(module (import \"\" \"g\" (global i64)) (table 1 funcref))",
                false,
            ),
            ("(module (type (func (result anyref))))", true),
            ("(module (type (func (param (ref func)))))", true),
            ("(module (type (struct)))", true),
            ("(module (global exnref (ref.null exn)))", true),
            ("(module (table 1 (ref null any)))", true),
            ("(module (import \"\" \"g\" (global (ref null i31))))", true),
            ("(module (import \"\" \"t\" (table 1 eqref)))", true),
        ];
        for (wat, typed) in cases {
            assert_eq!(facts(wat).typed_references, typed, "{wat}");
        }
    }

    #[test]
    fn finds_tag_imports_and_exports() {
        let cases = [
            ("(module (tag))", false),
            ("(module (tag (export \"t\")))", true),
            ("(module (import \"\" \"t\" (tag)))", true),
            ("(module (func (export \"f\")))", false),
        ];
        for (wat, tags) in cases {
            assert_eq!(facts(wat).tag_externs, tags, "{wat}");
        }
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
