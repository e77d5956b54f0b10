//! Stores: the owners of instances, functions, memories, globals and tables,
//! with the host's data `T`.

use crate::engine::Engine;
use crate::error::{ErrorKind, Result};
use crate::loader::Wasmtime;
use crate::module::FuncExports;
use crate::sys::types::*;
use crate::wasm_scan::TableLimits;
use std::any::Any;
use std::collections::HashMap;
use std::marker::PhantomData;
use std::ptr::NonNull;
use std::sync::{Arc, OnceLock};

/// What lives behind a store's pointer; reached from C through the store's
/// data pointer in host function callbacks.
pub(crate) struct StoreInner<T> {
    pub(crate) engine: Engine,
    pub(crate) wasmtime: &'static Wasmtime,
    pub(crate) store: *mut wasmtime_store_t,
    pub(crate) context: *mut wasmtime_context_t,
    /// This crate's id of the store, unique in the process across every
    /// loaded library (Wasmtime's own ids start over in each library, so
    /// two libraries' stores can share one). Every object handle records
    /// the id of the store it came from.
    pub(crate) id: u64,
    /// A host function's panic, resumed once the wasm frames are gone.
    pub(crate) panic: Option<Box<dyn Any + Send>>,
    /// The error a host function returned, given back once the call it
    /// failed returns.
    pub(crate) host_error: Option<crate::func::HostError>,
    /// Whether the store has a WASI context: the C API's WASI functions
    /// abort the process without one ("wasi context must be populated"),
    /// so wasm that can reach them is not instantiated before. Once set, a
    /// context is never removed (it can only be replaced).
    pub(crate) has_wasi: bool,
    /// Whether Wasmtime requires this store's calls to be async (after
    /// `instantiate_async`, async host functions taken out of a linker, or
    /// fuel/epoch async yields: Wasmtime's `async_required`). Its
    /// `Func::call_unchecked`, behind the sync calls here, does not check
    /// that, and a sync call that then reaches an async host function or a
    /// yield aborts the process (`fiber.rs` unwraps a missing async
    /// context), so the sync calls check this first.
    pub(crate) async_required: bool,
    /// Whether the store has a WASI HTTP context
    /// (`wasmtime_context_set_wasi_http`): without it, and without a WASI
    /// context, the C API's `wasi:http` functions abort the process (see
    /// `wasi::http`). Never removed once set.
    pub(crate) has_wasi_http: bool,
    /// Types of tables the C API cannot describe (`table64`, limits beyond
    /// `u32`, a maximum of `u32::MAX`), keyed by the handle's private
    /// words: recorded when an instance of a module whose bytes this crate
    /// read is made, answered by `Table::ty` without asking the C API.
    pub(crate) wide_tables: HashMap<(u32, u32), TableLimits>,
    /// The function exports of the modules instantiated here (see
    /// `Module::shared_func_exports`), kept alive as long as the store:
    /// each [`Instance`](crate::Instance) points at its module's, and
    /// `get_typed_func` checks a signature there instead of asking the
    /// library for the function's type. The first module is kept inline:
    /// a store of one module allocates nothing for it.
    pub(crate) first_module: Option<Arc<OnceLock<FuncExports>>>,
    pub(crate) more_modules: Vec<Arc<OnceLock<FuncExports>>>,
    /// What the epoch deadline does (see `crate::epoch`).
    pub(crate) epoch: crate::epoch::EpochBehaviour<T>,
    /// The instances and modules a core dump lists (see
    /// `crate::coredump`): `None`, and never touched, unless the engine's
    /// configuration has `coredump_on_trap`.
    pub(crate) coredump: Option<Box<crate::coredump::Tracker>>,
    pub(crate) data: T,
}

