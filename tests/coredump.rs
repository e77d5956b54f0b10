//! Core dumps (`Config::coredump_on_trap`) on the real libraries: a trap
//! carries a `WasmCoreDump` whose frames, memories and globals are the
//! store's, and whose serialized form is a valid wasm module in the
//! tool-conventions core dump format, parsed back here with `wasmparser`.

mod common;

use common::{engine_with, flavours, frames, round_has, trap, Flavour};
use wasmparser::{DataKind, KnownCustom, Operator, Parser, Payload, ValType as WasmValType};
use wasmtime_dyn::{
    Config, Engine, Error, Func, Instance, Linker, Module, Store, Trap, Val, WasmBacktrace,
    WasmCoreDump, V128,
};

/// One module, named `app` (so its frames carry the name), with exported
/// memory and globals of every number type, and an unexported global.
const APP: &str = r#"(module $app
    (memory (export "memory") 1 3)
    (global $counter (export "counter") (mut i32) (i32.const 7))
    (global (export "wide") i64 (i64.const -5))
    (global (export "ratio") (mut f64) (f64.const 0.25))
    (global (export "vec") v128 (v128.const i32x4 1 2 3 4))
    (global $hidden (mut i32) (i32.const 99))
    (data (i32.const 16) "hello")
    (func $inner (param i32)
        local.get 0
        global.set $hidden
        unreachable)
    (func $run (export "run") (param i32)
        local.get 0
        global.set $counter
        (i32.store (i32.const 8192) (i32.const 0x01020304))
        (f64.store (i32.const 65528) (f64.const 2.5))
        local.get 0
        call $inner)
    (func (export "ok") (result i32) i32.const 1))"#;

/// The binary of `wat`.
fn wasm_of(wat: &str) -> Vec<u8> {
    let buf = wast::parser::ParseBuffer::new(wat).expect("lexing the WAT");
    let mut module: wast::Wat = wast::parser::parse(&buf).expect("parsing the WAT");
    module.encode().expect("encoding the WAT")
}

/// An engine of `flavour` with `coredump_on_trap` set to `on`.
fn engine(flavour: Flavour, on: bool) -> Engine {
    engine_with(flavour, |c: &mut Config| {
        c.coredump_on_trap(on);
    })
}

/// A module of `wasm` for `engine`: compiled where the library can,
/// otherwise precompiled by the full library and deserialized (as
/// `common::module_with` does).
fn module(flavour: Flavour, engine: &Engine, wasm: &[u8]) -> Module {
    if flavour != Flavour::Min {
        return Module::new(engine, wasm).unwrap_or_else(|e| panic!("{flavour:?}: {e}"));
    }
    let full = Flavour::Full.load();
    let mut config = Config::new(full);
    config.for_target(engine.capabilities());
    let compiling = Engine::new(full, &config).expect("full engine");
    let cwasm = compiling
        .compiler()
        .expect("a compiler")
        .precompile(wasm)
        .expect("precompiling");
    // SAFETY: the artifact was just produced by the official library.
    unsafe { Module::deserialize(engine, &cwasm) }.expect("deserializing on min")
}

/// The core dump an error carries.
fn dump_of(err: &Error) -> &WasmCoreDump {
    err.downcast_ref::<WasmCoreDump>()
        .unwrap_or_else(|| panic!("no core dump in {err:?}"))
}

/// A global's value as the dump's global section writes it.
#[derive(Debug, PartialEq)]
enum Init {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    V128([u8; 16]),
    Null,
}

/// A serialized core dump, parsed back (after validating it as a module).
#[derive(Debug, Default)]
struct Parsed {
    core_name: String,
    modules: Vec<String>,
    /// (module, memories, globals)
    instances: Vec<(u32, Vec<u32>, Vec<u32>)>,
    thread: String,
    /// (instance, function, code offset, locals, operand stack)
    frames: Vec<(u32, u32, u32, usize, usize)>,
    /// (initial pages, maximum, 64-bit)
    memories: Vec<(u64, Option<u64>, bool)>,
    /// (type, mutable, value)
    globals: Vec<(WasmValType, bool, Init)>,
    /// (memory, offset, bytes)
    data: Vec<(u32, u64, Vec<u8>)>,
    /// The custom sections' names, in order.
    customs: Vec<String>,
}

