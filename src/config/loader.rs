//! The generic loading pipeline: a properties file and `ROCKETACTOR_*` environment overrides go
//! through the `config` crate, then every value is matched (case-insensitively) to a known key,
//! converted, and the result is fixed up and checked by the config type's [`Schema::finish`].
//!
//! Only known keys are handed to the `config` crate: it lower-cases keys and reads `.` and
//! `[n]` in them as paths, which would let an unknown key such as `brokerName.x` clobber
//! `brokerName` or `x[999999999]` allocate a huge array. Unknown keys are reported from our own
//! parse, which also supplies the line numbers.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use super::keys::{find_key, nearest_key, Schema};
use super::properties::{Properties, PropertiesError, PropertiesFormat};
use super::{ConfigError, Loaded, Source};

/// Environment suffixes (after `ROCKETACTOR_`) used by the process itself, not config keys.
const RESERVED_ENV: &[&str] = &["test_log"];

/// One value for one key, before conversion.
#[derive(Debug, Clone)]
pub(crate) struct Setting {
    /// The key as written (file, pairs) or the variable's suffix (environment).
    pub key: String,
    pub value: String,
    pub source: Source,
}

/// Loads `path` (if any) plus the `ENV_PREFIX_*` variables of `env`.
pub(crate) fn load<T: Schema>(
    path: Option<&Path>,
    env: Vec<(String, String)>,
) -> Result<Loaded<T>, ConfigError> {
    let mut warnings = Vec::new();
    let text = path
        .map(|p| read_text(p, &mut warnings).map(|t| (p, t)))
        .transpose()?;
    // Dotted keys (`tls.server.mode`) stay out of the `config` crate, which would read them as
    // paths; they reach `resolve` from our own parse like unknown keys do, and match there.
    let known: BTreeSet<String> = T::keys()
        .iter()
        .flat_map(|k| k.spellings())
        .filter(|k| !k.contains('.'))
        .map(str::to_lowercase)
        .collect();

    let chosen_env = scan_env::<T>(&env, &known, &mut warnings);
    let env_map: HashMap<String, String> = chosen_env
        .values()
        .map(|(var, value)| (var.clone(), value.clone()))
        .collect();

    let mut builder = config::Config::builder();
    let mut format = None;
    if let Some((p, text)) = &text {
        let f = PropertiesFormat::new()
            .only_keys(known.clone())
            .origin(p.display().to_string());
        builder = builder.add_source(config::File::from_str(text, f.clone()));
        format = Some(f);
    }
    builder =
        builder.add_source(config::Environment::with_prefix(T::ENV_PREFIX).source(Some(env_map)));
    let built = builder
        .build()
        .map_err(|e| map_build_error(e, path.unwrap_or(Path::new("?"))))?;
    let table = config::Source::collect(&built).map_err(ConfigError::Backend)?;
    let props = format.and_then(|f| f.parsed()).unwrap_or_default();

    let mut settings = Vec::new();
    let mut file_settings = Vec::new();
    for (lower, value) in table {
        let value = value.into_string().map_err(ConfigError::Backend)?;
        if let Some((var, _)) = chosen_env.get(&lower) {
            let key = var
                .get(T::ENV_PREFIX.len() + 1..)
                .unwrap_or(&lower)
                .to_owned();
            if let (Some(entry), Some(p)) = (last_entry(&props, &lower), path) {
                warnings.push(format!(
                    "environment variable {var} overrides `{}` set at {}:{}",
                    entry.key,
                    p.display(),
                    entry.line
                ));
            }
            settings.push(Setting {
                key,
                value,
                source: Source::Env { var: var.clone() },
            });
        } else if let (Some(entry), Some(p)) = (last_entry(&props, &lower), path) {
            let source = Source::File {
                path: p.to_path_buf(),
                line: entry.line,
            };
            file_settings.push(Setting {
                key: entry.key.clone(),
                value,
                source,
            });
        }
    }
    if let Some(p) = path {
        file_notices(&props, &known, p, &mut warnings, &mut file_settings);
    }
    file_settings.sort_by_key(|s| match &s.source {
        Source::File { line, .. } => *line,
        _ => 0,
    });
    settings.splice(0..0, file_settings);

    for (key, var) in T::env_fallbacks() {
        let set = settings
            .iter()
            .any(|s| find_key::<T>(&s.key).map(|k| k.0) == find_key::<T>(key).map(|k| k.0));
        if let (false, Some((_, value))) = (set, env.iter().find(|(v, _)| v == var)) {
            settings.push(Setting {
                key: (*key).to_owned(),
                value: value.clone(),
                source: Source::Env {
                    var: (*var).to_owned(),
                },
            });
        }
    }
    resolve(T::default(), settings, warnings)
}

