//! GC structs: `StructRefPre` allocators and `StructRef`'s methods.

use super::{
    c_vals, checked, checked_mut, gc_since_44, gc_since_46, take_val, PreInner, StructRef,
};
use crate::engine::Engine;
use crate::error::{ErrorKind, Result};
use crate::gc_types::StructType;
use crate::store::{AsContext, AsContextMut};
use crate::sys::types::*;
use crate::val::Val;
use std::fmt;
use std::mem::MaybeUninit;
use std::sync::Arc;

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
        let gc = gc_since_44(cx.wasmtime(), "StructRefPre::new")?;
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
