//! Functions: calling wasm, and host functions wasm calls.

use crate::capability::Capability;
use crate::error::{Error, ErrorKind, Result};
use crate::gc::ThrownException;
use crate::loader::{ValAbi, Wasmtime};
use crate::store::{AsContext, AsContextMut, Caller, StoreContextMut, StoreInner};
use crate::sys::tables::Core;
use crate::sys::types::*;
use crate::trap::WasmBacktrace;
use crate::typed::{TypedFunc, WasmTyList};
use crate::types::FuncType;
use crate::val::Val;
use std::ffi::c_void;
use std::marker::PhantomData;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

/// A WebAssembly or host function of a store, with its type cached so calls
/// check arguments in Rust.
///
/// ```no_run
/// use wasmtime_dyn::{Func, Store, Val};
/// # let mut store: Store<()> = unimplemented!();
/// let double = Func::wrap(&mut store, |x: i32| x * 2);
/// let mut results = [Val::I32(0)];
/// double.call(&mut store, &[Val::I32(21)], &mut results)?;
/// assert_eq!(results[0].i32(), Some(42));
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
#[derive(Clone)]
pub struct Func {
    pub(crate) raw: wasmtime_func_t,
    /// The id of the store it belongs to.
    pub(crate) store: u64,
    pub(crate) wasmtime: &'static Wasmtime,
    ty: FuncTy,
    /// Whether its type takes the raw, unchecked call (see
    /// [`ValType::is_simple`](crate::ValType)).
    simple: bool,
}

/// A function's type: the Rust signature's (allocating nothing), or one
/// read from the library or given to a host function.
#[derive(Clone)]
enum FuncTy {
    Static(FuncType),
    Shared(Arc<FuncType>),
}

impl std::ops::Deref for FuncTy {
    type Target = FuncType;

    fn deref(&self) -> &FuncType {
        match self {
            FuncTy::Static(ty) => ty,
            FuncTy::Shared(ty) => ty,
        }
    }
}

// SAFETY: the raw handle is a store id and an index, usable only with its
// store, which every use checks.
unsafe impl Send for Func {}
// SAFETY: as above.
unsafe impl Sync for Func {}

impl std::fmt::Debug for Func {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Func({})", *self.ty)
    }
}

/// How many values an untyped call passes on the stack before it needs the
/// heap.
const STACK_SLOTS: usize = 16;

impl Func {
    /// Wraps a function of this store that the library just handed out.
    pub(crate) fn from_c<T>(cx: &mut StoreContextMut<'_, T>, raw: wasmtime_func_t) -> Result<Func> {
        let core = cx.wasmtime().core();
        // SAFETY: the function belongs to this live store; the returned type
        // is owned here and deleted after reading.
        let ty = unsafe {
            let c_ty = (core.wasmtime_func_type)(cx.context(), &raw);
            let ty = FuncType::from_c(cx.engine(), c_ty);
            (core.wasm_functype_delete)(c_ty);
            ty?
        };
        Ok(Func::with_type(cx, raw, ty))
    }

    fn with_type<T>(cx: &StoreContextMut<'_, T>, raw: wasmtime_func_t, ty: FuncType) -> Func {
        Func {
            raw,
            store: cx.id(),
            wasmtime: cx.wasmtime(),
            simple: ty.is_simple(),
            ty: FuncTy::Shared(Arc::new(ty)),
        }
    }

    /// Wraps a function of this store that the library just handed out
    /// and that is asked for as `P -> R`: its type is compared with the
    /// signature in the library, not read into a [`FuncType`] (the
    /// instantiate-and-call path's largest cost before).
    pub(crate) fn from_c_typed<T, P: WasmTyList, R: WasmTyList>(
        cx: &mut StoreContextMut<'_, T>,
        raw: wasmtime_func_t,
    ) -> Result<TypedFunc<P, R>> {
        let core = cx.wasmtime().core();
        // SAFETY: the function belongs to this live store; the returned type
        // is owned here and deleted after reading.
        let same = unsafe {
            let c_ty = (core.wasmtime_func_type)(cx.context(), &raw);
            let same = FuncType::c_is(core, c_ty, P::TYPES, R::TYPES);
            (core.wasm_functype_delete)(c_ty);
            same
        };
        if !same {
            // Read it in full, for the error naming both types (or the
            // error saying why this crate cannot represent it).
            return Func::from_c(cx, raw).and_then(|f| TypedFunc::new(&f));
        }
        Ok(TypedFunc::known(Func::known_typed::<T, P, R>(cx, raw)))
    }

    /// Wraps a function of this store whose type is known to be `P -> R`.
    pub(crate) fn known_typed<T, P: WasmTyList, R: WasmTyList>(
        cx: &StoreContextMut<'_, T>,
        raw: wasmtime_func_t,
    ) -> Func {
        let ty = FuncType::from_static(P::TYPES, R::TYPES);
        Func {
            raw,
            store: cx.id(),
            wasmtime: cx.wasmtime(),
            // Numbers only (known at compile time), or asked of the types.
            simple: (P::NUMBERS && R::NUMBERS) || ty.is_simple(),
            ty: FuncTy::Static(ty),
        }
    }

