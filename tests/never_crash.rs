//! Issue 10, "never crash the host": what a user passes or what a wasm
//! module does must never abort the process. Cases whose old behaviour
//! aborted run in a child process (see `common::child`), so a regression
//! fails its test instead of killing the test run.

mod common;

use common::child::isolate;
use common::{engine_with, frames, kind, setup, trap, Flavour};
use wasmtime_dyn::{
    Caller, Engine, ErrorKind, Extern, ExternRef, ExternType, Func, Linker, Module, Store, Table,
    TableType, Trap, Val, ValType, I31,
};

// ---- Finding 2: NULL from `wasm_tabletype_new` ----

#[test]
fn table_new_with_i32_elements_is_a_type_error() {
    isolate("table_new_with_i32_elements_is_a_type_error", || {
        let engine = engine_with(Flavour::Full, |_| {});
        let mut store = Store::new(&engine, ());
        let err = Table::new(
            &mut store,
            TableType::new(ValType::I32, 1, None),
            Val::I32(0),
        )
        .unwrap_err();
        assert!(
            matches!(kind(&err), Some(ErrorKind::TypeMismatch(_))),
            "{err:?}"
        );
        assert!(
            err.to_string().contains("must be references") && err.to_string().contains("i32"),
            "{err}"
        );
        // The store still works afterwards.
        let ok = Table::new(
            &mut store,
            TableType::new(ValType::FuncRef, 1, None),
            Val::FuncRef(None),
        );
        assert!(ok.is_ok(), "{ok:?}");
    });
}

// ---- Finding 15: messages ----

#[test]
fn duplicate_definition_names_module_and_item() {
    let engine = engine_with(Flavour::Full, |_| {});
    let mut linker: Linker<()> = Linker::new(&engine);
    linker.func_wrap("a", "b", || 1).unwrap();
    let err = match linker.func_wrap("a", "b", || 2) {
        Err(err) => err.to_string(),
        Ok(_) => panic!("a duplicate definition was accepted"),
    };
    assert!(err.contains("defining `a::b`"), "{err}");
}

#[test]
fn engine_mismatch_says_engine() {
    let (engine_a, module_a) = setup(Flavour::Full, "(module)");
    let engine_b = engine_with(Flavour::Full, |_| {});
    let mut store_b = Store::new(&engine_b, ());
    let linker_a: Linker<()> = Linker::new(&engine_a);
    let cases = [
        linker_a.instantiate(&mut store_b, &module_a).unwrap_err(),
        wasmtime_dyn::Instance::new(&mut store_b, &module_a, &[]).unwrap_err(),
    ];
    for err in cases {
        assert!(
            matches!(kind(&err), Some(ErrorKind::WrongEngine(..))),
            "{err:?}"
        );
        let text = err.to_string();
        assert!(
            text.contains("different engine") && !text.contains("different store"),
            "{text}"
        );
    }
    let mut store_a = Store::new(&engine_a, ());
    let linker_b: Linker<()> = Linker::new(&engine_b);
    let err = linker_b.instantiate(&mut store_a, &module_a).unwrap_err();
    assert!(err.to_string().contains("different engine"), "{err}");
}

// ---- Finding 8: panics never cross `extern "C"` ----

/// Panics when dropped.
struct DropBomb(&'static str);

impl Drop for DropBomb {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            panic!("{}", self.0);
        }
    }
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

#[test]
fn closure_that_panics_in_drop_panics_in_store_drop() {
    if !common::round_has(Flavour::Min) {
        return;
    }
    isolate("closure_that_panics_in_drop_panics_in_store_drop", || {
        for flavour in [Flavour::Full, Flavour::Min] {
            let engine = engine_with(flavour, |_| {});
            let mut store = Store::new(&engine, ());
            let bomb = DropBomb("closure capture dropped");
            Func::wrap(&mut store, move || {
                let _ = &bomb;
            });
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(store)));
            let payload = outcome.expect_err("the capture's panic resumes in Store::drop");
            assert_eq!(panic_text(&*payload), "closure capture dropped");
        }
        // A linker's host function is finalized when the linker goes.
        let engine = engine_with(Flavour::Full, |_| {});
        let mut linker: Linker<()> = Linker::new(&engine);
        let bomb = DropBomb("linker capture dropped");
        linker
            .func_wrap("m", "f", move || {
                let _ = &bomb;
            })
            .unwrap();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(linker)));
        let payload = outcome.expect_err("the capture's panic resumes in Linker::drop");
        assert_eq!(panic_text(&*payload), "linker capture dropped");
    });
}

#[test]
fn externref_data_that_panics_in_drop_panics_in_store_drop() {
    isolate(
        "externref_data_that_panics_in_drop_panics_in_store_drop",
        || {
            let engine = engine_with(Flavour::Full, |_| {});
            let mut store = Store::new(&engine, ());
            let r = ExternRef::new(&mut store, DropBomb("externref data dropped")).unwrap();
            drop(r);
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(store)));
            let payload = outcome.expect_err("the data's panic resumes in Store::drop");
            assert_eq!(panic_text(&*payload), "externref data dropped");
        },
    );
}

/// An error whose `Display` panics.
#[derive(Debug)]
struct PanickyDisplay;

