//! Reading the PEM files the `tls.*` path keys name: certificate chains, CA bundles and
//! private keys (PKCS#8, PKCS#1 or SEC1). Java's Netty wants PKCS#8 and can decrypt it with
//! `keyPassword`; we refuse an encrypted key with a message saying how to decrypt it
//! (docs/tls.md). Every error names the key and the path. Runs at start-up only.

use std::path::Path;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use super::TlsError;

fn read(key: &'static str, path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|source| TlsError::Read {
        key,
        path: path.to_path_buf(),
        source,
    })
}

/// Every certificate of a PEM file (a chain, or a CA bundle); at least one.
pub(crate) fn certs(
    key: &'static str,
    path: &Path,
) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let bytes = read(key, path)?;
    let certs = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsError::Pem {
            key,
            path: path.to_path_buf(),
            what: format!("not a PEM certificate file ({e})"),
        })?;
    if certs.is_empty() {
        return Err(TlsError::Pem {
            key,
            path: path.to_path_buf(),
            what: "no CERTIFICATE block found".into(),
        });
    }
    Ok(certs)
}

/// The private key of a PEM file (the first one).
pub(crate) fn private_key(
    key: &'static str,
    path: &Path,
) -> Result<PrivateKeyDer<'static>, TlsError> {
    let bytes = read(key, path)?;
    let text = String::from_utf8_lossy(&bytes);
    if text.contains("ENCRYPTED PRIVATE KEY") || text.contains("Proc-Type: 4,ENCRYPTED") {
        return Err(TlsError::Pem {
            key,
            path: path.to_path_buf(),
            what: "the key is encrypted; rocketactor reads unencrypted keys only \
                   (decrypt it with `openssl pkcs8 -in KEY -out KEY.plain`)"
                .into(),
        });
    }
    PrivateKeyDer::from_pem_slice(&bytes).map_err(|e| TlsError::Pem {
        key,
        path: path.to_path_buf(),
        what: format!("no PKCS#8, PKCS#1 or SEC1 private key found ({e})"),
    })
}
