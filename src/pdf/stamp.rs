//! What a stamp says and where it goes on the page.
//!
//! Everything is laid out in an upright frame whose origin is the lower-left corner of the
//! page as displayed (after `/Rotate`); `incremental` maps that frame onto each page. The parts
//! that are the same on every page (status box, watermark, verification text, QR code) become
//! one form XObject per page size; each page adds only its "Trang i/n" line.

use chrono::{Datelike, NaiveDate};

use super::clean;
use super::content::{Content, Rgb, BLACK, WHITE};
use super::font::FontSubset;
use super::qr::QrMatrix;
use super::PdfError;

/// What is stamped, by the status of the version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StampKind {
    /// A large translucent diagonal "DỰ THẢO" and the draft's label, e.g. "Dự thảo 2".
    Draft { label: String },
    /// "BẢN CHÍNH THỨC" with what the document has of its number and dates (a plan or a
    /// programme is published without a number).
    Official {
        number: Option<String>,
        signed_on: Option<NaiveDate>,
        effective_from: Option<NaiveDate>,
    },
    /// "BẢN SAO KIỂM SOÁT SỐ n" (ISO 9001 controlled copy) for one recipient.
    ControlledCopy {
        copy_no: u32,
        recipient: String,
        iso_code: String,
        revision: String,
    },
    /// In red, box and diagonal: the document no longer applies.
    Expired {
        title: ExpiredTitle,
        since: NaiveDate,
        replaced_by: Option<String>,
    },
}

/// The two wordings of the expired stamp: legal documents lose force, ISO documents become
/// obsolete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpiredTitle {
    /// "HẾT HIỆU LỰC"
    NoLongerInForce,
    /// "TÀI LIỆU LỖI THỜI"
    Obsolete,
}

impl ExpiredTitle {
    pub fn text(self) -> &'static str {
        match self {
            ExpiredTitle::NoLongerInForce => "HẾT HIỆU LỰC",
            ExpiredTitle::Obsolete => "TÀI LIỆU LỖI THỜI",
        }
    }
}

/// A stamp and the verification code printed (and QR-encoded) on every page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StampRequest {
    pub kind: StampKind,
    /// Printed as "Mã xác thực: …".
    pub verify_code: String,
    /// Encoded in the QR code and printed, e.g. `{base_url}/api/v1/verify/{code}`.
    pub verify_url: String,
}

/// Caller-supplied fields longer than this cannot fit a stamp legibly.
const MAX_FIELD_CHARS: usize = 120;
const MAX_CODE_CHARS: usize = 64;
/// Longer URLs make the QR code too dense to scan from paper at 54 pt (128 bytes is version
/// 7, 0.4 mm modules).
const MAX_URL_BYTES: usize = 128;

// Geometry in points, in the stamp frame.
const MARGIN: f32 = 10.0;
const QR_SIZE: f32 = 54.0;
const PAD: f32 = 5.0;
const TITLE_SIZE: f32 = 10.0;
const DETAIL_SIZE: f32 = 7.5;
const PAGE_SIZE: f32 = 9.0;
const CODE_SIZE: f32 = 7.5;
const URL_SIZE: f32 = 6.0;
/// Pages smaller than this are stamped at a reduced scale so that the parts do not overlap.
const MIN_FRAME: (f32, f32) = (420.0, 300.0);

const FOOTER_TEXT: Rgb = Rgb(0.2, 0.2, 0.2);

/// Resource names used inside the form XObject (its own namespace, so fixed names are safe).
pub const XO_REGULAR: &str = "R";
pub const XO_BOLD: &str = "B";
pub const XO_WATERMARK_GS: &str = "Wm";
pub const XO_BACKDROP_GS: &str = "Bg";
/// Opacity of the diagonal watermark and of the white backdrop behind the small text.
pub const WATERMARK_OPACITY: f32 = 0.15;
pub const BACKDROP_OPACITY: f32 = 0.85;

/// The cleaned texts of a request, validated once per document.
pub struct Prepared {
    color: Rgb,
    title: String,
    details: Vec<String>,
    watermark: Option<String>,
    code_line: String,
    url_line: String,
    qr: QrMatrix,
}

fn date(d: NaiveDate) -> String {
    format!("{:02}/{:02}/{}", d.day(), d.month(), d.year())
}

fn field(name: &str, value: &str) -> Result<String, PdfError> {
    let value = clean(value);
    if value.is_empty() {
        return Err(PdfError::InvalidStamp(format!("{name} is empty")));
    }
    if value.chars().count() > MAX_FIELD_CHARS {
        return Err(PdfError::InvalidStamp(format!(
            "{name} is longer than {MAX_FIELD_CHARS} characters"
        )));
    }
    Ok(value)
}

