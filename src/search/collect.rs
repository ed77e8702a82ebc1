//! Running a search: the best hits by score, and the count and facets of every match.
//!
//! The filters (unit, audience, kind, dates…) are not part of the scored query: each
//! segment's filter is a bitset (kept between searches, the usual filters are few), and
//! the scored query runs alone, each match checked against the bitset. The plain-text
//! query is a flat disjunction of term queries, which tantivy scores with its buffered
//! union (4,096 documents at a time). Its block-max WAND (`Weight::for_each_pruning`),
//! tried on the corpus questions, was about five times slower than scoring every match:
//! with a hundred terms and 100 hits to keep it skips little and pays for its bookkeeping.
//!
//! The count and the facets cover every match: in the scoring pass when the hits are
//! ranked by score (it visits every match anyway), otherwise without scoring, through a
//! cheaper query with the same matches. A document's facets are one precomputed group per document
//! (every entry of one document has the same kind, issuer, field and year), so a match
//! costs one increment.

use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashMap};
use std::sync::{Arc, Mutex};

use tantivy::index::SegmentId;
use tantivy::query::{EnableScoring, Query, Weight};
use tantivy::schema::Facet;
use tantivy::{BitSet, DocAddress, DocId, Score, Searcher, SegmentReader};

use super::SearchError;

/// Per-segment data kept between searches. Segments never change once written, so
/// their entries stay valid until the segment is merged away; entries of segments no
/// longer searched are dropped.
#[derive(Default)]
pub struct SegmentCache {
    facets: Mutex<HashMap<SegmentId, Arc<SegmentFacets>>>,
    filters: Mutex<HashMap<(SegmentId, String), Arc<BitSet>>>,
}

/// Filter bitsets kept per segment: the usual filters (public articles, …) are few.
const FILTERS_KEPT: usize = 256;

/// The facets of one segment: each document's group (its distinct set of facets), and
/// each group's facets as (root, value).
struct SegmentFacets {
    group_of_doc: Vec<u32>,
    groups: Vec<Vec<(Arc<str>, Arc<str>)>>,
}

impl SegmentFacets {
    fn build(reader: &SegmentReader, field: &str) -> Result<Self, SearchError> {
        let facets = reader.facet_reader(field)?;
        let mut names: Vec<(Arc<str>, Arc<str>)> = Vec::with_capacity(facets.num_facets());
        let mut facet = Facet::root();
        for ord in 0..facets.num_facets() as u64 {
            facets.facet_from_ord(ord, &mut facet)?;
            let path = facet.to_path();
            let root = path.first().copied().unwrap_or_default();
            let value = path.get(1..).map(|p| p.join("/")).unwrap_or_default();
            names.push((root.into(), value.into()));
        }
        let mut group_ids: HashMap<Vec<u64>, u32> = HashMap::new();
        let mut groups = vec![];
        let mut group_of_doc = Vec::with_capacity(reader.max_doc() as usize);
        for doc in 0..reader.max_doc() {
            let ords: Vec<u64> = facets.facet_ords(doc).collect();
            let next = group_ids.len() as u32;
            let id = *group_ids.entry(ords.clone()).or_insert_with(|| {
                groups.push(
                    ords.iter()
                        .filter_map(|o| names.get(*o as usize).cloned())
                        .collect(),
                );
                next
            });
            group_of_doc.push(id);
        }
        Ok(SegmentFacets {
            group_of_doc,
            groups,
        })
    }
}

impl SegmentCache {
    fn facets(
        &self,
        reader: &SegmentReader,
        field: &str,
    ) -> Result<Arc<SegmentFacets>, SearchError> {
        let id = reader.segment_id();
        if let Some(f) = self.facets.lock().ok().and_then(|m| m.get(&id).cloned()) {
            return Ok(f);
        }
        let built = Arc::new(SegmentFacets::build(reader, field)?);
        if let Ok(mut m) = self.facets.lock() {
            m.insert(id, built.clone());
        }
        Ok(built)
    }

    /// The entries of a segment that pass a filter (named `key`), kept between searches.
    pub(super) fn filter(
        &self,
        reader: &SegmentReader,
        key: &str,
        weight: &dyn Weight,
    ) -> Result<Arc<BitSet>, SearchError> {
        let id = (reader.segment_id(), key.to_owned());
        if let Some(b) = self.filters.lock().ok().and_then(|m| m.get(&id).cloned()) {
            return Ok(b);
        }
        let mut bits = BitSet::with_max_value(reader.max_doc());
        weight.for_each_no_score(reader, &mut |docs| {
            for &d in docs {
                bits.insert(d);
            }
        })?;
        let bits = Arc::new(bits);
        if let Ok(mut m) = self.filters.lock() {
            if m.len() >= FILTERS_KEPT {
                m.clear();
            }
            m.insert(id, bits.clone());
        }
        Ok(bits)
    }

