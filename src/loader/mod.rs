//! The loader: finds and opens a libwasmtime, resolves its function tables
//! once, works out its capabilities, value layout and version, and keeps it
//! loaded for the rest of the process.

mod addresses;
pub(crate) mod c_error;
mod error;
mod exports;
mod library;
mod resolve;
mod val_abi;
mod version;

pub use error::{LoadError, Origin};
pub use val_abi::ValAbi;
pub use version::Version;

use crate::capability::{Capabilities, Capability, UndetectableFeature};
use crate::sys::tables::{Absence, Core, TableId, TableKind, Tables};
use addresses::{addresses, Addresses};
use exports::VersionText;
use resolve::{locate, resolve};
use std::ffi::{c_void, CStr, OsStr};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use version::{MajorProbe, Verdict};

/// A loaded libwasmtime: its function tables, capabilities, value layout and
/// version. Loaded once per file and never unloaded, so it is handed out as
/// `&'static`.
///
/// ```no_run
/// use wasmtime_dyn::{Capability, Wasmtime};
/// // SAFETY: the library named by WASMTIME_DYN_LIB (or found by the system
/// // search) is a Wasmtime C API library.
/// let wasmtime = unsafe { Wasmtime::load() }?;
/// println!("{} is Wasmtime {:?}", wasmtime.path().display(), wasmtime.version());
/// println!("capabilities: {}", wasmtime.capabilities());
/// if !wasmtime.has(Capability::Compiler) {
///     println!("this build runs precompiled .cwasm files only");
/// }
/// # Ok::<(), wasmtime_dyn::LoadError>(())
/// ```
pub struct Wasmtime {
    /// The path the library was opened from (absolute).
    path: PathBuf,
    /// Its canonical form, found when first asked for.
    canonical: std::sync::OnceLock<PathBuf>,
    /// The file's device and inode, where the platform has them: what
    /// tells that a path names a file opened before.
    file: Option<FileId>,
    tables: Tables,
    absent: Vec<(TableId, Absence)>,
    capabilities: Capabilities,
    val_abi: ValAbi,
    version: Version,
    winch: std::sync::OnceLock<bool>,
    /// The capabilities not handed out whose C API feature the build has
    /// nonetheless (`versions::BUILD_MARKERS`).
    built_with: Capabilities,
    /// For those of them whose wasm proposal the build turns on by
    /// default, its config setter (`versions::BUILT_PROPOSAL_SETTERS`).
    proposal_setters: Vec<(Capability, ProposalSetter)>,
}

/// A config setter of a wasm proposal: `void (wasm_config_t *, bool)`.
pub(crate) type ProposalSetter = crate::sys::fns::wasmtime_config_wasm_component_model_set;

/// Every library opened so far, by the file the loader reports for it.
static OPENED: Mutex<Vec<&'static Wasmtime>> = Mutex::new(Vec::new());

/// The platform's standard file name of the library.
const STANDARD_NAME: &str = if cfg!(target_os = "windows") {
    "wasmtime.dll"
} else if cfg!(target_vendor = "apple") {
    "libwasmtime.dylib"
} else {
    "libwasmtime.so"
};

/// The file name of the library in the `wasmtime` Python package (the PyPI
/// wheel `wasmtime==X` ships the official C API library under it).
const WHEEL_NAME: &str = if cfg!(target_os = "windows") {
    "_wasmtime.dll"
} else if cfg!(target_vendor = "apple") {
    "_libwasmtime.dylib"
} else {
    "_libwasmtime.so"
};

