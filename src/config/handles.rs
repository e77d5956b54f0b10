//! The handles of the settings that need a capability ([`Config::compiler`],
//! [`Config::gc`]...): `None` where the library lacks it.

use super::{CacheSource, Config, OptLevel, Settings, Strategy};
use crate::capability::Capability;

impl Config {
    /// Compiler settings, where the library has a compiler.
    ///
    /// ```no_run
    /// # let mut config: wasmtime_dyn::Config = unimplemented!();
    /// if let Some(mut compiler) = config.compiler() {
    ///     compiler.cranelift_opt_level(wasmtime_dyn::OptLevel::None);
    /// }
    /// ```
    pub fn compiler(&mut self) -> Option<CompilerConfig<'_>> {
        self.has(Capability::Compiler)
            .then_some(CompilerConfig(&mut self.settings))
    }

    /// Parallel compilation on or off, where the library has it.
    ///
    /// ```no_run
    /// # let mut config: wasmtime_dyn::Config = unimplemented!();
    /// if let Some(mut parallel) = config.parallel_compilation() {
    ///     parallel.enable(false); // compile on the calling thread only
    /// }
    /// ```
    pub fn parallel_compilation(&mut self) -> Option<ParallelCompilationConfig<'_>> {
        self.has(Capability::ParallelCompilation)
            .then_some(ParallelCompilationConfig(&mut self.settings))
    }

    /// Reference types and the GC proposals, where the library has GC.
    ///
    /// ```no_run
    /// # let mut config: wasmtime_dyn::Config = unimplemented!();
    /// if let Some(mut gc) = config.gc() {
    ///     gc.wasm_function_references(true).wasm_gc(true);
    /// }
    /// ```
    pub fn gc(&mut self) -> Option<GcConfig<'_>> {
        self.has(Capability::Gc)
            .then_some(GcConfig(&mut self.settings))
    }

    /// The threads proposal, where the library has it.
    ///
    /// ```no_run
    /// # let mut config: wasmtime_dyn::Config = unimplemented!();
    /// if let Some(mut threads) = config.threads() {
    ///     threads.wasm_threads(true);
    /// }
    /// ```
    pub fn threads(&mut self) -> Option<ThreadsConfig<'_>> {
        self.has(Capability::Threads)
            .then_some(ThreadsConfig(&mut self.settings))
    }

    /// The compilation cache, where the library has it.
    ///
    /// ```no_run
    /// # let mut config: wasmtime_dyn::Config = unimplemented!();
    /// if let Some(mut cache) = config.cache() {
    ///     cache.enable_default();
    /// }
    /// ```
    pub fn cache(&mut self) -> Option<CacheConfig<'_>> {
        self.has(Capability::Cache)
            .then_some(CacheConfig(&mut self.settings))
    }

    /// The pooling instance allocator, where the library has it.
    ///
    /// ```no_run
    /// # let mut config: wasmtime_dyn::Config = unimplemented!();
    /// if let Some(mut pooling) = config.pooling_allocator() {
    ///     pooling.enable(wasmtime_dyn::PoolingConfig::default());
    /// }
    /// ```
    pub fn pooling_allocator(&mut self) -> Option<PoolingAllocatorConfig<'_>> {
        self.has(Capability::PoolingAllocator)
            .then_some(PoolingAllocatorConfig(&mut self.settings))
    }
}

/// Compiler settings, from [`Config::compiler`].
///
/// ```no_run
/// use wasmtime_dyn::{OptLevel, Strategy};
/// # let mut config: wasmtime_dyn::Config = unimplemented!();
/// let mut compiler = config.compiler().expect("a build with a compiler");
/// compiler.strategy(Strategy::Cranelift).cranelift_opt_level(OptLevel::Speed);
/// ```
pub struct CompilerConfig<'a>(&'a mut Settings);

