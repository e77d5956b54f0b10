//! Program 11: `externref` in a table (upstream examples/externref.rs).
//! Written against the `wasmtime` crate 48.
use wasmtime::*;

const WAT: &str = r#"
(module
  (table $table (export "table") 10 externref)
  (global $global (export "global") (mut externref) (ref.null extern))
  (func (export "func") (param externref) (result externref)
    local.get 0)
  (func (export "table_get") (param i32) (result externref)
    (table.get $table (local.get 0))))
"#;

fn main() -> Result<()> {
    println!("Initializing...");
    let mut config = Config::new();
    config.wasm_reference_types(true);
    let engine = Engine::new(&config)?;
    let mut store = Store::new(&engine, ());

    println!("Compiling module...");
    let module = Module::new(&engine, WAT)?;

    println!("Instantiating module...");
    let instance = Instance::new(&mut store, &module, &[])?;

    println!("Creating new `externref`...");
    let externref = ExternRef::new(&mut store, "Hello, World!")?;
    assert!(externref.data(&store)?.unwrap().is::<&'static str>());
    assert_eq!(
        *externref
            .data(&store)?
            .unwrap()
            .downcast_ref::<&'static str>()
            .unwrap(),
        "Hello, World!"
    );

    println!("Touching `externref` table...");
    let table = instance.get_table(&mut store, "table").unwrap();
    table.set(&mut store, 3, Some(externref).into())?;
    let elem = table
        .get(&mut store, 3)
        .unwrap() // assert in bounds
        .unwrap_extern() // assert it's an externref table
        .copied()
        .unwrap(); // assert the externref isn't null
    assert!(Rooted::ref_eq(&store, &elem, &externref)?);
    assert!(table.get(&mut store, 4).unwrap().unwrap_extern().is_none());
    assert!(table.get(&mut store, 10).is_none());

    // A table made by the host.
    let host_table = Table::new(
        &mut store,
        TableType::new(RefType::EXTERNREF, 2, None),
        Ref::Extern(None),
    )?;
    host_table.set(&mut store, 1, Ref::Extern(Some(externref)))?;
    assert_eq!(host_table.size(&store), 2);

    println!("Touching `externref` global...");
    let global = instance.get_global(&mut store, "global").unwrap();
    global.set(&mut store, Some(externref).into())?;
    let global_val = global.get(&mut store).unwrap_externref().copied().unwrap();
    assert!(Rooted::ref_eq(&store, &global_val, &externref)?);

    println!("Calling `externref` func...");
    let func = instance.get_typed_func::<Option<Rooted<ExternRef>>, Option<Rooted<ExternRef>>>(
        &mut store, "func",
    )?;
    let ret = func.call(&mut store, Some(externref))?;
    assert!(ret.is_some());
    assert!(Rooted::ref_eq(&store, &ret.unwrap(), &externref)?);
    let table_get =
        instance.get_typed_func::<i32, Option<Rooted<ExternRef>>>(&mut store, "table_get")?;
    let from_wasm = table_get.call(&mut store, 3)?.unwrap();
    assert_eq!(
        *from_wasm
            .data(&store)?
            .unwrap()
            .downcast_ref::<&'static str>()
            .unwrap(),
        "Hello, World!"
    );

    println!("GCing within the store...");
    store.gc(None)?;

    println!("Done.");
    Ok(())
}
