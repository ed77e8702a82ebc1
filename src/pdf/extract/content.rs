//! The content-stream interpreter: runs a page's operators (ISO 32000-1, 8 and 9) and
//! records each shown glyph with its text and its position on the page.
//!
//! Only what places text is tracked: the CTM, the text state and matrices, fonts, forms and
//! marked content. Paths, colours and images are parsed and skipped.

use std::rc::Rc;

use lopdf::content::{Content, Operation};
use lopdf::{Dictionary, Document, Object, ObjectId};

use super::font::{Code, TextFont};
use super::{deref, get, number, Shared};
use crate::pdf::{Limits, PdfError};

/// Forms drawn inside forms: real files nest two or three deep.
const MAX_FORM_DEPTH: usize = 16;
/// `q` without `Q` beyond this is ignored rather than grown without bound.
const MAX_SAVE_DEPTH: usize = 256;
/// How many operators run between two looks at the clock.
const CLOCK_EVERY: usize = 4096;
/// How far `/Parent` chains are followed for inherited resources.
const MAX_TREE_DEPTH: usize = 64;

type Matrix = [f64; 6];
const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// `m` then `n`: points are row vectors, `p' = p × m × n`.
fn mul(m: &Matrix, n: &Matrix) -> Matrix {
    [
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    ]
}

fn apply(m: &Matrix, x: f64, y: f64) -> (f64, f64) {
    (x * m[0] + y * m[2] + m[4], x * m[1] + y * m[3] + m[5])
}

/// Moves a matrix by (tx, ty) in its own space.
fn translate(m: &mut Matrix, tx: f64, ty: f64) {
    m[4] += tx * m[0] + ty * m[2];
    m[5] += tx * m[1] + ty * m[3];
}

/// How a font dictionary is known in the document's cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FontKey {
    Object(ObjectId),
    Inline(usize),
}

/// A glyph on the page, in default user space.
#[derive(Debug, Clone, Copy)]
pub struct Glyph {
    /// Its text is `PageGlyphs::text[start..end]`; an empty range is a space.
    pub start: usize,
    pub end: usize,
    /// Origin and the point the glyph advances to.
    pub x: f64,
    pub y: f64,
    pub end_x: f64,
    pub end_y: f64,
    /// Unit vectors along the baseline and towards the top of the glyph.
    pub u: (f64, f64),
    pub v: (f64, f64),
    /// Font size on the page.
    pub size: f64,
}

impl Glyph {
    pub fn is_space(&self) -> bool {
        self.start == self.end
    }
}

#[derive(Default)]
pub struct PageGlyphs {
    pub text: String,
    pub glyphs: Vec<Glyph>,
    /// Codes shown, whether or not their text is known: the page has a text layer.
    pub shown: usize,
}

#[derive(Clone)]
struct GState {
    ctm: Matrix,
    font: Option<Rc<TextFont>>,
    size: f64,
    char_spacing: f64,
    word_spacing: f64,
    /// `Tz` / 100.
    h_scale: f64,
    leading: f64,
    rise: f64,
}

impl Default for GState {
    fn default() -> Self {
        Self {
            ctm: IDENTITY,
            font: None,
            size: 0.0,
            char_spacing: 0.0,
            word_spacing: 0.0,
            h_scale: 1.0,
            leading: 0.0,
            rise: 0.0,
        }
    }
}

/// An open `/ActualText` span: its glyphs are replaced by its text, placed where they were.
struct ActualText {
    text: String,
    /// Marked-content depth at which it opened.
    depth: usize,
    first: Option<Glyph>,
    end: (f64, f64),
}

struct Interpreter<'a, 's> {
    doc: &'a Document,
    shared: &'s mut Shared,
    page: usize,
    max_ops: usize,
    /// Operators and glyphs so far, forms included.
    ops: usize,
    /// `ops / CLOCK_EVERY` when the clock was last read.
    clock_at: usize,
    gs: GState,
    stack: Vec<GState>,
    tm: Matrix,
    tlm: Matrix,
    marked_depth: usize,
    actual: Option<ActualText>,
    forms: Vec<ObjectId>,
    out: PageGlyphs,
}

