//! Reading the ELF container: the header, the section headers (extended
//! numbering included, as the `object` crate reads them) and the bytes of
//! the `.wasmtime.engine` section, with the checks Wasmtime's
//! `check_compatible` makes before it reads the section.
//!
//! The bytes are untrusted, so every step is linear in the file's size: the
//! section header table is walked once, and a section's name is compared
//! with a fixed-size prefix instead of being scanned to its NUL (whether
//! every name has one is answered once for the whole name table).

use super::{ArtifactKind, EF_WASMTIME_COMPONENT, EF_WASMTIME_MODULE, ENGINE_SECTION};
use crate::error::{Error, ErrorKind, Result};
use std::fmt;

/// A `.cwasm` that is not one, with what is wrong.
pub(super) fn invalid(message: impl fmt::Display) -> Error {
    ErrorKind::Invalid(format!("not a valid .cwasm: {message}")).into()
}

/// Bytes examined, counted in tests to check that the work is linear.
#[cfg(test)]
pub(super) mod work {
    use std::cell::Cell;

    thread_local!(static BYTES: Cell<u64> = const { Cell::new(0) });

    pub fn add(bytes: usize) {
        BYTES.with(|b| b.set(b.get() + bytes as u64));
    }

    /// The bytes examined by `f`.
    pub fn measure(f: impl FnOnce()) -> u64 {
        let before = BYTES.with(Cell::get);
        f();
        BYTES.with(Cell::get) - before
    }
}

#[cfg(not(test))]
mod work {
    #[inline(always)]
    pub fn add(_: usize) {}
}

/// Little- or big-endian reads at checked offsets of the whole file.
struct Elf<'a> {
    data: &'a [u8],
    big: bool,
}

impl<'a> Elf<'a> {
    /// The bytes `offset..offset + len`, which must lie in the file. Only a
    /// view: what a caller reads of it is counted where it reads.
    fn bytes(&self, offset: u64, len: u64, what: &str) -> Result<&'a [u8]> {
        let end = offset.checked_add(len);
        match end {
            Some(end) if end <= self.data.len() as u64 => {
                Ok(&self.data[offset as usize..end as usize])
            }
            _ => Err(invalid(format_args!(
                "{what} (bytes {offset}..{}) lies outside the {}-byte file",
                u128::from(offset) + u128::from(len),
                self.data.len()
            ))),
        }
    }

    fn array<const N: usize>(&self, offset: u64, what: &str) -> Result<[u8; N]> {
        let bytes = self.bytes(offset, N as u64, what)?;
        work::add(N);
        let mut out = [0; N];
        out.copy_from_slice(bytes);
        Ok(out)
    }

    fn u16(&self, offset: u64, what: &str) -> Result<u16> {
        let b = self.array(offset, what)?;
        Ok(if self.big {
            u16::from_be_bytes(b)
        } else {
            u16::from_le_bytes(b)
        })
    }

    fn u32(&self, offset: u64, what: &str) -> Result<u32> {
        let b = self.array(offset, what)?;
        Ok(if self.big {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    }

    fn u64(&self, offset: u64, what: &str) -> Result<u64> {
        let b = self.array(offset, what)?;
        Ok(if self.big {
            u64::from_be_bytes(b)
        } else {
            u64::from_le_bytes(b)
        })
    }
}

const EHDR_SIZE: usize = 64;
const SHDR_SIZE: u64 = 64;
const SHN_XINDEX: u16 = 0xffff;
const SHT_NOBITS: u32 = 8;

/// One section header's fields that matter here.
struct SectionHeader {
    name: u32,
    kind: u32,
    offset: u64,
    size: u64,
    link: u32,
}

impl<'a> Elf<'a> {
    fn section_header(&self, table: u64, index: u64) -> Result<SectionHeader> {
        let at = index
            .checked_mul(SHDR_SIZE)
            .and_then(|offset| offset.checked_add(table))
            .unwrap_or(u64::MAX);
        let what = "a section header";
        let header = Elf {
            data: self.bytes(at, SHDR_SIZE, what)?,
            big: self.big,
        };
        Ok(SectionHeader {
            name: header.u32(0, what)?,
            kind: header.u32(4, what)?,
            offset: header.u64(24, what)?,
            size: header.u64(32, what)?,
            link: header.u32(40, what)?,
        })
    }

    /// A section's bytes; none for `SHT_NOBITS`.
    fn section_data(&self, section: &SectionHeader, what: &str) -> Result<&'a [u8]> {
        if section.kind == SHT_NOBITS {
            Ok(&[])
        } else {
            self.bytes(section.offset, section.size, what)
        }
    }
}

/// The section name table, with the one fact every name lookup needs
/// computed once: where its last NUL is.
struct Names<'a> {
    strings: &'a [u8],
    /// A name starting at or before this offset ends with a NUL.
    last_nul: Option<usize>,
}

impl<'a> Names<'a> {
    fn new(strings: &'a [u8]) -> Self {
        work::add(strings.len());
        let last_nul = strings.iter().rposition(|&b| b == 0);
        Names { strings, last_nul }
    }

