//! A WASI 0.2 command component (`wasi:cli/run`), made by `cargo xtask
//! artifacts` from a core WASI module with `wit-component` and the crates.io
//! preview 1 command adapter (`tests/fixtures/component/p2-command.wat`),
//! run through the component linker's WASI preview 2 on the round's full
//! library: arguments, environment, captured stdout and stderr, and a
//! preopened directory read and written.

mod common;

use common::Flavour;
use std::path::PathBuf;
use wasmtime_dyn::component::{Component, Linker, Val};
use wasmtime_dyn::wasi::{Captured, DirPerms, Output, WasiConfig};
use wasmtime_dyn::{Engine, Store};

/// The command component's path, as `cargo xtask artifacts` made it.
fn command_path() -> PathBuf {
    let path = common::test_var("WASMTIME_DYN_TEST_P2_COMMAND")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            panic!(
                "WASMTIME_DYN_TEST_P2_COMMAND is not set: run `cargo xtask artifacts`, \
                 which makes the WASI 0.2 command component"
            )
        });
    assert!(
        path.is_file(),
        "{} does not exist: run `cargo xtask artifacts`",
        path.display()
    );
    path
}

#[test]
fn a_wasi_p2_command_runs_with_args_env_stdio_and_a_directory() {
    let engine = Engine::default_for(Flavour::Full.load()).expect("an engine of the full library");
    let component = Component::from_file(&engine, command_path()).expect("the command compiles");
    let mut linker = Linker::<()>::new(&engine);
    linker.define_wasi().unwrap();

    let dir = std::env::temp_dir().join(format!("wasmtime-dyn-p2-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("in.txt"), b"contents of in.txt\n").unwrap();
    let (out, err) = (Captured::new(), Captured::new());
    let mut config = WasiConfig::new();
    config
        .args(["command", "first", "second"])
        .env("GREETING", "hello")
        .stdout(Output::Capture(out.clone()))
        .stderr(Output::Capture(err.clone()))
        .preopen_dir(&dir, ".", DirPerms::ReadWrite);
    let mut store = Store::new(&engine, ());
    store.set_wasi(&config).unwrap();

    let instance = linker.instantiate(&mut store, &component).unwrap();
    let interface = component
        .component_type()
        .exports(&engine)
        .map(|(name, _)| name)
        .find(|name| name.starts_with("wasi:cli/run@0.2"))
        .expect("the command exports wasi:cli/run");
    let run_index = instance
        .get_export_index(&mut store, None, &interface)
        .and_then(|i| instance.get_export_index(&mut store, Some(&i), "run"))
        .expect("wasi:cli/run has `run`");
    let run = instance.get_func(&mut store, &run_index).unwrap();
    let mut result = [Val::Bool(false)];
    run.call(&mut store, &[], &mut result).unwrap();
    assert_eq!(result[0], Val::Result(Ok(None)), "run returned ok");

    let stdout = String::from_utf8(out.contents()).unwrap();
    assert_eq!(
        stdout,
        "command\nfirst\nsecond\nGREETING=hello\ncontents of in.txt\n"
    );
    assert_eq!(err.contents(), b"to stderr\n");
    assert_eq!(
        std::fs::read(dir.join("out.txt")).unwrap(),
        b"written by p2\n"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