pub fn read_page(
    doc: &Document,
    id: ObjectId,
    page: usize,
    limits: &Limits,
    shared: &mut Shared,
) -> Result<PageGlyphs, PdfError> {
    let Ok(dict) = doc.get_dictionary(id) else {
        return Ok(PageGlyphs::default());
    };
    let resources = inherited(doc, dict, b"Resources").and_then(|r| r.as_dict().ok());
    let mut data = Vec::new();
    let streams: Vec<&Object> = match get(doc, dict, b"Contents") {
        Some(Object::Array(items)) => items.iter().map(|o| deref(doc, o)).collect(),
        Some(stream @ Object::Stream(_)) => vec![stream],
        _ => vec![],
    };
    for stream in streams {
        if let Object::Stream(stream) = stream {
            if let Some(bytes) = shared.budget.decode(stream)? {
                data.extend_from_slice(&bytes);
                // Operators may not span streams, but a missing separator would glue two.
                data.push(b'\n');
            }
        }
    }
    let mut interp = Interpreter {
        doc,
        shared,
        page,
        max_ops: limits.max_operators_per_page,
        ops: 0,
        clock_at: 0,
        gs: GState::default(),
        stack: Vec::new(),
        tm: IDENTITY,
        tlm: IDENTITY,
        marked_depth: 0,
        actual: None,
        forms: Vec::new(),
        out: PageGlyphs::default(),
    };
    interp.run(&data, resources)?;
    interp.close_actual_text();
    Ok(interp.out)
}

/// A page attribute, looked up through the page tree (ISO 32000-1, 7.7.3.4).
fn inherited<'a>(doc: &'a Document, page: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    let mut node = page;
    for _ in 0..MAX_TREE_DEPTH {
        if let Some(value) = get(doc, node, key) {
            return Some(value);
        }
        node = get(doc, node, b"Parent").and_then(|p| p.as_dict().ok())?;
    }
    None
}

fn operand(doc: &Document, op: &Operation, i: usize) -> f64 {
    op.operands
        .get(i)
        .and_then(|o| number(doc, o))
        .unwrap_or(0.0)
}

fn matrix_operands(doc: &Document, op: &Operation) -> Option<Matrix> {
    if op.operands.len() < 6 {
        return None;
    }
    let mut m = [0.0; 6];
    for (i, slot) in m.iter_mut().enumerate() {
        *slot = number(doc, &op.operands[i])?;
    }
    Some(m)
}

