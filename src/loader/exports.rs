//! What a library file exports, read from its dynamic symbol table without
//! loading it: the exact Wasmtime version where the build names it, and
//! which function tables it carries in full.
//!
//! Reading the file, not the loaded library, lets the loader refuse a
//! Wasmtime outside the supported window before any of its code runs.
//! Only the headers, the dynamic symbol table and its string table are read,
//! each in one piece, in time linear in their size: 64-bit ELF by the
//! crate's ELF reader ([`crate::elf::dynamic`]), anything else (Mach-O, PE)
//! through `object`'s
//! [`ReadCache`](object::read::ReadCache) under a budget ([`Budgeted`]).
//! Neither reads more than a real libwasmtime's tables could need, whatever
//! the headers claim.

use super::Version;
use crate::sys::tables::TableId;
use object::{Object, ObjectSymbol};
use std::path::Path;

mod names;
mod version_text;

use names::Exported;

pub(crate) use crate::elf::dynamic::ReadError;
pub(crate) use names::Cursor;
pub(crate) use version_text::{find as find_version_text, find_source, VersionText};

/// The prefix of the symbol official builds export with their exact version
/// (`resolve_vmctx_memory_ptr_48_0_0`): Wasmtime's debug builtins, which
/// minimal builds leave out.
const VERSIONED: &str = "resolve_vmctx_memory_ptr_";

/// The defined, non-local dynamic symbols of a library file: their names
/// (the file's string table, or the names copied one after another) and
/// where each lies, with its value where the ELF reader could tell that the
/// address is the load base plus the value.
pub(crate) struct Symbols {
    listed: Listed,
    /// The file's GNU build id, if it has one (64-bit ELF only).
    build_id: Option<Vec<u8>>,
    /// Where the file's `.rodata` is loaded (its address relative to the
    /// load base, and its size; 64-bit ELF only).
    rodata: Option<(u64, u64)>,
    /// The address ranges of its executable sections, relative to the load
    /// base (64-bit ELF only; empty when unknown).
    code: Vec<std::ops::Range<u64>>,
}

/// Where the names are.
enum Listed {
    /// The file's dynamic symbol and string tables as read (64-bit ELF),
    /// walked when the names are wanted: no list of them is built.
    Elf(crate::elf::dynamic::Dynamic<'static>),
    /// The names copied one after another, each at `strings[start..end]`.
    Copied { strings: Vec<u8>, names: Vec<Name> },
}

/// A symbol: its name at `strings[start..end]`, and its value.
struct Name {
    start: usize,
    end: usize,
    value: Option<u64>,
}

/// What the dynamic symbol table of a library file says, borrowing the
/// names of [`Symbols`].
pub(crate) struct Exports<'a> {
    /// The exact version, from [`VERSIONED`], if the file exports it.
    pub(crate) exact: Option<Version>,
    /// `Core` functions the file does not export.
    pub(crate) missing_core: Vec<&'static str>,
    /// The file's GNU build id, if it has one.
    pub(crate) build_id: Option<&'a [u8]>,
    /// Where the file's `.rodata` is loaded, relative to the load base, and
    /// its size (64-bit ELF only): where the version text
    /// ([`crate::versions::version_text`]) is looked for.
    pub(crate) rodata: Option<(u64, u64)>,
    /// The address ranges of the file's executable sections, relative to
    /// the load base (64-bit ELF only; empty when unknown): where its
    /// functions lie.
    pub(crate) code: &'a [std::ops::Range<u64>],
    /// The file's dynamic symbol table and string table, as read (64-bit
    /// ELF only).
    pub(crate) tables: Option<(&'a [u8], &'a [u8])>,
    /// The functions of the tables the file exports, each with its symbol
    /// value where the address is that value plus the library's load base,
    /// `None` where only `dlsym` can tell.
    exported: Exported,
}

/// Whether an export could be a C API function (`wasm_`, `wasmtime_`,
/// `wasi_`): only those are kept.
fn could_be_c_api(name: &[u8]) -> bool {
    name.starts_with(b"wasm") || name.starts_with(b"wasi_")
}

/// Reads the dynamic symbol table of the file at `path`.
pub(crate) fn read(path: &Path) -> Result<Symbols, ReadError> {
    let file = std::fs::File::open(path).map_err(|e| ReadError::Malformed(e.to_string()))?;
    read_file(file)
}

