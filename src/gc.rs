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

mod anyref_eqref;
mod arrayref;
mod exnref;
mod i31;
mod store_helper;
mod structref;

pub use arrayref::ArrayRefPre;
pub use exnref::{ExnRefPre, ThrownException};
pub use i31::I31;
pub use structref::StructRefPre;

pub(crate) use exnref::{has_pending, set_pending, take_pending};

use crate::engine::Engine;
use crate::error::{ErrorKind, Result};
use crate::loader::Wasmtime;
use crate::store::{StoreContext, StoreContextMut};
use crate::sys::tables::{Absence, Gc, GcSince44, GcSince45, GcSince46, TableId};
use crate::sys::types::*;
#[cfg(doc)]
use crate::tag::Tag;
use crate::types::HeapType;
use crate::val::{gc_table, Val};
use std::fmt;
use std::mem::MaybeUninit;

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

/// The GC functions of Wasmtime 44 and later (the GC proposal's
/// references), after checking the reference belongs to `cx`'s store.
fn checked<T>(
    cx: &StoreContext<'_, T>,
    store: u64,
    what: &'static str,
) -> Result<&'static GcSince44> {
    let gc = gc_since_44(cx.wasmtime(), what)?;
    cx.check(store, what)?;
    Ok(gc)
}

/// The GC functions of Wasmtime 44 and later (the GC proposal's
/// references), after checking the reference belongs to `cx`'s store.
fn checked_mut<T>(
    cx: &StoreContextMut<'_, T>,
    store: u64,
    what: &'static str,
) -> Result<&'static GcSince44> {
    let gc = gc_since_44(cx.wasmtime(), what)?;
    cx.check(store, what)?;
    Ok(gc)
}

/// The GC functions Wasmtime 44 added (eqref, structref, arrayref, the
/// anyref tests and casts), or why they are missing.
fn gc_since_44(wasmtime: &'static Wasmtime, feature: &'static str) -> Result<&'static GcSince44> {
    gc_table(wasmtime)?;
    wasmtime.later(&wasmtime.tables().gc_since_44, feature)
}

/// The GC functions every major since 36 has (`feature` unused: they need
/// only the capability); the signature of [`gc_since_44`].
fn gc_base(wasmtime: &'static Wasmtime, _feature: &'static str) -> Result<&'static Gc> {
    gc_table(wasmtime)
}

/// The GC functions Wasmtime 45 added (exception references), or why they
/// are missing.
fn gc_since_45(wasmtime: &'static Wasmtime, feature: &'static str) -> Result<&'static GcSince45> {
    gc_table(wasmtime)?;
    wasmtime.later(&wasmtime.tables().gc_since_45, feature)
}

/// Reads and deletes a `wasmtime_heaptype_t` the library wrote.
///
/// # Safety
///
/// `ty` was written by `engine`'s library for `engine`'s objects and is
/// owned by the caller; it is deleted here.
unsafe fn take_heaptype(engine: &Engine, ty: &mut wasmtime_heaptype_t) -> Result<HeapType> {
    let core = engine.wasmtime().core();
    let core45 = engine.wasmtime().core45();
    let concrete = [
        WASMTIME_HEAPTYPE_KIND_CONCRETE_FUNC,
        WASMTIME_HEAPTYPE_KIND_CONCRETE_ARRAY,
        WASMTIME_HEAPTYPE_KIND_CONCRETE_STRUCT,
        WASMTIME_HEAPTYPE_KIND_CONCRETE_EXN,
    ];
    if concrete.contains(&u32::from(ty.kind)) {
        if let Err(e) = crate::gc_types::concrete_types_readable(engine) {
            // SAFETY: owned by the caller, deleted once.
            unsafe { (core45.wasmtime_heaptype_delete)(ty) };
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
    let read = unsafe { (core45.wasmtime_valtype_to_wasm)(engine.ptr(), &vt) };
    // SAFETY: owned by the caller, deleted once.
    unsafe { (core45.wasmtime_heaptype_delete)(ty) };
    // SAFETY: a new owned valtype of this engine, read then deleted; a heap
    // type of a GC reference is never a `cont` type.
    let out = unsafe { crate::gc_types::read_valtype(engine, read) };
    // SAFETY: as above.
    unsafe { (core.wasm_valtype_delete)(read) };
    Ok(out?.unwrap_ref().heap_type().clone())
}

macro_rules! gc_ref {
    ($(#[$doc:meta])* $name:ident, $c:ty, $table:ident, $clone:ident, $unroot:ident, $what:literal, $heapless:literal) => {
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
                if $heapless {
                    // An `i31` needs no GC heap, so a store may have none,
                    // where Wasmtime never releases the roots of dropped
                    // references: make one (if Wasmtime cannot, this root
                    // stays, as it would have).
                    let _ = store_helper::ensure_gc_heap(cx);
                }
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
                // An `AnyRef` of Wasmtime 36 or 37 would clone through the
                // store (`GcRootsV36`): those majors are not loaded yet.
                let gc = self
                    .wasmtime
                    .tables()
                    .$table
                    .as_ref()
                    .expect("a GC reference exists only with the table that clones it");
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
                if let Some(gc) = &self.wasmtime.tables().$table {
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
    gc_roots,
    wasmtime_anyref_clone,
    wasmtime_anyref_unroot,
    "the anyref",
    true
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
    gc_since_44,
    wasmtime_eqref_clone,
    wasmtime_eqref_unroot,
    "the eqref",
    true
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
    gc_since_44,
    wasmtime_structref_clone,
    wasmtime_structref_unroot,
    "the structref",
    false
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
    gc_since_44,
    wasmtime_arrayref_clone,
    wasmtime_arrayref_unroot,
    "the arrayref",
    false
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
    gc_since_44,
    wasmtime_exnref_clone,
    wasmtime_exnref_unroot,
    "the exnref",
    false
);

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