impl Prepared {
    pub fn new(req: &StampRequest) -> Result<Self, PdfError> {
        let red = Rgb(0.8, 0.0, 0.0);
        let (color, title, details, watermark) = match &req.kind {
            StampKind::Draft { label } => (
                Rgb(0.35, 0.35, 0.35),
                "BẢN DỰ THẢO".to_string(),
                vec![field("draft label", label)?],
                Some("DỰ THẢO".to_string()),
            ),
            StampKind::Official {
                number,
                signed_on,
                effective_from,
            } => (
                Rgb(0.05, 0.2, 0.6),
                "BẢN CHÍNH THỨC".to_string(),
                {
                    let mut lines = vec![];
                    if let Some(n) = number {
                        lines.push(format!("Số: {}", field("number", n)?));
                    }
                    if let Some(d) = signed_on {
                        lines.push(format!("Ngày ký: {}", date(*d)));
                    }
                    if let Some(d) = effective_from {
                        lines.push(format!("Hiệu lực từ: {}", date(*d)));
                    }
                    lines
                },
                None,
            ),
            StampKind::ControlledCopy {
                copy_no,
                recipient,
                iso_code,
                revision,
            } => (
                Rgb(0.75, 0.05, 0.05),
                format!("BẢN SAO KIỂM SOÁT SỐ {copy_no}"),
                vec![
                    format!("Nơi nhận: {}", field("recipient", recipient)?),
                    format!("Mã hiệu: {}", field("ISO code", iso_code)?),
                    format!("Lần ban hành: {}", field("revision", revision)?),
                ],
                None,
            ),
            StampKind::Expired {
                title,
                since,
                replaced_by,
            } => {
                let mut details = vec![format!("Từ ngày: {}", date(*since))];
                if let Some(by) = replaced_by {
                    details.push(format!("Thay thế bởi: {}", field("replaced_by", by)?));
                }
                (
                    red,
                    title.text().to_string(),
                    details,
                    Some(title.text().to_string()),
                )
            }
        };
        let code = field("verification code", &req.verify_code)?;
        if code.chars().count() > MAX_CODE_CHARS {
            return Err(PdfError::InvalidStamp(format!(
                "verification code is longer than {MAX_CODE_CHARS} characters"
            )));
        }
        let url = clean(&req.verify_url);
        if url.is_empty() || url.len() > MAX_URL_BYTES {
            return Err(PdfError::InvalidStamp(format!(
                "verification URL must be 1 to {MAX_URL_BYTES} bytes"
            )));
        }
        Ok(Self {
            color,
            title,
            details,
            watermark,
            code_line: format!("Mã xác thực: {code}"),
            qr: QrMatrix::encode(&url)?,
            url_line: url,
        })
    }
}

/// The upright frame of a page: its displayed size divided by `scale`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Frame {
    pub w: f32,
    pub h: f32,
    pub scale: f32,
}

impl Frame {
    pub fn for_page(width: f32, height: f32) -> Self {
        let scale = (width / MIN_FRAME.0).min(height / MIN_FRAME.1).min(1.0);
        Self {
            w: width / scale,
            h: height / scale,
            scale,
        }
    }

    /// Right edge of the footer text, left of the QR code.
    fn footer_right(&self) -> f32 {
        self.w - MARGIN - QR_SIZE - 5.0
    }
}

pub fn page_label(page: usize, pages: usize) -> String {
    format!("Trang {page}/{pages}")
}

