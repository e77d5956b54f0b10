//! `#[derive(ComponentType, Lift, Lower)]` for records, variants and
//! enums. Each derive makes one impl over wasmtime-dyn's
//! `Val`-based traits; the work is done by the `__internal` functions of
//! `wasmtime_dyn::component`, so the generated code stays small.

use crate::attrs::{name_of, ItemAttrs, Style};
use proc_macro2::TokenStream;
use quote::quote;
use syn::{parse_quote, Data, DeriveInput, Error, Fields, Ident, LitStr, Result};

/// Which trait a derive implements.
#[derive(Clone, Copy)]
pub enum Trait {
    ComponentType,
    Lift,
    Lower,
}

/// A record field or a variant/enum case.
struct Member<'a> {
    ident: &'a Ident,
    /// The field's type, or the case's payload type.
    ty: Option<&'a syn::Type>,
    name: LitStr,
}

enum Shape<'a> {
    Record(Vec<Member<'a>>),
    Cases(Vec<Member<'a>>),
}

fn shape<'a>(input: &'a DeriveInput, style: Style) -> Result<Shape<'a>> {
    let name = &input.ident;
    match (style, &input.data) {
        (Style::Record, Data::Struct(body)) => match &body.fields {
            Fields::Named(fields) => fields
                .named
                .iter()
                .map(|f| {
                    let ident = f.ident.as_ref().expect("named fields have names");
                    Ok(Member {
                        ident,
                        ty: Some(&f.ty),
                        name: name_of(&f.attrs, ident)?,
                    })
                })
                .collect::<Result<_>>()
                .map(Shape::Record),
            Fields::Unnamed(_) | Fields::Unit => Err(Error::new(
                name.span(),
                "`record` component types can only be derived for `struct`s with named fields",
            )),
        },
        (Style::Record, _) => Err(Error::new(
            name.span(),
            "`record` component types can only be derived for Rust `struct`s",
        )),
        (_, Data::Enum(body)) => {
            if body.variants.is_empty() {
                return Err(Error::new(
                    name.span(),
                    format!(
                        "`{style}` component types can only be derived for Rust `enum`s with at least one variant"
                    ),
                ));
            }
            body.variants
                .iter()
                .map(|v| {
                    let ty = match &v.fields {
                        Fields::Unit => None,
                        Fields::Unnamed(f) if f.unnamed.len() == 1 && style == Style::Variant => {
                            Some(&f.unnamed[0].ty)
                        }
                        _ => {
                            let allowed = match style {
                                Style::Variant => "at most one unnamed field each",
                                _ => "no fields",
                            };
                            return Err(Error::new_spanned(
                                v,
                                format!(
                                    "`{style}` component types can only be derived for Rust `enum`s containing variants with {allowed}"
                                ),
                            ));
                        }
                    };
                    Ok(Member {
                        ident: &v.ident,
                        ty,
                        name: name_of(&v.attrs, &v.ident)?,
                    })
                })
                .collect::<Result<_>>()
                .map(Shape::Cases)
        }
        (_, _) => Err(Error::new(
            name.span(),
            format!("`{style}` component types can only be derived for Rust `enum`s"),
        )),
    }
}

