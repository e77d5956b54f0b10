//! Running one file's directives: every component is compiled by the
//! library, instantiated in a store of its own with the host imports
//! (`host.rs`), and its exports called with [`Func::call`], as Wasmtime's
//! runner does (`WastContext` in Wasmtime's `crates/wast/src/wast.rs`).
//! The files of `async/` run as Wasmtime's runner runs every file
//! (`Async::Yes`): [`Linker::instantiate_async`] and [`Func::call_async`]
//! on a tokio current-thread runtime ([`Calls::Async`]).

use crate::exports::{self, Source};
use crate::host;
use crate::values;
use std::collections::{BTreeSet, HashMap};
use std::future::Future;
use std::time::Duration;
use wasmtime_dyn::component::types::ComponentItem;
use wasmtime_dyn::component::{Component, Func, Instance, Linker, Val};
use wasmtime_dyn::{precompile_for, Engine, Error, Module, Store, Wasmtime};
use wast_components::component::WastVal;
use wast_components::token::{Id, Span};
use wast_components::{QuoteWat, WastArg, WastDirective, WastExecute, WastInvoke, WastRet, Wat};

/// Why a directive did not pass.
#[derive(Debug)]
pub enum Verdict {
    Fail(String),
    Skip(String),
}

pub type Outcome = Result<(), Verdict>;

fn fail<T>(why: impl Into<String>) -> Result<T, Verdict> {
    Err(Verdict::Fail(why.into()))
}

/// The error's whole chain, as Wasmtime's runner matches messages
/// (`format!("{err:?}")`).
fn text(err: &Error) -> String {
    format!("{err:#}")
}

/// What a call or an instantiation gave.
enum Done {
    Values(Vec<Val>),
    Error(Error),
}

/// How components and core modules are made for the engine: compiled by
/// its library, or, for a library without a compiler, precompiled by the
/// full library for the engine (`precompile_for`) and deserialized.
#[derive(Clone, Copy)]
pub struct Build {
    pub precompiler: Option<&'static Wasmtime>,
}

impl Build {
    pub fn component(self, engine: &Engine, bytes: &[u8]) -> wasmtime_dyn::Result<Component> {
        match self.precompiler {
            None => Component::new(engine, bytes),
            Some(full) => {
                let cwasm = precompile_for(full, engine, bytes)?;
                // SAFETY: the artifact was just made in this process by
                // the official library, for this engine.
                unsafe { Component::deserialize(engine, &cwasm) }
            }
        }
    }

    pub fn module(self, engine: &Engine, bytes: &[u8]) -> wasmtime_dyn::Result<Module> {
        match self.precompiler {
            None => Module::new(engine, bytes),
            Some(full) => {
                let cwasm = precompile_for(full, engine, bytes)?;
                // SAFETY: as for components.
                unsafe { Module::deserialize(engine, &cwasm) }
            }
        }
    }
}

/// How components are instantiated and called.
pub enum Calls {
    /// [`Linker::instantiate`] and [`Func::call`].
    Sync,
    /// [`Linker::instantiate_async`] and [`Func::call_async`], each run to
    /// its end on this current-thread runtime, with the host's async
    /// imports (`host.rs`).
    Async(tokio::runtime::Runtime),
}

/// How long an async instantiation or call may take before it counts as
/// hung (a guest the C API leaves waiting on something that never comes).
const ASYNC_LIMIT: Duration = Duration::from_secs(60);

impl Calls {
    /// The async mode's runtime.
    pub fn new_async() -> Calls {
        Calls::Async(
            tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .build()
                .expect("a tokio runtime"),
        )
    }

    /// Runs `future` on the runtime, failing it after [`ASYNC_LIMIT`].
    fn block_on<R>(
        rt: &tokio::runtime::Runtime,
        future: impl Future<Output = wasmtime_dyn::Result<R>>,
    ) -> wasmtime_dyn::Result<R> {
        // (The timer is made inside the runtime, which it needs.)
        rt.block_on(async { tokio::time::timeout(ASYNC_LIMIT, future).await })
            .unwrap_or_else(|_| {
                Err(wasmtime_dyn::format_err!(
                    "not finished after {} s: the guest waits on something that never comes",
                    ASYNC_LIMIT.as_secs()
                ))
            })
    }

