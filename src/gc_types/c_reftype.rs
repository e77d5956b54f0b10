//! Reference types to and from the C API: the concrete function types of
//! references (`FuncHandle`), and the conversions of `RefType`s and
//! `ValType`s through `wasmtime_valtype_t`.

use super::{unreadable, ArrayType, ExnType, StructType};
use crate::engine::Engine;
use crate::error::{ErrorKind, Result};
use crate::sys::tables::CoreSince45;
use crate::sys::types::*;
use crate::types::{FuncType, HeapType, RefType, ValType};
use std::mem::MaybeUninit;
use std::sync::{Arc, OnceLock};

/// A concrete function type of a reference: the C API's type object, read
/// when first asked (see `FuncType`).
pub(crate) struct FuncHandle {
    engine: Engine,
    ptr: *mut wasm_functype_t,
    signature: OnceLock<(Vec<ValType>, Vec<ValType>)>,
}

// SAFETY: an immutable Wasmtime type, owned by this handle.
unsafe impl Send for FuncHandle {}
// SAFETY: as above.
unsafe impl Sync for FuncHandle {}

impl Drop for FuncHandle {
    fn drop(&mut self) {
        // SAFETY: owned by this handle, deleted once.
        unsafe { (self.engine.wasmtime().core().wasm_functype_delete)(self.ptr) };
        if let Some(signature) = self.signature.take() {
            super::drop_flat(Box::new(signature));
        }
    }
}

impl FuncHandle {
    pub(crate) fn engine(&self) -> &Engine {
        &self.engine
    }

    pub(crate) fn ptr(&self) -> *mut wasm_functype_t {
        self.ptr
    }

    pub(crate) fn signature(&self) -> &(Vec<ValType>, Vec<ValType>) {
        self.signature.get_or_init(|| {
            // SAFETY: the type is live and of this engine.
            let ty = unsafe { FuncType::from_c(&self.engine, self.ptr) }
                .unwrap_or_else(|e| unreadable(e));
            (ty.param_types().to_vec(), ty.result_types().to_vec())
        })
    }

    /// Whether two handles are the same type, as Wasmtime says.
    pub(crate) fn same_as(self: &Arc<Self>, other: &Arc<Self>) -> bool {
        Engine::same(&self.engine, &other.engine)
            && library_equal(
                &self.engine,
                &HeapType::ConcreteFunc(FuncType::from_shared_handle(self.clone())),
                &HeapType::ConcreteFunc(FuncType::from_shared_handle(other.clone())),
            )
    }
}

/// Whether Wasmtime says two heap types of `engine` are equal (each a
/// subtype of the other), comparing `(ref null a)` with `(ref null b)`.
pub(super) fn library_equal(engine: &Engine, a: &HeapType, b: &HeapType) -> bool {
    let core = engine.wasmtime().core();
    // Before 45 no concrete type can be made or read (`since45`), so there
    // is nothing to compare.
    let Ok(core45) = since45(engine, "comparing heap types") else {
        return false;
    };
    let (Ok(a), Ok(b)) = (
        reftype_to_wasm(engine, &RefType::new(true, a.clone())),
        reftype_to_wasm(engine, &RefType::new(true, b.clone())),
    ) else {
        return false;
    };
    // SAFETY: both are live, owned here, of one engine (the caller's
    // check), so the comparison cannot panic; each is deleted once.
    unsafe {
        let same = (core45.wasmtime_wasm_valtype_equal)(a, b);
        (core.wasm_valtype_delete)(a);
        (core.wasm_valtype_delete)(b);
        same
    }
}

/// A new owned `wasm_valtype_t` for the reference type `r`, whose concrete
/// parts belong to `engine` (the caller checked).
pub(crate) fn reftype_to_wasm(engine: &Engine, r: &RefType) -> Result<*mut wasm_valtype_t> {
    let core45 = since45(engine, "reference types other than funcref and externref")?;
    // A function type given in full becomes a C type for the call.
    let mut made = None;
    let of = match r.heap_type() {
        HeapType::ConcreteFunc(f) => {
            let c = f.to_c(engine)?;
            let ptr = c.ptr;
            made = Some(c);
            wasmtime_heaptype_union { concrete_func: ptr }
        }
        HeapType::ConcreteArray(t) => wasmtime_heaptype_union {
            concrete_array: t.ptr(),
        },
        HeapType::ConcreteStruct(t) => wasmtime_heaptype_union {
            concrete_struct: t.ptr(),
        },
        HeapType::ConcreteExn(t) => wasmtime_heaptype_union {
            concrete_exn: t.ptr(),
        },
        _ => wasmtime_heaptype_union {
            concrete_func: std::ptr::null_mut(),
        },
    };
    let ty = c_valtype(r, of);
    // SAFETY: `ty` is borrowed by the call (which clones what it keeps);
    // its concrete part is live and of `engine`; the engine is live (the C
    // API needs it for a concrete function type).
    let out = unsafe { (core45.wasmtime_valtype_to_wasm)(engine.ptr(), &ty) };
    drop(made);
    Ok(out)
}

