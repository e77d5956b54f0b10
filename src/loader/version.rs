//! Finding out which Wasmtime version a library is.
//!
//! Three sources, in order:
//! 1. builds with Wasmtime's debug builtins export
//!    `resolve_vmctx_memory_ptr_X_Y_Z`, which names the exact version; it is
//!    read from the file before loading it ([`super::exports`]);
//! 2. builds without it (minimal, compiler-only, run-only) carry the exact
//!    version in their read-only data ([`crate::versions::version_text`]):
//!    in their internal-bug message (45 and later), and, built from
//!    crates.io, in the `wasmtime` crate's source paths of their panic
//!    locations (every major: `.../wasmtime-36.0.0/src/...`); it is read
//!    from the loaded object where the file read describes it, and taken
//!    when it names one version of a major the file's exports fit;
//! 3. any build can deserialize: a tiny hand-made artifact whose
//!    `.wasmtime.engine` section carries a candidate major version is refused
//!    with "incompatible version" ("incompatible Wasmtime version" before
//!    42) when the guess is wrong and with a later, different error when it
//!    is right (Wasmtime since 38.0.1 embeds only the major version there;
//!    36 and 37 the full version of the runtime crate, so for them every
//!    patch `versions::probe_versions` names is tried).
//!    A guess of `0` serves as the control that shows the library really
//!    checks. Only the supported majors the file's exports fit are tried.

use super::c_error::take_message;
use crate::sys::tables::{Core, CoreSince39};
use crate::sys::types::wasmtime_module_t;
use std::fmt;

/// The version of a loaded libwasmtime, as far as the library tells it.
///
/// ```
/// use wasmtime_dyn::Version;
/// let exact = Version::exact(48, 0, 1);
/// assert_eq!(exact.to_string(), "48.0.1");
/// let major = Version::major_only(48);
/// assert_eq!(major.minor(), None);
/// assert_eq!(major.to_string(), "48 (minor and patch unknown)");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Version {
    major: u32,
    minor_patch: Option<(u32, u32)>,
}

impl Version {
    /// A fully known version.
    ///
    /// ```
    /// use wasmtime_dyn::Version;
    /// let v = Version::exact(48, 0, 1);
    /// assert!(v.is_exact());
    /// assert_eq!(v.to_string(), "48.0.1");
    /// ```
    pub fn exact(major: u32, minor: u32, patch: u32) -> Version {
        Version {
            major,
            minor_patch: Some((minor, patch)),
        }
    }

    /// A version of which only the major number is known.
    ///
    /// ```
    /// use wasmtime_dyn::Version;
    /// let v = Version::major_only(48);
    /// assert_eq!((v.major(), v.minor(), v.patch()), (48, None, None));
    /// ```
    pub fn major_only(major: u32) -> Version {
        Version {
            major,
            minor_patch: None,
        }
    }

    /// The major version.
    ///
    /// ```
    /// use wasmtime_dyn::Version;
    /// assert_eq!(Version::exact(48, 2, 1).major(), 48);
    /// assert_eq!(Version::major_only(48).major(), 48);
    /// ```
    pub fn major(self) -> u32 {
        self.major
    }

    /// The minor version, when known.
    ///
    /// ```
    /// use wasmtime_dyn::Version;
    /// assert_eq!(Version::exact(48, 2, 1).minor(), Some(2));
    /// assert_eq!(Version::major_only(48).minor(), None);
    /// ```
    pub fn minor(self) -> Option<u32> {
        self.minor_patch.map(|(minor, _)| minor)
    }

    /// The patch version, when known.
    ///
    /// ```
    /// use wasmtime_dyn::Version;
    /// assert_eq!(Version::exact(48, 2, 1).patch(), Some(1));
    /// assert_eq!(Version::major_only(48).patch(), None);
    /// ```
    pub fn patch(self) -> Option<u32> {
        self.minor_patch.map(|(_, patch)| patch)
    }

    /// Whether minor and patch are known.
    ///
    /// ```
    /// use wasmtime_dyn::Version;
    /// assert!(Version::exact(48, 0, 0).is_exact());
    /// assert!(!Version::major_only(48).is_exact());
    /// ```
    pub fn is_exact(self) -> bool {
        self.minor_patch.is_some()
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.minor_patch {
            Some((minor, patch)) => write!(f, "{}.{minor}.{patch}", self.major),
            None => write!(f, "{} (minor and patch unknown)", self.major),
        }
    }
}

/// What deserializing probe artifacts says about the library's major.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// The library is this major version.
    Confirmed(u32),
    /// The library is none of the candidates.
    Refuted,
    /// The library did not answer as expected (the message says how); its
    /// version cannot be told this way.
    Unknown(String),
}

/// Probes candidate major versions by deserializing hand-made artifacts.
///
/// Its engine is made with `signals_based_traps(false)`, so probing installs
/// no signal handler in a library that may yet be refused.
pub(crate) struct MajorProbe {
    core: Core,
    engine: *mut crate::sys::types::wasm_engine_t,
}

