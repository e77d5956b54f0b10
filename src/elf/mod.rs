//! The crate's one ELF reader: the 64-bit ELF header, the section header
//! table (extended numbering included), section names, notes (the GNU
//! build id) and the dynamic symbol table ([`dynamic`]), over a byte
//! [`Source`] that is either bytes in memory (a `.cwasm`, read by
//! [`crate::cwasm`]) or a file read in bounded ranges (a library, read by
//! the loader before it is loaded).
//!
//! The input is untrusted: every read names a range that is checked
//! against the source's size (and, by the callers, against a bound of what
//! a real file needs) before anything is allocated, every walk is linear in
//! the bytes it reads, and a section's name is compared with a fixed-size
//! prefix ([`Names`]) instead of being scanned to its NUL.
//!
//! `object` reads the same formats, but its file reader (`ReadCache`) made
//! one read per symbol name: on a library of a thousand exports that was
//! most of what `Wasmtime::open` spent beyond `dlopen`.

use std::borrow::Cow;

pub(crate) mod dynamic;

/// Size of the ELF64 header and of a section header.
pub(crate) const HEADER: usize = 64;
pub(crate) const SECTION_HEADER: usize = 64;
/// `SHN_XINDEX` in `e_shstrndx`: the section name table's index is in the
/// first section header's `sh_link`.
pub(crate) const XINDEX: u16 = 0xffff;
/// Section types (`sh_type`).
pub(crate) const PROGBITS: u32 = 1;
pub(crate) const NOTE: u32 = 7;
pub(crate) const NOBITS: u32 = 8;
pub(crate) const DYNSYM: u32 = 11;
/// `SHF_ALLOC`: the section is loaded.
pub(crate) const SHF_ALLOC: u64 = 0x2;
/// `SHF_EXECINSTR`: the section holds code.
pub(crate) const SHF_EXECINSTR: u64 = 0x4;

/// Bytes examined, counted in tests to check that the work is linear.
#[cfg(test)]
pub(crate) mod work {
    use std::cell::Cell;

    thread_local!(static BYTES: Cell<u64> = const { Cell::new(0) });

    pub(crate) fn add(bytes: usize) {
        BYTES.with(|b| b.set(b.get() + bytes as u64));
    }

    /// The bytes examined by `f`.
    pub(crate) fn measure(f: impl FnOnce()) -> u64 {
        let before = BYTES.with(Cell::get);
        f();
        BYTES.with(Cell::get) - before
    }
}

#[cfg(not(test))]
pub(crate) mod work {
    #[inline(always)]
    pub(crate) fn add(_: usize) {}
}

/// Integers in the file's byte order, from fixed-size fields.
#[derive(Clone, Copy)]
pub(crate) struct Endian {
    pub(crate) big: bool,
}

impl Endian {
    /// The `N` bytes at `at` of `record`, which the caller has sized to
    /// hold them (a header, a section header, a symbol).
    #[inline(always)]
    fn field<const N: usize>(record: &[u8], at: usize) -> [u8; N] {
        let mut out = [0; N];
        out.copy_from_slice(&record[at..at + N]);
        out
    }

    #[inline(always)]
    pub(crate) fn u16(self, record: &[u8], at: usize) -> u16 {
        let b = Self::field(record, at);
        if self.big {
            u16::from_be_bytes(b)
        } else {
            u16::from_le_bytes(b)
        }
    }

    #[inline(always)]
    pub(crate) fn u32(self, record: &[u8], at: usize) -> u32 {
        let b = Self::field(record, at);
        if self.big {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        }
    }

    #[inline(always)]
    pub(crate) fn u64(self, record: &[u8], at: usize) -> u64 {
        let b = Self::field(record, at);
        if self.big {
            u64::from_be_bytes(b)
        } else {
            u64::from_le_bytes(b)
        }
    }
}

