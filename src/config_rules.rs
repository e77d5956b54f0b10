//! The configurations Wasmtime rejects in `Engine::new`, checked before
//! the C API would turn the rejection into a process abort.
//!
//! Found by reading each supported major's `Config::validate`,
//! `Config::build_compiler` and Winch's builder, and confirmed against the
//! 48 test libraries; each rule cites the check it mirrors (line numbers of
//! Wasmtime 48.0.0's `config.rs`). What differs between majors (the
//! default features, what Winch cannot compile, the rules added in 49) is
//! read from `versions::defaults` for the library's own major. Target
//! triples and raw Cranelift flags are checked here too (the C API aborts
//! on an unknown flag or a target without a backend); settings this crate
//! does not expose (profilers, async stack sizes, component-model async)
//! are not.

use crate::capability::Capability;
use crate::config::{config_error, Config, Settings, Strategy};
use crate::cwasm::features::{
    CM_ASYNC, CM_ASYNC_STACKFUL, CM_ERROR_CONTEXT, CM_MAP, CM_MORE_ASYNC_BUILTINS, CM_THREADING,
    COMPONENT_MODEL, EXCEPTIONS, FUNCTION_REFERENCES, GC, GC_TYPES, REFERENCE_TYPES, RELAXED_SIMD,
    SIMD, STACK_SWITCHING, THREADS,
};
use crate::cwasm::profile::{features_of, EngineFeatures};
use crate::cwasm::{host, lexicon, FlagValue};
use crate::engine::Engine;
use crate::error::{ErrorKind, Result};
use crate::loader::Wasmtime;
use crate::versions::{self, cranelift, defaults};
use std::sync::{Arc, Mutex};

/// Wasmtime's default `async_stack_size` (2 MiB in 45 to 50); this crate
/// does not expose the setter, so it is the bound for `max_wasm_stack` in
/// every build.
const ASYNC_STACK_SIZE: usize = 2 << 20;

/// Wasmtime's default `max_wasm_stack` (512 KiB in 45 to 50).
const DEFAULT_MAX_WASM_STACK: usize = 512 << 10;

