//! The types of functions, and the imports and exports of components and
//! instances, read through the getters of the library's major.

use super::read::{borrowed_str, Reader};
use super::{ResourceType, Type};
use crate::engine::Engine;
use crate::sys::tables::ComponentModel;
use crate::sys::types::*;
use std::fmt;
use std::sync::OnceLock;

/// A component function's type, as the crate's
/// `wasmtime::component::types::ComponentFunc`.
///
/// ```no_run
/// use wasmtime_dyn::component::{Func, types::Type};
/// # let (func, store): (Func, wasmtime_dyn::Store<()>) = unimplemented!();
/// let ty = func.ty(&store);
/// let names: Vec<&str> = ty.params().map(|(name, _)| name).collect();
/// assert!(ty.results().len() <= 1);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ComponentFunc {
    params: Vec<(String, Type)>,
    result: Option<Type>,
    is_async: bool,
}

impl ComponentFunc {
    /// The parameters: names and types.
    ///
    /// ```no_run
    /// # let ty: wasmtime_dyn::component::types::ComponentFunc = unimplemented!();
    /// for (name, ty) in ty.params() { println!("{name}: {ty:?}"); }
    /// ```
    pub fn params(&self) -> impl ExactSizeIterator<Item = (&str, Type)> + '_ {
        self.params.iter().map(|(n, t)| (n.as_str(), t.clone()))
    }

    /// The result types (none or one).
    ///
    /// ```no_run
    /// # let ty: wasmtime_dyn::component::types::ComponentFunc = unimplemented!();
    /// let result = ty.results().next();
    /// ```
    pub fn results(&self) -> impl ExactSizeIterator<Item = Type> + '_ {
        self.result.iter().cloned()
    }

    /// Whether the function is `async` (component-model async).
    ///
    /// ```no_run
    /// # let ty: wasmtime_dyn::component::types::ComponentFunc = unimplemented!();
    /// assert!(!ty.async_());
    /// ```
    pub fn async_(&self) -> bool {
        self.is_async
    }

    /// Reads a function type of the library (borrowed, not freed here).
    ///
    /// # Safety
    ///
    /// `ty` is a live function type of `model`'s library.
    pub(crate) unsafe fn from_c(
        model: &'static ComponentModel,
        ty: *const wasmtime_component_func_type_t,
    ) -> ComponentFunc {
        let r = Reader { model };
        // SAFETY: live (contract); every out-parameter is written by the
        // library when it returns true, and owned here.
        unsafe {
            let n = (model.wasmtime_component_func_type_param_count)(ty);
            let mut params = Vec::with_capacity(n);
            for i in 0..n {
                let mut name = std::ptr::null();
                let mut len = 0;
                let mut vt = std::mem::MaybeUninit::uninit();
                if (model.wasmtime_component_func_type_param_nth)(
                    ty,
                    i,
                    &mut name,
                    &mut len,
                    vt.as_mut_ptr(),
                ) {
                    params.push((borrowed_str(name, len), r.take(vt.as_mut_ptr())));
                }
            }
            let mut vt = std::mem::MaybeUninit::uninit();
            let result = (model.wasmtime_component_func_type_result)(ty, vt.as_mut_ptr())
                .then(|| r.take(vt.as_mut_ptr()));
            ComponentFunc {
                params,
                result,
                is_async: (model.wasmtime_component_func_type_async)(ty),
            }
        }
    }

    /// Reads and frees an owned function type.
    ///
    /// # Safety
    ///
    /// `ty` is a live, owned function type of `model`'s library.
    pub(crate) unsafe fn take(
        model: &'static ComponentModel,
        ty: *mut wasmtime_component_func_type_t,
    ) -> ComponentFunc {
        // SAFETY: the contract; freed once after reading.
        unsafe {
            let f = ComponentFunc::from_c(model, ty);
            (model.wasmtime_component_func_type_delete)(ty);
            f
        }
    }
}

