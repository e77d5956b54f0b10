//! Spec test values: `invoke` arguments to [`Val`]s, and results checked
//! against `assert_return` patterns (NaN patterns, v128 lanes, references).

use crate::errors::{kind, Kind};
use wasmtime_dyn::{AnyRef, Capability, ExternRef, Module, Store, TypedFunc, Val, V128};
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

/// Failure categories for what wasmtime-dyn's API cannot do (a failure's
/// text starts with its category in brackets; the report counts them).
/// None is expected of the suite as it is: they name what a new test would
/// meet if it needed what the crate lacks.
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

/// The hierarchy (the top type) an abstract heap type belongs to: a null
/// of one is the null [`Val`] of that hierarchy.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum RefFamily {
    Func,
    Extern,
    Any,
    Exn,
}

fn family(heap: &HeapType<'_>) -> Option<RefFamily> {
    use AbstractHeapType::*;
    match heap {
        HeapType::Abstract { shared: false, ty } => match ty {
            Func | NoFunc => Some(RefFamily::Func),
            Extern | NoExtern => Some(RefFamily::Extern),
            Any | Eq | I31 | Struct | Array | None => Some(RefFamily::Any),
            Exn | NoExn => Some(RefFamily::Exn),
            _ => Option::None,
        },
        _ => Option::None,
    }
}

/// The null of `family`.
fn null_of(family: RefFamily) -> Val {
    match family {
        RefFamily::Func => Val::FuncRef(None),
        RefFamily::Extern => Val::ExternRef(None),
        RefFamily::Any => Val::AnyRef(None),
        RefFamily::Exn => Val::ExnRef(None),
    }
}

type ToAny = TypedFunc<Option<ExternRef>, Option<AnyRef>>;
type ToExtern = TypedFunc<Option<AnyRef>, Option<ExternRef>>;

/// The spec's host references (`ref.host N`): Wasmtime's runner makes them
/// `any.convert_extern` of an externref carrying `N`, and reads one back
/// with `extern.convert_any`. The C API has neither conversion, so a
/// module of the store's engine does them, instantiated on first use.
#[derive(Default)]
pub struct HostRefs {
    funcs: Option<Result<(ToAny, ToExtern), String>>,
}

const CONVERSIONS: &str = r#"(module
    (func (export "to_any") (param externref) (result anyref)
        local.get 0 any.convert_extern)
    (func (export "to_extern") (param anyref) (result externref)
        local.get 0 extern.convert_any))"#;

impl HostRefs {
    fn funcs(&mut self, store: &mut Store<()>) -> Result<(ToAny, ToExtern), Verdict> {
        let made = self.funcs.get_or_insert_with(|| {
            let make = |store: &mut Store<()>| -> wasmtime_dyn::Result<(ToAny, ToExtern)> {
                let module = Module::new(store.engine(), CONVERSIONS)?;
                let instance = wasmtime_dyn::Instance::new(&mut *store, &module, &[])?;
                Ok((
                    instance.get_typed_func(&mut *store, "to_any")?,
                    instance.get_typed_func(&mut *store, "to_extern")?,
                ))
            };
            make(store).map_err(|e| format!("the ref.host conversion module: {e:#}"))
        });
        made.clone().map_err(fail)
    }

    /// `(ref.host n)`.
    fn host(&mut self, store: &mut Store<()>, n: u32) -> Result<Val, Verdict> {
        let r = match ExternRef::new(&mut *store, n) {
            Ok(r) => r,
            Err(e) => {
                return Err(match kind(&e) {
                    Kind::Unsupported(Capability::Gc) => skip(NO_GC_REFERENCE),
                    _ => fail(format!("creating (ref.host {n}): {e}")),
                })
            }
        };
        let (to_any, _) = self.funcs(store)?;
        match to_any.call(&mut *store, Some(r)) {
            Ok(any) => Ok(Val::AnyRef(any)),
            Err(e) => Err(fail(format!("making (ref.host {n}): {e:#}"))),
        }
    }

    /// The `N` of a `(ref.host N)`, if `r` is one.
    fn payload(&mut self, store: &mut Store<()>, r: &AnyRef) -> Option<u32> {
        let (_, to_extern) = self.funcs(store).ok()?;
        let e = to_extern.call(&mut *store, Some(r.clone())).ok()??;
        extern_payload(store, &e)
    }
}

