//! Parsing a `.wast` file into directives, one top-level form at a time.
//!
//! Each form is parsed on its own, so that one the `wast` crate cannot
//! parse (the legacy exceptions' folded `try`, instructions of proposals
//! newer than the crate) is one failed directive rather than a failed
//! file. The `wast` crate parses every directive kind of the suite but
//! two: the annotation tests' `assert_malformed_custom` and
//! `assert_invalid_custom` (`custom/`), which assert that a custom section
//! or annotation is wrong while the module itself is not; those are parsed
//! here, every other form by `wast`'s [`WastDirective`].

use wast::lexer::{Lexer, TokenKind};
use wast::parser::{self, Parse, ParseBuffer, Parser};
use wast::token::Span;
use wast::{QuoteWat, WastDirective, Wat};

mod kw {
    wast::custom_keyword!(assert_malformed_custom);
    wast::custom_keyword!(assert_invalid_custom);
}

/// Which of the two custom assertions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CustomAssertion {
    Malformed,
    Invalid,
}

/// One top-level form of a `.wast` file.
pub enum Directive<'a> {
    Wast(WastDirective<'a>),
    /// `assert_malformed_custom` / `assert_invalid_custom`.
    Custom {
        span: Span,
        kind: CustomAssertion,
        module: QuoteWat<'a>,
        message: &'a str,
    },
}

impl Directive<'_> {
    pub fn span(&self) -> Span {
        match self {
            Directive::Wast(directive) => directive.span(),
            Directive::Custom { span, .. } => *span,
        }
    }
}

impl<'a> Parse<'a> for Directive<'a> {
    fn parse(parser: Parser<'a>) -> parser::Result<Self> {
        // The annotations `wast` itself turns into custom sections when it
        // parses a whole file (`Wast`'s parser registers the same ones).
        let _custom = parser.register_annotation("custom");
        let _producers = parser.register_annotation("producers");
        let _name = parser.register_annotation("name");
        let _dylink = parser.register_annotation("dylink.0");
        let _hint = parser.register_annotation("metadata.code.branch_hint");
        parser.parens(|p| {
            let (span, kind) = if p.peek::<kw::assert_malformed_custom>()? {
                let span = p.parse::<kw::assert_malformed_custom>()?.0;
                (span, CustomAssertion::Malformed)
            } else if p.peek::<kw::assert_invalid_custom>()? {
                let span = p.parse::<kw::assert_invalid_custom>()?.0;
                (span, CustomAssertion::Invalid)
            } else {
                return Ok(Directive::Wast(p.parse()?));
            };
            Ok(Directive::Custom {
                span,
                kind,
                module: p.parens(|p| p.parse())?,
                message: p.parse()?,
            })
        })
    }
}

/// A whole-file module (a file of module fields and no directives, as
/// `inline-module.wast`), as one directive.
struct InlineModule<'a>(Directive<'a>);

impl<'a> Parse<'a> for InlineModule<'a> {
    fn parse(parser: Parser<'a>) -> parser::Result<Self> {
        let module = parser.parse::<Wat<'a>>()?;
        Ok(InlineModule(Directive::Wast(WastDirective::Module(
            QuoteWat::Wat(module),
        ))))
    }
}

/// A top-level form: its byte offset in the file and its text.
pub struct Form<'t> {
    pub start: usize,
    pub text: &'t str,
    /// Whether the whole file is one module without a `(module ...)`.
    inline: bool,
}

/// What a form that did not parse was, as far as its first tokens tell.
pub struct Unparsed {
    pub error: String,
    /// Where in the form the error is.
    pub offset: usize,
    /// Whether it defines a module (`(module ...)`), so that the directives
    /// after it do not run against the module before it.
    pub module: bool,
    /// The module's `$name`, if it has one.
    pub name: Option<String>,
}

/// The lexer the runner uses: it accepts the bidirectional and other
/// confusable characters `names.wast` uses on purpose (the `wast` crate
/// refuses them unless told, as a guard against misleading source;
/// Wasmtime's runner tells it so for `names.wast`).
fn lexer(text: &str) -> Lexer<'_> {
    let mut lexer = Lexer::new(text);
    lexer.allow_confusing_unicode(true);
    lexer
}

/// The keyword forms a script's top level is made of.
fn is_directive_keyword(keyword: &str) -> bool {
    keyword.starts_with("assert_")
        || [
            "module",
            "component",
            "register",
            "invoke",
            "thread",
            "wait",
        ]
        .contains(&keyword)
}

