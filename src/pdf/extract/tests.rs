//! Extraction checked against poppler's `pdftotext` on real LibreOffice output in several
//! fonts (the fixtures are made from the seed plan by `tests/fixtures/make_fixtures.py`), on
//! the stamping module's own output, and on hand-made PDFs for each encoding path and each
//! kind of bad input. `pdftotext` and `qpdf` (Debian: poppler-utils, qpdf) must be installed:
//! a missing tool fails the test rather than skipping it.

use std::path::Path;
use std::time::Duration;

use lopdf::{dictionary, Document, Object, Stream};

use super::*;
use crate::pdf::bad_inputs::{assert_refuses_bad_files, damaged_copies, run};
use crate::pdf::testing::{self, agreement, collapsed};
use crate::pdf::{render_text_pdf, stamp_pdf, StampKind, StampRequest};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

/// The LibreOffice PDFs: the plan in four fonts, and the older two in DejaVu Sans Mono.
const LIBREOFFICE: [&str; 6] = [
    "lo-liberation-serif.pdf",
    "lo-dejavu-sans.pdf",
    "lo-noto-serif.pdf",
    "lo-liberation-mono.pdf",
    "libreoffice-de-an.pdf",
    "libreoffice-de-an-xref-stream.pdf",
];

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(FIXTURES).join(name)).unwrap()
}

