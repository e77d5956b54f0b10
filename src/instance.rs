//! Instances and the items they export.

use crate::error::{ErrorKind, Result};
use crate::func::{call_failed, Func};
use crate::global::Global;
use crate::memory::Memory;
use crate::module::{FuncExports, Module};
use crate::shared_memory::SharedMemory;
use crate::store::{AsContextMut, StoreContextMut};
use crate::sys::types::*;
use crate::table::Table;
use crate::tag::Tag;
use crate::typed::{TypedFunc, WasmTyList};

/// An item an instance exports or a module imports.
///
/// ```no_run
/// use wasmtime_dyn::{Extern, Instance, Store};
/// # let (mut store, instance): (Store<()>, Instance) = unimplemented!();
/// let exports: Vec<(String, Extern)> = instance
///     .exports(&mut store)
///     .map(|e| (e.name().to_string(), e.into_extern()))
///     .collect();
/// for (name, item) in exports {
///     match item {
///         Extern::Func(f) => println!("{name}: function {}", f.ty(&store)),
///         Extern::Memory(m) => println!("{name}: memory of {} pages", m.size(&store)),
///         _ => println!("{name}: another kind"),
///     }
/// }
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Extern {
    /// A function.
    Func(Func),
    /// A global.
    Global(Global),
    /// A linear memory.
    Memory(Memory),
    /// A table.
    Table(Table),
    /// A shared memory (threads proposal).
    SharedMemory(SharedMemory),
    /// A tag (exceptions proposal).
    Tag(Tag),
}

/// An export of an instance: its name and the item, as the `wasmtime`
/// crate's `Export`.
///
/// ```no_run
/// use wasmtime_dyn::{Instance, Store};
/// # let (mut store, instance): (Store<()>, Instance) = unimplemented!();
/// for export in instance.exports(&mut store) {
///     let name = export.name();
///     if let Some(func) = export.into_func() {
///         println!("{name} is a function");
///         let _ = func;
///     }
/// }
/// ```
#[derive(Clone, Debug)]
pub struct Export<'instance> {
    name: &'instance str,
    definition: Extern,
}

impl<'instance> Export<'instance> {
    /// The export's name.
    ///
    /// ```no_run
    /// # let export: wasmtime_dyn::Export<'_> = unimplemented!();
    /// println!("{}", export.name());
    /// ```
    pub fn name(&self) -> &'instance str {
        self.name
    }

    /// The exported item.
    ///
    /// ```no_run
    /// use wasmtime_dyn::Extern;
    /// # let export: wasmtime_dyn::Export<'_> = unimplemented!();
    /// assert!(matches!(export.into_extern(), Extern::Func(_)));
    /// ```
    pub fn into_extern(self) -> Extern {
        self.definition
    }

    /// The function, if it is one.
    ///
    /// ```no_run
    /// # let export: wasmtime_dyn::Export<'_> = unimplemented!();
    /// let func = export.into_func().expect("a function");
    /// ```
    pub fn into_func(self) -> Option<Func> {
        self.definition.into_func()
    }

    /// The table, if it is one.
    ///
    /// ```no_run
    /// # let export: wasmtime_dyn::Export<'_> = unimplemented!();
    /// let table = export.into_table().expect("a table");
    /// ```
    pub fn into_table(self) -> Option<Table> {
        self.definition.into_table()
    }

    /// The memory, if it is one.
    ///
    /// ```no_run
    /// # let export: wasmtime_dyn::Export<'_> = unimplemented!();
    /// let memory = export.into_memory().expect("a memory");
    /// ```
    pub fn into_memory(self) -> Option<Memory> {
        self.definition.into_memory()
    }

    /// The shared memory, if it is one.
    ///
    /// ```no_run
    /// # let export: wasmtime_dyn::Export<'_> = unimplemented!();
    /// let memory = export.into_shared_memory().expect("a shared memory");
    /// ```
    pub fn into_shared_memory(self) -> Option<SharedMemory> {
        match self.definition {
            Extern::SharedMemory(m) => Some(m),
            _ => None,
        }
    }

    /// The global, if it is one.
    ///
    /// ```no_run
    /// # let export: wasmtime_dyn::Export<'_> = unimplemented!();
    /// let global = export.into_global().expect("a global");
    /// ```
    pub fn into_global(self) -> Option<Global> {
        self.definition.into_global()
    }

    /// The tag, if it is one.
    ///
    /// ```no_run
    /// # let export: wasmtime_dyn::Export<'_> = unimplemented!();
    /// let tag = export.into_tag().expect("a tag");
    /// ```
    pub fn into_tag(self) -> Option<Tag> {
        self.definition.into_tag()
    }
}

