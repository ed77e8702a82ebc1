//! PDF stamping and text extraction against the tools a reader would reach for, in one run:
//! vanban's `stamp_pdf` against `qpdf --overlay`, and its `extract_pdf` against poppler's
//! `pdftotext`.
//!
//! cargo bench --bench pdf [-- --runs 7]
//!
//! Stamping: the same rendered Vietnamese PDFs of 10, 100 and 1,000 pages, stamped as a
//! controlled copy (box, page number, verification code, vector QR code, as an incremental
//! update) by vanban, and by `qpdf --overlay stamp.pdf --to=1-z -- in.pdf out.pdf` with a
//! one-page stamp made the same way. qpdf's time includes starting its process (as a service
//! calling it would pay it), and it rewrites the whole file.
//!
//! Extraction: pages a second for `extract_pdf` and for `pdftotext` (one process per file)
//! on the LibreOffice PDFs checked in under `tests/fixtures` (made by
//! `tests/fixtures/make_fixtures.py`; LibreOffice is not needed to run this), on 100 pages
//! made by repeating one of them with qpdf, and on the rendered files above; with the share
//! of characters on which each agrees with `pdftotext` (lopdf's own `extract_text` beside
//! ours), and, for the fixtures of the plan, with the text they were made from (the DOCX of
//! the same plan, page footers left out).
//!
//! Every figure is the median of `--runs` repetitions after one warm-up. `qpdf` and
//! `pdftotext` (Debian: qpdf, poppler-utils) must be installed: without them this exits
//! with status 2 and says so.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use vanban::pdf::testing::{agreement, rendered};
use vanban::pdf::{extract_docx, extract_pdf, stamp_pdf, DocxLimits, Limits};
use vanban::pdf::{render_text_pdf, StampKind, StampRequest};

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

const PAGES: [usize; 3] = [10, 100, 1000];

struct Args {
    runs: usize,
}

fn args() -> Args {
    let mut a = Args { runs: 7 };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--runs" {
            a.runs = it.next().and_then(|v| v.parse().ok()).unwrap_or(7).max(1);
        }
    }
    a
}

/// Exits with a clear message when a tool the comparison needs is not installed.
fn require(tool: &str, version_flag: &str, package: &str) {
    if let Err(e) = Command::new(tool).arg(version_flag).output() {
        eprintln!(
            "pdf bench: `{tool}` is required for the comparison and could not be run ({e}); \
             install it (Debian: apt-get install {package})"
        );
        std::process::exit(2);
    }
}

fn run(program: &str, args: &[&str]) {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Median seconds of `runs` calls, after one call not counted.
fn median_secs(runs: usize, mut f: impl FnMut()) -> f64 {
    f();
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let mid = times.len() / 2;
    if times.len() % 2 == 1 {
        times[mid]
    } else {
        (times[mid - 1] + times[mid]) / 2.0
    }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    path
}

fn s(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 temp path")
}

/// `1234567` as `1,234,567`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn signed(n: i64) -> String {
    let sign = if n < 0 { "−" } else { "+" };
    format!("{sign}{}", thousands(n.unsigned_abs()))
}

fn no_limits() -> Limits {
    Limits {
        max_bytes: usize::MAX,
        max_pages: usize::MAX,
        ..Limits::default()
    }
}

