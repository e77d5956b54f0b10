//! Linear memories.

use crate::error::Result;
use crate::store::{AsContext, AsContextMut, StoreContextMut};
use crate::sys::types::*;
use crate::types::MemoryType;

/// A linear memory of a store.
///
/// ```no_run
/// use wasmtime_dyn::{Memory, MemoryType, Store};
/// # let mut store: Store<()> = unimplemented!();
/// let memory = Memory::new(&mut store, MemoryType::new(1, None))?;
/// memory.data_mut(&mut store)[0] = 7;
/// assert_eq!(memory.data(&store)[0], 7);
/// assert_eq!(memory.grow(&mut store, 1)?, 1);
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
#[derive(Clone, Copy)]
pub struct Memory {
    pub(crate) raw: wasmtime_memory_t,
    /// The id of the store it belongs to.
    pub(crate) store: u64,
}

impl std::fmt::Debug for Memory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Memory").finish_non_exhaustive()
    }
}

impl Memory {
    pub(crate) fn from_c<T>(cx: &mut StoreContextMut<'_, T>, raw: wasmtime_memory_t) -> Memory {
        Memory {
            raw,
            store: cx.id(),
        }
    }

    fn id(&self) -> u64 {
        self.store
    }

    /// A new memory in `store`.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Memory, MemoryType, Store};
    /// # let mut store: Store<()> = unimplemented!();
    /// let memory = Memory::new(&mut store, MemoryType::new(1, Some(4)))?;
    /// assert_eq!(memory.data(&store).len(), 65536);
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn new(mut store: impl AsContextMut, ty: MemoryType) -> Result<Memory> {
        let mut cx = store.as_context_mut();
        let core = cx.wasmtime().core();
        let c_ty = ty.to_c(cx.wasmtime())?;
        let mut raw = std::mem::MaybeUninit::<wasmtime_memory_t>::uninit();
        // SAFETY: the context and type are live; the type is deleted once.
        let error = unsafe {
            let error = (core.wasmtime_memory_new)(cx.context(), c_ty, raw.as_mut_ptr());
            (core.wasm_memorytype_delete)(c_ty);
            error
        };
        // SAFETY: the error, if any, is fresh and owned.
        unsafe { crate::error::check(core, error) }?;
        // SAFETY: written on success.
        Ok(Memory::from_c(&mut cx, unsafe { raw.assume_init() }))
    }

    /// The memory's type.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Memory, MemoryType, Store};
    /// # let mut store: Store<()> = unimplemented!();
    /// let memory = Memory::new(&mut store, MemoryType::new(1, Some(4)))?;
    /// assert_eq!(memory.ty(&store), MemoryType::new(1, Some(4)));
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Panics
    ///
    /// If the memory belongs to another store (as in the `wasmtime` crate).
    pub fn ty(&self, store: impl AsContext) -> MemoryType {
        let cx = store.as_context();
        cx.assert_owns(self.id(), "the memory");
        let core = cx.wasmtime().core();
        // SAFETY: the memory belongs to this live store; the returned type
        // is owned here, read and deleted once.
        unsafe {
            let ty = (core.wasmtime_memory_type)(cx.context(), &self.raw);
            let out = MemoryType::from_c(cx.wasmtime(), ty);
            (core.wasm_memorytype_delete)(ty);
            out
        }
    }

    /// The size in pages.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Memory, MemoryType, Store};
    /// # let mut store: Store<()> = unimplemented!();
    /// let memory = Memory::new(&mut store, MemoryType::new(2, None))?;
    /// assert_eq!(memory.size(&store), 2);
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Panics
    ///
    /// If the memory belongs to another store (as in the `wasmtime` crate).
    pub fn size(&self, store: impl AsContext) -> u64 {
        let cx = store.as_context();
        cx.assert_owns(self.id(), "the memory");
        // SAFETY: the memory belongs to this live store.
        unsafe { (cx.wasmtime().core().wasmtime_memory_size)(cx.context(), &self.raw) }
    }

    /// The size in bytes, as the crate's `Memory::data_size`.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Memory, MemoryType, Store};
    /// # let mut store: Store<()> = unimplemented!();
    /// let memory = Memory::new(&mut store, MemoryType::new(2, None))?;
    /// assert_eq!(memory.data_size(&store), 2 * 65536);
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Panics
    ///
    /// If the memory belongs to another store (as in the `wasmtime` crate).
    pub fn data_size(&self, store: impl AsContext) -> usize {
        let cx = store.as_context();
        cx.assert_owns(self.id(), "the memory");
        // SAFETY: the memory belongs to this live store.
        unsafe { (cx.wasmtime().core().wasmtime_memory_data_size)(cx.context(), &self.raw) }
    }