pub(crate) fn validate(wasmtime: &'static Wasmtime, s: &Settings) -> Result<()> {
    let reject = |message: String| Err(ErrorKind::Config(message).into());
    let major_defaults = defaults::of(versions::major_of(wasmtime));
    // config.rs:2951, before the features depend on the strategy.
    let winch = s.strategy == Some(Strategy::Winch) && wasmtime.has(Capability::Compiler);
    if winch && !wasmtime.has_winch() {
        return Err(crate::config::config_error(
            "Strategy::Winch: this libwasmtime was built without Winch (it has Cranelift only)",
        ));
    }
    if let Some(triple) = &s.target {
        // Again here: a `Config` copied from another library's engine
        // (`precompile_for`) may carry a triple this library cannot take.
        check_target(wasmtime, triple)?;
    }
    let target = lexicon::compile_target(s.target.as_deref());
    // winch builder.rs: Winch has no Pulley backend ("This target is not
    // supported yet").
    if winch && target.is_pulley() {
        return reject(format!(
            "Strategy::Winch cannot compile for the Pulley target {:?}: use Strategy::Cranelift",
            target.arch
        ));
    }
    // config.rs:2610-2624: an explicitly enabled feature the compiler (or,
    // without one, Wasmtime on this platform) cannot handle.
    let features = features_of(wasmtime, s);
    // The top-level setters of capability tables this library lacks.
    if let Some((_, capability)) = unsupported_enable(wasmtime, s, &features) {
        return Err(ErrorKind::Unsupported(capability).into());
    }
    // `Config::allocation_strategy` sets pooling without the handle that
    // exists only with the capability.
    if s.pooling.is_some() && !wasmtime.has(Capability::PoolingAllocator) {
        return Err(ErrorKind::Unsupported(Capability::PoolingAllocator).into());
    }
    if let Some((name, _)) = features
        .explicitly_enabled
        .iter()
        .find(|(_, flag)| flag & features.unsupported != 0)
    {
        return reject(if features.winch {
            format!("{name}(true) is not supported by Winch")
        } else if target.is_pulley() {
            format!("{name}(true) is not supported when compiling for Pulley")
        } else {
            format!(
                "{name}(true) is not supported on this platform by this Wasmtime \
                 (stack switching needs x86-64 Linux or macOS)"
            )
        });
    }
    // config.rs:2631
    let stack = s.max_wasm_stack.unwrap_or(DEFAULT_MAX_WASM_STACK);
    if stack == 0 {
        return reject("max_wasm_stack cannot be zero".into());
    }
    // config.rs:2628: checked even in builds without async.
    if stack > ASYNC_STACK_SIZE {
        return reject(format!(
            "max_wasm_stack ({stack} bytes) cannot exceed Wasmtime's async stack size ({ASYNC_STACK_SIZE} bytes)"
        ));
    }
    // config.rs:2639
    if s.gc_support == Some(true) && !wasmtime.has(Capability::Gc) {
        return reject(
            "gc_support(true) needs a libwasmtime built with `gc`; this one has no GC".into(),
        );
    }
    // config.rs:2768
    if s.concurrency_support == Some(true) && !wasmtime.has(Capability::ComponentModelAsync) {
        return reject(
            "concurrency_support(true) needs a libwasmtime built with `component-model-async`"
                .into(),
        );
    }
    // config.rs:2774 (45 to 50): the component-model async features need
    // concurrency support.
    let requires_concurrency =
        CM_ASYNC | CM_MORE_ASYNC_BUILTINS | CM_ASYNC_STACKFUL | CM_THREADING | CM_ERROR_CONTEXT;
    if !features.concurrency && features.enabled & requires_concurrency != 0 {
        return reject(
            "wasm_component_model_async(true) needs concurrency support: leave \
             concurrency_support at its default or set it to true"
                .into(),
        );
    }
    // Wasmtime 49 and later (49's config.rs:2786): component-model async
    // adapters use `ref.func`.
    if major_defaults.cm_async_needs_reference_types
        && features.enabled & CM_ASYNC != 0
        && features.enabled & REFERENCE_TYPES == 0
    {
        return reject(
            "concurrency support needs the reference-types proposal: keep \
             wasm_reference_types(true) or set concurrency_support(false)"
                .into(),
        );
    }
    if let Some(pool) = &s.pooling {
        validate_pool(wasmtime, s, pool)?;
    }
    if s.has_cranelift_flags() && !wasmtime.has(Capability::Compiler) {
        return Err(ErrorKind::Unsupported(Capability::Compiler).into());
    }
    if !wasmtime.has(Capability::Compiler) {
        return Ok(());
    }
    // config.rs:2994 (build_compiler)
    if target.os == "windows" && s.native_unwind_info == Some(false) {
        return reject(format!(
            "native_unwind_info(false) cannot be used for the Windows target {:?}: Windows needs \
             unwind information",
            s.target.as_deref().unwrap_or_default()
        ));
    }
    if s.has_cranelift_flags() {
        validate_cranelift_flags(wasmtime, s, &features)?;
    }
    // config.rs:3033 (build_compiler): relaxed SIMD is on by default with
    // Cranelift.
    if features.enabled & RELAXED_SIMD != 0 && features.enabled & SIMD == 0 {
        return reject(
            "wasm_simd(false) needs wasm_relaxed_simd(false) too: the compiler cannot enable \
             relaxed SIMD without SIMD"
                .into(),
        );
    }
    if winch {
        validate_winch(s)?;
    }
    Ok(())
}

/// Address space the pool may reserve: half of x86-64's 47-bit user space.
/// Every pool (memories, tables, stacks) is one mapping made when the
/// engine is created, so their sum must fit; what the process can map
/// when the engine is created is checked then (`Reservation::check`).
const MAX_POOL_RESERVATION: u64 = 1 << 46;