    /// The function's type, as the `wasmtime` crate's `Func::ty`.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Func, Store, ValType};
    /// # let mut store: Store<()> = unimplemented!();
    /// let f = Func::wrap(&mut store, |a: i32, b: i64| i64::from(a) + b);
    /// assert_eq!(f.ty(&store).params(), [ValType::I32, ValType::I64]);
    /// assert_eq!(f.ty(&store).results(), [ValType::I64]);
    /// ```
    ///
    /// # Panics
    ///
    /// If `store` is not the function's store (as the crate's).
    pub fn ty(&self, store: impl AsContext) -> FuncType {
        store.as_context().assert_owns(self.store, "the function");
        FuncType::clone(&self.ty)
    }

    /// The type, for this crate's own checks and messages.
    pub(crate) fn ty_ref(&self) -> &FuncType {
        &self.ty
    }

    /// Calls the function with `params`, writing `results` (whose length
    /// must be the number of results). Arguments are checked against the
    /// function's type in Rust, then passed to `wasmtime_func_call_unchecked`.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Instance, Store, Val};
    /// # let (mut store, instance): (Store<()>, Instance) = unimplemented!();
    /// let add = instance.get_func(&mut store, "add").expect("an export `add`");
    /// let mut results = [Val::I32(0)];
    /// add.call(&mut store, &[Val::I32(40), Val::I32(2)], &mut results)?;
    /// assert_eq!(results[0].i32(), Some(42));
    /// assert!(add.call(&mut store, &[Val::I64(1), Val::I64(2)], &mut results).is_err());
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::TypeMismatch`] for wrong argument types or counts;
    /// a [`Trap`](crate::Trap) when wasm traps; [`ErrorKind::WrongStore`].
    pub fn call(
        &self,
        mut store: impl AsContextMut,
        params: &[Val],
        results: &mut [Val],
    ) -> Result<()> {
        let mut cx = store.as_context_mut();
        cx.check(self.store, "the function")?;
        let ty = &*self.ty;
        if params.len() != ty.params().len() || results.len() != ty.results().len() {
            return Err(self.arity_mismatch(params.len(), results.len()));
        }
        if !self.simple {
            return self.call_checked(&mut cx, params, results);
        }
        let len = params.len().max(results.len());
        let mut stack = [std::mem::MaybeUninit::<wasmtime_val_raw_t>::uninit(); STACK_SLOTS];
        let mut heap = Vec::new();
        let slots: *mut wasmtime_val_raw_t = if len <= STACK_SLOTS {
            stack.as_mut_ptr().cast()
        } else {
            heap.reserve_exact(len);
            heap.as_mut_ptr()
        };
        // One pass: check each argument's type and write its raw form.
        for (i, (param, expected)) in params.iter().zip(ty.params()).enumerate() {
            if param.fits(expected) != Some(true) {
                return Err(self.argument_mismatch(i, param));
            }
            let raw = match param.number_to_raw() {
                Some(raw) => raw,
                None => param.to_raw(&mut cx)?,
            };
            // SAFETY: `slots` has room for `len` >= `params.len()` values.
            unsafe { slots.add(i).write(raw) };
        }
        let mut trap = std::ptr::null_mut();
        // SAFETY: the function belongs to this live store (checked); the
        // arguments match its type (checked); `slots` has room for
        // max(params, results) values, the first `params.len()` written.
        let error = unsafe {
            (self.wasmtime.core().wasmtime_func_call_unchecked)(
                cx.context(),
                &self.raw,
                slots,
                len,
                &mut trap,
            )
        };
        if !error.is_null() || !trap.is_null() {
            // SAFETY: fresh, owned error or trap of this store's library.
            return Err(unsafe { call_failed(&mut cx.as_context_mut(), error, trap) });
        }
        for (i, (result, t)) in results.iter_mut().zip(ty.results()).enumerate() {
            // SAFETY: on success the first `results.len()` slots hold
            // results of the declared types; each arm reads the member its
            // type names.
            unsafe {
                let slot = &*slots.add(i);
                *result = match Val::number_from_raw(slot, t) {
                    Some(number) => number,
                    None => Val::from_raw(&mut cx, slot, t)?,
                };
            }
        }
        Ok(())
    }

    /// A call through `wasmtime_func_call`, with `wasmtime_val_t` values
    /// Wasmtime checks against the function's type (the path of every
    /// type with references other than `funcref` and `externref`: their
    /// concrete and non-null types are checked by the library, which Rust
    /// cannot do for it).
    pub(crate) fn call_checked<T>(
        &self,
        cx: &mut StoreContextMut<'_, T>,
        params: &[Val],
        results: &mut [Val],
    ) -> Result<()> {
        cx.check(self.store, "the function")?;
        let ty = &*self.ty;
        if params.len() != ty.params().len() || results.len() != ty.results().len() {
            return Err(self.arity_mismatch(params.len(), results.len()));
        }
        // The `wasmtime_val_t` arrays have the GC layout's stride.
        if cx.wasmtime().val_abi() == ValAbi::NoGc {
            return Err(ErrorKind::Unsupported(Capability::Gc).into());
        }
        for (i, (param, expected)) in params.iter().zip(ty.params()).enumerate() {
            if param.fits(expected) == Some(false) {
                return Err(self.argument_mismatch(i, param));
            }
        }
        let args = params
            .iter()
            .map(|p| p.to_c(cx))
            .collect::<Result<Vec<_>>>()?;
        // SAFETY: all-zero is a valid `wasmtime_val_t` (an i32 0).
        let mut outs: Vec<wasmtime_val_t> = vec![unsafe { std::mem::zeroed() }; results.len()];
        let mut trap = std::ptr::null_mut();
        // SAFETY: the function and the arguments belong to this live store
        // (checked); the arguments are borrowed, in this library's layout
        // (GC, checked above); `outs` has room for the results, which are
        // written (owned by this side) on success.
        let error = unsafe {
            (self.wasmtime.core().wasmtime_func_call)(
                cx.context(),
                &self.raw,
                args.as_ptr(),
                args.len(),
                outs.as_mut_ptr(),
                outs.len(),
                &mut trap,
            )
        };
        if !error.is_null() || !trap.is_null() {
            // SAFETY: fresh, owned error or trap of this store's library.
            return Err(unsafe { call_failed(&mut cx.as_context_mut(), error, trap) });
        }
        let mut first_error = None;
        for (result, out) in results.iter_mut().zip(&outs) {
            // SAFETY: written by the call, owned here; each moves to its
            // `Val` once (an error still takes, and releases, the rest).
            match unsafe { Val::from_c(cx, out) } {
                Ok(v) => *result = v,
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    #[cold]
    fn arity_mismatch(&self, params: usize, results: usize) -> Error {
        ErrorKind::TypeMismatch(format!(
            "the function's type is {}, but it was called with {params} arguments and room for {results} results",
            *self.ty
        )).into()
    }

    #[cold]
    fn argument_mismatch(&self, index: usize, param: &Val) -> Error {
        ErrorKind::TypeMismatch(format!(
            "argument {index} is {}, but the function's type is {}",
            param.ty(),
            *self.ty
        ))
        .into()
    }

    /// This function as a [`TypedFunc`], after checking its type once.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Instance, Store};
    /// # let (mut store, instance): (Store<()>, Instance) = unimplemented!();
    /// let f = instance.get_func(&mut store, "add").expect("an export `add`");
    /// let add = f.typed::<(i32, i32), i32>(&store)?;
    /// assert_eq!(add.call(&mut store, (1, 2))?, 3);
    /// assert!(f.typed::<i64, ()>(&store).is_err());
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::TypeMismatch`] naming both types when they differ.
    ///
    /// # Panics
    ///
    /// If `store` is not the function's store (as the crate's).
    pub fn typed<P: WasmTyList, R: WasmTyList>(
        &self,
        store: impl AsContext,
    ) -> Result<TypedFunc<P, R>> {
        store.as_context().assert_owns(self.store, "the function");
        TypedFunc::new(self)
    }

    /// A host function of type `ty`, untyped: `func` gets the arguments as
    /// [`Val`]s and writes the results.
    ///
    /// An `Err` from `func` unwinds the wasm frames and is what the wasm
    /// call returns, as in the `wasmtime` crate: the same error value
    /// (downcastable to the host's own error type), with the wasm frames as
    /// its [`WasmBacktrace`] context (a trap or WASI exit of a nested call
    /// comes back as it was). A panic
    /// unwinds the wasm frames too and is resumed in the caller of the wasm
    /// call.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Func, FuncType, Store, Val, ValType};
    /// # let mut store: Store<()> = unimplemented!();
    /// let ty = FuncType::new([ValType::I64], [ValType::I64]);
    /// let negate = Func::new(&mut store, ty, |_caller, params, results| {
    ///     results[0] = Val::I64(params[0].i64().unwrap().wrapping_neg());
    ///     Ok(())
    /// });
    /// ```
    ///
    /// A type with references other than `funcref` and `externref` makes
    /// the C API pass `wasmtime_val_t` values, and Wasmtime checks the
    /// results the function writes against `ty` (a wrong one is the call's
    /// error).
    ///
    /// # Panics
    ///
    /// If `ty` has concrete types of another engine than the store's (as
    /// the crate's); [`Func::try_new`] returns that as an error.
    pub fn new<T: 'static>(
        store: impl AsContextMut<Data = T>,
        ty: FuncType,
        func: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync + 'static,
    ) -> Func {
        Func::try_new(store, ty, func).unwrap_or_else(|e| panic!("Func::new: {e}"))
    }

    /// [`Func::new`], as the crate's `try_new`: an error instead of a panic
    /// for a type with concrete types of another engine
    /// ([`ErrorKind::WrongEngine`]). (The crate's also returns an error on
    /// out-of-memory, which here aborts as Rust allocation does.)
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Func, FuncType, Store, ValType};
    /// # let mut store: Store<()> = unimplemented!();
    /// let ty = FuncType::new([], []);
    /// let nop = Func::try_new(&mut store, ty, |_, _, _| Ok(()))?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn try_new<T: 'static>(
        mut store: impl AsContextMut<Data = T>,
        ty: FuncType,
        func: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync + 'static,
    ) -> Result<Func> {
        let mut cx = store.as_context_mut();
        let host = untyped_host(cx.wasmtime(), ty.clone(), func);
        new_host(&mut cx, &ty, host)
    }

    /// A host function from a Rust closure with typed parameters and
    /// results: `Fn(A, B, ...) -> R` or `Fn(Caller<T>, A, B, ...) -> R`,
    /// where `R` is `()`, a value, a tuple of values, or a `Result` of
    /// these.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Caller, Func, Store};
    /// # let mut store: Store<u32> = unimplemented!();
    /// let count = Func::wrap(&mut store, |mut caller: Caller<'_, u32>, n: u32| {
    ///     *caller.data_mut() += n;
    ///     *caller.data()
    /// });
    /// assert_eq!(count.ty(&store).to_string(), "(i32) -> (i32)");
    /// ```
    pub fn wrap<T: 'static, Params, Results>(
        mut store: impl AsContextMut<Data = T>,
        func: impl IntoFunc<T, Params, Results>,
    ) -> Func {
        let mut cx = store.as_context_mut();
        let ty = func.ty();
        let host = func.into_host(cx.wasmtime());
        // A typed closure's types are abstract: no engine to mismatch.
        new_host(&mut cx, &ty, host).expect("a Rust signature's type has no concrete types")
    }

    /// [`Func::wrap`], as the crate's `try_wrap` (always `Ok` here, as
    /// [`Func::try_new`] says).
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Func, Store};
    /// # let mut store: Store<()> = unimplemented!();
    /// let double = Func::try_wrap(&mut store, |x: i32| x * 2)?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn try_wrap<T: 'static, Params, Results>(
        store: impl AsContextMut<Data = T>,
        func: impl IntoFunc<T, Params, Results>,
    ) -> Result<Func> {
        Ok(Func::wrap(store, func))
    }
}