/// The next store id; ids start at 1 and are never reused.
static NEXT_STORE_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// A store: all WebAssembly objects live in one, with the host's `data`.
///
/// ```no_run
/// use wasmtime_dyn::{Engine, Store, Wasmtime};
/// # let engine: Engine = unimplemented!();
/// let mut store = Store::new(&engine, 0u32);
/// *store.data_mut() += 1;
/// assert_eq!(*store.data(), 1);
/// ```
pub struct Store<T> {
    inner: NonNull<StoreInner<T>>,
    /// Copies of the inner store's context pointer and id, so the hot path
    /// reads them without going through `inner`.
    context: *mut wasmtime_context_t,
    id: u64,
    _owns: PhantomData<Box<StoreInner<T>>>,
}

// SAFETY: a Wasmtime store may move between threads (`wasmtime::Store<T>`
// is `Send` when `T` is); the inner box moves with the handle.
unsafe impl<T: Send> Send for Store<T> {}

impl<T> Store<T> {
    /// A new store in `engine`, holding `data`.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Engine, Store};
    /// # let engine: Engine = unimplemented!();
    /// let mut store = Store::new(&engine, Vec::<String>::new());
    /// store.data_mut().push("started".into());
    /// ```
    pub fn new(engine: &Engine, data: T) -> Store<T> {
        let wasmtime = engine.wasmtime();
        let inner = Box::into_raw(Box::new(StoreInner {
            engine: engine.clone(),
            wasmtime,
            store: std::ptr::null_mut(),
            context: std::ptr::null_mut(),
            id: NEXT_STORE_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            panic: None,
            host_error: None,
            has_wasi: false,
            async_required: false,
            has_wasi_http: false,
            wide_tables: HashMap::new(),
            first_module: None,
            more_modules: Vec::new(),
            epoch: crate::epoch::EpochBehaviour::Default,
            coredump: crate::coredump::Tracker::for_engine(engine),
            data,
        }));
        // SAFETY: the engine is live; the data pointer is the inner box,
        // which outlives the C store (deleted first in `drop`); no finalizer.
        let store =
            unsafe { (wasmtime.core().wasmtime_store_new)(engine.ptr(), inner.cast(), None) };
        // SAFETY: `store` is live; its context lives as long as it does.
        let context = unsafe { (wasmtime.core().wasmtime_store_context)(store) };
        // SAFETY: `inner` is the box just allocated, not aliased yet.
        let id = unsafe {
            (*inner).store = store;
            (*inner).context = context;
            (*inner).id
        };
        Store {
            inner: NonNull::new(inner).expect("Box::into_raw is never null"),
            context,
            id,
            _owns: PhantomData,
        }
    }

    /// The inner box, borrowed with the store.
    pub(crate) fn inner_mut(&mut self) -> &mut StoreInner<T> {
        // SAFETY: the box lives as long as the store, borrowed exclusively.
        unsafe { self.inner.as_mut() }
    }

    /// The host data.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Engine, Store};
    /// # let engine: Engine = unimplemented!();
    /// let store = Store::new(&engine, "settings");
    /// assert_eq!(*store.data(), "settings");
    /// ```
    pub fn data(&self) -> &T {
        // SAFETY: the inner box is live while the store is; shared access
        // through `&self`.
        unsafe { &(*self.inner.as_ptr()).data }
    }

    /// The host data, mutably.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Engine, Store};
    /// # let engine: Engine = unimplemented!();
    /// let mut store = Store::new(&engine, 0u64);
    /// *store.data_mut() += 1;
    /// ```
    pub fn data_mut(&mut self) -> &mut T {
        // SAFETY: exclusive through `&mut self`; no wasm is running.
        unsafe { &mut (*self.inner.as_ptr()).data }
    }

    /// Consumes the store, returning its data.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Engine, Store};
    /// # let engine: Engine = unimplemented!();
    /// let store = Store::new(&engine, vec![1, 2]);
    /// assert_eq!(store.into_data(), [1, 2]);
    /// ```
    pub fn into_data(self) -> T {
        let inner = self.inner.as_ptr();
        std::mem::forget(self);
        // SAFETY: the C store is deleted first (running finalizers of host
        // functions), then the box is reclaimed exactly once.
        let data = unsafe {
            ((*inner).wasmtime.core().wasmtime_store_delete)((*inner).store);
            Box::from_raw(inner).data
        };
        crate::panics::resume_finalizer_panic();
        data
    }

