//! Modules whose imports a linker has already resolved, for fast
//! instantiation.

use crate::engine::Engine;
use crate::error::{ErrorKind, Result};
use crate::instance::Instance;
use crate::linker::Linker;
use crate::module::Module;
use crate::store::{AsContextMut, StoreContextMut};
use crate::sys::types::*;
use std::marker::PhantomData;
use std::sync::Arc;

mod instantiate_async;

/// A module with its imports resolved by a [`Linker`], ready to be
/// instantiated in any store of data type `T` (as the `wasmtime` crate's
/// `InstancePre`): name resolution and type checks are done once, in
/// [`Linker::instantiate_pre`], not at every instantiation.
///
/// ```no_run
/// use wasmtime_dyn::{Linker, Module, Store};
/// # let (linker, module): (Linker<()>, Module) = unimplemented!();
/// let pre = linker.instantiate_pre(&module)?;
/// for _ in 0..100 {
///     let mut store = Store::new(module.engine(), ());
///     let instance = pre.instantiate(&mut store)?;
/// }
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
pub struct InstancePre<T> {
    /// Shared by clones, as the crate's `InstancePre` shares its state.
    pre: Arc<PrePtr>,
    module: Module,
    /// The store the linker's store-bound items belonged to, if any: only
    /// that store can use them.
    store_id: Option<u64>,
    /// Whether the linker defined WASI (see `StoreInner::has_wasi`).
    has_wasi: bool,
    /// The linker's WASI context getter, if any (see `linker::provide_wasi`).
    wasi_ctx: Option<crate::wasi::p1::WasiCtxGetter<T>>,
    _data: PhantomData<fn(T)>,
}

/// The C object, deleted when the last clone is dropped.
struct PrePtr {
    ptr: *mut wasmtime_instance_pre_t,
    wasmtime: &'static crate::Wasmtime,
}

// SAFETY: the C API's `wasmtime_instance_pre_t` holds a
// `wasmtime::InstancePre`, which is `Send + Sync`.
unsafe impl Send for PrePtr {}
// SAFETY: as above; instantiating only reads it.
unsafe impl Sync for PrePtr {}

impl Drop for PrePtr {
    fn drop(&mut self) {
        // SAFETY: owned here, deleted once (the last clone is gone).
        unsafe { (self.wasmtime.core().wasmtime_instance_pre_delete)(self.ptr) };
        // A host function's closure that panicked in `Drop` panics here.
        crate::panics::resume_finalizer_panic();
    }
}

impl<T> Clone for InstancePre<T> {
    /// Another handle to the same pre-instantiated module, as the crate's
    /// `InstancePre: Clone` (no copy of the C object).
    ///
    /// ```no_run
    /// # let pre: wasmtime_dyn::InstancePre<()> = unimplemented!();
    /// let for_thread = pre.clone();
    /// std::thread::spawn(move || drop(for_thread));
    /// ```
    fn clone(&self) -> InstancePre<T> {
        InstancePre {
            pre: self.pre.clone(),
            module: self.module.clone(),
            store_id: self.store_id,
            has_wasi: self.has_wasi,
            wasi_ctx: self.wasi_ctx.clone(),
            _data: PhantomData,
        }
    }
}

// SAFETY: the C API's `wasmtime_instance_pre_t` holds a
// `wasmtime::InstancePre`, which is `Send + Sync` (its host functions
// must be); the other fields are.
unsafe impl<T> Send for InstancePre<T> {}
// SAFETY: as above; instantiating only reads it.
unsafe impl<T> Sync for InstancePre<T> {}

impl<T> std::fmt::Debug for InstancePre<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InstancePre").finish_non_exhaustive()
    }
}

