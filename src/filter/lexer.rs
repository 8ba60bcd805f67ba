//! The tokens of Java's SQL92 selector grammar (`SelectorParser.jj`, RocketMQ 4.9.7), written
//! with nom: white space, `--` line comments (which need a line end) and `/* */` block comments
//! are skipped; keywords and identifiers are ASCII and case-insensitive; literals follow the
//! JavaCC longest-match rule (`5.5` is one float, `05` is the decimals `0` and `5`).

use nom::branch::alt;
use nom::bytes::complete::{tag, tag_no_case, take_until, take_while, take_while1};
use nom::character::complete::{char, one_of, satisfy};
use nom::combinator::{opt, recognize};
use nom::multi::many0;
use nom::sequence::{pair, preceded, tuple};
use nom::IResult;

/// The reserved words (matched ignoring case).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kw {
    Not,
    And,
    Or,
    Between,
    In,
    True,
    False,
    Null,
    Is,
}

/// The operator and punctuation tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sym {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
    LParen,
    Comma,
    RParen,
    Plus,
    Minus,
}

/// One token; literals keep their source text (a string literal is already decoded).
#[derive(Debug, Clone, PartialEq)]
pub enum Tok<'a> {
    Kw(Kw),
    Sym(Sym),
    /// DECIMAL_LITERAL: `0` or `[1-9][0-9]*` with an optional `l`/`L`.
    Decimal(&'a str),
    /// FLOATING_POINT_LITERAL: `5.5`, `5.`, `.5`, `5E10` (with optional exponent sign).
    Float(&'a str),
    /// STRING_LITERAL: `'…'` with `''` for a quote, decoded.
    Str(String),
    /// ID: `[a-z_$][a-z0-9_$]*`, ignoring case.
    Id(&'a str),
}

impl Tok<'_> {
    /// The source image, for error messages.
    pub fn image(&self) -> String {
        match self {
            Tok::Kw(k) => format!("{k:?}").to_ascii_uppercase(),
            Tok::Sym(s) => sym_text(*s).to_string(),
            Tok::Decimal(t) | Tok::Float(t) | Tok::Id(t) => (*t).to_string(),
            Tok::Str(s) => format!("'{}'", s.replace('\'', "''")),
        }
    }
}

fn sym_text(s: Sym) -> &'static str {
    match s {
        Sym::Eq => "=",
        Sym::Ne => "<>",
        Sym::Gt => ">",
        Sym::Ge => ">=",
        Sym::Lt => "<",
        Sym::Le => "<=",
        Sym::LParen => "(",
        Sym::Comma => ",",
        Sym::RParen => ")",
        Sym::Plus => "+",
        Sym::Minus => "-",
    }
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0c')
}

fn is_id_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || c == '$'
}

fn is_id_part(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '$'
}

fn line_comment(i: &str) -> IResult<&str, &str> {
    recognize(tuple((
        tag("--"),
        take_while(|c| c != '\n' && c != '\r'),
        alt((tag("\r\n"), tag("\n"), tag("\r"))),
    )))(i)
}

fn block_comment(i: &str) -> IResult<&str, &str> {
    recognize(tuple((tag("/*"), take_until("*/"), tag("*/"))))(i)
}

/// Skips white space and complete comments (an unterminated comment is left for the lexer,
/// which then fails on it or reads `-` as a minus, as JavaCC does).
pub fn skip(i: &str) -> &str {
    let r: IResult<&str, Vec<&str>> =
        many0(alt((take_while1(is_space), line_comment, block_comment)))(i);
    match r {
        Ok((rest, _)) => rest,
        Err(_) => i,
    }
}

fn digits(i: &str) -> IResult<&str, &str> {
    take_while1(|c: char| c.is_ascii_digit())(i)
}

fn exponent(i: &str) -> IResult<&str, &str> {
    recognize(tuple((one_of("eE"), opt(one_of("+-")), digits)))(i)
}

fn float_literal(i: &str) -> IResult<&str, &str> {
    alt((
        recognize(tuple((digits, char('.'), opt(digits), opt(exponent)))),
        recognize(tuple((char('.'), digits, opt(exponent)))),
        recognize(pair(digits, exponent)),
    ))(i)
}

fn decimal_literal(i: &str) -> IResult<&str, &str> {
    alt((
        recognize(tuple((
            satisfy(|c| ('1'..='9').contains(&c)),
            take_while(|c: char| c.is_ascii_digit()),
            opt(one_of("lL")),
        ))),
        tag("0"),
    ))(i)
}