/// The most slots one pool's bookkeeping may track: Wasmtime allocates a
/// slot-state entry per slot up front (index_allocator.rs:284-304), and
/// an allocation failure there aborts the process inside the C API.
const MAX_POOL_SLOTS: u64 = 1 << 24;

/// The pooling allocator reserves every pool when the engine is created
/// (`PoolingInstanceAllocator::new`, pooling.rs:272-307): memories
/// (memory_pool.rs), tables (table_pool.rs:33-52), GC heaps (which share
/// the memory pool, gc_heap_pool.rs:62-92), and, in builds with async,
/// stacks (unix_stack_pool.rs:35-56). Any error there (a size that
/// overflows, a mapping the address space cannot hold, bookkeeping that
/// cannot be allocated) aborts the process inside `wasm_engine_new_with_config`.
/// Instance counts (core and component) are only counters, and GC heap
/// and stack counts are not settable here (Wasmtime's defaults are
/// accounted for, see `versions::pooling`).
fn validate_pool(
    wasmtime: &Wasmtime,
    s: &Settings,
    pool: &crate::pooling::PoolingConfig,
) -> Result<()> {
    // index_allocator.rs:284-304: bookkeeping per slot, allocated up front.
    let counts = [
        ("total_memories", pool.total_memories),
        ("total_tables", pool.total_tables),
    ];
    for (name, count) in counts {
        if let Some(count) = count.map(u64::from).filter(|c| *c > MAX_POOL_SLOTS) {
            return Err(ErrorKind::Config(format!(
                "the pool's {name} ({count}) is above {MAX_POOL_SLOTS}: Wasmtime allocates the \
                 bookkeeping of every slot when the engine is created; lower {name}"
            ))
            .into());
        }
    }
    let reservation = crate::pooling::Reservation::of(wasmtime, s, pool)?;
    if reservation.total() <= MAX_POOL_RESERVATION {
        return Ok(());
    }
    Err(ErrorKind::Config(format!(
        "the pool's memories ({} bytes), tables ({} bytes) and async stacks ({} bytes) together \
         need more address space than a process can reserve ({MAX_POOL_RESERVATION} bytes): \
         lower total_memories, memory_reservation, memory_guard_size, total_tables or \
         table_elements",
        reservation.memories, reservation.tables, reservation.stacks
    ))
    .into())
}

fn validate_winch(s: &Settings) -> Result<()> {
    // winch builder.rs:62 and 66
    if s.signals_based_traps == Some(false) {
        return Err(crate::config::config_error(
            "Winch requires signals_based_traps(true)",
        ));
    }
    if s.debug_info == Some(true) {
        return Err(crate::config::config_error(
            "Winch cannot generate debug info: use debug_info(false)",
        ));
    }
    Ok(())
}

/// The first top-level setter (`Config::wasm_gc`...) that enables a
/// proposal whose setter is in a table this library lacks, when the
/// library's build does not have the proposal on anyway: its name and the
/// missing capability.
pub(crate) fn unsupported_enable(
    wasmtime: &Wasmtime,
    s: &Settings,
    features: &EngineFeatures,
) -> Option<(&'static str, Capability)> {
    let gc = Capability::Gc;
    [
        (
            "wasm_reference_types",
            s.reference_types,
            gc,
            REFERENCE_TYPES,
        ),
        (
            "wasm_function_references",
            s.function_references,
            gc,
            FUNCTION_REFERENCES,
        ),
        // The GC proposal is of no use without GC types, which only builds
        // with GC have.
        ("wasm_gc", s.wasm_gc, gc, GC | GC_TYPES),
        ("wasm_exceptions", s.exceptions, gc, EXCEPTIONS),
        ("wasm_threads", s.threads, Capability::Threads, THREADS),
        (
            "wasm_component_model",
            s.component_model,
            Capability::ComponentModel,
            COMPONENT_MODEL,
        ),
        (
            "wasm_component_model_map",
            s.component_model_map,
            Capability::ComponentModel,
            CM_MAP,
        ),
        (
            "wasm_component_model_async",
            s.component_model_async,
            Capability::ComponentModelAsync,
            CM_ASYNC,
        ),
        (
            "wasm_component_model_async_stackful",
            s.component_model_async_stackful,
            Capability::ComponentModelAsync,
            CM_ASYNC_STACKFUL,
        ),
        (
            "wasm_component_model_more_async_builtins",
            s.component_model_more_async_builtins,
            Capability::ComponentModelAsync,
            CM_MORE_ASYNC_BUILTINS,
        ),
    ]
    .into_iter()
    .find(|&(_, value, capability, needs)| {
        value == Some(true) && !wasmtime.has(capability) && features.enabled & needs != needs
    })
    .map(|(name, _, capability, _)| (name, capability))
}

