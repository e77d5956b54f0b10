//! References on Wasmtime 36 and 37, whose `wasmtime_externref_clone` and
//! `wasmtime_externref_unroot` take the store's context (`GcRootsV36`),
//! which an [`ExternRef`](super::ExternRef) handle does not keep (it is
//! `Send`, and cloned or dropped anywhere, like the `wasmtime` crate's).
//!
//! So on those majors a clone shares its original's root, counted here,
//! and the last handle to go queues the root; the store unroots its queue
//! the next time this crate uses it with its context ([`drain`]), and
//! forgets it when it is deleted (which frees every root of it). The
//! bookkeeping is behind one lock and only ever reached on 36 and 37.

use crate::store::StoreContextMut;
use crate::sys::tables::GcRootsV36;
use crate::sys::types::wasmtime_externref_t;
use std::collections::HashMap;
use std::sync::Mutex;

/// A root: its store (this crate's id) and the C handle's identity.
type Key = (u64, u64, u32, u32);

#[derive(Default)]
struct Roots {
    /// How many handles beyond the first share each root.
    shared: HashMap<Key, usize>,
    /// The roots no handle holds any more, per store.
    pending: HashMap<u64, Vec<wasmtime_externref_t>>,
}

// SAFETY: the queued references are plain data (a store id and indices),
// only handed to their store's library with that store's context.
unsafe impl Send for Roots {}

static ROOTS: Mutex<Option<Roots>> = Mutex::new(None);

fn with<R>(f: impl FnOnce(&mut Roots) -> R) -> R {
    let mut guard = ROOTS.lock().unwrap_or_else(|p| p.into_inner());
    f(guard.get_or_insert_with(Roots::default))
}

fn key(store: u64, raw: &wasmtime_externref_t) -> Key {
    (store, raw.store_id, raw.__private1, raw.__private2)
}

/// One more handle shares the root `raw` of `store`.
pub(super) fn share(store: u64, raw: &wasmtime_externref_t) {
    with(|r| *r.shared.entry(key(store, raw)).or_insert(0) += 1);
}

/// A handle of the root `raw` of `store` is gone: the root is queued when it
/// was the last.
pub(super) fn release(store: u64, raw: wasmtime_externref_t) {
    with(|r| {
        let k = key(store, &raw);
        match r.shared.get_mut(&k) {
            Some(1) => {
                r.shared.remove(&k);
            }
            Some(n) => *n -= 1,
            None => r.pending.entry(store).or_default().push(raw),
        }
    });
}

/// Unroots the queued roots of `cx`'s store (nothing to do on majors from
/// 38, whose handles unroot themselves).
pub(crate) fn drain<T>(cx: &mut StoreContextMut<'_, T>) {
    let Some(roots) = cx.wasmtime().tables().gc_roots_v36.as_ref() else {
        return;
    };
    drain_with(roots, cx);
}

fn drain_with<T>(roots: &GcRootsV36, cx: &mut StoreContextMut<'_, T>) {
    let store = cx.id();
    let Some(mut queued) = with(|r| r.pending.remove(&store)) else {
        return;
    };
    for raw in &mut queued {
        // SAFETY: a root of this live store no handle holds any more,
        // unrooted once (taken off the queue above).
        unsafe { (roots.wasmtime_externref_unroot)(cx.context(), raw) };
    }
}

/// The store `store` is deleted, and every root of it with it.
pub(crate) fn forget_store(store: u64) {
    let mut guard = ROOTS.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(r) = guard.as_mut() {
        r.pending.remove(&store);
        r.shared.retain(|k, _| k.0 != store);
    }
}
