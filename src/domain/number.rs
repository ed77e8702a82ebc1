//! Document numbers (số ký hiệu) such as `05/2017/QĐ-UBND`.
//!
//! People write one number many ways: `09/2015/QĐ-TTg`, `9/2015/qd-ttg`, with NFD
//! diacritics or stray spaces. [`number_key`] maps them all to one lookup key.

use super::{text, RuleError};

/// A validated document number, kept as written (NFC, trimmed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentNumber(String);

impl DocumentNumber {
    pub fn parse(raw: &str) -> Result<Self, RuleError> {
        let s = text::nfc(raw.trim());
        if s.is_empty() {
            return Err(RuleError::invalid("number", "must not be empty"));
        }
        if s.chars().count() > 64 {
            return Err(RuleError::invalid("number", "at most 64 characters"));
        }
        if !s.chars().next().is_some_and(|c| c.is_ascii_digit()) || !s.contains(['/', '-']) {
            return Err(RuleError::invalid(
                "number",
                "expected a number such as 05/2017/QĐ-UBND (digits, '/', symbol)",
            ));
        }
        if s.chars().any(|c| c.is_control()) {
            return Err(RuleError::invalid(
                "number",
                "control characters are not allowed",
            ));
        }
        Ok(DocumentNumber(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn key(&self) -> String {
        number_key(&self.0)
    }
}

/// The lookup key of a number: no spaces, diacritics folded (Đ → D), uppercase, and
/// leading zeros dropped from numeric segments, so `09/2015/QĐ-TTg` = `9/2015/qd-ttg`.
pub fn number_key(raw: &str) -> String {
    let folded = text::fold(raw).to_uppercase();
    let compact: String = folded.chars().filter(|c| !c.is_whitespace()).collect();
    compact
        .split('/')
        .map(|seg| {
            if !seg.is_empty() && seg.chars().all(|c| c.is_ascii_digit()) {
                let trimmed = seg.trim_start_matches('0');
                if trimmed.is_empty() {
                    "0".to_owned()
                } else {
                    trimmed.to_owned()
                }
            } else {
                seg.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The key for accent- and case-insensitive matching of a title or number fragment.
pub fn title_key(raw: &str) -> String {
    text::fold(raw)
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_normalization::UnicodeNormalization;

    #[test]
    fn spellings_of_one_number_share_a_key() {
        let k = number_key("09/2015/QĐ-TTg");
        assert_eq!(k, "9/2015/QD-TTG");
        assert_eq!(number_key("9/2015/qd-ttg"), k);
        assert_eq!(number_key(" 09 / 2015 / QĐ-TTg "), k);
        let nfd: String = "09/2015/QĐ-TTg".nfd().collect();
        assert_eq!(number_key(&nfd), k);
    }

    #[test]
    fn different_numbers_differ() {
        assert_ne!(number_key("09/2015/QĐ-TTg"), number_key("90/2015/QĐ-TTg"));
        assert_ne!(number_key("09/2015/QĐ-TTg"), number_key("09/2015/QĐ-UBND"));
        assert_eq!(number_key("100/2019/NĐ-CP"), "100/2019/ND-CP");
    }

    #[test]
    fn parse_rejects_what_is_not_a_number() {
        assert!(DocumentNumber::parse("05/2017/QĐ-UBND").is_ok());
        assert!(DocumentNumber::parse("732/QĐ-TTg").is_ok());
        assert!(DocumentNumber::parse("").is_err());
        assert!(DocumentNumber::parse("Quyết định").is_err());
        assert!(DocumentNumber::parse("12345").is_err());
        assert!(DocumentNumber::parse(&"1/".repeat(40)).is_err());
    }
}
