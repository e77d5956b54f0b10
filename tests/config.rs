//! Configurations Wasmtime rejects (which the C API turns into a process
//! abort) come back as `Err`; the accepted neighbours create engines.

mod common;

use common::{flavours, kind, round_has, Flavour};
use wasmtime_dyn::{Capability, Config, Engine, Error, ErrorKind, Strategy};

fn engine(flavour: Flavour, configure: impl Fn(&mut Config)) -> Result<Engine, Error> {
    let lib = flavour.load();
    let mut config = Config::new(lib);
    configure(&mut config);
    Engine::new(lib, &config)
}

fn refused(result: Result<Engine, Error>, needle: &str) {
    match result {
        Err(err) => match kind(&err) {
            Some(ErrorKind::Config(message)) => assert!(message.contains(needle), "{message}"),
            _ => panic!("expected ErrorKind::Config, got {err:?}"),
        },
        Ok(_) => panic!("expected the configuration to be refused ({needle})"),
    }
}

#[test]
fn stack_limits() {
    for flavour in flavours() {
        refused(
            engine(flavour, |c| {
                c.max_wasm_stack(0);
            }),
            "zero",
        );
        refused(
            engine(flavour, |c| {
                c.max_wasm_stack(4 << 20);
            }),
            "async stack size",
        );
        engine(flavour, |c| {
            c.max_wasm_stack(2 << 20);
        })
        .unwrap();
    }
}

/// As [`refused`], or the library's refusal of a setting the round's major
/// is too old for (said on stderr).
fn refused_or_too_old(result: Result<Engine, Error>, needle: &str) {
    match result.as_ref().err().and_then(common::too_old_why) {
        Some(why) => eprintln!("{why}"),
        None => refused(result, needle),
    }
}

/// An engine, or the library's refusal of a setting the round's major is
/// too old for (said on stderr).
fn built_or_too_old(result: Result<Engine, Error>) {
    if let Err(why) = common::too_old(result) {
        eprintln!("{why}");
    }
}

#[test]
fn runtime_features_the_build_lacks() {
    if !round_has(Flavour::Min) {
        return;
    }
    // Builds of 36 have GC whatever their features (`common::BUILD_FACTS`).
    let gc_built = common::build_facts().always.contains(&Capability::Gc);
    for flavour in [Flavour::Min, Flavour::CompilerOnly] {
        let gc = engine(flavour, |c| {
            c.gc_support(true);
        });
        if gc_built {
            gc.unwrap();
        } else {
            refused(gc, "gc");
        }
        refused_or_too_old(
            engine(flavour, |c| {
                c.concurrency_support(true);
            }),
            "component-model-async",
        );
        built_or_too_old(engine(flavour, |c| {
            c.gc_support(false).concurrency_support(false);
        }));
    }
    built_or_too_old(engine(Flavour::Full, |c| {
        c.gc_support(true).concurrency_support(true);
    }));
}

#[test]
fn capability_handles_follow_the_library() {
    if !round_has(Flavour::Min) {
        return;
    }
    let mut full = Config::new(Flavour::Full.load());
    assert!(full.compiler().is_some() && full.gc().is_some() && full.threads().is_some());
    assert!(full.parallel_compilation().is_some());
    // Builds of 36 have GC whatever their features (`common::BUILD_FACTS`).
    let gc_built = common::build_facts().always.contains(&Capability::Gc);
    let mut co = Config::new(Flavour::CompilerOnly.load());
    assert!(co.compiler().is_some() && co.gc().is_some() == gc_built && co.threads().is_none());
    let mut min = Config::new(Flavour::Min.load());
    assert!(
        min.compiler().is_none()
            && min.gc().is_some() == gc_built
            && min.parallel_compilation().is_none()
    );
    // A Config of one library cannot make an engine of another.
    let err = Engine::new(Flavour::Min.load(), &full).unwrap_err();
    assert!(
        matches!(kind(&err), Some(ErrorKind::WrongLibrary(_))),
        "{err:?}"
    );
}