fn last_entry<'a>(props: &'a Properties, lower: &str) -> Option<&'a super::properties::PropEntry> {
    props
        .entries
        .iter()
        .rev()
        .find(|e| e.key.to_lowercase() == lower)
}

/// Duplicate keys and unknown keys found by our own parse of the file.
fn file_notices(
    props: &Properties,
    known: &BTreeSet<String>,
    path: &Path,
    warnings: &mut Vec<String>,
    settings: &mut Vec<Setting>,
) {
    let mut lines: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for e in &props.entries {
        lines.entry(e.key.to_lowercase()).or_default().push(e.line);
        if !known.contains(&e.key.to_lowercase()) {
            let source = Source::File {
                path: path.to_path_buf(),
                line: e.line,
            };
            settings.push(Setting {
                key: e.key.clone(),
                value: e.value.clone(),
                source,
            });
        }
    }
    for (key, lines) in lines.into_iter().filter(|(_, l)| l.len() > 1) {
        let list: Vec<String> = lines.iter().map(ToString::to_string).collect();
        warnings.push(format!(
            "{}: key `{key}` is set on lines {}; the last one (line {}) wins",
            path.display(),
            list.join(", "),
            lines.last().copied().unwrap_or_default()
        ));
    }
}

/// Picks the `ENV_PREFIX_*` variables naming known keys: `lower-cased key -> (var, value)`.
fn scan_env<T: Schema>(
    env: &[(String, String)],
    known: &BTreeSet<String>,
    warnings: &mut Vec<String>,
) -> BTreeMap<String, (String, String)> {
    let prefix = format!("{}_", T::ENV_PREFIX).to_lowercase();
    let mut by_key: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for (var, value) in env {
        let lower = var.to_lowercase();
        let Some(suffix) = lower.strip_prefix(&prefix) else {
            continue;
        };
        if RESERVED_ENV.contains(&suffix) || T::env_foreign(suffix) {
            continue;
        }
        if known.contains(suffix) {
            by_key
                .entry(suffix.to_owned())
                .or_default()
                .push((var.clone(), value.clone()));
        } else {
            let hint = nearest_key::<T>(suffix)
                .map(|k| format!(" (nearest known key: `{k}`)"))
                .unwrap_or_default();
            warnings.push(format!(
                "environment variable {var} names no {} key{hint}; ignored",
                T::WHAT
            ));
        }
    }
    by_key
        .into_iter()
        .map(|(key, mut vars)| {
            vars.sort();
            if vars.len() > 1 {
                let names: Vec<&str> = vars.iter().map(|(v, _)| v.as_str()).collect();
                warnings.push(format!(
                    "environment variables {} all set `{key}`; using {}",
                    names.join(", "),
                    names[0]
                ));
            }
            vars.truncate(1);
            let first = vars.pop().unwrap_or_default();
            (key, first)
        })
        .collect()
}

/// Reads a file as text: a missing file and an unreadable one are distinct errors; invalid
/// UTF-8 (e.g. GBK comments) is replaced, with a warning naming the first bad line.
fn read_text(path: &Path, warnings: &mut Vec<String>) -> Result<String, ConfigError> {
    let bytes = std::fs::read(path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            ConfigError::NotFound {
                path: path.to_path_buf(),
            }
        } else {
            ConfigError::Unreadable {
                path: path.to_path_buf(),
                source,
            }
        }
    })?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let line = bytes[..valid].iter().filter(|&&b| b == b'\n').count() + 1;
            warnings.push(format!(
                "{}:{line}: file is not valid UTF-8; undecodable bytes were replaced",
                path.display()
            ));
            Ok(String::from_utf8_lossy(&bytes).into_owned())
        }
    }
}

