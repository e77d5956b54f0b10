//! The engine: compiled code and settings shared by stores.

use crate::capability::Capabilities;
use crate::compiler::{Compiler, Wat};
use crate::config::{Config, Settings};
use crate::error::{Error, Result};
use crate::loader::Wasmtime;
use crate::sys::types::wasm_engine_t;
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
    /// The settings the engine was made with (for artifact preflight).
    settings: Settings,
    /// Whether `WASMTIME_BACKTRACE_DETAILS=1` was set when the engine's
    /// configuration was made (Wasmtime reads it then).
    backtrace_details: bool,
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
    /// # Errors
    ///
    /// [`Error::WrongLibrary`] if `config` was made for another library;
    /// [`Error::Config`] for a combination Wasmtime would reject.
    pub fn new(wasmtime: &'static Wasmtime, config: &Config) -> Result<Engine> {
        if !std::ptr::eq(wasmtime, config.wasmtime) {
            return Err(Error::WrongLibrary("the Config"));
        }
        config.validate()?;
        let backtrace_details =
            std::env::var_os("WASMTIME_BACKTRACE_DETAILS").is_some_and(|v| v == "1");
        let raw = config.to_c()?;
        // SAFETY: `raw` is a live config whose ownership moves into the
        // engine; validation refused the settings Wasmtime rejects.
        let ptr = unsafe { (wasmtime.core().wasm_engine_new_with_config)(raw) };
        if ptr.is_null() {
            return Err(Error::config("libwasmtime refused to create the engine"));
        }
        Ok(Engine {
            inner: Arc::new(EngineInner {
                wasmtime,
                ptr,
                settings: config.settings.clone(),
                backtrace_details,
            }),
        })
    }

    /// An engine with Wasmtime's default configuration.
    pub fn default_for(wasmtime: &'static Wasmtime) -> Result<Engine> {
        Engine::new(wasmtime, &Config::new(wasmtime))
    }

    /// The library this engine belongs to.
    pub fn wasmtime(&self) -> &'static Wasmtime {
        self.inner.wasmtime
    }

    /// The capabilities of the engine's library.
    pub fn capabilities(&self) -> Capabilities {
        self.inner.wasmtime.capabilities()
    }

    /// The compiler, where the library has one.
    pub fn compiler(&self) -> Option<Compiler<'_>> {
        let table = self.inner.wasmtime.tables().compiler.as_ref()?;
        Some(Compiler::new(self, table))
    }

    /// The text format parser, where the library has it.
    pub fn wat(&self) -> Option<Wat> {
        self.inner
            .wasmtime
            .tables()
            .wat
            .as_ref()
            .map(|table| Wat::new(self.inner.wasmtime, table))
    }

    /// Advances the epoch: stores whose deadline it passes trap with
    /// [`TrapCode::Interrupt`](crate::TrapCode::Interrupt) (with
    /// [`Config::epoch_interruption`] on). Callable from any thread.
    pub fn increment_epoch(&self) {
        // SAFETY: the engine is live; incrementing the epoch is thread-safe.
        unsafe { (self.inner.wasmtime.core().wasmtime_engine_increment_epoch)(self.inner.ptr) };
    }

    /// Whether two handles are the same engine.
    pub fn same(a: &Engine, b: &Engine) -> bool {
        Arc::ptr_eq(&a.inner, &b.inner)
    }

    /// The settings the engine was made with (`None` = Wasmtime's default).
    pub(crate) fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    /// Whether Wasmtime parsed `WASMTIME_BACKTRACE_DETAILS=1` for this engine.
    pub(crate) fn backtrace_details(&self) -> bool {
        self.inner.backtrace_details
    }

    pub(crate) fn ptr(&self) -> *mut wasm_engine_t {
        self.inner.ptr
    }
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("library", &self.inner.wasmtime.path())
            .finish()
    }
}
