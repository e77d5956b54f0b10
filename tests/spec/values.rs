//! Spec test values: `invoke` arguments to [`Val`]s, and results checked
//! against `assert_return` patterns (NaN patterns, v128 lanes, references).

use crate::errors::{kind, Kind};
use wasmtime_dyn::{Capability, ExternRef, Store, Val, V128};
use wast::core::{AbstractHeapType, HeapType, NanPattern, V128Pattern, WastArgCore, WastRetCore};
use wast::token::{F32, F64};
use wast::{WastArg, WastRet};

/// Why a directive did not pass.
#[derive(Clone, Debug)]
pub enum Verdict {
    /// It ran and its expectation was not met (or it could not run although
    /// it should have).
    Fail(String),
    /// It cannot run on this library, for the reason given.
    Skip(String),
}

pub fn fail(message: impl Into<String>) -> Verdict {
    Verdict::Fail(message.into())
}

pub fn skip(reason: impl Into<String>) -> Verdict {
    Verdict::Skip(reason.into())
}

/// The skip reason for reference values a build without GC cannot carry.
pub const NO_GC_REFERENCE: &str = "reference value on a build without GC";

/// Failure categories for what wasmtime-dyn's API cannot do yet (its
/// `Val` has funcref and externref only: no anyref, eqref, i31ref,
/// structref, arrayref, exnref or tags). A failure's text starts with its
/// category in brackets; the report counts them.
pub mod gap {
    /// A function or global whose type has a reference of the GC or
    /// exceptions proposals (anyref, eqref, i31ref, structref, arrayref,
    /// exnref, the null types, a typed `(ref $t)` or a non-null
    /// reference): the instance does not hand it out.
    pub const GC_TYPED_EXPORT: &str = "[API gap: GC-typed export]";
    /// An argument of the GC proposal's reference types (`ref.null` of the
    /// any or exn hierarchies or of a type index, `ref.host`).
    pub const GC_ARGUMENT: &str = "[API gap: GC argument]";
    /// A result of the GC proposal's reference types (`ref.any`, `ref.eq`,
    /// `ref.i31`, `ref.struct`, `ref.array`, `ref.host`, their nulls).
    pub const GC_RESULT: &str = "[API gap: GC result]";
    /// A call or accessor refused a GC-proposal value or type at run time.
    pub const GC_VALUE: &str = "[API gap: GC value]";
}

/// The category of a failure's text: its leading `[...]`, if any.
pub fn category(why: &str) -> Option<&str> {
    why.starts_with('[')
        .then(|| why.find(']').map(|end| &why[..=end]))
        .flatten()
}

/// Which of the two reference types this crate knows a heap type belongs to.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum RefFamily {
    Func,
    Extern,
}

fn family(heap: &HeapType<'_>) -> Option<RefFamily> {
    match heap {
        HeapType::Abstract { shared: false, ty } => match ty {
            AbstractHeapType::Func | AbstractHeapType::NoFunc => Some(RefFamily::Func),
            AbstractHeapType::Extern | AbstractHeapType::NoExtern => Some(RefFamily::Extern),
            _ => None,
        },
        _ => None,
    }
}

/// An `invoke` argument as a value of `store`.
pub fn arg(store: &mut Store<()>, arg: &WastArg<'_>) -> Result<Val, Verdict> {
    let WastArg::Core(arg) = arg else {
        return Err(fail(
            "component-model values: the runner runs core modules only",
        ));
    };
    Ok(match arg {
        WastArgCore::I32(v) => Val::I32(*v),
        WastArgCore::I64(v) => Val::I64(*v),
        WastArgCore::F32(v) => Val::F32(v.bits),
        WastArgCore::F64(v) => Val::F64(v.bits),
        WastArgCore::V128(v) => Val::V128(V128::from_le_bytes(v.to_le_bytes())),
        WastArgCore::RefNull(heap) => match family(heap) {
            Some(RefFamily::Func) => Val::FuncRef(None),
            Some(RefFamily::Extern) => Val::ExternRef(None),
            None => {
                return Err(fail(format!(
                    "{} (ref.null {heap:?}): wasmtime-dyn's Val has no null of this type",
                    gap::GC_ARGUMENT
                )))
            }
        },
        WastArgCore::RefExtern(n) => match ExternRef::new(&mut *store, *n) {
            Ok(r) => Val::ExternRef(Some(r)),
            Err(e) => match kind(&e) {
                Kind::Unsupported(Capability::Gc) => return Err(skip(NO_GC_REFERENCE)),
                _ => return Err(fail(format!("creating (ref.extern {n}): {e}"))),
            },
        },
        WastArgCore::RefHost(n) => {
            return Err(fail(format!(
                "{} (ref.host {n}): wasmtime-dyn has no anyref to carry a host value",
                gap::GC_ARGUMENT
            )))
        }
    })
}

