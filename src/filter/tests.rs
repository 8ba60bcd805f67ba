//! The SQL92 filter against Java 4.9.7's semantics: a table of expressions × property sets
//! (read off the Java expression classes), the expressions Java refuses, and a proptest that
//! compiling and evaluating random text never panics.

use std::collections::HashMap;

use proptest::prelude::*;

use super::*;

fn props(kv: &[(&str, &str)]) -> HashMap<String, String> {
    kv.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn sel(e: &str) -> Selector {
    match compile(SQL92, e) {
        Ok(s) => s,
        Err(err) => panic!("{e:?} refused: {err}"),
    }
}

/// Property pairs of one row.
type Kv = &'static [(&'static str, &'static str)];

/// (expression, properties, matches)
const TABLE: &[(&str, Kv, bool)] = &[
    // equality, strings and numbers
    ("a = 'x'", &[("a", "x")], true),
    ("a = 'x'", &[("a", "y")], false),
    ("a = 'x'", &[], false),
    ("a <> 'x'", &[("a", "y")], true),
    ("a <> 'x'", &[], false), // NOT null is null
    ("a = 3", &[("a", "3")], true),
    ("a = 3", &[("a", "+3")], true),
    ("a = 3", &[("a", "3.0")], false), // Integer.valueOf("3.0") throws
    ("a = 3.0", &[("a", "3")], true),  // Double.valueOf("3")
    ("a = 3", &[("a", "abc")], false), // throws: no match
    ("a <> 3", &[("a", "abc")], false), // still throws
    ("a = 3000000000", &[("a", "3000000000")], true),
    ("a = 5", &[("a", "3000000000")], false), // Integer overflow throws
    ("a = TRUE", &[("a", "TRUE")], true),
    ("a = TRUE", &[("a", "yes")], false),
    ("a = FALSE", &[("a", "yes")], true), // Boolean.valueOf("yes") is false
    ("a = b", &[], true),                 // null == null in doCreateEqual
    ("a = b", &[("a", "1")], false),
    ("a <> b", &[("a", "1")], true),
    ("a <> b", &[("b", "1")], false), // left null: null
    ("a = b", &[("a", "1"), ("b", "1")], true),
    ("a = b", &[("a", "1"), ("b", "01")], false), // strings, not numbers
    ("1 = TRUE", &[], false),
    // ordering
    ("a > 5", &[("a", "6")], true),
    ("a > 5", &[("a", "5")], false),
    ("a > 5", &[("a", "5.5")], false), // Integer.valueOf throws
    ("a > 5.0", &[("a", "5.5")], true),
    ("a > 5", &[], false),
    ("a >= 5 AND a <= 5", &[("a", "5")], true),
    ("a < -1", &[("a", "-2")], true),
    ("a < - -1", &[("a", "0")], true),
    ("a > +1", &[("a", "2")], true),
    ("a > b", &[("a", "10"), ("b", "9.5")], true), // two strings: both as doubles
    ("a > b", &[("a", "x"), ("b", "1")], false),
    ("a > 1.5E1", &[("a", "16")], true),
    ("a < 10L", &[("a", "9")], true),
    ("a > 1 - 2", &[("a", "0")], false), // `- 2` is ignored: a > 1
    // BETWEEN / IN
    ("a BETWEEN 1 AND 3", &[("a", "2")], true),
    ("a BETWEEN 1 AND 3", &[("a", "4")], false),
    ("a BETWEEN 1 AND 1", &[("a", "1")], true),
    ("a NOT BETWEEN 1 AND 3", &[("a", "4")], true),
    ("a NOT BETWEEN 1 AND 3", &[("a", "2")], false),
    ("a NOT BETWEEN 1 AND 3", &[], false),
    ("a BETWEEN 5 AND -5", &[("a", "0")], false), // unchecked: -5 is no constant
    ("a IN ('x', 'y')", &[("a", "y")], true),
    ("a IN ('x', 'y')", &[("a", "z")], false),
    ("a IN ('1')", &[("a", "1")], true),
    ("a NOT IN ('x')", &[("a", "z")], true),
    ("a NOT IN ('x')", &[], false),
    ("a IN ('a','b','c','d','e','f')", &[("a", "f")], true),
    // NULL tests
    ("a IS NULL", &[], true),
    ("a IS NULL", &[("a", "1")], false),
    ("a IS NOT NULL", &[("a", "1")], true),
    ("a IS NOT NULL", &[], false),
    ("(a = 1) IS NULL", &[], true),
    // logic: three-valued
    ("a = 1 OR b = 1", &[("b", "1")], true),
    ("a = 1 AND b = 1", &[("b", "1")], false),
    ("NOT (a = 1)", &[("a", "2")], true),
    ("NOT (a = 1)", &[], false),
    ("NOT a = 1", &[("a", "1")], false), // (NOT a) = 1: Boolean vs Integer
    ("a = 1 OR b > 1", &[("a", "1"), ("b", "x")], true), // short-circuit
    ("b > 1 OR a = 1", &[("a", "1"), ("b", "x")], false), // left throws first
    ("a", &[("a", "true")], false),      // a bare property is a boolean cast of a string
    ("TRUE", &[], true),
    ("FALSE OR TRUE", &[], true),
    ("NULL", &[], false),
    ("a = 1 b c", &[("a", "1")], true), // trailing tokens ignored, as in Java
    // case, white space, comments, quotes
    ("A = 1", &[("a", "1")], false),
    ("a = 'It''s'", &[("a", "It's")], true),
    ("a=1 and b=2", &[("a", "1"), ("b", "2")], true),
    ("/* c */ a = 1 -- end\n", &[("a", "1")], true),
    ("$x_1 = 'v'", &[("$x_1", "v")], true),
    ("TAGS = 'TagA'", &[("TAGS", "TagA")], true),
    (
        "TAGS IN ('TagA', 'TagB') AND KEYS IS NOT NULL",
        &[("TAGS", "TagB"), ("KEYS", "k")],
        true,
    ),
    ("CONTAINS = 'x'", &[("CONTAINS", "x")], true), // not a keyword in 4.9.7
];

#[test]
fn table_of_expressions_and_properties() {
    for (expr, kv, want) in TABLE {
        let s = sel(expr);
        let got = s.matches(&props(kv));
        assert_eq!(got, *want, "{expr:?} with {kv:?}");
    }
}

#[test]
fn refused_like_java() {
    let refused = [
        "",
        "a =",
        "a = NULL", // checkEqualOperand
        "NULL = a",
        "TRUE = 1", // checkEqualOperandCompatability
        "a > 'x'",  // checkLessThanOperand: string constant
        "a > TRUE",
        "a > (b = 1)",       // boolean expression
        "a BETWEEN 3 AND 1", // left must be <= right
        "a BETWEEN NULL AND 1",
        "a BETWEEN 'a' AND 'b'",
        "'x' IN ('x')", // IN needs a property
        "'x'",          // not a boolean
        "1",
        "a = 1 AND 2",
        "NOT 1",
        "a > 0.0",   // below Double.MIN_VALUE
        "a > 1e400", // above Double.MAX_VALUE
        "a > 9223372036854775808",
        "a IN (1, 2)",
        "a = 1 AND",
        "a != 1",
        "a = 1 #",
        "a IS 1",
        "NOT a BETWEEN 1 AND 2", // (NOT a) is boolean: cannot be compared
        "(a = 1",
    ];
    for e in refused {
        match compile(SQL92, e) {
            Err(FilterError::Invalid(msg)) => assert!(!msg.is_empty()),
            other => panic!("{e:?} gave {other:?}"),
        }
    }
    // LIKE is 5.x: here `a` is a bare property and `LIKE 'x%'` ignored text, as in Java.
    assert!(compile(SQL92, "a LIKE 'x%'").is_ok());
    assert_eq!(
        compile("sql92", "a = 1"),
        Err(FilterError::UnknownType("sql92".into()))
    );
}

#[test]
fn java_remarks() {
    let msg = |e: &str| match compile(SQL92, e) {
        Err(FilterError::Invalid(m)) => m,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        msg("a > 'x'"),
        "java.lang.RuntimeException: Value ''x'' cannot be compared."
    );
    assert_eq!(
        msg("a = NULL"),
        "java.lang.RuntimeException: 'NULL' cannot be compared."
    );
    assert_eq!(
        msg("a BETWEEN 3 AND 1"),
        "java.lang.RuntimeException: Illegal values of between, left value(3) must less than or equal to right value(1)"
    );
    assert_eq!(
        msg("'x' IN ('y')"),
        "java.lang.RuntimeException: Expected a property for In expression, got: 'x'"
    );
    assert_eq!(
        msg("a = 1 AND"),
        "org.apache.rocketmq.filter.parser.ParseException: Encountered \"<EOF>\" at line 1, column 10."
    );
    assert!(msg("a = 1 # b").contains("Lexical error at line 1, column 7"));
}

#[test]
fn matches_a_stored_record() {
    let s = sel("TAGS = 'A' AND color = 'red'");
    let props = StoredProperties::parse("TAGS\u{1}A\u{2}color\u{1}red\u{2}color\u{1}red");
    assert!(s.matches(&props));
    let later_wins = StoredProperties::parse("color\u{1}blue\u{2}color\u{1}red\u{2}TAGS\u{1}A");
    assert!(s.matches(&later_wins));
    assert!(!s.matches_record(b"not a record"));
}

proptest! {
    #[test]
    fn never_panics(text in "[ a-zA-Z0-9'()<>=,.+\\-*/#$_!\n]{0,60}", v in "[ a-z0-9.+\\-]{0,8}") {
        if let Ok(s) = compile(SQL92, &text) {
            let p = props(&[("a", &v), ("b", &v), ("TAGS", &v)]);
            let _ = s.matches(&p);
        }
    }

    #[test]
    fn never_panics_on_keywords(words in proptest::collection::vec(
        prop_oneof![
            Just("a"), Just("b"), Just("AND"), Just("OR"), Just("NOT"), Just("BETWEEN"),
            Just("IN"), Just("IS"), Just("NULL"), Just("TRUE"), Just("FALSE"), Just("("),
            Just(")"), Just(","), Just("="), Just("<>"), Just(">"), Just("<="), Just("-"),
            Just("1"), Just("2.5"), Just("'s'"), Just("3000000000"),
        ], 0..14), v in "[0-9a-z.]{0,4}") {
        let text = words.join(" ");
        if let Ok(s) = compile(SQL92, &text) {
            let _ = s.matches(&props(&[("a", &v), ("b", "1")]));
        }
    }
}
