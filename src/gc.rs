//! References of the GC and exceptions proposals: [`AnyRef`], [`EqRef`],
//! [`I31`], [`StructRef`] and [`ArrayRef`] (allocated through
//! [`StructRefPre`] and [`ArrayRefPre`]), and [`ExnRef`].
//!
//! Every reference is an owned root (the C API's `OwnedRooted`): it keeps
//! its object alive until the handle drops, and dropping it releases the
//! root, with or without its store (a root is a reference count, not a
//! store access). Each handle records the id of its store; using it with
//! another store, or after its store is gone (with a new one), is
//! [`ErrorKind::WrongStore`], checked before the C API is called (Wasmtime
//! panics, aborting the process, on a reference of another store).

use crate::engine::Engine;
use crate::error::{ErrorKind, Result};
use crate::gc_types::{ArrayType, ExnType, StructType};
use crate::loader::Wasmtime;
use crate::store::{AsContext, AsContextMut, StoreContext, StoreContextMut};
use crate::sys::tables::{Absence, Gc, GcSince46, TableId};
use crate::sys::types::*;
use crate::tag::Tag;
use crate::types::HeapType;
use crate::val::{gc_table, Val};
use std::fmt;
use std::mem::MaybeUninit;
use std::sync::Arc;

/// The functions Wasmtime 46 added for the types of references (`*_type`),
/// or why they are missing.
fn gc_since_46(wasmtime: &'static Wasmtime, feature: &'static str) -> Result<&'static GcSince46> {
    gc_table(wasmtime)?;
    wasmtime.tables().gc_since_46.as_ref().ok_or_else(|| {
        let needs = match wasmtime.absence(TableId::GcSince46) {
            Some(Absence::NotInVersion { majors, .. }) => majors.clone(),
            _ => 46..=*crate::SUPPORTED_MAJORS.end(),
        };
        ErrorKind::UnsupportedVersion {
            feature,
            needs,
            found: wasmtime.version(),
        }
        .into()
    })
}

/// The GC table, after checking the reference belongs to `cx`'s store.
fn checked<T>(cx: &StoreContext<'_, T>, store: u64, what: &'static str) -> Result<&'static Gc> {
    let gc = gc_table(cx.wasmtime())?;
    cx.check(store, what)?;
    Ok(gc)
}

/// The GC table, after checking the reference belongs to `cx`'s store.
fn checked_mut<T>(
    cx: &StoreContextMut<'_, T>,
    store: u64,
    what: &'static str,
) -> Result<&'static Gc> {
    let gc = gc_table(cx.wasmtime())?;
    cx.check(store, what)?;
    Ok(gc)
}

/// Reads and deletes a `wasmtime_heaptype_t` the library wrote.
///
/// # Safety
///
/// `ty` was written by `engine`'s library for `engine`'s objects and is
/// owned by the caller; it is deleted here.
unsafe fn take_heaptype(engine: &Engine, ty: &mut wasmtime_heaptype_t) -> Result<HeapType> {
    let core = engine.wasmtime().core();
    let concrete = [
        WASMTIME_HEAPTYPE_KIND_CONCRETE_FUNC,
        WASMTIME_HEAPTYPE_KIND_CONCRETE_ARRAY,
        WASMTIME_HEAPTYPE_KIND_CONCRETE_STRUCT,
        WASMTIME_HEAPTYPE_KIND_CONCRETE_EXN,
    ];
    if concrete.contains(&u32::from(ty.kind)) {
        if let Err(e) = crate::gc_types::concrete_types_readable(engine) {
            // SAFETY: owned by the caller, deleted once.
            unsafe { (core.wasmtime_heaptype_delete)(ty) };
            return Err(e);
        }
    }
    let vt = wasmtime_valtype_t {
        kind: WASMTIME_VALTYPE_KIND_REF as u8,
        reftype: wasmtime_reftype_t {
            nullable: true,
            heaptype: *ty,
        },
    };
    // SAFETY: `vt` borrows the live heap type (converted, not freed).
    let read = unsafe { (core.wasmtime_valtype_to_wasm)(engine.ptr(), &vt) };
    // SAFETY: owned by the caller, deleted once.
    unsafe { (core.wasmtime_heaptype_delete)(ty) };
    // SAFETY: a new owned valtype of this engine, read then deleted; a heap
    // type of a GC reference is never a `cont` type.
    let out = unsafe { crate::gc_types::read_valtype(engine, read) };
    // SAFETY: as above.
    unsafe { (core.wasm_valtype_delete)(read) };
    Ok(out?.unwrap_ref().heap_type().clone())
}

macro_rules! gc_ref {
    ($(#[$doc:meta])* $name:ident, $c:ty, $clone:ident, $unroot:ident, $what:literal) => {
        $(#[$doc])*
        pub struct $name {
            wasmtime: &'static Wasmtime,
            pub(crate) raw: $c,
            /// The id of the store it belongs to.
            pub(crate) store: u64,
        }

        // SAFETY: an owned root is a store id, a root index and a
        // reference-counted liveness flag (Wasmtime's `OwnedRooted` is
        // `Send + Sync`); every use checks the store.
        unsafe impl Send for $name {}
        // SAFETY: as above.
        unsafe impl Sync for $name {}

        impl $name {
            /// What error messages call it.
            const WHAT: &'static str = $what;

            /// Takes ownership of a rooted, non-null reference of `cx`'s
            /// store.
            pub(crate) fn from_rooted<T>(cx: &StoreContextMut<'_, T>, raw: $c) -> $name {
                $name {
                    wasmtime: cx.wasmtime(),
                    raw,
                    store: cx.id(),
                }
            }

            /// Takes ownership of a reference the library wrote, `None`
            /// for null.
            pub(crate) fn from_rooted_opt<T>(cx: &StoreContextMut<'_, T>, raw: $c) -> Option<$name> {
                (raw.store_id != 0).then(|| $name::from_rooted(cx, raw))
            }
        }

        impl Clone for $name {
            fn clone(&self) -> $name {
                let gc = self
                    .wasmtime
                    .tables()
                    .gc
                    .as_ref()
                    .expect("a GC reference exists only with the Gc table");
                let mut raw = MaybeUninit::<$c>::uninit();
                // SAFETY: `self.raw` is a live owned root; the clone is a
                // new root written to `raw` (no store access: a reference
                // count).
                unsafe { (gc.$clone)(&self.raw, raw.as_mut_ptr()) };
                $name {
                    wasmtime: self.wasmtime,
                    // SAFETY: written by the clone.
                    raw: unsafe { raw.assume_init() },
                    store: self.store,
                }
            }
        }

        impl Drop for $name {
            fn drop(&mut self) {
                if let Some(gc) = &self.wasmtime.tables().gc {
                    // SAFETY: the root is owned by this handle and released
                    // once; releasing needs no store (its liveness flag is
                    // reference-counted), so this holds after the store is
                    // gone too.
                    unsafe { (gc.$unroot)(&mut self.raw) };
                }
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name)).finish_non_exhaustive()
            }
        }
    };
}

