//! The pull read path (docs/protocol.md §2.6): consume-queue entries from a logical offset,
//! tag-hash filtering, and the matching commit-log records (in place in the mapping,
//! [`crate::store::mapped_bytes`]), with RocketMQ's status codes and next-offset rules.

use crate::store::consume_queue::CqEntry;
use crate::store::mapped_bytes;
use crate::store::reader::StoreShared;
use bytes::Bytes;

/// Java `GetMessageStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GetMessageStatus {
    Found,
    NoMatchedMessage,
    MessageWasRemoving,
    OffsetFoundNull,
    OffsetOverflowBadly,
    OffsetOverflowOne,
    OffsetTooSmall,
    NoMatchedLogicQueue,
    NoMessageInQueue,
}

impl GetMessageStatus {
    /// The Java enum name (used as the pull response remark).
    pub fn as_str(&self) -> &'static str {
        match self {
            GetMessageStatus::Found => "FOUND",
            GetMessageStatus::NoMatchedMessage => "NO_MATCHED_MESSAGE",
            GetMessageStatus::MessageWasRemoving => "MESSAGE_WAS_REMOVING",
            GetMessageStatus::OffsetFoundNull => "OFFSET_FOUND_NULL",
            GetMessageStatus::OffsetOverflowBadly => "OFFSET_OVERFLOW_BADLY",
            GetMessageStatus::OffsetOverflowOne => "OFFSET_OVERFLOW_ONE",
            GetMessageStatus::OffsetTooSmall => "OFFSET_TOO_SMALL",
            GetMessageStatus::NoMatchedLogicQueue => "NO_MATCHED_LOGIC_QUEUE",
            GetMessageStatus::NoMessageInQueue => "NO_MESSAGE_IN_QUEUE",
        }
    }
}

/// Result of [`StoreShared::get_message`].
#[derive(Debug, Clone)]
pub struct GetMessageResult {
    pub status: GetMessageStatus,
    pub next_begin_offset: i64,
    pub min_offset: i64,
    pub max_offset: i64,
    /// Raw commit-log records, byte for byte (slices of the mapped files, not copies).
    pub messages: Vec<Bytes>,
    /// Logical offsets of `messages`.
    pub queue_offsets: Vec<i64>,
    /// Sum of `messages` lengths.
    pub total_bytes: usize,
}

impl GetMessageResult {
    fn empty(status: GetMessageStatus, next: i64, min: i64, max: i64) -> Self {
        GetMessageResult {
            status,
            next_begin_offset: next,
            min_offset: min,
            max_offset: max,
            messages: Vec::new(),
            queue_offsets: Vec::new(),
            total_bytes: 0,
        }
    }
}

/// A filter on a whole commit-log record (the SQL92 property filter of the pull path).
pub type RecordFilter<'a> = &'a dyn Fn(&[u8]) -> bool;

/// Max consume-queue bytes scanned per pull (Java: max(16000, maxMsgNums·20)).
fn scan_limit_entries(max_msgs: usize) -> usize {
    (16_000usize.max(max_msgs.saturating_mul(20))) / 20
}

impl StoreShared {
    /// Reads up to `max_msgs` messages / `max_bytes` bytes from (topic, queue_id) at logical
    /// `offset`. `tag_filter` gets each entry's tagsCode; `None` matches everything.
    pub fn get_message(
        &self,
        topic: &str,
        queue_id: i32,
        offset: i64,
        max_msgs: usize,
        max_bytes: usize,
        tag_filter: Option<&dyn Fn(i64) -> bool>,
    ) -> GetMessageResult {
        self.get_message_filtered(
            topic, queue_id, offset, max_msgs, max_bytes, tag_filter, None,
        )
    }

