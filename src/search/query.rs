//! Searching: a request becomes a tantivy query (the user's words over exact and
//! folded fields, plus filters), run with facets and snippets.

use std::collections::BTreeMap;
use std::ops::Bound;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, QueryParser, RangeQuery,
    TermQuery,
};
use tantivy::query_grammar::{UserInputAst, UserInputLeaf};
use tantivy::schema::{IndexRecordOption, OwnedValue, Value};
use tantivy::{DocAddress, Order, Score, TantivyDocument, Term};
use utoipa::{IntoParams, ToSchema};

use super::analysis;
use super::collect;
use super::cursor;
use super::index::{day, SearchIndex};
use super::restore;
pub use super::weights::PlainWeights;
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
    /// The default: the text is ranked as a plain question, and the operators that cannot
    /// be mistaken are honoured on top of it: `title:`, `heading:`, `body:` or `number:` at
    /// the start of a word (the word must be in that field), `OR` in capitals between
    /// words, `-word` after a space (excluded), and a "quoted phrase" (ranked higher, not
    /// required). Anything else is plain text: no text is refused.
    #[default]
    Auto,
    /// Words, "phrases", `-word`, `OR`, `field:`; a syntax error is a 400.
    Query,
    /// Plain text such as a question: every word counts, nothing is syntax.
    Plain,
}

