//! A WASI 0.2 command component (`wasi:cli/run`), made by `cargo xtask
//! artifacts` from a core WASI module with `wit-component` and the crates.io
//! preview 1 command adapter (`tests/fixtures/component/p2-command.wat`),
//! run through the component linker's WASI preview 2 on the round's full
//! library: arguments, environment, captured stdout and stderr, and a
//! preopened directory read and written; then the same through the
//! `wasmtime_wasi` crate's p2 shapes (`WasiView`, `p2::add_to_linker_sync`,
//! `p2::bindings::sync::Command`), where the store data's `WasiCtx` reaches
//! the C store on instantiation.

mod common;

use common::{round_has, Flavour};
use std::path::{Path, PathBuf};
use wasmtime_dyn::component::{Component, Linker, Val};
use wasmtime_dyn::wasi::p2::bindings::sync::Command;
use wasmtime_dyn::wasi::p2::pipe::{MemoryInputPipe, MemoryOutputPipe};
use wasmtime_dyn::wasi::{
    Captured, DirPerms, FilePerms, I32Exit, Output, ResourceTable, WasiConfig, WasiCtx,
    WasiCtxBuilder, WasiCtxView, WasiView,
};
use wasmtime_dyn::{Capability, Engine, ErrorKind, Store};

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
    if common::components_refused() {
        return;
    }
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
        .map(|(name, _)| name.to_string())
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

/// A store's data with a preview 2 context, as a `wasmtime_wasi` embedder
/// writes it.
struct Host {
    ctx: WasiCtx,
    table: ResourceTable,
}

impl WasiView for Host {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.ctx,
            table: &mut self.table,
        }
    }
}

fn host(ctx: WasiCtx) -> Host {
    Host {
        ctx,
        table: ResourceTable::new(),
    }
}

/// A fresh directory holding `in.txt`.
fn scratch_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wasmtime-dyn-p2-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("in.txt"), b"contents of in.txt\n").unwrap();
    dir
}

fn p2_linker(engine: &Engine) -> Linker<Host> {
    let mut linker = Linker::<Host>::new(engine);
    wasmtime_dyn::wasi::p2::add_to_linker_sync(&mut linker).unwrap();
    linker
}

fn run_in(dir: &Path, builder: &mut WasiCtxBuilder) -> (Store<Host>, Command) {
    let engine = Engine::default_for(Flavour::Full.load()).unwrap();
    let component = Component::from_file(&engine, command_path()).unwrap();
    let linker = p2_linker(&engine);
    builder
        .preopened_dir(dir, ".", DirPerms::ReadWrite, FilePerms::ReadWrite)
        .unwrap();
    let mut store = Store::new(&engine, host(builder.build()));
    let command = Command::instantiate(&mut store, &component, &linker).unwrap();
    (store, command)
}

