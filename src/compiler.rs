//! The compiler and text-format capabilities, and precompiling for another
//! library.

use crate::capability::{Capabilities, Capability};
use crate::config::{Config, Settings};
use crate::engine::Engine;
use crate::error::{ErrorKind, Result};
use crate::loader::Wasmtime;
use crate::module::{take_byte_vec, Module};
use crate::sys::tables::{self, Absence, TableId};
use crate::trap::empty_vec;

/// The compiler of an engine whose library has one, from
/// [`Engine::compiler`].
///
/// ```no_run
/// # use wasmtime_dyn::{Engine, Wasmtime};
/// # let engine: Engine = unimplemented!();
/// if let Some(compiler) = engine.compiler() {
///     compiler.validate(b"\0asm\x01\0\0\0")?;
/// }
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
#[derive(Clone, Copy)]
pub struct Compiler<'a> {
    engine: &'a Engine,
    table: &'static tables::Compiler,
}

impl<'a> Compiler<'a> {
    pub(crate) fn new(engine: &'a Engine, table: &'static tables::Compiler) -> Self {
        Compiler { engine, table }
    }

    /// Compiles a binary module.
    ///
    /// ```no_run
    /// # let engine: wasmtime_dyn::Engine = unimplemented!();
    /// let compiler = engine.compiler().expect("a build with a compiler");
    /// let module = compiler.compile(b"\0asm\x01\0\0\0")?;
    /// assert_eq!(module.exports().len(), 0);
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The compiler's error for an invalid module; [`ErrorKind::Invalid`] for a
    /// module that would reach a builtin this library lacks (non-final
    /// types without GC, continuation types: see
    /// [`Compiler::validate`]).
    pub fn compile(&self, wasm: &[u8]) -> Result<Module> {
        self.compile_for(wasm, Purpose::Run)
    }

    /// Compiles `wasm` (Wasmtime validates it first), then reads what the
    /// C API cannot tell about it ([`crate::wasm_scan`]) and refuses it if
    /// it would reach a builtin the target lacks.
    fn compile_for(&self, wasm: &[u8], purpose: Purpose) -> Result<Module> {
        // Before compiling too, where the bytes read: up to 45 Cranelift
        // itself panics on `cont.new` ("codegen for stack switching types
        // not implemented"), which this refusal names better.
        // And where Cranelift panics on continuation types (Wasmtime 36), a
        // module that could have them and that this crate cannot read is
        // not handed to it: `validate` gives Wasmtime's error for an
        // invalid one and refuses a valid one it cannot read.
        match crate::wasm_scan::scan(wasm) {
            Some(facts) => self.refuse_unsupported_builtins(&facts, purpose)?,
            None if self.continuations_panic() => self.validate(wasm)?,
            None => {}
        }
        let mut ptr = std::ptr::null_mut();
        // SAFETY: the engine is live; `wasm` is readable for its length.
        let error = unsafe {
            (self.table.wasmtime_module_new)(self.engine.ptr(), wasm.as_ptr(), wasm.len(), &mut ptr)
        };
        // SAFETY: the error, if any, is fresh and owned.
        unsafe { crate::error::check(self.engine.wasmtime().core(), error) }?;
        // Owned from here: dropped (deleted) if refused below.
        let module = Module::from_raw(self.engine, ptr);
        let facts = self.facts(wasm)?;
        if facts.typed_references {
            self.engine.note_typed_references();
        }
        self.refuse_unsupported_builtins(&facts, purpose)?;
        Ok(module.with_tables(facts.tables))
    }

    /// What [`crate::wasm_scan`] reads of a module Wasmtime accepted; a
    /// module it cannot read is refused rather than guessed about.
    fn facts(&self, wasm: &[u8]) -> Result<crate::wasm_scan::ModuleFacts> {
        crate::wasm_scan::scan(wasm).ok_or_else(|| {
            ErrorKind::Invalid(
                "this crate could not read the module's type, import, table or export section \
                 (an encoding it does not know), which it must check before this libwasmtime \
                 runs the module"
                    .into(),
            )
            .into()
        })
    }

