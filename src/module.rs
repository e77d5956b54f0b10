//! Compiled WebAssembly modules.

use crate::capability::Capability;
use crate::engine::Engine;
use crate::error::{ErrorKind, Result};
use crate::sys::types::*;
use crate::trap::empty_vec;
use crate::types::{name_of, ExportType, ExternType, FuncType, ImportType};
use crate::wasm_scan::TableFacts;
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, OnceLock};

/// A compiled module, ready to instantiate in stores of its engine.
///
/// With a compiler, [`Module::new`] compiles `.wasm` (or `.wat` where the
/// library has the text parser). Without one (the minimal build), modules
/// come from [`Module::deserialize`] of a `.cwasm` precompiled elsewhere.
///
/// ```no_run
/// use wasmtime_dyn::{Engine, Module, Wasmtime};
/// // SAFETY: WASMTIME_DYN_LIB names a Wasmtime C API library.
/// let wasmtime = unsafe { Wasmtime::load() }?;
/// let engine = Engine::default_for(wasmtime)?;
/// let module = Module::new(&engine, r#"(module (func (export "run")))"#)?;
/// assert_eq!(module.exports().next().map(|e| e.name()), Some("run"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Module {
    engine: Engine,
    pub(crate) ptr: *mut wasmtime_module_t,
    /// The tables whose types the C API cannot give (see
    /// `wasm_scan::TableLimits`), read from the bytes it was compiled from;
    /// `None` for a deserialized module, whose bytes this crate never saw.
    pub(crate) tables: Option<Arc<TableFacts>>,
    /// The types of its function exports, read once on first use and
    /// shared by clones (see [`Module::func_exports`]).
    func_exports: Arc<OnceLock<FuncExports>>,
    /// Its imports and exports with their types, read once on first use
    /// (the iterators of [`Module::imports`] and [`Module::exports`] borrow
    /// them) and shared by clones.
    types: Arc<OnceLock<ModuleTypes>>,
}

/// An import: its module, name and type.
type Import = (Box<str>, Box<str>, ExternType);

/// A module's imports and exports, with their types.
struct ModuleTypes {
    imports: Vec<Import>,
    /// (name, type)
    exports: Vec<(Box<str>, ExternType)>,
}

/// A module's function exports by name, with their types: `None` for an
/// export that is not a function or whose type this crate cannot
/// represent (those are looked up the slow way).
pub(crate) type FuncExports = HashMap<Box<str>, Option<FuncType>, rustc_hash::FxBuildHasher>;

// SAFETY: `wasmtime::Module` is `Send + Sync`; the C API's module boxes one.
unsafe impl Send for Module {}
// SAFETY: as above.
unsafe impl Sync for Module {}

impl Module {
    /// Compiles `bytes`: binary `.wasm`, or text where the library has the
    /// [`Wat`](Capability::Wat) capability.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Engine, Module};
    /// # let engine: Engine = unimplemented!();
    /// let from_text = Module::new(&engine, r#"(module (func (export "run")))"#)?;
    /// let from_binary = Module::new(&engine, std::fs::read("app.wasm").expect("app.wasm"))?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unsupported`]`(Compiler)` on a library without a compiler
    /// (its message says to precompile with a full build);
    /// [`ErrorKind::Unsupported`]`(Wat)` for text without the parser; the
    /// compiler's error for an invalid module.
    pub fn new(engine: &Engine, bytes: impl AsRef<[u8]>) -> Result<Module> {
        engine
            .required_compiler()?
            .compile(&engine.binary(bytes.as_ref())?)
    }

    /// Compiles the module in the file at `path` (binary `.wasm`, or text
    /// where the library has the [`Wat`](Capability::Wat) capability), as
    /// [`Module::new`] does with its bytes.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Engine, Module};
    /// # let engine: Engine = unimplemented!();
    /// let module = Module::from_file(&engine, "app.wasm")?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Io`] naming the file when it cannot be read; otherwise as
    /// for [`Module::new`].
    pub fn from_file(engine: &Engine, path: impl AsRef<Path>) -> Result<Module> {
        let path = path.as_ref();
        Module::new(engine, crate::error::read_file(path)?)
    }

