//! A reader of postcard's encoding (the serde format of the engine
//! section's metadata), and the pieces every engine-section layout shares:
//! the flag lists and the enums of `Tunables`.

use super::elf::invalid;
use super::{Collector, FlagValue, Inlining, OperatorCost};
use crate::error::{Error, Result};
use std::fmt;

/// A reader of postcard's encoding, naming the field it was reading when the
/// data runs out or is malformed.
pub(super) struct Postcard<'a> {
    data: &'a [u8],
    pos: usize,
}

pub(super) fn bad_metadata(field: &str, problem: impl fmt::Display) -> Error {
    invalid(format_args!(
        "the engine section's metadata is malformed at `{field}`: {problem}"
    ))
}

impl<'a> Postcard<'a> {
    /// A reader at the start of `data`.
    pub(super) fn new(data: &'a [u8]) -> Self {
        Postcard { data, pos: 0 }
    }

    pub(super) fn byte(&mut self, field: &str) -> Result<u8> {
        let b = *self
            .data
            .get(self.pos)
            .ok_or_else(|| bad_metadata(field, "the section ends"))?;
        self.pos += 1;
        Ok(b)
    }

    /// A LEB128 varint of at most `bits` bits, rejected as postcard rejects
    /// them: too long, or overflowing in the last byte.
    pub(super) fn varint(&mut self, bits: u32, field: &str) -> Result<u64> {
        let max_bytes = bits.div_ceil(7);
        let last_max = (1u16 << (bits % 7)) - 1;
        let mut out = 0u64;
        for i in 0..max_bytes {
            let b = self.byte(field)?;
            out |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                if i == max_bytes - 1 && u16::from(b) > last_max {
                    return Err(bad_metadata(field, "a varint overflows"));
                }
                return Ok(out);
            }
        }
        Err(bad_metadata(field, "a varint is too long"))
    }

    pub(super) fn u64(&mut self, field: &str) -> Result<u64> {
        self.varint(64, field)
    }

    pub(super) fn u32(&mut self, field: &str) -> Result<u32> {
        Ok(self.varint(32, field)? as u32)
    }

    pub(super) fn usize(&mut self, field: &str) -> Result<u64> {
        self.varint(usize::BITS, field)
    }

    pub(super) fn bool(&mut self, field: &str) -> Result<bool> {
        match self.byte(field)? {
            0 => Ok(false),
            1 => Ok(true),
            other => Err(bad_metadata(field, format_args!("{other} is not a bool"))),
        }
    }

    /// An `Option`'s tag.
    pub(super) fn some(&mut self, field: &str) -> Result<bool> {
        match self.byte(field)? {
            0 => Ok(false),
            1 => Ok(true),
            other => Err(bad_metadata(
                field,
                format_args!("{other} is not an Option tag"),
            )),
        }
    }

    pub(super) fn variant(&mut self, field: &str, count: u32) -> Result<u32> {
        let index = self.u32(field)?;
        if index >= count {
            return Err(bad_metadata(
                field,
                format_args!("unknown variant {index} (of {count})"),
            ));
        }
        Ok(index)
    }

    pub(super) fn take(&mut self, len: u64, field: &str) -> Result<&'a [u8]> {
        let left = (self.data.len() - self.pos) as u64;
        if len > left {
            return Err(bad_metadata(
                field,
                format_args!("{len} bytes announced, {left} left"),
            ));
        }
        let out = &self.data[self.pos..self.pos + len as usize];
        self.pos += len as usize;
        Ok(out)
    }

    pub(super) fn str(&mut self, field: &str) -> Result<&'a str> {
        let len = self.usize(field)?;
        let bytes = self.take(len, field)?;
        std::str::from_utf8(bytes).map_err(|e| bad_metadata(field, e))
    }

    /// `Vec<(&str, FlagValue)>`.
    pub(super) fn flags(&mut self, field: &str) -> Result<Vec<(String, FlagValue)>> {
        let count = self.usize(field)?;
        let mut out = Vec::new();
        for _ in 0..count {
            let name = self.str(field)?.to_string();
            let value = match self.variant(field, 3)? {
                0 => FlagValue::Enum(self.str(field)?.to_string()),
                1 => FlagValue::Num(self.byte(field)?),
                _ => FlagValue::Bool(self.bool(field)?),
            };
            out.push((name, value));
        }
        Ok(out)
    }

    /// `Option<Collector>`.
    pub(super) fn collector(&mut self, field: &str) -> Result<Option<Collector>> {
        if !self.some(field)? {
            return Ok(None);
        }
        Ok(Some(match self.variant(field, 3)? {
            0 => Collector::DeferredReferenceCounting,
            1 => Collector::Null,
            _ => Collector::Copying,
        }))
    }

    /// `OperatorCostStrategy`: a table of `table_len` bytes or the default.
    pub(super) fn operator_cost(&mut self, field: &str, table_len: usize) -> Result<OperatorCost> {
        Ok(match self.variant(field, 2)? {
            0 => OperatorCost::Table(self.take(table_len as u64, field)?.to_vec()),
            _ => OperatorCost::Default,
        })
    }

    /// `Inlining`.
    pub(super) fn inlining(&mut self, field: &str) -> Result<Inlining> {
        Ok(match self.variant(field, 5)? {
            0 => Inlining::Yes,
            1 => Inlining::InterModuleAndIntraGc,
            2 => Inlining::InterModule,
            3 => Inlining::Intrinsics,
            _ => Inlining::No,
        })
    }

    /// `Option<NonZeroU32>`.
    pub(super) fn nonzero_u32(&mut self, field: &str) -> Result<Option<u32>> {
        if !self.some(field)? {
            return Ok(None);
        }
        match self.u32(field)? {
            0 => Err(bad_metadata(field, "0 is not a NonZeroU32")),
            n => Ok(Some(n)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_follow_postcard() {
        let read = |bytes: &[u8], bits| Postcard::new(bytes).varint(bits, "x");
        assert_eq!(read(&[0x7f], 64).unwrap(), 127);
        assert_eq!(read(&[0x80, 0x01], 64).unwrap(), 128);
        assert_eq!(
            read(&[0xff, 0xff, 0xff, 0xff, 0x0f], 32).unwrap(),
            u64::from(u32::MAX)
        );
        assert!(read(&[0xff, 0xff, 0xff, 0xff, 0x10], 32).is_err());
        assert!(read(&[0xff; 10], 64).is_err());
        let mut max = [0xff; 10];
        max[9] = 1;
        assert_eq!(read(&max, 64).unwrap(), u64::MAX);
        max[9] = 2;
        assert!(read(&max, 64).is_err());
        assert!(read(&[0x80], 64).is_err());
    }
}
