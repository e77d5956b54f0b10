//! The compatibility rules: why an engine would refuse an artifact, in the
//! order Wasmtime checks (`check_compatible` in
//! `wasmtime/src/engine/serialization.rs`, then
//! `check_compatible_with_shared_flag` and `check_compatible_with_isa_flag`
//! in `wasmtime/src/engine.rs`, unchanged from 48 to 50 but for the flags
//! older majors do not know, which `versions::defaults` lists).

use super::features;
use super::host;
use super::lexicon;
use super::profile::{engine_profile, EngineProfile};
use super::{is_own_version, ArtifactKind, CwasmInfo, FlagValue, Inlining};
use crate::engine::Engine;
use crate::loader::Version;
use crate::versions::defaults::{self, EngineDefaults};
use crate::versions::FULL_VERSION_IN_ARTIFACTS;

/// `Engine::check_compatible_with_shared_flag`: flags with one required
/// value, flags that do not matter, and the rest refused as unknown.
fn check_shared_flag(
    name: &str,
    value: &FlagValue,
    profile: &EngineProfile,
    defaults: &EngineDefaults,
) -> Option<String> {
    use FlagValue::{Bool, Enum};
    let is_enum = |want: &str| matches!(value, Enum(v) if v == want);
    let os = profile.operating_system.as_str();
    let ok = match name {
        _ if defaults.unknown_shared_flags.contains(&name) => {
            return Some(unknown_shared(name, value))
        }
        "enable_safepoints" if defaults.retired_shared_flags.contains(&name) => {
            profile.feature_bits & features::REFERENCE_TYPES != features::REFERENCE_TYPES
                || *value == Bool(true)
        }
        _ if defaults.retired_shared_flags.contains(&name) => true,
        "libcall_call_conv" => is_enum("isa_default"),
        "preserve_frame_pointers" | "enable_probestack" | "enable_multi_ret_implicit_sret" => {
            *value == Bool(true)
        }
        "probestack_strategy" => is_enum("inline"),
        "enable_llvm_abi_extensions"
        | "enable_pinned_reg"
        | "use_colocated_libcalls"
        | "use_pinned_reg_as_heap_base" => *value == Bool(false),
        // The engine's target: the host, or `Config::target`'s.
        "unwind_info" => os != "windows" || *value == Bool(true),
        "stack_switch_model" => {
            if profile.feature_bits & features::STACK_SWITCHING == 0 {
                true
            } else if os == "windows" {
                is_enum("update_windows_tib")
            } else if os == "linux" || os.starts_with("darwin") || os.starts_with("macosx") {
                is_enum("basic")
            } else {
                return Some("stack-switching feature not supported on this platform".into());
            }
        }
        "enable_heap_access_spectre_mitigation"
        | "enable_table_access_spectre_mitigation"
        | "enable_nan_canonicalization"
        | "enable_float"
        | "enable_verifier"
        | "regalloc_checker"
        | "regalloc_verbose_logs"
        | "regalloc_algorithm"
        | "is_pic"
        | "bb_padding_log2_minus_one"
        | "log2_min_function_alignment"
        | "enable_compact_unwind_abi"
        | "machine_code_cfg_info"
        | "tls_model"
        | "opt_level"
        | "enable_alias_analysis"
        | "probestack_size_log2"
        | "regalloc"
        | "enable_incremental_compilation_cache_checks"
        | "enable_atomics" => true,
        _ => return Some(unknown_shared(name, value)),
    };
    (!ok).then(|| {
        format!(
            "compilation settings of module incompatible with native host: setting {name:?} is \
             configured to {} which is not supported",
            debug_flag(value)
        )
    })
}

fn unknown_shared(name: &str, value: &FlagValue) -> String {
    format!(
        "compilation settings of module incompatible with native host: unknown shared setting \
         {name:?} configured to {}",
        debug_flag(value)
    )
}

/// A flag value as Wasmtime's messages print it (`Bool(false)`).
fn debug_flag(value: &FlagValue) -> String {
    match value {
        FlagValue::Enum(v) => format!("Enum({v:?})"),
        FlagValue::Num(v) => format!("Num({v})"),
        FlagValue::Bool(v) => format!("Bool({v})"),
    }
}

