//! WebAssembly values, and their two C encodings: the 16-byte
//! `wasmtime_val_raw_t` of unchecked calls (one layout in every build) and
//! `wasmtime_val_t`, whose layout depends on the library's [`ValAbi`].

use crate::capability::Capability;
use crate::error::{ErrorKind, Result};
use crate::func::Func;
use crate::gc::{AnyRef, ArrayRef, EqRef, ExnRef, StructRef};
use crate::loader::ValAbi;
use crate::store::StoreContextMut;
use crate::sys::types::*;
use crate::types::{HeapType, RefType, ValType};
use std::borrow::Borrow;

mod externref;
pub(crate) mod roots36;
mod v128;

pub use externref::ExternRef;
pub use v128::V128;

/// Wasmtime 36's value: its union is the first 16 bytes of the wide one
/// (numbers, `v128` and `funcref` at the same offsets, references cut to
/// their first 16 bytes, which are all 36's references have).
type ValV36 = crate::sys::val_v36::wasmtime_val_t;

const _: () = {
    assert!(size_of::<ValV36>() == 24);
    assert!(size_of::<crate::sys::val_v36::wasmtime_valunion_t>() == 16);
    assert!(size_of::<crate::sys::val_v36::wasmtime_externref_t>() == 16);
    assert!(size_of::<crate::sys::val_v36::wasmtime_anyref_t>() == 16);
    assert!(std::mem::offset_of!(ValV36, of) == std::mem::offset_of!(wasmtime_val_t, of));
    assert!(size_of::<wasmtime_val_t>() == 32);
};

/// `v` in Wasmtime 36's layout ([`ValAbi::V36`]).
pub(crate) fn to_v36(v: &wasmtime_val_t) -> ValV36 {
    // SAFETY: all-zero is a valid value of the plain C type.
    let mut out: ValV36 = unsafe { std::mem::zeroed() };
    out.kind = v.kind;
    // SAFETY: both unions are plain bytes (no padding before their members,
    // which all start at offset 0); 36's is the first 16 bytes of the wide
    // one (the assertions above), every member of it as wide's.
    unsafe {
        copy_v36_union(
            std::ptr::from_ref(&v.of).cast(),
            std::ptr::from_mut(&mut out.of).cast(),
        )
    };
    out
}

/// Copies the bytes of 36's value union, which every union here starts
/// with.
///
/// # Safety
///
/// `src` and `dst` are valid for that many bytes and do not overlap.
unsafe fn copy_v36_union(src: *const u8, dst: *mut u8) {
    // SAFETY: the caller's contract.
    unsafe {
        std::ptr::copy_nonoverlapping(
            src,
            dst,
            size_of::<crate::sys::val_v36::wasmtime_valunion_t>(),
        )
    };
}

/// A value of Wasmtime 36's layout as the wide one, the references' field
/// 36 lacks zeroed.
pub(crate) fn from_v36(v: &ValV36) -> wasmtime_val_t {
    // SAFETY: all-zero is a valid value of the plain C type.
    let mut out: wasmtime_val_t = unsafe { std::mem::zeroed() };
    out.kind = v.kind;
    // SAFETY: as in `to_v36`, the other way.
    unsafe {
        copy_v36_union(
            std::ptr::from_ref(&v.of).cast(),
            std::ptr::from_mut(&mut out.of).cast(),
        )
    };
    out
}

/// The `index`th `wasmtime_val_t` of an array the library lends or fills,
/// whose stride is `abi`'s value size.
///
/// # Safety
///
/// `base` points to an array of at least `index + 1` values of `abi`'s
/// layout.
pub(crate) unsafe fn nth_val(
    abi: ValAbi,
    base: *mut wasmtime_val_t,
    index: usize,
) -> *mut wasmtime_val_t {
    // SAFETY: within the array (contract).
    unsafe { base.cast::<u8>().add(index * abi.val_size()).cast() }
}

/// The Gc table of `wasmtime`, which every reference operation needs.
pub(crate) fn gc_table(
    wasmtime: &'static crate::Wasmtime,
) -> Result<&'static crate::sys::tables::Gc> {
    wasmtime
        .tables()
        .gc
        .as_ref()
        .ok_or_else(|| ErrorKind::Unsupported(Capability::Gc).into())
}

