//! The `wasmtime` crate's `Config` shapes: the proposal setters at the top
//! level, `Config::target` and the raw Cranelift flags. Wasmtime aborts the
//! process on a target or flag it cannot use when the engine is created;
//! these must come back as typed errors instead, so the tests that feed
//! them run in a child process (a regression then fails the test instead of
//! ending the run).

mod common;

use common::{child, flavours, kind, round_has, Flavour};
use wasmtime_dyn::{
    cwasm, Capability, Config, Engine, Error, ErrorKind, Instance, Module, Store, Strategy,
};

const ADD: &str = r#"(module (func (export "add") (param i32 i32) (result i32)
    local.get 0 local.get 1 i32.add))"#;

fn engine(flavour: Flavour, configure: impl FnOnce(&mut Config)) -> Result<Engine, Error> {
    let lib = flavour.load();
    let mut config = Config::new(lib);
    configure(&mut config);
    Engine::new(lib, &config)
}

/// Panics unless `result` is an `ErrorKind::Config` whose message has
/// every one of `needles`; returns the message.
fn refused<T>(result: Result<T, Error>, needles: &[&str]) -> String {
    match result {
        Err(err) => match kind(&err) {
            Some(ErrorKind::Config(message)) => {
                for needle in needles {
                    assert!(message.contains(needle), "{needle:?} not in: {message}");
                }
                message.clone()
            }
            _ => panic!("expected ErrorKind::Config, got {err:?}"),
        },
        Ok(_) => panic!("expected a refusal ({needles:?})"),
    }
}

fn unsupported(result: Result<Engine, Error>, capability: Capability) {
    match result {
        Err(err) => assert!(
            matches!(kind(&err), Some(ErrorKind::Unsupported(c)) if *c == capability),
            "expected Unsupported({capability}), got {err:?}"
        ),
        Ok(_) => panic!("expected Unsupported({capability})"),
    }
}

/// What an artifact records, where this crate decodes its major's layout
/// (47 to 50); `None` (saying so) for 45 and 46.
fn inspect(bytes: &[u8]) -> Option<cwasm::CwasmInfo> {
    match cwasm::inspect(bytes) {
        Ok(info) => Some(info),
        Err(err) if matches!(kind(&err), Some(ErrorKind::UnknownArtifactLayout { .. })) => {
            eprintln!("not checked in the artifact: {err}");
            None
        }
        Err(err) => panic!("{err:?}"),
    }
}

/// `add(2, 3)` through a module compiled by `engine`.
fn adds(engine: &Engine) {
    let module = Module::new(engine, ADD).unwrap();
    let mut store = Store::new(engine, ());
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    let add = instance
        .get_typed_func::<(i32, i32), i32>(&mut store, "add")
        .unwrap();
    assert_eq!(add.call(&mut store, (2, 3)).unwrap(), 5);
}

#[test]
fn top_level_proposal_setters_act_like_the_handles() {
    let full = Flavour::Full.load();
    let top = engine(Flavour::Full, |c| {
        c.wasm_reference_types(true)
            .wasm_function_references(true)
            .wasm_gc(true)
            .wasm_exceptions(false)
            .wasm_threads(false)
            .wasm_component_model(false);
    })
    .unwrap();
    let mut config = Config::new(full);
    let mut gc = config.gc().unwrap();
    gc.wasm_reference_types(true)
        .wasm_function_references(true)
        .wasm_gc(true)
        .wasm_exceptions(false);
    config.threads().unwrap().wasm_threads(false);
    config.wasm_component_model(false);
    let handles = Engine::new(full, &config).unwrap();
    let (a, b) = (cwasm::engine_profile(&top), cwasm::engine_profile(&handles));
    assert_eq!(a.features(), b.features());
    let features = a.features();
    for on in ["reference_types", "function_references", "gc"] {
        assert!(features.contains(&on), "{on}: {features:?}");
    }
    for off in ["exceptions", "threads", "component_model"] {
        assert!(!features.contains(&off), "{off}: {features:?}");
    }
    // And the artifacts say so too.
    if let Some(info) = inspect(&top.precompile_module("(module)").unwrap()) {
        assert!(info.has_feature("gc") && !info.has_feature("threads"));
    }
}

/// What [`common::too_old_why`] says of `err`, which must be the refusal
/// of `feature`, by name, as too new for the round's major.
fn too_old_for(err: &Error, feature: &str) -> String {
    match kind(err) {
        Some(ErrorKind::UnsupportedVersion { feature: named, .. }) if *named == feature => {
            common::too_old_why(err).unwrap_or_else(|| panic!("{err:?}"))
        }
        _ => panic!("expected the too-old refusal of `{feature}`, got {err:?}"),
    }
}

