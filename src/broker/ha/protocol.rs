//! The HA wire format (raw TCP, not remoting frames), byte-compatible with RocketMQ 4.9.7 for the
//! data path:
//! - slave → master: 8-byte big-endian i64 reports of the slave's max commit-log offset;
//! - master → slave: frames of `i64 phys offset` + `i32 body size` + body (raw commit-log bytes);
//!   a frame with size 0 is a heartbeat.
//!
//! **Deviation from Java (hardening):** right after connecting, our slave sends a hello —
//! [`HELLO_MAGIC`] (a negative number, so never a valid offset report), a 4-byte length and a JSON
//! [`Hello`] naming its broker name, cluster and broker id. Our master refuses a connection without
//! it, or from another broker group, so a misconfigured slave cannot silently ack offsets it never
//! stored. A Java slave therefore cannot attach to our master (and vice versa the hello would be
//! read by a Java master as a negative offset report). With `haAuthSecret` the hello also
//! carries a proof of the shared secret (`auth`, docs/acl.md).

use bytes::{BufMut, Bytes, BytesMut};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncReadExt};

use super::error::HaError;

/// First 8 bytes of the hello: `i64::MIN + "RKHA"`; an offset can never be negative.
pub const HELLO_MAGIC: i64 = i64::MIN + 0x524B_4841;
/// Upper bound of the hello JSON.
pub const MAX_HELLO_LEN: usize = 4096;
/// Size of a master → slave frame header.
pub const FRAME_HEADER_LEN: usize = 12;
/// Upper bound of a frame body we accept (Java sends ≤ `haTransferBatchSize`, 32 KiB).
pub const MAX_FRAME_BODY: usize = 8 * 1024 * 1024;

/// Who the slave claims to be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Hello {
    pub broker_name: String,
    pub cluster: String,
    pub broker_id: i64,
}

/// The proof a slave adds to its hello with `haAuthSecret` (made and checked by `auth`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HelloAuth {
    pub timestamp: i64,
    pub auth: String,
}

/// The hello as sent: the identity plus, with `haAuthSecret`, its proof (`auth`).
#[derive(Debug, Serialize, Deserialize)]
struct WireHello {
    #[serde(flatten)]
    hello: Hello,
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    auth: Option<HelloAuth>,
}

/// Encodes the hello (magic, length, JSON).
pub fn encode_hello(hello: &Hello) -> Bytes {
    encode_hello_with(hello, None)
}

/// Encodes the hello with an optional proof (`auth`).
pub fn encode_hello_with(hello: &Hello, auth: Option<&HelloAuth>) -> Bytes {
    let wire = WireHello {
        hello: hello.clone(),
        auth: auth.cloned(),
    };
    // Serializing plain strings and numbers cannot fail.
    let json = serde_json::to_vec(&wire).unwrap_or_default();
    let mut b = BytesMut::with_capacity(12 + json.len());
    b.put_i64(HELLO_MAGIC);
    b.put_u32(json.len() as u32);
    b.put_slice(&json);
    b.freeze()
}

/// Reads and checks a hello from a freshly accepted slave connection.
pub async fn read_hello<R: AsyncRead + Unpin>(r: &mut R, peer: &str) -> Result<Hello, HaError> {
    read_hello_auth(r, peer).await.map(|(h, _)| h)
}

/// [`read_hello`] with the proof the hello carries, if any.
pub async fn read_hello_auth<R: AsyncRead + Unpin>(
    r: &mut R,
    peer: &str,
) -> Result<(Hello, Option<HelloAuth>), HaError> {
    let magic = r.read_i64().await.map_err(|e| HaError::io(peer, e))?;
    if magic != HELLO_MAGIC {
        return Err(HaError::BadHello {
            peer: peer.into(),
            reason: format!(
                "first 8 bytes are {magic}, not the hello magic (a slave without hello?)"
            ),
        });
    }
    let len = r.read_u32().await.map_err(|e| HaError::io(peer, e))? as usize;
    if len > MAX_HELLO_LEN {
        return Err(HaError::BadHello {
            peer: peer.into(),
            reason: format!("hello of {len} bytes"),
        });
    }
    let mut json = vec![0u8; len];
    r.read_exact(&mut json)
        .await
        .map_err(|e| HaError::io(peer, e))?;
    let wire: WireHello = serde_json::from_slice(&json).map_err(|e| HaError::BadHello {
        peer: peer.into(),
        reason: format!("hello JSON: {e}"),
    })?;
    Ok((wire.hello, wire.auth))
}