/// A result as the spec test suite writes it.
pub fn show(store: &mut Store<()>, val: &Val) -> String {
    match val {
        Val::I32(v) => format!("(i32.const {v})"),
        Val::I64(v) => format!("(i64.const {v})"),
        Val::F32(bits) => format!("(f32.const {} (0x{bits:08x}))", f32::from_bits(*bits)),
        Val::F64(bits) => format!("(f64.const {} (0x{bits:016x}))", f64::from_bits(*bits)),
        Val::V128(v) => format!("(v128.const i64x2 0x{:032x})", v.as_u128()),
        Val::FuncRef(None) => "(ref.null func)".into(),
        Val::FuncRef(Some(_)) => "(ref.func)".into(),
        Val::ExternRef(None) => "(ref.null extern)".into(),
        Val::ExternRef(Some(r)) => match extern_payload(store, r) {
            Some(n) => format!("(ref.extern {n})"),
            None => "(ref.extern <foreign>)".into(),
        },
        Val::AnyRef(None) => "(ref.null any)".into(),
        Val::AnyRef(Some(_)) => "(ref.any)".into(),
        Val::ExnRef(None) => "(ref.null exn)".into(),
        Val::ExnRef(Some(_)) => "(ref.exn)".into(),
    }
}

/// The number a `(ref.extern N)` argument carried, if `r` is one.
fn extern_payload(store: &mut Store<()>, r: &ExternRef) -> Option<u32> {
    r.data(store).ok()??.downcast_ref::<u32>().copied()
}