    /// The engine.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Engine, Store};
    /// # let engine: Engine = unimplemented!();
    /// let store = Store::new(&engine, ());
    /// assert!(Engine::same(store.engine(), &engine));
    /// ```
    pub fn engine(&self) -> &Engine {
        // SAFETY: as in `data`.
        unsafe { &(*self.inner.as_ptr()).engine }
    }

    /// Sets the fuel left (needs [`Config::consume_fuel`](crate::Config::consume_fuel)).
    ///
    /// ```no_run
    /// # let mut store: wasmtime_dyn::Store<()> = unimplemented!();
    /// store.set_fuel(10_000)?;
    /// assert_eq!(store.get_fuel()?, 10_000);
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn set_fuel(&mut self, fuel: u64) -> Result<()> {
        self.as_context_mut().set_fuel(fuel)
    }

    /// The fuel left (needs [`Config::consume_fuel`](crate::Config::consume_fuel)).
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Store, TypedFunc};
    /// # let (mut store, run): (Store<()>, TypedFunc<(), ()>) = unimplemented!();
    /// store.set_fuel(1_000_000)?;
    /// run.call(&mut store, ())?;
    /// println!("the call used {} fuel", 1_000_000 - store.get_fuel()?);
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn get_fuel(&self) -> Result<u64> {
        let core = self.engine().wasmtime().core();
        let mut fuel = 0;
        // SAFETY: the context is live; `fuel` is writable.
        let error = unsafe { (core.wasmtime_context_get_fuel)(self.raw_context(), &mut fuel) };
        // SAFETY: the error, if any, is fresh and owned.
        unsafe { crate::error::check(core, error) }?;
        Ok(fuel)
    }

    /// Sets the epoch deadline `ticks` increments of
    /// [`Engine::increment_epoch`] from now (needs
    /// [`Config::epoch_interruption`](crate::Config::epoch_interruption)).
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Engine, Store};
    /// # let (engine, mut store): (Engine, Store<()>) = unimplemented!();
    /// store.set_epoch_deadline(1);
    /// engine.increment_epoch(); // from any thread: the store's wasm now traps when it checks
    /// ```
    pub fn set_epoch_deadline(&mut self, ticks: u64) {
        let core = self.engine().wasmtime().core();
        // SAFETY: the context is live.
        unsafe { (core.wasmtime_context_set_epoch_deadline)(self.raw_context(), ticks) };
    }

    /// Limits resource growth in this store: `memory_size` bytes per
    /// memory, `table_elements` entries per table, and counts of instances,
    /// tables and memories. `None` leaves a limit unbounded. Growth past a
    /// limit fails (`memory.grow` returns -1; instantiation fails).
    ///
    /// The C API's limiter (`wasmtime_store_limiter`) takes these numbers:
    /// the crate's `Store::limiter` with a `ResourceLimiter` callback, and
    /// its `call_hook`, have no C API function.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Memory, MemoryType, Store};
    /// # let mut store: Store<()> = unimplemented!();
    /// // At most 1 MiB per memory and 10 instances; the other counts unbounded.
    /// store.limiter(Some(1 << 20), None, Some(10), None, None)?;
    /// let memory = Memory::new(&mut store, MemoryType::new(16, None))?; // 16 pages = 1 MiB
    /// assert!(memory.grow(&mut store, 1).is_err());
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn limiter(
        &mut self,
        memory_size: Option<u64>,
        table_elements: Option<u64>,
        instances: Option<u64>,
        tables: Option<u64>,
        memories: Option<u64>,
    ) -> Result<()> {
        let to_c = |what: &str, v: Option<u64>| -> Result<i64> {
            match v {
                None => Ok(-1),
                Some(v) => i64::try_from(v).map_err(|_| {
                    ErrorKind::Invalid(format!("the {what} limit {v} is above i64::MAX")).into()
                }),
            }
        };
        let args = (
            to_c("memory size", memory_size)?,
            to_c("table elements", table_elements)?,
            to_c("instances", instances)?,
            to_c("tables", tables)?,
            to_c("memories", memories)?,
        );
        // SAFETY: the store is live; plain values (-1 = unlimited).
        unsafe {
            let inner = self.inner.as_ptr();
            ((*inner).wasmtime.core().wasmtime_store_limiter)(
                (*inner).store,
                args.0,
                args.1,
                args.2,
                args.3,
                args.4,
            )
        };
        Ok(())
    }

    fn raw_context(&self) -> *mut wasmtime_context_t {
        self.context
    }
}

