//! Shared pieces of the disk-full tests (issue #19): a small real file system mounted under a
//! temp dir (tmpfs with `size=`, or a loop-mounted ext4 image) and unmounted on drop, the
//! visible skip without root, Java's usage ratio, numbered 4 KiB bodies, and file helpers.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

/// Prefix of a loop-ext4 mount failure (containers often have no loop devices).
const LOOP_EXT4: &str = "loop-mounted ext4";

/// Size of every test body.
pub const BODY: usize = 4096;

/// A small file system mounted under a temp dir; unmounted on drop (also on panic).
pub struct Mount {
    pub point: PathBuf,
    _dir: tempfile::TempDir,
}

impl Mount {
    pub fn tmpfs(size_mib: u64) -> Result<Mount, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let point = dir.path().join("mnt");
        std::fs::create_dir(&point).map_err(|e| e.to_string())?;
        run(
            "mount",
            &[
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size_mib}m"),
                "tmpfs",
                &point.to_string_lossy(),
            ],
        )?;
        Ok(Mount { point, _dir: dir })
    }

    pub fn ext4(size_mib: u64) -> Result<Mount, String> {
        Self::ext4_inner(size_mib).map_err(|e| format!("{LOOP_EXT4}: {e}"))
    }

    fn ext4_inner(size_mib: u64) -> Result<Mount, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let image = dir.path().join("fs.img");
        let f = std::fs::File::create(&image).map_err(|e| e.to_string())?;
        f.set_len(size_mib << 20).map_err(|e| e.to_string())?;
        drop(f);
        run(
            "mkfs.ext4",
            &["-q", "-F", "-b", "4096", &image.to_string_lossy()],
        )?;
        let point = dir.path().join("mnt");
        std::fs::create_dir(&point).map_err(|e| e.to_string())?;
        run(
            "mount",
            &[
                "-o",
                "loop",
                &image.to_string_lossy(),
                &point.to_string_lossy(),
            ],
        )?;
        Ok(Mount { point, _dir: dir })
    }

    pub fn store(&self) -> PathBuf {
        self.point.join("store")
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let p = self.point.to_string_lossy().to_string();
        if run("umount", &[&p]).is_err() {
            // Still busy (a mapping not yet dropped): detach now, freed when the last user goes.
            let _ = run("umount", &["-l", &p]);
        }
    }
}

fn run(cmd: &str, args: &[&str]) -> Result<(), String> {
    let out = Command::new(cmd)
        .args(args)
        .output()
        .map_err(|e| format!("`{cmd}` cannot run: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "`{cmd} {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// The mount, or a visible skip (a failure when `ROCKETACTOR_REQUIRE_DISK_TESTS` is set).
pub fn mount_or_skip(test: &str, m: Result<Mount, String>) -> Option<Mount> {
    match m {
        Ok(m) => Some(m),
        Err(why) => {
            // CI (root) requires tmpfs; a loop device may be missing in a container.
            if std::env::var_os("ROCKETACTOR_REQUIRE_DISK_TESTS").is_some()
                && !why.starts_with(LOOP_EXT4)
            {
                panic!("{test}: cannot mount a small file system: {why}");
            }
            let _ = writeln!(
                std::io::stderr(),
                "\nSKIPPED {test}: {why} (needs root to mount tmpfs / a loop ext4 image)\n"
            );
            None
        }
    }
}

/// Used fraction of the file system at `p`, as Java computes it.
pub fn usage(p: &Path) -> f64 {
    let st = nix::sys::statvfs::statvfs(p).expect("statvfs");
    let unit = st.fragment_size() as f64;
    let used = (st.blocks() - st.blocks_free()) as f64 * unit;
    used / (used + st.blocks_available() as f64 * unit)
}

pub fn body(seq: usize) -> Vec<u8> {
    let mut b = format!("{seq:010}:").into_bytes();
    b.extend((0..BODY - b.len()).map(|i| b'a' + ((seq * 7 + i) % 26) as u8));
    b
}

pub fn seq_of(body: &[u8]) -> usize {
    std::str::from_utf8(&body[..10])
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("unexpected body {:?}", &body[..16.min(body.len())]))
}

/// Makes every commit-log file but the last two look 100 hours old (expired for
/// `fileReservedTime` 72), so the cleaner removes them because the disk is over the ratio.
pub fn expire_old_commit_log_files(store: &Path) -> usize {
    let dir = store.join("commitlog");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("commitlog dir")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    let old = SystemTime::now() - Duration::from_secs(100 * 3600);
    let n = files.len().saturating_sub(2);
    for f in &files[..n] {
        std::fs::File::options()
            .write(true)
            .open(f)
            .and_then(|h| h.set_modified(old))
            .expect("set mtime");
    }
    n
}

/// Gives every commit-log file the current mtime (none is expired any more).
pub fn refresh_commit_log_files(store: &Path) {
    for e in std::fs::read_dir(store.join("commitlog")).expect("commitlog dir") {
        let path = e.expect("entry").path();
        let _ = std::fs::File::options()
            .write(true)
            .open(&path)
            .and_then(|h| h.set_modified(SystemTime::now()));
    }
}

/// Fills the file system at `dir` with a ballast file; returns its path.
pub fn ballast(dir: &Path) -> PathBuf {
    let path = dir.join("ballast");
    let mut f = std::fs::File::create(&path).unwrap();
    let chunk = vec![0x5au8; 64 * 1024];
    for _ in 0..100_000 {
        if f.write_all(&chunk).is_err() {
            break;
        }
    }
    for _ in 0..16 {
        let _ = f.write_all(&[1u8; 4096]);
    }
    path
}