gc_ref!(
    /// A reference to any GC object of the `any` hierarchy: a struct, an
    /// array, an [`I31`], or a host value converted with
    /// `any.convert_extern` (needs the [`Gc`](crate::Capability::Gc) capability).
    ///
    /// ```no_run
    /// use wasmtime_dyn::{AnyRef, Store, I31};
    /// # let mut store: Store<()> = unimplemented!();
    /// let r = AnyRef::from_i31(&mut store, I31::wrapping_u32(42))?;
    /// assert!(r.is_i31(&store)?);
    /// assert_eq!(r.as_i31(&store)?.map(I31::get_u32), Some(42));
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    AnyRef,
    wasmtime_anyref_t,
    wasmtime_anyref_clone,
    wasmtime_anyref_unroot,
    "the anyref"
);

gc_ref!(
    /// A reference that can be compared with `ref.eq`: a struct, an array
    /// or an [`I31`] (needs the [`Gc`](crate::Capability::Gc) capability).
    ///
    /// ```no_run
    /// use wasmtime_dyn::{EqRef, Store, I31};
    /// # let mut store: Store<()> = unimplemented!();
    /// let r = EqRef::from_i31(&mut store, I31::wrapping_i32(-1))?;
    /// assert_eq!(r.as_i31(&store)?.map(I31::get_i32), Some(-1));
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    EqRef,
    wasmtime_eqref_t,
    wasmtime_eqref_clone,
    wasmtime_eqref_unroot,
    "the eqref"
);

gc_ref!(
    /// A reference to a GC struct (needs the [`Gc`](crate::Capability::Gc)
    /// capability).
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Engine, FieldType, Mutability, Store, StructRef, StructRefPre, StructType, Val, ValType};
    /// # let (engine, mut store): (Engine, Store<()>) = unimplemented!();
    /// let ty = StructType::new(&engine, [FieldType::new(Mutability::Var, ValType::I32.into())])?;
    /// let pre = StructRefPre::new(&mut store, ty)?;
    /// let s = StructRef::new(&mut store, &pre, &[Val::I32(7)])?;
    /// s.set_field(&mut store, 0, Val::I32(8))?;
    /// assert_eq!(s.field(&mut store, 0)?.i32(), Some(8));
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    StructRef,
    wasmtime_structref_t,
    wasmtime_structref_clone,
    wasmtime_structref_unroot,
    "the structref"
);

gc_ref!(
    /// A reference to a GC array (needs the [`Gc`](crate::Capability::Gc)
    /// capability).
    ///
    /// ```no_run
    /// use wasmtime_dyn::{ArrayRef, ArrayRefPre, ArrayType, Engine, FieldType, Mutability, StorageType, Store, Val};
    /// # let (engine, mut store): (Engine, Store<()>) = unimplemented!();
    /// let ty = ArrayType::new(&engine, FieldType::new(Mutability::Var, StorageType::I8))?;
    /// let pre = ArrayRefPre::new(&mut store, ty)?;
    /// let bytes = ArrayRef::new(&mut store, &pre, &Val::I32(0), 16)?;
    /// assert_eq!(bytes.len(&store)?, 16);
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ArrayRef,
    wasmtime_arrayref_t,
    wasmtime_arrayref_clone,
    wasmtime_arrayref_unroot,
    "the arrayref"
);

gc_ref!(
    /// A reference to an exception (exceptions proposal; needs the
    /// [`Gc`](crate::Capability::Gc) capability): its [`Tag`] and payload fields.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{ExnRef, ExnRefPre, ExnType, FuncType, Store, Tag, TagType, Val, ValType};
    /// # let mut store: Store<()> = unimplemented!();
    /// let ty = TagType::new(FuncType::new([ValType::I32], []));
    /// let tag = Tag::new(&mut store, &ty)?;
    /// let pre = ExnRefPre::new(&mut store, ExnType::from_tag_type(store.engine(), &ty)?)?;
    /// let exn = ExnRef::new(&mut store, &pre, &tag, &[Val::I32(42)])?;
    /// assert_eq!(exn.field(&mut store, 0)?.i32(), Some(42));
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ExnRef,
    wasmtime_exnref_t,
    wasmtime_exnref_clone,
    wasmtime_exnref_unroot,
    "the exnref"
);

/// An unboxed 31-bit integer of the `any` hierarchy (`i31ref`'s values).
///
/// ```
/// use wasmtime_dyn::I31;
/// assert_eq!(I31::wrapping_i32(-1).get_u32(), 0x7fff_ffff);
/// assert_eq!(I31::wrapping_i32(-1).get_i32(), -1);
/// assert_eq!(I31::new_u32(1 << 31), None);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct I31(u32);

impl I31 {
    /// `value`, if it fits in 31 unsigned bits.
    ///
    /// ```
    /// use wasmtime_dyn::I31;
    /// assert_eq!(I31::new_u32(5).map(I31::get_u32), Some(5));
    /// ```
    pub fn new_u32(value: u32) -> Option<I31> {
        (value >> 31 == 0).then_some(I31(value))
    }

    /// `value`, if it fits in 31 signed bits.
    ///
    /// ```
    /// use wasmtime_dyn::I31;
    /// assert_eq!(I31::new_i32(-5).map(I31::get_i32), Some(-5));
    /// assert_eq!(I31::new_i32(1 << 30), None);
    /// ```
    pub fn new_i32(value: i32) -> Option<I31> {
        let truncated = I31::wrapping_i32(value);
        (truncated.get_i32() == value).then_some(truncated)
    }

    /// The low 31 bits of `value`.
    ///
    /// ```
    /// use wasmtime_dyn::I31;
    /// assert_eq!(I31::wrapping_u32(u32::MAX).get_u32(), 0x7fff_ffff);
    /// ```
    pub fn wrapping_u32(value: u32) -> I31 {
        I31(value & 0x7fff_ffff)
    }

    /// The low 31 bits of `value`.
    ///
    /// ```
    /// use wasmtime_dyn::I31;
    /// assert_eq!(I31::wrapping_i32(i32::MIN).get_i32(), 0);
    /// ```
    pub fn wrapping_i32(value: i32) -> I31 {
        I31::wrapping_u32(value as u32)
    }

    /// The value, zero-extended (`i31.get_u`).
    ///
    /// ```
    /// use wasmtime_dyn::I31;
    /// assert_eq!(I31::wrapping_i32(-2).get_u32(), 0x7fff_fffe);
    /// ```
    pub fn get_u32(self) -> u32 {
        self.0
    }

    /// The value, sign-extended (`i31.get_s`).
    ///
    /// ```
    /// use wasmtime_dyn::I31;
    /// assert_eq!(I31::wrapping_u32(0x4000_0000).get_i32(), -(1 << 30));
    /// ```
    pub fn get_i32(self) -> i32 {
        ((self.0 << 1) as i32) >> 1
    }
}

