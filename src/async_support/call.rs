//! `Func::call_async` and `TypedFunc::call_async`: `wasmtime_func_call_async`
//! driven by [`CallFuture`].
//!
//! What a call costs beyond the C API's own work (which converts the
//! arguments into a `Vec`, boxes two futures and runs the call on a fiber:
//! the floor no caller of `async.h` gets under) is kept small:
//! - the arguments are written into a stack array that is not part of the
//!   future (the C API reads them when it makes its future), numbers
//!   directly as their C values;
//! - only the room for the results, the out-slots and the C future live
//!   across the await, so the future this crate returns is small to move;
//! - numbers are read back from the C values directly, without a [`Val`];
//! - the calls with references go through [`Val`]s, in a boxed future of
//!   their own (they allocate anyway), so they do not enlarge the future of
//!   every other call.

use super::{async_table, CallFuture, Slots};
use crate::error::{Error, ErrorKind, Result};
use crate::func::Func;
use crate::loader::ValAbi;
use crate::store::{AsContextMut, StoreContextMut};
use crate::sys::tables::Async;
use crate::sys::types::*;
use crate::typed::{TypedFunc, WasmTyList};
use crate::val::{nth_val, Val};
use crate::{ValType, V128};
use std::future::Future;
use std::mem::{offset_of, size_of, MaybeUninit};
use std::ptr::{addr_of, addr_of_mut};

// The layout facts the number paths below rely on: in every value layout
// (`ValAbi`) the kind is the first byte and the payload union starts at
// offset 8 and holds at least a raw value (whose members, numbers among
// them, all start at its offset 0, as the payload's do); a wide value is
// the size of two raw values, aligned no more strictly.
const _: () = {
    use crate::sys::{val_nogc, val_v36};
    assert!(offset_of!(wasmtime_val_t, kind) == 0);
    assert!(offset_of!(wasmtime_val_t, of) == 8);
    assert!(offset_of!(val_nogc::wasmtime_val_t, of) == 8);
    assert!(offset_of!(val_v36::wasmtime_val_t, of) == 8);
    assert!(size_of::<wasmtime_valunion_t>() >= size_of::<wasmtime_val_raw_t>());
    assert!(size_of::<val_nogc::wasmtime_val_t>() >= 8 + size_of::<wasmtime_val_raw_t>());
    assert!(size_of::<val_v36::wasmtime_val_t>() >= 8 + size_of::<wasmtime_val_raw_t>());
    assert!(size_of::<wasmtime_val_t>() == 2 * size_of::<wasmtime_val_raw_t>());
    assert!(std::mem::align_of::<wasmtime_val_t>() <= std::mem::align_of::<wasmtime_val_raw_t>());
};

/// The C kind of a number type; `None` for a reference type.
#[inline(always)]
fn number_kind(ty: &ValType) -> Option<u8> {
    Some(match ty {
        ValType::I32 => WASMTIME_I32 as u8,
        ValType::I64 => WASMTIME_I64 as u8,
        ValType::F32 => WASMTIME_F32 as u8,
        ValType::F64 => WASMTIME_F64 as u8,
        ValType::V128 => WASMTIME_V128 as u8,
        ValType::FuncRef | ValType::ExternRef | ValType::Ref(_) => return None,
    })
}

/// The C kind and raw payload of `val` if it is a number of type `ty`;
/// `None` otherwise (a reference, or a number of another type).
#[inline(always)]
fn number_of_type(ty: &ValType, val: &Val) -> Option<(u8, wasmtime_val_raw_t)> {
    Some(match (ty, val) {
        (ValType::I32, Val::I32(v)) => (WASMTIME_I32 as u8, wasmtime_val_raw_t { i32_: *v }),
        (ValType::I64, Val::I64(v)) => (WASMTIME_I64 as u8, wasmtime_val_raw_t { i64_: *v }),
        (ValType::F32, Val::F32(v)) => (
            WASMTIME_F32 as u8,
            wasmtime_val_raw_t {
                f32_: f32::from_bits(*v),
            },
        ),
        (ValType::F64, Val::F64(v)) => (
            WASMTIME_F64 as u8,
            wasmtime_val_raw_t {
                f64_: f64::from_bits(*v),
            },
        ),
        (ValType::V128, Val::V128(v)) => (
            WASMTIME_V128 as u8,
            wasmtime_val_raw_t {
                v128: v.to_le_bytes(),
            },
        ),
        _ => return None,
    })
}

