//! Tags (exceptions proposal): what an exception is an instance of.

use crate::capability::Capability;
use crate::error::{ErrorKind, Result};
use crate::gc_types::TagType;
use crate::store::{AsContext, AsContextMut, StoreContextMut};
use crate::sys::types::*;

/// A tag of a store: exceptions are thrown with one and caught by it
/// (exceptions proposal; needs the [`Gc`](crate::Capability::Gc) capability,
/// which carries the C API's exceptions).
///
/// ```no_run
/// use wasmtime_dyn::{FuncType, Store, Tag, TagType, ValType};
/// # let mut store: Store<()> = unimplemented!();
/// let ty = TagType::new(FuncType::new([ValType::I32], []));
/// let tag = Tag::new(&mut store, &ty)?;
/// assert_eq!(tag.ty(&store)?, ty);
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
#[derive(Clone, Copy)]
pub struct Tag {
    pub(crate) raw: wasmtime_tag_t,
    /// The id of the store it belongs to.
    pub(crate) store: u64,
}

impl std::fmt::Debug for Tag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tag").finish_non_exhaustive()
    }
}

impl Tag {
    pub(crate) fn from_c<T>(cx: &StoreContextMut<'_, T>, raw: wasmtime_tag_t) -> Tag {
        Tag {
            raw,
            store: cx.id(),
        }
    }

    /// A new tag of type `ty` in `store`, for exceptions the host throws or
    /// catches (wasm may import it).
    ///
    /// ```no_run
    /// use wasmtime_dyn::{FuncType, Store, Tag, TagType};
    /// # let mut store: Store<()> = unimplemented!();
    /// let tag = Tag::new(&mut store, &TagType::new(FuncType::new([], [])))?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unsupported`]`(Gc)` on a library without GC;
    /// [`ErrorKind::WrongEngine`] for a type of another engine's concrete
    /// types; Wasmtime's error for a type with results.
    pub fn new(mut store: impl AsContextMut, ty: &TagType) -> Result<Tag> {
        let cx = store.as_context_mut();
        if !cx.wasmtime().has(Capability::Gc) {
            return Err(ErrorKind::Unsupported(Capability::Gc).into());
        }
        let core = cx.wasmtime().core();
        let since44 = cx
            .wasmtime()
            .later(&cx.wasmtime().tables().core_since_44, "tags")?;
        let c_ty = ty.to_c(cx.engine())?;
        let mut out = std::mem::MaybeUninit::uninit();
        // SAFETY: the context and type are live and of one engine (the
        // type's concrete parts were checked by `to_c`); the type is
        // borrowed and deleted after; `out` is written on success.
        let error = unsafe {
            let error = (since44.wasmtime_tag_new)(cx.context(), c_ty, out.as_mut_ptr());
            (since44.wasm_tagtype_delete)(c_ty);
            error
        };
        // SAFETY: the error, if any, is fresh and owned.
        unsafe { crate::error::check(core, error) }?;
        // SAFETY: written on success.
        Ok(Tag::from_c(&cx, unsafe { out.assume_init() }))
    }

    /// The tag's type.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Store, Tag};
    /// # let (store, tag): (Store<()>, Tag) = unimplemented!();
    /// println!("payload {:?}", tag.ty(&store)?.ty().params().collect::<Vec<_>>());
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::WrongStore`] (the `wasmtime` crate panics).
    pub fn ty(&self, store: impl AsContext) -> Result<TagType> {
        let cx = store.as_context();
        cx.check(self.store, "the tag")?;
        let since44 = cx
            .wasmtime()
            .later(&cx.wasmtime().tables().core_since_44, "tags")?;
        // SAFETY: the tag belongs to this live store (checked); the type is
        // owned here, read and deleted once.
        unsafe {
            let ty = (since44.wasmtime_tag_type)(cx.context(), &self.raw);
            let out = TagType::from_c(cx.engine(), ty);
            (since44.wasm_tagtype_delete)(ty);
            out
        }
    }

    /// Whether `a` and `b` are the same tag (identity, not type). Tags of
    /// other stores than `store` are never equal.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Store, Tag};
    /// # let (store, a): (Store<()>, Tag) = unimplemented!();
    /// assert!(Tag::eq(&a, &a, &store));
    /// ```
    pub fn eq(a: &Tag, b: &Tag, store: impl AsContext) -> bool {
        let cx = store.as_context();
        if cx.check(a.store, "the tag").is_err() || cx.check(b.store, "the tag").is_err() {
            return false;
        }
        // A library without tag functions (before 44) has no tags either.
        let Some(since44) = cx.wasmtime().tables().core_since_44.as_ref() else {
            return false;
        };
        // SAFETY: both tags belong to this live store (checked).
        unsafe { (since44.wasmtime_tag_eq)(cx.context(), &a.raw, &b.raw) }
    }
}