/// A WebAssembly value.
///
/// Floats are kept as their bits, so NaN payloads survive round trips.
///
/// ```
/// use wasmtime_dyn::{Val, ValType};
/// let v = Val::from(1.5f32);
/// assert_eq!(v.ty(), ValType::F32);
/// assert_eq!(v.f32(), Some(1.5));
/// assert_eq!(Val::I32(7).i32(), Some(7));
/// ```
#[derive(Clone, Debug)]
pub enum Val {
    /// An `i32`.
    I32(i32),
    /// An `i64`.
    I64(i64),
    /// An `f32`, as its bits.
    F32(u32),
    /// An `f64`, as its bits.
    F64(u64),
    /// A `v128`.
    V128(V128),
    /// A nullable function reference.
    FuncRef(Option<Func>),
    /// A nullable external reference (needs the [`Gc`](Capability::Gc)
    /// capability).
    ExternRef(Option<ExternRef>),
    /// A nullable reference of the GC proposal's `any` hierarchy: a struct,
    /// an array, an `i31` (needs the [`Gc`](Capability::Gc) capability).
    AnyRef(Option<AnyRef>),
    /// A nullable exception reference (needs the [`Gc`](Capability::Gc)
    /// capability).
    ExnRef(Option<ExnRef>),
}

impl Val {
    /// The value's type, as far as it is known without its store: a
    /// number's type, `funcref` and `externref` for those references, the
    /// bottom types `nullref` and `nullexnref` for a null of the `any` and
    /// `exn` hierarchies, and `(ref any)` and `(ref exn)` for the others
    /// (their precise type is [`AnyRef::ty`] and [`ExnRef::ty`]).
    ///
    /// ```
    /// use wasmtime_dyn::{Val, ValType};
    /// assert_eq!(Val::I64(1).ty(), ValType::I64);
    /// assert_eq!(Val::FuncRef(None).ty(), ValType::FuncRef);
    /// assert_eq!(Val::AnyRef(None).ty(), ValType::NULLREF);
    /// ```
    pub fn ty(&self) -> ValType {
        match self {
            Val::I32(_) => ValType::I32,
            Val::I64(_) => ValType::I64,
            Val::F32(_) => ValType::F32,
            Val::F64(_) => ValType::F64,
            Val::V128(_) => ValType::V128,
            Val::FuncRef(_) => ValType::FuncRef,
            Val::ExternRef(_) => ValType::ExternRef,
            Val::AnyRef(None) => ValType::NULLREF,
            Val::AnyRef(Some(_)) => ValType::Ref(RefType::new(false, HeapType::Any)),
            Val::ExnRef(None) => ValType::NULLEXNREF,
            Val::ExnRef(Some(_)) => ValType::Ref(RefType::new(false, HeapType::Exn)),
        }
    }

    /// Whether the value is of type `ty`, as far as that is known without
    /// the store: `Some(true)` or `Some(false)` when it is sure, `None`
    /// when only the library can tell (a reference's concrete type, a
    /// non-null function or GC reference against a narrower type).
    pub(crate) fn fits(&self, ty: &ValType) -> Option<bool> {
        let Some(r) = ty.as_ref() else {
            return Some(self.ty() == *ty);
        };
        let heap = r.heap_type();
        let top = match self {
            Val::FuncRef(_) => HeapType::Func,
            Val::ExternRef(_) => HeapType::Extern,
            Val::AnyRef(_) => HeapType::Any,
            Val::ExnRef(_) => HeapType::Exn,
            _ => return Some(false),
        };
        if heap.top() != top {
            return Some(false);
        }
        let is_null = matches!(
            self,
            Val::FuncRef(None) | Val::ExternRef(None) | Val::AnyRef(None) | Val::ExnRef(None)
        );
        if is_null {
            return Some(r.is_nullable());
        }
        if heap.is_top() {
            Some(true)
        } else if heap.is_bottom() {
            Some(false)
        } else if matches!(self, Val::ExternRef(_)) {
            // `extern` has no type between its top and bottom.
            Some(true)
        } else {
            None
        }
    }

    /// A null reference of the `any` hierarchy, as the crate's
    /// `null_any_ref`.
    ///
    /// ```
    /// use wasmtime_dyn::Val;
    /// assert!(matches!(Val::null_any_ref(), Val::AnyRef(None)));
    /// ```
    pub fn null_any_ref() -> Val {
        Val::AnyRef(None)
    }

