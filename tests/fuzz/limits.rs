//! Stores under random `Store::limiter` limits, with and without GC
//! support, running a guest that grows its memory, its table and the GC
//! heap while the host allocates externrefs and i31 references (issue 17:
//! finding 1 was reached this way: an externref the C API refused was freed
//! twice, a SIGSEGV; finding 7: i31 references leaked without a GC heap).
//!
//! Each round must end in values or errors: no abort, no crash. What is
//! checked on the way: a refused `ExternRef::new` drops its data exactly
//! once and a made one keeps it readable; `memory.grow` and `table.grow`
//! past the limit return -1 and the sizes never pass it; and the process's
//! resident memory stays within a bound over all rounds.

use super::{in_child, Rng};
use crate::common::{engine_with, too_old_why, Flavour};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use wasmtime_dyn::{AnyRef, ExternRef, Linker, Module, Store, I31};

/// A guest that grows its memory and table by what it is asked, and
/// allocates GC structs until the heap refuses (a trap).
const GUEST: &str = r#"(module
    (type $pair (struct (field (mut i64)) (field (mut i64))))
    (memory (export "memory") 0)
    (table (export "table") 0 externref)
    (func (export "grow_memory") (param i32) (result i32)
        (memory.grow (local.get 0)))
    (func (export "grow_table") (param i32) (result i32)
        (table.grow (ref.null extern) (local.get 0)))
    (func (export "allocate") (param $n i32) (result i32) (local $i i32)
        (block $done
            (loop $next
                (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
                (drop (struct.new $pair (i64.const 1) (i64.const 2)))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $next)))
        (local.get $i)))"#;

/// [`GUEST`] without its GC types: memory and table growth only.
const PLAIN_GUEST: &str = r#"(module
    (memory (export "memory") 0)
    (table (export "table") 0 externref)
    (func (export "grow_memory") (param i32) (result i32)
        (memory.grow (local.get 0)))
    (func (export "grow_table") (param i32) (result i32)
        (table.grow (ref.null extern) (local.get 0)))
)"#;

/// What the round's library lets these rounds do, learned from its
/// answers before the rounds ([`Abilities::learn`]).
#[derive(Clone, Copy)]
struct Abilities {
    /// Whether `Config::gc_support` can be set (43 and later): where it
    /// cannot, the rounds without GC support run an engine of the
    /// library's defaults instead.
    gc_support_settable: bool,
    /// Whether the functions of [`GUEST`] can be called in an engine with
    /// the GC proposal on (45 and later): where they cannot, the rounds
    /// with GC support run [`PLAIN_GUEST`] with the proposal off.
    gc_guest: bool,
}

impl Abilities {
    /// Asks the library; a refusal must be the crate's too-old one, and is
    /// said.
    fn learn() -> Abilities {
        let lib = Flavour::Full.load();
        let mut config = wasmtime_dyn::Config::new(lib);
        config.gc_support(false);
        let gc_support_settable = match wasmtime_dyn::Engine::new(lib, &config) {
            Ok(_) => true,
            Err(err) => {
                assert!(too_old_why(&err).is_some(), "{err:?}");
                eprintln!(
                    "refused as too new: {err}: the rounds without GC support run an engine \
                     of the library's defaults"
                );
                false
            }
        };
        let engine = engine_with(Flavour::Full, |c| {
            c.gc().unwrap().wasm_function_references(true).wasm_gc(true);
        });
        let module = Module::new(&engine, GUEST).expect("the guest compiles");
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .expect("the guest instantiates");
        let gc_guest = match instance.get_typed_func::<i32, i32>(&mut store, "grow_memory") {
            Ok(_) => true,
            Err(err) => {
                assert!(too_old_why(&err).is_some(), "{err:?}");
                eprintln!(
                    "refused as too new: {err}: the rounds with GC support run a guest without \
                     GC types, the GC proposal off"
                );
                false
            }
        };
        Abilities {
            gc_support_settable,
            gc_guest,
        }
    }

    /// Sets GC support where the library lets it be set, and with
    /// `gc_types` the proposals [`GUEST`] needs.
    fn configure(self, c: &mut wasmtime_dyn::Config, gc_support: bool, gc_types: bool) {
        if self.gc_support_settable {
            c.gc_support(gc_support);
        }
        if gc_support && gc_types {
            c.gc().unwrap().wasm_function_references(true).wasm_gc(true);
        }
    }
}

