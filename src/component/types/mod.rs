//! Component types, read from the library into plain Rust values: the
//! types of values ([`Type`]), of functions ([`ComponentFunc`]), and the
//! imports and exports of components and instances ([`ComponentItem`]).
//!
//! Wasmtime 49 changed how the type getters of components and instances
//! return an item (`wasmtime_component_extern_t *` instead of a
//! `wasmtime_component_item_t`): one private reader reads both, chosen by which
//! of the two tables the library's major has
//! (`ComponentModelTypesItem`, 45 to 48; `ComponentModelTypesExtern`, 49
//! and 50), and nothing else here sees the difference.

mod items;
mod read;

pub(crate) use items::{import_names, imports_with_async_params};
pub use items::{Component, ComponentFunc, ComponentInstance, ComponentItem};

use crate::sys::tables::ComponentModel;
use crate::sys::types::*;
use std::fmt;

/// The type of a component value, as the `wasmtime` crate's
/// `wasmtime::component::Type`.
///
/// ```no_run
/// use wasmtime_dyn::component::{Component, types::Type};
/// # let component: Component = unimplemented!();
/// # let engine = component.engine().clone();
/// for (name, item) in component.component_type().exports(&engine) {
///     if let wasmtime_dyn::component::types::ComponentItem::ComponentFunc(f) = item {
///         for (param, ty) in f.params() {
///             if let Type::Record(r) = ty {
///                 println!("{name}({param}): a record of {} fields", r.fields().len());
///             }
///         }
///     }
/// }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Type {
    /// `bool`.
    Bool,
    /// `s8`.
    S8,
    /// `u8`.
    U8,
    /// `s16`.
    S16,
    /// `u16`.
    U16,
    /// `s32`.
    S32,
    /// `u32`.
    U32,
    /// `s64`.
    S64,
    /// `u64`.
    U64,
    /// `f32`.
    Float32,
    /// `f64`.
    Float64,
    /// `char`.
    Char,
    /// `string`.
    String,
    /// `list<T>`.
    List(List),
    /// `map<K, V>`.
    Map(Map),
    /// A record.
    Record(Record),
    /// A tuple.
    Tuple(Tuple),
    /// A variant.
    Variant(Variant),
    /// An enum.
    Enum(Enum),
    /// `option<T>`.
    Option(OptionType),
    /// `result<T, E>`.
    Result(ResultType),
    /// `flags`.
    Flags(Flags),
    /// `own<R>`: an owned resource handle.
    Own(ResourceType),
    /// `borrow<R>`: a borrowed resource handle.
    Borrow(ResourceType),
    /// `future<T>`.
    Future(FutureType),
    /// `stream<T>`.
    Stream(StreamType),
    /// `error-context`.
    ErrorContext,
    /// A type kind this crate does not describe (`fixed-length-list`,
    /// which no C API setting enables, reads as this): its number.
    Other(u8),
}

impl Type {
    /// Whether values of this type can hold a `future`, `stream` or
    /// `error-context`.
    pub(crate) fn mentions_async(&self) -> bool {
        match self {
            Type::Future(_) | Type::Stream(_) | Type::ErrorContext => true,
            Type::List(l) => l.ty().mentions_async(),
            Type::Option(o) => o.ty().mentions_async(),
            Type::Map(m) => m.key().mentions_async() || m.value().mentions_async(),
            Type::Record(r) => r.fields().any(|f| f.ty.mentions_async()),
            Type::Tuple(t) => t.types().any(|t| t.mentions_async()),
            Type::Variant(v) => v
                .cases()
                .any(|c| c.ty.as_ref().is_some_and(Type::mentions_async)),
            Type::Result(r) => {
                r.ok().is_some_and(|t| t.mentions_async())
                    || r.err().is_some_and(|t| t.mentions_async())
            }
            _ => false,
        }
    }
}

macro_rules! single {
    ($(#[doc = $doc:literal] $name:ident $variant:ident $method:ident)*) => {$(
        #[doc = $doc]
        ///
        /// ```
        /// # fn demo(t: &wasmtime_dyn::component::types::Type) {
        /// use wasmtime_dyn::component::types::Type;
        #[doc = concat!("if let Type::", stringify!($variant), "(inner) = t {")]
        #[doc = concat!("    println!(\"{:?}\", inner.", stringify!($method), "());")]
        /// }
        /// # }
        /// ```
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name(Box<Type>);

        impl $name {
            /// The inner type.
            pub fn $method(&self) -> Type {
                (*self.0).clone()
            }
        }
    )*};
}

/// A `list<T>` type.
///
/// ```
/// use wasmtime_dyn::component::types::Type;
/// # fn demo(t: Type) {
/// if let Type::List(list) = t {
///     println!("a list of {:?}", list.ty());
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct List(Box<Type>);

impl List {
    /// The element type.
    ///
    /// ```
    /// # fn demo(list: wasmtime_dyn::component::types::List) {
    /// println!("{:?}", list.ty());
    /// # }
    /// ```
    pub fn ty(&self) -> Type {
        (*self.0).clone()
    }
}