/// The imported functions (`instance/name` inside imported instances)
/// whose parameters mention `future`, `stream` or `error-context`: a host
/// function cannot receive those through the C API.
pub(crate) fn imports_with_async_params(ty: &Component, engine: &Engine) -> Option<String> {
    fn search<'a>(
        items: impl Iterator<Item = (&'a str, ComponentItem)>,
        engine: &Engine,
        prefix: &str,
    ) -> Option<String> {
        for (name, item) in items {
            match item {
                ComponentItem::ComponentFunc(f) if f.params().any(|(_, t)| t.mentions_async()) => {
                    return Some(format!("{prefix}{name}"))
                }
                ComponentItem::ComponentInstance(i) => {
                    if let Some(found) =
                        search(i.exports(engine), engine, &format!("{prefix}{name}/"))
                    {
                        return Some(found);
                    }
                }
                _ => {}
            }
        }
        None
    }
    search(ty.imports(engine), engine, "")
}

/// An import or export of a component or component instance, as the
/// crate's `wasmtime::component::types::ComponentItem`.
///
/// ```no_run
/// use wasmtime_dyn::component::{Component, types::ComponentItem};
/// # let component: Component = unimplemented!();
/// for (name, item) in component.component_type().imports(component.engine()) {
///     match item {
///         ComponentItem::ComponentFunc(f) => println!("func {name} ({} params)", f.params().len()),
///         ComponentItem::ComponentInstance(_) => println!("instance {name}"),
///         other => println!("{name}: {other:?}"),
///     }
/// }
/// ```
#[derive(Debug, Clone)]
pub enum ComponentItem {
    /// A component function.
    ComponentFunc(ComponentFunc),
    /// A core function (its type is not described here yet).
    CoreFunc,
    /// A core module (its type is not described here yet).
    Module,
    /// A component.
    Component(Component),
    /// A component instance.
    ComponentInstance(ComponentInstance),
    /// A value type.
    Type(Type),
    /// A resource type.
    Resource(ResourceType),
}

/// Which getters: imports or exports.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Imports,
    Exports,
}

/// An owned C handle of a component or instance type.
enum Handle {
    Component(*mut wasmtime_component_type_t),
    Instance(*mut wasmtime_component_instance_type_t),
}

/// The owner of a type handle: frees it, clones it.
struct Owned {
    handle: Handle,
    model: &'static ComponentModel,
}

// SAFETY: immutable type handles of the library (`Arc`-based in the C
// API), usable from any thread.
unsafe impl Send for Owned {}
// SAFETY: as above; only read.
unsafe impl Sync for Owned {}

impl Clone for Owned {
    fn clone(&self) -> Self {
        let m = self.model;
        // SAFETY: live handles; the clones are owned by the new value.
        let handle = unsafe {
            match self.handle {
                Handle::Component(p) => Handle::Component((m.wasmtime_component_type_clone)(p)),
                Handle::Instance(p) => {
                    Handle::Instance((m.wasmtime_component_instance_type_clone)(p))
                }
            }
        };
        Owned { handle, model: m }
    }
}

impl Drop for Owned {
    fn drop(&mut self) {
        let m = self.model;
        // SAFETY: owned, freed once.
        unsafe {
            match self.handle {
                Handle::Component(p) => (m.wasmtime_component_type_delete)(p),
                Handle::Instance(p) => (m.wasmtime_component_instance_type_delete)(p),
            }
        }
    }
}

impl Owned {
    /// The `(name, item)` pairs of one side.
    fn items(&self, engine: &Engine, side: Side) -> Vec<(String, ComponentItem)> {
        let m = self.model;
        let Some(getters) = self.getters(engine) else {
            return Vec::new();
        };
        // SAFETY: live handles; counts are read from the handle itself.
        let count = unsafe {
            match (&self.handle, side) {
                (Handle::Component(p), Side::Imports) => {
                    (m.wasmtime_component_type_import_count)(*p, engine.ptr())
                }
                (Handle::Component(p), Side::Exports) => {
                    (m.wasmtime_component_type_export_count)(*p, engine.ptr())
                }
                (Handle::Instance(p), Side::Exports) => {
                    (m.wasmtime_component_instance_type_export_count)(*p, engine.ptr())
                }
                (Handle::Instance(_), Side::Imports) => 0,
            }
        };
        (0..count)
            // SAFETY: `i` is below the count of a live handle.
            .filter_map(|i| unsafe { getters.nth(engine, &self.handle, side, i) })
            .collect()
    }