type Callback = unsafe extern "C" fn(
    *mut c_void,
    *mut wasmtime_caller_t,
    *mut wasmtime_val_raw_t,
    usize,
) -> *mut wasm_trap_t;
type CheckedCallback = unsafe extern "C" fn(
    *mut c_void,
    *mut wasmtime_caller_t,
    *const wasmtime_val_t,
    usize,
    *mut wasmtime_val_t,
    usize,
) -> *mut wasm_trap_t;
type Finalizer = unsafe extern "C" fn(*mut c_void);

/// How the C API calls a host function.
#[derive(Clone, Copy)]
pub(crate) enum HostCallback {
    /// Raw values (`wasmtime_func_new_unchecked`): types that are all
    /// numbers, `funcref` or `externref`.
    Raw(Callback),
    /// `wasmtime_val_t` values (`wasmtime_func_new`), which Wasmtime checks
    /// against the function's type when the host returns them: every other
    /// type (a reference whose type Rust cannot check).
    Checked(CheckedCallback),
}

/// A host function for the C API: its environment (freed by the
/// finalizer) and callback.
#[doc(hidden)]
pub struct HostFn {
    pub(crate) env: *mut c_void,
    pub(crate) callback: HostCallback,
    pub(crate) finalizer: Finalizer,
}

