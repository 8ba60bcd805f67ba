//! One socket type for every connection, plaintext or TLS, so that everything after the
//! handshake (framing, the connection actor, the HA link, our client) is one code path:
//! [`IoStream`] and its halves [`IoRead`] / [`IoWrite`]. A plaintext socket keeps tokio's
//! lock-free split; a TLS stream is split with `tokio::io::split`.
//!
//! Also [`accept`]: what a listener does with a fresh socket under `tls.server.mode`, as Java's
//! `NettyRemotingServer.HandshakeHandler`: peek the first byte; 0x16 (a TLS handshake record)
//! gets the TLS handshake unless the mode is disabled, anything else is plaintext unless the
//! mode is enforcing. Refusals close the socket and are logged by the caller.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf, ReadHalf, WriteHalf};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;
use tokio_rustls::TlsStream;

use crate::config::TlsMode;
use crate::tls::ServerTls;

/// A connected socket, plaintext or TLS (either side).
pub enum IoStream {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

/// The read half of an [`IoStream`].
pub enum IoRead {
    Plain(OwnedReadHalf),
    Tls(ReadHalf<Box<TlsStream<TcpStream>>>),
}

/// The write half of an [`IoStream`].
pub enum IoWrite {
    Plain(OwnedWriteHalf),
    Tls(WriteHalf<Box<TlsStream<TcpStream>>>),
}

impl IoStream {
    /// The underlying TCP socket (addresses, options).
    pub fn tcp(&self) -> &TcpStream {
        match self {
            Self::Plain(s) => s,
            Self::Tls(s) => s.get_ref().0,
        }
    }

    pub fn is_tls(&self) -> bool {
        matches!(self, Self::Tls(_))
    }

    pub fn split(self) -> (IoRead, IoWrite) {
        match self {
            Self::Plain(s) => {
                let (r, w) = s.into_split();
                (IoRead::Plain(r), IoWrite::Plain(w))
            }
            Self::Tls(s) => {
                let (r, w) = tokio::io::split(s);
                (IoRead::Tls(r), IoWrite::Tls(w))
            }
        }
    }
}

impl From<tokio_rustls::client::TlsStream<TcpStream>> for IoStream {
    fn from(s: tokio_rustls::client::TlsStream<TcpStream>) -> Self {
        IoStream::Tls(Box::new(TlsStream::Client(s)))
    }
}

impl AsyncRead for IoRead {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(r) => Pin::new(r).poll_read(cx, buf),
            Self::Tls(r) => Pin::new(r).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for IoWrite {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Self::Plain(w) => Pin::new(w).poll_write(cx, buf),
            Self::Tls(w) => Pin::new(w).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(w) => Pin::new(w).poll_flush(cx),
            Self::Tls(w) => Pin::new(w).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(w) => Pin::new(w).poll_shutdown(cx),
            Self::Tls(w) => Pin::new(w).poll_shutdown(cx),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Self::Plain(w) => Pin::new(w).poll_write_vectored(cx, bufs),
            Self::Tls(w) => Pin::new(w).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            Self::Plain(w) => w.is_write_vectored(),
            Self::Tls(w) => w.is_write_vectored(),
        }
    }
}

/// The first byte of a TLS handshake record (Java's `HANDSHAKE_MAGIC_CODE`).
const TLS_HANDSHAKE: u8 = 0x16;

/// Why an accepted socket was not served.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    #[error("TLS hello on a port in TLS disabled mode")]
    TlsWhileDisabled,
    #[error("plaintext connection on a port in TLS enforcing mode")]
    PlainWhileEnforcing,
    #[error("nothing sent within {0:?}")]
    Silent(Duration),
    #[error("closed before sending anything")]
    Closed,
    #[error("TLS handshake failed: {0}")]
    Handshake(io::Error),
    #[error("socket error: {0}")]
    Io(io::Error),
}

/// Decides what `stream` is under `tls` (see the module doc). `within` bounds the wait for the
/// first byte and the handshake together. Runs in a task of its own per socket, so a slow or
/// garbage peer never holds up the accept loop.
pub async fn accept(
    stream: TcpStream,
    tls: &ServerTls,
    within: Duration,
) -> Result<IoStream, Refused> {
    let work = async {
        let mut first = [0u8; 1];
        let n = stream.peek(&mut first).await.map_err(Refused::Io)?;
        if n == 0 {
            return Err(Refused::Closed);
        }
        match (first[0] == TLS_HANDSHAKE, tls.mode(), tls.acceptor()) {
            (true, TlsMode::Disabled, _) | (true, _, None) => Err(Refused::TlsWhileDisabled),
            (true, _, Some(acceptor)) => acceptor
                .accept(stream)
                .await
                .map(|s| IoStream::Tls(Box::new(TlsStream::Server(s))))
                .map_err(Refused::Handshake),
            (false, TlsMode::Enforcing, _) => Err(Refused::PlainWhileEnforcing),
            (false, _, _) => Ok(IoStream::Plain(stream)),
        }
    };
    tokio::time::timeout(within, work)
        .await
        .map_err(|_| Refused::Silent(within))?
}
