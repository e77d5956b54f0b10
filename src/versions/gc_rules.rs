//! What `crate::gc` and `crate::gc_types` must know of each major's GC:
//! the limits Wasmtime puts on the GC types the embedding API makes
//! (`StructType`, `ArrayType`, `ExnType`), which the C API turns into an
//! abort when they are passed (`wasmtime_struct_type_new` `expect`s
//! `StructType::new`'s error, "failed to create struct type"), and how a
//! pending exception is counted.
//!
//! Read from `wasmtime/src/runtime/types.rs` (`from_wasm_struct_type`'s
//! `MAX_FIELDS`; `ExnType::new`, which has no limit of its own) and
//! `wasmtime-environ/src/gc.rs` with `gc/{drc,null,copying}.rs` (the object
//! layouts, computed in `u32` with unchecked additions) of Wasmtime 45 to 50,
//! identical in every major; and checked on the official 45 to 50 libraries
//! (`tests/gc.rs`, `gc_types_past_wasmtimes_limits_are_errors`).

use super::ByMajor;

/// One major's limits.
#[derive(Debug)]
pub(crate) struct GcTypeLimits {
    /// The most fields a struct type may have: one more and
    /// `StructType::new` fails, which the C API turns into an abort.
    pub max_struct_fields: usize,
    /// The largest GC object header of any collector, exception header
    /// words included (the DRC collector's 24-byte header and the
    /// exception's two 32-bit tag words).
    pub max_exn_header: u64,
    /// The largest field a GC object stores (`v128`). Fields are laid out in
    /// order, each aligned to its own size (a divisor of this one), so each
    /// adds at most this much to the size rounded up to it.
    pub max_field_bytes: u64,
    /// The strictest alignment any collector rounds an object's size to
    /// (the copying collector's 16 bytes).
    pub max_object_align: u64,
}

impl GcTypeLimits {
    /// The most fields an exception type may have so that its layout, in
    /// any collector and whatever its field types, fits the 32-bit size
    /// Wasmtime computes it in (without overflow checks: past it, a size
    /// that wrapped around). Wasmtime has no limit of its own for
    /// exception types.
    pub(crate) const fn max_exn_fields(&self) -> usize {
        let room = u32::MAX as u64 - self.max_exn_header - self.max_object_align;
        (room / self.max_field_bytes) as usize
    }
}

/// The limits of each supported major.
pub(crate) const GC_TYPE_LIMITS: ByMajor<GcTypeLimits> = ByMajor(&[(
    45..=50,
    GcTypeLimits {
        max_struct_fields: 10_000,
        max_exn_header: 24 + 8,
        max_field_bytes: 16,
        max_object_align: 16,
    },
)]);

/// Whether the store's pending exception holds a reference count of its
/// own, so that the LIFO root `wasmtime_context_take_exception` makes of it
/// may be popped (by taking it inside a host call, see
/// `gc::store_helper`). Not in Wasmtime 45, whose `throw` (the C API's
/// `wasmtime_context_set_exception`) puts an uncounted reference there
/// (`store.rs`, `throw_impl`: `_to_raw` then `VMGcRef::from_raw_u32`;
/// fixed in 46 by "Fix usage of GC barriers when throwing an exnref",
/// #13330): popping the root drops a count the exception never had, which
/// corrupts the GC heap (measured: a store hangs after ~20 000 host and
/// wasm throws). There the root stays, as it always did.
pub(crate) const PENDING_EXCEPTION_COUNTED: ByMajor<bool> =
    ByMajor(&[(45..=45, false), (46..=50, true)]);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exception_field_limit_keeps_every_layout_in_32_bits() {
        // The GC type API needs the functions 45 added (`c_reftype::since45`).
        for major in crate::sys::tables::TableId::CoreSince45.majors() {
            let limits = GC_TYPE_LIMITS.of(major);
            let n = limits.max_exn_fields() as u64;
            // Fields are laid out in order, each aligned to its own size, a
            // divisor of 16: after k fields the size is at most the header
            // rounded up to 16, plus 16 k (each field starts at or before
            // the next multiple of 16 and takes at most 16), and rounding
            // the total to the object's alignment keeps it there.
            let header = limits
                .max_exn_header
                .next_multiple_of(limits.max_object_align);
            let worst = header + n * limits.max_field_bytes;
            assert!(worst <= u64::from(u32::MAX), "{major}: {worst}");
            assert!(n > 100_000_000, "{major}: {n}");
            assert!(PENDING_EXCEPTION_COUNTED.get(major).is_some(), "{major}");
        }
    }
}