macro_rules! i31_methods {
    ($ty:ident, $from_i31:ident, $is_i31:ident, $get_u:ident) => {
        /// A reference to the unboxed integer `value`.
        ///
        /// ```no_run
        #[doc = concat!("use wasmtime_dyn::{", stringify!($ty), ", Store, I31};")]
        /// # let mut store: Store<()> = unimplemented!();
        #[doc = concat!("let r = ", stringify!($ty), "::from_i31(&mut store, I31::wrapping_u32(7))?;")]
        /// assert!(r.is_i31(&store)?);
        /// # Ok::<(), wasmtime_dyn::Error>(())
        /// ```
        ///
        /// # Errors
        ///
        /// [`ErrorKind::Unsupported`]`(Gc)` on a library without GC.
        pub fn from_i31(mut store: impl AsContextMut, value: I31) -> Result<$ty> {
            let cx = store.as_context_mut();
            let gc = gc_table(cx.wasmtime())?;
            let mut out = MaybeUninit::uninit();
            // SAFETY: the context is live; `out` is written with a new root.
            unsafe { (gc.$from_i31)(cx.context(), value.get_u32(), out.as_mut_ptr()) };
            // SAFETY: written above.
            Ok($ty::from_rooted(&cx, unsafe { out.assume_init() }))
        }

        /// Whether this is an unboxed [`I31`].
        ///
        /// ```no_run
        #[doc = concat!("use wasmtime_dyn::{", stringify!($ty), ", Store};")]
        #[doc = concat!("# let (store, r): (Store<()>, ", stringify!($ty), ") = unimplemented!();")]
        /// if r.is_i31(&store)? {
        ///     println!("{:?}", r.as_i31(&store)?);
        /// }
        /// # Ok::<(), wasmtime_dyn::Error>(())
        /// ```
        ///
        /// # Errors
        ///
        /// [`ErrorKind::WrongStore`] if `store` is not the reference's.
        pub fn is_i31(&self, store: impl AsContext) -> Result<bool> {
            let cx = store.as_context();
            let gc = checked(&cx, self.store, Self::WHAT)?;
            // SAFETY: the reference is a live root of this store (checked).
            Ok(unsafe { (gc.$is_i31)(cx.context(), &self.raw) })
        }

        /// The unboxed integer, if this is one.
        ///
        /// ```no_run
        #[doc = concat!("use wasmtime_dyn::{", stringify!($ty), ", Store, I31};")]
        /// # let mut store: Store<()> = unimplemented!();
        #[doc = concat!("let r = ", stringify!($ty), "::from_i31(&mut store, I31::wrapping_u32(3))?;")]
        /// assert_eq!(r.as_i31(&store)?, Some(I31::wrapping_u32(3)));
        /// # Ok::<(), wasmtime_dyn::Error>(())
        /// ```
        ///
        /// # Errors
        ///
        /// [`ErrorKind::WrongStore`] if `store` is not the reference's.
        pub fn as_i31(&self, store: impl AsContext) -> Result<Option<I31>> {
            let cx = store.as_context();
            let gc = checked(&cx, self.store, Self::WHAT)?;
            let mut out = 0u32;
            // SAFETY: the reference is a live root of this store (checked);
            // `out` is written when it is an i31.
            let found = unsafe { (gc.$get_u)(cx.context(), &self.raw, &mut out) };
            Ok(found.then(|| I31::wrapping_u32(out)))
        }

        /// The unboxed integer.
        ///
        /// ```no_run
        #[doc = concat!("use wasmtime_dyn::{", stringify!($ty), ", Store, I31};")]
        /// # let mut store: Store<()> = unimplemented!();
        #[doc = concat!("let r = ", stringify!($ty), "::from_i31(&mut store, I31::wrapping_i32(-3))?;")]
        /// assert_eq!(r.unwrap_i31(&store)?.get_i32(), -3);
        /// # Ok::<(), wasmtime_dyn::Error>(())
        /// ```
        ///
        /// # Errors
        ///
        /// [`ErrorKind::TypeMismatch`] if it is not an `i31` (the
        /// `wasmtime` crate panics); [`ErrorKind::WrongStore`].
        pub fn unwrap_i31(&self, store: impl AsContext) -> Result<I31> {
            self.as_i31(store)?.ok_or_else(|| {
                ErrorKind::TypeMismatch(concat!(stringify!($ty), " is not an i31").into()).into()
            })
        }
    };
}

macro_rules! downcast_methods {
    ($ty:ident, $target:ident, $is:ident, $as_:ident, $unwrap:ident, $c_is:ident, $c_as:ident, $name:literal) => {
        #[doc = concat!("Whether this is a", $name, " reference.")]
        ///
        /// ```no_run
        #[doc = concat!("use wasmtime_dyn::{", stringify!($ty), ", Store};")]
        #[doc = concat!("# let (store, r): (Store<()>, ", stringify!($ty), ") = unimplemented!();")]
        #[doc = concat!("println!(\"{}\", r.", stringify!($is), "(&store)?);")]
        /// # Ok::<(), wasmtime_dyn::Error>(())
        /// ```
        ///
        /// # Errors
        ///
        /// [`ErrorKind::WrongStore`] if `store` is not the reference's.
        pub fn $is(&self, store: impl AsContext) -> Result<bool> {
            let cx = store.as_context();
            let gc = checked(&cx, self.store, Self::WHAT)?;
            // SAFETY: the reference is a live root of this store (checked).
            Ok(unsafe { (gc.$c_is)(cx.context(), &self.raw) })
        }

        #[doc = concat!("This reference as a", $name, " reference, if it is one.")]
        ///
        /// ```no_run
        #[doc = concat!("use wasmtime_dyn::{", stringify!($ty), ", Store};")]
        #[doc = concat!("# let (mut store, r): (Store<()>, ", stringify!($ty), ") = unimplemented!();")]
        #[doc = concat!("if let Some(down) = r.", stringify!($as_), "(&mut store)? {")]
        ///     println!("{down:?}");
        /// }
        /// # Ok::<(), wasmtime_dyn::Error>(())
        /// ```
        ///
        /// # Errors
        ///
        /// [`ErrorKind::WrongStore`] if `store` is not the reference's.
        pub fn $as_(&self, mut store: impl AsContextMut) -> Result<Option<$target>> {
            let cx = store.as_context_mut();
            let gc = checked_mut(&cx, self.store, Self::WHAT)?;
            let mut out = MaybeUninit::uninit();
            // SAFETY: the reference is a live root of this store (checked);
            // `out` is always written (null when it is not one), a new root
            // when it is.
            let found = unsafe { (gc.$c_as)(cx.context(), &self.raw, out.as_mut_ptr()) };
            // SAFETY: written above.
            let out = unsafe { out.assume_init() };
            Ok(if found { $target::from_rooted_opt(&cx, out) } else { None })
        }

        #[doc = concat!("This reference as a", $name, " reference.")]
        ///
        /// ```no_run
        #[doc = concat!("use wasmtime_dyn::{", stringify!($ty), ", Store};")]
        #[doc = concat!("# let (mut store, r): (Store<()>, ", stringify!($ty), ") = unimplemented!();")]
        #[doc = concat!("let down = r.", stringify!($unwrap), "(&mut store)?;")]
        /// # Ok::<(), wasmtime_dyn::Error>(())
        /// ```
        ///
        /// # Errors
        ///
        #[doc = concat!("[`ErrorKind::TypeMismatch`] if it is not a", $name, " reference (the `wasmtime`")]
        /// crate panics); [`ErrorKind::WrongStore`].
        pub fn $unwrap(&self, store: impl AsContextMut) -> Result<$target> {
            self.$as_(store)?.ok_or_else(|| {
                ErrorKind::TypeMismatch(format!(
                    "{} is not a{} reference",
                    stringify!($ty),
                    $name
                ))
                .into()
            })
        }
    };
}

