//! Issue 19 (components): `call_async` on component functions (typed and
//! dynamic), `Linker::instantiate_async`, and async host functions
//! (`func_wrap_async`, `func_new_async`) awaiting tokio timers, on tokio's
//! current-thread and multi-thread runtimes, against the round's full
//! library; errors downcast and panics resumed in the caller; a cancelled
//! call after which the store works; a sync call reaching an async host
//! function refused (in a child process).

mod common;

use common::child::isolate;
use common::Flavour;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use wasmtime_dyn::component::{Component, Instance, Linker, Val};
use wasmtime_dyn::{Engine, Store};

const WAT: &str = include_str!("fixtures/component/async_host.wat");

#[derive(Default)]
struct State {
    naps: u32,
    /// Set by the host future's `Drop`.
    dropped: Arc<AtomicBool>,
}

#[derive(Debug, PartialEq)]
struct Refused(i32);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the host refused {}", self.0)
    }
}

impl std::error::Error for Refused {}

struct DropFlag(Arc<AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// The full library's engine, or `None` (saying why) where the library has
/// no component-model async (the C API has it from Wasmtime 45): there an
/// async host function is refused as unsupported, which is checked.
fn engine() -> Option<Engine> {
    let engine = common::engine_with(Flavour::Full, |_| {});
    if engine
        .capabilities()
        .contains(wasmtime_dyn::Capability::ComponentModelAsync)
    {
        return Some(engine);
    }
    let mut linker = Linker::<()>::new(&engine);
    let err = linker
        .root()
        .func_new_async("f", |_, _, _, _| Box::new(async { Ok(()) }))
        .unwrap_err();
    assert!(
        matches!(
            common::kind(&err),
            Some(wasmtime_dyn::ErrorKind::Unsupported(
                wasmtime_dyn::Capability::ComponentModelAsync
            )) | Some(wasmtime_dyn::ErrorKind::UnsupportedVersion { .. })
        ),
        "{err:?}"
    );
    eprintln!(
        "not run: Wasmtime {} has no component-model async (refused: {err})",
        common::expected_version()
    );
    None
}

/// `nap(ms)` sleeps on a tokio timer and counts in the store's data
/// (typed); `check(n)` (untyped) yields, then fails with `Refused` for a
/// negative `n`, panics for 666, returns `n + 1` otherwise; `poke(n)` (no
/// results) fails with `Refused` for a negative `n`.
fn linker(engine: &Engine) -> Linker<State> {
    let mut linker = Linker::<State>::new(engine);
    let mut root = linker.root();
    root.func_wrap_async("nap", |mut store, (ms,): (u32,)| {
        Box::new(async move {
            let _flag = DropFlag(store.data().dropped.clone());
            tokio::time::sleep(Duration::from_millis(ms.into())).await;
            store.data_mut().naps += 1;
            Ok((store.data().naps,))
        })
    })
    .expect("defining nap");
    root.func_new_async("check", |_store, _ty, params, results| {
        Box::new(async move {
            tokio::task::yield_now().await;
            match params[0] {
                Val::S32(666) => panic!("the host panicked on 666"),
                Val::S32(n) if n < 0 => Err(Refused(n).into()),
                Val::S32(n) => {
                    results[0] = Val::S32(n + 1);
                    Ok(())
                }
                ref v => panic!("check got {v:?}"),
            }
        })
    })
    .expect("defining check");
    root.func_new_async("poke", |_store, _ty, params, _results| {
        Box::new(async move {
            tokio::task::yield_now().await;
            match params[0] {
                Val::S32(n) if n < 0 => Err(Refused(n).into()),
                _ => Ok(()),
            }
        })
    })
    .expect("defining poke");
    drop(root);
    linker
}

fn current_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a tokio runtime")
}

async fn setup(engine: &Engine) -> (Store<State>, Instance) {
    let component = Component::new(engine, WAT).expect("compiling the component");
    let linker = linker(engine);
    let mut store = Store::new(engine, State::default());
    let instance = linker
        .instantiate_async(&mut store, &component)
        .await
        .expect("instantiate_async");
    (store, instance)
}

#[test]
fn typed_and_dynamic_call_async_await_host_timers() {
    let Some(engine) = engine() else {
        return;
    };
    current_thread().block_on(async {
        let (mut store, instance) = setup(&engine).await;
        let nap = instance
            .get_typed_func::<(u32,), (u32,)>(&mut store, "nap")
            .expect("typed nap");
        let start = Instant::now();
        assert_eq!(nap.call_async(&mut store, (30,)).await.unwrap(), (1,));
        assert!(start.elapsed() >= Duration::from_millis(30));
        assert_eq!(nap.call_async(&mut store, (1,)).await.unwrap(), (2,));
        assert_eq!(store.data().naps, 2);

        let check = instance.get_func(&mut store, "check").expect("check");
        let mut out = [Val::S32(0)];
        check
            .call_async(&mut store, &[Val::S32(41)], &mut out)
            .await
            .unwrap();
        assert_eq!(out[0], Val::S32(42));

        let add = instance.get_func(&mut store, "add").expect("add");
        let mut out = [Val::U32(0)];
        add.call_async(&mut store, &[Val::U32(40), Val::U32(2)], &mut out)
            .await
            .unwrap();
        assert_eq!(out[0], Val::U32(42));
    });
}

