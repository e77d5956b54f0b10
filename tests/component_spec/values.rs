//! Component values of the test files: the `wast` crate's `WastVal` made
//! into this crate's [`Val`] (arguments), and results checked against the
//! expected `WastVal`s.

use wasmtime_dyn::component::Val;
use wast_components::component::WastVal;

/// The argument `v` as a [`Val`].
pub fn val(v: &WastVal<'_>) -> Val {
    let boxed = |v: &Option<Box<WastVal<'_>>>| v.as_deref().map(|v| Box::new(val(v)));
    match v {
        WastVal::Bool(b) => Val::Bool(*b),
        WastVal::U8(n) => Val::U8(*n),
        WastVal::S8(n) => Val::S8(*n),
        WastVal::U16(n) => Val::U16(*n),
        WastVal::S16(n) => Val::S16(*n),
        WastVal::U32(n) => Val::U32(*n),
        WastVal::S32(n) => Val::S32(*n),
        WastVal::U64(n) => Val::U64(*n),
        WastVal::S64(n) => Val::S64(*n),
        WastVal::F32(f) => Val::Float32(f32::from_bits(f.bits)),
        WastVal::F64(f) => Val::Float64(f64::from_bits(f.bits)),
        WastVal::Char(c) => Val::Char(*c),
        WastVal::String(s) => Val::String(s.to_string()),
        WastVal::List(items) => Val::List(items.iter().map(val).collect()),
        WastVal::Record(fields) => Val::Record(
            fields
                .iter()
                .map(|(name, v)| (name.to_string(), val(v)))
                .collect(),
        ),
        WastVal::Tuple(items) => Val::Tuple(items.iter().map(val).collect()),
        WastVal::Variant(case, payload) => Val::Variant(case.to_string(), boxed(payload)),
        WastVal::Enum(case) => Val::Enum(case.to_string()),
        WastVal::Option(v) => Val::Option(boxed(v)),
        WastVal::Result(Ok(v)) => Val::Result(Ok(boxed(v))),
        WastVal::Result(Err(v)) => Val::Result(Err(boxed(v))),
        WastVal::Flags(names) => Val::Flags(names.iter().map(|n| n.to_string()).collect()),
    }
}

/// Whether `actual` is the value `expected`; else what differs. Floats
/// match by bits, or as any NaN when both are NaNs (the canonical ABI
/// canonicalizes NaNs, Wasmtime's runner accepts either); flags as sets.
pub fn check(expected: &WastVal<'_>, actual: &Val) -> Result<(), String> {
    let mismatch = || Err(format!("expected {expected:?}, got {actual:?}"));
    let all = |e: &[WastVal<'_>], a: &[Val], what: &str| {
        if e.len() != a.len() {
            return Err(format!(
                "expected a {what} of {} values, got {}: {actual:?}",
                e.len(),
                a.len()
            ));
        }
        e.iter()
            .zip(a)
            .enumerate()
            .try_for_each(|(i, (e, a))| check(e, a).map_err(|why| format!("{what}[{i}]: {why}")))
    };
    let payload = |e: &Option<Box<WastVal<'_>>>, a: &Option<Box<Val>>, case: &str| match (e, a) {
        (None, None) => Ok(()),
        (Some(e), Some(a)) => check(e, a).map_err(|why| format!("`{case}`: {why}")),
        (Some(_), None) => Err(format!("expected a payload for `{case}`, got none")),
        (None, Some(a)) => Err(format!("expected no payload for `{case}`, got {a:?}")),
    };
    match (expected, actual) {
        (WastVal::Bool(e), Val::Bool(a)) if e == a => Ok(()),
        (WastVal::U8(e), Val::U8(a)) if e == a => Ok(()),
        (WastVal::S8(e), Val::S8(a)) if e == a => Ok(()),
        (WastVal::U16(e), Val::U16(a)) if e == a => Ok(()),
        (WastVal::S16(e), Val::S16(a)) if e == a => Ok(()),
        (WastVal::U32(e), Val::U32(a)) if e == a => Ok(()),
        (WastVal::S32(e), Val::S32(a)) if e == a => Ok(()),
        (WastVal::U64(e), Val::U64(a)) if e == a => Ok(()),
        (WastVal::S64(e), Val::S64(a)) if e == a => Ok(()),
        (WastVal::F32(e), Val::Float32(a))
            if e.bits == a.to_bits() || (f32::from_bits(e.bits).is_nan() && a.is_nan()) =>
        {
            Ok(())
        }
        (WastVal::F64(e), Val::Float64(a))
            if e.bits == a.to_bits() || (f64::from_bits(e.bits).is_nan() && a.is_nan()) =>
        {
            Ok(())
        }
        (WastVal::Char(e), Val::Char(a)) if e == a => Ok(()),
        (WastVal::String(e), Val::String(a)) if e == a => Ok(()),
        (WastVal::List(e), Val::List(a)) => all(e, a, "list"),
        (WastVal::Tuple(e), Val::Tuple(a)) => all(e, a, "tuple"),
        (WastVal::Record(e), Val::Record(a)) => {
            if e.len() != a.len() {
                return mismatch();
            }
            e.iter().zip(a).try_for_each(|((en, ev), (an, av))| {
                if en != an {
                    return Err(format!("expected field `{en}`, got `{an}`"));
                }
                check(ev, av).map_err(|why| format!("field `{en}`: {why}"))
            })
        }
        (WastVal::Variant(ec, ep), Val::Variant(ac, ap)) if ec == ac => payload(ep, ap, ec),
        (WastVal::Enum(e), Val::Enum(a)) if e == a => Ok(()),
        (WastVal::Option(None), Val::Option(None)) => Ok(()),
        (WastVal::Option(Some(e)), Val::Option(Some(a))) => check(e, a),
        (WastVal::Result(Ok(e)), Val::Result(Ok(a))) => payload(e, a, "ok"),
        (WastVal::Result(Err(e)), Val::Result(Err(a))) => payload(e, a, "err"),
        (WastVal::Flags(e), Val::Flags(a)) => {
            let mut e: Vec<&str> = e.to_vec();
            let mut a: Vec<&str> = a.iter().map(String::as_str).collect();
            e.sort_unstable();
            a.sort_unstable();
            if e == a {
                Ok(())
            } else {
                mismatch()
            }
        }
        _ => mismatch(),
    }
}
