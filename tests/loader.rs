//! The loader against the three real libraries and against bad input.

mod common;

use common::{flavours, round_has, Flavour};
use std::path::Path;
use wasmtime_dyn::sys::tables::{Absence, TableId};
use wasmtime_dyn::{Capabilities, Capability, LoadError, Origin, ValAbi, Wasmtime};

#[test]
fn full_has_every_capability() {
    let full = Flavour::Full.load();
    assert_eq!(full.capabilities(), Capabilities::all());
    for capability in Capability::ALL {
        assert!(full.has(capability), "{capability}");
        assert_eq!(full.capability_absence(capability), None);
    }
    // The joint tables are all there too, and every table of the major's
    // window; the others are absent for that reason alone.
    let major = full.version().major();
    for table in TableId::ALL {
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

#[test]
fn min_has_no_capability() {
    if !round_has(Flavour::Min) {
        return;
    }
    let min = Flavour::Min.load();
    assert_eq!(min.capabilities(), Capabilities::EMPTY);
    assert_eq!(min.capabilities().to_string(), "none");
    // A table the library lacks entirely lists all of its functions...
    let compiler = TableId::for_capability(Capability::Compiler);
    match min.capability_absence(Capability::Compiler) {
        Some(Absence::Missing(names)) => assert_eq!(names.as_slice(), compiler.functions()),
        other => panic!("expected the whole Compiler table missing, got {other:?}"),
    }
    // ...and one whose requirement is absent says so.
    assert_eq!(
        min.capability_absence(Capability::ComponentModelAsync),
        Some(&Absence::Requires(TableId::ComponentModel))
    );
}

#[test]
fn compiler_only_has_exactly_compiler_and_wat() {
    if !round_has(Flavour::CompilerOnly) {
        return;
    }
    let lib = Flavour::CompilerOnly.load();
    let expected: Capabilities = [Capability::Compiler, Capability::Wat]
        .into_iter()
        .collect();
    assert_eq!(lib.capabilities(), expected);
    assert_eq!(lib.capabilities().to_string(), "compiler, wat");
    assert!(lib.tables().compiler.is_some());
    assert!(lib.tables().wat.is_some());
    assert!(lib.tables().gc.is_none());
}

#[test]
fn value_abi_follows_the_gc_table() {
    if !round_has(Flavour::Min) {
        return;
    }
    let full = Flavour::Full.load();
    assert_eq!(full.val_abi(), ValAbi::Gc);
    assert_eq!(full.val_abi().val_size(), 32);
    for flavour in [Flavour::Min, Flavour::CompilerOnly] {
        let lib = flavour.load();
        assert_eq!(lib.val_abi(), ValAbi::NoGc, "{flavour:?}");
        assert_eq!(lib.val_abi().val_size(), 24);
    }
    // The rule the loader applies, on every library.
    for flavour in flavours() {
        let lib = flavour.load();
        assert_eq!(lib.val_abi() == ValAbi::Gc, lib.tables().gc.is_some());
        assert_eq!(lib.val_abi() == ValAbi::Gc, lib.has(Capability::Gc));
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
    // The builds know their major only, confirmed by the probe.
    for flavour in [Flavour::Min, Flavour::CompilerOnly] {
        let version = flavour.load().version();
        assert!(!version.is_exact(), "{flavour:?}: {version}");
        assert_eq!(version.major(), common::expected_major(), "{flavour:?}");
    }
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
