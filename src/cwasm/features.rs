//! The WebAssembly feature bits of wasmparser, as Wasmtime records them in
//! an artifact's engine section: the bits of wasmparser 0.261 (Wasmtime
//! 50's), a superset of every earlier major's since wasmparser only appends
//! bits (which a major knows is `versions::defaults`' `wasmparser_bits`).
//! Named as Wasmtime names them in messages, in declaration order.

#![allow(dead_code)] // Every flag is named, not every one is used by name.

pub const MUTABLE_GLOBAL: u64 = 1;
pub const SATURATING_FLOAT_TO_INT: u64 = 1 << 1;
pub const SIGN_EXTENSION: u64 = 1 << 2;
pub const REFERENCE_TYPES: u64 = (1 << 3) | CALL_INDIRECT_OVERLONG;
pub const MULTI_VALUE: u64 = 1 << 4;
pub const BULK_MEMORY: u64 = (1 << 5) | BULK_MEMORY_OPT;
pub const SIMD: u64 = 1 << 6;
pub const RELAXED_SIMD: u64 = 1 << 7;
pub const THREADS: u64 = 1 << 8;
pub const SHARED_EVERYTHING_THREADS: u64 = 1 << 9;
pub const TAIL_CALL: u64 = 1 << 10;
pub const FLOATS: u64 = 1 << 11;
pub const MULTI_MEMORY: u64 = 1 << 12;
pub const EXCEPTIONS: u64 = 1 << 13;
pub const MEMORY64: u64 = 1 << 14;
pub const EXTENDED_CONST: u64 = 1 << 15;
pub const COMPONENT_MODEL: u64 = 1 << 16;
pub const FUNCTION_REFERENCES: u64 = 1 << 17;
pub const MEMORY_CONTROL: u64 = 1 << 18;
pub const GC: u64 = 1 << 19;
pub const CUSTOM_PAGE_SIZES: u64 = 1 << 20;
pub const CM_VALUES: u64 = 1 << 21;
pub const CM_NESTED_NAMES: u64 = 1 << 22;
pub const LEGACY_EXCEPTIONS: u64 = 1 << 23;
pub const GC_TYPES: u64 = 1 << 24;
pub const STACK_SWITCHING: u64 = 1 << 25;
pub const WIDE_ARITHMETIC: u64 = 1 << 26;
pub const CM_ASYNC: u64 = 1 << 27;
pub const CM_ASYNC_STACKFUL: u64 = 1 << 28;
pub const CM_MORE_ASYNC_BUILTINS: u64 = 1 << 29;
pub const CM_THREADING: u64 = 1 << 30;
pub const CM_ERROR_CONTEXT: u64 = 1 << 31;
pub const CM_FIXED_LENGTH_LISTS: u64 = 1 << 32;
pub const CM_GC: u64 = 1 << 33;
pub const CALL_INDIRECT_OVERLONG: u64 = 1 << 34;
pub const BULK_MEMORY_OPT: u64 = 1 << 35;
pub const CUSTOM_DESCRIPTORS: u64 = 1 << 36;
pub const COMPACT_IMPORTS: u64 = 1 << 37;
pub const CM_MAP: u64 = 1 << 38;
pub const CM64: u64 = 1 << 39;
pub const CM_IMPLEMENTS: u64 = 1 << 40;
pub const CM_CANON_NAMES: u64 = 1 << 41;
pub const CM_FORWARD: u64 = 1 << 42;
pub const CM_ACCESSORS: u64 = 1 << 43;

