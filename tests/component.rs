//! The component model through the loaded library: values of every kind
//! both ways, host imports, errors, traps, types, serialization, and the
//! guards against what aborts inside the C API. Test components are built
//! from the WAT in tests/fixtures/component/ with the `wast` crate.

mod common;

use common::child::isolate;
use common::{round_has, Flavour};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use wasmtime_dyn::component::types::{ComponentItem, Type};
use wasmtime_dyn::component::{Component, Linker, Val};
use wasmtime_dyn::{Capability, Engine, ErrorKind, Store, Trap};

const VALUES: &str = include_str!("fixtures/component/values.wat");

fn encode(wat: &str) -> Vec<u8> {
    let buf = wast::parser::ParseBuffer::new(wat).expect("lexing the component text");
    let mut wat: wast::Wat = wast::parser::parse(&buf).expect("parsing the component text");
    wat.encode().expect("encoding the component")
}

fn engine() -> Engine {
    Engine::default_for(Flavour::Full.load()).expect("an engine of the full library")
}

/// The `transform` import: `<s>` upper-cased, counting its calls in the
/// store; "fail" fails with a `HostFailure`, "panic" panics, "bad" returns
/// a `u32` where a string is due.
#[derive(Debug, PartialEq)]
struct HostFailure(u32);

impl std::fmt::Display for HostFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "host failure {}", self.0)
    }
}

impl std::error::Error for HostFailure {}

fn linker(engine: &Engine) -> Linker<usize> {
    let mut linker = Linker::new(engine);
    linker
        .root()
        .func_new("transform", |mut store, ty, params, results| {
            *store.data_mut() += 1;
            assert_eq!(
                ty.params()
                    .map(|(n, t)| (n.to_string(), t))
                    .collect::<Vec<_>>(),
                [("s".to_string(), Type::String)]
            );
            assert_eq!(ty.results().collect::<Vec<_>>(), [Type::String]);
            let Val::String(s) = &params[0] else {
                wasmtime_dyn::bail!("expected a string, got {:?}", params[0]);
            };
            match s.as_str() {
                "fail" => return Err(HostFailure(7).into()),
                "panic" => panic!("the host function panicked on purpose"),
                "bad" => results[0] = Val::U32(1),
                _ => results[0] = Val::String(format!("<{}>", s.to_uppercase())),
            }
            Ok(())
        })
        .expect("defining transform");
    linker
}

fn instantiate(engine: &Engine) -> (Store<usize>, wasmtime_dyn::component::Instance) {
    let component = Component::new(engine, encode(VALUES)).expect("compiling the component");
    instantiate_in(engine, &component)
}

fn instantiate_in(
    engine: &Engine,
    component: &Component,
) -> (Store<usize>, wasmtime_dyn::component::Instance) {
    let mut store = Store::new(engine, 0usize);
    let instance = linker(engine)
        .instantiate(&mut store, component)
        .expect("instantiating");
    (store, instance)
}

fn call1(
    store: &mut Store<usize>,
    instance: &wasmtime_dyn::component::Instance,
    name: &str,
    args: &[Val],
) -> wasmtime_dyn::Result<Val> {
    let func = instance.get_func(&mut *store, name).expect("exported");
    let mut out = [Val::Bool(false)];
    func.call(&mut *store, args, &mut out)?;
    let [out] = out;
    Ok(out)
}

#[test]
fn strings_through_a_host_import() {
    if common::components_refused() {
        return;
    }
    let engine = engine();
    let (mut store, instance) = instantiate(&engine);
    for s in ["héllo", "", "a\u{0}b", "🦀 crab"] {
        let out = call1(&mut store, &instance, "echo", &[Val::String(s.into())]).unwrap();
        assert_eq!(out, Val::String(format!("<{}>", s.to_uppercase())), "{s:?}");
    }
    assert_eq!(*store.data(), 4, "the host function ran once per call");
}

#[test]
fn lists_both_ways() {
    if common::components_refused() {
        return;
    }
    let engine = engine();
    let (mut store, instance) = instantiate(&engine);
    let input: Vec<u32> = (0..1000).map(|i| i * 3).collect();
    let out = call1(
        &mut store,
        &instance,
        "double",
        &[Val::List(input.iter().map(|&v| Val::U32(v)).collect())],
    )
    .unwrap();
    let expected: Vec<Val> = input.iter().map(|&v| Val::U32(v.wrapping_mul(2))).collect();
    assert_eq!(out, Val::List(expected));
    let out = call1(&mut store, &instance, "double", &[Val::List(vec![])]).unwrap();
    assert_eq!(out, Val::List(vec![]));
}

