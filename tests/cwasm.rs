//! `.cwasm` inspection and preflight, against artifacts made by the real
//! libraries: the preflight verdict must be what `Module::deserialize` then
//! does.

mod common;
#[path = "cwasm/majors.rs"]
mod majors;
#[path = "cwasm/raw_capi.rs"]
mod raw_capi;

use common::Flavour;
use wasmtime_dyn::cwasm::{self, ArtifactKind, FlagValue};
use wasmtime_dyn::{
    precompile_for, Capabilities, Capability, Config, Engine, Error, ErrorKind, Module,
};
use wasmtime_dyn::{Store, Wasmtime};

const WAT: &str = r#"(module
    (memory (export "memory") 1)
    (table 2 funcref)
    (global $count (mut i32) (i32.const 0))
    (func (export "run") (param i32) (result i32)
        global.get $count i32.const 1 i32.add global.set $count
        local.get 0 i32.const 1 i32.add))"#;

type Configure = Box<dyn Fn(&mut Config)>;

fn config(f: impl Fn(&mut Config) + 'static) -> Configure {
    Box::new(f)
}

fn engine(lib: &'static Wasmtime, configure: &dyn Fn(&mut Config)) -> Engine {
    let mut config = Config::new(lib);
    configure(&mut config);
    Engine::new(lib, &config).unwrap_or_else(|e| panic!("engine: {e}"))
}

/// `WAT` precompiled by an engine of `lib` set up by `configure`.
fn artifact(lib: &'static Wasmtime, configure: &dyn Fn(&mut Config)) -> Vec<u8> {
    let engine = engine(lib, configure);
    let wasm = engine.wat().unwrap().to_wasm(WAT).unwrap();
    engine.compiler().unwrap().precompile(&wasm).unwrap()
}

/// Deserializes an artifact made (and maybe mutated) by these tests.
fn deserialize(engine: &Engine, bytes: &[u8]) -> Result<Module, Error> {
    // SAFETY: every artifact deserialized here was made in this process by
    // one of the real libraries; mutated ones differ only in the engine
    // section, which Wasmtime checks before it touches the code.
    unsafe { Module::deserialize(engine, bytes) }
}

/// Wasmtime's message for `err` on one line: Wasmtime prints its error's
/// context chain on lines of their own, preflight joins them with ": ".
fn wasmtime_says(err: &Error) -> String {
    err.to_string()
        .replace("\n\nCaused by:\n    ", ": ")
        .trim_end()
        .to_string()
}

/// The crate's own failure `result` holds, if it failed with one.
fn kind_of<T>(result: &Result<T, Error>) -> Option<&ErrorKind> {
    result.as_ref().err().and_then(common::kind)
}

fn min_caps() -> Capabilities {
    Flavour::Min.load().capabilities()
}

/// Settings for artifacts the minimal build should take, plus `extra`.
fn for_min(extra: impl Fn(&mut Config) + 'static) -> Configure {
    config(move |c| {
        c.for_target(min_caps());
        extra(c);
    })
}

/// Instantiates `module` and calls its export (with fuel where the engine
/// counts it).
fn run(engine: &Engine, module: &Module) -> i32 {
    let mut store = Store::new(engine, ());
    if cwasm::engine_profile(engine).tunables.consume_fuel {
        store.set_fuel(10_000).unwrap();
    }
    let instance = wasmtime_dyn::Instance::new(&mut store, module, &[]).unwrap();
    let run = instance
        .get_typed_func::<i32, i32>(&mut store, "run")
        .unwrap();
    run.call(&mut store, 41).unwrap()
}

/// Whether this round's libraries make artifacts whose engine section
/// `cwasm` decodes (47 to 50) and the round has the minimal and
/// compiler-only builds these tests compare with (48 and 50). Other rounds
/// run the fixture tests, which need no library of the round.
fn live_round() -> bool {
    let major = common::expected_major();
    let on = (47..=50).contains(&major) && !common::full_only();
    if !on {
        eprintln!(
            "not run in this round: Wasmtime {major} has no minimal and compiler-only builds \
             here (cargo xtask artifacts builds them for 48 and 50)"
        );
    }
    on
}

