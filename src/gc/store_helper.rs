//! What a store needs so that its GC roots do not pile up, which the C API
//! does not give: a host function of the store's own that takes the
//! pending exception inside a host call, and a GC heap made early.
//!
//! * `wasmtime_context_take_exception` returns an owned root, but makes it
//!   from a LIFO root (`Rooted`) it pushes outside any `RootScope`, which
//!   stays until the store is dropped (C API `exnref.rs`, Wasmtime
//!   `store/gc.rs` `take_pending_exception_rooted`, Wasmtime 45 to 50):
//!   the exception object and its root, ~60 bytes per take, even after
//!   `Store::gc`. Wasmtime pops the LIFO roots a host function made when
//!   it returns (`func.rs`, `array_call_trampoline`, `enter_gc_lifo_scope`
//!   / `exit_gc_lifo_scope`), so the exception is taken inside a call of a
//!   helper host function. Not on Wasmtime 45, where the pending
//!   exception has no count of its own for that root to drop
//!   (`versions::gc_rules::PENDING_EXCEPTION_COUNTED`).
//! * Wasmtime releases the owned roots of dropped references only when it
//!   trims them, which it does only in a store with a GC heap
//!   (`trim_gc_liveness_flags`, 45 to 50), and a store makes one only for
//!   its first GC object (or a module that needs one): `AnyRef::from_i31`
//!   in a store without one kept ~54 bytes per call. So a store gets its
//!   GC heap (one empty `externref`, dropped at once) before it makes its
//!   first `anyref` or `eqref`.
//!
//! A store's helper function and whether its heap is made are kept in a
//! process-wide map keyed by the store's id (never reused), whose entry is
//! removed by the helper's finalizer when the store is deleted.

use crate::error::{ErrorKind, Result};
use crate::loader::Wasmtime;
use crate::store::StoreContextMut;
use crate::sys::types::*;
use crate::types::FuncType;
use crate::val::gc_table;
use crate::versions::gc_rules::PENDING_EXCEPTION_COUNTED;
use std::cell::Cell;
use std::collections::HashMap;
use std::ffi::c_void;
use std::mem::MaybeUninit;
use std::sync::Mutex;

/// The environment of a store's helper function, owned by the function
/// (freed by its finalizer when the store is deleted).
struct HelperEnv {
    wasmtime: &'static Wasmtime,
    /// The store's id, to remove its entry from [`HELPERS`].
    store: u64,
    /// The exception the last call took, for the caller to read.
    taken: Cell<Option<wasmtime_exnref_t>>,
}

/// A store's entry.
#[derive(Clone, Copy)]
struct Helper {
    func: wasmtime_func_t,
    /// Lives as long as the store (the function's environment).
    env: *const HelperEnv,
    /// Whether the store has its GC heap.
    heap: bool,
}

// SAFETY: the function handle is a store id and an index; the environment
// is only read through a live context of its store, which the caller holds
// exclusively (a store is used by one thread at a time).
unsafe impl Send for Helper {}

/// Every store's entry, by store id.
static HELPERS: Mutex<Option<HashMap<u64, Helper>>> = Mutex::new(None);

fn with_helpers<R>(f: impl FnOnce(&mut HashMap<u64, Helper>) -> R) -> R {
    // A poisoned lock only means a panic elsewhere between two statements
    // that cannot leave the map inconsistent.
    let mut guard = HELPERS.lock().unwrap_or_else(|e| e.into_inner());
    f(guard.get_or_insert_with(HashMap::new))
}

thread_local! {
    /// The last stores known on this thread to have a GC heap: the check
    /// before each new `anyref` or `eqref` costs no lock (ids are never
    /// reused, so an entry never goes stale).
    static HEAP_MADE: Cell<[u64; 4]> = const { Cell::new([0; 4]) };
}

fn heap_known(store: u64) -> bool {
    HEAP_MADE
        .try_with(|made| made.get().contains(&store))
        .unwrap_or(false)
}

fn remember_heap(store: u64) {
    let _ = HEAP_MADE.try_with(|made| {
        let mut ids = made.get();
        ids.rotate_right(1);
        ids[0] = store;
        made.set(ids);
    });
}

