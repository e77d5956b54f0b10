//! Heap types, `HeapType`: what a reference points to, abstract or concrete,
//! and their subtyping.

use super::FuncType;
#[cfg(doc)]
use super::ValType;
use crate::engine::Engine;
use crate::error::{ErrorKind, Result};
use crate::gc_types::{ArrayType, ExnType, StructType};
use std::fmt;

/// What a reference points to: an abstract type of one of the four
/// hierarchies (`func`, `extern`, `any`, `exn`, with their bottom types),
/// or a concrete type of a module or made by the host.
///
/// ```
/// use wasmtime_dyn::HeapType;
/// assert!(HeapType::I31.matches(&HeapType::Any));
/// assert_eq!(HeapType::Struct.top(), HeapType::Any);
/// assert!(HeapType::None.is_bottom());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HeapType {
    /// External references (`extern`).
    Extern,
    /// The bottom of the `extern` hierarchy (`noextern`): only null.
    NoExtern,
    /// Function references (`func`).
    Func,
    /// A concrete function type.
    ConcreteFunc(FuncType),
    /// The bottom of the `func` hierarchy (`nofunc`).
    NoFunc,
    /// The top of the GC hierarchy (`any`).
    Any,
    /// References that can be compared (`eq`).
    Eq,
    /// Unboxed 31-bit integers (`i31`).
    I31,
    /// Arrays (`array`).
    Array,
    /// A concrete array type.
    ConcreteArray(ArrayType),
    /// Structs (`struct`).
    Struct,
    /// A concrete struct type.
    ConcreteStruct(StructType),
    /// The bottom of the `any` hierarchy (`none`).
    None,
    /// Exceptions (`exn`).
    Exn,
    /// A concrete exception type.
    ConcreteExn(ExnType),
    /// The bottom of the `exn` hierarchy (`noexn`).
    NoExn,
}

impl HeapType {
    /// Every abstract heap type.
    pub(super) const ABSTRACT: [HeapType; 12] = [
        HeapType::Extern,
        HeapType::NoExtern,
        HeapType::Func,
        HeapType::NoFunc,
        HeapType::Any,
        HeapType::Eq,
        HeapType::I31,
        HeapType::Array,
        HeapType::Struct,
        HeapType::None,
        HeapType::Exn,
        HeapType::NoExn,
    ];

    /// Whether this is an abstract type (not a concrete one).
    ///
    /// ```
    /// use wasmtime_dyn::HeapType;
    /// assert!(HeapType::Eq.is_abstract());
    /// ```
    pub fn is_abstract(&self) -> bool {
        !self.is_concrete()
    }

    /// Whether this is a concrete type (of a module or made by the host).
    ///
    /// ```
    /// use wasmtime_dyn::{FuncType, HeapType};
    /// assert!(HeapType::ConcreteFunc(FuncType::new([], [])).is_concrete());
    /// assert!(!HeapType::Func.is_concrete());
    /// ```
    pub fn is_concrete(&self) -> bool {
        matches!(
            self,
            HeapType::ConcreteFunc(_)
                | HeapType::ConcreteArray(_)
                | HeapType::ConcreteStruct(_)
                | HeapType::ConcreteExn(_)
        )
    }

    /// The top of this type's hierarchy: `func`, `extern`, `any` or `exn`.
    ///
    /// ```
    /// use wasmtime_dyn::HeapType;
    /// assert_eq!(HeapType::NoFunc.top(), HeapType::Func);
    /// assert_eq!(HeapType::I31.top(), HeapType::Any);
    /// ```
    pub fn top(&self) -> HeapType {
        match self {
            HeapType::Func | HeapType::ConcreteFunc(_) | HeapType::NoFunc => HeapType::Func,
            HeapType::Extern | HeapType::NoExtern => HeapType::Extern,
            HeapType::Any
            | HeapType::Eq
            | HeapType::I31
            | HeapType::Array
            | HeapType::ConcreteArray(_)
            | HeapType::Struct
            | HeapType::ConcreteStruct(_)
            | HeapType::None => HeapType::Any,
            HeapType::Exn | HeapType::ConcreteExn(_) | HeapType::NoExn => HeapType::Exn,
        }
    }

    /// Whether this is the top of its hierarchy.
    ///
    /// ```
    /// use wasmtime_dyn::HeapType;
    /// assert!(HeapType::Any.is_top());
    /// assert!(!HeapType::Eq.is_top());
    /// ```
    pub fn is_top(&self) -> bool {
        matches!(
            self,
            HeapType::Func | HeapType::Extern | HeapType::Any | HeapType::Exn
        )
    }

    /// The bottom of this type's hierarchy: `nofunc`, `noextern`, `none` or
    /// `noexn`.
    ///
    /// ```
    /// use wasmtime_dyn::HeapType;
    /// assert_eq!(HeapType::Struct.bottom(), HeapType::None);
    /// ```
    pub fn bottom(&self) -> HeapType {
        match self.top() {
            HeapType::Func => HeapType::NoFunc,
            HeapType::Extern => HeapType::NoExtern,
            HeapType::Exn => HeapType::NoExn,
            _ => HeapType::None,
        }
    }