/// Reads the dynamic symbol table of `file`, open for reading.
pub(crate) fn read_file(file: std::fs::File) -> Result<Symbols, ReadError> {
    let source = crate::elf::FileSource::new(file)
        .map_err(|e| ReadError::Malformed(format!("reading the file: {e}")))?;
    match crate::elf::dynamic::read(&source)? {
        Some(mut dynamic) => Ok(Symbols {
            build_id: dynamic.build_id.take(),
            rodata: dynamic.rodata,
            code: std::mem::take(&mut dynamic.code),
            listed: Listed::Elf(dynamic),
        }),
        None => generic_symbols(source.into_file()),
    }
}

/// What the generic reader may read in all: the 64-bit ELF reader's bounds
/// together. `ReadCache` allocates whatever range it is asked for and
/// keeps it; `object` asks for the ranges the headers name.
const GENERIC_BUDGET: u64 = {
    use crate::elf::dynamic::{MAX_DYNSTR, MAX_DYNSYM, MAX_SECTIONS};
    MAX_SECTIONS * 64 + MAX_DYNSYM + MAX_DYNSTR
};

/// A [`ReadCache`](object::read::ReadCache) that refuses, instead of
/// allocating, once the reads asked of it add up to more than
/// [`GENERIC_BUDGET`]: memory and time bounded by what a real library
/// needs, not by what its headers claim.
struct Budgeted {
    cache: object::read::ReadCache<std::fs::File>,
    /// Bytes read so far.
    used: std::cell::Cell<u64>,
    /// The total the first refused read would have brought it to.
    refused: std::cell::Cell<Option<u64>>,
}

impl Budgeted {
    /// Counts `size` more bytes against the budget.
    fn charge(&self, size: u64) -> Result<(), ()> {
        let total = self.used.get().saturating_add(size);
        if total > GENERIC_BUDGET {
            self.refused.set(self.refused.get().or(Some(total)));
            return Err(());
        }
        self.used.set(total);
        Ok(())
    }
}

impl<'a> object::ReadRef<'a> for &'a Budgeted {
    fn len(self) -> Result<u64, ()> {
        object::ReadRef::len(&self.cache)
    }

    fn read_bytes_at(self, offset: u64, size: u64) -> Result<&'a [u8], ()> {
        self.charge(size)?;
        object::ReadRef::read_bytes_at(&self.cache, offset, size)
    }

    fn read_bytes_at_until(
        self,
        range: std::ops::Range<u64>,
        delimiter: u8,
    ) -> Result<&'a [u8], ()> {
        if self.refused.get().is_some() {
            return Err(());
        }
        // `ReadCache` looks at most 4 KiB ahead for the delimiter and keeps
        // the string it finds: the bytes kept, or those looked at in vain,
        // are charged (each call overshoots the budget by 4 KiB at most).
        let looked_at = range.end.saturating_sub(range.start).min(4096);
        let found = object::ReadRef::read_bytes_at_until(&self.cache, range, delimiter);
        self.charge(found.map_or(looked_at, |s| s.len() as u64 + 1))?;
        found
    }
}

impl Symbols {
    /// What the symbols say.
    pub(crate) fn exports(&self) -> Exports<'_> {
        let (strings, tables) = match &self.listed {
            Listed::Elf(d) => (&d.strings[..], Some((&d.table[..], &d.strings[..]))),
            Listed::Copied { strings, .. } => (&strings[..], None),
        };
        let mut exported = Exported::new();
        let mut exact = None;
        let mut add = |start: usize, end: usize, value: Option<u64>| {
            let bytes = &strings[start..end];
            if could_be_c_api(bytes) {
                exported.insert(bytes, value);
            } else if let Some(rest) = bytes.strip_prefix(VERSIONED.as_bytes()) {
                exact = exact.or_else(|| parse_version(std::str::from_utf8(rest).ok()?));
            }
        };
        match &self.listed {
            Listed::Elf(d) => d.defined().for_each(|s| add(s.start, s.end, s.value)),
            Listed::Copied { names, .. } => names.iter().for_each(|n| add(n.start, n.end, n.value)),
        }
        let missing_core = names::of_table(TableId::Core)
            .filter(|&(i, _)| exported.at(i).is_none())
            .map(|(_, name)| name)
            .collect();
        Exports {
            exact,
            missing_core,
            build_id: self.build_id.as_deref(),
            rodata: self.rodata,
            code: &self.code,
            tables,
            exported,
        }
    }
}

