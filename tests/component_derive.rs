//! `#[derive(ComponentType, Lift, Lower)]` and `flags!` (issue 18): Rust
//! records, variants, enums and flags passed through typed calls of a real
//! component (tests/fixtures/component/derive.wat) and back, with the
//! component changing some so a misplaced field, case or bit shows; the
//! type checks' errors for types that differ, naming the field or case;
//! `Lift` of values of the wrong shape; flags values in untyped calls; and
//! derived types as a host function's parameters and results.

mod common;

use common::Flavour;
use wasmtime_dyn::component::{
    flags, Component, ComponentType, Instance, Lift, Linker, Lower, Val,
};
use wasmtime_dyn::{Engine, Error, ErrorKind, Store};

const DERIVE: &str = include_str!("fixtures/component/derive.wat");

flags! {
    Perms {
        #[component(name = "read")]
        const READ;
        #[component(name = "write")]
        const WRITE;
        #[component(name = "exec")]
        const EXEC;
    }
}

#[derive(ComponentType, Lift, Lower, Debug, Clone, Copy, PartialEq)]
#[component(enum)]
#[repr(u8)]
enum Color {
    #[component(name = "red")]
    Red,
    #[component(name = "green")]
    Green,
    #[component(name = "blue")]
    Blue,
}

#[derive(ComponentType, Lift, Lower, Debug, Clone, PartialEq)]
#[component(variant)]
enum Shape {
    #[component(name = "circle")]
    Circle(f32),
    #[component(name = "square")]
    Square(u32),
    #[component(name = "none")]
    Nothing,
}

/// `point`, generic over its coordinates' type.
#[derive(ComponentType, Lift, Lower, Debug, Clone, Copy, PartialEq)]
#[component(record)]
struct Point<T> {
    x: T,
    y: T,
}

#[derive(ComponentType, Lift, Lower, Debug, Clone, PartialEq)]
#[component(record)]
struct Meta {
    #[component(name = "id")]
    identifier: u64,
    note: Option<String>,
}

#[derive(ComponentType, Lift, Lower, Debug, Clone, PartialEq)]
#[component(record)]
struct Item {
    name: String,
    tags: Vec<String>,
    at: Option<Point<i32>>,
    shape: Shape,
    color: Color,
    perms: Perms,
    scores: Vec<Option<u32>>,
    meta: Meta,
}

fn setup() -> (Store<()>, Instance) {
    let engine = Engine::default_for(Flavour::Full.load()).expect("an engine of the full library");
    let component = Component::new(&engine, DERIVE).expect("compiling derive.wat");
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    // The imports: a point with its fields swapped and x incremented, and
    // the flags with `write` added.
    {
        let mut host = linker.instance("host").expect("defining host");
        host.func_wrap("mirror", |_, (p,): (Point<i32>,)| {
            Ok((Point { x: p.y + 1, y: p.x },))
        })
        .expect("defining mirror");
        host.func_wrap("grant", |_, (p,): (Perms,)| Ok((p | Perms::WRITE,)))
            .expect("defining grant");
    }
    let instance = linker
        .instantiate(&mut store, &component)
        .expect("instantiating derive.wat");
    (store, instance)
}

fn item(n: u32) -> Item {
    Item {
        name: format!("item {n}"),
        tags: (0..n).map(|i| "tag".repeat(i as usize)).collect(),
        at: (n % 2 == 0).then_some(Point {
            x: -(n as i32),
            y: n as i32 * 1000,
        }),
        shape: match n % 3 {
            0 => Shape::Circle(n as f32 / 4.0),
            1 => Shape::Square(n * 7),
            _ => Shape::Nothing,
        },
        color: [Color::Red, Color::Green, Color::Blue][n as usize % 3],
        perms: [
            Perms::empty(),
            Perms::READ,
            Perms::WRITE | Perms::EXEC,
            Perms::all(),
        ][n as usize % 4],
        scores: (0..n)
            .map(|i| (i % 2 == 1).then_some(u32::MAX / 16 * i))
            .collect(),
        meta: Meta {
            identifier: u64::MAX - u64::from(n),
            note: (n % 2 == 1).then(|| "ñøté ".repeat(n as usize)),
        },
    }
}

