//! `InstancePre::instantiate_async`: `wasmtime_instance_pre_instantiate_async`
//! driven by the async call bridge.

use super::InstancePre;
use crate::async_support::{async_table, CallFuture, Slots};
use crate::error::Result;
use crate::instance::Instance;
use crate::linker::RawInstance;
use crate::store::AsContextMut;

impl<T> InstancePre<T> {
    /// A new instance of the module in `store`, as a future, as the
    /// `wasmtime` crate's `InstancePre::instantiate_async`: needed when the
    /// start function reaches an async host function or the store yields.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{InstancePre, Store};
    /// # async fn run(pre: InstancePre<()>, mut store: Store<()>) -> wasmtime_dyn::Result<()> {
    /// let instance = pre.instantiate_async(&mut store).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`InstancePre::instantiate`];
    /// [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported)`(Async)`
    /// for a library without async.
    pub async fn instantiate_async(
        &self,
        mut store: impl AsContextMut<Data = T>,
    ) -> Result<Instance>
    where
        T: Send,
    {
        let table = async_table(self.module.engine().wasmtime())?;
        {
            let mut cx = store.as_context_mut();
            self.prepare(&mut cx)?;
            // Wasmtime's async instantiation makes the store async-only.
            cx.require_async();
        }
        let mut raw = RawInstance(std::mem::MaybeUninit::uninit());
        let mut slots = Slots::new();
        let mut call = {
            let cx = store.as_context_mut();
            // SAFETY: the pre-instance and context are live and of one
            // engine; store-bound imports belong to this store (checked);
            // the out-slots stay where they are (this `async fn`'s state is
            // pinned) until the future is deleted.
            unsafe {
                let ptr = (table.wasmtime_instance_pre_instantiate_async)(
                    self.pre.ptr,
                    cx.context(),
                    raw.0.as_mut_ptr(),
                    &mut slots.trap,
                    &mut slots.error,
                );
                CallFuture::new(table, ptr)
            }
        };
        call.run().await;
        drop(call);
        let mut cx = store.as_context_mut();
        // SAFETY: the call's error or trap, or `raw` written on success.
        unsafe {
            Instance::from_instantiation(&mut cx, slots.error, slots.trap, raw.0, &self.module)
        }
    }
}