impl Wasmtime {
    /// Opens the libwasmtime at `path` (a file), or returns the one already
    /// opened from that file.
    ///
    /// # Safety
    ///
    /// Opening a library runs its initialization code, and every function
    /// this crate resolves from it is called with the signature the Wasmtime
    /// C API headers declare. The caller vouches that `path` is a Wasmtime
    /// C API library (or a library whose initializers are harmless: other
    /// libraries are refused with [`LoadError::NotWasmtime`]).
    ///
    /// # Errors
    ///
    /// [`LoadError`] naming the path: it does not exist, the system loader
    /// refuses it, it is not Wasmtime, or it is another major version.
    ///
    /// ```no_run
    /// # use wasmtime_dyn::Wasmtime;
    /// // SAFETY: the file is the official Wasmtime C API library.
    /// let wasmtime = unsafe { Wasmtime::open("/opt/wasmtime/lib/libwasmtime.so") }?;
    /// assert!(std::ptr::eq(wasmtime, unsafe { Wasmtime::open("/opt/wasmtime/lib/libwasmtime.so") }?));
    /// # Ok::<(), wasmtime_dyn::LoadError>(())
    /// ```
    pub unsafe fn open(path: impl AsRef<Path>) -> Result<&'static Wasmtime, LoadError> {
        // SAFETY: the caller's contract is this function's.
        unsafe { open_file(path.as_ref(), Origin::Explicit) }
    }

    /// Finds and opens a libwasmtime: the path in the environment variable
    /// `WASMTIME_DYN_LIB` when it is set (a file, or a directory holding
    /// the platform's standard name, or else the name the PyPI wheel gives
    /// it: `_libwasmtime.so`, `_libwasmtime.dylib`, `_wasmtime.dll`, so the
    /// directory of an installed `wasmtime` Python package works too),
    /// otherwise the standard name (`libwasmtime.so`, `libwasmtime.dylib`,
    /// `wasmtime.dll`) through the system's library search.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{LoadError, Wasmtime};
    /// // SAFETY: whatever library is found is a Wasmtime C API library.
    /// match unsafe { Wasmtime::load() } {
    ///     Ok(wasmtime) => println!("loaded {}", wasmtime.path().display()),
    ///     Err(LoadError::NoLibrary { tried }) => eprintln!("no libwasmtime ({} tried)", tried.len()),
    ///     Err(err) => eprintln!("{err}"),
    /// }
    /// ```
    ///
    /// # Safety
    ///
    /// As for [`Wasmtime::open`], for whatever library is found.
    ///
    /// # Errors
    ///
    /// As for [`Wasmtime::open`], saying the path came from
    /// `WASMTIME_DYN_LIB` when it did; [`LoadError::NoLibrary`] with every
    /// candidate tried when the system search finds none.
    pub unsafe fn load() -> Result<&'static Wasmtime, LoadError> {
        if let Some(value) = std::env::var_os(crate::ENV_VAR) {
            let path = PathBuf::from(value);
            let file = if path.is_dir() {
                let wheel = path.join(WHEEL_NAME);
                let standard = path.join(STANDARD_NAME);
                if !standard.exists() && wheel.exists() {
                    wheel
                } else {
                    standard
                }
            } else {
                path
            };
            // SAFETY: the caller's contract is this function's.
            return unsafe { open_file(&file, Origin::EnvVar) };
        }
        // SAFETY: the caller's contract is this function's.
        unsafe { open_by_name(OsStr::new(STANDARD_NAME)) }
            .map_err(|err| LoadError::NoLibrary { tried: vec![err] })
    }

    /// The file the library was loaded from (canonical where the system
    /// could tell, found when first asked for: the loader itself tells
    /// files apart by device and inode).
    ///
    /// ```no_run
    /// # let wasmtime: &'static wasmtime_dyn::Wasmtime = unimplemented!();
    /// println!("using {}", wasmtime.path().display());
    /// ```
    pub fn path(&self) -> &Path {
        self.canonical.get_or_init(|| {
            self.path
                .canonicalize()
                .unwrap_or_else(|_| self.path.clone())
        })
    }

    /// The library's Wasmtime version: exact where the build exports it
    /// (official release libraries) or its read-only data names it
    /// (minimal and custom builds: the version line of Wasmtime's
    /// internal-bug message, 45 and later, or else the `wasmtime` crate's
    /// source paths of a build from crates.io, when they name exactly one
    /// version, of a major the exports fit); the major alone otherwise, which
    /// the loader confirms by asking the library to check a probe
    /// artifact's version. Always one of
    /// [`SUPPORTED_MAJORS`](crate::SUPPORTED_MAJORS).
    ///
    /// ```no_run
    /// # let wasmtime: &'static wasmtime_dyn::Wasmtime = unimplemented!();
    /// let version = wasmtime.version();
    /// assert!(wasmtime_dyn::SUPPORTED_MAJORS.contains(&version.major()));
    /// match version.minor() {
    ///     Some(_) => println!("Wasmtime {version}"),
    ///     None => println!("Wasmtime {}.x", version.major()),
    /// }
    /// ```
    pub fn version(&self) -> Version {
        self.version
    }

    /// The optional features this library has.
    ///
    /// ```no_run
    /// # let wasmtime: &'static wasmtime_dyn::Wasmtime = unimplemented!();
    /// println!("capabilities: {}", wasmtime.capabilities()); // "none" for the minimal build
    /// for capability in wasmtime.capabilities() {
    ///     println!("- {capability}");
    /// }
    /// ```
    pub fn capabilities(&self) -> Capabilities {
        self.capabilities
    }

    /// Whether the library has `capability`.
    ///
    /// ```no_run
    /// use wasmtime_dyn::Capability;
    /// # let wasmtime: &'static wasmtime_dyn::Wasmtime = unimplemented!();
    /// if !wasmtime.has(Capability::Wasi) {
    ///     eprintln!("this libwasmtime cannot run WASI programs");
    /// }
    /// ```
    pub fn has(&self, capability: Capability) -> bool {
        self.capabilities.contains(capability)
    }

    /// Why `table` is absent, or `None` when it is present. For a table
    /// that is only partly missing, the names say which functions a custom
    /// build lacks.
    ///
    /// ```no_run
    /// use wasmtime_dyn::sys::tables::{Absence, TableId};
    /// # let wasmtime: &'static wasmtime_dyn::Wasmtime = unimplemented!();
    /// match wasmtime.absence(TableId::Gc) {
    ///     None => println!("GC is present"),
    ///     Some(Absence::Missing(names)) => println!("GC: {} functions missing", names.len()),
    ///     Some(Absence::Requires(table)) => println!("GC needs the {} table", table.name()),
    ///     Some(Absence::NotInVersion { majors, found }) => {
    ///         println!("GC holds for Wasmtime {majors:?}, this is {found}")
    ///     }
    /// }
    /// ```
    pub fn absence(&self, table: TableId) -> Option<&Absence> {
        self.absent
            .iter()
            .find(|(id, _)| *id == table)
            .map(|(_, why)| why)
    }

    /// Why `capability` is absent, or `None` when it is present.
    ///
    /// ```no_run
    /// use wasmtime_dyn::Capability;
    /// # let wasmtime: &'static wasmtime_dyn::Wasmtime = unimplemented!();
    /// if let Some(why) = wasmtime.capability_absence(Capability::Threads) {
    ///     println!("no threads: {why:?}");
    /// }
    /// ```
    pub fn capability_absence(&self, capability: Capability) -> Option<&Absence> {
        self.absence(TableId::for_capability(capability))
    }

    /// The layout of `wasmtime_val_t` in this library.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Capability, ValAbi};
    /// # let wasmtime: &'static wasmtime_dyn::Wasmtime = unimplemented!();
    /// // From Wasmtime 45 on, the GC capability decides the layout.
    /// if wasmtime.version().major() >= 45 {
    ///     assert_eq!(wasmtime.val_abi() == ValAbi::Gc, wasmtime.has(Capability::Gc));
    /// }
    /// ```
    pub fn val_abi(&self) -> ValAbi {
        self.val_abi
    }

    /// The raw function tables, for C functions the safe API does not wrap.
    ///
    /// ```no_run
    /// use wasmtime_dyn::Capability;
    /// # let wasmtime: &'static wasmtime_dyn::Wasmtime = unimplemented!();
    /// let tables = wasmtime.tables();
    /// assert_eq!(tables.compiler.is_some(), wasmtime.has(Capability::Compiler));
    /// ```
    pub fn tables(&self) -> &Tables {
        &self.tables
    }

    /// The table `table` of this library (an addition or a part of a
    /// later major), or [`ErrorKind::UnsupportedVersion`] naming `feature`
    /// and the majors whose libraries have it when this one's major lacks
    /// it ([`ErrorKind::Unsupported`] when it lacks the capability the
    /// table belongs to).
    ///
    /// [`ErrorKind::UnsupportedVersion`]: crate::ErrorKind::UnsupportedVersion
    /// [`ErrorKind::Unsupported`]: crate::ErrorKind::Unsupported
    pub(crate) fn later<T: crate::sys::tables::Table>(
        &'static self,
        table: &'static Option<T>,
        feature: &'static str,
    ) -> crate::error::Result<&'static T> {
        table.as_ref().ok_or_else(|| {
            let id = T::ID;
            if let Some(&required) = id.requires().iter().find(|r| self.absence(**r).is_some()) {
                if let TableKind::Capability(c) = required.kind() {
                    return crate::ErrorKind::Unsupported(c).into();
                }
            }
            crate::ErrorKind::UnsupportedVersion {
                feature,
                needs: id.majors(),
                found: self.version,
            }
            .into()
        })
    }

    /// The core functions Wasmtime 45 added (the full value, reference,
    /// heap and field types, GC type reflection, exception types), for the
    /// objects only those majors can make (a struct, array or exception
    /// type, a concrete reference type): every path that makes one asks
    /// [`Wasmtime::later`] first (`gc_types::c_reftype::since45`), so the
    /// table is there whenever such an object exists.
    pub(crate) fn core45(&self) -> &crate::sys::tables::CoreSince45 {
        self.tables
            .core_since_45
            .as_ref()
            .expect("objects of the GC type API exist only where CoreSince45 does")
    }

    /// The core functions Wasmtime 44 added (tag types and tags), for the
    /// objects only those majors can make (as for [`Wasmtime::core45`]).
    pub(crate) fn core44(&self) -> &crate::sys::tables::CoreSince44 {
        self.tables
            .core_since_44
            .as_ref()
            .expect("tag objects exist only where CoreSince44 does")
    }

    /// The core table every build has.
    ///
    /// ```no_run
    /// # let wasmtime: &'static wasmtime_dyn::Wasmtime = unimplemented!();
    /// let core = wasmtime.core();
    /// // SAFETY: `wasm_engine_new` takes nothing and returns a new engine, owned here.
    /// let engine = unsafe { (core.wasm_engine_new)() };
    /// // SAFETY: the engine is live and deleted once.
    /// unsafe { (core.wasm_engine_delete)(engine) };
    /// ```
    pub fn core(&self) -> &Core {
        &self.tables.core
    }

    /// Whether the library's compiler includes Winch. No function tells, so
    /// this looks for the message Wasmtime compiles in *instead of* Winch
    /// ("winch support not compiled in") in the library file, once.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Config, Strategy};
    /// # let wasmtime: &'static wasmtime_dyn::Wasmtime = unimplemented!();
    /// let mut config = Config::new(wasmtime);
    /// if wasmtime.has_winch() {
    ///     config.compiler().expect("Winch is a compiler").strategy(Strategy::Winch);
    /// }
    /// ```
    pub fn has_winch(&self) -> bool {
        *self.winch.get_or_init(|| {
            const ABSENT: &[u8] = b"winch support not compiled in";
            self.has(Capability::Compiler)
                && crate::versions::WINCH
                    .get(self.version.major())
                    .copied()
                    .unwrap_or(false)
                && file_contains(&self.path, ABSENT, 1 << 20)
                    .map(|found| !found)
                    .unwrap_or(false)
        })
    }

    /// Whether the library was built with the C API feature of
    /// `capability`, even where this crate does not hand the capability out
    /// (async before 42, the component model before 40): such a build's
    /// engines still turn the feature's wasm proposal on by default and
    /// reserve its pools (`versions::BUILD_MARKERS`).
    pub(crate) fn built_with(&self, capability: Capability) -> bool {
        self.capabilities.contains(capability) || self.built_with.contains(capability)
    }

    /// Everything the library was built with: its capabilities, and those
    /// [`Wasmtime::built_with`] finds though they are not handed out.
    pub(crate) fn built_capabilities(&self) -> Capabilities {
        let mut all = self.capabilities;
        for capability in self.built_with {
            all.insert(capability);
        }
        all
    }

    /// The config setter of the wasm proposal of `capability`, where the
    /// library is built with it but does not hand it out
    /// (`versions::BUILT_PROPOSAL_SETTERS`): where the capability is handed
    /// out its table has the setter.
    pub(crate) fn proposal_setter(&self, capability: Capability) -> Option<ProposalSetter> {
        self.proposal_setters
            .iter()
            .find(|(c, _)| *c == capability)
            .map(|&(_, setter)| setter)
    }

    /// Features whose presence no library can reveal, always reported as
    /// unknown rather than guessed.
    ///
    /// ```
    /// use wasmtime_dyn::{UndetectableFeature, Wasmtime};
    /// assert!(Wasmtime::undetectable_features().contains(&UndetectableFeature::Logging));
    /// ```
    pub fn undetectable_features() -> &'static [UndetectableFeature] {
        &UndetectableFeature::ALL
    }
}

