//! [`Instance`]: an instantiated component, and the lookup of its exports.

use super::compiled::ComponentExportIndex;
use super::func::{model_of, Func, FuncStorage};
use crate::store::{AsContextMut, StoreContextMut};
use crate::sys::types::*;

/// An instance of a component in a store, as the `wasmtime` crate's
/// `wasmtime::component::Instance`: made by
/// [`Linker::instantiate`](super::Linker::instantiate).
///
/// ```no_run
/// use wasmtime_dyn::component::{Component, Linker};
/// # let (engine, component, mut store): (wasmtime_dyn::Engine, Component, wasmtime_dyn::Store<()>) = unimplemented!();
/// let instance = Linker::new(&engine).instantiate(&mut store, &component)?;
/// let run = instance.get_func(&mut store, "run").expect("exported");
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
#[derive(Clone, Copy)]
pub struct Instance {
    pub(crate) raw: wasmtime_component_instance_t,
    pub(crate) store: u64,
}

impl std::fmt::Debug for Instance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Instance").finish_non_exhaustive()
    }
}

/// What names an export for [`Instance::get_func`]: its name (`&str`,
/// `String`) or a [`ComponentExportIndex`], as the crate's
/// `wasmtime::component::ExportLookup`.
///
/// ```no_run
/// use wasmtime_dyn::component::{ExportLookup, Instance};
/// fn has_func(instance: &Instance, store: &mut wasmtime_dyn::Store<()>, name: impl ExportLookup) -> bool {
///     instance.get_func(store, name).is_some()
/// }
/// ```
pub trait ExportLookup {
    #[doc(hidden)]
    fn lookup<T>(
        &self,
        instance: &Instance,
        cx: &mut StoreContextMut<'_, T>,
    ) -> Option<ComponentExportIndex>;

    /// How an error names the export.
    #[doc(hidden)]
    fn describe(&self) -> String {
        "at that index".to_string()
    }
}

impl ExportLookup for &str {
    fn lookup<T>(
        &self,
        instance: &Instance,
        cx: &mut StoreContextMut<'_, T>,
    ) -> Option<ComponentExportIndex> {
        instance.index_in(cx, None, self)
    }

    fn describe(&self) -> String {
        format!("named `{self}`")
    }
}

impl ExportLookup for String {
    fn lookup<T>(
        &self,
        instance: &Instance,
        cx: &mut StoreContextMut<'_, T>,
    ) -> Option<ComponentExportIndex> {
        self.as_str().lookup(instance, cx)
    }

    fn describe(&self) -> String {
        self.as_str().describe()
    }
}

impl ExportLookup for ComponentExportIndex {
    fn lookup<T>(
        &self,
        _: &Instance,
        cx: &mut StoreContextMut<'_, T>,
    ) -> Option<ComponentExportIndex> {
        // An index of another library's component is no index here.
        self.is_of(cx.wasmtime()).then(|| self.clone())
    }
}

impl ExportLookup for &ComponentExportIndex {
    fn lookup<T>(
        &self,
        i: &Instance,
        cx: &mut StoreContextMut<'_, T>,
    ) -> Option<ComponentExportIndex> {
        (*self).lookup(i, cx)
    }
}

impl Instance {
    /// The exported function `name` (a name or a
    /// [`ComponentExportIndex`]); `None` when there is no such export or
    /// it is not a function.
    ///
    /// ```no_run
    /// # let (instance, mut store): (wasmtime_dyn::component::Instance, wasmtime_dyn::Store<()>) = unimplemented!();
    /// let double = instance.get_func(&mut store, "double").expect("exported");
    /// # let _ = double;
    /// ```
    ///
    /// # Panics
    ///
    /// When the instance belongs to another store, as the crate's does.
    pub fn get_func(&self, mut store: impl AsContextMut, name: impl ExportLookup) -> Option<Func> {
        let mut cx = store.as_context_mut();
        cx.assert_owns(self.store, "the component instance");
        let index = name.lookup(self, &mut cx)?;
        let model = model_of(cx.wasmtime()).ok()?;
        let mut raw = FuncStorage::zeroed();
        // SAFETY: an instance of this store (checked) and an index of its
        // library; `raw` has room for any major's layout. An index of
        // another component is refused by Wasmtime (false).
        let found = unsafe {
            (model.wasmtime_component_instance_get_func)(
                &self.raw,
                cx.context(),
                index.ptr,
                raw.as_mut_ptr(),
            )
        };
        if !found {
            return None;
        }
        // SAFETY: a function of this store (just found); the type is owned
        // and freed by `take`.
        let ty = unsafe {
            let ty = (model.wasmtime_component_func_type)(raw.as_ptr(), cx.context());
            super::types::ComponentFunc::take(model, ty)
        };
        let async_results = ty.results().any(|t| t.mentions_async());
        Some(Func {
            raw,
            store: self.store,
            async_results,
        })
    }

