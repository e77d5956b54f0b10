//! Typed component calls: [`TypedFunc`], and the traits that map Rust
//! types to component types ([`ComponentType`], [`Lift`], [`Lower`],
//! [`ComponentNamedList`]), as the `wasmtime` crate's.
//!
//! The C API passes every value as a `wasmtime_component_val_t` tree, so a
//! typed call converts through [`Val`]: the Rust types are checked against
//! the function's type once, when the [`TypedFunc`] is made, and each call
//! then builds the values without checking again.

use super::func::Func;
use super::types::{Tuple, Type};
use super::val::Val;
use crate::error::{ErrorKind, Result};
use crate::store::{AsContext, AsContextMut};
use std::marker::PhantomData;

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
pub trait ComponentNamedList: ComponentType {}

macro_rules! primitive {
    ($($ty:ty => $variant:ident $name:literal,)*) => {$(
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
        }
        impl Lift for $ty {
            fn from_val(val: Val) -> Result<Self> {
                match val {
                    Val::$variant(v) => Ok(v),
                    other => Err(bad_value($name, &other)),
                }
            }
        }
    )*};
}

primitive! {
    bool => Bool "bool",
    i8 => S8 "s8",
    u8 => U8 "u8",
    i16 => S16 "s16",
    u16 => U16 "u16",
    i32 => S32 "s32",
    u32 => U32 "u32",
    i64 => S64 "s64",
    u64 => U64 "u64",
    f32 => Float32 "f32",
    f64 => Float64 "f64",
    char => Char "char",
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
}
impl Lift for String {
    fn from_val(val: Val) -> Result<Self> {
        match val {
            Val::String(s) => Ok(s),
            other => Err(bad_value("string", &other)),
        }
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
}
impl Lift for Box<str> {
    fn from_val(val: Val) -> Result<Self> {
        String::from_val(val).map(String::into_boxed_str)
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
}
impl<T: Lift> Lift for Vec<T> {
    fn from_val(val: Val) -> Result<Self> {
        match val {
            Val::List(items) => items.into_iter().map(T::from_val).collect(),
            other => Err(bad_value("list", &other)),
        }
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
}
impl<T: Lift> Lift for Box<[T]> {
    fn from_val(val: Val) -> Result<Self> {
        Vec::from_val(val).map(Vec::into_boxed_slice)
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
}
impl<T: Lift> Lift for Option<T> {
    fn from_val(val: Val) -> Result<Self> {
        match val {
            Val::Option(v) => v.map(|v| T::from_val(*v)).transpose(),
            other => Err(bad_value("option", &other)),
        }
    }
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
}
impl<T: Lift, E: Lift> Lift for Result<T, E> {
    fn from_val(val: Val) -> Result<Self> {
        match val {
            Val::Result(Ok(v)) => Ok(Ok(lift_payload(v)?)),
            Val::Result(Err(e)) => Ok(Err(lift_payload(e)?)),
            other => Err(bad_value("result", &other)),
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
        impl<$($t: ComponentType),*> ComponentNamedList for ($($t,)*) {}
        impl<$($t: Lower),*> Lower for ($($t,)*) {
            fn to_val(&self) -> Val {
                Val::Tuple(vec![$(self.$i.to_val()),*])
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
    results: usize,
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
    pub fn call(&self, store: impl AsContextMut, params: Params) -> Result<Results> {
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