/// A search. `q` takes a question or words, with, without or with some diacritics, and
/// document numbers in any spelling; by default (`syntax=auto`) also "phrases", `-word`,
/// `OR` and the fields `title:`, `heading:`, `body:`, `number:`.
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
    /// Org unit id: the documents that belong to it now (issued by it or inherited by it
    /// in a reorganisation).
    #[serde(default)]
    pub holder: Option<String>,
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
    /// Opaque cursor from `next_cursor` (absent past the configured deepest page, 1000
    /// hits by default: narrow the search to reach further).
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchHit {
    pub document_id: String,
    pub number: Option<String>,
    pub title: String,
    pub kind: String,
    /// The article (`dieu-5`). Null for a whole-document hit, and in the provision view
    /// for a document that has no articles (only its metadata, or a text not cut into
    /// articles): such a document is a hit of its own there.
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

/// The words that make a sentence a question and say nothing of its subject, dropped from
/// a plain-text query, longest first. Derived from the question sets (docs/BENCHMARKS.md):
/// word sequences in at least 2% of the tuning questions and at least 15 times as
/// frequent there as in the articles, less those that carry a subject ("trường hợp nào",
/// "điều nào" keep "trường hợp", "điều").
pub const QUESTION_WORDS: &[&[&str]] = &[
    &["đúng", "hay", "sai"],
    &["như", "thế", "nào"],
    &["nào", "sau", "đây"],
    &["thế", "nào"],
    &["là", "gì"],
    &["gì"],
    &["nào"],
    &["ai"],
    &["hay"],
];

fn term_query(field: tantivy::schema::Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}

use crate::domain::text::escape_html_into as escape_html;

/// A query to score, and a cheaper query with the same matches to count them.
type ScoredAndMatching = (Box<dyn Query>, Box<dyn Query>);

/// Snippets: the best window of the text (about 240 bytes) by the words of the query
/// it contains, each word weighing 1 / (1 + its document frequency), as tantivy's
/// `SnippetGenerator` chooses it. Written here to read each text once and to look each
/// word up once per search: the hits of one search share most of their words, so a
/// word's spelling → its weight (or none) is kept for the next hits.
struct Highlighter {
    terms: std::collections::HashMap<String, Score>,
    seen: std::cell::RefCell<WordWeights>,
}

type WordWeights = std::collections::HashMap<Box<str>, Option<Score>, analysis::WordHasher>;

const SNIPPET_BYTES: usize = 240;

impl Highlighter {
    fn new(
        searcher: &tantivy::Searcher,
        query: &dyn Query,
        field: tantivy::schema::Field,
    ) -> Result<Self, SearchError> {
        let mut wanted: Vec<Term> = vec![];
        query.query_terms(&mut |term, _| {
            if term.field() == field {
                wanted.push(term.clone());
            }
        });
        let mut terms = std::collections::HashMap::new();
        for term in wanted {
            let Some(text) = term.value().as_str().map(str::to_owned) else {
                continue;
            };
            if terms.contains_key(&text) {
                continue;
            }
            let df = searcher.doc_freq(&term)?;
            if df > 0 {
                terms.insert(text, 1.0 / (1.0 + df as Score));
            }
        }
        Ok(Highlighter {
            terms,
            seen: Default::default(),
        })
    }

    /// The weight of a word as written, if it is one of the query's.
    fn weight(&self, seen: &mut WordWeights, word: &str, term: &mut String) -> Option<Score> {
        if let Some(w) = seen.get(word) {
            return *w;
        }
        analysis::exact_term(word, term);
        let w = self.terms.get(term.as_str()).copied();
        seen.insert(word.into(), w);
        w
    }

    /// Escaped HTML with `<mark>` around the query's words; the start of the text when
    /// none of them is in it.
    fn snippet_html(&self, text: &str) -> String {
        // The window being read, and the best one so far (its marks in `best_marks`).
        let (mut score, mut start, mut stop) = (0.0, 0, 0);
        let mut marks: Vec<std::ops::Range<usize>> = vec![];
        let mut best: Option<(Score, usize, usize)> = None;
        let mut best_marks: Vec<std::ops::Range<usize>> = vec![];
        let mut seen = self.seen.borrow_mut();
        let mut term = String::new();
        for (from, to) in analysis::word_ranges(text).chain([(usize::MAX, usize::MAX)]) {
            let end = from == usize::MAX;
            if end || to - start > SNIPPET_BYTES {
                if score > 0.0 && best.is_none_or(|b| score > b.0) {
                    best = Some((score, start, stop));
                    best_marks.clone_from(&marks);
                }
                if end {
                    break;
                }
                (score, start) = (0.0, from);
                marks.clear();
            }
            stop = to;
            let word = text.get(from..to).unwrap_or_default();
            if let Some(w) = self.weight(&mut seen, word, &mut term) {
                score += w;
                marks.push(from..to);
            }
        }
        let Some((_, best_start, best_stop)) = best else {
            return opening_html(text);
        };
        let mut out = String::with_capacity(best_stop - best_start + 32);
        let mut pos = best_start;
        for r in best_marks {
            if r.start < pos {
                continue;
            }
            escape_html(text.get(pos..r.start).unwrap_or_default(), &mut out);
            out.push_str("<mark>");
            escape_html(text.get(r.start..r.end).unwrap_or_default(), &mut out);
            out.push_str("</mark>");
            pos = r.end;
        }
        escape_html(text.get(pos..best_stop).unwrap_or_default(), &mut out);
        out
    }
}

/// The term clauses of a plain-text query: the scored ones (each once, boosted), and
/// those that count its matches.
#[derive(Default)]
struct Clauses {
    scored: Vec<(Occur, Box<dyn Query>)>,
    matching: Vec<(Occur, Box<dyn Query>)>,
    seen: std::collections::HashSet<(tantivy::schema::Field, String)>,
    counted: std::collections::HashSet<(tantivy::schema::Field, String)>,
}

impl Clauses {
    /// A term in a field, scored with `weight` (none at 0) and counted if `counts`; a
    /// term already added is not added again.
    fn add(&mut self, field: tantivy::schema::Field, term: &str, weight: f32, counts: bool) {
        if !self.seen.insert((field, term.to_owned())) {
            return;
        }
        let query = TermQuery::new(
            Term::from_field_text(field, term),
            IndexRecordOption::WithFreqs,
        );
        if counts {
            self.counted.insert((field, term.to_owned()));
            self.matching
                .push((Occur::Should, Box::new(query.clone()) as Box<dyn Query>));
        }
        if weight > 0.0 {
            self.scored.push((
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(query), weight)),
            ));
        }
    }

    /// Whether a term in a field counts matches.
    fn counts(&self, field: tantivy::schema::Field, term: &str) -> bool {
        self.counted.contains(&(field, term.to_owned()))
    }
}

