//! The `wasmtime_wasi_http` crate's shapes (`WasiHttpCtx`,
//! `WasiHttpView`/`WasiHttpCtxView`, `p2::add_only_http_to_linker_sync`,
//! `p2::add_to_linker_sync`) over the C API's `wasi:http`: the
//! [`WasiHttp`](crate::Capability::WasiHttp) capability.
//!
//! The C API implements `wasi:http/types` and `wasi:http/outgoing-handler`
//! 0.2 itself (Wasmtime's default client: plain HTTP and HTTPS, its own
//! Tokio runtime), keeping requests, responses and bodies in the WASI
//! context's resource table. So a store needs both contexts before a
//! `wasi:http` function runs (the C API aborts the process without either):
//! the linker [`p2::add_only_http_to_linker_sync`] was given installs the
//! HTTP one when it first instantiates in a store, and refuses to
//! instantiate a component importing `wasi:http/*` in a store without a
//! WASI context. There is no `incoming-handler` (no server side) and no
//! hooks (the crate's `WasiHttpHooks` methods: forbidden headers, a custom
//! `send_request`): the C API exposes neither.
//!
//! ```no_run
//! use wasmtime_dyn::component::{Component, Linker};
//! use wasmtime_dyn::wasi::ResourceTable;
//! use wasmtime_dyn::wasi::http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};
//! use wasmtime_dyn::wasi::{WasiCtx, WasiCtxView, WasiView};
//! use wasmtime_dyn::{Engine, Store};
//!
//! struct Host {
//!     ctx: WasiCtx,
//!     http: WasiHttpCtx,
//!     table: ResourceTable,
//! }
//! impl WasiView for Host {
//!     fn ctx(&mut self) -> WasiCtxView<'_> {
//!         WasiCtxView { ctx: &mut self.ctx, table: &mut self.table }
//!     }
//! }
//! impl WasiHttpView for Host {
//!     fn http(&mut self) -> WasiHttpCtxView<'_> {
//!         WasiHttpCtxView { ctx: &mut self.http, table: &mut self.table, hooks: Default::default() }
//!     }
//! }
//!
//! # let engine: Engine = unimplemented!();
//! let mut linker = Linker::<Host>::new(&engine);
//! wasmtime_dyn::wasi::http::p2::add_to_linker_sync(&mut linker)?;
//! let component = Component::from_file(&engine, "client.wasm")?;
//! let host = Host { ctx: WasiCtx::builder().build(), http: WasiHttpCtx::new(), table: ResourceTable::new() };
//! let mut store = Store::new(&engine, host);
//! let instance = linker.instantiate(&mut store, &component)?;
//! # Ok::<(), wasmtime_dyn::Error>(())
//! ```

use super::p2::ResourceTable;
use crate::capability::Capability;
use crate::component::Linker;
use crate::error::{ErrorKind, Result};
use crate::store::{AsContextMut, Store, StoreContextMut};

/// A store's `wasi:http` state, as the crate's `WasiHttpCtx`. The C API
/// keeps its own (made by `wasmtime_context_set_wasi_http`, with the
/// crate's defaults); this one only marks where the data keeps it, so it
/// has none of the crate's settings (`set_field_size_limit`: the C API's
/// context has the crate's default, 128 KiB).
///
/// ```
/// use wasmtime_dyn::wasi::http::WasiHttpCtx;
/// let ctx = WasiHttpCtx::new();
/// ```
#[derive(Clone, Debug, Default)]
pub struct WasiHttpCtx {
    _private: (),
}

impl WasiHttpCtx {
    /// A context with the C API's defaults.
    ///
    /// ```
    /// let ctx = wasmtime_dyn::wasi::http::WasiHttpCtx::new();
    /// ```
    pub fn new() -> WasiHttpCtx {
        WasiHttpCtx::default()
    }
}

/// The crate's `WasiHttpHooks`, for the shape of [`WasiHttpCtxView`]
/// only: the C API always runs the crate's default hooks (its forbidden
/// headers, schemes and `send_request`), so this trait is sealed and
/// [`default_hooks`] (or `Default::default()`) is its only value.
///
/// ```
/// use wasmtime_dyn::wasi::http::WasiHttpHooks;
/// let hooks: &mut dyn WasiHttpHooks = Default::default();
/// ```
pub trait WasiHttpHooks: sealed::Sealed + Send {}

