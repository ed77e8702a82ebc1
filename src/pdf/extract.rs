//! Text extraction from uploaded PDFs, for a version's text, its structure and the search
//! index.
//!
//! # Why not `lopdf::Document::extract_text`
//! LibreOffice draws a Vietnamese letter that the font has no precomposed glyph for (DejaVu
//! Sans Mono lacks most of them) as a base glyph plus a separately placed mark, inside an
//! `/ActualText` span that carries the real letter. lopdf ignores `/ActualText`, and where a
//! code has no ToUnicode entry it reads it together with the next byte as a two-byte code, so
//! the letters after each mark go wrong too: "Đẩ� y mạnh c ả� i cách", "gi ải đoạn",
//! "Sơn T ẩy". On the two DejaVu Sans Mono fixtures it agrees with `pdftotext` on 87.9% of
//! characters; this module on 98.4%, the rest being `pdftotext`'s own slips around those spans
//! ("ĐỀÁN", "Đẩ y"). On the four fixtures made from the plan in Liberation Serif, DejaVu Sans,
//! Noto Serif and Liberation Mono this module returns the source text exactly (100% against
//! the DOCX of the same plan, `pdftotext` 99.96–100%) and agrees with `pdftotext` on
//! 99.96–100%. lopdf also prefers a font's `/Encoding` to its `/ToUnicode`, and gives no
//! positions from which to rebuild lines and paragraphs. Figures from `cargo bench --bench pdf`
//! (docs/BENCHMARKS.md).
//!
//! Speed, release build on the 2-core machine: 530–2,600 pages a second on the fixtures,
//! ~1,700 on a 100-page LibreOffice file and ~4,500 on rendered files of 10 to 1,000 pages,
//! where `pdftotext` run once per file does 220–350, ~980 and 830–1,930. In a debug build,
//! lopdf's parsing of the content streams takes about 85% of the time.
//!
//! # What is read
//! Every page's content streams are interpreted as `pdftotext` does (`content`): the text
//! state operators (`Tf Tc Tw Tz TL Ts`), positioning (`Td TD Tm T*`), showing (`Tj TJ ' "`),
//! `q`/`Q`/`cm`, form XObjects drawn with `Do`, and `/ActualText` marked content. Strings are
//! decoded through each font (`font`, `cmap`): ToUnicode (bfchar and bfrange, one- to
//! four-byte codes from the codespace ranges, multi-unit destinations), then the encoding with
//! its `/Differences` glyph names, then the embedded TrueType font's `cmap`. Each glyph gets
//! its position on the page; `layout` turns glyphs into words (a space glyph or a gap of a
//! tenth of the font size), lines (a move off the baseline) and paragraphs (extra leading, an
//! indented first line, or a line ending where the next line's first word would have fitted).
//! The text is NFC, one paragraph a line.
//!
//! A document in which no page shows a single glyph (a scan, or blank pages) has no text
//! layer: it is accepted with empty text and `text_layer: false`, for OCR or a person to fill.
//!
//! # Hostile input
//! Loading and the checks on the file are the stamping module's (`load`). On top of them:
//! everything decoded (content streams, forms, ToUnicode maps, embedded fonts) counts against
//! [`Limits::max_decoded_bytes`], so a few KB of nested Flate cannot inflate to gigabytes
//! ([`PdfError::ContentTooLarge`]); a page may run at most [`Limits::max_operators_per_page`]
//! operators, forms included ([`PdfError::TooComplex`]); the whole document must finish within
//! [`Limits::max_duration`] ([`PdfError::TimedOut`]); forms nest at most 16 deep and never
//! into themselves. A panic in a dependency becomes [`PdfError::Corrupt`].

mod cmap;
mod content;
mod font;
mod glyphs;
mod layout;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;
use std::time::Instant;

use lopdf::{Dictionary, Document, Object, ObjectId, Stream};
use unicode_normalization::UnicodeNormalization;

use super::load::{load, page_ids};
use super::{Limits, PdfError};
use font::TextFont;

