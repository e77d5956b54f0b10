//! Running one `.wast` file's directives against one library.

use crate::common::Flavour;
use crate::errors::{kind, Kind};
use crate::features::Features;
use crate::script::{CustomAssertion, Directive, Unparsed};
use crate::values::{self, fail, gap, skip, Verdict, NO_GC_REFERENCE};
use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex};
use wasmtime_dyn::sys::tables::TableId;
use wasmtime_dyn::{
    Capability, Config, Engine, Error, Extern, Global, GlobalType, Instance, Linker, Memory,
    MemoryType, Module, Mutability, SharedMemory, Store, Table, TableType, ThrownException, Trap,
    Val, ValType, Wasmtime,
};
use wast::core::Module as WastModule;
use wast::token::Id;
use wast::{QuoteWat, WastDirective, WastExecute, WastInvoke, WastThread, Wat};

/// Native stack of every thread that runs wasm (each library's, and each
/// `thread` block's): wasm may use Wasmtime's default 512 KiB
/// `max_wasm_stack` on top of the runner's own (debug) frames.
pub const THREAD_STACK: usize = 64 << 20;

/// One library, with an engine per set of proposals the files ask for.
pub struct Lib {
    pub flavour: Flavour,
    wasmtime: &'static Wasmtime,
    setups: Mutex<HashMap<Features, Arc<Setup>>>,
}

impl Lib {
    pub fn new(flavour: Flavour) -> Lib {
        Lib {
            flavour,
            wasmtime: flavour.load(),
            setups: Mutex::new(HashMap::new()),
        }
    }

    /// The major of the library.
    pub fn major(&self) -> u32 {
        self.wasmtime.version().major()
    }

    /// Whether wasmtime-dyn refuses to read the value types of this
    /// library's modules in an engine with the typed function references,
    /// GC or exceptions proposal on: it loads every module deserialized
    /// (it has no compiler), and its major predates the C API that reads
    /// such types without aborting (`CoreSince45`).
    pub fn reads_no_types_with_typed_references(&self) -> bool {
        !self.wasmtime.has(Capability::Compiler)
            && !TableId::CoreSince45.majors().contains(&self.major())
    }

    /// The engines for `features`, made on first use.
    pub fn setup(&self, features: Features) -> Result<Arc<Setup>, String> {
        let mut setups = self.setups.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(setup) = setups.get(&features) {
            return Ok(setup.clone());
        }
        let setup = Arc::new(Setup::new(self.flavour, features)?);
        // Before Wasmtime 45 the library refuses to read the value types
        // of an engine with typed references on once a module declaring
        // one compiled in it (the C API aborts reading them): such engines
        // are made for each file, so that one file's GC types do not
        // refuse the next file's plain ones.
        if !(features.gc || features.function_references || features.exceptions) {
            setups.insert(features, setup.clone());
        }
        Ok(setup)
    }
}

/// One library configured for one set of proposals.
pub struct Setup {
    flavour: Flavour,
    features: Features,
    engine: Engine,
    /// For a library without a compiler: the full library's engine
    /// configured alike for this library's capabilities, which precompiles
    /// every module.
    precompiler: Option<Engine>,
    /// For the other libraries: the full library configured alike, to tell
    /// a capability this library lacks from a failure.
    reference: Option<Engine>,
    /// The host items of `spectest` this library cannot make through the
    /// API, exported by a module: `table` where [`Table::new`] needs GC the
    /// library lacks, `table64` (the C API makes 32-bit tables only).
    spectest_tables: Option<Module>,
    /// The proposals the file's configuration turns off that this library
    /// cannot turn off (their switches are in the C API's `gc` feature),
    /// if any.
    left_on: Option<String>,
    /// The `spectest` items this library cannot make, with the reason.
    unavailable: Vec<(&'static str, String)>,
    /// The proposals the file's configuration asks for that the library
    /// refuses as too old for its major (exceptions and custom page sizes
    /// before Wasmtime 39): the engines are made without them.
    refused: Vec<RefusedProposal>,
}

/// A proposal the library's major cannot turn on, and its refusal.
struct RefusedProposal {
    proposal: crate::features::Proposal,
    refusal: String,
}

impl Setup {
    fn new(flavour: Flavour, features: Features) -> Result<Setup, String> {
        let wasmtime = flavour.load();
        let target = wasmtime.capabilities();
        let engine_for = |lib: &'static Wasmtime, features: Features, for_target: bool| {
            let mut config = Config::new(lib);
            features.configure(&mut config, target);
            if for_target {
                config.for_target(target);
            }
            Engine::new(lib, &config)
        };
        let named = |e: Error| format!("the {} engine: {e}", name(flavour));
        // A proposal the library's major cannot turn on (the C API's
        // setters of exceptions and custom page sizes came in Wasmtime 39)
        // is refused as too old: the file runs without it, and what needs
        // it is skipped with the refusal (`Setup::compile_error`).
        let mut features = features;
        let mut refused = Vec::new();
        let engine = loop {
            let err = match engine_for(wasmtime, features, false) {
                Ok(engine) => break engine,
                Err(err) => err,
            };
            let Kind::TooOld(refusal) = kind(&err) else {
                return Err(named(err));
            };
            let Some(proposal) = features.turn_off_refused(&refusal) else {
                return Err(named(err));
            };
            refused.push(RefusedProposal { proposal, refusal });
        };
        let engine_for = |lib: &'static Wasmtime, for_target: bool| {
            engine_for(lib, features, for_target).map_err(named)
        };
        let full = Flavour::Full.load();
        let precompiler = (!wasmtime.has(Capability::Compiler))
            .then(|| engine_for(full, true))
            .transpose()?;
        let reference = (flavour != Flavour::Full)
            .then(|| {
                let mut config = Config::new(full);
                features.configure(&mut config, full.capabilities());
                Engine::new(full, &config).map_err(|e| format!("the full reference engine: {e}"))
            })
            .transpose()?;
        let mut tables = String::new();
        if !wasmtime.has(Capability::Gc) {
            tables.push_str(r#"(table (export "table") 10 20 funcref)"#);
        }
        if features.memory64 {
            tables.push_str(r#"(table (export "table64") i64 10 20 funcref)"#);
        }
        let spectest_tables = (!tables.is_empty())
            .then(|| {
                let wasm = encode_text(&format!("(module {tables})"))
                    .map_err(|e| format!("the spectest tables module: {e}"))?;
                compile(&engine, precompiler.as_ref(), &wasm)
                    .map_err(|e| format!("the spectest tables module: {}", describe(&e)))
            })
            .transpose()?;
        let left_on = (!wasmtime.has(Capability::Gc))
            .then(|| {
                let off: Vec<&str> = [
                    (features.reference_types, "reference types"),
                    (features.function_references, "typed function references"),
                    (features.gc, "GC"),
                ]
                .iter()
                .filter(|(on, _)| !on)
                .map(|(_, name)| *name)
                .collect();
                (!off.is_empty()).then(|| off.join(", "))
            })
            .flatten();
        let mut unavailable = Vec::new();
        if features.threads && !wasmtime.has(Capability::Threads) {
            unavailable.push((
                "shared_memory",
                format!(
                    "spectest's `shared_memory` needs the `threads` capability, which the {} \
                     build lacks",
                    name(flavour)
                ),
            ));
        }
        Ok(Setup {
            flavour,
            features,
            engine,
            precompiler,
            reference,
            spectest_tables,
            left_on,
            unavailable,
            refused,
        })
    }

    fn name(&self) -> &'static str {
        name(self.flavour)
    }

