//! WebAssembly types: values, references, functions, globals, memories,
//! tables, and the imports and exports of modules. Plain Rust data, with
//! handles for the concrete types of the GC proposal (see
//! [`StructType`](crate::StructType)), converted to and from the C API's
//! type objects at the boundary.

mod extern_type;
mod func_type;
mod global_type;
mod heap_type;
mod memory_type;
mod ref_type;
mod table_type;
mod valtype;

pub use extern_type::{ExportType, ExternType, ImportType};
pub use func_type::FuncType;
pub use global_type::{GlobalType, Mutability};
pub use heap_type::HeapType;
pub use memory_type::MemoryType;
pub use ref_type::RefType;
pub use table_type::TableType;
pub use valtype::ValType;

pub(crate) use extern_type::name_of;