/// Writes a number as element `i` of a C value array of `abi`'s layout:
/// its kind, and its raw payload as the value's payload.
///
/// # Safety
///
/// `base` is aligned for `wasmtime_val_t` and writable for `i + 1` wide
/// values (so element `i` at `abi`'s stride, at most the wide one, is
/// within it, whole wide value included); `raw`'s member for `kind` (a
/// number kind) was written.
#[inline(always)]
unsafe fn write_number(
    abi: ValAbi,
    base: *mut wasmtime_val_t,
    i: usize,
    kind: u8,
    raw: wasmtime_val_raw_t,
) {
    // SAFETY: element `i` is within the array (contract) and aligned (the
    // strides are multiples of 8, the alignment); the kind is its first
    // byte and its payload starts at offset 8 with room for a raw value in
    // every layout (the assertions above), whose number members sit at
    // offset 0 of both unions.
    unsafe {
        let p = nth_val(abi, base, i);
        addr_of_mut!((*p).kind).write(kind);
        addr_of_mut!((*p).of)
            .cast::<wasmtime_val_raw_t>()
            .write(raw);
    }
}

/// The kind and the raw payload of element `i` of a C value array of
/// `abi`'s layout.
///
/// # Safety
///
/// As [`write_number`], readable; element `i` was written (by the library,
/// a number: its payload is moved out as a raw value, nothing to release).
#[inline(always)]
unsafe fn read_number(
    abi: ValAbi,
    base: *const wasmtime_val_t,
    i: usize,
) -> (u8, wasmtime_val_raw_t) {
    // SAFETY: as in `write_number`; the payload's first bytes are the
    // number's (a union copy keeps any bytes the number does not use as
    // they are).
    unsafe {
        let p = nth_val(abi, base.cast_mut(), i);
        (
            addr_of!((*p).kind).read(),
            addr_of!((*p).of).cast::<wasmtime_val_raw_t>().read(),
        )
    }
}

/// Room for as many wide C values as `A` (an array of raw values, a
/// `WasmTyList::Array`) has raw values: a wide value is two raw values'
/// size, aligned no more strictly (the assertions above).
struct Room<A>(MaybeUninit<[A; 2]>);

// SAFETY: plain bytes (numbers, or not yet written), owned by the task
// making the call.
unsafe impl<A> Send for Room<A> {}
// SAFETY: as above; never shared while the C API writes it (the future
// that holds it is only polled through `&mut`).
unsafe impl<A> Sync for Room<A> {}

impl<A> Room<A> {
    #[inline(always)]
    fn uninit() -> Room<A> {
        Room(MaybeUninit::uninit())
    }

    #[inline(always)]
    fn as_mut_ptr(&mut self) -> *mut wasmtime_val_t {
        self.0.as_mut_ptr().cast()
    }
}

/// How many values an untyped call keeps inline (on the stack for the
/// arguments, in its future for the results) before it needs the heap.
const INLINE: usize = 4;

/// Room for `len` C values of the library's layout (element `i` at
/// `i * val_size()`, within room for `len` wide values), uninitialized.
struct CVals {
    inline: MaybeUninit<[wasmtime_val_t; INLINE]>,
    heap: Vec<wasmtime_val_t>,
    len: usize,
}

// SAFETY: values owned by the task making the call (references in them
// are rooted handles, plain data usable from any thread with their store).
unsafe impl Send for CVals {}
// SAFETY: as above.
unsafe impl Sync for CVals {}

