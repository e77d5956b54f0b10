//! The host imports the test files use: what Wasmtime's runner defines in
//! its component linker (`link_component_spectest` in Wasmtime's
//! `crates/wast/src/spectest.rs`), written here with this crate's
//! component [`Linker`]. The asynchronous ones of that runner
//! (`host-echo-u32`, `never-return`, `return-two-slowly`, ...) serve only
//! the `async/` files, and are defined for those ([`async_imports`]), with
//! the `wasmtime` instance of Wasmtime's `register_wasmtime`.
//!
//! A host function whose check fails returns an error naming it (rather
//! than panicking, which this crate turns into a trap a test might take
//! for the one it expects).

use crate::runner::Build;
use std::sync::atomic::{AtomicU32, Ordering::SeqCst};
use std::sync::Arc;
use wasmtime_dyn::component::{Linker, LinkerInstance, Resource, ResourceAny, ResourceType};
use wasmtime_dyn::{bail, AsContextMut, Engine, Result, StoreContextMut};

/// The host resource `resource1` (and `resource1-again`, the same type).
struct Resource1;
/// The host resource `resource2`.
struct Resource2;

/// How many `resource1`s were destroyed, and the last one's rep.
#[derive(Default)]
struct Drops {
    count: AtomicU32,
    last: AtomicU32,
}

/// `r`, a `resource1` the guest passed, as the host's resource.
fn resource1(store: StoreContextMut<'_, ()>, r: ResourceAny) -> Result<Resource<Resource1>> {
    r.try_into_resource::<Resource1>(store)
}

/// A linker of `engine` with the host imports; `with_async` adds those of
/// the `async/` files ([`async_imports`]).
pub fn linker(engine: &Engine, build: Build, with_async: bool) -> Result<Linker<()>> {
    let mut linker = Linker::new(engine);
    // As Wasmtime's runner: a named component defined again replaces the
    // first one's definitions.
    linker.allow_shadowing(true);
    linker
        .root()
        .func_wrap("host-return-two", |_, (): ()| Ok((2u32,)))?;
    let mut host = linker.instance("host")?;
    host.func_wrap("return-three", |_, (): ()| Ok((3u32,)))?;
    host.instance("nested")?
        .func_wrap("return-four", |_, (): ()| Ok((4u32,)))?;
    let module = build.module(
        engine,
        br#"(module
            (global (export "g") i32 i32.const 100)
            (func (export "f") (result i32) i32.const 101))"#,
    )?;
    host.module("simple-module", &module)?;

    let drops = Arc::new(Drops::default());
    host.resource("resource1", ResourceType::host::<Resource1>(), {
        let drops = drops.clone();
        move |_, rep| {
            drops.count.fetch_add(1, SeqCst);
            drops.last.store(rep, SeqCst);
            Ok(())
        }
    })?;
    host.resource(
        "resource2",
        ResourceType::host::<Resource2>(),
        |_, _| Ok(()),
    )?;
    host.resource(
        "resource1-again",
        ResourceType::host::<Resource1>(),
        |_, rep| bail!("`resource1-again` #{rep} was destroyed, which the tests never do"),
    )?;
    host.func_wrap("[constructor]resource1", |store, (rep,): (u32,)| {
        Ok((Resource::<Resource1>::new_own(rep).try_into_resource_any(store)?,))
    })?;
    host.func_wrap(
        "[static]resource1.assert",
        |store, (r, rep): (ResourceAny, u32)| {
            let r = resource1(store, r)?;
            if r.rep() != rep {
                bail!("[static]resource1.assert: rep {} is not {rep}", r.rep());
            }
            Ok(())
        },
    )?;
    host.func_wrap("[static]resource1.last-drop", {
        let drops = drops.clone();
        move |_, (): ()| Ok((drops.last.load(SeqCst),))
    })?;
    host.func_wrap("[static]resource1.drops", {
        let drops = drops.clone();
        move |_, (): ()| Ok((drops.count.load(SeqCst),))
    })?;
    host.func_wrap(
        "[method]resource1.simple",
        |store, (r, rep): (ResourceAny, u32)| {
            let r = resource1(store, r)?;
            if r.owned() || r.rep() != rep {
                bail!(
                    "[method]resource1.simple: got owned={} rep {}, expected a borrow of {rep}",
                    r.owned(),
                    r.rep()
                );
            }
            Ok(())
        },
    )?;
    host.func_wrap(
        "[method]resource1.take-borrow",
        |mut store, (a, b): (ResourceAny, ResourceAny)| {
            let a = resource1(store.as_context_mut(), a)?;
            let b = resource1(store, b)?;
            if a.owned() || b.owned() {
                bail!("[method]resource1.take-borrow: expected two borrows");
            }
            Ok(())
        },
    )?;
    host.func_wrap(
        "[method]resource1.take-own",
        |mut store, (a, b): (ResourceAny, ResourceAny)| {
            let a = resource1(store.as_context_mut(), a)?;
            let b = resource1(store, b)?;
            if a.owned() || !b.owned() {
                bail!("[method]resource1.take-own: expected a borrow and an owned resource");
            }
            Ok(())
        },
    )?;
    host.func_wrap("return-hi", |_, (): ()| Ok(("hi".to_string(),)))?;
    if with_async {
        // In the same `LinkerInstance`: opening `host` again would replace
        // it in Wasmtime 45 to 47 (the linker allows shadowing).
        async_host_imports(&mut host)?;
    }
    drop(host);
    if with_async {
        async_imports(&mut linker)?;
    }
    Ok(linker)
}