    fn instantiate(
        &self,
        linker: &Linker<()>,
        store: &mut Store<()>,
        component: &Component,
    ) -> wasmtime_dyn::Result<Instance> {
        match self {
            Calls::Sync => linker.instantiate(store, component),
            Calls::Async(rt) => Self::block_on(rt, linker.instantiate_async(store, component)),
        }
    }

    fn call(
        &self,
        func: &Func,
        store: &mut Store<()>,
        args: &[Val],
        results: &mut [Val],
    ) -> wasmtime_dyn::Result<()> {
        match self {
            Calls::Sync => func.call(store, args, results),
            Calls::Async(rt) => Self::block_on(rt, func.call_async(store, args, results)),
        }
    }
}

/// One component instance, in its own store.
struct Live {
    store: Store<()>,
    instance: Instance,
}

/// The state of one file's run.
pub struct FileRun {
    engine: Engine,
    build: Build,
    linker: Linker<()>,
    /// `component definition`s, by name (`None`: the unnamed one).
    definitions: HashMap<Option<String>, (Component, Vec<u8>)>,
    instances: Vec<Live>,
    named: HashMap<String, usize>,
    current: Option<usize>,
    /// The core modules defined in the linker for named components:
    /// (instance, module) -> the module.
    modules: HashMap<(String, String), Module>,
    /// The linker instances of named components with exports the runner
    /// could not define there (resources: the C API cannot take a
    /// resource type out of an instance), with the first such export.
    incomplete: HashMap<String, String>,
    /// Why components that need a proposal the runner cannot turn on are
    /// skipped, if the file turns one on.
    unset: Option<String>,
    /// The definitions and instances skipped for that reason, by name, and
    /// whether the current instance is one.
    skipped: BTreeSet<Option<String>>,
    current_skipped: bool,
    calls: Calls,
}

impl FileRun {
    pub fn new(
        engine: &Engine,
        build: Build,
        unset: Option<String>,
        calls: Calls,
    ) -> Result<FileRun, String> {
        let is_async = matches!(calls, Calls::Async(_));
        Ok(FileRun {
            engine: engine.clone(),
            build,
            linker: host::linker(engine, build, is_async)
                .map_err(|e| format!("the host imports: {e:#}"))?,
            definitions: HashMap::new(),
            instances: Vec::new(),
            named: HashMap::new(),
            current: None,
            modules: HashMap::new(),
            incomplete: HashMap::new(),
            unset,
            skipped: BTreeSet::new(),
            current_skipped: false,
            calls,
        })
    }

