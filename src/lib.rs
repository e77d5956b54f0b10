//! Load the Wasmtime C API shared library (libwasmtime) at run time.
//!
//! One compiled binary works with whatever libwasmtime is installed: the
//! full release build, the minimal build that only runs precompiled `.cwasm`
//! files, or any custom build in between. The library's functions are
//! resolved once into tables of plain function pointers; optional features
//! are reported as [`Capabilities`] and handed out as `Option` handles.
//!
//! Layers, from the bottom:
//! - [`sys`]: bindings generated from the vendored C API headers, and the
//!   function tables;
//! - the loader: [`Wasmtime`], which opens a library and never unloads it;
//! - the embedding API, named after the `wasmtime` crate: [`Engine`],
//!   [`Config`], [`Store`], [`Module`], [`Linker`], [`Instance`], [`Func`],
//!   [`TypedFunc`], [`Caller`], [`Val`], [`Memory`], [`Global`], [`Table`],
//!   [`Trap`], [`Error`].
//!
//! ```no_run
//! use wasmtime_dyn::{Engine, Linker, Module, Store, Wasmtime};
//! // SAFETY: WASMTIME_DYN_LIB names a Wasmtime C API library.
//! let wasmtime = unsafe { Wasmtime::load() }?;
//! let engine = Engine::default_for(wasmtime)?;
//! let module = Module::new(&engine, r#"(module (func (export "add") (param i32 i32) (result i32)
//!     local.get 0 local.get 1 i32.add))"#)?;
//! let mut store = Store::new(&engine, ());
//! let instance = Linker::new(&engine).instantiate(&mut store, &module)?;
//! let add = instance.get_typed_func::<(i32, i32), i32>(&mut store, "add")?;
//! assert_eq!(add.call(&mut store, (40, 2))?, 42);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]

mod cache;
mod capability;
mod compiler;
mod config;
mod config_rules;
pub mod cwasm;
mod engine;
mod error;
mod func;
mod global;
mod instance;
mod linker;
mod loader;
mod memory;
mod module;
mod pooling;
mod profiling;
mod shared_memory;
mod store;
pub mod sys;
mod table;
mod trap;
mod typed;
mod types;
mod val;
mod versions;
pub mod wasi;

pub use capability::{Capabilities, Capability, Iter as CapabilitiesIter, UndetectableFeature};
pub use compiler::{precompile_for, Compiler, Wat};
pub use config::{
    CacheConfig, CompilerConfig, Config, GcConfig, OptLevel, ParallelCompilationConfig,
    PoolingAllocatorConfig, Strategy, ThreadsConfig,
};
pub use engine::Engine;
pub use error::{Error, Result};
pub use func::{Func, IntoFunc, WasmRet};
pub use global::Global;
pub use instance::{Extern, Instance};
pub use linker::Linker;
pub use loader::{LoadError, Origin, ValAbi, Version, Wasmtime};
pub use memory::Memory;
pub use module::Module;
pub use pooling::PoolingConfig;
pub use profiling::GuestProfiler;
pub use shared_memory::SharedMemory;
pub use store::{AsContext, AsContextMut, Caller, Store, StoreContext, StoreContextMut};
pub use table::Table;
pub use trap::{FrameInfo, Trap, TrapCode};
pub use typed::{TypedFunc, WasmTy, WasmTyList};
pub use types::{
    ExportType, ExternType, FuncType, GlobalType, ImportType, MemoryType, Mutability, TableType,
    ValType,
};
pub use val::{ExternRef, Val, V128};
pub use versions::SUPPORTED_MAJORS;

/// The Wasmtime version whose C API headers the bindings were generated from.
///
/// ```
/// use wasmtime_dyn::{BINDINGS_MAJOR, WASMTIME_VERSION};
/// let major = WASMTIME_VERSION.split('.').next().unwrap();
/// assert_eq!(major, BINDINGS_MAJOR.to_string());
/// ```
pub const WASMTIME_VERSION: &str = "48.0.0";

/// The major version libraries must have to be loaded.
///
/// ```no_run
/// # let wasmtime: &'static wasmtime_dyn::Wasmtime = unimplemented!();
/// // Libraries of another major version are refused when loading.
/// if let Some(version) = wasmtime.version() {
///     assert_eq!(version.major(), wasmtime_dyn::BINDINGS_MAJOR);
/// }
/// ```
pub const BINDINGS_MAJOR: u32 = 48;

/// The environment variable [`Wasmtime::load`] reads: a library file, or a
/// directory holding the platform's standard library name.
///
/// ```
/// use wasmtime_dyn::ENV_VAR;
/// assert_eq!(ENV_VAR, "WASMTIME_DYN_LIB");
/// match std::env::var_os(ENV_VAR) {
///     Some(path) => println!("Wasmtime::load opens {path:?}"),
///     None => println!("Wasmtime::load searches the system for the library"),
/// }
/// ```
pub const ENV_VAR: &str = "WASMTIME_DYN_LIB";
