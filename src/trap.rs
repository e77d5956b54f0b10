//! WebAssembly traps: the code, the message and the wasm backtrace.

use crate::sys::tables::Core;
use crate::sys::types::*;
use std::fmt;

/// Why WebAssembly trapped. The numbering is the same in every supported
/// major (Wasmtime only appends codes: 45 returns up to 47, 46 up to 48, 47
/// to 49 up to 49, 50 up to 53); the component model's other traps are
/// [`TrapCode::Other`] with Wasmtime's number.
///
/// ```
/// use wasmtime_dyn::TrapCode;
/// assert_eq!(TrapCode::IntegerDivisionByZero.to_string(), "integer divide by zero");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TrapCode {
    /// The call stack was exhausted.
    StackOverflow,
    /// An out-of-bounds memory access.
    MemoryOutOfBounds,
    /// A misaligned atomic access.
    HeapMisaligned,
    /// An out-of-bounds table access.
    TableOutOfBounds,
    /// `call_indirect` to a null table entry.
    IndirectCallToNull,
    /// `call_indirect` signature mismatch.
    BadSignature,
    /// An integer arithmetic overflow.
    IntegerOverflow,
    /// An integer division by zero.
    IntegerDivisionByZero,
    /// A float-to-integer conversion of a NaN or out-of-range value.
    BadConversionToInteger,
    /// The `unreachable` instruction.
    UnreachableCodeReached,
    /// Execution was interrupted by the epoch deadline.
    Interrupt,
    /// The store ran out of fuel.
    OutOfFuel,
    /// `memory.atomic.wait` on a non-shared memory.
    AtomicWaitNonSharedMemory,
    /// A null reference was dereferenced.
    NullReference,
    /// An array access out of bounds (GC).
    ArrayOutOfBounds,
    /// An allocation too large to succeed (GC).
    AllocationTooLarge,
    /// A reference cast to a type it is not an instance of (GC).
    CastFailure,
    /// An exception propagated out of a component uncaught (Wasmtime 47
    /// and later).
    UncaughtException,
    /// A read from a dropped stream (Wasmtime 50 and later).
    ReadFromDroppedStream,
    /// A write to a dropped stream (Wasmtime 50 and later).
    WriteToDroppedStream,
    /// A write to a dropped future (Wasmtime 50 and later).
    WriteToDroppedFuture,
    /// A dropped stream lifted (Wasmtime 50 and later).
    LiftDroppedStream,
    /// Another Wasmtime trap code, by number.
    Other(u8),
}

impl TrapCode {
    pub(crate) fn from_raw(code: wasmtime_trap_code_t) -> TrapCode {
        match u32::from(code) {
            WASMTIME_TRAP_CODE_STACK_OVERFLOW => TrapCode::StackOverflow,
            WASMTIME_TRAP_CODE_MEMORY_OUT_OF_BOUNDS => TrapCode::MemoryOutOfBounds,
            WASMTIME_TRAP_CODE_HEAP_MISALIGNED => TrapCode::HeapMisaligned,
            WASMTIME_TRAP_CODE_TABLE_OUT_OF_BOUNDS => TrapCode::TableOutOfBounds,
            WASMTIME_TRAP_CODE_INDIRECT_CALL_TO_NULL => TrapCode::IndirectCallToNull,
            WASMTIME_TRAP_CODE_BAD_SIGNATURE => TrapCode::BadSignature,
            WASMTIME_TRAP_CODE_INTEGER_OVERFLOW => TrapCode::IntegerOverflow,
            WASMTIME_TRAP_CODE_INTEGER_DIVISION_BY_ZERO => TrapCode::IntegerDivisionByZero,
            WASMTIME_TRAP_CODE_BAD_CONVERSION_TO_INTEGER => TrapCode::BadConversionToInteger,
            WASMTIME_TRAP_CODE_UNREACHABLE_CODE_REACHED => TrapCode::UnreachableCodeReached,
            WASMTIME_TRAP_CODE_INTERRUPT => TrapCode::Interrupt,
            WASMTIME_TRAP_CODE_OUT_OF_FUEL => TrapCode::OutOfFuel,
            WASMTIME_TRAP_CODE_ATOMIC_WAIT_NON_SHARED_MEMORY => TrapCode::AtomicWaitNonSharedMemory,
            WASMTIME_TRAP_CODE_NULL_REFERENCE => TrapCode::NullReference,
            WASMTIME_TRAP_CODE_ARRAY_OUT_OF_BOUNDS => TrapCode::ArrayOutOfBounds,
            WASMTIME_TRAP_CODE_ALLOCATION_TOO_LARGE => TrapCode::AllocationTooLarge,
            WASMTIME_TRAP_CODE_CAST_FAILURE => TrapCode::CastFailure,
            WASMTIME_TRAP_CODE_UNCAUGHT_EXCEPTION => TrapCode::UncaughtException,
            WASMTIME_TRAP_READ_FROM_DROPPED_STREAM => TrapCode::ReadFromDroppedStream,
            WASMTIME_TRAP_WRITE_TO_DROPPED_STREAM => TrapCode::WriteToDroppedStream,
            WASMTIME_TRAP_WRITE_TO_DROPPED_FUTURE => TrapCode::WriteToDroppedFuture,
            WASMTIME_TRAP_LIFT_DROPPED_STREAM => TrapCode::LiftDroppedStream,
            _ => TrapCode::Other(code),
        }
    }
}

