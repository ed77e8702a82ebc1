//! Stamping as an incremental update (ISO 32000-1, 7.5.6).
//!
//! The original bytes are copied unchanged and followed by the new objects, a cross-reference
//! section for them and a trailer whose `/Prev` points at the original's `startxref`. A
//! signature over the original still verifies for its revision, and the history stays visible.
//!
//! `lopdf::IncrementalDocument` does the writing: it copies the previous bytes, writes only the
//! objects set in `new_document`, keeps the original's cross-reference form (a classic table
//! after a table, an xref stream after an xref stream), and sets `/Prev` and `/Size`. What it
//! does not do is decided here: which inputs are safe to append to (not encrypted, with a
//! cross-reference chain that resolves as written), and how pages change (contents wrapped in
//! `q … Q`, resources merged, including ones inherited from the page tree).

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::panic::{catch_unwind, AssertUnwindSafe};

use lopdf::xref::XrefRecovery;
use lopdf::{dictionary, Dictionary, Document, IncrementalDocument, Object, ObjectId, Stream};

use super::content::Content;
use super::font::{add, compress, FontSubset, Weight};
use super::load::{load, page_ids};
use super::stamp::{
    page_label, page_part, static_part, Frame, Prepared, StampRequest, BACKDROP_OPACITY,
    WATERMARK_OPACITY, XO_BACKDROP_GS, XO_BOLD, XO_REGULAR, XO_WATERMARK_GS,
};
use super::{Limits, PdfError};

/// How far `/Parent` chains are followed for inherited attributes; real trees are shallow,
/// and a cycle must not loop forever.
const MAX_TREE_DEPTH: usize = 64;
/// A4, for a page whose boxes are missing or unreadable.
const DEFAULT_BOX: [f32; 4] = [0.0, 0.0, 595.276, 841.89];

pub fn stamp_pdf(
    original: &[u8],
    req: &StampRequest,
    limits: &Limits,
) -> Result<Vec<u8>, PdfError> {
    // lopdf meets hostile input here; should it panic, the upload is refused and the worker
    // lives on (the panic message still reaches the log through the panic hook).
    catch_unwind(AssertUnwindSafe(|| stamp(original, req, limits)))
        .unwrap_or_else(|_| Err(PdfError::Corrupt("the file could not be processed".into())))
}

