//! The benchmark module driven through the raw C API, the way a C embedder
//! writes it: shared by the root bench (C functions from wasmtime-dyn's
//! tables) and by `bench-static-c` (C functions linked at build time).
//!
//! wasmtime-dyn's safe types do not hand out their raw store context or
//! function handles, so the raw variants set up their own engine, store and
//! instance here, from the same module text.

#![allow(dead_code)]

use std::ffi::c_void;
use std::ptr::null_mut;
use wasmtime_dyn::sys::fns;
use wasmtime_dyn::sys::types::*;

/// The module every variant runs.
pub const WAT: &str = include_str!("../bench.wat");

/// The C functions the raw set-up and calls need, as plain pointers.
#[derive(Clone, Copy)]
pub struct Api {
    pub wasm_engine_new: fns::wasm_engine_new,
    pub wasmtime_store_new: fns::wasmtime_store_new,
    pub wasmtime_store_context: fns::wasmtime_store_context,
    pub wasmtime_wat2wasm: fns::wasmtime_wat2wasm,
    pub wasm_byte_vec_delete: fns::wasm_byte_vec_delete,
    pub wasmtime_module_new: fns::wasmtime_module_new,
    pub wasm_valtype_new: fns::wasm_valtype_new,
    pub wasm_valtype_vec_new: fns::wasm_valtype_vec_new,
    pub wasm_functype_new: fns::wasm_functype_new,
    pub wasm_functype_delete: fns::wasm_functype_delete,
    pub wasmtime_linker_new: fns::wasmtime_linker_new,
    pub wasmtime_linker_define_func_unchecked: fns::wasmtime_linker_define_func_unchecked,
    pub wasmtime_linker_instantiate: fns::wasmtime_linker_instantiate,
    pub wasmtime_instance_export_get: fns::wasmtime_instance_export_get,
    pub wasmtime_error_message: fns::wasmtime_error_message,
    pub wasmtime_error_delete: fns::wasmtime_error_delete,
    pub wasmtime_func_call_unchecked: fns::wasmtime_func_call_unchecked,
    pub wasmtime_func_call: fns::wasmtime_func_call,
}

impl Api {
    /// The functions from a library loaded by wasmtime-dyn; `None` when it
    /// has no compiler or no text format parser.
    pub fn from_tables(wasmtime: &wasmtime_dyn::Wasmtime) -> Option<Api> {
        let core = wasmtime.core();
        let compiler = wasmtime.tables().compiler?;
        let wat = wasmtime.tables().wat?;
        Some(Api {
            wasm_engine_new: core.wasm_engine_new,
            wasmtime_store_new: core.wasmtime_store_new,
            wasmtime_store_context: core.wasmtime_store_context,
            wasmtime_wat2wasm: wat.wasmtime_wat2wasm,
            wasm_byte_vec_delete: core.wasm_byte_vec_delete,
            wasmtime_module_new: compiler.wasmtime_module_new,
            wasm_valtype_new: core.wasm_valtype_new,
            wasm_valtype_vec_new: core.wasm_valtype_vec_new,
            wasm_functype_new: core.wasm_functype_new,
            wasm_functype_delete: core.wasm_functype_delete,
            wasmtime_linker_new: core.wasmtime_linker_new,
            wasmtime_linker_define_func_unchecked: core.wasmtime_linker_define_func_unchecked,
            wasmtime_linker_instantiate: core.wasmtime_linker_instantiate,
            wasmtime_instance_export_get: core.wasmtime_instance_export_get,
            wasmtime_error_message: core.wasmtime_error_message,
            wasmtime_error_delete: core.wasmtime_error_delete,
            wasmtime_func_call_unchecked: core.wasmtime_func_call_unchecked,
            wasmtime_func_call: core.wasmtime_func_call,
        })
    }
}

/// The signature of a host function given to
/// `wasmtime_linker_define_func_unchecked`.
pub type HostCallback = unsafe extern "C" fn(
    *mut c_void,
    *mut wasmtime_caller_t,
    *mut wasmtime_val_raw_t,
    usize,
) -> *mut wasm_trap_t;

/// `host.inc` as a C embedder writes it: `x + 1`, in place.
///
/// # Safety
///
/// Called by Wasmtime for an import of type `(i32) -> i32`.
pub unsafe extern "C" fn inc(
    _env: *mut c_void,
    _caller: *mut wasmtime_caller_t,
    args_and_results: *mut wasmtime_val_raw_t,
    _len: usize,
) -> *mut wasm_trap_t {
    // SAFETY: Wasmtime passes one i32 argument in the first slot, which
    // also receives the one i32 result.
    unsafe { (*args_and_results).i32_ = (*args_and_results).i32_.wrapping_add(1) };
    null_mut()
}

/// One store holding one instance of the module, with its exports.
pub struct World {
    pub store: *mut wasmtime_store_t,
    pub context: *mut wasmtime_context_t,
    pub nop: wasmtime_func_t,
    pub add: wasmtime_func_t,
    pub mixed: wasmtime_func_t,
    pub call_host: wasmtime_func_t,
    pub host_loop: wasmtime_func_t,
}

