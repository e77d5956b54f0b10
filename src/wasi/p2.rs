//! The `wasmtime_wasi` crate's WASI preview 2 shapes (`WasiCtx`,
//! `WasiCtxBuilder::build`, `WasiView`/`WasiCtxView`, `ResourceTable`,
//! `p2::add_to_linker_sync`, `p2::pipe`, `p2::bindings::sync::Command`)
//! over the C API's WASI, so a program written for that crate runs a
//! `wasi:cli/run` command component by changing its `use` lines.
//!
//! The C API implements WASI 0.2 itself, with the WASI context it keeps in
//! the C store (the same one as preview 1's): the [`WasiCtx`] in the store's
//! data holds the configuration, and the component linker
//! [`add_to_linker_sync`] was given installs it in the store the first time
//! it instantiates there (unless the store already has one, from
//! [`Store::set_wasi`](crate::Store::set_wasi) or a core linker given to
//! [`p1::add_to_linker_sync`](super::p1::add_to_linker_sync): the C store
//! has a single WASI context for both). Changes to the data's `WasiCtx` after that first
//! instantiation are not seen by WASI; captured output is shared (the
//! [`pipe::MemoryOutputPipe`] in the data and the one WASI writes to are the
//! same buffer).
//!
//! ```no_run
//! use wasmtime_dyn::component::{Component, Linker};
//! use wasmtime_dyn::wasi::p2::bindings::sync::Command;
//! use wasmtime_dyn::wasi::{ResourceTable, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};
//! use wasmtime_dyn::{Engine, Store};
//!
//! struct Host {
//!     ctx: WasiCtx,
//!     table: ResourceTable,
//! }
//! impl WasiView for Host {
//!     fn ctx(&mut self) -> WasiCtxView<'_> {
//!         WasiCtxView { ctx: &mut self.ctx, table: &mut self.table }
//!     }
//! }
//!
//! # let engine: Engine = unimplemented!();
//! let mut linker = Linker::<Host>::new(&engine);
//! wasmtime_dyn::wasi::p2::add_to_linker_sync(&mut linker)?;
//! let component = Component::from_file(&engine, "command.wasm")?;
//! let ctx = WasiCtxBuilder::new().inherit_stdio().args(&["command"]).build();
//! let mut store = Store::new(&engine, Host { ctx, table: ResourceTable::new() });
//! let command = Command::instantiate(&mut store, &component, &linker)?;
//! let status = command.wasi_cli_run().call_run(&mut store)?;
//! # Ok::<(), wasmtime_dyn::Error>(())
//! ```

mod asynchronous;

pub use asynchronous::add_to_linker_async;

use super::{Input, Output, WasiConfig, WasiCtxBuilder};
use crate::component::{Linker, Resource};
use crate::error::Result;
use crate::store::StoreContextMut;
use std::any::Any;
use std::sync::Arc;

/// A WASI preview 2 context kept in a store's data, as the
/// `wasmtime_wasi` crate's `WasiCtx` (made by [`WasiCtxBuilder::build`]):
/// the component linker given to [`add_to_linker_sync`] installs it in the
/// store when it first instantiates there.
///
/// ```
/// use wasmtime_dyn::wasi::WasiCtx;
/// let ctx: WasiCtx = WasiCtx::builder().arg("app").build();
/// ```
#[derive(Clone, Debug, Default)]
pub struct WasiCtx {
    pub(crate) config: WasiConfig,
}

impl WasiCtx {
    /// A builder, as [`WasiCtxBuilder::new`].
    ///
    /// ```
    /// let ctx = wasmtime_dyn::wasi::WasiCtx::builder().inherit_stdio().build();
    /// ```
    pub fn builder() -> WasiCtxBuilder {
        WasiCtxBuilder::new()
    }
}

