//! `wasi:http` through the component linker on the round's full library:
//! a hand-written client component (`fixtures/component/http_client.wat`)
//! sends `GET` requests through `wasi:http/outgoing-handler` to an HTTP
//! server running in this test process (a `TcpListener` on 127.0.0.1 in a
//! thread) and returns the status and body; a smaller one
//! (`http_fields.wat`) makes and drops `fields` without a network. Then
//! the guards: a store without the WASI or the `wasi:http` context is
//! refused at instantiation (the C API aborts the process on the first
//! `wasi:http` call there), and a library without `wasi-http` (the
//! run-only builds) says `Unsupported(WasiHttp)`.

mod common;

use common::child::isolate;
use common::{expected_major, round_has, Flavour};
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener};
use std::thread::JoinHandle;
use wasmtime_dyn::component::{Component, Linker, Val};
use wasmtime_dyn::wasi::http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};
use wasmtime_dyn::wasi::{ResourceTable, WasiConfig, WasiCtx, WasiCtxView, WasiView};
use wasmtime_dyn::{Capability, Engine, ErrorKind, Store};

const CLIENT: &str = include_str!("fixtures/component/http_client.wat");
const FIELDS: &str = include_str!("fixtures/component/http_fields.wat");

fn encode(wat: &str) -> Vec<u8> {
    let buf = wast::parser::ParseBuffer::new(wat).expect("lexing the component text");
    let mut wat: wast::Wat = wast::parser::parse(&buf).expect("parsing the component text");
    wat.encode().expect("encoding the component")
}

/// The full library's engine, or `None` (saying why) where its major is
/// too old for `wasi:http` (the C API has it from Wasmtime 44): there the
/// linker's refusal is checked.
fn engine() -> Option<Engine> {
    let engine = Engine::default_for(Flavour::Full.load()).expect("an engine of the full library");
    if engine.capabilities().contains(Capability::WasiHttp) {
        return Some(engine);
    }
    let mut linker = Linker::<Host>::new(&engine);
    let refused = common::too_old(linker.define_wasi_http().map(drop)).expect_err("refused");
    eprintln!("{refused}");
    None
}

/// A store's data as a `wasmtime_wasi_http` embedder writes it.
struct Host {
    ctx: WasiCtx,
    http: WasiHttpCtx,
    table: ResourceTable,
}

impl Host {
    fn new() -> Host {
        Host {
            ctx: WasiCtx::builder().build(),
            http: WasiHttpCtx::new(),
            table: ResourceTable::new(),
        }
    }
}

impl WasiView for Host {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.ctx,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for Host {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: Default::default(),
        }
    }
}

/// An HTTP/1.1 server on 127.0.0.1 for `connections` connections, one
/// request each: `GET /hello...` gets 200 and a body naming the request
/// line, anything else 404. The thread returns the request heads it read.
fn serve(connections: usize) -> (SocketAddr, JoinHandle<Vec<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("binding a port on 127.0.0.1");
    let addr = listener.local_addr().unwrap();
    let server = std::thread::spawn(move || {
        let mut heads = Vec::new();
        for _ in 0..connections {
            let (stream, _) = listener.accept().expect("accepting the guest's connection");
            stream
                .set_read_timeout(Some(std::time::Duration::from_secs(30)))
                .unwrap();
            let mut reader = BufReader::new(stream);
            let mut head = String::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).expect("reading the request") == 0 {
                    break;
                }
                if line == "\r\n" {
                    break;
                }
                head.push_str(&line);
            }
            let request_line = head.lines().next().unwrap_or("").to_string();
            let (status, body) = if request_line.starts_with("GET /hello") {
                ("200 OK", format!("served {request_line}"))
            } else {
                ("404 Not Found", String::from("no such page"))
            };
            let mut stream = reader.into_inner();
            write!(
                stream,
                "HTTP/1.1 {status}\r\ncontent-type: text/plain\r\ncontent-length: {}\r\n\
                 connection: close\r\n\r\n{body}",
                body.len()
            )
            .expect("answering");
            stream.flush().unwrap();
            heads.push(head);
        }
        heads
    });
    (addr, server)
}