/// Checks every result against its pattern.
pub fn check_all(store: &mut Store<()>, got: &[Val], want: &[WastRet<'_>]) -> Result<(), Verdict> {
    if got.len() != want.len() {
        return Err(fail(format!(
            "expected {} results, got {}",
            want.len(),
            got.len()
        )));
    }
    // A skip wins over a failure only when nothing failed for real.
    let mut first_skip = None;
    for (i, (got, want)) in got.iter().zip(want).enumerate() {
        let WastRet::Core(want) = want else {
            return Err(fail(
                "component-model values: the runner runs core modules only",
            ));
        };
        match check(store, got, want) {
            Ok(()) => {}
            Err(Verdict::Fail(why)) => return Err(fail(format!("result {i}: {why}"))),
            Err(skip) => {
                first_skip.get_or_insert(skip);
            }
        }
    }
    first_skip.map_or(Ok(()), Err)
}

fn check(store: &mut Store<()>, got: &Val, want: &WastRetCore<'_>) -> Result<(), Verdict> {
    let ok = match (want, got) {
        (WastRetCore::I32(w), Val::I32(g)) => w == g,
        (WastRetCore::I64(w), Val::I64(g)) => w == g,
        (WastRetCore::F32(w), Val::F32(g)) => f32_matches(*g, w),
        (WastRetCore::F64(w), Val::F64(g)) => f64_matches(*g, w),
        (WastRetCore::V128(w), Val::V128(g)) => v128_matches(*g, w),
        (WastRetCore::RefNull(heap), _) => null_matches(got, heap.as_ref()),
        (WastRetCore::RefExtern(None), _) => matches!(got, Val::ExternRef(Some(_))),
        (WastRetCore::RefExtern(Some(n)), Val::ExternRef(Some(r))) => {
            extern_payload(store, r) == Some(*n)
        }
        (WastRetCore::RefFunc(_), _) => matches!(got, Val::FuncRef(Some(_))),
        (
            WastRetCore::RefHost(_)
            | WastRetCore::RefAny
            | WastRetCore::RefEq
            | WastRetCore::RefArray
            | WastRetCore::RefStruct
            | WastRetCore::RefI31
            | WastRetCore::RefI31Shared,
            _,
        ) => {
            return Err(fail(format!(
                "{} expected {}, got {}: wasmtime-dyn's Val has no anyref family",
                gap::GC_RESULT,
                show_pattern(want),
                show(store, got)
            )))
        }
        (WastRetCore::Either(cases), _) => {
            let mut skipped = None;
            for case in cases {
                match check(store, got, case) {
                    Ok(()) => return Ok(()),
                    Err(Verdict::Skip(reason)) => skipped = Some(reason),
                    Err(Verdict::Fail(_)) => {}
                }
            }
            if let Some(reason) = skipped {
                return Err(skip(reason));
            }
            false
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(fail(format!(
            "expected {}, got {}",
            show_pattern(want),
            show(store, got)
        )))
    }
}

fn null_matches(got: &Val, heap: Option<&HeapType<'_>>) -> bool {
    match (heap.and_then(family), got) {
        (Some(RefFamily::Func), Val::FuncRef(None)) => true,
        (Some(RefFamily::Extern), Val::ExternRef(None)) => true,
        (Some(_), _) => false,
        (None, v) => matches!(v, Val::FuncRef(None) | Val::ExternRef(None)),
    }
}

fn f32_matches(bits: u32, want: &NanPattern<F32>) -> bool {
    match want {
        NanPattern::CanonicalNan => bits & 0x7fff_ffff == 0x7fc0_0000,
        NanPattern::ArithmeticNan => bits & 0x7fc0_0000 == 0x7fc0_0000,
        NanPattern::Value(v) => v.bits == bits,
    }
}

fn f64_matches(bits: u64, want: &NanPattern<F64>) -> bool {
    match want {
        NanPattern::CanonicalNan => bits & 0x7fff_ffff_ffff_ffff == 0x7ff8_0000_0000_0000,
        NanPattern::ArithmeticNan => bits & 0x7ff8_0000_0000_0000 == 0x7ff8_0000_0000_0000,
        NanPattern::Value(v) => v.bits == bits,
    }
}

/// The `N`-byte lanes of a v128, lowest lane first.
fn lanes<const N: usize>(v: V128) -> impl Iterator<Item = [u8; N]> {
    let bytes = v.to_le_bytes();
    (0..16 / N).map(move |i| {
        let mut lane = [0; N];
        lane.copy_from_slice(&bytes[i * N..(i + 1) * N]);
        lane
    })
}

fn v128_matches(v: V128, want: &V128Pattern) -> bool {
    match want {
        V128Pattern::I8x16(w) => lanes::<1>(v)
            .zip(w)
            .all(|(g, w)| i8::from_le_bytes(g) == *w),
        V128Pattern::I16x8(w) => lanes::<2>(v)
            .zip(w)
            .all(|(g, w)| i16::from_le_bytes(g) == *w),
        V128Pattern::I32x4(w) => lanes::<4>(v)
            .zip(w)
            .all(|(g, w)| i32::from_le_bytes(g) == *w),
        V128Pattern::I64x2(w) => lanes::<8>(v)
            .zip(w)
            .all(|(g, w)| i64::from_le_bytes(g) == *w),
        V128Pattern::F32x4(w) => lanes::<4>(v)
            .zip(w)
            .all(|(g, w)| f32_matches(u32::from_le_bytes(g), w)),
        V128Pattern::F64x2(w) => lanes::<8>(v)
            .zip(w)
            .all(|(g, w)| f64_matches(u64::from_le_bytes(g), w)),
    }
}

fn show_nan<T>(p: &NanPattern<T>, bits: impl Fn(&T) -> String) -> String {
    match p {
        NanPattern::CanonicalNan => "nan:canonical".into(),
        NanPattern::ArithmeticNan => "nan:arithmetic".into(),
        NanPattern::Value(v) => bits(v),
    }
}

fn show_pattern(want: &WastRetCore<'_>) -> String {
    let f32_text = |v: &F32| format!("{} (0x{:08x})", f32::from_bits(v.bits), v.bits);
    let f64_text = |v: &F64| format!("{} (0x{:016x})", f64::from_bits(v.bits), v.bits);
    match want {
        WastRetCore::I32(v) => format!("(i32.const {v})"),
        WastRetCore::I64(v) => format!("(i64.const {v})"),
        WastRetCore::F32(p) => format!("(f32.const {})", show_nan(p, f32_text)),
        WastRetCore::F64(p) => format!("(f64.const {})", show_nan(p, f64_text)),
        WastRetCore::V128(V128Pattern::F32x4(l)) => format!(
            "(v128.const f32x4 {})",
            l.iter()
                .map(|p| show_nan(p, f32_text))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        WastRetCore::V128(V128Pattern::F64x2(l)) => format!(
            "(v128.const f64x2 {})",
            l.iter()
                .map(|p| show_nan(p, f64_text))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        WastRetCore::V128(p) => format!("(v128.const {p:?})"),
        WastRetCore::Either(cases) => format!(
            "(either {})",
            cases.iter().map(show_pattern).collect::<Vec<_>>().join(" ")
        ),
        WastRetCore::RefNull(None) => "(ref.null)".into(),
        WastRetCore::RefNull(Some(heap)) => format!("(ref.null {heap:?})"),
        WastRetCore::RefExtern(None) => "(ref.extern)".into(),
        WastRetCore::RefExtern(Some(n)) => format!("(ref.extern {n})"),
        WastRetCore::RefFunc(_) => "(ref.func)".into(),
        other => format!("{other:?}"),
    }
}
