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
//! Wasmtime only loads artifacts of its own version, and the engine
//! section's layout changes between majors, so the version string at the
//! start of the section decides everything else:
//!
//! - [`inspect`] decodes the layout of every Wasmtime from 36 to 50 (nine
//!   layouts: 36, 37–38, 39–41, 42, 43–44, 45, 46, 47–49 and 50, which
//!   differ in the `Tunables` fields recorded and, for 36, in the
//!   numbering of the feature bits). An artifact of any other version (35
//!   or older, 51 or newer, a made-up string) gets
//!   [`ErrorKind::UnknownArtifactLayout`] naming its version: its metadata
//!   is never read with another version's layout.
//! - [`preflight`] against an engine of another major says so, whatever the
//!   layout: [`ErrorKind::IncompatibleArtifact`] with "made by Wasmtime X, this
//!   engine is Wasmtime Y".
//!
//! The checks mirror Wasmtime's `check_compatible`
//! (`wasmtime/src/engine/serialization.rs`) and its host checks
//! (`check_compatible_with_shared_flag`, `check_compatible_with_isa_flag`)
//! of the engine's major. The engine's side is worked out from its
//! settings, its library's capabilities and its major's defaults
//! ([`engine_profile`]); what cannot be known that way is approximated, as
//! said where it happens:
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
//!   is one), then compared by architecture and operating system with the
//!   engine's target (the host's, or its [`Config::target`]'s, by name:
//!   aliases such as `arm64` for `aarch64` are not unified);
//! - ISA flags are CPU features detected as Wasmtime does on x86-64 and
//!   AArch64 (AVX-VNNI and the AVX-512 extensions through CPUID, as
//!   `std_detect` does, since older Rust versions lack their names); on
//!   other hosts they are assumed present;
//! - [`Strategy::Auto`](crate::Strategy::Auto) is taken to mean Cranelift.
//!
//! Wasmtime stops at the first problem; [`preflight`] lists them all, in
//! Wasmtime's order, so its first reason is Wasmtime's message. Problems
//! past the engine section (damaged code or metadata) only show when
//! deserializing; [`inspect`] only checks that every section lies in the
//! file.

mod checks;
mod elf;
pub(crate) mod features;
pub(crate) mod host;
mod info;
mod layouts;
pub(crate) mod lexicon;
pub(crate) mod profile;
mod tunables;
mod wire;

pub use checks::incompatibilities;
pub use features::feature_names;
pub use info::{
    ArtifactKind, Collector, CwasmInfo, FlagValue, Inlining, IntraModuleInlining, OperatorCost,
    Tunables, OPERATOR_COUNT,
};
pub use profile::{engine_profile, EngineProfile};

use crate::engine::Engine;
use crate::error::{ErrorKind, Result};
use crate::loader::Version;
use crate::versions::{ENGINE_LAYOUT, FULL_VERSION_IN_ARTIFACTS, VARIABLE_OPERATOR_COSTS};
#[cfg(doc)]
use crate::Config;
use elf::invalid;

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

/// The start of an engine section: the artifact's kind and `e_flags` (from
/// the ELF header), the version string and the metadata after it.
struct Header<'a> {
    kind: ArtifactKind,
    e_flags: u32,
    version: &'a str,
    metadata: &'a [u8],
}

/// Reads the ELF container and the engine section's format byte and
/// version, as Wasmtime's `check_compatible` does before it compares the
/// version.
fn header(bytes: &[u8]) -> Result<Header<'_>> {
    let container = elf::read(bytes)?;
    let section = container.engine_section;
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
    Ok(Header {
        kind: container.kind,
        e_flags: container.e_flags,
        version,
        metadata,
    })
}

