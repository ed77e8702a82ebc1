//! Sample files and the agreement measure shared by this module's tests, the HTTP tests and
//! `benches/pdf.rs`, so that each builds the same inputs and scores text the same way. The
//! service itself never calls them.

use std::io::Write;
use std::time::Duration;

use lopdf::{dictionary, Document, Object, Stream};
use unicode_normalization::UnicodeNormalization;

use super::{render_text_pdf, PdfError};

/// `articles` articles of a commune's working rules, Vietnamese with every kind of tone mark.
pub fn body_text(articles: usize) -> String {
    let mut body = String::from("Chương I\nQUY ĐỊNH CHUNG\n");
    for i in 1..=articles {
        body.push_str(&format!(
            "Điều {i}. Trách nhiệm của Ủy ban nhân dân cấp xã\n\
             Chủ tịch Ủy ban nhân dân xã chịu trách nhiệm tổ chức thực hiện cải cách thủ tục \
             hành chính, niêm yết công khai quy trình giải quyết hồ sơ, tiếp nhận phản ánh, \
             kiến nghị của người dân và doanh nghiệp về quy định hành chính; báo cáo định kỳ \
             hằng quý kết quả thực hiện với Ủy ban nhân dân huyện.\n\n"
        ));
    }
    body
}

/// A rendered PDF of `pages` pages, five articles each (a form feed between pages).
pub fn rendered(pages: usize) -> Result<Vec<u8>, PdfError> {
    let body = vec![body_text(5); pages].join("\u{c}");
    render_text_pdf("Quy chế làm việc", &body)
}

fn save(doc: &mut Document) -> Result<Vec<u8>, PdfError> {
    let mut out = Vec::new();
    doc.save_to(&mut out)
        .map_err(|e| PdfError::Write(e.to_string()))?;
    Ok(out)
}

/// A well-formed PDF whose page tree is empty (`/Count 0`, no kids).
pub fn zero_pages() -> Result<Vec<u8>, PdfError> {
    let mut doc = Document::with_version("1.7");
    let pages = doc.add_object(
        dictionary! { "Type" => "Pages", "Kids" => Vec::<Object>::new(), "Count" => 0 },
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages });
    doc.trailer.set("Root", catalog);
    save(&mut doc)
}

fn deflate(data: &[u8]) -> Result<Vec<u8>, PdfError> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    encoder
        .write_all(data)
        .map_err(|e| PdfError::Write(e.to_string()))?;
    encoder.finish().map_err(|e| PdfError::Write(e.to_string()))
}

/// A one-page PDF of a few KB whose content stream, Flate inside Flate, inflates to
/// `inflated` bytes of spaces.
pub fn decompression_bomb(inflated: usize) -> Result<Vec<u8>, PdfError> {
    let twice = deflate(&deflate(&vec![b' '; inflated])?)?;
    let mut doc = Document::with_version("1.5");
    let bomb = doc.add_object(Stream::new(
        dictionary! { "Filter" => vec![Object::from("FlateDecode"), Object::from("FlateDecode")] },
        twice,
    ));
    let pages_id = doc.new_object_id();
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => bomb,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
        ),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    save(&mut doc)
}

/// NFC with every run of whitespace (line breaks and page breaks included) as one space.
pub fn collapsed(text: &str) -> String {
    text.nfc()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Character agreement: 1 − the insert/delete edit distance over the two lengths, on
/// whitespace-collapsed NFC text (so 2·LCS / (|a| + |b|)).
pub fn agreement(ours: &str, theirs: &str) -> f64 {
    let (a, b) = (collapsed(ours), collapsed(theirs));
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    f64::from(
        similar::TextDiff::configure()
            .timeout(Duration::from_secs(20))
            .diff_chars(a.as_str(), b.as_str())
            .ratio(),
    )
}