/// The value, heap and field type functions Wasmtime 45 added, or
/// [`ErrorKind::UnsupportedVersion`] naming `feature` before 45: the GC type
/// API and every reference type beyond `funcref` and `externref` stand on
/// them, so no concrete type handle exists on an older major.
pub(crate) fn since45(engine: &Engine, feature: &'static str) -> Result<&'static CoreSince45> {
    let wasmtime = engine.wasmtime();
    wasmtime.later(&wasmtime.tables().core_since_45, feature)
}

/// A new owned `wasm_valtype_t` for an abstract reference type (no engine
/// needed).
pub(crate) fn abstract_reftype_to_wasm(core: &CoreSince45, r: &RefType) -> *mut wasm_valtype_t {
    assert!(r.heap_type().is_abstract());
    let ty = c_valtype(
        r,
        wasmtime_heaptype_union {
            concrete_func: std::ptr::null_mut(),
        },
    );
    // SAFETY: `ty` is borrowed by the call; an abstract type needs no
    // engine.
    unsafe { (core.wasmtime_valtype_to_wasm)(std::ptr::null(), &ty) }
}

fn c_valtype(r: &RefType, of: wasmtime_heaptype_union) -> wasmtime_valtype_t {
    let kind = match r.heap_type() {
        HeapType::Extern => WASMTIME_HEAPTYPE_KIND_EXTERN,
        HeapType::NoExtern => WASMTIME_HEAPTYPE_KIND_NOEXTERN,
        HeapType::Func => WASMTIME_HEAPTYPE_KIND_FUNC,
        HeapType::ConcreteFunc(_) => WASMTIME_HEAPTYPE_KIND_CONCRETE_FUNC,
        HeapType::NoFunc => WASMTIME_HEAPTYPE_KIND_NOFUNC,
        HeapType::Any => WASMTIME_HEAPTYPE_KIND_ANY,
        HeapType::None => WASMTIME_HEAPTYPE_KIND_NONE,
        HeapType::Eq => WASMTIME_HEAPTYPE_KIND_EQ,
        HeapType::I31 => WASMTIME_HEAPTYPE_KIND_I31,
        HeapType::Array => WASMTIME_HEAPTYPE_KIND_ARRAY,
        HeapType::ConcreteArray(_) => WASMTIME_HEAPTYPE_KIND_CONCRETE_ARRAY,
        HeapType::Struct => WASMTIME_HEAPTYPE_KIND_STRUCT,
        HeapType::ConcreteStruct(_) => WASMTIME_HEAPTYPE_KIND_CONCRETE_STRUCT,
        HeapType::Exn => WASMTIME_HEAPTYPE_KIND_EXN,
        HeapType::ConcreteExn(_) => WASMTIME_HEAPTYPE_KIND_CONCRETE_EXN,
        HeapType::NoExn => WASMTIME_HEAPTYPE_KIND_NOEXN,
    };
    wasmtime_valtype_t {
        kind: WASMTIME_VALTYPE_KIND_REF as u8,
        reftype: wasmtime_reftype_t {
            nullable: r.is_nullable(),
            heaptype: wasmtime_heaptype_t {
                kind: kind as u8,
                of,
            },
        },
    }
}

/// Reads any value type with `wasmtime_valtype_new`.
///
/// # Safety
///
/// `ty` is a live `wasm_valtype_t` of `engine`'s library and objects,
/// holding no `cont` type (on which the C API aborts).
pub(crate) unsafe fn read_valtype(engine: &Engine, ty: *const wasm_valtype_t) -> Result<ValType> {
    let core45 = since45(
        engine,
        "reading reference types other than funcref and externref",
    )?;
    let mut out = MaybeUninit::<wasmtime_valtype_t>::uninit();
    // SAFETY: `ty` is live and readable (contract); `out` is written.
    let mut out = unsafe {
        (core45.wasmtime_valtype_new)(ty, out.as_mut_ptr());
        out.assume_init()
    };
    // SAFETY: written by the library just now; its concrete parts are live
    // until deleted below.
    let read = unsafe { from_c_valtype(engine, &out) };
    // SAFETY: owned here, deleted once (the handles made above own copies).
    unsafe { (core45.wasmtime_valtype_delete)(&mut out) };
    read
}

/// # Safety
///
/// `ty` is a live `wasmtime_valtype_t` of `engine`'s library and objects.
unsafe fn from_c_valtype(engine: &Engine, ty: &wasmtime_valtype_t) -> Result<ValType> {
    let core = engine.wasmtime().core();
    let core45 = engine.wasmtime().core45();
    Ok(match u32::from(ty.kind) {
        WASMTIME_VALTYPE_KIND_I32 => ValType::I32,
        WASMTIME_VALTYPE_KIND_I64 => ValType::I64,
        WASMTIME_VALTYPE_KIND_F32 => ValType::F32,
        WASMTIME_VALTYPE_KIND_F64 => ValType::F64,
        WASMTIME_VALTYPE_KIND_V128 => ValType::V128,
        WASMTIME_VALTYPE_KIND_REF => {
            let r = &ty.reftype;
            let of = r.heaptype.of;
            // SAFETY: each concrete kind holds the live type object its
            // member names; the copies are owned by the handles.
            let heap = unsafe {
                match u32::from(r.heaptype.kind) {
                    WASMTIME_HEAPTYPE_KIND_EXTERN => HeapType::Extern,
                    WASMTIME_HEAPTYPE_KIND_NOEXTERN => HeapType::NoExtern,
                    WASMTIME_HEAPTYPE_KIND_FUNC => HeapType::Func,
                    WASMTIME_HEAPTYPE_KIND_CONCRETE_FUNC => {
                        HeapType::ConcreteFunc(FuncType::from_handle(FuncHandle {
                            engine: engine.clone(),
                            ptr: (core.wasm_functype_copy)(of.concrete_func),
                            signature: OnceLock::new(),
                        }))
                    }
                    WASMTIME_HEAPTYPE_KIND_NOFUNC => HeapType::NoFunc,
                    WASMTIME_HEAPTYPE_KIND_ANY => HeapType::Any,
                    WASMTIME_HEAPTYPE_KIND_NONE => HeapType::None,
                    WASMTIME_HEAPTYPE_KIND_EQ => HeapType::Eq,
                    WASMTIME_HEAPTYPE_KIND_I31 => HeapType::I31,
                    WASMTIME_HEAPTYPE_KIND_ARRAY => HeapType::Array,
                    WASMTIME_HEAPTYPE_KIND_CONCRETE_ARRAY => {
                        HeapType::ConcreteArray(ArrayType::from_owned(
                            engine,
                            (core45.wasmtime_array_type_copy)(of.concrete_array),
                        ))
                    }
                    WASMTIME_HEAPTYPE_KIND_STRUCT => HeapType::Struct,
                    WASMTIME_HEAPTYPE_KIND_CONCRETE_STRUCT => {
                        HeapType::ConcreteStruct(StructType::from_owned(
                            engine,
                            (core45.wasmtime_struct_type_copy)(of.concrete_struct),
                        ))
                    }
                    WASMTIME_HEAPTYPE_KIND_EXN => HeapType::Exn,
                    WASMTIME_HEAPTYPE_KIND_CONCRETE_EXN => {
                        HeapType::ConcreteExn(ExnType::from_owned(
                            engine,
                            (core45.wasmtime_exn_type_copy)(of.concrete_exn),
                        ))
                    }
                    WASMTIME_HEAPTYPE_KIND_NOEXN => HeapType::NoExn,
                    other => {
                        return Err(ErrorKind::Invalid(format!(
                            "a heap type of unknown kind {other}"
                        ))
                        .into())
                    }
                }
            };
            ValType::from(RefType::new(r.nullable, heap))
        }
        other => {
            return Err(ErrorKind::Invalid(format!("a value type of unknown kind {other}")).into())
        }
    })
}
