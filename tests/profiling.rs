//! The guest profiler samples a run and writes a Firefox Profiler profile.

mod common;

use common::{kind, round_has, setup, Flavour};
use std::time::Duration;
use wasmtime_dyn::{Caller, Capability, ErrorKind, GuestProfiler, Linker, Store};

const BUSY: &str = r#"(module $busy_program
    (import "host" "tick" (func $tick))
    (func $inner_work (param i32)
        (loop $l
            (call $tick)
            (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
            (br_if $l (local.get 0))))
    (func $outer_work (export "run") (param i32) (call $inner_work (local.get 0))))"#;

#[test]
fn samples_a_run_and_writes_the_profile() {
    let (engine, module) = setup(Flavour::Full, BUSY);
    let profiler = GuestProfiler::new(
        &engine,
        "busy",
        Duration::from_micros(10),
        &[("busy.wasm", &module)],
    )
    .unwrap();
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap(
            "host",
            "tick",
            |mut caller: Caller<'_, Option<GuestProfiler>>| {
                let mut profiler = caller
                    .data_mut()
                    .take()
                    .expect("the profiler is in the store");
                profiler
                    .sample(&mut caller, Duration::from_micros(10))
                    .unwrap();
                *caller.data_mut() = Some(profiler);
            },
        )
        .unwrap();
    let mut store = Store::new(&engine, Some(profiler));
    let instance = linker.instantiate(&mut store, &module).unwrap();
    instance
        .get_typed_func::<i32, ()>(&mut store, "run")
        .unwrap()
        .call(&mut store, 50)
        .unwrap();
    let profile = store.data_mut().take().unwrap().finish().unwrap();
    let text = String::from_utf8(profile).expect("the profile is JSON text");
    assert!(
        text.starts_with('{') && text.trim_end().ends_with('}'),
        "{}",
        &text[..text.len().min(200)]
    );
    for needle in [
        "\"meta\"",
        "\"threads\"",
        "busy",
        "inner_work",
        "outer_work",
    ] {
        assert!(text.contains(needle), "the profile mentions {needle}");
    }
    let path =
        std::env::temp_dir().join(format!("wasmtime-dyn-profile-{}.json", std::process::id()));
    std::fs::write(&path, &text).unwrap();
    println!(
        "profile written to {} ({} bytes): open it at https://profiler.firefox.com",
        path.display(),
        text.len()
    );
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn absent_without_the_capability() {
    if !round_has(Flavour::Min) {
        return;
    }
    for flavour in [Flavour::Min, Flavour::CompilerOnly] {
        let (engine, module) = setup(flavour, "(module)");
        let err = GuestProfiler::new(&engine, "x", Duration::from_millis(1), &[("m", &module)])
            .err()
            .unwrap();
        assert!(
            matches!(
                kind(&err),
                Some(ErrorKind::Unsupported(Capability::Profiling))
            ),
            "{err:?}"
        );
    }
}
