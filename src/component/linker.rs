//! [`Linker`] and [`LinkerInstance`]: what a component's imports are
//! satisfied with, and instantiation.

use super::compiled::Component;
use super::func::{model_of, with_trap};
use super::instance::Instance;
use super::resource::{check_resources, retire_moved, BorrowScope};
use super::types::{ComponentFunc, Type};
use super::val::{Val, ValFns};
use crate::capability::Capability;
use crate::engine::Engine;
use crate::error::{ErrorKind, Result};
use crate::func::HostError;
use crate::loader::Wasmtime;
use crate::store::{AsContextMut, StoreContextMut, StoreInner};
use crate::sys::tables::ComponentModel;
use crate::sys::types::*;
use std::ffi::c_void;
use std::marker::PhantomData;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Defines the imports of components and instantiates them, as the
/// `wasmtime` crate's `wasmtime::component::Linker`. Definitions go into
/// the root instance ([`Linker::root`]) or named instances
/// ([`Linker::instance`]), which nest.
///
/// On a library without the component model the linker is inert: every
/// definition and [`Linker::instantiate`] fail with
/// [`ErrorKind::Unsupported`]`(ComponentModel)`.
///
/// ```no_run
/// use wasmtime_dyn::component::{Component, Linker, Val};
/// # let (engine, component): (wasmtime_dyn::Engine, Component) = unimplemented!();
/// let mut linker = Linker::<u32>::new(&engine);
/// linker.root().func_new("log", |mut store, _ty, params, _results| {
///     *store.data_mut() += 1;
///     println!("{params:?}");
///     Ok(())
/// })?;
/// let mut store = wasmtime_dyn::Store::new(&engine, 0);
/// let instance = linker.instantiate(&mut store, &component)?;
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
pub struct Linker<T> {
    /// Null on a library without the component model.
    pub(crate) ptr: *mut wasmtime_component_linker_t,
    engine: Engine,
    /// Whether WASI preview 2 is defined (see `Linker::define_wasi`).
    pub(crate) has_wasi: bool,
    /// Where the store's data keeps its WASI context, given by
    /// `wasi::p2::add_to_linker_sync`: installed in the store on
    /// instantiation.
    pub(crate) wasi_ctx: Option<crate::wasi::p2::WasiCtxGetter<T>>,
    /// Whether `wasi:http` is defined, and whether its context comes from
    /// the store's data (see `wasi::http`).
    pub(crate) wasi_http: crate::wasi::http::Linked,
    _data: PhantomData<fn(T) -> T>,
}

// SAFETY: `wasmtime::component::Linker<T>` is `Send + Sync`; every host
// function it holds is `Send + Sync` (required by `func_new`).
unsafe impl<T> Send for Linker<T> {}
// SAFETY: as above; `&Linker` only instantiates.
unsafe impl<T> Sync for Linker<T> {}

impl<T> Drop for Linker<T> {
    fn drop(&mut self) {
        if let Ok(model) = model_of(self.engine.wasmtime()) {
            if !self.ptr.is_null() {
                // SAFETY: owned, freed once (no `LinkerInstance` borrows it
                // any more: they borrow the linker).
                unsafe { (model.wasmtime_component_linker_delete)(self.ptr) };
            }
        }
        // A host function's closure that panicked in `Drop` panics here.
        crate::panics::resume_finalizer_panic();
    }
}

impl<T> std::fmt::Debug for Linker<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Linker").finish_non_exhaustive()
    }
}

