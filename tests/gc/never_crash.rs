//! Issue 17 on the GC side: GC types past Wasmtime's limits (which the C
//! API aborts on), chains of nested types (a stack overflow when dropped),
//! roots Wasmtime never releases (1 000 000 operations within a stated
//! resident size), and throwing another store's exception.

use super::*;
use common::child::ChildOutcome;

/// Limits this child's address space to what it maps now plus `extra`
/// bytes, so that a regression that allocates without bound fails fast
/// instead of paging the machine.
fn limit_address_space(extra: u64) {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmSize:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmSize");
    let limit = kib * 1024 + extra;
    let rlim = libc::rlimit {
        rlim_cur: limit,
        rlim_max: libc::RLIM_INFINITY,
    };
    // SAFETY: sets this process's own soft limit from a valid struct.
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_AS, &rlim) }, 0);
}

#[test]
fn gc_types_past_wasmtimes_limits_are_errors() {
    if gc_types_refused() {
        return;
    }
    // Wasmtime's `StructType::new` refuses more than 10 000 fields, and
    // the C API `expect`s its answer: the process aborted. In a child.
    isolate(
        "never_crash::gc_types_past_wasmtimes_limits_are_errors",
        || {
            let engine = gc_engine(Flavour::Full);
            let field = FieldType::new(Mutability::Var, ValType::I64.into());
            let at_limit = StructType::new(&engine, vec![field.clone(); 10_000]).unwrap();
            assert_eq!(at_limit.fields().len(), 10_000);
            for n in [10_001, 65_536] {
                let err = StructType::new(&engine, vec![field.clone(); n]).unwrap_err();
                assert!(
                    matches!(kind(&err), Some(ErrorKind::Invalid(_))),
                    "{n} fields: {err:?}"
                );
                assert!(err.to_string().contains("10000"), "{err}");
            }
            // Refused before the fields are collected: no allocation.
            limit_address_space(1 << 30);
            let many = std::iter::repeat(field.clone()).take(usize::MAX);
            let err = StructType::new(&engine, many).unwrap_err();
            assert!(matches!(kind(&err), Some(ErrorKind::Invalid(_))), "{err:?}");
            // An iterator that does not say its length is cut at the limit.
            let unsized_iter = std::iter::repeat(field.clone())
                .take(20_000)
                .filter(|_| true);
            let err = StructType::new(&engine, unsized_iter).unwrap_err();
            assert!(matches!(kind(&err), Some(ErrorKind::Invalid(_))), "{err:?}");
            // Exception types have no field limit in Wasmtime, but their
            // layout is a 32-bit size: more than Wasmtime accepts for structs
            // is fine, past what any layout can hold is refused.
            let wide = ExnType::new(&engine, vec![ValType::V128; 20_000]).unwrap();
            assert_eq!(wide.fields().len(), 20_000);
            let err = ExnType::new(&engine, std::iter::repeat(ValType::V128).take(300_000_000))
                .unwrap_err();
            assert!(matches!(kind(&err), Some(ErrorKind::Invalid(_))), "{err:?}");
            assert!(err.to_string().contains("268435452"), "{err}");
            // The engine still works.
            StructType::new(&engine, [field]).unwrap();
        },
    );
}

#[test]
fn dropping_a_long_chain_of_nested_gc_types_does_not_overflow_the_stack() {
    if gc_types_refused() {
        return;
    }
    // Each type names the one before as a field: dropping the last handle
    // dropped the whole chain recursively, one stack frame group per link
    // (a stack overflow abort at 200 000 links). In a child.
    isolate(
        "never_crash::dropping_a_long_chain_of_nested_gc_types_does_not_overflow_the_stack",
        || {
            let engine = gc_engine(Flavour::Full);
            let mut ty = HeapType::ConcreteStruct(i32_field(&engine));
            for i in 0..200_000 {
                let named = ValType::Ref(RefType::new(true, ty));
                ty = match i % 3 {
                    0 => HeapType::ConcreteStruct(
                        StructType::new(&engine, [FieldType::new(Mutability::Var, named.into())])
                            .unwrap(),
                    ),
                    1 => HeapType::ConcreteArray(
                        ArrayType::new(&engine, FieldType::new(Mutability::Const, named.into()))
                            .unwrap(),
                    ),
                    _ => HeapType::ConcreteExn(ExnType::new(&engine, [named]).unwrap()),
                };
            }
            let start = std::time::Instant::now();
            drop(ty);
            println!("dropped 200 000 nested types in {:?}", start.elapsed());
        },
    );
}