/// (a) Made for the minimal build: preflight and deserialization agree.
#[test]
fn artifact_for_min_passes_preflight_and_deserializes_on_min() {
    if !live_round() {
        return;
    }
    let (full, min) = (Flavour::Full.load(), Flavour::Min.load());
    let bytes = precompile_for(full, min.capabilities(), WAT).unwrap();
    let engine = Engine::default_for(min).unwrap();
    let info = cwasm::preflight(&engine, &bytes).unwrap();
    assert_eq!(info.kind, ArtifactKind::Module);
    assert!(!info.has_feature("threads") && !info.has_feature("gc_types"));
    assert_eq!(info.tunables.collector, None);
    assert!(!info.tunables.concurrency_support);
    let module = deserialize(&engine, &bytes).unwrap();
    assert_eq!(run(&engine, &module), 42);
}

/// (b) A default full-build artifact needs GC, threads, exceptions...
#[test]
fn default_full_artifact_fails_preflight_and_deserialization_on_min() {
    if !live_round() {
        return;
    }
    let (full, min) = (Flavour::Full.load(), Flavour::Min.load());
    let bytes = artifact(full, &|_| {});
    let engine = Engine::default_for(min).unwrap();
    let pre = cwasm::preflight(&engine, &bytes);
    let Some(ErrorKind::IncompatibleArtifact(why)) = kind_of(&pre) else {
        panic!("preflight accepted a full-build artifact on min: {pre:?}");
    };
    for feature in ["GC", "`threads`", "`exceptions`", "`gc_types`"] {
        assert!(why.contains(feature), "{feature} not in: {why}");
    }
    let Err(err) = deserialize(&engine, &bytes) else {
        panic!("min took it")
    };
    // Wasmtime stops at the first problem, which preflight lists first.
    assert!(why.starts_with(&err.to_string()), "{err} vs {why}");
}

/// (c) Fuel metering must be on in both or in neither.
#[test]
fn fuel_must_match() {
    if !live_round() {
        return;
    }
    let (full, min) = (Flavour::Full.load(), Flavour::Min.load());
    let fuel = artifact(
        full,
        &*for_min(|c| {
            c.consume_fuel(true);
        }),
    );
    assert!(cwasm::inspect(&fuel).unwrap().tunables.consume_fuel);

    let plain = Engine::default_for(min).unwrap();
    let pre = cwasm::preflight(&plain, &fuel);
    let Some(ErrorKind::IncompatibleArtifact(why)) = kind_of(&pre) else {
        panic!("fuel artifact accepted by an engine without fuel: {pre:?}");
    };
    assert_eq!(
        why,
        "Module was compiled with fuel support but it is not enabled for the host"
    );
    let Err(err) = deserialize(&plain, &fuel) else {
        panic!("deserialized")
    };
    assert!(err.to_string().contains("fuel"), "{err}");

    let counting = engine(min, &|c| {
        c.consume_fuel(true);
    });
    cwasm::preflight(&counting, &fuel).unwrap();
    let module = deserialize(&counting, &fuel).unwrap();
    assert_eq!(run(&counting, &module), 42);

    // And the other way round.
    let no_fuel = precompile_for(full, min.capabilities(), WAT).unwrap();
    let why = cwasm::preflight(&counting, &no_fuel)
        .unwrap_err()
        .to_string();
    assert!(why.contains("without fuel support"), "{why}");
    assert!(deserialize(&counting, &no_fuel).is_err());
}

