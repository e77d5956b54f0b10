//! Typed component calls: [`TypedFunc`], and the traits that map Rust
//! types to component types ([`ComponentType`], [`Lift`], [`Lower`],
//! [`ComponentNamedList`]), as the `wasmtime` crate's.
//!
//! The C API passes every value as a `wasmtime_component_val_t` tree. The
//! Rust types are checked against the function's type once, when the
//! [`TypedFunc`] is made; each call then writes the C values straight from
//! the Rust values and reads the results straight into Rust values
//! (`lower_c`, `lift_c`), without a [`Val`] in between, for the types of
//! this module. Other types (records written by hand, resources) go
//! through [`Val`] (`to_val`, `from_val`); a parameter list holding a
//! resource takes [`Func::call`]'s path with its resource checks.

use super::func::Func;
use super::resource::check_resources;
use super::types::{Tuple, Type};
use super::val::{
    elements, kind, mismatch as library_returned, name_string, OwnedVals, Val, ValFns,
};
use crate::error::{ErrorKind, Result};
use crate::store::{AsContext, AsContextMut};
use crate::sys::types::{wasmtime_component_val_t, wasmtime_component_valunion_t as U};
use std::marker::PhantomData;

/// What writing and reading the C API's values needs (the library's
/// functions, the store). Opaque: made by [`TypedFunc::call`].
#[doc(hidden)]
pub struct ValCx(ValFns);

/// A typed call's C argument values, freed when dropped. Opaque.
#[doc(hidden)]
pub struct CVals(OwnedVals);

#[cold]
fn wrong_kind(expected: &str, found: u8) -> crate::Error {
    library_returned(&format!("a value of kind {found} where {expected} was due"))
}

/// `val`'s kind is `expected`, or an error naming `what`.
fn expect_kind(val: &wasmtime_component_val_t, expected: u8, what: &str) -> Result<()> {
    if val.kind == expected {
        Ok(())
    } else {
        Err(wrong_kind(what, val.kind))
    }
}

#[cold]
fn mismatch(expected: &str, found: &Type) -> crate::Error {
    ErrorKind::TypeMismatch(format!("expected {expected}, found {found:?}")).into()
}

#[cold]
fn bad_value(expected: &str, found: &Val) -> crate::Error {
    ErrorKind::TypeMismatch(format!("expected a {expected} value, found {found:?}")).into()
}

/// A Rust type with a component-model type, as the crate's
/// `wasmtime::component::ComponentType`: implemented for `bool`, the
/// integers, `f32`/`f64`, `char`, `String`/`&str`/`Box<str>`,
/// `Vec<T>`/`&[T]`/`Box<[T]>`, `Option<T>`, `Result<T, E>`, `()` and
/// tuples of up to 12.
///
/// ```
/// use wasmtime_dyn::component::{ComponentType, Lower};
/// fn lowerable<T: ComponentType + Lower>(_: T) {}
/// lowerable((1u32, "text", vec![Some(1.5f64)], Ok::<char, String>('x')));
/// ```
pub trait ComponentType {
    /// Whether this is `()`: a `result` or variant case without a payload
    /// stands for it.
    #[doc(hidden)]
    const IS_UNIT: bool = false;

    /// Checks that values of this Rust type can stand for values of `ty`.
    #[doc(hidden)]
    fn typecheck(ty: &Type) -> Result<()>;
}

/// A Rust value that can be passed to a component, as the crate's
/// `wasmtime::component::Lower`.
///
/// ```
/// use wasmtime_dyn::component::Lower;
/// fn args<P: Lower>(p: P) -> P { p }
/// let _ = args(("name", 3u8));
/// ```
pub trait Lower: ComponentType {
    /// The value as a [`Val`].
    #[doc(hidden)]
    fn to_val(&self) -> Val;

