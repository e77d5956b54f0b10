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

fn engine() -> Engine {
    Engine::default_for(Flavour::Full.load()).expect("an engine of the full library")
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
    let engine = engine();
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
    let engine = engine();
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
        // `error-code` case 6 is `connection-refused`, from `handle` (0x100)
        // or from the response (0x200).
        Val::Result(Err(Some(code))) => match *code {
            Val::U32(code) => assert!(code == 0x106 || code == 0x206, "{code:#x}"),
            other => panic!("{other:?}"),
        },
        other => panic!("expected an error code, got {other:?}"),
    }
}

#[test]
fn define_wasi_http_with_the_stores_own_contexts() {
    let engine = engine();
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
    let engine = engine();
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
        let engine = engine();
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
        let engine = engine();
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
    assert!(
        matches!(err.downcast_ref(), Some(ErrorKind::Unsupported(c)) if *c == capability),
        "{err:#}"
    );
}

#[test]
fn libraries_without_wasi_http_say_so() {
    if !round_has(Flavour::Min) {
        return;
    }
    // The run-only component build: component model and WASI, no
    // `wasi-http`.
    let lib = common::load_library("run-only", expected_major());
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