    /// Drops what belongs to segments the searcher no longer has.
    fn retain(&self, searcher: &Searcher) {
        let live: Vec<SegmentId> = searcher
            .segment_readers()
            .iter()
            .map(|r| r.segment_id())
            .collect();
        if let Ok(mut m) = self.facets.lock() {
            if m.len() > live.len() {
                m.retain(|id, _| live.contains(id));
            }
        }
        if let Ok(mut m) = self.filters.lock() {
            m.retain(|(id, _), _| live.contains(id));
        }
    }
}

/// A hit in the top-k heap: a higher score is better, then the earlier document.
#[derive(Clone, Copy)]
struct Ranked {
    score: Score,
    addr: DocAddress,
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Ranked {}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> Ordering {
        self.score
            .total_cmp(&other.score)
            .then_with(|| other.addr.cmp(&self.addr))
    }
}

/// What a search collects.
pub struct Collected {
    /// Best first, at most `k`.
    pub top: Vec<(Score, DocAddress)>,
    /// Matches that pass the filters.
    pub total: usize,
    /// (root, value) → count over those matches.
    pub facets: HashMap<(Arc<str>, Arc<str>), u64>,
}

/// The `k` best matches of `scored` that pass `filter` (when `top_by_score`), and the
/// count and facets of the matches of `matching` that pass it. `matching` must match the
/// same documents as `scored` (it may be a cheaper query with the same matches).
/// `filter_key` names the filter for the cache (its `Debug` form).
#[allow(clippy::too_many_arguments)]
pub fn collect(
    cache: &SegmentCache,
    searcher: &Searcher,
    scored: &dyn Query,
    matching: &dyn Query,
    filter: &dyn Query,
    filter_key: &str,
    k: usize,
    top_by_score: bool,
    facet_field: &str,
) -> Result<Collected, SearchError> {
    cache.retain(searcher);
    let filter_weight = filter.weight(EnableScoring::disabled_from_searcher(searcher))?;
    let score_weight = if top_by_score && k > 0 {
        Some(scored.weight(EnableScoring::enabled_from_searcher(searcher))?)
    } else {
        None
    };
    let match_weight = match score_weight {
        Some(_) => None,
        None => Some(matching.weight(EnableScoring::disabled_from_searcher(searcher))?),
    };
    let mut heap: BinaryHeap<Reverse<Ranked>> = BinaryHeap::new();
    let mut total = 0usize;
    let mut facets: HashMap<(Arc<str>, Arc<str>), u64> = HashMap::new();
    for (ord, reader) in searcher.segment_readers().iter().enumerate() {
        let allowed = cache.filter(reader, filter_key, filter_weight.as_ref())?;
        let alive = reader.alive_bitset();
        let passes = |doc: DocId| allowed.contains(doc) && alive.is_none_or(|a| a.is_alive(doc));
        let groups = cache.facets(reader, facet_field)?;
        let mut group_counts = vec![0u32; groups.groups.len()];
        let mut count = |doc: DocId| {
            total += 1;
            if let Some(c) = groups
                .group_of_doc
                .get(doc as usize)
                .and_then(|g| group_counts.get_mut(*g as usize))
            {
                *c += 1;
            }
        };
        if let Some(weight) = &score_weight {
            // Every match is scored (see the module's note), so the count and the facets
            // are taken in the same pass: `matching` would visit the same documents again.
            let mut threshold = if heap.len() >= k {
                heap.peek().map(|r| r.0.score).unwrap_or(Score::MIN)
            } else {
                Score::MIN
            };
            weight.for_each(reader, &mut |doc, score| {
                if !passes(doc) {
                    return;
                }
                count(doc);
                if score > threshold {
                    heap.push(Reverse(Ranked {
                        score,
                        addr: DocAddress::new(ord as u32, doc),
                    }));
                    if heap.len() > k {
                        heap.pop();
                    }
                    if heap.len() >= k {
                        threshold = heap.peek().map(|r| r.0.score).unwrap_or(Score::MIN);
                    }
                }
            })?;
        } else if let Some(weight) = &match_weight {
            weight.for_each_no_score(reader, &mut |docs| {
                for &doc in docs {
                    if passes(doc) {
                        count(doc);
                    }
                }
            })?;
        }
        for (g, count) in group_counts.into_iter().enumerate() {
            if count == 0 {
                continue;
            }
            for name in groups.groups.get(g).into_iter().flatten() {
                *facets.entry(name.clone()).or_default() += u64::from(count);
            }
        }
    }
    let mut top: Vec<(Score, DocAddress)> = heap
        .into_iter()
        .map(|Reverse(r)| (r.score, r.addr))
        .collect();
    top.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    Ok(Collected { top, total, facets })
}

