//! The HEART_BEAT (34) body: which producer and consumer groups a client belongs to and what the
//! consumers subscribe to. Also the consumer enums (consume type, message model, where to start)
//! and Java's `String.hashCode()`, which clients use as tag codes.
//!
//! Read as leniently as fastjson: unknown fields (rocketmq-client-rust's `heartbeatFingerprint`,
//! `withoutSub`) are ignored, missing fields take Java's defaults, numbers may be strings and
//! enums may be given by name or ordinal.

use std::collections::BTreeSet;

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

use super::lenient;

/// Declares a Java enum written by name; reading accepts the name or the ordinal, and an
/// unknown name falls back to the default (fastjson would leave the field null).
macro_rules! java_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? } default $def:ident) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $(
                #[allow(missing_docs)]
                $variant,
            )+
        }

        impl $name {
            const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The Java enum constant name.
            pub fn name(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
            /// Parses a Java enum constant name.
            pub fn from_name(s: &str) -> Option<Self> {
                match s.trim() { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl Default for $name {
            fn default() -> Self {
                $name::$def
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.name())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let v = Option::<serde_json::Value>::deserialize(d)?;
                Ok(match v {
                    Some(serde_json::Value::String(s)) => {
                        $name::from_name(&s).unwrap_or($name::$def)
                    }
                    Some(serde_json::Value::Number(n)) => n
                        .as_u64()
                        .and_then(|i| $name::ALL.get(i as usize).copied())
                        .ok_or_else(|| de::Error::custom(format!("bad ordinal {n}")))?,
                    _ => $name::$def,
                })
            }
        }
    };
}

java_enum! {
    /// Pull (`CONSUME_ACTIVELY`) or push (`CONSUME_PASSIVELY`) consumer.
    ConsumeType {
        Actively = "CONSUME_ACTIVELY",
        Passively = "CONSUME_PASSIVELY",
    } default Passively
}

java_enum! {
    /// Broadcasting or clustering consumption.
    MessageModel {
        Broadcasting = "BROADCASTING",
        Clustering = "CLUSTERING",
    } default Clustering
}

java_enum! {
    /// Where a new consumer group starts (ordinals as in Java, deprecated values included).
    ConsumeFromWhere {
        LastOffset = "CONSUME_FROM_LAST_OFFSET",
        LastOffsetAndFromMinWhenBootFirst = "CONSUME_FROM_LAST_OFFSET_AND_FROM_MIN_WHEN_BOOT_FIRST",
        MinOffset = "CONSUME_FROM_MIN_OFFSET",
        MaxOffset = "CONSUME_FROM_MAX_OFFSET",
        FirstOffset = "CONSUME_FROM_FIRST_OFFSET",
        Timestamp = "CONSUME_FROM_TIMESTAMP",
    } default LastOffset
}

/// Java `String.hashCode()`: `s[0]*31^(n-1) + … + s[n-1]` over UTF-16 code units, wrapping in
/// 32 bits. Clients send it as the code of each subscribed tag; the store keeps it per message.
pub fn java_string_hash(s: &str) -> i32 {
    s.encode_utf16().fold(0i32, |h, unit| {
        h.wrapping_mul(31).wrapping_add(i32::from(unit))
    })
}

/// Subscribe-all expression.
pub const SUB_ALL: &str = "*";

/// One topic subscription of a consumer group (Java `SubscriptionData`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionData {
    #[serde(default, deserialize_with = "lenient::bool")]
    pub class_filter_mode: bool,
    #[serde(default, deserialize_with = "lenient_i32_set")]
    pub code_set: BTreeSet<i32>,
    #[serde(
        default = "default_expression_type",
        deserialize_with = "expression_type"
    )]
    pub expression_type: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub sub_string: String,
    #[serde(default, deserialize_with = "lenient::i64")]
    pub sub_version: i64,
    #[serde(default, deserialize_with = "lenient_string_set")]
    pub tags_set: BTreeSet<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub topic: String,
}

fn default_expression_type() -> String {
    "TAG".to_string()
}

fn expression_type<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = lenient::string(d)?;
    Ok(if s.is_empty() {
        default_expression_type()
    } else {
        s
    })
}

