//! Shared memories used from two threads at once (Threads capability).

mod common;

use common::{engine_with, kind, round_has, Flavour};
use wasmtime_dyn::{Capability, ErrorKind, Linker, MemoryType, Module, SharedMemory, Store};

const COUNTER: &str = r#"(module
    (import "env" "memory" (memory 1 1 shared))
    (func (export "count") (param $n i32)
        (loop $again
            (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))
            (local.set $n (i32.sub (local.get $n) (i32.const 1)))
            (br_if $again (local.get $n)))))"#;

#[test]
fn shared_memory_from_two_threads() {
    let threads = |c: &mut wasmtime_dyn::Config| {
        c.threads().unwrap().wasm_threads(true);
        c.shared_memory(true);
    };
    let engine = engine_with(Flavour::Full, threads);
    let module = Module::new(&engine, COUNTER).unwrap();
    let memory = SharedMemory::new(&engine, MemoryType::shared(1, 1)).unwrap();
    assert_eq!(memory.size(), 1);
    assert!(memory.ty().is_shared());
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let (engine, module, memory) = (engine.clone(), module.clone(), memory.clone());
            std::thread::spawn(move || {
                let mut store = Store::new(&engine, ());
                let mut linker = Linker::new(&engine);
                linker.define(&mut store, "env", "memory", memory).unwrap();
                let instance = linker.instantiate(&mut store, &module).unwrap();
                let count = instance
                    .get_typed_func::<i32, ()>(&mut store, "count")
                    .unwrap();
                count.call(&mut store, 100_000).unwrap();
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    let data = memory.data();
    // SAFETY: both writers have finished (joined); reading 4 in-bounds bytes.
    let total = unsafe { std::ptr::read_volatile(data.as_ptr().cast::<u32>()) };
    assert_eq!(
        u32::from_le(total),
        200_000,
        "atomic increments from two threads"
    );
}

#[test]
fn absent_without_the_capability() {
    if !round_has(Flavour::Min) {
        return;
    }
    for flavour in [Flavour::Min, Flavour::CompilerOnly] {
        let engine = engine_with(flavour, |_| {});
        let err = SharedMemory::new(&engine, MemoryType::shared(1, 1)).unwrap_err();
        assert!(
            matches!(
                kind(&err),
                Some(ErrorKind::Unsupported(Capability::Threads))
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains("`threads`"), "{err}");
        let mut config = wasmtime_dyn::Config::new(flavour.load());
        assert!(config.threads().is_none());
    }
}
