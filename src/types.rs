//! WebAssembly types: values, references, functions, globals, memories,
//! tables, and the imports and exports of modules. Plain Rust data, with
//! handles for the concrete types of the GC proposal (see
//! [`StructType`](crate::StructType)), converted to and from the C API's
//! type objects at the boundary.

use crate::engine::Engine;
use crate::error::{ErrorKind, Result};
use crate::gc_types::{self, ArrayType, ExnType, FuncHandle, StructType};
use crate::sys::tables::Core;
use crate::sys::types::*;
use crate::wasm_scan::TableLimits;
use std::borrow::Cow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// The type of a WebAssembly value.
///
/// The seven types of WebAssembly 1.0 and reference types are variants
/// (`ValType::FuncRef` is `(ref null func)`, `ValType::ExternRef` is
/// `(ref null extern)`); every other reference type, of the typed function
/// references, GC and exceptions proposals, is [`ValType::Ref`]. Two
/// spellings of one type are equal: `ValType::Ref(RefType::FUNCREF) ==
/// ValType::FuncRef`, and the types this crate hands out always use the
/// variant. The associated constants name the usual reference types as the
/// `wasmtime` crate's do.
///
/// ```
/// use wasmtime_dyn::{HeapType, RefType, ValType};
/// assert!(ValType::FuncRef.is_ref());
/// assert_eq!(ValType::I64.to_string(), "i64");
/// assert_eq!(ValType::ANYREF.to_string(), "anyref");
/// assert_eq!(ValType::Ref(RefType::FUNCREF), ValType::FuncRef);
/// let non_null = ValType::from(RefType::new(false, HeapType::Struct));
/// assert_eq!(non_null.to_string(), "(ref struct)");
/// assert!(non_null.matches(&ValType::ANYREF));
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum ValType {
    /// 32-bit integer.
    I32,
    /// 64-bit integer.
    I64,
    /// 32-bit float.
    F32,
    /// 64-bit float.
    F64,
    /// 128-bit vector.
    V128,
    /// Nullable function reference, `(ref null func)`.
    FuncRef,
    /// Nullable external reference, `(ref null extern)`.
    ExternRef,
    /// Any other reference type: non-null references, the GC proposal's
    /// `any` hierarchy, exceptions, concrete types.
    Ref(RefType),
}

/// `(ref null func)` and `(ref null extern)` as [`RefType`]s, for
/// [`ValType::as_ref`] of the variants.
static FUNCREF_TYPE: RefType = RefType::FUNCREF;
static EXTERNREF_TYPE: RefType = RefType::EXTERNREF;

impl ValType {
    /// `(ref null func)`, as the `wasmtime` crate's constant.
    ///
    /// ```
    /// use wasmtime_dyn::ValType;
    /// assert_eq!(ValType::FUNCREF, ValType::FuncRef);
    /// ```
    pub const FUNCREF: ValType = ValType::FuncRef;
    /// `(ref null extern)`.
    ///
    /// ```
    /// use wasmtime_dyn::ValType;
    /// assert_eq!(ValType::EXTERNREF, ValType::ExternRef);
    /// ```
    pub const EXTERNREF: ValType = ValType::ExternRef;
    /// `(ref null nofunc)`.
    ///
    /// ```
    /// use wasmtime_dyn::ValType;
    /// assert!(ValType::NULLFUNCREF.matches(&ValType::FUNCREF));
    /// ```
    pub const NULLFUNCREF: ValType = ValType::Ref(RefType::NULLFUNCREF);
    /// `(ref null noextern)`.
    ///
    /// ```
    /// use wasmtime_dyn::ValType;
    /// assert!(ValType::NULLEXTERNREF.matches(&ValType::EXTERNREF));
    /// ```
    pub const NULLEXTERNREF: ValType = ValType::Ref(RefType::NULLEXTERNREF);
    /// `(ref null any)`.
    ///
    /// ```
    /// use wasmtime_dyn::ValType;
    /// assert_eq!(ValType::ANYREF.to_string(), "anyref");
    /// ```
    pub const ANYREF: ValType = ValType::Ref(RefType::ANYREF);
    /// `(ref null eq)`.
    ///
    /// ```
    /// use wasmtime_dyn::ValType;
    /// assert!(ValType::EQREF.matches(&ValType::ANYREF));
    /// ```
    pub const EQREF: ValType = ValType::Ref(RefType::EQREF);
    /// `(ref null i31)`.
    ///
    /// ```
    /// use wasmtime_dyn::ValType;
    /// assert!(ValType::I31REF.matches(&ValType::EQREF));
    /// ```
    pub const I31REF: ValType = ValType::Ref(RefType::I31REF);
    /// `(ref null struct)`.
    ///
    /// ```
    /// use wasmtime_dyn::ValType;
    /// assert!(ValType::STRUCTREF.matches(&ValType::EQREF));
    /// ```
    pub const STRUCTREF: ValType = ValType::Ref(RefType::STRUCTREF);
    /// `(ref null array)`.
    ///
    /// ```
    /// use wasmtime_dyn::ValType;
    /// assert!(!ValType::ARRAYREF.matches(&ValType::STRUCTREF));
    /// ```
    pub const ARRAYREF: ValType = ValType::Ref(RefType::ARRAYREF);
    /// `(ref null none)`.
    ///
    /// ```
    /// use wasmtime_dyn::ValType;
    /// assert!(ValType::NULLREF.matches(&ValType::STRUCTREF));
    /// ```
    pub const NULLREF: ValType = ValType::Ref(RefType::NULLREF);
    /// `(ref null exn)`.
    ///
    /// ```
    /// use wasmtime_dyn::ValType;
    /// assert_eq!(ValType::EXNREF.to_string(), "exnref");
    /// ```
    pub const EXNREF: ValType = ValType::Ref(RefType::EXNREF);
    /// `(ref null noexn)`.
    ///
    /// ```
    /// use wasmtime_dyn::ValType;
    /// assert!(ValType::NULLEXNREF.matches(&ValType::EXNREF));
    /// ```
    pub const NULLEXNREF: ValType = ValType::Ref(RefType::NULLEXNREF);

