//! Exceptions: `ExnRefPre` allocators, `ExnRef`'s methods, and throwing
//! and taking a store's pending exception (`ThrownException`).

#[cfg(doc)]
use super::StructRefPre;
use super::{c_vals, checked, checked_mut, gc_since_45, gc_since_46, take_val, ExnRef};
use crate::engine::Engine;
use crate::error::{ErrorKind, Result};
use crate::gc_types::ExnType;
use crate::store::{AsContext, AsContextMut, StoreContextMut};
use crate::sys::types::*;
use crate::tag::Tag;
use crate::val::{gc_table, Val};
use std::fmt;
use std::mem::MaybeUninit;

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
        checked_mut(&cx, pre.store, "the exception allocator")?;
        let gc45 = gc_since_45(cx.wasmtime(), "ExnRef::new")?;
        cx.check(tag.store, "the tag")?;
        let tag_ty = tag.ty(&cx)?;
        if !tag_ty.ty().params().eq(pre.ty().fields()) {
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
            (gc45.wasmtime_exnref_new)(
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
        checked_mut(&cx, self.store, Self::WHAT)?;
        let gc45 = gc_since_45(cx.wasmtime(), Self::WHAT)?;
        let mut out = MaybeUninit::uninit();
        // SAFETY: the reference is a live, non-null root of this store
        // (checked); `out` is written on success.
        let error =
            unsafe { (gc45.wasmtime_exnref_tag)(cx.context(), &self.raw, out.as_mut_ptr()) };
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
        checked_mut(&cx, self.store, Self::WHAT)?;
        let gc45 = gc_since_45(cx.wasmtime(), Self::WHAT)?;
        let mut out = MaybeUninit::uninit();
        // SAFETY: the reference is a live, non-null root of this store
        // (checked); `out` is written on success.
        let error = unsafe {
            (gc45.wasmtime_exnref_field)(cx.context(), &self.raw, index, out.as_mut_ptr())
        };
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
        checked_mut(&cx, self.store, Self::WHAT)?;
        let gc45 = gc_since_45(cx.wasmtime(), Self::WHAT)?;
        // SAFETY: the reference is a live, non-null root of this store.
        let n = unsafe { (gc45.wasmtime_exnref_field_count)(cx.context(), &self.raw) };
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

/// The store's pending exception, taken out of it (inside a host call, so
/// that Wasmtime's LIFO root of it does not stay: see `store_helper`).
pub(crate) fn take_pending<T>(cx: &mut StoreContextMut<'_, T>) -> Option<ExnRef> {
    if !has_pending(cx) {
        return None;
    }
    let raw = super::store_helper::take_exception_scoped(cx)?;
    Some(ExnRef::from_rooted(cx, raw))
}

/// Whether the store has a pending exception.
pub(crate) fn has_pending<T>(cx: &StoreContextMut<'_, T>) -> bool {
    match &cx.wasmtime().tables().gc_since_44 {
        // SAFETY: the context is live.
        Some(gc) => unsafe { (gc.wasmtime_context_has_exception)(cx.context()) },
        None => false,
    }
}

/// Sets `exn` as the store's pending exception, as the `wasmtime` crate's
/// `throw`: the error is always a [`ThrownException`], unless `exn` is of
/// another store ([`ErrorKind::WrongStore`], nothing thrown: the `wasmtime`
/// crate panics, "object used with wrong store").
pub(crate) fn throw<T, R>(cx: &mut StoreContextMut<'_, T>, exn: ExnRef) -> Result<R> {
    cx.check(exn.store, "the exception")?;
    if let Some(trap) = set_pending(cx, &exn) {
        // The trap only carries Wasmtime's marker; the exception stays
        // pending in the store until a host function's return throws it.
        // SAFETY: a fresh, owned trap of this library, deleted once.
        unsafe { (cx.wasmtime().core().wasm_trap_delete)(trap) };
    }
    Err(ThrownException.into())
}

/// Makes `exn` the store's pending exception; returns the C API's trap
/// that throws it when a host function returns it. `None` if `exn` is of
/// another store (nothing is thrown: the caller's error stays an error).
pub(crate) fn set_pending<T>(
    cx: &mut StoreContextMut<'_, T>,
    exn: &ExnRef,
) -> Option<*mut wasm_trap_t> {
    let gc = cx.wasmtime().tables().gc_since_45.as_ref()?;
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
                ///     caller.throw(exn)
                /// });
                /// ```
                ///
                /// # Errors
                ///
                /// Always an error: [`ThrownException`] (`err.is::<ThrownException>()`),
                /// the error to return; [`ErrorKind::WrongStore`] for an
                /// exception of another store, where nothing is thrown (the
                /// `wasmtime` crate panics), so that a call failing with
                /// [`ThrownException`] always has a pending exception.
                ///
                /// ```no_run
                /// use wasmtime_dyn::{ErrorKind, ExnRef, Store};
                /// # let (mut store, foreign): (Store<()>, ExnRef) = unimplemented!();
                /// let err = store.throw::<()>(foreign).unwrap_err();
                /// assert!(matches!(err.downcast_ref(), Some(ErrorKind::WrongStore(_))));
                /// assert!(!store.has_pending_exception());
                /// ```
                pub fn throw<R>(&mut self, exception: ExnRef) -> Result<R> {
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
