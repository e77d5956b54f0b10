//! The type of a WebAssembly value, `ValType`, and its conversions to and
//! from the C API's value types.

use super::{HeapType, RefType};
use crate::engine::Engine;
use crate::error::{ErrorKind, Result};
use crate::gc_types::{self};
use crate::sys::types::*;
use std::fmt;
use std::hash::{Hash, Hasher};

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
        if let Some(simple) = self.simple_to_c(engine.wasmtime()) {
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
    fn simple_to_c(&self, wasmtime: &crate::Wasmtime) -> Option<*mut wasm_valtype_t> {
        let core = wasmtime.core();
        let kind = match self {
            ValType::I32 => WASM_I32,
            ValType::I64 => WASM_I64,
            ValType::F32 => WASM_F32,
            ValType::F64 => WASM_F64,
            ValType::FuncRef => WASM_FUNCREF,
            ValType::ExternRef => WASM_EXTERNREF,
            ValType::V128 => match &wasmtime.tables().core_since_45 {
                // SAFETY: takes nothing, returns a new owned type.
                Some(since45) => return Some(unsafe { (since45.wasmtime_wasm_valtype_v128)() }),
                // Before 45, `wasm_valtype_new` takes Wasmtime's own
                // `WASMTIME_V128` kind (the C API's `into_valtype`).
                None => WASMTIME_V128,
            },
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
        let known = known_valtypes(engine.wasmtime());
        let Some(since45) = engine.wasmtime().tables().core_since_45.as_ref() else {
            // SAFETY: the caller's contract.
            return unsafe { from_c_before_45(engine, ty) };
        };
        // SAFETY: `ty` is live (caller's contract); the known types are live
        // for the life of the process and have no concrete parts.
        let equal = |k: usize| unsafe { (since45.wasmtime_wasm_valtype_equal)(ty, k as *const _) };
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

/// [`ValType::from_c`] on a major without `wasmtime_wasm_valtype_equal`
/// and `wasmtime_valtype_new` (before 45): `wasm_valtype_kind` reads the
/// seven simple types, and aborts the process on any other reference type
/// (the C API's `from_valtype`). Such types only exist in engines with the
/// function-references, GC, exceptions or stack-switching proposal on
/// (none is on by default in 36 to 44), and there only once a module
/// declaring one (or a module or component this crate does not read) was
/// compiled or loaded ([`Engine::note_typed_references`]): such engines
/// are refused before the call.
///
/// # Safety
///
/// `ty` is a live `wasm_valtype_t` of `engine`'s library.
unsafe fn from_c_before_45(engine: &Engine, ty: *const wasm_valtype_t) -> Result<ValType> {
    let s = engine.settings();
    let typed_refs = [
        s.function_references,
        s.wasm_gc,
        s.exceptions,
        s.stack_switching,
    ];
    if typed_refs.contains(&Some(true)) && engine.may_hold_typed_references() {
        return Err(ErrorKind::UnsupportedVersion {
            feature: "reading value types of an engine with the function-references, GC, \
                      exceptions or stack-switching proposal on (the C API before 45 aborts \
                      the process on their reference types)",
            needs: crate::sys::tables::TableId::CoreSince45.majors(),
            found: engine.wasmtime().version(),
        }
        .into());
    }
    // SAFETY: `ty` is live (contract) and, in an engine without those
    // proposals, one of the seven simple types, which this reads without
    // aborting.
    let kind = unsafe { (engine.wasmtime().core().wasm_valtype_kind)(ty) };
    Ok(match u32::from(kind) {
        WASM_I32 => ValType::I32,
        WASM_I64 => ValType::I64,
        WASM_F32 => ValType::F32,
        WASM_F64 => ValType::F64,
        WASMTIME_V128 => ValType::V128,
        WASM_FUNCREF => ValType::FuncRef,
        WASM_EXTERNREF => ValType::ExternRef,
        other => {
            return Err(ErrorKind::Invalid(format!(
                "the C API reported a value type of unknown kind {other}"
            ))
            .into())
        }
    })
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
pub(super) struct Known {
    /// The seven simple types.
    pub(super) simple: Vec<(ValType, usize)>,
    /// Every abstract reference type, nullable and not.
    abstract_refs: Vec<(RefType, usize)>,
}

pub(super) fn known_valtypes(wasmtime: &crate::Wasmtime) -> &'static Known {
    use std::sync::Mutex;
    static KNOWN: Mutex<Vec<(usize, &'static Known)>> = Mutex::new(Vec::new());
    let key = wasmtime as *const crate::Wasmtime as usize;
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
        let ptr = t.simple_to_c(wasmtime).expect("a simple type") as usize;
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
        .filter_map(|r| {
            // Before 45 no reference type but the two simple ones can be
            // made or read (`from_c_before_45`).
            let since45 = wasmtime.tables().core_since_45.as_ref()?;
            let ptr = gc_types::abstract_reftype_to_wasm(since45, &r) as usize;
            Some((r, ptr))
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