    /// Whether this is a reference type.
    ///
    /// ```
    /// use wasmtime_dyn::ValType;
    /// assert!(ValType::ExternRef.is_ref());
    /// assert!(ValType::ANYREF.is_ref());
    /// assert!(!ValType::V128.is_ref());
    /// ```
    pub fn is_ref(&self) -> bool {
        matches!(
            self,
            ValType::FuncRef | ValType::ExternRef | ValType::Ref(_)
        )
    }

    /// The reference type, if this is one (`(ref null func)` for
    /// [`ValType::FuncRef`]).
    ///
    /// ```
    /// use wasmtime_dyn::{RefType, ValType};
    /// assert_eq!(ValType::FuncRef.as_ref(), Some(&RefType::FUNCREF));
    /// assert_eq!(ValType::I32.as_ref(), None);
    /// ```
    pub fn as_ref(&self) -> Option<&RefType> {
        match self {
            ValType::FuncRef => Some(&FUNCREF_TYPE),
            ValType::ExternRef => Some(&EXTERNREF_TYPE),
            ValType::Ref(r) => Some(r),
            _ => None,
        }
    }

    /// The reference type.
    ///
    /// ```
    /// use wasmtime_dyn::{HeapType, ValType};
    /// assert_eq!(ValType::EQREF.unwrap_ref().heap_type(), &HeapType::Eq);
    /// ```
    ///
    /// # Panics
    ///
    /// If this is not a reference type.
    #[track_caller]
    pub fn unwrap_ref(&self) -> &RefType {
        self.as_ref()
            .unwrap_or_else(|| panic!("{self} is not a reference type"))
    }

    /// Whether a value of this type is a value of `other` (subtyping: equal
    /// types match, `(ref struct)` matches `anyref`, a non-null reference
    /// matches its nullable type). Two concrete types match when they are
    /// the same type: the C API does not say whether one declared the other
    /// as its supertype.
    ///
    /// ```
    /// use wasmtime_dyn::ValType;
    /// assert!(ValType::I31REF.matches(&ValType::ANYREF));
    /// assert!(!ValType::ANYREF.matches(&ValType::I31REF));
    /// assert!(!ValType::I32.matches(&ValType::I64));
    /// ```
    pub fn matches(&self, other: &ValType) -> bool {
        match (self.as_ref(), other.as_ref()) {
            (Some(a), Some(b)) => a.matches(b),
            (None, None) => std::mem::discriminant(self) == std::mem::discriminant(other),
            _ => false,
        }
    }

    /// This type with `(ref null func)` and `(ref null extern)` spelled as
    /// their variants.
    pub(crate) fn canonical(self) -> ValType {
        match self {
            ValType::Ref(r) if r == RefType::FUNCREF => ValType::FuncRef,
            ValType::Ref(r) if r == RefType::EXTERNREF => ValType::ExternRef,
            other => other,
        }
    }

    /// Whether values of this type take the crate's unchecked paths: a
    /// number, `funcref` or `externref` (whose values always match their
    /// type). Calls whose types are all simple pass raw values; the others
    /// go through the C API's checked calls, where Wasmtime checks each
    /// reference against concrete and non-null types.
    pub(crate) fn is_simple(&self) -> bool {
        match self {
            ValType::Ref(r) => *r == RefType::FUNCREF || *r == RefType::EXTERNREF,
            _ => true,
        }
    }

    /// Checks that the concrete types inside belong to `engine`: Wasmtime
    /// panics (aborting the process) on types of two engines used together.
    pub(crate) fn check_engine(&self, engine: &Engine) -> Result<()> {
        match self {
            ValType::Ref(r) => r.heap_type().check_engine(engine),
            _ => Ok(()),
        }
    }

    /// A new owned `wasm_valtype_t`.
    ///
    /// `wasm_valtype_new` aborts the process for `v128` (it knows only the
    /// standard kinds), so `v128` goes through `wasmtime_wasm_valtype_v128`,
    /// and other reference types through `wasmtime_valtype_to_wasm`.
    pub(crate) fn to_c(&self, engine: &Engine) -> Result<*mut wasm_valtype_t> {
        let core = engine.wasmtime().core();
        if let Some(simple) = self.simple_to_c(core) {
            return Ok(simple);
        }
        let ValType::Ref(r) = self else {
            unreachable!("every other type is simple")
        };
        self.check_engine(engine)?;
        gc_types::reftype_to_wasm(engine, r)
    }

    /// [`ValType::to_c`] of the types that need no engine; `None` for the
    /// others.
    fn simple_to_c(&self, core: &Core) -> Option<*mut wasm_valtype_t> {
        let kind = match self {
            ValType::I32 => WASM_I32,
            ValType::I64 => WASM_I64,
            ValType::F32 => WASM_F32,
            ValType::F64 => WASM_F64,
            ValType::FuncRef => WASM_FUNCREF,
            ValType::ExternRef => WASM_EXTERNREF,
            // SAFETY: takes nothing, returns a new owned type.
            ValType::V128 => return Some(unsafe { (core.wasmtime_wasm_valtype_v128)() }),
            ValType::Ref(r) if *r == RefType::FUNCREF => WASM_FUNCREF,
            ValType::Ref(r) if *r == RefType::EXTERNREF => WASM_EXTERNREF,
            ValType::Ref(_) => return None,
        } as wasm_valkind_t;
        // SAFETY: a standard kind constant; returns a new owned type.
        Some(unsafe { (core.wasm_valtype_new)(kind) })
    }

