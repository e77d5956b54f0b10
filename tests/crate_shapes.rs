//! The `wasmtime` crate's shapes on the real libraries: epoch deadline
//! behaviours, `Store::gc`, `InstancePre: Clone`, `Linker::instance`,
//! `Memory::data_size`, `Func::ty`/`typed` with a store, `FuncType`'s
//! iterators, `Val::unwrap_*`, `Module::imports`/`exports` and
//! `Instance::exports` as iterators.

mod common;

use common::{engine_with, flavours, frames, module_with, root_message, setup, trap, Flavour};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use wasmtime_dyn::{Config, ErrorKind, Func, Linker, Store, Trap, UpdateDeadline, Val, ValType};

/// Spins, checking the epoch at each loop head; returns how many
/// iterations it ran when `n` is reached.
const SPIN: &str = r#"(module
    (memory (export "memory") 2)
    (func (export "spin") (param $n i32) (result i32) (local $i i32)
        (loop $l
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
        local.get $i))"#;

fn epochs(c: &mut Config) {
    c.epoch_interruption(true);
}

/// An engine whose epoch is incremented every millisecond from another
/// thread while `f` runs.
fn with_ticking(engine: &wasmtime_dyn::Engine, f: impl FnOnce()) {
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let ticker = {
        let (engine, done) = (engine.clone(), done.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                std::thread::sleep(std::time::Duration::from_millis(1));
                engine.increment_epoch();
            }
        })
    };
    f();
    done.store(true, Ordering::Relaxed);
    ticker.join().unwrap();
}

#[test]
fn epoch_deadline_callback_extends_interrupts_and_fails_with_its_error() {
    #[derive(Debug)]
    struct Budget(u32);
    impl std::fmt::Display for Budget {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "budget of {} ticks spent", self.0)
        }
    }
    impl std::error::Error for Budget {}

    for flavour in flavours() {
        let engine = engine_with(flavour, epochs);
        let module = module_with(flavour, &engine, SPIN, epochs);
        let mut store = Store::new(&engine, 0u32);
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap();
        let spin = instance
            .get_typed_func::<i32, i32>(&mut store, "spin")
            .unwrap();

        // Continue: the callback runs at each deadline and the call finishes.
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(|mut cx| {
            *cx.data_mut() += 1;
            Ok(UpdateDeadline::Continue(1))
        });
        let mut result = None;
        with_ticking(&engine, || {
            // Long enough to see several ticks, then done.
            let mut n = 1 << 20;
            loop {
                let r = spin.call(&mut store, n).unwrap();
                assert_eq!(r, n, "{flavour:?}");
                if *store.data() >= 2 || n >= 1 << 30 {
                    break;
                }
                n *= 2;
            }
            result = Some(*store.data());
        });
        assert!(
            result.unwrap() >= 2,
            "{flavour:?}: the callback ran {result:?} times"
        );

        // Interrupt: the call traps with Trap::Interrupt.
        store.epoch_deadline_callback(|_| Ok(UpdateDeadline::Interrupt));
        store.set_epoch_deadline(1);
        let mut err = None;
        with_ticking(&engine, || err = spin.call(&mut store, i32::MAX).err());
        let err = err.expect("interrupted");
        assert_eq!(trap(&err), Some(Trap::Interrupt), "{flavour:?}: {err:?}");
        assert!(
            !frames(&err).is_empty(),
            "{flavour:?}: the wasm frames are kept"
        );

        // Err: the call fails with the callback's own error value.
        store.epoch_deadline_callback(|cx| Err(Budget(*cx.data()).into()));
        store.set_epoch_deadline(1);
        let mut err = None;
        with_ticking(&engine, || err = spin.call(&mut store, i32::MAX).err());
        let err = err.expect("failed by the callback");
        let budget = err.downcast_ref::<Budget>().expect("the callback's error");
        assert_eq!(budget.0, *store.data(), "{flavour:?}");
        assert!(trap(&err).is_none(), "{flavour:?}: not a trap: {err:?}");

        // Back to trapping.
        store.epoch_deadline_trap();
        store.set_epoch_deadline(1);
        let before = *store.data();
        let mut err = None;
        with_ticking(&engine, || err = spin.call(&mut store, i32::MAX).err());
        let err = err.expect("trapped");
        assert_eq!(trap(&err), Some(Trap::Interrupt), "{flavour:?}: {err:?}");
        assert_eq!(*store.data(), before, "{flavour:?}: no callback ran");
    }
}

