//! The engine section's metadata as Wasmtime writes it: postcard (the
//! `postcard` crate, through serde), with private types mirroring
//! Wasmtime's for the pieces every supported layout shares (the flag
//! lists and the enums of `Tunables`).
//!
//! Postcard writes a struct as its fields one after the other, with no
//! names or lengths in between, so a layout is the list of its field types
//! in declaration order. [`Fields`] decodes that list one field at a time
//! (`postcard::take_from_bytes` per field) rather than as one derived
//! struct: postcard's errors do not say where they happened, and a field
//! at a time lets every error name the field that was malformed, and lets
//! a layout differ per major by one field without a struct per major.
//!
//! Untrusted lengths are never trusted for memory: strings are borrowed
//! from the input after a bounds check, and a sequence's capacity is
//! bounded by the bytes left (postcard gives serde no size hint for a
//! length beyond them, and serde caps any hint at 1 MiB).

use super::elf::invalid;
use super::{Collector, FlagValue, Inlining, IntraModuleInlining, OperatorCost};
use crate::error::{Error, Result};
use serde::de::{self, DeserializeSeed, EnumAccess, SeqAccess, Unexpected, VariantAccess, Visitor};
use serde::Deserialize;
use std::fmt;
use std::marker::PhantomData;

pub(super) fn bad_metadata(field: &str, problem: impl fmt::Display) -> Error {
    invalid(format_args!(
        "the engine section's metadata is malformed at `{field}`: {problem}"
    ))
}

/// The fields of the metadata, decoded in order, each error naming the
/// field it happened in.
pub(super) struct Fields<'a> {
    rest: &'a [u8],
}

impl<'a> Fields<'a> {
    /// The fields starting at `data`.
    pub(super) fn new(data: &'a [u8]) -> Self {
        Fields { rest: data }
    }

    /// The next field, a `T` as serde and postcard encode it.
    pub(super) fn field<T: Deserialize<'a>>(&mut self, name: &str) -> Result<T> {
        self.seeded(name, PhantomData::<T>)
    }

    /// The next field, decoded by `seed` (for a type whose shape depends on
    /// the layout).
    fn seeded<S: DeserializeSeed<'a>>(&mut self, name: &str, seed: S) -> Result<S::Value> {
        let mut de = postcard::Deserializer::from_bytes(self.rest);
        let value = seed
            .deserialize(&mut de)
            .map_err(|e| bad_metadata(name, problem::<S::Value>(e)))?;
        self.rest = de
            .finalize()
            .map_err(|e| bad_metadata(name, problem::<S::Value>(e)))?;
        Ok(value)
    }

    /// `Vec<(&str, FlagValue)>`.
    pub(super) fn flags(&mut self, name: &str) -> Result<Vec<(String, FlagValue)>> {
        let flags: Vec<(&str, Flag<'_>)> = self.field(name)?;
        Ok(flags
            .into_iter()
            .map(|(name, value)| {
                let value = match value {
                    Flag::Enum(v) => FlagValue::Enum(v.to_string()),
                    Flag::Num(v) => FlagValue::Num(v),
                    Flag::Bool(v) => FlagValue::Bool(v),
                };
                (name.to_string(), value)
            })
            .collect())
    }

    /// `Option<Collector>`, whose enum has `Copying` from 45 on
    /// (`with_copying`) and only `DeferredReferenceCounting` and `Null`
    /// before.
    pub(super) fn collector(
        &mut self,
        name: &str,
        with_copying: bool,
    ) -> Result<Option<Collector>> {
        if !with_copying {
            return Ok(self
                .field::<Option<WireCollectorDrcNull>>(name)?
                .map(|c| match c {
                    WireCollectorDrcNull::DeferredReferenceCounting => {
                        Collector::DeferredReferenceCounting
                    }
                    WireCollectorDrcNull::Null => Collector::Null,
                }));
        }
        Ok(self.field::<Option<WireCollector>>(name)?.map(|c| match c {
            WireCollector::DeferredReferenceCounting => Collector::DeferredReferenceCounting,
            WireCollector::Null => Collector::Null,
            WireCollector::Copying => Collector::Copying,
        }))
    }

    /// `IntraModuleInlining` (36 to 44).
    pub(super) fn intra_module_inlining(&mut self, name: &str) -> Result<IntraModuleInlining> {
        Ok(match self.field::<WireIntraModuleInlining>(name)? {
            WireIntraModuleInlining::Yes => IntraModuleInlining::Yes,
            WireIntraModuleInlining::No => IntraModuleInlining::No,
            WireIntraModuleInlining::WhenUsingGc => IntraModuleInlining::WhenUsingGc,
        })
    }

    /// `Inlining`.
    pub(super) fn inlining(&mut self, name: &str) -> Result<Inlining> {
        Ok(match self.field::<WireInlining>(name)? {
            WireInlining::Yes => Inlining::Yes,
            WireInlining::InterModuleAndIntraGc => Inlining::InterModuleAndIntraGc,
            WireInlining::InterModule => Inlining::InterModule,
            WireInlining::Intrinsics => Inlining::Intrinsics,
            WireInlining::No => Inlining::No,
        })
    }

    /// `OperatorCostStrategy`, whose table is `table_len` one-byte costs in
    /// the artifact's major.
    pub(super) fn operator_cost(&mut self, name: &str, table_len: usize) -> Result<OperatorCost> {
        self.seeded(name, CostStrategy { table_len })
    }
}

