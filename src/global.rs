//! Globals.

use crate::capability::Capability;
use crate::error::{ErrorKind, Result};
use crate::store::{AsContext, AsContextMut, StoreContextMut};
use crate::sys::types::*;
use crate::types::{GlobalType, Mutability};
use crate::val::Val;

/// A global of a store.
///
/// ```no_run
/// use wasmtime_dyn::{Global, GlobalType, Mutability, Store, Val, ValType};
/// # let mut store: Store<()> = unimplemented!();
/// let g = Global::new(&mut store, GlobalType::new(ValType::I64, Mutability::Var), Val::I64(1))?;
/// g.set(&mut store, Val::I64(2))?;
/// assert_eq!(g.get(&mut store)?.i64(), Some(2));
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
#[derive(Clone, Copy)]
pub struct Global {
    pub(crate) raw: wasmtime_global_t,
    /// The id of the store it belongs to.
    pub(crate) store: u64,
}

impl std::fmt::Debug for Global {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Global").finish_non_exhaustive()
    }
}

/// Refuses a value that is surely not of the global's type (Wasmtime
/// checks what only it can tell).
fn check_fits(value: &Val, ty: &GlobalType) -> Result<()> {
    if value.fits(ty.content()) == Some(false) {
        return Err(ErrorKind::TypeMismatch(format!(
            "a global of type {} cannot hold a {}",
            ty.content(),
            value.ty()
        ))
        .into());
    }
    Ok(())
}

impl Global {
    pub(crate) fn from_c<T>(cx: &mut StoreContextMut<'_, T>, raw: wasmtime_global_t) -> Global {
        Global {
            raw,
            store: cx.id(),
        }
    }

    /// A new global of type `ty` holding `value`.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Global, GlobalType, Mutability, Store, Val, ValType};
    /// # let mut store: Store<()> = unimplemented!();
    /// let ty = GlobalType::new(ValType::F64, Mutability::Const);
    /// let pi = Global::new(&mut store, ty.clone(), Val::from(std::f64::consts::PI))?;
    /// assert!(Global::new(&mut store, ty, Val::I32(3)).is_err()); // not an f64
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::TypeMismatch`] if `value` is not of `ty`'s type (or
    /// Wasmtime's error, for a reference whose type only Wasmtime can
    /// check); [`ErrorKind::Unsupported`]`(Gc)` for a reference global
    /// without GC; [`ErrorKind::WrongEngine`] for a type of another
    /// engine's concrete types.
    pub fn new(mut store: impl AsContextMut, ty: GlobalType, value: Val) -> Result<Global> {
        let mut cx = store.as_context_mut();
        check_fits(&value, &ty)?;
        let c_val = value.to_c(&mut cx)?;
        let core = cx.wasmtime().core();
        let c_ty = ty.to_c(cx.engine())?;
        let mut raw = std::mem::MaybeUninit::<wasmtime_global_t>::uninit();
        // SAFETY: the context, type and value are live and match; the type
        // is deleted once; the value is only read.
        let error = unsafe {
            let error = (core.wasmtime_global_new)(cx.context(), c_ty, &c_val, raw.as_mut_ptr());
            (core.wasm_globaltype_delete)(c_ty);
            error
        };
        // SAFETY: the error, if any, is fresh and owned.
        unsafe { crate::error::check(core, error) }?;
        // SAFETY: written on success.
        Ok(Global::from_c(&mut cx, unsafe { raw.assume_init() }))
    }

    /// The global's type.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Global, GlobalType, Mutability, Store, Val, ValType};
    /// # let mut store: Store<()> = unimplemented!();
    /// let ty = GlobalType::new(ValType::I32, Mutability::Var);
    /// let g = Global::new(&mut store, ty.clone(), Val::I32(0))?;
    /// assert_eq!(g.ty(&store)?, ty);
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn ty(&self, store: impl AsContext) -> Result<GlobalType> {
        let cx = store.as_context();
        cx.check(self.store, "the global")?;
        let core = cx.wasmtime().core();
        // SAFETY: the global belongs to this live store; the type is owned
        // here, read and deleted once.
        unsafe {
            let ty = (core.wasmtime_global_type)(cx.context(), &self.raw);
            let out = GlobalType::from_c(cx.engine(), ty);
            (core.wasm_globaltype_delete)(ty);
            out
        }
    }

    /// The current value.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Instance, Store};
    /// # let (mut store, instance): (Store<()>, Instance) = unimplemented!();
    /// let counter = instance.get_global(&mut store, "counter").expect("a global `counter`");
    /// println!("counter = {:?}", counter.get(&mut store)?.i32());
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unsupported`]`(Gc)` for a reference global on a library
    /// without GC, whose value layout cannot hold references.
    pub fn get(&self, mut store: impl AsContextMut) -> Result<Val> {
        let ty = self.ty(store.as_context_mut())?;
        let mut cx = store.as_context_mut();
        if ty.content().is_ref() && !cx.wasmtime().val_abi().holds_references() {
            return Err(ErrorKind::Unsupported(Capability::Gc).into());
        }
        // SAFETY: all-zero is a valid value; the library overwrites it.
        let mut out: wasmtime_val_t = unsafe { std::mem::zeroed() };
        // SAFETY: the global belongs to this live store (checked by `ty`);
        // `out` has room for a value of either layout.
        unsafe { (cx.wasmtime().core().wasmtime_global_get)(cx.context(), &self.raw, &mut out) };
        // SAFETY: written by this store's library; ownership moves to `Val`.
        unsafe { Val::from_c(&mut cx, &out) }
    }

    /// Sets the value.
    ///
    /// ```no_run
    /// use wasmtime_dyn::Mutability::{Const, Var};
    /// use wasmtime_dyn::{Global, GlobalType, Store, Val, ValType};
    /// # let mut store: Store<()> = unimplemented!();
    /// let var = Global::new(&mut store, GlobalType::new(ValType::I32, Var), Val::I32(1))?;
    /// var.set(&mut store, Val::I32(2))?;
    /// let fixed = Global::new(&mut store, GlobalType::new(ValType::I32, Const), Val::I32(1))?;
    /// assert!(fixed.set(&mut store, Val::I32(2)).is_err()); // immutable
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::TypeMismatch`] for an immutable global or a value of another
    /// type; [`ErrorKind::Unsupported`]`(Gc)` as for [`Global::get`].
    pub fn set(&self, mut store: impl AsContextMut, value: Val) -> Result<()> {
        let ty = self.ty(store.as_context_mut())?;
        if ty.mutability() == Mutability::Const {
            return Err(ErrorKind::TypeMismatch("the global is immutable".into()).into());
        }
        check_fits(&value, &ty)?;
        let mut cx = store.as_context_mut();
        let c_val = value.to_c(&mut cx)?;
        let core = cx.wasmtime().core();
        // SAFETY: the global belongs to this live store; the value matches
        // its type and is only read.
        let error = unsafe { (core.wasmtime_global_set)(cx.context(), &self.raw, &c_val) };
        // SAFETY: the error, if any, is fresh and owned.
        unsafe { crate::error::check(core, error) }
    }
}
