//! [`Component`]: a compiled component, and [`ComponentExportIndex`].

use super::{model, types};
use crate::capability::Capability;
use crate::engine::Engine;
use crate::error::{ErrorKind, Result};
use crate::loader::Wasmtime;
use crate::sys::tables::ComponentModel;
use crate::sys::types::*;
use std::path::Path;
use std::sync::{Arc, OnceLock};

/// A compiled component, as the `wasmtime` crate's
/// `wasmtime::component::Component`: cheap to clone, shareable across
/// threads and stores of its engine.
///
/// ```no_run
/// use wasmtime_dyn::component::Component;
/// # let engine: wasmtime_dyn::Engine = unimplemented!();
/// let component = Component::new(&engine, "(component)")?;
/// let bytes = component.serialize()?;
/// // SAFETY: the bytes were just serialized by this engine.
/// let again = unsafe { Component::deserialize(&engine, &bytes) }?;
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
pub struct Component {
    pub(crate) ptr: *mut wasmtime_component_t,
    engine: Engine,
    model: &'static ComponentModel,
    /// What instantiation checks of the imports, read once (shared by
    /// clones).
    imports: Arc<OnceLock<ImportFacts>>,
}

/// What [`Linker::instantiate`](super::Linker::instantiate) checks of a
/// component's imports before the C API sees it.
#[derive(Default)]
pub(crate) struct ImportFacts {
    /// The first import named `wasi:*` (it needs a WASI context).
    pub(crate) wasi: Option<String>,
    /// The first import named `wasi:http/*` (it needs a WASI HTTP context
    /// as well).
    pub(crate) wasi_http: Option<String>,
    /// The first imported function whose parameters mention `future`,
    /// `stream` or `error-context`.
    pub(crate) async_params: Option<String>,
}

// SAFETY: `wasmtime::component::Component` is `Send + Sync`; the C handle
// is a box around it, never mutated after creation.
unsafe impl Send for Component {}
// SAFETY: as above.
unsafe impl Sync for Component {}

impl Clone for Component {
    fn clone(&self) -> Self {
        Component {
            // SAFETY: live; the clone is owned by the new value.
            ptr: unsafe { (self.model.wasmtime_component_clone)(self.ptr) },
            engine: self.engine.clone(),
            model: self.model,
            imports: self.imports.clone(),
        }
    }
}

impl Drop for Component {
    fn drop(&mut self) {
        // SAFETY: owned, freed once.
        unsafe { (self.model.wasmtime_component_delete)(self.ptr) };
    }
}

impl std::fmt::Debug for Component {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Component").finish_non_exhaustive()
    }
}

impl Component {
    /// Compiles a component from its binary or, where the library has the
    /// text parser (the official libraries' `wasmtime_wat2wasm` reads
    /// component text), its text format.
    ///
    /// ```no_run
    /// use wasmtime_dyn::component::Component;
    /// # let engine: wasmtime_dyn::Engine = unimplemented!();
    /// let component = Component::new(&engine, r#"(component
    ///     (core module $m (func (export "f") (result i32) i32.const 7))
    ///     (core instance $i (instantiate $m))
    ///     (func (export "seven") (result u32) (canon lift (core func $i "f"))))"#)?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unsupported`]`(ComponentModel)` without the component
    /// model, `(Compiler)` on a run-only build (use
    /// [`Component::deserialize`]), `(Wat)` for text without the parser;
    /// Wasmtime's error for an invalid component.
    pub fn new(engine: &Engine, bytes: impl AsRef<[u8]>) -> Result<Component> {
        let model = model(engine)?;
        let compiler = engine
            .wasmtime()
            .tables()
            .component_model_compiler
            .as_ref()
            .ok_or(ErrorKind::Unsupported(Capability::Compiler))?;
        let bytes = engine.binary(bytes.as_ref())?;
        let mut ptr = std::ptr::null_mut();
        // SAFETY: the engine is live; `bytes` is readable; `ptr` is written
        // on success.
        let error = unsafe {
            (compiler.wasmtime_component_new)(engine.ptr(), bytes.as_ptr(), bytes.len(), &mut ptr)
        };
        // SAFETY: the error, if any, is fresh and owned.
        unsafe { crate::error::check(engine.wasmtime().core(), error) }?;
        Ok(Component::from_raw(engine, model, ptr))
    }

    fn from_raw(
        engine: &Engine,
        model: &'static ComponentModel,
        ptr: *mut wasmtime_component_t,
    ) -> Component {
        // Its core modules are not read: they may hold any value type.
        engine.note_typed_references();
        Component {
            ptr,
            engine: engine.clone(),
            model,
            imports: Arc::default(),
        }
    }

    /// Compiles the component in a file (binary or text).
    ///
    /// ```no_run
    /// use wasmtime_dyn::component::Component;
    /// # let engine: wasmtime_dyn::Engine = unimplemented!();
    /// let component = Component::from_file(&engine, "app.component.wasm")?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Io`] naming the file when it cannot be read; otherwise
    /// as for [`Component::new`].
    pub fn from_file(engine: &Engine, path: impl AsRef<Path>) -> Result<Component> {
        model(engine)?;
        let path = path.as_ref();
        Component::new(engine, crate::error::read_file(path)?)
    }

