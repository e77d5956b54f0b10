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

use crate::engine::Engine;
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

/// The imported functions (`instance/name` inside imported instances)
/// whose parameters mention `future`, `stream` or `error-context`: a host
/// function cannot receive those through the C API.
pub(crate) fn imports_with_async_params(ty: &Component, engine: &Engine) -> Option<String> {
    fn search(
        items: Vec<(String, ComponentItem)>,
        engine: &Engine,
        prefix: &str,
    ) -> Option<String> {
        for (name, item) in items {
            match item {
                ComponentItem::ComponentFunc(f) if f.params().any(|(_, t)| t.mentions_async()) => {
                    return Some(format!("{prefix}{name}"))
                }
                ComponentItem::ComponentInstance(i) => {
                    if let Some(found) = search(
                        i.exports(engine).collect(),
                        engine,
                        &format!("{prefix}{name}/"),
                    ) {
                        return Some(found);
                    }
                }
                _ => {}
            }
        }
        None
    }
    search(ty.imports(engine).collect(), engine, "")
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

/// A resource type: an opaque handle compared with the library's
/// `wasmtime_component_resource_type_equal`.
///
/// ```
/// # fn demo(t: wasmtime_dyn::component::types::Type) {
/// use wasmtime_dyn::component::types::Type;
/// if let (Type::Own(a), Type::Own(b)) = (t.clone(), t) {
///     assert_eq!(a, b);
/// }
/// # }
/// ```
pub struct ResourceType {
    ptr: *mut wasmtime_component_resource_type_t,
    model: &'static ComponentModel,
}

// SAFETY: an immutable, reference-counted type handle of the library
// (`Arc`-based in the C API), usable from any thread.
unsafe impl Send for ResourceType {}
// SAFETY: as above; only read.
unsafe impl Sync for ResourceType {}

impl ResourceType {
    /// Takes an owned handle.
    pub(crate) fn from_raw(
        model: &'static ComponentModel,
        ptr: *mut wasmtime_component_resource_type_t,
    ) -> ResourceType {
        ResourceType { ptr, model }
    }
}

impl Clone for ResourceType {
    fn clone(&self) -> Self {
        ResourceType {
            // SAFETY: a live handle; the clone is owned by the new value.
            ptr: unsafe { (self.model.wasmtime_component_resource_type_clone)(self.ptr) },
            model: self.model,
        }
    }
}

impl Drop for ResourceType {
    fn drop(&mut self) {
        // SAFETY: owned, freed once.
        unsafe { (self.model.wasmtime_component_resource_type_delete)(self.ptr) };
    }
}

impl PartialEq for ResourceType {
    fn eq(&self, other: &Self) -> bool {
        // Handles of two libraries are never the same type.
        std::ptr::eq(self.model, other.model)
            // SAFETY: both live handles of this library.
            && unsafe { (self.model.wasmtime_component_resource_type_equal)(self.ptr, other.ptr) }
    }
}

impl fmt::Debug for ResourceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResourceType").finish_non_exhaustive()
    }
}

/// A component function's type, as the crate's
/// `wasmtime::component::types::ComponentFunc`.
///
/// ```no_run
/// use wasmtime_dyn::component::{Func, types::Type};
/// # let (func, store): (Func, wasmtime_dyn::Store<()>) = unimplemented!();
/// let ty = func.ty(&store);
/// let names: Vec<&str> = ty.params().map(|(name, _)| name).collect();
/// assert!(ty.results().len() <= 1);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ComponentFunc {
    params: Vec<(String, Type)>,
    result: Option<Type>,
    is_async: bool,
}

