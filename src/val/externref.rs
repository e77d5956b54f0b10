//! [`ExternRef`]: host data behind a wasm `externref`.

use super::gc_table;
use crate::error::{ErrorKind, Result};
use crate::store::{AsContextMut, StoreContextMut};
use crate::sys::types::*;
use std::any::Any;
// Named by the docs' links only.
#[cfg(doc)]
use crate::capability::Capability;

/// An external reference: host data that wasm can hold and pass around
/// (needs the [`Gc`](Capability::Gc) capability).
///
/// ```no_run
/// use wasmtime_dyn::{ExternRef, Store};
/// # let mut store: Store<()> = unimplemented!();
/// let r = ExternRef::new(&mut store, String::from("hello"))?;
/// assert_eq!(r.data(&mut store)?.unwrap().downcast_ref::<String>().unwrap(), "hello");
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
pub struct ExternRef {
    wasmtime: &'static crate::Wasmtime,
    pub(crate) raw: wasmtime_externref_t,
    /// The id of the store it belongs to.
    pub(crate) store: u64,
}

// SAFETY: a rooted externref is an index into its store's root set plus the
// store id; Wasmtime's `OwnedRooted` is `Send + Sync`.
unsafe impl Send for ExternRef {}
// SAFETY: as above.
unsafe impl Sync for ExternRef {}

type HostData = Box<dyn Any + Send + Sync>;

unsafe extern "C" fn drop_host_data(data: *mut std::ffi::c_void) {
    // SAFETY: `data` is the `Box<HostData>` leaked in `ExternRef::new`,
    // finalized once by Wasmtime when the reference is collected.
    let data = unsafe { Box::from_raw(data.cast::<HostData>()) };
    // The data may panic in `Drop`: never unwind into C.
    crate::panics::in_finalizer(move || drop(data));
}

impl ExternRef {
    /// A new reference to `data`, in `store`.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{ExternRef, Func, Store, Val};
    /// # let (mut store, consume): (Store<()>, Func) = unimplemented!();
    /// let handle = ExternRef::new(&mut store, vec![1u8, 2, 3])?;
    /// consume.call(&mut store, &[Val::ExternRef(Some(handle))], &mut [])?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unsupported`]`(Gc)` on a library without GC.
    pub fn new<T>(
        mut store: impl AsContextMut<Data = T>,
        data: impl Any + Send + Sync,
    ) -> Result<ExternRef> {
        let mut cx = store.as_context_mut();
        let gc = gc_table(cx.wasmtime())?;
        super::roots36::drain(&mut cx);
        let boxed: *mut HostData = Box::into_raw(Box::new(Box::new(data)));
        // Zeroed: Wasmtime 36 writes the first 16 of its 24 bytes.
        let mut raw = std::mem::MaybeUninit::<wasmtime_externref_t>::zeroed();
        // SAFETY: the context is live; `raw` is written on success. From
        // this call on the box belongs to the library, whatever it returns:
        // on success the reference's finalizer frees it when the reference is
        // collected; on failure (GC heap full, a limiter's refusal, an engine
        // without GC support) every major 36..=50 has already dropped the
        // `ForeignData` wrapper it moved the box into, which ran
        // `drop_host_data` (c-api `externref.rs`, `ref.rs` on 36:
        // `ExternRef::new(&mut scope, ForeignData { data, finalizer })`
        // returns `Err(_)` after taking the value). Freeing it here too
        // would be a double free.
        let ok = unsafe {
            (gc.wasmtime_externref_new)(
                cx.context(),
                boxed.cast(),
                Some(drop_host_data),
                raw.as_mut_ptr(),
            )
        };
        if !ok {
            // The data's `Drop` ran inside the call, under
            // `panics::in_finalizer`: its panic, if any, resumes here.
            crate::panics::resume_finalizer_panic();
            return Err(ErrorKind::Invalid(
                "Wasmtime could not allocate the externref: the store's GC heap is full or \
                 cannot grow (a `Store::limiter` memory limit, a full pooling allocator, \
                 `Config::gc_support(false)`); the host data was dropped. Drop unused \
                 references and call `Store::gc`, or raise the limit"
                    .into(),
            )
            .into());
        }
        // SAFETY: written on success.
        let raw = unsafe { raw.assume_init() };
        Ok(ExternRef::from_rooted(&cx, raw))
    }

    /// The host data given to [`ExternRef::new`]; `None` for a reference
    /// without host data (one wasm made from another reference with
    /// `extern.convert_any`). Every externref this crate makes carries its
    /// data boxed as this method expects; externrefs made through the raw
    /// tables ([`Wasmtime::tables`](crate::Wasmtime::tables)) with other
    /// data must not be read here (the raw layer is `unsafe` for that
    /// reason).
    ///
    /// ```no_run
    /// use wasmtime_dyn::{ExternRef, Store};
    /// # let mut store: Store<()> = unimplemented!();
    /// let r = ExternRef::new(&mut store, 42u64)?;
    /// let data = r.data(&mut store)?.expect("made by this crate");
    /// assert_eq!(data.downcast_ref::<u64>(), Some(&42));
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn data<'a, S: AsContextMut>(
        &self,
        store: &'a mut S,
    ) -> Result<Option<&'a (dyn Any + Send + Sync)>> {
        let cx = store.as_context_mut();
        cx.check(self.store, "the externref")?;
        let gc = gc_table(cx.wasmtime())?;
        // SAFETY: the reference is rooted in this live store.
        let data = unsafe { (gc.wasmtime_externref_data)(cx.context(), &self.raw) };
        if data.is_null() {
            return Ok(None);
        }
        // SAFETY: every externref this crate creates carries a
        // `Box<HostData>`, alive while the reference is rooted.
        Ok(Some(unsafe { &**data.cast::<HostData>() }))
    }

    pub(super) fn from_rooted<T>(
        cx: &StoreContextMut<'_, T>,
        raw: wasmtime_externref_t,
    ) -> ExternRef {
        ExternRef {
            wasmtime: cx.wasmtime(),
            raw,
            store: cx.id(),
        }
    }
}

impl Clone for ExternRef {
    fn clone(&self) -> ExternRef {
        let Some(roots) = self.wasmtime.tables().gc_roots.as_ref() else {
            // Wasmtime 36 and 37 clone through the store (`GcRootsV36`),
            // which the handle does not keep: the clone shares the root.
            super::roots36::share(self.store, &self.raw);
            return ExternRef {
                wasmtime: self.wasmtime,
                raw: self.raw,
                store: self.store,
            };
        };
        // Zeroed, as `ExternRef::new`.
        let mut raw = std::mem::MaybeUninit::<wasmtime_externref_t>::zeroed();
        // SAFETY: `self.raw` is rooted; the clone is a new root written to `raw`.
        unsafe { (roots.wasmtime_externref_clone)(&self.raw, raw.as_mut_ptr()) };
        ExternRef {
            wasmtime: self.wasmtime,
            // SAFETY: written by the clone.
            raw: unsafe { raw.assume_init() },
            store: self.store,
        }
    }
}

impl Drop for ExternRef {
    fn drop(&mut self) {
        match &self.wasmtime.tables().gc_roots {
            // SAFETY: the root is owned by this handle and released once.
            Some(roots) => unsafe { (roots.wasmtime_externref_unroot)(&mut self.raw) },
            // Wasmtime 36 and 37 unroot through the store (`GcRootsV36`):
            // the store does it the next time it is used.
            None => super::roots36::release(self.store, self.raw),
        }
    }
}

impl std::fmt::Debug for ExternRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExternRef").finish_non_exhaustive()
    }
}