/// Calls the client's `fetch(authority, path)`.
fn fetch(
    store: &mut Store<impl Sized>,
    instance: &wasmtime_dyn::component::Instance,
    authority: &str,
    path: &str,
) -> Val {
    let fetch = instance.get_func(&mut *store, "fetch").expect("`fetch`");
    let mut out = [Val::Bool(false)];
    fetch
        .call(
            &mut *store,
            &[Val::String(authority.into()), Val::String(path.into())],
            &mut out,
        )
        .expect("calling `fetch`");
    let [out] = out;
    out
}

fn ok(status: u16, body: &str) -> Val {
    Val::Result(Ok(Some(Box::new(Val::Tuple(vec![
        Val::U16(status),
        Val::String(body.into()),
    ])))))
}

#[test]
fn a_guest_fetches_from_a_server_in_this_process() {
    let Some(engine) = engine() else {
        return;
    };
    let component = Component::new(&engine, encode(CLIENT)).expect("the client compiles");
    let mut linker = Linker::<Host>::new(&engine);
    wasmtime_dyn::wasi::http::p2::add_to_linker_sync(&mut linker).unwrap();
    let mut store = Store::new(&engine, Host::new());
    let instance = linker.instantiate(&mut store, &component).unwrap();

    let (addr, server) = serve(2);
    let authority = addr.to_string();
    assert_eq!(
        fetch(&mut store, &instance, &authority, "/hello?x=1"),
        ok(200, "served GET /hello?x=1 HTTP/1.1")
    );
    assert_eq!(
        fetch(&mut store, &instance, &authority, "/elsewhere"),
        ok(404, "no such page")
    );
    let heads = server.join().expect("the server thread");
    assert!(
        heads[0].starts_with("GET /hello?x=1 HTTP/1.1\r\n"),
        "{heads:?}"
    );
    // The client adds `Host` from the authority, except Wasmtime 48's: its
    // rewrite of the p2 outgoing handler (shared with p3) dropped that
    // step, so a guest there sends `Host` only if it sets one.
    let sends_host = expected_major() != 48;
    assert_eq!(
        heads[0]
            .to_ascii_lowercase()
            .contains(&format!("host: {authority}\r\n")),
        sends_host,
        "{heads:?}"
    );
    assert!(
        heads[1].starts_with("GET /elsewhere HTTP/1.1\r\n"),
        "{heads:?}"
    );
}

#[test]
fn a_refused_connection_is_the_guests_error_code() {
    let Some(engine) = engine() else {
        return;
    };
    let component = Component::new(&engine, encode(CLIENT)).unwrap();
    let mut linker = Linker::<Host>::new(&engine);
    wasmtime_dyn::wasi::http::p2::add_to_linker_sync(&mut linker).unwrap();
    let mut store = Store::new(&engine, Host::new());
    let instance = linker.instantiate(&mut store, &component).unwrap();
    // A port nothing listens on any more.
    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    match fetch(&mut store, &instance, &closed.to_string(), "/") {
        // `error-code` case 6, `connection-refused`, from the response
        // (0x200): `handle` only queues the request (45 to 50).
        Val::Result(Err(Some(code))) => match *code {
            Val::U32(code) => assert_eq!(code, 0x206, "{code:#x}"),
            other => panic!("{other:?}"),
        },
        other => panic!("expected an error code, got {other:?}"),
    }
}

