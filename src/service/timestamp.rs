//! Timestamps on the wire: RFC 3339 in UTC with its offset (`2026-12-02T03:06:28.237112Z`).
//! The database keeps UTC as `NaiveDateTime`; wire types keep that type and name one of
//! these helpers, `#[serde(with = "crate::service::timestamp::utc")]` (or `utc_option`).
//! Read back, any RFC 3339 offset is accepted and turned into UTC; a timestamp without an
//! offset is taken as UTC.

use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serializer};

/// `2026-12-02T03:06:28.237112Z`: microseconds, as the database keeps them.
pub fn format(ts: &NaiveDateTime) -> String {
    ts.and_utc().to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// RFC 3339 with any offset, or an ISO 8601 date-time without one (taken as UTC).
pub fn parse(s: &str) -> Option<NaiveDateTime> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc).naive_utc())
        .ok()
        .or_else(|| s.parse::<NaiveDateTime>().ok())
}

pub mod utc {
    use super::*;

    pub fn serialize<S: Serializer>(ts: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format(ts))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDateTime, D::Error> {
        let raw = String::deserialize(d)?;
        parse(&raw).ok_or_else(|| {
            serde::de::Error::custom(format_args!(
                "expected an RFC 3339 date-time such as 2026-12-02T03:06:28Z, got {raw:?}"
            ))
        })
    }
}

pub mod utc_option {
    use super::*;

    pub fn serialize<S: Serializer>(ts: &Option<NaiveDateTime>, s: S) -> Result<S::Ok, S::Error> {
        match ts {
            Some(ts) => s.serialize_some(&format(ts)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDateTime>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(raw) => parse(&raw).map(Some).ok_or_else(|| {
                serde::de::Error::custom(format_args!(
                    "expected an RFC 3339 date-time such as 2026-12-02T03:06:28Z, got {raw:?}"
                ))
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
    struct Wire {
        #[serde(with = "utc")]
        at: NaiveDateTime,
        #[serde(with = "utc_option")]
        until: Option<NaiveDateTime>,
    }

    fn at() -> NaiveDateTime {
        DateTime::from_timestamp(1_796_180_788, 237_112_000)
            .map(|t| t.naive_utc())
            .unwrap()
    }

    #[test]
    fn served_as_rfc3339_in_utc() {
        let json = serde_json::to_value(Wire {
            at: at(),
            until: None,
        })
        .unwrap();
        assert_eq!(json["at"], "2026-12-02T03:06:28.237112Z");
        assert!(json["until"].is_null());
        let back: Wire = serde_json::from_value(json).unwrap();
        assert_eq!(back.at, at());
    }

    #[test]
    fn read_with_any_offset() {
        for raw in [
            "2026-12-02T03:06:28.237112Z",
            "2026-12-02T10:06:28.237112+07:00",
            "2026-12-02T03:06:28.237112",
        ] {
            assert_eq!(parse(raw), Some(at()), "{raw}");
        }
        assert_eq!(parse("yesterday"), None);
        let bad = serde_json::from_str::<Wire>(r#"{"at":"2026-13-01T00:00:00Z","until":null}"#);
        assert!(bad.is_err());
    }
}