/// The defined global dynamic symbols of any format `object` reads (the
/// path for files that are not 64-bit ELF), their names copied together.
fn generic_symbols(file: std::fs::File) -> Result<Symbols, ReadError> {
    let budgeted = Budgeted {
        cache: object::read::ReadCache::new(file),
        used: std::cell::Cell::new(0),
        refused: std::cell::Cell::new(None),
    };
    let over_budget = || {
        budgeted.refused.get().map(|claimed| ReadError::TooLarge {
            table: "headers and symbol tables",
            claimed,
            limit: GENERIC_BUDGET,
        })
    };
    let object = object::File::parse(&budgeted).map_err(|e| {
        over_budget().unwrap_or_else(|| {
            ReadError::Malformed(format!("not a shared library this platform can read ({e})"))
        })
    })?;
    // Mach-O prefixes C names with an underscore.
    let strip = usize::from(object.format() == object::BinaryFormat::MachO);
    let (mut strings, mut names) = (Vec::new(), Vec::new());
    for symbol in object.dynamic_symbols() {
        if !symbol.is_definition() || !symbol.is_global() {
            continue;
        }
        if let Ok(name) = symbol.name_bytes() {
            let start = strings.len();
            strings.extend_from_slice(name.get(strip..).unwrap_or_default());
            names.push(Name {
                start,
                end: strings.len(),
                value: None,
            });
        }
    }
    // A symbol table cut short by the budget would read as a library
    // without some of its functions.
    match over_budget() {
        Some(err) => Err(err),
        None => Ok(Symbols {
            listed: Listed::Copied { strings, names },
            build_id: None,
            rodata: None,
            code: Vec::new(),
        }),
    }
}

/// The symbol naming `version` in official builds
/// (`resolve_vmctx_memory_ptr_48_0_0`).
pub(crate) fn versioned_name(version: Version) -> std::ffi::CString {
    let name = format!(
        "{VERSIONED}{}_{}_{}",
        version.major(),
        version.minor().unwrap_or(0),
        version.patch().unwrap_or(0)
    );
    std::ffi::CString::new(name).expect("digits and underscores")
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

impl Exports<'_> {
    /// What the exports say without the file's tables and build id (which
    /// [`super::addresses`] looks at first).
    pub(crate) fn detach(self) -> Exports<'static> {
        Exports {
            exact: self.exact,
            missing_core: self.missing_core,
            build_id: None,
            rodata: self.rodata,
            code: &[],
            tables: None,
            exported: self.exported,
        }
    }

    /// Whether the file exports the function `name` (one of a table's),
    /// and its symbol value if the address is that value plus the load
    /// base: `None` if not exported, `Some(None)` if only `dlsym` can say
    /// where.
    pub(crate) fn get(&self, name: &[u8]) -> Option<Option<u64>> {
        self.exported.get(name)
    }

    /// As [`Exports::get`], for names asked for in the tables' order
    /// (cheaper then).
    #[inline]
    pub(crate) fn next(&self, cursor: &mut Cursor, name: &[u8]) -> Option<Option<u64>> {
        self.exported.next(cursor, name)
    }

    /// Whether the file exports every function of `table`.
    fn is_complete(&self, table: TableId) -> bool {
        names::of_table(table).all(|(i, _)| self.exported.at(i).is_some())
    }

    /// The supported majors whose builds export what this file exports:
    /// every table a later major added to the core (or to a capability the
    /// file carries) is exported exactly when the major has it.
    ///
    /// Only the tables that decide are looked at (the additions, and the
    /// tables they require), each once, stopping at its first function
    /// the file lacks.
    pub(crate) fn candidate_majors(&self) -> Vec<u32> {
        use crate::sys::tables::TableKind;
        let mut known: Vec<(TableId, bool)> = Vec::new();
        let mut complete = |table: TableId| match known.iter().find(|(t, _)| *t == table) {
            Some(&(_, is)) => is,
            None => {
                let is = self.is_complete(table);
                known.push((table, is));
                is
            }
        };
        // The additions that decide, each with whether the file has it.
        let mut deciding: Vec<(TableId, bool)> = Vec::new();
        for &table in TableId::ALL {
            if table.kind() == TableKind::Addition && table.requires().iter().all(|&r| complete(r))
            {
                deciding.push((table, complete(table)));
            }
        }
        crate::versions::SUPPORTED_MAJORS
            .filter(|major| {
                deciding
                    .iter()
                    .all(|&(table, has)| has == table.majors().contains(major))
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
        let name = versioned_name(Version::exact(48, 0, 1));
        assert_eq!(name.to_str(), Ok("resolve_vmctx_memory_ptr_48_0_1"));
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
        let err = read(&path).err().expect("a text file is no library");
        std::fs::remove_file(&path).unwrap();
        assert!(err.to_string().contains("not a shared library"), "{err}");
    }
}
