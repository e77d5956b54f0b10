//! Running one `.wast` file's directives against one library.

use crate::common::{kind, trap, Flavour};
use crate::values::{self, fail, skip, Verdict, NO_GC_REFERENCE};
use std::collections::HashMap;
use wasmtime_dyn::{
    Capability, Config, Engine, Error, ErrorKind, Global, GlobalType, Instance, Linker, Memory,
    MemoryType, Module, Mutability, Store, Table, TableType, Trap, Val, ValType,
};
use wast::core::Module as WastModule;
use wast::token::Id;
use wast::{QuoteWat, Wast, WastDirective, WastExecute, WastInvoke, Wat};

/// The text of the module that provides the `spectest` table where
/// [`Table::new`] cannot (a library without GC).
const SPECTEST_TABLE: &str = r#"(module (table (export "table") 10 20 funcref))"#;

/// One library, set up to run spec modules.
pub struct Lib {
    pub flavour: Flavour,
    engine: Engine,
    /// For a library without a compiler: the full library's engine
    /// configured for this library's capabilities, which precompiles every
    /// module.
    precompiler: Option<Engine>,
    /// For the other libraries: the full library with its default
    /// configuration, to tell a capability this library lacks from a failure.
    reference: Option<Engine>,
    /// The module exporting the `spectest` table, for libraries without GC.
    table_module: Module,
}

/// The configuration the suite runs with: Wasmtime's defaults, plus the
/// WebAssembly 3.0 proposals the suite tests (typed function references,
/// GC, exceptions) where the library has GC; Wasmtime 45 and 46 leave them
/// off by default, 47 and later turn them on.
fn suite_config(wasmtime: &'static wasmtime_dyn::Wasmtime) -> Config {
    let mut config = Config::new(wasmtime);
    if let Some(mut gc) = config.gc() {
        gc.wasm_function_references(true)
            .wasm_gc(true)
            .wasm_exceptions(true);
    }
    config
}

impl Lib {
    pub fn new(flavour: Flavour) -> Lib {
        let wasmtime = flavour.load();
        let engine = Engine::new(wasmtime, &suite_config(wasmtime))
            .unwrap_or_else(|e| panic!("the {} engine: {e}", name(flavour)));
        let full = Flavour::Full.load();
        let precompiler = (!wasmtime.has(Capability::Compiler)).then(|| {
            let mut config = Config::new(full);
            config.for_target(wasmtime.capabilities());
            Engine::new(full, &config).expect("the full engine that precompiles")
        });
        let reference = (flavour != Flavour::Full)
            .then(|| Engine::new(full, &suite_config(full)).expect("the full reference engine"));
        let wasm = encode_text(SPECTEST_TABLE).expect("the spectest table module encodes");
        let table_module = compile(&engine, precompiler.as_ref(), &wasm)
            .unwrap_or_else(|e| panic!("the spectest table module on {}: {e}", name(flavour)));
        Lib {
            flavour,
            engine,
            precompiler,
            reference,
            table_module,
        }
    }

