//! Re-exports the Wasmtime C API so that the cdylib exports its symbols.
pub use wasmtime_c_api::*;