/// What the identification bytes of a header say when they are not a
/// 64-bit ELF file's this reader reads.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum NotElf64 {
    /// Fewer bytes than a header, or no `\x7fELF` magic.
    NotElf,
    /// `EI_CLASS` is not 64-bit.
    Class(u8),
    /// `EI_DATA` is neither little- nor big-endian.
    ByteOrder(u8),
    /// `EI_VERSION` is not 1.
    Version(u8),
}

/// The ELF64 header's fields the crate reads.
pub(crate) struct Header {
    pub(crate) endian: Endian,
    /// `EI_OSABI` and `EI_ABIVERSION`.
    pub(crate) os_abi: u8,
    pub(crate) abi_version: u8,
    pub(crate) e_flags: u32,
    pub(crate) shoff: u64,
    pub(crate) shentsize: u16,
    pub(crate) shnum: u16,
    pub(crate) shstrndx: u16,
}

impl Header {
    /// Reads the header at the start of `bytes`. `check_version` asks for
    /// `EI_VERSION` 1 (as `object`'s parser does).
    pub(crate) fn parse(bytes: &[u8], check_version: bool) -> Result<Header, NotElf64> {
        let Some(h) = bytes.get(..HEADER) else {
            return Err(NotElf64::NotElf);
        };
        work::add(HEADER);
        if h[..4] != *b"\x7fELF" {
            return Err(NotElf64::NotElf);
        }
        if h[4] != 2 {
            return Err(NotElf64::Class(h[4]));
        }
        let endian = match h[5] {
            1 => Endian { big: false },
            2 => Endian { big: true },
            other => return Err(NotElf64::ByteOrder(other)),
        };
        if check_version && h[6] != 1 {
            return Err(NotElf64::Version(h[6]));
        }
        Ok(Header {
            endian,
            os_abi: h[7],
            abi_version: h[8],
            e_flags: endian.u32(h, 48),
            shoff: endian.u64(h, 40),
            shentsize: endian.u16(h, 58),
            shnum: endian.u16(h, 60),
            shstrndx: endian.u16(h, 62),
        })
    }
}

/// One section header's fields the crate reads.
#[derive(Clone, Copy)]
pub(crate) struct SectionHeader {
    pub(crate) name: u32,
    pub(crate) kind: u32,
    pub(crate) flags: u64,
    pub(crate) addr: u64,
    pub(crate) offset: u64,
    pub(crate) size: u64,
    pub(crate) link: u32,
}

impl SectionHeader {
    /// The header in `record`, [`SECTION_HEADER`] bytes.
    #[inline]
    pub(crate) fn parse(e: Endian, record: &[u8]) -> SectionHeader {
        SectionHeader {
            name: e.u32(record, 0),
            kind: e.u32(record, 4),
            flags: e.u64(record, 8),
            addr: e.u64(record, 16),
            offset: e.u64(record, 24),
            size: e.u64(record, 32),
            link: e.u32(record, 40),
        }
    }
}

/// A read that failed.
#[derive(Debug)]
pub(crate) enum ReadFail {
    /// The range lies (partly) beyond the source's end.
    Outside { offset: u64, len: u64, size: u64 },
    /// The file could not be read.
    Io(std::io::Error),
}

impl ReadFail {
    /// The range's end, as a message shows it (no overflow).
    pub(crate) fn end(offset: u64, len: u64) -> u128 {
        u128::from(offset) + u128::from(len)
    }
}

/// Where the reader takes bytes from.
pub(crate) trait Source<'a> {
    /// The source's size in bytes.
    fn size(&self) -> u64;

    /// The `len` bytes at `offset`, refused before anything is allocated
    /// when they do not lie in the source. Callers bound `len` first.
    fn read(&self, offset: u64, len: u64) -> Result<Cow<'a, [u8]>, ReadFail>;
}

