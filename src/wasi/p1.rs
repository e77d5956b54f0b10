//! The `wasmtime_wasi` crate's preview 1 shapes (`WasiCtxBuilder`,
//! `WasiP1Ctx`, `p1::add_to_linker_sync`, `I32Exit`) over the C API's WASI,
//! so a program written for that crate ports by changing its `use` lines.
//!
//! The C API keeps a store's WASI context in the store, not in its data:
//! the `WasiP1Ctx` in the data holds the configuration, and the linker
//! [`add_to_linker_sync`] was given to installs it in the store the first
//! time it instantiates there.
//!
//! ```no_run
//! use wasmtime_dyn::wasi::p1::{self, WasiP1Ctx};
//! use wasmtime_dyn::wasi::WasiCtxBuilder;
//! use wasmtime_dyn::{Engine, Linker, Module, Store};
//! # let engine: Engine = unimplemented!();
//! let mut linker: Linker<WasiP1Ctx> = Linker::new(&engine);
//! p1::add_to_linker_sync(&mut linker, |t| t)?;
//! let wasi = WasiCtxBuilder::new().inherit_stdio().args(&["app.wasm"]).build_p1();
//! let mut store = Store::new(&engine, wasi);
//! let module = Module::from_file(&engine, "app.wasm")?;
//! let start = linker
//!     .module(&mut store, "", &module)?
//!     .get_default(&mut store, "")?
//!     .typed::<(), ()>(&store)?;
//! start.call(&mut store, ())?;
//! # Ok::<(), wasmtime_dyn::Error>(())
//! ```

use super::{DirPerms, Input, Output, WasiConfig};
use crate::error::Result;
use crate::linker::Linker;
use std::path::Path;
use std::sync::Arc;

/// Builds a [`WasiP1Ctx`], as the `wasmtime_wasi` crate's
/// `WasiCtxBuilder` (a front for [`WasiConfig`]).
///
/// ```
/// use wasmtime_dyn::wasi::WasiCtxBuilder;
/// let ctx = WasiCtxBuilder::new()
///     .inherit_stdout()
///     .env("LANG", "C")
///     .args(&["app", "--verbose"])
///     .build_p1();
/// ```
#[derive(Clone, Debug, Default)]
pub struct WasiCtxBuilder {
    pub(crate) config: WasiConfig,
}

impl WasiCtxBuilder {
    /// No arguments, no environment, closed streams, no directories.
    ///
    /// ```
    /// let builder = wasmtime_dyn::wasi::WasiCtxBuilder::new();
    /// ```
    pub fn new() -> WasiCtxBuilder {
        WasiCtxBuilder::default()
    }

    /// This process's standard input, output and error.
    ///
    /// ```
    /// wasmtime_dyn::wasi::WasiCtxBuilder::new().inherit_stdio();
    /// ```
    pub fn inherit_stdio(&mut self) -> &mut Self {
        self.config.inherit_stdio();
        self
    }

    /// This process's standard input.
    ///
    /// ```
    /// wasmtime_dyn::wasi::WasiCtxBuilder::new().inherit_stdin();
    /// ```
    pub fn inherit_stdin(&mut self) -> &mut Self {
        self.config.stdin(Input::Inherit);
        self
    }

    /// This process's standard output.
    ///
    /// ```
    /// wasmtime_dyn::wasi::WasiCtxBuilder::new().inherit_stdout();
    /// ```
    pub fn inherit_stdout(&mut self) -> &mut Self {
        self.config.stdout(Output::Inherit);
        self
    }

    /// This process's standard error.
    ///
    /// ```
    /// wasmtime_dyn::wasi::WasiCtxBuilder::new().inherit_stderr();
    /// ```
    pub fn inherit_stderr(&mut self) -> &mut Self {
        self.config.stderr(Output::Inherit);
        self
    }

    /// This process's arguments.
    ///
    /// ```
    /// wasmtime_dyn::wasi::WasiCtxBuilder::new().inherit_args();
    /// ```
    pub fn inherit_args(&mut self) -> &mut Self {
        self.config.inherit_args();
        self
    }

    /// This process's environment.
    ///
    /// ```
    /// wasmtime_dyn::wasi::WasiCtxBuilder::new().inherit_env();
    /// ```
    pub fn inherit_env(&mut self) -> &mut Self {
        self.config.inherit_env();
        self
    }

    /// Appends one argument.
    ///
    /// ```
    /// wasmtime_dyn::wasi::WasiCtxBuilder::new().arg("app").arg("--verbose");
    /// ```
    pub fn arg(&mut self, arg: impl AsRef<str>) -> &mut Self {
        let mut args = self.config.args.take().unwrap_or_default();
        args.push(arg.as_ref().to_string());
        self.config.args = Some(args);
        self
    }

