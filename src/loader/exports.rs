//! What a library file exports, read from its dynamic symbol table without
//! loading it: the exact Wasmtime version where the build names it, and
//! which function tables it carries in full.
//!
//! Reading the file, not the loaded library, lets the loader refuse a
//! Wasmtime outside the supported window before any of its code runs.
//! Only the headers, the dynamic symbol table and its string table are read,
//! each in one piece, in time linear in their size: 64-bit ELF by
//! [`elf64`], anything else through `object`'s
//! [`ReadCache`](object::read::ReadCache).

use super::Version;
use crate::sys::tables::TableId;
use object::{Object, ObjectSymbol};
use std::collections::HashSet;
use std::path::Path;

mod elf64;

/// The prefix of the symbol official builds export with their exact version
/// (`resolve_vmctx_memory_ptr_48_0_0`): Wasmtime's debug builtins, which
/// minimal builds leave out.
const VERSIONED: &str = "resolve_vmctx_memory_ptr_";

/// What the dynamic symbol table of a library file says.
#[derive(Debug)]
pub(crate) struct Exports {
    /// The exact version, from [`VERSIONED`], if the file exports it.
    pub(crate) exact: Option<Version>,
    /// `Core` functions the file does not export.
    pub(crate) missing_core: Vec<&'static str>,
    /// The tables every function of which the file exports.
    pub(crate) complete: Vec<TableId>,
    /// The file's exports whose names could be the C API's.
    exported: HashSet<Box<[u8]>, BuildFnv>,
}

/// FNV-1a: the names are a library's own exports, so a hash that resists
/// chosen collisions buys nothing here, and SipHash cost more than the
/// reading.
#[derive(Default)]
struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
    }
}

type BuildFnv = std::hash::BuildHasherDefault<Fnv>;

/// Whether an export could be a C API function (`wasm_`, `wasmtime_`,
/// `wasi_`): only those are kept.
fn could_be_c_api(name: &[u8]) -> bool {
    name.starts_with(b"wasm") || name.starts_with(b"wasi_")
}

/// Reads the dynamic symbol table of the file at `path`.
pub(crate) fn read(path: &Path) -> Result<Exports, String> {
    let mut exported = HashSet::with_capacity_and_hasher(1024, BuildFnv::default());
    let mut exact = None;
    let mut note = |name: &[u8]| {
        if could_be_c_api(name) {
            exported.insert(Box::from(name));
        } else if let Some(rest) = name.strip_prefix(VERSIONED.as_bytes()) {
            exact = exact.or_else(|| parse_version(std::str::from_utf8(rest).ok()?));
        }
    };
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    if !elf64::dynamic_names(&file, &mut note)? {
        generic_names(file, &mut note)?;
    }
    let exports = |f: &&str| exported.contains(f.as_bytes());
    let missing_core = TableId::Core
        .functions()
        .iter()
        .filter(|f| !exports(f))
        .copied()
        .collect();
    let complete = TableId::ALL
        .iter()
        .copied()
        .filter(|t| t.functions().iter().chain(t.undeclared()).all(&exports))
        .collect();
    Ok(Exports {
        exact,
        missing_core,
        complete,
        exported,
    })
}

/// The defined global dynamic symbols of any format `object` reads (the
/// path for files that are not 64-bit ELF).
fn generic_names(file: std::fs::File, note: &mut dyn FnMut(&[u8])) -> Result<(), String> {
    let cache = object::read::ReadCache::new(file);
    let object = object::File::parse(&cache)
        .map_err(|e| format!("not a shared library this platform can read ({e})"))?;
    // Mach-O prefixes C names with an underscore.
    let strip = usize::from(object.format() == object::BinaryFormat::MachO);
    for symbol in object.dynamic_symbols() {
        if !symbol.is_definition() || !symbol.is_global() {
            continue;
        }
        if let Ok(name) = symbol.name_bytes() {
            note(name.get(strip..).unwrap_or_default());
        }
    }
    Ok(())
}

/// `X_Y_Z` as a version.
fn parse_version(text: &str) -> Option<Version> {
    let mut parts = text.split('_').map(|p| p.parse::<u32>().ok());
    let (major, minor, patch) = (parts.next()??, parts.next()??, parts.next()??);
    parts
        .next()
        .is_none()
        .then(|| Version::exact(major, minor, patch))
}

impl Exports {
    /// Whether the file exports the function `name` (one of a table's).
    pub(crate) fn has(&self, name: &[u8]) -> bool {
        self.exported.contains(name)
    }

    /// The supported majors whose builds export what this file exports:
    /// every table a later major added to the core (or to a capability the
    /// file carries) is exported exactly when the major has it.
    pub(crate) fn candidate_majors(&self) -> Vec<u32> {
        use crate::sys::tables::TableKind;
        crate::versions::SUPPORTED_MAJORS
            .filter(|major| {
                TableId::ALL.iter().all(|&table| {
                    let decides = table.kind() == TableKind::Addition
                        && table.requires().iter().all(|r| self.complete.contains(r));
                    !decides || self.complete.contains(&table) == table.majors().contains(major)
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_from_symbol_suffixes() {
        assert_eq!(parse_version("48_0_0"), Some(Version::exact(48, 0, 0)));
        assert_eq!(parse_version("50_1_12"), Some(Version::exact(50, 1, 12)));
        assert_eq!(parse_version("48_0"), None);
        assert_eq!(parse_version("48_0_0_1"), None);
        assert_eq!(parse_version("x_0_0"), None);
    }

    #[test]
    fn every_table_function_is_kept() {
        for table in TableId::ALL {
            for name in table.functions().iter().chain(table.undeclared()) {
                assert!(could_be_c_api(name.as_bytes()), "{name} of {table:?}");
            }
        }
    }

    #[test]
    fn a_non_object_file_is_refused_with_a_reason() {
        let path =
            std::env::temp_dir().join(format!("wasmtime-dyn-exports-{}", std::process::id()));
        std::fs::write(&path, b"not a library").unwrap();
        let err = read(&path).unwrap_err();
        std::fs::remove_file(&path).unwrap();
        assert!(err.contains("not a shared library"), "{err}");
    }
}