fn pdftotext(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("in.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = run("pdftotext", &["-enc", "UTF-8", path.to_str().unwrap(), "-"]);
    assert!(
        out.status.success(),
        "pdftotext: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn extract_default(pdf: &[u8]) -> Result<Extracted, PdfError> {
    extract_pdf(pdf, &Limits::default())
}

#[test]
fn libreoffice_fixtures_agree_with_pdftotext() {
    for name in LIBREOFFICE {
        let pdf = fixture(name);
        let ours = extract_default(&pdf).unwrap();
        let theirs = pdftotext(&pdf);
        let score = agreement(&ours.text, &theirs);
        println!("{name}: {:.2}%", score * 100.0);
        assert!(ours.text_layer);
        assert!(score >= 0.98, "{name}: {score}\n{}", ours.text);
    }
}

/// Sentences of the plan with most Vietnamese tone marks and vowel letters, as typed.
const KNOWN: [&str; 4] = [
    "Đẩy mạnh cải cách hành chính trong hệ thống chính trị",
    "A. TÌNH HÌNH VÀ SỰ CẦN THIẾT XÂY DỰNG ĐỀ ÁN",
    "Địa hình phức tạp, đồi núi có độ dốc cao, hiểm trở, thung lũng hẹp, chia cắt bởi nhiều sông suối.",
    "đời sống vật chất và tinh thần của Nhân dân được nâng lên rõ rệt",
];

#[test]
fn diacritics_come_back_exact() {
    for name in LIBREOFFICE {
        let text = extract_default(&fixture(name)).unwrap().text;
        for sentence in KNOWN {
            assert!(text.contains(sentence), "{name}: {sentence:?}");
        }
    }
}

/// The plan's outline (parts A and B, their Roman-numbered sections: the fixtures stop after
/// B.I) is found in the text.
#[test]
fn structure_parser_finds_the_plan_parts() {
    use crate::domain::structure::{parse, ProvisionKind};
    for name in LIBREOFFICE.iter().filter(|n| n.starts_with("lo-")) {
        let text = extract_default(&fixture(name)).unwrap().text;
        let parts = parse(&text);
        let outline: Vec<(ProvisionKind, &str, Vec<&str>)> = parts
            .iter()
            .map(|p| {
                (
                    p.kind,
                    p.number.as_str(),
                    p.children.iter().map(|c| c.number.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(
            outline,
            vec![
                (ProvisionKind::Part, "A", vec!["I", "II"]),
                (ProvisionKind::Part, "B", vec!["I"]),
            ],
            "{name}"
        );
        assert_eq!(
            parts[0].heading.as_deref(),
            Some("TÌNH HÌNH VÀ SỰ CẦN THIẾT XÂY DỰNG ĐỀ ÁN")
        );
        assert_eq!(
            parts[0].children[0].heading.as_deref(),
            Some("Đặc điểm, tình hình chung huyện Sơn Tây")
        );
    }
}

/// Word from LibreOffice and PDF from LibreOffice, of the same plan, say the same.
#[test]
fn docx_and_pdf_of_the_same_plan_agree() {
    let pdf = extract_default(&fixture("lo-liberation-serif.pdf")).unwrap();
    let docx = crate::pdf::extract_docx(
        &fixture("lo-liberation-serif.docx"),
        &crate::pdf::DocxLimits::default(),
    )
    .unwrap();
    // The PDF adds its page footers.
    let pdf_text: String = pdf
        .text
        .lines()
        .filter(|l| !l.starts_with("Trang "))
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(collapsed(&pdf_text), collapsed(&docx.text));
    // And paragraph for paragraph, except where a paragraph runs over a page break.
    let pdf_lines: std::collections::HashSet<&str> = pdf_text.lines().collect();
    let docx_lines: Vec<&str> = docx.text.lines().collect();
    let same = docx_lines.iter().filter(|l| pdf_lines.contains(*l)).count();
    assert!(
        same + 3 >= docx_lines.len(),
        "{same} of {}",
        docx_lines.len()
    );
}

fn stamp_request() -> StampRequest {
    StampRequest {
        kind: StampKind::Official {
            number: Some("12/2024/QĐ-UBND".into()),
            signed_on: chrono::NaiveDate::from_ymd_opt(2024, 3, 5),
            effective_from: chrono::NaiveDate::from_ymd_opt(2024, 3, 20),
        },
        verify_code: "7K3Q-9XWD".into(),
        verify_url: "https://vanban.example.gov.vn/api/v1/verify/7K3Q-9XWD".into(),
    }
}

/// The stamping module's own output (its embedded Noto Sans subsets) comes back exactly:
/// every paragraph of the rendered text and every line of the stamp, on every page.
#[test]
fn rendered_and_stamped_text_is_extracted_exactly() {
    let mut body = String::from("Chương I\nQUY ĐỊNH CHUNG\n");
    for i in 1..=12 {
        body.push_str(&format!(
            "Điều {i}. Trách nhiệm của Ủy ban nhân dân cấp xã\n\
             Chủ tịch Ủy ban nhân dân xã chịu trách nhiệm tổ chức thực hiện cải cách thủ tục \
             hành chính, niêm yết công khai quy trình giải quyết hồ sơ, tiếp nhận phản ánh, \
             kiến nghị của người dân và doanh nghiệp về quy định hành chính; báo cáo định kỳ \
             hằng quý kết quả thực hiện với Ủy ban nhân dân huyện.\n"
        ));
    }
    let rendered = render_text_pdf("Quyết định ban hành quy chế", &body).unwrap();
    let stamped = stamp_pdf(&rendered, &stamp_request(), &Limits::default()).unwrap();
    let ours = extract_default(&stamped).unwrap();
    assert_eq!(ours.pages, 2);
    let lines: Vec<&str> = ours.text.lines().collect();
    for paragraph in body.lines() {
        assert!(
            lines.contains(&paragraph),
            "{paragraph:?} in\n{}",
            ours.text
        );
    }
    assert!(lines.contains(&"Quyết định ban hành quy chế"));
    for expected in [
        "BẢN CHÍNH THỨC",
        "Số: 12/2024/QĐ-UBND",
        "Ngày ký: 05/03/2024",
        "Hiệu lực từ: 20/03/2024",
        "Mã xác thực: 7K3Q-9XWD",
        "https://vanban.example.gov.vn/api/v1/verify/7K3Q-9XWD",
    ] {
        assert_eq!(
            lines.iter().filter(|l| **l == expected).count(),
            2,
            "{expected:?} in\n{}",
            ours.text
        );
    }
    for page in 1..=2 {
        let label = format!("Trang {page}/2");
        assert!(lines.iter().any(|l| l.contains(&label)), "{label}");
    }
    // pdftotext orders the stamp's footer blocks by position, we keep the order they were
    // drawn in: the same words, in another order.
    let words = |text: &str| {
        let mut words: Vec<String> = collapsed(text).split(' ').map(str::to_string).collect();
        words.sort();
        words
    };
    assert_eq!(words(&ours.text), words(&pdftotext(&stamped)));
}

// ---- Hand-made PDFs, one per decoding path ----

/// A PDF whose pages show `contents` with `resources`, after `setup` has added what they
/// refer to.
fn build(doc: &mut Document, resources: lopdf::Dictionary, contents: &[&[u8]]) -> Vec<u8> {
    let pages_id = doc.new_object_id();
    let mut kids = Vec::new();
    for content in contents {
        let stream = doc.add_object(Stream::new(dictionary! {}, content.to_vec()));
        let page = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            "Contents" => stream,
            "Resources" => resources.clone(),
        });
        kids.push(Object::Reference(page));
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

/// A standard Type 1 font (not embedded, no ToUnicode) whose `/Differences` name the
/// Vietnamese letters the WinAnsi base lacks, as older PDF producers write them.
#[test]
fn simple_font_with_differences_and_glyph_names() {
    let sentence = "Đẩy mạnh cải cách hành chính, ưu tiên ổn định đời sống";
    let mut differences: Vec<Object> = vec![128.into()];
    let mut encoded = Vec::new();
    let mut extra: Vec<char> = Vec::new();
    for c in sentence.chars() {
        let code = match c {
            ' '..='~' => c as u8,
            'á' => 0xE1,
            'à' => 0xE0,
            'í' => 0xED,
            _ => {
                let at = extra.iter().position(|e| *e == c).unwrap_or_else(|| {
                    extra.push(c);
                    extra.len() - 1
                });
                128 + at as u8
            }
        };
        encoded.push(code);
    }
    for c in &extra {
        // AGL names where they exist, uniXXXX otherwise: both occur in real files.
        let name = match c {
            'Đ' => "Dcroat".to_string(),
            'ạ' => "adotbelow".to_string(),
            'ư' => "uhorn".to_string(),
            'ổ' => "ocircumflexhookabove".to_string(),
            'ờ' => "ohorngrave".to_string(),
            'đ' => "dcroat".to_string(),
            other => format!("uni{:04X}", *other as u32),
        };
        differences.push(Object::Name(name.into_bytes()));
    }
    let mut doc = Document::with_version("1.5");
    let font = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type1",
        "BaseFont" => "Helvetica",
        "Encoding" => dictionary! {
            "Type" => "Encoding",
            "BaseEncoding" => "WinAnsiEncoding",
            "Differences" => differences,
        },
    });
    let mut content = b"BT /F1 12 Tf 72 700 Td (".to_vec();
    for b in &encoded {
        content.extend(format!("\\{b:03o}").bytes());
    }
    content.extend_from_slice(b") Tj ET");
    let pdf = build(
        &mut doc,
        dictionary! { "Font" => dictionary! { "F1" => font } },
        &[&content],
    );
    assert_eq!(extract_default(&pdf).unwrap().text, sentence);
    assert_eq!(pdftotext(&pdf).trim(), sentence);
}

const TO_UNICODE: &[u8] = b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap
/CMapName /Test-UCS def /CMapType 2 def
1 begincodespacerange <0000> <FFFF> endcodespacerange
2 beginbfchar
<0001> <0110>
<0002> <00660066 0069>
endbfchar
2 beginbfrange
<0010> <0014> [<1EA9> <0079> <006D> <1EA1> <006E>]
<0020> <0039> <0061>
endbfrange
endcmap CMapName currentdict /CMap defineresource pop end end";

/// A composite font (Identity-H, two-byte codes) whose ToUnicode has bfchar, a bfrange with an
/// array and one with a base, and a ligature to three letters. No space glyph: words are
/// separated by TJ offsets and by moving the text position, as Word does for justified text.
#[test]
fn composite_font_with_bfrange_and_gaps_instead_of_spaces() {
    let mut doc = Document::with_version("1.5");
    let to_unicode = doc.add_object(Stream::new(dictionary! {}, TO_UNICODE.to_vec()));
    let cid_font = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "CIDFontType2",
        "BaseFont" => "Test",
        "CIDSystemInfo" => dictionary! { "Registry" => Object::string_literal("Adobe"), "Ordering" => Object::string_literal("Identity"), "Supplement" => 0 },
        "DW" => 600,
        "W" => vec![1.into(), vec![Object::Integer(700)].into(), 0x20.into(), 0x39.into(), 500.into()],
    });
    let font = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type0",
        "BaseFont" => "Test",
        "Encoding" => "Identity-H",
        "DescendantFonts" => vec![Object::Reference(cid_font)],
        "ToUnicode" => to_unicode,
    });
    // "Đẩy mạnh" then, after a TJ gap, "oﬃce" (o=0x2E, c=0x22, e=0x24), then a new word
    // placed by Td: "hanh" (h=0x27, a=0x20, n=0x2D).
    let content = b"BT /F1 12 Tf 72 700 Td
[<0001 0010 0011> -700 <0012 0013 0014 0027>] TJ
[-800 <002E 0002 0022 0024>] TJ
100 0 Td <0027 0020 002D 0027> Tj ET";
    let pdf = build(
        &mut doc,
        dictionary! { "Font" => dictionary! { "F1" => font } },
        &[content],
    );
    let ours = extract_default(&pdf).unwrap().text;
    assert_eq!(ours, "Đẩy mạnh office hanh");
    assert_eq!(collapsed(&pdftotext(&pdf)), ours);
}

