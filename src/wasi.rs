//! WASI preview 1 for core modules: the [`Wasi`](Capability::Wasi)
//! capability.
//!
//! ```no_run
//! use wasmtime_dyn::wasi::{Captured, Output, WasiConfig};
//! use wasmtime_dyn::{Engine, ErrorKind, Linker, Module, Store};
//! # let (engine, module): (Engine, Module) = unimplemented!();
//! let mut linker = Linker::new(&engine);
//! linker.define_wasi()?;
//! let stdout = Captured::new();
//! let mut store = Store::new(&engine, ());
//! store.set_wasi(WasiConfig::new().args(["app"]).stdout(Output::Capture(stdout.clone())))?;
//! let instance = linker.instantiate(&mut store, &module)?;
//! let start = instance.get_typed_func::<(), ()>(&mut store, "_start")?;
//! match start.call(&mut store, ()) {
//!     Err(err) if !matches!(err.downcast_ref(), Some(ErrorKind::Exit(0))) => return Err(err),
//!     _ => print!("{}", String::from_utf8_lossy(&stdout.contents())),
//! }
//! # Ok::<(), wasmtime_dyn::Error>(())
//! ```

pub mod http;
pub mod p1;
pub mod p2;

pub use p1::{FilePerms, WasiCtxBuilder};
pub use p2::{cli, ResourceTable, ResourceTableError, WasiCtx, WasiCtxView, WasiView};

use crate::capability::Capability;
use crate::engine::Engine;
use crate::error::{Error, ErrorKind, Result};
use crate::linker::Linker;
use crate::store::{AsContextMut, Store};
use crate::sys::tables;
use crate::sys::types::*;
use std::ffi::{c_void, CStr, CString};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Where a WASI program's output stream goes.
///
/// ```
/// use wasmtime_dyn::wasi::{Captured, Output, WasiConfig};
/// let errors = Captured::new();
/// let mut config = WasiConfig::new();
/// config.stdout(Output::Inherit).stderr(Output::Capture(errors.clone()));
/// ```
#[derive(Clone, Debug, Default)]
pub enum Output {
    /// Nowhere (WASI's default).
    #[default]
    Closed,
    /// This process's own stream.
    Inherit,
    /// A file, created or truncated.
    File(PathBuf),
    /// Memory the host reads afterwards.
    Capture(Captured),
}

/// Output captured in memory, shared with the running program: read it with
/// [`Captured::contents`].
///
/// ```
/// use wasmtime_dyn::wasi::Captured;
/// let out = Captured::new();
/// assert!(out.contents().is_empty());
/// ```
#[derive(Clone, Debug)]
pub struct Captured(Arc<Mutex<Vec<u8>>>, usize);

impl Default for Captured {
    fn default() -> Self {
        Captured(Arc::default(), usize::MAX)
    }
}

impl Captured {
    /// An empty buffer.
    ///
    /// ```
    /// use wasmtime_dyn::wasi::Captured;
    /// let out = Captured::new();
    /// let same = out.clone(); // shares the buffer: give one to WASI, read the other
    /// assert!(same.contents().is_empty());
    /// ```
    pub fn new() -> Captured {
        Captured::default()
    }

    /// Everything written so far.
    ///
    /// ```no_run
    /// use wasmtime_dyn::wasi::{Captured, Output, WasiConfig};
    /// use wasmtime_dyn::{Store, TypedFunc};
    /// # let (mut store, start): (Store<()>, TypedFunc<(), ()>) = unimplemented!();
    /// let stdout = Captured::new();
    /// store.set_wasi(WasiConfig::new().stdout(Output::Capture(stdout.clone())))?;
    /// start.call(&mut store, ())?;
    /// println!("the program wrote {:?}", String::from_utf8_lossy(&stdout.contents()));
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn contents(&self) -> Vec<u8> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// An empty buffer that keeps at most `capacity` bytes (see
    /// [`p2::pipe::MemoryOutputPipe`]): a write that does not fit keeps
    /// what fits and fails.
    pub(crate) fn bounded(capacity: usize) -> Captured {
        Captured(Arc::default(), capacity)
    }
}

