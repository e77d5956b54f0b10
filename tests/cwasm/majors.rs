//! Artifacts made by official release libraries of other majors
//! (`tests/fixtures/`): what `cwasm::inspect` reads out of them and what
//! preflight says of them on this round's engines.

use super::*;

/// A fixture made by an official release library of another major (see
/// `tests/fixtures/README.md`), with the `wasmtime.Config` properties its
/// engine was given.
fn fixture(name: &str) -> (Vec<u8>, Vec<(String, String)>) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let bytes = std::fs::read(dir.join(format!("{name}.cwasm"))).unwrap();
    let settings = std::fs::read_to_string(dir.join(format!("{name}.settings"))).unwrap();
    let settings = settings
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (k, v) = l.split_once(" = ").unwrap();
            (k.to_string(), v.to_string())
        })
        .collect();
    (bytes, settings)
}

/// What a `wasmtime.Config` property set to `value` shows in `info`: the
/// value read back, as text, for each place Wasmtime records it.
fn recorded(info: &cwasm::CwasmInfo, property: &str) -> Vec<String> {
    let t = &info.tunables;
    let feature = |name| vec![info.has_feature(name).to_string()];
    match property {
        "consume_fuel" => vec![t.consume_fuel.to_string()],
        "epoch_interruption" => vec![t.epoch_interruption.to_string()],
        // GC heaps copy the memory settings when not set themselves.
        "memory_reservation" => vec![
            t.memory_reservation.to_string(),
            t.gc_heap_reservation.to_string(),
        ],
        "memory_guard_size" => vec![
            t.memory_guard_size.to_string(),
            t.gc_heap_guard_size.to_string(),
        ],
        "memory_reservation_for_growth" => vec![
            t.memory_reservation_for_growth.to_string(),
            t.gc_heap_reservation_for_growth.to_string(),
        ],
        "memory_may_move" => vec![
            t.memory_may_move.to_string(),
            t.gc_heap_may_move.to_string(),
        ],
        "memory_init_cow" => vec![t.memory_init_cow.to_string()],
        "wasm_relaxed_simd_deterministic" => vec![t.relaxed_simd_deterministic.to_string()],
        "wasm_threads" => feature("threads"),
        "wasm_wide_arithmetic" => feature("wide_arithmetic"),
        "wasm_gc" => feature("gc"),
        "wasm_function_references" => feature("function_references"),
        "wasm_exceptions" => feature("exceptions"),
        "wasm_stack_switching" => feature("stack_switching"),
        "gc_support" => vec![
            info.has_feature("gc_types").to_string(),
            t.collector.is_some().to_string(),
        ],
        "strategy" => vec![if t.winch_callable {
            "winch"
        } else {
            "cranelift"
        }
        .to_string()],
        other => panic!("no mapping for the property {other}"),
    }
}

