//! Async calls as Rust futures: the C API's call futures
//! (`wasmtime_call_future_t`) driven from `Future::poll`, with the polling
//! task's `Waker` reaching the host futures the guest awaits.
//!
//! `wasmtime_call_future_poll` polls Wasmtime's side with a no-op waker
//! (c-api 45 to 50, `async.rs`), and an async host function's continuation
//! (`wasmtime_async_continuation_t`) is called without any context. So the
//! bridge keeps the task's waker in a thread-local for the length of each
//! poll ([`CallFuture::poll_call`]); the continuation runs inside that poll
//! (on the fiber's stack, on the same OS thread) and polls the host's Rust
//! future with it ([`with_task_waker`]). A host future that is pending has
//! registered the task's waker, and says so ([`host_pending`]); a poll that
//! ends not done without one was a fuel or epoch yield (Wasmtime's
//! `yield_now` wakes only its no-op waker) or a Wasmtime-internal future,
//! and the bridge wakes the task itself: a cooperative yield.

mod call;
mod instance;
mod store;

use crate::capability::Capability;
use crate::error::{ErrorKind, Result};
use crate::loader::Wasmtime;
use crate::sys::tables::{Absence, Async};
use crate::sys::types::*;
use std::cell::Cell;
use std::ptr::NonNull;
use std::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};

thread_local! {
    /// The waker of the task polling a call future on this thread, for the
    /// length of that poll; null otherwise.
    static TASK_WAKER: Cell<*const Waker> = const { Cell::new(std::ptr::null()) };
    /// Set by a host future that returned `Pending` during the current
    /// poll (it holds the task's waker).
    static HOST_PENDING: Cell<bool> = const { Cell::new(false) };
}