impl<T> Drop for Store<T> {
    fn drop(&mut self) {
        let inner = self.inner.as_ptr();
        // Its queued roots (Wasmtime 36 and 37) go with it.
        // SAFETY: the box is live until reclaimed below.
        crate::val::roots36::forget_store(unsafe { (*inner).id });
        // SAFETY: the C store is deleted first (its host function
        // finalizers may run), then the box is reclaimed exactly once.
        unsafe {
            ((*inner).wasmtime.core().wasmtime_store_delete)((*inner).store);
            drop(Box::from_raw(inner));
        }
        // A finalizer (a host function's closure, an externref's data)
        // that panicked in `Drop` while the store was deleted panics here,
        // as it would in Rust.
        crate::panics::resume_finalizer_panic();
    }
}

impl<T> std::fmt::Debug for Store<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

/// A mutable view of a store, from a [`Store`] or a [`Caller`]: what the
/// functions that run wasm or touch store objects take.
///
/// ```no_run
/// use wasmtime_dyn::{AsContextMut, Store, StoreContextMut};
/// fn bump(mut cx: StoreContextMut<'_, u32>) {
///     *cx.data_mut() += 1;
/// }
/// # let mut store: Store<u32> = unimplemented!();
/// bump(store.as_context_mut());
/// assert_eq!(*store.data(), 1);
/// ```
pub struct StoreContextMut<'a, T> {
    pub(crate) inner: *mut StoreInner<T>,
    /// The inner store's context pointer and id, copied.
    context: *mut wasmtime_context_t,
    id: u64,
    pub(crate) _borrow: PhantomData<&'a mut T>,
}

// SAFETY: an exclusive borrow of the store, as `&mut Store<T>` is (`Send`
// when `T` is), like the `wasmtime` crate's `StoreContextMut`.
unsafe impl<T: Send> Send for StoreContextMut<'_, T> {}

