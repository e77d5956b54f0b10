//! The macros' errors for items they cannot bind, and the paths generated
//! code names, checked on the token streams (the derives' output on real
//! types is tested through wasmtime-dyn in its tests/component_derive.rs).

use crate::derive::{expand, Trait};
use syn::DeriveInput;

fn derive(which: Trait, item: &str) -> Result<String, String> {
    let input: DeriveInput = syn::parse_str(item).expect("a Rust item");
    expand(which, &input)
        .map(|tokens| tokens.to_string())
        .map_err(|e| e.to_string())
}

fn error(item: &str) -> String {
    derive(Trait::ComponentType, item).expect_err("the derive must refuse this item")
}

#[test]
fn items_that_cannot_be_bound_are_compile_errors() {
    let cases = [
        ("struct A { x: u32 }", "missing `component` attribute"),
        ("#[component(flags)] struct A { x: u32 }", "`flags` is not allowed here"),
        ("#[component(record)] #[component(record)] struct A { x: u32 }", "duplicate `component` attribute"),
        ("#[component(record)] struct A(u32);", "`struct`s with named fields"),
        ("#[component(record)] enum A { B }", "only be derived for Rust `struct`s"),
        ("#[component(variant)] struct A { x: u32 }", "only be derived for Rust `enum`s"),
        ("#[component(variant)] enum A {}", "with at least one variant"),
        ("#[component(variant)] enum A { B(u32, u32) }", "at most one unnamed field each"),
        ("#[component(variant)] enum A { B { x: u32 } }", "at most one unnamed field each"),
        ("#[component(enum)] enum A { B(u32) }", "variants with no fields"),
        ("#[component(record)] struct A { #[component(name = \"a\")] #[component(name = \"b\")] x: u32 }", "duplicate field rename attribute"),
        ("#[component(record)] struct A { #[component(rename = \"a\")] x: u32 }", "expected `name`"),
        ("#[component(recrd)] struct A { x: u32 }", "expected one of"),
    ];
    for (item, needle) in cases {
        let err = error(item);
        assert!(
            err.contains(needle),
            "{item}: {err:?} should contain {needle:?}"
        );
    }
}

#[test]
fn generated_code_names_the_crate_path() {
    let default = derive(Trait::Lift, "#[component(record)] struct A { x: u32 }").unwrap();
    assert!(
        default.contains("wasmtime_dyn :: component :: Lift"),
        "{default}"
    );
    let given = derive(
        Trait::Lower,
        "#[component(variant)] #[component(wasmtime_crate = my::wt)] enum A { #[component(name = \"b-c\")] B(u8), D }",
    )
    .unwrap();
    assert!(given.contains("my :: wt :: component :: Lower"), "{given}");
    assert!(!given.contains("wasmtime_dyn"), "{given}");
    assert!(
        given.contains("\"b-c\"") && given.contains("\"D\""),
        "{given}"
    );
}

#[test]
fn type_parameters_get_the_derived_trait_as_a_bound() {
    let out = derive(
        Trait::ComponentType,
        "#[component(record)] struct P<T> { x: T }",
    )
    .unwrap();
    assert!(
        out.contains("impl < T : wasmtime_dyn :: component :: ComponentType >"),
        "{out}"
    );
}

#[test]
fn flags_syntax_is_the_crates() {
    let flags: crate::flags::Flags =
        syn::parse_str("Perms { #[component(name = \"read\")] const READ; const WRITE }").unwrap();
    let out = crate::flags::expand(&flags).to_string();
    assert!(out.contains("pub struct Perms"), "{out}");
    assert!(out.contains("pub const READ : Self"), "{out}");
    assert!(
        out.contains("\"read\"") && out.contains("\"WRITE\""),
        "{out}"
    );
    for (bad, needle) in [
        ("Perms { READ; }", "expected `const`"),
        ("Perms { const READ, const WRITE }", "expected `;`"),
        (
            "Perms { #[component(name = 1)] const READ; }",
            "expected string literal",
        ),
    ] {
        let err = syn::parse_str::<crate::flags::Flags>(bad)
            .err()
            .unwrap_or_else(|| panic!("{bad} must not parse"));
        assert!(err.to_string().contains(needle), "{bad}: {err}");
    }
}