impl Extern {
    /// The function, if it is one.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Extern, Instance, Store};
    /// # let (mut store, instance): (Store<()>, Instance) = unimplemented!();
    /// if let Some(run) = instance.get_export(&mut store, "run").and_then(Extern::into_func) {
    ///     run.call(&mut store, &[], &mut [])?;
    /// }
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn into_func(self) -> Option<Func> {
        match self {
            Extern::Func(f) => Some(f),
            _ => None,
        }
    }

    /// The memory, if it is one.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Extern, Instance, Store};
    /// # let (mut store, instance): (Store<()>, Instance) = unimplemented!();
    /// let memory = instance.get_export(&mut store, "memory").and_then(Extern::into_memory);
    /// println!("has a memory: {}", memory.is_some());
    /// ```
    pub fn into_memory(self) -> Option<Memory> {
        match self {
            Extern::Memory(m) => Some(m),
            _ => None,
        }
    }

    /// The global, if it is one.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Extern, Instance, Store};
    /// # let (mut store, instance): (Store<()>, Instance) = unimplemented!();
    /// if let Some(g) = instance.get_export(&mut store, "counter").and_then(Extern::into_global) {
    ///     println!("counter = {:?}", g.get(&mut store)?);
    /// }
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn into_global(self) -> Option<Global> {
        match self {
            Extern::Global(g) => Some(g),
            _ => None,
        }
    }

    /// The table, if it is one.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Extern, Instance, Store};
    /// # let (mut store, instance): (Store<()>, Instance) = unimplemented!();
    /// if let Some(table) = instance.get_export(&mut store, "table").and_then(Extern::into_table) {
    ///     println!("{} entries", table.size(&store));
    /// }
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn into_table(self) -> Option<Table> {
        match self {
            Extern::Table(t) => Some(t),
            _ => None,
        }
    }

    /// The tag, if it is one.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Extern, Instance, Store};
    /// # let (mut store, instance): (Store<()>, Instance) = unimplemented!();
    /// let tag = instance.get_export(&mut store, "error").and_then(Extern::into_tag);
    /// println!("has a tag: {}", tag.is_some());
    /// ```
    pub fn into_tag(self) -> Option<Tag> {
        match self {
            Extern::Tag(t) => Some(t),
            _ => None,
        }
    }

    /// Wraps an item the library handed out for this store: `Ok(None)` for
    /// kinds this crate does not know, `Err` for a function whose type
    /// it cannot represent (GC proposal types). A shared memory is owned by
    /// the result.
    ///
    /// # Safety
    ///
    /// `item` was written by this store's library.
    pub(crate) unsafe fn from_c<T>(
        cx: &mut StoreContextMut<'_, T>,
        item: &wasmtime_extern_t,
    ) -> Result<Option<Extern>> {
        // SAFETY: the union member read is the one `kind` names.
        Ok(unsafe {
            match u32::from(item.kind) {
                WASMTIME_EXTERN_FUNC => Some(Extern::Func(Func::from_c(cx, item.of.func)?)),
                WASMTIME_EXTERN_GLOBAL => Some(Extern::Global(Global::from_c(cx, item.of.global))),
                WASMTIME_EXTERN_MEMORY => Some(Extern::Memory(Memory::from_c(cx, item.of.memory))),
                WASMTIME_EXTERN_TABLE => Some(Extern::Table(Table::from_c(cx, item.of.table))),
                WASMTIME_EXTERN_SHAREDMEMORY => Some(Extern::SharedMemory(
                    SharedMemory::from_owned(cx.wasmtime(), item.of.sharedmemory),
                )),
                WASMTIME_EXTERN_TAG => Some(Extern::Tag(Tag::from_c(cx, item.of.tag))),
                _ => None,
            }
        })
    }

