//! `Linker::func_wrap_async`, `func_new_async` (host functions whose body
//! is a Rust future, through `wasmtime_linker_define_async_func`) and
//! `Linker::instantiate_async`.
//!
//! The C API calls an async host function's callback once, and then polls
//! the continuation it filled in (`wasmtime_async_continuation_t`) until
//! it returns true; a continuation that returns false suspends the wasm
//! call, whose future (`wasmtime_call_future_poll`) then returns not done.
//! Here the callback makes the host's future and the continuation polls it
//! with the task's waker (`crate::async_support`). The callback's caller
//! and out-pointers (results, trap) live in the C API's async frame until
//! the continuation is done or dropped, so the future may keep its
//! [`Caller`] across awaits, as with the `wasmtime` crate.

use super::Linker;
use crate::async_support::{async_table, host_pending, with_task_waker, CallFuture, Slots};
use crate::error::{Error, ErrorKind, Result};
use crate::func::{store_of, take_args, write_results, HostError, WasmRet};
use crate::instance::Instance;
use crate::loader::Wasmtime;
use crate::module::Module;
use crate::store::{AsContextMut, Caller, StoreContextMut, StoreInner};
use crate::sys::types::*;
use crate::typed::WasmTyList;
use crate::types::{FuncType, ValType};
use crate::val::Val;
use std::any::Any;
use std::ffi::c_void;
use std::future::Future;
use std::marker::PhantomData;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};

/// A host function's future, its lifetime erased: it is dropped before the
/// call frame whose caller it borrows (see [`Pending`]).
type HostFuture<O> = Pin<Box<dyn Future<Output = O> + Send + 'static>>;

/// The untyped call's arguments and results, borrowed by its future.
type Vals = (Vec<Val>, Vec<Val>);

