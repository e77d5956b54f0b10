//! The dynamic symbols of a 64-bit ELF file, its GNU build id and where its
//! `.rodata` is loaded, read with one read each of the section headers, the
//! dynamic symbol table, its string table, the note sections up to the one
//! holding the build id, and the section name table.
//!
//! Every read is of a range the headers name, checked against a bound
//! before anything is allocated: what is read is bounded by what a real
//! libwasmtime holds, never by what a header claims (a 64 GiB sparse file
//! claiming a 64 GiB table is refused at once, naming the table).

use super::{Endian, Header, Names, ReadFail, SectionHeader, Sections, Source, TableFail};
use std::borrow::Cow;

/// The most section headers read: 256 KiB of them.
///
/// Measured (`readelf -S`) on every library the tests use, the official
/// 36.0.0 and 44.0.0 to 50.0.1 and the minimal and compiler-only builds of
/// 48 and 50: 31 to 34 sections. Linkers merge input sections, so a shared
/// library has a few dozen (libLLVM-15, every C++ symbol exported: 31).
pub(crate) const MAX_SECTIONS: u64 = 4096;
/// The largest dynamic symbol table read: 4 MiB, about 175,000 symbols.
///
/// Measured on the same libraries: 10,920 bytes (455 symbols, 48 min) to
/// 21,912 bytes (913 symbols, 50.0.1 full). libLLVM-15 exports 46,000
/// symbols in 1.06 MiB.
pub(crate) const MAX_DYNSYM: u64 = 4 << 20;
/// The largest dynamic string table read: 16 MiB.
///
/// Measured on the same libraries: 10,879 bytes (48 min) to 24,565 bytes
/// (50.0.1 full); libLLVM-15's is 3.07 MiB.
pub(crate) const MAX_DYNSTR: u64 = 16 << 20;
/// The note sections read for the build id, all together: 64 KiB. The
/// libraries' notes (build id, ABI tag, GNU properties) take under 100
/// bytes; a larger note section is skipped, not refused.
const NOTES_AT_MOST: u64 = 1 << 16;
/// The section name table read to find `.rodata`: 64 KiB (the libraries'
/// take some 350 bytes); a larger one is not read, and `.rodata` is then
/// not looked at.
const SECTION_NAMES_AT_MOST: u64 = 1 << 16;
/// `STT_FUNC` (an indirect function is `STT_GNU_IFUNC`, 10).
const FUNC: u8 = 2;
/// `SHN_LORESERVE`: section indices from here on are special (absolute,
/// common...).
const RESERVED: u16 = 0xff00;
/// Size of a symbol.
const SYMBOL: usize = 24;
/// Longer names than this (NUL included) are not the C API's.
const LONGEST: usize = 128;

/// Why a file's symbols could not be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// Not a file this reader understands, or a damaged one.
    Malformed(String),
    /// Its headers claim a table larger than any libwasmtime's: `claimed`
    /// bytes for `table`, more than `limit`.
    TooLarge {
        table: &'static str,
        claimed: u64,
        limit: u64,
    },
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Malformed(reason) => f.write_str(reason),
            ReadError::TooLarge {
                table,
                claimed,
                limit,
            } => write!(
                f,
                "its {table} claims {claimed} bytes, over the {limit} read"
            ),
        }
    }
}

impl From<ReadFail> for ReadError {
    fn from(fail: ReadFail) -> Self {
        ReadError::Malformed(match fail {
            ReadFail::Outside { offset, len, size } => format!(
                "a malformed ELF file: {len} bytes at offset {offset} lie beyond its end ({size} bytes)"
            ),
            ReadFail::Io(e) => format!("reading the file: {e}"),
        })
    }
}

/// A defined, non-local dynamic symbol: its name at `strings[start..end]`,
/// and its value where the symbol is a plain function in one of the file's
/// sections (not an indirect function, whose address a resolver computes,
/// nor an absolute symbol): the dynamic linker's address for it is then
/// the load base plus that value.
pub(crate) struct Symbol {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) value: Option<u64>,
}

