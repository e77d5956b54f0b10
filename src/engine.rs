//! The engine: compiled code and settings shared by stores.

use crate::capability::Capabilities;
use crate::compiler::{Compiler, Wat};
use crate::config::{Config, Settings};
use crate::error::{ErrorKind, Result};
use crate::loader::Wasmtime;
use crate::sys::types::wasm_engine_t;
use std::borrow::Cow;
use std::sync::Arc;

/// A Wasmtime engine of one loaded library. Cheap to clone (shared);
/// usable from any thread.
///
/// ```no_run
/// use wasmtime_dyn::{Config, Engine, Wasmtime};
/// // SAFETY: WASMTIME_DYN_LIB names a Wasmtime C API library.
/// let wasmtime = unsafe { Wasmtime::load() }?;
/// let engine = Engine::new(wasmtime, &Config::new(wasmtime))?;
/// println!("{}", engine.capabilities());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Engine {
    inner: Arc<EngineInner>,
}

struct EngineInner {
    wasmtime: &'static Wasmtime,
    ptr: *mut wasm_engine_t,
    /// The configuration the engine was made with (for artifact
    /// preflight and `precompile_for`).
    config: Config,
    /// Whether `WASMTIME_BACKTRACE_DETAILS=1` was set when the engine's
    /// configuration was made (Wasmtime reads it then).
    backtrace_details: bool,
    /// A pooling engine's reservation, counted while the engine lives
    /// (dropped after the engine is deleted).
    _pool: Option<crate::pooling::PoolTicket>,
    /// Whether a module or component that may hold value types the C API
    /// before 45 cannot read was compiled or loaded in this engine (see
    /// [`Engine::note_typed_references`]).
    typed_references: std::sync::atomic::AtomicBool,
}

// SAFETY: a Wasmtime engine is `Send + Sync` (`wasmtime::Engine` is), and
// the C API's engine is a boxed `wasmtime::Engine`.
unsafe impl Send for EngineInner {}
// SAFETY: as above.
unsafe impl Sync for EngineInner {}

impl Drop for EngineInner {
    fn drop(&mut self) {
        // SAFETY: the engine is owned here and deleted once; stores and
        // modules hold an `Engine` clone, so none outlives it.
        unsafe { (self.wasmtime.core().wasm_engine_delete)(self.ptr) };
    }
}