    fn has(&self, capability: Capability) -> bool {
        self.engine.capabilities().contains(capability)
    }

    /// The module of a directive that expects it to be valid; a module that
    /// only fails for want of a capability is a skip.
    fn load(&self, wasm: &[u8]) -> Result<Module, Verdict> {
        let err = match &self.precompiler {
            None => match Module::new(&self.engine, wasm) {
                Ok(module) => return Ok(module),
                Err(err) => err,
            },
            Some(precompiler) => {
                let compiler = precompiler.compiler().expect("a compiler");
                match compiler.precompile(wasm) {
                    Ok(cwasm) => {
                        // SAFETY: the artifact was just produced in this
                        // process by the official library, for the
                        // capabilities of this engine's library.
                        return unsafe { Module::deserialize(&self.engine, &cwasm) }.map_err(|e| {
                            fail(format!("deserializing the .cwasm failed: {}", describe(&e)))
                        });
                    }
                    Err(err) => err,
                }
            }
        };
        Err(self.compile_error(&err, wasm, "compiling the module failed"))
    }

    /// A module that should have compiled did not: a skip when the error
    /// names a feature this library lacks and the full library compiles
    /// the module, else a failure.
    fn compile_error(&self, err: &Error, wasm: &[u8], context: &str) -> Verdict {
        if let Kind::TooOld(refusal) = kind(err) {
            return skip(refusal);
        }
        let why = summary(err);
        if names_a_disabled_feature(&why) {
            if let Some(refused) = self.refused.iter().find(|r| r.proposal.named_by(&why)) {
                return skip(format!(
                    "needs the {} proposal, which the library cannot turn on: {}: {why}",
                    refused.proposal.name(),
                    refused.refusal
                ));
            }
        }
        match &self.reference {
            Some(full) if names_a_disabled_feature(&why) && Module::new(full, wasm).is_ok() => {
                skip(format!(
                    "needs {}, which the {} build lacks: {why}",
                    capability_named_by(&why),
                    self.name()
                ))
            }
            _ => fail(format!("{context}: {}", describe(err))),
        }
    }

    /// Why an error of a call or an accessor is a skip on this library, if
    /// it is one.
    fn unsupported(&self, err: &Error) -> Option<String> {
        match kind(err) {
            Kind::Unsupported(Capability::Gc) if !self.has(Capability::Gc) => {
                Some(NO_GC_REFERENCE.into())
            }
            Kind::Unsupported(cap) if !self.has(cap) => Some(format!(
                "needs the `{cap}` capability, which this build lacks"
            )),
            // The library's refusal of what its major cannot do, naming
            // the feature and the majors that can.
            Kind::TooOld(refusal) => Some(refusal),
            _ => None,
        }
    }

    /// A call, accessor or instantiation failed where it should not have.
    fn runtime_error(&self, err: &Error, context: &str) -> Verdict {
        if let Some(reason) = self.unsupported(err) {
            return skip(reason);
        }
        match kind(err) {
            Kind::Unrepresentable(message) => {
                fail(format!("{} {context}: {message}", gap::GC_VALUE))
            }
            _ => fail(format!("{context}, got {}", describe(err))),
        }
    }
}

pub fn name(flavour: Flavour) -> &'static str {
    match flavour {
        Flavour::Full => "full",
        Flavour::Min => "min",
        Flavour::CompilerOnly => "compiler-only",
    }
}

/// Compiles `wasm` with `engine`, or precompiles it with `precompiler` and
/// deserializes it into `engine`.
fn compile(
    engine: &Engine,
    precompiler: Option<&Engine>,
    wasm: &[u8],
) -> wasmtime_dyn::Result<Module> {
    match precompiler {
        None => Module::new(engine, wasm),
        Some(precompiler) => {
            let cwasm = precompiler
                .compiler()
                .expect("the full library has a compiler")
                .precompile(wasm)?;
            // SAFETY: the artifact was just produced in this process by the
            // official library, for the capabilities of `engine`'s library.
            unsafe { Module::deserialize(engine, &cwasm) }
        }
    }
}

