//! CMaps (Adobe technical note #5014 and #5411): a ToUnicode map from character codes to
//! text, and the codespace ranges that say how many bytes each code of a string takes.
//!
//! Only what text extraction needs is read: `codespacerange`, `bfchar` and `bfrange` (with a
//! base destination or an array of destinations). CID mappings (`cidchar`, `cidrange`) and
//! `usecmap` are skipped. Ranges are kept as ranges, so `<0000> <FFFF> <0000>` costs one
//! entry, not 65,536.

use std::borrow::Cow;
use std::collections::HashMap;

/// Codes longer than this do not occur in PDF (ISO 32000-1, 9.7.6.2).
const MAX_CODE_BYTES: usize = 4;

#[derive(Debug, Clone)]
struct Codespace {
    len: usize,
    lo: [u8; MAX_CODE_BYTES],
    hi: [u8; MAX_CODE_BYTES],
}

#[derive(Debug, Clone)]
enum RangeTarget {
    /// The first code maps to these UTF-16 units; each next code adds one to the last unit.
    Base(Vec<u16>),
    /// One destination per code, in order.
    Each(Vec<String>),
}

#[derive(Debug, Clone)]
struct BfRange {
    len: usize,
    lo: u32,
    hi: u32,
    target: RangeTarget,
}

#[derive(Debug, Clone, Default)]
pub struct CMap {
    codespace: Vec<Codespace>,
    /// Keyed by (code length in bytes, code): `<01>` and `<0001>` are different codes.
    chars: HashMap<(usize, u32), String>,
    ranges: Vec<BfRange>,
}

impl CMap {
    /// Parses a CMap leniently: what cannot be read is skipped, as a reader would.
    pub fn parse(data: &[u8]) -> Self {
        let mut cmap = CMap::default();
        let mut lexer = Lexer { data, at: 0 };
        while let Some(token) = lexer.next() {
            match token {
                Token::Word(b"begincodespacerange") => cmap.read_codespace(&mut lexer),
                Token::Word(b"beginbfchar") => cmap.read_bfchar(&mut lexer),
                Token::Word(b"beginbfrange") => cmap.read_bfrange(&mut lexer),
                _ => {}
            }
        }
        cmap
    }

    pub fn has_codespace(&self) -> bool {
        !self.codespace.is_empty()
    }

    pub fn is_empty(&self) -> bool {
        self.chars.is_empty() && self.ranges.is_empty()
    }

    /// The length of the code at the start of `bytes`, from the codespace ranges; `None` when
    /// no range matches (the caller picks a fallback).
    pub fn code_len(&self, bytes: &[u8]) -> Option<usize> {
        (1..=MAX_CODE_BYTES.min(bytes.len())).find(|&n| {
            self.codespace.iter().any(|range| {
                range.len == n
                    && bytes[..n]
                        .iter()
                        .enumerate()
                        .all(|(i, b)| (range.lo[i]..=range.hi[i]).contains(b))
            })
        })
    }

    /// The length most codes of this map have, for strings whose codes match no codespace.
    pub fn usual_len(&self) -> usize {
        let mut counts = [0usize; MAX_CODE_BYTES + 1];
        for range in &self.codespace {
            counts[range.len] += 1;
        }
        for (len, _) in self.chars.keys() {
            counts[*len] += 1;
        }
        for range in &self.ranges {
            counts[range.len] += 1;
        }
        (1..=MAX_CODE_BYTES)
            .max_by_key(|&n| (counts[n], std::cmp::Reverse(n)))
            .unwrap_or(1)
    }