    /// Loads a module precompiled by [`Module::serialize`] or
    /// [`precompile_for`](crate::precompile_for). Wasmtime checks that the
    /// artifact was made by a compatible version and configuration; see
    /// [`cwasm::preflight`](crate::cwasm::preflight) to ask beforehand.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Engine, Module};
    /// # let engine: Engine = unimplemented!();
    /// let bytes = std::fs::read("app.cwasm").expect("app.cwasm");
    /// // SAFETY: app.cwasm was made by our own build with a trusted Wasmtime.
    /// let module = unsafe { Module::deserialize(&engine, &bytes) }?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Safety
    ///
    /// The bytes are machine code that will run: they must come from a
    /// trusted Wasmtime compiler and not have been tampered with.
    pub unsafe fn deserialize(engine: &Engine, bytes: impl AsRef<[u8]>) -> Result<Module> {
        let bytes = bytes.as_ref();
        let core = engine.wasmtime().core();
        let mut ptr = std::ptr::null_mut();
        // SAFETY: the engine is live; `bytes` is readable; trusting the
        // artifact is the caller's contract.
        let error = unsafe {
            (core.wasmtime_module_deserialize)(engine.ptr(), bytes.as_ptr(), bytes.len(), &mut ptr)
        };
        // SAFETY: the error, if any, is fresh and owned.
        unsafe { crate::error::check(core, error) }?;
        // Its types are not read: they may hold any value type.
        engine.note_typed_references();
        Ok(Module::from_raw(engine, ptr))
    }