impl WasiCtxBuilder {
    /// The preview 2 context, for the store's data. The builder is left
    /// empty (the crate's panics when built twice; this one builds a
    /// default context the second time).
    ///
    /// ```
    /// use wasmtime_dyn::wasi::WasiCtxBuilder;
    /// let ctx = WasiCtxBuilder::new().args(&["app", "--verbose"]).env("LANG", "C").build();
    /// ```
    pub fn build(&mut self) -> WasiCtx {
        WasiCtx {
            config: self.build_p1().config,
        }
    }

    /// Standard input from `stdin`, as the crate's `stdin`: a
    /// [`pipe::MemoryInputPipe`] or [`cli::stdin`].
    ///
    /// ```
    /// use wasmtime_dyn::wasi::p2::pipe::MemoryInputPipe;
    /// let ctx = wasmtime_dyn::wasi::WasiCtxBuilder::new()
    ///     .stdin(MemoryInputPipe::new("1 2 3\n"))
    ///     .build();
    /// ```
    pub fn stdin(&mut self, stdin: impl StdinStream + 'static) -> &mut Self {
        self.config.stdin(stdin.input());
        self
    }

    /// Standard output to `stdout`, as the crate's `stdout`: a
    /// [`pipe::MemoryOutputPipe`] or [`cli::stdout`].
    ///
    /// ```
    /// use wasmtime_dyn::wasi::p2::pipe::MemoryOutputPipe;
    /// let out = MemoryOutputPipe::new(4096);
    /// let ctx = wasmtime_dyn::wasi::WasiCtxBuilder::new().stdout(out.clone()).build();
    /// assert!(out.contents().is_empty());
    /// ```
    pub fn stdout(&mut self, stdout: impl StdoutStream + 'static) -> &mut Self {
        self.config.stdout(stdout.output());
        self
    }

    /// Standard error to `stderr`, as the crate's `stderr`.
    ///
    /// ```
    /// use wasmtime_dyn::wasi::p2::pipe::MemoryOutputPipe;
    /// let err = MemoryOutputPipe::new(4096);
    /// let ctx = wasmtime_dyn::wasi::WasiCtxBuilder::new().stderr(err.clone()).build();
    /// ```
    pub fn stderr(&mut self, stderr: impl StdoutStream + 'static) -> &mut Self {
        self.config.stderr(stderr.output());
        self
    }
}

/// Where standard input can come from, as the crate's
/// `wasmtime_wasi::cli::StdinStream`. Sealed: the C API reads only bytes
/// given up front, a file or this process's standard input, so
/// [`pipe::MemoryInputPipe`] and [`cli::Stdin`] are the
/// implementations (no custom streams).
///
/// ```
/// use wasmtime_dyn::wasi::cli::StdinStream;
/// fn takes(_: impl StdinStream) {}
/// takes(wasmtime_dyn::wasi::cli::stdin());
/// ```
pub trait StdinStream: sealed::Sealed + Send {
    /// The configuration's input.
    #[doc(hidden)]
    fn input(&self) -> Input;
}

/// Where standard output or error can go, as the crate's
/// `wasmtime_wasi::cli::StdoutStream`. Sealed: the C API writes to a
/// callback, a file or this process's streams, so
/// [`pipe::MemoryOutputPipe`], [`cli::Stdout`] and
/// [`cli::Stderr`] are the implementations.
///
/// ```
/// use wasmtime_dyn::wasi::cli::StdoutStream;
/// fn takes(_: impl StdoutStream) {}
/// takes(wasmtime_dyn::wasi::cli::stderr());
/// ```
pub trait StdoutStream: sealed::Sealed + Send {
    /// The configuration's output.
    #[doc(hidden)]
    fn output(&self) -> Output;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::pipe::MemoryInputPipe {}
    impl Sealed for super::pipe::MemoryOutputPipe {}
    impl Sealed for super::cli::Stdin {}
    impl Sealed for super::cli::Stdout {}
    impl Sealed for super::cli::Stderr {}
}

/// This process's standard streams, as the crate's `wasmtime_wasi::cli`
/// `stdin()`, `stdout()`, `stderr()`.
pub mod cli {
    pub use super::{StdinStream, StdoutStream};
    use crate::wasi::{Input, Output};

