//! The [`Config`] setters that mirror the `wasmtime` crate's for proposals
//! behind a capability (reference types, GC, exceptions, threads, the
//! component model), core dumps, the compilation target and raw Cranelift
//! flags.

use super::Config;
use crate::error::Result;
// Named by the docs' links only.
#[cfg(doc)]
use {
    super::{GcConfig, ThreadsConfig},
    crate::capability::Capability,
    crate::error::ErrorKind,
};

impl Config {
    setters! {
        /// The reference types proposal, as the `wasmtime` crate's
        /// `Config::wasm_reference_types` (the same setting as
        /// [`GcConfig::wasm_reference_types`]).
        ///
        /// Its C setter comes with [`Capability::Gc`]. On a library without
        /// it, `false` changes nothing, and `true` is kept only where the
        /// build has the proposal on anyway (reference types are, in every
        /// supported major); otherwise [`Engine::new`](crate::Engine::new)
        /// returns [`ErrorKind::Unsupported`]`(Gc)` rather than ignoring it.
        ///
        /// ```no_run
        /// # let mut config: wasmtime_dyn::Config = unimplemented!();
        /// config.wasm_reference_types(true);
        /// ```
        wasm_reference_types: reference_types: bool;
        /// The typed function references proposal, as the `wasmtime`
        /// crate's `Config::wasm_function_references` (the same setting as
        /// [`GcConfig::wasm_function_references`]).
        ///
        /// Its C setter comes with [`Capability::Gc`]. On a library without
        /// it, `false` changes nothing, and `true` is kept only where the
        /// build has the proposal on anyway (Wasmtime 47 and later);
        /// otherwise [`Engine::new`](crate::Engine::new) returns
        /// [`ErrorKind::Unsupported`]`(Gc)`.
        ///
        /// ```no_run
        /// # let mut config: wasmtime_dyn::Config = unimplemented!();
        /// config.wasm_function_references(true);
        /// ```
        wasm_function_references: function_references: bool;
        /// The GC proposal, as the `wasmtime` crate's `Config::wasm_gc`
        /// (the same setting as [`GcConfig::wasm_gc`]).
        ///
        /// Needs [`Capability::Gc`]: on a library without it, `false`
        /// changes nothing and `true` makes [`Engine::new`](crate::Engine::new)
        /// return [`ErrorKind::Unsupported`]`(Gc)` (such a build has no GC
        /// types).
        ///
        /// ```no_run
        /// # let mut config: wasmtime_dyn::Config = unimplemented!();
        /// config.wasm_function_references(true).wasm_gc(true);
        /// ```
        wasm_gc: wasm_gc: bool;
        /// The exception handling proposal, as the `wasmtime` crate's
        /// `Config::wasm_exceptions` (the same setting as
        /// [`GcConfig::wasm_exceptions`]).
        ///
        /// Needs [`Capability::Gc`]: on a library without it, `false`
        /// changes nothing and `true` makes [`Engine::new`](crate::Engine::new)
        /// return [`ErrorKind::Unsupported`]`(Gc)`.
        ///
        /// ```no_run
        /// # let mut config: wasmtime_dyn::Config = unimplemented!();
        /// config.wasm_exceptions(true);
        /// ```
        wasm_exceptions: exceptions: bool;
        /// The threads proposal (atomics, shared memories), as the
        /// `wasmtime` crate's `Config::wasm_threads` (the same setting as
        /// [`ThreadsConfig::wasm_threads`]).
        ///
        /// Needs [`Capability::Threads`]: on a library without it, `false`
        /// changes nothing and `true` makes [`Engine::new`](crate::Engine::new)
        /// return [`ErrorKind::Unsupported`]`(Threads)`.
        ///
        /// ```no_run
        /// # let mut config: wasmtime_dyn::Config = unimplemented!();
        /// config.wasm_threads(true).shared_memory(true);
        /// ```
        wasm_threads: threads: bool;
        /// The component model, as the `wasmtime` crate's
        /// `Config::wasm_component_model` (C API
        /// `wasmtime_config_wasm_component_model_set`).
        ///
        /// Needs [`Capability::ComponentModel`]: on a library without it,
        /// `false` changes nothing and `true` makes
        /// [`Engine::new`](crate::Engine::new) return
        /// [`ErrorKind::Unsupported`]`(ComponentModel)`.
        ///
        /// ```no_run
        /// # let mut config: wasmtime_dyn::Config = unimplemented!();
        /// config.wasm_component_model(false); // core modules only
        /// ```
        wasm_component_model: component_model: bool;
        /// The component model's `map<K, V>` type, as the `wasmtime`
        /// crate's `Config::wasm_component_model_map` (C API
        /// `wasmtime_config_wasm_component_model_map_set`, in 45 to 50).
        /// Off by default.
        ///
        /// Needs [`Capability::ComponentModel`]: on a library without it,
        /// `false` changes nothing and `true` makes
        /// [`Engine::new`](crate::Engine::new) return
        /// [`ErrorKind::Unsupported`]`(ComponentModel)`.
        ///
        /// ```no_run
        /// # let mut config: wasmtime_dyn::Config = unimplemented!();
        /// config.wasm_component_model_map(true);
        /// ```
        wasm_component_model_map: component_model_map: bool;
        /// The component model's `implements` names for imports and
        /// exports, as the `wasmtime` crate's
        /// `Config::wasm_component_model_implements` (C API
        /// `wasmtime_config_wasm_component_model_implements_set`, which
        /// Wasmtime 49 added). Off by default.
        ///
        /// On Wasmtime 45 to 48 [`Engine::new`](crate::Engine::new)
        /// returns [`ErrorKind::UnsupportedVersion`].
        ///
        /// ```no_run
        /// # let mut config: wasmtime_dyn::Config = unimplemented!();
        /// config.wasm_component_model_implements(true);
        /// ```
        wasm_component_model_implements: component_model_implements: bool;
        /// The component-model async proposal (async lifts and lowers,
        /// futures, streams, tasks), as the `wasmtime` crate's
        /// `Config::wasm_component_model_async` (C API
        /// `wasmtime_config_wasm_component_model_async_set`). Off by
        /// default in Wasmtime 45; from 46 on its default follows
        /// [`Config::concurrency_support`]. It needs concurrency support.
        ///
        /// Needs [`Capability::ComponentModelAsync`]: on a library without
        /// it, `false` changes nothing and `true` makes
        /// [`Engine::new`](crate::Engine::new) return
        /// [`ErrorKind::Unsupported`]`(ComponentModelAsync)`. `true`
        /// without concurrency support is an [`ErrorKind::Config`] error
        /// (Wasmtime refuses it).
        ///
        /// ```no_run
        /// # let mut config: wasmtime_dyn::Config = unimplemented!();
        /// config.wasm_component_model_async(false); // no async components
        /// ```
        wasm_component_model_async: component_model_async: bool;
        /// Stackful async lifts of the component-model async proposal
        /// (`async` exports without a callback), as the `wasmtime` crate's
        /// `Config::wasm_component_model_async_stackful` (C API
        /// `wasmtime_config_wasm_component_model_async_stackful_set`, 45 to
        /// 50). Off by default; needs concurrency support.
        ///
        /// Needs [`Capability::ComponentModelAsync`], as
        /// [`Config::wasm_component_model_async`].
        ///
        /// ```no_run
        /// # let mut config: wasmtime_dyn::Config = unimplemented!();
        /// config.wasm_component_model_async(true).wasm_component_model_async_stackful(true);
        /// ```
        wasm_component_model_async_stackful: component_model_async_stackful: bool;
        /// The component-model async proposal's further built-ins
        /// (`context.get`/`set` of more slots, `task.cancel`...), as the
        /// `wasmtime` crate's
        /// `Config::wasm_component_model_more_async_builtins` (C API
        /// `wasmtime_config_wasm_component_model_more_async_builtins_set`,
        /// 45 to 50). Off by default; needs concurrency support.
        ///
        /// Needs [`Capability::ComponentModelAsync`], as
        /// [`Config::wasm_component_model_async`].
        ///
        /// ```no_run
        /// # let mut config: wasmtime_dyn::Config = unimplemented!();
        /// config.wasm_component_model_async(true).wasm_component_model_more_async_builtins(true);
        /// ```
        wasm_component_model_more_async_builtins: component_model_more_async_builtins: bool;
        /// Attach a [`WasmCoreDump`](crate::WasmCoreDump) of the store to
        /// the error of a call whose wasm traps, as the `wasmtime` crate's
        /// `Config::coredump_on_trap`. The C API has no core dumps: this
        /// crate records what a dump needs itself (see the `coredump`
        /// module), in every build. Off by default. With it, each store
        /// keeps every instance made in it (and one clone of each module)
        /// for the dumps; the dump lists the memories and globals the C
        /// API can reach, its instances' exports (see
        /// [`WasmCoreDump`](crate::WasmCoreDump) for the differences).
        ///
        /// ```no_run
        /// # let mut config: wasmtime_dyn::Config = unimplemented!();
        /// config.coredump_on_trap(true);
        /// ```
        coredump_on_trap: coredump_on_trap: bool;
    }

