//! Artifacts made through the plain C API of an official library, for
//! majors `Wasmtime::open` does not load: the functions used here have had
//! the same signature since Wasmtime 36 (`wasm.h`, `wasmtime/config.h`,
//! `wasmtime/module.h`, `wasmtime/wat.h` of every release 36 to 50).

use libloading::{Library, Symbol};
use std::ffi::c_void;
use std::path::Path;

/// `wasm_byte_vec_t`.
#[repr(C)]
struct ByteVec {
    size: usize,
    data: *mut u8,
}

impl ByteVec {
    fn empty() -> Self {
        ByteVec {
            size: 0,
            data: std::ptr::null_mut(),
        }
    }
}

/// A setting applied to a `wasm_config_t` before the engine is made.
#[derive(Clone, Copy, Debug)]
pub enum Setting {
    /// `wasmtime_config_cranelift_opt_level_set` (0 none, 1 speed, 2 speed
    /// and size).
    OptLevel(u8),
    ConsumeFuel(bool),
    EpochInterruption(bool),
    Threads(bool),
    MultiMemory(bool),
    MemoryReservation(u64),
    MemoryGuardSize(u64),
    DebugInfo(bool),
    MemoryInitCow(bool),
    RelaxedSimdDeterministic(bool),
}

/// An official library opened with `dlopen`, kept loaded for the rest of
/// the process (its engines install signal handlers that point into it).
pub struct RawLibrary {
    lib: &'static Library,
}

type Config = *mut c_void;
type Error = *mut c_void;

impl RawLibrary {
    pub fn open(path: &Path) -> RawLibrary {
        // SAFETY: the path is an official Wasmtime C API library, whose
        // initialisers only register Rust runtime state.
        let lib = unsafe { Library::new(path) }
            .unwrap_or_else(|e| panic!("dlopen {}: {e}", path.display()));
        RawLibrary {
            lib: Box::leak(Box::new(lib)),
        }
    }

    /// The function `name` of type `T`.
    ///
    /// # Safety
    ///
    /// `T` must be the function's C signature in this library's major.
    unsafe fn get<T>(&self, name: &str) -> Symbol<'static, T> {
        // SAFETY: the caller names the signature; the library stays loaded.
        unsafe { self.lib.get::<T>(name.as_bytes()) }.unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    /// `error`'s message, freeing it.
    fn message(&self, error: Error) -> String {
        // SAFETY: these are the signatures of `wasmtime/error.h` and
        // `wasm.h` in every major 36 to 50; `error` is an owned error the
        // library returned, freed once here; the vector it fills is freed
        // by `wasm_byte_vec_delete`.
        unsafe {
            let message =
                self.get::<unsafe extern "C" fn(Error, *mut ByteVec)>("wasmtime_error_message");
            let delete_error = self.get::<unsafe extern "C" fn(Error)>("wasmtime_error_delete");
            let mut out = ByteVec::empty();
            message(error, &mut out);
            let text = String::from_utf8_lossy(std::slice::from_raw_parts(out.data, out.size))
                .into_owned();
            self.delete_vec(&mut out);
            delete_error(error);
            text
        }
    }

    /// Frees a vector the library filled.
    ///
    /// # Safety
    ///
    /// `vec` was filled by this library and not freed yet.
    unsafe fn delete_vec(&self, vec: &mut ByteVec) {
        // SAFETY: `wasm_byte_vec_delete(wasm_byte_vec_t*)` in every major;
        // the caller's contract.
        unsafe { self.get::<unsafe extern "C" fn(*mut ByteVec)>("wasm_byte_vec_delete")(vec) }
    }

    /// `wat` compiled by an engine with `settings`, serialized: the bytes
    /// of a `.cwasm`.
    pub fn precompile(&self, wat: &str, settings: &[Setting]) -> Vec<u8> {
        // SAFETY: every signature below is the one of `wasm.h` and
        // `wasmtime/{config,engine,module,wat}.h` in each major 36 to 50
        // (`bool` is C's `_Bool`, `wasmtime_opt_level_t` a `uint8_t`);
        // the config is consumed by `wasm_engine_new_with_config`, the
        // engine and module are deleted once, after their last use; the
        // settings are ones the official libraries accept (an engine the
        // library refuses would abort, not return).
        unsafe {
            let config_new = self.get::<unsafe extern "C" fn() -> Config>("wasm_config_new");
            let config = config_new();
            assert!(!config.is_null());
            for setting in settings {
                let flag = |name: &str, on: bool| {
                    self.get::<unsafe extern "C" fn(Config, bool)>(name)(config, on)
                };
                let size = |name: &str, n: u64| {
                    self.get::<unsafe extern "C" fn(Config, u64)>(name)(config, n)
                };
                match *setting {
                    Setting::OptLevel(level) => self.get::<unsafe extern "C" fn(Config, u8)>(
                        "wasmtime_config_cranelift_opt_level_set",
                    )(config, level),
                    Setting::ConsumeFuel(on) => flag("wasmtime_config_consume_fuel_set", on),
                    Setting::EpochInterruption(on) => {
                        flag("wasmtime_config_epoch_interruption_set", on)
                    }
                    Setting::Threads(on) => flag("wasmtime_config_wasm_threads_set", on),
                    Setting::MultiMemory(on) => flag("wasmtime_config_wasm_multi_memory_set", on),
                    Setting::MemoryReservation(n) => {
                        size("wasmtime_config_memory_reservation_set", n)
                    }
                    Setting::MemoryGuardSize(n) => size("wasmtime_config_memory_guard_size_set", n),
                    Setting::DebugInfo(on) => flag("wasmtime_config_debug_info_set", on),
                    Setting::MemoryInitCow(on) => flag("wasmtime_config_memory_init_cow_set", on),
                    Setting::RelaxedSimdDeterministic(on) => {
                        flag("wasmtime_config_wasm_relaxed_simd_deterministic_set", on)
                    }
                }
            }
            let engine = self
                .get::<unsafe extern "C" fn(Config) -> *mut c_void>("wasm_engine_new_with_config")(
                config,
            );
            assert!(!engine.is_null());

            let mut wasm = ByteVec::empty();
            let err = self.get::<unsafe extern "C" fn(*const u8, usize, *mut ByteVec) -> Error>(
                "wasmtime_wat2wasm",
            )(wat.as_ptr(), wat.len(), &mut wasm);
            assert!(err.is_null(), "wat2wasm: {}", self.message(err));

            let mut module = std::ptr::null_mut::<c_void>();
            let err = self.get::<unsafe extern "C" fn(
                *mut c_void,
                *const u8,
                usize,
                *mut *mut c_void,
            ) -> Error>("wasmtime_module_new")(
                engine, wasm.data, wasm.size, &mut module
            );
            self.delete_vec(&mut wasm);
            assert!(err.is_null(), "module_new: {}", self.message(err));

            let mut out = ByteVec::empty();
            let err = self.get::<unsafe extern "C" fn(*mut c_void, *mut ByteVec) -> Error>(
                "wasmtime_module_serialize",
            )(module, &mut out);
            assert!(err.is_null(), "serialize: {}", self.message(err));
            let bytes = std::slice::from_raw_parts(out.data, out.size).to_vec();
            self.delete_vec(&mut out);

            self.get::<unsafe extern "C" fn(*mut c_void)>("wasmtime_module_delete")(module);
            self.get::<unsafe extern "C" fn(*mut c_void)>("wasm_engine_delete")(engine);
            bytes
        }
    }
}