impl std::fmt::Display for PanickyDisplay {
    fn fmt(&self, _: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        panic!("Display of the host error")
    }
}

impl std::error::Error for PanickyDisplay {}

const CALLS_HOST: &str = r#"(module
    (import "host" "f" (func $f))
    (func (export "run") call $f))"#;

#[test]
fn host_error_whose_display_panics_resumes_in_the_caller() {
    if !common::round_has(Flavour::Min) {
        return;
    }
    isolate(
        "host_error_whose_display_panics_resumes_in_the_caller",
        || {
            for flavour in [Flavour::Full, Flavour::Min] {
                let (engine, module) = setup(flavour, CALLS_HOST);
                let mut linker: Linker<()> = Linker::new(&engine);
                linker
                    .func_wrap("host", "f", || -> wasmtime_dyn::Result<()> {
                        Err(ErrorKind::Io {
                            path: "data".into(),
                            source: std::io::Error::other(PanickyDisplay),
                        }
                        .into())
                    })
                    .unwrap();
                let mut store = Store::new(&engine, ());
                let instance = linker.instantiate(&mut store, &module).unwrap();
                let run = instance
                    .get_typed_func::<(), ()>(&mut store, "run")
                    .unwrap();
                let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    run.call(&mut store, ())
                }));
                let payload = outcome.expect_err("the Display panic resumes in the caller");
                assert_eq!(panic_text(&*payload), "Display of the host error");
                // The store is still usable.
                linker.func_wrap("other", "g", || 1).unwrap();
            }
        },
    );
}

// ---- Finding 13: errors crossing host functions keep their identity ----

const REENTERS: &str = r#"(module
    (import "host" "f" (func $f (param i32) (result i32)))
    (func (export "run") (param i32) (result i32) local.get 0 call $f))"#;

#[test]
fn trap_code_survives_host_wasm_recursion() {
    if !common::round_has(Flavour::Min) {
        return;
    }
    // A big stack for the runaway recursion (see `Config::max_wasm_stack`).
    std::thread::Builder::new()
        .stack_size(16 << 20)
        .spawn(|| {
            for flavour in [Flavour::Full, Flavour::Min] {
                let (engine, module) = setup(flavour, REENTERS);
                let mut linker: Linker<()> = Linker::new(&engine);
                linker
                    .func_wrap(
                        "host",
                        "f",
                        |mut caller: Caller<'_, ()>, n: i32| -> wasmtime_dyn::Result<i32> {
                            let Some(Extern::Func(run)) = caller.get_export("run") else {
                                return Err(ErrorKind::Invalid("no run export".into()).into());
                            };
                            let mut out = [Val::I32(0)];
                            run.call(&mut caller, &[Val::I32(n + 1)], &mut out)?;
                            Ok(out[0].i32().unwrap())
                        },
                    )
                    .unwrap();
                let mut store = Store::new(&engine, ());
                let instance = linker.instantiate(&mut store, &module).unwrap();
                let run = instance
                    .get_typed_func::<i32, i32>(&mut store, "run")
                    .unwrap();
                let err = run.call(&mut store, 0).unwrap_err();
                assert_eq!(
                    trap(&err),
                    Some(Trap::StackOverflow),
                    "{flavour:?}: expected a stack overflow, got {err:?}"
                );
                assert_eq!(
                    err.root_cause().to_string(),
                    "wasm trap: call stack exhausted"
                );
                let text = format!("{err:?}");
                assert_eq!(text.matches("wasm trap:").count(), 1, "{text}");
            }
        })
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn host_errors_come_back_as_they_were() {
    if !common::round_has(Flavour::Min) {
        return;
    }
    for flavour in [Flavour::Full, Flavour::Min] {
        let (engine, module) = setup(flavour, REENTERS);
        let mut linker: Linker<()> = Linker::new(&engine);
        linker
            .func_wrap("host", "f", |n: i32| -> wasmtime_dyn::Result<i32> {
                match n {
                    0 => Err(ErrorKind::Exit(3).into()),
                    1 => Err(ErrorKind::Invalid("bad input 1".into()).into()),
                    _ => Ok(n),
                }
            })
            .unwrap();
        let mut store = Store::new(&engine, ());
        let instance = linker.instantiate(&mut store, &module).unwrap();
        let run = instance
            .get_typed_func::<i32, i32>(&mut store, "run")
            .unwrap();
        // A WASI exit comes back as it was, with nothing added.
        let err = run.call(&mut store, 0).unwrap_err();
        assert!(
            matches!(kind(&err), Some(ErrorKind::Exit(3))),
            "{flavour:?}: {err:?}"
        );
        assert!(frames(&err).is_empty(), "{flavour:?}: {err:?}");
        // Any other error is the same value, with the wasm frames as its
        // context.
        let err = run.call(&mut store, 1).unwrap_err();
        assert_eq!(trap(&err), None, "{flavour:?}: {err:?}");
        assert!(
            matches!(kind(&err), Some(ErrorKind::Invalid(m)) if m == "bad input 1"),
            "{flavour:?}: {err:?}"
        );
        assert_eq!(err.root_cause().to_string(), "bad input 1");
        assert_eq!(err.chain().count(), 2, "{err:?}");
        assert!(
            !frames(&err).is_empty(),
            "the wasm frames are kept: {err:?}"
        );
        assert_eq!(run.call(&mut store, 5).unwrap(), 5);
    }
}