    /// A null function reference.
    ///
    /// ```
    /// use wasmtime_dyn::Val;
    /// assert!(matches!(Val::null_func_ref(), Val::FuncRef(None)));
    /// ```
    pub fn null_func_ref() -> Val {
        Val::FuncRef(None)
    }

    /// A null external reference.
    ///
    /// ```
    /// use wasmtime_dyn::Val;
    /// assert!(matches!(Val::null_extern_ref(), Val::ExternRef(None)));
    /// ```
    pub fn null_extern_ref() -> Val {
        Val::ExternRef(None)
    }

    /// A null exception reference.
    ///
    /// ```
    /// use wasmtime_dyn::Val;
    /// assert!(matches!(Val::null_exn_ref(), Val::ExnRef(None)));
    /// ```
    pub fn null_exn_ref() -> Val {
        Val::ExnRef(None)
    }

    /// Whether this is a null reference.
    ///
    /// ```
    /// use wasmtime_dyn::Val;
    /// assert!(Val::AnyRef(None).is_null());
    /// assert!(!Val::I32(0).is_null());
    /// ```
    pub fn is_null(&self) -> bool {
        matches!(
            self,
            Val::FuncRef(None) | Val::ExternRef(None) | Val::AnyRef(None) | Val::ExnRef(None)
        )
    }

    /// The `i32`, if it is one.
    ///
    /// ```
    /// use wasmtime_dyn::Val;
    /// assert_eq!(Val::I32(-1).i32(), Some(-1));
    /// assert_eq!(Val::I64(-1).i32(), None);
    /// ```
    pub fn i32(&self) -> Option<i32> {
        match self {
            Val::I32(v) => Some(*v),
            _ => None,
        }
    }

    /// The `i64`, if it is one.
    ///
    /// ```
    /// use wasmtime_dyn::Val;
    /// assert_eq!(Val::from(1i64 << 40).i64(), Some(1 << 40));
    /// assert_eq!(Val::I32(1).i64(), None);
    /// ```
    pub fn i64(&self) -> Option<i64> {
        match self {
            Val::I64(v) => Some(*v),
            _ => None,
        }
    }

    /// The `f32`, if it is one.
    ///
    /// ```
    /// use wasmtime_dyn::Val;
    /// // A NaN keeps its payload bits.
    /// let nan = f32::from_bits(0x7fc0_0001);
    /// assert_eq!(Val::from(nan).f32().map(f32::to_bits), Some(0x7fc0_0001));
    /// assert_eq!(Val::F64(0).f32(), None);
    /// ```
    pub fn f32(&self) -> Option<f32> {
        match self {
            Val::F32(v) => Some(f32::from_bits(*v)),
            _ => None,
        }
    }

    /// The `f64`, if it is one.
    ///
    /// ```
    /// use wasmtime_dyn::Val;
    /// assert_eq!(Val::from(2.5f64).f64(), Some(2.5));
    /// assert_eq!(Val::F64(0x3ff0_0000_0000_0000).f64(), Some(1.0)); // from its bits
    /// ```
    pub fn f64(&self) -> Option<f64> {
        match self {
            Val::F64(v) => Some(f64::from_bits(*v)),
            _ => None,
        }
    }

    /// The `v128`, if it is one.
    ///
    /// ```
    /// use wasmtime_dyn::{Val, V128};
    /// assert_eq!(Val::V128(V128::from(5)).v128(), Some(V128::from(5)));
    /// assert_eq!(Val::I32(5).v128(), None);
    /// ```
    pub fn v128(&self) -> Option<V128> {
        match self {
            Val::V128(v) => Some(*v),
            _ => None,
        }
    }

    /// The function reference, if it is one (`Some(None)` for null).
    ///
    /// ```
    /// use wasmtime_dyn::Val;
    /// assert!(matches!(Val::FuncRef(None).funcref(), Some(None))); // a null funcref
    /// assert!(Val::I32(0).funcref().is_none()); // not a funcref
    /// ```
    pub fn funcref(&self) -> Option<Option<&Func>> {
        match self {
            Val::FuncRef(f) => Some(f.as_ref()),
            _ => None,
        }
    }

