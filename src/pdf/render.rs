//! A clean A4 PDF from the plain text of a version.
//!
//! Line layout only: greedy word wrap on glyph advances, no hyphenation, no justification.
//! Lines starting with "Chương" are centred bold headings and lines starting with "Điều" bold
//! ones, as in Vietnamese legal documents; page numbers go at the top centre (Decree
//! 30/2020/NĐ-CP), leaving the bottom margin free for stamps.

use lopdf::{dictionary, Document, Object, Stream, StringFormat};

use super::clean;
use super::content::{Content, BLACK};
use super::font::{add, compress, FontSubset, Weight};
use super::PdfError;

const PAGE_W: f32 = 595.276;
const PAGE_H: f32 = 841.89;
// Margins of Decree 30/2020: left 30 mm, right 20 mm, top 25 mm, bottom 20 mm.
const LEFT: f32 = 85.04;
const RIGHT: f32 = 56.69;
const TOP: f32 = 70.87;
const BOTTOM: f32 = 56.69;
const BODY_SIZE: f32 = 12.0;
const LEADING: f32 = 1.35;
const PARAGRAPH_GAP: f32 = 6.0;

#[derive(Clone, Copy, PartialEq)]
enum Align {
    Left,
    Center,
}

#[derive(Clone, Copy)]
struct Style {
    weight: Weight,
    size: f32,
    align: Align,
    space_before: f32,
    /// Keep at least one following line on the same page.
    keep_with_next: bool,
}

const TITLE: Style = Style {
    weight: Weight::Bold,
    size: 14.0,
    align: Align::Center,
    space_before: 0.0,
    keep_with_next: true,
};
const CHAPTER: Style = Style {
    weight: Weight::Bold,
    size: 13.0,
    align: Align::Center,
    space_before: 12.0,
    keep_with_next: true,
};
const ARTICLE: Style = Style {
    weight: Weight::Bold,
    size: BODY_SIZE,
    align: Align::Left,
    space_before: 8.0,
    keep_with_next: true,
};
const BODY: Style = Style {
    weight: Weight::Regular,
    size: BODY_SIZE,
    align: Align::Left,
    space_before: 2.0,
    keep_with_next: false,
};

struct Fonts {
    regular: FontSubset,
    bold: FontSubset,
}

impl Fonts {
    fn get(&mut self, weight: Weight) -> &mut FontSubset {
        match weight {
            Weight::Regular => &mut self.regular,
            Weight::Bold => &mut self.bold,
        }
    }
}

fn resource_name(weight: Weight) -> &'static str {
    match weight {
        Weight::Regular => "R",
        Weight::Bold => "B",
    }
}

/// One laid-out line: its text and style, and where it sits on its page.
struct Placed {
    text: String,
    style: Style,
    x: f32,
    baseline: f32,
}

/// One paragraph of a generated PDF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A centred bold heading: a chapter (Chương), a report's section.
    Heading(String),
    /// A bold heading on the left: an article (Điều), one agency in a report.
    Subheading(String),
    Text(String),
    /// Space between paragraphs.
    Gap,
    PageBreak,
}

/// A version's plain text on A4 pages: "Chương" lines as centred headings, "Điều" lines
/// in bold, a form feed as a page break.
pub fn render_text_pdf(title: &str, body: &str) -> Result<Vec<u8>, PdfError> {
    render_pdf(title, &text_blocks(body))
}

fn text_blocks(body: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    // A form feed starts a new page, as in plain-text files meant for printing.
    for (n, section) in body.split('\u{c}').enumerate() {
        if n > 0 {
            blocks.push(Block::PageBreak);
        }
        for raw in section.lines() {
            let line = clean(raw);
            let first = line.split_whitespace().next().map(str::to_lowercase);
            blocks.push(match first.as_deref() {
                None => Block::Gap,
                Some("chương") => Block::Heading(line),
                Some("điều") => Block::Subheading(line),
                Some(_) => Block::Text(line),
            });
        }
    }
    blocks
}

