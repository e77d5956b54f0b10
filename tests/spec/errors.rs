//! What a [`wasmtime_dyn::Error`] means to the runner.
//!
//! The one place of the runner that looks at the error's variants, so that
//! a change of the crate's error type touches this function only.

use wasmtime_dyn::{Capability, Error, Trap};

/// The kinds of error the runner tells apart.
pub enum Kind<'e> {
    /// WebAssembly trapped (an uncaught exception is a trap without a code).
    Trap(&'e Trap),
    /// The library lacks a capability.
    Unsupported(Capability),
    /// A type or value of the GC, exceptions or stack-switching proposals
    /// that wasmtime-dyn cannot represent yet: a gap of this crate's API.
    Unrepresentable(&'e str),
    /// Wasmtime's own message (compiling, linking, instantiating...).
    Wasmtime(&'e str),
    /// Anything else.
    Other,
}

pub fn kind(err: &Error) -> Kind<'_> {
    match err {
        Error::Trap(trap) => Kind::Trap(trap),
        Error::Unsupported(capability) => Kind::Unsupported(*capability),
        // The crate's own refusals of GC types and values name it
        // (types.rs, val.rs, instance.rs).
        Error::Invalid(message) if message.contains("wasmtime-dyn") => {
            Kind::Unrepresentable(message)
        }
        Error::Wasmtime { message, .. } => Kind::Wasmtime(message),
        _ => Kind::Other,
    }
}