    pub fn name(&self) -> &'static str {
        name(self.flavour)
    }

    /// The module of a directive that expects it to be valid; a module that
    /// only fails for want of a capability (or a proposal Wasmtime does not
    /// enable) is a skip.
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
                        // process by the official library.
                        return unsafe { Module::deserialize(&self.engine, &cwasm) }.map_err(|e| {
                            fail(format!("deserializing the .cwasm failed: {}", describe(&e)))
                        });
                    }
                    Err(err) => err,
                }
            }
        };
        let why = summary(&err);
        if !names_a_disabled_feature(&why) {
            return Err(fail(format!(
                "compiling the module failed: {}",
                describe(&err)
            )));
        }
        match &self.reference {
            None => Err(skip(format!(
                "uses a proposal Wasmtime 48 does not enable: {why}"
            ))),
            Some(full) if Module::new(full, wasm).is_ok() => Err(skip(format!(
                "needs a feature the {} build lacks: {why}",
                self.name()
            ))),
            Some(_) => Err(fail(format!(
                "compiling the module failed (on the full library too): {}",
                describe(&err)
            ))),
        }
    }

    /// Why an error of a call or an accessor is a skip on this library, if
    /// it is one.
    fn unsupported(&self, err: &Error) -> Option<String> {
        match kind(err)? {
            ErrorKind::Unsupported(Capability::Gc)
                if !self.engine.capabilities().contains(Capability::Gc) =>
            {
                Some(NO_GC_REFERENCE.into())
            }
            ErrorKind::Unsupported(cap) if !self.engine.capabilities().contains(*cap) => Some(
                format!("needs the `{cap}` capability, which this build lacks"),
            ),
            ErrorKind::Invalid(message) if message.contains("GC proposal") => {
                Some(format!("a type wasmtime-dyn cannot represent: {message}"))
            }
            _ => None,
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

/// The innermost cause of an error, without the byte offset: stable enough
/// to group skips by.
fn summary(err: &Error) -> String {
    let text = err.root_cause().to_string();
    let last = text
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .unwrap_or_default();
    match last.find(" (at offset") {
        Some(i) => last[..i].to_string(),
        None => last.to_string(),
    }
}

/// Whether a failed call or instantiation trapped: with a code (a
/// [`Trap`] inside) or without one (an uncaught exception, reported by the
/// C API as a message). Everything else the runner can meet is the crate's
/// own [`ErrorKind`]: the runner's host functions never fail.
fn is_trap(err: &Error) -> bool {
    trap(err).is_some() || kind(err).is_none()
}

/// An error on one line: a trap as its code and its own last line (the
/// backtrace left out), anything else with its lines joined.
fn describe(err: &Error) -> String {
    if is_trap(err) {
        let code = trap(err).map_or_else(|| "without a code".to_string(), |c| format!("`{c}`"));
        let root = err.root_cause().to_string();
        let last = root
            .lines()
            .map(str::trim)
            .rfind(|l| !l.is_empty())
            .unwrap_or_default();
        format!("a trap {code} ({last})")
    } else {
        format!("{err:#}")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" / ")
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
    ]
    .iter()
    .any(|needle| message.contains(needle))
}

/// Whether a failed call or instantiation is the trap the spec expects,
/// worded as the reference interpreter words it.
fn trap_matches(err: &Error, expected: &str) -> bool {
    if let Some(code) = trap(err) {
        let text = code.to_string();
        let text = text.strip_prefix("wasm trap: ").unwrap_or(&text);
        if text.contains(expected) || expected.contains(text) {
            return true;
        }
    }
    match kind(err) {
        Some(ErrorKind::Wasmtime { message }) => message.contains(expected),
        Some(_) => false,
        // A trap, with a code or without: its own message.
        None => err.root_cause().to_string().contains(expected),
    }
}

fn is_component(module: &QuoteWat<'_>) -> bool {
    matches!(
        module,
        QuoteWat::Wat(Wat::Component(_)) | QuoteWat::QuoteComponent(..)
    )
}

const COMPONENT: &str = "component model: the runner runs core modules only";

/// What a module directive left behind.
#[derive(Clone)]
enum Slot {
    Ready(Instance, Module),
    Skipped(String),
    Broken(String),
}

impl Slot {
    fn verdict(&self) -> Result<(), Verdict> {
        match self {
            Slot::Ready(..) => Ok(()),
            Slot::Skipped(reason) => Err(skip(reason.clone())),
            Slot::Broken(why) => Err(fail(why.clone())),
        }
    }
}

/// The state of one file's run: one store, one linker with `spectest` and
/// the registered instances.
pub struct FileRun<'a> {
    lib: &'a Lib,
    store: Store<()>,
    linker: Linker<()>,
    current: Option<Slot>,
    instances: HashMap<String, Slot>,
    definitions: HashMap<String, Result<Module, Verdict>>,
    last_definition: Option<Result<Module, Verdict>>,
    /// Registered names whose module was skipped, with the reason.
    skipped_names: HashMap<String, String>,
}

type Outcome<T> = Result<wasmtime_dyn::Result<T>, Verdict>;

