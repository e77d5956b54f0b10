//! WebAssembly traps: [`Trap`], what wasm hit, and [`WasmBacktrace`], the
//! wasm frames it was hit in, as the `wasmtime` crate reports them.

use crate::sys::tables::Core;
use crate::sys::types::*;
use std::fmt;

/// Why WebAssembly trapped: the value inside the [`Error`](crate::Error) a
/// trapping call returns, found with `err.downcast_ref::<Trap>()` as with
/// the `wasmtime` crate; the wasm frames are the error's [`WasmBacktrace`]
/// context. A trap raised by a host function's error is that error
/// instead, and a trap with no code (one raised through the C API's
/// `wasmtime_trap_new`) is a message.
///
/// The numbering is the same in every supported
/// major (Wasmtime only appends codes: 45 returns up to 47, 46 up to 48, 47
/// to 49 up to 49, 50 up to 53); the component model's other traps are
/// [`Trap::Other`] with Wasmtime's number.
///
/// ```
/// use wasmtime_dyn::Trap;
/// assert_eq!(Trap::IntegerDivisionByZero.to_string(), "wasm trap: integer divide by zero");
/// ```
///
/// Matched as the crate's is:
///
/// ```no_run
/// use wasmtime_dyn::{Store, Trap, TypedFunc};
/// # let (mut store, div): (Store<()>, TypedFunc<(i32, i32), i32>) = unimplemented!();
/// let err = div.call(&mut store, (1, 0)).unwrap_err();
/// assert_eq!(err.downcast_ref::<Trap>(), Some(&Trap::IntegerDivisionByZero));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Trap {
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

impl Trap {
    /// The trap a library of Wasmtime `major` reports as `code` (what its
    /// `wasmtime_trap_code` writes), in that major's own numbering: 36 to 41
    /// number the codes from 11 on differently from the header (their
    /// `AlwaysTrapAdapter` is 11, so out of fuel is 12 there). A code with
    /// no counterpart in the numbering of 42 and later, or of a major
    /// outside 36 to 50, is [`Trap::Other`]. For callers of the raw tables;
    /// the safe API decodes its traps itself.
    ///
    /// ```
    /// use wasmtime_dyn::Trap;
    /// assert_eq!(Trap::from_library_code(36, 12), Trap::OutOfFuel);
    /// assert_eq!(Trap::from_library_code(48, 11), Trap::OutOfFuel);
    /// assert_eq!(Trap::from_library_code(41, 9), Trap::UnreachableCodeReached);
    /// assert_eq!(Trap::from_library_code(40, 11), Trap::Other(11));
    /// ```
    pub fn from_library_code(major: u32, code: u8) -> Trap {
        match crate::versions::traps::TRAP_NUMBERING.get(major) {
            Some(numbering) => numbering
                .canonical(code)
                .map_or(Trap::Other(code), Trap::from_raw),
            None => Trap::Other(code),
        }
    }

