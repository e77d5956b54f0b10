//! The dynamic symbol names of a 64-bit ELF file and its GNU build id, read
//! with one read each of the section headers, the dynamic symbol table, its
//! string table and the note sections up to the one holding the build id.
//!
//! `object`'s `ReadCache` reads every symbol name with a read of its own
//! (and a hash-map lookup); on a library of a thousand exports that was
//! most of what `Wasmtime::open` spent beyond `dlopen`.
//!
//! Every read is of a range the headers name, checked against a bound
//! before anything is allocated: what the loader reads is bounded by what a
//! real libwasmtime holds, never by what a header claims (a 64 GiB sparse
//! file claiming a 64 GiB table is refused at once, naming the table).

use super::ReadError;
use std::fs::File;

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

/// `SHT_DYNSYM`.
const DYNSYM: u32 = 11;
/// `SHT_PROGBITS`.
const PROGBITS: u32 = 1;
/// The section name table read to find `.rodata`: 64 KiB (the libraries'
/// take some 350 bytes); a larger one is not read, and `.rodata` is then
/// not looked at.
const SECTION_NAMES_AT_MOST: u64 = 1 << 16;
/// `SHN_XINDEX`: the section name table's index is in the first section
/// header's `sh_link`.
const XINDEX: u16 = 0xffff;
/// `SHT_NOTE`.
const NOTE: u32 = 7;
/// `STT_FUNC` (an indirect function is `STT_GNU_IFUNC`, 10).
const FUNC: u8 = 2;
/// `SHN_LORESERVE`: section indices from here on are special (absolute,
/// common...).
const RESERVED: u16 = 0xff00;
/// Size of a section header and of a symbol.
const SECTION_HEADER: usize = 64;
const SYMBOL: usize = 24;
/// Longer names than this (NUL included) are not the C API's.
const LONGEST: usize = 128;

/// Integers of the file's byte order.
#[derive(Clone, Copy)]
struct Endian {
    little: bool,
}

impl Endian {
    /// The `N` bytes at `at`, least significant first. Every caller reads
    /// a fixed offset inside a header, symbol or note it has sized.
    fn le<const N: usize>(self, b: &[u8], at: usize) -> [u8; N] {
        let mut bytes: [u8; N] = b[at..at + N].try_into().expect("a field inside its record");
        if !self.little {
            bytes.reverse();
        }
        bytes
    }

    fn u16(self, b: &[u8], at: usize) -> u16 {
        u16::from_le_bytes(self.le(b, at))
    }

    fn u32(self, b: &[u8], at: usize) -> u32 {
        u32::from_le_bytes(self.le(b, at))
    }