fn big(seed: u32, ok: bool) -> Val {
    let s = |x: &str| Val::String(format!("{x}{seed}"));
    Val::Record(vec![
        ("b".into(), Val::Bool(seed % 2 == 0)),
        ("i".into(), Val::S8(-(seed as i8))),
        ("u".into(), Val::U16(60000 + seed as u16)),
        ("w".into(), Val::S64(i64::MIN + i64::from(seed))),
        ("f".into(), Val::Float32(1.5 + seed as f32)),
        ("d".into(), Val::Float64(-2.25 * f64::from(seed))),
        ("c".into(), Val::Char(if ok { 'é' } else { '🦀' })),
        ("s".into(), s("str")),
        ("l".into(), Val::List(vec![s("x"), s(""), s("zé")])),
        (
            "o".into(),
            Val::Option(ok.then(|| Box::new(Val::U32(seed)))),
        ),
        (
            "r".into(),
            Val::Result(if ok {
                Ok(Some(Box::new(s("fine"))))
            } else {
                Err(Some(Box::new(Val::U8(seed as u8))))
            }),
        ),
        (
            "t".into(),
            Val::Tuple(vec![Val::Bool(ok), Val::Char('\u{10FFFF}')]),
        ),
        (
            "p".into(),
            Val::Flags(if ok {
                vec!["read".into(), "exec".into()]
            } else {
                vec![]
            }),
        ),
        (
            "e".into(),
            Val::Enum(["red", "green", "blue"][seed as usize % 3].into()),
        ),
        (
            "v".into(),
            match seed % 3 {
                0 => Val::Variant("circle".into(), Some(Box::new(Val::Float32(0.5)))),
                1 => Val::Variant("square".into(), Some(Box::new(Val::U32(seed)))),
                _ => Val::Variant("none".into(), None),
            },
        ),
    ])
}

#[test]
fn every_value_kind_round_trips_through_a_record() {
    if common::components_refused() {
        return;
    }
    let engine = engine();
    let (mut store, instance) = instantiate(&engine);
    for seed in 0..6 {
        for ok in [true, false] {
            let v = big(seed, ok);
            let out = call1(&mut store, &instance, "roundtrip", std::slice::from_ref(&v)).unwrap();
            assert_eq!(out, v, "seed {seed}, ok {ok}");
        }
    }
}

#[test]
fn mismatched_arguments_are_errors() {
    if common::components_refused() {
        return;
    }
    let engine = engine();
    let (mut store, instance) = instantiate(&engine);
    let echo = instance.get_func(&mut store, "echo").unwrap();
    let mut out = [Val::Bool(false)];
    // Wrong type, wrong arity, wrong result count: Wasmtime's errors.
    let err = echo.call(&mut store, &[Val::U32(1)], &mut out).unwrap_err();
    assert!(err.to_string().contains("type mismatch"), "{err:#}");
    assert!(echo.call(&mut store, &[], &mut out).is_err());
    assert!(echo
        .call(&mut store, &[Val::String("x".into())], &mut [])
        .is_err());
    // A record with a missing field, an unknown enum case and flag.
    let Val::Record(mut fields) = big(1, true) else {
        unreachable!()
    };
    fields.pop();
    let err = call1(
        &mut store,
        &instance,
        "roundtrip",
        &[Val::Record(fields.clone())],
    )
    .unwrap_err();
    println!("missing field: {err:#}");
    fields.push(("v".into(), Val::Variant("hexagon".into(), None)));
    assert!(call1(&mut store, &instance, "roundtrip", &[Val::Record(fields)]).is_err());
    // A failure after the guest was entered (a parameter of the wrong
    // type is found while lowering it into guest memory) leaves the
    // instance unusable, as Wasmtime's component model does ("cannot
    // enter component instance"); from Wasmtime 49 on, another instance
    // made in the same store is refused too. A new store is fine.
    let out = call1(&mut store, &instance, "echo", &[Val::String("ok".into())]);
    println!("the same instance after the failure: {out:?}");
    let component = Component::new(&engine, encode(VALUES)).unwrap();
    let other = linker(&engine).instantiate(&mut store, &component).unwrap();
    let out = call1(&mut store, &other, "echo", &[Val::String("ok".into())]);
    println!("another instance in the same store: {out:?}");
    let (mut store, fresh) = instantiate_in(&engine, &component);
    let out = call1(&mut store, &fresh, "echo", &[Val::String("ok".into())]).unwrap();
    assert_eq!(out, Val::String("<OK>".into()));
    // Wrong arity and result count are refused before the guest is
    // entered: the instance stays usable.
    let echo = fresh.get_func(&mut store, "echo").unwrap();
    assert!(echo.call(&mut store, &[], &mut [Val::Bool(false)]).is_err());
    assert!(echo
        .call(&mut store, &[Val::String("x".into())], &mut [])
        .is_err());
    let out = call1(&mut store, &fresh, "echo", &[Val::String("ok".into())]).unwrap();
    assert_eq!(out, Val::String("<OK>".into()));
}

#[test]
fn a_host_error_comes_back_as_the_same_value() {
    if common::components_refused() {
        return;
    }
    let engine = engine();
    let (mut store, instance) = instantiate(&engine);
    let err = call1(&mut store, &instance, "echo", &[Val::String("fail".into())]).unwrap_err();
    assert_eq!(
        err.downcast_ref::<HostFailure>(),
        Some(&HostFailure(7)),
        "{err:#}"
    );
    // A result of the wrong type is Wasmtime's type error, not a crash.
    let (mut store, instance) = instantiate(&engine);
    let err = call1(&mut store, &instance, "echo", &[Val::String("bad".into())]).unwrap_err();
    assert!(format!("{err:#}").contains("type mismatch"), "{err:#}");
    let (mut store, instance) = instantiate(&engine);
    let out = call1(
        &mut store,
        &instance,
        "echo",
        &[Val::String("again".into())],
    )
    .unwrap();
    assert_eq!(out, Val::String("<AGAIN>".into()));
}

#[test]
fn a_host_panic_resumes_in_the_caller() {
    if common::components_refused() {
        return;
    }
    let engine = engine();
    let (mut store, instance) = instantiate(&engine);
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        call1(
            &mut store,
            &instance,
            "echo",
            &[Val::String("panic".into())],
        )
    }));
    let payload = caught.expect_err("the panic resumes in the caller");
    assert_eq!(
        payload.downcast_ref::<&str>(),
        Some(&"the host function panicked on purpose")
    );
}

