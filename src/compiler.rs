//! The compiler and text-format capabilities, and precompiling for another
//! library.

use crate::capability::{Capabilities, Capability};
use crate::config::Config;
use crate::engine::Engine;
use crate::error::{ErrorKind, Result};
use crate::loader::Wasmtime;
use crate::module::{take_byte_vec, Module};
use crate::sys::tables;
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
    /// assert!(module.exports()?.is_empty());
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
        Ok(())
    }

    /// Compiles a binary module to `.cwasm` bytes for engines configured
    /// like this one.
    ///
    /// A module with continuation types (stack switching) is precompiled
    /// too, though no C API library can run its `cont.new` (see
    /// [`Compiler::validate`]): such an artifact is for a Wasmtime built
    /// with the `stack-switching` feature.
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

/// What [`precompile_for`] compiles for: a library (or an engine of one),
/// whose major is then checked against the compiling library's, or bare
/// [`Capabilities`], which say nothing of the version.
///
/// ```no_run
/// use wasmtime_dyn::{precompile_for, Target, Wasmtime};
/// # let (full, min): (&'static Wasmtime, &'static Wasmtime) = unimplemented!();
/// let checked: Target = min.into();
/// let unchecked: Target = min.capabilities().into();
/// let cwasm = precompile_for(full, checked, "(module)")?;
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Target {
    capabilities: Capabilities,
    version: Option<crate::Version>,
}

impl From<Capabilities> for Target {
    fn from(capabilities: Capabilities) -> Target {
        Target {
            capabilities,
            version: None,
        }
    }
}

impl From<&Wasmtime> for Target {
    fn from(wasmtime: &Wasmtime) -> Target {
        Target {
            capabilities: wasmtime.capabilities(),
            version: Some(wasmtime.version()),
        }
    }
}

impl From<&Engine> for Target {
    fn from(engine: &Engine) -> Target {
        engine.wasmtime().into()
    }
}

/// Precompiles `wasm` (binary, or text where `compiling` has the parser)
/// with the library `compiling` into a `.cwasm` that the library `target`
/// (or a library with the capabilities `target`) accepts with its default
/// configuration: the minimal build, for example.
///
/// ```no_run
/// use wasmtime_dyn::{precompile_for, Engine, Module, Wasmtime};
/// # let (full, min): (&'static Wasmtime, &'static Wasmtime) = unimplemented!();
/// let cwasm = precompile_for(full, min, r#"(module (func (export "f")))"#)?;
/// let engine = Engine::default_for(min)?;
/// // SAFETY: the bytes were just produced by a trusted compiler.
/// let module = unsafe { Module::deserialize(&engine, &cwasm) }?;
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
///
/// # Errors
///
/// [`ErrorKind::Unsupported`]`(Compiler)` if `compiling` has no compiler;
/// [`ErrorKind::IncompatibleArtifact`] if `target` is a library of another
/// Wasmtime major (Wasmtime only loads artifacts of its own major); the
/// compiler's error for an invalid module.
pub fn precompile_for(
    compiling: &'static Wasmtime,
    target: impl Into<Target>,
    wasm: impl AsRef<[u8]>,
) -> Result<Vec<u8>> {
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
    let mut config = Config::new(compiling);
    config.for_target(target.capabilities);
    Engine::new(compiling, &config)?.precompile_module(wasm)
}