#[test]
fn epoch_deadline_callback_panic_resumes_in_the_caller() {
    let engine = engine_with(Flavour::Full, epochs);
    let module = module_with(Flavour::Full, &engine, SPIN, epochs);
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let spin = instance
        .get_typed_func::<i32, i32>(&mut store, "spin")
        .unwrap();
    store.epoch_deadline_callback(|_| panic!("callback panic"));
    store.set_epoch_deadline(1);
    let mut payload = None;
    with_ticking(&engine, || {
        payload = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            spin.call(&mut store, i32::MAX)
        }))
        .err();
    });
    let payload = payload.expect("the panic resumes here");
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"callback panic"));
    // The store is usable afterwards.
    store.epoch_deadline_callback(|_| Ok(UpdateDeadline::Continue(1_000_000)));
    store.set_epoch_deadline(1_000_000);
    assert_eq!(spin.call(&mut store, 10).unwrap(), 10);
}

#[test]
fn store_gc_runs_on_gc_builds_and_is_unsupported_without() {
    for flavour in flavours() {
        let engine = engine_with(flavour, |_| {});
        let mut store = Store::new(&engine, ());
        match store.gc(None) {
            Ok(()) => assert!(engine.capabilities().contains(wasmtime_dyn::Capability::Gc)),
            Err(err) => assert!(
                matches!(
                    common::kind(&err),
                    Some(ErrorKind::Unsupported(wasmtime_dyn::Capability::Gc))
                ),
                "{flavour:?}: {err:?}"
            ),
        }
    }
}

#[test]
fn instance_pre_clones_share_one_pre_instantiation() {
    for flavour in flavours() {
        let (engine, module) = setup(flavour, SPIN);
        let pre = Linker::<()>::new(&engine).instantiate_pre(&module).unwrap();
        let clones: Vec<_> = (0..4).map(|_| pre.clone()).collect();
        drop(pre);
        let handles: Vec<_> = clones
            .into_iter()
            .map(|pre| {
                let engine = engine.clone();
                std::thread::spawn(move || {
                    let mut store = Store::new(&engine, ());
                    let instance = pre.instantiate(&mut store).unwrap();
                    let spin = instance
                        .get_typed_func::<i32, i32>(&mut store, "spin")
                        .unwrap();
                    spin.call(&mut store, 7).unwrap()
                })
            })
            .collect();
        for h in handles {
            assert_eq!(h.join().unwrap(), 7, "{flavour:?}");
        }
    }
}

#[test]
fn linker_instance_memory_data_size_and_func_shapes() {
    const USER: &str = r#"(module
        (import "lib" "spin" (func $spin (param i32) (result i32)))
        (func (export "twice") (param i32) (result i32)
            (i32.add (call $spin (local.get 0)) (call $spin (local.get 0)))))"#;
    for flavour in flavours() {
        let (engine, lib) = setup(flavour, SPIN);
        let user = module_with(flavour, &engine, USER, |_| {});
        let mut store = Store::new(&engine, ());
        let mut linker = Linker::new(&engine);
        let lib = linker.instantiate(&mut store, &lib).unwrap();
        linker.instance(&mut store, "lib", lib).unwrap();
        let user = linker.instantiate(&mut store, &user).unwrap();
        let twice = user.get_func(&mut store, "twice").unwrap();
        assert!(twice.ty(&store).params().eq([ValType::I32]), "{flavour:?}");
        // `params()`/`results()` are `ExactSizeIterator`s, as the crate's: a
        // program calling `.len()` or `.count()` compiles unchanged.
        let ty = twice.ty(&store);
        assert_eq!((ty.params().len(), ty.results().count()), (1, 1));
        assert_eq!((ty.param(0), ty.result(1)), (Some(ValType::I32), None));
        assert!(twice.typed::<i64, i32>(&store).is_err());
        let twice = twice.typed::<i32, i32>(&store).unwrap();
        assert_eq!(twice.call(&mut store, 5).unwrap(), 10, "{flavour:?}");

        let memory = lib.get_memory(&mut store, "memory").unwrap();
        assert_eq!(memory.data_size(&store), 2 * 65536, "{flavour:?}");
        memory.grow(&mut store, 1).unwrap();
        assert_eq!(memory.data_size(&store), 3 * 65536, "{flavour:?}");
        assert_eq!(memory.data(&store).len(), memory.data_size(&store));

        // A host function's type, through another store, panics as in the crate.
        let host = Func::wrap(&mut store, |x: i32| x + 1);
        let mut other = Store::new(&engine, ());
        let panicked =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| host.ty(&mut other)));
        assert!(panicked.is_err(), "{flavour:?}");
        assert!(host.ty(&store).results().eq([ValType::I32]));
    }
}

