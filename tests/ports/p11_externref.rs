//! Program 11: `externref` in a table (upstream examples/externref.rs).
//!
//! Port of `crate/c11_externref.rs` to wasmtime-dyn. Besides the `use` line,
//! `main` taking the library and the library argument where an `Engine` or
//! `Config` is made, every changed line carries a `// port:` comment naming
//! the gap: at its end, or, for a function signature (where rustfmt would
//! move it into the body), on the line above. `DIFF.md` lists them with their
//! reasons.
use wasmtime_dyn::*;

const WAT: &str = r#"
(module
  (table $table (export "table") 10 externref)
  (global $global (export "global") (mut externref) (ref.null extern))
  (func (export "func") (param externref) (result externref)
    local.get 0)
  (func (export "table_get") (param i32) (result externref)
    (table.get $table (local.get 0))))
"#;

pub fn main(wasmtime: &'static Wasmtime) -> Result<()> {
    println!("Initializing...");
    let mut config = Config::new(wasmtime);
    config.wasm_reference_types(true);
    let engine = Engine::new(wasmtime, &config)?;
    let mut store = Store::new(&engine, ());

    println!("Compiling module...");
    let module = Module::new(&engine, WAT)?;

    println!("Instantiating module...");
    let instance = Instance::new(&mut store, &module, &[])?;

    println!("Creating new `externref`...");
    let externref = ExternRef::new(&mut store, "Hello, World!")?;
    assert!(externref.data(&mut store)?.unwrap().is::<&'static str>()); // port: data takes &mut
    assert_eq!(
        *externref
            .data(&mut store)? // port: ExternRef::data takes `&mut store`
            .unwrap()
            .downcast_ref::<&'static str>()
            .unwrap(),
        "Hello, World!"
    );

    println!("Touching `externref` table...");
    let table = instance.get_table(&mut store, "table").unwrap();
    table.set(&mut store, 3, Val::ExternRef(Some(externref.clone())))?; // port: no Ref, no Copy
    let elem = table
        .get(&mut store, 3)? // port: Table::get is a Result<Option<Val>> (no Ref)
        .unwrap() // assert in bounds
        .unwrap_externref() // port: Val::unwrap_externref (no Ref::unwrap_extern)
        .cloned() // port: ExternRef is Clone, not Copy (no Rooted)
        .unwrap(); // assert the externref isn't null
    assert!(ref_eq(&mut store, &elem, &externref)?); // port: no Rooted::ref_eq (helper below)
    let elem4 = table.get(&mut store, 4)?.unwrap(); // port: Table::get is a Result
    assert!(elem4.unwrap_externref().is_none()); // port: Val::unwrap_externref
    assert!(table.get(&mut store, 10)?.is_none()); // port: Table::get is a Result

    // A table made by the host.
    let host_table = Table::new(
        &mut store,
        TableType::new(ValType::ExternRef, 2, None), // port: no RefType
        Val::ExternRef(None),                        // port: no Ref
    )?;
    host_table.set(&mut store, 1, Val::ExternRef(Some(externref.clone())))?; // port: no Ref
    assert_eq!(host_table.size(&store), 2);

    println!("Touching `externref` global...");
    let global = instance.get_global(&mut store, "global").unwrap();
    global.set(&mut store, Val::ExternRef(Some(externref.clone())))?; // port: no From, no Copy
    let global_val = global.get(&mut store)?.unwrap_externref().cloned().unwrap(); // port: Result
    assert!(ref_eq(&mut store, &global_val, &externref)?); // port: no Rooted::ref_eq

    println!("Calling `externref` func...");
    let func = instance.get_func(&mut store, "func").unwrap(); // port: no typed externref
    let mut results = [Val::ExternRef(None)]; // port: (untyped call)
    let params = [Val::ExternRef(Some(externref.clone()))]; // port: (untyped call)
    func.call(&mut store, &params, &mut results)?; // port: (untyped call)
    let ret = results[0].unwrap_externref().cloned(); // port: (untyped call)
    assert!(ret.is_some());
    assert!(ref_eq(&mut store, &ret.unwrap(), &externref)?); // port: no Rooted::ref_eq
    let table_get = instance.get_func(&mut store, "table_get").unwrap(); // port: no typed externref
    let mut results = [Val::ExternRef(None)]; // port: (untyped call)
    table_get.call(&mut store, &[Val::I32(3)], &mut results)?; // port: (untyped call)
    let from_wasm = results[0].unwrap_externref().cloned().unwrap(); // port: (untyped call)
    assert_eq!(
        *from_wasm
            .data(&mut store)? // port: ExternRef::data takes `&mut store`
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

// port: (helper) no Rooted::ref_eq: the same externref is the same host data
fn ref_eq(store: &mut Store<()>, a: &ExternRef, b: &ExternRef) -> Result<bool> {
    let a = a.data(&mut *store)?.map(|d| d as *const _ as *const ()); // port: (helper)
    let b = b.data(&mut *store)?.map(|d| d as *const _ as *const ()); // port: (helper)
    Ok(a == b) // port: (helper)
} // port: (helper)