    /// Reads a `wasm_valtype_t` of `engine`'s objects.
    ///
    /// Neither simple reader of the C API knows every type:
    /// `wasm_valtype_kind` aborts the process on `v128` and on GC reference
    /// types, and `wasmtime_valtype_new` on the stack-switching proposal's
    /// `cont` references (C API types/val.rs, "missing support for
    /// contref"). So the type is first compared
    /// (`wasmtime_wasm_valtype_equal`, which never aborts on types without
    /// concrete parts) with the seven simple types; then, unless the engine
    /// has stack switching on, read in full with `wasmtime_valtype_new`.
    /// With stack switching on, only the abstract reference types are
    /// recognised (by comparison) and anything else is refused without
    /// asking the C API what it is.
    ///
    /// # Safety
    ///
    /// `ty` is a live `wasm_valtype_t` of `engine`'s library, of a module,
    /// instance or object of `engine`.
    pub(crate) unsafe fn from_c(engine: &Engine, ty: *const wasm_valtype_t) -> Result<ValType> {
        let core = engine.wasmtime().core();
        let known = known_valtypes(core);
        // SAFETY: `ty` is live (caller's contract); the known types are live
        // for the life of the process and have no concrete parts.
        let equal = |k: usize| unsafe { (core.wasmtime_wasm_valtype_equal)(ty, k as *const _) };
        if let Some((t, _)) = known.simple.iter().find(|(_, k)| equal(*k)) {
            return Ok(t.clone());
        }
        if engine.settings().stack_switching == Some(true) {
            return known
                .abstract_refs
                .iter()
                .find(|(_, k)| equal(*k))
                .map(|(r, _)| ValType::Ref(r.clone()))
                .ok_or_else(|| {
                    ErrorKind::Invalid(
                        "a concrete or continuation reference type of an engine with the \
                         stack-switching proposal on: the C API aborts the process reading a \
                         `cont` type, so wasmtime-dyn reads only the abstract reference types \
                         of such engines"
                            .into(),
                    )
                    .into()
                });
        }
        // SAFETY: `ty` is live and of an engine without stack switching, so
        // it holds no `cont` type, the one `wasmtime_valtype_new` aborts on.
        unsafe { gc_types::read_valtype(engine, ty) }
    }
}

impl PartialEq for ValType {
    fn eq(&self, other: &ValType) -> bool {
        match (self.as_ref(), other.as_ref()) {
            (Some(a), Some(b)) => a == b,
            (None, None) => std::mem::discriminant(self) == std::mem::discriminant(other),
            _ => false,
        }
    }
}

impl Eq for ValType {}

impl Hash for ValType {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self.as_ref() {
            Some(r) => {
                state.write_u8(0xff);
                r.hash(state);
            }
            None => std::mem::discriminant(self).hash(state),
        }
    }
}

impl From<RefType> for ValType {
    fn from(r: RefType) -> ValType {
        ValType::Ref(r).canonical()
    }
}

/// The types the C API reads without `wasmtime_valtype_new`, as
/// `wasm_valtype_t`s of one library (addresses), made once per library and
/// kept: libraries are never unloaded.
struct Known {
    /// The seven simple types.
    simple: Vec<(ValType, usize)>,
    /// Every abstract reference type, nullable and not.
    abstract_refs: Vec<(RefType, usize)>,
}

fn known_valtypes(core: &Core) -> &'static Known {
    use std::sync::Mutex;
    static KNOWN: Mutex<Vec<(usize, &'static Known)>> = Mutex::new(Vec::new());
    let key = core as *const Core as usize;
    let mut cache = KNOWN.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, known)) = cache.iter().find(|(k, _)| *k == key) {
        return known;
    }
    let simple = [
        ValType::I32,
        ValType::I64,
        ValType::F32,
        ValType::F64,
        ValType::V128,
        ValType::FuncRef,
        ValType::ExternRef,
    ]
    .into_iter()
    .map(|t| {
        let ptr = t.simple_to_c(core).expect("a simple type") as usize;
        (t, ptr)
    })
    .collect();
    let abstract_refs = HeapType::ABSTRACT
        .iter()
        .flat_map(|h| {
            [
                RefType::new(true, h.clone()),
                RefType::new(false, h.clone()),
            ]
        })
        .map(|r| {
            let ptr = gc_types::abstract_reftype_to_wasm(core, &r) as usize;
            (r, ptr)
        })
        .collect();
    let known: &'static Known = Box::leak(Box::new(Known {
        simple,
        abstract_refs,
    }));
    cache.push((key, known));
    known
}