    /// Validates a binary module without compiling it.
    ///
    /// ```no_run
    /// # let engine: wasmtime_dyn::Engine = unimplemented!();
    /// let compiler = engine.compiler().expect("a build with a compiler");
    /// assert!(compiler.validate(b"\0asm\x01\0\0\0").is_ok());
    /// assert!(compiler.validate(b"not wasm").is_err());
    /// ```
    ///
    /// # Errors
    ///
    /// The validator's error; [`ErrorKind::Invalid`] where this library's
    /// validator accepts a module that would end the process when run
    /// here: non-final (`sub`) types on a build without GC, and, with
    /// [`Config::wasm_stack_switching`], continuation types (no C API
    /// build has Wasmtime's stack-switching runtime, so `cont.new` would
    /// reach a builtin compiled out of it).
    pub fn validate(&self, wasm: &[u8]) -> Result<()> {
        // SAFETY: the engine is live; `wasm` is readable for its length.
        let error = unsafe {
            (self.table.wasmtime_module_validate)(self.engine.ptr(), wasm.as_ptr(), wasm.len())
        };
        // SAFETY: the error, if any, is fresh and owned.
        unsafe { crate::error::check(self.engine.wasmtime().core(), error) }?;
        self.refuse_unsupported_builtins(&self.facts(wasm)?, Purpose::Run)
    }

    /// Refuses what Wasmtime's validator accepts in this build but would
    /// compile into a call of a builtin the build lacks (a builtin compiled
    /// out of a build is `unreachable!()` there, and the C API is built with
    /// `panic = "abort"`: the process ends when wasm reaches it).
    ///
    /// The builtins that exist only with a cargo feature of Wasmtime 48
    /// (`runtime/vm/libcalls.rs`), and what keeps wasm from reaching them
    /// in a build without that feature:
    ///
    /// - `gc`: the GC heap builtins (`gc_alloc_raw`, `drop_gc_ref`,
    ///   `grow_gc_heap`, `intern_func_ref_for_gc_heap`,
    ///   `get_interned_func_ref`...) serve GC types (structs, arrays, i31,
    ///   anyref...): Wasmtime turns the `GC_TYPES` validator feature off
    ///   without `gc` (config.rs:2550), so such modules are refused.
    ///   `throw_ref` and `get_instance_id` serve exceptions, turned off the
    ///   same way (config.rs:2551). **`is_subtype` is not covered**: it
    ///   checks `call_indirect` and `ref.cast` against non-final (`sub`)
    ///   function types, which the GC proposal bit allows without
    ///   `GC_TYPES`, and that bit stays on (WASM3) in a build without `gc`,
    ///   whose C API has no `wasmtime_config_wasm_gc_set` to turn it off.
    ///   So non-final types are refused here, from the binary, by engines
    ///   of builds without GC and by engines configured with
    ///   `Config::for_target` for such a build.
    /// - `threads`: `memory_atomic_wait32/64` and `memory_atomic_notify`:
    ///   the `THREADS` validator feature is off without `threads`
    ///   (config.rs:2552), and a `.cwasm` compiled with threads is refused
    ///   by such a build when loaded.
    /// - `stack-switching`: `cont_new`. No C API build of Wasmtime 45–50
    ///   has this feature (the C API crate has no such cargo feature), yet
    ///   `wasmtime_config_wasm_stack_switching_set` exists in every build,
    ///   and with `Config::wasm_stack_switching(true)` a module executing
    ///   `cont.new` ends the process ("entered unreachable code", checked
    ///   on the full library). `cont.new` names a continuation type, so
    ///   modules declaring one are refused when compiled to run here.
    /// - `wmemcheck`: only used when wmemcheck is configured, which this
    ///   crate cannot do.
    fn refuse_unsupported_builtins(
        &self,
        facts: &crate::wasm_scan::ModuleFacts,
        purpose: Purpose,
    ) -> Result<()> {
        let without_gc =
            !self.engine.wasmtime().has(Capability::Gc) || self.engine.settings().target_without_gc;
        if without_gc && facts.non_final_types {
            return Err(ErrorKind::Invalid(
                "the module declares non-final (`sub`) types, whose `call_indirect` and \
                 `ref.cast` checks need Wasmtime's GC support, which this libwasmtime lacks \
                 (it would end the process when wasm reaches them): use a libwasmtime built \
                 with `gc`, such as the official release"
                    .into(),
            )
            .into());
        }
        if purpose == Purpose::Run && facts.tag_externs {
            if let Some(Absence::NotInVersion { majors, .. }) =
                self.engine.wasmtime().absence(TableId::CoreSince44)
            {
                // Before 44 the C API aborts the process describing a tag
                // import or export (a `todo!()` in its extern types).
                return Err(ErrorKind::UnsupportedVersion {
                    feature: "modules importing or exporting tags",
                    needs: majors.clone(),
                    found: self.engine.wasmtime().version(),
                }
                .into());
            }
        }
        // `cont.new` names a continuation type, so a module without one
        // cannot reach the builtin. Artifacts are left alone:
        // `Compiler::precompile` may make them for a Wasmtime built with
        // the `stack-switching` feature.
        if purpose == Purpose::Run && facts.continuation_types {
            return Err(ErrorKind::Invalid(
                "the module declares continuation types (stack switching), but no C API build of \
                 Wasmtime has the stack-switching runtime, and `cont.new` would end the process: \
                 run it on a Wasmtime built with the `stack-switching` feature (precompile it \
                 with `Compiler::precompile` for that)"
                    .into(),
            )
            .into());
        }
        // Artifacts too, where the compiler itself ends the process.
        if facts.continuation_types && self.continuations_panic() {
            let compiles = &crate::versions::c_api_aborts::CRANELIFT_COMPILES_CONTINUATIONS;
            let first = crate::SUPPORTED_MAJORS
                .clone()
                .find(|&m| *compiles.of(m))
                .unwrap_or(*crate::SUPPORTED_MAJORS.end());
            return Err(ErrorKind::UnsupportedVersion {
                feature: "compiling modules with continuation types (stack switching)",
                needs: first..=*crate::SUPPORTED_MAJORS.end(),
                found: self.engine.wasmtime().version(),
            }
            .into());
        }
        Ok(())
    }