// ---- Finding 9: reference values read are unrooted when dropped ----

fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("/proc/self/statm");
    let pages: u64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

#[test]
fn anyref_reads_do_not_leak() {
    // In a child process of its own: RSS is the whole process's, and the
    // other tests of this binary allocate on other threads meanwhile.
    isolate("anyref_reads_do_not_leak", || {
        // The GC proposal is on by default from Wasmtime 47.
        let on = |c: &mut wasmtime_dyn::Config| {
            c.gc().unwrap().wasm_function_references(true).wasm_gc(true);
        };
        let engine = common::engine_with(Flavour::Full, on);
        let module = common::module_with(
            Flavour::Full,
            &engine,
            r#"(module
                (table (export "t") 1 anyref (ref.i31 (i32.const 7)))
                (global (export "g") anyref (ref.i31 (i32.const 8))))"#,
            on,
        );
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap();
        let table = instance.get_table(&mut store, "t").unwrap();
        let global = instance.get_global(&mut store, "g").unwrap();
        if let Err(why) = common::too_old(table.get(&mut store, 0))
            .and_then(|_| common::too_old(global.get(&mut store)))
        {
            eprintln!("{why}");
            return;
        }
        let mut read_all = |n: usize| {
            for _ in 0..n {
                let v = table.get(&mut store, 0).unwrap().unwrap();
                let r = v.unwrap_anyref().unwrap();
                assert_eq!(r.as_i31(&store).unwrap().map(I31::get_u32), Some(7));
                let v = global.get(&mut store).unwrap();
                let r = v.unwrap_anyref().unwrap();
                assert_eq!(r.as_i31(&store).unwrap().map(I31::get_u32), Some(8));
            }
        };
        read_all(20_000);
        let before = rss_bytes();
        read_all(200_000);
        let grown = rss_bytes().saturating_sub(before);
        // Code that leaked one root per read grew the process by some
        // 11 MB over 400 000 reads.
        assert!(
            grown < 4 << 20,
            "RSS grew by {grown} bytes over 400 000 reads"
        );
    });
}

// ---- Finding 7: pools Wasmtime cannot map are refused, not aborted on ----

fn pooled_engine(
    configure: impl Fn(&mut wasmtime_dyn::PoolingConfig),
) -> wasmtime_dyn::Result<wasmtime_dyn::Engine> {
    let lib = Flavour::Full.load();
    let mut config = wasmtime_dyn::Config::new(lib);
    let mut pool = wasmtime_dyn::PoolingConfig::default();
    configure(&mut pool);
    config
        .pooling_allocator()
        .expect("the full library pools")
        .enable(pool);
    wasmtime_dyn::Engine::new(lib, &config)
}

#[test]
fn impossible_table_pools_are_config_errors() {
    isolate("impossible_table_pools_are_config_errors", || {
        type Configure = fn(&mut wasmtime_dyn::PoolingConfig);
        let cases: [(&str, Configure); 4] = [
            ("table_elements", |p| p.table_elements = Some(1 << 40)),
            ("table_elements", |p| p.table_elements = Some(usize::MAX)),
            ("total_tables", |p| p.total_tables = Some(u32::MAX)),
            ("total_tables", |p| {
                p.total_tables = Some(u32::MAX);
                p.table_elements = Some(0);
            }),
        ];
        for (field, configure) in cases {
            let err = pooled_engine(configure).unwrap_err();
            assert!(matches!(kind(&err), Some(ErrorKind::Config(_))), "{err:?}");
            assert!(err.to_string().contains(field), "{field}: {err}");
        }
        // Large but mappable pools still work.
        pooled_engine(|p| {
            p.total_tables = Some(100_000);
            p.table_elements = Some(10_000);
        })
        .unwrap();
        pooled_engine(|p| p.table_elements = Some(1 << 20)).unwrap();
    });
}

// ---- Finding 6: types the C API cannot describe are refused ----

const CONT_EXPORTS: &str = r#"(module
    (type $ft (func))
    (type $ct (cont $ft))
    (func (export "host") (import "host" "f") (param (ref null $ct)))
    (func $probe (import "host" "probe"))
    (func (export "f") (param (ref null $ct)))
    (global (export "g") (mut (ref null $ct)) (ref.null $ct))
    (table (export "t") 1 (ref null $ct))
    (func (export "probe") (call $probe)))"#;

/// Provides `CONT_EXPORTS`' import `host.f` where the library has no
/// `define_unknown_imports_as_traps` (before 39).
const CONT_EXPORTS_PROVIDER: &str = r#"(module
    (type $ft (func))
    (type $ct (cont $ft))
    (func (export "f") (param (ref null $ct))))"#;

