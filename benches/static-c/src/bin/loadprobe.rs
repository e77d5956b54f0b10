//! `loadprobe <mode> [library]`: one process start for the load-time
//! comparison of `cargo xtask bench`, which runs it many times per mode and
//! compares the medians of the whole process's wall time.
//!
//! - `exit`: nothing (the cost of starting this process);
//! - `dlopen <library>`: a bare `dlopen(RTLD_NOW | RTLD_LOCAL)`, what any
//!   loader must do at least;
//! - `open <library>`: `wasmtime_dyn::Wasmtime::open`, the same `dlopen`
//!   plus resolving every function table, the value layout and the version.
//!
//! This binary does not link libwasmtime (it uses none of the linked
//! declarations, and the linker drops unused libraries), so each mode starts
//! from a process without it.

#![deny(unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;

fn main() {
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    let mode = args.first().and_then(|m| m.to_str()).unwrap_or("");
    match (mode, args.get(1)) {
        ("exit", _) => {}
        ("dlopen", Some(path)) => {
            let path = CString::new(path.as_bytes()).expect("a path without NUL");
            // SAFETY: the benchmark library is a Wasmtime C API library
            // whose initializers are sound to run; it stays open until exit.
            let handle = unsafe { libc::dlopen(path.as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL) };
            assert!(!handle.is_null(), "dlopen failed");
        }
        ("open", Some(path)) => {
            // SAFETY: as above.
            let wasmtime =
                unsafe { wasmtime_dyn::Wasmtime::open(path) }.unwrap_or_else(|e| panic!("{e}"));
            std::hint::black_box(wasmtime);
        }
        _ => {
            eprintln!("usage: loadprobe <exit | dlopen <library> | open <library>>");
            std::process::exit(2);
        }
    }
}