#[test]
fn a_trap_is_a_trap() {
    if common::components_refused() {
        return;
    }
    let engine = engine();
    let (mut store, instance) = instantiate(&engine);
    let boom = instance.get_func(&mut store, "boom").unwrap();
    let err = boom.call(&mut store, &[], &mut []).unwrap_err();
    assert_eq!(
        err.downcast_ref::<Trap>(),
        Some(&Trap::UnreachableCodeReached),
        "{err:#}"
    );
    // A trapped instance is not entered again, as Wasmtime's component
    // model has it: a clean error, not a crash.
    let err = call1(
        &mut store,
        &instance,
        "echo",
        &[Val::String("after".into())],
    )
    .unwrap_err();
    assert!(
        format!("{err:#}").contains("cannot enter component instance"),
        "{err:#}"
    );
}

#[test]
fn exports_inside_an_exported_instance() {
    if common::components_refused() {
        return;
    }
    let engine = engine();
    let component = Component::new(&engine, encode(VALUES)).unwrap();
    let (mut store, instance) = instantiate_in(&engine, &component);
    let api = instance
        .get_export_index(&mut store, None, "api")
        .expect("the api instance");
    let add = instance
        .get_export_index(&mut store, Some(&api), "add")
        .expect("api/add");
    let add = instance.get_func(&mut store, &add).expect("a function");
    let mut out = [Val::Bool(false)];
    add.call(&mut store, &[Val::U32(40), Val::U32(2)], &mut out)
        .unwrap();
    assert_eq!(out[0], Val::U32(42));
    // Found through the component's index as well, once for every instance.
    let api = component.get_export_index(None, "api").unwrap();
    let add = component.get_export_index(Some(&api), "add").unwrap();
    assert!(instance.get_func(&mut store, &add).is_some());
    assert!(
        instance.get_func(&mut store, "api").is_none(),
        "an instance is not a function"
    );
    assert!(instance.get_func(&mut store, "nope").is_none());
    assert!(component.get_export_index(Some(&api), "nope").is_none());
    // A function's index as the parent of a lookup finds nothing.
    let echo = component.get_export_index(None, "echo").unwrap();
    assert!(component.get_export_index(Some(&echo), "add").is_none());
    assert!(instance
        .get_export_index(&mut store, Some(&echo), "add")
        .is_none());
    // An index of another component (the same bytes compiled again) is
    // refused by Wasmtime, not misread.
    let (mut other_store, other) = instantiate(&engine);
    assert!(other.get_func(&mut other_store, &add).is_none());
    assert!(other
        .get_export_index(&mut other_store, Some(&api), "add")
        .is_none());
}

#[test]
fn export_and_import_types() {
    if common::components_refused() {
        return;
    }
    let engine = engine();
    let component = Component::new(&engine, encode(VALUES)).unwrap();
    let ty = component.component_type();
    let imports: Vec<_> = ty.imports(&engine).collect();
    assert_eq!(imports.len(), 1);
    assert_eq!(imports[0].0, "transform");
    let ComponentItem::ComponentFunc(transform) = &imports[0].1 else {
        panic!("transform is {:?}", imports[0].1)
    };
    assert_eq!(transform.results().collect::<Vec<_>>(), [Type::String]);
    let exports: Vec<_> = ty.exports(&engine).collect();
    let names: Vec<&str> = exports.iter().map(|(n, _)| *n).collect();
    for name in [
        "perms",
        "color",
        "shape",
        "big",
        "echo",
        "double",
        "roundtrip",
        "boom",
        "api",
    ] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    let find = |name: &str| {
        exports
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, i)| i.clone())
            .unwrap()
    };
    let ComponentItem::ComponentFunc(roundtrip) = find("roundtrip") else {
        panic!()
    };
    let params: Vec<_> = roundtrip.params().collect();
    let Type::Record(record) = &params[0].1 else {
        panic!("{params:?}")
    };
    let fields: Vec<&str> = record.fields().map(|f| f.name.as_str()).collect();
    assert_eq!(
        fields,
        ["b", "i", "u", "w", "f", "d", "c", "s", "l", "o", "r", "t", "p", "e", "v"]
    );
    let field = |n: &str| record.fields().find(|f| f.name == n).unwrap().ty.clone();
    assert_eq!(
        field("l"),
        Type::List(match field("l") {
            Type::List(l) => l,
            _ => panic!(),
        })
    );
    let Type::List(l) = field("l") else { panic!() };
    assert_eq!(l.ty(), Type::String);
    let Type::Result(r) = field("r") else {
        panic!()
    };
    assert_eq!((r.ok(), r.err()), (Some(Type::String), Some(Type::U8)));
    let Type::Flags(p) = field("p") else { panic!() };
    assert_eq!(p.names().collect::<Vec<_>>(), ["read", "write", "exec"]);
    let Type::Enum(e) = field("e") else { panic!() };
    assert_eq!(e.names().collect::<Vec<_>>(), ["red", "green", "blue"]);
    let Type::Variant(v) = field("v") else {
        panic!()
    };
    let cases: Vec<_> = v.cases().map(|c| (c.name.as_str(), c.ty.clone())).collect();
    assert_eq!(
        cases,
        [
            ("circle", Some(Type::Float32)),
            ("square", Some(Type::U32)),
            ("none", None)
        ]
    );
    let Type::Option(o) = field("o") else {
        panic!()
    };
    assert_eq!(o.ty(), Type::U32);
    let Type::Tuple(t) = field("t") else { panic!() };
    assert_eq!(t.types().collect::<Vec<_>>(), [Type::Bool, Type::Char]);
    let ComponentItem::Type(Type::Flags(_)) = find("perms") else {
        panic!()
    };
    let ComponentItem::ComponentInstance(api) = find("api") else {
        panic!()
    };
    let api: Vec<_> = api.exports(&engine).map(|(n, _)| n).collect();
    assert_eq!(api, ["add"]);
    // A function's type through the instance is the same.
    let (mut store, instance) = instantiate(&engine);
    let echo = instance.get_func(&mut store, "echo").unwrap();
    assert_eq!(&*echo.params(&store), [("s".to_string(), Type::String)]);
    assert_eq!(&*echo.results(&store), [Type::String]);
    let boom = instance.get_func(&mut store, "boom").unwrap();
    assert!(boom.results(&store).is_empty());
}