#[test]
fn records_variants_enums_and_flags_round_trip() {
    if common::components_refused() {
        return;
    }
    let (mut store, instance) = setup();

    let swap = instance
        .get_typed_func::<(Point<i32>,), (Point<i32>,)>(&mut store, "swap")
        .unwrap();
    for (x, y) in [(3, -4), (i32::MIN, i32::MAX), (0, 1)] {
        let (p,) = swap.call(&mut store, (Point { x, y },)).unwrap();
        assert_eq!(p, Point { x: y, y: x });
    }

    let invert = instance
        .get_typed_func::<(Perms,), (Perms,)>(&mut store, "invert")
        .unwrap();
    for perms in [
        Perms::empty(),
        Perms::READ,
        Perms::WRITE | Perms::EXEC,
        Perms::all(),
    ] {
        let (flipped,) = invert.call(&mut store, (perms,)).unwrap();
        assert_eq!(flipped, !perms, "{perms:?} inverted");
        assert!(!flipped.intersects(perms));
    }

    let next = instance
        .get_typed_func::<(Color,), (Color,)>(&mut store, "next")
        .unwrap();
    for (from, to) in [
        (Color::Red, Color::Green),
        (Color::Green, Color::Blue),
        (Color::Blue, Color::Red),
    ] {
        assert_eq!(next.call(&mut store, (from,)).unwrap(), (to,));
    }

    let same = instance
        .get_typed_func::<(Shape,), (Shape,)>(&mut store, "same-shape")
        .unwrap();
    for shape in [
        Shape::Circle(-0.5),
        Shape::Circle(f32::INFINITY),
        Shape::Square(u32::MAX),
        Shape::Nothing,
    ] {
        assert_eq!(same.call(&mut store, (shape.clone(),)).unwrap(), (shape,));
    }

    let roundtrip = instance
        .get_typed_func::<(Item,), (Item,)>(&mut store, "roundtrip")
        .unwrap();
    for n in 0..8 {
        let (back,) = roundtrip.call(&mut store, (item(n),)).unwrap();
        assert_eq!(back, item(n));
    }
    // The reference form, as for the built-in types.
    let by_ref = instance
        .get_typed_func::<(&Item,), (Item,)>(&mut store, "roundtrip")
        .unwrap();
    assert_eq!(by_ref.call(&mut store, (&item(5),)).unwrap().0, item(5));

    let all = instance
        .get_typed_func::<(&[Item],), (Vec<Item>,)>(&mut store, "roundtrip-all")
        .unwrap();
    let items: Vec<Item> = (0..12).map(item).collect();
    assert_eq!(all.call(&mut store, (&items,)).unwrap().0, items);
    assert_eq!(all.call(&mut store, (&[],)).unwrap().0, []);
}

/// A derived record and a flags type as a host function's parameters and
/// results.
#[test]
fn host_functions_take_and_return_derived_types() {
    if common::components_refused() {
        return;
    }
    let (mut store, instance) = setup();
    let via_host = instance
        .get_typed_func::<(Point<i32>,), (Point<i32>,)>(&mut store, "via-host")
        .unwrap();
    let (p,) = via_host.call(&mut store, (Point { x: 5, y: -7 },)).unwrap();
    assert_eq!(p, Point { x: -6, y: 5 });
    let grant = instance
        .get_typed_func::<(Perms,), (Perms,)>(&mut store, "grant-via-host")
        .unwrap();
    assert_eq!(
        grant.call(&mut store, (Perms::EXEC,)).unwrap().0,
        Perms::WRITE | Perms::EXEC
    );
    assert_eq!(
        grant.call(&mut store, (Perms::empty(),)).unwrap().0,
        Perms::WRITE
    );
}