impl CVals {
    #[inline]
    fn new(len: usize) -> CVals {
        CVals {
            inline: MaybeUninit::uninit(),
            heap: if len > INLINE {
                Vec::with_capacity(len)
            } else {
                Vec::new()
            },
            len,
        }
    }

    /// The array: room for `len` wide values, aligned.
    #[inline]
    fn as_mut_ptr(&mut self) -> *mut wasmtime_val_t {
        if self.len > INLINE {
            self.heap.as_mut_ptr()
        } else {
            self.inline.as_mut_ptr().cast()
        }
    }
}

/// Writes `val` as element `i` of `base`, checked against the parameter
/// type `ty`: a number of that type directly, anything else through
/// [`write_other`]; `mismatch` makes the error of a value not of that type.
///
/// # Safety
///
/// `base` is aligned and writable for `i + 1` wide values.
#[inline(always)]
unsafe fn write_val<T>(
    cx: &mut StoreContextMut<'_, T>,
    abi: ValAbi,
    base: *mut wasmtime_val_t,
    i: usize,
    ty: &ValType,
    val: &Val,
    mismatch: impl FnOnce() -> Error,
) -> Result<()> {
    match number_of_type(ty, val) {
        // SAFETY: the caller's contract; `raw` holds the member `kind`
        // names.
        Some((kind, raw)) => unsafe { write_number(abi, base, i, kind, raw) },
        None => {
            if val.fits(ty) == Some(false) {
                return Err(mismatch());
            }
            // SAFETY: the caller's contract.
            unsafe { write_other(cx, abi, base, i, val) }?;
        }
    }
    Ok(())
}

/// Writes `val` (a reference, of the parameter's type as far as
/// [`Val::fits`] can tell; Wasmtime checks the rest) as element `i` of
/// `base`.
///
/// # Safety
///
/// As [`write_val`].
#[inline(never)]
unsafe fn write_other<T>(
    cx: &mut StoreContextMut<'_, T>,
    abi: ValAbi,
    base: *mut wasmtime_val_t,
    i: usize,
    val: &Val,
) -> Result<()> {
    let c = val.to_c(cx)?;
    // SAFETY: `c` is built in the wide layout whose first `val_size()`
    // bytes are the library's layout of it (`Val::to_c`); element `i` at
    // the library's stride (at most the wide one) is within the `i + 1`
    // wide values of `base` (contract).
    unsafe {
        std::ptr::copy_nonoverlapping(
            (&c as *const wasmtime_val_t).cast::<u8>(),
            nth_val(abi, base, i).cast::<u8>(),
            abi.val_size(),
        )
    };
    Ok(())
}

/// Takes element `i` of `base`, which a finished call wrote, into `out`.
///
/// # Safety
///
/// `base` is aligned and readable for `i + 1` wide values; element `i` was
/// written by `cx`'s library and is owned here; it is taken once.
#[inline(always)]
unsafe fn take_val<T>(
    cx: &mut StoreContextMut<'_, T>,
    abi: ValAbi,
    base: *mut wasmtime_val_t,
    i: usize,
    out: &mut Val,
) -> Result<()> {
    // SAFETY: the caller's contract; a number's payload holds the member
    // its kind names.
    let (kind, raw) = unsafe { read_number(abi, base, i) };
    // SAFETY: as above.
    unsafe {
        match u32::from(kind) {
            // A result of the variant already there is written in place
            // (nothing to drop).
            WASMTIME_I32 => match out {
                Val::I32(v) => *v = raw.i32_,
                out => *out = Val::I32(raw.i32_),
            },
            WASMTIME_I64 => match out {
                Val::I64(v) => *v = raw.i64_,
                out => *out = Val::I64(raw.i64_),
            },
            WASMTIME_F32 => *out = Val::F32(raw.f32_.to_bits()),
            WASMTIME_F64 => *out = Val::F64(raw.f64_.to_bits()),
            WASMTIME_V128 => *out = Val::V128(V128::from_le_bytes(raw.v128)),
            _ => *out = take_other(cx, abi, base, i)?,
        }
    }
    Ok(())
}

