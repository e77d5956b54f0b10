//! What a library file exports, read from its dynamic symbol table without
//! loading it: the exact Wasmtime version where the build names it, and
//! which function tables it carries in full.
//!
//! Reading the file, not the loaded library, lets the loader refuse a
//! Wasmtime outside the supported window before any of its code runs.
//! Only the headers, the dynamic symbol table and its string table are read
//! (`object`'s [`ReadCache`](object::read::ReadCache) reads the ranges it
//! is asked for), in time linear in their size.

use super::Version;
use crate::sys::tables::TableId;
use object::{Object, ObjectSymbol};
use std::collections::HashSet;
use std::path::Path;

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
}

/// Reads the dynamic symbol table of the file at `path`.
pub(crate) fn read(path: &Path) -> Result<Exports, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let cache = object::read::ReadCache::new(file);
    let object = object::File::parse(&cache)
        .map_err(|e| format!("not a shared library this platform can read ({e})"))?;
    // Mach-O prefixes C names with an underscore.
    let strip = usize::from(object.format() == object::BinaryFormat::MachO);
    let mut names: HashSet<&[u8]> = HashSet::new();
    for symbol in object.dynamic_symbols() {
        if !symbol.is_definition() || !symbol.is_global() {
            continue;
        }
        if let Ok(name) = symbol.name_bytes() {
            names.insert(name.get(strip..).unwrap_or_default());
        }
    }
    let exact = names.iter().find_map(|name| {
        let rest = name.strip_prefix(VERSIONED.as_bytes())?;
        parse_version(std::str::from_utf8(rest).ok()?)
    });
    let exported = |f: &&str| names.contains(f.as_bytes());
    let missing_core = TableId::Core
        .functions()
        .iter()
        .filter(|f| !exported(f))
        .copied()
        .collect();
    let complete = TableId::ALL
        .iter()
        .copied()
        .filter(|t| t.functions().iter().chain(t.undeclared()).all(&exported))
        .collect();
    Ok(Exports {
        exact,
        missing_core,
        complete,
    })
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
    fn a_non_object_file_is_refused_with_a_reason() {
        let path =
            std::env::temp_dir().join(format!("wasmtime-dyn-exports-{}", std::process::id()));
        std::fs::write(&path, b"not a library").unwrap();
        let err = read(&path).unwrap_err();
        std::fs::remove_file(&path).unwrap();
        assert!(err.contains("not a shared library"), "{err}");
    }
}