#[test]
fn continuation_types_are_refused_on_every_path() {
    isolate("continuation_types_are_refused_on_every_path", || {
        // Typed function references are on by default from Wasmtime 47.
        let engine = engine_with(Flavour::Full, |c| {
            c.wasm_stack_switching(true);
            c.gc().unwrap().wasm_function_references(true);
        });
        // Compiling it to run here is refused (see
        // `cont_new_is_refused_before_it_can_run`); a precompiled artifact,
        // made for a Wasmtime with the stack-switching runtime, still
        // carries such types into every path that reads a type.
        let err = Module::new(&engine, CONT_EXPORTS).unwrap_err();
        assert!(matches!(kind(&err), Some(ErrorKind::Invalid(_))), "{err}");
        let wasm = engine.wat().unwrap().to_wasm(CONT_EXPORTS).unwrap();
        // Wasmtime 36's Cranelift cannot compile continuation types (it
        // ends the process): the crate refuses, as too old, before it.
        let precompiled = engine.compiler().unwrap().precompile(&wasm);
        let cwasm = match common::too_old(precompiled) {
            Ok(cwasm) => cwasm,
            Err(why) => {
                println!("the rest skipped: {why}");
                return;
            }
        };
        // SAFETY: just made by this engine; no `cont.new` in it runs.
        let module = unsafe { Module::deserialize(&engine, &cwasm) }.unwrap();
        let err = module
            .try_exports()
            .err()
            .expect("a type it cannot represent");
        assert!(err.to_string().contains("stack-switching"), "{err}");
        assert!(module.try_imports().is_err());
        // The crate-shaped iterators are empty then, not partial.
        assert_eq!((module.exports().len(), module.imports().len()), (0, 0));
        let mut store = Store::new(&engine, Vec::new());
        let mut linker: Linker<Vec<bool>> = Linker::new(&engine);
        if let Err(err) = linker.define_unknown_imports_as_traps(&module) {
            // Before 39: `host.f`, whose type this crate cannot write, comes
            // from a wasm instance exporting a function of that type.
            let why = common::too_old_why(&err).unwrap_or_else(|| panic!("{err}"));
            println!("{why}; host.f is another instance's export instead");
            let provider = CONT_EXPORTS_PROVIDER;
            let provider = engine.wat().unwrap().to_wasm(provider).unwrap();
            let provider = engine.compiler().unwrap().precompile(&provider).unwrap();
            // SAFETY: just made by this engine; no `cont.new` in it runs.
            let provider = unsafe { Module::deserialize(&engine, &provider) }.unwrap();
            let provider = linker.instantiate(&mut store, &provider).unwrap();
            linker
                .define_instance(&mut store, "host", &provider)
                .unwrap();
        }
        linker.allow_shadowing(true);
        linker
            .func_wrap("host", "probe", |mut caller: Caller<'_, Vec<bool>>| {
                for name in ["f", "host"] {
                    let seen = caller.get_export(name).is_some();
                    caller.data_mut().push(seen);
                }
            })
            .unwrap();
        let instance = linker.instantiate(&mut store, &module).unwrap();
        assert!(instance.get_func(&mut store, "f").is_none());
        assert!(instance.get_export(&mut store, "f").is_none());
        // Globals and tables are handed out; what cannot be read is refused.
        let global = instance.get_global(&mut store, "g").unwrap();
        assert!(global.ty(&store).is_err());
        assert!(global.get(&mut store).is_err());
        let table = instance.get_table(&mut store, "t").unwrap();
        assert!(table.ty(&store).is_err());
        let err = table.get(&mut store, 0).unwrap_err();
        assert!(err.to_string().contains("stack-switching"), "{err}");
        let probe = instance
            .get_typed_func::<(), ()>(&mut store, "probe")
            .unwrap();
        probe.call(&mut store, ()).unwrap();
        assert_eq!(store.data(), &[false, false]);
        linker.define_instance(&mut store, "m", &instance).unwrap();
        assert!(linker.get(&mut store, "m", "f").is_none());
        assert!(linker.get(&mut store, "m", "host").is_none());
        assert!(linker.get(&mut store, "m", "probe").is_some());
    });
}

/// `cont.new` calls a builtin compiled out of every C API build (none has
/// Wasmtime's `stack-switching` feature): it used to end the process.
#[test]
fn cont_new_is_refused_before_it_can_run() {
    isolate("cont_new_is_refused_before_it_can_run", || {
        // Rec groups need the GC proposal, off by default before 47.
        let engine = engine_with(Flavour::Full, |c| {
            c.wasm_stack_switching(true);
            c.gc().unwrap().wasm_function_references(true).wasm_gc(true);
        });
        let wat = r#"(module
            (type $f (func))
            (type $ct (cont $f))
            (func $g)
            (elem declare func $g)
            (func (export "run") (drop (cont.new $ct (ref.func $g)))))"#;
        // Also behind an empty rec group, which once made the check misread
        // the type section and let the module through.
        // (Refused before Wasmtime compiles it: up to 45 the compiler
        // refuses or panics on `cont.new` itself.)
        for wat in [wat.to_string(), wat.replacen("(module", "(module (rec)", 1)] {
            let err = Module::new(&engine, &wat).unwrap_err();
            assert!(matches!(kind(&err), Some(ErrorKind::Invalid(_))), "{err}");
            assert!(err.to_string().contains("stack-switching"), "{err}");
        }
        let wasm = engine.wat().unwrap().to_wasm(wat).unwrap();
        let err = engine.compiler().unwrap().validate(&wasm).unwrap_err();
        assert!(matches!(kind(&err), Some(ErrorKind::Invalid(_))), "{err}");
        // Without continuation types, stack switching engines still compile.
        Module::new(&engine, r#"(module (func (export "run")))"#).unwrap();
    });
}