#[test]
fn a_million_pending_exceptions_taken_stay_within_8_mib() {
    // A test of exceptions only.
    if exceptions_too_old() || gc_types_refused() {
        return;
    }
    // `wasmtime_context_take_exception` roots the exception in the store's
    // LIFO roots outside any scope: each take kept ~60 bytes until the
    // store was dropped. In a child: RSS is the whole process's.
    let outcome =
        isolate(
            "never_crash::a_million_pending_exceptions_taken_stay_within_8_mib",
            || {
                let engine = gc_engine(Flavour::Full);
                let module = module_with(Flavour::Full, &engine, EXCEPTIONS, gc_on);
                let mut store = Store::new(&engine, ());
                let mut linker: Linker<()> = Linker::new(&engine);
                linker.func_wrap("host", "throw", |_: i32| {}).unwrap();
                let instance = linker.instantiate(&mut store, &module).unwrap();
                let tag = instance.get_tag(&mut store, "e").unwrap();
                let ty = ExnType::from_tag_type(&engine, &tag.ty(&store).unwrap()).unwrap();
                let pre = ExnRefPre::new(&mut store, ty).unwrap();
                let throw = instance
                    .get_typed_func::<i32, ()>(&mut store, "throw")
                    .unwrap();
                let cycle = |store: &mut Store<()>, i: u32| {
                    // The host throws, and takes it back.
                    let exn =
                        ExnRef::new(&mut *store, &pre, &tag, &[Val::I32(i as i32), Val::I64(1)])
                            .unwrap();
                    let err = store.throw::<()>(exn).unwrap_err();
                    assert!(err.is::<ThrownException>(), "{err:?}");
                    let taken = store.take_pending_exception().expect("pending");
                    drop(taken);
                    // Wasm throws, the host takes it (every 16th cycle: a call
                    // that throws costs ~10 µs).
                    if i % 16 == 0 {
                        let err = throw.call(&mut *store, i as i32).unwrap_err();
                        assert!(err.is::<ThrownException>(), "{err:?}");
                        let taken = store.take_pending_exception().expect("pending");
                        assert_eq!(taken.field(&mut *store, 0).unwrap().i32(), Some(i as i32));
                    }
                };
                // Wasmtime 45's `throw` leaves the pending exception without a
                // reference count of its own, so the root a take makes of it must
                // stay there (popping it corrupts the GC heap): the cycles run, for
                // their results, without the bound.
                let counted = expected_major() >= 46;
                let n = if counted { 1_000_000 } else { 100_000 };
                for i in 0..50_000 {
                    cycle(&mut store, i);
                }
                let start = resident_bytes();
                for i in 0..n {
                    cycle(&mut store, i);
                }
                store.gc(None).unwrap();
                let end = resident_bytes();
                let grown = end.saturating_sub(start);
                println!(
            "RSS: {:.1} MiB at the start, {:.1} MiB after {n} throws and takes (+{:.1} MiB){}",
            start as f64 / 1048576.0,
            end as f64 / 1048576.0,
            grown as f64 / 1048576.0,
            if counted { "" } else { "; Wasmtime 45 keeps each take's root: no bound" }
        );
                if counted {
                    assert!(grown <= 8 << 20, "RSS grew by {grown} bytes");
                }
            },
        );
    print_rss(outcome);
}

