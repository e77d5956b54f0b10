//! C API calls that end the process on some majors for inputs later majors
//! answer with an error, and what the crate must know to refuse those
//! inputs first.
//!
//! Read from `wasmtime-36.0.0` (`src/runtime/vm/table.rs`),
//! `wasmtime-internal-cranelift-36.0.0` (`src/lib.rs`) and
//! `wasmtime-c-api-impl-36.0.0` against their 48.0.0 counterparts, and
//! measured on the official libraries of 36 to 50 (`tests/panic_table.rs`,
//! `tests/never_crash.rs`).
//!
//! The third such call, `wasmtime_memorytype_new` of 36 to 38, which
//! `unwrap`s `MemoryTypeBuilder::build` (C `types/memory.rs:89`) because its
//! signature has no error to return, is told by its signature: the table
//! `core_memory_type_v36` (`src/sys/tables.rs`) holds exactly for those
//! majors, and `MemoryType::to_c` checks what `build` checks before it.

use super::ByMajor;

/// How a major's dynamic tables store their entries, for a major whose
/// `Table::grow` grows them with an infallible `Vec::resize`: Wasmtime 36
/// to 43 (36's `runtime/vm/table.rs`, `elements.resize(new_size, None)`),
/// where an allocation that fails aborts the process ("memory allocation
/// of 34359738240 bytes failed": growing a funcref table by `0xffff_fff0`,
/// measured on the official libraries of 36 to 43). From 44 the growth is
/// fallible (48's `TryVec::resize_with(..)?`, an error; measured on 44,
/// 45, 48 and 50). Creating a table is fallible in every major
/// (`alloc_zeroed`, checked). The entry types are the same in 36 and 48.
#[derive(Debug)]
pub(crate) struct InfallibleTableGrowth {
    /// Bytes of a funcref entry (`Option<SendSyncPtr<VMFuncRef>>`).
    pub func_entry_bytes: u64,
    /// Bytes of a GC reference entry (`Option<VMGcRef>`, a `NonZeroU32`):
    /// externref, anyref, exnref and their subtypes.
    pub gc_entry_bytes: u64,
}

/// The majors whose table growth aborts when its allocation fails; absent
/// for the majors whose growth returns an error.
pub(crate) const INFALLIBLE_TABLE_GROWTH: ByMajor<InfallibleTableGrowth> = ByMajor(&[(
    36..=43,
    InfallibleTableGrowth {
        func_entry_bytes: 8,
        gc_entry_bytes: 4,
    },
)]);

/// Whether a major's Cranelift compiles functions whose signatures, locals
/// or operands have continuation reference types (stack switching): 36's
/// `reference_type` is `unimplemented!("codegen for stack switching types
/// not implemented, yet")` for the `cont` hierarchy (cranelift `lib.rs:219`,
/// reached from `wasm_call_signature` while compiling), and its
/// `func_environ.rs` has `todo!()`s for the same types; 37 compiles them
/// (measured: `Compiler::precompile` of such a module on 37 and 38).
pub(crate) const CRANELIFT_COMPILES_CONTINUATIONS: ByMajor<bool> =
    ByMajor(&[(36..=36, false), (37..=50, true)]);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_supported_major_is_told() {
        for major in crate::SUPPORTED_MAJORS {
            CRANELIFT_COMPILES_CONTINUATIONS.of(major);
        }
    }
}
