//! What would abort the process inside the component C API, refused
//! beforehand: WASI calls in a store without a WASI context, and values
//! the C API cannot convert (`future`, `stream`, `error-context`). Each
//! runs in a child process, so a regression fails the test instead of
//! ending the test runner (see tests/component.rs for the rest).

mod common;

use common::child::isolate;
use common::Flavour;
use wasmtime_dyn::component::{Component, Linker, Val};
use wasmtime_dyn::wasi::WasiConfig;
use wasmtime_dyn::{Engine, ErrorKind, Store};

const WASI_ARGS: &str = include_str!("fixtures/component/wasi_args.wat");

fn encode(wat: &str) -> Vec<u8> {
    let buf = wast::parser::ParseBuffer::new(wat).expect("lexing the component text");
    let mut wat: wast::Wat = wast::parser::parse(&buf).expect("parsing the component text");
    wat.encode().expect("encoding the component")
}

fn engine() -> Engine {
    Engine::default_for(Flavour::Full.load()).expect("an engine of the full library")
}

#[test]
fn wasi_without_a_context_is_refused() {
    if common::components_refused() {
        return;
    }
    isolate("wasi_without_a_context_is_refused", || {
        let engine = engine();
        let component = Component::new(&engine, encode(WASI_ARGS)).unwrap();
        let mut linker = Linker::<()>::new(&engine);
        linker.define_wasi().unwrap();
        let mut store = Store::new(&engine, ());
        let err = linker.instantiate(&mut store, &component).unwrap_err();
        assert!(
            matches!(err.downcast_ref(), Some(ErrorKind::Invalid(_))),
            "{err:#}"
        );
        assert!(err.to_string().contains("wasi:cli/environment"), "{err}");
        // With a context it runs: three arguments.
        store
            .set_wasi(WasiConfig::new().args(["app", "a", "b"]))
            .unwrap();
        let instance = linker.instantiate(&mut store, &component).unwrap();
        let count = instance.get_func(&mut store, "count").unwrap();
        let mut out = [Val::Bool(false)];
        count.call(&mut store, &[], &mut out).unwrap();
        assert_eq!(out[0], Val::U32(3));
    });
}

#[test]
fn functions_passing_futures_to_the_host_are_refused() {
    let outcome = isolate("functions_passing_futures_to_the_host_are_refused", || {
        let engine = engine();
        let bytes = encode(include_str!("fixtures/component/futures.wat"));
        let component = match Component::new(&engine, &bytes) {
            Ok(c) => c,
            Err(err) => {
                // A library without the async proposal refuses the types.
                println!("refused by validation: {err:#}");
                return;
            }
        };
        let mut linker = Linker::<()>::new(&engine);
        linker.root().func_new("sink", |_, _, _, _| Ok(())).unwrap();
        let mut store = Store::new(&engine, ());
        let err = linker.instantiate(&mut store, &component).unwrap_err();
        assert!(
            matches!(err.downcast_ref(), Some(ErrorKind::Invalid(_))),
            "{err:#}"
        );
        assert!(err.to_string().contains("`sink`"), "{err}");
        // Without the import, the exports: `make` returns a future (made
        // with `future.new`), which the C API would abort on.
        let component = Component::new(
            &engine,
            encode(include_str!("fixtures/component/futures_exports.wat")),
        )
        .unwrap();
        let instance = Linker::<()>::new(&engine)
            .instantiate(&mut store, &component)
            .unwrap();
        let make = instance.get_func(&mut store, "make").unwrap();
        let err = make
            .call(&mut store, &[], &mut [Val::Bool(false)])
            .unwrap_err();
        assert!(
            matches!(err.downcast_ref(), Some(ErrorKind::Invalid(_))),
            "{err:#}"
        );
        // A future parameter cannot be built from a `Val`: Wasmtime's
        // type check refuses what is passed.
        let take = instance.get_func(&mut store, "take").unwrap();
        assert!(take.call(&mut store, &[Val::U32(0)], &mut []).is_err());
        println!("future-typed functions refused");
    });
    if let Some(outcome) = outcome {
        let text = outcome.text();
        let line = text
            .lines()
            .find(|l| l.contains("refused"))
            .unwrap_or("(no report)");
        println!("{line}");
    }
}
