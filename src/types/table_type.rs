//! Table types, `TableType`.

use super::ValType;
use crate::engine::Engine;
use crate::sys::types::*;
use crate::wasm_scan::TableLimits;

/// The type of a table.
///
/// ```
/// use wasmtime_dyn::{TableType, ValType};
/// let ty = TableType::new(ValType::FuncRef, 2, None);
/// assert_eq!(ty.element(), &ValType::FuncRef);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TableType {
    element: ValType,
    is_64: bool,
    minimum: u64,
    maximum: Option<u64>,
}

impl TableType {
    /// A table of `element` references, `minimum` to `maximum` entries.
    ///
    /// ```
    /// use wasmtime_dyn::{TableType, ValType};
    /// let ty = TableType::new(ValType::ExternRef, 0, Some(100));
    /// assert_eq!((ty.minimum(), ty.maximum()), (0, Some(100)));
    /// ```
    pub fn new(element: ValType, minimum: u32, maximum: Option<u32>) -> TableType {
        TableType {
            element: element.canonical(),
            is_64: false,
            minimum: u64::from(minimum),
            maximum: maximum.map(u64::from),
        }
    }

    /// A table of `element` references indexed by `i64` (the memory64
    /// proposal's `table64`), `minimum` to `maximum` entries.
    ///
    /// Modules may declare and export such tables and this type describes
    /// them, but the C API creates 32-bit tables only, so
    /// [`Table::new`](crate::Table::new) refuses this type.
    ///
    /// ```
    /// use wasmtime_dyn::{TableType, ValType};
    /// let ty = TableType::new64(ValType::FuncRef, 1, Some(1 << 40));
    /// assert!(ty.is_64());
    /// assert_eq!(ty.maximum(), Some(1 << 40));
    /// ```
    pub fn new64(element: ValType, minimum: u64, maximum: Option<u64>) -> TableType {
        TableType {
            element: element.canonical(),
            is_64: true,
            minimum,
            maximum,
        }
    }

    /// Whether the table is indexed by `i64` (`table64`).
    ///
    /// ```
    /// use wasmtime_dyn::{TableType, ValType};
    /// assert!(!TableType::new(ValType::FuncRef, 1, None).is_64());
    /// ```
    pub fn is_64(&self) -> bool {
        self.is_64
    }

    /// The element type.
    ///
    /// ```
    /// use wasmtime_dyn::{TableType, ValType};
    /// assert_eq!(TableType::new(ValType::ExternRef, 1, None).element(), &ValType::ExternRef);
    /// ```
    pub fn element(&self) -> &ValType {
        &self.element
    }

    /// The minimum number of entries.
    ///
    /// ```
    /// use wasmtime_dyn::{TableType, ValType};
    /// assert_eq!(TableType::new(ValType::FuncRef, 4, None).minimum(), 4);
    /// ```
    pub fn minimum(&self) -> u64 {
        self.minimum
    }

    /// The maximum number of entries, if any.
    ///
    /// The C API's table limits are 32-bit, with `u32::MAX` standing for
    /// "no maximum", and say nothing of `table64`. For the tables of a
    /// module compiled from bytes (and of its instances) this crate reads
    /// the real limits from the bytes; for a module made by
    /// [`Module::deserialize`](crate::Module::deserialize), whose bytes it
    /// never sees, only the C API can answer: a maximum of `u32::MAX` then
    /// reads as `None`, and [`is_64`](TableType::is_64) as `false`.
    ///
    /// ```
    /// use wasmtime_dyn::{TableType, ValType};
    /// assert_eq!(TableType::new(ValType::FuncRef, 4, Some(8)).maximum(), Some(8));
    /// assert_eq!(TableType::new(ValType::FuncRef, 4, None).maximum(), None);
    /// ```
    pub fn maximum(&self) -> Option<u64> {
        self.maximum
    }

    /// A new owned `wasm_tabletype_t`; the caller deletes it.
    ///
    /// `wasm_tabletype_new` returns NULL when the element type is not a
    /// reference type, so that is refused first (and NULL checked anyway).
    pub(crate) fn to_c(&self, engine: &Engine) -> crate::Result<*mut wasm_tabletype_t> {
        let core = engine.wasmtime().core();
        if !self.element.is_ref() {
            return Err(crate::ErrorKind::TypeMismatch(format!(
                "a table's elements must be references, not {}",
                self.element
            ))
            .into());
        }
        // `wasm_limits_t` has 32-bit limits, reserves `u32::MAX` for "no
        // maximum", and `wasm_tabletype_new` makes 32-bit tables only.
        if self.is_64 {
            return Err(crate::ErrorKind::Invalid(
                "the C API creates 32-bit tables only: use `TableType::new`, not \
                 `TableType::new64`"
                    .into(),
            )
            .into());
        }
        let max = match self.maximum {
            None => Some(u32::MAX),
            Some(max) => u32::try_from(max).ok().filter(|max| *max != u32::MAX),
        };
        let (Ok(min), Some(max)) = (u32::try_from(self.minimum), max) else {
            return Err(crate::ErrorKind::Invalid(format!(
                "the C API's table limits stay below 4294967295, which it reads as \
                 \"no maximum\": a table of {} to {:?} entries cannot be made; use a smaller \
                 maximum or None",
                self.minimum, self.maximum
            ))
            .into());
        };
        if min > max {
            return Err(crate::ErrorKind::Invalid(format!(
                "a table's minimum ({min}) is above its maximum ({max})"
            ))
            .into());
        }
        let limits = wasm_limits_t { min, max };
        let element = self.element.to_c(engine)?;
        // SAFETY: the valtype's ownership moves in (the C API takes it by
        // `Box` and frees it even when it returns NULL); `limits` is read
        // only.
        let ty = unsafe { (core.wasm_tabletype_new)(element, &limits) };
        if ty.is_null() {
            return Err(crate::ErrorKind::TypeMismatch(format!(
                "the C API refused the table type of {} elements",
                self.element
            ))
            .into());
        }
        Ok(ty)
    }

    /// The type of `ty`, with `known` limits where this crate read them
    /// from the module: `wasm_tabletype_limits` aborts the process on
    /// limits beyond `u32` and cannot say `table64` or a maximum of
    /// `u32::MAX`, so it is asked only when nothing better is known.
    ///
    /// # Safety
    ///
    /// `ty` is a live `wasm_tabletype_t` of `engine`'s library and objects.
    pub(crate) unsafe fn from_c(
        engine: &Engine,
        ty: *const wasm_tabletype_t,
        known: Option<TableLimits>,
    ) -> crate::Result<TableType> {
        let core = engine.wasmtime().core();
        // SAFETY: `ty` is live and owns its element type and limits.
        unsafe {
            let element = ValType::from_c(engine, (core.wasm_tabletype_element)(ty))?;
            if let Some(known) = known {
                return Ok(TableType {
                    element,
                    is_64: known.is_64,
                    minimum: known.minimum,
                    maximum: known.maximum,
                });
            }
            let limits = &*(core.wasm_tabletype_limits)(ty);
            Ok(TableType {
                element,
                is_64: false,
                minimum: u64::from(limits.min),
                maximum: (limits.max != u32::MAX).then_some(u64::from(limits.max)),
            })
        }
    }
}
