//! Progress of the delay-level scheduler (delayOffset.json, GET_ALL_DELAY_OFFSET): for each delay
//! level, how far SCHEDULE_TOPIC_XXXX queue level−1 has been delivered.

use std::collections::BTreeMap;
use std::path::Path;

use slog::Logger;

use super::persist::PersistError;
use super::table_file::TableFile;
use crate::protocol::offset::DelayOffsetWrapper;

/// Name of the delay offset file inside the config directory.
pub const DELAY_OFFSET_FILE: &str = "delayOffset.json";

/// Owner of delayOffset.json.
#[derive(Debug)]
pub struct DelayOffsetManager {
    file: TableFile,
    table: BTreeMap<i32, i64>,
}

impl DelayOffsetManager {
    /// An empty table for `config_dir`, not yet loaded.
    pub fn new(config_dir: &Path, log: &Logger) -> Self {
        DelayOffsetManager {
            file: TableFile::new(config_dir, DELAY_OFFSET_FILE, log, "delay-offset"),
            table: BTreeMap::new(),
        }
    }

    /// [`new`](Self::new) followed by [`load`](Self::load).
    pub fn open(config_dir: &Path, log: &Logger) -> Result<Self, PersistError> {
        let mut m = Self::new(config_dir, log);
        m.load()?;
        Ok(m)
    }

    /// Replaces the table with the file (or its backup); returns whether a file was found.
    pub fn load(&mut self) -> Result<bool, PersistError> {
        let loaded = self.file.load(DelayOffsetWrapper::decode)?;
        Ok(loaded.map(|w| self.table = w.offset_table).is_some())
    }

    /// Path of delayOffset.json.
    pub fn file_path(&self) -> &Path {
        self.file.path()
    }

    /// Records the delivered offset of a level.
    pub fn update(&mut self, level: i32, offset: i64) {
        self.table.insert(level, offset);
    }

    /// The delivered offset of a level (0 when never delivered).
    pub fn get(&self, level: i32) -> i64 {
        self.table.get(&level).copied().unwrap_or(0)
    }

    /// All levels.
    pub fn table(&self) -> &BTreeMap<i32, i64> {
        &self.table
    }

    /// Replaces the table (slave sync from the master's GET_ALL_DELAY_OFFSET).
    pub fn replace_all(&mut self, w: DelayOffsetWrapper) {
        self.table = w.offset_table;
    }

    /// File text and GET_ALL_DELAY_OFFSET (45) body.
    pub fn encode(&self, pretty: bool) -> String {
        DelayOffsetWrapper {
            offset_table: self.table.clone(),
        }
        .encode(pretty)
    }

    /// Writes the file atomically. Blocking: call it off the event loop.
    pub fn persist(&self) -> Result<(), PersistError> {
        self.file.write(&self.encode(true))
    }
}