    /// This process's standard input (see [`stdin`]).
    #[derive(Clone, Copy, Debug)]
    pub struct Stdin;
    /// This process's standard output (see [`stdout`]).
    #[derive(Clone, Copy, Debug)]
    pub struct Stdout;
    /// This process's standard error (see [`stderr`]).
    #[derive(Clone, Copy, Debug)]
    pub struct Stderr;

    /// This process's standard input, for [`WasiCtxBuilder::stdin`](crate::wasi::WasiCtxBuilder::stdin).
    ///
    /// ```
    /// wasmtime_dyn::wasi::WasiCtxBuilder::new().stdin(wasmtime_dyn::wasi::cli::stdin());
    /// ```
    pub fn stdin() -> Stdin {
        Stdin
    }

    /// This process's standard output, for [`WasiCtxBuilder::stdout`](crate::wasi::WasiCtxBuilder::stdout).
    ///
    /// ```
    /// wasmtime_dyn::wasi::WasiCtxBuilder::new().stdout(wasmtime_dyn::wasi::cli::stdout());
    /// ```
    pub fn stdout() -> Stdout {
        Stdout
    }

    /// This process's standard error, for [`WasiCtxBuilder::stderr`](crate::wasi::WasiCtxBuilder::stderr).
    ///
    /// ```
    /// wasmtime_dyn::wasi::WasiCtxBuilder::new().stderr(wasmtime_dyn::wasi::cli::stderr());
    /// ```
    pub fn stderr() -> Stderr {
        Stderr
    }

    impl StdinStream for Stdin {
        fn input(&self) -> Input {
            Input::Inherit
        }
    }

    impl StdoutStream for Stdout {
        fn output(&self) -> Output {
            Output::Inherit
        }
    }

    impl StdoutStream for Stderr {
        fn output(&self) -> Output {
            Output::Inherit
        }
    }
}

/// In-memory standard streams, as the crate's `wasmtime_wasi::p2::pipe`.
pub mod pipe {
    use super::{StdinStream, StdoutStream};
    use crate::wasi::{Captured, Input, Output};

    /// Standard input from bytes given up front, as the crate's
    /// `MemoryInputPipe`.
    ///
    /// ```
    /// use wasmtime_dyn::wasi::p2::pipe::MemoryInputPipe;
    /// let input = MemoryInputPipe::new("line one\nline two\n");
    /// assert!(!input.is_empty());
    /// ```
    #[derive(Clone, Debug)]
    pub struct MemoryInputPipe {
        bytes: Vec<u8>,
    }

    impl MemoryInputPipe {
        /// A pipe that yields `bytes`, then end of file.
        ///
        /// ```
        /// let input = wasmtime_dyn::wasi::p2::pipe::MemoryInputPipe::new(b"42\n".to_vec());
        /// ```
        pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
            MemoryInputPipe {
                bytes: bytes.into(),
            }
        }