/// Every named flag in wasmparser's declaration order (the order
/// Wasmtime reports the first missing one in).
pub const ALL: [(&str, u64); 44] = [
    ("mutable_global", MUTABLE_GLOBAL),
    ("saturating_float_to_int", SATURATING_FLOAT_TO_INT),
    ("sign_extension", SIGN_EXTENSION),
    ("reference_types", REFERENCE_TYPES),
    ("multi_value", MULTI_VALUE),
    ("bulk_memory", BULK_MEMORY),
    ("simd", SIMD),
    ("relaxed_simd", RELAXED_SIMD),
    ("threads", THREADS),
    ("shared_everything_threads", SHARED_EVERYTHING_THREADS),
    ("tail_call", TAIL_CALL),
    ("floats", FLOATS),
    ("multi_memory", MULTI_MEMORY),
    ("exceptions", EXCEPTIONS),
    ("memory64", MEMORY64),
    ("extended_const", EXTENDED_CONST),
    ("component_model", COMPONENT_MODEL),
    ("function_references", FUNCTION_REFERENCES),
    ("memory_control", MEMORY_CONTROL),
    ("gc", GC),
    ("custom_page_sizes", CUSTOM_PAGE_SIZES),
    ("legacy_exceptions", LEGACY_EXCEPTIONS),
    ("gc_types", GC_TYPES),
    ("stack_switching", STACK_SWITCHING),
    ("wide_arithmetic", WIDE_ARITHMETIC),
    ("cm_values", CM_VALUES),
    ("cm_nested_names", CM_NESTED_NAMES),
    ("cm_async", CM_ASYNC),
    ("cm_async_stackful", CM_ASYNC_STACKFUL),
    ("cm_more_async_builtins", CM_MORE_ASYNC_BUILTINS),
    ("cm_threading", CM_THREADING),
    ("cm_error_context", CM_ERROR_CONTEXT),
    ("cm_fixed_length_lists", CM_FIXED_LENGTH_LISTS),
    ("cm_gc", CM_GC),
    ("call_indirect_overlong", CALL_INDIRECT_OVERLONG),
    ("bulk_memory_opt", BULK_MEMORY_OPT),
    ("custom_descriptors", CUSTOM_DESCRIPTORS),
    ("compact_imports", COMPACT_IMPORTS),
    ("cm_map", CM_MAP),
    ("cm64", CM64),
    ("cm_implements", CM_IMPLEMENTS),
    ("cm_canon_names", CM_CANON_NAMES),
    ("cm_forward", CM_FORWARD),
    ("cm_accessors", CM_ACCESSORS),
];

/// Every defined bit (`from_bits_truncate` keeps these).
pub const KNOWN: u64 = {
    let mut bits = 0;
    let mut i = 0;
    while i < ALL.len() {
        bits |= ALL[i].1;
        i += 1;
    }
    bits
};

pub const MVP: u64 = FLOATS | GC_TYPES;
pub const WASM1: u64 = MVP | MUTABLE_GLOBAL;
pub const WASM2: u64 = WASM1
    | BULK_MEMORY
    | REFERENCE_TYPES
    | SIGN_EXTENSION
    | SATURATING_FLOAT_TO_INT
    | MULTI_VALUE
    | SIMD;
/// Wasmtime's base set of default features.
pub const WASM3: u64 = WASM2
    | GC
    | TAIL_CALL
    | EXTENDED_CONST
    | FUNCTION_REFERENCES
    | MULTI_MEMORY
    | RELAXED_SIMD
    | THREADS
    | EXCEPTIONS
    | MEMORY64;

/// The names of the flags in `bits`, as bitflags' `iter_names` yields
/// them: a flag whose bits are all set and not yet covered.
pub fn names(bits: u64) -> Vec<&'static str> {
    let mut remaining = bits;
    let mut out = Vec::new();
    for (name, flag) in ALL {
        if remaining == 0 {
            break;
        }
        if bits & flag == flag && remaining & flag != 0 {
            remaining &= !flag;
            out.push(name);
        }
    }
    out
}

/// The names of the WebAssembly feature bits set in `bits` (wasmparser's
/// bits up to 0.261, Wasmtime 50's), as Wasmtime names them in messages.
///
/// ```
/// assert_eq!(wasmtime_dyn::cwasm::feature_names(1 << 8 | 1 << 6), ["simd", "threads"]);
/// ```
pub fn feature_names(bits: u64) -> Vec<&'static str> {
    names(bits & KNOWN)
}