/// Where a WASI program's standard input comes from.
///
/// ```
/// use wasmtime_dyn::wasi::{Input, WasiConfig};
/// let mut config = WasiConfig::new();
/// config.stdin(Input::File("input.txt".into())); // opened when applied to a store
/// ```
#[derive(Clone, Debug, Default)]
pub enum Input {
    /// Empty (WASI's default).
    #[default]
    Closed,
    /// This process's standard input.
    Inherit,
    /// These bytes.
    Bytes(Vec<u8>),
    /// A file.
    File(PathBuf),
}

/// What a WASI program may do in a preopened directory.
///
/// ```
/// use wasmtime_dyn::wasi::{DirPerms, WasiConfig};
/// let mut config = WasiConfig::new();
/// config
///     .preopen_dir("./assets", "/assets", DirPerms::ReadOnly)
///     .preopen_dir("./out", "/out", DirPerms::ReadWrite);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DirPerms {
    /// Read files and list directories only.
    ReadOnly,
    /// Also create, write and remove.
    ReadWrite,
}

/// A WASI program's environment: arguments, environment variables, standard
/// streams and preopened directories. Plain data; applied to a store with
/// [`Wasi::set`] (or [`Store::set_wasi`]).
///
/// ```
/// use wasmtime_dyn::wasi::{Captured, DirPerms, Output, WasiConfig};
/// let stdout = Captured::new();
/// let mut config = WasiConfig::new();
/// config
///     .args(["prog", "--verbose"])
///     .env("LANG", "C")
///     .stdin_bytes(b"input".to_vec())
///     .stdout(Output::Capture(stdout.clone()))
///     .preopen_dir("/tmp", "/tmp", DirPerms::ReadOnly);
/// ```
#[derive(Clone, Debug, Default)]
pub struct WasiConfig {
    args: Option<Vec<String>>,
    inherit_args: bool,
    env: Vec<(String, String)>,
    inherit_env: bool,
    stdin: Input,
    stdout: Output,
    stderr: Output,
    preopens: Vec<(PathBuf, String, DirPerms)>,
}

impl WasiConfig {
    /// No arguments, no environment, closed streams, no directories.
    ///
    /// ```
    /// use wasmtime_dyn::wasi::WasiConfig;
    /// let mut config = WasiConfig::new();
    /// config.inherit_stdio();
    /// ```
    pub fn new() -> WasiConfig {
        WasiConfig::default()
    }

    /// The program's arguments (the first is its name, by convention).
    ///
    /// ```
    /// use wasmtime_dyn::wasi::WasiConfig;
    /// let mut config = WasiConfig::new();
    /// config.args(["app.wasm", "--verbose"]);
    /// ```
    pub fn args<S: Into<String>>(&mut self, args: impl IntoIterator<Item = S>) -> &mut Self {
        self.args = Some(args.into_iter().map(Into::into).collect());
        self
    }

    /// This process's arguments.
    ///
    /// ```
    /// use wasmtime_dyn::wasi::WasiConfig;
    /// let mut config = WasiConfig::new();
    /// config.inherit_args();
    /// ```
    pub fn inherit_args(&mut self) -> &mut Self {
        self.inherit_args = true;
        self
    }

    /// Adds an environment variable.
    ///
    /// ```
    /// use wasmtime_dyn::wasi::WasiConfig;
    /// let mut config = WasiConfig::new();
    /// config.env("RUST_LOG", "debug").env("HOME", "/home/app");
    /// ```
    pub fn env(&mut self, name: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.env.push((name.into(), value.into()));
        self
    }

    /// This process's environment.
    ///
    /// ```
    /// use wasmtime_dyn::wasi::WasiConfig;
    /// let mut config = WasiConfig::new();
    /// config.inherit_env().env("EXTRA", "1");
    /// ```
    pub fn inherit_env(&mut self) -> &mut Self {
        self.inherit_env = true;
        self
    }

    /// Standard input.
    ///
    /// ```
    /// use wasmtime_dyn::wasi::{Input, WasiConfig};
    /// let mut config = WasiConfig::new();
    /// config.stdin(Input::Inherit);
    /// ```
    pub fn stdin(&mut self, input: Input) -> &mut Self {
        self.stdin = input;
        self
    }

