//! `precompile_for` with a target *engine*: the artifact is compiled with
//! the engine's settings, so that engine takes it whatever its settings
//! (fuel, epochs...), or the error names the setting the compiling library
//! cannot match.

mod common;

use common::{child, kind, round_has, trap, Flavour};
use wasmtime_dyn::{
    cwasm, precompile_for, Config, Engine, ErrorKind, Instance, Module, OptLevel, Store, Trap,
};

/// `spin(n)` loops `n` times (checking fuel and the epoch at each loop
/// head) and returns `n`.
const SPIN: &str = r#"(module
    (memory (export "memory") 1)
    (func (export "spin") (param $n i32) (result i32) (local $i i32)
        (loop $l
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
        local.get $i))"#;

/// The library the target engines are made of: the minimal build where
/// this round has one, else (full-only rounds) the full library, which
/// exercises the same path with a compiler on both sides.
fn target_flavour() -> Flavour {
    if common::full_only() {
        eprintln!("full-only round: the target engines are of the full library");
        Flavour::Full
    } else {
        Flavour::Min
    }
}

fn fuel_and_epochs(config: &mut Config) {
    config.consume_fuel(true).epoch_interruption(true);
}

/// `cwasm::preflight`, where this crate decodes the major's layout (47 to
/// 50); `None` (saying so) for 45 and 46, whose artifacts only Wasmtime
/// itself checks here.
fn preflight(engine: &Engine, bytes: &[u8]) -> Option<cwasm::CwasmInfo> {
    match cwasm::preflight(engine, bytes) {
        Ok(info) => Some(info),
        Err(err) if matches!(kind(&err), Some(ErrorKind::UnknownArtifactLayout { .. })) => {
            eprintln!("not checked in the artifact: {err}");
            None
        }
        Err(err) => panic!("{err:?}"),
    }
}

/// The message of an `IncompatibleArtifact` error.
fn incompatible(err: &wasmtime_dyn::Error) -> String {
    match kind(err) {
        Some(ErrorKind::IncompatibleArtifact(why)) => why.clone(),
        _ => panic!("expected ErrorKind::IncompatibleArtifact, got {err:?}"),
    }
}

#[test]
fn one_step_for_a_minimal_engine_with_fuel_and_epochs() {
    let full = Flavour::Full.load();
    let lib = target_flavour().load();
    let mut config = Config::new(lib);
    fuel_and_epochs(&mut config);
    let engine = Engine::new(lib, &config).unwrap();

    // Before: an artifact for the library's capabilities only is refused
    // by this engine, which meters fuel.
    let plain = precompile_for(full, lib.capabilities(), SPIN).unwrap();
    // SAFETY: the artifact was just made by the official library.
    let why = format!(
        "{:?}",
        unsafe { Module::deserialize(&engine, &plain) }.unwrap_err()
    );
    assert!(why.contains("fuel support"), "{why}");

    // Now: one step, for the engine itself.
    let cwasm = precompile_for(full, &engine, SPIN).unwrap();
    if let Some(info) = preflight(&engine, &cwasm) {
        assert!(info.tunables.consume_fuel && info.tunables.epoch_interruption);
    }
    // SAFETY: as above.
    let module = unsafe { Module::deserialize(&engine, &cwasm) }.unwrap();

    // Fuel is consumed, and running out of it traps.
    let mut store = Store::new(&engine, ());
    store.set_epoch_deadline(1_000_000);
    store.set_fuel(1_000_000).unwrap();
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    let spin = instance
        .get_typed_func::<i32, i32>(&mut store, "spin")
        .unwrap();
    assert_eq!(spin.call(&mut store, 1000).unwrap(), 1000);
    let left = store.get_fuel().unwrap();
    assert!(left < 1_000_000 - 1000, "{left} fuel left");
    store.set_fuel(100).unwrap();
    let err = spin.call(&mut store, 1_000_000).unwrap_err();
    assert_eq!(trap(&err), Some(Trap::OutOfFuel), "{err:?}");

    // The epoch deadline traps.
    store.set_fuel(u64::MAX / 2).unwrap();
    store.set_epoch_deadline(1);
    engine.increment_epoch();
    let err = spin.call(&mut store, 1_000_000).unwrap_err();
    assert_eq!(trap(&err), Some(Trap::Interrupt), "{err:?}");
}