/// The major a version string names, when it is one Wasmtime writes: the
/// major alone, in decimal without leading zeros (since 38.0.1), or for
/// the majors that wrote the runtime crate's full version (36 and 37,
/// `FULL_VERSION_IN_ARTIFACTS`), `major.minor.patch`.
fn major_of_version(version: &str) -> Option<u32> {
    let number = |text: &str| -> Option<u32> {
        let n: u32 = text.parse().ok()?;
        (n.to_string() == text).then_some(n)
    };
    let mut parts = version.split('.');
    let major = number(parts.next()?)?;
    let full = FULL_VERSION_IN_ARTIFACTS.get(major).is_some();
    match (parts.next(), parts.next(), parts.next()) {
        (None, _, _) if !full => Some(major),
        (Some(minor), Some(patch), None) if full => {
            number(minor)?;
            number(patch)?;
            Some(major)
        }
        _ => None,
    }
}

/// Whether an engine of the library version `engine` takes artifacts
/// whose version string is `version`, as Wasmtime compares them: the same
/// major from 38 on; the same full version on 36 and 37 (the same major
/// when the library's minor and patch are unknown).
pub(crate) fn is_own_version(version: &str, engine: Version) -> bool {
    match FULL_VERSION_IN_ARTIFACTS.get(engine.major()) {
        None => version == engine.major().to_string(),
        Some(_) if engine.is_exact() => version == engine.to_string(),
        Some(_) => major_of_version(version) == Some(engine.major()),
    }
}

/// The Wasmtime versions whose engine-section layout [`inspect`] decodes,
/// as text (`"36 to 50"`), from the per-version data.
pub(crate) fn decoded_versions() -> String {
    let first = ENGINE_LAYOUT.0.iter().map(|(r, _)| *r.start()).min();
    let last = ENGINE_LAYOUT.0.iter().map(|(r, _)| *r.end()).max();
    match (first, last) {
        (Some(first), Some(last)) => format!("{first} to {last}"),
        _ => "none".into(),
    }
}

/// Decodes the metadata after the version with the layout of the version's
/// major, or refuses an unknown one.
fn decode(header: Header<'_>) -> Result<CwasmInfo> {
    let unknown = || ErrorKind::UnknownArtifactLayout {
        version: header.version.to_string(),
    };
    let major = major_of_version(header.version).ok_or_else(unknown)?;
    let layout = *ENGINE_LAYOUT.get(major).ok_or_else(unknown)?;
    // Only layouts with a cost table read this (a unit test checks they
    // all have an entry).
    let cost_table = OPERATOR_COUNT + VARIABLE_OPERATOR_COSTS.get(major).copied().unwrap_or(0);
    // Wasmtime's `Metadata`: the target, the shared and ISA flags, the
    // tunables, the features.
    let mut r = wire::Fields::new(header.metadata);
    let target = r.field::<&str>("target")?.to_string();
    let shared_flags = r.flags("shared_flags")?;
    let isa_flags = r.flags("isa_flags")?;
    let tunables = tunables::tunables(&mut r, layout, cost_table)?;
    let recorded_feature_bits = r.field::<u64>("features")?;
    let feature_bits = layouts::renumber_features(layout, recorded_feature_bits);
    Ok(CwasmInfo {
        kind: header.kind,
        e_flags: header.e_flags,
        version: header.version.to_string(),
        target,
        shared_flags,
        isa_flags,
        tunables,
        tunables_recorded: layouts::tunables(layout).iter().map(|f| f.name()).collect(),
        feature_bits,
        recorded_feature_bits,
        features: feature_names(feature_bits),
    })
}