// ---- Findings 5 and 12: table limits the C API cannot hold ----

const WIDE_TABLES: &str = r#"(module
    (import "host" "t" (table i64 0 0x1_0000_0000 funcref))
    (table (export "t64") i64 1 0x1_0000_0000 funcref)
    (table (export "max") 0 0xffff_ffff funcref)
    (table (export "plain") 2 7 funcref)
    (export "imported" (table 0)))"#;

#[test]
fn table_limits_beyond_u32_are_reported_exactly() {
    isolate("table_limits_beyond_u32_are_reported_exactly", || {
        // Types of a deserialized module come from the C API alone, which
        // cannot read these limits (docs/PANICS.md); the flavours that
        // compile read them from the bytes.
        for flavour in [Flavour::Full, Flavour::CompilerOnly] {
            if !common::round_has(flavour) {
                continue;
            }
            let engine = engine_with(flavour, |c| {
                c.wasm_memory64(true);
            });
            let module = Module::new(&engine, WIDE_TABLES).unwrap();
            let t64 = TableType::new64(ValType::FuncRef, 1, Some(1 << 32));
            let max = TableType::new(ValType::FuncRef, 0, Some(u32::MAX));
            let plain = TableType::new(ValType::FuncRef, 2, Some(7));
            let imported = TableType::new64(ValType::FuncRef, 0, Some(1 << 32));
            let exports: Vec<_> = module
                .exports()
                .map(|e| (e.name().to_string(), e.ty()))
                .collect();
            let expected = [
                ("t64", t64.clone()),
                ("max", max.clone()),
                ("plain", plain.clone()),
                ("imported", imported.clone()),
            ]
            .map(|(name, ty)| (name.to_string(), ExternType::Table(ty)));
            assert_eq!(exports, expected, "{flavour:?}");
            let imports: Vec<_> = module.imports().collect();
            assert_eq!(
                imports[0].ty(),
                ExternType::Table(imported.clone()),
                "{flavour:?}"
            );
            // A live table of an instance answers the same, by any route.
            let mut store = Store::new(&engine, ());
            let mut linker: Linker<()> = Linker::new(&engine);
            let host_table = {
                // The host cannot make a table64 through the C API; a wasm
                // module that defines one provides it.
                let provider = Module::new(
                    &engine,
                    r#"(module (table (export "t") i64 0 0x1_0000_0000 funcref))"#,
                )
                .unwrap();
                let provider = linker.instantiate(&mut store, &provider).unwrap();
                provider.get_table(&mut store, "t").unwrap()
            };
            assert_eq!(host_table.ty(&store).unwrap(), imported, "{flavour:?}");
            linker.define(&mut store, "host", "t", host_table).unwrap();
            let instance = linker.instantiate(&mut store, &module).unwrap();
            for (name, ty) in [
                ("t64", t64.clone()),
                ("max", max.clone()),
                ("plain", plain.clone()),
                ("imported", imported.clone()),
            ] {
                let table = instance.get_table(&mut store, name).unwrap();
                assert_eq!(table.ty(&store).unwrap(), ty, "{flavour:?} {name}");
            }
            linker.define_instance(&mut store, "m", &instance).unwrap();
            let Some(Extern::Table(table)) = linker.get(&mut store, "m", "t64") else {
                panic!("{flavour:?}: m.t64 is not a table");
            };
            assert_eq!(table.ty(&store).unwrap(), t64, "{flavour:?}");
            // 36's builds all have GC (its C API builds `gc` whatever the
            // features), later compiler-only builds none.
            let has_gc = engine.capabilities().contains(wasmtime_dyn::Capability::Gc);
            if flavour == Flavour::CompilerOnly {
                let always = common::build_facts().always;
                assert_eq!(has_gc, always.contains(&wasmtime_dyn::Capability::Gc));
            }
            if !has_gc {
                // No reference values in a build without GC: no host tables.
                let err = Table::new(&mut store, plain.clone(), Val::FuncRef(None)).unwrap_err();
                assert!(
                    matches!(kind(&err), Some(ErrorKind::Unsupported(_))),
                    "{err}"
                );
                continue;
            }
            // The C API makes 32-bit tables below `u32::MAX` entries only:
            // anything else is refused, never made with other limits.
            let inverted = TableType::new(ValType::FuncRef, 10, Some(2));
            for ty in [t64.clone(), max.clone(), inverted] {
                let err = Table::new(&mut store, ty, Val::FuncRef(None)).unwrap_err();
                assert!(
                    matches!(kind(&err), Some(ErrorKind::Invalid(_))),
                    "{flavour:?}: {err}"
                );
            }
            let made = Table::new(&mut store, plain.clone(), Val::FuncRef(None)).unwrap();
            assert_eq!(made.ty(&store).unwrap(), plain, "{flavour:?}");
        }
    });
}

