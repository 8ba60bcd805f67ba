//! The pieces every typed request header is made of: [`Header`] (decode once from a command's
//! extFields), [`ExtField`] (one field's type: required, optional or defaulted, with
//! `codec::ext`'s leniency) and the [`request_header!`] macro that declares a header struct,
//! its decoder and its writer from one list of `field: Type = "javaName"` lines.
//!
//! Java decodes by reflection (`RemotingCommand.decodeCommandCustomHeader`): the field named
//! like the extFields key, `Integer.parseInt`/`Long.parseLong`/`Boolean.parseBoolean` for
//! numbers and flags. What a missing `@CFNotNull` field answers: docs/protocol.md §1.6.

use crate::codec::ext::HeaderError;
use crate::codec::RemotingCommand;

/// A typed custom header, decoded once from the extFields (with `codec::ext`'s fastjson
/// leniency) before its handler runs.
pub trait Header: Sized {
    fn from_command(req: &RemotingCommand) -> Result<Self, HeaderError>;
}

/// One header field's type: how it is read from (and written to) the extFields. A plain type
/// is required (missing -> "the custom field <name> is null"); `Option<T>` is optional.
pub trait ExtField: Sized {
    fn read(cmd: &RemotingCommand, key: &str) -> Result<Self, HeaderError>;
    fn write(&self, cmd: &mut RemotingCommand, key: &str);
}

impl ExtField for String {
    fn read(cmd: &RemotingCommand, key: &str) -> Result<Self, HeaderError> {
        cmd.header_str(key).map(str::to_owned)
    }
    fn write(&self, cmd: &mut RemotingCommand, key: &str) {
        cmd.put_ext(key, self);
    }
}

impl ExtField for i32 {
    fn read(cmd: &RemotingCommand, key: &str) -> Result<Self, HeaderError> {
        cmd.header_i32(key)
    }
    fn write(&self, cmd: &mut RemotingCommand, key: &str) {
        cmd.put_ext(key, self);
    }
}

impl ExtField for i64 {
    fn read(cmd: &RemotingCommand, key: &str) -> Result<Self, HeaderError> {
        cmd.header_i64(key)
    }
    fn write(&self, cmd: &mut RemotingCommand, key: &str) {
        cmd.put_ext(key, self);
    }
}

impl ExtField for bool {
    fn read(cmd: &RemotingCommand, key: &str) -> Result<Self, HeaderError> {
        cmd.header_bool(key)
    }
    fn write(&self, cmd: &mut RemotingCommand, key: &str) {
        cmd.put_ext(key, self);
    }
}

impl<T: ExtField> ExtField for Option<T> {
    fn read(cmd: &RemotingCommand, key: &str) -> Result<Self, HeaderError> {
        if cmd.ext(key).is_none() {
            return Ok(None);
        }
        T::read(cmd, key).map(Some)
    }
    fn write(&self, cmd: &mut RemotingCommand, key: &str) {
        if let Some(v) = self {
            v.write(cmd, key);
        }
    }
}

/// Declares a request header: a struct with one `pub` field per line, its [`Header`] decoder
/// and a `write_to` for the client side. A line `name: T = "key"` is required when `T` is a
/// plain type and optional when it is `Option<_>`; `name: T = "key" or EXPR` reads an
/// optional value that defaults to `EXPR` (Java's primitive fields) and is always written.
#[macro_export]
macro_rules! request_header {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty = $key:literal $(or $def:expr)? ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $ty, )*
        }

        impl $crate::codec::headers::Header for $name {
            fn from_command(
                cmd: &$crate::codec::RemotingCommand,
            ) -> Result<Self, $crate::codec::ext::HeaderError> {
                Ok($name {
                    $( $field: $crate::request_header!(@read cmd, $ty, $key $(, $def)?), )*
                })
            }
        }

        impl $name {
            /// Writes every present field into `cmd`'s extFields (null fields omitted).
            pub fn write_to(&self, cmd: &mut $crate::codec::RemotingCommand) {
                $( $crate::codec::headers::ExtField::write(&self.$field, cmd, $key); )*
            }
        }
    };
    (@read $cmd:ident, $ty:ty, $key:literal) => {
        <$ty as $crate::codec::headers::ExtField>::read($cmd, $key)?
    };
    (@read $cmd:ident, $ty:ty, $key:literal, $def:expr) => {
        <Option<$ty> as $crate::codec::headers::ExtField>::read($cmd, $key)?.unwrap_or($def)
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::headers::Header;

    crate::request_header! {
        /// A header with one field of each kind.
        pub struct Probe {
            topic: String = "topic",
            queue_id: i32 = "queueId",
            offset: i64 = "offset",
            order: bool = "isOrder",
            filter: Option<String> = "filter",
            flag: i32 = "sysFlag" or 0,
        }
    }

    #[test]
    fn one_declaration_decodes_and_writes() {
        let cmd = RemotingCommand::request(30)
            .with_ext("topic", "T")
            .with_ext("queueId", " 2")
            .with_ext("offset", "9000000000")
            .with_ext("isOrder", "TRUE");
        let h = Probe::from_command(&cmd).unwrap();
        assert_eq!(
            h,
            Probe {
                topic: "T".into(),
                queue_id: 2,
                offset: 9_000_000_000,
                order: true,
                filter: None,
                flag: 0,
            }
        );
        let mut back = RemotingCommand::request(30);
        h.write_to(&mut back);
        assert_eq!(back.ext("queueId"), Some("2"));
        assert_eq!(back.ext("sysFlag"), Some("0"));
        assert!(back.ext("filter").is_none());
        assert_eq!(Probe::from_command(&back), Ok(h));
    }

    #[test]
    fn missing_required_and_malformed_optional_fields_are_refused() {
        let cmd = RemotingCommand::request(30).with_ext("topic", "T");
        let e = Probe::from_command(&cmd).unwrap_err();
        assert_eq!(e.to_string(), "the custom field <queueId> is null");
        let cmd = RemotingCommand::request(30)
            .with_ext("topic", "T")
            .with_ext("queueId", "1")
            .with_ext("offset", "1")
            .with_ext("isOrder", "false")
            .with_ext("sysFlag", "x");
        let e = Probe::from_command(&cmd).unwrap_err();
        assert_eq!(e.field, "sysFlag");
        assert!(!e.is_missing());
    }
}