#[test]
fn memory_and_trap_settings_of_the_target_engine_are_matched() {
    let full = Flavour::Full.load();
    let lib = target_flavour().load();
    let config = |signals_off: bool| {
        let mut config = Config::new(lib);
        config
            .memory_reservation(1 << 30)
            .memory_guard_size(64 << 10)
            .memory_reservation_for_growth(1 << 20)
            .memory_init_cow(false)
            .wasm_relaxed_simd_deterministic(true)
            .debug_info(true);
        if signals_off {
            config.signals_based_traps(false);
        }
        config
    };
    let (engine, signals_off) = match Engine::new(lib, &config(true)) {
        Ok(engine) => (engine, true),
        Err(err) => {
            // Before 39 the C API has no setter for signals-based traps:
            // refused by name; the other settings are matched without it.
            let why = match kind(&err) {
                Some(ErrorKind::UnsupportedVersion { feature, .. })
                    if *feature == "signals_based_traps" =>
                {
                    common::too_old_why(&err)
                }
                _ => None,
            }
            .unwrap_or_else(|| panic!("{err:?}"));
            eprintln!("{why}");
            (Engine::new(lib, &config(false)).unwrap(), false)
        }
    };
    let cwasm = precompile_for(full, &engine, SPIN).unwrap();
    if let Some(info) = preflight(&engine, &cwasm) {
        assert_eq!(info.tunables.memory_reservation, 1 << 30);
        assert_eq!(info.tunables.memory_guard_size, 64 << 10);
        assert_eq!(info.tunables.signals_based_traps, !signals_off);
        assert!(info.tunables.debug_native);
    }
    // SAFETY: the artifact was just made by the official library.
    let module = unsafe { Module::deserialize(&engine, &cwasm) }.unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    let spin = instance
        .get_typed_func::<i32, i32>(&mut store, "spin")
        .unwrap();
    assert_eq!(spin.call(&mut store, 10).unwrap(), 10);
}

#[test]
fn a_compiling_engine_contributes_its_compiler_settings() {
    let full = Flavour::Full.load();
    let mut config = Config::new(full);
    config
        .compiler()
        .unwrap()
        .cranelift_opt_level(OptLevel::SpeedAndSize);
    let compiling = Engine::new(full, &config).unwrap();
    let lib = target_flavour().load();
    let mut target = Config::new(lib);
    target.consume_fuel(true);
    let engine = Engine::new(lib, &target).unwrap();
    let cwasm = precompile_for(&compiling, &engine, SPIN).unwrap();
    if let Some(info) = preflight(&engine, &cwasm) {
        assert_eq!(
            info.shared_flag("opt_level").map(ToString::to_string),
            Some("speed_and_size".into())
        );
        assert!(info.tunables.consume_fuel);
    }
    // SAFETY: the artifact was just made by the official library.
    unsafe { Module::deserialize(&engine, &cwasm) }.unwrap();
}

#[test]
fn the_target_engines_strategy_is_matched() {
    let full = Flavour::Full.load();
    if !full.has_winch() {
        eprintln!("this full library has no Winch");
        return;
    }
    let mut config = Config::new(full);
    config
        .compiler()
        .unwrap()
        .strategy(wasmtime_dyn::Strategy::Winch);
    let engine = Engine::new(full, &config).unwrap();
    let cwasm = precompile_for(full, &engine, SPIN).unwrap();
    if let Some(info) = preflight(&engine, &cwasm) {
        assert!(info.tunables.winch_callable);
    }
    // SAFETY: the artifact was just made by the official library.
    unsafe { Module::deserialize(&engine, &cwasm) }.unwrap();
}