/// Splits `text` into its top-level forms.
pub fn forms(text: &str) -> Result<Vec<Form<'_>>, wast::Error> {
    let lexer = lexer(text);
    let mut forms = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    let mut first_keyword = None;
    for token in lexer.iter(0) {
        let token = token?;
        match token.kind {
            TokenKind::LParen => {
                if depth == 0 {
                    start = token.offset;
                }
                depth += 1;
            }
            TokenKind::RParen => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    let end = token.offset + token.len as usize;
                    forms.push(Form {
                        start,
                        text: &text[start..end],
                        inline: false,
                    });
                }
            }
            TokenKind::Keyword if depth == 1 && first_keyword.is_none() => {
                first_keyword = Some(token.src(text).to_string());
            }
            _ => {}
        }
    }
    if first_keyword.is_some_and(|k| !is_directive_keyword(&k)) {
        return Ok(vec![Form {
            start: 0,
            text,
            inline: true,
        }]);
    }
    Ok(forms)
}

impl<'t> Form<'t> {
    /// The parse buffer of the form (`Form::parse` reads it).
    pub fn buffer(&self) -> Result<ParseBuffer<'t>, wast::Error> {
        ParseBuffer::new_with_lexer(lexer(self.text))
    }

    /// The form's directive, or what it was and why it did not parse.
    pub fn parse<'a>(&self, buf: &'a ParseBuffer<'a>) -> Result<Directive<'a>, Unparsed> {
        let parsed = if self.inline {
            parser::parse::<InlineModule<'a>>(buf).map(|m| m.0)
        } else {
            parser::parse::<Directive<'a>>(buf)
        };
        parsed.map_err(|mut error| {
            error.set_text(self.text);
            let text = error.to_string();
            let first = text.lines().next().unwrap_or_default().to_string();
            self.unparsed(first, error.span().offset())
        })
    }

    /// What the first tokens of the form say it is.
    pub fn unparsed(&self, error: String, offset: usize) -> Unparsed {
        let lexer = lexer(self.text);
        let mut words = lexer
            .iter(0)
            .filter_map(Result::ok)
            .filter(|t| matches!(t.kind, TokenKind::Keyword | TokenKind::Id))
            .map(|t| t.src(self.text));
        let module = self.inline || words.next() == Some("module");
        let name = words
            .next()
            .filter(|w| module && w.starts_with('$'))
            .map(|w| w[1..].to_string());
        Unparsed {
            error,
            offset,
            module,
            name,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses `text` into the kinds of its forms: the directive's keyword,
    /// `custom-malformed`/`custom-invalid`, or `unparsed` (with whether it
    /// is a module, and its name).
    fn kinds(text: &str) -> Vec<String> {
        let forms = forms(text).expect("the text lexes");
        let buffers: Vec<_> = forms.iter().map(|f| f.buffer().unwrap()).collect();
        forms
            .iter()
            .zip(&buffers)
            .map(|(form, buf)| match form.parse(buf) {
                Ok(Directive::Wast(WastDirective::Module(_))) => "module".into(),
                Ok(Directive::Wast(WastDirective::AssertReturn { .. })) => "assert_return".into(),
                Ok(Directive::Wast(_)) => "other".into(),
                Ok(Directive::Custom { kind, .. }) => format!("custom-{kind:?}"),
                Err(unparsed) => format!("unparsed {} {:?}", unparsed.module, unparsed.name),
            })
            .collect()
    }

    #[test]
    fn forms_parse_one_by_one() {
        let text = r#"
            ;; a comment (with parentheses)
            (module $M (func (export "f") (result i32) (i32.const 1)))
            (module $Legacy (func (try (do) (catch_all))))
            (assert_return (invoke "f") (i32.const 1))
            (assert_malformed_custom (module quote "(@custom)") "missing section name")
            (assert_invalid_custom (module) "an invalid custom section")
            (register "m" $M)
        "#;
        assert_eq!(
            kinds(text),
            [
                "module",
                "unparsed true Some(\"Legacy\")",
                "assert_return",
                "custom-Malformed",
                "custom-Invalid",
                "other",
            ]
        );
    }

    #[test]
    fn a_file_of_module_fields_is_one_module() {
        assert_eq!(kinds("(func) (memory 0) (func (export \"f\"))"), ["module"]);
    }

    #[test]
    fn confusable_unicode_lexes() {
        // U+202E (right-to-left override) in a name, as names.wast has.
        assert_eq!(
            kinds("(module (func (export \"\u{202e}abc\")))"),
            ["module"]
        );
    }
}