fn encode_text(text: &str) -> Result<Vec<u8>, wast::Error> {
    let buf = wast::parser::ParseBuffer::new(text)?;
    wast::parser::parse::<Wat<'_>>(&buf)?.encode()
}

/// The last line of an error's text, without its cause number and byte
/// offset: stable enough to group skips by.
fn summary(err: &Error) -> String {
    let text = err.root_cause().to_string();
    let mut last = text
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .unwrap_or_default();
    // "1: " (the cause's number in Wasmtime's chain)
    if let Some((number, rest)) = last.split_once(": ") {
        if number.bytes().all(|b| b.is_ascii_digit()) {
            last = rest;
        }
    }
    // "Invalid input WebAssembly code at offset 65: "
    if let Some(rest) = last.strip_prefix("Invalid input WebAssembly code at offset ") {
        last = rest.split_once(": ").map_or(rest, |(_, message)| message);
    }
    match last.find(" (at offset") {
        Some(i) => last[..i].to_string(),
        None => last.to_string(),
    }
}

/// An error on one line: a trap as its code and Wasmtime's last line (the
/// backtrace left out), anything else with its lines joined.
fn describe(err: &Error) -> String {
    match kind(err) {
        Kind::Trap { code, message } => {
            let code = code.map_or_else(|| "without a code".to_string(), |c| format!("`{c}`"));
            let last = message
                .lines()
                .map(str::trim)
                .rfind(|l| !l.is_empty())
                .unwrap_or_default();
            format!("a trap {code} ({last})")
        }
        _ => format!("{err:#}")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" / "),
    }
}

/// The capability a "not enabled" compile error is about: Wasmtime turns
/// GC types, exceptions and threads off in builds without `gc` and
/// `threads` (the wasmtime crate's `Config::features`).
fn capability_named_by(message: &str) -> &'static str {
    let message = message.to_ascii_lowercase();
    if message.contains("thread") || message.contains("shared") || message.contains("atomic") {
        "the `threads` capability"
    } else if ["gc", "struct", "array", "exception", "non-final", "i31"]
        .iter()
        .any(|word| message.contains(word))
    {
        "the `gc` capability"
    } else {
        "a feature"
    }
}

/// Whether a compile error says a proposal or feature is not enabled, as
/// opposed to the module being wrong.
fn names_a_disabled_feature(message: &str) -> bool {
    let message = message.to_ascii_lowercase();
    [
        "not enabled",
        "must be enabled",
        "proposal",
        "feature",
        "not supported",
        "unsupported",
        "required for",
        "disallowed",
        "disabled",
        "lacks",
    ]
    .iter()
    .any(|needle| message.contains(needle))
}

/// Whether a failed call or instantiation is the trap the spec expects.
/// Wasmtime words some traps differently from the reference interpreter;
/// the equivalences are the ones Wasmtime's own runner accepts
/// (`WastContext::assert_trap` in Wasmtime's `crates/wast/src/wast.rs`):
/// one "null reference" for every "null ... reference", an indirect call
/// to null for a null function reference, and no element index.
fn trap_matches(err: &Error, expected: &str) -> bool {
    let actual = match kind(err) {
        Kind::Trap { message, .. } => message,
        Kind::Wasmtime(message) => message.to_string(),
        _ => return false,
    };
    actual.contains(expected)
        || (expected.contains("uninitialized element") && actual.contains("uninitialized element"))
        || (expected.contains("null function")
            && (actual.contains("uninitialized element") || actual.contains("null reference")))
        || (expected.contains("null") && expected.contains("reference") && {
            actual.contains("null reference")
        })
}

fn is_component(module: &QuoteWat<'_>) -> bool {
    matches!(
        module,
        QuoteWat::Wat(Wat::Component(_)) | QuoteWat::QuoteComponent(..)
    )
}

/// A component where the suite has core modules only (a failure: the
/// runner would need extending).
const COMPONENT: &str = "component model: the runner runs core modules only";

/// Skip reason of `assert_invalid`/`assert_malformed` on a library without
/// a compiler.
const NO_COMPILER: &str = "validating a module (assert_invalid, assert_malformed) needs the \
                           library's own compiler, which this build lacks";

/// What a module directive left behind.
#[derive(Clone)]
enum Slot {
    Ready(Instance, Module),
    /// In a `thread` block, the module it shares: the shared memories of
    /// the other thread's instance (the rest of it cannot cross stores).
    Shared(Vec<(String, SharedMemory)>),
    Skipped(String),
    Broken(String),
}

impl Slot {
    fn verdict(&self) -> Result<(), Verdict> {
        match self {
            Slot::Ready(..) | Slot::Shared(_) => Ok(()),
            Slot::Skipped(reason) => Err(skip(reason.clone())),
            Slot::Broken(why) => Err(fail(why.clone())),
        }
    }
}

/// One directive to run: one of `wast`'s, a custom assertion, or a form
/// the `wast` crate could not parse.
pub enum Item<'s, 'a> {
    Wast(&'s mut WastDirective<'a>),
    Custom(&'s mut Directive<'a>),
    Unparsed(&'s Unparsed),
}

impl<'s, 'a> Item<'s, 'a> {
    pub fn of(directive: &'s mut Directive<'a>) -> Item<'s, 'a> {
        match directive {
            Directive::Wast(wast) => Item::Wast(wast),
            custom => Item::Custom(custom),
        }
    }

