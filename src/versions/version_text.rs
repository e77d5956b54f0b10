//! The texts in which a libwasmtime file names its exact version, for builds
//! that leave out the symbol naming it (`resolve_vmctx_memory_ptr_X_Y_Z`,
//! Wasmtime's debug builtins, absent from minimal builds).
//!
//! ## The internal-bug message (45 and later)
//!
//! Wasmtime's `WasmtimeBug` message (`crates/wasmtime/src/runtime/bug.rs`,
//! since 45) formats `env!("CARGO_PKG_VERSION")` of the `wasmtime` crate
//! between two fixed lines; the compiler folds the constant into the
//! format string, so the file's read-only data holds
//! `"\nversion: 48.0.0\n\nThis is a bug in Wasmtime"` in one piece.
//!
//! Measured (`.rodata` of every library the tests use): exactly one such
//! text, naming the version the library's exported symbol names where it
//! has one, in the official builds of 45.0.0, 46.0.1, 47.0.1 (47.0.0, as
//! its symbol), 48.0.0, 49.0.0 and 50.0.1 (50.0.0, as its symbol) and in
//! the minimal, compiler-only and run-only builds of 48.0.0 and 50.0.1
//! (48.0.0 and 50.0.1, the `wasmtime` crate their lock files pin); none in
//! the official builds of 36 to 44, which export the symbol.

use super::ByMajor;

/// What comes right before the version.
pub(crate) const BEFORE: &[u8] = b"\nversion: ";
/// What comes right after it.
pub(crate) const AFTER: &[u8] = b"\n\nThis is a bug in Wasmtime";

/// The majors whose builds carry the text: a text naming another major is
/// not taken for a version.
pub(crate) const CARRIED: ByMajor<()> = ByMajor(&[(45..=50, ())]);

/// The second text: the source paths of the `wasmtime` crate in the panic
/// locations (`core::panic::Location`, file, line and column of every
/// `unwrap`, `expect`, index and `panic!`) that rustc compiles into the
/// read-only data, stripped builds and `panic = "abort"` included. Cargo
/// unpacks a crates.io package into a directory named after its version,
/// so a library built from crates.io `wasmtime-c-api-impl` holds
/// `.../index.crates.io-.../wasmtime-36.0.0/src/engine.rs` and the like,
/// whatever its major.
///
/// Measured (`.rodata` of every library the tests use): 51 to 78 such
/// paths, each naming the version of the `wasmtime` crate the builder's
/// lock file pins, in the minimal and compiler-only builds of 36.0.0 and
/// in the minimal, compiler-only and run-only builds of 48.0.0 and 50.0.1;
/// none in the official builds of 36 to 50 (built from Wasmtime's
/// repository: `crates/wasmtime/src/...`), which export the symbol. A
/// build from a git checkout, or with its paths remapped, has none either:
/// its version is then probed.
///
/// What comes right before the version. Other crates of the release
/// (`wasmtime-environ-36.0.0/`, `wasmtime-internal-...`) start alike and are
/// passed over: only digits follow this in the `wasmtime` crate's paths.
pub(crate) const SOURCE_BEFORE: &[u8] = b"/wasmtime-";
/// What comes right after it.
pub(crate) const SOURCE_AFTER: &[u8] = b"/src/";
