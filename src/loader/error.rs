//! Why a libwasmtime could not be loaded.

use std::fmt;
use std::path::PathBuf;

/// Where the path of a library came from; every [`LoadError`] names it.
///
/// ```
/// use wasmtime_dyn::{LoadError, Origin, Wasmtime};
/// // SAFETY: the path does not exist, so no library code runs.
/// let err = unsafe { Wasmtime::open("/no/such/libwasmtime.so") }.unwrap_err();
/// assert!(matches!(err, LoadError::NotFound { origin: Origin::Explicit, .. }));
/// assert_eq!(Origin::Explicit.to_string(), "given to Wasmtime::open");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Origin {
    /// The path given to [`Wasmtime::open`](crate::Wasmtime::open).
    Explicit,
    /// The environment variable `WASMTIME_DYN_LIB`, read by
    /// [`Wasmtime::load`](crate::Wasmtime::load).
    EnvVar,
    /// The platform's standard library name, looked up by the system's
    /// library search in [`Wasmtime::load`](crate::Wasmtime::load).
    SystemSearch,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Explicit => f.write_str("given to Wasmtime::open"),
            Origin::EnvVar => write!(f, "taken from the environment variable {}", crate::ENV_VAR),
            Origin::SystemSearch => f.write_str("found by the system library search"),
        }
    }
}

/// How many names a message lists before it says how many more there are.
const SHOWN: usize = 8;

/// Lists `names`, at most [`SHOWN`] of them.
pub(crate) struct NameList<'a>(pub &'a [&'static str]);

impl fmt::Display for NameList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, name) in self.0.iter().take(SHOWN).enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(name)?;
        }
        if self.0.len() > SHOWN {
            write!(f, " and {} more", self.0.len() - SHOWN)?;
        }
        Ok(())
    }
}