impl<T> StoreContextMut<'_, T> {
    /// The host data.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{AsContextMut, Store};
    /// # let mut store: Store<&str> = unimplemented!();
    /// let cx = store.as_context_mut();
    /// println!("{}", cx.data());
    /// ```
    pub fn data(&self) -> &T {
        // SAFETY: the inner store is live for the borrow `'a`; shared.
        unsafe { &(*self.inner).data }
    }

    /// The host data, mutably.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{AsContextMut, Store};
    /// # let mut store: Store<Vec<u8>> = unimplemented!();
    /// let mut cx = store.as_context_mut();
    /// cx.data_mut().push(1);
    /// ```
    pub fn data_mut(&mut self) -> &mut T {
        // SAFETY: exclusive for the borrow.
        unsafe { &mut (*self.inner).data }
    }

    /// The engine.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{AsContextMut, Engine, Store};
    /// # let (engine, mut store): (Engine, Store<()>) = unimplemented!();
    /// assert!(Engine::same(store.as_context_mut().engine(), &engine));
    /// ```
    pub fn engine(&self) -> &Engine {
        // SAFETY: as in `data`.
        unsafe { &(*self.inner).engine }
    }

    /// Sets the fuel left.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{AsContextMut, Store};
    /// # let mut store: Store<()> = unimplemented!();
    /// store.as_context_mut().set_fuel(500)?;
    /// assert_eq!(store.get_fuel()?, 500);
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn set_fuel(&mut self, fuel: u64) -> Result<()> {
        let core = self.wasmtime().core();
        // SAFETY: the context is live.
        let error = unsafe { (core.wasmtime_context_set_fuel)(self.context(), fuel) };
        // SAFETY: the error, if any, is fresh and owned.
        unsafe { crate::error::check(core, error) }
    }

    pub(crate) fn wasmtime(&self) -> &'static Wasmtime {
        // SAFETY: as in `data`.
        unsafe { (*self.inner).wasmtime }
    }

    /// A view of the store behind `inner`.
    ///
    /// # Safety
    ///
    /// `inner` is a live store, borrowed exclusively for `'a`.
    pub(crate) unsafe fn from_inner(inner: *mut StoreInner<T>) -> Self {
        StoreContextMut {
            inner,
            // SAFETY: live (caller's contract).
            context: unsafe { (*inner).context },
            // SAFETY: as above.
            id: unsafe { (*inner).id },
            _borrow: PhantomData,
        }
    }

    #[inline]
    pub(crate) fn context(&self) -> *mut wasmtime_context_t {
        self.context
    }

    pub(crate) fn raw_store(&self) -> *mut wasmtime_store_t {
        // SAFETY: as in `data`.
        unsafe { (*self.inner).store }
    }

    /// The store's id (see `StoreInner::id`).
    #[inline]
    pub(crate) fn id(&self) -> u64 {
        self.id
    }

    /// Checks that an object of the store with id `id` belongs here.
    #[inline]
    pub(crate) fn check(&self, id: u64, what: &'static str) -> Result<()> {
        if self.id() == id {
            Ok(())
        } else {
            Err(ErrorKind::WrongStore(what).into())
        }
    }

    /// Panics, naming `what`, unless the object of the store with id `id`
    /// belongs here: for the misuses the `wasmtime` crate panics on.
    #[track_caller]
    pub(crate) fn assert_owns(&self, id: u64, what: &'static str) {
        if let Err(err) = self.check(id, what) {
            panic!("{err}");
        }
    }

    /// Refuses a sync call in a store whose calls must be async (see
    /// `StoreInner::async_required`).
    #[inline]
    pub(crate) fn check_sync_call(&self) -> Result<()> {
        // SAFETY: as in `data`.
        if unsafe { (*self.inner).async_required } {
            return Err(crate::async_support::sync_call_refused());
        }
        Ok(())
    }

    /// Records that the store's calls must be async from now on.
    pub(crate) fn require_async(&self) {
        // SAFETY: the view borrows the store exclusively; a plain flag.
        unsafe { (*self.inner).async_required = true };
    }

    /// Whether the store has a WASI context (see `StoreInner::has_wasi`).
    pub(crate) fn has_wasi(&self) -> bool {
        // SAFETY: as in `data`.
        unsafe { (*self.inner).has_wasi }
    }

    /// Remembers the limits of a table the C API cannot describe.
    pub(crate) fn record_wide_table(&mut self, table: &wasmtime_table_t, limits: TableLimits) {
        // SAFETY: exclusive for the borrow.
        unsafe { (*self.inner).wide_tables.insert(table_key(table), limits) };
    }

    /// Keeps a module's function exports (filled) alive as long as the
    /// store, and returns where they are: an instance of the module keeps
    /// the address.
    pub(crate) fn keep_func_exports(
        &mut self,
        exports: &Arc<OnceLock<FuncExports>>,
    ) -> *const FuncExports {
        // SAFETY: exclusive for the borrow.
        let inner = unsafe { &mut *self.inner };
        // Instances of one module in a row are the common case.
        let last = inner.more_modules.last().or(inner.first_module.as_ref());
        if !last.is_some_and(|last| Arc::ptr_eq(last, exports)) {
            if inner.first_module.is_none() {
                inner.first_module = Some(exports.clone());
            } else {
                inner.more_modules.push(exports.clone());
            }
        }
        exports
            .get()
            .map_or(std::ptr::null(), |e| e as *const FuncExports)
    }

    /// What the store records for core dumps; `None` unless the engine's
    /// configuration has `coredump_on_trap`.
    #[inline]
    pub(crate) fn coredump(&mut self) -> Option<&mut crate::coredump::Tracker> {
        // SAFETY: exclusive for the borrow.
        unsafe { (*self.inner).coredump.as_deref_mut() }
    }

    /// Takes the error a host function returned during the last call.
    pub(crate) fn take_host_error(&mut self) -> Option<crate::func::HostError> {
        // SAFETY: exclusive for the borrow; no wasm is running any more.
        unsafe { (*self.inner).host_error.take() }
    }

    /// Resumes a host function's panic caught during the last call.
    pub(crate) fn resume_panic(&mut self) {
        // SAFETY: exclusive for the borrow; no wasm is running any more.
        if let Some(payload) = unsafe { (*self.inner).panic.take() } {
            std::panic::resume_unwind(payload);
        }
    }
}