    /// Writes the value into `out` (which holds a `bool`) as a C value the
    /// caller frees. False, with `out` holding a value to free, when the
    /// value holds a resource: resources take [`Func::call`]'s path, which
    /// checks them and retires those moved into the guest.
    #[doc(hidden)]
    fn lower_c(&self, cx: &ValCx, out: &mut wasmtime_component_val_t) -> bool {
        let val = self.to_val();
        if !matches!(
            check_resources(std::slice::from_ref(&val), cx.0.store),
            Ok(false)
        ) {
            return false;
        }
        // SAFETY: `out` holds a `bool` (nothing to free).
        unsafe { cx.0.lower(&val, out) };
        true
    }

    /// A tuple's elements into `out` (one `bool` slot each), as
    /// [`Lower::lower_c`] writes them; false for what is not a tuple of
    /// `out.len()` elements.
    #[doc(hidden)]
    fn lower_c_items(&self, cx: &ValCx, out: &mut [wasmtime_component_val_t]) -> bool {
        let _ = (cx, out);
        false
    }
}

/// A Rust value that can be received from a component, as the crate's
/// `wasmtime::component::Lift`.
///
/// ```
/// use wasmtime_dyn::component::Lift;
/// fn result<R: Lift>() {}
/// result::<(Vec<String>, Option<u64>)>();
/// ```
pub trait Lift: ComponentType + Sized {
    /// The value from a [`Val`] of a type [`ComponentType::typecheck`]
    /// accepted.
    #[doc(hidden)]
    fn from_val(val: Val) -> Result<Self>;

    /// The value from a C value of a type [`ComponentType::typecheck`]
    /// accepted, with every check of reading a [`Val`] (kinds, UTF-8,
    /// chars).
    ///
    /// # Safety
    ///
    /// `val` is a live value of `cx`'s library.
    #[doc(hidden)]
    unsafe fn lift_c(cx: &ValCx, val: &wasmtime_component_val_t) -> Result<Self> {
        // SAFETY: the caller's contract.
        Self::from_val(unsafe { cx.0.lift(val) }?)
    }
}

/// A tuple standing for a function's parameter or result list, as the
/// crate's `wasmtime::component::ComponentNamedList`: `(A, B)` for two
/// parameters, `(R,)` for one result, `()` for none.
///
/// ```
/// use wasmtime_dyn::component::ComponentNamedList;
/// fn list<L: ComponentNamedList>() {}
/// list::<()>();
/// list::<(String,)>();
/// list::<(u32, u32)>();
/// ```
pub trait ComponentNamedList: ComponentType {
    /// The list's values as C arguments, or `None` when they hold a
    /// resource (see [`Lower::lower_c`]).
    #[doc(hidden)]
    fn lower_args(&self, cx: &ValCx) -> Option<CVals>
    where
        Self: Lower,
    {
        let _ = cx;
        None
    }

    /// The list from the C results.
    ///
    /// # Safety
    ///
    /// `vals` are live values of `cx`'s library.
    #[doc(hidden)]
    unsafe fn lift_results(cx: &ValCx, vals: &[wasmtime_component_val_t]) -> Result<Self>
    where
        Self: Lift,
    {
        let items = vals
            .iter()
            // SAFETY: the caller's contract.
            .map(|v| unsafe { cx.0.lift(v) })
            .collect::<Result<Vec<_>>>()?;
        Self::from_val(Val::Tuple(items))
    }
}

macro_rules! primitive {
    ($($ty:ty => $variant:ident $name:literal $kind:ident $field:ident,)*) => {$(
        impl ComponentType for $ty {
            fn typecheck(ty: &Type) -> Result<()> {
                match ty {
                    Type::$variant => Ok(()),
                    other => Err(mismatch($name, other)),
                }
            }
        }
        impl Lower for $ty {
            fn to_val(&self) -> Val {
                Val::$variant(*self)
            }
            fn lower_c(&self, _: &ValCx, out: &mut wasmtime_component_val_t) -> bool {
                *out = wasmtime_component_val_t { kind: kind::$kind, of: U { $field: *self } };
                true
            }
        }
        impl Lift for $ty {
            fn from_val(val: Val) -> Result<Self> {
                match val {
                    Val::$variant(v) => Ok(v),
                    other => Err(bad_value($name, &other)),
                }
            }
            unsafe fn lift_c(_: &ValCx, val: &wasmtime_component_val_t) -> Result<Self> {
                expect_kind(val, kind::$kind, $name)?;
                // SAFETY: the member the kind names.
                Ok(unsafe { val.of.$field })
            }
        }
    )*};
}