/// The helper function's body: takes the store's pending exception into
/// the environment. Inside a host call, so the LIFO root the C API makes
/// is popped when it returns.
unsafe extern "C" fn take_exception(
    env: *mut c_void,
    caller: *mut wasmtime_caller_t,
    _args_and_results: *mut wasmtime_val_raw_t,
    _len: usize,
) -> *mut wasm_trap_t {
    // Nothing here panics; the catch keeps it so.
    let _ = std::panic::catch_unwind(|| {
        // SAFETY: `env` is the function's live environment (the store is
        // in a call, so not deleted); `caller` is the live caller.
        let env = unsafe { &*env.cast::<HelperEnv>() };
        let Some(gc) = env.wasmtime.tables().gc_since_45.as_ref() else {
            return;
        };
        let mut out = MaybeUninit::<wasmtime_exnref_t>::uninit();
        // SAFETY: the caller's context is live; `out` is written when an
        // exception was pending, with an owned root that moves to `taken`.
        unsafe {
            let context = (env.wasmtime.core().wasmtime_caller_context)(caller);
            if (gc.wasmtime_context_take_exception)(context, out.as_mut_ptr()) {
                env.taken.set(Some(out.assume_init()));
            }
        }
    });
    std::ptr::null_mut()
}

/// The helper's finalizer, run when the store is deleted: removes the
/// store's entry and frees the environment.
unsafe extern "C" fn finalize(env: *mut c_void) {
    crate::panics::in_finalizer(|| {
        // SAFETY: the environment made by `helper`, freed once, here.
        let env = unsafe { Box::from_raw(env.cast::<HelperEnv>()) };
        with_helpers(|helpers| helpers.remove(&env.store));
        let tables = env.wasmtime.tables();
        if let (Some(mut left), Some(gc)) = (env.taken.take(), tables.gc_since_44.as_ref()) {
            // SAFETY: an owned root nobody read; releasing needs no store.
            unsafe { (gc.wasmtime_exnref_unroot)(&mut left) };
        }
    });
}

/// The entry of `cx`'s store, made (with its helper function) if needed.
fn helper<T>(cx: &StoreContextMut<'_, T>) -> Result<Helper> {
    let store = cx.id();
    if let Some(found) = with_helpers(|helpers| helpers.get(&store).copied()) {
        return Ok(found);
    }
    let wasmtime = cx.wasmtime();
    let ty = FuncType::new([], []);
    let c_ty = ty.to_c(cx.engine())?;
    let env = Box::into_raw(Box::new(HelperEnv {
        wasmtime,
        store,
        taken: Cell::new(None),
    }));
    let mut func = MaybeUninit::<wasmtime_func_t>::uninit();
    // SAFETY: the context is live; the type is borrowed by the call; the
    // environment moves to the function, which frees it with `finalize`
    // when the store is deleted (never before: a store keeps its
    // functions); `func` is written.
    let func = unsafe {
        (wasmtime.core().wasmtime_func_new_unchecked)(
            cx.context(),
            c_ty.ptr,
            Some(take_exception),
            env.cast(),
            Some(finalize),
            func.as_mut_ptr(),
        );
        func.assume_init()
    };
    let made = Helper {
        func,
        env,
        heap: false,
    };
    with_helpers(|helpers| helpers.insert(store, made));
    Ok(made)
}