    /// The C form, after checking the item belongs to the store.
    pub(crate) fn to_c<T>(&self, cx: &StoreContextMut<'_, T>) -> Result<wasmtime_extern_t> {
        // SAFETY: all-zero is a valid `wasmtime_extern_t`; fields are set below.
        let mut out: wasmtime_extern_t = unsafe { std::mem::zeroed() };
        match self {
            Extern::Func(f) => {
                cx.check(f.store, "the function")?;
                out.kind = WASMTIME_EXTERN_FUNC as u8;
                out.of.func = f.raw;
            }
            Extern::Global(g) => {
                cx.check(g.store, "the global")?;
                out.kind = WASMTIME_EXTERN_GLOBAL as u8;
                out.of.global = g.raw;
            }
            Extern::Memory(m) => {
                cx.check(m.store, "the memory")?;
                out.kind = WASMTIME_EXTERN_MEMORY as u8;
                out.of.memory = m.raw;
            }
            Extern::Table(t) => {
                cx.check(t.store, "the table")?;
                out.kind = WASMTIME_EXTERN_TABLE as u8;
                out.of.table = t.raw;
            }
            Extern::SharedMemory(m) => {
                if !std::ptr::eq(m.wasmtime(), cx.wasmtime()) {
                    return Err(ErrorKind::WrongLibrary("the shared memory").into());
                }
                out.kind = WASMTIME_EXTERN_SHAREDMEMORY as u8;
                out.of.sharedmemory = m.ptr;
            }
            Extern::Tag(t) => {
                cx.check(t.store, "the tag")?;
                out.kind = WASMTIME_EXTERN_TAG as u8;
                out.of.tag = t.raw;
            }
        }
        Ok(out)
    }
}

macro_rules! extern_from {
    ($($ty:ident),*) => {
        $(
            impl From<$ty> for Extern {
                fn from(item: $ty) -> Extern {
                    Extern::$ty(item)
                }
            }
        )*
    };
}

extern_from!(Func, Global, Memory, Table, SharedMemory, Tag);

impl Extern {
    /// The store id of a store-bound item; `None` for shared memories,
    /// which belong to an engine.
    pub(crate) fn store_id(&self) -> Option<u64> {
        match self {
            Extern::Func(f) => Some(f.store),
            Extern::Global(g) => Some(g.store),
            Extern::Memory(m) => Some(m.store),
            Extern::Table(t) => Some(t.store),
            Extern::Tag(t) => Some(t.store),
            Extern::SharedMemory(_) => None,
        }
    }
}

/// An instantiated module.
///
/// ```no_run
/// use wasmtime_dyn::{Instance, Module, Store};
/// # let (mut store, module): (Store<()>, Module) = unimplemented!();
/// let instance = Instance::new(&mut store, &module, &[])?;
/// let run = instance.get_typed_func::<(), ()>(&mut store, "run")?;
/// run.call(&mut store, ())?;
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
#[derive(Clone, Copy)]
pub struct Instance {
    pub(crate) raw: wasmtime_instance_t,
    /// The id of the store it belongs to.
    pub(crate) store: u64,
    /// Its module's function exports, which its store keeps alive (see
    /// `StoreInner::modules`); null when not known.
    exports: *const FuncExports,
}

// SAFETY: the raw handle is a store id and an index, usable only with its
// store, which every use checks; `exports` points at immutable data the
// store keeps alive and is read only with that store.
unsafe impl Send for Instance {}
// SAFETY: as above.
unsafe impl Sync for Instance {}

impl std::fmt::Debug for Instance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Instance").finish_non_exhaustive()
    }
}

