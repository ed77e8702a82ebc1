//! The bundled Noto Sans faces and the Type0 fonts built from them.
//!
//! lopdf's own `add_font` writes a simple WinAnsi TrueType font, which cannot show Vietnamese.
//! Here each face becomes a composite font: `Type0` / `CIDFontType2`, `Identity-H` encoding, two
//! bytes per glyph, `CIDToGIDMap /Identity`. `subsetter` renumbers the kept glyphs from 0 and drops
//! the `cmap` table, so the CIDs written in content streams are the *new* glyph ids, the widths
//! (`/W`) come from the original face, and a `ToUnicode` CMap maps every CID back to its text so
//! that copy/paste and `pdftotext` give the exact letters.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::sync::OnceLock;

use lopdf::{dictionary, Document, Object, ObjectId, Stream, StringFormat};
use subsetter::GlyphRemapper;
use ttf_parser::{Face, GlyphId, OutlineBuilder};

use super::content::Content;

use super::PdfError;

static REGULAR_TTF: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/fonts/NotoSans-Regular.ttf"
));
static BOLD_TTF: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/fonts/NotoSans-Bold.ttf"
));

/// Which of the two bundled faces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Weight {
    Regular,
    Bold,
}

impl Weight {
    fn data(self) -> &'static [u8] {
        match self {
            Weight::Regular => REGULAR_TTF,
            Weight::Bold => BOLD_TTF,
        }
    }

    /// Fixed rather than read from the `name` table: the faces are ours, and the first
    /// PostScript-name record may be a Mac entry that does not decode.
    fn postscript_name(self) -> &'static str {
        match self {
            Weight::Regular => "NotoSans-Regular",
            Weight::Bold => "NotoSans-Bold",
        }
    }

    /// Dominant stem width for the descriptor; viewers only use it to fake a missing font.
    fn stem_v(self) -> i64 {
        match self {
            Weight::Regular => 80,
            Weight::Bold => 140,
        }
    }
}

/// Parsed once per process, not once per document.
fn face(weight: Weight) -> Result<&'static Face<'static>, PdfError> {
    static REGULAR: OnceLock<Option<Face<'static>>> = OnceLock::new();
    static BOLD: OnceLock<Option<Face<'static>>> = OnceLock::new();
    let cell = match weight {
        Weight::Regular => &REGULAR,
        Weight::Bold => &BOLD,
    };
    cell.get_or_init(|| Face::parse(weight.data(), 0).ok())
        .as_ref()
        .ok_or_else(|| PdfError::Font(format!("{} does not parse", weight.postscript_name())))
}

/// Glyph id and advance width (font units) of one character, with the fallbacks applied.
#[derive(Clone, Copy)]
struct Glyph {
    gid: u16,
    advance: u16,
    /// The character the glyph actually shows, for the ToUnicode map.
    shows: char,
}

/// The glyphs one document uses from one face, collected while its content streams are
/// written, then embedded once as a subset.
pub struct FontSubset {
    weight: Weight,
    face: &'static Face<'static>,
    remapper: GlyphRemapper,
    /// New CID -> the character it shows.
    used: BTreeMap<u16, char>,
    cache: HashMap<char, Glyph>,
}

impl FontSubset {
    pub fn new(weight: Weight) -> Result<Self, PdfError> {
        Ok(Self {
            weight,
            face: face(weight)?,
            remapper: GlyphRemapper::new(),
            used: BTreeMap::new(),
            cache: HashMap::new(),
        })
    }

    fn glyph(&mut self, c: char) -> Glyph {
        if let Some(glyph) = self.cache.get(&c) {
            return *glyph;
        }
        let face = self.face;
        let lookup = |c: char| face.glyph_index(c).filter(|g| g.0 != 0);
        // A character the face lacks is drawn as '?', so the gap is visible and extractable,
        // rather than as the empty .notdef box that pdftotext would drop.
        let (gid, shows) = match lookup(c) {
            Some(gid) => (gid, c),
            None => (lookup('?').unwrap_or(GlyphId(0)), '?'),
        };
        let glyph = Glyph {
            gid: gid.0,
            advance: face.glyph_hor_advance(gid).unwrap_or(0),
            shows,
        };
        self.cache.insert(c, glyph);
        glyph
    }

