//! `Wasmtime::load` and the environment variable WASMTIME_DYN_LIB. One test
//! in its own process, since it changes the environment.

mod common;

use common::{round_has, Flavour};
use wasmtime_dyn::{LoadError, Origin, Wasmtime, ENV_VAR};

fn load_with(value: &std::path::Path) -> Result<&'static Wasmtime, LoadError> {
    std::env::set_var(ENV_VAR, value);
    // SAFETY: each value below is a real Wasmtime library or a path the
    // loader refuses before running anything foreign but libc's.
    unsafe { Wasmtime::load() }
}

#[test]
fn environment_variable() {
    if !round_has(Flavour::Min) {
        return;
    }
    // A library file.
    let full = Flavour::Full.path();
    let loaded = load_with(&full).unwrap();
    assert!(std::ptr::eq(loaded, Flavour::Full.load()));

    // A directory holding libwasmtime.so.
    let min = Flavour::Min.path();
    let loaded = load_with(min.parent().unwrap()).unwrap();
    assert!(std::ptr::eq(loaded, Flavour::Min.load()));

    // A directory holding the library under the PyPI wheel's name.
    let wheel_dir = std::env::temp_dir().join(format!("wasmtime-dyn-wheel-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&wheel_dir);
    std::fs::create_dir_all(&wheel_dir).unwrap();
    std::os::unix::fs::symlink(&full, wheel_dir.join("_libwasmtime.so")).unwrap();
    let loaded = load_with(&wheel_dir).unwrap();
    assert!(std::ptr::eq(loaded, Flavour::Full.load()));
    std::fs::remove_dir_all(&wheel_dir).unwrap();

    // Bad paths say the variable was their source.
    let missing = std::path::Path::new("/nonexistent/libwasmtime.so");
    let err = load_with(missing).unwrap_err();
    assert!(
        matches!(
            &err,
            LoadError::NotFound {
                origin: Origin::EnvVar,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("environment variable WASMTIME_DYN_LIB"),
        "{err}"
    );

    let err = load_with(std::path::Path::new("/lib/x86_64-linux-gnu/libc.so.6")).unwrap_err();
    assert!(
        matches!(
            &err,
            LoadError::NotWasmtime {
                origin: Origin::EnvVar,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("WASMTIME_DYN_LIB"), "{err}");

    // A directory without the library.
    let err = load_with(&std::env::temp_dir()).unwrap_err();
    assert!(
        matches!(
            &err,
            LoadError::NotFound {
                origin: Origin::EnvVar,
                ..
            }
        ),
        "{err:?}"
    );

    // Without the variable, the system search; none of the test libraries
    // is on the search path, so every candidate tried is reported.
    std::env::remove_var(ENV_VAR);
    // SAFETY: only a library named libwasmtime.so could be found.
    match unsafe { Wasmtime::load() } {
        Err(LoadError::NoLibrary { tried }) => {
            assert_eq!(tried.len(), 1);
            assert!(matches!(
                tried[0],
                LoadError::Open {
                    origin: Origin::SystemSearch,
                    ..
                }
            ));
        }
        Err(other) => panic!("expected NoLibrary, got {other:?}"),
        Ok(found) => assert!(found.path().ends_with("libwasmtime.so")),
    }
}
