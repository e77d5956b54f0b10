//! Tables of references.

use crate::capability::Capability;
use crate::error::{ErrorKind, Result};
use crate::store::{AsContext, AsContextMut, StoreContextMut};
use crate::sys::types::*;
use crate::types::TableType;
use crate::val::Val;

/// A table of a store. Every table holds references, so reading or
/// writing one needs a library whose value layout can carry them: on a
/// build without GC these return [`ErrorKind::Unsupported`]`(Gc)`.
///
/// ```no_run
/// use wasmtime_dyn::{Table, TableType, Store, Val, ValType};
/// # let mut store: Store<()> = unimplemented!();
/// let table = Table::new(&mut store, TableType::new(ValType::FuncRef, 2, None), Val::FuncRef(None))?;
/// assert_eq!(table.size(&store), 2);
/// assert!(matches!(table.get(&mut store, 0)?, Some(Val::FuncRef(None))));
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
#[derive(Clone, Copy)]
pub struct Table {
    pub(crate) raw: wasmtime_table_t,
    /// The id of the store it belongs to.
    pub(crate) store: u64,
}

impl std::fmt::Debug for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Table").finish_non_exhaustive()
    }
}

fn require_ref_layout<T>(cx: &StoreContextMut<'_, T>) -> Result<()> {
    if !cx.wasmtime().val_abi().holds_references() {
        Err(ErrorKind::Unsupported(Capability::Gc).into())
    } else {
        Ok(())
    }
}

impl Table {
    pub(crate) fn from_c<T>(cx: &mut StoreContextMut<'_, T>, raw: wasmtime_table_t) -> Table {
        Table {
            raw,
            store: cx.id(),
        }
    }

    fn id(&self) -> u64 {
        self.store
    }

    /// A new table of type `ty`, every entry `init`.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Store, Table, TableType, Val, ValType};
    /// # let mut store: Store<()> = unimplemented!();
    /// let ty = TableType::new(ValType::FuncRef, 4, Some(8));
    /// let table = Table::new(&mut store, ty.clone(), Val::FuncRef(None))?;
    /// assert!(Table::new(&mut store, ty, Val::I32(0)).is_err()); // not a funcref
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn new(mut store: impl AsContextMut, ty: TableType, init: Val) -> Result<Table> {
        let mut cx = store.as_context_mut();
        require_ref_layout(&cx)?;
        if init.fits(ty.element()) == Some(false) {
            return Err(ErrorKind::TypeMismatch(format!(
                "a table of {} cannot hold a {}",
                ty.element(),
                init.ty()
            ))
            .into());
        }
        let core = cx.wasmtime().core();
        let c_ty = ty.to_c(cx.engine())?;
        let c_val = match init.to_c(&mut cx) {
            Ok(v) => v,
            Err(err) => {
                // SAFETY: the type was just made here and is deleted once.
                unsafe { (core.wasm_tabletype_delete)(c_ty) };
                return Err(err);
            }
        };
        let mut raw = std::mem::MaybeUninit::<wasmtime_table_t>::uninit();
        // SAFETY: the context, type and value are live; the type is deleted
        // once; the value is only read.
        let error = unsafe {
            let error = (core.wasmtime_table_new)(cx.context(), c_ty, &c_val, raw.as_mut_ptr());
            (core.wasm_tabletype_delete)(c_ty);
            error
        };
        // SAFETY: the error, if any, is fresh and owned.
        unsafe { crate::error::check(core, error) }?;
        // SAFETY: written on success.
        Ok(Table::from_c(&mut cx, unsafe { raw.assume_init() }))
    }

    /// The table's type.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Store, Table, TableType, Val, ValType};
    /// # let mut store: Store<()> = unimplemented!();
    /// let ty = TableType::new(ValType::FuncRef, 4, Some(8));
    /// let table = Table::new(&mut store, ty.clone(), Val::FuncRef(None))?;
    /// assert_eq!(table.ty(&store)?, ty);
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn ty(&self, store: impl AsContext) -> Result<TableType> {
        let cx = store.as_context();
        cx.check(self.id(), "the table")?;
        let core = cx.wasmtime().core();
        let known = cx.wide_table(&self.raw);
        // SAFETY: the table belongs to this live store; the type is owned
        // here, read and deleted once.
        unsafe {
            let ty = (core.wasmtime_table_type)(cx.context(), &self.raw);
            let out = TableType::from_c(cx.engine(), ty, known);
            (core.wasm_tabletype_delete)(ty);
            out
        }
    }