impl Parsed {
    /// The contents of memory `index` of `len` bytes, rebuilt from the data
    /// segments.
    fn image(&self, index: u32, len: usize) -> Vec<u8> {
        let mut image = vec![0; len];
        for (memory, offset, bytes) in &self.data {
            if *memory == index {
                let at = *offset as usize;
                image[at..at + bytes.len()].copy_from_slice(bytes);
            }
        }
        image
    }
}

fn const_value(expr: &wasmparser::ConstExpr<'_>) -> (Init, u64) {
    let mut ops = expr.get_operators_reader();
    let (init, offset) = match ops.read().expect("an operator") {
        Operator::I32Const { value } => (Init::I32(value), value as u32 as u64),
        Operator::I64Const { value } => (Init::I64(value), value as u64),
        Operator::F32Const { value } => (Init::F32(value.bits()), 0),
        Operator::F64Const { value } => (Init::F64(value.bits()), 0),
        Operator::V128Const { value } => (Init::V128(*value.bytes()), 0),
        Operator::RefNull { .. } => (Init::Null, 0),
        other => panic!("unexpected constant {other:?}"),
    };
    assert!(matches!(ops.read(), Ok(Operator::End)));
    (init, offset)
}

fn parse(bytes: &[u8]) -> Parsed {
    wasmparser::Validator::new()
        .validate_all(bytes)
        .unwrap_or_else(|e| panic!("the core dump is not a valid module: {e}"));
    let mut parsed = Parsed::default();
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.expect("a payload") {
            Payload::CustomSection(section) => {
                parsed.customs.push(section.name().to_string());
                match section.as_known() {
                    KnownCustom::CoreDump(core) => parsed.core_name = core.name.to_string(),
                    KnownCustom::CoreDumpModules(modules) => {
                        parsed.modules = modules.modules.iter().map(|m| m.to_string()).collect()
                    }
                    KnownCustom::CoreDumpInstances(instances) => {
                        parsed.instances = instances
                            .instances
                            .iter()
                            .map(|i| (i.module_index, i.memories.clone(), i.globals.clone()))
                            .collect()
                    }
                    KnownCustom::CoreDumpStack(stack) => {
                        parsed.thread = stack.name.to_string();
                        parsed.frames = stack
                            .frames
                            .iter()
                            .map(|f| {
                                (
                                    f.instanceidx,
                                    f.funcidx,
                                    f.codeoffset,
                                    f.locals.len(),
                                    f.stack.len(),
                                )
                            })
                            .collect();
                    }
                    _ => {}
                }
            }
            Payload::MemorySection(reader) => {
                for memory in reader {
                    let memory = memory.expect("a memory");
                    assert!(!memory.shared && memory.page_size_log2.is_none());
                    parsed
                        .memories
                        .push((memory.initial, memory.maximum, memory.memory64));
                }
            }
            Payload::GlobalSection(reader) => {
                for global in reader {
                    let global = global.expect("a global");
                    let (init, _) = const_value(&global.init_expr);
                    parsed
                        .globals
                        .push((global.ty.content_type, global.ty.mutable, init));
                }
            }
            Payload::DataSection(reader) => {
                for data in reader {
                    let data = data.expect("a data segment");
                    let DataKind::Active {
                        memory_index,
                        offset_expr,
                    } = data.kind
                    else {
                        panic!("a passive data segment");
                    };
                    let (_, offset) = const_value(&offset_expr);
                    parsed.data.push((memory_index, offset, data.data.to_vec()));
                }
            }
            _ => {}
        }
    }
    parsed
}

