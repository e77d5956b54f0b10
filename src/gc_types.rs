//! The types of the GC and exceptions proposals: [`StructType`],
//! [`ArrayType`], their [`FieldType`]s, [`ExnType`] and [`TagType`], and
//! the conversions of reference types to and from the C API.
//!
//! A concrete type is a handle to the C API's type object, registered with
//! one engine: Wasmtime panics (which aborts the process through the C API)
//! when types of two engines meet, so every use checks the engine first. A
//! concrete type's fields are read when first asked: a type may refer to
//! itself, so reading it in full would never end.

use crate::capability::Capability;
use crate::engine::Engine;
use crate::error::{ErrorKind, Result};
use crate::sys::tables::Core;
use crate::sys::types::*;
use crate::types::{FuncType, HeapType, Mutability, RefType, ValType};
use std::fmt;
use std::hash::{Hash, Hasher};
use std::mem::MaybeUninit;
use std::sync::{Arc, OnceLock};

/// Refuses the GC types on a library without GC.
fn require_gc(engine: &Engine) -> Result<()> {
    if engine.wasmtime().has(Capability::Gc) {
        Ok(())
    } else {
        Err(ErrorKind::Unsupported(Capability::Gc).into())
    }
}

/// Refuses to make handles of concrete types read from the library for an
/// engine with stack switching on: their parts could be `cont` types, on
/// which the C API's readers abort the process (see `ValType::from_c`).
pub(crate) fn concrete_types_readable(engine: &Engine) -> Result<()> {
    if engine.settings().stack_switching == Some(true) {
        Err(ErrorKind::Invalid(
            "a concrete type of an engine with the stack-switching proposal on: the C API \
             aborts the process reading a `cont` type, so wasmtime-dyn does not read the \
             concrete types of such engines"
                .into(),
        )
        .into())
    } else {
        Ok(())
    }
}

fn wrong_engine() -> crate::Error {
    ErrorKind::WrongEngine("a concrete type", "the engine it was used with").into()
}

/// The storage of a struct field or array element: a value type, or a
/// packed 8- or 16-bit integer.
///
/// ```
/// use wasmtime_dyn::{StorageType, ValType};
/// assert_eq!(StorageType::I8.unpack(), ValType::I32);
/// assert_eq!(StorageType::ValType(ValType::F64).unpack(), ValType::F64);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum StorageType {
    /// An 8-bit integer, read and written as an `i32`.
    I8,
    /// A 16-bit integer, read and written as an `i32`.
    I16,
    /// A value type.
    ValType(ValType),
}

impl StorageType {
    /// The value type its values are read and written as (`i32` for the
    /// packed integers).
    ///
    /// ```
    /// use wasmtime_dyn::{StorageType, ValType};
    /// assert_eq!(StorageType::I16.unpack(), ValType::I32);
    /// ```
    pub fn unpack(&self) -> ValType {
        match self {
            StorageType::I8 | StorageType::I16 => ValType::I32,
            StorageType::ValType(t) => t.clone(),
        }
    }

    /// Whether this is a packed integer.
    ///
    /// ```
    /// use wasmtime_dyn::StorageType;
    /// assert!(StorageType::I8.is_packed());
    /// ```
    pub fn is_packed(&self) -> bool {
        matches!(self, StorageType::I8 | StorageType::I16)
    }
}

impl From<ValType> for StorageType {
    fn from(t: ValType) -> StorageType {
        StorageType::ValType(t.canonical())
    }
}

impl fmt::Display for StorageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StorageType::I8 => f.write_str("i8"),
            StorageType::I16 => f.write_str("i16"),
            StorageType::ValType(t) => write!(f, "{t}"),
        }
    }
}