/// An offset report (slave → master).
pub fn encode_report(offset: i64) -> [u8; 8] {
    offset.to_be_bytes()
}

/// The header of a master → slave frame.
pub fn encode_frame_header(offset: i64, body_len: usize) -> [u8; FRAME_HEADER_LEN] {
    let mut h = [0u8; FRAME_HEADER_LEN];
    h[..8].copy_from_slice(&offset.to_be_bytes());
    h[8..].copy_from_slice(&(body_len as i32).to_be_bytes());
    h
}

/// One frame received by the slave.
#[derive(Debug, Clone)]
pub struct Frame {
    pub offset: i64,
    pub body: Bytes,
}

/// Reads one master → slave frame (body size checked before allocating).
pub async fn read_frame<R: AsyncRead + Unpin>(r: &mut R, peer: &str) -> Result<Frame, HaError> {
    let mut h = [0u8; FRAME_HEADER_LEN];
    r.read_exact(&mut h)
        .await
        .map_err(|e| HaError::io(peer, e))?;
    let offset = i64::from_be_bytes([h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]]);
    let size = i32::from_be_bytes([h[8], h[9], h[10], h[11]]);
    let len = usize::try_from(size)
        .ok()
        .filter(|l| *l <= MAX_FRAME_BODY)
        .ok_or_else(|| HaError::BadFrame {
            peer: peer.into(),
            reason: format!("body size {size}"),
        })?;
    if offset < 0 {
        return Err(HaError::BadFrame {
            peer: peer.into(),
            reason: format!("negative offset {offset}"),
        });
    }
    let mut body = vec![0u8; len];
    r.read_exact(&mut body)
        .await
        .map_err(|e| HaError::io(peer, e))?;
    Ok(Frame {
        offset,
        body: Bytes::from(body),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hello_round_trip_and_rejections() {
        let hello = Hello {
            broker_name: "b".into(),
            cluster: "c".into(),
            broker_id: 1,
        };
        let bytes = encode_hello(&hello);
        assert!(String::from_utf8_lossy(&bytes[12..]).contains("\"brokerName\":\"b\""));
        assert_eq!(read_hello(&mut &bytes[..], "p").await.unwrap(), hello);
        // A plain Java slave starts with an offset report: refused.
        let report = encode_report(0);
        assert!(matches!(
            read_hello(&mut &report[..], "p").await,
            Err(HaError::BadHello { .. })
        ));
        let mut big = BytesMut::new();
        big.put_i64(HELLO_MAGIC);
        big.put_u32(1 << 20);
        assert!(matches!(
            read_hello(&mut &big[..], "p").await,
            Err(HaError::BadHello { .. })
        ));
        const { assert!(HELLO_MAGIC < 0) };
    }

    #[tokio::test]
    async fn frame_round_trip_and_limits() {
        let mut b = encode_frame_header(4096, 3).to_vec();
        b.extend_from_slice(b"abc");
        b.extend_from_slice(&encode_frame_header(4099, 0));
        let mut r = &b[..];
        let f = read_frame(&mut r, "p").await.unwrap();
        assert_eq!((f.offset, &f.body[..]), (4096, &b"abc"[..]));
        let hb = read_frame(&mut r, "p").await.unwrap();
        assert_eq!((hb.offset, hb.body.len()), (4099, 0));
        let bad = encode_frame_header(0, MAX_FRAME_BODY + 1);
        assert!(matches!(
            read_frame(&mut &bad[..], "p").await,
            Err(HaError::BadFrame { .. })
        ));
        let neg = encode_frame_header(0, 0)
            .iter()
            .map(|_| 0xffu8)
            .collect::<Vec<_>>();
        assert!(matches!(
            read_frame(&mut &neg[..], "p").await,
            Err(HaError::BadFrame { .. })
        ));
    }
}