    /// Standard input from these bytes.
    ///
    /// ```
    /// use wasmtime_dyn::wasi::WasiConfig;
    /// let mut config = WasiConfig::new();
    /// config.stdin_bytes(b"1 2 3\n".to_vec());
    /// ```
    pub fn stdin_bytes(&mut self, bytes: Vec<u8>) -> &mut Self {
        self.stdin(Input::Bytes(bytes))
    }

    /// Standard output.
    ///
    /// ```
    /// use wasmtime_dyn::wasi::{Output, WasiConfig};
    /// let mut config = WasiConfig::new();
    /// config.stdout(Output::File("out.txt".into())); // created when applied to a store
    /// ```
    pub fn stdout(&mut self, output: Output) -> &mut Self {
        self.stdout = output;
        self
    }

    /// Standard error.
    ///
    /// ```
    /// use wasmtime_dyn::wasi::{Output, WasiConfig};
    /// let mut config = WasiConfig::new();
    /// config.stderr(Output::Inherit);
    /// ```
    pub fn stderr(&mut self, output: Output) -> &mut Self {
        self.stderr = output;
        self
    }

    /// This process's standard input, output and error.
    ///
    /// ```
    /// use wasmtime_dyn::wasi::WasiConfig;
    /// let mut config = WasiConfig::new();
    /// config.args(["app"]).inherit_stdio();
    /// ```
    pub fn inherit_stdio(&mut self) -> &mut Self {
        self.stdin = Input::Inherit;
        self.stdout = Output::Inherit;
        self.stderr = Output::Inherit;
        self
    }

    /// Gives the program the host directory `host` as `guest`.
    ///
    /// ```
    /// use wasmtime_dyn::wasi::{DirPerms, WasiConfig};
    /// let mut config = WasiConfig::new();
    /// config.preopen_dir(std::env::temp_dir(), "/tmp", DirPerms::ReadWrite);
    /// ```
    pub fn preopen_dir(
        &mut self,
        host: impl AsRef<Path>,
        guest: impl Into<String>,
        perms: DirPerms,
    ) -> &mut Self {
        self.preopens
            .push((host.as_ref().to_path_buf(), guest.into(), perms));
        self
    }

    /// Builds the C configuration; the caller owns it.
    fn to_c(
        &self,
        table: &tables::Wasi,
        preopen: Preopen,
        core: &tables::Core,
        wasmtime: &'static crate::Wasmtime,
    ) -> Result<*mut wasi_config_t> {
        // SAFETY: returns a new owned configuration.
        let config = unsafe { (table.wasi_config_new)() };
        let guard = ConfigGuard { table, config };
        if self.inherit_args {
            // SAFETY: `config` is live.
            unsafe { (table.wasi_config_inherit_argv)(config) };
        }
        if let Some(args) = &self.args {
            let owned = c_strings(args.iter().map(String::as_str), "argument")?;
            let mut ptrs: Vec<*const std::ffi::c_char> = owned.iter().map(|s| s.as_ptr()).collect();
            // SAFETY: `config` is live; the strings outlive the call, which
            // copies them.
            let ok = unsafe { (table.wasi_config_set_argv)(config, ptrs.len(), ptrs.as_mut_ptr()) };
            if !ok {
                return Err(ErrorKind::Invalid(
                    "WASI refused the arguments (not valid UTF-8?)".into(),
                )
                .into());
            }
        }
        if self.inherit_env {
            // SAFETY: `config` is live.
            unsafe { (table.wasi_config_inherit_env)(config) };
        }
        if !self.env.is_empty() {
            let names = c_strings(
                self.env.iter().map(|(n, _)| n.as_str()),
                "environment variable name",
            )?;
            let values = c_strings(
                self.env.iter().map(|(_, v)| v.as_str()),
                "environment variable value",
            )?;
            let mut n: Vec<*const std::ffi::c_char> = names.iter().map(|s| s.as_ptr()).collect();
            let mut v: Vec<*const std::ffi::c_char> = values.iter().map(|s| s.as_ptr()).collect();
            // SAFETY: `config` is live; both arrays hold `len` strings that
            // outlive the call, which copies them.
            let ok = unsafe {
                (table.wasi_config_set_env)(config, n.len(), n.as_mut_ptr(), v.as_mut_ptr())
            };
            if !ok {
                return Err(ErrorKind::Invalid("WASI refused the environment".into()).into());
            }
        }
        match &self.stdin {
            Input::Closed => {}
            // SAFETY: `config` is live.
            Input::Inherit => unsafe { (table.wasi_config_inherit_stdin)(config) },
            Input::Bytes(bytes) => {
                let mut vec = wasm_byte_vec_t {
                    size: 0,
                    data: std::ptr::null_mut(),
                };
                // SAFETY: copies `bytes` into a new vector, whose contents
                // the WASI config then takes over.
                unsafe {
                    (core.wasm_byte_vec_new)(&mut vec, bytes.len(), bytes.as_ptr().cast());
                    (table.wasi_config_set_stdin_bytes)(config, &mut vec);
                }
            }
            Input::File(path) => {
                refuse_fifo(path, "standard input")?;
                let c = path_c(path)?;
                // SAFETY: `config` is live; `c` is NUL-terminated.
                if !unsafe { (table.wasi_config_set_stdin_file)(config, c.as_ptr()) } {
                    return Err(io_error(path, "cannot be opened as standard input"));
                }
            }
        }
        set_output(table, wasmtime, config, &self.stdout, Stream::Stdout)?;
        set_output(table, wasmtime, config, &self.stderr, Stream::Stderr)?;
        for (host, guest, perms) in &self.preopens {
            let host_c = path_c(host)?;
            let guest_c = CString::new(guest.as_str()).map_err(|_| {
                ErrorKind::Invalid(format!("the guest path {guest:?} contains a NUL byte"))
            })?;
            if !preopen.call(config, &host_c, &guest_c, *perms) {
                return Err(io_error(
                    host,
                    "cannot be preopened (does the directory exist?)",
                ));
            }
        }
        std::mem::forget(guard);
        Ok(config)
    }
}