/// Writes a finished future's output as the call's results (dropping the
/// future first is the continuation's job).
type Finish<T, O> = fn(&mut StoreContextMut<'_, T>, O, Option<Vals>, CArray) -> Result<()>;

/// Makes the host's future for one call, from its caller and arguments;
/// the untyped kind puts the values its future borrows in the slot.
type Start<T, O> =
    dyn Fn(Caller<'static, T>, CArray, &mut Option<Vals>) -> Result<HostFuture<O>> + Send + Sync;

/// An array of C values the C API lends (arguments) or gives room in
/// (results) for one host call, in its library's layout.
#[derive(Clone, Copy)]
struct CArray {
    ptr: *mut wasmtime_val_t,
    len: usize,
}

impl CArray {
    /// Every value, as owned [`Val`]s.
    ///
    /// # Safety
    ///
    /// The array holds `len` live values of `cx`'s store.
    unsafe fn vals<T>(self, cx: &mut StoreContextMut<'_, T>) -> Result<Vec<Val>> {
        // SAFETY: the caller's contract.
        unsafe { take_args(cx, self.ptr, self.len) }
    }

    /// Reads `P`, all numbers, without [`Val`] vectors.
    ///
    /// # Safety
    ///
    /// The array holds `P::LEN` values of the types `P::TYPES`, all numbers.
    unsafe fn numbers<T, P: WasmTyList>(self, cx: &mut StoreContextMut<'_, T>) -> Result<P> {
        if self.len != P::LEN {
            return Err(count_mismatch("arguments", self.len, P::LEN));
        }
        let abi = cx.wasmtime().val_abi();
        let mut raw = std::mem::MaybeUninit::<P::Array>::uninit();
        let raw = raw.as_mut_ptr().cast::<wasmtime_val_raw_t>();
        for i in 0..P::LEN {
            // SAFETY: element `i` is a number (contract), at the library's
            // stride, copied into a zeroed wide value whose prefix is the
            // library's layout; a number owns nothing; `raw` has room for
            // `P::LEN` values.
            unsafe {
                let mut copy: wasmtime_val_t = std::mem::zeroed();
                std::ptr::copy_nonoverlapping(
                    crate::val::nth_val(abi, self.ptr, i).cast::<u8>(),
                    (&mut copy as *mut wasmtime_val_t).cast::<u8>(),
                    abi.val_size(),
                );
                let number = Val::from_c(cx, &copy)?.number_to_raw();
                raw.add(i).write(number.ok_or_else(not_a_number)?);
            }
        }
        // SAFETY: `raw` holds `P::LEN` values of the types `P::TYPES`.
        Ok(unsafe { P::load(raw) })
    }

    /// Writes `results`, all numbers, without [`Val`] vectors.
    ///
    /// # Safety
    ///
    /// The array is the C API's room for `len` results of a call of `cx`'s
    /// store, each holding a number (nothing to release).
    unsafe fn write_numbers<T, R: WasmTyList>(
        self,
        cx: &mut StoreContextMut<'_, T>,
        results: R,
    ) -> Result<()> {
        if self.len != R::LEN {
            return Err(count_mismatch("results", R::LEN, self.len));
        }
        let abi = cx.wasmtime().val_abi();
        let mut raw = std::mem::MaybeUninit::<R::Array>::uninit();
        let raw = raw.as_mut_ptr().cast::<wasmtime_val_raw_t>();
        // SAFETY: `raw` has room for `R::LEN` values.
        unsafe { results.store(raw) };
        for (i, ty) in R::TYPES.iter().enumerate() {
            // SAFETY: `raw` holds a value of type `ty`, a number; the slot
            // at the library's stride is within the array and holds a
            // number (contract); the library's layout is a prefix of the
            // wide value `to_c` builds.
            unsafe {
                let val = Val::number_from_raw(&*raw.add(i), ty).ok_or_else(not_a_number)?;
                let c = val.to_c(cx)?;
                std::ptr::copy_nonoverlapping(
                    (&c as *const wasmtime_val_t).cast::<u8>(),
                    crate::val::nth_val(abi, self.ptr, i).cast::<u8>(),
                    abi.val_size(),
                );
            }
        }
        Ok(())
    }
}

#[cold]
fn not_a_number() -> Error {
    ErrorKind::TypeMismatch(
        "a value that is not a number where the async host function's type has one".into(),
    )
    .into()
}

#[cold]
fn count_mismatch(what: &str, got: usize, want: usize) -> Error {
    ErrorKind::TypeMismatch(format!(
        "the C API passed {got} {what} to an async host function of {want}"
    ))
    .into()
}

/// An async host function's environment (freed by `finalize_host`).
struct AsyncHost<T: 'static, O> {
    wasmtime: &'static Wasmtime,
    start: Box<Start<T, O>>,
    finish: Finish<T, O>,
}

/// One call's continuation environment (freed by `finalize_pending`, when
/// the C API drops the continuation: done, or the call future deleted).
struct Pending<T, O> {
    /// Declared first: dropped before the values it borrows.
    future: Option<HostFuture<O>>,
    vals: Option<Vals>,
    /// Why the call failed before it had a future: an error or a panic.
    failed: Option<std::result::Result<Error, Box<dyn Any + Send>>>,
    finish: Finish<T, O>,
    wasmtime: &'static Wasmtime,
    inner: *mut StoreInner<T>,
    trap_ret: *mut *mut wasm_trap_t,
    results: CArray,
}

unsafe extern "C" fn finalize_host<T: 'static, O>(env: *mut c_void) {
    // SAFETY: `env` is the `Box<AsyncHost>` leaked when the function was
    // defined; Wasmtime finalizes it once.
    let host = unsafe { Box::from_raw(env.cast::<AsyncHost<T, O>>()) };
    crate::panics::in_finalizer(move || drop(host));
}

unsafe extern "C" fn finalize_pending<T, O>(env: *mut c_void) {
    // SAFETY: `env` is the `Box<Pending>` leaked by `callback`; the C API
    // drops the continuation, and so finalizes it, once.
    let pending = unsafe { Box::from_raw(env.cast::<Pending<T, O>>()) };
    crate::panics::in_finalizer(move || drop(pending));
}