/// Anything that can lend a [`StoreContextMut`]: a [`Store`], a
/// [`Caller`], a context, or a mutable reference to one of these.
///
/// ```
/// use wasmtime_dyn::{AsContextMut, Memory, MemoryType, Result};
/// // Works with a Store, a Caller, a StoreContextMut, or `&mut` of one.
/// fn scratch(mut store: impl AsContextMut) -> Result<Memory> {
///     Memory::new(&mut store, MemoryType::new(1, None))
/// }
/// ```
pub trait AsContextMut {
    /// The store's data type.
    type Data;

    /// Borrows the store.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{AsContextMut, Store};
    /// # let mut store: Store<u32> = unimplemented!();
    /// let mut cx = store.as_context_mut();
    /// *cx.data_mut() = 5;
    /// ```
    fn as_context_mut(&mut self) -> StoreContextMut<'_, Self::Data>;
}

impl<T> AsContextMut for Store<T> {
    type Data = T;

    #[inline]
    fn as_context_mut(&mut self) -> StoreContextMut<'_, T> {
        StoreContextMut {
            inner: self.inner.as_ptr(),
            context: self.context,
            id: self.id,
            _borrow: PhantomData,
        }
    }
}

impl<T> AsContextMut for StoreContextMut<'_, T> {
    type Data = T;

    #[inline]
    fn as_context_mut(&mut self) -> StoreContextMut<'_, T> {
        StoreContextMut {
            inner: self.inner,
            context: self.context,
            id: self.id,
            _borrow: PhantomData,
        }
    }
}

impl<S: AsContextMut + ?Sized> AsContextMut for &mut S {
    type Data = S::Data;

    fn as_context_mut(&mut self) -> StoreContextMut<'_, S::Data> {
        (**self).as_context_mut()
    }
}

/// The store as a host function sees it while wasm calls it: the host data
/// and the calling instance's exports.
///
/// ```no_run
/// use wasmtime_dyn::{Caller, Linker};
/// # let mut linker: Linker<u32> = unimplemented!();
/// linker.func_wrap("host", "count", |mut caller: Caller<'_, u32>, n: i32| {
///     *caller.data_mut() += n as u32;
///     let _memory = caller.get_export("memory");
/// })?;
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
pub struct Caller<'a, T> {
    pub(crate) caller: *mut wasmtime_caller_t,
    pub(crate) inner: *mut StoreInner<T>,
    pub(crate) _borrow: PhantomData<&'a mut T>,
}

// SAFETY: an exclusive borrow of the store for one host call, as the
// `wasmtime` crate's `Caller` (`Send` when `T` is): an async host
// function's future keeps it across awaits and may move between threads
// with the call's future; it is only used while its call is running.
unsafe impl<T: Send> Send for Caller<'_, T> {}

