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

/// Removes control characters (except newline and tab) and the bidirectional controls
/// (see [`is_bidi_control`]), which have no place in stored text.
pub fn strip_controls(s: &str) -> String {
    s.chars()
        .filter(|c| (!c.is_control() || *c == '\n' || *c == '\t') && !is_bidi_control(*c))
        .collect()
}

/// Unicode's `Bidi_Control` property (PropList.txt, unchanged since Unicode 6.3): the
/// embeddings and overrides U+202A–U+202E, the isolates U+2066–U+2069 and the marks U+061C,
/// U+200E, U+200F. Invisible themselves, they reorder how the text around them is shown,
/// so that a stored name, number or file name can read as something else (`exe.txt` shown
/// for `txt.exe`). Vietnamese text has no use for them; they are removed from stored text.
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// Whether a character shows on its own: a letter, digit, punctuation mark or symbol (or
/// a private-use glyph). Spaces, controls, format characters (the zero-width space and
/// joiners U+200B–U+200D, U+2060, U+FEFF, the bidirectional controls), lone combining
/// marks, unassigned code points and the blank fillers (Hangul fillers, the blank Braille
/// pattern, which are letters and symbols by category) do not.
pub fn is_visible(c: char) -> bool {
    use unicode_properties::{GeneralCategory, GeneralCategoryGroup as G, UnicodeGeneralCategory};
    if matches!(
        c,
        '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}' | '\u{2800}'
    ) {
        return false;
    }
    match c.general_category_group() {
        G::Letter | G::Number | G::Punctuation | G::Symbol => true,
        G::Other => c.general_category() == GeneralCategory::PrivateUse,
        G::Mark | G::Separator => false,
    }
}

/// The one cleaning of a text field before it is checked and stored: bidirectional
/// controls removed, NFC, and white space and format characters (zero-width space,
/// U+FEFF...) trimmed from both ends. Other control characters are left for the caller to
/// refuse.
pub fn clean(s: &str) -> String {
    let without: String = s.chars().filter(|c| !is_bidi_control(*c)).collect();
    let edge = |c: char| {
        use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
        c.is_whitespace() || c.general_category() == GeneralCategory::Format
    };
    nfc(without.trim_matches(edge))
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
        assert_eq!(strip_controls("a\u{202E}b\u{2066}c\u{200F}\td"), "abc\td");
    }

    #[test]
    fn bidi_controls_are_exactly_the_unicode_property() {
        let all: Vec<char> = ('\0'..=char::MAX).filter(|c| is_bidi_control(*c)).collect();
        assert_eq!(all.len(), 12);
        for c in [
            '\u{202A}', '\u{202E}', '\u{2066}', '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}',
        ] {
            assert!(is_bidi_control(c), "{c:?}");
        }
        // Zero-width characters are not bidi controls (the joiners are needed in some scripts).
        assert!(!is_bidi_control('\u{200B}') && !is_bidi_control('\u{200D}'));
    }

    #[test]
    fn invisible_characters_are_not_visible() {
        for c in [
            ' ',
            '\u{A0}',
            '\u{3000}',
            '\u{200B}',
            '\u{200C}',
            '\u{200D}',
            '\u{2060}',
            '\u{FEFF}',
            '\u{202E}',
            '\u{2066}',
            '\u{200E}',
            '\u{AD}',
            '\u{301}',
            '\u{3164}',
            '\u{2800}',
            '\u{E0001}',
            '\u{7}',
            '\u{378}',
        ] {
            assert!(!is_visible(c), "{:04X}", c as u32);
        }
        for c in ['a', 'Đ', 'ệ', '5', '.', '-', '€', '漢', '\u{E000}'] {
            assert!(is_visible(c), "{c}");
        }
    }

    #[test]
    fn clean_removes_bidi_controls_composes_and_trims() {
        assert_eq!(
            clean("  Nguy\u{202E}ễn\u{202C} Văn A \u{200B}\u{FEFF}"),
            "Nguyễn Văn A"
        );
        // A control between a letter and its mark no longer blocks composition.
        assert_eq!(clean("e\u{200E}\u{301}"), "é");
        assert_eq!(clean("\u{202E}\u{2066}"), "");
        assert_eq!(clean("\u{200B}"), "");
        // Inside the text, zero-width joiners are kept (emoji and some scripts need them).
        assert_eq!(clean("a\u{200D}b"), "a\u{200D}b");
    }
}
