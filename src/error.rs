//! The crate's errors: [`Error`] is [`anyhow::Error`], as the `wasmtime`
//! crate's errors are `anyhow`-shaped; what went wrong is a value inside it
//! that [`Error::downcast_ref`](anyhow::Error::downcast_ref) finds: an
//! [`ErrorKind`] for this crate's own failures, a [`Trap`](crate::Trap) when
//! wasm trapped, the host function's own error when one failed,
//! [`LoadError`](crate::LoadError), [`std::io::Error`]...

use crate::capability::Capability;
use crate::sys::tables::Core;
use crate::sys::types::wasmtime_error_t;
use crate::trap::{take_frames, FrameInfo, WasmBacktrace};

pub use anyhow::Context;

/// The crate's error: [`anyhow::Error`].
///
/// Why `anyhow`: the `wasmtime` crate's `Error` is an `anyhow`-shaped
/// opaque error (`downcast_ref`, `context`, `chain`, a readable `Debug`
/// report, `?` from any error type), and programs embedding Wasmtime
/// usually already return `anyhow::Result`. Being that type, not a copy of
/// it, means a host function's own error, a [`Trap`](crate::Trap) or an
/// [`ErrorKind`] come back through `?` into the caller's `anyhow::Error`
/// and still downcast, with no conversion layer that could lose them.
///
/// ```
/// use wasmtime_dyn::{Capability, Error, ErrorKind};
/// let err = Error::new(ErrorKind::Unsupported(Capability::Compiler));
/// assert!(err.to_string().contains("precompile"));
/// assert!(matches!(
///     err.downcast_ref::<ErrorKind>(),
///     Some(ErrorKind::Unsupported(Capability::Compiler))
/// ));
/// ```
pub type Error = anyhow::Error;

/// This crate's own failures: the value inside an [`Error`] that this
/// crate raised (rather than wasm, Wasmtime's own checks or a host
/// function), found with `err.downcast_ref::<ErrorKind>()`.
///
/// ```
/// use wasmtime_dyn::{Capability, ErrorKind};
/// let err = ErrorKind::Unsupported(Capability::Compiler);
/// assert!(err.to_string().contains("precompile"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The loaded libwasmtime lacks a capability this needs.
    #[error("the loaded libwasmtime has no `{0}` capability: {advice}", advice = advice(*.0))]
    Unsupported(Capability),
    /// The loaded libwasmtime is of a Wasmtime major that lacks a feature
    /// this needs: it arrived in a later major.
    #[error(
        "`{feature}` needs Wasmtime {} or later; the loaded libwasmtime is Wasmtime {found}: install a newer libwasmtime or leave `{feature}` unset",
        needs.start()
    )]
    UnsupportedVersion {
        /// What was asked for (a `Config` setter, a function...).
        feature: &'static str,
        /// The majors that have it.
        needs: std::ops::RangeInclusive<u32>,
        /// The loaded library's version.
        found: crate::Version,
    },
    /// A WASI program exited with this status through `proc_exit`.
    #[error("the WASI program exited with status {0}")]
    Exit(i32),
    /// Wasmtime reported an error (compilation, validation, linking,
    /// instantiation, a host function's error...), with its message and,
    /// when it came from wasm, the wasm frames.
    ///
    /// The wasm frames, when there are some, are the error's
    /// [`WasmBacktrace`] context.
    #[error("{message}")]
    Wasmtime {
        /// Wasmtime's message.
        message: String,
    },
    /// A configuration Wasmtime would reject when creating the engine
    /// (which aborts the process inside the C API), refused beforehand.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// Values, types or arguments that do not match what was expected.
    #[error("type mismatch: {0}")]
    TypeMismatch(String),
    /// An object from one store used with another.
    #[error("{0} belongs to a different store than the one it was used with")]
    WrongStore(&'static str),
    /// Objects of two different engines used together (a module, linker or
    /// store of one engine with those of another): every object of one
    /// call must come from the same [`Engine`](crate::Engine).
    ///
    /// ```
    /// use wasmtime_dyn::ErrorKind;
    /// let err = ErrorKind::WrongEngine("the module", "the store's");
    /// assert_eq!(
    ///     err.to_string(),
    ///     "the module was made with a different engine than the store's: \
    ///      use objects of one engine together"
    /// );
    /// ```
    #[error("{0} was made with a different engine than {1}: use objects of one engine together")]
    WrongEngine(&'static str, &'static str),
    /// Objects from different libwasmtime builds mixed together.
    #[error("{0} was created by a different libwasmtime than the one it was used with")]
    WrongLibrary(&'static str),
    /// A precompiled artifact this engine would refuse, and why (see
    /// [`cwasm::preflight`](crate::cwasm::preflight)).
    #[error("the precompiled artifact does not fit this engine: {0}")]
    IncompatibleArtifact(String),
    /// An argument that is not valid here, said what and why.
    #[error("{0}")]
    Invalid(String),
    /// A file this crate read or wrote could not be (an I/O error of
    /// the caller's own, through `?`, stays a [`std::io::Error`]).
    ///
    /// ```
    /// use wasmtime_dyn::{Engine, ErrorKind, Module};
    /// # fn demo(engine: &Engine) {
    /// let err = Module::from_file(engine, "/nonexistent/app.wasm").unwrap_err();
    /// assert!(matches!(err.downcast_ref(), Some(ErrorKind::Io { .. })));
    /// # }
    /// ```
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A precompiled artifact made by a Wasmtime version whose
    /// engine-section layout [`cwasm::inspect`](crate::cwasm::inspect) does
    /// not decode: its settings are not read with another version's layout.
    #[error(
        "the precompiled artifact was made by Wasmtime {version}, whose engine-section layout \
         this crate does not decode (it decodes those of Wasmtime {})",
        crate::cwasm::decoded_versions()
    )]
    UnknownArtifactLayout {
        /// The version string the artifact carries (`"46"`).
        version: String,
    },
}

