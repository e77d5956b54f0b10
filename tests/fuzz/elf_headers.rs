//! `Wasmtime::open` on library files whose ELF headers are mutated: the
//! fields that size and place the tables the loader reads before loading
//! (`e_shoff`, `e_shentsize`, `e_shnum`, the count in section 0, and the
//! `sh_offset`, `sh_size` and `sh_link` of `.dynsym` and `.dynstr`), in a
//! 64 GiB sparse file, so that a claimed table can be as large as the file
//! and still lie inside it (issue 17, finding 4: such a claim made the
//! loader allocate it, aborting at 64 GiB).
//!
//! Every open must return, a library or a `LoadError`, within a second, and
//! the process's peak memory must stay within a bound.

use super::{in_child, Rng, INTERESTING_WORDS};
use crate::common::Flavour;
use std::os::unix::fs::FileExt;
use std::time::{Duration, Instant};
use wasmtime_dyn::{LoadError, Wasmtime};

/// The sparse file's size: past the machine's memory.
const SPARSE_SIZE: u64 = 64 << 30;

/// A field of the header or of a section header: its offset in the file
/// and its width in bytes.
#[derive(Clone, Copy, Debug)]
struct Field {
    at: u64,
    width: usize,
}

/// The fields mutated, for a file whose section headers lie at `shoff`,
/// `.dynsym` being section `dynsym` and `.dynstr` section `dynstr`.
fn fields(shoff: u64, dynsym: u64, dynstr: u64) -> Vec<Field> {
    let section = |index: u64, offset: u64, width| Field {
        at: shoff + index * 64 + offset,
        width,
    };
    let mut fields = vec![
        Field { at: 0x28, width: 8 }, // e_shoff
        Field { at: 0x3a, width: 2 }, // e_shentsize
        Field { at: 0x3c, width: 2 }, // e_shnum
        section(0, 32, 8),            // the count under extended numbering
    ];
    for index in [dynsym, dynstr] {
        fields.push(section(index, 24, 8)); // sh_offset
        fields.push(section(index, 32, 8)); // sh_size
    }
    fields.push(section(dynsym, 40, 4)); // sh_link: the string table
    fields
}

/// A value for `field`: one near the file's size or the loader's bounds,
/// one of the usual suspects, or a random one.
fn value(rng: &mut Rng, field: Field, original: u64) -> u64 {
    let near: [u64; 12] = [
        SPARSE_SIZE,
        SPARSE_SIZE - 64,
        SPARSE_SIZE / 2,
        SPARSE_SIZE / 64,
        (SPARSE_SIZE - 64) / 64,
        u64::MAX / 64 + 1,
        4 << 20,
        (4 << 20) + 24,
        (16 << 20) + 1,
        4096 * 64,
        original.wrapping_add(1),
        original.wrapping_sub(24),
    ];
    let value = match rng.below(3) {
        0 => *rng.pick(&near),
        1 => *rng.pick(&INTERESTING_WORDS),
        _ => rng.next() % SPARSE_SIZE.saturating_mul(2),
    };
    match field.width {
        2 => value & 0xffff,
        4 => value & 0xffff_ffff,
        _ => value,
    }
}

fn read_field(file: &std::fs::File, field: Field) -> u64 {
    let mut bytes = [0u8; 8];
    file.read_exact_at(&mut bytes[..field.width], field.at)
        .unwrap();
    u64::from_le_bytes(bytes)
}

fn write_field(file: &std::fs::File, field: Field, value: u64) {
    file.write_all_at(&value.to_le_bytes()[..field.width], field.at)
        .unwrap();
}

/// Caps this (child) process's address space at `bytes`: a regression that
/// allocates what a header claims fails at once instead of taking the
/// machine's memory (unpatched, one open read an 18 GiB claim in 173 s).
fn limit_address_space(bytes: u64) {
    let limit = libc::rlimit {
        rlim_cur: bytes,
        rlim_max: bytes,
    };
    // SAFETY: `setrlimit` reads the struct; lowering a limit is allowed.
    let set = unsafe { libc::setrlimit(libc::RLIMIT_AS, &limit) };
    assert_eq!(set, 0, "setrlimit(RLIMIT_AS)");
}

/// The peak resident set size of this process (`VmHWM`), in bytes.
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        .expect("VmHWM in /proc/self/status");
    kib * 1024
}

/// A small ELF file: null, `.dynsym` (two symbols) and `.dynstr` sections,
/// no program headers (never loadable), and where its section headers
/// lie.
fn crafted() -> (Vec<u8>, u64) {
    let strings = b"\0wasm_engine_new\0wasm_engine_delete\0";
    let mut symbols = vec![0u8; 24];
    for name in [1u32, 17] {
        let mut s = vec![0u8; 24];
        s[..4].copy_from_slice(&name.to_le_bytes());
        s[4] = 0x12; // global function
        s[6..8].copy_from_slice(&1u16.to_le_bytes());
        symbols.extend(s);
    }
    let mut file = vec![0u8; 64];
    file[..7].copy_from_slice(b"\x7fELF\x02\x01\x01");
    file[16..18].copy_from_slice(&3u16.to_le_bytes());
    file[18..20].copy_from_slice(&62u16.to_le_bytes());
    file[0x28..0x30].copy_from_slice(&64u64.to_le_bytes());
    file[0x3a..0x3c].copy_from_slice(&64u16.to_le_bytes());
    file[0x3c..0x3e].copy_from_slice(&3u16.to_le_bytes());
    let section = |kind: u32, offset: u64, size: usize, link: u32| {
        let mut s = vec![0u8; 64];
        s[4..8].copy_from_slice(&kind.to_le_bytes());
        s[24..32].copy_from_slice(&offset.to_le_bytes());
        s[32..40].copy_from_slice(&(size as u64).to_le_bytes());
        s[40..44].copy_from_slice(&link.to_le_bytes());
        s
    };
    file.extend(section(0, 0, 0, 0));
    file.extend(section(11, 256, symbols.len(), 2));
    file.extend(section(3, 512, strings.len(), 0));
    file.resize(256, 0);
    file.extend(&symbols);
    file.resize(512, 0);
    file.extend(strings);
    (file, 64)
}

