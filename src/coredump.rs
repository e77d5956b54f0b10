//! Wasm core dumps, as the `wasmtime` crate's `Config::coredump_on_trap`
//! makes them: the C API has no core-dump function, so this crate records
//! what it needs itself and writes the file format
//! ([tool-conventions `Coredump.md`]) by hand.
//!
//! - A store of an engine whose configuration has
//!   [`Config::coredump_on_trap`](crate::Config::coredump_on_trap) keeps a
//!   [`Tracker`]: every instance made in it and its module. A store without
//!   the flag keeps nothing (`None`): instantiation costs one branch.
//! - When a call fails with wasm frames (`func::call_failed`: typed and
//!   untyped calls, start functions), the frames are read from the trap (or
//!   error) before it is freed, with each frame's offset in its function
//!   (which [`FrameInfo`] does not hold), and a [`WasmCoreDump`] is attached
//!   to the returned error as context, as the crate attaches its own.
//! - [`WasmCoreDump::serialize`] reads the memories' contents and the
//!   globals' values from the store when it is called.
//!
//! [tool-conventions `Coredump.md`]: https://github.com/WebAssembly/tool-conventions/blob/main/Coredump.md

use crate::error::Error;
use crate::global::Global;
use crate::instance::{Extern, Instance};
use crate::memory::Memory;
use crate::module::Module;
use crate::store::{AsContextMut, StoreContextMut};
use crate::sys::tables::Core;
use crate::sys::types::*;
use crate::trap::{FrameInfo, WasmBacktrace};
use crate::types::{GlobalType, Mutability, ValType};
use crate::val::Val;
use std::collections::HashMap;
use std::fmt;

/// What a store records while `coredump_on_trap` is on: the modules
/// instantiated in it (each once, in the order first seen) and every
/// instance made in it, with its module's index.
#[derive(Default)]
pub(crate) struct Tracker {
    modules: Vec<Module>,
    /// Each module's index in `modules`, by the address of the function
    /// exports its clones share (kept alive by the clone held here, so the
    /// address is not reused).
    module_index: HashMap<usize, u32>,
    instances: Vec<(Instance, u32)>,
}

impl Tracker {
    /// A tracker for a new store of `engine`: `None` (nothing recorded,
    /// nothing allocated) unless its configuration has `coredump_on_trap`.
    pub(crate) fn for_engine(engine: &crate::Engine) -> Option<Box<Tracker>> {
        (engine.settings().coredump_on_trap == Some(true)).then(Box::<Tracker>::default)
    }

    /// Records an instance made in the store, of `module`.
    #[cold]
    pub(crate) fn record(&mut self, instance: Instance, module: &Module) {
        let key = std::sync::Arc::as_ptr(module.shared_func_exports()) as usize;
        let next = self.modules.len() as u32;
        let index = *self.module_index.entry(key).or_insert(next);
        if index == next {
            self.modules.push(module.clone());
        }
        self.instances.push((instance, index));
    }
}

/// The frames of a failed call, read from its trap or error before it is
/// freed: what a [`WasmCoreDump`] is made of if the call's error ends up
/// carrying these frames.
pub(crate) struct PendingFrames {
    frames: Vec<FrameInfo>,
    /// Each frame's offset in its function's code (0 when Wasmtime has
    /// none), for the `corestack` section.
    func_offsets: Vec<u32>,
}

/// Reads the wasm frames of a failed call (from `trap` if it is not null,
/// else from `error`), leaving both alive; `None` when there are none.
///
/// # Safety
///
/// `error` and `trap` are null or live objects of `core`'s library, not
/// both null.
#[cold]
pub(crate) unsafe fn pending_frames(
    core: &Core,
    error: *mut wasmtime_error_t,
    trap: *mut wasm_trap_t,
) -> Option<PendingFrames> {
    let mut vec = wasm_frame_vec_t {
        size: 0,
        data: std::ptr::null_mut(),
    };
    // SAFETY: the one that is not null is live (caller's contract); `vec`
    // is an empty vector to fill, which the library's copy then owns.
    unsafe {
        if !trap.is_null() {
            (core.wasm_trap_trace)(trap, &mut vec);
        } else {
            (core.wasmtime_error_wasm_trace)(error, &mut vec);
        }
    }
    let func_offsets = (0..vec.size)
        .map(|i| {
            // SAFETY: the vector holds `size` live frames until deleted
            // (by `take_frames` below).
            let offset = unsafe { (core.wasm_frame_func_offset)(*vec.data.add(i)) };
            // `usize::MAX` is "unknown"; the format's offset is a u32.
            u32::try_from(offset).unwrap_or(0)
        })
        .collect();
    // SAFETY: filled by the library above, read and deleted once here.
    let frames = unsafe { crate::trap::take_frames(core, &mut vec) };
    (!frames.is_empty()).then_some(PendingFrames {
        frames,
        func_offsets,
    })
}

