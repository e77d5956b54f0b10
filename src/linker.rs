//! Linking imports by name.

use crate::engine::Engine;
use crate::error::{Error, ErrorKind, Result};
use crate::func::{call_failed, untyped_host, HostCallback, HostFn, IntoFunc};
use crate::instance::{Extern, Instance};
use crate::module::Module;
use crate::store::{AsContextMut, Caller, StoreContextMut};
use crate::sys::types::*;
use crate::types::FuncType;
use crate::val::Val;
use std::marker::PhantomData;

mod async_host;

pub(crate) use async_host::RawInstance;

/// Resolves a module's imports by module and item name, then instantiates
/// it. Host functions defined here work in every store of data type `T`;
/// items defined from a store ([`Linker::define`]) tie the linker to that
/// store.
///
/// ```no_run
/// use wasmtime_dyn::{Engine, Linker, Module, Store};
/// # let (engine, module): (Engine, Module) = unimplemented!();
/// let mut linker = Linker::new(&engine);
/// linker.func_wrap("env", "log", |x: i32| println!("wasm says {x}"))?;
/// let mut store = Store::new(&engine, ());
/// let instance = linker.instantiate(&mut store, &module)?;
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
pub struct Linker<T> {
    engine: Engine,
    ptr: *mut wasmtime_linker_t,
    /// The store the store-bound items defined so far belong to.
    store_id: Option<u64>,
    /// What the store-bound items are defined as: `(module, Some(name))`
    /// for one item, `(module, None)` for every name under `module` (an
    /// instance's or a module's exports). A module importing none of them
    /// may be instantiated in any store of the engine, as with the crate.
    store_bound: Vec<(String, Option<String>)>,
    /// Whether WASI is defined here (see `StoreInner::has_wasi`).
    pub(crate) has_wasi: bool,
    /// Where a store's WASI context is in its data, when WASI was defined
    /// by `wasi::p1::add_to_linker_sync`.
    pub(crate) wasi_ctx: Option<crate::wasi::p1::WasiCtxGetter<T>>,
    /// Whether async host functions are defined here: a store that takes
    /// one out (`get`, `get_default`) must make its calls async.
    has_async: bool,
    _data: PhantomData<fn(T)>,
}

// SAFETY: `wasmtime::Linker<T>` is `Send + Sync` (host functions must be).
unsafe impl<T> Send for Linker<T> {}
// SAFETY: as above.
unsafe impl<T> Sync for Linker<T> {}

impl<T> std::fmt::Debug for Linker<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Linker").finish_non_exhaustive()
    }
}

impl<T> Drop for Linker<T> {
    fn drop(&mut self) {
        // SAFETY: owned here, deleted once.
        unsafe { (self.engine.wasmtime().core().wasmtime_linker_delete)(self.ptr) };
        // A host function's closure that panicked in `Drop` panics here.
        crate::panics::resume_finalizer_panic();
    }
}

/// Checks that `cx` is a store of `engine` and, when definitions of a store
/// were made (`store_id`), that store: Wasmtime panics on either mismatch
/// (inside the C API: an abort). `what` and `holder` name the object in
/// the errors.
pub(crate) fn check_store_bound<T>(
    cx: &StoreContextMut<'_, T>,
    engine: &Engine,
    store_id: Option<u64>,
    what: &'static str,
    holder: &'static str,
) -> Result<()> {
    if !Engine::same(cx.engine(), engine) {
        return Err(ErrorKind::WrongEngine("the store", what).into());
    }
    if let Some(id) = store_id {
        cx.check(id, holder)?;
    }
    Ok(())
}

/// Installs the store's WASI context from its data, where the linker was
/// given a getter (`wasi::p1::add_to_linker_sync`) and the store has none.
pub(crate) fn provide_wasi<T>(
    get: Option<&crate::wasi::p1::WasiCtxGetter<T>>,
    cx: &mut StoreContextMut<'_, T>,
) -> Result<()> {
    match get {
        Some(get) => crate::wasi::provide_from_data(cx, |data| &get(data).config),
        None => Ok(()),
    }
}