macro_rules! ty_method {
    ($ty:ident, $c_ty:ident) => {
        /// The reference's dynamic heap type (Wasmtime 46 and later).
        ///
        /// ```no_run
        #[doc = concat!("use wasmtime_dyn::{", stringify!($ty), ", Store};")]
        #[doc = concat!("# let (store, r): (Store<()>, ", stringify!($ty), ") = unimplemented!();")]
        /// println!("{}", r.ty(&store)?);
        /// # Ok::<(), wasmtime_dyn::Error>(())
        /// ```
        ///
        /// # Errors
        ///
        /// [`ErrorKind::UnsupportedVersion`] on Wasmtime 45;
        /// [`ErrorKind::WrongStore`].
        pub fn ty(&self, store: impl AsContext) -> Result<HeapType> {
            let cx = store.as_context();
            checked(&cx, self.store, Self::WHAT)?;
            let since46 = gc_since_46(cx.wasmtime(), concat!(stringify!($ty), "::ty"))?;
            let mut out = MaybeUninit::<wasmtime_heaptype_t>::uninit();
            // SAFETY: the reference is a live, non-null root of this store
            // (checked), so `out` is written.
            let found = unsafe { (since46.$c_ty)(cx.context(), &self.raw, out.as_mut_ptr()) };
            if !found {
                return Err(ErrorKind::Invalid("the C API reported no type".into()).into());
            }
            // SAFETY: written above, owned here and deleted by `take`.
            unsafe { take_heaptype(cx.engine(), out.assume_init_mut()) }
        }
    };
}

impl AnyRef {
    i31_methods!(
        AnyRef,
        wasmtime_anyref_from_i31,
        wasmtime_anyref_is_i31,
        wasmtime_anyref_i31_get_u
    );
    downcast_methods!(
        AnyRef,
        EqRef,
        is_eqref,
        as_eqref,
        unwrap_eqref,
        wasmtime_anyref_is_eqref,
        wasmtime_anyref_as_eqref,
        "n eq"
    );
    downcast_methods!(
        AnyRef,
        StructRef,
        is_struct,
        as_struct,
        unwrap_struct,
        wasmtime_anyref_is_struct,
        wasmtime_anyref_as_struct,
        " struct"
    );
    downcast_methods!(
        AnyRef,
        ArrayRef,
        is_array,
        as_array,
        unwrap_array,
        wasmtime_anyref_is_array,
        wasmtime_anyref_as_array,
        "n array"
    );
    ty_method!(AnyRef, wasmtime_anyref_type);
}

impl EqRef {
    i31_methods!(
        EqRef,
        wasmtime_eqref_from_i31,
        wasmtime_eqref_is_i31,
        wasmtime_eqref_i31_get_u
    );
    downcast_methods!(
        EqRef,
        StructRef,
        is_struct,
        as_struct,
        unwrap_struct,
        wasmtime_eqref_is_struct,
        wasmtime_eqref_as_struct,
        " struct"
    );
    downcast_methods!(
        EqRef,
        ArrayRef,
        is_array,
        as_array,
        unwrap_array,
        wasmtime_eqref_is_array,
        wasmtime_eqref_as_array,
        "n array"
    );
    ty_method!(EqRef, wasmtime_eqref_type);
}

macro_rules! upcast {
    ($from:ident => $to:ident, $method:ident, $c:ident) => {
        impl $from {
            #[doc = concat!("This reference as a [`", stringify!($to), "`] (a new root of the same object).")]
            ///
            /// ```no_run
            #[doc = concat!("use wasmtime_dyn::", stringify!($from), ";")]
            #[doc = concat!("# let r: ", stringify!($from), " = unimplemented!();")]
            #[doc = concat!("let up = r.", stringify!($method), "();")]
            /// ```
            pub fn $method(&self) -> $to {
                let gc = self
                    .wasmtime
                    .tables()
                    .gc
                    .as_ref()
                    .expect("a GC reference exists only with the Gc table");
                let mut out = MaybeUninit::uninit();
                // SAFETY: `self.raw` is a live, non-null root; the upcast is
                // a new root written to `out` (no store access).
                unsafe { (gc.$c)(&self.raw, out.as_mut_ptr()) };
                $to {
                    wasmtime: self.wasmtime,
                    // SAFETY: written above.
                    raw: unsafe { out.assume_init() },
                    store: self.store,
                }
            }
        }

        impl From<$from> for $to {
            fn from(r: $from) -> $to {
                r.$method()
            }
        }
    };
}

upcast!(EqRef => AnyRef, to_anyref, wasmtime_eqref_to_anyref);
upcast!(StructRef => AnyRef, to_anyref, wasmtime_structref_to_anyref);
upcast!(StructRef => EqRef, to_eqref, wasmtime_structref_to_eqref);
upcast!(ArrayRef => AnyRef, to_anyref, wasmtime_arrayref_to_anyref);
upcast!(ArrayRef => EqRef, to_eqref, wasmtime_arrayref_to_eqref);

/// Values borrowed by a C call, as `wasmtime_val_t`s (GC layout: only a
/// library with GC gets here).
fn c_vals<T>(cx: &mut StoreContextMut<'_, T>, vals: &[Val]) -> Result<Vec<wasmtime_val_t>> {
    vals.iter().map(|v| v.to_c(cx)).collect()
}

/// Reads a value the library wrote into `out` (owned by the caller) after
/// a call that returned `error`.
///
/// # Safety
///
/// `error` is null or fresh and owned; when null, `out` was written with a
/// value of `cx`'s store that the caller owns.
unsafe fn take_val<T>(
    cx: &mut StoreContextMut<'_, T>,
    error: *mut wasmtime_error_t,
    out: &MaybeUninit<wasmtime_val_t>,
) -> Result<Val> {
    let core = cx.wasmtime().core();
    // SAFETY: the error, if any, is fresh and owned (contract).
    unsafe { crate::error::check(core, error) }?;
    // SAFETY: written on success, owned here; ownership moves to `Val`.
    unsafe { Val::from_c(cx, out.assume_init_ref()) }
}

struct PreInner<P> {
    wasmtime: &'static Wasmtime,
    ptr: *mut P,
    delete: unsafe extern "C" fn(*mut P),
}

// SAFETY: Wasmtime's `StructRefPre`/`ArrayRefPre` are a store id and a
// type (`Send + Sync`); every use checks the store.
unsafe impl<P> Send for PreInner<P> {}
// SAFETY: as above.
unsafe impl<P> Sync for PreInner<P> {}

impl<P> Drop for PreInner<P> {
    fn drop(&mut self) {
        let _ = self.wasmtime;
        // SAFETY: owned here, deleted once; deleting needs no store.
        unsafe { (self.delete)(self.ptr) };
    }
}

