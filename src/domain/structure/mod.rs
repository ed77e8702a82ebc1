//! The structure of a version's text: Phần / Chương / Mục / Điều / Khoản / Điểm.
//!
//! [`parse`] turns a version's full text into a tree of [`Provision`]s, each with a
//! stable, human-readable `path`; [`flatten`] lists the tree in document order for
//! storage and [`find`] looks a provision up by path.
//!
//! # Input
//! The text is NFC-normalised first, so composed and decomposed Vietnamese parse the
//! same. Line endings (`\r\n`, `\r`, form feed, U+2028/U+2029) become `\n` and a byte
//! order mark is dropped. Every offset and every `text` refers to this prepared text.
//!
//! # Headings start a line
//! A heading is recognised only at the start of a line (after leading whitespace), so
//! "theo quy định tại Điều 5 của Luật này" never opens an article. Even at the start of
//! a line, the number must be followed by `.`, `:`, a dash, the end of the line, or a
//! space and an upper-case letter: a wrapped sentence that happens to begin a line with
//! "Điều 206 và Điều 207 ..." is body text, and so is "Chương trình ...".
//!
//! * Phần (Part): `Phần thứ nhất`, `PHẦN THỨ HAI`, `Phần I`, `PHẦN 1`, `Phần A`.
//! * Chương (Chapter): `Chương I`, `CHƯƠNG II`, `Chương 3: QUY ĐỊNH KHÁC`. Roman numerals
//!   must be well formed ("IIII" is not a number).
//! * Mục (Section): `Mục 1`, `MỤC 2. ...`.
//! * Điều (Article): `Điều 5.`, `Điều 5:`, `Điều 5 .`, `Điều 5 Tên điều`, `Điều 5 - Tên`,
//!   `ĐIỀU 5.`, `Điều5.`, inserted articles `Điều 5a.`. Its heading is the rest of the line.
//! * Khoản (Clause): a line starting with an Arabic number and `.` or `)`: `1.`, `2)`,
//!   also without a space (`1.Việc ...`). Decimal numbers `2.1.`, `2.2.1` are clauses nested
//!   under the clause whose number is their prefix (a decimal number without a final dot
//!   must be followed by a space and an upper-case letter). A group after a dot has at most
//!   two digits, so "19.953 người" or "1.700 m" (thousands separators) stay body text.
//! * Điểm (Point): a Vietnamese letter (a b c d đ e g h i k l m n o p q r s t u v x y) and
//!   `)`, or the letter and `.` followed by a space (some texts write `a.`).
//!
//! Heading text: an article's heading is the rest of its line ("Điều 1. Phạm vi điều
//! chỉnh" → "Phạm vi điều chỉnh"). A part, chapter or section whose line carries no title
//! takes the next non-empty line as its title when that line is not itself a heading and
//! is at most 200 characters (the usual "Chương I" / "QUY ĐỊNH CHUNG" layout). A trailing
//! `:` or single `.` is dropped from headings and inner runs of whitespace become one space.
//!
//! # Two modes
//! **Article mode** applies when any line is an article heading. Parts, chapters, sections
//! and articles nest in that order; a clause is recognised only inside an article and a
//! point only inside an article or a clause. Clauses and points have no heading: their
//! first line is content. While an article is open, a part, chapter or section heading
//! counts only if its title has no lower-case letters (or there is no title) or its number
//! continues the previous heading of its kind (Chương II after Chương I): articles list
//! things like "Chương 1: Động vật sống" or "Phần I: Phần chung", while real titles are
//! written in capitals.
//!
//! **Outline mode** applies to texts without articles (plans, reports, ISO procedures),
//! such as "A. TÌNH HÌNH ..." / "I. Đặc điểm ..." / "1. Quan điểm" / "a) ...":
//! * a single capital letter with `.`, `)` or ` - ` is a Part (`phan-a`) when it continues
//!   the part letters: the first part is A or B, each next one at most two letters after
//!   the previous; its heading is the rest of the line (or the next line, as above);
//! * a well-formed Roman numeral with the same separators is a Section (`phan-a/muc-i`)
//!   when it continues the current part's sections: greater than the previous one, at most
//!   three more. Sections restart at every Part or Chapter. Letters that are also numerals
//!   (I, V, X, L, C, D, M) are read as a section when that continues the sequence, otherwise
//!   as a part when that does ("V." after "IV." is a section, "C." after "B." a part);
//! * Arabic `1.` / `2.1.` and letters `a)` are clauses and points as above, under whatever
//!   is open (at the top level when nothing is); a point needs an open provision;
//! * keyword headings (Phần, Chương, Mục) still apply;
//! * a clause or point line is used as a heading only when the item goes on past that line
//!   (it has body lines or children) and the line is at most 200 characters: "1. Quan
//!   điểm." followed by bullets is a title, "3. Phòng Tư pháp chủ trì ..." alone is content.
//!
//! Everything else is body text of the innermost open provision: "- ...", "+ ...",
//! "* ...", tables, "Tiểu mục ...".
//!
//! # What is not a provision
//! * Text before the first heading (title, "Căn cứ ..." lines).
//! * The closing block: from a line "Nơi nhận:" (not followed by lower-case prose) or a
//!   signing line "TM. / KT. / TL. / TUQ. <UPPER-CASE>", every open provision ends and
//!   lines are skipped until the next part, chapter, section or article heading (so a
//!   regulation attached after the signature, "Ban hành kèm theo Quyết định ...", is parsed).
//! * Quoted text in amending documents: when a line starts with an opening quote (“ or ")
//!   that is not closed on that line, the lines up to the one that closes it are body text,
//!   so the articles and clauses being inserted do not become provisions of the amending
//!   document. A quote that is never closed masks nothing.
//!
//! # Paths
//! ASCII, lower case, `-` inside a segment and `/` between segments. A segment is the kind
//! (`phan`, `chuong`, `muc`, `dieu`, `khoan`, `diem`) and the number as written, slugified:
//! diacritics removed, anything not a letter or digit becomes `-`, and the letter đ becomes
//! `dd` so that point đ (`diem-dd`) never collides with point d (`diem-d`).
//! * Parts and chapters are numbered across the document: `phan-thu-nhat`, `phan-i`,
//!   `phan-a`, `chuong-ii`, `chuong-3`.
//! * Sections restart in each chapter (or part): `chuong-ii/muc-1`, `phan-a/muc-i`,
//!   or `muc-1` when nothing encloses them.
//! * Articles are numbered across the document, so their path has no chapter: `dieu-5`,
//!   `dieu-5a`.
//! * Clauses and points extend their parent's path: `dieu-5/khoan-2/diem-a`,
//!   `dieu-5/diem-b`, `phan-c/muc-i/khoan-2/khoan-2-1`.
//! * A path that is already taken (malformed text, or a regulation attached to a decision
//!   repeating "Điều 1") gets a suffix `-2`, `-3`, ... in document order (the next one not
//!   yet used); its descendants extend the suffixed path: `dieu-1-2/khoan-1`.
//!
//! Each provision's `text` is its whole span in the prepared text, from its heading line to
//! the next heading that is not its descendant (or the closing block), trimmed.