        /// Whether there is nothing to read.
        ///
        /// ```
        /// assert!(wasmtime_dyn::wasi::p2::pipe::MemoryInputPipe::new("").is_empty());
        /// ```
        pub fn is_empty(&self) -> bool {
            self.bytes.is_empty()
        }
    }

    impl StdinStream for MemoryInputPipe {
        fn input(&self) -> Input {
            Input::Bytes(self.bytes.clone())
        }
    }

    /// Output captured in memory, shared by its clones, as the crate's
    /// `MemoryOutputPipe`: give one clone to the builder, read another
    /// with [`MemoryOutputPipe::contents`].
    ///
    /// It keeps at most `capacity` bytes: a write that does not fit keeps
    /// what fits, as the crate's, and fails. The crate's pipe traps the
    /// guest there; through the C API the guest gets an error from the
    /// write (ENOSPC), which a program usually answers by exiting with an
    /// error (the fixture command and the preview 1 adapter: `I32Exit(1)`,
    /// as with the crate).
    ///
    /// ```
    /// use wasmtime_dyn::wasi::p2::pipe::MemoryOutputPipe;
    /// let out = MemoryOutputPipe::new(4096);
    /// let ctx = wasmtime_dyn::wasi::WasiCtxBuilder::new().stdout(out.clone()).build();
    /// assert!(out.contents().is_empty());
    /// ```
    #[derive(Clone, Debug)]
    pub struct MemoryOutputPipe {
        capacity: usize,
        captured: Captured,
    }

    impl MemoryOutputPipe {
        /// An empty pipe that keeps at most `capacity` bytes.
        ///
        /// ```
        /// let out = wasmtime_dyn::wasi::p2::pipe::MemoryOutputPipe::new(1 << 20);
        /// ```
        pub fn new(capacity: usize) -> Self {
            MemoryOutputPipe {
                capacity,
                captured: Captured::bounded(capacity),
            }
        }

        /// Everything written so far (the crate's returns `bytes::Bytes`;
        /// both index and compare as byte slices).
        ///
        /// ```
        /// let out = wasmtime_dyn::wasi::p2::pipe::MemoryOutputPipe::new(64);
        /// assert_eq!(&out.contents()[..], b"");
        /// ```
        pub fn contents(&self) -> Vec<u8> {
            self.captured.contents()
        }

        /// The contents, if this is the last clone (none is left in a
        /// builder, context or store).
        ///
        /// ```
        /// let out = wasmtime_dyn::wasi::p2::pipe::MemoryOutputPipe::new(64);
        /// assert_eq!(out.try_into_inner(), Some(Vec::new()));
        /// ```
        pub fn try_into_inner(self) -> Option<Vec<u8>> {
            std::sync::Arc::into_inner(self.captured.0)
                .map(|m| m.into_inner().unwrap_or_else(|p| p.into_inner()))
        }

        /// The capacity given to [`MemoryOutputPipe::new`].
        ///
        /// ```
        /// assert_eq!(wasmtime_dyn::wasi::p2::pipe::MemoryOutputPipe::new(64).capacity(), 64);
        /// ```
        pub fn capacity(&self) -> usize {
            self.capacity
        }
    }

    impl StdoutStream for MemoryOutputPipe {
        fn output(&self) -> Output {
            Output::Capture(self.captured.clone())
        }
    }
}

/// A table of host values behind [`Resource`] handles, as the crate's
/// `wasmtime::component::ResourceTable`: [`push`](ResourceTable::push)
/// a value, get a `Resource<T>` to give the guest (through a host
/// resource type, [`LinkerInstance::resource`](crate::component::LinkerInstance::resource)),
/// and [`get`](ResourceTable::get) or [`delete`](ResourceTable::delete)
/// it when the guest hands it back.
///
/// In [`WasiCtxView`] it is the table the crate's WASI keeps its streams,
/// files and sockets in. Here the C API keeps WASI's resources in its own
/// table inside the C store, which no function reaches: this one holds only
/// the embedder's values, and WASI's resources are never in it. It has no
/// parent/child links (the crate's `push_child`, `iter_children`).
///
/// ```
/// use wasmtime_dyn::wasi::ResourceTable;
/// struct Counter(u32);
/// let mut table = ResourceTable::new();
/// let handle = table.push(Counter(1))?;
/// table.get_mut(&handle)?.0 += 1;
/// assert_eq!(table.get(&handle)?.0, 2);
/// assert_eq!(table.delete(handle)?.0, 2);
/// # Ok::<(), wasmtime_dyn::wasi::ResourceTableError>(())
/// ```
#[derive(Default)]
pub struct ResourceTable {
    entries: Vec<Option<Box<dyn Any + Send>>>,
    free: Vec<u32>,
}

impl std::fmt::Debug for ResourceTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResourceTable")
            .field("len", &(self.entries.len() - self.free.len()))
            .finish_non_exhaustive()
    }
}