/// An `invoke` argument as a value of `store`.
pub fn arg(store: &mut Store<()>, hosts: &mut HostRefs, arg: &WastArg<'_>) -> Result<Val, Verdict> {
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
            Some(family) => null_of(family),
            None => {
                return Err(fail(format!(
                    "{} (ref.null {heap:?}): a null of a shared or continuation type, which \
                     wasmtime-dyn's Val has not",
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
        WastArgCore::RefHost(n) => hosts.host(store, *n)?,
    })
}

/// A result as the spec test suite writes it.
pub fn show(store: &mut Store<()>, hosts: &mut HostRefs, val: &Val) -> String {
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
        Val::AnyRef(Some(r)) => show_any(store, hosts, r),
        Val::ExnRef(None) => "(ref.null exn)".into(),
        Val::ExnRef(Some(_)) => "(ref.exn)".into(),
    }
}

/// A non-null anyref as the spec writes it: its kind, found by asking.
fn show_any(store: &mut Store<()>, hosts: &mut HostRefs, r: &AnyRef) -> String {
    if let Ok(Some(i)) = r.as_i31(&*store) {
        return format!("(ref.i31 {})", i.get_i32());
    }
    if r.is_struct(&*store).unwrap_or(false) {
        return "(ref.struct)".into();
    }
    if r.is_array(&*store).unwrap_or(false) {
        return "(ref.array)".into();
    }
    match hosts.payload(store, r) {
        Some(n) => format!("(ref.host {n})"),
        None => "(ref.any)".into(),
    }
}

/// The number a `(ref.extern N)` argument carried, if `r` is one.
fn extern_payload(store: &mut Store<()>, r: &ExternRef) -> Option<u32> {
    r.data(store).ok()??.downcast_ref::<u32>().copied()
}

/// Checks every result against its pattern.
pub fn check_all(
    store: &mut Store<()>,
    hosts: &mut HostRefs,
    got: &[Val],
    want: &[WastRet<'_>],
) -> Result<(), Verdict> {
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
        match check(store, hosts, got, want) {
            Ok(()) => {}
            Err(Verdict::Fail(why)) => return Err(fail(format!("result {i}: {why}"))),
            Err(skip) => {
                first_skip.get_or_insert(skip);
            }
        }
    }
    first_skip.map_or(Ok(()), Err)
}

fn check(
    store: &mut Store<()>,
    hosts: &mut HostRefs,
    got: &Val,
    want: &WastRetCore<'_>,
) -> Result<(), Verdict> {
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
        // The any hierarchy, asked of the library as Wasmtime's runner asks
        // its crate (`crates/wast/src/core.rs`, `match_ref`).
        (WastRetCore::RefAny, _) => matches!(got, Val::AnyRef(Some(_))),
        (WastRetCore::RefEq, Val::AnyRef(Some(r))) => ask(r.is_eqref(&*store))?,
        (WastRetCore::RefI31, Val::AnyRef(Some(r))) => ask(r.is_i31(&*store))?,
        (WastRetCore::RefStruct, Val::AnyRef(Some(r))) => ask(r.is_struct(&*store))?,
        (WastRetCore::RefArray, Val::AnyRef(Some(r))) => ask(r.is_array(&*store))?,
        (WastRetCore::RefHost(n), Val::AnyRef(Some(r))) => hosts.payload(store, r) == Some(*n),
        (WastRetCore::RefI31Shared, _) => {
            return Err(fail(format!(
                "{} expected {}, got {}: shared references, which wasmtime-dyn's Val has not",
                gap::GC_RESULT,
                show_pattern(want),
                show(store, hosts, got)
            )))
        }
        (WastRetCore::Either(cases), _) => {
            let mut skipped = None;
            for case in cases {
                match check(store, hosts, got, case) {
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
            show(store, hosts, got)
        )))
    }
}

/// The answer of a question about a reference, or the failure to ask.
fn ask(answer: wasmtime_dyn::Result<bool>) -> Result<bool, Verdict> {
    answer.map_err(|e| fail(format!("asking the library about a reference: {e:#}")))
}

/// Whether `got` is the null `(ref.null heap)` names: a null of the
/// heap type's hierarchy (any null without one).
fn null_matches(got: &Val, heap: Option<&HeapType<'_>>) -> bool {
    match (heap.and_then(family), got) {
        (Some(RefFamily::Func), Val::FuncRef(None))
        | (Some(RefFamily::Extern), Val::ExternRef(None))
        | (Some(RefFamily::Any), Val::AnyRef(None))
        | (Some(RefFamily::Exn), Val::ExnRef(None)) => true,
        (Some(_), _) => false,
        (None, v) => v.is_null(),
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