/// A module importing tables in the compact-imports encodings (Wasmtime
/// 50's `wasm_compact_imports`), hand-encoded (the text tools here do not
/// write it): `m` "" 0x7f {f: func, t: table64}, `n` "" 0x7e table64 {u},
/// a defined table64 exported as `t64`, and import `t` exported as `imp`.
fn compact_imports_module() -> Vec<u8> {
    let table64 = |min: u8, max_top: u8| -> Vec<u8> {
        // funcref, flags 0x05 (i64, has max), min, max = 2^32 + max_top.
        vec![0x70, 0x05, min, 0x80 | max_top, 0x80, 0x80, 0x80, 0x10]
    };
    let section = |id: u8, body: Vec<u8>| -> Vec<u8> {
        let mut out = vec![id, u8::try_from(body.len()).unwrap()];
        out.extend(body);
        out
    };
    let mut imports = vec![2, 1, b'm', 0, 0x7f, 2, 1, b'f', 0x00, 0x00, 1, b't', 0x01];
    imports.extend(table64(0, 0));
    imports.extend([1, b'n', 0, 0x7e, 0x01]);
    imports.extend(table64(0, 0));
    imports.extend([1, 1, b'u']);
    let mut tables = vec![1];
    tables.extend(table64(1, 1));
    let exports = vec![
        2, 3, b't', b'6', b'4', 0x01, 2, 3, b'i', b'm', b'p', 0x01, 0,
    ];
    let mut module = b"\0asm\x01\0\0\0".to_vec();
    module.extend(section(1, vec![1, 0x60, 0, 0]));
    module.extend(section(2, imports));
    module.extend(section(4, tables));
    module.extend(section(7, exports));
    module
}

#[test]
fn compact_imports_keep_table_types_exact() {
    isolate("compact_imports_keep_table_types_exact", || {
        let configure = |c: &mut wasmtime_dyn::Config| {
            c.wasm_memory64(true).wasm_compact_imports(true);
        };
        let full = Flavour::Full.load();
        let mut config = wasmtime_dyn::Config::new(full);
        configure(&mut config);
        if common::expected_major() < 50 {
            // Compact imports arrived in 50.
            let err = Engine::new(full, &config).unwrap_err();
            assert!(
                matches!(kind(&err), Some(ErrorKind::UnsupportedVersion { .. })),
                "{err}"
            );
            return;
        }
        let engine = Engine::new(full, &config).unwrap();
        let module = Module::new(&engine, compact_imports_module()).unwrap();
        let imported = TableType::new64(ValType::FuncRef, 0, Some(1 << 32));
        let defined = TableType::new64(ValType::FuncRef, 1, Some((1 << 32) + 1));
        let imports: Vec<_> = module
            .imports()
            .map(|i| (i.module().to_string(), i.name().to_string(), i.ty()))
            .collect();
        assert_eq!(imports.len(), 3, "{imports:?}");
        assert_eq!(
            imports[1],
            ("m".into(), "t".into(), ExternType::Table(imported.clone()))
        );
        assert_eq!(
            imports[2],
            ("n".into(), "u".into(), ExternType::Table(imported.clone()))
        );
        let exports: Vec<_> = module
            .exports()
            .map(|e| (e.name().to_string(), e.ty()))
            .collect();
        assert_eq!(
            exports,
            [
                ("t64".to_string(), ExternType::Table(defined.clone())),
                ("imp".to_string(), ExternType::Table(imported.clone())),
            ]
        );
        // Instantiated, the defined table answers from the record.
        let mut store = Store::new(&engine, ());
        let mut linker: Linker<()> = Linker::new(&engine);
        let provider = Module::new(
            &engine,
            r#"(module (table (export "t") i64 0 0x1_0000_0000 funcref))"#,
        )
        .unwrap();
        let provider = linker.instantiate(&mut store, &provider).unwrap();
        let table = provider.get_table(&mut store, "t").unwrap();
        linker.define(&mut store, "m", "t", table).unwrap();
        linker.define(&mut store, "n", "u", table).unwrap();
        linker.func_wrap("m", "f", || {}).unwrap();
        let instance = linker.instantiate(&mut store, &module).unwrap();
        let t64 = instance.get_table(&mut store, "t64").unwrap();
        assert_eq!(t64.ty(&store).unwrap(), defined);
    });
}

// ---- Finding 4: WASI functions never run without a WASI context ----

const USES_WASI: &str = r#"(module
    (import "wasi_snapshot_preview1" "sched_yield" (func $yield (result i32)))
    (memory (export "memory") 1)
    (func $start (drop (call $yield)))
    (start $start)
    (func (export "run") (result i32) (call $yield)))"#;

