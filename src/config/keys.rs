//! The key tables: which RocketMQ keys a config type knows, how each one is parsed into its
//! field and rendered back, and the [`Schema`] trait the generic loader works with.

use std::collections::BTreeMap;

use super::{ConfigError, Source};

/// One known key: its RocketMQ spelling, older spellings, and how it maps to a field.
pub struct KeySpec<T> {
    pub(crate) name: &'static str,
    pub(crate) aliases: &'static [&'static str],
    pub(crate) inert: bool,
    pub(crate) apply: fn(&mut T, &str) -> Result<(), String>,
    pub(crate) render: fn(&T) -> String,
}

// Every field is a reference, a flag or a fn pointer: copyable whatever `T` is.
impl<T> Clone for KeySpec<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for KeySpec<T> {}

/// A config's whole table from its parts (its own and the shared `shared_keys` ones), in order.
pub fn joined<T>(parts: &[&[KeySpec<T>]]) -> Vec<KeySpec<T>> {
    parts.iter().flat_map(|p| p.iter().copied()).collect()
}

impl<T> KeySpec<T> {
    /// The RocketMQ (camelCase) key.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Other spellings accepted for the same field (e.g. `mapedFileSizeCommitLog`).
    pub fn aliases(&self) -> &'static [&'static str] {
        self.aliases
    }

    /// False for keys that are accepted and stored but change nothing (thread pools, ...).
    pub fn has_effect(&self) -> bool {
        !self.inert
    }

    /// The field's current value as it would be written in a properties file.
    pub fn render(&self, config: &T) -> String {
        (self.render)(config)
    }

    /// Every accepted spelling, canonical first.
    pub fn spellings(&self) -> impl Iterator<Item = &'static str> {
        std::iter::once(self.name).chain(self.aliases.iter().copied())
    }
}

/// A configuration type the generic loader can fill (implemented by `BrokerConfig` and
/// `NamesrvConfig`).
pub trait Schema: Default + Sized + 'static {
    /// What is configured, for messages ("broker", "name server").
    const WHAT: &'static str;
    /// Prefix of environment overrides, without the trailing `_` (e.g. `ROCKETACTOR`).
    const ENV_PREFIX: &'static str;

    /// The known keys, in rendering order.
    fn keys() -> &'static [KeySpec<Self>];

    /// RocketMQ keys we recognise but do not implement: setting one gives a specific warning
    /// instead of "unknown key".
    fn unimplemented_keys() -> &'static [&'static str] {
        &[]
    }

    /// Environment suffixes (lower-cased, after `ENV_PREFIX_`) that belong to another component
    /// and are skipped silently.
    fn env_foreign(_suffix_lower: &str) -> bool {
        false
    }

    /// `(key, variable)`: plain environment variables consulted when `key` is set nowhere else,
    /// as Java reads `NAMESRV_ADDR`.
    fn env_fallbacks() -> &'static [(&'static str, &'static str)] {
        &[]
    }

    /// Applies Java's fix-ups (with warnings) and then checks the whole configuration.
    fn finish(
        &mut self,
        sources: &BTreeMap<String, Source>,
        warnings: &mut Vec<String>,
    ) -> Result<(), ConfigError>;

    /// Values computed from the keys (ports, addresses, paths), as `(label, value)`.
    fn derived(&self) -> Vec<(&'static str, String)>;
}

/// The canonical key nearest to `key` (for "did you mean" warnings).
pub(crate) fn nearest_key<T: Schema>(key: &str) -> Option<&'static str> {
    let lower = key.to_lowercase();
    T::keys()
        .iter()
        .flat_map(|spec| spec.spellings().map(move |s| (spec.name, s)))
        .map(|(name, s)| (name, strsim::jaro_winkler(&lower, &s.to_lowercase())))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(name, _)| name)
}

/// Finds the key spec for a spelling, case-insensitively: `(index, spelling matched)`.
pub(crate) fn find_key<T: Schema>(key: &str) -> Option<(usize, &'static str)> {
    T::keys().iter().enumerate().find_map(|(i, spec)| {
        spec.spellings()
            .find(|s| s.eq_ignore_ascii_case(key))
            .map(|s| (i, s))
    })
}

/// Builds a `&'static [KeySpec<T>]`: `"javaKey" | "oldSpelling" => field`, with `inert` before
/// keys that are accepted but have no effect. The field may be a path into a nested struct
/// (`"tls.server.mode" => tls.server_mode`).
macro_rules! key_table {
    ($t:ty { $( $($inert:ident)? $name:literal $(| $alias:literal)* => $($field:ident).+ ),* $(,)? }) => {
        &[ $( $crate::config::keys::KeySpec::<$t> {
            name: $name,
            aliases: &[$($alias),*],
            inert: key_table!(@inert $($inert)?),
            apply: |c: &mut $t, raw: &str| {
                c.$($field).+ = $crate::config::value::ConfValue::parse_conf(raw)?;
                Ok(())
            },
            render: |c: &$t| $crate::config::value::ConfValue::render_conf(&c.$($field).+),
        } ),* ]
    };
    (@inert) => { false };
    (@inert inert) => { true };
}
pub(crate) use key_table;