/// An allocator of structs of one type in one store, as the `wasmtime`
/// crate's `StructRefPre`.
///
/// ```no_run
/// use wasmtime_dyn::{Store, StructRefPre, StructType};
/// # let (mut store, ty): (Store<()>, StructType) = unimplemented!();
/// let pre = StructRefPre::new(&mut store, ty)?;
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
#[derive(Clone)]
pub struct StructRefPre {
    inner: Arc<PreInner<wasmtime_struct_ref_pre_t>>,
    store: u64,
    ty: StructType,
}

impl StructRefPre {
    /// An allocator of `ty` structs in `store`.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{FieldType, Mutability, Store, StructRefPre, StructType, ValType};
    /// # let mut store: Store<()> = unimplemented!();
    /// let ty = StructType::new(store.engine(), [FieldType::new(Mutability::Var, ValType::I64.into())])?;
    /// let pre = StructRefPre::new(&mut store, ty)?;
    /// assert_eq!(pre.ty().fields().len(), 1);
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unsupported`]`(Gc)` without GC; [`ErrorKind::WrongEngine`]
    /// for a type of another engine.
    pub fn new(mut store: impl AsContextMut, ty: StructType) -> Result<StructRefPre> {
        let cx = store.as_context_mut();
        let gc = gc_table(cx.wasmtime())?;
        if !Engine::same(ty.engine(), cx.engine()) {
            return Err(ErrorKind::WrongEngine("the struct type", "the store's").into());
        }
        // SAFETY: the context is live; the type is of its engine (checked);
        // the allocator is owned by the result.
        let ptr = unsafe { (gc.wasmtime_struct_ref_pre_new)(cx.context(), ty.ptr()) };
        Ok(StructRefPre {
            inner: Arc::new(PreInner {
                wasmtime: cx.wasmtime(),
                ptr,
                delete: gc.wasmtime_struct_ref_pre_delete,
            }),
            store: cx.id(),
            ty,
        })
    }

    /// The type of the structs it allocates.
    ///
    /// ```no_run
    /// # let pre: wasmtime_dyn::StructRefPre = unimplemented!();
    /// println!("{} fields", pre.ty().fields().len());
    /// ```
    pub fn ty(&self) -> &StructType {
        &self.ty
    }
}

impl fmt::Debug for StructRefPre {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StructRefPre")
            .field("ty", &self.ty)
            .finish()
    }
}

/// An allocator of arrays of one type in one store, as the `wasmtime`
/// crate's `ArrayRefPre`.
///
/// ```no_run
/// use wasmtime_dyn::{ArrayRefPre, ArrayType, Store};
/// # let (mut store, ty): (Store<()>, ArrayType) = unimplemented!();
/// let pre = ArrayRefPre::new(&mut store, ty)?;
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
#[derive(Clone)]
pub struct ArrayRefPre {
    inner: Arc<PreInner<wasmtime_array_ref_pre_t>>,
    store: u64,
    ty: ArrayType,
}

impl ArrayRefPre {
    /// An allocator of `ty` arrays in `store`.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{ArrayRefPre, ArrayType, FieldType, Mutability, StorageType, Store};
    /// # let mut store: Store<()> = unimplemented!();
    /// let ty = ArrayType::new(store.engine(), FieldType::new(Mutability::Var, StorageType::I16))?;
    /// let pre = ArrayRefPre::new(&mut store, ty)?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`StructRefPre::new`].
    pub fn new(mut store: impl AsContextMut, ty: ArrayType) -> Result<ArrayRefPre> {
        let cx = store.as_context_mut();
        let gc = gc_table(cx.wasmtime())?;
        if !Engine::same(ty.engine(), cx.engine()) {
            return Err(ErrorKind::WrongEngine("the array type", "the store's").into());
        }
        // SAFETY: the context is live; the type is of its engine (checked);
        // the allocator is owned by the result.
        let ptr = unsafe { (gc.wasmtime_array_ref_pre_new)(cx.context(), ty.ptr()) };
        Ok(ArrayRefPre {
            inner: Arc::new(PreInner {
                wasmtime: cx.wasmtime(),
                ptr,
                delete: gc.wasmtime_array_ref_pre_delete,
            }),
            store: cx.id(),
            ty,
        })
    }

    /// The type of the arrays it allocates.
    ///
    /// ```no_run
    /// # let pre: wasmtime_dyn::ArrayRefPre = unimplemented!();
    /// println!("elements of {}", pre.ty().element_type());
    /// ```
    pub fn ty(&self) -> &ArrayType {
        &self.ty
    }
}

impl fmt::Debug for ArrayRefPre {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ArrayRefPre").field("ty", &self.ty).finish()
    }
}

