//! The optional features a libwasmtime build may carry.

use std::fmt;

/// An optional feature of a libwasmtime build, named after the C API's cargo
/// feature. Present only when every function of its table resolves.
///
/// ```
/// use wasmtime_dyn::Capability;
/// assert_eq!(Capability::WasiHttp.name(), "wasi-http");
/// assert_eq!(Capability::ALL.len(), 13);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Capability {
    /// Compiling `.wasm` (Cranelift or Winch), validation, serialization,
    /// compiler settings.
    Compiler,
    /// Parsing the WebAssembly text format.
    Wat,
    /// WASI preview 1.
    Wasi,
    /// WASI HTTP.
    WasiHttp,
    /// The compilation cache.
    Cache,
    /// Parallel compilation.
    ParallelCompilation,
    /// Async calls and instantiation.
    Async,
    /// Reference values and the GC proposals.
    Gc,
    /// Shared memories and the threads proposal.
    Threads,
    /// The pooling instance allocator.
    PoolingAllocator,
    /// The component model.
    ComponentModel,
    /// The async component model.
    ComponentModelAsync,
    /// The guest profiler.
    Profiling,
}

impl Capability {
    /// Every capability, in a stable order.
    ///
    /// ```
    /// use wasmtime_dyn::Capability;
    /// assert_eq!(Capability::ALL[0], Capability::Compiler);
    /// assert!(Capability::ALL.contains(&Capability::Profiling));
    /// ```
    pub const ALL: [Capability; 13] = [
        Capability::Compiler,
        Capability::Wat,
        Capability::Wasi,
        Capability::WasiHttp,
        Capability::Cache,
        Capability::ParallelCompilation,
        Capability::Async,
        Capability::Gc,
        Capability::Threads,
        Capability::PoolingAllocator,
        Capability::ComponentModel,
        Capability::ComponentModelAsync,
        Capability::Profiling,
    ];

    /// The name used in messages, after the C API's cargo feature
    /// (`compiler` stands for `cranelift` or `winch`).
    ///
    /// ```
    /// assert_eq!(wasmtime_dyn::Capability::Gc.name(), "gc");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Capability::Compiler => "compiler",
            Capability::Wat => "wat",
            Capability::Wasi => "wasi",
            Capability::WasiHttp => "wasi-http",
            Capability::Cache => "cache",
            Capability::ParallelCompilation => "parallel-compilation",
            Capability::Async => "async",
            Capability::Gc => "gc",
            Capability::Threads => "threads",
            Capability::PoolingAllocator => "pooling-allocator",
            Capability::ComponentModel => "component-model",
            Capability::ComponentModelAsync => "component-model-async",
            Capability::Profiling => "profiling",
        }
    }

    fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A set of [`Capability`] values: small, `Copy`, iterable, printable.
///
/// ```
/// use wasmtime_dyn::{Capabilities, Capability};
/// let set: Capabilities = [Capability::Wat, Capability::Compiler].into_iter().collect();
/// assert!(set.contains(Capability::Wat));
/// assert_eq!(set.to_string(), "compiler, wat");
/// assert_eq!(set.iter().count(), 2);
/// assert_eq!(Capabilities::EMPTY.to_string(), "none");
/// ```
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Capabilities(u16);

impl Capabilities {
    /// The empty set.
    ///
    /// ```
    /// use wasmtime_dyn::Capabilities;
    /// assert!(Capabilities::EMPTY.is_empty());
    /// assert_eq!(Capabilities::EMPTY, Capabilities::default());
    /// ```
    pub const EMPTY: Capabilities = Capabilities(0);

    /// Every capability.
    ///
    /// ```
    /// assert_eq!(wasmtime_dyn::Capabilities::all().len(), 13);
    /// ```
    pub fn all() -> Capabilities {
        Capability::ALL.into_iter().collect()
    }

    /// Whether `capability` is in the set.
    ///
    /// ```
    /// use wasmtime_dyn::{Capabilities, Capability};
    /// let set: Capabilities = [Capability::Wat].into_iter().collect();
    /// assert!(set.contains(Capability::Wat));
    /// assert!(!set.contains(Capability::Gc));
    /// ```
    pub fn contains(self, capability: Capability) -> bool {
        self.0 & capability.bit() != 0
    }

    /// Adds `capability` to the set.
    ///
    /// ```
    /// use wasmtime_dyn::{Capabilities, Capability};
    /// let mut set = Capabilities::EMPTY;
    /// set.insert(Capability::Gc);
    /// assert_eq!(set.to_string(), "gc");
    /// ```
    pub fn insert(&mut self, capability: Capability) {
        self.0 |= capability.bit();
    }

    /// Removes `capability` from the set.
    ///
    /// ```
    /// use wasmtime_dyn::{Capabilities, Capability};
    /// let mut set = Capabilities::all();
    /// set.remove(Capability::Compiler);
    /// assert!(!set.contains(Capability::Compiler));
    /// assert_eq!(set.len(), 12);
    /// ```
    pub fn remove(&mut self, capability: Capability) {
        self.0 &= !capability.bit();
    }