impl SearchIndex {
    /// Plain text: each word on the exact fields, its folded form on the folded fields,
    /// and each pair of neighbouring words on the pair fields (Vietnamese words are often
    /// two syllables: "cải cách", "hành chính"). A word typed without diacritics is also
    /// asked in its likely accented forms, and its pairs in their likely accented pairs,
    /// each weighed by its probability (see [`restore`]); a word typed with them means
    /// just that word. Pairs are made inside each of `runs`, never across two.
    ///
    /// Returns the scored query, a flat disjunction of term queries, and a cheaper query
    /// with the same matches for counting: an exact word or a pair in a field implies the
    /// folded word in its folded field, and a pair implies each of its words.
    fn plain_query(
        &self,
        searcher: &tantivy::Searcher,
        runs: &[&str],
        numbers: &[String],
    ) -> Result<ScoredAndMatching, SearchError> {
        let f = self.fields;
        let w = self.plain_weights();
        let (heading_w, title_w, folded_w, pair_w) = (w.heading, w.title, w.folded, w.pair);
        let mut words = vec![];
        let mut starts = vec![];
        for run in runs {
            for (j, word) in analysis::query_words(run).into_iter().enumerate() {
                words.push(word);
                starts.push(j == 0);
            }
        }
        let mut kept = vec![true; words.len()];
        if w.question_words {
            let mut i = 0;
            while i < words.len() {
                let hit = QUESTION_WORDS.iter().find(|phrase| {
                    words
                        .get(i..i + phrase.len())
                        .is_some_and(|ws| ws.iter().zip(phrase.iter()).all(|(a, b)| a.exact == *b))
                });
                match hit {
                    Some(phrase) => {
                        kept[i..i + phrase.len()]
                            .iter_mut()
                            .for_each(|k| *k = false);
                        i += phrase.len();
                    }
                    None => i += 1,
                }
            }
        }
        // The likely forms of each run's words and pairs (`pairs[i]`: words i - 1 and i).
        let syllables = self.statistics.get(searcher, f.body)?;
        let how = restore::Restoration {
            smoothing: w.restore_smoothing,
            keep: w.restore_keep,
            mass: w.restore_mass,
            pairs: w.restore_pairs,
            candidates: w.restore_candidates,
        };
        let mut forms = Vec::with_capacity(words.len());
        let mut pairs: Vec<Vec<restore::PairForm>> = vec![vec![]; words.len()];
        let mut from = 0;
        while from < words.len() {
            let to = (from + 1..words.len())
                .find(|&j| starts[j])
                .unwrap_or(words.len());
            let (run_forms, run_pairs) = restore::restore(
                &words[from..to],
                &syllables,
                searcher,
                f.body,
                f.body_pairs,
                how,
            )?;
            forms.extend(run_forms);
            for (k, p) in run_pairs.into_iter().enumerate() {
                pairs[from + k + 1] = p;
            }
            from = to;
        }
        let num_docs = searcher.num_docs().max(1) as f32;
        let singles: Vec<bool> = forms
            .iter()
            .enumerate()
            .map(|(i, r)| kept[i] && (w.common >= 1.0 || r.doc_freq / num_docs <= w.common))
            .collect();
        // The words asked in their alternate forms too: the rarest ones with alternates,
        // at most `restore_alternates_max` of them.
        let mut alternates = vec![false; words.len()];
        let mut ambiguous: Vec<usize> = (0..words.len())
            .filter(|&i| forms[i].forms.len() > 1)
            .collect();
        ambiguous.sort_by(|&a, &b| forms[a].doc_freq.total_cmp(&forms[b].doc_freq));
        for &i in ambiguous.iter().take(w.restore_alternates_max) {
            alternates[i] = true;
        }
        let mut clauses = Clauses::default();
        for (i, word) in words.iter().enumerate() {
            if !singles[i] {
                continue;
            }
            // The folded fields: for a word typed without diacritics, unless its restored
            // forms stand for it (`folded_restored`).
            let folded = (!w.folded_unaccented_only || word.exact == word.folded)
                && (w.folded_restored || !forms[i].restored);
            for (k, (term, p)) in forms[i].forms.iter().enumerate() {
                if k > 0 && !alternates[i] {
                    break;
                }
                let everywhere = k == 0 || w.restore_alternates_everywhere;
                if everywhere {
                    clauses.add(f.heading, term, heading_w * p, !folded);
                }
                clauses.add(f.body, term, *p, !folded);
                if everywhere {
                    clauses.add(f.title, term, title_w * p, true);
                }
            }
            if folded {
                clauses.add(f.heading_folded, &word.folded, folded_w * heading_w, true);
                clauses.add(f.body_folded, &word.folded, folded_w, true);
            }
        }
        let mut token = String::new();
        for i in 1..words.len() {
            if starts[i] || !(kept[i - 1] && kept[i]) {
                continue;
            }
            let (a, b) = (&words[i - 1].folded, &words[i].folded);
            for (k, (left, right, p)) in pairs[i].iter().enumerate() {
                if k > 0 && !(alternates[i - 1] || alternates[i]) {
                    break;
                }
                token.clear();
                token.push_str(left);
                token.push('_');
                token.push_str(right);
                // A pair in a field is counted through either word when it is (its form
                // on the exact field, or the folded word on the folded field).
                let implied = |c: &Clauses, exact, folded| {
                    c.counts(exact, left)
                        || c.counts(exact, right)
                        || c.counts(folded, a)
                        || c.counts(folded, b)
                };
                let counts = !implied(&clauses, f.body, f.body_folded);
                clauses.add(f.body_pairs, &token, pair_w * p, counts);
                if k == 0 || w.restore_alternates_everywhere {
                    let counts = !implied(&clauses, f.heading, f.heading_folded);
                    clauses.add(f.heading_pairs, &token, pair_w * heading_w * p, counts);
                }
            }
        }
        for n in numbers {
            clauses.add(f.number, &analysis::number_key(n), 20.0, true);
        }
        Ok((
            Box::new(BooleanQuery::new(clauses.scored)),
            Box::new(BooleanQuery::new(clauses.matching)),
        ))
    }