impl Engine {
    /// Creates an engine of `wasmtime` with `config`.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Config, Engine, ErrorKind, Wasmtime};
    /// # let wasmtime: &'static Wasmtime = unimplemented!();
    /// let mut config = Config::new(wasmtime);
    /// config.max_wasm_stack(0); // Wasmtime would abort the process on this
    /// let err = Engine::new(wasmtime, &config).unwrap_err();
    /// assert!(matches!(err.downcast_ref(), Some(ErrorKind::Config(_))));
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::WrongLibrary`] if `config` was made for another library;
    /// [`ErrorKind::Config`] for a combination Wasmtime would reject (which
    /// the C API would turn into a process abort: an unknown Cranelift
    /// flag, a target the library cannot compile for, a pool this process
    /// cannot map now, under its address-space limit and beside the other
    /// pooling engines alive...);
    /// [`ErrorKind::Unsupported`] for a setting that needs a capability the
    /// library lacks (a proposal enabled with [`Config::wasm_gc`] and the
    /// like, Cranelift flags without a compiler);
    /// [`ErrorKind::UnsupportedVersion`] for a setting of a later major.
    pub fn new(wasmtime: &'static Wasmtime, config: &Config) -> Result<Engine> {
        if !std::ptr::eq(wasmtime, config.wasmtime) {
            return Err(ErrorKind::WrongLibrary("the Config").into());
        }
        config.validate()?;
        let backtrace_details =
            std::env::var_os("WASMTIME_BACKTRACE_DETAILS").is_some_and(|v| v == "1");
        // A pool is mapped inside `wasm_engine_new_with_config`, which
        // aborts the process when that fails: check that this process can
        // map it now, and hold the permit (one pooling engine created at a
        // time) across the call.
        let creating = match &config.settings.pooling {
            Some(pool) => {
                Some(crate::pooling::Reservation::of(wasmtime, &config.settings, pool)?.check()?)
            }
            None => None,
        };
        let raw = config.to_c()?;
        // SAFETY: `raw` is a live config whose ownership moves into the
        // engine; validation refused the settings Wasmtime rejects, and a
        // pool was checked to fit in the address space.
        let ptr = unsafe { (wasmtime.core().wasm_engine_new_with_config)(raw) };
        if ptr.is_null() {
            return Err(crate::config::config_error(
                "libwasmtime refused to create the engine",
            ));
        }
        Ok(Engine {
            inner: Arc::new(EngineInner {
                wasmtime,
                ptr,
                config: config.clone(),
                backtrace_details,
                _pool: creating.map(crate::pooling::Creating::created),
                typed_references: std::sync::atomic::AtomicBool::new(false),
            }),
        })
    }

    /// An engine with Wasmtime's default configuration.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Engine, Wasmtime};
    /// // SAFETY: WASMTIME_DYN_LIB names a Wasmtime C API library.
    /// let wasmtime = unsafe { Wasmtime::load() }?;
    /// let engine = Engine::default_for(wasmtime)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn default_for(wasmtime: &'static Wasmtime) -> Result<Engine> {
        Engine::new(wasmtime, &Config::new(wasmtime))
    }

    /// The library this engine belongs to.
    ///
    /// ```no_run
    /// # let engine: wasmtime_dyn::Engine = unimplemented!();
    /// println!("an engine of {}", engine.wasmtime().path().display());
    /// ```
    pub fn wasmtime(&self) -> &'static Wasmtime {
        self.inner.wasmtime
    }

    /// The capabilities of the engine's library.
    ///
    /// ```no_run
    /// use wasmtime_dyn::Capability;
    /// # let engine: wasmtime_dyn::Engine = unimplemented!();
    /// if !engine.capabilities().contains(Capability::Compiler) {
    ///     println!("load precompiled .cwasm files with Module::deserialize");
    /// }
    /// ```
    pub fn capabilities(&self) -> Capabilities {
        self.inner.wasmtime.capabilities()
    }

    /// The compiler, where the library has one.
    ///
    /// ```no_run
    /// # let engine: wasmtime_dyn::Engine = unimplemented!();
    /// match engine.compiler() {
    ///     Some(compiler) => compiler.validate(b"\0asm\x01\0\0\0")?,
    ///     None => println!("this build runs precompiled modules only"),
    /// }
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn compiler(&self) -> Option<Compiler<'_>> {
        let table = self.inner.wasmtime.tables().compiler.as_ref()?;
        Some(Compiler::new(self, table))
    }

    /// Compiles `bytes` (binary `.wasm`, or text where the library has the
    /// parser) to a `.cwasm` for [`Module::deserialize`](crate::Module::deserialize)
    /// on an engine configured like this one, as the `wasmtime` crate's
    /// `Engine::precompile_module` does.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Engine, Module};
    /// # let engine: Engine = unimplemented!();
    /// let cwasm = engine.precompile_module(r#"(module (func (export "run")))"#)?;
    /// // SAFETY: the bytes were just made by this engine's compiler.
    /// let module = unsafe { Module::deserialize(&engine, &cwasm) }?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported)`(Compiler)` on a
    /// library without a compiler, `(Wat)` for text without the parser;
    /// the compiler's error for an invalid module.
    pub fn precompile_module(&self, bytes: impl AsRef<[u8]>) -> Result<Vec<u8>> {
        self.required_compiler()?
            .precompile(&self.binary(bytes.as_ref())?)
    }

    /// Compiles a component (binary, or text where the library has the
    /// text parser) to a `.cwasm` for
    /// [`Component::deserialize`](crate::component::Component::deserialize)
    /// on an engine configured like this one, as the `wasmtime` crate's
    /// `Engine::precompile_component` does.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{component::Component, Engine};
    /// # let engine: Engine = unimplemented!();
    /// let cwasm = engine.precompile_component("(component)")?;
    /// // SAFETY: the bytes were just made by this engine's compiler.
    /// let component = unsafe { Component::deserialize(&engine, &cwasm) }?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported)`(ComponentModel)`
    /// on a library without the component model, `(Compiler)` without a
    /// compiler, `(Wat)` for text without the parser; the compiler's error
    /// for an invalid component.
    pub fn precompile_component(&self, bytes: impl AsRef<[u8]>) -> Result<Vec<u8>> {
        crate::component::Component::new(self, bytes)?.serialize()
    }

    /// The compiler, or `ErrorKind::Unsupported(Compiler)` saying to
    /// precompile elsewhere.
    pub(crate) fn required_compiler(&self) -> Result<Compiler<'_>> {
        self.compiler()
            .ok_or(ErrorKind::Unsupported(crate::Capability::Compiler).into())
    }

    /// `bytes` as a binary module: as they are when binary, translated
    /// when text (`ErrorKind::Unsupported(Wat)` without the parser).
    pub(crate) fn binary<'b>(&self, bytes: &'b [u8]) -> Result<Cow<'b, [u8]>> {
        if bytes.starts_with(b"\0asm") {
            return Ok(Cow::Borrowed(bytes));
        }
        let wat = self
            .wat()
            .ok_or(ErrorKind::Unsupported(crate::Capability::Wat))?;
        Ok(Cow::Owned(wat.to_wasm(bytes)?))
    }

    /// The text format parser, where the library has it.
    ///
    /// ```no_run
    /// # let engine: wasmtime_dyn::Engine = unimplemented!();
    /// let wat = engine.wat().expect("a build with the text parser");
    /// assert_eq!(wat.to_wasm("(module)")?, b"\0asm\x01\0\0\0");
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn wat(&self) -> Option<Wat> {
        self.inner
            .wasmtime
            .tables()
            .wat
            .as_ref()
            .map(|table| Wat::new(self.inner.wasmtime, table))
    }

    /// Advances the epoch: stores whose deadline it passes trap with
    /// [`Trap::Interrupt`](crate::Trap::Interrupt) (with
    /// [`Config::epoch_interruption`] on). Callable from any thread.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// # let engine: wasmtime_dyn::Engine = unimplemented!();
    /// // One tick every 10 ms; a store with `set_epoch_deadline(5)` traps after ~50 ms.
    /// let ticker = engine.clone();
    /// std::thread::spawn(move || loop {
    ///     std::thread::sleep(Duration::from_millis(10));
    ///     ticker.increment_epoch();
    /// });
    /// ```
    pub fn increment_epoch(&self) {
        // SAFETY: the engine is live; incrementing the epoch is thread-safe.
        unsafe { (self.inner.wasmtime.core().wasmtime_engine_increment_epoch)(self.inner.ptr) };
    }

    /// Whether two handles are the same engine.
    ///
    /// ```no_run
    /// use wasmtime_dyn::Engine;
    /// # let engine: Engine = unimplemented!();
    /// assert!(Engine::same(&engine, &engine.clone()));
    /// assert!(!Engine::same(&engine, &Engine::default_for(engine.wasmtime())?));
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn same(a: &Engine, b: &Engine) -> bool {
        Arc::ptr_eq(&a.inner, &b.inner)
    }

    /// The configuration the engine was made with, as the `wasmtime`
    /// crate's `Engine::config`.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Config, Engine};
    /// # let wasmtime: &'static wasmtime_dyn::Wasmtime = unimplemented!();
    /// let mut config = Config::new(wasmtime);
    /// config.consume_fuel(true);
    /// let engine = Engine::new(wasmtime, &config)?;
    /// // Another engine set up the same way:
    /// let twin = Engine::new(wasmtime, engine.config())?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The settings the engine was made with (`None` = Wasmtime's default).
    pub(crate) fn settings(&self) -> &Settings {
        &self.inner.config.settings
    }

    /// Records that a module or component of this engine may hold a value
    /// type other than the numbers, `v128`, `funcref` and `externref` (a
    /// module declaring one, as `wasm_scan` reads it; a precompiled module
    /// or a component, which are not read). Before Wasmtime 45 the C API
    /// aborts the process reading the kind of such a type, and has no
    /// other way to read it: from then on this engine's value types are
    /// refused (`ValType::from_c`) rather than read.
    pub(crate) fn note_typed_references(&self) {
        self.inner
            .typed_references
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// Whether [`Engine::note_typed_references`] was called.
    pub(crate) fn may_hold_typed_references(&self) -> bool {
        self.inner
            .typed_references
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Whether `bytes` look like an artifact made by Wasmtime (by
    /// [`Engine::precompile_module`], [`Compiler::precompile`],
    /// [`precompile_for`](crate::precompile_for), `Module::serialize`, or
    /// for a component), as the `wasmtime` crate's
    /// `Engine::detect_precompiled`: only the ELF header is read (see
    /// [`cwasm::inspect`](crate::cwasm::inspect) for the engine section and
    /// [`cwasm::preflight`](crate::cwasm::preflight) for whether an engine
    /// will take it). `None` for anything else, `.wasm` and `.wat`
    /// included. Constant time.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{cwasm::Precompiled, Engine, Module};
    /// # let engine: Engine = unimplemented!();
    /// let bytes = std::fs::read("app.bin").unwrap();
    /// let module = match Engine::detect_precompiled(&bytes) {
    ///     // SAFETY: the application's artifacts are trusted.
    ///     Some(Precompiled::Module) => unsafe { Module::deserialize(&engine, &bytes) }?,
    ///     Some(Precompiled::Component) => panic!("a component, not a module"),
    ///     None => Module::new(&engine, &bytes)?,
    /// };
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn detect_precompiled(bytes: &[u8]) -> Option<Precompiled> {
        crate::cwasm::detect(bytes).map(|kind| match kind {
            crate::cwasm::ArtifactKind::Module => Precompiled::Module,
            crate::cwasm::ArtifactKind::Component => Precompiled::Component,
        })
    }

    /// Whether Wasmtime parsed `WASMTIME_BACKTRACE_DETAILS=1` for this engine.
    pub(crate) fn backtrace_details(&self) -> bool {
        self.inner.backtrace_details
    }

    pub(crate) fn ptr(&self) -> *mut wasm_engine_t {
        self.inner.ptr
    }
}

/// What [`Engine::detect_precompiled`] found, as in the `wasmtime` crate.
///
/// ```no_run
/// use wasmtime_dyn::{cwasm::Precompiled, Engine};
/// # let engine: Engine = unimplemented!();
/// let cwasm = engine.precompile_module("(module)")?;
/// assert_eq!(Engine::detect_precompiled(&cwasm), Some(Precompiled::Module));
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Precompiled {
    /// The bytes look like a precompiled core module
    /// ([`Module::deserialize`](crate::Module::deserialize)).
    Module,
    /// The bytes look like a precompiled component.
    Component,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("library", &self.inner.wasmtime.path())
            .finish()
    }
}