    /// Whether this engine may be handed continuation types (the stack
    /// switching proposal is on) by a library whose Cranelift panics on them
    /// ([`CRANELIFT_COMPILES_CONTINUATIONS`](crate::versions::c_api_aborts::CRANELIFT_COMPILES_CONTINUATIONS)),
    /// ending the process.
    fn continuations_panic(&self) -> bool {
        let major = self.engine.wasmtime().version().major();
        self.engine.settings().stack_switching == Some(true)
            && !*crate::versions::c_api_aborts::CRANELIFT_COMPILES_CONTINUATIONS.of(major)
    }

    /// Compiles a binary module to `.cwasm` bytes for engines configured
    /// like this one.
    ///
    /// A module with continuation types (stack switching) is precompiled
    /// too, though no C API library can run its `cont.new` (see
    /// [`Compiler::validate`]): such an artifact is for a Wasmtime built
    /// with the `stack-switching` feature. Wasmtime 36's Cranelift cannot
    /// compile continuation types (it ends the process): there such a
    /// module is refused, [`ErrorKind::UnsupportedVersion`].
    ///
    /// ```no_run
    /// use wasmtime_dyn::Module;
    /// # let engine: wasmtime_dyn::Engine = unimplemented!();
    /// let compiler = engine.compiler().expect("a build with a compiler");
    /// let cwasm = compiler.precompile(b"\0asm\x01\0\0\0")?;
    /// // SAFETY: the bytes were just made by this engine's compiler.
    /// let module = unsafe { Module::deserialize(&engine, &cwasm) }?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn precompile(&self, wasm: &[u8]) -> Result<Vec<u8>> {
        let module = self.compile_for(wasm, Purpose::Artifact)?;
        let mut out = empty_vec();
        // SAFETY: the module is live; `out` is an empty vector to fill.
        let error = unsafe { (self.table.wasmtime_module_serialize)(module.ptr, &mut out) };
        let core = self.engine.wasmtime().core();
        // SAFETY: the error, if any, is fresh and owned.
        unsafe { crate::error::check(core, error) }?;
        // SAFETY: filled by the library; copied then deleted once.
        Ok(unsafe { take_byte_vec(core, &mut out) })
    }
}

