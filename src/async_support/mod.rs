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

/// The bridge between a task's poll and the host futures the C API's
/// continuations poll, per thread: one thread-local, so a poll reads and
/// restores it with one access each.
struct Bridge {
    /// The waker of the task polling a call future on this thread, for
    /// the length of that poll; null otherwise.
    waker: Cell<*const Waker>,
    /// Set by a host future that returned `Pending` during the current
    /// poll (it holds the task's waker).
    pending: Cell<bool>,
}

thread_local! {
    static BRIDGE: Bridge = const {
        Bridge {
            waker: Cell::new(std::ptr::null()),
            pending: Cell::new(false),
        }
    };
}

/// The async table of `wasmtime`, or why there is none:
/// [`ErrorKind::Unsupported`]`(Async)` for a build without the `async`
/// feature, [`ErrorKind::UnsupportedVersion`] for a major whose async calls
/// these bindings do not hand out (before 42, see `src/sys/tables.rs`).
#[inline]
pub(crate) fn async_table(wasmtime: &'static Wasmtime) -> Result<&'static Async> {
    match &wasmtime.tables().async_ {
        Some(table) => Ok(table),
        None => Err(no_async_table(wasmtime)),
    }
}

#[cold]
fn no_async_table(wasmtime: &'static Wasmtime) -> crate::Error {
    match wasmtime.capability_absence(Capability::Async) {
        Some(Absence::NotInVersion { majors, .. }) => ErrorKind::UnsupportedVersion {
            feature: "async calls",
            needs: majors.clone(),
            found: wasmtime.version(),
        },
        _ => ErrorKind::Unsupported(Capability::Async),
    }
    .into()
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
    let waker = BRIDGE.with(|b| b.waker.get());
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
    BRIDGE.with(|b| b.pending.set(true));
}

/// The task's waker in the thread-local for one poll; the previous state
/// (a call future polled from inside a host future) is restored when the
/// scope ends ([`PollScope::exit`], or on drop if the poll unwinds).
struct PollScope {
    waker: *const Waker,
    pending: bool,
}

impl PollScope {
    #[inline]
    fn enter(waker: &Waker) -> PollScope {
        BRIDGE.with(|b| PollScope {
            waker: b.waker.replace(waker),
            pending: b.pending.replace(false),
        })
    }

    /// Ends the scope, returning whether a host future returned `Pending`
    /// during it.
    #[inline]
    fn exit(self) -> bool {
        let this = std::mem::ManuallyDrop::new(self);
        BRIDGE.with(|b| {
            b.waker.set(this.waker);
            b.pending.replace(this.pending)
        })
    }
}

impl Drop for PollScope {
    fn drop(&mut self) {
        BRIDGE.with(|b| {
            b.waker.set(self.waker);
            b.pending.set(self.pending);
        });
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

/// A C call future, owned: deleted as soon as it is done (it holds
/// nothing the caller reads: the results, trap and error go to the
/// caller's slots), or on drop before that (which, mid-call, makes Wasmtime
/// unwind the suspended wasm and drop the host futures it was awaiting);
/// never polled again once done (the C API aborts on that).
pub(crate) struct CallFuture {
    /// `None` once done and deleted.
    ptr: Option<NonNull<wasmtime_call_future_t>>,
    table: &'static Async,
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
    #[inline]
    pub(crate) unsafe fn new(
        table: &'static Async,
        ptr: *mut wasmtime_call_future_t,
    ) -> CallFuture {
        CallFuture {
            ptr: Some(NonNull::new(ptr).expect("the C API's *_async functions return a future")),
            table,
        }
    }

    /// Polls the C future once, with the task's waker on the bridge; once
    /// it is done, deletes it.
    #[inline]
    pub(crate) fn poll_call(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let Some(ptr) = self.ptr else {
            return Poll::Ready(());
        };
        let scope = PollScope::enter(cx.waker());
        // SAFETY: live, not done (it is deleted once done): polling is
        // allowed.
        let done = unsafe { (self.table.wasmtime_call_future_poll)(ptr.as_ptr()) };
        let host_pending = scope.exit();
        if done {
            self.ptr = None;
            // SAFETY: owned here, deleted once (`ptr` is cleared); what it
            // points to is still live (`new`'s contract).
            unsafe { (self.table.wasmtime_call_future_delete)(ptr.as_ptr()) };
            // A host future whose `Drop` panicked.
            crate::panics::resume_finalizer_panic();
            return Poll::Ready(());
        }
        if !host_pending {
            // A fuel or epoch yield, or a Wasmtime-internal future that only
            // saw the C API's no-op waker: poll again soon.
            cx.waker().wake_by_ref();
        }
        Poll::Pending
    }

    /// Polls to completion (a future that holds only `&mut self`).
    #[inline]
    pub(crate) fn run(&mut self) -> impl std::future::Future<Output = ()> + Send + '_ {
        std::future::poll_fn(move |cx| self.poll_call(cx))
    }
}

impl std::future::Future for CallFuture {
    type Output = ();

    #[inline]
    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.poll_call(cx)
    }
}

impl CallFuture {
    /// Deletes the C future before it is done: a cancelled call.
    #[inline(never)]
    fn cancel(&mut self, ptr: NonNull<wasmtime_call_future_t>) {
        // SAFETY: owned here, not deleted yet (`ptr` was still set, and is
        // cleared), deleted once; what it points to is still live (`new`'s
        // contract).
        unsafe { (self.table.wasmtime_call_future_delete)(ptr.as_ptr()) };
        // A host future dropped mid-call whose `Drop` panicked.
        crate::panics::resume_finalizer_panic();
    }
}

impl Drop for CallFuture {
    #[inline]
    fn drop(&mut self) {
        if let Some(ptr) = self.ptr.take() {
            self.cancel(ptr);
        }
    }
}

/// The out-slots a C call future writes when it finishes, kept at a stable
/// address (a local of the `async` block or function that awaits the
/// future, which is pinned once polled).
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
