//! The real test libraries, found through the environment variables
//! `cargo xtask test` sets. A missing library fails the test and names the
//! command that provides it.
//!
//! `cargo xtask test` runs the suite once per supported major (a *round*):
//! `WASMTIME_DYN_TEST_FULL` is that major's official library, and
//! `WASMTIME_DYN_TEST_MIN`/`WASMTIME_DYN_TEST_COMPILER_ONLY` its minimal and
//! compiler-only builds where they are made (36, 48 and 50). In the other
//! rounds `WASMTIME_DYN_TEST_FULL_ONLY=1` says so: [`flavours`] is then
//! `[Full]` and the tests of the built flavours return early, saying why
//! ([`round_has`]). Likewise `WASMTIME_DYN_TEST_NO_RUN_ONLY=1` says that the
//! round's major has no run-only build (made for 48 and 50) ([`run_only`]).
//! Every library of every major is also given as
//! `WASMTIME_DYN_TEST_LIB_<FLAVOUR>_<MAJOR>` ([`library`]).
//!
//! A plain `cargo test` sets none of these: the tests then read them from
//! `.test-libraries` at the repository root, which `cargo xtask artifacts`
//! writes (one round: the newest major with every flavour) ([`test_var`]).

#![allow(dead_code)]

pub mod child;

use std::path::PathBuf;
use wasmtime_dyn::Wasmtime;

/// One of the three real libraries the tests run against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavour {
    /// The official release library of the round's major (PyPI wheel).
    Full,
    /// crates.io wasmtime-c-api-impl with default features off.
    Min,
    /// The same with `cranelift` and `wat`.
    CompilerOnly,
}

pub const FLAVOURS: [Flavour; 3] = [Flavour::Full, Flavour::Min, Flavour::CompilerOnly];

/// The file `cargo xtask artifacts` writes at the repository root, naming
/// the cached libraries (`xtask/src/artifacts.rs`, `MANIFEST`).
const MANIFEST: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/.test-libraries");

/// What to run when a library cannot be found.
const PROVIDE: &str = "run `cargo xtask artifacts` (it makes the real test libraries and lets \
                       a plain `cargo test` find them) or `cargo xtask test` (every major)";

/// The test variable `name`: from the environment, which `cargo xtask test`
/// sets for each round; when it sets none (a plain `cargo test`), from the
/// manifest `cargo xtask artifacts` wrote (one round: the newest major with
/// every flavour).
pub fn test_var(name: &str) -> Option<std::ffi::OsString> {
    static MANIFEST_VARS: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();
    if std::env::var_os("WASMTIME_DYN_TEST_FULL").is_some() {
        return std::env::var_os(name);
    }
    let vars = MANIFEST_VARS.get_or_init(|| {
        let text = std::fs::read_to_string(MANIFEST).unwrap_or_default();
        text.lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    });
    vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.into())
}

/// Whether this round has only the full library.
pub fn full_only() -> bool {
    test_var("WASMTIME_DYN_TEST_FULL_ONLY").is_some()
}

/// The flavours of this round.
pub fn flavours() -> Vec<Flavour> {
    if full_only() {
        vec![Flavour::Full]
    } else {
        FLAVOURS.to_vec()
    }
}

/// Whether this round has `flavour`; when it has not, says so on stderr
/// (the test then returns early).
pub fn round_has(flavour: Flavour) -> bool {
    let has = flavour == Flavour::Full || !full_only();
    if !has {
        eprintln!(
            "not run in this round: no {flavour:?} build of Wasmtime {} is made \
             (cargo xtask artifacts builds them for 36, 48 and 50)",
            expected_version()
        );
    }
    has
}

/// What the builds `cargo xtask artifacts` makes of a major (xtask's
/// `BUILDS`: 36, 48 and 50) have besides their flavour's own capabilities,
/// and the value layouts of that major's libraries.
pub struct BuildFacts {
    pub major: u32,
    /// What every build of the major has: 36's C API builds `gc` whatever
    /// its features (`wasmtime-c-api-impl` 36.0.0 asks `wasmtime` for it;
    /// the builder adds a collector, `xtask/libwasmtime-build/36`); later
    /// majors' only when asked.
    pub always: &'static [wasmtime_dyn::Capability],
    /// The full library's value layout and its size.
    pub full_val: (wasmtime_dyn::ValAbi, usize),
    /// The minimal and compiler-only builds' value layout and its size:
    /// 36's is its own whatever the build; from 45 the Gc table decides.
    pub built_val: (wasmtime_dyn::ValAbi, usize),
    /// Whether the builds carry Wasmtime's internal-bug message naming
    /// their version (45 and later), besides the `wasmtime` crate's source
    /// paths every build from crates.io has.
    pub bug_text: bool,
    /// The settings a compiler-only build cannot match when precompiling
    /// for an engine of the full library's defaults (`precompile_for`
    /// names them): what the official build has on by default and the
    /// compiler-only one lacks.
    pub compiler_only_cannot_match: &'static [&'static str],
}