    /// The external reference, if it is one (`Some(None)` for null).
    ///
    /// ```
    /// use wasmtime_dyn::Val;
    /// assert!(matches!(Val::ExternRef(None).externref(), Some(None))); // a null externref
    /// assert!(Val::FuncRef(None).externref().is_none()); // not an externref
    /// ```
    pub fn externref(&self) -> Option<Option<&ExternRef>> {
        match self {
            Val::ExternRef(r) => Some(r.as_ref()),
            _ => None,
        }
    }

    /// The `any` reference, if it is one (`Some(None)` for null).
    ///
    /// ```
    /// use wasmtime_dyn::Val;
    /// assert!(matches!(Val::AnyRef(None).anyref(), Some(None)));
    /// assert!(Val::ExternRef(None).anyref().is_none());
    /// ```
    pub fn anyref(&self) -> Option<Option<&AnyRef>> {
        match self {
            Val::AnyRef(r) => Some(r.as_ref()),
            _ => None,
        }
    }

    /// The exception reference, if it is one (`Some(None)` for null).
    ///
    /// ```
    /// use wasmtime_dyn::Val;
    /// assert!(matches!(Val::ExnRef(None).exnref(), Some(None)));
    /// assert!(Val::AnyRef(None).exnref().is_none());
    /// ```
    pub fn exnref(&self) -> Option<Option<&ExnRef>> {
        match self {
            Val::ExnRef(r) => Some(r.as_ref()),
            _ => None,
        }
    }

    /// The `any` reference (`None` for null), as the crate's
    /// `unwrap_anyref`.
    ///
    /// ```
    /// use wasmtime_dyn::Val;
    /// assert!(Val::AnyRef(None).unwrap_anyref().is_none());
    /// ```
    ///
    /// # Panics
    ///
    /// If the value is not an `anyref`.
    #[track_caller]
    pub fn unwrap_anyref(&self) -> Option<&AnyRef> {
        self.anyref().unwrap_or_else(|| self.wrong_kind("anyref"))
    }

    /// The exception reference (`None` for null), as the crate's
    /// `unwrap_exnref`.
    ///
    /// ```
    /// use wasmtime_dyn::Val;
    /// assert!(Val::ExnRef(None).unwrap_exnref().is_none());
    /// ```
    ///
    /// # Panics
    ///
    /// If the value is not an `exnref`.
    #[track_caller]
    pub fn unwrap_exnref(&self) -> Option<&ExnRef> {
        self.exnref().unwrap_or_else(|| self.wrong_kind("exnref"))
    }

    /// The `i32`, as the crate's `unwrap_i32`.
    ///
    /// ```
    /// use wasmtime_dyn::Val;
    /// assert_eq!(Val::I32(7).unwrap_i32(), 7);
    /// assert!(std::panic::catch_unwind(|| Val::I64(7).unwrap_i32()).is_err());
    /// ```
    ///
    /// # Panics
    ///
    /// If the value is not an `i32`.
    #[track_caller]
    pub fn unwrap_i32(&self) -> i32 {
        self.i32().unwrap_or_else(|| self.wrong_kind("i32"))
    }

    /// The `i64`, as the crate's `unwrap_i64`.
    ///
    /// ```
    /// use wasmtime_dyn::Val;
    /// assert_eq!(Val::I64(7).unwrap_i64(), 7);
    /// assert!(std::panic::catch_unwind(|| Val::I32(7).unwrap_i64()).is_err());
    /// ```
    ///
    /// # Panics
    ///
    /// If the value is not an `i64`.
    #[track_caller]
    pub fn unwrap_i64(&self) -> i64 {
        self.i64().unwrap_or_else(|| self.wrong_kind("i64"))
    }

    /// The `f32`, as the crate's `unwrap_f32`.
    ///
    /// ```
    /// use wasmtime_dyn::Val;
    /// assert_eq!(Val::from(1.5f32).unwrap_f32(), 1.5);
    /// assert!(std::panic::catch_unwind(|| Val::I32(7).unwrap_f32()).is_err());
    /// ```
    ///
    /// # Panics
    ///
    /// If the value is not an `f32`.
    #[track_caller]
    pub fn unwrap_f32(&self) -> f32 {
        self.f32().unwrap_or_else(|| self.wrong_kind("f32"))
    }

