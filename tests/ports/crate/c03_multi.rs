//! Program 3: Multi-value (upstream examples/multi.rs, plus the untyped call).
//! Written against the `wasmtime` crate 48.
use wasmtime::*;

const WAT: &str = r#"
(module
  (func $f (import "" "f") (param i32 i64) (result i64 i32))
  (func $g (export "g") (param i32 i64) (result i64 i32)
    (call $f (local.get 0) (local.get 1)))
  (func $round_trip_many (export "round_trip_many")
    (param i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
    (result i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
    local.get 0 local.get 1 local.get 2 local.get 3 local.get 4
    local.get 5 local.get 6 local.get 7 local.get 8 local.get 9))
"#;

fn main() -> Result<()> {
    println!("Initializing...");
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());

    println!("Compiling module...");
    let module = Module::new(&engine, WAT)?;

    println!("Creating callback...");
    let callback_func = Func::wrap(&mut store, |a: i32, b: i64| -> (i64, i32) {
        (b + 1, a + 1)
    });

    println!("Instantiating module...");
    let instance = Instance::new(&mut store, &module, &[callback_func.into()])?;

    println!("Extracting export...");
    let g = instance.get_typed_func::<(i32, i64), (i64, i32)>(&mut store, "g")?;

    println!("Calling export \"g\"...");
    let (a, b) = g.call(&mut store, (1, 3))?;
    println!("> {a} {b}");
    assert_eq!(a, 4);
    assert_eq!(b, 2);

    println!("Calling export \"round_trip_many\"...");
    let round_trip_many = instance.get_typed_func::<
        (i64, i64, i64, i64, i64, i64, i64, i64, i64, i64),
        (i64, i64, i64, i64, i64, i64, i64, i64, i64, i64),
    >(&mut store, "round_trip_many")?;
    let results = round_trip_many.call(&mut store, (0, 1, 2, 3, 4, 5, 6, 7, 8, 9))?;
    println!("> {results:?}");
    assert_eq!(results, (0, 1, 2, 3, 4, 5, 6, 7, 8, 9));

    println!("Calling it untyped...");
    let func = instance
        .get_func(&mut store, "round_trip_many")
        .expect("an exported function");
    let ty = func.ty(&store);
    assert_eq!(ty.params().len(), 10);
    assert_eq!(ty.results().len(), 10);
    let params: Vec<Val> = (0..10).map(Val::I64).collect();
    let mut results = vec![Val::I64(0); ty.results().len()];
    func.call(&mut store, &params, &mut results)?;
    for (i, r) in results.iter().enumerate() {
        assert_eq!(r.unwrap_i64(), i as i64);
    }
    // A typed view of the same function.
    let typed = func.typed::<
        (i64, i64, i64, i64, i64, i64, i64, i64, i64, i64),
        (i64, i64, i64, i64, i64, i64, i64, i64, i64, i64),
    >(&store)?;
    assert_eq!(typed.call(&mut store, (9, 8, 7, 6, 5, 4, 3, 2, 1, 0))?.0, 9);
    println!("ok");
    Ok(())
}
