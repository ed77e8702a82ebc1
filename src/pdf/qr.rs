//! The verification QR code, drawn as filled rectangles.
//!
//! Vector modules stay sharp at any zoom or print resolution and cost far less than an image;
//! runs of dark modules on a row are merged into one rectangle.

use qrcode::{Color, EcLevel, QrCode};

use super::content::{Content, Rgb, WHITE};
use super::PdfError;

/// Modules of white kept around the symbol. The standard asks for 4; the code sits on a
/// white margin anyway, and 2 leaves larger modules in the same space.
const QUIET_ZONE: usize = 2;

/// The module matrix of a QR code, row by row from the top.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrMatrix {
    pub width: usize,
    pub dark: Vec<bool>,
}

impl QrMatrix {
    /// Error correction M (15%): survives a crease or a smudge on paper without making the
    /// symbol much denser than L.
    pub fn encode(data: &str) -> Result<Self, PdfError> {
        let code =
            QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M).map_err(|e| {
                PdfError::InvalidStamp(format!("verification URL cannot be a QR code: {e}"))
            })?;
        Ok(Self {
            width: code.width(),
            dark: code
                .to_colors()
                .into_iter()
                .map(|c| c == Color::Dark)
                .collect(),
        })
    }

    fn is_dark(&self, x: usize, y: usize) -> bool {
        self.dark.get(y * self.width + x).copied().unwrap_or(false)
    }

    /// Horizontal runs of dark modules as (column, row, length), rows from the top.
    pub fn runs(&self) -> Vec<(usize, usize, usize)> {
        let mut runs = Vec::new();
        for y in 0..self.width {
            let mut x = 0;
            while x < self.width {
                if self.is_dark(x, y) {
                    let start = x;
                    while x < self.width && self.is_dark(x, y) {
                        x += 1;
                    }
                    runs.push((start, y, x - start));
                } else {
                    x += 1;
                }
            }
        }
        runs
    }

    /// Draws the code with its quiet zone in the square (x, y, size), y being the bottom edge.
    pub fn draw(&self, c: &mut Content, x: f32, y: f32, size: f32, color: Rgb) {
        let modules = (self.width + 2 * QUIET_ZONE) as f32;
        let m = size / modules;
        let origin_x = x + QUIET_ZONE as f32 * m;
        let top = y + size - QUIET_ZONE as f32 * m;
        c.save().fill_color(WHITE).rect(x, y, size, size).fill();
        c.fill_color(color);
        for (col, row, len) in self.runs() {
            c.rect(
                origin_x + col as f32 * m,
                top - (row + 1) as f32 * m,
                len as f32 * m,
                m,
            );
        }
        c.fill().restore();
    }
}

#[cfg(test)]
mod tests {
    use super::super::content::BLACK;
    use super::*;

    /// The rectangles drawn cover exactly the dark modules of the `qrcode` matrix.
    #[test]
    fn drawn_rectangles_match_the_matrix() {
        let qr =
            QrMatrix::encode("https://vanban.example.vn/api/v1/verify/7K3Q-9XWD-2M4P").unwrap();
        let mut content = Content::new();
        let size = (qr.width + 2 * QUIET_ZONE) as f32; // one unit per module
        qr.draw(&mut content, 0.0, 0.0, size, BLACK);
        let text = String::from_utf8(content.into_bytes()).unwrap();
        let mut drawn = vec![false; qr.width * qr.width];
        let rects: Vec<Vec<f32>> = text
            .lines()
            .filter(|l| l.ends_with(" re"))
            .map(|l| l.split(' ').take(4).map(|n| n.parse().unwrap()).collect())
            .collect();
        // The first rectangle is the white background.
        for r in &rects[1..] {
            let (x, y, w) = (r[0] as usize, r[1] as usize, r[2] as usize);
            let row = qr.width + QUIET_ZONE - 1 - y;
            for col in x - QUIET_ZONE..x - QUIET_ZONE + w {
                assert!(!drawn[row * qr.width + col], "module drawn twice");
                drawn[row * qr.width + col] = true;
            }
        }
        assert_eq!(drawn, qr.dark);
    }
}
