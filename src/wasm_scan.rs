//! A small reader of the WebAssembly binary format, for the few facts this
//! crate must know about a module before handing it to the C API, where the
//! library cannot be asked without risk.
//!
//! It reads only what it needs and reports `None` for anything it does not
//! understand; callers then fall back to letting Wasmtime validate.

/// A cursor over a binary module.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(b)
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let out = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(out)
    }

    /// An unsigned LEB128 of at most 64 bits.
    fn u64(&mut self) -> Option<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            value |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(value);
            }
        }
        None
    }

    fn u32(&mut self) -> Option<u32> {
        u32::try_from(self.u64()?).ok()
    }

    /// A signed LEB128 (s33 heap types, type indices), value ignored.
    fn skip_sleb(&mut self) -> Option<()> {
        for _ in 0..10 {
            if self.byte()? & 0x80 == 0 {
                return Some(());
            }
        }
        None
    }

    /// A value type (or packed storage type).
    fn skip_valtype(&mut self) -> Option<()> {
        match self.byte()? {
            // (ref ht) / (ref null ht): a heap type follows.
            0x63 | 0x64 => self.skip_sleb(),
            _ => Some(()),
        }
    }

    fn skip_vec_valtypes(&mut self) -> Option<()> {
        for _ in 0..self.u32()? {
            self.skip_valtype()?;
        }
        Some(())
    }

    /// A composite type: func, struct, array or cont.
    fn skip_comptype(&mut self, form: u8) -> Option<()> {
        match form {
            0x60 => {
                self.skip_vec_valtypes()?;
                self.skip_vec_valtypes()
            }
            0x5f => {
                for _ in 0..self.u32()? {
                    self.skip_valtype()?;
                    self.byte()?;
                }
                Some(())
            }
            0x5e => {
                self.skip_valtype()?;
                self.byte().map(|_| ())
            }
            0x5d => self.skip_sleb(),
            _ => None,
        }
    }
}

/// The sections of a binary module: (id, contents). `None` when the bytes
/// are not a binary module this reader can walk.
fn sections(wasm: &[u8]) -> Option<Vec<(u8, &[u8])>> {
    let mut r = Reader { bytes: wasm, at: 0 };
    if r.take(4)? != b"\0asm" || r.take(4)? != [1, 0, 0, 0] {
        return None;
    }
    let mut out = Vec::new();
    while r.at < wasm.len() {
        let id = r.byte()?;
        let len = usize::try_from(r.u32()?).ok()?;
        out.push((id, r.take(len)?));
    }
    Some(out)
}

/// Whether the module declares a non-final (`sub`) type, whose
/// `call_indirect` and `ref.cast` checks call Wasmtime's `is_subtype`
/// builtin; `None` if the module cannot be read here.
pub(crate) fn has_non_final_types(wasm: &[u8]) -> Option<bool> {
    let Some((_, types)) = sections(wasm)?.into_iter().find(|(id, _)| *id == 1) else {
        return Some(false);
    };
    let mut r = Reader {
        bytes: types,
        at: 0,
    };
    for _ in 0..r.u32()? {
        let mut form = r.byte()?;
        let members = if form == 0x4e {
            let n = r.u32()?;
            form = r.byte()?;
            n
        } else {
            1
        };
        for i in 0..members {
            if i > 0 {
                form = r.byte()?;
            }
            match form {
                0x50 => return Some(true),
                0x4f => {
                    for _ in 0..r.u32()? {
                        r.u32()?;
                    }
                    let comp = r.byte()?;
                    r.skip_comptype(comp)?;
                }
                comp => r.skip_comptype(comp)?,
            }
        }
    }
    Some(false)
}

#[cfg(test)]
mod tests {
    use super::has_non_final_types;

    #[test]
    fn finds_non_final_types() {
        // (module (type (func)))
        let final_only = b"\0asm\x01\0\0\0\x01\x04\x01\x60\0\0";
        assert_eq!(has_non_final_types(final_only), Some(false));
        // (module (type (sub (func))))
        let non_final = b"\0asm\x01\0\0\0\x01\x06\x01\x50\0\x60\0\0";
        assert_eq!(has_non_final_types(non_final), Some(true));
        // (module (rec (type (func)) (type (sub final (func)))) (type (sub (func))))
        let mixed = b"\0asm\x01\0\0\0\x01\x10\x02\x4e\x02\x60\0\0\x4f\0\x60\0\0\x50\0\x60\0\0";
        assert_eq!(has_non_final_types(mixed), Some(true));
        assert_eq!(has_non_final_types(b"\0asm\x01\0\0\0"), Some(false));
        assert_eq!(has_non_final_types(b"not wasm"), None);
    }
}