    /// The getters of `engine`'s library, `None` where it has none or
    /// where this type is of another library than the engine's.
    fn getters(&self, engine: &Engine) -> Option<Getters> {
        Getters::of(engine).filter(|g| std::ptr::eq(g.model, self.model))
    }

    /// The `(name, item)` pairs of one side, read from the library on the
    /// first call and kept in `cache`, lent with names borrowed from it as
    /// the crate's iterators lend theirs (empty for an engine of another
    /// library).
    fn lend<'a>(
        &self,
        cache: &'a Cached,
        engine: &Engine,
        side: Side,
    ) -> impl ExactSizeIterator<Item = (&'a str, ComponentItem)> + 'a {
        let items: &'a [(String, ComponentItem)] = match self.getters(engine) {
            None => &[],
            Some(_) => match cache.0.get() {
                Some(items) => items,
                None => {
                    let read = self.items(engine, side).into_boxed_slice();
                    cache.0.get_or_init(|| read)
                }
            },
        };
        items
            .iter()
            .map(|(name, item)| (name.as_str(), item.clone()))
    }
}

/// One side's items of a type, once read.
#[derive(Clone, Default)]
struct Cached(OnceLock<Box<[(String, ComponentItem)]>>);

/// The six getters of the library's major, as one interface.
struct Getters {
    model: &'static ComponentModel,
    /// `Ok`: the item-writing getters of 45 to 48; `Err`: the
    /// extern-writing ones of 49 and later.
    table: std::result::Result<
        &'static crate::sys::tables::ComponentModelTypesItem,
        &'static crate::sys::tables::ComponentModelTypesExtern,
    >,
}

impl Getters {
    fn of(engine: &Engine) -> Option<Getters> {
        let tables = engine.wasmtime().tables();
        let model = tables.component_model.as_ref()?;
        let table = match (
            &tables.component_model_types_item,
            &tables.component_model_types_extern,
        ) {
            (Some(item), _) => Ok(item),
            (None, Some(ext)) => Err(ext),
            (None, None) => return None,
        };
        Some(Getters { model, table })
    }

    /// The `nth` import or export of `handle`.
    ///
    /// # Safety
    ///
    /// `handle` is live, of this library, and `nth` below its count.
    unsafe fn nth(
        &self,
        engine: &Engine,
        handle: &Handle,
        side: Side,
        nth: usize,
    ) -> Option<(String, ComponentItem)> {
        let (mut name, mut len) = (std::ptr::null(), 0usize);
        let mut item = std::mem::MaybeUninit::<wasmtime_component_item_t>::uninit();
        let e = engine.ptr();
        // SAFETY: live handles (contract); out-parameters are written when
        // the getter returns true; an extern is read into an owned item and
        // freed before its type handle can go.
        let found = unsafe {
            match self.table {
                Ok(t) => {
                    let out = item.as_mut_ptr();
                    match (handle, side) {
                        (Handle::Component(p), Side::Imports) => (t
                            .wasmtime_component_type_import_nth)(
                            *p, e, nth, &mut name, &mut len, out,
                        ),
                        (Handle::Component(p), Side::Exports) => (t
                            .wasmtime_component_type_export_nth)(
                            *p, e, nth, &mut name, &mut len, out,
                        ),
                        (Handle::Instance(p), Side::Exports) => (t
                            .wasmtime_component_instance_type_export_nth)(
                            *p, e, nth, &mut name, &mut len, out,
                        ),
                        (Handle::Instance(_), Side::Imports) => false,
                    }
                }
                Err(t) => {
                    let mut ext = std::ptr::null_mut();
                    let found = match (handle, side) {
                        (Handle::Component(p), Side::Imports) => (t
                            .wasmtime_component_type_import_nth)(
                            *p, e, nth, &mut name, &mut len, &mut ext,
                        ),
                        (Handle::Component(p), Side::Exports) => (t
                            .wasmtime_component_type_export_nth)(
                            *p, e, nth, &mut name, &mut len, &mut ext,
                        ),
                        (Handle::Instance(p), Side::Exports) => (t
                            .wasmtime_component_instance_type_export_nth)(
                            *p, e, nth, &mut name, &mut len, &mut ext,
                        ),
                        (Handle::Instance(_), Side::Imports) => false,
                    };
                    if found && !ext.is_null() {
                        // The name may point into the extern: copied first.
                        let owned_name = borrowed_str(name, len);
                        (t.wasmtime_component_extern_type)(ext, item.as_mut_ptr());
                        (t.wasmtime_component_extern_delete)(ext);
                        let mut item = item.assume_init();
                        return Some((owned_name, self.take_item(&mut item)));
                    }
                    false
                }
            }
        };
        if !found {
            return None;
        }
        // SAFETY: written since the getter returned true; owned here.
        unsafe {
            let mut item = item.assume_init();
            Some((borrowed_str(name, len), self.take_item(&mut item)))
        }
    }