impl fmt::Display for TrapCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The reference interpreter's wording, which the spec tests use.
        let text = match self {
            TrapCode::StackOverflow => "call stack exhausted",
            TrapCode::MemoryOutOfBounds => "out of bounds memory access",
            TrapCode::HeapMisaligned => "unaligned atomic",
            TrapCode::TableOutOfBounds => "undefined element",
            TrapCode::IndirectCallToNull => "uninitialized element",
            TrapCode::BadSignature => "indirect call type mismatch",
            TrapCode::IntegerOverflow => "integer overflow",
            TrapCode::IntegerDivisionByZero => "integer divide by zero",
            TrapCode::BadConversionToInteger => "invalid conversion to integer",
            TrapCode::UnreachableCodeReached => "unreachable",
            TrapCode::Interrupt => "interrupt",
            TrapCode::OutOfFuel => "all fuel consumed",
            TrapCode::AtomicWaitNonSharedMemory => "atomic wait on non-shared memory",
            TrapCode::NullReference => "null reference",
            TrapCode::ArrayOutOfBounds => "out of bounds array access",
            TrapCode::AllocationTooLarge => "allocation size too large",
            TrapCode::CastFailure => "cast failure",
            TrapCode::UncaughtException => "uncaught exception",
            TrapCode::ReadFromDroppedStream => "read from a dropped stream",
            TrapCode::WriteToDroppedStream => "write to a dropped stream",
            TrapCode::WriteToDroppedFuture => "write to a dropped future",
            TrapCode::LiftDroppedStream => "lift of a dropped stream",
            TrapCode::Other(n) => return write!(f, "wasmtime trap code {n}"),
        };
        f.write_str(text)
    }
}

/// One frame of a wasm backtrace.
///
/// ```no_run
/// use wasmtime_dyn::{Error, Store, TypedFunc};
/// # let (mut store, run): (Store<()>, TypedFunc<(), ()>) = unimplemented!();
/// if let Err(Error::Trap(trap)) = run.call(&mut store, ()) {
///     if let Some(frame) = trap.trace().first() {
///         println!("{:?} at offset {:#x}", frame.func_name, frame.module_offset);
///     }
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameInfo {
    /// The function's index in its module.
    pub func_index: u32,
    /// The function's name, from the name section, if any.
    pub func_name: Option<String>,
    /// The module's name, if any.
    pub module_name: Option<String>,
    /// The byte offset of the instruction in the module.
    pub module_offset: usize,
}

/// A WebAssembly trap: execution stopped and the call returned this.
///
/// ```no_run
/// # fn demo(err: wasmtime_dyn::Error) {
/// if let wasmtime_dyn::Error::Trap(trap) = err {
///     println!("{:?}: {}", trap.code(), trap.message());
///     for frame in trap.trace() {
///         println!("  at {:?} (function {})", frame.func_name, frame.func_index);
///     }
/// }
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct Trap {
    code: Option<TrapCode>,
    message: String,
    details: String,
    trace: Vec<FrameInfo>,
    host_error: Option<std::sync::Arc<crate::Error>>,
}

impl Trap {
    /// The trap code, or `None` for a trap a host function raised.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Error, Store, TrapCode, TypedFunc};
    /// # let (mut store, div): (Store<()>, TypedFunc<(i32, i32), i32>) = unimplemented!();
    /// match div.call(&mut store, (1, 0)) {
    ///     Err(Error::Trap(trap)) => assert_eq!(trap.code(), Some(TrapCode::IntegerDivisionByZero)),
    ///     other => panic!("expected a trap, got {other:?}"),
    /// }
    /// ```
    pub fn code(&self) -> Option<TrapCode> {
        self.code
    }

