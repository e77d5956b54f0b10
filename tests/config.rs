//! Configurations Wasmtime rejects (which the C API turns into a process
//! abort) come back as `Err`; the accepted neighbours create engines.

mod common;

use common::{flavours, kind, round_has, Flavour};
use wasmtime_dyn::{Config, Engine, Error, ErrorKind, Strategy};

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

#[test]
fn runtime_features_the_build_lacks() {
    if !round_has(Flavour::Min) {
        return;
    }
    for flavour in [Flavour::Min, Flavour::CompilerOnly] {
        refused(
            engine(flavour, |c| {
                c.gc_support(true);
            }),
            "gc",
        );
        refused(
            engine(flavour, |c| {
                c.concurrency_support(true);
            }),
            "component-model-async",
        );
        engine(flavour, |c| {
            c.gc_support(false).concurrency_support(false);
        })
        .unwrap();
    }
    engine(Flavour::Full, |c| {
        c.gc_support(true).concurrency_support(true);
    })
    .unwrap();
}

#[test]
fn capability_handles_follow_the_library() {
    if !round_has(Flavour::Min) {
        return;
    }
    let mut full = Config::new(Flavour::Full.load());
    assert!(full.compiler().is_some() && full.gc().is_some() && full.threads().is_some());
    assert!(full.parallel_compilation().is_some());
    let mut co = Config::new(Flavour::CompilerOnly.load());
    assert!(co.compiler().is_some() && co.gc().is_none() && co.threads().is_none());
    let mut min = Config::new(Flavour::Min.load());
    assert!(min.compiler().is_none() && min.gc().is_none() && min.parallel_compilation().is_none());
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
    refused(
        engine(Flavour::CompilerOnly, |c| {
            c.compiler().unwrap().strategy(Strategy::Winch);
        }),
        "without Winch",
    );
    let winch = |c: &mut Config| {
        c.compiler().unwrap().strategy(Strategy::Winch);
    };
    engine(Flavour::Full, winch).unwrap();
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
        engine(flavour, |c| {
            c.consume_fuel(true)
                .epoch_interruption(true)
                .wasm_multi_memory(true)
                .wasm_memory64(true)
                .memory_reservation(1 << 30)
                .memory_guard_size(1 << 16)
                .memory_may_move(false)
                .signals_based_traps(false)
                .native_unwind_info(true)
                .wasm_stack_switching(true)
                .macos_use_mach_ports(false);
            if let Some(mut compiler) = c.compiler() {
                compiler
                    .cranelift_opt_level(wasmtime_dyn::OptLevel::SpeedAndSize)
                    .cranelift_nan_canonicalization(true);
            }
        })
        .unwrap_or_else(|e| panic!("{flavour:?}: {e}"));
    }
}
