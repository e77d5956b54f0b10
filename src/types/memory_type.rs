//! Linear memory types, `MemoryType`.

use crate::sys::types::*;

/// The type of a linear memory, in pages (64 KiB unless the module set
/// another size with the custom page sizes proposal; see
/// [`MemoryType::page_size`]).
///
/// ```
/// use wasmtime_dyn::MemoryType;
/// let ty = MemoryType::new(1, Some(2));
/// assert_eq!((ty.minimum(), ty.maximum()), (1, Some(2)));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MemoryType {
    minimum: u64,
    maximum: Option<u64>,
    is_64: bool,
    shared: bool,
    page_size_log2: u8,
}

/// The log2 of the default page size, 64 KiB.
const DEFAULT_PAGE_SIZE_LOG2: u8 = 16;

impl MemoryType {
    /// A 32-bit, unshared memory of `minimum` pages, growable to `maximum`.
    ///
    /// ```
    /// use wasmtime_dyn::MemoryType;
    /// let ty = MemoryType::new(1, None);
    /// assert_eq!((ty.minimum(), ty.maximum()), (1, None));
    /// assert!(!ty.is_64() && !ty.is_shared());
    /// ```
    pub fn new(minimum: u32, maximum: Option<u32>) -> MemoryType {
        MemoryType {
            minimum: minimum.into(),
            maximum: maximum.map(Into::into),
            is_64: false,
            shared: false,
            page_size_log2: DEFAULT_PAGE_SIZE_LOG2,
        }
    }

    /// A shared memory (threads proposal); needs a maximum.
    ///
    /// ```
    /// use wasmtime_dyn::MemoryType;
    /// let ty = MemoryType::shared(1, 16);
    /// assert!(ty.is_shared());
    /// assert_eq!(ty.maximum(), Some(16));
    /// ```
    pub fn shared(minimum: u32, maximum: u32) -> MemoryType {
        MemoryType {
            minimum: minimum.into(),
            maximum: Some(maximum.into()),
            is_64: false,
            shared: true,
            page_size_log2: DEFAULT_PAGE_SIZE_LOG2,
        }
    }

    /// The minimum size in pages.
    ///
    /// ```
    /// use wasmtime_dyn::MemoryType;
    /// assert_eq!(MemoryType::new(3, Some(10)).minimum(), 3);
    /// ```
    pub fn minimum(&self) -> u64 {
        self.minimum
    }

    /// The maximum size in pages, if any.
    ///
    /// ```
    /// use wasmtime_dyn::MemoryType;
    /// assert_eq!(MemoryType::new(3, Some(10)).maximum(), Some(10));
    /// assert_eq!(MemoryType::new(3, None).maximum(), None);
    /// ```
    pub fn maximum(&self) -> Option<u64> {
        self.maximum
    }

    /// Whether the memory is 64-bit.
    ///
    /// ```
    /// use wasmtime_dyn::MemoryType;
    /// assert!(!MemoryType::new(1, None).is_64()); // memory64 memories come from modules
    /// ```
    pub fn is_64(&self) -> bool {
        self.is_64
    }

    /// Whether the memory is shared.
    ///
    /// ```
    /// use wasmtime_dyn::MemoryType;
    /// assert!(MemoryType::shared(1, 2).is_shared());
    /// assert!(!MemoryType::new(1, Some(2)).is_shared());
    /// ```
    pub fn is_shared(&self) -> bool {
        self.shared
    }

    /// The size of a page in bytes: 65536, or what the module declared with
    /// the custom page sizes proposal (1 is the only other size Wasmtime
    /// accepts). [`minimum`](MemoryType::minimum) and
    /// [`maximum`](MemoryType::maximum) count pages of this size.
    ///
    /// ```
    /// use wasmtime_dyn::MemoryType;
    /// let ty = MemoryType::new(2, None);
    /// assert_eq!(ty.page_size(), 65536);
    /// assert_eq!(ty.minimum() * ty.page_size(), 128 * 1024);
    /// ```
    pub fn page_size(&self) -> u64 {
        1 << self.page_size_log2
    }

    /// The log2 of [`page_size`](MemoryType::page_size): 16, or 0 for
    /// one-byte pages.
    ///
    /// ```
    /// use wasmtime_dyn::MemoryType;
    /// assert_eq!(MemoryType::new(1, None).page_size_log2(), 16);
    /// ```
    pub fn page_size_log2(&self) -> u8 {
        self.page_size_log2
    }

