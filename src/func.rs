//! Functions: calling wasm, and host functions wasm calls.

use crate::capability::Capability;
use crate::error::{Error, ErrorKind, Result};
use crate::gc::ThrownException;
use crate::loader::{ValAbi, Wasmtime};
use crate::store::{AsContext, AsContextMut, Caller, StoreContextMut};
use crate::sys::types::*;
use crate::trap::WasmBacktrace;
use crate::typed::{TypedFunc, WasmTyList};
use crate::types::FuncType;
use crate::val::Val;
use std::sync::Arc;

mod host;
mod sig;

pub(crate) use host::{store_of, take_args, untyped_host, write_results, HostCallback, HostError};
pub use host::{HostFn, IntoFunc, WasmRet};
use sig::{CallSig, Kinds, NumKind};

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
    /// The type (a `Val` holds a `Func`: every value's size counts it).
    ty: FuncTy,
    /// How an untyped call passes its values, decided once from the type.
    sig: CallSig,
}

/// A function's type: the Rust signature's (one static per signature,
/// allocating nothing), or one read from the library or given to a host
/// function.
#[derive(Clone)]
enum FuncTy {
    Static(&'static FuncType),
    Shared(Arc<FuncType>),
}

impl std::ops::Deref for FuncTy {
    type Target = FuncType;

    #[inline]
    fn deref(&self) -> &FuncType {
        match self {
            FuncTy::Static(ty) => ty,
            FuncTy::Shared(ty) => ty,
        }
    }
}

/// The type `P -> R` of a typed function and its packed signature, as
/// statics per signature.
struct StaticTy<P, R>(std::marker::PhantomData<(P, R)>);

impl<P: WasmTyList, R: WasmTyList> StaticTy<P, R> {
    const TY: &'static FuncType = &FuncType::from_static(P::TYPES, R::TYPES);
    const NUMBERS: Option<CallSig> = CallSig::numbers(P::TYPES, R::TYPES);
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
            sig: CallSig::of(&ty),
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
            let same = FuncType::c_is(cx.wasmtime(), c_ty, P::TYPES, R::TYPES);
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
        let ty = StaticTy::<P, R>::TY;
        Func {
            raw,
            store: cx.id(),
            wasmtime: cx.wasmtime(),
            // Numbers only (packed at compile time), or asked of the types.
            sig: match StaticTy::<P, R>::NUMBERS {
                Some(sig) => sig,
                None => CallSig::of(ty),
            },
            ty: FuncTy::Static(ty),
        }
    }

