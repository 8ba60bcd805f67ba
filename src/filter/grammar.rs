//! The SQL92 selector grammar of Java's `SelectorParser.jj` (RocketMQ 4.9.7) as nom parser
//! combinators, producing a plain syntax tree ([`Syn`]); `build.rs` then applies Java's
//! construction checks. Precedence, loosest first: `OR`, `AND`, `=`/`<>`/`IS [NOT] NULL`,
//! `>`/`>=`/`<`/`<=`/`[NOT] BETWEEN`/`[NOT] IN`, unary `+`/`-`/`NOT`. As in JavaCC, an operator
//! commits (`a = 1 AND` fails), and text after a complete expression is ignored as long as its
//! first token is a valid one that cannot continue the expression (`a = 1 b` is `a = 1`).

use nom::branch::alt;
use nom::combinator::cut;
use nom::error::{ErrorKind, ParseError};
use nom::multi::{many0, separated_list1};
use nom::sequence::{delimited, preceded, tuple};
use nom::{Err as NomErr, IResult};

use super::lexer::{lex, skip, Kw, Sym, Tok};

/// The raw syntax tree.
#[derive(Debug, Clone, PartialEq)]
pub enum Syn {
    Or(Box<Syn>, Box<Syn>),
    And(Box<Syn>, Box<Syn>),
    Eq(Box<Syn>, Box<Syn>),
    Ne(Box<Syn>, Box<Syn>),
    IsNull(Box<Syn>),
    IsNotNull(Box<Syn>),
    /// `>`, `>=`, `<`, `<=`.
    Cmp(Sym, Box<Syn>, Box<Syn>),
    Between {
        not: bool,
        value: Box<Syn>,
        low: Box<Syn>,
        high: Box<Syn>,
    },
    In {
        not: bool,
        value: Box<Syn>,
        list: Vec<String>,
    },
    Negate(Box<Syn>),
    Not(Box<Syn>),
    Decimal(String),
    Float(String),
    Str(String),
    True,
    False,
    Null,
    Property(String),
}

/// Where and why the text is not a selector.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError<'a> {
    /// The input from the failing token on (white space skipped).
    pub rest: &'a str,
}

impl<'a> ParseError<&'a str> for SyntaxError<'a> {
    fn from_error_kind(input: &'a str, _: ErrorKind) -> Self {
        SyntaxError { rest: input }
    }
    fn append(_: &'a str, _: ErrorKind, other: Self) -> Self {
        other
    }
    fn or(self, other: Self) -> Self {
        // Keep the error that got further.
        if other.rest.len() < self.rest.len() {
            other
        } else {
            self
        }
    }
}

type Res<'a, T> = IResult<&'a str, T, SyntaxError<'a>>;

/// Any one token (after white space and comments).
fn token(i: &str) -> Res<'_, Tok<'_>> {
    let s = skip(i);
    match lex(s) {
        Some((rest, t)) => Ok((rest, t)),
        None => Err(NomErr::Error(SyntaxError { rest: s })),
    }
}

fn expect<'a, T>(
    what: &'static str,
    f: impl Fn(Tok<'a>) -> Option<T>,
) -> impl FnMut(&'a str) -> Res<'a, T> {
    let _ = what;
    move |i: &'a str| {
        let (rest, t) = token(i)?;
        match f(t) {
            Some(v) => Ok((rest, v)),
            None => Err(NomErr::Error(SyntaxError { rest: skip(i) })),
        }
    }
}

fn kw<'a>(k: Kw) -> impl FnMut(&'a str) -> Res<'a, ()> {
    expect("keyword", move |t| (t == Tok::Kw(k)).then_some(()))
}

fn sym<'a>(s: Sym) -> impl FnMut(&'a str) -> Res<'a, ()> {
    expect("symbol", move |t| (t == Tok::Sym(s)).then_some(()))
}

fn string_lit(i: &str) -> Res<'_, String> {
    expect("string", |t| match t {
        Tok::Str(s) => Some(s),
        _ => None,
    })(i)
}

fn bx(s: Syn) -> Box<Syn> {
    Box::new(s)
}