impl StructRef {
    /// A new struct of `pre`'s type with these field values (a GC runs
    /// when the heap is full).
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Store, StructRef, StructRefPre, Val};
    /// # let (mut store, pre): (Store<()>, StructRefPre) = unimplemented!();
    /// let s = StructRef::new(&mut store, &pre, &[Val::I32(1), Val::I64(2)])?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Wasmtime's error for the wrong number or types of fields or a full
    /// heap; [`ErrorKind::WrongStore`] for an allocator or value of another
    /// store.
    pub fn new(
        mut store: impl AsContextMut,
        pre: &StructRefPre,
        fields: &[Val],
    ) -> Result<StructRef> {
        let mut cx = store.as_context_mut();
        let gc = checked_mut(&cx, pre.store, "the struct allocator")?;
        let c_fields = c_vals(&mut cx, fields)?;
        let mut out = MaybeUninit::uninit();
        // SAFETY: the allocator and values belong to this live store
        // (checked); the values are borrowed; `out` is written (null on
        // error).
        let error = unsafe {
            (gc.wasmtime_structref_new)(
                cx.context(),
                pre.inner.ptr,
                c_fields.as_ptr(),
                c_fields.len(),
                out.as_mut_ptr(),
            )
        };
        // SAFETY: the error, if any, is fresh and owned.
        unsafe { crate::error::check(cx.wasmtime().core(), error) }?;
        // SAFETY: written with a new root on success.
        Ok(StructRef::from_rooted(&cx, unsafe { out.assume_init() }))
    }

    /// The value of field `index`.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Store, StructRef};
    /// # let (mut store, s): (Store<()>, StructRef) = unimplemented!();
    /// println!("{:?}", s.field(&mut store, 0)?);
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Wasmtime's error for an index out of bounds; [`ErrorKind::WrongStore`].
    pub fn field(&self, mut store: impl AsContextMut, index: usize) -> Result<Val> {
        let mut cx = store.as_context_mut();
        let gc = checked_mut(&cx, self.store, Self::WHAT)?;
        let mut out = MaybeUninit::uninit();
        // SAFETY: the reference is a live, non-null root of this store
        // (checked); `out` is written on success.
        let error = unsafe {
            (gc.wasmtime_structref_field)(cx.context(), &self.raw, index, out.as_mut_ptr())
        };
        // SAFETY: the call's outcome, as `take_val` requires.
        unsafe { take_val(&mut cx, error, &out) }
    }

    /// Sets field `index` to `value`.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Store, StructRef, Val};
    /// # let (mut store, s): (Store<()>, StructRef) = unimplemented!();
    /// s.set_field(&mut store, 0, Val::I32(5))?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Wasmtime's error for an immutable field, an index out of bounds or a
    /// value of another type; [`ErrorKind::WrongStore`].
    pub fn set_field(&self, mut store: impl AsContextMut, index: usize, value: Val) -> Result<()> {
        let mut cx = store.as_context_mut();
        let gc = checked_mut(&cx, self.store, Self::WHAT)?;
        let c_val = value.to_c(&mut cx)?;
        // SAFETY: the reference and value belong to this live store
        // (checked); the value is borrowed.
        let error =
            unsafe { (gc.wasmtime_structref_set_field)(cx.context(), &self.raw, index, &c_val) };
        // SAFETY: the error, if any, is fresh and owned.
        unsafe { crate::error::check(cx.wasmtime().core(), error) }
    }

    /// Every field's value, in order.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Store, StructRef};
    /// # let (mut store, s): (Store<()>, StructRef) = unimplemented!();
    /// for v in s.fields(&mut store)? {
    ///     println!("{v:?}");
    /// }
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`StructRef::ty`].
    pub fn fields(&self, mut store: impl AsContextMut) -> Result<Vec<Val>> {
        let n = self.ty(store.as_context_mut())?.fields().len();
        (0..n).map(|i| self.field(&mut store, i)).collect()
    }

    /// The struct's type (Wasmtime 46 and later).
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Store, StructRef};
    /// # let (mut store, s): (Store<()>, StructRef) = unimplemented!();
    /// println!("{} fields", s.ty(&mut store)?.fields().len());
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::UnsupportedVersion`] on Wasmtime 45;
    /// [`ErrorKind::WrongStore`].
    pub fn ty(&self, store: impl AsContext) -> Result<StructType> {
        let cx = store.as_context();
        checked(&cx, self.store, Self::WHAT)?;
        let since46 = gc_since_46(cx.wasmtime(), "StructRef::ty")?;
        crate::gc_types::concrete_types_readable(cx.engine())?;
        // SAFETY: the reference is a live, non-null root of this store
        // (checked); the type returned is owned by the handle.
        let ptr = unsafe { (since46.wasmtime_structref_type)(cx.context(), &self.raw) };
        if ptr.is_null() {
            return Err(ErrorKind::Invalid("the C API reported no type".into()).into());
        }
        Ok(StructType::from_owned(cx.engine(), ptr))
    }
}

impl ArrayRef {
    /// A new array of `pre`'s type: `len` copies of `elem` (a GC runs when
    /// the heap is full).
    ///
    /// ```no_run
    /// use wasmtime_dyn::{ArrayRef, ArrayRefPre, Store, Val};
    /// # let (mut store, pre): (Store<()>, ArrayRefPre) = unimplemented!();
    /// let zeros = ArrayRef::new(&mut store, &pre, &Val::I32(0), 100)?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Wasmtime's error for an element of another type or a full heap;
    /// [`ErrorKind::WrongStore`].
    pub fn new(
        mut store: impl AsContextMut,
        pre: &ArrayRefPre,
        elem: &Val,
        len: u32,
    ) -> Result<ArrayRef> {
        let mut cx = store.as_context_mut();
        let gc = checked_mut(&cx, pre.store, "the array allocator")?;
        let c_elem = elem.to_c(&mut cx)?;
        let mut out = MaybeUninit::uninit();
        // SAFETY: the allocator and value belong to this live store
        // (checked); the value is borrowed; `out` is written.
        let error = unsafe {
            (gc.wasmtime_arrayref_new)(cx.context(), pre.inner.ptr, &c_elem, len, out.as_mut_ptr())
        };
        // SAFETY: the error, if any, is fresh and owned.
        unsafe { crate::error::check(cx.wasmtime().core(), error) }?;
        // SAFETY: written with a new root on success.
        Ok(ArrayRef::from_rooted(&cx, unsafe { out.assume_init() }))
    }

    /// The number of elements.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{ArrayRef, Store};
    /// # let (store, a): (Store<()>, ArrayRef) = unimplemented!();
    /// println!("{} elements", a.len(&store)?);
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::WrongStore`].
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self, store: impl AsContext) -> Result<u32> {
        let cx = store.as_context();
        let gc = checked(&cx, self.store, Self::WHAT)?;
        let mut out = 0;
        // SAFETY: the reference is a live, non-null root of this store
        // (checked); `out` is written on success.
        let error = unsafe { (gc.wasmtime_arrayref_len)(cx.context(), &self.raw, &mut out) };
        // SAFETY: the error, if any, is fresh and owned.
        unsafe { crate::error::check(cx.wasmtime().core(), error) }?;
        Ok(out)
    }

    /// The element at `index`.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{ArrayRef, Store};
    /// # let (mut store, a): (Store<()>, ArrayRef) = unimplemented!();
    /// println!("{:?}", a.get(&mut store, 0)?);
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Wasmtime's error for an index out of bounds; [`ErrorKind::WrongStore`].
    pub fn get(&self, mut store: impl AsContextMut, index: u32) -> Result<Val> {
        let mut cx = store.as_context_mut();
        let gc = checked_mut(&cx, self.store, Self::WHAT)?;
        let mut out = MaybeUninit::uninit();
        // SAFETY: the reference is a live, non-null root of this store
        // (checked); `out` is written on success.
        let error =
            unsafe { (gc.wasmtime_arrayref_get)(cx.context(), &self.raw, index, out.as_mut_ptr()) };
        // SAFETY: the call's outcome, as `take_val` requires.
        unsafe { take_val(&mut cx, error, &out) }
    }

    /// Sets the element at `index`.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{ArrayRef, Store, Val};
    /// # let (mut store, a): (Store<()>, ArrayRef) = unimplemented!();
    /// a.set(&mut store, 0, Val::I32(9))?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Wasmtime's error for immutable elements, an index out of bounds or a
    /// value of another type; [`ErrorKind::WrongStore`].
    pub fn set(&self, mut store: impl AsContextMut, index: u32, value: Val) -> Result<()> {
        let mut cx = store.as_context_mut();
        let gc = checked_mut(&cx, self.store, Self::WHAT)?;
        let c_val = value.to_c(&mut cx)?;
        // SAFETY: the reference and value belong to this live store
        // (checked); the value is borrowed.
        let error = unsafe { (gc.wasmtime_arrayref_set)(cx.context(), &self.raw, index, &c_val) };
        // SAFETY: the error, if any, is fresh and owned.
        unsafe { crate::error::check(cx.wasmtime().core(), error) }
    }

    /// Every element, in order.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{ArrayRef, Store};
    /// # let (mut store, a): (Store<()>, ArrayRef) = unimplemented!();
    /// let all = a.elems(&mut store)?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::WrongStore`].
    pub fn elems(&self, mut store: impl AsContextMut) -> Result<Vec<Val>> {
        let n = self.len(store.as_context_mut())?;
        (0..n).map(|i| self.get(&mut store, i)).collect()
    }

    /// The array's type (Wasmtime 46 and later).
    ///
    /// ```no_run
    /// use wasmtime_dyn::{ArrayRef, Store};
    /// # let (store, a): (Store<()>, ArrayRef) = unimplemented!();
    /// println!("elements of {}", a.ty(&store)?.element_type());
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::UnsupportedVersion`] on Wasmtime 45;
    /// [`ErrorKind::WrongStore`].
    pub fn ty(&self, store: impl AsContext) -> Result<ArrayType> {
        let cx = store.as_context();
        checked(&cx, self.store, Self::WHAT)?;
        let since46 = gc_since_46(cx.wasmtime(), "ArrayRef::ty")?;
        crate::gc_types::concrete_types_readable(cx.engine())?;
        // SAFETY: the reference is a live, non-null root of this store
        // (checked); the type returned is owned by the handle.
        let ptr = unsafe { (since46.wasmtime_arrayref_type)(cx.context(), &self.raw) };
        if ptr.is_null() {
            return Err(ErrorKind::Invalid("the C API reported no type".into()).into());
        }
        Ok(ArrayType::from_owned(cx.engine(), ptr))
    }
}

/// An allocator of exceptions of one type in one store, as the `wasmtime`
/// crate's `ExnRefPre`.
///
/// ```no_run
/// use wasmtime_dyn::{ExnRefPre, ExnType, Store};
/// # let (mut store, ty): (Store<()>, ExnType) = unimplemented!();
/// let pre = ExnRefPre::new(&mut store, ty)?;
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct ExnRefPre {
    store: u64,
    ty: ExnType,
}