    /// The `f64`, as the crate's `unwrap_f64`.
    ///
    /// ```
    /// use wasmtime_dyn::Val;
    /// assert_eq!(Val::from(1.5f64).unwrap_f64(), 1.5);
    /// assert!(std::panic::catch_unwind(|| Val::I32(7).unwrap_f64()).is_err());
    /// ```
    ///
    /// # Panics
    ///
    /// If the value is not an `f64`.
    #[track_caller]
    pub fn unwrap_f64(&self) -> f64 {
        self.f64().unwrap_or_else(|| self.wrong_kind("f64"))
    }

    /// The `v128`, as the crate's `unwrap_v128`.
    ///
    /// ```
    /// use wasmtime_dyn::{Val, V128};
    /// assert_eq!(Val::V128(V128::from(5)).unwrap_v128(), V128::from(5));
    /// assert!(std::panic::catch_unwind(|| Val::I32(7).unwrap_v128()).is_err());
    /// ```
    ///
    /// # Panics
    ///
    /// If the value is not an `v128`.
    #[track_caller]
    pub fn unwrap_v128(&self) -> V128 {
        self.v128().unwrap_or_else(|| self.wrong_kind("v128"))
    }

    /// The function reference (`None` for null), as the crate's
    /// `unwrap_funcref`.
    ///
    /// ```
    /// use wasmtime_dyn::Val;
    /// assert!(Val::FuncRef(None).unwrap_funcref().is_none());
    /// ```
    ///
    /// # Panics
    ///
    /// If the value is not a `funcref`.
    #[track_caller]
    pub fn unwrap_funcref(&self) -> Option<&Func> {
        self.funcref().unwrap_or_else(|| self.wrong_kind("funcref"))
    }

    /// The external reference (`None` for null), as the crate's
    /// `unwrap_externref`.
    ///
    /// ```
    /// use wasmtime_dyn::Val;
    /// assert!(Val::ExternRef(None).unwrap_externref().is_none());
    /// ```
    ///
    /// # Panics
    ///
    /// If the value is not an `externref`.
    #[track_caller]
    pub fn unwrap_externref(&self) -> Option<&ExternRef> {
        self.externref()
            .unwrap_or_else(|| self.wrong_kind("externref"))
    }

    #[cold]
    #[track_caller]
    fn wrong_kind(&self, wanted: &str) -> ! {
        panic!(
            "expected a value of type {wanted}, found one of type {}",
            self.ty()
        )
    }

    /// The zero value of a number type, or the null reference of a
    /// reference type's hierarchy (for a non-null type too: a placeholder,
    /// such as the initial value of a call's results, not a value of it).
    ///
    /// ```
    /// use wasmtime_dyn::{Val, ValType};
    /// assert_eq!(Val::default_for(ValType::F64).f64(), Some(0.0));
    /// assert!(matches!(Val::default_for(ValType::ExternRef), Val::ExternRef(None)));
    /// assert!(matches!(Val::default_for(&ValType::EQREF), Val::AnyRef(None)));
    /// ```
    pub fn default_for(ty: impl Borrow<ValType>) -> Val {
        match ty.borrow() {
            ValType::I32 => Val::I32(0),
            ValType::I64 => Val::I64(0),
            ValType::F32 => Val::F32(0),
            ValType::F64 => Val::F64(0),
            ValType::V128 => Val::V128(V128(0)),
            ValType::FuncRef => Val::FuncRef(None),
            ValType::ExternRef => Val::ExternRef(None),
            ValType::Ref(r) => match r.heap_type().top() {
                HeapType::Func => Val::FuncRef(None),
                HeapType::Extern => Val::ExternRef(None),
                HeapType::Exn => Val::ExnRef(None),
                _ => Val::AnyRef(None),
            },
        }
    }

