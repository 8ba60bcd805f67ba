//! The file side every metadata table shares (Java `ConfigManager`): where its JSON file lives,
//! loading it (with the `.bak` fallback of `persist`), writing it atomically, its JSON text, and
//! the entry-name rule of the named tables (topics, groups). The tables in this folder keep
//! only what is their own: the entries and the rules on them.
//!
//! Loading and writing block: owners call them off their event loop.

use std::collections::BTreeMap;
use std::fmt::Display;
use std::path::{Path, PathBuf};

use slog::Logger;

use super::persist::{self, PersistError};

/// One table's JSON file and the logger of its table (`component` = the table's name).
#[derive(Debug)]
pub struct TableFile {
    path: PathBuf,
    log: Logger,
}

impl TableFile {
    /// `<config_dir>/<file>`, logging as `component`.
    pub fn new(config_dir: &Path, file: &str, log: &Logger, component: &'static str) -> Self {
        TableFile {
            path: config_dir.join(file),
            log: log.new(slog::o!("component" => component)),
        }
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The table's logger.
    pub fn log(&self) -> &Logger {
        &self.log
    }

    /// The file (or its backup) decoded; `None` when neither exists.
    pub fn load<W, E: Display>(
        &self,
        decode: impl Fn(&str) -> Result<W, E>,
    ) -> Result<Option<W>, PersistError> {
        persist::load_with(&self.path, &self.log, |text| {
            decode(text).map_err(|e| e.to_string())
        })
    }

    /// [`load`](Self::load) for a wrapper read as standard JSON.
    pub fn load_json<W: serde::de::DeserializeOwned>(&self) -> Result<Option<W>, PersistError> {
        persist::load_json(&self.path, &self.log)
    }

    /// Writes `text` atomically, keeping the previous file as `.bak`.
    pub fn write(&self, text: &str) -> Result<(), PersistError> {
        persist::write_atomic(&self.path, text)
    }
}

/// Pretty (the file) or compact (a response body) JSON of a table's wrapper.
pub fn json_text<T: serde::Serialize>(w: &T, pretty: bool) -> String {
    let r = if pretty {
        serde_json::to_string_pretty(w)
    } else {
        serde_json::to_string(w)
    };
    r.unwrap_or_default()
}

/// A config entry that carries its own name (TopicConfig.topicName, SubscriptionGroupConfig.groupName).
pub trait Named {
    fn name_mut(&mut self) -> &mut String;
}

/// The entries of a file or of a master's table; an entry whose name is blank takes its key.
pub fn named<C: Named>(table: BTreeMap<String, C>) -> impl Iterator<Item = (String, C)> {
    table.into_iter().map(|(key, mut c)| {
        let name = c.name_mut();
        if name.is_empty() {
            name.clone_from(&key);
        }
        (key, c)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logging::test_logger;

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Entry {
        name: String,
    }

    impl Named for Entry {
        fn name_mut(&mut self) -> &mut String {
            &mut self.name
        }
    }

    #[test]
    fn writes_loads_and_names_blank_entries() {
        let dir = tempfile::tempdir().unwrap();
        let f = TableFile::new(dir.path(), "t.json", &test_logger(), "test");
        assert!(f.load_json::<BTreeMap<String, Entry>>().unwrap().is_none());
        let mut t = BTreeMap::new();
        t.insert(
            "a".to_string(),
            Entry {
                name: String::new(),
            },
        );
        f.write(&json_text(&t, true)).unwrap();
        let back: BTreeMap<String, Entry> = f.load_json().unwrap().unwrap();
        let named: Vec<_> = named(back).collect();
        assert_eq!(named, vec![("a".to_string(), Entry { name: "a".into() })]);
        assert_eq!(f.path(), dir.path().join("t.json"));
    }
}
