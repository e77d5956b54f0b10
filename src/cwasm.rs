//! Precompiled artifacts (`.cwasm`): what their engine section says, and
//! whether an engine will take one, before deserializing it.
//!
//! A `.cwasm` is an ELF64 file whose `.wasmtime.engine` section records how
//! the compiling engine was set up: the Wasmtime version, the target, the
//! Cranelift settings, the [`Tunables`] and the WebAssembly features.
//! [`Module::deserialize`](crate::Module::deserialize) refuses an artifact
//! whose record does not fit the engine; [`inspect`] reads the record and
//! [`preflight`] runs the same checks beforehand, without handing the bytes
//! to the library:
//!
//! ```no_run
//! use wasmtime_dyn::{cwasm, Engine, Module, Wasmtime};
//! # let (min, bytes): (&'static Wasmtime, Vec<u8>) = unimplemented!();
//! let engine = Engine::default_for(min)?;
//! match cwasm::preflight(&engine, &bytes) {
//!     // SAFETY: the artifact comes from a trusted compiler.
//!     Ok(_) => drop(unsafe { Module::deserialize(&engine, &bytes) }?),
//!     Err(why) => eprintln!("recompile it: {why}"),
//! }
//! # Ok::<(), wasmtime_dyn::Error>(())
//! ```
//!
//! The checks mirror Wasmtime 48's `check_compatible`
//! (`wasmtime/src/engine/serialization.rs`) and its host checks
//! (`check_compatible_with_shared_flag`, `check_compatible_with_isa_flag`).
//! The engine's side is worked out from its settings, its library's
//! capabilities and Wasmtime 48's defaults ([`engine_profile`]); what cannot
//! be known that way is approximated, as said where it happens:
//!
//! - the GC collector: the C API neither sets nor reports it. It is learned
//!   from the library when it has a compiler (an empty module compiled once
//!   per library); without one, an artifact that needs a collector is taken
//!   to fit any engine with GC;
//! - `parse_wasm_debuginfo` follows `WASMTIME_BACKTRACE_DETAILS`, which
//!   Wasmtime reads when the engine's configuration is made; the engine
//!   records it then too;
//! - the target triple is parsed like `target-lexicon` 0.13 does, with its
//!   vendor, system, environment and format names but only common
//!   architecture names (which only matter when an unusual custom vendor
//!   is one), then compared by architecture and operating system;
//! - ISA flags are CPU features detected as Wasmtime does on x86-64 and
//!   AArch64 (AVX-VNNI and the AVX-512 extensions through CPUID, as
//!   `std_detect` does, since older Rust versions lack their names); on
//!   other hosts they are assumed present;
//! - [`Strategy::Auto`] is taken to mean Cranelift.
//!
//! Wasmtime stops at the first problem; [`preflight`] lists them all, in
//! Wasmtime's order, so its first reason is Wasmtime's message. Problems
//! past the engine section (damaged code or metadata) only show when
//! deserializing; [`inspect`] only checks that every section lies in the
//! file.

use crate::capability::Capability;
use crate::config::Strategy;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::loader::Wasmtime;
use std::fmt;
use std::sync::Mutex;

/// The name of the ELF section holding the engine record.
///
/// The `EF_WASMTIME_*` constants are the bits of [`CwasmInfo::e_flags`]:
///
/// ```no_run
/// use wasmtime_dyn::cwasm;
/// # let bytes: Vec<u8> = unimplemented!();
/// let info = cwasm::inspect(&bytes)?;
/// let pulley = info.e_flags & (cwasm::EF_WASMTIME_PULLEY32 | cwasm::EF_WASMTIME_PULLEY64) != 0;
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
pub const ENGINE_SECTION: &str = ".wasmtime.engine";

/// The ELF `os_abi` byte Wasmtime writes into its artifacts.
pub const ELFOSABI_WASMTIME: u8 = 200;

/// `e_flags` bit of a compiled core module.
pub const EF_WASMTIME_MODULE: u32 = 1;

/// `e_flags` bit of a compiled component.
pub const EF_WASMTIME_COMPONENT: u32 = 1 << 1;

/// `e_flags` bit of code compiled for Pulley (32-bit).
pub const EF_WASMTIME_PULLEY32: u32 = 1 << 2;

/// `e_flags` bit of code compiled for Pulley (64-bit).
pub const EF_WASMTIME_PULLEY64: u32 = 1 << 3;

/// The format byte that starts the engine section.
const SECTION_FORMAT: u8 = 0;

/// What an artifact holds.
///
/// ```
/// assert_eq!(wasmtime_dyn::cwasm::ArtifactKind::Component.to_string(), "component");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArtifactKind {
    /// A core WebAssembly module ([`Module::deserialize`](crate::Module::deserialize)).
    Module,
    /// A component.
    Component,
}

impl fmt::Display for ArtifactKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ArtifactKind::Module => "module",
            ArtifactKind::Component => "component",
        })
    }
}

/// The value of a Cranelift setting recorded in an artifact.
///
/// ```
/// use wasmtime_dyn::cwasm::FlagValue;
/// assert_eq!(FlagValue::Enum("inline".into()).to_string(), "inline");
/// assert_eq!(FlagValue::Bool(true).to_string(), "true");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum FlagValue {
    /// An enumerated setting, by name (`"inline"`, `"isa_default"`...).
    Enum(String),
    /// A number.
    Num(u8),
    /// On or off.
    Bool(bool),
}

impl fmt::Display for FlagValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FlagValue::Enum(v) => f.write_str(v),
            FlagValue::Num(v) => v.fmt(f),
            FlagValue::Bool(v) => v.fmt(f),
        }
    }
}

/// A garbage collector, named as Wasmtime's messages name it.
///
/// ```
/// use wasmtime_dyn::cwasm::Collector;
/// assert_eq!(Collector::DeferredReferenceCounting.to_string(), "deferred reference-counting");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Collector {
    /// The deferred reference-counting collector.
    DeferredReferenceCounting,
    /// The null collector.
    Null,
    /// The copying collector.
    Copying,
}

impl fmt::Display for Collector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Collector::DeferredReferenceCounting => "deferred reference-counting",
            Collector::Null => "null",
            Collector::Copying => "copying",
        })
    }
}

/// Wasmtime's function inlining modes, displayed as Wasmtime's messages
/// describe them.
///
/// ```
/// use wasmtime_dyn::cwasm::Inlining;
/// assert_eq!(Inlining::No.to_string(), "without intra-module inlining");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Inlining {
    /// Inlining within and across modules.
    Yes,
    /// Across modules, and within a module only when it uses GC.
    InterModuleAndIntraGc,
    /// Across modules only.
    InterModule,
    /// Wasmtime's intrinsics only.
    Intrinsics,
    /// No inlining (the default).
    No,
}

impl fmt::Display for Inlining {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Inlining::Yes => "with intra-module inlining",
            Inlining::InterModuleAndIntraGc => "with intra-module inlining only when using GC",
            Inlining::InterModule => "with inter-module inlining",
            Inlining::Intrinsics => "with intrinsic inlining",
            Inlining::No => "without intra-module inlining",
        })
    }
}

/// The fuel cost of WebAssembly operators.
///
/// ```no_run
/// use wasmtime_dyn::cwasm::{self, OperatorCost};
/// # let bytes: Vec<u8> = unimplemented!();
/// let info = cwasm::inspect(&bytes)?;
/// if let OperatorCost::Table(costs) = &info.tunables.operator_cost {
///     assert_eq!(costs.len(), cwasm::OPERATOR_COUNT + 16);
/// }
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum OperatorCost {
    /// A table: one byte per operator of wasmparser 0.254's
    /// `for_each_operator!` ([`OPERATOR_COUNT`] of them, in its order), then
    /// the 16 per-byte/per-element costs of `VariableOperatorCost`.
    Table(Vec<u8>),
    /// Wasmtime's default costs (the only one the C API can configure).
    Default,
}

/// How many operators wasmparser 0.254 (Wasmtime 48's) defines, and so how
/// many bytes an [`OperatorCost::Table`] starts with (counted with
/// `wasmparser::for_each_operator!`).
///
/// ```
/// assert_eq!(wasmtime_dyn::cwasm::OPERATOR_COUNT, 627);
/// ```
pub const OPERATOR_COUNT: usize = 627;

/// The per-byte/per-element costs that end an [`OperatorCost::Table`].
const VARIABLE_COST_COUNT: usize = 16;

