//! Program 16: typed component calls whose parameter and result types are
//! Rust types bound to component types with `#[derive(ComponentType, Lift,
//! Lower)]` (records, variants, enums, with renamed fields and cases) and
//! `flags!`; a nested record and a list of them round-tripped, values
//! changed by the component, and the typecheck errors of a record whose
//! fields differ.
//! Written against the `wasmtime` crate 48 (also built and run against the
//! real `wasmtime` 48.0.0 crate in a scratch crate outside the repository).
use wasmtime::component::{flags, Component, ComponentType, Lift, Linker, Lower};
use wasmtime::*;

const WAT: &str = r#"
(component
  (type $perms' (flags "read" "write" "exec"))
  (export $perms "perms" (type $perms'))
  (type $color' (enum "red" "green" "blue"))
  (export $color "color" (type $color'))
  (type $shape' (variant (case "circle" f32) (case "square" u32) (case "none")))
  (export $shape "shape" (type $shape'))
  (type $point' (record (field "x" s32) (field "y" s32)))
  (export $point "point" (type $point'))
  (type $meta' (record (field "id" u64) (field "note" (option string))))
  (export $meta "meta" (type $meta'))
  ;; 17 flat values: passed and returned through memory.
  (type $item' (record
    (field "name" string) (field "tags" (list string)) (field "at" (option $point))
    (field "shape" $shape) (field "color" $color) (field "perms" $perms)
    (field "scores" (list (option u32))) (field "meta" $meta)))
  (export $item "item" (type $item'))

  (core module $Libc
    (memory (export "memory") 16)
    (global $next (mut i32) (i32.const 1024))
    ;; A bump allocator that starts over at 1024 when the memory is full:
    ;; what one call allocates is dead once the host has read its result.
    (func (export "realloc") (param i32 i32) (param $align i32) (param $size i32) (result i32)
      (local $p i32)
      global.get $next
      local.get $size
      i32.add
      i32.const 1048000
      i32.gt_u
      if
        i32.const 1024
        global.set $next
      end
      global.get $next
      local.get $align
      i32.const 1
      i32.sub
      i32.add
      i32.const 0
      local.get $align
      i32.sub
      i32.and
      local.tee $p
      local.get $size
      i32.add
      global.set $next
      local.get $p))
  (core instance $libc (instantiate $Libc))
  (alias core export $libc "memory" (core memory $mem))
  (alias core export $libc "realloc" (core func $realloc))

  (core module $Main
    (import "libc" "memory" (memory 1))
    (func (export "id") (param i32) (result i32) local.get 0)
    ;; A value of two flat words returned through memory, as is or swapped.
    (func (export "id2") (param i32 i32) (result i32)
      i32.const 48
      local.get 0
      i32.store
      i32.const 52
      local.get 1
      i32.store
      i32.const 48)
    (func (export "swap") (param i32 i32) (result i32)
      i32.const 48
      local.get 1
      i32.store
      i32.const 52
      local.get 0
      i32.store
      i32.const 48)
    ;; Flags: every bit of three flipped.
    (func (export "invert") (param i32) (result i32)
      local.get 0
      i32.const 7
      i32.xor)
    ;; Enum: the next case of three.
    (func (export "next") (param i32) (result i32)
      local.get 0
      i32.const 1
      i32.add
      i32.const 3
      i32.rem_u))
  (core instance $main (instantiate $Main (with "libc" (instance $libc))))

  (func (export "roundtrip") (param "x" $item) (result $item)
    (canon lift (core func $main "id") (memory $mem) (realloc $realloc)))
  (func (export "roundtrip-all") (param "x" (list $item)) (result (list $item))
    (canon lift (core func $main "id2") (memory $mem) (realloc $realloc)))
  (func (export "swap") (param "p" $point) (result $point)
    (canon lift (core func $main "swap") (memory $mem)))
  (func (export "same-shape") (param "s" $shape) (result $shape)
    (canon lift (core func $main "id2") (memory $mem)))
  (func (export "invert") (param "p" $perms) (result $perms)
    (canon lift (core func $main "invert")))
  (func (export "next") (param "c" $color) (result $color)
    (canon lift (core func $main "next")))
)
"#;

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

#[derive(ComponentType, Lift, Lower, Debug, Clone, Copy, PartialEq)]
#[component(record)]
struct Point {
    x: i32,
    y: i32,
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
    at: Option<Point>,
    shape: Shape,
    color: Color,
    perms: Perms,
    scores: Vec<Option<u32>>,
    meta: Meta,
}

/// `point` with its fields in the wrong order.
#[derive(ComponentType, Lift, Lower, Debug)]
#[component(record)]
struct Swapped {
    y: i32,
    x: i32,
}

/// `point` with a field of the wrong type.
#[derive(ComponentType, Lift, Lower, Debug)]
#[component(record)]
struct Labelled {
    x: i32,
    y: String,
}

fn main() -> Result<()> {
    let engine = Engine::default();
    let component = Component::new(&engine, WAT)?;
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut store, &component)?;

    // A record: the component swaps the two fields.
    let swap = instance.get_typed_func::<(Point,), (Point,)>(&mut store, "swap")?;
    let (p,) = swap.call(&mut store, (Point { x: 3, y: -4 },))?;
    assert_eq!(p, Point { x: -4, y: 3 });

    // Flags: the component flips all three.
    let invert = instance.get_typed_func::<(Perms,), (Perms,)>(&mut store, "invert")?;
    let (perms,) = invert.call(&mut store, (Perms::READ,))?;
    assert_eq!(perms, Perms::WRITE | Perms::EXEC);
    assert!(perms.contains(Perms::EXEC) && !perms.intersects(Perms::READ));
    assert_eq!(format!("{perms:?}"), "(WRITE|EXEC)");
    let (none,) = invert.call(&mut store, (Perms::all(),))?;
    assert_eq!(none, Perms::empty());
    let mut rw = Perms::READ;
    rw |= Perms::WRITE;
    assert_eq!(rw ^ Perms::all(), Perms::EXEC);
    assert_eq!(!rw & Perms::all(), Perms::EXEC);

    // An enum: the component returns the next case.
    let next = instance.get_typed_func::<(Color,), (Color,)>(&mut store, "next")?;
    let mut colors = vec![Color::Red];
    for _ in 0..3 {
        let (c,) = next.call(&mut store, (*colors.last().unwrap(),))?;
        colors.push(c);
    }
    assert_eq!(colors, [Color::Red, Color::Green, Color::Blue, Color::Red]);

    // A variant, each case.
    let same = instance.get_typed_func::<(Shape,), (Shape,)>(&mut store, "same-shape")?;
    for shape in [Shape::Circle(1.5), Shape::Square(7), Shape::Nothing] {
        let (back,) = same.call(&mut store, (shape.clone(),))?;
        assert_eq!(back, shape);
    }

    // A record of strings, lists, options, a variant, an enum, flags and
    // a nested record, alone and in a list.
    let item = Item {
        name: "first".to_string(),
        tags: vec!["a".to_string(), "bc".to_string(), String::new()],
        at: Some(Point { x: -1, y: 2 }),
        shape: Shape::Circle(-0.25),
        color: Color::Blue,
        perms: Perms::READ | Perms::EXEC,
        scores: vec![Some(1), None, Some(u32::MAX)],
        meta: Meta {
            identifier: u64::MAX - 1,
            note: Some("ünïcödé".to_string()),
        },
    };
    let roundtrip = instance.get_typed_func::<(Item,), (Item,)>(&mut store, "roundtrip")?;
    let (back,) = roundtrip.call(&mut store, (item.clone(),))?;
    assert_eq!(back, item);

    let other = Item {
        name: "second".to_string(),
        tags: Vec::new(),
        at: None,
        shape: Shape::Nothing,
        color: Color::Red,
        perms: Perms::empty(),
        scores: Vec::new(),
        meta: Meta {
            identifier: 0,
            note: None,
        },
    };
    let all = instance.get_typed_func::<(Vec<Item>,), (Vec<Item>,)>(&mut store, "roundtrip-all")?;
    let items = vec![item, other.clone(), other];
    let (back,) = all.call(&mut store, (items.clone(),))?;
    assert_eq!(back, items);

    // Records whose fields differ from the component's are refused when the
    // typed function is made, naming the field.
    let Err(err) = instance.get_typed_func::<(Swapped,), (Swapped,)>(&mut store, "swap") else {
        bail!("a record with its fields in the wrong order was accepted");
    };
    println!("swapped fields: {err:?}");
    assert!(format!("{err:?}").contains("expected record field named y, found x"));
    let Err(err) = instance.get_typed_func::<(Labelled,), (Labelled,)>(&mut store, "swap") else {
        bail!("a record with a field of the wrong type was accepted");
    };
    println!("a field of another type: {err:?}");
    assert!(format!("{err:?}").contains("type mismatch for field y"));

    println!("done");
    Ok(())
}
