//! Extraction checked against poppler's `pdftotext` on real LibreOffice output in several
//! fonts (the fixtures are made from the seed plan by `tests/fixtures/make_fixtures.py`), on
//! the stamping module's own output, and on hand-made PDFs for each encoding path and each
//! kind of bad input. `pdftotext` and `qpdf` (Debian: poppler-utils, qpdf) must be installed:
//! a missing tool fails the test rather than skipping it.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use lopdf::{dictionary, Document, Object, Stream};
use unicode_normalization::UnicodeNormalization;

use super::*;
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

fn run(program: &str, args: &[&str]) -> std::process::Output {
    Command::new(program).args(args).output().unwrap_or_else(|e| {
        panic!("{program} must be installed for this test (apt-get install poppler-utils qpdf): {e}")
    })
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

/// NFC with every run of whitespace (line breaks and page breaks included) as one space.
fn collapsed(text: &str) -> String {
    text.nfc()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Character agreement: 1 − the insert/delete edit distance over the two lengths, on
/// whitespace-collapsed NFC text (so 2·LCS / (|a| + |b|)).
fn agreement(ours: &str, theirs: &str) -> f64 {
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
