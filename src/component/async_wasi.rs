//! `Linker::define_wasi_async`: the C API's async WASI preview 2
//! (`wasmtime_component_linker_add_wasip2_async`, the `wasmtime_wasi`
//! crate's `p2::add_to_linker_async` inside the library), whose functions
//! run on the call's fiber and suspend it on I/O.

use super::async_call::model_async;
use super::linker::Linker;
use crate::capability::Capability;
use crate::error::{ErrorKind, Result};

impl<T: 'static> Linker<T> {
    /// Defines WASI preview 2 with async host functions, as
    /// `wasmtime_wasi::p2::add_to_linker_async` does: the same interfaces
    /// as [`Linker::define_wasi`], whose I/O (reads, writes, sleeps,
    /// `wasi:io/poll`) suspends the guest instead of blocking the thread.
    /// Instantiate with [`Linker::instantiate_async`] and call with
    /// [`Func::call_async`](super::Func::call_async) (a sync call reaching
    /// a WASI function is an error, as with the crate). The functions run
    /// with the store's WASI context
    /// ([`Store::set_wasi`](crate::Store::set_wasi)), which instantiation
    /// requires as with [`Linker::define_wasi`].
    ///
    /// ```no_run
    /// use wasmtime_dyn::wasi::WasiConfig;
    /// # async fn run(engine: wasmtime_dyn::Engine, component: wasmtime_dyn::component::Component) -> wasmtime_dyn::Result<()> {
    /// let mut linker = wasmtime_dyn::component::Linker::<()>::new(&engine);
    /// linker.define_wasi_async()?;
    /// let mut store = wasmtime_dyn::Store::new(&engine, ());
    /// store.set_wasi(WasiConfig::new().inherit_stdio())?;
    /// let instance = linker.instantiate_async(&mut store, &component).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// Wasmtime's own futures inside these functions (a file read, a
    /// timer) are polled by the C API with a waker that does nothing, so
    /// while the guest waits on one the call's future wakes itself and is
    /// polled again by the executor, instead of sleeping until the I/O is
    /// ready.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unsupported`]`(Async)` on a library without async (the
    /// minimal builds), `(ComponentModelAsync)` on one without the C API's
    /// `component-model-async` feature, `(Wasi)` on one without WASI.
    pub fn define_wasi_async(&mut self) -> Result<&mut Self> {
        let wasmtime = self.engine().wasmtime();
        model_async(wasmtime)?;
        let table = wasmtime
            .tables()
            .component_model_async_wasi
            .as_ref()
            .ok_or(ErrorKind::Unsupported(Capability::Wasi))?;
        // SAFETY: a live linker (non-null: `model_async` found the
        // component model, so `Linker::new` made one), not borrowed by a
        // linker instance (`&mut self`).
        let error = unsafe { (table.wasmtime_component_linker_add_wasip2_async)(self.ptr) };
        // SAFETY: the error, if any, is fresh and owned.
        unsafe { crate::error::check(wasmtime.core(), error) }?;
        self.has_wasi = true;
        Ok(self)
    }
}