impl std::fmt::Debug for Wasmtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Wasmtime")
            .field("path", &self.path())
            .field("version", &self.version)
            .field("capabilities", &self.capabilities)
            .field("val_abi", &self.val_abi)
            .finish_non_exhaustive()
    }
}

/// Whether the file at `path` holds `needle`, read `chunk` bytes at a time:
/// the memory it takes is the chunk's, whatever the file's size.
fn file_contains(path: &Path, needle: &[u8], chunk: usize) -> std::io::Result<bool> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut buf = vec![0u8; chunk + needle.len()];
    // Bytes carried over from the previous chunk, which a match may start
    // in.
    let mut kept = 0;
    loop {
        let read = match file.read(&mut buf[kept..]) {
            Ok(0) => return Ok(false),
            Ok(read) => read,
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(err),
        };
        let filled = kept + read;
        if buf[..filled].windows(needle.len()).any(|w| w == needle) {
            return Ok(true);
        }
        kept = needle.len().saturating_sub(1).min(filled);
        buf.copy_within(filled - kept..filled, 0);
    }
}

/// The opened library whose tables `is_it` recognises (for code that holds
/// one table of a library and needs another, on rare paths: it locks the
/// registry).
pub(crate) fn opened_by(is_it: impl Fn(&Tables) -> bool) -> Option<&'static Wasmtime> {
    registry().iter().copied().find(|w| is_it(w.tables()))
}