fn or_expr(i: &str) -> Res<'_, Syn> {
    let (i, first) = and_expr(i)?;
    let (i, rest) = many0(preceded(kw(Kw::Or), cut(and_expr)))(i)?;
    Ok((
        i,
        rest.into_iter().fold(first, |l, r| Syn::Or(bx(l), bx(r))),
    ))
}

fn and_expr(i: &str) -> Res<'_, Syn> {
    let (i, first) = equality_expr(i)?;
    let (i, rest) = many0(preceded(kw(Kw::And), cut(equality_expr)))(i)?;
    Ok((
        i,
        rest.into_iter().fold(first, |l, r| Syn::And(bx(l), bx(r))),
    ))
}

enum EqTail {
    Eq(Syn),
    Ne(Syn),
    IsNull,
    IsNotNull,
}

fn equality_expr(i: &str) -> Res<'_, Syn> {
    let (i, first) = comparison_expr(i)?;
    let tail = alt((
        preceded(sym(Sym::Eq), cut(comparison_expr)).map_eq(EqTail::Eq),
        preceded(sym(Sym::Ne), cut(comparison_expr)).map_eq(EqTail::Ne),
        preceded(
            kw(Kw::Is),
            cut(alt((
                kw(Kw::Null).map_eq(|_| EqTail::IsNull),
                preceded(kw(Kw::Not), kw(Kw::Null)).map_eq(|_| EqTail::IsNotNull),
            ))),
        ),
    ));
    let (i, tails) = many0(tail)(i)?;
    let out = tails.into_iter().fold(first, |l, t| match t {
        EqTail::Eq(r) => Syn::Eq(bx(l), bx(r)),
        EqTail::Ne(r) => Syn::Ne(bx(l), bx(r)),
        EqTail::IsNull => Syn::IsNull(bx(l)),
        EqTail::IsNotNull => Syn::IsNotNull(bx(l)),
    });
    Ok((i, out))
}

/// `map` that reads well inside `alt` lists.
trait MapEq<'a, O>: Sized {
    fn map_eq<U>(self, f: impl FnMut(O) -> U) -> impl FnMut(&'a str) -> Res<'a, U>;
}

impl<'a, O, P: FnMut(&'a str) -> Res<'a, O>> MapEq<'a, O> for P {
    fn map_eq<U>(mut self, mut f: impl FnMut(O) -> U) -> impl FnMut(&'a str) -> Res<'a, U> {
        move |i| {
            let (r, o) = self(i)?;
            Ok((r, f(o)))
        }
    }
}

enum CmpTail {
    Op(Sym, Syn),
    Between(bool, Syn, Syn),
    In(bool, Vec<String>),
}

fn in_list(i: &str) -> Res<'_, Vec<String>> {
    preceded(
        kw(Kw::In),
        cut(delimited(
            sym(Sym::LParen),
            separated_list1(sym(Sym::Comma), string_lit),
            sym(Sym::RParen),
        )),
    )(i)
}

fn between(i: &str) -> Res<'_, (Syn, Syn)> {
    preceded(
        kw(Kw::Between),
        cut(tuple((unary_expr, kw(Kw::And), unary_expr)).map_eq(|(l, _, h)| (l, h))),
    )(i)
}

fn comparison_expr(i: &str) -> Res<'_, Syn> {
    let (i, first) = unary_expr(i)?;
    let op = |s: Sym| preceded(sym(s), cut(unary_expr)).map_eq(move |r| CmpTail::Op(s, r));
    let tail = alt((
        op(Sym::Gt),
        op(Sym::Ge),
        op(Sym::Lt),
        op(Sym::Le),
        between.map_eq(|(l, h)| CmpTail::Between(false, l, h)),
        in_list.map_eq(|l| CmpTail::In(false, l)),
        preceded(
            kw(Kw::Not),
            cut(alt((
                between.map_eq(|(l, h)| CmpTail::Between(true, l, h)),
                in_list.map_eq(|l| CmpTail::In(true, l)),
            ))),
        ),
    ));
    let (i, tails) = many0(tail)(i)?;
    let out = tails.into_iter().fold(first, |l, t| match t {
        CmpTail::Op(s, r) => Syn::Cmp(s, bx(l), bx(r)),
        CmpTail::Between(not, low, high) => Syn::Between {
            not,
            value: bx(l),
            low: bx(low),
            high: bx(high),
        },
        CmpTail::In(not, list) => Syn::In {
            not,
            value: bx(l),
            list,
        },
    });
    Ok((i, out))
}

