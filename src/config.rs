//! Engine configuration: settings every build has on [`Config`], settings
//! that need a capability behind that capability's handle.

use crate::capability::{Capabilities, Capability};
use crate::error::{Error, ErrorKind, Result};
use crate::loader::Wasmtime;
use crate::sys::tables::{Absence, TableId};
use crate::sys::types::*;

/// Which compiler generates machine code.
///
/// ```
/// use wasmtime_dyn::{Config, Strategy};
/// fn baseline(config: &mut Config) {
///     if config.wasmtime().has_winch() {
///         config.compiler().expect("Winch is a compiler").strategy(Strategy::Winch);
///     }
/// }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Strategy {
    /// Wasmtime's choice (Cranelift).
    Auto,
    /// The optimizing compiler.
    Cranelift,
    /// The baseline compiler.
    Winch,
}

/// Cranelift's optimization level.
///
/// ```
/// use wasmtime_dyn::{Config, OptLevel};
/// fn small_code(config: &mut Config) {
///     if let Some(mut compiler) = config.compiler() {
///         compiler.cranelift_opt_level(OptLevel::SpeedAndSize);
///     }
/// }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OptLevel {
    /// No optimizations.
    None,
    /// Optimize for speed (the default).
    Speed,
    /// Optimize for speed and size.
    SpeedAndSize,
}

/// Every setting, `None` meaning Wasmtime's default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Settings {
    pub debug_info: Option<bool>,
    pub consume_fuel: Option<bool>,
    pub epoch_interruption: Option<bool>,
    pub max_wasm_stack: Option<usize>,
    pub bulk_memory: Option<bool>,
    pub multi_value: Option<bool>,
    pub multi_memory: Option<bool>,
    pub memory64: Option<bool>,
    pub simd: Option<bool>,
    pub relaxed_simd: Option<bool>,
    pub relaxed_simd_deterministic: Option<bool>,
    pub tail_call: Option<bool>,
    pub wide_arithmetic: Option<bool>,
    pub custom_page_sizes: Option<bool>,
    pub branch_hinting: Option<bool>,
    pub compact_imports: Option<bool>,
    pub stack_switching: Option<bool>,
    pub macos_use_mach_ports: Option<bool>,
    pub memory_reservation: Option<u64>,
    pub memory_guard_size: Option<u64>,
    pub memory_reservation_for_growth: Option<u64>,
    pub memory_may_move: Option<bool>,
    pub memory_init_cow: Option<bool>,
    pub native_unwind_info: Option<bool>,
    pub signals_based_traps: Option<bool>,
    pub gc_support: Option<bool>,
    pub concurrency_support: Option<bool>,
    pub shared_memory: Option<bool>,
    // Compiler capability.
    pub strategy: Option<Strategy>,
    pub opt_level: Option<OptLevel>,
    pub nan_canonicalization: Option<bool>,
    pub debug_verifier: Option<bool>,
    // ParallelCompilation capability.
    pub parallel_compilation: Option<bool>,
    // Gc capability.
    pub reference_types: Option<bool>,
    pub function_references: Option<bool>,
    pub wasm_gc: Option<bool>,
    pub exceptions: Option<bool>,
    // Threads capability.
    pub threads: Option<bool>,
    // ComponentModel capability.
    pub component_model: Option<bool>,
    pub component_model_map: Option<bool>,
    // ComponentModel, Wasmtime 49 and later.
    pub component_model_implements: Option<bool>,
    // ComponentModelAsync capability.
    pub component_model_async: Option<bool>,
    pub component_model_async_stackful: Option<bool>,
    pub component_model_more_async_builtins: Option<bool>,
    // PoolingAllocator capability.
    pub pooling: Option<crate::pooling::PoolingConfig>,
    // Cache capability.
    pub cache: Option<CacheSource>,
    /// Set by `Config::for_target` for a target without GC: the compiler
    /// refuses what would reach builtins that exist only with GC.
    pub target_without_gc: bool,
    /// `Config::coredump_on_trap`: kept by this crate (the C API has no
    /// such setting), read by `coredump` when a store is made.
    pub coredump_on_trap: Option<bool>,
    /// `Config::target`: a triple the library parsed and `config_rules`
    /// checked.
    pub target: Option<String>,
    /// `Config::cranelift_flag_set`, in call order; a name set again
    /// replaces its earlier value.
    pub cranelift_settings: Vec<(String, String)>,
    /// `Config::cranelift_flag_enable`, each name once, in call order.
    pub cranelift_enabled: Vec<String>,
}

