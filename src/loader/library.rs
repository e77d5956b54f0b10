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

/// What the loader compares the file it read with: the loaded object
/// holding an address, as the dynamic linker mapped it.
pub(crate) struct LoadedObject {
    /// Its GNU build id, from its `PT_NOTE` segments.
    pub(crate) build_id: Option<Vec<u8>>,
    /// Its load base: a symbol's address is this plus its value.
    pub(crate) base: usize,
    /// Its executable segments, where every function it exports lies.
    pub(crate) code: Vec<std::ops::Range<usize>>,
    /// Its read-only segments (readable, not writable).
    pub(crate) read_only: Vec<std::ops::Range<usize>>,
    /// The dynamic symbol table the dynamic linker looks names up in
    /// (`DT_SYMTAB`), up to the end of the segment holding it (the table's
    /// own length is not recorded).
    pub(crate) symbols: Option<&'static [u8]>,
    /// Its string table (`DT_STRTAB`, `DT_STRSZ` bytes).
    pub(crate) strings: Option<&'static [u8]>,
}

impl LoadedObject {
    /// The `len` bytes at `start`, when they lie in one read-only segment
    /// of the object.
    pub(crate) fn bytes(&self, start: usize, len: usize) -> Option<&'static [u8]> {
        let end = start.checked_add(len)?;
        self.read_only
            .iter()
            .any(|s| s.start <= start && end <= s.end)
            // SAFETY: the range lies in a `PT_LOAD` segment of an object
            // that stays loaded (see `loaded_object`), mapped readable and
            // not writable: nothing writes to it while it is read.
            .then(|| unsafe { std::slice::from_raw_parts(start as *const u8, len) })
    }

    /// Whether `address` lies in the object's code.
    pub(crate) fn is_code(&self, address: usize) -> bool {
        self.code.iter().any(|range| range.contains(&address))
    }

    /// Narrows the object's code to the parts of its executable segments
    /// that `sections` (address ranges relative to the base: the
    /// executable sections of the file it was loaded from) cover. An
    /// executable segment may hold more than code: the official 36.0.0
    /// library's single `R E` segment starts with the ELF header and holds
    /// the symbol tables and `.rodata`, so a symbol value pointing there
    /// lies in it. Nothing is narrowed when `sections` is empty.
    pub(crate) fn narrow_code(&mut self, sections: &[std::ops::Range<u64>]) {
        if sections.is_empty() {
            return;
        }
        let base = self.base;
        self.code = self
            .code
            .iter()
            .flat_map(|segment| {
                sections.iter().filter_map(move |section| {
                    let start = base.wrapping_add(usize::try_from(section.start).ok()?);
                    let end =
                        start.checked_add(usize::try_from(section.end - section.start).ok()?)?;
                    let (start, end) = (start.max(segment.start), end.min(segment.end));
                    (start < end).then_some(start..end)
                })
            })
            .collect();
    }
}

/// The loaded object holding `address`, as the dynamic linker describes it
/// (`dl_iterate_phdr`); `None` when the platform cannot tell (only 64-bit
/// Linux is asked).
///
/// The object must never be unloaded: its tables are returned as
/// `'static` slices. Every library [`open`] opens is never closed, nor are
/// its dependencies.
pub(crate) fn loaded_object(address: *const c_void) -> Option<LoadedObject> {
    #[cfg(all(
        any(target_os = "linux", target_os = "android"),
        target_pointer_width = "64"
    ))]
    {
        struct Search {
            address: usize,
            found: Option<LoadedObject>,
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
                let holds = segments(headers, base, 0).any(|s| s.contains(&search.address));
                if !holds {
                    return 0;
                }
                search.found = Some(describe(headers, base));
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

/// The address ranges of the `PT_LOAD` segments of an object loaded at
/// `base` whose flags include all of `flags` (`PF_R`, `PF_X`...).
#[cfg(all(
    any(target_os = "linux", target_os = "android"),
    target_pointer_width = "64"
))]
fn segments(
    headers: &[libc::Elf64_Phdr],
    base: usize,
    flags: u32,
) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    headers
        .iter()
        .filter(move |h| h.p_type == libc::PT_LOAD && h.p_flags & flags == flags)
        .map(move |h| {
            let start = base.wrapping_add(h.p_vaddr as usize);
            start..start.saturating_add(h.p_memsz as usize)
        })
}