/// Whether `offset..offset + len` lies in `0..size`, as `usize`s.
fn inside(offset: u64, len: u64, size: u64) -> Result<(usize, usize), ReadFail> {
    match offset.checked_add(len) {
        Some(end) if end <= size => match (usize::try_from(offset), usize::try_from(end)) {
            (Ok(start), Ok(end)) => Ok((start, end)),
            _ => Err(ReadFail::Outside { offset, len, size }),
        },
        _ => Err(ReadFail::Outside { offset, len, size }),
    }
}

impl<'a> Source<'a> for &'a [u8] {
    fn size(&self) -> u64 {
        self.len() as u64
    }

    fn read(&self, offset: u64, len: u64) -> Result<Cow<'a, [u8]>, ReadFail> {
        range(self, offset, len).map(Cow::Borrowed)
    }
}

/// The `len` bytes at `offset` of `bytes`, when they lie in it.
pub(crate) fn range(bytes: &[u8], offset: u64, len: u64) -> Result<&[u8], ReadFail> {
    let (start, end) = inside(offset, len, bytes.len() as u64)?;
    Ok(&bytes[start..end])
}

/// A file read in ranges, each into a buffer of its own.
pub(crate) struct FileSource {
    file: std::fs::File,
    size: u64,
}

impl FileSource {
    pub(crate) fn new(file: std::fs::File) -> std::io::Result<FileSource> {
        let size = file.metadata()?.len();
        Ok(FileSource { file, size })
    }

    /// The file, for another reader.
    pub(crate) fn into_file(self) -> std::fs::File {
        self.file
    }
}

impl Source<'static> for FileSource {
    fn size(&self) -> u64 {
        self.size
    }

    fn read(&self, offset: u64, len: u64) -> Result<Cow<'static, [u8]>, ReadFail> {
        let (start, end) = inside(offset, len, self.size)?;
        read_at(&self.file, end - start, offset)
            .map(Cow::Owned)
            .map_err(ReadFail::Io)
    }
}

/// The `len` bytes at `offset` of `file`, read into a buffer that is not
/// zeroed first.
#[cfg(unix)]
fn read_at(file: &std::fs::File, len: usize, offset: u64) -> std::io::Result<Vec<u8>> {
    use std::os::fd::AsRawFd;
    let mut buf = Vec::with_capacity(len);
    while buf.len() < len {
        let filled = buf.len();
        let at = offset
            .checked_add(filled as u64)
            .and_then(|at| libc::off_t::try_from(at).ok())
            .ok_or(std::io::ErrorKind::InvalidInput)?;
        let spare = &mut buf.spare_capacity_mut()[..len - filled];
        // SAFETY: `spare` is writable memory of `spare.len()` bytes (the
        // vector's unused capacity), which `pread` writes at most; the
        // descriptor is the open file's.
        let read =
            unsafe { libc::pread(file.as_raw_fd(), spare.as_mut_ptr().cast(), spare.len(), at) };
        match read {
            0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            n if n < 0 => {
                let err = std::io::Error::last_os_error();
                if err.kind() != std::io::ErrorKind::Interrupted {
                    return Err(err);
                }
            }
            n => {
                // SAFETY: `pread` wrote the first `n` bytes of the spare
                // capacity (`n` is at most what was asked for), which
                // follow the initialized ones.
                unsafe { buf.set_len(filled + n as usize) };
            }
        }
    }
    Ok(buf)
}

#[cfg(windows)]
fn read_at(file: &std::fs::File, len: usize, offset: u64) -> std::io::Result<Vec<u8>> {
    let mut buf = vec![0; len];
    read_exact_at(file, &mut buf, offset)?;
    Ok(buf)
}

