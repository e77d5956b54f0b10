//! The component model, shaped like the `wasmtime` crate's
//! `wasmtime::component`: [`Component`], [`Linker`] and
//! [`LinkerInstance`], [`Instance`], [`Func`] called with [`Val`]s, and
//! the component [`types`].
//!
//! [`TypedFunc`] calls with Rust types: the built-in ones, and records,
//! variants and enums bound with
//! [`#[derive(ComponentType, Lift, Lower)]`](derive@ComponentType) and
//! flags types defined with [`flags!`], as with the crate.
//!
//! Everything here needs [`Capability::ComponentModel`](crate::Capability::ComponentModel)
//! (the C API's `component-model` feature, in every official library of
//! Wasmtime 45 to 50); compiling and serializing components also need a
//! compiler. On a library without them, everything fails with
//! [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported), never
//! aborts.
//!
//! ```no_run
//! use wasmtime_dyn::component::{Component, Linker, Val};
//! use wasmtime_dyn::{Engine, Store, Wasmtime};
//! // SAFETY: WASMTIME_DYN_LIB names a Wasmtime C API library.
//! let engine = Engine::default_for(unsafe { Wasmtime::load() }?)?;
//! let component = Component::new(&engine, r#"(component
//!     (core module $m (func (export "add") (param i32 i32) (result i32)
//!         local.get 0 local.get 1 i32.add))
//!     (core instance $i (instantiate $m))
//!     (func (export "add") (param "a" u32) (param "b" u32) (result u32)
//!         (canon lift (core func $i "add"))))"#)?;
//! let mut store = Store::new(&engine, ());
//! let instance = Linker::new(&engine).instantiate(&mut store, &component)?;
//! let add = instance.get_func(&mut store, "add").expect("exported");
//! let mut sum = [Val::Bool(false)];
//! add.call(&mut store, &[Val::U32(40), Val::U32(2)], &mut sum)?;
//! assert_eq!(sum[0], Val::U32(42));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod async_call;
mod async_host;
mod async_wasi;
mod compiled;
mod derive_support;
mod func;
mod instance;
mod linker;
mod resource;
mod typed;
pub mod types;
mod val;

pub use compiled::{Component, ComponentExportIndex};
pub use func::Func;
pub use instance::{ExportLookup, Instance};
pub use linker::{Linker, LinkerInstance};
pub use resource::{Resource, ResourceAny};
pub use typed::{ComponentNamedList, ComponentType, Lift, Lower, TypedFunc};
pub use types::{ResourceType, Type};
pub use val::Val;
pub use wasmtime_dyn_macros::{flags, ComponentType, Lift, Lower};

// What `#[derive(ComponentType, Lift, Lower)]` and `flags!` generate calls
// these; they are not part of the API.
#[doc(hidden)]
pub mod __internal {
    pub use super::derive_support::*;
}

use crate::engine::Engine;
use crate::error::Result;
use crate::sys::tables::ComponentModel;

/// The component model's table of `engine`'s library, or
/// `Unsupported(ComponentModel)`.
fn model(engine: &Engine) -> Result<&'static ComponentModel> {
    func::model_of(engine.wasmtime())
}