    /// Compiles for the target `triple` instead of the host, as the
    /// `wasmtime` crate's `Config::target`. CPU features are then not
    /// inferred from the host: set them with
    /// [`Config::cranelift_flag_enable`].
    ///
    /// Through the C API an engine can only compile code that runs on this
    /// host (the C API has no `precompile_module`, and Wasmtime refuses to
    /// build a module for another target), so the useful triples are the
    /// host's own (portable code without host CPU features) and Pulley's
    /// of the host's pointer width (`pulley64` on 64-bit hosts), which
    /// Wasmtime interprets.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Config, Engine, Module};
    /// # let wasmtime: &'static wasmtime_dyn::Wasmtime = unimplemented!();
    /// let mut config = Config::new(wasmtime);
    /// config.target("pulley64")?; // interpreted: no native code
    /// let engine = Engine::new(wasmtime, &config)?;
    /// let module = Module::new(&engine, "(module)")?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Config`] when the library does not parse `triple`, or
    /// when Wasmtime would abort the process creating an engine for it:
    /// an architecture without a pointer width (`unknown`), and, on a
    /// library with a compiler, any architecture but the host's and
    /// Pulley's (an official release compiles for nothing else, and this
    /// crate cannot ask a library which it has without risking the abort),
    /// or a 32-bit ABI of a 64-bit architecture (`gnux32`, `gnu_ilp32`).
    /// Settings that conflict with the target (Winch for Pulley,
    /// `native_unwind_info(false)` for Windows...) are refused by
    /// [`Engine::new`](crate::Engine::new).
    pub fn target(&mut self, triple: &str) -> Result<&mut Self> {
        crate::config_rules::check_target(self.wasmtime, triple)?;
        self.settings.target = Some(triple.to_string());
        Ok(self)
    }

