//! Shared linear memories: the [`Threads`](Capability::Threads) capability.

use crate::capability::Capability;
use crate::engine::Engine;
use crate::error::{ErrorKind, Result};
use crate::loader::Wasmtime;
use crate::sys::types::*;
use crate::types::MemoryType;
use std::cell::UnsafeCell;

/// A memory shared between threads: it belongs to an engine, not a store,
/// and can be imported by instances in several stores at once.
///
/// ```no_run
/// use wasmtime_dyn::{MemoryType, SharedMemory};
/// # let engine: wasmtime_dyn::Engine = unimplemented!();
/// let memory = SharedMemory::new(&engine, MemoryType::shared(1, 2))?;
/// assert_eq!(memory.size(), 1);
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
pub struct SharedMemory {
    wasmtime: &'static Wasmtime,
    pub(crate) ptr: *mut wasmtime_sharedmemory_t,
}

// SAFETY: `wasmtime::SharedMemory` is `Send + Sync`; the C handle boxes one.
unsafe impl Send for SharedMemory {}
// SAFETY: as above.
unsafe impl Sync for SharedMemory {}

impl SharedMemory {
    /// A new shared memory of type `ty` (see [`MemoryType::shared`]).
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Engine, MemoryType, SharedMemory};
    /// # let engine: Engine = unimplemented!();
    /// // The engine was made with `Config::shared_memory(true)`.
    /// let memory = SharedMemory::new(&engine, MemoryType::shared(1, 16))?;
    /// assert!(memory.ty().is_shared());
    /// assert!(SharedMemory::new(&engine, MemoryType::new(1, Some(16))).is_err()); // not shared
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unsupported`]`(Threads)` on a library without threads;
    /// [`ErrorKind::Invalid`] if `ty` is not shared; Wasmtime's error if the
    /// engine was made without [`Config::shared_memory`](crate::Config::shared_memory)`(true)`.
    pub fn new(engine: &Engine, ty: MemoryType) -> Result<SharedMemory> {
        let wasmtime = engine.wasmtime();
        let threads = wasmtime
            .tables()
            .threads
            .as_ref()
            .ok_or(ErrorKind::Unsupported(Capability::Threads))?;
        if !ty.is_shared() {
            return Err(ErrorKind::Invalid(
                "SharedMemory::new needs a shared memory type (MemoryType::shared)".into(),
            )
            .into());
        }
        let core = wasmtime.core();
        let c_ty = ty.to_c(wasmtime)?;
        let mut ptr = std::ptr::null_mut();
        // SAFETY: engine and type are live; the type is deleted once.
        let error = unsafe {
            let error = (threads.wasmtime_sharedmemory_new)(engine.ptr(), c_ty, &mut ptr);
            (core.wasm_memorytype_delete)(c_ty);
            error
        };
        // SAFETY: the error, if any, is fresh and owned.
        unsafe { crate::error::check(core, error) }?;
        Ok(SharedMemory { wasmtime, ptr })
    }

    pub(crate) fn wasmtime(&self) -> &'static Wasmtime {
        self.wasmtime
    }

    /// Takes ownership of a shared memory the library handed out.
    pub(crate) fn from_owned(
        wasmtime: &'static Wasmtime,
        ptr: *mut wasmtime_sharedmemory_t,
    ) -> SharedMemory {
        SharedMemory { wasmtime, ptr }
    }

    /// The size in pages.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Engine, MemoryType, SharedMemory};
    /// # let engine: Engine = unimplemented!();
    /// let memory = SharedMemory::new(&engine, MemoryType::shared(2, 16))?;
    /// assert_eq!(memory.size(), 2);
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn size(&self) -> u64 {
        // SAFETY: the memory is live.
        unsafe { (self.wasmtime.core().wasmtime_sharedmemory_size)(self.ptr) }
    }

    /// The memory's type.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Engine, MemoryType, SharedMemory};
    /// # let engine: Engine = unimplemented!();
    /// let memory = SharedMemory::new(&engine, MemoryType::shared(1, 16))?;
    /// assert_eq!(memory.ty(), MemoryType::shared(1, 16));
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn ty(&self) -> MemoryType {
        let core = self.wasmtime.core();
        // SAFETY: the memory is live; the type is owned here, read and
        // deleted once.
        unsafe {
            let ty = (core.wasmtime_sharedmemory_type)(self.ptr);
            let out = MemoryType::from_c(self.wasmtime, ty);
            (core.wasm_memorytype_delete)(ty);
            out
        }
    }

    /// The contents. Other threads may change any byte at any time, so
    /// each is an `UnsafeCell`: read and write them with atomics or
    /// volatile accesses.
    ///
    /// ```no_run
    /// use std::sync::atomic::{AtomicU32, Ordering};
    /// use wasmtime_dyn::{Engine, MemoryType, SharedMemory};
    /// # let engine: Engine = unimplemented!();
    /// let memory = SharedMemory::new(&engine, MemoryType::shared(1, 1))?;
    /// let data = memory.data();
    /// // SAFETY: the first 4 bytes are in bounds and aligned (a memory starts on a
    /// // page), and every access to them, wasm's included, is atomic.
    /// let word = unsafe { AtomicU32::from_ptr(data.as_ptr().cast::<u32>().cast_mut()) };
    /// word.store(7, Ordering::SeqCst);
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn data(&self) -> &[UnsafeCell<u8>] {
        let core = self.wasmtime.core();
        // SAFETY: the memory is live; its bytes stay mapped while it is
        // (shared memories never move); `UnsafeCell<u8>` has `u8`'s layout
        // and makes no claim of exclusive access.
        unsafe {
            let ptr = (core.wasmtime_sharedmemory_data)(self.ptr);
            let len = (core.wasmtime_sharedmemory_data_size)(self.ptr);
            if len == 0 {
                &[]
            } else {
                std::slice::from_raw_parts(ptr.cast::<UnsafeCell<u8>>(), len)
            }
        }
    }

    /// Grows by `delta` pages; returns the previous size in pages.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Engine, MemoryType, SharedMemory};
    /// # let engine: Engine = unimplemented!();
    /// let memory = SharedMemory::new(&engine, MemoryType::shared(1, 2))?;
    /// assert_eq!(memory.grow(1)?, 1); // the previous size
    /// assert!(memory.grow(1).is_err()); // past the maximum
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn grow(&self, delta: u64) -> Result<u64> {
        let core = self.wasmtime.core();
        let mut previous = 0;
        // SAFETY: the memory is live.
        let error = unsafe { (core.wasmtime_sharedmemory_grow)(self.ptr, delta, &mut previous) };
        // SAFETY: the error, if any, is fresh and owned.
        unsafe { crate::error::check(core, error) }?;
        Ok(previous)
    }
}

impl Clone for SharedMemory {
    fn clone(&self) -> SharedMemory {
        // SAFETY: the memory is live; the clone is a new owned handle.
        let ptr = unsafe { (self.wasmtime.core().wasmtime_sharedmemory_clone)(self.ptr) };
        SharedMemory {
            wasmtime: self.wasmtime,
            ptr,
        }
    }
}

impl Drop for SharedMemory {
    fn drop(&mut self) {
        // SAFETY: owned by this handle, deleted once.
        unsafe { (self.wasmtime.core().wasmtime_sharedmemory_delete)(self.ptr) };
    }
}

impl std::fmt::Debug for SharedMemory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedMemory")
            .field("pages", &self.size())
            .finish()
    }
}
