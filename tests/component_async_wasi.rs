//! Issue 19 (components, WASI): the C API's async WASI preview 2
//! (`wasmtime_component_linker_add_wasip2_async`) through the crate's
//! shapes (`wasi::p2::add_to_linker_async`, the async
//! `p2::bindings::Command`) and through `Linker::define_wasi_async`, on a
//! tokio current-thread runtime: the WASI 0.2 command fixture of
//! `tests/component_wasi.rs` run with `instantiate_async` and
//! `call_async` on the round's full library, while another task on the
//! same thread makes progress; the guards of the sync path (a store
//! without a WASI context, a sync call); and `Unsupported` on the builds
//! without it.

mod common;

use common::child::isolate;
use common::{round_has, Flavour};
use std::cell::Cell;
use std::path::PathBuf;
use std::rc::Rc;
use wasmtime_dyn::component::{Component, Linker, Val};
use wasmtime_dyn::wasi::p2::bindings::Command;
use wasmtime_dyn::wasi::p2::pipe::{MemoryInputPipe, MemoryOutputPipe};
use wasmtime_dyn::wasi::{
    Captured, DirPerms, FilePerms, I32Exit, Output, ResourceTable, WasiConfig, WasiCtx,
    WasiCtxBuilder, WasiCtxView, WasiView,
};
use wasmtime_dyn::{Capability, Engine, ErrorKind, Store};

/// What the fixture writes to stdout given the arguments `command first
/// second`, `GREETING=hello` and a directory holding `in.txt`.
const STDOUT: &str = "command\nfirst\nsecond\nGREETING=hello\ncontents of in.txt\n";

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
    let dir = std::env::temp_dir().join(format!(
        "wasmtime-dyn-p2-async-{tag}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("in.txt"), b"contents of in.txt\n").unwrap();
    dir
}

fn current_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a tokio runtime")
}

/// The full library's engine; `None` (saying why) before Wasmtime 45,
/// whose C API has no component-model async (refused as too old, which is
/// checked).
fn full_engine() -> Option<Engine> {
    let full = Flavour::Full.load();
    if !full.has(Capability::ComponentModelAsync) {
        let engine = Engine::default_for(full).expect("an engine of the full library");
        let mut linker = Linker::<()>::new(&engine);
        let refused = linker
            .root()
            .func_new_async("f", |_, _, _, _| Box::new(async { Ok(()) }))
            .map(drop);
        if let Err(why) = common::too_old(refused) {
            eprintln!("{why}");
            return None;
        }
    }
    assert!(
        full.has(Capability::ComponentModelAsync) && full.has(Capability::Wasi),
        "every official full library of 45 to 50 has async WASI p2: {:?}",
        full.capabilities()
    );
    Some(Engine::default_for(full).expect("an engine of the full library"))
}

