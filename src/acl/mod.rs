//! ACL 1.0 as in Apache RocketMQ 4.9.7 (the `acl` module's plain implementation): accounts in
//! plain_acl.yml files, requests signed with HMAC-SHA1, permissions per topic and group, white
//! addresses. Plain Rust, no actors: the broker calls [`PlainAcl::check`] once per request and
//! runs the [`watcher`] thread for hot reload. See docs/acl.md.

pub mod address;
pub mod edit;
pub mod error;
pub mod locations;
pub mod model;
pub mod permission;
pub mod resource;
pub mod signer;
pub mod state;
pub mod validate;
pub mod watcher;

use std::net::SocketAddr;
use std::sync::Arc;

use parking_lot::{Mutex, RwLock};

pub use error::{AclConfigError, AclDenied};
pub use locations::AclLocations;
pub use model::PlainAccessConfig;
pub use signer::SessionCredentials;
pub use state::AclState;

use crate::codec::RemotingCommand;

/// One broker's ACL: where its files are and what they said at the last (re)load.
pub struct PlainAcl {
    loc: AclLocations,
    state: RwLock<Arc<AclState>>,
    /// Serialises admin edits (Java's processor methods are `synchronized`).
    edit: Mutex<()>,
}

impl std::fmt::Debug for PlainAcl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlainAcl").field("loc", &self.loc).finish()
    }
}

impl PlainAcl {
    /// Loads the ACL files (blocking: call at start-up). As Java, a missing default file is
    /// created empty when its directory exists.
    pub fn open(loc: AclLocations) -> Result<PlainAcl, AclConfigError> {
        if let Some(f) = &loc.default_file {
            if !f.exists() && f.parent().is_some_and(|p| p.is_dir()) {
                std::fs::write(f, b"").map_err(|source| AclConfigError::Write {
                    path: f.clone(),
                    source,
                })?;
            }
        }
        let st = AclState::load(&loc)?;
        Ok(PlainAcl {
            loc,
            state: RwLock::new(Arc::new(st)),
            edit: Mutex::new(()),
        })
    }

    pub fn locations(&self) -> &AclLocations {
        &self.loc
    }

    /// The state in force now.
    pub fn snapshot(&self) -> Arc<AclState> {
        self.state.read().clone()
    }

    /// Lets the request in or says why not (Java: `validate(parse(request, remoteAddr))`).
    /// Cheap and non-blocking: safe on an event loop.
    pub fn check(&self, req: &RemotingCommand, peer: SocketAddr) -> Result<(), AclDenied> {
        let r = resource::parse(req, peer)?;
        validate::validate(&self.snapshot(), &r)
    }

    /// Reloads when a file was added, removed or changed since the last load. Blocking file
    /// I/O. `Ok(true)` when a new state is in force; on error the old one stays.
    pub fn reload_if_changed(&self) -> Result<bool, AclConfigError> {
        if state::stamp(&self.loc) == self.snapshot().stamp {
            return Ok(false);
        }
        self.reload()?;
        Ok(true)
    }

    /// Reloads every file now (blocking).
    pub fn reload(&self) -> Result<(), AclConfigError> {
        let st = AclState::load(&self.loc)?;
        *self.state.write() = Arc::new(st);
        Ok(())
    }

    /// Runs one admin edit under the edit lock and reloads after it (blocking).
    pub fn edit<T>(
        &self,
        f: impl FnOnce(&AclState, &AclLocations) -> Result<T, edit::EditError>,
    ) -> Result<T, edit::EditError> {
        let _guard = self.edit.lock();
        let out = f(&self.snapshot(), &self.loc)?;
        self.reload()?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_edit_keeps_the_previous_acl() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("plain_acl.yml");
        std::fs::write(
            &f,
            "accounts:\n  - accessKey: rocketmq2\n    secretKey: 12345678\n",
        )
        .unwrap();
        let acl = PlainAcl::open(AclLocations::resolve(None, None, Some(&f))).unwrap();
        assert!(!acl.reload_if_changed().unwrap(), "nothing changed");
        std::fs::write(&f, "accounts:\n  - accessKey: [broken\n").unwrap();
        let e = acl.reload_if_changed().unwrap_err();
        assert!(matches!(e, AclConfigError::Syntax { .. }), "{e}");
        assert!(
            acl.snapshot().accounts.contains_key("rocketmq2"),
            "old ACL in force"
        );
        std::fs::write(
            &f,
            "accounts:\n  - accessKey: another1\n    secretKey: 12345678\n",
        )
        .unwrap();
        assert!(acl.reload_if_changed().unwrap());
        assert!(acl.snapshot().accounts.contains_key("another1"));
    }

    #[test]
    fn open_creates_a_missing_default_file() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("plain_acl.yml");
        let acl = PlainAcl::open(AclLocations::resolve(None, None, Some(&f))).unwrap();
        assert!(f.is_file());
        assert!(acl.snapshot().accounts.is_empty());
    }
}
