//! `LinkerInstance::func_new_async` and `func_wrap_async`: component host
//! functions whose body is a Rust future, through
//! `wasmtime_component_linker_instance_add_func_async`.
//!
//! The C API calls the callback once with the store, arguments and result
//! slots, then polls the continuation it filled in until it returns true,
//! and only then reads the result slots (c-api 45 to 50
//! `src/component/linker.rs`). The slots are a vector the C API's future
//! owns, and the store outlives the call, so the host's future may keep
//! its [`StoreContextMut`] across awaits as with the `wasmtime` crate:
//! while it is pending the guest is suspended and nothing else uses the
//! store. The continuation has no error channel: a failure after the
//! first call goes to the caller through
//! [`HOST_FAILURE`](super::async_call::HOST_FAILURE).

use super::async_call::{model_async, HOST_FAILURE};
use super::linker::{finish_host_call, LinkerInstance};
use super::resource::{check_resources, retire_moved};
use super::types::{ComponentFunc, Type};
use super::val::{Val, ValFns};
use crate::async_support::{host_pending, with_task_waker};
use crate::error::Result;
use crate::func::HostError;
use crate::loader::Wasmtime;
use crate::store::{StoreContextMut, StoreInner};
use crate::sys::tables::ComponentModel;
use crate::sys::types::*;
use std::ffi::c_void;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};

/// An async host function, as `func_new_async` takes it.
type AsyncHostFunc<T> = dyn for<'a> Fn(
        StoreContextMut<'a, T>,
        ComponentFunc,
        &'a [Val],
        &'a mut [Val],
    ) -> Box<dyn Future<Output = Result<()>> + Send + 'a>
    + Send
    + Sync;

/// A host future, its lifetime erased: dropped before what it borrows
/// (see [`Pending`]).
type HostFuture = Pin<Box<dyn Future<Output = Result<()>> + Send + 'static>>;

struct AsyncHostState<T> {
    wasmtime: &'static Wasmtime,
    model: &'static ComponentModel,
    func: Box<AsyncHostFunc<T>>,
}

/// One call's continuation environment, freed by `finalize_pending` when
/// the C API drops the continuation (done, or the call cancelled).
struct Pending<T> {
    _store: std::marker::PhantomData<fn(T) -> T>,
    /// Declared first: dropped before the values it borrows.
    future: Option<HostFuture>,
    params: Vec<Val>,
    outs: Vec<Val>,
    result_types: Vec<Type>,
    fns: ValFns,
    results: *mut wasmtime_component_val_t,
    failed: bool,
}

