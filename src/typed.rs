//! Statically typed calls: [`TypedFunc`], and the traits that map Rust
//! types and tuples to WebAssembly signatures.

use crate::error::{ErrorKind, Result};
use crate::func::{call_failed, Func};
use crate::store::AsContextMut;
use crate::sys::fns;
use crate::sys::types::*;
use crate::types::ValType;
use crate::val::V128;
use std::marker::PhantomData;
use std::mem::MaybeUninit;

mod sealed {
    pub trait Sealed {}
}

/// A Rust type that is a WebAssembly number type: `i32`, `u32`, `i64`,
/// `u64`, `f32`, `f64`, [`V128`].
///
/// ```
/// use wasmtime_dyn::{ValType, WasmTy, V128};
/// assert_eq!(<u32 as WasmTy>::TYPE, ValType::I32); // unsigned: the same wasm type
/// assert_eq!(<f64 as WasmTy>::TYPE, ValType::F64);
/// assert_eq!(<V128 as WasmTy>::TYPE, ValType::V128);
/// ```
pub trait WasmTy: sealed::Sealed + Copy + Send + Sync + 'static {
    /// The WebAssembly type.
    const TYPE: ValType;
    #[doc(hidden)]
    fn into_raw(self) -> wasmtime_val_raw_t;
    #[doc(hidden)]
    /// # Safety
    ///
    /// `raw` holds a value of type `TYPE`.
    unsafe fn from_raw(raw: &wasmtime_val_raw_t) -> Self;
}

macro_rules! wasm_ty {
    ($($ty:ty => $vt:ident, $field:ident, $to:expr, $from:expr;)*) => {
        $(
            impl sealed::Sealed for $ty {}
            impl WasmTy for $ty {
                const TYPE: ValType = ValType::$vt;
                #[inline(always)]
                fn into_raw(self) -> wasmtime_val_raw_t {
                    wasmtime_val_raw_t { $field: $to(self) }
                }
                #[inline(always)]
                unsafe fn from_raw(raw: &wasmtime_val_raw_t) -> Self {
                    // SAFETY: the caller guarantees the member is `$field`.
                    $from(unsafe { raw.$field })
                }
            }
        )*
    };
}

wasm_ty! {
    i32 => I32, i32_, |v| v, |v| v;
    u32 => I32, i32_, |v: u32| v as i32, |v: i32| v as u32;
    i64 => I64, i64_, |v| v, |v| v;
    u64 => I64, i64_, |v: u64| v as i64, |v: i64| v as u64;
    f32 => F32, f32_, |v| v, |v| v;
    f64 => F64, f64_, |v| v, |v| v;
    V128 => V128, v128, V128::to_le_bytes, V128::from_le_bytes;
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
}

impl<A: WasmTy> WasmTyList for A {
    const LEN: usize = 1;
    const TYPES: &'static [ValType] = &[A::TYPE];
    type Array = [wasmtime_val_raw_t; 1];
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
    pub(crate) fn new(func: &Func) -> Result<TypedFunc<P, R>> {
        let ty = func.ty_ref();
        if ty.params() != P::TYPES || ty.results() != R::TYPES {
            return Err(ErrorKind::TypeMismatch(format!(
                "the function's type is {ty}, but it was asked for as {}",
                crate::types::FuncType::new(P::TYPES.iter().copied(), R::TYPES.iter().copied())
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