impl fmt::Display for ValType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValType::I32 => f.write_str("i32"),
            ValType::I64 => f.write_str("i64"),
            ValType::F32 => f.write_str("f32"),
            ValType::F64 => f.write_str("f64"),
            ValType::V128 => f.write_str("v128"),
            ValType::FuncRef => f.write_str("funcref"),
            ValType::ExternRef => f.write_str("externref"),
            ValType::Ref(r) => write!(f, "{r}"),
        }
    }
}

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
    const ABSTRACT: [HeapType; 12] = [
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

/// The type of a function: its parameters and results.
///
/// ```
/// use wasmtime_dyn::{FuncType, ValType};
/// let ty = FuncType::new([ValType::I32, ValType::I32], [ValType::I32]);
/// assert_eq!(ty.params(), [ValType::I32, ValType::I32]);
/// assert_eq!(ty.to_string(), "(i32, i32) -> (i32)");
/// ```
#[derive(Clone)]
pub struct FuncType {
    repr: FuncRepr,
}

#[derive(Clone)]
enum FuncRepr {
    /// Read or given in full. `Cow`: the type of a typed function is its
    /// Rust signature's, named by static slices, with nothing to allocate.
    Plain {
        params: Cow<'static, [ValType]>,
        results: Cow<'static, [ValType]>,
    },
    /// The concrete type of a reference, read when first asked (a type
    /// may refer to itself: reading it in full would never end).
    Handle(Arc<FuncHandle>),
}

impl FuncType {
    /// A function type with these parameters and results.
    ///
    /// ```
    /// use wasmtime_dyn::{FuncType, ValType};
    /// let ty = FuncType::new([], [ValType::F64]);
    /// assert_eq!(ty.to_string(), "() -> (f64)");
    /// ```
    pub fn new(
        params: impl IntoIterator<Item = ValType>,
        results: impl IntoIterator<Item = ValType>,
    ) -> FuncType {
        FuncType {
            repr: FuncRepr::Plain {
                params: Cow::Owned(params.into_iter().map(ValType::canonical).collect()),
                results: Cow::Owned(results.into_iter().map(ValType::canonical).collect()),
            },
        }
    }

    /// The parameter types.
    ///
    /// ```
    /// use wasmtime_dyn::{FuncType, ValType};
    /// let ty = FuncType::new([ValType::I64, ValType::F32], []);
    /// assert_eq!(ty.params(), [ValType::I64, ValType::F32]);
    /// ```
    pub fn params(&self) -> &[ValType] {
        match &self.repr {
            FuncRepr::Plain { params, .. } => params,
            FuncRepr::Handle(h) => &h.signature().0,
        }
    }

    /// The result types.
    ///
    /// ```
    /// use wasmtime_dyn::{FuncType, ValType};
    /// let ty = FuncType::new([], [ValType::I32, ValType::I32]);
    /// assert_eq!(ty.results(), [ValType::I32, ValType::I32]);
    /// ```
    pub fn results(&self) -> &[ValType] {
        match &self.repr {
            FuncRepr::Plain { results, .. } => results,
            FuncRepr::Handle(h) => &h.signature().1,
        }
    }

    /// Whether every parameter and result is simple (see
    /// [`ValType::is_simple`]).
    pub(crate) fn is_simple(&self) -> bool {
        self.params()
            .iter()
            .chain(self.results())
            .all(ValType::is_simple)
    }

    /// Checks that the concrete types inside belong to `engine`.
    pub(crate) fn check_engine(&self, engine: &Engine) -> Result<()> {
        match &self.repr {
            FuncRepr::Handle(h) if !Engine::same(h.engine(), engine) => {
                Err(ErrorKind::WrongEngine("a concrete type", "the object it was used with").into())
            }
            FuncRepr::Handle(_) => Ok(()),
            FuncRepr::Plain { params, results } => params
                .iter()
                .chain(results.iter())
                .try_for_each(|t| t.check_engine(engine)),
        }
    }

    /// A new owned `wasm_functype_t`, deleted when the guard drops.
    pub(crate) fn to_c<'a>(&self, engine: &'a Engine) -> Result<CFuncType<'a>> {
        let core = engine.wasmtime().core();
        if let FuncRepr::Handle(h) = &self.repr {
            self.check_engine(engine)?;
            // SAFETY: the handle's type is live; the copy is owned here.
            let ptr = unsafe { (core.wasm_functype_copy)(h.ptr()) };
            return Ok(CFuncType { core, ptr });
        }
        let vec = |types: &[ValType]| -> Result<wasm_valtype_vec_t> {
            let mut items: Vec<*mut wasm_valtype_t> = Vec::with_capacity(types.len());
            for t in types {
                match t.to_c(engine) {
                    Ok(p) => items.push(p),
                    Err(e) => {
                        for p in items {
                            // SAFETY: made above, owned here, deleted once.
                            unsafe { (core.wasm_valtype_delete)(p) };
                        }
                        return Err(e);
                    }
                }
            }
            let mut out = wasm_valtype_vec_t {
                size: 0,
                data: std::ptr::null_mut(),
            };
            // SAFETY: `items` holds `len` owned valtypes whose ownership
            // moves into the new vector; `out` is writable.
            unsafe { (core.wasm_valtype_vec_new)(&mut out, items.len(), items.as_ptr()) };
            Ok(out)
        };
        let mut params = vec(self.params())?;
        let mut results = match vec(self.results()) {
            Ok(r) => r,
            Err(e) => {
                // SAFETY: made above, owned here, deleted once.
                unsafe { (core.wasm_valtype_vec_delete)(&mut params) };
                return Err(e);
            }
        };
        // SAFETY: both vectors are owned and move into the new functype.
        let ptr = unsafe { (core.wasm_functype_new)(&mut params, &mut results) };
        Ok(CFuncType { core, ptr })
    }

    /// Reads a function type in full (its concrete reference types as
    /// handles).
    ///
    /// # Safety
    ///
    /// `ty` is a live `wasm_functype_t` of `engine`'s library and objects.
    pub(crate) unsafe fn from_c(engine: &Engine, ty: *const wasm_functype_t) -> Result<FuncType> {
        let core = engine.wasmtime().core();
        // SAFETY: `ty` is live; its vectors live as long as it does.
        unsafe {
            Ok(FuncType {
                repr: FuncRepr::Plain {
                    params: Cow::Owned(read_valtypes(engine, (core.wasm_functype_params)(ty))?),
                    results: Cow::Owned(read_valtypes(engine, (core.wasm_functype_results)(ty))?),
                },
            })
        }
    }

    /// A concrete function type of a reference, read when first asked.
    pub(crate) fn from_handle(handle: FuncHandle) -> FuncType {
        FuncType {
            repr: FuncRepr::Handle(Arc::new(handle)),
        }
    }

    /// A concrete function type sharing `handle`.
    pub(crate) fn from_shared_handle(handle: Arc<FuncHandle>) -> FuncType {
        FuncType {
            repr: FuncRepr::Handle(handle),
        }
    }

    /// The type `params -> results`, allocating nothing.
    pub(crate) fn from_static(params: &'static [ValType], results: &'static [ValType]) -> FuncType {
        FuncType {
            repr: FuncRepr::Plain {
                params: Cow::Borrowed(params),
                results: Cow::Borrowed(results),
            },
        }
    }

    /// Whether the C function type `ty` is `params -> results`, asked of
    /// the library one value type at a time, without reading the type into
    /// a [`FuncType`] (which compares each value type with every known one).
    /// Only simple types are compared here: `false` for any other, and the
    /// caller reads the type in full.
    ///
    /// # Safety
    ///
    /// `ty` is a live `wasm_functype_t` of `core`'s library.
    pub(crate) unsafe fn c_is(
        core: &Core,
        ty: *const wasm_functype_t,
        params: &[ValType],
        results: &[ValType],
    ) -> bool {
        let known = known_valtypes(core);
        let same = |vec: *const wasm_valtype_vec_t, want: &[ValType]| {
            // SAFETY: `ty` is live, so are its vectors and their valtypes;
            // the known types live for the life of the process.
            unsafe {
                let vec = &*vec;
                vec.size == want.len()
                    && want.iter().enumerate().all(|(i, t)| {
                        known
                            .simple
                            .iter()
                            .find(|(k, _)| k == t)
                            .is_some_and(|(_, k)| {
                                (core.wasmtime_wasm_valtype_equal)(*vec.data.add(i), *k as *const _)
                            })
                    })
            }
        };
        // SAFETY: `ty` is live (caller's contract).
        unsafe {
            same((core.wasm_functype_params)(ty), params)
                && same((core.wasm_functype_results)(ty), results)
        }
    }
}

