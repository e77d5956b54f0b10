//! Which WebAssembly proposals each file of the suite runs with.
//!
//! The choice is the one Wasmtime's own spec runner makes from the file's
//! path (`spec_test_config` in Wasmtime's `crates/test-util/src/wast.rs`,
//! applied by `apply_test_config` in `crates/test-util/src/wasmtime_wast.rs`):
//! every proposal starts off, then
//! - the core suite (the top level, `legacy/`, `custom/`): reference types,
//!   SIMD, relaxed SIMD, multi-memory, GC (with typed function references),
//!   memory64, tail calls, extended constants, exceptions; `legacy/` adds
//!   the legacy exceptions proposal;
//! - `proposals/threads/`: threads, with reference types off;
//! - `proposals/custom-page-sizes/`: custom page sizes, multi-memory,
//!   memory64, reference types;
//! - `proposals/wide-arithmetic/`: wide arithmetic;
//! - `proposals/custom-descriptors/`: custom descriptors;
//!
//! and bulk memory everywhere. Mapped onto this crate's [`Config`] setters,
//! with two that neither this crate nor the C API has: extended constants
//! (Wasmtime's default, on, is what every file gets) and legacy exceptions
//! (which no Wasmtime of the supported majors implements, see
//! [`Unimplemented`]).

use std::path::Path;
use wasmtime_dyn::{Capabilities, Capability, Config};

/// The proposals a file runs with (the ones Wasmtime's runner sets; the
/// others keep the library's defaults).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct Features {
    pub reference_types: bool,
    pub function_references: bool,
    pub gc: bool,
    pub exceptions: bool,
    pub simd: bool,
    pub relaxed_simd: bool,
    pub multi_memory: bool,
    pub memory64: bool,
    pub tail_call: bool,
    pub threads: bool,
    pub custom_page_sizes: bool,
    pub wide_arithmetic: bool,
}

/// A proposal a file tests that Wasmtime does not implement, so that the
/// file's directives that fail are skipped with this reason.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Unimplemented {
    LegacyExceptions,
    CustomDescriptors,
}

impl Unimplemented {
    /// The skip reason: the proposal, and the Wasmtime source that says it
    /// is not implemented (the same in every supported major, 45 to 50).
    pub fn reason(self, major: u32) -> String {
        match self {
            Unimplemented::LegacyExceptions => format!(
                "the legacy exception-handling proposal (legacy/), which Wasmtime {major} does not \
                 implement: the wasmtime crate's src/config.rs leaves LEGACY_EXCEPTIONS out of the \
                 features known to Wasmtime (Config::compiler_panicking_wasm_features), \
                 wasmtime-internal-cranelift's src/translate/code_translator.rs refuses its \
                 instructions (\"legacy exception handling proposal is not supported\"), and the C \
                 API has no setter for it"
            ),
            Unimplemented::CustomDescriptors => format!(
                "the custom-descriptors proposal (proposals/custom-descriptors/), which Wasmtime \
                 {major} does not implement: the wasmtime crate's src/config.rs leaves \
                 CUSTOM_DESCRIPTORS out of the features known to Wasmtime \
                 (Config::compiler_panicking_wasm_features), and the C API has no setter for it"
            ),
        }
    }
}

/// How one file runs.
#[derive(Clone, Copy, Debug)]
pub struct FileConfig {
    pub features: Features,
    pub unimplemented: Option<Unimplemented>,
}

/// The configuration of the file at `relative` (its path inside the suite's
/// directory); an error for a proposal directory this table does not know.
pub fn for_file(relative: &Path) -> Result<FileConfig, String> {
    let mut parts = relative.iter().filter_map(|p| p.to_str());
    let proposal = loop {
        match parts.next() {
            Some("proposals") => break parts.next(),
            Some(_) => {}
            None => break None,
        }
    };
    let features = match proposal {
        None => Features {
            reference_types: true,
            function_references: true,
            gc: true,
            exceptions: true,
            simd: true,
            relaxed_simd: true,
            multi_memory: true,
            memory64: true,
            tail_call: true,
            ..Features::default()
        },
        Some("threads") => Features {
            threads: true,
            ..Features::default()
        },
        Some("custom-page-sizes") => Features {
            custom_page_sizes: true,
            multi_memory: true,
            memory64: true,
            reference_types: true,
            ..Features::default()
        },
        Some("wide-arithmetic") => Features {
            wide_arithmetic: true,
            ..Features::default()
        },
        Some("custom-descriptors") => Features::default(),
        Some(other) => {
            return Err(format!(
                "proposals/{other}/: a proposal the runner has no configuration for \
                 (tests/spec/features.rs); look up what Wasmtime's spec_test_config enables for it"
            ))
        }
    };
    let unimplemented = if proposal == Some("custom-descriptors") {
        Some(Unimplemented::CustomDescriptors)
    } else if relative.parent().is_some_and(|p| p.ends_with("legacy")) {
        Some(Unimplemented::LegacyExceptions)
    } else {
        None
    };
    Ok(FileConfig {
        features,
        unimplemented,
    })
}