fn lenient_i32_set<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeSet<i32>, D::Error> {
    #[derive(Deserialize)]
    struct Item(#[serde(deserialize_with = "lenient::i32")] i32);
    let v = Option::<Vec<Item>>::deserialize(d)?;
    Ok(v.unwrap_or_default().into_iter().map(|i| i.0).collect())
}

fn lenient_string_set<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeSet<String>, D::Error> {
    #[derive(Deserialize)]
    struct Item(#[serde(deserialize_with = "lenient::string")] String);
    let v = Option::<Vec<Item>>::deserialize(d)?;
    Ok(v.unwrap_or_default().into_iter().map(|i| i.0).collect())
}

impl SubscriptionData {
    /// Builds a TAG subscription the way Java's `FilterAPI.buildSubscriptionData` does: tags
    /// split on `||` and trimmed, codes = `String.hashCode()`; `*` or empty subscribes to all.
    pub fn build_tag(topic: impl Into<String>, sub_string: &str, sub_version: i64) -> Self {
        let mut data = SubscriptionData {
            class_filter_mode: false,
            code_set: BTreeSet::new(),
            expression_type: default_expression_type(),
            sub_string: sub_string.trim().to_string(),
            sub_version,
            tags_set: BTreeSet::new(),
            topic: topic.into(),
        };
        if data.sub_string.is_empty() || data.sub_string == SUB_ALL {
            data.sub_string = SUB_ALL.to_string();
            return data;
        }
        for tag in data
            .sub_string
            .split("||")
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            data.code_set.insert(java_string_hash(tag));
            data.tags_set.insert(tag.to_string());
        }
        data
    }

    /// A SQL92 subscription (Java `FilterAPI.build(topic, expression, "SQL92")`): the
    /// expression as given, no tags; the broker compiles and evaluates it.
    pub fn build_sql92(topic: impl Into<String>, expression: &str, sub_version: i64) -> Self {
        SubscriptionData {
            class_filter_mode: false,
            code_set: BTreeSet::new(),
            expression_type: "SQL92".to_string(),
            sub_string: expression.to_string(),
            sub_version,
            tags_set: BTreeSet::new(),
            topic: topic.into(),
        }
    }

    /// Whether this subscription takes every tag.
    pub fn is_sub_all(&self) -> bool {
        self.sub_string == SUB_ALL || self.sub_string.is_empty()
    }
}

/// One consumer group a client belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsumerData {
    #[serde(default)]
    pub consume_from_where: ConsumeFromWhere,
    #[serde(default)]
    pub consume_type: ConsumeType,
    #[serde(default, deserialize_with = "lenient::string")]
    pub group_name: String,
    #[serde(default)]
    pub message_model: MessageModel,
    #[serde(default, deserialize_with = "null_vec")]
    pub subscription_data_set: Vec<SubscriptionData>,
    #[serde(default, deserialize_with = "lenient::bool")]
    pub unit_mode: bool,
}

/// One producer group a client belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProducerData {
    #[serde(default, deserialize_with = "lenient::string")]
    pub group_name: String,
}

/// The HEART_BEAT body.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HeartbeatData {
    #[serde(rename = "clientID", default, deserialize_with = "lenient::string")]
    pub client_id: String,
    #[serde(rename = "consumerDataSet", default, deserialize_with = "null_vec")]
    pub consumer_data_set: Vec<ConsumerData>,
    #[serde(rename = "producerDataSet", default, deserialize_with = "null_vec")]
    pub producer_data_set: Vec<ProducerData>,
}

impl HeartbeatData {
    /// Parses a heartbeat body.
    pub fn decode(body: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(body)
    }

    /// The JSON body, as fastjson writes it (sorted keys).
    pub fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// The CHECK_CLIENT_CONFIG (46) body (Java `CheckClientRequestBody`): a consumer asks whether
/// the broker accepts one subscription before it starts.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckClientRequestBody {
    #[serde(default, deserialize_with = "lenient::string")]
    pub client_id: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub group: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription_data: Option<SubscriptionData>,
}

/// A list that fastjson may send as `null`.
fn null_vec<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_hash_known_values() {
        assert_eq!(java_string_hash(""), 0);
        assert_eq!(java_string_hash("a"), 97);
        assert_eq!(java_string_hash("ab"), 97 * 31 + 98);
        assert_eq!(java_string_hash("ab"), 3105);
        // T=84 a=97 g=103 A=65: ((84*31+97)*31+103)*31+65
        assert_eq!(
            java_string_hash("TagA"),
            ((84 * 31 + 97) * 31 + 103) * 31 + 65
        );
        assert_eq!(java_string_hash("TagA"), 2598919);
        // Overflow wraps like Java's int: "polygenelubricants".hashCode() == Integer.MIN_VALUE.
        assert_eq!(java_string_hash("polygenelubricants"), i32::MIN);
        // Non-BMP chars count as two UTF-16 units: U+1F600 = D83D DE00.
        assert_eq!(java_string_hash("\u{1F600}"), 0xD83D * 31 + 0xDE00);
    }

    #[test]
    fn enums_by_name_ordinal_and_unknown() {
        let t: ConsumeType = serde_json::from_str("\"CONSUME_ACTIVELY\"").unwrap();
        assert_eq!(t, ConsumeType::Actively);
        let w: ConsumeFromWhere = serde_json::from_str("4").unwrap();
        assert_eq!(w, ConsumeFromWhere::FirstOffset);
        let m: MessageModel = serde_json::from_str("\"NOPE\"").unwrap();
        assert_eq!(m, MessageModel::Clustering);
        assert_eq!(
            serde_json::to_string(&ConsumeFromWhere::Timestamp).unwrap(),
            "\"CONSUME_FROM_TIMESTAMP\""
        );
    }

    #[test]
    fn build_tag_subscription() {
        let s = SubscriptionData::build_tag("T", " TagA || TagB ||", 5);
        assert_eq!(s.tags_set.len(), 2);
        assert!(s.code_set.contains(&2598919));
        assert!(!s.is_sub_all());
        assert!(SubscriptionData::build_tag("T", "", 1).is_sub_all());
    }
}