#[test]
fn define_wasi_http_with_the_stores_own_contexts() {
    let Some(engine) = engine() else {
        return;
    };
    let component = Component::new(&engine, encode(CLIENT)).unwrap();
    let mut linker = Linker::<()>::new(&engine);
    linker.define_wasi().unwrap().define_wasi_http().unwrap();
    let mut store = Store::new(&engine, ());
    store.set_wasi(&WasiConfig::new()).unwrap();
    store.set_wasi_http().unwrap();
    let instance = linker.instantiate(&mut store, &component).unwrap();
    let (addr, server) = serve(1);
    assert_eq!(
        fetch(&mut store, &instance, &addr.to_string(), "/hello"),
        ok(200, "served GET /hello HTTP/1.1")
    );
    server.join().unwrap();
}

fn run_fields<T: 'static>(
    linker: &Linker<T>,
    store: &mut Store<T>,
    component: &Component,
) -> wasmtime_dyn::Result<Val> {
    let instance = linker.instantiate(&mut *store, component)?;
    let run = instance.get_func(&mut *store, "run").expect("`run`");
    let mut out = [Val::Bool(false)];
    run.call(&mut *store, &[], &mut out)?;
    let [out] = out;
    Ok(out)
}

#[test]
fn fields_are_made_and_dropped_without_a_network() {
    let Some(engine) = engine() else {
        return;
    };
    let component = Component::new(&engine, encode(FIELDS)).unwrap();
    let mut linker = Linker::<Host>::new(&engine);
    wasmtime_dyn::wasi::p2::add_to_linker_sync(&mut linker).unwrap();
    wasmtime_dyn::wasi::http::p2::add_only_http_to_linker_sync(&mut linker).unwrap();
    let mut store = Store::new(&engine, Host::new());
    assert_eq!(
        run_fields(&linker, &mut store, &component).unwrap(),
        Val::U32(1)
    );
    // Again in the same store: the contexts are installed once.
    assert_eq!(
        run_fields(&linker, &mut store, &component).unwrap(),
        Val::U32(1)
    );
}

fn assert_invalid(err: &wasmtime_dyn::Error, mentions: &[&str]) {
    assert!(
        matches!(err.downcast_ref(), Some(ErrorKind::Invalid(_))),
        "{err:#}"
    );
    for text in mentions {
        assert!(err.to_string().contains(text), "`{text}` in: {err}");
    }
}

#[test]
fn a_store_without_the_http_context_is_refused() {
    isolate("a_store_without_the_http_context_is_refused", || {
        let Some(engine) = engine() else {
            return;
        };
        let component = Component::new(&engine, encode(FIELDS)).unwrap();
        let mut linker = Linker::<()>::new(&engine);
        linker.define_wasi().unwrap().define_wasi_http().unwrap();
        let mut store = Store::new(&engine, ());
        store.set_wasi(&WasiConfig::new()).unwrap();
        let err = run_fields(&linker, &mut store, &component).unwrap_err();
        assert_invalid(&err, &["wasi:http/types@0.2.0", "Store::set_wasi_http"]);
        // With it, the component runs.
        store.set_wasi_http().unwrap();
        assert_eq!(
            run_fields(&linker, &mut store, &component).unwrap(),
            Val::U32(1)
        );
    });
}

#[test]
fn a_store_without_wasi_is_refused() {
    isolate("a_store_without_wasi_is_refused", || {
        let Some(engine) = engine() else {
            return;
        };
        let component = Component::new(&engine, encode(FIELDS)).unwrap();
        // The store's own http context, no WASI.
        let mut linker = Linker::<()>::new(&engine);
        linker.define_wasi_http().unwrap();
        let mut store = Store::new(&engine, ());
        store.set_wasi_http().unwrap();
        let err = run_fields(&linker, &mut store, &component).unwrap_err();
        assert_invalid(&err, &["wasi:http/types@0.2.0", "no WASI context"]);
        store.set_wasi(&WasiConfig::new()).unwrap();
        assert_eq!(
            run_fields(&linker, &mut store, &component).unwrap(),
            Val::U32(1)
        );

        // The crate's shape without WASI from the data: the http context
        // is installed, WASI is not.
        let mut linker = Linker::<Host>::new(&engine);
        wasmtime_dyn::wasi::http::p2::add_only_http_to_linker_sync(&mut linker).unwrap();
        let mut store = Store::new(&engine, Host::new());
        let err = run_fields(&linker, &mut store, &component).unwrap_err();
        assert_invalid(&err, &["wasi:http/types@0.2.0", "no WASI context"]);
        store.set_wasi(&WasiConfig::new()).unwrap();
        assert_eq!(
            run_fields(&linker, &mut store, &component).unwrap(),
            Val::U32(1)
        );
    });
}