#[test]
fn winch() {
    if !round_has(Flavour::CompilerOnly) {
        return;
    }
    let winch = |c: &mut Config| {
        c.compiler().unwrap().strategy(Strategy::Winch);
    };
    // Before 45 the C API cannot ask for Winch: refused as too old on
    // every library.
    if let Err(why) = common::too_old(engine(Flavour::Full, winch)) {
        eprintln!("{why}");
        assert!(common::too_old(engine(Flavour::CompilerOnly, winch)).is_err());
        return;
    }
    refused(engine(Flavour::CompilerOnly, winch), "without Winch");
    refused(
        engine(Flavour::Full, |c| {
            winch(c);
            c.wasm_relaxed_simd(true);
        }),
        "wasm_relaxed_simd",
    );
    // Winch compiles tail calls from Wasmtime 50 on.
    let tail_call = engine(Flavour::Full, |c| {
        winch(c);
        c.wasm_tail_call(true);
    });
    if Flavour::Full.load().version().major() >= 50 {
        tail_call.unwrap();
    } else {
        refused(tail_call, "wasm_tail_call");
    }
    refused(
        engine(Flavour::Full, |c| {
            winch(c);
            c.wasm_stack_switching(true);
        }),
        "wasm_stack_switching",
    );
    refused(
        engine(Flavour::Full, |c| {
            winch(c);
            c.gc().unwrap().wasm_gc(true);
        }),
        "wasm_gc",
    );
    refused(
        engine(Flavour::Full, |c| {
            winch(c);
            c.signals_based_traps(false);
        }),
        "signals_based_traps",
    );
    refused(
        engine(Flavour::Full, |c| {
            winch(c);
            c.debug_info(true);
        }),
        "debug info",
    );
    // What Winch does support.
    engine(Flavour::Full, |c| {
        winch(c);
        c.wasm_simd(false).consume_fuel(true);
    })
    .unwrap();
}

#[test]
fn simd_without_relaxed_simd_on_cranelift() {
    if !round_has(Flavour::Min) {
        return;
    }
    for flavour in [Flavour::Full, Flavour::CompilerOnly] {
        refused(
            engine(flavour, |c| {
                c.wasm_simd(false);
            }),
            "relaxed",
        );
        engine(flavour, |c| {
            c.wasm_simd(false).wasm_relaxed_simd(false);
        })
        .unwrap();
    }
    // Without a compiler nothing is compiled, so nothing is refused.
    engine(Flavour::Min, |c| {
        c.wasm_simd(false);
    })
    .unwrap();
}

#[test]
fn accepted_settings_build_engines_on_every_library() {
    let major = Flavour::Full.load().version().major();
    for flavour in flavours() {
        // Branch hinting arrived in 46: asked of 45, it is refused by name.
        let hinting = engine(flavour, |c| {
            c.wasm_branch_hinting(true);
        });
        if major >= 46 {
            hinting.unwrap_or_else(|e| panic!("{flavour:?}: {e}"));
        } else {
            let err = hinting.unwrap_err();
            assert!(
                matches!(kind(&err), Some(ErrorKind::UnsupportedVersion { feature: "wasm_branch_hinting", needs, found })
                    if *needs.start() == 46 && found.major() == major),
                "{flavour:?}: {err:?}"
            );
            assert!(
                err.to_string()
                    .contains(&format!("Wasmtime {}", Flavour::Full.load().version())),
                "{err}"
            );
        }
        // Compact imports arrived in 50.
        let compact = engine(flavour, |c| {
            c.wasm_compact_imports(true);
        });
        assert_eq!(compact.is_ok(), major >= 50, "{flavour:?}: {compact:?}");
        let accepted = |c: &mut Config, signals_off: bool| {
            c.consume_fuel(true)
                .epoch_interruption(true)
                .wasm_multi_memory(true)
                .wasm_memory64(true)
                .memory_reservation(1 << 30)
                .memory_guard_size(1 << 16)
                .memory_may_move(false)
                .native_unwind_info(true)
                .wasm_stack_switching(true)
                .macos_use_mach_ports(false);
            if signals_off {
                c.signals_based_traps(false);
            }
            if let Some(mut compiler) = c.compiler() {
                compiler
                    .cranelift_opt_level(wasmtime_dyn::OptLevel::SpeedAndSize)
                    .cranelift_nan_canonicalization(true);
            }
        };
        if let Err(err) = engine(flavour, |c| accepted(c, true)) {
            // Before 39 the C API has no setter for signals-based traps:
            // refused by name, and the rest is accepted without it.
            let why = too_old_for(&err, "signals_based_traps")
                .unwrap_or_else(|| panic!("{flavour:?}: {err}"));
            eprintln!("{flavour:?}: {why}");
            engine(flavour, |c| accepted(c, false)).unwrap_or_else(|e| panic!("{flavour:?}: {e}"));
        }
    }
}

