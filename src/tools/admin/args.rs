//! The command line of one admin sub-command, parsed the way mqadmin's commons-cli
//! `PosixParser` does: `-n addr`, `-naddr`, `--namesrvAddr addr`, `--namesrvAddr=addr`, flags
//! without a value, required options checked after parsing. Every command also takes mqadmin's
//! common options `-h` and `-n` (Java `ServerUtil.buildCommandlineOptions`).

use std::collections::BTreeMap;

use super::error::AdminError;

/// One option of a command (Java `Option(short, long, hasArg, description)` + `setRequired`).
#[derive(Debug, Clone, Copy)]
pub struct OptSpec {
    pub short: char,
    pub long: &'static str,
    pub has_arg: bool,
    pub required: bool,
    pub desc: &'static str,
}

/// An optional option taking a value.
pub const fn opt(short: char, long: &'static str, desc: &'static str) -> OptSpec {
    OptSpec {
        short,
        long,
        has_arg: true,
        required: false,
        desc,
    }
}

/// A required option taking a value.
pub const fn req(short: char, long: &'static str, desc: &'static str) -> OptSpec {
    OptSpec {
        required: true,
        ..opt(short, long, desc)
    }
}

/// A flag (no value).
pub const fn flag(short: char, long: &'static str, desc: &'static str) -> OptSpec {
    OptSpec {
        has_arg: false,
        ..opt(short, long, desc)
    }
}

/// The options every command has (Java `ServerUtil.buildCommandlineOptions`).
pub const COMMON: &[OptSpec] = &[
    flag('h', "help", "Print help"),
    opt(
        'n',
        "namesrvAddr",
        "Name server address list, eg: '192.168.0.1:9876;192.168.0.2:9876'",
    ),
];

/// A parsed command line: option values by short name.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    values: BTreeMap<char, String>,
    flags: Vec<char>,
}

impl Parsed {
    /// Whether option `c` was given (flag or valued).
    pub fn has(&self, c: char) -> bool {
        self.flags.contains(&c) || self.values.contains_key(&c)
    }

    /// The trimmed value of option `c`, as Java's `getOptionValue(c).trim()`.
    pub fn get(&self, c: char) -> Option<&str> {
        self.values.get(&c).map(|s| s.trim())
    }

    /// The value of a required option (the parser already checked it is there).
    pub fn must(&self, c: char) -> Result<&str, AdminError> {
        self.get(c)
            .ok_or_else(|| AdminError::Usage(format!("Missing required option: {c}")))
    }

    /// A value parsed as a number, with Java's NumberFormatException text on failure.
    pub fn num<T: std::str::FromStr>(&self, c: char) -> Result<Option<T>, AdminError> {
        match self.get(c) {
            None => Ok(None),
            Some(v) => v
                .parse()
                .map(Some)
                .map_err(|_| AdminError::Usage(format!("For input string: \"{v}\" (option -{c})"))),
        }
    }

    /// A boolean value as Java's `Boolean.parseBoolean` (only "true", any case, is true).
    pub fn bool_of(&self, c: char) -> Option<bool> {
        self.get(c).map(|v| v.eq_ignore_ascii_case("true"))
    }
}