use std::collections::{HashMap, HashSet};

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// The level of a provision in a Vietnamese normative text.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ProvisionKind {
    Part,
    Chapter,
    Section,
    Article,
    Clause,
    Point,
}

impl ProvisionKind {
    pub const ALL: [ProvisionKind; 6] = [
        ProvisionKind::Part,
        ProvisionKind::Chapter,
        ProvisionKind::Section,
        ProvisionKind::Article,
        ProvisionKind::Clause,
        ProvisionKind::Point,
    ];

    /// The stored name; the same string as the JSON value.
    pub fn as_str(self) -> &'static str {
        match self {
            ProvisionKind::Part => "part",
            ProvisionKind::Chapter => "chapter",
            ProvisionKind::Section => "section",
            ProvisionKind::Article => "article",
            ProvisionKind::Clause => "clause",
            ProvisionKind::Point => "point",
        }
    }

    /// Inverse of [`ProvisionKind::as_str`].
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// The Vietnamese word users see.
    pub fn label_vi(self) -> &'static str {
        match self {
            ProvisionKind::Part => "Phần",
            ProvisionKind::Chapter => "Chương",
            ProvisionKind::Section => "Mục",
            ProvisionKind::Article => "Điều",
            ProvisionKind::Clause => "Khoản",
            ProvisionKind::Point => "Điểm",
        }
    }

    /// The first word of a path segment.
    pub fn path_prefix(self) -> &'static str {
        match self {
            ProvisionKind::Part => "phan",
            ProvisionKind::Chapter => "chuong",
            ProvisionKind::Section => "muc",
            ProvisionKind::Article => "dieu",
            ProvisionKind::Clause => "khoan",
            ProvisionKind::Point => "diem",
        }
    }
}

/// One provision and the provisions it contains.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Provision {
    pub kind: ProvisionKind,
    /// As written: "5", "5a", "II", "thứ nhất", "a", "đ", "2.1".
    pub number: String,
    /// Stable address, unique within the document: "dieu-5/khoan-2/diem-a".
    pub path: String,
    /// "Phạm vi điều chỉnh" for "Điều 1. Phạm vi điều chỉnh"; a chapter's title.
    pub heading: Option<String>,
    /// The whole span of the provision, heading line included, trimmed.
    pub text: String,
    #[schema(no_recursion)]
    pub children: Vec<Provision>,
}

/// One row per provision, in document order (pre-order), for storage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlatProvision {
    /// 0-based position in document order.
    pub ord: i32,
    /// 0 for top-level provisions.
    pub depth: i32,
    pub kind: ProvisionKind,
    pub number: String,
    pub path: String,
    pub heading: Option<String>,
    pub text: String,
}