#[test]
fn serialize_and_deserialize() {
    if common::components_refused() {
        return;
    }
    let engine = engine();
    let component = Component::new(&engine, encode(VALUES)).unwrap();
    let bytes = component.serialize().unwrap();
    assert!(bytes.starts_with(b"\x7fELF"), "a .cwasm artifact");
    // SAFETY: just serialized by this engine.
    let again = unsafe { Component::deserialize(&engine, &bytes) }.unwrap();
    let mut store = Store::new(&engine, 0usize);
    let instance = linker(&engine).instantiate(&mut store, &again).unwrap();
    let out = call1(&mut store, &instance, "echo", &[Val::String("x".into())]).unwrap();
    assert_eq!(out, Val::String("<X>".into()));
    let path = std::env::temp_dir().join(format!(
        "wasmtime-dyn-component-{}.cwasm",
        std::process::id()
    ));
    std::fs::write(&path, &bytes).unwrap();
    // SAFETY: as above; the file is not changed while the component lives.
    let from_file = unsafe { Component::deserialize_file(&engine, &path) };
    let _ = std::fs::remove_file(&path);
    assert_eq!(
        from_file.unwrap().component_type().exports(&engine).len(),
        component.component_type().exports(&engine).len()
    );
    // Not a component.
    // SAFETY: refused by Wasmtime's checks before anything runs.
    assert!(unsafe { Component::deserialize(&engine, b"not an artifact") }.is_err());
}

#[test]
fn text_through_the_library() {
    if common::components_refused() {
        return;
    }
    let engine = engine();
    // The official libraries' `wasmtime_wat2wasm` reads component text.
    let component = Component::new(&engine, VALUES).expect("component text through the library");
    assert!(component.component_type().exports(&engine).len() >= 9);
    let err = Component::new(
        &engine,
        "(component (func (export \"f\") (canon lift (core func 7))))",
    )
    .unwrap_err();
    println!("invalid component: {err:#}");
}

#[test]
fn a_function_of_another_store_is_refused() {
    if common::components_refused() {
        return;
    }
    isolate("a_function_of_another_store_is_refused", || {
        let engine = engine();
        let (mut a, instance) = instantiate(&engine);
        let echo = instance.get_func(&mut a, "echo").unwrap();
        let (mut b, _) = instantiate(&engine);
        let mut out = [Val::Bool(false)];
        let err = echo
            .call(&mut b, &[Val::String("x".into())], &mut out)
            .unwrap_err();
        assert!(
            matches!(err.downcast_ref(), Some(ErrorKind::WrongStore(_))),
            "{err:#}"
        );
        // As the crate does, looking up an export of another store's
        // instance panics (rather than aborting in the C API).
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            instance.get_func(&mut b, "echo").is_some()
        }));
        assert!(panicked.is_err());
        // And `a` still works.
        echo.call(&mut a, &[Val::String("x".into())], &mut out)
            .unwrap();
        assert_eq!(out[0], Val::String("<X>".into()));
    });
}

#[test]
fn host_functions_are_freed_with_their_linker() {
    if common::components_refused() {
        return;
    }
    let engine = engine();
    let drops = Arc::new(AtomicUsize::new(0));
    struct Counted(Arc<AtomicUsize>);
    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    {
        let mut linker = Linker::<()>::new(&engine);
        let mut api = linker.instance("my:pkg/api").unwrap();
        let mut nested = api.instance("deeper").unwrap();
        let counted = Counted(drops.clone());
        nested
            .func_new("f", move |_, _, _, _| {
                let _ = &counted;
                Ok(())
            })
            .unwrap();
        // A second definition of the name is refused, and its closure freed.
        let counted = Counted(drops.clone());
        let err = nested
            .func_new("f", move |_, _, _, _| {
                let _ = &counted;
                Ok(())
            })
            .unwrap_err();
        println!("defined twice: {err:#}");
        drop(nested);
        drop(api);
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    }
    assert_eq!(drops.load(Ordering::SeqCst), 2);
}