impl Features {
    /// Sets every proposal of `self` on `config`, for code that a library
    /// with the capabilities `target` runs: the settings of a capability
    /// `target` lacks are left alone (that library cannot set them either,
    /// and a precompiled module must match its engine).
    pub fn configure(&self, config: &mut Config, target: Capabilities) {
        config
            .wasm_bulk_memory(true)
            .wasm_simd(self.simd)
            .wasm_relaxed_simd(self.relaxed_simd)
            .wasm_multi_memory(self.multi_memory)
            .wasm_memory64(self.memory64)
            .wasm_tail_call(self.tail_call)
            .wasm_custom_page_sizes(self.custom_page_sizes)
            .wasm_wide_arithmetic(self.wide_arithmetic);
        if target.contains(Capability::Gc) {
            if let Some(mut gc) = config.gc() {
                gc.wasm_reference_types(self.reference_types)
                    .wasm_function_references(self.function_references)
                    .wasm_gc(self.gc)
                    .wasm_exceptions(self.exceptions);
            }
        }
        if !self.reference_types {
            // Wasmtime 49 and later refuse the component model's
            // concurrency support (on by default where the library has it)
            // without reference types (49's config.rs:2786); no core
            // module uses it.
            config.concurrency_support(false);
        }
        if target.contains(Capability::Threads) {
            if let Some(mut threads) = config.threads() {
                threads.wasm_threads(self.threads);
            }
            // The `spectest` module's `shared_memory` is made by the host.
            config.shared_memory(self.threads);
        }
    }
}

/// A proposal a major may refuse to turn on, too old for its setter.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Proposal {
    Exceptions,
    CustomPageSizes,
}

impl Proposal {
    /// (proposal, the `Config` setter the refusal names, words of
    /// Wasmtime's validator saying it is off).
    const TABLE: [(Proposal, &'static str, &'static str); 2] = [
        (Proposal::Exceptions, "`wasm_exceptions`", "exception"),
        (
            Proposal::CustomPageSizes,
            "`wasm_custom_page_sizes`",
            "custom page size",
        ),
    ];

    pub fn name(self) -> &'static str {
        match self {
            Proposal::Exceptions => "exceptions",
            Proposal::CustomPageSizes => "custom-page-sizes",
        }
    }

    /// Whether Wasmtime's error `message` (one saying a feature is off) is
    /// about this proposal.
    pub fn named_by(self, message: &str) -> bool {
        let message = message.to_ascii_lowercase();
        Self::TABLE
            .iter()
            .any(|(p, _, words)| *p == self && message.contains(words))
    }
}

impl Features {
    /// `self` with the typed function references, GC and exceptions
    /// proposals off, for a file none of whose modules needs them
    /// (`typed_references::needed`).
    pub fn without_typed_references(self) -> Features {
        Features {
            function_references: false,
            gc: false,
            exceptions: false,
            ..self
        }
    }

    /// Turns off the proposal whose setter the library's too-old
    /// `refusal` names, if `self` has it on; returns it.
    pub fn turn_off_refused(&mut self, refusal: &str) -> Option<Proposal> {
        let (proposal, _, _) = Proposal::TABLE
            .iter()
            .find(|(_, setter, _)| refusal.contains(setter))?;
        let on = match proposal {
            Proposal::Exceptions => &mut self.exceptions,
            Proposal::CustomPageSizes => &mut self.custom_page_sizes,
        };
        (*on).then(|| {
            *on = false;
            *proposal
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_choose_the_proposals() {
        let core = for_file(Path::new("simd_lane.wast")).unwrap();
        assert!(core.features.gc && core.features.memory64 && core.unimplemented.is_none());
        let legacy = for_file(Path::new("legacy/try_catch.wast")).unwrap();
        assert_eq!(legacy.features, core.features);
        assert_eq!(legacy.unimplemented, Some(Unimplemented::LegacyExceptions));
        let threads = for_file(Path::new("proposals/threads/atomic.wast")).unwrap();
        assert!(threads.features.threads && !threads.features.reference_types);
        let pages = for_file(Path::new("proposals/custom-page-sizes/binary.wast")).unwrap();
        assert!(pages.features.custom_page_sizes && !pages.features.gc);
        let descriptors = for_file(Path::new("proposals/custom-descriptors/exact.wast")).unwrap();
        assert_eq!(
            descriptors.unimplemented,
            Some(Unimplemented::CustomDescriptors)
        );
        assert!(for_file(Path::new("proposals/stack-switching/cont.wast")).is_err());
    }

    #[test]
    fn a_refused_setter_turns_its_proposal_off() {
        let refusal = "`wasm_exceptions` needs Wasmtime 39 or later; the loaded libwasmtime is \
                       Wasmtime 36.0.0";
        let mut core = for_file(Path::new("throw.wast")).unwrap().features;
        assert_eq!(core.turn_off_refused(refusal), Some(Proposal::Exceptions));
        assert!(!core.exceptions && core.gc);
        // Off already, or a setter no proposal here has: nothing to turn off.
        assert_eq!(core.turn_off_refused(refusal), None);
        assert_eq!(core.turn_off_refused("`wasm_branch_hinting` needs"), None);
        assert!(Proposal::Exceptions.named_by("exceptions proposal not enabled"));
        assert!(Proposal::CustomPageSizes.named_by(
            "the custom page sizes proposal must be enabled to customize a memory's page size"
        ));
        assert!(!Proposal::CustomPageSizes.named_by("exceptions support is not enabled"));
    }
}
