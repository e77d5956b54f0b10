//! The guest profiler: the [`Profiling`](Capability::Profiling) capability.

use crate::capability::Capability;
use crate::engine::Engine;
use crate::error::{ErrorKind, Result};
use crate::loader::Wasmtime;
use crate::module::{take_byte_vec, Module};
use crate::store::AsContextMut;
use crate::sys::tables;
use crate::sys::types::*;
use crate::trap::empty_vec;
use std::time::Duration;

/// Samples the wasm call stacks of a store and writes a profile in the
/// Firefox Profiler's format: open the file at <https://profiler.firefox.com>
/// ("Load a profile from file").
///
/// Samples are taken when the embedder asks, on the thread running wasm:
/// from a host function, or from an epoch deadline callback.
///
/// ```no_run
/// use std::time::Duration;
/// use wasmtime_dyn::{GuestProfiler, Module, Store};
/// # let (engine, module, mut store): (wasmtime_dyn::Engine, Module, Store<()>) = unimplemented!();
/// let mut profiler = GuestProfiler::new(&engine, "my-program", Duration::from_millis(1), &[("main", &module)])?;
/// profiler.sample(&mut store, Duration::from_millis(1))?;
/// std::fs::write("profile.json", profiler.finish()?).unwrap();
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
pub struct GuestProfiler {
    wasmtime: &'static Wasmtime,
    table: &'static tables::Profiling,
    ptr: *mut wasmtime_guestprofiler_t,
}

// SAFETY: `wasmtime::GuestProfiler` is `Send`; the C handle boxes one.
unsafe impl Send for GuestProfiler {}

impl GuestProfiler {
    /// A profiler for `modules` (each with the name the profile shows), for
    /// a program called `name`, expecting a sample every `interval`.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use wasmtime_dyn::{Engine, GuestProfiler, Module};
    /// # let (engine, app, lib): (Engine, Module, Module) = unimplemented!();
    /// let modules = [("app", &app), ("lib", &lib)];
    /// let profiler = GuestProfiler::new(&engine, "my-app", Duration::from_millis(1), &modules)?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unsupported`]`(Profiling)` on a library without it;
    /// [`ErrorKind::WrongEngine`] if a module belongs to another engine.
    pub fn new(
        engine: &Engine,
        name: &str,
        interval: Duration,
        modules: &[(&str, &Module)],
    ) -> Result<GuestProfiler> {
        let wasmtime = engine.wasmtime();
        let table = wasmtime
            .tables()
            .profiling
            .as_ref()
            .ok_or(ErrorKind::Unsupported(Capability::Profiling))?;
        if modules
            .iter()
            .any(|(_, m)| !Engine::same(m.engine(), engine))
        {
            return Err(ErrorKind::WrongEngine("a module", "the profiler's").into());
        }
        let name_vec = byte_vec(name);
        let names: Vec<wasm_name_t> = modules.iter().map(|(n, _)| byte_vec(n)).collect();
        let list: Vec<wasmtime_guestprofiler_modules_t> = modules
            .iter()
            .zip(&names)
            .map(|((_, module), name)| wasmtime_guestprofiler_modules_t {
                name,
                mod_: module.ptr,
            })
            .collect();
        let interval = u64::try_from(interval.as_nanos()).unwrap_or(u64::MAX);
        let tables = wasmtime.tables();
        let ptr = match (&tables.profiling_new, &tables.profiling_new_v36) {
            // SAFETY: the engine, names and modules are live for the call,
            // which copies what it keeps; the result is owned here.
            (Some(new), _) => unsafe {
                (new.wasmtime_guestprofiler_new)(
                    engine.ptr(),
                    &name_vec,
                    interval,
                    list.as_ptr(),
                    list.len(),
                )
            },
            // Wasmtime 36 to 39: no engine argument.
            // SAFETY: the names and modules are live for the call, which
            // copies what it keeps; the result is owned here.
            (None, Some(old)) => unsafe {
                (old.wasmtime_guestprofiler_new)(&name_vec, interval, list.as_ptr(), list.len())
            },
            (None, None) => return Err(ErrorKind::Unsupported(Capability::Profiling).into()),
        };
        Ok(GuestProfiler {
            wasmtime,
            table,
            ptr,
        })
    }

    /// Records the current wasm call stack of `store`, `delta` after the
    /// previous sample.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::WrongLibrary`] if `store` belongs to another libwasmtime
    /// than the profiler.
    ///
    /// ```no_run
    /// use std::time::Instant;
    /// use wasmtime_dyn::{GuestProfiler, Store};
    /// # let (mut profiler, mut store): (GuestProfiler, Store<()>) = unimplemented!();
    /// let mut last = Instant::now();
    /// // From a host function or an epoch deadline callback, while wasm runs:
    /// let now = Instant::now();
    /// profiler.sample(&mut store, now - last)?;
    /// last = now;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn sample(&mut self, mut store: impl AsContextMut, delta: Duration) -> Result<()> {
        let cx = store.as_context_mut();
        if !std::ptr::eq(cx.wasmtime(), self.wasmtime) {
            return Err(ErrorKind::WrongLibrary("the store").into());
        }
        let delta = u64::try_from(delta.as_nanos()).unwrap_or(u64::MAX);
        // SAFETY: the profiler and the store are live and of one library;
        // sampling only reads the store's current stack.
        unsafe { (self.table.wasmtime_guestprofiler_sample)(self.ptr, cx.raw_store(), delta) };
        Ok(())
    }

    /// Ends profiling and returns the profile (JSON for the Firefox
    /// Profiler).
    ///
    /// ```no_run
    /// # let profiler: wasmtime_dyn::GuestProfiler = unimplemented!();
    /// let profile = profiler.finish()?;
    /// std::fs::write("profile.json", profile).expect("a writable directory");
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn finish(self) -> Result<Vec<u8>> {
        let mut out = empty_vec();
        // SAFETY: the profiler is live and consumed here (the C call frees
        // it); `out` is an empty vector to fill.
        let error = unsafe { (self.table.wasmtime_guestprofiler_finish)(self.ptr, &mut out) };
        let core = self.wasmtime.core();
        std::mem::forget(self);
        // SAFETY: the error, if any, is fresh and owned.
        unsafe { crate::error::check(core, error) }?;
        // SAFETY: filled by the library; copied then deleted once.
        Ok(unsafe { take_byte_vec(core, &mut out) })
    }
}

impl Drop for GuestProfiler {
    fn drop(&mut self) {
        // SAFETY: owned here and not finished (`finish` forgets `self`).
        unsafe { (self.table.wasmtime_guestprofiler_delete)(self.ptr) };
    }
}

/// A borrowed byte vector over `text` (never deleted by the library: the
/// profiler copies names).
fn byte_vec(text: &str) -> wasm_byte_vec_t {
    wasm_byte_vec_t {
        size: text.len(),
        data: text.as_ptr().cast_mut().cast(),
    }
}