fn stamp(original: &[u8], req: &StampRequest, limits: &Limits) -> Result<Vec<u8>, PdfError> {
    let prepared = Prepared::new(req)?;
    let doc = load(original, limits)?;
    check_appendable(&doc)?;
    let page_ids = page_ids(&doc, limits)?;

    let mut frames: Vec<Frame> = Vec::new();
    let mut pages = Vec::with_capacity(page_ids.len());
    for &id in &page_ids {
        let page = PageInfo::read(&doc, id)?;
        let frame_index = match frames.iter().position(|f| same_frame(*f, page.frame)) {
            Some(i) => i,
            None => {
                frames.push(page.frame);
                frames.len() - 1
            }
        };
        pages.push((page, frame_index));
    }
    let prefix = free_prefix(&doc, pages.iter().map(|(p, _)| &p.resources));
    let font_name = format!("{prefix}F");
    let xobject_name = |i: usize| format!("{prefix}X{i}");

    let mut inc = IncrementalDocument::create_from(original.to_vec(), doc);
    let new = &mut inc.new_document;
    let reserve = |doc: &mut Document| {
        doc.try_new_object_id()
            .map_err(|_| PdfError::Corrupt("object numbers exhausted".into()))
    };
    let regular_id = reserve(new)?;
    let bold_id = reserve(new)?;
    let mut regular = FontSubset::new(Weight::Regular)?;
    let mut bold = FontSubset::new(Weight::Bold)?;
    let watermark_gs = add(
        new,
        dictionary! { "Type" => "ExtGState", "ca" => WATERMARK_OPACITY },
    )?;
    let backdrop_gs = add(
        new,
        dictionary! { "Type" => "ExtGState", "ca" => BACKDROP_OPACITY },
    )?;

    let total = pages.len();
    let mut xobject_ids = Vec::with_capacity(frames.len());
    for frame in &frames {
        let body = static_part(&prepared, *frame, total, &mut regular, &mut bold);
        let dict = dictionary! {
            "Type" => "XObject",
            "Subtype" => "Form",
            "BBox" => vec![0.into(), 0.into(), frame.w.into(), frame.h.into()],
            "Resources" => dictionary! {
                "Font" => dictionary! { XO_REGULAR => regular_id, XO_BOLD => bold_id },
                "ExtGState" => dictionary! {
                    XO_WATERMARK_GS => watermark_gs,
                    XO_BACKDROP_GS => backdrop_gs,
                },
            },
        };
        let mut stream = Stream::new(dict, body);
        compress(&mut stream)?;
        xobject_ids.push(add(new, stream)?);
    }

    // One shared "q" opens every page; each page's own stream closes it and draws the stamp,
    // so nothing the original leaves in the graphics state (a CTM, a clip, a colour) leaks in.
    let open_id = add(new, Stream::new(dictionary! {}, b"q\n".to_vec()))?;

    // Resource dictionaries shared by reference are updated once, with every frame used by
    // the pages that share them.
    let mut shared: BTreeMap<ObjectId, BTreeSet<usize>> = BTreeMap::new();
    for (index, (page, frame_index)) in pages.iter().enumerate() {
        let mut c = Content::new();
        c.raw("Q\nq\n")
            .transform(page.matrix)
            .draw_xobject(&xobject_name(*frame_index));
        page_part(
            &mut c,
            page.frame,
            &page_label(index + 1, total),
            &font_name,
            &mut bold,
        );
        c.restore();
        let mut stamp = Stream::new(dictionary! {}, c.into_bytes());
        compress(&mut stamp)?;
        let stamp_id = add(&mut inc.new_document, stamp)?;

        let mut contents = Vec::with_capacity(page.contents.len() + 2);
        contents.push(Object::Reference(open_id));
        contents.extend(page.contents.iter().cloned());
        contents.push(Object::Reference(stamp_id));

        let ours = [
            (b"Font".as_slice(), font_name.clone(), bold_id),
            (
                b"XObject".as_slice(),
                xobject_name(*frame_index),
                xobject_ids[*frame_index],
            ),
        ];
        let resources = match &page.resources {
            Resources::Shared(id) => {
                shared.entry(*id).or_default().insert(*frame_index);
                Object::Reference(*id)
            }
            Resources::Inline(dict) => {
                Object::Dictionary(merge(inc.get_prev_documents(), dict, &ours))
            }
        };

        inc.opt_clone_object_to_new_document(page.id)
            .map_err(|e| PdfError::Corrupt(format!("page {}: {e}", index + 1)))?;
        let dict = inc
            .new_document
            .get_dictionary_mut(page.id)
            .map_err(|e| PdfError::Corrupt(format!("page {}: {e}", index + 1)))?;
        dict.set("Contents", Object::Array(contents));
        dict.set("Resources", resources);
    }

    for (id, frame_indexes) in shared {
        let Ok(base) = inc.get_prev_documents().get_dictionary(id) else {
            continue;
        };
        let mut ours = vec![(b"Font".as_slice(), font_name.clone(), bold_id)];
        ours.extend(
            frame_indexes
                .into_iter()
                .map(|i| (b"XObject".as_slice(), xobject_name(i), xobject_ids[i])),
        );
        let merged = merge(inc.get_prev_documents(), base, &ours);
        inc.new_document
            .objects
            .insert(id, Object::Dictionary(merged));
    }

    regular.embed(&mut inc.new_document, regular_id)?;
    bold.embed(&mut inc.new_document, bold_id)?;

    let mut out = Vec::with_capacity(original.len() + 40_000 + 400 * total);
    inc.save_to(&mut out)
        .map_err(|e| PdfError::Write(e.to_string()))?;
    Ok(out)
}

