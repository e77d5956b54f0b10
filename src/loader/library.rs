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

/// The GNU build id of the loaded object holding `address`, read from its
/// `PT_NOTE` segments in memory; `None` when it has none or the platform
/// cannot tell (only 64-bit Linux is asked).
pub(crate) fn loaded_build_id(address: *const c_void) -> Option<Vec<u8>> {
    #[cfg(all(
        any(target_os = "linux", target_os = "android"),
        target_pointer_width = "64"
    ))]
    {
        struct Search {
            address: usize,
            found: Option<Vec<u8>>,
        }

        /// Called by `dl_iterate_phdr` for every loaded object.
        unsafe extern "C" fn visit(
            info: *mut libc::dl_phdr_info,
            _size: usize,
            data: *mut c_void,
        ) -> libc::c_int {
            let outcome = std::panic::catch_unwind(|| {
                // SAFETY: `dl_iterate_phdr` passes a valid `info` for the
                // duration of the call; `data` is the `Search` below,
                // borrowed exclusively by this walk.
                let (info, search) = unsafe { (&*info, &mut *data.cast::<Search>()) };
                if info.dlpi_phdr.is_null() {
                    return 0;
                }
                // SAFETY: the loader's program headers of this object, live
                // while it is loaded.
                let headers = unsafe {
                    std::slice::from_raw_parts(info.dlpi_phdr, usize::from(info.dlpi_phnum))
                };
                let base = info.dlpi_addr as usize;
                let start = |h: &libc::Elf64_Phdr| base.wrapping_add(h.p_vaddr as usize);
                let holds = headers.iter().any(|h| {
                    h.p_type == libc::PT_LOAD
                        && (start(h)..start(h).wrapping_add(h.p_memsz as usize))
                            .contains(&search.address)
                });
                if !holds {
                    return 0;
                }
                search.found = headers
                    .iter()
                    .filter(|h| h.p_type == libc::PT_NOTE)
                    .find_map(|h| {
                        // SAFETY: a note segment of a loaded object is
                        // mapped (it lies in one of its loaded segments)
                        // for `p_memsz` bytes from its address.
                        let notes = unsafe {
                            std::slice::from_raw_parts(start(h) as *const u8, h.p_memsz as usize)
                        };
                        super::exports::gnu_build_id(notes, cfg!(target_endian = "little"))
                    });
                1
            });
            outcome.unwrap_or(1)
        }

        let mut search = Search {
            address: address as usize,
            found: None,
        };
        // SAFETY: `visit` matches the callback type and only reads what
        // the loader hands it; `search` outlives the walk.
        unsafe { libc::dl_iterate_phdr(Some(visit), (&mut search as *mut Search).cast()) };
        search.found
    }
    #[cfg(not(all(
        any(target_os = "linux", target_os = "android"),
        target_pointer_width = "64"
    )))]
    {
        let _ = address;
        None
    }
}