impl ComponentFunc {
    /// The parameters: names and types.
    ///
    /// ```no_run
    /// # let ty: wasmtime_dyn::component::types::ComponentFunc = unimplemented!();
    /// for (name, ty) in ty.params() { println!("{name}: {ty:?}"); }
    /// ```
    pub fn params(&self) -> impl ExactSizeIterator<Item = (&str, Type)> + '_ {
        self.params.iter().map(|(n, t)| (n.as_str(), t.clone()))
    }

    /// The result types (none or one).
    ///
    /// ```no_run
    /// # let ty: wasmtime_dyn::component::types::ComponentFunc = unimplemented!();
    /// let result = ty.results().next();
    /// ```
    pub fn results(&self) -> impl ExactSizeIterator<Item = Type> + '_ {
        self.result.iter().cloned()
    }

    /// Whether the function is `async` (component-model async).
    ///
    /// ```no_run
    /// # let ty: wasmtime_dyn::component::types::ComponentFunc = unimplemented!();
    /// assert!(!ty.async_());
    /// ```
    pub fn async_(&self) -> bool {
        self.is_async
    }

    /// Reads a function type of the library (borrowed, not freed here).
    ///
    /// # Safety
    ///
    /// `ty` is a live function type of `model`'s library.
    pub(crate) unsafe fn from_c(
        model: &'static ComponentModel,
        ty: *const wasmtime_component_func_type_t,
    ) -> ComponentFunc {
        let r = Reader { model };
        // SAFETY: live (contract); every out-parameter is written by the
        // library when it returns true, and owned here.
        unsafe {
            let n = (model.wasmtime_component_func_type_param_count)(ty);
            let mut params = Vec::with_capacity(n);
            for i in 0..n {
                let mut name = std::ptr::null();
                let mut len = 0;
                let mut vt = std::mem::MaybeUninit::uninit();
                if (model.wasmtime_component_func_type_param_nth)(
                    ty,
                    i,
                    &mut name,
                    &mut len,
                    vt.as_mut_ptr(),
                ) {
                    params.push((borrowed_str(name, len), r.take(vt.as_mut_ptr())));
                }
            }
            let mut vt = std::mem::MaybeUninit::uninit();
            let result = (model.wasmtime_component_func_type_result)(ty, vt.as_mut_ptr())
                .then(|| r.take(vt.as_mut_ptr()));
            ComponentFunc {
                params,
                result,
                is_async: (model.wasmtime_component_func_type_async)(ty),
            }
        }
    }

    /// Reads and frees an owned function type.
    ///
    /// # Safety
    ///
    /// `ty` is a live, owned function type of `model`'s library.
    pub(crate) unsafe fn take(
        model: &'static ComponentModel,
        ty: *mut wasmtime_component_func_type_t,
    ) -> ComponentFunc {
        // SAFETY: the contract; freed once after reading.
        unsafe {
            let f = ComponentFunc::from_c(model, ty);
            (model.wasmtime_component_func_type_delete)(ty);
            f
        }
    }
}

/// A name the library lends (lossily decoded: names of types and items
/// are validated identifiers in Wasmtime).
///
/// # Safety
///
/// `ptr` points to `len` readable bytes, or `len` is 0.
unsafe fn borrowed_str(ptr: *const std::ffi::c_char, len: usize) -> String {
    if ptr.is_null() || len == 0 {
        return String::new();
    }
    // SAFETY: the contract.
    String::from_utf8_lossy(unsafe { std::slice::from_raw_parts(ptr.cast::<u8>(), len) })
        .into_owned()
}

/// Reads type trees.
#[derive(Clone, Copy)]
struct Reader {
    model: &'static ComponentModel,
}

impl Reader {
    /// Reads and frees an owned `valtype_t`.
    ///
    /// # Safety
    ///
    /// `vt` is a live, owned type of this library.
    unsafe fn take(&self, vt: *mut wasmtime_component_valtype_t) -> Type {
        // SAFETY: the contract; freed once after reading.
        unsafe {
            let ty = self.read(&*vt);
            (self.model.wasmtime_component_valtype_delete)(vt);
            ty
        }
    }