pub const BUILD_FACTS: &[BuildFacts] = &[
    BuildFacts {
        major: 36,
        always: &[wasmtime_dyn::Capability::Gc],
        full_val: (wasmtime_dyn::ValAbi::V36, 24),
        built_val: (wasmtime_dyn::ValAbi::V36, 24),
        bug_text: false,
        // Built with neither, so off in its engines.
        compiler_only_cannot_match: &["wasm_threads", "wasm_component_model"],
    },
    BuildFacts {
        major: 48,
        always: &[],
        full_val: (wasmtime_dyn::ValAbi::Gc, 32),
        built_val: (wasmtime_dyn::ValAbi::NoGc, 24),
        bug_text: true,
        compiler_only_cannot_match: &["concurrency_support"],
    },
    BuildFacts {
        major: 50,
        always: &[],
        full_val: (wasmtime_dyn::ValAbi::Gc, 32),
        built_val: (wasmtime_dyn::ValAbi::NoGc, 24),
        bug_text: true,
        compiler_only_cannot_match: &["concurrency_support"],
    },
];

/// The facts of the round's builds; fails for a major whose builds this
/// file does not know yet.
pub fn build_facts() -> &'static BuildFacts {
    let major = expected_major();
    BUILD_FACTS
        .iter()
        .find(|f| f.major == major)
        .unwrap_or_else(|| {
            panic!("tests/common knows nothing of the builds of {major}: add them to BUILD_FACTS")
        })
}

/// This round's run-only build (the component model, WASI and async
/// without a compiler), or `None`, said on stderr, where the round says it
/// has none (`WASMTIME_DYN_TEST_NO_RUN_ONLY`, or a round of the full
/// library alone): the test then returns early. Otherwise the build must be
/// there: a missing `WASMTIME_DYN_TEST_LIB_RUN_ONLY_<major>` fails the test.
pub fn run_only() -> Option<&'static Wasmtime> {
    let major = expected_major();
    let none = if full_only() {
        Some("the round has the full library alone")
    } else if test_var("WASMTIME_DYN_TEST_NO_RUN_ONLY").is_some() {
        Some("no run-only build of it is made (cargo xtask artifacts builds one for 48 and 50)")
    } else {
        None
    };
    match none {
        Some(why) => {
            eprintln!("not run on Wasmtime {}: {why}", expected_version());
            None
        }
        None => Some(load_library("run-only", major)),
    }
}

/// The version of this round's full library, as `cargo xtask test` says
/// its wheel holds (`WASMTIME_DYN_TEST_VERSION`, e.g. "47.0.0").
pub fn expected_version() -> String {
    test_var("WASMTIME_DYN_TEST_VERSION")
        .and_then(|v| v.into_string().ok())
        .unwrap_or_else(|| panic!("WASMTIME_DYN_TEST_VERSION is not set: {PROVIDE}"))
}

/// The major of this round's full library.
pub fn expected_major() -> u32 {
    expected_version()
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .expect("WASMTIME_DYN_TEST_VERSION is X.Y.Z")
}

/// The path of the cached library of `flavour` ("full", "min",
/// "compiler-only") and `major`; panics naming the command that makes it.
pub fn library(flavour: &str, major: u32) -> PathBuf {
    let var = format!(
        "WASMTIME_DYN_TEST_LIB_{}_{major}",
        flavour.to_uppercase().replace('-', "_")
    );
    let path = test_var(&var)
        .map(PathBuf::from)
        .unwrap_or_else(|| panic!("{var} is not set: {PROVIDE}"));
    assert!(
        path.is_file(),
        "{var}={} does not exist: run `cargo xtask artifacts` to make it",
        path.display()
    );
    path
}