impl HostFn {
    /// This function as a library of `abi` can take it: the checked
    /// callback's arrays have the GC layout's stride, so on a library
    /// without GC every call of such a function fails with
    /// [`ErrorKind::Unsupported`]`(Gc)` instead (its references could not
    /// be passed anyway).
    pub(crate) fn for_abi<T>(self, abi: ValAbi) -> HostFn {
        match (self.callback, abi) {
            (HostCallback::Checked(_), ValAbi::NoGc) => HostFn {
                callback: HostCallback::Raw(unsupported_callback::<T>),
                ..self
            },
            _ => self,
        }
    }
}

/// The callback of a host function a library without GC cannot call.
unsafe extern "C" fn unsupported_callback<T>(
    env: *mut c_void,
    caller: *mut wasmtime_caller_t,
    _slots: *mut wasmtime_val_raw_t,
    _len: usize,
) -> *mut wasm_trap_t {
    // SAFETY: every environment is a `HostState`, whose first field (it is
    // `repr(C)`) is the library.
    let wasmtime = unsafe { *env.cast::<&'static Wasmtime>() };
    // SAFETY: a live caller of a store of data type `T`.
    unsafe {
        run_host::<T>(wasmtime, caller, || {
            Err(ErrorKind::Unsupported(Capability::Gc).into())
        })
    }
}

/// A new host function; an error (the environment freed) for a type with
/// concrete types of another engine, which Wasmtime would panic on.
fn new_host<T>(cx: &mut StoreContextMut<'_, T>, ty: &FuncType, host: HostFn) -> Result<Func> {
    let core = cx.wasmtime().core();
    let host = host.for_abi::<T>(cx.wasmtime().val_abi());
    let c_ty = match ty.to_c(cx.engine()) {
        Ok(c_ty) => c_ty,
        Err(err) => {
            // SAFETY: the environment is the host function's, not handed
            // to the library: freed here, once.
            unsafe { (host.finalizer)(host.env) };
            crate::panics::resume_finalizer_panic();
            return Err(err);
        }
    };
    let mut raw = std::mem::MaybeUninit::<wasmtime_func_t>::uninit();
    // SAFETY: the context and type are live and of one engine; `env` is
    // owned by the new function and freed by `finalizer`; `raw` is written.
    unsafe {
        match host.callback {
            HostCallback::Raw(callback) => (core.wasmtime_func_new_unchecked)(
                cx.context(),
                c_ty.ptr,
                Some(callback),
                host.env,
                Some(host.finalizer),
                raw.as_mut_ptr(),
            ),
            HostCallback::Checked(callback) => (core.wasmtime_func_new)(
                cx.context(),
                c_ty.ptr,
                Some(callback),
                host.env,
                Some(host.finalizer),
                raw.as_mut_ptr(),
            ),
        }
    };
    // SAFETY: written by the call above.
    let raw = unsafe { raw.assume_init() };
    Ok(Func::with_type(cx, raw, ty.clone()))
}

/// Builds the error of a failed call, resuming a host function's panic
/// first; with `coredump_on_trap`, a failure with wasm frames carries a
/// [`WasmCoreDump`](crate::WasmCoreDump) of the store.
///
/// # Safety
///
/// `error` and `trap` are null or fresh, owned objects of this store's
/// library, not both null.
#[cold]
pub(crate) unsafe fn call_failed<T>(
    cx: &mut StoreContextMut<'_, T>,
    error: *mut wasmtime_error_t,
    trap: *mut wasm_trap_t,
) -> Error {
    let core = cx.wasmtime().core();
    // With `coredump_on_trap`, the frames (with their offsets in their
    // functions) are read before the trap or error is freed.
    let pending = match cx.coredump() {
        // SAFETY: live (caller's contract), not freed yet.
        Some(_) => unsafe { crate::coredump::pending_frames(core, error, trap) },
        None => None,
    };
    // SAFETY: owned (caller's contract); each is read and freed once.
    let err = unsafe {
        if !trap.is_null() {
            if !error.is_null() {
                (core.wasmtime_error_delete)(error);
            }
            crate::trap::take(core, trap)
        } else {
            crate::error::take(core, error)
        }
    };
    cx.resume_panic();
    let err = match cx.take_host_error() {
        Some(host) if host.raised(&err) => host.into_error(err),
        // No host error, or one the trap Wasmtime reports did not come
        // from (it is dropped: it was meant for another call).
        _ => uncaught_exception(cx, err),
    };
    match pending {
        Some(pending) => crate::coredump::attach(cx, err, pending),
        None => err,
    }
}

/// `err` as a [`ThrownException`] (with its wasm frames) when it is the C
/// API's report of an uncaught wasm exception, which stays the store's
/// pending exception, as with the `wasmtime` crate.
fn uncaught_exception<T>(cx: &StoreContextMut<'_, T>, err: Error) -> Error {
    let thrown = err.downcast_ref::<crate::Trap>().is_none()
        && err.root_cause().to_string() == ThrownException.to_string()
        && crate::gc::has_pending(cx);
    if !thrown {
        return err;
    }
    match err.downcast_ref::<WasmBacktrace>() {
        Some(trace) => Error::new(ThrownException).context(trace.clone()),
        None => Error::new(ThrownException),
    }
}

/// The error a host function returned, kept in Rust while Wasmtime unwinds
/// the wasm frames with a trap carrying its message, so that the call
/// returns the error itself rather than its text.
pub(crate) struct HostError {
    /// The message given to Wasmtime's trap.
    message: String,
    error: Error,
}

impl HostError {
    /// The error, with the message Wasmtime's trap gets (which runs the
    /// error's `Display`: call it where a panic is caught).
    pub(crate) fn new(error: Error) -> HostError {
        HostError {
            message: error.to_string(),
            error,
        }
    }

    /// The message Wasmtime's trap gets.
    pub(crate) fn message(&self) -> &str {
        &self.message
    }

    /// Whether `reported` (what the C call returned) is the trap made from
    /// this error: its report carries the error's first line.
    fn raised(&self, reported: &Error) -> bool {
        let first_line = self.message.lines().next().unwrap_or("");
        reported.chain().any(|e| e.to_string().contains(first_line))
    }

    /// The error the call returns: the host's error itself, as the
    /// `wasmtime` crate returns it, with the wasm frames Wasmtime reported
    /// as its [`WasmBacktrace`] context, unless it has frames already (a
    /// trap of a nested call) or is a WASI exit.
    fn into_error(self, reported: Error) -> Error {
        let keep = self.error.downcast_ref::<WasmBacktrace>().is_some()
            || matches!(self.error.downcast_ref(), Some(ErrorKind::Exit(_)));
        match reported.downcast_ref::<WasmBacktrace>() {
            Some(trace) if !keep => self.error.context(trace.clone()),
            _ => self.error,
        }
    }
}

/// What a host function's environment pointer points to (`repr(C)`: the
/// library first, which `unsupported_callback` reads).
#[repr(C)]
struct HostState<F> {
    wasmtime: &'static Wasmtime,
    func: F,
}

unsafe extern "C" fn finalize<F>(env: *mut c_void) {
    // SAFETY: `env` is the `Box<HostState<F>>` leaked when the function was
    // made; Wasmtime finalizes it once.
    let state = unsafe { Box::from_raw(env.cast::<HostState<F>>()) };
    // The closure's captures may panic in `Drop`: never unwind into C.
    crate::panics::in_finalizer(move || drop(state));
}

/// The store a host function is called in.
///
/// # Safety
///
/// `caller` is the live caller of a call into a store whose data type is
/// `T` (host functions only run in stores of their data type).
unsafe fn store_of<T>(core: &Core, caller: *mut wasmtime_caller_t) -> *mut StoreInner<T> {
    // SAFETY: `caller` is live; the store's data pointer is the
    // `StoreInner<T>` of the `Store<T>` that made the store.
    unsafe { (core.wasmtime_context_get_data)((core.wasmtime_caller_context)(caller)) }.cast()
}

/// The [`Caller`] of a host call.
///
/// # Safety
///
/// As for [`store_of`].
unsafe fn caller_of<'a, T>(core: &Core, caller: *mut wasmtime_caller_t) -> Caller<'a, T> {
    Caller {
        caller,
        // SAFETY: the caller's contract is `store_of`'s.
        inner: unsafe { store_of(core, caller) },
        _borrow: PhantomData,
    }
}

/// Runs a host function body, turning an `Err` or a panic into a trap. The
/// store is looked up only when the body fails, so host functions that take
/// no [`Caller`] cost no extra call into the library.
///
/// # Safety
///
/// As for [`store_of`].
unsafe fn run_host<T>(
    wasmtime: &'static Wasmtime,
    caller: *mut wasmtime_caller_t,
    body: impl FnOnce() -> Result<()>,
) -> *mut wasm_trap_t {
    let core = wasmtime.core();
    // Everything that runs Rust code is inside `catch_unwind`, formatting
    // the error included (a `Display` may panic too).
    let outcome = catch_unwind(AssertUnwindSafe(|| match body() {
        Ok(()) => None,
        Err(error) => Some(HostError::new(error)),
    }));
    let message = match outcome {
        Ok(None) => return std::ptr::null_mut(),
        Ok(Some(host)) if host.error.is::<ThrownException>() => {
            // SAFETY: the caller's contract is `store_of`'s; the host call
            // has exclusive access to the store.
            let mut cx = unsafe { StoreContextMut::from_inner(store_of::<T>(core, caller)) };
            match rethrow(&mut cx) {
                Some(trap) => return trap,
                // Nothing pending: an ordinary error.
                None => {
                    let message = host.message.clone();
                    // SAFETY: as above.
                    unsafe { (*store_of::<T>(core, caller)).host_error = Some(host) };
                    message
                }
            }
        }
        Ok(Some(host)) => {
            let message = host.message.clone();
            // SAFETY: the caller's contract is `store_of`'s; the host call
            // has exclusive access to the store.
            unsafe { (*store_of::<T>(core, caller)).host_error = Some(host) };
            message
        }
        Err(payload) => {
            // SAFETY: as above.
            unsafe { (*store_of::<T>(core, caller)).panic = Some(payload) };
            "a host function panicked (the panic resumes in the caller)".to_string()
        }
    };
    // SAFETY: the message is readable; the new trap goes to Wasmtime.
    unsafe { (core.wasmtime_trap_new)(message.as_ptr().cast(), message.len()) }
}

/// The C API's trap that throws the store's pending exception into wasm
/// when a host function returns it (`wasmtime_context_set_exception`), if
/// there is one: a host function threw ([`Caller::throw`]) or passed on a
/// nested call's uncaught exception.
fn rethrow<T>(cx: &mut StoreContextMut<'_, T>) -> Option<*mut wasm_trap_t> {
    if !crate::gc::has_pending(cx) {
        return None;
    }
    let exn = crate::gc::take_pending(cx)?;
    crate::gc::set_pending(cx, &exn)
}

/// Reads the arguments of a checked host call: owned copies of the values
/// the C API lends.
///
/// # Safety
///
/// `args` holds `len` live values of `cx`'s store, in its library's layout.
unsafe fn take_args<T>(
    cx: &mut StoreContextMut<'_, T>,
    args: *const wasmtime_val_t,
    len: usize,
) -> Result<Vec<Val>> {
    let core = cx.wasmtime().core();
    (0..len)
        .map(|i| {
            let mut copy = std::mem::MaybeUninit::<wasmtime_val_t>::uninit();
            // SAFETY: the argument is live (contract); the copy is a new
            // owned value (new roots), written, then owned by the `Val`.
            unsafe {
                (core.wasmtime_val_clone)(args.add(i), copy.as_mut_ptr());
                Val::from_c(cx, copy.assume_init_ref())
            }
        })
        .collect()
}

/// Writes a checked host call's results: owned copies, which the C API
/// takes (and releases).
///
/// # Safety
///
/// `out` has room for `len` values of `cx`'s library's layout.
unsafe fn write_results<T>(
    cx: &mut StoreContextMut<'_, T>,
    vals: &[Val],
    out: *mut wasmtime_val_t,
    len: usize,
) -> Result<()> {
    if vals.len() != len {
        return Err(ErrorKind::TypeMismatch(format!(
            "the host function returned {} results, its type has {len}",
            vals.len()
        ))
        .into());
    }
    let core = cx.wasmtime().core();
    for (i, val) in vals.iter().enumerate() {
        // Checks the value's store: the C API panics on another store's.
        let borrowed = val.to_c(cx)?;
        // SAFETY: `borrowed` is live for the call; the slot has room and
        // holds a number (nothing to release); the copy's roots are the
        // C API's to release.
        unsafe { (core.wasmtime_val_clone)(&borrowed, out.add(i)) };
    }
    Ok(())
}

/// Room for a host call's values: on the stack for up to [`STACK_SLOTS`].
// The big variant is the point: it lives on the stack for one host call
// and spares a heap allocation per call.
#[allow(clippy::large_enum_variant)]
enum ValStorage {
    Stack([Val; STACK_SLOTS], usize),
    Heap(Vec<Val>),
}

impl ValStorage {
    fn new(len: usize) -> ValStorage {
        if len <= STACK_SLOTS {
            ValStorage::Stack(std::array::from_fn(|_| Val::I32(0)), len)
        } else {
            ValStorage::Heap(vec![Val::I32(0); len])
        }
    }

    fn as_mut_slice(&mut self) -> &mut [Val] {
        match self {
            ValStorage::Stack(vals, len) => &mut vals[..*len],
            ValStorage::Heap(vals) => vals,
        }
    }
}

type UntypedFn<T> = dyn Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync;

pub(crate) fn untyped_host<T: 'static>(
    wasmtime: &'static Wasmtime,
    ty: FuncType,
    func: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync + 'static,
) -> HostFn {
    type State<T> = HostState<(FuncType, Box<UntypedFn<T>>)>;
    let simple = ty.is_simple();
    let state: State<T> = HostState {
        wasmtime,
        func: (ty, Box::new(func)),
    };
    unsafe extern "C" fn callback<T>(
        env: *mut c_void,
        caller: *mut wasmtime_caller_t,
        slots: *mut wasmtime_val_raw_t,
        _len: usize,
    ) -> *mut wasm_trap_t {
        // SAFETY: `env` is this function's live `HostState`.
        let state = unsafe { &*env.cast::<State<T>>() };
        let (ty, func) = &state.func;
        // SAFETY: a live caller of a store of data type `T`; `slots` holds
        // the arguments of type `ty` and has room for its results.
        unsafe {
            run_host::<T>(state.wasmtime, caller, || {
                let core = state.wasmtime.core();
                let caller = caller_of::<T>(core, caller);
                let mut cx = StoreContextMut::from_inner(caller.inner);
                let (params, results) = (ty.params(), ty.results());
                let mut storage = ValStorage::new(params.len() + results.len());
                let vals = storage.as_mut_slice();
                for (i, (val, t)) in vals.iter_mut().zip(params).enumerate() {
                    *val = Val::from_raw(&mut cx, &*slots.add(i), t)?;
                }
                for (val, t) in vals[params.len()..].iter_mut().zip(results) {
                    *val = Val::default_for(t);
                }
                let (args, outs) = vals.split_at_mut(params.len());
                func(caller, args, outs)?;
                for (i, (result, expected)) in outs.iter().zip(results).enumerate() {
                    // Raw results are not checked by Wasmtime: every one
                    // must be of its type (simple types: Rust can tell).
                    if result.fits(expected) != Some(true) {
                        return Err(result_mismatch(i, result, ty));
                    }
                    slots.add(i).write(result.to_raw(&mut cx)?);
                }
                Ok(())
            })
        }
    }
    unsafe extern "C" fn checked<T>(
        env: *mut c_void,
        caller: *mut wasmtime_caller_t,
        args: *const wasmtime_val_t,
        nargs: usize,
        results: *mut wasmtime_val_t,
        nresults: usize,
    ) -> *mut wasm_trap_t {
        // SAFETY: `env` is this function's live `HostState`.
        let state = unsafe { &*env.cast::<State<T>>() };
        let (ty, func) = &state.func;
        // SAFETY: a live caller of a store of data type `T`; `args` holds
        // `nargs` values the C API lends, `results` room for `nresults`.
        unsafe {
            run_host::<T>(state.wasmtime, caller, || {
                let core = state.wasmtime.core();
                let caller = caller_of::<T>(core, caller);
                let mut cx = StoreContextMut::from_inner(caller.inner);
                let args = take_args(&mut cx, args, nargs)?;
                let mut outs: Vec<Val> = ty.results().iter().map(Val::default_for).collect();
                func(caller, &args, &mut outs)?;
                for (i, (result, expected)) in outs.iter().zip(ty.results()).enumerate() {
                    // What Rust can tell; Wasmtime checks the rest.
                    if result.fits(expected) == Some(false) {
                        return Err(result_mismatch(i, result, ty));
                    }
                }
                write_results(&mut cx, &outs, results, nresults)
            })
        }
    }
    HostFn {
        env: Box::into_raw(Box::new(state)).cast(),
        callback: if simple {
            HostCallback::Raw(callback::<T>)
        } else {
            HostCallback::Checked(checked::<T>)
        },
        finalizer: finalize::<(FuncType, Box<UntypedFn<T>>)>,
    }
}