/// Deletes a WASI configuration on an early return.
struct ConfigGuard<'a> {
    table: &'a tables::Wasi,
    config: *mut wasi_config_t,
}

impl Drop for ConfigGuard<'_> {
    fn drop(&mut self) {
        // SAFETY: the configuration is still owned here (the guard is
        // forgotten once ownership moves on).
        unsafe { (self.table.wasi_config_delete)(self.config) };
    }
}

#[derive(Clone, Copy)]
enum Stream {
    Stdout,
    Stderr,
}

unsafe extern "C" fn capture_write(data: *mut c_void, buf: *const u8, len: usize) -> isize {
    // SAFETY: `data` is the boxed `Captured` given with this callback,
    // alive until the finalizer runs.
    let captured = unsafe { &*data.cast::<Captured>() };
    let bytes = if len == 0 {
        &[][..]
    } else {
        // SAFETY: Wasmtime passes `len` readable bytes at `buf`.
        unsafe { std::slice::from_raw_parts(buf, len) }
    };
    // Never unwind into C: a failure reports an error (-1) to the guest.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut buffer = captured.0.lock().unwrap_or_else(|p| p.into_inner());
        // A bounded buffer keeps what fits, as the crate's
        // `MemoryOutputPipe`, and the write fails: the C API turns a
        // negative count into that OS error for the guest (ENOSPC, "no
        // space left on device", is 28 on Linux, macOS and Windows).
        let room = captured.1.saturating_sub(buffer.len());
        if bytes.len() > room {
            buffer.extend_from_slice(&bytes[..room]);
            return -28;
        }
        buffer.extend_from_slice(bytes);
        isize::try_from(len).unwrap_or(isize::MAX)
    }))
    .unwrap_or(-1)
}

unsafe extern "C" fn capture_drop(data: *mut c_void) {
    // SAFETY: the box leaked in `set_output`, finalized once.
    let captured = unsafe { Box::from_raw(data.cast::<Captured>()) };
    crate::panics::in_finalizer(move || drop(captured));
}

/// Picks the setter of a custom output stream (both have one signature).
type CustomOutput = fn(&tables::WasiSince39) -> crate::sys::fns::wasi_config_set_stdout_custom;