/// `err` with a [`WasmCoreDump`] of the store as context, when its wasm
/// frames ([`WasmBacktrace`]) are the ones `pending` read from the failed
/// call; `err` unchanged when it has none (a WASI exit), other frames (a
/// nested call's error handed back by a host function) or a dump already.
#[cold]
pub(crate) fn attach<T>(
    cx: &mut StoreContextMut<'_, T>,
    err: Error,
    pending: PendingFrames,
) -> Error {
    if err.downcast_ref::<WasmCoreDump>().is_some() {
        return err;
    }
    let ours = err
        .downcast_ref::<WasmBacktrace>()
        .is_some_and(|trace| trace.frames() == pending.frames.as_slice());
    if !ours {
        return err;
    }
    let dump = WasmCoreDump::capture(cx, pending);
    err.context(dump)
}

/// A core dump of a store whose wasm trapped: the context of the error a
/// trapping call returns when the engine's configuration has
/// [`Config::coredump_on_trap`](crate::Config::coredump_on_trap), found with
/// `err.downcast_ref::<WasmCoreDump>()` as in the `wasmtime` crate, and
/// written out in the standard [Wasm core dump format] by
/// [`WasmCoreDump::serialize`].
///
/// ```no_run
/// use wasmtime_dyn::{Config, Engine, Instance, Module, Store, WasmCoreDump, Wasmtime};
/// # let wasmtime: &'static Wasmtime = unimplemented!();
/// let mut config = Config::new(wasmtime);
/// config.coredump_on_trap(true);
/// let engine = Engine::new(wasmtime, &config)?;
/// let module = Module::new(&engine, r#"(module (memory (export "memory") 1)
///     (func (export "run") unreachable))"#)?;
/// let mut store = Store::new(&engine, ());
/// let instance = Instance::new(&mut store, &module, &[])?;
/// let run = instance.get_typed_func::<(), ()>(&mut store, "run")?;
/// let err = run.call(&mut store, ()).unwrap_err();
/// let dump = err.downcast_ref::<WasmCoreDump>().expect("a core dump");
/// assert_eq!(dump.frames().len(), 1);
/// std::fs::write("run.coredump", dump.serialize(&mut store, "app.wasm"))?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Differences from the `wasmtime` crate
///
/// The C API has no core-dump function, so this crate builds the dump from
/// what the C API shows:
///
/// - **Memories and globals are those the store's instances export**
///   (listed with `wasmtime_instance_export_nth`). A memory or global an
///   instance neither exports nor imports-and-re-exports, and one made by
///   the host that no instance exports, is invisible to the C API and
///   missing from [`memories`](WasmCoreDump::memories),
///   [`globals`](WasmCoreDump::globals) and from each instance's lists in
///   the serialized dump (the crate lists every memory and global of the
///   store). Shared memories and globals of types this crate cannot
///   represent (GC proposal types) are left out, as references' values
///   are (written as null, as the crate writes them).
/// - **Instances are those made through this crate in the store while the
///   flag was on** ([`Instance::new`], [`Linker::instantiate`](crate::Linker::instantiate),
///   [`InstancePre::instantiate`](crate::InstancePre::instantiate)): not
///   those [`Linker::module`](crate::Linker::module) makes inside the
///   library, nor the instance whose start function trapped (the C API
///   never hands out its handle).
/// - **Frames are mapped to instances by module name where it is known.**
///   The C API does not give a module's name (frames carry it, modules do
///   not), so it is known only when the store has instances of a single
///   module: frames then map to its last instance (the crate maps each
///   frame to the last instance of the frame's module). Otherwise frames
///   map to instance 0, and modules are named `<anonymous-module-N>` in
///   the `coremodules` section.
/// - A dump is attached only when the failure has wasm frames: a host
///   function called directly, or a WASI exit, gets none (the crate
///   attaches one with an empty stack).
/// - [`serialize`](WasmCoreDump::serialize) writes a memory's page size
///   when it is not 64 KiB, and the tail of a memory whose size is not a
///   multiple of 4 KiB (the crate leaves both out).
///
/// [Wasm core dump format]: https://github.com/WebAssembly/tool-conventions/blob/main/Coredump.md
pub struct WasmCoreDump {
    /// The id of the store it was made in.
    store: u64,
    backtrace: WasmBacktrace,
    /// Each frame's offset in its function, for `corestack`.
    func_offsets: Vec<u32>,
    /// Each frame's index in `instances`.
    frame_instances: Vec<u32>,
    modules: Vec<Module>,
    /// Each module's name, where known (see the type's docs).
    module_names: Vec<Option<String>>,
    instances: Vec<Instance>,
    /// Each instance's module, memories and globals, as indices.
    layouts: Vec<InstanceLayout>,
    memories: Vec<Memory>,
    globals: Vec<Global>,
    /// Each global's type, read when the dump was made.
    global_types: Vec<GlobalType>,
}