/// Records in the store the tables `module` defines and exports whose types
/// the C API cannot give (see `StoreInner::wide_tables`), each found by
/// `export` (the item of that name, from an instance of the module or from
/// a linker that defined its exports).
pub(crate) fn record_wide_tables<T>(
    cx: &mut StoreContextMut<'_, T>,
    module: &Module,
    export: impl Fn(&StoreContextMut<'_, T>, &str) -> Option<wasmtime_extern_t>,
) {
    let Some(tables) = module.tables.as_deref() else {
        return;
    };
    for (name, limits) in tables.defined_exports() {
        if let Some(item) = export(cx, name) {
            if u32::from(item.kind) == WASMTIME_EXTERN_TABLE {
                // SAFETY: `kind` says the union holds a table.
                cx.record_wide_table(unsafe { &item.of.table }, limits);
            }
        }
    }
}

impl Instance {
    /// Instantiates `module` with `imports` in order (see
    /// [`Linker`](crate::Linker) to resolve imports by name).
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Func, Instance, Module, Store};
    /// # let (mut store, module): (Store<()>, Module) = unimplemented!();
    /// // The module's only import is a function `(param i32)`.
    /// let log = Func::wrap(&mut store, |x: i32| println!("{x}"));
    /// let instance = Instance::new(&mut store, &module, &[log.into()])?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// a [`Trap`](crate::Trap) if the start function traps; Wasmtime's error for
    /// wrong imports; [`ErrorKind::WrongStore`] for imports of another store;
    /// [`ErrorKind::WrongEngine`] for a module of another engine.
    pub fn new(
        mut store: impl AsContextMut,
        module: &Module,
        imports: &[Extern],
    ) -> Result<Instance> {
        let mut cx = store.as_context_mut();
        if !crate::Engine::same(cx.engine(), module.engine()) {
            return Err(ErrorKind::WrongEngine("the module", "the store").into());
        }
        let imports = imports
            .iter()
            .map(|i| i.to_c(&cx))
            .collect::<Result<Vec<_>>>()?;
        let mut raw = std::mem::MaybeUninit::<wasmtime_instance_t>::uninit();
        let mut trap = std::ptr::null_mut();
        // SAFETY: the context and module are live and of the same engine;
        // the imports belong to this store (checked).
        let error = unsafe {
            (cx.wasmtime().core().wasmtime_instance_new)(
                cx.context(),
                module.ptr,
                imports.as_ptr(),
                imports.len(),
                raw.as_mut_ptr(),
                &mut trap,
            )
        };
        // SAFETY: the call's error or trap, or `raw` written on success.
        unsafe { Instance::from_instantiation(&mut cx, error, trap, raw, module) }
    }

    /// The outcome of a C instantiation call that wrote `raw` on success,
    /// or returned `error` or `trap`: the new instance of `module`, or the
    /// failure (with a host function's panic or error taken back).
    ///
    /// # Safety
    ///
    /// `error` and `trap` are null or fresh, owned objects of this store's
    /// library; when both are null, `raw` was written by the call.
    pub(crate) unsafe fn from_instantiation<T>(
        cx: &mut StoreContextMut<'_, T>,
        error: *mut wasmtime_error_t,
        trap: *mut wasm_trap_t,
        raw: std::mem::MaybeUninit<wasmtime_instance_t>,
        module: &Module,
    ) -> Result<Instance> {
        if !error.is_null() || !trap.is_null() {
            // SAFETY: fresh, owned error or trap (caller's contract).
            return Err(unsafe { call_failed(cx, error, trap) });
        }
        // SAFETY: written on success (caller's contract).
        Ok(Instance::instantiated(
            cx,
            unsafe { raw.assume_init() },
            module,
        ))
    }

    /// A new instance of `module`: the tables it defines and exports whose
    /// types the C API cannot give are recorded in the store, so
    /// [`Table::ty`] answers right for them however their handle is
    /// reached later. With `coredump_on_trap` the store records it for
    /// core dumps (see `crate::coredump`).
    pub(crate) fn instantiated<T>(
        cx: &mut StoreContextMut<'_, T>,
        raw: wasmtime_instance_t,
        module: &Module,
    ) -> Instance {
        let mut instance = Instance::from_c(cx, raw);
        record_wide_tables(cx, module, |cx, name| instance.raw_export(cx, name));
        instance.exports = cx.keep_func_exports(module.shared_func_exports());
        if let Some(tracker) = cx.coredump() {
            tracker.record(instance, module);
        }
        instance
    }

    /// The C item exported as `name`, if any. The instance belongs to
    /// `cx`'s store (checked by the caller).
    fn raw_export<T>(&self, cx: &StoreContextMut<'_, T>, name: &str) -> Option<wasmtime_extern_t> {
        let mut item = std::mem::MaybeUninit::<wasmtime_extern_t>::uninit();
        // SAFETY: the instance belongs to this live store; `name` is
        // readable; `item` is written when the export is found.
        unsafe {
            (cx.wasmtime().core().wasmtime_instance_export_get)(
                cx.context(),
                &self.raw,
                name.as_ptr().cast(),
                name.len(),
                item.as_mut_ptr(),
            )
            .then(|| item.assume_init())
        }
    }

    /// The export at `index`, by name and C item, if there is one. The
    /// instance belongs to `cx`'s store (checked by the caller); the name
    /// is the instance's, borrowed for as long as `cx`.
    pub(crate) fn raw_export_nth<'a, T>(
        &self,
        cx: &'a StoreContextMut<'_, T>,
        index: usize,
    ) -> Option<(&'a [u8], wasmtime_extern_t)> {
        let mut name = std::ptr::null_mut();
        let mut len = 0;
        let mut item = std::mem::MaybeUninit::<wasmtime_extern_t>::uninit();
        // SAFETY: the instance belongs to this live store; out-pointers are
        // writable.
        let found = unsafe {
            (cx.wasmtime().core().wasmtime_instance_export_nth)(
                cx.context(),
                &self.raw,
                index,
                &mut name,
                &mut len,
                item.as_mut_ptr(),
            )
        };
        // SAFETY: on success `name` points to `len` bytes owned by the
        // instance, which lives as long as its store, and `item` was written.
        found.then(|| unsafe {
            (
                std::slice::from_raw_parts(name.cast::<u8>(), len),
                item.assume_init(),
            )
        })
    }

    pub(crate) fn from_c<T>(cx: &mut StoreContextMut<'_, T>, raw: wasmtime_instance_t) -> Instance {
        Instance {
            raw,
            store: cx.id(),
            exports: std::ptr::null(),
        }
    }

    /// The export called `name`; `None` when there is none, or when it is a
    /// function whose type this crate cannot represent yet (GC proposal
    /// types; [`Instance::get_typed_func`] says which, as an error).
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Extern, Instance, Store};
    /// # let (mut store, instance): (Store<()>, Instance) = unimplemented!();
    /// match instance.get_export(&mut store, "memory") {
    ///     Some(Extern::Memory(memory)) => println!("{} pages", memory.size(&store)),
    ///     Some(_) => println!("`memory` is not a memory"),
    ///     None => println!("no export named `memory`"),
    /// }
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Panics
    ///
    /// If `store` is not the store the instance belongs to (as the
    /// `wasmtime` crate's `Instance::get_export`).
    pub fn get_export(&self, store: impl AsContextMut, name: &str) -> Option<Extern> {
        self.lookup(store, name).ok().flatten()
    }

    /// The export `name`, or why it cannot be handed out (a function type
    /// this crate cannot represent yet).
    ///
    /// # Panics
    ///
    /// If `store` is not the instance's store.
    fn lookup(&self, mut store: impl AsContextMut, name: &str) -> Result<Option<Extern>> {
        let mut cx = store.as_context_mut();
        cx.assert_owns(self.store, "the instance");
        let Some(item) = self.raw_export(&cx, name) else {
            return Ok(None);
        };
        // SAFETY: written by this store's library.
        unsafe { Extern::from_c(&mut cx, &item) }
    }

    /// Every export, with its name, in order, as the `wasmtime` crate's
    /// `Instance::exports`; the store stays borrowed while the exports are
    /// (their names are the instance's).
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Instance, Store};
    /// # let (mut store, instance): (Store<()>, Instance) = unimplemented!();
    /// let names: Vec<String> = instance.exports(&mut store).map(|e| e.name().to_string()).collect();
    /// println!("exports: {names:?}");
    /// let memories = instance.exports(&mut store).filter_map(|e| e.into_memory()).count();
    /// ```
    ///
    /// Exports of kinds this crate does not know, and functions whose type
    /// it cannot represent yet (GC proposal types), are left out (as is
    /// everything for an instance of another store):
    /// [`Instance::try_exports`] says why instead.
    pub fn exports<'a, S: AsContextMut + ?Sized>(
        &'a self,
        store: &'a mut S,
    ) -> impl ExactSizeIterator<Item = Export<'a>> + 'a {
        self.collect_exports(store.as_context_mut(), false)
            .unwrap_or_default()
            .into_iter()
    }

    /// As [`Instance::exports`], or the error reading one.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Instance, Store};
    /// # let (mut store, instance): (Store<()>, Instance) = unimplemented!();
    /// for export in instance.try_exports(&mut store)? {
    ///     println!("{}", export.name());
    /// }
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// For an instance of another store, and for a function export whose
    /// type this crate cannot represent yet (GC proposal types), naming it.
    pub fn try_exports<'a, S: AsContextMut + ?Sized>(
        &'a self,
        store: &'a mut S,
    ) -> Result<impl ExactSizeIterator<Item = Export<'a>> + 'a> {
        Ok(self
            .collect_exports(store.as_context_mut(), true)?
            .into_iter())
    }

    /// The exports, for a store borrowed for `'a`; `strict` fails where
    /// [`Instance::exports`] leaves an export out.
    fn collect_exports<'a, T>(
        &'a self,
        mut cx: StoreContextMut<'_, T>,
        strict: bool,
    ) -> Result<Vec<Export<'a>>> {
        cx.check(self.store, "the instance")?;
        let mut out = Vec::new();
        for index in 0.. {
            let Some((name, item)) = self.raw_export_nth(&cx, index) else {
                break;
            };
            // SAFETY: the name is owned by the instance, which lives as
            // long as its store (the library frees it with the store); the
            // caller's store is borrowed for `'a` (`exports` and
            // `try_exports` take `&'a mut S`, and whatever `S` is borrows
            // or owns the store for at least that long), so the store, and
            // the name, outlive `'a` and are not touched meanwhile.
            let name: &'a [u8] = unsafe { std::slice::from_raw_parts(name.as_ptr(), name.len()) };
            let Ok(name) = std::str::from_utf8(name) else {
                // Wasmtime validates names as UTF-8: never the case.
                if strict {
                    return Err(ErrorKind::Invalid(format!(
                        "export {index}: its name is not UTF-8"
                    ))
                    .into());
                }
                continue;
            };
            // SAFETY: written by this store's library for this store.
            match unsafe { Extern::from_c(&mut cx, &item) } {
                Ok(Some(definition)) => out.push(Export { name, definition }),
                Ok(None) => {}
                Err(err) if strict => {
                    return Err(ErrorKind::Invalid(format!("the export `{name}`: {err}")).into())
                }
                Err(_) => {}
            }
        }
        Ok(out)
    }

    /// The exported function `name`; `None` when there is no such export,
    /// it is not a function, or its type is one this crate cannot represent
    /// yet (GC proposal types).
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Instance, Store};
    /// # let (mut store, instance): (Store<()>, Instance) = unimplemented!();
    /// let run = instance.get_func(&mut store, "run").expect("an export `run`");
    /// run.call(&mut store, &[], &mut [])?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Panics
    ///
    /// If `store` is not the store the instance belongs to (as the
    /// `wasmtime` crate's `Instance::get_func`).
    pub fn get_func(&self, store: impl AsContextMut, name: &str) -> Option<Func> {
        self.get_export(store, name)?.into_func()
    }

    /// The exported function `name`, typed after checking its signature.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Instance, Store};
    /// # let (mut store, instance): (Store<()>, Instance) = unimplemented!();
    /// let fib = instance.get_typed_func::<u32, u64>(&mut store, "fib")?;
    /// println!("fib(30) = {}", fib.call(&mut store, 30)?);
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// When there is no such export, it is not a function, its type is not
    /// `P -> R`, or it is one this crate cannot represent yet.
    ///
    /// # Panics
    ///
    /// If `store` is not the store the instance belongs to (as the
    /// `wasmtime` crate's `Instance::get_typed_func`).
    pub fn get_typed_func<P: WasmTyList, R: WasmTyList>(
        &self,
        mut store: impl AsContextMut,
        name: &str,
    ) -> Result<TypedFunc<P, R>> {
        let mut cx = store.as_context_mut();
        cx.assert_owns(self.store, "the instance");
        let item = self.raw_export(&cx, name).ok_or_else(|| {
            ErrorKind::Invalid(format!("failed to find function export `{name}`"))
        })?;
        if u32::from(item.kind) != WASMTIME_EXTERN_FUNC {
            // SAFETY: written by this store's library for this store.
            drop(unsafe { Extern::from_c(&mut cx, &item) });
            return Err(
                ErrorKind::TypeMismatch(format!("the export `{name}` is not a function")).into(),
            );
        }
        // SAFETY: the union member read is the one `kind` names.
        let raw = unsafe { item.of.func };
        // SAFETY: non-null, it points at exports the instance's store keeps
        // alive, and that store is `cx`'s (checked above).
        let known = unsafe { self.exports.as_ref() }
            .and_then(|e| e.get(name))
            .and_then(Option::as_ref)
            .is_some_and(|ty| ty.param_types() == P::TYPES && ty.result_types() == R::TYPES);
        if known {
            return Ok(TypedFunc::known(Func::known_typed::<_, P, R>(&cx, raw)));
        }
        Func::from_c_typed(&mut cx, raw).map_err(|err| {
            match err.downcast::<ErrorKind>() {
                // A type this crate cannot represent: say which export.
                Ok(ErrorKind::Invalid(why)) => {
                    ErrorKind::Invalid(format!("the export `{name}`: {why}")).into()
                }
                Ok(other) => other.into(),
                Err(err) => err,
            }
        })
    }

    /// The exported memory `name`.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Instance, Store};
    /// # let (mut store, instance): (Store<()>, Instance) = unimplemented!();
    /// let memory = instance.get_memory(&mut store, "memory").expect("an exported memory");
    /// let mut header = [0u8; 4];
    /// memory.read(&store, 0, &mut header)?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// `None` when there is no such export or it is not a memory.
    ///
    /// # Panics
    ///
    /// If `store` is not the store the instance belongs to (as the
    /// `wasmtime` crate's `Instance::get_memory`).
    pub fn get_memory(&self, store: impl AsContextMut, name: &str) -> Option<Memory> {
        self.get_export(store, name)?.into_memory()
    }

    /// The exported global `name`.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Instance, Store};
    /// # let (mut store, instance): (Store<()>, Instance) = unimplemented!();
    /// let counter = instance.get_global(&mut store, "counter").expect("a global `counter`");
    /// println!("counter = {:?}", counter.get(&mut store)?);
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// `None` when there is no such export or it is not a global.
    ///
    /// # Panics
    ///
    /// If `store` is not the store the instance belongs to (as the
    /// `wasmtime` crate's `Instance::get_global`).
    pub fn get_global(&self, store: impl AsContextMut, name: &str) -> Option<Global> {
        self.get_export(store, name)?.into_global()
    }

    /// The exported tag `name` (exceptions proposal).
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Instance, Store};
    /// # let (mut store, instance): (Store<()>, Instance) = unimplemented!();
    /// let tag = instance.get_tag(&mut store, "error").expect("an exported tag");
    /// println!("{:?}", tag.ty(&store)?);
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// `None` when there is no such export or it is not a tag.
    ///
    /// # Panics
    ///
    /// If `store` is not the store the instance belongs to.
    pub fn get_tag(&self, store: impl AsContextMut, name: &str) -> Option<Tag> {
        self.get_export(store, name)?.into_tag()
    }

    /// The exported table `name`.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Instance, Store};
    /// # let (mut store, instance): (Store<()>, Instance) = unimplemented!();
    /// let table = instance.get_table(&mut store, "table").expect("an exported table");
    /// println!("{} entries", table.size(&store));
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// `None` when there is no such export or it is not a table.
    ///
    /// # Panics
    ///
    /// If `store` is not the store the instance belongs to (as the
    /// `wasmtime` crate's `Instance::get_table`).
    pub fn get_table(&self, store: impl AsContextMut, name: &str) -> Option<Table> {
        self.get_export(store, name)?.into_table()
    }
}