impl<T: 'static> Linker<T> {
    /// A linker with no definitions.
    ///
    /// ```no_run
    /// use wasmtime_dyn::component::Linker;
    /// # let engine: wasmtime_dyn::Engine = unimplemented!();
    /// let linker = Linker::<()>::new(&engine);
    /// ```
    pub fn new(engine: &Engine) -> Linker<T> {
        let ptr = match model_of(engine.wasmtime()) {
            // SAFETY: the engine is live; the linker is owned here.
            Ok(model) => unsafe { (model.wasmtime_component_linker_new)(engine.ptr()) },
            Err(_) => std::ptr::null_mut(),
        };
        Linker {
            ptr,
            engine: engine.clone(),
            has_wasi: false,
            wasi_ctx: None,
            wasi_http: crate::wasi::http::Linked::No,
            _data: PhantomData,
        }
    }

    /// The engine.
    ///
    /// ```no_run
    /// # let (engine, linker): (wasmtime_dyn::Engine, wasmtime_dyn::component::Linker<()>) = unimplemented!();
    /// assert!(wasmtime_dyn::Engine::same(linker.engine(), &engine));
    /// ```
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    fn model(&self) -> Result<&'static ComponentModel> {
        if self.ptr.is_null() {
            return Err(ErrorKind::Unsupported(Capability::ComponentModel).into());
        }
        model_of(self.engine.wasmtime())
    }

    /// The root instance: definitions here satisfy the component's
    /// top-level imports.
    ///
    /// ```no_run
    /// # let mut linker: wasmtime_dyn::component::Linker<()> = unimplemented!();
    /// linker.root().func_new("now", |_, _, _, results| {
    ///     results[0] = wasmtime_dyn::component::Val::U64(42);
    ///     Ok(())
    /// })?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn root(&mut self) -> LinkerInstance<'_, T> {
        let ptr = match self.model() {
            // SAFETY: a live linker, borrowed exclusively by the returned
            // instance for its lifetime (the C API forbids using the linker
            // while a linker instance lives).
            Ok(model) => unsafe { (model.wasmtime_component_linker_root)(self.ptr) },
            Err(_) => std::ptr::null_mut(),
        };
        LinkerInstance {
            ptr,
            parents: Vec::new(),
            wasmtime: self.engine.wasmtime(),
            engine: self.engine.clone(),
            _linker: PhantomData,
        }
    }

    /// The instance `name` of the root (made if new): definitions there
    /// satisfy an imported interface such as `my:pkg/host`.
    ///
    /// ```no_run
    /// # let mut linker: wasmtime_dyn::component::Linker<()> = unimplemented!();
    /// let mut host = linker.instance("my:pkg/host")?;
    /// host.func_new("log", |_, _, params, _| { println!("{params:?}"); Ok(()) })?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn instance(&mut self, name: &str) -> Result<LinkerInstance<'_, T>> {
        self.root().into_instance(name)
    }

    /// Whether a later definition of a name replaces an earlier one
    /// instead of failing.
    ///
    /// ```no_run
    /// # let mut linker: wasmtime_dyn::component::Linker<()> = unimplemented!();
    /// linker.allow_shadowing(true);
    /// ```
    pub fn allow_shadowing(&mut self, allow: bool) -> &mut Self {
        if let Ok(model) = self.model() {
            // SAFETY: a live linker, not borrowed by a linker instance.
            unsafe { (model.wasmtime_component_linker_allow_shadowing)(self.ptr, allow) };
        }
        self
    }

    /// Defines WASI preview 2 (`wasi:cli`, `wasi:filesystem`, `wasi:io`,
    /// `wasi:clocks`, `wasi:random`, `wasi:sockets`...), as
    /// `wasmtime_wasi::p2::add_to_linker_sync` does. Its functions run with
    /// the WASI context of the store they are called in
    /// ([`Store::set_wasi`](crate::Store::set_wasi)):
    /// [`Linker::instantiate`] refuses a component importing `wasi:*` in a
    /// store without one (the C API would abort the process on its first
    /// WASI call).
    ///
    /// ```no_run
    /// use wasmtime_dyn::wasi::WasiConfig;
    /// # let (engine, component): (wasmtime_dyn::Engine, wasmtime_dyn::component::Component) = unimplemented!();
    /// let mut linker = wasmtime_dyn::component::Linker::<()>::new(&engine);
    /// linker.define_wasi()?;
    /// let mut store = wasmtime_dyn::Store::new(&engine, ());
    /// store.set_wasi(WasiConfig::new().inherit_stdio())?;
    /// let instance = linker.instantiate(&mut store, &component)?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unsupported`]`(ComponentModel)` or `(Wasi)` on a
    /// library without them.
    pub fn define_wasi(&mut self) -> Result<&mut Self> {
        self.model()?;
        let table = self
            .engine
            .wasmtime()
            .tables()
            .component_model_wasi
            .as_ref()
            .ok_or(ErrorKind::Unsupported(Capability::Wasi))?;
        // SAFETY: a live linker, not borrowed by a linker instance.
        let error = unsafe { (table.wasmtime_component_linker_add_wasip2)(self.ptr) };
        // SAFETY: the error, if any, is fresh and owned.
        unsafe { crate::error::check(self.engine.wasmtime().core(), error) }?;
        self.has_wasi = true;
        Ok(self)
    }

    /// Defines every import of `component` this linker does not define
    /// as a function that traps when called.
    ///
    /// ```no_run
    /// # let (mut linker, component): (wasmtime_dyn::component::Linker<()>, wasmtime_dyn::component::Component) = unimplemented!();
    /// linker.define_unknown_imports_as_traps(&component)?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unsupported`]`(ComponentModel)` without the component
    /// model; [`ErrorKind::WrongEngine`] for a component of another
    /// engine; Wasmtime's error for an import it cannot stand in for.
    pub fn define_unknown_imports_as_traps(&mut self, component: &Component) -> Result<()> {
        let model = self.model()?;
        if !Engine::same(component.engine(), &self.engine) {
            return Err(ErrorKind::WrongEngine("the component", "the linker").into());
        }
        // SAFETY: a live linker (not borrowed by a linker instance) and
        // component of one engine.
        let error = unsafe {
            (model.wasmtime_component_linker_define_unknown_imports_as_traps)(
                self.ptr,
                component.ptr,
            )
        };
        // SAFETY: the error, if any, is fresh and owned.
        unsafe { crate::error::check(self.engine.wasmtime().core(), error) }
    }

    /// Instantiates `component` in `store` with this linker's
    /// definitions.
    ///
    /// ```no_run
    /// use wasmtime_dyn::component::{Component, Linker};
    /// # let (engine, component): (wasmtime_dyn::Engine, Component) = unimplemented!();
    /// let mut store = wasmtime_dyn::Store::new(&engine, ());
    /// let instance = Linker::new(&engine).instantiate(&mut store, &component)?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unsupported`]`(ComponentModel)` without the component
    /// model; [`ErrorKind::WrongEngine`] for a store or component of
    /// another engine; [`ErrorKind::Invalid`] for a component importing
    /// WASI from this linker into a store without a WASI context, or
    /// `wasi:http` without a WASI and a `wasi:http` context (see
    /// [`Linker::define_wasi_http`]);
    /// Wasmtime's error for a missing or mistyped import.
    pub fn instantiate(
        &self,
        mut store: impl AsContextMut<Data = T>,
        component: &Component,
    ) -> Result<Instance> {
        let model = self.model()?;
        let mut cx = store.as_context_mut();
        self.prepare_instantiation(&mut cx, component)?;
        let mut raw = std::mem::MaybeUninit::<wasmtime_component_instance_t>::uninit();
        // SAFETY: linker, store and component are live and of one engine
        // (checked); `raw` is written on success.
        let error = unsafe {
            (model.wasmtime_component_linker_instantiate)(
                self.ptr,
                cx.context(),
                component.ptr,
                raw.as_mut_ptr(),
            )
        };
        if !error.is_null() {
            // SAFETY: a fresh, owned error of this store's library.
            let err = unsafe { crate::func::call_failed(&mut cx, error, std::ptr::null_mut()) };
            return Err(with_trap(err));
        }
        Ok(Instance {
            // SAFETY: written since the call succeeded.
            raw: unsafe { raw.assume_init() },
            store: cx.id(),
        })
    }

    /// The checks and store setup before an instantiation (sync or
    /// async): engines, import types the C API cannot handle, WASI
    /// contexts.
    pub(crate) fn prepare_instantiation(
        &self,
        cx: &mut StoreContextMut<'_, T>,
        component: &Component,
    ) -> Result<()> {
        self.model()?;
        if !Engine::same(cx.engine(), &self.engine) {
            return Err(ErrorKind::WrongEngine("the store", "the linker").into());
        }
        if !Engine::same(component.engine(), &self.engine) {
            return Err(ErrorKind::WrongEngine("the component", "the linker").into());
        }
        let facts = component.import_facts();
        if let Some(name) = &facts.async_params {
            return Err(super::func::async_values(&format!(
                "the parameters of the import `{name}`"
            )));
        }
        crate::wasi::p2::provide_wasi(self.wasi_ctx.as_ref(), cx)?;
        if let (true, false, Some(name)) = (self.has_wasi, cx.has_wasi(), &facts.wasi) {
            return Err(ErrorKind::Invalid(format!(
                "the component imports `{name}` and the linker defines WASI, but the store \
                 has no WASI context: call `Store::set_wasi` before instantiating"
            ))
            .into());
        }
        crate::wasi::http::provide(self.wasi_http, facts.wasi_http.as_deref(), cx)?;
        Ok(())
    }
}

