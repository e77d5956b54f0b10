//! Resources of components through the loaded library: handles the host
//! owns, checked against their store and liveness before the C API sees
//! them (see tests/component.rs for values, calls and types).

mod common;

use common::child::isolate;
use common::Flavour;
use wasmtime_dyn::component::types::Type;
use wasmtime_dyn::component::{Component, Linker, Val};
use wasmtime_dyn::{Engine, ErrorKind, Store};

fn encode(wat: &str) -> Vec<u8> {
    let buf = wast::parser::ParseBuffer::new(wat).expect("lexing the component text");
    let mut wat: wast::Wat = wast::parser::parse(&buf).expect("parsing the component text");
    wat.encode().expect("encoding the component")
}

fn engine() -> Engine {
    Engine::default_for(Flavour::Full.load()).expect("an engine of the full library")
}

fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("/proc/self/statm");
    let pages: u64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

const RESOURCES: &str = include_str!("fixtures/component/resources.wat");

fn resources(engine: &Engine) -> (Store<()>, wasmtime_dyn::component::Instance) {
    let component = Component::new(engine, encode(RESOURCES)).expect("the resources component");
    let mut store = Store::new(engine, ());
    let instance = Linker::new(engine)
        .instantiate(&mut store, &component)
        .unwrap();
    (store, instance)
}

#[test]
fn guest_resources_round_trip() {
    if common::components_refused() {
        return;
    }
    use wasmtime_dyn::component::ResourceAny;
    let engine = engine();
    let (mut store, instance) = resources(&engine);
    let make = instance
        .get_typed_func::<(u32,), (ResourceAny,)>(&mut store, "make")
        .unwrap();
    let read = instance
        .get_typed_func::<(ResourceAny,), (u32,)>(&mut store, "read")
        .unwrap();
    let consume = instance
        .get_typed_func::<(ResourceAny,), (u32,)>(&mut store, "consume")
        .unwrap();
    let (a,) = make.call(&mut store, (5,)).unwrap();
    assert!(a.owned());
    // Lent as a borrow: still ours afterwards.
    assert_eq!(read.call(&mut store, (a.clone(),)).unwrap(), (5,));
    assert_eq!(read.call(&mut store, (a.clone(),)).unwrap(), (5,));
    // Moved into the guest as an own: every clone is spent.
    let a2 = a.clone();
    assert_eq!(a, a2);
    assert_eq!(consume.call(&mut store, (a.clone(),)).unwrap(), (5,));
    let err = read.call(&mut store, (a2.clone(),)).unwrap_err();
    assert!(
        matches!(err.downcast_ref(), Some(ErrorKind::Invalid(_))),
        "{err:#}"
    );
    let err = a2.resource_drop(&mut store).unwrap_err();
    assert!(
        matches!(err.downcast_ref(), Some(ErrorKind::Invalid(_))),
        "{err:#}"
    );
    // Dropped by the host: clones refuse.
    let (b,) = make.call(&mut store, (7,)).unwrap();
    let b2 = b.clone();
    b.resource_drop(&mut store).unwrap();
    assert!(read.call(&mut store, (b2.clone(),)).is_err());
    assert!(b2.resource_drop(&mut store).is_err());
    // Through dynamic values, inside a tuple.
    let pair = instance.get_func(&mut store, "pair").unwrap();
    let mut out = [Val::Bool(false)];
    pair.call(&mut store, &[Val::U32(10)], &mut out).unwrap();
    let Val::Tuple(items) = &out[0] else {
        panic!("{out:?}")
    };
    let [Val::Resource(x), Val::Resource(y)] = &items[..] else {
        panic!("{items:?}")
    };
    assert_eq!(read.call(&mut store, (x.clone(),)).unwrap(), (10,));
    assert_eq!(read.call(&mut store, (y.clone(),)).unwrap(), (11,));
    assert_eq!(x.ty(), y.ty());
    let r_ty = match instance
        .get_func(&mut store, "make")
        .unwrap()
        .results(&store)[0]
        .clone()
    {
        Type::Own(t) => t,
        other => panic!("{other:?}"),
    };
    assert_eq!(x.ty(), r_ty);
}

