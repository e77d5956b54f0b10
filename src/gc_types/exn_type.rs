//! Exception types, `ExnType` (exceptions proposal).

use super::c_reftype::library_equal;
use super::{collect_at_most, limits, require_gc, unreadable, wrong_engine, TagType};
use crate::engine::Engine;
use crate::error::{ErrorKind, Result};
use crate::sys::types::*;
use crate::types::{FuncType, HeapType, ValType};
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, OnceLock};

struct ExnInner {
    engine: Engine,
    ptr: *mut wasmtime_exn_type_t,
    fields: OnceLock<Vec<ValType>>,
}

// SAFETY: an immutable Wasmtime type, owned by this handle.
unsafe impl Send for ExnInner {}
// SAFETY: as above.
unsafe impl Sync for ExnInner {}

impl Drop for ExnInner {
    fn drop(&mut self) {
        // SAFETY: owned by this handle, deleted once.
        unsafe { (self.engine.wasmtime().core45().wasmtime_exn_type_delete)(self.ptr) };
        if let Some(fields) = self.fields.take() {
            super::drop_flat(Box::new(fields));
        }
    }
}

/// The type of an exception: its payload fields, registered with one
/// engine (exceptions proposal).
///
/// ```no_run
/// use wasmtime_dyn::{Engine, ExnType, ValType};
/// # let engine: Engine = unimplemented!();
/// let ty = ExnType::new(&engine, [ValType::I32, ValType::I64])?;
/// assert_eq!(ty.fields().len(), 2);
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
#[derive(Clone)]
pub struct ExnType {
    inner: Arc<ExnInner>,
}

impl ExnType {
    /// A new exception type of `engine` with these payload fields.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Engine, ExnType};
    /// # let engine: Engine = unimplemented!();
    /// let empty = ExnType::new(&engine, [])?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unsupported`]`(Gc)` on a library without GC;
    /// [`ErrorKind::WrongEngine`] for another engine's concrete type;
    /// [`ErrorKind::Invalid`] for more fields than keep the exception's
    /// layout within the 32-bit size Wasmtime computes it in, whatever
    /// their types (268 435 452: Wasmtime has no limit of its own, and its
    /// size would wrap around), refused before more than that are
    /// collected; Wasmtime's error if it refuses the type.
    pub fn new(engine: &Engine, fields: impl IntoIterator<Item = ValType>) -> Result<ExnType> {
        require_gc(engine)?;
        let max = limits(engine, "exception types")?.max_exn_fields();
        let fields = collect_at_most(fields.into_iter().map(ValType::canonical), max, |n| {
            let n = n.map_or_else(|| format!("more than {max}"), |n| n.to_string());
            format!(
                "an exception type of {n} fields: its layout may not fit the 32-bit size \
                 Wasmtime computes it in past {max}; pass the payload in a GC array instead"
            )
        })?;
        for field in &fields {
            field.check_engine(engine).map_err(|_| wrong_engine())?;
        }
        let core = engine.wasmtime().core();
        let core45 = super::c_reftype::since45(engine, "exception types")?;
        let mut items = Vec::with_capacity(fields.len());
        for field in &fields {
            match field.to_c(engine) {
                Ok(p) => items.push(p),
                Err(e) => {
                    for p in items {
                        // SAFETY: made above, owned here, deleted once.
                        unsafe { (core.wasm_valtype_delete)(p) };
                    }
                    return Err(e);
                }
            }
        }
        let mut vec = wasm_valtype_vec_t {
            size: 0,
            data: std::ptr::null_mut(),
        };
        let mut out = std::ptr::null_mut();
        // SAFETY: the owned valtypes move into `vec`, which the call reads
        // (clones) and which is deleted after; `out` is written on success;
        // the types belong to this engine (checked).
        let error = unsafe {
            (core.wasm_valtype_vec_new)(&mut vec, items.len(), items.as_ptr());
            let error = (core45.wasmtime_exn_type_new)(engine.ptr(), &vec, &mut out);
            (core.wasm_valtype_vec_delete)(&mut vec);
            error
        };
        // SAFETY: the error, if any, is fresh and owned.
        unsafe { crate::error::check(core, error) }?;
        let ty = ExnType::from_owned(engine, out);
        let _ = ty.inner.fields.set(fields);
        Ok(ty)
    }