/// A WASI function called in a store without a WASI context aborts the
/// process inside the C API: a module that imports WASI from a linker that
/// defines it (`linker_has_wasi`) is not instantiated in such a store.
pub(crate) fn refuse_wasi_without_context<T>(
    linker_has_wasi: bool,
    cx: &StoreContextMut<'_, T>,
    module: &Module,
) -> Result<()> {
    if linker_has_wasi && !cx.has_wasi() {
        if let Some(name) = module.imports_from(&crate::wasi::MODULE_NAMES) {
            return Err(ErrorKind::Invalid(format!(
                "the module imports from `{name}` and the linker defines WASI, but the store has \
                 no WASI context: call `Store::set_wasi` before instantiating"
            ))
            .into());
        }
    }
    Ok(())
}

/// Prefixes Wasmtime's error about a definition with what was defined:
/// "defining `module::name`: ..." or "defining instance `name`: ...".
fn name_error(what: String) -> impl FnOnce(Error) -> Error {
    move |err| match err.downcast::<ErrorKind>() {
        Ok(ErrorKind::Wasmtime { message }) => ErrorKind::Wasmtime {
            message: format!("defining {what}: {message}"),
        }
        .into(),
        Ok(other) => other.into(),
        Err(err) => err,
    }
}

/// How a definition is named in errors: `module::name`.
fn item_name(module: &str, name: &str) -> String {
    format!("`{module}::{name}`")
}