/// Wasmtime 48's `Tunables`: code generation settings recorded in an
/// artifact, field for field, named as in Wasmtime. [`preflight`] compares
/// the ones Wasmtime compares; the others (`memory_reservation_for_growth`,
/// `generate_address_map`, `debug_adapter_modules`, `gc_zeal_alloc_counter`,
/// `gc_heap_reservation_for_growth`, `metadata_for_*`, `branch_hinting`)
/// do not decide whether an engine takes the artifact.
///
/// ```no_run
/// # let bytes: Vec<u8> = unimplemented!();
/// let t = wasmtime_dyn::cwasm::inspect(&bytes)?.tunables;
/// println!("fuel {}, epochs {}, guard {} bytes", t.consume_fuel, t.epoch_interruption,
///     t.memory_guard_size);
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Tunables {
    /// The collector GC code was compiled for; `None` without GC types.
    pub collector: Option<Collector>,
    /// Bytes of virtual memory reserved per linear memory
    /// ([`Config::memory_reservation`](crate::Config::memory_reservation)).
    pub memory_reservation: u64,
    /// Bytes of guard region after each linear memory.
    pub memory_guard_size: u64,
    /// Bytes reserved for growth when a memory moves (not compared).
    pub memory_reservation_for_growth: u64,
    /// Native DWARF debug information (`Config::debug_info`).
    pub debug_native: bool,
    /// Guest debugging instrumentation.
    pub debug_guest: bool,
    /// Symbols in the artifact.
    pub debug_symbols: bool,
    /// Wasm DWARF kept for backtrace details (`WASMTIME_BACKTRACE_DETAILS`).
    pub parse_wasm_debuginfo: bool,
    /// Fuel metering.
    pub consume_fuel: bool,
    /// The fuel cost of each operator (compared only with fuel on).
    pub operator_cost: OperatorCost,
    /// Epoch-based interruption.
    pub epoch_interruption: bool,
    /// Whether linear memories may move when they grow.
    pub memory_may_move: bool,
    /// A guard region before each linear memory as well.
    pub guard_before_linear_memory: bool,
    /// Tables initialized lazily.
    pub table_lazy_init: bool,
    /// A native-to-wasm address map (not compared).
    pub generate_address_map: bool,
    /// Debug assertions in component adapters (not compared).
    pub debug_adapter_modules: bool,
    /// Deterministic relaxed SIMD.
    pub relaxed_simd_deterministic: bool,
    /// Compiled with Winch's calling convention.
    pub winch_callable: bool,
    /// Traps caught by signal handlers rather than explicit checks.
    pub signals_based_traps: bool,
    /// Linear memories initialized copy-on-write.
    pub memory_init_cow: bool,
    /// The function inlining mode.
    pub inlining: Inlining,
    /// Inlining: the size of callees always inlined.
    pub inlining_small_callee_size: u32,
    /// Inlining: the caller-plus-callee size past which calls are not inlined.
    pub inlining_sum_size_threshold: u32,
    /// Component-model concurrency support.
    pub concurrency_support: bool,
    /// Record-and-replay recording.
    pub recording: bool,
    /// A GC debugging counter (not compared).
    pub gc_zeal_alloc_counter: Option<u32>,
    /// Bytes of virtual memory reserved per GC heap.
    pub gc_heap_reservation: u64,
    /// Bytes of guard region after each GC heap.
    pub gc_heap_guard_size: u64,
    /// Bytes reserved for growth when a GC heap moves (not compared).
    pub gc_heap_reservation_for_growth: u64,
    /// The initial size of GC heaps.
    pub gc_heap_initial_size: u64,
    /// Whether GC heaps may move when they grow.
    pub gc_heap_may_move: bool,
    /// Metadata for internal assertion messages (not compared).
    pub metadata_for_internal_asserts: bool,
    /// Metadata for GC heap corruption messages (not compared).
    pub metadata_for_gc_heap_corruption: bool,
    /// Branch hints used for code layout (not compared).
    pub branch_hinting: bool,
}

/// What a `.cwasm`'s header and engine section say, from [`inspect`].
///
/// ```no_run
/// # let bytes: Vec<u8> = unimplemented!();
/// let info = wasmtime_dyn::cwasm::inspect(&bytes)?;
/// println!("a {} for {} by Wasmtime {}", info.kind, info.target, info.version);
/// println!("needs {}", info.features.join(", "));
/// println!("fuel: {}", info.tunables.consume_fuel);
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CwasmInfo {
    /// Module or component (from the ELF `e_flags`).
    pub kind: ArtifactKind,
    /// The raw ELF `e_flags` (see the `EF_WASMTIME_*` constants).
    pub e_flags: u32,
    /// The version string of the compiling Wasmtime: only the major version
    /// (`"48"`) since Wasmtime 38.0.1.
    pub version: String,
    /// The target triple the code was compiled for, such as
    /// `x86_64-unknown-linux-gnu`.
    pub target: String,
    /// Cranelift's shared settings, in the recorded order.
    pub shared_flags: Vec<(String, FlagValue)>,
    /// Cranelift's ISA-specific settings (mostly CPU features such as
    /// `has_avx`), in the recorded order.
    pub isa_flags: Vec<(String, FlagValue)>,
    /// The code generation settings.
    pub tunables: Tunables,
    /// The WebAssembly features the compiling engine had enabled (wasmparser
    /// `WasmFeatures` bits); every one must be enabled in a loading engine.
    pub feature_bits: u64,
    /// The names of [`feature_bits`](CwasmInfo::feature_bits), as Wasmtime
    /// prints them (`"threads"`, `"gc_types"`...).
    pub features: Vec<&'static str>,
}

impl CwasmInfo {
    /// A shared Cranelift setting, by name.
    ///
    /// ```no_run
    /// # let info: wasmtime_dyn::cwasm::CwasmInfo = unimplemented!();
    /// use wasmtime_dyn::cwasm::FlagValue;
    /// assert_eq!(info.shared_flag("preserve_frame_pointers"), Some(&FlagValue::Bool(true)));
    /// ```
    pub fn shared_flag(&self, name: &str) -> Option<&FlagValue> {
        find_flag(&self.shared_flags, name)
    }

    /// An ISA-specific Cranelift setting, by name.
    ///
    /// ```no_run
    /// # let info: wasmtime_dyn::cwasm::CwasmInfo = unimplemented!();
    /// let avx = info.isa_flag("has_avx");
    /// ```
    pub fn isa_flag(&self, name: &str) -> Option<&FlagValue> {
        find_flag(&self.isa_flags, name)
    }

    /// Whether the artifact needs the WebAssembly feature `name` (as in
    /// [`features`](CwasmInfo::features)).
    ///
    /// ```no_run
    /// # let info: wasmtime_dyn::cwasm::CwasmInfo = unimplemented!();
    /// if info.has_feature("threads") { /* needs a library with threads */ }
    /// ```
    pub fn has_feature(&self, name: &str) -> bool {
        self.features.contains(&name)
    }
}

fn find_flag<'a>(flags: &'a [(String, FlagValue)], name: &str) -> Option<&'a FlagValue> {
    flags.iter().find(|(n, _)| n == name).map(|(_, v)| v)
}

/// The WebAssembly feature bits of wasmparser 0.254 (Wasmtime 48's), in
/// declaration order, named as Wasmtime names them in messages.
mod features {
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

    /// Every named flag in wasmparser's declaration order (the order
    /// Wasmtime reports the first missing one in).
    pub const ALL: [(&str, u64); 42] = [
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

    /// The features Wasmtime 48 knows (`compiler_panicking_wasm_features`).
    pub const KNOWN_TO_WASMTIME: u64 = WASM3
        | SHARED_EVERYTHING_THREADS
        | COMPONENT_MODEL
        | CUSTOM_PAGE_SIZES
        | STACK_SWITCHING
        | WIDE_ARITHMETIC
        | CM_ASYNC
        | CM_ASYNC_STACKFUL
        | CM_MORE_ASYNC_BUILTINS
        | CM_THREADING
        | CM_ERROR_CONTEXT
        | CM_GC
        | CM_MAP
        | CM64
        | CM_FIXED_LENGTH_LISTS
        | CM_IMPLEMENTS;

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
}

/// The names of wasmparser 0.254's WebAssembly feature bits set in `bits`,
/// as Wasmtime names them in messages.
///
/// ```
/// assert_eq!(wasmtime_dyn::cwasm::feature_names(1 << 8 | 1 << 6), ["simd", "threads"]);
/// ```
pub fn feature_names(bits: u64) -> Vec<&'static str> {
    features::names(bits & features::KNOWN)
}

// ---------------------------------------------------------------- ELF

fn invalid(message: impl fmt::Display) -> Error {
    Error::Invalid(format!("not a valid .cwasm: {message}"))
}

/// Little- or big-endian reads at checked offsets of the whole file.
struct Elf<'a> {
    data: &'a [u8],
    big: bool,
}