    /// Enables a boolean Cranelift setting or applies a preset (`has_avx2`,
    /// `skylake`, `enable_verifier`...), as the `wasmtime` crate's
    /// `Config::cranelift_flag_enable`.
    ///
    /// Wasmtime checks the name only when the engine is created, and the
    /// C API aborts the process if it is wrong, so
    /// [`Engine::new`](crate::Engine::new) checks it first against the
    /// settings the library's Cranelift has for the target (learned from
    /// code the library compiles, once per library and architecture) and
    /// the presets of Cranelift 0.132 to 0.137 (checked on the official
    /// Wasmtime 45 to 50 libraries).
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Config, Engine};
    /// # let wasmtime: &'static wasmtime_dyn::Wasmtime = unimplemented!();
    /// let mut config = Config::new(wasmtime);
    /// config.target("x86_64-unknown-linux-gnu")?; // no host CPU feature inference
    /// // SAFETY: the machines that run this code have AVX2.
    /// unsafe { config.cranelift_flag_enable("has_avx2") };
    /// let engine = Engine::new(wasmtime, &config)?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Safety
    ///
    /// As in the `wasmtime` crate: a flag can break the invariants the
    /// generated code relies on (enabling a CPU feature the machine running
    /// the code lacks, changing the calling convention...), which is
    /// undefined behaviour when the code runs. Wasmtime refuses some such
    /// code when loading it, not all.
    ///
    /// # Errors
    ///
    /// None here; [`Engine::new`](crate::Engine::new) returns
    /// [`ErrorKind::Unsupported`]`(Compiler)` on a library without a
    /// compiler, and [`ErrorKind::Config`] naming the flag (with the
    /// accepted names) when it is neither a boolean setting nor a preset
    /// of the target's Cranelift, or when its ISA settings cannot be
    /// learned for the target.
    pub unsafe fn cranelift_flag_enable(&mut self, flag: &str) -> &mut Self {
        if !self.settings.cranelift_enabled.iter().any(|f| f == flag) {
            self.settings.cranelift_enabled.push(flag.to_string());
        }
        self
    }

    /// Sets a Cranelift setting to a value (`opt_level` to `speed_and_size`,
    /// `has_sse41` to `false`...), as the `wasmtime` crate's
    /// `Config::cranelift_flag_set`.
    ///
    /// [`Engine::new`](crate::Engine::new) checks the name and the value
    /// against the library's Cranelift first (as for
    /// [`Config::cranelift_flag_enable`]), and the combinations Wasmtime
    /// refuses: `unwind_info` against [`Config::native_unwind_info`] and
    /// Windows targets, Spectre mitigations without signals-based traps,
    /// `stack_switch_model` with stack switching.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Config, Engine};
    /// # let wasmtime: &'static wasmtime_dyn::Wasmtime = unimplemented!();
    /// let mut config = Config::new(wasmtime);
    /// // SAFETY: the register allocator choice does not change what the code does.
    /// unsafe { config.cranelift_flag_set("regalloc_algorithm", "single_pass") };
    /// let engine = Engine::new(wasmtime, &config)?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Safety
    ///
    /// As for [`Config::cranelift_flag_enable`]: a setting can make the
    /// generated code break invariants Wasmtime relies on.
    ///
    /// # Errors
    ///
    /// None here; [`Engine::new`](crate::Engine::new) returns
    /// [`ErrorKind::Unsupported`]`(Compiler)` on a library without a
    /// compiler, and [`ErrorKind::Config`] naming the setting when the
    /// name is unknown (with the accepted names), the value does not fit
    /// its type (with the accepted values), a number is outside what
    /// Cranelift can use (`probestack_size_log2` 4 to 31,
    /// `bb_padding_log2_minus_one` and `log2_min_function_alignment` 0 to
    /// 8: beyond, compiling or running the code aborts the process), or
    /// the combination is one Wasmtime refuses. Wasmtime's own settings (`wasmtime_*`, such as
    /// `wasmtime_inlining_small_callee_size`) are refused too.
    pub unsafe fn cranelift_flag_set(&mut self, name: &str, value: &str) -> &mut Self {
        let settings = &mut self.settings.cranelift_settings;
        match settings.iter_mut().find(|(n, _)| n == name) {
            Some(entry) => entry.1 = value.to_string(),
            None => settings.push((name.to_string(), value.to_string())),
        }
        self
    }

    /// How instances get their memory, as the crate's
    /// `Config::allocation_strategy`. Pooling on a library without the
    /// [`PoolingAllocator`](crate::Capability::PoolingAllocator)
    /// capability makes [`Engine::new`](crate::Engine::new) return
    /// `ErrorKind::Unsupported(PoolingAllocator)`; [`Config::pooling_allocator`]
    /// is the same setting, as an `Option` handle.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};
    /// # let wasmtime: &'static wasmtime_dyn::Wasmtime = unimplemented!();
    /// let mut pool = PoolingAllocationConfig::default();
    /// pool.total_core_instances(10).total_memories(10).max_memory_size(1 << 20);
    /// let mut config = Config::new(wasmtime);
    /// config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    /// let engine = Engine::new(wasmtime, &config)?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn allocation_strategy(
        &mut self,
        strategy: impl Into<crate::pooling::InstanceAllocationStrategy>,
    ) -> &mut Self {
        self.settings.pooling = match strategy.into() {
            crate::pooling::InstanceAllocationStrategy::OnDemand => None,
            crate::pooling::InstanceAllocationStrategy::Pooling(pool) => Some(pool.0),
        };
        self
    }
}