#[test]
fn unsupported_without_the_component_model() {
    for flavour in [Flavour::Min, Flavour::CompilerOnly] {
        if !round_has(flavour) {
            return;
        }
        let engine = Engine::default_for(flavour.load()).unwrap();
        assert!(!engine.capabilities().contains(Capability::ComponentModel));
        let is_unsupported = |err: wasmtime_dyn::Error| {
            common::assert_component_refusal(
                &err,
                Some(Capability::ComponentModel),
                &format!("{flavour:?}"),
            )
        };
        is_unsupported(Component::new(&engine, encode(VALUES)).unwrap_err());
        // SAFETY: refused before the library is asked.
        is_unsupported(unsafe { Component::deserialize(&engine, b"x") }.unwrap_err());
        is_unsupported(Component::from_file(&engine, "/nonexistent").unwrap_err());
        let mut linker = Linker::<()>::new(&engine);
        is_unsupported(
            linker
                .root()
                .func_new("f", |_, _, _, _| Ok(()))
                .unwrap_err(),
        );
        is_unsupported(linker.instance("x").err().unwrap());
        is_unsupported(linker.define_wasi().err().unwrap());
        linker.allow_shadowing(true);
    }
}

#[test]
fn objects_of_another_engine_are_refused() {
    if common::components_refused() {
        return;
    }
    isolate("objects_of_another_engine_are_refused", || {
        let (a, b) = (engine(), engine());
        let component = Component::new(&a, encode(VALUES)).unwrap();
        let mut store_b = Store::new(&b, 0usize);
        let err = linker(&a)
            .instantiate(&mut store_b, &component)
            .unwrap_err();
        assert!(
            matches!(err.downcast_ref(), Some(ErrorKind::WrongEngine(..))),
            "{err:#}"
        );
        let err = linker(&b)
            .instantiate(&mut store_b, &component)
            .unwrap_err();
        assert!(
            matches!(err.downcast_ref(), Some(ErrorKind::WrongEngine(..))),
            "{err:#}"
        );
        // The right engine's objects together work.
        let mut store_a = Store::new(&a, 0usize);
        let instance = linker(&a).instantiate(&mut store_a, &component).unwrap();
        let out = call1(&mut store_a, &instance, "echo", &[Val::String("e".into())]).unwrap();
        assert_eq!(out, Val::String("<E>".into()));
    });
}

#[test]
fn typed_calls() {
    if common::components_refused() {
        return;
    }
    let engine = engine();
    let (mut store, instance) = instantiate(&engine);
    let echo = instance
        .get_typed_func::<(&str,), (String,)>(&mut store, "echo")
        .unwrap();
    assert_eq!(
        echo.call(&mut store, ("typed",)).unwrap(),
        ("<TYPED>".to_string(),)
    );
    let double = instance
        .get_typed_func::<(&[u32],), (Vec<u32>,)>(&mut store, "double")
        .unwrap();
    assert_eq!(
        double.call(&mut store, (&[1, 2, 3][..],)).unwrap(),
        (vec![2, 4, 6],)
    );
    let maybe = instance
        .get_typed_func::<(Option<u32>,), (Option<u32>,)>(&mut store, "maybe")
        .unwrap();
    assert_eq!(maybe.call(&mut store, (Some(7),)).unwrap(), (Some(7),));
    assert_eq!(maybe.call(&mut store, (None,)).unwrap(), (None,));
    let outcome = instance
        .get_typed_func::<(Result<u32, String>,), (Result<u32, String>,)>(&mut store, "outcome")
        .unwrap();
    assert_eq!(outcome.call(&mut store, (Ok(5),)).unwrap(), (Ok(5),));
    assert_eq!(
        outcome.call(&mut store, (Err("no".into()),)).unwrap(),
        (Err("no".to_string()),)
    );
    let fallible = instance
        .get_typed_func::<(Result<(), &str>,), (Result<(), String>,)>(&mut store, "fallible")
        .unwrap();
    assert_eq!(fallible.call(&mut store, (Ok(()),)).unwrap(), (Ok(()),));
    assert_eq!(
        fallible.call(&mut store, (Err("why"),)).unwrap(),
        (Err("why".to_string()),)
    );
    let pair = instance
        .get_typed_func::<((u32, String),), ((u32, String),)>(&mut store, "pair")
        .unwrap();
    assert_eq!(
        pair.call(&mut store, ((9, "nine".into()),)).unwrap(),
        ((9, "nine".to_string()),)
    );
    let add = {
        let api = instance.get_export_index(&mut store, None, "api").unwrap();
        let add = instance
            .get_export_index(&mut store, Some(&api), "add")
            .unwrap();
        instance
            .get_typed_func::<(u32, u32), (u32,)>(&mut store, &add)
            .unwrap()
    };
    assert_eq!(add.call(&mut store, (40, 2)).unwrap(), (42,));
    let boom = instance
        .get_typed_func::<(), ()>(&mut store, "boom")
        .unwrap();
    let err = boom.call(&mut store, ()).unwrap_err();
    assert_eq!(
        err.downcast_ref::<Trap>(),
        Some(&Trap::UnreachableCodeReached)
    );
}

