//! Reading the ELF container of a `.cwasm` with the crate's ELF reader
//! ([`crate::elf`], over the bytes in memory): the header, the section
//! headers (extended numbering included, as the `object` crate reads them)
//! and the bytes of the `.wasmtime.engine` section, with the checks
//! Wasmtime's `check_compatible` makes before it reads the section.
//!
//! The bytes are untrusted, so every step is linear in the file's size: the
//! section header table is walked once, and a section's name is compared
//! with a fixed-size prefix instead of being scanned to its NUL (whether
//! every name has one is answered once for the whole name table).

use super::{ArtifactKind, EF_WASMTIME_COMPONENT, EF_WASMTIME_MODULE, ENGINE_SECTION};
use crate::elf::{BadName, Header, Names, NotElf64, ReadFail, Sections, TableFail};
use crate::error::{Error, ErrorKind, Result};
use std::fmt;

#[cfg(test)]
use crate::elf::work;

const EHDR_SIZE: usize = crate::elf::HEADER;
const SHDR_SIZE: u64 = crate::elf::SECTION_HEADER as u64;
#[cfg(test)]
const SHN_XINDEX: u16 = crate::elf::XINDEX;

/// A `.cwasm` that is not one, with what is wrong.
pub(super) fn invalid(message: impl fmt::Display) -> Error {
    ErrorKind::Invalid(format!("not a valid .cwasm: {message}")).into()
}

/// `what` lies beyond the end of the file.
fn outside(what: &str, fail: ReadFail, file_len: usize) -> Error {
    match fail {
        ReadFail::Outside { offset, len, .. } => invalid(format_args!(
            "{what} (bytes {offset}..{}) lies outside the {file_len}-byte file",
            ReadFail::end(offset, len)
        )),
        ReadFail::Io(e) => invalid(e),
    }
}

/// The artifact kind `e_flags` names.
fn kind_of(e_flags: u32) -> Option<ArtifactKind> {
    if e_flags & EF_WASMTIME_MODULE != 0 {
        Some(ArtifactKind::Module)
    } else if e_flags & EF_WASMTIME_COMPONENT != 0 {
        Some(ArtifactKind::Component)
    } else {
        None
    }
}

/// What the ELF container says: the artifact's kind, its `e_flags` and the
/// engine section's bytes.
pub(super) struct Container<'a> {
    pub kind: ArtifactKind,
    pub e_flags: u32,
    pub engine_section: &'a [u8],
}

/// A section's bytes; none for `SHT_NOBITS`.
fn section_data<'a>(
    bytes: &'a [u8],
    section: &crate::elf::SectionHeader,
) -> std::result::Result<&'a [u8], ReadFail> {
    if section.kind == crate::elf::NOBITS {
        return Ok(&[]);
    }
    crate::elf::range(bytes, section.offset, section.size)
}