#[test]
fn a_spent_handle_never_names_the_resource_that_reused_its_index() {
    if common::components_refused() {
        return;
    }
    use wasmtime_dyn::component::ResourceAny;
    let engine = engine();
    let (mut store, instance) = resources(&engine);
    let make = instance
        .get_typed_func::<(u32,), (ResourceAny,)>(&mut store, "make")
        .unwrap();
    let read = instance
        .get_typed_func::<(ResourceAny,), (u32,)>(&mut store, "read")
        .unwrap();
    let (a,) = make.call(&mut store, (1,)).unwrap();
    let stale = a.clone();
    a.resource_drop(&mut store).unwrap();
    // The host table's freed index is taken by the next resource...
    let (b,) = make.call(&mut store, (2,)).unwrap();
    // ...which the C API would read through the stale handle (Wasmtime's
    // `ResourceAny` is an index with no liveness); here it is refused.
    assert!(read.call(&mut store, (stale.clone(),)).is_err());
    assert_eq!(read.call(&mut store, (b.clone(),)).unwrap(), (2,));
    assert!(stale.resource_drop(&mut store).is_err());
    assert_eq!(read.call(&mut store, (b.clone(),)).unwrap(), (2,));
}

#[test]
fn a_resource_of_another_store_is_refused() {
    if common::components_refused() {
        return;
    }
    use wasmtime_dyn::component::ResourceAny;
    let engine = engine();
    let (mut a, instance_a) = resources(&engine);
    let (mut b, instance_b) = resources(&engine);
    let make_a = instance_a
        .get_typed_func::<(u32,), (ResourceAny,)>(&mut a, "make")
        .unwrap();
    let make_b = instance_b
        .get_typed_func::<(u32,), (ResourceAny,)>(&mut b, "make")
        .unwrap();
    let read_b = instance_b
        .get_typed_func::<(ResourceAny,), (u32,)>(&mut b, "read")
        .unwrap();
    let (ra,) = make_a.call(&mut a, (100,)).unwrap();
    let (rb,) = make_b.call(&mut b, (200,)).unwrap();
    // The C API would read b's resource at a's index (both 1): 200.
    let err = read_b.call(&mut b, (ra.clone(),)).unwrap_err();
    assert!(
        matches!(err.downcast_ref(), Some(ErrorKind::WrongStore(_))),
        "{err:#}"
    );
    let err = ra.clone().resource_drop(&mut b).unwrap_err();
    assert!(
        matches!(err.downcast_ref(), Some(ErrorKind::WrongStore(_))),
        "{err:#}"
    );
    assert_eq!(read_b.call(&mut b, (rb.clone(),)).unwrap(), (200,));
    ra.resource_drop(&mut a).unwrap();
    rb.resource_drop(&mut b).unwrap();
}

#[test]
fn resources_do_not_leak() {
    if common::components_refused() {
        return;
    }
    let outcome = isolate("resources_do_not_leak", || {
        use wasmtime_dyn::component::ResourceAny;
        let engine = engine();
        let (mut store, instance) = resources(&engine);
        let make = instance
            .get_typed_func::<(u32,), (ResourceAny,)>(&mut store, "make")
            .unwrap();
        let mut run = |n: u32| {
            for i in 0..n {
                let (r,) = make.call(&mut store, (i,)).unwrap();
                r.resource_drop(&mut store).unwrap();
            }
        };
        run(20_000);
        let before = rss_bytes();
        let started = std::time::Instant::now();
        run(1_000_000);
        let grown = rss_bytes().saturating_sub(before);
        println!(
            "1 000 000 resources made and dropped in {:?}: resident memory {} KiB before, \
             grew by {} KiB",
            started.elapsed(),
            before >> 10,
            grown >> 10
        );
        assert!(grown < 8 << 20, "grew by {grown} bytes");
    });
    if let Some(outcome) = outcome {
        let text = outcome.text();
        let line = text.lines().find(|l| l.contains("dropped in"));
        println!("{}", line.unwrap_or("(the child printed no figures)"));
    }
}

/// The host's `counter` resources: the destructor records the rep of
/// each counter dropped; `counter-get` keeps the borrowed handle it was
/// lent, to show it is refused after the call.
#[derive(Default)]
struct Host {
    dropped: Vec<u32>,
    kept: Option<wasmtime_dyn::component::ResourceAny>,
}

struct Counter;