impl Settings {
    /// The value `cranelift_flag_set` gave `name`, if any.
    pub(crate) fn cranelift_setting(&self, name: &str) -> Option<&str> {
        self.cranelift_settings
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether any raw Cranelift flag is set.
    pub(crate) fn has_cranelift_flags(&self) -> bool {
        !self.cranelift_settings.is_empty() || !self.cranelift_enabled.is_empty()
    }
}

/// Where the compilation cache's settings come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum CacheSource {
    /// Wasmtime's default settings (the user's cache directory).
    Default,
    /// A Wasmtime cache configuration file (TOML).
    File(std::path::PathBuf),
    /// Default settings, this directory.
    Directory(std::path::PathBuf),
}

/// How an [`Engine`](crate::Engine) is set up. Settings left alone keep
/// Wasmtime's defaults. Made for one library: the capability handles
/// ([`Config::compiler`], [`Config::gc`]...) are `None` where it lacks them.
///
/// Wasmtime aborts the process on a configuration it rejects; this crate
/// checks the combinations it knows Wasmtime rejects and returns
/// [`ErrorKind::Config`] from [`Engine::new`](crate::Engine::new) instead.
///
/// ```no_run
/// use wasmtime_dyn::{Config, Engine, OptLevel, Wasmtime};
/// // SAFETY: WASMTIME_DYN_LIB names a Wasmtime C API library.
/// let wasmtime = unsafe { Wasmtime::load() }?;
/// let mut config = Config::new(wasmtime);
/// config.consume_fuel(true).max_wasm_stack(512 * 1024);
/// if let Some(mut compiler) = config.compiler() {
///     compiler.cranelift_opt_level(OptLevel::SpeedAndSize);
/// }
/// let engine = Engine::new(wasmtime, &config)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Config {
    pub(crate) wasmtime: &'static Wasmtime,
    pub(crate) settings: Settings,
}