/// What the file's dynamic symbol table says.
pub(crate) struct Dynamic<'a> {
    /// The dynamic string table.
    pub(crate) strings: Cow<'a, [u8]>,
    /// The dynamic symbol table, as the file holds it.
    pub(crate) table: Cow<'a, [u8]>,
    /// The GNU build id, from the first note section holding one.
    pub(crate) build_id: Option<Vec<u8>>,
    /// Where `.rodata` is loaded (its address relative to the load base)
    /// and its size, when the section name table is within bounds and the
    /// section lies in the file.
    pub(crate) rodata: Option<(u64, u64)>,
    /// The address ranges (relative to the load base) of its loaded
    /// executable sections (`SHF_ALLOC | SHF_EXECINSTR`: `.init`, `.plt`,
    /// `.text`, `.fini`...): where its functions lie. Finer than the
    /// executable segments, which on older links (the official 36.0.0)
    /// also hold the ELF header, the symbol tables and `.rodata`.
    pub(crate) code: Vec<std::ops::Range<u64>>,
    e: Endian,
}

/// The dynamic symbols of `source`. `Ok(None)` when it is not 64-bit ELF
/// (another reader must look), an error when it is but is malformed or
/// claims a table larger than [`MAX_SECTIONS`], [`MAX_DYNSYM`] or
/// [`MAX_DYNSTR`] allow.
pub(crate) fn read<'a, S: Source<'a>>(source: &S) -> Result<Option<Dynamic<'a>>, ReadError> {
    let malformed = |what: &str| {
        Err(ReadError::Malformed(format!(
            "a malformed ELF file: {what}"
        )))
    };
    if source.size() < super::HEADER as u64 {
        return Ok(None);
    }
    let first = source.read(0, super::HEADER as u64)?;
    let Ok(header) = Header::parse(&first, false) else {
        return Ok(None);
    };
    let sections = match Sections::read(source, &header, MAX_SECTIONS, false) {
        Ok(sections) => sections,
        Err(TableFail::None) => return malformed("no section headers"),
        Err(TableFail::EntrySize(_)) => return malformed("section headers of an unexpected size"),
        Err(TableFail::TooLarge { claimed, limit }) => {
            return Err(ReadError::TooLarge {
                table: "section header table",
                claimed,
                limit,
            })
        }
        Err(TableFail::Read { fail, .. }) => return Err(fail.into()),
    };
    // One walk over the headers: the dynamic symbol table, and the build
    // id from the first note section that holds one.
    let mut dynsym = None;
    let mut build_id = None;
    let mut notes_left = NOTES_AT_MOST;
    for section in sections.iter() {
        match section.kind {
            super::DYNSYM if dynsym.is_none() => dynsym = Some(section),
            super::NOTE if build_id.is_none() && section.size <= notes_left => {
                notes_left -= section.size;
                let notes = source.read(section.offset, section.size)?;
                build_id = super::gnu_build_id(&notes, !header.endian.big);
            }
            _ => {}
        }
    }
    let Some(dynsym) = dynsym else {
        return malformed("no dynamic symbol table");
    };
    let Some(strings) = usize::try_from(dynsym.link)
        .ok()
        .and_then(|i| sections.get(i))
    else {
        return malformed("the dynamic symbols' string table is missing");
    };
    bounded("dynamic symbol table", dynsym.size, MAX_DYNSYM)?;
    bounded("dynamic string table", strings.size, MAX_DYNSTR)?;
    let table = source.read(dynsym.offset, dynsym.size)?;
    let strings = source.read(strings.offset, strings.size)?;
    let rodata = rodata(source, &header, &sections);
    let code = sections
        .iter()
        .filter(|h| {
            h.kind == super::PROGBITS
                && h.flags & (super::SHF_ALLOC | super::SHF_EXECINSTR)
                    == super::SHF_ALLOC | super::SHF_EXECINSTR
        })
        .filter_map(|h| Some(h.addr..h.addr.checked_add(h.size)?))
        .collect();
    Ok(Some(Dynamic {
        strings,
        table,
        build_id,
        rodata,
        code,
        e: header.endian,
    }))
}

