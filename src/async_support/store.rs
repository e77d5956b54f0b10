//! Fuel and epoch yields: a long-running guest called with `call_async`
//! gives its thread back to the executor.

use super::async_table;
use crate::epoch::EpochBehaviour;
use crate::error::{ErrorKind, Result};
use crate::store::{AsContextMut, Store, StoreContextMut};
use crate::sys::types::*;

/// `wasmtime_context_epoch_deadline_async_yield_and_update` as the C API
/// defines it: `async.h` declares a `wasmtime_error_t *` result, but the
/// function returns nothing (c-api 45 to 50, `src/async.rs`), so the value
/// the declared type would read is whatever the register held.
type EpochYieldAndUpdate = unsafe extern "C" fn(*mut wasmtime_context_t, u64);

impl<T> StoreContextMut<'_, T> {
    /// As [`Store::fuel_async_yield_interval`].
    ///
    /// ```no_run
    /// use wasmtime_dyn::{AsContextMut, Store};
    /// # let mut store: Store<()> = unimplemented!();
    /// store.as_context_mut().fuel_async_yield_interval(Some(10_000))?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn fuel_async_yield_interval(&mut self, interval: Option<u64>) -> Result<()> {
        let table = async_table(self.wasmtime())?;
        if interval == Some(0) {
            // The C API reads 0 as "off"; the crate refuses it.
            return Err(ErrorKind::Invalid(
                "fuel_async_yield_interval must not be 0 (pass None to turn yields off)".into(),
            )
            .into());
        }
        // SAFETY: the context is live; a plain value (0 = off).
        let error = unsafe {
            (table.wasmtime_context_fuel_async_yield_interval)(
                self.context(),
                interval.unwrap_or(0),
            )
        };
        // SAFETY: the error, if any, is fresh and owned.
        unsafe { crate::error::check(self.wasmtime().core(), error) }?;
        // Wasmtime requires async calls from now on (even for `None`).
        self.require_async();
        Ok(())
    }

    /// As [`Store::epoch_deadline_async_yield_and_update`].
    ///
    /// ```no_run
    /// use wasmtime_dyn::{AsContextMut, Store};
    /// # let mut store: Store<()> = unimplemented!();
    /// store.as_context_mut().epoch_deadline_async_yield_and_update(1)?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn epoch_deadline_async_yield_and_update(&mut self, delta: u64) -> Result<()> {
        let table = async_table(self.wasmtime())?;
        // SAFETY: the declared type differs from the function's only in
        // its result, which the function does not have (see
        // `EpochYieldAndUpdate`): called with the real signature, nothing
        // is read from the return register.
        let yield_and_update: EpochYieldAndUpdate = unsafe {
            std::mem::transmute::<
                crate::sys::fns::wasmtime_context_epoch_deadline_async_yield_and_update,
                EpochYieldAndUpdate,
            >(table.wasmtime_context_epoch_deadline_async_yield_and_update)
        };
        // SAFETY: the context is live; a plain value.
        unsafe { yield_and_update(self.context(), delta) };
        self.require_async();
        // Wasmtime's deadline behaviour is now the yield: this crate's epoch
        // callback trampoline, if it was installed, is no longer.
        // SAFETY: exclusive for the borrow.
        unsafe { (*self.inner).epoch = EpochBehaviour::AsyncYield };
        Ok(())
    }
}

impl<T> Store<T> {
    /// Makes wasm running under `call_async` yield to the executor every
    /// `interval` units of fuel (`None`: never), as the `wasmtime` crate's
    /// `Store::fuel_async_yield_interval`: the call future returns
    /// `Pending` (waking its task at once), so other tasks on the thread
    /// run. Needs [`Config::consume_fuel`](crate::Config::consume_fuel);
    /// afterwards the store's calls must be async (a sync call is an
    /// error).
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Store, TypedFunc};
    /// # async fn run(mut store: Store<()>, spin: TypedFunc<(), ()>) -> wasmtime_dyn::Result<()> {
    /// store.set_fuel(u64::MAX)?;
    /// store.fuel_async_yield_interval(Some(10_000))?;
    /// spin.call_async(&mut store, ()).await?; // yields every 10 000 units
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`] for `Some(0)`; Wasmtime's error when fuel is
    /// not configured; [`ErrorKind::Unsupported`]`(Async)` for a library
    /// without async.
    pub fn fuel_async_yield_interval(&mut self, interval: Option<u64>) -> Result<()> {
        self.as_context_mut().fuel_async_yield_interval(interval)
    }

    /// Makes the epoch deadline yield to the executor and then move `delta`
    /// ticks on, as the `wasmtime` crate's
    /// `Store::epoch_deadline_async_yield_and_update` (needs
    /// [`Config::epoch_interruption`](crate::Config::epoch_interruption);
    /// afterwards the store's calls must be async). It replaces
    /// [`Store::epoch_deadline_callback`] and
    /// [`Store::epoch_deadline_trap`], as they replace it.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Engine, Store};
    /// # let (engine, mut store): (Engine, Store<()>) = unimplemented!();
    /// store.set_epoch_deadline(1);
    /// store.epoch_deadline_async_yield_and_update(1)?;
    /// // another thread: `engine.increment_epoch()` every millisecond
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unsupported`]`(Async)` for a library without async (the
    /// crate's returns nothing: it has async or not at build time).
    pub fn epoch_deadline_async_yield_and_update(&mut self, delta: u64) -> Result<()> {
        self.as_context_mut()
            .epoch_deadline_async_yield_and_update(delta)
    }
}