    /// # Safety
    ///
    /// `vt` is a live type of this library.
    unsafe fn read(&self, vt: &wasmtime_component_valtype_t) -> Type {
        let m = self.model;
        let of = &vt.of;
        let out = || std::mem::MaybeUninit::<wasmtime_component_valtype_t>::uninit();
        macro_rules! names {
            ($ptr:expr, $count:ident, $nth:ident) => {{
                let n = (m.$count)($ptr);
                let mut names = Vec::with_capacity(n);
                for i in 0..n {
                    let (mut p, mut l) = (std::ptr::null(), 0);
                    if (m.$nth)($ptr, i, &mut p, &mut l) {
                        names.push(borrowed_str(p, l));
                    }
                }
                names
            }};
        }
        // SAFETY: each arm reads the union member its kind names; every
        // out-parameter is written by the library (for the `bool` getters,
        // when they return true) and owned here.
        unsafe {
            match u32::from(vt.kind) {
                WASMTIME_COMPONENT_VALTYPE_BOOL => Type::Bool,
                WASMTIME_COMPONENT_VALTYPE_S8 => Type::S8,
                WASMTIME_COMPONENT_VALTYPE_U8 => Type::U8,
                WASMTIME_COMPONENT_VALTYPE_S16 => Type::S16,
                WASMTIME_COMPONENT_VALTYPE_U16 => Type::U16,
                WASMTIME_COMPONENT_VALTYPE_S32 => Type::S32,
                WASMTIME_COMPONENT_VALTYPE_U32 => Type::U32,
                WASMTIME_COMPONENT_VALTYPE_S64 => Type::S64,
                WASMTIME_COMPONENT_VALTYPE_U64 => Type::U64,
                WASMTIME_COMPONENT_VALTYPE_F32 => Type::Float32,
                WASMTIME_COMPONENT_VALTYPE_F64 => Type::Float64,
                WASMTIME_COMPONENT_VALTYPE_CHAR => Type::Char,
                WASMTIME_COMPONENT_VALTYPE_STRING => Type::String,
                WASMTIME_COMPONENT_VALTYPE_ERROR_CONTEXT => Type::ErrorContext,
                WASMTIME_COMPONENT_VALTYPE_LIST => {
                    let mut e = out();
                    (m.wasmtime_component_list_type_element)(of.list, e.as_mut_ptr());
                    Type::List(List(Box::new(self.take(e.as_mut_ptr()))))
                }
                WASMTIME_COMPONENT_VALTYPE_MAP => {
                    let (mut k, mut v) = (out(), out());
                    (m.wasmtime_component_map_type_key)(of.map, k.as_mut_ptr());
                    (m.wasmtime_component_map_type_value)(of.map, v.as_mut_ptr());
                    Type::Map(Map(Box::new((
                        self.take(k.as_mut_ptr()),
                        self.take(v.as_mut_ptr()),
                    ))))
                }
                WASMTIME_COMPONENT_VALTYPE_RECORD => {
                    let n = (m.wasmtime_component_record_type_field_count)(of.record);
                    let mut fields = Vec::with_capacity(n);
                    for i in 0..n {
                        let (mut p, mut l, mut t) = (std::ptr::null(), 0, out());
                        if (m.wasmtime_component_record_type_field_nth)(
                            of.record,
                            i,
                            &mut p,
                            &mut l,
                            t.as_mut_ptr(),
                        ) {
                            fields.push(Field {
                                name: borrowed_str(p, l),
                                ty: self.take(t.as_mut_ptr()),
                            });
                        }
                    }
                    Type::Record(Record(fields))
                }
                WASMTIME_COMPONENT_VALTYPE_TUPLE => {
                    let n = (m.wasmtime_component_tuple_type_types_count)(of.tuple);
                    let mut types = Vec::with_capacity(n);
                    for i in 0..n {
                        let mut t = out();
                        if (m.wasmtime_component_tuple_type_types_nth)(of.tuple, i, t.as_mut_ptr())
                        {
                            types.push(self.take(t.as_mut_ptr()));
                        }
                    }
                    Type::Tuple(Tuple(types))
                }
                WASMTIME_COMPONENT_VALTYPE_VARIANT => {
                    let n = (m.wasmtime_component_variant_type_case_count)(of.variant);
                    let mut cases = Vec::with_capacity(n);
                    for i in 0..n {
                        let (mut p, mut l, mut has, mut t) = (std::ptr::null(), 0, false, out());
                        if (m.wasmtime_component_variant_type_case_nth)(
                            of.variant,
                            i,
                            &mut p,
                            &mut l,
                            &mut has,
                            t.as_mut_ptr(),
                        ) {
                            let ty = has.then(|| self.take(t.as_mut_ptr()));
                            cases.push(Case {
                                name: borrowed_str(p, l),
                                ty,
                            });
                        }
                    }
                    Type::Variant(Variant(cases))
                }
                WASMTIME_COMPONENT_VALTYPE_ENUM => Type::Enum(Enum(names!(
                    of.enum_,
                    wasmtime_component_enum_type_names_count,
                    wasmtime_component_enum_type_names_nth
                ))),
                WASMTIME_COMPONENT_VALTYPE_FLAGS => Type::Flags(Flags(names!(
                    of.flags,
                    wasmtime_component_flags_type_names_count,
                    wasmtime_component_flags_type_names_nth
                ))),
                WASMTIME_COMPONENT_VALTYPE_OPTION => {
                    let mut t = out();
                    (m.wasmtime_component_option_type_ty)(of.option, t.as_mut_ptr());
                    Type::Option(OptionType(Box::new(self.take(t.as_mut_ptr()))))
                }
                WASMTIME_COMPONENT_VALTYPE_RESULT => {
                    let (mut ok, mut err) = (out(), out());
                    let ok = (m.wasmtime_component_result_type_ok)(of.result, ok.as_mut_ptr())
                        .then(|| self.take(ok.as_mut_ptr()));
                    let err = (m.wasmtime_component_result_type_err)(of.result, err.as_mut_ptr())
                        .then(|| self.take(err.as_mut_ptr()));
                    Type::Result(ResultType(Box::new((ok, err))))
                }
                WASMTIME_COMPONENT_VALTYPE_OWN => Type::Own(self.resource(of.own)),
                WASMTIME_COMPONENT_VALTYPE_BORROW => Type::Borrow(self.resource(of.borrow)),
                WASMTIME_COMPONENT_VALTYPE_FUTURE => {
                    let mut t = out();
                    let ty = (m.wasmtime_component_future_type_ty)(of.future, t.as_mut_ptr())
                        .then(|| self.take(t.as_mut_ptr()));
                    Type::Future(FutureType(Box::new(
                        ty.unwrap_or(Type::Tuple(Tuple(Vec::new()))),
                    )))
                }
                WASMTIME_COMPONENT_VALTYPE_STREAM => {
                    let mut t = out();
                    let ty = (m.wasmtime_component_stream_type_ty)(of.stream, t.as_mut_ptr())
                        .then(|| self.take(t.as_mut_ptr()));
                    Type::Stream(StreamType(Box::new(
                        ty.unwrap_or(Type::Tuple(Tuple(Vec::new()))),
                    )))
                }
                _ => Type::Other(vt.kind),
            }
        }
    }

