//! Stamping and rendering checked with the tools a reader would use: poppler's `pdftotext`
//! and `pdftoppm`, `qpdf --check`, and `zbarimg` for the QR code (Debian packages
//! poppler-utils, qpdf, zbar-tools). A missing tool fails the test rather than skipping it.

use std::path::Path;

use chrono::NaiveDate;
use lopdf::{dictionary, Document, Object, Stream};

use super::bad_inputs::{assert_refuses_bad_files, damaged_copies, run};
use super::testing::{body_text, rendered};
use super::*;

const LIBREOFFICE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/libreoffice-de-an.pdf"
);
const XREF_STREAM: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/libreoffice-de-an-xref-stream.pdf"
);
const URL: &str = "https://vanban.example.gov.vn/api/v1/verify/7K3Q-9XWD";

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn request(kind: StampKind) -> StampRequest {
    StampRequest {
        kind,
        verify_code: "7K3Q-9XWD".into(),
        verify_url: URL.into(),
    }
}

/// Each kind with the strings its stamp must show on every page.
fn kinds() -> Vec<(StampKind, Vec<&'static str>)> {
    vec![
        (
            StampKind::Draft {
                label: "Dự thảo 2".into(),
            },
            vec!["BẢN DỰ THẢO", "Dự thảo 2"],
        ),
        (
            StampKind::Official {
                number: Some("12/2024/QĐ-UBND".into()),
                signed_on: Some(date(2024, 3, 5)),
                effective_from: Some(date(2024, 3, 20)),
            },
            vec![
                "BẢN CHÍNH THỨC",
                "Số: 12/2024/QĐ-UBND",
                "Ngày ký: 05/03/2024",
                "Hiệu lực từ: 20/03/2024",
            ],
        ),
        (
            StampKind::ControlledCopy {
                copy_no: 3,
                recipient: "Phòng Tài chính – Kế hoạch".into(),
                iso_code: "QT-VP-01".into(),
                revision: "02".into(),
            },
            vec![
                "BẢN SAO KIỂM SOÁT SỐ 3",
                "Nơi nhận: Phòng Tài chính – Kế hoạch",
                "Mã hiệu: QT-VP-01",
                "Lần ban hành: 02",
            ],
        ),
        (
            StampKind::Expired {
                title: ExpiredTitle::NoLongerInForce,
                since: date(2025, 1, 1),
                replaced_by: Some("Quyết định số 05/2025/QĐ-UBND".into()),
            },
            vec![
                "HẾT HIỆU LỰC",
                "Từ ngày: 01/01/2025",
                "Thay thế bởi: Quyết định số 05/2025/QĐ-UBND",
            ],
        ),
        (
            StampKind::Expired {
                title: ExpiredTitle::Obsolete,
                since: date(2025, 6, 30),
                replaced_by: None,
            },
            vec!["TÀI LIỆU LỖI THỜI", "Từ ngày: 30/06/2025"],
        ),
    ]
}

fn write_temp(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.to_str().unwrap().to_string()
}

/// The text of each page, as poppler extracts it in reading order.
fn page_texts(pdf: &[u8]) -> Vec<String> {
    page_texts_with(pdf, &[])
}

fn page_texts_with(pdf: &[u8], options: &[&str]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = write_temp(dir.path(), "in.pdf", pdf);
    let mut args = options.to_vec();
    args.extend(["-enc", "UTF-8", &path, "-"]);
    let out = run("pdftotext", &args);
    assert!(
        out.status.success(),
        "pdftotext: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
    // pdftotext ends every page with a form feed, leaving an empty tail.
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}

fn assert_qpdf_check(pdf: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let path = write_temp(dir.path(), "check.pdf", pdf);
    let out = run("qpdf", &["--check", &path]);
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "qpdf --check failed:\n{report}");
    assert!(
        !report.contains("WARNING"),
        "qpdf --check warned:\n{report}"
    );
}

fn assert_stamped(original: &[u8], stamped: &[u8], expected: &[&str]) {
    assert!(stamped.len() > original.len());
    assert_eq!(
        &stamped[..original.len()],
        original,
        "the original must be a byte prefix"
    );
    assert_qpdf_check(stamped);
    let pages = page_texts(stamped);
    let n = pages.len();
    assert_eq!(n, page_texts(original).len());
    for (i, text) in pages.iter().enumerate() {
        let label = format!("Trang {}/{}", i + 1, n);
        for want in expected
            .iter()
            .copied()
            .chain([label.as_str(), "Mã xác thực: 7K3Q-9XWD", URL])
        {
            assert!(
                text.contains(want),
                "page {} lacks {want:?}:\n{text}",
                i + 1
            );
        }
    }
}

