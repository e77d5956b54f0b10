//! [`Func`]: a component function exported by an [`Instance`](super::Instance).

use super::resource::{check_resources, retire_moved};
use super::types::{ComponentFunc, Type};
use super::val::{OwnedVals, Val, ValFns};
use crate::error::{Error, ErrorKind, Result};
use crate::loader::Wasmtime;
use crate::store::{AsContext, AsContextMut};
use crate::sys::tables::ComponentModel;
use crate::sys::types::*;
use crate::trap::Trap;

/// Room for a `wasmtime_component_func_t` of any supported major: 24
/// bytes up to Wasmtime 48, 32 from 49 (which added a pointer). The C API
/// only ever takes it by pointer, so the largest layout, zeroed and aligned
/// to 8, serves every major: an older library writes and reads its first
/// 24 bytes.
#[repr(C, align(8))]
#[derive(Clone, Copy)]
pub(crate) struct FuncStorage([u64; 4]);

const _: () = assert!(
    std::mem::size_of::<wasmtime_component_func_t>() <= std::mem::size_of::<FuncStorage>()
        && std::mem::align_of::<wasmtime_component_func_t>() <= std::mem::align_of::<FuncStorage>()
);

impl FuncStorage {
    pub(crate) fn zeroed() -> FuncStorage {
        FuncStorage([0; 4])
    }

    pub(crate) fn as_ptr(&self) -> *const wasmtime_component_func_t {
        (self as *const FuncStorage).cast()
    }

    pub(crate) fn as_mut_ptr(&mut self) -> *mut wasmtime_component_func_t {
        (self as *mut FuncStorage).cast()
    }
}

/// A component function, as the `wasmtime` crate's
/// `wasmtime::component::Func`: found with
/// [`Instance::get_func`](super::Instance::get_func), called with
/// [`Val`]s, and valid in the store its instance lives in.
///
/// ```no_run
/// use wasmtime_dyn::component::{Instance, Val};
/// # let (instance, mut store): (Instance, wasmtime_dyn::Store<()>) = unimplemented!();
/// let greet = instance.get_func(&mut store, "greet").expect("exported");
/// let mut results = [Val::Bool(false)];
/// greet.call(&mut store, &[Val::String("world".into())], &mut results)?;
/// assert_eq!(results[0], Val::String("hello, world".into()));
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
#[derive(Clone, Copy)]
pub struct Func {
    pub(crate) raw: FuncStorage,
    pub(crate) store: u64,
    /// Whether the results' type mentions `future`, `stream` or
    /// `error-context`: values the C API cannot convert (`todo!()` in
    /// c-api 45..50 src/component/val.rs, which aborts the process), so
    /// such a function is never called.
    pub(crate) async_results: bool,
}

impl std::fmt::Debug for Func {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Func").finish_non_exhaustive()
    }
}