/// Reads a `.cwasm`'s ELF header and engine section: kind, Wasmtime
/// version, target, Cranelift settings, [`Tunables`] and required
/// WebAssembly features. Nothing is handed to a library. Linear in the
/// length of `bytes`.
///
/// ```no_run
/// use wasmtime_dyn::{cwasm, ErrorKind};
/// let bytes = std::fs::read("app.cwasm").unwrap();
/// match cwasm::inspect(&bytes) {
///     Ok(info) => println!("made by Wasmtime {}: {info:#?}", info.version),
///     Err(e) => match e.downcast_ref() {
///         Some(ErrorKind::UnknownArtifactLayout { version }) => {
///             println!("made by Wasmtime {version}, whose layout is not decoded")
///         }
///         _ => return Err(e),
///     },
/// }
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
///
/// # Errors
///
/// [`ErrorKind::Invalid`] naming what is wrong when the bytes are not a
/// Wasmtime artifact (not ELF64, no Wasmtime `e_flags` bit, headers or
/// sections out of the file, no `.wasmtime.engine` section, undecodable
/// metadata); [`ErrorKind::UnknownArtifactLayout`] naming the version when the
/// artifact was made by a Wasmtime whose engine-section layout this crate
/// does not decode (any but 36 to 50).
pub fn inspect(bytes: &[u8]) -> Result<CwasmInfo> {
    decode(header(bytes)?)
}

/// Cranelift settings by name, as an artifact records them.
pub(crate) type CompilerFlags = Vec<(String, FlagValue)>;

/// The Cranelift settings an artifact records: every shared and every ISA
/// setting of the compiling library's Cranelift for the artifact's target,
/// with its value (presets are not settings and are not recorded). Read
/// from the start of the engine section (target, shared settings, ISA
/// settings), which every major from 36 to 50 lays out alike, ahead of
/// the layouts [`inspect`] decodes.
pub(crate) fn compiler_settings(bytes: &[u8]) -> Result<(CompilerFlags, CompilerFlags)> {
    let header = header(bytes)?;
    let mut r = wire::Fields::new(header.metadata);
    r.field::<&str>("target")?;
    let shared = r.flags("shared_flags")?;
    let isa = r.flags("isa_flags")?;
    Ok((shared, isa))
}

/// What [`Engine::detect_precompiled`] returns: the kind of artifact that
/// bytes look like. Also exported at the crate root, as in the `wasmtime`
/// crate.
///
/// ```
/// use wasmtime_dyn::{cwasm::Precompiled, Engine};
/// assert_eq!(Engine::detect_precompiled(b"\0asm\x01\0\0\0"), None);
/// assert_ne!(Precompiled::Module, Precompiled::Component);
/// ```
pub use crate::engine::Precompiled;

/// Whether `bytes` look like a Wasmtime artifact, and of which kind, as
/// `wasmtime::Engine::detect_precompiled` decides: an ELF64 file (either
/// byte order) with Wasmtime's OS ABI (200), ABI version 0, and the module
/// or component bit in `e_flags` (the module bit first), whose section
/// header table lies in the file. Nothing else is read: the engine section
/// may still be missing or refused.
pub(crate) fn detect(bytes: &[u8]) -> Option<ArtifactKind> {
    elf::detect(bytes)
}

/// Whether `engine` will take the `.cwasm` `bytes`, without deserializing
/// it: [`inspect`] then [`incompatibilities`]. `Ok` with what the artifact
/// says when it fits. Linear in the length of `bytes`.
///
/// ```no_run
/// use wasmtime_dyn::{cwasm, precompile_for, Engine, ErrorKind, Wasmtime};
/// # let (full, min): (&'static Wasmtime, &'static Wasmtime) = unimplemented!();
/// let engine = Engine::default_for(min)?;
/// let good = precompile_for(full, min.capabilities(), "(module)")?;
/// assert!(cwasm::preflight(&engine, &good).is_ok());
///
/// let full_engine = Engine::default_for(full)?;
/// let bad = full_engine.compiler().unwrap().precompile(b"\0asm\x01\0\0\0")?;
/// match cwasm::preflight(&engine, &bad).map_err(|e| e.downcast::<ErrorKind>()) {
///     Err(Ok(ErrorKind::IncompatibleArtifact(why))) => println!("{why}"),
///     other => panic!("{other:?}"),
/// }
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
///
/// # Errors
///
/// [`ErrorKind::IncompatibleArtifact`] with every reason, in Wasmtime's order
/// (so the first is the one deserializing would report), joined by `"; "`;
/// for an artifact of another Wasmtime version, the reason says "made by
/// Wasmtime X, this engine is Wasmtime Y", whether or not its layout is
/// one [`inspect`] decodes. [`ErrorKind::Invalid`] for bytes that are not a
/// Wasmtime artifact; [`ErrorKind::UnknownArtifactLayout`] for an artifact of
/// the engine's own version when this crate does not decode its layout.
pub fn preflight(engine: &Engine, bytes: &[u8]) -> Result<CwasmInfo> {
    preflight_as(engine, bytes, ArtifactKind::Module)
}

