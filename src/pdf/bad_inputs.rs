//! Bad and damaged inputs shared by the stamping and the extraction tests: both read the
//! same untrusted uploads, so both must refuse the same files with the same errors and
//! survive the same damage.

use std::fmt::Debug;
use std::process::{Command, Output};

use super::testing::zero_pages;
use super::PdfError;

/// Runs an outside tool a test judges by; its absence fails the test and says what to install.
pub fn run(program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "{program} must be installed for this test \
             (apt-get install poppler-utils qpdf zbar-tools): {e}"
            )
        })
}

/// `pdf` encrypted by qpdf (AES-256) with this user password; `""` makes a file that opens
/// without a password but is encrypted all the same.
pub fn encrypted(pdf: &[u8], user_password: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("plain.pdf");
    std::fs::write(&input, pdf).unwrap();
    let output = dir.path().join("encrypted.pdf");
    let out = run(
        "qpdf",
        &[
            "--encrypt",
            user_password,
            "owner-secret",
            "256",
            "--",
            input.to_str().unwrap(),
            output.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read(output).unwrap()
}

/// What both readers must answer, given a good PDF of several pages: not a PDF, truncated,
/// encrypted (with and without a user password), no pages, corrupt.
pub fn assert_refuses_bad_files<T: Debug>(
    good: &[u8],
    read: impl Fn(&[u8]) -> Result<T, PdfError>,
) {
    for not_pdf in [&b""[..], b"hello, world", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"] {
        let got = read(not_pdf);
        assert!(matches!(got, Err(PdfError::NotPdf)), "{got:?}");
    }
    let got = read(&good[..good.len() / 2]);
    assert!(matches!(got, Err(PdfError::Truncated)), "{got:?}");
    for password in ["user-secret", ""] {
        let got = read(&encrypted(good, password));
        assert!(
            matches!(got, Err(PdfError::Encrypted)),
            "{password:?}: {got:?}"
        );
    }
    let got = read(&zero_pages().unwrap());
    assert!(matches!(got, Err(PdfError::NoPages)), "{got:?}");
    let garbage = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> nonsense\nstartxref\n9\n%%EOF\n";
    let got = read(garbage);
    assert!(matches!(got, Err(PdfError::Corrupt(_))), "{got:?}");
}

/// `copies` damaged copies of `good`, cut and overwritten at random places (xorshift from
/// `seed`, so a failure is reproduced by its seed).
pub fn damaged_copies(good: &[u8], seed: u64, copies: usize) -> Vec<Vec<u8>> {
    let mut seed = seed;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    (0..copies)
        .map(|_| {
            let mut bytes = good.to_vec();
            for _ in 0..1 + next() % 8 {
                let at = (next() % bytes.len() as u64) as usize;
                let len = (1 + next() % 64) as usize;
                for b in bytes.iter_mut().skip(at).take(len) {
                    *b = (next() & 0xff) as u8;
                }
            }
            if next() % 4 == 0 {
                let keep = (next() % bytes.len() as u64) as usize;
                bytes.truncate(keep);
            }
            bytes
        })
        .collect()
}