    /// Its offset in its form.
    fn offset(&self) -> usize {
        match self {
            Item::Wast(directive) => directive.span().offset(),
            Item::Custom(directive) => directive.span().offset(),
            Item::Unparsed(unparsed) => unparsed.offset,
        }
    }
}

/// A directive, with the offset of its form in the file.
pub struct Located<'s, 'a> {
    pub base: usize,
    pub item: Item<'s, 'a>,
}

/// The line of each directive run, and how it went.
pub type Outcomes = Vec<(usize, Result<(), Verdict>)>;

/// The state of one file's run (or of one of its `thread` blocks): one
/// store, one linker with `spectest` and the registered instances.
pub struct FileRun<'a> {
    setup: &'a Setup,
    store: Store<()>,
    linker: Linker<()>,
    current: Option<Slot>,
    instances: HashMap<String, Slot>,
    definitions: HashMap<String, Result<Module, Verdict>>,
    last_definition: Option<Result<Module, Verdict>>,
    /// Registered names whose module was skipped, with the reason.
    skipped_names: HashMap<String, String>,
    /// `ref.host` values of the store.
    hosts: values::HostRefs,
}

type Outcome<T> = Result<wasmtime_dyn::Result<T>, Verdict>;

/// A panic's message.
pub fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "a panic without a message".into())
}

impl<'a> FileRun<'a> {
    pub fn new(setup: &'a Setup) -> Result<FileRun<'a>, String> {
        let mut store = Store::new(&setup.engine, ());
        let mut linker = Linker::new(&setup.engine);
        linker.allow_shadowing(true);
        define_spectest(setup, &mut store, &mut linker)?;
        Ok(FileRun {
            setup,
            store,
            linker,
            current: None,
            instances: HashMap::new(),
            definitions: HashMap::new(),
            last_definition: None,
            skipped_names: HashMap::new(),
            hosts: values::HostRefs::default(),
        })
    }

    /// Runs `items` in order, appending each one's outcome (and those of
    /// the `thread` blocks they start, when they are waited for) to `out`.
    /// Each `thread` block runs on its own OS thread with its own store,
    /// sharing the shared memories of the module it names.
    pub fn run_all<'s>(
        &mut self,
        items: Vec<Located<'s, '_>>,
        line_of: &(dyn Fn(usize) -> usize + Sync),
        out: &mut Outcomes,
    ) where
        'a: 's,
    {
        std::thread::scope(|scope| {
            let mut threads = HashMap::new();
            for Located { base, item } in items {
                let line = line_of(base + item.offset());
                match item {
                    Item::Wast(WastDirective::Thread(thread)) => {
                        let name = thread.name.name().to_string();
                        let started = self.spawn(thread, base, line_of, scope);
                        out.push((line, started.as_ref().map(|_| ()).map_err(Clone::clone)));
                        threads.insert(name, started);
                    }
                    Item::Wast(WastDirective::Wait { thread, .. }) => {
                        let verdict = match threads.remove(thread.name()) {
                            Some(Ok(handle)) => {
                                out.extend(join(handle));
                                Ok(())
                            }
                            // Waiting for a thread that did not start
                            // shares its fate.
                            Some(Err(verdict)) => Err(verdict),
                            None => Err(fail(format!("no thread ${}", thread.name()))),
                        };
                        out.push((line, verdict));
                    }
                    item => {
                        let verdict = match catch_unwind(AssertUnwindSafe(|| self.run(item))) {
                            Ok(verdict) => verdict,
                            Err(payload) => {
                                Err(fail(format!("panicked: {}", panic_text(&*payload))))
                            }
                        };
                        out.push((line, verdict));
                    }
                }
            }
            // Threads nobody waited for end with the file.
            for handle in threads.into_values().flatten() {
                out.extend(join(handle));
            }
        });
    }

    /// Starts a `thread` block: a new store and linker on the same engine,
    /// with `spectest` and the module definitions so far, and, as Wasmtime's
    /// runner does, the module it shares defined under its name (`$name`
    /// becomes the module name `name`); of that instance only the shared
    /// memories can cross to the thread's store.
    fn spawn<'scope, 's>(
        &mut self,
        thread: &'s mut WastThread<'_>,
        base: usize,
        line_of: &'scope (dyn Fn(usize) -> usize + Sync),
        scope: &'scope std::thread::Scope<'scope, '_>,
    ) -> Result<std::thread::ScopedJoinHandle<'scope, Outcomes>, Verdict>
    where
        's: 'scope,
        'a: 'scope,
    {
        let mut child = FileRun::new(self.setup).map_err(fail)?;
        child.definitions = self.definitions.clone();
        if let Some(shared) = thread.shared_module {
            let memories = match self.slot(Some(shared))? {
                Slot::Ready(instance, _) => instance
                    .try_exports(&mut self.store)
                    .map_err(|e| {
                        self.setup
                            .runtime_error(&e, "reading the shared module's exports")
                    })?
                    .filter_map(|export| {
                        let name = export.name().to_string();
                        match export.into_extern() {
                            Extern::SharedMemory(memory) => Some((name, memory)),
                            _ => None,
                        }
                    })
                    .collect(),
                Slot::Shared(memories) => memories,
                Slot::Skipped(reason) => {
                    return Err(skip(format!(
                        "its module was skipped: {}",
                        strip_prefix(&reason)
                    )))
                }
                Slot::Broken(why) => return Err(fail(format!("its module failed: {why}"))),
            };
            let shared = shared.name();
            child.define_shared(shared, &memories)?;
            child
                .instances
                .insert(shared.to_string(), Slot::Shared(memories));
        }
        let name = thread.name.name().to_string();
        let directives = &mut thread.directives;
        std::thread::Builder::new()
            .name(format!("wast-thread-{name}"))
            .stack_size(THREAD_STACK)
            .spawn_scoped(scope, move || {
                let mut out = Outcomes::new();
                let items = directives
                    .iter_mut()
                    .map(|directive| Located {
                        base,
                        item: Item::Wast(directive),
                    })
                    .collect();
                child.run_all(items, line_of, &mut out);
                out
            })
            .map_err(|e| fail(format!("spawning the thread: {e}")))
    }