/// Text inside a form XObject (drawn with a matrix), an `/ActualText` span replacing a base
/// letter and a separately drawn mark, the `'` and `"` operators, `TD`/`T*` line moves, and
/// ligatures: each lands where a reader expects it.
#[test]
fn forms_actual_text_and_line_operators() {
    let mut doc = Document::with_version("1.5");
    let font = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type1",
        "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
        "FirstChar" => 32,
        "Widths" => vec![Object::Integer(278); 95],
    });
    let resources = dictionary! { "Font" => dictionary! { "F1" => font } };
    let form = doc.add_object(Stream::new(
        dictionary! {
            "Type" => "XObject",
            "Subtype" => "Form",
            "BBox" => vec![0.into(), 0.into(), 500.into(), 100.into()],
            "Matrix" => vec![1.into(), 0.into(), 0.into(), 1.into(), 72.into(), 400.into()],
            "Resources" => resources.clone(),
        },
        b"BT /F1 12 Tf 0 50 Td (Trong bieu mau) Tj ET".to_vec(),
    ));
    // The last line is the longest: the short ones before it end paragraphs.
    let content = b"BT /F1 12 Tf 14 TL 72 700 Td (Dong mot ) Tj
/Span << /ActualText <FEFF1EC0> >> BDC (E) Tj [278] TJ (`) Tj EMC (U) Tj
T* (Dong hai) Tj (Dong ba) ' 2 0 (Dong bon) \" 0 -28 TD (Dong nam, dong cuoi cung) Tj ET
/Fm1 Do";
    let mut resources = resources;
    resources.set("XObject", dictionary! { "Fm1" => form });
    let pdf = build(&mut doc, resources, &[content]);
    let ours = extract_default(&pdf).unwrap().text;
    assert_eq!(
        ours,
        "Dong mot ỀU\nDong hai\nDong ba\nDong bon\nDong nam, dong cuoi cung\nTrong bieu mau"
    );
    assert!(agreement(&ours, &pdftotext(&pdf)) >= 0.98);
}

/// A Type 3 font (glyphs drawn by the document, `/FontMatrix` 0.01, `1 Tf` scaled by the text
/// matrix) named by `/Differences`, written inside the resource dictionary rather than as an
/// object of its own, used by many `Tf`: sizes, spaces and text come out right.
#[test]
fn type3_font_inline_in_the_resources() {
    let mut doc = Document::with_version("1.5");
    let names = [
        "Dcroat",
        "uni1EA9",
        "y",
        "space",
        "m",
        "adotbelow",
        "n",
        "h",
    ];
    let mut differences: Vec<Object> = vec![1.into()];
    differences.extend(names.iter().map(|n| Object::Name(n.as_bytes().to_vec())));
    let glyph = doc.add_object(Stream::new(dictionary! {}, b"50 0 d0".to_vec()));
    let mut procs = lopdf::Dictionary::new();
    for name in names {
        procs.set(name, glyph);
    }
    let font = dictionary! {
        "Type" => "Font",
        "Subtype" => "Type3",
        "FontBBox" => vec![0.into(), 0.into(), 100.into(), 100.into()],
        "FontMatrix" => vec![0.01.into(), 0.into(), 0.into(), 0.01.into(), 0.into(), 0.into()],
        "CharProcs" => procs,
        "Encoding" => dictionary! { "Type" => "Encoding", "Differences" => differences },
        "FirstChar" => 1,
        "LastChar" => 8,
        "Widths" => vec![Object::Integer(50); 8],
    };
    let mut content = Vec::new();
    for line in 0..3 {
        content.extend(
            format!(
                "BT /T3 1 Tf 12 0 0 12 72 {} Tm <0102030405060708> Tj ET\n",
                700 - 40 * line
            )
            .bytes(),
        );
    }
    let pdf = build(
        &mut doc,
        dictionary! { "Font" => dictionary! { "T3" => font } },
        &[&content],
    );
    // Three equal lines at an even spacing read as one paragraph.
    let ours = extract_default(&pdf).unwrap().text;
    assert_eq!(ours, "Đẩy mạnh Đẩy mạnh Đẩy mạnh");
    assert_eq!(collapsed(&pdftotext(&pdf)), collapsed(&ours));
}

/// Page 1 of `pdf` is refused when a page is allowed 10,000 operators.
fn assert_refused_at_10_000_operators(pdf: &[u8]) {
    let capped = Limits {
        max_operators_per_page: 10_000,
        ..Limits::default()
    };
    let got = extract_pdf(pdf, &capped);
    assert!(
        matches!(
            got,
            Err(PdfError::TooComplex {
                page: 1,
                max: 10_000
            })
        ),
        "{got:?}"
    );
}

/// One string of 20,000 glyphs on a page allowed 10,000 operators: refused, having kept no
/// more than the cap.
#[test]
fn glyphs_count_against_the_operator_cap() {
    let mut doc = Document::with_version("1.5");
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let mut content = b"BT /F1 1 Tf 72 700 Td (".to_vec();
    content.extend(std::iter::repeat_n(b'a', 20_000));
    content.extend_from_slice(b") Tj ET");
    let pdf = build(
        &mut doc,
        dictionary! { "Font" => dictionary! { "F1" => font } },
        &[&content],
    );
    assert_refused_at_10_000_operators(&pdf);
    assert_eq!(extract_default(&pdf).unwrap().text.len(), 20_000);
}

/// An image-only page, as a scanner makes it: accepted, no text, flagged.
#[test]
fn scanned_pdf_has_no_text_layer() {
    let mut doc = Document::with_version("1.5");
    let image = doc.add_object(Stream::new(
        dictionary! {
            "Type" => "XObject",
            "Subtype" => "Image",
            "Width" => 2,
            "Height" => 2,
            "ColorSpace" => "DeviceGray",
            "BitsPerComponent" => 8,
        },
        vec![0, 255, 255, 0],
    ));
    let pdf = build(
        &mut doc,
        dictionary! { "XObject" => dictionary! { "Im0" => image } },
        &[
            b"q 595 0 0 842 0 0 cm /Im0 Do Q",
            b"q 595 0 0 842 0 0 cm /Im0 Do Q",
        ],
    );
    let ours = extract_default(&pdf).unwrap();
    assert_eq!(
        ours,
        Extracted {
            text: String::new(),
            pages: 2,
            text_layer: false
        }
    );
    assert_eq!(pdftotext(&pdf).trim(), "");
}

// ---- Bad input ----

#[test]
fn bad_inputs_get_their_own_errors() {
    let good = fixture("lo-dejavu-sans.pdf");
    let docx = fixture("lo-liberation-serif.docx");
    assert_refuses_bad_files(&good, extract_default);
    for disguised in [
        b"<!DOCTYPE html><html><body>PDF</body></html>"
            .repeat(30)
            .as_slice(),
        &docx,
    ] {
        let got = extract_default(disguised);
        assert!(matches!(got, Err(PdfError::NotPdf)), "{got:?}");
    }

    let small = Limits {
        max_bytes: 1000,
        ..Limits::default()
    };
    assert!(matches!(
        extract_pdf(&good, &small),
        Err(PdfError::TooLarge { size, max: 1000 }) if size == good.len()
    ));
    let few = Limits {
        max_pages: 2,
        ..Limits::default()
    };
    assert!(matches!(
        extract_pdf(&good, &few),
        Err(PdfError::TooManyPages { pages: 3, max: 2 })
    ));
    let no_time = Limits {
        max_duration: Duration::ZERO,
        ..Limits::default()
    };
    assert!(matches!(
        extract_pdf(&good, &no_time),
        Err(PdfError::TimedOut { .. })
    ));
    for error in [
        PdfError::ContentTooLarge { max: 1 },
        PdfError::TooComplex { page: 1, max: 1 },
        PdfError::TimedOut { seconds: 1 },
    ] {
        assert!(error.is_client_error());
    }
}

/// A cross-reference table that points nowhere stops stamping (there is nothing to append
/// to) but not reading: lopdf rebuilds the table by scanning, as readers do.
#[test]
fn damaged_cross_reference_is_read_anyway() {
    let good = fixture("libreoffice-de-an.pdf");
    let mut broken = good.clone();
    let at = broken.windows(6).position(|w| w == b"\nxref\n").unwrap();
    broken[at + 1..at + 5].copy_from_slice(b"xxxx");
    assert_eq!(
        extract_default(&broken).unwrap(),
        extract_default(&good).unwrap()
    );
}

/// A content stream of a few hundred bytes, Flate inside Flate, that inflates past the cap:
/// refused with its own error, without inflating it all.
#[test]
fn decompression_bomb() {
    let max = Limits::default().max_decoded_bytes;
    let pdf = testing::decompression_bomb(max + (1 << 20)).unwrap();
    assert!(pdf.len() < 8192, "{}", pdf.len());
    assert!(matches!(
        extract_default(&pdf),
        Err(PdfError::ContentTooLarge { max: m }) if m == max
    ));
}

/// Forms that draw forms that draw forms: 30³ operators from a page of 60 bytes. The operator
/// cap refuses it; with the cap lifted, the clock does, promptly.
#[test]
fn nested_forms_cannot_stall_the_server() {
    let mut doc = Document::with_version("1.5");
    let form = |doc: &mut Document, body: Vec<u8>, inner: Option<lopdf::ObjectId>| {
        let mut dict = dictionary! {
            "Type" => "XObject", "Subtype" => "Form",
            "BBox" => vec![0.into(), 0.into(), 10.into(), 10.into()],
        };
        if let Some(inner) = inner {
            dict.set(
                "Resources",
                dictionary! { "XObject" => dictionary! { "X" => inner } },
            );
        }
        doc.add_object(Stream::new(dict, body))
    };
    let draw_30 = b"/X Do ".repeat(30);
    let leaf = form(&mut doc, b"q Q ".repeat(15), None);
    let middle = form(&mut doc, draw_30.clone(), Some(leaf));
    let top = form(&mut doc, draw_30.clone(), Some(middle));
    let pdf = build(
        &mut doc,
        dictionary! { "XObject" => dictionary! { "X" => top } },
        &[&draw_30],
    );
    assert_refused_at_10_000_operators(&pdf);
    // 30 + 900 + 27,000 + 810,000 operators; give it 50 ms.
    let hurried = Limits {
        max_operators_per_page: usize::MAX,
        max_duration: Duration::from_millis(50),
        ..Limits::default()
    };
    let start = std::time::Instant::now();
    let result = extract_pdf(&pdf, &hurried);
    assert!(
        matches!(result, Err(PdfError::TimedOut { .. })),
        "{result:?}"
    );
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
}

/// Damaged copies of real files, cut and overwritten at many places: refused or read, never a
/// panic or a hang.
#[test]
fn damaged_files_never_panic() {
    for (i, name) in ["lo-noto-serif.pdf", "libreoffice-de-an-xref-stream.pdf"]
        .iter()
        .enumerate()
    {
        for bytes in damaged_copies(&fixture(name), 0x2545_f491_4f6c_dd1d + i as u64, 100) {
            // Any result is acceptable; returning is what is tested.
            let _ = extract_default(&bytes);
        }
    }
}