/// The derive of `which` for `input`.
pub fn expand(which: Trait, input: &DeriveInput) -> Result<TokenStream> {
    let attrs = ItemAttrs::read(input)?;
    let shape = shape(input, attrs.style)?;
    let wt = &attrs.krate;
    let c = quote!(#wt::component);
    let internal = quote!(#c::__internal);

    // Every type parameter gets the derived trait as a bound, as the
    // `wasmtime` crate's derives do.
    let bound: syn::TypeParamBound = match which {
        Trait::ComponentType => parse_quote!(#c::ComponentType),
        Trait::Lift => parse_quote!(#c::Lift),
        Trait::Lower => parse_quote!(#c::Lower),
    };
    let mut generics = input.generics.clone();
    for param in generics.type_params_mut() {
        param.bounds.push(bound.clone());
    }
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    let name = &input.ident;

    let body = match (which, &shape) {
        (Trait::ComponentType, Shape::Record(fields)) => {
            let checks = fields.iter().map(|Member { ty, name, .. }| {
                quote!((#name, <#ty as #c::ComponentType>::typecheck as fn(&#c::Type) -> #wt::Result<()>))
            });
            quote! {
                fn typecheck(ty: &#c::Type) -> #wt::Result<()> {
                    #internal::typecheck_record(ty, &[#(#checks),*])
                }
            }
        }
        (Trait::ComponentType, Shape::Cases(cases)) if attrs.style == Style::Enum => {
            let names = cases.iter().map(|m| &m.name);
            quote! {
                fn typecheck(ty: &#c::Type) -> #wt::Result<()> {
                    #internal::typecheck_enum(ty, &[#(#names),*])
                }
            }
        }
        (Trait::ComponentType, Shape::Cases(cases)) => {
            let checks = cases.iter().map(|Member { ty, name, .. }| match ty {
                Some(ty) => quote!((#name, ::core::option::Option::Some(
                    <#ty as #c::ComponentType>::typecheck as fn(&#c::Type) -> #wt::Result<()>
                ))),
                None => quote!((#name, ::core::option::Option::None)),
            });
            quote! {
                fn typecheck(ty: &#c::Type) -> #wt::Result<()> {
                    #internal::typecheck_variant(ty, &[#(#checks),*])
                }
            }
        }
        (Trait::Lower, Shape::Record(fields)) => {
            let vals = fields
                .iter()
                .map(|Member { ident, name, .. }| quote!((#name, #c::Lower::to_val(&self.#ident))));
            quote! {
                fn to_val(&self) -> #c::Val {
                    #internal::record([#(#vals),*])
                }
            }
        }
        (Trait::Lower, Shape::Cases(cases)) if attrs.style == Style::Enum => {
            let arms = cases.iter().map(
                |Member { ident, name, .. }| quote!(Self::#ident => #internal::enum_case(#name),),
            );
            quote! {
                fn to_val(&self) -> #c::Val {
                    match self { #(#arms)* }
                }
            }
        }
        (Trait::Lower, Shape::Cases(cases)) => {
            let arms = cases.iter().map(|Member { ident, ty, name }| match ty {
                Some(_) => quote!(Self::#ident(payload) => #internal::variant_case(
                    #name,
                    ::core::option::Option::Some(#c::Lower::to_val(payload)),
                ),),
                None => quote!(Self::#ident => #internal::variant_case(#name, ::core::option::Option::None),),
            });
            quote! {
                fn to_val(&self) -> #c::Val {
                    match self { #(#arms)* }
                }
            }
        }
        (Trait::Lift, Shape::Record(fields)) => {
            let names = fields.iter().map(|m| &m.name);
            let lifts = fields.iter().map(|Member { ident, name, .. }| {
                quote!(#ident: #internal::lift_field(&mut fields, #name)?,)
            });
            quote! {
                #[allow(unused_mut, unused_variables)]
                fn from_val(val: #c::Val) -> #wt::Result<Self> {
                    let mut fields = #internal::record_fields(val, &[#(#names),*])?;
                    ::core::result::Result::Ok(Self { #(#lifts)* })
                }
            }
        }
        (Trait::Lift, Shape::Cases(cases)) if attrs.style == Style::Enum => {
            let names = cases.iter().map(|m| &m.name);
            let arms = cases.iter().enumerate().map(
                |(i, Member { ident, .. })| quote!(#i => ::core::result::Result::Ok(Self::#ident),),
            );
            quote! {
                fn from_val(val: #c::Val) -> #wt::Result<Self> {
                    match #internal::enum_index(val, &[#(#names),*])? {
                        #(#arms)*
                        other => ::core::result::Result::Err(#internal::bad_index(other)),
                    }
                }
            }
        }
        (Trait::Lift, Shape::Cases(cases)) => {
            let cases_list = cases.iter().map(|m| {
                let name = &m.name;
                let has = m.ty.is_some();
                quote!((#name, #has))
            });
            let arms = cases
                .iter()
                .enumerate()
                .map(|(i, Member { ident, ty, name })| match ty {
                    Some(_) => quote!(#i => ::core::result::Result::Ok(Self::#ident(
                    #internal::lift_payload(_payload, #name)?
                )),),
                    None => quote!(#i => ::core::result::Result::Ok(Self::#ident),),
                });
            quote! {
                fn from_val(val: #c::Val) -> #wt::Result<Self> {
                    let (index, _payload) = #internal::variant_parts(val, &[#(#cases_list),*])?;
                    match index {
                        #(#arms)*
                        other => ::core::result::Result::Err(#internal::bad_index(other)),
                    }
                }
            }
        }
    };

    let tr = match which {
        Trait::ComponentType => quote!(#c::ComponentType),
        Trait::Lift => quote!(#c::Lift),
        Trait::Lower => quote!(#c::Lower),
    };
    Ok(quote! {
        #[automatically_derived]
        impl #impl_generics #tr for #name #ty_generics #where_clause {
            #body
        }
    })
}