/// Paragraphs laid out on A4 pages under a centred title, with "Trang i/n" on each page.
pub fn render_pdf(title: &str, blocks: &[Block]) -> Result<Vec<u8>, PdfError> {
    let mut fonts = Fonts {
        regular: FontSubset::new(Weight::Regular)?,
        bold: FontSubset::new(Weight::Bold)?,
    };

    // Each paragraph with its style, wrapped into lines; `None` for a page break.
    let mut paragraphs: Vec<Option<(Style, Vec<String>)>> = Vec::new();
    let title = clean(title);
    if !title.is_empty() {
        paragraphs.push(Some((TITLE, wrap(&title, TITLE, &mut fonts))));
    }
    let mut gap: f32 = if title.is_empty() { 0.0 } else { 10.0 };
    for block in blocks {
        let (mut style, line) = match block {
            Block::PageBreak => {
                paragraphs.push(None);
                gap = 0.0;
                continue;
            }
            Block::Gap => {
                gap = gap.max(PARAGRAPH_GAP);
                continue;
            }
            Block::Heading(t) => (CHAPTER, clean(t)),
            Block::Subheading(t) => (ARTICLE, clean(t)),
            Block::Text(t) => (BODY, clean(t)),
        };
        if line.is_empty() {
            gap = gap.max(PARAGRAPH_GAP);
            continue;
        }
        style.space_before = style.space_before.max(gap);
        gap = 0.0;
        paragraphs.push(Some((style, wrap(&line, style, &mut fonts))));
    }

    // Pagination.
    let mut pages: Vec<Vec<Placed>> = vec![Vec::new()];
    let top = PAGE_H - TOP;
    let mut y = top;
    for paragraph in paragraphs {
        let Some((style, lines)) = paragraph else {
            if pages.last().is_some_and(|page| !page.is_empty()) {
                pages.push(Vec::new());
                y = top;
            }
            continue;
        };
        let line_h = style.size * LEADING;
        let count = lines.len();
        for (i, text) in lines.into_iter().enumerate() {
            let mut before = if i == 0 { style.space_before } else { 0.0 };
            // A heading moves to the next page with the line that follows it.
            let keep = if style.keep_with_next && i + 1 == count {
                BODY_SIZE * LEADING
            } else {
                0.0
            };
            if y < top && y - before - line_h - keep < BOTTOM {
                pages.push(Vec::new());
                y = top;
            }
            if y >= top {
                before = 0.0;
            }
            y -= before;
            let width = fonts.get(style.weight).width(&text, style.size);
            let x = match style.align {
                Align::Left => LEFT,
                Align::Center => LEFT + ((PAGE_W - LEFT - RIGHT - width) / 2.0).max(0.0),
            };
            y -= line_h;
            let placed = Placed {
                text,
                style,
                x,
                baseline: y + 0.3 * style.size,
            };
            if let Some(page) = pages.last_mut() {
                page.push(placed);
            }
        }
    }

    let mut doc = Document::with_version("1.7");
    let regular_id = doc
        .try_new_object_id()
        .map_err(|e| PdfError::Write(e.to_string()))?;
    let bold_id = doc
        .try_new_object_id()
        .map_err(|e| PdfError::Write(e.to_string()))?;
    let pages_id = doc
        .try_new_object_id()
        .map_err(|e| PdfError::Write(e.to_string()))?;

    let total = pages.len();
    let mut kids = Vec::with_capacity(total);
    for (index, lines) in pages.iter().enumerate() {
        let mut c = Content::new();
        c.fill_color(BLACK).begin_text();
        let label = format!("Trang {}/{}", index + 1, total);
        let label_w = fonts.regular.width(&label, 9.0);
        let encoded = fonts.regular.encode(&label);
        c.font("R", 9.0)
            .text_at((PAGE_W - label_w) / 2.0, PAGE_H - 36.0, &encoded);
        for line in lines {
            let encoded = fonts.get(line.style.weight).encode(&line.text);
            c.font(resource_name(line.style.weight), line.style.size)
                .text_at(line.x, line.baseline, &encoded);
        }
        c.end_text();
        let mut stream = Stream::new(dictionary! {}, c.into_bytes());
        compress(&mut stream)?;
        let content_id = add(&mut doc, stream)?;
        let page_id = add(
            &mut doc,
            dictionary! {
                "Type" => "Page",
                "Parent" => pages_id,
                "Contents" => content_id,
            },
        )?;
        kids.push(Object::Reference(page_id));
    }

    // Size and fonts are set once on the page tree and inherited by every page.
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => kids,
            "Count" => total as i64,
            "MediaBox" => vec![0.into(), 0.into(), PAGE_W.into(), PAGE_H.into()],
            "Resources" => dictionary! {
                "Font" => dictionary! { "R" => regular_id, "B" => bold_id },
            },
        }),
    );
    fonts.regular.embed(&mut doc, regular_id)?;
    fonts.bold.embed(&mut doc, bold_id)?;

    let catalog_id = add(
        &mut doc,
        dictionary! {
            "Type" => "Catalog",
            "Pages" => pages_id,
            "Lang" => Object::string_literal("vi-VN"),
        },
    )?;
    let info_id = add(
        &mut doc,
        dictionary! {
            "Title" => text_string(&title),
            "Producer" => Object::string_literal("vanban"),
        },
    )?;
    doc.trailer.set("Root", catalog_id);
    doc.trailer.set("Info", info_id);

    let mut out = Vec::new();
    doc.save_to(&mut out)
        .map_err(|e| PdfError::Write(e.to_string()))?;
    Ok(out)
}

/// A PDF text string in UTF-16BE with its byte-order mark, which every reader decodes.
fn text_string(text: &str) -> Object {
    let mut bytes = vec![0xFE, 0xFF];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_be_bytes());
    }
    Object::String(bytes, StringFormat::Hexadecimal)
}

/// Greedy word wrap to the text width; a word wider than a line is broken between characters.
fn wrap(text: &str, style: Style, fonts: &mut Fonts) -> Vec<String> {
    let max = PAGE_W - LEFT - RIGHT;
    let font = fonts.get(style.weight);
    let space = font.width(" ", style.size);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut line_w = 0.0;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let word_w = font.width(word, style.size);
        if !line.is_empty() && line_w + space + word_w <= max {
            line.push(' ');
            line.push_str(word);
            line_w += space + word_w;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if word_w <= max {
            line.push_str(word);
            line_w = word_w;
            continue;
        }
        line_w = 0.0;
        for c in word.chars() {
            let mut buf = [0u8; 4];
            let c_w = font.width(c.encode_utf8(&mut buf), style.size);
            if !line.is_empty() && line_w + c_w > max {
                lines.push(std::mem::take(&mut line));
                line_w = 0.0;
            }
            line.push(c);
            line_w += c_w;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}