primitive! {
    bool => Bool "bool" BOOL boolean,
    i8 => S8 "s8" S8 s8,
    u8 => U8 "u8" U8 u8_,
    i16 => S16 "s16" S16 s16,
    u16 => U16 "u16" U16 u16_,
    i32 => S32 "s32" S32 s32,
    u32 => U32 "u32" U32 u32_,
    i64 => S64 "s64" S64 s64,
    u64 => U64 "u64" U64 u64_,
    f32 => Float32 "f32" F32 f32_,
    f64 => Float64 "f64" F64 f64_,
}

impl ComponentType for char {
    fn typecheck(ty: &Type) -> Result<()> {
        match ty {
            Type::Char => Ok(()),
            other => Err(mismatch("char", other)),
        }
    }
}
impl Lower for char {
    fn to_val(&self) -> Val {
        Val::Char(*self)
    }
    fn lower_c(&self, _: &ValCx, out: &mut wasmtime_component_val_t) -> bool {
        *out = wasmtime_component_val_t {
            kind: kind::CHAR,
            of: U {
                character: *self as u32,
            },
        };
        true
    }
}
impl Lift for char {
    fn from_val(val: Val) -> Result<Self> {
        match val {
            Val::Char(v) => Ok(v),
            other => Err(bad_value("char", &other)),
        }
    }
    unsafe fn lift_c(_: &ValCx, val: &wasmtime_component_val_t) -> Result<Self> {
        expect_kind(val, kind::CHAR, "char")?;
        // SAFETY: the member the kind names.
        char::from_u32(unsafe { val.of.character })
            .ok_or_else(|| library_returned("a char that is not a Unicode scalar value"))
    }
}

/// `s` as a C string.
fn lower_str(cx: &ValCx, s: &str, out: &mut wasmtime_component_val_t) -> bool {
    *out = wasmtime_component_val_t {
        kind: kind::STRING,
        of: U {
            string: cx.0.name(s),
        },
    };
    true
}

fn check_string(ty: &Type) -> Result<()> {
    match ty {
        Type::String => Ok(()),
        other => Err(mismatch("string", other)),
    }
}

impl ComponentType for String {
    fn typecheck(ty: &Type) -> Result<()> {
        check_string(ty)
    }
}
impl Lower for String {
    fn to_val(&self) -> Val {
        Val::String(self.clone())
    }
    fn lower_c(&self, cx: &ValCx, out: &mut wasmtime_component_val_t) -> bool {
        lower_str(cx, self, out)
    }
}
impl Lift for String {
    fn from_val(val: Val) -> Result<Self> {
        match val {
            Val::String(s) => Ok(s),
            other => Err(bad_value("string", &other)),
        }
    }
    unsafe fn lift_c(_: &ValCx, val: &wasmtime_component_val_t) -> Result<Self> {
        expect_kind(val, kind::STRING, "string")?;
        // SAFETY: the member the kind names, a live vector (contract);
        // refused when not UTF-8.
        unsafe { name_string(&val.of.string) }
    }
}
impl ComponentType for str {
    fn typecheck(ty: &Type) -> Result<()> {
        check_string(ty)
    }
}
impl Lower for str {
    fn to_val(&self) -> Val {
        Val::String(self.to_string())
    }
    fn lower_c(&self, cx: &ValCx, out: &mut wasmtime_component_val_t) -> bool {
        lower_str(cx, self, out)
    }
}
impl ComponentType for Box<str> {
    fn typecheck(ty: &Type) -> Result<()> {
        check_string(ty)
    }
}
impl Lower for Box<str> {
    fn to_val(&self) -> Val {
        Val::String(self.to_string())
    }
    fn lower_c(&self, cx: &ValCx, out: &mut wasmtime_component_val_t) -> bool {
        lower_str(cx, self, out)
    }
}
impl Lift for Box<str> {
    fn from_val(val: Val) -> Result<Self> {
        String::from_val(val).map(String::into_boxed_str)
    }
    unsafe fn lift_c(cx: &ValCx, val: &wasmtime_component_val_t) -> Result<Self> {
        // SAFETY: the caller's contract.
        unsafe { String::lift_c(cx, val) }.map(String::into_boxed_str)
    }
}

