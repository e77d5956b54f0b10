//! wasmtime-dyn's side of the component benchmarks, shared by the criterion
//! bench (`benches/components.rs`) and the callgrind driver `ccount`
//! (`benches/static-c/src/bin/ccount.rs`): the component of
//! `benches/components.wat` instantiated on the full library, the
//! arguments every variant passes, and `Point`, the record type.
//!
//! The wasmtime crate's side (`bench-wasmtime/src/components.rs`) passes
//! the same arguments.

#![allow(dead_code)]

use wasmtime_dyn::component::types::Type;
use wasmtime_dyn::component::{
    Component, ComponentType, Func, Instance, Lift, Linker, Lower, TypedFunc, Val,
};
use wasmtime_dyn::{Engine, Result, Store, Wasmtime};

/// The component every variant calls.
pub const WAT: &str = include_str!("../components.wat");

/// The string `echo` is called with: 32 bytes, ASCII.
pub const TEXT: &str = "hello from the component benches";

/// The number of `u32`s `list-echo` is called with.
pub const LIST_LEN: u32 = 1_000;

/// The list `list-echo` is called with: `0..LIST_LEN`.
pub fn list() -> Vec<u32> {
    (0..LIST_LEN).collect()
}

/// The component's `point` record. Written out by hand here: the traits'
/// derive is not in this crate yet.
#[derive(Debug, Clone, Copy, PartialEq)]
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

const FIELDS: [&str; 4] = ["x", "y", "id", "ok"];

impl ComponentType for Point {
    fn typecheck(ty: &Type) -> Result<()> {
        let Type::Record(r) = ty else {
            wasmtime_dyn::bail!("expected a record, found {ty:?}")
        };
        let fields: Vec<_> = r.fields().collect();
        if fields.len() != FIELDS.len() {
            wasmtime_dyn::bail!("expected 4 fields, found {}", fields.len());
        }
        for (f, name) in fields.iter().zip(FIELDS) {
            if f.name != name {
                wasmtime_dyn::bail!("expected field {name}, found {}", f.name);
            }
        }
        f64::typecheck(&fields[0].ty)?;
        f64::typecheck(&fields[1].ty)?;
        u32::typecheck(&fields[2].ty)?;
        bool::typecheck(&fields[3].ty)
    }
}

impl Lower for Point {
    fn to_val(&self) -> Val {
        Val::Record(vec![
            ("x".into(), Val::Float64(self.x)),
            ("y".into(), Val::Float64(self.y)),
            ("id".into(), Val::U32(self.id)),
            ("ok".into(), Val::Bool(self.ok)),
        ])
    }
}

impl Lift for Point {
    fn from_val(val: Val) -> Result<Self> {
        match val {
            Val::Record(fields) => match fields.as_slice() {
                [(_, Val::Float64(x)), (_, Val::Float64(y)), (_, Val::U32(id)), (_, Val::Bool(ok))] => {
                    Ok(Point {
                        x: *x,
                        y: *y,
                        id: *id,
                        ok: *ok,
                    })
                }
                other => wasmtime_dyn::bail!("not a point: {other:?}"),
            },
            other => wasmtime_dyn::bail!("not a record: {other:?}"),
        }
    }
}

/// `Point` as a dynamic value.
pub fn point_val() -> Val {
    POINT.to_val()
}

/// One store holding one instance of the component, with its functions.
pub struct Components {
    pub store: Store<()>,
    pub instance: Instance,
    pub echo: TypedFunc<(&'static str,), (String,)>,
    pub list_echo: TypedFunc<(&'static [u32],), (Vec<u32>,)>,
    pub point_echo: TypedFunc<(Point,), (Point,)>,
    pub echo_dyn: Func,
    pub list_echo_dyn: Func,
    pub point_echo_dyn: Func,
}

impl Components {
    pub fn new(wasmtime: &'static Wasmtime) -> Components {
        let engine = Engine::default_for(wasmtime).expect("an engine");
        let component = Component::new(&engine, WAT).expect("compiling the component");
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &component)
            .expect("instantiating the component");
        let func = |store: &mut Store<()>, name: &str| {
            instance
                .get_func(&mut *store, name)
                .unwrap_or_else(|| panic!("{name} is exported"))
        };
        let echo_dyn = func(&mut store, "echo");
        let list_echo_dyn = func(&mut store, "list-echo");
        let point_echo_dyn = func(&mut store, "point-echo");
        Components {
            echo: echo_dyn.typed(&store).expect("echo's type"),
            list_echo: list_echo_dyn.typed(&store).expect("list-echo's type"),
            point_echo: point_echo_dyn.typed(&store).expect("point-echo's type"),
            echo_dyn,
            list_echo_dyn,
            point_echo_dyn,
            store,
            instance,
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