/// The C callback of an async host function: fills in the continuation
/// first (the C API aborts the process on a continuation left unset), then
/// makes the host's future; a failure to is raised by the continuation.
unsafe extern "C" fn callback<T: 'static, O: 'static>(
    env: *mut c_void,
    caller: *mut wasmtime_caller_t,
    args: *const wasmtime_val_t,
    nargs: usize,
    results: *mut wasmtime_val_t,
    nresults: usize,
    trap_ret: *mut *mut wasm_trap_t,
    continuation_ret: *mut wasmtime_async_continuation_t,
) {
    // SAFETY: `env` is this function's live `AsyncHost`.
    let host = unsafe { &*env.cast::<AsyncHost<T, O>>() };
    let core = host.wasmtime.core();
    // SAFETY: a live caller of a store of data type `T` (host functions
    // only run in stores of their linker's data type).
    let inner = unsafe { store_of::<T>(core, caller) };
    let pending = Box::into_raw(Box::new(Pending::<T, O> {
        future: None,
        vals: None,
        failed: None,
        finish: host.finish,
        wasmtime: host.wasmtime,
        inner,
        trap_ret,
        results: CArray {
            ptr: results,
            len: nresults,
        },
    }));
    // SAFETY: the C API passes a writable continuation; from here on the
    // C API owns `pending` (finalized when it drops the continuation).
    unsafe {
        continuation_ret.write(wasmtime_async_continuation_t {
            callback: Some(resume::<T, O>),
            env: pending.cast(),
            finalizer: Some(finalize_pending::<T, O>),
        })
    };
    // SAFETY: just allocated, not used by the C API before this returns.
    let pending = unsafe { &mut *pending };
    let started = catch_unwind(AssertUnwindSafe(|| {
        let args = CArray {
            ptr: args.cast_mut(),
            len: nargs,
        };
        let caller = Caller {
            caller,
            inner,
            _borrow: PhantomData,
        };
        (host.start)(caller, args, &mut pending.vals)
    }));
    match started {
        Ok(Ok(future)) => pending.future = Some(future),
        Ok(Err(error)) => pending.failed = Some(Ok(error)),
        Err(payload) => pending.failed = Some(Err(payload)),
    }
}

/// The continuation: polls the host's future with the task's waker; true
/// when the call is done (with its results written, or its trap set).
unsafe extern "C" fn resume<T: 'static, O: 'static>(env: *mut c_void) -> bool {
    // SAFETY: `env` is the live `Pending` of this call, used by nothing
    // else while the C API polls it.
    let pending = unsafe { &mut *env.cast::<Pending<T, O>>() };
    let outcome = catch_unwind(AssertUnwindSafe(|| -> Option<Result<()>> {
        if let Some(failed) = pending.failed.take() {
            return Some(Err(match failed {
                Ok(error) => error,
                Err(payload) => std::panic::resume_unwind(payload),
            }));
        }
        let future = pending.future.as_mut()?;
        let output =
            match with_task_waker(|waker| future.as_mut().poll(&mut Context::from_waker(waker))) {
                Poll::Pending => return None,
                Poll::Ready(output) => output,
            };
        // The future goes before the values it borrowed.
        pending.future = None;
        // SAFETY: the store is live for the host call, with exclusive
        // access while the continuation runs.
        let mut cx = unsafe { StoreContextMut::from_inner(pending.inner) };
        // `results` is the C API's room for the results, live until the
        // continuation is done.
        Some((pending.finish)(
            &mut cx,
            output,
            pending.vals.take(),
            pending.results,
        ))
    }));
    let error = match outcome {
        Ok(None) => {
            host_pending();
            return false;
        }
        Ok(Some(Ok(()))) => return true,
        Ok(Some(Err(error))) => catch_unwind(AssertUnwindSafe(|| HostError::new(error))),
        Err(payload) => Err(payload),
    };
    let message = match error {
        Ok(host) => {
            let message = host.message().to_string();
            // SAFETY: exclusive access to the store during the host call.
            unsafe { (*pending.inner).host_error = Some(host) };
            message
        }
        Err(payload) => {
            // The future (and what it borrowed) is dropped later, with the
            // continuation; its panic resumes in the caller of the call.
            // SAFETY: as above.
            unsafe { (*pending.inner).panic = Some(payload) };
            "a host function panicked (the panic resumes in the caller)".to_string()
        }
    };
    let core = pending.wasmtime.core();
    // SAFETY: `trap_ret` is the C API's slot, live until the continuation
    // is done and read after; the message is readable.
    unsafe { *pending.trap_ret = (core.wasmtime_trap_new)(message.as_ptr().cast(), message.len()) };
    true
}

