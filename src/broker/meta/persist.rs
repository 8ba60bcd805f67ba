//! Crash-safe JSON config files, as Java's `ConfigManager` keeps them: a write goes to
//! `<file>.tmp` and is fsynced, the previous file is kept as `<file>.bak`, then the temp file is
//! renamed into place. Loading falls back to `.bak` (with a warning) when the main file is
//! missing or unreadable, so a crash mid-write never loses the broker's metadata.
//!
//! These are blocking calls: actors run them on a dedicated thread, never on their event loop.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use slog::{warn, Logger};

/// Failure to read or write a config file; always names the file.
#[derive(Debug, thiserror::Error)]
pub enum PersistError {
    #[error("cannot {op} {path}: {source}")]
    Io {
        op: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("corrupt config file {path}: {reason}")]
    Corrupt { path: PathBuf, reason: String },
}

fn io_err<'a>(op: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> PersistError + 'a {
    move |source| PersistError::Io {
        op,
        path: path.to_path_buf(),
        source,
    }
}

/// `<file><suffix>`, e.g. `topics.json.bak`.
pub fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Writes `contents` to `path` atomically, keeping the previous version as `<path>.bak`.
/// On failure (a full disk: ENOSPC) the previous file is untouched and the temp file removed,
/// so the caller can log and retry later (issue #19).
pub fn write_atomic(path: &Path, contents: &str) -> Result<(), PersistError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(io_err("create directory for", path))?;
    }
    crate::failpoint::check(crate::failpoint::names::METADATA_WRITE, path)
        .map_err(io_err("write", path))?;
    let tmp = sibling(path, ".tmp");
    if let Err(e) = write_synced(&tmp, contents) {
        // A partial temp file only takes space: the main file was never touched.
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    if path.exists() {
        // A copy, not a rename: the main file stays in place until the new one replaces it.
        let bak = sibling(path, ".bak");
        if let Err(e) = fs::copy(path, &bak) {
            let _ = fs::remove_file(&tmp);
            return Err(io_err("back up to .bak", path)(e));
        }
    }
    if let Err(e) = fs::rename(&tmp, path) {
        let _ = fs::remove_file(&tmp);
        return Err(io_err("rename temp file onto", path)(e));
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // Makes the rename itself durable; not every platform allows opening a directory.
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

/// Creates `tmp` with `contents` and fsyncs it.
fn write_synced(tmp: &Path, contents: &str) -> Result<(), PersistError> {
    let mut f = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(tmp)
        .map_err(io_err("create", tmp))?;
    f.write_all(contents.as_bytes())
        .map_err(io_err("write", tmp))?;
    f.sync_all().map_err(io_err("fsync", tmp))
}

/// Reads and parses `path`, falling back to `<path>.bak` when the main file is missing, empty
/// or fails to parse. `Ok(None)` means neither file exists (a fresh broker).
pub fn load_with<T>(
    path: &Path,
    log: &Logger,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Result<Option<T>, PersistError> {
    let main_problem = match read_optional(path)? {
        Some(text) if !text.trim().is_empty() => match parse(&text) {
            Ok(v) => return Ok(Some(v)),
            Err(reason) => Some(reason),
        },
        Some(_) => Some("file is empty".to_string()),
        None => None,
    };
    let bak = sibling(path, ".bak");
    let bak_text = read_optional(&bak)?;
    match (&main_problem, bak_text) {
        (None, None) => Ok(None),
        (Some(reason), None) => Err(PersistError::Corrupt {
            path: path.to_path_buf(),
            reason: reason.clone(),
        }),
        (_, Some(text)) => {
            warn!(log, "config file unusable, loading its backup";
                "file" => %path.display(), "backup" => %bak.display(),
                "reason" => main_problem.as_deref().unwrap_or("missing"));
            parse(&text)
                .map(Some)
                .map_err(|reason| PersistError::Corrupt { path: bak, reason })
        }
    }
}

/// Like [`load_with`] for serde types parsed as standard JSON.
pub fn load_json<T: serde::de::DeserializeOwned>(
    path: &Path,
    log: &Logger,
) -> Result<Option<T>, PersistError> {
    load_with(path, log, |text| {
        serde_json::from_str(text).map_err(|e| e.to_string())
    })
}

fn read_optional(path: &Path) -> Result<Option<String>, PersistError> {
    match fs::read_to_string(path) {
        Ok(s) => Ok(Some(s)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(PersistError::Io {
            op: "read",
            path: path.to_path_buf(),
            source: e,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logging::test_logger;

    fn parse_num(text: &str) -> Result<i64, String> {
        text.trim().parse().map_err(|e| format!("{e}"))
    }

    #[test]
    fn write_keeps_backup_and_loads_latest() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/x.json");
        assert_eq!(load_with(&p, &test_logger(), parse_num).unwrap(), None);
        write_atomic(&p, "1").unwrap();
        assert!(!sibling(&p, ".bak").exists());
        write_atomic(&p, "2").unwrap();
        assert_eq!(fs::read_to_string(sibling(&p, ".bak")).unwrap(), "1");
        assert!(!sibling(&p, ".tmp").exists());
        assert_eq!(load_with(&p, &test_logger(), parse_num).unwrap(), Some(2));
    }

    #[test]
    fn falls_back_to_backup() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.json");
        write_atomic(&p, "1").unwrap();
        write_atomic(&p, "2").unwrap();
        fs::write(&p, "garbage").unwrap();
        assert_eq!(load_with(&p, &test_logger(), parse_num).unwrap(), Some(1));
        fs::remove_file(&p).unwrap();
        assert_eq!(load_with(&p, &test_logger(), parse_num).unwrap(), Some(1));
    }

    #[test]
    fn corrupt_without_backup_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.json");
        fs::write(&p, "garbage").unwrap();
        let err = load_with(&p, &test_logger(), parse_num).unwrap_err();
        assert!(err.to_string().contains("x.json"), "{err}");
        fs::write(sibling(&p, ".bak"), "also garbage").unwrap();
        let err = load_with(&p, &test_logger(), parse_num).unwrap_err();
        assert!(err.to_string().contains("x.json.bak"), "{err}");
    }
}