/// Why a [`ResourceTable`] refused an operation, as the crate's
/// `ResourceTableError`.
///
/// ```
/// use wasmtime_dyn::component::Resource;
/// use wasmtime_dyn::wasi::{ResourceTable, ResourceTableError};
/// let table = ResourceTable::new();
/// let missing = Resource::<u32>::new_own(7);
/// assert_eq!(table.get(&missing).unwrap_err(), ResourceTableError::NotPresent);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResourceTableError {
    /// The table holds `u32::MAX` entries.
    Full,
    /// No entry at this handle (never pushed, or deleted).
    NotPresent,
    /// The entry at this handle has another type.
    WrongType,
}

impl std::fmt::Display for ResourceTableError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ResourceTableError::Full => "resource table has no free keys",
            ResourceTableError::NotPresent => "resource not present",
            ResourceTableError::WrongType => "resource is of another type",
        })
    }
}

impl std::error::Error for ResourceTableError {}

impl ResourceTable {
    /// An empty table.
    ///
    /// ```
    /// let table = wasmtime_dyn::wasi::ResourceTable::new();
    /// assert!(table.is_empty());
    /// ```
    pub fn new() -> ResourceTable {
        ResourceTable::default()
    }

    /// Whether the table holds nothing.
    ///
    /// ```
    /// let mut table = wasmtime_dyn::wasi::ResourceTable::new();
    /// table.push(5u8)?;
    /// assert!(!table.is_empty());
    /// # Ok::<(), wasmtime_dyn::wasi::ResourceTableError>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.entries.len() == self.free.len()
    }

    /// Stores `entry`; its owned handle.
    ///
    /// ```
    /// let mut table = wasmtime_dyn::wasi::ResourceTable::new();
    /// let handle = table.push(String::from("state"))?;
    /// assert!(handle.owned());
    /// # Ok::<(), wasmtime_dyn::wasi::ResourceTableError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ResourceTableError::Full`] with `u32::MAX` entries.
    pub fn push<T: Send + 'static>(&mut self, entry: T) -> Result<Resource<T>, ResourceTableError> {
        let entry: Box<dyn Any + Send> = Box::new(entry);
        let rep = match self.free.pop() {
            Some(rep) => {
                self.entries[rep as usize] = Some(entry);
                rep
            }
            None => {
                let rep = u32::try_from(self.entries.len())
                    .ok()
                    .filter(|&r| r != u32::MAX)
                    .ok_or(ResourceTableError::Full)?;
                self.entries.push(Some(entry));
                rep
            }
        };
        Ok(Resource::new_own(rep))
    }

    fn slot(&self, rep: u32) -> Result<&(dyn Any + Send), ResourceTableError> {
        match self.entries.get(rep as usize) {
            Some(Some(entry)) => Ok(entry.as_ref()),
            _ => Err(ResourceTableError::NotPresent),
        }
    }

    /// The value behind `key`.
    ///
    /// ```
    /// let mut table = wasmtime_dyn::wasi::ResourceTable::new();
    /// let handle = table.push(7u64)?;
    /// assert_eq!(*table.get(&handle)?, 7);
    /// # Ok::<(), wasmtime_dyn::wasi::ResourceTableError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ResourceTableError::NotPresent`] or
    /// [`ResourceTableError::WrongType`].
    pub fn get<T: Any + Sized>(&self, key: &Resource<T>) -> Result<&T, ResourceTableError> {
        self.slot(key.rep())?
            .downcast_ref()
            .ok_or(ResourceTableError::WrongType)
    }

    /// The value behind `key`, mutably.
    ///
    /// ```
    /// let mut table = wasmtime_dyn::wasi::ResourceTable::new();
    /// let handle = table.push(vec![1u8])?;
    /// table.get_mut(&handle)?.push(2);
    /// assert_eq!(table.get(&handle)?.len(), 2);
    /// # Ok::<(), wasmtime_dyn::wasi::ResourceTableError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`ResourceTable::get`].
    pub fn get_mut<T: Any + Sized>(
        &mut self,
        key: &Resource<T>,
    ) -> Result<&mut T, ResourceTableError> {
        self.slot(key.rep())?;
        match self.entries.get_mut(key.rep() as usize) {
            Some(Some(entry)) => entry.downcast_mut().ok_or(ResourceTableError::WrongType),
            _ => Err(ResourceTableError::NotPresent),
        }
    }

    /// Removes the value behind `key` and returns it.
    ///
    /// ```
    /// let mut table = wasmtime_dyn::wasi::ResourceTable::new();
    /// let handle = table.push('x')?;
    /// assert_eq!(table.delete(handle)?, 'x');
    /// assert!(table.is_empty());
    /// # Ok::<(), wasmtime_dyn::wasi::ResourceTableError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`ResourceTable::get`]; the entry stays on `WrongType`.
    pub fn delete<T: Any + Sized>(&mut self, key: Resource<T>) -> Result<T, ResourceTableError> {
        let rep = key.rep();
        if !self.slot(rep)?.is::<T>() {
            return Err(ResourceTableError::WrongType);
        }
        let entry = self.entries[rep as usize]
            .take()
            .ok_or(ResourceTableError::NotPresent)?;
        self.free.push(rep);
        entry
            .downcast::<T>()
            .map(|b| *b)
            .map_err(|_| ResourceTableError::WrongType)
    }
}