    /// Defines shared memories under the module name `module`.
    fn define_shared(
        &mut self,
        module: &str,
        memories: &[(String, SharedMemory)],
    ) -> Result<(), Verdict> {
        for (name, memory) in memories {
            self.linker
                .define(&mut self.store, module, name, memory.clone())
                .map_err(|e| fail(format!("defining `{module}.{name}`: {}", describe(&e))))?;
        }
        Ok(())
    }

    /// Runs one directive: `Ok` when it passed.
    fn run(&mut self, item: Item<'_, '_>) -> Result<(), Verdict> {
        let directive = match item {
            Item::Wast(directive) => directive,
            Item::Custom(Directive::Custom {
                kind,
                module,
                message,
                ..
            }) => return self.assert_custom(*kind, module, message),
            Item::Custom(Directive::Wast(directive)) => directive,
            Item::Unparsed(unparsed) => {
                let why = format!("the wast crate cannot parse the form: {}", unparsed.error);
                if unparsed.module {
                    let slot = Slot::Broken(why.clone());
                    if let Some(name) = &unparsed.name {
                        self.instances.insert(name.clone(), slot.clone());
                    }
                    self.current = Some(slot);
                }
                return Err(fail(why));
            }
        };
        match directive {
            WastDirective::Module(module) => {
                let name = module.name().map(|id| id.name().to_string());
                let slot = match self.define(module) {
                    Ok(module) => self.instance_slot(module),
                    Err(Verdict::Skip(reason)) => Slot::Skipped(reason),
                    Err(Verdict::Fail(why)) => Slot::Broken(why),
                };
                let verdict = slot.verdict();
                if let Some(name) = name {
                    self.instances.insert(name, slot.clone());
                }
                self.current = Some(slot);
                verdict
            }
            WastDirective::ModuleDefinition(module) => {
                let name = module.name().map(|id| id.name().to_string());
                let defined = self.define(module);
                let verdict = defined.as_ref().map(|_| ()).map_err(Clone::clone);
                if let Some(name) = name {
                    self.definitions.insert(name, defined.clone());
                }
                self.last_definition = Some(defined);
                verdict
            }
            WastDirective::ModuleInstance {
                instance, module, ..
            } => {
                let defined = match module {
                    Some(id) => self.definitions.get(id.name()).cloned(),
                    None => self.last_definition.clone(),
                }
                .ok_or_else(|| fail("no such module definition"))?;
                let slot = match defined {
                    Ok(module) => self.instance_slot(module),
                    Err(Verdict::Skip(reason)) => {
                        Slot::Skipped(format!("its module was skipped: {}", strip_prefix(&reason)))
                    }
                    Err(Verdict::Fail(why)) => Slot::Broken(format!("its module failed: {why}")),
                };
                let verdict = slot.verdict();
                if let Some(id) = instance {
                    self.instances.insert(id.name().to_string(), slot.clone());
                }
                self.current = Some(slot);
                verdict
            }
            WastDirective::Register { name, module, .. } => match self.slot(*module)? {
                Slot::Ready(instance, _) => {
                    self.skipped_names.remove(*name);
                    self.linker
                        .define_instance(&mut self.store, name, &instance)
                        .map_err(|e| fail(format!("registering as `{name}`: {}", describe(&e))))?;
                    Ok(())
                }
                Slot::Shared(memories) => {
                    self.skipped_names.remove(*name);
                    self.define_shared(name, &memories)
                }
                Slot::Skipped(reason) => {
                    let reason = format!("its module was skipped: {}", strip_prefix(&reason));
                    self.skipped_names.insert(name.to_string(), reason.clone());
                    Err(skip(reason))
                }
                Slot::Broken(why) => Err(fail(format!("its module failed: {why}"))),
            },
            WastDirective::Invoke(invoke) => match self.invoke(invoke)? {
                Ok(_) => Ok(()),
                Err(e) => Err(self.setup.runtime_error(&e, "the call failed")),
            },
            WastDirective::AssertReturn { exec, results, .. } => {
                let got = match self.execute(exec)? {
                    Ok(got) => got,
                    Err(e) => {
                        return Err(self
                            .setup
                            .runtime_error(&e, "expected results, got an error"))
                    }
                };
                values::check_all(&mut self.store, &mut self.hosts, &got, results)
            }
            WastDirective::AssertTrap { exec, message, .. } => match self.execute(exec)? {
                Ok(got) => {
                    let got: Vec<_> = got
                        .iter()
                        .map(|v| values::show(&mut self.store, &mut self.hosts, v))
                        .collect();
                    Err(fail(format!(
                        "expected the trap `{message}`, got the results [{}]",
                        got.join(" ")
                    )))
                }
                Err(e) if trap_matches(&e, message) => Ok(()),
                Err(e) => Err(self
                    .setup
                    .runtime_error(&e, &format!("expected the trap `{message}`"))),
            },
            WastDirective::AssertExhaustion { call, message, .. } => match self.invoke(call)? {
                Ok(_) => Err(fail(format!("expected `{message}`, the call returned"))),
                Err(e) if trap_matches(&e, message) => Ok(()),
                Err(e) => match kind(&e) {
                    Kind::Trap {
                        code: Some(Trap::StackOverflow),
                        ..
                    } => Ok(()),
                    _ => Err(self
                        .setup
                        .runtime_error(&e, &format!("expected `{message}`"))),
                },
            },
            WastDirective::AssertInvalid {
                module, message, ..
            } => self.assert_rejected(module, message),
            WastDirective::AssertMalformed {
                module, message, ..
            } => self.assert_rejected(module, message),
            WastDirective::AssertUnlinkable {
                module, message, ..
            } => self.assert_unlinkable(module, message),
            WastDirective::AssertException { exec, .. } => match self.execute(exec)? {
                Ok(_) => Err(fail("expected an exception, the call returned")),
                Err(e) if e.is::<ThrownException>() => {
                    // The exception is the store's pending one; taking it
                    // releases it.
                    match self.store.take_pending_exception() {
                        Some(_) => Ok(()),
                        // Before Wasmtime 45 the library refuses exception
                        // objects (no exception types in the C API): the
                        // thrown exception is all there is to check.
                        None if matches!(
                            wasmtime_dyn::ExnType::new(&self.setup.engine, [])
                                .map_err(|e| matches!(kind(&e), Kind::TooOld(_))),
                            Err(true)
                        ) =>
                        {
                            Ok(())
                        }
                        None => Err(fail(
                            "the call reported an uncaught exception, but the store has none \
                             pending",
                        )),
                    }
                }
                Err(e) => Err(self.setup.runtime_error(&e, "expected an exception")),
            },
            WastDirective::AssertSuspension { .. } => Err(fail(
                "assert_suspension (stack switching) is not run by this runner",
            )),
            WastDirective::Thread(_) | WastDirective::Wait { .. } => {
                unreachable!("run_all runs thread and wait directives")
            }
        }
    }

