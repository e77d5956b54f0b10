//! The `wasmtime` crate running the benchmark module, for comparison with
//! wasmtime-dyn in `cargo xtask bench`: the same module text, the default
//! configuration, `host.inc` defined with `Linker::func_wrap`.

use wasmtime::{Engine, Instance, Linker, Module, Store, TypedFunc};

/// The module every variant runs.
pub const WAT: &str = include_str!("../../benches/bench.wat");

/// A linker defining `host.inc`.
pub fn linker(engine: &Engine) -> Linker<()> {
    let mut linker = Linker::new(engine);
    linker
        .func_wrap("host", "inc", |x: i32| x.wrapping_add(1))
        .expect("defining host.inc");
    linker
}

/// One store holding one instance, with its typed exports.
pub struct World {
    pub store: Store<()>,
    pub instance: Instance,
    pub nop: TypedFunc<(), ()>,
    pub add: TypedFunc<(i32, i32), i32>,
    pub mixed: TypedFunc<(i32, i64, f32, f64), f64>,
    pub call_host: TypedFunc<i32, i32>,
    pub host_loop: TypedFunc<i32, i32>,
}

impl World {
    pub fn new() -> World {
        let engine = Engine::default();
        let module = Module::new(&engine, WAT).expect("compiling the module");
        let mut store = Store::new(&engine, ());
        let instance = linker(&engine)
            .instantiate(&mut store, &module)
            .expect("instantiating");
        let nop = instance.get_typed_func(&mut store, "nop").unwrap();
        let add = instance.get_typed_func(&mut store, "add").unwrap();
        let mixed = instance.get_typed_func(&mut store, "mixed").unwrap();
        let call_host = instance.get_typed_func(&mut store, "call_host").unwrap();
        let host_loop = instance.get_typed_func(&mut store, "host_loop").unwrap();
        World {
            store,
            instance,
            nop,
            add,
            mixed,
            call_host,
            host_loop,
        }
    }
}

impl Default for World {
    fn default() -> Self {
        World::new()
    }
}

/// Runs `future` to completion on this thread, polling it in a loop with a
/// waker that does nothing: enough for calls that never wait on anything
/// outside themselves (the benchmarks' async calls finish in one poll).
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    use std::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};
    const VTABLE: RawWakerVTable = RawWakerVTable::new(
        |_| RawWaker::new(std::ptr::null(), &VTABLE),
        |_| {},
        |_| {},
        |_| {},
    );
    // SAFETY: every function of the table ignores the (null) data pointer.
    let waker = unsafe { Waker::from_raw(RawWaker::new(std::ptr::null(), &VTABLE)) };
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
}