/// Parses `args` against the command's `specs` plus [`COMMON`].
pub fn parse(specs: &[OptSpec], args: &[String]) -> Result<Parsed, AdminError> {
    let all: Vec<&OptSpec> = COMMON.iter().chain(specs.iter()).collect();
    let find_short = |c: char| all.iter().copied().find(|s| s.short == c);
    let find_long = |l: &str| all.iter().copied().find(|s| s.long == l);
    let mut p = Parsed::default();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        let (spec, inline) = if let Some(long) = a.strip_prefix("--") {
            let (name, val) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_owned())),
                None => (long, None),
            };
            let spec = find_long(name)
                .ok_or_else(|| AdminError::Usage(format!("Unrecognized option: {a}")))?;
            (spec, val)
        } else if let Some(short) = a.strip_prefix('-') {
            let mut chars = short.chars();
            let c = chars
                .next()
                .ok_or_else(|| AdminError::Usage("Unrecognized option: -".into()))?;
            let spec = find_short(c)
                .ok_or_else(|| AdminError::Usage(format!("Unrecognized option: {a}")))?;
            let rest: String = chars.collect();
            (spec, (!rest.is_empty()).then_some(rest))
        } else {
            // commons-cli keeps stray arguments; mqadmin's commands ignore them.
            continue;
        };
        if spec.has_arg {
            let value = match inline {
                Some(v) => v,
                None => {
                    let v = args.get(i).ok_or_else(|| {
                        AdminError::Usage(format!("Missing argument for option: {}", spec.short))
                    })?;
                    i += 1;
                    v.clone()
                }
            };
            p.values.insert(spec.short, value);
        } else {
            p.flags.push(spec.short);
        }
    }
    if p.has('h') {
        return Ok(p);
    }
    let missing: Vec<String> = specs
        .iter()
        .filter(|s| s.required && !p.has(s.short))
        .map(|s| s.short.to_string())
        .collect();
    match missing.len() {
        0 => Ok(p),
        1 => Err(AdminError::Usage(format!(
            "Missing required option: {}",
            missing[0]
        ))),
        _ => Err(AdminError::Usage(format!(
            "Missing required options: {}",
            missing.join(", ")
        ))),
    }
}

/// The usage text of a command, shaped after commons-cli's `HelpFormatter` as mqadmin prints
/// it (`usage: mqadmin NAME ...` then one line per option).
pub fn usage(name: &str, specs: &[OptSpec]) -> String {
    let mut all: Vec<&OptSpec> = COMMON.iter().chain(specs.iter()).collect();
    all.sort_by_key(|s| s.short.to_ascii_lowercase());
    let mut line = format!("usage: mqadmin {name}");
    for s in &all {
        let part = match (s.has_arg, s.required) {
            (true, true) => format!(" -{} <arg>", s.short),
            (true, false) => format!(" [-{} <arg>]", s.short),
            (false, true) => format!(" -{}", s.short),
            (false, false) => format!(" [-{}]", s.short),
        };
        line.push_str(&part);
    }
    let mut out = line + "\n";
    for s in &all {
        let left = if s.has_arg {
            format!(" -{},--{} <arg>", s.short, s.long)
        } else {
            format!(" -{},--{}", s.short, s.long)
        };
        out.push_str(&format!("{left:<32} {}\n", s.desc));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    const SPECS: &[OptSpec] = &[
        req('t', "topic", "topic name"),
        flag('l', "list", "list"),
        opt('r', "readQueueNums", "n"),
    ];

    #[test]
    fn posix_forms_parse() {
        let p = parse(SPECS, &v(&["-t", " T1 ", "-l", "-r8", "--namesrvAddr=a:1"])).unwrap();
        assert_eq!(p.get('t'), Some("T1"));
        assert!(p.has('l'));
        assert_eq!(p.num::<i32>('r').unwrap(), Some(8));
        assert_eq!(p.get('n'), Some("a:1"));
        let p = parse(SPECS, &v(&["--topic", "T2"])).unwrap();
        assert_eq!(p.get('t'), Some("T2"));
    }

    #[test]
    fn missing_and_unknown_options_are_usage_errors() {
        let e = parse(SPECS, &v(&["-l"])).unwrap_err();
        assert_eq!(e.to_string(), "Missing required option: t");
        let e = parse(SPECS, &v(&["-t", "x", "-z"])).unwrap_err();
        assert_eq!(e.to_string(), "Unrecognized option: -z");
        let e = parse(SPECS, &v(&["-t"])).unwrap_err();
        assert_eq!(e.to_string(), "Missing argument for option: t");
        assert!(parse(SPECS, &v(&["-h"])).unwrap().has('h'));
        assert!(usage("x", SPECS).contains("-t,--topic <arg>"));
    }
}