impl<'a> Elf<'a> {
    fn bytes(&self, offset: u64, len: u64, what: &str) -> Result<&'a [u8]> {
        let end = offset.checked_add(len);
        match end {
            Some(end) if end <= self.data.len() as u64 => {
                Ok(&self.data[offset as usize..end as usize])
            }
            _ => Err(invalid(format_args!(
                "{what} (bytes {offset}..{}) lies outside the {}-byte file",
                offset as u128 + len as u128,
                self.data.len()
            ))),
        }
    }

    fn array<const N: usize>(&self, offset: u64, what: &str) -> Result<[u8; N]> {
        let bytes = self.bytes(offset, N as u64, what)?;
        let mut out = [0; N];
        out.copy_from_slice(bytes);
        Ok(out)
    }

    fn u16(&self, offset: u64, what: &str) -> Result<u16> {
        let b = self.array(offset, what)?;
        Ok(if self.big {
            u16::from_be_bytes(b)
        } else {
            u16::from_le_bytes(b)
        })
    }

    fn u32(&self, offset: u64, what: &str) -> Result<u32> {
        let b = self.array(offset, what)?;
        Ok(if self.big {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    }

    fn u64(&self, offset: u64, what: &str) -> Result<u64> {
        let b = self.array(offset, what)?;
        Ok(if self.big {
            u64::from_be_bytes(b)
        } else {
            u64::from_le_bytes(b)
        })
    }
}

const EHDR_SIZE: usize = 64;
const SHDR_SIZE: u64 = 64;
const SHN_XINDEX: u16 = 0xffff;
const SHT_NOBITS: u32 = 8;

/// One section header's fields that matter here.
struct SectionHeader {
    name: u32,
    kind: u32,
    offset: u64,
    size: u64,
    link: u32,
}

impl<'a> Elf<'a> {
    fn section_header(&self, table: u64, index: u64) -> Result<SectionHeader> {
        let at = index
            .checked_mul(SHDR_SIZE)
            .and_then(|offset| offset.checked_add(table))
            .unwrap_or(u64::MAX);
        let what = "a section header";
        let header = Elf {
            data: self.bytes(at, SHDR_SIZE, what)?,
            big: self.big,
        };
        Ok(SectionHeader {
            name: header.u32(0, what)?,
            kind: header.u32(4, what)?,
            offset: header.u64(24, what)?,
            size: header.u64(32, what)?,
            link: header.u32(40, what)?,
        })
    }

    /// A section's bytes; none for `SHT_NOBITS`.
    fn section_data(&self, section: &SectionHeader, what: &str) -> Result<&'a [u8]> {
        if section.kind == SHT_NOBITS {
            Ok(&[])
        } else {
            self.bytes(section.offset, section.size, what)
        }
    }
}

/// Parses the ELF header and returns the kind, `e_flags` and the engine
/// section's bytes, with the checks Wasmtime's `check_compatible` makes
/// (through the `object` crate) plus the Wasmtime `os_abi`.
fn engine_section(bytes: &[u8]) -> Result<(ArtifactKind, u32, &[u8])> {
    if bytes.len() < EHDR_SIZE {
        return Err(invalid(format_args!(
            "{} bytes is too short for an ELF header",
            bytes.len()
        )));
    }
    if &bytes[..4] != b"\x7fELF" {
        return Err(invalid("not an ELF file (no \\x7fELF magic)"));
    }
    if bytes[4] != 2 {
        return Err(invalid(format_args!(
            "not a 64-bit ELF file (class {})",
            bytes[4]
        )));
    }
    let big = match bytes[5] {
        1 => false,
        2 => true,
        other => return Err(invalid(format_args!("unknown ELF byte order {other}"))),
    };
    if bytes[6] != 1 {
        return Err(invalid(format_args!(
            "unsupported ELF version {}",
            bytes[6]
        )));
    }
    let elf = Elf { data: bytes, big };
    let e_flags = elf.u32(48, "e_flags")?;
    let kind = if e_flags & EF_WASMTIME_MODULE != 0 {
        ArtifactKind::Module
    } else if e_flags & EF_WASMTIME_COMPONENT != 0 {
        ArtifactKind::Component
    } else {
        return Err(invalid(format_args!(
            "not a Wasmtime artifact: e_flags {e_flags:#x} has neither the module nor the component bit"
        )));
    };

    // Section headers, as `object` finds them (extended numbering included).
    let shoff = elf.u64(40, "e_shoff")?;
    let shentsize = elf.u16(58, "e_shentsize")?;
    let e_shnum = elf.u16(60, "e_shnum")?;
    let e_shstrndx = elf.u16(62, "e_shstrndx")?;
    let missing = || {
        invalid(format_args!(
            "no `{ENGINE_SECTION}` section (the file has no section headers)"
        ))
    };
    if shoff == 0 {
        return Err(missing());
    }
    if u64::from(shentsize) != SHDR_SIZE {
        return Err(invalid(format_args!(
            "section header entries are {shentsize} bytes, not {SHDR_SIZE}"
        )));
    }
    let section_0 = elf.section_header(shoff, 0)?;
    let shnum = if e_shnum > 0 {
        u64::from(e_shnum)
    } else {
        section_0.size
    };
    if shnum == 0 {
        return Err(missing());
    }
    let table_len = shnum.saturating_mul(SHDR_SIZE);
    elf.bytes(shoff, table_len, "the section header table")?;
    let shstrndx = if e_shstrndx != SHN_XINDEX {
        u64::from(e_shstrndx)
    } else {
        u64::from(section_0.link)
    };
    if shstrndx == 0 {
        return Err(invalid("no section name table (e_shstrndx is 0)"));
    }
    if shstrndx >= shnum {
        return Err(invalid(format_args!(
            "the section name table index {shstrndx} is past the {shnum} sections"
        )));
    }
    let strtab = elf.section_header(shoff, shstrndx)?;
    let strings = elf.section_data(&strtab, "the section name table")?;

    // Wasmtime keeps the last section of that name. Every section must lie
    // in the file (loading the code checks the others later).
    let mut found = None;
    for index in 0..shnum {
        let section = elf.section_header(shoff, index)?;
        let name = section_name(strings, section.name)?;
        elf.section_data(&section, "a section").map_err(|_| {
            invalid(format_args!(
                "section {index} (`{}`, bytes {}..{}) lies outside the {}-byte file: truncated?",
                String::from_utf8_lossy(name),
                section.offset,
                u128::from(section.offset) + u128::from(section.size),
                bytes.len()
            ))
        })?;
        if name == ENGINE_SECTION.as_bytes() {
            found = Some(section);
        }
    }
    let section = found.ok_or_else(|| invalid(format_args!("no `{ENGINE_SECTION}` section")))?;
    let data = elf.section_data(&section, "the engine section")?;
    Ok((kind, e_flags, data))
}

fn section_name(strings: &[u8], offset: u32) -> Result<&[u8]> {
    let rest = strings.get(offset as usize..).ok_or_else(|| {
        invalid(format_args!(
            "a section name at offset {offset} lies outside the name table"
        ))
    })?;
    let end = rest
        .iter()
        .position(|&b| b == 0)
        .ok_or_else(|| invalid("a section name is not NUL-terminated"))?;
    Ok(&rest[..end])
}

// ---------------------------------------------------------------- postcard

/// A reader of postcard's encoding, naming the field it was reading when the
/// data runs out or is malformed.
struct Postcard<'a> {
    data: &'a [u8],
    pos: usize,
}

fn bad_metadata(field: &str, problem: impl fmt::Display) -> Error {
    invalid(format_args!(
        "the engine section's metadata is malformed at `{field}`: {problem}"
    ))
}

impl<'a> Postcard<'a> {
    fn byte(&mut self, field: &str) -> Result<u8> {
        let b = *self
            .data
            .get(self.pos)
            .ok_or_else(|| bad_metadata(field, "the section ends"))?;
        self.pos += 1;
        Ok(b)
    }

