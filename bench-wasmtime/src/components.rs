//! The wasmtime crate's side of the component benchmarks, included (by
//! `#[path]`) by `benches/components.rs` and `src/bin/ccount-wasmtime.rs`:
//! the component of `benches/components.wat` instantiated with
//! `Engine::default()`, the same arguments as wasmtime-dyn's side
//! (`benches/common/components.rs`), and `Point`, the record type, derived
//! as the crate's users write it.

#![allow(dead_code)]

use wasmtime::component::{Component, ComponentType, Func, Lift, Linker, Lower, TypedFunc, Val};
use wasmtime::{Engine, Store};

/// The component every variant calls.
pub const WAT: &str = include_str!("../../benches/components.wat");

/// The string `echo` is called with: 32 bytes, ASCII.
pub const TEXT: &str = "hello from the component benches";

/// The number of `u32`s `list-echo` is called with.
pub const LIST_LEN: u32 = 1_000;

/// The list `list-echo` is called with: `0..LIST_LEN`.
pub fn list() -> Vec<u32> {
    (0..LIST_LEN).collect()
}

/// The component's `point` record.
#[derive(ComponentType, Lift, Lower, Debug, Clone, Copy, PartialEq)]
#[component(record)]
pub struct Point {
    pub x: f64,
    pub y: f64,
    pub id: u32,
    pub ok: bool,
}

/// The point `point-echo` is called with.
pub const POINT: Point = Point {
    x: 1.5,
    y: -2.25,
    id: 7,
    ok: true,
};

/// `POINT` as a dynamic value.
pub fn point_val() -> Val {
    Val::Record(vec![
        ("x".into(), Val::Float64(POINT.x)),
        ("y".into(), Val::Float64(POINT.y)),
        ("id".into(), Val::U32(POINT.id)),
        ("ok".into(), Val::Bool(POINT.ok)),
    ])
}

/// One store holding one instance of the component, with its functions.
pub struct Components {
    pub store: Store<()>,
    pub echo: TypedFunc<(&'static str,), (String,)>,
    pub list_echo: TypedFunc<(&'static [u32],), (Vec<u32>,)>,
    pub point_echo: TypedFunc<(Point,), (Point,)>,
    pub echo_dyn: Func,
    pub list_echo_dyn: Func,
    pub point_echo_dyn: Func,
}

impl Components {
    pub fn new() -> Components {
        let engine = Engine::default();
        let component = Component::new(&engine, WAT).expect("compiling the component");
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &component)
            .expect("instantiating the component");
        let mut func = |name: &str| {
            instance
                .get_func(&mut store, name)
                .unwrap_or_else(|| panic!("{name} is exported"))
        };
        let echo_dyn = func("echo");
        let list_echo_dyn = func("list-echo");
        let point_echo_dyn = func("point-echo");
        Components {
            echo: echo_dyn.typed(&store).expect("echo's type"),
            list_echo: list_echo_dyn.typed(&store).expect("list-echo's type"),
            point_echo: point_echo_dyn.typed(&store).expect("point-echo's type"),
            echo_dyn,
            list_echo_dyn,
            point_echo_dyn,
            store,
        }
    }

    /// Calls each function once both ways and checks what comes back.
    pub fn check(&mut self, list: &'static [u32]) {
        let s = &mut self.store;
        assert_eq!(self.echo.call(&mut *s, (TEXT,)).unwrap().0, TEXT);
        assert_eq!(self.list_echo.call(&mut *s, (list,)).unwrap().0, list);
        assert_eq!(self.point_echo.call(&mut *s, (POINT,)).unwrap().0, POINT);
        let mut out = [Val::Bool(false)];
        let text = [Val::String(TEXT.into())];
        self.echo_dyn.call(&mut *s, &text, &mut out).unwrap();
        assert_eq!(out[0], text[0]);
        let l = [Val::List(list.iter().map(|v| Val::U32(*v)).collect())];
        self.list_echo_dyn.call(&mut *s, &l, &mut out).unwrap();
        assert_eq!(out[0], l[0]);
        let p = [point_val()];
        self.point_echo_dyn.call(&mut *s, &p, &mut out).unwrap();
        assert_eq!(out[0], p[0]);
    }
}