/// A file's device and inode.
type FileId = (u64, u64);

/// The device and inode of the file `metadata` describes, where the
/// platform has them.
fn file_id(metadata: &std::fs::Metadata) -> Option<FileId> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some((metadata.dev(), metadata.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = metadata;
        None
    }
}

/// The library opened from the file `id` (else, where the platform has no
/// file ids, from `path`), if one was.
fn find_opened(
    opened: &[&'static Wasmtime],
    id: Option<FileId>,
    path: &Path,
) -> Option<&'static Wasmtime> {
    opened
        .iter()
        .find(|w| match (id, w.file) {
            (Some(id), Some(file)) => id == file,
            _ => w.path == path,
        })
        .copied()
}

fn registry() -> std::sync::MutexGuard<'static, Vec<&'static Wasmtime>> {
    // A panic while the lock was held cannot leave the list half-updated
    // (it is only pushed to), so a poisoned lock is still usable.
    OPENED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Refuses what is not a regular file before the system loader sees it
/// (a FIFO would block `dlopen`), saying what it is.
fn check_file(path: &Path, origin: &Origin) -> Result<std::fs::Metadata, LoadError> {
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return Err(LoadError::NotFound {
                path: path.to_path_buf(),
                origin: origin.clone(),
            })
        }
        Err(err) => {
            return Err(LoadError::Unreadable {
                path: path.to_path_buf(),
                origin: origin.clone(),
                reason: err.to_string(),
            })
        }
    };
    let kind = metadata.file_type();
    if kind.is_file() {
        return Ok(metadata);
    }
    let kind = if kind.is_dir() {
        "a directory"
    } else {
        special_file_kind(&kind)
    };
    Err(LoadError::NotAFile {
        path: path.to_path_buf(),
        origin: origin.clone(),
        kind,
    })
}