/// The path segment for a provision of `kind` numbered `number` ("Khoản", "2" → "khoan-2";
/// "Điểm", "đ" → "diem-dd"), for code that builds paths from references.
pub fn segment(kind: ProvisionKind, number: &str) -> String {
    format!("{}-{}", kind.path_prefix(), number_slug(number))
}

/// How a reader cites a path: "dieu-5/khoan-2/diem-dd" → "Điểm đ Khoản 2 Điều 5", the
/// innermost first as Vietnamese does. A segment that is not a provision is kept as it is.
pub fn path_label(path: &str) -> String {
    path.split('/')
        .rev()
        .map(|seg| {
            ProvisionKind::ALL
                .into_iter()
                .find_map(|k| {
                    let number = seg.strip_prefix(k.path_prefix())?.strip_prefix('-')?;
                    let number = if number == "dd" { "đ" } else { number };
                    Some(format!("{} {number}", k.label_vi()))
                })
                .unwrap_or_else(|| seg.to_owned())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Parse text (any Unicode normalisation) into top-level provisions.
pub fn parse(text: &str) -> Vec<Provision> {
    let src = prepare(text);
    let lines = split_lines(&src);
    let quoted = quoted_mask(&lines);
    let has_articles = lines.iter().zip(&quoted).any(|(line, &q)| {
        !q && keyword_heading(line.text).is_some_and(|h| h.kind == ProvisionKind::Article)
    });
    let mode = if has_articles {
        Mode::Articles
    } else {
        Mode::Outline
    };
    let mut builder = Builder::new(&src, mode);
    for idx in 0..lines.len() {
        if !quoted[idx] && !lines[idx].text.is_empty() {
            builder.line(idx, &lines, &quoted);
        }
    }
    builder.finish()
}

/// Flat, document-order list (pre-order): one row per provision.
pub fn flatten(tree: &[Provision]) -> Vec<FlatProvision> {
    fn walk(nodes: &[Provision], depth: i32, out: &mut Vec<FlatProvision>) {
        for node in nodes {
            out.push(FlatProvision {
                ord: i32::try_from(out.len()).unwrap_or(i32::MAX),
                depth,
                kind: node.kind,
                number: node.number.clone(),
                path: node.path.clone(),
                heading: node.heading.clone(),
                text: node.text.clone(),
            });
            walk(&node.children, depth.saturating_add(1), out);
        }
    }
    let mut out = Vec::new();
    walk(tree, 0, &mut out);
    out
}

/// Find one provision by path in a tree.
pub fn find<'a>(tree: &'a [Provision], path: &str) -> Option<&'a Provision> {
    // Article paths do not include their chapter, so the whole tree is searched.
    tree.iter().find_map(|node| {
        if node.path == path {
            Some(node)
        } else {
            find(&node.children, path)
        }
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Articles,
    Outline,
}

const RANK_PART: u8 = 10;
const RANK_CHAPTER: u8 = 20;
const RANK_SECTION: u8 = 30;
const RANK_ARTICLE: u8 = 40;
/// A clause ranks 50 + its number of groups ("2" → 51, "2.1" → 52), so nested decimal
/// clauses sit inside their parent and points (60) inside the deepest clause.
const RANK_CLAUSE: u8 = 50;
const RANK_POINT: u8 = 60;
/// At most this many groups in a decimal clause number ("1.2.3.4.5").
const MAX_CLAUSE_GROUPS: usize = 5;
/// Longest line taken as a title from the next line, or from a clause/point line.
const MAX_TITLE_CHARS: usize = 200;

const POINT_LETTERS: [char; 23] = [
    'a', 'b', 'c', 'd', 'đ', 'e', 'g', 'h', 'i', 'k', 'l', 'm', 'n', 'o', 'p', 'q', 'r', 's', 't',
    'u', 'v', 'x', 'y',
];

const ORDINALS: [&str; 17] = [
    "nhất", "nhứt", "một", "mốt", "hai", "ba", "bốn", "tư", "năm", "lăm", "sáu", "bảy", "bẩy",
    "tám", "chín", "mười", "mươi",
];

fn rank_of(kind: ProvisionKind) -> u8 {
    match kind {
        ProvisionKind::Part => RANK_PART,
        ProvisionKind::Chapter => RANK_CHAPTER,
        ProvisionKind::Section => RANK_SECTION,
        ProvisionKind::Article => RANK_ARTICLE,
        ProvisionKind::Clause => RANK_CLAUSE + 1,
        ProvisionKind::Point => RANK_POINT,
    }
}

fn prepare(text: &str) -> String {
    let nfc: String = text.nfc().collect();
    nfc.replace("\r\n", "\n")
        .replace(['\r', '\u{000C}', '\u{2028}', '\u{2029}'], "\n")
        .replace('\u{FEFF}', "")
}

struct Line<'a> {
    /// Byte offset of the line in the prepared text.
    start: usize,
    /// The line without surrounding whitespace.
    text: &'a str,
}

fn split_lines(src: &str) -> Vec<Line<'_>> {
    let mut lines = Vec::new();
    let mut start = 0;
    for raw in src.split('\n') {
        lines.push(Line {
            start,
            text: raw.trim(),
        });
        start += raw.len() + 1;
    }
    lines
}

/// Marks the lines inside quoted blocks (see the module doc).
fn quoted_mask(lines: &[Line<'_>]) -> Vec<bool> {
    let n = lines.len();
    // For each line, the first line at or after it that could close a block.
    let mut next_curly = vec![None; n + 1];
    let mut next_straight = vec![None; n + 1];
    for i in (0..n).rev() {
        let t = lines[i].text;
        next_curly[i] = if t.contains('”') {
            Some(i)
        } else {
            next_curly[i + 1]
        };
        next_straight[i] = if t.matches('"').count() % 2 == 1 {
            Some(i)
        } else {
            next_straight[i + 1]
        };
    }
    let mut mask = vec![false; n];
    let mut i = 0;
    while i < n {
        let t = lines[i].text;
        let close = if t.starts_with('“') && t.matches('“').count() > t.matches('”').count() {
            next_curly[i + 1]
        } else if t.starts_with('"') && t.matches('"').count() % 2 == 1 {
            next_straight[i + 1]
        } else {
            None
        };
        match close {
            Some(j) => {
                for m in &mut mask[i + 1..=j] {
                    *m = true;
                }
                i = j + 1;
            }
            None => i += 1,
        }
    }
    mask
}

/// A part, chapter, section or article heading line.
struct Heading {
    kind: ProvisionKind,
    number: String,
    title: Option<String>,
}

fn keyword_heading(t: &str) -> Option<Heading> {
    let (kind, rest) = if let Some(rest) = strip_keyword(t, &["Điều", "ĐIỀU"], true) {
        (ProvisionKind::Article, rest)
    } else if let Some(rest) = strip_keyword(t, &["Chương", "CHƯƠNG"], false) {
        (ProvisionKind::Chapter, rest)
    } else if let Some(rest) = strip_keyword(t, &["Mục", "MỤC"], false) {
        (ProvisionKind::Section, rest)
    } else if let Some(rest) = strip_keyword(t, &["Phần", "PHẦN"], false) {
        (ProvisionKind::Part, rest)
    } else {
        return None;
    };
    let (number, after) = match kind {
        ProvisionKind::Article => article_number(rest)?,
        ProvisionKind::Part => ordinal_number(rest)
            .or_else(|| roman_or_digits(rest))
            .or_else(|| single_capital(rest))?,
        _ => roman_or_digits(rest)?,
    };
    let title = heading_tail(after)?;
    Some(Heading {
        kind,
        number,
        title,
    })
}

/// The rest of the line after one of `words`, which must be followed by whitespace (or,
/// when `digit_ok`, directly by a digit: "Điều5." in poorly typed text).
fn strip_keyword<'a>(t: &'a str, words: &[&str], digit_ok: bool) -> Option<&'a str> {
    words.iter().find_map(|w| {
        let rest = t.strip_prefix(w)?;
        let next = rest.chars().next()?;
        (next.is_whitespace() || (digit_ok && next.is_ascii_digit())).then(|| rest.trim_start())
    })
}

