//! The two kinds of ACL errors: a bad or unreadable ACL file (named with file, line and key,
//! for the operator) and a refused request (Java's `AclException` text, for the client).

use std::path::PathBuf;

/// An ACL file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum AclConfigError {
    #[error("cannot read ACL file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write ACL file {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("ACL file {path}, line {line}: not valid YAML: {message}")]
    Syntax {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("ACL file {path}, line {line}, key `{key}`: {message}")]
    Key {
        path: PathBuf,
        line: usize,
        key: String,
        message: String,
    },
    #[error("cannot serialize ACL file {path}: {message}")]
    Render { path: PathBuf, message: String },
}

/// A request the ACL refuses (or an admin command it cannot carry out): the message is the one
/// Java's `AclException` carries, e.g. `No acl config for ak`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct AclDenied {
    pub message: String,
    /// The Java frame that throws it (`Class.method(File.java:line)`), for the remark.
    pub at: &'static str,
}

impl AclDenied {
    pub fn new(message: impl Into<String>, at: &'static str) -> Self {
        AclDenied {
            message: message.into(),
            at,
        }
    }

    /// The remark Java 4.9.7 answers with: `RemotingHelper.exceptionSimpleDesc`, i.e. the
    /// exception's `toString()` and its first stack frame.
    pub fn remark(&self) -> String {
        format!(
            "org.apache.rocketmq.acl.common.AclException: {}, {}",
            self.message, self.at
        )
    }
}