/// An instance as the `coreinstances` section lists it.
struct InstanceLayout {
    module: u32,
    memories: Vec<u32>,
    globals: Vec<u32>,
}

impl WasmCoreDump {
    /// A dump of the store behind `cx` with the frames of `pending`.
    fn capture<T>(cx: &mut StoreContextMut<'_, T>, pending: PendingFrames) -> WasmCoreDump {
        let (modules, tracked) = match cx.coredump() {
            Some(tracker) => (tracker.modules.clone(), tracker.instances.clone()),
            None => (Vec::new(), Vec::new()),
        };
        let mut memories = Vec::new();
        let mut memory_index = HashMap::new();
        let mut globals = Vec::new();
        let mut global_types = Vec::new();
        let mut global_index = HashMap::new();
        let mut layouts = Vec::with_capacity(tracked.len());
        for (instance, module) in &tracked {
            let mut layout = InstanceLayout {
                module: *module,
                memories: Vec::new(),
                globals: Vec::new(),
            };
            for index in 0.. {
                let Some((_, item)) = instance.raw_export_nth(cx, index) else {
                    break;
                };
                match u32::from(item.kind) {
                    WASMTIME_EXTERN_MEMORY => {
                        // SAFETY: `kind` says the union holds a memory.
                        let raw = unsafe { item.of.memory };
                        let key = (raw.__bindgen_anon_1.__private1, raw.__private2);
                        let at = *memory_index.entry(key).or_insert_with(|| {
                            memories.push(Memory::from_c(cx, raw));
                            memories.len() as u32 - 1
                        });
                        layout.memories.push(at);
                    }
                    WASMTIME_EXTERN_GLOBAL => {
                        // SAFETY: `kind` says the union holds a global.
                        let raw = unsafe { item.of.global };
                        let key = (raw.__private1, raw.__private2, raw.__private3);
                        let at = match global_index.get(&key) {
                            Some(at) => Some(*at),
                            None => {
                                let global = Global::from_c(cx, raw);
                                // A type of the GC proposals (whose encoding
                                // a dump does not carry here): left out.
                                global
                                    .ty(&*cx)
                                    .ok()
                                    .filter(|ty| valtype_byte(ty.content()).is_some())
                                    .map(|ty| {
                                        globals.push(global);
                                        global_types.push(ty);
                                        let at = globals.len() as u32 - 1;
                                        global_index.insert(key, at);
                                        at
                                    })
                            }
                        };
                        layout.globals.extend(at);
                    }
                    WASMTIME_EXTERN_SHAREDMEMORY => {
                        // The library handed out an owned shared memory:
                        // wrapped and dropped, which frees it.
                        // SAFETY: written by this store's library.
                        drop(unsafe { Extern::from_c(cx, &item) });
                    }
                    _ => {}
                }
            }
            layouts.push(layout);
        }
        let module_names = module_names(&modules, &pending.frames);
        let frame_instances = pending
            .frames
            .iter()
            .map(|frame| frame_instance(frame, &module_names, &tracked))
            .collect();
        WasmCoreDump {
            store: cx.id(),
            backtrace: WasmBacktrace::new(pending.frames),
            func_offsets: pending.func_offsets,
            frame_instances,
            modules,
            module_names,
            instances: tracked.iter().map(|(instance, _)| *instance).collect(),
            layouts,
            memories,
            globals,
            global_types,
        }
    }