fn ascii_digits(s: &str) -> usize {
    s.bytes().take_while(u8::is_ascii_digit).count()
}

/// "5", "5a", "5đ" and what follows it.
fn article_number(rest: &str) -> Option<(String, &str)> {
    let n = ascii_digits(rest);
    if n == 0 || n > 4 {
        return None;
    }
    let (digits, after) = rest.split_at(n);
    let mut chars = after.chars();
    if let Some(c) = chars.next() {
        let is_suffix = c.is_ascii_alphabetic() || c == 'đ' || c == 'Đ';
        if is_suffix && !chars.next().is_some_and(char::is_alphanumeric) {
            let len = c.len_utf8();
            return Some((format!("{digits}{c}"), after.get(len..).unwrap_or("")));
        }
    }
    Some((digits.to_string(), after))
}

/// A well-formed Roman numeral or 1–3 Arabic digits.
fn roman_or_digits(rest: &str) -> Option<(String, &str)> {
    let n = rest.bytes().take_while(|b| b"IVXLCDM".contains(b)).count();
    if n > 0 {
        let (token, after) = rest.split_at(n);
        return roman_value(token).map(|_| (token.to_string(), after));
    }
    let n = ascii_digits(rest);
    if n == 0 || n > 3 {
        return None;
    }
    let (token, after) = rest.split_at(n);
    Some((token.to_string(), after))
}

fn single_capital(rest: &str) -> Option<(String, &str)> {
    let c = rest.chars().next().filter(char::is_ascii_uppercase)?;
    Some((c.to_string(), rest.get(1..).unwrap_or("")))
}