/// Wasmtime 50's artifacts decode with 50's layout: every property the
/// Python `wasmtime.Config` set reads back, and differs from what the
/// default engine of the same library recorded (so it was read from the
/// right place, not a default).
#[test]
fn wasmtime_50_artifacts_decode_to_their_real_settings() {
    let (default_bytes, none) = fixture("v50-default");
    assert!(none.is_empty());
    let default = cwasm::inspect(&default_bytes).unwrap();
    assert_eq!(default.version, "50");
    let mut checked = 0;
    for name in ["v50-custom", "v50-winch", "v50-nogc", "v50-stack-switching"] {
        let (bytes, settings) = fixture(name);
        assert!(!settings.is_empty(), "{name}");
        let info = cwasm::inspect(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(info.version, "50", "{name}");
        assert_eq!(info.kind, ArtifactKind::Module, "{name}");
        for (property, value) in &settings {
            let read = recorded(&info, property);
            assert!(
                read.iter().all(|r| r == value),
                "{name}: {property} = {value}, read {read:?}"
            );
            let before = recorded(&default, property);
            assert!(
                before.iter().all(|r| r != value),
                "{name}: {property} = {value} is the default"
            );
            checked += 1;
        }
        // What the settings did not touch stays as in the default artifact.
        assert_eq!(info.target, default.target, "{name}");
        assert_eq!(info.isa_flags, default.isa_flags, "{name}");
        assert!(!info.tunables.asan_stack_switching, "{name}");
    }
    assert!(checked >= 15, "{checked}");
}

/// 50's defaults, decoded with 50's layout, are what Wasmtime's sources
/// say changed from 48: the same tunables but for the new
/// `asan_stack_switching` (off in release builds), and wide arithmetic on.
/// 48's side is the real 48 library's default artifact.
#[test]
fn wasmtime_50_defaults_match_48s_but_for_what_changed() {
    let v48 = cwasm::inspect(&artifact(common::load_library("full", 48), &|_| {})).unwrap();
    let v50 = cwasm::inspect(&fixture("v50-default").0).unwrap();
    assert_eq!(v50.tunables, v48.tunables);
    let mut expected = v48.features.clone();
    expected.push("wide_arithmetic");
    let mut found = v50.features.clone();
    expected.sort_unstable();
    found.sort_unstable();
    assert_eq!(found, expected);
    assert_eq!(v50.target, v48.target);
    assert_eq!(v50.shared_flags, v48.shared_flags);
    // 49: wide arithmetic on by default too; 47: 48's defaults.
    let v49 = cwasm::inspect(&fixture("v49-default").0).unwrap();
    assert_eq!(v49.version, "49");
    assert_eq!(v49.tunables, v48.tunables);
    assert_eq!(v49.features, v50.features);
    let v47 = cwasm::inspect(&fixture("v47-default").0).unwrap();
    assert_eq!(v47.version, "47");
    assert_eq!(v47.tunables, v48.tunables);
    assert_eq!(v47.features, v48.features);
}

/// 49 shares 48's layout: its settings read back too.
#[test]
fn wasmtime_49_artifacts_decode_to_their_real_settings() {
    let default = cwasm::inspect(&fixture("v49-default").0).unwrap();
    let (bytes, settings) = fixture("v49-fuel");
    let info = cwasm::inspect(&bytes).unwrap();
    for (property, value) in &settings {
        assert!(
            recorded(&info, property).iter().all(|r| r == value),
            "{property}"
        );
        assert!(
            recorded(&default, property).iter().all(|r| r != value),
            "{property}"
        );
    }
}

/// 45 and 46 decode with their own layouts (29 and 32 tunables); preflight
/// on an engine of this round (another major) says whose artifact it is,
/// as Wasmtime refuses it.
#[test]
fn wasmtime_45_and_46_fixtures_decode_with_their_layouts() {
    let engine = Engine::default_for(Flavour::Full.load()).unwrap();
    for (version, fields) in [("45", 29), ("46", 32)] {
        let bytes = fixture(&format!("v{version}-default")).0;
        let info = cwasm::inspect(&bytes).unwrap_or_else(|e| panic!("{version}: {e}"));
        assert_eq!(info.version, version);
        assert_eq!(info.tunables_recorded.len(), fields, "{version}");
        assert_eq!(info.tunables.inlining_intra_module, None);
        assert!(info.has_feature("reference_types") && info.has_feature("gc_types"));
        check_other_major(&engine, &bytes, version);
    }
}

/// The version string the artifacts of `lib` carry, as Wasmtime compares
/// it when deserializing: learned from the artifact the round's full
/// library makes. Where that artifact carries the major alone (38 and
/// later) every library of the round's major writes it; where it carries
/// the library's full version (36 and 37), `lib` writes its own full
/// version (a minimal build may be of another patch than the official
/// library).
fn artifact_version(lib: &'static Wasmtime) -> String {
    static WRITTEN: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let full = Flavour::Full.load();
    let written = WRITTEN.get_or_init(|| cwasm::inspect(&artifact(full, &|_| {})).unwrap().version);
    let major = full.version().major().to_string();
    if *written == major {
        lib.version().major().to_string()
    } else {
        assert_eq!(
            *written,
            full.version().to_string(),
            "the full version or the major"
        );
        lib.version().to_string()
    }
}

/// Preflight on an engine of this round answers as deserialize does for
/// an artifact carrying `version`: refused as another version's, with
/// Wasmtime's reason first, unless `version` is what the engine's own
/// artifacts carry; then (the artifact was made by this very library)
/// preflight and deserialize agree, both taking it or both refusing it
/// with Wasmtime's reason first (different settings).
fn check_other_major(engine: &Engine, bytes: &[u8], version: &str) {
    let own = artifact_version(engine.wasmtime());
    let real = deserialize(engine, bytes);
    let pre = cwasm::preflight(engine, bytes);
    if version == own {
        match (&real, kind_of(&pre)) {
            (Ok(_), None) => {
                assert!(pre.is_ok());
                eprintln!("{version}, this engine's own version: taken by both");
            }
            (Err(err), Some(ErrorKind::IncompatibleArtifact(why))) => {
                let err = wasmtime_says(err);
                assert!(why.starts_with(&err), "{version}: {why} vs {err}");
                eprintln!("{version}, this engine's own version: refused by both: {why}");
            }
            _ => panic!(
                "{version} on its own engine: deserialize {:?}, preflight {:?}",
                real.map(drop),
                pre.map(drop)
            ),
        }
        return;
    }
    let err = wasmtime_says(&real.map(drop).unwrap_err());
    let Some(ErrorKind::IncompatibleArtifact(why)) = kind_of(&pre) else {
        panic!("{version}: preflight did not refuse it: {pre:?}");
    };
    assert!(why.starts_with(&err), "{why} vs {err}");
    assert!(
        why.contains(&format!(
            "made by Wasmtime {version}, this engine is Wasmtime {own}: Wasmtime only loads \
             artifacts of its own version"
        )),
        "{why}"
    );
}

/// Decodable artifacts of other majors are refused by engines of this
/// round the same way, on every library of the round.
#[test]
fn artifacts_of_other_majors_are_refused_as_such() {
    for flavour in common::flavours() {
        let engine = Engine::default_for(flavour.load()).unwrap();
        for (name, version) in [
            ("v47-default", "47"),
            ("v49-default", "49"),
            ("v50-default", "50"),
            ("v50-custom", "50"),
        ] {
            let bytes = fixture(name).0;
            assert_eq!(cwasm::inspect(&bytes).unwrap().version, version);
            check_other_major(&engine, &bytes, version);
        }
    }
}

// ------------------------------------------------------------ stack switching

/// (issue 10) Stack switching changes the `stack_switch_model` Cranelift
/// setting, which Wasmtime checks against the engine's features: preflight
/// must model the feature to agree with deserialize.
#[test]
fn stack_switching_artifacts_agree_with_deserialize() {
    if !live_round() {
        return;
    }
    let (full, min) = (Flavour::Full.load(), Flavour::Min.load());
    let with = artifact(full, &|c| {
        c.wasm_stack_switching(true);
    });
    let with_for_min = artifact(
        full,
        &*for_min(|c| {
            c.wasm_stack_switching(true);
        }),
    );
    let without = artifact(full, &|_| {});
    let info = cwasm::inspect(&with).unwrap();
    assert!(info.has_feature("stack_switching"));
    assert_eq!(
        info.shared_flag("stack_switch_model"),
        Some(&FlagValue::Enum("basic".into()))
    );
    assert_eq!(
        cwasm::inspect(&without)
            .unwrap()
            .shared_flag("stack_switch_model"),
        Some(&FlagValue::Enum("none".into()))
    );
    let engines: Vec<(&str, Engine)> = vec![
        ("full", engine(full, &|_| {})),
        (
            "full, stack switching",
            engine(full, &|c| {
                c.wasm_stack_switching(true);
            }),
        ),
        ("min", engine(min, &|_| {})),
        (
            "min, stack switching",
            engine(min, &|c| {
                c.wasm_stack_switching(true);
            }),
        ),
        (
            "compiler-only, stack switching",
            engine(Flavour::CompilerOnly.load(), &|c| {
                c.wasm_stack_switching(true);
            }),
        ),
    ];
    let artifacts = [
        ("with", &with),
        ("with, for min", &with_for_min),
        ("without", &without),
    ];
    let (mut accepted, mut refused) = (0, 0);
    for (engine_name, engine) in &engines {
        assert_eq!(
            cwasm::engine_profile(engine)
                .features()
                .contains(&"stack_switching"),
            engine_name.contains("stack switching"),
            "{engine_name}"
        );
        for (artifact_name, bytes) in artifacts {
            let pre = cwasm::preflight(engine, bytes);
            let real = deserialize(engine, bytes);
            match (&pre, kind_of(&pre), &real) {
                (Ok(_), _, Ok(_)) => accepted += 1,
                (_, Some(ErrorKind::IncompatibleArtifact(why)), Err(err)) => {
                    refused += 1;
                    let err = wasmtime_says(err);
                    assert!(
                        why.starts_with(&err),
                        "{artifact_name} on {engine_name}: {err} vs {why}"
                    );
                }
                _ => panic!(
                    "{artifact_name} on {engine_name}: preflight {:?}, deserialize {:?}",
                    pre.map(|_| ()),
                    real.map(|_| ())
                ),
            }
        }
    }
    assert!(accepted >= 2 && refused >= 4, "{accepted} / {refused}");
    // The artifact made with stack switching loads where it is on.
    let on = &engines[1].1;
    cwasm::preflight(on, &with).unwrap();
    assert_eq!(run(on, &deserialize(on, &with).unwrap()), 42);
}

// ------------------------------------------------------------ linear time

/// (issue 10) A crafted ELF: `sections` section headers (extended
/// numbering) all naming one `name_len`-byte name that only ends at the end
/// of the name table. Scanning each name to its NUL costs
/// `sections * name_len`.
fn crafted_elf(sections: u64, name_len: u64) -> Vec<u8> {
    let strtab = 64 + sections * 64;
    let mut out = vec![0u8; (strtab + name_len + 1) as usize];
    out[..7].copy_from_slice(b"\x7fELF\x02\x01\x01");
    out[40..48].copy_from_slice(&64u64.to_le_bytes()); // e_shoff
    out[48..52].copy_from_slice(&cwasm::EF_WASMTIME_MODULE.to_le_bytes());
    out[58..60].copy_from_slice(&64u16.to_le_bytes()); // e_shentsize
    out[62..64].copy_from_slice(&0xffffu16.to_le_bytes()); // e_shstrndx: see section 0
    for index in 0..sections {
        let h = (64 + index * 64) as usize;
        out[h + 4..h + 8].copy_from_slice(&1u32.to_le_bytes()); // SHT_PROGBITS, name 0
        if index == 0 {
            out[h + 32..h + 40].copy_from_slice(&sections.to_le_bytes());
            out[h + 40..h + 44].copy_from_slice(&1u32.to_le_bytes());
        }
        if index == 1 {
            out[h + 24..h + 32].copy_from_slice(&strtab.to_le_bytes());
            out[h + 32..h + 40].copy_from_slice(&(name_len + 1).to_le_bytes());
        }
    }
    out[strtab as usize..(strtab + name_len) as usize].fill(b'A');
    out
}

/// The fastest of a few runs of inspect and preflight on `bytes`.
fn fastest(engine: &Engine, bytes: &[u8]) -> std::time::Duration {
    (0..5)
        .map(|_| {
            let start = std::time::Instant::now();
            let a = cwasm::inspect(bytes);
            let b = cwasm::preflight(engine, bytes);
            let took = start.elapsed();
            for result in [a, b] {
                match kind_of(&result) {
                    Some(ErrorKind::Invalid(why)) => assert!(why.contains("no `.wasmtime.engine`")),
                    _ => panic!("{result:?}"),
                }
            }
            took
        })
        .min()
        .unwrap()
}

#[test]
fn crafted_elf_is_read_in_linear_time() {
    if !live_round() {
        return;
    }
    let engine = Engine::default_for(Flavour::Min.load()).unwrap();
    // Half section headers, half one long name: 2 MiB, then 8 MiB.
    let small = crafted_elf(16 << 10, 1 << 20);
    let large = crafted_elf(64 << 10, 4 << 20);
    assert!(large.len() >= 8 << 20);
    let (t_small, t_large) = (fastest(&engine, &small), fastest(&engine, &large));
    eprintln!(
        "{} bytes: {t_small:?}; {} bytes: {t_large:?}",
        small.len(),
        large.len()
    );
    // Linear work grows 4x, a per-section scan 16x; allow for noise.
    assert!(
        t_large < t_small * 10 + std::time::Duration::from_millis(20),
        "{t_small:?} -> {t_large:?}"
    );
    assert!(t_large < std::time::Duration::from_secs(1), "{t_large:?}");
}

// ------------------------------------------- artifacts of Wasmtime 36 to 46

/// The settings the older-major artifacts are made with, each different
/// from that library's default.
const CUSTOM: [raw_capi::Setting; 10] = {
    use raw_capi::Setting::*;
    [
        OptLevel(0),
        ConsumeFuel(true),
        EpochInterruption(true),
        Threads(false),
        MultiMemory(false),
        MemoryReservation(1 << 30),
        MemoryGuardSize(1 << 16),
        DebugInfo(true),
        MemoryInitCow(false),
        RelaxedSimdDeterministic(true),
    ]
};

/// Each setting of [`CUSTOM`] as `info` shows it, beside what a default
/// engine shows (which must differ).
fn custom_settings_read_back(major: u32, default: &cwasm::CwasmInfo, info: &cwasm::CwasmInfo) {
    let (d, t) = (&default.tunables, &info.tunables);
    let shown = |i: &cwasm::CwasmInfo| {
        let t = &i.tunables;
        vec![
            ("opt_level", format!("{:?}", i.shared_flag("opt_level"))),
            ("consume_fuel", t.consume_fuel.to_string()),
            ("epoch_interruption", t.epoch_interruption.to_string()),
            ("threads", i.has_feature("threads").to_string()),
            ("multi_memory", i.has_feature("multi_memory").to_string()),
            ("memory_reservation", t.memory_reservation.to_string()),
            ("memory_guard_size", t.memory_guard_size.to_string()),
            ("debug_native", t.debug_native.to_string()),
            ("memory_init_cow", t.memory_init_cow.to_string()),
            (
                "relaxed_simd_deterministic",
                t.relaxed_simd_deterministic.to_string(),
            ),
        ]
    };
    let expected = [
        format!("{:?}", Some(&FlagValue::Enum("none".into()))),
        "true".into(),
        "true".into(),
        "false".into(),
        "false".into(),
        (1u64 << 30).to_string(),
        (1u64 << 16).to_string(),
        "true".into(),
        "false".into(),
        "true".into(),
    ];
    for (((name, got), (_, was)), want) in shown(info).into_iter().zip(shown(default)).zip(expected)
    {
        assert_eq!(got, want, "{major}: {name}");
        assert_ne!(was, want, "{major}: {name} is the default");
    }
    // Untouched settings read as in the default artifact.
    assert_eq!(info.target, default.target, "{major}");
    assert_eq!(info.isa_flags, default.isa_flags, "{major}");
    assert_eq!(t.collector, d.collector, "{major}");
    assert_eq!(t.inlining, d.inlining, "{major}");
    assert_eq!(t.signals_based_traps, d.signals_based_traps, "{major}");
    // GC heaps take the memory settings when not set themselves.
    assert_eq!(t.gc_heap_reservation, 1 << 30, "{major}");
    assert_eq!(t.gc_heap_guard_size, 1 << 16, "{major}");
}

/// Artifacts made by the official full libraries of 36, 40, 42, 44 (and
/// 45, 46) through their C API, with non-default settings: `inspect` reads
/// each setting back with that major's layout, and the defaults as
/// Wasmtime's sources give them.
#[test]
fn wasmtime_36_to_46_artifacts_decode_to_their_real_settings() {
    // (major, version string, tunables recorded)
    for (major, version, fields) in [
        (36, "36.0.0", 21),
        (40, "40", 22),
        (42, "42", 23),
        (44, "44", 25),
        (45, "45", 29),
        (46, "46", 32),
    ] {
        let lib = raw_capi::RawLibrary::open(&common::library("full", major));
        let default = cwasm::inspect(&lib.precompile(WAT, &[]))
            .unwrap_or_else(|e| panic!("{major} default: {e}"));
        let custom_bytes = lib.precompile(WAT, &CUSTOM);
        let custom =
            cwasm::inspect(&custom_bytes).unwrap_or_else(|e| panic!("{major} custom: {e}"));
        for info in [&default, &custom] {
            assert_eq!(info.version, version);
            assert_eq!(info.kind, ArtifactKind::Module);
            assert_eq!(info.tunables_recorded.len(), fields, "{major}");
        }
        eprintln!(
            "{major}: version {:?}, {} tunables recorded, features {:?}, custom: {:?}",
            custom.version, fields, default.features, custom.tunables
        );
        custom_settings_read_back(major, &default, &custom);
        // Defaults (Tunables::default_u64 and Config::features at each tag).
        let t = &default.tunables;
        assert_eq!(t.memory_reservation, 1 << 32, "{major}");
        assert_eq!(t.memory_guard_size, 32 << 20, "{major}");
        assert_eq!(
            t.collector,
            Some(cwasm::Collector::DeferredReferenceCounting),
            "{major}"
        );
        assert_eq!(t.inlining, cwasm::Inlining::No, "{major}");
        assert_eq!(
            t.inlining_intra_module,
            (major <= 44).then_some(cwasm::IntraModuleInlining::WhenUsingGc),
            "{major}"
        );
        assert_eq!(
            (t.inlining_small_callee_size, t.inlining_sum_size_threshold),
            (50, 2000),
            "{major}"
        );
        assert!(t.signals_based_traps && t.memory_init_cow && t.table_lazy_init);
        assert!(!t.consume_fuel && !t.epoch_interruption && !t.debug_native);
        assert_eq!(t.operator_cost, cwasm::OperatorCost::Default);
        for feature in [
            "reference_types",
            "bulk_memory",
            "simd",
            "threads",
            "multi_memory",
            "tail_call",
            "gc_types",
            "component_model",
        ] {
            assert!(default.has_feature(feature), "{major}: {feature}");
        }
        // Bits that would be misnamed if 36's were read in today's
        // numbering (its call_indirect_overlong sits where cm_gc is now).
        for feature in ["cm_gc", "cm_error_context", "cm_fixed_length_lists"] {
            assert!(!default.has_feature(feature), "{major}: {feature}");
        }
        assert_eq!(
            default.recorded_feature_bits != default.feature_bits,
            major == 36,
            "{major}"
        );
        // On an engine of this round: refused as another major's, with
        // Wasmtime's reason first.
        let engine = Engine::default_for(Flavour::Full.load()).unwrap();
        check_other_major(&engine, &custom_bytes, version);
    }
}

/// An artifact whose version has no layout here (35 and older, 51 and
/// later) is refused by `inspect` naming that version, never decoded with
/// a neighbour's layout. Made from a real 36 (and 44) artifact by changing
/// only its version string.
#[test]
fn undecoded_layouts_say_unknown_layout() {
    for (major, from, to) in [
        (36, "36.0.0", "35.0.0"),
        (36, "36.0.0", "34.0.9"),
        (44, "44", "35"),
        (44, "44", "51"),
        (44, "44", "99"),
    ] {
        let lib = raw_capi::RawLibrary::open(&common::library("full", major));
        let mut bytes = lib.precompile(WAT, &[]);
        let at = engine_section_range(&bytes).start;
        assert_eq!(bytes[at + 1] as usize, from.len());
        assert_eq!(&bytes[at + 2..at + 2 + from.len()], from.as_bytes());
        bytes[at + 2..at + 2 + to.len()].copy_from_slice(to.as_bytes());
        let result = cwasm::inspect(&bytes);
        match (kind_of(&result), &result) {
            (Some(ErrorKind::UnknownArtifactLayout { version }), Err(err)) => {
                assert_eq!(version, to);
                let text = err.to_string();
                assert!(text.contains(&format!("Wasmtime {to}")), "{text}");
                assert!(text.contains("36 to 50"), "{text}");
            }
            _ => panic!("{to}: {result:?}"),
        }
    }
}

/// On every round (45 and 46 included, whose layouts are decoded now),
/// preflight on the full library's engines agrees with deserialize on that
/// library's own artifacts: accepted by the same engines, and refused
/// with Wasmtime's reason first.
#[test]
fn preflight_agrees_with_deserialize_on_the_rounds_full_library() {
    let full = Flavour::Full.load();
    let settings: [(&str, Configure); 4] = [
        ("default", config(|_| {})),
        (
            "fuel",
            config(|c| {
                c.consume_fuel(true);
            }),
        ),
        (
            "epochs",
            config(|c| {
                c.epoch_interruption(true);
            }),
        ),
        (
            "guard",
            config(|c| {
                c.memory_guard_size(1 << 16);
            }),
        ),
    ];
    let mut checked = 0;
    for (made_by, make) in &settings {
        let bytes = artifact(full, make);
        for (loaded_by, load) in &settings {
            let engine = engine(full, load);
            let pre = cwasm::preflight(&engine, &bytes);
            match (deserialize(&engine, &bytes), &pre) {
                (Ok(_), Ok(_)) => assert_eq!(made_by, loaded_by),
                (Err(err), Err(_)) => {
                    let Some(ErrorKind::IncompatibleArtifact(why)) = kind_of(&pre) else {
                        panic!("{made_by} on {loaded_by}: {pre:?}");
                    };
                    assert!(
                        why.starts_with(&wasmtime_says(&err)),
                        "{made_by} on {loaded_by}: {why} vs {err}"
                    );
                }
                (real, _) => panic!(
                    "{made_by} on {loaded_by}: deserialize {:?}, preflight {pre:?}",
                    real.map(drop)
                ),
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 16);
}