/// The component model's functions of `wasmtime`, which a store of it
/// that holds component objects has.
pub(crate) fn model_of(wasmtime: &'static Wasmtime) -> Result<&'static ComponentModel> {
    // Before 40 the C API's component model differs from these bindings
    // (the host-function callback and `val_new` up to 38, no
    // `func_type_async` in 39): refused as too old.
    wasmtime.tables().component_model.as_ref().ok_or_else(|| {
        crate::capability::absent(
            wasmtime,
            crate::Capability::ComponentModel,
            "the component model",
        )
    })
}

impl Func {
    /// Calls the function with `params`, writing its results (none or
    /// one) into `results`. Wasmtime checks the arity and each value's
    /// type; a host function's error comes back as that same error, and a
    /// trap as a [`Trap`].
    ///
    /// ```no_run
    /// use wasmtime_dyn::component::{Func, Val};
    /// # let (f, mut store): (Func, wasmtime_dyn::Store<()>) = unimplemented!();
    /// let mut out = [Val::Bool(false)];
    /// f.call(&mut store, &[Val::List(vec![Val::U32(1), Val::U32(2)])], &mut out)?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::WrongStore`] for a function of another store (the C
    /// API aborts the process on it); Wasmtime's type errors; the guest's
    /// trap; a host function's error. On an error the result slots hold
    /// unspecified values.
    pub fn call(
        &self,
        mut store: impl AsContextMut,
        params: &[Val],
        results: &mut [Val],
    ) -> Result<()> {
        let mut cx = store.as_context_mut();
        let fns = self.val_fns(&cx)?;
        // Resources are checked before anything is built: of this store,
        // and not dropped or moved into the guest already. Those passed
        // as `own` move into the guest with the call.
        let param_types = if may_hold_resources(params) && check_resources(params, fns.store)? {
            Some(self.ty(&cx).params().map(|(_, t)| t).collect::<Vec<_>>())
        } else {
            None
        };
        let args = OwnedVals::lower(fns, params);
        // Result slots always hold a value: the C API drops a slot's old
        // value when it writes a result.
        let mut outs = OwnedVals::placeholders(fns, results.len());
        let called = self.call_c(&mut cx, fns, args, &mut outs);
        if let Some(types) = &param_types {
            retire_moved(params, types);
        }
        called?;
        for (slot, out) in results.iter_mut().zip(outs.as_slice()) {
            // SAFETY: a value the library wrote; freed by `outs`. The slot's
            // old value is reused where it can be (a string's buffer).
            unsafe { fns.lift_into(out, slot) }?;
        }
        Ok(())
    }

    /// The functions this function's values are built with, once it is
    /// known to be of the store of `cx` and its values convertible.
    pub(crate) fn val_fns<T>(&self, cx: &crate::store::StoreContextMut<'_, T>) -> Result<ValFns> {
        cx.check(self.store, "the component function")?;
        if self.async_results {
            return Err(async_values("the function's results"));
        }
        let wasmtime = cx.wasmtime();
        Ok(ValFns {
            core: wasmtime.core(),
            model: model_of(wasmtime)?,
            store: cx.id(),
        })
    }

    /// Calls the function with C arguments, freed when the call returns,
    /// its results written into `outs` (initialised slots, one per
    /// result).
    pub(crate) fn call_c<T>(
        &self,
        cx: &mut crate::store::StoreContextMut<'_, T>,
        fns: ValFns,
        args: OwnedVals,
        outs: &mut OwnedVals,
    ) -> Result<()> {
        let (args_ptr, args_len) = (args.as_slice().as_ptr(), args.as_slice().len());
        let outs = outs.as_mut_slice();
        // SAFETY: the function is of this store (checked by `val_fns`) and
        // its storage has room for any major's layout; arguments are live
        // values the call borrows; `outs` are initialised slots.
        let error = unsafe {
            (fns.model.wasmtime_component_func_call)(
                self.raw.as_ptr(),
                cx.context(),
                args_ptr,
                args_len,
                outs.as_mut_ptr(),
                outs.len(),
            )
        };
        drop(args);
        if error.is_null() {
            if !*crate::versions::COMPONENT_POST_RETURN.of(crate::versions::major_of(cx.wasmtime()))
            {
                return Ok(());
            }
            // SAFETY: as for the call, which returned: the results are
            // owned copies in `outs`, so the callee may free its own.
            let error = unsafe {
                (fns.model.wasmtime_component_func_post_return)(self.raw.as_ptr(), cx.context())
            };
            if error.is_null() {
                return Ok(());
            }
            // SAFETY: a fresh, owned error of this store's library.
            let err = unsafe { crate::func::call_failed(cx, error, std::ptr::null_mut()) };
            return Err(with_trap(err));
        }
        // SAFETY: a fresh, owned error of this store's library.
        let err = unsafe { crate::func::call_failed(cx, error, std::ptr::null_mut()) };
        Err(with_trap(err))
    }

    /// Does nothing: calls clean up after themselves, as in the crate,
    /// which deprecated it (the C API's `wasmtime_component_func_post_return`
    /// is a no-op from Wasmtime 42; before, each call runs it).
    ///
    /// ```no_run
    /// # let (f, mut store): (wasmtime_dyn::component::Func, wasmtime_dyn::Store<()>) = unimplemented!();
    /// #[allow(deprecated)]
    /// f.post_return(&mut store)?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    #[deprecated(note = "no longer needs to be called; this function has no effect")]
    pub fn post_return(&self, _store: impl AsContextMut) -> Result<()> {
        Ok(())
    }

    /// The function's type.
    ///
    /// ```no_run
    /// # let (f, store): (wasmtime_dyn::component::Func, wasmtime_dyn::Store<()>) = unimplemented!();
    /// let ty = f.ty(&store);
    /// println!("{} params", ty.params().len());
    /// ```
    ///
    /// # Panics
    ///
    /// When the function belongs to another store, as the crate's does.
    pub fn ty(&self, store: impl AsContext) -> ComponentFunc {
        let cx = store.as_context();
        cx.assert_owns(self.store, "the component function");
        let model =
            model_of(cx.wasmtime()).expect("a store with component functions has the capability");
        // SAFETY: a function of this store; the returned type is owned and
        // freed by `take`.
        unsafe {
            let ty = (model.wasmtime_component_func_type)(self.raw.as_ptr(), cx.context());
            ComponentFunc::take(model, ty)
        }
    }

    /// The parameters' names and types.
    ///
    /// ```no_run
    /// # let (f, store): (wasmtime_dyn::component::Func, wasmtime_dyn::Store<()>) = unimplemented!();
    /// for (name, ty) in f.params(&store).iter() { println!("{name}: {ty:?}"); }
    /// ```
    ///
    /// # Panics
    ///
    /// As [`Func::ty`].
    pub fn params(&self, store: impl AsContext) -> Box<[(String, Type)]> {
        self.ty(store)
            .params()
            .map(|(n, t)| (n.to_string(), t))
            .collect()
    }

    /// The result types (none or one).
    ///
    /// ```no_run
    /// # let (f, store): (wasmtime_dyn::component::Func, wasmtime_dyn::Store<()>) = unimplemented!();
    /// let n = f.results(&store).len();
    /// ```
    ///
    /// # Panics
    ///
    /// As [`Func::ty`].
    pub fn results(&self, store: impl AsContext) -> Box<[Type]> {
        self.ty(store).results().collect()
    }
}

/// Whether `vals` may hold a resource, cheaply, so that a list of 1,000
/// numbers is not walked: false for scalars, strings, enums and flags, and
/// for a list whose first element is one of those (a resource further on
/// is not of the type of that first element, so Wasmtime's type check
/// refuses the call when it reaches it, with no resource before it to
/// move; the value the C API gets for it is a clone, or a `bool` when the
/// resource is not usable, see [`ValFns::lower`]). Containers otherwise
/// are left to [`check_resources`].
fn may_hold_resources(vals: &[Val]) -> bool {
    fn plain(v: &Val) -> bool {
        !matches!(
            v,
            Val::Resource(_)
                | Val::List(_)
                | Val::Tuple(_)
                | Val::Record(_)
                | Val::Map(_)
                | Val::Option(_)
                | Val::Variant(..)
                | Val::Result(_)
        )
    }
    vals.iter().any(|v| match v {
        Val::List(items) => items.first().is_some_and(|first| !plain(first)),
        v => !plain(v),
    })
}

/// The error for a function whose values the C API cannot convert.
#[cold]
pub(crate) fn async_values(what: &str) -> Error {
    ErrorKind::Invalid(format!(
        "{what} mention `future`, `stream` or `error-context`, whose values the Wasmtime C API \
         cannot pass to the host (it aborts the process): such functions are not supported"
    ))
    .into()
}

/// A component call's error as a [`Trap`] when Wasmtime's report is one:
/// the component C API reports traps as errors with their message only,
/// so the trap is recognised by Wasmtime's wording of it (the codes'
/// texts are the same in every supported major), keeping the wasm frames.
pub(crate) fn with_trap(err: Error) -> Error {
    let Some(ErrorKind::Wasmtime { message }) = err.downcast_ref::<ErrorKind>() else {
        return err;
    };
    let trap = (0..=u8::MAX)
        .map(Trap::from_raw)
        .filter(|t| !matches!(t, Trap::Other(_)))
        .find(|t| message.contains(&t.to_string()));
    let Some(trap) = trap else {
        return err;
    };
    match err.downcast_ref::<crate::trap::WasmBacktrace>() {
        Some(trace) => Error::new(trap).context(trace.clone()),
        None => Error::new(trap),
    }
}
