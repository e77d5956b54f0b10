//! What a store does when its epoch deadline passes: trap (Wasmtime's
//! default) or call a Rust callback that extends the deadline, interrupts,
//! or fails the call, as the `wasmtime` crate's
//! `Store::epoch_deadline_trap` / `epoch_deadline_callback`.
//!
//! The C API installs a callback (`wasmtime_store_epoch_deadline_callback`)
//! but cannot remove one. So the first callback installs this module's
//! trampoline for good, and `epoch_deadline_trap` afterwards makes the
//! trampoline raise [`Trap::Interrupt`] itself, as Wasmtime would.

use crate::capability::Capability;
use crate::error::{Error, Result};
use crate::func::HostError;
use crate::store::{Store, StoreContextMut, StoreInner};
use crate::sys::types::*;
use crate::trap::Trap;
use std::ffi::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// What an epoch deadline callback tells Wasmtime to do, as the crate's
/// `UpdateDeadline` (its `YieldCustom`, which carries a future for
/// Wasmtime to await, has no C API form).
///
/// ```no_run
/// use wasmtime_dyn::{Store, UpdateDeadline};
/// # let mut store: Store<u32> = unimplemented!();
/// store.epoch_deadline_callback(|mut cx| {
///     *cx.data_mut() += 1;
///     Ok(if *cx.data() < 10 { UpdateDeadline::Continue(1) } else { UpdateDeadline::Interrupt })
/// });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum UpdateDeadline {
    /// Stop the wasm with [`Trap::Interrupt`].
    Interrupt,
    /// Go on, with the deadline this many ticks from now.
    Continue(u64),
    /// Yield to the executor first, then go on with the deadline this many
    /// ticks from now: for calls made with
    /// [`call_async`](crate::TypedFunc::call_async) (in a sync call it is
    /// Wasmtime's error). On a library without async it is
    /// [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported)`(Async)`
    /// (the C API would abort the process on it).
    Yield(u64),
}

