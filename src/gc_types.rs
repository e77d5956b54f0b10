//! The types of the GC and exceptions proposals: [`StructType`],
//! [`ArrayType`], their [`FieldType`]s, [`ExnType`] and [`TagType`], and
//! the conversions of reference types to and from the C API.
//!
//! A concrete type is a handle to the C API's type object, registered with
//! one engine: Wasmtime panics (which aborts the process through the C API)
//! when types of two engines meet, so every use checks the engine first. A
//! concrete type's fields are read when first asked: a type may refer to
//! itself, so reading it in full would never end.

mod array_type;
mod c_reftype;
mod exn_type;
mod field;
mod struct_type;
mod tag_type;

pub use array_type::ArrayType;
pub use exn_type::ExnType;
pub use field::{FieldType, StorageType};
pub use struct_type::StructType;
pub use tag_type::TagType;

pub(crate) use c_reftype::{abstract_reftype_to_wasm, read_valtype, reftype_to_wasm, FuncHandle};

use crate::capability::Capability;
use crate::engine::Engine;
use crate::error::{ErrorKind, Result};
use crate::sys::tables::CoreSince45;
use crate::sys::types::*;
use crate::versions::gc_rules::{GcTypeLimits, GC_TYPE_LIMITS};
use std::any::Any;
use std::cell::RefCell;
use std::sync::OnceLock;

/// Refuses the GC types on a library without GC.
fn require_gc(engine: &Engine) -> Result<()> {
    if engine.wasmtime().has(Capability::Gc) {
        Ok(())
    } else {
        Err(ErrorKind::Unsupported(Capability::Gc).into())
    }
}

/// Refuses to make handles of concrete types read from the library for an
/// engine with stack switching on: their parts could be `cont` types, on
/// which the C API's readers abort the process (see `ValType::from_c`).
pub(crate) fn concrete_types_readable(engine: &Engine) -> Result<()> {
    if engine.settings().stack_switching == Some(true) {
        Err(ErrorKind::Invalid(
            "a concrete type of an engine with the stack-switching proposal on: the C API \
             aborts the process reading a `cont` type, so wasmtime-dyn does not read the \
             concrete types of such engines"
                .into(),
        )
        .into())
    } else {
        Ok(())
    }
}

/// The GC type limits of `engine`'s library, whose major must have the GC
/// type API (45 on: [`ErrorKind::UnsupportedVersion`] naming `feature`
/// before), for which [`GC_TYPE_LIMITS`] is complete.
fn limits(engine: &Engine, feature: &'static str) -> Result<&'static GcTypeLimits> {
    c_reftype::since45(engine, feature)?;
    Ok(GC_TYPE_LIMITS.of(crate::versions::major_of(engine.wasmtime())))
}

/// Collects the parts of a new type, at most `max` of them: more is
/// [`ErrorKind::Invalid`], said by `too_many(n)` with `n` the count when the
/// iterator tells it (refused before anything is collected) or `None` when
/// it does not (refused once `max + 1` are).
fn collect_at_most<T>(
    items: impl IntoIterator<Item = T>,
    max: usize,
    too_many: impl FnOnce(Option<usize>) -> String,
) -> Result<Vec<T>> {
    let items = items.into_iter();
    let (low, high) = items.size_hint();
    if low > max {
        let exact = (high == Some(low)).then_some(low);
        return Err(ErrorKind::Invalid(too_many(exact)).into());
    }
    let collected: Vec<T> = items.take(max.saturating_add(1)).collect();
    if collected.len() > max {
        return Err(ErrorKind::Invalid(too_many(None)).into());
    }
    Ok(collected)
}

fn wrong_engine() -> crate::Error {
    ErrorKind::WrongEngine("a concrete type", "the engine it was used with").into()
}

/// Deletes the field types made by [`FieldType::to_c`].
fn delete_fields(core45: &CoreSince45, fields: &mut [wasmtime_field_type_t]) {
    for field in fields {
        // SAFETY: made by `FieldType::to_c`, owned here, deleted once.
        unsafe { (core45.wasmtime_field_type_delete)(field) };
    }
}

thread_local! {
    /// The parts of concrete types being dropped on this thread, queued by
    /// [`drop_flat`]; `None` when no drop is under way.
    static DROP_QUEUE: RefCell<Option<Vec<Box<dyn Any>>>> = const { RefCell::new(None) };
}

/// Drops the parts of a concrete type (its fields, a function type's
/// parameters and results) without recursing: they may hold the last
/// handle of a type whose own parts hold the last handle of another, and a
/// chain of types each naming the one before (which `StructType::new`,
/// `ArrayType::new` and `ExnType::new` make one link at a time) would
/// otherwise drop one link per stack frame group and overflow the stack,
/// which aborts the process. The first drop on a thread drains a queue
/// that the drops it causes add to, as Wasmtime's type registry does.
pub(crate) fn drop_flat(parts: Box<dyn Any>) {
    let mut parts = Some(parts);
    // Whether this call drains the queue (no drop is under way further up
    // the stack); `false` also when the thread's queue is gone (the thread
    // is exiting), where the parts drop here.
    let drains = DROP_QUEUE
        .try_with(|queue| {
            let mut queue = queue.borrow_mut();
            match queue.as_mut() {
                Some(queued) => {
                    queued.extend(parts.take());
                    false
                }
                None => {
                    *queue = Some(Vec::new());
                    true
                }
            }
        })
        .unwrap_or(false);
    if !drains {
        return drop(parts);
    }
    /// Ends the drain, even when a drop unwinds.
    struct Drain;
    impl Drop for Drain {
        fn drop(&mut self) {
            let rest = DROP_QUEUE.with(|queue| queue.borrow_mut().take());
            drop(rest);
        }
    }
    let _drain = Drain;
    drop(parts);
    while let Some(next) = DROP_QUEUE.with(|queue| queue.borrow_mut().as_mut().and_then(Vec::pop)) {
        drop(next);
    }
}

macro_rules! concrete_handle {
    ($inner:ident, $c:ty, $table:ident, $delete:ident) => {
        struct $inner {
            engine: Engine,
            ptr: *mut $c,
            cache: OnceLock<Vec<FieldType>>,
        }

        // SAFETY: the C type object is an immutable, reference-counted
        // Wasmtime type (`Send + Sync` in Rust), owned by this handle.
        unsafe impl Send for $inner {}
        // SAFETY: as above; nothing mutates it.
        unsafe impl Sync for $inner {}

        impl Drop for $inner {
            fn drop(&mut self) {
                // SAFETY: owned by this handle, deleted once.
                unsafe { (self.engine.wasmtime().$table().$delete)(self.ptr) };
                if let Some(fields) = self.cache.take() {
                    drop_flat(Box::new(fields));
                }
            }
        }
    };
}

concrete_handle!(
    StructInner,
    wasmtime_struct_type_t,
    core44,
    wasmtime_struct_type_delete
);
concrete_handle!(
    ArrayInner,
    wasmtime_array_type_t,
    core44,
    wasmtime_array_type_delete
);

/// A concrete type's part could not be read, which only a library that
/// aborts reading it could cause: handles are made only for engines whose
/// types the C API reads (see `ValType::from_c`).
#[cold]
fn unreadable(e: crate::Error) -> ! {
    panic!("wasmtime-dyn could not read a part of a concrete type it holds: {e}")
}
