//! Checks and parsing shared by stamping and text extraction: each refusal of an upload is its
//! own [`PdfError`], so the caller can say what is wrong with the file.

use lopdf::{Document, LoadOptions, ObjectId};

use super::{Limits, PdfError};

/// What one object or xref stream may inflate to while loading (lopdf decodes only those
/// then): far above what real files need, far below what a decompression bomb asks for.
const MAX_DECODED_STREAM: usize = 64 << 20;

/// Checks the bytes, then parses them.
pub fn load(original: &[u8], limits: &Limits) -> Result<Document, PdfError> {
    if original.len() > limits.max_bytes {
        return Err(PdfError::TooLarge {
            size: original.len(),
            max: limits.max_bytes,
        });
    }
    // Readers look for the header in the first 1024 bytes (ISO 32000-1, annex H.3).
    let head = &original[..original.len().min(1024)];
    match find(head, b"%PDF-") {
        None => return Err(PdfError::NotPdf),
        // lopdf would parse from the header, but the offsets of an appended section count from
        // the start of the file: the two would disagree.
        Some(offset) if offset > 0 => {
            return Err(PdfError::Corrupt("data before the %PDF header".into()))
        }
        Some(_) => {}
    }
    let tail = &original[original.len().saturating_sub(1024)..];
    if find(tail, b"%%EOF").is_none() || find(tail, b"startxref").is_none() {
        return Err(PdfError::Truncated);
    }

    let options = LoadOptions {
        max_decompressed_size: Some(MAX_DECODED_STREAM),
        ..LoadOptions::default()
    };
    let doc = Document::load_mem_with_options(original, options).map_err(|e| match e {
        lopdf::Error::Decryption(_)
        | lopdf::Error::InvalidPassword
        | lopdf::Error::UnsupportedSecurityHandler(_)
        | lopdf::Error::AlreadyEncrypted => PdfError::Encrypted,
        other => PdfError::Corrupt(other.to_string()),
    })?;
    // lopdf opens files with an empty user password by itself. Stamping one would mean
    // re-encrypting the appended objects, which we do not offer, and an author who encrypts a
    // file has said it is not for copying out: both refuse it.
    if doc.encryption_state.is_some() || doc.trailer.has(b"Encrypt") {
        return Err(PdfError::Encrypted);
    }
    Ok(doc)
}

/// The pages in order, refused when there are none or more than the limit.
pub fn page_ids(doc: &Document, limits: &Limits) -> Result<Vec<ObjectId>, PdfError> {
    let ids: Vec<ObjectId> = doc.get_pages().into_values().collect();
    if ids.is_empty() {
        return Err(PdfError::NoPages);
    }
    if ids.len() > limits.max_pages {
        return Err(PdfError::TooManyPages {
            pages: ids.len(),
            max: limits.max_pages,
        });
    }
    Ok(ids)
}

pub fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