#[cfg(windows)]
fn read_exact_at(file: &std::fs::File, mut buf: &mut [u8], mut offset: u64) -> std::io::Result<()> {
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

/// Why the section header table could not be had.
#[derive(Debug)]
pub(crate) enum TableFail {
    /// `e_shoff` is 0, or the table has no entries.
    None,
    /// `e_shentsize` is not [`SECTION_HEADER`].
    EntrySize(u16),
    /// The table claims more than the caller's bound allows: `claimed`
    /// bytes, over `limit`.
    TooLarge { claimed: u64, limit: u64 },
    /// The first section header (`first`) or the table lies beyond the
    /// source's end, or could not be read.
    Read { first: bool, fail: ReadFail },
}

/// The section header table, read in one piece.
pub(crate) struct Sections<'a> {
    e: Endian,
    table: Cow<'a, [u8]>,
}

impl<'a> Sections<'a> {
    /// Reads the table `header` names, its count from the first entry under
    /// extended numbering, refusing a table over `max` entries before it
    /// is read. The first entry is read first where `first_always` (as
    /// `object` reads it) or where the count is there.
    pub(crate) fn read<S: Source<'a>>(
        source: &S,
        header: &Header,
        max: u64,
        first_always: bool,
    ) -> Result<Sections<'a>, TableFail> {
        if header.shoff == 0 {
            return Err(TableFail::None);
        }
        if usize::from(header.shentsize) != SECTION_HEADER {
            return Err(TableFail::EntrySize(header.shentsize));
        }
        let e = header.endian;
        let mut count = u64::from(header.shnum);
        if count == 0 || first_always {
            let first = source
                .read(header.shoff, SECTION_HEADER as u64)
                .map_err(|fail| TableFail::Read { first: true, fail })?;
            work::add(SECTION_HEADER);
            if count == 0 {
                count = SectionHeader::parse(e, &first).size;
            }
        }
        if count == 0 {
            return Err(TableFail::None);
        }
        let claimed = count.saturating_mul(SECTION_HEADER as u64);
        let limit = max.saturating_mul(SECTION_HEADER as u64);
        if claimed > limit {
            return Err(TableFail::TooLarge { claimed, limit });
        }
        let table = source
            .read(header.shoff, claimed)
            .map_err(|fail| TableFail::Read { first: false, fail })?;
        Ok(Sections { e, table })
    }

    /// How many section headers there are.
    pub(crate) fn len(&self) -> usize {
        self.table.len() / SECTION_HEADER
    }

    /// Section `index`, if there is one.
    #[inline]
    pub(crate) fn get(&self, index: usize) -> Option<SectionHeader> {
        let start = index.checked_mul(SECTION_HEADER)?;
        let record = self.table.get(start..start.checked_add(SECTION_HEADER)?)?;
        work::add(SECTION_HEADER);
        Some(SectionHeader::parse(self.e, record))
    }

    /// Every section header in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = SectionHeader> + '_ {
        self.table.chunks_exact(SECTION_HEADER).map(|record| {
            work::add(SECTION_HEADER);
            SectionHeader::parse(self.e, record)
        })
    }

    /// The index of the section name table: `e_shstrndx`, or the first
    /// header's `sh_link` under extended numbering.
    pub(crate) fn names_index(&self, header: &Header) -> u64 {
        match header.shstrndx {
            XINDEX => self.get(0).map_or(0, |first| u64::from(first.link)),
            index => u64::from(index),
        }
    }
}

/// A section name table, with the one fact every name lookup needs
/// computed once: where its last NUL is.
pub(crate) struct Names<'a> {
    strings: &'a [u8],
    /// A name starting at or before this offset ends with a NUL.
    last_nul: Option<usize>,
}

/// Why a section name could not be read.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum BadName {
    /// Its offset is past the table.
    Outside(usize),
    /// No NUL follows it.
    Unterminated,
}

impl<'a> Names<'a> {
    /// One pass over `strings`, from its end.
    pub(crate) fn new(strings: &'a [u8]) -> Self {
        work::add(strings.len());
        let last_nul = strings.iter().rposition(|&b| b == 0);
        Names { strings, last_nul }
    }