single! {
    /// An `option<T>` type.
    OptionType Option ty
    /// A `future<T>` type (an empty tuple for a `future` without a payload).
    FutureType Future payload_type
    /// A `stream<T>` type (an empty tuple for a `stream` without a payload).
    StreamType Stream payload_type
}

/// A `map<K, V>` type.
///
/// ```
/// # fn demo(map: wasmtime_dyn::component::types::Map) {
/// println!("{:?} -> {:?}", map.key(), map.value());
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Map(Box<(Type, Type)>);

impl Map {
    /// The key type.
    ///
    /// ```
    /// # fn demo(map: wasmtime_dyn::component::types::Map) { let _ = map.key(); }
    /// ```
    pub fn key(&self) -> Type {
        self.0 .0.clone()
    }
    /// The value type.
    ///
    /// ```
    /// # fn demo(map: wasmtime_dyn::component::types::Map) { let _ = map.value(); }
    /// ```
    pub fn value(&self) -> Type {
        self.0 .1.clone()
    }
}

/// One field of a [`Record`].
///
/// ```
/// # fn demo(r: wasmtime_dyn::component::types::Record) {
/// for field in r.fields() {
///     println!("{}: {:?}", field.name, field.ty);
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The field's name.
    pub name: String,
    /// Its type.
    pub ty: Type,
}

/// A record type.
///
/// ```
/// # fn demo(r: wasmtime_dyn::component::types::Record) {
/// let names: Vec<&str> = r.fields().map(|f| f.name.as_str()).collect();
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Record(Vec<Field>);

impl Record {
    /// The fields, in order.
    ///
    /// ```
    /// # fn demo(r: wasmtime_dyn::component::types::Record) { assert!(r.fields().len() > 0); }
    /// ```
    pub fn fields(&self) -> impl ExactSizeIterator<Item = &Field> {
        self.0.iter()
    }
}

/// A tuple type.
///
/// ```
/// # fn demo(t: wasmtime_dyn::component::types::Tuple) { let _ = t.types().count(); }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Tuple(Vec<Type>);

impl Tuple {
    pub(crate) fn new(types: Vec<Type>) -> Tuple {
        Tuple(types)
    }

    /// The element types, in order.
    ///
    /// ```
    /// # fn demo(t: wasmtime_dyn::component::types::Tuple) { for ty in t.types() { println!("{ty:?}"); } }
    /// ```
    pub fn types(&self) -> impl ExactSizeIterator<Item = Type> + '_ {
        self.0.iter().cloned()
    }
}

/// One case of a [`Variant`].
///
/// ```
/// # fn demo(v: wasmtime_dyn::component::types::Variant) {
/// for case in v.cases() {
///     println!("{} {:?}", case.name, case.ty);
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// The case's name.
    pub name: String,
    /// Its payload type, if it has one.
    pub ty: Option<Type>,
}

/// A variant type.
///
/// ```
/// # fn demo(v: wasmtime_dyn::component::types::Variant) { let _ = v.cases().len(); }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Variant(Vec<Case>);

impl Variant {
    /// The cases, in order.
    ///
    /// ```
    /// # fn demo(v: wasmtime_dyn::component::types::Variant) { let _ = v.cases().next(); }
    /// ```
    pub fn cases(&self) -> impl ExactSizeIterator<Item = &Case> {
        self.0.iter()
    }
}

/// An enum type.
///
/// ```
/// # fn demo(e: wasmtime_dyn::component::types::Enum) { let _: Vec<&str> = e.names().collect(); }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Enum(Vec<String>);

impl Enum {
    /// The case names, in order.
    ///
    /// ```
    /// # fn demo(e: wasmtime_dyn::component::types::Enum) { let _ = e.names().len(); }
    /// ```
    pub fn names(&self) -> impl ExactSizeIterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }
}

/// A `flags` type.
///
/// ```
/// # fn demo(f: wasmtime_dyn::component::types::Flags) { let _: Vec<&str> = f.names().collect(); }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Flags(Vec<String>);

impl Flags {
    /// The flag names, in order.
    ///
    /// ```
    /// # fn demo(f: wasmtime_dyn::component::types::Flags) { let _ = f.names().len(); }
    /// ```
    pub fn names(&self) -> impl ExactSizeIterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }
}

/// A `result<T, E>` type.
///
/// ```
/// # fn demo(r: wasmtime_dyn::component::types::ResultType) {
/// println!("ok {:?}, err {:?}", r.ok(), r.err());
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ResultType(Box<(Option<Type>, Option<Type>)>);

impl ResultType {
    /// The `ok` payload type, if any.
    ///
    /// ```
    /// # fn demo(r: wasmtime_dyn::component::types::ResultType) { let _ = r.ok(); }
    /// ```
    pub fn ok(&self) -> Option<Type> {
        self.0 .0.clone()
    }
    /// The `error` payload type, if any.
    ///
    /// ```
    /// # fn demo(r: wasmtime_dyn::component::types::ResultType) { let _ = r.err(); }
    /// ```
    pub fn err(&self) -> Option<Type> {
        self.0 .1.clone()
    }
}