    fn u64(self, b: &[u8], at: usize) -> u64 {
        u64::from_le_bytes(self.le(b, at))
    }
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

/// Reads `len` bytes at `offset`, refusing ranges beyond the file's end
/// before allocating anything. Callers bound `len` first.
fn read_at(file: &File, size: u64, offset: u64, len: u64) -> Result<Vec<u8>, ReadError> {
    let end = offset.checked_add(len).filter(|end| *end <= size);
    let (Some(_), Ok(len)) = (end, usize::try_from(len)) else {
        return Err(ReadError::Malformed(format!(
            "a malformed ELF file: {len} bytes at offset {offset} lie beyond its end ({size} bytes)"
        )));
    };
    let mut buf = vec![0; len];
    read_exact_at(file, &mut buf, offset)
        .map_err(|e| ReadError::Malformed(format!("reading the file: {e}")))?;
    Ok(buf)
}

#[cfg(unix)]
fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(windows)]
fn read_exact_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> std::io::Result<()> {
    while !buf.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(file, buf, offset)? {
            0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            n => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}

/// The dynamic string table of `file` and, for every defined, non-local
/// dynamic symbol, where its name lies in it and its value where the
/// symbol is a plain function in one of the file's sections (not an
/// indirect function, whose address a resolver computes, nor an absolute
/// symbol): the dynamic linker's address for it is then the library's load
/// base plus that value. `Ok(None)` when the file is not 64-bit ELF
/// (another reader must look), an error when it is but is malformed or
/// claims a table larger than [`MAX_SECTIONS`], [`MAX_DYNSYM`] or
/// [`MAX_DYNSTR`] allow.
pub(super) fn dynamic_symbols(file: &File) -> Result<Option<super::Symbols>, ReadError> {
    let malformed = |what: &str| {
        Err(ReadError::Malformed(format!(
            "a malformed ELF file: {what}"
        )))
    };
    let size = file
        .metadata()
        .map_err(|e| ReadError::Malformed(format!("reading the file: {e}")))?
        .len();
    if size < 64 {
        return Ok(None);
    }
    let header = read_at(file, size, 0, 64)?;
    if header[..5] != *b"\x7fELF\x02" || !matches!(header[5], 1 | 2) {
        return Ok(None);
    }
    let e = Endian {
        little: header[5] == 1,
    };
    let section_headers = e.u64(&header, 0x28);
    if section_headers == 0 {
        return malformed("no section headers");
    }
    if usize::from(e.u16(&header, 0x3a)) != SECTION_HEADER {
        return malformed("section headers of an unexpected size");
    }
    let mut count = u64::from(e.u16(&header, 0x3c));
    if count == 0 {
        // Extended numbering: the first header's size holds the count.
        let first = read_at(file, size, section_headers, SECTION_HEADER as u64)?;
        count = e.u64(&first, 32);
    }
    let table_size = count.saturating_mul(SECTION_HEADER as u64);
    bounded(
        "section header table",
        table_size,
        MAX_SECTIONS * SECTION_HEADER as u64,
    )?;
    let table = read_at(file, size, section_headers, table_size)?;
    let section = |i: usize| {
        let start = i.checked_mul(SECTION_HEADER)?;
        table.get(start..start.checked_add(SECTION_HEADER)?)
    };
    // One walk over the headers: the dynamic symbol table, and the build
    // id from the first note section that holds one.
    let mut dynsym = None;
    let mut build_id = None;
    let mut notes_left = NOTES_AT_MOST;
    for header in (0..table.len() / SECTION_HEADER).filter_map(section) {
        match e.u32(header, 4) {
            DYNSYM if dynsym.is_none() => dynsym = Some(header),
            NOTE if build_id.is_none() && e.u64(header, 32) <= notes_left => {
                notes_left -= e.u64(header, 32);
                let notes = read_at(file, size, e.u64(header, 24), e.u64(header, 32))?;
                build_id = gnu_build_id(&notes, e.little);
            }
            _ => {}
        }
    }
    let Some(dynsym) = dynsym else {
        return malformed("no dynamic symbol table");
    };
    let strings_index = usize::try_from(e.u32(dynsym, 40)).unwrap_or(usize::MAX);
    let Some(strings) = section(strings_index) else {
        return malformed("the dynamic symbols' string table is missing");
    };
    bounded("dynamic symbol table", e.u64(dynsym, 32), MAX_DYNSYM)?;
    bounded("dynamic string table", e.u64(strings, 32), MAX_DYNSTR)?;
    let symbols = read_at(file, size, e.u64(dynsym, 24), e.u64(dynsym, 32))?;
    let strings = read_at(file, size, e.u64(strings, 24), e.u64(strings, 32))?;
    let mut names = Vec::with_capacity(symbols.len() / SYMBOL);
    for symbol in symbols.chunks_exact(SYMBOL) {
        let bind = symbol[4] >> 4;
        let section_index = e.u16(symbol, 6);
        if bind == 0 || section_index == 0 {
            // Local, or undefined (an import).
            continue;
        }
        let Some((start, name)) = usize::try_from(e.u32(symbol, 0))
            .ok()
            .and_then(|at| Some((at, strings.get(at..)?)))
        else {
            continue;
        };
        // Names the loader looks for are short: looking no further than
        // `LONGEST` keeps a string table without NULs from making this
        // quadratic.
        let name = &name[..name.len().min(LONGEST)];
        if let Ok(name) = std::ffi::CStr::from_bytes_until_nul(name) {
            let len = name.to_bytes().len();
            let plain_function = symbol[4] & 0xf == FUNC && section_index < RESERVED;
            names.push(super::Name {
                start,
                end: start + len,
                value: plain_function.then(|| e.u64(symbol, 8)),
            });
        }
    }
    let rodata = rodata(file, size, e, &header, &table);
    Ok(Some(super::Symbols {
        strings,
        names,
        build_id,
        table: Some(symbols),
        rodata,
    }))
}

/// Where the `.rodata` section is loaded (its address relative to the load
/// base, and its size), found by its name in the section name table;
/// `None` when the table is missing, larger than [`SECTION_NAMES_AT_MOST`]
/// or unreadable, or has no such name, or the section does not lie in the
/// file: the section is only read for the version text, which is then
/// looked for no further.
fn rodata(file: &File, size: u64, e: Endian, header: &[u8], table: &[u8]) -> Option<(u64, u64)> {
    const NAME: &[u8] = b".rodata\0";
    let section = |i: usize| {
        table
            .get(i.checked_mul(SECTION_HEADER)?..)?
            .get(..SECTION_HEADER)
    };
    let index = match e.u16(header, 0x3e) {
        XINDEX => usize::try_from(e.u32(section(0)?, 40)).ok()?,
        index => usize::from(index),
    };
    let names = section(index)?;
    let names_size = e.u64(names, 32);
    if names_size > SECTION_NAMES_AT_MOST {
        return None;
    }
    let names = read_at(file, size, e.u64(names, 24), names_size).ok()?;
    (0..table.len() / SECTION_HEADER)
        .filter_map(section)
        .find(|h| {
            e.u32(h, 4) == PROGBITS
                && usize::try_from(e.u32(h, 0))
                    .ok()
                    .and_then(|at| names.get(at..)?.get(..NAME.len()))
                    == Some(NAME)
        })
        .filter(|h| {
            let (offset, len) = (e.u64(h, 24), e.u64(h, 32));
            offset.checked_add(len).is_some_and(|end| end <= size)
        })
        .map(|h| (e.u64(h, 16), e.u64(h, 32)))
}

/// The GNU build id among `notes` (ELF notes: name size, descriptor size,
/// type, then the name and the descriptor, each padded to 4 bytes), in the
/// given byte order.
pub(in crate::loader) fn gnu_build_id(notes: &[u8], little: bool) -> Option<Vec<u8>> {
    /// `NT_GNU_BUILD_ID`.
    const BUILD_ID: u32 = 3;
    let e = Endian { little };
    let mut at = 0usize;
    while notes.len().checked_sub(at)? >= 12 {
        let name_size = usize::try_from(e.u32(notes, at)).ok()?;
        let desc_size = usize::try_from(e.u32(notes, at + 4)).ok()?;
        let kind = e.u32(notes, at + 8);
        let name_start = at + 12;
        let desc_start = name_start.checked_add(name_size.checked_add(3)? & !3)?;
        let next = desc_start.checked_add(desc_size.checked_add(3)? & !3)?;
        let name = notes.get(name_start..name_start.checked_add(name_size)?)?;
        let desc = notes.get(desc_start..desc_start.checked_add(desc_size)?)?;
        if kind == BUILD_ID && name == b"GNU\0" {
            return Some(desc.to_vec());
        }
        at = next;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::dynamic_symbols;
    use std::io::Write;

    fn names_of(bytes: &[u8]) -> Result<(bool, Vec<Vec<u8>>), String> {
        let mut file = tempfile_with(bytes);
        file.flush().unwrap();
        Ok(match dynamic_symbols(&file).map_err(|e| e.to_string())? {
            None => (false, Vec::new()),
            Some(symbols) => (
                true,
                symbols
                    .names
                    .iter()
                    .map(|n| symbols.strings[n.start..n.end].to_vec())
                    .collect(),
            ),
        })
    }

    fn tempfile_with(bytes: &[u8]) -> std::fs::File {
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
        file
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
    fn the_gnu_build_id_is_found_among_notes() {
        use super::gnu_build_id;
        let note = |name: &[u8], kind: u32, desc: &[u8]| {
            let mut n = Vec::new();
            n.extend(u32::try_from(name.len()).unwrap().to_le_bytes());
            n.extend(u32::try_from(desc.len()).unwrap().to_le_bytes());
            n.extend(kind.to_le_bytes());
            n.extend(name);
            n.resize(n.len().next_multiple_of(4), 0);
            n.extend(desc);
            n.resize(n.len().next_multiple_of(4), 0);
            n
        };
        let mut notes = note(b"GNU\0", 1, b"\0\0\0\0\x03\0\0\0"); // an ABI tag first
        notes.extend(note(b"Go\0", 3, b"not this one"));
        notes.extend(note(b"GNU\0", 3, b"\x01\x02\x03\x04\x05"));
        assert_eq!(gnu_build_id(&notes, true), Some(vec![1, 2, 3, 4, 5]));
        // Sizes beyond the notes, or none at all: no build id, no panic.
        let mut huge = note(b"GNU\0", 3, b"id");
        huge[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(gnu_build_id(&huge, true), None);
        assert_eq!(gnu_build_id(&[0xff; 11], true), None);
        assert_eq!(gnu_build_id(&[], true), None);
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
            let symbols = dynamic_symbols(&tempfile_with(&file)).unwrap().unwrap();
            assert_eq!(symbols.names.len(), 1);
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
        use super::{ReadError, MAX_DYNSTR, MAX_DYNSYM, MAX_SECTIONS};
        let file_with = |symbols: u64, strings: u64| {
            let mut file = header(64, 3);
            file.extend(section(0, 0, 0, 0));
            file.extend(section(11, 256, symbols, 2));
            file.extend(section(3, 256, strings, 0));
            file.resize(256, 0);
            tempfile_with(&file)
        };
        let too_large = |file: &std::fs::File| match dynamic_symbols(file) {
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
            match dynamic_symbols(&file_with(symbols, strings)) {
                Err(ReadError::Malformed(reason)) => assert!(reason.contains("beyond its end")),
                Err(other) => panic!("{other}"),
                Ok(_) => panic!("read"),
            }
        }
        let sections = u16::try_from(MAX_SECTIONS + 1).unwrap();
        assert_eq!(
            too_large(&tempfile_with(&header(64, sections))),
            (
                "section header table",
                (MAX_SECTIONS + 1) * 64,
                MAX_SECTIONS * 64
            )
        );
    }
}