#[test]
fn the_async_p2_api_runs_the_command_on_a_current_thread_runtime() {
    let Some(engine) = full_engine() else {
        return;
    };
    let component = Component::from_file(&engine, command_path()).unwrap();
    let mut linker = Linker::<Host>::new(&engine);
    wasmtime_dyn::wasi::p2::add_to_linker_async(&mut linker).unwrap();
    let dir = scratch_dir("api");
    let (out, err) = (MemoryOutputPipe::new(4096), MemoryOutputPipe::new(4096));
    let mut builder = WasiCtxBuilder::new();
    builder
        .args(&["command", "first", "second"])
        .env("GREETING", "hello")
        .stdin(MemoryInputPipe::new("unread"))
        .stdout(out.clone())
        .stderr(err.clone())
        .preopened_dir(&dir, ".", DirPerms::ReadWrite, FilePerms::ReadWrite)
        .unwrap();
    let mut store = Store::new(&engine, host(builder.build()));

    // Another task on the same thread counts while the command runs. How
    // often it gets the thread is not fixed: the call's future gives it
    // back when a WASI operation inside Wasmtime (file I/O, done on
    // Wasmtime's own blocking threads) is not finished when polled, which
    // depends on timing; the count is printed, and the runtime must not
    // deadlock either way.
    let ticks = Rc::new(Cell::new(0u32));
    let done = Rc::new(Cell::new(false));
    let local = tokio::task::LocalSet::new();
    local.block_on(&current_thread(), async {
        let ticker = tokio::task::spawn_local({
            let (ticks, done) = (ticks.clone(), done.clone());
            async move {
                while !done.get() {
                    ticks.set(ticks.get() + 1);
                    tokio::task::yield_now().await;
                }
            }
        });
        let command = Command::instantiate_async(&mut store, &component, &linker)
            .await
            .expect("instantiate_async");
        let status = command.wasi_cli_run().call_run(&mut store).await.unwrap();
        assert_eq!(status, Ok(()));
        // Again in the same store, as with the sync API.
        let status = command.wasi_cli_run().call_run(&mut store).await.unwrap();
        assert_eq!(status, Ok(()));
        done.set(true);
        ticker.await.unwrap();
    });
    let stdout = String::from_utf8(out.contents()).unwrap();
    println!(
        "stdout: {stdout:?}; the other task ran {} times",
        ticks.get()
    );
    assert_eq!(stdout, format!("{STDOUT}{STDOUT}"));
    assert_eq!(&err.contents()[..], b"to stderr\nto stderr\n");
    assert_eq!(
        std::fs::read(dir.join("out.txt")).unwrap(),
        b"written by p2\n"
    );
    drop(store);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn define_wasi_async_runs_the_command_with_the_store_context() {
    let Some(engine) = full_engine() else {
        return;
    };
    let component = Component::from_file(&engine, command_path()).unwrap();
    let mut linker = Linker::<()>::new(&engine);
    linker.define_wasi_async().unwrap();
    let dir = scratch_dir("raw");
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
    current_thread().block_on(async {
        let instance = linker
            .instantiate_async(&mut store, &component)
            .await
            .unwrap();
        let interface = component
            .component_type()
            .exports(&engine)
            .map(|(name, _)| name.to_string())
            .find(|name| name.starts_with("wasi:cli/run@0.2"))
            .expect("the command exports wasi:cli/run");
        let run = instance
            .get_export_index(&mut store, None, &interface)
            .and_then(|i| instance.get_export_index(&mut store, Some(&i), "run"))
            .and_then(|i| instance.get_func(&mut store, &i))
            .expect("wasi:cli/run has `run`");
        let mut result = [Val::Bool(false)];
        run.call_async(&mut store, &[], &mut result).await.unwrap();
        assert_eq!(result[0], Val::Result(Ok(None)), "run returned ok");
    });
    assert_eq!(String::from_utf8(out.contents()).unwrap(), STDOUT);
    assert_eq!(err.contents(), b"to stderr\n");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_async_command_reports_an_exit_status() {
    // Without a preopened directory the command exits with status 1.
    let Some(engine) = full_engine() else {
        return;
    };
    let component = Component::from_file(&engine, command_path()).unwrap();
    let mut linker = Linker::<Host>::new(&engine);
    wasmtime_dyn::wasi::p2::add_to_linker_async(&mut linker).unwrap();
    let mut store = Store::new(&engine, host(WasiCtx::builder().build()));
    let err = current_thread().block_on(async {
        let command = Command::instantiate_async(&mut store, &component, &linker)
            .await
            .unwrap();
        command
            .wasi_cli_run()
            .call_run(&mut store)
            .await
            .unwrap_err()
    });
    println!("exit: {err:#}");
    assert_eq!(err.downcast_ref::<I32Exit>(), Some(&I32Exit(1)));
}

#[test]
fn a_store_without_a_context_is_refused_before_any_async_wasi_call() {
    // `define_wasi_async` without a context: the C API would abort on the
    // first WASI call; the instantiation is refused instead.
    let Some(engine) = full_engine() else {
        return;
    };
    let component = Component::from_file(&engine, command_path()).unwrap();
    let mut linker = Linker::<()>::new(&engine);
    linker.define_wasi_async().unwrap();
    let mut store = Store::new(&engine, ());
    let err = current_thread()
        .block_on(Command::instantiate_async(&mut store, &component, &linker))
        .err()
        .expect("refused");
    println!("{err:#}");
    assert!(
        matches!(err.downcast_ref(), Some(ErrorKind::Invalid(m)) if m.contains("no WASI context")),
        "{err:#}"
    );
}

#[test]
fn a_sync_instantiation_with_async_wasi_is_an_error() {
    // The linker's WASI functions are async: Wasmtime refuses a sync
    // instantiation with an error (in a child: an abort would end it).
    isolate("a_sync_instantiation_with_async_wasi_is_an_error", || {
        let Some(engine) = full_engine() else {
            return;
        };
        let component = Component::from_file(&engine, command_path()).unwrap();
        let mut linker = Linker::<Host>::new(&engine);
        wasmtime_dyn::wasi::p2::add_to_linker_async(&mut linker).unwrap();
        let mut store = Store::new(&engine, host(WasiCtx::builder().build()));
        let err = wasmtime_dyn::wasi::p2::bindings::sync::Command::instantiate(
            &mut store, &component, &linker,
        )
        .err()
        .expect("refused");
        println!("{err:#}");
        assert!(err.to_string().contains("_async"), "{err:#}");
    });
}

#[test]
fn async_p2_is_unsupported_without_component_model_async() {
    let mut checked = 0;
    for flavour in [Flavour::Min, Flavour::CompilerOnly] {
        if !round_has(flavour) {
            continue;
        }
        let lib = flavour.load();
        assert!(!lib.has(Capability::ComponentModelAsync));
        let engine = Engine::default_for(lib).unwrap();
        let mut linker = Linker::<Host>::new(&engine);
        let err = wasmtime_dyn::wasi::p2::add_to_linker_async(&mut linker).unwrap_err();
        println!("{flavour:?}: {err:#}");
        common::assert_component_refusal(&err, None, &format!("{flavour:?}"));
        let err = linker.define_wasi_async().unwrap_err();
        common::assert_component_refusal(&err, None, &format!("{flavour:?}"));
        checked += 1;
    }
    println!("{checked} builds without component-model-async checked");
}