/// Refuses `table` when the headers claim more than `limit` bytes for it.
fn bounded(table: &'static str, claimed: u64, limit: u64) -> Result<(), ReadError> {
    if claimed > limit {
        return Err(ReadError::TooLarge {
            table,
            claimed,
            limit,
        });
    }
    Ok(())
}

/// Where the `.rodata` section is loaded (its address relative to the load
/// base, and its size), found by its name in the section name table;
/// `None` when the table is missing, larger than [`SECTION_NAMES_AT_MOST`]
/// or unreadable, or has no such name, or the section does not lie in the
/// file: the section is only read for the version text, which is then
/// looked for no further.
fn rodata<'a, S: Source<'a>>(
    source: &S,
    header: &Header,
    sections: &Sections,
) -> Option<(u64, u64)> {
    let names = sections.get(usize::try_from(sections.names_index(header)).ok()?)?;
    if names.size > SECTION_NAMES_AT_MOST {
        return None;
    }
    let names = source.read(names.offset, names.size).ok()?;
    let names = Names::new(&names);
    sections
        .iter()
        .find(|h| h.kind == super::PROGBITS && names.is(h.name, ".rodata"))
        .filter(|h| {
            h.offset
                .checked_add(h.size)
                .is_some_and(|end| end <= source.size())
        })
        .map(|h: SectionHeader| (h.addr, h.size))
}

impl Dynamic<'_> {
    /// The defined, non-local symbols, in the table's order.
    pub(crate) fn defined(&self) -> impl Iterator<Item = Symbol> + '_ {
        let (e, strings) = (self.e, &self.strings[..]);
        self.table.chunks_exact(SYMBOL).filter_map(move |symbol| {
            let bind = symbol[4] >> 4;
            let section_index = e.u16(symbol, 6);
            if bind == 0 || section_index == 0 {
                // Local, or undefined (an import).
                return None;
            }
            let start = usize::try_from(e.u32(symbol, 0)).ok()?;
            let name = strings.get(start..)?;
            // Names the loader looks for are short: looking no further
            // than `LONGEST` keeps a string table without NULs from making
            // this quadratic.
            let len = nul_in(&name[..name.len().min(LONGEST)])?;
            let plain_function = symbol[4] & 0xf == FUNC && section_index < RESERVED;
            Some(Symbol {
                start,
                end: start + len,
                value: plain_function.then(|| e.u64(symbol, 8)),
            })
        })
    }
}

/// Where the first NUL of `bytes` is, looked for eight bytes at a time.
#[inline]
fn nul_in(bytes: &[u8]) -> Option<usize> {
    const LOW: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    let mut words = bytes.chunks_exact(8);
    for (w, word) in (&mut words).enumerate() {
        let x = u64::from_le_bytes([
            word[0], word[1], word[2], word[3], word[4], word[5], word[6], word[7],
        ]);
        // The lowest set high bit marks the first zero byte (bits above it
        // may be false hits, those below never are).
        let zero = x.wrapping_sub(LOW) & !x & HIGH;
        if zero != 0 {
            return Some(w * 8 + zero.trailing_zeros() as usize / 8);
        }
    }
    let tail = bytes.len() - words.remainder().len();
    words
        .remainder()
        .iter()
        .position(|&b| b == 0)
        .map(|at| tail + at)
}

#[cfg(test)]
mod tests {
    use super::{read, ReadError};
    use crate::elf::FileSource;

