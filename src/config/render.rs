//! `render_effective`: the whole effective configuration, like `mqbroker -p`, with where each
//! value came from, then the derived values and the load warnings.

use std::fmt::Write as _;

use super::keys::Schema;
use super::Loaded;

/// Renders every key (RocketMQ spelling) as `key=value` followed by `# source`, keys with no
/// effect marked, then the derived values and warnings as comment lines. Meant for people: to
/// reuse it as a properties file, drop everything from the two spaces before `#` on each line.
pub fn render_effective<T: Schema>(loaded: &Loaded<T>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# effective {} configuration", T::WHAT);
    let lines: Vec<(String, String)> = T::keys()
        .iter()
        .map(|spec| {
            let mut note = loaded.source(spec.name()).to_string();
            if !spec.has_effect() {
                note.push_str(", no effect in rocketactor");
            }
            (
                format!("{}={}", spec.name(), escape(&spec.render(&loaded.config))),
                note,
            )
        })
        .collect();
    let width = lines
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0);
    for (line, note) in &lines {
        let _ = writeln!(out, "{line:<width$}  # {note}");
    }
    let derived = loaded.config.derived();
    if !derived.is_empty() {
        let _ = writeln!(out, "#\n# derived");
        let width = derived.iter().map(|(l, _)| l.len()).max().unwrap_or(0);
        for (label, value) in derived {
            let _ = writeln!(out, "# {label:<width$}  {value}");
        }
    }
    if !loaded.warnings.is_empty() {
        let _ = writeln!(out, "#\n# warnings");
        for w in &loaded.warnings {
            let _ = writeln!(out, "# {w}");
        }
    }
    out
}

/// Escapes what a properties reader would otherwise change (line breaks, backslashes).
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out
}
