//! Reference types, `RefType`: a heap type and whether null is a value of it.

use super::HeapType;
#[cfg(doc)]
use super::ValType;
use std::fmt;

/// A reference type: a [`HeapType`] and whether null is a value of it.
///
/// ```
/// use wasmtime_dyn::{HeapType, RefType};
/// let ty = RefType::new(false, HeapType::I31);
/// assert!(!ty.is_nullable());
/// assert_eq!(ty.heap_type(), &HeapType::I31);
/// assert_eq!(ty.to_string(), "(ref i31)");
/// assert!(ty.matches(&RefType::ANYREF));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RefType {
    nullable: bool,
    heap_type: HeapType,
}

impl RefType {
    /// `(ref null func)`.
    ///
    /// ```
    /// use wasmtime_dyn::{HeapType, RefType};
    /// assert_eq!(RefType::FUNCREF.heap_type(), &HeapType::Func);
    /// ```
    pub const FUNCREF: RefType = RefType::new(true, HeapType::Func);
    /// `(ref null nofunc)`.
    ///
    /// ```
    /// use wasmtime_dyn::RefType;
    /// assert!(RefType::NULLFUNCREF.matches(&RefType::FUNCREF));
    /// ```
    pub const NULLFUNCREF: RefType = RefType::new(true, HeapType::NoFunc);
    /// `(ref null extern)`.
    ///
    /// ```
    /// use wasmtime_dyn::RefType;
    /// assert_eq!(RefType::EXTERNREF.to_string(), "externref");
    /// ```
    pub const EXTERNREF: RefType = RefType::new(true, HeapType::Extern);
    /// `(ref null noextern)`.
    ///
    /// ```
    /// use wasmtime_dyn::RefType;
    /// assert_eq!(RefType::NULLEXTERNREF.to_string(), "nullexternref");
    /// ```
    pub const NULLEXTERNREF: RefType = RefType::new(true, HeapType::NoExtern);
    /// `(ref null any)`.
    ///
    /// ```
    /// use wasmtime_dyn::RefType;
    /// assert!(RefType::ANYREF.is_nullable());
    /// ```
    pub const ANYREF: RefType = RefType::new(true, HeapType::Any);
    /// `(ref null eq)`.
    ///
    /// ```
    /// use wasmtime_dyn::RefType;
    /// assert!(RefType::EQREF.matches(&RefType::ANYREF));
    /// ```
    pub const EQREF: RefType = RefType::new(true, HeapType::Eq);
    /// `(ref null i31)`.
    ///
    /// ```
    /// use wasmtime_dyn::RefType;
    /// assert!(RefType::I31REF.matches(&RefType::EQREF));
    /// ```
    pub const I31REF: RefType = RefType::new(true, HeapType::I31);
    /// `(ref null struct)`.
    ///
    /// ```
    /// use wasmtime_dyn::RefType;
    /// assert!(RefType::STRUCTREF.matches(&RefType::EQREF));
    /// ```
    pub const STRUCTREF: RefType = RefType::new(true, HeapType::Struct);
    /// `(ref null array)`.
    ///
    /// ```
    /// use wasmtime_dyn::RefType;
    /// assert!(RefType::ARRAYREF.matches(&RefType::EQREF));
    /// ```
    pub const ARRAYREF: RefType = RefType::new(true, HeapType::Array);
    /// `(ref null none)`.
    ///
    /// ```
    /// use wasmtime_dyn::RefType;
    /// assert!(RefType::NULLREF.matches(&RefType::ARRAYREF));
    /// ```
    pub const NULLREF: RefType = RefType::new(true, HeapType::None);
    /// `(ref null exn)`.
    ///
    /// ```
    /// use wasmtime_dyn::RefType;
    /// assert!(!RefType::EXNREF.matches(&RefType::ANYREF));
    /// ```
    pub const EXNREF: RefType = RefType::new(true, HeapType::Exn);
    /// `(ref null noexn)`.
    ///
    /// ```
    /// use wasmtime_dyn::RefType;
    /// assert!(RefType::NULLEXNREF.matches(&RefType::EXNREF));
    /// ```
    pub const NULLEXNREF: RefType = RefType::new(true, HeapType::NoExn);

    /// A reference type: `(ref null heap_type)` when `nullable`, else
    /// `(ref heap_type)`.
    ///
    /// ```
    /// use wasmtime_dyn::{HeapType, RefType};
    /// assert_eq!(RefType::new(true, HeapType::Any), RefType::ANYREF);
    /// ```
    pub const fn new(nullable: bool, heap_type: HeapType) -> RefType {
        RefType {
            nullable,
            heap_type,
        }
    }

    /// Whether null is a value of this type.
    ///
    /// ```
    /// use wasmtime_dyn::{HeapType, RefType};
    /// assert!(!RefType::new(false, HeapType::Func).is_nullable());
    /// ```
    pub fn is_nullable(&self) -> bool {
        self.nullable
    }

    /// The heap type.
    ///
    /// ```
    /// use wasmtime_dyn::{HeapType, RefType};
    /// assert_eq!(RefType::EXNREF.heap_type(), &HeapType::Exn);
    /// ```
    pub fn heap_type(&self) -> &HeapType {
        &self.heap_type
    }

    /// Whether a value of this type is a value of `other` (see
    /// [`ValType::matches`]).
    ///
    /// ```
    /// use wasmtime_dyn::{HeapType, RefType};
    /// let non_null = RefType::new(false, HeapType::Any);
    /// assert!(non_null.matches(&RefType::ANYREF));
    /// assert!(!RefType::ANYREF.matches(&non_null));
    /// ```
    pub fn matches(&self, other: &RefType) -> bool {
        (!self.nullable || other.nullable) && self.heap_type.matches(&other.heap_type)
    }
}

impl fmt::Display for RefType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.nullable {
            let short = match self.heap_type {
                HeapType::Func => Some("funcref"),
                HeapType::NoFunc => Some("nullfuncref"),
                HeapType::Extern => Some("externref"),
                HeapType::NoExtern => Some("nullexternref"),
                HeapType::Any => Some("anyref"),
                HeapType::Eq => Some("eqref"),
                HeapType::I31 => Some("i31ref"),
                HeapType::Struct => Some("structref"),
                HeapType::Array => Some("arrayref"),
                HeapType::None => Some("nullref"),
                HeapType::Exn => Some("exnref"),
                HeapType::NoExn => Some("nullexnref"),
                _ => None,
            };
            match short {
                Some(s) => f.write_str(s),
                None => write!(f, "(ref null {})", self.heap_type),
            }
        } else {
            write!(f, "(ref {})", self.heap_type)
        }
    }
}
