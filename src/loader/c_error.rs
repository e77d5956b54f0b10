//! Reading and freeing a `wasmtime_error_t`.

use crate::sys::tables::Core;
use crate::sys::types::{wasm_byte_vec_t, wasmtime_error_t};

/// Takes ownership of `error`, returns its message and frees it.
///
/// # Safety
///
/// `error` must be a non-null error returned by a function of the library
/// `core` was loaded from, not yet freed.
pub(crate) unsafe fn take_message(core: &Core, error: *mut wasmtime_error_t) -> String {
    let mut message = wasm_byte_vec_t {
        size: 0,
        data: std::ptr::null_mut(),
    };
    // SAFETY: `error` is a live error of this library (caller's contract),
    // and `message` is an empty vector the call fills.
    unsafe { (core.wasmtime_error_message)(error, &mut message) };
    let text = if message.data.is_null() {
        String::new()
    } else {
        // SAFETY: the library filled `message` with `size` initialized bytes
        // at `data`, which stay valid until the vector is deleted below.
        let bytes = unsafe { std::slice::from_raw_parts(message.data.cast::<u8>(), message.size) };
        String::from_utf8_lossy(bytes).into_owned()
    };
    // SAFETY: `message` was filled by the library and is deleted once;
    // `error` is owned here (caller's contract) and deleted once.
    unsafe {
        (core.wasm_byte_vec_delete)(&mut message);
        (core.wasmtime_error_delete)(error);
    }
    text
}