    /// Why Wasmtime's `MemoryTypeBuilder::build` refuses this type, the
    /// checks of its `validate` in order (`wasmtime` 36.0.0
    /// `runtime/types.rs`, the same in 37 and 38; the page size, the only
    /// other check, is 64 KiB here), with its words; `None` when it
    /// accepts it.
    fn builder_refusal(&self) -> Option<&'static str> {
        if self.maximum.is_some_and(|max| max < self.minimum) {
            return Some("maximum page size cannot be smaller than the minimum page size");
        }
        if self.shared && self.maximum.is_none() {
            return Some("shared memories must have a maximum size");
        }
        let page = self.page_size();
        // A 64-bit memory's bound is 2^64 less one page; a 32-bit one's 2^32 bytes.
        let absolute_max = if self.is_64 {
            0u64.wrapping_sub(page)
        } else {
            1 << 32
        };
        let Some(min) = self.minimum.checked_mul(page) else {
            return Some("memory's minimum byte size must fit in a u64");
        };
        if min > absolute_max {
            return Some("minimum size is too large for this memory type's index type");
        }
        // A maximum whose bytes overflow `u64` passes `validate` (it
        // compares only one that fits).
        let max_bytes = self.maximum.and_then(|max| max.checked_mul(page));
        if max_bytes.is_some_and(|max| max > absolute_max) {
            return Some("maximum size is too large for this memory type's index type");
        }
        None
    }

    /// A new owned `wasm_memorytype_t`; the caller deletes it.
    pub(crate) fn to_c(
        self,
        wasmtime: &'static crate::Wasmtime,
    ) -> crate::Result<*mut wasm_memorytype_t> {
        let core = wasmtime.core();
        let tables = wasmtime.tables();
        let Some(since39) = &tables.core_memory_type else {
            // Wasmtime 36 to 38: no custom page sizes, the type returned.
            if self.page_size_log2 != 16 {
                wasmtime.later(&tables.core_memory_type, "MemoryType::page_size_log2")?;
            }
            let old = wasmtime.later(&tables.core_memory_type_v36, "MemoryType")?;
            // This signature cannot return `MemoryTypeBuilder::build`'s
            // error: the C API `unwrap`s it (C types/memory.rs:89), which
            // ends the process. What `build` refuses is refused here first.
            if let Some(message) = self.builder_refusal() {
                return Err(crate::ErrorKind::Wasmtime {
                    message: message.into(),
                }
                .into());
            }
            // SAFETY: plain arguments; the result is a new owned type or null.
            let out = unsafe {
                (old.wasmtime_memorytype_new)(
                    self.minimum,
                    self.maximum.is_some(),
                    self.maximum.unwrap_or(0),
                    self.is_64,
                    self.shared,
                )
            };
            if out.is_null() {
                return Err(crate::ErrorKind::Invalid(format!(
                    "Wasmtime refused the memory type {self:?}"
                ))
                .into());
            }
            return Ok(out);
        };
        let mut out = std::ptr::null_mut();
        // SAFETY: plain arguments and a writable out-pointer.
        let error = unsafe {
            (since39.wasmtime_memorytype_new)(
                self.minimum,
                self.maximum.is_some(),
                self.maximum.unwrap_or(0),
                self.is_64,
                self.shared,
                self.page_size_log2,
                &mut out,
            )
        };
        // SAFETY: the error, if any, is fresh and owned.
        unsafe { crate::error::check(core, error) }?;
        Ok(out)
    }

    /// # Safety
    ///
    /// `ty` is a live `wasm_memorytype_t` of `core`'s library.
    pub(crate) unsafe fn from_c(
        wasmtime: &'static crate::Wasmtime,
        ty: *const wasm_memorytype_t,
    ) -> MemoryType {
        let core = wasmtime.core();
        // Before 39 every memory has 64 KiB pages.
        let page_size_log2 = match &wasmtime.tables().core_since_39 {
            // SAFETY: `ty` is live.
            Some(since39) => unsafe { (since39.wasmtime_memorytype_page_size_log2)(ty) },
            None => 16,
        };
        let mut maximum = 0;
        // SAFETY: `ty` is live; `maximum` is writable.
        unsafe {
            MemoryType {
                minimum: (core.wasmtime_memorytype_minimum)(ty),
                maximum: (core.wasmtime_memorytype_maximum)(ty, &mut maximum).then_some(maximum),
                is_64: (core.wasmtime_memorytype_is64)(ty),
                shared: (core.wasmtime_memorytype_isshared)(ty),
                page_size_log2,
            }
        }
    }
}