impl PartialEq for FuncType {
    fn eq(&self, other: &FuncType) -> bool {
        match (&self.repr, &other.repr) {
            (FuncRepr::Handle(a), FuncRepr::Handle(b)) => Arc::ptr_eq(a, b) || a.same_as(b),
            _ => self.params() == other.params() && self.results() == other.results(),
        }
    }
}

impl Eq for FuncType {}

impl Hash for FuncType {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // The lengths only: a type read from a handle and the same type
        // given in full are equal, and a type may refer to itself.
        self.params().len().hash(state);
        self.results().len().hash(state);
    }
}

impl fmt::Debug for FuncType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FuncType({self})")
    }
}

/// # Safety
///
/// `vec` is a live vector of live valtypes of `engine`'s objects.
unsafe fn read_valtypes(engine: &Engine, vec: *const wasm_valtype_vec_t) -> Result<Vec<ValType>> {
    // SAFETY: live (caller's contract).
    let vec = unsafe { &*vec };
    (0..vec.size)
        // SAFETY: the vector holds `size` live valtypes.
        .map(|i| unsafe { ValType::from_c(engine, *vec.data.add(i)) })
        .collect()
}

impl fmt::Display for FuncType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |f: &mut fmt::Formatter<'_>, types: &[ValType]| {
            f.write_str("(")?;
            for (i, t) in types.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{t}")?;
            }
            f.write_str(")")
        };
        list(f, self.params())?;
        f.write_str(" -> ")?;
        list(f, self.results())
    }
}

/// An owned `wasm_functype_t`, deleted on drop.
pub(crate) struct CFuncType<'a> {
    core: &'a Core,
    pub(crate) ptr: *mut wasm_functype_t,
}

impl Drop for CFuncType<'_> {
    fn drop(&mut self) {
        // SAFETY: owned by this guard, deleted once.
        unsafe { (self.core.wasm_functype_delete)(self.ptr) };
    }
}

/// Whether a global can be written.
///
/// ```
/// use wasmtime_dyn::{GlobalType, Mutability, ValType};
/// let ty = GlobalType::new(ValType::I32, Mutability::Const);
/// assert_eq!(ty.mutability(), Mutability::Const);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mutability {
    /// Read-only.
    Const,
    /// Writable.
    Var,
}

/// The type of a global.
///
/// ```
/// use wasmtime_dyn::{GlobalType, Mutability, ValType};
/// let ty = GlobalType::new(ValType::I32, Mutability::Var);
/// assert_eq!(ty.content(), &ValType::I32);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct GlobalType {
    content: ValType,
    mutability: Mutability,
}

impl GlobalType {
    /// A global type.
    ///
    /// ```
    /// use wasmtime_dyn::{GlobalType, Mutability, ValType};
    /// let ty = GlobalType::new(ValType::F32, Mutability::Var);
    /// assert_eq!((ty.content(), ty.mutability()), (&ValType::F32, Mutability::Var));
    /// ```
    pub fn new(content: ValType, mutability: Mutability) -> GlobalType {
        GlobalType {
            content: content.canonical(),
            mutability,
        }
    }

    /// The value type.
    ///
    /// ```
    /// use wasmtime_dyn::{GlobalType, Mutability, ValType};
    /// assert_eq!(GlobalType::new(ValType::I64, Mutability::Const).content(), &ValType::I64);
    /// ```
    pub fn content(&self) -> &ValType {
        &self.content
    }

    /// Whether it is writable.
    ///
    /// ```
    /// use wasmtime_dyn::{GlobalType, Mutability, ValType};
    /// assert_eq!(GlobalType::new(ValType::I64, Mutability::Var).mutability(), Mutability::Var);
    /// ```
    pub fn mutability(&self) -> Mutability {
        self.mutability
    }

    /// A new owned `wasm_globaltype_t`; the caller deletes it.
    /// `wasm_globaltype_new` returns NULL for an unknown mutability, which
    /// cannot happen here, but is checked anyway rather than handed on.
    pub(crate) fn to_c(&self, engine: &Engine) -> crate::Result<*mut wasm_globaltype_t> {
        let core = engine.wasmtime().core();
        let content = self.content.to_c(engine)?;
        let mutability = match self.mutability {
            Mutability::Const => WASM_CONST,
            Mutability::Var => WASM_VAR,
        } as wasm_mutability_t;
        // SAFETY: the new valtype's ownership moves into the globaltype (the
        // C API takes it by `Box` and frees it even when it returns NULL).
        let ty = unsafe { (core.wasm_globaltype_new)(content, mutability) };
        if ty.is_null() {
            return Err(crate::ErrorKind::Invalid(format!(
                "the C API refused the global type {:?} {}",
                self.mutability, self.content
            ))
            .into());
        }
        Ok(ty)
    }