/// [`preflight`] for an artifact of `expected` kind (a component for
/// `Component::deserialize`).
pub(crate) fn preflight_as(
    engine: &Engine,
    bytes: &[u8],
    expected: ArtifactKind,
) -> Result<CwasmInfo> {
    let header = header(bytes)?;
    let own = engine.wasmtime().version();
    if !is_own_version(header.version, own) {
        let reasons = checks::header_reasons(header.kind, expected, header.version, own);
        return Err(ErrorKind::IncompatibleArtifact(reasons.join("; ")).into());
    }
    let info = decode(header)?;
    let reasons = checks::incompatibilities_for(engine, &info, expected);
    if reasons.is_empty() {
        Ok(info)
    } else {
        Err(ErrorKind::IncompatibleArtifact(reasons.join("; ")).into())
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
        assert_eq!(feature_names(1 << 43), ["cm_accessors"]);
    }

    #[test]
    fn garbage_is_invalid() {
        for bytes in [&b""[..], b"\0asm\x01\0\0\0", &[0x7f; 200]] {
            let err = inspect(bytes).unwrap_err();
            assert!(
                matches!(err.downcast_ref(), Some(ErrorKind::Invalid(_))),
                "{err:?}"
            );
        }
    }

    #[test]
    fn a_50_section_read_with_the_47_layout_is_garbage() {
        let bytes = include_bytes!("../../tests/fixtures/v50-custom.cwasm");
        let right = inspect(bytes).unwrap();
        assert_eq!(right.version, "50");
        // GC heaps copy the memory settings, which the fixture changed.
        assert_eq!(right.tunables.memory_reservation, 1 << 30);
        assert_eq!(right.tunables.gc_heap_reservation, 1 << 30);
        let header = header(bytes).unwrap();
        let mut r = wire::Fields::new(header.metadata);
        r.field::<&str>("target").unwrap();
        r.flags("shared_flags").unwrap();
        r.flags("isa_flags").unwrap();
        let wrong = tunables::tunables(
            &mut r,
            crate::versions::EngineLayout::V47,
            OPERATOR_COUNT + 16,
        );
        assert!(wrong.map_or(true, |t| t != right.tunables));
    }

    #[test]
    fn versions_name_a_major_only_as_wasmtime_writes_them() {
        assert_eq!(major_of_version("50"), Some(50));
        assert_eq!(major_of_version("050"), None);
        assert_eq!(major_of_version("48.0.0"), None);
        assert_eq!(major_of_version("+48"), None);
        assert_eq!(major_of_version(""), None);
        // 36 and 37 write the runtime crate's full version, and only they.
        assert_eq!(major_of_version("36.0.14"), Some(36));
        assert_eq!(major_of_version("37.0.2"), Some(37));
        assert_eq!(major_of_version("36"), None);
        assert_eq!(major_of_version("36.0"), None);
        assert_eq!(major_of_version("36.0.01"), None);
        assert_eq!(major_of_version("38.0.1"), None);
        assert_eq!(major_of_version("38"), Some(38));
        assert!(is_own_version("36.0.2", Version::exact(36, 0, 2)));
        assert!(!is_own_version("36.0.1", Version::exact(36, 0, 2)));
        assert!(is_own_version("36.0.1", Version::major_only(36)));
        assert!(is_own_version("48", Version::exact(48, 0, 1)));
        assert!(!is_own_version("48.0.1", Version::exact(48, 0, 1)));
        assert_eq!(decoded_versions(), "36 to 50");
    }
}