#[cold]
fn result_mismatch(index: usize, result: &Val, ty: &FuncType) -> Error {
    ErrorKind::TypeMismatch(format!(
        "host function result {index} is a {}, but its type is {ty}",
        result.ty()
    ))
    .into()
}

/// What a host closure may return: `()`, values, or a `Result` of them.
///
/// ```no_run
/// use wasmtime_dyn::{bail, Func, Result, Store};
/// # let mut store: Store<()> = unimplemented!();
/// // An `Err` unwinds wasm and is what the wasm call returns.
/// let sqrt = Func::wrap(&mut store, |x: f64| -> Result<f64> {
///     if x < 0.0 {
///         bail!("sqrt of {x}")
///     } else {
///         Ok(x.sqrt())
///     }
/// });
/// let widen = Func::wrap(&mut store, |x: i32| (x, i64::from(x))); // two results
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
pub trait WasmRet: Send + Sync + 'static {
    #[doc(hidden)]
    type Results: WasmTyList;
    #[doc(hidden)]
    fn into_result(self) -> Result<Self::Results>;
}

impl<R: WasmTyList> WasmRet for R {
    type Results = R;
    fn into_result(self) -> Result<R> {
        Ok(self)
    }
}

impl<R: WasmTyList> WasmRet for Result<R> {
    type Results = R;
    fn into_result(self) -> Result<R> {
        self
    }
}