/// The loaded library of `flavour` and `major`.
pub fn load_library(flavour: &str, major: u32) -> &'static Wasmtime {
    let path = library(flavour, major);
    // SAFETY: the test libraries are Wasmtime C API libraries.
    unsafe { Wasmtime::open(&path) }
        .unwrap_or_else(|e| panic!("loading the {flavour} library of {major} failed: {e}"))
}

impl Flavour {
    pub fn env_var(self) -> &'static str {
        match self {
            Flavour::Full => "WASMTIME_DYN_TEST_FULL",
            Flavour::Min => "WASMTIME_DYN_TEST_MIN",
            Flavour::CompilerOnly => "WASMTIME_DYN_TEST_COMPILER_ONLY",
        }
    }

    /// The library's path; panics, naming the command that provides it,
    /// when it is not there.
    pub fn path(self) -> PathBuf {
        let var = self.env_var();
        let path = test_var(var)
            .map(PathBuf::from)
            .unwrap_or_else(|| panic!("{var} is not set: {PROVIDE}"));
        assert!(
            path.is_file(),
            "{var}={} does not exist: run `cargo xtask artifacts` to make it",
            path.display()
        );
        path
    }

    /// The loaded library.
    pub fn load(self) -> &'static Wasmtime {
        let path = self.path();
        // SAFETY: the test libraries are Wasmtime C API libraries.
        unsafe { Wasmtime::open(&path) }
            .unwrap_or_else(|e| panic!("loading the {self:?} library failed: {e}"))
    }
}

/// The exported function names of a shared library, read from its dynamic
/// symbol table.
pub fn exported_functions(path: &std::path::Path) -> std::collections::BTreeSet<String> {
    use object::{Object, ObjectSymbol};
    let data = std::fs::read(path).expect("reading the library");
    let file = object::File::parse(&*data).expect("parsing the library as an object file");
    file.dynamic_symbols()
        .filter(|s| s.is_definition() && s.kind() == object::SymbolKind::Text && s.is_global())
        .filter_map(|s| s.name().ok().map(str::to_string))
        .filter(|n| n.starts_with("wasm_") || n.starts_with("wasmtime_") || n.starts_with("wasi_"))
        .collect()
}

use wasmtime_dyn::{Config, Engine, Module};

/// An engine of `flavour` with `configure` applied.
pub fn engine_with(flavour: Flavour, configure: impl Fn(&mut Config)) -> Engine {
    let lib = flavour.load();
    let mut config = Config::new(lib);
    configure(&mut config);
    Engine::new(lib, &config).unwrap_or_else(|e| panic!("engine for {flavour:?}: {e}"))
}

/// A module from `wat` for `engine` (of `flavour`, configured with
/// `configure`): compiled directly where the library has a compiler,
/// otherwise precompiled by the full library with the same settings for the
/// target's capabilities, then deserialized, all in this process.
pub fn module_with(
    flavour: Flavour,
    engine: &Engine,
    wat: &str,
    configure: impl Fn(&mut Config),
) -> Module {
    if flavour != Flavour::Min {
        return Module::new(engine, wat)
            .unwrap_or_else(|e| panic!("compiling for {flavour:?}: {e}"));
    }
    let full = Flavour::Full.load();
    let mut config = Config::new(full);
    configure(&mut config);
    config.for_target(engine.capabilities());
    let compiling = Engine::new(full, &config).expect("full engine");
    let wasm = compiling.wat().unwrap().to_wasm(wat).expect("valid WAT");
    let cwasm = compiling
        .compiler()
        .unwrap()
        .precompile(&wasm)
        .expect("precompiling");
    // SAFETY: the artifact was just produced by the official library.
    unsafe { Module::deserialize(engine, &cwasm) }
        .unwrap_or_else(|e| panic!("deserializing on min: {e}"))
}

/// An engine with the default configuration and a module from `wat`.
pub fn setup(flavour: Flavour, wat: &str) -> (Engine, Module) {
    let engine = engine_with(flavour, |_| {});
    let module = module_with(flavour, &engine, wat, |_| {});
    (engine, module)
}

use wasmtime_dyn::{Error, ErrorKind, FrameInfo, Trap, WasmBacktrace};

/// The crate's own failure inside `err`, if that is what went wrong.
pub fn kind(err: &Error) -> Option<&ErrorKind> {
    err.downcast_ref::<ErrorKind>()
}

