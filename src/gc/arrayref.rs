//! GC arrays: `ArrayRefPre` allocators and `ArrayRef`'s methods.

#[cfg(doc)]
use super::StructRefPre;
use super::{checked, checked_mut, gc_since_44, gc_since_46, take_val, ArrayRef, PreInner};
use crate::engine::Engine;
use crate::error::{ErrorKind, Result};
use crate::gc_types::ArrayType;
use crate::store::{AsContext, AsContextMut};
use crate::sys::types::*;
use crate::val::Val;
use std::fmt;
use std::mem::MaybeUninit;
use std::sync::Arc;

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
        let gc = gc_since_44(cx.wasmtime(), "ArrayRefPre::new")?;
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