/// `WASMTIME_BACKTRACE_DETAILS` is read when an engine's configuration is
/// made, and the C API has no setter for what it decides: a target engine
/// made with it set cannot be matched by an engine made without. In a
/// child process, which alone changes its environment.
#[test]
fn a_setting_the_compiling_library_cannot_match_is_named() {
    child::isolate(
        "a_setting_the_compiling_library_cannot_match_is_named",
        || {
            let full = Flavour::Full.load();
            std::env::set_var("WASMTIME_BACKTRACE_DETAILS", "1");
            let engine = Engine::default_for(full).unwrap();
            std::env::remove_var("WASMTIME_BACKTRACE_DETAILS");
            let err = precompile_for(full, &engine, SPIN).unwrap_err();
            let why = incompatible(&err);
            eprintln!("{why}");
            assert!(why.contains("`WASMTIME_BACKTRACE_DETAILS`"), "{why}");
            // With the variable set again, both sides agree.
            std::env::set_var("WASMTIME_BACKTRACE_DETAILS", "1");
            let cwasm = precompile_for(full, &engine, SPIN).unwrap();
            // SAFETY: the artifact was just made by the official library.
            unsafe { Module::deserialize(&engine, &cwasm) }.unwrap();
        },
    );
}

/// A compiling library without GC or component-model async cannot match
/// a full engine's defaults (concurrency support on) or an explicitly
/// enabled GC proposal.
#[test]
fn settings_a_compiler_only_build_cannot_match_are_named() {
    if !round_has(Flavour::CompilerOnly) {
        return;
    }
    let compiler_only = Flavour::CompilerOnly.load();
    let full = Flavour::Full.load();
    let facts = common::build_facts();
    let engine = Engine::default_for(full).unwrap();
    let why = incompatible(&precompile_for(compiler_only, &engine, SPIN).unwrap_err());
    eprintln!("{why}");
    for setting in facts.compiler_only_cannot_match {
        assert!(why.contains(&format!("`{setting}`")), "{setting}: {why}");
    }
    // Those settings turned off on the full library.
    let matched = || {
        let mut config = Config::new(full);
        for setting in facts.compiler_only_cannot_match {
            match *setting {
                "concurrency_support" => {
                    config.concurrency_support(false);
                }
                "wasm_threads" => {
                    config.threads().unwrap().wasm_threads(false);
                }
                "wasm_component_model" => {
                    config.wasm_component_model(false);
                }
                other => panic!("no setter for {other}"),
            }
        }
        config
    };

    if !facts.always.contains(&wasmtime_dyn::Capability::Gc) {
        let mut config = matched();
        config.wasm_gc(true);
        let engine = Engine::new(full, &config).unwrap();
        let why = incompatible(&precompile_for(compiler_only, &engine, SPIN).unwrap_err());
        eprintln!("{why}");
        assert!(why.contains("`wasm_gc(true)`"), "{why}");
    }

    // Without those, the compiler-only build makes what the full engine takes.
    let mut config = matched();
    config.consume_fuel(true);
    let engine = Engine::new(full, &config).unwrap();
    let cwasm = precompile_for(compiler_only, &engine, SPIN).unwrap();
    // SAFETY: the artifact was just made by the compiler-only build.
    unsafe { Module::deserialize(&engine, &cwasm) }.unwrap();
}

#[test]
fn detect_precompiled_tells_modules_from_everything_else() {
    use wasmtime_dyn::cwasm::Precompiled;
    let full = Flavour::Full.load();
    let engine = Engine::default_for(full).unwrap();
    let cwasm = engine.precompile_module(SPIN).unwrap();
    assert_eq!(
        Engine::detect_precompiled(&cwasm),
        Some(Precompiled::Module)
    );
    let wasm = engine.wat().unwrap().to_wasm(SPIN).unwrap();
    assert_eq!(Engine::detect_precompiled(&wasm), None);
    assert_eq!(Engine::detect_precompiled(SPIN.as_bytes()), None);
    assert_eq!(Engine::detect_precompiled(&cwasm[..40]), None);
    assert_eq!(Engine::detect_precompiled(b""), None);
    // An ELF file that is not Wasmtime's (another OS ABI byte).
    let mut other = cwasm.clone();
    other[7] = 0;
    assert_eq!(Engine::detect_precompiled(&other), None);
    // Artifacts of other majors are still artifacts.
    for fixture in ["v45-default.cwasm", "v50-default.cwasm"] {
        let bytes = std::fs::read(format!("tests/fixtures/{fixture}")).unwrap();
        assert_eq!(
            Engine::detect_precompiled(&bytes),
            Some(Precompiled::Module),
            "{fixture}"
        );
    }
}