/// On a library without the setter's capability, disabling is a no-op and
/// enabling is an `Unsupported` error, unless the build has the proposal
/// on anyway (reference types; function references from 47 on).
/// Builds that have GC whatever their features (36's) enable its
/// proposals: GC, and exceptions where the major has them.
#[test]
fn top_level_proposal_setters_without_the_capability() {
    if !round_has(Flavour::Min) {
        return;
    }
    // Builds of 36 have GC whatever their features (`common::BUILD_FACTS`):
    // there the GC setters are the build's own.
    let gc_built = common::build_facts().always.contains(&Capability::Gc);
    for flavour in [Flavour::Min, Flavour::CompilerOnly] {
        assert_eq!(flavour.load().has(Capability::Gc), gc_built, "{flavour:?}");
        if gc_built {
            let on = engine(flavour, |c| {
                c.wasm_gc(true);
            })
            .unwrap();
            let features = cwasm::engine_profile(&on).features();
            assert!(features.contains(&"gc"), "{flavour:?}: {features:?}");
            match engine(flavour, |c| {
                c.wasm_exceptions(true);
            }) {
                Ok(on) => {
                    let features = cwasm::engine_profile(&on).features();
                    assert!(
                        features.contains(&"exceptions"),
                        "{flavour:?}: {features:?}"
                    );
                }
                Err(err) => eprintln!("{flavour:?}: {}", too_old_for(&err, "wasm_exceptions")),
            }
        } else {
            unsupported(
                engine(flavour, |c| {
                    c.wasm_gc(true);
                }),
                Capability::Gc,
            );
            unsupported(
                engine(flavour, |c| {
                    c.wasm_exceptions(true);
                }),
                Capability::Gc,
            );
        }
        unsupported(
            engine(flavour, |c| {
                c.wasm_threads(true);
            }),
            Capability::Threads,
        );
        unsupported(
            engine(flavour, |c| {
                c.wasm_component_model(true);
            }),
            Capability::ComponentModel,
        );
        engine(flavour, |c| {
            c.wasm_reference_types(true).wasm_function_references(true);
        })
        .unwrap();
        let off = engine(flavour, |c| {
            if !gc_built {
                c.wasm_reference_types(false)
                    .wasm_function_references(false)
                    .wasm_gc(false)
                    .wasm_exceptions(false);
            }
            c.wasm_threads(false).wasm_component_model(false);
        })
        .unwrap();
        // A no-op: the features are the build's defaults.
        let default = Engine::default_for(flavour.load()).unwrap();
        assert_eq!(
            cwasm::engine_profile(&off).feature_bits,
            cwasm::engine_profile(&default).feature_bits,
            "{flavour:?}"
        );
    }
}

#[test]
fn targets_that_would_abort_are_typed_errors() {
    child::isolate("targets_that_would_abort_are_typed_errors", || {
        for flavour in flavours() {
            let lib = flavour.load();
            let mut config = Config::new(lib);
            // Not parsed by the library (target-lexicon).
            refused(config.target("no-such-triple-at-all"), &["does not parse"]);
            refused(config.target("x86_64\0"), &["NUL"]);
            // No pointer width: Wasmtime aborts even without a compiler.
            refused(config.target("unknown-unknown-unknown"), &["pointer width"]);
            assert_eq!(config.wasmtime().capabilities(), lib.capabilities());
            Engine::new(lib, &config).unwrap();
        }
        let full = Flavour::Full.load();
        let mut config = Config::new(full);
        // Architectures without a backend in the official library.
        let foreign = if cfg!(target_arch = "x86_64") {
            "aarch64-unknown-linux-gnu"
        } else {
            "x86_64-unknown-linux-gnu"
        };
        for triple in [foreign, "s390x-unknown-linux-gnu", "mips-unknown-linux-gnu"] {
            refused(config.target(triple), &["backends"]);
        }
        if cfg!(target_arch = "x86_64") {
            refused(
                config.target("x86_64-unknown-linux-gnux32"),
                &["32-bit ABI"],
            );
            refused(config.target("x86_64h-apple-darwin"), &["backends"]);
        }
        // A refused target leaves the configuration as it was.
        Engine::new(full, &config).unwrap();

        // Settings that conflict with the target are refused by Engine::new.
        refused(
            engine(Flavour::Full, |c| {
                c.target("pulley64").unwrap();
                c.wasm_threads(true);
            }),
            &["wasm_threads(true)", "Pulley"],
        );
        if full.has_winch() {
            refused(
                engine(Flavour::Full, |c| {
                    c.target("pulley64").unwrap();
                    c.compiler().unwrap().strategy(Strategy::Winch);
                }),
                &["Winch", "Pulley"],
            );
        }
        if cfg!(target_arch = "x86_64") {
            refused(
                engine(Flavour::Full, |c| {
                    c.target("x86_64-pc-windows-msvc").unwrap();
                    c.native_unwind_info(false);
                }),
                &["native_unwind_info(false)", "Windows"],
            );
            // The same triple with its unwind information is fine.
            engine(Flavour::Full, |c| {
                c.target("x86_64-pc-windows-msvc").unwrap();
            })
            .unwrap();
        }
        // The minimal build has no compiler: any architecture with a
        // pointer width makes an engine.
        if round_has(Flavour::Min) {
            engine(Flavour::Min, |c| {
                c.target(foreign).unwrap();
            })
            .unwrap();
        }
    });
}