/// Panics with the library's message when `error` is not null.
///
/// # Safety
///
/// `error` is null or a fresh, owned error of `api`'s library.
unsafe fn check(api: &Api, error: *mut wasmtime_error_t, what: &str) {
    if error.is_null() {
        return;
    }
    let mut message = wasm_byte_vec_t {
        size: 0,
        data: null_mut(),
    };
    // SAFETY: `error` is live and owned; the message vector is filled by the
    // library and read before it is deleted; each is deleted once.
    let text = unsafe {
        (api.wasmtime_error_message)(error, &mut message);
        let bytes = std::slice::from_raw_parts(message.data.cast::<u8>(), message.size);
        let text = String::from_utf8_lossy(bytes).into_owned();
        (api.wasm_byte_vec_delete)(&mut message);
        (api.wasmtime_error_delete)(error);
        text
    };
    panic!("{what}: {text}");
}

impl World {
    /// Compiles the module, defines `host.inc` as `host`, instantiates.
    ///
    /// # Safety
    ///
    /// Every pointer in `api` is the C function of its name of one
    /// Wasmtime 48 library; `host` computes `(i32) -> i32` in place.
    pub unsafe fn new(api: &Api, host: HostCallback) -> World {
        // SAFETY: each call follows the C API's contract: live handles,
        // readable inputs, writable outputs; errors are checked (and freed)
        // after every fallible call. Nothing is deleted: a benchmark process
        // keeps its world until it exits.
        unsafe {
            let engine = (api.wasm_engine_new)();
            let store = (api.wasmtime_store_new)(engine, null_mut(), None);
            let context = (api.wasmtime_store_context)(store);

            let mut wasm = wasm_byte_vec_t {
                size: 0,
                data: null_mut(),
            };
            let error = (api.wasmtime_wat2wasm)(WAT.as_ptr().cast(), WAT.len(), &mut wasm);
            check(api, error, "wat2wasm");
            let mut module = null_mut();
            let error = (api.wasmtime_module_new)(engine, wasm.data.cast(), wasm.size, &mut module);
            check(api, error, "wasmtime_module_new");
            (api.wasm_byte_vec_delete)(&mut wasm);

            let valtypes = |api: &Api| {
                let one = [(api.wasm_valtype_new)(WASM_I32 as wasm_valkind_t)];
                let mut vec = wasm_valtype_vec_t {
                    size: 0,
                    data: null_mut(),
                };
                (api.wasm_valtype_vec_new)(&mut vec, 1, one.as_ptr());
                vec
            };
            let mut params = valtypes(api);
            let mut results = valtypes(api);
            let ty = (api.wasm_functype_new)(&mut params, &mut results);
            let linker = (api.wasmtime_linker_new)(engine);
            let error = (api.wasmtime_linker_define_func_unchecked)(
                linker,
                c"host".as_ptr(),
                4,
                c"inc".as_ptr(),
                3,
                ty,
                Some(host),
                null_mut(),
                None,
            );
            check(api, error, "defining host.inc");
            (api.wasm_functype_delete)(ty);

            let mut instance = std::mem::MaybeUninit::<wasmtime_instance_t>::uninit();
            let mut trap = null_mut();
            let error = (api.wasmtime_linker_instantiate)(
                linker,
                context,
                module,
                instance.as_mut_ptr(),
                &mut trap,
            );
            check(api, error, "instantiating");
            assert!(trap.is_null(), "the module has no start function");
            let instance = instance.assume_init();

            let export = |name: &str| {
                let mut item = std::mem::MaybeUninit::<wasmtime_extern_t>::uninit();
                let found = (api.wasmtime_instance_export_get)(
                    context,
                    &instance,
                    name.as_ptr().cast(),
                    name.len(),
                    item.as_mut_ptr(),
                );
                assert!(found, "the module exports {name}");
                let item = item.assume_init();
                assert_eq!(
                    u32::from(item.kind),
                    WASMTIME_EXTERN_FUNC,
                    "{name} is a function"
                );
                item.of.func
            };
            World {
                store,
                context,
                nop: export("nop"),
                add: export("add"),
                mixed: export("mixed"),
                call_host: export("call_host"),
                host_loop: export("host_loop"),
            }
        }
    }
}

/// A `wasmtime_val_t` (the GC layout of the official library) holding an
/// i32, i64, f32 or f64.
pub fn val_i32(v: i32) -> wasmtime_val_t {
    wasmtime_val_t {
        kind: WASMTIME_I32 as wasmtime_valkind_t,
        of: wasmtime_valunion_t { i32_: v },
    }
}

pub fn val_i64(v: i64) -> wasmtime_val_t {
    wasmtime_val_t {
        kind: WASMTIME_I64 as wasmtime_valkind_t,
        of: wasmtime_valunion_t { i64_: v },
    }
}

pub fn val_f32(v: f32) -> wasmtime_val_t {
    wasmtime_val_t {
        kind: WASMTIME_F32 as wasmtime_valkind_t,
        of: wasmtime_valunion_t { f32_: v },
    }
}

pub fn val_f64(v: f64) -> wasmtime_val_t {
    wasmtime_val_t {
        kind: WASMTIME_F64 as wasmtime_valkind_t,
        of: wasmtime_valunion_t { f64_: v },
    }
}
