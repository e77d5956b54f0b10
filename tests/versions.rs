//! Across Wasmtime majors: libraries outside the supported window are
//! refused before any of their code runs, two majors work side by side in
//! one process, and nothing of one is accepted by the other.

mod common;

use wasmtime_dyn::wasi::{DirPerms, WasiConfig};
use wasmtime_dyn::{
    precompile_for, Engine, ErrorKind, LoadError, Module, Store, Trap, TypedFunc, Wasmtime,
    SUPPORTED_MAJORS,
};

const ADD: &str = r#"(module (func (export "add") (param i32 i32) (result i32)
    local.get 0 local.get 1 i32.add))"#;

/// A copy of the official `from` library whose version symbols
/// (`resolve_vmctx_memory_ptr_X_Y_Z`, `set_vmctx_memory_X_Y_Z`, the
/// loader's marker) name `to` instead: the same length, so the file stays
/// valid.
fn renamed_copy(from: (u32, &str), to: &str) -> std::path::PathBuf {
    let mut bytes = std::fs::read(common::library("full", from.0)).unwrap();
    let old = from.1.replace('.', "_");
    let new = to.replace('.', "_");
    assert_eq!(old.len(), new.len());
    let mut renamed = 0;
    for prefix in ["resolve_vmctx_memory_ptr_", "set_vmctx_memory_"] {
        let needle = format!("{prefix}{old}\0").into_bytes();
        let replacement = format!("{prefix}{new}\0").into_bytes();
        let mut at = 0;
        while let Some(i) = bytes[at..]
            .windows(needle.len())
            .position(|w| w == needle.as_slice())
        {
            let i = at + i;
            bytes[i..i + needle.len()].copy_from_slice(&replacement);
            renamed += 1;
            at = i + needle.len();
        }
    }
    assert!(renamed > 0, "no version symbol of {} found", from.1);
    let dir =
        std::env::temp_dir().join(format!("wasmtime-dyn-versions-{}-{to}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("libwasmtime.so");
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn majors_outside_the_window_are_refused_naming_version_and_range() {
    assert_eq!(SUPPORTED_MAJORS, 36..=50);
    // A 35.0.0 made of the 36 LTS library, and a major after the window
    // made of the 50 one (50.0.1's runtime crate, whose version the symbols
    // carry, is 50.0.0).
    for (from, found) in [((36, "36.0.0"), "35.0.0"), ((50, "50.0.0"), "51.0.0")] {
        let path = renamed_copy(from, found);
        // SAFETY: refused from its exports before it is loaded.
        let err = unsafe { Wasmtime::open(&path) }.unwrap_err();
        std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
        let LoadError::UnsupportedVersion {
            found: version,
            supported,
            ..
        } = &err
        else {
            panic!("{found}: expected UnsupportedVersion, got {err:?}");
        };
        assert_eq!(version, found);
        assert_eq!(*supported, SUPPORTED_MAJORS);
        let message = err.to_string();
        assert!(
            message.contains(found) && message.contains("36.x to 50.x"),
            "{message}"
        );
        assert!(message.contains(path.to_str().unwrap()), "{message}");
    }
}

/// Every major of the window opens, the 36 LTS included, and reports its
/// own version.
#[test]
fn every_major_of_the_window_opens() {
    for major in SUPPORTED_MAJORS {
        let path = common::library("full", major);
        // SAFETY: an official library of a supported major.
        let wasmtime = unsafe { Wasmtime::open(&path) }.unwrap_or_else(|e| panic!("{major}: {e}"));
        assert_eq!(wasmtime.version().major(), major);
    }
}

#[test]
fn a_refused_library_never_runs_and_the_loaded_one_keeps_trapping() {
    // The refusal comes from the file's symbol table: the library is never
    // handed to the system loader, so none of its code (signal handlers
    // included) runs, and traps in the loaded library still work.
    let full = common::load_library("full", 48);
    let engine = Engine::default_for(full).unwrap();
    let module = Module::new(&engine, r#"(module (func (export "t") unreachable))"#).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = wasmtime_dyn::Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let trap = instance.get_typed_func::<(), ()>(&mut store, "t").unwrap();
    let err = trap.call(&mut store, ()).unwrap_err();
    assert_eq!(
        common::trap(&err),
        Some(Trap::UnreachableCodeReached),
        "{err:?}"
    );
    let old = renamed_copy((44, "44.0.0"), "34.0.0");
    assert!(!loaded_objects().contains(old.to_str().unwrap()));
    // SAFETY: refused before it is loaded.
    assert!(unsafe { Wasmtime::open(&old) }.is_err());
    assert!(
        !loaded_objects().contains(old.to_str().unwrap()),
        "the refused library was mapped into the process"
    );
    std::fs::remove_dir_all(old.parent().unwrap()).unwrap();
    let err = trap.call(&mut store, ()).unwrap_err();
    assert_eq!(
        common::trap(&err),
        Some(Trap::UnreachableCodeReached),
        "{err:?}"
    );
}

/// The files mapped into this process.
fn loaded_objects() -> String {
    std::fs::read_to_string("/proc/self/maps").expect("reading /proc/self/maps")
}

fn add_on(wasmtime: &'static Wasmtime) -> (Store<()>, TypedFunc<(i32, i32), i32>) {
    let engine = Engine::default_for(wasmtime).unwrap();
    let module = Module::new(&engine, ADD).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = wasmtime_dyn::Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let add = instance.get_typed_func(&mut store, "add").unwrap();
    (store, add)
}

#[test]
fn two_majors_in_one_process_each_work_and_refuse_each_other() {
    let w48 = common::load_library("full", 48);
    let w50 = common::load_library("full", 50);
    assert_eq!(w48.version().major(), 48);
    assert_eq!(w50.version().major(), 50);
    let (mut s48, add48) = add_on(w48);
    let (mut s50, add50) = add_on(w50);
    for i in 0..100 {
        assert_eq!(add48.call(&mut s48, (i, 1)).unwrap(), i + 1);
        assert_eq!(add50.call(&mut s50, (i, 2)).unwrap(), i + 2);
    }
    // A function of one used with the store of the other: an error.
    assert!(add48.call(&mut s50, (1, 2)).is_err());
    assert!(add50.call(&mut s48, (1, 2)).is_err());
    // A module of one cannot be instantiated in the other.
    let engine48 = Engine::default_for(w48).unwrap();
    let module48 = Module::new(&engine48, ADD).unwrap();
    let engine50 = Engine::default_for(w50).unwrap();
    let mut store50 = Store::new(&engine50, ());
    assert!(wasmtime_dyn::Linker::new(&engine50)
        .instantiate(&mut store50, &module48)
        .is_err());
    // An artifact of one is refused by the other, with the reason.
    let cwasm48 = engine48
        .compiler()
        .unwrap()
        .precompile(&engine48.wat().unwrap().to_wasm(ADD).unwrap());
    let cwasm48 = cwasm48.unwrap();
    // SAFETY: a real artifact, refused by its version header.
    let err = unsafe { Module::deserialize(&engine50, &cwasm48) }.unwrap_err();
    assert!(err.to_string().contains("version"), "{err}");
}

#[test]
fn precompile_for_another_major_is_refused_with_the_reason() {
    let w48 = common::load_library("full", 48);
    let min50 = common::load_library("min", 50);
    let err = precompile_for(w48, min50, ADD).unwrap_err();
    let message = err.to_string();
    assert!(
        matches!(common::kind(&err), Some(ErrorKind::IncompatibleArtifact(_))),
        "{err:?}"
    );
    assert!(
        message.contains("Wasmtime 48.0.0") && message.contains("its own major"),
        "{message}"
    );
    // The same major is fine, and the artifact runs there.
    let min48 = common::load_library("min", 48);
    let cwasm = precompile_for(w48, min48, ADD).unwrap();
    let engine = Engine::default_for(min48).unwrap();
    // SAFETY: the artifact was just made by the official 48 library.
    let module = unsafe { Module::deserialize(&engine, &cwasm) }.unwrap();
    let mut store = Store::new(&engine, ());
    let instance = wasmtime_dyn::Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let add = instance
        .get_typed_func::<(i32, i32), i32>(&mut store, "add")
        .unwrap();
    assert_eq!(add.call(&mut store, (40, 2)).unwrap(), 42);
}

/// A WASI program that creates `/dir/new.txt` and writes "hi" into it; its
/// `_start` exits with the errno of `path_open` (0 on success).
const CREATE_FILE: &str = r#"(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "new.txt")
  (func (export "_start")
    ;; fd 3 is the first preopen; O_CREAT = 1; rights: write (0x40)
    (call $exit (call $path_open (i32.const 3) (i32.const 0) (i32.const 16) (i32.const 7)
      (i32.const 1) (i64.const 0x40) (i64.const 0) (i32.const 0) (i32.const 64)))))"#;

#[test]
fn preopened_directories_read_only_and_read_write_on_every_major() {
    // 45 to 47 take permission flags, 48 and later one bool: each library
    // is called with its own signature.
    for major in SUPPORTED_MAJORS {
        let wasmtime = common::load_library("full", major);
        for perms in [DirPerms::ReadOnly, DirPerms::ReadWrite] {
            let dir = std::env::temp_dir().join(format!(
                "wasmtime-dyn-preopen-{major}-{perms:?}-{}",
                std::process::id()
            ));
            std::fs::create_dir_all(&dir).unwrap();
            let engine = Engine::default_for(wasmtime).unwrap();
            let module = Module::new(&engine, CREATE_FILE).unwrap();
            let mut linker = wasmtime_dyn::Linker::new(&engine);
            linker.define_wasi().unwrap();
            let mut store = Store::new(&engine, ());
            let mut config = WasiConfig::new();
            config.preopen_dir(&dir, "/dir", perms);
            store.set_wasi(&config).unwrap();
            let instance = linker.instantiate(&mut store, &module).unwrap();
            let start = instance
                .get_typed_func::<(), ()>(&mut store, "_start")
                .unwrap();
            let result = start.call(&mut store, ());
            let status = match result.as_ref().err().and_then(common::kind) {
                Some(ErrorKind::Exit(status)) => *status,
                _ => panic!("{major} {perms:?}: expected an exit, got {result:?}"),
            };
            let created = dir.join("new.txt").exists();
            std::fs::remove_dir_all(&dir).unwrap();
            match perms {
                DirPerms::ReadWrite => {
                    assert_eq!(status, 0, "{major}: creating in a writable preopen");
                    assert!(created, "{major}: the file was not created");
                }
                _ => {
                    assert_ne!(status, 0, "{major}: a read-only preopen allowed creating");
                    assert!(!created, "{major}: a read-only preopen was written");
                }
            }
        }
    }
}

/// The value layout of every major 36 to 50 (`ValAbi::of_major`, from
/// `versions::VAL_LAYOUT`), checked on each official library through its
/// raw tables (36 to 44 are outside the window `Wasmtime::open` accepts):
/// a multi-value call `(i64, i32) -> (i64, i32, f64, i32)` and an
/// externref round trip through `wasmtime_func_call`, with arrays of the
/// generated type of that layout (`sys::val_v36` for 36, `sys::types`
/// otherwise). On 36 the wide layout is also tried, and must read
/// something else: the layout is what makes the answer right.
#[test]
fn every_major_since_36_calls_with_its_value_layout() {
    use std::ffi::c_void;
    use wasmtime_dyn::sys::tables::Tables;
    use wasmtime_dyn::sys::{types as c, val_v36};
    use wasmtime_dyn::ValAbi;

    const WAT: &str = r#"(module
        (func (export "multi") (param i64 i32) (result i64 i32 f64 i32)
            local.get 0 local.get 1 f64.const 2.5 i32.const -1)
        (func (export "id") (param externref) (result externref) local.get 0))"#;

    /// A value array in the layout of `abi`, read and written by index.
    trait Slot: Copy {
        fn new(kind: u32, bits: u64, externref: Option<c::wasmtime_externref_t>) -> Self;
        fn kind(&self) -> u8;
        fn i64(&self) -> i64;
        fn i32(&self) -> i32;
        fn f64(&self) -> f64;
        /// The externref's store id and first private word.
        fn externref(&self) -> (u64, u32);
    }
    macro_rules! slot {
        ($ty:ty, $ext:ty) => {
            impl Slot for $ty {
                fn new(kind: u32, bits: u64, externref: Option<c::wasmtime_externref_t>) -> Self {
                    // SAFETY: all-zero is a valid value of the plain C type.
                    let mut v: $ty = unsafe { std::mem::zeroed() };
                    v.kind = kind as u8;
                    match externref {
                        Some(r) => {
                            v.of.externref = <$ext>::from_wide(r);
                        }
                        None => v.of.i64_ = bits as i64,
                    }
                    v
                }
                fn kind(&self) -> u8 {
                    self.kind
                }
                fn i64(&self) -> i64 {
                    // SAFETY: every bit pattern is an i64.
                    unsafe { self.of.i64_ }
                }
                fn i32(&self) -> i32 {
                    // SAFETY: every bit pattern is an i32.
                    unsafe { self.of.i32_ }
                }
                fn f64(&self) -> f64 {
                    // SAFETY: every bit pattern is an f64.
                    unsafe { self.of.f64_ }
                }
                fn externref(&self) -> (u64, u32) {
                    // SAFETY: plain integers.
                    unsafe { (self.of.externref.store_id, self.of.externref.__private1) }
                }
            }
        };
    }
    trait FromWide {
        fn from_wide(r: c::wasmtime_externref_t) -> Self;
    }
    impl FromWide for c::wasmtime_externref_t {
        fn from_wide(r: c::wasmtime_externref_t) -> Self {
            r
        }
    }
    impl FromWide for val_v36::wasmtime_externref_t {
        fn from_wide(r: c::wasmtime_externref_t) -> Self {
            val_v36::wasmtime_externref_t {
                store_id: r.store_id,
                __private1: r.__private1,
                __private2: r.__private2,
            }
        }
    }
    slot!(c::wasmtime_val_t, c::wasmtime_externref_t);
    slot!(val_v36::wasmtime_val_t, val_v36::wasmtime_externref_t);

    /// Runs both functions with values of layout `S`; returns the results.
    ///
    /// # Safety
    ///
    /// The tables are the library's, loaded for its major.
    unsafe fn run<S: Slot>(
        t: &Tables,
        cx: *mut c::wasmtime_context_t,
        multi: &c::wasmtime_func_t,
        id: &c::wasmtime_func_t,
        data: *mut c_void,
    ) -> (Vec<S>, Vec<S>, c::wasmtime_externref_t) {
        let core = &t.core;
        let gc = t.gc.as_ref().expect("the official libraries have GC");
        let args = [
            S::new(c::WASMTIME_I64, (-5i64) as u64, None),
            S::new(c::WASMTIME_I32, 7, None),
        ];
        let mut outs = [S::new(c::WASMTIME_I32, 0, None); 4];
        let mut trap = std::ptr::null_mut();
        // SAFETY: live context and function; arrays of the layout under test.
        let error = unsafe {
            (core.wasmtime_func_call)(
                cx,
                multi,
                args.as_ptr().cast(),
                2,
                outs.as_mut_ptr().cast(),
                4,
                &mut trap,
            )
        };
        assert!(error.is_null() && trap.is_null(), "the call failed");
        // SAFETY: all-zero is a valid value of the plain C type.
        let mut r: c::wasmtime_externref_t = unsafe { std::mem::zeroed() };
        // SAFETY: live context; `r` has room (16 bytes are written on 36).
        assert!(unsafe { (gc.wasmtime_externref_new)(cx, data, None, &mut r) });
        let args = [S::new(c::WASMTIME_EXTERNREF, 0, Some(r))];
        let mut back = [S::new(c::WASMTIME_I32, 0, None)];
        // SAFETY: as above.
        let error = unsafe {
            (core.wasmtime_func_call)(
                cx,
                id,
                args.as_ptr().cast(),
                1,
                back.as_mut_ptr().cast(),
                1,
                &mut trap,
            )
        };
        assert!(
            error.is_null() && trap.is_null(),
            "the externref call failed"
        );
        (outs.to_vec(), back.to_vec(), r)
    }

    for major in 36..=50 {
        let path = common::library("full", major);
        // SAFETY: an official Wasmtime library; leaked, never unloaded.
        let library = Box::leak(Box::new(
            unsafe { libloading::Library::new(&path) }.unwrap(),
        ));
        let mut resolve = |name: &std::ffi::CStr| -> *const c_void {
            // SAFETY: the address is the library's function of that name.
            unsafe { library.get::<*const c_void>(name.to_bytes_with_nul()) }
                .map(|s| *s)
                .unwrap_or(std::ptr::null())
        };
        // SAFETY: the library is of major `major`.
        let (t, _) = unsafe { Tables::load(&mut resolve, major) }.unwrap();
        let abi = ValAbi::of_major(major, t.gc.is_some()).unwrap();
        let core = &t.core;
        // SAFETY: the raw C API, used as its headers say: every object is
        // made here and only used while alive (they are leaked at the end).
        unsafe {
            let engine = (core.wasm_engine_new)();
            let store = (core.wasmtime_store_new)(engine, std::ptr::null_mut(), None);
            let cx = (core.wasmtime_store_context)(store);
            let mut wasm = c::wasm_byte_vec_t {
                size: 0,
                data: std::ptr::null_mut(),
            };
            let wat = t.wat.as_ref().unwrap();
            assert!((wat.wasmtime_wat2wasm)(WAT.as_ptr().cast(), WAT.len(), &mut wasm).is_null());
            let mut module = std::ptr::null_mut();
            let compiler = t.compiler.as_ref().unwrap();
            let error =
                (compiler.wasmtime_module_new)(engine, wasm.data.cast(), wasm.size, &mut module);
            assert!(error.is_null(), "{major}: module");
            let mut instance = std::mem::zeroed();
            let mut trap = std::ptr::null_mut();
            let error = (core.wasmtime_instance_new)(
                cx,
                module,
                std::ptr::null(),
                0,
                &mut instance,
                &mut trap,
            );
            assert!(error.is_null() && trap.is_null(), "{major}: instance");
            let export = |name: &str| {
                let mut item: c::wasmtime_extern_t = std::mem::zeroed();
                assert!((core.wasmtime_instance_export_get)(
                    cx,
                    &instance,
                    name.as_ptr().cast(),
                    name.len(),
                    &mut item
                ));
                item.of.func
            };
            let (multi, id) = (export("multi"), export("id"));
            let data = Box::into_raw(Box::new(0xdead_beef_u32)).cast::<c_void>();
            let gc = t.gc.as_ref().unwrap();
            let check = |kinds: Vec<u8>, i64_: i64, i32_: i32, f64_: f64, i32b: i32| {
                assert_eq!(kinds, [1, 0, 3, 0], "{major} ({abi}): result kinds");
                assert_eq!(
                    (i64_, i32_, f64_, i32b),
                    (-5, 7, 2.5, -1),
                    "{major} ({abi})"
                );
            };
            match abi {
                ValAbi::V36 => {
                    assert_eq!(major, 36);
                    let (outs, back, r) = run::<val_v36::wasmtime_val_t>(&t, cx, &multi, &id, data);
                    check(
                        outs.iter().map(Slot::kind).collect(),
                        outs[0].i64(),
                        outs[1].i32(),
                        outs[2].f64(),
                        outs[3].i32(),
                    );
                    assert_eq!(back[0].kind(), c::WASMTIME_EXTERNREF as u8);
                    let (store_id, _) = back[0].externref();
                    assert_eq!(store_id, r.store_id, "36: the externref's store");
                    let wide = c::wasmtime_externref_t {
                        store_id,
                        __private1: back[0].externref().1,
                        // SAFETY: plain integer.
                        __private2: back[0].of.externref.__private2,
                        __private3: std::ptr::null_mut(),
                    };
                    assert_eq!(
                        (gc.wasmtime_externref_data)(cx, &wide),
                        data,
                        "36: externref data"
                    );
                    // The wide layout reads 36's results wrong.
                    let (wrong, _, _) = run::<c::wasmtime_val_t>(&t, cx, &multi, &id, data);
                    let kinds: Vec<u8> = wrong.iter().map(Slot::kind).collect();
                    assert_ne!(kinds, [1, 0, 3, 0], "36 read with the wide layout");
                    eprintln!("36: with the wide layout the result kinds read {kinds:?}");
                }
                ValAbi::Gc => {
                    let (outs, back, r) = run::<c::wasmtime_val_t>(&t, cx, &multi, &id, data);
                    check(
                        outs.iter().map(Slot::kind).collect(),
                        outs[0].i64(),
                        outs[1].i32(),
                        outs[2].f64(),
                        outs[3].i32(),
                    );
                    assert_eq!(back[0].kind(), c::WASMTIME_EXTERNREF as u8);
                    assert_eq!(
                        back[0].externref().0,
                        r.store_id,
                        "{major}: the externref's store"
                    );
                    // SAFETY: written by the call.
                    let back_ref = back[0].of.externref;
                    assert_eq!((gc.wasmtime_externref_data)(cx, &back_ref), data, "{major}");
                }
                ValAbi::NoGc => panic!("{major}: the official library has GC"),
            }
            eprintln!("{major}: {abi}: multi-value and externref calls right");
        }
    }
}

/// Trap codes across every major 36 to 50, on each official library
/// through its raw tables: unreachable, division by zero and out of fuel
/// (an engine with fuel, a store with 10,000 units, an endless loop), each
/// decoded with `Trap::from_library_code` (the per-major numbering of
/// `versions::traps`) to the same trap as on 50. The raw codes are printed:
/// out of fuel is 12 on 36 to 41 and 11 from 42. Then the functions whose
/// signature changed (`wasmtime_memorytype_new`, `wasmtime_val_clone` and
/// `_unroot`, `wasmtime_context_gc`) are called through the table of the
/// major's signature.
#[test]
fn every_major_since_36_reports_the_same_traps() {
    use std::ffi::c_void;
    use wasmtime_dyn::sys::tables::Tables;
    use wasmtime_dyn::sys::types as c;

    const WAT: &str = r#"(module
        (func (export "unreachable") unreachable)
        (func (export "div") (result i32) i32.const 1 i32.const 0 i32.div_s)
        (func (export "spin") (loop br 0)))"#;
    let expected = [
        ("unreachable", Trap::UnreachableCodeReached),
        ("div", Trap::IntegerDivisionByZero),
        ("spin", Trap::OutOfFuel),
    ];
    let mut raw_codes = Vec::new();
    for major in 36..=50 {
        let path = common::library("full", major);
        // SAFETY: an official Wasmtime library; leaked, never unloaded.
        let library = Box::leak(Box::new(
            unsafe { libloading::Library::new(&path) }.unwrap(),
        ));
        let mut resolve = |name: &std::ffi::CStr| -> *const c_void {
            // SAFETY: the address is the library's function of that name.
            unsafe { library.get::<*const c_void>(name.to_bytes_with_nul()) }
                .map(|s| *s)
                .unwrap_or(std::ptr::null())
        };
        // SAFETY: the library is of major `major`.
        let (t, _) = unsafe { Tables::load(&mut resolve, major) }.unwrap();
        let core = &t.core;
        let mut codes = Vec::new();
        // SAFETY: the raw C API, used as its headers say: every object is
        // made here and only used while alive (they are leaked at the end).
        unsafe {
            let config = (core.wasm_config_new)();
            (core.wasmtime_config_consume_fuel_set)(config, true);
            let engine = (core.wasm_engine_new_with_config)(config);
            let store = (core.wasmtime_store_new)(engine, std::ptr::null_mut(), None);
            let cx = (core.wasmtime_store_context)(store);
            assert!((core.wasmtime_context_set_fuel)(cx, 10_000).is_null());
            let mut wasm = c::wasm_byte_vec_t {
                size: 0,
                data: std::ptr::null_mut(),
            };
            let wat = t.wat.as_ref().unwrap();
            assert!((wat.wasmtime_wat2wasm)(WAT.as_ptr().cast(), WAT.len(), &mut wasm).is_null());
            let mut module = std::ptr::null_mut();
            let compiler = t.compiler.as_ref().unwrap();
            let error =
                (compiler.wasmtime_module_new)(engine, wasm.data.cast(), wasm.size, &mut module);
            assert!(error.is_null(), "{major}: module");
            let mut instance = std::mem::zeroed();
            let mut trap = std::ptr::null_mut();
            let error = (core.wasmtime_instance_new)(
                cx,
                module,
                std::ptr::null(),
                0,
                &mut instance,
                &mut trap,
            );
            assert!(error.is_null() && trap.is_null(), "{major}: instance");
            for (name, want) in expected {
                let mut item: c::wasmtime_extern_t = std::mem::zeroed();
                assert!((core.wasmtime_instance_export_get)(
                    cx,
                    &instance,
                    name.as_ptr().cast(),
                    name.len(),
                    &mut item
                ));
                // No arguments; room for one i32 (written in either layout's
                // first bytes, never read).
                let mut out = [0u8; 32];
                let mut trap = std::ptr::null_mut();
                let error = (core.wasmtime_func_call)(
                    cx,
                    &item.of.func,
                    std::ptr::null(),
                    0,
                    out.as_mut_ptr().cast(),
                    usize::from(name == "div"),
                    &mut trap,
                );
                assert!(
                    error.is_null() && !trap.is_null(),
                    "{major}: {name} did not trap"
                );
                let mut code = 0u8;
                assert!(
                    (core.wasmtime_trap_code)(trap, &mut code),
                    "{major}: {name}"
                );
                (core.wasm_trap_delete)(trap);
                assert_eq!(
                    Trap::from_library_code(major, code),
                    want,
                    "{major}: {name} reported code {code}"
                );
                codes.push(code);
            }
            // The functions whose signature changed, through the table of
            // this major's signature (`CoreMemoryType*`, `CoreRoots*`,
            // `GcCollect*`): each is there, and answers.
            let ty = match (&t.core_memory_type, &t.core_memory_type_v36) {
                (Some(new), None) => {
                    let mut ty = std::ptr::null_mut();
                    let error =
                        (new.wasmtime_memorytype_new)(1, true, 2, false, false, 16, &mut ty);
                    assert!(error.is_null(), "{major}: memorytype_new");
                    ty
                }
                (None, Some(old)) => (old.wasmtime_memorytype_new)(1, true, 2, false, false),
                other => panic!(
                    "{major}: memorytype_new tables {:?}",
                    (other.0.is_some(), other.1.is_some())
                ),
            };
            let mut max = 0;
            assert_eq!((core.wasmtime_memorytype_minimum)(ty), 1, "{major}");
            assert!(
                (core.wasmtime_memorytype_maximum)(ty, &mut max) && max == 2,
                "{major}"
            );
            (core.wasm_memorytype_delete)(ty);
            let mut src: c::wasmtime_val_t = std::mem::zeroed();
            src.kind = c::WASMTIME_I64 as u8;
            src.of.i64_ = -42;
            let mut dst: c::wasmtime_val_t = std::mem::zeroed();
            match (&t.core_roots, &t.core_roots_v36) {
                (Some(new), None) => {
                    (new.wasmtime_val_clone)(&src, &mut dst);
                    (new.wasmtime_val_unroot)(&mut dst);
                }
                (None, Some(old)) => {
                    (old.wasmtime_val_clone)(cx, &src, &mut dst);
                    (old.wasmtime_val_unroot)(cx, &mut dst);
                }
                _ => panic!("{major}: val_clone tables"),
            }
            assert_eq!(
                (dst.kind, dst.of.i64_),
                (c::WASMTIME_I64 as u8, -42),
                "{major}"
            );
            if let Some(v44) = &t.core_gc_types_v44 {
                // 44's 2-byte field types: an i32 and a packed i8.
                use wasmtime_dyn::sys::fns_v44::{wasmtime_field_type_t, WASMTIME_STORAGE_KIND_I8};
                let fields = [
                    wasmtime_field_type_t {
                        kind: c::WASMTIME_I32 as u8,
                        mutable_: true,
                    },
                    wasmtime_field_type_t {
                        kind: WASMTIME_STORAGE_KIND_I8 as u8,
                        mutable_: false,
                    },
                ];
                let ty = (v44.wasmtime_struct_type_new)(engine, fields.as_ptr(), 2);
                assert!(!ty.is_null(), "44: struct_type_new");
                (t.core_since_44
                    .as_ref()
                    .unwrap()
                    .wasmtime_struct_type_delete)(ty);
                let ty = (v44.wasmtime_array_type_new)(engine, &fields[1]);
                assert!(!ty.is_null(), "44: array_type_new");
                (t.core_since_44.as_ref().unwrap().wasmtime_array_type_delete)(ty);
            }
            assert_eq!(t.core_gc_types_v44.is_some(), major == 44);
            match (&t.gc_collect, &t.gc_collect_v36) {
                (Some(new), None) => assert!((new.wasmtime_context_gc)(cx).is_null(), "{major}"),
                (None, Some(old)) => (old.wasmtime_context_gc)(cx),
                _ => panic!("{major}: context_gc tables"),
            }
        }
        raw_codes.push((major, codes));
    }
    eprintln!("raw codes (unreachable, division by zero, out of fuel): {raw_codes:?}");
    let fuel = |m: u32| raw_codes.iter().find(|(x, _)| *x == m).unwrap().1[2];
    assert!((36..=41).all(|m| fuel(m) == 12) && (42..=50).all(|m| fuel(m) == 11));
}