impl CompilerConfig<'_> {
    /// Which compiler to use.
    ///
    /// ```no_run
    /// # let mut config: wasmtime_dyn::Config = unimplemented!();
    /// config.compiler().expect("a build with a compiler").strategy(wasmtime_dyn::Strategy::Winch);
    /// ```
    pub fn strategy(&mut self, strategy: Strategy) -> &mut Self {
        self.0.strategy = Some(strategy);
        self
    }

    /// Cranelift's optimization level.
    ///
    /// ```no_run
    /// # let mut config: wasmtime_dyn::Config = unimplemented!();
    /// config.compiler().expect("a build with a compiler").cranelift_opt_level(wasmtime_dyn::OptLevel::None);
    /// ```
    pub fn cranelift_opt_level(&mut self, level: OptLevel) -> &mut Self {
        self.0.opt_level = Some(level);
        self
    }

    /// Canonicalize NaNs produced by float operations (deterministic NaN
    /// bits across platforms).
    ///
    /// ```no_run
    /// # let mut config: wasmtime_dyn::Config = unimplemented!();
    /// config.compiler().expect("a build with a compiler").cranelift_nan_canonicalization(true);
    /// ```
    pub fn cranelift_nan_canonicalization(&mut self, enable: bool) -> &mut Self {
        self.0.nan_canonicalization = Some(enable);
        self
    }

    /// Run Cranelift's IR verifier (slow; for debugging).
    ///
    /// ```no_run
    /// # let mut config: wasmtime_dyn::Config = unimplemented!();
    /// config.compiler().expect("a build with a compiler").cranelift_debug_verifier(true);
    /// ```
    pub fn cranelift_debug_verifier(&mut self, enable: bool) -> &mut Self {
        self.0.debug_verifier = Some(enable);
        self
    }
}

/// The parallel compilation switch, from [`Config::parallel_compilation`].
///
/// ```no_run
/// # let mut config: wasmtime_dyn::Config = unimplemented!();
/// let mut parallel = config.parallel_compilation().expect("a build with parallel compilation");
/// parallel.enable(true);
/// ```
pub struct ParallelCompilationConfig<'a>(&'a mut Settings);

impl ParallelCompilationConfig<'_> {
    /// Compile functions on several threads.
    ///
    /// ```no_run
    /// # let mut config: wasmtime_dyn::Config = unimplemented!();
    /// config.parallel_compilation().expect("a build with parallel compilation").enable(false);
    /// ```
    pub fn enable(&mut self, enable: bool) -> &mut Self {
        self.0.parallel_compilation = Some(enable);
        self
    }
}

/// Reference types and GC proposals, from [`Config::gc`].
///
/// ```no_run
/// # let mut config: wasmtime_dyn::Config = unimplemented!();
/// let mut gc = config.gc().expect("a build with GC");
/// gc.wasm_reference_types(true).wasm_function_references(true).wasm_gc(true);
/// ```
pub struct GcConfig<'a>(&'a mut Settings);

impl GcConfig<'_> {
    /// The reference types proposal.
    ///
    /// ```no_run
    /// # let mut config: wasmtime_dyn::Config = unimplemented!();
    /// config.gc().expect("a build with GC").wasm_reference_types(false);
    /// ```
    pub fn wasm_reference_types(&mut self, enable: bool) -> &mut Self {
        self.0.reference_types = Some(enable);
        self
    }

    /// The typed function references proposal.
    ///
    /// ```no_run
    /// # let mut config: wasmtime_dyn::Config = unimplemented!();
    /// config.gc().expect("a build with GC").wasm_function_references(true);
    /// ```
    pub fn wasm_function_references(&mut self, enable: bool) -> &mut Self {
        self.0.function_references = Some(enable);
        self
    }

    /// The GC proposal.
    ///
    /// ```no_run
    /// # let mut config: wasmtime_dyn::Config = unimplemented!();
    /// config.gc().expect("a build with GC").wasm_gc(true);
    /// ```
    pub fn wasm_gc(&mut self, enable: bool) -> &mut Self {
        self.0.wasm_gc = Some(enable);
        self
    }

    /// The exception handling proposal.
    ///
    /// ```no_run
    /// # let mut config: wasmtime_dyn::Config = unimplemented!();
    /// config.gc().expect("a build with GC").wasm_exceptions(true);
    /// ```
    pub fn wasm_exceptions(&mut self, enable: bool) -> &mut Self {
        self.0.exceptions = Some(enable);
        self
    }
}