impl<T> Caller<'_, T> {
    /// The host data.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Caller, Linker};
    /// # let mut linker: Linker<i32> = unimplemented!();
    /// linker.func_wrap("host", "limit", |caller: Caller<'_, i32>| *caller.data())?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn data(&self) -> &T {
        // SAFETY: the store is live during the host call; shared.
        unsafe { &(*self.inner).data }
    }

    /// The host data, mutably.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Caller, Linker};
    /// # let mut linker: Linker<Vec<i32>> = unimplemented!();
    /// linker.func_wrap("host", "push", |mut caller: Caller<'_, Vec<i32>>, x: i32| {
    ///     caller.data_mut().push(x);
    /// })?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn data_mut(&mut self) -> &mut T {
        // SAFETY: the host call has exclusive access to the store.
        unsafe { &mut (*self.inner).data }
    }

    /// The engine.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Caller, Linker};
    /// # let mut linker: Linker<()> = unimplemented!();
    /// linker.func_wrap("host", "tick", |caller: Caller<'_, ()>| caller.engine().increment_epoch())?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn engine(&self) -> &Engine {
        // SAFETY: as in `data`.
        unsafe { &(*self.inner).engine }
    }

    /// An export of the calling instance, by name.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Caller, Extern, Linker};
    /// # let mut linker: Linker<()> = unimplemented!();
    /// linker.func_wrap("host", "print", |mut caller: Caller<'_, ()>, ptr: u32, len: u32| {
    ///     let Some(Extern::Memory(memory)) = caller.get_export("memory") else {
    ///         return;
    ///     };
    ///     let mut buf = vec![0; len as usize];
    ///     if memory.read(&caller, ptr as usize, &mut buf).is_ok() {
    ///         println!("{}", String::from_utf8_lossy(&buf));
    ///     }
    /// })?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn get_export(&mut self, name: &str) -> Option<crate::Extern> {
        let mut item = std::mem::MaybeUninit::<wasmtime_extern_t>::uninit();
        // SAFETY: `caller` is live during the host call; `name` is readable;
        // `item` is written when the call returns true.
        let found = unsafe {
            ((*self.inner).wasmtime.core().wasmtime_caller_export_get)(
                self.caller,
                name.as_ptr().cast(),
                name.len(),
                item.as_mut_ptr(),
            )
        };
        if !found {
            return None;
        }
        // SAFETY: written by the library since it returned true.
        let item = unsafe { item.assume_init() };
        let mut cx = self.as_context_mut();
        // SAFETY: the item was just produced by this store's library.
        unsafe { crate::instance::Extern::from_c(&mut cx, &item) }
            .ok()
            .flatten()
    }
}

impl<T> AsContextMut for Caller<'_, T> {
    type Data = T;

    fn as_context_mut(&mut self) -> StoreContextMut<'_, T> {
        // SAFETY: the store is live during the host call, which has
        // exclusive access to it.
        unsafe { StoreContextMut::from_inner(self.inner) }
    }
}

/// A shared view of a store, from a [`Store`] or a [`Caller`]: what
/// read-only accessors such as [`Memory::data`](crate::Memory::data) take.
///
/// ```no_run
/// use wasmtime_dyn::{AsContext, Store, StoreContext};
/// fn show(cx: StoreContext<'_, String>) {
///     println!("{}", cx.data());
/// }
/// # let store: Store<String> = unimplemented!();
/// show(store.as_context());
/// ```
pub struct StoreContext<'a, T> {
    pub(crate) inner: *mut StoreInner<T>,
    pub(crate) _borrow: PhantomData<&'a T>,
}