#[test]
fn typed_funcs_are_checked_once_against_the_type() {
    if common::components_refused() {
        return;
    }
    let engine = engine();
    let (mut store, instance) = instantiate(&engine);
    let kind = |err: wasmtime_dyn::Error| match err.downcast_ref::<ErrorKind>() {
        Some(ErrorKind::TypeMismatch(m)) => m.clone(),
        _ => panic!("not a type mismatch: {err:#}"),
    };
    println!(
        "{}",
        kind(
            instance
                .get_typed_func::<(u32,), (String,)>(&mut store, "echo")
                .unwrap_err()
        )
    );
    kind(
        instance
            .get_typed_func::<(&str,), (u32,)>(&mut store, "echo")
            .unwrap_err(),
    );
    kind(
        instance
            .get_typed_func::<(&str, u32), (String,)>(&mut store, "echo")
            .unwrap_err(),
    );
    kind(
        instance
            .get_typed_func::<(&str,), ()>(&mut store, "echo")
            .unwrap_err(),
    );
    kind(
        instance
            .get_typed_func::<(Vec<i32>,), (Vec<u32>,)>(&mut store, "double")
            .unwrap_err(),
    );
    kind(
        instance
            .get_typed_func::<(Option<u8>,), (Option<u32>,)>(&mut store, "maybe")
            .unwrap_err(),
    );
    // `()` stands for a missing payload only.
    kind(
        instance
            .get_typed_func::<(Result<(), String>,), (Result<u32, String>,)>(&mut store, "outcome")
            .unwrap_err(),
    );
    kind(
        instance
            .get_typed_func::<(Result<u32, String>,), (Result<u32, String>,)>(
                &mut store, "fallible",
            )
            .unwrap_err(),
    );
    let err = instance
        .get_typed_func::<(), ()>(&mut store, "nope")
        .unwrap_err();
    assert!(
        matches!(err.downcast_ref(), Some(ErrorKind::Invalid(_))),
        "{err:#}"
    );
    assert!(err.to_string().contains("`nope`"), "{err}");
}

#[test]
fn typed_host_functions() {
    if common::components_refused() {
        return;
    }
    let engine = engine();
    let component = Component::new(&engine, encode(VALUES)).unwrap();
    let mut linker = Linker::<usize>::new(&engine);
    linker
        .root()
        .func_wrap("transform", |mut store, (s,): (String,)| {
            *store.data_mut() += s.len();
            if s == "fail" {
                return Err(HostFailure(9).into());
            }
            Ok((s.chars().rev().collect::<String>(),))
        })
        .unwrap();
    let mut store = Store::new(&engine, 0usize);
    let instance = linker.instantiate(&mut store, &component).unwrap();
    let echo = instance
        .get_typed_func::<(&str,), (String,)>(&mut store, "echo")
        .unwrap();
    assert_eq!(
        echo.call(&mut store, ("abc",)).unwrap(),
        ("cba".to_string(),)
    );
    assert_eq!(*store.data(), 3);
    let err = echo.call(&mut store, ("fail",)).unwrap_err();
    assert_eq!(err.downcast_ref::<HostFailure>(), Some(&HostFailure(9)));
    // A host function whose Rust types do not match the import: the call
    // fails with the mismatch, never a crash.
    let mut linker = Linker::<usize>::new(&engine);
    linker
        .root()
        .func_wrap("transform", |_, (n,): (u32,)| Ok((n,)))
        .unwrap();
    let mut store = Store::new(&engine, 0usize);
    let instance = linker.instantiate(&mut store, &component).unwrap();
    let err = call1(&mut store, &instance, "echo", &[Val::String("x".into())]).unwrap_err();
    assert!(
        matches!(err.downcast_ref(), Some(ErrorKind::TypeMismatch(_))),
        "{err:#}"
    );
}

fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("/proc/self/statm");
    let pages: u64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

#[test]
fn calls_do_not_leak() {
    if common::components_refused() {
        return;
    }
    // In a child process of its own: RSS is the whole process's.
    let outcome = isolate("calls_do_not_leak", || {
        let engine = engine();
        let (mut store, instance) = instantiate(&engine);
        let echo = instance.get_func(&mut store, "echo").unwrap();
        let roundtrip = instance.get_func(&mut store, "roundtrip").unwrap();
        let arg = [Val::String("leak check".into())];
        let record = [big(2, false)];
        let mut out = [Val::Bool(false)];
        // One operation: a string through the guest and a host import
        // (arguments, the host's arguments and results, the results), and
        // a record of every value kind through the guest every 16th time.
        let mut run = |n: usize| {
            for i in 0..n {
                echo.call(&mut store, &arg, &mut out).unwrap();
                assert_eq!(out[0], Val::String("<LEAK CHECK>".into()));
                if i % 16 == 0 {
                    roundtrip.call(&mut store, &record, &mut out).unwrap();
                    assert_eq!(out[0], record[0]);
                }
            }
        };
        run(20_000);
        let before = rss_bytes();
        let started = std::time::Instant::now();
        run(1_000_000);
        let grown = rss_bytes().saturating_sub(before);
        println!(
            "1 000 000 calls in {:?}: resident memory {} KiB before, grew by {} KiB",
            started.elapsed(),
            before >> 10,
            grown >> 10
        );
        // A leaked string per call would be some 16 MB here.
        assert!(grown < 8 << 20, "grew by {grown} bytes");
    });
    if let Some(outcome) = outcome {
        let text = outcome.text();
        let line = text.lines().find(|l| l.contains("calls in"));
        println!("{}", line.unwrap_or("(the child printed no figures)"));
    }
}

