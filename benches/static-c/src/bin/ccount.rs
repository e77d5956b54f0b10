//! `ccount <mode> <n>`: `n` component calls with wasmtime-dyn on the full
//! library (`WASMTIME_DYN_TEST_FULL`), for instruction counts under
//! callgrind (`cargo xtask bench` runs each mode with two values of `n` and
//! divides the difference of the totals by the difference of `n`). The
//! wasmtime crate's twin is `ccount-wasmtime` (package `bench-wasmtime`),
//! with the same modes and arguments.
//!
//! Modes, over `benches/components.wat`: `echo_typed`, `echo_dynamic`
//! (`echo: (string) -> string`, 32 bytes), `list_typed`, `list_dynamic`
//! (`list-echo: (list<u32>) -> list<u32>`, 1,000 elements), `record_typed`,
//! `record_dynamic` (`point-echo: (point) -> point`). `typed` is
//! `TypedFunc::call` with borrowed arguments; `dynamic` is `Func::call`
//! with the argument `Val`s built once and the result slot reused.

#![deny(unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]

#[path = "../../../common/components.rs"]
mod components;

use components::{point_val, Components, POINT, TEXT};
use std::hint::black_box;
use std::path::PathBuf;
use wasmtime_dyn::component::Val;
use wasmtime_dyn::Wasmtime;

fn full() -> &'static Wasmtime {
    let path = std::env::var_os("WASMTIME_DYN_TEST_FULL")
        .map(PathBuf::from)
        .or_else(bench_static_c::linked_library)
        .expect("WASMTIME_DYN_TEST_FULL is not set (run `cargo xtask bench`)");
    // SAFETY: the benchmark library is a Wasmtime C API library.
    unsafe { Wasmtime::open(&path) }.unwrap_or_else(|e| panic!("{e}"))
}

fn usage() -> ! {
    eprintln!(
        "usage: ccount <echo_typed | echo_dynamic | list_typed | list_dynamic | record_typed | record_dynamic> <calls>"
    );
    std::process::exit(2)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mode, n) = match args.as_slice() {
        [mode, n] => (mode.as_str(), n.parse::<u64>().expect("a call count")),
        _ => usage(),
    };
    let list: &'static [u32] = Box::leak(components::list().into_boxed_slice());
    let mut w = Components::new(full());
    w.check(list);
    let s = &mut w.store;
    let mut out = [Val::Bool(false)];
    match mode {
        "echo_typed" => {
            for _ in 0..n {
                black_box(w.echo.call(&mut *s, (black_box(TEXT),)).unwrap());
            }
        }
        "echo_dynamic" => {
            let args = [Val::String(TEXT.into())];
            for _ in 0..n {
                w.echo_dyn
                    .call(&mut *s, black_box(&args), &mut out)
                    .unwrap();
                black_box(&out);
            }
        }
        "list_typed" => {
            for _ in 0..n {
                black_box(w.list_echo.call(&mut *s, (black_box(list),)).unwrap());
            }
        }
        "list_dynamic" => {
            let args = [Val::List(list.iter().map(|v| Val::U32(*v)).collect())];
            for _ in 0..n {
                w.list_echo_dyn
                    .call(&mut *s, black_box(&args), &mut out)
                    .unwrap();
                black_box(&out);
            }
        }
        "record_typed" => {
            for _ in 0..n {
                black_box(w.point_echo.call(&mut *s, (black_box(POINT),)).unwrap());
            }
        }
        "record_dynamic" => {
            let args = [point_val()];
            for _ in 0..n {
                w.point_echo_dyn
                    .call(&mut *s, black_box(&args), &mut out)
                    .unwrap();
                black_box(&out);
            }
        }
        _ => usage(),
    }
}