    /// A LEB128 varint of at most `bits` bits, rejected as postcard rejects
    /// them: too long, or overflowing in the last byte.
    fn varint(&mut self, bits: u32, field: &str) -> Result<u64> {
        let max_bytes = bits.div_ceil(7);
        let last_max = (1u16 << (bits % 7)) - 1;
        let mut out = 0u64;
        for i in 0..max_bytes {
            let b = self.byte(field)?;
            out |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                if i == max_bytes - 1 && u16::from(b) > last_max {
                    return Err(bad_metadata(field, "a varint overflows"));
                }
                return Ok(out);
            }
        }
        Err(bad_metadata(field, "a varint is too long"))
    }

    fn u64(&mut self, field: &str) -> Result<u64> {
        self.varint(64, field)
    }

    fn u32(&mut self, field: &str) -> Result<u32> {
        Ok(self.varint(32, field)? as u32)
    }

    fn usize(&mut self, field: &str) -> Result<u64> {
        self.varint(usize::BITS, field)
    }

    fn bool(&mut self, field: &str) -> Result<bool> {
        match self.byte(field)? {
            0 => Ok(false),
            1 => Ok(true),
            other => Err(bad_metadata(field, format_args!("{other} is not a bool"))),
        }
    }

    /// An `Option`'s tag.
    fn some(&mut self, field: &str) -> Result<bool> {
        match self.byte(field)? {
            0 => Ok(false),
            1 => Ok(true),
            other => Err(bad_metadata(
                field,
                format_args!("{other} is not an Option tag"),
            )),
        }
    }

    fn variant(&mut self, field: &str, count: u32) -> Result<u32> {
        let index = self.u32(field)?;
        if index >= count {
            return Err(bad_metadata(
                field,
                format_args!("unknown variant {index} (of {count})"),
            ));
        }
        Ok(index)
    }

    fn take(&mut self, len: u64, field: &str) -> Result<&'a [u8]> {
        let left = (self.data.len() - self.pos) as u64;
        if len > left {
            return Err(bad_metadata(
                field,
                format_args!("{len} bytes announced, {left} left"),
            ));
        }
        let out = &self.data[self.pos..self.pos + len as usize];
        self.pos += len as usize;
        Ok(out)
    }

    fn str(&mut self, field: &str) -> Result<&'a str> {
        let len = self.usize(field)?;
        let bytes = self.take(len, field)?;
        std::str::from_utf8(bytes).map_err(|e| bad_metadata(field, e))
    }

    /// `Vec<(&str, FlagValue)>`.
    fn flags(&mut self, field: &str) -> Result<Vec<(String, FlagValue)>> {
        let count = self.usize(field)?;
        let mut out = Vec::new();
        for _ in 0..count {
            let name = self.str(field)?.to_string();
            let value = match self.variant(field, 3)? {
                0 => FlagValue::Enum(self.str(field)?.to_string()),
                1 => FlagValue::Num(self.byte(field)?),
                _ => FlagValue::Bool(self.bool(field)?),
            };
            out.push((name, value));
        }
        Ok(out)
    }

    fn tunables(&mut self) -> Result<Tunables> {
        macro_rules! f {
            ($name:literal) => {
                concat!("tunables.", $name)
            };
        }
        let collector = if self.some(f!("collector"))? {
            Some(match self.variant(f!("collector"), 3)? {
                0 => Collector::DeferredReferenceCounting,
                1 => Collector::Null,
                _ => Collector::Copying,
            })
        } else {
            None
        };
        Ok(Tunables {
            collector,
            memory_reservation: self.u64(f!("memory_reservation"))?,
            memory_guard_size: self.u64(f!("memory_guard_size"))?,
            memory_reservation_for_growth: self.u64(f!("memory_reservation_for_growth"))?,
            debug_native: self.bool(f!("debug_native"))?,
            debug_guest: self.bool(f!("debug_guest"))?,
            debug_symbols: self.bool(f!("debug_symbols"))?,
            parse_wasm_debuginfo: self.bool(f!("parse_wasm_debuginfo"))?,
            consume_fuel: self.bool(f!("consume_fuel"))?,
            operator_cost: match self.variant(f!("operator_cost"), 2)? {
                0 => OperatorCost::Table(
                    self.take(
                        (OPERATOR_COUNT + VARIABLE_COST_COUNT) as u64,
                        f!("operator_cost"),
                    )?
                    .to_vec(),
                ),
                _ => OperatorCost::Default,
            },
            epoch_interruption: self.bool(f!("epoch_interruption"))?,
            memory_may_move: self.bool(f!("memory_may_move"))?,
            guard_before_linear_memory: self.bool(f!("guard_before_linear_memory"))?,
            table_lazy_init: self.bool(f!("table_lazy_init"))?,
            generate_address_map: self.bool(f!("generate_address_map"))?,
            debug_adapter_modules: self.bool(f!("debug_adapter_modules"))?,
            relaxed_simd_deterministic: self.bool(f!("relaxed_simd_deterministic"))?,
            winch_callable: self.bool(f!("winch_callable"))?,
            signals_based_traps: self.bool(f!("signals_based_traps"))?,
            memory_init_cow: self.bool(f!("memory_init_cow"))?,
            inlining: match self.variant(f!("inlining"), 5)? {
                0 => Inlining::Yes,
                1 => Inlining::InterModuleAndIntraGc,
                2 => Inlining::InterModule,
                3 => Inlining::Intrinsics,
                _ => Inlining::No,
            },
            inlining_small_callee_size: self.u32(f!("inlining_small_callee_size"))?,
            inlining_sum_size_threshold: self.u32(f!("inlining_sum_size_threshold"))?,
            concurrency_support: self.bool(f!("concurrency_support"))?,
            recording: self.bool(f!("recording"))?,
            gc_zeal_alloc_counter: if self.some(f!("gc_zeal_alloc_counter"))? {
                match self.u32(f!("gc_zeal_alloc_counter"))? {
                    0 => {
                        return Err(bad_metadata(
                            f!("gc_zeal_alloc_counter"),
                            "0 is not a NonZeroU32",
                        ))
                    }
                    n => Some(n),
                }
            } else {
                None
            },
            gc_heap_reservation: self.u64(f!("gc_heap_reservation"))?,
            gc_heap_guard_size: self.u64(f!("gc_heap_guard_size"))?,
            gc_heap_reservation_for_growth: self.u64(f!("gc_heap_reservation_for_growth"))?,
            gc_heap_initial_size: self.u64(f!("gc_heap_initial_size"))?,
            gc_heap_may_move: self.bool(f!("gc_heap_may_move"))?,
            metadata_for_internal_asserts: self.bool(f!("metadata_for_internal_asserts"))?,
            metadata_for_gc_heap_corruption: self.bool(f!("metadata_for_gc_heap_corruption"))?,
            branch_hinting: self.bool(f!("branch_hinting"))?,
        })
    }
}

/// The version string artifacts of this crate's Wasmtime carry.
fn expected_version() -> String {
    48.to_string()
}

/// Reads a `.cwasm`'s ELF header and engine section: kind, Wasmtime
/// version, target, Cranelift settings, [`Tunables`] and required
/// WebAssembly features. Nothing is handed to a library.
///
/// ```no_run
/// let bytes = std::fs::read("app.cwasm").unwrap();
/// let info = wasmtime_dyn::cwasm::inspect(&bytes)?;
/// assert_eq!(info.version, "48");
/// println!("{info:#?}");
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::Invalid`] naming what is wrong when the bytes are not a
/// Wasmtime artifact (not ELF64, no Wasmtime `os_abi` or `e_flags` bit,
/// headers or sections out of the file, no `.wasmtime.engine` section,
/// undecodable metadata); [`Error::IncompatibleArtifact`] when it was made
/// by another Wasmtime major version, whose metadata layout differs (the
/// message says which version).
pub fn inspect(bytes: &[u8]) -> Result<CwasmInfo> {
    let (kind, e_flags, section) = engine_section(bytes)?;
    let (&format, rest) = section
        .split_first()
        .ok_or_else(|| invalid("the engine section is empty"))?;
    if format != SECTION_FORMAT {
        return Err(invalid(format_args!(
            "mismatched version in engine section (format byte {format}, expected {SECTION_FORMAT})"
        )));
    }
    let (&len, rest) = rest
        .split_first()
        .ok_or_else(|| invalid("the engine section ends before the version"))?;
    let len = usize::from(len);
    if rest.len() < len + 1 {
        return Err(invalid("engine section too small"));
    }
    let (version, metadata) = rest.split_at(len);
    let version = std::str::from_utf8(version)
        .map_err(|e| invalid(format_args!("the version string is not UTF-8: {e}")))?;
    let expected = expected_version();
    if version != expected {
        return Err(Error::IncompatibleArtifact(format!(
            "Module was compiled with incompatible version '{version}': this crate loads \
             Wasmtime {expected} libraries, recompile it with Wasmtime {expected}"
        )));
    }
    let mut r = Postcard {
        data: metadata,
        pos: 0,
    };
    let target = r.str("target")?.to_string();
    let shared_flags = r.flags("shared_flags")?;
    let isa_flags = r.flags("isa_flags")?;
    let tunables = r.tunables()?;
    let feature_bits = r.u64("features")?;
    Ok(CwasmInfo {
        kind,
        e_flags,
        version: version.to_string(),
        target,
        shared_flags,
        isa_flags,
        tunables,
        feature_bits,
        features: feature_names(feature_bits),
    })
}

// ---------------------------------------------------------------- engine

/// What an engine expects of an artifact's engine section, worked out from
/// its settings, its library's capabilities and Wasmtime 48's defaults for
/// this host: the values Wasmtime 48 would compute in `Config::validate`
/// (and record in the artifacts the engine compiles). From
/// [`engine_profile`].
///
/// ```no_run
/// # let engine: wasmtime_dyn::Engine = unimplemented!();
/// let profile = wasmtime_dyn::cwasm::engine_profile(&engine);
/// println!("{}-{}: {}", profile.architecture, profile.operating_system,
///     profile.features().join(", "));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct EngineProfile {
    /// The host's architecture, as `target-lexicon` names it (`x86_64`).
    pub architecture: &'static str,
    /// The host's operating system, as `target-lexicon` names it (`linux`).
    pub operating_system: &'static str,
    /// The engine's tunables. `collector` is the library's collector when
    /// the engine has GC and the collector could be learned, else `None`:
    /// see [`gc`](EngineProfile::gc).
    pub tunables: Tunables,
    /// Whether the engine has GC types on, and so a collector: the
    /// library's build default, which the C API neither sets nor reports.
    /// A library with a compiler reveals it in an artifact: the first
    /// profile of such a library compiles an empty module once to read it.
    /// For others it stays unknown and any collector is taken to fit.
    pub gc: bool,
    /// The enabled WebAssembly features (wasmparser bits).
    pub feature_bits: u64,
}