impl<'a> FileRun<'a> {
    pub fn new(lib: &'a Lib) -> wasmtime_dyn::Result<FileRun<'a>> {
        let mut store = Store::new(&lib.engine, ());
        let mut linker = Linker::new(&lib.engine);
        linker.allow_shadowing(true);
        define_spectest(lib, &mut store, &mut linker)?;
        Ok(FileRun {
            lib,
            store,
            linker,
            current: None,
            instances: HashMap::new(),
            definitions: HashMap::new(),
            last_definition: None,
            skipped_names: HashMap::new(),
        })
    }

    /// Runs one directive: `Ok` when it passed.
    pub fn run(&mut self, directive: &mut WastDirective<'_>) -> Result<(), Verdict> {
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
                        Slot::Skipped(format!("its module was skipped: {reason}"))
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
                Slot::Skipped(reason) => {
                    let reason = format!("its module was skipped: {}", strip_prefix(&reason));
                    self.skipped_names.insert(name.to_string(), reason.clone());
                    Err(skip(reason))
                }
                Slot::Broken(why) => Err(fail(format!("its module failed: {why}"))),
            },
            WastDirective::Invoke(invoke) => match self.invoke(invoke)? {
                Ok(_) => Ok(()),
                Err(e) => Err(self.runtime_error(&e, "the call failed")),
            },
            WastDirective::AssertReturn { exec, results, .. } => {
                let got = match self.execute(exec)? {
                    Ok(got) => got,
                    Err(e) => return Err(self.runtime_error(&e, "expected results, got an error")),
                };
                values::check_all(&mut self.store, &got, results)
            }
            WastDirective::AssertTrap { exec, message, .. } => match self.execute(exec)? {
                Ok(got) => {
                    let got: Vec<_> = got
                        .iter()
                        .map(|v| values::show(&mut self.store, v))
                        .collect();
                    Err(fail(format!(
                        "expected the trap `{message}`, got the results [{}]",
                        got.join(" ")
                    )))
                }
                Err(e) if trap_matches(&e, message) => Ok(()),
                Err(e) => Err(self.runtime_error(&e, &format!("expected the trap `{message}`"))),
            },
            WastDirective::AssertExhaustion { call, message, .. } => match self.invoke(call)? {
                Ok(_) => Err(fail(format!("expected `{message}`, the call returned"))),
                Err(e) if trap(&e) == Some(Trap::StackOverflow) => Ok(()),
                Err(e) if trap_matches(&e, message) => Ok(()),
                Err(e) => Err(self.runtime_error(&e, &format!("expected `{message}`"))),
            },
            WastDirective::AssertInvalid {
                module, message, ..
            }
            | WastDirective::AssertMalformed {
                module, message, ..
            } => self.assert_rejected(module, message),
            WastDirective::AssertUnlinkable {
                module, message, ..
            } => self.assert_unlinkable(module, message),
            WastDirective::AssertException { exec, .. } => match self.execute(exec)? {
                Ok(_) => Err(fail("expected an exception, the call returned")),
                // The C API reports an uncaught exception as a trap without
                // a code (a message), which this crate cannot tell from a
                // host trap but by Wasmtime's wording.
                Err(e)
                    if is_trap(&e)
                        && trap(&e).is_none()
                        && e.root_cause().to_string().contains("exception") =>
                {
                    Ok(())
                }
                Err(e) => Err(self.runtime_error(&e, "expected an exception")),
            },
            WastDirective::AssertSuspension { .. } => Err(skip(
                "stack switching (assert_suspension): a proposal Wasmtime 48 does not enable",
            )),
            WastDirective::Thread(_) | WastDirective::Wait { .. } => Err(skip(
                "threads (thread/wait directives): the runner runs one thread per file",
            )),
        }
    }

    /// Encodes and compiles a module of a directive that expects it valid.
    fn define(&self, module: &mut QuoteWat<'_>) -> Result<Module, Verdict> {
        if is_component(module) {
            return Err(skip(COMPONENT));
        }
        let wasm = module
            .encode()
            .map_err(|e| fail(format!("the wast crate cannot encode the module: {e}")))?;
        self.lib.load(&wasm)
    }

    fn instance_slot(&mut self, module: Module) -> Slot {
        match self.instantiate(&module) {
            Ok(Ok(instance)) => Slot::Ready(instance, module),
            Ok(Err(e)) => match self.lib.unsupported(&e) {
                Some(reason) => Slot::Skipped(reason),
                None => Slot::Broken(format!("instantiating failed: {}", describe(&e))),
            },
            Err(Verdict::Skip(reason)) => Slot::Skipped(reason),
            Err(Verdict::Fail(why)) => Slot::Broken(why),
        }
    }

    /// Instantiates with the linker, unless the module imports from a
    /// registered name whose module was skipped.
    fn instantiate(&mut self, module: &Module) -> Outcome<Instance> {
        if let Ok(imports) = module.imports() {
            for import in &imports {
                if let Some(reason) = self.skipped_names.get(&import.module) {
                    return Err(skip(reason.clone()));
                }
            }
        }
        Ok(self.linker.instantiate(&mut self.store, module))
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
            .map(|arg| values::arg(&mut self.store, arg))
            .collect::<Result<Vec<_>, _>>()?;
        let mut results: Vec<Val> = func
            .ty(&self.store)
            .results()
            .iter()
            .map(|ty| Val::default_for(*ty))
            .collect();
        Ok(func
            .call(&mut self.store, &args, &mut results)
            .map(|()| results))
    }

    /// An export lookup failed: a skip when the module's exports have types
    /// this crate cannot represent (the lookup then finds nothing).
    /// Why the instance handed out no `what` named `name`: a skip when the
    /// module's exports have types the library cannot represent, else a
    /// failure.
    fn missing_export(&self, module: &Module, name: &str, what: &str) -> Verdict {
        match module.exports() {
            Err(e) => match self.lib.unsupported(&e) {
                Some(reason) => skip(reason),
                None => fail(format!(
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
            WastExecute::Wat(wat) => {
                let Wat::Module(wat) = wat else {
                    return Err(skip(COMPONENT));
                };
                let module = self.lib.load(&encode_module(wat)?)?;
                Ok(self.instantiate(&module)?.map(|_| Vec::new()))
            }
        }
    }

    /// A call or instantiation failed where it should not have.
    fn runtime_error(&self, err: &Error, context: &str) -> Verdict {
        match self.lib.unsupported(err) {
            Some(reason) => skip(reason),
            None => fail(format!("{context}, got {}", describe(err))),
        }
    }

    /// `assert_invalid` and `assert_malformed`: the module must be
    /// rejected, by the text parser or by the library's compiler.
    fn assert_rejected(&self, module: &mut QuoteWat<'_>, message: &str) -> Result<(), Verdict> {
        if is_component(module) {
            return Err(skip(COMPONENT));
        }
        let Some(compiler) = self.lib.engine.compiler() else {
            return Err(skip("no compiler"));
        };
        let Ok(wasm) = module.encode() else {
            // Rejected while parsing the text.
            return Ok(());
        };
        match compiler.compile(&wasm) {
            Ok(_) => Err(fail(format!(
                "the module was accepted; expected it rejected with `{message}`"
            ))),
            Err(_) => Ok(()),
        }
    }

    /// `assert_unlinkable`: a valid module whose instantiation fails (and
    /// does not trap).
    fn assert_unlinkable(&mut self, module: &mut Wat<'_>, message: &str) -> Result<(), Verdict> {
        let Wat::Module(wat) = module else {
            return Err(skip(COMPONENT));
        };
        let module = self.lib.load(&encode_module(wat)?)?;
        match self.instantiate(&module)? {
            Ok(_) => Err(fail(format!("the module linked; expected `{message}`"))),
            Err(e) if is_trap(&e) => Err(fail(format!(
                "expected the link error `{message}`, got the trap: {e:?}"
            ))),
            Err(_) => Ok(()),
        }
    }
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

/// Defines the `spectest` module the suite imports from.
fn define_spectest(
    lib: &Lib,
    store: &mut Store<()>,
    linker: &mut Linker<()>,
) -> wasmtime_dyn::Result<()> {
    linker.func_wrap("spectest", "print", || {})?;
    linker.func_wrap("spectest", "print_i32", |_: i32| {})?;
    linker.func_wrap("spectest", "print_i64", |_: i64| {})?;
    linker.func_wrap("spectest", "print_f32", |_: f32| {})?;
    linker.func_wrap("spectest", "print_f64", |_: f64| {})?;
    linker.func_wrap("spectest", "print_i32_f32", |_: i32, _: f32| {})?;
    linker.func_wrap("spectest", "print_f64_f64", |_: f64, _: f64| {})?;
    let globals = [
        ("global_i32", Val::I32(666)),
        ("global_i64", Val::I64(666)),
        ("global_f32", Val::from(666.6f32)),
        ("global_f64", Val::from(666.6f64)),
    ];
    for (name, value) in globals {
        let ty = GlobalType::new(value.ty(), Mutability::Const);
        let global = Global::new(&mut *store, ty, value)?;
        linker.define(&mut *store, "spectest", name, global)?;
    }
    let memory = Memory::new(&mut *store, MemoryType::new(1, Some(2)))?;
    linker.define(&mut *store, "spectest", "memory", memory)?;
    let ty = TableType::new(ValType::FuncRef, 10, Some(20));
    let table = match Table::new(&mut *store, ty, Val::FuncRef(None)) {
        Ok(table) => table,
        Err(e) if matches!(kind(&e), Some(ErrorKind::Unsupported(Capability::Gc))) => {
            let instance = Instance::new(&mut *store, &lib.table_module, &[])?;
            instance.get_table(&mut *store, "table").ok_or_else(|| {
                Error::from(ErrorKind::Invalid(
                    "the spectest table module exports no table".into(),
                ))
            })?
        }
        Err(e) => return Err(e),
    };
    linker.define(&mut *store, "spectest", "table", table)?;
    Ok(())
}

/// Parses a whole `.wast` file.
pub fn parse<'a>(buf: &'a wast::parser::ParseBuffer<'a>) -> Result<Wast<'a>, wast::Error> {
    wast::parser::parse::<Wast<'a>>(buf)
}