fn assert_unsupported(result: wasmtime_dyn::Result<()>, capability: Capability) {
    let err = result.expect_err("refused");
    common::assert_component_refusal(&err, Some(capability), "without the capability");
}

#[test]
fn libraries_without_wasi_http_say_so() {
    if !round_has(Flavour::Min) {
        return;
    }
    // The run-only component build: component model and WASI, no
    // `wasi-http`.
    if let Some(lib) = common::run_only() {
        run_only_says_so(lib);
    }
    // The minimal build: no component model at all.
    let engine = Engine::default_for(Flavour::Min.load()).unwrap();
    assert_unsupported(
        Linker::<()>::new(&engine).define_wasi_http().map(drop),
        Capability::ComponentModel,
    );
    assert_unsupported(
        Store::new(&engine, ()).set_wasi_http(),
        Capability::WasiHttp,
    );
}

fn run_only_says_so(lib: &'static wasmtime_dyn::Wasmtime) {
    let engine = Engine::default_for(lib).unwrap();
    assert!(!engine.capabilities().contains(Capability::WasiHttp));
    let mut linker = Linker::<Host>::new(&engine);
    assert_unsupported(linker.define_wasi_http().map(drop), Capability::WasiHttp);
    assert_unsupported(
        wasmtime_dyn::wasi::http::p2::add_only_http_to_linker_sync(&mut linker),
        Capability::WasiHttp,
    );
    assert_unsupported(
        wasmtime_dyn::wasi::http::p2::add_to_linker_sync(&mut linker),
        Capability::WasiHttp,
    );
    assert_unsupported(
        Store::new(&engine, ()).set_wasi_http(),
        Capability::WasiHttp,
    );
}

/// A component whose start function makes a `fields`: it calls
/// `wasi:http` during instantiation.
const FIELDS_AT_START: &str = r#"
(component
  (import "wasi:http/types@0.2.0" (instance $types
    (export "fields" (type $fields (sub resource)))
    (export "[constructor]fields" (func (result (own $fields))))))
  (core func $new (canon lower (func $types "[constructor]fields")))
  (core module $M
    (import "h" "new-fields" (func $new (result i32)))
    (func $start (drop (call $new)))
    (start $start))
  (core instance (instantiate $M (with "h" (instance (export "new-fields" (func $new))))))
)
"#;

/// What the guard prevents, shown on the C API itself (the library
/// `dlopen`ed behind this crate's back, in a child process): a WASI
/// context without a `wasi:http` one, and the first `wasi:http` call (here
/// from a start function, so during instantiation) aborts the process in
/// the C API's `WasiHttpView` (`store.rs:113`, `unwrap` on `None`). Through
/// this crate the same instantiation is an error.
#[cfg(unix)]
#[test]
fn the_c_api_aborts_where_the_guard_refuses() {
    const NAME: &str = "the_c_api_aborts_where_the_guard_refuses";
    if engine().is_none() {
        return;
    }
    if std::env::var("WASMTIME_DYN_TEST_CHILD").as_deref() == Ok(NAME) {
        instantiate_raw(&Flavour::Full.path(), &encode(FIELDS_AT_START));
        return;
    }
    let outcome = common::child::spawn(NAME);
    let text = outcome.text();
    assert!(!outcome.output.status.success(), "{text}");
    assert!(
        text.contains("store.rs:113") && text.contains("`Option::unwrap()` on a `None` value"),
        "{text}"
    );

    let Some(engine) = engine() else {
        return;
    };
    let component = Component::new(&engine, encode(FIELDS_AT_START)).unwrap();
    let mut linker = Linker::<()>::new(&engine);
    linker.define_wasi().unwrap().define_wasi_http().unwrap();
    let mut store = Store::new(&engine, ());
    store.set_wasi(&WasiConfig::new()).unwrap();
    let err = linker.instantiate(&mut store, &component).unwrap_err();
    assert_invalid(&err, &["wasi:http/types@0.2.0", "Store::set_wasi_http"]);
    store.set_wasi_http().unwrap();
    linker.instantiate(&mut store, &component).unwrap();
}