/// (d) What inspect reads out of real artifacts.
#[test]
fn inspect_reports_what_the_artifact_says() {
    if !live_round() {
        return;
    }
    let full = Flavour::Full.load();
    let bytes = artifact(full, &|_| {});
    let info = cwasm::inspect(&bytes).unwrap();
    assert_eq!(info.version, common::expected_major().to_string());
    assert!(info.target.contains("x86_64"), "{}", info.target);
    assert!(info.target.contains("linux"), "{}", info.target);
    assert_eq!(info.kind, ArtifactKind::Module);
    assert_eq!(info.e_flags & cwasm::EF_WASMTIME_MODULE, 1);
    assert_eq!(
        info.shared_flag("preserve_frame_pointers"),
        Some(&FlagValue::Bool(true))
    );
    assert_eq!(
        info.shared_flag("probestack_strategy"),
        Some(&FlagValue::Enum("inline".into()))
    );
    // Compiled for this machine: the CPU features it has are recorded.
    assert_eq!(
        info.isa_flag("has_sse3"),
        Some(&FlagValue::Bool(std::is_x86_feature_detected!("sse3")))
    );
    for feature in [
        "simd",
        "threads",
        "gc",
        "gc_types",
        "exceptions",
        "component_model",
    ] {
        assert!(info.has_feature(feature), "{feature}: {:?}", info.features);
    }
    assert_eq!(cwasm::feature_names(info.feature_bits), info.features);
    let t = &info.tunables;
    assert_eq!(t.memory_reservation, 4 << 30);
    assert_eq!(t.memory_guard_size, 32 << 20);
    assert!(t.memory_may_move && t.memory_init_cow && t.signals_based_traps);
    assert!(
        t.concurrency_support,
        "the full build has component-model-async"
    );
    assert_eq!(
        t.collector,
        Some(cwasm::Collector::DeferredReferenceCounting)
    );
    assert!(!t.consume_fuel && !t.epoch_interruption && !t.debug_native);

    let small = artifact(full, &|c| {
        c.memory_reservation(1 << 30)
            .memory_guard_size(64 << 10)
            .epoch_interruption(true);
    });
    let t = cwasm::inspect(&small).unwrap().tunables;
    assert_eq!(
        (t.memory_reservation, t.memory_guard_size),
        (1 << 30, 64 << 10)
    );
    assert!(t.epoch_interruption);
}

/// Every setting this crate exposes that the model of the engine's side
/// depends on, each alone, for a library with a compiler.
fn settings_variants(lib: &'static Wasmtime) -> Vec<(&'static str, Configure)> {
    let mut v: Vec<(&'static str, Configure)> = vec![
        ("default", config(|_| {})),
        (
            "fuel",
            config(|c| {
                c.consume_fuel(true);
            }),
        ),
        (
            "epoch",
            config(|c| {
                c.epoch_interruption(true);
            }),
        ),
        (
            "debug info",
            config(|c| {
                c.debug_info(true);
            }),
        ),
        (
            "reservation 1 GiB",
            config(|c| {
                c.memory_reservation(1 << 30);
            }),
        ),
        (
            "guard 64 KiB",
            config(|c| {
                c.memory_guard_size(64 << 10);
            }),
        ),
        (
            "growth 0",
            config(|c| {
                c.memory_reservation_for_growth(0);
            }),
        ),
        (
            "static memory",
            config(|c| {
                c.memory_may_move(false);
            }),
        ),
        (
            "no cow",
            config(|c| {
                c.memory_init_cow(false);
            }),
        ),
        (
            "no signals",
            config(|c| {
                c.signals_based_traps(false);
            }),
        ),
        (
            "deterministic relaxed simd",
            config(|c| {
                c.wasm_relaxed_simd_deterministic(true);
            }),
        ),
        (
            "no simd",
            config(|c| {
                c.wasm_simd(false).wasm_relaxed_simd(false);
            }),
        ),
        (
            "no tail calls",
            config(|c| {
                c.wasm_tail_call(false);
            }),
        ),
        (
            "no memory64",
            config(|c| {
                c.wasm_memory64(false);
            }),
        ),
        (
            "no multi-memory",
            config(|c| {
                c.wasm_multi_memory(false);
            }),
        ),
        (
            "wide arithmetic",
            config(|c| {
                c.wasm_wide_arithmetic(true);
            }),
        ),
        (
            "custom page sizes",
            config(|c| {
                c.wasm_custom_page_sizes(true);
            }),
        ),
        (
            "stack switching",
            config(|c| {
                c.wasm_stack_switching(true);
            }),
        ),
        (
            "branch hinting",
            config(|c| {
                c.wasm_branch_hinting(true);
            }),
        ),
        ("for min", for_min(|_| {})),
        (
            "for min, fuel",
            for_min(|c| {
                c.consume_fuel(true);
            }),
        ),
        (
            "for min, stack switching",
            for_min(|c| {
                c.wasm_stack_switching(true);
            }),
        ),
    ];
    let caps = lib.capabilities();
    if caps.contains(Capability::Gc) {
        v.push((
            "no exceptions",
            config(|c| {
                c.gc().unwrap().wasm_exceptions(false);
            }),
        ));
        v.push((
            "no gc proposal",
            config(|c| {
                c.gc().unwrap().wasm_gc(false);
            }),
        ));
    }
    if caps.contains(Capability::Threads) {
        v.push((
            "no threads",
            config(|c| {
                c.threads().unwrap().wasm_threads(false);
            }),
        ));
    }
    if caps.contains(Capability::ComponentModelAsync) {
        v.push((
            "no concurrency",
            config(|c| {
                c.concurrency_support(false);
            }),
        ));
    }
    if lib.has_winch() {
        v.push((
            "winch for min",
            for_min(|c| {
                c.compiler()
                    .unwrap()
                    .strategy(wasmtime_dyn::Strategy::Winch);
            }),
        ));
    }
    v
}

