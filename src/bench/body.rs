//! Bench message bodies: `seq` (u64), a CRC32 of the rest and the run id, then letters chosen
//! by `seq`, so a consumer can tell each message apart and prove its body arrived unchanged.

use bytes::{Bytes, BytesMut};

/// Bytes before the filler: sequence number (8) + CRC32 (4) + run id (4).
pub const HEADER: usize = 16;

/// Pseudo-random letters the fillers are cut from (built once per process).
const TABLE_LEN: usize = 256 * 1024;

fn letters(seed: u64, out: &mut [u8]) {
    let mut x = seed | 1;
    for chunk in out.chunks_mut(8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        for (d, s) in chunk.iter_mut().zip(x.to_le_bytes()) {
            *d = b'a' + s % 26;
        }
    }
}

fn table() -> &'static [u8] {
    static TABLE: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = vec![0u8; TABLE_LEN];
        letters(0x5EED_1234_ABCD_9876, &mut t);
        t
    })
}

/// A body of `size` bytes (at least [`HEADER`]) for message `seq` of run `run`. The filler is
/// a window of a pseudo-random letter table picked by `seq` and `run` (bodies above 128 KiB get
/// their own letters): this runs once per message in the client, so it is a copy, not a
/// generator.
pub fn encode(run: u32, seq: u64, size: usize) -> Bytes {
    let size = size.max(HEADER);
    let filler_len = size - HEADER;
    let mut b = BytesMut::zeroed(size);
    let pick = seq.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ u64::from(run);
    if filler_len <= TABLE_LEN / 2 {
        let t = table();
        let at = (pick >> 17) as usize % (TABLE_LEN - filler_len + 1);
        b[HEADER..].copy_from_slice(&t[at..at + filler_len]);
    } else {
        letters(pick, &mut b[HEADER..]);
    }
    let mut crc = crc32fast::Hasher::new();
    crc.update(&seq.to_be_bytes());
    crc.update(&run.to_be_bytes());
    crc.update(&b[HEADER..]);
    b[0..8].copy_from_slice(&seq.to_be_bytes());
    b[8..12].copy_from_slice(&crc.finalize().to_be_bytes());
    b[12..16].copy_from_slice(&run.to_be_bytes());
    b.freeze()
}

/// `(run, seq)` of an intact body, `None` for a short or corrupted one.
pub fn decode(body: &[u8]) -> Option<(u32, u64)> {
    if body.len() < HEADER {
        return None;
    }
    let seq = u64::from_be_bytes(body[0..8].try_into().ok()?);
    let crc = u32::from_be_bytes(body[8..12].try_into().ok()?);
    let run = u32::from_be_bytes(body[12..16].try_into().ok()?);
    let mut h = crc32fast::Hasher::new();
    h.update(&body[0..8]);
    h.update(&body[12..16]);
    h.update(&body[16..]);
    (h.finalize() == crc).then_some((run, seq))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_corruption() {
        let b = encode(7, 42, 1024);
        assert_eq!(b.len(), 1024);
        assert_eq!(decode(&b), Some((7, 42)));
        let mut bad = b.to_vec();
        bad[500] ^= 1;
        assert_eq!(decode(&bad), None);
        assert_eq!(decode(&b[..10]), None);
        assert_eq!(encode(1, 2, 3).len(), HEADER);
        let big = encode(7, 43, 300 * 1024);
        assert_eq!(decode(&big), Some((7, 43)));
        assert_ne!(encode(7, 1, 1024)[HEADER..], encode(7, 2, 1024)[HEADER..]);
    }
}