    /// The number of capabilities in the set.
    ///
    /// ```
    /// use wasmtime_dyn::{Capabilities, Capability};
    /// let twice = [Capability::Wat, Capability::Gc, Capability::Wat];
    /// let set: Capabilities = twice.into_iter().collect();
    /// assert_eq!(set.len(), 2);
    /// ```
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// Whether the set is empty.
    ///
    /// ```
    /// use wasmtime_dyn::Capabilities;
    /// assert!(Capabilities::EMPTY.is_empty());
    /// assert!(!Capabilities::all().is_empty());
    /// ```
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The capabilities in the set, in the order of [`Capability::ALL`].
    ///
    /// ```
    /// use wasmtime_dyn::{Capabilities, Capability};
    /// let set: Capabilities = [Capability::Gc, Capability::Compiler].into_iter().collect();
    /// let names: Vec<&str> = set.iter().map(Capability::name).collect();
    /// assert_eq!(names, ["compiler", "gc"]);
    /// ```
    pub fn iter(self) -> Iter {
        Iter { set: self, next: 0 }
    }
}

impl FromIterator<Capability> for Capabilities {
    fn from_iter<I: IntoIterator<Item = Capability>>(iter: I) -> Self {
        let mut set = Capabilities::EMPTY;
        for capability in iter {
            set.insert(capability);
        }
        set
    }
}

impl IntoIterator for Capabilities {
    type Item = Capability;
    type IntoIter = Iter;

    fn into_iter(self) -> Iter {
        self.iter()
    }
}

/// Iterator over a [`Capabilities`] set, from [`Capabilities::iter`].
///
/// ```
/// use wasmtime_dyn::{Capabilities, CapabilitiesIter, Capability};
/// let mut iter: CapabilitiesIter = Capabilities::all().iter();
/// assert_eq!(iter.next(), Some(Capability::Compiler));
/// assert_eq!(iter.count(), 12);
/// ```
#[derive(Clone, Debug)]
pub struct Iter {
    set: Capabilities,
    next: usize,
}

impl Iterator for Iter {
    type Item = Capability;

    fn next(&mut self) -> Option<Capability> {
        while let Some(&capability) = Capability::ALL.get(self.next) {
            self.next += 1;
            if self.set.contains(capability) {
                return Some(capability);
            }
        }
        None
    }
}

impl fmt::Display for Capabilities {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("none");
        }
        for (i, capability) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(capability.name())?;
        }
        Ok(())
    }
}

impl fmt::Debug for Capabilities {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

/// A feature of a libwasmtime build that has no functions of its own, so its
/// presence cannot be told from the library: always reported as unknown.
///
/// ```
/// use wasmtime_dyn::UndetectableFeature;
/// assert_eq!(UndetectableFeature::Coredump.to_string(), "coredump");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UndetectableFeature {
    /// Symbol demangling in backtraces (`demangle`).
    Demangle,
    /// DWARF line information in backtraces (`addr2line`).
    Addr2line,
    /// Core dumps on trap (`coredump`).
    Coredump,
    /// Debugger support builtins (`debug-builtins`).
    DebugBuiltins,
    /// Logging through `env_logger` (`logging`).
    Logging,
}

impl UndetectableFeature {
    /// Every feature that cannot be detected.
    ///
    /// ```
    /// use wasmtime_dyn::UndetectableFeature;
    /// let names: Vec<&str> = UndetectableFeature::ALL.iter().map(|f| f.name()).collect();
    /// assert_eq!(names, ["demangle", "addr2line", "coredump", "debug-builtins", "logging"]);
    /// ```
    pub const ALL: [UndetectableFeature; 5] = [
        UndetectableFeature::Demangle,
        UndetectableFeature::Addr2line,
        UndetectableFeature::Coredump,
        UndetectableFeature::DebugBuiltins,
        UndetectableFeature::Logging,
    ];

    /// The C API cargo feature's name.
    ///
    /// ```
    /// assert_eq!(wasmtime_dyn::UndetectableFeature::DebugBuiltins.name(), "debug-builtins");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            UndetectableFeature::Demangle => "demangle",
            UndetectableFeature::Addr2line => "addr2line",
            UndetectableFeature::Coredump => "coredump",
            UndetectableFeature::DebugBuiltins => "debug-builtins",
            UndetectableFeature::Logging => "logging",
        }
    }
}

impl fmt::Display for UndetectableFeature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why `wasmtime` lacks `capability`: [`ErrorKind::UnsupportedVersion`]
/// naming `feature` where its major predates it (or predates what these
/// bindings can use), else [`ErrorKind::Unsupported`] (a build without the
/// feature).
///
/// [`ErrorKind::UnsupportedVersion`]: crate::ErrorKind::UnsupportedVersion
/// [`ErrorKind::Unsupported`]: crate::ErrorKind::Unsupported
pub(crate) fn absent(
    wasmtime: &crate::Wasmtime,
    capability: Capability,
    feature: &'static str,
) -> crate::Error {
    match wasmtime.capability_absence(capability) {
        Some(crate::sys::tables::Absence::NotInVersion { majors, .. }) => {
            crate::ErrorKind::UnsupportedVersion {
                feature,
                needs: majors.clone(),
                found: wasmtime.version(),
            }
        }
        _ => crate::ErrorKind::Unsupported(capability),
    }
    .into()
}
