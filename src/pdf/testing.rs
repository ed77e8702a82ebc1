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

/// A deflate bit stream: values LSB first, Huffman codes MSB first (RFC 1951, 3.1.1).
#[derive(Default)]
struct Bits {
    out: Vec<u8>,
    pending: u64,
    count: u32,
}

impl Bits {
    fn value(&mut self, value: u64, width: u32) {
        self.pending |= value << self.count;
        self.count += width;
        while self.count >= 8 {
            self.out.push(self.pending as u8);
            self.pending >>= 8;
            self.count -= 8;
        }
    }

    fn code(&mut self, code: u64, width: u32) {
        let reversed = (0..width).fold(0, |r, i| r | ((code >> i) & 1) << (width - 1 - i));
        self.value(reversed, width);
    }

    /// A literal byte in the fixed Huffman code.
    fn literal(&mut self, byte: u8) {
        match byte {
            0..=143 => self.code(0x30 + u64::from(byte), 8),
            _ => self.code(0x190 + u64::from(byte) - 144, 9),
        }
    }

    fn finish(mut self) -> Vec<u8> {
        if self.count > 0 {
            self.out.push(self.pending as u8);
        }
        self.out
    }
}

/// The zlib stream of `len` copies of `byte`, written out directly rather than compressed
/// (which takes seconds for hundreds of MB): one fixed-Huffman block of a literal followed by
/// copies of 258 bytes at distance 1, 13 bits each.
fn zlib_run(byte: u8, len: usize) -> Vec<u8> {
    let mut bits = Bits::default();
    bits.value(1, 1); // the last block
    bits.value(1, 2); // fixed Huffman codes
    let mut left = len;
    if left > 0 {
        bits.literal(byte);
        left -= 1;
    }
    while left >= 258 {
        bits.code(0b1100_0101, 8); // length 258 (code 285)
        bits.code(0, 5); // distance 1
        left -= 258;
    }
    for _ in 0..left {
        bits.literal(byte);
    }
    bits.code(0, 7); // end of block
                     // Adler-32 of the run in closed form: a = 1 + n·c, b = Σ a_i = n + c·n(n+1)/2.
    let (n, c, m) = (len as u128, u128::from(byte), 65_521u128);
    let a = (1 + n * c) % m;
    let b = (n + c * (n * (n + 1) / 2 % m)) % m;
    let mut out = vec![0x78, 0x01];
    out.extend(bits.finish());
    out.extend(((b << 16 | a) as u32).to_be_bytes());
    out
}

/// A one-page PDF of a few KB whose content stream, Flate inside Flate, inflates to
/// `inflated` bytes of spaces.
pub fn decompression_bomb(inflated: usize) -> Result<Vec<u8>, PdfError> {
    let twice = deflate(&zlib_run(b' ', inflated))?;
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

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn a_written_run_inflates_to_the_run_with_its_checksum() {
        for (byte, len) in [
            (b' ', 0),
            (b' ', 1),
            (b'a', 258),
            (0xff, 259),
            (b' ', 1_000_003),
        ] {
            let mut inflated = Vec::new();
            flate2::read::ZlibDecoder::new(zlib_run(byte, len).as_slice())
                .read_to_end(&mut inflated)
                .unwrap();
            assert_eq!(inflated.len(), len);
            assert!(inflated.iter().all(|b| *b == byte));
        }
        // A GB of spaces in a few KB.
        assert!(decompression_bomb(1 << 30).unwrap().len() < 64 * 1024);
    }
}
