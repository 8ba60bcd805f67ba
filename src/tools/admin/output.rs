//! The small formatting rules mqadmin's output depends on: Java's `UtilAll` time strings in the
//! local time zone, `frontStringAtLeast` truncation, `Map.toString`, the message detail block
//! of `QueryMsgByIdSubCommand.printMsg`, and the timestamp argument forms mqadmin accepts.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::SocketAddr;

use crate::client::MessageExt;

/// `UtilAll.frontStringAtLeast`: at most `size` characters of `s`.
pub fn front(s: &str, size: usize) -> String {
    s.chars().take(size).collect()
}

/// Broken-down local time of `ms` since the epoch: (year, month, day, hour, min, sec, millis).
fn local_parts(ms: i64) -> (i32, u32, u32, u32, u32, u32, u32) {
    let secs = ms.div_euclid(1000) as libc::time_t;
    let millis = ms.rem_euclid(1000) as u32;
    // SAFETY: localtime_r writes into the zeroed struct we own; `secs` lives on the stack.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    let ok = unsafe { !libc::localtime_r(&secs, &mut tm).is_null() };
    if !ok {
        return (1970, 1, 1, 0, 0, 0, millis);
    }
    (
        tm.tm_year + 1900,
        (tm.tm_mon + 1) as u32,
        tm.tm_mday as u32,
        tm.tm_hour as u32,
        tm.tm_min as u32,
        tm.tm_sec as u32,
        millis,
    )
}

/// `UtilAll.timeMillisToHumanString2`: `yyyy-MM-dd HH:mm:ss,SSS`, local time.
pub fn human_ms(ms: i64) -> String {
    let (y, mo, d, h, mi, s, ml) = local_parts(ms);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02},{ml:03}")
}

/// `UtilAll.formatDate(date, "yyyy-MM-dd HH:mm:ss")`, local time.
pub fn human_secs(ms: i64) -> String {
    let (y, mo, d, h, mi, s, _) = local_parts(ms);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
}

/// Milliseconds since the epoch of a local date-time (mktime).
fn local_to_ms(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, ml: u32) -> Option<i64> {
    // SAFETY: mktime reads and normalises the struct we own.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    tm.tm_year = y - 1900;
    tm.tm_mon = mo as i32 - 1;
    tm.tm_mday = d as i32;
    tm.tm_hour = h as i32;
    tm.tm_min = mi as i32;
    tm.tm_sec = s as i32;
    tm.tm_isdst = -1;
    let t = unsafe { libc::mktime(&mut tm) };
    (t != -1).then(|| t as i64 * 1000 + ml as i64)
}

/// A timestamp argument as mqadmin takes it: milliseconds since the epoch, or
/// `yyyy-MM-dd#HH:mm:ss:SSS` in local time (Java `UtilAll.YYYY_MM_DD_HH_MM_SS_SSS`).
pub fn parse_timestamp(value: &str) -> Option<i64> {
    if let Ok(ms) = value.parse::<i64>() {
        return Some(ms);
    }
    let (date, time) = value.split_once('#')?;
    let d: Vec<u32> = date
        .split('-')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let t: Vec<u32> = time
        .split(':')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    if d.len() != 3 || t.len() != 4 {
        return None;
    }
    local_to_ms(d[0] as i32, d[1], d[2], t[0], t[1], t[2], t[3])
}

/// Java's `AbstractMap.toString`: `{k1=v1, k2=v2}`.
pub fn java_map(m: &BTreeMap<String, String>) -> String {
    let inner: Vec<String> = m.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{{{}}}", inner.join(", "))
}

/// `RemotingHelper.parseSocketAddressAddr`: `ip:port`.
pub fn host(addr: &SocketAddr) -> String {
    addr.to_string()
}

/// Java's `MessageQueue.toString`.
pub fn mq_string(mq: &crate::protocol::message_queue::MessageQueue) -> String {
    format!(
        "MessageQueue [topic={}, brokerName={}, queueId={}]",
        mq.topic, mq.broker_name, mq.queue_id
    )
}

/// Java's `MessageQueue.compareTo` order: topic, broker name, queue id.
pub fn mq_order(
    a: &crate::protocol::message_queue::MessageQueue,
    b: &crate::protocol::message_queue::MessageQueue,
) -> std::cmp::Ordering {
    (&a.topic, &a.broker_name, a.queue_id).cmp(&(&b.topic, &b.broker_name, b.queue_id))
}