/// The text of an uploaded file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extracted {
    /// NFC, paragraphs separated by `\n`.
    pub text: String,
    /// Pages of a PDF; for a DOCX, the count its producer recorded (at least 1).
    pub pages: usize,
    /// False when no page shows any text (a scan): `text` is then empty.
    pub text_layer: bool,
}

/// Reads the text of a PDF. Bad input is refused with its own [`PdfError`], never a panic.
pub fn extract_pdf(bytes: &[u8], limits: &Limits) -> Result<Extracted, PdfError> {
    // lopdf meets hostile input here; should it panic, the upload is refused and the worker
    // lives on (the panic message still reaches the log through the panic hook).
    catch_unwind(AssertUnwindSafe(|| extract(bytes, limits)))
        .unwrap_or_else(|_| Err(PdfError::Corrupt("the file could not be processed".into())))
}

fn extract(bytes: &[u8], limits: &Limits) -> Result<Extracted, PdfError> {
    // The clock starts before parsing, which counts against the time budget too.
    let budget = Budget::new(limits);
    let doc = load(bytes, limits)?;
    let pages = page_ids(&doc, limits)?;
    let mut shared = Shared {
        budget,
        fonts: HashMap::new(),
        forms: HashMap::new(),
    };
    let mut paragraphs = Vec::new();
    let mut shown = 0;
    for (index, &id) in pages.iter().enumerate() {
        shared.budget.check_time()?;
        let page = content::read_page(&doc, id, index + 1, limits, &mut shared)?;
        shown += page.shown;
        layout::paragraphs(&page, &mut paragraphs);
    }
    shared.budget.check_time()?;
    let text = if shown > 0 {
        paragraphs.join("\n").nfc().collect()
    } else {
        String::new()
    };
    Ok(Extracted {
        text,
        pages: pages.len(),
        text_layer: shown > 0,
    })
}

/// What pages share: the decoding budget, and fonts and forms already read.
struct Shared {
    budget: Budget,
    fonts: HashMap<content::FontKey, Rc<TextFont>>,
    forms: HashMap<ObjectId, Rc<Vec<u8>>>,
}

/// The bytes left to decode and the time left.
pub(crate) struct Budget {
    remaining: usize,
    max: usize,
    started: Instant,
    limits: Limits,
}

impl Budget {
    fn new(limits: &Limits) -> Self {
        Self {
            remaining: limits.max_decoded_bytes,
            max: limits.max_decoded_bytes,
            started: Instant::now(),
            limits: *limits,
        }
    }

    /// A stream's decoded bytes, counted against the budget. `None` for a stream that cannot
    /// be decoded (an unknown filter, damaged data): readers skip those, and so do we.
    fn decode(&mut self, stream: &Stream) -> Result<Option<Vec<u8>>, PdfError> {
        match stream.decompressed_content_with_limit(self.remaining) {
            Ok(data) => {
                self.remaining -= data.len().min(self.remaining);
                Ok(Some(data))
            }
            Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded {
                ..
            })) => Err(PdfError::ContentTooLarge { max: self.max }),
            Err(_) => Ok(None),
        }
    }

    fn check_time(&self) -> Result<(), PdfError> {
        if self.started.elapsed() > self.limits.max_duration {
            return Err(PdfError::TimedOut {
                seconds: self.limits.max_duration.as_secs(),
            });
        }
        Ok(())
    }
}

/// Follows references (a bounded number of them: a chain may loop).
fn deref<'a>(doc: &'a Document, mut object: &'a Object) -> &'a Object {
    for _ in 0..32 {
        match object {
            Object::Reference(id) => match doc.get_object(*id) {
                Ok(next) => object = next,
                Err(_) => return &Object::Null,
            },
            _ => return object,
        }
    }
    &Object::Null
}

/// A dictionary entry with references followed.
fn get<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    dict.get(key).ok().map(|o| deref(doc, o))
}

fn number(doc: &Document, object: &Object) -> Option<f64> {
    deref(doc, object)
        .as_float()
        .ok()
        .map(f64::from)
        .filter(|n| n.is_finite())
}
