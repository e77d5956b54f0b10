//! `Func::call_async` and `TypedFunc::call_async`: `wasmtime_func_call_async`
//! driven by [`CallFuture`].

use super::{async_table, CallFuture, Slots};
use crate::error::{ErrorKind, Result};
use crate::func::Func;
use crate::store::{AsContextMut, StoreContextMut};
use crate::sys::types::*;
use crate::typed::{TypedFunc, WasmTyList};
use crate::val::Val;
use crate::ValType;
use std::mem::MaybeUninit;

/// How many values a call keeps inline (in its future) before it needs the
/// heap.
const INLINE: usize = 4;

/// C values a call reads or writes, in the library's layout (element `i`
/// at `i * val_size()`, within room for `len` wide values).
pub(crate) struct CVals {
    inline: [wasmtime_val_t; INLINE],
    heap: Vec<wasmtime_val_t>,
    len: usize,
}

// SAFETY: values owned by the task making the call (references in them
// are rooted handles, plain data usable from any thread with their store).
unsafe impl Send for CVals {}
// SAFETY: as above.
unsafe impl Sync for CVals {}

impl CVals {
    /// Room for `len` values, all zero (a valid `wasmtime_val_t`: an i32 0).
    fn zeroed(len: usize) -> CVals {
        // SAFETY: all-zero is a valid `wasmtime_val_t`.
        let zero: wasmtime_val_t = unsafe { std::mem::zeroed() };
        CVals {
            inline: [zero; INLINE],
            heap: if len > INLINE {
                vec![zero; len]
            } else {
                Vec::new()
            },
            len,
        }
    }

    fn as_mut_ptr(&mut self) -> *mut wasmtime_val_t {
        if self.len > INLINE {
            self.heap.as_mut_ptr()
        } else {
            self.inline.as_mut_ptr()
        }
    }

    /// Writes `val` as element `i`, in the library's layout.
    fn set<T>(&mut self, cx: &mut StoreContextMut<'_, T>, i: usize, val: &Val) -> Result<()> {
        assert!(i < self.len, "a C value past the buffer");
        let abi = cx.wasmtime().val_abi();
        let c = val.to_c(cx)?;
        // SAFETY: `c` is built in the wide layout whose first `val_size()`
        // bytes are the library's layout of it (`Val::to_c`); element `i`
        // at the library's stride (at most the wide one) is within the
        // buffer's `len` wide values.
        unsafe {
            std::ptr::copy_nonoverlapping(
                (&c as *const wasmtime_val_t).cast::<u8>(),
                crate::val::nth_val(abi, self.as_mut_ptr(), i).cast::<u8>(),
                abi.val_size(),
            )
        };
        Ok(())
    }

