//! TLS contexts built from a node's [`TlsConfig`] (Java 4.9.7 `TlsHelper.buildSslContext`):
//! [`ServerTls`] for the listeners (client port, fast channel, HA port, name server) and
//! [`ClientTls`] for our client and the broker's outgoing links. rustls with the ring provider;
//! the keys, modes and what differs from Java are in docs/tls.md.

mod pem;
mod verify;

use std::path::PathBuf;
use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use rustls::server::WebPkiClientVerifier;
use rustls::RootCertStore;
use thiserror::Error;
use tokio_rustls::{TlsAcceptor, TlsConnector};

use crate::config::{ClientAuth, TlsConfig, TlsMode};

/// A TLS configuration that cannot be used; names the key and the file.
#[derive(Debug, Error)]
pub enum TlsError {
    #[error("cannot read `{key}` file {}: {source}", path.display())]
    Read {
        key: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("`{key}` file {}: {what}", path.display())]
    Pem {
        key: &'static str,
        path: PathBuf,
        what: String,
    },
    #[error("`{key}`: {what}")]
    Setting { key: &'static str, what: String },
    #[error("TLS context: {0}")]
    Rustls(#[from] rustls::Error),
    #[error("cannot generate the self-signed test certificate: {0}")]
    SelfSigned(#[from] rcgen::Error),
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn roots(key: &'static str, path: &std::path::Path) -> Result<RootCertStore, TlsError> {
    let mut store = RootCertStore::empty();
    for cert in pem::certs(key, path)? {
        store.add(cert).map_err(|e| TlsError::Pem {
            key,
            path: path.to_path_buf(),
            what: format!("not a usable CA certificate ({e})"),
        })?;
    }
    Ok(store)
}

/// The server side of a listener: its mode and, unless disabled, the acceptor.
#[derive(Clone)]
pub struct ServerTls {
    mode: TlsMode,
    acceptor: Option<TlsAcceptor>,
}

impl std::fmt::Debug for ServerTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerTls")
            .field("mode", &self.mode)
            .finish()
    }
}

impl ServerTls {
    /// Plaintext only (`tls.server.mode=disabled`).
    pub fn disabled() -> ServerTls {
        ServerTls {
            mode: TlsMode::Disabled,
            acceptor: None,
        }
    }

    /// Builds the server context: the configured certificate and key, or a self-signed one in
    /// test mode when none is configured; client certificates as `need.client.auth` and
    /// `authClient` say. Reads the files now, so a missing one stops start-up with its path.
    pub fn from_config(cfg: &TlsConfig) -> Result<ServerTls, TlsError> {
        if cfg.server_mode == TlsMode::Disabled {
            return Ok(ServerTls::disabled());
        }
        let (chain, key) = match (&cfg.server_cert_path, &cfg.server_key_path) {
            (Some(c), Some(k)) => (
                pem::certs("tls.server.certPath", c)?,
                pem::private_key("tls.server.keyPath", k)?,
            ),
            _ if cfg.test_mode_enable => self_signed()?,
            _ => {
                return Err(TlsError::Setting {
                    key: "tls.server.certPath",
                    what: "required when tls.test.mode.enable=false".into(),
                })
            }
        };
        let provider = provider();
        let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()?;
        let builder = match cfg.server_need_client_auth {
            ClientAuth::None => builder.with_no_client_auth(),
            need => {
                let trusted = match (&cfg.server_trust_cert_path, cfg.server_auth_client) {
                    (Some(path), true) => Some(roots("tls.server.trustCertPath", path)?),
                    (None, true) => {
                        return Err(TlsError::Setting {
                            key: "tls.server.trustCertPath",
                            what: "required when tls.server.authClient=true".into(),
                        })
                    }
                    _ => None,
                };
                let verifier: Arc<dyn rustls::server::danger::ClientCertVerifier> = match trusted {
                    Some(roots) => {
                        let b = WebPkiClientVerifier::builder_with_provider(
                            Arc::new(roots),
                            provider.clone(),
                        );
                        let b = if need == ClientAuth::Optional {
                            b.allow_unauthenticated()
                        } else {
                            b
                        };
                        b.build().map_err(|e| TlsError::Setting {
                            key: "tls.server.trustCertPath",
                            what: e.to_string(),
                        })?
                    }
                    None => Arc::new(verify::AnyClientCert {
                        provider: provider.clone(),
                        mandatory: need == ClientAuth::Require,
                    }),
                };
                builder.with_client_cert_verifier(verifier)
            }
        };
        let config = builder.with_single_cert(chain, key)?;
        Ok(ServerTls {
            mode: cfg.server_mode,
            acceptor: Some(TlsAcceptor::from(Arc::new(config))),
        })
    }

    pub fn mode(&self) -> TlsMode {
        self.mode
    }

    /// The acceptor; `None` when disabled.
    pub fn acceptor(&self) -> Option<&TlsAcceptor> {
        self.acceptor.as_ref()
    }
}

/// Java's `SelfSignedCertificate` of test mode: a fresh certificate for `localhost`.
fn self_signed() -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), TlsError> {
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()])?;
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(ck.key_pair.serialize_der()));
    Ok((vec![ck.cert.der().clone()], key))
}