#[test]
fn wasi_without_a_context_is_refused() {
    isolate("wasi_without_a_context_is_refused", || {
        let (engine, module) = setup(Flavour::Full, USES_WASI);
        let mut linker: Linker<()> = Linker::new(&engine);
        linker.define_wasi().unwrap();
        let mut store = Store::new(&engine, ());
        let err = linker.instantiate(&mut store, &module).unwrap_err();
        assert!(matches!(kind(&err), Some(ErrorKind::Invalid(_))), "{err:?}");
        assert!(
            err.to_string().contains("set_wasi")
                && err.to_string().contains("wasi_snapshot_preview1"),
            "{err}"
        );
        assert!(linker
            .get(&mut store, "wasi_snapshot_preview1", "sched_yield")
            .is_none());
        // A module that does not import WASI still instantiates.
        let plain = Module::new(&engine, r#"(module (func (export "f")))"#).unwrap();
        linker.instantiate(&mut store, &plain).unwrap();
        // With a context, everything works.
        store
            .set_wasi(&wasmtime_dyn::wasi::WasiConfig::new())
            .unwrap();
        let Some(Extern::Func(sched_yield)) =
            linker.get(&mut store, "wasi_snapshot_preview1", "sched_yield")
        else {
            panic!("sched_yield is defined");
        };
        // Called from the host, it finds the WASI context (and then no
        // caller memory, which WASI functions need).
        let mut out = [Val::I32(-1)];
        let err = sched_yield.call(&mut store, &[], &mut out).unwrap_err();
        assert!(err.to_string().contains("memory"), "{err}");
        let instance = linker.instantiate(&mut store, &module).unwrap();
        let run = instance
            .get_typed_func::<(), i32>(&mut store, "run")
            .unwrap();
        assert_eq!(run.call(&mut store, ()).unwrap(), 0);
    });
}

// ---- Finding 1: modules never reach builtins a library lacks ----

/// The module under "Runtime types" in type-subtyping.wast (abridged):
/// non-final function types checked by `call_indirect` and `ref.cast`.
const RUNTIME_TYPES: &str = r#"(module
  (type $t0 (sub (func (result (ref null func)))))
  (rec (type $t1 (sub $t0 (func (result (ref null $t1))))))
  (rec (type $t2 (sub $t1 (func (result (ref null $t2))))))
  (func $f0 (type $t0) (ref.null func))
  (func $f1 (type $t1) (ref.null $t1))
  (func $f2 (type $t2) (ref.null $t2))
  (table funcref (elem $f0 $f1 $f2))
  (func (export "run")
    (block (result (ref null func)) (call_indirect (type $t0) (i32.const 1)))
    (block (result (ref null $t0)) (ref.cast (ref $t0) (table.get (i32.const 2))))
    (br 0)))"#;

#[test]
fn non_final_types_are_refused_without_gc() {
    if !common::round_has(Flavour::Min) {
        return;
    }
    isolate("non_final_types_are_refused_without_gc", || {
        let full = Flavour::Full.load();
        let wasm = Engine::default_for(full)
            .unwrap()
            .wat()
            .unwrap()
            .to_wasm(RUNTIME_TYPES)
            .unwrap();
        // Precompiled by the full library for the minimal one: refused.
        let min = Flavour::Min.load();
        let err = wasmtime_dyn::precompile_for(full, min.capabilities(), &wasm).unwrap_err();
        assert!(!err.to_string().is_empty());
        // Compiled by the compiler-only library: refused, saying why; also
        // after an empty rec group, which once made the check misread the
        // type section and let the module through.
        let engine = engine_with(Flavour::CompilerOnly, |_| {});
        let has_gc = engine.capabilities().contains(wasmtime_dyn::Capability::Gc);
        assert_eq!(
            has_gc,
            common::build_facts()
                .always
                .contains(&wasmtime_dyn::Capability::Gc)
        );
        let compiler = engine.compiler().unwrap();
        let behind_empty_rec = RUNTIME_TYPES.replacen("(module", "(module (rec)", 1);
        let behind_empty_rec = engine.wat().unwrap().to_wasm(behind_empty_rec).unwrap();
        if has_gc {
            // Wasmtime 36's builds all have GC: nothing to refuse there.
            // With the GC proposal on (off by default before 47) the
            // compiler-only library compiles it, whose checks it has.
            let engine = engine_with(Flavour::CompilerOnly, |c| {
                c.gc().unwrap().wasm_function_references(true).wasm_gc(true);
            });
            for wasm in [&wasm, &behind_empty_rec] {
                Module::new(&engine, wasm).unwrap();
                engine.compiler().unwrap().precompile(wasm).unwrap();
            }
            println!("the compiler-only library has GC: compiled, not refused");
        }
        for wasm in [&wasm, &behind_empty_rec].into_iter().filter(|_| !has_gc) {
            for err in [
                Module::new(&engine, wasm).unwrap_err(),
                compiler.validate(wasm).unwrap_err(),
                compiler.precompile(wasm).unwrap_err(),
            ] {
                assert!(err.to_string().contains("non-final"), "{err}");
            }
        }
        // The full library, which has GC, still runs it, with the GC
        // proposal on (off by default before 47: Wasmtime 36 refuses the
        // module otherwise, "gc proposal must be enabled to use subtypes").
        let engine = engine_with(Flavour::Full, |c| {
            c.gc().unwrap().wasm_function_references(true).wasm_gc(true);
        });
        let module = Module::new(&engine, &wasm).unwrap();
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap();
        let run = instance
            .get_typed_func::<(), ()>(&mut store, "run")
            .unwrap();
        run.call(&mut store, ()).unwrap();
    });
}

