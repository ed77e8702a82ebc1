//! Search cursors: where the next page starts, opaque to clients.
//!
//! A cursor is the base64url (no padding) of a small versioned record: a version byte,
//! then the offset of the next hit as a big-endian `u32`. Anything else, a cursor from
//! another version, or an offset beyond the configured `[search] max_offset` is refused
//! (a 400): the offset decides how many hits a search keeps in memory, so it is bounded
//! before any search runs. Deeper results are reached by narrowing the search.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use super::SearchError;

/// The deepest offset a cursor may carry unless configured otherwise.
pub const DEFAULT_MAX_OFFSET: usize = 1_000;

const VERSION: u8 = 1;
/// A version byte and a `u32`.
const RAW_LEN: usize = 5;
/// The base64url length of [`RAW_LEN`] bytes.
const ENCODED_LEN: usize = 7;

/// The cursor of the page that starts at `offset`.
pub fn encode(offset: usize) -> Option<String> {
    let offset = u32::try_from(offset).ok()?;
    let mut raw = [0u8; RAW_LEN];
    raw[0] = VERSION;
    raw[1..].copy_from_slice(&offset.to_be_bytes());
    Some(URL_SAFE_NO_PAD.encode(raw))
}

/// The offset a cursor points at, if it is one this API returned and at most `max_offset`.
pub fn decode(cursor: &str, max_offset: usize) -> Result<usize, SearchError> {
    let bad = || SearchError::Query("cursor: not a cursor returned by this API".into());
    if cursor.len() != ENCODED_LEN {
        return Err(bad());
    }
    let raw = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    let [VERSION, a, b, c, d] = raw[..] else {
        return Err(bad());
    };
    let offset = usize::try_from(u32::from_be_bytes([a, b, c, d])).map_err(|_| bad())?;
    if offset > max_offset {
        return Err(SearchError::Query(format!(
            "cursor: at most {max_offset} hits can be paged through; narrow the search"
        )));
    }
    Ok(offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_are_not_bare_numbers() {
        for offset in [0, 1, 10, 999, 1_000] {
            let c = encode(offset).expect("fits");
            assert!(c.parse::<u64>().is_err(), "{c}");
            assert_eq!(decode(&c, 1_000).expect("valid"), offset);
        }
    }

    #[test]
    fn foreign_or_deep_cursors_are_refused() {
        let deep = encode(1_001).expect("fits");
        assert!(matches!(decode(&deep, 1_000), Err(SearchError::Query(m)) if m.contains("1000")));
        let mut other_version = URL_SAFE_NO_PAD
            .decode(encode(5).expect("fits"))
            .expect("b64");
        other_version[0] = 2;
        for c in [
            "10".to_owned(),
            "1000000000000".to_owned(),
            "".to_owned(),
            "AQAAAAo=".to_owned(),
            "!!!!!!!".to_owned(),
            URL_SAFE_NO_PAD.encode(other_version),
            "é".repeat(4),
            "A".repeat(10_000),
        ] {
            assert!(
                matches!(decode(&c, 1_000), Err(SearchError::Query(_))),
                "{c}"
            );
        }
        assert!(encode(usize::MAX).is_none());
    }
}