    /// Whether this is the bottom of its hierarchy.
    ///
    /// ```
    /// use wasmtime_dyn::HeapType;
    /// assert!(HeapType::NoExn.is_bottom());
    /// ```
    pub fn is_bottom(&self) -> bool {
        matches!(
            self,
            HeapType::NoFunc | HeapType::NoExtern | HeapType::None | HeapType::NoExn
        )
    }

    /// Whether a reference to this type is a reference to `other`
    /// (subtyping; concrete types match when they are the same type, see
    /// [`ValType::matches`]).
    ///
    /// ```
    /// use wasmtime_dyn::HeapType;
    /// assert!(HeapType::Struct.matches(&HeapType::Eq));
    /// assert!(HeapType::None.matches(&HeapType::Array));
    /// assert!(!HeapType::Func.matches(&HeapType::Any));
    /// ```
    pub fn matches(&self, other: &HeapType) -> bool {
        use HeapType::*;
        match (self, other) {
            (Extern, Extern) | (NoExtern, Extern | NoExtern) => true,
            (Func, Func) | (ConcreteFunc(_), Func) | (NoFunc, Func | ConcreteFunc(_) | NoFunc) => {
                true
            }
            (ConcreteFunc(a), ConcreteFunc(b)) => a == b,
            (Any, Any) | (Eq, Any | Eq) | (I31, Any | Eq | I31) => true,
            (Struct | ConcreteStruct(_), Any | Eq | Struct) => true,
            (ConcreteStruct(a), ConcreteStruct(b)) => a == b,
            (Array | ConcreteArray(_), Any | Eq | Array) => true,
            (ConcreteArray(a), ConcreteArray(b)) => a == b,
            (
                None,
                Any | Eq | I31 | Struct | ConcreteStruct(_) | Array | ConcreteArray(_) | None,
            ) => true,
            (Exn | ConcreteExn(_), Exn) | (NoExn, Exn | ConcreteExn(_) | NoExn) => true,
            (ConcreteExn(a), ConcreteExn(b)) => a == b,
            _ => false,
        }
    }

    /// The concrete struct type, if this is one.
    ///
    /// ```
    /// use wasmtime_dyn::HeapType;
    /// assert!(HeapType::Struct.as_concrete_struct().is_none());
    /// ```
    pub fn as_concrete_struct(&self) -> Option<&StructType> {
        match self {
            HeapType::ConcreteStruct(t) => Some(t),
            _ => None,
        }
    }

    /// The concrete array type, if this is one.
    ///
    /// ```
    /// use wasmtime_dyn::HeapType;
    /// assert!(HeapType::Array.as_concrete_array().is_none());
    /// ```
    pub fn as_concrete_array(&self) -> Option<&ArrayType> {
        match self {
            HeapType::ConcreteArray(t) => Some(t),
            _ => None,
        }
    }

    /// The concrete function type, if this is one.
    ///
    /// ```
    /// use wasmtime_dyn::{FuncType, HeapType};
    /// let ty = HeapType::ConcreteFunc(FuncType::new([], []));
    /// assert_eq!(ty.as_concrete_func().map(|f| f.params().len()), Some(0));
    /// ```
    pub fn as_concrete_func(&self) -> Option<&FuncType> {
        match self {
            HeapType::ConcreteFunc(t) => Some(t),
            _ => None,
        }
    }

    /// The concrete exception type, if this is one.
    ///
    /// ```
    /// use wasmtime_dyn::HeapType;
    /// assert!(HeapType::Exn.as_concrete_exn().is_none());
    /// ```
    pub fn as_concrete_exn(&self) -> Option<&ExnType> {
        match self {
            HeapType::ConcreteExn(t) => Some(t),
            _ => None,
        }
    }

    /// Checks that a concrete type belongs to `engine` (see
    /// [`ValType::check_engine`]).
    pub(crate) fn check_engine(&self, engine: &Engine) -> Result<()> {
        let other = match self {
            HeapType::ConcreteFunc(f) => return f.check_engine(engine),
            HeapType::ConcreteArray(t) => t.engine(),
            HeapType::ConcreteStruct(t) => t.engine(),
            HeapType::ConcreteExn(t) => t.engine(),
            _ => return Ok(()),
        };
        if Engine::same(other, engine) {
            Ok(())
        } else {
            Err(ErrorKind::WrongEngine("a concrete type", "the object it was used with").into())
        }
    }
}

impl fmt::Display for HeapType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HeapType::Extern => "extern",
            HeapType::NoExtern => "noextern",
            HeapType::Func => "func",
            HeapType::ConcreteFunc(_) => "(concrete func)",
            HeapType::NoFunc => "nofunc",
            HeapType::Any => "any",
            HeapType::Eq => "eq",
            HeapType::I31 => "i31",
            HeapType::Array => "array",
            HeapType::ConcreteArray(_) => "(concrete array)",
            HeapType::Struct => "struct",
            HeapType::ConcreteStruct(_) => "(concrete struct)",
            HeapType::None => "none",
            HeapType::Exn => "exn",
            HeapType::ConcreteExn(_) => "(concrete exn)",
            HeapType::NoExn => "noexn",
        })
    }
}