    /// The raw encoding for an unchecked call.
    #[inline]
    pub(crate) fn to_raw<T>(&self, cx: &mut StoreContextMut<'_, T>) -> Result<wasmtime_val_raw_t> {
        if let Some(raw) = self.number_to_raw() {
            return Ok(raw);
        }
        Ok(match self {
            Val::I32(_) | Val::I64(_) | Val::F32(_) | Val::F64(_) | Val::V128(_) => {
                unreachable!("numbers are encoded by number_to_raw")
            }
            Val::FuncRef(None) => wasmtime_val_raw_t {
                funcref: std::ptr::null_mut(),
            },
            Val::FuncRef(Some(f)) => {
                cx.check(f.store, "a funcref argument")?;
                // SAFETY: the function belongs to this live store (checked).
                let raw =
                    unsafe { (cx.wasmtime().core().wasmtime_func_to_raw)(cx.context(), &f.raw) };
                wasmtime_val_raw_t { funcref: raw }
            }
            Val::ExternRef(None) => wasmtime_val_raw_t { externref: 0 },
            Val::ExternRef(Some(r)) => {
                let gc = gc_table(cx.wasmtime())?;
                cx.check(r.store, "an externref argument")?;
                // SAFETY: the reference is rooted in this live store.
                let raw = unsafe { (gc.wasmtime_externref_to_raw)(cx.context(), &r.raw) };
                wasmtime_val_raw_t { externref: raw }
            }
            // GC and exception references go through the checked paths,
            // where Wasmtime checks their types.
            Val::AnyRef(_) | Val::ExnRef(_) => {
                return Err(ErrorKind::TypeMismatch(format!(
                    "a {} where a number, funcref or externref is expected",
                    self.ty()
                ))
                .into())
            }
        })
    }

    /// The raw encoding of a number; `None` for a reference, which needs
    /// its store ([`Val::to_raw`]).
    #[inline]
    pub(crate) fn number_to_raw(&self) -> Option<wasmtime_val_raw_t> {
        Some(match self {
            Val::I32(v) => wasmtime_val_raw_t { i32_: *v },
            Val::I64(v) => wasmtime_val_raw_t { i64_: *v },
            Val::F32(v) => wasmtime_val_raw_t {
                f32_: f32::from_bits(*v),
            },
            Val::F64(v) => wasmtime_val_raw_t {
                f64_: f64::from_bits(*v),
            },
            Val::V128(v) => wasmtime_val_raw_t {
                v128: v.to_le_bytes(),
            },
            Val::FuncRef(_) | Val::ExternRef(_) | Val::AnyRef(_) | Val::ExnRef(_) => return None,
        })
    }

    /// Decodes a raw number of type `ty`; `None` for a reference type, which
    /// needs its store ([`Val::from_raw`]).
    ///
    /// # Safety
    ///
    /// `raw` holds a value of type `ty`.
    #[inline]
    pub(crate) unsafe fn number_from_raw(raw: &wasmtime_val_raw_t, ty: &ValType) -> Option<Val> {
        // SAFETY: the union member read is the one `ty` says was written.
        unsafe {
            Some(match ty {
                ValType::I32 => Val::I32(raw.i32_),
                ValType::I64 => Val::I64(raw.i64_),
                ValType::F32 => Val::F32(raw.f32_.to_bits()),
                ValType::F64 => Val::F64(raw.f64_.to_bits()),
                ValType::V128 => Val::V128(V128::from_le_bytes(raw.v128)),
                ValType::FuncRef | ValType::ExternRef | ValType::Ref(_) => return None,
            })
        }
    }

    /// Decodes a raw value of type `ty`.
    ///
    /// # Safety
    ///
    /// `raw` holds a value of type `ty` written by this store's library.
    #[inline]
    pub(crate) unsafe fn from_raw<T>(
        cx: &mut StoreContextMut<'_, T>,
        raw: &wasmtime_val_raw_t,
        ty: &ValType,
    ) -> Result<Val> {
        // SAFETY: the union member read is the one `ty` says was written.
        if let Some(number) = unsafe { Val::number_from_raw(raw, ty) } {
            return Ok(number);
        }
        // SAFETY: as above.
        unsafe {
            Ok(match ty {
                ValType::I32 | ValType::I64 | ValType::F32 | ValType::F64 | ValType::V128 => {
                    unreachable!("numbers are decoded by number_from_raw")
                }
                ValType::FuncRef => {
                    if raw.funcref.is_null() {
                        Val::FuncRef(None)
                    } else {
                        let mut func = std::mem::MaybeUninit::<wasmtime_func_t>::uninit();
                        (cx.wasmtime().core().wasmtime_func_from_raw)(
                            cx.context(),
                            raw.funcref,
                            func.as_mut_ptr(),
                        );
                        Val::FuncRef(Some(Func::from_c(cx, func.assume_init())?))
                    }
                }
                ValType::ExternRef => {
                    if raw.externref == 0 {
                        Val::ExternRef(None)
                    } else {
                        let gc = gc_table(cx.wasmtime())?;
                        // Zeroed: Wasmtime 36 writes the first 16 of its 24 bytes.
                        let mut out = std::mem::MaybeUninit::<wasmtime_externref_t>::zeroed();
                        (gc.wasmtime_externref_from_raw)(
                            cx.context(),
                            raw.externref,
                            out.as_mut_ptr(),
                        );
                        Val::ExternRef(Some(ExternRef::from_rooted(cx, out.assume_init())))
                    }
                }
                // Only simple types travel raw (see `ValType::is_simple`).
                ValType::Ref(_) => {
                    return Err(ErrorKind::TypeMismatch(format!(
                        "a raw value of type {ty}, which travels through checked calls only"
                    ))
                    .into())
                }
            })
        }
    }