#[test]
fn every_kind_on_a_rendered_pdf() {
    let original = rendered(3).unwrap();
    assert_eq!(
        page_texts(&original).len(),
        3,
        "the fixture text should fill three pages"
    );
    for (kind, expected) in kinds() {
        let stamped = stamp_pdf(&original, &request(kind), &Limits::default()).unwrap();
        assert_stamped(&original, &stamped, &expected);
        let pages = page_texts(&stamped);
        assert!(pages[1].contains("Trang 2/3"));
        // The original text is still there, letter for letter.
        assert!(pages[0].contains("Chủ tịch Ủy ban nhân dân xã chịu trách nhiệm"));
    }
}

#[test]
fn libreoffice_pdf_with_classic_xref_table() {
    let original = std::fs::read(LIBREOFFICE).unwrap();
    for (kind, expected) in kinds() {
        let stamped = stamp_pdf(&original, &request(kind), &Limits::default()).unwrap();
        assert_stamped(&original, &stamped, &expected);
        let update = &stamped[original.len()..];
        assert!(find(update, b"\nxref\n").is_some() && find(update, b"trailer").is_some());
        let prev = format!("/Prev {}", startxref(&original));
        assert!(
            find(update, prev.as_bytes()).is_some(),
            "no {prev} in the update"
        );
        assert!(page_texts(&stamped)[0].contains("huyện Sơn Tây"));
    }
}

#[test]
fn libreoffice_pdf_with_xref_stream() {
    let original = std::fs::read(XREF_STREAM).unwrap();
    assert!(
        find(&original, b"/Type /XRef").is_some(),
        "fixture must use an xref stream"
    );
    for (kind, expected) in kinds() {
        let stamped = stamp_pdf(&original, &request(kind), &Limits::default()).unwrap();
        assert_stamped(&original, &stamped, &expected);
        let update = &stamped[original.len()..];
        // An xref stream follows an xref stream.
        assert!(find(update, b"/Type/XRef").is_some());
        assert!(find(update, b"trailer").is_none());
        let prev = format!("/Prev {}", startxref(&original));
        assert!(
            find(update, prev.as_bytes()).is_some(),
            "no {prev} in the update"
        );
    }
}

#[test]
fn stamping_a_stamped_pdf_keeps_both_stamps() {
    let original = rendered(2).unwrap();
    let (draft, _) = &kinds()[0];
    let (official, official_text) = &kinds()[1];
    let once = stamp_pdf(&original, &request(draft.clone()), &Limits::default()).unwrap();
    let twice = stamp_pdf(&once, &request(official.clone()), &Limits::default()).unwrap();
    assert!(twice.starts_with(&once));
    assert_qpdf_check(&twice);
    // Both stamps sit in the same place, so read them in drawing order, not reading order.
    let pages = page_texts_with(&twice, &["-raw"]);
    assert_eq!(pages.len(), 2);
    for (i, text) in pages.iter().enumerate() {
        let label = format!("Trang {}/2", i + 1);
        let expected = ["BẢN DỰ THẢO", "Dự thảo 2", label.as_str()];
        for want in expected.iter().chain(official_text.iter()) {
            assert!(
                text.contains(want),
                "page {} lacks {want:?}:\n{text}",
                i + 1
            );
        }
    }
    // The second pass chose fresh resource names instead of shadowing the first.
    assert!(find(&twice[once.len()..], b"/VbStamp2_F").is_some());
}

#[test]
fn stamping_is_deterministic() {
    let original = rendered(1).unwrap();
    let req = request(kinds()[2].0.clone());
    let a = stamp_pdf(&original, &req, &Limits::default()).unwrap();
    let b = stamp_pdf(&original, &req, &Limits::default()).unwrap();
    assert_eq!(a, b);
}