/// [`common::too_old_why`] when `err` is the refusal of `feature`, by
/// name, as too new for the round's major; `None` for any other error.
fn too_old_for(err: &Error, feature: &str) -> Option<String> {
    match kind(err) {
        Some(ErrorKind::UnsupportedVersion { feature: named, .. }) if *named == feature => {
            common::too_old_why(err)
        }
        _ => None,
    }
}

// ---- Cranelift's numeric settings take the values it can use ----

/// A function with a frame of 24 spilled vectors (so stack probes run)
/// and a loop (so blocks are padded and jumped over), beside a callee.
fn numeric_settings_module() -> String {
    let vectors = 24;
    let locals: String = (0..vectors)
        .map(|k| format!("(local $v{k} v128) "))
        .collect();
    let set: String = (0..vectors)
        .map(|k| format!("local.get $n i32.const {k} i32.add i32x4.splat local.set $v{k}\n"))
        .collect();
    let sum: String = (0..vectors)
        .map(|k| {
            format!("local.get $acc local.get $v{k} i32x4.extract_lane 0 i32.add local.set $acc\n")
        })
        .collect();
    format!(
        r#"(module
            (func $id (param i32) (result i32) local.get 0)
            (func (export "run") (param $n i32) (result i32)
                (local $i i32) (local $acc i32) {locals}
                {set}
                (block $done (loop $l
                    local.get $i local.get $n i32.ge_s br_if $done
                    local.get $acc local.get $i i32.add local.set $acc
                    local.get $i i32.const 1 i32.add local.set $i
                    br $l))
                local.get $acc call $id local.set $acc
                {sum}
                local.get $acc))"#
    )
}

/// Compiles and runs [`numeric_settings_module`] on `engine`.
fn run_numeric_settings_module(engine: &Engine) {
    let module = wasmtime_dyn::Module::new(engine, numeric_settings_module()).unwrap();
    let mut store = wasmtime_dyn::Store::new(engine, ());
    let instance = wasmtime_dyn::Linker::new(engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let run = instance
        .get_typed_func::<i32, i32>(&mut store, "run")
        .unwrap();
    for n in [0, 1, 10, 1000] {
        let expected = n * (n - 1).max(0) / 2 + 24 * n + (0..24).sum::<i32>();
        assert_eq!(run.call(&mut store, n).unwrap(), expected, "run({n})");
    }
}

#[test]
fn cranelift_numeric_settings_out_of_their_range_are_refused() {
    // On main these passed the guard; compiling then aborted the process
    // (bb_padding_log2_minus_one=255: a 4 EiB allocation;
    // log2_min_function_alignment=31: "jump beyond the range of JmpRel32")
    // or the code crashed it (probestack_size_log2=0: SIGSEGV).
    common::child::isolate(
        "cranelift_numeric_settings_out_of_their_range_are_refused",
        || {
            let mut compilers = vec![Flavour::Full];
            if !common::full_only() {
                compilers.push(Flavour::CompilerOnly);
            }
            let bad = [
                ("bb_padding_log2_minus_one", "255"),
                ("log2_min_function_alignment", "31"),
                ("probestack_size_log2", "0"),
                ("probestack_size_log2", "1"),
                ("probestack_size_log2", "32"),
                ("bb_padding_log2_minus_one", "31"),
                ("bb_padding_log2_minus_one", "9"),
                ("log2_min_function_alignment", "9"),
            ];
            let good = [
                ("probestack_size_log2", "4"),
                ("probestack_size_log2", "12"),
                ("probestack_size_log2", "31"),
                ("bb_padding_log2_minus_one", "0"),
                ("bb_padding_log2_minus_one", "1"),
                ("bb_padding_log2_minus_one", "8"),
                ("log2_min_function_alignment", "0"),
                ("log2_min_function_alignment", "8"),
            ];
            for flavour in compilers {
                for (name, value) in bad {
                    // SAFETY: refused before any code is compiled; where it
                    // is not (a regression), the code runs to show it.
                    let result = engine(flavour, |c| unsafe {
                        c.cranelift_flag_set(name, value);
                    });
                    if let Ok(engine) = &result {
                        run_numeric_settings_module(engine);
                    }
                    refused(result, &format!("`{name}` takes"));
                }
                for (name, value) in good {
                    // SAFETY: these values leave the code correct.
                    let engine = engine(flavour, |c| unsafe {
                        c.cranelift_flag_set(name, value);
                    })
                    .unwrap_or_else(|e| panic!("{flavour:?} {name}={value}: {e}"));
                    run_numeric_settings_module(&engine);
                }
            }
        },
    );
}

// ---- Untrusted wasm cannot exhaust the host under the recommended config ----

/// A guest that grows what it can and spins or recurses forever.
const HOSTILE: &str = r#"(module
    (memory i64 1)
    (table 1 funcref)
    (func (export "grow") (param i64) (result i64) local.get 0 memory.grow)
    (func (export "fill") (memory.fill (i64.const 0) (i32.const 1)
        (i64.mul (memory.size) (i64.const 65536))))
    (func (export "grow_table") (param i32) (result i32)
        ref.null func local.get 0 table.grow 0)
    (func (export "spin") (loop br 0))
    (func $deep (export "deep") (param i32) (result i32)
        local.get 0 i32.const 1 i32.add call $deep))"#;

