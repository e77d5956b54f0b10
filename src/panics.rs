//! Panics must never unwind into C: every `extern "C"` callback this crate
//! hands to the library runs its Rust body under `catch_unwind`. A host
//! function's panic is kept in its store and resumed in the caller of the
//! wasm call (see `func::host::run_host`). A finalizer's panic (the `Drop` of a
//! host function's closure, of an externref's data, of a WASI capture
//! buffer) happens while the library is deleting something, where no store
//! is at hand: it is kept here, in a thread-local, and resumed once the C
//! call that ran the finalizer has returned (`resume_finalizer_panic`),
//! unless the thread is already unwinding, in which case it is dropped
//! (a second panic would abort).

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

type Payload = Box<dyn Any + Send>;

thread_local! {
    static PENDING: RefCell<Option<Payload>> = const { RefCell::new(None) };
    /// Whether `PENDING` may hold a payload: what the common case (none)
    /// reads, a plain flag without the destructor state `PENDING` checks.
    static MAYBE_PENDING: Cell<bool> = const { Cell::new(false) };
}

/// Drops a panic payload without letting its own `Drop` unwind.
fn discard(payload: Payload) {
    let _ = catch_unwind(AssertUnwindSafe(move || drop(payload)));
}

/// Runs the body of a finalizer called from C; a panic is kept for
/// [`resume_finalizer_panic`] (the first one, if several happen before it
/// runs).
pub(crate) fn in_finalizer(body: impl FnOnce()) {
    if let Err(payload) = catch_unwind(AssertUnwindSafe(body)) {
        let kept = PENDING.try_with(|pending| {
            let mut pending = pending.borrow_mut();
            if pending.is_none() {
                *pending = Some(payload);
                MAYBE_PENDING.with(|m| m.set(true));
                None
            } else {
                Some(payload)
            }
        });
        match kept {
            Ok(None) => {}
            Ok(Some(extra)) => discard(extra),
            // The thread is being torn down: nowhere to resume it.
            Err(_) => {}
        }
    }
}

/// Resumes the panic of a finalizer that ran during the C call that just
/// returned, if any (dropped instead while the thread is unwinding).
#[inline]
pub(crate) fn resume_finalizer_panic() {
    if MAYBE_PENDING.with(Cell::get) {
        resume_pending();
    }
}

#[cold]
fn resume_pending() {
    MAYBE_PENDING.with(|m| m.set(false));
    let Ok(Some(payload)) = PENDING.try_with(|pending| pending.borrow_mut().take()) else {
        return;
    };
    if std::thread::panicking() {
        discard(payload);
    } else {
        resume_unwind(payload);
    }
}