    /// The trap of `code` in the numbering of Wasmtime 42 and later.
    pub(crate) fn from_raw(code: wasmtime_trap_code_t) -> Trap {
        match u32::from(code) {
            WASMTIME_TRAP_CODE_STACK_OVERFLOW => Trap::StackOverflow,
            WASMTIME_TRAP_CODE_MEMORY_OUT_OF_BOUNDS => Trap::MemoryOutOfBounds,
            WASMTIME_TRAP_CODE_HEAP_MISALIGNED => Trap::HeapMisaligned,
            WASMTIME_TRAP_CODE_TABLE_OUT_OF_BOUNDS => Trap::TableOutOfBounds,
            WASMTIME_TRAP_CODE_INDIRECT_CALL_TO_NULL => Trap::IndirectCallToNull,
            WASMTIME_TRAP_CODE_BAD_SIGNATURE => Trap::BadSignature,
            WASMTIME_TRAP_CODE_INTEGER_OVERFLOW => Trap::IntegerOverflow,
            WASMTIME_TRAP_CODE_INTEGER_DIVISION_BY_ZERO => Trap::IntegerDivisionByZero,
            WASMTIME_TRAP_CODE_BAD_CONVERSION_TO_INTEGER => Trap::BadConversionToInteger,
            WASMTIME_TRAP_CODE_UNREACHABLE_CODE_REACHED => Trap::UnreachableCodeReached,
            WASMTIME_TRAP_CODE_INTERRUPT => Trap::Interrupt,
            WASMTIME_TRAP_CODE_OUT_OF_FUEL => Trap::OutOfFuel,
            WASMTIME_TRAP_CODE_ATOMIC_WAIT_NON_SHARED_MEMORY => Trap::AtomicWaitNonSharedMemory,
            WASMTIME_TRAP_CODE_NULL_REFERENCE => Trap::NullReference,
            WASMTIME_TRAP_CODE_ARRAY_OUT_OF_BOUNDS => Trap::ArrayOutOfBounds,
            WASMTIME_TRAP_CODE_ALLOCATION_TOO_LARGE => Trap::AllocationTooLarge,
            WASMTIME_TRAP_CODE_CAST_FAILURE => Trap::CastFailure,
            WASMTIME_TRAP_CODE_UNCAUGHT_EXCEPTION => Trap::UncaughtException,
            WASMTIME_TRAP_READ_FROM_DROPPED_STREAM => Trap::ReadFromDroppedStream,
            WASMTIME_TRAP_WRITE_TO_DROPPED_STREAM => Trap::WriteToDroppedStream,
            WASMTIME_TRAP_WRITE_TO_DROPPED_FUTURE => Trap::WriteToDroppedFuture,
            WASMTIME_TRAP_LIFT_DROPPED_STREAM => Trap::LiftDroppedStream,
            _ => Trap::Other(code),
        }
    }
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Wasmtime's wording (which contains the reference interpreter's,
        // which the spec tests use).
        let text = match self {
            Trap::StackOverflow => "call stack exhausted",
            Trap::MemoryOutOfBounds => "out of bounds memory access",
            Trap::HeapMisaligned => "unaligned atomic",
            Trap::TableOutOfBounds => "undefined element: out of bounds table access",
            Trap::IndirectCallToNull => "uninitialized element",
            Trap::BadSignature => "indirect call type mismatch",
            Trap::IntegerOverflow => "integer overflow",
            Trap::IntegerDivisionByZero => "integer divide by zero",
            Trap::BadConversionToInteger => "invalid conversion to integer",
            Trap::UnreachableCodeReached => "wasm `unreachable` instruction executed",
            Trap::Interrupt => "interrupt",
            Trap::OutOfFuel => "all fuel consumed by WebAssembly",
            Trap::AtomicWaitNonSharedMemory => "atomic wait on non-shared memory",
            Trap::NullReference => "null reference",
            Trap::ArrayOutOfBounds => "out of bounds array access",
            Trap::AllocationTooLarge => "allocation size too large",
            Trap::CastFailure => "cast failure",
            // An exception leaving a component: core calls report theirs as
            // a `ThrownException`, not as this trap.
            Trap::UncaughtException => "uncaught exception propagated out of component",
            Trap::ReadFromDroppedStream => "read from a dropped stream",
            Trap::WriteToDroppedStream => "write to a dropped stream",
            Trap::WriteToDroppedFuture => "write to a dropped future",
            Trap::LiftDroppedStream => "lift of a dropped stream",
            Trap::Other(n) => return write!(f, "wasm trap: wasmtime trap code {n}"),
        };
        write!(f, "wasm trap: {text}")
    }
}

impl std::error::Error for Trap {}

/// One frame of a [`WasmBacktrace`]. The fields are public; the methods
/// of the `wasmtime` crate's `FrameInfo` that the C API can fill are here
/// too (not `module()`, `func_offset()` or `symbols()`: the C API reports
/// the module's name, not the module).
///
/// ```no_run
/// use wasmtime_dyn::{Store, TypedFunc, WasmBacktrace};
/// # let (mut store, run): (Store<()>, TypedFunc<(), ()>) = unimplemented!();
/// let err = run.call(&mut store, ()).unwrap_err();
/// if let Some(frame) = err.downcast_ref::<WasmBacktrace>().and_then(|t| t.frames().first()) {
///     println!("{:?} at offset {:#x}", frame.func_name, frame.module_offset);
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

impl FrameInfo {
    /// The function's index in its module.
    ///
    /// ```no_run
    /// # let frame: wasmtime_dyn::FrameInfo = unimplemented!();
    /// println!("function {}", frame.func_index());
    /// ```
    pub fn func_index(&self) -> u32 {
        self.func_index
    }

    /// The function's name from the name section, if any.
    ///
    /// ```no_run
    /// # let frame: wasmtime_dyn::FrameInfo = unimplemented!();
    /// println!("{}", frame.func_name().unwrap_or("<unnamed>"));
    /// ```
    pub fn func_name(&self) -> Option<&str> {
        self.func_name.as_deref()
    }