#[test]
fn the_hosts_own_triple_and_pulley_compile() {
    if !(cfg!(target_arch = "x86_64") && cfg!(target_os = "linux") && cfg!(target_env = "gnu")) {
        eprintln!("the host triple below is x86_64 Linux's");
        return;
    }
    let engine = engine(Flavour::Full, |c| {
        c.target("x86_64-unknown-linux-gnu").unwrap();
    })
    .unwrap();
    adds(&engine);
    if let Some(info) = inspect(&engine.precompile_module(ADD).unwrap()) {
        assert_eq!(info.target, "x86_64-unknown-linux-gnu");
    }
    // Pulley: the engine is made; whether Wasmtime interprets it depends on
    // the build (an error, not an abort, when it does not).
    let pulley = self::engine(Flavour::Full, |c| {
        c.target("pulley64").unwrap();
    })
    .unwrap();
    let profile = cwasm::engine_profile(&pulley);
    assert_eq!(profile.architecture, "pulley64");
    assert!(!profile.tunables.signals_based_traps);
    assert_eq!(profile.tunables.memory_guard_size, 0);
    match Module::new(&pulley, ADD) {
        Ok(_) => {
            adds(&pulley);
            // What the engine expects of artifacts is what it makes.
            let cwasm = pulley.precompile_module(ADD).unwrap();
            if inspect(&cwasm).is_some() {
                let info = cwasm::preflight(&pulley, &cwasm).unwrap();
                assert!(info.target.starts_with("pulley64"), "{}", info.target);
            }
            // And precompiling for a Pulley engine matches it.
            let cwasm = wasmtime_dyn::precompile_for(Flavour::Full.load(), &pulley, ADD).unwrap();
            // SAFETY: the artifact was just made by the official library.
            unsafe { Module::deserialize(&pulley, &cwasm) }.unwrap();
        }
        Err(err) => eprintln!("no Pulley interpreter: {err}"),
    }
}

#[test]
fn cranelift_flags_that_would_abort_are_typed_errors() {
    child::isolate("cranelift_flags_that_would_abort_are_typed_errors", || {
        let flavour = Flavour::Full;
        // SAFETY (every `cranelift_flag_*` below): the flags only reach
        // Engine::new, which refuses them or compiles code that is run
        // here only when the flag leaves it correct.
        let message = refused(
            engine(flavour, |c| unsafe {
                c.cranelift_flag_set("no_such_flag", "1");
            }),
            &["no_such_flag", "opt_level", "regalloc_algorithm"],
        );
        assert!(message.contains("abort"), "{message}");
        refused(
            engine(flavour, |c| unsafe {
                c.cranelift_flag_enable("no_such_flag");
            }),
            &["no_such_flag", "enable_verifier"],
        );
        refused(
            engine(flavour, |c| unsafe {
                c.cranelift_flag_set("opt_level", "fastest");
            }),
            &["opt_level", "none, speed, speed_and_size"],
        );
        refused(
            engine(flavour, |c| unsafe {
                c.cranelift_flag_enable("opt_level");
            }),
            &["opt_level", "not a boolean"],
        );
        refused(
            engine(flavour, |c| unsafe {
                c.cranelift_flag_set("enable_verifier", "maybe");
            }),
            &["enable_verifier", "boolean"],
        );
        refused(
            engine(flavour, |c| unsafe {
                c.cranelift_flag_set("probestack_size_log2", "300");
            }),
            &["probestack_size_log2", "0 to 255"],
        );
        refused(
            engine(flavour, |c| unsafe {
                c.cranelift_flag_set("wasmtime_inlining_small_callee_size", "x");
            }),
            &["wasmtime_inlining_small_callee_size"],
        );
        refused(
            engine(flavour, |c| unsafe {
                c.cranelift_flag_set("enable\0verifier", "true");
            }),
            &["NUL"],
        );
        // Wasmtime's own refusals of flag combinations.
        refused(
            engine(flavour, |c| unsafe {
                c.native_unwind_info(true)
                    .cranelift_flag_set("unwind_info", "false");
            }),
            &["unwind_info", "native_unwind_info(true)"],
        );
        // Without signals-based traps the Spectre mitigations must be off:
        // Pulley's default...
        refused(
            engine(flavour, |c| unsafe {
                c.target("pulley64")
                    .unwrap()
                    .cranelift_flag_set("enable_heap_access_spectre_mitigation", "true");
            }),
            &[
                "enable_heap_access_spectre_mitigation",
                "signals-based traps",
            ],
        );
        // ...or asked for, where the library has the setter (39 on).
        match engine(flavour, |c| {
            c.signals_based_traps(false);
        }) {
            Ok(_) => {
                refused(
                    engine(flavour, |c| unsafe {
                        c.signals_based_traps(false)
                            .cranelift_flag_set("enable_heap_access_spectre_mitigation", "true");
                    }),
                    &[
                        "enable_heap_access_spectre_mitigation",
                        "signals-based traps",
                    ],
                );
            }
            Err(err) => eprintln!("{}", too_old_for(&err, "signals_based_traps")),
        }
        refused(
            engine(flavour, |c| unsafe {
                c.target("pulley64")
                    .unwrap()
                    .cranelift_flag_set("enable_table_access_spectre_mitigation", "on");
            }),
            &["enable_table_access_spectre_mitigation"],
        );
        refused(
            engine(flavour, |c| unsafe {
                c.wasm_stack_switching(true)
                    .cranelift_flag_set("stack_switch_model", "none");
            }),
            &["stack_switch_model"],
        );
        if cfg!(target_arch = "x86_64") {
            // A preset is enabled, never set.
            refused(
                engine(flavour, |c| unsafe {
                    c.cranelift_flag_set("skylake", "true");
                }),
                &["preset", "cranelift_flag_enable(\"skylake\")"],
            );
            // x86 settings are not Pulley's.
            refused(
                engine(flavour, |c| unsafe {
                    c.target("pulley64")
                        .unwrap()
                        .cranelift_flag_enable("has_avx");
                }),
                &["has_avx"],
            );
        }
        // A library without a compiler has no Cranelift.
        if round_has(Flavour::Min) {
            let result = engine(Flavour::Min, |c| unsafe {
                c.cranelift_flag_enable("enable_verifier");
            });
            unsupported(result, Capability::Compiler);
        }
    });
}