/// What WASI's host functions see of the store's data, as the crate's
/// `WasiCtxView`: the context and the resource table (see
/// [`ResourceTable`] for what the C API lets the table hold).
///
/// ```
/// use wasmtime_dyn::wasi::{ResourceTable, WasiCtx, WasiCtxView};
/// let (mut ctx, mut table) = (WasiCtx::builder().build(), ResourceTable::new());
/// let view = WasiCtxView { ctx: &mut ctx, table: &mut table };
/// ```
pub struct WasiCtxView<'a> {
    /// The guest's WASI configuration.
    pub ctx: &'a mut WasiCtx,
    /// The embedder's resources.
    pub table: &'a mut ResourceTable,
}

/// Where the store's data keeps its [`WasiCtx`], as the crate's
/// `WasiView`: required of the data of a store a linker given to
/// [`add_to_linker_sync`] instantiates in.
///
/// ```
/// use wasmtime_dyn::wasi::{ResourceTable, WasiCtx, WasiCtxView, WasiView};
/// struct Host {
///     ctx: WasiCtx,
///     table: ResourceTable,
/// }
/// impl WasiView for Host {
///     fn ctx(&mut self) -> WasiCtxView<'_> {
///         WasiCtxView { ctx: &mut self.ctx, table: &mut self.table }
///     }
/// }
/// ```
pub trait WasiView: Send {
    /// The context and table.
    fn ctx(&mut self) -> WasiCtxView<'_>;
}

/// How a component linker finds the [`WasiCtx`] in a store's data.
pub(crate) type WasiCtxGetter<T> = Arc<dyn Fn(&mut T) -> &mut WasiCtx + Send + Sync>;

/// Installs the store's WASI context from its data, where the linker was
/// given a getter ([`add_to_linker_sync`]) and the store has none yet.
pub(crate) fn provide_wasi<T>(
    get: Option<&WasiCtxGetter<T>>,
    cx: &mut StoreContextMut<'_, T>,
) -> Result<()> {
    match get {
        Some(get) => crate::wasi::provide_from_data(cx, |data| &get(data).config),
        None => Ok(()),
    }
}

