//! The crate's error type.

use crate::capability::Capability;
use crate::sys::tables::Core;
use crate::sys::types::wasmtime_error_t;
use crate::trap::FrameInfo;
use crate::trap::{take_frames, Trap};

/// Everything that can go wrong in the embedding API.
///
/// ```
/// use wasmtime_dyn::{Capability, Error};
/// let err = Error::Unsupported(Capability::Compiler);
/// assert!(err.to_string().contains("precompile"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
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
    /// WebAssembly trapped.
    #[error("wasm trap: {0}")]
    Trap(Trap),
    /// A WASI program exited with this status through `proc_exit`.
    #[error("the WASI program exited with status {0}")]
    Exit(i32),
    /// Wasmtime reported an error (compilation, validation, linking,
    /// instantiation, a host function's error...), with its message and,
    /// when it came from wasm, the wasm frames.
    #[error("{message}")]
    Wasmtime {
        /// Wasmtime's message.
        message: String,
        /// The wasm backtrace, if any.
        trace: Vec<FrameInfo>,
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
    /// use wasmtime_dyn::Error;
    /// let err = Error::WrongEngine("the module", "the store's");
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
    /// A file could not be read (`path` is empty for an I/O error that
    /// came without one, through `?` on a [`std::io::Error`]).
    ///
    /// ```
    /// use wasmtime_dyn::Error;
    /// fn read_module(path: &str) -> Result<Vec<u8>, Error> {
    ///     Ok(std::fs::read(path)?)
    /// }
    /// let err = read_module("/nonexistent/app.wasm").unwrap_err();
    /// assert!(matches!(err, Error::Io { .. }));
    /// ```
    #[error("{}", io_message(path, source))]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The library could not be loaded (from
    /// [`Wasmtime::open`](crate::Wasmtime::open) or
    /// [`Wasmtime::load`](crate::Wasmtime::load), through `?`).
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Engine, Error, Wasmtime};
    /// fn engine() -> Result<Engine, Error> {
    ///     // SAFETY: the file is a Wasmtime C API library.
    ///     let wasmtime = unsafe { Wasmtime::open("/opt/wasmtime/lib/libwasmtime.so") }?;
    ///     Engine::default_for(wasmtime)
    /// }
    /// ```
    #[error(transparent)]
    Load(#[from] crate::LoadError),
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

fn io_message(path: &std::path::Path, source: &std::io::Error) -> String {
    if path.as_os_str().is_empty() {
        format!("I/O error: {source}")
    } else {
        format!("cannot read {}: {source}", path.display())
    }
}

impl From<std::io::Error> for Error {
    fn from(source: std::io::Error) -> Error {
        Error::Io {
            path: std::path::PathBuf::new(),
            source,
        }
    }
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
            "this build has no reference values (funcref, externref); install a libwasmtime \
             built with `gc`, such as the official release"
        }
        _ => "install a libwasmtime built with this cargo feature, such as the official release",
    }
}

/// The crate's `Result`.
///
/// ```
/// use wasmtime_dyn::{Capability, Error, Result};
/// fn need_gc(has_gc: bool) -> Result<()> {
///     if has_gc {
///         Ok(())
///     } else {
///         Err(Error::Unsupported(Capability::Gc))
///     }
/// }
/// assert!(need_gc(false).unwrap_err().to_string().contains("`gc`"));
/// ```
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<Trap> for Error {
    fn from(trap: Trap) -> Error {
        Error::Trap(trap)
    }
}

impl Error {
    /// Reads and frees a `wasmtime_error_t`; a WASI exit becomes
    /// [`Error::Exit`].
    ///
    /// # Safety
    ///
    /// `error` is a live error of `core`'s library, owned by the caller.
    pub(crate) unsafe fn take(core: &Core, error: *mut wasmtime_error_t) -> Error {
        let mut status = 0;
        // SAFETY: `error` is live; `status` is writable.
        if unsafe { (core.wasmtime_error_exit_status)(error, &mut status) } {
            // SAFETY: owned here, freed once.
            unsafe { (core.wasmtime_error_delete)(error) };
            return Error::Exit(status);
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
        let message = unsafe { crate::loader::c_error::take_message(core, error) };
        Error::Wasmtime { message, trace }
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
            Err(unsafe { Error::take(core, error) })
        }
    }
}