// ---- Finding 12: memory types report their page size ----

#[test]
fn custom_page_sizes_are_reported() {
    if !common::round_has(Flavour::Min) {
        return;
    }
    for flavour in [Flavour::Full, Flavour::Min, Flavour::CompilerOnly] {
        let configure = |c: &mut wasmtime_dyn::Config| {
            c.wasm_custom_page_sizes(true);
        };
        let lib = flavour.load();
        let mut config = wasmtime_dyn::Config::new(lib);
        configure(&mut config);
        let engine = match common::too_old(Engine::new(lib, &config)) {
            Ok(engine) => engine,
            Err(why) => {
                // Before 39 every memory has 64 KiB pages, and a module
                // declaring others is refused by the validator.
                let engine = engine_with(flavour, |_| {});
                if flavour != Flavour::Min {
                    let wat = r#"(module (memory (export "m") 3 5 (pagesize 1)))"#;
                    assert!(Module::new(&engine, wat).is_err(), "{flavour:?}");
                }
                println!("{flavour:?} skipped: {why}");
                continue;
            }
        };
        let module = common::module_with(
            flavour,
            &engine,
            r#"(module (memory (export "m") 3 5 (pagesize 1)))"#,
            configure,
        );
        let exports: Vec<_> = module.exports().collect();
        let wasmtime_dyn::ExternType::Memory(ty) = exports[0].ty() else {
            panic!("{flavour:?}: {:?}", exports[0]);
        };
        assert_eq!((ty.minimum(), ty.maximum()), (3, Some(5)), "{flavour:?}");
        assert_eq!((ty.page_size(), ty.page_size_log2()), (1, 0), "{flavour:?}");
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap();
        let memory = instance.get_memory(&mut store, "m").unwrap();
        assert_eq!(memory.ty(&store), ty, "{flavour:?}");
        assert_eq!(memory.data(&store).len(), 3, "{flavour:?}");
        // A memory made by the host with one-byte pages keeps them.
        let made = wasmtime_dyn::Memory::new(&mut store, ty).unwrap();
        assert_eq!(made.ty(&store).page_size(), 1, "{flavour:?}");
    }
}

// ---- Issue 17, finding 1: a refused externref frees its data once ----

/// Counts its drops.
struct CountedDrop(std::sync::Arc<std::sync::atomic::AtomicUsize>);

impl Drop for CountedDrop {
    fn drop(&mut self) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// `ExternRef::new` in `store`, which cannot allocate it: an error, and the
/// data dropped exactly once (the C API drops it on that path; freeing it
/// again was a double free: a SIGSEGV or heap corruption).
fn refused_externref_drops_data_once(store: &mut Store<()>, what: &str) {
    let drops = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    // A large payload, so a double free is seen by the allocator at once.
    let payload = (CountedDrop(drops.clone()), vec![0u8; 1 << 16]);
    let err = ExternRef::new(&mut *store, payload).expect_err(what);
    assert!(
        matches!(kind(&err), Some(ErrorKind::Invalid(_))),
        "{what}: {err:?}"
    );
    assert!(
        err.to_string().contains("could not allocate the externref"),
        "{err}"
    );
    assert_eq!(
        drops.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "{what}: the host data is dropped exactly once"
    );
    // The allocator is sound afterwards: allocate and free a lot.
    let churn: Vec<Vec<u8>> = (0..1000).map(|i| vec![i as u8; 1 << 12]).collect();
    assert_eq!(churn.iter().map(|v| v.len()).sum::<usize>(), 1000 << 12);
}

#[test]
fn refused_externref_frees_its_data_once() {
    isolate("refused_externref_frees_its_data_once", || {
        // An engine without GC support: every externref is refused.
        let lib = Flavour::Full.load();
        let mut config = wasmtime_dyn::Config::new(lib);
        config.gc_support(false);
        // Before 43 GC support cannot be turned off (no setter): refused.
        match common::too_old(Engine::new(lib, &config)) {
            Ok(engine) => {
                let mut store = Store::new(&engine, ());
                for _ in 0..3 {
                    refused_externref_drops_data_once(&mut store, "gc_support(false)");
                }
            }
            Err(why) => eprintln!("{why}"),
        }
        // A store whose limiter allows no memory: the GC heap cannot grow.
        let engine = engine_with(Flavour::Full, |_| {});
        let mut store = Store::new(&engine, ());
        store.limiter(Some(0), None, None, None, None).unwrap();
        for _ in 0..3 {
            refused_externref_drops_data_once(&mut store, "a zero memory limit");
        }
        // A data whose `Drop` panics: the panic resumes in the caller of
        // `ExternRef::new`, once.
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            ExternRef::new(&mut store, DropBomb("refused externref data dropped"))
        }));
        let payload = outcome.expect_err("the data's panic resumes in ExternRef::new");
        assert_eq!(panic_text(&*payload), "refused externref data dropped");
        // The store still works: a function runs.
        let f = Func::wrap(&mut store, |x: i32| x + 1);
        assert_eq!(
            f.typed::<i32, i32>(&store)
                .unwrap()
                .call(&mut store, 1)
                .unwrap(),
            2
        );
    });
}
