//! GC type constructors with random shapes around Wasmtime's limits (issue
//! 17, finding 2: `StructType::new` with more than 10 000 fields ended the
//! process, since the C API `expect`s Wasmtime's refusal): random field
//! counts near and past the limit, random storage types (packed, v128,
//! references to earlier types), exception types with many fields, and
//! long chains of nested types dropped at once.
//!
//! Every constructor must answer with a type or a typed error, the limit
//! must be exactly where Wasmtime puts it, and no case may crash.

use super::{in_child, Rng};
use crate::common::{engine_with, kind, too_old, Flavour};
use std::time::Duration;
use wasmtime_dyn::{
    ArrayType, ErrorKind, ExnType, FieldType, HeapType, Mutability, RefType, StorageType,
    StructType, ValType,
};

/// Wasmtime's most fields in a struct type (`MAX_FIELDS`, 45 to 50).
const MAX_STRUCT_FIELDS: usize = 10_000;

fn storage(rng: &mut Rng, earlier: Option<&StructType>) -> StorageType {
    match (rng.below(7), earlier) {
        (0, _) => StorageType::I8,
        (1, _) => StorageType::I16,
        (2, _) => ValType::V128.into(),
        (3, _) => ValType::I64.into(),
        (4, Some(prev)) => {
            ValType::Ref(RefType::new(true, HeapType::ConcreteStruct(prev.clone()))).into()
        }
        (5, _) => ValType::ANYREF.into(),
        _ => ValType::I32.into(),
    }
}

fn mutability(rng: &mut Rng) -> Mutability {
    if rng.below(2) == 0 {
        Mutability::Const
    } else {
        Mutability::Var
    }
}

/// Random struct, exception and array types; the struct limit checked
/// exactly; a long chain of nested types dropped.
#[test]
fn fuzz_gc_type_shapes() {
    in_child(
        "gc_types::fuzz_gc_type_shapes",
        Duration::from_secs(300),
        "a GC type constructor hung",
        || {
            let engine = engine_with(Flavour::Full, |c| {
                c.gc().unwrap().wasm_function_references(true).wasm_gc(true);
            });
            // The C API makes GC types from Wasmtime 45 on: a library of an
            // earlier major refuses each constructor as too old, and the
            // shapes cannot be tried there.
            if let Err(why) = too_old(StructType::new(&engine, [])) {
                let field = || FieldType::new(Mutability::Var, ValType::I32.into());
                let others = [
                    (
                        "a struct type with a field",
                        StructType::new(&engine, [field()]).map(drop),
                    ),
                    ("an array type", ArrayType::new(&engine, field()).map(drop)),
                    (
                        "an exception type",
                        ExnType::new(&engine, [ValType::I64]).map(drop),
                    ),
                ];
                for (what, made) in others {
                    assert!(too_old(made).is_err(), "{what} made on this major");
                }
                eprintln!("{why}");
                return;
            }
            let mut rng = Rng(0x0006_c7e5_0017);
            let mut previous: Option<StructType> = None;
            for round in 0..60 {
                let n = match rng.below(4) {
                    0 => MAX_STRUCT_FIELDS - 1 + rng.below(3),
                    1 => rng.below(64),
                    2 => MAX_STRUCT_FIELDS + rng.below(60_000),
                    _ => rng.below(2 * MAX_STRUCT_FIELDS),
                };
                let fields: Vec<FieldType> = (0..n)
                    .map(|_| {
                        FieldType::new(mutability(&mut rng), storage(&mut rng, previous.as_ref()))
                    })
                    .collect();
                // Half the time through an iterator that hides its length.
                let made = if rng.below(2) == 0 {
                    StructType::new(&engine, fields)
                } else {
                    StructType::new(&engine, fields.into_iter().filter(|_| true))
                };
                match made {
                    Ok(ty) => {
                        assert!(n <= MAX_STRUCT_FIELDS, "round {round}: {n} fields accepted");
                        assert_eq!(ty.fields().len(), n);
                        previous = Some(ty);
                    }
                    Err(err) => {
                        assert!(
                            n > MAX_STRUCT_FIELDS,
                            "round {round}: {n} fields refused: {err:?}"
                        );
                        assert!(
                            matches!(kind(&err), Some(ErrorKind::Invalid(_))),
                            "round {round}: {err:?}"
                        );
                    }
                }
                if rng.below(4) == 0 {
                    let count = rng.below(50_000);
                    let exn = ExnType::new(&engine, (0..count).map(|_| ValType::V128));
                    assert_eq!(exn.expect("an exception type").fields().len(), count);
                }
                if rng.below(4) == 0 {
                    let element = storage(&mut rng, previous.as_ref());
                    ArrayType::new(&engine, FieldType::new(mutability(&mut rng), element))
                        .expect("an array type");
                }
            }
            // A chain of nested struct types, each holding a reference to
            // the one before, dropped as one.
            let mut chain = StructType::new(&engine, []).unwrap();
            for _ in 0..100_000 {
                let field = FieldType::new(
                    Mutability::Const,
                    ValType::Ref(RefType::new(true, HeapType::ConcreteStruct(chain.clone())))
                        .into(),
                );
                chain = StructType::new(&engine, [field]).unwrap();
            }
            drop(chain);
        },
    );
}
