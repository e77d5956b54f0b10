//! The component-model macros of [wasmtime-dyn](https://docs.rs/wasmtime-dyn),
//! used through `wasmtime_dyn::component`: `#[derive(ComponentType, Lift,
//! Lower)]` binds a Rust `struct` or `enum` to a component `record`,
//! `variant` or `enum`, and `flags!` defines a Rust type for a component
//! `flags` type, with the syntax and attributes of the `wasmtime` crate's
//! macros of the same names.
//!
//! The generated impls convert through `wasmtime_dyn::component::Val` (the
//! C API passes every component value as a value tree) and name the crate
//! `wasmtime_dyn`; a program that renamed the dependency says which path
//! to use with `#[component(wasmtime_crate = path)]`, as with the
//! `wasmtime` crate.

mod attrs;
mod derive;
mod flags;
#[cfg(test)]
mod tests;

use syn::{parse_macro_input, DeriveInput, Error};

fn derive(which: derive::Trait, input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    derive::expand(which, &parse_macro_input!(input as DeriveInput))
        .unwrap_or_else(Error::into_compile_error)
        .into()
}

/// Implements `ComponentType` for a `struct` or `enum`: the check that a
/// component type is the `record`, `variant` or `enum` it stands for, as
/// the `wasmtime` crate's `#[derive(ComponentType)]`.
///
/// A `#[component(...)]` attribute on the item says which:
///
/// - `#[component(record)]` on a `struct` with named fields: a `record`
///   with fields of the same names (or the names given with
///   `#[component(name = "...")]`), in the same order.
/// - `#[component(variant)]` on an `enum` whose variants have no field or
///   one unnamed one: a `variant` whose cases have the same names (or
///   renames), order and payloads.
/// - `#[component(enum)]` on an `enum` of unit variants: an `enum` with the
///   same case names (or renames) in the same order. (The `wasmtime` crate
///   also asks for `#[repr(u8)]` there; it is accepted and not needed.)
///
/// Names are compared as written: a Rust `UpperCamelCase` case needs a
/// `#[component(name = "kebab-case")]` to match WIT's usual names.
/// `#[component(wasmtime_crate = path)]` names the `wasmtime_dyn` crate
/// for a program that renamed it.
///
/// The check runs when a `TypedFunc` is made
/// (`Instance::get_typed_func`, `Func::typed`): a type that differs fails
/// there with `ErrorKind::TypeMismatch`, whose context names the field or
/// case.
///
/// ```
/// use wasmtime_dyn::component::{ComponentType, Lift, Lower};
///
/// #[derive(ComponentType, Lift, Lower, Debug, PartialEq)]
/// #[component(record)]
/// struct Point {
///     x: i32,
///     y: i32,
/// }
///
/// #[derive(ComponentType, Lift, Lower, Debug, PartialEq)]
/// #[component(variant)]
/// enum Shape {
///     #[component(name = "circle")]
///     Circle(f32),
///     #[component(name = "polygon")]
///     Polygon(Vec<Point>),
///     #[component(name = "empty")]
///     Empty,
/// }
///
/// #[derive(ComponentType, Lift, Lower, Debug, Clone, Copy, PartialEq)]
/// #[component(enum)]
/// #[repr(u8)]
/// enum Color {
///     #[component(name = "red")]
///     Red,
///     #[component(name = "dark-green")]
///     DarkGreen,
/// }
///
/// // A component export `draw: func(s: shape, c: color) -> list<point>`.
/// use wasmtime_dyn::component::{Instance, TypedFunc};
/// fn draw(
///     instance: &Instance,
///     store: &mut wasmtime_dyn::Store<()>,
/// ) -> wasmtime_dyn::Result<TypedFunc<(Shape, Color), (Vec<Point>,)>> {
///     instance.get_typed_func(store, "draw")
/// }
/// ```
#[proc_macro_derive(ComponentType, attributes(component))]
pub fn component_type(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    derive(derive::Trait::ComponentType, input)
}

