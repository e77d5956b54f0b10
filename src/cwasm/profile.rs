//! The engine's side of the compatibility rules: what an engine expects
//! of an artifact, worked out from its settings, its library's capabilities
//! and the defaults of its library's Wasmtime major
//! (`versions::defaults`).

use super::features::{self, feature_names};
use super::lexicon;
use super::{inspect, Collector, Inlining, OperatorCost, Tunables};
use crate::capability::Capability;
use crate::config::{Settings, Strategy};
use crate::engine::Engine;
use crate::loader::Wasmtime;
use crate::versions::{self, defaults};
use std::sync::Mutex;

/// What an engine expects of an artifact's engine section, worked out from
/// its settings, its library's capabilities and the defaults of its
/// library's Wasmtime major for this host: the values that Wasmtime would
/// compute in `Config::validate` (and record in the artifacts the engine
/// compiles). From
/// [`engine_profile`].
///
/// ```no_run
/// # let engine: wasmtime_dyn::Engine = unimplemented!();
/// let profile = wasmtime_dyn::cwasm::engine_profile(&engine);
/// println!("{}-{}: {}", profile.architecture, profile.operating_system,
///     profile.features().join(", "));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct EngineProfile {
    /// The Wasmtime major of the engine's library: the version an artifact
    /// must carry (Wasmtime writes only the major since 38.0.1).
    pub wasmtime_major: u32,
    /// The architecture the engine compiles and runs code for, as
    /// `target-lexicon` names it (`x86_64`): the host's, or that of the
    /// engine's [`Config::target`](crate::Config::target).
    pub architecture: String,
    /// The operating system the engine compiles and runs code for, as
    /// `target-lexicon` names it (`linux`): the host's, or that of the
    /// engine's [`Config::target`](crate::Config::target).
    pub operating_system: String,
    /// The engine's tunables. `collector` is the library's collector when
    /// the engine has GC and the collector could be learned, else `None`:
    /// see [`gc`](EngineProfile::gc).
    pub tunables: Tunables,
    /// Whether the engine has GC types on, and so a collector: the
    /// library's build default, which the C API neither sets nor reports.
    /// A library with a compiler reveals it in an artifact: the first
    /// profile of such a library compiles an empty module once to read it.
    /// For others it stays unknown and any collector is taken to fit.
    pub gc: bool,
    /// The enabled WebAssembly features (wasmparser bits).
    pub feature_bits: u64,
}

impl EngineProfile {
    /// The names of the enabled WebAssembly features.
    ///
    /// ```no_run
    /// # let engine: wasmtime_dyn::Engine = unimplemented!();
    /// let profile = wasmtime_dyn::cwasm::engine_profile(&engine);
    /// println!("{}", profile.features().join(", "));
    /// ```
    pub fn features(&self) -> Vec<&'static str> {
        feature_names(self.feature_bits)
    }
}

