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
//! GC references and exceptions (needing the [`Capability::Gc`] a library
//! has when built with the C API's `gc` feature; everything below is
//! [`ErrorKind::Unsupported`]`(Gc)` without it): [`AnyRef`], [`EqRef`],
//! [`I31`], [`StructRef`] and [`ArrayRef`] with their types
//! ([`StructType`], [`ArrayType`], [`FieldType`], [`StorageType`]) and
//! allocators ([`StructRefPre`], [`ArrayRefPre`]), [`ExnRef`], [`Tag`],
//! [`TagType`], [`ExnType`]; [`ValType::Ref`] names their types. Every
//! reference is an owned root released when it drops (with or without its
//! store) and checked against the store it is used with. A call whose
//! types are all numbers, `funcref` or `externref` passes raw values; any
//! other reference type makes it a checked call (`wasmtime_func_call`,
//! `wasmtime_func_new`), where Wasmtime checks concrete and non-null types
//! that Rust cannot. An uncaught wasm exception is a [`ThrownException`]
//! error, the exception itself the store's pending one
//! ([`Store::take_pending_exception`]); a host function throws with
//! [`Caller::throw`].
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

mod async_support;
mod cache;
mod capability;
mod compiler;
pub mod component;
mod config;
mod config_rules;
mod coredump;
pub mod cwasm;
mod elf;
mod engine;
mod epoch;
pub mod error;
mod func;
mod gc;
mod gc_types;
mod global;
mod instance;
mod instance_pre;
mod linker;
mod loader;
mod memory;
mod module;
mod panics;
mod pooling;
mod profiling;
mod shared_memory;
mod store;
pub mod sys;
mod table;
mod tag;
mod trap;
mod typed;
mod types;
mod val;
mod versions;
pub mod wasi;
mod wasm_scan;

pub use anyhow::{bail, ensure, format_err};
pub use capability::{Capabilities, Capability, Iter as CapabilitiesIter, UndetectableFeature};
pub use compiler::{precompile_for, Compiler, Compiling, Target, Wat};
pub use config::{
    CacheConfig, CompilerConfig, Config, GcConfig, OptLevel, ParallelCompilationConfig,
    PoolingAllocatorConfig, Strategy, ThreadsConfig,
};
pub use coredump::WasmCoreDump;
pub use engine::{Engine, Precompiled};
pub use epoch::UpdateDeadline;
pub use error::{Error, ErrorKind, Result};
pub use func::{Func, IntoFunc, WasmRet};
pub use gc::{
    AnyRef, ArrayRef, ArrayRefPre, EqRef, ExnRef, ExnRefPre, StructRef, StructRefPre,
    ThrownException, I31,
};
pub use gc_types::{ArrayType, ExnType, FieldType, StorageType, StructType, TagType};
pub use global::Global;
pub use instance::{Export, Extern, Instance};
pub use instance_pre::InstancePre;
pub use linker::Linker;
pub use loader::{LoadError, Origin, ValAbi, Version, Wasmtime};
pub use memory::{Memory, MemoryAccessError};
pub use module::Module;
pub use pooling::{InstanceAllocationStrategy, PoolingAllocationConfig, PoolingConfig};
pub use profiling::GuestProfiler;
pub use shared_memory::SharedMemory;
pub use store::{AsContext, AsContextMut, Caller, Store, StoreContext, StoreContextMut};
pub use table::Table;
pub use tag::Tag;
pub use trap::{FrameInfo, Trap, WasmBacktrace};
pub use typed::{TypedFunc, WasmTy, WasmTyList};
pub use types::{
    ExportType, ExternType, FuncType, GlobalType, HeapType, ImportType, MemoryType, Mutability,
    RefType, TableType, ValType,
};
pub use val::{ExternRef, Val, V128};
pub use versions::SUPPORTED_MAJORS;

/// The Wasmtime release whose C API headers the bindings were generated
/// from: the newest in [`SUPPORTED_MAJORS`]. Older majors of the window are
/// loaded through the same bindings, with the signatures that differ
/// chosen at load time.
///
/// ```
/// use wasmtime_dyn::{SUPPORTED_MAJORS, WASMTIME_VERSION};
/// let major: u32 = WASMTIME_VERSION.split('.').next().unwrap().parse().unwrap();
/// assert_eq!(major, *SUPPORTED_MAJORS.end());
/// ```
pub const WASMTIME_VERSION: &str = "50.0.1";

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

/// The README's code blocks, compiled (and run where not `no_run`) as doc
/// tests, so the README cannot drift from the API.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