/// "thứ nhất", "THỨ HAI", "thứ mười một".
fn ordinal_number(rest: &str) -> Option<(String, &str)> {
    let (first, mut after) = take_word(rest)?;
    if first.to_lowercase() != "thứ" {
        return None;
    }
    let mut words = vec![first];
    while words.len() < 4 {
        let Some((word, next)) = take_word(after) else {
            break;
        };
        if !ORDINALS.contains(&word.to_lowercase().as_str()) {
            break;
        }
        words.push(word);
        after = next;
    }
    (words.len() > 1).then(|| (words.join(" "), after))
}

/// The next run of letters after optional whitespace, and what follows it.
fn take_word(s: &str) -> Option<(&str, &str)> {
    let t = s.trim_start();
    let len = t
        .char_indices()
        .find(|(_, c)| !c.is_alphabetic())
        .map_or(t.len(), |(i, _)| i);
    (len > 0).then(|| t.split_at(len))
}

/// What may follow a heading number: `Some(title)` when the line is a heading, `None` when
/// the number is part of a sentence.
fn heading_tail(after: &str) -> Option<Option<String>> {
    let trimmed = after.trim_start();
    let Some(first) = trimmed.chars().next() else {
        return Some(None);
    };
    let rest = trimmed.get(first.len_utf8()..).unwrap_or("");
    match first {
        // "5.1" is a decimal number, not "5" and a separator.
        '.' | ':' if rest.starts_with(|c: char| c.is_ascii_digit()) => None,
        '.' | ':' => Some(clean_title(rest)),
        '-' | '–' | '—' => {
            let title = rest.trim_start();
            if title.is_empty() || title.starts_with(char::is_uppercase) {
                Some(clean_title(title))
            } else {
                None
            }
        }
        c if c.is_uppercase() && after.starts_with(char::is_whitespace) => {
            Some(clean_title(trimmed))
        }
        _ => None,
    }
}

fn clean_title(s: &str) -> Option<String> {
    let mut t = s.trim();
    if let Some(x) = t.strip_suffix(':') {
        t = x;
    } else if let Some(x) = t.strip_suffix('.') {
        // Keep an ellipsis; drop a full stop.
        if !x.ends_with('.') {
            t = x;
        }
    }
    let title = t.split_whitespace().collect::<Vec<_>>().join(" ");
    (!title.is_empty()).then_some(title)
}

/// The value of a part, chapter or section number: Roman, Arabic, a capital letter
/// (A = 1) or an ordinal ("thứ hai" = 2).
fn number_value(number: &str) -> Option<u32> {
    if let Some(v) = roman_value(number) {
        return Some(v);
    }
    if let Ok(v) = number.parse::<u32>() {
        return Some(v);
    }
    if let &[c] = number.as_bytes() {
        return c.is_ascii_uppercase().then(|| u32::from(c - b'A') + 1);
    }
    let words: Vec<String> = number
        .split_whitespace()
        .skip(1)
        .map(str::to_lowercase)
        .collect();
    let unit = |w: &str| match w {
        "nhất" | "nhứt" | "một" | "mốt" => Some(1),
        "hai" => Some(2),
        "ba" => Some(3),
        "tư" | "bốn" => Some(4),
        "năm" | "lăm" => Some(5),
        "sáu" => Some(6),
        "bảy" | "bẩy" => Some(7),
        "tám" => Some(8),
        "chín" => Some(9),
        "mười" => Some(10),
        _ => None,
    };
    match words.as_slice() {
        [w] => unit(w),
        [ten, w] if ten == "mười" => unit(w).filter(|&u| u < 10).map(|u| 10 + u),
        _ => None,
    }
}

/// Value of a well-formed Roman numeral ("IV", not "IIII" or "IC").
fn roman_value(token: &str) -> Option<u32> {
    if token.is_empty() || token.len() > 15 {
        return None;
    }
    let digit = |c: u8| match c {
        b'I' => Some(1),
        b'V' => Some(5),
        b'X' => Some(10),
        b'L' => Some(50),
        b'C' => Some(100),
        b'D' => Some(500),
        b'M' => Some(1000),
        _ => None,
    };
    let bytes = token.as_bytes();
    let mut total: i64 = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let v = digit(b)?;
        let next = bytes.get(i + 1).and_then(|&n| digit(n)).unwrap_or(0);
        // A smaller digit before a larger one is subtracted ("IV").
        total += if v < next { -v } else { v };
    }
    let total = u32::try_from(total).ok()?;
    // Well formed when writing the value back gives the same letters ("IIII" does not).
    (total > 0 && total < 4000 && to_roman(total) == token).then_some(total)
}

