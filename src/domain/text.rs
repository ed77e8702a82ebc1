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

/// Appends `s` with what a browser would read as HTML escaped, and control characters
/// other than newlines dropped: text shown to the public is shown as text.
pub fn escape_html_into(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' => {}
            c => out.push(c),
        }
    }
}

pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_html_into(s, &mut out);
    out
}

/// Unambiguous capitals and digits (no I, O, 0, 1) for codes people read and type.
pub const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// `len` random characters from `alphabet`.
pub fn random_code(alphabet: &[u8], len: usize) -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    (0..len)
        .map(|_| alphabet[rng.random_range(0..alphabet.len())] as char)
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
    fn html_is_escaped_and_codes_use_their_alphabet() {
        assert_eq!(
            escape_html("<b>'a' & \"b\"</b>\u{7}"),
            "&lt;b&gt;&#39;a&#39; &amp; &quot;b&quot;&lt;/b&gt;"
        );
        let c = random_code(CODE_ALPHABET, 12);
        assert_eq!(c.len(), 12);
        assert!(c.bytes().all(|b| CODE_ALPHABET.contains(&b)));
    }

    #[test]
    fn controls_are_removed_but_lines_kept() {
        assert_eq!(strip_controls("a\u{0}b\nc\u{7}"), "ab\nc");
    }
}
