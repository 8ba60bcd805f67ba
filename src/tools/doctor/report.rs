//! The verdict of a `doctor` run: one row per name server, one row per broker address with a
//! cell per check, and the findings (problem, likely cause, fix), rendered as plain text.

use std::fmt::Write as _;

/// How bad a check came out. Ordered: the verdict of a row is its worst cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Ok,
    Warn,
    Fail,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Ok => "OK",
            Level::Warn => "WARN",
            Level::Fail => "FAIL",
        }
    }
}

/// One check's result in the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub level: Level,
    pub text: String,
}

impl Cell {
    pub fn new(level: Level, text: impl Into<String>) -> Self {
        Cell {
            level,
            text: text.into(),
        }
    }

    /// A check that does not apply or could not be made.
    pub fn na(text: impl Into<String>) -> Self {
        Cell::new(Level::Ok, text)
    }
}

/// A name server and what it answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamesrvRow {
    pub addr: String,
    pub level: Level,
    pub text: String,
}

/// One registered broker address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerRow {
    pub cluster: String,
    pub name: String,
    pub id: i64,
    pub role: String,
    pub addr: String,
    /// The advertised address (listenPort), probed with a real request.
    pub client: Cell,
    /// listenPort-2 (fast/VIP channel), probed with a real request.
    pub fast: Cell,
    /// Masters: their HA address; slaves: their replication state.
    pub ha: Cell,
    pub verdict: Level,
}

/// A problem, its likely cause and the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub level: Level,
    /// What it is about, e.g. `broker-b/0 198.18.0.2:10911` or `name servers`.
    pub subject: String,
    pub problem: String,
    pub cause: String,
    pub fix: String,
}

/// A whole diagnosis.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Report {
    pub namesrvs: Vec<NamesrvRow>,
    pub brokers: Vec<BrokerRow>,
    pub findings: Vec<Finding>,
}

impl Report {
    /// True when any check failed (the command then exits non-zero).
    pub fn failed(&self) -> bool {
        self.worst() == Level::Fail
    }

    /// The worst level anywhere.
    pub fn worst(&self) -> Level {
        let rows = self.namesrvs.iter().map(|n| n.level);
        let brokers = self.brokers.iter().map(|b| b.verdict);
        let findings = self.findings.iter().map(|f| f.level);
        rows.chain(brokers)
            .chain(findings)
            .max()
            .unwrap_or(Level::Fail)
    }

    /// The row of `name`/`id`, if any.
    pub fn broker(&self, name: &str, id: i64) -> Option<&BrokerRow> {
        self.brokers.iter().find(|b| b.name == name && b.id == id)
    }

    /// The report as text: name servers, the broker table, then the findings.
    pub fn render(&self) -> String {
        let mut out = String::from("name servers\n");
        let w = self
            .namesrvs
            .iter()
            .map(|n| n.addr.len())
            .max()
            .unwrap_or(0);
        for n in &self.namesrvs {
            let _ = writeln!(out, "  {:<w$}  {:<4}  {}", n.addr, n.level.as_str(), n.text);
        }
        out.push('\n');
        let header = [
            "CLUSTER", "BROKER", "ROLE", "ADDRESS", "CLIENT", "FAST(-2)", "HA", "VERDICT",
        ];
        let rows: Vec<[String; 8]> = self
            .brokers
            .iter()
            .map(|b| {
                [
                    b.cluster.clone(),
                    format!("{}/{}", b.name, b.id),
                    b.role.clone(),
                    b.addr.clone(),
                    b.client.text.clone(),
                    b.fast.text.clone(),
                    b.ha.text.clone(),
                    b.verdict.as_str().to_owned(),
                ]
            })
            .collect();
        let mut widths = header.map(str::len);
        for r in &rows {
            for (w, c) in widths.iter_mut().zip(r) {
                *w = (*w).max(c.chars().count());
            }
        }
        let line = |cells: &[String]| {
            let mut l = String::new();
            for (i, (c, w)) in cells.iter().zip(widths).enumerate() {
                if i + 1 == cells.len() {
                    l.push_str(c);
                } else {
                    let _ = write!(l, "{c:<w$}  ");
                }
            }
            l.trim_end().to_owned()
        };
        let _ = writeln!(out, "{}", line(&header.map(String::from)));
        for r in &rows {
            let _ = writeln!(out, "{}", line(r));
        }
        if self.brokers.is_empty() {
            out.push_str("(no broker registered on any reachable name server)\n");
        }
        out.push('\n');
        if self.findings.is_empty() {
            out.push_str("no problems found\n");
        } else {
            out.push_str("problems\n");
            for f in &self.findings {
                let _ = writeln!(
                    out,
                    "  {} {}: {}\n       cause: {}\n       fix:   {}",
                    f.level.as_str(),
                    f.subject,
                    f.problem,
                    f.cause,
                    f.fix
                );
            }
        }
        let _ = writeln!(out, "\nverdict: {}", self.worst().as_str());
        out
    }
}