    /// # Safety
    ///
    /// `ty` is a live `wasm_globaltype_t` of `engine`'s library and objects.
    pub(crate) unsafe fn from_c(
        engine: &Engine,
        ty: *const wasm_globaltype_t,
    ) -> crate::Result<GlobalType> {
        let core = engine.wasmtime().core();
        // SAFETY: `ty` is live, and so is the content type it owns.
        unsafe {
            Ok(GlobalType {
                content: ValType::from_c(engine, (core.wasm_globaltype_content)(ty))?,
                mutability: if u32::from((core.wasm_globaltype_mutability)(ty)) == WASM_VAR {
                    Mutability::Var
                } else {
                    Mutability::Const
                },
            })
        }
    }
}

/// The type of a linear memory, in pages (64 KiB unless the module set
/// another size with the custom page sizes proposal; see
/// [`MemoryType::page_size`]).
///
/// ```
/// use wasmtime_dyn::MemoryType;
/// let ty = MemoryType::new(1, Some(2));
/// assert_eq!((ty.minimum(), ty.maximum()), (1, Some(2)));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MemoryType {
    minimum: u64,
    maximum: Option<u64>,
    is_64: bool,
    shared: bool,
    page_size_log2: u8,
}

/// The log2 of the default page size, 64 KiB.
const DEFAULT_PAGE_SIZE_LOG2: u8 = 16;

impl MemoryType {
    /// A 32-bit, unshared memory of `minimum` pages, growable to `maximum`.
    ///
    /// ```
    /// use wasmtime_dyn::MemoryType;
    /// let ty = MemoryType::new(1, None);
    /// assert_eq!((ty.minimum(), ty.maximum()), (1, None));
    /// assert!(!ty.is_64() && !ty.is_shared());
    /// ```
    pub fn new(minimum: u32, maximum: Option<u32>) -> MemoryType {
        MemoryType {
            minimum: minimum.into(),
            maximum: maximum.map(Into::into),
            is_64: false,
            shared: false,
            page_size_log2: DEFAULT_PAGE_SIZE_LOG2,
        }
    }

    /// A shared memory (threads proposal); needs a maximum.
    ///
    /// ```
    /// use wasmtime_dyn::MemoryType;
    /// let ty = MemoryType::shared(1, 16);
    /// assert!(ty.is_shared());
    /// assert_eq!(ty.maximum(), Some(16));
    /// ```
    pub fn shared(minimum: u32, maximum: u32) -> MemoryType {
        MemoryType {
            minimum: minimum.into(),
            maximum: Some(maximum.into()),
            is_64: false,
            shared: true,
            page_size_log2: DEFAULT_PAGE_SIZE_LOG2,
        }
    }

    /// The minimum size in pages.
    ///
    /// ```
    /// use wasmtime_dyn::MemoryType;
    /// assert_eq!(MemoryType::new(3, Some(10)).minimum(), 3);
    /// ```
    pub fn minimum(&self) -> u64 {
        self.minimum
    }

    /// The maximum size in pages, if any.
    ///
    /// ```
    /// use wasmtime_dyn::MemoryType;
    /// assert_eq!(MemoryType::new(3, Some(10)).maximum(), Some(10));
    /// assert_eq!(MemoryType::new(3, None).maximum(), None);
    /// ```
    pub fn maximum(&self) -> Option<u64> {
        self.maximum
    }

    /// Whether the memory is 64-bit.
    ///
    /// ```
    /// use wasmtime_dyn::MemoryType;
    /// assert!(!MemoryType::new(1, None).is_64()); // memory64 memories come from modules
    /// ```
    pub fn is_64(&self) -> bool {
        self.is_64
    }

    /// Whether the memory is shared.
    ///
    /// ```
    /// use wasmtime_dyn::MemoryType;
    /// assert!(MemoryType::shared(1, 2).is_shared());
    /// assert!(!MemoryType::new(1, Some(2)).is_shared());
    /// ```
    pub fn is_shared(&self) -> bool {
        self.shared
    }

    /// The size of a page in bytes: 65536, or what the module declared with
    /// the custom page sizes proposal (1 is the only other size Wasmtime
    /// accepts). [`minimum`](MemoryType::minimum) and
    /// [`maximum`](MemoryType::maximum) count pages of this size.
    ///
    /// ```
    /// use wasmtime_dyn::MemoryType;
    /// let ty = MemoryType::new(2, None);
    /// assert_eq!(ty.page_size(), 65536);
    /// assert_eq!(ty.minimum() * ty.page_size(), 128 * 1024);
    /// ```
    pub fn page_size(&self) -> u64 {
        1 << self.page_size_log2
    }

    /// The log2 of [`page_size`](MemoryType::page_size): 16, or 0 for
    /// one-byte pages.
    ///
    /// ```
    /// use wasmtime_dyn::MemoryType;
    /// assert_eq!(MemoryType::new(1, None).page_size_log2(), 16);
    /// ```
    pub fn page_size_log2(&self) -> u8 {
        self.page_size_log2
    }

    /// A new owned `wasm_memorytype_t`; the caller deletes it.
    pub(crate) fn to_c(self, core: &Core) -> crate::Result<*mut wasm_memorytype_t> {
        let mut out = std::ptr::null_mut();
        // SAFETY: plain arguments and a writable out-pointer.
        let error = unsafe {
            (core.wasmtime_memorytype_new)(
                self.minimum,
                self.maximum.is_some(),
                self.maximum.unwrap_or(0),
                self.is_64,
                self.shared,
                self.page_size_log2,
                &mut out,
            )
        };
        // SAFETY: the error, if any, is fresh and owned.
        unsafe { crate::error::check(core, error) }?;
        Ok(out)
    }

