//! Text extraction from Word documents (DOCX, ISO/IEC 29500).
//!
//! A DOCX is a ZIP archive whose main part (found through `_rels/.rels`, usually
//! `word/document.xml`) holds the body. Its paragraphs (`w:p`) become lines of the text: the
//! runs' text (`w:t`), tabs (`w:tab`, `w:ptab`) as `\t`, line, column and page breaks
//! (`w:br`, `w:cr`) as `\n`, non-breaking hyphens as `-`. Deleted text (`w:delText`), field
//! codes (`w:instrText`) and the fallback copies of drawings (`mc:Fallback`, which repeat the
//! text boxes of `mc:Choice`) are left out; paragraphs of tables and text boxes are kept, each
//! on its own line. Headers, footers and notes are other parts and are not read. Empty
//! paragraphs are dropped and the text is NFC, as for PDFs.
//!
//! # Hostile input
//! The archive is refused when it is larger than [`DocxLimits::max_bytes`], has more entries
//! than [`DocxLimits::max_entries`], or declares more than [`DocxLimits::max_uncompressed`]
//! bytes in all; the main part is read through a counter, so one that inflates past
//! [`DocxLimits::max_xml_bytes`] (whatever its header claims) is refused as well. The XML
//! parser expands no entities beyond the five predefined ones and character references.

use std::io::{Cursor, Read};

use quick_xml::events::Event;
use quick_xml::name::{Namespace, ResolveResult};
use quick_xml::NsReader;
use unicode_normalization::UnicodeNormalization;
use zip::result::ZipError;
use zip::ZipArchive;

use super::Extracted;

const WORDML: &[u8] = b"http://schemas.openxmlformats.org/wordprocessingml/2006/main";
/// The same vocabulary in strict Open XML.
const WORDML_STRICT: &[u8] = b"http://purl.oclc.org/ooxml/wordprocessingml/main";
const MARKUP_COMPATIBILITY: &[u8] = b"http://schemas.openxmlformats.org/markup-compatibility/2006";
/// Legacy `.doc` files and encrypted OOXML are both OLE compound files.
const OLE_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
/// The small parts read besides the body (relationships, properties).
const MAX_SMALL_PART: u64 = 1 << 20;

/// Bounds on what [`extract_docx`] accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocxLimits {
    /// Largest accepted file, in bytes.
    pub max_bytes: usize,
    /// Most entries in the archive (a real document has 10–50).
    pub max_entries: usize,
    /// Most bytes all entries may declare uncompressed.
    pub max_uncompressed: u64,
    /// Most bytes the main document part may inflate to.
    pub max_xml_bytes: usize,
}

