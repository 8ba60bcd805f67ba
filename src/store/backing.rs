//! Disk space behind the mapped store files (issue #19, `docs/disk-full.md`).
//!
//! Store files are created sparse (`set_len`), as Java's are. A store into a page of a shared
//! mapping that the file system cannot back is a SIGBUS, not an error — and on tmpfs even a
//! *read* fault on a hole allocates a page. So the store never touches a page through a mapping
//! unless it is known to be backed: written data, or space allocated ahead of the write position
//! with `fallocate` in chunks (a few MiB for the commit log, 64 KiB for a consume queue, pages
//! for index files). Running out of space then shows up as `ENOSPC` from `fallocate`, an error
//! on the put path, and bytes past the backed region are read as the zeros they are.

use crate::store::error::{is_out_of_space, StoreError, StoreResult};
use std::fs::File;
use std::path::Path;

/// Size of an OS page, used for "flush least pages".
pub const OS_PAGE_SIZE: usize = 4096;

/// Rounds `n` up to a whole page.
pub fn page_up(n: usize) -> usize {
    n.div_ceil(OS_PAGE_SIZE) * OS_PAGE_SIZE
}

/// Start of the first hole of `file` (clamped to `size`): the leading region that holds data
/// and may be read through a mapping. Space allocated but never written counts as a hole (the
/// kernel reports it so); it reads as zeros either way. Without `SEEK_HOLE` support the whole
/// file counts as data, as before.
pub fn leading_data_end(file: &File, size: usize) -> usize {
    data_ranges(file, size)
        .first()
        .filter(|r| r.0 == 0)
        .map_or(0, |r| r.1)
}

/// The `[start, end)` data regions of `file` below `size`, in order (via `SEEK_DATA` /
/// `SEEK_HOLE`, bounded). Falls back to one region covering the file when unsupported.
pub fn data_ranges(file: &File, size: usize) -> Vec<(usize, usize)> {
    use nix::unistd::{lseek, Whence};
    use std::os::fd::AsRawFd;
    let fd = file.as_raw_fd();
    let Ok(limit) = i64::try_from(size) else {
        return vec![(0, size)];
    };
    let mut out = Vec::new();
    let mut at = 0i64;
    // Bounded: every turn moves past one data region.
    for _ in 0..=size / OS_PAGE_SIZE + 1 {
        if at >= limit {
            break;
        }
        let start = match lseek(fd, at, Whence::SeekData) {
            Ok(s) => s,
            Err(nix::errno::Errno::ENXIO) => break, // no data after `at`
            Err(_) => return vec![(0, size)],
        };
        if start >= limit {
            break;
        }
        let end = match lseek(fd, start, Whence::SeekHole) {
            Ok(e) => e.min(limit),
            Err(_) => return vec![(0, size)],
        };
        if end <= start {
            break;
        }
        out.push((start as usize, end as usize));
        at = end;
    }
    out
}

/// Allocates `[from, to)` of `file` (size `file_size`, at `path`) so that later stores into the
/// mapping cannot fault for lack of space. ENOSPC / EDQUOT become [`StoreError::NoSpace`].
pub fn allocate(
    file: &File,
    path: &Path,
    from: usize,
    to: usize,
    file_size: usize,
) -> StoreResult<()> {
    if to <= from {
        return Ok(());
    }
    let no_space = |source: std::io::Error| StoreError::NoSpace {
        path: path.to_path_buf(),
        offset: from as u64,
        len: (to - from) as u64,
        file_size: file_size as u64,
        source,
    };
    match fallocate(file, from, to) {
        Ok(()) => Ok(()),
        Err(e) if is_out_of_space(&e) => Err(no_space(e)),
        Err(e) if is_unsupported(&e) => write_zeros(file, from, to).map_err(|e| {
            if is_out_of_space(&e) {
                no_space(e)
            } else {
                StoreError::io(path, e)
            }
        }),
        Err(e) => Err(StoreError::io(path, e)),
    }
}

#[cfg(target_os = "linux")]
fn fallocate(file: &File, from: usize, to: usize) -> std::io::Result<()> {
    use nix::fcntl::FallocateFlags;
    use std::os::fd::AsRawFd;
    let off = i64::try_from(from).map_err(|_| std::io::Error::from_raw_os_error(libc::EFBIG))?;
    let len =
        i64::try_from(to - from).map_err(|_| std::io::Error::from_raw_os_error(libc::EFBIG))?;
    // Mode 0 inside the file size: allocates blocks, never changes the size or the data.
    nix::fcntl::fallocate(file.as_raw_fd(), FallocateFlags::empty(), off, len)
        .map_err(|e| std::io::Error::from_raw_os_error(e as i32))
}

#[cfg(not(target_os = "linux"))]
fn fallocate(_file: &File, _from: usize, _to: usize) -> std::io::Result<()> {
    Err(std::io::Error::from_raw_os_error(libc::EOPNOTSUPP))
}

fn is_unsupported(e: &std::io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::EOPNOTSUPP) | Some(libc::ENOSYS) | Some(libc::EINVAL)
    )
}

/// Fallback for file systems without `fallocate`: writes zeros with `pwrite`, which backs the
/// range just as well. Only used above the data region, where the file is zero anyway.
fn write_zeros(file: &File, from: usize, to: usize) -> std::io::Result<()> {
    use std::os::unix::fs::FileExt;
    let zeros = vec![0u8; 64 * 1024];
    let mut at = from;
    while at < to {
        let n = (to - at).min(zeros.len());
        file.write_all_at(&zeros[..n], at as u64)?;
        at += n;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocated_region_is_not_reported_as_data_but_written_bytes_are() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let f = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .unwrap();
        f.set_len(1 << 20).unwrap();
        assert_eq!(leading_data_end(&f, 1 << 20), 0);
        use std::os::unix::fs::FileExt;
        f.write_all_at(&[7u8; 5000], 0).unwrap();
        let end = leading_data_end(&f, 1 << 20);
        assert!((5000..=1 << 20).contains(&end), "{end}");
        allocate(&f, &path, end, 1 << 19, 1 << 20).unwrap();
        assert_eq!(f.metadata().unwrap().len(), 1 << 20);
        let mut b = [1u8; 8];
        f.read_exact_at(&mut b, 200_000).unwrap();
        assert_eq!(b, [0u8; 8]);
    }
}
