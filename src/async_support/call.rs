//! `Func::call_async` and `TypedFunc::call_async`: `wasmtime_func_call_async`
//! driven by [`CallFuture`].

use super::{async_table, CallFuture, Slots};
use crate::error::{ErrorKind, Result};
use crate::func::Func;
use crate::store::{AsContextMut, StoreContextMut};
use crate::sys::types::*;
use crate::typed::{TypedFunc, WasmTyList};
use crate::val::Val;

/// C values a call reads or writes, in the library's layout.
pub(crate) struct CVals(pub(crate) Vec<wasmtime_val_t>);

// SAFETY: values owned by the task making the call (references in them
// are rooted handles, plain data usable from any thread with their store).
unsafe impl Send for CVals {}
// SAFETY: as above.
unsafe impl Sync for CVals {}

/// `vals` as `wasmtime_val_t`s in the library's layout, borrowed by the
/// call they are passed to (the C API reads them when the call future is
/// made).
pub(crate) fn c_vals<T>(cx: &mut StoreContextMut<'_, T>, vals: &[Val]) -> Result<CVals> {
    let abi = cx.wasmtime().val_abi();
    // SAFETY: all-zero is a valid `wasmtime_val_t` (an i32 0); the wide
    // element has room for the library's, which is at most as large.
    let mut out: Vec<wasmtime_val_t> = vec![unsafe { std::mem::zeroed() }; vals.len()];
    for (i, val) in vals.iter().enumerate() {
        let c = val.to_c(cx)?;
        // SAFETY: `c` is built in the wide layout whose first
        // `val_size()` bytes are the library's layout of it (`Val::to_c`);
        // the destination is element `i` of `out` at the library's stride,
        // within the vector.
        unsafe {
            std::ptr::copy_nonoverlapping(
                (&c as *const wasmtime_val_t).cast::<u8>(),
                crate::val::nth_val(abi, out.as_mut_ptr(), i).cast::<u8>(),
                abi.val_size(),
            )
        };
    }
    Ok(CVals(out))
}

/// Takes the values a finished call wrote into `outs` (the library's
/// layout) into `results`.
///
/// # Safety
///
/// The call succeeded: the first `results.len()` values of `outs` (at the
/// library's stride) were written by it and are owned here.
unsafe fn take_results<T>(
    cx: &mut StoreContextMut<'_, T>,
    outs: &mut [wasmtime_val_t],
    results: &mut [Val],
) -> Result<()> {
    let abi = cx.wasmtime().val_abi();
    let mut first_error = None;
    for (i, result) in results.iter_mut().enumerate() {
        // SAFETY: all-zero is a valid value; the library's layout is a
        // prefix of the wide one; element `i` was written (contract) and
        // moves to the `Val` once.
        let taken = unsafe {
            let mut copy: wasmtime_val_t = std::mem::zeroed();
            std::ptr::copy_nonoverlapping(
                crate::val::nth_val(abi, outs.as_mut_ptr(), i).cast::<u8>(),
                (&mut copy as *mut wasmtime_val_t).cast::<u8>(),
                abi.val_size(),
            );
            Val::from_c(cx, &copy)
        };
        match taken {
            Ok(v) => *result = v,
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    first_error.map_or(Ok(()), Err)
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
        let table = async_table(self.wasmtime)?;
        let (args, mut outs) = {
            let mut cx = store.as_context_mut();
            cx.check(self.store, "the function")?;
            let ty = self.ty_ref();
            if params.len() != ty.params().len() || results.len() != ty.results().len() {
                return Err(ErrorKind::TypeMismatch(format!(
                    "the function's type is {ty}, but it was called with {} arguments and room for {} results",
                    params.len(),
                    results.len()
                ))
                .into());
            }
            for (i, (param, expected)) in params.iter().zip(ty.params()).enumerate() {
                if param.fits(expected) == Some(false) {
                    return Err(ErrorKind::TypeMismatch(format!(
                        "argument {i} is {}, but the function's type is {ty}",
                        param.ty()
                    ))
                    .into());
                }
            }
            let args = c_vals(&mut cx, params)?;
            // SAFETY: all-zero is a valid value; room for the library's.
            let outs = CVals(vec![unsafe { std::mem::zeroed() }; results.len()]);
            (args, outs)
        };
        let mut slots = Slots::new();
        let mut call = {
            let cx = store.as_context_mut();
            // SAFETY: the function belongs to this live store (checked);
            // the arguments are live values of it in the library's layout,
            // read when the future is made; `outs` has room for the
            // results, and `slots` and `self.raw` stay where they are (this
            // `async fn`'s state is pinned) until the future is deleted.
            unsafe {
                let ptr = (table.wasmtime_func_call_async)(
                    cx.context(),
                    &self.raw,
                    args.0.as_ptr(),
                    args.0.len(),
                    outs.0.as_mut_ptr(),
                    outs.0.len(),
                    &mut slots.trap,
                    &mut slots.error,
                );
                CallFuture::new(table, ptr)
            }
        };
        drop(args);
        call.run().await;
        drop(call);
        let mut cx = store.as_context_mut();
        if slots.failed() {
            // SAFETY: fresh, owned error or trap of this store's library.
            return Err(unsafe { crate::func::call_failed(&mut cx, slots.error, slots.trap) });
        }
        // SAFETY: the call succeeded: it wrote the results.
        unsafe { take_results(&mut cx, &mut outs.0, results) }
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
    /// The C API's async call takes `wasmtime_val_t` arrays, so the
    /// arguments and results go through [`Val`]s (two small vectors per
    /// call, next to the fiber switch and the C API's own allocations).
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
        let args = {
            let mut cx = store.as_context_mut();
            cx.check(func.store, "the function")?;
            params.into_vals(&mut cx)?
        };
        let mut results = vec![Val::I32(0); R::TYPES.len()];
        func.call_async(&mut store, &args, &mut results).await?;
        R::from_vals(&mut store.as_context_mut(), results)
    }
}