    /// The text of a code of `len` bytes.
    pub fn get(&self, len: usize, code: u32) -> Option<Cow<'_, str>> {
        if let Some(text) = self.chars.get(&(len, code)) {
            return Some(Cow::Borrowed(text));
        }
        // Later definitions override earlier ones in a CMap; search from the end.
        let range = self
            .ranges
            .iter()
            .rev()
            .find(|r| r.len == len && (r.lo..=r.hi).contains(&code))?;
        let offset = code - range.lo;
        match &range.target {
            RangeTarget::Base(units) => {
                let mut units = units.clone();
                let last = units.last_mut()?;
                // ISO 32000-1, 9.10.3: the last byte is incremented; producers rely on the
                // whole unit being incremented (e.g. <00E0> to <0100>), as readers do.
                *last = last.wrapping_add(offset as u16);
                Some(Cow::Owned(utf16(&units)))
            }
            RangeTarget::Each(items) => items
                .get(offset as usize)
                .map(|s| Cow::Borrowed(s.as_str())),
        }
    }

    fn read_codespace(&mut self, lexer: &mut Lexer) {
        loop {
            let (lo, hi) = match (lexer.next(), lexer.next()) {
                (Some(Token::Hex(lo)), Some(Token::Hex(hi))) => (lo, hi),
                _ => return,
            };
            let len = lo.len();
            if len == 0 || len > MAX_CODE_BYTES || hi.len() != len {
                continue;
            }
            let mut range = Codespace {
                len,
                lo: [0; MAX_CODE_BYTES],
                hi: [0; MAX_CODE_BYTES],
            };
            range.lo[..len].copy_from_slice(&lo);
            range.hi[..len].copy_from_slice(&hi);
            self.codespace.push(range);
        }
    }

    fn read_bfchar(&mut self, lexer: &mut Lexer) {
        loop {
            let src = match lexer.next() {
                Some(Token::Hex(src)) => src,
                _ => return,
            };
            let text = match lexer.next() {
                Some(Token::Hex(dst)) => utf16(&units(&dst)),
                // A glyph name as destination (allowed by #5411 for bfchar).
                Some(Token::Name(name)) => std::str::from_utf8(name)
                    .ok()
                    .and_then(super::glyphs::glyph_name_to_unicode)
                    .unwrap_or_default(),
                _ => return,
            };
            if let Some(code) = code_value(&src) {
                self.chars.insert((src.len(), code), text);
            }
        }
    }

    fn read_bfrange(&mut self, lexer: &mut Lexer) {
        loop {
            let (lo, hi) = match (lexer.next(), lexer.next()) {
                (Some(Token::Hex(lo)), Some(Token::Hex(hi))) => (lo, hi),
                _ => return,
            };
            let target = match lexer.next() {
                Some(Token::Hex(dst)) => RangeTarget::Base(units(&dst)),
                Some(Token::ArrayOpen) => {
                    let mut items = Vec::new();
                    loop {
                        match lexer.next() {
                            Some(Token::Hex(dst)) => items.push(utf16(&units(&dst))),
                            Some(Token::ArrayClose) => break,
                            _ => return,
                        }
                    }
                    RangeTarget::Each(items)
                }
                _ => return,
            };
            let (Some(lo_code), Some(hi_code)) = (code_value(&lo), code_value(&hi)) else {
                continue;
            };
            if lo.len() != hi.len() || lo_code > hi_code {
                continue;
            }
            if matches!(&target, RangeTarget::Base(u) if u.is_empty()) {
                continue;
            }
            self.ranges.push(BfRange {
                len: lo.len(),
                lo: lo_code,
                hi: hi_code,
                target,
            });
        }
    }
}

fn code_value(bytes: &[u8]) -> Option<u32> {
    if bytes.is_empty() || bytes.len() > MAX_CODE_BYTES {
        return None;
    }
    Some(bytes.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b)))
}

/// Big-endian UTF-16 units; a lone byte (some producers write `<20>`) is one unit.
fn units(bytes: &[u8]) -> Vec<u16> {
    if bytes.len() == 1 {
        return vec![u16::from(bytes[0])];
    }
    bytes
        .chunks_exact(2)
        .map(|pair| u16::from_be_bytes([pair[0], pair[1]]))
        .collect()
}

/// Text from UTF-16 units; unpaired surrogates and NUL are dropped rather than shown as U+FFFD.
fn utf16(units: &[u16]) -> String {
    char::decode_utf16(units.iter().copied())
        .filter_map(Result::ok)
        .filter(|&c| c != '\0')
        .collect()
}

enum Token<'a> {
    Hex(Vec<u8>),
    Name(&'a [u8]),
    Word(&'a [u8]),
    ArrayOpen,
    ArrayClose,
    /// Numbers, strings, dictionaries: nothing a ToUnicode map needs.
    Other,
}

struct Lexer<'a> {
    data: &'a [u8],
    at: usize,
}

fn is_delimiter(b: u8) -> bool {
    b.is_ascii_whitespace() || b"()<>[]{}/%".contains(&b) || b == 0
}