impl EngineProfile {
    /// The names of the enabled WebAssembly features.
    ///
    /// ```no_run
    /// # let engine: wasmtime_dyn::Engine = unimplemented!();
    /// let profile = wasmtime_dyn::cwasm::engine_profile(&engine);
    /// println!("{}", profile.features().join(", "));
    /// ```
    pub fn features(&self) -> Vec<&'static str> {
        feature_names(self.feature_bits)
    }
}

/// The host, as `target-lexicon` names its architecture.
fn host_architecture() -> &'static str {
    if cfg!(target_arch = "x86_64") {
        "x86_64"
    } else if cfg!(target_arch = "aarch64") {
        "aarch64"
    } else if cfg!(target_arch = "s390x") {
        "s390x"
    } else if cfg!(target_arch = "riscv64") {
        "riscv64gc"
    } else if cfg!(target_arch = "x86") {
        "i686"
    } else if cfg!(target_arch = "arm") {
        "arm"
    } else {
        "unknown"
    }
}

/// The host, as `target-lexicon` names its operating system.
fn host_operating_system() -> &'static str {
    if cfg!(target_os = "linux") {
        "linux"
    } else if cfg!(target_os = "macos") {
        "darwin"
    } else if cfg!(target_os = "windows") {
        "windows"
    } else if cfg!(target_os = "android") {
        "android"
    } else if cfg!(target_os = "freebsd") {
        "freebsd"
    } else if cfg!(target_os = "netbsd") {
        "netbsd"
    } else if cfg!(target_os = "openbsd") {
        "openbsd"
    } else if cfg!(target_os = "illumos") {
        "illumos"
    } else if cfg!(target_os = "ios") {
        "ios"
    } else {
        "unknown"
    }
}

/// `target-lexicon` 0.13's names, for parsing a triple as Wasmtime does.
mod lexicon {
    #[rustfmt::skip]
    pub const VENDORS: &[&str] = &[
        "unknown", "amd", "apple", "espressif", "experimental", "fortanix", "ibm", "kmc",
        "nintendo", "nvidia", "pc", "rumprun", "sun", "uwp", "wrs",
    ];
    /// Darwin-family systems, which may carry a version (`macosx10.7`).
    pub const VERSIONED_SYSTEMS: &[&str] = &[
        "darwin", "ios", "macosx", "tvos", "visionos", "watchos", "xros",
    ];
    #[rustfmt::skip]
    pub const SYSTEMS: &[&str] = &[
        "unknown", "aix", "amdhsa", "bitrig", "cloudabi", "cuda", "cygwin", "dragonfly",
        "emscripten", "freebsd", "fuchsia", "haiku", "hermit", "horizon", "hurd", "illumos", "l4re",
        "linux", "nebulet", "netbsd", "none", "openbsd", "psp", "redox", "solaris", "solid_asp3",
        "uefi", "vxworks", "wasi", "wasip1", "wasip2", "windows", "espidf",
    ];
    #[rustfmt::skip]
    pub const ENVIRONMENTS: &[&str] = &[
        "unknown", "amdgiz", "android", "androideabi", "eabi", "eabihf", "gnu", "gnuabi64",
        "gnueabi", "gnueabihf", "gnuspe", "gnux32", "gnu_ilp32", "gnullvm", "hermitkernel",
        "hurdkernel", "linuxkernel", "macabi", "musl", "musleabi", "musleabihf", "muslabi64",
        "msvc", "newlib", "none", "kernel", "uclibc", "uclibceabi", "uclibceabihf", "sgx", "sim",
        "softfloat", "spe", "threads", "ohos",
    ];
    pub const BINARY_FORMATS: &[&str] = &["unknown", "elf", "coff", "macho", "wasm", "xcoff"];
    /// Common architecture names (not all of `target-lexicon`'s): a custom
    /// vendor may not be one.
    #[rustfmt::skip]
    pub const ARCHITECTURES: &[&str] = &[
        "x86_64", "x86_64h", "i386", "i586", "i686", "aarch64", "arm64", "arm", "armv7", "riscv64",
        "riscv64gc", "riscv32", "s390x", "wasm32", "wasm64", "pulley32", "pulley64", "pulley32be",
        "pulley64be", "powerpc", "powerpc64", "powerpc64le", "mips", "mips64",
    ];

    /// `OperatingSystem::from_str`.
    pub fn is_system(s: &str) -> bool {
        if let Some(name) = VERSIONED_SYSTEMS.iter().find(|n| s.starts_with(*n)) {
            let version = &s[name.len()..];
            if version.is_empty() {
                return true;
            }
            let parts: Vec<&str> = version.split('.').collect();
            return parts.len() <= 3 && parts.iter().all(|p| p.parse::<u16>().is_ok());
        }
        SYSTEMS.contains(&s)
    }

    /// `Vendor::from_str`, custom vendors included.
    pub fn is_vendor(s: &str) -> bool {
        if VENDORS.contains(&s) {
            return true;
        }
        s.starts_with(|c: char| c.is_ascii_lowercase())
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.')
            && !ARCHITECTURES.contains(&s)
            && !is_system(s)
            && !ENVIRONMENTS.contains(&s)
            && !BINARY_FORMATS.contains(&s)
    }

    /// The architecture and operating system of `triple`, parsed as
    /// `Triple::from_str` does: `arch[-vendor][-os][-env][-format]` with
    /// each part optional after the architecture but nothing left over.
    pub fn parse(triple: &str) -> Result<(&str, &str), String> {
        let mut parts = triple.split('-').peekable();
        let arch = parts.next().unwrap_or("");
        let mut next_if = |ok: &dyn Fn(&str) -> bool| parts.next_if(|p| ok(p));
        next_if(&is_vendor);
        let os = next_if(&is_system).unwrap_or("unknown");
        next_if(&|p| ENVIRONMENTS.contains(&p));
        next_if(&|p| BINARY_FORMATS.contains(&p));
        match parts.next() {
            Some(rest) => Err(format!(
                "the target triple '{triple}' does not parse (at '{rest}')"
            )),
            None => Ok((arch, os)),
        }
    }
}

