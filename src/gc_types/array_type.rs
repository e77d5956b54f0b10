//! Array types, `ArrayType`.

use super::c_reftype::library_equal;
use super::{
    delete_fields, require_gc, unreadable, wrong_engine, ArrayInner, FieldType, StorageType,
};
use crate::engine::Engine;
#[cfg(doc)]
use crate::error::ErrorKind;
use crate::error::Result;
use crate::sys::types::*;
use crate::types::{HeapType, Mutability};
use std::fmt;
use std::hash::{Hash, Hasher};
use std::mem::MaybeUninit;
use std::sync::{Arc, OnceLock};

/// The type of an array: its element field, registered with one engine.
///
/// ```no_run
/// use wasmtime_dyn::{ArrayType, Engine, FieldType, Mutability, StorageType};
/// # let engine: Engine = unimplemented!();
/// let bytes = ArrayType::new(&engine, FieldType::new(Mutability::Var, StorageType::I8))?;
/// assert!(bytes.element_type().is_packed());
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
#[derive(Clone)]
pub struct ArrayType {
    inner: Arc<ArrayInner>,
}

impl ArrayType {
    /// A new array type of `engine` whose elements are `field` (final,
    /// without a supertype).
    ///
    /// ```no_run
    /// use wasmtime_dyn::{ArrayType, Engine, FieldType, Mutability, StorageType, ValType};
    /// # let engine: Engine = unimplemented!();
    /// let ty = ArrayType::new(&engine, FieldType::new(Mutability::Var, ValType::ANYREF.into()))?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unsupported`]`(Gc)` on a library without GC;
    /// [`ErrorKind::WrongEngine`] for another engine's concrete type.
    pub fn new(engine: &Engine, field: FieldType) -> Result<ArrayType> {
        require_gc(engine)?;
        field.check_engine(engine).map_err(|_| wrong_engine())?;
        let core45 = super::c_reftype::since45(engine, "array types")?;
        let mut c_field = field.to_c(engine)?;
        // SAFETY: the engine is live; the field is read (cloned) and belongs
        // to this engine (checked); the returned type is owned here.
        let ptr = unsafe { (core45.wasmtime_array_type_new)(engine.ptr(), &c_field) };
        delete_fields(core45, std::slice::from_mut(&mut c_field));
        let ty = ArrayType::from_owned(engine, ptr);
        let _ = ty.inner.cache.set(vec![field]);
        Ok(ty)
    }

    /// Takes ownership of an array type of `engine`.
    pub(crate) fn from_owned(engine: &Engine, ptr: *mut wasmtime_array_type_t) -> ArrayType {
        ArrayType {
            inner: Arc::new(ArrayInner {
                engine: engine.clone(),
                ptr,
                cache: OnceLock::new(),
            }),
        }
    }

    pub(crate) fn ptr(&self) -> *mut wasmtime_array_type_t {
        self.inner.ptr
    }

    /// The engine the type is registered with.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{ArrayType, Engine};
    /// # let (engine, ty): (Engine, ArrayType) = unimplemented!();
    /// assert!(Engine::same(ty.engine(), &engine));
    /// ```
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// The type of the elements.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{ArrayType, Mutability};
    /// # let ty: ArrayType = unimplemented!();
    /// let writable = ty.field_type().mutability() == Mutability::Var;
    /// ```
    pub fn field_type(&self) -> FieldType {
        self.inner
            .cache
            .get_or_init(|| {
                let core45 = self.inner.engine.wasmtime().core45();
                let mut out = MaybeUninit::<wasmtime_field_type_t>::uninit();
                // SAFETY: the type is live; `out` is written, then owned
                // here and deleted by `take_c`.
                let field = unsafe {
                    (core45.wasmtime_array_type_element)(self.inner.ptr, out.as_mut_ptr());
                    FieldType::take_c(&self.inner.engine, out.assume_init_mut())
                };
                vec![field.unwrap_or_else(|e| unreadable(e))]
            })
            .first()
            .cloned()
            .expect("an array type has one field type")
    }

    /// Whether the elements can be written.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{ArrayType, Mutability};
    /// # let ty: ArrayType = unimplemented!();
    /// println!("{:?}", ty.mutability());
    /// ```
    pub fn mutability(&self) -> Mutability {
        self.field_type().mutability()
    }

    /// What the elements store.
    ///
    /// ```no_run
    /// use wasmtime_dyn::ArrayType;
    /// # let ty: ArrayType = unimplemented!();
    /// println!("elements of {}", ty.element_type());
    /// ```
    pub fn element_type(&self) -> StorageType {
        self.field_type().element_type().clone()
    }
}

impl PartialEq for ArrayType {
    fn eq(&self, other: &ArrayType) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
            || (Engine::same(self.engine(), other.engine())
                && library_equal(
                    self.engine(),
                    &HeapType::ConcreteArray(self.clone()),
                    &HeapType::ConcreteArray(other.clone()),
                ))
    }
}

impl Eq for ArrayType {}

impl Hash for ArrayType {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (self.engine().ptr() as usize).hash(state);
    }
}

impl fmt::Debug for ArrayType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ArrayType")
    }
}