/// Implements `Lift` (receiving values from a component) for a `struct` or
/// `enum` with `#[derive(ComponentType)]`, as the `wasmtime` crate's
/// `#[derive(Lift)]`. It reads the same `#[component(...)]` attributes.
///
/// A value of another shape (which a checked `TypedFunc` never passes)
/// is an `ErrorKind::TypeMismatch`, never a panic.
///
/// ```no_run
/// use wasmtime_dyn::component::{ComponentType, Lift};
///
/// #[derive(ComponentType, Lift, Debug, PartialEq)]
/// #[component(record)]
/// struct Entry {
///     #[component(name = "file-name")]
///     file_name: String,
///     size: Option<u64>,
/// }
///
/// # let (instance, mut store): (wasmtime_dyn::component::Instance, wasmtime_dyn::Store<()>) = unimplemented!();
/// // A component export `stat: func(path: string) -> entry`.
/// let stat = instance.get_typed_func::<(&str,), (Entry,)>(&mut store, "stat")?;
/// let (entry,) = stat.call(&mut store, ("a.txt",))?;
/// println!("{} has {:?} bytes", entry.file_name, entry.size);
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
#[proc_macro_derive(Lift, attributes(component))]
pub fn lift(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    derive(derive::Trait::Lift, input)
}

/// Implements `Lower` (passing values to a component) for a `struct` or
/// `enum` with `#[derive(ComponentType)]`, as the `wasmtime` crate's
/// `#[derive(Lower)]`. It reads the same `#[component(...)]` attributes.
///
/// ```no_run
/// use wasmtime_dyn::component::{ComponentType, Lower};
///
/// #[derive(ComponentType, Lower)]
/// #[component(variant)]
/// enum Request {
///     #[component(name = "get")]
///     Get(String),
///     #[component(name = "list")]
///     List,
/// }
///
/// # let (instance, mut store): (wasmtime_dyn::component::Instance, wasmtime_dyn::Store<()>) = unimplemented!();
/// // A component export `handle: func(r: request) -> u32`.
/// let handle = instance.get_typed_func::<(Request,), (u32,)>(&mut store, "handle")?;
/// let (status,) = handle.call(&mut store, (Request::Get("key".into()),))?;
/// let (count,) = handle.call(&mut store, (Request::List,))?;
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
#[proc_macro_derive(Lower, attributes(component))]
pub fn lower(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    derive(derive::Trait::Lower, input)
}

/// Defines a Rust type for a component `flags` type, as the `wasmtime`
/// crate's `flags!`: a `Copy` bit set with one associated constant per
/// flag, `empty()`, `all()`, `contains`, `intersects`, `as_array`, the
/// `|`, `&`, `^` and `!` operators (and their `=` forms), `PartialEq`,
/// `Eq`, `Default` (empty) and a `Debug` that lists the set flags, plus
/// `ComponentType`, `Lift` and `Lower`.
///
/// Each flag's component name is its Rust name, or the one given with
/// `#[component(name = "...")]`; the flags are in the component type's
/// order.
///
/// ```
/// use wasmtime_dyn::component::flags;
///
/// flags! {
///     Permissions {
///         #[component(name = "read")]
///         const READ;
///         #[component(name = "write")]
///         const WRITE;
///         #[component(name = "execute")]
///         const EXECUTE;
///     }
/// }
///
/// let rw = Permissions::READ | Permissions::WRITE;
/// assert!(rw.contains(Permissions::READ));
/// assert!(!rw.contains(Permissions::READ | Permissions::EXECUTE));
/// assert!(rw.intersects(Permissions::WRITE | Permissions::EXECUTE));
/// assert_eq!(!rw, Permissions::EXECUTE);
/// assert_eq!(Permissions::all() & !Permissions::READ, Permissions::WRITE | Permissions::EXECUTE);
/// assert_eq!(Permissions::default(), Permissions::empty());
/// assert_eq!(format!("{rw:?}"), "(READ|WRITE)");
/// assert_eq!(rw.as_array(), [0b011]);
///
/// // A component export `check: func(p: permissions) -> permissions`.
/// use wasmtime_dyn::component::{Instance, TypedFunc};
/// fn check(
///     instance: &Instance,
///     store: &mut wasmtime_dyn::Store<()>,
/// ) -> wasmtime_dyn::Result<TypedFunc<(Permissions,), (Permissions,)>> {
///     instance.get_typed_func(store, "check")
/// }
/// ```
#[proc_macro]
pub fn flags(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    flags::expand(&parse_macro_input!(input as flags::Flags)).into()
}
