//! The fields of structs and arrays: `FieldType` and its `StorageType`.

use crate::engine::Engine;
use crate::error::Result;
use crate::sys::types::*;
use crate::types::{Mutability, ValType};
use std::fmt;

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

    pub(super) fn check_engine(&self, engine: &Engine) -> Result<()> {
        match &self.element_type {
            StorageType::ValType(t) => t.check_engine(engine),
            _ => Ok(()),
        }
    }

    /// A new owned `wasmtime_field_type_t` (deleted with
    /// `wasmtime_field_type_delete`).
    pub(super) fn to_c(&self, engine: &Engine) -> Result<wasmtime_field_type_t> {
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
    pub(super) unsafe fn take_c(
        engine: &Engine,
        field: &mut wasmtime_field_type_t,
    ) -> Result<FieldType> {
        let core45 = engine.wasmtime().core45();
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
        unsafe { (core45.wasmtime_field_type_delete)(field) };
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
