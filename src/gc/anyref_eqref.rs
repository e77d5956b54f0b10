//! The methods of `AnyRef` and `EqRef`: `I31` conversions, downcasts to
//! the concrete references, their dynamic types, and the upcasts into them.

use super::{
    checked, checked_mut, gc_base, gc_since_44, gc_since_46, take_heaptype, AnyRef, ArrayRef,
    EqRef, StructRef, I31,
};
use crate::error::{ErrorKind, Result};
use crate::store::{AsContext, AsContextMut};
use crate::sys::types::*;
use crate::types::HeapType;
use std::mem::MaybeUninit;

macro_rules! i31_methods {
    ($ty:ident, $table:ident, $from_i31:ident, $is_i31:ident, $get_u:ident) => {
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
        /// [`ErrorKind::Unsupported`]`(Gc)` on a library without GC;
        /// [`ErrorKind::Invalid`] when the store has no GC heap and
        /// Wasmtime cannot make one (GC off in the engine's configuration,
        /// a limiter or pool that refuses its memory): an `i31` needs
        /// none, but without one Wasmtime never releases the roots of
        /// dropped references (the `wasmtime` crate returns the reference,
        /// and keeps ~54 bytes per call until the store is dropped);
        /// [`ErrorKind::UnsupportedVersion`] on Wasmtime 36 and 37, whose
        /// root functions take the store (this crate's handles of these
        /// references use those of 38 and later).
        pub fn from_i31(mut store: impl AsContextMut, value: I31) -> Result<$ty> {
            let cx = store.as_context_mut();
            let gc = $table(cx.wasmtime(), Self::WHAT)?;
            super::store_helper::ensure_gc_heap(&cx)?;
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
            checked(&cx, self.store, Self::WHAT)?;
            let gc = $table(cx.wasmtime(), Self::WHAT)?;
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
        gc_base,
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
        gc_since_44,
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
                    .gc_since_44
                    .as_ref()
                    .expect("a reference of the GC proposal exists only with the GcSince44 table");
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