impl<T: 'static> Linker<T> {
    /// An empty linker for `engine`.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Engine, Linker};
    /// # let engine: Engine = unimplemented!();
    /// let linker: Linker<()> = Linker::new(&engine);
    /// assert!(Engine::same(linker.engine(), &engine));
    /// ```
    pub fn new(engine: &Engine) -> Linker<T> {
        // SAFETY: the engine is live; the linker is owned by the result.
        let ptr = unsafe { (engine.wasmtime().core().wasmtime_linker_new)(engine.ptr()) };
        Linker {
            engine: engine.clone(),
            ptr,
            store_id: None,
            store_bound: Vec::new(),
            has_wasi: false,
            wasi_ctx: None,
            has_async: false,
            _data: PhantomData,
        }
    }

    /// The engine the linker belongs to.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Linker, Store};
    /// # let linker: Linker<()> = unimplemented!();
    /// let mut store = Store::new(linker.engine(), ());
    /// ```
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub(crate) fn ptr(&self) -> *mut wasmtime_linker_t {
        self.ptr
    }

    fn core(&self) -> &'static crate::sys::tables::Core {
        self.engine.wasmtime().core()
    }

    /// Whether a later definition may replace an earlier one of the same
    /// name (an error otherwise).
    ///
    /// ```no_run
    /// # let mut linker: wasmtime_dyn::Linker<()> = unimplemented!();
    /// linker.func_wrap("env", "f", || 1)?;
    /// assert!(linker.func_wrap("env", "f", || 2).is_err());
    /// linker.allow_shadowing(true);
    /// linker.func_wrap("env", "f", || 2)?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn allow_shadowing(&mut self, allow: bool) -> &mut Self {
        // SAFETY: the linker is live.
        unsafe { (self.core().wasmtime_linker_allow_shadowing)(self.ptr, allow) };
        self
    }

    /// Checks that `cx` is a store the linker can work with: of its engine,
    /// and the store of its store-bound items, if it has any.
    fn check_store(&self, cx: &StoreContextMut<'_, T>) -> Result<()> {
        check_store_bound(
            cx,
            &self.engine,
            self.store_id,
            "the linker",
            "the linker (it holds items of another store)",
        )
    }

    /// The store `module` must be instantiated in, if it imports items of
    /// one (see `store_bound`).
    pub(crate) fn store_for(&self, module: &Module) -> Option<u64> {
        let id = self.store_id?;
        module
            .imports_any(|m, n| {
                self.store_bound
                    .iter()
                    .any(|(bm, bn)| bm == m && bn.as_deref().map_or(true, |bn| bn == n))
            })
            .then_some(id)
    }

    /// As [`Linker::check_store`], for instantiating `module`: a store other
    /// than that of the store-bound items is refused only when `module`
    /// imports one of them.
    /// What instantiating `module` in `cx`'s store needs first, for the
    /// sync and async paths alike: its store-bound definitions belong to
    /// that store, the module to the linker's engine, and a store whose
    /// module imports WASI through this linker has its context.
    pub(crate) fn prepare_instantiation(
        &self,
        cx: &mut StoreContextMut<'_, T>,
        module: &Module,
    ) -> Result<()> {
        self.check_store_for(cx, module)?;
        if !Engine::same(module.engine(), &self.engine) {
            return Err(ErrorKind::WrongEngine("the module", "the linker").into());
        }
        provide_wasi(self.wasi_ctx.as_ref(), cx)?;
        refuse_wasi_without_context(self.has_wasi, cx, module)
    }

    fn check_store_for(&self, cx: &StoreContextMut<'_, T>, module: &Module) -> Result<()> {
        // The imports are read only for a store other than the items'.
        let bound = match self.store_id {
            Some(id) if id != cx.id() => self.store_for(module),
            _ => None,
        };
        check_store_bound(
            cx,
            &self.engine,
            bound,
            "the linker",
            "the linker (the module imports items it holds of another store)",
        )
    }

    /// Defines `module`.`name` as an item of `store`.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Linker, Memory, MemoryType, Store};
    /// # let (mut linker, mut store): (Linker<()>, Store<()>) = unimplemented!();
    /// let memory = Memory::new(&mut store, MemoryType::new(1, None))?;
    /// linker.define(&mut store, "env", "memory", memory)?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn define(
        &mut self,
        mut store: impl AsContextMut<Data = T>,
        module: &str,
        name: &str,
        item: impl Into<Extern>,
    ) -> Result<&mut Self> {
        let cx = store.as_context_mut();
        self.check_store(&cx)?;
        let item = item.into();
        let c_item = item.to_c(&cx)?;
        // SAFETY: linker, context and item are live; the item belongs to
        // this store (checked); names are readable.
        let error = unsafe {
            (self.core().wasmtime_linker_define)(
                self.ptr,
                cx.context(),
                module.as_ptr().cast(),
                module.len(),
                name.as_ptr().cast(),
                name.len(),
                &c_item,
            )
        };
        // SAFETY: the error, if any, is fresh and owned.
        unsafe { crate::error::check(self.core(), error) }
            .map_err(name_error(item_name(module, name)))?;
        if let Some(id) = item.store_id() {
            self.store_id = Some(id);
            self.store_bound
                .push((module.to_string(), Some(name.to_string())));
        }
        Ok(self)
    }

    /// Defines every export of `instance` under `module_name`, as the
    /// crate's `Linker::instance` (the same as
    /// [`define_instance`](Linker::define_instance)).
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Linker, Module, Store};
    /// # let (mut linker, mut store, lib): (Linker<()>, Store<()>, Module) = unimplemented!();
    /// let lib = linker.instantiate(&mut store, &lib)?;
    /// linker.instance(&mut store, "lib", lib)?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn instance(
        &mut self,
        store: impl AsContextMut<Data = T>,
        module_name: &str,
        instance: Instance,
    ) -> Result<&mut Self> {
        self.define_instance(store, module_name, &instance)
    }

    /// Defines every export of `instance` under the module name `name`.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Linker, Module, Store};
    /// # let (mut linker, mut store, lib, app): (Linker<()>, Store<()>, Module, Module) = unimplemented!();
    /// let lib = linker.instantiate(&mut store, &lib)?;
    /// linker.define_instance(&mut store, "lib", &lib)?;
    /// let app = linker.instantiate(&mut store, &app)?; // imports from "lib"
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn define_instance(
        &mut self,
        mut store: impl AsContextMut<Data = T>,
        name: &str,
        instance: &Instance,
    ) -> Result<&mut Self> {
        let cx = store.as_context_mut();
        self.check_store(&cx)?;
        cx.check(instance.store, "the instance")?;
        // SAFETY: linker, context and instance are live and match.
        let error = unsafe {
            (self.core().wasmtime_linker_define_instance)(
                self.ptr,
                cx.context(),
                name.as_ptr().cast(),
                name.len(),
                &instance.raw,
            )
        };
        // SAFETY: the error, if any, is fresh and owned.
        unsafe { crate::error::check(self.core(), error) }
            .map_err(name_error(format!("instance `{name}`")))?;
        self.store_id = Some(instance.store);
        self.store_bound.push((name.to_string(), None));
        Ok(self)
    }

    /// Defines `module`.`name` as a host function from a typed Rust
    /// closure (see [`Func::wrap`](crate::Func::wrap)).
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Caller, Linker};
    /// # let mut linker: Linker<Vec<String>> = unimplemented!();
    /// linker
    ///     .func_wrap("env", "double", |x: i32| x * 2)?
    ///     .func_wrap("env", "note", |mut caller: Caller<'_, Vec<String>>, code: i32| {
    ///         caller.data_mut().push(format!("code {code}"));
    ///     })?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn func_wrap<Params, Results>(
        &mut self,
        module: &str,
        name: &str,
        func: impl IntoFunc<T, Params, Results>,
    ) -> Result<&mut Self> {
        let ty = func.ty();
        let host = func.into_host(self.engine.wasmtime());
        self.define_host(module, name, &ty, host)
    }

    /// Defines `module`.`name` as an untyped host function of type `ty`
    /// (see [`Func::new`](crate::Func::new)).
    ///
    /// ```no_run
    /// use wasmtime_dyn::{FuncType, Linker, Val, ValType};
    /// # let mut linker: Linker<()> = unimplemented!();
    /// let ty = FuncType::new([ValType::I32, ValType::I32], [ValType::I32]);
    /// linker.func_new("env", "max", ty, |_caller, params, results| {
    ///     results[0] = Val::I32(params[0].i32().unwrap().max(params[1].i32().unwrap()));
    ///     Ok(())
    /// })?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn func_new(
        &mut self,
        module: &str,
        name: &str,
        ty: FuncType,
        func: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync + 'static,
    ) -> Result<&mut Self> {
        let host = untyped_host(self.engine.wasmtime(), ty.clone(), func);
        self.define_host(module, name, &ty, host)
    }

    fn define_host(
        &mut self,
        module: &str,
        name: &str,
        ty: &FuncType,
        host: HostFn,
    ) -> Result<&mut Self> {
        let core = self.core();
        let host = host.for_abi::<T>(self.engine.wasmtime().val_abi());
        let engine = self.engine.clone();
        let c_ty = match ty.to_c(&engine) {
            Ok(c_ty) => c_ty,
            Err(err) => {
                // SAFETY: the environment was not handed to the library:
                // freed here, once.
                unsafe { (host.finalizer)(host.env) };
                crate::panics::resume_finalizer_panic();
                return Err(err);
            }
        };
        // SAFETY: linker and type are live and of one engine; `env` is owned
        // by the definition and freed by `finalizer` (Wasmtime frees it also
        // when the definition fails).
        let error = unsafe {
            match host.callback {
                HostCallback::Raw(callback) => (core.wasmtime_linker_define_func_unchecked)(
                    self.ptr,
                    module.as_ptr().cast(),
                    module.len(),
                    name.as_ptr().cast(),
                    name.len(),
                    c_ty.ptr,
                    Some(callback),
                    host.env,
                    Some(host.finalizer),
                ),
                HostCallback::Checked(callback) => (core.wasmtime_linker_define_func)(
                    self.ptr,
                    module.as_ptr().cast(),
                    module.len(),
                    name.as_ptr().cast(),
                    name.len(),
                    c_ty.ptr,
                    Some(callback),
                    host.env,
                    Some(host.finalizer),
                ),
            }
        };
        // A failed definition finalizes `env` at once; its panic, if any,
        // resumes here.
        crate::panics::resume_finalizer_panic();
        // SAFETY: the error, if any, is fresh and owned.
        unsafe { crate::error::check(core, error) }.map_err(name_error(item_name(module, name)))?;
        Ok(self)
    }

    /// Defines every import of `module` not defined yet as a stub: the
    /// module instantiates, and calling a stub fails with an
    /// [`ErrorKind::Wasmtime`] naming the undefined import.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Linker, Module, Store};
    /// # let (mut linker, mut store, module): (Linker<()>, Store<()>, Module) = unimplemented!();
    /// linker.define_unknown_imports_as_traps(&module)?;
    /// let instance = linker.instantiate(&mut store, &module)?;
    /// // Calling a stub fails with an error naming the undefined import.
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn define_unknown_imports_as_traps(&mut self, module: &Module) -> Result<&mut Self> {
        if !Engine::same(module.engine(), &self.engine) {
            return Err(ErrorKind::WrongEngine("the module", "the linker").into());
        }
        let w = self.engine.wasmtime();
        let since39 = w.later(&w.tables().core_since_39, "define_unknown_imports_as_traps")?;
        // SAFETY: linker and module are live.
        let error = unsafe {
            (since39.wasmtime_linker_define_unknown_imports_as_traps)(self.ptr, module.ptr)
        };
        // SAFETY: the error, if any, is fresh and owned.
        unsafe { crate::error::check(self.core(), error) }?;
        Ok(self)
    }

    /// Instantiates `module` in `store`, resolving its imports here.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Linker, Module, Store};
    /// # let (linker, mut store, module): (Linker<()>, Store<()>, Module) = unimplemented!();
    /// let instance = linker.instantiate(&mut store, &module)?;
    /// let run = instance.get_typed_func::<(), ()>(&mut store, "run")?;
    /// run.call(&mut store, ())?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Wasmtime's error naming an unresolved or mistyped import;
    /// a [`Trap`](crate::Trap) if the start function traps; [`ErrorKind::Invalid`] for
    /// a module importing WASI through this linker into a store without a
    /// WASI context (call [`Store::set_wasi`](crate::Store::set_wasi) first).
    pub fn instantiate(
        &self,
        mut store: impl AsContextMut<Data = T>,
        module: &Module,
    ) -> Result<Instance> {
        let mut cx = store.as_context_mut();
        self.prepare_instantiation(&mut cx, module)?;
        let mut raw = std::mem::MaybeUninit::<wasmtime_instance_t>::uninit();
        let mut trap = std::ptr::null_mut();
        // SAFETY: linker, context and module are live and of one engine;
        // store-bound definitions belong to this store (checked).
        let error = unsafe {
            (self.core().wasmtime_linker_instantiate)(
                self.ptr,
                cx.context(),
                module.ptr,
                raw.as_mut_ptr(),
                &mut trap,
            )
        };
        // SAFETY: the call's error or trap, or `raw` written on success.
        unsafe { Instance::from_instantiation(&mut cx, error, trap, raw, module) }
    }

    /// Defines the exports of `module` under `module_name`, as Wasmtime's
    /// `Linker::module` does: a reactor (a module without `_start`) is
    /// instantiated once in `store`, after its `_initialize` export runs if
    /// it has one, and all its exports are defined; for a command (a module
    /// with `_start`) each exported function is defined as one that makes
    /// a fresh instance for every call.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Linker, Module, Store};
    /// # let (mut linker, mut store, lib, app): (Linker<()>, Store<()>, Module, Module) = unimplemented!();
    /// linker.module(&mut store, "lib", &lib)?;
    /// let app = linker.instantiate(&mut store, &app)?; // imports from "lib"
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Wasmtime's error for unresolved imports or a name already defined,
    /// and if `_initialize` traps (the C API gives that error no trap code;
    /// its message and wasm frames say what happened); [`ErrorKind::WrongEngine`],
    /// [`ErrorKind::WrongStore`]; [`ErrorKind::Invalid`] for a module importing
    /// WASI through this linker into a store without a WASI context.
    pub fn module(
        &mut self,
        mut store: impl AsContextMut<Data = T>,
        module_name: &str,
        module: &Module,
    ) -> Result<&mut Self> {
        let mut cx = store.as_context_mut();
        // It defines store-bound items: only in the store of those it has.
        self.check_store(&cx)?;
        if !Engine::same(module.engine(), &self.engine) {
            return Err(ErrorKind::WrongEngine("the module", "the linker").into());
        }
        provide_wasi(self.wasi_ctx.as_ref(), &mut cx)?;
        refuse_wasi_without_context(self.has_wasi, &cx, module)?;
        // SAFETY: linker, context and module are live and of one engine;
        // store-bound definitions belong to this store (checked); the name
        // is readable.
        let error = unsafe {
            (self.core().wasmtime_linker_module)(
                self.ptr,
                cx.context(),
                module_name.as_ptr().cast(),
                module_name.len(),
                module.ptr,
            )
        };
        if !error.is_null() {
            // SAFETY: a fresh, owned error (`_initialize` may have run host
            // functions: their panics and errors are taken back here).
            return Err(unsafe { call_failed(&mut cx, error, std::ptr::null_mut()) });
        }
        self.store_id = Some(cx.id());
        self.store_bound.push((module_name.to_string(), None));
        // A reactor's instance is Wasmtime's: the tables it defines whose
        // types the C API cannot give are recorded through the linker.
        crate::instance::record_wide_tables(&mut cx, module, |cx, name| {
            self.raw_get(cx, module_name, name)
        });
        Ok(self)
    }

    /// The default function of the module defined as `module_name`: its
    /// export named `""`, or `_start` (as Wasmtime's `Linker::get_default`),
    /// or a function that does nothing when there is neither (nothing
    /// defined under that name included).
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Linker, Module, Store};
    /// # let (mut linker, mut store, command): (Linker<()>, Store<()>, Module) = unimplemented!();
    /// linker.module(&mut store, "app", &command)?;
    /// let start = linker.get_default(&mut store, "app")?;
    /// start.call(&mut store, &[], &mut [])?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Wasmtime's error when the `""` or `_start` export is not a function;
    /// [`ErrorKind::WrongEngine`], [`ErrorKind::WrongStore`].
    pub fn get_default(
        &self,
        mut store: impl AsContextMut<Data = T>,
        module_name: &str,
    ) -> Result<crate::Func> {
        let mut cx = store.as_context_mut();
        self.check_store(&cx)?;
        self.mark_async(&cx);
        let mut raw = std::mem::MaybeUninit::<wasmtime_func_t>::uninit();
        // SAFETY: linker and context are live and match; the name is
        // readable; `raw` is written on success.
        let error = unsafe {
            (self.core().wasmtime_linker_get_default)(
                self.ptr,
                cx.context(),
                module_name.as_ptr().cast(),
                module_name.len(),
                raw.as_mut_ptr(),
            )
        };
        // SAFETY: the error, if any, is fresh and owned.
        unsafe { crate::error::check(self.core(), error) }?;
        // SAFETY: written on success.
        crate::Func::from_c(&mut cx, unsafe { raw.assume_init() })
    }

    /// The C item defined as `module`.`name`, if any.
    fn raw_get(
        &self,
        cx: &StoreContextMut<'_, T>,
        module: &str,
        name: &str,
    ) -> Option<wasmtime_extern_t> {
        let mut item = std::mem::MaybeUninit::<wasmtime_extern_t>::uninit();
        // SAFETY: linker and context are live and match (checked by the
        // callers); names readable; `item` is written when found.
        unsafe {
            (self.core().wasmtime_linker_get)(
                self.ptr,
                cx.context(),
                module.as_ptr().cast(),
                module.len(),
                name.as_ptr().cast(),
                name.len(),
                item.as_mut_ptr(),
            )
            .then(|| item.assume_init())
        }
    }

    /// The item defined as `module`.`name`, as seen from `store`.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Extern, Linker, Store};
    /// # let (mut linker, mut store): (Linker<()>, Store<()>) = unimplemented!();
    /// linker.func_wrap("env", "one", || 1)?;
    /// assert!(matches!(linker.get(&mut store, "env", "one"), Some(Extern::Func(_))));
    /// assert!(linker.get(&mut store, "env", "two").is_none());
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn get(
        &self,
        mut store: impl AsContextMut<Data = T>,
        module: &str,
        name: &str,
    ) -> Option<Extern> {
        let mut cx = store.as_context_mut();
        self.check_store(&cx).ok()?;
        if self.has_wasi && !cx.has_wasi() && crate::wasi::MODULE_NAMES.contains(&module) {
            // A WASI function called in a store without a WASI context
            // aborts the process inside the C API.
            return None;
        }
        let item = self.raw_get(&cx, module, name)?;
        self.mark_async(&cx);
        // SAFETY: written by this store's library.
        unsafe { Extern::from_c(&mut cx, &item) }.ok().flatten()
    }
}