fn set_output(
    table: &tables::Wasi,
    wasmtime: &'static crate::Wasmtime,
    config: *mut wasi_config_t,
    output: &Output,
    stream: Stream,
) -> Result<()> {
    let (inherit, file, custom) = match stream {
        Stream::Stdout => (
            table.wasi_config_inherit_stdout,
            table.wasi_config_set_stdout_file,
            (|t| t.wasi_config_set_stdout_custom) as CustomOutput,
        ),
        Stream::Stderr => (
            table.wasi_config_inherit_stderr,
            table.wasi_config_set_stderr_file,
            (|t| t.wasi_config_set_stderr_custom) as CustomOutput,
        ),
    };
    match output {
        Output::Closed => {}
        // SAFETY: `config` is live.
        Output::Inherit => unsafe { inherit(config) },
        Output::File(path) => {
            refuse_fifo(path, "output")?;
            let c = path_c(path)?;
            // SAFETY: `config` is live; `c` is NUL-terminated.
            if !unsafe { file(config, c.as_ptr()) } {
                return Err(io_error(path, "cannot be opened for output"));
            }
        }
        Output::Capture(captured) => {
            // Custom output streams arrived in Wasmtime 39.
            let since39 = wasmtime.later(&wasmtime.tables().wasi_since_39, "WasiConfig capture")?;
            let custom = custom(since39);
            let data = Box::into_raw(Box::new(captured.clone()));
            // SAFETY: `config` is live; `data` belongs to the config from
            // now on and is freed by `capture_drop`.
            unsafe { custom(config, Some(capture_write), data.cast(), Some(capture_drop)) };
        }
    }
    Ok(())
}

fn c_strings<'a>(items: impl Iterator<Item = &'a str>, what: &str) -> Result<Vec<CString>> {
    items
        .map(|s| {
            CString::new(s).map_err(|_| {
                ErrorKind::Invalid(format!("the WASI {what} {s:?} contains a NUL byte")).into()
            })
        })
        .collect()
}

fn path_c(path: &Path) -> Result<CString> {
    let text = path.to_str().ok_or_else(|| {
        ErrorKind::Invalid(format!(
            "{} is not valid UTF-8, which WASI needs",
            path.display()
        ))
    })?;
    CString::new(text)
        .map_err(|_| ErrorKind::Invalid(format!("{} contains a NUL byte", path.display())).into())
}

/// Installs in `cx`'s store the WASI context its data holds (`config_of`
/// finds it), unless the store has one already: how a linker given a
/// getter (`p1::add_to_linker_sync`, `p2::add_to_linker_sync`) gets the
/// context into the C store before any WASI call.
pub(crate) fn provide_from_data<T>(
    cx: &mut crate::store::StoreContextMut<'_, T>,
    config_of: impl FnOnce(&mut T) -> &WasiConfig,
) -> Result<()> {
    if cx.has_wasi() {
        return Ok(());
    }
    let config = config_of(cx.data_mut()).clone();
    cx.engine()
        .wasi()
        .ok_or(ErrorKind::Unsupported(Capability::Wasi))?
        .set(cx, &config)
}

/// Refuses a FIFO (named pipe) as a WASI stream: the C API opens the path
/// with a blocking `open`, which waits, forever if need be, until another
/// process opens the other end. Asking the file system what `path` is
/// (`stat`) never blocks. A path that does not exist yet is left to the
/// C API (an output file is created).
fn refuse_fifo(path: &Path, what: &str) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if let Ok(meta) = std::fs::metadata(path) {
            if meta.file_type().is_fifo() {
                return Err(io_error(
                    path,
                    &format!(
                        "is a FIFO, which cannot be WASI {what}: opening it blocks until another \
                         process opens its other end; use a regular file, `Capture`, `Bytes` or \
                         `Inherit` instead"
                    ),
                ));
            }
        }
    }
    #[cfg(not(unix))]
    let _ = (path, what);
    Ok(())
}

fn io_error(path: &Path, what: &str) -> Error {
    ErrorKind::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(what.to_string()),
    }
    .into()
}

/// The WASI capability of an engine whose library has it, from
/// [`Engine::wasi`].
///
/// ```no_run
/// use wasmtime_dyn::wasi::WasiConfig;
/// use wasmtime_dyn::{Engine, Linker, Store};
/// # let engine: Engine = unimplemented!();
/// let wasi = engine.wasi().expect("this libwasmtime has WASI");
/// let mut linker = Linker::<()>::new(&engine);
/// wasi.add_to_linker(&mut linker)?;
/// let mut store = Store::new(&engine, ());
/// wasi.set(&mut store, WasiConfig::new().inherit_stdio())?;
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
#[derive(Clone, Copy)]
pub struct Wasi {
    table: &'static tables::Wasi,
    preopen: Preopen,
    core: &'static tables::Core,
}

