//! [`ResourceAny`]: a handle the host owns to a resource a component
//! defined.
//!
//! The C API's handle is an index into the store's table of host
//! resources with no store id and no liveness: a handle of another store
//! acts on that store's resource at the same index, and a handle used
//! after its resource was dropped or moved into the guest acts on whatever
//! reuses the index, or reaches an `unreachable!()` in Wasmtime
//! (`ResourceAny::resource_drop` on an index now holding a borrow), which
//! aborts the process. So every handle here carries its store's id and a
//! liveness flag shared by its clones, and both are checked before the C
//! API sees the handle.

use super::func::{model_of, with_trap};
use super::types::{ResourceType, Type};
use super::val::Val;
use crate::error::{ErrorKind, Result};
use crate::store::AsContextMut;
use crate::sys::tables::ComponentModel;
use crate::sys::types::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// An owned handle to a resource of a component, as the `wasmtime`
/// crate's `wasmtime::component::ResourceAny`: returned by a component
/// function (an `own<R>` result) or given to a host function (an
/// `own<R>` parameter), passed back in calls, and dropped with
/// [`ResourceAny::resource_drop`], which runs the resource's destructor.
///
/// Unlike the crate's, it is not `Copy`: its clones share one liveness,
/// so once the resource is dropped or moved into the guest (passed where
/// an `own<R>` is expected), every clone refuses to be used instead of
/// naming another resource that took its place. A borrowed handle (a
/// `borrow<R>` parameter of a host function) is valid until that host
/// function returns, and refused after.
///
/// ```no_run
/// use wasmtime_dyn::component::{Instance, ResourceAny, Val};
/// # let (instance, mut store): (Instance, wasmtime_dyn::Store<()>) = unimplemented!();
/// let make = instance.get_typed_func::<(u32,), (ResourceAny,)>(&mut store, "make")?;
/// let read = instance.get_typed_func::<(&ResourceAny,), (u32,)>(&mut store, "read")?;
/// let (counter,) = make.call(&mut store, (5,))?;
/// assert_eq!(read.call(&mut store, (&counter,))?, (5,));
/// counter.resource_drop(&mut store)?;
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
pub struct ResourceAny {
    raw: *mut wasmtime_component_resource_any_t,
    model: &'static ComponentModel,
    store: u64,
    live: Arc<AtomicBool>,
}

// SAFETY: the C box is an immutable (index, type, owned) value; the
// liveness flag is atomic.
unsafe impl Send for ResourceAny {}
// SAFETY: as above.
unsafe impl Sync for ResourceAny {}

impl Clone for ResourceAny {
    fn clone(&self) -> Self {
        ResourceAny {
            // SAFETY: a live box; the clone is owned by the new value.
            raw: unsafe { (self.model.wasmtime_component_resource_any_clone)(self.raw) },
            model: self.model,
            store: self.store,
            live: self.live.clone(),
        }
    }
}

impl Drop for ResourceAny {
    fn drop(&mut self) {
        // SAFETY: owned, freed once; this frees the handle, not the
        // resource (as with the crate, a resource never dropped lives as
        // long as its store).
        unsafe { (self.model.wasmtime_component_resource_any_delete)(self.raw) };
    }
}

/// Clones of one handle are equal.
impl PartialEq for ResourceAny {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.live, &other.live)
    }
}