/// The spellings of the host's architecture that `target-lexicon` parses
/// to the same `Architecture`, for the architectures Cranelift has.
fn is_host_architecture(arch: &str) -> bool {
    let host = host::architecture();
    arch == host
        || matches!(
            (host, arch),
            ("aarch64", "arm64") | ("riscv64gc", "riscv64" | "riscv64imac")
        )
}

/// Checks a triple for `Config::target` (and again in `validate`): the
/// library must parse it (`wasmtime_config_target_set` returns an error
/// for what `target-lexicon` does not parse), and Wasmtime must be able to
/// create an engine for it, which it otherwise refuses in
/// `wasm_engine_new_with_config`, aborting the process:
/// `Tunables::default_for_target` needs a pointer width (an `unknown`
/// architecture has none), and with a compiler `isa::lookup` needs a
/// backend (an official library has the host's and Pulley's only: checked
/// on the 45 to 50 releases, where `aarch64`, `s390x`, `riscv64` and `mips`
/// targets abort on x86-64) and the x64 backend refuses 32-bit ABIs.
pub(crate) fn check_target(wasmtime: &Wasmtime, triple: &str) -> Result<()> {
    let refuse =
        |why: String| -> Result<()> { Err(config_error(format!("target {triple:?}: {why}"))) };
    let text = crate::config::c_string(triple)?;
    let core = wasmtime.core();
    // SAFETY: a new owned config, used for the parse only.
    let scratch = unsafe { (core.wasm_config_new)() };
    // SAFETY: `scratch` is live; the triple is NUL-terminated UTF-8 that
    // outlives the call.
    let error = unsafe { (core.wasmtime_config_target_set)(scratch, text.as_ptr()) };
    // SAFETY: `scratch` is owned here and deleted once.
    unsafe { (core.wasm_config_delete)(scratch) };
    // SAFETY: the error, if any, is fresh and owned.
    if let Err(err) = unsafe { crate::error::check(core, error) } {
        return refuse(format!("libwasmtime does not parse it: {err}"));
    }
    let arch = triple.split('-').next().unwrap_or_default();
    if arch == "unknown" {
        return refuse(
            "an unknown architecture has no pointer width, which Wasmtime needs (it would abort \
             the process)"
                .into(),
        );
    }
    if !wasmtime.has(Capability::Compiler) {
        return Ok(());
    }
    let parts = match lexicon::components(triple) {
        Ok(parts) => parts,
        Err(why) => {
            return refuse(format!(
                "{why} as this crate reads triples, and on a library with a compiler it must \
                 know the architecture before Wasmtime picks a backend (which aborts the process \
                 when there is none)"
            ))
        }
    };
    if !(is_host_architecture(parts.arch) || parts.is_pulley()) {
        return refuse(format!(
            "this libwasmtime's compiler is taken to have backends for this host's architecture \
             ({}) and Pulley only, as official releases do: Wasmtime would abort the process \
             creating an engine for an architecture it has no backend for, and the C API cannot \
             compile code for another host anyway (use the host's triple or `pulley64`/`pulley32`)",
            host::architecture()
        ));
    }
    if matches!(parts.env, "gnux32" | "gnu_ilp32") {
        return refuse(format!(
            "the {} environment is a 32-bit ABI of a 64-bit architecture, which Cranelift does \
             not support (Wasmtime would abort the process)",
            parts.env
        ));
    }
    Ok(())
}