#[test]
fn val_unwrap_gives_the_value_or_panics_naming_both_types() {
    assert_eq!(Val::I32(-3).unwrap_i32(), -3);
    assert_eq!(Val::from(2.5f64).unwrap_f64(), 2.5);
    let message = std::panic::catch_unwind(|| Val::I64(1).unwrap_f32())
        .unwrap_err()
        .downcast::<String>()
        .unwrap();
    assert!(
        message.contains("f32") && message.contains("i64"),
        "{message}"
    );
}

#[test]
fn host_error_type_through_anyhow_in_a_user_main() {
    #[derive(Debug, PartialEq)]
    struct Quota {
        asked: i32,
    }
    impl std::fmt::Display for Quota {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "quota exceeded: asked {}", self.asked)
        }
    }
    impl std::error::Error for Quota {}

    const CALLS: &str = r#"(module
        (import "host" "reserve" (func $r (param i32) (result i32)))
        (func (export "run") (param i32) (result i32) (call $r (local.get 0))))"#;
    // What a user's `main() -> anyhow::Result<()>` sees after `?`.
    fn user_main(flavour: Flavour, asked: i32) -> anyhow::Result<i32> {
        let (engine, module) = setup(flavour, CALLS);
        let mut linker = Linker::new(&engine);
        linker.func_wrap(
            "host",
            "reserve",
            |asked: i32| -> wasmtime_dyn::Result<i32> {
                if asked > 10 {
                    return Err(Quota { asked }.into());
                }
                Ok(asked)
            },
        )?;
        let mut store = Store::new(&engine, ());
        let instance = linker.instantiate(&mut store, &module)?;
        let run = instance.get_typed_func::<i32, i32>(&mut store, "run")?;
        run.call(&mut store, asked)
    }
    for flavour in flavours() {
        assert_eq!(user_main(flavour, 3).unwrap(), 3);
        let err = user_main(flavour, 11).unwrap_err();
        assert_eq!(err.downcast_ref::<Quota>(), Some(&Quota { asked: 11 }));
        assert!(err.downcast_ref::<Trap>().is_none());
        assert!(err.downcast_ref::<wasmtime_dyn::WasmBacktrace>().is_some());
        assert_eq!(root_message(&err), "quota exceeded: asked 11");
        // The Debug report is the readable one, with the cause.
        let report = format!("{err:?}");
        assert!(
            report.contains("Caused by:") && report.contains("quota exceeded"),
            "{report}"
        );

        // A trap, out of the same anyhow::Error.
        let (engine, module) = setup(flavour, "(module (func (export \"run\") unreachable))");
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap();
        let err: anyhow::Error = instance
            .get_typed_func::<(), ()>(&mut store, "run")
            .unwrap()
            .call(&mut store, ())
            .unwrap_err();
        assert_eq!(
            err.downcast_ref::<Trap>(),
            Some(&Trap::UnreachableCodeReached),
            "{flavour:?}"
        );
    }
}

/// Panics when dropped while armed, even during an unwind (where a panic
/// aborts the process).
struct ArmedBomb(Arc<std::sync::atomic::AtomicBool>);

impl Drop for ArmedBomb {
    fn drop(&mut self) {
        if self.0.load(Ordering::SeqCst) {
            panic!("an armed capture was dropped");
        }
    }
}

/// Issue 17, finding 10: a panicking epoch callback is kept, as the crate
/// keeps it: the next deadline calls it again instead of interrupting, and
/// it is never dropped mid-unwind (which aborted when a capture panicked
/// on drop).
#[test]
fn panicking_epoch_callback_is_kept_for_the_next_deadline() {
    common::child::isolate(
        "panicking_epoch_callback_is_kept_for_the_next_deadline",
        || {
            let engine = engine_with(Flavour::Full, epochs);
            let module = module_with(Flavour::Full, &engine, SPIN, epochs);
            let mut store = Store::new(&engine, ());
            let instance = Linker::new(&engine)
                .instantiate(&mut store, &module)
                .unwrap();
            let spin = instance
                .get_typed_func::<i32, i32>(&mut store, "spin")
                .unwrap();
            let armed = Arc::new(std::sync::atomic::AtomicBool::new(true));
            let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
            let (bomb, counted) = (ArmedBomb(armed.clone()), calls.clone());
            store.epoch_deadline_callback(move |_| {
                let _ = &bomb;
                if counted.fetch_add(1, Ordering::SeqCst) == 0 {
                    panic!("first deadline");
                }
                Ok(UpdateDeadline::Interrupt)
            });
            store.set_epoch_deadline(1);
            let mut first = None;
            with_ticking(&engine, || {
                first = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    spin.call(&mut store, i32::MAX)
                }))
                .err();
            });
            let first = first.expect("the callback's panic resumes in the caller");
            assert_eq!(first.downcast_ref::<&str>(), Some(&"first deadline"));
            assert_eq!(calls.load(Ordering::SeqCst), 1);
            // The next deadline calls the same callback, which interrupts.
            store.set_epoch_deadline(1);
            let mut second = None;
            with_ticking(&engine, || second = Some(spin.call(&mut store, i32::MAX)));
            let err = second.unwrap().unwrap_err();
            assert_eq!(trap(&err), Some(Trap::Interrupt), "{err:?}");
            assert_eq!(
                calls.load(Ordering::SeqCst),
                2,
                "the kept callback ran at the second deadline"
            );
            armed.store(false, Ordering::SeqCst);
        },
    );
}