impl<'a> Interpreter<'a, '_> {
    fn run(&mut self, data: &[u8], resources: Option<&'a Dictionary>) -> Result<(), PdfError> {
        let doc = self.doc;
        for op in Content::decode_iter(data) {
            // A damaged stream keeps the text read before the damage, as in other readers.
            let Ok(op) = op else { break };
            self.ops += 1;
            self.check_effort()?;
            match op.operator.as_str() {
                "q" if self.stack.len() < MAX_SAVE_DEPTH => self.stack.push(self.gs.clone()),
                "Q" => {
                    if let Some(gs) = self.stack.pop() {
                        self.gs = gs;
                    }
                }
                "cm" => {
                    if let Some(m) = matrix_operands(doc, &op) {
                        self.gs.ctm = mul(&m, &self.gs.ctm);
                    }
                }
                "BT" => {
                    self.tm = IDENTITY;
                    self.tlm = IDENTITY;
                }
                "Tf" => {
                    self.gs.size = operand(doc, &op, 1);
                    self.gs.font = match op.operands.first() {
                        Some(Object::Name(name)) => self.font(resources, name)?,
                        _ => None,
                    };
                }
                "Tc" => self.gs.char_spacing = operand(doc, &op, 0),
                "Tw" => self.gs.word_spacing = operand(doc, &op, 0),
                "Tz" => self.gs.h_scale = operand(doc, &op, 0) / 100.0,
                "TL" => self.gs.leading = operand(doc, &op, 0),
                "Ts" => self.gs.rise = operand(doc, &op, 0),
                "Td" => self.move_line(operand(doc, &op, 0), operand(doc, &op, 1)),
                "TD" => {
                    let ty = operand(doc, &op, 1);
                    self.gs.leading = -ty;
                    self.move_line(operand(doc, &op, 0), ty);
                }
                "Tm" => {
                    if let Some(m) = matrix_operands(doc, &op) {
                        self.tm = m;
                        self.tlm = m;
                    }
                }
                "T*" => self.move_line(0.0, -self.gs.leading),
                "Tj" => {
                    if let Some(Object::String(bytes, _)) = op.operands.first() {
                        self.show(bytes);
                    }
                }
                "'" => {
                    self.move_line(0.0, -self.gs.leading);
                    if let Some(Object::String(bytes, _)) = op.operands.first() {
                        self.show(bytes);
                    }
                }
                "\"" => {
                    self.gs.word_spacing = operand(doc, &op, 0);
                    self.gs.char_spacing = operand(doc, &op, 1);
                    self.move_line(0.0, -self.gs.leading);
                    if let Some(Object::String(bytes, _)) = op.operands.get(2) {
                        self.show(bytes);
                    }
                }
                "TJ" => {
                    if let Some(Object::Array(items)) = op.operands.first() {
                        for item in items {
                            match item {
                                Object::String(bytes, _) => self.show(bytes),
                                Object::Integer(_) | Object::Real(_) => {
                                    let n = number(doc, item).unwrap_or(0.0);
                                    let tx = -n / 1000.0 * self.gs.size * self.gs.h_scale;
                                    translate(&mut self.tm, tx, 0.0);
                                }
                                _ => {}
                            }
                        }
                    }
                }
                "Do" => {
                    if let Some(Object::Name(name)) = op.operands.first() {
                        self.draw_form(resources, name)?;
                    }
                }
                "BMC" => self.marked_depth += 1,
                "BDC" => {
                    self.marked_depth += 1;
                    if self.actual.is_none() {
                        if let Some(text) = self.actual_text(resources, &op) {
                            self.actual = Some(ActualText {
                                text,
                                depth: self.marked_depth,
                                first: None,
                                end: (0.0, 0.0),
                            });
                        }
                    }
                }
                "EMC" => {
                    if self
                        .actual
                        .as_ref()
                        .is_some_and(|a| a.depth == self.marked_depth)
                    {
                        self.close_actual_text();
                    }
                    self.marked_depth = self.marked_depth.saturating_sub(1);
                }
                _ => {}
            }
            // Showing text counts its glyphs.
            self.check_effort()?;
        }
        Ok(())
    }

    fn check_effort(&mut self) -> Result<(), PdfError> {
        if self.ops > self.max_ops {
            return Err(PdfError::TooComplex {
                page: self.page,
                max: self.max_ops,
            });
        }
        if self.ops / CLOCK_EVERY != self.clock_at {
            self.clock_at = self.ops / CLOCK_EVERY;
            self.shared.budget.check_time()?;
        }
        Ok(())
    }

    fn move_line(&mut self, tx: f64, ty: f64) {
        translate(&mut self.tlm, tx, ty);
        self.tm = self.tlm;
    }

    fn font(
        &mut self,
        resources: Option<&'a Dictionary>,
        name: &[u8],
    ) -> Result<Option<Rc<TextFont>>, PdfError> {
        let doc = self.doc;
        let Some(entry) = resources
            .and_then(|r| get(doc, r, b"Font"))
            .and_then(|f| f.as_dict().ok())
            .and_then(|f| f.get(name).ok())
        else {
            return Ok(None);
        };
        let Ok(dict) = deref(doc, entry).as_dict() else {
            return Ok(None);
        };
        // A font dictionary is read once per document, whether it is an object of its own or
        // written inside a resource dictionary (then known by its address in the document).
        let key = match entry {
            Object::Reference(id) => FontKey::Object(*id),
            _ => FontKey::Inline(std::ptr::from_ref(dict) as usize),
        };
        if let Some(font) = self.shared.fonts.get(&key) {
            return Ok(Some(font.clone()));
        }
        let font = Rc::new(TextFont::load(doc, dict, &mut self.shared.budget)?);
        self.shared.fonts.insert(key, font.clone());
        Ok(Some(font))
    }

    fn show(&mut self, bytes: &[u8]) {
        let Some(font) = self.gs.font.clone() else {
            return;
        };
        let gs = &self.gs;
        let (size, h_scale, rise) = (gs.size, gs.h_scale, gs.rise);
        let (char_spacing, word_spacing) = (gs.char_spacing, gs.word_spacing);
        let ctm = gs.ctm;
        let max_ops = self.max_ops;
        font.decode(bytes, |code: Code<'_>| {
            // Each glyph counts as an operator: one string can hold millions of them, and each
            // costs memory. The caller sees the count over the cap and refuses the page.
            self.ops += 1;
            if self.ops > max_ops {
                return false;
            }
            self.out.shown += 1;
            let m = mul(&self.tm, &ctm);
            let mut advance = code.width * size + char_spacing;
            if code.word_space {
                advance += word_spacing;
            }
            advance *= h_scale;
            let (x, y) = apply(&m, 0.0, rise);
            let (end_x, end_y) = apply(&m, advance, rise);
            translate(&mut self.tm, advance, 0.0);

            let along = m[0].hypot(m[1]);
            let up = m[2].hypot(m[3]);
            let glyph_size = (size * up * font.height()).abs();
            if !(glyph_size > 1e-6 && along > 1e-9 && glyph_size.is_finite()) {
                return true;
            }
            let text = code.text;
            let is_space = text.chars().all(char::is_whitespace) && !text.is_empty();
            if !is_space && !text.chars().any(|c| !c.is_control()) {
                return true;
            }
            let mut glyph = Glyph {
                start: self.out.text.len(),
                end: self.out.text.len(),
                x,
                y,
                end_x,
                end_y,
                u: (m[0] / along, m[1] / along),
                v: (m[2] / up, m[3] / up),
                size: glyph_size,
            };
            if let Some(actual) = &mut self.actual {
                actual.first.get_or_insert(glyph);
                actual.end = (end_x, end_y);
                return true;
            }
            if !is_space {
                self.out
                    .text
                    .extend(text.chars().filter(|c| !c.is_control()));
                glyph.end = self.out.text.len();
            }
            self.out.glyphs.push(glyph);
            true
        });
    }

    fn actual_text(&self, resources: Option<&'a Dictionary>, op: &Operation) -> Option<String> {
        let doc = self.doc;
        let props = match op.operands.get(1)? {
            Object::Dictionary(dict) => dict,
            Object::Name(name) => resources
                .and_then(|r| get(doc, r, b"Properties"))
                .and_then(|p| p.as_dict().ok())
                .and_then(|p| get(doc, p, name))
                .and_then(|p| p.as_dict().ok())?,
            _ => return None,
        };
        lopdf::decode_text_string(get(doc, props, b"ActualText")?).ok()
    }

    /// Places an `/ActualText` span's text where its first glyph was, spanning to where its
    /// last glyph ended. A span that drew nothing adds nothing, as in poppler.
    fn close_actual_text(&mut self) {
        let Some(actual) = self.actual.take() else {
            return;
        };
        let Some(mut glyph) = actual.first else {
            return;
        };
        let text: String = actual.text.chars().filter(|c| !c.is_control()).collect();
        // An empty ActualText hides its glyphs (a hyphen added by line breaking, say).
        if text.is_empty() {
            return;
        }
        glyph.start = self.out.text.len();
        if !text.chars().all(char::is_whitespace) {
            self.out.text.push_str(&text);
        }
        glyph.end = self.out.text.len();
        (glyph.end_x, glyph.end_y) = actual.end;
        self.out.glyphs.push(glyph);
    }

    fn draw_form(
        &mut self,
        resources: Option<&'a Dictionary>,
        name: &[u8],
    ) -> Result<(), PdfError> {
        let doc = self.doc;
        let Some(Object::Reference(id)) = resources
            .and_then(|r| get(doc, r, b"XObject"))
            .and_then(|x| x.as_dict().ok())
            .and_then(|x| x.get(name).ok())
        else {
            return Ok(());
        };
        let Ok(Object::Stream(stream)) = doc.get_object(*id) else {
            return Ok(());
        };
        let is_form = get(doc, &stream.dict, b"Subtype")
            .and_then(|s| s.as_name().ok())
            .is_some_and(|s| s == b"Form");
        if !is_form || self.forms.len() >= MAX_FORM_DEPTH || self.forms.contains(id) {
            return Ok(());
        }
        let data = match self.shared.forms.get(id) {
            Some(data) => data.clone(),
            None => {
                let data = Rc::new(self.shared.budget.decode(stream)?.unwrap_or_default());
                self.shared.forms.insert(*id, data.clone());
                data
            }
        };
        let matrix = get(doc, &stream.dict, b"Matrix")
            .and_then(|m| m.as_array().ok())
            .filter(|m| m.len() == 6)
            .and_then(|m| {
                let mut out = [0.0; 6];
                for (slot, item) in out.iter_mut().zip(m) {
                    *slot = number(doc, item)?;
                }
                Some(out)
            })
            .unwrap_or(IDENTITY);
        let form_resources = get(doc, &stream.dict, b"Resources")
            .and_then(|r| r.as_dict().ok())
            .or(resources);

        let saved = (self.gs.clone(), self.stack.len(), self.tm, self.tlm);
        self.gs.ctm = mul(&matrix, &self.gs.ctm);
        self.forms.push(*id);
        let result = self.run(&data, form_resources);
        self.forms.pop();
        self.stack.truncate(saved.1);
        (self.gs, _, self.tm, self.tlm) = saved;
        result
    }
}