    /// Encodes and compiles a module of a directive that expects it valid.
    fn define(&self, module: &mut QuoteWat<'_>) -> Result<Module, Verdict> {
        if is_component(module) {
            return Err(fail(COMPONENT));
        }
        let wasm = module
            .encode()
            .map_err(|e| fail(format!("the wast crate cannot encode the module: {e}")))?;
        self.setup.load(&wasm)
    }

    fn instance_slot(&mut self, module: Module) -> Slot {
        match self.instantiate(&module) {
            Ok(Ok(instance)) => Slot::Ready(instance, module),
            Ok(Err(e)) => match self.setup.runtime_error(&e, "instantiating failed") {
                Verdict::Skip(reason) => Slot::Skipped(reason),
                Verdict::Fail(why) => Slot::Broken(why),
            },
            Err(Verdict::Skip(reason)) => Slot::Skipped(reason),
            Err(Verdict::Fail(why)) => Slot::Broken(why),
        }
    }

    /// Instantiates with the linker; a skip when the module imports from a
    /// registered name whose module was skipped, or a `spectest` item this
    /// library cannot make.
    fn instantiate(&mut self, module: &Module) -> Outcome<Instance> {
        if let Ok(imports) = module.try_imports() {
            for import in imports {
                if let Some(reason) = self.skipped_names.get(import.module()) {
                    return Err(skip(reason.clone()));
                }
            }
        }
        let result = self.linker.instantiate(&mut self.store, module);
        if let Err(err) = &result {
            // The imports of a module whose types this crate cannot read
            // are known from Wasmtime's link error only.
            if let Some((module, name)) = unknown_import(&err.to_string()) {
                if let Some(reason) = self.skipped_names.get(module) {
                    return Err(skip(reason.clone()));
                }
                if let Some((_, reason)) = self
                    .setup
                    .unavailable
                    .iter()
                    .find(|(item, _)| module == "spectest" && name == *item)
                {
                    return Err(skip(reason.clone()));
                }
            }
        }
        Ok(result)
    }

    /// The instance named `name`, or the last one.
    fn slot(&self, name: Option<Id<'_>>) -> Result<Slot, Verdict> {
        match name {
            Some(id) => self
                .instances
                .get(id.name())
                .cloned()
                .ok_or_else(|| fail(format!("no module named ${}", id.name()))),
            None => self
                .current
                .clone()
                .ok_or_else(|| fail("no module was instantiated yet")),
        }
    }

    fn ready(&self, name: Option<Id<'_>>) -> Result<(Instance, Module), Verdict> {
        match self.slot(name)? {
            Slot::Ready(instance, module) => Ok((instance, module)),
            Slot::Shared(_) => Err(fail(
                "the instance belongs to another thread's store; a thread can use its shared \
                 memories only",
            )),
            Slot::Skipped(reason) => Err(skip(format!(
                "its module was skipped: {}",
                strip_prefix(&reason)
            ))),
            Slot::Broken(why) => Err(fail(format!("its module failed: {why}"))),
        }
    }

    fn invoke(&mut self, invoke: &WastInvoke<'_>) -> Outcome<Vec<Val>> {
        let (instance, module) = self.ready(invoke.module)?;
        let func = instance
            .get_func(&mut self.store, invoke.name)
            .ok_or_else(|| self.missing_export(&module, invoke.name, "function"))?;
        let args = invoke
            .args
            .iter()
            .map(|arg| values::arg(&mut self.store, &mut self.hosts, arg))
            .collect::<Result<Vec<_>, _>>()?;
        let mut results: Vec<Val> = func
            .ty(&self.store)
            .results()
            .map(Val::default_for)
            .collect();
        Ok(func
            .call(&mut self.store, &args, &mut results)
            .map(|()| results))
    }

    /// Why the instance handed out no `what` named `name`: an API gap when
    /// the module's exports have types this crate cannot represent (the
    /// lookup then finds nothing), a skip when the library lacks what they
    /// need, else a failure.
    fn missing_export(&self, module: &Module, name: &str, what: &str) -> Verdict {
        match module.try_exports() {
            Err(e) => match (self.setup.unsupported(&e), kind(&e)) {
                (Some(reason), _) => skip(reason),
                (None, Kind::Unrepresentable(message)) => fail(format!(
                    "{} no {what} export `{name}` ({message})",
                    gap::GC_TYPED_EXPORT
                )),
                (None, _) => fail(format!(
                    "no {what} export `{name}` (reading the exports: {})",
                    describe(&e)
                )),
            },
            Ok(_) => fail(format!("no {what} export `{name}`")),
        }
    }

