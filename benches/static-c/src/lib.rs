//! The static C baseline for `cargo xtask bench`: the Wasmtime C API
//! declared with `#[link(name = "wasmtime")]` and linked at build time
//! against the same `libwasmtime.so` file wasmtime-dyn opens at run time
//! (see `build.rs`), plus what the benchmark binaries share.
//!
//! One library in the process: the executable's `DT_NEEDED` entry is
//! `libwasmtime.so` (the file has no soname), found at start-up through the
//! rpath. When wasmtime-dyn later `dlopen`s the canonical path of the same
//! file, the dynamic loader recognises the file (same device and inode) as
//! already loaded and returns the existing link map instead of mapping a
//! second copy, `RTLD_LOCAL` notwithstanding (that flag only governs symbol
//! visibility for later lookups). [`same_copy`] checks this at run time.

#![deny(unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]

#[path = "../../common/raw.rs"]
pub mod raw;

use std::path::PathBuf;

/// The Wasmtime C API functions the baseline uses, bound at link time.
#[cfg(wasmtime_static)]
pub mod ffi {
    use std::ffi::{c_char, c_void};
    use wasmtime_dyn::sys::types::*;

    #[link(name = "wasmtime")]
    extern "C" {
        pub fn wasm_engine_new() -> *mut wasm_engine_t;
        pub fn wasmtime_store_new(
            engine: *mut wasm_engine_t,
            data: *mut c_void,
            finalizer: Option<unsafe extern "C" fn(*mut c_void)>,
        ) -> *mut wasmtime_store_t;
        pub fn wasmtime_store_context(store: *mut wasmtime_store_t) -> *mut wasmtime_context_t;
        pub fn wasmtime_wat2wasm(
            wat: *const c_char,
            wat_len: usize,
            ret: *mut wasm_byte_vec_t,
        ) -> *mut wasmtime_error_t;
        pub fn wasm_byte_vec_delete(vec: *mut wasm_byte_vec_t);
        pub fn wasmtime_module_new(
            engine: *mut wasm_engine_t,
            wasm: *const u8,
            wasm_len: usize,
            ret: *mut *mut wasmtime_module_t,
        ) -> *mut wasmtime_error_t;
        pub fn wasm_valtype_new(kind: wasm_valkind_t) -> *mut wasm_valtype_t;
        pub fn wasm_valtype_vec_new(
            out: *mut wasm_valtype_vec_t,
            size: usize,
            data: *const *mut wasm_valtype_t,
        );
        pub fn wasm_functype_new(
            params: *mut wasm_valtype_vec_t,
            results: *mut wasm_valtype_vec_t,
        ) -> *mut wasm_functype_t;
        pub fn wasm_functype_delete(ty: *mut wasm_functype_t);
        pub fn wasmtime_linker_new(engine: *mut wasm_engine_t) -> *mut wasmtime_linker_t;
        pub fn wasmtime_linker_define_func_unchecked(
            linker: *mut wasmtime_linker_t,
            module: *const c_char,
            module_len: usize,
            name: *const c_char,
            name_len: usize,
            ty: *const wasm_functype_t,
            cb: wasmtime_func_unchecked_callback_t,
            data: *mut c_void,
            finalizer: Option<unsafe extern "C" fn(*mut c_void)>,
        ) -> *mut wasmtime_error_t;
        pub fn wasmtime_linker_instantiate(
            linker: *const wasmtime_linker_t,
            store: *mut wasmtime_context_t,
            module: *const wasmtime_module_t,
            instance: *mut wasmtime_instance_t,
            trap: *mut *mut wasm_trap_t,
        ) -> *mut wasmtime_error_t;
        pub fn wasmtime_instance_export_get(
            store: *mut wasmtime_context_t,
            instance: *const wasmtime_instance_t,
            name: *const c_char,
            name_len: usize,
            item: *mut wasmtime_extern_t,
        ) -> bool;
        pub fn wasmtime_error_message(error: *const wasmtime_error_t, message: *mut wasm_name_t);
        pub fn wasmtime_error_delete(error: *mut wasmtime_error_t);
        pub fn wasmtime_func_call_unchecked(
            store: *mut wasmtime_context_t,
            func: *const wasmtime_func_t,
            args_and_results: *mut wasmtime_val_raw_t,
            args_and_results_len: usize,
            trap: *mut *mut wasm_trap_t,
        ) -> *mut wasmtime_error_t;
        pub fn wasmtime_func_call(
            store: *mut wasmtime_context_t,
            func: *const wasmtime_func_t,
            args: *const wasmtime_val_t,
            nargs: usize,
            results: *mut wasmtime_val_t,
            nresults: usize,
            trap: *mut *mut wasm_trap_t,
        ) -> *mut wasmtime_error_t;
    }

