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
mod tests;