    /// The exception type of `tag`'s payload.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Engine, ExnType, FuncType, TagType, ValType};
    /// # let engine: Engine = unimplemented!();
    /// let tag = TagType::new(FuncType::new([ValType::I32], []));
    /// let ty = ExnType::from_tag_type(&engine, &tag)?;
    /// assert_eq!(ty.tag_type(), tag);
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`ExnType::new`]; a [`ErrorKind::TypeMismatch`] for a tag type
    /// with results.
    pub fn from_tag_type(engine: &Engine, tag: &TagType) -> Result<ExnType> {
        if tag.ty().results().len() != 0 {
            return Err(ErrorKind::TypeMismatch(format!(
                "an exception tag's type has no results, not {}",
                tag.ty()
            ))
            .into());
        }
        ExnType::new(engine, tag.ty().params())
    }

    /// Takes ownership of an exception type of `engine`.
    pub(crate) fn from_owned(engine: &Engine, ptr: *mut wasmtime_exn_type_t) -> ExnType {
        ExnType {
            inner: Arc::new(ExnInner {
                engine: engine.clone(),
                ptr,
                fields: OnceLock::new(),
            }),
        }
    }

    pub(crate) fn ptr(&self) -> *mut wasmtime_exn_type_t {
        self.inner.ptr
    }

    /// The engine the type is registered with.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Engine, ExnType};
    /// # let (engine, ty): (Engine, ExnType) = unimplemented!();
    /// assert!(Engine::same(ty.engine(), &engine));
    /// ```
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    fn read_fields(&self) -> &[ValType] {
        self.inner.fields.get_or_init(|| {
            let engine = &self.inner.engine;
            let core44 = engine.wasmtime().core44();
            let core45 = engine.wasmtime().core45();
            // SAFETY: the type is live; the tag type is owned here, its
            // function type borrowed from it, and deleted after reading.
            unsafe {
                let tag = (core45.wasmtime_exn_type_tag_type)(self.inner.ptr);
                let ty = TagType::from_c(engine, tag);
                (core44.wasm_tagtype_delete)(tag);
                ty.unwrap_or_else(|e| unreadable(e))
                    .ty
                    .param_types()
                    .to_vec()
            }
        })
    }

    /// The payload's field types.
    ///
    /// ```no_run
    /// use wasmtime_dyn::ExnType;
    /// # let ty: ExnType = unimplemented!();
    /// for field in ty.fields() {
    ///     println!("{field}");
    /// }
    /// ```
    pub fn fields(&self) -> impl ExactSizeIterator<Item = ValType> + '_ {
        self.read_fields().iter().cloned()
    }

    /// The field at `index`, if there is one.
    ///
    /// ```no_run
    /// use wasmtime_dyn::ExnType;
    /// # let ty: ExnType = unimplemented!();
    /// println!("{:?}", ty.field(0));
    /// ```
    pub fn field(&self, index: usize) -> Option<ValType> {
        self.read_fields().get(index).cloned()
    }

    /// The type of the tags that make exceptions of this type.
    ///
    /// ```no_run
    /// use wasmtime_dyn::ExnType;
    /// # let ty: ExnType = unimplemented!();
    /// assert_eq!(ty.tag_type().ty().params().len(), ty.fields().len());
    /// ```
    pub fn tag_type(&self) -> TagType {
        TagType::new(FuncType::new(self.fields(), []))
    }
}

impl PartialEq for ExnType {
    fn eq(&self, other: &ExnType) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
            || (Engine::same(self.engine(), other.engine())
                && library_equal(
                    self.engine(),
                    &HeapType::ConcreteExn(self.clone()),
                    &HeapType::ConcreteExn(other.clone()),
                ))
    }
}

impl Eq for ExnType {}

impl Hash for ExnType {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (self.engine().ptr() as usize).hash(state);
    }
}

impl fmt::Debug for ExnType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ExnType")
    }
}
