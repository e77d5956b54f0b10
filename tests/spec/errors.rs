//! What a [`wasmtime_dyn::Error`] means to the runner.
//!
//! The one place of the runner that looks inside the error (its
//! [`ErrorKind`] or [`Trap`]), so that a change of the crate's error type
//! touches this function only.

use wasmtime_dyn::{Capability, Error, ErrorKind, Trap};

/// The kinds of error the runner tells apart.
pub enum Kind<'e> {
    /// WebAssembly trapped: with a code (a [`Trap`] inside the error), or
    /// without one (an uncaught exception, reported by the C API as a
    /// message). `message` is the trap's own text, without the backtrace.
    Trap { code: Option<Trap>, message: String },
    /// The library lacks a capability.
    Unsupported(Capability),
    /// A type or value of the GC, exceptions or stack-switching proposals
    /// that wasmtime-dyn cannot represent yet: a gap of this crate's API.
    Unrepresentable(&'e str),
    /// Wasmtime's own message (compiling, linking, instantiating...).
    Wasmtime(&'e str),
    /// wasmtime-dyn refuses what the loaded major cannot do
    /// ([`ErrorKind::UnsupportedVersion`] below the majors it names).
    TooOld(String),
    /// Anything else.
    Other,
}

pub fn kind(err: &Error) -> Kind<'_> {
    if let Some(code) = err.downcast_ref::<Trap>() {
        return Kind::Trap {
            code: Some(*code),
            message: code.to_string(),
        };
    }
    match err.downcast_ref::<ErrorKind>() {
        Some(ErrorKind::Unsupported(capability)) => Kind::Unsupported(*capability),
        // The crate's own refusals of GC types and values name it
        // (types.rs, val.rs, instance.rs).
        Some(ErrorKind::Invalid(message)) if message.contains("wasmtime-dyn") => {
            Kind::Unrepresentable(message)
        }
        Some(ErrorKind::Wasmtime { message }) => Kind::Wasmtime(message),
        Some(refusal @ ErrorKind::UnsupportedVersion { needs, found, .. })
            if found.major() < *needs.start() =>
        {
            Kind::TooOld(refusal.to_string())
        }
        Some(_) => Kind::Other,
        // Neither the crate's own failure nor a trap code: a trap without
        // a code (the runner's host functions never fail).
        None => Kind::Trap {
            code: None,
            message: err.root_cause().to_string(),
        },
    }
}