impl<T: 'static> LinkerInstance<'_, T> {
    /// Defines `name` as an async host function taking and returning
    /// [`Val`]s, as the `wasmtime` crate's `LinkerInstance::func_new_async`:
    /// the future may keep the store across awaits; instantiate with
    /// [`Linker::instantiate_async`](super::Linker::instantiate_async) and
    /// call with [`Func::call_async`](super::Func::call_async) (a sync call
    /// reaching it is an error).
    ///
    /// ```no_run
    /// use wasmtime_dyn::component::Val;
    /// # let mut linker: wasmtime_dyn::component::Linker<u32> = unimplemented!();
    /// linker.root().func_new_async("tick", |mut store, _ty, _params, results| {
    ///     Box::new(async move {
    ///         *store.data_mut() += 1;
    ///         results[0] = Val::U32(*store.data());
    ///         Ok(())
    ///     })
    /// })?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// An error of the future is the caller's error, as the same value; a
    /// panic in it resumes in the caller.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported)`(ComponentModelAsync)` for a library
    /// without the C API's `component-model-async` feature; Wasmtime's
    /// error for a name defined already.
    pub fn func_new_async<F>(&mut self, name: &str, func: F) -> Result<()>
    where
        F: for<'a> Fn(
                StoreContextMut<'a, T>,
                ComponentFunc,
                &'a [Val],
                &'a mut [Val],
            ) -> Box<dyn Future<Output = Result<()>> + Send + 'a>
            + Send
            + Sync
            + 'static,
    {
        let model = self.model()?;
        let table = model_async(self.wasmtime)?;
        let state = Box::into_raw(Box::new(AsyncHostState::<T> {
            wasmtime: self.wasmtime,
            model,
            func: Box::new(func),
        }));
        // SAFETY: a live linker instance; `name` readable (UTF-8: a `str`);
        // the environment is owned by the definition from here on and freed
        // by `finalize_state` (also when the definition fails).
        let error = unsafe {
            (table.wasmtime_component_linker_instance_add_func_async)(
                self.ptr,
                name.as_ptr().cast(),
                name.len(),
                Some(async_trampoline::<T>),
                state.cast(),
                Some(finalize_state::<T>),
            )
        };
        // SAFETY: the error, if any, is fresh and owned.
        let result = unsafe { crate::error::check(self.wasmtime.core(), error) }
            .map_err(|e| e.context(format!("defining `{name}`")));
        crate::panics::resume_finalizer_panic();
        result
    }

    /// Defines `name` as a typed async host function, as the `wasmtime`
    /// crate's `LinkerInstance::func_wrap_async`.
    ///
    /// ```no_run
    /// # let mut linker: wasmtime_dyn::component::Linker<()> = unimplemented!();
    /// linker.root().func_wrap_async("double", |_store, (x,): (u32,)| {
    ///     Box::new(async move { Ok((x * 2,)) })
    /// })?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`LinkerInstance::func_new_async`]; a call whose import type
    /// differs from `Params -> Return` fails with a type error.
    pub fn func_wrap_async<Params, Return, F>(&mut self, name: &str, func: F) -> Result<()>
    where
        F: Fn(
                StoreContextMut<'_, T>,
                Params,
            ) -> Box<dyn Future<Output = Result<Return>> + Send + '_>
            + Send
            + Sync
            + 'static,
        Params: super::ComponentNamedList + super::Lift + 'static,
        Return: super::ComponentNamedList + super::Lower + 'static,
    {
        use super::types::Tuple;
        self.func_new_async(name, move |store, ty, params, results| {
            let started = (|| {
                Params::typecheck(&Type::Tuple(Tuple::new(
                    ty.params().map(|(_, t)| t).collect(),
                )))
                .map_err(|e| {
                    e.context("the import's parameters do not match the host function's")
                })?;
                Return::typecheck(&Type::Tuple(Tuple::new(ty.results().collect()))).map_err(
                    |e| e.context("the import's results do not match the host function's"),
                )?;
                Params::from_val(Val::Tuple(params.to_vec()))
            })()
            .map(|params| Pin::from(func(store, params)));
            Box::new(async move {
                let ret = started?.await?;
                let Val::Tuple(out) = ret.to_val() else {
                    unreachable!("a result list is a tuple")
                };
                for (slot, v) in results.iter_mut().zip(out) {
                    *slot = v;
                }
                Ok(())
            })
        })
    }
}

unsafe extern "C" fn finalize_state<T>(env: *mut c_void) {
    // SAFETY: `env` is the `AsyncHostState<T>` boxed by `func_new_async`;
    // the library finalizes it once.
    let state = unsafe { Box::from_raw(env.cast::<AsyncHostState<T>>()) };
    crate::panics::in_finalizer(move || drop(state));
}

unsafe extern "C" fn finalize_pending<T>(env: *mut c_void) {
    // SAFETY: `env` is the `Pending<T>` leaked by `async_trampoline`; the C
    // API drops the continuation, and so finalizes it, once.
    let pending = unsafe { Box::from_raw(env.cast::<Pending<T>>()) };
    crate::panics::in_finalizer(move || drop(pending));
}

/// The continuation of a call that failed in its first part (the error
/// slot is set, so the C API never polls it).
extern "C" fn done(_: *mut c_void) -> bool {
    true
}

