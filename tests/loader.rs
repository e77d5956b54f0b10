//! The loader against the three real libraries and against bad input.

mod common;

use common::{flavours, round_has, Flavour};
use std::path::Path;
use wasmtime_dyn::sys::tables::{Absence, TableId};
use wasmtime_dyn::{Capabilities, Capability, LoadError, Origin, ValAbi, Wasmtime};

#[test]
fn full_has_every_capability() {
    let full = Flavour::Full.load();
    let major = full.version().major();
    if major >= 45 {
        assert_eq!(full.capabilities(), Capabilities::all());
    }
    // Before 45 a capability's table may not exist yet (WASI HTTP before
    // 44, async before 42): then the major is the only reason.
    for capability in Capability::ALL {
        match full.capability_absence(capability) {
            None => assert!(full.has(capability), "{capability}"),
            Some(Absence::NotInVersion { majors, found }) if major < 45 => {
                assert!(!full.has(capability), "{capability}");
                assert_eq!(*found, major, "{capability}");
                assert!(!majors.contains(&major), "{capability}");
                println!("{capability}: not in {major} (tables for {majors:?})");
            }
            // The component-model table as bound holds functions of later
            // majors (36 to 44 have part of it).
            Some(why @ (Absence::Missing(_) | Absence::Requires(_)))
                if major < 45
                    && matches!(
                        capability,
                        Capability::ComponentModel | Capability::ComponentModelAsync
                    ) =>
            {
                assert!(!full.has(capability), "{capability}");
                println!("{capability}: absent on {major}: {why:?}");
            }
            Some(why) => panic!("{capability}: {why:?}"),
        }
    }
    // The joint tables are all there too, and every table of the major's
    // window; the others are absent for that reason alone.
    for table in TableId::ALL {
        // As above: the component-model tables before 45.
        if major < 45 && table.name().starts_with("ComponentModel") {
            continue;
        }
        if table.majors().contains(&major) {
            assert_eq!(full.absence(*table), None, "{}", table.name());
        } else {
            assert_eq!(
                full.absence(*table),
                Some(&Absence::NotInVersion {
                    majors: table.majors(),
                    found: major
                }),
                "{}",
                table.name()
            );
        }
    }
}

