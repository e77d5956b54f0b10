//! The raw layer: the C API as bindgen generated it from `headers/`, and the
//! function tables built over it.
//!
//! Nothing here is safe to use without reading the C API documentation
//! (the headers in `headers/include`). The safe API of this crate is built on
//! it; it is public for embedders who need a C function the safe API does
//! not wrap yet: [`Wasmtime::tables`](crate::Wasmtime::tables) hands out the
//! loaded tables.
//!
//! - [`types`]: every type and constant, as a build with every feature
//!   declares them (`wasmtime_val_t` there has the 32-byte GC layout);
//! - [`val_nogc`]: `wasmtime_val_t` as a build without GC lays it out;
//! - [`fns`]: one `unsafe extern "C" fn` pointer type per C function;
//! - [`val_v36`]: `wasmtime_val_t` and the references as Wasmtime 36 lays
//!   them out (24 bytes, 16-byte references, whatever the build);
//! - [`fns_v36`]: the pointer types of functions whose signature Wasmtime
//!   36 declares differently (`tables` says to which majors each holds;
//!   arguments that point to values point to the 36 layout there);
//! - [`fns_v44`]: those of Wasmtime 44 (its 2-byte field type, its owned
//!   exception objects), with the types they take;
//! - [`fns_v45`]: the pointer types of functions whose signature Wasmtime
//!   45 to 47 declare differently (`src/versions` says where each holds);
//! - [`fns_v45c`]: the pointer types of the component type getters as
//!   Wasmtime 45 to 48 declare them (`tables` says where they hold);
//! - [`tables`]: which function belongs to which table, and the tables.

#![allow(
    non_camel_case_types,
    non_snake_case,
    non_upper_case_globals,
    missing_docs,
    clippy::all,
    rustdoc::all
)]

mod define_tables;
#[path = "generated/fns.rs"]
pub mod fns;
#[path = "generated/fns_v36.rs"]
pub mod fns_v36;
#[path = "generated/fns_v44.rs"]
pub mod fns_v44;
#[path = "generated/fns_v45.rs"]
pub mod fns_v45;
#[path = "generated/fns_v45c.rs"]
pub mod fns_v45c;
pub mod tables;
#[path = "generated/types.rs"]
pub mod types;
#[path = "generated/val_nogc.rs"]
pub mod val_nogc;
#[path = "generated/val_v36.rs"]
pub mod val_v36;
