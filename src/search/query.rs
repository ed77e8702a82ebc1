//! Searching: a request becomes a tantivy query (the user's words over exact and
//! folded fields, plus filters), run with facets and snippets.

use std::collections::BTreeMap;
use std::ops::Bound;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, FacetCollector, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, Occur, Query, QueryParser, RangeQuery, TermQuery,
};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, Order, Score, TantivyDocument, Term};
use utoipa::{IntoParams, ToSchema};

use super::analysis;
use super::index::{day, SearchIndex};
use super::SearchError;
use crate::domain::kinds::{DocumentKind, LegalEffect};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    /// One hit per article (Điều).
    #[default]
    Provision,
    /// One hit per document.
    Document,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    #[default]
    Relevance,
    /// Newest signed first.
    Date,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Syntax {
    /// Words, "phrases", `-word`, `OR`, `field:`; a syntax error is a 400.
    #[default]
    Query,
    /// Plain text such as a question: every word counts, nothing is syntax.
    Plain,
}

/// A search. `q` takes words (with or without diacritics), "phrases", `-word`, `OR`,
/// and fields: `title:`, `heading:`, `body:`, `number:`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SearchRequest {
    pub q: String,
    #[serde(default)]
    pub syntax: Syntax,
    #[serde(default)]
    pub granularity: Granularity,
    pub kind: Option<DocumentKind>,
    /// Org unit id.
    pub issuer: Option<String>,
    pub field: Option<String>,
    /// Year signed.
    pub year: Option<i32>,
    /// Only documents with this legal effect on `as_of` (in_force, expired, not_yet_effective).
    pub legal_effect: Option<LegalEffect>,
    /// Only what was in force on this day (YYYY-MM-DD).
    pub as_of: Option<NaiveDate>,
    #[serde(default)]
    pub sort: SortOrder,
    /// 1 to 100, default 10.
    pub limit: Option<usize>,
    /// Opaque cursor from `next_cursor`.
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchHit {
    pub document_id: String,
    pub number: Option<String>,
    pub title: String,
    pub kind: String,
    /// The article (`dieu-5`), absent for a whole-document hit.
    pub provision_path: Option<String>,
    pub heading: Option<String>,
    /// The corpus id of an imported article.
    pub external_id: Option<String>,
    pub score: f32,
    /// Safe HTML: the text is escaped and matched words are wrapped in `<mark>`.
    pub snippet: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchResponse {
    pub total: usize,
    pub hits: Vec<SearchHit>,
    /// Counts by kind, issuer (code), field and year over all matches.
    pub facets: BTreeMap<String, Vec<FacetCount>>,
    pub next_cursor: Option<String>,
}

/// Who is searching: drafts only to those who may see them.
#[derive(Debug, Clone)]
pub enum Audience {
    Public,
    Everything,
    Scoped {
        user_id: String,
        org_chain: Vec<String>,
    },
}

/// Field weights: exact Vietnamese above folded (no diacritics) matches.
const WEIGHTS: &[(&str, f32)] = &[
    ("heading", 2.0),
    ("body", 1.0),
    ("title", 0.6),
    ("heading_folded", 0.6),
    ("body_folded", 0.3),
    ("title_folded", 0.2),
    ("number", 8.0),
];

/// Weights of the plain-text query, tuned on the corpus question sets
/// (docs/BENCHMARKS.md); the body's exact words weigh 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlainWeights {
    pub heading: f32,
    pub title: f32,
    pub folded: f32,
    pub pair: f32,
}

impl Default for PlainWeights {
    fn default() -> Self {
        PlainWeights {
            heading: 1.5,
            title: 0.3,
            folded: 0.1,
            pair: 1.0,
        }
    }
}

fn term_query(field: tantivy::schema::Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}

use crate::domain::text::escape_html_into as escape_html;

/// The snippet as escaped HTML with `<mark>` around matched words.
fn snippet_html(s: &tantivy::snippet::Snippet) -> String {
    let text = s.fragment();
    let mut out = String::with_capacity(text.len() + 32);
    let mut pos = 0;
    for r in s.highlighted() {
        if r.start < pos || r.end > text.len() {
            continue;
        }
        escape_html(&text[pos..r.start], &mut out);
        out.push_str("<mark>");
        escape_html(&text[r.start..r.end], &mut out);
        out.push_str("</mark>");
        pos = r.end;
    }
    escape_html(&text[pos..], &mut out);
    out
}

