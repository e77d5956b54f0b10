//! WASI preview 1 with real WASI programs written in WAT: output, exit
//! codes and file effects asserted byte for byte on the full library; the
//! capability's absence asserted on the others.

mod common;

use common::{kind, round_has, setup, Flavour};
use wasmtime_dyn::wasi::{Captured, DirPerms, Output, WasiConfig};
use wasmtime_dyn::{Capability, Error, ErrorKind, Linker, Store};

const STDIO: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "hello stdout\n")
  (data (i32.const 200) "oops\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 100))
    (i32.store (i32.const 4) (i32.const 13))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (i32.store (i32.const 0) (i32.const 200))
    (i32.store (i32.const 4) (i32.const 5))
    (drop (call $fd_write (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 8)))))"#;

const ARGS_ENV: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (drop (call $args_sizes_get (i32.const 0) (i32.const 4)))
    (drop (call $args_get (i32.const 1000) (i32.const 2000)))
    (i32.store (i32.const 16) (i32.const 2000))
    (i32.store (i32.const 20) (i32.load (i32.const 4)))
    (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24)))
    (drop (call $environ_sizes_get (i32.const 32) (i32.const 36)))
    (drop (call $environ_get (i32.const 3000) (i32.const 4000)))
    (i32.store (i32.const 16) (i32.const 4000))
    (i32.store (i32.const 20) (i32.load (i32.const 36)))
    (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24)))))"#;

const FILES: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "out.txt")
  (data (i32.const 120) "in.txt")
  (data (i32.const 140) "../secret.txt")
  (data (i32.const 200) "written by wasm")
  ;; Opens the path at (ptr, len) in the preopened directory (fd 3);
  ;; returns the errno, the new fd at address 8.
  ;; Rights: everything for writing, fd_read (2) alone for reading.
  (func $open (param $ptr i32) (param $len i32) (param $oflags i32) (param $rights i64) (result i32)
    (call $path_open (i32.const 3) (i32.const 0) (local.get $ptr) (local.get $len)
      (local.get $oflags) (local.get $rights) (local.get $rights) (i32.const 0) (i32.const 8)))
  (func (export "write_file") (result i32) (local $errno i32)
    (local.set $errno (call $open (i32.const 100) (i32.const 7) (i32.const 9) (i64.const 0x1fffffff)))
    (if (local.get $errno) (then (return (local.get $errno))))
    (i32.store (i32.const 0) (i32.const 200))
    (i32.store (i32.const 4) (i32.const 15))
    (local.set $errno (call $fd_write (i32.load (i32.const 8)) (i32.const 0) (i32.const 1) (i32.const 12)))
    (drop (call $fd_close (i32.load (i32.const 8))))
    (local.get $errno))
  ;; Copies the file at (ptr, len) to stdout; returns the errno.
  (func $cat (param $ptr i32) (param $len i32) (result i32) (local $errno i32)
    (local.set $errno (call $open (local.get $ptr) (local.get $len) (i32.const 0) (i64.const 2)))
    (if (local.get $errno) (then (return (local.get $errno))))
    (i32.store (i32.const 0) (i32.const 1024))
    (i32.store (i32.const 4) (i32.const 1024))
    (local.set $errno (call $fd_read (i32.load (i32.const 8)) (i32.const 0) (i32.const 1) (i32.const 12)))
    (if (local.get $errno) (then (return (local.get $errno))))
    (i32.store (i32.const 4) (i32.load (i32.const 12)))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 12)))
    (drop (call $fd_close (i32.load (i32.const 8))))
    (i32.const 0))
  (func (export "read_file") (result i32) (call $cat (i32.const 120) (i32.const 6)))
  (func (export "escape") (result i32) (call $cat (i32.const 140) (i32.const 13))))"#;

const EXIT: &str = r#"(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start") (call $proc_exit (i32.const 3)) unreachable))"#;