    /// The default syntax: the text as a plain question (see [`auto_parts`]), with its
    /// operators on top: fields required, excluded words refused, phrases boosted.
    fn auto_query(
        &self,
        searcher: &tantivy::Searcher,
        q: &str,
    ) -> Result<ScoredAndMatching, SearchError> {
        let parts = auto_parts(q);
        let runs: Vec<&str> = parts.runs.iter().map(String::as_str).collect();
        let (plain, plain_matching) = self.plain_query(searcher, &runs, &number_words(q))?;
        let mut scored: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Should, plain)];
        let mut matching: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Should, plain_matching)];
        let f = self.fields;
        let phrase_w = self.plain_weights().phrase;
        for phrase in &parts.phrases {
            if let Some(p) = self.words_query(phrase, f.body, f.body_folded) {
                scored.push((Occur::Should, Box::new(BoostQuery::new(p, phrase_w))));
            }
        }
        for (field, value) in &parts.fielded {
            let q = match *field {
                "number" => Some(term_query(f.number, &analysis::number_key(value))),
                "title" => self.words_query(value, f.title, f.title_folded),
                "heading" => self.words_query(value, f.heading, f.heading_folded),
                _ => self.words_query(value, f.body, f.body_folded),
            };
            if let Some(q) = q {
                scored.push((Occur::Must, q.box_clone()));
                matching.push((Occur::Must, q));
            }
        }
        for word in &parts.excluded {
            let any: Vec<(Occur, Box<dyn Query>)> = [
                (f.title, f.title_folded),
                (f.heading, f.heading_folded),
                (f.body, f.body_folded),
            ]
            .into_iter()
            .filter_map(|(exact, folded)| self.words_query(word, exact, folded))
            .map(|q| (Occur::Should, q))
            .collect();
            if !any.is_empty() {
                let q: Box<dyn Query> = Box::new(BooleanQuery::new(any));
                scored.push((Occur::MustNot, q.box_clone()));
                matching.push((Occur::MustNot, q));
            }
        }
        Ok((
            Box::new(BooleanQuery::new(scored)),
            Box::new(BooleanQuery::new(matching)),
        ))
    }

    /// The words of `text` in a field: one word, or the phrase of several; on the exact
    /// field when every word has its diacritics, else on the folded one.
    fn words_query(
        &self,
        text: &str,
        exact: tantivy::schema::Field,
        folded: tantivy::schema::Field,
    ) -> Option<Box<dyn Query>> {
        let words = analysis::query_words(text);
        let accented = words.iter().all(|w| w.exact != w.folded);
        let terms: Vec<Term> = words
            .iter()
            .map(|w| {
                if accented {
                    Term::from_field_text(exact, &w.exact)
                } else {
                    Term::from_field_text(folded, &w.folded)
                }
            })
            .collect();
        match terms.len() {
            0 => None,
            1 => terms.into_iter().next().map(|t| {
                Box::new(TermQuery::new(t, IndexRecordOption::WithFreqs)) as Box<dyn Query>
            }),
            _ => Some(Box::new(PhraseQuery::new(terms))),
        }
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
            .build_query_from_user_input_ast(user_input(&normalized)?)
            .map_err(|e| SearchError::Query(e.to_string()))?;
        // A document number anywhere in the query is an exact key: strongly preferred.
        let numbers: Vec<Box<dyn Query>> = number_words(q)
            .into_iter()
            .map(|w| {
                Box::new(BoostQuery::new(
                    term_query(f.number, &analysis::number_key(&w)),
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

    /// What the audience may see (None: everything).
    pub(super) fn audience_filter(&self, who: &Audience) -> Option<Box<dyn Query>> {
        let f = self.fields;
        match who {
            Audience::Everything => None,
            Audience::Public => Some(term_query(f.public, "1")),
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
                Some(Box::new(BooleanQuery::new(any)))
            }
        }
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
        if let Some(audience) = self.audience_filter(who) {
            must.push((Occur::Must, audience));
        }
        if let Some(k) = req.kind {
            must.push((Occur::Must, term_query(f.kind, k.as_str())));
        }
        if let Some(i) = &req.issuer {
            must.push((Occur::Must, term_query(f.issuer_id, i)));
        }
        if let Some(h) = &req.holder {
            must.push((Occur::Must, term_query(f.holder_id, h)));
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
                LegalEffect::InForce
                | LegalEffect::PartiallyExpired
                | LegalEffect::Suspended
                | LegalEffect::PartiallySuspended => {
                    must.push((Occur::Must, le(f.start_day, d)));
                    must.push((Occur::Must, gt(f.end_day, d)));
                }
                LegalEffect::Expired => must.push((Occur::Must, le(f.end_day, d))),
                LegalEffect::NotYetEffective => must.push((Occur::Must, gt(f.start_day, d))),
            }
        }
        must
    }

    /// Runs a search, its cursor at most [`cursor::DEFAULT_MAX_OFFSET`] deep.
    pub fn search(
        &self,
        req: &SearchRequest,
        who: &Audience,
    ) -> Result<SearchResponse, SearchError> {
        self.search_paged(req, who, cursor::DEFAULT_MAX_OFFSET)
    }

    /// Runs a search. The page starts at the cursor's offset, which is at most
    /// `max_offset`: a search keeps offset + limit hits.
    pub fn search_paged(
        &self,
        req: &SearchRequest,
        who: &Audience,
        max_offset: usize,
    ) -> Result<SearchResponse, SearchError> {
        let limit = req.limit.unwrap_or(10);
        if !(1..=100).contains(&limit) {
            return Err(SearchError::Invalid {
                field: "limit",
                message: "must be between 1 and 100",
            });
        }
        let offset = match &req.cursor {
            None => 0,
            Some(c) => cursor::decode(c, max_offset)?,
        };
        if req.q.trim().is_empty() {
            return Err(SearchError::Query("q must not be empty".into()));
        }
        if req.q.chars().count() > 1_000 {
            return Err(SearchError::Query("q: at most 1000 characters".into()));
        }
        let searcher = self.reader.searcher();
        let (scored, matching) = match req.syntax {
            Syntax::Query => {
                let q = self.user_query(&req.q)?;
                (q.box_clone(), q)
            }
            Syntax::Plain => {
                self.plain_query(&searcher, &[req.q.as_str()], &number_words(&req.q))?
            }
            Syntax::Auto => self.auto_query(&searcher, &req.q)?,
        };
        let filter = BooleanQuery::new(self.filters(req, who, req.granularity));
        let filter_key = format!("{filter:?}");
        let f = self.fields;

        let by_score = req.sort == SortOrder::Relevance;
        let collected = collect::collect(
            &self.segments,
            &searcher,
            &*scored,
            &*matching,
            &filter,
            &filter_key,
            offset.saturating_add(limit),
            by_score,
            "facets",
        )?;
        let hits: Vec<(Score, DocAddress)> = if by_score {
            collected.top.into_iter().skip(offset).collect()
        } else {
            let query = BooleanQuery::new(vec![
                (Occur::Must, matching.box_clone()),
                (Occur::Must, Box::new(filter.clone())),
            ]);
            searcher
                .search(
                    &query,
                    &TopDocs::with_limit(limit)
                        .and_offset(offset)
                        .order_by_fast_field::<i64>("signed_day", Order::Desc),
                )?
                .into_iter()
                .map(|(_, a)| (0.0, a))
                .collect()
        };
        let highlighter = Highlighter::new(&searcher, &*scored, f.body)?;
        let mut out = Vec::with_capacity(hits.len());
        for (score, addr) in hits {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let snippet = highlighter.snippet_html(stored_body(&doc, f.body_text));
            out.push(stored_hit(&doc, &f, score, snippet));
        }
        let mut facet_map: BTreeMap<String, Vec<FacetCount>> = ["kind", "issuer", "field", "year"]
            .into_iter()
            .map(|root| (root.to_owned(), vec![]))
            .collect();
        for ((root, value), count) in collected.facets {
            if let Some(counts) = facet_map.get_mut(&*root) {
                counts.push(FacetCount {
                    value: value.to_string(),
                    count,
                });
            }
        }
        for counts in facet_map.values_mut() {
            counts.sort_by(|a, b| b.count.cmp(&a.count).then(a.value.cmp(&b.value)));
        }
        let total = collected.total;
        let next = offset + out.len();
        let next_cursor = if next < total && !out.is_empty() && next <= max_offset {
            cursor::encode(next)
        } else {
            None
        };
        Ok(SearchResponse {
            total,
            next_cursor,
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
        // The document's stored values, its text as the body field's.
        let mut values: BTreeMap<tantivy::schema::Field, Vec<OwnedValue>> = BTreeMap::new();
        for (field, value) in doc.field_values() {
            let (field, value) = if field == f.body_text {
                (
                    f.body,
                    OwnedValue::Str(stored_body(&doc, f.body_text).to_owned()),
                )
            } else {
                (field, OwnedValue::from(value))
            };
            values.entry(field).or_default().push(value);
        }
        let mlt = tantivy::query::MoreLikeThisQuery::builder()
            .with_min_doc_frequency(1)
            .with_min_term_frequency(1)
            .with_max_query_terms(40)
            .with_document_fields(values.into_iter().collect());
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
            let snippet = opening_html(stored_body(&d, f.body_text));
            out.push(stored_hit(&d, &f, score, snippet));
        }
        Ok(out)
    }

    /// What the default syntax asks for a text: (term clauses scored, postings they read,
    /// the sum of their document frequencies). A measure of a query's cost that does not
    /// depend on the machine, for tuning.
    pub fn query_cost(&self, q: &str) -> Result<(usize, u64), SearchError> {
        let searcher = self.reader.searcher();
        let (scored, _) = self.auto_query(&searcher, q)?;
        let mut terms = vec![];
        scored.query_terms(&mut |term, _| terms.push(term.clone()));
        let mut postings = 0;
        for term in &terms {
            postings += searcher.doc_freq(term)?;
        }
        Ok((terms.len(), postings))
    }

    /// Number of indexed entries (documents and provisions).
    pub fn count(&self) -> Result<usize, SearchError> {
        Ok(self.reader.searcher().search(&AllQuery, &Count)?)
    }
}

/// The first 240 characters of a text as escaped HTML: the snippet when none of the
/// query's words is in it.
pub(super) fn opening_html(text: &str) -> String {
    let end = text.char_indices().nth(240).map_or(text.len(), |(i, _)| i);
    let mut out = String::with_capacity(end);
    escape_html(text.get(..end).unwrap_or_default(), &mut out);
    out
}

/// The hit of a stored entry (a whole document's has no path, heading or external id).
pub(super) fn stored_hit(
    doc: &TantivyDocument,
    f: &super::index::Fields,
    score: Score,
    snippet: String,
) -> SearchHit {
    let text = |field| stored_str(doc, field);
    SearchHit {
        document_id: text(f.doc_id).unwrap_or_default(),
        number: text(f.number_display),
        title: text(f.title).unwrap_or_default(),
        kind: text(f.kind).unwrap_or_default(),
        provision_path: text(f.path),
        heading: text(f.heading),
        external_id: text(f.external_id),
        score,
        snippet,
    }
}

/// A stored text field of an entry, if it has one.
fn stored_str(doc: &TantivyDocument, field: tantivy::schema::Field) -> Option<String> {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .map(str::to_owned)
}

/// The stored text of an entry (see `Fields::body_text`).
fn stored_body(doc: &TantivyDocument, field: tantivy::schema::Field) -> &str {
    let bytes = doc
        .get_first(field)
        .and_then(|v| v.as_bytes())
        .unwrap_or_default();
    simdutf8::basic::from_utf8(bytes).unwrap_or_default()
}

/// The words of a query that are document numbers, without the punctuation people put
/// around them ("(83-CP)", "09/2015/QĐ-TTg,"), and with the spaces people put around a
/// `/` ("09 / 2015 / QĐ-TTg") removed.
fn number_words(q: &str) -> Vec<String> {
    let mut joined = String::with_capacity(q.len());
    for piece in q.split_whitespace() {
        let glue = piece.starts_with('/') || joined.ends_with('/');
        if !joined.is_empty() && !glue {
            joined.push(' ');
        }
        joined.push_str(piece);
    }
    joined
        .split(' ')
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| analysis::looks_like_number(w))
        .map(str::to_owned)
        .collect()
}

/// What the default syntax reads in a text: the runs of plain text (pairs of syllables
/// are made inside a run, never across two: a run ends at `OR`, a `field:` value and a
/// `-word`), the quoted phrases (their words are also on their run), the `field:` values
/// and the `-words`.
#[derive(Debug, Default, PartialEq)]
struct AutoParts {
    runs: Vec<String>,
    phrases: Vec<String>,
    fielded: Vec<(&'static str, String)>,
    excluded: Vec<String>,
}

/// Reads the operators that cannot be mistaken for text; everything else is text. At the
/// start of a word (after a space, or at the start): `"a phrase"` with its closing quote,
/// `-word` (a letter or digit after the `-`), `OR` standing alone, and `title:` /
/// `heading:` / `body:` / `number:` followed by a word or a quoted phrase.
fn auto_parts(q: &str) -> AutoParts {
    let mut parts = AutoParts::default();
    let mut run = String::new();
    let end_run = |run: &mut String, parts: &mut AutoParts| {
        if !run.trim().is_empty() {
            parts.runs.push(std::mem::take(run));
        }
        run.clear();
    };
    let mut rest = q;
    while let Some(start) = rest.find(|c: char| !c.is_whitespace()) {
        rest = &rest[start..];
        let word_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let word = &rest[..word_end];
        // The closing quote of a phrase that opens `s`.
        let closing = |s: &str| -> Option<usize> {
            s.strip_prefix('"')
                .and_then(|inner| inner.find('"'))
                .map(|i| i + 1)
        };
        if let Some(close) = closing(rest) {
            // Its words go on the run: the phrase is a boost, its words are the question's.
            let phrase = &rest[1..close];
            if !run.is_empty() {
                run.push(' ');
            }
            run.push_str(phrase);
            parts.phrases.push(phrase.to_owned());
            rest = &rest[close + 1..];
            continue;
        }
        if word == "OR" {
            end_run(&mut run, &mut parts);
            rest = &rest[word_end..];
            continue;
        }
        if let Some(excluded) = word
            .strip_prefix('-')
            .filter(|w| w.starts_with(char::is_alphanumeric))
        {
            end_run(&mut run, &mut parts);
            parts.excluded.push(excluded.to_owned());
            rest = &rest[word_end..];
            continue;
        }
        let field = QUERY_FIELDS.iter().find_map(|name| {
            let after = rest.strip_prefix(name)?.strip_prefix(':')?;
            (!after.is_empty() && !after.starts_with(char::is_whitespace)).then_some((*name, after))
        });
        if let Some((name, after)) = field {
            let (value, next) = match closing(after) {
                Some(close) => (&after[1..close], &after[close + 1..]),
                None => {
                    let end = after.find(char::is_whitespace).unwrap_or(after.len());
                    (&after[..end], &after[end..])
                }
            };
            end_run(&mut run, &mut parts);
            parts.runs.push(value.to_owned());
            parts.fielded.push((name, value.to_owned()));
            rest = next;
            continue;
        }
        if !run.is_empty() {
            run.push(' ');
        }
        run.push_str(word);
        rest = &rest[word_end..];
    }
    end_run(&mut run, &mut parts);
    parts
}

/// The fields a query may name (`title:`), besides the default of all of them.
const QUERY_FIELDS: &[&str] = &["title", "heading", "body", "number"];
/// Deepest nesting of parentheses, and most words, a query may have.
const MAX_NESTING: usize = 16;
const MAX_LEAVES: usize = 200;

/// The syntax tree of a query in the query syntax, refused (a 400) when it uses what the
/// index cannot answer: other fields than [`QUERY_FIELDS`], ranges (`[a TO b]`, `>a`),
/// sets (`IN [a b]`), `field:*`, regular expressions, boosts that are not small positive
/// numbers, or more nesting or words than a question needs. The parser is recursive:
/// the nesting is bounded before it runs.
fn user_input(q: &str) -> Result<UserInputAst, SearchError> {
    let mut depth = 0usize;
    for c in q.chars() {
        match c {
            '(' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(SearchError::Query(format!(
                        "at most {MAX_NESTING} nested parentheses"
                    )));
                }
            }
            ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    let ast = tantivy::query_grammar::parse_query(q)
        .map_err(|_| SearchError::Query("syntax error in the query".into()))?;
    let mut leaves = 0;
    check_input(&ast, 0, &mut leaves)?;
    Ok(ast)
}

fn check_input(ast: &UserInputAst, depth: usize, leaves: &mut usize) -> Result<(), SearchError> {
    let refuse = |m: &str| Err(SearchError::Query(m.to_owned()));
    if depth > 2 * MAX_NESTING {
        return refuse("the query is nested too deeply");
    }
    match ast {
        UserInputAst::Clause(clauses) => clauses
            .iter()
            .try_for_each(|(_, c)| check_input(c, depth + 1, leaves)),
        UserInputAst::Boost(inner, boost) => {
            if !(0.0..=100.0).contains(&boost.0) {
                return refuse("a boost (^) is a number from 0 to 100");
            }
            check_input(inner, depth + 1, leaves)
        }
        UserInputAst::Leaf(leaf) => {
            *leaves += 1;
            if *leaves > MAX_LEAVES {
                return Err(SearchError::Query(format!(
                    "at most {MAX_LEAVES} words or phrases"
                )));
            }
            let field = match &**leaf {
                UserInputLeaf::Literal(l) => l.field_name.as_deref(),
                UserInputLeaf::All => None,
                UserInputLeaf::Exists { .. } => {
                    return refuse("field:* is not supported: name a word to look for");
                }
                UserInputLeaf::Range { .. } => return refuse("ranges are not supported"),
                UserInputLeaf::Set { .. } => return refuse("IN [...] is not supported"),
                UserInputLeaf::Regex { .. } => {
                    return refuse("regular expressions are not supported")
                }
            };
            match field {
                Some(name) if !QUERY_FIELDS.contains(&name) => Err(SearchError::Query(format!(
                    "unknown field {name}: use title, heading, body or number"
                ))),
                _ => Ok(()),
            }
        }
    }
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

    /// The snippet that tantivy's `SnippetGenerator` would give, written as before.
    fn tantivy_snippet(generator: &tantivy::snippet::SnippetGenerator, text: &str) -> String {
        let s = generator.snippet(text);
        let mut out = String::new();
        if s.highlighted().is_empty() && s.fragment().is_empty() {
            escape_html(&text.chars().take(240).collect::<String>(), &mut out);
            return out;
        }
        let fragment = s.fragment();
        let mut pos = 0;
        for r in s.highlighted() {
            if r.start < pos || r.end > fragment.len() {
                continue;
            }
            escape_html(&fragment[pos..r.start], &mut out);
            out.push_str("<mark>");
            escape_html(&fragment[r.start..r.end], &mut out);
            out.push_str("</mark>");
            pos = r.end;
        }
        escape_html(&fragment[pos..], &mut out);
        out
    }

    #[test]
    fn snippets_are_the_windows_tantivy_would_choose() {
        use unicode_normalization::UnicodeNormalization;
        let mut b = tantivy::schema::Schema::builder();
        let body = b.add_text_field("body", analysis::exact_field_options().set_stored());
        let index = tantivy::Index::create_in_ram(b.build());
        analysis::register(index.tokenizers());
        let mut writer: tantivy::IndexWriter =
            index.writer_with_num_threads(1, 15_000_000).unwrap();
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/corpus/phapdien_articles.sample200.jsonl"
        );
        let mut texts: Vec<String> = std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .take(80)
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|v| v["text"].as_str().map(str::to_owned))
            .collect();
        texts.extend(texts.clone().iter().map(|t| t.nfc().collect::<String>()));
        texts.push("Không có từ nào <khớp> & \"đúng\"".to_owned());
        for t in &texts {
            writer
                .add_document(tantivy::doc!(body => t.clone()))
                .unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        for q in [
            "Trách nhiệm của cơ quan quản lý nhà nước về an toàn thực phẩm",
            "hồ sơ đề nghị cấp giấy phép gồm những gì",
            "xử phạt vi phạm hành chính",
            "khớp",
        ] {
            let query = BooleanQuery::new(
                analysis::query_terms(q)
                    .iter()
                    .map(|t| {
                        (
                            Occur::Should,
                            Box::new(TermQuery::new(
                                Term::from_field_text(body, t),
                                IndexRecordOption::WithFreqs,
                            )) as Box<dyn Query>,
                        )
                    })
                    .collect(),
            );
            let ours = Highlighter::new(&searcher, &query, body).unwrap();
            let mut theirs =
                tantivy::snippet::SnippetGenerator::create(&searcher, &query, body).unwrap();
            theirs.set_max_num_chars(SNIPPET_BYTES);
            for t in &texts {
                assert_eq!(ours.snippet_html(t), tantivy_snippet(&theirs, t), "{q}");
            }
        }
    }

    #[test]
    fn the_default_syntax_reads_only_unmistakable_operators() {
        let p = auto_parts("thủ tục \"một cửa\" title:luật OR -thuế a-b c:d title: (x) \"open");
        assert_eq!(
            p.runs,
            vec![
                "thủ tục một cửa".to_owned(),
                "luật".to_owned(),
                "a-b c:d title: (x) \"open".to_owned()
            ]
        );
        assert_eq!(p.phrases, vec!["một cửa".to_owned()]);
        assert_eq!(p.fielded, vec![("title", "luật".to_owned())]);
        assert_eq!(p.excluded, vec!["thuế".to_owned()]);
        let q = auto_parts("number:\"09/2015/QĐ-TTg\" - x");
        assert_eq!(q.fielded, vec![("number", "09/2015/QĐ-TTg".to_owned())]);
        assert_eq!(q.runs, vec!["09/2015/QĐ-TTg".to_owned(), "- x".to_owned()]);
        assert_eq!(auto_parts("  "), AutoParts::default());
    }

    #[test]
    fn numbers_are_found_inside_punctuation() {
        assert_eq!(
            number_words("theo (83-CP) và 09/2015/QĐ-TTg, ngày 17/10/2005"),
            vec!["83-CP", "09/2015/QĐ-TTg"]
        );
        assert_eq!(
            number_words("số 09 / 2015 / QĐ-TTg"),
            vec!["09/2015/QĐ-TTg"]
        );
    }

    #[test]
    fn html_is_escaped() {
        let mut s = String::new();
        escape_html("<script>a & 'b'</script>", &mut s);
        assert_eq!(s, "&lt;script&gt;a &amp; &#39;b&#39;&lt;/script&gt;");
    }
}