/// `Module::imports`/`exports` and `Instance::exports` are the crate's
/// iterators (exact size, items borrowing the module or instance, with
/// `module()`/`name()`/`ty()` and `name()`/`into_*`), on every flavour; the
/// fallible forms agree with them.
#[test]
fn imports_and_exports_are_the_crates_iterators() {
    use wasmtime_dyn::{Extern, ExternType, FuncType, GlobalType, Mutability};
    const WAT: &str = r#"(module
        (import "env" "log" (func $log (param i32)))
        (import "env" "base" (global i32))
        (memory (export "memory") 1)
        (global (export "answer") i32 (i32.const 42))
        (func (export "run") (call $log (i32.const 1))))"#;
    for flavour in flavours() {
        let (engine, module) = setup(flavour, WAT);
        // What a program written for the crate does with them.
        let imports = module.imports();
        assert_eq!(imports.len(), 2, "{flavour:?}");
        let named: Vec<(&str, &str)> = module.imports().map(|i| (i.module(), i.name())).collect();
        assert_eq!(named, [("env", "log"), ("env", "base")], "{flavour:?}");
        let first = module.imports().next().unwrap();
        assert_eq!(
            first.ty(),
            ExternType::Func(FuncType::new([ValType::I32], [])),
            "{flavour:?}"
        );
        assert_eq!(
            module.imports().nth(1).unwrap().ty(),
            ExternType::Global(GlobalType::new(ValType::I32, Mutability::Const))
        );
        assert_eq!(module.exports().count(), 3, "{flavour:?}");
        let names: Vec<&str> = module.exports().map(|e| e.name()).collect();
        assert_eq!(names, ["memory", "answer", "run"], "{flavour:?}");
        assert!(matches!(
            module.exports().next().unwrap().ty(),
            ExternType::Memory(m) if m.minimum() == 1
        ));
        // The fallible forms give the same items.
        assert!(module.try_imports().unwrap().eq(module.imports()));
        assert!(module.try_exports().unwrap().eq(module.exports()));
        // A clone shares them.
        assert!(module.clone().exports().eq(module.exports()));

        let mut store = Store::new(&engine, ());
        let mut linker = Linker::new(&engine);
        linker.func_wrap("env", "log", |_: i32| {}).unwrap();
        let base = wasmtime_dyn::Global::new(
            &mut store,
            GlobalType::new(ValType::I32, Mutability::Const),
            Val::I32(7),
        )
        .unwrap();
        linker.define(&mut store, "env", "base", base).unwrap();
        let instance = linker.instantiate(&mut store, &module).unwrap();
        let exports = instance.exports(&mut store);
        assert_eq!(exports.len(), 3, "{flavour:?}");
        let names: Vec<&str> = exports.map(|e| e.name()).collect();
        assert_eq!(names, ["memory", "answer", "run"], "{flavour:?}");
        // Names outlive the `Export` they came from; items come out typed.
        let (name, memory) = instance
            .exports(&mut store)
            .map(|e| (e.name(), e.into_memory()))
            .next()
            .unwrap();
        assert_eq!(name, "memory");
        let memory = memory.expect("a memory");
        assert_eq!(memory.size(&store), 1);
        let run = instance
            .exports(&mut store)
            .find(|e| e.name() == "run")
            .and_then(|e| e.into_func())
            .expect("run");
        run.call(&mut store, &[], &mut []).unwrap();
        let answer = instance
            .exports(&mut store)
            .find_map(|e| match e.into_extern() {
                Extern::Global(g) => Some(g),
                _ => None,
            })
            .expect("answer");
        assert_eq!(answer.get(&mut store).unwrap().unwrap_i32(), 42);
        let listed: Vec<String> = instance
            .try_exports(&mut store)
            .unwrap()
            .map(|e| e.name().to_string())
            .collect();
        assert_eq!(listed, ["memory", "answer", "run"]);
        // An instance of another store: nothing, or the error.
        let mut other = Store::new(&engine, ());
        assert_eq!(instance.exports(&mut other).len(), 0);
        assert!(instance.try_exports(&mut other).is_err());
    }
}