impl Default for DocxLimits {
    fn default() -> Self {
        Self {
            max_bytes: 50 * 1024 * 1024,
            max_entries: 2000,
            // Embedded images make up most of a large DOCX; they are stored, not inflated.
            max_uncompressed: 512 * 1024 * 1024,
            // A 1000-page Word document's document.xml is ~20 MB.
            max_xml_bytes: 64 * 1024 * 1024,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DocxError {
    #[error("the file is not a DOCX: {0}")]
    NotDocx(&'static str),
    #[error("the file is an encrypted or a legacy (.doc) Word document")]
    EncryptedOrLegacy,
    #[error("the file is {size} bytes, more than the {max} accepted")]
    TooLarge { size: usize, max: usize },
    #[error("the archive has {entries} entries, more than the {max} accepted")]
    TooManyEntries { entries: usize, max: usize },
    #[error("the archive inflates to more than {max} bytes")]
    Inflated { max: u64 },
    #[error("the document's text part inflates to more than {max} bytes")]
    XmlTooLarge { max: usize },
    #[error("the DOCX is damaged: {0}")]
    Corrupt(String),
}

impl DocxError {
    /// Every refusal is the file's fault (a 4xx): reading needs nothing on our side that can
    /// fail.
    pub fn is_client_error(&self) -> bool {
        true
    }
}

/// Reads the text of a DOCX.
pub fn extract_docx(bytes: &[u8], limits: &DocxLimits) -> Result<Extracted, DocxError> {
    // The ZIP and XML readers meet hostile input: a panic refuses the file, not the worker.
    std::panic::catch_unwind(|| extract(bytes, limits))
        .unwrap_or_else(|_| Err(DocxError::Corrupt("the file could not be processed".into())))
}

fn extract(bytes: &[u8], limits: &DocxLimits) -> Result<Extracted, DocxError> {
    if bytes.len() > limits.max_bytes {
        return Err(DocxError::TooLarge {
            size: bytes.len(),
            max: limits.max_bytes,
        });
    }
    if bytes.starts_with(OLE_MAGIC) {
        return Err(DocxError::EncryptedOrLegacy);
    }
    if !bytes.starts_with(b"PK\x03\x04") {
        return Err(DocxError::NotDocx("not a ZIP archive"));
    }
    let mut archive =
        ZipArchive::new(Cursor::new(bytes)).map_err(|e| DocxError::Corrupt(e.to_string()))?;
    if archive.len() > limits.max_entries {
        return Err(DocxError::TooManyEntries {
            entries: archive.len(),
            max: limits.max_entries,
        });
    }
    let mut declared: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(corrupt)?;
        declared = declared.saturating_add(entry.size());
    }
    if declared > limits.max_uncompressed {
        return Err(DocxError::Inflated {
            max: limits.max_uncompressed,
        });
    }

    let main = read_part(&mut archive, "_rels/.rels", MAX_SMALL_PART as usize)
        .ok()
        .flatten()
        .and_then(|rels| main_part(&rels))
        .unwrap_or_else(|| "word/document.xml".to_string());
    let xml = match read_part(&mut archive, &main, limits.max_xml_bytes) {
        Ok(Some(xml)) => xml,
        Ok(None) => return Err(DocxError::NotDocx("it has no Word document part")),
        Err(ReadError::TooLarge) => {
            return Err(DocxError::XmlTooLarge {
                max: limits.max_xml_bytes,
            })
        }
        Err(ReadError::Zip(e)) => return Err(e),
    };
    let body = Body::read(&xml)?;
    let pages = read_part(&mut archive, "docProps/app.xml", MAX_SMALL_PART as usize)
        .ok()
        .flatten()
        .and_then(|app| recorded_pages(&app))
        .unwrap_or(body.rendered_pages)
        .max(1);
    let text = body.paragraphs.join("\n").nfc().collect();
    Ok(Extracted {
        text,
        pages,
        text_layer: true,
    })
}

fn corrupt(e: ZipError) -> DocxError {
    match e {
        ZipError::UnsupportedArchive(ZipError::PASSWORD_REQUIRED) | ZipError::InvalidPassword => {
            DocxError::EncryptedOrLegacy
        }
        other => DocxError::Corrupt(other.to_string()),
    }
}

enum ReadError {
    TooLarge,
    Zip(DocxError),
}

/// A part's bytes, `None` when there is no such part. Read through a counter: the size in the
/// entry's header is the archive's claim, not a bound.
fn read_part(
    archive: &mut ZipArchive<Cursor<&[u8]>>,
    name: &str,
    max: usize,
) -> Result<Option<Vec<u8>>, ReadError> {
    let entry = match archive.by_name(name) {
        Ok(entry) => entry,
        Err(ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(ReadError::Zip(corrupt(e))),
    };
    if entry.size() > max as u64 {
        return Err(ReadError::TooLarge);
    }
    let mut data = Vec::with_capacity(entry.size() as usize);
    entry
        .take(max as u64 + 1)
        .read_to_end(&mut data)
        .map_err(|e| ReadError::Zip(DocxError::Corrupt(e.to_string())))?;
    if data.len() > max {
        return Err(ReadError::TooLarge);
    }
    Ok(Some(data))
}

/// The target of the package's `officeDocument` relationship.
fn main_part(rels: &[u8]) -> Option<String> {
    let mut reader = NsReader::from_reader(rels);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == b"Relationship" => {
                let attr = |key: &[u8]| {
                    e.try_get_attribute(key).ok().flatten().and_then(|a| {
                        a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .ok()
                            .map(|v| v.into_owned())
                    })
                };
                if attr(b"Type").is_some_and(|t| t.ends_with("/officeDocument")) {
                    let target = attr(b"Target")?;
                    let target = target.trim_start_matches('/');
                    return (!target.is_empty()).then(|| target.to_string());
                }
            }
            Ok(Event::Eof) | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

/// `<Pages>` of the extended properties, which Word and LibreOffice record on saving.
fn recorded_pages(app: &[u8]) -> Option<usize> {
    let text = std::str::from_utf8(app).ok()?;
    let start = text.find("<Pages>")? + "<Pages>".len();
    let end = start + text[start..].find("</Pages>")?;
    text[start..end].trim().parse().ok()
}

#[derive(Default)]
struct Body {
    paragraphs: Vec<String>,
    /// Pages as last laid out by Word (`w:lastRenderedPageBreak`), for files without
    /// `docProps/app.xml`.
    rendered_pages: usize,
}

impl Body {
    fn read(xml: &[u8]) -> Result<Self, DocxError> {
        let mut body = Body {
            rendered_pages: 1,
            ..Body::default()
        };
        let mut reader = NsReader::from_reader(xml);
        // Paragraphs in progress: a text box's paragraphs sit inside another paragraph.
        let mut open: Vec<String> = Vec::new();
        let mut in_text = false;
        // Depth inside an `mc:Fallback`, whose content repeats the `mc:Choice` before it.
        let mut skipping = 0usize;
        loop {
            let (ns, event) = reader
                .read_resolved_event()
                .map_err(|e| DocxError::Corrupt(format!("document XML: {e}")))?;
            let word = matches!(ns, ResolveResult::Bound(Namespace(n)) if n == WORDML || n == WORDML_STRICT);
            let fallback =
                matches!(ns, ResolveResult::Bound(Namespace(n)) if n == MARKUP_COMPATIBILITY);
            match event {
                Event::Start(e)
                    if skipping > 0 || (fallback && e.local_name().as_ref() == b"Fallback") =>
                {
                    skipping += 1;
                }
                Event::End(_) if skipping > 0 => skipping -= 1,
                _ if skipping > 0 => {}
                Event::Start(e) if word => match e.local_name().as_ref() {
                    b"p" => open.push(String::new()),
                    b"t" => in_text = true,
                    other => body.mark(other, &mut open),
                },
                Event::Empty(e) if word => match e.local_name().as_ref() {
                    b"br" | b"cr" => {
                        if let Some(p) = open.last_mut() {
                            p.push('\n');
                        }
                    }
                    other => body.mark(other, &mut open),
                },
                Event::End(e) if word => match e.local_name().as_ref() {
                    b"p" => {
                        if let Some(p) = open.pop() {
                            let p = p.trim_end();
                            if !p.trim().is_empty() {
                                body.paragraphs.push(p.to_string());
                            }
                        }
                    }
                    b"t" => in_text = false,
                    _ => {}
                },
                Event::Text(t) if in_text => {
                    let text = t
                        .xml10_content()
                        .map_err(|e| DocxError::Corrupt(format!("document XML: {e}")))?;
                    push_text(&mut open, &text);
                }
                Event::CData(t) if in_text => {
                    push_text(&mut open, &String::from_utf8_lossy(&t));
                }
                Event::GeneralRef(r) if in_text => {
                    let resolved = match r.resolve_char_ref() {
                        Ok(Some(c)) => Some(c.to_string()),
                        _ => r
                            .decode()
                            .ok()
                            .and_then(|name| quick_xml::escape::resolve_xml_entity(&name))
                            .map(str::to_string),
                    };
                    if let Some(text) = resolved {
                        push_text(&mut open, &text);
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        // Paragraphs left open by a truncated file still count.
        for p in open {
            if !p.trim().is_empty() {
                body.paragraphs.push(p.trim_end().to_string());
            }
        }
        Ok(body)
    }

    /// Elements that stand for a character or mark a page.
    fn mark(&mut self, local: &[u8], open: &mut [String]) {
        let text = match local {
            b"tab" | b"ptab" => "\t",
            b"noBreakHyphen" => "-",
            b"lastRenderedPageBreak" => {
                self.rendered_pages += 1;
                return;
            }
            _ => return,
        };
        push_text(open, text);
    }
}

fn push_text(open: &mut [String], text: &str) {
    if let Some(p) = open.last_mut() {
        p.push_str(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use zip::write::SimpleFileOptions;

    const FIXTURE: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/lo-liberation-serif.docx"
    );

    fn docx(parts: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        let mut zip = zip::ZipWriter::new(&mut out);
        let options =
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in parts {
            zip.start_file(*name, options).unwrap();
            zip.write_all(data).unwrap();
        }
        zip.finish().unwrap();
        out.into_inner()
    }

    fn document(body: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"
 xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"
 xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><w:body>{body}</w:body></w:document>"#
        )
    }

    #[test]
    fn libreoffice_docx_fixture() {
        let bytes = std::fs::read(FIXTURE).unwrap();
        let extracted = extract_docx(&bytes, &DocxLimits::default()).unwrap();
        assert!(extracted.text_layer);
        // A conversion without layout records no page count: one page is what is known.
        assert_eq!(extracted.pages, 1);
        let lines: Vec<&str> = extracted.text.lines().collect();
        assert_eq!(lines[0], "ĐỀ ÁN");
        assert!(lines[1].starts_with("Đẩy mạnh cải cách hành chính trong hệ thống chính trị"));
        assert!(lines.contains(&"A. TÌNH HÌNH VÀ SỰ CẦN THIẾT XÂY DỰNG ĐỀ ÁN"));
        assert!(lines.contains(&"- Nằm từ 14° 14' - 14° 46' độ vĩ Bắc."));
        assert!(extracted.text.nfc().eq(extracted.text.chars()));
    }

    #[test]
    fn runs_tabs_breaks_entities_and_what_is_left_out() {
        let body = r#"
<w:p><w:r><w:t>Điều 1.</w:t></w:r><w:r><w:tab/><w:t xml:space="preserve">Phạm vi </w:t></w:r><w:r><w:t>điều chỉnh</w:t></w:r></w:p>
<w:p/>
<w:p><w:r><w:t>a &amp; b &lt;c&gt; &#x1EA1;</w:t><w:br/><w:t>dòng hai</w:t><w:noBreakHyphen/><w:t>x</w:t></w:r></w:p>
<w:p><w:del><w:r><w:delText>đã xóa</w:delText></w:r></w:del><w:r><w:instrText> PAGE </w:instrText><w:t>còn</w:t></w:r></w:p>
<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><w:txbxContent><w:p><w:r><w:t>hộp chữ</w:t></w:r></w:p></w:txbxContent></w:drawing></mc:Choice><mc:Fallback><w:pict><w:txbxContent><w:p><w:r><w:t>hộp chữ</w:t></w:r></w:p></w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent><w:t>sau</w:t></w:r></w:p>
<w:p><w:r><a:t>không phải w</a:t><w:t>Cuối</w:t></w:r></w:p>"#;
        // NFD input comes out NFC.
        let body = body.replace("Cuối", "Cuo\u{302}\u{301}i");
        let bytes = docx(&[("word/document.xml", document(&body).as_bytes())]);
        let extracted = extract_docx(&bytes, &DocxLimits::default()).unwrap();
        assert_eq!(
            extracted.text,
            "Điều 1.\tPhạm vi điều chỉnh\na & b <c> ạ\ndòng hai-x\ncòn\nhộp chữ\nsau\nCuối"
        );
        assert_eq!(extracted.pages, 1);
    }

    #[test]
    fn pages_as_recorded() {
        let app = br#"<?xml version="1.0"?><Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Pages>7</Pages></Properties>"#;
        let body = document("<w:p><w:r><w:t>a</w:t></w:r></w:p>");
        let bytes = docx(&[
            ("word/document.xml", body.as_bytes()),
            ("docProps/app.xml", app),
        ]);
        assert_eq!(
            extract_docx(&bytes, &DocxLimits::default()).unwrap().pages,
            7
        );
        let rendered = document(
            "<w:p><w:r><w:t>a</w:t></w:r></w:p><w:p><w:r><w:lastRenderedPageBreak/><w:t>b</w:t></w:r></w:p>",
        );
        let bytes = docx(&[("word/document.xml", rendered.as_bytes())]);
        assert_eq!(
            extract_docx(&bytes, &DocxLimits::default()).unwrap().pages,
            2
        );
    }

    #[test]
    fn main_part_from_relationships() {
        let rels = br#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="/word/main.xml"/></Relationships>"#;
        let body = document("<w:p><w:r><w:t>chính</w:t></w:r></w:p>");
        let bytes = docx(&[("_rels/.rels", rels), ("word/main.xml", body.as_bytes())]);
        assert_eq!(
            extract_docx(&bytes, &DocxLimits::default()).unwrap().text,
            "chính"
        );
    }

    #[test]
    fn bad_inputs_get_their_own_errors() {
        let limits = DocxLimits::default();
        assert!(matches!(
            extract_docx(b"hello", &limits),
            Err(DocxError::NotDocx(_))
        ));
        assert!(matches!(
            extract_docx(b"%PDF-1.7\n", &limits),
            Err(DocxError::NotDocx(_))
        ));
        let mut ole = OLE_MAGIC.to_vec();
        ole.extend([0u8; 512]);
        assert!(matches!(
            extract_docx(&ole, &limits),
            Err(DocxError::EncryptedOrLegacy)
        ));
        let other_zip = docx(&[("hello.txt", b"hello")]);
        assert!(matches!(
            extract_docx(&other_zip, &limits),
            Err(DocxError::NotDocx(_))
        ));

        let good = std::fs::read(FIXTURE).unwrap();
        assert!(matches!(
            extract_docx(&good[..good.len() / 2], &limits),
            Err(DocxError::Corrupt(_))
        ));
        let small = DocxLimits {
            max_bytes: 1000,
            ..limits
        };
        assert!(matches!(
            extract_docx(&good, &small),
            Err(DocxError::TooLarge { max: 1000, .. })
        ));
        let few = DocxLimits {
            max_entries: 3,
            ..limits
        };
        assert!(matches!(
            extract_docx(&good, &few),
            Err(DocxError::TooManyEntries { max: 3, .. })
        ));
        let broken_xml = docx(&[(
            "word/document.xml",
            document("<w:p><w:r><w:t>a</w:r></w:p>").as_bytes(),
        )]);
        assert!(matches!(
            extract_docx(&broken_xml, &limits),
            Err(DocxError::Corrupt(_))
        ));
        for e in [DocxError::EncryptedOrLegacy, DocxError::Inflated { max: 1 }] {
            assert!(e.is_client_error());
        }
    }

    /// 80 MB of paragraphs deflate to ~80 KB: the part is refused by the limit on the XML
    /// (checked on the declared size, then while inflating), the archive by the limit on the
    /// total.
    #[test]
    fn zip_bomb() {
        let paragraph =
            "<w:p><w:r><w:t>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</w:t></w:r></w:p>";
        let body = paragraph.repeat(80 * 1024 * 1024 / paragraph.len());
        let bomb = docx(&[("word/document.xml", document(&body).as_bytes())]);
        assert!(bomb.len() < 400 * 1024, "{}", bomb.len());
        assert!(matches!(
            extract_docx(&bomb, &DocxLimits::default()),
            Err(DocxError::XmlTooLarge { .. })
        ));
        let tight = DocxLimits {
            max_uncompressed: 50 * 1024 * 1024,
            ..DocxLimits::default()
        };
        assert!(matches!(
            extract_docx(&bomb, &tight),
            Err(DocxError::Inflated { .. })
        ));
    }

    /// Headers that understate the size do not get the part past the counter.
    #[test]
    fn lying_sizes_are_caught_while_reading() {
        let body = document(&"<w:p><w:r><w:t>x</w:t></w:r></w:p>".repeat(10_000));
        let mut bytes = docx(&[("word/document.xml", body.as_bytes())]);
        // Uncompressed size: at 22 in the local header, at 24 in the central directory entry.
        for (signature, offset) in [(&b"PK\x03\x04"[..], 22), (&b"PK\x01\x02"[..], 24)] {
            let at = bytes.windows(4).position(|w| w == signature).unwrap() + offset;
            bytes[at..at + 4].copy_from_slice(&1000u32.to_le_bytes());
        }
        let limits = DocxLimits {
            max_xml_bytes: 100_000,
            ..DocxLimits::default()
        };
        let mut archive = ZipArchive::new(Cursor::new(bytes.as_slice())).unwrap();
        assert_eq!(archive.by_name("word/document.xml").unwrap().size(), 1000);
        let result = extract_docx(&bytes, &limits);
        assert!(
            matches!(
                result,
                Err(DocxError::XmlTooLarge { .. } | DocxError::Corrupt(_))
            ),
            "{result:?}"
        );
    }
}