/// What a module is compiled for: to run in this process, or to be
/// serialized as an artifact (which may be for a Wasmtime with runtime
/// features no C API build has).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Run,
    Artifact,
}

/// The text format parser, from [`Engine::wat`].
///
/// ```no_run
/// # let engine: wasmtime_dyn::Engine = unimplemented!();
/// match engine.wat() {
///     Some(wat) => println!("{} bytes", wat.to_wasm("(module)")?.len()),
///     None => println!("this build reads binary .wasm only"),
/// }
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
#[derive(Clone, Copy)]
pub struct Wat {
    wasmtime: &'static Wasmtime,
    table: &'static tables::Wat,
}

impl Wat {
    pub(crate) fn new(wasmtime: &'static Wasmtime, table: &'static tables::Wat) -> Self {
        Wat { wasmtime, table }
    }

    /// Translates WebAssembly text to binary.
    ///
    /// ```no_run
    /// # let engine: wasmtime_dyn::Engine = unimplemented!();
    /// let wasm = engine.wat().unwrap().to_wasm("(module)")?;
    /// assert!(wasm.starts_with(b"\0asm"));
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn to_wasm(&self, text: impl AsRef<[u8]>) -> Result<Vec<u8>> {
        let text = text.as_ref();
        let mut out = empty_vec();
        // SAFETY: `text` is readable for its length; `out` is empty.
        let error =
            unsafe { (self.table.wasmtime_wat2wasm)(text.as_ptr().cast(), text.len(), &mut out) };
        let core = self.wasmtime.core();
        // SAFETY: the error, if any, is fresh and owned.
        unsafe { crate::error::check(core, error) }?;
        // SAFETY: filled by the library; copied then deleted once.
        Ok(unsafe { take_byte_vec(core, &mut out) })
    }
}

/// What [`precompile_for`] compiles for: an engine (its library and its
/// settings), a library (its default settings), whose major is then
/// checked against the compiling library's, or bare [`Capabilities`],
/// which say nothing of the version.
///
/// ```no_run
/// use wasmtime_dyn::{precompile_for, Config, Engine, Target, Wasmtime};
/// # let (full, min): (&'static Wasmtime, &'static Wasmtime) = unimplemented!();
/// let mut config = Config::new(min);
/// config.consume_fuel(true);
/// let engine = Engine::new(min, &config)?;
/// let with_settings: Target = (&engine).into();
/// let checked: Target = min.into();
/// let unchecked: Target = min.capabilities().into();
/// let cwasm = precompile_for(full, with_settings, "(module)")?;
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Target {
    capabilities: Capabilities,
    version: Option<crate::Version>,
    /// The target engine, whose settings the artifact must match.
    engine: Option<Engine>,
}

impl From<Capabilities> for Target {
    fn from(capabilities: Capabilities) -> Target {
        Target {
            capabilities,
            version: None,
            engine: None,
        }
    }
}

/// What the library is built with: its capabilities, and what it compiles
/// in without this crate handing it out (the component model of 36 to 39,
/// on in its engines' defaults), which bare [`Capabilities`] cannot say.
impl From<&Wasmtime> for Target {
    fn from(wasmtime: &Wasmtime) -> Target {
        Target {
            capabilities: wasmtime.built_capabilities(),
            version: Some(wasmtime.version()),
            engine: None,
        }
    }
}

/// The engine's library and its [`Config`]: [`precompile_for`] compiles
/// with the engine's settings, so that the artifact is one this engine
/// accepts.
impl From<&Engine> for Target {
    fn from(engine: &Engine) -> Target {
        Target {
            engine: Some(engine.clone()),
            ..engine.wasmtime().into()
        }
    }
}