impl<T: ComponentType + ?Sized> ComponentType for &T {
    const IS_UNIT: bool = T::IS_UNIT;
    fn typecheck(ty: &Type) -> Result<()> {
        T::typecheck(ty)
    }
}
impl<T: Lower + ?Sized> Lower for &T {
    fn to_val(&self) -> Val {
        (**self).to_val()
    }
    fn lower_c(&self, cx: &ValCx, out: &mut wasmtime_component_val_t) -> bool {
        (**self).lower_c(cx, out)
    }
}

fn check_list<T: ComponentType>(ty: &Type) -> Result<()> {
    match ty {
        Type::List(list) => T::typecheck(&list.ty()),
        other => Err(mismatch("list", other)),
    }
}

impl<T: ComponentType> ComponentType for [T] {
    fn typecheck(ty: &Type) -> Result<()> {
        check_list::<T>(ty)
    }
}
impl<T: Lower> Lower for [T] {
    fn to_val(&self) -> Val {
        Val::List(self.iter().map(Lower::to_val).collect())
    }
    fn lower_c(&self, cx: &ValCx, out: &mut wasmtime_component_val_t) -> bool {
        let list = cx.0.new_list(self.len());
        let mut done = true;
        for (i, item) in self.iter().enumerate() {
            // SAFETY: slot `i` of the `len` the library just made, holding
            // a `bool`.
            done = item.lower_c(cx, unsafe { &mut *list.data.add(i) });
            if !done {
                break;
            }
        }
        // Written also when not done, so that the caller frees it.
        *out = wasmtime_component_val_t {
            kind: kind::LIST,
            of: U { list },
        };
        done
    }
}

/// The elements of a C list.
///
/// # Safety
///
/// `val` is a live value of `cx`'s library.
unsafe fn lift_list<T: Lift>(cx: &ValCx, val: &wasmtime_component_val_t) -> Result<Vec<T>> {
    if val.kind != kind::LIST && val.kind != kind::FIXED_LENGTH_LIST {
        return Err(wrong_kind("list", val.kind));
    }
    // SAFETY: the member the kind names, a live vector (contract).
    let items = unsafe { elements(val.of.list.data, val.of.list.size) }?;
    items
        .iter()
        // SAFETY: live values of the library (contract).
        .map(|v| unsafe { T::lift_c(cx, v) })
        .collect()
}
impl<T: ComponentType> ComponentType for Vec<T> {
    fn typecheck(ty: &Type) -> Result<()> {
        check_list::<T>(ty)
    }
}
impl<T: Lower> Lower for Vec<T> {
    fn to_val(&self) -> Val {
        self.as_slice().to_val()
    }
    fn lower_c(&self, cx: &ValCx, out: &mut wasmtime_component_val_t) -> bool {
        self.as_slice().lower_c(cx, out)
    }
}
impl<T: Lift> Lift for Vec<T> {
    fn from_val(val: Val) -> Result<Self> {
        match val {
            Val::List(items) => items.into_iter().map(T::from_val).collect(),
            other => Err(bad_value("list", &other)),
        }
    }
    unsafe fn lift_c(cx: &ValCx, val: &wasmtime_component_val_t) -> Result<Self> {
        // SAFETY: the caller's contract.
        unsafe { lift_list(cx, val) }
    }
}
impl<T: ComponentType> ComponentType for Box<[T]> {
    fn typecheck(ty: &Type) -> Result<()> {
        check_list::<T>(ty)
    }
}
impl<T: Lower> Lower for Box<[T]> {
    fn to_val(&self) -> Val {
        (**self).to_val()
    }
    fn lower_c(&self, cx: &ValCx, out: &mut wasmtime_component_val_t) -> bool {
        (**self).lower_c(cx, out)
    }
}
impl<T: Lift> Lift for Box<[T]> {
    fn from_val(val: Val) -> Result<Self> {
        Vec::from_val(val).map(Vec::into_boxed_slice)
    }
    unsafe fn lift_c(cx: &ValCx, val: &wasmtime_component_val_t) -> Result<Self> {
        // SAFETY: the caller's contract.
        unsafe { lift_list(cx, val) }.map(Vec::into_boxed_slice)
    }
}