    /// The exported function `name` with Rust parameter and result types,
    /// checked once against the function's type.
    ///
    /// ```no_run
    /// # let (instance, mut store): (wasmtime_dyn::component::Instance, wasmtime_dyn::Store<()>) = unimplemented!();
    /// let add = instance.get_typed_func::<(u32, u32), (u32,)>(&mut store, "add")?;
    /// assert_eq!(add.call(&mut store, (40, 2))?, (42,));
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) when there is no
    /// such function; [`ErrorKind::TypeMismatch`](crate::ErrorKind::TypeMismatch)
    /// naming the first type that differs.
    ///
    /// # Panics
    ///
    /// As [`Instance::get_func`].
    pub fn get_typed_func<Params, Results>(
        &self,
        mut store: impl AsContextMut,
        name: impl ExportLookup,
    ) -> crate::Result<super::TypedFunc<Params, Results>>
    where
        Params: super::ComponentNamedList + super::Lower,
        Results: super::ComponentNamedList + super::Lift,
    {
        let what = name.describe();
        let func = self.get_func(&mut store, name).ok_or_else(|| {
            crate::ErrorKind::Invalid(format!("the instance exports no function {what}"))
        })?;
        func.typed(store.as_context_mut())
    }

    /// The index of the export `name`, inside the exported instance
    /// `instance` if given (functions of an exported interface are found
    /// this way); `None` when there is none.
    ///
    /// ```no_run
    /// # let (instance, mut store): (wasmtime_dyn::component::Instance, wasmtime_dyn::Store<()>) = unimplemented!();
    /// let api = instance.get_export_index(&mut store, None, "my:pkg/api").expect("exported");
    /// let run = instance.get_export_index(&mut store, Some(&api), "run").expect("in the interface");
    /// let run = instance.get_func(&mut store, &run).expect("a function");
    /// ```
    ///
    /// # Panics
    ///
    /// As [`Instance::get_func`].
    pub fn get_export_index(
        &self,
        mut store: impl AsContextMut,
        instance: Option<&ComponentExportIndex>,
        name: &str,
    ) -> Option<ComponentExportIndex> {
        let mut cx = store.as_context_mut();
        cx.assert_owns(self.store, "the component instance");
        self.index_in(&mut cx, instance, name)
    }

    fn index_in<T>(
        &self,
        cx: &mut StoreContextMut<'_, T>,
        parent: Option<&ComponentExportIndex>,
        name: &str,
    ) -> Option<ComponentExportIndex> {
        cx.assert_owns(self.store, "the component instance");
        let wasmtime = cx.wasmtime();
        let model = model_of(wasmtime).ok()?;
        let parent = match parent {
            Some(p) if !p.is_of(wasmtime) => return None,
            Some(p) => p.ptr.cast_const(),
            None => std::ptr::null(),
        };
        // SAFETY: an instance of this store; `parent` null or an index of
        // this library; `name` readable (UTF-8: a `str`).
        let ptr = unsafe {
            (model.wasmtime_component_instance_get_export_index)(
                &self.raw,
                cx.context(),
                parent,
                name.as_ptr().cast(),
                name.len(),
            )
        };
        ComponentExportIndex::from_raw(wasmtime, model, ptr)
    }
}
