//! Fonts as text extraction sees them: how a shown string splits into codes, what text each
//! code stands for, and how far each glyph advances.
//!
//! Text comes, in this order, from the font's ToUnicode map; for a simple font from its
//! encoding (base encoding plus `/Differences` glyph names, read through the Adobe Glyph
//! List); for a composite font whose codes are Unicode (an `Identity-H` ToUnicode, a
//! `Uni…-UCS2` encoding) from the codes themselves; and for a TrueType-based composite font
//! without ToUnicode from the embedded font's own `cmap`. A code none of these explain shows
//! nothing but still advances, so the words around it keep their spacing.

use std::collections::HashMap;

use lopdf::{Dictionary, Document, Object};

use super::cmap::CMap;
use super::glyphs::{glyph_name_to_unicode, MAC_ROMAN, STANDARD, WIN_ANSI};
use super::{deref, get, number, Budget};
use crate::pdf::PdfError;

/// Width for codes a simple font gives none for and fonts without `/Widths` (the standard 14
/// fonts): about an average Latin glyph, so gaps between words still look like gaps.
const FALLBACK_WIDTH: f64 = 500.0;

pub struct TextFont {
    kind: Kind,
    to_unicode: Option<CMap>,
    /// The codes are UTF-16 units.
    unicode_codes: bool,
    /// Glyph space to text space: 1/1000, or a Type 3 font's `/FontMatrix`.
    scale: f64,
    /// How much taller than its nominal size the font draws: a Type 3 font's glyph space can
    /// be anything, so its size is judged from its `/FontBBox` through its `/FontMatrix`.
    height: f64,
}

enum Kind {
    Simple {
        /// The text of each code from the encoding; empty when unknown.
        text: Vec<String>,
        first_char: u32,
        widths: Vec<f64>,
        missing_width: f64,
    },
    Composite {
        /// How strings split into codes: `None` is two bytes a code (`Identity-H` and the
        /// predefined CJK CMaps).
        codespace: Option<CMap>,
        /// Text by CID from the embedded TrueType font's `cmap`, when there is no ToUnicode.
        cid_text: HashMap<u32, char>,
        default_width: f64,
        widths: HashMap<u32, f64>,
        width_ranges: Vec<(u32, u32, f64)>,
    },
}

/// One shown glyph.
pub struct Code<'a> {
    /// The text it stands for (empty when unknown).
    pub text: &'a str,
    /// Advance in text space for a font size of 1.
    pub width: f64,
    /// A single-byte code 32, to which word spacing applies (ISO 32000-1, 9.3.3).
    pub word_space: bool,
}

impl TextFont {
    pub fn load(doc: &Document, font: &Dictionary, budget: &mut Budget) -> Result<Self, PdfError> {
        let subtype = get(doc, font, b"Subtype")
            .and_then(|o| o.as_name().ok())
            .unwrap_or(b"Type1");
        let mut unicode_codes = false;
        let to_unicode = match get(doc, font, b"ToUnicode") {
            Some(Object::Stream(stream)) => budget
                .decode(stream)?
                .map(|data| CMap::parse(&data))
                .filter(|cmap| !cmap.is_empty()),
            Some(Object::Name(name)) if name.starts_with(b"Identity") => {
                unicode_codes = true;
                None
            }
            _ => None,
        };

        if subtype == b"Type0" {
            let kind = composite(doc, font, budget, to_unicode.is_some(), &mut unicode_codes)?;
            return Ok(Self {
                kind,
                to_unicode,
                unicode_codes,
                scale: 0.001,
                height: 1.0,
            });
        }

        let matrix_entry = |i: usize| {
            get(doc, font, b"FontMatrix")
                .and_then(|m| m.as_array().ok())
                .and_then(|m| m.get(i))
                .and_then(|a| number(doc, a))
                .filter(|a| *a != 0.0)
        };
        let (scale, height) = if subtype == b"Type3" {
            // The glyphs' height in text space, from the font's box: what an em is for the
            // other kinds of font. A box of zeros (allowed) leaves the nominal size.
            let bbox_height = get(doc, font, b"FontBBox")
                .and_then(|b| b.as_array().ok())
                .filter(|b| b.len() == 4)
                .and_then(|b| Some(number(doc, &b[3])? - number(doc, &b[1])?));
            let height = match (bbox_height, matrix_entry(3)) {
                (Some(h), Some(d)) if (h * d).abs() > 0.05 => (h * d).abs().min(20.0),
                _ => 1.0,
            };
            (matrix_entry(0).unwrap_or(0.001), height)
        } else {
            (0.001, 1.0)
        };
        let widths: Vec<f64> = get(doc, font, b"Widths")
            .and_then(|w| w.as_array().ok())
            .map(|w| {
                w.iter()
                    .map(|x| number(doc, x).unwrap_or(0.0))
                    .take(256)
                    .collect()
            })
            .unwrap_or_default();
        let descriptor = get(doc, font, b"FontDescriptor").and_then(|d| d.as_dict().ok());
        let missing_width = descriptor
            .and_then(|d| get(doc, d, b"MissingWidth"))
            .and_then(|w| number(doc, w))
            .unwrap_or(if widths.is_empty() {
                FALLBACK_WIDTH
            } else {
                0.0
            });
        let first_char = get(doc, font, b"FirstChar")
            .and_then(|f| number(doc, f))
            .map(|f| f.clamp(0.0, 255.0) as u32)
            .unwrap_or(0);
        Ok(Self {
            kind: Kind::Simple {
                text: simple_encoding(doc, font, subtype),
                first_char,
                widths,
                missing_width,
            },
            to_unicode,
            unicode_codes,
            scale,
            height,
        })
    }

