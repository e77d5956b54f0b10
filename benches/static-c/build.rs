//! Links the static baseline against the full library's directory when
//! `WASMTIME_DYN_TEST_FULL` names it (as `cargo xtask bench` does): the
//! directory goes on the link search path and into the run-time search path
//! (rpath), and the cfg `wasmtime_static` turns the linked code on. Without
//! the library the package builds with the baseline left out.

use std::path::Path;

const VAR: &str = "WASMTIME_DYN_TEST_FULL";

fn main() {
    println!("cargo::rustc-check-cfg=cfg(wasmtime_static)");
    println!("cargo::rerun-if-env-changed={VAR}");
    let Some(lib) = std::env::var_os(VAR) else {
        println!(
            "cargo::warning={VAR} is not set: the static C baseline is left out (`cargo xtask bench` sets it)"
        );
        return;
    };
    let lib = Path::new(&lib);
    let file_name_ok = lib.file_name().is_some_and(|n| n == "libwasmtime.so");
    if !lib.is_file() || !file_name_ok {
        println!(
            "cargo::warning={VAR}={} is not an existing libwasmtime.so: the static C baseline is left out",
            lib.display()
        );
        return;
    }
    let lib = lib.canonicalize().expect("canonicalizing an existing file");
    let dir = lib.parent().expect("a file has a parent directory");
    println!("cargo::rerun-if-changed={}", lib.display());
    println!("cargo::rustc-link-search=native={}", dir.display());
    println!("cargo::rustc-link-arg=-Wl,-rpath,{}", dir.display());
    println!("cargo::rustc-env=BENCH_STATIC_C_LINKED={}", lib.display());
    println!("cargo::rustc-cfg=wasmtime_static");
}
