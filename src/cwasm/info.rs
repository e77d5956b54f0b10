//! What [`inspect`](super::inspect) reads out of an artifact, as public
//! types.

use std::fmt;

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

/// Intra-module inlining as Wasmtime 36 to 44 record it, beside a
/// separate on/off `inlining` flag (45 folded both into [`Inlining`]).
/// Displayed as those majors' messages describe it.
///
/// ```
/// use wasmtime_dyn::cwasm::IntraModuleInlining;
/// assert_eq!(
///     IntraModuleInlining::WhenUsingGc.to_string(),
///     "with intra-module inlining only when using GC"
/// );
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IntraModuleInlining {
    /// Within a module too.
    Yes,
    /// Across modules only.
    No,
    /// Within a module only when it uses GC (the default of 36 to 44).
    WhenUsingGc,
}

impl fmt::Display for IntraModuleInlining {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IntraModuleInlining::Yes => "with intra-module inlining",
            IntraModuleInlining::No => "without intra-module inlining",
            IntraModuleInlining::WhenUsingGc => "with intra-module inlining only when using GC",
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
///     // 16 per-byte/per-element costs follow from Wasmtime 48 on.
///     assert!(costs.len() == cwasm::OPERATOR_COUNT || costs.len() == cwasm::OPERATOR_COUNT + 16);
/// }
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum OperatorCost {
    /// A table: one byte per operator of wasmparser's `for_each_operator!`
    /// ([`OPERATOR_COUNT`] of them, in its order), then, from Wasmtime 48
    /// on,
    /// the 16 per-byte/per-element costs of `VariableOperatorCost`.
    Table(Vec<u8>),
    /// Wasmtime's default costs (the only one the C API can configure).
    Default,
}

/// How many operators wasmparser defines in every Wasmtime that records a
/// fuel cost table (43 to 50: wasmparser 0.245 to 0.261), and so how
/// many bytes an [`OperatorCost::Table`] starts with (counted with
/// `wasmparser::for_each_operator!`).
///
/// ```
/// assert_eq!(wasmtime_dyn::cwasm::OPERATOR_COUNT, 627);
/// ```
pub const OPERATOR_COUNT: usize = 627;

/// Wasmtime's `Tunables`: code generation settings recorded in an artifact,
/// field for field, named as in Wasmtime 50. [`preflight`](super::preflight)
/// compares the ones Wasmtime compares; the others
/// (`memory_reservation_for_growth`, `generate_address_map`,
/// `debug_adapter_modules`, `gc_zeal_alloc_counter`,
/// `gc_heap_reservation_for_growth`, `metadata_for_*`, `branch_hinting`)
/// do not decide whether an engine takes the artifact.
///
/// Each major records its own subset (Wasmtime 36 wrote 21 fields, 50
/// writes 35; [`CwasmInfo::tunables_recorded`] lists an artifact's, by its
/// major's names). A field the artifact's major did not record holds what
/// that major did without it:
///
/// - `debug_native` is 36–38's `generate_native_debuginfo` (renamed in 39);
/// - `inlining`, before 45 a `bool` beside
///   [`inlining_intra_module`](Tunables::inlining_intra_module): off is
///   [`Inlining::No`]; on is [`Inlining::Yes`],
///   [`Inlining::InterModuleAndIntraGc`] or [`Inlining::InterModule`] for
///   the intra-module mode `Yes`, `WhenUsingGc` or `No`;
/// - the GC heap settings copy the memory ones before 45 (a GC heap was a
///   memory with the memory settings), `gc_heap_initial_size` is 0;
/// - `debug_symbols` is `true` before 47 (symbols were always written);
/// - anything else is off, zero, `None` or [`OperatorCost::Default`].
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
    /// The intra-module inlining mode Wasmtime 36 to 44 record beside
    /// their on/off `inlining` (`None` from 45, which folded it into
    /// [`inlining`](Tunables::inlining)).
    pub inlining_intra_module: Option<IntraModuleInlining>,
    /// Inlining: the size of callees always inlined.
    pub inlining_small_callee_size: u32,
    /// Inlining: the caller-plus-callee size past which calls are not inlined.
    pub inlining_sum_size_threshold: u32,
    /// Component-model concurrency support.
    pub concurrency_support: bool,
    /// Record-and-replay recording.
    pub recording: bool,
    /// Stack switching with the AddressSanitizer handshake (Wasmtime 50 and
    /// later; `false` before).
    pub asan_stack_switching: bool,
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

/// What a `.cwasm`'s header and engine section say, from [`inspect`](super::inspect).
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
    /// (`"48"`) since Wasmtime 38.0.1, the full runtime version
    /// (`"36.0.2"`) in 36 and 37.
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
    /// The `Tunables` fields the artifact recorded, in its order, by the
    /// names its Wasmtime gave them (`generate_native_debuginfo` in 36–38,
    /// `inlining_intra_module` in 36–44...); see [`Tunables`] for the
    /// others.
    pub tunables_recorded: Vec<&'static str>,
    /// The WebAssembly features the compiling engine had enabled, as
    /// wasmparser `WasmFeatures` bits in the numbering of wasmparser 0.261
    /// (Wasmtime 50's; earlier majors' bits sit at the same positions but
    /// for Wasmtime 36's, which are renumbered to these); every one must be
    /// enabled in a loading engine.
    pub feature_bits: u64,
    /// The feature bits as the artifact recorded them, in its own
    /// wasmparser's numbering (the same as
    /// [`feature_bits`](CwasmInfo::feature_bits) but for Wasmtime 36, whose
    /// wasmparser 0.236 numbers the flags after `cm_async_builtins` one
    /// lower).
    pub recorded_feature_bits: u64,
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