    fn execute(&mut self, exec: &mut WastExecute<'_>) -> Outcome<Vec<Val>> {
        match exec {
            WastExecute::Invoke(invoke) => self.invoke(invoke),
            WastExecute::Get { module, global, .. } => {
                let (instance, module) = self.ready(*module)?;
                let global = instance
                    .get_global(&mut self.store, global)
                    .ok_or_else(|| self.missing_export(&module, global, "global"))?;
                Ok(global.get(&mut self.store).map(|v| vec![v]))
            }
            // `assert_trap` of a module: `assert_uninstantiable`.
            WastExecute::Wat(wat) => {
                let Wat::Module(wat) = wat else {
                    return Err(fail(COMPONENT));
                };
                let module = self.setup.load(&encode_module(wat)?)?;
                Ok(self.instantiate(&module)?.map(|_| Vec::new()))
            }
        }
    }

    /// `assert_invalid` and `assert_malformed`: the module must be
    /// rejected, by the text parser or by the library's compiler. The
    /// message is not compared: Wasmtime's validator words errors its own
    /// way, and Wasmtime's runner accepts any error for the spec suite
    /// (`is_matching_assert_invalid_error_message` in its
    /// `crates/wast/src/wast.rs`).
    fn assert_rejected(&self, module: &mut QuoteWat<'_>, message: &str) -> Result<(), Verdict> {
        if is_component(module) {
            return Err(fail(COMPONENT));
        }
        let Some(compiler) = self.setup.engine.compiler() else {
            return Err(skip(NO_COMPILER));
        };
        let Ok(wasm) = module.encode() else {
            // Rejected while parsing the text.
            return Ok(());
        };
        match compiler.compile(&wasm) {
            Ok(_) => match (&self.setup.left_on, &self.setup.reference) {
                (Some(left_on), Some(full)) if Module::new(full, &wasm).is_err() => {
                    Err(skip(format!(
                        "accepted by the {} build, which cannot turn off {left_on} (their \
                         switches are in the C API's `gc` feature, which it lacks)",
                        self.setup.name()
                    )))
                }
                _ => Err(fail(format!(
                    "the module was accepted; expected it rejected with `{message}`"
                ))),
            },
            Err(_) => Ok(()),
        }
    }

    /// `assert_unlinkable`: a valid module whose instantiation fails with
    /// the spec's message (and does not trap).
    fn assert_unlinkable(&mut self, module: &mut Wat<'_>, message: &str) -> Result<(), Verdict> {
        let Wat::Module(wat) = module else {
            return Err(fail(COMPONENT));
        };
        let module = self.setup.load(&encode_module(wat)?)?;
        let err = match self.instantiate(&module)? {
            Ok(_) => return Err(fail(format!("the module linked; expected `{message}`"))),
            Err(err) => err,
        };
        match kind(&err) {
            Kind::Trap { .. } => Err(fail(format!(
                "expected the link error `{message}`, got the trap: {}",
                describe(&err)
            ))),
            _ if format!("{err:#}").contains(message) => Ok(()),
            _ => Err(fail(format!(
                "expected the link error `{message}`, got {}",
                describe(&err)
            ))),
        }
    }

    /// `assert_malformed_custom` / `assert_invalid_custom`: a module wrong
    /// only in a custom section or annotation, which the text layer (the
    /// `wast` crate) may refuse. What it encodes, the library must judge
    /// as it judges the module without its custom sections: custom content
    /// never makes a module malformed or invalid for the core language
    /// (the module itself may be wrong too, as some of the suite's are).
    fn assert_custom(
        &self,
        kind: CustomAssertion,
        module: &mut QuoteWat<'_>,
        message: &str,
    ) -> Result<(), Verdict> {
        if is_component(module) {
            return Err(fail(COMPONENT));
        }
        let Ok(wasm) = module.encode() else {
            return Ok(());
        };
        let stripped = without_custom_sections(&wasm)
            .ok_or_else(|| fail("the wast crate encoded a module whose sections do not parse"))?;
        let what = match kind {
            CustomAssertion::Malformed => "malformed",
            CustomAssertion::Invalid => "invalid",
        };
        let with = self.setup.load(&wasm);
        let without = self.setup.load(&stripped);
        match (with, without) {
            (Ok(_), Ok(_)) | (Err(Verdict::Fail(_)), Err(Verdict::Fail(_))) => Ok(()),
            (Err(Verdict::Skip(reason)), _) | (_, Err(Verdict::Skip(reason))) => Err(skip(reason)),
            (Err(Verdict::Fail(why)), Ok(_)) => Err(fail(format!(
                "a module {what} only in its custom content (`{message}`) was rejected \
                 for it: {why}"
            ))),
            (Ok(_), Err(Verdict::Fail(why))) => Err(fail(format!(
                "the module was accepted with its custom sections and rejected without them: {why}"
            ))),
        }
    }
}

/// The module and item of Wasmtime's "unknown import" link error.
fn unknown_import(message: &str) -> Option<(&str, &str)> {
    let rest = &message[message.find("unknown import: `")? + "unknown import: `".len()..];
    let item = &rest[..rest.find('`')?];
    item.split_once("::")
}

