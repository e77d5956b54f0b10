//! Struct types, `StructType`.

use super::c_reftype::library_equal;
use super::{
    collect_at_most, delete_fields, limits, require_gc, unreadable, wrong_engine, FieldType,
    StructInner,
};
use crate::engine::Engine;
#[cfg(doc)]
use crate::error::ErrorKind;
use crate::error::Result;
use crate::sys::types::*;
use crate::types::HeapType;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::mem::MaybeUninit;
use std::sync::{Arc, OnceLock};

/// The type of a struct: its fields, registered with one engine.
///
/// ```no_run
/// use wasmtime_dyn::{Engine, FieldType, Mutability, StorageType, StructType, ValType};
/// # let engine: Engine = unimplemented!();
/// let point = StructType::new(
///     &engine,
///     [
///         FieldType::new(Mutability::Var, StorageType::ValType(ValType::F64)),
///         FieldType::new(Mutability::Var, StorageType::ValType(ValType::F64)),
///     ],
/// )?;
/// assert_eq!(point.fields().len(), 2);
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
#[derive(Clone)]
pub struct StructType {
    inner: Arc<StructInner>,
}

impl StructType {
    /// A new struct type of `engine` with these fields (final, without a
    /// supertype: the C API declares no other).
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Engine, FieldType, Mutability, StorageType, StructType};
    /// # let engine: Engine = unimplemented!();
    /// let byte = FieldType::new(Mutability::Const, StorageType::I8);
    /// let pair = StructType::new(&engine, [byte.clone(), byte])?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unsupported`]`(Gc)` on a library without GC;
    /// [`ErrorKind::WrongEngine`] for a field of another engine's concrete
    /// type; [`ErrorKind::Invalid`] for more than 10 000 fields, Wasmtime's
    /// limit (the `wasmtime` crate returns an error; the C API aborts the
    /// process), refused before more than that are collected.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Engine, ErrorKind, FieldType, Mutability, StorageType, StructType};
    /// # let engine: Engine = unimplemented!();
    /// let byte = FieldType::new(Mutability::Const, StorageType::I8);
    /// let err = StructType::new(&engine, vec![byte; 10_001]).unwrap_err();
    /// assert!(matches!(err.downcast_ref(), Some(ErrorKind::Invalid(_))));
    /// ```
    pub fn new(engine: &Engine, fields: impl IntoIterator<Item = FieldType>) -> Result<StructType> {
        require_gc(engine)?;
        let max = limits(engine, "struct types")?.max_struct_fields;
        let fields = collect_at_most(fields, max, |n| {
            let n = n.map_or_else(|| format!("more than {max}"), |n| n.to_string());
            format!(
                "a struct type of {n} fields: Wasmtime allows at most {max} (the C API aborts \
                 the process past that); split the fields into nested structs or an array"
            )
        })?;
        for field in &fields {
            field.check_engine(engine).map_err(|_| wrong_engine())?;
        }
        let core45 = super::c_reftype::since45(engine, "struct types")?;
        let mut c_fields = Vec::with_capacity(fields.len());
        for field in &fields {
            match field.to_c(engine) {
                Ok(f) => c_fields.push(f),
                Err(e) => {
                    delete_fields(core45, &mut c_fields);
                    return Err(e);
                }
            }
        }
        // SAFETY: the engine is live; the fields are read (cloned) and
        // belong to this engine (checked above), so registering them cannot
        // panic; the returned type is owned here.
        let ptr = unsafe {
            (core45.wasmtime_struct_type_new)(engine.ptr(), c_fields.as_ptr(), c_fields.len())
        };
        delete_fields(core45, &mut c_fields);
        let ty = StructType::from_owned(engine, ptr);
        let _ = ty.inner.cache.set(fields);
        Ok(ty)
    }

    /// Takes ownership of a struct type of `engine`.
    pub(crate) fn from_owned(engine: &Engine, ptr: *mut wasmtime_struct_type_t) -> StructType {
        StructType {
            inner: Arc::new(StructInner {
                engine: engine.clone(),
                ptr,
                cache: OnceLock::new(),
            }),
        }
    }

    pub(crate) fn ptr(&self) -> *mut wasmtime_struct_type_t {
        self.inner.ptr
    }

    /// The engine the type is registered with.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Engine, StructType};
    /// # let (engine, ty): (Engine, StructType) = unimplemented!();
    /// assert!(Engine::same(ty.engine(), &engine));
    /// ```
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    fn read_fields(&self) -> &[FieldType] {
        self.inner.cache.get_or_init(|| {
            let core45 = self.inner.engine.wasmtime().core45();
            // SAFETY: the type is live.
            let n = unsafe { (core45.wasmtime_struct_type_num_fields)(self.inner.ptr) };
            (0..n)
                .map(|i| {
                    let mut out = MaybeUninit::<wasmtime_field_type_t>::uninit();
                    // SAFETY: `i` is in bounds, so `out` is written; it is
                    // then owned here and deleted by `take_c`.
                    unsafe {
                        let found = (core45.wasmtime_struct_type_field)(
                            self.inner.ptr,
                            i,
                            out.as_mut_ptr(),
                        );
                        assert!(found, "field {i} of {n} is in bounds");
                        FieldType::take_c(&self.inner.engine, out.assume_init_mut())
                    }
                    .unwrap_or_else(|e| unreadable(e))
                })
                .collect()
        })
    }

    /// The fields, in order.
    ///
    /// ```no_run
    /// use wasmtime_dyn::StructType;
    /// # let ty: StructType = unimplemented!();
    /// for (i, field) in ty.fields().enumerate() {
    ///     println!("field {i}: {field}");
    /// }
    /// ```
    pub fn fields(&self) -> impl ExactSizeIterator<Item = FieldType> + '_ {
        self.read_fields().iter().cloned()
    }

    /// The field at `index`, if there is one.
    ///
    /// ```no_run
    /// use wasmtime_dyn::StructType;
    /// # let ty: StructType = unimplemented!();
    /// assert!(ty.field(ty.fields().len()).is_none());
    /// ```
    pub fn field(&self, index: usize) -> Option<FieldType> {
        self.read_fields().get(index).cloned()
    }
}

impl PartialEq for StructType {
    fn eq(&self, other: &StructType) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
            || (Engine::same(self.engine(), other.engine())
                && library_equal(
                    self.engine(),
                    &HeapType::ConcreteStruct(self.clone()),
                    &HeapType::ConcreteStruct(other.clone()),
                ))
    }
}

impl Eq for StructType {}

impl Hash for StructType {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (self.engine().ptr() as usize).hash(state);
    }
}

impl fmt::Debug for StructType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let core45 = self.engine().wasmtime().core45();
        // SAFETY: the type is live.
        let n = unsafe { (core45.wasmtime_struct_type_num_fields)(self.inner.ptr) };
        write!(f, "StructType({n} fields)")
    }
}