/// The type of a struct field or of an array's elements.
///
/// ```
/// use wasmtime_dyn::{FieldType, Mutability, StorageType, ValType};
/// let ty = FieldType::new(Mutability::Var, StorageType::ValType(ValType::I64));
/// assert_eq!(ty.mutability(), Mutability::Var);
/// assert_eq!(ty.element_type(), &StorageType::ValType(ValType::I64));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FieldType {
    mutability: Mutability,
    element_type: StorageType,
}

impl FieldType {
    /// A field type.
    ///
    /// ```
    /// use wasmtime_dyn::{FieldType, Mutability, StorageType};
    /// let byte = FieldType::new(Mutability::Const, StorageType::I8);
    /// assert!(byte.element_type().is_packed());
    /// ```
    pub fn new(mutability: Mutability, element_type: StorageType) -> FieldType {
        let element_type = match element_type {
            StorageType::ValType(t) => StorageType::ValType(t.canonical()),
            packed => packed,
        };
        FieldType {
            mutability,
            element_type,
        }
    }

    /// Whether the field can be written.
    ///
    /// ```
    /// use wasmtime_dyn::{FieldType, Mutability, StorageType};
    /// assert_eq!(FieldType::new(Mutability::Const, StorageType::I16).mutability(), Mutability::Const);
    /// ```
    pub fn mutability(&self) -> Mutability {
        self.mutability
    }

    /// What the field stores.
    ///
    /// ```
    /// use wasmtime_dyn::{FieldType, Mutability, StorageType};
    /// assert_eq!(FieldType::new(Mutability::Var, StorageType::I8).element_type(), &StorageType::I8);
    /// ```
    pub fn element_type(&self) -> &StorageType {
        &self.element_type
    }

    fn check_engine(&self, engine: &Engine) -> Result<()> {
        match &self.element_type {
            StorageType::ValType(t) => t.check_engine(engine),
            _ => Ok(()),
        }
    }

    /// A new owned `wasmtime_field_type_t` (deleted with
    /// `wasmtime_field_type_delete`).
    fn to_c(&self, engine: &Engine) -> Result<wasmtime_field_type_t> {
        let (kind, valtype) = match &self.element_type {
            StorageType::I8 => (WASMTIME_STORAGE_TYPE_KIND_I8, std::ptr::null_mut()),
            StorageType::I16 => (WASMTIME_STORAGE_TYPE_KIND_I16, std::ptr::null_mut()),
            StorageType::ValType(t) => (WASMTIME_STORAGE_TYPE_KIND_VALTYPE, t.to_c(engine)?),
        };
        Ok(wasmtime_field_type_t {
            mutable_: self.mutability == Mutability::Var,
            storage: wasmtime_storage_type_t {
                kind: kind as u8,
                valtype,
            },
        })
    }

    /// Reads and deletes a `wasmtime_field_type_t` the library wrote.
    ///
    /// # Safety
    ///
    /// `field` was written by `engine`'s library for `engine`'s objects and
    /// is owned by the caller; it is deleted here.
    unsafe fn take_c(engine: &Engine, field: &mut wasmtime_field_type_t) -> Result<FieldType> {
        let core = engine.wasmtime().core();
        let element_type = match u32::from(field.storage.kind) {
            WASMTIME_STORAGE_TYPE_KIND_I8 => Ok(StorageType::I8),
            WASMTIME_STORAGE_TYPE_KIND_I16 => Ok(StorageType::I16),
            _ => {
                // SAFETY: a value-type storage holds a live valtype of
                // `engine`'s objects (the caller's contract).
                unsafe { ValType::from_c(engine, field.storage.valtype) }.map(StorageType::ValType)
            }
        };
        let mutability = if field.mutable_ {
            Mutability::Var
        } else {
            Mutability::Const
        };
        // SAFETY: owned by the caller (contract), deleted once.
        unsafe { (core.wasmtime_field_type_delete)(field) };
        Ok(FieldType::new(mutability, element_type?))
    }
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.mutability {
            Mutability::Var => write!(f, "(mut {})", self.element_type),
            Mutability::Const => write!(f, "{}", self.element_type),
        }
    }
}