/// Counts the drops of the data it is part of.
struct Counted(Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// A limit for the round: none, tiny, around a page, or random.
fn limit(rng: &mut Rng, page: u64) -> Option<u64> {
    match rng.below(5) {
        0 => None,
        1 => Some(0),
        2 => Some(page * rng.below(4) as u64),
        3 => Some(page * rng.below(64) as u64 + rng.below(page as usize) as u64),
        _ => Some(rng.next() % (64 << 20)),
    }
}

fn resident_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("/proc/self/statm");
    let pages: u64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

/// What the rounds did, so the test can show it reached both sides of
/// each limit.
#[derive(Default, Debug)]
struct Seen {
    externrefs_made: usize,
    externrefs_refused: usize,
    grows_refused: usize,
    grows_done: usize,
}

/// One round: a store under random limits, random operations; with GC
/// support, [`GUEST`] runs where `can` says it can, else [`PLAIN_GUEST`].
fn round(rng: &mut Rng, gc_support: bool, can: Abilities, seen: &mut Seen) {
    let gc_types = gc_support && can.gc_guest;
    let engine = engine_with(Flavour::Full, |c| can.configure(c, gc_support, gc_types));
    let mut store = Store::new(&engine, ());
    let memory_limit = limit(rng, 65536);
    let table_limit = limit(rng, 16);
    store
        .limiter(memory_limit, table_limit, None, None, None)
        .unwrap();
    let instance = if gc_support {
        let guest = if gc_types { GUEST } else { PLAIN_GUEST };
        let module = Module::new(&engine, guest).expect("the guest compiles");
        Linker::new(&engine).instantiate(&mut store, &module).ok()
    } else {
        None
    };
    let mut kept = Vec::new();
    for _ in 0..40 {
        match rng.below(5) {
            0 => {
                let drops = Arc::new(AtomicUsize::new(0));
                let size = rng.below(1 << 12);
                let data = (Counted(drops.clone()), vec![7u8; size]);
                match ExternRef::new(&mut store, data) {
                    Ok(r) => {
                        assert_eq!(
                            drops.load(Ordering::SeqCst),
                            0,
                            "a made externref's data lives"
                        );
                        let data = r.data(&mut store).unwrap().expect("host data");
                        let (_, bytes) = data.downcast_ref::<(Counted, Vec<u8>)>().unwrap();
                        assert_eq!(bytes.len(), size);
                        kept.push(r);
                        seen.externrefs_made += 1;
                    }
                    Err(_) => {
                        seen.externrefs_refused += 1;
                        assert_eq!(
                            drops.load(Ordering::SeqCst),
                            1,
                            "a refused externref's data is dropped exactly once"
                        )
                    }
                }
            }
            1 => {
                if let Ok(r) = AnyRef::from_i31(&mut store, I31::wrapping_u32(rng.next() as u32)) {
                    drop(r);
                }
            }
            2 if instance.is_some() => {
                let instance = instance.as_ref().unwrap();
                let grow = instance
                    .get_typed_func::<i32, i32>(&mut store, "grow_memory")
                    .unwrap();
                let memory = instance.get_memory(&mut store, "memory").unwrap();
                let before = memory.size(&store);
                let delta = rng.below(8) as i32;
                let got = grow.call(&mut store, delta).unwrap();
                let after = memory.size(&store);
                if got == -1 {
                    seen.grows_refused += 1;
                    assert_eq!(after, before, "a refused grow changes nothing");
                } else {
                    seen.grows_done += 1;
                    assert_eq!(after, before + delta as u64);
                }
                if let Some(limit) = memory_limit {
                    assert!(
                        after * 65536 <= limit.max(before * 65536),
                        "{after} pages under {limit}"
                    );
                }
            }
            3 if instance.is_some() => {
                let instance = instance.as_ref().unwrap();
                let grow = instance
                    .get_typed_func::<i32, i32>(&mut store, "grow_table")
                    .unwrap();
                let delta = rng.below(32) as i32;
                let got = grow.call(&mut store, delta).unwrap();
                let table = instance.get_table(&mut store, "table").unwrap();
                let size = table.size(&store);
                if let Some(limit) = table_limit {
                    assert!(got == -1 || size <= limit, "{size} elements under {limit}");
                }
            }
            4 if instance.is_some() && gc_types => {
                let instance = instance.as_ref().unwrap();
                let allocate = instance
                    .get_typed_func::<i32, i32>(&mut store, "allocate")
                    .unwrap();
                // Ends in a count or a trap (the heap refused to grow).
                let _ = allocate.call(&mut store, rng.below(20_000) as i32);
            }
            _ => {}
        }
        if rng.below(8) == 0 {
            kept.clear();
            let _ = store.gc(None);
        }
    }
}

/// 200 rounds under random limits, half without GC support: no crash, the
/// checks of [`round`], and resident memory within 512 MiB of the start.
#[test]
fn fuzz_stores_under_random_limits() {
    in_child(
        "limits::fuzz_stores_under_random_limits",
        Duration::from_secs(300),
        "a store under random limits hung",
        || {
            let start = resident_bytes();
            let mut rng = Rng(0x11_317e_5017);
            let mut seen = Seen::default();
            let can = Abilities::learn();
            for i in 0..200 {
                round(&mut rng, i % 2 == 0, can, &mut seen);
            }
            let grown = resident_bytes().saturating_sub(start);
            eprintln!(
                "{seen:?}; resident memory grew by {} KiB over 200 rounds",
                grown >> 10
            );
            assert!(
                seen.externrefs_made > 0 && seen.externrefs_refused > 0,
                "{seen:?}"
            );
            assert!(seen.grows_done > 0 && seen.grows_refused > 0, "{seen:?}");
            assert!(grown < 512 << 20, "resident memory grew by {grown} bytes");
        },
    );
}