/// A resource type, as the crate's `wasmtime::component::ResourceType`:
/// either one the library reports (an opaque handle compared with its
/// `wasmtime_component_resource_type_equal`) or the type of the host's
/// resources of a Rust type ([`ResourceType::host`]).
///
/// ```
/// use wasmtime_dyn::component::ResourceType;
/// struct Counter;
/// struct Other;
/// assert_eq!(ResourceType::host::<Counter>(), ResourceType::host::<Counter>());
/// assert_ne!(ResourceType::host::<Counter>(), ResourceType::host::<Other>());
/// ```
pub struct ResourceType(Repr);

enum Repr {
    /// A handle of the library.
    C {
        ptr: *mut wasmtime_component_resource_type_t,
        model: &'static ComponentModel,
    },
    /// The host type with this number (see [`host_type_id`]).
    Host(u32),
}

// SAFETY: an immutable, reference-counted type handle of the library
// (`Arc`-based in the C API), usable from any thread, or a number.
unsafe impl Send for ResourceType {}
// SAFETY: as above; only read.
unsafe impl Sync for ResourceType {}

/// The number the C API's host resource types (`resource_type_new_host`)
/// know the Rust type `T` by: given out once per type, in the process.
pub(crate) fn host_type_id<T: 'static>() -> u32 {
    use std::any::TypeId;
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static IDS: OnceLock<Mutex<HashMap<TypeId, u32>>> = OnceLock::new();
    let mut ids = IDS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let next = u32::try_from(ids.len()).expect("fewer than 2^32 resource types") + 1;
    *ids.entry(TypeId::of::<T>()).or_insert(next)
}

impl ResourceType {
    /// Takes an owned handle.
    pub(crate) fn from_raw(
        model: &'static ComponentModel,
        ptr: *mut wasmtime_component_resource_type_t,
    ) -> ResourceType {
        ResourceType(Repr::C { ptr, model })
    }

    /// The type of the host's resources of Rust type `T`
    /// ([`Resource<T>`](super::Resource)), for
    /// [`LinkerInstance::resource`](super::LinkerInstance::resource).
    ///
    /// ```
    /// use wasmtime_dyn::component::ResourceType;
    /// struct File;
    /// let ty = ResourceType::host::<File>();
    /// assert_eq!(ty, ty.clone());
    /// ```
    pub fn host<T: 'static>() -> ResourceType {
        ResourceType(Repr::Host(host_type_id::<T>()))
    }

    /// Runs `f` with this type as a handle of `model`'s library (a new,
    /// temporary one for a host type).
    pub(crate) fn with_c<R>(
        &self,
        model: &'static ComponentModel,
        f: impl FnOnce(*const wasmtime_component_resource_type_t) -> R,
    ) -> Option<R> {
        match self.0 {
            Repr::C { ptr, model: m } if std::ptr::eq(m, model) => Some(f(ptr)),
            // A handle of another library.
            Repr::C { .. } => None,
            Repr::Host(id) => {
                // SAFETY: a new handle, freed once after `f`.
                unsafe {
                    let ptr = (model.wasmtime_component_resource_type_new_host)(id);
                    let r = f(ptr);
                    (model.wasmtime_component_resource_type_delete)(ptr);
                    Some(r)
                }
            }
        }
    }
}

impl Clone for ResourceType {
    fn clone(&self) -> Self {
        match self.0 {
            Repr::C { ptr, model } => ResourceType(Repr::C {
                // SAFETY: a live handle; the clone is owned by the new value.
                ptr: unsafe { (model.wasmtime_component_resource_type_clone)(ptr) },
                model,
            }),
            Repr::Host(id) => ResourceType(Repr::Host(id)),
        }
    }
}

impl Drop for ResourceType {
    fn drop(&mut self) {
        if let Repr::C { ptr, model } = self.0 {
            // SAFETY: owned, freed once.
            unsafe { (model.wasmtime_component_resource_type_delete)(ptr) };
        }
    }
}

impl PartialEq for ResourceType {
    fn eq(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            (Repr::Host(a), Repr::Host(b)) => a == b,
            (Repr::C { ptr, model }, _) => other
                // SAFETY: both live handles of this library.
                .with_c(model, |theirs| unsafe {
                    (model.wasmtime_component_resource_type_equal)(*ptr, theirs)
                })
                // Handles of two libraries are never the same type.
                .unwrap_or(false),
            (Repr::Host(_), Repr::C { .. }) => other == self,
        }
    }
}

impl fmt::Debug for ResourceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Repr::Host(id) => f.debug_tuple("ResourceType::host").field(&id).finish(),
            Repr::C { .. } => f.debug_struct("ResourceType").finish_non_exhaustive(),
        }
    }
}