    /// The contents, borrowed from the store.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Memory, MemoryType, Store};
    /// # let mut store: Store<()> = unimplemented!();
    /// let memory = Memory::new(&mut store, MemoryType::new(1, None))?;
    /// let bytes: &[u8] = memory.data(&store);
    /// assert!(bytes.iter().all(|&b| b == 0));
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Panics
    ///
    /// If the memory belongs to another store (as in the `wasmtime` crate).
    pub fn data<'a, S: AsContext + ?Sized>(&self, store: &'a S) -> &'a [u8] {
        let cx = store.as_context();
        cx.assert_owns(self.id(), "the memory");
        let (ptr, len) = self.span(cx.wasmtime(), cx.context());
        if len == 0 {
            &[]
        } else {
            // SAFETY: the memory belongs to this live store; its `len` bytes
            // at `ptr` stay put and valid while the store is borrowed
            // (growing needs `&mut`).
            unsafe { std::slice::from_raw_parts(ptr, len) }
        }
    }

    /// The contents, mutably borrowed from the store.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Memory, MemoryType, Store};
    /// # let mut store: Store<()> = unimplemented!();
    /// let memory = Memory::new(&mut store, MemoryType::new(1, None))?;
    /// memory.data_mut(&mut store)[..5].copy_from_slice(b"hello");
    /// assert_eq!(&memory.data(&store)[..5], b"hello");
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Panics
    ///
    /// If the memory belongs to another store (as in the `wasmtime` crate).
    pub fn data_mut<'a, S: AsContextMut + ?Sized>(&self, store: &'a mut S) -> &'a mut [u8] {
        let cx = store.as_context_mut();
        cx.assert_owns(self.id(), "the memory");
        let (ptr, len) = self.span(cx.wasmtime(), cx.context());
        if len == 0 {
            &mut []
        } else {
            // SAFETY: as in `data`, exclusively for the mutable borrow.
            unsafe { std::slice::from_raw_parts_mut(ptr, len) }
        }
    }

    /// The base address and length of the contents, for a memory checked to
    /// belong to the store whose context this is.
    fn span(
        &self,
        wasmtime: &crate::Wasmtime,
        context: *mut wasmtime_context_t,
    ) -> (*mut u8, usize) {
        let core = wasmtime.core();
        // SAFETY: the context is live and the memory belongs to it (the
        // callers checked); both calls only read the memory's state.
        unsafe {
            (
                (core.wasmtime_memory_data)(context, &self.raw),
                (core.wasmtime_memory_data_size)(context, &self.raw),
            )
        }
    }

    /// Copies `buf.len()` bytes at `offset` into `buf`.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Memory, MemoryType, Store};
    /// # let mut store: Store<()> = unimplemented!();
    /// let memory = Memory::new(&mut store, MemoryType::new(1, None))?;
    /// memory.write(&mut store, 100, b"abc")?;
    /// let mut buf = [0u8; 3];
    /// memory.read(&store, 100, &mut buf)?;
    /// assert_eq!(&buf, b"abc");
    /// assert!(memory.read(&store, 65535, &mut buf).is_err()); // past the end
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Panics
    ///
    /// If the memory belongs to another store (as in the `wasmtime` crate).
    pub fn read(
        &self,
        store: impl AsContext,
        offset: usize,
        buf: &mut [u8],
    ) -> Result<(), MemoryAccessError> {
        let data = self.data(&store);
        let src = offset
            .checked_add(buf.len())
            .and_then(|end| data.get(offset..end))
            .ok_or_else(|| out_of_bounds(offset, buf.len(), data.len()))?;
        buf.copy_from_slice(src);
        Ok(())
    }

    /// Copies `bytes` into the memory at `offset`.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Memory, MemoryType, Store};
    /// # let mut store: Store<()> = unimplemented!();
    /// let memory = Memory::new(&mut store, MemoryType::new(1, None))?;
    /// memory.write(&mut store, 8, &42u32.to_le_bytes())?;
    /// assert_eq!(memory.data(&store)[8], 42);
    /// assert!(memory.write(&mut store, 65535, b"ab").is_err()); // past the end
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Panics
    ///
    /// If the memory belongs to another store (as in the `wasmtime` crate).
    pub fn write(
        &self,
        mut store: impl AsContextMut,
        offset: usize,
        bytes: &[u8],
    ) -> Result<(), MemoryAccessError> {
        let data = self.data_mut(&mut store);
        let len = data.len();
        let dst = offset
            .checked_add(bytes.len())
            .and_then(|end| data.get_mut(offset..end))
            .ok_or_else(|| out_of_bounds(offset, bytes.len(), len))?;
        dst.copy_from_slice(bytes);
        Ok(())
    }

    /// Grows by `delta` pages; returns the previous size in pages.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Memory, MemoryType, Store};
    /// # let mut store: Store<()> = unimplemented!();
    /// let memory = Memory::new(&mut store, MemoryType::new(1, Some(2)))?;
    /// assert_eq!(memory.grow(&mut store, 1)?, 1); // the previous size
    /// assert!(memory.grow(&mut store, 1).is_err()); // past the maximum
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Wasmtime's error when the maximum or a store limit is exceeded.
    pub fn grow(&self, mut store: impl AsContextMut, delta: u64) -> Result<u64> {
        let cx = store.as_context_mut();
        cx.check(self.id(), "the memory")?;
        let core = cx.wasmtime().core();
        let mut previous = 0;
        // SAFETY: the memory belongs to this live store.
        let error =
            unsafe { (core.wasmtime_memory_grow)(cx.context(), &self.raw, delta, &mut previous) };
        // SAFETY: the error, if any, is fresh and owned.
        unsafe { crate::error::check(core, error) }?;
        Ok(previous)
    }
}

fn out_of_bounds(offset: usize, len: usize, size: usize) -> MemoryAccessError {
    MemoryAccessError { offset, len, size }
}

/// A [`Memory::read`] or [`Memory::write`] outside the memory, as the
/// crate's `MemoryAccessError` (which `?` turns into an
/// [`Error`](crate::Error)); its message says where.
///
/// ```no_run
/// use wasmtime_dyn::{Memory, MemoryAccessError, MemoryType, Store};
/// # let mut store: Store<()> = unimplemented!();
/// let memory = Memory::new(&mut store, MemoryType::new(1, None))?;
/// let err: MemoryAccessError = memory.write(&mut store, 65535, b"ab").unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "out of bounds memory access: 2 bytes at offset 65535 are outside the memory's 65536 bytes"
/// );
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryAccessError {
    offset: usize,
    len: usize,
    size: usize,
}

impl std::fmt::Display for MemoryAccessError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "out of bounds memory access: {} bytes at offset {} are outside the memory's {} bytes",
            self.len, self.offset, self.size
        )
    }
}

impl std::error::Error for MemoryAccessError {}