/// Where pdftotext places a word on each page, in the displayed (rotated) page's coordinates,
/// y down: [xmin, ymin, xmax, ymax] of the first match on each page.
fn word_boxes(pdf: &[u8], word: &str) -> Vec<Option<[f32; 4]>> {
    let dir = tempfile::tempdir().unwrap();
    let path = write_temp(dir.path(), "bbox.pdf", pdf);
    let out = run("pdftotext", &["-bbox", "-enc", "UTF-8", &path, "-"]);
    let html = String::from_utf8(out.stdout).unwrap();
    let attr = |line: &str, name: &str| -> f32 {
        let start = line.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        line[start..].split('"').next().unwrap().parse().unwrap()
    };
    let mut pages = Vec::new();
    for line in html.lines() {
        if line.trim_start().starts_with("<page ") {
            pages.push(None);
        } else if line.contains(&format!(">{word}</word>")) {
            if let Some(slot) = pages.last_mut() {
                if slot.is_none() {
                    *slot = Some([
                        attr(line, "xMin"),
                        attr(line, "yMin"),
                        attr(line, "xMax"),
                        attr(line, "yMax"),
                    ]);
                }
            }
        }
    }
    pages
}

/// A hand-made PDF with what real files do: attributes inherited from the page tree (one
/// level and two), a /Contents array, a missing /Contents, rotation, a crop box away from the
/// origin, a small page, and content that leaves its graphics state changed.
fn awkward_pdf() -> (Vec<u8>, Vec<[f32; 4]>) {
    let mut doc = Document::with_version("1.4");
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let shared_resources = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font } });
    let text = |s: &str| {
        Stream::new(
            dictionary! {},
            format!("BT /F1 12 Tf 72 200 Td ({s}) Tj ET").into_bytes(),
        )
    };
    let root_pages = doc.new_object_id();
    let inner_pages = doc.new_object_id();

    // Leaves a doubled scale, a red fill and a clip behind, with no q/Q.
    let leaky = doc.add_object(Stream::new(
        dictionary! {},
        b"2 0 0 2 0 0 cm 1 0 0 rg 0 0 100 100 re W n BT /F1 12 Tf 10 10 Td (Leaky page) Tj ET"
            .to_vec(),
    ));
    let p1 = doc
        .add_object(dictionary! { "Type" => "Page", "Parent" => root_pages, "Contents" => leaky });

    let a = doc.add_object(text("Landscape one"));
    let b = doc.add_object(text("Landscape two"));
    let p2 = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => root_pages,
        "MediaBox" => vec![0.into(), 0.into(), 792.into(), 612.into()],
        "Resources" => dictionary! { "Font" => dictionary! { "F1" => font } },
        "Contents" => vec![Object::Reference(a), Object::Reference(b)],
    });

    let c = doc.add_object(text("Rotated ninety"));
    let contents_array = doc.add_object(vec![Object::Reference(c)]);
    let p3 = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => root_pages, "Rotate" => 90, "Contents" => contents_array,
    });

    let p4 = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => root_pages,
        "CropBox" => vec![100.into(), 100.into(), 400.into(), 500.into()],
    });

    let d = doc.add_object(text("Small turned page"));
    let p5 = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => inner_pages, "Rotate" => 270, "Contents" => d,
    });
    doc.objects.insert(
        inner_pages,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Parent" => root_pages, "Kids" => vec![Object::Reference(p5)], "Count" => 1,
            "MediaBox" => vec![0.into(), 0.into(), 297.6.into(), 419.5.into()],
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => font } },
        }),
    );
    doc.objects.insert(
        root_pages,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => vec![p1.into(), p2.into(), p3.into(), p4.into(), inner_pages.into()],
            "Count" => 5,
            "MediaBox" => vec![0.into(), 0.into(), 595.276.into(), 841.89.into()],
            "Resources" => shared_resources,
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => root_pages });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    // The displayed page as pdftotext -bbox measures it: left, top (y down, from the media box
    // top), width and height, after rotation and cropping.
    let boxes = vec![
        [0.0, 0.0, 595.276, 841.89],
        [0.0, 0.0, 792.0, 612.0],
        [0.0, 0.0, 841.89, 595.276],
        [100.0, 841.89 - 500.0, 300.0, 400.0],
        [0.0, 0.0, 419.5, 297.6],
    ];
    (out, boxes)
}