/// `Err(why)` when `result` is the library's refusal of something the
/// round's major is too old for: [`ErrorKind::UnsupportedVersion`] naming
/// majors above the round's, whose message names the feature (the test
/// then returns early, saying why). Panics on any other error.
pub fn too_old<T>(result: Result<T, Error>) -> Result<T, String> {
    match result {
        Ok(v) => Ok(v),
        Err(e) => match too_old_why(&e) {
            Some(why) => Err(why),
            None => panic!("expected a value or a too-old refusal, got {e:?}"),
        },
    }
}

/// What [`too_old`] says when `err` is the library's refusal of something
/// the round's major is too old for; `None` for any other error.
pub fn too_old_why(err: &Error) -> Option<String> {
    match kind(err) {
        Some(ErrorKind::UnsupportedVersion { needs, found, .. })
            if found.major() == expected_major() && found.major() < *needs.start() =>
        {
            Some(format!(
                "not run on Wasmtime {}: the library refuses it: {err}",
                expected_version()
            ))
        }
        _ => None,
    }
}

/// Whether the round's full library is too old for the component model
/// (the crate hands it out from Wasmtime 40: 36 to 39 lack most of its
/// functions and declare others differently): checks that compiling a
/// component is refused as too old, says so, and the caller returns.
pub fn components_refused() -> bool {
    // Checked once per test binary, said in every test that returns.
    static REFUSAL: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    let refusal = REFUSAL.get_or_init(|| {
        let engine =
            Engine::default_for(Flavour::Full.load()).expect("an engine of the full library");
        too_old(wasmtime_dyn::component::Component::new(&engine, "(component)").map(drop)).err()
    });
    if let Some(why) = refusal {
        eprintln!("{why}");
    }
    refusal.is_some()
}

/// Asserts that `err` is how a build without `capability` (any
/// capability when `None`) refuses a component-model call:
/// `ErrorKind::Unsupported`. On a major the crate hands no component model
/// to at all (its full library refuses components as too old,
/// [`components_refused`]), the too-old refusal naming the round's version
/// is right too.
pub fn assert_component_refusal(
    err: &Error,
    capability: Option<wasmtime_dyn::Capability>,
    context: &str,
) {
    match (kind(err), capability) {
        (Some(ErrorKind::Unsupported(found)), Some(wanted)) if *found == wanted => {}
        (Some(ErrorKind::Unsupported(_)), None) => {}
        _ if components_refused() => assert!(
            too_old_why(err).is_some(),
            "{context}: expected Unsupported({capability:?}) or the too-old refusal of \
             Wasmtime {}, got {err:#}",
            expected_version()
        ),
        _ => panic!("{context}: expected Unsupported({capability:?}), got {err:#}"),
    }
}

/// The trap code inside `err`, if wasm trapped with one.
pub fn trap(err: &Error) -> Option<Trap> {
    err.downcast_ref::<Trap>().copied()
}

/// The wasm frames of `err` (its [`WasmBacktrace`] context), innermost
/// first; empty when it has none.
pub fn frames(err: &Error) -> &[FrameInfo] {
    err.downcast_ref::<WasmBacktrace>()
        .map(WasmBacktrace::frames)
        .unwrap_or_default()
}

/// The innermost message of `err` (a trap's or host error's own text,
/// without the backtrace context).
pub fn root_message(err: &Error) -> String {
    err.root_cause().to_string()
}

/// Every `.wast` file under `dir`, subdirectories included, sorted (the
/// spec and component-model suites); a directory that cannot be read or
/// holds none fails, naming `dir_var`, the variable that chooses another.
pub fn wast_files(dir: &std::path::Path, dir_var: &str) -> Vec<PathBuf> {
    fn walk(dir: &std::path::Path, dir_var: &str, files: &mut Vec<PathBuf>) {
        let entries = std::fs::read_dir(dir).unwrap_or_else(|e| {
            panic!(
                "cannot read the test directory {} ({e}); set {dir_var} to another one",
                dir.display()
            )
        });
        for entry in entries {
            let path = entry.expect("reading the test directory").path();
            if path.is_dir() {
                walk(&path, dir_var, files);
            } else if path.extension().is_some_and(|ext| ext == "wast") {
                files.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(dir, dir_var, &mut files);
    files.sort();
    assert!(!files.is_empty(), "no .wast files in {}", dir.display());
    files
}