#[cfg(unix)]
fn special_file_kind(kind: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_block_device() || kind.is_char_device() {
        "a device"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn special_file_kind(_: &std::fs::FileType) -> &'static str {
    "a special file"
}

/// What the file's exports say, before it is loaded: the functions, and the
/// version (a refusal when it is outside the window or not Wasmtime at
/// all).
struct Plan<'a> {
    exports: exports::Exports<'a>,
    version: Known,
}

/// The version as the exports tell it.
enum Known {
    /// The file names its exact version.
    Exact(Version),
    /// The supported majors the exports fit, to be told apart by the
    /// version text of the loaded object's read-only data or, failing
    /// that, by probing.
    Candidates(Vec<u32>),
}

/// The dynamic symbols of the file at `path`, read from `file` where it is
/// open already.
fn symbols(
    path: &Path,
    file: Option<std::fs::File>,
    origin: &Origin,
) -> Result<exports::Symbols, LoadError> {
    match file {
        Some(file) => exports::read_file(file),
        None => exports::read(path),
    }
    .map_err(|err| match err {
        exports::ReadError::Malformed(reason) => LoadError::Open {
            path: path.to_path_buf(),
            origin: origin.clone(),
            reason,
        },
        exports::ReadError::TooLarge {
            table,
            claimed,
            limit,
        } => LoadError::TableTooLarge {
            path: path.to_path_buf(),
            origin: origin.clone(),
            table,
            claimed,
            limit,
        },
    })
}