    /// Appends these arguments.
    ///
    /// ```
    /// wasmtime_dyn::wasi::WasiCtxBuilder::new().args(&["app", "--verbose"]);
    /// ```
    pub fn args(&mut self, args: &[impl AsRef<str>]) -> &mut Self {
        for arg in args {
            self.arg(arg);
        }
        self
    }

    /// Sets one environment variable.
    ///
    /// ```
    /// wasmtime_dyn::wasi::WasiCtxBuilder::new().env("LANG", "C");
    /// ```
    pub fn env(&mut self, name: impl AsRef<str>, value: impl AsRef<str>) -> &mut Self {
        self.config.env(name.as_ref(), value.as_ref());
        self
    }

    /// Sets these environment variables.
    ///
    /// ```
    /// wasmtime_dyn::wasi::WasiCtxBuilder::new().envs(&[("LANG", "C"), ("TZ", "UTC")]);
    /// ```
    pub fn envs(&mut self, env: &[(impl AsRef<str>, impl AsRef<str>)]) -> &mut Self {
        for (name, value) in env {
            self.env(name, value);
        }
        self
    }

    /// Gives the program the host directory `host_path` as `guest_path`.
    /// The C API takes one permission (read-only or read-write) for the
    /// directory and its files: write access is granted when `dir_perms`
    /// includes writing.
    ///
    /// ```
    /// use wasmtime_dyn::wasi::{DirPerms, FilePerms, WasiCtxBuilder};
    /// WasiCtxBuilder::new().preopened_dir(".", "/", DirPerms::ReadOnly, FilePerms::Read)?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// None here; a directory that cannot be opened is reported when the
    /// context is installed in a store (the `Result` is the crate's shape).
    pub fn preopened_dir(
        &mut self,
        host_path: impl AsRef<Path>,
        guest_path: impl AsRef<str>,
        dir_perms: DirPerms,
        file_perms: FilePerms,
    ) -> Result<&mut Self> {
        let _ = file_perms;
        self.config
            .preopen_dir(host_path, guest_path.as_ref(), dir_perms);
        Ok(self)
    }

    /// The context, for the store's data.
    ///
    /// ```
    /// let ctx = wasmtime_dyn::wasi::WasiCtxBuilder::new().inherit_stdio().build_p1();
    /// ```
    pub fn build_p1(&mut self) -> WasiP1Ctx {
        WasiP1Ctx {
            config: std::mem::take(&mut self.config),
        }
    }
}

/// File permissions of a preopened directory, as the `wasmtime_wasi`
/// crate's (see [`WasiCtxBuilder::preopened_dir`]).
///
/// ```
/// use wasmtime_dyn::wasi::FilePerms;
/// let perms = FilePerms::Read;
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilePerms {
    /// Read files.
    Read,
    /// Read and write files.
    ReadWrite,
}

/// A WASI preview 1 context kept in a store's data, as the `wasmtime_wasi`
/// crate's `WasiP1Ctx`: the linker given to [`add_to_linker_sync`] installs
/// it in the store when it first instantiates there.
///
/// ```
/// use wasmtime_dyn::wasi::{p1::WasiP1Ctx, WasiCtxBuilder};
/// let ctx: WasiP1Ctx = WasiCtxBuilder::new().build_p1();
/// ```
#[derive(Clone, Debug)]
pub struct WasiP1Ctx {
    pub(crate) config: WasiConfig,
}

/// How a linker finds the [`WasiP1Ctx`] in a store's data.
pub(crate) type WasiCtxGetter<T> = Arc<dyn Fn(&mut T) -> &mut WasiP1Ctx + Send + Sync>;

/// Defines WASI preview 1 in `linker`, its context found in each store's
/// data by `get`, as the `wasmtime_wasi` crate's `p1::add_to_linker_sync`.
///
/// ```no_run
/// use wasmtime_dyn::wasi::p1::{self, WasiP1Ctx};
/// use wasmtime_dyn::{Engine, Linker};
/// # let engine: Engine = unimplemented!();
/// struct App {
///     wasi: WasiP1Ctx,
/// }
/// let mut linker: Linker<App> = Linker::new(&engine);
/// p1::add_to_linker_sync(&mut linker, |app| &mut app.wasi)?;
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
///
/// # Errors
///
/// [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported)`(Wasi)` on a
/// library without WASI.
pub fn add_to_linker_sync<T: 'static>(
    linker: &mut Linker<T>,
    get: impl Fn(&mut T) -> &mut WasiP1Ctx + Copy + Send + Sync + 'static,
) -> Result<()> {
    linker.define_wasi()?;
    linker.wasi_ctx = Some(Arc::new(get));
    Ok(())
}
