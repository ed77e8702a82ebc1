//! The keys of the suggestions (see `suggest`), written by the index: `t:` and the folded
//! words of a title, `h:` and those of a heading, `n:` and the key of a number.

/// Longest key kept, in bytes: a title is recognised well before its end.
pub(super) const MAX_KEY_BYTES: usize = 160;

/// `key` cut to at most [`MAX_KEY_BYTES`], at a character boundary.
pub(super) fn cut(mut key: String) -> String {
    if key.len() > MAX_KEY_BYTES {
        let mut end = MAX_KEY_BYTES;
        while !key.is_char_boundary(end) {
            end -= 1;
        }
        key.truncate(end);
    }
    key
}

fn words_key(tag: &str, s: &str) -> String {
    cut(format!(
        "{tag}{}",
        super::analysis::folded_terms(s).join(" ")
    ))
}

/// The key of a document's title.
pub(super) fn title_key(title: &str) -> String {
    words_key("t:", title)
}

/// The key of an article's heading.
pub(super) fn heading_key(heading: &str) -> String {
    words_key("h:", heading)
}

/// The key of a document number.
pub(super) fn number_key(number: &str) -> String {
    cut(format!("n:{}", crate::domain::number::number_key(number)))
}
