//! The `wasmtime_wasi` crate's async preview 2 shapes:
//! `p2::add_to_linker_async` and the async `p2::bindings::Command`, over
//! the C API's async WASI (`wasmtime_component_linker_add_wasip2_async`,
//! Wasmtime 45 to 50 with `component-model-async`).

use super::{WasiCtx, WasiView};
use crate::component::{Component, Linker};
use crate::error::Result;
use crate::store::AsContextMut;
use std::sync::Arc;

/// Defines WASI preview 2 in `linker` with async host functions, its
/// context found in each store's data through [`WasiView`], as the crate's
/// `wasmtime_wasi::p2::add_to_linker_async` (see
/// [`add_to_linker_sync`](super::add_to_linker_sync) for how the context
/// reaches the C store, and
/// [`Linker::define_wasi_async`](crate::component::Linker::define_wasi_async)
/// for how WASI's own I/O is polled). Instantiate with
/// [`Linker::instantiate_async`](crate::component::Linker::instantiate_async)
/// (or [`Command::instantiate_async`](super::bindings::Command::instantiate_async))
/// and call with `call_async`.
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
/// wasmtime_dyn::wasi::p2::add_to_linker_async(&mut linker)?;
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
///
/// # Errors
///
/// [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported)`(Async)` on a
/// library without async (the minimal builds), `(ComponentModelAsync)` on
/// one without the C API's `component-model-async` feature, `(Wasi)` on
/// one without WASI.
pub fn add_to_linker_async<T: WasiView + 'static>(linker: &mut Linker<T>) -> Result<()> {
    linker.define_wasi_async()?;
    linker.wasi_ctx = Some(Arc::new(|data: &mut T| -> &mut WasiCtx { data.ctx().ctx }));
    Ok(())
}

/// A `wasi:cli/command` component's instance, as the crate's async
/// `wasmtime_wasi::p2::bindings::Command`: instantiate it with
/// [`instantiate_async`](Command::instantiate_async) and run it with
/// [`wasi_cli_run`](Command::wasi_cli_run)`().`[`call_run`](exports::wasi::cli::run::Guest::call_run)`(..).await`.
///
/// ```no_run
/// use wasmtime_dyn::wasi::p2::bindings::Command;
/// # async fn run(mut store: wasmtime_dyn::Store<()>, component: wasmtime_dyn::component::Component, linker: wasmtime_dyn::component::Linker<()>) -> wasmtime_dyn::Result<()> {
/// let command = Command::instantiate_async(&mut store, &component, &linker).await?;
/// match command.wasi_cli_run().call_run(&mut store).await? {
///     Ok(()) => println!("success"),
///     Err(()) => eprintln!("the command failed"),
/// }
/// # Ok(()) }
/// ```
pub struct Command {
    run: exports::wasi::cli::run::Guest,
}

impl Command {
    /// Instantiates `component` in `store` with `linker`
    /// ([`Linker::instantiate_async`]), and finds its `wasi:cli/run@0.2.*`
    /// export.
    ///
    /// ```no_run
    /// use wasmtime_dyn::wasi::p2::bindings::Command;
    /// # async fn run(mut store: wasmtime_dyn::Store<()>, component: wasmtime_dyn::component::Component, linker: wasmtime_dyn::component::Linker<()>) -> wasmtime_dyn::Result<()> {
    /// let command = Command::instantiate_async(&mut store, &component, &linker).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Linker::instantiate_async`]'s, and those of the sync
    /// [`Command::instantiate`](super::bindings::sync::Command::instantiate)
    /// for a component that is not a WASI 0.2 command.
    pub async fn instantiate_async<T: Send + 'static>(
        mut store: impl AsContextMut<Data = T>,
        component: &Component,
        linker: &Linker<T>,
    ) -> Result<Command> {
        let instance = linker.instantiate_async(&mut store, component).await?;
        let sync = super::bindings::sync::Command::from_instance(store, component, &instance)?;
        Ok(Command {
            run: exports::wasi::cli::run::Guest { run: sync.run.run },
        })
    }

    /// The `wasi:cli/run` interface.
    ///
    /// ```no_run
    /// # async fn run(command: wasmtime_dyn::wasi::p2::bindings::Command, mut store: wasmtime_dyn::Store<()>) -> wasmtime_dyn::Result<()> {
    /// let status = command.wasi_cli_run().call_run(&mut store).await?;
    /// # Ok(()) }
    /// ```
    pub fn wasi_cli_run(&self) -> &exports::wasi::cli::run::Guest {
        &self.run
    }
}

/// The command world's exports, async, as the crate's
/// `p2::bindings::exports`.
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

                /// A command's `wasi:cli/run` export, as the crate's async
                /// `exports::wasi::cli::run::Guest`.
                ///
                /// ```no_run
                /// # async fn run(command: wasmtime_dyn::wasi::p2::bindings::Command, mut store: wasmtime_dyn::Store<()>) -> wasmtime_dyn::Result<()> {
                /// let run = command.wasi_cli_run();
                /// let status = run.call_run(&mut store).await?;
                /// # Ok(()) }
                /// ```
                pub struct Guest {
                    pub(in crate::wasi::p2) run: TypedFunc<(), (Result<(), ()>,)>,
                }

                impl Guest {
                    /// Runs the command as a future
                    /// ([`TypedFunc::call_async`]): `Ok(Ok(()))` on
                    /// success, `Ok(Err(()))` when it returned an error,
                    /// and `Err` for a trap or an exit through
                    /// `wasi:cli/exit` (its status is the error's
                    /// [`I32Exit`](crate::wasi::I32Exit)).
                    ///
                    /// ```no_run
                    /// use wasmtime_dyn::wasi::I32Exit;
                    /// # async fn run(command: wasmtime_dyn::wasi::p2::bindings::Command, mut store: wasmtime_dyn::Store<()>) {
                    /// match command.wasi_cli_run().call_run(&mut store).await {
                    ///     Ok(status) => println!("returned {status:?}"),
                    ///     Err(e) => println!("exited with {:?}", e.downcast_ref::<I32Exit>()),
                    /// }
                    /// # }
                    /// ```
                    ///
                    /// # Errors
                    ///
                    /// The call's: a trap, an exit, a host error.
                    pub async fn call_run<S: AsContextMut<Data: Send>>(
                        &self,
                        store: S,
                    ) -> Result<Result<(), ()>> {
                        self.run.call_async(store, ()).await.map(|(status,)| status)
                    }
                }
            }
        }
    }
}
