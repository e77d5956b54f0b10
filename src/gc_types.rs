//! The types of the GC and exceptions proposals: [`StructType`],
//! [`ArrayType`], their [`FieldType`]s, [`ExnType`] and [`TagType`], and
//! the conversions of reference types to and from the C API.
//!
//! A concrete type is a handle to the C API's type object, registered with
//! one engine: Wasmtime panics (which aborts the process through the C API)
//! when types of two engines meet, so every use checks the engine first. A
//! concrete type's fields are read when first asked: a type may refer to
//! itself, so reading it in full would never end.

mod array_type;
mod c_reftype;
mod exn_type;
mod field;
mod struct_type;
mod tag_type;

pub use array_type::ArrayType;
pub use exn_type::ExnType;
pub use field::{FieldType, StorageType};
pub use struct_type::StructType;
pub use tag_type::TagType;

pub(crate) use c_reftype::{abstract_reftype_to_wasm, read_valtype, reftype_to_wasm, FuncHandle};

use crate::capability::Capability;
use crate::engine::Engine;
use crate::error::{ErrorKind, Result};
use crate::sys::tables::CoreSince45;
use crate::sys::types::*;
use std::sync::OnceLock;

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

/// Deletes the field types made by [`FieldType::to_c`].
fn delete_fields(core45: &CoreSince45, fields: &mut [wasmtime_field_type_t]) {
    for field in fields {
        // SAFETY: made by `FieldType::to_c`, owned here, deleted once.
        unsafe { (core45.wasmtime_field_type_delete)(field) };
    }
}

macro_rules! concrete_handle {
    ($inner:ident, $c:ty, $table:ident, $delete:ident) => {
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
                unsafe { (self.engine.wasmtime().$table().$delete)(self.ptr) };
            }
        }
    };
}

concrete_handle!(
    StructInner,
    wasmtime_struct_type_t,
    core44,
    wasmtime_struct_type_delete
);
concrete_handle!(
    ArrayInner,
    wasmtime_array_type_t,
    core44,
    wasmtime_array_type_delete
);

/// A concrete type's part could not be read, which only a library that
/// aborts reading it could cause: handles are made only for engines whose
/// types the C API reads (see `ValType::from_c`).
#[cold]
fn unreadable(e: crate::Error) -> ! {
    panic!("wasmtime-dyn could not read a part of a concrete type it holds: {e}")
}