/// Where each defined function's body starts in `wasm` (its locals), by
/// defined-function index.
fn body_starts(wasm: &[u8]) -> Vec<usize> {
    Parser::new(0)
        .parse_all(wasm)
        .filter_map(|p| match p.expect("a payload") {
            Payload::CodeSectionEntry(body) => {
                Some(usize::try_from(body.range().start).expect("a module this small"))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn a_trap_carries_a_core_dump_of_the_store() {
    let wasm = wasm_of(APP);
    let starts = body_starts(&wasm);
    for flavour in flavours() {
        let engine = engine(flavour, true);
        let module = module(flavour, &engine, &wasm);
        let mut store = Store::new(&engine, ());
        let instance = Instance::new(&mut store, &module, &[]).unwrap();
        let run = instance
            .get_typed_func::<i32, ()>(&mut store, "run")
            .unwrap();
        let err = run.call(&mut store, 42).unwrap_err();
        assert_eq!(trap(&err), Some(Trap::UnreachableCodeReached), "{err:?}");
        let dump = dump_of(&err);

        // The frames are the error's backtrace: $inner (1) called by $run (2).
        let trace = err.downcast_ref::<WasmBacktrace>().expect("a backtrace");
        assert_eq!(dump.frames(), trace.frames(), "{flavour:?}");
        let indices: Vec<u32> = dump.frames().iter().map(|f| f.func_index()).collect();
        assert_eq!(indices, [0, 1], "{flavour:?}");
        assert_eq!(dump.frames()[0].module_name(), Some("app"), "{flavour:?}");

        // The store's instance and module; its exported memory and
        // globals (not the unexported `$hidden`).
        assert_eq!(dump.instances().len(), 1, "{flavour:?}");
        assert_eq!(dump.modules().len(), 1, "{flavour:?}");
        let memory = instance.get_memory(&mut store, "memory").unwrap();
        assert_eq!(dump.memories().len(), 1, "{flavour:?}");
        assert_eq!(
            dump.memories()[0].data(&store).as_ptr(),
            memory.data(&store).as_ptr(),
            "{flavour:?}: the dump's memory is the instance's"
        );
        let values: Vec<Val> = dump
            .globals()
            .iter()
            .map(|g| g.get(&mut store).unwrap())
            .collect();
        assert_eq!(values.len(), 4, "{flavour:?}: {values:?}");
        assert_eq!(values[0].i32(), Some(42));
        assert_eq!(values[1].i64(), Some(-5));
        assert_eq!(values[2].f64(), Some(0.25));
        assert_eq!(
            values[3].v128(),
            Some(V128::from(
                1u128 | (2u128 << 32) | (3u128 << 64) | (4u128 << 96)
            ))
        );

        // Its report is the crate's, with the trap as the root cause.
        let shown = err.to_string();
        assert!(
            shown.starts_with("wasm coredump generated while executing store_name:"),
            "{shown}"
        );
        assert!(shown.contains("backtrace:"), "{shown}");
        assert_eq!(
            err.root_cause().to_string(),
            "wasm trap: wasm `unreachable` instruction executed"
        );
        assert_eq!(format!("{dump:?}"), "<wasm core dump>");

        // Serialized: a valid module in the core dump format.
        let bytes = dump.serialize(&mut store, "app.wasm");
        let parsed = parse(&bytes);
        assert_eq!(
            parsed.customs,
            ["core", "coremodules", "coreinstances", "corestack"],
            "{flavour:?}"
        );
        assert_eq!(parsed.core_name, "app.wasm");
        assert_eq!(parsed.modules, ["app"], "{flavour:?}");
        assert_eq!(parsed.instances, [(0, vec![0], vec![0, 1, 2, 3])]);
        assert_eq!(parsed.thread, "main");
        assert_eq!(parsed.frames.len(), 2);
        for (frame, info) in parsed.frames.iter().zip(dump.frames()) {
            let (instance, func, offset, locals, stack) = *frame;
            assert_eq!(
                (instance, func, locals, stack),
                (0, info.func_index(), 0, 0)
            );
            // The offset is the instruction's, from its function's start.
            assert_eq!(
                starts[func as usize] + offset as usize,
                info.module_offset().unwrap(),
                "{flavour:?}: frame {frame:?} of {info:?}"
            );
        }
        assert_eq!(parsed.memories, [(1, Some(3), false)], "{flavour:?}");
        let contents = memory.data(&store);
        assert_eq!(parsed.image(0, contents.len()), contents, "{flavour:?}");
        assert_eq!(&contents[16..21], b"hello");
        assert_eq!(&contents[8192..8196], &[4, 3, 2, 1]);
        assert_eq!(&contents[65528..], &2.5f64.to_le_bytes());
        // Zeros are left out: the three runs are all there is.
        let stored: usize = parsed.data.iter().map(|(_, _, b)| b.len()).sum();
        assert!(stored < 64, "{flavour:?}: {stored} bytes stored");
        let mut vec = [0u8; 16];
        for (i, lane) in [1u32, 2, 3, 4].iter().enumerate() {
            vec[i * 4..i * 4 + 4].copy_from_slice(&lane.to_le_bytes());
        }
        assert_eq!(
            parsed.globals,
            [
                (WasmValType::I32, true, Init::I32(42)),
                (WasmValType::I64, false, Init::I64(-5)),
                (WasmValType::F64, true, Init::F64(0.25f64.to_bits())),
                (WasmValType::V128, false, Init::V128(vec)),
            ],
            "{flavour:?}"
        );

        // The store still works after the trap.
        let ok = instance
            .get_typed_func::<(), i32>(&mut store, "ok")
            .unwrap();
        assert_eq!(ok.call(&mut store, ()).unwrap(), 1);
    }
}

#[test]
fn serialize_reads_the_store_when_called() {
    let wasm = wasm_of(APP);
    for flavour in flavours() {
        let engine = engine(flavour, true);
        let module = module(flavour, &engine, &wasm);
        let mut store = Store::new(&engine, ());
        let instance = Instance::new(&mut store, &module, &[]).unwrap();
        let run = instance
            .get_typed_func::<i32, ()>(&mut store, "run")
            .unwrap();
        let err = run.call(&mut store, -3).unwrap_err();
        let dump = dump_of(&err);
        let before = parse(&dump.serialize(&mut store, "app"));
        assert_eq!(before.globals[0].2, Init::I32(-3), "{flavour:?}");

        // Change the memory (and grow it) and a global after the trap.
        let memory = instance.get_memory(&mut store, "memory").unwrap();
        memory.grow(&mut store, 1).unwrap();
        memory.data_mut(&mut store)[70_000] = 0xab;
        memory.data_mut(&mut store)[16] = 0;
        let counter = instance.get_global(&mut store, "counter").unwrap();
        counter.set(&mut store, Val::I32(1234)).unwrap();
        let ratio = instance.get_global(&mut store, "ratio").unwrap();
        ratio.set(&mut store, Val::from(-1.0f64)).unwrap();

        let after = parse(&dump.serialize(&mut store, "app"));
        assert_eq!(after.memories, [(2, Some(3), false)], "{flavour:?}");
        let contents = memory.data(&store);
        assert_eq!(contents.len(), 2 * 65536);
        assert_eq!(after.image(0, contents.len()), contents, "{flavour:?}");
        assert_eq!(after.globals[0].2, Init::I32(1234));
        assert_eq!(after.globals[2].2, Init::F64((-1.0f64).to_bits()));
        // The frames are those of the trap.
        assert_eq!(after.frames, before.frames);
    }
}

#[test]
fn without_the_flag_there_is_no_dump() {
    let wasm = wasm_of(APP);
    for flavour in flavours() {
        for configured in [false, true] {
            // Left alone, or set to false.
            let engine = if configured {
                engine(flavour, false)
            } else {
                engine_with(flavour, |_| {})
            };
            let module = module(flavour, &engine, &wasm);
            let mut store = Store::new(&engine, ());
            let instance = Instance::new(&mut store, &module, &[]).unwrap();
            let run = instance
                .get_typed_func::<i32, ()>(&mut store, "run")
                .unwrap();
            let err = run.call(&mut store, 1).unwrap_err();
            assert_eq!(trap(&err), Some(Trap::UnreachableCodeReached));
            assert_eq!(frames(&err).len(), 2, "{flavour:?}");
            assert!(err.downcast_ref::<WasmCoreDump>().is_none(), "{err:?}");
            assert!(
                err.to_string()
                    .starts_with("error while executing at wasm backtrace:"),
                "{err}"
            );
        }
    }
}

#[test]
fn every_failing_call_path_carries_a_dump() {
    let wasm = wasm_of(
        r#"(module
            (import "host" "fail" (func $fail))
            (import "host" "nested" (func $nested))
            (memory (export "memory") 1)
            (func (export "boom") unreachable)
            (func (export "div") (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
            (func (export "call_fail") call $fail)
            (func (export "call_nested") call $nested))"#,
    );
    let start = wasm_of(
        r#"(module
            (global (export "g") i32 (i32.const 5))
            (func $start unreachable)
            (start $start))"#,
    );
    for flavour in flavours() {
        let engine = engine(flavour, true);
        let app = module(flavour, &engine, &wasm);
        let mut store = Store::new(&engine, ());
        let mut linker = Linker::new(&engine);
        linker
            .func_wrap("host", "fail", || -> wasmtime_dyn::Result<()> {
                wasmtime_dyn::bail!("the host says no")
            })
            .unwrap();
        // A host function making a nested call that traps, handing its
        // error back: it keeps its own dump, made for the inner call.
        linker
            .func_wrap(
                "host",
                "nested",
                |mut caller: wasmtime_dyn::Caller<'_, ()>| -> wasmtime_dyn::Result<()> {
                    let boom = caller
                        .get_export("boom")
                        .and_then(wasmtime_dyn::Extern::into_func)
                        .expect("boom");
                    boom.call(&mut caller, &[], &mut [])
                },
            )
            .unwrap();
        let instance = linker.instantiate(&mut store, &app).unwrap();

        // Untyped `Func::call`.
        let boom = instance.get_func(&mut store, "boom").unwrap();
        let err = boom.call(&mut store, &[], &mut []).unwrap_err();
        assert_eq!(dump_of(&err).frames(), frames(&err), "{flavour:?}");
        assert_eq!(dump_of(&err).frames().len(), 1);

        // A typed call with a result, trapping on a division by zero.
        let div = instance
            .get_typed_func::<i32, i32>(&mut store, "div")
            .unwrap();
        let err = div.call(&mut store, 0).unwrap_err();
        assert_eq!(trap(&err), Some(Trap::IntegerDivisionByZero));
        assert_eq!(dump_of(&err).frames(), frames(&err));
        assert_eq!(div.call(&mut store, 1).unwrap(), 1);

        // A host function's error: the same error, with frames and a dump.
        let call_fail = instance
            .get_typed_func::<(), ()>(&mut store, "call_fail")
            .unwrap();
        let err = call_fail.call(&mut store, ()).unwrap_err();
        assert_eq!(err.root_cause().to_string(), "the host says no");
        assert_eq!(dump_of(&err).frames(), frames(&err), "{flavour:?}");
        assert_eq!(frames(&err).len(), 1);

        // A nested trap handed back by a host function: one dump, the
        // inner call's, whose frames are the error's.
        let call_nested = instance
            .get_typed_func::<(), ()>(&mut store, "call_nested")
            .unwrap();
        let err = call_nested.call(&mut store, ()).unwrap_err();
        assert_eq!(trap(&err), Some(Trap::UnreachableCodeReached));
        assert_eq!(dump_of(&err).frames(), frames(&err), "{flavour:?}");
        let dumps = err
            .chain()
            .filter(|e| e.to_string().starts_with("wasm coredump generated"))
            .count();
        assert_eq!(dumps, 1, "{err:?}");

        // A start function trapping during instantiation: the frames are
        // there; the instance is not (the C API never hands it out), the
        // earlier one is.
        let start = module(flavour, &engine, &start);
        let err = Instance::new(&mut store, &start, &[]).unwrap_err();
        assert_eq!(trap(&err), Some(Trap::UnreachableCodeReached));
        let dump = dump_of(&err);
        assert_eq!(dump.frames(), frames(&err), "{flavour:?}");
        assert_eq!(dump.frames().len(), 1);
        assert_eq!(dump.instances().len(), 1, "{flavour:?}");
        // Through a linker too.
        let err = linker.instantiate(&mut store, &start).unwrap_err();
        assert_eq!(dump_of(&err).frames(), frames(&err), "{flavour:?}");

        // A host function called directly fails with no wasm frames: no
        // dump.
        let host = Func::wrap(&mut store, || -> wasmtime_dyn::Result<()> {
            wasmtime_dyn::bail!("direct")
        });
        let err = host.call(&mut store, &[], &mut []).unwrap_err();
        assert!(frames(&err).is_empty());
        assert!(err.downcast_ref::<WasmCoreDump>().is_none(), "{err:?}");
    }
}

#[test]
fn items_shared_by_instances_are_listed_once() {
    let lib = wasm_of(
        r#"(module $lib
            (memory (export "mem") 1)
            (global (export "g") (mut i32) (i32.const 11)))"#,
    );
    let app = wasm_of(
        r#"(module $user
            (import "lib" "mem" (memory 1))
            (import "lib" "g" (global (mut i32)))
            (export "mem" (memory 0))
            (export "g" (global 0))
            (func (export "boom") (i32.store8 (i32.const 3) (i32.const 9)) unreachable))"#,
    );
    for flavour in flavours() {
        let engine = engine(flavour, true);
        let lib = module(flavour, &engine, &lib);
        let app = module(flavour, &engine, &app);
        let mut store = Store::new(&engine, ());
        let mut linker = Linker::new(&engine);
        let lib_instance = linker.instantiate(&mut store, &lib).unwrap();
        linker.instance(&mut store, "lib", lib_instance).unwrap();
        let app_instance = linker.instantiate(&mut store, &app).unwrap();
        let boom = app_instance
            .get_typed_func::<(), ()>(&mut store, "boom")
            .unwrap();
        let err = boom.call(&mut store, ()).unwrap_err();
        let dump = dump_of(&err);
        assert_eq!(dump.instances().len(), 2, "{flavour:?}");
        assert_eq!(dump.modules().len(), 2, "{flavour:?}");
        assert_eq!(
            dump.memories().len(),
            1,
            "{flavour:?}: one memory, exported twice"
        );
        assert_eq!(dump.globals().len(), 1, "{flavour:?}");
        let parsed = parse(&dump.serialize(&mut store, "two"));
        assert_eq!(
            parsed.instances,
            [(0, vec![0], vec![0]), (1, vec![0], vec![0])],
            "{flavour:?}"
        );
        // The C API gives no module its name: with two modules, frames map
        // to instance 0 and the modules are anonymous.
        assert_eq!(
            parsed.modules,
            ["<anonymous-module-0>", "<anonymous-module-1>"]
        );
        assert_eq!(parsed.frames.len(), 1);
        assert_eq!(parsed.frames[0].0, 0);
        assert_eq!(parsed.globals, [(WasmValType::I32, true, Init::I32(11))]);
        assert_eq!(parsed.image(0, 65536)[3], 9);
    }
}

#[test]
fn frames_map_to_the_last_instance_of_a_single_module() {
    let wasm = wasm_of(APP);
    for flavour in flavours() {
        let engine = engine(flavour, true);
        let module = module(flavour, &engine, &wasm);
        let mut store = Store::new(&engine, ());
        let first = Instance::new(&mut store, &module, &[]).unwrap();
        // A clone of the module is the same module.
        let second = Instance::new(&mut store, &module.clone(), &[]).unwrap();
        let run = second.get_typed_func::<i32, ()>(&mut store, "run").unwrap();
        let err = run.call(&mut store, 5).unwrap_err();
        let dump = dump_of(&err);
        assert_eq!(dump.instances().len(), 2);
        assert_eq!(dump.modules().len(), 1, "{flavour:?}");
        assert_eq!(dump.memories().len(), 2);
        let parsed = parse(&dump.serialize(&mut store, "app"));
        assert_eq!(parsed.modules, ["app"]);
        assert_eq!(
            parsed.instances,
            [
                (0, vec![0], vec![0, 1, 2, 3]),
                (0, vec![1], vec![4, 5, 6, 7])
            ]
        );
        assert!(
            parsed.frames.iter().all(|f| f.0 == 1),
            "{:?}",
            parsed.frames
        );
        // The trapping instance's counter was set, the other's was not.
        assert_eq!(parsed.globals[0].2, Init::I32(7));
        assert_eq!(parsed.globals[4].2, Init::I32(5));
        let _ = first;
    }
}

#[test]
#[should_panic(expected = "belongs to a different store")]
fn serialize_with_another_store_panics_as_the_crates() {
    let flavour = Flavour::Full;
    assert!(round_has(flavour));
    let engine = engine(flavour, true);
    let module = module(flavour, &engine, &wasm_of(APP));
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    let run = instance
        .get_typed_func::<i32, ()>(&mut store, "run")
        .unwrap();
    let err = run.call(&mut store, 1).unwrap_err();
    let mut other = Store::new(&engine, ());
    dump_of(&err).serialize(&mut other, "app");
}

/// A memory64 module whose `fill` writes `0x5a` over its whole memory of
/// `pages` pages, then traps.
fn filler(pages: u64) -> String {
    format!(
        r#"(module
            (memory (export "memory") i64 {pages})
            (func (export "fill")
                (memory.fill (i64.const 0) (i32.const 0x5a) (i64.mul (memory.size) (i64.const 65536)))
                unreachable))"#
    )
}

