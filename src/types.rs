//! WebAssembly types: values, functions, globals, memories, tables, and the
//! imports and exports of modules. Plain Rust data, converted to and from
//! the C API's type objects at the boundary.

use crate::sys::tables::Core;
use crate::sys::types::*;
use crate::wasm_scan::TableLimits;
use std::borrow::Cow;
use std::fmt;

/// The type of a WebAssembly value.
///
/// ```
/// use wasmtime_dyn::ValType;
/// assert!(ValType::FuncRef.is_ref());
/// assert_eq!(ValType::I64.to_string(), "i64");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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
    /// Nullable function reference.
    FuncRef,
    /// Nullable external reference.
    ExternRef,
}

impl ValType {
    /// Whether this is a reference type.
    ///
    /// ```
    /// use wasmtime_dyn::ValType;
    /// assert!(ValType::ExternRef.is_ref());
    /// assert!(!ValType::V128.is_ref());
    /// ```
    pub fn is_ref(self) -> bool {
        matches!(self, ValType::FuncRef | ValType::ExternRef)
    }

    /// A new owned `wasm_valtype_t`.
    ///
    /// `wasm_valtype_new` aborts the process for `v128` (it knows only the
    /// standard kinds), so `v128` goes through `wasmtime_wasm_valtype_v128`.
    pub(crate) fn to_c(self, core: &Core) -> *mut wasm_valtype_t {
        let kind = match self {
            ValType::I32 => WASM_I32,
            ValType::I64 => WASM_I64,
            ValType::F32 => WASM_F32,
            ValType::F64 => WASM_F64,
            ValType::FuncRef => WASM_FUNCREF,
            ValType::ExternRef => WASM_EXTERNREF,
            // SAFETY: takes nothing, returns a new owned type.
            ValType::V128 => return unsafe { (core.wasmtime_wasm_valtype_v128)() },
        } as wasm_valkind_t;
        // SAFETY: a standard kind constant; returns a new owned type.
        unsafe { (core.wasm_valtype_new)(kind) }
    }

    /// Reads a `wasm_valtype_t`.
    ///
    /// Neither reader of the C API knows every type: `wasm_valtype_kind`
    /// aborts the process on `v128` and on GC reference types, and
    /// `wasmtime_valtype_new` on the stack-switching proposal's `cont`
    /// references (C API types/val.rs:195, "missing support for contref").
    /// So the type is compared (`wasmtime_wasm_valtype_equal`, which never
    /// aborts on engine-less types) with the seven types this crate
    /// supports, and anything else is refused without asking the C API
    /// what it is.
    ///
    /// # Safety
    ///
    /// `ty` is a live `wasm_valtype_t` of `core`'s library.
    pub(crate) unsafe fn from_c(core: &Core, ty: *const wasm_valtype_t) -> crate::Result<ValType> {
        let known = known_valtypes(core);
        // SAFETY: `ty` is live (caller's contract); the known types are live
        // for the life of the process.
        known
            .iter()
            .find(|(_, k)| unsafe { (core.wasmtime_wasm_valtype_equal)(ty, *k as *const _) })
            .map(|(t, _)| *t)
            .ok_or_else(|| {
                crate::ErrorKind::Invalid(
                    "a reference type other than (nullable) funcref and externref, from the GC, \
                     exceptions or stack-switching proposals; wasmtime-dyn supports funcref and \
                     externref only"
                        .into(),
                )
                .into()
            })
    }
}

/// The seven value types this crate supports, as `wasm_valtype_t`s of the
/// library `core` belongs to (addresses), made once per library and kept:
/// libraries are never unloaded.
fn known_valtypes(core: &Core) -> [(ValType, usize); 7] {
    use std::sync::Mutex;
    type Known = [(ValType, usize); 7];
    static KNOWN: Mutex<Vec<(usize, Known)>> = Mutex::new(Vec::new());
    let key = core as *const Core as usize;
    let mut cache = KNOWN.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, known)) = cache.iter().find(|(k, _)| *k == key) {
        return *known;
    }
    let known = [
        ValType::I32,
        ValType::I64,
        ValType::F32,
        ValType::F64,
        ValType::V128,
        ValType::FuncRef,
        ValType::ExternRef,
    ]
    .map(|t| (t, t.to_c(core) as usize));
    cache.push((key, known));
    known
}