#[test]
fn inherited_attributes_rotation_and_leaky_content() {
    let (original, boxes) = awkward_pdf();
    let stamped = stamp_pdf(
        &original,
        &request(kinds()[1].0.clone()),
        &Limits::default(),
    )
    .unwrap();
    assert_stamped(&original, &stamped, &["BẢN CHÍNH THỨC"]);
    let texts = page_texts(&stamped);
    assert!(texts[0].contains("Leaky page") && texts[2].contains("Rotated ninety"));

    // The page label sits upright in the bottom-right corner of every displayed page: the
    // rotation is undone and the first page's doubled scale did not leak into the stamp.
    for (i, (bbox, [left, top, w, h])) in word_boxes(&stamped, "Trang")
        .into_iter()
        .zip(boxes)
        .enumerate()
    {
        let [x0, y0, x1, y1] = bbox.unwrap_or_else(|| panic!("no page label on page {}", i + 1));
        let (x0, x1, y0, y1) = (x0 - left, x1 - left, y0 - top, y1 - top);
        assert!(
            x1 - x0 > y1 - y0,
            "page {}: label is not horizontal: {bbox:?}",
            i + 1
        );
        assert!(
            x0 > w * 0.45 && x1 < w,
            "page {}: label x {x0}..{x1} of {w}",
            i + 1
        );
        assert!(
            y0 > h * 0.75 && y1 < h,
            "page {}: label y {y0}..{y1} of {h}",
            i + 1
        );
    }
}