    /// The byte offset of the instruction in the module (always `Some`:
    /// `Option` as in the crate).
    ///
    /// ```no_run
    /// # let frame: wasmtime_dyn::FrameInfo = unimplemented!();
    /// println!("{:#x}", frame.module_offset().unwrap_or(0));
    /// ```
    pub fn module_offset(&self) -> Option<usize> {
        Some(self.module_offset)
    }

    /// The module's name, if it has one.
    ///
    /// ```no_run
    /// # let frame: wasmtime_dyn::FrameInfo = unimplemented!();
    /// println!("{}", frame.module_name().unwrap_or("<unknown>"));
    /// ```
    pub fn module_name(&self) -> Option<&str> {
        self.module_name.as_deref()
    }
}

/// The wasm frames an error was raised in, innermost first: the context
/// of a trap's [`Error`](crate::Error), as in the `wasmtime` crate, found
/// with `err.downcast_ref::<WasmBacktrace>()`. Its `Display` is the
/// crate's "error while executing at wasm backtrace:" report.
///
/// ```no_run
/// use wasmtime_dyn::{Store, TypedFunc, WasmBacktrace};
/// # let (mut store, run): (Store<()>, TypedFunc<(), ()>) = unimplemented!();
/// let err = run.call(&mut store, ()).unwrap_err();
/// if let Some(trace) = err.downcast_ref::<WasmBacktrace>() {
///     for frame in trace.frames() {
///         println!("{:?} at offset {:#x}", frame.func_name(), frame.module_offset().unwrap_or(0));
///     }
/// }
/// ```
#[derive(Clone, Debug)]
pub struct WasmBacktrace {
    frames: Vec<FrameInfo>,
}

impl WasmBacktrace {
    pub(crate) fn new(frames: Vec<FrameInfo>) -> WasmBacktrace {
        WasmBacktrace { frames }
    }

    /// The frames, innermost first.
    ///
    /// ```no_run
    /// # let trace: wasmtime_dyn::WasmBacktrace = unimplemented!();
    /// for (i, frame) in trace.frames().iter().enumerate() {
    ///     println!("{i}: {}", frame.func_name().unwrap_or("<unnamed>"));
    /// }
    /// ```
    pub fn frames(&self) -> &[FrameInfo] {
        &self.frames
    }
}

impl fmt::Display for WasmBacktrace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("error while executing at wasm backtrace:")?;
        for (i, frame) in self.frames.iter().enumerate() {
            write!(f, "\n  {i:>3}: {:#8x} - ", frame.module_offset)?;
            write!(
                f,
                "{}!",
                frame.module_name.as_deref().unwrap_or("<unknown>")
            )?;
            match &frame.func_name {
                Some(name) => f.write_str(name)?,
                None => write!(f, "<wasm function {}>", frame.func_index)?,
            }
        }
        Ok(())
    }
}

/// Reads and frees a `wasm_trap_t`: the error a call returns for it, a
/// [`Trap`] (or, for a trap without a code, its message) with the wasm
/// frames as [`WasmBacktrace`] context.
///
/// # Safety
///
/// `trap` is a live trap of the library `wasmtime`, owned by the caller;
/// it is freed here.
#[cold]
pub(crate) unsafe fn take(wasmtime: &crate::Wasmtime, trap: *mut wasm_trap_t) -> crate::Error {
    let core = wasmtime.core();
    let mut raw_code: wasmtime_trap_code_t = 0;
    // SAFETY: `trap` is live (caller's contract); `raw_code` is writable.
    let code = unsafe { (core.wasmtime_trap_code)(trap, &mut raw_code) }
        .then(|| Trap::from_library_code(wasmtime.version().major(), raw_code));
    let mut frames = wasm_frame_vec_t {
        size: 0,
        data: std::ptr::null_mut(),
    };
    // SAFETY: `trap` is live; `frames` is an empty vector to fill.
    unsafe { (core.wasm_trap_trace)(trap, &mut frames) };
    // SAFETY: `frames` was filled by the library and is deleted there.
    let trace = unsafe { take_frames(core, &mut frames) };
    let error = match code {
        Some(code) => crate::Error::new(code),
        None => {
            let mut message = empty_vec();
            // SAFETY: `trap` is live; `message` is an empty vector to fill.
            unsafe { (core.wasm_trap_message)(trap, &mut message) };
            // SAFETY: the library filled `message`; read then deleted once.
            let message = unsafe { take_bytes(core, &mut message) };
            crate::Error::msg(root_cause(message.trim_end_matches('\0')).to_string())
        }
    };
    // SAFETY: `trap` is owned here (caller's contract), deleted once.
    unsafe { (core.wasm_trap_delete)(trap) };
    crate::error::with_backtrace(error, trace)
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