impl<T: 'static> Linker<T> {
    /// Defines `module`.`name` as an async host function from a closure
    /// with typed parameters, as the `wasmtime` crate's `func_wrap_async`:
    /// it gets the [`Caller`] and the parameters as a tuple and returns a
    /// boxed future of the results (`()`, a value, a tuple, or a `Result`
    /// of these), which may keep the caller across awaits. Wasm reaching it
    /// must be called with [`Func::call_async`](crate::Func::call_async)
    /// (a sync call is an error).
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use wasmtime_dyn::{Caller, Linker};
    /// # let mut linker: Linker<u32> = unimplemented!();
    /// linker.func_wrap_async("host", "nap", |mut caller: Caller<'_, u32>, (ms,): (u32,)| {
    ///     Box::new(async move {
    ///         // e.g. tokio::time::sleep(Duration::from_millis(ms.into())).await;
    ///         *caller.data_mut() += ms;
    ///         Ok(*caller.data())
    ///     })
    /// })?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// A `Pending` future suspends the wasm and the call's future returns
    /// `Pending` until the host future wakes its task; an `Err` is the
    /// call's error, as the same value; a panic resumes in the caller of
    /// the call.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unsupported`]`(Async)` for a library without async;
    /// Wasmtime's error for a name already defined.
    pub fn func_wrap_async<F, Params: WasmTyList, Args: WasmRet>(
        &mut self,
        module: &str,
        name: &str,
        func: F,
    ) -> Result<&mut Self>
    where
        F: for<'a> Fn(Caller<'a, T>, Params) -> Box<dyn Future<Output = Args> + Send + 'a>
            + Send
            + Sync
            + 'static,
        T: Send,
    {
        let ty = FuncType::new(
            Params::TYPES.iter().cloned(),
            Args::Results::TYPES.iter().cloned(),
        );
        let start = move |caller: Caller<'static, T>, args: CArray, _: &mut Option<Vals>| {
            let mut cx = caller_cx(&caller);
            // SAFETY: the C API lends the call's arguments, of the
            // function's type `Params::TYPES`, for the callback.
            let params = unsafe {
                if Params::NUMBERS {
                    args.numbers::<T, Params>(&mut cx)?
                } else {
                    let vals = args.vals(&mut cx)?;
                    Params::from_vals(&mut cx, vals)?
                }
            };
            Ok(HostFuture::from(func(caller, params)))
        };
        fn finish<T, Args: WasmRet>(
            cx: &mut StoreContextMut<'_, T>,
            out: Args,
            _: Option<Vals>,
            results: CArray,
        ) -> Result<()> {
            let out = out.into_result()?;
            // SAFETY: the C API's room for the results (numbers until
            // written).
            unsafe {
                if Args::Results::NUMBERS {
                    results.write_numbers(cx, out)
                } else {
                    let vals = out.into_vals(cx)?;
                    write_results(cx, &vals, results.ptr, results.len)
                }
            }
        }
        self.define_async(module, name, &ty, Box::new(start), finish::<T, Args>)
    }

    /// Defines `module`.`name` as an untyped async host function of type
    /// `ty`, as the `wasmtime` crate's `func_new_async`: the closure gets
    /// the [`Caller`], the arguments and the results to fill in, and
    /// returns a boxed future that may borrow all three across awaits.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{FuncType, Linker, Val, ValType};
    /// # let mut linker: Linker<()> = unimplemented!();
    /// let ty = FuncType::new([ValType::I32], [ValType::I32]);
    /// linker.func_new_async("host", "double", ty, |_caller, params, results| {
    ///     Box::new(async move {
    ///         results[0] = Val::I32(params[0].unwrap_i32() * 2);
    ///         Ok(())
    ///     })
    /// })?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Linker::func_wrap_async`]; results of the wrong type fail the
    /// call (Wasmtime checks them).
    pub fn func_new_async<F>(
        &mut self,
        module: &str,
        name: &str,
        ty: FuncType,
        func: F,
    ) -> Result<&mut Self>
    where
        F: for<'a> Fn(
                Caller<'a, T>,
                &'a [Val],
                &'a mut [Val],
            ) -> Box<dyn Future<Output = Result<()>> + Send + 'a>
            + Send
            + Sync
            + 'static,
        T: Send,
    {
        let results: Vec<ValType> = ty.result_types().to_vec();
        let start = move |caller: Caller<'static, T>, args: CArray, slot: &mut Option<Vals>| {
            // SAFETY: the C API lends the call's arguments for the callback.
            let args = unsafe { args.vals(&mut caller_cx(&caller)) }?;
            let outs = results.iter().map(Val::default_for).collect();
            let (args, outs) = slot.insert((args, outs));
            // SAFETY: the vectors live in the call's `Pending`, which drops
            // the future before them and never touches them while the
            // future lives; their buffers do not move.
            let (args, outs): (&'static [Val], &'static mut [Val]) = unsafe {
                (
                    std::slice::from_raw_parts(args.as_ptr(), args.len()),
                    std::slice::from_raw_parts_mut(outs.as_mut_ptr(), outs.len()),
                )
            };
            Ok(HostFuture::from(func(caller, args, outs)))
        };
        fn finish<T>(
            cx: &mut StoreContextMut<'_, T>,
            out: Result<()>,
            vals: Option<Vals>,
            results: CArray,
        ) -> Result<()> {
            out?;
            let outs = vals.map(|(_, outs)| outs).unwrap_or_default();
            // SAFETY: the C API's room for the results.
            unsafe { write_results(cx, &outs, results.ptr, results.len) }
        }
        self.define_async(module, name, &ty, Box::new(start), finish::<T>)
    }

    fn define_async<O: 'static>(
        &mut self,
        module: &str,
        name: &str,
        ty: &FuncType,
        start: Box<Start<T, O>>,
        finish: Finish<T, O>,
    ) -> Result<&mut Self> {
        let wasmtime = self.engine.wasmtime();
        let table = async_table(wasmtime)?;
        let engine = self.engine.clone();
        let c_ty = ty.to_c(&engine)?;
        let env = Box::into_raw(Box::new(AsyncHost {
            wasmtime,
            start,
            finish,
        }));
        // SAFETY: linker and type are live and of one engine; `env` is owned
        // by the definition and freed by the finalizer (Wasmtime frees it
        // also when the definition fails).
        let error = unsafe {
            (table.wasmtime_linker_define_async_func)(
                self.ptr,
                module.as_ptr().cast(),
                module.len(),
                name.as_ptr().cast(),
                name.len(),
                c_ty.ptr,
                Some(callback::<T, O>),
                env.cast(),
                Some(finalize_host::<T, O>),
            )
        };
        crate::panics::resume_finalizer_panic();
        // SAFETY: the error, if any, is fresh and owned.
        unsafe { crate::error::check(wasmtime.core(), error) }
            .map_err(super::name_error(super::item_name(module, name)))?;
        self.has_async = true;
        Ok(self)
    }

    /// Makes `cx`'s calls async-only when a function taken from here may
    /// be an async host function (Wasmtime requires it then).
    pub(super) fn mark_async(&self, cx: &StoreContextMut<'_, T>) {
        if self.has_async {
            cx.require_async();
        }
    }

    /// Instantiates `module` in `store` as a future, as the `wasmtime`
    /// crate's `Linker::instantiate_async`: needed when the start function
    /// reaches an async host function or the store yields.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Linker, Module, Store};
    /// # async fn run(linker: Linker<()>, mut store: Store<()>, module: Module) -> wasmtime_dyn::Result<()> {
    /// let instance = linker.instantiate_async(&mut store, &module).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Linker::instantiate`]; [`ErrorKind::Unsupported`]`(Async)` for
    /// a library without async.
    pub async fn instantiate_async(
        &self,
        store: impl AsContextMut<Data = T>,
        module: &Module,
    ) -> Result<Instance>
    where
        T: Send,
    {
        self.instantiate_async_any(store, module).await
    }

    /// [`Linker::instantiate_async`] for any data type (`Instance::new_async`,
    /// whose future is `Send` only where its store is).
    pub(crate) async fn instantiate_async_any(
        &self,
        mut store: impl AsContextMut<Data = T>,
        module: &Module,
    ) -> Result<Instance> {
        let table = async_table(self.engine.wasmtime())?;
        {
            let mut cx = store.as_context_mut();
            self.prepare_instantiation(&mut cx, module)?;
            // Wasmtime's async instantiation makes the store async-only.
            cx.require_async();
        }
        let mut raw = RawInstance(std::mem::MaybeUninit::uninit());
        let mut slots = Slots::new();
        let mut call = {
            let cx = store.as_context_mut();
            // SAFETY: linker, context and module are live and of one
            // engine; store-bound definitions belong to this store
            // (checked); the out-slots stay where they are (this `async
            // fn`'s state is pinned) until the future is deleted.
            unsafe {
                let ptr = (table.wasmtime_linker_instantiate_async)(
                    self.ptr,
                    cx.context(),
                    module.ptr,
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
        unsafe { Instance::from_instantiation(&mut cx, slots.error, slots.trap, raw.0, module) }
    }
}

/// An instance slot the C API writes when instantiation succeeds.
pub(crate) struct RawInstance(pub(crate) std::mem::MaybeUninit<wasmtime_instance_t>);

// SAFETY: plain data (a store id and an index).
unsafe impl Send for RawInstance {}

/// A context for `caller`'s store.
fn caller_cx<'a, T>(caller: &Caller<'a, T>) -> StoreContextMut<'a, T> {
    // SAFETY: the store is live for the host call, which has exclusive
    // access to it; used before the caller is handed to the host.
    unsafe { StoreContextMut::from_inner(caller.inner) }
}