impl MajorProbe {
    /// Creates the engine the probes deserialize into; `None` when the
    /// library makes none. `core` is the core table of a Wasmtime C API
    /// library (every major since 36 declares the functions the probe calls
    /// alike); `since39` its functions of Wasmtime 39 and later, when it has
    /// them: without them (36 to 38) the engine is made with the default
    /// traps, as those majors' C API cannot turn signal handlers off.
    pub(crate) fn new(core: &Core, since39: Option<&CoreSince39>) -> Option<MajorProbe> {
        let core = *core;
        // SAFETY: `wasm_config_new` takes nothing and returns a new config.
        let config = unsafe { (core.wasm_config_new)() };
        if config.is_null() {
            return None;
        }
        if let Some(since39) = since39 {
            // SAFETY: `config` is live; the setter only stores the flag.
            unsafe { (since39.wasmtime_config_signals_based_traps_set)(config, false) };
        }
        // SAFETY: the config is live and its ownership passes to the call.
        // Wasmtime accepts a default config with signals-based traps off in
        // every supported major (it only changes how memories are guarded).
        let engine = unsafe { (core.wasm_engine_new_with_config)(config) };
        (!engine.is_null()).then_some(MajorProbe { core, engine })
    }

    /// The error message deserializing an artifact claiming `version` gives,
    /// or `None` if it (unexpectedly) deserialized.
    fn message(&self, version: &str) -> Option<String> {
        let artifact = probe_artifact(version);
        let mut module: *mut wasmtime_module_t = std::ptr::null_mut();
        // SAFETY: `engine` is live; `artifact` is readable for its length;
        // `module` is a valid out-pointer. Deserialization of untrusted bytes
        // is unsafe in general because the code is run later; this artifact
        // has no code and fails Wasmtime's header checks, and a module that
        // did come out would be deleted without being run.
        let error = unsafe {
            (self.core.wasmtime_module_deserialize)(
                self.engine,
                artifact.as_ptr(),
                artifact.len(),
                &mut module,
            )
        };
        if error.is_null() {
            // SAFETY: deserialization succeeded, so `module` is a live module
            // owned here; it is deleted once.
            unsafe { (self.core.wasmtime_module_delete)(module) };
            return None;
        }
        // SAFETY: `error` is a live error just returned by this library.
        Some(unsafe { take_message(&self.core, error) })
    }

    /// Which of `candidates` the library is.
    pub(crate) fn find(&self, candidates: &[u32]) -> Verdict {
        let wrong = |message: &str| {
            message.contains("incompatible version")
                || message.contains("incompatible Wasmtime version")
        };
        match self.message("0") {
            Some(control) if wrong(&control) => {}
            Some(other) => return Verdict::Unknown(other),
            None => return Verdict::Unknown("a probe artifact deserialized".into()),
        }
        for &major in candidates {
            let confirmed = crate::versions::probe_versions(major)
                .any(|version| !matches!(self.message(&version), Some(message) if wrong(&message)));
            if confirmed {
                return Verdict::Confirmed(major);
            }
        }
        Verdict::Refuted
    }
}

impl Drop for MajorProbe {
    fn drop(&mut self) {
        // SAFETY: `engine` was created in `new`, is live, and is deleted once.
        unsafe { (self.core.wasm_engine_delete)(self.engine) };
    }
}