use crate::cwasm::CompilerFlags as Flags;

/// The Cranelift settings of a library, for one target architecture.
struct Learned {
    /// The shared settings (the same for every target).
    shared: Flags,
    /// The target's ISA settings, or why they could not be learned.
    isa: std::result::Result<Flags, String>,
}

/// The settings a library's Cranelift has, learned from an empty module it
/// compiles (an artifact records every shared and ISA setting, presets
/// excepted), once per library and architecture. ISA settings can only be
/// learned for targets whose code this host runs: its own architecture,
/// and Pulley of its pointer width and byte order.
fn learned_settings(wasmtime: &'static Wasmtime, triple: Option<&str>) -> Result<Arc<Learned>> {
    /// Where a target's ISA settings come from.
    enum Isa<'a> {
        /// The host's architecture: the same code as the shared settings.
        Host,
        /// Pulley that this host runs: code compiled for it.
        Pulley(&'a str),
        /// Code this host does not run: nothing to learn from.
        Foreign(&'a str),
    }
    static LEARNED: Mutex<Vec<(usize, String, Arc<Learned>)>> = Mutex::new(Vec::new());
    let target = lexicon::compile_target(triple);
    let isa = if triple.is_none() || is_host_architecture(target.arch) {
        Isa::Host
    } else if target.is_pulley()
        && target.is_32_bit() == cfg!(target_pointer_width = "32")
        && target.arch.ends_with("be") == cfg!(target_endian = "big")
    {
        Isa::Pulley(target.arch)
    } else {
        Isa::Foreign(target.arch)
    };
    let key = match isa {
        Isa::Host => "host",
        Isa::Pulley(arch) | Isa::Foreign(arch) => arch,
    };
    let library = wasmtime as *const Wasmtime as usize;
    let mut learned = LEARNED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, _, found)) = learned.iter().find(|(l, k, _)| *l == library && k == key) {
        return Ok(found.clone());
    }
    // The learning engines have no Cranelift flags: `validate` does not
    // come back here.
    let compile = |triple: Option<&str>| -> Result<(Flags, Flags)> {
        let mut config = Config::new(wasmtime);
        config.settings.target = triple.map(str::to_string);
        let engine = Engine::new(wasmtime, &config)?;
        let artifact = engine.required_compiler()?.precompile(b"\0asm\x01\0\0\0")?;
        crate::cwasm::compiler_settings(&artifact)
    };
    let (shared, host_isa) = compile(None).map_err(|err| {
        config_error(format!(
            "this crate could not learn the Cranelift settings of this libwasmtime (it compiles an \
             empty module to read them, which failed: {err}), so it cannot check the flags"
        ))
    })?;
    let isa = match isa {
        Isa::Host => Ok(host_isa),
        Isa::Pulley(arch) => compile(Some(arch))
            .map(|(_, isa)| isa)
            .map_err(|err| format!("compiling for {arch:?} to learn them failed: {err}")),
        Isa::Foreign(arch) => Err(format!(
            "code for {arch:?} does not run on this host, so this crate cannot compile any to \
             learn them"
        )),
    };
    let entry = Arc::new(Learned { shared, isa });
    learned.push((library, key.to_string(), entry.clone()));
    Ok(entry)
}

