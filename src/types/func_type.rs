//! Function types, `FuncType`, and the C API's `wasm_functype_t`.

use super::valtype::known_valtypes;
use super::ValType;
use crate::engine::Engine;
use crate::error::{ErrorKind, Result};
use crate::gc_types::FuncHandle;
use crate::sys::tables::Core;
use crate::sys::types::*;
use std::borrow::Cow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// The type of a function: its parameters and results.
///
/// ```
/// use wasmtime_dyn::{FuncType, ValType};
/// let ty = FuncType::new([ValType::I32, ValType::I32], [ValType::I32]);
/// assert!(ty.params().eq([ValType::I32, ValType::I32]));
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

    /// The parameter types, as the `wasmtime` crate's `FuncType::params`.
    ///
    /// ```
    /// use wasmtime_dyn::{FuncType, ValType};
    /// let ty = FuncType::new([ValType::I64, ValType::F32], []);
    /// assert_eq!(ty.params().len(), 2);
    /// assert!(ty.params().eq([ValType::I64, ValType::F32]));
    /// ```
    #[inline]
    pub fn params(&self) -> impl ExactSizeIterator<Item = ValType> + '_ {
        self.param_types().iter().cloned()
    }

    /// The result types, as the `wasmtime` crate's `FuncType::results`.
    ///
    /// ```
    /// use wasmtime_dyn::{FuncType, ValType};
    /// let ty = FuncType::new([], [ValType::I32, ValType::I32]);
    /// assert_eq!(ty.results().count(), 2);
    /// assert!(ty.results().all(|t| t == ValType::I32));
    /// ```
    #[inline]
    pub fn results(&self) -> impl ExactSizeIterator<Item = ValType> + '_ {
        self.result_types().iter().cloned()
    }

    /// The `i`th parameter type, `None` past the last, as the crate's
    /// `FuncType::param`.
    ///
    /// ```
    /// use wasmtime_dyn::{FuncType, ValType};
    /// let ty = FuncType::new([ValType::I64], []);
    /// assert_eq!(ty.param(0), Some(ValType::I64));
    /// assert_eq!(ty.param(1), None);
    /// ```
    pub fn param(&self, i: usize) -> Option<ValType> {
        self.param_types().get(i).cloned()
    }

    /// The `i`th result type, `None` past the last, as the crate's
    /// `FuncType::result`.
    ///
    /// ```
    /// use wasmtime_dyn::{FuncType, ValType};
    /// let ty = FuncType::new([], [ValType::F64]);
    /// assert_eq!(ty.result(0), Some(ValType::F64));
    /// assert_eq!(ty.result(1), None);
    /// ```
    pub fn result(&self, i: usize) -> Option<ValType> {
        self.result_types().get(i).cloned()
    }

    /// The parameter types, borrowed (for this crate's checks, which need
    /// no clones).
    #[inline]
    pub(crate) fn param_types(&self) -> &[ValType] {
        match &self.repr {
            FuncRepr::Plain { params, .. } => params,
            FuncRepr::Handle(h) => &h.signature().0,
        }
    }

    /// The result types, borrowed.
    #[inline]
    pub(crate) fn result_types(&self) -> &[ValType] {
        match &self.repr {
            FuncRepr::Plain { results, .. } => results,
            FuncRepr::Handle(h) => &h.signature().1,
        }
    }

    /// Whether every parameter and result is simple (see
    /// [`ValType::is_simple`]).
    pub(crate) fn is_simple(&self) -> bool {
        self.param_types()
            .iter()
            .chain(self.result_types())
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
        let mut params = vec(self.param_types())?;
        let mut results = match vec(self.result_types()) {
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
    pub(crate) const fn from_static(
        params: &'static [ValType],
        results: &'static [ValType],
    ) -> FuncType {
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
        wasmtime: &crate::Wasmtime,
        ty: *const wasm_functype_t,
        params: &[ValType],
        results: &[ValType],
    ) -> bool {
        let known = known_valtypes(wasmtime);
        let core = wasmtime.core();
        // Before 45 there is nothing to compare with: the caller reads the
        // type in full (`ValType::from_c`).
        let Some(since45) = wasmtime.tables().core_since_45.as_ref() else {
            return false;
        };
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
                                (since45.wasmtime_wasm_valtype_equal)(
                                    *vec.data.add(i),
                                    *k as *const _,
                                )
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
            _ => {
                self.param_types() == other.param_types()
                    && self.result_types() == other.result_types()
            }
        }
    }
}

impl Eq for FuncType {}

impl Hash for FuncType {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // The lengths only: a type read from a handle and the same type
        // given in full are equal, and a type may refer to itself.
        self.param_types().len().hash(state);
        self.result_types().len().hash(state);
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
        list(f, self.param_types())?;
        f.write_str(" -> ")?;
        list(f, self.result_types())
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