#[test]
fn valid_cranelift_flags_reach_the_compiler() {
    for flavour in flavours() {
        let lib = flavour.load();
        if !lib.has(Capability::Compiler) {
            continue;
        }
        let build = |regalloc: &str| {
            // SAFETY: none of these changes what the code does.
            engine(flavour, |c| unsafe {
                c.cranelift_flag_set("opt_level", "speed_and_size")
                    .cranelift_flag_set("regalloc_algorithm", regalloc)
                    .cranelift_flag_set("probestack_size_log2", "12")
                    .cranelift_flag_set("enable_verifier", "yes")
                    .cranelift_flag_enable("enable_alias_analysis");
                c.native_unwind_info(true)
                    .cranelift_flag_set("unwind_info", "true");
            })
        };
        let (engine, regalloc) = match build("single_pass") {
            Ok(engine) => (engine, "single_pass"),
            Err(err) => {
                // A Cranelift without the single-pass allocator (36's):
                // refused, naming the values this one takes, which are
                // then taken.
                let message = refused(
                    Err::<Engine, _>(err),
                    &["regalloc_algorithm", "takes one of", "backtracking"],
                );
                let (_, values) = message.split_once("takes one of").unwrap();
                assert!(!values.contains("single_pass"), "{message}");
                eprintln!("{flavour:?}: {message}");
                (build("backtracking").unwrap(), "backtracking")
            }
        };
        adds(&engine);
        if let Some(info) = inspect(&engine.precompile_module(ADD).unwrap()) {
            assert_eq!(
                info.shared_flag("opt_level").map(ToString::to_string),
                Some("speed_and_size".into()),
                "{flavour:?}"
            );
            assert_eq!(
                info.shared_flag("regalloc_algorithm")
                    .map(ToString::to_string),
                Some(regalloc.into())
            );
        }
        if cfg!(target_arch = "x86_64") {
            // Presets and CPU features of an explicit host target.
            // SAFETY: the code compiled here is not run unless this host
            // has SSE4.2, which Wasmtime checks when loading it.
            let engine = self::engine(flavour, |c| unsafe {
                c.target("x86_64-unknown-linux-gnu")
                    .unwrap()
                    .cranelift_flag_enable("nehalem")
                    .cranelift_flag_set("has_avx", "false");
            })
            .unwrap();
            let cwasm = engine.precompile_module(ADD).unwrap();
            if let Some(info) = inspect(&cwasm) {
                assert_eq!(
                    info.isa_flag("has_sse42").map(ToString::to_string),
                    Some("true".into())
                );
                assert_eq!(
                    info.isa_flag("has_avx").map(ToString::to_string),
                    Some("false".into())
                );
            }
        }
    }
}