/// Stamping appends to the original's own cross-reference chain, so the chain must resolve
/// as written.
fn check_appendable(doc: &Document) -> Result<(), PdfError> {
    // A rebuilt table has no on-disk section for `/Prev` to point at: an update appended to it
    // would hide every original object from other readers.
    if matches!(doc.xref_recovery, Some(XrefRecovery::Reconstructed)) || doc.xref_start == 0 {
        return Err(PdfError::Corrupt(
            "the cross-reference data is damaged".into(),
        ));
    }
    Ok(())
}

/// The effective resources of a page.
enum Resources {
    /// An indirect dictionary (the page's own or inherited), possibly shared with other pages.
    Shared(ObjectId),
    /// A direct dictionary (the page's own or copied from an ancestor), or an empty one.
    Inline(Dictionary),
}

impl Resources {
    fn dict<'a>(&'a self, doc: &'a Document) -> Option<&'a Dictionary> {
        match self {
            Resources::Shared(id) => doc.get_dictionary(*id).ok(),
            Resources::Inline(dict) => Some(dict),
        }
    }
}

struct PageInfo {
    id: ObjectId,
    frame: Frame,
    /// Maps the upright stamp frame onto the page.
    matrix: [f32; 6],
    /// The original content streams, in order.
    contents: Vec<Object>,
    resources: Resources,
}

impl PageInfo {
    fn read(doc: &Document, id: ObjectId) -> Result<Self, PdfError> {
        let page = doc
            .get_dictionary(id)
            .map_err(|e| PdfError::Corrupt(format!("page object {} {}: {e}", id.0, id.1)))?;

        let media = inherited(doc, page, b"MediaBox").and_then(|o| rect(doc, o));
        let crop = inherited(doc, page, b"CropBox").and_then(|o| rect(doc, o));
        let [x0, y0, x1, y1] = crop.or(media).unwrap_or(DEFAULT_BOX);
        let rotate = inherited(doc, page, b"Rotate")
            .and_then(|o| resolve(doc, o).as_i64().ok())
            .map(|r| r.rem_euclid(360))
            .unwrap_or(0);
        let (w, h) = (x1 - x0, y1 - y0);
        // The frame's (u, v) are the displayed page's coordinates; viewers turn the page
        // clockwise by /Rotate.
        let (display_w, display_h, base) = match rotate {
            90 => (h, w, [0.0, 1.0, -1.0, 0.0, x1, y0]),
            180 => (w, h, [-1.0, 0.0, 0.0, -1.0, x1, y1]),
            270 => (h, w, [0.0, -1.0, 1.0, 0.0, x0, y1]),
            _ => (w, h, [1.0, 0.0, 0.0, 1.0, x0, y0]),
        };
        let frame = Frame::for_page(display_w, display_h);
        let k = frame.scale;
        let matrix = [
            base[0] * k,
            base[1] * k,
            base[2] * k,
            base[3] * k,
            base[4],
            base[5],
        ];

        let contents = match page.get(b"Contents") {
            Err(_) | Ok(Object::Null) => vec![],
            Ok(Object::Array(items)) => items.clone(),
            Ok(reference @ Object::Reference(_)) => match resolve(doc, reference) {
                Object::Array(items) => items.clone(),
                Object::Stream(_) => vec![reference.clone()],
                _ => vec![],
            },
            Ok(_) => {
                return Err(PdfError::Corrupt(format!(
                    "page object {} {}: /Contents is not a stream reference",
                    id.0, id.1
                )))
            }
        };

        let resources = match inherited(doc, page, b"Resources") {
            Some(Object::Reference(res_id)) if doc.get_dictionary(*res_id).is_ok() => {
                Resources::Shared(*res_id)
            }
            Some(Object::Dictionary(dict)) => Resources::Inline(dict.clone()),
            _ => Resources::Inline(Dictionary::new()),
        };

        Ok(Self {
            id,
            frame,
            matrix,
            contents,
            resources,
        })
    }
}