impl<T: 'static> Linker<T> {
    /// Resolves the imports of `module` now, for instantiating it later in
    /// any store with [`InstancePre::instantiate`] (as the `wasmtime`
    /// crate's `Linker::instantiate_pre`).
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Linker, Module, Store};
    /// # let (mut linker, module, mut store): (Linker<()>, Module, Store<()>) = unimplemented!();
    /// linker.func_wrap("env", "log", |x: i32| println!("{x}"))?;
    /// let pre = linker.instantiate_pre(&module)?;
    /// let instance = pre.instantiate(&mut store)?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Wasmtime's error naming an import that is not defined or has the
    /// wrong type; [`ErrorKind::WrongEngine`] for a module of another engine.
    pub fn instantiate_pre(&self, module: &Module) -> Result<InstancePre<T>> {
        if !Engine::same(module.engine(), self.engine()) {
            return Err(ErrorKind::WrongEngine("the module", "the linker").into());
        }
        let core = self.engine().wasmtime().core();
        let mut ptr = std::ptr::null_mut();
        // SAFETY: the linker and module are live and of one engine; `ptr` is
        // written on success.
        let error =
            unsafe { (core.wasmtime_linker_instantiate_pre)(self.ptr(), module.ptr, &mut ptr) };
        // SAFETY: the error, if any, is fresh and owned.
        unsafe { crate::error::check(core, error) }?;
        Ok(InstancePre {
            pre: Arc::new(PrePtr {
                ptr,
                wasmtime: self.engine().wasmtime(),
            }),
            module: module.clone(),
            store_id: self.store_for(module),
            has_wasi: self.has_wasi,
            wasi_ctx: self.wasi_ctx.clone(),
            _data: PhantomData,
        })
    }
}

impl<T> InstancePre<T> {
    /// A new instance of the module in `store`.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{InstancePre, Store};
    /// # let (pre, engine): (InstancePre<u32>, wasmtime_dyn::Engine) = unimplemented!();
    /// let mut store = Store::new(&engine, 0u32);
    /// let instance = pre.instantiate(&mut store)?;
    /// let run = instance.get_typed_func::<(), ()>(&mut store, "run")?;
    /// run.call(&mut store, ())?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// a [`Trap`](crate::Trap) if the start function traps; [`ErrorKind::WrongEngine`]
    /// for a store of another engine; [`ErrorKind::WrongStore`] when the
    /// linker held items of another store; [`ErrorKind::Invalid`] for a module
    /// importing WASI through the linker into a store without a WASI
    /// context (call [`Store::set_wasi`](crate::Store::set_wasi) first).
    pub fn instantiate(&self, mut store: impl AsContextMut<Data = T>) -> Result<Instance> {
        let mut cx = store.as_context_mut();
        self.prepare(&mut cx)?;
        let mut raw = std::mem::MaybeUninit::<wasmtime_instance_t>::uninit();
        let mut trap = std::ptr::null_mut();
        // SAFETY: the pre-instance and context are live and of one engine;
        // store-bound imports belong to this store (checked).
        let error = unsafe {
            (cx.wasmtime().core().wasmtime_instance_pre_instantiate)(
                self.pre.ptr,
                cx.context(),
                raw.as_mut_ptr(),
                &mut trap,
            )
        };
        // SAFETY: the call's error or trap, or `raw` written on success.
        unsafe { Instance::from_instantiation(&mut cx, error, trap, raw, &self.module) }
    }

    /// The module this will instantiate.
    ///
    /// ```no_run
    /// # let pre: wasmtime_dyn::InstancePre<()> = unimplemented!();
    /// println!("{} exports", pre.module().exports().len());
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn module(&self) -> &Module {
        &self.module
    }
}

impl<T> InstancePre<T> {
    /// What instantiating in `cx`'s store needs first, for the sync and
    /// async paths alike: the store of the linker's store-bound items and
    /// this engine, and the WASI context of a module importing WASI.
    pub(crate) fn prepare(&self, cx: &mut StoreContextMut<'_, T>) -> Result<()> {
        crate::linker::check_store_bound(
            cx,
            self.module.engine(),
            self.store_id,
            "the pre-instantiated module",
            "the pre-instantiated module (its linker held items of another store)",
        )?;
        crate::linker::provide_wasi(self.wasi_ctx.as_ref(), cx)?;
        crate::linker::refuse_wasi_without_context(self.has_wasi, cx, &self.module)
    }
}
