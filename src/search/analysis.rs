//! Vietnamese text analysis for the search index.
//!
//! # The chain
//!
//! A *word* is a run of letters and digits. A word goes on across combining marks, so
//! decomposed (NFD) text stays in one piece instead of breaking at every tone mark. Each word
//! then goes through these steps:
//!
//! 1. lowercase, then NFC;
//! 2. one spelling per syllable ([`normalize_text`] does the same while keeping case): one
//!    tone-mark placement, and `i`/`y` unified where both spellings are the same word;
//! 3. drop combining diacritics (U+0300–U+036F) that NFC could not attach to a letter. No
//!    Vietnamese letter needs them, and a token containing one could never be matched;
//! 4. for the folded field only: remove every diacritic and map `đ` to `d`.
//!
//! Positions go up by one per word (one word is one syllable in Vietnamese), so phrase and
//! proximity queries work across syllables. Words longer than 64 bytes are dropped but still
//! use up a position, so a phrase cannot match across a dropped word.
//!
//! Document numbers (`09/2015/QĐ-TTg`) are not split. [`NUMBER_TOKENIZER`] turns the whole
//! value into one [`number_key`], the key of `domain::number`.
//!
//! # Tone-mark placement
//!
//! The two placements differ only when a glide and a vowel end the syllable (`oa`, `oe`, `uy`
//! with no final consonant): `hòa`/`hoà`, `khỏe`/`khoẻ`, `thủy`/`thuỷ`, `ủy`/`uỷ`. The canonical
//! form puts the mark on the **first** vowel (`hòa`, `khỏe`, `thủy`, `ủy`, `ngụy`), the
//! traditional placement (*kiểu cũ*). It is also what the corpus mostly uses: hòa 29,135 vs
//! hoà 2,408; ủy 25,675 vs uỷ 1,472; thủy 13,776 vs thuỷ 625; khỏe 3,743 vs khoẻ 441. Choosing
//! the majority keeps most index terms equal to the text as written.
//!
//! The rewrite works on one syllable at a time. It looks at the letters around the vowel
//! cluster, not at substrings:
//! - `oa`, `oe`, `uy` with no final consonant: the mark goes on the first vowel (`hoà` → `hòa`).
//!   When a final consonant follows, both placements agree on the second vowel, and a mark
//!   on the glide is moved there (`hòang` → `hoàng`).
//! - In `qu`, the `u` belongs to the consonant. A mark typed on it moves to the vowel
//!   (`qúa` → `quá`, `qủa` → `quả`, `qúy` → `quý`). `quá`, `quý`, `quả` and `quốc` stay as they are.
//! - A vowel with a breve, circumflex or horn keeps its mark (`thuở`, `xoắn`, `tuần`). Clusters
//!   of three vowels are left alone (`ngoài`, `khuỷu`, `khoèo`).
//! - A word with more than one vowel cluster, with digits, or with marks that Vietnamese
//!   does not use is not a syllable and is left unchanged.
//!
//! # `i` and `y`
//!
//! `y` is the canonical letter (the corpus has quy 157,908 vs qui 188, lý 90,234 vs lí 37,
//! kỹ 15,699 vs kĩ 30). It is `y` for every pair, even where `i` is more common (sĩ 7,271
//! vs sỹ 933), so that one rule covers the list. It replaces `i` only where the syllable is a single `i`/`y` with no
//! final consonant and both spellings are the same word:
//! - after `qu`, with or without a tone mark: `qui`/`quy`, `quí`/`quý`, `quì`/`quỳ`,
//!   `quỉ`/`quỷ`, `quĩ`/`quỹ`, `quị`/`quỵ`;
//! - after `h`, `k`, `l`, `m`, `s`, `t`, only when a tone mark is present: `kì`/`kỳ`, `kí`/`ký`,
//!   `kỉ`/`kỷ`, `kĩ`/`kỹ`, `kị`/`kỵ`, `lí`/`lý`, `lị`/`lỵ`, `mì`/`mỳ`, `mĩ`/`mỹ`, `mị`/`mỵ`,
//!   `sĩ`/`sỹ`, `tì`/`tỳ`, `tí`/`tý`, `tỉ`/`tỷ`, `tị`/`tỵ`, `hỉ`/`hỷ`, ….
//!
//! Syllables without a tone mark after those letters are not unified. In the corpus `ti`,
//! `ki`, `li`, `mi` and `hi` are almost always parts of loanwords (`xen-ti-mét`, `ki-lô-gam`,
//! `mi-li-mét`, `sơ mi`, `Mê-hi-cô`), and the `y` spellings of those words do not exist. Other
//! consonants (`v`, `d`, `n`, `th`, `kh`, …) are never unified: `khi` is not `khy`.
//!
//! # Using it with tantivy
//!
//! tantivy stores tokenizer *names* in the schema, not the tokenizers themselves. Call
//! [`register`] with `index.tokenizers()` every time an index is created or opened, before
//! indexing or parsing a query. The exact and folded fields need positions, which
//! [`exact_field_options`] and [`folded_field_options`] set. Look up numbers with a `TermQuery`
//! on `number_key(input)`.

use std::cell::RefCell;
use std::collections::HashMap;

use tantivy::schema::{IndexRecordOption, TextFieldIndexing, TextOptions};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer, TokenizerManager, MAX_TOKEN_LEN};
use unicode_normalization::char::{decompose_canonical, is_combining_mark};
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// Exact field: lowercase, diacritics kept, one spelling per syllable.
pub const TOKENIZER: &str = "vi";
/// Folded field: no diacritics (`cải` = `cái` = `cai`). Give it a lower weight.
pub const FOLDED_TOKENIZER: &str = "vi_folded";
/// Document numbers: one [`number_key`] per value.
pub const NUMBER_TOKENIZER: &str = "vi_number";

/// Longer words are not words people search for (hashes, runs of digits, noise). Dropping
/// them also bounds the work done per word.
const MAX_WORD_BYTES: usize = 64;
/// The longest Vietnamese syllable (`nghiêng`, `khuỷu`) is well under this, even in NFD.
const MAX_SYLLABLE_BYTES: usize = 32;

const TONE_MARKS: [char; 5] = ['\u{300}', '\u{301}', '\u{303}', '\u{309}', '\u{323}'];
/// Breve (ă), circumflex (â ê ô), horn (ơ ư).
const VOWEL_MARKS: [char; 3] = ['\u{306}', '\u{302}', '\u{31B}'];

/// NFC text with one tone-mark placement and one `i`/`y` spelling per syllable. Case, and
/// everything that is not a Vietnamese syllable, are kept. See the module docs for the rules.
pub fn normalize_text(s: &str) -> String {
    let nfc: String = s.nfc().collect();
    let mut out = String::with_capacity(nfc.len());
    let mut cursor = 0;
    while let Some((from, to)) = next_word(&nfc, cursor) {
        out.push_str(nfc.get(cursor..from).unwrap_or_default());
        let word = nfc.get(from..to).unwrap_or_default();
        match respell(word) {
            Some(respelled) => out.push_str(&respelled),
            None => out.push_str(word),
        }
        cursor = to;
    }
    out.push_str(nfc.get(cursor..).unwrap_or_default());
    out
}

/// The terms the [`TOKENIZER`] produces for `s`, in order.
pub fn query_terms(s: &str) -> Vec<String> {
    collect_terms(VietnameseTokenizer::exact(), s)
}