fn same_frame(a: Frame, b: Frame) -> bool {
    (a.w - b.w).abs() < 0.01 && (a.h - b.h).abs() < 0.01
}

fn resolve<'a>(doc: &'a Document, object: &'a Object) -> &'a Object {
    doc.dereference(object)
        .map(|(_, o)| o)
        .unwrap_or(&Object::Null)
}

/// A page attribute, looked up through the page tree as ISO 32000-1, 7.7.3.4 allows for
/// `Resources`, `MediaBox`, `CropBox` and `Rotate`.
fn inherited<'a>(doc: &'a Document, page: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    let mut node = page;
    for _ in 0..MAX_TREE_DEPTH {
        if let Ok(value) = node.get(key) {
            return Some(value);
        }
        node = node
            .get(b"Parent")
            .ok()
            .and_then(|p| p.as_reference().ok())
            .and_then(|id| doc.get_dictionary(id).ok())?;
    }
    None
}

fn rect(doc: &Document, object: &Object) -> Option<[f32; 4]> {
    let items = resolve(doc, object).as_array().ok()?;
    if items.len() != 4 {
        return None;
    }
    let mut v = [0.0f32; 4];
    for (slot, item) in v.iter_mut().zip(items) {
        *slot = resolve(doc, item)
            .as_float()
            .ok()
            .filter(|f| f.is_finite())?;
    }
    let r = [
        v[0].min(v[2]),
        v[1].min(v[3]),
        v[0].max(v[2]),
        v[1].max(v[3]),
    ];
    // A degenerate box cannot hold a stamp; fall back like a missing one.
    (r[2] - r[0] >= 1.0 && r[3] - r[1] >= 1.0).then_some(r)
}

/// The first `VbStamp{n}_` prefix that no font or XObject name on any page starts with, so a
/// second stamp never shadows the resources of the first.
fn free_prefix<'a>(doc: &Document, resources: impl Iterator<Item = &'a Resources>) -> String {
    let mut ours: BTreeSet<Vec<u8>> = BTreeSet::new();
    let mut seen: HashSet<ObjectId> = HashSet::new();
    for res in resources {
        if let Resources::Shared(id) = res {
            if !seen.insert(*id) {
                continue;
            }
        }
        let Some(dict) = res.dict(doc) else { continue };
        for key in [b"Font".as_slice(), b"XObject".as_slice()] {
            if let Ok(sub) = dict
                .get(key)
                .map(|o| resolve(doc, o))
                .and_then(Object::as_dict)
            {
                let stamped = sub
                    .iter()
                    .map(|(k, _)| k)
                    .filter(|k| k.starts_with(b"VbStamp"));
                ours.extend(stamped.cloned());
            }
        }
    }
    // Each earlier stamp took one number, so one of the first `ours.len() + 1` is free.
    (1..=ours.len() + 1)
        .map(|n| format!("VbStamp{n}_"))
        .find(|prefix| !ours.iter().any(|name| name.starts_with(prefix.as_bytes())))
        .unwrap_or_else(|| format!("VbStamp{}_", ours.len() + 1))
}

/// A copy of `base` with `entries` (category, name, object) added. A category dictionary that
/// was a reference is copied in directly, so the shared original is left as it was.
fn merge(prev: &Document, base: &Dictionary, entries: &[(&[u8], String, ObjectId)]) -> Dictionary {
    let mut merged = base.clone();
    for (category, name, id) in entries {
        let mut sub = match merged.get(category) {
            Ok(Object::Dictionary(d)) => d.clone(),
            Ok(reference @ Object::Reference(_)) => resolve(prev, reference)
                .as_dict()
                .cloned()
                .unwrap_or_default(),
            _ => Dictionary::new(),
        };
        sub.set(name.as_bytes().to_vec(), Object::Reference(*id));
        merged.set(category.to_vec(), Object::Dictionary(sub));
    }
    merged
}