fn host_resources(
    engine: &Engine,
    store_data: Host,
) -> (Store<Host>, wasmtime_dyn::component::Instance) {
    use wasmtime_dyn::component::{Resource, ResourceType};
    let component = Component::new(
        engine,
        encode(include_str!("fixtures/component/host_resources.wat")),
    )
    .expect("the host resources component");
    let mut linker = Linker::<Host>::new(engine);
    let mut root = linker.root();
    root.resource(
        "counter",
        ResourceType::host::<Counter>(),
        |mut store, rep| {
            store.data_mut().dropped.push(rep);
            Ok(())
        },
    )
    .unwrap();
    root.func_new("new-counter", |mut store, _, params, results| {
        let Val::U32(start) = params[0] else {
            wasmtime_dyn::bail!("expected a u32")
        };
        let counter = Resource::<Counter>::new_own(start);
        results[0] = Val::Resource(counter.try_into_resource_any(&mut store)?);
        Ok(())
    })
    .unwrap();
    root.func_new("counter-get", |mut store, _, params, results| {
        let Val::Resource(handle) = &params[0] else {
            wasmtime_dyn::bail!("expected a resource")
        };
        assert!(!handle.owned(), "lent as a borrow");
        store.data_mut().kept = Some(handle.clone());
        let counter: Resource<Counter> = handle.clone().try_into_resource(&mut store)?;
        assert!(!counter.owned());
        results[0] = Val::U32(counter.rep());
        Ok(())
    })
    .unwrap();
    drop(root);
    let mut store = Store::new(engine, store_data);
    let instance = linker.instantiate(&mut store, &component).unwrap();
    (store, instance)
}

#[test]
fn host_resources_round_trip() {
    if common::components_refused() {
        return;
    }
    use wasmtime_dyn::component::{Resource, ResourceAny, ResourceType};
    let engine = engine();
    let (mut store, instance) = host_resources(&engine, Host::default());
    let make = instance
        .get_typed_func::<(u32,), (ResourceAny,)>(&mut store, "make")
        .unwrap();
    let read = instance
        .get_typed_func::<(ResourceAny,), (u32,)>(&mut store, "read")
        .unwrap();
    let consume = instance
        .get_typed_func::<(ResourceAny,), (u32,)>(&mut store, "consume")
        .unwrap();
    let (a,) = make.call(&mut store, (5,)).unwrap();
    assert_eq!(a.ty(), ResourceType::host::<Counter>());
    assert_eq!(read.call(&mut store, (a.clone(),)).unwrap(), (5,));
    assert_eq!(read.call(&mut store, (a.clone(),)).unwrap(), (5,));
    // The guest drops it: the host's destructor runs.
    assert_eq!(consume.call(&mut store, (a.clone(),)).unwrap(), (5,));
    assert_eq!(store.data().dropped, [5]);
    assert!(a.resource_drop(&mut store).is_err(), "moved into the guest");
    // The host drops one: the destructor runs once.
    let (b,) = make.call(&mut store, (7,)).unwrap();
    let b2 = b.clone();
    b.resource_drop(&mut store).unwrap();
    assert_eq!(store.data().dropped, [5, 7]);
    assert!(b2.resource_drop(&mut store).is_err());
    assert_eq!(store.data().dropped, [5, 7]);
    // Taken out of the table as the host's own `Resource`, and back.
    let (c,) = make.call(&mut store, (9,)).unwrap();
    let c: Resource<Counter> = c.try_into_resource(&mut store).unwrap();
    assert_eq!((c.rep(), c.owned()), (9, true));
    let c = c.try_into_resource_any(&mut store).unwrap();
    assert_eq!(read.call(&mut store, (c.clone(),)).unwrap(), (9,));
    // A handle of another type is refused as a `Resource<T>`.
    struct Other;
    let err = c.try_into_resource::<Other>(&mut store).unwrap_err();
    assert!(
        matches!(err.downcast_ref(), Some(ErrorKind::TypeMismatch(_))),
        "{err:#}"
    );
}