/// A word of a query: its term on the exact fields and on the folded fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryWord {
    pub exact: String,
    pub folded: String,
}

/// The words of `s` in order, each as its [`TOKENIZER`] and [`FOLDED_TOKENIZER`] terms.
pub fn query_words(s: &str) -> Vec<QueryWord> {
    let mut tokenizer = VietnameseTokenizer::exact();
    let mut stream = tokenizer.token_stream(s);
    let mut words = Vec::new();
    let mut scratch = String::new();
    while stream.advance() {
        let token = stream.token();
        let mut folded = String::new();
        let word = s
            .get(token.offset_from..token.offset_to)
            .unwrap_or_default();
        analyze_word(word, true, &mut folded, &mut scratch);
        words.push(QueryWord {
            exact: token.text.clone(),
            folded,
        });
    }
    words
}

/// The byte ranges of the words of `text` that the [`TOKENIZER`] turns into terms, in order.
pub(crate) fn word_ranges(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut cursor = 0;
    std::iter::from_fn(move || {
        while let Some((from, to)) = next_word(text, cursor) {
            cursor = to;
            if to - from <= MAX_WORD_BYTES {
                return Some((from, to));
            }
        }
        None
    })
}

/// The [`TOKENIZER`] term of one word of [`word_ranges`], written into `out`.
pub(crate) fn exact_term(word: &str, out: &mut String) {
    let mut scratch = String::new();
    analyze_word(word, false, out, &mut scratch);
}

/// The terms the [`FOLDED_TOKENIZER`] produces for `s`, in order.
pub fn folded_terms(s: &str) -> Vec<String> {
    collect_terms(VietnameseTokenizer::folded(), s)
}

/// The lookup key of a document number, the one of the domain: the search index and the
/// database agree on it by construction.
pub use crate::domain::number::number_key;

/// Whether a query word looks like a document number (`09/2015/QĐ-TTg`, `732/QĐ-TTg`,
/// `83-CP`, `05/2014/TT-BTP`). The rule: it starts with a digit; `/` or `-` splits it into at
/// least two non-empty segments of letters, digits and inner `.`; at least one segment has a
/// letter. Dates (`17/10/2005`) and ranges (`2016-2020`) have no letters, so they are not
/// numbers. Spaces are allowed only next to a separator (`09 / 2015 / QĐ-TTg`), so
/// `3-4 ngày` is not a number. Nothing else is trimmed (`(83-CP)` is not a number), so when
/// this is true, `number_key(s)` is the key to look up.
pub fn looks_like_number(s: &str) -> bool {
    let trimmed = s.trim();
    let chars: Vec<char> = trimmed.nfc().collect();
    // Same length limit as a stored document number.
    if chars.len() > 64 || !chars.first().is_some_and(|c| c.is_ascii_digit()) {
        return false;
    }
    let is_sep = |c: Option<&char>| matches!(c, Some('/' | '-'));
    let mut compact = String::with_capacity(trimmed.len());
    for (i, &c) in chars.iter().enumerate() {
        if c.is_whitespace() {
            let before = chars
                .get(..i)
                .and_then(|b| b.iter().rfind(|c| !c.is_whitespace()));
            let after = chars
                .get(i + 1..)
                .and_then(|a| a.iter().find(|c| !c.is_whitespace()));
            if !is_sep(before) && !is_sep(after) {
                return false;
            }
        } else {
            compact.push(c);
        }
    }
    let segments: Vec<&str> = compact.split(['/', '-']).collect();
    // A `.` only inside a segment (`1.234/QĐ-UBND`), never at its ends (`83-CP.`).
    let is_segment = |seg: &&str| {
        seg.chars().all(|c| c.is_alphanumeric() || c == '.')
            && seg.starts_with(char::is_alphanumeric)
            && seg.ends_with(char::is_alphanumeric)
    };
    segments.len() >= 2
        && segments.iter().all(is_segment)
        && segments
            .iter()
            .any(|seg| seg.chars().any(char::is_alphabetic))
}

/// Registers [`TOKENIZER`], [`FOLDED_TOKENIZER`] and [`NUMBER_TOKENIZER`]. tantivy does not
/// persist tokenizers: call this every time an index is created or opened.
pub fn register(manager: &TokenizerManager) {
    manager.register(TOKENIZER, VietnameseTokenizer::exact());
    manager.register(FOLDED_TOKENIZER, VietnameseTokenizer::folded());
    manager.register(NUMBER_TOKENIZER, NumberTokenizer::default());
    manager.register(
        PAIRS_TOKENIZER,
        tantivy::tokenizer::TextAnalyzer::from(tantivy::tokenizer::WhitespaceTokenizer::default()),
    );
}

/// Tokenizer of the syllable-pair fields: their text is made by [`syllable_pairs`].
pub const PAIRS_TOKENIZER: &str = "vi_pairs";

/// Neighbouring syllables joined (`cải_cách cách_hành hành_chính`). Vietnamese words are
/// mostly two syllables, so a pair that matches is usually a word that matches: ranking
/// on pairs is what a word segmenter would give, without one.
pub fn syllable_pairs(s: &str) -> String {
    let mut tokenizer = VietnameseTokenizer::exact();
    let mut stream = tokenizer.token_stream(s);
    let mut out = String::with_capacity(s.len() * 2);
    let mut previous = String::new();
    while stream.advance() {
        let term = &stream.token().text;
        if !previous.is_empty() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&previous);
            out.push('_');
            out.push_str(term);
        }
        previous.clone_from(term);
    }
    out
}

/// Options for an exact text field: [`TOKENIZER`], with frequencies and positions (phrase
/// queries need positions). Add `.set_stored()` if the text is needed for snippets.
pub fn exact_field_options() -> TextOptions {
    text_options(TOKENIZER, IndexRecordOption::WithFreqsAndPositions)
}

/// Options for a folded text field: [`FOLDED_TOKENIZER`], with frequencies and positions.
pub fn folded_field_options() -> TextOptions {
    text_options(FOLDED_TOKENIZER, IndexRecordOption::WithFreqsAndPositions)
}

/// Options for a document-number field: [`NUMBER_TOKENIZER`]. It has one term per value, so
/// it needs neither frequencies nor positions.
pub fn number_field_options() -> TextOptions {
    text_options(NUMBER_TOKENIZER, IndexRecordOption::Basic)
}

fn text_options(tokenizer: &str, record: IndexRecordOption) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(record),
    )
}

/// The tokenizer behind [`TOKENIZER`] (exact) and [`FOLDED_TOKENIZER`] (folded).
#[derive(Clone, Default)]
pub struct VietnameseTokenizer {
    folded: bool,
    token: Token,
}

impl VietnameseTokenizer {
    /// Lowercase, NFC, canonical spelling; diacritics kept.
    pub fn exact() -> Self {
        Self::default()
    }

    /// As [`VietnameseTokenizer::exact`], then every diacritic removed and `đ` → `d`.
    pub fn folded() -> Self {
        Self {
            folded: true,
            token: Token::default(),
        }
    }
}

impl Tokenizer for VietnameseTokenizer {
    type TokenStream<'a> = VietnameseTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VietnameseTokenStream<'a> {
        self.token.reset();
        VietnameseTokenStream {
            text,
            cursor: 0,
            next_position: 0,
            folded: self.folded,
            token: &mut self.token,
            scratch: String::new(),
        }
    }
}