/// Refuses raw Cranelift flags that Wasmtime would reject when building the
/// engine's compiler (aborting the process in the C API): names neither
/// the library's Cranelift nor its presets know (`SetError::BadName`),
/// values that do not fit the setting (`BadValue`), `enable` of a setting
/// that is not a boolean (`BadType`), and the combinations
/// `Config::build_compiler` refuses (config.rs:2983-3055).
fn validate_cranelift_flags(
    wasmtime: &'static Wasmtime,
    s: &Settings,
    features: &EngineFeatures,
) -> Result<()> {
    let reject = |message: String| -> Result<()> { Err(config_error(message)) };
    let texts = s
        .cranelift_settings
        .iter()
        .flat_map(|(n, v)| [n, v])
        .chain(&s.cranelift_enabled);
    for text in texts {
        if text.contains('\0') {
            return reject(format!(
                "the Cranelift flag text {text:?} contains a NUL character"
            ));
        }
    }
    if let Some((name, _)) = s
        .cranelift_settings
        .iter()
        .find(|(name, _)| name.starts_with("wasmtime_"))
    {
        return reject(format!(
            "cranelift_flag_set({name:?}, ..): Wasmtime's own `wasmtime_*` compiler settings are \
             not Cranelift flags, and this crate does not pass them (which of them a build takes \
             varies, and a wrong one aborts the process)"
        ));
    }
    let major = versions::major_of(wasmtime);
    let target = lexicon::compile_target(s.target.as_deref());
    let learned = learned_settings(wasmtime, s.target.as_deref())?;
    let presets: &[&str] = cranelift::PRESETS
        .of(major)
        .iter()
        // The table names each architecture as the host names it; the
        // target may spell the host's another way (`arm64`).
        .find(|(arch, _)| {
            *arch == target.arch
                || (is_host_architecture(arch) && is_host_architecture(target.arch))
        })
        .map_or(&[], |(_, presets)| presets);
    let enum_values = |name: &str| {
        cranelift::ENUM_VALUES
            .of(major)
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, values)| *values)
    };
    let numeric_range = |name: &str| {
        cranelift::NUMERIC_RANGES
            .of(major)
            .iter()
            .find(|range| range.name == name)
    };
    let find = |name: &str| -> Option<FlagValue> {
        let isa = learned.isa.as_ref().ok().into_iter().flatten();
        learned
            .shared
            .iter()
            .chain(isa)
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let unknown =
        |call: String, name: &str| -> Result<()> {
            if let Err(why) = &learned.isa {
                return reject(format!(
                "{call}: `{name}` is not one of Cranelift's shared settings, and the ISA settings \
                 of the target cannot be checked ({why}); Wasmtime would abort the process on an \
                 unknown one"
            ));
            }
            let mut accepted: Vec<&str> = learned.shared.iter().map(|(n, _)| n.as_str()).collect();
            if let Ok(isa) = &learned.isa {
                accepted.extend(isa.iter().map(|(n, _)| n.as_str()));
            }
            reject(format!(
            "{call}: this libwasmtime's Cranelift has no setting `{name}` for the target {}-{} \
             (Wasmtime would abort the process). Settings: {}. Presets (for \
             cranelift_flag_enable): {}",
            target.arch,
            target.os,
            accepted.join(", "),
            if presets.is_empty() { "none".to_string() } else { presets.join(", ") }
        ))
        };
    for (name, value) in &s.cranelift_settings {
        let call = format!("cranelift_flag_set({name:?}, {value:?})");
        match find(name) {
            Some(FlagValue::Bool(_)) if !cranelift::BOOL_VALUES.contains(&value.as_str()) => {
                return reject(format!(
                    "{call}: `{name}` is a boolean setting, whose values are {}",
                    cranelift::BOOL_VALUES.join(", ")
                ))
            }
            Some(FlagValue::Num(_)) => {
                let Ok(number) = value.parse::<u8>() else {
                    return reject(format!("{call}: `{name}` is a number from 0 to 255"));
                };
                match numeric_range(name) {
                    Some(range) if (range.min..=range.max).contains(&number) => {}
                    Some(range) => {
                        return reject(format!(
                            "{call}: `{name}` takes {} to {} here: {} (Wasmtime would abort \
                             or crash the process)",
                            range.min, range.max, range.why
                        ))
                    }
                    None => {
                        return reject(format!(
                            "{call}: this crate does not know which values of the numeric \
                             setting `{name}` Cranelift can use (a wrong one can abort the \
                             process)"
                        ))
                    }
                }
            }
            Some(FlagValue::Enum(_)) => match enum_values(name) {
                Some(values) if values.contains(&value.as_str()) => {}
                Some(values) => {
                    return reject(format!(
                        "{call}: `{name}` takes one of {}",
                        values.join(", ")
                    ))
                }
                None => {
                    return reject(format!(
                        "{call}: this crate does not know the values of the setting `{name}` \
                         (Wasmtime would abort the process on a wrong one)"
                    ))
                }
            },
            Some(_) => {}
            None if presets.contains(&name.as_str()) => {
                return reject(format!(
                    "{call}: `{name}` is a preset: apply it with cranelift_flag_enable({name:?})"
                ))
            }
            None => return unknown(call, name),
        }
    }
    for flag in &s.cranelift_enabled {
        let call = format!("cranelift_flag_enable({flag:?})");
        match find(flag) {
            Some(FlagValue::Bool(_)) => {}
            Some(_) => {
                return reject(format!(
                    "{call}: `{flag}` is not a boolean setting or a preset: give it a value with \
                     cranelift_flag_set"
                ))
            }
            None if presets.contains(&flag.as_str()) => {}
            None => return unknown(call, flag),
        }
    }
    // config.rs:2983-3001: `unwind_info` must agree with
    // `native_unwind_info` and be on for Windows (compared as text).
    if let Some(value) = s.cranelift_setting("unwind_info") {
        if let Some(native) = s.native_unwind_info {
            if value != native.to_string() {
                return reject(format!(
                    "cranelift_flag_set(\"unwind_info\", {value:?}) disagrees with \
                     native_unwind_info({native}) (Wasmtime compares the text: use \"{native}\")"
                ));
            }
        }
        if target.os == "windows" && value != "true" {
            return reject(format!(
                "cranelift_flag_set(\"unwind_info\", {value:?}): Windows targets need unwind \
                 information (Wasmtime compares the text: use \"true\")"
            ));
        }
    }
    // config.rs:3011-3031: without signals-based traps (Pulley's default),
    // the Spectre mitigations must be off, compared as text.
    if !s.signals_based_traps.unwrap_or(!target.is_pulley()) {
        for name in [
            "enable_table_access_spectre_mitigation",
            "enable_heap_access_spectre_mitigation",
        ] {
            if let Some(value) = s.cranelift_setting(name).filter(|v| *v != "false") {
                return reject(format!(
                    "cranelift_flag_set({name:?}, {value:?}): without signals-based traps the \
                     Spectre mitigations must be \"false\" (Wasmtime compares the text)"
                ));
            }
        }
    }
    // config.rs:3037-3055: with stack switching, its model must be the
    // target's.
    if features.enabled & STACK_SWITCHING != 0 {
        let model = if target.os == "windows" {
            "update_windows_tib"
        } else {
            "basic"
        };
        if let Some(value) = s
            .cranelift_setting("stack_switch_model")
            .filter(|v| *v != model)
        {
            return reject(format!(
                "cranelift_flag_set(\"stack_switch_model\", {value:?}): with stack switching on, \
                 the model must be {model:?} on this target"
            ));
        }
    }
    // riscv64 isa_constructor: the G extensions are required.
    if target.arch.starts_with("riscv64") {
        for name in cranelift::RISCV_REQUIRED {
            if let Some(value) = s
                .cranelift_setting(name)
                .filter(|v| cranelift::FALSE_VALUES.contains(v))
            {
                return reject(format!(
                    "cranelift_flag_set({name:?}, {value:?}): Cranelift's riscv64 backend needs \
                     every extension of the G set"
                ));
            }
        }
    }
    Ok(())
}