    /// The wasm frames, innermost first: those of the error's
    /// [`WasmBacktrace`].
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Store, TypedFunc, WasmBacktrace, WasmCoreDump};
    /// # let (mut store, run): (Store<()>, TypedFunc<(), ()>) = unimplemented!();
    /// let err = run.call(&mut store, ()).unwrap_err();
    /// if let Some(dump) = err.downcast_ref::<WasmCoreDump>() {
    ///     let trace = err.downcast_ref::<WasmBacktrace>().expect("frames");
    ///     assert_eq!(dump.frames(), trace.frames());
    /// }
    /// ```
    pub fn frames(&self) -> &[FrameInfo] {
        self.backtrace.frames()
    }

    /// The modules of the instances made in the store, each once, in the
    /// order first instantiated.
    ///
    /// ```no_run
    /// # let dump: wasmtime_dyn::WasmCoreDump = unimplemented!();
    /// println!("{} modules", dump.modules().len());
    /// ```
    pub fn modules(&self) -> &[Module] {
        &self.modules
    }

    /// The instances made in the store through this crate while the flag
    /// was on, in the order made (see the type's docs for those missing).
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Store, WasmCoreDump};
    /// # let (mut store, dump): (Store<()>, WasmCoreDump) = unimplemented!();
    /// for instance in dump.instances() {
    ///     println!("{} exports", instance.exports(&mut store).len());
    /// }
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn instances(&self) -> &[Instance] {
        &self.instances
    }

    /// The memories the instances export, each once (see the type's docs:
    /// unexported memories are invisible to the C API).
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Store, WasmCoreDump};
    /// # let (store, dump): (Store<()>, WasmCoreDump) = unimplemented!();
    /// for memory in dump.memories() {
    ///     println!("{} bytes", memory.data_size(&store));
    /// }
    /// ```
    pub fn memories(&self) -> &[Memory] {
        &self.memories
    }

    /// The globals the instances export, each once (see the type's docs:
    /// unexported globals are invisible to the C API).
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Store, WasmCoreDump};
    /// # let (mut store, dump): (Store<()>, WasmCoreDump) = unimplemented!();
    /// for global in dump.globals() {
    ///     println!("{:?}", global.get(&mut store)?);
    /// }
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    pub fn globals(&self) -> &[Global] {
        &self.globals
    }

    /// The dump in the [standard Wasm core dump format]: a wasm module with
    /// the memories (their current contents as data segments) and globals
    /// (their current values), and the custom sections `core` (with `name`,
    /// the file or name of the program that ran), `coremodules`,
    /// `coreinstances` and `corestack` (one thread, `main`; locals and
    /// operand stacks are not recovered, as in the crate). Contents and
    /// values are read from `store` now.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Store, TypedFunc, WasmCoreDump};
    /// # let (mut store, run): (Store<()>, TypedFunc<(), ()>) = unimplemented!();
    /// if let Err(err) = run.call(&mut store, ()) {
    ///     if let Some(dump) = err.downcast_ref::<WasmCoreDump>() {
    ///         std::fs::write("app.coredump", dump.serialize(&mut store, "app.wasm"))?;
    ///     }
    /// }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// The dump is built in one buffer sized in advance (about the size of
    /// the memories' nonzero data); [`serialize_to`](WasmCoreDump::serialize_to)
    /// writes it out as it goes instead.
    ///
    /// # Panics
    ///
    /// If `store` is not the store the dump was made in, or if the
    /// memories hold more nonzero data than a Wasm section can (just under
    /// 4 GiB), as the crate's `serialize` panics;
    /// [`serialize_to`](WasmCoreDump::serialize_to) returns an error there.
    ///
    /// [standard Wasm core dump format]: https://github.com/WebAssembly/tool-conventions/blob/main/Coredump.md
    pub fn serialize(&self, store: impl AsContextMut, name: &str) -> Vec<u8> {
        let mut out = Vec::new();
        // `Vec`'s `Write` grows by doubling: one exact reservation instead,
        // from the size found before anything is written.
        let reserve = |out: &mut Vec<u8>, total: usize| out.reserve_exact(total);
        if let Err(err) = self.write_dump(store, name, &mut out, reserve) {
            // The crate's `serialize` panics there too (its encoder
            // asserts that every section fits a `u32` length).
            panic!("{err}");
        }
        out
    }

    /// [`serialize`](WasmCoreDump::serialize), written to `out` as it is
    /// made instead of returned: memory contents go from the store's memory
    /// straight to `out`, so the only buffers are the small sections
    /// (globals, modules, frames) and the list of nonzero runs (16 bytes per
    /// 4 KiB of memory at most). [`serialize`](WasmCoreDump::serialize)
    /// holds the whole dump once, sized in advance.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Store, TypedFunc, WasmCoreDump};
    /// # let (mut store, run): (Store<()>, TypedFunc<(), ()>) = unimplemented!();
    /// if let Err(err) = run.call(&mut store, ()) {
    ///     if let Some(dump) = err.downcast_ref::<WasmCoreDump>() {
    ///         let file = std::io::BufWriter::new(std::fs::File::create("app.coredump")?);
    ///         dump.serialize_to(&mut store, "app.wasm", file)?;
    ///     }
    /// }
    /// # Ok::<(), wasmtime_dyn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid), before anything
    /// is written, when the memories hold more nonzero data than a Wasm
    /// section can (its length is a `u32`: just under 4 GiB); an
    /// [`std::io::Error`] of `out`.
    ///
    /// # Panics
    ///
    /// If `store` is not the store the dump was made in (as
    /// [`serialize`](WasmCoreDump::serialize)).
    pub fn serialize_to(
        &self,
        store: impl AsContextMut,
        name: &str,
        mut out: impl std::io::Write,
    ) -> crate::error::Result<()> {
        self.write_dump(store, name, &mut out, |_, _| {})
    }

    /// Writes the dump to `out`, telling `reserve` its total size first.
    fn write_dump<W: std::io::Write>(
        &self,
        mut store: impl AsContextMut,
        name: &str,
        out: &mut W,
        reserve: impl FnOnce(&mut W, usize),
    ) -> crate::error::Result<()> {
        let mut cx = store.as_context_mut();
        cx.assert_owns(self.store, "the core dump");

        // The nonzero runs of every memory, and the data section's exact
        // length, checked before anything is written.
        let mut runs = Vec::with_capacity(self.memories.len());
        let mut segments = 0usize;
        let mut data_len = 0u64;
        for (index, memory) in self.memories.iter().enumerate() {
            let is_64 = memory.ty(&cx).is_64();
            let memory_runs = nonzero_runs(memory.data(&cx));
            for &(start, end) in &memory_runs {
                segments += 1;
                let header = segment_header(index, is_64, start, end - start);
                data_len += (header.len() + (end - start)) as u64;
            }
            runs.push(memory_runs);
        }
        data_len += leb_len(segments as u64) as u64;
        if data_len > u64::from(u32::MAX) {
            return Err(crate::error::ErrorKind::Invalid(format!(
                "the core dump's memories hold {data_len} bytes of nonzero data, more than the \
                 {} bytes a Wasm section can hold: the Wasm core dump format cannot represent \
                 this store (read the memories with `WasmCoreDump::memories` instead)",
                u32::MAX
            ))
            .into());
        }

        let mut head = b"\0asm\x01\0\0\0".to_vec();
        let mut core = vec![0];
        put_name(&mut core, name);
        custom_section(&mut head, "core", &core);

        let mut memories = Vec::new();
        put_len(&mut memories, self.memories.len());
        for memory in &self.memories {
            let ty = memory.ty(&cx);
            let custom_page = ty.page_size_log2() != 16;
            let flags = u8::from(ty.maximum().is_some())
                | if ty.is_64() { 0x04 } else { 0 }
                | if custom_page { 0x08 } else { 0 };
            memories.push(flags);
            put_u64(&mut memories, memory.size(&cx));
            if let Some(maximum) = ty.maximum() {
                put_u64(&mut memories, maximum);
            }
            if custom_page {
                put_u64(&mut memories, u64::from(ty.page_size_log2()));
            }
        }
        section(&mut head, 5, &memories);

        let mut globals = Vec::new();
        put_len(&mut globals, self.globals.len());
        for (global, ty) in self.globals.iter().zip(&self.global_types) {
            // Only types with a byte are kept (see `capture`).
            globals.push(valtype_byte(ty.content()).unwrap_or(0x7f));
            globals.push(u8::from(ty.mutability() == Mutability::Var));
            let value = if ty.content().is_ref() {
                // References are written as null, as the crate writes them.
                Val::default_for(ty.content().clone())
            } else {
                // A value the library will not give (none expected for a
                // number) is written as the type's zero.
                global
                    .get(&mut cx)
                    .unwrap_or_else(|_| Val::default_for(ty.content().clone()))
            };
            put_const(&mut globals, &value);
        }
        section(&mut head, 6, &globals);

        let mut tail = Vec::new();
        let mut modules = Vec::new();
        put_len(&mut modules, self.modules.len());
        for (index, name) in self.module_names.iter().enumerate() {
            modules.push(0);
            match name {
                Some(name) => put_name(&mut modules, name),
                None => put_name(&mut modules, &format!("<anonymous-module-{index}>")),
            }
        }
        custom_section(&mut tail, "coremodules", &modules);

        let mut instances = Vec::new();
        put_len(&mut instances, self.layouts.len());
        for layout in &self.layouts {
            instances.push(0);
            put_u64(&mut instances, u64::from(layout.module));
            put_len(&mut instances, layout.memories.len());
            for memory in &layout.memories {
                put_u64(&mut instances, u64::from(*memory));
            }
            put_len(&mut instances, layout.globals.len());
            for global in &layout.globals {
                put_u64(&mut instances, u64::from(*global));
            }
        }
        custom_section(&mut tail, "coreinstances", &instances);

        let mut stack = vec![0];
        put_name(&mut stack, "main");
        put_len(&mut stack, self.frames().len());
        for ((frame, offset), instance) in self
            .frames()
            .iter()
            .zip(&self.func_offsets)
            .zip(&self.frame_instances)
        {
            stack.push(0);
            put_u64(&mut stack, u64::from(*instance));
            put_u64(&mut stack, u64::from(frame.func_index));
            put_u64(&mut stack, u64::from(*offset));
            put_len(&mut stack, 0); // locals
            put_len(&mut stack, 0); // operand stack
        }
        custom_section(&mut tail, "corestack", &stack);
        // The data section, streamed from the memories.
        head.push(11);
        put_u64(&mut head, data_len);
        put_len(&mut head, segments);
        let total = head.len() as u64 + data_len + tail.len() as u64;
        reserve(out, usize::try_from(total).unwrap_or(usize::MAX));
        out.write_all(&head)?;
        for ((index, memory), memory_runs) in self.memories.iter().enumerate().zip(&runs) {
            let is_64 = memory.ty(&cx).is_64();
            let bytes = memory.data(&cx);
            for &(start, end) in memory_runs {
                // A memory only grows, so the runs found above are in it.
                out.write_all(&segment_header(index, is_64, start, end - start))?;
                out.write_all(&bytes[start..end])?;
            }
        }

        out.write_all(&tail)?;
        Ok(())
    }
}