mod sealed {
    pub trait Sealed {}
    /// The value behind [`default_hooks`](super::default_hooks).
    pub struct DefaultHooks;
    impl Sealed for [DefaultHooks; 0] {}
}

impl WasiHttpHooks for [sealed::DefaultHooks; 0] {}

impl Default for &mut dyn WasiHttpHooks {
    fn default() -> Self {
        let none: &mut [sealed::DefaultHooks; 0] = &mut [];
        none
    }
}

/// The default hooks, as the crate's `default_hooks` (the C API's only
/// ones).
///
/// ```
/// let hooks = wasmtime_dyn::wasi::http::default_hooks();
/// ```
pub fn default_hooks() -> &'static mut dyn WasiHttpHooks {
    Default::default()
}

/// What `wasi:http`'s host functions see of the store's data, as the
/// crate's `WasiHttpCtxView`. The C API keeps HTTP resources in its own
/// WASI table, which no function reaches: `table` holds only the
/// embedder's values (see [`ResourceTable`]).
///
/// ```
/// use wasmtime_dyn::wasi::ResourceTable;
/// use wasmtime_dyn::wasi::http::{WasiHttpCtx, WasiHttpCtxView};
/// let (mut ctx, mut table) = (WasiHttpCtx::new(), ResourceTable::new());
/// let view = WasiHttpCtxView { ctx: &mut ctx, table: &mut table, hooks: Default::default() };
/// ```
pub struct WasiHttpCtxView<'a> {
    /// The hooks (always the defaults, [`default_hooks`]).
    pub hooks: &'a mut dyn WasiHttpHooks,
    /// The embedder's resources.
    pub table: &'a mut ResourceTable,
    /// The `wasi:http` context.
    pub ctx: &'a mut WasiHttpCtx,
}

/// Where the store's data keeps its [`WasiHttpCtx`], as the crate's
/// `WasiHttpView`: required of the data of a store a linker given to
/// [`p2::add_only_http_to_linker_sync`] instantiates in.
///
/// ```
/// use wasmtime_dyn::wasi::ResourceTable;
/// use wasmtime_dyn::wasi::http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};
/// struct Host {
///     http: WasiHttpCtx,
///     table: ResourceTable,
/// }
/// impl WasiHttpView for Host {
///     fn http(&mut self) -> WasiHttpCtxView<'_> {
///         WasiHttpCtxView { ctx: &mut self.http, table: &mut self.table, hooks: Default::default() }
///     }
/// }
/// ```
pub trait WasiHttpView: Send {
    /// The context, table and hooks.
    fn http(&mut self) -> WasiHttpCtxView<'_>;
}

/// How a component linker defines `wasi:http`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Linked {
    /// Not at all.
    No,
    /// With [`Linker::define_wasi_http`]: the store needs
    /// [`Store::set_wasi_http`].
    Defined,
    /// With [`p2::add_only_http_to_linker_sync`]: the linker installs the
    /// context on instantiation.
    FromData,
}

/// Gives the store a `wasi:http` context unless it has one.
fn install<T>(cx: &mut StoreContextMut<'_, T>) -> Result<()> {
    // SAFETY: shared read of the store's flag for the borrow.
    if unsafe { (*cx.inner).has_wasi_http } {
        return Ok(());
    }
    let table = cx
        .wasmtime()
        .tables()
        .wasi_http
        .as_ref()
        .ok_or(ErrorKind::Unsupported(Capability::WasiHttp))?;
    // SAFETY: the context is live; the call only stores a fresh context in
    // the C store's data.
    unsafe { (table.wasmtime_context_set_wasi_http)(cx.context()) };
    // SAFETY: exclusive access to the store for the borrow.
    unsafe { (*cx.inner).has_wasi_http = true };
    Ok(())
}