/// `always` and `extra`, as a set and as `Capabilities` displays it.
fn with_always(extra: &[Capability]) -> (Capabilities, String) {
    let set: Capabilities = extra
        .iter()
        .chain(common::build_facts().always)
        .copied()
        .collect();
    let text = if set.is_empty() {
        "none".to_string()
    } else {
        set.iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    (set, text)
}

#[test]
fn min_has_no_capability_but_what_its_c_api_always_builds() {
    if !round_has(Flavour::Min) {
        return;
    }
    let min = Flavour::Min.load();
    let (expected, text) = with_always(&[]);
    assert_eq!(min.capabilities(), expected);
    assert_eq!(min.capabilities().to_string(), text);
    // A table the library lacks entirely lists all of its functions...
    let compiler = TableId::for_capability(Capability::Compiler);
    match min.capability_absence(Capability::Compiler) {
        Some(Absence::Missing(names)) => assert_eq!(names.as_slice(), compiler.functions()),
        other => panic!("expected the whole Compiler table missing, got {other:?}"),
    }
    // ...and one whose requirement is absent says so, where the major has
    // the table at all.
    let major = common::expected_major();
    let majors = TableId::ComponentModelAsync.majors();
    let why = if majors.contains(&major) {
        Absence::Requires(TableId::ComponentModel)
    } else {
        Absence::NotInVersion {
            majors,
            found: major,
        }
    };
    assert_eq!(
        min.capability_absence(Capability::ComponentModelAsync),
        Some(&why)
    );
}

#[test]
fn compiler_only_has_exactly_compiler_and_wat_and_what_is_always_built() {
    if !round_has(Flavour::CompilerOnly) {
        return;
    }
    let lib = Flavour::CompilerOnly.load();
    let (expected, text) = with_always(&[Capability::Compiler, Capability::Wat]);
    assert_eq!(lib.capabilities(), expected);
    assert_eq!(lib.capabilities().to_string(), text);
    assert!(lib.tables().compiler.is_some());
    assert!(lib.tables().wat.is_some());
    assert_eq!(
        lib.tables().gc.is_some(),
        common::build_facts().always.contains(&Capability::Gc)
    );
}

#[test]
fn value_abi_follows_the_major_and_the_gc_table() {
    if !round_has(Flavour::Min) {
        return;
    }
    let facts = common::build_facts();
    let full = Flavour::Full.load();
    assert_eq!(full.val_abi(), facts.full_val.0);
    assert_eq!(full.val_abi().val_size(), facts.full_val.1);
    for flavour in [Flavour::Min, Flavour::CompilerOnly] {
        let lib = flavour.load();
        assert_eq!(lib.val_abi(), facts.built_val.0, "{flavour:?}");
        assert_eq!(lib.val_abi().val_size(), facts.built_val.1);
    }
    // The rule the loader applies, on every library.
    for flavour in flavours() {
        let lib = flavour.load();
        assert_eq!(
            Some(lib.val_abi()),
            ValAbi::of_major(facts.major, lib.tables().gc.is_some()),
            "{flavour:?}"
        );
        assert_eq!(lib.tables().gc.is_some(), lib.has(Capability::Gc));
    }
}

#[test]
fn versions() {
    // The full library names its exact version; xtask says which version
    // the round's wheel holds.
    let full = Flavour::Full.load().version();
    assert!(full.is_exact());
    assert_eq!(full.to_string(), common::expected_version());
    assert_eq!(full.major(), common::expected_major());
    if !round_has(Flavour::Min) {
        return;
    }
    // The builds lack the symbol naming the version; their read-only data
    // names it: the `wasmtime` crate their builder's lock file pins.
    let major = common::expected_major();
    for flavour in [Flavour::Min, Flavour::CompilerOnly] {
        let version = flavour.load().version();
        assert_eq!(
            version.to_string(),
            pinned_wasmtime(&format!("{major}")),
            "{flavour:?}"
        );
    }
    if let Some(run_only) = common::run_only() {
        assert_eq!(
            run_only.version().to_string(),
            pinned_wasmtime(&format!("{major}-components"))
        );
    }
}

/// The version of the `wasmtime` crate the lock file of the library
/// builder `xtask/libwasmtime-build/<builder>` pins: what `cargo xtask
/// artifacts` built the minimal, compiler-only and run-only libraries of
/// that major from.
fn pinned_wasmtime(builder: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("xtask/libwasmtime-build")
        .join(builder)
        .join("Cargo.lock");
    let lock = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let mut lines = lock.lines();
    lines
        .by_ref()
        .find(|l| *l == "name = \"wasmtime\"")
        .and_then(|_| lines.next())
        .and_then(|l| l.strip_prefix("version = \""))
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or_else(|| panic!("{} pins no `wasmtime`", path.display()))
        .to_string()
}

#[test]
fn same_file_gives_same_handle_and_libraries_coexist() {
    if !round_has(Flavour::Min) {
        return;
    }
    let a = Flavour::Full.load();
    let b = Flavour::Full.load();
    assert!(std::ptr::eq(a, b));
    // Through another spelling of the same path, too.
    let path = Flavour::Full.path();
    let dir = path.parent().unwrap();
    let dotted = dir.join(".").join(path.file_name().unwrap());
    // SAFETY: the same real Wasmtime library.
    let c = unsafe { Wasmtime::open(&dotted) }.unwrap();
    assert!(std::ptr::eq(a, c));
    // Three different libraries are open at once.
    let min = Flavour::Min.load();
    let co = Flavour::CompilerOnly.load();
    assert!(!std::ptr::eq(a, min) && !std::ptr::eq(min, co) && !std::ptr::eq(a, co));
    assert_eq!(a.path(), path.canonicalize().unwrap());
}

#[test]
fn missing_file_is_not_found() {
    // SAFETY: the file does not exist; nothing is loaded.
    let err = unsafe { Wasmtime::open("/nonexistent/dir/libwasmtime.so") }.unwrap_err();
    assert!(
        matches!(&err, LoadError::NotFound { path, origin: Origin::Explicit } if path == Path::new("/nonexistent/dir/libwasmtime.so")),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(
        message.contains("/nonexistent/dir/libwasmtime.so") && message.contains("no such file"),
        "{message}"
    );
}

#[test]
fn file_that_is_not_a_library_is_refused_by_the_loader() {
    let dir = std::env::temp_dir().join(format!("wasmtime-dyn-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("not-a-library.so");
    std::fs::write(&file, b"this is text, not ELF").unwrap();
    // SAFETY: the system loader refuses a text file before running anything.
    let err = unsafe { Wasmtime::open(&file) }.unwrap_err();
    let LoadError::Open {
        path,
        origin,
        reason,
    } = &err
    else {
        panic!("expected LoadError::Open, got {err:?}");
    };
    assert_eq!(path, &file);
    assert_eq!(origin, &Origin::Explicit);
    assert!(!reason.is_empty());
    assert!(err.to_string().contains(file.to_str().unwrap()));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A scratch directory of this test process, named after `what`.
fn scratch(what: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("wasmtime-dyn-{what}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Issue 10, finding 14: `dlopen` of a FIFO blocks until a writer comes.
/// `Wasmtime::open` refuses it from its metadata; if it ever blocked again,
/// the test would fail after a timeout (and release the reader).
#[test]
fn a_fifo_is_refused_without_blocking() {
    let dir = scratch("fifo");
    let fifo = dir.join("libwasmtime.so");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("running mkfifo (coreutils)");
    assert!(made.success(), "mkfifo {}", fifo.display());
    let (tx, rx) = std::sync::mpsc::channel();
    let path = fifo.clone();
    std::thread::spawn(move || {
        // SAFETY: a FIFO is refused before anything is loaded.
        let _ = tx.send(unsafe { Wasmtime::open(&path) }.map(|_| ()));
    });
    let result = match rx.recv_timeout(std::time::Duration::from_secs(10)) {
        Ok(result) => result,
        Err(_) => {
            // Unblock the reader, then fail.
            let _ = std::fs::OpenOptions::new().write(true).open(&fifo);
            panic!("Wasmtime::open blocked on a FIFO");
        }
    };
    let err = result.unwrap_err();
    assert!(
        matches!(&err, LoadError::NotAFile { kind: "a FIFO", path, .. } if *path == fifo),
        "{err:?}"
    );
    assert!(err.to_string().contains("not a regular file"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Issue 10, finding 14: a symbolic link loop used to read as "no such
/// file"; it is a file that cannot be read, with the system's reason.
#[test]
fn a_symlink_loop_is_reported_as_such() {
    let dir = scratch("loop");
    let (a, b) = (dir.join("a.so"), dir.join("b.so"));
    std::os::unix::fs::symlink(&b, &a).unwrap();
    std::os::unix::fs::symlink(&a, &b).unwrap();
    // SAFETY: the path resolves to nothing; nothing is loaded.
    let err = unsafe { Wasmtime::open(&a) }.unwrap_err();
    let LoadError::Unreadable { path, reason, .. } = &err else {
        panic!("expected LoadError::Unreadable, got {err:?}");
    };
    assert_eq!(path, &a);
    assert!(reason.contains("symbolic links"), "{reason}");
    // A directory is named as one.
    // SAFETY: a directory is refused before anything is loaded.
    let err = unsafe { Wasmtime::open(&dir) }.unwrap_err();
    assert!(
        matches!(
            &err,
            LoadError::NotAFile {
                kind: "a directory",
                ..
            }
        ),
        "{err:?}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Something else in the process loaded a libwasmtime; then its file was
/// replaced by another build. The system loader hands back the object
/// already loaded under that name, which the file no longer describes: its
/// version and function addresses would come from the new file. Refused.
#[test]
fn a_library_replaced_after_it_was_loaded_is_refused() {
    common::child::isolate("a_library_replaced_after_it_was_loaded_is_refused", || {
        use std::os::unix::ffi::OsStrExt;
        let round = common::expected_major();
        let other = if round == 50 { 49 } else { 50 };
        let dir = scratch("replaced");
        let path = dir.join("libwasmtime.so");
        std::fs::copy(Flavour::Full.path(), &path).unwrap();
        let name =
            std::ffi::CString::new(path.canonicalize().unwrap().as_os_str().as_bytes()).unwrap();
        // SAFETY: the round's official library, loaded the way another
        // component of the process would; never closed.
        let handle = unsafe { libc::dlopen(name.as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL) };
        assert!(!handle.is_null());
        // Replaced by another build: a new file renamed over the old one.
        let new = dir.join("new.so");
        std::fs::copy(common::library("full", other), &new).unwrap();
        std::fs::rename(&new, &path).unwrap();
        // SAFETY: a Wasmtime library (refused before any of its code runs
        // through this crate).
        let err = unsafe { Wasmtime::open(&path) }.unwrap_err();
        assert!(matches!(err, LoadError::Open { .. }), "{err:?}");
        assert!(err.to_string().contains("replaced"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    });
}

fn assert_not_wasmtime(path: &str) {
    // SAFETY: libc and zlib have harmless initializers.
    let err = unsafe { Wasmtime::open(path) }.unwrap_err();
    let LoadError::NotWasmtime { missing, total, .. } = &err else {
        panic!("expected LoadError::NotWasmtime for {path}, got {err:?}");
    };
    let core = wasmtime_dyn::sys::tables::Core::FUNCTIONS;
    assert_eq!(*total, core.len());
    assert_eq!(
        missing.as_slice(),
        core,
        "{path} exports no core function at all"
    );
    let message = err.to_string();
    assert!(message.contains(path), "{message}");
    assert!(
        message.contains(&format!(
            "{} of the {} core functions are missing",
            core.len(),
            core.len()
        )),
        "{message}"
    );
    assert!(
        message.contains(core[0]),
        "the message names missing functions: {message}"
    );
}

#[test]
fn libc_is_not_wasmtime() {
    assert_not_wasmtime("/lib/x86_64-linux-gnu/libc.so.6");
}

#[test]
fn libz_is_not_wasmtime() {
    assert_not_wasmtime("/lib/x86_64-linux-gnu/libz.so.1");
}

#[test]
fn capability_set_operations() {
    let mut set = Capabilities::EMPTY;
    assert!(set.is_empty());
    set.insert(Capability::Gc);
    set.insert(Capability::Compiler);
    assert_eq!(set.len(), 2);
    assert_eq!(
        set.iter().collect::<Vec<_>>(),
        [Capability::Compiler, Capability::Gc]
    );
    set.remove(Capability::Gc);
    assert_eq!(format!("{set:?}"), "{Compiler}");
    for capability in Capability::ALL {
        assert_eq!(
            TableId::for_capability(capability).kind(),
            wasmtime_dyn::sys::tables::TableKind::Capability(capability)
        );
    }
}

/// `?` turns a `LoadError` and an `io::Error` into `wasmtime_dyn::Error`
/// (`anyhow::Error`), each staying itself inside: found by `downcast_ref`,
/// with its own message.
#[test]
fn load_and_io_errors_stay_themselves_through_question_mark() {
    fn open(path: &str) -> wasmtime_dyn::Result<&'static Wasmtime> {
        // SAFETY: the path does not exist; nothing is loaded.
        Ok(unsafe { Wasmtime::open(path) }?)
    }
    fn read(path: &str) -> wasmtime_dyn::Result<Vec<u8>> {
        Ok(std::fs::read(path)?)
    }
    let err = open("/nonexistent/libwasmtime.so").unwrap_err();
    let Some(load) = err.downcast_ref::<LoadError>() else {
        panic!("{err:?}");
    };
    assert!(matches!(load, LoadError::NotFound { .. }), "{load:?}");
    assert_eq!(err.to_string(), load.to_string());
    let err = read("/nonexistent/app.wasm").unwrap_err();
    assert!(
        err.downcast_ref::<wasmtime_dyn::ErrorKind>().is_none(),
        "{err:?}"
    );
    let io = err.downcast_ref::<std::io::Error>();
    assert_eq!(
        io.map(std::io::Error::kind),
        Some(std::io::ErrorKind::NotFound)
    );
    assert_eq!(err.to_string(), io.unwrap().to_string());
}

// ------------------------------------------------ crafted and altered files

/// Fails the child process it is called in after `seconds`, saying what
/// hung: the parent then sees a failed child instead of waiting forever.
fn watchdog(seconds: u64, what: &'static str) {
    std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_secs(seconds));
        eprintln!("timed out after {seconds} s: {what}");
        std::process::exit(3);
    });
}

/// Shows what the child printed (the parent's output, with `--nocapture`).
fn print_child(outcome: Option<common::child::ChildOutcome>) {
    if let Some(outcome) = outcome {
        println!("child output:\n{}", outcome.text());
    }
}

/// The process's peak resident set size, in bytes (`VmHWM`).
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .expect("VmHWM in /proc/self/status");
    let kib: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .expect("VmHWM: N kB");
    kib * 1024
}

/// A sparse file of `size` bytes holding `parts` (offset, bytes), unlinked
/// at once and named by `/proc/self/fd/N`: nothing is left on disk however
/// the process ends. The file must stay open while the path is used.
fn sparse_file(size: u64, parts: &[(u64, Vec<u8>)]) -> (std::fs::File, std::path::PathBuf) {
    use std::os::unix::fs::FileExt;
    use std::os::unix::io::AsRawFd;
    let dir = scratch("sparse");
    let path = dir.join("libwasmtime.so");
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&path)
        .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    file.set_len(size).unwrap();
    for (offset, bytes) in parts {
        file.write_all_at(bytes, *offset).unwrap();
    }
    let fd = file.as_raw_fd();
    (
        file,
        std::path::PathBuf::from(format!("/proc/self/fd/{fd}")),
    )
}

/// A little-endian ELF64 shared object header with `shnum` section headers
/// of 64 bytes at `shoff`.
fn elf_header(shoff: u64, shnum: u16) -> Vec<u8> {
    let mut h = vec![0u8; 64];
    h[..7].copy_from_slice(b"\x7fELF\x02\x01\x01");
    h[16..18].copy_from_slice(&3u16.to_le_bytes()); // ET_DYN
    h[18..20].copy_from_slice(&62u16.to_le_bytes()); // x86-64
    h[20..24].copy_from_slice(&1u32.to_le_bytes());
    h[0x28..0x30].copy_from_slice(&shoff.to_le_bytes());
    h[0x34..0x36].copy_from_slice(&64u16.to_le_bytes());
    h[0x3a..0x3c].copy_from_slice(&64u16.to_le_bytes());
    h[0x3c..0x3e].copy_from_slice(&shnum.to_le_bytes());
    h
}

/// A 64-byte section header.
fn section_header(kind: u32, offset: u64, size: u64, link: u32, entsize: u64) -> Vec<u8> {
    let mut s = vec![0u8; 64];
    s[4..8].copy_from_slice(&kind.to_le_bytes());
    s[24..32].copy_from_slice(&offset.to_le_bytes());
    s[32..40].copy_from_slice(&size.to_le_bytes());
    s[40..44].copy_from_slice(&link.to_le_bytes());
    s[56..64].copy_from_slice(&entsize.to_le_bytes());
    s
}

/// 64 GiB: past the machine's memory, so that reading what such a header
/// claims fails at once instead of swapping.
const SPARSE_SIZE: u64 = 64 << 30;

/// Issue 17, finding 4: a 64 GiB sparse file whose ELF header claims a
/// section header table, a dynamic symbol table or a string table as large
/// as the file. The loader allocated what the header claimed (an abort on
/// allocation at 64 GiB; 57 s and 16 GiB at 16 GiB). Each is refused within
/// a second, with the table named, the peak memory growing by little.
#[test]
fn a_sparse_file_claiming_huge_tables_is_refused_quickly() {
    let outcome = common::child::isolate(
        "a_sparse_file_claiming_huge_tables_is_refused_quickly",
        || {
            watchdog(60, "Wasmtime::open of a sparse file");
            let half = SPARSE_SIZE / 2;
            // Extended numbering: section 0's size is the count, here a table
            // that fills the file.
            let mut extended = elf_header(64, 0);
            extended.extend(section_header(0, 0, (SPARSE_SIZE - 64) / 64, 0, 0));
            // Three sections: null, .dynsym, .dynstr; one of them huge.
            let tables = |symbols: u64, strings: u64| {
                let mut h = elf_header(64, 3);
                h.extend(section_header(0, 0, 0, 0, 0));
                h.extend(section_header(11, 4096, symbols, 2, 24));
                h.extend(section_header(3, half, strings, 0, 0));
                h
            };
            // 32-bit ELF goes through the generic reader (`object`), under
            // a budget: its section 0 (40 bytes) claims a table filling the
            // file.
            let mut elf32 = vec![0u8; 52];
            elf32[..7].copy_from_slice(b"\x7fELF\x01\x01\x01");
            elf32[16..18].copy_from_slice(&3u16.to_le_bytes()); // ET_DYN
            elf32[18..20].copy_from_slice(&3u16.to_le_bytes()); // i386
            elf32[20..24].copy_from_slice(&1u32.to_le_bytes());
            elf32[0x20..0x24].copy_from_slice(&52u32.to_le_bytes()); // e_shoff
            elf32[0x28..0x2a].copy_from_slice(&52u16.to_le_bytes()); // e_ehsize
            elf32[0x2e..0x30].copy_from_slice(&40u16.to_le_bytes()); // e_shentsize
            let mut first = vec![0u8; 40];
            let count = u32::try_from((SPARSE_SIZE - 52) / 40).unwrap();
            first[20..24].copy_from_slice(&count.to_le_bytes());
            elf32.extend(first);
            let cases = [
                ("section header table", extended),
                ("headers and symbol tables", elf32),
                ("dynamic symbol table", tables(half - 4096, 16)),
                ("dynamic string table", tables(48, half)),
                ("section header table", elf_header(64, u16::MAX)),
            ];
            let before = peak_rss();
            for (table, header) in cases {
                let (_file, path) = sparse_file(SPARSE_SIZE, &[(0, header)]);
                let started = std::time::Instant::now();
                // SAFETY: the file is refused before anything is loaded.
                let result = unsafe { wasmtime_dyn::Wasmtime::open(&path) };
                let took = started.elapsed();
                let grown = peak_rss().saturating_sub(before);
                println!(
                    "{table}: {:?} in {took:?}, peak RSS +{} KiB",
                    result.as_ref().map(|_| ()),
                    grown / 1024
                );
                let err = result.expect_err("a crafted file is no library");
                let LoadError::TableTooLarge {
                    table: named,
                    claimed,
                    limit,
                    ..
                } = &err
                else {
                    panic!("expected LoadError::TableTooLarge, got {err:?}");
                };
                assert_eq!(*named, table);
                assert!(claimed > limit, "{err}");
                assert!(err.to_string().contains(table), "{err}");
                assert!(took < std::time::Duration::from_secs(1), "{took:?}");
                assert!(grown < 64 << 20, "peak RSS grew by {grown} bytes");
            }
        },
    );
    print_child(outcome);
}

/// The file offset of `.dynsym`, its size, and the index of the symbol
/// `name` in it, read from a little-endian ELF64 file (the real libraries).
fn dynsym_of(bytes: &[u8], name: &str) -> (usize, usize, usize, usize) {
    let u16_at = |at: usize| usize::from(u16::from_le_bytes(bytes[at..at + 2].try_into().unwrap()));
    let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
    let u64_at = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap()) as usize;
    let (shoff, shnum) = (u64_at(0x28), u16_at(0x3c));
    let header = (0..shnum)
        .map(|i| shoff + i * 64)
        .find(|&h| u32_at(h + 4) == 11)
        .expect("a .dynsym section");
    let (offset, size) = (u64_at(header + 24), u64_at(header + 32));
    let strings = u64_at(shoff + u32_at(header + 40) * 64 + 24);
    let index = (0..size / 24)
        .find(|i| {
            let at = strings + u32_at(offset + i * 24);
            bytes[at..].starts_with(name.as_bytes()) && bytes[at + name.len()] == 0
        })
        .unwrap_or_else(|| panic!("{name} in .dynsym"));
    (header, offset, size, index)
}

/// A file holding `bytes`, unlinked at once and named by
/// `/proc/self/fd/N` (which the dynamic linker opens as well): nothing is
/// left on disk if the process dies. The file must stay open while the
/// path is used.
fn unlinked_copy(what: &str, bytes: &[u8]) -> (std::fs::File, std::path::PathBuf) {
    use std::os::unix::io::AsRawFd;
    let dir = scratch(what);
    let path = dir.join("libwasmtime.so");
    std::fs::write(&path, bytes).unwrap();
    let file = std::fs::File::open(&path).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let fd = file.as_raw_fd();
    (
        file,
        std::path::PathBuf::from(format!("/proc/self/fd/{fd}")),
    )
}

/// The function the altered-file tests break: called when an engine is
/// dropped, looked up by the loader, neither of the two it checked.
const ALTERED: &str = "wasm_engine_delete";

/// Opens `path` and, when it opens, makes and drops an engine (which calls
/// `wasm_engine_delete`): a refusal must name the function.
fn open_and_use(path: &Path) {
    // SAFETY: a copy of the round's official library, altered; the loader
    // must refuse it or call only confirmed addresses.
    match unsafe { Wasmtime::open(path) } {
        Ok(wasmtime) => {
            let engine = wasmtime_dyn::Engine::default_for(wasmtime).unwrap();
            drop(engine);
            println!("opened; an engine was made and deleted");
        }
        Err(err) => {
            println!("refused: {err}");
            assert!(err.to_string().contains(ALTERED), "{err}");
        }
    }
}

/// Issue 17, finding 12b: a copy of the official library whose `.dynsym`
/// entry for `wasm_engine_delete` points into its ELF header. `dlsym` says
/// the same, so no comparison with it can tell: the loader checks that
/// every address lies in the library's code, and refuses it (it used to
/// call the address: SIGSEGV).
#[test]
fn a_dynsym_value_altered_in_the_file_is_refused_or_works() {
    let outcome = common::child::isolate(
        "a_dynsym_value_altered_in_the_file_is_refused_or_works",
        || {
            watchdog(60, "opening an altered library");
            let mut bytes = std::fs::read(Flavour::Full.path()).unwrap();
            let (_, offset, _, index) = dynsym_of(&bytes, ALTERED);
            let value = offset + index * 24 + 8;
            bytes[value..value + 8].copy_from_slice(&1u64.to_le_bytes());
            let (_file, path) = unlinked_copy("altered", &bytes);
            open_and_use(&path);
        },
    );
    print_child(outcome);
}

/// Issue 17, finding 12b: a copy of the official library whose `.dynsym`
/// section header names an altered copy of the table appended to the file
/// (`wasm_engine_delete` pointing elsewhere in the code), while the dynamic
/// linker goes on using the table its dynamic section names. The loader
/// read the altered copy and called the wrong address (SIGSEGV); now the
/// file's tables differ from the loaded object's, and every address comes
/// from `dlsym`.
#[test]
fn a_dynsym_copy_the_linker_does_not_use_falls_back_to_dlsym() {
    let outcome = common::child::isolate(
        "a_dynsym_copy_the_linker_does_not_use_falls_back_to_dlsym",
        || {
            watchdog(60, "opening an altered library");
            let mut bytes = std::fs::read(Flavour::Full.path()).unwrap();
            let (header, offset, size, index) = dynsym_of(&bytes, ALTERED);
            let mut copy = bytes[offset..offset + size].to_vec();
            // The value of the entry before it plus one: inside some other
            // function's code, never the start of one.
            let value = index * 24 + 8;
            let other = (index + 1) % (size / 24) * 24 + 8;
            let elsewhere = u64::from_le_bytes(copy[other..other + 8].try_into().unwrap()) + 1;
            copy[value..value + 8].copy_from_slice(&elsewhere.to_le_bytes());
            bytes.resize(bytes.len().next_multiple_of(8), 0);
            let appended = bytes.len() as u64;
            bytes.extend(&copy);
            bytes[header + 24..header + 32].copy_from_slice(&appended.to_le_bytes());
            let (_file, path) = unlinked_copy("redirected", &bytes);
            open_and_use(&path);
        },
    );
    print_child(outcome);
}

/// Issue 17, finding 12b: something in the process loaded a copy of the
/// official library; then the file was replaced by the same build (same
/// build id) whose `.dynsym` says `wasm_engine_delete` lies elsewhere. The
/// dynamic linker hands back the object it already has, whose table no
/// longer matches the file's: the loader used to compute the address from
/// the file (SIGILL or SIGSEGV at the call); now it asks `dlsym`.
#[test]
fn a_dynsym_rewritten_after_loading_falls_back_to_dlsym() {
    let outcome = common::child::isolate(
        "a_dynsym_rewritten_after_loading_falls_back_to_dlsym",
        || {
            use std::os::unix::ffi::OsStrExt;
            watchdog(60, "opening a rewritten library");
            let dir = scratch("rewritten");
            let path = dir.join("libwasmtime.so");
            std::fs::copy(Flavour::Full.path(), &path).unwrap();
            let name = std::ffi::CString::new(path.canonicalize().unwrap().as_os_str().as_bytes())
                .unwrap();
            // SAFETY: the round's official library, loaded the way another
            // component of the process would; never closed.
            let handle = unsafe { libc::dlopen(name.as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL) };
            assert!(!handle.is_null());
            let mut bytes = std::fs::read(&path).unwrap();
            let (_, offset, size, index) = dynsym_of(&bytes, ALTERED);
            let value = offset + index * 24 + 8;
            let other = offset + (index + 1) % (size / 24) * 24 + 8;
            let elsewhere = u64::from_le_bytes(bytes[other..other + 8].try_into().unwrap()) + 1;
            bytes[value..value + 8].copy_from_slice(&elsewhere.to_le_bytes());
            let new = dir.join("new.so");
            std::fs::write(&new, &bytes).unwrap();
            std::fs::rename(&new, &path).unwrap();
            open_and_use(&path);
            std::fs::remove_dir_all(&dir).unwrap();
        },
    );
    print_child(outcome);
}

/// The minimal library with its read-only data edited: the version its
/// texts name is the version reported (the internal-bug message first,
/// where the major has it, then the `wasmtime` crate's source paths), and
/// without them, or with paths naming two versions, the probe finds the
/// major alone.
#[test]
fn the_version_texts_are_read_and_the_probe_is_the_fallback() {
    if !round_has(Flavour::Min) {
        return;
    }
    let facts = common::build_facts();
    let min = Flavour::Min.path();
    let major = common::expected_major();
    let original = std::fs::read(&min).unwrap();
    let pinned = pinned_wasmtime(&major.to_string());
    let find = |text: &str| -> Vec<usize> {
        original
            .windows(text.len())
            .enumerate()
            .filter(|(_, w)| *w == text.as_bytes())
            .map(|(at, _)| at)
            .collect()
    };
    let bug = format!("\nversion: {pinned}\n\nThis is a bug in Wasmtime");
    let bug_at = find(&bug);
    assert_eq!(bug_at.len(), usize::from(facts.bug_text), "{bug:?}");
    let path = format!("/wasmtime-{pinned}/src/");
    let paths_at = find(&path);
    assert!(
        paths_at.len() > 10,
        "{} holds {path:?} {} times",
        min.display(),
        paths_at.len()
    );
    // Same length, another patch.
    let other = format!(
        "{major}.7.{}",
        "9".repeat(pinned.len() - major.to_string().len() - 3)
    );
    assert_eq!(other.len(), pinned.len());
    // `edits`: each place, and what to write there.
    let opened = |name: &str, edits: &[(&[usize], String)]| {
        let mut bytes = original.clone();
        for (places, replacement) in edits {
            for &at in *places {
                bytes[at..at + replacement.len()].copy_from_slice(replacement.as_bytes());
            }
        }
        let dir = std::env::temp_dir().join(format!(
            "wasmtime-dyn-version-text-{}-{name}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("libwasmtime.so");
        std::fs::write(&path, bytes).unwrap();
        // SAFETY: a Wasmtime C API library with a few bytes of error
        // messages and panic locations changed.
        let version = unsafe { Wasmtime::open(&path) }.unwrap().version();
        std::fs::remove_dir_all(&dir).unwrap();
        version
    };
    let erased_bug = (&bug_at[..], "x".repeat(bug.len()));
    if facts.bug_text {
        // The message's version is the one reported.
        let renamed = opened("bug", &[(&bug_at, bug.replace(&pinned, &other))]);
        assert_eq!(renamed.to_string(), other);
    }
    // Without the message, the source paths'.
    let renamed = opened(
        "paths",
        &[
            erased_bug.clone(),
            (&paths_at, path.replace(&pinned, &other)),
        ],
    );
    assert_eq!(renamed.to_string(), other);
    // Paths naming two versions: not taken; the probe confirms the major.
    let half = &paths_at[..paths_at.len() / 2];
    let two = opened(
        "two",
        &[erased_bug.clone(), (half, path.replace(&pinned, &other))],
    );
    assert!(!two.is_exact(), "{two}");
    assert_eq!(two.major(), major);
    // No text at all: the probe.
    let erased = opened("erased", &[erased_bug, (&paths_at, "x".repeat(path.len()))]);
    assert!(!erased.is_exact(), "{erased}");
    assert_eq!(erased.major(), major);
}