/// A store's epoch deadline callback.
pub(crate) type EpochCallback<T> =
    Box<dyn FnMut(StoreContextMut<'_, T>) -> Result<UpdateDeadline> + Send + Sync>;

/// What the trampoline does, once installed.
pub(crate) enum EpochBehaviour<T> {
    /// No trampoline yet: Wasmtime traps by itself.
    Default,
    /// The trampoline raises [`Trap::Interrupt`].
    Trap,
    /// The trampoline calls this (taken out while it runs).
    Callback(Option<EpochCallback<T>>),
    /// Wasmtime yields to the executor
    /// (`Store::epoch_deadline_async_yield_and_update`), which replaced the
    /// trampoline: the next trap or callback installs it again.
    AsyncYield,
}

impl<T> Store<T> {
    /// Makes the epoch deadline trap with [`Trap::Interrupt`], as the
    /// `wasmtime` crate's `Store::epoch_deadline_trap` (Wasmtime's
    /// default; this undoes [`Store::epoch_deadline_callback`]).
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Engine, Store, Trap, TypedFunc};
    /// # let (engine, mut store, run): (Engine, Store<()>, TypedFunc<(), ()>) = unimplemented!();
    /// store.epoch_deadline_trap();
    /// store.set_epoch_deadline(1);
    /// engine.increment_epoch();
    /// let err = run.call(&mut store, ()).unwrap_err();
    /// assert_eq!(err.downcast_ref::<Trap>(), Some(&Trap::Interrupt));
    /// ```
    pub fn epoch_deadline_trap(&mut self) {
        let inner = self.inner_mut();
        match inner.epoch {
            EpochBehaviour::Default => {}
            EpochBehaviour::AsyncYield => {
                inner.epoch = EpochBehaviour::Trap;
                self.install_trampoline();
            }
            _ => inner.epoch = EpochBehaviour::Trap,
        }
    }

    /// Calls `callback` when the epoch deadline passes, as the `wasmtime`
    /// crate's `Store::epoch_deadline_callback`: it gets the store and
    /// says whether to go on (with a new deadline) or interrupt; an `Err`
    /// fails the wasm call with that error (downcastable, with the wasm
    /// frames as [`WasmBacktrace`](crate::WasmBacktrace) context). A panic
    /// in it resumes in the caller of the wasm call.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Engine, Store, UpdateDeadline};
    /// # let engine: Engine = unimplemented!();
    /// let mut store = Store::new(&engine, 0u32);
    /// store.set_epoch_deadline(1);
    /// store.epoch_deadline_callback(|mut cx| {
    ///     *cx.data_mut() += 1; // count the ticks seen
    ///     Ok(UpdateDeadline::Continue(1))
    /// });
    /// ```
    pub fn epoch_deadline_callback(
        &mut self,
        callback: impl FnMut(StoreContextMut<'_, T>) -> Result<UpdateDeadline> + Send + Sync + 'static,
    ) {
        let install = matches!(
            self.inner_mut().epoch,
            EpochBehaviour::Default | EpochBehaviour::AsyncYield
        );
        self.inner_mut().epoch = EpochBehaviour::Callback(Some(Box::new(callback)));
        if install {
            self.install_trampoline();
        }
    }

    /// Makes this module's trampoline Wasmtime's epoch deadline behaviour.
    fn install_trampoline(&mut self) {
        {
            let inner = self.inner_mut();
            let core = inner.wasmtime.core();
            let data: *mut StoreInner<T> = inner;
            // SAFETY: the store is live; the data pointer is the store's
            // inner box, which outlives the C store (deleted first in
            // `Store::drop`), so the trampoline never sees it dangle; no
            // finalizer (the box is not the callback's to free).
            unsafe {
                (core.wasmtime_store_epoch_deadline_callback)(
                    (*data).store,
                    Some(trampoline::<T>),
                    data.cast(),
                    None,
                )
            };
        }
    }

    /// Runs a garbage collection, as the crate's `Store::gc`. `why` is the
    /// crate's out-of-memory hint; the C API's collection takes none, so
    /// only `None` can be passed.
    ///
    /// ```no_run
    /// # let mut store: wasmtime_dyn::Store<()> = unimplemented!();
    /// store.gc(None)?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported)`(Gc)` on
    /// a library without GC; Wasmtime's error if collecting fails.
    pub fn gc(&mut self, why: Option<&std::convert::Infallible>) -> Result<()> {
        let _ = why;
        let inner = self.inner_mut();
        crate::val::gc_table(inner.wasmtime)?;
        let tables = inner.wasmtime.tables();
        if let Some(old) = &tables.gc_collect_v36 {
            // Wasmtime 36 to 41: collecting returns nothing.
            // SAFETY: the context is live.
            unsafe { (old.wasmtime_context_gc)(inner.context) };
            return Ok(());
        }
        let gc = inner.wasmtime.later(&tables.gc_collect, "Store::gc")?;
        // SAFETY: the context is live; the error, if any, is fresh and owned.
        unsafe {
            let error = (gc.wasmtime_context_gc)(inner.context);
            crate::error::check(inner.wasmtime.core(), error)
        }
    }
}

/// The C callback: runs the store's epoch behaviour.
///
/// # Safety
///
/// `data` is the `StoreInner<T>` of the store whose wasm is running (set
/// by `epoch_deadline_callback`); Wasmtime calls this with exclusive access
/// to that store, from the thread running its wasm.
unsafe extern "C" fn trampoline<T>(
    _context: *const wasmtime_context_t,
    data: *mut c_void,
    delta: *mut u64,
    kind: *mut wasmtime_update_deadline_kind_t,
) -> *mut wasmtime_error_t {
    let inner = data.cast::<StoreInner<T>>();
    // Everything that runs Rust code is inside `catch_unwind`, formatting
    // the error included.
    let outcome = catch_unwind(AssertUnwindSafe(|| -> Result<UpdateDeadline> {
        // SAFETY: exclusive access during the callback (contract above).
        let taken = match unsafe { &mut (*inner).epoch } {
            EpochBehaviour::Callback(slot) => slot.take(),
            _ => None,
        };
        let Some(callback) = taken else {
            return Ok(UpdateDeadline::Interrupt);
        };
        // Put back when this scope ends, by a return or by the callback's
        // panic: a panicking callback is kept for the next deadline, as the
        // crate keeps it, and is never dropped mid-unwind (where a panic of
        // something it captured would abort).
        let mut guard = PutBack {
            inner,
            callback: Some(callback),
        };
        // SAFETY: the store is live, with exclusive access for the call.
        let cx = unsafe { StoreContextMut::from_inner(inner) };
        let callback = guard.callback.as_mut().expect("set just above");
        callback(cx)
    }));
    // SAFETY: exclusive access (contract above); the library is `'static`.
    let can_yield = unsafe { (*inner).wasmtime.has(Capability::Async) };
    let error: Error = match outcome {
        Ok(Ok(UpdateDeadline::Continue(ticks))) => {
            // SAFETY: Wasmtime passes writable out-pointers.
            unsafe {
                *delta = ticks;
                *kind = WASMTIME_UPDATE_DEADLINE_CONTINUE as wasmtime_update_deadline_kind_t;
            }
            return std::ptr::null_mut();
        }
        Ok(Ok(UpdateDeadline::Yield(ticks))) if can_yield => {
            // SAFETY: Wasmtime passes writable out-pointers.
            unsafe {
                *delta = ticks;
                *kind = WASMTIME_UPDATE_DEADLINE_YIELD as wasmtime_update_deadline_kind_t;
            }
            return std::ptr::null_mut();
        }
        // A build without async panics on the yield kind (c-api
        // `store.rs`: "unknown wasmtime_update_deadline_kind_t").
        Ok(Ok(UpdateDeadline::Yield(_))) => crate::ErrorKind::Unsupported(Capability::Async).into(),
        Ok(Ok(UpdateDeadline::Interrupt)) => Error::new(Trap::Interrupt),
        Ok(Err(error)) => error,
        Err(payload) => {
            // SAFETY: exclusive access (contract above).
            unsafe { (*inner).panic = Some(payload) };
            Error::msg("an epoch deadline callback panicked (the panic resumes in the caller)")
        }
    };
    // SAFETY: exclusive access (contract above).
    let core = unsafe { (*inner).wasmtime.core() };
    let host = match catch_unwind(AssertUnwindSafe(|| HostError::new(error))) {
        Ok(host) => host,
        Err(payload) => {
            // SAFETY: as above.
            unsafe { (*inner).panic = Some(payload) };
            HostError::new(Error::msg("an epoch deadline callback's error panicked"))
        }
    };
    let message = host.message().to_string();
    // SAFETY: as above.
    unsafe { (*inner).host_error = Some(host) };
    // SAFETY: the message is readable; the new error goes to Wasmtime.
    unsafe { (core.wasmtime_error_new)(message_c(&message).as_ptr()) }
}

/// Puts an epoch callback taken out of its store back when dropped, on
/// return and on unwind alike.
struct PutBack<T> {
    inner: *mut StoreInner<T>,
    callback: Option<EpochCallback<T>>,
}

impl<T> Drop for PutBack<T> {
    fn drop(&mut self) {
        // SAFETY: `inner` is the store of the running callback, with
        // exclusive access until the trampoline returns (`trampoline`'s
        // contract); nothing else holds a reference into it now.
        let epoch = unsafe { &mut (*self.inner).epoch };
        match epoch {
            // Still the slot it came from: put it back.
            EpochBehaviour::Callback(slot @ None) => *slot = self.callback.take(),
            // Replaced while it ran (`Store` is not reachable from the
            // callback, so this does not happen today): the replacement
            // wins. Never drop a callback mid-unwind, where a panic in its
            // captures' `Drop` would abort: leak it instead.
            _ if std::thread::panicking() => std::mem::forget(self.callback.take()),
            _ => {}
        }
    }
}

/// `message` as a C string (interior NULs dropped).
fn message_c(message: &str) -> std::ffi::CString {
    std::ffi::CString::new(message.replace('\0', "")).unwrap_or_default()
}
