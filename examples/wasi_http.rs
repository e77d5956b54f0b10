//! A component makes an HTTP request through `wasi:http` with the
//! `wasmtime_wasi_http` crate's shapes (`WasiHttpView`,
//! `p2::add_to_linker_sync`). The component is the tests' hand-written
//! client (`tests/fixtures/component/http_client.wat`: `fetch(authority,
//! path)` returns the status and body). Without an authority the request
//! goes to an HTTP server this program runs on 127.0.0.1 for one request.
//!
//! ```text
//! cargo run --example wasi_http -- <full libwasmtime> [<host:port> <path>]
//! ```

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use wasmtime_dyn::component::{Component, Linker, Val};
use wasmtime_dyn::wasi::http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};
use wasmtime_dyn::wasi::{ResourceTable, WasiCtx, WasiCtxView, WasiView};
use wasmtime_dyn::{bail, Engine, Result, Store, Wasmtime};

const CLIENT: &str = include_str!("../tests/fixtures/component/http_client.wat");

/// The store's data: the WASI and `wasi:http` contexts and the table.
struct Host {
    ctx: WasiCtx,
    http: WasiHttpCtx,
    table: ResourceTable,
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

/// Answers one request on 127.0.0.1 with a greeting naming its first
/// line; returns the address.
fn serve_one() -> Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?.to_string();
    std::thread::spawn(move || -> std::io::Result<()> {
        let (stream, _) = listener.accept()?;
        let mut reader = BufReader::new(stream);
        let mut first = String::new();
        reader.read_line(&mut first)?;
        let mut line = String::new();
        while reader.read_line(&mut line)? > 2 {
            line.clear();
        }
        let body = format!("hello, you asked for {}", first.trim_end());
        let mut stream = reader.into_inner();
        write!(
            stream,
            "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
    });
    Ok(addr)
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (library, authority, path) = match &args[..] {
        [library] => (library, serve_one()?, String::from("/greeting")),
        [library, authority, path] => (library, authority.clone(), path.clone()),
        _ => bail!("usage: wasi_http <full libwasmtime> [<host:port> <path>]"),
    };
    // SAFETY: the path given is taken to be a Wasmtime C API library.
    let wasmtime = unsafe { Wasmtime::open(library) }?;
    let engine = Engine::default_for(wasmtime)?;
    let component = Component::new(&engine, CLIENT)?;
    let mut linker = Linker::<Host>::new(&engine);
    wasmtime_dyn::wasi::http::p2::add_to_linker_sync(&mut linker)?;
    let host = Host {
        ctx: WasiCtx::builder().build(),
        http: WasiHttpCtx::new(),
        table: ResourceTable::new(),
    };
    let mut store = Store::new(&engine, host);
    let instance = linker.instantiate(&mut store, &component)?;
    let fetch = instance
        .get_func(&mut store, "fetch")
        .expect("the client exports `fetch`");
    let mut result = [Val::Bool(false)];
    fetch.call(
        &mut store,
        &[Val::String(authority.clone()), Val::String(path.clone())],
        &mut result,
    )?;
    match &result[0] {
        Val::Result(Ok(Some(response))) => match &**response {
            Val::Tuple(fields) => match &fields[..] {
                [Val::U16(status), Val::String(body)] => {
                    println!("GET http://{authority}{path}: {status}\n{body}")
                }
                other => bail!("unexpected response {other:?}"),
            },
            other => bail!("unexpected response {other:?}"),
        },
        Val::Result(Err(Some(code))) => bail!("the request failed at step {code:?}"),
        other => bail!("unexpected result {other:?}"),
    }
    Ok(())
}