/// `wasi_config_preopen_dir` with the signature of the library's major: the
/// loader hands out the one table that holds for it.
#[derive(Clone, Copy)]
enum Preopen {
    /// Wasmtime 45 to 47: directory and file permission flags.
    Flags(&'static tables::WasiPreopenFlags),
    /// Wasmtime 48 and later: whether the directory is writable.
    Mutable(&'static tables::WasiPreopen),
}

impl Preopen {
    /// Preopens `host` as `guest` in `config`; whether WASI accepted it.
    fn call(self, config: *mut wasi_config_t, host: &CStr, guest: &CStr, perms: DirPerms) -> bool {
        use crate::sys::fns_v45::{
            WASMTIME_WASI_DIR_PERMS_READ as DIR_READ, WASMTIME_WASI_DIR_PERMS_WRITE as DIR_WRITE,
            WASMTIME_WASI_FILE_PERMS_READ as FILE_READ,
            WASMTIME_WASI_FILE_PERMS_WRITE as FILE_WRITE,
        };
        let writable = perms == DirPerms::ReadWrite;
        match self {
            Preopen::Flags(table) => {
                let (dir, file) = if writable {
                    (DIR_READ | DIR_WRITE, FILE_READ | FILE_WRITE)
                } else {
                    (DIR_READ, FILE_READ)
                };
                // SAFETY: `config` is live; both strings are NUL-terminated;
                // the flags are the header's own values.
                unsafe {
                    (table.wasi_config_preopen_dir)(
                        config,
                        host.as_ptr(),
                        guest.as_ptr(),
                        dir as usize,
                        file as usize,
                    )
                }
            }
            // SAFETY: `config` is live; both strings are NUL-terminated.
            Preopen::Mutable(table) => unsafe {
                (table.wasi_config_preopen_dir)(config, host.as_ptr(), guest.as_ptr(), writable)
            },
        }
    }
}

impl Wasi {
    /// Defines the `wasi_snapshot_preview1` functions in `linker`.
    ///
    /// They need the WASI context of the store they run in ([`Wasi::set`]
    /// or [`Store::set_wasi`]): [`Linker::instantiate`] refuses a module
    /// importing from `wasi_snapshot_preview1` in a store without one, and
    /// [`Linker::get`] does not hand these functions out there (the C API
    /// would abort the process when they run).
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Engine, Linker};
    /// # let engine: Engine = unimplemented!();
    /// let mut linker = Linker::<()>::new(&engine);
    /// engine.wasi().expect("a build with WASI").add_to_linker(&mut linker)?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn add_to_linker<T: 'static>(&self, linker: &mut Linker<T>) -> Result<()> {
        if !std::ptr::eq(linker.engine().wasmtime().core(), self.core) {
            return Err(ErrorKind::WrongLibrary("the linker").into());
        }
        // SAFETY: the linker is live.
        let error = unsafe { (self.table.wasmtime_linker_define_wasi)(linker.ptr()) };
        // SAFETY: the error, if any, is fresh and owned.
        unsafe { crate::error::check(self.core, error) }?;
        linker.has_wasi = true;
        Ok(())
    }

    /// Gives `store` this WASI environment (replacing any earlier one).
    ///
    /// ```no_run
    /// use wasmtime_dyn::wasi::WasiConfig;
    /// use wasmtime_dyn::{Engine, Store};
    /// # let engine: Engine = unimplemented!();
    /// let wasi = engine.wasi().expect("a build with WASI");
    /// let mut store = Store::new(&engine, ());
    /// wasi.set(&mut store, WasiConfig::new().args(["app"]).inherit_stdio())?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn set<T>(
        &self,
        mut store: impl AsContextMut<Data = T>,
        config: &WasiConfig,
    ) -> Result<()> {
        let cx = store.as_context_mut();
        if !std::ptr::eq(cx.wasmtime().core(), self.core) {
            return Err(ErrorKind::WrongLibrary("the store").into());
        }
        let c_config = config.to_c(self.table, self.preopen, self.core, cx.wasmtime())?;
        // SAFETY: the context is live; the configuration's ownership moves
        // to the store.
        let error = unsafe { (self.table.wasmtime_context_set_wasi)(cx.context(), c_config) };
        // SAFETY: the error, if any, is fresh and owned.
        unsafe { crate::error::check(self.core, error) }?;
        // SAFETY: exclusive access to the store for the borrow.
        unsafe { (*cx.inner).has_wasi = true };
        Ok(())
    }
}