/// A Rust closure usable as a host function: `Fn(A, B, ...) -> R` or
/// `Fn(Caller<'_, T>, A, B, ...) -> R` with up to 16 [`WasmTy`](crate::WasmTy)
/// parameters and a [`WasmRet`] result.
///
/// ```no_run
/// use wasmtime_dyn::{Caller, Linker};
/// # let mut linker: Linker<Vec<i32>> = unimplemented!();
/// linker.func_wrap("env", "add", |a: i32, b: i32| a + b)?;
/// linker.func_wrap("env", "push", |mut caller: Caller<'_, Vec<i32>>, x: i32| {
///     caller.data_mut().push(x);
/// })?;
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
pub trait IntoFunc<T, Params, Results>: Send + Sync + 'static {
    #[doc(hidden)]
    fn ty(&self) -> FuncType;
    #[doc(hidden)]
    fn into_host(self, wasmtime: &'static Wasmtime) -> HostFn;
}

macro_rules! into_func {
    ($($name:ident $idx:tt),*) => {
        into_func!(@impl [] $($name $idx),*);
        into_func!(@impl [Caller<'static, T>,] $($name $idx),*);
    };
    (@impl [$($caller_ty:ty,)?] $($name:ident $idx:tt),*) => {
        #[allow(non_snake_case)]
        impl<T: 'static, F, R, $($name: crate::typed::WasmTy),*> IntoFunc<T, ($($caller_ty,)? $($name,)*), R> for F
        where
            F: Fn($(into_func!(@caller $caller_ty),)? $($name),*) -> R + Send + Sync + 'static,
            R: WasmRet,
        {
            fn ty(&self) -> FuncType {
                FuncType::new([$($name::TYPE),*], R::Results::TYPES.iter().cloned())
            }

            fn into_host(self, wasmtime: &'static Wasmtime) -> HostFn {
                unsafe extern "C" fn callback<T, F, R, $($name: crate::typed::WasmTy),*>(
                    env: *mut c_void,
                    caller: *mut wasmtime_caller_t,
                    slots: *mut wasmtime_val_raw_t,
                    _len: usize,
                ) -> *mut wasm_trap_t
                where
                    F: Fn($(into_func!(@caller $caller_ty),)? $($name),*) -> R,
                    R: WasmRet,
                {
                    // SAFETY: `env` is this function's live `HostState`.
                    let state = unsafe { &*env.cast::<HostState<F>>() };
                    // SAFETY: a live caller of a store of data type `T`;
                    // `slots` holds arguments of the declared types (all
                    // numbers: this is the raw callback) and has room for
                    // the results.
                    unsafe {
                        run_host::<T>(state.wasmtime, caller, || {
                            let ($($name,)*) = <($($name,)*) as WasmTyList>::load(slots);
                            let results = (state.func)($(into_func!(@arg $caller_ty, state, caller),)? $($name),*).into_result()?;
                            results.store(slots);
                            Ok(())
                        })
                    }
                }
                unsafe extern "C" fn checked<T, F, R, $($name: crate::typed::WasmTy),*>(
                    env: *mut c_void,
                    caller: *mut wasmtime_caller_t,
                    args: *const wasmtime_val_t,
                    nargs: usize,
                    results: *mut wasmtime_val_t,
                    nresults: usize,
                ) -> *mut wasm_trap_t
                where
                    F: Fn($(into_func!(@caller $caller_ty),)? $($name),*) -> R,
                    R: WasmRet,
                {
                    // SAFETY: `env` is this function's live `HostState`.
                    let state = unsafe { &*env.cast::<HostState<F>>() };
                    // SAFETY: a live caller of a store of data type `T`;
                    // `args` holds `nargs` values the C API lends, `results`
                    // room for `nresults`.
                    unsafe {
                        run_host::<T>(state.wasmtime, caller, || {
                            let mut cx = StoreContextMut::from_inner(
                                store_of::<T>(state.wasmtime.core(), caller),
                            );
                            let vals = take_args(&mut cx, args, nargs)?;
                            let ($($name,)*) =
                                <($($name,)*) as WasmTyList>::from_vals(&mut cx, vals)?;
                            let out = (state.func)($(into_func!(@arg $caller_ty, state, caller),)? $($name),*).into_result()?;
                            let out = out.into_vals(&mut cx)?;
                            write_results(&mut cx, &out, results, nresults)
                        })
                    }
                }
                let state = HostState { wasmtime, func: self };
                let raw = <($($name,)*) as WasmTyList>::NUMBERS && R::Results::NUMBERS;
                HostFn {
                    env: Box::into_raw(Box::new(state)).cast(),
                    callback: if raw {
                        HostCallback::Raw(callback::<T, F, R, $($name),*>)
                    } else {
                        HostCallback::Checked(checked::<T, F, R, $($name),*>)
                    },
                    finalizer: finalize::<F>,
                }
            }
        }
    };
    (@caller $caller_ty:ty) => { Caller<'_, T> };
    (@arg $caller_ty:ty, $state:ident, $caller:ident) => {
        caller_of::<T>($state.wasmtime.core(), $caller)
    };
}

into_func!();
into_func!(A 0);
into_func!(A 0, B 1);
into_func!(A 0, B 1, C 2);
into_func!(A 0, B 1, C 2, D 3);
into_func!(A 0, B 1, C 2, D 3, E 4);
into_func!(A 0, B 1, C 2, D 3, E 4, F2 5);
into_func!(A 0, B 1, C 2, D 3, E 4, F2 5, G 6);
into_func!(A 0, B 1, C 2, D 3, E 4, F2 5, G 6, H 7);
into_func!(A 0, B 1, C 2, D 3, E 4, F2 5, G 6, H 7, I 8);
into_func!(A 0, B 1, C 2, D 3, E 4, F2 5, G 6, H 7, I 8, J 9);
into_func!(A 0, B 1, C 2, D 3, E 4, F2 5, G 6, H 7, I 8, J 9, K 10);
into_func!(A 0, B 1, C 2, D 3, E 4, F2 5, G 6, H 7, I 8, J 9, K 10, L 11);
into_func!(A 0, B 1, C 2, D 3, E 4, F2 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12);
into_func!(A 0, B 1, C 2, D 3, E 4, F2 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12, N 13);
into_func!(A 0, B 1, C 2, D 3, E 4, F2 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12, N 13, O 14);
into_func!(A 0, B 1, C 2, D 3, E 4, F2 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12, N 13, O 14, P 15);