    /// Loads a component precompiled by [`Component::serialize`]; Wasmtime
    /// checks the artifact's version and settings.
    ///
    /// ```no_run
    /// use wasmtime_dyn::component::Component;
    /// # let engine: wasmtime_dyn::Engine = unimplemented!();
    /// let bytes = std::fs::read("app.cwasm")?;
    /// // SAFETY: app.cwasm was made by our own build with a trusted Wasmtime.
    /// let component = unsafe { Component::deserialize(&engine, &bytes) }?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Safety
    ///
    /// The bytes are machine code that will run: they must come from a
    /// trusted Wasmtime compiler and not have been tampered with.
    pub unsafe fn deserialize(engine: &Engine, bytes: impl AsRef<[u8]>) -> Result<Component> {
        let model = model(engine)?;
        let bytes = bytes.as_ref();
        let mut ptr = std::ptr::null_mut();
        // SAFETY: the engine is live; `bytes` is readable; trusting the
        // artifact is the caller's contract.
        let error = unsafe {
            (model.wasmtime_component_deserialize)(
                engine.ptr(),
                bytes.as_ptr(),
                bytes.len(),
                &mut ptr,
            )
        };
        // SAFETY: the error, if any, is fresh and owned.
        unsafe { crate::error::check(engine.wasmtime().core(), error) }?;
        Ok(Component::from_raw(engine, model, ptr))
    }

    /// Like [`Component::deserialize`], from a file (memory-mapped by
    /// Wasmtime).
    ///
    /// ```no_run
    /// use wasmtime_dyn::component::Component;
    /// # let engine: wasmtime_dyn::Engine = unimplemented!();
    /// // SAFETY: app.cwasm was made by our own build, and nothing rewrites it.
    /// let component = unsafe { Component::deserialize_file(&engine, "app.cwasm") }?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Safety
    ///
    /// As for [`Component::deserialize`]; the file must also not change
    /// while the component lives.
    pub unsafe fn deserialize_file(engine: &Engine, path: impl AsRef<Path>) -> Result<Component> {
        let model = model(engine)?;
        let path = path.as_ref();
        if !path.is_file() {
            return Err(ErrorKind::Io {
                path: path.to_path_buf(),
                source: std::io::Error::from(std::io::ErrorKind::NotFound),
            }
            .into());
        }
        let c_path = path_to_c(path)?;
        let mut ptr = std::ptr::null_mut();
        // SAFETY: the engine is live; `c_path` is NUL-terminated; trusting
        // the file is the caller's contract.
        let error = unsafe {
            (model.wasmtime_component_deserialize_file)(engine.ptr(), c_path.as_ptr(), &mut ptr)
        };
        // SAFETY: the error, if any, is fresh and owned.
        unsafe { crate::error::check(engine.wasmtime().core(), error) }?;
        Ok(Component::from_raw(engine, model, ptr))
    }

    /// The compiled component as bytes for [`Component::deserialize`] on an
    /// engine with the same settings.
    ///
    /// ```no_run
    /// use wasmtime_dyn::component::Component;
    /// # let engine: wasmtime_dyn::Engine = unimplemented!();
    /// let bytes = Component::new(&engine, "(component)")?.serialize()?;
    /// std::fs::write("empty.cwasm", bytes)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unsupported`]`(Compiler)` on a run-only build: the C
    /// API serializes components only where it compiles them.
    pub fn serialize(&self) -> Result<Vec<u8>> {
        let w = self.engine.wasmtime();
        let compiler = w
            .tables()
            .component_model_compiler
            .as_ref()
            .ok_or(ErrorKind::Unsupported(Capability::Compiler))?;
        let mut out = wasm_byte_vec_t {
            size: 0,
            data: std::ptr::null_mut(),
        };
        // SAFETY: the component is live; `out` is an empty vector to fill.
        let error = unsafe { (compiler.wasmtime_component_serialize)(self.ptr, &mut out) };
        // SAFETY: the error, if any, is fresh and owned.
        unsafe { crate::error::check(w.core(), error) }?;
        // SAFETY: `out` was filled by the library; copied then deleted once.
        Ok(unsafe { crate::module::take_byte_vec(w.core(), &mut out) })
    }

    /// The component's type: its imports and exports.
    ///
    /// ```no_run
    /// use wasmtime_dyn::component::Component;
    /// # let (engine, component): (wasmtime_dyn::Engine, Component) = unimplemented!();
    /// for (name, item) in component.component_type().exports(&engine) {
    ///     println!("export {name}: {item:?}");
    /// }
    /// ```
    pub fn component_type(&self) -> types::Component {
        // SAFETY: live; the new type handle is owned by the value.
        let ptr = unsafe { (self.model.wasmtime_component_type)(self.ptr) };
        types::Component::from_raw(self.model, ptr)
    }