    /// # Safety
    ///
    /// `ty` is a live `wasm_memorytype_t` of `core`'s library.
    pub(crate) unsafe fn from_c(core: &Core, ty: *const wasm_memorytype_t) -> MemoryType {
        let mut maximum = 0;
        // SAFETY: `ty` is live; `maximum` is writable.
        unsafe {
            MemoryType {
                minimum: (core.wasmtime_memorytype_minimum)(ty),
                maximum: (core.wasmtime_memorytype_maximum)(ty, &mut maximum).then_some(maximum),
                is_64: (core.wasmtime_memorytype_is64)(ty),
                shared: (core.wasmtime_memorytype_isshared)(ty),
                page_size_log2: (core.wasmtime_memorytype_page_size_log2)(ty),
            }
        }
    }
}

/// The type of a table.
///
/// ```
/// use wasmtime_dyn::{TableType, ValType};
/// let ty = TableType::new(ValType::FuncRef, 2, None);
/// assert_eq!(ty.element(), &ValType::FuncRef);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TableType {
    element: ValType,
    is_64: bool,
    minimum: u64,
    maximum: Option<u64>,
}

impl TableType {
    /// A table of `element` references, `minimum` to `maximum` entries.
    ///
    /// ```
    /// use wasmtime_dyn::{TableType, ValType};
    /// let ty = TableType::new(ValType::ExternRef, 0, Some(100));
    /// assert_eq!((ty.minimum(), ty.maximum()), (0, Some(100)));
    /// ```
    pub fn new(element: ValType, minimum: u32, maximum: Option<u32>) -> TableType {
        TableType {
            element: element.canonical(),
            is_64: false,
            minimum: u64::from(minimum),
            maximum: maximum.map(u64::from),
        }
    }

    /// A table of `element` references indexed by `i64` (the memory64
    /// proposal's `table64`), `minimum` to `maximum` entries.
    ///
    /// Modules may declare and export such tables and this type describes
    /// them, but the C API creates 32-bit tables only, so
    /// [`Table::new`](crate::Table::new) refuses this type.
    ///
    /// ```
    /// use wasmtime_dyn::{TableType, ValType};
    /// let ty = TableType::new64(ValType::FuncRef, 1, Some(1 << 40));
    /// assert!(ty.is_64());
    /// assert_eq!(ty.maximum(), Some(1 << 40));
    /// ```
    pub fn new64(element: ValType, minimum: u64, maximum: Option<u64>) -> TableType {
        TableType {
            element: element.canonical(),
            is_64: true,
            minimum,
            maximum,
        }
    }

    /// Whether the table is indexed by `i64` (`table64`).
    ///
    /// ```
    /// use wasmtime_dyn::{TableType, ValType};
    /// assert!(!TableType::new(ValType::FuncRef, 1, None).is_64());
    /// ```
    pub fn is_64(&self) -> bool {
        self.is_64
    }

    /// The element type.
    ///
    /// ```
    /// use wasmtime_dyn::{TableType, ValType};
    /// assert_eq!(TableType::new(ValType::ExternRef, 1, None).element(), &ValType::ExternRef);
    /// ```
    pub fn element(&self) -> &ValType {
        &self.element
    }

    /// The minimum number of entries.
    ///
    /// ```
    /// use wasmtime_dyn::{TableType, ValType};
    /// assert_eq!(TableType::new(ValType::FuncRef, 4, None).minimum(), 4);
    /// ```
    pub fn minimum(&self) -> u64 {
        self.minimum
    }

    /// The maximum number of entries, if any.
    ///
    /// The C API's table limits are 32-bit, with `u32::MAX` standing for
    /// "no maximum", and say nothing of `table64`. For the tables of a
    /// module compiled from bytes (and of its instances) this crate reads
    /// the real limits from the bytes; for a module made by
    /// [`Module::deserialize`](crate::Module::deserialize), whose bytes it
    /// never sees, only the C API can answer: a maximum of `u32::MAX` then
    /// reads as `None`, and [`is_64`](TableType::is_64) as `false`.
    ///
    /// ```
    /// use wasmtime_dyn::{TableType, ValType};
    /// assert_eq!(TableType::new(ValType::FuncRef, 4, Some(8)).maximum(), Some(8));
    /// assert_eq!(TableType::new(ValType::FuncRef, 4, None).maximum(), None);
    /// ```
    pub fn maximum(&self) -> Option<u64> {
        self.maximum
    }

    /// A new owned `wasm_tabletype_t`; the caller deletes it.
    ///
    /// `wasm_tabletype_new` returns NULL when the element type is not a
    /// reference type, so that is refused first (and NULL checked anyway).
    pub(crate) fn to_c(&self, engine: &Engine) -> crate::Result<*mut wasm_tabletype_t> {
        let core = engine.wasmtime().core();
        if !self.element.is_ref() {
            return Err(crate::ErrorKind::TypeMismatch(format!(
                "a table's elements must be references, not {}",
                self.element
            ))
            .into());
        }
        // `wasm_limits_t` has 32-bit limits, reserves `u32::MAX` for "no
        // maximum", and `wasm_tabletype_new` makes 32-bit tables only.
        if self.is_64 {
            return Err(crate::ErrorKind::Invalid(
                "the C API creates 32-bit tables only: use `TableType::new`, not \
                 `TableType::new64`"
                    .into(),
            )
            .into());
        }
        let max = match self.maximum {
            None => Some(u32::MAX),
            Some(max) => u32::try_from(max).ok().filter(|max| *max != u32::MAX),
        };
        let (Ok(min), Some(max)) = (u32::try_from(self.minimum), max) else {
            return Err(crate::ErrorKind::Invalid(format!(
                "the C API's table limits stay below 4294967295, which it reads as \
                 \"no maximum\": a table of {} to {:?} entries cannot be made; use a smaller \
                 maximum or None",
                self.minimum, self.maximum
            ))
            .into());
        };
        if min > max {
            return Err(crate::ErrorKind::Invalid(format!(
                "a table's minimum ({min}) is above its maximum ({max})"
            ))
            .into());
        }
        let limits = wasm_limits_t { min, max };
        let element = self.element.to_c(engine)?;
        // SAFETY: the valtype's ownership moves in (the C API takes it by
        // `Box` and frees it even when it returns NULL); `limits` is read
        // only.
        let ty = unsafe { (core.wasm_tabletype_new)(element, &limits) };
        if ty.is_null() {
            return Err(crate::ErrorKind::TypeMismatch(format!(
                "the C API refused the table type of {} elements",
                self.element
            ))
            .into());
        }
        Ok(ty)
    }

