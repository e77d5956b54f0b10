//! Whether a file's modules need the proposals that bring typed references.
//!
//! Before Wasmtime 45 the C API aborts the process when asked for the kind
//! of a typed reference type (a concrete `(ref $t)`, `anyref`, `exnref`,
//! ...), so wasmtime-dyn reads no value type of a module it did not compile
//! itself, a deserialized one, in an engine with the typed function
//! references, GC or exceptions proposal on. A library without a compiler
//! loads every module deserialized: on such a library of 36 to 44 a file
//! whose modules need none of those proposals runs with them off, as an
//! embedder of that library would configure it, instead of having every
//! call refused.

use crate::script::{Directive, Form};
use wasmparser::{Validator, WasmFeatures};
use wast::{QuoteWat, WastDirective, WastExecute, Wat};

/// The proposals whose value types the C API before 45 cannot describe.
const TYPED_REFERENCES: WasmFeatures = WasmFeatures::FUNCTION_REFERENCES
    .union(WasmFeatures::GC)
    .union(WasmFeatures::EXCEPTIONS)
    .union(WasmFeatures::LEGACY_EXCEPTIONS)
    .union(WasmFeatures::STACK_SWITCHING);

/// Whether a module of `forms` needs one of [`TYPED_REFERENCES`]: it
/// validates with every proposal on, and not without those. A module that
/// does not validate either way (what `assert_invalid` asserts), that does
/// not parse or encode, or that is a component, does not count: it runs
/// on no engine of this library.
pub fn needed(forms: &[Form<'_>]) -> bool {
    forms.iter().any(|form| {
        let Ok(buf) = form.buffer() else {
            return false;
        };
        match form.parse(&buf) {
            Ok(Directive::Wast(directive)) => directive_needs(directive),
            Ok(Directive::Custom { mut module, .. }) => quote_needs(&mut module),
            Err(_) => false,
        }
    })
}

fn directive_needs(directive: WastDirective<'_>) -> bool {
    match directive {
        WastDirective::Module(mut module) | WastDirective::ModuleDefinition(mut module) => {
            quote_needs(&mut module)
        }
        WastDirective::AssertUnlinkable { mut module, .. } => wat_needs(&mut module),
        WastDirective::AssertTrap { exec, .. }
        | WastDirective::AssertReturn { exec, .. }
        | WastDirective::AssertException { exec, .. }
        | WastDirective::AssertSuspension { exec, .. } => match exec {
            WastExecute::Wat(mut wat) => wat_needs(&mut wat),
            _ => false,
        },
        WastDirective::Thread(thread) => thread.directives.into_iter().any(directive_needs),
        _ => false,
    }
}

fn quote_needs(module: &mut QuoteWat<'_>) -> bool {
    matches!(
        module,
        QuoteWat::Wat(Wat::Module(_)) | QuoteWat::QuoteModule(..)
    ) && module.encode().is_ok_and(|wasm| bytes_need(&wasm))
}

fn wat_needs(module: &mut Wat<'_>) -> bool {
    matches!(module, Wat::Module(_)) && module.encode().is_ok_and(|wasm| bytes_need(&wasm))
}

fn bytes_need(wasm: &[u8]) -> bool {
    let valid = |features| {
        Validator::new_with_features(features)
            .validate_all(wasm)
            .is_ok()
    };
    valid(WasmFeatures::all()) && !valid(WasmFeatures::all().difference(TYPED_REFERENCES))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file_needs(text: &str) -> bool {
        needed(&crate::script::forms(text).expect("the test text lexes"))
    }

    #[test]
    fn only_modules_that_need_the_proposals_count() {
        // Numbers, funcref and externref: none of the proposals.
        assert!(!file_needs(
            r#"(module (func (export "f") (param i32 funcref externref) (result i64) i64.const 1))
               (assert_return (invoke "f" (i32.const 1) (ref.null func) (ref.null extern))
                 (i64.const 1))"#
        ));
        // A concrete reference type in a signature.
        assert!(file_needs(
            r#"(module (type $t (func)) (func (export "f") (param (ref null $t))))"#
        ));
        // A struct type, in a module of `assert_trap`.
        assert!(file_needs(
            r#"(assert_trap (module (type (struct)) (func $s unreachable) (start $s))
                 "unreachable")"#
        ));
        // An instruction of typed function references, with no such type
        // in any signature.
        assert!(file_needs(
            r#"(module (func (param funcref) local.get 0 ref.as_non_null drop))"#
        ));
        // A module that is invalid anyway does not count.
        assert!(!file_needs(
            r#"(assert_invalid (module (type (struct)) (func (result i32))) "type mismatch")"#
        ));
    }
}