    /// Reads and frees an owned item.
    ///
    /// # Safety
    ///
    /// `item` is live, owned, of this library.
    unsafe fn take_item(&self, item: &mut wasmtime_component_item_t) -> ComponentItem {
        let m = self.model;
        let of = &item.of;
        // SAFETY: each arm reads the member its kind names; handles are
        // cloned before the item is freed.
        unsafe {
            let out = match u32::from(item.kind) {
                WASMTIME_COMPONENT_ITEM_COMPONENT_FUNC => {
                    ComponentItem::ComponentFunc(ComponentFunc::from_c(m, of.component_func))
                }
                WASMTIME_COMPONENT_ITEM_COMPONENT => {
                    ComponentItem::Component(Component::new(Owned {
                        handle: Handle::Component((m.wasmtime_component_type_clone)(of.component)),
                        model: m,
                    }))
                }
                WASMTIME_COMPONENT_ITEM_COMPONENT_INSTANCE => {
                    ComponentItem::ComponentInstance(ComponentInstance(
                        Owned {
                            handle: Handle::Instance((m.wasmtime_component_instance_type_clone)(
                                of.component_instance,
                            )),
                            model: m,
                        },
                        Cached::default(),
                    ))
                }
                WASMTIME_COMPONENT_ITEM_RESOURCE => {
                    ComponentItem::Resource(Reader { model: m }.resource(of.resource))
                }
                WASMTIME_COMPONENT_ITEM_TYPE => {
                    ComponentItem::Type(Reader { model: m }.read(&of.type_))
                }
                WASMTIME_COMPONENT_ITEM_MODULE => ComponentItem::Module,
                _ => ComponentItem::CoreFunc,
            };
            (m.wasmtime_component_item_delete)(item);
            out
        }
    }
}

/// A component's type, as the crate's
/// `wasmtime::component::types::Component`: its imports and exports.
///
/// ```no_run
/// use wasmtime_dyn::component::Component;
/// # let component: Component = unimplemented!();
/// let ty = component.component_type();
/// let exports: Vec<&str> = ty.exports(component.engine()).map(|(name, _)| name).collect();
/// ```
#[derive(Clone)]
pub struct Component(Owned, Cached, Cached);

impl Component {
    /// Takes an owned handle.
    pub(crate) fn from_raw(
        model: &'static ComponentModel,
        ptr: *mut wasmtime_component_type_t,
    ) -> Component {
        Component::new(Owned {
            handle: Handle::Component(ptr),
            model,
        })
    }

    /// A type of `owned`, its imports and exports not read yet.
    fn new(owned: Owned) -> Component {
        Component(owned, Cached::default(), Cached::default())
    }