/// Defines WASI preview 2 in `linker` (the C API's own implementation of
/// `wasi:cli`, `wasi:clocks`, `wasi:filesystem`, `wasi:io`, `wasi:random`
/// and `wasi:sockets`), its context found in each store's data through
/// [`WasiView`], as the crate's `wasmtime_wasi::p2::add_to_linker_sync`.
///
/// The context is installed in the store when this linker first
/// instantiates there; a store that has none cannot reach a WASI function
/// (the C API would abort the process).
///
/// ```no_run
/// use wasmtime_dyn::component::Linker;
/// use wasmtime_dyn::wasi::{ResourceTable, WasiCtx, WasiCtxView, WasiView};
/// struct Host(WasiCtx, ResourceTable);
/// impl WasiView for Host {
///     fn ctx(&mut self) -> WasiCtxView<'_> {
///         WasiCtxView { ctx: &mut self.0, table: &mut self.1 }
///     }
/// }
/// # let engine: wasmtime_dyn::Engine = unimplemented!();
/// let mut linker = Linker::<Host>::new(&engine);
/// wasmtime_dyn::wasi::p2::add_to_linker_sync(&mut linker)?;
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
///
/// # Errors
///
/// [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported)`(ComponentModel)`
/// or `(Wasi)` on a library without them.
pub fn add_to_linker_sync<T: WasiView + 'static>(linker: &mut Linker<T>) -> Result<()> {
    linker.define_wasi()?;
    linker.wasi_ctx = Some(Arc::new(|data: &mut T| data.ctx().ctx));
    Ok(())
}

/// The crate's generated bindings of the `wasi:cli/command` world: only
/// what runs a command, [`sync::Command`](self::bindings::sync::Command)
/// and the async [`Command`](self::bindings::Command).
pub mod bindings {
    pub use super::asynchronous::{exports, Command};

    /// Synchronous bindings, as the crate's `p2::bindings::sync`.
    pub mod sync {
        use crate::component::{Component, Instance, Linker};
        use crate::error::{ErrorKind, Result};
        use crate::store::AsContextMut;

        /// A `wasi:cli/command` component's instance, as the crate's
        /// `p2::bindings::sync::Command`: run it with
        /// [`wasi_cli_run`](Command::wasi_cli_run)`().`[`call_run`](exports::wasi::cli::run::Guest::call_run).
        ///
        /// ```no_run
        /// use wasmtime_dyn::wasi::p2::bindings::sync::Command;
        /// # let (mut store, component, linker): (wasmtime_dyn::Store<()>, wasmtime_dyn::component::Component, wasmtime_dyn::component::Linker<()>) = unimplemented!();
        /// let command = Command::instantiate(&mut store, &component, &linker)?;
        /// match command.wasi_cli_run().call_run(&mut store)? {
        ///     Ok(()) => println!("success"),
        ///     Err(()) => eprintln!("the command failed"),
        /// }
        /// # Ok::<(), wasmtime_dyn::Error>(())
        /// ```
        pub struct Command {
            pub(in crate::wasi::p2) run: exports::wasi::cli::run::Guest,
        }

        impl Command {
            /// Instantiates `component` in `store` with `linker`, and finds
            /// its `wasi:cli/run@0.2.*` export.
            ///
            /// ```no_run
            /// use wasmtime_dyn::wasi::p2::bindings::sync::Command;
            /// # let (mut store, component, linker): (wasmtime_dyn::Store<()>, wasmtime_dyn::component::Component, wasmtime_dyn::component::Linker<()>) = unimplemented!();
            /// let command = Command::instantiate(&mut store, &component, &linker)?;
            /// # Ok::<(), wasmtime_dyn::Error>(())
            /// ```
            ///
            /// # Errors
            ///
            /// [`Linker::instantiate`]'s, and [`ErrorKind::Invalid`] for a
            /// component exporting no `wasi:cli/run` 0.2 interface with a
            /// `run: func() -> result` (a mismatched type is
            /// [`ErrorKind::TypeMismatch`]).
            pub fn instantiate<T: 'static>(
                mut store: impl AsContextMut<Data = T>,
                component: &Component,
                linker: &Linker<T>,
            ) -> Result<Command> {
                let instance = linker.instantiate(&mut store, component)?;
                Self::from_instance(store, component, &instance)
            }