fn plan<'a>(
    symbols: &'a exports::Symbols,
    path: &Path,
    origin: &Origin,
) -> Result<Plan<'a>, LoadError> {
    let exports = symbols.exports();
    if let Some(exact) = exports.exact {
        if !crate::versions::SUPPORTED_MAJORS.contains(&exact.major()) {
            return Err(unsupported(path, origin, exact.to_string()));
        }
        if exports.missing_core.is_empty() {
            return Ok(Plan {
                exports,
                version: Known::Exact(exact),
            });
        }
    }
    let missing = exports.missing_core.len();
    if missing > 0 && missing < Core::FUNCTIONS.len() / 2 {
        // Most of the core is there: a Wasmtime of another major more
        // likely than another library.
        return Err(unsupported(
            path,
            origin,
            format!(
                "of a major outside the window: it lacks {missing} of the core functions every supported major exports ({})",
                error::NameList(&exports.missing_core)
            ),
        ));
    }
    if missing > 0 {
        return Err(LoadError::NotWasmtime {
            path: path.to_path_buf(),
            origin: origin.clone(),
            missing: exports.missing_core,
            total: Core::FUNCTIONS.len(),
        });
    }
    let candidates = exports.candidate_majors();
    if candidates.is_empty() {
        return Err(unsupported(
            path,
            origin,
            "of a major whose exports fit none of the supported ones".into(),
        ));
    }
    Ok(Plan {
        exports,
        version: Known::Candidates(candidates),
    })
}