/// Takes element `i` of `base`, a reference, as [`take_val`].
///
/// # Safety
///
/// As [`take_val`].
#[inline(never)]
unsafe fn take_other<T>(
    cx: &mut StoreContextMut<'_, T>,
    abi: ValAbi,
    base: *mut wasmtime_val_t,
    i: usize,
) -> Result<Val> {
    // SAFETY: the whole value, into a zeroed wide one (the library's layout
    // is a prefix of it; all-zero is a valid value), moved to the `Val`
    // once (contract).
    unsafe {
        let mut copy: wasmtime_val_t = std::mem::zeroed();
        std::ptr::copy_nonoverlapping(
            nth_val(abi, base, i).cast::<u8>(),
            (&mut copy as *mut wasmtime_val_t).cast::<u8>(),
            abi.val_size(),
        );
        Val::from_c(cx, &copy)
    }
}

impl Func {
    /// Calls the function as [`Func::call`] does, as a future: the wasm
    /// runs on a fiber, suspending when an async host function
    /// ([`Linker::func_wrap_async`](crate::Linker::func_wrap_async)) is
    /// pending or a fuel or epoch yield
    /// ([`Store::fuel_async_yield_interval`](crate::Store::fuel_async_yield_interval))
    /// gives the thread back. As the `wasmtime` crate's `Func::call_async`;
    /// it works on any executor (the library depends on no runtime).
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Instance, Store, Val};
    /// # async fn run(mut store: Store<()>, instance: Instance) -> wasmtime_dyn::Result<()> {
    /// let add = instance.get_func(&mut store, "add").expect("an export `add`");
    /// let mut results = [Val::I32(0)];
    /// add.call_async(&mut store, &[Val::I32(40), Val::I32(2)], &mut results).await?;
    /// assert_eq!(results[0].i32(), Some(42));
    /// # Ok(()) }
    /// ```
    ///
    /// Dropping the future before it is done cancels the call: Wasmtime
    /// unwinds the suspended wasm (dropping the host futures it awaited)
    /// and the store stays usable.
    ///
    /// # Errors
    ///
    /// As [`Func::call`]; an async host function's error is the call's
    /// error, as the same value; [`ErrorKind::Unsupported`]`(Async)` for a
    /// library built without async (such as the minimal build).
    // Not an `async fn`: its desugaring moves every argument into a second
    // local, so the future would hold them twice (rust-lang/rust#62958) and
    // be larger to move.
    #[allow(clippy::manual_async_fn)]
    pub fn call_async<'a>(
        &'a self,
        mut store: impl AsContextMut<Data: Send> + 'a,
        params: &'a [Val],
        results: &'a mut [Val],
    ) -> impl Future<Output = Result<()>> + 'a {
        async move {
            let mut outs = CVals::new(results.len());
            let mut slots = Slots::new();
            let call = {
                let table = async_table(self.wasmtime)?;
                let abi = self.wasmtime.val_abi();
                let mut cx = store.as_context_mut();
                cx.check(self.store, "the function")?;
                let ty = self.ty_ref();
                let param_types = ty.param_types();
                if params.len() != param_types.len() || results.len() != ty.result_types().len() {
                    return Err(self.arity_mismatch_async(params.len(), results.len()));
                }
                // On this poll's stack only: the C API reads the arguments
                // when it makes its future.
                let mut args = CVals::new(params.len());
                let base = args.as_mut_ptr();
                for (i, (param, expected)) in params.iter().zip(param_types).enumerate() {
                    // SAFETY: `base` has room for `params.len()` wide
                    // values, `i` below it.
                    unsafe {
                        write_val(&mut cx, abi, base, i, expected, param, || {
                            self.argument_mismatch_async(i, param)
                        })
                    }?;
                }
                // SAFETY: the function belongs to this live store (checked);
                // `args` holds `params.len()` live values of it of the
                // parameter types, in the library's layout; `outs` has room
                // for the results; `outs` and `slots` are locals of this
                // future, which is pinned once polled, declared before
                // `call`: dropped after it, also when the future is dropped
                // mid-call (and `self` is borrowed for the future's life).
                unsafe {
                    self.start_call_async(
                        table,
                        &cx,
                        base,
                        params.len(),
                        outs.as_mut_ptr(),
                        results.len(),
                        &mut slots,
                    )
                }
            };
            // By value: the C future, deleted once done, is all the await
            // keeps.
            call.await;
            let mut cx = store.as_context_mut();
            if slots.failed() {
                // SAFETY: fresh, owned error or trap of this store's library.
                return Err(unsafe { crate::func::call_failed(&mut cx, slots.error, slots.trap) });
            }
            let abi = self.wasmtime.val_abi();
            let base = outs.as_mut_ptr();
            let mut first_error = None;
            for (i, result) in results.iter_mut().enumerate() {
                // SAFETY: the call succeeded: it wrote its results (room
                // for `results.len()` wide values at `base`), owned here,
                // each taken once.
                if let Err(e) = unsafe { take_val(&mut cx, abi, base, i, result) } {
                    first_error.get_or_insert(e);
                }
            }
            first_error.map_or(Ok(()), Err)
        }
    }

    /// `wasmtime_func_call_async` of this function, as a [`CallFuture`].
    ///
    /// # Safety
    ///
    /// The function belongs to `cx`'s live store; `args` holds `nargs`
    /// live values of that store of the parameter types, in the library's
    /// layout (read before this returns); `outs` has room for `nouts`
    /// values of that layout, the result count; `outs`, `slots` and `self`
    /// stay where they are until the returned future is dropped.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    unsafe fn start_call_async<T>(
        &self,
        table: &'static Async,
        cx: &StoreContextMut<'_, T>,
        args: *const wasmtime_val_t,
        nargs: usize,
        outs: *mut wasmtime_val_t,
        nouts: usize,
        slots: &mut Slots,
    ) -> CallFuture {
        // SAFETY: the caller's contract; the C API keeps `&self.raw`,
        // `outs` and the slots until the future is deleted.
        unsafe {
            let ptr = (table.wasmtime_func_call_async)(
                cx.context(),
                &self.raw,
                args,
                nargs,
                outs,
                nouts,
                &mut slots.trap,
                &mut slots.error,
            );
            CallFuture::new(table, ptr)
        }
    }

    #[cold]
    fn arity_mismatch_async(&self, params: usize, results: usize) -> Error {
        ErrorKind::TypeMismatch(format!(
            "the function's type is {}, but it was called with {params} arguments and room for \
             {results} results",
            self.ty_ref()
        ))
        .into()
    }

    #[cold]
    fn argument_mismatch_async(&self, index: usize, param: &Val) -> Error {
        ErrorKind::TypeMismatch(format!(
            "argument {index} is {}, but the function's type is {}",
            param.ty(),
            self.ty_ref()
        ))
        .into()
    }
}