    /// The factor from the nominal font size to the height glyphs are drawn at.
    pub fn height(&self) -> f64 {
        self.height
    }

    /// Calls `each` for every code of a shown string, in order, until it returns false.
    pub fn decode(&self, bytes: &[u8], mut each: impl FnMut(Code<'_>) -> bool) {
        let mut buf = String::new();
        match &self.kind {
            Kind::Simple {
                text,
                first_char,
                widths,
                missing_width,
            } => {
                for &b in bytes {
                    let code = u32::from(b);
                    let mapped = self
                        .to_unicode
                        .as_ref()
                        .and_then(|m| m.get(1, code).or_else(|| m.get(2, code)));
                    let shown: &str = match &mapped {
                        Some(t) => t,
                        None => &text[b as usize],
                    };
                    let width = code
                        .checked_sub(*first_char)
                        .and_then(|i| widths.get(i as usize))
                        .copied()
                        .unwrap_or(*missing_width);
                    if !each(Code {
                        text: shown,
                        width: width * self.scale,
                        word_space: b == b' ',
                    }) {
                        return;
                    }
                }
            }
            Kind::Composite {
                codespace,
                cid_text,
                default_width,
                widths,
                width_ranges,
            } => {
                let mut at = 0;
                while at < bytes.len() {
                    let rest = &bytes[at..];
                    let len = match codespace {
                        Some(cmap) => cmap
                            .code_len(rest)
                            .or_else(|| self.to_unicode.as_ref().and_then(|m| m.code_len(rest)))
                            .unwrap_or_else(|| cmap.usual_len()),
                        None => 2,
                    }
                    .clamp(1, rest.len());
                    let code = rest[..len]
                        .iter()
                        .fold(0u32, |acc, b| (acc << 8) | u32::from(*b));
                    at += len;

                    buf.clear();
                    if let Some(t) = self.to_unicode.as_ref().and_then(|m| m.get(len, code)) {
                        buf.push_str(&t);
                    } else if self.unicode_codes {
                        if let Some(c) = char::from_u32(code).filter(|c| !c.is_control()) {
                            buf.push(c);
                        }
                    } else if let Some(c) = cid_text.get(&code) {
                        buf.push(*c);
                    }
                    // CIDs equal codes for Identity encodings, which is what real files use;
                    // other CMaps would need their cidrange mapping only for widths.
                    let width = widths
                        .get(&code)
                        .copied()
                        .or_else(|| {
                            width_ranges
                                .iter()
                                .find(|(lo, hi, _)| (*lo..=*hi).contains(&code))
                                .map(|(_, _, w)| *w)
                        })
                        .unwrap_or(*default_width);
                    if !each(Code {
                        text: &buf,
                        width: width * self.scale,
                        word_space: len == 1 && code == 32,
                    }) {
                        return;
                    }
                }
            }
        }
    }
}

fn composite(
    doc: &Document,
    font: &Dictionary,
    budget: &mut Budget,
    has_to_unicode: bool,
    unicode_codes: &mut bool,
) -> Result<Kind, PdfError> {
    let codespace = match get(doc, font, b"Encoding") {
        Some(Object::Stream(stream)) => budget
            .decode(stream)?
            .map(|data| CMap::parse(&data))
            .filter(CMap::has_codespace),
        Some(Object::Name(name)) => {
            // Predefined Unicode CMaps (UniGB-UCS2-H, UniJIS-UTF16-H, …) use the code as text.
            if name.starts_with(b"Uni") && (contains(name, b"UCS2") || contains(name, b"UTF16")) {
                *unicode_codes = true;
            }
            None
        }
        _ => None,
    };
    let descendant = get(doc, font, b"DescendantFonts")
        .and_then(|d| d.as_array().ok())
        .and_then(|d| d.first())
        .map(|d| deref(doc, d))
        .and_then(|d| d.as_dict().ok());

    let mut default_width = 1000.0;
    let mut widths = HashMap::new();
    let mut width_ranges = Vec::new();
    let mut cid_text = HashMap::new();
    if let Some(cid_font) = descendant {
        if let Some(dw) = get(doc, cid_font, b"DW").and_then(|w| number(doc, w)) {
            default_width = dw;
        }
        if let Some(w) = get(doc, cid_font, b"W").and_then(|w| w.as_array().ok()) {
            read_cid_widths(doc, w, &mut widths, &mut width_ranges);
        }
        if !has_to_unicode && !*unicode_codes {
            cid_text = truetype_cid_text(doc, cid_font, budget)?;
        }
    }
    Ok(Kind::Composite {
        codespace,
        cid_text,
        default_width,
        widths,
        width_ranges,
    })
}

/// `/W`: `c [w1 w2 …]` gives consecutive CIDs from `c` their widths, `c1 c2 w` one width
/// to a range (ISO 32000-1, 9.7.4.3).
fn read_cid_widths(
    doc: &Document,
    w: &[Object],
    widths: &mut HashMap<u32, f64>,
    ranges: &mut Vec<(u32, u32, f64)>,
) {
    let cid = |o: &Object| {
        number(doc, o)
            .filter(|n| *n >= 0.0 && *n <= f64::from(u32::MAX))
            .map(|n| n as u32)
    };
    let mut i = 0;
    while i < w.len() {
        let Some(first) = cid(&w[i]) else { return };
        match w.get(i + 1).map(|o| deref(doc, o)) {
            Some(Object::Array(list)) => {
                for (k, width) in list.iter().enumerate() {
                    if let Some(width) = number(doc, width) {
                        widths.insert(first.saturating_add(k as u32), width);
                    }
                }
                i += 2;
            }
            Some(last) => {
                let (Some(last), Some(width)) =
                    (cid(last), w.get(i + 2).and_then(|x| number(doc, x)))
                else {
                    return;
                };
                ranges.push((first, last, width));
                i += 3;
            }
            None => return,
        }
    }
}

/// Text by CID from the `cmap` of an embedded TrueType font, read backwards (glyph → code
/// point), as poppler does for fonts without ToUnicode. Subset fonts often have no `cmap`;
/// then nothing is found.
fn truetype_cid_text(
    doc: &Document,
    cid_font: &Dictionary,
    budget: &mut Budget,
) -> Result<HashMap<u32, char>, PdfError> {
    let mut out = HashMap::new();
    let Some(file) = get(doc, cid_font, b"FontDescriptor")
        .and_then(|d| d.as_dict().ok())
        .and_then(|d| get(doc, d, b"FontFile2"))
        .and_then(|f| f.as_stream().ok())
    else {
        return Ok(out);
    };
    let Some(data) = budget.decode(file)? else {
        return Ok(out);
    };
    let Ok(face) = ttf_parser::Face::parse(&data, 0) else {
        return Ok(out);
    };
    let Some(cmap) = face.tables().cmap else {
        return Ok(out);
    };
    let mut by_glyph: HashMap<u16, char> = HashMap::new();
    for sub in cmap.subtables {
        if !sub.is_unicode() {
            continue;
        }
        sub.codepoints(|cp| {
            if let (Some(c), Some(g)) = (char::from_u32(cp), sub.glyph_index(cp)) {
                by_glyph.entry(g.0).or_insert(c);
            }
        });
    }
    match get(doc, cid_font, b"CIDToGIDMap") {
        Some(Object::Stream(stream)) => {
            if let Some(map) = budget.decode(stream)? {
                for (cid, pair) in map.chunks_exact(2).enumerate() {
                    let gid = u16::from_be_bytes([pair[0], pair[1]]);
                    if let Some(c) = by_glyph.get(&gid) {
                        out.insert(cid as u32, *c);
                    }
                }
            }
        }
        _ => out.extend(by_glyph.into_iter().map(|(g, c)| (u32::from(g), c))),
    }
    Ok(out)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn table(name: &[u8]) -> Option<&'static [u16; 256]> {
    match name {
        b"WinAnsiEncoding" => Some(&WIN_ANSI),
        b"StandardEncoding" => Some(&STANDARD),
        b"MacRomanEncoding" => Some(&MAC_ROMAN),
        _ => None,
    }
}

/// The text of each code of a simple font from its `/Encoding` (ISO 32000-1, 9.6.6).
fn simple_encoding(doc: &Document, font: &Dictionary, subtype: &[u8]) -> Vec<String> {
    // Without an encoding, a Type 1 font uses its built-in one, which is StandardEncoding for
    // Latin text fonts; TrueType fonts in the wild are WinAnsi.
    let default = if subtype == b"TrueType" {
        &WIN_ANSI
    } else {
        &STANDARD
    };
    let (base, differences) = match get(doc, font, b"Encoding") {
        Some(Object::Name(name)) => (table(name).unwrap_or(default), None),
        Some(Object::Dictionary(dict)) => (
            get(doc, dict, b"BaseEncoding")
                .and_then(|b| b.as_name().ok())
                .and_then(table)
                .unwrap_or(default),
            get(doc, dict, b"Differences").and_then(|d| d.as_array().ok()),
        ),
        _ => (default, None),
    };
    let mut text: Vec<String> = base
        .iter()
        .map(|&u| {
            char::from_u32(u32::from(u))
                .filter(|_| u != 0)
                .map(String::from)
                .unwrap_or_default()
        })
        .collect();
    if let Some(differences) = differences {
        let mut code: usize = 0;
        for item in differences {
            match deref(doc, item) {
                Object::Integer(n) => code = (*n).clamp(0, 256) as usize,
                Object::Name(name) => {
                    if let Some(slot) = text.get_mut(code) {
                        *slot = std::str::from_utf8(name)
                            .ok()
                            .and_then(glyph_name_to_unicode)
                            .unwrap_or_default();
                    }
                    code += 1;
                }
                _ => {}
            }
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::extract::glyphs::GLYPH_NAMES;

    #[test]
    fn vietnamese_glyph_names() {
        for (name, text) in [
            ("uni1EA1", "ạ"),
            ("abreve", "ă"),
            ("ohorn", "ơ"),
            ("Uhorn", "Ư"),
            ("dcroat", "đ"),
            ("Dcroat", "Đ"),
            ("adotbelow", "ạ"),
            ("ecircumflexacute", "ế"),
            ("uhornhookabove", "ử"),
            ("ytilde", "ỹ"),
            ("u1EF9", "ỹ"),
            ("uni0111.sc", "đ"),
            ("f_i", "fi"),
            ("uni00410042", "AB"),
            ("space", " "),
            ("quotedblleft", "\u{201C}"),
            ("endash", "–"),
        ] {
            assert_eq!(glyph_name_to_unicode(name).as_deref(), Some(text), "{name}");
        }
        for name in ["", ".notdef", "g123", "uni1ea1", "uniD800", "u12", "f_g99"] {
            assert_eq!(glyph_name_to_unicode(name), None, "{name}");
        }
    }

    #[test]
    fn glyph_table_is_sorted() {
        assert!(GLYPH_NAMES.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn standard_tables() {
        assert_eq!(WIN_ANSI[0x80], 0x20AC);
        assert_eq!(WIN_ANSI[0x93], 0x201C);
        assert_eq!(WIN_ANSI[0xE0], 0x00E0);
        assert_eq!(STANDARD[0x27], 0x2019);
        assert_eq!(STANDARD[0xE1], 0x00C6);
        assert_eq!(MAC_ROMAN[0x8E], 0x00E9);
    }
}
