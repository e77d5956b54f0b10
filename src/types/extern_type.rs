//! The types of imports and exports: `ExternType`, `ImportType` and
//! `ExportType`.

use super::{FuncType, GlobalType, MemoryType, TableType};
use crate::engine::Engine;
use crate::error::ErrorKind;
use crate::sys::types::*;
use crate::wasm_scan::TableLimits;

/// The type of an import or export.
///
/// ```no_run
/// use wasmtime_dyn::{ExternType, Module};
/// # let module: Module = unimplemented!();
/// for export in module.exports() {
///     match export.ty() {
///         ExternType::Func(ty) => println!("{}: function {ty}", export.name()),
///         ExternType::Memory(ty) => println!("{}: memory of {} pages", export.name(), ty.minimum()),
///         other => println!("{}: {other:?}", export.name()),
///     }
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ExternType {
    /// A function.
    Func(FuncType),
    /// A global.
    Global(GlobalType),
    /// A table.
    Table(TableType),
    /// A memory.
    Memory(MemoryType),
    /// A tag (exceptions proposal).
    Tag(crate::gc_types::TagType),
}

impl ExternType {
    /// # Safety
    ///
    /// `ty` is a live `wasm_externtype_t` of `engine`'s library and objects.
    ///
    /// A table's limits are `known_table` where given (see
    /// [`TableType::from_c`]).
    pub(crate) unsafe fn from_c(
        engine: &Engine,
        ty: *const wasm_externtype_t,
        known_table: Option<TableLimits>,
    ) -> crate::Result<ExternType> {
        let core = engine.wasmtime().core();
        // SAFETY: `ty` is live; each cast matches the kind it reports.
        unsafe {
            Ok(match u32::from((core.wasm_externtype_kind)(ty)) {
                WASM_EXTERN_FUNC => ExternType::Func(FuncType::from_c(
                    engine,
                    (core.wasm_externtype_as_functype_const)(ty),
                )?),
                WASM_EXTERN_GLOBAL => ExternType::Global(GlobalType::from_c(
                    engine,
                    (core.wasm_externtype_as_globaltype_const)(ty),
                )?),
                WASM_EXTERN_TABLE => ExternType::Table(TableType::from_c(
                    engine,
                    (core.wasm_externtype_as_tabletype_const)(ty),
                    known_table,
                )?),
                WASM_EXTERN_MEMORY => ExternType::Memory(MemoryType::from_c(
                    engine.wasmtime(),
                    (core.wasm_externtype_as_memorytype_const)(ty),
                )),
                WASM_EXTERN_TAG => {
                    let wasmtime = engine.wasmtime();
                    let core44 = wasmtime.later(&wasmtime.tables().core_since_44, "tag types")?;
                    ExternType::Tag(crate::gc_types::TagType::from_c(
                        engine,
                        (core44.wasm_externtype_as_tagtype_const)(ty),
                    )?)
                }
                other => {
                    return Err(ErrorKind::Invalid(format!(
                        "an import or export of unknown kind {other}"
                    ))
                    .into())
                }
            })
        }
    }
}

/// An import of a module: where from, what, and its type, borrowed from
/// the module, as the `wasmtime` crate's `ImportType`.
///
/// ```no_run
/// # let module: wasmtime_dyn::Module = unimplemented!();
/// for import in module.imports() {
///     println!("{}.{}: {:?}", import.module(), import.name(), import.ty());
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportType<'module> {
    pub(crate) module: &'module str,
    pub(crate) name: &'module str,
    pub(crate) ty: &'module ExternType,
}

impl<'module> ImportType<'module> {
    /// The module name.
    ///
    /// ```no_run
    /// # let module: wasmtime_dyn::Module = unimplemented!();
    /// let from_env = module.imports().filter(|i| i.module() == "env").count();
    /// ```
    pub fn module(&self) -> &'module str {
        self.module
    }

    /// The item name.
    ///
    /// ```no_run
    /// # let module: wasmtime_dyn::Module = unimplemented!();
    /// let names: Vec<&str> = module.imports().map(|i| i.name()).collect();
    /// ```
    pub fn name(&self) -> &'module str {
        self.name
    }

    /// Its type.
    ///
    /// ```no_run
    /// use wasmtime_dyn::ExternType;
    /// # let module: wasmtime_dyn::Module = unimplemented!();
    /// let funcs = module.imports().filter(|i| matches!(i.ty(), ExternType::Func(_))).count();
    /// ```
    pub fn ty(&self) -> ExternType {
        self.ty.clone()
    }
}

/// An export of a module: its name and type, borrowed from the module, as
/// the `wasmtime` crate's `ExportType`.
///
/// ```no_run
/// # let module: wasmtime_dyn::Module = unimplemented!();
/// let names: Vec<&str> = module.exports().map(|export| export.name()).collect();
/// println!("exports: {names:?}");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportType<'module> {
    pub(crate) name: &'module str,
    pub(crate) ty: &'module ExternType,
}

impl<'module> ExportType<'module> {
    /// The export name.
    ///
    /// ```no_run
    /// # let module: wasmtime_dyn::Module = unimplemented!();
    /// assert!(module.exports().any(|e| e.name() == "run"));
    /// ```
    pub fn name(&self) -> &'module str {
        self.name
    }

    /// Its type.
    ///
    /// ```no_run
    /// use wasmtime_dyn::ExternType;
    /// # let module: wasmtime_dyn::Module = unimplemented!();
    /// let memories = module.exports().filter(|e| matches!(e.ty(), ExternType::Memory(_))).count();
    /// ```
    pub fn ty(&self) -> ExternType {
        self.ty.clone()
    }
}

/// Reads a name the library owns.
///
/// # Safety
///
/// `name` is a live `wasm_name_t`.
pub(crate) unsafe fn name_of(name: *const wasm_name_t) -> String {
    // SAFETY: live (caller's contract), holding `size` bytes at `data`.
    unsafe {
        let name = &*name;
        if name.data.is_null() {
            return String::new();
        }
        String::from_utf8_lossy(std::slice::from_raw_parts(
            name.data.cast::<u8>(),
            name.size,
        ))
        .into_owned()
    }
}