impl<P: WasmTyList, R: WasmTyList> TypedFunc<P, R> {
    /// Calls the function as a future, as [`Func::call_async`] (and the
    /// `wasmtime` crate's `TypedFunc::call_async`).
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Instance, Store};
    /// # async fn run(mut store: Store<()>, instance: Instance) -> wasmtime_dyn::Result<()> {
    /// let add = instance.get_typed_func::<(i32, i32), i32>(&mut store, "add")?;
    /// assert_eq!(add.call_async(&mut store, (40, 2)).await?, 42);
    /// # Ok(()) }
    /// ```
    ///
    /// The C API's async call takes `wasmtime_val_t` arrays: numbers are
    /// written into them and read back directly; references go through
    /// [`Val`]s (and a boxed future).
    ///
    /// # Errors
    ///
    /// As [`Func::call_async`].
    // Not an `async fn`, as `Func::call_async`.
    #[allow(clippy::manual_async_fn)]
    pub fn call_async<'a>(
        &'a self,
        mut store: impl AsContextMut<Data: Send> + 'a,
        params: P,
    ) -> impl Future<Output = Result<R>> + 'a
    where
        P: Sync,
        R: Sync,
    {
        async move {
            if !(P::NUMBERS && R::NUMBERS) {
                return Box::pin(self.call_async_vals(store, params)).await;
            }
            // What lives across the await: the upvars, `outs`, `slots` and
            // `call` (the future stays small to move).
            let mut outs = Room::<R::Array>::uninit();
            let mut slots = Slots::new();
            let call = {
                let func = self.func();
                let table = async_table(func.wasmtime)?;
                let abi = func.wasmtime.val_abi();
                let cx = store.as_context_mut();
                cx.check(func.store, "the function")?;
                // On this poll's stack only: the C API reads the arguments
                // when it makes its future.
                let mut raw = MaybeUninit::<P::Array>::uninit();
                let raw = raw.as_mut_ptr().cast::<wasmtime_val_raw_t>();
                let mut args = Room::<P::Array>::uninit();
                let args = args.as_mut_ptr();
                // SAFETY: `raw` has room for `P::LEN` values, written by
                // `store` at the types `P::TYPES` names (numbers), each
                // written as C value `i` of `args` (room for `P::LEN` wide
                // values). The function belongs to this live store (checked)
                // and has these parameter and result types (checked when the
                // `TypedFunc` was made); `outs` has room for `R::LEN` values;
                // `outs` and `slots` are locals of this future, which is
                // pinned once polled, declared before `call`: dropped after
                // it, also when the future is dropped mid-call (and `self`
                // is borrowed for the future's life).
                unsafe {
                    params.store(raw);
                    for (i, ty) in P::TYPES.iter().enumerate() {
                        let kind = number_kind(ty).expect("P is all numbers");
                        write_number(abi, args, i, kind, raw.add(i).read());
                    }
                    func.start_call_async(
                        table,
                        &cx,
                        args,
                        P::LEN,
                        outs.as_mut_ptr(),
                        R::LEN,
                        &mut slots,
                    )
                }
            };
            // By value: the C future, deleted once done, is all the await
            // keeps.
            call.await;
            if slots.failed() {
                // SAFETY: fresh, owned error or trap of this store's library.
                return Err(unsafe {
                    crate::func::call_failed(&mut store.as_context_mut(), slots.error, slots.trap)
                });
            }
            let abi = self.func().wasmtime.val_abi();
            let mut raw = MaybeUninit::<R::Array>::uninit();
            let raw = raw.as_mut_ptr().cast::<wasmtime_val_raw_t>();
            let outs = outs.as_mut_ptr();
            for (i, ty) in R::TYPES.iter().enumerate() {
                // SAFETY: the call succeeded: it wrote its `R::LEN` results,
                // numbers of the types `R::TYPES` (checked when the
                // `TypedFunc` was made), each read once into `raw`, which has
                // room for `R::LEN` values.
                unsafe {
                    let (kind, val) = read_number(abi, outs, i);
                    debug_assert_eq!(Some(kind), number_kind(ty), "result {i}");
                    raw.add(i).write(val);
                }
            }
            // SAFETY: `raw` holds `R::LEN` values of the types `R::TYPES`.
            Ok(unsafe { R::load(raw) })
        }
    }

    /// `call_async` for signatures with references, through [`Val`]s.
    async fn call_async_vals(
        &self,
        mut store: impl AsContextMut<Data: Send>,
        params: P,
    ) -> Result<R> {
        let func = self.func();
        async_table(func.wasmtime)?;
        let args = {
            let mut cx = store.as_context_mut();
            cx.check(func.store, "the function")?;
            params.into_vals(&mut cx)?
        };
        let mut results = vec![Val::I32(0); R::LEN];
        func.call_async(&mut store, &args, &mut results).await?;
        R::from_vals(&mut store.as_context_mut(), results)
    }
}
