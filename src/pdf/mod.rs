//! PDF output: stamping uploaded originals and rendering version text.
//!
//! # Stamping
//! [`stamp_pdf`] marks every page of a PDF with the status of the version (draft, official,
//! controlled copy, expired), "Trang i/n", a verification code and a QR code of the
//! verification URL. The original is never rewritten: the stamp is an incremental update
//! appended to it (see `incremental`), so the original is a byte-for-byte prefix of the result
//! and a digital signature on it still verifies for its revision.
//!
//! The stamp is real text: `pdftotext` returns it with every diacritic, because it is set in
//! an embedded, subsetted Noto Sans as a composite font with a ToUnicode map (see `font`). Text
//! is NFC-normalised first: every Vietnamese letter then has a precomposed glyph and no
//! combining mark needs positioning. The QR code is drawn as rectangles, not an image.
//!
//! On the page the original content is wrapped in `q … Q`, so its graphics state cannot leak
//! into the stamp, and the stamp is drawn from a form XObject shared by all pages of one size
//! plus a few bytes per page for the page number.
//!
//! # Rendering
//! [`render_text_pdf`] lays out plain text on A4 pages with the same fonts, and [`render_pdf`]
//! lays out generated paragraphs (reports, lists) the same way (see `render`).
//!
//! # Text extraction
//! [`extract_pdf`] reads the text of an uploaded PDF (see `extract`), [`extract_docx`] that of
//! a Word document (see `docx`), both as NFC paragraphs for the version's text, its structure
//! and the search index. A scanned PDF without a text layer is flagged, not refused.
//!
//! # Errors
//! Bad input never panics; each kind of refusal is its own [`PdfError`] variant so the HTTP
//! layer can answer with the right status. [`PdfError::is_client_error`] tells the input's
//! faults from ours.

#[cfg(test)]
mod bad_inputs;
mod content;
mod docx;
mod extract;
mod font;
mod incremental;
mod load;
mod qr;
mod render;
mod stamp;
#[doc(hidden)]
pub mod testing;
#[cfg(test)]
mod tests;

use std::time::Duration;

use unicode_normalization::UnicodeNormalization;

pub use docx::{extract_docx, DocxError, DocxLimits};
pub use extract::{extract_pdf, Extracted};
pub use render::{render_pdf, render_text_pdf, Block};
pub use stamp::{ExpiredTitle, StampKind, StampRequest};

/// Bounds on what [`stamp_pdf`] and [`extract_pdf`] accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted file, in bytes.
    pub max_bytes: usize,
    /// Most pages accepted.
    pub max_pages: usize,
    /// Extraction: the most bytes that the content streams, forms and fonts read may inflate
    /// to, all pages together (a few KB of Flate can inflate to gigabytes).
    pub max_decoded_bytes: usize,
    /// Extraction: the most content-stream operators interpreted and glyphs shown for one
    /// page, forms included.
    pub max_operators_per_page: usize,
    /// Extraction: the time after which a document is given up.
    pub max_duration: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_bytes: 50 * 1024 * 1024,
            max_pages: 2000,
            // A LibreOffice or Word text page decodes to 2–20 KB: 2000 dense pages fit.
            max_decoded_bytes: 64 << 20,
            // Dense text is ~10k operators and glyphs a page; a detailed map may reach a few
            // 100k. A million glyphs take ~100 MB while the page is read.
            max_operators_per_page: 1_000_000,
            max_duration: Duration::from_secs(30),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("the file is not a PDF")]
    NotPdf,
    #[error("the PDF is truncated: it does not end with startxref and %%EOF")]
    Truncated,
    #[error("the PDF is encrypted")]
    Encrypted,
    #[error("the PDF is damaged: {0}")]
    Corrupt(String),
    #[error("the PDF has no pages")]
    NoPages,
    #[error("the file is {size} bytes, more than the {max} accepted")]
    TooLarge { size: usize, max: usize },
    #[error("the PDF has {pages} pages, more than the {max} accepted")]
    TooManyPages { pages: usize, max: usize },
    #[error("the PDF's content inflates to more than {max} bytes")]
    ContentTooLarge { max: usize },
    #[error("page {page} has more than {max} drawing operations")]
    TooComplex { page: usize, max: usize },
    #[error("reading the PDF's text took longer than {seconds} s")]
    TimedOut { seconds: u64 },
    #[error("invalid stamp: {0}")]
    InvalidStamp(String),
    #[error("bundled font: {0}")]
    Font(String),
    #[error("writing the PDF: {0}")]
    Write(String),
}

impl PdfError {
    /// True when the input (the file or the stamp request) is at fault (a 4xx), false when
    /// something on our side failed (a 5xx).
    pub fn is_client_error(&self) -> bool {
        !matches!(self, PdfError::Font(_) | PdfError::Write(_))
    }
}

/// Stamps every page of `original` and returns the original followed by the update.
pub fn stamp_pdf(
    original: &[u8],
    req: &StampRequest,
    limits: &Limits,
) -> Result<Vec<u8>, PdfError> {
    incremental::stamp_pdf(original, req, limits)
}

/// NFC, with control characters (tabs included) turned into spaces and runs of spaces kept:
/// what every text shown by this module goes through.
fn clean(text: &str) -> String {
    text.nfc()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_string()
}