/// Content of the form XObject drawn on every page of this frame size.
pub fn static_part(
    p: &Prepared,
    frame: Frame,
    pages: usize,
    regular: &mut FontSubset,
    bold: &mut FontSubset,
) -> Vec<u8> {
    let mut c = Content::new();
    let (w, h) = (frame.w, frame.h);

    if let Some(text) = &p.watermark {
        let diagonal = (w * w + h * h).sqrt();
        let unit = bold.width(text, 1.0).max(1.0);
        let size = (0.6 * diagonal / unit).min(140.0);
        let width = unit * size;
        let cap = 0.714 * size;
        let angle = h.atan2(w);
        let (sin, cos) = angle.sin_cos();
        let x = w / 2.0 - (cos * width / 2.0 - sin * cap / 2.0);
        let y = h / 2.0 - (sin * width / 2.0 + cos * cap / 2.0);
        // Outlines, not text: pdftotext reads diagonal text as scattered fragments that would
        // end up in the middle of the page's words. The status box carries the same words as
        // text.
        let em = size / bold.units_per_em();
        c.save()
            .graphics_state(XO_WATERMARK_GS)
            .fill_color(p.color)
            .transform([cos, sin, -sin, cos, x, y])
            .transform([em, 0.0, 0.0, em, 0.0, 0.0]);
        bold.draw_outlines(&mut c, text);
        c.restore();
    }

    // Footer, right: verification text, then the QR code in the corner.
    let right = frame.footer_right();
    // A long URL or code shrinks to leave the left half of the footer to the status box.
    let max_w = 0.45 * w;
    let fit = |font: &mut FontSubset, text: &str, size: f32| {
        let natural = font.width(text, size);
        let size = if natural > max_w {
            size * max_w / natural
        } else {
            size
        };
        (size, font.width(text, size))
    };
    let (code_size, code_w) = fit(regular, &p.code_line, CODE_SIZE);
    let (url_size, url_w) = fit(regular, &p.url_line, URL_SIZE);
    // Noto Sans digits are tabular, so "Trang n/n" is the widest page label.
    let page_w = bold.width(&page_label(pages, pages), PAGE_SIZE);
    let text_w = code_w.max(url_w).max(page_w);
    let footer_left = right - text_w - 3.0;
    c.save()
        .graphics_state(XO_BACKDROP_GS)
        .fill_color(WHITE)
        .rect(footer_left, MARGIN, text_w + 6.0, 36.0)
        .fill()
        .restore();
    let code = regular.encode(&p.code_line);
    let url = regular.encode(&p.url_line);
    c.fill_color(FOOTER_TEXT)
        .begin_text()
        .font(XO_REGULAR, code_size)
        .text_at(right - code_w, MARGIN + 13.0, &code)
        .font(XO_REGULAR, url_size)
        .text_at(right - url_w, MARGIN + 3.0, &url)
        .end_text();
    p.qr.draw(&mut c, w - MARGIN - QR_SIZE, MARGIN, QR_SIZE, BLACK);

    // Footer, left: the status box, as wide as the space the footer text leaves.
    let avail = (footer_left - 8.0 - MARGIN - 2.0 * PAD).max(40.0);
    let mut lines: Vec<(bool, f32, &str)> = vec![(true, TITLE_SIZE, p.title.as_str())];
    lines.extend(p.details.iter().map(|d| (false, DETAIL_SIZE, d.as_str())));
    let mut content_w: f32 = 0.0;
    let mut sized = Vec::with_capacity(lines.len());
    for (is_bold, size, text) in lines {
        let font = if is_bold { &mut *bold } else { &mut *regular };
        let natural = font.width(text, size);
        // A long name shrinks rather than being cut: the text stays exact for pdftotext.
        let size = if natural > avail {
            (size * avail / natural).max(4.0)
        } else {
            size
        };
        content_w = content_w.max(font.width(text, size));
        sized.push((is_bold, size, text));
    }
    let box_h = 2.0 * PAD + sized.iter().map(|(_, s, _)| s * 1.15).sum::<f32>();
    let box_w = content_w + 2.0 * PAD;
    c.save()
        .graphics_state(XO_BACKDROP_GS)
        .fill_color(WHITE)
        .rect(MARGIN, MARGIN, box_w, box_h)
        .fill()
        .restore();
    c.save()
        .stroke_color(p.color)
        .line_width(1.2)
        .rect(MARGIN, MARGIN, box_w, box_h)
        .stroke()
        .restore();
    c.fill_color(p.color).begin_text();
    let mut y = MARGIN + box_h - PAD;
    for (is_bold, size, text) in sized {
        y -= 0.85 * size;
        let (name, font) = if is_bold {
            (XO_BOLD, &mut *bold)
        } else {
            (XO_REGULAR, &mut *regular)
        };
        let encoded = font.encode(text);
        c.font(name, size).text_at(MARGIN + PAD, y, &encoded);
        y -= 0.3 * size;
    }
    c.end_text();
    c.into_bytes()
}

/// Operators drawing "Trang i/n" in the frame, using the page-level bold font `font_name`.
pub fn page_part(
    c: &mut Content,
    frame: Frame,
    label: &str,
    font_name: &str,
    bold: &mut FontSubset,
) {
    let x = frame.footer_right() - bold.width(label, PAGE_SIZE);
    let encoded = bold.encode(label);
    c.fill_color(FOOTER_TEXT)
        .begin_text()
        .font(font_name, PAGE_SIZE)
        .text_at(x, MARGIN + 25.0, &encoded)
        .end_text();
}