/// A data segment's bytes before its contents: the memory index (implicit
/// for memory 0), the offset expression and the length.
fn segment_header(index: usize, is_64: bool, start: usize, len: usize) -> Vec<u8> {
    let mut header = Vec::with_capacity(24);
    if index == 0 {
        header.push(0x00);
    } else {
        header.push(0x02);
        put_len(&mut header, index);
    }
    if is_64 {
        header.push(0x42); // i64.const
        put_i64(&mut header, start as i64);
    } else {
        header.push(0x41); // i32.const
        put_i64(&mut header, i64::from(start as u32 as i32));
    }
    header.push(0x0b); // end
    put_len(&mut header, len);
    header
}

/// The length of `value` as an unsigned LEB128.
fn leb_len(value: u64) -> usize {
    let bits = 64 - value.leading_zeros() as usize;
    bits.div_ceil(7).max(1)
}

/// Each module's name, where it is known: the C API gives frames their
/// module's name but not modules theirs, so only a store with instances of
/// one module knows it (every frame of its wasm is that module's), when
/// the frames that carry a name agree on it.
fn module_names(modules: &[Module], frames: &[FrameInfo]) -> Vec<Option<String>> {
    let mut names = vec![None; modules.len()];
    if let [only] = names.as_mut_slice() {
        let mut named = frames.iter().filter_map(|f| f.module_name.as_deref());
        if let Some(first) = named.next() {
            if named.all(|name| name == first) {
                *only = Some(first.to_string());
            }
        }
    }
    names
}