/// What [`precompile_for`] compiles with: a library with a compiler, or an
/// engine of one, which contributes the settings that change only how code
/// is compiled, not whether an engine accepts it (Cranelift's optimization
/// level, NaN canonicalization and verifier, parallel compilation, raw
/// Cranelift flags).
///
/// ```no_run
/// use wasmtime_dyn::{precompile_for, Config, Engine, OptLevel, Wasmtime};
/// # let (full, min): (&'static Wasmtime, &'static Wasmtime) = unimplemented!();
/// let mut config = Config::new(full);
/// config.compiler().unwrap().cranelift_opt_level(OptLevel::SpeedAndSize);
/// let compiling = Engine::new(full, &config)?;
/// let cwasm = precompile_for(&compiling, &Engine::default_for(min)?, "(module)")?;
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Compiling {
    wasmtime: &'static Wasmtime,
    engine: Option<Engine>,
}

impl From<&'static Wasmtime> for Compiling {
    fn from(wasmtime: &'static Wasmtime) -> Compiling {
        Compiling {
            wasmtime,
            engine: None,
        }
    }
}

impl From<&Engine> for Compiling {
    fn from(engine: &Engine) -> Compiling {
        Compiling {
            wasmtime: engine.wasmtime(),
            engine: Some(engine.clone()),
        }
    }
}

/// Precompiles `wasm` (binary, or text where the compiling library has the
/// parser) with the library of `compiling` into a `.cwasm` that `target`
/// accepts:
///
/// - an engine ([`Target`] from `&Engine`): the artifact is compiled with
///   the engine's settings that decide whether it takes an artifact (fuel,
///   epoch interruption, debug info, memory reservation and guards,
///   signals-based traps, copy-on-write initialization, the WebAssembly
///   proposals, concurrency support, the compiler strategy, the target
///   triple...), so one step makes an artifact for, say, a minimal engine
///   that meters fuel; settings that do not concern artifacts (pooling,
///   cache) are left out;
/// - a library, or [`Capabilities`]: for its default configuration.
///
/// Either way [`Config::for_target`] turns off what the target library
/// lacks. A component (binary or text) is precompiled as one, for
/// [`Component::deserialize`](crate::component::Component::deserialize) on a
/// library with the component model but no compiler.
///
/// ```no_run
/// use wasmtime_dyn::{precompile_for, Config, Engine, Module, Store, Wasmtime};
/// # let (full, min): (&'static Wasmtime, &'static Wasmtime) = unimplemented!();
/// let mut config = Config::new(min);
/// config.consume_fuel(true).epoch_interruption(true);
/// let engine = Engine::new(min, &config)?;
/// let cwasm = precompile_for(full, &engine, r#"(module (func (export "f")))"#)?;
/// // SAFETY: the bytes were just produced by a trusted compiler.
/// let module = unsafe { Module::deserialize(&engine, &cwasm) }?;
/// let mut store = Store::new(&engine, ());
/// store.set_fuel(10_000)?;
/// store.set_epoch_deadline(1);
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
///
/// # Errors
///
/// [`ErrorKind::Unsupported`]`(Compiler)` if the compiling library has no
/// compiler; [`ErrorKind::IncompatibleArtifact`] if `target` is of another
/// Wasmtime major (Wasmtime only loads artifacts of its own major), or,
/// for a target engine, naming each of its settings the compiling library
/// cannot match (a proposal enabled through a capability the compiling
/// library lacks, concurrency support it was built without,
/// `WASMTIME_BACKTRACE_DETAILS` set for one engine and not the other...),
/// or with the reasons the target engine would refuse the artifact; the
/// compiler's error for an invalid module.
pub fn precompile_for(
    compiling: impl Into<Compiling>,
    target: impl Into<Target>,
    wasm: impl AsRef<[u8]>,
) -> Result<Vec<u8>> {
    let Compiling {
        wasmtime: compiling,
        engine: compiling_engine,
    } = compiling.into();
    let target = target.into();
    if !compiling.has(Capability::Compiler) {
        return Err(ErrorKind::Unsupported(Capability::Compiler).into());
    }
    if let Some(version) = target.version {
        let own = compiling.version();
        if version.major() != own.major() {
            return Err(ErrorKind::IncompatibleArtifact(format!(
                "precompiling with Wasmtime {own} for a Wasmtime {version} library: Wasmtime only \
                 loads artifacts made by its own major version; precompile with a Wasmtime {} library",
                version.major()
            )).into());
        }
    }
    let unmatched = |what: String| -> crate::Error {
        ErrorKind::IncompatibleArtifact(format!(
            "precompiling with {} for the target engine: the compiling libwasmtime cannot match \
             the target engine's settings: {what}",
            compiling.path().display()
        ))
        .into()
    };
    let mut config = Config::new(compiling);
    if let Some(engine) = &target.engine {
        config.settings = artifact_settings(engine.settings());
        let features = crate::cwasm::profile::features_of(compiling, &config.settings);
        if let Some((name, capability)) =
            crate::config_rules::unsupported_enable(compiling, &config.settings, &features)
        {
            return Err(unmatched(format!(
                "`{name}(true)` (the compiling library has no `{capability}` capability, and \
                 does not have the proposal on without it)"
            )));
        }
    }
    if let Some(engine) = &compiling_engine {
        compile_settings(&mut config.settings, engine.settings());
    }
    config.for_target(target.capabilities);
    let engine = match Engine::new(compiling, &config) {
        Ok(engine) => engine,
        Err(err) if target.engine.is_some() => {
            return Err(match err.downcast_ref::<ErrorKind>() {
                Some(ErrorKind::Config(why)) => unmatched(why.clone()),
                _ => err,
            })
        }
        Err(err) => return Err(err),
    };
    if let Some(target_engine) = &target.engine {
        let differences = unmatched_settings(&engine, target_engine);
        if !differences.is_empty() {
            return Err(unmatched(differences.join("; ")));
        }
    }
    // A component is precompiled as one (its binary's layer field says so;
    // text is translated by the compiling library first).
    let binary = engine.binary(wasm.as_ref())?;
    let kind = if wasmparser::Parser::is_component(&binary) {
        crate::cwasm::ArtifactKind::Component
    } else {
        crate::cwasm::ArtifactKind::Module
    };
    let artifact = match kind {
        crate::cwasm::ArtifactKind::Component => engine.precompile_component(&binary)?,
        crate::cwasm::ArtifactKind::Module => engine.precompile_module(&binary)?,
    };
    if let Some(target_engine) = &target.engine {
        // What the settings above should guarantee, checked on the
        // artifact itself where this crate decodes its major's layout.
        if let Err(err) = crate::cwasm::preflight_as(target_engine, &artifact, kind) {
            if !matches!(
                err.downcast_ref::<ErrorKind>(),
                Some(ErrorKind::UnknownArtifactLayout { .. })
            ) {
                return Err(err);
            }
        }
    }
    Ok(artifact)
}

