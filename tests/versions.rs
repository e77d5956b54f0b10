//! Across Wasmtime majors: libraries outside the supported window are
//! refused before any of their code runs, two majors work side by side in
//! one process, and nothing of one is accepted by the other.

mod common;

use wasmtime_dyn::wasi::{DirPerms, WasiConfig};
use wasmtime_dyn::{
    precompile_for, Engine, ErrorKind, LoadError, Module, Store, Trap, TypedFunc, Wasmtime,
    SUPPORTED_MAJORS,
};

const ADD: &str = r#"(module (func (export "add") (param i32 i32) (result i32)
    local.get 0 local.get 1 i32.add))"#;

#[test]
fn majors_outside_the_window_are_refused_naming_version_and_range() {
    for (major, version) in [(36, "36.0.0"), (44, "44.0.0")] {
        let path = common::library("full", major);
        // SAFETY: refused from its exports before it is loaded.
        let err = unsafe { Wasmtime::open(&path) }.unwrap_err();
        let LoadError::UnsupportedVersion {
            found, supported, ..
        } = &err
        else {
            panic!("{major}: expected UnsupportedVersion, got {err:?}");
        };
        assert_eq!(found, version);
        assert_eq!(*supported, SUPPORTED_MAJORS);
        let message = err.to_string();
        assert!(
            message.contains(version) && message.contains("45.x to 50.x"),
            "{message}"
        );
        assert!(message.contains(path.to_str().unwrap()), "{message}");
    }
}

#[test]
fn a_refused_library_never_runs_and_the_loaded_one_keeps_trapping() {
    // The refusal comes from the file's symbol table: the library is never
    // handed to the system loader, so none of its code (signal handlers
    // included) runs, and traps in the loaded library still work.
    let full = common::load_library("full", 48);
    let engine = Engine::default_for(full).unwrap();
    let module = Module::new(&engine, r#"(module (func (export "t") unreachable))"#).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = wasmtime_dyn::Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let trap = instance.get_typed_func::<(), ()>(&mut store, "t").unwrap();
    let err = trap.call(&mut store, ()).unwrap_err();
    assert_eq!(
        common::trap(&err),
        Some(Trap::UnreachableCodeReached),
        "{err:?}"
    );
    let old = common::library("full", 44);
    assert!(!loaded_objects().contains(old.to_str().unwrap()));
    // SAFETY: refused before it is loaded.
    assert!(unsafe { Wasmtime::open(&old) }.is_err());
    assert!(
        !loaded_objects().contains(old.to_str().unwrap()),
        "the refused library was mapped into the process"
    );
    let err = trap.call(&mut store, ()).unwrap_err();
    assert_eq!(
        common::trap(&err),
        Some(Trap::UnreachableCodeReached),
        "{err:?}"
    );
}

/// The files mapped into this process.
fn loaded_objects() -> String {
    std::fs::read_to_string("/proc/self/maps").expect("reading /proc/self/maps")
}

fn add_on(wasmtime: &'static Wasmtime) -> (Store<()>, TypedFunc<(i32, i32), i32>) {
    let engine = Engine::default_for(wasmtime).unwrap();
    let module = Module::new(&engine, ADD).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = wasmtime_dyn::Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let add = instance.get_typed_func(&mut store, "add").unwrap();
    (store, add)
}

#[test]
fn two_majors_in_one_process_each_work_and_refuse_each_other() {
    let w48 = common::load_library("full", 48);
    let w50 = common::load_library("full", 50);
    assert_eq!(w48.version().major(), 48);
    assert_eq!(w50.version().major(), 50);
    let (mut s48, add48) = add_on(w48);
    let (mut s50, add50) = add_on(w50);
    for i in 0..100 {
        assert_eq!(add48.call(&mut s48, (i, 1)).unwrap(), i + 1);
        assert_eq!(add50.call(&mut s50, (i, 2)).unwrap(), i + 2);
    }
    // A function of one used with the store of the other: an error.
    assert!(add48.call(&mut s50, (1, 2)).is_err());
    assert!(add50.call(&mut s48, (1, 2)).is_err());
    // A module of one cannot be instantiated in the other.
    let engine48 = Engine::default_for(w48).unwrap();
    let module48 = Module::new(&engine48, ADD).unwrap();
    let engine50 = Engine::default_for(w50).unwrap();
    let mut store50 = Store::new(&engine50, ());
    assert!(wasmtime_dyn::Linker::new(&engine50)
        .instantiate(&mut store50, &module48)
        .is_err());
    // An artifact of one is refused by the other, with the reason.
    let cwasm48 = engine48
        .compiler()
        .unwrap()
        .precompile(&engine48.wat().unwrap().to_wasm(ADD).unwrap());
    let cwasm48 = cwasm48.unwrap();
    // SAFETY: a real artifact, refused by its version header.
    let err = unsafe { Module::deserialize(&engine50, &cwasm48) }.unwrap_err();
    assert!(err.to_string().contains("version"), "{err}");
}

#[test]
fn precompile_for_another_major_is_refused_with_the_reason() {
    let w48 = common::load_library("full", 48);
    let min50 = common::load_library("min", 50);
    let err = precompile_for(w48, min50, ADD).unwrap_err();
    let message = err.to_string();
    assert!(
        matches!(common::kind(&err), Some(ErrorKind::IncompatibleArtifact(_))),
        "{err:?}"
    );
    assert!(
        message.contains("Wasmtime 48.0.0") && message.contains("its own major"),
        "{message}"
    );
    // The same major is fine, and the artifact runs there.
    let min48 = common::load_library("min", 48);
    let cwasm = precompile_for(w48, min48, ADD).unwrap();
    let engine = Engine::default_for(min48).unwrap();
    // SAFETY: the artifact was just made by the official 48 library.
    let module = unsafe { Module::deserialize(&engine, &cwasm) }.unwrap();
    let mut store = Store::new(&engine, ());
    let instance = wasmtime_dyn::Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let add = instance
        .get_typed_func::<(i32, i32), i32>(&mut store, "add")
        .unwrap();
    assert_eq!(add.call(&mut store, (40, 2)).unwrap(), 42);
}

/// A WASI program that creates `/dir/new.txt` and writes "hi" into it; its
/// `_start` exits with the errno of `path_open` (0 on success).
const CREATE_FILE: &str = r#"(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "new.txt")
  (func (export "_start")
    ;; fd 3 is the first preopen; O_CREAT = 1; rights: write (0x40)
    (call $exit (call $path_open (i32.const 3) (i32.const 0) (i32.const 16) (i32.const 7)
      (i32.const 1) (i64.const 0x40) (i64.const 0) (i32.const 0) (i32.const 64)))))"#;