#[test]
fn a_host_function_calls_back_into_its_instance() {
    if common::components_refused() {
        return;
    }
    // Wasmtime refuses re-entering an instance from its own import up to
    // 48 ("cannot enter component instance") and allows it from 49 on;
    // either way the nested call's outcome comes back, nothing crashes.
    let engine = engine();
    let component = Component::new(&engine, encode(VALUES)).unwrap();
    let mut linker = Linker::<Option<wasmtime_dyn::component::Func>>::new(&engine);
    linker
        .root()
        .func_new("transform", |mut store, _, params, results| {
            let add = store.data().expect("set before the call");
            let mut sum = [Val::Bool(false)];
            add.call(&mut store, &[Val::U32(2), Val::U32(3)], &mut sum)?;
            results[0] = Val::String(format!("{:?} {:?}", params[0], sum[0]));
            Ok(())
        })
        .unwrap();
    let mut store = Store::new(&engine, None);
    let instance = linker.instantiate(&mut store, &component).unwrap();
    let api = instance.get_export_index(&mut store, None, "api").unwrap();
    let add = instance
        .get_export_index(&mut store, Some(&api), "add")
        .unwrap();
    let add = instance.get_func(&mut store, &add).unwrap();
    *store.data_mut() = Some(add);
    let echo = instance.get_func(&mut store, "echo").unwrap();
    let mut out = [Val::Bool(false)];
    let outcome = echo.call(&mut store, &[Val::String("x".into())], &mut out);
    println!(
        "re-entering on {}: {outcome:?} {out:?}",
        common::expected_version()
    );
    // Wasmtime 45 to 48, and 41 and earlier, refuse re-entering an
    // instance from its own host function (measured); 42 to 44, and 49
    // on, run it.
    let major = common::expected_major();
    if (42..=44).contains(&major) || major >= 49 {
        outcome.unwrap();
        assert_eq!(out[0], Val::String(r#"String("x") U32(5)"#.into()));
    } else {
        let err = outcome.unwrap_err();
        assert!(
            format!("{err:#}").contains("cannot enter component instance"),
            "{err:#}"
        );
    }
}

#[test]
fn core_module_imports_and_unknown_imports_as_traps() {
    if common::components_refused() {
        return;
    }
    let engine = engine();
    let component = Component::new(
        &engine,
        encode(
            r#"(component
                (import "helper" (core module $H (export "f" (func (result i32)))))
                (core instance $h (instantiate $H))
                (func (export "f") (result u32) (canon lift (core func $h "f"))))"#,
        ),
    )
    .unwrap();
    assert!(matches!(
        component.component_type().get_import(&engine, "helper"),
        Some(ComponentItem::Module)
    ));
    let module = wasmtime_dyn::Module::new(
        &engine,
        r#"(module (func (export "f") (result i32) i32.const 41))"#,
    )
    .unwrap();
    let mut linker = Linker::<()>::new(&engine);
    linker.root().module("helper", &module).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &component).unwrap();
    let f = instance
        .get_typed_func::<(), (u32,)>(&mut store, "f")
        .unwrap();
    assert_eq!(f.call(&mut store, ()).unwrap(), (41,));
    // A module of another engine is refused.
    let other = engine_other();
    let foreign = wasmtime_dyn::Module::new(&other, "(module)").unwrap();
    let err = Linker::<()>::new(&engine)
        .root()
        .module("helper", &foreign)
        .unwrap_err();
    assert!(
        matches!(err.downcast_ref(), Some(ErrorKind::WrongEngine(..))),
        "{err:#}"
    );

    // `transform` left undefined traps when the guest calls it.
    let component = Component::new(&engine, encode(VALUES)).unwrap();
    let mut linker = Linker::<()>::new(&engine);
    let mut store = Store::new(&engine, ());
    assert!(linker.instantiate(&mut store, &component).is_err());
    linker.define_unknown_imports_as_traps(&component).unwrap();
    let instance = linker.instantiate(&mut store, &component).unwrap();
    let echo = instance.get_func(&mut store, "echo").unwrap();
    let err = echo
        .call(
            &mut store,
            &[Val::String("x".into())],
            &mut [Val::Bool(false)],
        )
        .unwrap_err();
    println!("an unknown import called: {err:#}");
    let add = instance.get_export_index(&mut store, None, "api").unwrap();
    let add = instance
        .get_export_index(&mut store, Some(&add), "add")
        .unwrap();
    let add = instance
        .get_typed_func::<(u32, u32), (u32,)>(&mut store, &add)
        .unwrap();
    let _ = add; // the instance was poisoned by the trap on 45..48 and the store from 49
}

fn engine_other() -> Engine {
    engine()
}