#[test]
fn the_p2_api_runs_the_command_with_args_env_pipes_and_a_directory() {
    if common::components_refused() {
        return;
    }
    let dir = scratch_dir("api");
    let (out, err) = (MemoryOutputPipe::new(4096), MemoryOutputPipe::new(4096));
    let mut builder = WasiCtxBuilder::new();
    builder
        .args(&["command", "first", "second"])
        .env("GREETING", "hello")
        .stdin(MemoryInputPipe::new("unread"))
        .stdout(out.clone())
        .stderr(err.clone());
    let (mut store, command) = run_in(&dir, &mut builder);
    let status = command.wasi_cli_run().call_run(&mut store).unwrap();
    assert_eq!(status, Ok(()));
    let stdout = String::from_utf8(out.contents()).unwrap();
    println!("stdout: {stdout:?}");
    assert_eq!(
        stdout,
        "command\nfirst\nsecond\nGREETING=hello\ncontents of in.txt\n"
    );
    assert_eq!(&err.contents()[..], b"to stderr\n");
    assert_eq!(
        std::fs::read(dir.join("out.txt")).unwrap(),
        b"written by p2\n"
    );
    // Run again in the same store: the context installed on the first
    // instantiation stays (and is not installed twice).
    let status = command.wasi_cli_run().call_run(&mut store).unwrap();
    assert_eq!(status, Ok(()));
    assert_eq!(out.contents().len(), 2 * stdout.len());
    drop(store);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_p2_api_reports_an_exit_status() {
    if common::components_refused() {
        return;
    }
    // Without a preopened directory the command fails its first file step
    // and exits through `wasi:cli/exit` with an error: status 1.
    let engine = Engine::default_for(Flavour::Full.load()).unwrap();
    let component = Component::from_file(&engine, command_path()).unwrap();
    let linker = p2_linker(&engine);
    let out = MemoryOutputPipe::new(4096);
    let mut store = Store::new(
        &engine,
        host(WasiCtx::builder().stdout(out.clone()).build()),
    );
    let command = Command::instantiate(&mut store, &component, &linker).unwrap();
    let err = command.wasi_cli_run().call_run(&mut store).unwrap_err();
    println!("exit: {err:#}");
    assert_eq!(err.downcast_ref::<I32Exit>(), Some(&I32Exit(1)));
    assert!(out.contents().is_empty(), "{:?}", out.contents());
}

#[test]
fn a_component_that_is_not_a_command_is_refused_by_command() {
    if common::components_refused() {
        return;
    }
    let engine = Engine::default_for(Flavour::Full.load()).unwrap();
    let component = Component::new(&engine, "(component)").unwrap();
    let linker = p2_linker(&engine);
    let mut store = Store::new(&engine, host(WasiCtx::builder().build()));
    let err = Command::instantiate(&mut store, &component, &linker)
        .err()
        .expect("refused");
    println!("{err:#}");
    assert!(
        matches!(err.downcast_ref(), Some(ErrorKind::Invalid(m)) if m.contains("wasi:cli/run")),
        "{err:#}"
    );
}

#[test]
fn a_store_without_a_context_is_refused_before_any_wasi_call() {
    if common::components_refused() {
        return;
    }
    // `define_wasi` without `add_to_linker_sync`: nothing installs a context,
    // and the guard refuses the instantiation (the C API would abort on the
    // first WASI call).
    let engine = Engine::default_for(Flavour::Full.load()).unwrap();
    let component = Component::from_file(&engine, command_path()).unwrap();
    let mut linker = Linker::<()>::new(&engine);
    linker.define_wasi().unwrap();
    let mut store = Store::new(&engine, ());
    let err = Command::instantiate(&mut store, &component, &linker)
        .err()
        .expect("refused");
    println!("{err:#}");
    assert!(
        matches!(err.downcast_ref(), Some(ErrorKind::Invalid(m)) if m.contains("no WASI context")),
        "{err:#}"
    );
}

#[test]
fn a_context_that_cannot_be_installed_fails_the_instantiation() {
    if common::components_refused() {
        return;
    }
    let engine = Engine::default_for(Flavour::Full.load()).unwrap();
    let component = Component::from_file(&engine, command_path()).unwrap();
    let linker = p2_linker(&engine);
    let missing = std::env::temp_dir().join("wasmtime-dyn-p2-no-such-directory");
    let mut builder = WasiCtxBuilder::new();
    builder
        .preopened_dir(&missing, ".", DirPerms::ReadOnly, FilePerms::Read)
        .unwrap();
    let mut store = Store::new(&engine, host(builder.build()));
    let err = Command::instantiate(&mut store, &component, &linker)
        .err()
        .expect("refused");
    println!("{err:#}");
    assert!(
        matches!(err.downcast_ref(), Some(ErrorKind::Io { path, .. }) if *path == missing),
        "{err:#}"
    );
}

#[test]
fn p2_is_unsupported_without_the_component_model() {
    for flavour in [Flavour::Min, Flavour::CompilerOnly] {
        if !round_has(flavour) {
            return;
        }
        let engine = Engine::default_for(flavour.load()).unwrap();
        let mut linker = Linker::<Host>::new(&engine);
        let err = wasmtime_dyn::wasi::p2::add_to_linker_sync(&mut linker).unwrap_err();
        println!("{flavour:?}: {err:#}");
        common::assert_component_refusal(
            &err,
            Some(Capability::ComponentModel),
            &format!("{flavour:?}"),
        );
    }
}

#[test]
fn a_memory_output_pipe_keeps_at_most_its_capacity() {
    if common::components_refused() {
        return;
    }
    // As with the crate (checked with wasmtime-wasi 48 on this command):
    // the first 10 bytes are kept, the write that overflows fails, and the
    // command exits with status 1.
    let engine = Engine::default_for(Flavour::Full.load()).unwrap();
    let component = Component::from_file(&engine, command_path()).unwrap();
    let linker = p2_linker(&engine);
    let out = MemoryOutputPipe::new(10);
    let ctx = WasiCtx::builder()
        .args(&["command", "first", "second"])
        .stdout(out.clone())
        .build();
    let mut store = Store::new(&engine, host(ctx));
    let command = Command::instantiate(&mut store, &component, &linker).unwrap();
    let err = command.wasi_cli_run().call_run(&mut store).unwrap_err();
    println!("{:?} {err:#}", String::from_utf8_lossy(&out.contents()));
    assert_eq!(err.downcast_ref::<I32Exit>(), Some(&I32Exit(1)));
    assert_eq!(&out.contents()[..], b"command\nfi");
    assert_eq!(out.capacity(), 10);
}
