//! Program 15: a WASI 0.2 command component (`wasi:cli/run`, made from a core
//! WASI module by `wit-component` and the preview 1 command adapter) run with
//! `wasmtime_wasi`'s p2 API: arguments, an environment variable, stdout and
//! stderr captured in memory pipes and a preopened directory read and
//! written; then the same command in a store without the directory, which
//! makes it exit with a status.
//!
//! Port of `crate/c15_wasi_p2.rs` to wasmtime-dyn. Besides the `use` line,
//! `main` taking the library and the library argument where an `Engine` or
//! `Config` is made, every changed line carries a `// port:` comment naming
//! the gap: at its end, or, for a function signature (where rustfmt would
//! move it into the body), on the line above. `DIFF.md` lists them with their
//! reasons.
use wasmtime_dyn::component::{Component, Linker};
use wasmtime_dyn::wasi::p2;
use wasmtime_dyn::wasi::p2::bindings::sync::Command;
use wasmtime_dyn::wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_dyn::wasi::{DirPerms, FilePerms}; // port: no FsPerms (wasmtime-wasi 47's two flags)
use wasmtime_dyn::wasi::{I32Exit, ResourceTable, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};
use wasmtime_dyn::*;

/// The store's data: the WASI context and its resource table.
struct Host {
    ctx: WasiCtx,
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

pub fn main(wasmtime: &'static Wasmtime) -> Result<()> {
    let engine = Engine::default_for(wasmtime)?;
    let mut linker: Linker<Host> = Linker::new(&engine);
    p2::add_to_linker_sync(&mut linker)?;
    let path = std::env::var("WASMTIME_DYN_TEST_P2_COMMAND")?;
    let component = Component::from_file(&engine, &path)?;

    // The directory the command reads `in.txt` from and writes `out.txt` to.
    let dir = std::env::temp_dir().join(format!("p2-port-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join("in.txt"), "contents of in.txt\n")?;

    let stdout = MemoryOutputPipe::new(4096);
    let stderr = MemoryOutputPipe::new(4096);
    let ctx = WasiCtxBuilder::new()
        .args(&["command", "first", "second"])
        .env("GREETING", "hello")
        .stdout(stdout.clone())
        .stderr(stderr.clone())
        .preopened_dir(&dir, ".", DirPerms::ReadWrite, FilePerms::ReadWrite)? // port: 47's shape
        .build();
    let host = Host {
        ctx,
        table: ResourceTable::new(),
    };
    let mut store = Store::new(&engine, host);

    let command = Command::instantiate(&mut store, &component, &linker)?;
    let status = command.wasi_cli_run().call_run(&mut store)?;
    assert_eq!(status, Ok(()));
    let expected = "command\nfirst\nsecond\nGREETING=hello\ncontents of in.txt\n";
    assert_eq!(&stdout.contents()[..], expected.as_bytes());
    assert_eq!(&stderr.contents()[..], b"to stderr\n");
    assert_eq!(std::fs::read(dir.join("out.txt"))?, b"written by p2\n");
    std::fs::remove_dir_all(&dir)?;

    // Without the directory the command fails its first file step and exits
    // with a non-zero status: `wasi:cli/exit` with an error, status 1.
    let stdout = MemoryOutputPipe::new(4096);
    let ctx = WasiCtxBuilder::new().stdout(stdout.clone()).build();
    let host = Host {
        ctx,
        table: ResourceTable::new(),
    };
    let mut store = Store::new(&engine, host);
    let command = Command::instantiate(&mut store, &component, &linker)?;
    let err = command.wasi_cli_run().call_run(&mut store).unwrap_err();
    assert_eq!(err.downcast_ref::<I32Exit>().map(|e| e.0), Some(1));
    assert!(stdout.contents().is_empty(), "no arguments, no environment");
    println!("ok");
    Ok(())
}