impl std::fmt::Debug for ResourceAny {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResourceAny")
            .field("live", &self.live.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl ResourceAny {
    /// A new handle for the resource in `raw`, a box the library lends
    /// (cloned here).
    ///
    /// # Safety
    ///
    /// `raw` is a live handle box of `model`'s library, of the store `store`.
    pub(crate) unsafe fn from_c(
        model: &'static ComponentModel,
        store: u64,
        raw: *const wasmtime_component_resource_any_t,
    ) -> Result<ResourceAny> {
        let live = Arc::new(AtomicBool::new(true));
        // SAFETY: live (contract).
        if !unsafe { (model.wasmtime_component_resource_any_owned)(raw) } {
            // A borrow lives as long as the host call it was lent to.
            let registered = BORROWS
                .try_with(|scopes| match scopes.borrow_mut().last_mut() {
                    Some(scope) => {
                        scope.push(live.clone());
                        true
                    }
                    None => false,
                })
                .unwrap_or(false);
            if !registered {
                return Err(ErrorKind::TypeMismatch(
                    "a borrowed resource outside of a host function's call".into(),
                )
                .into());
            }
        }
        Ok(ResourceAny {
            // SAFETY: live (contract); the clone is owned by the value.
            raw: unsafe { (model.wasmtime_component_resource_any_clone)(raw) },
            model,
            store,
            live,
        })
    }

    /// Takes an owned box of the library.
    fn from_owned_box(
        model: &'static ComponentModel,
        store: u64,
        raw: *mut wasmtime_component_resource_any_t,
    ) -> ResourceAny {
        ResourceAny {
            raw,
            model,
            store,
            live: Arc::new(AtomicBool::new(true)),
        }
    }

    /// The host's resource of type `T` this handle names, as the crate's
    /// `try_into_resource`: an owned handle moves out of the store's table
    /// into the returned [`Resource`] (every clone of it is spent), a
    /// borrowed one gives a borrowed `Resource`.
    ///
    /// ```no_run
    /// use wasmtime_dyn::component::{Resource, ResourceAny};
    /// struct Counter;
    /// # let (r, mut store): (ResourceAny, wasmtime_dyn::Store<()>) = unimplemented!();
    /// let counter: Resource<Counter> = r.try_into_resource(&mut store)?;
    /// println!("counter #{}", counter.rep());
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As for [`ResourceAny::resource_drop`]; [`ErrorKind::TypeMismatch`]
    /// when the resource is not the host's `T`.
    pub fn try_into_resource<T: 'static>(
        self,
        mut store: impl AsContextMut,
    ) -> Result<Resource<T>> {
        let mut cx = store.as_context_mut();
        let raw = self.usable_in(cx.id())?;
        if self.ty() != ResourceType::host::<T>() {
            return Err(ErrorKind::TypeMismatch(format!(
                "the resource is not a host resource of type `{}`",
                std::any::type_name::<T>()
            ))
            .into());
        }
        let owned = self.owned();
        let mut host = std::ptr::null_mut();
        // SAFETY: a live handle of this store (checked); `host` is written
        // on success and owned here.
        let error = unsafe {
            (self.model.wasmtime_component_resource_any_to_host)(cx.context(), raw, &mut host)
        };
        if owned {
            self.retire();
        }
        if !error.is_null() {
            // SAFETY: a fresh, owned error of this store's library.
            return Err(unsafe { crate::func::call_failed(&mut cx, error, std::ptr::null_mut()) });
        }
        // SAFETY: a live host handle, read then freed once.
        let (rep, owned) = unsafe {
            let rep = (self.model.wasmtime_component_resource_host_rep)(host);
            let owned = (self.model.wasmtime_component_resource_host_owned)(host);
            (self.model.wasmtime_component_resource_host_delete)(host);
            (rep, owned)
        };
        Ok(Resource {
            rep,
            owned,
            _type: std::marker::PhantomData,
        })
    }

    /// The handle, checked for use in the store with id `store`.
    pub(crate) fn usable_in(&self, store: u64) -> Result<*const wasmtime_component_resource_any_t> {
        if self.store != store {
            return Err(ErrorKind::WrongStore("the resource").into());
        }
        if !self.live.load(Ordering::Acquire) {
            return Err(ErrorKind::Invalid(
                "the resource was dropped or moved into the guest (passed as an `own`): its \
                 handle names nothing any more"
                    .into(),
            )
            .into());
        }
        Ok(self.raw)
    }

    /// Marks the resource as gone (dropped, or moved into the guest).
    pub(crate) fn retire(&self) {
        self.live.store(false, Ordering::Release);
    }

    /// The resource's type.
    ///
    /// ```no_run
    /// # let r: wasmtime_dyn::component::ResourceAny = unimplemented!();
    /// println!("{:?}", r.ty());
    /// ```
    pub fn ty(&self) -> ResourceType {
        // SAFETY: a live box; the type is owned by the value.
        let ptr = unsafe { (self.model.wasmtime_component_resource_any_type)(self.raw) };
        ResourceType::from_raw(self.model, ptr)
    }

    /// Whether this is an owned handle (always, for now: borrowed ones are
    /// not supported yet).
    ///
    /// ```no_run
    /// # let r: wasmtime_dyn::component::ResourceAny = unimplemented!();
    /// assert!(r.owned());
    /// ```
    pub fn owned(&self) -> bool {
        // SAFETY: a live box.
        unsafe { (self.model.wasmtime_component_resource_any_owned)(self.raw) }
    }

    /// Drops the resource, running its destructor if it has one. Every
    /// clone of this handle refuses to be used afterwards.
    ///
    /// ```no_run
    /// # let (r, mut store): (wasmtime_dyn::component::ResourceAny, wasmtime_dyn::Store<()>) = unimplemented!();
    /// r.resource_drop(&mut store)?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::WrongStore`] for another store's resource;
    /// [`ErrorKind::Invalid`] when it was dropped or moved into the guest
    /// already; Wasmtime's error (a resource lent to a call in progress)
    /// or the destructor's trap.
    pub fn resource_drop(self, mut store: impl AsContextMut) -> Result<()> {
        let mut cx = store.as_context_mut();
        let raw = self.usable_in(cx.id())?;
        let model = model_of(cx.wasmtime())?;
        self.retire();
        // SAFETY: a live handle of this store (checked), never dropped
        // before (its liveness is shared by every clone).
        let error = unsafe { (model.wasmtime_component_resource_any_drop)(cx.context(), raw) };
        if error.is_null() {
            return Ok(());
        }
        // SAFETY: a fresh, owned error of this store's library.
        Err(with_trap(unsafe {
            crate::func::call_failed(&mut cx, error, std::ptr::null_mut())
        }))
    }
}

thread_local! {
    /// The liveness flags of the borrowed handles given to each host call
    /// in progress on this thread, innermost last.
    static BORROWS: std::cell::RefCell<Vec<Vec<Arc<AtomicBool>>>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A host call in progress: the borrowed handles it receives are valid
/// until it ends (also by a panic), then refused.
pub(crate) struct BorrowScope(());

impl BorrowScope {
    pub(crate) fn enter() -> BorrowScope {
        let _ = BORROWS.try_with(|scopes| scopes.borrow_mut().push(Vec::new()));
        BorrowScope(())
    }
}

impl Drop for BorrowScope {
    fn drop(&mut self) {
        let lent = BORROWS
            .try_with(|scopes| scopes.borrow_mut().pop())
            .ok()
            .flatten();
        for live in lent.into_iter().flatten() {
            live.store(false, Ordering::Release);
        }
    }
}

/// A resource the host defines, of Rust type `T` (named with
/// [`ResourceType::host`]), as the crate's
/// `wasmtime::component::Resource`: a number (`rep`) the host gives the
/// guest, owned or borrowed.
///
/// ```no_run
/// use wasmtime_dyn::component::{Resource, ResourceType, Val};
/// struct Counter;
/// # let mut linker: wasmtime_dyn::component::Linker<Vec<u32>> = unimplemented!();
/// linker.root().resource("counter", ResourceType::host::<Counter>(), |mut store, rep| {
///     store.data_mut().push(rep); // the guest dropped counter #rep
///     Ok(())
/// })?;
/// linker.root().func_new("new-counter", |mut store, _, params, results| {
///     let Val::U32(start) = params[0] else { wasmtime_dyn::bail!("a u32") };
///     let counter = Resource::<Counter>::new_own(start);
///     results[0] = Val::Resource(counter.try_into_resource_any(&mut store)?);
///     Ok(())
/// })?;
/// # Ok::<(), wasmtime_dyn::Error>(())
/// ```
pub struct Resource<T: 'static> {
    rep: u32,
    owned: bool,
    _type: std::marker::PhantomData<fn() -> T>,
}

impl<T: 'static> Resource<T> {
    /// An owned resource with representation `rep`.
    ///
    /// ```
    /// struct File;
    /// let f = wasmtime_dyn::component::Resource::<File>::new_own(3);
    /// assert!(f.owned() && f.rep() == 3);
    /// ```
    pub fn new_own(rep: u32) -> Self {
        Resource {
            rep,
            owned: true,
            _type: std::marker::PhantomData,
        }
    }