/// The async table of `wasmtime`, or why there is none:
/// [`ErrorKind::Unsupported`]`(Async)` for a build without the `async`
/// feature, [`ErrorKind::UnsupportedVersion`] for a major whose async calls
/// these bindings do not hand out (before 42, see `src/sys/tables.rs`).
pub(crate) fn async_table(wasmtime: &'static Wasmtime) -> Result<&'static Async> {
    if let Some(table) = &wasmtime.tables().async_ {
        return Ok(table);
    }
    Err(match wasmtime.capability_absence(Capability::Async) {
        Some(Absence::NotInVersion { majors, .. }) => ErrorKind::UnsupportedVersion {
            feature: "async calls",
            needs: majors.clone(),
            found: wasmtime.version(),
        },
        _ => ErrorKind::Unsupported(Capability::Async),
    }
    .into())
}

/// The error of a sync call in a store whose calls must be async.
#[cold]
pub(crate) fn sync_call_refused() -> crate::Error {
    ErrorKind::Invalid(
        "store configuration requires that `*_async` functions are used instead: this store \
         was instantiated with `instantiate_async`, took async host functions from a linker, or \
         has fuel or epoch async yields (use `call_async`)"
            .into(),
    )
    .into()
}

/// Runs `f` with the waker of the task whose poll is running on this
/// thread (a no-op waker outside one: the C API only calls a continuation
/// from `wasmtime_call_future_poll`, so that is never expected).
pub(crate) fn with_task_waker<R>(f: impl FnOnce(&Waker) -> R) -> R {
    let waker = TASK_WAKER.with(Cell::get);
    if waker.is_null() {
        f(&noop_waker())
    } else {
        // SAFETY: set by `PollScope::enter` from a `&Waker` that outlives
        // the scope, and cleared (restored) when the scope ends; this runs
        // inside that scope, on its thread.
        f(unsafe { &*waker })
    }
}

/// Records that a host future returned `Pending` holding the task's waker.
pub(crate) fn host_pending() {
    HOST_PENDING.with(|p| p.set(true));
}

/// The task's waker in the thread-local for one poll; the previous state
/// (a call future polled from inside a host future) is restored on drop.
struct PollScope {
    waker: *const Waker,
    pending: bool,
}

impl PollScope {
    fn enter(waker: &Waker) -> PollScope {
        PollScope {
            waker: TASK_WAKER.with(|w| w.replace(waker)),
            pending: HOST_PENDING.with(|p| p.replace(false)),
        }
    }

    /// Whether a host future returned `Pending` during this scope.
    fn host_pending(&self) -> bool {
        HOST_PENDING.with(Cell::get)
    }
}

impl Drop for PollScope {
    fn drop(&mut self) {
        TASK_WAKER.with(|w| w.set(self.waker));
        HOST_PENDING.with(|p| p.set(self.pending));
    }
}

fn noop_waker() -> Waker {
    const VTABLE: RawWakerVTable = RawWakerVTable::new(
        |_| RawWaker::new(std::ptr::null(), &VTABLE),
        |_| {},
        |_| {},
        |_| {},
    );
    // SAFETY: every function of the table ignores the (null) data pointer.
    unsafe { Waker::from_raw(RawWaker::new(std::ptr::null(), &VTABLE)) }
}

/// A C call future, owned: deleted on drop (which, mid-call, makes
/// Wasmtime unwind the suspended wasm and drop the host futures it was
/// awaiting), never polled again once done (the C API aborts on that).
pub(crate) struct CallFuture {
    ptr: NonNull<wasmtime_call_future_t>,
    table: &'static Async,
    done: bool,
}

// SAFETY: the C future is the `wasmtime` crate's call or instantiation
// future (plus the C API's conversions), which is `Send` for a store whose
// data is `Send` (the C API's store data is); it is only touched through
// `&mut self`. The host futures it runs are `Send` (the bounds of
// `Linker::func_wrap_async` and `func_new_async`), and the thread-local
// bridge is set up on whichever thread polls.
unsafe impl Send for CallFuture {}
// SAFETY: no method takes `&self`.
unsafe impl Sync for CallFuture {}

impl CallFuture {
    /// Owns `ptr`, which a `*_async` function of `table`'s library just
    /// returned.
    ///
    /// # Safety
    ///
    /// `ptr` is a fresh call future of that library; everything it points
    /// to (the call's results, trap and error slots, function, linker,
    /// module) outlives the returned value.
    pub(crate) unsafe fn new(
        table: &'static Async,
        ptr: *mut wasmtime_call_future_t,
    ) -> CallFuture {
        CallFuture {
            ptr: NonNull::new(ptr).expect("the C API's *_async functions return a future"),
            table,
            done: false,
        }
    }

    /// Polls the C future once, with the task's waker on the bridge.
    pub(crate) fn poll_call(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if self.done {
            return Poll::Ready(());
        }
        let scope = PollScope::enter(cx.waker());
        // SAFETY: live, not done (checked): polling is allowed.
        let done = unsafe { (self.table.wasmtime_call_future_poll)(self.ptr.as_ptr()) };
        let host_pending = scope.host_pending();
        drop(scope);
        if done {
            self.done = true;
            return Poll::Ready(());
        }
        if !host_pending {
            // A fuel or epoch yield, or a Wasmtime-internal future that only
            // saw the C API's no-op waker: poll again soon.
            cx.waker().wake_by_ref();
        }
        Poll::Pending
    }

    /// Polls to completion.
    pub(crate) async fn run(&mut self) {
        std::future::poll_fn(|cx| self.poll_call(cx)).await
    }
}

impl Drop for CallFuture {
    fn drop(&mut self) {
        // SAFETY: owned here, deleted once; what it points to is still
        // live (`new`'s contract).
        unsafe { (self.table.wasmtime_call_future_delete)(self.ptr.as_ptr()) };
        // A host future dropped mid-call whose `Drop` panicked.
        crate::panics::resume_finalizer_panic();
    }
}

/// The out-slots a C call future writes when it finishes, kept at a stable
/// address (a local of the `async fn` that awaits the future, which is
/// pinned once polled).
pub(crate) struct Slots {
    pub(crate) trap: *mut wasm_trap_t,
    pub(crate) error: *mut wasmtime_error_t,
}

// SAFETY: two pointers to objects owned by this side once written, only
// read by the task that owns the slots.
unsafe impl Send for Slots {}
// SAFETY: as above.
unsafe impl Sync for Slots {}

impl Slots {
    pub(crate) fn new() -> Slots {
        Slots {
            trap: std::ptr::null_mut(),
            error: std::ptr::null_mut(),
        }
    }

    pub(crate) fn failed(&self) -> bool {
        !self.trap.is_null() || !self.error.is_null()
    }
}