#[test]
fn a_borrow_kept_past_its_call_is_refused() {
    if common::components_refused() {
        return;
    }
    use wasmtime_dyn::component::ResourceAny;
    // The C API's handle is an index (with a generation in Wasmtime's host
    // table, which catches this case: without the liveness check, dropping
    // the kept borrow failed with "host-owned resource was already
    // de-allocated" on 48). Wasmtime's `resource_drop` has an
    // `unreachable!()` for a handle whose owned flag disagrees with its
    // table entry (wasmtime 48 src/runtime/component/resources/any.rs:201),
    // which would abort the process: a borrow is refused after its call
    // before the C API sees it. In a child process all the same.
    isolate("a_borrow_kept_past_its_call_is_refused", || {
        let engine = engine();
        let (mut store, instance) = host_resources(&engine, Host::default());
        let make = instance
            .get_typed_func::<(u32,), (ResourceAny,)>(&mut store, "make")
            .unwrap();
        let read = instance
            .get_typed_func::<(ResourceAny,), (u32,)>(&mut store, "read")
            .unwrap();
        let (a,) = make.call(&mut store, (1,)).unwrap();
        assert_eq!(read.call(&mut store, (a.clone(),)).unwrap(), (1,));
        let kept = store.data_mut().kept.take().expect("kept by counter-get");
        // New owned handles take the borrow's index.
        let (b,) = make.call(&mut store, (2,)).unwrap();
        let (c,) = make.call(&mut store, (3,)).unwrap();
        let err = kept.clone().resource_drop(&mut store).unwrap_err();
        assert!(
            matches!(err.downcast_ref(), Some(ErrorKind::Invalid(_))),
            "{err:#}"
        );
        let err = read.call(&mut store, (kept,)).unwrap_err();
        assert!(
            matches!(err.downcast_ref(), Some(ErrorKind::Invalid(_))),
            "{err:#}"
        );
        // Nothing was dropped by mistake.
        assert!(store.data().dropped.is_empty());
        for (r, n) in [(a, 1), (b, 2), (c, 3)] {
            assert_eq!(read.call(&mut store, (r.clone(),)).unwrap(), (n,));
            r.resource_drop(&mut store).unwrap();
        }
        assert_eq!(store.data().dropped, [1, 2, 3]);
    });
}

#[test]
fn a_host_resource_of_another_store_is_refused() {
    if common::components_refused() {
        return;
    }
    use wasmtime_dyn::component::ResourceAny;
    // Both stores' tables hold a counter at the same index with the same
    // (host) type: without the store check, `read_b` of store a's handle
    // returned store b's counter (200) on 48, silently.
    isolate("a_host_resource_of_another_store_is_refused", || {
        let engine = engine();
        let (mut a, instance_a) = host_resources(&engine, Host::default());
        let (mut b, instance_b) = host_resources(&engine, Host::default());
        let make_a = instance_a
            .get_typed_func::<(u32,), (ResourceAny,)>(&mut a, "make")
            .unwrap();
        let make_b = instance_b
            .get_typed_func::<(u32,), (ResourceAny,)>(&mut b, "make")
            .unwrap();
        let read_b = instance_b
            .get_typed_func::<(ResourceAny,), (u32,)>(&mut b, "read")
            .unwrap();
        let (ra,) = make_a.call(&mut a, (100,)).unwrap();
        let (rb,) = make_b.call(&mut b, (200,)).unwrap();
        let err = read_b.call(&mut b, (ra.clone(),)).unwrap_err();
        assert!(
            matches!(err.downcast_ref(), Some(ErrorKind::WrongStore(_))),
            "{err:#}"
        );
        let err = ra.clone().resource_drop(&mut b).unwrap_err();
        assert!(
            matches!(err.downcast_ref(), Some(ErrorKind::WrongStore(_))),
            "{err:#}"
        );
        assert!(b.data().dropped.is_empty());
        assert_eq!(read_b.call(&mut b, (rb,)).unwrap(), (200,));
        ra.resource_drop(&mut a).unwrap();
        assert_eq!(a.data().dropped, [100]);
    });
}

#[test]
fn resources_outliving_their_store() {
    if common::components_refused() {
        return;
    }
    use wasmtime_dyn::component::ResourceAny;
    isolate("resources_outliving_their_store", || {
        let engine = engine();
        let (mut store, instance) = host_resources(&engine, Host::default());
        let make = instance
            .get_typed_func::<(u32,), (ResourceAny,)>(&mut store, "make")
            .unwrap();
        let (a,) = make.call(&mut store, (1,)).unwrap();
        let (b,) = make.call(&mut store, (2,)).unwrap();
        // A store dropped with live resources runs no destructor and
        // frees them; the handles stay harmless Rust values.
        let data = store.into_data();
        assert!(data.dropped.is_empty());
        let (mut other, _) = host_resources(&engine, Host::default());
        let err = a.resource_drop(&mut other).unwrap_err();
        assert!(
            matches!(err.downcast_ref(), Some(ErrorKind::WrongStore(_))),
            "{err:#}"
        );
        drop(b);
    });
}
