//! `flags! { Name { #[component(name = "...")] const FLAG; ... } }`: a
//! bit-set type for a component `flags` type, with the `wasmtime` crate's
//! API (`empty`, `all`, `contains`, `intersects`, `as_array`, the bit
//! operators, `PartialEq`, `Debug`) and its `ComponentType`, `Lift` and
//! `Lower` impls.

use crate::attrs::{default_crate, name_of};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::parse::{Parse, ParseStream};
use syn::{braced, Attribute, Ident, LitStr, Result, Token};

pub struct Flags {
    name: Ident,
    flags: Vec<(Ident, LitStr)>,
}

impl Parse for Flags {
    fn parse(input: ParseStream) -> Result<Self> {
        let name = input.parse::<Ident>()?;
        let content;
        braced!(content in input);
        let flags = content
            .parse_terminated(
                |input: ParseStream| {
                    let attrs = Attribute::parse_outer(input)?;
                    input.parse::<Token![const]>()?;
                    let ident = input.parse::<Ident>()?;
                    let name = name_of(&attrs, &ident)?;
                    Ok((ident, name))
                },
                Token![;],
            )?
            .into_iter()
            .collect();
        Ok(Flags { name, flags })
    }
}

pub fn expand(input: &Flags) -> TokenStream {
    let wt = default_crate();
    let c = quote!(#wt::component);
    let internal = quote!(#c::__internal);
    let name = &input.name;
    let count = input.flags.len();
    // One `u32` per 32 flags, as `as_array` returns them. As in the
    // `wasmtime` crate, which stores up to 8 flags in a `u8`, up to 16 in a
    // `u16` and more in `u32`s, `all()` and `!` set every bit of that
    // storage (`Perms::all().as_array()` of 3 flags is `[255]`), and `==`
    // compares the flags' bits only.
    let words = count.div_ceil(32);
    let mut mask = vec![0u32; words];
    for i in 0..count {
        mask[i / 32] |= 1 << (i % 32);
    }
    let ones = match count {
        0 => vec![],
        1..=8 => vec![0xffu32],
        9..=16 => vec![0xffff],
        _ => vec![u32::MAX; words],
    };
    let constants = input.flags.iter().enumerate().map(|(i, (ident, _))| {
        let mut bits = vec![0u32; words];
        bits[i / 32] = 1 << (i % 32);
        quote!(pub const #ident: Self = Self { __inner: [#(#bits),*] };)
    });
    let rust_names = input.flags.iter().map(|(ident, _)| ident.to_string());
    let names: Vec<&LitStr> = input.flags.iter().map(|(_, name)| name).collect();
    let names = quote!(&[#(#names),*]);
    let op = |tr: &str, method: &str, op: TokenStream| {
        // `a op= b` on each word (clippy flags `a = a op b` in the
        // program that expands this).
        let tr = format_ident!("{tr}");
        let method = format_ident!("{method}");
        let assign_tr = format_ident!("{tr}Assign");
        let assign = format_ident!("{method}_assign");
        quote! {
            impl ::core::ops::#tr for #name {
                type Output = #name;
                fn #method(self, rhs: #name) -> #name {
                    let mut out = self;
                    for (a, b) in out.__inner.iter_mut().zip(rhs.__inner) {
                        *a #op b;
                    }
                    out
                }
            }
            impl ::core::ops::#assign_tr for #name {
                fn #assign(&mut self, rhs: #name) {
                    *self = ::core::ops::#tr::#method(*self, rhs);
                }
            }
        }
    };
    let bitor = op("BitOr", "bitor", quote!(|=));
    let bitand = op("BitAnd", "bitand", quote!(&=));
    let bitxor = op("BitXor", "bitxor", quote!(^=));

    quote! {
        #[derive(Copy, Clone)]
        pub struct #name {
            #[doc(hidden)]
            __inner: [u32; #words],
        }

        impl #name {
            #(#constants)*

            /// The flags as bits, 32 flags a word, the first flag in bit 0.
            pub fn as_array(&self) -> [u32; #words] {
                self.__inner
            }

            /// No flag set.
            pub fn empty() -> Self {
                Self { __inner: [0; #words] }
            }

            /// Every flag set.
            pub fn all() -> Self {
                Self { __inner: [#(#ones),*] }
            }

            /// Whether every flag set in `other` is set in `self`.
            pub fn contains(&self, other: Self) -> bool {
                *self & other == other
            }

            /// Whether a flag set in `other` is set in `self`.
            pub fn intersects(&self, other: Self) -> bool {
                *self & other != Self::empty()
            }
        }

        impl ::core::cmp::PartialEq for #name {
            fn eq(&self, rhs: &#name) -> bool {
                const MASK: [u32; #words] = [#(#mask),*];
                self.__inner
                    .iter()
                    .zip(rhs.__inner)
                    .zip(MASK)
                    .all(|((a, b), m)| a & m == b & m)
            }
        }

        impl ::core::cmp::Eq for #name {}

        impl ::core::default::Default for #name {
            fn default() -> Self {
                Self::empty()
            }
        }

        impl ::core::fmt::Debug for #name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                #internal::format_flags(&self.__inner, &[#(#rust_names),*], f)
            }
        }

        #bitor
        #bitand
        #bitxor

        impl ::core::ops::Not for #name {
            type Output = #name;
            fn not(self) -> #name {
                self ^ Self::all()
            }
        }

        impl #c::ComponentType for #name {
            fn typecheck(ty: &#c::Type) -> #wt::Result<()> {
                #internal::typecheck_flags(ty, #names)
            }
        }

        impl #c::Lower for #name {
            fn to_val(&self) -> #c::Val {
                #internal::flags_to_val(&self.__inner, #names)
            }
        }

        impl #c::Lift for #name {
            fn from_val(val: #c::Val) -> #wt::Result<Self> {
                ::core::result::Result::Ok(Self {
                    __inner: #internal::flags_from_val(val, #names)?,
                })
            }
        }
    }
}