/// A WASI program's exit status, as the `wasmtime_wasi` crate's
/// `I32Exit`: the error a call returns when the program calls `proc_exit`
/// (also found as [`ErrorKind::Exit`], its context).
///
/// ```no_run
/// use wasmtime_dyn::wasi::I32Exit;
/// use wasmtime_dyn::{Store, TypedFunc};
/// # let (mut store, start): (Store<()>, TypedFunc<(), ()>) = unimplemented!();
/// if let Err(err) = start.call(&mut store, ()) {
///     match err.downcast_ref::<I32Exit>() {
///         Some(I32Exit(status)) => std::process::exit(*status),
///         None => return Err(err),
///     }
/// }
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct I32Exit(pub i32);

impl std::fmt::Display for I32Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Exited with i32 exit status {}", self.0)
    }
}

impl std::error::Error for I32Exit {}

/// The module names `Wasi::add_to_linker` defines functions under
/// (`wasi_unstable` too, should a later version add it).
pub(crate) const MODULE_NAMES: [&str; 2] = ["wasi_snapshot_preview1", "wasi_unstable"];

impl Engine {
    /// WASI preview 1, where the library has it.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Engine, Linker};
    /// # let (engine, mut linker): (Engine, Linker<()>) = unimplemented!();
    /// match engine.wasi() {
    ///     Some(wasi) => wasi.add_to_linker(&mut linker)?,
    ///     None => eprintln!("this libwasmtime has no WASI"),
    /// }
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn wasi(&self) -> Option<Wasi> {
        let w = self.wasmtime();
        let tables = w.tables();
        // The capability needs the preopen table of the library's major.
        let preopen = match (&tables.wasi_preopen, &tables.wasi_preopen_flags) {
            (Some(table), _) => Preopen::Mutable(table),
            (None, Some(table)) => Preopen::Flags(table),
            (None, None) => return None,
        };
        tables.wasi.as_ref().map(|table| Wasi {
            table,
            preopen,
            core: w.core(),
        })
    }
}

impl<T: 'static> Linker<T> {
    /// Defines WASI preview 1 (see [`Wasi::add_to_linker`]).
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Engine, Linker};
    /// # let engine: Engine = unimplemented!();
    /// let mut linker = Linker::<()>::new(&engine);
    /// linker.define_wasi()?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unsupported`]`(Wasi)` on a library without WASI.
    pub fn define_wasi(&mut self) -> Result<&mut Self> {
        let wasi = self
            .engine()
            .wasi()
            .ok_or(ErrorKind::Unsupported(Capability::Wasi))?;
        wasi.add_to_linker(self)?;
        Ok(self)
    }
}

impl<T> Store<T> {
    /// Gives the store a WASI environment (see [`Wasi::set`]).
    ///
    /// ```no_run
    /// use wasmtime_dyn::wasi::WasiConfig;
    /// use wasmtime_dyn::{Engine, ErrorKind, Store, TypedFunc};
    /// # let (engine, start): (Engine, TypedFunc<(), ()>) = unimplemented!();
    /// let mut store = Store::new(&engine, ());
    /// store.set_wasi(WasiConfig::new().inherit_stdio().inherit_args())?;
    /// match start.call(&mut store, ()) {
    ///     Err(err) if !matches!(err.downcast_ref(), Some(ErrorKind::Exit(0))) => return Err(err),
    ///     _ => {}
    /// }
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unsupported`]`(Wasi)` on a library without WASI.
    pub fn set_wasi(&mut self, config: &WasiConfig) -> Result<()> {
        let wasi = self
            .engine()
            .wasi()
            .ok_or(ErrorKind::Unsupported(Capability::Wasi))?;
        wasi.set(self, config)
    }
}