#[test]
fn two_calls_on_one_thread_overlap() {
    let Some(engine) = engine() else {
        return;
    };
    current_thread().block_on(async {
        let (mut a, ia) = setup(&engine).await;
        let (mut b, ib) = setup(&engine).await;
        let na = ia.get_typed_func::<(u32,), (u32,)>(&mut a, "nap").unwrap();
        let nb = ib.get_typed_func::<(u32,), (u32,)>(&mut b, "nap").unwrap();
        let start = Instant::now();
        let (ra, rb) = tokio::join!(na.call_async(&mut a, (100,)), nb.call_async(&mut b, (100,)));
        assert_eq!((ra.unwrap(), rb.unwrap()), ((1,), (1,)));
        let took = start.elapsed();
        assert!(
            took < Duration::from_millis(180),
            "two 100 ms naps took {took:?}"
        );
    });
}

/// What Wasmtime does after a trap in a store with components (48:
/// `src/runtime/func.rs` sets the store's `trapped` flag on any trap,
/// which a cancelled call also is): no component instance of the store
/// can be entered again, a clear error; the store itself stays usable.
async fn assert_components_refused_but_store_usable(engine: &Engine, store: &mut Store<State>) {
    let component = Component::new(engine, WAT).unwrap();
    let again = linker(engine)
        .instantiate_async(&mut *store, &component)
        .await
        .unwrap();
    let add = again.get_func(&mut *store, "add").unwrap();
    let mut out = [Val::U32(0)];
    let err = add
        .call_async(&mut *store, &[Val::U32(1), Val::U32(2)], &mut out)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("cannot enter component instance"),
        "{err:?}"
    );
    store.data_mut().naps += 100;
    assert!(store.data().naps >= 100);
    // Core wasm still runs in the store.
    let module = wasmtime_dyn::Module::new(
        engine,
        r#"(module (func (export "add") (param i32 i32) (result i32)
             (i32.add (local.get 0) (local.get 1))))"#,
    )
    .unwrap();
    let instance = wasmtime_dyn::Instance::new_async(&mut *store, &module, &[])
        .await
        .unwrap();
    let add = instance
        .get_typed_func::<(i32, i32), i32>(&mut *store, "add")
        .unwrap();
    assert_eq!(add.call_async(&mut *store, (40, 2)).await.unwrap(), 42);
}

#[test]
fn host_errors_downcast_in_the_caller() {
    let Some(engine) = engine() else {
        return;
    };
    current_thread().block_on(async {
        // With results (`check`) and without (`poke`).
        for (name, n, slots) in [("check", -5, 1), ("poke", -7, 0)] {
            let (mut store, instance) = setup(&engine).await;
            let f = instance.get_func(&mut store, name).unwrap();
            let mut out = vec![Val::S32(0); slots];
            let err = f
                .call_async(&mut store, &[Val::S32(n)], &mut out)
                .await
                .unwrap_err();
            assert_eq!(err.downcast_ref::<Refused>(), Some(&Refused(n)), "{err:?}");
            assert_components_refused_but_store_usable(&engine, &mut store).await;
        }
    });
}

#[test]
fn host_panics_resume_in_the_caller() {
    let Some(engine) = engine() else {
        return;
    };
    let rt = current_thread();
    let (mut store, instance) = rt.block_on(setup(&engine));
    let check = instance.get_func(&mut store, "check").unwrap();
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(async {
            let mut out = [Val::S32(0)];
            let _ = check
                .call_async(&mut store, &[Val::S32(666)], &mut out)
                .await;
        })
    }))
    .expect_err("the host's panic resumes in the caller");
    let message = panicked
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panicked.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    assert!(message.contains("666"), "{message}");
    rt.block_on(assert_components_refused_but_store_usable(
        &engine, &mut store,
    ));
}

#[test]
fn a_dropped_call_leaves_the_store_usable() {
    let Some(engine) = engine() else {
        return;
    };
    current_thread().block_on(async {
        let (mut store, instance) = setup(&engine).await;
        let dropped = store.data().dropped.clone();
        let nap = instance
            .get_typed_func::<(u32,), (u32,)>(&mut store, "nap")
            .unwrap();
        let timed_out = tokio::time::timeout(
            Duration::from_millis(20),
            nap.call_async(&mut store, (10_000,)),
        )
        .await;
        assert!(timed_out.is_err(), "the 10 s nap finished in 20 ms");
        assert!(
            dropped.load(Ordering::SeqCst),
            "the host future was dropped"
        );
        assert_eq!(store.data().naps, 0);
        assert_components_refused_but_store_usable(&engine, &mut store).await;
    });
}