#[test]
fn a_million_i31_refs_in_a_store_without_gc_heap_stay_within_8_mib() {
    // A store that never allocated a GC object has no GC heap, and
    // Wasmtime trims the owned roots of dropped references only once one
    // exists: each `from_i31` kept ~54 bytes. In a child.
    let outcome = isolate(
        "never_crash::a_million_i31_refs_in_a_store_without_gc_heap_stay_within_8_mib",
        || {
            let engine = gc_engine(Flavour::Full);
            let mut store = Store::new(&engine, ());
            // Before 44 the C API has no i31 references: refused.
            let probe = common::too_old(AnyRef::from_i31(&mut store, I31::wrapping_u32(0)))
                .and_then(|a| common::too_old(a.as_i31(&store)));
            if let Err(why) = probe {
                return eprintln!("{why}");
            }
            let mut make = |n: u32| {
                for i in 0..n {
                    let a = AnyRef::from_i31(&mut store, I31::wrapping_u32(i)).unwrap();
                    assert_eq!(a.as_i31(&store).unwrap(), Some(I31::wrapping_u32(i)));
                    drop(a);
                    let e = EqRef::from_i31(&mut store, I31::wrapping_u32(i)).unwrap();
                    drop(e);
                }
            };
            make(50_000);
            let start = resident_bytes();
            make(1_000_000);
            let end = resident_bytes();
            let grown = end.saturating_sub(start);
            println!(
                "RSS: {:.1} MiB at the start, {:.1} MiB after 1 000 000 AnyRef::from_i31 and \
                 1 000 000 EqRef::from_i31 (+{:.1} MiB)",
                start as f64 / 1048576.0,
                end as f64 / 1048576.0,
                grown as f64 / 1048576.0
            );
            assert!(grown <= 8 << 20, "RSS grew by {grown} bytes");
        },
    );
    print_rss(outcome);
}

fn print_rss(outcome: Option<ChildOutcome>) {
    if let Some(outcome) = outcome {
        for line in outcome.text().lines() {
            if let Some(at) = line.find("RSS:") {
                eprintln!("{}", &line[at..]);
            }
        }
    }
}

#[test]
fn throwing_another_stores_exception_is_wrong_store() {
    // A test of exceptions only.
    if exceptions_too_old() || gc_types_refused() {
        return;
    }
    let engine = gc_engine(Flavour::Full);
    let module = module_with(Flavour::Full, &engine, EXCEPTIONS, gc_on);
    let mut other = Store::new(&engine, ());
    let tag_ty = TagType::new(FuncType::new([ValType::I32, ValType::I64], []));
    let foreign_tag = Tag::new(&mut other, &tag_ty).unwrap();
    let pre = ExnRefPre::new(
        &mut other,
        ExnType::from_tag_type(&engine, &tag_ty).unwrap(),
    )
    .unwrap();
    let foreign = ExnRef::new(&mut other, &pre, &foreign_tag, &[Val::I32(1), Val::I64(2)]).unwrap();

    // Outside a call.
    let mut store = Store::new(&engine, ());
    let err = store.throw::<()>(foreign.clone()).unwrap_err();
    assert!(is_wrong_store(&err), "{err:?}");
    assert!(!err.is::<ThrownException>());
    assert!(!store.has_pending_exception());

    // From a host function: the call fails with the same error, and
    // nothing is pending (the documented `take_pending_exception().expect`
    // after a `ThrownException` would have panicked).
    let mut linker: Linker<()> = Linker::new(&engine);
    let thrown = foreign.clone();
    linker
        .func_wrap(
            "host",
            "throw",
            move |mut caller: Caller<'_, ()>, _: i32| -> wasmtime_dyn::Result<()> {
                let err = caller.throw::<()>(thrown.clone()).unwrap_err();
                assert!(is_wrong_store(&err), "{err:?}");
                Err(err)
            },
        )
        .unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let catch_host = instance
        .get_typed_func::<i32, i32>(&mut store, "catch_host")
        .unwrap();
    let err = catch_host.call(&mut store, 5).unwrap_err();
    assert!(is_wrong_store(&err), "{err:?}");
    assert!(!err.is::<ThrownException>(), "{err:?}");
    assert!(!store.has_pending_exception());
    assert!(store.take_pending_exception().is_none());
    // The exception is still good in its own store.
    other.throw::<()>(foreign).unwrap_err();
    assert!(other.take_pending_exception().is_some());
}