impl<T: ComponentType> ComponentType for Option<T> {
    fn typecheck(ty: &Type) -> Result<()> {
        match ty {
            Type::Option(o) => T::typecheck(&o.ty()),
            other => Err(mismatch("option", other)),
        }
    }
}
impl<T: Lower> Lower for Option<T> {
    fn to_val(&self) -> Val {
        Val::Option(self.as_ref().map(|v| Box::new(v.to_val())))
    }
    fn lower_c(&self, cx: &ValCx, out: &mut wasmtime_component_val_t) -> bool {
        let (option, done) = match self {
            None => (std::ptr::null_mut(), true),
            Some(v) => box_c(cx, v),
        };
        *out = wasmtime_component_val_t {
            kind: kind::OPTION,
            of: U { option },
        };
        done
    }
}
impl<T: Lift> Lift for Option<T> {
    fn from_val(val: Val) -> Result<Self> {
        match val {
            Val::Option(v) => v.map(|v| T::from_val(*v)).transpose(),
            other => Err(bad_value("option", &other)),
        }
    }
    unsafe fn lift_c(cx: &ValCx, val: &wasmtime_component_val_t) -> Result<Self> {
        expect_kind(val, kind::OPTION, "option")?;
        // SAFETY: the member the kind names: null or a live box.
        let ptr = unsafe { val.of.option };
        if ptr.is_null() {
            return Ok(None);
        }
        // SAFETY: a live value of the library.
        unsafe { T::lift_c(cx, &*ptr) }.map(Some)
    }
}

/// `v` in a heap box of the library, and whether it was written (see
/// [`Lower::lower_c`]; the box is made either way, for the caller to free).
fn box_c<T: Lower + ?Sized>(cx: &ValCx, v: &T) -> (*mut wasmtime_component_val_t, bool) {
    let mut tmp = super::val::placeholder();
    let done = v.lower_c(cx, &mut tmp);
    (cx.0.box_val(&mut tmp), done)
}

/// A `result` side's payload type against `T` (`()` for no payload).
fn check_payload<T: ComponentType>(ty: Option<Type>, side: &str) -> Result<()> {
    match ty {
        Some(ty) => T::typecheck(&ty),
        None if T::IS_UNIT => Ok(()),
        None => Err(ErrorKind::TypeMismatch(format!(
            "the result's {side} side has no payload: use `()` for it"
        ))
        .into()),
    }
}

fn lower_payload<T: Lower>(v: &T) -> Option<Box<Val>> {
    (!T::IS_UNIT).then(|| Box::new(v.to_val()))
}

fn lift_payload<T: Lift>(v: Option<Box<Val>>) -> Result<T> {
    T::from_val(v.map_or(Val::Tuple(Vec::new()), |v| *v))
}

fn lower_payload_c<T: Lower>(cx: &ValCx, v: &T) -> (*mut wasmtime_component_val_t, bool) {
    if T::IS_UNIT {
        (std::ptr::null_mut(), true)
    } else {
        box_c(cx, v)
    }
}

/// # Safety
///
/// `ptr` is null or a live value of `cx`'s library.
unsafe fn lift_payload_c<T: Lift>(cx: &ValCx, ptr: *const wasmtime_component_val_t) -> Result<T> {
    if ptr.is_null() {
        T::from_val(Val::Tuple(Vec::new()))
    } else {
        // SAFETY: non-null, so live (contract).
        unsafe { T::lift_c(cx, &*ptr) }
    }
}

