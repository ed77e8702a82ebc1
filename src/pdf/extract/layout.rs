//! From positioned glyphs to words, lines and paragraphs.
//!
//! Glyphs are taken in content-stream order, which is reading order in what Word and
//! LibreOffice write. A glyph starts a new line when it leaves the baseline of the previous one
//! by more than half the font size (or turns); within a line a space glyph, or a gap of more
//! than a tenth of the font size (poppler's `minWordBreakSpace`), separates words.
//!
//! Lines are then joined into paragraphs, which is what the version's text keeps and what the
//! structure parser reads (a heading starts a line). Two consecutive lines belong to one
//! paragraph unless the second one
//! * starts a new direction or size, or goes back up the page;
//! * sits further below than the page's usual line spacing (space between paragraphs);
//! * is indented while the first one starts at the left margin (a first-line indent);
//! * starts with a word that would have fitted at the end of the first one: the first line
//!   then ended on purpose, not because it was full. This holds for ragged-right text, for
//!   justified text (whose full lines reach the right margin) and for headings.

use std::collections::HashMap;

use super::content::{Glyph, PageGlyphs};

/// Share of the font size by which a glyph may leave the baseline and stay on the line
/// (superscripts, subscripts, marks placed by hand).
const BASELINE_TOLERANCE: f64 = 0.5;
/// Gap, as a share of the font size, that separates two words.
const WORD_GAP: f64 = 0.1;
/// Going back on the line by more than this (in font sizes) is text drawn out of order: a
/// word break rather than overprinting or a mark placed over its letter.
const BACKWARDS_BREAK: f64 = 2.0;
/// Room, as a share of the font size, that a word needs besides its own width to fit at the end
/// of a line: a space (0.25–0.32 em in common fonts) and a margin for where the producer put
/// the right edge, which only the full lines show, approximately.
const FIT_SLACK: f64 = 0.6;

struct Line {
    text: String,
    u: (f64, f64),
    /// Along the baseline: where the line starts, ends, and where its first word ends.
    start: f64,
    end: f64,
    first_word_end: f64,
    /// Across the baseline, growing towards the top of the glyphs.
    base: f64,
    size: f64,
}

fn dot(a: (f64, f64), x: f64, y: f64) -> f64 {
    a.0 * x + a.1 * y
}

fn same_direction(a: (f64, f64), b: (f64, f64)) -> bool {
    a.0 * b.0 + a.1 * b.1 > 0.99
}

/// Appends the paragraphs of a page to `out`.
pub fn paragraphs(page: &PageGlyphs, out: &mut Vec<String>) {
    let lines = lines(page);
    if lines.is_empty() {
        return;
    }

    // Margins and usual spacing, per direction of text.
    let key = |u: (f64, f64)| ((u.0 * 100.0).round() as i32, (u.1 * 100.0).round() as i32);
    let mut margins: HashMap<(i32, i32), (f64, f64)> = HashMap::new();
    for line in &lines {
        let m = margins
            .entry(key(line.u))
            .or_insert((f64::INFINITY, f64::NEG_INFINITY));
        m.0 = m.0.min(line.start);
        m.1 = m.1.max(line.end);
    }
    let mut ratios: Vec<f64> = lines
        .windows(2)
        .filter(|w| same_direction(w[0].u, w[1].u))
        .map(|w| (w[0].base - w[1].base) / w[0].size.max(w[1].size))
        .filter(|r| (0.5..4.0).contains(r))
        .collect();
    ratios.sort_by(f64::total_cmp);
    // The lower quartile: most pairs of lines are inside paragraphs, and where they are not
    // (lists of one-line items), the larger gaps must not become the norm.
    let usual = ratios.get(ratios.len() / 4).copied().unwrap_or(1.2);

    let mut paragraph = lines[0].text.clone();
    for pair in lines.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let (left, right) = margins.get(&key(a.u)).copied().unwrap_or((a.start, a.end));
        let size = a.size.max(b.size);
        let drop = (a.base - b.base) / size;
        let first_word = b.first_word_end - b.start;
        let breaks = !same_direction(a.u, b.u)
            || (a.size - b.size).abs() > 0.15 * size
            || drop < 0.3
            || drop > usual * 1.15 + 0.05
            || (b.start > a.start + 0.5 * size && a.start < left + 0.5 * size)
            || a.end + first_word + FIT_SLACK * size < right;
        if breaks {
            out.push(std::mem::take(&mut paragraph));
        } else {
            paragraph.push(' ');
        }
        paragraph.push_str(&b.text);
    }
    out.push(paragraph);
}

/// Groups glyphs into lines, with the spaces between words.
fn lines(page: &PageGlyphs) -> Vec<Line> {
    let mut lines: Vec<Line> = Vec::new();
    let mut prev: Option<&Glyph> = None;
    let mut pending_space = false;
    for g in &page.glyphs {
        if g.is_space() {
            pending_space = true;
            continue;
        }
        let text = &page.text[g.start..g.end];
        let continues = prev.and_then(|p| {
            let (dx, dy) = (g.x - p.end_x, g.y - p.end_y);
            let size = p.size.max(g.size);
            let across = dot(p.v, dx, dy);
            let along = dot(p.u, dx, dy);
            (same_direction(p.u, g.u) && across.abs() <= BASELINE_TOLERANCE * size)
                .then_some(along / size)
        });
        match (continues, lines.last_mut()) {
            (Some(gap), Some(line)) => {
                let word_break = pending_space || !(-BACKWARDS_BREAK..=WORD_GAP).contains(&gap);
                if word_break && !line.text.ends_with(' ') {
                    if line.first_word_end.is_nan() {
                        line.first_word_end = line.end;
                    }
                    line.text.push(' ');
                }
                line.text.push_str(text);
                line.end = line.end.max(dot(line.u, g.end_x, g.end_y));
                line.size = line.size.max(g.size);
            }
            _ => lines.push(Line {
                text: text.to_string(),
                u: g.u,
                start: dot(g.u, g.x, g.y),
                end: dot(g.u, g.end_x, g.end_y),
                first_word_end: f64::NAN,
                base: dot(g.v, g.x, g.y),
                size: g.size,
            }),
        }
        pending_space = false;
        prev = Some(g);
    }
    for line in &mut lines {
        if line.first_word_end.is_nan() {
            line.first_word_end = line.end;
        }
        let trimmed = line.text.trim_end().len();
        line.text.truncate(trimmed);
    }
    lines.retain(|l| !l.text.trim().is_empty());
    lines
}