    /// [`Self::get_message`] with a second filter on the commit-log record itself (Java
    /// `MessageFilter.isMatchedByCommitLog`: the SQL92 filter reads the record's properties);
    /// a record it refuses is skipped but counted, like a tag mismatch.
    #[allow(clippy::too_many_arguments)]
    pub fn get_message_filtered(
        &self,
        topic: &str,
        queue_id: i32,
        offset: i64,
        max_msgs: usize,
        max_bytes: usize,
        tag_filter: Option<&dyn Fn(i64) -> bool>,
        record_filter: Option<RecordFilter<'_>>,
    ) -> GetMessageResult {
        use GetMessageStatus::*;
        let Some(cq) = self.cqs.find(topic, queue_id) else {
            return GetMessageResult::empty(NoMatchedLogicQueue, 0, 0, 0);
        };
        let (min, max) = (cq.min_offset_in_queue(), cq.max_offset_in_queue());
        if max == 0 {
            return GetMessageResult::empty(NoMessageInQueue, 0, min, max);
        }
        if offset < min {
            return GetMessageResult::empty(OffsetTooSmall, min, min, max);
        }
        if offset == max {
            return GetMessageResult::empty(OffsetOverflowOne, offset, min, max);
        }
        if offset > max {
            // Java 4.9.7 DefaultMessageStore.getMessage: corrected to maxOffset (older releases
            // went back to 0 when minOffset was 0). A slave keeps the request's offset (pull.rs).
            return GetMessageResult::empty(OffsetOverflowBadly, max, min, max);
        }
        // The scan window is read lazily: first as many entries as the pull can take (enough
        // when nothing is filtered out), then the rest of Java's window only if filters
        // skipped some. A short read means the end of the consume-queue file or of the
        // published entries, where Java's window ends too.
        let limit = scan_limit_entries(max_msgs);
        let first = max_msgs.clamp(1, limit);
        let Some(mut entries) = cq.entries_from(offset, first) else {
            return GetMessageResult::empty(OffsetFoundNull, cq.roll_next_file(offset), min, max);
        };
        let mut fetched = entries.len();
        let mut more = fetched == first;
        let mut at = 0usize;
        let mut res = GetMessageResult::empty(NoMatchedMessage, offset, min, max);
        res.messages.reserve(entries.len().min(max_msgs));
        res.queue_offsets.reserve(entries.len().min(max_msgs));
        let mut removing = false;
        let mut next_phy_file_start = i64::MIN;
        let file_size = self.commit_log.file_size() as i64;
        let mut scanned = 0i64;
        loop {
            if at == entries.len() {
                let want = limit.saturating_sub(fetched);
                // Java's window never crosses into the next consume-queue file.
                let per_file = cq.entries_per_file() as i64;
                let at_file_end = per_file > 0 && (offset + fetched as i64) % per_file == 0;
                if !more || want == 0 || at_file_end {
                    break;
                }
                match cq.entries_from(offset + fetched as i64, want) {
                    Some(next) if !next.is_empty() => {
                        more = next.len() == want;
                        fetched += next.len();
                        entries = next;
                        at = 0;
                    }
                    _ => break,
                }
            }
            let e = &entries[at];
            at += 1;
            let CqEntry {
                phys_offset,
                size,
                tags_code,
            } = *e;
            let size_u = usize::try_from(size).unwrap_or(0);
            if !res.messages.is_empty()
                && (res.messages.len() >= max_msgs || res.total_bytes + size_u > max_bytes)
            {
                break;
            }
            scanned += 1;
            if e.is_blank()
                || (next_phy_file_start != i64::MIN && phys_offset < next_phy_file_start)
            {
                continue;
            }
            if let Some(f) = tag_filter {
                if !f(tags_code) {
                    continue;
                }
            }
            let read = u64::try_from(phys_offset)
                .ok()
                .and_then(|p| mapped_bytes::read(self.commit_log.files(), p, size_u));
            match read {
                Some(b) if record_filter.is_some_and(|f| !f(&b)) => {}
                Some(b) => {
                    res.total_bytes += b.len();
                    res.messages.push(b);
                    res.queue_offsets.push(offset + scanned - 1);
                }
                None => {
                    removing = true;
                    next_phy_file_start = phys_offset - phys_offset % file_size + file_size;
                }
            }
        }
        res.next_begin_offset = offset + scanned;
        res.status = if !res.messages.is_empty() {
            Found
        } else if removing {
            MessageWasRemoving
        } else {
            NoMatchedMessage
        };
        res
    }
}
