//! Compiler settings behind the Compiler capability handle.

mod common;

use common::{engine_with, flavours, kind, round_has, Flavour};
use wasmtime_dyn::{
    Capability, Config, Engine, ErrorKind, Linker, Module, OptLevel, Store, Strategy,
};

const NAN: &str = r#"(module
    (func (export "add") (param f32 f32) (result f32) local.get 0 local.get 1 f32.add)
    (func (export "sqrt") (param f64) (result f64) local.get 0 f64.sqrt))"#;

fn add_nan(flavour: Flavour, configure: impl Fn(&mut Config)) -> u32 {
    let lib = flavour.load();
    let mut config = Config::new(lib);
    configure(&mut config);
    let engine = Engine::new(lib, &config).unwrap();
    let module = Module::new(&engine, NAN).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = wasmtime_dyn::Instance::new(&mut store, &module, &[]).unwrap();
    let add = instance
        .get_typed_func::<(f32, f32), f32>(&mut store, "add")
        .unwrap();
    add.call(&mut store, (f32::from_bits(0x7fc0_1234), 1.0))
        .unwrap()
        .to_bits()
}

#[test]
fn nan_canonicalization_changes_nan_bits() {
    if !round_has(Flavour::CompilerOnly) {
        return;
    }
    for flavour in [Flavour::Full, Flavour::CompilerOnly] {
        // x86-64 propagates the payload of a quiet NaN operand...
        assert_eq!(add_nan(flavour, |_| {}), 0x7fc0_1234, "{flavour:?}");
        // ...canonicalization replaces it with the canonical NaN.
        let canonical = add_nan(flavour, |c| {
            c.compiler().unwrap().cranelift_nan_canonicalization(true);
        });
        assert_eq!(canonical, 0x7fc0_0000, "{flavour:?}");
    }
}

type Configure = Box<dyn Fn(&mut Config)>;

#[test]
fn strategies_and_opt_levels_compile_and_agree() {
    if !round_has(Flavour::CompilerOnly) {
        return;
    }
    let configs: Vec<(&str, Configure)> = vec![
        (
            "cranelift none",
            Box::new(|c| {
                c.compiler()
                    .unwrap()
                    .strategy(Strategy::Cranelift)
                    .cranelift_opt_level(OptLevel::None);
            }),
        ),
        (
            "cranelift speed",
            Box::new(|c| {
                c.compiler().unwrap().cranelift_opt_level(OptLevel::Speed);
            }),
        ),
        (
            "cranelift size",
            Box::new(|c| {
                c.compiler()
                    .unwrap()
                    .cranelift_opt_level(OptLevel::SpeedAndSize);
            }),
        ),
        (
            "winch",
            Box::new(|c| {
                c.compiler().unwrap().strategy(Strategy::Winch);
            }),
        ),
        (
            "verifier",
            Box::new(|c| {
                c.compiler().unwrap().cranelift_debug_verifier(true);
            }),
        ),
        (
            "serial",
            Box::new(|c| {
                c.parallel_compilation().unwrap().enable(false);
            }),
        ),
    ];
    let full = Flavour::Full.load();
    for (name, configure) in configs {
        if name == "winch" {
            let mut config = Config::new(full);
            configure(&mut config);
            if let Err(err) = Engine::new(full, &config) {
                // Before 45 the C API has no Winch strategy: refused by
                // name as too new, and the library says it has no Winch.
                assert!(
                    matches!(kind(&err), Some(ErrorKind::UnsupportedVersion { feature, .. })
                        if *feature == "Strategy::Winch"),
                    "{err:?}"
                );
                let why = common::too_old_why(&err).unwrap_or_else(|| panic!("{err:?}"));
                eprintln!("{why}");
                assert!(!full.has_winch());
                continue;
            }
            // The official library of a major with the strategy has it.
            assert!(full.has_winch());
        }
        assert_eq!(add_nan(Flavour::Full, &*configure), 0x7fc0_1234, "{name}");
    }
    assert!(!Flavour::CompilerOnly.load().has_winch());
}

#[test]
fn compiler_settings_are_absent_without_a_compiler() {
    if !round_has(Flavour::Min) {
        return;
    }
    let mut config = Config::new(Flavour::Min.load());
    assert!(config.compiler().is_none());
    assert!(config.parallel_compilation().is_none());
    let mut config = Config::new(Flavour::CompilerOnly.load());
    assert!(
        config.parallel_compilation().is_none(),
        "compiler-only has no parallel-compilation"
    );
    // Validation happens through the compiler, too.
    let engine = Engine::default_for(Flavour::CompilerOnly.load()).unwrap();
    let compiler = engine.compiler().unwrap();
    compiler.validate(b"\0asm\x01\0\0\0").unwrap();
    let err = compiler
        .validate(b"\0asm\x01\0\0\0\x01\x04\x01\x60\0")
        .unwrap_err();
    assert!(
        matches!(kind(&err), Some(ErrorKind::Wasmtime { .. })),
        "{err:?}"
    );
}

/// `Module::from_file` reads text and binary files as `Module::new` reads
/// bytes; `Engine::precompile_module` takes text too; both as in the
/// `wasmtime` crate.
#[test]
fn modules_from_files_and_precompiled_from_text() {
    let wat = r#"(module (func (export "answer") (result i32) i32.const 42))"#;
    let dir = std::env::temp_dir().join(format!("wasmtime-dyn-files-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for flavour in flavours() {
        let engine = engine_with(flavour, |_| {});
        if flavour == Flavour::Min {
            let err = engine.precompile_module(wat).unwrap_err();
            assert!(
                matches!(
                    kind(&err),
                    Some(ErrorKind::Unsupported(Capability::Compiler))
                ),
                "{err}"
            );
            let err = Module::from_file(&engine, dir.join("missing.wasm")).unwrap_err();
            assert!(
                matches!(kind(&err), Some(ErrorKind::Io { path, .. }) if path.ends_with("missing.wasm")),
                "{err}"
            );
            continue;
        }
        let text = dir.join("answer.wat");
        let binary = dir.join("answer.wasm");
        std::fs::write(&text, wat).unwrap();
        std::fs::write(&binary, engine.wat().unwrap().to_wasm(wat).unwrap()).unwrap();
        let cwasm = engine.precompile_module(wat).unwrap();
        // SAFETY: the artifact was just made by this engine.
        let precompiled = unsafe { Module::deserialize(&engine, &cwasm) }.unwrap();
        for module in [
            Module::from_file(&engine, &text).unwrap(),
            Module::from_file(&engine, &binary).unwrap(),
            precompiled,
        ] {
            let mut store = Store::new(&engine, ());
            let instance = Linker::new(&engine)
                .instantiate(&mut store, &module)
                .unwrap();
            let answer = instance
                .get_typed_func::<(), i32>(&mut store, "answer")
                .unwrap();
            assert_eq!(answer.call(&mut store, ()).unwrap(), 42, "{flavour:?}");
        }
        let err = Module::from_file(&engine, dir.join("missing.wasm")).unwrap_err();
        assert!(err.to_string().contains("missing.wasm"), "{err}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