#[test]
fn i31_refs_are_refused_where_no_gc_heap_can_be_made() {
    // Without GC support the store can never have a GC heap, so Wasmtime
    // would never release these roots: refused, naming why.
    let lib = Flavour::Full.load();
    let mut config = Config::new(lib);
    config.gc_support(false);
    // Before 43 GC support cannot be turned off (no setter): refused.
    let engine = match common::too_old(Engine::new(lib, &config)) {
        Ok(engine) => engine,
        Err(why) => return eprintln!("{why}"),
    };
    let mut store = Store::new(&engine, ());
    let err = AnyRef::from_i31(&mut store, I31::wrapping_u32(1)).unwrap_err();
    assert!(matches!(kind(&err), Some(ErrorKind::Invalid(_))), "{err:?}");
    assert!(err.to_string().contains("GC heap"), "{err}");
    // Before 44 the C API has no eqref: refused as too old there.
    let err = EqRef::from_i31(&mut store, I31::wrapping_u32(1)).unwrap_err();
    let invalid = matches!(kind(&err), Some(ErrorKind::Invalid(_)));
    let text = format!("{err:?}");
    assert!(
        invalid || common::too_old(Err::<(), _>(err)).is_err(),
        "{text}"
    );
}

#[test]
fn a_hundred_thousand_stores_leave_no_gc_helper_behind() {
    if gc_types_refused() {
        return;
    }
    // Each store that makes an `anyref` or takes an exception gets a
    // helper function and an entry in a process-wide map, which the
    // helper's finalizer removes when the store is deleted. In a child.
    let outcome = isolate(
        "never_crash::a_hundred_thousand_stores_leave_no_gc_helper_behind",
        || {
            let engine = gc_engine(Flavour::Full);
            let tag_ty = TagType::new(FuncType::new([ValType::I32], []));
            let exn_ty = ExnType::from_tag_type(&engine, &tag_ty).unwrap();
            let run = |n: u32| {
                for i in 0..n {
                    let mut store = Store::new(&engine, ());
                    let a = AnyRef::from_i31(&mut store, I31::wrapping_u32(i)).unwrap();
                    assert!(a.is_i31(&store).unwrap());
                    if i % 4 == 0 {
                        let tag = Tag::new(&mut store, &tag_ty).unwrap();
                        let pre = ExnRefPre::new(&mut store, exn_ty.clone()).unwrap();
                        let exn = ExnRef::new(&mut store, &pre, &tag, &[Val::I32(1)]).unwrap();
                        store.throw::<()>(exn).unwrap_err();
                        assert!(store.take_pending_exception().is_some());
                    }
                }
            };
            run(10_000);
            let start = resident_bytes();
            run(100_000);
            let end = resident_bytes();
            let grown = end.saturating_sub(start);
            println!(
                "RSS: {:.1} MiB at the start, {:.1} MiB after 100 000 stores, each with an \
                 anyref, one in four with an exception taken (+{:.1} MiB)",
                start as f64 / 1048576.0,
                end as f64 / 1048576.0,
                grown as f64 / 1048576.0
            );
            assert!(grown <= 2 << 20, "RSS grew by {grown} bytes");
        },
    );
    print_rss(outcome);
}

#[test]
fn gc_types_naming_another_engines_types_are_wrong_engine() {
    if gc_types_refused() {
        return;
    }
    // Wasmtime asserts that every concrete type a new type names is of its
    // engine (`StructType`, `ArrayType`, `ExnType`, allocators): an abort
    // through the C API. In a child.
    isolate(
        "never_crash::gc_types_naming_another_engines_types_are_wrong_engine",
        || {
            let a = gc_engine(Flavour::Full);
            let b = gc_engine(Flavour::Full);
            let of_a = ValType::Ref(RefType::new(true, HeapType::ConcreteStruct(i32_field(&a))));
            let field = FieldType::new(Mutability::Var, of_a.clone().into());
            let wrong = |err: wasmtime_dyn::Error| {
                assert!(
                    matches!(kind(&err), Some(ErrorKind::WrongEngine(..))),
                    "{err:?}"
                );
            };
            wrong(StructType::new(&b, [field.clone()]).unwrap_err());
            wrong(ArrayType::new(&b, field.clone()).unwrap_err());
            wrong(ExnType::new(&b, [of_a.clone()]).unwrap_err());
            let mut store_b = Store::new(&b, ());
            wrong(StructRefPre::new(&mut store_b, i32_field(&a)).unwrap_err());
            wrong(
                ExnRefPre::new(&mut store_b, ExnType::new(&a, [ValType::I32]).unwrap())
                    .unwrap_err(),
            );
            // Each engine still makes its own.
            StructType::new(&a, [field]).unwrap();
            ExnType::new(&a, [of_a]).unwrap();
        },
    );
}