    /// The index of the export `name`, inside the exported instance
    /// `instance` if given: looked up once, then used with
    /// [`Instance::get_func`](super::Instance::get_func) on every instance
    /// of this component without searching names again. `None` when there
    /// is no such export.
    ///
    /// ```no_run
    /// use wasmtime_dyn::component::Component;
    /// # let component: Component = unimplemented!();
    /// let api = component.get_export_index(None, "my:pkg/api").expect("exported");
    /// let run = component.get_export_index(Some(&api), "run").expect("in the instance");
    /// ```
    pub fn get_export_index(
        &self,
        instance: Option<&ComponentExportIndex>,
        name: &str,
    ) -> Option<ComponentExportIndex> {
        let parent = match instance {
            Some(index) if !index.is_of(self.engine.wasmtime()) => return None,
            Some(index) => index.ptr.cast_const(),
            None => std::ptr::null(),
        };
        // SAFETY: live component and index of this library; `name` is
        // readable (valid UTF-8: a `str`); null means not found.
        let ptr = unsafe {
            (self.model.wasmtime_component_get_export_index)(
                self.ptr,
                parent,
                name.as_ptr().cast(),
                name.len(),
            )
        };
        ComponentExportIndex::from_raw(self.engine.wasmtime(), self.model, ptr)
    }

    /// The facts instantiation checks, read on first use.
    pub(crate) fn import_facts(&self) -> &ImportFacts {
        self.imports.get_or_init(|| {
            let ty = self.component_type();
            let names = types::import_names(&ty, &self.engine);
            ImportFacts {
                wasi: names.iter().find(|n| n.starts_with("wasi:")).cloned(),
                wasi_http: names.into_iter().find(|n| n.starts_with("wasi:http/")),
                async_params: types::imports_with_async_params(&ty, &self.engine),
            }
        })
    }

    /// The engine the component was compiled for.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{component::Component, Engine};
    /// # let (engine, component): (Engine, Component) = unimplemented!();
    /// assert!(Engine::same(component.engine(), &engine));
    /// ```
    pub fn engine(&self) -> &Engine {
        &self.engine
    }
}

/// A path as the C API takes it.
fn path_to_c(path: &Path) -> Result<std::ffi::CString> {
    #[cfg(unix)]
    let bytes = {
        use std::os::unix::ffi::OsStrExt;
        path.as_os_str().as_bytes().to_vec()
    };
    #[cfg(not(unix))]
    let bytes = path
        .to_str()
        .ok_or_else(|| ErrorKind::Invalid(format!("{} is not valid Unicode", path.display())))?
        .as_bytes()
        .to_vec();
    std::ffi::CString::new(bytes).map_err(|_| {
        ErrorKind::Invalid(format!("the path {} holds a NUL byte", path.display())).into()
    })
}

/// An export's index, looked up once by name with
/// [`Component::get_export_index`] or
/// [`Instance::get_export_index`](super::Instance::get_export_index), as
/// the crate's `wasmtime::component::ComponentExportIndex`.
///
/// ```no_run
/// use wasmtime_dyn::component::{Component, Instance};
/// # let (component, instance, mut store): (Component, Instance, wasmtime_dyn::Store<()>) = unimplemented!();
/// let index = component.get_export_index(None, "run").expect("exported");
/// let run = instance.get_func(&mut store, &index).expect("a function");
/// ```
pub struct ComponentExportIndex {
    pub(crate) ptr: *mut wasmtime_component_export_index_t,
    wasmtime: &'static Wasmtime,
    model: &'static ComponentModel,
}

// SAFETY: an immutable index value boxed by the C API.
unsafe impl Send for ComponentExportIndex {}
// SAFETY: as above.
unsafe impl Sync for ComponentExportIndex {}

impl ComponentExportIndex {
    pub(crate) fn from_raw(
        wasmtime: &'static Wasmtime,
        model: &'static ComponentModel,
        ptr: *mut wasmtime_component_export_index_t,
    ) -> Option<ComponentExportIndex> {
        (!ptr.is_null()).then_some(ComponentExportIndex {
            ptr,
            wasmtime,
            model,
        })
    }

    /// Whether the index was made by `wasmtime`.
    pub(crate) fn is_of(&self, wasmtime: &Wasmtime) -> bool {
        std::ptr::eq(self.wasmtime, wasmtime)
    }
}

impl Clone for ComponentExportIndex {
    fn clone(&self) -> Self {
        ComponentExportIndex {
            // SAFETY: live; the clone is owned by the new value.
            ptr: unsafe { (self.model.wasmtime_component_export_index_clone)(self.ptr) },
            wasmtime: self.wasmtime,
            model: self.model,
        }
    }
}

impl Drop for ComponentExportIndex {
    fn drop(&mut self) {
        // SAFETY: owned, freed once.
        unsafe { (self.model.wasmtime_component_export_index_delete)(self.ptr) };
    }
}

impl std::fmt::Debug for ComponentExportIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ComponentExportIndex")
            .finish_non_exhaustive()
    }
}
