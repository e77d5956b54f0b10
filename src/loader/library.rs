//! Opening a shared library with the system loader, never to close it.

use std::ffi::{c_void, CStr, OsStr};
use std::path::PathBuf;

/// Opens `name` (a path, or a bare file name for the system search) and
/// leaks the handle at once: no path, not even a refusal after opening,
/// ever closes a library whose code may have run (its signal handlers and
/// thread-locals would outlive it).
///
/// On Unix the library is opened with `RTLD_NOW | RTLD_LOCAL`: every
/// undefined symbol is bound now (a broken dependency fails here, not at
/// some later call), and its symbols stay out of the global namespace, so
/// several libwasmtime builds can be open at once.
///
/// # Safety
///
/// Opening a library runs its initialization code; the caller vouches that
/// `name` is a library whose initializers are sound to run.
pub(crate) unsafe fn open(name: &OsStr) -> Result<Handle, String> {
    #[cfg(unix)]
    {
        use libloading::os::unix::{Library, RTLD_LOCAL, RTLD_NOW};
        // SAFETY: the caller vouches for the library's initializers.
        let library = unsafe { Library::open(Some(name), RTLD_NOW | RTLD_LOCAL) }
            .map_err(|e| e.to_string())?;
        // `into_raw` gives up the handle without closing it: it is leaked.
        Ok(Handle {
            raw: library.into_raw(),
        })
    }
    #[cfg(not(unix))]
    {
        // SAFETY: the caller vouches for the library's initializers.
        let library = unsafe { libloading::Library::new(name) }.map_err(|e| e.to_string())?;
        Ok(Handle {
            library: Box::leak(Box::new(library)),
        })
    }
}

/// An open library, never closed.
#[derive(Clone, Copy)]
pub(crate) struct Handle {
    /// The `dlopen` handle.
    #[cfg(unix)]
    raw: *mut c_void,
    #[cfg(not(unix))]
    library: &'static libloading::Library,
}

/// The address of `name` in `library`, or null when it has no such symbol.
///
/// On Unix this is a bare `dlsym`: every function the loader looks up is
/// a C API function, never at address zero, so null means "absent" and
/// the `dlerror` calls `libloading` makes around each lookup (most of the
/// cost of resolving the tables) are not needed.
pub(crate) fn symbol(library: Handle, name: &CStr) -> *const c_void {
    #[cfg(unix)]
    {
        // SAFETY: `raw` is a live `dlopen` handle (never closed) and `name`
        // is NUL-terminated; the address is only stored, not called here.
        unsafe { libc::dlsym(library.raw, name.as_ptr()) }.cast_const()
    }
    #[cfg(not(unix))]
    {
        // SAFETY: the symbol is read as an untyped address, never called
        // or dereferenced here; `name` is NUL-terminated.
        match unsafe {
            library
                .library
                .get::<*const c_void>(name.to_bytes_with_nul())
        } {
            Ok(address) => *address,
            Err(_) => std::ptr::null(),
        }
    }
}

/// The file the code at `address` was loaded from, as the system loader
/// knows it, when it can tell.
pub(crate) fn file_of(address: *const c_void) -> Option<PathBuf> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        // SAFETY: `Dl_info` is plain data for which all-zero is valid.
        let mut info: libc::Dl_info = unsafe { std::mem::zeroed() };
        if address.is_null() {
            return None;
        }
        // SAFETY: `dladdr` only looks the address up and fills `info`.
        let found = unsafe { libc::dladdr(address, &mut info) };
        if found == 0 || info.dli_fname.is_null() {
            return None;
        }
        // SAFETY: on success `dli_fname` is a NUL-terminated string owned by
        // the loader, valid while the library stays open (forever here).
        let name = unsafe { CStr::from_ptr(info.dli_fname) };
        Some(PathBuf::from(OsStr::from_bytes(name.to_bytes())))
    }
    #[cfg(not(unix))]
    {
        let _ = address;
        None
    }
}