/// The process's peak resident set, reset to the current one first when
/// `reset` (Linux's `/proc/self/clear_refs`).
fn peak_rss(reset: bool) -> u64 {
    if reset {
        std::fs::write("/proc/self/clear_refs", "5").expect("resetting the peak RSS");
    }
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .expect("VmHWM");
    let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib * 1024
}

/// Issue 17, finding 9: `serialize` holds the dump once (the old code
/// peaked at about four times the memory's size), `serialize_to` streams
/// it, and both write the same bytes.
#[test]
fn serializing_a_large_memory_has_a_bounded_peak() {
    common::child::isolate("serializing_a_large_memory_has_a_bounded_peak", || {
        const PAGES: u64 = 2048; // 128 MiB
        let size = PAGES * 65536;
        let engine = engine(Flavour::Full, true);
        let module = Module::new(&engine, filler(PAGES)).unwrap();
        let mut store = Store::new(&engine, ());
        let instance = Instance::new(&mut store, &module, &[]).unwrap();
        let fill = instance
            .get_typed_func::<(), ()>(&mut store, "fill")
            .unwrap();
        let err = fill.call(&mut store, ()).unwrap_err();
        let dump = dump_of(&err);

        let base = peak_rss(true);
        let mut streamed = Vec::new();
        dump.serialize_to(&mut store, "fill", std::io::sink())
            .unwrap();
        let streaming_peak = peak_rss(false).saturating_sub(base);

        let base = peak_rss(true);
        let bytes = dump.serialize(&mut store, "fill");
        let buffered_peak = peak_rss(false).saturating_sub(base);
        eprintln!(
            "memory {size} bytes, dump {} bytes; peak RSS growth: serialize {buffered_peak}, \
             serialize_to(sink) {streaming_peak}",
            bytes.len()
        );
        assert!(bytes.len() as u64 > size, "the whole memory is in the dump");
        assert!(
            buffered_peak < size + size / 4,
            "serialize peaked at {buffered_peak} bytes over a {size}-byte memory"
        );
        assert!(
            streaming_peak < 16 << 20,
            "serialize_to peaked at {streaming_peak} bytes"
        );
        dump.serialize_to(&mut store, "fill", &mut streamed)
            .unwrap();
        assert!(
            streamed == bytes,
            "serialize and serialize_to write the same dump"
        );
        let parsed = parse(&bytes);
        assert_eq!(parsed.memories, [(PAGES, None, true)]);
    });
}