/// A host function whose derived parameter type differs from the
/// import's fails the call with a `TypeMismatch` naming the field.
#[test]
fn host_functions_with_derived_types_that_differ_fail_the_call() {
    if common::components_refused() {
        return;
    }
    let engine = Engine::default_for(Flavour::Full.load()).expect("an engine of the full library");
    let component = Component::new(&engine, DERIVE).expect("compiling derive.wat");
    let mut linker = Linker::new(&engine);
    {
        let mut host = linker.instance("host").expect("defining host");
        host.func_wrap("mirror", |_, (p,): (Point<u32>,)| Ok((p,)))
            .expect("defining mirror");
        host.func_wrap("grant", |_, (p,): (Perms,)| Ok((p,)))
            .expect("defining grant");
    }
    let mut store = Store::new(&engine, ());
    let instance = linker
        .instantiate(&mut store, &component)
        .expect("instantiating derive.wat");
    let via_host = instance
        .get_typed_func::<(Point<i32>,), (Point<i32>,)>(&mut store, "via-host")
        .unwrap();
    let err = via_host
        .call(&mut store, (Point { x: 1, y: 2 },))
        .expect_err("the host function's types differ from the import's");
    let msg = format!("{err:#}");
    assert!(msg.contains("type mismatch for field x"), "{msg}");
    assert!(
        matches!(
            err.downcast_ref::<ErrorKind>(),
            Some(ErrorKind::TypeMismatch(_))
        ),
        "{err:?}"
    );
}

/// The full message chain of a typed function's failed check, which must
/// be a `TypeMismatch`.
fn check_error<P, R>(name: &str) -> String
where
    P: wasmtime_dyn::component::ComponentNamedList + Lower,
    R: wasmtime_dyn::component::ComponentNamedList + Lift,
{
    let (mut store, instance) = setup();
    let err: Error = instance
        .get_typed_func::<P, R>(&mut store, name)
        .expect_err("types that differ must be refused");
    assert!(
        matches!(
            err.downcast_ref::<ErrorKind>(),
            Some(ErrorKind::TypeMismatch(_))
        ),
        "{err:?}"
    );
    format!("{err:#}")
}

