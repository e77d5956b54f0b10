//! `callcount-wasmtime <mode> <n>`: makes `n` calls with the wasmtime crate,
//! for instruction counts under callgrind (`cargo xtask bench` runs it with
//! two values of `n` and divides the difference). Modes: `typed` (`add`),
//! `host_typed` (`call_host`, one host round trip).

use bench_wasmtime::World;
use std::hint::black_box;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mode, n) = match args.as_slice() {
        [mode, n] => (mode.as_str(), n.parse::<u64>().expect("a call count")),
        _ => {
            eprintln!("usage: callcount-wasmtime <typed | host_typed> <calls>");
            std::process::exit(2);
        }
    };
    let mut w = World::new();
    match mode {
        "typed" => {
            for _ in 0..n {
                black_box(
                    w.add
                        .call(&mut w.store, (black_box(1), black_box(2)))
                        .unwrap(),
                );
            }
        }
        "host_typed" => {
            for _ in 0..n {
                black_box(w.call_host.call(&mut w.store, black_box(1)).unwrap());
            }
        }
        _ => {
            eprintln!("unknown mode {mode}");
            std::process::exit(2);
        }
    }
}