/// The engine's side, as preflight works it out, is exactly what the engine
/// writes into the artifacts it compiles.
#[test]
fn engine_profile_matches_what_the_engine_writes() {
    if !live_round() {
        return;
    }
    for flavour in [Flavour::Full, Flavour::CompilerOnly] {
        let lib = flavour.load();
        for (name, configure) in settings_variants(lib) {
            let engine = engine(lib, &*configure);
            let wasm = engine.wat().unwrap().to_wasm(WAT).unwrap();
            let bytes = engine.compiler().unwrap().precompile(&wasm).unwrap();
            let info = cwasm::inspect(&bytes).unwrap();
            let profile = cwasm::engine_profile(&engine);
            assert_eq!(
                profile.tunables, info.tunables,
                "{flavour:?} {name}: tunables"
            );
            assert_eq!(
                profile.features(),
                info.features,
                "{flavour:?} {name}: features"
            );
            assert_eq!(profile.gc, info.tunables.collector.is_some());
            cwasm::preflight(&engine, &bytes)
                .unwrap_or_else(|e| panic!("{flavour:?} {name}: own artifact refused: {e}"));
        }
    }
}

/// Artifacts made by the libraries with compilers, under several settings.
fn artifact_matrix() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let full = Flavour::Full.load();
    for (name, configure) in settings_variants(full) {
        out.push((format!("full {name}"), artifact(full, &*configure)));
    }
    let extra: Vec<(&str, Configure)> = vec![
        (
            "for min, epoch",
            for_min(|c| {
                c.epoch_interruption(true);
            }),
        ),
        (
            "for min, guard 64 KiB",
            for_min(|c| {
                c.memory_guard_size(64 << 10);
            }),
        ),
        (
            "for min, no signals",
            for_min(|c| {
                c.signals_based_traps(false);
            }),
        ),
        (
            "for min, static memory",
            for_min(|c| {
                c.memory_may_move(false);
            }),
        ),
        (
            "for min, debug info",
            for_min(|c| {
                c.debug_info(true);
            }),
        ),
        (
            "for min, wide arithmetic",
            for_min(|c| {
                c.wasm_wide_arithmetic(true);
            }),
        ),
        (
            "for min, no simd",
            for_min(|c| {
                c.wasm_simd(false).wasm_relaxed_simd(false);
            }),
        ),
        (
            "without gc",
            config(|c| {
                let caps: Capabilities = full
                    .capabilities()
                    .iter()
                    .filter(|&c| c != Capability::Gc)
                    .collect();
                c.for_target(caps);
            }),
        ),
    ];
    for (name, configure) in extra {
        out.push((format!("full {name}"), artifact(full, &*configure)));
    }
    let only = Flavour::CompilerOnly.load();
    for (name, configure) in [
        ("default", config(|_| {})),
        (
            "fuel",
            config(|c| {
                c.consume_fuel(true);
            }),
        ),
        (
            "epoch",
            config(|c| {
                c.epoch_interruption(true);
            }),
        ),
    ] {
        out.push((format!("compiler-only {name}"), artifact(only, &*configure)));
    }
    out
}