impl ExnRefPre {
    /// An allocator of `ty` exceptions in `store`.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{ExnRefPre, ExnType, Store, ValType};
    /// # let mut store: Store<()> = unimplemented!();
    /// let ty = ExnType::new(store.engine(), [ValType::I32])?;
    /// let pre = ExnRefPre::new(&mut store, ty)?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`StructRefPre::new`].
    pub fn new(mut store: impl AsContextMut, ty: ExnType) -> Result<ExnRefPre> {
        let cx = store.as_context_mut();
        gc_table(cx.wasmtime())?;
        if !Engine::same(ty.engine(), cx.engine()) {
            return Err(ErrorKind::WrongEngine("the exception type", "the store's").into());
        }
        Ok(ExnRefPre { store: cx.id(), ty })
    }

    /// The type of the exceptions it allocates.
    ///
    /// ```no_run
    /// # let pre: wasmtime_dyn::ExnRefPre = unimplemented!();
    /// println!("{} fields", pre.ty().fields().len());
    /// ```
    pub fn ty(&self) -> &ExnType {
        &self.ty
    }
}

impl ExnRef {
    /// A new exception of `tag` with this payload.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{ExnRef, ExnRefPre, Store, Tag, Val};
    /// # let (mut store, pre, tag): (Store<()>, ExnRefPre, Tag) = unimplemented!();
    /// let exn = ExnRef::new(&mut store, &pre, &tag, &[Val::I32(1)])?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Wasmtime's error for a payload of other types;
    /// [`ErrorKind::TypeMismatch`] for a tag whose type is not `pre`'s;
    /// [`ErrorKind::WrongStore`] for an allocator, tag or value of another
    /// store.
    pub fn new(
        mut store: impl AsContextMut,
        pre: &ExnRefPre,
        tag: &Tag,
        fields: &[Val],
    ) -> Result<ExnRef> {
        let mut cx = store.as_context_mut();
        let gc = checked_mut(&cx, pre.store, "the exception allocator")?;
        cx.check(tag.store, "the tag")?;
        let tag_ty = tag.ty(&cx)?;
        if tag_ty.ty().params() != pre.ty().fields().collect::<Vec<_>>() {
            return Err(ErrorKind::TypeMismatch(format!(
                "the tag's type is {}, not the allocator's exception type",
                tag_ty.ty()
            ))
            .into());
        }
        let c_fields = c_vals(&mut cx, fields)?;
        let mut out = MaybeUninit::uninit();
        // SAFETY: the tag and values belong to this live store (checked);
        // the values are borrowed; `out` is written on success.
        let error = unsafe {
            (gc.wasmtime_exnref_new)(
                cx.context(),
                &tag.raw,
                c_fields.as_ptr(),
                c_fields.len(),
                out.as_mut_ptr(),
            )
        };
        // SAFETY: the error, if any, is fresh and owned.
        unsafe { crate::error::check(cx.wasmtime().core(), error) }?;
        // SAFETY: written with a new root on success.
        Ok(ExnRef::from_rooted(&cx, unsafe { out.assume_init() }))
    }

    /// The exception's tag.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{ExnRef, Store, Tag};
    /// # let (mut store, exn, expected): (Store<()>, ExnRef, Tag) = unimplemented!();
    /// let tag = exn.tag(&mut store)?;
    /// assert!(Tag::eq(&tag, &expected, &store));
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::WrongStore`].
    pub fn tag(&self, mut store: impl AsContextMut) -> Result<Tag> {
        let cx = store.as_context_mut();
        let gc = checked_mut(&cx, self.store, Self::WHAT)?;
        let mut out = MaybeUninit::uninit();
        // SAFETY: the reference is a live, non-null root of this store
        // (checked); `out` is written on success.
        let error = unsafe { (gc.wasmtime_exnref_tag)(cx.context(), &self.raw, out.as_mut_ptr()) };
        // SAFETY: the error, if any, is fresh and owned.
        unsafe { crate::error::check(cx.wasmtime().core(), error) }?;
        // SAFETY: written on success.
        Ok(Tag::from_c(&cx, unsafe { out.assume_init() }))
    }

    /// The payload field at `index`.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{ExnRef, Store};
    /// # let (mut store, exn): (Store<()>, ExnRef) = unimplemented!();
    /// println!("{:?}", exn.field(&mut store, 0)?);
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Wasmtime's error for an index out of bounds; [`ErrorKind::WrongStore`].
    pub fn field(&self, mut store: impl AsContextMut, index: usize) -> Result<Val> {
        let mut cx = store.as_context_mut();
        let gc = checked_mut(&cx, self.store, Self::WHAT)?;
        let mut out = MaybeUninit::uninit();
        // SAFETY: the reference is a live, non-null root of this store
        // (checked); `out` is written on success.
        let error =
            unsafe { (gc.wasmtime_exnref_field)(cx.context(), &self.raw, index, out.as_mut_ptr()) };
        // SAFETY: the call's outcome, as `take_val` requires.
        unsafe { take_val(&mut cx, error, &out) }
    }

    /// The whole payload, in order.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{ExnRef, Store};
    /// # let (mut store, exn): (Store<()>, ExnRef) = unimplemented!();
    /// let payload = exn.fields(&mut store)?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::WrongStore`].
    pub fn fields(&self, mut store: impl AsContextMut) -> Result<Vec<Val>> {
        let cx = store.as_context_mut();
        let gc = checked_mut(&cx, self.store, Self::WHAT)?;
        // SAFETY: the reference is a live, non-null root of this store.
        let n = unsafe { (gc.wasmtime_exnref_field_count)(cx.context(), &self.raw) };
        (0..n).map(|i| self.field(&mut store, i)).collect()
    }

    /// The exception's type (Wasmtime 46 and later).
    ///
    /// ```no_run
    /// use wasmtime_dyn::{ExnRef, Store};
    /// # let (store, exn): (Store<()>, ExnRef) = unimplemented!();
    /// println!("{} fields", exn.ty(&store)?.fields().len());
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::UnsupportedVersion`] on Wasmtime 45;
    /// [`ErrorKind::WrongStore`].
    pub fn ty(&self, store: impl AsContext) -> Result<ExnType> {
        let cx = store.as_context();
        checked(&cx, self.store, Self::WHAT)?;
        let since46 = gc_since_46(cx.wasmtime(), "ExnRef::ty")?;
        crate::gc_types::concrete_types_readable(cx.engine())?;
        // SAFETY: the reference is a live, non-null root of this store
        // (checked); the type returned is owned by the handle.
        let ptr = unsafe { (since46.wasmtime_exnref_type)(cx.context(), &self.raw) };
        if ptr.is_null() {
            return Err(ErrorKind::Invalid("the C API reported no type".into()).into());
        }
        Ok(ExnType::from_owned(cx.engine(), ptr))
    }
}

/// The error of a call that ended with an uncaught wasm exception, and
/// what a host function returns to throw one, as the `wasmtime` crate's
/// `ThrownException`: the exception itself is the store's pending
/// exception ([`Store::take_pending_exception`](crate::Store::take_pending_exception)).
///
/// ```no_run
/// use wasmtime_dyn::{Store, ThrownException, TypedFunc};
/// # let (mut store, run): (Store<()>, TypedFunc<(), ()>) = unimplemented!();
/// let err = run.call(&mut store, ()).unwrap_err();
/// if err.is::<ThrownException>() {
///     let exn = store.take_pending_exception().expect("the exception");
///     println!("payload: {:?}", exn.fields(&mut store)?);
/// }
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThrownException;