/// The object of `headers`, loaded at `base`.
#[cfg(all(
    any(target_os = "linux", target_os = "android"),
    target_pointer_width = "64"
))]
fn describe(headers: &[libc::Elf64_Phdr], base: usize) -> LoadedObject {
    /// `DT_STRTAB`, `DT_SYMTAB`, `DT_STRSZ`, `DT_SYMENT`.
    const STRTAB: u64 = 5;
    const SYMTAB: u64 = 6;
    const STRSZ: u64 = 10;
    const SYMENT: u64 = 11;
    // The end of the readable segment holding `start..start + len`, if one
    // does: every byte up to it is mapped and readable while the object is
    // loaded.
    let readable_end = |start: usize, len: usize| {
        let end = start.checked_add(len)?;
        segments(headers, base, libc::PF_R)
            .find(|s| s.start <= start && end <= s.end)
            .map(|s| s.end)
    };
    // The bytes `start..start + len` of a readable segment.
    let bytes = |start: usize, len: usize| -> Option<&'static [u8]> {
        readable_end(start, len)?;
        // SAFETY: the range lies in a readable `PT_LOAD` segment of an
        // object that stays loaded (see `loaded_object`), whose read-only
        // data nothing writes to. A file truncated under a loaded object
        // would fault here as it would on running its code.
        Some(unsafe { std::slice::from_raw_parts(start as *const u8, len) })
    };
    let build_id = headers
        .iter()
        .filter(|h| h.p_type == libc::PT_NOTE)
        .find_map(|h| {
            let notes = bytes(base.wrapping_add(h.p_vaddr as usize), h.p_memsz as usize)?;
            crate::elf::gnu_build_id(notes, cfg!(target_endian = "little"))
        });
    let code = segments(headers, base, libc::PF_X).collect();
    let read_only = headers
        .iter()
        .filter(|h| {
            h.p_type == libc::PT_LOAD && h.p_flags & (libc::PF_R | libc::PF_W) == libc::PF_R
        })
        .map(|h| {
            let start = base.wrapping_add(h.p_vaddr as usize);
            start..start.saturating_add(h.p_memsz as usize)
        })
        .collect();
    let mut object = LoadedObject {
        build_id,
        base,
        code,
        read_only,
        symbols: None,
        strings: None,
    };
    // The dynamic section: (tag, value) pairs up to `DT_NULL`.
    let Some(dynamic) = headers
        .iter()
        .find(|h| h.p_type == libc::PT_DYNAMIC)
        .and_then(|h| bytes(base.wrapping_add(h.p_vaddr as usize), h.p_memsz as usize))
    else {
        return object;
    };
    let (mut symtab, mut strtab, mut strsz, mut syment) = (None, None, None, None);
    for entry in dynamic.chunks_exact(16) {
        let word = |at: usize| u64::from_ne_bytes(entry[at..at + 8].try_into().expect("8 bytes"));
        match word(0) {
            0 => break,
            SYMTAB => symtab = Some(word(8)),
            STRTAB => strtab = Some(word(8)),
            STRSZ => strsz = Some(word(8)),
            SYMENT => syment = Some(word(8)),
            _ => {}
        }
    }
    // glibc rewrites a writable dynamic section's addresses to absolute
    // ones as it loads the object; other loaders leave them relative to
    // the base. Whichever lies in the object is taken; if both or neither
    // do, the tables are not described.
    let address = |value: u64| {
        let (absolute, relative) = (value as usize, base.wrapping_add(value as usize));
        match (readable_end(absolute, 1), readable_end(relative, 1)) {
            (Some(_), None) => Some(absolute),
            (None, Some(_)) => Some(relative),
            _ => None,
        }
    };
    if syment == Some(24) {
        object.symbols = symtab
            .and_then(address)
            .and_then(|start| bytes(start, readable_end(start, 0)? - start));
    }
    object.strings = strtab
        .and_then(address)
        .zip(strsz.and_then(|len| usize::try_from(len).ok()))
        .and_then(|(start, len)| bytes(start, len));
    object
}