/// The compilation cache, from [`Config::cache`]: compiled code is stored
/// on disk and a later compilation of the same module (same settings, same
/// Wasmtime) loads it instead of compiling.
///
/// ```no_run
/// use wasmtime_dyn::{Engine, Module};
/// # let (wasmtime, mut config): (&'static wasmtime_dyn::Wasmtime, wasmtime_dyn::Config) = unimplemented!();
/// config.cache().expect("a build with the cache").enable_default();
/// let engine = Engine::new(wasmtime, &config)?;
/// let module = Module::new(&engine, "(module)")?; // compiled once, then loaded from disk
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
pub struct CacheConfig<'a>(&'a mut Settings);

impl CacheConfig<'_> {
    /// Wasmtime's default cache settings (a directory under the user's
    /// cache directory).
    ///
    /// ```no_run
    /// # let mut config: wasmtime_dyn::Config = unimplemented!();
    /// config.cache().expect("a build with the cache").enable_default();
    /// ```
    pub fn enable_default(&mut self) -> &mut Self {
        self.0.cache = Some(CacheSource::Default);
        self
    }

    /// Settings from a Wasmtime cache configuration file (TOML; see
    /// Wasmtime's documentation of `wasmtime config new`).
    ///
    /// ```no_run
    /// # let mut config: wasmtime_dyn::Config = unimplemented!();
    /// config.cache().expect("a build with the cache").from_file("/etc/my-app/wasmtime-cache.toml");
    /// ```
    pub fn from_file(&mut self, path: impl Into<std::path::PathBuf>) -> &mut Self {
        self.0.cache = Some(CacheSource::File(path.into()));
        self
    }

    /// Default settings, cached in `directory` (created if missing).
    ///
    /// ```no_run
    /// # let mut config: wasmtime_dyn::Config = unimplemented!();
    /// config.cache().expect("a build with the cache").directory("/var/cache/my-app/wasm");
    /// ```
    pub fn directory(&mut self, directory: impl Into<std::path::PathBuf>) -> &mut Self {
        self.0.cache = Some(CacheSource::Directory(directory.into()));
        self
    }
}

/// The pooling allocator, from [`Config::pooling_allocator`].
///
/// ```no_run
/// use wasmtime_dyn::PoolingConfig;
/// # let mut config: wasmtime_dyn::Config = unimplemented!();
/// if let Some(mut pooling) = config.pooling_allocator() {
///     pooling.enable(PoolingConfig::default());
/// }
/// ```
pub struct PoolingAllocatorConfig<'a>(&'a mut Settings);

impl PoolingAllocatorConfig<'_> {
    /// Allocates instances from a pool with these limits (instead of on
    /// demand). Instantiating past a limit is an error, not an abort.
    ///
    /// ```no_run
    /// # let mut config: wasmtime_dyn::Config = unimplemented!();
    /// let mut pool = wasmtime_dyn::PoolingConfig::default();
    /// pool.total_core_instances = Some(100);
    /// pool.max_memory_size = Some(1 << 24);
    /// config.pooling_allocator().expect("a build with pooling").enable(pool);
    /// ```
    pub fn enable(&mut self, pool: crate::pooling::PoolingConfig) -> &mut Self {
        self.0.pooling = Some(pool);
        self
    }
}

/// The threads proposal, from [`Config::threads`].
///
/// ```no_run
/// # let mut config: wasmtime_dyn::Config = unimplemented!();
/// let mut threads = config.threads().expect("a build with threads");
/// threads.wasm_threads(true);
/// ```
pub struct ThreadsConfig<'a>(&'a mut Settings);

impl ThreadsConfig<'_> {
    /// The threads proposal (shared memories, atomics).
    ///
    /// ```no_run
    /// # let mut config: wasmtime_dyn::Config = unimplemented!();
    /// config.threads().expect("a build with threads").wasm_threads(true);
    /// config.shared_memory(true); // to create SharedMemory values from the host
    /// ```
    pub fn wasm_threads(&mut self, enable: bool) -> &mut Self {
        self.0.threads = Some(enable);
        self
    }
}
