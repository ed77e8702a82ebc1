//! Vietnamese text helpers shared by keys, search and parsing.

use unicode_normalization::UnicodeNormalization;

pub fn nfc(s: &str) -> String {
    s.nfc().collect()
}

/// Lowercase with diacritics removed and đ → d: the key for accent-insensitive lookups.
pub fn fold(s: &str) -> String {
    s.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| if c == 'đ' { 'd' } else { c })
        .collect()
}

/// Removes control characters (except newline and tab) that have no place in stored text.
pub fn strip_controls(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_removes_marks_in_nfc_and_nfd_alike() {
        assert_eq!(fold("Cải cách hành chính"), "cai cach hanh chinh");
        assert_eq!(fold("Đề án"), "de an");
        let nfd: String = "Nghị định".nfd().collect();
        assert_eq!(fold(&nfd), "nghi dinh");
    }

    #[test]
    fn nfc_composes() {
        let nfd: String = "hoà".nfd().collect();
        assert_ne!(nfd, "hoà");
        assert_eq!(nfc(&nfd), "hoà");
    }

    #[test]
    fn controls_are_removed_but_lines_kept() {
        assert_eq!(strip_controls("a\u{0}b\nc\u{7}"), "ab\nc");
    }
}