            /// The command of `instance`, an instance of `component`: its
            /// `wasi:cli/run@0.2.*` export (shared with the async
            /// [`Command`](super::Command)).
            pub(in crate::wasi::p2) fn from_instance(
                store: impl AsContextMut,
                component: &Component,
                instance: &Instance,
            ) -> Result<Command> {
                let ty = component.component_type();
                let name = ty
                    .exports(component.engine())
                    .map(|(name, _)| name)
                    .find(|name| name.starts_with("wasi:cli/run@0.2."))
                    .ok_or_else(|| {
                        ErrorKind::Invalid(
                            "the component exports no `wasi:cli/run@0.2.*` interface: it is not \
                             a WASI 0.2 command"
                                .into(),
                        )
                    })?;
                Self::new_named(store, instance, name)
            }

            fn new_named(
                mut store: impl AsContextMut,
                instance: &Instance,
                name: &str,
            ) -> Result<Command> {
                let run = instance
                    .get_export_index(&mut store, None, name)
                    .and_then(|i| instance.get_export_index(&mut store, Some(&i), "run"))
                    .ok_or_else(|| {
                        ErrorKind::Invalid(format!("`{name}` exports no function `run`"))
                    })?;
                let run = instance.get_typed_func::<(), (Result<(), ()>,)>(&mut store, &run)?;
                Ok(Command {
                    run: exports::wasi::cli::run::Guest { run },
                })
            }

            /// The `wasi:cli/run` interface.
            ///
            /// ```no_run
            /// # let (command, mut store): (wasmtime_dyn::wasi::p2::bindings::sync::Command, wasmtime_dyn::Store<()>) = unimplemented!();
            /// let status = command.wasi_cli_run().call_run(&mut store)?;
            /// # Ok::<(), wasmtime_dyn::Error>(())
            /// ```
            pub fn wasi_cli_run(&self) -> &exports::wasi::cli::run::Guest {
                &self.run
            }
        }

        /// The command world's exports.
        pub mod exports {
            /// `wasi:*` exports.
            pub mod wasi {
                /// `wasi:cli` exports.
                pub mod cli {
                    /// The `wasi:cli/run` interface.
                    pub mod run {
                        use crate::component::TypedFunc;
                        use crate::error::Result;
                        use crate::store::AsContextMut;

                        /// A command's `wasi:cli/run` export, as the
                        /// crate's `exports::wasi::cli::run::Guest`.
                        ///
                        /// ```no_run
                        /// # let (command, mut store): (wasmtime_dyn::wasi::p2::bindings::sync::Command, wasmtime_dyn::Store<()>) = unimplemented!();
                        /// let run = command.wasi_cli_run();
                        /// let status = run.call_run(&mut store)?;
                        /// # Ok::<(), wasmtime_dyn::Error>(())
                        /// ```
                        pub struct Guest {
                            pub(in crate::wasi::p2) run: TypedFunc<(), (Result<(), ()>,)>,
                        }

                        impl Guest {
                            /// Runs the command: `Ok(Ok(()))` on success,
                            /// `Ok(Err(()))` when it returned an error,
                            /// and `Err` for a trap or an exit through
                            /// `wasi:cli/exit` (its status is the error's
                            /// [`I32Exit`](crate::wasi::I32Exit)).
                            ///
                            /// ```no_run
                            /// use wasmtime_dyn::wasi::I32Exit;
                            /// # let (command, mut store): (wasmtime_dyn::wasi::p2::bindings::sync::Command, wasmtime_dyn::Store<()>) = unimplemented!();
                            /// match command.wasi_cli_run().call_run(&mut store) {
                            ///     Ok(status) => println!("returned {status:?}"),
                            ///     Err(e) => println!("exited with {:?}", e.downcast_ref::<I32Exit>()),
                            /// }
                            /// ```
                            ///
                            /// # Errors
                            ///
                            /// The call's: a trap, an exit, a host error.
                            pub fn call_run<S: AsContextMut>(
                                &self,
                                store: S,
                            ) -> Result<Result<(), ()>> {
                                self.run.call(store, ()).map(|(status,)| status)
                            }
                        }
                    }
                }
            }
        }
    }
}