/// What `engine` expects of artifacts (see [`EngineProfile`]).
///
/// ```no_run
/// # let engine: wasmtime_dyn::Engine = unimplemented!();
/// let profile = wasmtime_dyn::cwasm::engine_profile(&engine);
/// assert_eq!(profile.tunables.memory_guard_size, 32 << 20);
/// ```
pub fn engine_profile(engine: &Engine) -> EngineProfile {
    let major = versions::major_of(engine.wasmtime());
    let s = engine.settings();
    let features = features_of(engine.wasmtime(), s);
    let bits = features.enabled;
    let winch = features.winch;
    let concurrency = features.concurrency;

    // Tunables::default_for_target, then Config::validate.
    let target = lexicon::compile_target(s.target.as_deref());
    let thirty_two = match &s.target {
        Some(_) => target.is_32_bit(),
        None => cfg!(target_pointer_width = "32"),
    };
    let (reservation, mut guard, growth) = if thirty_two {
        (10 << 20, 0x1_0000, 1 << 20)
    } else {
        (1 << 32, 32 << 20, 2 << 30)
    };
    // Pulley has no signals-based traps and no use for guard pages.
    let mut signals_based_traps = true;
    if target.is_pulley() {
        signals_based_traps = false;
        guard = 0;
    }
    let memory_reservation = s.memory_reservation.unwrap_or(reservation);
    let memory_guard_size = s.memory_guard_size.unwrap_or(guard);
    let memory_reservation_for_growth = s.memory_reservation_for_growth.unwrap_or(growth);
    let memory_may_move = s.memory_may_move.unwrap_or(true);
    let gc = bits & features::GC_TYPES != 0;
    let tunables = Tunables {
        collector: if gc {
            library_collector(engine.wasmtime())
        } else {
            None
        },
        memory_reservation,
        memory_guard_size,
        memory_reservation_for_growth,
        debug_native: s.debug_info.unwrap_or(false),
        debug_guest: false,
        debug_symbols: true,
        // Config::wasm_backtrace_details(Environment), run by Config::new:
        // the variable as it was when the engine was made.
        parse_wasm_debuginfo: engine.backtrace_details(),
        consume_fuel: s.consume_fuel.unwrap_or(false),
        operator_cost: OperatorCost::Default,
        epoch_interruption: s.epoch_interruption.unwrap_or(false),
        memory_may_move,
        guard_before_linear_memory: true,
        table_lazy_init: true,
        generate_address_map: true,
        debug_adapter_modules: false,
        relaxed_simd_deterministic: s.relaxed_simd_deterministic.unwrap_or(false),
        winch_callable: winch,
        signals_based_traps: s.signals_based_traps.unwrap_or(signals_based_traps),
        memory_init_cow: s.memory_init_cow.unwrap_or(true),
        inlining: Inlining::No,
        // Not a setting of 45 and later (36 to 44 default to `WhenUsingGc`).
        inlining_intra_module: None,
        inlining_small_callee_size: 50,
        inlining_sum_size_threshold: 2000,
        concurrency_support: concurrency,
        recording: false,
        // Official libraries are not built with AddressSanitizer.
        asan_stack_switching: false,
        gc_zeal_alloc_counter: None,
        // No GC heap setting in the C API: they copy the memory ones.
        gc_heap_reservation: memory_reservation,
        gc_heap_guard_size: memory_guard_size,
        gc_heap_reservation_for_growth: memory_reservation_for_growth,
        gc_heap_initial_size: 0,
        gc_heap_may_move: memory_may_move,
        metadata_for_internal_asserts: false,
        metadata_for_gc_heap_corruption: true,
        branch_hinting: s.branch_hinting.unwrap_or(false),
    };
    EngineProfile {
        wasmtime_major: major,
        architecture: target.arch.to_string(),
        operating_system: target.os.to_string(),
        tunables,
        gc,
        feature_bits: bits,
    }
}

/// The collector of a library with GC, learned from an empty module that
/// its default engine compiles, once per library; `None` when it has no
/// compiler to ask.
fn library_collector(wasmtime: &'static Wasmtime) -> Option<Collector> {
    static LEARNED: Mutex<Vec<(usize, Option<Collector>)>> = Mutex::new(Vec::new());
    let key = wasmtime as *const Wasmtime as usize;
    let mut learned = LEARNED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(&(_, collector)) = learned.iter().find(|(k, _)| *k == key) {
        return collector;
    }
    let collector = (wasmtime.has(Capability::Gc) && wasmtime.has(Capability::Compiler))
        .then(|| {
            let engine = Engine::default_for(wasmtime).ok()?;
            let artifact = engine.compiler()?.precompile(b"\0asm\x01\0\0\0").ok()?;
            inspect(&artifact).ok()?.tunables.collector
        })
        .flatten();
    learned.push((key, collector));
    collector
}

