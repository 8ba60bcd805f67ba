//! [`TlsConfig`]: Java 4.9.7's `TlsSystemConfig` keys (`tls.server.mode`, certificate paths,
//! client authentication, the client side and `tls.test.mode.enable`), typed, with the
//! `tls.config.file` overlay and the checks run before a node starts (docs/tls.md).
//!
//! Java reads these keys only as system properties plus the file named by `tls.config.file`
//! (default `/etc/rocketmq/tls.properties`), whose values win. We accept them in the broker /
//! name-server properties file as well (an extension) and read the same `tls.config.file`; its
//! values win over the properties file, as Java's file wins over `-D` properties.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use super::keys::{key_table, KeySpec};
use super::properties::parse_properties;
use super::value::ConfValue;
use super::{ConfigError, Source};

/// Java's default `tls.config.file`.
pub const DEFAULT_TLS_CONFIG_FILE: &str = "/etc/rocketmq/tls.properties";

/// `tls.server.mode` (Java `TlsMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// Plaintext only; a TLS hello is refused.
    Disabled,
    /// TLS and plaintext on the same port, told apart by the first byte (0x16).
    Permissive,
    /// TLS only; plaintext is refused.
    Enforcing,
}

impl TlsMode {
    pub fn name(self) -> &'static str {
        match self {
            Self::Disabled => "disabled",
            Self::Permissive => "permissive",
            Self::Enforcing => "enforcing",
        }
    }
}

impl fmt::Display for TlsMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl ConfValue for TlsMode {
    fn parse_conf(raw: &str) -> Result<Self, String> {
        match raw.to_ascii_lowercase().as_str() {
            "disabled" => Ok(Self::Disabled),
            "permissive" => Ok(Self::Permissive),
            "enforcing" => Ok(Self::Enforcing),
            _ => Err("one of disabled, permissive, enforcing".into()),
        }
    }
    fn render_conf(&self) -> String {
        self.name().into()
    }
}

/// `tls.server.need.client.auth` (Netty `ClientAuth`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAuth {
    None,
    Optional,
    Require,
}

impl ConfValue for ClientAuth {
    fn parse_conf(raw: &str) -> Result<Self, String> {
        match raw.to_ascii_lowercase().as_str() {
            // Java treats an empty value as NONE.
            "" | "none" => Ok(Self::None),
            "optional" => Ok(Self::Optional),
            "require" => Ok(Self::Require),
            _ => Err("one of none, optional, require".into()),
        }
    }
    fn render_conf(&self) -> String {
        match self {
            Self::None => "none",
            Self::Optional => "optional",
            Self::Require => "require",
        }
        .into()
    }
}

/// `tls.enable`: unset means "as `tls.server.mode=enforcing` implies" (Java's BrokerStartup).
impl ConfValue for Option<bool> {
    fn parse_conf(raw: &str) -> Result<Self, String> {
        if raw.is_empty() {
            return Ok(None);
        }
        bool::parse_conf(raw).map(Some)
    }
    fn render_conf(&self) -> String {
        self.map(|b| b.to_string()).unwrap_or_default()
    }
}

/// Every TLS key of a node (Java `TlsSystemConfig`).
#[derive(Debug, Clone, PartialEq)]
pub struct TlsConfig {
    /// `tls.server.mode` (Java: permissive; ours: disabled, see docs/tls.md).
    pub server_mode: TlsMode,
    /// `tls.server.certPath`: PEM certificate chain.
    pub server_cert_path: Option<PathBuf>,
    /// `tls.server.keyPath`: PEM private key (PKCS#8, PKCS#1 or SEC1, unencrypted).
    pub server_key_path: Option<PathBuf>,
    /// `tls.server.keyPassword`: accepted; encrypted keys are refused at start-up.
    pub server_key_password: Option<String>,
    /// `tls.server.authClient` (false): verify client certificates against trustCertPath.
    pub server_auth_client: bool,
    /// `tls.server.trustCertPath`: PEM CA certificates client certificates must chain to.
    pub server_trust_cert_path: Option<PathBuf>,
    /// `tls.server.need.client.auth` (none).
    pub server_need_client_auth: ClientAuth,
    /// `tls.client.certPath`: the certificate our outgoing links present.
    pub client_cert_path: Option<PathBuf>,
    /// `tls.client.keyPath`.
    pub client_key_path: Option<PathBuf>,
    /// `tls.client.keyPassword`: as the server's.
    pub client_key_password: Option<String>,
    /// `tls.client.authServer` (false): verify the server against trustCertPath.
    pub client_auth_server: bool,
    /// `tls.client.trustCertPath`.
    pub client_trust_cert_path: Option<PathBuf>,
    /// `tls.test.mode.enable` (true): self-signed server certificate when none is configured,
    /// and clients that trust any server and present no certificate (as Java).
    pub test_mode_enable: bool,
    /// `tls.enable`: the node's outgoing links (registration, HA slave) use TLS.
    pub enable: Option<bool>,
    /// `tls.config.file` (/etc/rocketmq/tls.properties): read when it exists; its keys win.
    pub config_file: PathBuf,
}