    /// Checks the name at `offset` as `object`'s `StringTable::get` does
    /// (inside the table, NUL-terminated), in constant time.
    pub(crate) fn check(&self, offset: u32) -> Result<(), BadName> {
        let offset = offset as usize;
        if offset >= self.strings.len() {
            return Err(BadName::Outside(offset));
        }
        match self.last_nul {
            Some(nul) if offset <= nul => Ok(()),
            _ => Err(BadName::Unterminated),
        }
    }

    /// Whether the name at `offset` is `name`, reading at most
    /// `name.len() + 1` bytes.
    pub(crate) fn is(&self, offset: u32, name: &str) -> bool {
        let name = name.as_bytes();
        let Some(rest) = self.strings.get(offset as usize..) else {
            return false;
        };
        let n = rest.len().min(name.len() + 1);
        work::add(n);
        rest.len() > name.len() && &rest[..name.len()] == name && rest[name.len()] == 0
    }

    /// The name at `offset` for a message, cut after 64 bytes.
    pub(crate) fn display(&self, offset: u32) -> String {
        const MAX: usize = 64;
        let rest = self.strings.get(offset as usize..).unwrap_or_default();
        let shown = &rest[..rest.len().min(MAX)];
        work::add(shown.len());
        match shown.iter().position(|&b| b == 0) {
            Some(end) => String::from_utf8_lossy(&shown[..end]).into_owned(),
            None => format!("{}...", String::from_utf8_lossy(shown)),
        }
    }
}

/// The GNU build id among `notes` (ELF notes: name size, descriptor size,
/// type, then the name and the descriptor, each padded to 4 bytes), in the
/// given byte order: from a file's note sections or a loaded object's
/// `PT_NOTE` segments.
pub(crate) fn gnu_build_id(notes: &[u8], little: bool) -> Option<Vec<u8>> {
    /// `NT_GNU_BUILD_ID`.
    const BUILD_ID: u32 = 3;
    let e = Endian { big: !little };
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
    use super::*;

    #[test]
    fn the_gnu_build_id_is_found_among_notes() {
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

    /// Both sources refuse a range past their end (or whose end overflows)
    /// before allocating, and give the same bytes otherwise.
    #[test]
    fn sources_refuse_ranges_outside_them() {
        let bytes: Vec<u8> = (0..100u8).collect();
        let path =
            std::env::temp_dir().join(format!("wasmtime-dyn-elf-src-{}", std::process::id()));
        std::fs::write(&path, &bytes).unwrap();
        let file = FileSource::new(std::fs::File::open(&path).unwrap()).unwrap();
        std::fs::remove_file(&path).unwrap();
        let slice = &bytes[..];
        for (offset, len) in [(0, 100), (10, 5), (100, 0)] {
            assert_eq!(
                file.read(offset, len).unwrap(),
                slice.read(offset, len).unwrap()
            );
        }
        for (offset, len) in [(0, 101), (99, 2), (u64::MAX, 2), (1 << 40, 1 << 40)] {
            assert!(matches!(
                file.read(offset, len),
                Err(ReadFail::Outside { .. })
            ));
            assert!(matches!(
                slice.read(offset, len),
                Err(ReadFail::Outside { .. })
            ));
        }
    }

    #[test]
    fn names_are_checked_and_matched_in_bounded_work() {
        let names = Names::new(b"\0.text\0.rodata\0tail");
        assert_eq!(names.check(1), Ok(()));
        assert_eq!(names.check(7), Ok(()));
        assert_eq!(names.check(16), Err(BadName::Unterminated));
        assert_eq!(names.check(100), Err(BadName::Outside(100)));
        assert!(names.is(7, ".rodata"));
        assert!(!names.is(7, ".rodat"));
        assert!(!names.is(1, ".rodata"));
        assert!(!names.is(1000, ".text"));
        assert_eq!(names.display(15), "tail...");
        assert_eq!(work::measure(|| assert!(!names.is(0, "x"))), 2);
    }
}