/// The target engine's settings that may concern its artifacts: all but
/// the pooling allocator and the cache, which only concern running.
fn artifact_settings(target: &Settings) -> Settings {
    Settings {
        pooling: None,
        cache: None,
        ..target.clone()
    }
}

/// The compiling engine's settings that change how code is compiled but
/// not whether an engine accepts it.
fn compile_settings(settings: &mut Settings, compiling: &Settings) {
    settings.opt_level = compiling.opt_level;
    settings.nan_canonicalization = compiling.nan_canonicalization;
    settings.debug_verifier = compiling.debug_verifier;
    settings.parallel_compilation = compiling.parallel_compilation;
    settings.cranelift_settings = compiling.cranelift_settings.clone();
    settings.cranelift_enabled = compiling.cranelift_enabled.clone();
}

/// The target engine's settings whose effect on artifacts the compiling
/// engine does not reproduce, each named with both values: the
/// differences between what each engine expects of an artifact
/// ([`engine_profile`](crate::cwasm::engine_profile)), traced back to the
/// setting that decides them.
fn unmatched_settings(compiling: &Engine, target: &Engine) -> Vec<String> {
    use crate::cwasm::engine_profile;
    let (c, t) = (engine_profile(compiling), engine_profile(target));
    let mut out = Vec::new();
    let mut differ = |setting: &str, what: &str, target: String, compiling: String| {
        if target != compiling {
            out.push(format!(
                "`{setting}` ({what} is {target} for the target engine, and would be {compiling} \
                 in code compiled by this library)"
            ));
        }
    };
    differ(
        "target",
        "the target",
        format!("{}-{}", t.architecture, t.operating_system),
        format!("{}-{}", c.architecture, c.operating_system),
    );
    let (ct, tt) = (&c.tunables, &t.tunables);
    let on = |b: bool| if b { "on" } else { "off" }.to_string();
    differ(
        "memory_reservation",
        "the memory reservation",
        tt.memory_reservation.to_string(),
        ct.memory_reservation.to_string(),
    );
    differ(
        "memory_guard_size",
        "the memory guard size",
        tt.memory_guard_size.to_string(),
        ct.memory_guard_size.to_string(),
    );
    differ(
        "debug_info",
        "native debug information",
        on(tt.debug_native),
        on(ct.debug_native),
    );
    differ(
        "WASMTIME_BACKTRACE_DETAILS",
        "the environment variable, read when each engine's configuration is made, so WebAssembly \
         backtrace details",
        on(tt.parse_wasm_debuginfo),
        on(ct.parse_wasm_debuginfo),
    );
    differ(
        "consume_fuel",
        "fuel metering",
        on(tt.consume_fuel),
        on(ct.consume_fuel),
    );
    differ(
        "epoch_interruption",
        "epoch interruption",
        on(tt.epoch_interruption),
        on(ct.epoch_interruption),
    );
    differ(
        "memory_may_move",
        "moving memories",
        on(tt.memory_may_move),
        on(ct.memory_may_move),
    );
    differ(
        "wasm_relaxed_simd_deterministic",
        "deterministic relaxed SIMD",
        on(tt.relaxed_simd_deterministic),
        on(ct.relaxed_simd_deterministic),
    );
    differ(
        "strategy",
        "Winch's calling convention",
        on(tt.winch_callable),
        on(ct.winch_callable),
    );
    differ(
        "signals_based_traps",
        "signals-based traps",
        on(tt.signals_based_traps),
        on(ct.signals_based_traps),
    );
    differ(
        "memory_init_cow",
        "copy-on-write memory initialization",
        on(tt.memory_init_cow),
        on(ct.memory_init_cow),
    );
    differ(
        "concurrency_support",
        "concurrency support",
        on(tt.concurrency_support),
        on(ct.concurrency_support),
    );
    match (ct.collector, tt.collector, t.gc) {
        (Some(_), _, false) => differ("gc_support", "GC support", on(false), on(true)),
        (Some(ours), Some(theirs), true) => differ(
            "the GC collector (a build option of each library)",
            "the collector",
            theirs.to_string(),
            ours.to_string(),
        ),
        _ => {}
    }
    // The WebAssembly features the artifact would need that the target
    // engine has off (check_features), by the setting that decides each.
    let known = crate::versions::defaults::of(t.wasmtime_major).wasmparser_bits;
    let missing = c.feature_bits & known & !t.feature_bits;
    // And, where Wasmtime wants the features exactly (36), those the
    // target engine has on that the artifact would lack: on in a build's
    // defaults where it compiles the feature in (threads and the component
    // model of the official 36), and there only.
    let lacking = if *crate::versions::FEATURES_EXACT.of(t.wasmtime_major) {
        t.feature_bits & known & !c.feature_bits
    } else {
        0
    };
    let setting = |name: &str| match name {
        "gc_types" => "gc_support".to_string(),
        "cm_async" => "concurrency_support".to_string(),
        "reference_types"
        | "function_references"
        | "gc"
        | "exceptions"
        | "threads"
        | "component_model"
        | "simd"
        | "relaxed_simd"
        | "multi_memory"
        | "memory64"
        | "tail_call"
        | "wide_arithmetic"
        | "custom_page_sizes"
        | "stack_switching"
        | "bulk_memory"
        | "multi_value"
        | "compact_imports" => format!("wasm_{name}"),
        other => format!("the WebAssembly feature {other}"),
    };
    for name in crate::cwasm::feature_names(missing) {
        out.push(format!(
            "`{}` (the WebAssembly feature `{name}` is off for the target engine, and the \
             compiling library cannot turn it off)",
            setting(name)
        ));
    }
    for name in crate::cwasm::feature_names(lacking) {
        out.push(format!(
            "`{}` (the WebAssembly feature `{name}` is on for the target engine, and off in \
             code compiled by this library)",
            setting(name)
        ));
    }
    out
}
