//! A small writer for content-stream operators.
//!
//! Written by hand instead of through `lopdf::content::Content` because stamping emits a few
//! operators per page for up to thousands of pages, and building `Operation` vectors only to
//! encode them again would be wasted work.

use std::io::Write as _;

use lopdf::Object;

#[derive(Default)]
pub struct Content {
    buf: Vec<u8>,
}

/// An RGB colour with components in 0..=1.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rgb(pub f32, pub f32, pub f32);

pub const WHITE: Rgb = Rgb(1.0, 1.0, 1.0);
pub const BLACK: Rgb = Rgb(0.0, 0.0, 0.0);

impl Content {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }

    /// Appends raw operators (used for the fixed `q` / `Q` wrappers).
    pub fn raw(&mut self, ops: &str) -> &mut Self {
        self.buf.extend_from_slice(ops.as_bytes());
        self
    }

    fn num(&mut self, v: f32) {
        // Three decimals is finer than any device; trailing zeros only cost bytes.
        let v = if v.is_finite() { v } else { 0.0 };
        let rounded = (v * 1000.0).round() / 1000.0;
        if rounded == rounded.trunc() {
            let _ = write!(self.buf, "{}", rounded as i64);
        } else {
            let text = format!("{rounded:.3}");
            self.buf
                .extend_from_slice(text.trim_end_matches('0').as_bytes());
        }
        self.buf.push(b' ');
    }

    fn nums(&mut self, values: &[f32]) {
        for &v in values {
            self.num(v);
        }
    }

    fn op(&mut self, op: &str) {
        self.buf.extend_from_slice(op.as_bytes());
        self.buf.push(b'\n');
    }

    fn name(&mut self, name: &str) {
        self.buf.push(b'/');
        self.buf.extend_from_slice(name.as_bytes());
        self.buf.push(b' ');
    }

    pub fn save(&mut self) -> &mut Self {
        self.op("q");
        self
    }

    pub fn restore(&mut self) -> &mut Self {
        self.op("Q");
        self
    }

    pub fn transform(&mut self, m: [f32; 6]) -> &mut Self {
        self.nums(&m);
        self.op("cm");
        self
    }

    pub fn fill_color(&mut self, c: Rgb) -> &mut Self {
        self.nums(&[c.0, c.1, c.2]);
        self.op("rg");
        self
    }

    pub fn stroke_color(&mut self, c: Rgb) -> &mut Self {
        self.nums(&[c.0, c.1, c.2]);
        self.op("RG");
        self
    }

    pub fn line_width(&mut self, w: f32) -> &mut Self {
        self.num(w);
        self.op("w");
        self
    }

    pub fn graphics_state(&mut self, name: &str) -> &mut Self {
        self.name(name);
        self.op("gs");
        self
    }

    /// Adds a rectangle to the current path.
    pub fn rect(&mut self, x: f32, y: f32, w: f32, h: f32) -> &mut Self {
        self.nums(&[x, y, w, h]);
        self.op("re");
        self
    }

    pub fn move_to(&mut self, x: f32, y: f32) -> &mut Self {
        self.nums(&[x, y]);
        self.op("m");
        self
    }

    pub fn line_to(&mut self, x: f32, y: f32) -> &mut Self {
        self.nums(&[x, y]);
        self.op("l");
        self
    }

    pub fn curve_to(&mut self, points: [f32; 6]) -> &mut Self {
        self.nums(&points);
        self.op("c");
        self
    }

    pub fn close_path(&mut self) -> &mut Self {
        self.op("h");
        self
    }

    pub fn fill(&mut self) -> &mut Self {
        self.op("f");
        self
    }

    pub fn stroke(&mut self) -> &mut Self {
        self.op("S");
        self
    }

    pub fn draw_xobject(&mut self, name: &str) -> &mut Self {
        self.name(name);
        self.op("Do");
        self
    }

    pub fn begin_text(&mut self) -> &mut Self {
        self.op("BT");
        self
    }

    pub fn end_text(&mut self) -> &mut Self {
        self.op("ET");
        self
    }

    pub fn font(&mut self, name: &str, size: f32) -> &mut Self {
        self.name(name);
        self.num(size);
        self.op("Tf");
        self
    }

    pub fn text_matrix(&mut self, m: [f32; 6]) -> &mut Self {
        self.nums(&m);
        self.op("Tm");
        self
    }

    /// Shows an encoded string (from `FontSubset::encode`).
    pub fn show(&mut self, encoded: &Object) -> &mut Self {
        if let Object::String(bytes, _) = encoded {
            self.buf.push(b'<');
            for b in bytes {
                let _ = write!(self.buf, "{b:02X}");
            }
            self.buf.extend_from_slice(b"> ");
        }
        self.op("Tj");
        self
    }

    /// One line of text at (x, y) inside a `BT` … `ET` block.
    pub fn text_at(&mut self, x: f32, y: f32, encoded: &Object) -> &mut Self {
        self.text_matrix([1.0, 0.0, 0.0, 1.0, x, y]).show(encoded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short() {
        let mut c = Content::new();
        c.nums(&[1.0, 0.5, -2.25, 1.0 / 3.0, 595.276, f32::NAN]);
        assert_eq!(
            String::from_utf8(c.into_bytes()).unwrap(),
            "1 0.5 -2.25 0.333 595.276 0 "
        );
    }
}