/// The component-model proposal setters reach the library: a `map` type
/// compiles only with `wasm_component_model_map(true)`; `implements` is
/// refused as too new before 49 and settable from 49; async without
/// concurrency support is a typed error, not Wasmtime's abort.
#[test]
fn component_model_proposal_setters() {
    if common::components_refused() {
        return;
    }
    use wasmtime_dyn::Config;
    let wasmtime = Flavour::Full.load();
    let major = wasmtime.version().major();
    // wast 243 predates maps: the newer `wast` of tests/component_spec.rs.
    let map = {
        use wast_components::parser::{self, ParseBuffer};
        let text = r#"(component (type (export "m") (map string u32)))"#;
        let buf = ParseBuffer::new(text).expect("lexing");
        let mut wat: wast_components::Wat = parser::parse(&buf).expect("parsing");
        wat.encode().expect("encoding")
    };
    let engine_with = |configure: &dyn Fn(&mut Config)| {
        let mut config = Config::new(wasmtime);
        configure(&mut config);
        Engine::new(wasmtime, &config)
    };
    let off = engine_with(&|c| {
        c.wasm_component_model_map(false);
    })
    .expect("an engine without maps");
    let err = Component::new(&off, &map).expect_err("maps are off");
    // Before 44 there are no maps: the setter is refused as too old (and
    // 41's parser does not know the type at all).
    if let Ok(on) = common::too_old(engine_with(&|c| {
        c.wasm_component_model_map(true);
    })) {
        assert!(format!("{err:#}").contains("map"), "{err:#}");
        Component::new(&on, &map).expect("maps are on");
    }

    let implements = engine_with(&|c| {
        c.wasm_component_model_implements(true);
    });
    if major >= 49 {
        implements.expect("implements is settable from 49");
    } else {
        let err = implements.expect_err("no implements setter before 49");
        assert!(
            matches!(
                err.downcast_ref::<ErrorKind>(),
                Some(ErrorKind::UnsupportedVersion { .. })
            ),
            "{err:?}"
        );
    }

    let err = engine_with(&|c| {
        c.concurrency_support(false)
            .wasm_component_model_async(true);
    })
    .expect_err("async needs concurrency support");
    if wasmtime.has(Capability::ComponentModelAsync) {
        assert!(
            matches!(err.downcast_ref::<ErrorKind>(), Some(ErrorKind::Config(_))),
            "{err:?}"
        );
    } else {
        // Before 45 the C API has no component-model async: the setter is
        // refused as missing.
        let text = format!("{err:#}");
        assert!(
            text.contains("component-model-async") || common::too_old(Err::<(), _>(err)).is_err(),
            "{text}"
        );
    }
    engine_with(&|c| {
        c.wasm_component_model_async(false);
    })
    .expect("async off");
}

/// A host function taking two `borrow<T>`s, called from a start function
/// during instantiation (the case of resources.wast:812 in the component
/// test files; one borrow is fine). Wasmtime 50.0.0 fails it with its
/// "BUG: deferred host scope has no call context" error when concurrency
/// support is on (its default), while lifting the borrows for the
/// `Val`-based host function the C API makes (the host function does not
/// run: measured); with concurrency support off, and on every other major,
/// it runs. Either way an error, never a crash.
#[test]
fn two_borrows_passed_to_the_host_from_a_start_function() {
    if common::components_refused() {
        return;
    }
    use wasmtime_dyn::component::{Resource, ResourceAny, ResourceType};
    use wasmtime_dyn::Config;
    struct Thing;
    const START: &str = r#"(component
        (import "thing" (type $t (sub resource)))
        (import "make" (func $make (param "rep" u32) (result (own $t))))
        (import "peek" (func $peek (param "a" (borrow $t)) (param "b" (borrow $t))
            (result u32)))
        (core func $make (canon lower (func $make)))
        (core func $peek (canon lower (func $peek)))
        (core func $drop (canon resource.drop $t))
        (core module $m
            (import "" "make" (func $make (param i32) (result i32)))
            (import "" "peek" (func $peek (param i32 i32) (result i32)))
            (import "" "drop" (func $drop (param i32)))
            (func $start (local $a i32) (local $b i32)
                (local.set $a (call $make (i32.const 7)))
                (local.set $b (call $make (i32.const 5)))
                (if (i32.ne (call $peek (local.get $a) (local.get $b)) (i32.const 12))
                    (then unreachable))
                (call $drop (local.get $a))
                (call $drop (local.get $b)))
            (start $start))
        (core instance (instantiate $m (with "" (instance
            (export "make" (func $make))
            (export "peek" (func $peek))
            (export "drop" (func $drop)))))))"#;
    let wasmtime = Flavour::Full.load();
    let major = wasmtime.version().major();
    for concurrency in [false, true] {
        let mut config = Config::new(wasmtime);
        config.concurrency_support(concurrency);
        let engine = Engine::new(wasmtime, &config);
        if concurrency && !wasmtime.has(Capability::ComponentModelAsync) {
            // Refused: as a setting the build lacks (44), or as a setter
            // the major lacks (before 43).
            let err = engine.expect_err("concurrency support without component-model async");
            let text = format!("{err:#}");
            assert!(
                text.contains("component-model-async")
                    || common::too_old(Err::<(), _>(err)).is_err(),
                "{text}"
            );
            continue;
        }
        let engine = engine.expect("an engine");
        let component = Component::new(&engine, encode(START)).expect("the component");
        let mut linker = Linker::<u32>::new(&engine);
        let mut root = linker.root();
        root.resource("thing", ResourceType::host::<Thing>(), |mut store, rep| {
            *store.data_mut() += rep;
            Ok(())
        })
        .unwrap();
        root.func_wrap("make", |store, (rep,): (u32,)| {
            Ok((Resource::<Thing>::new_own(rep).try_into_resource_any(store)?,))
        })
        .unwrap();
        root.func_wrap("peek", |mut store, (a, b): (ResourceAny, ResourceAny)| {
            let a = a.try_into_resource::<Thing>(&mut store)?.rep();
            Ok((a + b.try_into_resource::<Thing>(store)?.rep(),))
        })
        .unwrap();
        drop(root);
        let mut store = Store::new(&engine, 0u32);
        let outcome = linker.instantiate(&mut store, &component);
        if major == 50 && concurrency {
            let err = outcome.expect_err("Wasmtime 50.0.0's deferred host scope");
            assert!(
                format!("{err:#}").contains("deferred host scope has no call context"),
                "{err:#}"
            );
        } else {
            outcome.unwrap_or_else(|e| panic!("concurrency {concurrency}: {e:#}"));
            assert_eq!(*store.data(), 12, "the guest dropped things #7 and #5");
        }
    }
}
