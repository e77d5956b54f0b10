//! `Func::call_async`, `TypedFunc::call_async` and
//! `Linker::instantiate_async` for components: the C API's component call
//! futures (`wasmtime_component_func_call_async`,
//! `wasmtime_component_linker_instantiate_async`) driven by the core
//! bridge ([`crate::async_support::CallFuture`]), plus the channel by which
//! an async host function's error or panic reaches the caller
//! ([`HOST_FAILURE`]).

use super::func::{model_of, with_trap, Func};
use super::instance::Instance;
use super::linker::Linker;
use super::typed::{ComponentNamedList, Lift, Lower, TypedFunc};
use super::val::{OwnedVals, Val};
use super::Component;
use crate::async_support::{async_table, CallFuture};
use crate::capability::Capability;
use crate::error::{Error, Result};
use crate::loader::Wasmtime;
use crate::store::AsContextMut;
use crate::sys::tables::ComponentModelAsync;
use crate::sys::types::*;
use std::any::Any;
use std::cell::Cell;
use std::task::Poll;

/// Why an async host function failed after its first call: its error or
/// its panic's payload.
pub(crate) type Failure = std::result::Result<Error, Box<dyn Any + Send>>;

thread_local! {
    /// An async host function's failure during the current poll of a
    /// component call future. The C API gives a component continuation no
    /// way to fail (c-api 45 to 50 `src/component/linker.rs`: the error
    /// slot is read only after the first call), so the continuation puts
    /// its failure here and stays pending; [`drive`] then cancels the call
    /// (deleting its future unwinds the suspended wasm) and returns it.
    pub(crate) static HOST_FAILURE: Cell<Option<Failure>> = const { Cell::new(None) };
}