/// What `engine` expects of artifacts (see [`EngineProfile`]).
///
/// ```no_run
/// # let engine: wasmtime_dyn::Engine = unimplemented!();
/// let profile = wasmtime_dyn::cwasm::engine_profile(&engine);
/// assert_eq!(profile.tunables.memory_guard_size, 32 << 20);
/// ```
pub fn engine_profile(engine: &Engine) -> EngineProfile {
    use features::*;
    let s = engine.settings();
    let has = |c| engine.wasmtime().has(c);
    let compiler = has(Capability::Compiler);
    let winch = compiler && s.strategy == Some(Strategy::Winch);
    let concurrency = s
        .concurrency_support
        .unwrap_or(has(Capability::ComponentModelAsync));

    // Config::features
    let mut bits = WASM3;
    let set = |bits: &mut u64, flag: u64, on: bool| {
        if on {
            *bits |= flag
        } else {
            *bits &= !flag
        }
    };
    set(&mut bits, GC_TYPES, has(Capability::Gc));
    set(&mut bits, EXCEPTIONS, has(Capability::Gc));
    set(&mut bits, THREADS, has(Capability::Threads));
    set(&mut bits, COMPONENT_MODEL, has(Capability::ComponentModel));
    set(&mut bits, CM_ASYNC, concurrency);
    // Config::compiler_panicking_wasm_features
    let mut unsupported = !KNOWN_TO_WASMTIME;
    if compiler {
        if winch {
            unsupported |= GC
                | FUNCTION_REFERENCES
                | RELAXED_SIMD
                | TAIL_CALL
                | GC_TYPES
                | EXCEPTIONS
                | LEGACY_EXCEPTIONS
                | STACK_SWITCHING;
            if cfg!(target_arch = "aarch64") {
                unsupported |= THREADS;
            }
        } else if !(cfg!(target_arch = "x86_64")
            && (cfg!(target_os = "linux") || cfg!(target_os = "macos")))
        {
            unsupported |= STACK_SWITCHING;
        }
    }
    bits &= !unsupported;
    // The explicit wasm_* settings the C API applied.
    let explicit = [
        (s.bulk_memory, BULK_MEMORY, true),
        (s.multi_value, MULTI_VALUE, true),
        (s.multi_memory, MULTI_MEMORY, true),
        (s.memory64, MEMORY64, true),
        (s.simd, SIMD, true),
        (s.relaxed_simd, RELAXED_SIMD, true),
        (s.tail_call, TAIL_CALL, true),
        (s.wide_arithmetic, WIDE_ARITHMETIC, true),
        (s.custom_page_sizes, CUSTOM_PAGE_SIZES, true),
        (s.gc_support, GC_TYPES, true),
        (s.reference_types, REFERENCE_TYPES, has(Capability::Gc)),
        (
            s.function_references,
            FUNCTION_REFERENCES,
            has(Capability::Gc),
        ),
        (s.wasm_gc, GC, has(Capability::Gc)),
        (s.exceptions, EXCEPTIONS, has(Capability::Gc)),
        (s.threads, THREADS, has(Capability::Threads)),
        (
            s.component_model,
            COMPONENT_MODEL,
            has(Capability::ComponentModel),
        ),
    ];
    for (value, flag, applied) in explicit {
        if let (Some(on), true) = (value, applied) {
            set(&mut bits, flag, on);
        }
    }

    // Tunables::default_for_target, then Config::validate.
    let (reservation, guard, growth) = if cfg!(target_pointer_width = "32") {
        (10 << 20, 0x1_0000, 1 << 20)
    } else {
        (1 << 32, 32 << 20, 2 << 30)
    };
    let memory_reservation = s.memory_reservation.unwrap_or(reservation);
    let memory_guard_size = s.memory_guard_size.unwrap_or(guard);
    let memory_reservation_for_growth = s.memory_reservation_for_growth.unwrap_or(growth);
    let memory_may_move = s.memory_may_move.unwrap_or(true);
    let gc = bits & GC_TYPES != 0;
    let tunables = Tunables {
        collector: if gc {
            library_collector(engine.wasmtime())
        } else {
            None
        },
        memory_reservation,
        memory_guard_size,
        memory_reservation_for_growth,
        debug_native: s.debug_info.unwrap_or(false),
        debug_guest: false,
        debug_symbols: true,
        // Config::wasm_backtrace_details(Environment), run by Config::new:
        // the variable as it was when the engine was made.
        parse_wasm_debuginfo: engine.backtrace_details(),
        consume_fuel: s.consume_fuel.unwrap_or(false),
        operator_cost: OperatorCost::Default,
        epoch_interruption: s.epoch_interruption.unwrap_or(false),
        memory_may_move,
        guard_before_linear_memory: true,
        table_lazy_init: true,
        generate_address_map: true,
        debug_adapter_modules: false,
        relaxed_simd_deterministic: s.relaxed_simd_deterministic.unwrap_or(false),
        winch_callable: winch,
        signals_based_traps: s.signals_based_traps.unwrap_or(true),
        memory_init_cow: s.memory_init_cow.unwrap_or(true),
        inlining: Inlining::No,
        inlining_small_callee_size: 50,
        inlining_sum_size_threshold: 2000,
        concurrency_support: concurrency,
        recording: false,
        gc_zeal_alloc_counter: None,
        // No GC heap setting in the C API: they copy the memory ones.
        gc_heap_reservation: memory_reservation,
        gc_heap_guard_size: memory_guard_size,
        gc_heap_reservation_for_growth: memory_reservation_for_growth,
        gc_heap_initial_size: 0,
        gc_heap_may_move: memory_may_move,
        metadata_for_internal_asserts: false,
        metadata_for_gc_heap_corruption: true,
        branch_hinting: false,
    };
    EngineProfile {
        architecture: host_architecture(),
        operating_system: host_operating_system(),
        tunables,
        gc,
        feature_bits: bits,
    }
}

/// The collector of a library with GC, learned from an empty module that
/// its default engine compiles, once per library; `None` when it has no
/// compiler to ask.
fn library_collector(wasmtime: &'static Wasmtime) -> Option<Collector> {
    static LEARNED: Mutex<Vec<(usize, Option<Collector>)>> = Mutex::new(Vec::new());
    let key = wasmtime as *const Wasmtime as usize;
    let mut learned = LEARNED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(&(_, collector)) = learned.iter().find(|(k, _)| *k == key) {
        return collector;
    }
    let collector = (wasmtime.has(Capability::Gc) && wasmtime.has(Capability::Compiler))
        .then(|| {
            let engine = Engine::default_for(wasmtime).ok()?;
            let artifact = engine.compiler()?.precompile(b"\0asm\x01\0\0\0").ok()?;
            inspect(&artifact).ok()?.tunables.collector
        })
        .flatten();
    learned.push((key, collector));
    collector
}

// ---------------------------------------------------------------- checks

/// `Engine::check_compatible_with_shared_flag`: flags with one required
/// value, flags that do not matter, and the rest refused as unknown.
fn check_shared_flag(name: &str, value: &FlagValue, profile: &EngineProfile) -> Option<String> {
    use FlagValue::{Bool, Enum};
    let is_enum = |want: &str| matches!(value, Enum(v) if v == want);
    let ok = match name {
        "libcall_call_conv" => is_enum("isa_default"),
        "preserve_frame_pointers" | "enable_probestack" | "enable_multi_ret_implicit_sret" => {
            *value == Bool(true)
        }
        "probestack_strategy" => is_enum("inline"),
        "enable_llvm_abi_extensions"
        | "enable_pinned_reg"
        | "use_colocated_libcalls"
        | "use_pinned_reg_as_heap_base" => *value == Bool(false),
        "unwind_info" => !cfg!(target_os = "windows") || *value == Bool(true),
        "stack_switch_model" => {
            if profile.feature_bits & features::STACK_SWITCHING == 0 {
                true
            } else if cfg!(target_os = "windows") {
                is_enum("update_windows_tib")
            } else if cfg!(any(target_os = "linux", target_os = "macos")) {
                is_enum("basic")
            } else {
                return Some("stack-switching feature not supported on this platform".into());
            }
        }
        "enable_heap_access_spectre_mitigation"
        | "enable_table_access_spectre_mitigation"
        | "enable_nan_canonicalization"
        | "enable_float"
        | "enable_verifier"
        | "regalloc_checker"
        | "regalloc_verbose_logs"
        | "regalloc_algorithm"
        | "is_pic"
        | "bb_padding_log2_minus_one"
        | "log2_min_function_alignment"
        | "enable_compact_unwind_abi"
        | "machine_code_cfg_info"
        | "tls_model"
        | "opt_level"
        | "enable_alias_analysis"
        | "probestack_size_log2"
        | "regalloc"
        | "enable_incremental_compilation_cache_checks"
        | "enable_atomics" => true,
        _ => {
            return Some(format!(
                "compilation settings of module incompatible with native host: unknown shared \
                 setting {name:?} configured to {}",
                debug_flag(value)
            ))
        }
    };
    (!ok).then(|| {
        format!(
            "compilation settings of module incompatible with native host: setting {name:?} is \
             configured to {} which is not supported",
            debug_flag(value)
        )
    })
}

/// A flag value as Wasmtime's messages print it (`Bool(false)`).
fn debug_flag(value: &FlagValue) -> String {
    match value {
        FlagValue::Enum(v) => format!("Enum({v:?})"),
        FlagValue::Num(v) => format!("Num({v})"),
        FlagValue::Bool(v) => format!("Bool({v})"),
    }
}