#[test]
fn preopened_directories_read_only_and_read_write_on_every_major() {
    // 45 to 47 take permission flags, 48 and later one bool: each library
    // is called with its own signature.
    for major in SUPPORTED_MAJORS {
        let wasmtime = common::load_library("full", major);
        for perms in [DirPerms::ReadOnly, DirPerms::ReadWrite] {
            let dir = std::env::temp_dir().join(format!(
                "wasmtime-dyn-preopen-{major}-{perms:?}-{}",
                std::process::id()
            ));
            std::fs::create_dir_all(&dir).unwrap();
            let engine = Engine::default_for(wasmtime).unwrap();
            let module = Module::new(&engine, CREATE_FILE).unwrap();
            let mut linker = wasmtime_dyn::Linker::new(&engine);
            linker.define_wasi().unwrap();
            let mut store = Store::new(&engine, ());
            let mut config = WasiConfig::new();
            config.preopen_dir(&dir, "/dir", perms);
            store.set_wasi(&config).unwrap();
            let instance = linker.instantiate(&mut store, &module).unwrap();
            let start = instance
                .get_typed_func::<(), ()>(&mut store, "_start")
                .unwrap();
            let result = start.call(&mut store, ());
            let status = match result.as_ref().err().and_then(common::kind) {
                Some(ErrorKind::Exit(status)) => *status,
                _ => panic!("{major} {perms:?}: expected an exit, got {result:?}"),
            };
            let created = dir.join("new.txt").exists();
            std::fs::remove_dir_all(&dir).unwrap();
            match perms {
                DirPerms::ReadWrite => {
                    assert_eq!(status, 0, "{major}: creating in a writable preopen");
                    assert!(created, "{major}: the file was not created");
                }
                _ => {
                    assert_ne!(status, 0, "{major}: a read-only preopen allowed creating");
                    assert!(!created, "{major}: a read-only preopen was written");
                }
            }
        }
    }
}