/// The token stream of [`VietnameseTokenizer`].
pub struct VietnameseTokenStream<'a> {
    text: &'a str,
    cursor: usize,
    next_position: usize,
    folded: bool,
    token: &'a mut Token,
    scratch: String,
}

impl TokenStream for VietnameseTokenStream<'_> {
    fn advance(&mut self) -> bool {
        while let Some((from, to)) = next_word(self.text, self.cursor) {
            self.cursor = to;
            let position = self.next_position;
            self.next_position += 1;
            if to - from > MAX_WORD_BYTES {
                continue;
            }
            let word = self.text.get(from..to).unwrap_or_default();
            analyze_word(word, self.folded, &mut self.token.text, &mut self.scratch);
            if self.token.text.is_empty() {
                continue;
            }
            self.token.offset_from = from;
            self.token.offset_to = to;
            self.token.position = position;
            self.token.position_length = 1;
            return true;
        }
        false
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

/// The tokenizer behind [`NUMBER_TOKENIZER`]: the whole value becomes one [`number_key`].
/// A value with an empty key (empty or blank) produces no token.
#[derive(Clone, Default)]
pub struct NumberTokenizer {
    token: Token,
}

impl Tokenizer for NumberTokenizer {
    type TokenStream<'a> = NumberTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> NumberTokenStream<'a> {
        self.token.reset();
        self.token.text = number_key(text);
        self.token.position = 0;
        self.token.offset_from = 0;
        self.token.offset_to = text.len();
        // tantivy would drop an over-long term with a warning; drop it here instead.
        let pending = !self.token.text.is_empty() && self.token.text.len() <= MAX_TOKEN_LEN;
        NumberTokenStream {
            token: &mut self.token,
            pending,
        }
    }
}

/// The token stream of [`NumberTokenizer`].
pub struct NumberTokenStream<'a> {
    token: &'a mut Token,
    pending: bool,
}