fn run_start(wat: &str, config: &WasiConfig) -> Result<(), Error> {
    let (engine, module) = setup(Flavour::Full, wat);
    let mut linker = Linker::new(&engine);
    linker.define_wasi()?;
    let mut store = Store::new(&engine, ());
    store.set_wasi(config)?;
    let instance = linker.instantiate(&mut store, &module)?;
    instance
        .get_typed_func::<(), ()>(&mut store, "_start")?
        .call(&mut store, ())
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("wasmtime-dyn-wasi-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// What `run` gives and what the program wrote to its standard output,
/// `run` being handed a WASI config set up by `configure` with stdout
/// captured in memory. Where the library refuses capturing as too old
/// (custom output streams arrived in Wasmtime 39's C API), the refusal is
/// asserted and said, and `run` is handed the same config with stdout to
/// a file instead, which every major's C API offers
/// (`wasi_config_set_stdout_file`). Local to this file: tests/common has
/// no such helper.
fn with_stdout<R>(
    name: &str,
    configure: impl Fn(&mut WasiConfig),
    mut run: impl FnMut(&WasiConfig) -> Result<R, Error>,
) -> (R, Vec<u8>) {
    let out = Captured::new();
    let mut config = WasiConfig::new();
    configure(&mut config);
    config.stdout(Output::Capture(out.clone()));
    match run(&config) {
        Ok(value) => (value, out.contents()),
        Err(err) => {
            assert_capture_too_old(&err);
            assert!(out.contents().is_empty(), "nothing was captured");
            let dir = temp_dir(&format!("{name}-stdout"));
            let path = dir.join("stdout");
            config.stdout(Output::File(path.clone()));
            let value = run(&config).unwrap_or_else(|e| panic!("{name}, stdout to a file: {e:?}"));
            let written = std::fs::read(&path).unwrap();
            std::fs::remove_dir_all(&dir).unwrap();
            (value, written)
        }
    }
}

/// Asserts that `err` is the library's refusal of `WasiConfig` capture as
/// too new for the round's major, and says it.
fn assert_capture_too_old(err: &Error) {
    assert!(
        common::too_old_why(err).is_some(),
        "expected capture to work or to be too new: {err:?}"
    );
    assert!(err.to_string().contains("`WasiConfig capture`"), "{err}");
    eprintln!("refused as too new: {err}; the output goes to a file instead");
}

#[test]
fn stdout_and_stderr_captured_and_to_files() {
    // Captured where the library can (39 and later), else refused as too
    // new, for either stream, before the program runs.
    let captured = |stdout: bool, stderr: bool| {
        let (out, err) = (Captured::new(), Captured::new());
        let mut config = WasiConfig::new();
        if stdout {
            config.stdout(Output::Capture(out.clone()));
        }
        if stderr {
            config.stderr(Output::Capture(err.clone()));
        }
        run_start(STDIO, &config).map(|()| (out.contents(), err.contents()))
    };
    match captured(true, true) {
        Ok((out, err)) => {
            assert_eq!(out, b"hello stdout\n");
            assert_eq!(err, b"oops\n");
        }
        Err(e) => {
            assert_capture_too_old(&e);
            for (stdout, stderr) in [(true, false), (false, true)] {
                assert_capture_too_old(&captured(stdout, stderr).unwrap_err());
            }
        }
    }

    let dir = temp_dir("stdio");
    let mut config = WasiConfig::new();
    config
        .stdout(Output::File(dir.join("out")))
        .stderr(Output::File(dir.join("err")));
    run_start(STDIO, &config).unwrap();
    assert_eq!(std::fs::read(dir.join("out")).unwrap(), b"hello stdout\n");
    assert_eq!(std::fs::read(dir.join("err")).unwrap(), b"oops\n");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn args_and_env() {
    let ((), out) = with_stdout(
        "args",
        |config| {
            config
                .args(["prog", "a b", "ü"])
                .env("K", "V")
                .env("EMPTY", "");
        },
        |config| run_start(ARGS_ENV, config),
    );
    assert_eq!(out, "prog\0a b\0ü\0K=V\0EMPTY=\0".as_bytes());
}

#[test]
fn proc_exit_is_error_exit() {
    let err = run_start(EXIT, &WasiConfig::new()).unwrap_err();
    assert!(matches!(kind(&err), Some(ErrorKind::Exit(3))), "{err:?}");
    assert_eq!(err.to_string(), "the WASI program exited with status 3");
}

fn files(perms: DirPerms, name: &str) -> (std::path::PathBuf, Vec<u8>, i32, i32, i32) {
    let root = temp_dir(name);
    let dir = root.join("sandbox");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("in.txt"), b"contents of in.txt\n").unwrap();
    std::fs::write(root.join("secret.txt"), b"secret").unwrap();
    let (engine, module) = setup(Flavour::Full, FILES);
    let mut linker = Linker::new(&engine);
    linker.define_wasi().unwrap();
    let ((read, write, escape), out) = with_stdout(
        name,
        |config| {
            config.preopen_dir(&dir, ".", perms);
        },
        |config| {
            let mut store = Store::new(&engine, ());
            store.set_wasi(config)?;
            let instance = linker.instantiate(&mut store, &module).unwrap();
            let mut call = |name: &str| {
                instance
                    .get_typed_func::<(), i32>(&mut store, name)
                    .unwrap()
                    .call(&mut store, ())
                    .unwrap()
            };
            let read = call("read_file");
            let write = call("write_file");
            let escape = call("escape");
            Ok((read, write, escape))
        },
    );
    (root, out, read, write, escape)
}

#[test]
fn preopened_directory_read_write() {
    let (root, out, read, write, escape) = files(DirPerms::ReadWrite, "rw");
    assert_eq!(read, 0);
    assert_eq!(write, 0);
    assert_eq!(
        std::fs::read(root.join("sandbox/out.txt")).unwrap(),
        b"written by wasm"
    );
    assert_ne!(escape, 0, "opening ../secret.txt must be denied");
    assert_eq!(out, b"contents of in.txt\n", "the secret must not be read");
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn preopened_directory_read_only_denies_writes() {
    let (root, out, read, write, escape) = files(DirPerms::ReadOnly, "ro");
    assert_eq!(read, 0);
    assert_ne!(
        write, 0,
        "creating a file in a read-only directory must be denied"
    );
    assert!(!root.join("sandbox/out.txt").exists());
    assert_ne!(escape, 0);
    assert_eq!(out, b"contents of in.txt\n");
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn bad_paths_are_errors() {
    let mut config = WasiConfig::new();
    config.preopen_dir("/nonexistent/dir", "/data", DirPerms::ReadOnly);
    let engine = common::engine_with(Flavour::Full, |_| {});
    let mut store = Store::new(&engine, ());
    let err = store.set_wasi(&config).unwrap_err();
    assert!(
        matches!(kind(&err), Some(ErrorKind::Io { path, .. }) if path == std::path::Path::new("/nonexistent/dir")),
        "{err:?}"
    );
    let mut config = WasiConfig::new();
    config.stdin(wasmtime_dyn::wasi::Input::File("/nonexistent/stdin".into()));
    let err = store.set_wasi(&config).unwrap_err();
    assert!(matches!(kind(&err), Some(ErrorKind::Io { .. })), "{err:?}");
}

#[test]
fn absent_without_the_capability() {
    if !round_has(Flavour::Min) {
        return;
    }
    for flavour in [Flavour::Min, Flavour::CompilerOnly] {
        let engine = common::engine_with(flavour, |_| {});
        assert!(engine.wasi().is_none());
        let mut store = Store::new(&engine, ());
        let err = store.set_wasi(&WasiConfig::new()).unwrap_err();
        assert!(
            matches!(kind(&err), Some(ErrorKind::Unsupported(Capability::Wasi))),
            "{err:?}"
        );
        assert!(err.to_string().contains("`wasi`"), "{err}");
        let mut linker = Linker::<()>::new(&engine);
        let err = linker.define_wasi().expect_err("no WASI to define");
        assert!(
            matches!(kind(&err), Some(ErrorKind::Unsupported(Capability::Wasi))),
            "{err:?}"
        );
    }
}

const ECHO_STDIN: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 1024))
    (i32.store (i32.const 4) (i32.const 1024))
    (drop (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 12)))
    (i32.store (i32.const 4) (i32.load (i32.const 12)))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 12)))))"#;