    /// Like [`Module::deserialize`], from a file (memory-mapped by Wasmtime).
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Engine, Module};
    /// # let engine: Engine = unimplemented!();
    /// // SAFETY: app.cwasm was made by our own build, and nothing rewrites it.
    /// let module = unsafe { Module::deserialize_file(&engine, "app.cwasm") }?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Safety
    ///
    /// As for [`Module::deserialize`]; the file must also not change while
    /// the module lives.
    pub unsafe fn deserialize_file(engine: &Engine, path: impl AsRef<Path>) -> Result<Module> {
        let path = path.as_ref();
        if !path.is_file() {
            return Err(ErrorKind::Io {
                path: path.to_path_buf(),
                source: std::io::Error::from(std::io::ErrorKind::NotFound),
            }
            .into());
        }
        let c_path = path_to_c(path)?;
        let core = engine.wasmtime().core();
        let mut ptr = std::ptr::null_mut();
        // SAFETY: the engine is live; `c_path` is NUL-terminated; trusting
        // the file is the caller's contract.
        let error = unsafe {
            (core.wasmtime_module_deserialize_file)(engine.ptr(), c_path.as_ptr(), &mut ptr)
        };
        // SAFETY: the error, if any, is fresh and owned.
        unsafe { crate::error::check(core, error) }?;
        // Its types are not read: they may hold any value type.
        engine.note_typed_references();
        Ok(Module::from_raw(engine, ptr))
    }

    /// Serializes the compiled module to `.cwasm` bytes for
    /// [`Module::deserialize`] on an engine with the same settings.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Engine, Module};
    /// # let engine: Engine = unimplemented!();
    /// let module = Module::new(&engine, r#"(module (func (export "run")))"#)?;
    /// let bytes = module.serialize()?;
    /// // SAFETY: the bytes were just serialized by this engine.
    /// let again = unsafe { Module::deserialize(&engine, &bytes) }?;
    /// assert!(again.exports().eq(module.exports()));
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unsupported`]`(Compiler)`: serializing is part of the
    /// compiler capability in the C API.
    pub fn serialize(&self) -> Result<Vec<u8>> {
        let w = self.engine.wasmtime();
        let compiler = w
            .tables()
            .compiler
            .as_ref()
            .ok_or(ErrorKind::Unsupported(Capability::Compiler))?;
        let mut out = empty_vec();
        // SAFETY: the module is live; `out` is an empty vector to fill.
        let error = unsafe { (compiler.wasmtime_module_serialize)(self.ptr, &mut out) };
        // SAFETY: the error, if any, is fresh and owned.
        unsafe { crate::error::check(w.core(), error) }?;
        // SAFETY: `out` was filled by the library; copied then deleted once.
        Ok(unsafe { take_byte_vec(w.core(), &mut out) })
    }

    /// The module's imports, in order, as the `wasmtime` crate's
    /// `Module::imports`.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Engine, ExternType, Module};
    /// # let engine: Engine = unimplemented!();
    /// let module = Module::new(&engine, r#"(module (import "env" "log" (func (param i32))))"#)?;
    /// assert_eq!(module.imports().len(), 1);
    /// let import = module.imports().next().expect("one import");
    /// assert_eq!((import.module(), import.name()), ("env", "log"));
    /// assert!(matches!(import.ty(), ExternType::Func(_)));
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// The types are read from the library once per module. Where one is a
    /// type this crate cannot represent (a concrete or continuation
    /// reference of an engine with the stack-switching proposal on), the
    /// iterator is empty: [`Module::try_imports`] says why.
    pub fn imports(&self) -> impl ExactSizeIterator<Item = ImportType<'_>> + '_ {
        let imports = match self.types() {
            Ok(types) => &types.imports[..],
            Err(_) => &[],
        };
        imports
            .iter()
            .map(|(module, name, ty)| ImportType { module, name, ty })
    }

    /// As [`Module::imports`], or the error reading a type.
    ///
    /// ```no_run
    /// # let module: wasmtime_dyn::Module = unimplemented!();
    /// for import in module.try_imports()? {
    ///     println!("{}.{}", import.module(), import.name());
    /// }
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`] naming the type this crate cannot represent.
    pub fn try_imports(&self) -> Result<impl ExactSizeIterator<Item = ImportType<'_>> + '_> {
        self.types()?;
        Ok(self.imports())
    }

    /// The module's exports, in order, as the `wasmtime` crate's
    /// `Module::exports`.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Engine, ExternType, Module};
    /// # let engine: Engine = unimplemented!();
    /// let module = Module::new(&engine, r#"(module (memory (export "mem") 1))"#)?;
    /// let export = module.exports().next().expect("one export");
    /// assert_eq!(export.name(), "mem");
    /// assert!(matches!(export.ty(), ExternType::Memory(ty) if ty.minimum() == 1));
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// Empty where a type cannot be represented, as for
    /// [`Module::imports`]: [`Module::try_exports`] says why.
    pub fn exports(&self) -> impl ExactSizeIterator<Item = ExportType<'_>> + '_ {
        let exports = match self.types() {
            Ok(types) => &types.exports[..],
            Err(_) => &[],
        };
        exports.iter().map(|(name, ty)| ExportType { name, ty })
    }

    /// As [`Module::exports`], or the error reading a type.
    ///
    /// ```no_run
    /// # let module: wasmtime_dyn::Module = unimplemented!();
    /// let names: Vec<&str> = module.try_exports()?.map(|e| e.name()).collect();
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`] naming the type this crate cannot represent.
    pub fn try_exports(&self) -> Result<impl ExactSizeIterator<Item = ExportType<'_>> + '_> {
        self.types()?;
        Ok(self.exports())
    }

    /// The imports and exports with their types, read on first use (a
    /// failed read is not kept: it is tried again, and fails again).
    fn types(&self) -> Result<&ModuleTypes> {
        if let Some(types) = self.types.get() {
            return Ok(types);
        }
        let types = ModuleTypes {
            imports: self.read_imports()?,
            exports: self.read_exports()?,
        };
        Ok(self.types.get_or_init(|| types))
    }

    fn read_imports(&self) -> Result<Vec<Import>> {
        let core = self.engine.wasmtime().core();
        self.with_imports(|items| {
            items
                .iter()
                .enumerate()
                .map(|(i, &item)| {
                    // SAFETY: a live import type (`with_imports`), which owns
                    // its names and type.
                    unsafe {
                        let module = name_of((core.wasm_importtype_module)(item));
                        let name = name_of((core.wasm_importtype_name)(item));
                        let known = self.tables.as_ref().and_then(|t| t.import(i));
                        let ty = ExternType::from_c(
                            &self.engine,
                            (core.wasm_importtype_type)(item),
                            known,
                        )?;
                        Ok((module.into_boxed_str(), name.into_boxed_str(), ty))
                    }
                })
                .collect()
        })
    }

    fn read_exports(&self) -> Result<Vec<(Box<str>, ExternType)>> {
        let core = self.engine.wasmtime().core();
        self.with_exports(|items| {
            items
                .iter()
                .map(|&item| {
                    // SAFETY: a live export type (`with_exports`), which owns
                    // its name and type.
                    unsafe {
                        let name = name_of((core.wasm_exporttype_name)(item));
                        let known = self.tables.as_ref().and_then(|t| t.export(&name));
                        let ty = ExternType::from_c(
                            &self.engine,
                            (core.wasm_exporttype_type)(item),
                            known,
                        )?;
                        Ok((name.into_boxed_str(), ty))
                    }
                })
                .collect()
        })
    }

    /// The types of the function exports, read from the library the first
    /// time they are needed (one C call per export, once per module):
    /// `get_typed_func` then checks a signature without asking the library.
    pub(crate) fn shared_func_exports(&self) -> &Arc<OnceLock<FuncExports>> {
        self.func_exports.get_or_init(|| self.read_func_exports());
        &self.func_exports
    }

    fn read_func_exports(&self) -> FuncExports {
        let core = self.engine.wasmtime().core();
        self.with_exports(|items| {
            items
                .iter()
                .map(|&item| {
                    // SAFETY: a live export type (`with_exports`), which owns
                    // its name and type.
                    unsafe {
                        let name = name_of((core.wasm_exporttype_name)(item));
                        let ty = (core.wasm_exporttype_type)(item);
                        let func = if u32::from((core.wasm_externtype_kind)(ty)) == WASM_EXTERN_FUNC
                        {
                            FuncType::from_c(
                                &self.engine,
                                (core.wasm_externtype_as_functype_const)(ty),
                            )
                            .ok()
                        } else {
                            None
                        };
                        (name.into_boxed_str(), func)
                    }
                })
                .collect()
        })
    }

    /// The first of `names` the module imports from, if any (reads the
    /// import names only, never their types).
    pub(crate) fn imports_from(&self, names: &[&'static str]) -> Option<&'static str> {
        self.find_import(|module, _| names.iter().copied().find(|n| *n == module))
    }

    /// Whether `wanted(module, name)` holds for one of the imports (reads
    /// the import names only, never their types).
    pub(crate) fn imports_any(&self, wanted: impl Fn(&str, &str) -> bool) -> bool {
        self.find_import(|module, name| wanted(module, name).then_some(()))
            .is_some()
    }

    /// The first `Some` of `f(module, name)` over the imports, in order.
    fn find_import<R>(&self, mut f: impl FnMut(&str, &str) -> Option<R>) -> Option<R> {
        let core = self.engine.wasmtime().core();
        self.with_imports(|items| {
            items.iter().find_map(|&item| {
                // SAFETY: a live import type (`with_imports`), which owns its
                // names.
                let (module, name) = unsafe {
                    (
                        name_of((core.wasm_importtype_module)(item)),
                        name_of((core.wasm_importtype_name)(item)),
                    )
                };
                f(&module, &name)
            })
        })
    }

    /// Runs `f` on the module's import types, which live until it returns
    /// (the library's vector is deleted after).
    fn with_imports<R>(&self, f: impl FnOnce(&[*mut wasm_importtype_t]) -> R) -> R {
        let core = self.engine.wasmtime().core();
        let mut vec = wasm_importtype_vec_t {
            size: 0,
            data: std::ptr::null_mut(),
        };
        // SAFETY: the module is live; `vec` is an empty vector to fill.
        unsafe { (core.wasmtime_module_imports)(self.ptr, &mut vec) };
        let items = if vec.data.is_null() {
            &[][..]
        } else {
            // SAFETY: the library filled `size` live import types.
            unsafe { std::slice::from_raw_parts(vec.data, vec.size) }
        };
        let out = f(items);
        // SAFETY: filled by the library, deleted once, after the last use.
        unsafe { (core.wasm_importtype_vec_delete)(&mut vec) };
        out
    }

    /// Runs `f` on the module's export types, as [`Module::with_imports`].
    fn with_exports<R>(&self, f: impl FnOnce(&[*mut wasm_exporttype_t]) -> R) -> R {
        let core = self.engine.wasmtime().core();
        let mut vec = wasm_exporttype_vec_t {
            size: 0,
            data: std::ptr::null_mut(),
        };
        // SAFETY: the module is live; `vec` is an empty vector to fill.
        unsafe { (core.wasmtime_module_exports)(self.ptr, &mut vec) };
        let items = if vec.data.is_null() {
            &[][..]
        } else {
            // SAFETY: the library filled `size` live export types.
            unsafe { std::slice::from_raw_parts(vec.data, vec.size) }
        };
        let out = f(items);
        // SAFETY: filled by the library, deleted once, after the last use.
        unsafe { (core.wasm_exporttype_vec_delete)(&mut vec) };
        out
    }

    /// The engine the module belongs to.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Engine, Module};
    /// # let engine: Engine = unimplemented!();
    /// let module = Module::new(&engine, "(module)")?;
    /// assert!(Engine::same(module.engine(), &engine));
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub(crate) fn from_raw(engine: &Engine, ptr: *mut wasmtime_module_t) -> Module {
        Module {
            engine: engine.clone(),
            ptr,
            tables: None,
            func_exports: Arc::default(),
            types: Arc::default(),
        }
    }

    /// Records the table types read from the bytes the module was
    /// compiled from.
    pub(crate) fn with_tables(mut self, tables: TableFacts) -> Module {
        self.tables = Some(Arc::new(tables));
        self
    }
}

impl Clone for Module {
    fn clone(&self) -> Module {
        // SAFETY: the module is live; the clone is a new owned handle.
        let ptr = unsafe { (self.engine.wasmtime().core().wasmtime_module_clone)(self.ptr) };
        Module {
            engine: self.engine.clone(),
            ptr,
            tables: self.tables.clone(),
            func_exports: self.func_exports.clone(),
            types: self.types.clone(),
        }
    }
}

impl Drop for Module {
    fn drop(&mut self) {
        // SAFETY: owned by this handle, deleted once.
        unsafe { (self.engine.wasmtime().core().wasmtime_module_delete)(self.ptr) };
    }
}

impl std::fmt::Debug for Module {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Module").finish_non_exhaustive()
    }
}

/// Copies a byte vector the library filled and deletes it.
///
/// # Safety
///
/// `vec` was filled by a function of `core`'s library, not yet deleted.
pub(crate) unsafe fn take_byte_vec(
    core: &crate::sys::tables::Core,
    vec: &mut wasm_byte_vec_t,
) -> Vec<u8> {
    let bytes = if vec.data.is_null() {
        Vec::new()
    } else {
        // SAFETY: `size` initialized bytes at `data` (caller's contract).
        unsafe { std::slice::from_raw_parts(vec.data.cast::<u8>(), vec.size) }.to_vec()
    };
    // SAFETY: deleted once.
    unsafe { (core.wasm_byte_vec_delete)(vec) };
    bytes
}

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
    std::ffi::CString::new(bytes)
        .map_err(|_| ErrorKind::Invalid(format!("{} contains a NUL byte", path.display())).into())
}