/// The index of the instance `frame` ran in: the last instance of the
/// module of the frame's module name where that name is known, the last
/// instance when all are of one module, otherwise 0.
fn frame_instance(
    frame: &FrameInfo,
    names: &[Option<String>],
    instances: &[(Instance, u32)],
) -> u32 {
    let last_of = |module: u32| {
        instances
            .iter()
            .rposition(|(_, m)| *m == module)
            .map(|at| at as u32)
    };
    if let Some(name) = frame.module_name.as_deref() {
        let module = names.iter().position(|n| n.as_deref() == Some(name));
        if let Some(at) = module.and_then(|m| last_of(m as u32)) {
            return at;
        }
    }
    if names.len() == 1 {
        return last_of(0).unwrap_or(0);
    }
    0
}

/// The runs of a memory's bytes worth storing: each 4 KiB chunk trimmed of
/// its leading and trailing zeros (as the crate stores them), with runs
/// that touch merged, up to 1 GiB each, so a busy memory needs few data
/// segments.
fn nonzero_runs(bytes: &[u8]) -> Vec<(usize, usize)> {
    const CHUNK: usize = 4096;
    const MAX_RUN: usize = 1 << 30;
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for (i, chunk) in bytes.chunks(CHUNK).enumerate() {
        let Some(first) = chunk.iter().position(|b| *b != 0) else {
            continue;
        };
        let last = chunk.iter().rposition(|b| *b != 0).unwrap_or(first);
        let (start, end) = (i * CHUNK + first, i * CHUNK + last + 1);
        match runs.last_mut() {
            Some(run) if run.1 == start && end - run.0 <= MAX_RUN => run.1 = end,
            _ => runs.push((start, end)),
        }
    }
    runs
}