/// `Engine::check_compatible_with_isa_flag`: an enabled CPU feature must be
/// present on this host.
fn check_isa_flag(name: &str, value: &FlagValue, defaults: &EngineDefaults) -> Option<String> {
    let context = "compilation settings of module incompatible with native host";
    let unknown = || {
        format!("{context}: don't know how to test for target-specific flag {name:?} at runtime")
    };
    match value {
        FlagValue::Bool(false) => return None,
        FlagValue::Bool(true) => {}
        FlagValue::Enum(v) if v == "pointer32" || v == "pointer64" => {
            let host = if cfg!(target_pointer_width = "32") {
                "pointer32"
            } else {
                "pointer64"
            };
            return (v != host).then(|| format!("{context}: wrong host pointer width"));
        }
        _ => {
            return Some(format!(
                "{context}: isa-specific feature {name:?} configured to unknown value {}",
                debug_flag(value)
            ))
        }
    }
    let host_feature = match name {
        _ if defaults.unknown_isa_flags.contains(&name) => return Some(unknown()),
        "has_lse" => "lse",
        "has_pauth" => "paca",
        "has_fp16" => "fp16",
        "has_dotprod" => "dotprod",
        "has_i8mm" => "i8mm",
        "sign_return_address_all"
        | "sign_return_address"
        | "sign_return_address_with_bkey"
        | "use_bti" => return None,
        "has_vxrs_ext2" => "vxrs_ext2",
        "has_vxrs_ext3" => "vxrs_ext3",
        "has_mie3" => "mie3",
        "has_mie4" => "mie4",
        "has_cmpxchg16b" => "cmpxchg16b",
        "has_sse3" => "sse3",
        "has_ssse3" => "ssse3",
        "has_sse41" => "sse4.1",
        "has_sse42" => "sse4.2",
        "has_popcnt" => "popcnt",
        "has_avx" => "avx",
        "has_avx2" => "avx2",
        "has_fma" => "fma",
        "has_avx_vnni" => "avxvnni",
        "has_bmi1" => "bmi1",
        "has_bmi2" => "bmi2",
        "has_avx512bitalg" => "avx512bitalg",
        "has_avx512dq" => "avx512dq",
        "has_avx512f" => "avx512f",
        "has_avx512vl" => "avx512vl",
        "has_avx512vbmi" => "avx512vbmi",
        "has_avx512vnni" => "avx512vnni",
        "has_lzcnt" => "lzcnt",
        "big_endian" if cfg!(target_endian = "big") => return None,
        "big_endian" => return Some(format!("{context}: wrong host endianness")),
        _ if cfg!(target_arch = "riscv64") => return None,
        _ => return Some(unknown()),
    };
    match host::detect_feature(host_feature) {
        Some(true) => None,
        Some(false) => Some(format!(
            "{context}: compilation setting {name:?} is enabled, but not available on the host"
        )),
        None => Some(format!(
            "{context}: failed to detect if target-specific flag {host_feature:?} is available \
             at runtime (compile setting {name:?})"
        )),
    }
}

/// Why `engine` would refuse the artifact `info` describes, in the order
/// Wasmtime checks (its error would be the first); empty when it fits. See
/// the [module documentation](crate::cwasm) for what is approximated.
///
/// ```no_run
/// # let (engine, bytes): (wasmtime_dyn::Engine, Vec<u8>) = unimplemented!();
/// use wasmtime_dyn::cwasm;
/// let info = cwasm::inspect(&bytes)?;
/// for reason in cwasm::incompatibilities(&engine, &info) {
///     eprintln!("- {reason}");
/// }
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
pub fn incompatibilities(engine: &Engine, info: &CwasmInfo) -> Vec<String> {
    incompatibilities_for(engine, info, ArtifactKind::Module)
}