#[test]
fn qr_code_decodes_to_the_verification_url() {
    let original = std::fs::read(LIBREOFFICE).unwrap();
    let stamped = stamp_pdf(
        &original,
        &request(kinds()[2].0.clone()),
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(decode_qr(&stamped, 2), URL);
}

/// The longest accepted fields still come out whole, and the densest accepted QR code scans.
#[test]
fn long_fields_shrink_to_fit() {
    let recipient = "Trung tâm Phục vụ hành chính công ".repeat(3);
    let recipient = recipient.trim();
    let url = format!(
        "https://motcua.quangngai.gov.vn/van-ban/api/v1/verify/{}",
        "Z".repeat(74)
    );
    assert_eq!(url.len(), 128);
    let req = StampRequest {
        kind: StampKind::ControlledCopy {
            copy_no: 12,
            recipient: recipient.into(),
            iso_code: "QT-TTHCC-01".into(),
            revision: "03".into(),
        },
        verify_code: "Z".repeat(64),
        verify_url: url.clone(),
    };
    let original = std::fs::read(LIBREOFFICE).unwrap();
    let stamped = stamp_pdf(&original, &req, &Limits::default()).unwrap();
    assert_qpdf_check(&stamped);
    let raw = page_texts_with(&stamped, &["-raw"]);
    let raw = raw[0].replace('\n', " ");
    assert!(raw.contains(&format!("Nơi nhận: {recipient}")), "{raw}");
    assert!(raw.contains(&url));
    assert_eq!(decode_qr(&stamped, 1), url);
}

/// Renders a page at 150 dpi and reads its QR code with zbarimg.
fn decode_qr(pdf: &[u8], page: usize) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = write_temp(dir.path(), "qr.pdf", pdf);
    let prefix = dir.path().join("page");
    let page = page.to_string();
    let out = run(
        "pdftoppm",
        &[
            "-r",
            "150",
            "-png",
            "-f",
            &page,
            "-l",
            &page,
            "-singlefile",
            &path,
            prefix.to_str().unwrap(),
        ],
    );
    assert!(out.status.success());
    let png = format!("{}.png", prefix.to_str().unwrap());
    let out = run("zbarimg", &["-q", "--raw", &png]);
    assert!(out.status.success(), "zbarimg found no code");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn stamp_default(bytes: &[u8]) -> Result<Vec<u8>, PdfError> {
    stamp_pdf(bytes, &request(kinds()[0].0.clone()), &Limits::default())
}

#[test]
fn bad_inputs_get_their_own_errors() {
    let good = std::fs::read(LIBREOFFICE).unwrap();

    assert_refuses_bad_files(&good, stamp_default);
    assert!(matches!(
        stamp_default(&good[..good.len() - 10]),
        Err(PdfError::Truncated)
    ));
    // A cross-reference table that points nowhere: there is nothing to chain an update to.
    let mut broken = good.clone();
    let at = find(&broken, b"\nxref\n").unwrap();
    broken[at + 1..at + 5].copy_from_slice(b"xxxx");
    assert!(matches!(stamp_default(&broken), Err(PdfError::Corrupt(_))));

    let small = Limits {
        max_bytes: 1000,
        max_pages: 100,
        ..Limits::default()
    };
    assert!(matches!(
        stamp_pdf(&good, &request(kinds()[0].0.clone()), &small),
        Err(PdfError::TooLarge { size, max: 1000 }) if size == good.len()
    ));
    let few = Limits {
        max_bytes: 1 << 20,
        max_pages: 2,
        ..Limits::default()
    };
    assert!(matches!(
        stamp_pdf(&good, &request(kinds()[0].0.clone()), &few),
        Err(PdfError::TooManyPages { pages: 3, max: 2 })
    ));

    let mut bad_request = request(kinds()[0].0.clone());
    bad_request.verify_code = " ".into();
    assert!(matches!(
        stamp_pdf(&good, &bad_request, &Limits::default()),
        Err(PdfError::InvalidStamp(_))
    ));
    bad_request.verify_code = "X".into();
    bad_request.verify_url = "h".repeat(300);
    assert!(matches!(
        stamp_pdf(&good, &bad_request, &Limits::default()),
        Err(PdfError::InvalidStamp(_))
    ));

    for error in [
        PdfError::NotPdf,
        PdfError::Truncated,
        PdfError::Encrypted,
        PdfError::NoPages,
    ] {
        assert!(error.is_client_error());
    }
}

/// Damaged copies of a real file, cut and overwritten at many places, are refused or stamped,
/// never a panic.
#[test]
fn damaged_files_never_panic() {
    let good = std::fs::read(LIBREOFFICE).unwrap();
    for bytes in damaged_copies(&good, 0x9e37_79b9_7f4a_7c15, 150) {
        // Any result is acceptable; returning is what is tested.
        let _ = stamp_default(&bytes);
    }
}

#[test]
fn rendered_text_is_extracted_exactly() {
    // NFD input (as some editors save it) comes out NFC, like the rest of the corpus.
    let title = "Quyết định ban hành quy chế";
    let nfd: String = unicode_normalization::UnicodeNormalization::nfd(title).collect();
    let pdf = render_text_pdf(&nfd, &body_text(20)).unwrap();
    assert_qpdf_check(&pdf);
    let pages = page_texts(&pdf);
    assert_eq!(pages.len(), 3);
    assert!(pages[0].contains(title));
    assert!(
        pages[0].contains("Chương I")
            && pages[0].contains("Điều 1. Trách nhiệm của Ủy ban nhân dân cấp xã")
    );
    assert!(pages[0].contains("hành chính, niêm yết công khai"));
    for (i, page) in pages.iter().enumerate() {
        assert!(page.contains(&format!("Trang {}/3", i + 1)));
    }
    // Headings use the bold face.
    let doc = Document::load_mem(&pdf).unwrap();
    let fonts: Vec<String> = doc
        .objects
        .values()
        .filter_map(|o| o.as_dict().ok())
        .filter(|d| {
            d.has(b"FontFile2")
                || d.get(b"Subtype").and_then(|s| s.as_name()).ok() == Some(b"Type0")
        })
        .filter_map(|d| d.get(b"BaseFont").or_else(|_| d.get(b"FontName")).ok())
        .filter_map(|n| {
            n.as_name()
                .ok()
                .map(|n| String::from_utf8_lossy(n).into_owned())
        })
        .collect();
    assert!(
        fonts.iter().any(|f| f.ends_with("+NotoSans-Bold")),
        "{fonts:?}"
    );
    assert!(
        fonts.iter().any(|f| f.ends_with("+NotoSans-Regular")),
        "{fonts:?}"
    );
}

#[test]
fn rendering_edge_cases() {
    // Empty, a word longer than a line, tabs and control characters.
    let long_word = "a".repeat(400);
    for (title, body, shown) in [
        ("", "", ""),
        ("Tiêu đề", "", "Tiêu đề"),
        ("", "Một dòng", "Một dòng"),
        ("Dài", long_word.as_str(), &long_word[..40]),
        // Characters Noto Sans lacks show, and extract, as '?'.
        (
            "Ký tự lạ",
            "Tab\there\u{7}bell 😀 漢字",
            "Tab here bell ? ??",
        ),
    ] {
        let pdf = render_text_pdf(title, body).unwrap();
        assert_qpdf_check(&pdf);
        assert!(page_texts(&pdf)[0].contains(shown), "{shown:?}");
        let stamped = stamp_pdf(&pdf, &request(kinds()[0].0.clone()), &Limits::default()).unwrap();
        assert_qpdf_check(&stamped);
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn startxref(pdf: &[u8]) -> usize {
    let at = pdf.windows(9).rposition(|w| w == b"startxref").unwrap();
    std::str::from_utf8(&pdf[at + 9..])
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap()
}