    /// A borrowed resource with representation `rep`.
    ///
    /// ```
    /// struct File;
    /// let f = wasmtime_dyn::component::Resource::<File>::new_borrow(3);
    /// assert!(!f.owned());
    /// ```
    pub fn new_borrow(rep: u32) -> Self {
        Resource {
            rep,
            owned: false,
            _type: std::marker::PhantomData,
        }
    }

    /// The representation.
    ///
    /// ```
    /// struct File;
    /// assert_eq!(wasmtime_dyn::component::Resource::<File>::new_own(9).rep(), 9);
    /// ```
    pub fn rep(&self) -> u32 {
        self.rep
    }

    /// Whether this is an owned resource.
    ///
    /// ```
    /// struct File;
    /// assert!(wasmtime_dyn::component::Resource::<File>::new_own(9).owned());
    /// ```
    pub fn owned(&self) -> bool {
        self.owned
    }

    /// A handle in `store`'s table for this owned resource, to pass to the
    /// guest, as the crate's `try_into_resource_any`.
    ///
    /// ```no_run
    /// use wasmtime_dyn::component::Resource;
    /// struct Counter;
    /// # let mut store: wasmtime_dyn::Store<()> = unimplemented!();
    /// let handle = Resource::<Counter>::new_own(1).try_into_resource_any(&mut store)?;
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unsupported`]`(ComponentModel)`; [`ErrorKind::Invalid`]
    /// for a borrowed resource (a borrow lives only in the call it was
    /// lent to); Wasmtime's error.
    pub fn try_into_resource_any(self, mut store: impl AsContextMut) -> Result<ResourceAny> {
        let mut cx = store.as_context_mut();
        let model = model_of(cx.wasmtime())?;
        if !self.owned {
            return Err(ErrorKind::Invalid(
                "a borrowed `Resource` cannot become a `ResourceAny`: pass the owned one".into(),
            )
            .into());
        }
        let ty = super::types::host_type_id::<T>();
        let mut any = std::ptr::null_mut();
        // SAFETY: a new host handle, freed once; `any` is written on
        // success and owned by the returned value.
        let error = unsafe {
            let host = (model.wasmtime_component_resource_host_new)(true, self.rep, ty);
            let error =
                (model.wasmtime_component_resource_host_to_any)(cx.context(), host, &mut any);
            (model.wasmtime_component_resource_host_delete)(host);
            error
        };
        if !error.is_null() {
            // SAFETY: a fresh, owned error of this store's library.
            return Err(unsafe { crate::func::call_failed(&mut cx, error, std::ptr::null_mut()) });
        }
        Ok(ResourceAny::from_owned_box(model, cx.id(), any))
    }
}

impl<T> std::fmt::Debug for Resource<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resource")
            .field("rep", &self.rep)
            .field("owned", &self.owned)
            .finish()
    }
}

/// Checks that every resource in `vals` can be passed in the store with
/// id `store`; returns whether there is one.
pub(crate) fn check_resources(vals: &[Val], store: u64) -> Result<bool> {
    let mut found = false;
    for v in vals {
        found |= check_one(v, store)?;
    }
    Ok(found)
}

fn check_one(val: &Val, store: u64) -> Result<bool> {
    Ok(match val {
        Val::Resource(r) => {
            r.usable_in(store)?;
            true
        }
        Val::List(items) | Val::Tuple(items) => check_resources(items, store)?,
        Val::Record(fields) => {
            let mut found = false;
            for (_, v) in fields {
                found |= check_one(v, store)?;
            }
            found
        }
        Val::Map(entries) => {
            let mut found = false;
            for (k, v) in entries {
                found |= check_one(k, store)? | check_one(v, store)?;
            }
            found
        }
        Val::Option(Some(v))
        | Val::Variant(_, Some(v))
        | Val::Result(Ok(Some(v)))
        | Val::Result(Err(Some(v))) => check_one(v, store)?,
        _ => false,
    })
}

/// Retires the resources `vals` move into the guest: those at `own`
/// positions of `types` (a borrow is only lent).
pub(crate) fn retire_moved<'a>(vals: &[Val], types: impl IntoIterator<Item = &'a Type>) {
    for (v, t) in vals.iter().zip(types) {
        retire_one(v, t);
    }
}

fn retire_one(val: &Val, ty: &Type) {
    match (val, ty) {
        (Val::Resource(r), Type::Own(_)) => r.retire(),
        (Val::List(items), Type::List(l)) => {
            let t = l.ty();
            items.iter().for_each(|v| retire_one(v, &t));
        }
        (Val::Tuple(items), Type::Tuple(t)) => {
            let types: Vec<Type> = t.types().collect();
            retire_moved(items, &types);
        }
        (Val::Record(fields), Type::Record(r)) => {
            for (name, v) in fields {
                if let Some(f) = r.fields().find(|f| &f.name == name) {
                    retire_one(v, &f.ty);
                }
            }
        }
        (Val::Option(Some(v)), Type::Option(o)) => retire_one(v, &o.ty()),
        (Val::Result(Ok(Some(v))), Type::Result(r)) => {
            if let Some(t) = r.ok() {
                retire_one(v, &t);
            }
        }
        (Val::Result(Err(Some(v))), Type::Result(r)) => {
            if let Some(t) = r.err() {
                retire_one(v, &t);
            }
        }
        (Val::Variant(name, Some(v)), Type::Variant(var)) => {
            if let Some(t) = var
                .cases()
                .find(|c| &c.name == name)
                .and_then(|c| c.ty.clone())
            {
                retire_one(v, &t);
            }
        }
        (Val::Map(entries), Type::Map(m)) => {
            let (kt, vt) = (m.key(), m.value());
            for (k, v) in entries {
                retire_one(k, &kt);
                retire_one(v, &vt);
            }
        }
        _ => {}
    }
}

impl super::ComponentType for ResourceAny {
    fn typecheck(ty: &Type) -> Result<()> {
        match ty {
            Type::Own(_) | Type::Borrow(_) => Ok(()),
            other => {
                Err(ErrorKind::TypeMismatch(format!("expected a resource, found {other:?}")).into())
            }
        }
    }
}

impl super::Lower for ResourceAny {
    fn to_val(&self) -> Val {
        Val::Resource(self.clone())
    }
}

impl super::Lift for ResourceAny {
    fn from_val(val: Val) -> Result<Self> {
        match val {
            Val::Resource(r) => Ok(r),
            other => Err(ErrorKind::TypeMismatch(format!(
                "expected a resource value, found {other:?}"
            ))
            .into()),
        }
    }
}