/// The features an engine of `wasmtime` set up with `s` enables, as its
/// major's `Config::features` computes them, with what decides them.
pub(crate) struct EngineFeatures {
    /// The enabled features (wasmparser bits).
    pub enabled: u64,
    /// The features the engine's compiler (or, without one, Wasmtime)
    /// cannot handle: `Config::compiler_panicking_wasm_features`.
    pub unsupported: u64,
    /// Whether the engine compiles with Winch.
    pub winch: bool,
    /// Whether component-model concurrency support is on.
    pub concurrency: bool,
    /// The explicitly enabled features, each with its setter's name.
    pub explicitly_enabled: Vec<(&'static str, u64)>,
}

/// `Config::features` of the library's major, for the settings `s`.
pub(crate) fn features_of(wasmtime: &Wasmtime, s: &Settings) -> EngineFeatures {
    features_from(
        defaults::of(versions::major_of(wasmtime)),
        // What the build compiled in decides the defaults, handed out or not.
        &|c| wasmtime.built_with(c),
        s,
    )
}

/// `Config::features` for the defaults `d` of a major, a library that has
/// the capabilities `has` says, and the settings `s`.
fn features_from(
    d: &defaults::EngineDefaults,
    has: &dyn Fn(Capability) -> bool,
    s: &Settings,
) -> EngineFeatures {
    use features::*;
    let compiler = has(Capability::Compiler);
    let winch = compiler && s.strategy == Some(Strategy::Winch);
    let concurrency = s
        .concurrency_support
        .unwrap_or(has(Capability::ComponentModelAsync));
    let set = |bits: &mut u64, flag: u64, on: bool| {
        if on {
            *bits |= flag
        } else {
            *bits &= !flag
        }
    };

    // The compiler's base set, then the build.
    let mut bits = if winch {
        d.winch_base
    } else {
        d.cranelift_base
    };
    for &(flag, capability) in d.set_by_build {
        set(&mut bits, flag, has(capability));
    }
    for &(flag, capability) in d.removed_without {
        if !has(capability) {
            bits &= !flag;
        }
    }
    if d.cm_async_follows_concurrency {
        set(&mut bits, CM_ASYNC, concurrency);
    }
    // Config::compiler_panicking_wasm_features, for the compiler's target
    // (`Config::target`, else the host).
    let target = lexicon::compile_target(s.target.as_deref());
    let mut unsupported = !d.known_to_wasmtime;
    if winch {
        unsupported |= d.winch_unsupported;
        if matches!(target.arch, "aarch64" | "arm64") {
            unsupported |= d.winch_unsupported_aarch64;
        }
    } else if compiler || d.target_rules_without_compiler {
        if target.is_pulley() {
            unsupported |= THREADS | STACK_SWITCHING;
        }
        if !target.has_stack_switching() {
            unsupported |= STACK_SWITCHING;
        }
    }
    bits &= !unsupported;
    // The explicit wasm_* settings the C API applied (the GC, threads and
    // component-model setters only exist in libraries with them).
    let gc_api = has(Capability::Gc);
    let explicit = [
        ("wasm_bulk_memory", s.bulk_memory, BULK_MEMORY, true),
        ("wasm_multi_value", s.multi_value, MULTI_VALUE, true),
        ("wasm_multi_memory", s.multi_memory, MULTI_MEMORY, true),
        ("wasm_memory64", s.memory64, MEMORY64, true),
        ("wasm_simd", s.simd, SIMD, true),
        ("wasm_relaxed_simd", s.relaxed_simd, RELAXED_SIMD, true),
        ("wasm_tail_call", s.tail_call, TAIL_CALL, true),
        (
            "wasm_wide_arithmetic",
            s.wide_arithmetic,
            WIDE_ARITHMETIC,
            true,
        ),
        (
            "wasm_custom_page_sizes",
            s.custom_page_sizes,
            CUSTOM_PAGE_SIZES,
            true,
        ),
        (
            "wasm_stack_switching",
            s.stack_switching,
            STACK_SWITCHING,
            true,
        ),
        ("gc_support", s.gc_support, GC_TYPES, true),
        (
            "wasm_reference_types",
            s.reference_types,
            REFERENCE_TYPES,
            gc_api,
        ),
        (
            "wasm_function_references",
            s.function_references,
            FUNCTION_REFERENCES,
            gc_api,
        ),
        ("wasm_gc", s.wasm_gc, GC, gc_api),
        ("wasm_exceptions", s.exceptions, EXCEPTIONS, gc_api),
        ("wasm_threads", s.threads, THREADS, has(Capability::Threads)),
        (
            "wasm_component_model",
            s.component_model,
            COMPONENT_MODEL,
            has(Capability::ComponentModel),
        ),
        (
            "wasm_component_model_map",
            s.component_model_map,
            CM_MAP,
            has(Capability::ComponentModel),
        ),
        (
            "wasm_component_model_implements",
            s.component_model_implements,
            CM_IMPLEMENTS,
            has(Capability::ComponentModel),
        ),
        (
            "wasm_component_model_async",
            s.component_model_async,
            CM_ASYNC,
            has(Capability::ComponentModelAsync),
        ),
        (
            "wasm_component_model_async_stackful",
            s.component_model_async_stackful,
            CM_ASYNC_STACKFUL,
            has(Capability::ComponentModelAsync),
        ),
        (
            "wasm_component_model_more_async_builtins",
            s.component_model_more_async_builtins,
            CM_MORE_ASYNC_BUILTINS,
            has(Capability::ComponentModelAsync),
        ),
    ];
    let mut explicitly_enabled = Vec::new();
    for (name, value, flag, applied) in explicit {
        if let (Some(on), true) = (value, applied) {
            set(&mut bits, flag, on);
            if on {
                explicitly_enabled.push((name, flag));
            }
        }
    }
    EngineFeatures {
        enabled: bits,
        unsupported,
        winch,
        concurrency,
        explicitly_enabled,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The official release libraries have every capability.
    fn official(_: Capability) -> bool {
        true
    }

    /// The per-major defaults predict the features the official libraries
    /// of 47, 49 and 50 wrote into their artifacts (the fixtures of
    /// `tests/fixtures`, made through the PyPI wheels), setting by setting.
    #[test]
    fn defaults_predict_the_features_of_real_artifacts() {
        let default = Settings::default();
        let winch = Settings {
            strategy: Some(Strategy::Winch),
            ..Settings::default()
        };
        let no_gc = Settings {
            gc_support: Some(false),
            wasm_gc: Some(false),
            function_references: Some(false),
            exceptions: Some(false),
            ..Settings::default()
        };
        let custom = Settings {
            threads: Some(false),
            wide_arithmetic: Some(false),
            ..Settings::default()
        };
        let stack_switching = Settings {
            stack_switching: Some(true),
            ..Settings::default()
        };
        let cases: [(&[u8], &Settings); 8] = [
            (
                include_bytes!("../../tests/fixtures/v47-default.cwasm"),
                &default,
            ),
            (
                include_bytes!("../../tests/fixtures/v49-default.cwasm"),
                &default,
            ),
            (
                include_bytes!("../../tests/fixtures/v49-fuel.cwasm"),
                &default,
            ),
            (
                include_bytes!("../../tests/fixtures/v50-default.cwasm"),
                &default,
            ),
            (
                include_bytes!("../../tests/fixtures/v50-winch.cwasm"),
                &winch,
            ),
            (
                include_bytes!("../../tests/fixtures/v50-nogc.cwasm"),
                &no_gc,
            ),
            (
                include_bytes!("../../tests/fixtures/v50-custom.cwasm"),
                &custom,
            ),
            (
                include_bytes!("../../tests/fixtures/v50-stack-switching.cwasm"),
                &stack_switching,
            ),
        ];
        let mut distinct = Vec::new();
        for (bytes, settings) in cases {
            let info = inspect(bytes).unwrap();
            let major: u32 = info.version.parse().unwrap();
            let predicted = features_from(defaults::of(major), &official, settings);
            assert_eq!(
                feature_names(predicted.enabled),
                info.features,
                "{major} {settings:?}"
            );
            assert_eq!(predicted.winch, info.tunables.winch_callable);
            assert_eq!(predicted.concurrency, info.tunables.concurrency_support);
            if !distinct.contains(&info.feature_bits) {
                distinct.push(info.feature_bits);
            }
        }
        // 47 = 48's WebAssembly 3.0; 49 adds wide arithmetic; 50's Winch,
        // no-GC, custom and stack-switching sets all differ.
        assert_eq!(distinct.len(), 6, "{distinct:x?}");
    }
}