/// A named instance of a [`Linker`] (or its root), as the crate's
/// `wasmtime::component::LinkerInstance`: it borrows the linker, which
/// the C API forbids using while an instance of it is being defined.
///
/// ```no_run
/// # let mut linker: wasmtime_dyn::component::Linker<()> = unimplemented!();
/// let mut wasi = linker.instance("my:pkg")?;
/// let mut nested = wasi.instance("deeper")?;
/// nested.func_new("f", |_, _, _, _| Ok(()))?;
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
pub struct LinkerInstance<'a, T> {
    /// Null on a library without the component model.
    pub(super) ptr: *mut wasmtime_component_linker_instance_t,
    /// The instances this one was made from by
    /// [`LinkerInstance::into_instance`], freed after it.
    parents: Vec<*mut wasmtime_component_linker_instance_t>,
    pub(super) wasmtime: &'static Wasmtime,
    engine: Engine,
    _linker: PhantomData<&'a mut Linker<T>>,
}

impl<T> Drop for LinkerInstance<'_, T> {
    fn drop(&mut self) {
        let Ok(model) = model_of(self.wasmtime) else {
            return;
        };
        for ptr in std::iter::once(self.ptr).chain(self.parents.drain(..).rev()) {
            if !ptr.is_null() {
                // SAFETY: owned, freed once, the child before its parents.
                unsafe { (model.wasmtime_component_linker_instance_delete)(ptr) };
            }
        }
    }
}

