//! Load the Wasmtime C API shared library (libwasmtime) at run time.
//!
//! One compiled binary works with whatever libwasmtime is installed: the
//! full release build, the minimal build that only runs precompiled `.cwasm`
//! files, or any custom build in between. The library's functions are
//! resolved once into tables of plain function pointers; optional features
//! are reported as [`Capabilities`] and their tables are `Option`s.
//!
//! Layers, from the bottom:
//! - [`sys`]: bindings generated from the vendored C API headers, and the
//!   function tables;
//! - the loader: [`Wasmtime`], which opens a library and never unloads it.
//!
//! ```no_run
//! use wasmtime_dyn::Wasmtime;
//! // SAFETY: WASMTIME_DYN_LIB names a Wasmtime C API library.
//! let wasmtime = unsafe { Wasmtime::load() }?;
//! println!("Wasmtime {:?} with {}", wasmtime.version(), wasmtime.capabilities());
//! # Ok::<(), wasmtime_dyn::LoadError>(())
//! ```

#![warn(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]

mod capability;
mod loader;
pub mod sys;

pub use capability::{Capabilities, Capability, Iter as CapabilitiesIter, UndetectableFeature};
pub use loader::{LoadError, Origin, ValAbi, Version, Wasmtime};

/// The Wasmtime version whose C API headers the bindings were generated from.
pub const WASMTIME_VERSION: &str = "48.0.0";

/// The major version libraries must have to be loaded.
pub const BINDINGS_MAJOR: u32 = 48;

/// The environment variable [`Wasmtime::load`] reads: a library file, or a
/// directory holding the platform's standard library name.
pub const ENV_VAR: &str = "WASMTIME_DYN_LIB";