    /// # Safety
    ///
    /// `ptr` is a live resource type of this library (borrowed).
    unsafe fn resource(&self, ptr: *const wasmtime_component_resource_type_t) -> ResourceType {
        ResourceType {
            // SAFETY: live (contract); the clone is owned by the value.
            ptr: unsafe { (self.model.wasmtime_component_resource_type_clone)(ptr) },
            model: self.model,
        }
    }
}

/// An import or export of a component or component instance, as the
/// crate's `wasmtime::component::types::ComponentItem`.
///
/// ```no_run
/// use wasmtime_dyn::component::{Component, types::ComponentItem};
/// # let component: Component = unimplemented!();
/// for (name, item) in component.component_type().imports(component.engine()) {
///     match item {
///         ComponentItem::ComponentFunc(f) => println!("func {name} ({} params)", f.params().len()),
///         ComponentItem::ComponentInstance(_) => println!("instance {name}"),
///         other => println!("{name}: {other:?}"),
///     }
/// }
/// ```
#[derive(Debug, Clone)]
pub enum ComponentItem {
    /// A component function.
    ComponentFunc(ComponentFunc),
    /// A core function (its type is not described here yet).
    CoreFunc,
    /// A core module (its type is not described here yet).
    Module,
    /// A component.
    Component(Component),
    /// A component instance.
    ComponentInstance(ComponentInstance),
    /// A value type.
    Type(Type),
    /// A resource type.
    Resource(ResourceType),
}

/// Which getters: imports or exports.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Imports,
    Exports,
}