impl fmt::Display for ThrownException {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("thrown Wasm exception")
    }
}

impl std::error::Error for ThrownException {}

/// The store's pending exception, taken out of it.
pub(crate) fn take_pending<T>(cx: &mut StoreContextMut<'_, T>) -> Option<ExnRef> {
    let gc = cx.wasmtime().tables().gc.as_ref()?;
    let mut out = MaybeUninit::uninit();
    // SAFETY: the context is live; `out` is written when there is one.
    let found = unsafe { (gc.wasmtime_context_take_exception)(cx.context(), out.as_mut_ptr()) };
    // SAFETY: written when found.
    found.then(|| ExnRef::from_rooted(cx, unsafe { out.assume_init() }))
}

/// Whether the store has a pending exception.
pub(crate) fn has_pending<T>(cx: &StoreContextMut<'_, T>) -> bool {
    match &cx.wasmtime().tables().gc {
        // SAFETY: the context is live.
        Some(gc) => unsafe { (gc.wasmtime_context_has_exception)(cx.context()) },
        None => false,
    }
}

/// Sets `exn` as the store's pending exception, as the `wasmtime` crate's
/// `throw`.
pub(crate) fn throw<T, R>(
    cx: &mut StoreContextMut<'_, T>,
    exn: ExnRef,
) -> Result<R, ThrownException> {
    if let Some(trap) = set_pending(cx, &exn) {
        // The trap only carries Wasmtime's marker; the exception stays
        // pending in the store until a host function's return throws it.
        // SAFETY: a fresh, owned trap of this library, deleted once.
        unsafe { (cx.wasmtime().core().wasm_trap_delete)(trap) };
    }
    Err(ThrownException)
}

/// Makes `exn` the store's pending exception; returns the C API's trap
/// that throws it when a host function returns it. `None` if `exn` is of
/// another store (nothing is thrown: the caller's error stays an error).
pub(crate) fn set_pending<T>(
    cx: &mut StoreContextMut<'_, T>,
    exn: &ExnRef,
) -> Option<*mut wasm_trap_t> {
    let gc = cx.wasmtime().tables().gc.as_ref()?;
    cx.check(exn.store, "the exception").ok()?;
    // SAFETY: the exception is a live, non-null root of this store
    // (checked); the returned trap is owned by the caller.
    let trap = unsafe { (gc.wasmtime_context_set_exception)(cx.context(), &exn.raw) };
    (!trap.is_null()).then_some(trap)
}

macro_rules! exception_methods {
    ($($ty:ty => $name:literal),*) => {
        $(
            impl<T> $ty {
                #[doc = concat!("Throws `exception` from a host function, as the `wasmtime` crate's `", $name, "::throw`:")]
                /// it becomes the store's pending exception and the
                /// returned error, passed on as the host function's error,
                /// throws it into the calling wasm (where `try_table` can
                /// catch it).
                ///
                /// ```no_run
                /// use wasmtime_dyn::{Caller, ExnRef, ExnRefPre, Func, Store, Tag, Val};
                /// # let (mut store, tag, pre): (Store<()>, Tag, ExnRefPre) = unimplemented!();
                /// let fail = Func::wrap(&mut store, move |mut caller: Caller<'_, ()>| -> wasmtime_dyn::Result<()> {
                ///     let exn = ExnRef::new(&mut caller, &pre, &tag, &[Val::I32(42)])?;
                ///     Ok(caller.throw(exn)?)
                /// });
                /// ```
                ///
                /// # Errors
                ///
                /// Always [`ThrownException`], the error to return.
                pub fn throw<R>(&mut self, exception: ExnRef) -> Result<R, ThrownException> {
                    throw(&mut self.as_context_mut(), exception)
                }

                /// Takes the store's pending exception: the one an uncaught
                /// wasm exception left when a call returned
                /// [`ThrownException`].
                ///
                /// ```no_run
                /// use wasmtime_dyn::{Store, ThrownException, TypedFunc};
                /// # let (mut store, run): (Store<()>, TypedFunc<(), ()>) = unimplemented!();
                /// if let Err(e) = run.call(&mut store, ()) {
                ///     if e.is::<ThrownException>() {
                ///         let exn = store.take_pending_exception().expect("pending");
                ///         println!("{:?}", exn.fields(&mut store)?);
                ///     }
                /// }
                /// # Ok::<(), wasmtime_dyn::Error>(())
                /// ```
                pub fn take_pending_exception(&mut self) -> Option<ExnRef> {
                    take_pending(&mut self.as_context_mut())
                }

                /// Whether the store has a pending exception.
                ///
                /// ```no_run
                /// # let mut store: wasmtime_dyn::Store<()> = unimplemented!();
                /// assert!(!store.has_pending_exception());
                /// ```
                pub fn has_pending_exception(&mut self) -> bool {
                    has_pending(&self.as_context_mut())
                }
            }
        )*
    };
}

exception_methods!(
    crate::Store<T> => "Store",
    StoreContextMut<'_, T> => "StoreContextMut",
    crate::Caller<'_, T> => "Caller"
);