    /// The number of entries.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Store, Table, TableType, Val, ValType};
    /// # let mut store: Store<()> = unimplemented!();
    /// let ty = TableType::new(ValType::FuncRef, 4, None);
    /// let table = Table::new(&mut store, ty, Val::FuncRef(None))?;
    /// assert_eq!(table.size(&store), 4);
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Panics
    ///
    /// If the table belongs to another store (as in the `wasmtime` crate).
    pub fn size(&self, store: impl AsContext) -> u64 {
        let cx = store.as_context();
        cx.assert_owns(self.id(), "the table");
        // SAFETY: the table belongs to this live store.
        unsafe { (cx.wasmtime().core().wasmtime_table_size)(cx.context(), &self.raw) }
    }

    /// The entry at `index`, or `None` past the end.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Store, Table, TableType, Val, ValType};
    /// # let mut store: Store<()> = unimplemented!();
    /// let ty = TableType::new(ValType::FuncRef, 1, None);
    /// let table = Table::new(&mut store, ty, Val::FuncRef(None))?;
    /// assert!(matches!(table.get(&mut store, 0)?, Some(Val::FuncRef(None))));
    /// assert!(table.get(&mut store, 1)?.is_none()); // past the end
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn get(&self, mut store: impl AsContextMut, index: u64) -> Result<Option<Val>> {
        let mut cx = store.as_context_mut();
        cx.check(self.id(), "the table")?;
        require_ref_layout(&cx)?;
        self.refuse_continuations(&cx)?;
        // SAFETY: all-zero is a valid value; the library overwrites it.
        let mut out: wasmtime_val_t = unsafe { std::mem::zeroed() };
        // SAFETY: the table belongs to this live store; `out` has room for
        // a value of the GC layout, which this library uses (checked).
        let found = unsafe {
            (cx.wasmtime().core().wasmtime_table_get)(cx.context(), &self.raw, index, &mut out)
        };
        if !found {
            return Ok(None);
        }
        // SAFETY: written by this store's library; ownership moves to `Val`.
        unsafe { Val::from_c(&mut cx, &out) }.map(Some)
    }

    /// On the majors whose table growth cannot fail
    /// ([`INFALLIBLE_TABLE_GROWTH`](crate::versions::c_api_aborts::INFALLIBLE_TABLE_GROWTH):
    /// a `Vec::resize`, which aborts the process when its allocation
    /// fails), the growth is refused first, as later majors refuse it
    /// (`ErrorKind::Wasmtime`, out of memory), when the allocator cannot
    /// give this process the entries' bytes now: the new size's, or twice
    /// the old size's, which `Vec` asks for when it doubles. The probe
    /// allocation is freed at once, untouched. A growth Wasmtime refuses
    /// anyway (past the table's maximum or a store limit, or overflowing)
    /// is an error either way; one that fits the `Vec`'s spare capacity is
    /// refused only when twice the old size cannot be allocated.
    fn refuse_unallocatable_growth<T>(
        &self,
        cx: &StoreContextMut<'_, T>,
        delta: u64,
        init: &Val,
    ) -> Result<()> {
        let major = cx.wasmtime().version().major();
        let Some(growth) = crate::versions::c_api_aborts::INFALLIBLE_TABLE_GROWTH.get(major) else {
            return Ok(());
        };
        if delta == 0 {
            return Ok(());
        }
        // The value fits the table (checked by Wasmtime; a mismatch is its
        // error), so its hierarchy is the table's.
        let entry = match init {
            Val::FuncRef(_) => growth.func_entry_bytes,
            _ => growth.gc_entry_bytes,
        };
        // SAFETY: the table belongs to this live store (checked by the caller).
        let old = unsafe { (cx.wasmtime().core().wasmtime_table_size)(cx.context(), &self.raw) };
        let entries = old
            .checked_add(delta)
            .map(|new| new.max(old.saturating_mul(2)));
        let bytes = entries
            .and_then(|n| n.checked_mul(entry))
            .and_then(|b| usize::try_from(b).ok());
        let allocatable = bytes.is_some_and(|b| {
            let mut probe: Vec<u8> = Vec::new();
            probe.try_reserve_exact(b).is_ok()
        });
        if allocatable {
            return Ok(());
        }
        Err(ErrorKind::Wasmtime {
            message: format!(
                "failed to grow table by {delta}: out of memory: its {} entries of {entry} bytes \
                 cannot be allocated (Wasmtime {} would end the process trying)",
                old.saturating_add(delta),
                cx.wasmtime().version()
            ),
        }
        .into())
    }