impl<T: ComponentType, E: ComponentType> ComponentType for Result<T, E> {
    fn typecheck(ty: &Type) -> Result<()> {
        match ty {
            Type::Result(r) => {
                check_payload::<T>(r.ok(), "ok")?;
                check_payload::<E>(r.err(), "error")
            }
            other => Err(mismatch("result", other)),
        }
    }
}
impl<T: Lower, E: Lower> Lower for Result<T, E> {
    fn to_val(&self) -> Val {
        Val::Result(match self {
            Ok(v) => Ok(lower_payload(v)),
            Err(e) => Err(lower_payload(e)),
        })
    }
    fn lower_c(&self, cx: &ValCx, out: &mut wasmtime_component_val_t) -> bool {
        let (is_ok, (val, done)) = match self {
            Ok(v) => (true, lower_payload_c(cx, v)),
            Err(e) => (false, lower_payload_c(cx, e)),
        };
        *out = wasmtime_component_val_t {
            kind: kind::RESULT,
            of: U {
                result: crate::sys::types::wasmtime_component_valresult_t { is_ok, val },
            },
        };
        done
    }
}
impl<T: Lift, E: Lift> Lift for Result<T, E> {
    fn from_val(val: Val) -> Result<Self> {
        match val {
            Val::Result(Ok(v)) => Ok(Ok(lift_payload(v)?)),
            Val::Result(Err(e)) => Ok(Err(lift_payload(e)?)),
            other => Err(bad_value("result", &other)),
        }
    }
    unsafe fn lift_c(cx: &ValCx, val: &wasmtime_component_val_t) -> Result<Self> {
        expect_kind(val, kind::RESULT, "result")?;
        // SAFETY: the member the kind names; its payload null or live.
        unsafe {
            let r = val.of.result;
            Ok(if r.is_ok {
                Ok(lift_payload_c(cx, r.val)?)
            } else {
                Err(lift_payload_c(cx, r.val)?)
            })
        }
    }
}