    fn source(bytes: &[u8]) -> FileSource {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let path = std::env::temp_dir().join(format!(
            "wasmtime-dyn-elf64-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::write(&path, bytes).unwrap();
        let file = std::fs::File::open(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        FileSource::new(file).unwrap()
    }

    /// Read from a file and from memory: the same answer.
    fn names_of(bytes: &[u8]) -> Result<(bool, Vec<Vec<u8>>), String> {
        let names = |d: Option<super::Dynamic>| match d {
            None => (false, Vec::new()),
            Some(d) => (
                true,
                d.defined()
                    .map(|n| d.strings[n.start..n.end].to_vec())
                    .collect(),
            ),
        };
        let from_file = read(&source(bytes)).map(names).map_err(|e| e.to_string());
        let from_memory = read(&bytes).map(names).map_err(|e| e.to_string());
        assert_eq!(from_file, from_memory);
        from_file
    }

    #[test]
    fn the_first_nul_is_found_at_every_alignment() {
        for len in 0..40 {
            for at in 0..len {
                let mut b = vec![b'a'; len];
                b[at] = 0;
                if at + 3 < len {
                    b[at + 3] = 0;
                }
                assert_eq!(super::nul_in(&b), Some(at), "{b:?}");
            }
            assert_eq!(super::nul_in(&vec![0x80; len]), None);
            assert_eq!(super::nul_in(&vec![0x01; len]), None);
        }
    }

    /// A little-endian ELF64 header with section headers at `shoff`.
    fn header(shoff: u64, shnum: u16) -> Vec<u8> {
        let mut h = vec![0u8; 64];
        h[..6].copy_from_slice(b"\x7fELF\x02\x01");
        h[0x28..0x30].copy_from_slice(&shoff.to_le_bytes());
        h[0x3a..0x3c].copy_from_slice(&64u16.to_le_bytes());
        h[0x3c..0x3e].copy_from_slice(&shnum.to_le_bytes());
        h
    }

    fn section(kind: u32, offset: u64, size: u64, link: u32) -> Vec<u8> {
        let mut s = vec![0u8; 64];
        s[4..8].copy_from_slice(&kind.to_le_bytes());
        s[24..32].copy_from_slice(&offset.to_le_bytes());
        s[32..40].copy_from_slice(&size.to_le_bytes());
        s[40..44].copy_from_slice(&link.to_le_bytes());
        s
    }

    #[test]
    fn other_formats_are_left_to_the_generic_reader() {
        assert_eq!(names_of(b"not a library").unwrap(), (false, vec![]));
        assert_eq!(names_of(&[0u8; 100]).unwrap(), (false, vec![]));
    }

    #[test]
    fn names_of_defined_global_symbols_are_read() {
        // Sections at 64: null, dynsym (at 256, 3 symbols), dynstr (at 400).
        let strings = b"\0wasm_engine_new\0local\0undefined\0".to_vec();
        let mut symbols = vec![0u8; 24]; // the null symbol
        for (name, info, shndx) in [(1u32, 0x12u8, 5u16), (17, 0x02, 5), (23, 0x12, 0)] {
            let mut s = vec![0u8; 24];
            s[..4].copy_from_slice(&name.to_le_bytes());
            s[4] = info;
            s[6..8].copy_from_slice(&shndx.to_le_bytes());
            symbols.extend(s);
        }
        let mut file = header(64, 3);
        file.extend(section(0, 0, 0, 0));
        file.extend(section(11, 256, symbols.len() as u64, 2));
        file.extend(section(3, 400, strings.len() as u64, 0));
        file.resize(256, 0);
        file.extend(&symbols);
        file.resize(400, 0);
        file.extend(&strings);
        let (elf, names) = names_of(&file).unwrap();
        assert!(elf);
        assert_eq!(names, [b"wasm_engine_new".to_vec()]);
    }

    /// `.rodata` is found by name (its load address and size); a section
    /// name table over its bound, or a `.rodata` beyond the file's end, is
    /// not read, and the file's symbols still are.
    #[test]
    fn rodata_is_found_by_name_within_bounds() {
        let with = |names_size: u64, rodata_size: u64| {
            let strings = b"\0wasm_engine_new\0".to_vec();
            let names = b"\0.rodata\0.shstrtab\0".to_vec();
            let mut file = header(64, 5);
            file[0x3e..0x40].copy_from_slice(&3u16.to_le_bytes());
            file.extend(section(0, 0, 0, 0));
            file.extend(section(11, 512, 48, 2));
            file.extend(section(3, 600, strings.len() as u64, 0));
            let mut names_header = section(3, 640, names_size, 0);
            names_header[..4].copy_from_slice(&9u32.to_le_bytes());
            file.extend(names_header);
            let mut rodata = section(1, 700, rodata_size, 0);
            rodata[..4].copy_from_slice(&1u32.to_le_bytes());
            rodata[16..24].copy_from_slice(&0x1234u64.to_le_bytes());
            file.extend(rodata);
            file.resize(512 + 24, 0);
            let mut symbol = vec![0u8; 24];
            symbol[..4].copy_from_slice(&1u32.to_le_bytes());
            symbol[4] = 0x12;
            symbol[6..8].copy_from_slice(&5u16.to_le_bytes());
            file.extend(symbol);
            file.resize(600, 0);
            file.extend(&strings);
            file.resize(640, 0);
            file.extend(&names);
            file.resize(800, 0);
            let symbols = read(&source(&file)).unwrap().unwrap();
            assert_eq!(symbols.defined().count(), 1);
            symbols.rodata
        };
        assert_eq!(with(19, 100), Some((0x1234, 100)));
        assert_eq!(with(super::SECTION_NAMES_AT_MOST + 1, 100), None);
        assert_eq!(with(19, 101), None);
    }

    #[test]
    fn malformed_files_are_errors_without_huge_allocations() {
        // Section headers beyond the end.
        let err = names_of(&header(1 << 40, 3)).unwrap_err();
        assert!(err.contains("malformed ELF"), "{err}");
        // Extended numbering (the first header's size is the count): a
        // count that would need 2^70 bytes, refused by the bound.
        let mut file = header(64, 0);
        file.extend(section(0, 0, u64::MAX / 2, 0));
        let err = names_of(&file).unwrap_err();
        assert!(err.contains("section header table claims"), "{err}");
        // A dynamic symbol table whose string table index is out of range.
        let mut file = header(64, 1);
        file.extend(section(11, 0, 24, 99));
        assert!(names_of(&file).unwrap_err().contains("string table"));
        // No dynamic symbol table at all.
        let mut file = header(64, 1);
        file.extend(section(1, 0, 0, 0));
        assert!(names_of(&file)
            .unwrap_err()
            .contains("no dynamic symbol table"));
    }

    /// Each table is checked against its bound before it is read: claims
    /// past the bound are refused naming the table, those at the bound
    /// read (where the file holds them).
    #[test]
    fn tables_are_bounded_before_they_are_read() {
        use super::{MAX_DYNSTR, MAX_DYNSYM, MAX_SECTIONS};
        let file_with = |symbols: u64, strings: u64| {
            let mut file = header(64, 3);
            file.extend(section(0, 0, 0, 0));
            file.extend(section(11, 256, symbols, 2));
            file.extend(section(3, 256, strings, 0));
            file.resize(256, 0);
            source(&file)
        };
        let too_large = |file: &FileSource| match read(file) {
            Err(ReadError::TooLarge {
                table,
                claimed,
                limit,
            }) => (table, claimed, limit),
            Err(other) => panic!("not TooLarge: {other}"),
            Ok(_) => panic!("read"),
        };
        assert_eq!(
            too_large(&file_with(MAX_DYNSYM + 24, 0)),
            ("dynamic symbol table", MAX_DYNSYM + 24, MAX_DYNSYM)
        );
        assert_eq!(
            too_large(&file_with(0, MAX_DYNSTR + 1)),
            ("dynamic string table", MAX_DYNSTR + 1, MAX_DYNSTR)
        );
        // At the bound, only the file's end refuses them.
        for (symbols, strings) in [(MAX_DYNSYM, 0), (0, MAX_DYNSTR)] {
            match read(&file_with(symbols, strings)) {
                Err(ReadError::Malformed(reason)) => assert!(reason.contains("beyond its end")),
                Err(other) => panic!("{other}"),
                Ok(_) => panic!("read"),
            }
        }
        let sections = u16::try_from(MAX_SECTIONS + 1).unwrap();
        assert_eq!(
            too_large(&source(&header(64, sections))),
            (
                "section header table",
                (MAX_SECTIONS + 1) * 64,
                MAX_SECTIONS * 64
            )
        );
    }
}
