//! The disk figures of GET_BROKER_RUNTIME_INFO that mqadmin's `clusterList` (`#SPACE`),
//! `brokerStatus` and `exportMetrics` (`diskRatio`) read: `commitLogDiskRatio` (and one
//! `commitLogDiskRatio_<path>` per commit-log path), `consumeQueueDiskRatio` and
//! `commitLogDirCapacity`, computed as Java's `DefaultMessageStore.getRuntimeInfo` and
//! `AdminBrokerProcessor.prepareRuntimeInfo` do. One `statvfs` per path and request, as Java
//! does per request (`File.getTotalSpace/getFreeSpace/getUsableSpace`): a metadata call, no
//! file I/O.

use std::path::Path;

/// Java `MixAll.humanReadableByteCount(bytes, false)`: `512 B`, `2.0 KiB`, `1.5 MiB`…
pub fn human_readable_bytes(bytes: i64) -> String {
    const UNIT: f64 = 1024.0;
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let b = bytes as f64;
    let exp = ((b.ln() / UNIT.ln()) as usize).clamp(1, 6);
    let prefix = ['K', 'M', 'G', 'T', 'P', 'E'][exp - 1];
    format!("{:.1} {prefix}iB", b / UNIT.powi(exp as i32))
}

/// Sizes of the file system holding a path, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiskSpace {
    pub total: u64,
    /// Free blocks (Java `getFreeSpace`, root's reserve included).
    pub free: u64,
    /// Blocks available to the broker (Java `getUsableSpace`).
    pub usable: u64,
}

/// `statvfs` of `path`; `None` when the path does not exist or cannot be measured.
pub fn disk_space(path: &Path) -> Option<DiskSpace> {
    let st = nix::sys::statvfs::statvfs(path).ok()?;
    let frag = st.fragment_size() as u64;
    Some(DiskSpace {
        total: st.blocks() as u64 * frag,
        free: st.blocks_free() as u64 * frag,
        usable: st.blocks_available() as u64 * frag,
    })
}

/// Java `UtilAll.getDiskPartitionSpaceUsedPercent`: used / (used + usable), rounded up to
/// hundredths; -1 when the path cannot be measured.
pub fn used_ratio(space: Option<DiskSpace>) -> f64 {
    let Some(s) = space else { return -1.0 };
    if s.total == 0 {
        return -1.0;
    }
    let used = s.total.saturating_sub(s.free);
    let entire = used + s.usable;
    if entire == 0 {
        return -1.0;
    }
    let round = u64::from((used * 100) % entire != 0);
    ((used * 100) / entire + round) as f64 / 100.0
}

/// A double as Java's `String.valueOf(double)` writes these ratios: `0.46`, `1.0`, `-1.0`.
pub fn java_double(v: f64) -> String {
    format!("{v:?}")
}

/// The runtime-info entries, as `(key, value)`.
pub fn runtime_entries(
    root: &Path,
    commit_log: &Path,
    consume_queue: &Path,
) -> Vec<(String, String)> {
    let cl = used_ratio(disk_space(commit_log));
    let mut out = vec![
        (
            format!("commitLogDiskRatio_{}", commit_log.display()),
            java_double(cl),
        ),
        ("commitLogDiskRatio".to_string(), java_double(cl)),
        (
            "consumeQueueDiskRatio".to_string(),
            java_double(used_ratio(disk_space(consume_queue))),
        ),
    ];
    if let Some(s) = disk_space(root) {
        out.push((
            "commitLogDirCapacity".to_string(),
            format!(
                "Total : {}, Free : {}.",
                human_readable_bytes(s.total as i64),
                human_readable_bytes(s.usable as i64)
            ),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_rounds_up_like_java() {
        let s = |total, free, usable| {
            Some(DiskSpace {
                total,
                free,
                usable,
            })
        };
        // used 45, usable 55 of 100: exactly 0.45
        assert_eq!(used_ratio(s(100, 55, 55)), 0.45);
        // used 1 of 3 (usable 2): 33.3 % rounds up to 0.34
        assert_eq!(used_ratio(s(3, 2, 2)), 0.34);
        // root's reserve: used 50, usable 40 -> 50/90 = 55.6 % -> 0.56
        assert_eq!(used_ratio(s(100, 50, 40)), 0.56);
        assert_eq!(used_ratio(None), -1.0);
        assert_eq!(used_ratio(s(0, 0, 0)), -1.0);
    }

    #[test]
    fn doubles_print_like_java() {
        assert_eq!(java_double(0.46), "0.46");
        assert_eq!(java_double(1.0), "1.0");
        assert_eq!(java_double(-1.0), "-1.0");
    }

    #[test]
    fn a_real_directory_has_a_ratio_and_a_capacity() {
        let dir = tempfile::tempdir().expect("temp dir");
        let e = runtime_entries(dir.path(), dir.path(), dir.path());
        let get = |k: &str| e.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
        let r: f64 = get("commitLogDiskRatio")
            .expect("ratio")
            .parse()
            .expect("a number");
        assert!(r > 0.0 && r <= 1.0, "{r}");
        assert!(get("consumeQueueDiskRatio").is_some());
        let cap = get("commitLogDirCapacity").expect("capacity");
        assert!(
            cap.starts_with("Total : ") && cap.contains(", Free : ") && cap.ends_with('.'),
            "{cap}"
        );
        let missing = runtime_entries(
            &dir.path().join("no"),
            &dir.path().join("no"),
            &dir.path().join("no"),
        );
        assert!(missing.contains(&("commitLogDiskRatio".to_string(), "-1.0".to_string())));
        assert!(!missing.iter().any(|(k, _)| k == "commitLogDirCapacity"));
    }
}