/// The error [`Wasmtime::open`](crate::Wasmtime::open) and
/// [`Wasmtime::load`](crate::Wasmtime::load) return. Every variant names the
/// path and where it came from.
///
/// ```
/// use wasmtime_dyn::{LoadError, Wasmtime};
/// // SAFETY: the path does not exist, so no library code runs.
/// let err = unsafe { Wasmtime::open("/no/such/libwasmtime.so") }.unwrap_err();
/// assert!(matches!(err, LoadError::NotFound { .. }));
/// assert!(err.to_string().contains("/no/such/libwasmtime.so"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The file does not exist.
    #[error("cannot load libwasmtime from {path} ({origin}): no such file")]
    NotFound {
        /// The path tried.
        path: PathBuf,
        /// Where the path came from.
        origin: Origin,
    },
    /// The system loader refused the file: not a shared library, wrong
    /// architecture, missing dependencies...
    #[error(
        "cannot load libwasmtime from {path} ({origin}): the system loader refused it: {reason}"
    )]
    Open {
        /// The path tried.
        path: PathBuf,
        /// Where the path came from.
        origin: Origin,
        /// The system loader's message.
        reason: String,
    },
    /// The file is a shared library, but not a Wasmtime C API library: it
    /// lacks functions every build exports.
    #[error(
        "{path} ({origin}) is not a Wasmtime C API library: {} of the {total} core functions are missing: {}",
        missing.len(),
        NameList(missing)
    )]
    NotWasmtime {
        /// The path tried.
        path: PathBuf,
        /// Where the path came from.
        origin: Origin,
        /// Every core function that did not resolve.
        missing: Vec<&'static str>,
        /// The number of core functions.
        total: usize,
    },
    /// The library is a Wasmtime of a major version outside
    /// [`SUPPORTED_MAJORS`](crate::SUPPORTED_MAJORS). Wasmtime reuses C
    /// function names with new signatures between majors, so such a library
    /// is never called.
    #[error(
        "{path} ({origin}) is Wasmtime {found}, but wasmtime-dyn {} supports Wasmtime {}.x to {}.x: install a libwasmtime of one of those majors",
        env!("CARGO_PKG_VERSION"),
        supported.start(),
        supported.end()
    )]
    UnsupportedVersion {
        /// The path tried.
        path: PathBuf,
        /// Where the path came from.
        origin: Origin,
        /// The library's version, as far as it could be found ("44.0.0",
        /// or a description when only its exports tell).
        found: String,
        /// The majors this crate supports.
        supported: std::ops::RangeInclusive<u32>,
    },
    /// The path names something other than a regular file (a directory, a
    /// FIFO, a device...), which is never handed to the system loader.
    #[error("cannot load libwasmtime from {path} ({origin}): it is {kind}, not a regular file")]
    NotAFile {
        /// The path tried.
        path: PathBuf,
        /// Where the path came from.
        origin: Origin,
        /// What it is instead.
        kind: &'static str,
    },
    /// The file could not be read: no permission, a symbolic link loop...
    #[error("cannot load libwasmtime from {path} ({origin}): {reason}")]
    Unreadable {
        /// The path tried.
        path: PathBuf,
        /// Where the path came from.
        origin: Origin,
        /// What the system said.
        reason: String,
    },
    /// The file's headers claim a table larger than any libwasmtime's (a
    /// damaged file, or one crafted to make the reader allocate what it
    /// claims): refused before anything is allocated for it or loaded.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{LoadError, Wasmtime};
    /// // SAFETY: a file with oversized tables is refused before it is loaded.
    /// match unsafe { Wasmtime::open("/tmp/crafted.so") } {
    ///     Err(LoadError::TableTooLarge { table, claimed, limit, .. }) => {
    ///         eprintln!("its {table} claims {claimed} bytes (at most {limit} are read)")
    ///     }
    ///     other => println!("{other:?}"),
    /// }
    /// ```
    #[error(
        "{path} ({origin}) is not a libwasmtime: its {table} claims {claimed} bytes, more than \
         the {limit} any libwasmtime needs (the file is damaged or not a Wasmtime library)"
    )]
    TableTooLarge {
        /// The path tried.
        path: PathBuf,
        /// Where the path came from.
        origin: Origin,
        /// The table: "section header table", "dynamic symbol table",
        /// "dynamic string table" (or "headers and symbol tables" for a
        /// file that is not 64-bit ELF).
        table: &'static str,
        /// The bytes the file's headers claim for it.
        claimed: u64,
        /// The most the loader reads for it.
        limit: u64,
    },
    /// A function the loader resolved lies outside the library's code: its
    /// dynamic symbol table was altered. Refused before anything is called.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{LoadError, Wasmtime};
    /// // SAFETY: addresses are checked before any function is called.
    /// if let Err(LoadError::SymbolOutsideCode { symbol, .. }) =
    ///     unsafe { Wasmtime::open("/tmp/damaged/libwasmtime.so") }
    /// {
    ///     eprintln!("{symbol} does not point into the library's code");
    /// }
    /// ```
    #[error(
        "{path} ({origin}) is damaged: its function {symbol} resolves to {address:#x}, outside \
         the library's code (its dynamic symbol table was altered): reinstall the library"
    )]
    SymbolOutsideCode {
        /// The path tried.
        path: PathBuf,
        /// Where the path came from.
        origin: Origin,
        /// The function.
        symbol: String,
        /// The address the library's symbol table gives it.
        address: usize,
    },
    /// [`Wasmtime::load`](crate::Wasmtime::load) found no library: every
    /// candidate tried, with why it failed.
    #[error(
        "no libwasmtime could be loaded; tried {}. Set {} to the library file or its directory",
        Tried(tried),
        crate::ENV_VAR
    )]
    NoLibrary {
        /// Each candidate tried and why it failed.
        tried: Vec<LoadError>,
    },
}

struct Tried<'a>(&'a [LoadError]);

impl fmt::Display for Tried<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, err) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "[{err}]")?;
        }
        Ok(())
    }
}