/// Deletes the field types made by [`FieldType::to_c`].
fn delete_fields(core: &Core, fields: &mut [wasmtime_field_type_t]) {
    for field in fields {
        // SAFETY: made by `FieldType::to_c`, owned here, deleted once.
        unsafe { (core.wasmtime_field_type_delete)(field) };
    }
}

macro_rules! concrete_handle {
    ($inner:ident, $c:ty, $delete:ident) => {
        struct $inner {
            engine: Engine,
            ptr: *mut $c,
            cache: OnceLock<Vec<FieldType>>,
        }

        // SAFETY: the C type object is an immutable, reference-counted
        // Wasmtime type (`Send + Sync` in Rust), owned by this handle.
        unsafe impl Send for $inner {}
        // SAFETY: as above; nothing mutates it.
        unsafe impl Sync for $inner {}

        impl Drop for $inner {
            fn drop(&mut self) {
                // SAFETY: owned by this handle, deleted once.
                unsafe { (self.engine.wasmtime().core().$delete)(self.ptr) };
            }
        }
    };
}

concrete_handle!(
    StructInner,
    wasmtime_struct_type_t,
    wasmtime_struct_type_delete
);
concrete_handle!(
    ArrayInner,
    wasmtime_array_type_t,
    wasmtime_array_type_delete
);

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
    /// type.
    pub fn new(engine: &Engine, fields: impl IntoIterator<Item = FieldType>) -> Result<StructType> {
        require_gc(engine)?;
        let fields: Vec<FieldType> = fields.into_iter().collect();
        for field in &fields {
            field.check_engine(engine).map_err(|_| wrong_engine())?;
        }
        let core = engine.wasmtime().core();
        let mut c_fields = Vec::with_capacity(fields.len());
        for field in &fields {
            match field.to_c(engine) {
                Ok(f) => c_fields.push(f),
                Err(e) => {
                    delete_fields(core, &mut c_fields);
                    return Err(e);
                }
            }
        }
        // SAFETY: the engine is live; the fields are read (cloned) and
        // belong to this engine (checked above), so registering them cannot
        // panic; the returned type is owned here.
        let ptr = unsafe {
            (core.wasmtime_struct_type_new)(engine.ptr(), c_fields.as_ptr(), c_fields.len())
        };
        delete_fields(core, &mut c_fields);
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
            let core = self.inner.engine.wasmtime().core();
            // SAFETY: the type is live.
            let n = unsafe { (core.wasmtime_struct_type_num_fields)(self.inner.ptr) };
            (0..n)
                .map(|i| {
                    let mut out = MaybeUninit::<wasmtime_field_type_t>::uninit();
                    // SAFETY: `i` is in bounds, so `out` is written; it is
                    // then owned here and deleted by `take_c`.
                    unsafe {
                        let found =
                            (core.wasmtime_struct_type_field)(self.inner.ptr, i, out.as_mut_ptr());
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

/// A concrete type's part could not be read, which only a library that
/// aborts reading it could cause: handles are made only for engines whose
/// types the C API reads (see `ValType::from_c`).
#[cold]
fn unreadable(e: crate::Error) -> ! {
    panic!("wasmtime-dyn could not read a part of a concrete type it holds: {e}")
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
        let core = self.engine().wasmtime().core();
        // SAFETY: the type is live.
        let n = unsafe { (core.wasmtime_struct_type_num_fields)(self.inner.ptr) };
        write!(f, "StructType({n} fields)")
    }
}

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
        let core = engine.wasmtime().core();
        let mut c_field = field.to_c(engine)?;
        // SAFETY: the engine is live; the field is read (cloned) and belongs
        // to this engine (checked); the returned type is owned here.
        let ptr = unsafe { (core.wasmtime_array_type_new)(engine.ptr(), &c_field) };
        delete_fields(core, std::slice::from_mut(&mut c_field));
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
                let core = self.inner.engine.wasmtime().core();
                let mut out = MaybeUninit::<wasmtime_field_type_t>::uninit();
                // SAFETY: the type is live; `out` is written, then owned
                // here and deleted by `take_c`.
                let field = unsafe {
                    (core.wasmtime_array_type_element)(self.inner.ptr, out.as_mut_ptr());
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

/// The type of a tag (exceptions proposal): the types of an exception's
/// payload, as the parameters of a function type without results.
///
/// ```
/// use wasmtime_dyn::{FuncType, TagType, ValType};
/// let ty = TagType::new(FuncType::new([ValType::I32], []));
/// assert_eq!(ty.ty().params(), [ValType::I32]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TagType {
    ty: FuncType,
}

impl TagType {
    /// A tag type whose payload is `ty`'s parameters.
    ///
    /// ```
    /// use wasmtime_dyn::{FuncType, TagType, ValType};
    /// let ty = TagType::new(FuncType::new([ValType::I64, ValType::F32], []));
    /// assert_eq!(ty.ty().params().len(), 2);
    /// ```
    pub fn new(ty: FuncType) -> TagType {
        TagType { ty }
    }

    /// The function type (payload as its parameters).
    ///
    /// ```
    /// use wasmtime_dyn::{FuncType, TagType};
    /// assert!(TagType::new(FuncType::new([], [])).ty().results().is_empty());
    /// ```
    pub fn ty(&self) -> &FuncType {
        &self.ty
    }

    /// # Safety
    ///
    /// `ty` is null or a live `wasm_tagtype_t` of `engine`'s library and
    /// objects.
    pub(crate) unsafe fn from_c(engine: &Engine, ty: *const wasm_tagtype_t) -> Result<TagType> {
        if ty.is_null() {
            return Err(
                ErrorKind::Invalid("the C API reported a tag without a type".into()).into(),
            );
        }
        let core = engine.wasmtime().core();
        // SAFETY: `ty` is live; its function type is borrowed from it.
        unsafe {
            Ok(TagType {
                ty: FuncType::from_c(engine, (core.wasm_tagtype_functype)(ty))?,
            })
        }
    }

    /// A new owned `wasm_tagtype_t` (deleted with `wasm_tagtype_delete`).
    pub(crate) fn to_c(&self, engine: &Engine) -> Result<*mut wasm_tagtype_t> {
        let core = engine.wasmtime().core();
        let functype = self.ty.to_c(engine)?;
        let ptr = functype.ptr;
        std::mem::forget(functype);
        // SAFETY: the function type's ownership moves into the tag type.
        Ok(unsafe { (core.wasm_tagtype_new)(ptr) })
    }
}

impl fmt::Display for TagType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "(tag {})", self.ty)
    }
}

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
        unsafe { (self.engine.wasmtime().core().wasmtime_exn_type_delete)(self.ptr) };
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
    /// Wasmtime's error if it refuses the type.
    pub fn new(engine: &Engine, fields: impl IntoIterator<Item = ValType>) -> Result<ExnType> {
        require_gc(engine)?;
        let fields: Vec<ValType> = fields.into_iter().map(ValType::canonical).collect();
        for field in &fields {
            field.check_engine(engine).map_err(|_| wrong_engine())?;
        }
        let core = engine.wasmtime().core();
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
            let error = (core.wasmtime_exn_type_new)(engine.ptr(), &vec, &mut out);
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
        if !tag.ty().results().is_empty() {
            return Err(ErrorKind::TypeMismatch(format!(
                "an exception tag's type has no results, not {}",
                tag.ty()
            ))
            .into());
        }
        ExnType::new(engine, tag.ty().params().iter().cloned())
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
            let core = engine.wasmtime().core();
            // SAFETY: the type is live; the tag type is owned here, its
            // function type borrowed from it, and deleted after reading.
            unsafe {
                let tag = (core.wasmtime_exn_type_tag_type)(self.inner.ptr);
                let ty = TagType::from_c(engine, tag);
                (core.wasm_tagtype_delete)(tag);
                ty.unwrap_or_else(|e| unreadable(e)).ty.params().to_vec()
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

/// A concrete function type of a reference: the C API's type object, read
/// when first asked (see `FuncType`).
pub(crate) struct FuncHandle {
    engine: Engine,
    ptr: *mut wasm_functype_t,
    signature: OnceLock<(Vec<ValType>, Vec<ValType>)>,
}

// SAFETY: an immutable Wasmtime type, owned by this handle.
unsafe impl Send for FuncHandle {}
// SAFETY: as above.
unsafe impl Sync for FuncHandle {}

impl Drop for FuncHandle {
    fn drop(&mut self) {
        // SAFETY: owned by this handle, deleted once.
        unsafe { (self.engine.wasmtime().core().wasm_functype_delete)(self.ptr) };
    }
}

impl FuncHandle {
    pub(crate) fn engine(&self) -> &Engine {
        &self.engine
    }

    pub(crate) fn ptr(&self) -> *mut wasm_functype_t {
        self.ptr
    }

    pub(crate) fn signature(&self) -> &(Vec<ValType>, Vec<ValType>) {
        self.signature.get_or_init(|| {
            // SAFETY: the type is live and of this engine.
            let ty = unsafe { FuncType::from_c(&self.engine, self.ptr) }
                .unwrap_or_else(|e| unreadable(e));
            (ty.params().to_vec(), ty.results().to_vec())
        })
    }

    /// Whether two handles are the same type, as Wasmtime says.
    pub(crate) fn same_as(self: &Arc<Self>, other: &Arc<Self>) -> bool {
        Engine::same(&self.engine, &other.engine)
            && library_equal(
                &self.engine,
                &HeapType::ConcreteFunc(FuncType::from_shared_handle(self.clone())),
                &HeapType::ConcreteFunc(FuncType::from_shared_handle(other.clone())),
            )
    }
}

/// Whether Wasmtime says two heap types of `engine` are equal (each a
/// subtype of the other), comparing `(ref null a)` with `(ref null b)`.
fn library_equal(engine: &Engine, a: &HeapType, b: &HeapType) -> bool {
    let core = engine.wasmtime().core();
    let (Ok(a), Ok(b)) = (
        reftype_to_wasm(engine, &RefType::new(true, a.clone())),
        reftype_to_wasm(engine, &RefType::new(true, b.clone())),
    ) else {
        return false;
    };
    // SAFETY: both are live, owned here, of one engine (the caller's
    // check), so the comparison cannot panic; each is deleted once.
    unsafe {
        let same = (core.wasmtime_wasm_valtype_equal)(a, b);
        (core.wasm_valtype_delete)(a);
        (core.wasm_valtype_delete)(b);
        same
    }
}

/// A new owned `wasm_valtype_t` for the reference type `r`, whose concrete
/// parts belong to `engine` (the caller checked).
pub(crate) fn reftype_to_wasm(engine: &Engine, r: &RefType) -> Result<*mut wasm_valtype_t> {
    let core = engine.wasmtime().core();
    // A function type given in full becomes a C type for the call.
    let mut made = None;
    let of = match r.heap_type() {
        HeapType::ConcreteFunc(f) => {
            let c = f.to_c(engine)?;
            let ptr = c.ptr;
            made = Some(c);
            wasmtime_heaptype_union { concrete_func: ptr }
        }
        HeapType::ConcreteArray(t) => wasmtime_heaptype_union {
            concrete_array: t.ptr(),
        },
        HeapType::ConcreteStruct(t) => wasmtime_heaptype_union {
            concrete_struct: t.ptr(),
        },
        HeapType::ConcreteExn(t) => wasmtime_heaptype_union {
            concrete_exn: t.ptr(),
        },
        _ => wasmtime_heaptype_union {
            concrete_func: std::ptr::null_mut(),
        },
    };
    let ty = c_valtype(r, of);
    // SAFETY: `ty` is borrowed by the call (which clones what it keeps);
    // its concrete part is live and of `engine`; the engine is live (the C
    // API needs it for a concrete function type).
    let out = unsafe { (core.wasmtime_valtype_to_wasm)(engine.ptr(), &ty) };
    drop(made);
    Ok(out)
}

/// A new owned `wasm_valtype_t` for an abstract reference type (no engine
/// needed).
pub(crate) fn abstract_reftype_to_wasm(core: &Core, r: &RefType) -> *mut wasm_valtype_t {
    assert!(r.heap_type().is_abstract());
    let ty = c_valtype(
        r,
        wasmtime_heaptype_union {
            concrete_func: std::ptr::null_mut(),
        },
    );
    // SAFETY: `ty` is borrowed by the call; an abstract type needs no
    // engine.
    unsafe { (core.wasmtime_valtype_to_wasm)(std::ptr::null(), &ty) }
}

fn c_valtype(r: &RefType, of: wasmtime_heaptype_union) -> wasmtime_valtype_t {
    let kind = match r.heap_type() {
        HeapType::Extern => WASMTIME_HEAPTYPE_KIND_EXTERN,
        HeapType::NoExtern => WASMTIME_HEAPTYPE_KIND_NOEXTERN,
        HeapType::Func => WASMTIME_HEAPTYPE_KIND_FUNC,
        HeapType::ConcreteFunc(_) => WASMTIME_HEAPTYPE_KIND_CONCRETE_FUNC,
        HeapType::NoFunc => WASMTIME_HEAPTYPE_KIND_NOFUNC,
        HeapType::Any => WASMTIME_HEAPTYPE_KIND_ANY,
        HeapType::None => WASMTIME_HEAPTYPE_KIND_NONE,
        HeapType::Eq => WASMTIME_HEAPTYPE_KIND_EQ,
        HeapType::I31 => WASMTIME_HEAPTYPE_KIND_I31,
        HeapType::Array => WASMTIME_HEAPTYPE_KIND_ARRAY,
        HeapType::ConcreteArray(_) => WASMTIME_HEAPTYPE_KIND_CONCRETE_ARRAY,
        HeapType::Struct => WASMTIME_HEAPTYPE_KIND_STRUCT,
        HeapType::ConcreteStruct(_) => WASMTIME_HEAPTYPE_KIND_CONCRETE_STRUCT,
        HeapType::Exn => WASMTIME_HEAPTYPE_KIND_EXN,
        HeapType::ConcreteExn(_) => WASMTIME_HEAPTYPE_KIND_CONCRETE_EXN,
        HeapType::NoExn => WASMTIME_HEAPTYPE_KIND_NOEXN,
    };
    wasmtime_valtype_t {
        kind: WASMTIME_VALTYPE_KIND_REF as u8,
        reftype: wasmtime_reftype_t {
            nullable: r.is_nullable(),
            heaptype: wasmtime_heaptype_t {
                kind: kind as u8,
                of,
            },
        },
    }
}

/// Reads any value type with `wasmtime_valtype_new`.
///
/// # Safety
///
/// `ty` is a live `wasm_valtype_t` of `engine`'s library and objects,
/// holding no `cont` type (on which the C API aborts).
pub(crate) unsafe fn read_valtype(engine: &Engine, ty: *const wasm_valtype_t) -> Result<ValType> {
    let core = engine.wasmtime().core();
    let mut out = MaybeUninit::<wasmtime_valtype_t>::uninit();
    // SAFETY: `ty` is live and readable (contract); `out` is written.
    let mut out = unsafe {
        (core.wasmtime_valtype_new)(ty, out.as_mut_ptr());
        out.assume_init()
    };
    // SAFETY: written by the library just now; its concrete parts are live
    // until deleted below.
    let read = unsafe { from_c_valtype(engine, &out) };
    // SAFETY: owned here, deleted once (the handles made above own copies).
    unsafe { (core.wasmtime_valtype_delete)(&mut out) };
    read
}

/// # Safety
///
/// `ty` is a live `wasmtime_valtype_t` of `engine`'s library and objects.
unsafe fn from_c_valtype(engine: &Engine, ty: &wasmtime_valtype_t) -> Result<ValType> {
    let core = engine.wasmtime().core();
    Ok(match u32::from(ty.kind) {
        WASMTIME_VALTYPE_KIND_I32 => ValType::I32,
        WASMTIME_VALTYPE_KIND_I64 => ValType::I64,
        WASMTIME_VALTYPE_KIND_F32 => ValType::F32,
        WASMTIME_VALTYPE_KIND_F64 => ValType::F64,
        WASMTIME_VALTYPE_KIND_V128 => ValType::V128,
        WASMTIME_VALTYPE_KIND_REF => {
            let r = &ty.reftype;
            let of = r.heaptype.of;
            // SAFETY: each concrete kind holds the live type object its
            // member names; the copies are owned by the handles.
            let heap = unsafe {
                match u32::from(r.heaptype.kind) {
                    WASMTIME_HEAPTYPE_KIND_EXTERN => HeapType::Extern,
                    WASMTIME_HEAPTYPE_KIND_NOEXTERN => HeapType::NoExtern,
                    WASMTIME_HEAPTYPE_KIND_FUNC => HeapType::Func,
                    WASMTIME_HEAPTYPE_KIND_CONCRETE_FUNC => {
                        HeapType::ConcreteFunc(FuncType::from_handle(FuncHandle {
                            engine: engine.clone(),
                            ptr: (core.wasm_functype_copy)(of.concrete_func),
                            signature: OnceLock::new(),
                        }))
                    }
                    WASMTIME_HEAPTYPE_KIND_NOFUNC => HeapType::NoFunc,
                    WASMTIME_HEAPTYPE_KIND_ANY => HeapType::Any,
                    WASMTIME_HEAPTYPE_KIND_NONE => HeapType::None,
                    WASMTIME_HEAPTYPE_KIND_EQ => HeapType::Eq,
                    WASMTIME_HEAPTYPE_KIND_I31 => HeapType::I31,
                    WASMTIME_HEAPTYPE_KIND_ARRAY => HeapType::Array,
                    WASMTIME_HEAPTYPE_KIND_CONCRETE_ARRAY => {
                        HeapType::ConcreteArray(ArrayType::from_owned(
                            engine,
                            (core.wasmtime_array_type_copy)(of.concrete_array),
                        ))
                    }
                    WASMTIME_HEAPTYPE_KIND_STRUCT => HeapType::Struct,
                    WASMTIME_HEAPTYPE_KIND_CONCRETE_STRUCT => {
                        HeapType::ConcreteStruct(StructType::from_owned(
                            engine,
                            (core.wasmtime_struct_type_copy)(of.concrete_struct),
                        ))
                    }
                    WASMTIME_HEAPTYPE_KIND_EXN => HeapType::Exn,
                    WASMTIME_HEAPTYPE_KIND_CONCRETE_EXN => HeapType::ConcreteExn(
                        ExnType::from_owned(engine, (core.wasmtime_exn_type_copy)(of.concrete_exn)),
                    ),
                    WASMTIME_HEAPTYPE_KIND_NOEXN => HeapType::NoExn,
                    other => {
                        return Err(ErrorKind::Invalid(format!(
                            "a heap type of unknown kind {other}"
                        ))
                        .into())
                    }
                }
            };
            ValType::from(RefType::new(r.nullable, heap))
        }
        other => {
            return Err(ErrorKind::Invalid(format!("a value type of unknown kind {other}")).into())
        }
    })
}