    /// Why it trapped, in one line: the trap's own wording (for a code, as
    /// Wasmtime words it, e.g. "integer divide by zero"), or a host
    /// function's error message. [`Trap::details`] has Wasmtime's full text.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Error, Store, TypedFunc};
    /// # let (mut store, run): (Store<()>, TypedFunc<(), ()>) = unimplemented!();
    /// // `run` calls a host function that returns `Err(Error::Invalid("bad input".into()))`.
    /// if let Err(Error::Trap(trap)) = run.call(&mut store, ()) {
    ///     assert_eq!(trap.code(), None);
    ///     assert_eq!(trap.message(), "bad input");
    /// }
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Wasmtime's full report: its error context and its own backtrace.
    ///
    /// ```no_run
    /// # let trap: wasmtime_dyn::Trap = unimplemented!();
    /// eprintln!("{}", trap.details());
    /// ```
    pub fn details(&self) -> &str {
        &self.details
    }

    /// The wasm frames, innermost first.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Error, Store, TypedFunc};
    /// # let (mut store, run): (Store<()>, TypedFunc<(), ()>) = unimplemented!();
    /// if let Err(Error::Trap(trap)) = run.call(&mut store, ()) {
    ///     for (i, frame) in trap.trace().iter().enumerate() {
    ///         println!("{i}: {}", frame.func_name.as_deref().unwrap_or("<unnamed>"));
    ///     }
    /// }
    /// ```
    pub fn trace(&self) -> &[FrameInfo] {
        &self.trace
    }