    /// The function's type, as the `wasmtime` crate's `Func::ty`.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Func, Store, ValType};
    /// # let mut store: Store<()> = unimplemented!();
    /// let f = Func::wrap(&mut store, |a: i32, b: i64| i64::from(a) + b);
    /// assert!(f.ty(&store).params().eq([ValType::I32, ValType::I64]));
    /// assert!(f.ty(&store).results().eq([ValType::I64]));
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
        cx.check_sync_call()?;
        let Some((np, nr)) = self.sig.numbers_arity() else {
            return self.call_slow(&mut cx, params, results);
        };
        if params.len() != np || results.len() != nr {
            return Err(self.arity_mismatch(params.len(), results.len()));
        }
        let mut kinds = Kinds(self.sig.0 >> CallSig::KINDS_SHIFT);
        let mut slots = [std::mem::MaybeUninit::<wasmtime_val_raw_t>::uninit(); STACK_SLOTS];
        // One pass: check each argument's type (its variant: the type is
        // numbers only) and write its raw form. (`np + nr <= STACK_SLOTS`.)
        for (i, (param, slot)) in params.iter().zip(&mut slots).enumerate() {
            // On the expected kind first: then one variant to compare.
            let raw = match (kinds.next(), param) {
                (NumKind::I32, Val::I32(v)) => wasmtime_val_raw_t { i32_: *v },
                (NumKind::I64, Val::I64(v)) => wasmtime_val_raw_t { i64_: *v },
                (NumKind::F32, Val::F32(v)) => wasmtime_val_raw_t {
                    f32_: f32::from_bits(*v),
                },
                (NumKind::F64, Val::F64(v)) => wasmtime_val_raw_t {
                    f64_: f64::from_bits(*v),
                },
                (NumKind::V128, Val::V128(v)) => wasmtime_val_raw_t {
                    v128: v.to_le_bytes(),
                },
                _ => return Err(self.argument_mismatch(i, param)),
            };
            slot.write(raw);
        }
        let slots = slots.as_mut_ptr().cast::<wasmtime_val_raw_t>();
        // SAFETY: the function belongs to this live store (checked); the
        // arguments match its type (checked); `slots` has room for
        // max(params, results) values, the first `params.len()` written.
        unsafe { self.call_raw(&mut cx, slots, np.max(nr))? };
        for (i, result) in results.iter_mut().enumerate() {
            // SAFETY: on success the first `results.len()` slots hold
            // results of the declared types; each arm reads the member its
            // kind names.
            let slot = unsafe { &*slots.add(i) };
            // A result of the variant already there is written in place
            // (nothing to drop).
            // SAFETY: as above.
            unsafe {
                match (kinds.next(), result) {
                    (NumKind::I32, Val::I32(r)) => *r = slot.i32_,
                    (NumKind::I32, r) => *r = Val::I32(slot.i32_),
                    (NumKind::I64, Val::I64(r)) => *r = slot.i64_,
                    (NumKind::I64, r) => *r = Val::I64(slot.i64_),
                    (NumKind::F32, Val::F32(r)) => *r = slot.f32_.to_bits(),
                    (NumKind::F32, r) => *r = Val::F32(slot.f32_.to_bits()),
                    (NumKind::F64, Val::F64(r)) => *r = slot.f64_.to_bits(),
                    (NumKind::F64, r) => *r = Val::F64(slot.f64_.to_bits()),
                    (NumKind::V128, r) => *r = Val::V128(crate::V128::from_le_bytes(slot.v128)),
                }
            }
        }
        Ok(())
    }

    /// `wasmtime_func_call_unchecked` on `len` slots.
    ///
    /// # Safety
    ///
    /// The function belongs to `cx`'s live store; `slots` has room for
    /// `len` values, max(params, results), and holds arguments of the
    /// function's parameter types.
    #[inline]
    unsafe fn call_raw<T>(
        &self,
        cx: &mut StoreContextMut<'_, T>,
        slots: *mut wasmtime_val_raw_t,
        len: usize,
    ) -> Result<()> {
        let mut trap = std::ptr::null_mut();
        // SAFETY: the caller's contract.
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
        Ok(())
    }

    /// The untyped call of a function with `funcref` or `externref` values
    /// (converted through the store), or with more values than
    /// [`STACK_SLOTS`]; the checked call for other references. The store
    /// checked by the caller.
    #[inline(never)]
    fn call_slow<T>(
        &self,
        cx: &mut StoreContextMut<'_, T>,
        params: &[Val],
        results: &mut [Val],
    ) -> Result<()> {
        if self.sig.is_checked() {
            return self.call_checked(cx, params, results);
        }
        let ty = &*self.ty;
        if params.len() != ty.param_types().len() || results.len() != ty.result_types().len() {
            return Err(self.arity_mismatch(params.len(), results.len()));
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
        for (i, (param, expected)) in params.iter().zip(ty.param_types()).enumerate() {
            if param.fits(expected) != Some(true) {
                return Err(self.argument_mismatch(i, param));
            }
            let raw = match param.number_to_raw() {
                Some(raw) => raw,
                None => param.to_raw(cx)?,
            };
            // SAFETY: `slots` has room for `len` >= `params.len()` values.
            unsafe { slots.add(i).write(raw) };
        }
        // SAFETY: the function belongs to this live store (checked by the
        // caller); the arguments match its type (checked); `slots` has room
        // for max(params, results) values, the first `params.len()`
        // written.
        unsafe { self.call_raw(cx, slots, len)? };
        for (i, (result, t)) in results.iter_mut().zip(ty.result_types()).enumerate() {
            // SAFETY: on success the first `results.len()` slots hold
            // results of the declared types; each arm reads the member its
            // type names.
            unsafe {
                let slot = &*slots.add(i);
                *result = match Val::number_from_raw(slot, t) {
                    Some(number) => number,
                    None => Val::from_raw(cx, slot, t)?,
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
        // References dropped since the store's last use (Wasmtime 36, 37).
        crate::val::roots36::drain(cx);
        let ty = &*self.ty;
        if params.len() != ty.param_types().len() || results.len() != ty.result_types().len() {
            return Err(self.arity_mismatch(params.len(), results.len()));
        }
        // The `wasmtime_val_t` arrays have the library's stride: the wide
        // one, or 36's (converted below); a library without GC cannot pass
        // the references this path is for.
        let abi = cx.wasmtime().val_abi();
        if !abi.holds_references() {
            return Err(ErrorKind::Unsupported(Capability::Gc).into());
        }
        for (i, (param, expected)) in params.iter().zip(ty.param_types()).enumerate() {
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
        let call = self.wasmtime.core().wasmtime_func_call;
        let error = if abi == ValAbi::V36 {
            let args: Vec<_> = args.iter().map(crate::val::to_v36).collect();
            let mut outs36: Vec<_> = outs.iter().map(crate::val::to_v36).collect();
            // SAFETY: as below, with both arrays in 36's layout, which the
            // library reads and writes.
            let error = unsafe {
                call(
                    cx.context(),
                    &self.raw,
                    args.as_ptr().cast(),
                    args.len(),
                    outs36.as_mut_ptr().cast(),
                    outs36.len(),
                    &mut trap,
                )
            };
            for (out, out36) in outs.iter_mut().zip(&outs36) {
                *out = crate::val::from_v36(out36);
            }
            error
        } else {
            // SAFETY: the function and the arguments belong to this live
            // store (checked); the arguments are borrowed, in this
            // library's layout (the wide one: checked above); `outs` has
            // room for the results, which are written (owned by this side)
            // on success.
            unsafe {
                call(
                    cx.context(),
                    &self.raw,
                    args.as_ptr(),
                    args.len(),
                    outs.as_mut_ptr(),
                    outs.len(),
                    &mut trap,
                )
            }
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
            crate::trap::take(cx.wasmtime(), trap)
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
/// pending exception, as with the `wasmtime` crate. Before Wasmtime 44 the
/// C API cannot say whether the store has a pending exception: Wasmtime's
/// message alone decides there.
fn uncaught_exception<T>(cx: &StoreContextMut<'_, T>, err: Error) -> Error {
    let thrown = err.downcast_ref::<crate::Trap>().is_none()
        && err.root_cause().to_string() == ThrownException.to_string()
        && (cx.wasmtime().tables().gc_since_44.is_none() || crate::gc::has_pending(cx));
    if !thrown {
        return err;
    }
    match err.downcast_ref::<WasmBacktrace>() {
        Some(trace) => Error::new(ThrownException).context(trace.clone()),
        None => Error::new(ThrownException),
    }
}