/// An owned C handle of a component or instance type.
enum Handle {
    Component(*mut wasmtime_component_type_t),
    Instance(*mut wasmtime_component_instance_type_t),
}

/// The owner of a type handle: frees it, clones it.
struct Owned {
    handle: Handle,
    model: &'static ComponentModel,
}

// SAFETY: immutable type handles of the library (`Arc`-based in the C
// API), usable from any thread.
unsafe impl Send for Owned {}
// SAFETY: as above; only read.
unsafe impl Sync for Owned {}

impl Clone for Owned {
    fn clone(&self) -> Self {
        let m = self.model;
        // SAFETY: live handles; the clones are owned by the new value.
        let handle = unsafe {
            match self.handle {
                Handle::Component(p) => Handle::Component((m.wasmtime_component_type_clone)(p)),
                Handle::Instance(p) => {
                    Handle::Instance((m.wasmtime_component_instance_type_clone)(p))
                }
            }
        };
        Owned { handle, model: m }
    }
}

impl Drop for Owned {
    fn drop(&mut self) {
        let m = self.model;
        // SAFETY: owned, freed once.
        unsafe {
            match self.handle {
                Handle::Component(p) => (m.wasmtime_component_type_delete)(p),
                Handle::Instance(p) => (m.wasmtime_component_instance_type_delete)(p),
            }
        }
    }
}

impl Owned {
    /// The `(name, item)` pairs of one side.
    fn items(&self, engine: &Engine, side: Side) -> Vec<(String, ComponentItem)> {
        let m = self.model;
        let Some(getters) = Getters::of(engine) else {
            return Vec::new();
        };
        if !std::ptr::eq(getters.model, m) {
            // A type of another library than the engine's.
            return Vec::new();
        }
        // SAFETY: live handles; counts are read from the handle itself.
        let count = unsafe {
            match (&self.handle, side) {
                (Handle::Component(p), Side::Imports) => {
                    (m.wasmtime_component_type_import_count)(*p, engine.ptr())
                }
                (Handle::Component(p), Side::Exports) => {
                    (m.wasmtime_component_type_export_count)(*p, engine.ptr())
                }
                (Handle::Instance(p), Side::Exports) => {
                    (m.wasmtime_component_instance_type_export_count)(*p, engine.ptr())
                }
                (Handle::Instance(_), Side::Imports) => 0,
            }
        };
        (0..count)
            // SAFETY: `i` is below the count of a live handle.
            .filter_map(|i| unsafe { getters.nth(engine, &self.handle, side, i) })
            .collect()
    }
}

/// The six getters of the library's major, as one interface.
struct Getters {
    model: &'static ComponentModel,
    /// `Ok`: the item-writing getters of 45 to 48; `Err`: the
    /// extern-writing ones of 49 and later.
    table: std::result::Result<
        &'static crate::sys::tables::ComponentModelTypesItem,
        &'static crate::sys::tables::ComponentModelTypesExtern,
    >,
}

impl Getters {
    fn of(engine: &Engine) -> Option<Getters> {
        let tables = engine.wasmtime().tables();
        let model = tables.component_model.as_ref()?;
        let table = match (
            &tables.component_model_types_item,
            &tables.component_model_types_extern,
        ) {
            (Some(item), _) => Ok(item),
            (None, Some(ext)) => Err(ext),
            (None, None) => return None,
        };
        Some(Getters { model, table })
    }