impl<'a> Lexer<'a> {
    fn next(&mut self) -> Option<Token<'a>> {
        loop {
            let b = *self.data.get(self.at)?;
            if b.is_ascii_whitespace() || b == 0 {
                self.at += 1;
            } else if b == b'%' {
                while self
                    .data
                    .get(self.at)
                    .is_some_and(|&c| c != b'\n' && c != b'\r')
                {
                    self.at += 1;
                }
            } else {
                break;
            }
        }
        let b = self.data[self.at];
        self.at += 1;
        Some(match b {
            b'[' => Token::ArrayOpen,
            b']' => Token::ArrayClose,
            b'<' if self.data.get(self.at) == Some(&b'<') => {
                self.at += 1;
                Token::Other
            }
            b'>' if self.data.get(self.at) == Some(&b'>') => {
                self.at += 1;
                Token::Other
            }
            b'<' => self.hex(),
            b'(' => {
                self.skip_string();
                Token::Other
            }
            b'/' => Token::Name(self.word()),
            _ => {
                self.at -= 1;
                let word = self.word();
                if word.is_empty() {
                    // A stray delimiter such as `)` or `{`: step over it.
                    self.at += 1;
                    Token::Other
                } else if word[0].is_ascii_digit() || b"+-.".contains(&word[0]) {
                    Token::Other
                } else {
                    Token::Word(word)
                }
            }
        })
    }

    fn word(&mut self) -> &'a [u8] {
        let start = self.at;
        while self.data.get(self.at).is_some_and(|&c| !is_delimiter(c)) {
            self.at += 1;
        }
        &self.data[start..self.at]
    }

    fn hex(&mut self) -> Token<'a> {
        let mut bytes = Vec::new();
        let mut high: Option<u8> = None;
        while let Some(&c) = self.data.get(self.at) {
            self.at += 1;
            if c == b'>' {
                break;
            }
            let Some(nibble) = (c as char).to_digit(16) else {
                continue;
            };
            match high.take() {
                None => high = Some(nibble as u8),
                Some(h) => bytes.push((h << 4) | nibble as u8),
            }
        }
        // An odd last digit is followed by an implied 0 (ISO 32000-1, 7.3.4.3).
        if let Some(h) = high {
            bytes.push(h << 4);
        }
        Token::Hex(bytes)
    }

    fn skip_string(&mut self) {
        let mut depth = 1usize;
        while let Some(&c) = self.data.get(self.at) {
            self.at += 1;
            match c {
                b'\\' => self.at += 1,
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        return;
                    }
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &[u8] = br"/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Adobe-Identity-UCS def
/CMapType 2 def
2 begincodespacerange
<00> <7F>
<8000> <FFFF>
endcodespacerange
3 beginbfchar
<01> <0110>
<02> <1EA1>
<8001> <00660066 0069>
endbfchar
3 beginbfrange
<10> <1F> <0041>
<20> <22> [<01A1> <0103> <D835DC00>]
<9000> <9002> <00E0>
endbfrange
1 beginbfchar
<03> /ohorn
endbfchar
endcmap
CMapName currentdict /CMap defineresource pop
end
end";

    #[test]
    fn bfchar_bfrange_arrays_and_multi_unit_destinations() {
        let cmap = CMap::parse(SAMPLE);
        assert_eq!(cmap.get(1, 0x01).as_deref(), Some("Đ"));
        assert_eq!(cmap.get(1, 0x02).as_deref(), Some("ạ"));
        assert_eq!(cmap.get(2, 0x8001).as_deref(), Some("ffi"));
        assert_eq!(cmap.get(1, 0x10).as_deref(), Some("A"));
        assert_eq!(cmap.get(1, 0x1F).as_deref(), Some("P"));
        assert_eq!(cmap.get(1, 0x20).as_deref(), Some("ơ"));
        assert_eq!(cmap.get(1, 0x21).as_deref(), Some("ă"));
        // A surrogate pair: MATHEMATICAL BOLD CAPITAL A.
        assert_eq!(cmap.get(1, 0x22).as_deref(), Some("\u{1D400}"));
        assert_eq!(cmap.get(2, 0x9002).as_deref(), Some("â"));
        assert_eq!(cmap.get(1, 0x03).as_deref(), Some("ơ"));
        assert_eq!(cmap.get(1, 0x23), None);
        // `<01>` and `<0001>` are different codes.
        assert_eq!(cmap.get(2, 0x0001), None);
    }

    #[test]
    fn code_lengths_follow_the_codespace() {
        let cmap = CMap::parse(SAMPLE);
        assert_eq!(cmap.code_len(b"\x01\x80\x01"), Some(1));
        assert_eq!(cmap.code_len(b"\x80\x01"), Some(2));
        assert_eq!(cmap.code_len(b"\x80"), None);
    }

    #[test]
    fn garbage_does_not_panic() {
        for data in [
            &b"beginbfrange <00> <FFFFFFFF> <0041> endbfrange"[..],
            b"beginbfchar <0",
            b"beginbfrange <10> <01> <0041> endbfrange begincodespacerange <> <>",
            b"beginbfrange <10> <11> [<0041> endbfrange",
            b")))<<>>{}((",
            b"",
        ] {
            let cmap = CMap::parse(data);
            let _ = cmap.get(1, 0x10);
            let _ = cmap.get(4, 0xFFFF_FFFF);
            let _ = cmap.code_len(data);
            let _ = cmap.usual_len();
        }
    }
}