/// Issue 17, finding 9: a dump whose memories hold more than a Wasm
/// section can (4 GiB) is refused by `serialize_to` before anything is
/// written, and `serialize` panics as the crate's does, instead of
/// writing invalid Wasm.
#[test]
fn core_dump_beyond_4_gib_is_refused() {
    common::child::isolate("core_dump_beyond_4_gib_is_refused", || {
        const PAGES: u64 = 65537; // 4 GiB + 64 KiB
        let engine = engine(Flavour::Full, true);
        let module = Module::new(&engine, filler(PAGES)).unwrap();
        let mut store = Store::new(&engine, ());
        let instance = Instance::new(&mut store, &module, &[]).unwrap();
        let fill = instance
            .get_typed_func::<(), ()>(&mut store, "fill")
            .unwrap();
        let err = fill.call(&mut store, ()).unwrap_err();
        let dump = dump_of(&err);
        let mut written = Vec::new();
        let refused = dump
            .serialize_to(&mut store, "fill", &mut written)
            .unwrap_err();
        assert!(
            matches!(
                refused.downcast_ref::<wasmtime_dyn::ErrorKind>(),
                Some(wasmtime_dyn::ErrorKind::Invalid(_))
            ),
            "{refused:?}"
        );
        assert!(
            refused
                .to_string()
                .contains("more than the 4294967295 bytes"),
            "{refused}"
        );
        assert!(written.is_empty(), "nothing is written before the refusal");
        let base = peak_rss(true);
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            dump.serialize(&mut store, "fill")
        }));
        let grown = peak_rss(false).saturating_sub(base);
        let payload = outcome.expect_err("serialize panics as the crate's");
        let text = payload
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_default();
        assert!(text.contains("Wasm section"), "{text}");
        // Not the dump (the old code built 4 GiB several times over); the
        // panic hook's backtrace, reading the test binary's debug info,
        // takes some tens of MiB.
        assert!(grown < 256 << 20, "the refusal allocated {grown} bytes");
    });
}