macro_rules! record {
    ($name:ident { $($(#[$attr:meta])* $field:ident: $ty:ty),* }) => {
        #[derive(ComponentType, Lift, Lower, Debug)]
        #[component(record)]
        #[allow(dead_code)]
        struct $name { $($(#[$attr])* $field: $ty),* }
    };
}

#[test]
fn records_that_differ_fail_the_check_naming_the_field() {
    if common::components_refused() {
        return;
    }
    record!(Swapped { y: i32, x: i32 });
    let msg = check_error::<(Swapped,), (Point<i32>,)>("swap");
    assert!(msg.contains("parameters"), "{msg}");
    assert!(
        msg.contains("expected record field named y, found x"),
        "{msg}"
    );

    record!(Labelled { x: i32, y: String });
    let msg = check_error::<(Point<i32>,), (Labelled,)>("swap");
    assert!(msg.contains("results"), "{msg}");
    assert!(msg.contains("type mismatch for field y"), "{msg}");
    assert!(msg.contains("expected string, found"), "{msg}");

    // Generic over the wrong type: the field that differs first is named.
    let msg = check_error::<(Point<u32>,), (Point<i32>,)>("swap");
    assert!(msg.contains("type mismatch for field x"), "{msg}");

    record!(Renamed {
        x: i32,
        #[component(name = "why")]
        y: i32
    });
    let msg = check_error::<(Renamed,), (Renamed,)>("swap");
    assert!(
        msg.contains("expected record field named why, found y"),
        "{msg}"
    );

    record!(Short { x: i32 });
    let msg = check_error::<(Short,), (Short,)>("swap");
    assert!(
        msg.contains("expected record of 1 fields, found 2 fields"),
        "{msg}"
    );
    assert!(msg.contains("`x`, `y`"), "{msg}");

    record!(Long {
        x: i32,
        y: i32,
        z: i32
    });
    let msg = check_error::<(Long,), (Long,)>("swap");
    assert!(
        msg.contains("expected record of 3 fields, found 2 fields"),
        "{msg}"
    );

    // A nested record's field is named with the field that holds it.
    record!(OtherMeta { id: u64, note: Option<u32> });
    record!(Outer {
        name: String, tags: Vec<String>, at: Option<Point<i32>>, shape: Shape, color: Color,
        perms: Perms, scores: Vec<Option<u32>>, meta: OtherMeta
    });
    let msg = check_error::<(Outer,), (Item,)>("roundtrip");
    assert!(msg.contains("type mismatch for field meta"), "{msg}");
    assert!(msg.contains("type mismatch for field note"), "{msg}");

    // A record where the component has flags.
    let msg = check_error::<(Point<i32>,), (Perms,)>("invert");
    assert!(msg.contains("expected `record` found `flags`"), "{msg}");
}

#[test]
fn variants_enums_and_flags_that_differ_fail_the_check() {
    if common::components_refused() {
        return;
    }
    #[derive(ComponentType, Lift, Lower, Debug)]
    #[component(variant)]
    #[allow(dead_code)]
    enum Unnamed {
        Circle(f32),
        Square(u32),
        None,
    }
    let msg = check_error::<(Unnamed,), (Shape,)>("same-shape");
    assert!(
        msg.contains("expected variant case named Circle, found circle"),
        "{msg}"
    );

    #[derive(ComponentType, Lift, Lower, Debug)]
    #[component(variant)]
    #[allow(dead_code)]
    enum WrongPayload {
        #[component(name = "circle")]
        Circle(f64),
        #[component(name = "square")]
        Square(u32),
        #[component(name = "none")]
        Nothing,
    }
    let msg = check_error::<(WrongPayload,), (Shape,)>("same-shape");
    assert!(msg.contains("type mismatch for case circle"), "{msg}");

    #[derive(ComponentType, Lift, Lower, Debug)]
    #[component(variant)]
    #[allow(dead_code)]
    enum ExtraPayload {
        #[component(name = "circle")]
        Circle(f32),
        #[component(name = "square")]
        Square(u32),
        #[component(name = "none")]
        Nothing(u8),
    }
    let msg = check_error::<(ExtraPayload,), (Shape,)>("same-shape");
    assert!(
        msg.contains("case `none` has no type but one was expected"),
        "{msg}"
    );

    #[derive(ComponentType, Lift, Lower, Debug)]
    #[component(variant)]
    #[allow(dead_code)]
    enum TwoCases {
        #[component(name = "circle")]
        Circle(f32),
        #[component(name = "square")]
        Square(u32),
    }
    let msg = check_error::<(TwoCases,), (Shape,)>("same-shape");
    assert!(
        msg.contains("expected variant of 2 cases, found 3 cases"),
        "{msg}"
    );

    #[derive(ComponentType, Lift, Lower, Debug)]
    #[component(enum)]
    #[allow(dead_code)]
    enum Reordered {
        #[component(name = "red")]
        Red,
        #[component(name = "blue")]
        Blue,
        #[component(name = "green")]
        Green,
    }
    let msg = check_error::<(Reordered,), (Color,)>("next");
    assert!(
        msg.contains("expected enum case named blue, found green"),
        "{msg}"
    );

    flags! {
        Abbreviated {
            #[component(name = "read")]
            const R;
            #[component(name = "write")]
            const W;
            #[component(name = "x")]
            const X;
        }
    }
    let msg = check_error::<(Abbreviated,), (Perms,)>("invert");
    assert!(msg.contains("expected flag named x, found exec"), "{msg}");

    flags! {
        TwoFlags {
            #[component(name = "read")]
            const R;
            #[component(name = "write")]
            const W;
        }
    }
    let msg = check_error::<(Perms,), (TwoFlags,)>("invert");
    assert!(
        msg.contains("expected flags type with 2 names, found 3 names"),
        "{msg}"
    );

    let msg = check_error::<(Color,), (Color,)>("invert");
    assert!(msg.contains("expected `enum` found `flags`"), "{msg}");
}

/// A value of the wrong shape is an error from `Lift`, never a panic
/// (`TypedFunc` checks types first, so only direct use can pass one).
#[test]
fn lift_of_values_of_another_shape_is_an_error() {
    fn mismatch<T: Lift + std::fmt::Debug>(val: Val, needle: &str) {
        let err = T::from_val(val).expect_err("a value of another shape");
        assert!(
            matches!(
                err.downcast_ref::<ErrorKind>(),
                Some(ErrorKind::TypeMismatch(_))
            ),
            "{err:?}"
        );
        let msg = format!("{err:#}");
        assert!(msg.contains(needle), "{msg} should contain {needle}");
    }
    let field = |name: &str, val: Val| (name.to_string(), val);
    mismatch::<Point<i32>>(Val::U32(1), "expected a record value");
    mismatch::<Point<i32>>(
        Val::Record(vec![field("x", Val::S32(1))]),
        "with fields `x`, `y`, found fields `x`",
    );
    mismatch::<Point<i32>>(
        Val::Record(vec![field("y", Val::S32(1)), field("x", Val::S32(2))]),
        "found fields `y`, `x`",
    );
    mismatch::<Point<i32>>(
        Val::Record(vec![field("x", Val::S32(1)), field("y", Val::U8(2))]),
        "type mismatch for record field `y`",
    );
    mismatch::<Shape>(Val::Enum("circle".into()), "expected a variant value");
    mismatch::<Shape>(
        Val::Variant("oval".into(), None),
        "unknown variant case `oval`",
    );
    mismatch::<Shape>(Val::Variant("circle".into(), None), "has no payload");
    mismatch::<Shape>(
        Val::Variant("none".into(), Some(Box::new(Val::U8(1)))),
        "has a payload",
    );
    mismatch::<Shape>(
        Val::Variant("square".into(), Some(Box::new(Val::Float32(1.0)))),
        "type mismatch for variant case `square`",
    );
    mismatch::<Color>(Val::Enum("purple".into()), "unknown enum case `purple`");
    mismatch::<Color>(Val::Variant("red".into(), None), "expected an enum value");
    mismatch::<Perms>(
        Val::Flags(vec!["read".into(), "admin".into()]),
        "unknown flag `admin`",
    );
    mismatch::<Perms>(Val::Enum("read".into()), "expected a flags value");

    // And the right shapes lift.
    let point = Val::Record(vec![field("x", Val::S32(-1)), field("y", Val::S32(9))]);
    assert_eq!(
        Point::<i32>::from_val(point).unwrap(),
        Point { x: -1, y: 9 }
    );
    assert_eq!(
        Color::from_val(Val::Enum("blue".into())).unwrap(),
        Color::Blue
    );
}

/// Flags go through untyped calls as `Val::Flags` (the names of the set
/// flags) and convert to and from the `flags!` type.
#[test]
fn flags_values_in_untyped_calls() {
    if common::components_refused() {
        return;
    }
    let (mut store, instance) = setup();
    let invert = instance.get_func(&mut store, "invert").expect("exported");
    let mut out = [Val::Bool(false)];
    invert
        .call(&mut store, &[Val::Flags(vec!["read".into()])], &mut out)
        .unwrap();
    assert_eq!(out[0], Val::Flags(vec!["write".into(), "exec".into()]));
    assert_eq!(
        Perms::from_val(out[0].clone()).unwrap(),
        Perms::WRITE | Perms::EXEC
    );

    let arg = (Perms::READ | Perms::EXEC).to_val();
    assert_eq!(arg, Val::Flags(vec!["read".into(), "exec".into()]));
    invert.call(&mut store, &[arg], &mut out).unwrap();
    assert_eq!(Perms::from_val(out[0].clone()).unwrap(), Perms::WRITE);

    invert
        .call(&mut store, &[Val::Flags(vec![])], &mut out)
        .unwrap();
    assert_eq!(Perms::from_val(out[0].clone()).unwrap(), Perms::all());

    // A name the type lacks is refused by the call, not the process.
    let err = invert
        .call(&mut store, &[Val::Flags(vec!["admin".into()])], &mut out)
        .expect_err("an unknown flag");
    assert!(format!("{err:#}").contains("admin"), "{err:#}");
}

flags! {
    // 40 flags: two words.
    Wide {
        const F0; const F1; const F2; const F3; const F4; const F5; const F6; const F7;
        const F8; const F9; const F10; const F11; const F12; const F13; const F14; const F15;
        const F16; const F17; const F18; const F19; const F20; const F21; const F22; const F23;
        const F24; const F25; const F26; const F27; const F28; const F29; const F30; const F31;
        const F32; const F33; const F34; const F35; const F36; const F37; const F38;
        #[component(name = "last-one")]
        const LAST;
    }
}

flags! {
    NoFlags {}
}

#[test]
fn flags_types_behave_as_the_crates() {
    let some = Wide::F0 | Wide::F31 | Wide::F32 | Wide::LAST;
    assert_eq!(some.as_array(), [1 | 1 << 31, 1 | 1 << 7]);
    // As the crate's, `all` and `!` set every bit of the storage (u8 for up
    // to 8 flags, u16 to 16, u32s beyond); `==` looks at the flags' bits.
    assert_eq!(Wide::all().as_array(), [u32::MAX, u32::MAX]);
    assert_eq!((!some).as_array(), [!(1 | 1 << 31), !(1 | 1 << 7)]);
    assert_eq!(Perms::all().as_array(), [0xff]);
    assert_eq!((!Perms::READ).as_array(), [0xfe]);
    assert_eq!(!Perms::READ, Perms::WRITE | Perms::EXEC);
    assert_eq!(format!("{:?}", !Perms::READ), "(WRITE|EXEC)");
    assert_eq!(
        (!Perms::READ).to_val(),
        (Perms::WRITE | Perms::EXEC).to_val()
    );
    assert_eq!(!!some, some);
    assert_eq!(some & Wide::F32, Wide::F32);
    assert_eq!(some ^ some, Wide::empty());
    let mut acc = Wide::empty();
    acc |= Wide::F5;
    acc ^= Wide::F6;
    acc &= Wide::F5 | Wide::F7;
    assert_eq!(acc, Wide::F5);
    assert!(some.contains(Wide::F31 | Wide::LAST) && !some.contains(Wide::F1 | Wide::F0));
    assert!(some.intersects(Wide::F1 | Wide::F0) && !some.intersects(Wide::F1));
    assert_eq!(format!("{some:?}"), "(F0|F31|F32|LAST)");
    assert_eq!(format!("{:?}", Wide::empty()), "()");
    assert_eq!(Wide::default(), Wide::empty());

    let val = some.to_val();
    assert_eq!(
        val,
        Val::Flags(["F0", "F31", "F32", "last-one"].map(String::from).to_vec())
    );
    assert_eq!(Wide::from_val(val).unwrap(), some);

    assert_eq!(NoFlags::all(), NoFlags::empty());
    assert_eq!(NoFlags::all().as_array(), [0u32; 0]);
    assert_eq!(format!("{:?}", NoFlags::all()), "()");
    assert_eq!(NoFlags::empty().to_val(), Val::Flags(vec![]));
}

/// `#[component(wasmtime_crate = path)]` names the crate for a program that
/// renamed it.
#[test]
fn the_crate_path_can_be_given() {
    if common::components_refused() {
        return;
    }
    mod renamed {
        pub use wasmtime_dyn as wt;
    }
    #[derive(ComponentType, Lift, Lower, Debug, PartialEq)]
    #[component(record)]
    #[component(wasmtime_crate = renamed::wt)]
    struct P {
        x: i32,
        y: i32,
    }
    let (mut store, instance) = setup();
    let swap = instance
        .get_typed_func::<(P,), (P,)>(&mut store, "swap")
        .unwrap();
    assert_eq!(
        swap.call(&mut store, (P { x: 1, y: 2 },)).unwrap(),
        (P { x: 2, y: 1 },)
    );
}
