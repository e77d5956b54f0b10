//! The fast paths of component calls, on the benchmark component
//! (`benches/components.wat`: `echo`, `list-echo`, `point-echo`, each
//! returning its argument): `Func::call` reading results into the slots'
//! old values (a string's buffer, a list's elements, a record's names),
//! whatever those held before, and `TypedFunc::call` writing and reading C
//! values straight from and into Rust values.

mod common;

use common::Flavour;
use wasmtime_dyn::component::{Component, Func, Instance, Linker, Val};
use wasmtime_dyn::{Engine, Store};

const WAT: &str = include_str!("../benches/components.wat");

fn instance() -> (Store<()>, Instance) {
    let engine = Engine::default_for(Flavour::Full.load()).expect("an engine of the full library");
    let component = Component::new(&engine, WAT).expect("compiling the component");
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &component)
        .expect("instantiating");
    (store, instance)
}

fn func(store: &mut Store<()>, instance: &Instance, name: &str) -> Func {
    instance.get_func(&mut *store, name).expect("exported")
}

fn point(x: f64, id: u32) -> Val {
    Val::Record(vec![
        ("x".into(), Val::Float64(x)),
        ("y".into(), Val::Float64(-x)),
        ("id".into(), Val::U32(id)),
        ("ok".into(), Val::Bool(id % 2 == 0)),
    ])
}

#[test]
fn result_slots_are_read_into_whatever_they_held() {
    if common::components_refused() {
        return;
    }
    let (mut store, instance) = instance();
    let echo = func(&mut store, &instance, "echo");
    let list = func(&mut store, &instance, "list-echo");
    let point_echo = func(&mut store, &instance, "point-echo");

    // Strings: into a longer string, a shorter one, an empty one, another
    // kind of value.
    for (old, arg) in [
        (
            Val::String("a much longer string than the argument".into()),
            "short",
        ),
        (Val::String("x".into()), "longer than before: é🦀"),
        (Val::String(String::new()), ""),
        (Val::U32(7), "after a number"),
        (Val::List(vec![Val::U32(1)]), "after a list"),
    ] {
        let mut out = [old];
        echo.call(&mut store, &[Val::String(arg.into())], &mut out)
            .unwrap();
        assert_eq!(out[0], Val::String(arg.into()));
    }

    // Lists: longer, shorter, empty, of another element kind, nested.
    let nums = |r: std::ops::Range<u32>| Val::List(r.map(Val::U32).collect());
    for (old, arg) in [
        (nums(0..10), nums(100..103)),
        (nums(0..2), nums(5..1005)),
        (nums(0..5), nums(0..0)),
        (
            Val::List(vec![Val::String("s".into()), Val::Bool(true)]),
            nums(1..4),
        ),
        (Val::String("not a list".into()), nums(9..12)),
    ] {
        let mut out = [old];
        list.call(&mut store, std::slice::from_ref(&arg), &mut out)
            .unwrap();
        assert_eq!(out[0], arg);
    }

    // Records: same names reused, other names replaced, fewer or more
    // fields before.
    let mut out = [point(0.5, 1)];
    for id in 0..4 {
        let p = point(f64::from(id) * 1.25, id);
        point_echo
            .call(&mut store, std::slice::from_ref(&p), &mut out)
            .unwrap();
        assert_eq!(out[0], p);
    }
    for old in [
        Val::Record(vec![
            ("a".into(), Val::U8(1)),
            ("b".into(), Val::Bool(false)),
        ]),
        Val::Record(
            (0..6)
                .map(|i| (format!("f{i}"), Val::String("old".into())))
                .collect(),
        ),
        Val::Record(vec![]),
        Val::Bool(false),
    ] {
        let mut out = [old];
        let p = point(-3.0, 42);
        point_echo
            .call(&mut store, std::slice::from_ref(&p), &mut out)
            .unwrap();
        assert_eq!(out[0], p);
    }
}

#[test]
fn typed_calls_convert_directly() {
    if common::components_refused() {
        return;
    }
    let (mut store, instance) = instance();
    let echo = instance
        .get_typed_func::<(&str,), (Box<str>,)>(&mut store, "echo")
        .unwrap();
    for s in ["", "ascii", "é🦀\u{10FFFF}", &"long ".repeat(1000)] {
        assert_eq!(&*echo.call(&mut store, (s,)).unwrap().0, s);
    }
    let owned = instance
        .get_typed_func::<(String,), (String,)>(&mut store, "echo")
        .unwrap();
    assert_eq!(
        owned.call(&mut store, ("owned".into(),)).unwrap().0,
        "owned"
    );

    let lists: Vec<Vec<u32>> = [0u32, 1, 3, 1000, 5000]
        .iter()
        .map(|n| (0..*n).map(|i| i.wrapping_mul(2_654_435_761)).collect())
        .collect();
    let list = instance
        .get_typed_func::<(&[u32],), (Vec<u32>,)>(&mut store, "list-echo")
        .unwrap();
    for v in &lists {
        assert_eq!(&list.call(&mut store, (&v[..],)).unwrap().0, v);
    }
    let boxed = instance
        .get_typed_func::<(Vec<u32>,), (Box<[u32]>,)>(&mut store, "list-echo")
        .unwrap();
    assert_eq!(
        &*boxed.call(&mut store, (vec![4, 5, 6],)).unwrap().0,
        &[4, 5, 6]
    );

    // The record as a tuple is refused once, when the typed function is
    // made; the dynamic call still works after.
    assert!(instance
        .get_typed_func::<((f64, f64, u32, bool),), ((f64, f64, u32, bool),)>(
            &mut store,
            "point-echo"
        )
        .is_err());
    let point_echo = func(&mut store, &instance, "point-echo");
    let mut out = [Val::Bool(false)];
    point_echo
        .call(&mut store, &[point(2.0, 2)], &mut out)
        .unwrap();
    assert_eq!(out[0], point(2.0, 2));
}