/// Engines of every library, under several settings.
fn engine_matrix() -> Vec<(String, Engine)> {
    let mut out = Vec::new();
    let common: Vec<(&str, Configure)> = vec![
        ("default", config(|_| {})),
        (
            "fuel",
            config(|c| {
                c.consume_fuel(true);
            }),
        ),
        (
            "epoch",
            config(|c| {
                c.epoch_interruption(true);
            }),
        ),
        (
            "guard 64 KiB",
            config(|c| {
                c.memory_guard_size(64 << 10);
            }),
        ),
        (
            "no signals",
            config(|c| {
                c.signals_based_traps(false);
            }),
        ),
        (
            "static memory",
            config(|c| {
                c.memory_may_move(false);
            }),
        ),
        (
            "debug info",
            config(|c| {
                c.debug_info(true);
            }),
        ),
        (
            "wide arithmetic",
            config(|c| {
                c.wasm_wide_arithmetic(true);
            }),
        ),
        (
            "no simd",
            config(|c| {
                c.wasm_simd(false).wasm_relaxed_simd(false);
            }),
        ),
        (
            "stack switching",
            config(|c| {
                c.wasm_stack_switching(true);
            }),
        ),
        ("for min", for_min(|_| {})),
        (
            "for min, fuel",
            for_min(|c| {
                c.consume_fuel(true);
            }),
        ),
    ];
    for flavour in common::FLAVOURS {
        let lib = flavour.load();
        for (name, configure) in &common {
            out.push((format!("{flavour:?} {name}"), engine(lib, &**configure)));
        }
    }
    out
}