    /// The `nth` import or export of `handle`.
    ///
    /// # Safety
    ///
    /// `handle` is live, of this library, and `nth` below its count.
    unsafe fn nth(
        &self,
        engine: &Engine,
        handle: &Handle,
        side: Side,
        nth: usize,
    ) -> Option<(String, ComponentItem)> {
        let (mut name, mut len) = (std::ptr::null(), 0usize);
        let mut item = std::mem::MaybeUninit::<wasmtime_component_item_t>::uninit();
        let e = engine.ptr();
        // SAFETY: live handles (contract); out-parameters are written when
        // the getter returns true; an extern is read into an owned item and
        // freed before its type handle can go.
        let found = unsafe {
            match self.table {
                Ok(t) => {
                    let out = item.as_mut_ptr();
                    match (handle, side) {
                        (Handle::Component(p), Side::Imports) => (t
                            .wasmtime_component_type_import_nth)(
                            *p, e, nth, &mut name, &mut len, out,
                        ),
                        (Handle::Component(p), Side::Exports) => (t
                            .wasmtime_component_type_export_nth)(
                            *p, e, nth, &mut name, &mut len, out,
                        ),
                        (Handle::Instance(p), Side::Exports) => (t
                            .wasmtime_component_instance_type_export_nth)(
                            *p, e, nth, &mut name, &mut len, out,
                        ),
                        (Handle::Instance(_), Side::Imports) => false,
                    }
                }
                Err(t) => {
                    let mut ext = std::ptr::null_mut();
                    let found = match (handle, side) {
                        (Handle::Component(p), Side::Imports) => (t
                            .wasmtime_component_type_import_nth)(
                            *p, e, nth, &mut name, &mut len, &mut ext,
                        ),
                        (Handle::Component(p), Side::Exports) => (t
                            .wasmtime_component_type_export_nth)(
                            *p, e, nth, &mut name, &mut len, &mut ext,
                        ),
                        (Handle::Instance(p), Side::Exports) => (t
                            .wasmtime_component_instance_type_export_nth)(
                            *p, e, nth, &mut name, &mut len, &mut ext,
                        ),
                        (Handle::Instance(_), Side::Imports) => false,
                    };
                    if found && !ext.is_null() {
                        // The name may point into the extern: copied first.
                        let owned_name = borrowed_str(name, len);
                        (t.wasmtime_component_extern_type)(ext, item.as_mut_ptr());
                        (t.wasmtime_component_extern_delete)(ext);
                        let mut item = item.assume_init();
                        return Some((owned_name, self.take_item(&mut item)));
                    }
                    false
                }
            }
        };
        if !found {
            return None;
        }
        // SAFETY: written since the getter returned true; owned here.
        unsafe {
            let mut item = item.assume_init();
            Some((borrowed_str(name, len), self.take_item(&mut item)))
        }
    }

    /// Reads and frees an owned item.
    ///
    /// # Safety
    ///
    /// `item` is live, owned, of this library.
    unsafe fn take_item(&self, item: &mut wasmtime_component_item_t) -> ComponentItem {
        let m = self.model;
        let of = &item.of;
        // SAFETY: each arm reads the member its kind names; handles are
        // cloned before the item is freed.
        unsafe {
            let out = match u32::from(item.kind) {
                WASMTIME_COMPONENT_ITEM_COMPONENT_FUNC => {
                    ComponentItem::ComponentFunc(ComponentFunc::from_c(m, of.component_func))
                }
                WASMTIME_COMPONENT_ITEM_COMPONENT => ComponentItem::Component(Component(Owned {
                    handle: Handle::Component((m.wasmtime_component_type_clone)(of.component)),
                    model: m,
                })),
                WASMTIME_COMPONENT_ITEM_COMPONENT_INSTANCE => {
                    ComponentItem::ComponentInstance(ComponentInstance(Owned {
                        handle: Handle::Instance((m.wasmtime_component_instance_type_clone)(
                            of.component_instance,
                        )),
                        model: m,
                    }))
                }
                WASMTIME_COMPONENT_ITEM_RESOURCE => {
                    ComponentItem::Resource(Reader { model: m }.resource(of.resource))
                }
                WASMTIME_COMPONENT_ITEM_TYPE => {
                    ComponentItem::Type(Reader { model: m }.read(&of.type_))
                }
                WASMTIME_COMPONENT_ITEM_MODULE => ComponentItem::Module,
                _ => ComponentItem::CoreFunc,
            };
            (m.wasmtime_component_item_delete)(item);
            out
        }
    }
}

/// A component's type, as the crate's
/// `wasmtime::component::types::Component`: its imports and exports.
///
/// ```no_run
/// use wasmtime_dyn::component::Component;
/// # let component: Component = unimplemented!();
/// let ty = component.component_type();
/// let exports: Vec<String> = ty.exports(component.engine()).map(|(name, _)| name).collect();
/// ```
#[derive(Clone)]
pub struct Component(Owned);