impl Default for TlsConfig {
    fn default() -> Self {
        TlsConfig {
            server_mode: TlsMode::Disabled,
            server_cert_path: None,
            server_key_path: None,
            server_key_password: None,
            server_auth_client: false,
            server_trust_cert_path: None,
            server_need_client_auth: ClientAuth::None,
            client_cert_path: None,
            client_key_path: None,
            client_key_password: None,
            client_auth_server: false,
            client_trust_cert_path: None,
            test_mode_enable: true,
            enable: None,
            config_file: PathBuf::from(DEFAULT_TLS_CONFIG_FILE),
        }
    }
}

/// The keys a `tls.config.file` may set (all but `tls.config.file` itself).
static FILE_KEYS: &[KeySpec<TlsConfig>] = key_table!(TlsConfig {
    "tls.server.mode" => server_mode,
    "tls.server.certPath" => server_cert_path,
    "tls.server.keyPath" => server_key_path,
    "tls.server.keyPassword" => server_key_password,
    "tls.server.authClient" => server_auth_client,
    "tls.server.trustCertPath" => server_trust_cert_path,
    "tls.server.need.client.auth" => server_need_client_auth,
    "tls.client.certPath" => client_cert_path,
    "tls.client.keyPath" => client_key_path,
    "tls.client.keyPassword" => client_key_password,
    "tls.client.authServer" => client_auth_server,
    "tls.client.trustCertPath" => client_trust_cert_path,
    "tls.test.mode.enable" => test_mode_enable,
    "tls.enable" => enable,
});

impl TlsConfig {
    /// Whether outgoing links use TLS: `useTLS`, else `tls.enable`, else enforcing mode.
    pub fn outgoing(&self, use_tls: bool) -> bool {
        use_tls
            || self
                .enable
                .unwrap_or(self.server_mode == TlsMode::Enforcing)
    }

    /// Overlays `tls.config.file` (when it exists, or fails when it was set explicitly and
    /// does not), then checks the combination. `sources` are the node's key sources; errors
    /// about keys the file set name the file's lines.
    pub(crate) fn finish(
        &mut self,
        sources: &BTreeMap<String, Source>,
        warnings: &mut Vec<String>,
    ) -> Result<(), ConfigError> {
        let mut sources = sources.clone();
        // Java's default path is skipped when absent, even when written out explicitly.
        let explicit = !matches!(sources.get("tls.config.file"), None | Some(Source::Default))
            && self.config_file != Path::new(DEFAULT_TLS_CONFIG_FILE);
        let path = self.config_file.clone();
        match std::fs::read_to_string(&path) {
            Ok(text) => self.overlay(&path, &text, &mut sources, warnings)?,
            Err(e) if explicit => {
                return Err(if e.kind() == std::io::ErrorKind::NotFound {
                    ConfigError::NotFound { path }
                } else {
                    ConfigError::Unreadable { path, source: e }
                })
            }
            Err(_) => {} // Java: "Tls config file doesn't exist, skip it"
        }
        self.check(&sources)
    }

    fn overlay(
        &mut self,
        path: &Path,
        text: &str,
        sources: &mut BTreeMap<String, Source>,
        warnings: &mut Vec<String>,
    ) -> Result<(), ConfigError> {
        let props = parse_properties(text).map_err(|e| ConfigError::Syntax {
            path: path.to_path_buf(),
            line: e.line,
            message: e.message,
        })?;
        for entry in &props.entries {
            let origin = Source::File {
                path: path.to_path_buf(),
                line: entry.line,
            };
            let Some(spec) = FILE_KEYS.iter().find(|s| s.name == entry.key) else {
                warnings.push(format!(
                    "{origin}: `{}` is not a TLS key; ignored in tls.config.file",
                    entry.key
                ));
                continue;
            };
            (spec.apply)(self, entry.value.trim()).map_err(|expected| {
                ConfigError::invalid(origin.clone(), spec.name, entry.value.clone(), expected)
            })?;
            sources.insert(spec.name.to_owned(), origin);
        }
        Ok(())
    }

    /// Pairs that only work together (cert with key) and what a mode needs.
    fn check(&self, sources: &BTreeMap<String, Source>) -> Result<(), ConfigError> {
        let at = |key: &str| sources.get(key).cloned().unwrap_or(Source::Code);
        for (cert, key, cert_key, key_key) in [
            (
                &self.server_cert_path,
                &self.server_key_path,
                "tls.server.certPath",
                "tls.server.keyPath",
            ),
            (
                &self.client_cert_path,
                &self.client_key_path,
                "tls.client.certPath",
                "tls.client.keyPath",
            ),
        ] {
            match (cert, key) {
                (Some(c), None) => {
                    return Err(ConfigError::invalid(
                        at(cert_key),
                        cert_key,
                        c.display().to_string(),
                        format!("{key_key} to be set as well"),
                    ))
                }
                (None, Some(k)) => {
                    return Err(ConfigError::invalid(
                        at(key_key),
                        key_key,
                        k.display().to_string(),
                        format!("{cert_key} to be set as well"),
                    ))
                }
                _ => {}
            }
        }
        if self.server_mode != TlsMode::Disabled
            && !self.test_mode_enable
            && self.server_cert_path.is_none()
        {
            return Err(ConfigError::invalid(
                at("tls.server.certPath"),
                "tls.server.certPath",
                "",
                format!(
                    "a certificate file when tls.server.mode={} and tls.test.mode.enable=false",
                    self.server_mode
                ),
            ));
        }
        Ok(())
    }
}