/// A minimal ELF64 file as Wasmtime's `check_compatible` reads it: the
/// Wasmtime module flag in `e_flags`, and a `.wasmtime.engine` section whose
/// contents are a format byte (0), the length-prefixed version string and
/// bytes that do not decode as the metadata that should follow.
fn probe_artifact(version: &str) -> Vec<u8> {
    const EHDR: usize = 64;
    const SHDR: usize = 64;
    let mut engine = vec![0u8, version.len() as u8];
    engine.extend_from_slice(version.as_bytes());
    engine.extend_from_slice(&[0xff; 4]);
    let strings: &[u8] = b"\0.wasmtime.engine\0.shstrtab\0";
    let engine_offset = EHDR;
    let strings_offset = engine_offset + engine.len();
    let headers_offset = (strings_offset + strings.len()).next_multiple_of(8);

    let mut elf = Vec::with_capacity(headers_offset + 3 * SHDR);
    elf.extend_from_slice(b"\x7fELF");
    elf.extend_from_slice(&[2, 1, 1]); // 64-bit, little-endian, ELF version 1
                                       // OS ABI: Wasmtime's own (200), which every major checks the version
                                       // after (before 43, an artifact with another byte fails earlier).
    elf.push(200);
    elf.resize(16, 0); // ABI version and padding
    elf.extend_from_slice(&1u16.to_le_bytes()); // e_type: relocatable
    elf.extend_from_slice(&62u16.to_le_bytes()); // e_machine: x86-64
    elf.extend_from_slice(&1u32.to_le_bytes()); // e_version
    elf.extend_from_slice(&0u64.to_le_bytes()); // e_entry
    elf.extend_from_slice(&0u64.to_le_bytes()); // e_phoff
    elf.extend_from_slice(&(headers_offset as u64).to_le_bytes()); // e_shoff
    elf.extend_from_slice(&1u32.to_le_bytes()); // e_flags: EF_WASMTIME_MODULE
    elf.extend_from_slice(&(EHDR as u16).to_le_bytes()); // e_ehsize
    elf.extend_from_slice(&0u16.to_le_bytes()); // e_phentsize
    elf.extend_from_slice(&0u16.to_le_bytes()); // e_phnum
    elf.extend_from_slice(&(SHDR as u16).to_le_bytes()); // e_shentsize
    elf.extend_from_slice(&3u16.to_le_bytes()); // e_shnum
    elf.extend_from_slice(&2u16.to_le_bytes()); // e_shstrndx
    debug_assert_eq!(elf.len(), EHDR);
    elf.extend_from_slice(&engine);
    elf.extend_from_slice(strings);
    elf.resize(headers_offset, 0);

    let mut section = |name: u32, kind: u32, offset: usize, size: usize| {
        elf.extend_from_slice(&name.to_le_bytes());
        elf.extend_from_slice(&kind.to_le_bytes());
        elf.extend_from_slice(&0u64.to_le_bytes()); // sh_flags
        elf.extend_from_slice(&0u64.to_le_bytes()); // sh_addr
        elf.extend_from_slice(&(offset as u64).to_le_bytes());
        elf.extend_from_slice(&(size as u64).to_le_bytes());
        elf.extend_from_slice(&0u32.to_le_bytes()); // sh_link
        elf.extend_from_slice(&0u32.to_le_bytes()); // sh_info
        elf.extend_from_slice(&1u64.to_le_bytes()); // sh_addralign
        elf.extend_from_slice(&0u64.to_le_bytes()); // sh_entsize
    };
    section(0, 0, 0, 0); // the null section
    section(1, 1, engine_offset, engine.len()); // .wasmtime.engine, PROGBITS
    section(18, 3, strings_offset, strings.len()); // .shstrtab, STRTAB
    elf
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The official library of `major`, as `cargo xtask test` sets it or
    /// `cargo xtask artifacts` wrote it down in `.test-libraries`.
    fn official(major: u32) -> std::path::PathBuf {
        let var = format!("WASMTIME_DYN_TEST_LIB_FULL_{major}");
        let from_env = std::env::var_os(&var);
        let manifest =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/.test-libraries"))
                .unwrap_or_default();
        let prefix = format!("{var}=");
        from_env
            .map(std::path::PathBuf::from)
            .or_else(|| {
                manifest
                    .lines()
                    .find_map(|l| l.strip_prefix(prefix.as_str()))
                    .map(std::path::PathBuf::from)
            })
            .unwrap_or_else(|| panic!("{var} is not set: run `cargo xtask artifacts`"))
    }

    /// The version probe on the official library of every major 36 to 50:
    /// it confirms the library's major (on 36 and 37 by the patch its
    /// artifacts name: 36.0.0 and 37.0.2) and refutes the neighbours, on 36
    /// to 38 without the signals-based-traps setting, which they lack.
    #[test]
    fn the_probe_tells_every_major_since_36() {
        for major in 36..=50 {
            let path = official(major);
            // SAFETY: an official Wasmtime library, never unloaded.
            let library = unsafe { super::super::library::open(path.as_os_str()) }.unwrap();
            let mut lookup = |name: &std::ffi::CStr| super::super::library::symbol(library, name);
            // SAFETY: the library's own functions, with the signatures every
            // major since 36 declares for them.
            let core = unsafe { Core::load(&mut lookup) }.unwrap();
            // SAFETY: as above (39 and later).
            let since39 = unsafe { CoreSince39::load(&mut lookup) }.ok();
            assert_eq!(since39.is_some(), major >= 39, "{major}");
            let probe = MajorProbe::new(&core, since39.as_ref()).expect("an engine");
            assert_eq!(probe.find(&[major]), Verdict::Confirmed(major), "{major}");
            if crate::versions::FULL_VERSION_IN_ARTIFACTS
                .get(major)
                .is_some()
            {
                // The major alone is refused as another version there.
                let alone = probe.message(&major.to_string()).unwrap_or_default();
                assert!(alone.contains("incompatible"), "{major}: {alone}");
            }
            let others: Vec<u32> = [major - 1, major + 1]
                .into_iter()
                .filter(|m| (36..=50).contains(m))
                .collect();
            assert_eq!(
                probe.find(&others),
                Verdict::Refuted,
                "{major} against {others:?}"
            );
        }
    }

    #[test]
    fn probe_artifact_layout() {
        let elf = probe_artifact("48");
        assert_eq!(&elf[..4], b"\x7fELF");
        let shoff = u64::from_le_bytes(elf[40..48].try_into().unwrap()) as usize;
        assert_eq!(elf.len(), shoff + 3 * 64);
        assert_eq!(&elf[64..68], &[0, 2, b'4', b'8']);
    }
}
