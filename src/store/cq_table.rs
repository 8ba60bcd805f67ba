//! The table of all consume queues, keyed by (topic, queueId). Loaded from the
//! `consumequeue/` tree at start; queues are created on first dispatch. Shared by the writer
//! (dispatch) and readers (pulls) behind a `RwLock`.

use crate::store::consume_queue::ConsumeQueue;
use crate::store::error::{StoreError, StoreResult};
use parking_lot::RwLock;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Topic → queueId → queue (nested so a lookup by `&str` allocates nothing: dispatch looks a
/// queue up for every stored message).
type Queues = HashMap<String, HashMap<i32, Arc<ConsumeQueue>>>;

/// (topic, queueId) → queue.
#[derive(Debug)]
pub struct ConsumeQueueTable {
    root: PathBuf,
    file_size: u64,
    queues: RwLock<Queues>,
}

impl ConsumeQueueTable {
    /// Loads every `<root>/<topic>/<queueId>/` directory.
    pub fn load(root: &Path, file_size: u64) -> StoreResult<ConsumeQueueTable> {
        std::fs::create_dir_all(root).map_err(|e| StoreError::io(root, e))?;
        let mut map = Queues::new();
        for topic_dir in std::fs::read_dir(root).map_err(|e| StoreError::io(root, e))? {
            let topic_dir = topic_dir.map_err(|e| StoreError::io(root, e))?;
            let Some(topic) = topic_dir.file_name().to_str().map(str::to_string) else {
                continue;
            };
            if !topic_dir.path().is_dir() {
                continue;
            }
            let tp = topic_dir.path();
            for q in std::fs::read_dir(&tp).map_err(|e| StoreError::io(&tp, e))? {
                let q = q.map_err(|e| StoreError::io(&tp, e))?;
                let Some(qid) = q.file_name().to_str().and_then(|s| s.parse::<i32>().ok()) else {
                    continue;
                };
                let cq = ConsumeQueue::load(root, &topic, qid, file_size)?;
                map.entry(topic.clone())
                    .or_default()
                    .insert(qid, Arc::new(cq));
            }
        }
        Ok(ConsumeQueueTable {
            root: root.to_path_buf(),
            file_size,
            queues: RwLock::new(map),
        })
    }

    /// The queue, if it exists.
    pub fn find(&self, topic: &str, queue_id: i32) -> Option<Arc<ConsumeQueue>> {
        self.queues.read().get(topic)?.get(&queue_id).cloned()
    }

    /// The queue, created empty if needed.
    pub fn find_or_create(&self, topic: &str, queue_id: i32) -> StoreResult<Arc<ConsumeQueue>> {
        if let Some(q) = self.find(topic, queue_id) {
            return Ok(q);
        }
        let mut w = self.queues.write();
        if let Some(q) = w.get(topic).and_then(|t| t.get(&queue_id)) {
            return Ok(q.clone());
        }
        let q = Arc::new(ConsumeQueue::load(
            &self.root,
            topic,
            queue_id,
            self.file_size,
        )?);
        w.entry(topic.to_string())
            .or_default()
            .insert(queue_id, q.clone());
        Ok(q)
    }

    /// Snapshot of all queues.
    pub fn all(&self) -> Vec<Arc<ConsumeQueue>> {
        self.queues
            .read()
            .values()
            .flat_map(|t| t.values().cloned())
            .collect()
    }

    /// Every (topic, queueId) in the table.
    pub fn keys(&self) -> Vec<(String, i32)> {
        self.queues
            .read()
            .iter()
            .flat_map(|(t, qs)| qs.keys().map(move |q| (t.clone(), *q)))
            .collect()
    }

    /// Removes one queue from the table and deletes its files (and the topic's directory
    /// once its last queue went). Readers holding the queue keep their mapping until they
    /// drop it; a later dispatch creates the queue anew, empty.
    pub fn remove(&self, topic: &str, queue_id: i32) -> StoreResult<bool> {
        let removed = {
            let mut w = self.queues.write();
            let Some(qs) = w.get_mut(topic) else {
                return Ok(false);
            };
            let q = qs.remove(&queue_id);
            if qs.is_empty() {
                w.remove(topic);
            }
            q
        };
        let Some(q) = removed else {
            return Ok(false);
        };
        q.files().destroy_all()?;
        let qdir = self.root.join(topic).join(queue_id.to_string());
        remove_dir_if_present(&qdir)?;
        let tdir = self.root.join(topic);
        if std::fs::read_dir(&tdir).is_ok_and(|mut d| d.next().is_none()) {
            remove_dir_if_present(&tdir)?;
        }
        Ok(true)
    }

    /// Drops every queue (no commit log left) and deletes its files.
    pub fn destroy_all(&self) -> StoreResult<()> {
        let mut w = self.queues.write();
        w.clear();
        match std::fs::remove_dir_all(&self.root) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(StoreError::io(&self.root, e)),
        }
        std::fs::create_dir_all(&self.root).map_err(|e| StoreError::io(&self.root, e))
    }
}

fn remove_dir_if_present(dir: &Path) -> StoreResult<()> {
    match std::fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(StoreError::io(dir, e)),
    }
}