/// Before a linker that defines `wasi:http` (`linked`) instantiates a
/// component importing `import` (its first `wasi:http/*` import, if any)
/// in `cx`: refuses a store without WASI (the C API's `wasi:http` keeps
/// its resources in WASI's table and aborts without one), and installs the
/// HTTP context where the linker takes it from the data, or refuses a
/// store without one.
pub(crate) fn provide<T>(
    linked: Linked,
    import: Option<&str>,
    cx: &mut StoreContextMut<'_, T>,
) -> Result<()> {
    let Some(name) = import else { return Ok(()) };
    if linked == Linked::No {
        return Ok(());
    }
    if !cx.has_wasi() {
        return Err(ErrorKind::Invalid(format!(
            "the component imports `{name}` and the linker defines wasi:http, but the store has \
             no WASI context, where wasi:http keeps its resources: call `Store::set_wasi`, or \
             define WASI with `wasi::p2::add_to_linker_sync`, before instantiating"
        ))
        .into());
    }
    // SAFETY: shared read of the store's flag for the borrow.
    let has_http = unsafe { (*cx.inner).has_wasi_http };
    match (linked, has_http) {
        (Linked::FromData, false) => install(cx),
        (_, true) => Ok(()),
        _ => Err(ErrorKind::Invalid(format!(
            "the component imports `{name}` and the linker defines wasi:http, but the store has \
             no wasi:http context: call `Store::set_wasi_http` before instantiating"
        ))
        .into()),
    }
}

impl<T: 'static> Linker<T> {
    /// Defines `wasi:http/types` and `wasi:http/outgoing-handler` 0.2 (the
    /// C API's implementation), for a store given
    /// [`Store::set_wasi_http`] and a WASI context: [`Linker::instantiate`]
    /// refuses a component importing `wasi:http/*` in a store without
    /// either (the C API would abort the process on its first `wasi:http`
    /// call). `wasi:http` uses `wasi:io`'s streams and pollables: define
    /// WASI ([`Linker::define_wasi`]) as well. The crate-shaped
    /// [`p2::add_only_http_to_linker_sync`] does this and gives each store
    /// its context itself.
    ///
    /// ```no_run
    /// use wasmtime_dyn::wasi::WasiConfig;
    /// # let (engine, component): (wasmtime_dyn::Engine, wasmtime_dyn::component::Component) = unimplemented!();
    /// let mut linker = wasmtime_dyn::component::Linker::<()>::new(&engine);
    /// linker.define_wasi()?.define_wasi_http()?;
    /// let mut store = wasmtime_dyn::Store::new(&engine, ());
    /// store.set_wasi(&WasiConfig::new())?;
    /// store.set_wasi_http()?;
    /// let instance = linker.instantiate(&mut store, &component)?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unsupported`]`(ComponentModel)` or `(WasiHttp)` on a
    /// library without them (the run-only component builds have no
    /// `wasi:http`).
    pub fn define_wasi_http(&mut self) -> Result<&mut Self> {
        let wasmtime = self.engine().wasmtime();
        if self.ptr.is_null() {
            return Err(crate::capability::absent(
                wasmtime,
                Capability::ComponentModel,
                "the component model",
            ));
        }
        let table = wasmtime
            .tables()
            .component_model_wasi_http
            .as_ref()
            .ok_or_else(|| {
                crate::capability::absent(wasmtime, Capability::WasiHttp, "wasi:http")
            })?;
        // SAFETY: a live linker, not borrowed by a linker instance (that
        // would borrow `self`).
        let error = unsafe { (table.wasmtime_component_linker_add_wasi_http)(self.ptr) };
        // SAFETY: the error, if any, is fresh and owned.
        unsafe { crate::error::check(wasmtime.core(), error) }?;
        if self.wasi_http == Linked::No {
            self.wasi_http = Linked::Defined;
        }
        Ok(self)
    }
}

impl<T> Store<T> {
    /// Gives the store a `wasi:http` context
    /// (`wasmtime_context_set_wasi_http`, the crate's defaults), for a
    /// linker given [`Linker::define_wasi_http`]. A second call keeps the
    /// first context (and the requests it holds).
    ///
    /// ```no_run
    /// # let engine: wasmtime_dyn::Engine = unimplemented!();
    /// let mut store = wasmtime_dyn::Store::new(&engine, ());
    /// store.set_wasi_http()?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unsupported`]`(WasiHttp)` on a library without
    /// `wasi:http`.
    pub fn set_wasi_http(&mut self) -> Result<()> {
        install(&mut self.as_context_mut())
    }
}

