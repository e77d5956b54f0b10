//! The `#[component(...)]` attributes, read as the `wasmtime` crate's
//! macros read them.

use proc_macro2::Span;
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Error, Ident, LitStr, Result, Token};

mod kw {
    syn::custom_keyword!(record);
    syn::custom_keyword!(variant);
    syn::custom_keyword!(flags);
    syn::custom_keyword!(name);
    syn::custom_keyword!(wasmtime_crate);
}

/// Which component type a derive binds to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Record,
    Variant,
    Enum,
}

impl std::fmt::Display for Style {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Style::Record => "record",
            Style::Variant => "variant",
            Style::Enum => "enum",
        })
    }
}

/// One item-level `#[component(...)]`.
enum ItemAttr {
    Style(Style),
    WasmtimeCrate(syn::Path),
}

impl Parse for ItemAttr {
    fn parse(input: ParseStream) -> Result<Self> {
        let lookahead = input.lookahead1();
        if lookahead.peek(kw::record) {
            input.parse::<kw::record>()?;
            Ok(ItemAttr::Style(Style::Record))
        } else if lookahead.peek(kw::variant) {
            input.parse::<kw::variant>()?;
            Ok(ItemAttr::Style(Style::Variant))
        } else if lookahead.peek(Token![enum]) {
            input.parse::<Token![enum]>()?;
            Ok(ItemAttr::Style(Style::Enum))
        } else if lookahead.peek(kw::wasmtime_crate) {
            input.parse::<kw::wasmtime_crate>()?;
            input.parse::<Token![=]>()?;
            Ok(ItemAttr::WasmtimeCrate(input.parse()?))
        } else if input.peek(kw::flags) {
            Err(input.error(
                "`flags` is not allowed here: define `flags` types with the \
                 `wasmtime_dyn::component::flags!` macro",
            ))
        } else {
            Err(lookahead.error())
        }
    }
}

/// The style and the path of the `wasmtime_dyn` crate a derive's item
/// attributes give.
pub struct ItemAttrs {
    pub style: Style,
    pub krate: syn::Path,
}

impl ItemAttrs {
    pub fn read(input: &syn::DeriveInput) -> Result<ItemAttrs> {
        let mut style = None;
        let mut krate = None;
        for attr in input
            .attrs
            .iter()
            .filter(|a| a.path().is_ident("component"))
        {
            match attr.parse_args()? {
                ItemAttr::Style(s) => {
                    if style.is_some() {
                        return Err(Error::new_spanned(attr, "duplicate `component` attribute"));
                    }
                    style = Some(s);
                }
                ItemAttr::WasmtimeCrate(path) => krate = Some(path),
            }
        }
        let style = style.ok_or_else(|| {
            Error::new_spanned(
                &input.ident,
                "missing `component` attribute: add `#[component(record)]`, \
                 `#[component(variant)]` or `#[component(enum)]`",
            )
        })?;
        Ok(ItemAttrs {
            style,
            krate: krate.unwrap_or_else(default_crate),
        })
    }
}

/// `wasmtime_dyn`: the path generated code names the crate by unless
/// `#[component(wasmtime_crate = path)]` says otherwise.
pub fn default_crate() -> syn::Path {
    Ident::new("wasmtime_dyn", Span::call_site()).into()
}

/// The component-model name a field, case or flag's
/// `#[component(name = "...")]` gives, if any.
pub fn rename(attrs: &[Attribute]) -> Result<Option<LitStr>> {
    let mut name = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("component")) {
        let lit = attr.parse_args_with(|input: ParseStream<'_>| {
            input.parse::<kw::name>()?;
            input.parse::<Token![=]>()?;
            input.parse::<LitStr>()
        })?;
        if name.is_some() {
            return Err(Error::new_spanned(attr, "duplicate field rename attribute"));
        }
        name = Some(lit);
    }
    Ok(name)
}

/// A field, case or flag's component-model name: its rename, or its Rust
/// name as written (as the `wasmtime` crate, which converts no case).
pub fn name_of(attrs: &[Attribute], ident: &Ident) -> Result<LitStr> {
    Ok(rename(attrs)?.unwrap_or_else(|| LitStr::new(&ident.to_string(), ident.span())))
}