impl fmt::Display for ValType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ValType::I32 => "i32",
            ValType::I64 => "i64",
            ValType::F32 => "f32",
            ValType::F64 => "f64",
            ValType::V128 => "v128",
            ValType::FuncRef => "funcref",
            ValType::ExternRef => "externref",
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
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FuncType {
    // `Cow`: the type of a typed function is its Rust signature's, named
    // by static slices, with nothing to allocate.
    params: Cow<'static, [ValType]>,
    results: Cow<'static, [ValType]>,
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
            params: Cow::Owned(params.into_iter().collect()),
            results: Cow::Owned(results.into_iter().collect()),
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
        &self.params
    }

    /// The result types.
    ///
    /// ```
    /// use wasmtime_dyn::{FuncType, ValType};
    /// let ty = FuncType::new([], [ValType::I32, ValType::I32]);
    /// assert_eq!(ty.results(), [ValType::I32, ValType::I32]);
    /// ```
    pub fn results(&self) -> &[ValType] {
        &self.results
    }

    /// A new owned `wasm_functype_t`, deleted when the guard drops.
    pub(crate) fn to_c<'a>(&self, core: &'a Core) -> CFuncType<'a> {
        let vec = |types: &[ValType]| {
            let items: Vec<*mut wasm_valtype_t> = types.iter().map(|t| t.to_c(core)).collect();
            let mut out = wasm_valtype_vec_t {
                size: 0,
                data: std::ptr::null_mut(),
            };
            // SAFETY: `items` holds `len` owned valtypes whose ownership
            // moves into the new vector; `out` is writable.
            unsafe { (core.wasm_valtype_vec_new)(&mut out, items.len(), items.as_ptr()) };
            out
        };
        let mut params = vec(&self.params);
        let mut results = vec(&self.results);
        // SAFETY: both vectors are owned and move into the new functype.
        let ptr = unsafe { (core.wasm_functype_new)(&mut params, &mut results) };
        CFuncType { core, ptr }
    }

    /// # Safety
    ///
    /// `ty` is a live `wasm_functype_t` of `core`'s library.
    pub(crate) unsafe fn from_c(
        core: &Core,
        ty: *const wasm_functype_t,
    ) -> crate::Result<FuncType> {
        // SAFETY: `ty` is live; its vectors live as long as it does.
        unsafe {
            Ok(FuncType {
                params: Cow::Owned(read_valtypes(core, (core.wasm_functype_params)(ty))?),
                results: Cow::Owned(read_valtypes(core, (core.wasm_functype_results)(ty))?),
            })
        }
    }

    /// The type `params -> results`, allocating nothing.
    pub(crate) fn from_static(params: &'static [ValType], results: &'static [ValType]) -> FuncType {
        FuncType {
            params: Cow::Borrowed(params),
            results: Cow::Borrowed(results),
        }
    }

    /// Whether the C function type `ty` is `params -> results`, asked of
    /// the library one value type at a time, without reading the type into
    /// a [`FuncType`] (which compares each value type with every known one).
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
                        known.iter().find(|(k, _)| k == t).is_some_and(|(_, k)| {
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

/// # Safety
///
/// `vec` is a live vector of live valtypes.
unsafe fn read_valtypes(
    core: &Core,
    vec: *const wasm_valtype_vec_t,
) -> crate::Result<Vec<ValType>> {
    // SAFETY: live (caller's contract).
    let vec = unsafe { &*vec };
    (0..vec.size)
        // SAFETY: the vector holds `size` live valtypes.
        .map(|i| unsafe { ValType::from_c(core, *vec.data.add(i)) })
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
        list(f, &self.params)?;
        f.write_str(" -> ")?;
        list(f, &self.results)
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
/// assert_eq!(ty.content(), ValType::I32);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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
    /// assert_eq!((ty.content(), ty.mutability()), (ValType::F32, Mutability::Var));
    /// ```
    pub fn new(content: ValType, mutability: Mutability) -> GlobalType {
        GlobalType {
            content,
            mutability,
        }
    }

    /// The value type.
    ///
    /// ```
    /// use wasmtime_dyn::{GlobalType, Mutability, ValType};
    /// assert_eq!(GlobalType::new(ValType::I64, Mutability::Const).content(), ValType::I64);
    /// ```
    pub fn content(&self) -> ValType {
        self.content
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
    pub(crate) fn to_c(self, core: &Core) -> crate::Result<*mut wasm_globaltype_t> {
        let mutability = match self.mutability {
            Mutability::Const => WASM_CONST,
            Mutability::Var => WASM_VAR,
        } as wasm_mutability_t;
        // SAFETY: the new valtype's ownership moves into the globaltype (the
        // C API takes it by `Box` and frees it even when it returns NULL).
        let ty = unsafe { (core.wasm_globaltype_new)(self.content.to_c(core), mutability) };
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
    /// `ty` is a live `wasm_globaltype_t` of `core`'s library.
    pub(crate) unsafe fn from_c(
        core: &Core,
        ty: *const wasm_globaltype_t,
    ) -> crate::Result<GlobalType> {
        // SAFETY: `ty` is live, and so is the content type it owns.
        unsafe {
            Ok(GlobalType {
                content: ValType::from_c(core, (core.wasm_globaltype_content)(ty))?,
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
/// assert_eq!(ty.element(), ValType::FuncRef);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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
            element,
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
            element,
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
    /// assert_eq!(TableType::new(ValType::ExternRef, 1, None).element(), ValType::ExternRef);
    /// ```
    pub fn element(&self) -> ValType {
        self.element
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
    pub(crate) fn to_c(self, core: &Core) -> crate::Result<*mut wasm_tabletype_t> {
        if !self.element.is_ref() {
            return Err(crate::ErrorKind::TypeMismatch(format!(
                "a table's elements must be references (funcref or externref), not {}",
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
        // SAFETY: the valtype's ownership moves in (the C API takes it by
        // `Box` and frees it even when it returns NULL); `limits` is read
        // only.
        let ty = unsafe { (core.wasm_tabletype_new)(self.element.to_c(core), &limits) };
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
    /// `ty` is a live `wasm_tabletype_t` of `core`'s library.
    pub(crate) unsafe fn from_c(
        core: &Core,
        ty: *const wasm_tabletype_t,
        known: Option<TableLimits>,
    ) -> crate::Result<TableType> {
        // SAFETY: `ty` is live and owns its element type and limits.
        unsafe {
            let element = ValType::from_c(core, (core.wasm_tabletype_element)(ty))?;
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
    Tag,
}

impl ExternType {
    /// # Safety
    ///
    /// `ty` is a live `wasm_externtype_t` of `core`'s library.
    ///
    /// A table's limits are `known_table` where given (see
    /// [`TableType::from_c`]).
    pub(crate) unsafe fn from_c(
        core: &Core,
        ty: *const wasm_externtype_t,
        known_table: Option<TableLimits>,
    ) -> crate::Result<ExternType> {
        // SAFETY: `ty` is live; each cast matches the kind it reports.
        unsafe {
            Ok(match u32::from((core.wasm_externtype_kind)(ty)) {
                WASM_EXTERN_FUNC => ExternType::Func(FuncType::from_c(
                    core,
                    (core.wasm_externtype_as_functype_const)(ty),
                )?),
                WASM_EXTERN_GLOBAL => ExternType::Global(GlobalType::from_c(
                    core,
                    (core.wasm_externtype_as_globaltype_const)(ty),
                )?),
                WASM_EXTERN_TABLE => ExternType::Table(TableType::from_c(
                    core,
                    (core.wasm_externtype_as_tabletype_const)(ty),
                    known_table,
                )?),
                WASM_EXTERN_MEMORY => ExternType::Memory(MemoryType::from_c(
                    core,
                    (core.wasm_externtype_as_memorytype_const)(ty),
                )),
                _ => ExternType::Tag,
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