/// Parses the ELF header and finds the engine section, with the checks
/// Wasmtime's `check_compatible` makes (through the `object` crate). Like
/// Wasmtime, the OS ABI byte is not checked. Linear in `bytes.len()`.
pub(super) fn read(bytes: &[u8]) -> Result<Container<'_>> {
    if bytes.len() < EHDR_SIZE {
        return Err(invalid(format_args!(
            "{} bytes is too short for an ELF header",
            bytes.len()
        )));
    }
    let header = Header::parse(bytes, true).map_err(|not| match not {
        NotElf64::NotElf => invalid("not an ELF file (no \\x7fELF magic)"),
        NotElf64::Class(class) => invalid(format_args!("not a 64-bit ELF file (class {class})")),
        NotElf64::ByteOrder(other) => invalid(format_args!("unknown ELF byte order {other}")),
        NotElf64::Version(version) => invalid(format_args!("unsupported ELF version {version}")),
    })?;
    let e_flags = header.e_flags;
    let kind = kind_of(e_flags).ok_or_else(|| {
        invalid(format_args!(
            "not a Wasmtime artifact: e_flags {e_flags:#x} has neither the module nor the component bit"
        ))
    })?;

    // Section headers, as `object` finds them (extended numbering included).
    let missing = || {
        invalid(format_args!(
            "no `{ENGINE_SECTION}` section (the file has no section headers)"
        ))
    };
    // The whole table lies in the file, so the loop below runs at most
    // `bytes.len() / 64` times.
    let sections = Sections::read(&bytes, &header, u64::MAX, true).map_err(|fail| match fail {
        TableFail::None => missing(),
        TableFail::EntrySize(size) => invalid(format_args!(
            "section header entries are {size} bytes, not {SHDR_SIZE}"
        )),
        TableFail::Read { first: true, fail } => outside("a section header", fail, bytes.len()),
        TableFail::Read { fail, .. } => outside("the section header table", fail, bytes.len()),
        // No bound is asked for (`u64::MAX` entries): the file's size
        // bounds the table.
        TableFail::TooLarge { claimed, .. } => outside(
            "the section header table",
            ReadFail::Outside {
                offset: header.shoff,
                len: claimed,
                size: bytes.len() as u64,
            },
            bytes.len(),
        ),
    })?;
    let shnum = sections.len() as u64;
    let shstrndx = sections.names_index(&header);
    if shstrndx == 0 {
        return Err(invalid("no section name table (e_shstrndx is 0)"));
    }
    let Some(strtab) = usize::try_from(shstrndx).ok().and_then(|i| sections.get(i)) else {
        return Err(invalid(format_args!(
            "the section name table index {shstrndx} is past the {shnum} sections"
        )));
    };
    let names = section_data(bytes, &strtab)
        .map_err(|fail| outside("the section name table", fail, bytes.len()))?;
    let names = Names::new(names);

    // Wasmtime keeps the last section of that name. Every section must lie
    // in the file (loading the code checks the others later).
    let mut found = None;
    for (index, section) in sections.iter().enumerate() {
        names.check(section.name).map_err(|bad| match bad {
            BadName::Outside(offset) => invalid(format_args!(
                "a section name at offset {offset} lies outside the name table"
            )),
            BadName::Unterminated => invalid("a section name is not NUL-terminated"),
        })?;
        section_data(bytes, &section).map_err(|_| {
            invalid(format_args!(
                "section {index} (`{}`, bytes {}..{}) lies outside the {}-byte file: truncated?",
                names.display(section.name),
                section.offset,
                ReadFail::end(section.offset, section.size),
                bytes.len()
            ))
        })?;
        if names.is(section.name, ENGINE_SECTION) {
            found = Some(section);
        }
    }
    let section = found.ok_or_else(|| invalid(format_args!("no `{ENGINE_SECTION}` section")))?;
    let engine_section = section_data(bytes, &section)
        .map_err(|fail| outside("the engine section", fail, bytes.len()))?;
    Ok(Container {
        kind,
        e_flags,
        engine_section,
    })
}

/// The kind of Wasmtime artifact `bytes` look like (`detect_precompiled`
/// in Wasmtime's `serialization.rs`, through `object`'s `ElfFile64::parse`):
/// a valid ELF64 header with Wasmtime's OS ABI and ABI version 0, a module
/// or component `e_flags` bit, and a section header table inside the
/// file. Constant work.
pub(super) fn detect(bytes: &[u8]) -> Option<ArtifactKind> {
    let header = Header::parse(bytes, true).ok()?;
    if header.os_abi != super::ELFOSABI_WASMTIME || header.abi_version != 0 {
        return None;
    }
    let kind = kind_of(header.e_flags)?;
    if header.shoff != 0 {
        // Only where the table lies is checked: the slice source lends it,
        // nothing is read.
        match Sections::read(&bytes, &header, u64::MAX, true) {
            Ok(_) | Err(TableFail::None) => {}
            Err(_) => return None,
        }
    }
    Some(kind)
}