/// `Engine::check_compatible_with_isa_flag`: an enabled CPU feature must be
/// present on this host.
fn check_isa_flag(name: &str, value: &FlagValue) -> Option<String> {
    let context = "compilation settings of module incompatible with native host";
    match value {
        FlagValue::Bool(false) => return None,
        FlagValue::Bool(true) => {}
        FlagValue::Enum(v) if v == "pointer32" || v == "pointer64" => {
            let host = if cfg!(target_pointer_width = "32") {
                "pointer32"
            } else {
                "pointer64"
            };
            return (v != host).then(|| format!("{context}: wrong host pointer width"));
        }
        _ => {
            return Some(format!(
                "{context}: isa-specific feature {name:?} configured to unknown value {}",
                debug_flag(value)
            ))
        }
    }
    let host_feature = match name {
        "has_lse" => "lse",
        "has_pauth" => "paca",
        "has_fp16" => "fp16",
        "has_dotprod" => "dotprod",
        "has_i8mm" => "i8mm",
        "sign_return_address_all"
        | "sign_return_address"
        | "sign_return_address_with_bkey"
        | "use_bti" => return None,
        "has_vxrs_ext2" => "vxrs_ext2",
        "has_vxrs_ext3" => "vxrs_ext3",
        "has_mie3" => "mie3",
        "has_mie4" => "mie4",
        "has_cmpxchg16b" => "cmpxchg16b",
        "has_sse3" => "sse3",
        "has_ssse3" => "ssse3",
        "has_sse41" => "sse4.1",
        "has_sse42" => "sse4.2",
        "has_popcnt" => "popcnt",
        "has_avx" => "avx",
        "has_avx2" => "avx2",
        "has_fma" => "fma",
        "has_avx_vnni" => "avxvnni",
        "has_bmi1" => "bmi1",
        "has_bmi2" => "bmi2",
        "has_avx512bitalg" => "avx512bitalg",
        "has_avx512dq" => "avx512dq",
        "has_avx512f" => "avx512f",
        "has_avx512vl" => "avx512vl",
        "has_avx512vbmi" => "avx512vbmi",
        "has_avx512vnni" => "avx512vnni",
        "has_lzcnt" => "lzcnt",
        "big_endian" if cfg!(target_endian = "big") => return None,
        "big_endian" => return Some(format!("{context}: wrong host endianness")),
        _ if cfg!(target_arch = "riscv64") => return None,
        _ => {
            return Some(format!(
                "{context}: don't know how to test for target-specific flag {name:?} at runtime"
            ))
        }
    };
    match detect_host_feature(host_feature) {
        Some(true) => None,
        Some(false) => Some(format!(
            "{context}: compilation setting {name:?} is enabled, but not available on the host"
        )),
        None => Some(format!(
            "{context}: failed to detect if target-specific flag {host_feature:?} is available \
             at runtime (compile setting {name:?})"
        )),
    }
}

/// Wasmtime's `detect_host_feature`, for the architectures the standard
/// library can probe; s390x and riscv64 hosts are assumed to have the
/// feature (Wasmtime probes s390x with `stfle` and assumes riscv64).
fn detect_host_feature(feature: &str) -> Option<bool> {
    #[cfg(target_arch = "x86_64")]
    {
        return match feature {
            "cmpxchg16b" => Some(std::is_x86_feature_detected!("cmpxchg16b")),
            "sse3" => Some(std::is_x86_feature_detected!("sse3")),
            "ssse3" => Some(std::is_x86_feature_detected!("ssse3")),
            "sse4.1" => Some(std::is_x86_feature_detected!("sse4.1")),
            "sse4.2" => Some(std::is_x86_feature_detected!("sse4.2")),
            "popcnt" => Some(std::is_x86_feature_detected!("popcnt")),
            "avx" => Some(std::is_x86_feature_detected!("avx")),
            "avx2" => Some(std::is_x86_feature_detected!("avx2")),
            "fma" => Some(std::is_x86_feature_detected!("fma")),
            // Leaf 7.1 EAX bit 4, with the OS saving AVX state.
            "avxvnni" => Some(std::is_x86_feature_detected!("avx") && cpuid_leaf7(1, Reg::Eax, 4)),
            "bmi1" => Some(std::is_x86_feature_detected!("bmi1")),
            "bmi2" => Some(std::is_x86_feature_detected!("bmi2")),
            "avx512bitalg" => Some(has_avx512(Reg::Ecx, 12)),
            "avx512dq" => Some(has_avx512(Reg::Ebx, 17)),
            "avx512f" => Some(std::is_x86_feature_detected!("avx512f")),
            "avx512vl" => Some(has_avx512(Reg::Ebx, 31)),
            "avx512vbmi" => Some(has_avx512(Reg::Ecx, 1)),
            "avx512vnni" => Some(has_avx512(Reg::Ecx, 11)),
            "lzcnt" => Some(std::is_x86_feature_detected!("lzcnt")),
            _ => None,
        };
    }
    #[cfg(target_arch = "aarch64")]
    {
        return match feature {
            "lse" => Some(std::arch::is_aarch64_feature_detected!("lse")),
            "paca" => Some(std::arch::is_aarch64_feature_detected!("paca")),
            "fp16" => Some(std::arch::is_aarch64_feature_detected!("fp16")),
            "dotprod" => Some(std::arch::is_aarch64_feature_detected!("dotprod")),
            "i8mm" => Some(std::arch::is_aarch64_feature_detected!("i8mm")),
            _ => None,
        };
    }
    #[allow(unreachable_code)]
    {
        let _ = feature;
        (cfg!(target_arch = "s390x") || cfg!(target_arch = "riscv64")).then_some(true)
    }
}

/// Which CPUID register a feature bit is in.
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy)]
enum Reg {
    Eax,
    Ebx,
    Ecx,
}

/// A CPUID leaf-7 feature bit (sub-leaf `subleaf`), for the features whose
/// `is_x86_feature_detected!` names are younger than this crate's Rust
/// version. The caller checks that the OS saves the state they need.
#[cfg(target_arch = "x86_64")]
fn cpuid_leaf7(subleaf: u32, reg: Reg, bit: u32) -> bool {
    use std::arch::x86_64::{__cpuid, __cpuid_count};
    // SAFETY: CPUID exists on every x86-64 processor; leaf 0 reports the
    // highest leaf, checked before reading leaf 7. (`unsafe` is needed on
    // Rust versions where these intrinsics are unsafe functions.)
    #[allow(unused_unsafe)]
    let regs = unsafe {
        if __cpuid(0).eax < 7 || (subleaf > 0 && __cpuid_count(7, 0).eax < subleaf) {
            return false;
        }
        __cpuid_count(7, subleaf)
    };
    let value = match reg {
        Reg::Eax => regs.eax,
        Reg::Ebx => regs.ebx,
        Reg::Ecx => regs.ecx,
    };
    value & (1 << bit) != 0
}

/// AVX-512 sub-features as `std_detect` finds them: the CPUID bit, with
/// the OS saving AVX-512 state (which `avx512f` detection includes).
#[cfg(target_arch = "x86_64")]
fn has_avx512(reg: Reg, bit: u32) -> bool {
    std::is_x86_feature_detected!("avx512f") && cpuid_leaf7(0, reg, bit)
}

/// Why `engine` would refuse the artifact `info` describes, in the order
/// Wasmtime checks (its error would be the first); empty when it fits. See
/// the [module documentation](self) for what is approximated.
///
/// ```no_run
/// # let (engine, bytes): (wasmtime_dyn::Engine, Vec<u8>) = unimplemented!();
/// use wasmtime_dyn::cwasm;
/// let info = cwasm::inspect(&bytes)?;
/// for reason in cwasm::incompatibilities(&engine, &info) {
///     eprintln!("- {reason}");
/// }
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
pub fn incompatibilities(engine: &Engine, info: &CwasmInfo) -> Vec<String> {
    let profile = engine_profile(engine);
    let mut reasons = Vec::new();
    // check_compatible: e_flags, then the version (inspect), the metadata.
    if info.kind != ArtifactKind::Module {
        reasons.push(format!(
            "incompatible object file format: this is a precompiled {}, and only modules can be \
             deserialized",
            info.kind
        ));
    }
    if info.version != expected_version() {
        reasons.push(format!(
            "Module was compiled with incompatible version '{}'",
            info.version
        ));
    }
    // check_triple
    let arch = info.target.split('-').next().unwrap_or("");
    if arch != profile.architecture {
        reasons.push(format!("Module was compiled for architecture '{arch}'"));
    } else {
        match lexicon::parse(&info.target) {
            Err(e) => reasons.push(e),
            Ok((_, os)) if os != profile.operating_system => {
                reasons.push(format!("Module was compiled for operating system '{os}'"))
            }
            Ok(_) => {}
        }
    }
    for (name, value) in &info.shared_flags {
        reasons.extend(check_shared_flag(name, value, &profile));
    }
    for (name, value) in &info.isa_flags {
        reasons.extend(check_isa_flag(name, value));
    }
    check_tunables(&info.tunables, &profile, &mut reasons);
    // check_features
    let missing = info.feature_bits & features::KNOWN & !profile.feature_bits;
    for name in features::names(missing) {
        reasons.push(format!(
            "Module was compiled with support for WebAssembly feature `{name}` but it is not \
             enabled for the host"
        ));
    }
    reasons
}

/// Collects Wasmtime's `check_int` / `check_bool` messages.
struct Reasons<'a>(&'a mut Vec<String>);