    /// Runs one directive.
    pub fn run(&mut self, directive: WastDirective<'_>) -> Outcome {
        match directive {
            WastDirective::Module(mut wat) => {
                let name = wat.name().map(|id| id.name().to_string());
                let (component, bytes) = self.compile(&mut wat).inspect_err(|v| {
                    if let Verdict::Skip(_) = v {
                        self.skipped.insert(name.clone());
                        self.current_skipped = true;
                    }
                })?;
                let outcome = self.instantiate(&component, name.as_deref());
                self.gate(&component, outcome)?;
                match name {
                    Some(name) => self.register(&name, &component, &bytes),
                    None => Ok(()),
                }
            }
            WastDirective::ModuleDefinition(mut wat) => {
                let name = wat.name().map(|id| id.name().to_string());
                let definition = self.compile(&mut wat).inspect_err(|v| {
                    if let Verdict::Skip(_) = v {
                        self.skipped.insert(name.clone());
                    }
                })?;
                self.definitions.insert(name, definition);
                Ok(())
            }
            WastDirective::ModuleInstance {
                instance, module, ..
            } => {
                let key = module.map(|id| id.name().to_string());
                let name = instance.map(|id| id.name().to_string());
                if let (true, Some(reason)) = (self.skipped.contains(&key), &self.unset) {
                    self.skipped.insert(name);
                    self.current_skipped = true;
                    return Err(Verdict::Skip(reason.clone()));
                }
                let Some((component, bytes)) = self.definitions.get(&key).cloned() else {
                    return fail(format!("no component definition named {key:?}"));
                };
                let outcome = self.instantiate(&component, name.as_deref());
                self.gate(&component, outcome)?;
                match name {
                    Some(name) => self.register(&name, &component, &bytes),
                    None => Ok(()),
                }
            }
            WastDirective::Invoke(invoke) => match self.invoke(&invoke)? {
                Done::Values(_) => Ok(()),
                Done::Error(e) => fail(format!("the call failed: {}", text(&e))),
            },
            WastDirective::AssertReturn { exec, results, .. } => {
                let values = match self.execute(exec)? {
                    Done::Values(values) => values,
                    Done::Error(e) => return fail(format!("expected values, got {}", text(&e))),
                };
                let expected: Vec<&WastVal<'_>> = results
                    .iter()
                    .map(|r| match r {
                        WastRet::Component(v) => Ok(v),
                        other => fail(format!("a core result {other:?} of a component")),
                    })
                    .collect::<Result<_, _>>()?;
                if expected.len() != values.len() {
                    return fail(format!(
                        "expected {} results, got {}: {values:?}",
                        expected.len(),
                        values.len()
                    ));
                }
                for (e, a) in expected.iter().zip(&values) {
                    values::check(e, a).map_err(Verdict::Fail)?;
                }
                Ok(())
            }
            WastDirective::AssertTrap { exec, message, .. } => match self.execute(exec)? {
                Done::Values(values) => fail(format!("expected a trap, got {values:?}")),
                Done::Error(e) => trap_matches(&e, message),
            },
            WastDirective::AssertMalformed {
                mut module,
                message,
                ..
            } => {
                let bytes = match module.encode() {
                    Ok(bytes) => bytes,
                    // The text itself is malformed: what the directive
                    // expects, before any library sees it.
                    Err(_) => return Ok(()),
                };
                match self.build.component(&self.engine, &bytes) {
                    Ok(_) => fail(format!("expected the component to be refused ({message})")),
                    Err(e) => message_matches(&e, message),
                }
            }
            WastDirective::AssertInvalid {
                mut module,
                message,
                ..
            } => {
                let bytes = module
                    .encode()
                    .or_else(|e| fail(format!("encoding the component text failed: {e}")))?;
                match self.build.component(&self.engine, &bytes) {
                    Ok(_) => fail(format!("expected the component to be refused ({message})")),
                    Err(e) => message_matches(&e, message),
                }
            }
            WastDirective::AssertUnlinkable {
                mut module,
                message,
                ..
            } => {
                let component = self.compile_wat(&mut module)?;
                let mut store = Store::new(&self.engine, ());
                let outcome = match self.calls.instantiate(&self.linker, &mut store, &component) {
                    Ok(_) => fail(format!("expected linking to fail ({message})")),
                    Err(e) => message_matches(&e, message),
                };
                self.gate(&component, outcome)
            }
            WastDirective::Register { .. } => {
                fail("`register` is for core modules, which Wasmtime's runner does not register for components either")
            }
            WastDirective::AssertExhaustion { .. } => fail("`assert_exhaustion` on a component"),
            WastDirective::AssertException { .. } => fail("`assert_exception` on a component"),
            WastDirective::AssertSuspension { .. } => fail("`assert_suspension` on a component"),
            WastDirective::Thread(_) | WastDirective::Wait { .. } => {
                fail("`thread`/`wait` blocks, which this runner does not run")
            }
            _ => fail("a directive this runner does not know (custom-section assertions...)"),
        }
    }

    fn compile(&self, wat: &mut QuoteWat<'_>) -> Result<(Component, Vec<u8>), Verdict> {
        let bytes = wat
            .encode()
            .or_else(|e| fail(format!("encoding the component text failed: {e}")))?;
        Ok((self.component(&bytes)?, bytes))
    }

    fn compile_wat(&self, wat: &mut Wat<'_>) -> Result<Component, Verdict> {
        let bytes = wat
            .encode()
            .or_else(|e| fail(format!("encoding the component text failed: {e}")))?;
        self.component(&bytes)
    }

