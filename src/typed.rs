//! Statically typed calls: [`TypedFunc`], and the traits that map Rust
//! types and tuples to WebAssembly signatures.

use crate::error::{ErrorKind, Result};
use crate::func::{call_failed, Func};
use crate::gc::{AnyRef, ArrayRef, EqRef, ExnRef, StructRef, I31};
use crate::store::{AsContextMut, StoreContextMut};
use crate::sys::fns;
use crate::sys::types::*;
use crate::types::{FuncType, HeapType, RefType, ValType};
use crate::val::{ExternRef, Val, V128};
use std::marker::PhantomData;
use std::mem::MaybeUninit;

mod sealed {
    pub trait Sealed {}
}

/// A Rust type that is a WebAssembly value type: the numbers `i32`,
/// `u32`, `i64`, `u64`, `f32`, `f64`, [`V128`], and the references
/// [`Func`], [`ExternRef`], [`AnyRef`], [`EqRef`], [`StructRef`],
/// [`ArrayRef`], [`I31`] and [`ExnRef`], non-null as themselves and
/// nullable as an `Option` of themselves (`Option<AnyRef>` is `anyref`).
///
/// Calls whose types are all numbers pass raw values through
/// `wasmtime_func_call_unchecked`; a reference type makes the call go
/// through `wasmtime_func_call`, where Wasmtime checks every reference
/// against the function's (possibly concrete) types.
///
/// ```
/// use wasmtime_dyn::{AnyRef, ValType, WasmTy, V128};
/// assert_eq!(<u32 as WasmTy>::TYPE, ValType::I32); // unsigned: the same wasm type
/// assert_eq!(<f64 as WasmTy>::TYPE, ValType::F64);
/// assert_eq!(<V128 as WasmTy>::TYPE, ValType::V128);
/// assert_eq!(<Option<AnyRef> as WasmTy>::TYPE, ValType::ANYREF);
/// assert_eq!(<AnyRef as WasmTy>::TYPE.to_string(), "(ref any)");
/// ```
pub trait WasmTy: sealed::Sealed + Send + Sync + 'static {
    /// The WebAssembly type.
    const TYPE: ValType;
    #[doc(hidden)]
    /// Whether this is a number, passed raw.
    const NUMBER: bool;
    #[doc(hidden)]
    /// The raw form of a number (never called for references).
    fn into_raw(self) -> wasmtime_val_raw_t;
    #[doc(hidden)]
    /// # Safety
    ///
    /// `raw` holds a value of type `TYPE`, a number.
    unsafe fn from_raw(raw: &wasmtime_val_raw_t) -> Self;
    #[doc(hidden)]
    fn into_val<T>(self, cx: &mut StoreContextMut<'_, T>) -> Result<Val>;
    #[doc(hidden)]
    fn from_val<T>(cx: &mut StoreContextMut<'_, T>, val: Val) -> Result<Self>
    where
        Self: Sized;
}

macro_rules! wasm_ty {
    ($($ty:ty => $vt:ident, $field:ident, $to:expr, $from:expr, $val:ident, $to_val:expr, $from_val:expr;)*) => {
        $(
            impl sealed::Sealed for $ty {}
            impl WasmTy for $ty {
                const TYPE: ValType = ValType::$vt;
                const NUMBER: bool = true;
                #[inline(always)]
                fn into_raw(self) -> wasmtime_val_raw_t {
                    wasmtime_val_raw_t { $field: $to(self) }
                }
                #[inline(always)]
                unsafe fn from_raw(raw: &wasmtime_val_raw_t) -> Self {
                    // SAFETY: the caller guarantees the member is `$field`.
                    $from(unsafe { raw.$field })
                }
                fn into_val<T>(self, _: &mut StoreContextMut<'_, T>) -> Result<Val> {
                    Ok(Val::$val($to_val(self)))
                }
                fn from_val<T>(_: &mut StoreContextMut<'_, T>, val: Val) -> Result<Self> {
                    match val {
                        Val::$val(v) => Ok($from_val(v)),
                        other => Err(mismatch(&Self::TYPE, &other)),
                    }
                }
            }
        )*
    };
}

#[cold]
fn mismatch(want: &ValType, got: &Val) -> crate::Error {
    ErrorKind::TypeMismatch(format!(
        "expected a value of type {want}, got a {}",
        got.ty()
    ))
    .into()
}

#[cold]
fn raw_reference() -> ! {
    unreachable!("reference types take the checked call path, never the raw one")
}

/// `WasmTy` for a reference type, non-null as itself and nullable as an
/// `Option`. `$into` makes the value (with the store), `$from` reads it
/// from the value of variant `$val`.
macro_rules! wasm_ref_ty {
    ($($ty:ty => $heap:ident, $nullable:expr, $val:ident, $into:expr, $from:expr;)*) => {
        $(
            impl sealed::Sealed for $ty {}
            impl WasmTy for $ty {
                const TYPE: ValType = ValType::Ref(RefType::new(false, HeapType::$heap));
                const NUMBER: bool = false;
                fn into_raw(self) -> wasmtime_val_raw_t {
                    raw_reference()
                }
                unsafe fn from_raw(_: &wasmtime_val_raw_t) -> Self {
                    raw_reference()
                }
                #[allow(clippy::redundant_closure_call)]
                fn into_val<T>(self, cx: &mut StoreContextMut<'_, T>) -> Result<Val> {
                    $into(cx, self)
                }
                #[allow(clippy::redundant_closure_call)]
                fn from_val<T>(cx: &mut StoreContextMut<'_, T>, val: Val) -> Result<Self> {
                    match val {
                        Val::$val(Some(v)) => $from(cx, v),
                        other => Err(mismatch(&Self::TYPE, &other)),
                    }
                }
            }

            impl sealed::Sealed for Option<$ty> {}
            impl WasmTy for Option<$ty> {
                const TYPE: ValType = $nullable;
                const NUMBER: bool = false;
                fn into_raw(self) -> wasmtime_val_raw_t {
                    raw_reference()
                }
                unsafe fn from_raw(_: &wasmtime_val_raw_t) -> Self {
                    raw_reference()
                }
                fn into_val<T>(self, cx: &mut StoreContextMut<'_, T>) -> Result<Val> {
                    match self {
                        Some(v) => v.into_val(cx),
                        None => Ok(Val::$val(None)),
                    }
                }
                #[allow(clippy::redundant_closure_call)]
                fn from_val<T>(cx: &mut StoreContextMut<'_, T>, val: Val) -> Result<Self> {
                    match val {
                        Val::$val(Some(v)) => $from(cx, v).map(Some),
                        Val::$val(None) => Ok(None),
                        other => Err(mismatch(&Self::TYPE, &other)),
                    }
                }
            }
        )*
    };
}

/// Into a value without the store.
fn plain<T, R: Into<Val>>(_: &mut StoreContextMut<'_, T>, r: R) -> Result<Val> {
    Ok(r.into())
}

/// A value's reference as itself.
fn same<T, R>(_: &mut StoreContextMut<'_, T>, r: R) -> Result<R> {
    Ok(r)
}

wasm_ty! {
    i32 => I32, i32_, |v| v, |v| v, I32, |v| v, |v| v;
    u32 => I32, i32_, |v: u32| v as i32, |v: i32| v as u32, I32, |v: u32| v as i32, |v: i32| v as u32;
    i64 => I64, i64_, |v| v, |v| v, I64, |v| v, |v| v;
    u64 => I64, i64_, |v: u64| v as i64, |v: i64| v as u64, I64, |v: u64| v as i64, |v: i64| v as u64;
    f32 => F32, f32_, |v| v, |v| v, F32, f32::to_bits, f32::from_bits;
    f64 => F64, f64_, |v| v, |v| v, F64, f64::to_bits, f64::from_bits;
    V128 => V128, v128, V128::to_le_bytes, V128::from_le_bytes, V128, |v| v, |v| v;
}

wasm_ref_ty! {
    Func => Func, ValType::FuncRef, FuncRef, plain, same;
    ExternRef => Extern, ValType::ExternRef, ExternRef, plain, same;
    AnyRef => Any, ValType::ANYREF, AnyRef, plain, same;
    EqRef => Eq, ValType::EQREF, AnyRef, plain,
        |cx: &mut StoreContextMut<'_, T>, r: AnyRef| r.unwrap_eqref(cx);
    StructRef => Struct, ValType::STRUCTREF, AnyRef, plain,
        |cx: &mut StoreContextMut<'_, T>, r: AnyRef| r.unwrap_struct(cx);
    ArrayRef => Array, ValType::ARRAYREF, AnyRef, plain,
        |cx: &mut StoreContextMut<'_, T>, r: AnyRef| r.unwrap_array(cx);
    I31 => I31, ValType::I31REF, AnyRef,
        |cx: &mut StoreContextMut<'_, T>, v: I31| AnyRef::from_i31(cx, v).map(Val::from),
        |cx: &mut StoreContextMut<'_, T>, r: AnyRef| r.unwrap_i31(&*cx);
    ExnRef => Exn, ValType::EXNREF, ExnRef, plain, same;
}

/// A list of WebAssembly values as Rust types: `()`, a single [`WasmTy`],
/// or a tuple of up to 16. Used for both parameters and results.
///
/// ```
/// use wasmtime_dyn::{ValType, WasmTyList};
/// assert_eq!(<(i32, f64) as WasmTyList>::TYPES, [ValType::I32, ValType::F64]);
/// assert_eq!(<i64 as WasmTyList>::LEN, 1);
/// assert_eq!(<() as WasmTyList>::LEN, 0);
/// ```
pub trait WasmTyList: sealed::Sealed + Sized + Send + Sync + 'static {
    /// The number of values.
    const LEN: usize;
    /// Their WebAssembly types.
    const TYPES: &'static [ValType];
    #[doc(hidden)]
    /// Stack storage for the values: `[wasmtime_val_raw_t; LEN]`.
    type Array: Copy;
    #[doc(hidden)]
    /// # Safety
    ///
    /// `dst` is writable for `LEN` values.
    unsafe fn store(self, dst: *mut wasmtime_val_raw_t);
    #[doc(hidden)]
    /// # Safety
    ///
    /// `src` holds `LEN` values of types `TYPES`.
    unsafe fn load(src: *const wasmtime_val_raw_t) -> Self;
    #[doc(hidden)]
    /// Whether every value is a number (the raw, unchecked path).
    const NUMBERS: bool;
    #[doc(hidden)]
    fn into_vals<T>(self, cx: &mut StoreContextMut<'_, T>) -> Result<Vec<Val>>;
    #[doc(hidden)]
    /// `vals` has `LEN` values.
    fn from_vals<T>(cx: &mut StoreContextMut<'_, T>, vals: Vec<Val>) -> Result<Self>;
}

impl sealed::Sealed for () {}
impl WasmTyList for () {
    const LEN: usize = 0;
    const TYPES: &'static [ValType] = &[];
    type Array = [wasmtime_val_raw_t; 0];
    #[inline(always)]
    unsafe fn store(self, _: *mut wasmtime_val_raw_t) {}
    #[inline(always)]
    unsafe fn load(_: *const wasmtime_val_raw_t) -> Self {}
    const NUMBERS: bool = true;
    fn into_vals<T>(self, _: &mut StoreContextMut<'_, T>) -> Result<Vec<Val>> {
        Ok(Vec::new())
    }
    fn from_vals<T>(_: &mut StoreContextMut<'_, T>, _: Vec<Val>) -> Result<Self> {
        Ok(())
    }
}

impl<A: WasmTy> WasmTyList for A {
    const LEN: usize = 1;
    const TYPES: &'static [ValType] = &[A::TYPE];
    type Array = [wasmtime_val_raw_t; 1];
    const NUMBERS: bool = A::NUMBER;
    fn into_vals<T>(self, cx: &mut StoreContextMut<'_, T>) -> Result<Vec<Val>> {
        Ok(vec![self.into_val(cx)?])
    }
    fn from_vals<T>(cx: &mut StoreContextMut<'_, T>, vals: Vec<Val>) -> Result<Self> {
        let val = vals
            .into_iter()
            .next()
            .ok_or_else(|| count_mismatch(1, 0))?;
        A::from_val(cx, val)
    }
    #[inline(always)]
    unsafe fn store(self, dst: *mut wasmtime_val_raw_t) {
        // SAFETY: `dst` is writable for one value.
        unsafe { dst.write(self.into_raw()) }
    }
    #[inline(always)]
    unsafe fn load(src: *const wasmtime_val_raw_t) -> Self {
        // SAFETY: `src` holds one value of type `A::TYPE`.
        unsafe { A::from_raw(&*src) }
    }
}

macro_rules! tuples {
    ($($len:literal: ($($name:ident $idx:tt),*);)*) => {
        $(
            impl<$($name: WasmTy),*> sealed::Sealed for ($($name,)*) {}
            impl<$($name: WasmTy),*> WasmTyList for ($($name,)*) {
                const LEN: usize = $len;
                const TYPES: &'static [ValType] = &[$($name::TYPE),*];
                type Array = [wasmtime_val_raw_t; $len];
                #[inline(always)]
                unsafe fn store(self, dst: *mut wasmtime_val_raw_t) {
                    // SAFETY: `dst` is writable for `LEN` values.
                    unsafe { $(dst.add($idx).write(self.$idx.into_raw());)* }
                }
                #[inline(always)]
                unsafe fn load(src: *const wasmtime_val_raw_t) -> Self {
                    // SAFETY: `src` holds `LEN` values of types `TYPES`.
                    unsafe { ($($name::from_raw(&*src.add($idx)),)*) }
                }
                const NUMBERS: bool = true $(&& $name::NUMBER)*;
                fn into_vals<T>(self, cx: &mut StoreContextMut<'_, T>) -> Result<Vec<Val>> {
                    Ok(vec![$(self.$idx.into_val(cx)?),*])
                }
                #[allow(non_snake_case)]
                fn from_vals<T>(cx: &mut StoreContextMut<'_, T>, vals: Vec<Val>) -> Result<Self> {
                    if vals.len() != $len {
                        return Err(count_mismatch($len, vals.len()));
                    }
                    let mut vals = vals.into_iter();
                    $(let $name = $name::from_val(cx, vals.next().expect("counted"))?;)*
                    Ok(($($name,)*))
                }
            }
        )*
    };
}

tuples! {
    1: (A 0);
    2: (A 0, B 1);
    3: (A 0, B 1, C 2);
    4: (A 0, B 1, C 2, D 3);
    5: (A 0, B 1, C 2, D 3, E 4);
    6: (A 0, B 1, C 2, D 3, E 4, F 5);
    7: (A 0, B 1, C 2, D 3, E 4, F 5, G 6);
    8: (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
    9: (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8);
    10: (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9);
    11: (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10);
    12: (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11);
    13: (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12);
    14: (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12, N 13);
    15: (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12, N 13, O 14);
    16: (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12, N 13, O 14, P 15);
}

#[cold]
fn count_mismatch(want: usize, got: usize) -> crate::Error {
    ErrorKind::TypeMismatch(format!("expected {want} values, got {got}")).into()
}

/// Whether a function of type `ty` can be called as `params -> results`,
/// as the `wasmtime` crate's typed functions check: results by subtyping
/// (the function's result must be a Rust result's type), parameters by
/// subtyping the other way, except that a concrete parameter type accepts
/// any Rust type of its hierarchy (each call's values are then checked by
/// Wasmtime, in the checked call every reference call takes).
pub(crate) fn signature_fits(ty: &FuncType, params: &[ValType], results: &[ValType]) -> bool {
    let param_fits = |rust: &ValType, actual: &ValType| match (rust.as_ref(), actual.as_ref()) {
        (Some(r), Some(a)) if a.heap_type().is_concrete() => {
            r.heap_type().top() == a.heap_type().top()
        }
        _ => rust.matches(actual),
    };
    ty.param_types().len() == params.len()
        && ty.result_types().len() == results.len()
        && params
            .iter()
            .zip(ty.param_types())
            .all(|(r, a)| param_fits(r, a))
        && ty
            .result_types()
            .iter()
            .zip(results)
            .all(|(a, r)| a.matches(r))
}

/// Storage big enough for the parameters and for the results: the C call
/// reads the former and writes the latter in the same slots.
#[repr(C)]
union Slots<P: Copy, R: Copy> {
    params: P,
    results: R,
}

/// A function whose type was checked once, called with Rust values: one
/// indirect call to `wasmtime_func_call_unchecked`, arguments in a stack
/// array, no allocation, no lock.
///
/// ```no_run
/// use wasmtime_dyn::{Instance, Store, TypedFunc};
/// # let (mut store, instance): (Store<()>, Instance) = unimplemented!();
/// let add: TypedFunc<(i32, i32), i32> = instance.get_typed_func(&mut store, "add")?;
/// assert_eq!(add.call(&mut store, (40, 2))?, 42);
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
pub struct TypedFunc<Params, Results> {
    raw: wasmtime_func_t,
    store: u64,
    call: fns::wasmtime_func_call_unchecked,
    func: Func,
    _types: PhantomData<fn(Params) -> Results>,
}

impl<P, R> Clone for TypedFunc<P, R> {
    fn clone(&self) -> Self {
        TypedFunc {
            raw: self.raw,
            store: self.store,
            call: self.call,
            func: self.func.clone(),
            _types: PhantomData,
        }
    }
}

impl<P, R> std::fmt::Debug for TypedFunc<P, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TypedFunc({})", self.func.ty_ref())
    }
}

// SAFETY: the raw handle is a store id and an index, meaningful only with
// its store, which every call checks.
unsafe impl<P, R> Send for TypedFunc<P, R> {}
// SAFETY: as above.
unsafe impl<P, R> Sync for TypedFunc<P, R> {}

impl<P: WasmTyList, R: WasmTyList> TypedFunc<P, R> {
    /// `func`, whose type is `P -> R` by construction (see
    /// `Func::known_typed`): nothing to check.
    pub(crate) fn known(func: Func) -> TypedFunc<P, R> {
        TypedFunc {
            raw: func.raw,
            store: func.store,
            call: func.wasmtime.core().wasmtime_func_call_unchecked,
            func,
            _types: PhantomData,
        }
    }

    pub(crate) fn new(func: &Func) -> Result<TypedFunc<P, R>> {
        let ty = func.ty_ref();
        if !signature_fits(ty, P::TYPES, R::TYPES) {
            return Err(ErrorKind::TypeMismatch(format!(
                "the function's type is {ty}, but it was asked for as {}",
                crate::types::FuncType::new(P::TYPES.iter().cloned(), R::TYPES.iter().cloned())
            ))
            .into());
        }
        Ok(TypedFunc {
            raw: func.raw,
            store: func.store,
            call: func.wasmtime.core().wasmtime_func_call_unchecked,
            func: func.clone(),
            _types: PhantomData,
        })
    }

    /// Calls the function.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Instance, Store};
    /// # let (mut store, instance): (Store<()>, Instance) = unimplemented!();
    /// let add = instance.get_typed_func::<(i32, i32), i32>(&mut store, "add")?;
    /// assert_eq!(add.call(&mut store, (2, 3))?, 5);
    /// let pair = instance.get_typed_func::<(), (i32, i64)>(&mut store, "pair")?;
    /// let (a, b) = pair.call(&mut store, ())?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// a [`Trap`](crate::Trap) when wasm traps (a host function's error or panic
    /// also arrives as a trap; a panic is resumed here instead);
    /// [`ErrorKind::WrongStore`] when `store` is not the function's store.
    #[inline]
    pub fn call(&self, mut store: impl AsContextMut, params: P) -> Result<R> {
        let mut cx = store.as_context_mut();
        cx.check(self.store, "the function")?;
        cx.check_sync_call()?;
        if !(P::NUMBERS && R::NUMBERS) {
            return self.call_checked(&mut cx, params);
        }
        let mut slots = MaybeUninit::<Slots<P::Array, R::Array>>::uninit();
        let ptr = slots.as_mut_ptr().cast::<wasmtime_val_raw_t>();
        let len = if P::LEN > R::LEN { P::LEN } else { R::LEN };
        let mut trap = std::ptr::null_mut();
        // SAFETY: `slots` has room for `len` values; the function belongs
        // to this live store (checked) and its type matches `P -> R`
        // (checked in `new`), so the C side reads `P::LEN` values and writes
        // `R::LEN` values of the declared types.
        let error = unsafe {
            params.store(ptr);
            (self.call)(cx.context(), &self.raw, ptr, len, &mut trap)
        };
        if !error.is_null() || !trap.is_null() {
            // SAFETY: fresh, owned error or trap of this store's library.
            // (A fresh view, so the hot path need not keep `cx` in memory.)
            return Err(unsafe { call_failed(&mut cx.as_context_mut(), error, trap) });
        }
        // SAFETY: on success the slots hold the results.
        Ok(unsafe { R::load(ptr) })
    }

    /// A call with references: through the untyped function's checked
    /// call, where Wasmtime checks each reference's type.
    #[cold]
    fn call_checked<T>(&self, cx: &mut StoreContextMut<'_, T>, params: P) -> Result<R> {
        let args = params.into_vals(cx)?;
        let mut results: Vec<Val> = R::TYPES.iter().map(Val::default_for).collect();
        self.func.call_checked(cx, &args, &mut results)?;
        R::from_vals(cx, results)
    }

    /// The untyped function.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Instance, Store, TypedFunc};
    /// # let (mut store, instance): (Store<()>, Instance) = unimplemented!();
    /// let add: TypedFunc<(i32, i32), i32> = instance.get_typed_func(&mut store, "add")?;
    /// assert_eq!(add.func().ty(&store).to_string(), "(i32, i32) -> (i32)");
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn func(&self) -> &Func {
        &self.func
    }
}
