//! The layout of `wasmtime_val_t` a loaded library uses.

/// The layout of `wasmtime_val_t` in a loaded library.
///
/// It comes from the major (`versions::VAL_LAYOUT`): Wasmtime 36 has a
/// 24-byte value with 16-byte references whatever its build
/// ([`ValAbi::V36`]); 37 to 44 have the 32-byte one whatever the build;
/// from 45 the C API's cargo feature `gc` both exports the
/// [`Gc`](crate::Capability::Gc) table's functions and adds the `anyref`,
/// `externref` and `exnref` members to the union, so the Gc table's
/// presence decides. Calling a library with another layout silently
/// corrupts arguments; every `wasmtime_val_t` this crate passes follows
/// this value.
///
/// ```
/// use wasmtime_dyn::ValAbi;
/// assert_eq!(ValAbi::Gc.val_size(), 32);
/// assert_eq!(ValAbi::NoGc.val_size(), 24);
/// assert_eq!(ValAbi::V36.val_size(), 24);
/// assert!(ValAbi::V36.holds_references() && !ValAbi::NoGc.holds_references());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValAbi {
    /// 32 bytes, references of 24: built with GC (45 and later), or any
    /// build of 37 to 44.
    Gc,
    /// Built without GC (45 and later): `wasmtime_val_t` is 24 bytes and
    /// holds no reference of any kind (not even a `funcref`).
    NoGc,
    /// Wasmtime 36 (the LTS line), whatever the build: `wasmtime_val_t` is
    /// 24 bytes and its references are 16 (the first 16 bytes of the
    /// 24-byte ones of [`ValAbi::Gc`], whose last field is absent).
    V36,
}

impl ValAbi {
    /// `sizeof(wasmtime_val_t)` in this layout.
    ///
    /// ```
    /// use wasmtime_dyn::ValAbi;
    /// assert!(ValAbi::NoGc.val_size() < ValAbi::Gc.val_size());
    /// assert_eq!(ValAbi::NoGc.to_string(), "non-GC layout (24-byte wasmtime_val_t)");
    /// ```
    pub fn val_size(self) -> usize {
        match self {
            ValAbi::Gc => size_of::<crate::sys::types::wasmtime_val_t>(),
            ValAbi::NoGc => size_of::<crate::sys::val_nogc::wasmtime_val_t>(),
            ValAbi::V36 => size_of::<crate::sys::val_v36::wasmtime_val_t>(),
        }
    }

    /// Whether a value of this layout can hold a reference.
    ///
    /// ```
    /// use wasmtime_dyn::ValAbi;
    /// assert!(ValAbi::Gc.holds_references());
    /// assert!(!ValAbi::NoGc.holds_references());
    /// ```
    pub fn holds_references(self) -> bool {
        self != ValAbi::NoGc
    }

    /// The layout of the libraries of Wasmtime `major` (36 to 50, the
    /// majors the function tables describe; `None` for others), `has_gc`
    /// telling whether the library has the [`Gc`](crate::Capability::Gc) table,
    /// which decides from 45 on. For callers of the raw tables; a loaded
    /// library says its own with [`Wasmtime::val_abi`](crate::Wasmtime::val_abi).
    ///
    /// ```
    /// use wasmtime_dyn::ValAbi;
    /// assert_eq!(ValAbi::of_major(36, false), Some(ValAbi::V36));
    /// assert_eq!(ValAbi::of_major(40, false), Some(ValAbi::Gc));
    /// assert_eq!(ValAbi::of_major(48, false), Some(ValAbi::NoGc));
    /// assert_eq!(ValAbi::of_major(48, true), Some(ValAbi::Gc));
    /// assert_eq!(ValAbi::of_major(35, true), None);
    /// ```
    pub fn of_major(major: u32, has_gc: bool) -> Option<ValAbi> {
        use crate::versions::{ValLayout, VAL_LAYOUT};
        Some(match VAL_LAYOUT.get(major)? {
            ValLayout::V36 => ValAbi::V36,
            ValLayout::Wide => ValAbi::Gc,
            ValLayout::ByGcFeature if has_gc => ValAbi::Gc,
            ValLayout::ByGcFeature => ValAbi::NoGc,
        })
    }
}

impl std::fmt::Display for ValAbi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ValAbi::Gc => write!(f, "GC layout ({}-byte wasmtime_val_t)", self.val_size()),
            ValAbi::NoGc => write!(f, "non-GC layout ({}-byte wasmtime_val_t)", self.val_size()),
            ValAbi::V36 => write!(
                f,
                "Wasmtime 36 layout ({}-byte wasmtime_val_t, 16-byte references)",
                self.val_size()
            ),
        }
    }
}