/// Where `QueryMsgByIdSubCommand` writes a message body: `/tmp/rocketmq/msgbodys/<msgId>`
/// (with `_<index>` after the first of several, as the unique-key query does).
pub fn write_body_file(msg: &MessageExt, index: usize) -> std::io::Result<String> {
    let dir = std::path::Path::new("/tmp/rocketmq/msgbodys");
    std::fs::create_dir_all(dir)?;
    let mut name = msg.msg_id.clone();
    if index > 0 {
        name.push_str(&format!("_{index}"));
    }
    let path = dir.join(name);
    std::fs::write(&path, &msg.body)?;
    Ok(path.display().to_string())
}

/// The message detail block of `QueryMsgByIdSubCommand.printMsg` (without the track lines);
/// `with_offset_id` adds the leading `OffsetID:` line as queryMsgById prints it.
pub fn message_detail(msg: &MessageExt, body_path: &str, with_offset_id: bool) -> String {
    let mut o = String::new();
    let s = |o: &mut String, k: &str, v: &str| {
        let _ = writeln!(o, "{k:<20} {v}");
    };
    if with_offset_id {
        s(&mut o, "OffsetID:", &msg.offset_msg_id);
    }
    s(&mut o, "Topic:", &msg.topic);
    s(
        &mut o,
        "Tags:",
        &format!("[{}]", msg.tags.as_deref().unwrap_or("null")),
    );
    let keys = msg
        .property("KEYS")
        .map(str::to_owned)
        .unwrap_or_else(|| "null".into());
    s(&mut o, "Keys:", &format!("[{keys}]"));
    s(&mut o, "Queue ID:", &msg.queue_id.to_string());
    s(&mut o, "Queue Offset:", &msg.queue_offset.to_string());
    s(
        &mut o,
        "CommitLog Offset:",
        &msg.commit_log_offset.to_string(),
    );
    s(&mut o, "Reconsume Times:", &msg.reconsume_times.to_string());
    s(&mut o, "Born Timestamp:", &human_ms(msg.born_timestamp));
    s(&mut o, "Store Timestamp:", &human_ms(msg.store_timestamp));
    s(&mut o, "Born Host:", &host(&msg.born_host));
    s(&mut o, "Store Host:", &host(&msg.store_host));
    s(&mut o, "System Flag:", &msg.sys_flag.to_string());
    s(&mut o, "Properties:", &java_map(&msg.properties));
    s(&mut o, "Message Body Path:", body_path);
    o
}

/// Java's `MessageExt.toString` as printMsg prints it (body shown as its length).
pub fn message_ext_string(msg: &MessageExt) -> String {
    format!(
        "MessageExt [brokerName={}, queueId={}, queueOffset={}, sysFlag={}, bornTimestamp={}, \
         bornHost={}, storeTimestamp={}, storeHost={}, msgId={}, commitLogOffset={}, \
         reconsumeTimes={}, toString()=Message{{topic='{}', flag={}, properties={}, body=[{} bytes]}}]",
        msg.broker_name,
        msg.queue_id,
        msg.queue_offset,
        msg.sys_flag,
        msg.born_timestamp,
        host(&msg.born_host),
        msg.store_timestamp,
        host(&msg.store_host),
        msg.offset_msg_id,
        msg.commit_log_offset,
        msg.reconsume_times,
        msg.topic,
        msg.flag,
        java_map(&msg.properties),
        msg.body.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip_through_the_mqadmin_form() {
        let ms = parse_timestamp("2026-12-03#10:20:30:456").unwrap();
        assert_eq!(human_ms(ms), "2026-12-03 10:20:30,456");
        assert_eq!(human_secs(ms), "2026-12-03 10:20:30");
        assert_eq!(parse_timestamp("1234"), Some(1234));
        assert_eq!(parse_timestamp("yesterday"), None);
    }

    #[test]
    fn java_shapes() {
        assert_eq!(front("abcdef", 3), "abc");
        assert_eq!(front("ab", 3), "ab");
        let m: BTreeMap<String, String> = [("A".into(), "1".into()), ("B".into(), "2".into())]
            .into_iter()
            .collect();
        assert_eq!(java_map(&m), "{A=1, B=2}");
    }
}