/// [`incompatibilities`] for `Module::deserialize` (`expected` a module)
/// or `Component::deserialize` (a component).
pub(crate) fn incompatibilities_for(
    engine: &Engine,
    info: &CwasmInfo,
    expected: ArtifactKind,
) -> Vec<String> {
    let profile = engine_profile(engine);
    // check_compatible: e_flags, then the version, then the metadata, which
    // is only compared between artifacts and engines of one version.
    let own = engine.wasmtime().version();
    let mut reasons = header_reasons(info.kind, expected, &info.version, own);
    if !is_own_version(&info.version, own) {
        return reasons;
    }
    let defaults = defaults::of(profile.wasmtime_major);
    // check_triple
    let arch = info.target.split('-').next().unwrap_or("");
    if arch != profile.architecture {
        reasons.push(format!("Module was compiled for architecture '{arch}'"));
    } else {
        match lexicon::parse(&info.target) {
            Err(e) => reasons.push(e),
            Ok((_, os)) if os != profile.operating_system => {
                reasons.push(format!("Module was compiled for operating system '{os}'"))
            }
            Ok(_) => {}
        }
    }
    for (name, value) in &info.shared_flags {
        reasons.extend(check_shared_flag(name, value, &profile, defaults));
    }
    for (name, value) in &info.isa_flags {
        reasons.extend(check_isa_flag(name, value, defaults));
    }
    check_tunables(info, &profile, &mut reasons);
    // check_features, with the artifact's bits truncated to those the
    // engine's wasmparser defines.
    let missing = info.feature_bits & defaults.wasmparser_bits & !profile.feature_bits;
    for name in features::names(missing) {
        reasons.push(format!(
            "Module was compiled with support for WebAssembly feature `{name}` but it is not \
             enabled for the host"
        ));
    }
    // Wasmtime 36 wants them exactly (`versions::FEATURES_EXACT`).
    if *crate::versions::FEATURES_EXACT.of(profile.wasmtime_major) {
        let lacking = profile.feature_bits & defaults.wasmparser_bits & !info.feature_bits;
        for name in features::names(lacking) {
            reasons.push(format!(
                "Module was compiled without support for WebAssembly feature `{name}` but it is \
                 enabled for the host"
            ));
        }
    }
    reasons
}

/// The reasons the ELF header and the version string give: a component
/// where a module is expected (or the other way round), an artifact of
/// another Wasmtime version.
pub(super) fn header_reasons(
    kind: ArtifactKind,
    expected: ArtifactKind,
    version: &str,
    engine: Version,
) -> Vec<String> {
    let mut reasons = Vec::new();
    if kind != expected {
        reasons.push(format!(
            "incompatible object file format: this is a precompiled {kind}, and only {expected}s \
             can be deserialized here"
        ));
    }
    let engine_version = engine;
    if !is_own_version(version, engine) {
        // The engine as the artifacts of its major name it (its major alone
        // from 38 on).
        let engine = if FULL_VERSION_IN_ARTIFACTS.get(engine.major()).is_some() {
            engine.to_string()
        } else {
            engine.major().to_string()
        };
        let says = crate::versions::INCOMPATIBLE_VERSION
            .get(engine_version.major())
            .copied()
            .unwrap_or("Module was compiled with incompatible version");
        reasons.push(format!(
            "{says} '{version}': made by Wasmtime {version}, this engine is Wasmtime {engine}: \
             Wasmtime only loads artifacts of its own version"
        ));
    }
    reasons
}

/// Collects Wasmtime's `check_int` / `check_bool` messages.
struct Reasons<'a>(&'a mut Vec<String>);

impl Reasons<'_> {
    fn int(&mut self, found: u64, expected: u64, what: &str) {
        if found != expected {
            self.0.push(format!(
                "Module was compiled with a {what} of '{found}' but '{expected}' is expected for \
                 the host"
            ));
        }
    }

    fn boolean(&mut self, found: bool, expected: bool, what: &str) {
        if found != expected {
            self.0.push(format!(
                "Module was compiled {} {what} but it {} enabled for the host",
                if found { "with" } else { "without" },
                if expected { "is" } else { "is not" }
            ));
        }
    }
}