/// Instantiates `component` with WASI and `wasi:http` defined, in a store
/// with a WASI context only, through the C API of the library at `path`.
#[cfg(unix)]
fn instantiate_raw(path: &std::path::Path, component: &[u8]) {
    use std::ffi::{c_void, CString};
    use std::ptr::null_mut;
    type Error = *mut c_void;
    let name = CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: the round's full library; it stays loaded (never closed).
    let lib = unsafe { libc::dlopen(name.as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL) };
    assert!(!lib.is_null(), "dlopen {}", path.display());
    let sym = |name: &str| {
        let c = CString::new(name).unwrap();
        // SAFETY: a live handle, a NUL-terminated name.
        let f = unsafe { libc::dlsym(lib, c.as_ptr()) };
        assert!(!f.is_null(), "{name}");
        f
    };
    // SAFETY: each symbol has the C signature it is cast to (the 45 to 50
    // headers agree); every pointer passed is live and of this library;
    // `instance` has room for the instance handle of every major.
    unsafe {
        let engine_new: extern "C" fn() -> *mut c_void =
            std::mem::transmute(sym("wasm_engine_new"));
        let store_new: extern "C" fn(*mut c_void, *mut c_void, *mut c_void) -> *mut c_void =
            std::mem::transmute(sym("wasmtime_store_new"));
        let store_context: extern "C" fn(*mut c_void) -> *mut c_void =
            std::mem::transmute(sym("wasmtime_store_context"));
        let component_new: extern "C" fn(*mut c_void, *const u8, usize, *mut *mut c_void) -> Error =
            std::mem::transmute(sym("wasmtime_component_new"));
        let linker_new: extern "C" fn(*mut c_void) -> *mut c_void =
            std::mem::transmute(sym("wasmtime_component_linker_new"));
        let add_wasip2: extern "C" fn(*mut c_void) -> Error =
            std::mem::transmute(sym("wasmtime_component_linker_add_wasip2"));
        let add_wasi_http: extern "C" fn(*mut c_void) -> Error =
            std::mem::transmute(sym("wasmtime_component_linker_add_wasi_http"));
        let wasi_config_new: extern "C" fn() -> *mut c_void =
            std::mem::transmute(sym("wasi_config_new"));
        let set_wasi: extern "C" fn(*mut c_void, *mut c_void) -> Error =
            std::mem::transmute(sym("wasmtime_context_set_wasi"));
        let instantiate: extern "C" fn(*mut c_void, *mut c_void, *mut c_void, *mut u64) -> Error =
            std::mem::transmute(sym("wasmtime_component_linker_instantiate"));

        let engine = engine_new();
        let store = store_new(engine, null_mut(), null_mut());
        let context = store_context(store);
        let mut compiled = null_mut();
        assert!(
            component_new(engine, component.as_ptr(), component.len(), &mut compiled).is_null()
        );
        let linker = linker_new(engine);
        assert!(add_wasip2(linker).is_null());
        assert!(add_wasi_http(linker).is_null());
        assert!(set_wasi(context, wasi_config_new()).is_null());
        let mut instance = [0u64; 4];
        let error = instantiate(linker, context, compiled, instance.as_mut_ptr());
        panic!("instantiation returned (error {error:?}) instead of aborting");
    }
}