    /// The error a host function returned, when this trap is how it left
    /// wasm (the error itself, not a copy of its text); `None` for traps of
    /// wasm itself. Also the trap's [`source`](std::error::Error::source).
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Error, Store, TypedFunc};
    /// # let (mut store, run): (Store<()>, TypedFunc<(), ()>) = unimplemented!();
    /// // `run` calls a host function that returns `Err(Error::Invalid("bad input".into()))`.
    /// if let Err(Error::Trap(trap)) = run.call(&mut store, ()) {
    ///     assert!(matches!(trap.host_error(), Some(Error::Invalid(m)) if m == "bad input"));
    /// }
    /// ```
    pub fn host_error(&self) -> Option<&crate::Error> {
        self.host_error.as_deref()
    }

    /// The trap a host function's error raised.
    pub(crate) fn from_host(
        message: String,
        details: String,
        trace: Vec<FrameInfo>,
        error: crate::Error,
    ) -> Trap {
        Trap {
            code: None,
            message,
            details,
            trace,
            host_error: Some(std::sync::Arc::new(error)),
        }
    }

    /// Reads and frees a `wasm_trap_t`.
    ///
    /// # Safety
    ///
    /// `trap` is a live trap of the library `core` belongs to, owned by the
    /// caller; it is freed here.
    pub(crate) unsafe fn take(core: &Core, trap: *mut wasm_trap_t) -> Trap {
        let mut raw_code: wasmtime_trap_code_t = 0;
        // SAFETY: `trap` is live (caller's contract); `raw_code` is writable.
        let code = unsafe { (core.wasmtime_trap_code)(trap, &mut raw_code) }
            .then(|| TrapCode::from_raw(raw_code));
        let mut message = empty_vec();
        // SAFETY: `trap` is live; `message` is an empty vector to fill.
        unsafe { (core.wasm_trap_message)(trap, &mut message) };
        // SAFETY: the library filled `message`; it is read then deleted once.
        let message = unsafe { take_bytes(core, &mut message) };
        let mut frames = wasm_frame_vec_t {
            size: 0,
            data: std::ptr::null_mut(),
        };
        // SAFETY: `trap` is live; `frames` is an empty vector to fill.
        unsafe { (core.wasm_trap_trace)(trap, &mut frames) };
        // SAFETY: `frames` was filled by the library and is deleted there.
        let trace = unsafe { take_frames(core, &mut frames) };
        // SAFETY: `trap` is owned here (caller's contract), deleted once.
        unsafe { (core.wasm_trap_delete)(trap) };
        let details = message.trim_end_matches('\0').to_string();
        Trap {
            code,
            message: root_cause(&details).to_string(),
            details,
            trace,
            host_error: None,
        }
    }
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if !self.trace.is_empty() {
            f.write_str("\nwasm backtrace:")?;
            for (i, frame) in self.trace.iter().enumerate() {
                write!(f, "\n  {i}: function {}", frame.func_index)?;
                if let Some(name) = &frame.func_name {
                    write!(f, " ({name})")?;
                }
                write!(f, " at module offset {:#x}", frame.module_offset)?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for Trap {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.host_error
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// The innermost cause of an error report formatted as Wasmtime does
/// (context, backtrace, then "Caused by:" and indented causes), without the
/// "wasm trap: " prefix.
fn root_cause(report: &str) -> &str {
    let cause = match report.rfind("Caused by:") {
        Some(at) => report[at + "Caused by:".len()..]
            .lines()
            .map(str::trim)
            .rfind(|l| !l.is_empty())
            .unwrap_or(report),
        None => report.lines().next().unwrap_or(report),
    };
    let cause = cause.trim();
    // A multi-cause chain numbers its lines ("1: ...").
    let cause = match cause.split_once(": ") {
        Some((n, rest)) if n.chars().all(|c| c.is_ascii_digit()) => rest,
        _ => cause,
    };
    cause.strip_prefix("wasm trap: ").unwrap_or(cause)
}

pub(crate) fn empty_vec() -> wasm_byte_vec_t {
    wasm_byte_vec_t {
        size: 0,
        data: std::ptr::null_mut(),
    }
}

/// Copies a byte vector the library filled into a `String` and deletes it.
///
/// # Safety
///
/// `vec` was filled by a function of `core`'s library and not yet deleted.
pub(crate) unsafe fn take_bytes(core: &Core, vec: &mut wasm_byte_vec_t) -> String {
    let text = if vec.data.is_null() || vec.size == 0 {
        String::new()
    } else {
        // SAFETY: the library filled `size` initialized bytes at `data`.
        let bytes = unsafe { std::slice::from_raw_parts(vec.data.cast::<u8>(), vec.size) };
        String::from_utf8_lossy(bytes).into_owned()
    };
    // SAFETY: deleted once, as the caller's contract allows.
    unsafe { (core.wasm_byte_vec_delete)(vec) };
    text
}

/// Reads a name the library owns (not freed here).
///
/// # Safety
///
/// `name` is null or a live `wasm_name_t` of the library.
unsafe fn borrowed_name(name: *const wasm_name_t) -> Option<String> {
    // SAFETY: null or live (caller's contract).
    let name = unsafe { name.as_ref() }?;
    if name.data.is_null() {
        return None;
    }
    // SAFETY: a live name holds `size` initialized bytes at `data`.
    let bytes = unsafe { std::slice::from_raw_parts(name.data.cast::<u8>(), name.size) };
    Some(String::from_utf8_lossy(bytes).into_owned())
}

/// Reads a frame vector the library filled and deletes it.
///
/// # Safety
///
/// `frames` was filled by a function of `core`'s library, not yet deleted.
pub(crate) unsafe fn take_frames(core: &Core, frames: &mut wasm_frame_vec_t) -> Vec<FrameInfo> {
    let mut trace = Vec::with_capacity(frames.size);
    for i in 0..frames.size {
        // SAFETY: the vector holds `size` frame pointers.
        let frame = unsafe { *frames.data.add(i) };
        // SAFETY: each frame is live until the vector is deleted below.
        unsafe {
            trace.push(FrameInfo {
                func_index: (core.wasm_frame_func_index)(frame),
                func_name: borrowed_name((core.wasmtime_frame_func_name)(frame)),
                module_name: borrowed_name((core.wasmtime_frame_module_name)(frame)),
                module_offset: (core.wasm_frame_module_offset)(frame),
            });
        }
    }
    // SAFETY: deleted once, as the caller's contract allows.
    unsafe { (core.wasm_frame_vec_delete)(frames) };
    trace
}

#[cfg(test)]
mod tests {
    use super::root_cause;

    #[test]
    fn root_cause_of_wasmtime_reports() {
        let report = "error while executing at wasm backtrace:\n    0:     0x27 - <unknown>!f\n\nCaused by:\n    wasm trap: integer divide by zero\n";
        assert_eq!(root_cause(report), "integer divide by zero");
        let chain = "outer\n\nCaused by:\n    0: middle\n    1: negative input -3\n";
        assert_eq!(root_cause(chain), "negative input -3");
        assert_eq!(root_cause("wasm trap: unreachable"), "unreachable");
        assert_eq!(root_cause("plain message\nsecond line"), "plain message");
    }
}