/// The component-model-async table of `wasmtime`, or
/// [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported)`(ComponentModelAsync)` (before 45, whose C
/// API has none, [`ErrorKind::UnsupportedVersion`](crate::ErrorKind::UnsupportedVersion)).
pub(crate) fn model_async(wasmtime: &'static Wasmtime) -> Result<&'static ComponentModelAsync> {
    async_table(wasmtime)?;
    model_of(wasmtime)?;
    wasmtime
        .tables()
        .component_model_async
        .as_ref()
        .ok_or_else(|| {
            crate::capability::absent(
                wasmtime,
                Capability::ComponentModelAsync,
                "component-model async",
            )
        })
}

/// Polls `call` to completion; `Err` with an async host function's
/// failure (the call cancelled first: `call` is dropped here).
async fn drive(mut call: CallFuture) -> std::result::Result<(), Failure> {
    let failure = std::future::poll_fn(|cx| {
        let outer = HOST_FAILURE.with(|f| f.take());
        let polled = call.poll_call(cx);
        let failed = HOST_FAILURE.with(|f| f.replace(outer));
        match (failed, polled) {
            (Some(failure), _) => Poll::Ready(Some(failure)),
            (None, Poll::Ready(())) => Poll::Ready(None),
            (None, Poll::Pending) => Poll::Pending,
        }
    })
    .await;
    drop(call);
    match failure {
        None => Ok(()),
        Some(failure) => Err(failure),
    }
}

/// The caller's error for a failure: the host's error itself, or its
/// panic resumed.
fn resume(failure: Failure) -> Error {
    match failure {
        Ok(err) => err,
        Err(payload) => std::panic::resume_unwind(payload),
    }
}

/// C values a component call future reads or writes, moved between
/// threads with the task that owns them.
struct SendVals(OwnedVals);

// SAFETY: C values owned by the task making the call (their pointers are
// heap buffers of the library, not tied to a thread); touched only by
// that task.
unsafe impl Send for SendVals {}
// SAFETY: no method takes `&self` across threads.
unsafe impl Sync for SendVals {}

impl Func {
    /// Calls the function as [`Func::call`] does, as a future, as the
    /// `wasmtime` crate's `wasmtime::component::Func::call_async`: the
    /// component runs on a fiber, suspending while an async host function
    /// ([`LinkerInstance::func_new_async`](super::LinkerInstance::func_new_async))
    /// is pending.
    ///
    /// ```no_run
    /// use wasmtime_dyn::component::{Func, Val};
    /// # async fn run(f: Func, mut store: wasmtime_dyn::Store<()>) -> wasmtime_dyn::Result<()> {
    /// let mut out = [Val::U32(0)];
    /// f.call_async(&mut store, &[Val::U32(1)], &mut out).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// Dropping the future before it is done cancels the call.
    ///
    /// # Errors
    ///
    /// As [`Func::call`]; an async host function's error as that same
    /// value (its panic resumes here);
    /// [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported)`(ComponentModelAsync)` for a library
    /// without the C API's `component-model-async` feature.
    pub async fn call_async(
        &self,
        mut store: impl AsContextMut<Data: Send>,
        params: &[Val],
        results: &mut [Val],
    ) -> Result<()> {
        let (fns, table, core_async) = {
            let cx = store.as_context_mut();
            let table = model_async(cx.wasmtime())?;
            (self.val_fns(&cx)?, table, async_table(cx.wasmtime())?)
        };
        // Resources are refused before the call when not usable; those
        // passed as `own` move into the guest (see `Func::call`).
        let param_types = if super::resource::check_resources(params, fns.store)? {
            Some(
                self.ty(store.as_context_mut())
                    .params()
                    .map(|(_, t)| t)
                    .collect::<Vec<_>>(),
            )
        } else {
            None
        };
        let mut args = SendVals(OwnedVals::lower(fns, params));
        let mut outs = SendVals(OwnedVals::placeholders(fns, results.len()));
        let mut error: SendPtr<wasmtime_error_t> = SendPtr(std::ptr::null_mut());
        let call = {
            let cx = store.as_context_mut();
            let args = args.0.as_mut_slice();
            let outs = outs.0.as_mut_slice();
            // SAFETY: the function is of this store (checked by `val_fns`);
            // the arguments, result slots, error slot and the function's
            // storage stay where they are (this `async fn`'s pinned state)
            // until the call future is dropped in `drive`.
            unsafe {
                let ptr = (table.wasmtime_component_func_call_async)(
                    self.raw.as_ptr(),
                    cx.context(),
                    args.as_ptr(),
                    args.len(),
                    outs.as_mut_ptr(),
                    outs.len(),
                    &mut error.0,
                );
                CallFuture::new(core_async, ptr)
            }
        };
        let driven = drive(call).await;
        drop(args);
        if let Some(types) = &param_types {
            super::resource::retire_moved(params, types);
        }
        if let Err(failure) = driven {
            if !error.0.is_null() {
                // SAFETY: a fresh, owned error, freed once.
                drop(unsafe { crate::error::take(fns.core, error.0) });
            }
            return Err(resume(failure));
        }
        if !error.0.is_null() {
            let mut cx = store.as_context_mut();
            // SAFETY: a fresh, owned error of this store's library.
            let err = unsafe { crate::func::call_failed(&mut cx, error.0, std::ptr::null_mut()) };
            return Err(with_trap(err));
        }
        for (slot, out) in results.iter_mut().zip(outs.0.as_slice()) {
            // SAFETY: a value the library wrote; freed by `outs`.
            unsafe { fns.lift_into(out, slot) }?;
        }
        Ok(())
    }
}

/// A C out-pointer slot kept in a future.
struct SendPtr<P>(*mut P);

// SAFETY: an owned error (or null) the task reads once the call is done.
unsafe impl<P> Send for SendPtr<P> {}
// SAFETY: as above.
unsafe impl<P> Sync for SendPtr<P> {}

impl<Params, Results> TypedFunc<Params, Results>
where
    Params: ComponentNamedList + Lower + Send + Sync,
    Results: ComponentNamedList + Lift + Send + Sync,
{
    /// Calls the function as a future, as [`Func::call_async`] (and the
    /// `wasmtime` crate's `TypedFunc::call_async`).
    ///
    /// ```no_run
    /// # async fn run(f: wasmtime_dyn::component::TypedFunc<(u32,), (u32,)>, mut store: wasmtime_dyn::Store<()>) -> wasmtime_dyn::Result<()> {
    /// let (doubled,) = f.call_async(&mut store, (21,)).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Func::call_async`].
    pub async fn call_async(
        &self,
        mut store: impl AsContextMut<Data: Send>,
        params: Params,
    ) -> Result<Results> {
        let Val::Tuple(args) = params.to_val() else {
            unreachable!("a parameter list is a tuple")
        };
        let mut results = vec![Val::Bool(false); self.results];
        self.func()
            .call_async(&mut store, &args, &mut results)
            .await?;
        Results::from_val(Val::Tuple(results))
    }
}

impl<T: 'static> Linker<T> {
    /// Instantiates `component` as a future, as the `wasmtime` crate's
    /// `Linker::instantiate_async`: needed for a linker with async host
    /// functions ([`LinkerInstance::func_new_async`](super::LinkerInstance::func_new_async)).
    ///
    /// ```no_run
    /// # async fn run(linker: wasmtime_dyn::component::Linker<()>, component: wasmtime_dyn::component::Component, mut store: wasmtime_dyn::Store<()>) -> wasmtime_dyn::Result<()> {
    /// let instance = linker.instantiate_async(&mut store, &component).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Linker::instantiate`];
    /// [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported)`(ComponentModelAsync)` for a library
    /// without the C API's `component-model-async` feature.
    pub async fn instantiate_async(
        &self,
        mut store: impl AsContextMut<Data = T>,
        component: &Component,
    ) -> Result<Instance>
    where
        T: Send,
    {
        let (table, core_async) = {
            let cx = store.as_context_mut();
            (model_async(cx.wasmtime())?, async_table(cx.wasmtime())?)
        };
        self.prepare_instantiation(&mut store.as_context_mut(), component)?;
        let mut out = std::mem::MaybeUninit::<wasmtime_component_instance_t>::uninit();
        let mut error: SendPtr<wasmtime_error_t> = SendPtr(std::ptr::null_mut());
        let call = {
            let cx = store.as_context_mut();
            // SAFETY: linker, store and component are live and of one
            // engine (checked); the linker and component are borrowed for
            // the whole future, the out-slots are this future's pinned
            // state, live until the call future is dropped.
            unsafe {
                let ptr = (table.wasmtime_component_linker_instantiate_async)(
                    self.ptr,
                    cx.context(),
                    component.ptr,
                    out.as_mut_ptr(),
                    &mut error.0,
                );
                CallFuture::new(core_async, ptr)
            }
        };
        let driven = drive(call).await;
        if let Err(failure) = driven {
            if !error.0.is_null() {
                // SAFETY: a fresh, owned error, freed once.
                drop(unsafe {
                    crate::error::take(store.as_context_mut().wasmtime().core(), error.0)
                });
            }
            return Err(resume(failure));
        }
        let mut cx = store.as_context_mut();
        if !error.0.is_null() {
            // SAFETY: a fresh, owned error of this store's library.
            let err = unsafe { crate::func::call_failed(&mut cx, error.0, std::ptr::null_mut()) };
            return Err(with_trap(err));
        }
        Ok(Instance {
            // SAFETY: written since the instantiation succeeded.
            raw: unsafe { out.assume_init() },
            store: cx.id(),
        })
    }
}
