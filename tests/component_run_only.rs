//! The run-only component build (`cargo xtask artifacts` makes it for 48
//! and 50: `wasmtime-c-api-impl` with the component model, WASI and async
//! but no compiler) runs components precompiled by the full library, as
//! the minimal build runs modules: a component with a typed host import,
//! and the WASI 0.2 command component with its arguments and output.

mod common;

use common::{run_only, test_var, Flavour};
use std::path::PathBuf;
use wasmtime_dyn::component::{Component, Linker, Val};
use wasmtime_dyn::wasi::{Captured, Output, WasiConfig};
use wasmtime_dyn::{precompile_for, Capability, Engine, ErrorKind, Store};

const VALUES: &str = include_str!("fixtures/component/values.wat");

#[test]
fn the_run_only_build_has_the_component_model_without_a_compiler() {
    let Some(lib) = run_only() else { return };
    let engine = Engine::default_for(lib).unwrap();
    let caps = engine.capabilities();
    for capability in [
        Capability::ComponentModel,
        Capability::Wasi,
        Capability::Async,
    ] {
        assert!(caps.contains(capability), "{capability:?} in {caps:?}");
    }
    assert!(!caps.contains(Capability::Compiler), "{caps:?}");
    // Compiling needs a compiler: refused with a typed error.
    let err = Component::new(&engine, b"\0asm\x0d\0\x01\0").unwrap_err();
    assert!(
        matches!(
            err.downcast_ref(),
            Some(ErrorKind::Unsupported(Capability::Compiler))
        ),
        "{err:#}"
    );
}

#[test]
fn a_component_precompiled_on_full_runs_on_the_run_only_build() {
    let Some(lib) = run_only() else { return };
    let engine = Engine::default_for(lib).unwrap();
    // Text, translated by the full library, precompiled for this engine.
    let cwasm = precompile_for(Flavour::Full.load(), &engine, VALUES).unwrap();
    assert!(matches!(
        Engine::detect_precompiled(&cwasm),
        Some(wasmtime_dyn::Precompiled::Component)
    ));
    // SAFETY: the artifact was just made by the official library.
    let component = unsafe { Component::deserialize(&engine, &cwasm) }.unwrap();
    let mut linker = Linker::<usize>::new(&engine);
    linker
        .root()
        .func_wrap("transform", |mut store, (s,): (String,)| {
            *store.data_mut() += 1;
            Ok((s.to_uppercase(),))
        })
        .unwrap();
    let mut store = Store::new(&engine, 0usize);
    let instance = linker.instantiate(&mut store, &component).unwrap();
    let echo = instance
        .get_typed_func::<(&str,), (String,)>(&mut store, "echo")
        .unwrap();
    assert_eq!(
        echo.call(&mut store, ("run only",)).unwrap(),
        ("RUN ONLY".to_string(),)
    );
    assert_eq!(*store.data(), 1, "the host import ran once");
    let double = instance.get_func(&mut store, "double").unwrap();
    let mut out = [Val::Bool(false)];
    double
        .call(&mut store, &[Val::List(vec![Val::U32(21)])], &mut out)
        .unwrap();
    assert_eq!(out[0], Val::List(vec![Val::U32(42)]));
}

#[test]
fn a_wasi_p2_command_precompiled_on_full_runs_on_the_run_only_build() {
    let Some(lib) = run_only() else { return };
    let path = test_var("WASMTIME_DYN_TEST_P2_COMMAND")
        .map(PathBuf::from)
        .expect("WASMTIME_DYN_TEST_P2_COMMAND is not set: run `cargo xtask artifacts`");
    let engine = Engine::default_for(lib).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let cwasm = precompile_for(Flavour::Full.load(), &engine, &bytes).unwrap();
    // SAFETY: the artifact was just made by the official library.
    let component = unsafe { Component::deserialize(&engine, &cwasm) }.unwrap();
    let mut linker = Linker::<()>::new(&engine);
    linker.define_wasi().unwrap();
    let dir = std::env::temp_dir().join(format!("wasmtime-dyn-run-only-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("in.txt"), b"on the run-only build\n").unwrap();
    let out = Captured::new();
    let mut config = WasiConfig::new();
    config
        .args(["command", "x"])
        .stdout(Output::Capture(out.clone()))
        .preopen_dir(&dir, ".", wasmtime_dyn::wasi::DirPerms::ReadWrite);
    let mut store = Store::new(&engine, ());
    store.set_wasi(&config).unwrap();
    let instance = linker.instantiate(&mut store, &component).unwrap();
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
    run.call(&mut store, &[], &mut result).unwrap();
    assert_eq!(result[0], Val::Result(Ok(None)));
    assert_eq!(
        String::from_utf8(out.contents()).unwrap(),
        "command\nx\non the run-only build\n"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