    fn component(&self, bytes: &[u8]) -> Result<Component, Verdict> {
        if bytes.get(4..8) == Some(&[1, 0, 0, 0]) {
            return fail(
                "a core module outside a component: this runner runs component files only",
            );
        }
        self.build.component(&self.engine, bytes).or_else(|e| {
            let why = text(&e);
            // wasmparser's words for a proposal that is off: "... requires
            // the ... feature", "the `cm-implements` feature is not active",
            // and for the context slots past 0 that component-model
            // threading adds, "`context.get` immediate must be zero"
            // (wasmparser 0.254's `validate_context_immediate`).
            let off = why.contains("feature") || why.contains("immediate must be zero:");
            match &self.unset {
                Some(reason) if off => Err(Verdict::Skip(reason.clone())),
                _ => fail(format!("compiling the component failed: {why}")),
            }
        })
    }

    /// Instantiates `component` in a new store: it becomes the current
    /// instance, and `name`'s.
    fn instantiate(&mut self, component: &Component, name: Option<&str>) -> Outcome {
        let mut store = Store::new(&self.engine, ());
        let instance = match self.calls.instantiate(&self.linker, &mut store, component) {
            Ok(instance) => instance,
            Err(e) => {
                // The calls that follow were meant for this instance, not
                // the one before it (Wasmtime's runner stops the file).
                self.current = None;
                return fail(format!("instantiation failed: {}", text(&e)));
            }
        };
        self.instances.push(Live { store, instance });
        let index = self.instances.len() - 1;
        self.current = Some(index);
        self.current_skipped = false;
        if let Some(name) = name {
            self.named.insert(name.to_string(), index);
        }
        Ok(())
    }

    /// What Wasmtime's runner does for a named component: a linker
    /// instance of that name (empty if need be), where the core modules and
    /// resources the component exports are defined. Modules come from the
    /// component's bytes (`exports.rs`); resources cannot be had (the C API
    /// has no `Instance::get_resource`), and such an instance is noted as
    /// incomplete.
    fn register(&mut self, name: &str, component: &Component, bytes: &[u8]) -> Outcome {
        let mut modules = Vec::new();
        for (export, source) in exports::modules(bytes).map_err(Verdict::Fail)? {
            let module = match source {
                Source::Defined(range) => {
                    self.build
                        .module(&self.engine, &bytes[range])
                        .or_else(|e| {
                            fail(format!(
                                "compiling the exported module `{export}`: {}",
                                text(&e)
                            ))
                        })?
                }
                Source::Imported(instance, module) => {
                    match self.modules.get(&(instance.clone(), module.clone())) {
                        Some(module) => module.clone(),
                        None => {
                            return fail(format!(
                                "the exported module `{export}` is `{instance}`'s `{module}`, \
                                 which the runner did not define"
                            ))
                        }
                    }
                }
                Source::Other(what) => {
                    return fail(format!(
                        "the exported module `{export}` is {what}: the runner cannot define it"
                    ))
                }
            };
            modules.push((export, module));
        }
        let resources: Vec<String> = component
            .component_type()
            .exports(&self.engine)
            .filter(|(_, item)| matches!(item, ComponentItem::Resource(_)))
            .map(|(export, _)| export.to_string())
            .collect();
        let mut instance = self
            .linker
            .instance(name)
            .or_else(|e| fail(format!("the linker instance `{name}`: {}", text(&e))))?;
        for (export, module) in &modules {
            instance.module(export, module).or_else(|e| {
                fail(format!(
                    "defining the module `{name}`.`{export}`: {}",
                    text(&e)
                ))
            })?;
        }
        drop(instance);
        for (export, module) in modules {
            self.modules.insert((name.to_string(), export), module);
        }
        match resources.into_iter().next() {
            Some(resource) => self.incomplete.insert(name.to_string(), resource),
            None => self.incomplete.remove(name),
        };
        Ok(())
    }