/// Why the `never-return` imports fail here.
const NEVER_RETURNS: &str =
    "a host function that never returns is defined by Wasmtime's runner with \
     `func_wrap_concurrent`, whose call the guest sees as a started subtask it may cancel; the \
     C API's async host functions (`wasmtime_component_linker_instance_add_func_async`) are \
     not concurrent: the guest's call waits for them, so one that never returns would hang the \
     test. It fails instead";

/// The async imports of Wasmtime's runner at the root and in `wasmtime`
/// (those of `host` are [`async_host_imports`]), with the C API's async
/// host functions (`LinkerInstance::func_wrap_async`): the concurrent ones
/// there (`func_wrap_concurrent`, which the C API has no counterpart of)
/// are written here as functions that run to their end on the guest's
/// call, which Wasmtime refuses for the `async func` imports of the files
/// (the reason of their skips, `limits.rs`).
/// `wasmtime.set-max-table-capacity` sets a limit the C API cannot reach
/// (the store's concurrent resource table): it fails, naming that.
fn async_imports(linker: &mut Linker<()>) -> Result<()> {
    linker
        .root()
        .func_wrap_async("host-echo-u32", |_, (v,): (u32,)| {
            Box::new(async move { Ok((v,)) })
        })?;
    linker.instance("wasmtime")?.func_wrap(
        "set-max-table-capacity",
        |_, (max,): (u32,)| -> Result<()> {
            bail!(
                "wasmtime.set-max-table-capacity({max}): Wasmtime's runner sets the store's \
                 concurrent resource table capacity, which the C API cannot reach"
            )
        },
    )?;
    Ok(())
}

/// The async imports of Wasmtime's runner in `host`, as
/// [`async_imports`]: the two that never return fail with
/// [`NEVER_RETURNS`] instead of hanging.
fn async_host_imports(host: &mut LinkerInstance<'_, ()>) -> Result<()> {
    host.func_wrap_async("never-return", |_, (): ()| {
        Box::new(async move { Err::<(), _>(wasmtime_dyn::format_err!("{NEVER_RETURNS}")) })
    })?;
    host.func_wrap_async(
        "[method]resource1.never-return",
        |_, (_,): (ResourceAny,)| {
            Box::new(async move { Err::<(), _>(wasmtime_dyn::format_err!("{NEVER_RETURNS}")) })
        },
    )?;
    host.func_wrap_async("return-two-slowly", |_, (): ()| {
        Box::new(async move {
            tokio::task::yield_now().await;
            Ok((2i32,))
        })
    })?;
    host.func_wrap_async("echo-slowly", |_, (a,): (u32,)| {
        Box::new(async move {
            tokio::task::yield_now().await;
            Ok((a,))
        })
    })?;
    Ok(())
}