impl Reasons<'_> {
    fn int(&mut self, found: u64, expected: u64, what: &str) {
        if found != expected {
            self.0.push(format!(
                "Module was compiled with a {what} of '{found}' but '{expected}' is expected for \
                 the host"
            ));
        }
    }

    fn boolean(&mut self, found: bool, expected: bool, what: &str) {
        if found != expected {
            self.0.push(format!(
                "Module was compiled {} {what} but it {} enabled for the host",
                if found { "with" } else { "without" },
                if expected { "is" } else { "is not" }
            ));
        }
    }
}

/// `Metadata::check_tunables`, field for field in Wasmtime's order.
fn check_tunables(module: &Tunables, profile: &EngineProfile, reasons: &mut Vec<String>) {
    let host = &profile.tunables;
    // check_collector (a host collector that could not be learned fits).
    match (module.collector, profile.gc, host.collector) {
        (Some(_), false, _) => {
            reasons.push("module was compiled with GC however GC is disabled in the host".into())
        }
        (Some(module), true, Some(host)) if module != host => reasons.push(format!(
            "module was compiled for the {module} collector but the host is configured to use \
             the {host} collector"
        )),
        _ => {}
    }
    let mut r = Reasons(reasons);
    r.int(
        module.memory_reservation,
        host.memory_reservation,
        "memory reservation",
    );
    r.int(
        module.memory_guard_size,
        host.memory_guard_size,
        "memory guard size",
    );
    r.boolean(
        module.debug_native,
        host.debug_native,
        "native debug information support",
    );
    r.boolean(module.debug_guest, host.debug_guest, "guest debug");
    r.boolean(module.debug_symbols, host.debug_symbols, "debug symbols");
    r.boolean(
        module.parse_wasm_debuginfo,
        host.parse_wasm_debuginfo,
        "WebAssembly backtrace support",
    );
    r.boolean(module.consume_fuel, host.consume_fuel, "fuel support");
    if module.consume_fuel && module.operator_cost != host.operator_cost {
        r.0.push("Module costs are incompatible".into());
    }
    r.boolean(
        module.epoch_interruption,
        host.epoch_interruption,
        "epoch interruption",
    );
    r.boolean(
        module.memory_may_move,
        host.memory_may_move,
        "memory may move",
    );
    r.boolean(
        module.guard_before_linear_memory,
        host.guard_before_linear_memory,
        "guard before linear memory",
    );
    r.boolean(
        module.table_lazy_init,
        host.table_lazy_init,
        "table lazy init",
    );
    r.boolean(
        module.relaxed_simd_deterministic,
        host.relaxed_simd_deterministic,
        "relaxed simd deterministic semantics",
    );
    r.boolean(
        module.winch_callable,
        host.winch_callable,
        "Winch calling convention",
    );
    r.boolean(
        module.signals_based_traps,
        host.signals_based_traps,
        "Signals-based traps",
    );
    r.boolean(
        module.memory_init_cow,
        host.memory_init_cow,
        "memory initialization with CoW",
    );
    r.int(
        module.inlining_small_callee_size.into(),
        host.inlining_small_callee_size.into(),
        "function inlining small-callee size",
    );
    r.int(
        module.inlining_sum_size_threshold.into(),
        host.inlining_sum_size_threshold.into(),
        "function inlining sum-size threshold",
    );
    r.boolean(
        module.concurrency_support,
        host.concurrency_support,
        "concurrency support",
    );
    r.boolean(module.recording, host.recording, "RR recording support");
    if module.inlining != host.inlining {
        r.0.push(format!(
            "module was compiled {} however the host is configured {}",
            module.inlining, host.inlining
        ));
    }
    r.int(
        module.gc_heap_reservation,
        host.gc_heap_reservation,
        "GC heap reservation",
    );
    r.int(
        module.gc_heap_guard_size,
        host.gc_heap_guard_size,
        "GC heap guard size",
    );
    r.int(
        module.gc_heap_initial_size,
        host.gc_heap_initial_size,
        "GC heap initial size",
    );
    r.boolean(
        module.gc_heap_may_move,
        host.gc_heap_may_move,
        "GC heap may move",
    );
}

/// Whether `engine` will take the `.cwasm` `bytes`, without deserializing
/// it: [`inspect`] then [`incompatibilities`]. `Ok` with what the artifact
/// says when it fits.
///
/// ```no_run
/// use wasmtime_dyn::{cwasm, precompile_for, Engine, Error, Wasmtime};
/// # let (full, min): (&'static Wasmtime, &'static Wasmtime) = unimplemented!();
/// let engine = Engine::default_for(min)?;
/// let good = precompile_for(full, min.capabilities(), "(module)")?;
/// assert!(cwasm::preflight(&engine, &good).is_ok());
///
/// let full_engine = Engine::default_for(full)?;
/// let bad = full_engine.compiler().unwrap().precompile(b"\0asm\x01\0\0\0")?;
/// match cwasm::preflight(&engine, &bad) {
///     Err(Error::IncompatibleArtifact(why)) => println!("{why}"),
///     other => panic!("{other:?}"),
/// }
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::IncompatibleArtifact`] with every reason, in Wasmtime's order
/// (so the first is the one deserializing would report), joined by `"; "`;
/// [`Error::Invalid`] for bytes that are not a Wasmtime artifact.
pub fn preflight(engine: &Engine, bytes: &[u8]) -> Result<CwasmInfo> {
    let info = inspect(bytes)?;
    let reasons = incompatibilities(engine, &info);
    if reasons.is_empty() {
        Ok(info)
    } else {
        Err(Error::IncompatibleArtifact(reasons.join("; ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feature_sets_match_wasmparser() {
        // Printed by wasmparser 0.254.2 itself.
        assert_eq!(features::WASM3, 0xc010afdff);
        assert_eq!(
            feature_names(features::REFERENCE_TYPES | features::THREADS),
            ["reference_types", "threads"]
        );
        // A half of a two-bit flag is named by its own flag.
        assert_eq!(
            feature_names(features::CALL_INDIRECT_OVERLONG),
            ["call_indirect_overlong"]
        );
        assert_eq!(feature_names(1 << 3), Vec::<&str>::new());
        assert_eq!(feature_names(1 << 63), Vec::<&str>::new());
    }

    #[test]
    fn varints_follow_postcard() {
        let read = |bytes: &[u8], bits| {
            Postcard {
                data: bytes,
                pos: 0,
            }
            .varint(bits, "x")
        };
        assert_eq!(read(&[0x7f], 64).unwrap(), 127);
        assert_eq!(read(&[0x80, 0x01], 64).unwrap(), 128);
        assert_eq!(
            read(&[0xff, 0xff, 0xff, 0xff, 0x0f], 32).unwrap(),
            u64::from(u32::MAX)
        );
        assert!(read(&[0xff, 0xff, 0xff, 0xff, 0x10], 32).is_err());
        assert!(read(&[0xff; 10], 64).is_err());
        let mut max = [0xff; 10];
        max[9] = 1;
        assert_eq!(read(&max, 64).unwrap(), u64::MAX);
        max[9] = 2;
        assert!(read(&max, 64).is_err());
        assert!(read(&[0x80], 64).is_err());
    }

    #[test]
    fn triples_parse_like_target_lexicon() {
        let parse = lexicon::parse;
        assert_eq!(parse("x86_64-unknown-linux-gnu"), Ok(("x86_64", "linux")));
        assert_eq!(parse("aarch64-apple-darwin"), Ok(("aarch64", "darwin")));
        assert_eq!(
            parse("x86_64-apple-macosx10.7"),
            Ok(("x86_64", "macosx10.7"))
        );
        assert_eq!(parse("x86_64-pc-windows-msvc"), Ok(("x86_64", "windows")));
        assert_eq!(parse("x86_64-linux"), Ok(("x86_64", "linux")));
        assert_eq!(parse("x86_64-linux-gnu"), Ok(("x86_64", "linux")));
        assert_eq!(parse("x86_64-acme-linux-gnu"), Ok(("x86_64", "linux")));
        assert_eq!(parse("x86_64-unknown"), Ok(("x86_64", "unknown")));
        assert_eq!(parse("pulley64"), Ok(("pulley64", "unknown")));
        assert!(parse("x86_64-unknown-linux-gnv").is_err());
        assert!(parse("x86_64-unknown-linux-gnu-elf-x").is_err());
        assert!(parse("x86_64-Acme-linux").is_err());
        assert!(parse("x86_64-unknown-macosx1.x").is_err());
    }

    #[test]
    fn garbage_is_invalid() {
        for bytes in [&b""[..], b"\0asm\x01\0\0\0", &[0x7f; 200]] {
            assert!(matches!(inspect(bytes), Err(Error::Invalid(_))));
        }
    }
}