fn unary_expr(i: &str) -> Res<'_, Syn> {
    alt((
        preceded(sym(Sym::Plus), cut(unary_expr)),
        preceded(sym(Sym::Minus), cut(unary_expr)).map_eq(|e| Syn::Negate(bx(e))),
        preceded(kw(Kw::Not), cut(unary_expr)).map_eq(|e| Syn::Not(bx(e))),
        primary_expr,
    ))(i)
}

fn primary_expr(i: &str) -> Res<'_, Syn> {
    alt((
        expect("literal or property", |t| match t {
            Tok::Str(s) => Some(Syn::Str(s)),
            Tok::Decimal(d) => Some(Syn::Decimal(d.to_string())),
            Tok::Float(f) => Some(Syn::Float(f.to_string())),
            Tok::Kw(Kw::True) => Some(Syn::True),
            Tok::Kw(Kw::False) => Some(Syn::False),
            Tok::Kw(Kw::Null) => Some(Syn::Null),
            Tok::Id(id) => Some(Syn::Property(id.to_string())),
            _ => None,
        }),
        preceded(sym(Sym::LParen), cut(or_expr)).and_close(),
    ))(i)
}

/// `( expr )`: the closing parenthesis, committed.
trait AndClose<'a>: Sized {
    fn and_close(self) -> impl FnMut(&'a str) -> Res<'a, Syn>;
}

impl<'a, P: FnMut(&'a str) -> Res<'a, Syn>> AndClose<'a> for P {
    fn and_close(mut self) -> impl FnMut(&'a str) -> Res<'a, Syn> {
        move |i| {
            let (r, e) = self(i)?;
            let (r, _) = cut(sym(Sym::RParen))(r)?;
            Ok((r, e))
        }
    }
}

/// Parses a whole selector. On failure, the input from the failing token on.
pub fn parse(text: &str) -> Result<Syn, SyntaxError<'_>> {
    let (rest, e) = match or_expr(text) {
        Ok(v) => v,
        Err(NomErr::Error(e)) | Err(NomErr::Failure(e)) => return Err(e),
        Err(NomErr::Incomplete(_)) => return Err(SyntaxError { rest: text }),
    };
    // Java reads one token past the expression (to look for an operator): it must lex.
    let after = skip(rest);
    if !after.is_empty() && lex(after).is_none() {
        return Err(SyntaxError { rest: after });
    }
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Syn {
        match parse(s) {
            Ok(e) => e,
            Err(e) => panic!("{s:?} failed at {:?}", e.rest),
        }
    }

    #[test]
    fn precedence() {
        let e = p("a = 1 OR b > 2 AND NOT c IS NULL");
        let expect = Syn::Or(
            bx(Syn::Eq(
                bx(Syn::Property("a".into())),
                bx(Syn::Decimal("1".into())),
            )),
            bx(Syn::And(
                bx(Syn::Cmp(
                    Sym::Gt,
                    bx(Syn::Property("b".into())),
                    bx(Syn::Decimal("2".into())),
                )),
                bx(Syn::IsNull(bx(Syn::Not(bx(Syn::Property("c".into())))))),
            )),
        );
        assert_eq!(e, expect);
    }

    #[test]
    fn commits_and_trailing_text() {
        for bad in [
            "a = 1 AND",
            "a = 1 OR",
            "a =",
            "a IS b",
            "a NOT LIKE 'x'",
            "a IN ()",
            "a IN (1)",
            "(a = 1",
            "a BETWEEN 1 OR 2",
            "a = 1 #",
            "a = 1 'open",
            "",
            "   ",
            "a == 1",
            "a != 1",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} parsed");
        }
        assert_eq!(p("a = 1 b c"), p("a = 1"));
        assert_eq!(p("a > 1 - 2"), p("a > 1"));
        assert_eq!(p("a = 1)"), p("a = 1"));
    }
}
