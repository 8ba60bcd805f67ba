//! Bench message bodies: `seq` (u64) and a CRC32 of the rest, then filler derived from `seq`,
//! so a consumer can tell each message apart and prove its body arrived unchanged.

use bytes::{BufMut, Bytes, BytesMut};

/// Bytes before the filler: sequence number (8) + CRC32 (4) + run id (4).
pub const HEADER: usize = 16;

/// A body of `size` bytes (at least [`HEADER`]) for message `seq` of run `run`.
pub fn encode(run: u32, seq: u64, size: usize) -> Bytes {
    let size = size.max(HEADER);
    let mut filler = Vec::with_capacity(size - HEADER);
    let mut x = seq.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ u64::from(run);
    for _ in 0..size - HEADER {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        filler.push(b'a' + (x % 26) as u8);
    }
    let mut crc = crc32fast::Hasher::new();
    crc.update(&seq.to_be_bytes());
    crc.update(&run.to_be_bytes());
    crc.update(&filler);
    let mut b = BytesMut::with_capacity(size);
    b.put_u64(seq);
    b.put_u32(crc.finalize());
    b.put_u32(run);
    b.put_slice(&filler);
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
    }
}