    /// The linked functions as the shared set-up's table (used for set-up
    /// only; the measured calls name the linked functions directly).
    pub fn api() -> super::raw::Api {
        super::raw::Api {
            wasm_engine_new,
            wasmtime_store_new,
            wasmtime_store_context,
            wasmtime_wat2wasm,
            wasm_byte_vec_delete,
            wasmtime_module_new,
            wasm_valtype_new,
            wasm_valtype_vec_new,
            wasm_functype_new,
            wasm_functype_delete,
            wasmtime_linker_new,
            wasmtime_linker_define_func_unchecked,
            wasmtime_linker_instantiate,
            wasmtime_instance_export_get,
            wasmtime_error_message,
            wasmtime_error_delete,
            wasmtime_func_call_unchecked,
            wasmtime_func_call,
        }
    }
}

/// One call through the linked `wasmtime_func_call_unchecked`, failing
/// loudly on an error or trap: what a C embedder's hot path does, and no
/// more.
///
/// # Safety
///
/// `context` is a live store context, `func` a function of that store whose
/// parameters and results fit `slots` (arguments in, results out).
#[cfg(wasmtime_static)]
#[inline(always)]
pub unsafe fn call_static(
    context: *mut wasmtime_dyn::sys::types::wasmtime_context_t,
    func: &wasmtime_dyn::sys::types::wasmtime_func_t,
    slots: &mut [wasmtime_dyn::sys::types::wasmtime_val_raw_t],
) {
    let mut trap = std::ptr::null_mut();
    // SAFETY: the caller's contract is this call's.
    let error = unsafe {
        ffi::wasmtime_func_call_unchecked(context, func, slots.as_mut_ptr(), slots.len(), &mut trap)
    };
    if !error.is_null() || !trap.is_null() {
        failed();
    }
}

#[cfg(wasmtime_static)]
#[cold]
#[inline(never)]
fn failed() -> ! {
    panic!("a benchmark call failed")
}

/// The library the baseline was linked against, when it was.
pub fn linked_library() -> Option<PathBuf> {
    option_env!("BENCH_STATIC_C_LINKED").map(PathBuf::from)
}

/// Says why the static baseline is absent, for the benchmark output.
pub const NOT_LINKED: &str = "the static C baseline was not built: WASMTIME_DYN_TEST_FULL did not \
     name libwasmtime.so when this package was built (run `cargo xtask bench`, which makes the \
     library and sets it)";

/// The file the dynamic loader mapped the code at `address` from.
#[cfg(wasmtime_static)]
fn file_of(address: *const std::ffi::c_void) -> Option<PathBuf> {
    use std::os::unix::ffi::OsStrExt;
    // SAFETY: `Dl_info` is plain data for which all-zero is valid.
    let mut info: libc::Dl_info = unsafe { std::mem::zeroed() };
    // SAFETY: `dladdr` only looks the address up and fills `info`.
    let found = unsafe { libc::dladdr(address, &mut info) };
    if found == 0 || info.dli_fname.is_null() {
        return None;
    }
    // SAFETY: on success `dli_fname` is a NUL-terminated string owned by the
    // loader, valid while the library stays loaded (it is never unloaded).
    let name = unsafe { std::ffi::CStr::from_ptr(info.dli_fname) };
    let path = PathBuf::from(std::ffi::OsStr::from_bytes(name.to_bytes()));
    Some(path.canonicalize().unwrap_or(path))
}

/// Whether the library linked at build time and the one wasmtime-dyn opened
/// are one copy in memory: the same address for `wasm_engine_new` in both,
/// and both mapped from `linked_library()`. Returns a sentence saying what
/// was found.
#[cfg(wasmtime_static)]
pub fn same_copy(wasmtime: &wasmtime_dyn::Wasmtime) -> (bool, String) {
    let linked = ffi::wasm_engine_new as *const std::ffi::c_void;
    let opened = wasmtime.core().wasm_engine_new as *const std::ffi::c_void;
    let linked_file = file_of(linked);
    let opened_file = file_of(opened);
    let same = linked == opened && linked_file.is_some() && linked_file == linked_library();
    let text = format!(
        "wasm_engine_new linked at {linked:p} from {}, resolved by wasmtime-dyn at {opened:p} from {}: {}",
        linked_file.as_deref().map_or("?".into(), |p| p.display().to_string()),
        opened_file.as_deref().map_or("?".into(), |p| p.display().to_string()),
        if same { "one copy" } else { "two copies" }
    );
    (same, text)
}

/// Runs `future` to completion on this thread, polling it in a loop with a
/// waker that does nothing: enough for calls that never wait on anything
/// outside themselves (the benchmarks' async calls finish in one poll).
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    use std::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};
    const VTABLE: RawWakerVTable = RawWakerVTable::new(
        |_| RawWaker::new(std::ptr::null(), &VTABLE),
        |_| {},
        |_| {},
        |_| {},
    );
    // SAFETY: every function of the table ignores the (null) data pointer.
    let waker = unsafe { Waker::from_raw(RawWaker::new(std::ptr::null(), &VTABLE)) };
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
}