/// This process's resident memory.
fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("/proc/self/statm");
    let pages: u64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

/// The guest's memory.grow: to one page short of Wasmtime's default 4 GiB
/// reservation, then two pages past it. Returns both results and how much
/// the process's resident memory grew.
fn hostile_growth(
    store: &mut wasmtime_dyn::Store<()>,
    instance: &wasmtime_dyn::Instance,
) -> (i64, i64, u64) {
    let grow = instance
        .get_typed_func::<i64, i64>(&mut *store, "grow")
        .unwrap();
    let before = rss_bytes();
    let first = grow.call(&mut *store, 65535 - 1).unwrap();
    let second = grow.call(&mut *store, 2).unwrap();
    (first, second, rss_bytes().saturating_sub(before))
}

#[test]
fn hostile_memory64_growth_on_a_default_config_commits_the_memory() {
    // What README's configuration for untrusted wasm guards against: a
    // memory64 memory grown past its 4 GiB reservation moves, and Wasmtime
    // copies every page (untouched ones included) into the new mapping.
    common::child::isolate(
        "hostile_memory64_growth_on_a_default_config_commits_the_memory",
        || {
            let engine = Engine::default_for(Flavour::Full.load()).unwrap();
            let module = wasmtime_dyn::Module::new(&engine, HOSTILE).unwrap();
            let mut store = wasmtime_dyn::Store::new(&engine, ());
            let instance = wasmtime_dyn::Linker::new(&engine)
                .instantiate(&mut store, &module)
                .unwrap();
            let (first, second, grown) = hostile_growth(&mut store, &instance);
            println!(
                "default Config: memory.grow to 65535 pages returned {first}, 2 more pages {second}; \
                 resident memory grew by {} MiB",
                grown >> 20
            );
            // Nothing stops the guest on a default configuration.
            assert_eq!((first, second), (1, 65535));
        },
    );
}

/// The limits README recommends for a store running untrusted wasm: 64 MiB
/// per memory, 10,000 table elements, 10 instances, tables and memories,
/// and fuel (`consume_fuel` on the engine).
fn untrusted_store(engine: &Engine) -> wasmtime_dyn::Store<()> {
    let mut store = wasmtime_dyn::Store::new(engine, ());
    store
        .limiter(Some(64 << 20), Some(10_000), Some(10), Some(10), Some(10))
        .unwrap();
    store.set_fuel(10_000_000).unwrap();
    store
}