/// Takes `cx`'s pending exception inside a call of the store's helper
/// function (see the module's documentation); `None` when there is none.
/// Takes it directly (keeping Wasmtime's LIFO root) on Wasmtime 45, and if
/// the helper cannot be made or called.
pub(crate) fn take_exception_scoped<T>(
    cx: &mut StoreContextMut<'_, T>,
) -> Option<wasmtime_exnref_t> {
    let gc = cx.wasmtime().tables().gc_since_45.as_ref()?;
    let core = cx.wasmtime().core();
    let counted = *PENDING_EXCEPTION_COUNTED.of(crate::versions::major_of(cx.wasmtime()));
    if let Some(helper) = counted.then(|| helper(cx).ok()).flatten() {
        let mut trap = std::ptr::null_mut();
        let mut none = MaybeUninit::<wasmtime_val_raw_t>::uninit();
        // SAFETY: the function belongs to this live store and takes and
        // returns nothing (the buffer is never read); a trap or an error,
        // if any, is fresh and owned, deleted here.
        unsafe {
            let error = (core.wasmtime_func_call_unchecked)(
                cx.context(),
                &helper.func,
                none.as_mut_ptr(),
                0,
                &mut trap,
            );
            if !error.is_null() {
                (core.wasmtime_error_delete)(error);
            }
            if !trap.is_null() {
                (core.wasm_trap_delete)(trap);
            }
        }
        // SAFETY: the environment lives as long as the store, which is
        // live; only this thread (holding the store) reads it.
        if let Some(taken) = unsafe { (*helper.env).taken.take() } {
            return Some(taken);
        }
    }
    let mut out = MaybeUninit::uninit();
    // SAFETY: the context is live; `out` is written when there is one.
    let found = unsafe { (gc.wasmtime_context_take_exception)(cx.context(), out.as_mut_ptr()) };
    // SAFETY: written when found.
    found.then(|| unsafe { out.assume_init() })
}

/// Makes sure `cx`'s store has its GC heap, so that Wasmtime releases the
/// roots of the references it hands out once they are dropped (see the
/// module's documentation).
///
/// # Errors
///
/// [`ErrorKind::Invalid`] when Wasmtime cannot make one: GC off in the
/// engine's configuration, or a limiter or pool that refuses its memory.
pub(crate) fn ensure_gc_heap<T>(cx: &StoreContextMut<'_, T>) -> Result<()> {
    let store = cx.id();
    if heap_known(store) {
        return Ok(());
    }
    if with_helpers(|helpers| helpers.get(&store).is_some_and(|h| h.heap)) {
        remember_heap(store);
        return Ok(());
    }
    let gc = gc_table(cx.wasmtime())?;
    // Majors 36 and 37 unroot through the store (`GcRootsV36`), which
    // `AnyRef` and `EqRef` handles do not do: refused as too old for them,
    // naming the majors of the root functions they use.
    let w = cx.wasmtime();
    let roots = w.tables().gc_roots.as_ref().ok_or_else(|| {
        match w.absence(crate::sys::tables::TableId::GcRoots) {
            Some(crate::sys::tables::Absence::NotInVersion { majors, .. }) => {
                ErrorKind::UnsupportedVersion {
                    feature: "`anyref` and `eqref` references made by the host",
                    needs: majors.clone(),
                    found: w.version(),
                }
            }
            _ => ErrorKind::Invalid(
                "making a GC heap needs the root functions of Wasmtime 38 and later".into(),
            ),
        }
    })?;
    let mut made = MaybeUninit::<wasmtime_externref_t>::uninit();
    // SAFETY: the context is live; no data and no finalizer, so nothing is
    // owned by the call whatever it returns; `made` is written on success
    // with an owned root, released at once.
    let ok = unsafe {
        (gc.wasmtime_externref_new)(cx.context(), std::ptr::null_mut(), None, made.as_mut_ptr())
    };
    if !ok {
        return Err(ErrorKind::Invalid(
            "the store has no GC heap and Wasmtime could not make one (GC is off in the \
             engine's configuration, or a limiter or the pooling allocator refused its \
             memory): without one, Wasmtime never releases the roots of `anyref`s and \
             `eqref`s, so wasmtime-dyn does not make them; turn GC on (`Config::wasm_gc`) \
             or allow the store a GC heap"
                .into(),
        )
        .into());
    }
    // SAFETY: written above; released once.
    unsafe { (roots.wasmtime_externref_unroot)(made.as_mut_ptr()) };
    // Recorded in the store's entry (removed with the store); if the entry
    // cannot be made, only this thread remembers, and another thread's
    // check makes one more empty `externref`.
    if let Ok(helper) = helper(cx) {
        let helper = Helper {
            heap: true,
            ..helper
        };
        with_helpers(|helpers| helpers.insert(store, helper));
    }
    remember_heap(store);
    Ok(())
}