/// The one-byte encoding of `ty`; `None` for the GC proposals' types.
fn valtype_byte(ty: &ValType) -> Option<u8> {
    Some(match ty {
        ValType::I32 => 0x7f,
        ValType::I64 => 0x7e,
        ValType::F32 => 0x7d,
        ValType::F64 => 0x7c,
        ValType::V128 => 0x7b,
        ValType::FuncRef => 0x70,
        ValType::ExternRef => 0x6f,
        ValType::Ref(_) => return None,
    })
}

/// A constant expression producing `value` (references: null).
fn put_const(out: &mut Vec<u8>, value: &Val) {
    match value {
        Val::I32(x) => {
            out.push(0x41);
            put_i64(out, i64::from(*x));
        }
        Val::I64(x) => {
            out.push(0x42);
            put_i64(out, *x);
        }
        Val::F32(bits) => {
            out.push(0x43);
            out.extend_from_slice(&bits.to_le_bytes());
        }
        Val::F64(bits) => {
            out.push(0x44);
            out.extend_from_slice(&bits.to_le_bytes());
        }
        Val::V128(x) => {
            out.extend_from_slice(&[0xfd, 0x0c]); // v128.const
            out.extend_from_slice(&x.to_le_bytes());
        }
        Val::FuncRef(_) => out.extend_from_slice(&[0xd0, 0x70]), // ref.null func
        Val::ExternRef(_) => out.extend_from_slice(&[0xd0, 0x6f]), // ref.null extern
        // Globals of these types are left out of dumps (see `capture`).
        Val::AnyRef(_) => out.extend_from_slice(&[0xd0, 0x6e]), // ref.null any
        Val::ExnRef(_) => out.extend_from_slice(&[0xd0, 0x69]), // ref.null exn
    }
    out.push(0x0b); // end
}