    /// The `wasmtime_val_t` encoding, borrowed by the C call it is passed
    /// to. Built in the 32-byte buffer of the GC layout, which the 24-byte
    /// layouts are a prefix of for every value they can hold (36's
    /// references are the first 16 bytes of the wide ones; the rest is
    /// zero).
    pub(crate) fn to_c<T>(&self, cx: &mut StoreContextMut<'_, T>) -> Result<wasmtime_val_t> {
        let abi = cx.wasmtime().val_abi();
        if self.ty().is_ref() && !abi.holds_references() {
            return Err(ErrorKind::Unsupported(Capability::Gc).into());
        }
        // SAFETY: all-zero is a valid `wasmtime_val_t` (kind 0 = i32 0).
        let mut out: wasmtime_val_t = unsafe { std::mem::zeroed() };
        match self {
            Val::I32(v) => {
                out.kind = WASMTIME_I32 as u8;
                out.of.i32_ = *v;
            }
            Val::I64(v) => {
                out.kind = WASMTIME_I64 as u8;
                out.of.i64_ = *v;
            }
            Val::F32(v) => {
                out.kind = WASMTIME_F32 as u8;
                out.of.f32_ = f32::from_bits(*v);
            }
            Val::F64(v) => {
                out.kind = WASMTIME_F64 as u8;
                out.of.f64_ = f64::from_bits(*v);
            }
            Val::V128(v) => {
                out.kind = WASMTIME_V128 as u8;
                out.of.v128 = v.to_le_bytes();
            }
            Val::FuncRef(f) => {
                out.kind = WASMTIME_FUNCREF as u8;
                if let Some(f) = f {
                    cx.check(f.store, "a funcref value")?;
                    out.of.funcref = f.raw;
                }
            }
            Val::ExternRef(r) => {
                out.kind = WASMTIME_EXTERNREF as u8;
                if let Some(r) = r {
                    cx.check(r.store, "an externref value")?;
                    out.of.externref = r.raw;
                }
            }
            Val::AnyRef(r) => {
                out.kind = WASMTIME_ANYREF as u8;
                if let Some(r) = r {
                    cx.check(r.store, "an anyref value")?;
                    out.of.anyref = r.raw;
                }
            }
            Val::ExnRef(r) => {
                out.kind = WASMTIME_EXNREF as u8;
                if let Some(r) = r {
                    cx.check(r.store, "an exnref value")?;
                    out.of.exnref = r.raw;
                }
            }
        }
        Ok(out)
    }