macro_rules! setters {
    ($($(#[doc = $doc:literal])* $name:ident: $field:ident: $ty:ty;)*) => {
        $(
            $(#[doc = $doc])*
            pub fn $name(&mut self, value: $ty) -> &mut Self {
                self.settings.$field = Some(value);
                self
            }
        )*
    };
}

// After `setters!`, which `proposals` uses.
mod handles;
mod proposals;

pub use handles::{
    CacheConfig, CompilerConfig, GcConfig, ParallelCompilationConfig, PoolingAllocatorConfig,
    ThreadsConfig,
};

impl Config {
    /// Wasmtime's default configuration, for `wasmtime`.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Config, Engine, Wasmtime};
    /// # let wasmtime: &'static Wasmtime = unimplemented!();
    /// let config = Config::new(wasmtime);
    /// let engine = Engine::new(wasmtime, &config)?; // like Engine::default_for(wasmtime)
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn new(wasmtime: &'static Wasmtime) -> Config {
        Config {
            wasmtime,
            settings: Settings::default(),
        }
    }

    /// The library this configuration is for.
    ///
    /// ```no_run
    /// # let wasmtime: &'static wasmtime_dyn::Wasmtime = unimplemented!();
    /// let config = wasmtime_dyn::Config::new(wasmtime);
    /// assert!(std::ptr::eq(config.wasmtime(), wasmtime));
    /// ```
    pub fn wasmtime(&self) -> &'static Wasmtime {
        self.wasmtime
    }

    setters! {
        /// Generate DWARF debug information for debuggers.
        ///
        /// ```no_run
        /// # let mut config: wasmtime_dyn::Config = unimplemented!();
        /// config.debug_info(true);
        /// ```
        debug_info: debug_info: bool;
        /// Count fuel: each store then needs fuel ([`Store::set_fuel`](crate::Store::set_fuel)),
        /// and running out traps with [`Trap::OutOfFuel`](crate::Trap::OutOfFuel).
        ///
        /// ```no_run
        /// use wasmtime_dyn::{Engine, Store};
        /// # let (wasmtime, mut config): (&'static wasmtime_dyn::Wasmtime, wasmtime_dyn::Config) = unimplemented!();
        /// config.consume_fuel(true);
        /// let engine = Engine::new(wasmtime, &config)?;
        /// let mut store = Store::new(&engine, ());
        /// store.set_fuel(1_000_000)?;
        /// # Ok::<(), wasmtime_dyn::Error>(())
        /// ```
        consume_fuel: consume_fuel: bool;
        /// Interrupt wasm at epoch deadlines ([`Engine::increment_epoch`](crate::Engine::increment_epoch),
        /// [`Store::set_epoch_deadline`](crate::Store::set_epoch_deadline)).
        ///
        /// ```no_run
        /// # let mut config: wasmtime_dyn::Config = unimplemented!();
        /// config.epoch_interruption(true);
        /// // Each store then needs a deadline before it runs wasm: `store.set_epoch_deadline(1)`.
        /// ```
        epoch_interruption: epoch_interruption: bool;
        /// The most stack, in bytes, wasm may use before
        /// [`Trap::StackOverflow`](crate::Trap::StackOverflow). Must be above 0
        /// (default 512 KiB, at most 2 MiB).
        ///
        /// The limit counts from where wasm is entered, and Wasmtime relies on
        /// the thread's native stack having that much room left (plus what host
        /// functions called from wasm use). **A thread whose stack is smaller
        /// aborts the whole process** (a native stack overflow, which Wasmtime
        /// cannot turn into a trap) when wasm recurses without bound, instead of
        /// trapping. The same holds for the `wasmtime` crate. Run wasm on threads
        /// with a stack comfortably larger than this limit (the main thread has
        /// 8 MiB on Linux; `std::thread::Builder::stack_size` for others; Rust's
        /// spawned threads get 2 MiB by default).
        ///
        /// ```no_run
        /// # let mut config: wasmtime_dyn::Config = unimplemented!();
        /// config.max_wasm_stack(256 * 1024);
        /// // Threads that run wasm need more native stack than that:
        /// let runner = std::thread::Builder::new().stack_size(4 << 20);
        /// ```
        max_wasm_stack: max_wasm_stack: usize;
        /// The bulk memory proposal.
        ///
        /// ```no_run
        /// # let mut config: wasmtime_dyn::Config = unimplemented!();
        /// config.wasm_bulk_memory(false);
        /// ```
        wasm_bulk_memory: bulk_memory: bool;
        /// The multi-value proposal.
        ///
        /// ```no_run
        /// # let mut config: wasmtime_dyn::Config = unimplemented!();
        /// config.wasm_multi_value(false);
        /// ```
        wasm_multi_value: multi_value: bool;
        /// The multi-memory proposal.
        ///
        /// ```no_run
        /// # let mut config: wasmtime_dyn::Config = unimplemented!();
        /// config.wasm_multi_memory(true);
        /// ```
        wasm_multi_memory: multi_memory: bool;
        /// The memory64 proposal.
        ///
        /// ```no_run
        /// # let mut config: wasmtime_dyn::Config = unimplemented!();
        /// config.wasm_memory64(true);
        /// ```
        wasm_memory64: memory64: bool;
        /// The SIMD proposal.
        ///
        /// ```no_run
        /// # let mut config: wasmtime_dyn::Config = unimplemented!();
        /// // Relaxed SIMD is on by default and needs SIMD: turn both off.
        /// config.wasm_simd(false).wasm_relaxed_simd(false);
        /// ```
        wasm_simd: simd: bool;
        /// The relaxed SIMD proposal (needs SIMD).
        ///
        /// ```no_run
        /// # let mut config: wasmtime_dyn::Config = unimplemented!();
        /// config.wasm_simd(true).wasm_relaxed_simd(true);
        /// ```
        wasm_relaxed_simd: relaxed_simd: bool;
        /// Make relaxed SIMD deterministic across platforms.
        ///
        /// ```no_run
        /// # let mut config: wasmtime_dyn::Config = unimplemented!();
        /// config.wasm_relaxed_simd(true).wasm_relaxed_simd_deterministic(true);
        /// ```
        wasm_relaxed_simd_deterministic: relaxed_simd_deterministic: bool;
        /// The tail call proposal.
        ///
        /// ```no_run
        /// # let mut config: wasmtime_dyn::Config = unimplemented!();
        /// config.wasm_tail_call(true);
        /// ```
        wasm_tail_call: tail_call: bool;
        /// The wide arithmetic proposal.
        ///
        /// ```no_run
        /// # let mut config: wasmtime_dyn::Config = unimplemented!();
        /// config.wasm_wide_arithmetic(true);
        /// ```
        wasm_wide_arithmetic: wide_arithmetic: bool;
        /// The custom page sizes proposal.
        ///
        /// ```no_run
        /// # let mut config: wasmtime_dyn::Config = unimplemented!();
        /// config.wasm_custom_page_sizes(true);
        /// ```
        wasm_custom_page_sizes: custom_page_sizes: bool;
        /// The branch hinting proposal. Wasmtime 46 and later:
        /// [`Engine::new`](crate::Engine::new) refuses it on 45 with [`ErrorKind::UnsupportedVersion`].
        ///
        /// ```no_run
        /// # let mut config: wasmtime_dyn::Config = unimplemented!();
        /// config.wasm_branch_hinting(true);
        /// ```
        wasm_branch_hinting: branch_hinting: bool;
        /// The compact import section encoding (Wasmtime 50 and later:
        /// [`Engine::new`](crate::Engine::new) refuses it on older majors with
        /// [`ErrorKind::UnsupportedVersion`]).
        ///
        /// ```no_run
        /// # let mut config: wasmtime_dyn::Config = unimplemented!();
        /// config.wasm_compact_imports(true);
        /// ```
        wasm_compact_imports: compact_imports: bool;
        /// The stack switching proposal (Cranelift on x86-64 only; Winch
        /// refuses it).
        ///
        /// ```no_run
        /// # let mut config: wasmtime_dyn::Config = unimplemented!();
        /// config.wasm_stack_switching(true);
        /// ```
        wasm_stack_switching: stack_switching: bool;
        /// On macOS, catch traps with Mach ports instead of signals (no
        /// effect elsewhere).
        ///
        /// ```no_run
        /// # let mut config: wasmtime_dyn::Config = unimplemented!();
        /// config.macos_use_mach_ports(false);
        /// ```
        macos_use_mach_ports: macos_use_mach_ports: bool;
        /// Bytes of virtual memory reserved for each linear memory.
        ///
        /// ```no_run
        /// # let mut config: wasmtime_dyn::Config = unimplemented!();
        /// config.memory_reservation(1 << 30); // 1 GiB of address space per memory
        /// ```
        memory_reservation: memory_reservation: u64;
        /// Bytes of guard pages after each linear memory.
        ///
        /// ```no_run
        /// # let mut config: wasmtime_dyn::Config = unimplemented!();
        /// config.memory_guard_size(64 << 10);
        /// ```
        memory_guard_size: memory_guard_size: u64;
        /// Extra bytes reserved when a memory moves to grow.
        ///
        /// ```no_run
        /// # let mut config: wasmtime_dyn::Config = unimplemented!();
        /// config.memory_reservation_for_growth(16 << 20);
        /// ```
        memory_reservation_for_growth: memory_reservation_for_growth: u64;
        /// Whether a linear memory's base address may change when it grows.
        /// When it may (the default), growth past `memory_reservation` moves
        /// the memory and Wasmtime copies every page, touched or not: one
        /// `memory.grow` of a 64-bit memory past the default 4 GiB
        /// reservation commits 4 GiB. Off, such growth fails (returns -1).
        /// For untrusted wasm, [`Store::limiter`](crate::Store::limiter)
        /// bounds both.
        ///
        /// ```no_run
        /// # let mut config: wasmtime_dyn::Config = unimplemented!();
        /// config.memory_may_move(false);
        /// ```
        memory_may_move: memory_may_move: bool;
        /// Initialize memories copy-on-write from the module image.
        ///
        /// ```no_run
        /// # let mut config: wasmtime_dyn::Config = unimplemented!();
        /// config.memory_init_cow(false);
        /// ```
        memory_init_cow: memory_init_cow: bool;
        /// Emit native unwind information.
        ///
        /// ```no_run
        /// # let mut config: wasmtime_dyn::Config = unimplemented!();
        /// config.native_unwind_info(false);
        /// ```
        native_unwind_info: native_unwind_info: bool;
        /// Catch traps with signal handlers (the default) instead of
        /// explicit checks.
        ///
        /// ```no_run
        /// # let mut config: wasmtime_dyn::Config = unimplemented!();
        /// config.signals_based_traps(false);
        /// ```
        signals_based_traps: signals_based_traps: bool;
        /// Whether the engine supports GC at run time (off for a target
        /// without GC, see [`Config::for_target`]).
        ///
        /// ```no_run
        /// # let mut config: wasmtime_dyn::Config = unimplemented!();
        /// config.gc_support(false);
        /// ```
        gc_support: gc_support: bool;
        /// Whether the engine supports concurrency (component-model async).
        ///
        /// ```no_run
        /// # let mut config: wasmtime_dyn::Config = unimplemented!();
        /// config.concurrency_support(false);
        /// ```
        concurrency_support: concurrency_support: bool;
        /// Whether shared memories may be created (off by default). A
        /// shared memory a module defines grows outside the store's
        /// [`Store::limiter`](crate::Store::limiter), up to its declared
        /// maximum: keep this off for untrusted wasm.
        ///
        /// ```no_run
        /// # let mut config: wasmtime_dyn::Config = unimplemented!();
        /// config.shared_memory(true);
        /// ```
        shared_memory: shared_memory: bool;
    }

    /// Settings for code that a library with the capabilities `target` will
    /// load: turns off every run-time feature and wasm proposal `target`
    /// lacks (`gc_support` and with it GC types, exceptions and the GC
    /// proposal's non-final types, `concurrency_support`, threads, the
    /// component model), so that the minimal build accepts the `.cwasm`
    /// and nothing in it calls a builtin the target lacks. See
    /// [`precompile_for`](crate::precompile_for).
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Capabilities, Config, Wasmtime};
    /// # let full: &'static Wasmtime = unimplemented!();
    /// let mut config = Config::new(full);
    /// config.for_target(Capabilities::EMPTY); // for the minimal build
    /// ```
    pub fn for_target(&mut self, target: Capabilities) -> &mut Self {
        let s = &mut self.settings;
        // What the compiling library is built with decides what its engines
        // turn on by default: the component model of 36 to 39 too, which
        // it does not hand out.
        let own = self.wasmtime.built_capabilities();
        if !target.contains(Capability::Gc) {
            // A build without GC keeps the function-references and GC
            // proposal bits on and drops GC types (through gc_support) and
            // exceptions (Wasmtime 48 config.rs:2550-2551): match it, so
            // code it accepts compiles here too.
            s.gc_support = Some(false);
            if own.contains(Capability::Gc) {
                s.exceptions = Some(false);
            }
            // The GC proposal bit (on in builds without GC too) lets
            // non-final (`sub`) function types through, whose checks call
            // the `is_subtype` builtin that exists only with GC: the target
            // would abort when wasm reaches it. Turning the bit off would
            // also refuse what the target runs fine (`global.get` of local
            // globals in constant expressions), so the compiler refuses
            // exactly those types instead (see `Compiler::compile`).
            s.target_without_gc = true;
        }
        if !target.contains(Capability::ComponentModelAsync) {
            s.concurrency_support = Some(false);
        }
        if !target.contains(Capability::Threads) && own.contains(Capability::Threads) {
            s.threads = Some(false);
        }
        if !target.contains(Capability::ComponentModel) && own.contains(Capability::ComponentModel)
        {
            s.component_model = Some(false);
        }
        self
    }

    fn has(&self, capability: Capability) -> bool {
        self.wasmtime.has(capability)
    }

    /// Refuses the combinations Wasmtime rejects in `Engine::new`, which the
    /// C API turns into a process abort.
    pub(crate) fn validate(&self) -> Result<()> {
        let w = self.wasmtime;
        let s = &self.settings;
        let later = |table: TableId, feature: &'static str| -> Result<()> {
            match w.absence(table) {
                Some(Absence::NotInVersion { majors, .. }) => Err(ErrorKind::UnsupportedVersion {
                    feature,
                    needs: majors.clone(),
                    found: w.version(),
                }
                .into()),
                _ => Ok(()),
            }
        };
        if s.strategy == Some(Strategy::Winch)
            && !crate::versions::WINCH
                .get(w.version().major())
                .copied()
                .unwrap_or(false)
        {
            // Up to 44 the C API's strategy enum has no Winch: passing its
            // value would be undefined behaviour.
            return Err(ErrorKind::UnsupportedVersion {
                feature: "Strategy::Winch",
                needs: 45..=*crate::versions::TABLE_MAJORS.end(),
                found: w.version(),
            }
            .into());
        }
        // A setter a major lacks is refused, unless the value asked for is
        // what that major does without it (the feature off, signals used
        // for traps, GC support on, shared memories as threads): then
        // nothing needs setting.
        let later_unless = |value: Option<bool>, without: bool, table, feature| match value {
            Some(v) if v != without => later(table, feature),
            _ => Ok(()),
        };
        later_unless(
            s.custom_page_sizes,
            false,
            TableId::CoreSince39,
            "wasm_custom_page_sizes",
        )?;
        later_unless(
            s.signals_based_traps,
            true,
            TableId::CoreSince39,
            "signals_based_traps",
        )?;
        // Before 40, shared memories follow the threads proposal.
        let threads = s.threads.unwrap_or(self.has(Capability::Threads));
        later_unless(
            s.shared_memory,
            threads,
            TableId::CoreSince40,
            "shared_memory",
        )?;
        later_unless(s.gc_support, true, TableId::CoreSince43, "gc_support")?;
        later_unless(
            s.concurrency_support,
            false,
            TableId::CoreSince43,
            "concurrency_support",
        )?;
        later_unless(s.exceptions, false, TableId::GcSince39, "wasm_exceptions")?;
        if self.has(Capability::ComponentModel) {
            later_unless(
                s.component_model_map,
                false,
                TableId::ComponentModelSince44,
                "wasm_component_model_map",
            )?;
        }
        later_unless(
            s.component_model_implements,
            false,
            TableId::ComponentModelSince49,
            "wasm_component_model_implements",
        )?;
        later_unless(
            s.branch_hinting,
            false,
            TableId::CoreSince46,
            "wasm_branch_hinting",
        )?;
        later_unless(
            s.compact_imports,
            false,
            TableId::CoreSince50,
            "wasm_compact_imports",
        )?;
        crate::config_rules::validate(self.wasmtime, &self.settings)
    }

    /// Builds a `wasm_config_t` carrying every setting; the caller passes
    /// its ownership to `wasm_engine_new_with_config`.
    pub(crate) fn to_c(&self) -> Result<*mut wasm_config_t> {
        let w = self.wasmtime;
        let core = w.core();
        let s = &self.settings;
        // The strings first, so that no error leaves a config behind.
        let raw_settings = s
            .cranelift_settings
            .iter()
            .map(|(name, value)| Ok((c_string(name)?, c_string(value)?)))
            .collect::<Result<Vec<_>>>()?;
        let raw_enabled = s
            .cranelift_enabled
            .iter()
            .map(|flag| c_string(flag))
            .collect::<Result<Vec<_>>>()?;
        let triple = s.target.as_deref().map(c_string).transpose()?;
        // SAFETY: `wasm_config_new` returns a new owned config.
        let config = unsafe { (core.wasm_config_new)() };
        macro_rules! apply {
            ($table:expr; $($field:ident => $func:ident),* $(,)?) => {
                $(
                    if let Some(value) = s.$field {
                        // SAFETY: `config` is live and owned here; the setter
                        // takes a plain value of the declared type.
                        unsafe { ($table.$func)(config, value.into()) };
                    }
                )*
            };
        }
        apply!(core;
            debug_info => wasmtime_config_debug_info_set,
            consume_fuel => wasmtime_config_consume_fuel_set,
            epoch_interruption => wasmtime_config_epoch_interruption_set,
            max_wasm_stack => wasmtime_config_max_wasm_stack_set,
            bulk_memory => wasmtime_config_wasm_bulk_memory_set,
            multi_value => wasmtime_config_wasm_multi_value_set,
            multi_memory => wasmtime_config_wasm_multi_memory_set,
            memory64 => wasmtime_config_wasm_memory64_set,
            simd => wasmtime_config_wasm_simd_set,
            relaxed_simd => wasmtime_config_wasm_relaxed_simd_set,
            relaxed_simd_deterministic => wasmtime_config_wasm_relaxed_simd_deterministic_set,
            tail_call => wasmtime_config_wasm_tail_call_set,
            wide_arithmetic => wasmtime_config_wasm_wide_arithmetic_set,
            stack_switching => wasmtime_config_wasm_stack_switching_set,
            macos_use_mach_ports => wasmtime_config_macos_use_mach_ports_set,
            memory_reservation => wasmtime_config_memory_reservation_set,
            memory_guard_size => wasmtime_config_memory_guard_size_set,
            memory_reservation_for_growth => wasmtime_config_memory_reservation_for_growth_set,
            memory_may_move => wasmtime_config_memory_may_move_set,
            memory_init_cow => wasmtime_config_memory_init_cow_set,
            native_unwind_info => wasmtime_config_native_unwind_info_set,
        );
        let tables = w.tables();
        // Setters later majors added; `validate` refused them where absent.
        if let Some(t) = &tables.core_since_39 {
            apply!(t;
                custom_page_sizes => wasmtime_config_wasm_custom_page_sizes_set,
                signals_based_traps => wasmtime_config_signals_based_traps_set,
            );
        }
        if let Some(t) = &tables.core_since_40 {
            apply!(t; shared_memory => wasmtime_config_shared_memory_set);
        }
        if let Some(t) = &tables.core_since_43 {
            apply!(t;
                gc_support => wasmtime_config_gc_support_set,
                concurrency_support => wasmtime_config_concurrency_support_set,
            );
        }
        if let Some(t) = &tables.core_since_46 {
            apply!(t; branch_hinting => wasmtime_config_wasm_branch_hinting_set);
        }
        if let Some(t) = &tables.core_since_50 {
            apply!(t; compact_imports => wasmtime_config_wasm_compact_imports_set);
        }
        if let Some(compiler) = &tables.compiler {
            if let Some(strategy) = s.strategy {
                let raw = match strategy {
                    Strategy::Auto => WASMTIME_STRATEGY_AUTO,
                    Strategy::Cranelift => WASMTIME_STRATEGY_CRANELIFT,
                    Strategy::Winch => WASMTIME_STRATEGY_WINCH,
                } as wasmtime_strategy_t;
                // SAFETY: `config` is live; `raw` is a valid strategy.
                unsafe { (compiler.wasmtime_config_strategy_set)(config, raw) };
            }
            if let Some(level) = s.opt_level {
                let raw = match level {
                    OptLevel::None => WASMTIME_OPT_LEVEL_NONE,
                    OptLevel::Speed => WASMTIME_OPT_LEVEL_SPEED,
                    OptLevel::SpeedAndSize => WASMTIME_OPT_LEVEL_SPEED_AND_SIZE,
                } as wasmtime_opt_level_t;
                // SAFETY: `config` is live; `raw` is a valid level.
                unsafe { (compiler.wasmtime_config_cranelift_opt_level_set)(config, raw) };
            }
            apply!(compiler;
                nan_canonicalization => wasmtime_config_cranelift_nan_canonicalization_set,
                debug_verifier => wasmtime_config_cranelift_debug_verifier_set,
            );
            // `validate` checked every name and value.
            for (name, value) in &raw_settings {
                // SAFETY: `config` is live; both strings are NUL-terminated
                // UTF-8 and outlive the call (the library copies them).
                unsafe {
                    (compiler.wasmtime_config_cranelift_flag_set)(
                        config,
                        name.as_ptr(),
                        value.as_ptr(),
                    )
                };
            }
            for flag in &raw_enabled {
                // SAFETY: as above.
                unsafe { (compiler.wasmtime_config_cranelift_flag_enable)(config, flag.as_ptr()) };
            }
        }
        if let Some(triple) = &triple {
            // SAFETY: `config` is live; the triple is NUL-terminated UTF-8.
            let error = unsafe { (core.wasmtime_config_target_set)(config, triple.as_ptr()) };
            // SAFETY: the error, if any, is fresh and owned.
            if let Err(err) = unsafe { crate::error::check(core, error) } {
                // SAFETY: the config is still owned here; deleted once.
                unsafe { (core.wasm_config_delete)(config) };
                return Err(err);
            }
        }
        if let Some(parallel) = &tables.parallel_compilation {
            apply!(parallel; parallel_compilation => wasmtime_config_parallel_compilation_set);
        }
        if let Some(gc) = &tables.gc {
            apply!(gc;
                reference_types => wasmtime_config_wasm_reference_types_set,
                function_references => wasmtime_config_wasm_function_references_set,
                wasm_gc => wasmtime_config_wasm_gc_set,
            );
        }
        if let Some(t) = &tables.gc_since_39 {
            apply!(t; exceptions => wasmtime_config_wasm_exceptions_set);
        }
        if let Some(threads) = &tables.threads {
            apply!(threads; threads => wasmtime_config_wasm_threads_set);
        }
        if let (Some(table), Some(pool)) = (&tables.pooling_allocator, &s.pooling) {
            pool.apply(table, config);
        }
        if let Some(cm) = &tables.component_model {
            apply!(cm; component_model => wasmtime_config_wasm_component_model_set);
        } else if let (Some(set), Some(value)) = (
            w.proposal_setter(Capability::ComponentModel),
            s.component_model,
        ) {
            // Built with the component model but not handed it out (before
            // 40): its engines have the proposal on by default, and
            // `for_target` turns it off for a target built without it.
            // SAFETY: `config` is live and owned here; the setter, the
            // library's own, takes the config and a flag.
            unsafe { set(config, value) };
        }
        if let Some(t) = &tables.component_model_since_44 {
            apply!(t; component_model_map => wasmtime_config_wasm_component_model_map_set);
        }
        if let Some(t) = &tables.component_model_since_49 {
            apply!(t; component_model_implements => wasmtime_config_wasm_component_model_implements_set);
        }
        if let Some(t) = &tables.component_model_async {
            apply!(t;
                component_model_async => wasmtime_config_wasm_component_model_async_set,
                component_model_async_stackful => wasmtime_config_wasm_component_model_async_stackful_set,
                component_model_more_async_builtins => wasmtime_config_wasm_component_model_more_async_builtins_set,
            );
        }
        if let (Some(table), Some(source)) = (&tables.cache, &s.cache) {
            if let Err(err) = crate::cache::load(w, table, config, source) {
                // SAFETY: the config is still owned here; deleted once.
                unsafe { (core.wasm_config_delete)(config) };
                return Err(err);
            }
        }
        Ok(config)
    }
}

/// `text` as a C string; a NUL inside is an [`ErrorKind::Config`] error
/// (`validate` refuses those first, so none reaches a half-built config).
pub(crate) fn c_string(text: &str) -> Result<std::ffi::CString> {
    std::ffi::CString::new(text)
        .map_err(|_| config_error(format!("{text:?} contains a NUL character")))
}

/// An [`ErrorKind::Config`] error.
pub(crate) fn config_error(message: impl Into<String>) -> Error {
    ErrorKind::Config(message.into()).into()
}