fn map_build_error(e: config::ConfigError, path: &Path) -> ConfigError {
    if let config::ConfigError::FileParse { cause, .. } = &e {
        if let Some(pe) = cause.downcast_ref::<PropertiesError>() {
            return ConfigError::Syntax {
                path: path.to_path_buf(),
                line: pe.line,
                message: pe.message.clone(),
            };
        }
    }
    ConfigError::Backend(e)
}

fn rank(source: &Source) -> u8 {
    match source {
        Source::Default => 0,
        Source::File { .. } | Source::Code => 1,
        Source::Env { .. } => 2,
    }
}

/// Matches settings to keys, converts the winning value of each key, then runs
/// [`Schema::finish`]. Later settings of the same rank win; environment beats file and code.
pub(crate) fn resolve<T: Schema>(
    mut config: T,
    settings: Vec<Setting>,
    mut warnings: Vec<String>,
) -> Result<Loaded<T>, ConfigError> {
    let specs = T::keys();
    let mut candidates: BTreeMap<usize, Vec<Setting>> = BTreeMap::new();
    for s in settings {
        let Some((index, spelling)) = find_key::<T>(&s.key) else {
            if T::unimplemented_keys()
                .iter()
                .any(|k| k.eq_ignore_ascii_case(&s.key))
            {
                warnings.push(format!(
                    "{}: `{}` is a RocketMQ setting rocketactor does not implement; ignored",
                    s.source, s.key
                ));
            } else if !matches!(s.source, Source::Env { .. }) {
                let hint = nearest_key::<T>(&s.key)
                    .map(|k| format!(" (nearest known key: `{k}`)"))
                    .unwrap_or_default();
                warnings.push(format!(
                    "{}: unknown {} key `{}`{hint}; ignored",
                    s.source,
                    T::WHAT,
                    s.key
                ));
            }
            continue;
        };
        if !matches!(s.source, Source::Env { .. }) && s.key != spelling {
            warnings.push(format!(
                "{}: key `{}` matched `{spelling}` ignoring case (Java would ignore it)",
                s.source, s.key
            ));
        }
        if spelling != specs[index].name {
            warnings.push(format!(
                "{}: `{spelling}` is the old spelling of `{}`; Java 4.9.7 ignores it, rocketactor \
                 honours it",
                s.source, specs[index].name
            ));
        }
        candidates.entry(index).or_default().push(s);
    }

    let mut sources = BTreeMap::new();
    for (index, mut list) in candidates {
        let spec = &specs[index];
        // Stable sort: within a rank, the later setting stays last and wins.
        list.sort_by_key(|s| rank(&s.source));
        let Some(winner) = list.pop() else { continue };
        if !list.is_empty() {
            let losers: Vec<String> = list.iter().map(|s| s.source.to_string()).collect();
            warnings.push(format!(
                "`{}` is set more than once; using {} over {}",
                spec.name,
                winner.source,
                losers.join(", ")
            ));
        }
        let trimmed = winner.value.trim();
        if trimmed.len() != winner.value.len() {
            warnings.push(format!(
                "{}: surrounding whitespace in the value of `{}` ignored",
                winner.source, spec.name
            ));
        }
        (spec.apply)(&mut config, trimmed).map_err(|expected| {
            ConfigError::invalid(
                winner.source.clone(),
                spec.name,
                winner.value.clone(),
                expected,
            )
        })?;
        sources.insert(spec.name.to_owned(), winner.source);
    }

    for spec in specs {
        sources
            .entry(spec.name.to_owned())
            .or_insert(Source::Default);
    }
    config.finish(&sources, &mut warnings)?;
    Ok(Loaded {
        config,
        sources,
        warnings,
    })
}

/// Builds a config from `(key, value)` pairs given in code, like a properties file would.
pub(crate) fn from_pairs<T, I, K, V>(pairs: I) -> Result<Loaded<T>, ConfigError>
where
    T: Schema,
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    let settings = pairs
        .into_iter()
        .map(|(k, v)| Setting {
            key: k.as_ref().to_owned(),
            value: v.as_ref().to_owned(),
            source: Source::Code,
        })
        .collect();
    resolve(T::default(), settings, Vec::new())
}