impl TokenStream for NumberTokenStream<'_> {
    fn advance(&mut self) -> bool {
        std::mem::replace(&mut self.pending, false)
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

fn collect_terms(mut tokenizer: VietnameseTokenizer, s: &str) -> Vec<String> {
    let mut terms = Vec::new();
    let mut stream = tokenizer.token_stream(s);
    while stream.advance() {
        terms.push(stream.token().text.clone());
    }
    terms
}

/// A word starts at a letter or digit. Not at a combining mark: a mark with nothing
/// before it is noise.
fn starts_word(c: char) -> bool {
    is_letter_fast(c).unwrap_or_else(|| c.is_alphanumeric() && !is_combining_mark(c))
}

/// A word goes on over combining marks, so NFD text is not split at its tone marks.
fn continues_word(c: char) -> bool {
    is_letter_fast(c).unwrap_or_else(|| c.is_alphanumeric() || is_combining_mark(c))
}

/// Whether `c` is a letter or digit, without a Unicode table lookup, for the characters
/// Vietnamese text is made of: ASCII, Latin-1 and Latin Extended-A/B (`đ`, `ơ`, `ư`), Latin
/// Extended Additional (`ả`, `ệ`, `ữ`, …). None for anything else.
fn is_letter_fast(c: char) -> Option<bool> {
    match c {
        '\0'..='\u{7F}' => Some(c.is_ascii_alphanumeric()),
        '\u{D7}' | '\u{F7}' => Some(false),
        '\u{C0}'..='\u{24F}' | '\u{1E00}'..='\u{1EFF}' => Some(true),
        _ => None,
    }
}

/// Byte range of the next word at or after `from`.
fn next_word(text: &str, from: usize) -> Option<(usize, usize)> {
    let rest = text.get(from..)?;
    let mut chars = rest.char_indices();
    let start = chars.find(|&(_, c)| starts_word(c))?.0;
    let end = chars
        .find(|&(_, c)| !continues_word(c))
        .map_or(rest.len(), |(i, _)| i);
    Some((from + start, from + end))
}

/// Most words a thread analyses are words it analysed before: a text repeats a few
/// thousand syllables. The analysis of a word is pure, so its result is kept, per thread,
/// for the words that need Unicode work (the ASCII path is cheaper than a lookup).
#[derive(Default)]
struct WordCache {
    exact: Generations,
    folded: Generations,
}

/// Two generations: when the young one is full the old one is dropped and the young one
/// becomes old; a word found in the old one moves back to the young one. The words in use
/// stay, a burst of new words (a reindex) does not empty the cache of a search thread.
#[derive(Default)]
struct Generations {
    young: HashMap<Box<str>, Box<str>, WordHasher>,
    old: HashMap<Box<str>, Box<str>, WordHasher>,
}

/// The hash of the word maps: rustc's FxHash, several times faster than SipHash on short
/// words. Version 1 of the crate: its multiply-rotate over 8-byte words indexes the corpus
/// about a tenth faster than version 2's (measured with `cargo bench --bench search`).
/// Collisions only cost time, and the cache is bounded.
pub(crate) type WordHasher = std::hash::BuildHasherDefault<rustc_hash::FxHasher>;

/// Words per generation: enough for the syllables and names of a large corpus.
const WORD_CACHE_GENERATION: usize = 40_000;

impl Generations {
    fn get(&mut self, word: &str, out: &mut String) -> bool {
        if let Some(term) = self.young.get(word) {
            out.push_str(term);
            return true;
        }
        match self.old.remove_entry(word) {
            Some((word, term)) => {
                out.push_str(&term);
                self.insert(word, term);
                true
            }
            None => false,
        }
    }

    fn insert(&mut self, word: Box<str>, term: Box<str>) {
        if self.young.len() >= WORD_CACHE_GENERATION {
            self.old = std::mem::take(&mut self.young);
        }
        self.young.insert(word, term);
    }
}

thread_local! {
    static WORDS: RefCell<WordCache> = RefCell::default();
}

/// One word → one term, written into `out`. `scratch` is reused between words.
fn analyze_word(word: &str, folded: bool, out: &mut String, scratch: &mut String) {
    out.clear();
    if word.is_ascii() {
        // Fast path: no Unicode work; `qui` is the one ASCII word that is respelled.
        out.extend(word.chars().map(|c| c.to_ascii_lowercase()));
        if out == "qui" {
            out.replace_range(2..3, "y");
        }
        return;
    }
    WORDS.with(|cache| {
        let Ok(mut cache) = cache.try_borrow_mut() else {
            return analyze_unicode_word(word, folded, out, scratch);
        };
        let generations = if folded {
            &mut cache.folded
        } else {
            &mut cache.exact
        };
        if generations.get(word, out) {
            return;
        }
        analyze_unicode_word(word, folded, out, scratch);
        generations.insert(word.into(), out.as_str().into());
    })
}

/// [`analyze_word`] for a word with non-ASCII characters, without the cache.
fn analyze_unicode_word(word: &str, folded: bool, out: &mut String, scratch: &mut String) {
    out.clear();
    // Lowercase before NFC: lowercasing can produce marks (İ → i + U+0307).
    scratch.clear();
    scratch.extend(word.chars().flat_map(char::to_lowercase));
    if is_nfc_quick(scratch.chars()) != IsNormalized::Yes {
        *scratch = scratch.nfc().collect();
    }
    if let Some(respelled) = respell(scratch) {
        *scratch = respelled;
    }
    for c in scratch.chars() {
        if folded {
            // Dropping every mark makes the order of a full NFD irrelevant.
            decompose_canonical(c, |d| {
                if !is_combining_mark(d) {
                    out.push(if d == 'đ' { 'd' } else { d });
                }
            });
        } else if !('\u{300}'..='\u{36F}').contains(&c) {
            out.push(c);
        }
    }
}

/// One letter of a syllable: its base letter, at most one vowel mark, at most one tone mark.
#[derive(Clone, Copy, Default)]
struct Letter {
    base: char,
    vowel_mark: Option<char>,
    tone: Option<char>,
}

impl Letter {
    fn lower(&self) -> char {
        self.base.to_ascii_lowercase()
    }

    fn is_vowel(&self) -> bool {
        matches!(self.lower(), 'a' | 'e' | 'i' | 'o' | 'u' | 'y')
    }
}

/// Reads `word` into `letters` if it can be a Vietnamese syllable (Latin letters or `đ`, the
/// Vietnamese marks, one tone at most) and returns the number of letters, else `None`.
fn parse_syllable(word: &str, letters: &mut [Letter; MAX_SYLLABLE_BYTES]) -> Option<usize> {
    let mut len: usize = 0;
    let mut has_tone = false;
    for c in word.nfd() {
        if TONE_MARKS.contains(&c) {
            let letter = letters.get_mut(len.checked_sub(1)?)?;
            if has_tone {
                return None;
            }
            letter.tone = Some(c);
            has_tone = true;
        } else if VOWEL_MARKS.contains(&c) {
            let letter = letters.get_mut(len.checked_sub(1)?)?;
            if letter.vowel_mark.is_some() {
                return None;
            }
            letter.vowel_mark = Some(c);
        } else if c.is_ascii_alphabetic() || c == 'đ' || c == 'Đ' {
            *letters.get_mut(len)? = Letter {
                base: c,
                vowel_mark: None,
                tone: None,
            };
            len += 1;
        } else {
            return None;
        }
    }
    Some(len)
}

/// The canonical spelling of one word (NFC) if it differs from `word`, else `None`.
fn respell(word: &str) -> Option<String> {
    if word.len() > MAX_SYLLABLE_BYTES {
        return None;
    }
    // Every rule needs a mark, except `qui` → `quy`.
    if word.is_ascii() && !word.eq_ignore_ascii_case("qui") {
        return None;
    }
    let mut buffer = [Letter::default(); MAX_SYLLABLE_BYTES];
    let len = parse_syllable(word, &mut buffer)?;
    let letters = buffer.get_mut(..len)?;
    let start = letters.iter().position(Letter::is_vowel)?;
    let end = start
        + letters
            .get(start..)?
            .iter()
            .take_while(|l| l.is_vowel())
            .count();
    // Two vowel clusters: several syllables written together, or not Vietnamese.
    if letters.get(end..)?.iter().any(Letter::is_vowel) {
        return None;
    }
    let open = end == letters.len();
    // In `qu` the `u` is part of the consonant; the vowels proper start after it.
    let qu = start == 1
        && letters.first()?.lower() == 'q'
        && letters.get(1)?.lower() == 'u'
        && letters.get(1)?.vowel_mark.is_none()
        && end - start >= 2;
    let nucleus = if qu { start + 1 } else { start };

    let mut changed = false;
    if let Some(tone_at) = letters.iter().position(|l| l.tone.is_some()) {
        let vowels = letters.get(nucleus..end)?;
        let target = if qu && tone_at == start {
            Some(nucleus + main_vowel(vowels, open))
        } else if (nucleus..end).contains(&tone_at) && is_glide_pair(vowels) {
            Some(if open { nucleus } else { nucleus + 1 })
        } else {
            None
        };
        if let Some(target) = target.filter(|&t| t != tone_at) {
            let tone = letters.get_mut(tone_at)?.tone.take();
            letters.get_mut(target)?.tone = tone;
            changed = true;
        }
    }

    if open && end - nucleus == 1 {
        let vowel = letters.get(nucleus)?;
        let y_onset = start == 1
            && vowel.tone.is_some()
            && matches!(letters.first()?.lower(), 'h' | 'k' | 'l' | 'm' | 's' | 't');
        if vowel.lower() == 'i' && vowel.vowel_mark.is_none() && (qu || y_onset) {
            let upper = vowel.base.is_ascii_uppercase();
            letters.get_mut(nucleus)?.base = if upper { 'Y' } else { 'y' };
            changed = true;
        }
    }

    if !changed {
        return None;
    }
    let mut decomposed = String::with_capacity(word.len() + 4);
    for letter in letters.iter() {
        decomposed.push(letter.base);
        decomposed.extend(letter.vowel_mark);
        decomposed.extend(letter.tone);
    }
    Some(decomposed.nfc().collect())
}

/// `oa`, `oe`, `uy` without vowel marks: the clusters whose tone placement varies.
fn is_glide_pair(vowels: &[Letter]) -> bool {
    match vowels {
        [a, b] => {
            a.vowel_mark.is_none()
                && b.vowel_mark.is_none()
                && matches!((a.lower(), b.lower()), ('o', 'a') | ('o', 'e') | ('u', 'y'))
        }
        _ => false,
    }
}

/// Index of the vowel that carries the tone in a cluster (used after `qu`): a vowel with a
/// vowel mark (the last one, as in `ươ`); else the last vowel before a final consonant;
/// else the first of two (`quái`, `quảy`) or the middle of three.
fn main_vowel(vowels: &[Letter], open: bool) -> usize {
    if let Some(i) = vowels.iter().rposition(|l| l.vowel_mark.is_some()) {
        return i;
    }
    match (open, vowels.len()) {
        (_, 0 | 1) => 0,
        (false, n) => n - 1,
        (true, 2) => 0,
        (true, _) => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::TopDocs;
    use tantivy::query::{BooleanQuery, Occur, Query, QueryParser, TermQuery};
    use tantivy::schema::{Schema, TantivyDocument, Term, Value, STORED};
    use tantivy::{doc, Index, IndexReader};

    fn nfd(s: &str) -> String {
        s.nfd().collect()
    }

    fn nfc(s: &str) -> String {
        s.nfc().collect()
    }

    fn has_mark(s: &str) -> bool {
        s.chars().any(is_combining_mark)
    }

    // --- normalize_text -------------------------------------------------------------

    #[test]
    fn glide_clusters_take_the_tone_on_the_first_vowel() {
        for (second, first) in [
            ("hoà", "hòa"),
            ("hoá", "hóa"),
            ("thuỷ", "thủy"),
            ("uỷ ban", "ủy ban"),
            ("khoẻ", "khỏe"),
            ("toà án", "tòa án"),
            ("xoá", "xóa"),
            ("tuỳ", "tùy"),
            ("huỷ bỏ", "hủy bỏ"),
            ("nguỵ", "ngụy"),
            ("đoá", "đóa"),
            ("loè", "lòe"),
        ] {
            assert_eq!(normalize_text(second), first, "{second}");
            assert_eq!(normalize_text(first), first, "{first}");
        }
    }

    #[test]
    fn every_tone_of_every_glide_cluster_is_unified() {
        for (glide, vowel) in [('o', 'a'), ('o', 'e'), ('u', 'y')] {
            for tone in TONE_MARKS {
                for onset in ["", "h", "th", "ng", "kh"] {
                    let on_vowel = nfc(&format!("{onset}{glide}{vowel}{tone}"));
                    let on_glide = nfc(&format!("{onset}{glide}{tone}{vowel}"));
                    assert_ne!(on_vowel, on_glide);
                    assert_eq!(normalize_text(&on_vowel), on_glide);
                    assert_eq!(normalize_text(&on_glide), on_glide);
                    let upper = on_vowel.to_uppercase();
                    assert_eq!(normalize_text(&upper), on_glide.to_uppercase());
                }
            }
        }
    }

    #[test]
    fn case_is_kept() {
        assert_eq!(normalize_text("Uỷ ban"), "Ủy ban");
        assert_eq!(normalize_text("UỶ BAN NHÂN DÂN"), "ỦY BAN NHÂN DÂN");
        assert_eq!(normalize_text("Hoà Bình"), "Hòa Bình");
        assert_eq!(normalize_text("QUI ĐỊNH"), "QUY ĐỊNH");
        assert_eq!(normalize_text("Quí"), "Quý");
    }

    #[test]
    fn syllables_that_agree_in_both_placements_are_unchanged() {
        for word in [
            "hoàng", "toán", "khoảng", "hoạch", "huỳnh", "huých", "thuở", "quá", "quý", "quả",
            "quốc", "quyết", "quyền", "quân", "quở", "ngoài", "xoáy", "khuỷu", "khuya", "khoèo",
            "xoắn", "tuần", "chuyện", "huyền", "người", "mùa", "mưa", "kìa", "giữa", "thuế", "cải",
            "cách", "hành", "chính", "nghiêng", "hòa", "ủy", "thủy",
        ] {
            assert_eq!(normalize_text(word), word, "{word}");
        }
    }

    #[test]
    fn marks_on_the_wrong_letter_move_to_the_canonical_one() {
        assert_eq!(normalize_text("hòang"), "hoàng");
        assert_eq!(normalize_text("tóan"), "toán");
        assert_eq!(normalize_text("hủynh"), "huỷnh");
        assert_eq!(normalize_text("qúa"), "quá");
        assert_eq!(normalize_text("qủa"), "quả");
        assert_eq!(normalize_text("qúy"), "quý");
        assert_eq!(normalize_text("qúi"), "quý");
        assert_eq!(normalize_text("qúai"), "quái");
    }

    #[test]
    fn i_and_y_are_unified_where_both_spell_one_word() {
        for (i, y) in [
            ("qui định", "quy định"),
            ("quí", "quý"),
            ("quì", "quỳ"),
            ("quỉ", "quỷ"),
            ("quĩ", "quỹ"),
            ("quị", "quỵ"),
            ("kĩ thuật", "kỹ thuật"),
            ("kì họp", "kỳ họp"),
            ("kí hiệu", "ký hiệu"),
            ("kỉ luật", "kỷ luật"),
            ("lí do", "lý do"),
            ("quản lí", "quản lý"),
            ("mĩ thuật", "mỹ thuật"),
            ("bác sĩ", "bác sỹ"),
            ("tỉ lệ", "tỷ lệ"),
            ("song hỉ", "song hỷ"),
        ] {
            assert_eq!(normalize_text(i), y, "{i}");
            assert_eq!(normalize_text(y), y, "{y}");
        }
    }

    #[test]
    fn i_stays_where_y_would_be_another_word() {
        for word in [
            "khi",
            "thi",
            "thì",
            "chi",
            "chỉ",
            "vì",
            "vị",
            "nghị",
            "bị",
            "phí",
            "trị",
            "ti vi",
            "ki-lô-gam",
            "sơ mi",
            "li ti",
            "mi-li-mét",
            "Mê-hi-cô",
            "quit",
            "quít",
            "di",
            "gì",
        ] {
            assert_eq!(normalize_text(word), word, "{word}");
        }
    }

    #[test]
    fn nfd_input_comes_out_nfc_and_canonical() {
        assert_eq!(normalize_text(&nfd("hoà giải")), "hòa giải");
        assert_eq!(normalize_text(&nfd("Uỷ ban")), "Ủy ban");
        assert_eq!(normalize_text(&nfd("Nghị định")), "Nghị định");
        assert_eq!(normalize_text(&nfd("quí")), "quý");
    }

    #[test]
    fn non_syllables_are_left_alone() {
        for word in [
            "dungbiên",
            "hoàbình",
            "hoà2",
            "ǹoa",
            "koala",
            "Zürich",
            "Œuvre",
        ] {
            assert_eq!(normalize_text(word), word, "{word}");
        }
        assert_eq!(normalize_text("thuỷ_điện"), "thủy_điện");
        // Punctuation and spacing survive.
        assert_eq!(normalize_text("(hoà), uỷ-ban!"), "(hòa), ủy-ban!");
    }

    #[test]
    fn no_panic_on_odd_input() {
        let long = "a".repeat(100_000);
        let marks = format!("a{}", "\u{301}".repeat(1000));
        for s in [
            "",
            " ",
            "\n\t",
            "😀🇻🇳",
            "\u{301}",
            "\u{301}\u{323}hoà",
            " \u{301} ",
            "a\u{301}\u{301}",
            "q\u{301}",
            "İstanbul",
            "ﬁ ß ǅ",
            long.as_str(),
            marks.as_str(),
            "\u{0}\u{ffff}",
        ] {
            let _ = normalize_text(s);
            let _ = query_terms(s);
            let _ = folded_terms(s);
            let _ = number_key(s);
            let _ = looks_like_number(s);
            for term in query_terms(s).iter().chain(folded_terms(s).iter()) {
                assert!(!term.is_empty());
                assert!(!has_mark(term), "{term:?}");
            }
        }
    }

    // --- tokenizers -----------------------------------------------------------------

    fn tokens(mut tokenizer: impl Tokenizer, text: &str) -> Vec<Token> {
        let mut stream = tokenizer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            out.push(stream.token().clone());
        }
        out
    }

    #[test]
    fn tokenizer_splits_lowercases_and_counts_positions() {
        let text = "Đề án: Cải cách HÀNH CHÍNH (2016-2020)";
        let toks = tokens(VietnameseTokenizer::exact(), text);
        let terms: Vec<&str> = toks.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(
            terms,
            ["đề", "án", "cải", "cách", "hành", "chính", "2016", "2020"]
        );
        for (i, t) in toks.iter().enumerate() {
            assert_eq!(t.position, i);
            assert_eq!(t.position_length, 1);
        }
        assert_eq!(&text[toks[2].offset_from..toks[2].offset_to], "Cải");
        assert_eq!(
            folded_terms(text),
            ["de", "an", "cai", "cach", "hanh", "chinh", "2016", "2020"]
        );
    }

    #[test]
    fn nfd_words_are_not_split_and_match_nfc() {
        let text = "Nghị định về hoà giải ở cơ sở, Uỷ ban nhân dân";
        let decomposed = nfd(text);
        assert_eq!(query_terms(&decomposed), query_terms(text));
        assert_eq!(folded_terms(&decomposed), folded_terms(text));
        assert_eq!(
            query_terms(&decomposed),
            [
                "nghị", "định", "về", "hòa", "giải", "ở", "cơ", "sở", "ủy", "ban", "nhân", "dân"
            ]
        );
        // Offsets point into the NFD text as given.
        let toks = tokens(VietnameseTokenizer::exact(), &decomposed);
        assert_eq!(
            &decomposed[toks[3].offset_from..toks[3].offset_to],
            nfd("hoà")
        );
    }

    #[test]
    fn both_placements_and_spellings_give_one_term() {
        for (a, b) in [
            ("hoà", "hòa"),
            ("thuỷ", "thủy"),
            ("uỷ ban", "ủy ban"),
            ("khoẻ", "khỏe"),
            ("quí", "quý"),
            ("qui định", "quy định"),
            ("kĩ thuật", "kỹ thuật"),
            ("lí do", "lý do"),
            ("mĩ thuật", "mỹ thuật"),
        ] {
            assert_eq!(query_terms(a), query_terms(b), "{a} / {b}");
            assert_eq!(query_terms(&nfd(a)), query_terms(b), "nfd {a}");
            assert_eq!(folded_terms(a), folded_terms(b), "{a} / {b}");
        }
        assert_eq!(folded_terms("Quí"), ["quy"]);
    }

    #[test]
    fn exact_terms_keep_tones_apart_and_folded_terms_join_them() {
        let exact: Vec<Vec<String>> = ["cải", "cái", "cài", "cãi", "cai"]
            .iter()
            .map(|w| query_terms(w))
            .collect();
        for (i, a) in exact.iter().enumerate() {
            for b in exact.iter().skip(i + 1) {
                assert_ne!(a, b);
            }
        }
        for w in ["cải", "cái", "cài", "cãi", "CAI", "cạI"] {
            assert_eq!(folded_terms(w), ["cai"]);
        }
        assert_eq!(folded_terms("Đường"), ["duong"]);
    }

    #[test]
    fn numbers_in_running_text_are_split_into_words() {
        assert_eq!(query_terms("09/2015/QĐ-TTg"), ["09", "2015", "qđ", "ttg"]);
        assert_eq!(folded_terms("09/2015/QĐ-TTg"), ["09", "2015", "qd", "ttg"]);
    }

    #[test]
    fn long_words_are_dropped_but_keep_their_position() {
        let long = "x".repeat(MAX_WORD_BYTES + 1);
        let text = format!("một {long} cửa");
        let toks = tokens(VietnameseTokenizer::exact(), &text);
        let got: Vec<(usize, &str)> = toks.iter().map(|t| (t.position, t.text.as_str())).collect();
        assert_eq!(got, [(0, "một"), (2, "cửa")]);
        let huge = "ệ".repeat(200_000);
        assert!(query_terms(&huge).is_empty());
    }

    #[test]
    fn stray_marks_are_separators_or_dropped() {
        // A mark with no letter before it does not start a word.
        assert_eq!(query_terms("\u{301} hoà \u{323}"), ["hòa"]);
        // A mark NFC cannot attach is dropped from the term.
        assert_eq!(query_terms("q\u{301}"), ["q"]);
        assert_eq!(query_terms("a\u{301}\u{301}"), ["á"]);
        // Emoji and symbols separate words.
        assert_eq!(query_terms("hoà😀giải"), ["hòa", "giải"]);
        assert!(query_terms("").is_empty());
        assert!(query_terms(" \n\t ").is_empty());
    }

    #[test]
    fn number_tokenizer_emits_one_key() {
        let toks = tokens(NumberTokenizer::default(), "09/2015/QĐ-TTg");
        assert_eq!(toks.len(), 1);
        assert_eq!(toks[0].text, "9/2015/QD-TTG");
        assert_eq!(toks[0].position, 0);
        assert!(tokens(NumberTokenizer::default(), "").is_empty());
        assert!(tokens(NumberTokenizer::default(), "  ").is_empty());
    }

    // --- number_key and looks_like_number -----------------------------------------------

    #[test]
    fn spellings_of_one_number_share_a_key() {
        let k = number_key("09/2015/QĐ-TTg");
        assert_eq!(k, "9/2015/QD-TTG");
        for other in [
            "9/2015/qd-ttg",
            "09/2015/qd-ttg",
            "9/2015/QĐ-TTg",
            " 09 / 2015 / QĐ-TTg ",
            "09/2015/qđ-ttg",
        ] {
            assert_eq!(number_key(other), k, "{other}");
        }
        assert_eq!(number_key(&nfd("09/2015/QĐ-TTg")), k);
        assert_ne!(number_key("09/2015/QĐ-TTg"), number_key("90/2015/QĐ-TTg"));
        assert_ne!(number_key("09/2015/QĐ-TTg"), number_key("09/2015/QĐ-UBND"));
        assert_eq!(number_key("100/2019/NĐ-CP"), "100/2019/ND-CP");
        assert_eq!(number_key("00/2019/NĐ-CP"), "0/2019/ND-CP");
        assert_eq!(number_key("05/2014/TT-BTP"), "5/2014/TT-BTP");
        assert_eq!(number_key("83-CP"), "83-CP");
        assert_eq!(number_key(""), "");
    }

    #[test]
    fn number_shapes_are_recognised() {
        for s in [
            "09/2015/QĐ-TTg",
            "732/QĐ-TTg",
            "83-CP",
            "05/2014/TT-BTP",
            "57/2020/QH14",
            "01/2003/TTLT-BTP-BNV",
            "1.234/QĐ-UBND",
            "9/2015/qd-ttg",
            " 09 / 2015 / QĐ-TTg ",
        ] {
            assert!(looks_like_number(s), "{s}");
        }
        // Whatever is accepted, number_key turns into the stored key.
        for s in ["9/2015/qd-ttg", " 09 / 2015 / QĐ-TTg ", "009/2015/QĐ-TTg"] {
            assert!(looks_like_number(s), "{s}");
            assert_eq!(number_key(s), "9/2015/QD-TTG", "{s}");
        }
        assert!(looks_like_number(&nfd("09/2015/QĐ-TTg")));
        for s in [
            "17/10/2005",
            "2016-2020",
            "10/2005",
            "12345",
            "Quyết định",
            "cải cách hành chính",
            "QĐ-TTg",
            "3-4 ngày",
            "09/2015/",
            "09//QĐ",
            "(83-CP)",
            "83-CP.",
            "83-.CP",
            "",
            " ",
            "😀",
        ] {
            assert!(!looks_like_number(s), "{s}");
        }
        assert!(!looks_like_number(&format!("1/{}", "A".repeat(80))));
    }

    // --- end to end -------------------------------------------------------------------

    struct Fixture {
        index: Index,
        reader: IndexReader,
        exact: tantivy::schema::Field,
        folded: tantivy::schema::Field,
        number: tantivy::schema::Field,
        id: tantivy::schema::Field,
    }

    const DOCS: [(u64, &str, &str); 9] = [
        (
            0,
            "Đề án đẩy mạnh cải cách hành chính giai đoạn 2016-2020",
            "09/2015/QĐ-TTg",
        ),
        (1, "Mua cái bàn cho phòng họp", "12/2016/QĐ-UBND"),
        (2, "Hướng dẫn cài đặt phần mềm một cửa", "05/2014/TT-BTP"),
        (3, "Không được cãi nhau tại nơi tiếp công dân", "83-CP"),
        (4, "Tổ hoà giải ở cơ sở", "15/2014/NĐ-CP"),
        (5, "Ủy ban nhân dân huyện Sơn Tây", "01/2016/QĐ-UBND"),
        (6, "Uỷ ban nhân dân xã Sơn Dung", "02/2016/QĐ-UBND"),
        (7, "Quy chế một cửa liên thông", "03/2016/QĐ-UBND"),
        (8, "Cải tạo trụ sở làm việc", "04/2016/QĐ-UBND"),
    ];

    fn fixture() -> tantivy::Result<Fixture> {
        let mut builder = Schema::builder();
        let exact = builder.add_text_field("body", exact_field_options().set_stored());
        let folded = builder.add_text_field("body_folded", folded_field_options());
        let number = builder.add_text_field("number", number_field_options());
        let id = builder.add_u64_field("id", STORED);
        let index = Index::create_in_ram(builder.build());
        register(index.tokenizers());
        let mut writer = index.writer_with_num_threads(1, 15_000_000)?;
        for (doc_id, body, num) in DOCS {
            // Document 4 arrives decomposed (NFD), as 3.9% of the corpus does.
            let body = if doc_id == 4 {
                nfd(body)
            } else {
                body.to_owned()
            };
            writer.add_document(doc!(
                id => doc_id,
                exact => body.clone(),
                folded => body,
                number => num,
            ))?;
        }
        writer.commit()?;
        let reader = index.reader()?;
        Ok(Fixture {
            index,
            reader,
            exact,
            folded,
            number,
            id,
        })
    }

    impl Fixture {
        fn search(&self, query: &dyn Query) -> tantivy::Result<Vec<u64>> {
            let searcher = self.reader.searcher();
            let hits = searcher.search(query, &TopDocs::with_limit(20).order_by_score())?;
            let mut ids = Vec::new();
            for (_, address) in hits {
                let doc: TantivyDocument = searcher.doc(address)?;
                ids.extend(doc.get_first(self.id).and_then(|v| v.as_u64()));
            }
            Ok(ids)
        }

        /// Both text fields, the folded one at 0.3.
        fn parse(&self, text: &str) -> Vec<u64> {
            let mut parser = QueryParser::for_index(&self.index, vec![self.exact, self.folded]);
            parser.set_field_boost(self.folded, 0.3);
            let query = parser.parse_query(text).expect("query parses");
            self.search(&*query).expect("search runs")
        }

        /// Every exact term must match (built outside the query parser).
        fn all_exact(&self, text: &str) -> Vec<u64> {
            let clauses: Vec<(Occur, Box<dyn Query>)> = query_terms(text)
                .iter()
                .map(|t| {
                    let term = Term::from_field_text(self.exact, t);
                    let q: Box<dyn Query> =
                        Box::new(TermQuery::new(term, IndexRecordOption::Basic));
                    (Occur::Must, q)
                })
                .collect();
            let mut ids = self
                .search(&BooleanQuery::new(clauses))
                .expect("search runs");
            ids.sort_unstable();
            ids
        }
    }

    #[test]
    fn index_ranks_exact_above_folded_and_unifies_spellings() {
        let f = fixture().expect("index builds");

        let hits = f.parse("cải cách");
        assert_eq!(hits.first(), Some(&0), "{hits:?}");

        let hits = f.parse("cai cach");
        assert_eq!(hits.first(), Some(&0), "{hits:?}");
        assert!(hits.contains(&1) && hits.contains(&2) && hits.contains(&3));

        // `cải` must not drown in `cái`, `cài`, `cãi`: both exact hits come first.
        let hits = f.parse("cải");
        assert_eq!(hits.len(), 5, "{hits:?}");
        let mut top: Vec<u64> = hits.iter().take(2).copied().collect();
        top.sort_unstable();
        assert_eq!(top, [0, 8], "{hits:?}");

        // NFD document, main-vowel placement; NFC query, glide placement (and the reverse).
        assert_eq!(f.parse("hòa giải").first(), Some(&4));
        assert_eq!(f.parse(&nfd("hoà giải")).first(), Some(&4));
        assert_eq!(f.all_exact("hòa giải"), [4]);

        assert_eq!(f.all_exact("uỷ ban"), [5, 6]);
        assert_eq!(f.all_exact("ủy ban"), [5, 6]);
        assert_eq!(f.all_exact(&nfd("UỶ BAN")), [5, 6]);
    }

    #[test]
    fn index_phrases_work_across_syllables() {
        let f = fixture().expect("index builds");
        assert_eq!(f.parse("\"cải cách hành chính\""), [0]);
        assert_eq!(f.parse("\"cai cach hanh chinh\""), [0]);
        assert!(f.parse("\"hành cải\"").is_empty());
        assert_eq!(f.parse("\"một cửa liên thông\""), [7]);
        let mut hits = f.parse("\"một cửa\"");
        hits.sort_unstable();
        assert_eq!(hits, [2, 7]);
        // Proximity: `một` and `thông` are two positions apart with one word between.
        assert!(f.parse("\"một thông\"~1").is_empty());
        assert_eq!(f.parse("\"một thông\"~2"), [7]);
    }

    #[test]
    fn index_finds_numbers_in_any_spelling() {
        let f = fixture().expect("index builds");
        for spelling in [
            "9/2015/qd-ttg",
            "09/2015/QĐ-TTg",
            "9/2015/QĐ-TTg",
            "09 / 2015 / qđ-ttg",
        ] {
            let term = Term::from_field_text(f.number, &number_key(spelling));
            let query = TermQuery::new(term, IndexRecordOption::Basic);
            assert_eq!(f.search(&query).expect("search runs"), [0], "{spelling}");
        }
        let term = Term::from_field_text(f.number, &number_key("83-cp"));
        let query = TermQuery::new(term, IndexRecordOption::Basic);
        assert_eq!(f.search(&query).expect("search runs"), [3]);
    }

    #[test]
    fn query_parser_reaches_the_number_field() {
        let f = fixture().expect("index builds");
        let mut parser = QueryParser::for_index(&f.index, vec![f.exact, f.folded, f.number]);
        parser.set_field_boost(f.folded, 0.3);
        for q in ["9/2015/qd-ttg", "09/2015/QĐ-TTg", "\"9/2015/QĐ-TTg\""] {
            let query = parser.parse_query(q).expect("query parses");
            assert_eq!(f.search(&*query).expect("search runs"), [0], "{q}");
        }
    }

    // --- real corpus ------------------------------------------------------------------

    const CORPUS: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/corpus/phapdien_articles.sample200.jsonl"
    );

    /// The string value of `"field": "…"` in one JSON line (enough JSON for the test data).
    fn json_string(line: &str, field: &str) -> Option<String> {
        let key = format!("\"{field}\": \"");
        let start = line.find(&key)? + key.len();
        let mut out = String::new();
        let mut chars = line[start..].chars();
        let hex = |chars: &mut std::str::Chars<'_>| {
            let s: String = chars.take(4).collect();
            u32::from_str_radix(&s, 16).ok()
        };
        while let Some(c) = chars.next() {
            match c {
                '"' => return Some(out),
                '\\' => match chars.next()? {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    'r' => out.push('\r'),
                    'b' => out.push('\u{8}'),
                    'f' => out.push('\u{c}'),
                    'u' => {
                        let hi = hex(&mut chars)?;
                        let code = if (0xD800..0xDC00).contains(&hi) {
                            chars.next()?;
                            chars.next()?;
                            let lo = hex(&mut chars)?;
                            0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                        } else {
                            hi
                        };
                        out.push(char::from_u32(code)?);
                    }
                    other => out.push(other),
                },
                c => out.push(c),
            }
        }
        None
    }

    /// 50 article texts: every decomposed one in the sample, then the first NFC ones.
    fn corpus_texts() -> Vec<String> {
        let data = std::fs::read_to_string(CORPUS).expect("corpus sample is readable");
        let texts: Vec<String> = data
            .lines()
            .filter_map(|line| json_string(line, "text"))
            .collect();
        let (mut picked, rest): (Vec<String>, Vec<String>) =
            texts.into_iter().partition(|t| nfc(t) != *t);
        picked.extend(rest);
        picked.truncate(50);
        picked
    }

    /// Moves the tone of open `oa`/`oe`/`uy` syllables to the second vowel: the other
    /// placement, built independently of `respell`.
    fn to_second_vowel_placement(text: &str) -> String {
        let mut out = String::new();
        for word in nfc(text).split_inclusive(|c: char| !c.is_alphanumeric()) {
            let (body, tail) = match word.char_indices().last() {
                Some((i, c)) if !c.is_alphanumeric() => word.split_at(i),
                _ => (word, ""),
            };
            let mut chars: Vec<char> = body.nfd().collect();
            let n = chars.len();
            if n >= 3 && TONE_MARKS.contains(&chars[n - 2]) {
                let glide = chars[n - 3].to_ascii_lowercase();
                let vowel = chars[n - 1].to_ascii_lowercase();
                let before_is_vowel = n >= 4
                    && (matches!(
                        chars[n - 4].to_ascii_lowercase(),
                        'a' | 'e' | 'i' | 'o' | 'u' | 'y'
                    ) || VOWEL_MARKS.contains(&chars[n - 4]));
                let q_before = n >= 4 && chars[n - 4].eq_ignore_ascii_case(&'q');
                if !before_is_vowel
                    && !q_before
                    && matches!((glide, vowel), ('o', 'a') | ('o', 'e') | ('u', 'y'))
                {
                    chars.swap(n - 2, n - 1);
                }
            }
            out.extend(chars.into_iter().nfc());
            out.push_str(tail);
        }
        out
    }

    #[test]
    fn corpus_nfd_and_nfc_give_identical_tokens_without_marks() {
        let texts = corpus_texts();
        assert_eq!(texts.len(), 50);
        let decomposed = texts.iter().filter(|t| nfc(t) != **t).count();
        assert!(
            decomposed >= 5,
            "the sample should hold NFD articles: {decomposed}"
        );
        let mut moved = 0;
        for text in &texts {
            let exact = query_terms(&nfc(text));
            let folded = folded_terms(&nfc(text));
            assert!(!exact.is_empty());
            assert_eq!(query_terms(&nfd(text)), exact);
            assert_eq!(query_terms(text), exact);
            assert_eq!(folded_terms(&nfd(text)), folded);
            assert_eq!(folded_terms(text), folded);
            for term in exact.iter().chain(folded.iter()) {
                assert!(!has_mark(term), "mark in {term:?}");
            }
            assert!(folded.iter().all(|t| !t.contains('đ')));
            // The other tone placement gives the same terms too.
            let other = to_second_vowel_placement(text);
            if other != nfc(text) {
                moved += 1;
            }
            assert_eq!(query_terms(&other), exact);
            assert_eq!(query_terms(&nfd(&other)), exact);
            // normalize_text is idempotent and agrees with the tokenizer.
            let normalized = normalize_text(text);
            assert_eq!(normalize_text(&normalized), normalized);
            assert_eq!(query_terms(&normalized), exact);
        }
        assert!(moved > 0, "no text had a glide cluster with a tone mark");
    }

    /// The analysis without the cache: every word of `text`, exact and folded.
    fn uncached(text: &str) -> Vec<(String, String)> {
        let mut out = vec![];
        let mut cursor = 0;
        while let Some((from, to)) = next_word(text, cursor) {
            cursor = to;
            if to - from > MAX_WORD_BYTES {
                continue;
            }
            let word = &text[from..to];
            let (mut exact, mut folded, mut scratch) =
                (String::new(), String::new(), String::new());
            if word.is_ascii() {
                analyze_word(word, false, &mut exact, &mut scratch);
                analyze_word(word, true, &mut folded, &mut scratch);
            } else {
                analyze_unicode_word(word, false, &mut exact, &mut scratch);
                analyze_unicode_word(word, true, &mut folded, &mut scratch);
            }
            out.push((exact, folded));
        }
        out
    }

    #[test]
    fn the_word_cache_changes_nothing() {
        let texts = corpus_texts();
        for round in 0..2 {
            for text in &texts {
                for t in [text.clone(), nfd(text), text.to_uppercase()] {
                    let words = query_words(&t);
                    let expected = uncached(&t);
                    assert_eq!(words.len(), expected.len(), "round {round}");
                    for (w, (exact, folded)) in words.iter().zip(&expected) {
                        assert_eq!((&w.exact, &w.folded), (exact, folded), "round {round}");
                    }
                    assert_eq!(
                        query_terms(&t),
                        expected.iter().map(|e| e.0.clone()).collect::<Vec<_>>()
                    );
                    assert_eq!(
                        folded_terms(&t),
                        expected.iter().map(|e| e.1.clone()).collect::<Vec<_>>()
                    );
                }
            }
        }
        // Past a generation the cache goes on giving the same terms.
        let mut many = String::new();
        for i in 0..(WORD_CACHE_GENERATION + 10) {
            many.push_str(&format!("hoà{i} "));
        }
        assert_eq!(query_terms(&many).len(), WORD_CACHE_GENERATION + 10);
        assert_eq!(query_terms("Hoà Bình"), vec!["hòa", "bình"]);
    }

    #[test]
    fn word_ranges_are_the_tokens() {
        let long = "x".repeat(MAX_WORD_BYTES + 1);
        for text in corpus_texts()
            .into_iter()
            .chain([format!("một {long} hai"), "—(đ) ̀a".to_owned()])
        {
            let mut tokenizer = VietnameseTokenizer::exact();
            let mut stream = tokenizer.token_stream(&text);
            let mut tokens = vec![];
            while stream.advance() {
                let t = stream.token();
                tokens.push((t.offset_from, t.offset_to, t.text.clone()));
            }
            let ranges: Vec<(usize, usize, String)> = word_ranges(&text)
                .map(|(from, to)| {
                    let mut term = String::new();
                    exact_term(&text[from..to], &mut term);
                    (from, to, term)
                })
                .collect();
            assert_eq!(ranges, tokens);
        }
    }

    #[test]
    fn pairs_join_neighbouring_terms() {
        for text in corpus_texts() {
            let terms = query_terms(&text);
            let expected: Vec<String> = terms
                .windows(2)
                .map(|w| format!("{}_{}", w[0], w[1]))
                .collect();
            assert_eq!(syllable_pairs(&text), expected.join(" "));
        }
        assert_eq!(syllable_pairs("Cải cách"), "cải_cách");
        assert_eq!(syllable_pairs("một"), "");
    }

    #[test]
    fn letters_recognised_without_tables_are_letters() {
        for c in ('\u{0}'..='\u{24F}').chain('\u{1E00}'..='\u{1EFF}') {
            if let Some(fast) = is_letter_fast(c) {
                assert_eq!(fast, c.is_alphanumeric(), "{c:?}");
                assert!(!is_combining_mark(c));
            }
        }
    }
}