#[test]
fn many_stores_in_flight_on_a_multi_thread_runtime() {
    let Some(engine) = engine() else {
        return;
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_time()
        .build()
        .unwrap();
    let component = Component::new(&engine, WAT).unwrap();
    let linker = Arc::new(linker(&engine));
    let start = Instant::now();
    rt.block_on(async {
        let mut tasks = Vec::new();
        for _ in 0..64 {
            let (engine, component, linker) = (engine.clone(), component.clone(), linker.clone());
            tasks.push(tokio::spawn(async move {
                let mut store = Store::new(&engine, State::default());
                let instance = linker
                    .instantiate_async(&mut store, &component)
                    .await
                    .unwrap();
                let nap = instance
                    .get_typed_func::<(u32,), (u32,)>(&mut store, "nap")
                    .unwrap();
                nap.call_async(&mut store, (200,)).await.unwrap()
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap(), (1,));
        }
    });
    let took = start.elapsed();
    assert!(
        took < Duration::from_secs(3),
        "64 concurrent 200 ms naps took {took:?}"
    );
}

#[test]
fn a_sync_call_reaching_an_async_host_function_is_an_error() {
    isolate(
        "a_sync_call_reaching_an_async_host_function_is_an_error",
        || {
            let Some(engine) = engine() else {
                return;
            };
            let component = Component::new(&engine, WAT).unwrap();
            let linker = linker(&engine);
            let mut store = Store::new(&engine, State::default());
            let instance = current_thread()
                .block_on(linker.instantiate_async(&mut store, &component))
                .unwrap();
            let nap = instance.get_func(&mut store, "nap").unwrap();
            let mut out = [Val::U32(0)];
            let err = nap.call(&mut store, &[Val::U32(1)], &mut out).unwrap_err();
            assert!(err.to_string().contains("_async"), "{err:?}");
            let mut store = Store::new(&engine, State::default());
            let err = linker.instantiate(&mut store, &component).unwrap_err();
            assert!(err.to_string().contains("_async"), "{err:?}");
        },
    );
}

#[test]
fn the_minimal_build_refuses_async_component_functions() {
    if !common::round_has(Flavour::Min) {
        return;
    }
    let engine = common::engine_with(Flavour::Min, |_| {});
    let mut linker = Linker::<()>::new(&engine);
    let err = linker
        .root()
        .func_new_async("f", |_, _, _, _| Box::new(async { Ok(()) }))
        .unwrap_err();
    common::assert_component_refusal(&err, None, "func_new_async on min");
}

/// A stackful async lift (no callback).
const STACKFUL: &str = r#"(component
    (core module $m (func (export "foo") (param i32)))
    (core instance $i (instantiate $m))
    (func (export "foo") async (param "p1" u32)
        (canon lift (core func $i "foo") async)))"#;

/// The async `stream.cancel-read`, one of the further built-ins.
const MORE_BUILTINS: &str = r#"(component
    (type $s (stream u8))
    (core func $cancel (canon stream.cancel-read $s async)))"#;

#[test]
fn the_stackful_and_more_builtins_settings_reach_wasmtime() {
    if engine().is_none() {
        return;
    }
    for (name, wat, set) in [
        (
            "async_stackful",
            STACKFUL,
            (|c: &mut wasmtime_dyn::Config, on| {
                c.wasm_component_model_async_stackful(on);
            }) as fn(&mut wasmtime_dyn::Config, bool),
        ),
        ("more_async_builtins", MORE_BUILTINS, |c, on| {
            c.wasm_component_model_more_async_builtins(on);
        }),
    ] {
        for on in [false, true] {
            let engine = common::engine_with(Flavour::Full, |c| {
                c.wasm_component_model_async(true);
                set(c, on);
            });
            let compiled = Component::new(&engine, wat);
            println!("{name} {on}: {:?}", compiled.as_ref().err());
            assert_eq!(compiled.is_ok(), on, "{name} = {on}");
        }
    }
    if common::round_has(Flavour::Min) {
        let min = Flavour::Min.load();
        let mut config = wasmtime_dyn::Config::new(min);
        config.wasm_component_model_more_async_builtins(true);
        let err = Engine::new(min, &config).unwrap_err();
        assert!(
            matches!(
                common::kind(&err),
                Some(wasmtime_dyn::ErrorKind::Unsupported(_))
            ),
            "{err:?}"
        );
    }
}