/// The key property: over artifacts × engines × libraries, preflight says
/// yes exactly when deserializing works, and when both say no, Wasmtime's
/// reason is the first one preflight gives.
#[test]
fn preflight_agrees_with_deserialize_over_a_matrix() {
    if !live_round() {
        return;
    }
    let artifacts = artifact_matrix();
    let engines = engine_matrix();
    let mut disagreements = Vec::new();
    let (mut accepted, mut refused) = (0, 0);
    for (engine_name, engine) in &engines {
        for (artifact_name, bytes) in &artifacts {
            let pre = cwasm::preflight(engine, bytes);
            let real = deserialize(engine, bytes);
            match (&pre, kind_of(&pre), &real) {
                (Ok(_), _, Ok(_)) => accepted += 1,
                (_, Some(ErrorKind::IncompatibleArtifact(why)), Err(err)) => {
                    refused += 1;
                    let err = wasmtime_says(err);
                    if !why.starts_with(&err) {
                        disagreements.push(format!(
                            "{artifact_name} on {engine_name}: Wasmtime says {err:?}, \
                             preflight {why:?}"
                        ));
                    }
                }
                _ => disagreements.push(format!(
                    "{artifact_name} on {engine_name}: preflight {:?}, deserialize {:?}",
                    pre.map(|_| ()),
                    real.map(|_| ())
                )),
            }
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} disagreements:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
    // The matrix exercises both outcomes plentifully.
    eprintln!(
        "{} artifacts on {} engines: {accepted} accepted, {refused} refused",
        artifacts.len(),
        engines.len()
    );
    assert!(accepted > 40 && refused > 200, "{accepted} / {refused}");
}

/// The file range of the engine section, found with the `object` crate.
fn engine_section_range(bytes: &[u8]) -> std::ops::Range<usize> {
    use object::{Object, ObjectSection};
    let file = object::File::parse(bytes).unwrap();
    let section = file.section_by_name(cwasm::ENGINE_SECTION).unwrap();
    let (offset, size) = section.file_range().unwrap();
    offset as usize..(offset + size) as usize
}

/// Single-byte changes to the engine section (which Wasmtime reads before
/// anything else): preflight and deserialize still agree on every one.
#[test]
fn engine_section_mutations_agree_with_deserialize() {
    if !live_round() {
        return;
    }
    let (full, min) = (Flavour::Full.load(), Flavour::Min.load());
    let cases = [
        (
            precompile_for(full, min.capabilities(), WAT).unwrap(),
            Engine::default_for(min).unwrap(),
        ),
        (artifact(full, &|_| {}), Engine::default_for(full).unwrap()),
    ];
    let mut disagreements = Vec::new();
    let (mut tried, mut accepted) = (0, 0);
    for (original, engine) in &cases {
        let range = engine_section_range(original);
        for at in range {
            let byte = original[at];
            for new in [byte ^ 1, byte ^ 0x80, 0, 1, 0xff, byte.wrapping_add(1)] {
                if new == byte {
                    continue;
                }
                let mut bytes = original.clone();
                bytes[at] = new;
                tried += 1;
                let pre = cwasm::preflight(engine, &bytes);
                let real = deserialize(engine, &bytes);
                accepted += usize::from(real.is_ok());
                if pre.is_ok() != real.is_ok() {
                    disagreements.push(format!(
                        "byte {at} {byte:#04x} -> {new:#04x}: preflight {:?}, deserialize {:?}",
                        pre.map(|_| ()),
                        real.map(|_| ())
                    ));
                }
            }
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} of {tried} disagree:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
    eprintln!("{tried} engine-section mutations, {accepted} accepted");
    assert!(accepted > 100, "only {accepted} of {tried} accepted");
}

/// (e) Damaged input: errors, never panics.
#[test]
fn truncated_and_corrupted_artifacts_are_errors_not_panics() {
    if !live_round() {
        return;
    }
    let (full, min) = (Flavour::Full.load(), Flavour::Min.load());
    let bytes = precompile_for(full, min.capabilities(), WAT).unwrap();
    let engine = Engine::default_for(min).unwrap();
    cwasm::preflight(&engine, &bytes).unwrap();
    // Every truncation.
    for len in 0..bytes.len() {
        let cut = &bytes[..len];
        let result = cwasm::inspect(cut);
        match kind_of(&result) {
            Some(ErrorKind::Invalid(why)) => assert!(why.contains("cwasm"), "{why}"),
            _ => panic!("{len} of {} bytes: {result:?}", bytes.len()),
        }
        assert!(cwasm::preflight(&engine, cut).is_err());
    }
    // Pseudo-random corruption of 1 to 4 bytes anywhere: an error or an
    // answer, never a panic.
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let engine_section = engine_section_range(&bytes);
    let mut refused = 0;
    for round in 0..20_000 {
        let mut corrupt = bytes.clone();
        for _ in 0..=next() % 4 {
            // Half of the rounds aim at the headers and the engine section.
            let at = if round % 2 == 0 {
                let hot = 64 + engine_section.len();
                let i = (next() % hot as u64) as usize;
                if i < 64 {
                    i
                } else {
                    engine_section.start + i - 64
                }
            } else {
                (next() % corrupt.len() as u64) as usize
            };
            corrupt[at] = next() as u8;
        }
        refused += usize::from(cwasm::preflight(&engine, &corrupt).is_err());
    }
    assert!(refused > 1000, "{refused}");
}

#[test]
fn malformed_inputs_say_what_is_wrong() {
    if !live_round() {
        return;
    }
    let (full, min) = (Flavour::Full.load(), Flavour::Min.load());
    let good = precompile_for(full, min.capabilities(), WAT).unwrap();
    let invalid = |bytes: &[u8]| {
        let result = cwasm::inspect(bytes);
        match kind_of(&result) {
            Some(ErrorKind::Invalid(why)) => why.clone(),
            _ => panic!("{result:?}"),
        }
    };
    assert!(invalid(b"\0asm\x01\0\0\0").contains("too short"));
    let mut wasm_like = vec![0u8; 100];
    wasm_like[..4].copy_from_slice(b"\0asm");
    assert!(invalid(&wasm_like).contains("not an ELF"));

    // Like Wasmtime, the OS ABI byte is not checked.
    let mut other_abi = good.clone();
    other_abi[7] = 0;
    assert!(cwasm::inspect(&other_abi).is_ok());

    let mut no_kind = good.clone();
    no_kind[48] = 0; // e_flags, little-endian
    assert!(invalid(&no_kind).contains("e_flags"));

    let mut component = good.clone();
    component[48] = cwasm::EF_WASMTIME_COMPONENT as u8;
    let info = cwasm::inspect(&component).unwrap();
    assert_eq!(info.kind, ArtifactKind::Component);
    let engine = Engine::default_for(min).unwrap();
    let why = cwasm::preflight(&engine, &component)
        .unwrap_err()
        .to_string();
    assert!(why.contains("incompatible object file format"), "{why}");
    assert!(deserialize(&engine, &component).is_err());

    let range = engine_section_range(&good);
    // Another version with the round's layout (47 to 49 share one):
    // inspect decodes it, preflight refuses it as another version's, as
    // Wasmtime does. 50's layout is its own.
    let round = common::expected_major();
    let same_layout = [47u32, 48, 49]
        .into_iter()
        .find(|m| *m != round && (47..=49).contains(&round));
    if let Some(other) = same_layout {
        let mut other_version = good.clone();
        other_version[range.start + 2..range.start + 4]
            .copy_from_slice(other.to_string().as_bytes());
        let info = cwasm::inspect(&other_version).unwrap();
        assert_eq!(info.version, other.to_string());
        assert_eq!(info.tunables, cwasm::inspect(&good).unwrap().tunables);
        let err = deserialize(&engine, &other_version)
            .unwrap_err()
            .to_string();
        let pre = cwasm::preflight(&engine, &other_version);
        match kind_of(&pre) {
            Some(ErrorKind::IncompatibleArtifact(why)) => {
                assert!(why.starts_with(&err), "{why} vs {err}");
                assert!(
                    why.contains(&format!(
                        "made by Wasmtime {other}, this engine is Wasmtime {round}"
                    )),
                    "{why}"
                );
            }
            _ => panic!("{pre:?}"),
        }
    }
    // Versions whose layout is not decoded, or that are no version at all:
    // never decoded with another layout.
    for version in [&b"35"[..], b"51", b"4x", b"08"] {
        let mut bytes = good.clone();
        bytes[range.start + 2..range.start + 4].copy_from_slice(version);
        let version = std::str::from_utf8(version).unwrap();
        let result = cwasm::inspect(&bytes);
        match kind_of(&result) {
            Some(ErrorKind::UnknownArtifactLayout { version: v }) => assert_eq!(v, version),
            _ => panic!("{version}: {result:?}"),
        }
        let why = cwasm::preflight(&engine, &bytes).unwrap_err().to_string();
        assert!(
            why.contains(&format!(
                "made by Wasmtime {version}, this engine is Wasmtime {round}"
            )),
            "{why}"
        );
        assert!(deserialize(&engine, &bytes).is_err());
    }

    // A huge string length inside the metadata.
    let mut huge = good.clone();
    let target_len = range.start + 4; // format, length, "48" (the major), then the target
    huge[target_len..target_len + 5].copy_from_slice(&[0xff, 0xff, 0xff, 0xff, 0x0f]);
    assert!(invalid(&huge).contains("target"), "{}", invalid(&huge));
    assert!(deserialize(&engine, &huge).is_err());

    // Section headers pointing past the end of the file.
    let mut far = good.clone();
    far[40..48].copy_from_slice(&u64::MAX.to_le_bytes()); // e_shoff
    assert!(invalid(&far).contains("outside"));
}
