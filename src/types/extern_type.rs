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
/// for export in module.exports()? {
///     match export.ty {
///         ExternType::Func(ty) => println!("{}: function {ty}", export.name),
///         ExternType::Memory(ty) => println!("{}: memory of {} pages", export.name, ty.minimum()),
///         other => println!("{}: {other:?}", export.name),
///     }
/// }
/// # Ok::<(), wasmtime_dyn::Error>(())
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

/// An import of a module: where from, what, and its type.
///
/// ```no_run
/// # let module: wasmtime_dyn::Module = unimplemented!();
/// for import in module.imports()? {
///     println!("{}.{}: {:?}", import.module, import.name, import.ty);
/// }
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportType {
    /// The module name.
    pub module: String,
    /// The item name.
    pub name: String,
    /// Its type.
    pub ty: ExternType,
}

/// An export of a module: its name and type.
///
/// ```no_run
/// # let module: wasmtime_dyn::Module = unimplemented!();
/// let names: Vec<String> = module.exports()?.into_iter().map(|export| export.name).collect();
/// println!("exports: {names:?}");
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportType {
    /// The export name.
    pub name: String,
    /// Its type.
    pub ty: ExternType,
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