#[test]
fn stdin_from_bytes_and_from_a_file() {
    let ((), out) = with_stdout(
        "stdin-bytes",
        |config| {
            config.stdin_bytes(b"from bytes\x00\xff".to_vec());
        },
        |config| run_start(ECHO_STDIN, config),
    );
    assert_eq!(out, b"from bytes\x00\xff");

    let dir = temp_dir("stdin");
    std::fs::write(dir.join("in"), b"from a file").unwrap();
    let ((), out) = with_stdout(
        "stdin-file",
        |config| {
            config.stdin(wasmtime_dyn::wasi::Input::File(dir.join("in")));
        },
        |config| run_start(ECHO_STDIN, config),
    );
    assert_eq!(out, b"from a file");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Exits with `argc * 10 + envc`.
const COUNTS: &str = r#"(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $env (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (drop (call $args (i32.const 0) (i32.const 4)))
    (drop (call $env (i32.const 8) (i32.const 12)))
    (call $exit (i32.add (i32.mul (i32.load (i32.const 0)) (i32.const 10)) (i32.load (i32.const 8))))
    unreachable))"#;

#[test]
fn the_wasmtime_wasi_p1_shapes_install_the_context_from_the_store_data() {
    use wasmtime_dyn::wasi::p1::{self, WasiP1Ctx};
    use wasmtime_dyn::wasi::{I32Exit, WasiCtxBuilder};

    struct App {
        runs: u32,
        wasi: WasiP1Ctx,
    }
    let (engine, module) = setup(Flavour::Full, COUNTS);
    let mut linker: Linker<App> = Linker::new(&engine);
    p1::add_to_linker_sync(&mut linker, |app| &mut app.wasi).unwrap();
    let exit_status = |store: &mut Store<App>, instance: wasmtime_dyn::Instance| {
        let err = instance
            .get_typed_func::<(), ()>(&mut *store, "_start")
            .unwrap()
            .call(&mut *store, ())
            .unwrap_err();
        // Both the crate's `I32Exit` and this crate's kind find the status.
        let status = err.downcast_ref::<I32Exit>().expect("an exit").0;
        assert!(matches!(kind(&err), Some(ErrorKind::Exit(s)) if *s == status));
        status
    };

    let wasi = WasiCtxBuilder::new()
        .args(&["app", "one", "two"])
        .envs(&[("A", "1"), ("B", "2")])
        .arg("three")
        .build_p1();
    let mut store = Store::new(&engine, App { runs: 0, wasi });
    let instance = linker.instantiate(&mut store, &module).unwrap();
    assert_eq!(exit_status(&mut store, instance), 42);
    store.data_mut().runs += 1;

    // Through an InstancePre, in a store of its own.
    let pre = linker.instantiate_pre(&module).unwrap();
    let wasi = WasiCtxBuilder::new().arg("solo").env("X", "y").build_p1();
    let mut other = Store::new(&engine, App { runs: 0, wasi });
    let instance = pre.instantiate(&mut other).unwrap();
    assert_eq!(exit_status(&mut other, instance), 11);
    assert_eq!(store.data().runs, 1);
}

