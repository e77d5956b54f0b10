//! Global types, `GlobalType`, and their `Mutability`.

use super::ValType;
use crate::engine::Engine;
use crate::sys::types::*;

/// Whether a global can be written.
///
/// ```
/// use wasmtime_dyn::{GlobalType, Mutability, ValType};
/// let ty = GlobalType::new(ValType::I32, Mutability::Const);
/// assert_eq!(ty.mutability(), Mutability::Const);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mutability {
    /// Read-only.
    Const,
    /// Writable.
    Var,
}

/// The type of a global.
///
/// ```
/// use wasmtime_dyn::{GlobalType, Mutability, ValType};
/// let ty = GlobalType::new(ValType::I32, Mutability::Var);
/// assert_eq!(ty.content(), &ValType::I32);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct GlobalType {
    content: ValType,
    mutability: Mutability,
}

impl GlobalType {
    /// A global type.
    ///
    /// ```
    /// use wasmtime_dyn::{GlobalType, Mutability, ValType};
    /// let ty = GlobalType::new(ValType::F32, Mutability::Var);
    /// assert_eq!((ty.content(), ty.mutability()), (&ValType::F32, Mutability::Var));
    /// ```
    pub fn new(content: ValType, mutability: Mutability) -> GlobalType {
        GlobalType {
            content: content.canonical(),
            mutability,
        }
    }

    /// The value type.
    ///
    /// ```
    /// use wasmtime_dyn::{GlobalType, Mutability, ValType};
    /// assert_eq!(GlobalType::new(ValType::I64, Mutability::Const).content(), &ValType::I64);
    /// ```
    pub fn content(&self) -> &ValType {
        &self.content
    }

    /// Whether it is writable.
    ///
    /// ```
    /// use wasmtime_dyn::{GlobalType, Mutability, ValType};
    /// assert_eq!(GlobalType::new(ValType::I64, Mutability::Var).mutability(), Mutability::Var);
    /// ```
    pub fn mutability(&self) -> Mutability {
        self.mutability
    }

    /// A new owned `wasm_globaltype_t`; the caller deletes it.
    /// `wasm_globaltype_new` returns NULL for an unknown mutability, which
    /// cannot happen here, but is checked anyway rather than handed on.
    pub(crate) fn to_c(&self, engine: &Engine) -> crate::Result<*mut wasm_globaltype_t> {
        let core = engine.wasmtime().core();
        let content = self.content.to_c(engine)?;
        let mutability = match self.mutability {
            Mutability::Const => WASM_CONST,
            Mutability::Var => WASM_VAR,
        } as wasm_mutability_t;
        // SAFETY: the new valtype's ownership moves into the globaltype (the
        // C API takes it by `Box` and frees it even when it returns NULL).
        let ty = unsafe { (core.wasm_globaltype_new)(content, mutability) };
        if ty.is_null() {
            return Err(crate::ErrorKind::Invalid(format!(
                "the C API refused the global type {:?} {}",
                self.mutability, self.content
            ))
            .into());
        }
        Ok(ty)
    }

    /// # Safety
    ///
    /// `ty` is a live `wasm_globaltype_t` of `engine`'s library and objects.
    pub(crate) unsafe fn from_c(
        engine: &Engine,
        ty: *const wasm_globaltype_t,
    ) -> crate::Result<GlobalType> {
        let core = engine.wasmtime().core();
        // SAFETY: `ty` is live, and so is the content type it owns.
        unsafe {
            Ok(GlobalType {
                content: ValType::from_c(engine, (core.wasm_globaltype_content)(ty))?,
                mutability: if u32::from((core.wasm_globaltype_mutability)(ty)) == WASM_VAR {
                    Mutability::Var
                } else {
                    Mutability::Const
                },
            })
        }
    }
}