    /// Width of `text` in points at `size`. `text` must already be NFC (see `super::clean`).
    pub fn width(&mut self, text: &str, size: f32) -> f32 {
        let units: u32 = text.chars().map(|c| u32::from(self.glyph(c).advance)).sum();
        units as f32 * size / f32::from(self.face.units_per_em())
    }

    /// Draws `text` as filled glyph outlines at the origin, in font units (the caller scales
    /// by `size / units_per_em`). Used where the shapes matter but the text must not be
    /// extracted, such as a diagonal watermark.
    pub fn draw_outlines(&mut self, c: &mut Content, text: &str) {
        let mut pen = 0.0;
        for ch in text.chars() {
            let glyph = self.glyph(ch);
            let mut path = OutlinePath {
                c: &mut *c,
                dx: pen,
                current: (0.0, 0.0),
            };
            self.face.outline_glyph(GlyphId(glyph.gid), &mut path);
            pen += f32::from(glyph.advance);
        }
        // TrueType contours are meant for the nonzero winding rule, which `f` uses.
        c.fill();
    }

    pub fn units_per_em(&self) -> f32 {
        f32::from(self.face.units_per_em())
    }

    /// The two-byte CIDs of `text`, as a hex string operand for `Tj`. Records the glyphs
    /// for the subset and their text for the ToUnicode map.
    pub fn encode(&mut self, text: &str) -> Object {
        let mut bytes = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            let glyph = self.glyph(c);
            let cid = self.remapper.remap(glyph.gid);
            // Where characters share a glyph (a space and a no-break space), the first one seen
            // is what copy/paste returns.
            self.used.entry(cid).or_insert(glyph.shows);
            bytes.extend_from_slice(&cid.to_be_bytes());
        }
        Object::String(bytes, StringFormat::Hexadecimal)
    }

    /// Writes the subset font objects into `doc` under `font_id` (reserved by the caller, since
    /// resource dictionaries refer to it before all the text is known).
    pub fn embed(&self, doc: &mut Document, font_id: ObjectId) -> Result<(), PdfError> {
        let face = self.face;
        let scale = 1000.0 / f32::from(face.units_per_em());
        let to_pdf = |v: i16| (f32::from(v) * scale).round() as i64;

        let program = subsetter::subset(self.weight.data(), 0, &self.remapper)
            .map_err(|e| PdfError::Font(format!("subsetting: {e}")))?;
        let mut font_file = Stream::new(dictionary! { "Length1" => program.len() as i64 }, program);
        compress(&mut font_file)?;
        let font_file_id = add(doc, font_file)?;

        let base_font = format!("{}+{}", self.subset_tag(), self.weight.postscript_name());
        let bbox = face.global_bounding_box();
        let descriptor_id = add(
            doc,
            dictionary! {
                "Type" => "FontDescriptor",
                "FontName" => Object::Name(base_font.clone().into_bytes()),
                // Nonsymbolic: the glyphs are from the standard Latin set.
                "Flags" => 32,
                "FontBBox" => vec![to_pdf(bbox.x_min).into(), to_pdf(bbox.y_min).into(),
                                   to_pdf(bbox.x_max).into(), to_pdf(bbox.y_max).into()],
                "ItalicAngle" => 0,
                "Ascent" => to_pdf(face.ascender()),
                "Descent" => to_pdf(face.descender()),
                "CapHeight" => to_pdf(face.capital_height().unwrap_or(face.ascender())),
                "StemV" => self.weight.stem_v(),
                "FontFile2" => font_file_id,
            },
        )?;

        // CIDs are 0..n without gaps (the remapper numbers them so), hence one run.
        let widths: Vec<Object> = self
            .remapper
            .remapped_gids()
            .map(|gid| {
                let advance = face.glyph_hor_advance(GlyphId(gid)).unwrap_or(0);
                Object::Integer((f32::from(advance) * scale).round() as i64)
            })
            .collect();
        let cid_font_id = add(
            doc,
            dictionary! {
                "Type" => "Font",
                "Subtype" => "CIDFontType2",
                "BaseFont" => Object::Name(base_font.clone().into_bytes()),
                "CIDSystemInfo" => dictionary! {
                    "Registry" => Object::string_literal("Adobe"),
                    "Ordering" => Object::string_literal("Identity"),
                    "Supplement" => 0,
                },
                "FontDescriptor" => descriptor_id,
                "W" => vec![Object::Integer(0), Object::Array(widths)],
                "CIDToGIDMap" => "Identity",
            },
        )?;

        let mut to_unicode = Stream::new(dictionary! {}, self.to_unicode_cmap().into_bytes());
        compress(&mut to_unicode)?;
        let to_unicode_id = add(doc, to_unicode)?;

        doc.objects.insert(
            font_id,
            Object::Dictionary(dictionary! {
                "Type" => "Font",
                "Subtype" => "Type0",
                "BaseFont" => Object::Name(base_font.into_bytes()),
                "Encoding" => "Identity-H",
                "DescendantFonts" => vec![Object::Reference(cid_font_id)],
                "ToUnicode" => to_unicode_id,
            }),
        );
        Ok(())
    }

    /// Six capital letters naming the subset (ISO 32000-1, 9.6.4), derived from the glyph set so
    /// the same text gives the same bytes.
    fn subset_tag(&self) -> String {
        // FNV-1a over the kept glyph ids.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for gid in self.remapper.remapped_gids() {
            for byte in gid.to_be_bytes() {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
        }
        (0..6)
            .map(|i| char::from(b'A' + ((hash >> (i * 8)) % 26) as u8))
            .collect()
    }

    fn to_unicode_cmap(&self) -> String {
        let mut cmap = String::from(
            "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
             /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
             /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
             1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
        );
        let entries: Vec<(u16, char)> = self.used.iter().map(|(cid, c)| (*cid, *c)).collect();
        // At most 100 entries per block (ISO 32000-1, 9.10.3 via the CMap spec).
        for block in entries.chunks(100) {
            let _ = writeln!(cmap, "{} beginbfchar", block.len());
            for (cid, c) in block {
                let mut utf16 = [0u16; 2];
                let _ = write!(cmap, "<{cid:04X}> <");
                for unit in c.encode_utf16(&mut utf16) {
                    let _ = write!(cmap, "{unit:04X}");
                }
                cmap.push_str(">\n");
            }
            cmap.push_str("endbfchar\n");
        }
        cmap.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
        cmap
    }
}