    /// `outcome` of linking `component`, a skip instead of a failure where
    /// the component imports an instance the runner could not define
    /// completely.
    fn gate<T>(&self, component: &Component, outcome: Result<T, Verdict>) -> Result<T, Verdict> {
        let Err(Verdict::Fail(why)) = outcome else {
            return outcome;
        };
        let imports: BTreeSet<String> = component
            .component_type()
            .imports(&self.engine)
            .map(|(name, _)| name.to_string())
            .collect();
        if self.incomplete.keys().any(|name| imports.contains(name)) {
            Err(Verdict::Skip(
                "links against a resource type that a named component instance exports, which \
                 Wasmtime's runner defines in its linker with `Instance::get_resource`: the C \
                 API has no way to take a resource type out of a component instance"
                    .to_string(),
            ))
        } else {
            Err(Verdict::Fail(why))
        }
    }

    fn execute(&mut self, exec: WastExecute<'_>) -> Result<Done, Verdict> {
        match exec {
            WastExecute::Invoke(invoke) => self.invoke(&invoke),
            WastExecute::Wat(mut wat) => {
                let component = self.compile_wat(&mut wat)?;
                let mut store = Store::new(&self.engine, ());
                Ok(
                    match self.calls.instantiate(&self.linker, &mut store, &component) {
                        Ok(_) => Done::Values(Vec::new()),
                        Err(e) => Done::Error(e),
                    },
                )
            }
            WastExecute::Get { global, .. } => {
                fail(format!("`get {global}`: components export no globals"))
            }
        }
    }

    fn invoke(&mut self, invoke: &WastInvoke<'_>) -> Result<Done, Verdict> {
        // A call of a component skipped above is skipped too.
        let skipped = match invoke.module {
            Some(id) => self.skipped.contains(&Some(id.name().to_string())),
            None => self.current_skipped,
        };
        if let (true, Some(reason)) = (skipped, &self.unset) {
            return Err(Verdict::Skip(reason.clone()));
        }
        let index = match invoke.module {
            Some(id) => self.named_instance(id)?,
            None => match self.current {
                Some(index) => index,
                None => {
                    return fail(
                        "no current component instance (none yet, or the last one failed to \
                         instantiate)",
                    )
                }
            },
        };
        let args: Vec<Val> = invoke
            .args
            .iter()
            .map(|a| match a {
                WastArg::Component(v) => Ok(values::val(v)),
                other => fail(format!("a core argument {other:?} to a component")),
            })
            .collect::<Result<_, _>>()?;
        let live = &mut self.instances[index];
        let Some(func) = live.instance.get_func(&mut live.store, invoke.name) else {
            return fail(format!("no function named `{}` exported", invoke.name));
        };
        let mut results = vec![Val::Bool(false); func.results(&live.store).len()];
        Ok(
            match self.calls.call(&func, &mut live.store, &args, &mut results) {
                Ok(()) => Done::Values(results),
                Err(e) => Done::Error(e),
            },
        )
    }

    fn named_instance(&self, id: Id<'_>) -> Result<usize, Verdict> {
        match self.named.get(id.name()) {
            Some(index) => Ok(*index),
            None => fail(format!("no component instance named `${}`", id.name())),
        }
    }
}

/// Whether the error is the trap `expected` names, with the two allowances
/// of Wasmtime's runner for the component tests (`assert_trap` in its
/// `crates/wast/src/wast.rs`): "cannot write"/"cannot read" match whatever
/// follows them.
fn trap_matches(err: &Error, expected: &str) -> Outcome {
    let actual = text(err);
    let relaxed = ["cannot write", "cannot read"]
        .iter()
        .any(|p| expected.contains(p) && actual.contains(p));
    if actual.contains(expected) || relaxed {
        Ok(())
    } else {
        fail(format!("expected a trap with {expected:?}, got {actual:?}"))
    }
}

/// Whether the error's text contains `expected`, as Wasmtime's runner
/// checks `assert_invalid` and `assert_unlinkable`.
fn message_matches(err: &Error, expected: &str) -> Outcome {
    let actual = text(err);
    if actual.contains(expected) {
        Ok(())
    } else {
        fail(format!(
            "expected an error with {expected:?}, got {actual:?}"
        ))
    }
}

/// The 1-based line of `span` in `text`.
pub fn line(span: Span, text: &str) -> usize {
    span.linecol_in(text).0 + 1
}
