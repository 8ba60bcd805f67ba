//! Certificates for the TLS tests, generated at test time with rcgen into a temp dir (no
//! checked-in keys): a test CA, a server certificate it signed (for `localhost` and
//! 127.0.0.1), a client certificate it signed, and a rogue self-signed client certificate.
//! Plus the [`TlsConfig`]s the tests start nodes and clients with.

use std::path::PathBuf;

use rcgen::{BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair};
use rocketactor::config::{TlsConfig, TlsMode};

/// PEM files of one test PKI, alive as long as this value.
pub struct Pki {
    pub dir: tempfile::TempDir,
    pub ca: PathBuf,
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
    pub client_cert: PathBuf,
    pub client_key: PathBuf,
    pub rogue_cert: PathBuf,
    pub rogue_key: PathBuf,
}

fn leaf(
    names: Vec<String>,
    purpose: ExtendedKeyUsagePurpose,
    cn: &str,
) -> (CertificateParams, KeyPair) {
    let mut params = CertificateParams::new(names).expect("certificate params");
    params.distinguished_name.push(DnType::CommonName, cn);
    params.extended_key_usages = vec![purpose];
    (params, KeyPair::generate().expect("key pair"))
}

impl Pki {
    pub fn generate() -> Pki {
        let dir = tempfile::tempdir().expect("temp dir");
        let write = |name: &str, text: String| {
            let p = dir.path().join(name);
            std::fs::write(&p, text).expect("write PEM");
            p
        };
        let ca_key = KeyPair::generate().expect("CA key");
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "rocketactor test CA");
        let ca = ca_params.self_signed(&ca_key).expect("CA certificate");

        let names = vec!["localhost".to_owned(), "127.0.0.1".to_owned()];
        let (sp, sk) = leaf(names, ExtendedKeyUsagePurpose::ServerAuth, "broker");
        let server = sp.signed_by(&sk, &ca, &ca_key).expect("server certificate");
        let (cp, ck) = leaf(vec![], ExtendedKeyUsagePurpose::ClientAuth, "client");
        let client = cp.signed_by(&ck, &ca, &ca_key).expect("client certificate");
        let (rp, rk) = leaf(vec![], ExtendedKeyUsagePurpose::ClientAuth, "rogue");
        let rogue = rp.self_signed(&rk).expect("rogue certificate");

        Pki {
            ca: write("ca.pem", ca.pem()),
            server_cert: write("server.pem", server.pem()),
            server_key: write("server.key", sk.serialize_pem()),
            client_cert: write("client.pem", client.pem()),
            client_key: write("client.key", ck.serialize_pem()),
            rogue_cert: write("rogue.pem", rogue.pem()),
            rogue_key: write("rogue.key", rk.serialize_pem()),
            dir,
        }
    }
}

/// A node in `mode` with Java's defaults otherwise (test mode: a self-signed certificate;
/// outgoing TLS as the mode implies), and no `tls.config.file`.
pub fn mode(mode: TlsMode) -> TlsConfig {
    TlsConfig {
        server_mode: mode,
        config_file: PathBuf::from("/nonexistent/rocketactor-test-tls.properties"),
        ..TlsConfig::default()
    }
}