    /// The type of `ty`, with `known` limits where this crate read them
    /// from the module: `wasm_tabletype_limits` aborts the process on
    /// limits beyond `u32` and cannot say `table64` or a maximum of
    /// `u32::MAX`, so it is asked only when nothing better is known.
    ///
    /// # Safety
    ///
    /// `ty` is a live `wasm_tabletype_t` of `engine`'s library and objects.
    pub(crate) unsafe fn from_c(
        engine: &Engine,
        ty: *const wasm_tabletype_t,
        known: Option<TableLimits>,
    ) -> crate::Result<TableType> {
        let core = engine.wasmtime().core();
        // SAFETY: `ty` is live and owns its element type and limits.
        unsafe {
            let element = ValType::from_c(engine, (core.wasm_tabletype_element)(ty))?;
            if let Some(known) = known {
                return Ok(TableType {
                    element,
                    is_64: known.is_64,
                    minimum: known.minimum,
                    maximum: known.maximum,
                });
            }
            let limits = &*(core.wasm_tabletype_limits)(ty);
            Ok(TableType {
                element,
                is_64: false,
                minimum: u64::from(limits.min),
                maximum: (limits.max != u32::MAX).then_some(u64::from(limits.max)),
            })
        }
    }
}

/// The type of an import or export.
///
/// ```no_run
/// use wasmtime_dyn::{ExternType, Module};
/// # let module: Module = unimplemented!();
/// for export in module.exports()? {
///     match export.ty {
///         ExternType::Func(ty) => println!("{}: function {ty}", export.name),
///         ExternType::Memory(ty) => println!("{}: memory of {} pages", export.name, ty.minimum()),
///         other => println!("{}: {other:?}", export.name),
///     }
/// }
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ExternType {
    /// A function.
    Func(FuncType),
    /// A global.
    Global(GlobalType),
    /// A table.
    Table(TableType),
    /// A memory.
    Memory(MemoryType),
    /// A tag (exceptions proposal).
    Tag(crate::gc_types::TagType),
}

impl ExternType {
    /// # Safety
    ///
    /// `ty` is a live `wasm_externtype_t` of `engine`'s library and objects.
    ///
    /// A table's limits are `known_table` where given (see
    /// [`TableType::from_c`]).
    pub(crate) unsafe fn from_c(
        engine: &Engine,
        ty: *const wasm_externtype_t,
        known_table: Option<TableLimits>,
    ) -> crate::Result<ExternType> {
        let core = engine.wasmtime().core();
        // SAFETY: `ty` is live; each cast matches the kind it reports.
        unsafe {
            Ok(match u32::from((core.wasm_externtype_kind)(ty)) {
                WASM_EXTERN_FUNC => ExternType::Func(FuncType::from_c(
                    engine,
                    (core.wasm_externtype_as_functype_const)(ty),
                )?),
                WASM_EXTERN_GLOBAL => ExternType::Global(GlobalType::from_c(
                    engine,
                    (core.wasm_externtype_as_globaltype_const)(ty),
                )?),
                WASM_EXTERN_TABLE => ExternType::Table(TableType::from_c(
                    engine,
                    (core.wasm_externtype_as_tabletype_const)(ty),
                    known_table,
                )?),
                WASM_EXTERN_MEMORY => ExternType::Memory(MemoryType::from_c(
                    core,
                    (core.wasm_externtype_as_memorytype_const)(ty),
                )),
                WASM_EXTERN_TAG => ExternType::Tag(crate::gc_types::TagType::from_c(
                    engine,
                    (core.wasm_externtype_as_tagtype_const)(ty),
                )?),
                other => {
                    return Err(ErrorKind::Invalid(format!(
                        "an import or export of unknown kind {other}"
                    ))
                    .into())
                }
            })
        }
    }
}

/// An import of a module: where from, what, and its type.
///
/// ```no_run
/// # let module: wasmtime_dyn::Module = unimplemented!();
/// for import in module.imports()? {
///     println!("{}.{}: {:?}", import.module, import.name, import.ty);
/// }
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportType {
    /// The module name.
    pub module: String,
    /// The item name.
    pub name: String,
    /// Its type.
    pub ty: ExternType,
}

/// An export of a module: its name and type.
///
/// ```no_run
/// # let module: wasmtime_dyn::Module = unimplemented!();
/// let names: Vec<String> = module.exports()?.into_iter().map(|export| export.name).collect();
/// println!("exports: {names:?}");
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportType {
    /// The export name.
    pub name: String,
    /// Its type.
    pub ty: ExternType,
}

/// Reads a name the library owns.
///
/// # Safety
///
/// `name` is a live `wasm_name_t`.
pub(crate) unsafe fn name_of(name: *const wasm_name_t) -> String {
    // SAFETY: live (caller's contract), holding `size` bytes at `data`.
    unsafe {
        let name = &*name;
        if name.data.is_null() {
            return String::new();
        }
        String::from_utf8_lossy(std::slice::from_raw_parts(
            name.data.cast::<u8>(),
            name.size,
        ))
        .into_owned()
    }
}