    /// With stack switching on, a table may hold `cont` references, which
    /// `wasmtime_table_get` cannot return (the C API aborts the process,
    /// "contrefs not yet supported in C API"): the element type is checked
    /// first, without reading the limits (see [`Table::ty`]).
    fn refuse_continuations<T>(&self, cx: &StoreContextMut<'_, T>) -> Result<()> {
        if cx.engine().settings().stack_switching != Some(true) {
            return Ok(());
        }
        let core = cx.wasmtime().core();
        // SAFETY: the table belongs to this live store (checked by the
        // caller); the type is owned here, its element borrowed from it,
        // and deleted once after reading.
        unsafe {
            let ty = (core.wasmtime_table_type)(cx.context(), &self.raw);
            let element =
                crate::types::ValType::from_c(cx.engine(), (core.wasm_tabletype_element)(ty));
            (core.wasm_tabletype_delete)(ty);
            element.map(|_| ())
        }
    }

    /// Sets the entry at `index`.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Func, Store, Table, TableType, Val, ValType};
    /// # let mut store: Store<()> = unimplemented!();
    /// let ty = TableType::new(ValType::FuncRef, 1, None);
    /// let table = Table::new(&mut store, ty, Val::FuncRef(None))?;
    /// let seven = Func::wrap(&mut store, || 7);
    /// table.set(&mut store, 0, Val::FuncRef(Some(seven)))?;
    /// assert!(matches!(table.get(&mut store, 0)?, Some(Val::FuncRef(Some(_)))));
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn set(&self, mut store: impl AsContextMut, index: u64, value: Val) -> Result<()> {
        let mut cx = store.as_context_mut();
        cx.check(self.id(), "the table")?;
        require_ref_layout(&cx)?;
        let c_val = value.to_c(&mut cx)?;
        let core = cx.wasmtime().core();
        // SAFETY: the table belongs to this live store; the value is only read.
        let error = unsafe { (core.wasmtime_table_set)(cx.context(), &self.raw, index, &c_val) };
        // SAFETY: the error, if any, is fresh and owned.
        unsafe { crate::error::check(core, error) }
    }

    /// Grows by `delta` entries set to `init`; returns the previous size.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Store, Table, TableType, Val, ValType};
    /// # let mut store: Store<()> = unimplemented!();
    /// let ty = TableType::new(ValType::FuncRef, 4, None);
    /// let table = Table::new(&mut store, ty, Val::FuncRef(None))?;
    /// assert_eq!(table.grow(&mut store, 2, Val::FuncRef(None))?, 4); // the previous size
    /// assert_eq!(table.size(&store), 6);
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn grow(&self, mut store: impl AsContextMut, delta: u64, init: Val) -> Result<u64> {
        let mut cx = store.as_context_mut();
        cx.check(self.id(), "the table")?;
        require_ref_layout(&cx)?;
        self.refuse_unallocatable_growth(&cx, delta, &init)?;
        let c_val = init.to_c(&mut cx)?;
        let core = cx.wasmtime().core();
        let mut previous = 0;
        // SAFETY: the table belongs to this live store; the value is only read.
        let error = unsafe {
            (core.wasmtime_table_grow)(cx.context(), &self.raw, delta, &c_val, &mut previous)
        };
        // SAFETY: the error, if any, is fresh and owned.
        unsafe { crate::error::check(core, error) }?;
        Ok(previous)
    }
}