    /// Takes ownership of a `wasmtime_val_t` the library wrote.
    ///
    /// # Safety
    ///
    /// `val` was written by this store's library in its value layout and is
    /// owned by the caller (its references are rooted and now belong to the
    /// returned value).
    pub(crate) unsafe fn from_c<T>(
        cx: &mut StoreContextMut<'_, T>,
        val: &wasmtime_val_t,
    ) -> Result<Val> {
        // SAFETY: the member read is the one `kind` names; for both layouts
        // the payload of the kinds they share sits at the same offset. A
        // value of another kind is owned by the caller (contract) and is
        // unrooted once, from a bitwise copy that is not used afterwards.
        unsafe {
            Ok(match u32::from(val.kind) {
                WASMTIME_I32 => Val::I32(val.of.i32_),
                WASMTIME_I64 => Val::I64(val.of.i64_),
                WASMTIME_F32 => Val::F32(val.of.f32_.to_bits()),
                WASMTIME_F64 => Val::F64(val.of.f64_.to_bits()),
                WASMTIME_V128 => Val::V128(V128::from_le_bytes(val.of.v128)),
                WASMTIME_FUNCREF => {
                    let f = val.of.funcref;
                    if f.store_id == 0 {
                        Val::FuncRef(None)
                    } else {
                        Val::FuncRef(Some(Func::from_c(cx, f)?))
                    }
                }
                WASMTIME_EXTERNREF => {
                    let r = val.of.externref;
                    if r.store_id == 0 {
                        Val::ExternRef(None)
                    } else {
                        Val::ExternRef(Some(ExternRef::from_rooted(cx, r)))
                    }
                }
                WASMTIME_ANYREF => Val::AnyRef(AnyRef::from_rooted_opt(cx, val.of.anyref)),
                WASMTIME_EXNREF => Val::ExnRef(ExnRef::from_rooted_opt(cx, val.of.exnref)),
                other => {
                    return Err(ErrorKind::Invalid(format!(
                        "a value of unknown kind {other} from the C API"
                    ))
                    .into());
                }
            })
        }
    }
}

macro_rules! from_number {
    ($($ty:ty => $variant:ident($conv:expr)),*) => {
        $(
            impl From<$ty> for Val {
                fn from(v: $ty) -> Val {
                    Val::$variant($conv(v))
                }
            }
        )*
    };
}

from_number!(
    i32 => I32(|v| v),
    i64 => I64(|v| v),
    f32 => F32(f32::to_bits),
    f64 => F64(f64::to_bits),
    V128 => V128(|v| v)
);

macro_rules! from_ref {
    ($($ty:ty => $variant:ident($conv:expr)),*) => {
        $(
            impl From<$ty> for Val {
                fn from(r: $ty) -> Val {
                    Val::$variant(Some($conv(r)))
                }
            }

            impl From<Option<$ty>> for Val {
                fn from(r: Option<$ty>) -> Val {
                    Val::$variant(r.map($conv))
                }
            }
        )*
    };
}

from_ref!(
    Func => FuncRef(|f| f),
    ExternRef => ExternRef(|r| r),
    AnyRef => AnyRef(|r| r),
    EqRef => AnyRef(AnyRef::from),
    StructRef => AnyRef(AnyRef::from),
    ArrayRef => AnyRef(AnyRef::from),
    ExnRef => ExnRef(|r| r)
);

#[cfg(test)]
mod tests {
    use super::*;

    /// Numbers, `v128` and references keep their bytes through 36's
    /// layout; the wide references' last field, which 36 has not, comes
    /// back zeroed.
    #[test]
    fn values_cross_the_36_layout() {
        // SAFETY: all-zero is a valid value of the plain C type.
        let mut wide: wasmtime_val_t = unsafe { std::mem::zeroed() };
        wide.kind = WASMTIME_V128 as u8;
        wide.of.v128 = *b"0123456789abcdef";
        let back = from_v36(&to_v36(&wide));
        assert_eq!(back.kind, WASMTIME_V128 as u8);
        // SAFETY: the member written.
        assert_eq!(unsafe { back.of.v128 }, *b"0123456789abcdef");
        wide.kind = WASMTIME_EXTERNREF as u8;
        wide.of.externref = wasmtime_externref_t {
            store_id: 7,
            __private1: 8,
            __private2: 9,
            __private3: std::ptr::dangling_mut(),
        };
        let v36 = to_v36(&wide);
        // SAFETY: the member written.
        let r = unsafe { v36.of.externref };
        assert_eq!((r.store_id, r.__private1, r.__private2), (7, 8, 9));
        // SAFETY: the member written.
        let r = unsafe { from_v36(&v36).of.externref };
        assert_eq!((r.store_id, r.__private1, r.__private2), (7, 8, 9));
        assert!(r.__private3.is_null());
        wide.kind = WASMTIME_F64 as u8;
        wide.of.f64_ = -2.5;
        // SAFETY: the member written.
        assert_eq!(unsafe { from_v36(&to_v36(&wide)).of.f64_ }, -2.5);
    }
}