impl<T> StoreContext<'_, T> {
    /// The host data.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{AsContext, Engine, Store};
    /// # let engine: Engine = unimplemented!();
    /// let store = Store::new(&engine, 7);
    /// assert_eq!(*store.as_context().data(), 7);
    /// ```
    pub fn data(&self) -> &T {
        // SAFETY: the inner store is live for the borrow; shared access.
        unsafe { &(*self.inner).data }
    }

    pub(crate) fn wasmtime(&self) -> &'static Wasmtime {
        // SAFETY: as in `data`.
        unsafe { (*self.inner).wasmtime }
    }

    pub(crate) fn engine(&self) -> &Engine {
        // SAFETY: as in `data`.
        unsafe { &(*self.inner).engine }
    }

    pub(crate) fn context(&self) -> *mut wasmtime_context_t {
        // SAFETY: as in `data`.
        unsafe { (*self.inner).context }
    }

    pub(crate) fn check(&self, id: u64, what: &'static str) -> Result<()> {
        // SAFETY: the inner store is live for the shared borrow; the view
        // is only used to compare ids.
        unsafe { StoreContextMut::<T>::from_inner(self.inner) }.check(id, what)
    }

    /// As `StoreContextMut::assert_owns`.
    #[track_caller]
    pub(crate) fn assert_owns(&self, id: u64, what: &'static str) {
        if let Err(err) = self.check(id, what) {
            panic!("{err}");
        }
    }

    /// The limits recorded for `table`, if it is one the C API cannot
    /// describe (see `StoreInner::wide_tables`).
    pub(crate) fn wide_table(&self, table: &wasmtime_table_t) -> Option<TableLimits> {
        // SAFETY: as in `data`.
        unsafe { (*self.inner).wide_tables.get(&table_key(table)).copied() }
    }
}

/// The words that tell a store's tables apart (the store id is checked
/// separately by every caller).
fn table_key(table: &wasmtime_table_t) -> (u32, u32) {
    (table.__bindgen_anon_1.__private1, table.__private2)
}

/// Anything that can lend a [`StoreContext`].
///
/// ```
/// use wasmtime_dyn::{AsContext, Memory};
/// // Works with a Store, a Caller, a context, or a reference to one.
/// fn first_byte(memory: &Memory, store: impl AsContext) -> Option<u8> {
///     memory.data(&store).first().copied()
/// }
/// ```
pub trait AsContext {
    /// The store's data type.
    type Data;

    /// Borrows the store, shared.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{AsContext, Store};
    /// # let store: Store<u32> = unimplemented!();
    /// let cx = store.as_context();
    /// println!("{}", cx.data());
    /// ```
    fn as_context(&self) -> StoreContext<'_, Self::Data>;
}

macro_rules! as_context {
    ($($ty:ty => $inner:ident),*) => {
        $(
            impl<T> AsContext for $ty {
                type Data = T;

                fn as_context(&self) -> StoreContext<'_, T> {
                    StoreContext {
                        inner: $inner(self),
                        _borrow: PhantomData,
                    }
                }
            }
        )*
    };
}

fn store_inner<T>(store: &Store<T>) -> *mut StoreInner<T> {
    store.inner.as_ptr()
}

fn caller_inner<T>(caller: &Caller<'_, T>) -> *mut StoreInner<T> {
    caller.inner
}

fn cx_inner<T>(cx: &StoreContextMut<'_, T>) -> *mut StoreInner<T> {
    cx.inner
}

fn shared_inner<T>(cx: &StoreContext<'_, T>) -> *mut StoreInner<T> {
    cx.inner
}

as_context!(
    Store<T> => store_inner,
    Caller<'_, T> => caller_inner,
    StoreContextMut<'_, T> => cx_inner,
    StoreContext<'_, T> => shared_inner
);

impl<S: AsContext + ?Sized> AsContext for &S {
    type Data = S::Data;

    fn as_context(&self) -> StoreContext<'_, S::Data> {
        (**self).as_context()
    }
}

impl<S: AsContext + ?Sized> AsContext for &mut S {
    type Data = S::Data;

    fn as_context(&self) -> StoreContext<'_, S::Data> {
        (**self).as_context()
    }
}