impl Component {
    /// Takes an owned handle.
    pub(crate) fn from_raw(
        model: &'static ComponentModel,
        ptr: *mut wasmtime_component_type_t,
    ) -> Component {
        Component(Owned {
            handle: Handle::Component(ptr),
            model,
        })
    }

    /// The imports: names and items (empty for a type of another
    /// library than `engine`'s).
    ///
    /// ```no_run
    /// # let c: wasmtime_dyn::component::Component = unimplemented!();
    /// for (name, item) in c.component_type().imports(c.engine()) { println!("{name}: {item:?}"); }
    /// ```
    pub fn imports(
        &self,
        engine: &Engine,
    ) -> impl ExactSizeIterator<Item = (String, ComponentItem)> {
        self.0.items(engine, Side::Imports).into_iter()
    }

    /// The import `name`, if any.
    ///
    /// ```no_run
    /// # let c: wasmtime_dyn::component::Component = unimplemented!();
    /// let log = c.component_type().get_import(c.engine(), "log");
    /// ```
    pub fn get_import(&self, engine: &Engine, name: &str) -> Option<ComponentItem> {
        self.imports(engine)
            .find(|(n, _)| n == name)
            .map(|(_, i)| i)
    }

    /// The export `name`, if any.
    ///
    /// ```no_run
    /// # let c: wasmtime_dyn::component::Component = unimplemented!();
    /// assert!(c.component_type().get_export(c.engine(), "run").is_some());
    /// ```
    pub fn get_export(&self, engine: &Engine, name: &str) -> Option<ComponentItem> {
        self.exports(engine)
            .find(|(n, _)| n == name)
            .map(|(_, i)| i)
    }

    /// The exports: names and items.
    ///
    /// ```no_run
    /// # let c: wasmtime_dyn::component::Component = unimplemented!();
    /// assert!(c.component_type().exports(c.engine()).len() > 0);
    /// ```
    pub fn exports(
        &self,
        engine: &Engine,
    ) -> impl ExactSizeIterator<Item = (String, ComponentItem)> {
        self.0.items(engine, Side::Exports).into_iter()
    }
}

impl fmt::Debug for Component {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Component").finish_non_exhaustive()
    }
}

/// A component instance's type, as the crate's
/// `wasmtime::component::types::ComponentInstance`: its exports.
///
/// ```no_run
/// use wasmtime_dyn::component::{types::ComponentItem, Component};
/// # let c: Component = unimplemented!();
/// for (name, item) in c.component_type().exports(c.engine()) {
///     if let ComponentItem::ComponentInstance(i) = item {
///         println!("{name} exports {} items", i.exports(c.engine()).len());
///     }
/// }
/// ```
#[derive(Clone)]
pub struct ComponentInstance(Owned);

impl ComponentInstance {
    /// The export `name`, if any.
    ///
    /// ```no_run
    /// # let (i, e): (wasmtime_dyn::component::types::ComponentInstance, wasmtime_dyn::Engine) = unimplemented!();
    /// let run = i.get_export(&e, "run");
    /// ```
    pub fn get_export(&self, engine: &Engine, name: &str) -> Option<ComponentItem> {
        self.exports(engine)
            .find(|(n, _)| n == name)
            .map(|(_, i)| i)
    }

    /// The exports: names and items.
    ///
    /// ```no_run
    /// # let (i, e): (wasmtime_dyn::component::types::ComponentInstance, wasmtime_dyn::Engine) = unimplemented!();
    /// let names: Vec<String> = i.exports(&e).map(|(n, _)| n).collect();
    /// ```
    pub fn exports(
        &self,
        engine: &Engine,
    ) -> impl ExactSizeIterator<Item = (String, ComponentItem)> {
        self.0.items(engine, Side::Exports).into_iter()
    }
}

impl fmt::Debug for ComponentInstance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ComponentInstance").finish_non_exhaustive()
    }
}

/// The names of a component type's imports (the WASI guard reads them).
pub(crate) fn import_names(ty: &Component, engine: &Engine) -> Vec<String> {
    ty.imports(engine).map(|(name, _)| name).collect()
}