fn stamping(dir: &Path, runs: usize, inputs: &[(usize, Vec<u8>)]) {
    let req = StampRequest {
        kind: StampKind::ControlledCopy {
            copy_no: 3,
            recipient: "Phòng Tài chính – Kế hoạch".into(),
            iso_code: "QT-VP-01".into(),
            revision: "02".into(),
        },
        verify_code: "7K3Q-9XWD".into(),
        verify_url: "https://vanban.example.gov.vn/api/v1/verify/7K3Q-9XWD".into(),
    };
    let blank = render_text_pdf("", "").expect("a blank page");
    let overlay = stamp_pdf(&blank, &req, &no_limits()).expect("the one-page stamp");
    let overlay = write(dir, "stamp.pdf", &overlay);

    println!(
        "\n## Stamping: vanban `stamp_pdf` against `qpdf --overlay` (median of {runs} runs)\n"
    );
    println!(
        "| pages (input) | vanban ms | vanban pages/s | vanban bytes added | qpdf ms | qpdf pages/s | qpdf bytes added | vanban/qpdf speed |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for (pages, original) in inputs {
        let input = write(dir, "in.pdf", original);
        let output = dir.join("out.pdf");

        let mut stamped = Vec::new();
        let ours = median_secs(runs, || {
            stamped = stamp_pdf(original, &req, &no_limits()).expect("stamping");
        });
        // What was measured must be a valid file that still starts with the original.
        assert!(stamped.starts_with(original));
        let check = write(dir, "check.pdf", &stamped);
        run("qpdf", &["--check", s(&check)]);

        let theirs = median_secs(runs, || {
            run(
                "qpdf",
                &[
                    "--overlay",
                    s(&overlay),
                    "--to=1-z",
                    "--",
                    s(&input),
                    s(&output),
                ],
            )
        });
        let qpdf_len = std::fs::metadata(&output).expect("qpdf output").len() as i64;
        let n = *pages as f64;
        println!(
            "| {} ({} KB) | {:.1} | {} | {} | {:.1} | {} | {} | {:.2}× |",
            thousands(*pages as u64),
            original.len().div_ceil(1000),
            ours * 1000.0,
            thousands((n / ours).round() as u64),
            signed(stamped.len() as i64 - original.len() as i64),
            theirs * 1000.0,
            thousands((n / theirs).round() as u64),
            signed(qpdf_len - original.len() as i64),
            theirs / ours,
        );
    }
}

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(FIXTURES).join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn extraction(dir: &Path, runs: usize, rendered_inputs: &[(usize, Vec<u8>)]) {
    let source = extract_docx(&fixture("lo-liberation-serif.docx"), &DocxLimits::default())
        .expect("the DOCX of the plan")
        .text;
    let without_footers = |text: &str| {
        text.lines()
            .filter(|l| !l.trim_start().starts_with("Trang "))
            .collect::<Vec<_>>()
            .join("\n")
    };

    // (name, bytes, compared with the source text)
    let mut inputs: Vec<(String, Vec<u8>, bool)> = LIBREOFFICE
        .iter()
        .map(|name| (name.to_string(), fixture(name), name.starts_with("lo-")))
        .collect();
    let single = write(dir, "single.pdf", &fixture("lo-noto-serif.pdf"));
    let hundred = dir.join("hundred.pdf");
    let mut args = vec!["--empty", "--pages"];
    args.extend(std::iter::repeat_n(s(&single), 25));
    args.extend(["--", s(&hundred)]);
    run("qpdf", &args);
    inputs.push((
        "lo-noto-serif.pdf ×25 (qpdf)".into(),
        std::fs::read(&hundred).expect("qpdf output"),
        false,
    ));
    for (pages, pdf) in rendered_inputs {
        inputs.push((
            format!("rendered, {} pages", thousands(*pages as u64)),
            pdf.clone(),
            false,
        ));
    }

    println!(
        "\n## Text extraction: vanban `extract_pdf` against `pdftotext` (median of {runs} runs)\n"
    );
    println!(
        "LibreOffice PDFs: the fixtures checked in under tests/fixtures (LibreOffice is not run)."
    );
    println!(
        "Agreement: share of characters (whitespace collapsed, NFC) in common with pdftotext's text; \
         `vs source`: with the DOCX the plan's PDFs were made from, page footers left out.\n"
    );
    println!(
        "| file | pages | vanban pages/s | pdftotext pages/s | vanban/pdftotext | vanban ≈ pdftotext | lopdf ≈ pdftotext | vanban vs source | pdftotext vs source |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    let limits = no_limits();
    let text_out = dir.join("out.txt");
    let (mut fixture_pages, mut fixture_ours, mut fixture_theirs) = (0usize, 0.0f64, 0.0f64);
    for (name, pdf, with_source) in &inputs {
        let mut ours = None;
        let ours_s = median_secs(runs, || {
            ours = Some(extract_pdf(pdf, &limits).expect("extraction"));
        });
        let ours = ours.expect("at least one run");

        let path = write(dir, "bench.pdf", pdf);
        let theirs_s = median_secs(runs, || {
            run(
                "pdftotext",
                &["-q", "-enc", "UTF-8", s(&path), s(&text_out)],
            )
        });
        let theirs = std::fs::read_to_string(&text_out).expect("pdftotext output");

        let doc = lopdf::Document::load_mem(pdf).expect("lopdf loads it");
        let numbers: Vec<u32> = doc.get_pages().keys().copied().collect();
        let lopdf_text = doc.extract_text(&numbers).unwrap_or_default();

        let vs_source = |text: &str| {
            if *with_source {
                format!("{:.2}%", 100.0 * agreement(&without_footers(text), &source))
            } else {
                "–".to_string()
            }
        };
        let n = ours.pages as f64;
        println!(
            "| {name} | {} | {} | {} | {:.1}× | {:.2}% | {:.2}% | {} | {} |",
            thousands(ours.pages as u64),
            thousands((n / ours_s).round() as u64),
            thousands((n / theirs_s).round() as u64),
            theirs_s / ours_s,
            100.0 * agreement(&ours.text, &theirs),
            100.0 * agreement(&lopdf_text, &theirs),
            vs_source(&ours.text),
            vs_source(&theirs),
        );
        if LIBREOFFICE.contains(&name.as_str()) {
            fixture_pages += ours.pages;
            fixture_ours += ours_s;
            fixture_theirs += theirs_s;
        }
    }
    let n = fixture_pages as f64;
    println!(
        "| the {} LibreOffice files together | {} | {} | {} | {:.1}× | | | | |",
        LIBREOFFICE.len(),
        fixture_pages,
        thousands((n / fixture_ours).round() as u64),
        thousands((n / fixture_theirs).round() as u64),
        fixture_theirs / fixture_ours,
    );
}

fn main() {
    let a = args();
    require("qpdf", "--version", "qpdf");
    require("pdftotext", "-v", "poppler-utils");
    // Other work on the machine moves every figure: say how busy it was.
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".into());
    println!(
        "vanban PDF benchmark: {} runs per figure, {} cores, load average {load} at the start",
        a.runs,
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    let dir = tempfile::tempdir().expect("a temp dir");
    let inputs: Vec<(usize, Vec<u8>)> = PAGES
        .iter()
        .map(|&pages| {
            let pdf = rendered(pages).expect("rendering the sample");
            let doc = lopdf::Document::load_mem(&pdf).expect("the sample loads");
            assert_eq!(doc.get_pages().len(), pages, "pages of the sample");
            (pages, pdf)
        })
        .collect();
    stamping(dir.path(), a.runs, &inputs);
    extraction(dir.path(), a.runs, &inputs);
}