/// The C callback: fills in the continuation first (the C API panics, an
/// abort across its `extern "C"`, on one left unset), then makes the
/// host's future; a failure to goes to the error slot.
unsafe extern "C" fn async_trampoline<T: 'static>(
    env: *mut c_void,
    ctx: *mut wasmtime_context_t,
    ty: *const wasmtime_component_func_type_t,
    args: *mut wasmtime_component_val_t,
    nargs: usize,
    results: *mut wasmtime_component_val_t,
    nresults: usize,
    error_ret: *mut *mut wasmtime_error_t,
    continuation_ret: *mut wasmtime_async_continuation_t,
) {
    // SAFETY: the C API passes a writable continuation.
    unsafe {
        continuation_ret.write(wasmtime_async_continuation_t {
            callback: Some(done),
            env: std::ptr::null_mut(),
            finalizer: None,
        })
    };
    // SAFETY: `env` is the definition's state, live while it is.
    let state = unsafe { &*env.cast::<AsyncHostState<T>>() };
    let core = state.wasmtime.core();
    // SAFETY: the store's data pointer is its `StoreInner<T>`.
    let inner = unsafe { (core.wasmtime_context_get_data)(ctx) }.cast::<StoreInner<T>>();
    let fns = ValFns {
        core,
        model: state.model,
        // SAFETY: the store is live during the host call.
        store: unsafe { (*inner).id },
    };
    let outcome = catch_unwind(AssertUnwindSafe(|| -> Result<Box<Pending<T>>> {
        // SAFETY: the contract: a live type and `nargs` live arguments.
        let (ty, params) = unsafe {
            let ty = ComponentFunc::from_c(state.model, ty);
            let params = (0..nargs)
                .map(|i| fns.lift(&*args.add(i)))
                .collect::<Result<Vec<_>>>()?;
            (ty, params)
        };
        let mut pending = Box::new(Pending {
            _store: std::marker::PhantomData,
            future: None,
            params,
            outs: vec![Val::Bool(false); nresults],
            result_types: ty.results().collect(),
            fns,
            results,
            failed: false,
        });
        // SAFETY: the vectors' buffers do not move while `pending` lives
        // (they are never resized), and the future, which borrows them, is
        // dropped first (field order, and explicitly when done). The store
        // outlives the call; while the future runs the guest is suspended
        // awaiting it, so the store is exclusively the future's, as with
        // the crate's `func_new_async`.
        let future = unsafe {
            let params: &'static [Val] = &*(pending.params.as_slice() as *const [Val]);
            let outs: &'static mut [Val] = &mut *(pending.outs.as_mut_slice() as *mut [Val]);
            let cx = StoreContextMut::<'static, T>::from_inner(inner);
            (state.func)(cx, ty, params, outs)
        };
        pending.future = Some(Box::into_pin(future));
        Ok(pending)
    }));
    let outcome = match outcome {
        Ok(Ok(pending)) => {
            // SAFETY: as above; the C API owns the continuation from here
            // and finalizes its environment once.
            unsafe {
                continuation_ret.write(wasmtime_async_continuation_t {
                    callback: Some(poll_pending::<T>),
                    env: Box::into_raw(pending).cast(),
                    finalizer: Some(finalize_pending::<T>),
                })
            };
            return;
        }
        Ok(Err(err)) => Ok(Some(HostError::new(err))),
        Err(payload) => Err(payload),
    };
    // SAFETY: the store is the host call's; the error slot is writable and
    // read by the C API before the continuation.
    unsafe { *error_ret = finish_host_call(core, inner, outcome) };
}

/// The continuation: polls the host's future with the task's waker; when
/// it is done, writes its results. A failure is put on
/// [`HOST_FAILURE`] and the continuation stays pending (the caller then
/// cancels the call).
unsafe extern "C" fn poll_pending<T: 'static>(env: *mut c_void) -> bool {
    // SAFETY: `env` is the call's `Pending<T>`, live until finalized; the
    // C API polls it from one thread at a time.
    let pending = unsafe { &mut *env.cast::<Pending<T>>() };
    if pending.failed {
        return false;
    }
    let outcome = catch_unwind(AssertUnwindSafe(|| -> Option<Result<()>> {
        let future = pending.future.as_mut()?;
        let polled = with_task_waker(|waker| future.as_mut().poll(&mut Context::from_waker(waker)));
        match polled {
            Poll::Pending => {
                host_pending();
                None
            }
            Poll::Ready(result) => {
                pending.future = None;
                Some(result.and_then(|()| {
                    // SAFETY: the result slots are the C API's, live until
                    // the continuation is done.
                    unsafe { write_results(pending) }
                }))
            }
        }
    }));
    let failure = match outcome {
        Ok(None) => return false,
        Ok(Some(Ok(()))) => return true,
        Ok(Some(Err(err))) => Ok(err),
        Err(payload) => Err(payload),
    };
    pending.failed = true;
    HOST_FAILURE.with(|f| f.set(Some(failure)));
    false
}

/// Lowers the finished future's results into the C API's slots.
///
/// # Safety
///
/// `pending.results` has `pending.outs.len()` live slots.
unsafe fn write_results<T>(pending: &mut Pending<T>) -> Result<()> {
    let fns = pending.fns;
    let moves = check_resources(&pending.outs, fns.store)?;
    for (i, v) in pending.outs.iter().enumerate() {
        // SAFETY: the contract; a slot's old value is freed after it is
        // replaced.
        unsafe {
            let slot = pending.results.add(i);
            let mut old = slot.read();
            fns.lower(v, slot);
            fns.delete(&mut old);
        }
    }
    if moves {
        retire_moved(&pending.outs, &pending.result_types);
    }
    Ok(())
}