fn string_literal(i: &str) -> IResult<&str, String> {
    let (rest, parts) = preceded(
        char('\''),
        many0(alt((
            nom::combinator::value("'", tag("''")),
            take_while1(|c| c != '\''),
        ))),
    )(i)?;
    let (rest, _) = char('\'')(rest)?;
    Ok((rest, parts.concat()))
}

fn identifier(i: &str) -> IResult<&str, &str> {
    recognize(pair(satisfy(is_id_start), take_while(is_id_part)))(i)
}

fn symbol(i: &str) -> IResult<&str, Sym> {
    use nom::combinator::value as v;
    alt((
        v(Sym::Ne, tag("<>")),
        v(Sym::Ge, tag(">=")),
        v(Sym::Le, tag("<=")),
        v(Sym::Eq, tag("=")),
        v(Sym::Gt, tag(">")),
        v(Sym::Lt, tag("<")),
        v(Sym::LParen, tag("(")),
        v(Sym::Comma, tag(",")),
        v(Sym::RParen, tag(")")),
        v(Sym::Plus, tag("+")),
        v(Sym::Minus, tag("-")),
    ))(i)
}

fn keyword(id: &str) -> Option<Kw> {
    const WORDS: [(&str, Kw); 9] = [
        ("NOT", Kw::Not),
        ("AND", Kw::And),
        ("OR", Kw::Or),
        ("BETWEEN", Kw::Between),
        ("IN", Kw::In),
        ("TRUE", Kw::True),
        ("FALSE", Kw::False),
        ("NULL", Kw::Null),
        ("IS", Kw::Is),
    ];
    WORDS
        .iter()
        .find(|(w, _)| {
            let r: IResult<&str, &str> = tag_no_case(*w)(id);
            matches!(r, Ok(("", _)))
        })
        .map(|(_, k)| *k)
}

/// Reads one token at the very start of `i` (no skipping); `None` when no token starts here
/// (a lexical error in Java, `TokenMgrError`).
pub fn lex(i: &str) -> Option<(&str, Tok<'_>)> {
    let first = i.chars().next()?;
    if first.is_ascii_digit() || first == '.' {
        let f = float_literal(i).ok();
        let d = decimal_literal(i).ok();
        return match (f, d) {
            (Some((fr, ft)), Some((_, dt))) if ft.len() > dt.len() => Some((fr, Tok::Float(ft))),
            (_, Some((dr, dt))) => Some((dr, Tok::Decimal(dt))),
            (Some((fr, ft)), None) => Some((fr, Tok::Float(ft))),
            (None, None) => None,
        };
    }
    if first == '\'' {
        return string_literal(i).ok().map(|(r, s)| (r, Tok::Str(s)));
    }
    if is_id_start(first) {
        let (r, id) = identifier(i).ok()?;
        return Some((r, keyword(id).map_or(Tok::Id(id), Tok::Kw)));
    }
    symbol(i).ok().map(|(r, s)| (r, Tok::Sym(s)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(mut i: &str) -> Vec<Tok<'_>> {
        let mut v = Vec::new();
        loop {
            i = skip(i);
            match lex(i) {
                Some((r, t)) => {
                    v.push(t);
                    i = r;
                }
                None => return v,
            }
        }
    }

    #[test]
    fn longest_match_and_keywords() {
        assert_eq!(
            all("a>=5.5 AND b<>05 or NOTx IS not NULL"),
            vec![
                Tok::Id("a"),
                Tok::Sym(Sym::Ge),
                Tok::Float("5.5"),
                Tok::Kw(Kw::And),
                Tok::Id("b"),
                Tok::Sym(Sym::Ne),
                Tok::Decimal("0"),
                Tok::Decimal("5"),
                Tok::Kw(Kw::Or),
                Tok::Id("NOTx"),
                Tok::Kw(Kw::Is),
                Tok::Kw(Kw::Not),
                Tok::Kw(Kw::Null),
            ]
        );
        assert_eq!(
            all("10L 5e3 .5 5. 1E+2x"),
            vec![
                Tok::Decimal("10L"),
                Tok::Float("5e3"),
                Tok::Float(".5"),
                Tok::Float("5."),
                Tok::Float("1E+2"),
                Tok::Id("x")
            ]
        );
    }

    #[test]
    fn strings_and_comments() {
        assert_eq!(
            all("'it''s' /* c */ -- line\n 'x'"),
            vec![Tok::Str("it's".into()), Tok::Str("x".into())]
        );
        // A line comment without a line end is two minus signs (JavaCC).
        assert_eq!(
            all("--1"),
            vec![
                Tok::Sym(Sym::Minus),
                Tok::Sym(Sym::Minus),
                Tok::Decimal("1")
            ]
        );
        assert_eq!(lex("'open"), None);
        assert_eq!(lex("#"), None);
        assert_eq!(lex("!="), None);
    }
}