impl SearchIndex {
    /// Plain text: each word on the exact fields, its folded form on the folded fields,
    /// and each pair of neighbouring words as a phrase (Vietnamese words are often two
    /// syllables: "cải cách", "hành chính").
    fn plain_query(&self, q: &str) -> Box<dyn Query> {
        let f = self.fields;
        let w = self.plain_weights();
        let (heading_w, title_w, folded_w, pair_w) = (w.heading, w.title, w.folded, w.pair);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![];
        let exact = analysis::query_terms(q);
        let folded = analysis::folded_terms(q);
        let mut seen = std::collections::HashSet::new();
        for t in &exact {
            if !seen.insert(("e", t.clone())) {
                continue;
            }
            for (field, w) in [(f.heading, heading_w), (f.body, 1.0), (f.title, title_w)] {
                clauses.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(term_query(field, t), w)),
                ));
            }
        }
        for t in &folded {
            if !seen.insert(("f", t.clone())) {
                continue;
            }
            for (field, w) in [
                (f.heading_folded, folded_w * heading_w),
                (f.body_folded, folded_w),
            ] {
                clauses.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(term_query(field, t), w)),
                ));
            }
        }
        for pair in exact.windows(2) {
            let token = format!("{}_{}", pair[0], pair[1]);
            if !seen.insert(("p", token.clone())) {
                continue;
            }
            for (field, w) in [
                (f.body_pairs, pair_w),
                (f.heading_pairs, pair_w * heading_w),
            ] {
                clauses.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(term_query(field, &token), w)),
                ));
            }
        }
        for w in number_words(q) {
            clauses.push((
                Occur::Should,
                Box::new(BoostQuery::new(
                    term_query(f.number, &analysis::number_key(w)),
                    20.0,
                )),
            ));
        }
        Box::new(BooleanQuery::new(clauses))
    }

    fn user_query(&self, q: &str) -> Result<Box<dyn Query>, SearchError> {
        let f = self.fields;
        let schema = self.index.schema();
        let mut defaults = vec![];
        let mut parser_fields = vec![];
        for (name, _) in WEIGHTS {
            if let Ok(field) = schema.get_field(name) {
                parser_fields.push(field);
                defaults.push(field);
            }
        }
        let mut parser = QueryParser::for_index(&self.index, parser_fields);
        for (name, w) in WEIGHTS {
            if let Ok(field) = schema.get_field(name) {
                parser.set_field_boost(field, *w);
            }
        }
        let normalized = analysis::normalize_text(q);
        let parsed = parser
            .parse_query(&normalized)
            .map_err(|e| SearchError::Query(e.to_string()))?;
        // A document number anywhere in the query is an exact key: strongly preferred.
        let numbers: Vec<Box<dyn Query>> = number_words(q)
            .into_iter()
            .map(|w| {
                Box::new(BoostQuery::new(
                    term_query(f.number, &analysis::number_key(w)),
                    20.0,
                )) as Box<dyn Query>
            })
            .collect();
        if numbers.is_empty() {
            return Ok(parsed);
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Should, parsed)];
        clauses.extend(numbers.into_iter().map(|n| (Occur::Should, n)));
        Ok(Box::new(BooleanQuery::new(clauses)))
    }

    fn filters(
        &self,
        req: &SearchRequest,
        who: &Audience,
        granularity: Granularity,
    ) -> Vec<(Occur, Box<dyn Query>)> {
        let f = self.fields;
        let mut must: Vec<(Occur, Box<dyn Query>)> = vec![];
        let unit = match granularity {
            Granularity::Provision => "provision",
            Granularity::Document => "document",
        };
        must.push((Occur::Must, term_query(f.unit, unit)));
        match who {
            Audience::Everything => {}
            Audience::Public => must.push((Occur::Must, term_query(f.public, "1"))),
            Audience::Scoped { user_id, org_chain } => {
                let mut any: Vec<(Occur, Box<dyn Query>)> = vec![
                    (Occur::Should, term_query(f.public, "1")),
                    (Occur::Should, term_query(f.created_by, user_id)),
                ];
                any.extend(
                    org_chain
                        .iter()
                        .map(|o| (Occur::Should, term_query(f.issuer_id, o))),
                );
                must.push((Occur::Must, Box::new(BooleanQuery::new(any))));
            }
        }
        if let Some(k) = req.kind {
            must.push((Occur::Must, term_query(f.kind, k.as_str())));
        }
        if let Some(i) = &req.issuer {
            must.push((Occur::Must, term_query(f.issuer_id, i)));
        }
        if let Some(fl) = &req.field {
            must.push((Occur::Must, term_query(f.field, fl)));
        }
        if let Some(y) = req.year.filter(|y| *y > 0) {
            must.push((Occur::Must, term_query_u64(f.year, y as u64)));
        }
        let on = req.as_of.map(day);
        let effect = req.legal_effect.or(req.as_of.map(|_| LegalEffect::InForce));
        if let Some(effect) = effect {
            let d = on.unwrap_or_else(|| day(chrono::Local::now().date_naive()));
            let le = |field, v: i64| -> Box<dyn Query> {
                Box::new(RangeQuery::new(
                    Bound::Unbounded,
                    Bound::Included(Term::from_field_i64(field, v)),
                ))
            };
            let gt = |field, v: i64| -> Box<dyn Query> {
                Box::new(RangeQuery::new(
                    Bound::Excluded(Term::from_field_i64(field, v)),
                    Bound::Unbounded,
                ))
            };
            match effect {
                LegalEffect::InForce | LegalEffect::PartiallyExpired | LegalEffect::Suspended => {
                    must.push((Occur::Must, le(f.start_day, d)));
                    must.push((Occur::Must, gt(f.end_day, d)));
                }
                LegalEffect::Expired => must.push((Occur::Must, le(f.end_day, d))),
                LegalEffect::NotYetEffective => must.push((Occur::Must, gt(f.start_day, d))),
            }
        }
        must
    }

    /// Runs a search. `offset` comes from the cursor.
    pub fn search(
        &self,
        req: &SearchRequest,
        who: &Audience,
    ) -> Result<SearchResponse, SearchError> {
        let limit = req.limit.unwrap_or(10);
        if !(1..=100).contains(&limit) {
            return Err(SearchError::Query("limit must be between 1 and 100".into()));
        }
        let offset = match &req.cursor {
            None => 0,
            Some(c) => c.parse::<usize>().map_err(|_| {
                SearchError::Query("cursor: not a cursor returned by this API".into())
            })?,
        };
        if req.q.trim().is_empty() {
            return Err(SearchError::Query("q must not be empty".into()));
        }
        if req.q.chars().count() > 1_000 {
            return Err(SearchError::Query("q: at most 1000 characters".into()));
        }
        let user = match req.syntax {
            Syntax::Query => self.user_query(&req.q)?,
            Syntax::Plain => self.plain_query(&req.q),
        };
        let mut clauses = vec![(Occur::Must, user.box_clone())];
        clauses.extend(self.filters(req, who, req.granularity));
        let query = BooleanQuery::new(clauses);
        let searcher = self.reader.searcher();
        let f = self.fields;

        let mut facets = FacetCollector::for_field("facets");
        for root in ["/kind", "/issuer", "/field", "/year"] {
            facets.add_facet(root);
        }
        let top = TopDocs::with_limit(limit).and_offset(offset);
        let (hits, total, facet_counts): (Vec<(Score, DocAddress)>, usize, _) = match req.sort {
            SortOrder::Relevance => {
                searcher.search(&query, &(top.order_by_score(), Count, facets))?
            }
            SortOrder::Date => {
                let (by_date, total, facet_counts) = searcher.search(
                    &query,
                    &(
                        top.order_by_fast_field::<i64>("signed_day", Order::Desc),
                        Count,
                        facets,
                    ),
                )?;
                (
                    by_date.into_iter().map(|(_, a)| (0.0, a)).collect(),
                    total,
                    facet_counts,
                )
            }
        };
        let mut snippets = SnippetGenerator::create(&searcher, &*user, f.body)?;
        snippets.set_max_num_chars(240);
        let mut out = Vec::with_capacity(hits.len());
        for (score, addr) in hits {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let text = |field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str())
                    .map(str::to_owned)
            };
            let body = text(f.body).unwrap_or_default();
            let snippet = snippets.snippet(&body);
            let snippet = if snippet.highlighted().is_empty() && snippet.fragment().is_empty() {
                let mut s = String::new();
                escape_html(&body.chars().take(240).collect::<String>(), &mut s);
                s
            } else {
                snippet_html(&snippet)
            };
            out.push(SearchHit {
                document_id: text(f.doc_id).unwrap_or_default(),
                number: text(f.number_display),
                title: text(f.title).unwrap_or_default(),
                kind: text(f.kind).unwrap_or_default(),
                provision_path: text(f.path),
                heading: text(f.heading),
                external_id: text(f.external_id),
                score,
                snippet,
            });
        }
        let mut facet_map = BTreeMap::new();
        for root in ["kind", "issuer", "field", "year"] {
            let mut counts: Vec<FacetCount> = facet_counts
                .get(&format!("/{root}"))
                .map(|(facet, count)| FacetCount {
                    value: facet
                        .to_path()
                        .last()
                        .map(|s| s.to_string())
                        .unwrap_or_default(),
                    count,
                })
                .collect();
            counts.sort_by(|a, b| b.count.cmp(&a.count).then(a.value.cmp(&b.value)));
            facet_map.insert(root.to_owned(), counts);
        }
        let next = offset + out.len();
        Ok(SearchResponse {
            total,
            next_cursor: (next < total && !out.is_empty()).then(|| next.to_string()),
            hits: out,
            facets: facet_map,
        })
    }

    /// Documents like the given one: its distinctive words, ranked, itself excluded.
    pub fn similar(
        &self,
        document_id: &str,
        who: &Audience,
        limit: usize,
    ) -> Result<Vec<SearchHit>, SearchError> {
        let f = self.fields;
        let searcher = self.reader.searcher();
        let this = BooleanQuery::new(vec![
            (Occur::Must, term_query(f.doc_id, document_id)),
            (Occur::Must, term_query(f.unit, "document")),
        ]);
        let Some((_, addr)) = searcher
            .search(&this, &TopDocs::with_limit(1).order_by_score())?
            .into_iter()
            .next()
        else {
            return Ok(vec![]);
        };
        let doc: TantivyDocument = searcher.doc(addr)?;
        let title = doc
            .get_first(f.title)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned();
        let mlt = tantivy::query::MoreLikeThisQuery::builder()
            .with_min_doc_frequency(1)
            .with_min_term_frequency(1)
            .with_max_query_terms(40)
            .with_document(addr);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![
            (Occur::Must, Box::new(mlt)),
            (Occur::MustNot, term_query(f.doc_id, document_id)),
        ];
        let req = SearchRequest {
            q: title,
            granularity: Granularity::Document,
            ..Default::default()
        };
        clauses.extend(self.filters(&req, who, Granularity::Document));
        let hits = searcher.search(
            &BooleanQuery::new(clauses),
            &TopDocs::with_limit(limit).order_by_score(),
        )?;
        let mut out = vec![];
        for (score, addr) in hits {
            let d: TantivyDocument = searcher.doc(addr)?;
            let text = |field| {
                d.get_first(field)
                    .and_then(|v| v.as_str())
                    .map(str::to_owned)
            };
            let mut snippet = String::new();
            escape_html(
                &text(f.body)
                    .unwrap_or_default()
                    .chars()
                    .take(240)
                    .collect::<String>(),
                &mut snippet,
            );
            out.push(SearchHit {
                document_id: text(f.doc_id).unwrap_or_default(),
                number: text(f.number_display),
                title: text(f.title).unwrap_or_default(),
                kind: text(f.kind).unwrap_or_default(),
                provision_path: None,
                heading: None,
                external_id: None,
                score,
                snippet,
            });
        }
        Ok(out)
    }

    /// Number of indexed entries (documents and provisions).
    pub fn count(&self) -> Result<usize, SearchError> {
        Ok(self.reader.searcher().search(&AllQuery, &Count)?)
    }
}

/// The words of a query that are document numbers, without the punctuation people put
/// around them ("(83-CP)", "09/2015/QĐ-TTg,").
fn number_words(q: &str) -> Vec<&str> {
    q.split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| analysis::looks_like_number(w))
        .collect()
}

fn term_query_u64(field: tantivy::schema::Field, v: u64) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_u64(field, v),
        IndexRecordOption::Basic,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_found_inside_punctuation() {
        assert_eq!(
            number_words("theo (83-CP) và 09/2015/QĐ-TTg, ngày 17/10/2005"),
            vec!["83-CP", "09/2015/QĐ-TTg"]
        );
    }

    #[test]
    fn html_is_escaped() {
        let mut s = String::new();
        escape_html("<script>a & 'b'</script>", &mut s);
        assert_eq!(s, "&lt;script&gt;a &amp; &#39;b&#39;&lt;/script&gt;");
    }
}