    /// The imports: names and items (empty for a type of another
    /// library than `engine`'s).
    ///
    /// ```no_run
    /// # let c: wasmtime_dyn::component::Component = unimplemented!();
    /// for (name, item) in c.component_type().imports(c.engine()) { println!("{name}: {item:?}"); }
    /// ```
    pub fn imports<'a>(
        &'a self,
        engine: &'a Engine,
    ) -> impl ExactSizeIterator<Item = (&'a str, ComponentItem)> + 'a {
        self.0.lend(&self.1, engine, Side::Imports)
    }

    /// The import `name`, if any.
    ///
    /// ```no_run
    /// # let c: wasmtime_dyn::component::Component = unimplemented!();
    /// let log = c.component_type().get_import(c.engine(), "log");
    /// ```
    pub fn get_import(&self, engine: &Engine, name: &str) -> Option<ComponentItem> {
        self.imports(engine)
            .find(|(n, _)| *n == name)
            .map(|(_, i)| i)
    }

    /// The export `name`, if any.
    ///
    /// ```no_run
    /// # let c: wasmtime_dyn::component::Component = unimplemented!();
    /// assert!(c.component_type().get_export(c.engine(), "run").is_some());
    /// ```
    pub fn get_export(&self, engine: &Engine, name: &str) -> Option<ComponentItem> {
        self.exports(engine)
            .find(|(n, _)| *n == name)
            .map(|(_, i)| i)
    }

    /// The exports: names and items.
    ///
    /// ```no_run
    /// # let c: wasmtime_dyn::component::Component = unimplemented!();
    /// assert!(c.component_type().exports(c.engine()).len() > 0);
    /// ```
    pub fn exports<'a>(
        &'a self,
        engine: &'a Engine,
    ) -> impl ExactSizeIterator<Item = (&'a str, ComponentItem)> + 'a {
        self.0.lend(&self.2, engine, Side::Exports)
    }
}

impl fmt::Debug for Component {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Component").finish_non_exhaustive()
    }
}

/// A component instance's type, as the crate's
/// `wasmtime::component::types::ComponentInstance`: its exports.
///
/// ```no_run
/// use wasmtime_dyn::component::{types::ComponentItem, Component};
/// # let c: Component = unimplemented!();
/// for (name, item) in c.component_type().exports(c.engine()) {
///     if let ComponentItem::ComponentInstance(i) = item {
///         println!("{name} exports {} items", i.exports(c.engine()).len());
///     }
/// }
/// ```
#[derive(Clone)]
pub struct ComponentInstance(Owned, Cached);

impl ComponentInstance {
    /// The export `name`, if any.
    ///
    /// ```no_run
    /// # let (i, e): (wasmtime_dyn::component::types::ComponentInstance, wasmtime_dyn::Engine) = unimplemented!();
    /// let run = i.get_export(&e, "run");
    /// ```
    pub fn get_export(&self, engine: &Engine, name: &str) -> Option<ComponentItem> {
        self.exports(engine)
            .find(|(n, _)| *n == name)
            .map(|(_, i)| i)
    }

    /// The exports: names and items.
    ///
    /// ```no_run
    /// # let (i, e): (wasmtime_dyn::component::types::ComponentInstance, wasmtime_dyn::Engine) = unimplemented!();
    /// let names: Vec<&str> = i.exports(&e).map(|(n, _)| n).collect();
    /// ```
    pub fn exports<'a>(
        &'a self,
        engine: &'a Engine,
    ) -> impl ExactSizeIterator<Item = (&'a str, ComponentItem)> + 'a {
        self.0.lend(&self.1, engine, Side::Exports)
    }
}

impl fmt::Debug for ComponentInstance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ComponentInstance").finish_non_exhaustive()
    }
}

/// The names of a component type's imports (the WASI guard reads them).
pub(crate) fn import_names(ty: &Component, engine: &Engine) -> Vec<String> {
    ty.imports(engine)
        .map(|(name, _)| name.to_string())
        .collect()
}