/// Writes glyph outlines as path operators, shifted right by `dx`.
struct OutlinePath<'a> {
    c: &'a mut Content,
    dx: f32,
    current: (f32, f32),
}

impl OutlineBuilder for OutlinePath<'_> {
    fn move_to(&mut self, x: f32, y: f32) {
        self.current = (x + self.dx, y);
        self.c.move_to(x + self.dx, y);
    }

    fn line_to(&mut self, x: f32, y: f32) {
        self.current = (x + self.dx, y);
        self.c.line_to(x + self.dx, y);
    }

    /// PDF has only cubic curves: raise the degree of the quadratic one.
    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        let (x0, y0) = self.current;
        let (qx, qy, ex, ey) = (x1 + self.dx, y1, x + self.dx, y);
        self.c.curve_to([
            x0 + 2.0 / 3.0 * (qx - x0),
            y0 + 2.0 / 3.0 * (qy - y0),
            ex + 2.0 / 3.0 * (qx - ex),
            ey + 2.0 / 3.0 * (qy - ey),
            ex,
            ey,
        ]);
        self.current = (ex, ey);
    }

    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        self.c
            .curve_to([x1 + self.dx, y1, x2 + self.dx, y2, x + self.dx, y]);
        self.current = (x + self.dx, y);
    }

    fn close(&mut self) {
        self.c.close_path();
    }
}

/// `lopdf`'s `add_object` panics when object numbers run out (a crafted input can start at
/// `u32::MAX`); this returns an error instead.
pub fn add(doc: &mut Document, object: impl Into<Object>) -> Result<ObjectId, PdfError> {
    doc.try_add_object(object)
        .map_err(|_| PdfError::Corrupt("object numbers exhausted".into()))
}

pub fn compress(stream: &mut Stream) -> Result<(), PdfError> {
    stream
        .compress()
        .map_err(|e| PdfError::Write(format!("compressing a stream: {e}")))
}