    /// Checks the name at `offset` as `object`'s `StringTable::get` does
    /// (inside the table, NUL-terminated), in constant time.
    fn check(&self, offset: u32) -> Result<()> {
        let offset = offset as usize;
        if offset >= self.strings.len() {
            return Err(invalid(format_args!(
                "a section name at offset {offset} lies outside the name table"
            )));
        }
        match self.last_nul {
            Some(nul) if offset <= nul => Ok(()),
            _ => Err(invalid("a section name is not NUL-terminated")),
        }
    }

    /// Whether the (checked) name at `offset` is `name`, reading at most
    /// `name.len() + 1` bytes.
    fn is(&self, offset: u32, name: &str) -> bool {
        let name = name.as_bytes();
        let rest = &self.strings[offset as usize..];
        let n = rest.len().min(name.len() + 1);
        work::add(n);
        rest.len() > name.len() && &rest[..name.len()] == name && rest[name.len()] == 0
    }

    /// The (checked) name at `offset` for a message, cut after 64 bytes.
    fn display(&self, offset: u32) -> String {
        const MAX: usize = 64;
        let rest = &self.strings[offset as usize..];
        let shown = &rest[..rest.len().min(MAX)];
        work::add(shown.len());
        match shown.iter().position(|&b| b == 0) {
            Some(end) => String::from_utf8_lossy(&shown[..end]).into_owned(),
            None => format!("{}...", String::from_utf8_lossy(shown)),
        }
    }
}

/// What the ELF container says: the artifact's kind, its `e_flags` and the
/// engine section's bytes.
pub(super) struct Container<'a> {
    pub kind: ArtifactKind,
    pub e_flags: u32,
    pub engine_section: &'a [u8],
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
    work::add(EHDR_SIZE);
    if &bytes[..4] != b"\x7fELF" {
        return Err(invalid("not an ELF file (no \\x7fELF magic)"));
    }
    if bytes[4] != 2 {
        return Err(invalid(format_args!(
            "not a 64-bit ELF file (class {})",
            bytes[4]
        )));
    }
    let big = match bytes[5] {
        1 => false,
        2 => true,
        other => return Err(invalid(format_args!("unknown ELF byte order {other}"))),
    };
    if bytes[6] != 1 {
        return Err(invalid(format_args!(
            "unsupported ELF version {}",
            bytes[6]
        )));
    }
    let elf = Elf { data: bytes, big };
    let e_flags = elf.u32(48, "e_flags")?;
    let kind = if e_flags & EF_WASMTIME_MODULE != 0 {
        ArtifactKind::Module
    } else if e_flags & EF_WASMTIME_COMPONENT != 0 {
        ArtifactKind::Component
    } else {
        return Err(invalid(format_args!(
            "not a Wasmtime artifact: e_flags {e_flags:#x} has neither the module nor the component bit"
        )));
    };

    // Section headers, as `object` finds them (extended numbering included).
    let shoff = elf.u64(40, "e_shoff")?;
    let shentsize = elf.u16(58, "e_shentsize")?;
    let e_shnum = elf.u16(60, "e_shnum")?;
    let e_shstrndx = elf.u16(62, "e_shstrndx")?;
    let missing = || {
        invalid(format_args!(
            "no `{ENGINE_SECTION}` section (the file has no section headers)"
        ))
    };
    if shoff == 0 {
        return Err(missing());
    }
    if u64::from(shentsize) != SHDR_SIZE {
        return Err(invalid(format_args!(
            "section header entries are {shentsize} bytes, not {SHDR_SIZE}"
        )));
    }
    let section_0 = elf.section_header(shoff, 0)?;
    let shnum = if e_shnum > 0 {
        u64::from(e_shnum)
    } else {
        section_0.size
    };
    if shnum == 0 {
        return Err(missing());
    }
    // The whole table lies in the file, so the loop below runs at most
    // `bytes.len() / 64` times.
    let table_len = shnum.saturating_mul(SHDR_SIZE);
    elf.bytes(shoff, table_len, "the section header table")?;
    let shstrndx = if e_shstrndx != SHN_XINDEX {
        u64::from(e_shstrndx)
    } else {
        u64::from(section_0.link)
    };
    if shstrndx == 0 {
        return Err(invalid("no section name table (e_shstrndx is 0)"));
    }
    if shstrndx >= shnum {
        return Err(invalid(format_args!(
            "the section name table index {shstrndx} is past the {shnum} sections"
        )));
    }
    let strtab = elf.section_header(shoff, shstrndx)?;
    let names = Names::new(elf.section_data(&strtab, "the section name table")?);

    // Wasmtime keeps the last section of that name. Every section must lie
    // in the file (loading the code checks the others later).
    let mut found = None;
    for index in 0..shnum {
        let section = elf.section_header(shoff, index)?;
        names.check(section.name)?;
        elf.section_data(&section, "a section").map_err(|_| {
            invalid(format_args!(
                "section {index} (`{}`, bytes {}..{}) lies outside the {}-byte file: truncated?",
                names.display(section.name),
                section.offset,
                u128::from(section.offset) + u128::from(section.size),
                bytes.len()
            ))
        })?;
        if names.is(section.name, ENGINE_SECTION) {
            found = Some(section);
        }
    }
    let section = found.ok_or_else(|| invalid(format_args!("no `{ENGINE_SECTION}` section")))?;
    let engine_section = elf.section_data(&section, "the engine section")?;
    Ok(Container {
        kind,
        e_flags,
        engine_section,
    })
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