/// What went wrong decoding a `T`, in words.
fn problem<T>(e: postcard::Error) -> String {
    use postcard::Error as E;
    match e {
        E::DeserializeUnexpectedEnd => "the section ends".into(),
        E::DeserializeBadVarint => "a varint is too long or overflows".into(),
        E::DeserializeBadBool => "a bool is neither 0 nor 1".into(),
        E::DeserializeBadUtf8 => "a string is not UTF-8".into(),
        E::DeserializeBadOption => "an Option tag is neither 0 nor 1".into(),
        E::DeserializeBadEnum => "an enum variant index overflows".into(),
        // serde's own checks (an unknown variant, a zero `NonZeroU32`),
        // whose words postcard drops.
        E::SerdeDeCustom => format!("not a valid `{}`", short_type_name::<T>()),
        other => other.to_string(),
    }
}

/// `T`'s name without module paths: `Option<NonZero<u32>>`.
fn short_type_name<T>() -> String {
    let full = std::any::type_name::<T>();
    let mut out = String::with_capacity(full.len());
    for c in full.chars() {
        out.push(c);
        if out.ends_with("::") {
            let path = &out[..out.len() - 2];
            let keep = path
                .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
                .map_or(0, |i| i + 1);
            out.truncate(keep);
        }
    }
    out.replace("Wire", "")
}

/// Cranelift's `FlagValue` as Wasmtime serializes it.
#[derive(Deserialize)]
enum Flag<'a> {
    Enum(&'a str),
    Num(u8),
    Bool(bool),
}

/// `wasmtime_environ::Collector`.
#[derive(Deserialize)]
enum WireCollector {
    DeferredReferenceCounting,
    Null,
    Copying,
}

/// `wasmtime_environ::Collector` of 36 to 44.
#[derive(Deserialize)]
#[serde(rename = "Collector")]
enum WireCollectorDrcNull {
    DeferredReferenceCounting,
    Null,
}

/// `wasmtime_environ::IntraModuleInlining` (36 to 44).
#[derive(Deserialize)]
enum WireIntraModuleInlining {
    Yes,
    No,
    WhenUsingGc,
}

/// `wasmtime_environ::Inlining`.
#[derive(Deserialize)]
enum WireInlining {
    Yes,
    InterModuleAndIntraGc,
    InterModule,
    Intrinsics,
    No,
}

/// `wasmtime_environ::OperatorCostStrategy`: `Table(Box<OperatorCost>)`
/// (a struct of one `u8` per operator, then the variable costs, so
/// `table_len` bytes) or `Default`.
struct CostStrategy {
    table_len: usize,
}

impl<'de> DeserializeSeed<'de> for CostStrategy {
    type Value = OperatorCost;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<OperatorCost, D::Error> {
        d.deserialize_enum("OperatorCostStrategy", &["Table", "Default"], self)
    }
}

impl<'de> Visitor<'de> for CostStrategy {
    type Value = OperatorCost;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an OperatorCostStrategy")
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<OperatorCost, A::Error> {
        let (index, variant) = data.variant::<u32>()?;
        match index {
            0 => variant
                .newtype_variant_seed(CostTable(self.table_len))
                .map(OperatorCost::Table),
            1 => variant.unit_variant().map(|()| OperatorCost::Default),
            other => Err(de::Error::invalid_value(
                Unexpected::Unsigned(other.into()),
                &"variant 0 or 1",
            )),
        }
    }
}

/// `OperatorCost`: a struct of `.0` `u8` fields.
struct CostTable(usize);

impl<'de> DeserializeSeed<'de> for CostTable {
    type Value = Vec<u8>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Vec<u8>, D::Error> {
        let len = self.0;
        d.deserialize_tuple(len, self)
    }
}

impl<'de> Visitor<'de> for CostTable {
    type Value = Vec<u8>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} operator costs", self.0)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<u8>, A::Error> {
        // The length is this crate's (627 or 643), not the input's.
        let mut table = Vec::with_capacity(self.0);
        for i in 0..self.0 {
            match seq.next_element::<u8>()? {
                Some(cost) => table.push(cost),
                None => return Err(de::Error::invalid_length(i, &self)),
            }
        }
        Ok(table)
    }
}

#[cfg(test)]
mod tests;