/// The section indices of `.dynsym` and `.dynstr` in a little-endian ELF64
/// file whose section headers are at `shoff`.
fn dynamic_sections(bytes: &[u8], shoff: u64) -> (u64, u64) {
    let at = |offset: u64, width: usize| {
        let mut word = [0u8; 8];
        let offset = offset as usize;
        word[..width].copy_from_slice(&bytes[offset..offset + width]);
        u64::from_le_bytes(word)
    };
    let count = at(0x3c, 2);
    let dynsym = (0..count)
        .find(|i| at(shoff + i * 64 + 4, 4) == 11)
        .expect("a .dynsym section");
    (dynsym, at(shoff + dynsym * 64 + 40, 4))
}

/// One run of `iterations` mutated opens of `base` in a sparse file.
fn mutate_and_open(what: &str, base: &[u8], seed: u64, iterations: usize) {
    use std::os::unix::io::AsRawFd;
    let dir = std::env::temp_dir().join(format!(
        "wasmtime-dyn-fuzz-elf-{what}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("libwasmtime.so");
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&path)
        .unwrap();
    // Unlinked at once: nothing stays on disk however the process ends.
    std::fs::remove_dir_all(&dir).unwrap();
    file.set_len(SPARSE_SIZE).unwrap();
    file.write_all_at(base, 0).unwrap();
    let shoff = u64::from_le_bytes(base[0x28..0x30].try_into().unwrap());
    let (dynsym, dynstr) = dynamic_sections(base, shoff);
    let fields = fields(shoff, dynsym, dynstr);
    let mut rng = Rng(seed);
    let mut kept = Vec::new();
    let (mut opened, mut refused) = (0, std::collections::BTreeMap::<String, usize>::new());
    let mut slowest = Duration::ZERO;
    let before = peak_rss();
    for i in 0..iterations {
        let originals: Vec<(Field, u64)> =
            fields.iter().map(|&f| (f, read_field(&file, f))).collect();
        let mut edits = Vec::new();
        for _ in 0..1 + rng.below(3) {
            let (field, original) = *rng.pick(&originals);
            let value = value(&mut rng, field, original);
            write_field(&file, field, value);
            edits.push((field.at, value));
        }
        // A descriptor of its own: a path a library was registered under is
        // never reused (its descriptor stays open), so every open reads.
        let fd = file.try_clone().unwrap();
        let path = format!("/proc/self/fd/{}", fd.as_raw_fd());
        let started = Instant::now();
        // SAFETY: the file is a real Wasmtime library with mutated section
        // headers (which the dynamic linker does not read), or a crafted
        // file that is never loadable.
        let result = unsafe { Wasmtime::open(&path) };
        let took = started.elapsed();
        slowest = slowest.max(took);
        assert!(
            took < Duration::from_secs(1),
            "{what} #{i}: Wasmtime::open took {took:?} with edits {edits:x?}"
        );
        match result {
            Ok(_) => {
                opened += 1;
                kept.push(fd);
            }
            Err(err) => {
                let kind = match &err {
                    LoadError::TableTooLarge { table, .. } => format!("TableTooLarge({table})"),
                    LoadError::Open { .. } => "Open".into(),
                    LoadError::NotWasmtime { .. } => "NotWasmtime".into(),
                    LoadError::UnsupportedVersion { .. } => "UnsupportedVersion".into(),
                    other => panic!("{what} #{i}: unexpected {other:?} with edits {edits:x?}"),
                };
                *refused.entry(kind).or_default() += 1;
            }
        }
        for (field, original) in originals {
            write_field(&file, field, original);
        }
    }
    let grown = peak_rss().saturating_sub(before);
    println!(
        "{what}: {iterations} mutated headers on a {SPARSE_SIZE}-byte sparse file: {opened} \
         opened, refused {refused:?}; slowest open {slowest:?}; peak RSS +{} MiB",
        grown >> 20
    );
    assert!(
        grown < 256 << 20,
        "{what}: the peak RSS grew by {grown} bytes over {iterations} opens"
    );
}

/// Mutated headers of the round's real library and of a small crafted ELF,
/// each in a 64 GiB sparse file: no panic, no abort, each open within a
/// second, the peak memory within 256 MiB.
#[test]
fn fuzz_library_headers_on_a_sparse_file() {
    in_child(
        "elf_headers::fuzz_library_headers_on_a_sparse_file",
        Duration::from_secs(120),
        "Wasmtime::open hung on a mutated ELF header",
        || {
            limit_address_space(8 << 30);
            let (crafted, _) = crafted();
            mutate_and_open("crafted", &crafted, 0x1517_e1f0_0001, 2000);
            let real = std::fs::read(Flavour::Full.path()).unwrap();
            mutate_and_open("real", &real, 0x1517_e1f0_0002, 300);
        },
    );
}