/// `Metadata::check_tunables`, field for field in Wasmtime's order, for
/// the fields the artifact's layout records (both sides of a comparison
/// are of one major, so a field one lacks the other lacks too). Before 45
/// inlining was an on/off flag, compared where the small-callee size is,
/// plus an intra-module mode compared last; before 39 native debug
/// information had its own message.
fn check_tunables(info: &CwasmInfo, profile: &EngineProfile, reasons: &mut Vec<String>) {
    let module = &info.tunables;
    let host = &profile.tunables;
    let has = |name: &str| info.tunables_recorded.contains(&name);
    // check_collector (a host collector that could not be learned fits).
    match (module.collector, profile.gc, host.collector) {
        (Some(_), false, _) => {
            reasons.push("module was compiled with GC however GC is disabled in the host".into())
        }
        (Some(module), true, Some(host)) if module != host => reasons.push(format!(
            "module was compiled for the {module} collector but the host is configured to use \
             the {host} collector"
        )),
        _ => {}
    }
    let mut r = Reasons(reasons);
    r.int(
        module.memory_reservation,
        host.memory_reservation,
        "memory reservation",
    );
    r.int(
        module.memory_guard_size,
        host.memory_guard_size,
        "memory guard size",
    );
    if has("generate_native_debuginfo") {
        r.boolean(
            module.debug_native,
            host.debug_native,
            "debug information support",
        );
    }
    if has("debug_native") {
        r.boolean(
            module.debug_native,
            host.debug_native,
            "native debug information support",
        );
    }
    if has("debug_guest") {
        r.boolean(module.debug_guest, host.debug_guest, "guest debug");
    }
    if has("debug_symbols") {
        r.boolean(module.debug_symbols, host.debug_symbols, "debug symbols");
    }
    r.boolean(
        module.parse_wasm_debuginfo,
        host.parse_wasm_debuginfo,
        "WebAssembly backtrace support",
    );
    r.boolean(module.consume_fuel, host.consume_fuel, "fuel support");
    if has("operator_cost") && module.consume_fuel && module.operator_cost != host.operator_cost {
        r.0.push("Module costs are incompatible".into());
    }
    r.boolean(
        module.epoch_interruption,
        host.epoch_interruption,
        "epoch interruption",
    );
    r.boolean(
        module.memory_may_move,
        host.memory_may_move,
        "memory may move",
    );
    r.boolean(
        module.guard_before_linear_memory,
        host.guard_before_linear_memory,
        "guard before linear memory",
    );
    r.boolean(
        module.table_lazy_init,
        host.table_lazy_init,
        "table lazy init",
    );
    r.boolean(
        module.relaxed_simd_deterministic,
        host.relaxed_simd_deterministic,
        "relaxed simd deterministic semantics",
    );
    r.boolean(
        module.winch_callable,
        host.winch_callable,
        "Winch calling convention",
    );
    r.boolean(
        module.signals_based_traps,
        host.signals_based_traps,
        "Signals-based traps",
    );
    r.boolean(
        module.memory_init_cow,
        host.memory_init_cow,
        "memory initialization with CoW",
    );
    let inlining_flag = module.inlining_intra_module.is_some();
    if inlining_flag {
        r.boolean(
            module.inlining != Inlining::No,
            host.inlining != Inlining::No,
            "function inlining",
        );
    }
    r.int(
        module.inlining_small_callee_size.into(),
        host.inlining_small_callee_size.into(),
        "function inlining small-callee size",
    );
    r.int(
        module.inlining_sum_size_threshold.into(),
        host.inlining_sum_size_threshold.into(),
        "function inlining sum-size threshold",
    );
    if has("concurrency_support") {
        r.boolean(
            module.concurrency_support,
            host.concurrency_support,
            "concurrency support",
        );
    }
    if has("recording") {
        r.boolean(module.recording, host.recording, "RR recording support");
    }
    if has("asan_stack_switching") {
        r.boolean(
            module.asan_stack_switching,
            host.asan_stack_switching,
            "AddressSanitizer stack-switching support",
        );
    }
    if inlining_flag {
        if let (Some(module), Some(host)) =
            (module.inlining_intra_module, host.inlining_intra_module)
        {
            if module != host {
                r.0.push(format!(
                    "module was compiled {module} however the host is configured {host}"
                ));
            }
        }
        return;
    }
    if module.inlining != host.inlining {
        r.0.push(format!(
            "module was compiled {} however the host is configured {}",
            module.inlining, host.inlining
        ));
    }
    r.int(
        module.gc_heap_reservation,
        host.gc_heap_reservation,
        "GC heap reservation",
    );
    r.int(
        module.gc_heap_guard_size,
        host.gc_heap_guard_size,
        "GC heap guard size",
    );
    if has("gc_heap_initial_size") {
        r.int(
            module.gc_heap_initial_size,
            host.gc_heap_initial_size,
            "GC heap initial size",
        );
    }
    r.boolean(
        module.gc_heap_may_move,
        host.gc_heap_may_move,
        "GC heap may move",
    );
}