macro_rules! tuples {
    ($(($($t:ident $i:tt),*))*) => {$(
        impl<$($t: ComponentType),*> ComponentType for ($($t,)*) {
            const IS_UNIT: bool = 0 $(+ { let _ = $i; 1 })* == 0;
            #[allow(unused_variables)]
            fn typecheck(ty: &Type) -> Result<()> {
                const LEN: usize = 0 $(+ { let _ = $i; 1 })*;
                match ty {
                    Type::Tuple(tuple) if tuple.types().len() == LEN => {
                        let types: Vec<Type> = tuple.types().collect();
                        $($t::typecheck(&types[$i])?;)*
                        Ok(())
                    }
                    other => Err(mismatch(&format!("a tuple of {LEN}"), other)),
                }
            }
        }
        impl<$($t: ComponentType),*> ComponentNamedList for ($($t,)*) {
            fn lower_args(&self, cx: &ValCx) -> Option<CVals>
            where
                Self: Lower,
            {
                const LEN: usize = 0 $(+ { let _ = $i; 1 })*;
                let mut args = OwnedVals::placeholders(cx.0, LEN);
                self.lower_c_items(cx, args.as_mut_slice()).then_some(CVals(args))
            }

            unsafe fn lift_results(cx: &ValCx, vals: &[wasmtime_component_val_t]) -> Result<Self>
            where
                Self: Lift,
            {
                // A view of the results as one tuple value, read through the
                // tuple's `lift_c` (which only reads it) and never freed.
                let view = wasmtime_component_val_t {
                    kind: kind::TUPLE,
                    of: U {
                        tuple: crate::sys::types::wasmtime_component_valtuple_t {
                            size: vals.len(),
                            data: vals.as_ptr().cast_mut(),
                        },
                    },
                };
                // SAFETY: live values of the library (contract).
                unsafe { Self::lift_c(cx, &view) }
            }
        }
        impl<$($t: Lower),*> Lower for ($($t,)*) {
            fn to_val(&self) -> Val {
                Val::Tuple(vec![$(self.$i.to_val()),*])
            }
            fn lower_c(&self, cx: &ValCx, out: &mut wasmtime_component_val_t) -> bool {
                const LEN: usize = 0 $(+ { let _ = $i; 1 })*;
                let list = cx.0.new_list(LEN);
                let items: &mut [wasmtime_component_val_t] = if LEN == 0 {
                    &mut []
                } else {
                    // SAFETY: the LEN initialised slots the library just
                    // made, this value's alone.
                    unsafe { std::slice::from_raw_parts_mut(list.data, LEN) }
                };
                let done = self.lower_c_items(cx, items);
                // `valtuple_t` and `vallist_t` have one layout; written also
                // when not done, so that the caller frees it.
                *out = wasmtime_component_val_t {
                    kind: kind::TUPLE,
                    of: U {
                        tuple: crate::sys::types::wasmtime_component_valtuple_t {
                            size: list.size,
                            data: list.data,
                        },
                    },
                };
                done
            }
            #[allow(unused_variables)]
            fn lower_c_items(&self, cx: &ValCx, out: &mut [wasmtime_component_val_t]) -> bool {
                const LEN: usize = 0 $(+ { let _ = $i; 1 })*;
                if out.len() != LEN {
                    return false;
                }
                true $(&& self.$i.lower_c(cx, &mut out[$i]))*
            }
        }
        impl<$($t: Lift),*> Lift for ($($t,)*) {
            #[allow(unused_mut, unused_variables)]
            fn from_val(val: Val) -> Result<Self> {
                const LEN: usize = 0 $(+ { let _ = $i; 1 })*;
                match val {
                    Val::Tuple(items) if items.len() == LEN => {
                        let mut items = items.into_iter();
                        Ok(($($t::from_val(items.next().expect("length checked"))?,)*))
                    }
                    other => Err(bad_value(&format!("tuple of {LEN}"), &other)),
                }
            }
            #[allow(unused_variables)]
            unsafe fn lift_c(cx: &ValCx, val: &wasmtime_component_val_t) -> Result<Self> {
                const LEN: usize = 0 $(+ { let _ = $i; 1 })*;
                expect_kind(val, kind::TUPLE, "tuple")?;
                // SAFETY: the member the kind names, a live vector
                // (contract).
                let items = unsafe { elements(val.of.tuple.data, val.of.tuple.size) }?;
                if items.len() != LEN {
                    return Err(library_returned(&format!(
                        "{} values where {LEN} were due",
                        items.len()
                    )));
                }
                // SAFETY: live values of the library (contract).
                #[allow(unused_unsafe)]
                unsafe { Ok(($($t::lift_c(cx, &items[$i])?,)*)) }
            }
        }
    )*};
}

tuples! {
    ()
    (A 0)
    (A 0, B 1)
    (A 0, B 1, C 2)
    (A 0, B 1, C 2, D 3)
    (A 0, B 1, C 2, D 3, E 4)
    (A 0, B 1, C 2, D 3, E 4, F 5)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11)
}

/// A component function with Rust parameter and result types, as the
/// crate's `wasmtime::component::TypedFunc`: made by
/// [`Instance::get_typed_func`](super::Instance::get_typed_func) or
/// [`Func::typed`], which check the types once.
///
/// ```no_run
/// # let (instance, mut store): (wasmtime_dyn::component::Instance, wasmtime_dyn::Store<()>) = unimplemented!();
/// let echo = instance.get_typed_func::<(&str,), (String,)>(&mut store, "echo")?;
/// let (out,) = echo.call(&mut store, ("hello",))?;
/// let double = instance.get_typed_func::<(&[u32],), (Vec<u32>,)>(&mut store, "double")?;
/// let (twice,) = double.call(&mut store, (&[1, 2, 3],))?;
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
pub struct TypedFunc<Params, Results> {
    func: Func,
    pub(super) results: usize,
    _types: PhantomData<fn(Params) -> Results>,
}

impl<P, R> Clone for TypedFunc<P, R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<P, R> Copy for TypedFunc<P, R> {}

impl<P, R> std::fmt::Debug for TypedFunc<P, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TypedFunc").finish_non_exhaustive()
    }
}