/// An unsigned LEB128.
fn put_u64(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// A signed LEB128.
fn put_i64(out: &mut Vec<u8>, mut value: i64) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        let done = (value == 0 && byte & 0x40 == 0) || (value == -1 && byte & 0x40 != 0);
        if done {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// A length or count.
fn put_len(out: &mut Vec<u8>, len: usize) {
    put_u64(out, len as u64);
}

fn put_name(out: &mut Vec<u8>, name: &str) {
    put_len(out, name.len());
    out.extend_from_slice(name.as_bytes());
}

fn section(out: &mut Vec<u8>, id: u8, contents: &[u8]) {
    out.push(id);
    put_len(out, contents.len());
    out.extend_from_slice(contents);
}

fn custom_section(out: &mut Vec<u8>, name: &str, data: &[u8]) {
    let mut contents = Vec::with_capacity(name.len() + 5 + data.len());
    put_name(&mut contents, name);
    contents.extend_from_slice(data);
    section(out, 0, &contents);
}

impl fmt::Display for WasmCoreDump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The crate's layout (its dumps are all named "store_name").
        writeln!(f, "wasm coredump generated while executing store_name:")?;
        writeln!(f, "modules:")?;
        for name in &self.module_names {
            writeln!(f, "  {}", name.as_deref().unwrap_or("<module>"))?;
        }
        writeln!(f, "instances:")?;
        for instance in &self.instances {
            writeln!(f, "  {instance:?}")?;
        }
        writeln!(f, "memories:")?;
        for memory in &self.memories {
            writeln!(f, "  {memory:?}")?;
        }
        writeln!(f, "globals:")?;
        for global in &self.globals {
            writeln!(f, "  {global:?}")?;
        }
        writeln!(f, "backtrace:")?;
        write!(f, "{}", self.backtrace)
    }
}

impl fmt::Debug for WasmCoreDump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<wasm core dump>")
    }
}

#[cfg(test)]
mod tests {
    use super::{nonzero_runs, put_i64, put_u64};

    #[test]
    fn leb128() {
        let enc = |v: u64| {
            let mut out = Vec::new();
            put_u64(&mut out, v);
            out
        };
        assert_eq!(enc(0), [0]);
        assert_eq!(enc(127), [0x7f]);
        assert_eq!(enc(128), [0x80, 0x01]);
        assert_eq!(enc(624485), [0xe5, 0x8e, 0x26]);
        let senc = |v: i64| {
            let mut out = Vec::new();
            put_i64(&mut out, v);
            out
        };
        assert_eq!(senc(0), [0]);
        assert_eq!(senc(-1), [0x7f]);
        assert_eq!(senc(63), [0x3f]);
        assert_eq!(senc(64), [0xc0, 0x00]);
        assert_eq!(senc(-64), [0x40]);
        assert_eq!(senc(-65), [0xbf, 0x7f]);
        assert_eq!(senc(-123456), [0xc0, 0xbb, 0x78]);
        assert_eq!(senc(i64::MIN).len(), 10);
    }

    #[test]
    fn runs_trim_zeros_and_merge_neighbours() {
        let mut bytes = vec![0u8; 5 * 4096 + 10];
        bytes[10] = 1;
        bytes[4095] = 2;
        bytes[4096] = 3; // touches the run before: merged
        bytes[4100] = 4;
        bytes[3 * 4096 + 7] = 5;
        bytes[5 * 4096 + 9] = 6; // the tail, shorter than a chunk
        assert_eq!(
            nonzero_runs(&bytes),
            [
                (10, 4101),
                (3 * 4096 + 7, 3 * 4096 + 8),
                (5 * 4096 + 9, 5 * 4096 + 10)
            ]
        );
        assert!(nonzero_runs(&[0; 9000]).is_empty());
    }
}