    /// Takes element `i`, which a finished call wrote.
    ///
    /// # Safety
    ///
    /// Element `i` was written by `cx`'s library and is owned here; it is
    /// taken once.
    unsafe fn take<T>(&mut self, cx: &mut StoreContextMut<'_, T>, i: usize) -> Result<Val> {
        assert!(i < self.len, "a C value past the buffer");
        let abi = cx.wasmtime().val_abi();
        // SAFETY: all-zero is a valid value; the library's layout is a
        // prefix of the wide one; element `i` is within the buffer and
        // was written (contract); it moves to the `Val` once.
        unsafe {
            let mut copy: wasmtime_val_t = std::mem::zeroed();
            std::ptr::copy_nonoverlapping(
                crate::val::nth_val(abi, self.as_mut_ptr(), i).cast::<u8>(),
                (&mut copy as *mut wasmtime_val_t).cast::<u8>(),
                abi.val_size(),
            );
            Val::from_c(cx, &copy)
        }
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
    pub async fn call_async(
        &self,
        mut store: impl AsContextMut<Data: Send>,
        params: &[Val],
        results: &mut [Val],
    ) -> Result<()> {
        async_table(self.wasmtime)?;
        let args = {
            let mut cx = store.as_context_mut();
            cx.check(self.store, "the function")?;
            let ty = self.ty_ref();
            if params.len() != ty.param_types().len() || results.len() != ty.result_types().len() {
                return Err(ErrorKind::TypeMismatch(format!(
                    "the function's type is {ty}, but it was called with {} arguments and room for {} results",
                    params.len(),
                    results.len()
                ))
                .into());
            }
            let mut args = CVals::zeroed(params.len());
            for (i, (param, expected)) in params.iter().zip(ty.param_types()).enumerate() {
                if param.fits(expected) == Some(false) {
                    return Err(ErrorKind::TypeMismatch(format!(
                        "argument {i} is {}, but the function's type is {ty}",
                        param.ty()
                    ))
                    .into());
                }
                args.set(&mut cx, i, param)?;
            }
            args
        };
        let mut outs = CVals::zeroed(results.len());
        self.call_c(&mut store, args, &mut outs).await?;
        let mut cx = store.as_context_mut();
        let mut first_error = None;
        for (i, result) in results.iter_mut().enumerate() {
            // SAFETY: the call succeeded: it wrote its results, owned here,
            // each taken once.
            match unsafe { outs.take(&mut cx, i) } {
                Ok(v) => *result = v,
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// The async call itself: `args` (checked against the function's type)
    /// in, the results written to `outs` on success.
    async fn call_c(
        &self,
        mut store: impl AsContextMut,
        mut args: CVals,
        outs: &mut CVals,
    ) -> Result<()> {
        let table = async_table(self.wasmtime)?;
        let mut slots = Slots::new();
        let mut call = {
            let cx = store.as_context_mut();
            // SAFETY: the function belongs to this live store (checked by
            // the callers); the arguments are live values of it in the
            // library's layout, read when the future is made; `outs` has
            // room for the results; `outs`, `slots` and `self.raw` stay
            // where they are (borrowed, or in this `async fn`'s pinned
            // state) until the future is deleted.
            unsafe {
                let ptr = (table.wasmtime_func_call_async)(
                    cx.context(),
                    &self.raw,
                    args.as_mut_ptr(),
                    args.len,
                    outs.as_mut_ptr(),
                    outs.len,
                    &mut slots.trap,
                    &mut slots.error,
                );
                CallFuture::new(table, ptr)
            }
        };
        drop(args);
        call.run().await;
        drop(call);
        if slots.failed() {
            // SAFETY: fresh, owned error or trap of this store's library.
            return Err(unsafe {
                crate::func::call_failed(&mut store.as_context_mut(), slots.error, slots.trap)
            });
        }
        Ok(())
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
    /// converted on the stack (up to 4 inline, in the future), references
    /// go through [`Val`]s.
    ///
    /// # Errors
    ///
    /// As [`Func::call_async`].
    pub async fn call_async(&self, mut store: impl AsContextMut<Data: Send>, params: P) -> Result<R>
    where
        P: Sync,
        R: Sync,
    {
        let func = self.func();
        async_table(func.wasmtime)?;
        if !(P::NUMBERS && R::NUMBERS) {
            let args = {
                let mut cx = store.as_context_mut();
                cx.check(func.store, "the function")?;
                params.into_vals(&mut cx)?
            };
            let mut results = vec![Val::I32(0); R::LEN];
            func.call_async(&mut store, &args, &mut results).await?;
            return R::from_vals(&mut store.as_context_mut(), results);
        }
        let args = {
            let mut cx = store.as_context_mut();
            cx.check(func.store, "the function")?;
            let mut raw = MaybeUninit::<P::Array>::uninit();
            let raw = raw.as_mut_ptr().cast::<wasmtime_val_raw_t>();
            let mut args = CVals::zeroed(P::LEN);
            // SAFETY: `raw` has room for `P::LEN` values, written by
            // `store` and read back at the types `P::TYPES` names.
            unsafe {
                params.store(raw);
                for (i, ty) in P::TYPES.iter().enumerate() {
                    args.set(&mut cx, i, &number(&*raw.add(i), ty))?;
                }
            }
            args
        };
        let mut outs = CVals::zeroed(R::LEN);
        func.call_c(&mut store, args, &mut outs).await?;
        let mut cx = store.as_context_mut();
        let mut raw = MaybeUninit::<R::Array>::uninit();
        let raw = raw.as_mut_ptr().cast::<wasmtime_val_raw_t>();
        for i in 0..R::LEN {
            // SAFETY: the call succeeded: it wrote its results (numbers of
            // the types `R::TYPES`, checked when the `TypedFunc` was
            // made), each taken once; `raw` has room for `R::LEN` values.
            unsafe {
                let val = outs.take(&mut cx, i)?;
                raw.add(i)
                    .write(val.number_to_raw().expect("R is all numbers"));
            }
        }
        // SAFETY: `raw` holds `R::LEN` values of the types `R::TYPES`.
        Ok(unsafe { R::load(raw) })
    }
}

/// The number `raw` holds, of type `ty`.
///
/// # Safety
///
/// `raw`'s member for `ty` (a number type) was written.
unsafe fn number(raw: &wasmtime_val_raw_t, ty: &ValType) -> Val {
    // SAFETY: the caller's contract.
    unsafe { Val::number_from_raw(raw, ty) }.expect("P is all numbers")
}