unsafe fn open_file(path: &Path, origin: Origin) -> Result<&'static Wasmtime, LoadError> {
    let metadata = check_file(path, &origin)?;
    let id = file_id(&metadata);
    // The system loader searches for a name without a slash: the path it
    // is given is absolute. Where the platform has no file ids, it is the
    // canonical one, which tells files apart.
    let absolute = if path.is_absolute() && id.is_some() {
        path.to_path_buf()
    } else {
        path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
    };
    let mut opened = registry();
    if let Some(found) = find_opened(&opened, id, &absolute) {
        return Ok(found);
    }
    let file = std::fs::File::open(path).map_err(|err| LoadError::Open {
        path: path.to_path_buf(),
        origin: origin.clone(),
        reason: err.to_string(),
    })?;
    let symbols = symbols(path, Some(file), &origin)?;
    let plan = plan(&symbols, path, &origin)?;
    // SAFETY: the caller vouches for the library.
    let library =
        unsafe { library::open(absolute.as_os_str()) }.map_err(|reason| LoadError::Open {
            path: path.to_path_buf(),
            origin: origin.clone(),
            reason,
        })?;
    let (plan, addresses) = locate(library, plan, &absolute, &origin)?;
    // The file's tables are no longer needed: their memory is free for
    // what follows.
    drop(symbols);
    // SAFETY: the caller vouches for the library; `plan` read its version.
    let wasmtime = unsafe { resolve(library, plan, addresses, absolute, id, origin) }?;
    opened.push(wasmtime);
    Ok(wasmtime)
}

unsafe fn open_by_name(name: &OsStr) -> Result<&'static Wasmtime, LoadError> {
    let origin = Origin::SystemSearch;
    let mut opened = registry();
    // SAFETY: the caller vouches for the library.
    let library = unsafe { library::open(name) }.map_err(|reason| LoadError::Open {
        path: PathBuf::from(name),
        origin: origin.clone(),
        reason,
    })?;
    let anchor = library::symbol(library, c"wasm_engine_new");
    let path = library::file_of(anchor)
        .and_then(|p| p.canonicalize().ok())
        .unwrap_or_else(|| PathBuf::from(name));
    let id = std::fs::metadata(&path).ok().as_ref().and_then(file_id);
    if let Some(found) = find_opened(&opened, id, &path) {
        return Ok(found);
    }
    // The system search gives no path before loading; the version is read
    // from the file the loader chose.
    let symbols = symbols(&path, None, &origin)?;
    let plan = plan(&symbols, &path, &origin)?;
    let (plan, addresses) = locate(library, plan, &path, &origin)?;
    drop(symbols);
    // SAFETY: the caller vouches for the library; `plan` read its version.
    let wasmtime = unsafe { resolve(library, plan, addresses, path, id, origin) }?;
    opened.push(wasmtime);
    Ok(wasmtime)
}

/// What the read-only data of `object`, loaded from the file `exports` was
/// read from, says about its version: its `.rodata` section, where the
/// file puts it, must lie in a readable segment of the object. The
/// internal-bug message (45 and later) first, else the `wasmtime` crate's
/// source paths ([`crate::versions::version_text`]).
fn version_text(object: &library::LoadedObject, exports: &exports::Exports) -> VersionText {
    let Some((address, len)) = exports.rodata else {
        return VersionText::Absent;
    };
    let bytes = usize::try_from(address)
        .ok()
        .zip(usize::try_from(len).ok())
        .and_then(|(address, len)| object.bytes(object.base.wrapping_add(address), len));
    match bytes {
        Some(bytes) => match exports::find_version_text(bytes) {
            VersionText::Absent => exports::find_source(bytes),
            found => found,
        },
        None => VersionText::Absent,
    }
}

