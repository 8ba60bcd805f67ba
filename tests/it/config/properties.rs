//! The `.properties` reader follows `java.util.Properties.load`: separators, comments,
//! continuations, escapes, trailing blanks; and it works as a `config` crate format.

use rocketactor::config::{parse_properties, Properties, PropertiesFormat};

fn parse(text: &str) -> Properties {
    parse_properties(text).unwrap_or_else(|e| panic!("{text:?} must parse: {e}"))
}

fn pairs(text: &str) -> Vec<(String, String)> {
    parse(text)
        .entries
        .into_iter()
        .map(|e| (e.key, e.value))
        .collect()
}

fn kv(k: &str, v: &str) -> (String, String) {
    (k.to_owned(), v.to_owned())
}

#[test]
fn equals_colon_and_whitespace_separate_key_and_value() {
    assert_eq!(
        pairs("a=1\nb:2\nc 3\nd\t4\ne = 5\nf  :  6\ng\n"),
        [
            kv("a", "1"),
            kv("b", "2"),
            kv("c", "3"),
            kv("d", "4"),
            kv("e", "5"),
            kv("f", "6"),
            kv("g", "")
        ]
    );
    // Only the first separator counts; a second one belongs to the value.
    assert_eq!(
        pairs("a==1\nb = :2\nc::3\n"),
        [kv("a", "=1"), kv("b", ":2"), kv("c", ":3")]
    );
    assert_eq!(
        pairs("url=host:9876;h2:9876"),
        [kv("url", "host:9876;h2:9876")]
    );
}

#[test]
fn comments_and_blank_lines_are_skipped() {
    let p = parse(
        "# comment\n! also a comment\n   # indented comment\n\n  \t\nkey=value # not a comment\n",
    );
    assert_eq!(p.entries.len(), 1);
    assert_eq!(p.get("key"), Some("value # not a comment"));
    assert_eq!(p.line_of("key"), Some(6));
}

#[test]
fn utf8_chinese_comments_are_fine() {
    let p = parse("#所属集群名字\nbrokerClusterName=rocketmq-cluster\n#0 表示 Master，>0 表示 Slave\nbrokerId=0\n");
    assert_eq!(p.get("brokerClusterName"), Some("rocketmq-cluster"));
    assert_eq!(p.line_of("brokerId"), Some(4));
}

#[test]
fn backslash_continues_a_line_and_skips_leading_blanks() {
    let p = parse("namesrvAddr=ns1:9876;\\\n    ns2:9876\nnext=1\n");
    assert_eq!(p.get("namesrvAddr"), Some("ns1:9876;ns2:9876"));
    // The entry keeps the line where it starts; later lines are counted correctly.
    assert_eq!(p.line_of("namesrvAddr"), Some(1));
    assert_eq!(p.line_of("next"), Some(3));
    // An even number of backslashes is an escaped backslash, not a continuation.
    assert_eq!(pairs("a=x\\\\\nb=y\n"), [kv("a", "x\\"), kv("b", "y")]);
    // A continuation line starting with # is value text, not a comment.
    assert_eq!(pairs("a=1\\\n  #2\n"), [kv("a", "1#2")]);
    // A comment line ending with a backslash does not continue.
    assert_eq!(pairs("# note \\\nb=2\n"), [kv("b", "2")]);
    // Continuations work with CRLF endings too.
    assert_eq!(
        pairs("a=1\\\r\n  2\r\nb=3\r\n"),
        [kv("a", "12"), kv("b", "3")]
    );
}

#[test]
fn escapes_are_resolved_in_keys_and_values() {
    assert_eq!(pairs("tab=a\\tb"), [kv("tab", "a\tb")]);
    assert_eq!(pairs("nl=a\\nb\\rc\\fd"), [kv("nl", "a\nb\rc\u{000c}d")]);
    assert_eq!(pairs("u=\\u6d4b\\u8BD5"), [kv("u", "测试")]);
    assert_eq!(pairs("other=\\q\\#\\!"), [kv("other", "q#!")]);
    assert_eq!(pairs("key\\ with\\ space=v"), [kv("key with space", "v")]);
    assert_eq!(pairs("a\\=b=c"), [kv("a=b", "c")]);
    assert_eq!(pairs("a\\:b:c"), [kv("a:b", "c")]);
    assert_eq!(pairs("path=C:\\\\store"), [kv("path", "C:\\store")]);
}

#[test]
fn malformed_unicode_escape_is_an_error_with_its_line() {
    let err = parse_properties("a=1\nb=\\u12\n").unwrap_err();
    assert_eq!(err.line, 2);
    assert!(err.message.contains("\\uxxxx"), "{err}");
    assert!(parse_properties("\\uzzzz=1").is_err());
}

#[test]
fn trailing_blanks_are_kept_in_values_as_java_does() {
    assert_eq!(pairs("a=1  \nb=x\t\n"), [kv("a", "1  "), kv("b", "x\t")]);
    // Leading blanks of the value are skipped.
    assert_eq!(pairs("a=   1"), [kv("a", "1")]);
}

#[test]
fn duplicates_are_kept_and_the_last_wins() {
    let p = parse("a=1\na=2\n");
    assert_eq!(p.entries.len(), 2);
    assert_eq!(p.get("a"), Some("2"));
    assert_eq!(p.line_of("a"), Some(2));
}

#[test]
fn byte_order_mark_is_skipped() {
    assert_eq!(pairs("\u{feff}brokerName=b"), [kv("brokerName", "b")]);
}

#[test]
fn works_as_a_config_crate_format() {
    let format = PropertiesFormat::new();
    let cfg = config::Config::builder()
        .add_source(config::File::from_str(
            "listenPort = 10911\nbrokerName:broker-a\n",
            format.clone(),
        ))
        .build()
        .expect("config builds");
    // The config crate lower-cases keys; values stay strings.
    assert_eq!(cfg.get_string("listenport").unwrap(), "10911");
    assert_eq!(cfg.get_int("listenport").unwrap(), 10911);
    assert_eq!(cfg.get_string("brokername").unwrap(), "broker-a");
    // Our own parse, with original spelling and lines, stays available.
    let parsed = format.parsed().expect("recorded");
    assert_eq!(parsed.line_of("brokerName"), Some(2));
}

#[test]
fn config_crate_reports_syntax_errors() {
    let err = config::Config::builder()
        .add_source(config::File::from_str("a=\\u00", PropertiesFormat::new()))
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("line 1"), "{err}");
}