/// Issue 17, finding 5: a FIFO with no peer as WASI standard input or
/// output is refused at once; the C API's blocking `open` waited forever.
#[test]
fn fifo_stdio_is_refused_instead_of_hanging() {
    common::child::isolate_within(
        "fifo_stdio_is_refused_instead_of_hanging",
        std::time::Duration::from_secs(30),
        || {
            let dir = temp_dir("fifo");
            let fifo = dir.join("pipe");
            let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
            // SAFETY: `c` is a NUL-terminated path.
            assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
            let engine = common::engine_with(Flavour::Full, |_| {});
            let mut store = Store::new(&engine, ());
            let cases: [(&str, WasiConfig); 3] = [
                ("stdin", {
                    let mut c = WasiConfig::new();
                    c.stdin(wasmtime_dyn::wasi::Input::File(fifo.clone()));
                    c
                }),
                ("stdout", {
                    let mut c = WasiConfig::new();
                    c.stdout(Output::File(fifo.clone()));
                    c
                }),
                ("stderr", {
                    let mut c = WasiConfig::new();
                    c.stderr(Output::File(fifo.clone()));
                    c
                }),
            ];
            for (stream, config) in cases {
                let err = store.set_wasi(&config).unwrap_err();
                assert!(
                    matches!(kind(&err), Some(ErrorKind::Io { path, .. }) if *path == fifo),
                    "{stream}: {err:?}"
                );
                assert!(err.to_string().contains("is a FIFO"), "{stream}: {err}");
            }
            // A regular file still works for the same store.
            let mut config = WasiConfig::new();
            config.stdout(Output::File(dir.join("out")));
            store.set_wasi(&config).unwrap();
            std::fs::remove_dir_all(&dir).unwrap();
        },
    );
}