#[test]
fn hostile_wasm_is_bounded_under_the_recommended_config() {
    common::child::isolate(
        "hostile_wasm_is_bounded_under_the_recommended_config",
        || {
            // Shared memories off: `Config::shared_memory(false)` from 40;
            // before, they follow the threads proposal, which is then
            // turned off (the setter is refused as too old).
            let full = Flavour::Full.load();
            let mut config = wasmtime_dyn::Config::new(full);
            config.consume_fuel(true).shared_memory(false);
            let (engine, threads_off) =
                match common::too_old(wasmtime_dyn::Engine::new(full, &config)) {
                    Ok(engine) => (engine, false),
                    Err(why) => {
                        println!("{why}: wasm_threads(false) instead");
                        let engine = common::engine_with(Flavour::Full, |c| {
                            c.consume_fuel(true).wasm_threads(false);
                        });
                        (engine, true)
                    }
                };
            let module = wasmtime_dyn::Module::new(&engine, HOSTILE).unwrap();
            let linker = wasmtime_dyn::Linker::new(&engine);
            let mut store = untrusted_store(&engine);
            let instance = linker.instantiate(&mut store, &module).unwrap();
            // Memory: growth past the limit fails, the limit can be used.
            let (first, second, grown) = hostile_growth(&mut store, &instance);
            println!(
                "limiter of 64 MiB: memory.grow to 65535 pages returned {first}, 2 more pages \
                 {second}; resident memory grew by {} KiB",
                grown >> 10
            );
            assert_eq!((first, second), (-1, 1));
            let grow = instance
                .get_typed_func::<i64, i64>(&mut store, "grow")
                .unwrap();
            assert_eq!(grow.call(&mut store, 1024 - 3).unwrap(), 3);
            assert_eq!(grow.call(&mut store, 1).unwrap(), -1);
            // Filling memory costs fuel per byte from Wasmtime 48.
            store.set_fuel(1 << 32).unwrap();
            let before = rss_bytes();
            let fill = instance
                .get_typed_func::<(), ()>(&mut store, "fill")
                .unwrap();
            fill.call(&mut store, ()).unwrap();
            let filled = rss_bytes().saturating_sub(before);
            println!(
                "the guest wrote all of its 64 MiB: resident memory grew by {} MiB",
                filled >> 20
            );
            assert!(filled <= 80 << 20, "{filled} bytes for a 64 MiB memory");
            // Tables: the same.
            let grow_table = instance
                .get_typed_func::<i32, i32>(&mut store, "grow_table")
                .unwrap();
            assert_eq!(grow_table.call(&mut store, 20_000).unwrap(), -1);
            assert_eq!(grow_table.call(&mut store, 100).unwrap(), 1);
            // CPU: an endless loop runs out of fuel.
            store.set_fuel(10_000_000).unwrap();
            let spin = instance
                .get_typed_func::<(), ()>(&mut store, "spin")
                .unwrap();
            let err = spin.call(&mut store, ()).unwrap_err();
            assert_eq!(
                common::trap(&err),
                Some(wasmtime_dyn::Trap::OutOfFuel),
                "{err:?}"
            );
            // Stack: endless recursion overflows max_wasm_stack (this test
            // thread's native stack is larger than 512 KiB).
            store.set_fuel(10_000_000).unwrap();
            let deep = instance
                .get_typed_func::<i32, i32>(&mut store, "deep")
                .unwrap();
            let err = deep.call(&mut store, 0).unwrap_err();
            assert_eq!(
                common::trap(&err),
                Some(wasmtime_dyn::Trap::StackOverflow),
                "{err:?}"
            );
            // Shared memories grow outside the store's limiter (measured: a
            // guest's grew to 2 GiB under a 64 MiB limit with
            // `Config::shared_memory(true)`); with it off, a module defining
            // one is refused at instantiation; with threads off (before
            // 40), it does not compile.
            let shared = wasmtime_dyn::Module::new(&engine, "(module (memory 1 65536 shared))");
            if threads_off {
                let err = shared.unwrap_err();
                assert!(
                    format!("{err:#}").contains("threads must be enabled for shared memories"),
                    "{err:#}"
                );
            } else {
                let err = linker
                    .instantiate(&mut untrusted_store(&engine), &shared.unwrap())
                    .unwrap_err();
                assert!(err.to_string().contains("shared memory"), "{err}");
            }
            // Instances: the tenth more is refused.
            let made = (0..10)
                .take_while(|_| linker.instantiate(&mut store, &module).is_ok())
                .count();
            assert_eq!(made, 9, "instances with a limit of 10 (one made before)");
            // Without a limiter, a memory that may not move cannot grow
            // past its reservation: no copy (but what the guest touches of
            // the reservation is committed, which only the limiter bounds).
            let engine = common::engine_with(Flavour::Full, |c| {
                c.memory_may_move(false);
            });
            let module = wasmtime_dyn::Module::new(&engine, HOSTILE).unwrap();
            let mut store = wasmtime_dyn::Store::new(&engine, ());
            let instance = wasmtime_dyn::Linker::new(&engine)
                .instantiate(&mut store, &module)
                .unwrap();
            let (first, second, grown) = hostile_growth(&mut store, &instance);
            println!(
                "memory_may_move(false): memory.grow to 65535 pages returned {first}, 2 more \
                 pages {second}; resident memory grew by {} KiB",
                grown >> 10
            );
            assert_eq!((first, second), (1, -1));
            assert!(grown < 16 << 20, "{grown}");
        },
    );
}