impl<Params, Results> TypedFunc<Params, Results>
where
    Params: ComponentNamedList + Lower,
    Results: ComponentNamedList + Lift,
{
    /// Wraps `func`, checking that its type is `Params -> Results`.
    pub(crate) fn new(func: Func, store: impl AsContext) -> Result<Self> {
        let ty = func.ty(store);
        let params: Vec<Type> = ty.params().map(|(_, t)| t).collect();
        let results: Vec<Type> = ty.results().collect();
        let n = results.len();
        Params::typecheck(&Type::Tuple(Tuple::new(params)))
            .map_err(|e| e.context("the function's parameters do not match the Rust types"))?;
        Results::typecheck(&Type::Tuple(Tuple::new(results)))
            .map_err(|e| e.context("the function's results do not match the Rust types"))?;
        Ok(TypedFunc {
            func,
            results: n,
            _types: PhantomData,
        })
    }

    /// Calls the function.
    ///
    /// ```no_run
    /// # let (add, mut store): (wasmtime_dyn::component::TypedFunc<(u32, u32), (u32,)>, wasmtime_dyn::Store<()>) = unimplemented!();
    /// let (sum,) = add.call(&mut store, (40, 2))?;
    /// assert_eq!(sum, 42);
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Func::call`].
    pub fn call(&self, mut store: impl AsContextMut, params: Params) -> Result<Results> {
        let mut cx = store.as_context_mut();
        let fns = self.func.val_fns(&cx)?;
        let vcx = ValCx(fns);
        let Some(CVals(args)) = params.lower_args(&vcx) else {
            return self.call_through_vals(cx, &params);
        };
        let mut outs = OwnedVals::placeholders(fns, self.results);
        self.func.call_c(&mut cx, fns, args, &mut outs)?;
        // SAFETY: values the library wrote, freed by `outs`.
        unsafe { Results::lift_results(&vcx, outs.as_slice()) }
    }

    /// The call through [`Val`]s and [`Func::call`]: for parameters that
    /// hold resources, which it checks and retires.
    #[cold]
    fn call_through_vals(&self, store: impl AsContextMut, params: &Params) -> Result<Results> {
        let Val::Tuple(args) = params.to_val() else {
            unreachable!("a parameter list is a tuple")
        };
        let mut results = vec![Val::Bool(false); self.results];
        self.func.call(store, &args, &mut results)?;
        Results::from_val(Val::Tuple(results))
    }

    /// Does nothing, as [`Func::post_return`].
    ///
    /// ```no_run
    /// # let (f, mut store): (wasmtime_dyn::component::TypedFunc<(), ()>, wasmtime_dyn::Store<()>) = unimplemented!();
    /// #[allow(deprecated)]
    /// f.post_return(&mut store)?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    #[deprecated(note = "no longer needs to be called; this function has no effect")]
    pub fn post_return(&self, _store: impl AsContextMut) -> Result<()> {
        Ok(())
    }

    /// The untyped function.
    ///
    /// ```no_run
    /// # let (f, store): (wasmtime_dyn::component::TypedFunc<(), ()>, wasmtime_dyn::Store<()>) = unimplemented!();
    /// println!("{:?}", f.func().ty(&store));
    /// ```
    pub fn func(&self) -> &Func {
        &self.func
    }
}

impl Func {
    /// This function with Rust types, checked against its type.
    ///
    /// ```no_run
    /// # let (f, mut store): (wasmtime_dyn::component::Func, wasmtime_dyn::Store<()>) = unimplemented!();
    /// let f = f.typed::<(String,), (Option<u32>,)>(&store)?;
    /// let (parsed,) = f.call(&mut store, ("42".to_string(),))?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::TypeMismatch`] naming the first type that differs.
    ///
    /// # Panics
    ///
    /// As [`Func::ty`].
    pub fn typed<Params, Results>(
        &self,
        store: impl AsContext,
    ) -> Result<TypedFunc<Params, Results>>
    where
        Params: ComponentNamedList + Lower,
        Results: ComponentNamedList + Lift,
    {
        TypedFunc::new(*self, store)
    }
}