#[cfg(test)]
mod tests {
    use tantivy::collector::{Count, FacetCollector, TopDocs};
    use tantivy::query::{BooleanQuery, BoostQuery, Occur, TermQuery};
    use tantivy::schema::{FacetOptions, IndexRecordOption, Schema, STRING, TEXT};
    use tantivy::{doc, Index, IndexWriter, Term};

    use super::*;

    /// The same answers as tantivy's collectors on the filtered query, over several
    /// segments with deleted documents.
    #[test]
    fn same_hits_count_and_facets_as_tantivy() {
        let mut b = Schema::builder();
        let id = b.add_text_field("id", STRING);
        let body = b.add_text_field("body", TEXT);
        let unit = b.add_text_field("unit", STRING);
        let facets = b.add_facet_field("facets", FacetOptions::default());
        let index = Index::create_in_ram(b.build());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let words = [
            "cải", "cách", "hành", "chính", "thủ", "tục", "một", "cửa", "liên", "thông",
        ];
        let mut seed = 7u64;
        let mut next = move |n: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        for i in 0..900u64 {
            let text: Vec<&str> = (0..1 + next(12))
                .map(|_| words[next(10) as usize])
                .collect();
            writer
                .add_document(doc!(
                    id => i.to_string(),
                    body => text.join(" "),
                    unit => if next(4) == 0 { "document" } else { "provision" },
                    facets => Facet::from_path(["kind", ["decree", "decision", "circular"][next(3) as usize]]),
                    facets => Facet::from_path(["year", (2000 + next(5)).to_string().as_str()]),
                ))
                .unwrap();
            if i % 300 == 299 {
                writer.commit().unwrap();
            }
        }
        for i in (0..900u64).step_by(7) {
            writer.delete_term(Term::from_field_text(id, &i.to_string()));
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        assert!(searcher.segment_readers().len() > 1);
        let term = |w: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(body, w),
                IndexRecordOption::WithFreqs,
            ))
        };
        let cache = SegmentCache::default();
        for (question, k) in [
            (&["cải", "cách", "thông"][..], 10),
            (&["một"][..], 50),
            (&["liên", "cửa", "tục", "xyz"][..], 1000),
        ] {
            let scored = BooleanQuery::new(
                question
                    .iter()
                    .enumerate()
                    .map(|(i, w)| {
                        (
                            Occur::Should,
                            Box::new(BoostQuery::new(term(w), 1.0 + i as f32)) as Box<dyn Query>,
                        )
                    })
                    .collect(),
            );
            let filter = BooleanQuery::new(vec![(
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(unit, "provision"),
                    IndexRecordOption::Basic,
                )) as Box<dyn Query>,
            )]);
            let run = |ranked: bool| {
                collect(
                    &cache,
                    &searcher,
                    &scored,
                    &scored,
                    &filter,
                    &format!("{filter:?}"),
                    k,
                    ranked,
                    "facets",
                )
                .unwrap()
            };
            let ours = run(true);
            let combined = BooleanQuery::new(vec![
                (Occur::Must, Box::new(scored.clone()) as Box<dyn Query>),
                (
                    Occur::Must,
                    Box::new(BoostQuery::new(Box::new(filter.clone()), 0.0)),
                ),
            ]);
            let mut fc = FacetCollector::for_field("facets");
            fc.add_facet("/kind");
            fc.add_facet("/year");
            let (top, total, counts) = searcher
                .search(
                    &combined,
                    &(TopDocs::with_limit(k).order_by_score(), Count, fc),
                )
                .unwrap();
            assert_eq!(ours.total, total, "{question:?}");
            assert_eq!(ours.top.len(), top.len(), "{question:?}");
            for (a, b) in ours.top.iter().zip(&top) {
                assert!((a.0 - b.0).abs() < 1e-4, "{question:?}: {a:?} {b:?}");
            }
            let ours_docs: std::collections::HashSet<DocAddress> =
                ours.top.iter().map(|h| h.1).collect();
            let cut = top.last().map(|h| h.0).unwrap_or(0.0);
            for (score, addr) in &top {
                // Documents tied with the last kept score may be either.
                assert!(
                    ours_docs.contains(addr) || (score - cut).abs() < 1e-4,
                    "{question:?}"
                );
            }
            let mut expected: Vec<(String, u64)> = ["/kind", "/year"]
                .iter()
                .flat_map(|root| counts.get(*root).map(|(f, c)| (f.to_string(), c)))
                .collect();
            expected.sort();
            let mut got: Vec<(String, u64)> = ours
                .facets
                .iter()
                .map(|((root, value), c)| (format!("/{root}/{value}"), *c))
                .collect();
            got.sort();
            assert_eq!(got, expected, "{question:?}");
            // Unranked (sorted by date), the count and facets come from `matching` alone.
            let unranked = run(false);
            assert!(unranked.top.is_empty());
            assert_eq!(unranked.total, total, "{question:?}");
            assert_eq!(unranked.facets, ours.facets, "{question:?}");
        }
    }
}