fn to_roman(mut n: u32) -> String {
    const TABLE: [(u32, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut out = String::new();
    for (value, letters) in TABLE {
        while n >= value {
            out.push_str(letters);
            n -= value;
        }
    }
    out
}

/// "1." / "2)" / "1.Việc" / "2.1." / "2.2.1 Cải cách": the number and the rest of the line.
fn clause_marker(t: &str) -> Option<(&str, &str)> {
    let first = ascii_digits(t);
    if first == 0 || first > 3 || t.starts_with('0') {
        return None;
    }
    let mut end = first;
    let mut groups = 1;
    loop {
        let after = t.get(end..).unwrap_or("");
        let Some(tail) = after.strip_prefix('.') else {
            break;
        };
        let n = ascii_digits(tail);
        if n == 0 {
            break;
        }
        // Three digits after a dot is a thousands separator ("1.700"), not a clause.
        if n > 2 || groups == MAX_CLAUSE_GROUPS {
            return None;
        }
        end += 1 + n;
        groups += 1;
    }
    let number = t.get(..end)?;
    let after = t.get(end..).unwrap_or("");
    if let Some(rest) = after.strip_prefix('.').or_else(|| after.strip_prefix(')')) {
        return Some((number, rest.trim_start()));
    }
    let rest = after.trim_start();
    let spaced = after.starts_with(char::is_whitespace);
    (groups > 1 && spaced && rest.starts_with(char::is_uppercase)).then_some((number, rest))
}

/// "a)" / "đ)" / "a)Hết" / "a. " : the letter and the rest of the line.
fn point_marker(t: &str) -> Option<(&str, &str)> {
    let mut chars = t.char_indices();
    let (_, letter) = chars.next()?;
    if !POINT_LETTERS.contains(&letter) {
        return None;
    }
    let (i, sep) = chars.next()?;
    let rest = t.get(i + sep.len_utf8()..).unwrap_or("");
    let ok = match sep {
        ')' => true,
        // "a. ..." but not "v.v."
        '.' => rest.is_empty() || rest.starts_with(char::is_whitespace),
        _ => false,
    };
    ok.then(|| (t.get(..i).unwrap_or(""), rest.trim_start()))
}

/// "A. ...", "IV. ...", "B) ...", "II - ...": the capital letters and the rest of the line.
fn outline_marker(t: &str) -> Option<(&str, &str)> {
    let n = t.bytes().take_while(u8::is_ascii_uppercase).count();
    if n == 0 || n > 8 {
        return None;
    }
    let (token, after) = t.split_at(n);
    if let Some(rest) = after.strip_prefix('.') {
        return (rest.is_empty() || rest.starts_with(char::is_whitespace))
            .then(|| (token, rest.trim_start()));
    }
    if let Some(rest) = after.strip_prefix(')') {
        return Some((token, rest.trim_start()));
    }
    let spaced = after.trim_start();
    if spaced.len() == after.len() {
        return None;
    }
    let rest = spaced
        .strip_prefix('-')
        .or_else(|| spaced.strip_prefix('–'))
        .or_else(|| spaced.strip_prefix('—'))?;
    (rest.is_empty() || rest.starts_with(char::is_whitespace)).then(|| (token, rest.trim_start()))
}

/// The start of the closing block: recipients or the signing authority.
fn is_trailer(t: &str) -> bool {
    let recipients = ["Nơi nhận", "NƠI NHẬN", "Nơi Nhận"]
        .iter()
        .find_map(|w| t.strip_prefix(w));
    if let Some(rest) = recipients {
        let rest = rest.trim_start();
        let rest = rest.strip_prefix(':').unwrap_or(rest).trim_start();
        // "Nơi nhận: ghi tên cơ quan ..." describing a form field is prose, not the block.
        return !rest.starts_with(char::is_lowercase);
    }
    let n = t.bytes().take_while(u8::is_ascii_uppercase).count();
    let (token, after) = t.split_at(n);
    matches!(token, "TM" | "KT" | "TL" | "TUQ")
        && after
            .strip_prefix('.')
            .is_some_and(|rest| rest.trim_start().starts_with(char::is_uppercase))
}

fn is_marker_line(t: &str) -> bool {
    keyword_heading(t).is_some()
        || clause_marker(t).is_some()
        || point_marker(t).is_some()
        || outline_marker(t).is_some()
        || is_trailer(t)
}

/// ASCII slug: diacritics removed, đ → d, lower case, other characters → `-`.
fn slugify(s: &str) -> String {
    let mut out = String::new();
    let mut pending_dash = false;
    for c in s.nfd().filter(|c| !is_combining_mark(*c)) {
        let c = if c == 'đ' || c == 'Đ' { 'd' } else { c };
        for lc in c.to_lowercase() {
            if lc.is_ascii_alphanumeric() {
                if pending_dash && !out.is_empty() {
                    out.push('-');
                }
                pending_dash = false;
                out.push(lc);
            } else {
                pending_dash = true;
            }
        }
    }
    if out.is_empty() {
        out.push('x');
    }
    out
}

/// In a number, đ is a letter of its own (point đ follows point d), so it becomes `dd`.
fn number_slug(number: &str) -> String {
    slugify(&number.replace(['đ', 'Đ'], "dd"))
}

struct Open {
    kind: ProvisionKind,
    number: String,
    path: String,
    title: Option<String>,
    /// The title counts only if the provision goes on past its first line.
    title_needs_more: bool,
    rank: u8,
    start: usize,
    children: Vec<Provision>,
}

struct Builder<'s> {
    src: &'s str,
    mode: Mode,
    stack: Vec<Open>,
    roots: Vec<Provision>,
    paths: HashSet<String>,
    /// The next suffix to try for a path already taken.
    next_suffix: HashMap<String, u64>,
    /// Inside the closing block: only a structural heading resumes parsing.
    in_trailer: bool,
    /// The letter of the last outline part ("A." → b'A').
    last_part_letter: Option<u8>,
    /// Values of the last part, chapter and section opened (0: none or unknown), to tell
    /// whether a heading continues its sequence.
    last_part: u32,
    last_chapter: u32,
    last_section: u32,
}

impl<'s> Builder<'s> {
    fn new(src: &'s str, mode: Mode) -> Self {
        Builder {
            src,
            mode,
            stack: Vec::new(),
            roots: Vec::new(),
            paths: HashSet::new(),
            next_suffix: HashMap::new(),
            in_trailer: false,
            last_part_letter: None,
            last_part: 0,
            last_chapter: 0,
            last_section: 0,
        }
    }

    fn line(&mut self, idx: usize, lines: &[Line<'_>], quoted: &[bool]) {
        let Some(line) = lines.get(idx) else {
            return;
        };
        let t = line.text;
        if is_trailer(t) {
            self.close_from(0, line.start);
            self.in_trailer = true;
            return;
        }
        if let Some(h) = keyword_heading(t) {
            let title = match h.kind {
                ProvisionKind::Article => h.title,
                _ => h.title.or_else(|| next_line_title(idx, lines, quoted)),
            };
            if self.accepts_structural(h.kind, &h.number, title.as_deref()) {
                self.open_structural(h.kind, h.number, title, line.start);
            }
            return;
        }
        if self.mode == Mode::Outline {
            if let Some((token, rest)) = outline_marker(t) {
                if let Some(kind) = self.outline_kind(token) {
                    if let (ProvisionKind::Part, &[letter]) = (kind, token.as_bytes()) {
                        self.last_part_letter = Some(letter);
                    }
                    let title = clean_title(rest).or_else(|| next_line_title(idx, lines, quoted));
                    self.open_structural(kind, token.to_string(), title, line.start);
                    return;
                }
            }
        }
        if self.in_trailer {
            return;
        }
        if let Some((number, rest)) = clause_marker(t) {
            if self.open_clause(number, rest, line.start) {
                return;
            }
        }
        if let Some((letter, rest)) = point_marker(t) {
            self.open_point(letter, rest, line.start);
        }
    }

    /// Inside an article, "Chương 1: Động vật sống" or "Phần I: Phần chung" is usually an
    /// enumeration in the article's body (tariff lists, descriptions of a book's parts);
    /// real part, chapter and section titles are written in capitals. So there a heading
    /// needs a title without lower-case letters (or no title), or must continue the
    /// numbering of the previous heading of its kind.
    fn accepts_structural(&self, kind: ProvisionKind, number: &str, title: Option<&str>) -> bool {
        if kind == ProvisionKind::Article
            || self.mode == Mode::Outline
            || !self.has_open(ProvisionKind::Article)
        {
            return true;
        }
        let upper = title.is_none_or(|t| !t.chars().any(char::is_lowercase));
        let last = match kind {
            ProvisionKind::Part => self.last_part,
            ProvisionKind::Chapter => self.last_chapter,
            _ => self.last_section,
        };
        upper || (last > 0 && number_value(number) == Some(last + 1))
    }

    /// Part or Section for an outline letter or numeral, or `None` when it continues
    /// neither sequence (then the line is body text).
    fn outline_kind(&self, token: &str) -> Option<ProvisionKind> {
        let last = self.last_section;
        if roman_value(token).is_some_and(|v| v > last && v <= last + 3) {
            return Some(ProvisionKind::Section);
        }
        let &[letter] = token.as_bytes() else {
            return None;
        };
        let continues = match self.last_part_letter {
            None => letter <= b'B',
            Some(prev) => letter > prev && letter <= prev + 2,
        };
        continues.then_some(ProvisionKind::Part)
    }

    fn open_structural(
        &mut self,
        kind: ProvisionKind,
        number: String,
        title: Option<String>,
        start: usize,
    ) {
        let rank = rank_of(kind);
        self.close_from(rank, start);
        self.in_trailer = false;
        let value = number_value(&number).unwrap_or(0);
        match kind {
            ProvisionKind::Part => {
                self.last_part = value;
                self.last_section = 0;
            }
            ProvisionKind::Chapter => {
                self.last_chapter = value;
                self.last_section = 0;
            }
            ProvisionKind::Section => self.last_section = value,
            _ => {}
        }
        let seg = segment(kind, &number);
        // Sections restart in each chapter or part; everything else above the article is
        // numbered across the document.
        let base = match (kind, self.stack.last()) {
            (ProvisionKind::Section, Some(parent)) => format!("{}/{seg}", parent.path),
            _ => seg,
        };
        self.push(Open {
            kind,
            number,
            path: base,
            title,
            title_needs_more: false,
            rank,
            start,
            children: Vec::new(),
        });
    }

    fn open_clause(&mut self, number: &str, rest: &str, start: usize) -> bool {
        if self.mode == Mode::Articles && !self.has_open(ProvisionKind::Article) {
            return false;
        }
        let groups = number.split('.').count();
        let rank = RANK_CLAUSE.saturating_add(u8::try_from(groups).unwrap_or(u8::MAX));
        self.close_from(rank, start);
        if groups > 1 {
            // "2.2.1" belongs to the nearest open clause whose number is its prefix.
            while let Some(top) = self.stack.last() {
                let is_parent = number
                    .strip_prefix(top.number.as_str())
                    .is_some_and(|r| r.starts_with('.'));
                if top.kind != ProvisionKind::Clause || is_parent {
                    break;
                }
                self.close_top(start);
            }
        }
        self.open_item(ProvisionKind::Clause, number, rest, rank, start);
        true
    }

    fn open_point(&mut self, letter: &str, rest: &str, start: usize) {
        let allowed = match self.mode {
            Mode::Articles => self.has_open(ProvisionKind::Article),
            Mode::Outline => !self.stack.is_empty(),
        };
        if allowed {
            self.close_from(RANK_POINT, start);
            self.open_item(ProvisionKind::Point, letter, rest, RANK_POINT, start);
        }
    }

    fn open_item(&mut self, kind: ProvisionKind, number: &str, rest: &str, rank: u8, start: usize) {
        let seg = segment(kind, number);
        let base = match self.stack.last() {
            Some(parent) => format!("{}/{seg}", parent.path),
            None => seg,
        };
        // In articles a clause's first line is content; in outlines it is often a title.
        let title = match self.mode {
            Mode::Articles => None,
            Mode::Outline => clean_title(rest).filter(|t| t.chars().count() <= MAX_TITLE_CHARS),
        };
        self.push(Open {
            kind,
            number: number.to_string(),
            path: base,
            title,
            title_needs_more: true,
            rank,
            start,
            children: Vec::new(),
        });
    }

    /// Opens `open`, whose path is made unique first.
    fn push(&mut self, mut open: Open) {
        open.path = self.unique(std::mem::take(&mut open.path));
        self.stack.push(open);
    }

    fn has_open(&self, kind: ProvisionKind) -> bool {
        self.stack.iter().any(|o| o.kind == kind)
    }

    fn unique(&mut self, base: String) -> String {
        if self.paths.insert(base.clone()) {
            return base;
        }
        // Remember where the search for a free suffix stopped, so a text repeating one
        // heading thousands of times stays linear.
        let next = self.next_suffix.entry(base.clone()).or_insert(2);
        loop {
            let candidate = format!("{base}-{next}");
            *next += 1;
            if self.paths.insert(candidate.clone()) {
                return candidate;
            }
        }
    }

    /// Ends every open provision ranked `rank` or deeper at byte offset `end`.
    fn close_from(&mut self, rank: u8, end: usize) {
        while self.stack.last().is_some_and(|top| top.rank >= rank) {
            self.close_top(end);
        }
    }

    fn close_top(&mut self, end: usize) {
        let Some(open) = self.stack.pop() else {
            return;
        };
        let text = self
            .src
            .get(open.start..end)
            .unwrap_or_default()
            .trim()
            .to_string();
        let heading = if open.title_needs_more && !text.contains('\n') {
            None
        } else {
            open.title
        };
        let provision = Provision {
            kind: open.kind,
            number: open.number,
            path: open.path,
            heading,
            text,
            children: open.children,
        };
        match self.stack.last_mut() {
            Some(parent) => parent.children.push(provision),
            None => self.roots.push(provision),
        }
    }

    fn finish(mut self) -> Vec<Provision> {
        let end = self.src.len();
        self.close_from(0, end);
        self.roots
    }
}

/// The title on the line after a heading, if that line is a plain short line.
fn next_line_title(idx: usize, lines: &[Line<'_>], quoted: &[bool]) -> Option<String> {
    let (j, line) = lines
        .iter()
        .enumerate()
        .skip(idx + 1)
        .find(|(_, l)| !l.text.is_empty())?;
    let plain = !quoted.get(j).copied().unwrap_or(false)
        && !is_marker_line(line.text)
        && line.text.chars().count() <= MAX_TITLE_CHARS;
    if plain {
        clean_title(line.text)
    } else {
        None
    }
}

#[cfg(test)]
mod tests;
