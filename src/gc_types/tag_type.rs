//! Tag types, `TagType` (exceptions proposal).

use crate::engine::Engine;
use crate::error::{ErrorKind, Result};
use crate::sys::types::*;
use crate::types::FuncType;
use std::fmt;

/// The type of a tag (exceptions proposal): the types of an exception's
/// payload, as the parameters of a function type without results.
///
/// ```
/// use wasmtime_dyn::{FuncType, TagType, ValType};
/// let ty = TagType::new(FuncType::new([ValType::I32], []));
/// assert!(ty.ty().params().eq([ValType::I32]));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TagType {
    pub(super) ty: FuncType,
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
    /// assert_eq!(TagType::new(FuncType::new([], [])).ty().results().len(), 0);
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
        let wasmtime = engine.wasmtime();
        let core44 = wasmtime.later(&wasmtime.tables().core_since_44, "tag types")?;
        // SAFETY: `ty` is live; its function type is borrowed from it.
        unsafe {
            Ok(TagType {
                ty: FuncType::from_c(engine, (core44.wasm_tagtype_functype)(ty))?,
            })
        }
    }

    /// A new owned `wasm_tagtype_t` (deleted with `wasm_tagtype_delete`).
    pub(crate) fn to_c(&self, engine: &Engine) -> Result<*mut wasm_tagtype_t> {
        let wasmtime = engine.wasmtime();
        let core44 = wasmtime.later(&wasmtime.tables().core_since_44, "tag types")?;
        let functype = self.ty.to_c(engine)?;
        let ptr = functype.ptr;
        std::mem::forget(functype);
        // SAFETY: the function type's ownership moves into the tag type.
        Ok(unsafe { (core44.wasm_tagtype_new)(ptr) })
    }
}

impl fmt::Display for TagType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "(tag {})", self.ty)
    }
}