/// The client side of TLS links: a connector configured as Java's client context.
#[derive(Clone)]
pub struct ClientTls {
    connector: TlsConnector,
}

impl std::fmt::Debug for ClientTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClientTls")
    }
}

impl ClientTls {
    /// Java's default client (`tls.test.mode.enable=true`): trusts any server, shows no
    /// certificate.
    pub fn insecure() -> Result<ClientTls, TlsError> {
        let provider = provider();
        let config = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verify::AnyServerCert(provider)))
            .with_no_client_auth();
        Ok(ClientTls {
            connector: TlsConnector::from(Arc::new(config)),
        })
    }

    /// Builds the client context from the `tls.client.*` keys: test mode as
    /// [`ClientTls::insecure`]; otherwise the server is verified against trustCertPath when
    /// `authServer` is set, and the client certificate is shown when configured.
    pub fn from_config(cfg: &TlsConfig) -> Result<ClientTls, TlsError> {
        if cfg.test_mode_enable {
            return ClientTls::insecure();
        }
        let provider = provider();
        let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()?;
        let builder = match (&cfg.client_trust_cert_path, cfg.client_auth_server) {
            (Some(path), true) => {
                builder.with_root_certificates(roots("tls.client.trustCertPath", path)?)
            }
            (None, true) => {
                return Err(TlsError::Setting {
                    key: "tls.client.trustCertPath",
                    what: "required when tls.client.authServer=true (no system trust store)".into(),
                })
            }
            (_, false) => builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(verify::AnyServerCert(provider))),
        };
        let config = match (&cfg.client_cert_path, &cfg.client_key_path) {
            (Some(c), Some(k)) => builder.with_client_auth_cert(
                pem::certs("tls.client.certPath", c)?,
                pem::private_key("tls.client.keyPath", k)?,
            )?,
            _ => builder.with_no_client_auth(),
        };
        Ok(ClientTls {
            connector: TlsConnector::from(Arc::new(config)),
        })
    }

    /// Runs the handshake over `stream` to `addr` (`host:port`; the host is the server name).
    pub async fn connect(
        &self,
        addr: &str,
        stream: tokio::net::TcpStream,
    ) -> std::io::Result<tokio_rustls::client::TlsStream<tokio::net::TcpStream>> {
        let host = addr.rsplit_once(':').map(|(h, _)| h).unwrap_or(addr);
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let name = ServerName::try_from(host.to_owned())
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        self.connector.connect(name, stream).await
    }
}

/// Both sides of one node: what its listeners serve and, when its outgoing links use TLS
/// (`tls.enable`, `useTLS`, or enforcing mode; see [`TlsConfig::outgoing`]), how they connect.
#[derive(Debug, Clone)]
pub struct NodeTls {
    pub server: ServerTls,
    pub client: Option<ClientTls>,
}

impl NodeTls {
    /// Plaintext everywhere.
    pub fn disabled() -> NodeTls {
        NodeTls {
            server: ServerTls::disabled(),
            client: None,
        }
    }

    /// Builds both contexts now (start-up), so that a bad file stops the node with its path.
    pub fn from_config(cfg: &TlsConfig, use_tls: bool) -> Result<NodeTls, TlsError> {
        let server = ServerTls::from_config(cfg)?;
        let client = if cfg.outgoing(use_tls) {
            Some(ClientTls::from_config(cfg)?)
        } else {
            None
        };
        Ok(NodeTls { server, client })
    }
}
