//! The packed signature an untyped call of numbers works from.

use super::STACK_SLOTS;
use crate::types::{FuncType, ValType};

/// How [`Func::call`](super::Func::call) passes a function's values,
/// decided once from its type and packed in one word, so that a call of
/// numbers reads neither the [`FuncType`] nor its [`ValType`]s:
/// - bits 0-1: the path, [`CallSig::NUMBERS`], [`CallSig::SIMPLE`] or
///   [`CallSig::CHECKED`];
/// - for numbers, bits 2-6 and 7-11: the number of parameters and of
///   results (at most [`STACK_SLOTS`] together), then from bit 12 three bits
///   per value, parameters first: its [`NumKind`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) struct CallSig(pub(super) u64);

/// The kind of a number in a [`CallSig`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
pub(super) enum NumKind {
    I32 = 0,
    I64 = 1,
    F32 = 2,
    F64 = 3,
    V128 = 4,
}

impl NumKind {
    const fn of(ty: &ValType) -> Option<NumKind> {
        Some(match ty {
            ValType::I32 => NumKind::I32,
            ValType::I64 => NumKind::I64,
            ValType::F32 => NumKind::F32,
            ValType::F64 => NumKind::F64,
            ValType::V128 => NumKind::V128,
            ValType::FuncRef | ValType::ExternRef | ValType::Ref(_) => return None,
        })
    }
}

impl CallSig {
    /// Numbers only: each argument's type is its variant, checked and
    /// encoded in one `match`, with no store needed.
    pub(super) const NUMBERS: u64 = 0;
    /// Numbers, `funcref` and `externref` (see
    /// [`ValType::is_simple`](crate::ValType)), or numbers too many to
    /// pack: raw values, references converted through the store.
    const SIMPLE: u64 = 1;
    /// Any other reference type: `wasmtime_func_call`, where Wasmtime
    /// checks concrete and non-null types.
    const CHECKED: u64 = 2;
    pub(super) const KINDS_SHIFT: u32 = 12;

    pub(super) fn of(ty: &FuncType) -> CallSig {
        match CallSig::numbers(ty.param_types(), ty.result_types()) {
            Some(sig) => sig,
            None if ty.is_simple() => CallSig(CallSig::SIMPLE),
            None => CallSig(CallSig::CHECKED),
        }
    }

    /// The packed signature of `params -> results`, if they are numbers
    /// only and fit the stack slots.
    pub(super) const fn numbers(params: &[ValType], results: &[ValType]) -> Option<CallSig> {
        let (np, nr) = (params.len(), results.len());
        if np + nr > STACK_SLOTS {
            return None;
        }
        let mut code = CallSig::NUMBERS | ((np as u64) << 2) | ((nr as u64) << 7);
        let mut i = 0;
        while i < np + nr {
            let t = if i < np { &params[i] } else { &results[i - np] };
            let Some(kind) = NumKind::of(t) else {
                return None;
            };
            code |= (kind as u64) << (CallSig::KINDS_SHIFT + 3 * i as u32);
            i += 1;
        }
        Some(CallSig(code))
    }

    /// The numbers of parameters and results, for a numbers-only
    /// signature.
    #[inline]
    pub(super) fn numbers_arity(self) -> Option<(usize, usize)> {
        if self.0 & 3 == CallSig::NUMBERS {
            Some((
                ((self.0 >> 2) & 0x1f) as usize,
                ((self.0 >> 7) & 0x1f) as usize,
            ))
        } else {
            None
        }
    }

    pub(super) fn is_checked(self) -> bool {
        self.0 & 3 == CallSig::CHECKED
    }
}

/// The kinds of a numbers-only [`CallSig`], in order: parameters, then
/// results.
pub(super) struct Kinds(pub(super) u64);

impl Kinds {
    #[inline]
    pub(super) fn next(&mut self) -> NumKind {
        let kind = match self.0 & 7 {
            0 => NumKind::I32,
            1 => NumKind::I64,
            2 => NumKind::F32,
            3 => NumKind::F64,
            // 4: no other code is packed.
            _ => NumKind::V128,
        };
        self.0 >>= 3;
        kind
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [ValType; 5] = [
        ValType::I32,
        ValType::I64,
        ValType::F32,
        ValType::F64,
        ValType::V128,
    ];

    #[test]
    fn packs_every_kind_at_every_position_up_to_the_stack_slots() {
        for np in 0..=STACK_SLOTS {
            let nr = STACK_SLOTS - np;
            let types: Vec<ValType> = (0..STACK_SLOTS)
                .map(|i| ALL[(i * 7 + np) % ALL.len()].clone())
                .collect();
            let sig = CallSig::numbers(&types[..np], &types[np..]).expect("numbers fit");
            assert_eq!(sig.numbers_arity(), Some((np, nr)));
            assert!(!sig.is_checked());
            let mut kinds = Kinds(sig.0 >> CallSig::KINDS_SHIFT);
            for t in &types {
                assert_eq!(Some(kinds.next()), NumKind::of(t), "{np} params");
            }
        }
    }

    #[test]
    fn too_many_values_or_references_take_the_other_paths() {
        let many = vec![ValType::I32; STACK_SLOTS + 1];
        assert_eq!(CallSig::numbers(&many, &[]), None);
        let ty = FuncType::new(many.clone(), []);
        assert_eq!(CallSig::of(&ty).0, CallSig::SIMPLE);
        assert_eq!(CallSig::of(&ty).numbers_arity(), None);
        let refs = FuncType::new([ValType::I32], [ValType::FuncRef]);
        assert_eq!(CallSig::of(&refs).0, CallSig::SIMPLE);
        let any = FuncType::new([ValType::ANYREF], []);
        assert!(CallSig::of(&any).is_checked());
        let empty = CallSig::of(&FuncType::new([], []));
        assert_eq!(empty.numbers_arity(), Some((0, 0)));
    }
}