/// Builds the crafted ELF of issue 10: `sections` section headers (extended
/// numbering) all naming one long name at the start of a name table with
/// its only NUL at the end, `name_len` bytes long. A reader that scans
/// each name to its NUL does `sections * name_len` work.
#[cfg(test)]
pub(super) fn crafted(sections: u64, name_len: u64) -> Vec<u8> {
    let shoff = EHDR_SIZE as u64;
    let strtab = shoff + sections * SHDR_SIZE;
    let mut out = vec![0u8; (strtab + name_len + 1) as usize];
    out[..4].copy_from_slice(b"\x7fELF");
    out[4] = 2;
    out[5] = 1;
    out[6] = 1;
    out[48..52].copy_from_slice(&EF_WASMTIME_MODULE.to_le_bytes());
    out[40..48].copy_from_slice(&shoff.to_le_bytes());
    out[58..60].copy_from_slice(&(SHDR_SIZE as u16).to_le_bytes());
    out[60..62].copy_from_slice(&0u16.to_le_bytes()); // extended numbering
    out[62..64].copy_from_slice(&SHN_XINDEX.to_le_bytes());
    for index in 0..sections {
        let at = (shoff + index * SHDR_SIZE) as usize;
        let header = &mut out[at..at + SHDR_SIZE as usize];
        header[4..8].copy_from_slice(&1u32.to_le_bytes()); // SHT_PROGBITS
        if index == 0 {
            header[32..40].copy_from_slice(&sections.to_le_bytes()); // shnum
            header[40..44].copy_from_slice(&1u32.to_le_bytes()); // shstrndx
        }
        if index == 1 {
            header[24..32].copy_from_slice(&strtab.to_le_bytes());
            header[32..40].copy_from_slice(&(name_len + 1).to_le_bytes());
        }
    }
    out[strtab as usize..strtab as usize + name_len as usize].fill(b'A');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(bytes: &[u8]) -> String {
        match read(bytes) {
            Err(e) => match e.downcast_ref::<ErrorKind>() {
                Some(ErrorKind::Invalid(why)) => why.clone(),
                _ => panic!("{e:?}"),
            },
            Ok(_) => panic!("accepted"),
        }
    }

    #[test]
    fn crafted_name_tables_cost_linear_work() {
        // The same shape at 1 MiB and at 4 MiB: half section headers, half
        // one long name.
        let small = crafted(8 << 10, 512 << 10);
        let large = crafted(32 << 10, 2 << 20);
        assert!(large.len() >= 4 << 20, "{}", large.len());
        let (mut a, mut b) = (String::new(), String::new());
        let small_work = work::measure(|| a = refused(&small));
        let large_work = work::measure(|| b = refused(&large));
        eprintln!(
            "{} bytes: {small_work} bytes examined; {} bytes: {large_work}",
            small.len(),
            large.len()
        );
        assert!(a.contains("no `.wasmtime.engine` section"), "{a}");
        assert!(b.contains("no `.wasmtime.engine` section"), "{b}");
        // Four times the input, about four times the work (a per-section
        // scan of the name would be sixteen times), and about one pass.
        assert!(
            large_work <= 4 * small_work + 4096,
            "{small_work} -> {large_work}"
        );
        assert!(
            large_work <= 2 * large.len() as u64,
            "{large_work} bytes examined for {} bytes",
            large.len()
        );
    }

    #[test]
    fn names_without_nul_are_refused_as_object_refuses_them() {
        let mut bytes = crafted(4, 100);
        let last = bytes.len() - 1;
        bytes[last] = b'A';
        assert!(refused(&bytes).contains("NUL"), "{}", refused(&bytes));
        // A name offset past the table.
        let mut far = crafted(4, 100);
        let at = EHDR_SIZE + 2 * SHDR_SIZE as usize;
        far[at..at + 4].copy_from_slice(&1000u32.to_le_bytes());
        assert!(refused(&far).contains("outside the name table"));
    }

    #[test]
    fn detection_reads_the_header_only() {
        let mut bytes = crafted(4, 100);
        // `crafted` leaves the OS ABI at 0: not Wasmtime's.
        assert_eq!(detect(&bytes), None);
        bytes[7] = super::super::ELFOSABI_WASMTIME;
        assert_eq!(detect(&bytes), Some(ArtifactKind::Module));
        bytes[48..52].copy_from_slice(&EF_WASMTIME_COMPONENT.to_le_bytes());
        assert_eq!(detect(&bytes), Some(ArtifactKind::Component));
        bytes[48..52].copy_from_slice(&0u32.to_le_bytes());
        assert_eq!(detect(&bytes), None);
        bytes[48..52].copy_from_slice(&EF_WASMTIME_MODULE.to_le_bytes());
        bytes[8] = 1; // ABI version
        assert_eq!(detect(&bytes), None);
        bytes[8] = 0;
        // A section header table past the end of the file.
        let mut cut = bytes.clone();
        cut.truncate(EHDR_SIZE + 10);
        assert_eq!(detect(&cut), None);
        assert_eq!(detect(b"\0asm\x01\0\0\0"), None);
        assert_eq!(detect(&bytes[..EHDR_SIZE - 1]), None);
    }

    #[test]
    fn long_names_are_cut_in_messages() {
        let mut bytes = crafted(3, 10_000);
        // Section 2 lies past the end of the file.
        let at = EHDR_SIZE + 2 * SHDR_SIZE as usize;
        bytes[at + 24..at + 32].copy_from_slice(&u64::MAX.to_le_bytes());
        let why = refused(&bytes);
        assert!(why.contains("section 2 (`AAAA"), "{why}");
        assert!(why.len() < 300, "{why}");
    }
}