fn unsupported(path: &Path, origin: &Origin, found: String) -> LoadError {
    LoadError::UnsupportedVersion {
        path: path.to_path_buf(),
        origin: origin.clone(),
        found,
        supported: crate::versions::SUPPORTED_MAJORS,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The round's libraries (every round has full; 36, 48 and 50 also min and
    /// compiler-only), as `cargo xtask test` sets them, or, under a plain
    /// `cargo test`, as `cargo xtask artifacts` wrote them down in
    /// `.test-libraries` (the same fallback as `tests/common`).
    fn round_libraries() -> Vec<PathBuf> {
        let manifest =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/.test-libraries"))
                .unwrap_or_default();
        let from_env = std::env::var_os("WASMTIME_DYN_TEST_FULL").is_some();
        let var = |name: &str| -> Option<PathBuf> {
            if from_env {
                return std::env::var_os(name).map(PathBuf::from);
            }
            let prefix = format!("{name}=");
            manifest
                .lines()
                .find_map(|l| l.strip_prefix(prefix.as_str()))
                .map(PathBuf::from)
        };
        let full = var("WASMTIME_DYN_TEST_FULL").unwrap_or_else(|| {
            panic!(
                "WASMTIME_DYN_TEST_FULL is not set: run `cargo xtask artifacts` (then `cargo test` \
                 finds the libraries) or `cargo xtask test`"
            )
        });
        let mut libs = vec![full];
        for name in ["WASMTIME_DYN_TEST_MIN", "WASMTIME_DYN_TEST_COMPILER_ONLY"] {
            libs.extend(var(name));
        }
        libs
    }

    /// The value layout comes from the major: 36's whatever the build, the
    /// wide one on 37 to 44 whatever the build, the Gc table's from 45.
    #[test]
    fn value_layouts_by_major() {
        for has_gc in [false, true] {
            assert_eq!(ValAbi::of_major(36, has_gc), Some(ValAbi::V36));
            for major in 37..=44 {
                assert_eq!(ValAbi::of_major(major, has_gc), Some(ValAbi::Gc), "{major}");
            }
            for major in 45..=50 {
                let want = if has_gc { ValAbi::Gc } else { ValAbi::NoGc };
                assert_eq!(ValAbi::of_major(major, has_gc), Some(want), "{major}");
            }
            assert_eq!(ValAbi::of_major(35, has_gc), None);
            assert_eq!(ValAbi::of_major(51, has_gc), None);
        }
        assert_eq!(ValAbi::V36.val_size(), 24);
    }

    /// A string is found wherever it lies across the chunks the file is
    /// read in, and not found when it is not there.
    #[test]
    fn file_contains_finds_strings_across_chunks() {
        let path =
            std::env::temp_dir().join(format!("wasmtime-dyn-contains-{}", std::process::id()));
        let needle = b"winch support not compiled in";
        for at in [0, 1, 60, 64 - needle.len(), 64 - 5, 64, 200 - needle.len()] {
            let mut bytes = vec![b'w'; 200];
            bytes[at..at + needle.len()].copy_from_slice(needle);
            std::fs::write(&path, &bytes).unwrap();
            assert!(file_contains(&path, needle, 64).unwrap(), "at {at}");
            bytes[at + needle.len() - 1] = b'x';
            std::fs::write(&path, &bytes).unwrap();
            assert!(!file_contains(&path, needle, 64).unwrap(), "cut at {at}");
        }
        std::fs::remove_file(&path).unwrap();
    }

    /// Every address computed from the file's symbol values is the one
    /// `dlsym` gives, for every function of every table the library has,
    /// and lies in the library's code.
    #[test]
    fn computed_addresses_are_dlsyms() {
        for path in round_libraries() {
            let symbols = exports::read(&path).unwrap();
            let exports = symbols.exports();
            // SAFETY: the test libraries are Wasmtime C API libraries.
            let library = unsafe { library::open(path.as_os_str()) }.unwrap();
            let Addresses::Computed(object) = addresses(library, &exports).unwrap() else {
                panic!("{}: addresses not computed", path.display());
            };
            assert!(
                object.build_id.is_some(),
                "{}: no build id in memory",
                path.display()
            );
            assert_eq!(
                exports.build_id,
                object.build_id.as_deref(),
                "{}",
                path.display()
            );
            let mut computed = 0;
            for table in crate::sys::tables::TableId::ALL {
                for name in table.functions() {
                    let Some(Some(value)) = exports.get(name.as_bytes()) else {
                        continue;
                    };
                    let c_name = std::ffi::CString::new(*name).unwrap();
                    let linked = library::symbol(library, &c_name) as usize;
                    let ours = object.base.wrapping_add(usize::try_from(value).unwrap());
                    assert_eq!(ours, linked, "{}: {name}", path.display());
                    assert!(object.is_code(ours), "{}: {name}", path.display());
                    computed += 1;
                }
            }
            assert!(
                computed >= Core::FUNCTIONS.len(),
                "{}: {computed}",
                path.display()
            );
        }
    }
}