/// `wasi:http` 0.2 linking, as the crate's `wasmtime_wasi_http::p2`.
pub mod p2 {
    use super::{Linked, WasiHttpView};
    use crate::component::Linker;
    use crate::error::Result;
    use crate::wasi::WasiView;

    /// Defines `wasi:http/types` and `wasi:http/outgoing-handler` in
    /// `linker`, as the crate's `add_only_http_to_linker_sync`: for a
    /// linker that has WASI already
    /// ([`wasi::p2::add_to_linker_sync`](crate::wasi::p2::add_to_linker_sync)).
    /// The `wasi:http` context is installed in a store when this linker
    /// first instantiates a component importing `wasi:http/*` there; the
    /// store needs a WASI context as well (instantiation refuses one
    /// without).
    ///
    /// ```no_run
    /// use wasmtime_dyn::component::Linker;
    /// use wasmtime_dyn::wasi::ResourceTable;
    /// use wasmtime_dyn::wasi::http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};
    /// use wasmtime_dyn::wasi::{WasiCtx, WasiCtxView, WasiView};
    /// struct Host(WasiCtx, WasiHttpCtx, ResourceTable);
    /// impl WasiView for Host {
    ///     fn ctx(&mut self) -> WasiCtxView<'_> {
    ///         WasiCtxView { ctx: &mut self.0, table: &mut self.2 }
    ///     }
    /// }
    /// impl WasiHttpView for Host {
    ///     fn http(&mut self) -> WasiHttpCtxView<'_> {
    ///         WasiHttpCtxView { ctx: &mut self.1, table: &mut self.2, hooks: Default::default() }
    ///     }
    /// }
    /// # let engine: wasmtime_dyn::Engine = unimplemented!();
    /// let mut linker = Linker::<Host>::new(&engine);
    /// wasmtime_dyn::wasi::p2::add_to_linker_sync(&mut linker)?;
    /// wasmtime_dyn::wasi::http::p2::add_only_http_to_linker_sync(&mut linker)?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Linker::define_wasi_http`]'s.
    pub fn add_only_http_to_linker_sync<T: WasiHttpView + 'static>(
        linker: &mut Linker<T>,
    ) -> Result<()> {
        linker.define_wasi_http()?;
        linker.wasi_http = Linked::FromData;
        Ok(())
    }

    /// Defines WASI preview 2 and `wasi:http` in `linker`, as the crate's
    /// `add_to_linker_sync`; both contexts come from the store's data. The
    /// crate adds only the `wasi:http/proxy` world's WASI interfaces; the
    /// C API has no finer choice than all of WASI.
    ///
    /// ```no_run
    /// # use wasmtime_dyn::component::Linker;
    /// use wasmtime_dyn::wasi::ResourceTable;
    /// # use wasmtime_dyn::wasi::http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};
    /// # use wasmtime_dyn::wasi::{WasiCtx, WasiCtxView, WasiView};
    /// # struct Host(WasiCtx, WasiHttpCtx, ResourceTable);
    /// # impl WasiView for Host {
    /// #     fn ctx(&mut self) -> WasiCtxView<'_> { WasiCtxView { ctx: &mut self.0, table: &mut self.2 } }
    /// # }
    /// # impl WasiHttpView for Host {
    /// #     fn http(&mut self) -> WasiHttpCtxView<'_> {
    /// #         WasiHttpCtxView { ctx: &mut self.1, table: &mut self.2, hooks: Default::default() }
    /// #     }
    /// # }
    /// # let engine: wasmtime_dyn::Engine = unimplemented!();
    /// let mut linker = Linker::<Host>::new(&engine);
    /// wasmtime_dyn::wasi::http::p2::add_to_linker_sync(&mut linker)?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported)`(ComponentModel)`,
    /// `(Wasi)` or `(WasiHttp)` on a library without them.
    pub fn add_to_linker_sync<T: WasiHttpView + WasiView + 'static>(
        linker: &mut Linker<T>,
    ) -> Result<()> {
        crate::wasi::p2::add_to_linker_sync(linker)?;
        add_only_http_to_linker_sync(linker)
    }
}
