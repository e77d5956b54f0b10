//! Host functions: the callbacks the C API calls, their environments, and
//! the [`IntoFunc`] machinery that turns Rust closures into them.

use crate::capability::Capability;
use crate::error::{Error, ErrorKind, Result};
use crate::gc::ThrownException;
use crate::loader::{ValAbi, Wasmtime};
use crate::store::{Caller, StoreContextMut, StoreInner};
use crate::sys::tables::Core;
use crate::sys::types::*;
use crate::trap::WasmBacktrace;
use crate::typed::WasmTyList;
use crate::types::FuncType;
use crate::val::Val;
use std::ffi::c_void;
use std::marker::PhantomData;
use std::panic::{catch_unwind, AssertUnwindSafe};

use super::STACK_SLOTS;

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
            (HostCallback::Checked(_), abi) if !abi.holds_references() => HostFn {
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
    pub(super) fn raised(&self, reported: &Error) -> bool {
        let first_line = self.message.lines().next().unwrap_or("");
        reported.chain().any(|e| e.to_string().contains(first_line))
    }

    /// The error the call returns: the host's error itself, as the
    /// `wasmtime` crate returns it, with the wasm frames Wasmtime reported
    /// as its [`WasmBacktrace`] context, unless it has frames already (a
    /// trap of a nested call) or is a WASI exit.
    pub(super) fn into_error(self, reported: Error) -> Error {
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
pub(crate) unsafe fn store_of<T>(
    core: &Core,
    caller: *mut wasmtime_caller_t,
) -> *mut StoreInner<T> {
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
pub(crate) unsafe fn take_args<T>(
    cx: &mut StoreContextMut<'_, T>,
    args: *const wasmtime_val_t,
    len: usize,
) -> Result<Vec<Val>> {
    let abi = cx.wasmtime().val_abi();
    (0..len)
        .map(|i| {
            // Zeroed: a library of a 24-byte layout writes only its prefix.
            // SAFETY: all-zero is a valid value of the plain C type.
            let mut copy: wasmtime_val_t = unsafe { std::mem::zeroed() };
            // SAFETY: the argument is live, at the library's stride
            // (contract); the copy is a new owned value (new roots) in the
            // library's layout, a prefix of the wide one, then owned by the
            // `Val`.
            unsafe {
                clone_val(cx, crate::val::nth_val(abi, args.cast_mut(), i), &mut copy);
                Val::from_c(cx, &copy)
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
pub(crate) unsafe fn write_results<T>(
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
    let abi = cx.wasmtime().val_abi();
    for (i, val) in vals.iter().enumerate() {
        // Checks the value's store: the C API panics on another store's.
        let borrowed = val.to_c(cx)?;
        // SAFETY: `borrowed` is live for the call, in the wide layout whose
        // prefix is the library's; the slot, at the library's stride, has
        // room and holds a number (nothing to release); the copy's roots
        // are the C API's to release.
        unsafe { clone_val(cx, &borrowed, crate::val::nth_val(abi, out, i)) };
    }
    Ok(())
}

/// `wasmtime_val_clone` of the library's major: 36 and 37 take the
/// context first.
///
/// # Safety
///
/// `src` is a live value of `cx`'s store in its library's layout; `dst` has
/// room for one.
unsafe fn clone_val<T>(
    cx: &mut StoreContextMut<'_, T>,
    src: *const wasmtime_val_t,
    dst: *mut wasmtime_val_t,
) {
    let tables = cx.wasmtime().tables();
    match (&tables.core_roots, &tables.core_roots_v36) {
        // SAFETY: the caller's contract is the function's.
        (Some(t), _) => unsafe { (t.wasmtime_val_clone)(src, dst) },
        // SAFETY: as above; the context is the store's, live.
        (None, Some(t)) => unsafe { (t.wasmtime_val_clone)(cx.context(), src, dst) },
        (None, None) => unreachable!("the loader refuses a library without its major's CoreRoots"),
    }
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
                let (params, results) = (ty.param_types(), ty.result_types());
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
                let mut outs: Vec<Val> = ty.result_types().iter().map(Val::default_for).collect();
                func(caller, &args, &mut outs)?;
                for (i, (result, expected)) in outs.iter().zip(ty.result_types()).enumerate() {
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