/// What a dynamic host function is: the crate's `func_new` closure.
type HostFunc<T> =
    dyn Fn(StoreContextMut<'_, T>, ComponentFunc, &[Val], &mut [Val]) -> Result<()> + Send + Sync;

/// A host function's environment.
struct HostState<T> {
    wasmtime: &'static Wasmtime,
    model: &'static ComponentModel,
    func: Box<HostFunc<T>>,
}

impl<'a, T: 'static> LinkerInstance<'a, T> {
    pub(super) fn model(&self) -> Result<&'static ComponentModel> {
        if self.ptr.is_null() {
            return Err(ErrorKind::Unsupported(Capability::ComponentModel).into());
        }
        model_of(self.wasmtime)
    }

    /// The nested instance `name` of this one (made if new), borrowing
    /// this one while it lives.
    ///
    /// ```no_run
    /// # let mut linker: wasmtime_dyn::component::Linker<()> = unimplemented!();
    /// let mut root = linker.root();
    /// let mut api = root.instance("my:pkg/api")?;
    /// api.func_new("ping", |_, _, _, _| Ok(()))?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn instance(&mut self, name: &str) -> Result<LinkerInstance<'_, T>> {
        let ptr = self.add_instance(name)?;
        Ok(LinkerInstance {
            ptr,
            parents: Vec::new(),
            wasmtime: self.wasmtime,
            engine: self.engine.clone(),
            _linker: PhantomData,
        })
    }

    /// As [`LinkerInstance::instance`], consuming this one.
    ///
    /// ```no_run
    /// # let mut linker: wasmtime_dyn::component::Linker<()> = unimplemented!();
    /// let mut api = linker.root().into_instance("my:pkg/api")?;
    /// api.func_new("ping", |_, _, _, _| Ok(()))?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn into_instance(mut self, name: &str) -> Result<LinkerInstance<'a, T>> {
        let ptr = self.add_instance(name)?;
        let mut parents = std::mem::take(&mut self.parents);
        parents.push(std::mem::replace(&mut self.ptr, std::ptr::null_mut()));
        Ok(LinkerInstance {
            ptr,
            parents,
            wasmtime: self.wasmtime,
            engine: self.engine.clone(),
            _linker: PhantomData,
        })
    }

    fn add_instance(&mut self, name: &str) -> Result<*mut wasmtime_component_linker_instance_t> {
        let model = self.model()?;
        let mut out = std::ptr::null_mut();
        // SAFETY: a live linker instance; `name` readable (UTF-8: a
        // `str`); `out` written on success and owned by the new value.
        let error = unsafe {
            (model.wasmtime_component_linker_instance_add_instance)(
                self.ptr,
                name.as_ptr().cast(),
                name.len(),
                &mut out,
            )
        };
        // SAFETY: the error, if any, is fresh and owned.
        unsafe { crate::error::check(self.wasmtime.core(), error) }
            .map_err(|e| e.context(format!("defining instance `{name}`")))?;
        Ok(out)
    }

    /// Defines the resource type `name` as `ty` (a host type:
    /// [`ResourceType::host`](super::ResourceType::host)), with the
    /// destructor run with the resource's `rep` when the guest or the host
    /// drops an owned one, as the crate's `resource`.
    ///
    /// ```no_run
    /// use wasmtime_dyn::component::ResourceType;
    /// struct Counter;
    /// # let mut linker: wasmtime_dyn::component::Linker<Vec<u32>> = unimplemented!();
    /// linker.root().resource("counter", ResourceType::host::<Counter>(), |mut store, rep| {
    ///     store.data_mut().push(rep);
    ///     Ok(())
    /// })?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unsupported`]`(ComponentModel)` without the component
    /// model; [`ErrorKind::WrongLibrary`] for a type another library
    /// reported; Wasmtime's error for a name defined twice.
    pub fn resource(
        &mut self,
        name: &str,
        ty: super::ResourceType,
        dtor: impl Fn(StoreContextMut<'_, T>, u32) -> Result<()> + Send + Sync + 'static,
    ) -> Result<()> {
        let model = self.model()?;
        let ptr = self.ptr;
        let state = Box::into_raw(Box::new(DtorState::<T> {
            wasmtime: self.wasmtime,
            dtor: Box::new(dtor),
        }));
        let error = ty.with_c(model, |c_ty| {
            // SAFETY: a live linker instance and type of this library (the
            // type is borrowed for the call); `name` readable (UTF-8: a
            // `str`); the environment is owned by the definition and freed
            // by `finalize_dtor` (also when the definition fails).
            unsafe {
                (model.wasmtime_component_linker_instance_add_resource)(
                    ptr,
                    name.as_ptr().cast(),
                    name.len(),
                    c_ty,
                    Some(dtor_trampoline::<T>),
                    state.cast(),
                    Some(finalize_dtor::<T>),
                )
            }
        });
        let Some(error) = error else {
            // SAFETY: never handed to the library: freed here, once.
            drop(unsafe { Box::from_raw(state) });
            return Err(ErrorKind::WrongLibrary("the resource type").into());
        };
        // SAFETY: the error, if any, is fresh and owned.
        let result = unsafe { crate::error::check(self.wasmtime.core(), error) }
            .map_err(|e| e.context(format!("defining resource `{name}`")));
        crate::panics::resume_finalizer_panic();
        result
    }

    /// Defines the core module `name`, for a component that imports a
    /// core module.
    ///
    /// ```no_run
    /// # let (mut linker, module): (wasmtime_dyn::component::Linker<()>, wasmtime_dyn::Module) = unimplemented!();
    /// linker.root().module("helper", &module)?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unsupported`]`(ComponentModel)` without the component
    /// model; [`ErrorKind::WrongEngine`] for a module of another engine;
    /// Wasmtime's error for a name defined twice.
    pub fn module(&mut self, name: &str, module: &crate::Module) -> Result<()> {
        let model = self.model()?;
        if !Engine::same(module.engine(), &self.engine) {
            return Err(ErrorKind::WrongEngine("the module", "the linker").into());
        }
        // SAFETY: a live linker instance and module of one engine; `name`
        // readable (UTF-8: a `str`); the library keeps its own reference.
        let error = unsafe {
            (model.wasmtime_component_linker_instance_add_module)(
                self.ptr,
                name.as_ptr().cast(),
                name.len(),
                module.ptr,
            )
        };
        // SAFETY: the error, if any, is fresh and owned.
        unsafe { crate::error::check(self.wasmtime.core(), error) }
            .map_err(|e| e.context(format!("defining module `{name}`")))
    }

    /// Defines the function `name` with a closure over dynamic values, as
    /// the crate's `func_new`: it gets the store, the function's type,
    /// the arguments, and result slots (preset to `Val::Bool(false)`) to
    /// overwrite. Its error is what the guest's caller's
    /// [`Func::call`](super::Func::call) returns; a panic unwinds to that
    /// caller too, never into C.
    ///
    /// ```no_run
    /// use wasmtime_dyn::component::Val;
    /// # let mut linker: wasmtime_dyn::component::Linker<Vec<String>> = unimplemented!();
    /// linker.root().func_new("shout", |mut store, _ty, params, results| {
    ///     let Val::String(s) = &params[0] else { wasmtime_dyn::bail!("expected a string") };
    ///     store.data_mut().push(s.clone());
    ///     results[0] = Val::String(s.to_uppercase());
    ///     Ok(())
    /// })?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unsupported`]`(ComponentModel)` without the component
    /// model; Wasmtime's error for a name defined twice.
    pub fn func_new(
        &mut self,
        name: &str,
        func: impl Fn(StoreContextMut<'_, T>, ComponentFunc, &[Val], &mut [Val]) -> Result<()>
            + Send
            + Sync
            + 'static,
    ) -> Result<()> {
        let model = self.model()?;
        let state = Box::into_raw(Box::new(HostState::<T> {
            wasmtime: self.wasmtime,
            model,
            func: Box::new(func),
        }));
        // SAFETY: a live linker instance; `name` readable (UTF-8: a `str`);
        // the environment is owned by the definition from here on and freed
        // by `finalize` (also when the definition fails: every supported
        // major runs the finalizer then).
        let error = unsafe {
            (model.wasmtime_component_linker_instance_add_func)(
                self.ptr,
                name.as_ptr().cast(),
                name.len(),
                Some(trampoline::<T>),
                state.cast(),
                Some(finalize::<T>),
            )
        };
        // SAFETY: the error, if any, is fresh and owned.
        let result = unsafe { crate::error::check(self.wasmtime.core(), error) }
            .map_err(|e| e.context(format!("defining `{name}`")));
        // A refused definition's closure was dropped by the library: its
        // panic, if any, resumes here (the error is freed first).
        crate::panics::resume_finalizer_panic();
        result
    }
}

impl<T: 'static> LinkerInstance<'_, T> {
    /// Defines the function `name` with a closure over Rust types, as the
    /// crate's `func_wrap`: `Params` and `Return` are tuples
    /// ([`ComponentNamedList`](super::ComponentNamedList)), checked
    /// against the import's type when the guest calls it (a mismatch is
    /// the call's [`ErrorKind::TypeMismatch`]).
    ///
    /// ```no_run
    /// # let mut linker: wasmtime_dyn::component::Linker<u32> = unimplemented!();
    /// linker.root().func_wrap("shout", |mut store, (s,): (String,)| {
    ///     *store.data_mut() += 1;
    ///     Ok((s.to_uppercase(),))
    /// })?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`LinkerInstance::func_new`].
    pub fn func_wrap<F, Params, Return>(&mut self, name: &str, func: F) -> Result<()>
    where
        F: Fn(StoreContextMut<'_, T>, Params) -> Result<Return> + Send + Sync + 'static,
        Params: super::ComponentNamedList + super::Lift + 'static,
        Return: super::ComponentNamedList + super::Lower + 'static,
    {
        use super::types::{Tuple, Type};
        self.func_new(name, move |store, ty, params, results| {
            Params::typecheck(&Type::Tuple(Tuple::new(
                ty.params().map(|(_, t)| t).collect(),
            )))
            .map_err(|e| e.context("the import's parameters do not match the host function's"))?;
            Return::typecheck(&Type::Tuple(Tuple::new(ty.results().collect())))
                .map_err(|e| e.context("the import's results do not match the host function's"))?;
            let params = Params::from_val(Val::Tuple(params.to_vec()))?;
            let Val::Tuple(out) = func(store, params)?.to_val() else {
                unreachable!("a result list is a tuple")
            };
            for (slot, v) in results.iter_mut().zip(out) {
                *slot = v;
            }
            Ok(())
        })
    }
}

unsafe extern "C" fn finalize<T>(env: *mut c_void) {
    // SAFETY: `env` is the `HostState<T>` boxed by `func_new`; the library
    // finalizes it once.
    let state = unsafe { Box::from_raw(env.cast::<HostState<T>>()) };
    crate::panics::in_finalizer(move || drop(state));
}

/// A `wasm_name_t`-free error for the C API: `wasmtime_error_new` takes a
/// NUL-terminated string, so interior NULs are replaced.
fn c_error(core: &crate::sys::tables::Core, message: &str) -> *mut wasmtime_error_t {
    let text = std::ffi::CString::new(message.replace('\0', "\u{FFFD}")).unwrap_or_default();
    // SAFETY: a NUL-terminated string; the new error goes to the library.
    unsafe { (core.wasmtime_error_new)(text.as_ptr()) }
}

/// The callback of every dynamic host function.
///
/// # Safety
///
/// Called by the library with `env` a live `HostState<T>`, `ctx` the
/// context of a store of data type `T` (host functions of a
/// `Linker<T>` only run in `Store<T>`s), `ty` the function's type, `args`
/// `nargs` values it lends and `results` `nresults` slots it preset.
unsafe extern "C" fn trampoline<T>(
    env: *mut c_void,
    ctx: *mut wasmtime_context_t,
    ty: *const wasmtime_component_func_type_t,
    args: *mut wasmtime_component_val_t,
    nargs: usize,
    results: *mut wasmtime_component_val_t,
    nresults: usize,
) -> *mut wasmtime_error_t {
    // SAFETY: the contract.
    let state = unsafe { &*env.cast::<HostState<T>>() };
    let core = state.wasmtime.core();
    // SAFETY: the store's data pointer is its `StoreInner<T>`.
    let inner = unsafe { (core.wasmtime_context_get_data)(ctx) }.cast::<StoreInner<T>>();
    let fns = ValFns {
        core,
        model: state.model,
        // SAFETY: the store is live during the host call.
        store: unsafe { (*inner).id },
    };
    // Everything that runs Rust code is inside `catch_unwind`, the
    // error's `Display` included.
    let outcome = catch_unwind(AssertUnwindSafe(|| -> Option<HostError> {
        let run = || -> Result<()> {
            // Borrowed resources given to this call are refused after it.
            let _borrows = BorrowScope::enter();
            // SAFETY: the contract: live type, arguments and slots.
            unsafe {
                let ty = ComponentFunc::from_c(state.model, ty);
                let params = (0..nargs)
                    .map(|i| fns.lift(&*args.add(i)))
                    .collect::<Result<Vec<_>>>()?;
                let mut outs = vec![Val::Bool(false); nresults];
                let cx = StoreContextMut::from_inner(inner);
                let result_types: Vec<Type> = ty.results().collect();
                (state.func)(cx, ty, &params, &mut outs)?;
                // Resources returned move into the guest: checked first,
                // retired once written.
                let moves = check_resources(&outs, fns.store)?;
                for (i, v) in outs.iter().enumerate() {
                    let slot = results.add(i);
                    // Whatever the slot held is freed after it is replaced.
                    let mut old = slot.read();
                    fns.lower(v, slot);
                    fns.delete(&mut old);
                }
                if moves {
                    retire_moved(&outs, &result_types);
                }
                Ok(())
            }
        };
        run().err().map(HostError::new)
    }));
    // SAFETY: the store is the host call's (contract).
    unsafe { finish_host_call(core, inner, outcome) }
}

/// What a host callback returns to the C API: null, or an error carrying
/// the host's error's message (the error itself kept in the store for
/// the caller of the wasm call) or saying a panic is resumed there.
///
/// # Safety
///
/// `inner` is the store of the host call, which has exclusive access to it.
pub(super) unsafe fn finish_host_call<T>(
    core: &crate::sys::tables::Core,
    inner: *mut StoreInner<T>,
    outcome: std::thread::Result<Option<HostError>>,
) -> *mut wasmtime_error_t {
    match outcome {
        Ok(None) => std::ptr::null_mut(),
        Ok(Some(host)) => {
            let error = c_error(core, host.message());
            // SAFETY: the host call has exclusive access to the store.
            unsafe { (*inner).host_error = Some(host) };
            error
        }
        Err(payload) => {
            // SAFETY: as above.
            unsafe { (*inner).panic = Some(payload) };
            c_error(
                core,
                "a host function panicked (the panic resumes in the caller)",
            )
        }
    }
}

/// A host resource's destructor's environment.
struct DtorState<T> {
    wasmtime: &'static Wasmtime,
    dtor: Box<HostDtor<T>>,
}

type HostDtor<T> = dyn Fn(StoreContextMut<'_, T>, u32) -> Result<()> + Send + Sync;

unsafe extern "C" fn finalize_dtor<T>(env: *mut c_void) {
    // SAFETY: `env` is the `DtorState<T>` boxed by `resource`; the library
    // finalizes it once.
    let state = unsafe { Box::from_raw(env.cast::<DtorState<T>>()) };
    crate::panics::in_finalizer(move || drop(state));
}

/// The destructor callback of every host resource type.
///
/// # Safety
///
/// Called by the library with `env` a live `DtorState<T>` and `ctx` the
/// context of a store of data type `T`.
unsafe extern "C" fn dtor_trampoline<T>(
    env: *mut c_void,
    ctx: *mut wasmtime_context_t,
    rep: u32,
) -> *mut wasmtime_error_t {
    // SAFETY: the contract.
    let state = unsafe { &*env.cast::<DtorState<T>>() };
    let core = state.wasmtime.core();
    // SAFETY: the store's data pointer is its `StoreInner<T>`.
    let inner = unsafe { (core.wasmtime_context_get_data)(ctx) }.cast::<StoreInner<T>>();
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: the store is live and exclusively the destructor's.
        let cx = unsafe { StoreContextMut::from_inner(inner) };
        (state.dtor)(cx, rep).err().map(HostError::new)
    }));
    // SAFETY: as above.
    unsafe { finish_host_call(core, inner, outcome) }
}