fn advice(capability: Capability) -> &'static str {
    match capability {
        Capability::Compiler => {
            "this build cannot compile WebAssembly; precompile the module to a .cwasm with a \
             full libwasmtime (see `precompile_for`) and load it with `Module::deserialize`, \
             or install a libwasmtime built with `cranelift` or `winch`"
        }
        Capability::Wat => {
            "this build cannot parse the text format; pass binary .wasm, or install a \
             libwasmtime built with `wat`"
        }
        Capability::Gc => {
            "this build has no reference values (funcref, externref, GC references, \
             exceptions); install a libwasmtime built with `gc`, such as the official release"
        }
        _ => "install a libwasmtime built with this cargo feature, such as the official release",
    }
}

/// The crate's `Result`, as the `wasmtime` crate's: its error is
/// [`Error`].
///
/// ```
/// use wasmtime_dyn::{Capability, ErrorKind, Result};
/// fn need_gc(has_gc: bool) -> Result<()> {
///     if has_gc {
///         Ok(())
///     } else {
///         Err(ErrorKind::Unsupported(Capability::Gc).into())
///     }
/// }
/// assert!(need_gc(false).unwrap_err().to_string().contains("`gc`"));
/// ```
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Reads and frees a `wasmtime_error_t`: a WASI exit becomes
/// [`ErrorKind::Exit`], anything else [`ErrorKind::Wasmtime`] with the wasm
/// frames, if any, as its [`WasmBacktrace`] context.
///
/// # Safety
///
/// `error` is a live error of `core`'s library, owned by the caller.
#[cold]
pub(crate) unsafe fn take(core: &Core, error: *mut wasmtime_error_t) -> Error {
    let mut status = 0;
    // SAFETY: `error` is live; `status` is writable.
    if unsafe { (core.wasmtime_error_exit_status)(error, &mut status) } {
        // SAFETY: owned here, freed once.
        unsafe { (core.wasmtime_error_delete)(error) };
        // Both the crate's `I32Exit` and this crate's kind find it.
        return Error::new(crate::wasi::I32Exit(status)).context(ErrorKind::Exit(status));
    }
    let mut frames = crate::sys::types::wasm_frame_vec_t {
        size: 0,
        data: std::ptr::null_mut(),
    };
    // SAFETY: `error` is live; `frames` is an empty vector to fill, read
    // and deleted by `take_frames`.
    let trace = unsafe {
        (core.wasmtime_error_wasm_trace)(error, &mut frames);
        take_frames(core, &mut frames)
    };
    // SAFETY: `error` is live and owned here; `take_message` frees it.
    let mut message = unsafe { crate::loader::c_error::take_message(core, error) };
    without_rust_backtrace(&mut message);
    with_backtrace(ErrorKind::Wasmtime { message }.into(), trace)
}

/// Cuts the Rust backtrace the C API of Wasmtime 41 and earlier appends to
/// a message (its errors are `anyhow`'s, formatted with `{:?}`, which adds
/// the backtrace they captured when `RUST_BACKTRACE` or `RUST_LIB_BACKTRACE`
/// is set): the message is then the same as later majors give.
fn without_rust_backtrace(message: &mut String) {
    if let Some(at) = message.find("\n\nStack backtrace:\n") {
        message.truncate(at);
    }
}

/// Turns a C result into a Rust one.
///
/// # Safety
///
/// `error` is null or a live, owned error of `core`'s library.
pub(crate) unsafe fn check(core: &Core, error: *mut wasmtime_error_t) -> Result<()> {
    if error.is_null() {
        Ok(())
    } else {
        // SAFETY: non-null, live and owned (caller's contract).
        Err(unsafe { take(core, error) })
    }
}

/// `error` with the wasm frames as its [`WasmBacktrace`] context, as the
/// `wasmtime` crate reports errors raised while wasm ran; `error` itself
/// when there are none.
/// The contents of the file at `path`, or [`ErrorKind::Io`] naming it.
pub(crate) fn read_file(path: &std::path::Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|source| {
        ErrorKind::Io {
            path: path.to_path_buf(),
            source,
        }
        .into()
    })
}

pub(crate) fn with_backtrace(error: Error, trace: Vec<FrameInfo>) -> Error {
    if trace.is_empty() {
        error
    } else {
        error.context(WasmBacktrace::new(trace))
    }
}