/// `wasm` without its custom sections (id 0); `None` if its sections do not
/// parse.
fn without_custom_sections(wasm: &[u8]) -> Option<Vec<u8>> {
    let mut out = wasm.get(..8)?.to_vec();
    let mut rest = &wasm[8..];
    while let Some((&id, after_id)) = rest.split_first() {
        let (size, len_bytes) = leb_u32(after_id)?;
        let end = len_bytes.checked_add(size as usize)?;
        let section = after_id.get(..end)?;
        if id != 0 {
            out.push(id);
            out.extend_from_slice(section);
        }
        rest = &after_id[end..];
    }
    Some(out)
}

/// An unsigned LEB128 `u32` and the number of bytes it took.
fn leb_u32(bytes: &[u8]) -> Option<(u32, usize)> {
    let mut value = 0u32;
    for (i, &byte) in bytes.iter().enumerate().take(5) {
        value |= u32::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

fn join(handle: std::thread::ScopedJoinHandle<'_, Outcomes>) -> Outcomes {
    handle.join().unwrap_or_else(|payload| {
        vec![(
            0,
            Err(fail(format!(
                "a wast thread panicked: {}",
                panic_text(&*payload)
            ))),
        )]
    })
}

fn encode_module(module: &mut WastModule<'_>) -> Result<Vec<u8>, Verdict> {
    module
        .encode()
        .map_err(|e| fail(format!("the wast crate cannot encode the module: {e}")))
}

/// A skip reason without the "its module was skipped: " of a dependent
/// directive, so that chains do not repeat it.
fn strip_prefix(reason: &str) -> &str {
    reason
        .strip_prefix("its module was skipped: ")
        .unwrap_or(reason)
}

/// Defines the `spectest` module the suite imports from (the reference
/// interpreter's `spectest.ml`): print functions, four globals, a memory of
/// 1 to 2 pages, a funcref table of 10 to 20 entries, its 64-bit twin where
/// memory64 is on, and a shared memory of 1 to 2 pages where threads are.
fn define_spectest(
    setup: &Setup,
    store: &mut Store<()>,
    linker: &mut Linker<()>,
) -> Result<(), String> {
    let failed = |what: &str| {
        let what = what.to_string();
        move |e: Error| format!("{what}: {}", describe(&e))
    };
    linker
        .func_wrap("spectest", "print", || {})
        .and_then(|l| l.func_wrap("spectest", "print_i32", |_: i32| {}))
        .and_then(|l| l.func_wrap("spectest", "print_i64", |_: i64| {}))
        .and_then(|l| l.func_wrap("spectest", "print_f32", |_: f32| {}))
        .and_then(|l| l.func_wrap("spectest", "print_f64", |_: f64| {}))
        .and_then(|l| l.func_wrap("spectest", "print_i32_f32", |_: i32, _: f32| {}))
        .and_then(|l| l.func_wrap("spectest", "print_f64_f64", |_: f64, _: f64| {}))
        .map_err(failed("the print functions"))?;
    let globals = [
        ("global_i32", Val::I32(666)),
        ("global_i64", Val::I64(666)),
        ("global_f32", Val::from(666.6f32)),
        ("global_f64", Val::from(666.6f64)),
    ];
    for (name, value) in globals {
        let ty = GlobalType::new(value.ty(), Mutability::Const);
        let global = Global::new(&mut *store, ty, value).map_err(failed(name))?;
        linker
            .define(&mut *store, "spectest", name, global)
            .map_err(failed(name))?;
    }
    let memory = Memory::new(&mut *store, MemoryType::new(1, Some(2))).map_err(failed("memory"))?;
    linker
        .define(&mut *store, "spectest", "memory", memory)
        .map_err(failed("memory"))?;
    let tables = match &setup.spectest_tables {
        Some(module) => {
            Some(Instance::new(&mut *store, module, &[]).map_err(failed("the tables"))?)
        }
        None => None,
    };
    let exported_table = |store: &mut Store<()>, name: &str| {
        tables
            .as_ref()
            .and_then(|instance| instance.get_table(&mut *store, name))
            .ok_or_else(|| format!("the spectest tables module exports no `{name}`"))
    };
    let table = if setup.has(Capability::Gc) {
        let ty = TableType::new(ValType::FuncRef, 10, Some(20));
        Table::new(&mut *store, ty, Val::FuncRef(None)).map_err(failed("table"))?
    } else {
        exported_table(store, "table")?
    };
    linker
        .define(&mut *store, "spectest", "table", table)
        .map_err(failed("table"))?;
    if setup.features.memory64 {
        let table64 = exported_table(store, "table64")?;
        linker
            .define(&mut *store, "spectest", "table64", table64)
            .map_err(failed("table64"))?;
    }
    if setup.features.threads && setup.has(Capability::Threads) {
        let memory = SharedMemory::new(&setup.engine, MemoryType::shared(1, 2))
            .map_err(failed("shared_memory"))?;
        linker
            .define(&mut *store, "spectest", "shared_memory", memory)
            .map_err(failed("shared_memory"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_sections_are_stripped() {
        let header = b"\0asm\x01\0\0\0";
        let custom = [0u8, 4, 1, b'n', 0xaa, 0xbb];
        let types = [1u8, 4, 1, 0x60, 0, 0];
        let wasm = [&header[..], &custom, &types, &custom].concat();
        assert_eq!(
            without_custom_sections(&wasm),
            Some([&header[..], &types].concat())
        );
        // A section running past the end.
        assert_eq!(
            without_custom_sections(&[&header[..], &[1, 9, 0]].concat()),
            None
        );
    }

    #[test]
    fn unknown_imports_are_read_from_the_link_error() {
        let message = "unknown import: `Mref_ex::g-const-func` has not been defined";
        assert_eq!(unknown_import(message), Some(("Mref_ex", "g-const-func")));
        assert_eq!(unknown_import("incompatible import type"), None);
    }
}
