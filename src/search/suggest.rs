//! Suggestions as people type: documents whose title or number, and articles whose
//! heading, start with the text typed so far, with or without its diacritics.
//!
//! Each entry of the index carries its keys in the `suggest` field, one untokenized term
//! each: `t:` and the folded words of a document's title, `n:` and the key of its number
//! (`domain::number`), `h:` and the folded words of an article's heading. A prefix is a
//! range of the field's sorted term dictionary, read in order until enough entries the
//! caller may see are found: the work grows with the suggestions returned, not with the
//! entries that match.

use serde::{Deserialize, Serialize};
use tantivy::query::{AllQuery, EnableScoring, Query};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocSet, TantivyDocument, TERMINATED};
use utoipa::{IntoParams, ToSchema};

use super::index::SearchIndex;
use super::keys::{cut, number_key};
use super::query::{Audience, SearchHit};
use super::SearchError;

/// Most suggestions answered, and the default.
pub const MAX_SUGGESTIONS: usize = 10;
/// Entries of one key suggested at most (articles of many laws share a heading).
const PER_KEY: usize = 2;
/// Longest text looked up, in characters.
const MAX_TYPED_CHARS: usize = 120;

#[derive(Debug, Clone, Default, Deserialize, ToSchema, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SuggestRequest {
    /// What has been typed: the start of a title, a number or an article heading, with
    /// or without diacritics.
    pub q: String,
    /// 1 to 10, default 10.
    pub limit: Option<usize>,
}

/// What a suggestion starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SuggestionKind {
    Number,
    Title,
    Heading,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Suggestion {
    /// Whether the number, the title or the article's heading starts with the text.
    pub matched: SuggestionKind,
    /// The document (`provision_path` null) or the article, as a search hit: its
    /// `snippet` is what matched (number, title or heading) as escaped HTML, its `score` 0.
    pub hit: SearchHit,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SuggestResponse {
    /// Numbers first, then titles, then headings; each in the order of its key.
    pub suggestions: Vec<Suggestion>,
}

/// The prefixes to look up for a typed text, in the order of their suggestions.
fn prefixes(typed: &str) -> Vec<(SuggestionKind, String)> {
    let typed: String = typed.chars().take(MAX_TYPED_CHARS).collect();
    let mut out = vec![];
    let trimmed = typed.trim();
    if trimmed.starts_with(|c: char| c.is_ascii_digit()) {
        out.push((SuggestionKind::Number, number_key(trimmed)));
    }
    let words = super::analysis::folded_terms(&typed);
    if !words.is_empty() {
        let mut key = words.join(" ");
        // A space typed after the last word: that word is complete.
        if typed.ends_with(char::is_whitespace) {
            key.push(' ');
        }
        out.push((SuggestionKind::Title, cut(format!("t:{key}"))));
        out.push((SuggestionKind::Heading, cut(format!("h:{key}"))));
    }
    out
}

impl SearchIndex {
    /// Up to `limit` (at most [`MAX_SUGGESTIONS`]) documents and articles the audience may
    /// see whose number, title or heading starts with `typed`.
    pub fn suggest(
        &self,
        typed: &str,
        who: &Audience,
        limit: Option<usize>,
    ) -> Result<SuggestResponse, SearchError> {
        let limit = limit.unwrap_or(MAX_SUGGESTIONS);
        if !(1..=MAX_SUGGESTIONS).contains(&limit) {
            return Err(SearchError::Invalid {
                field: "limit",
                message: "must be between 1 and 10",
            });
        }
        let f = self.fields;
        let searcher = self.reader.searcher();
        let audience: Box<dyn Query> = self
            .audience_filter(who)
            .unwrap_or_else(|| Box::new(AllQuery));
        let audience_key = format!("suggest {audience:?}");
        let weight = audience.weight(EnableScoring::disabled_from_searcher(&searcher))?;
        // (kind, key, entry), in the order they are suggested.
        let mut found: Vec<(SuggestionKind, Vec<u8>, DocAddress)> = vec![];
        for (kind, prefix) in prefixes(typed) {
            let mut of_kind: Vec<(Vec<u8>, DocAddress)> = vec![];
            for (ord, reader) in searcher.segment_readers().iter().enumerate() {
                let allowed = self
                    .segments
                    .filter(reader, &audience_key, weight.as_ref())?;
                let alive = reader.alive_bitset();
                let inverted = reader.inverted_index(f.suggest)?;
                let mut terms = inverted
                    .terms()
                    .range()
                    .ge(prefix.as_bytes())
                    .into_stream()
                    .map_err(|e| SearchError::Index(e.to_string()))?;
                let mut here = 0;
                while here < limit && terms.advance() {
                    if !terms.key().starts_with(prefix.as_bytes()) {
                        break;
                    }
                    let mut postings = inverted
                        .read_postings_from_terminfo(terms.value(), IndexRecordOption::Basic)
                        .map_err(|e| SearchError::Index(e.to_string()))?;
                    let mut of_key = 0;
                    let mut doc = postings.doc();
                    while doc != TERMINATED && of_key < PER_KEY {
                        if allowed.contains(doc) && alive.is_none_or(|a| a.is_alive(doc)) {
                            of_kind.push((terms.key().to_vec(), DocAddress::new(ord as u32, doc)));
                            of_key += 1;
                            here += 1;
                        }
                        doc = postings.advance();
                    }
                }
            }
            of_kind.sort();
            found.extend(of_kind.into_iter().map(|(key, addr)| (kind, key, addr)));
            if found.len() >= limit {
                break;
            }
        }
        found.truncate(limit);
        let mut suggestions = Vec::with_capacity(found.len());
        for (matched, _, addr) in found {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let mut hit = super::query::stored_hit(&doc, &f, 0.0, String::new());
            let shown = match matched {
                SuggestionKind::Number => hit.number.as_deref(),
                SuggestionKind::Title => Some(hit.title.as_str()),
                SuggestionKind::Heading => hit.heading.as_deref(),
            };
            hit.snippet = super::query::opening_html(shown.unwrap_or_default());
            suggestions.push(Suggestion { matched, hit });
        }
        Ok(SuggestResponse { suggestions })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::keys::{title_key, MAX_KEY_BYTES};

    #[test]
    fn typed_text_becomes_the_prefixes_of_its_keys() {
        assert_eq!(
            prefixes("Luật đất"),
            vec![
                (SuggestionKind::Title, "t:luat dat".to_owned()),
                (SuggestionKind::Heading, "h:luat dat".to_owned())
            ]
        );
        assert!(title_key("Luật Đất đai").starts_with(&prefixes("luat dat")[0].1));
        assert!(title_key("Luật Đất đai").starts_with(&prefixes("LUẬT ĐẤT ")[0].1));
        assert!(!title_key("Luật Đấtxyz").starts_with(&prefixes("luat dat ")[0].1));
        let numbered = prefixes("09/2015/qđ");
        assert_eq!(numbered[0].0, SuggestionKind::Number);
        assert!(number_key("09/2015/QĐ-TTg").starts_with(&numbered[0].1));
        assert!(prefixes("  ").is_empty());
        assert!(cut("ạ".repeat(200)).len() <= MAX_KEY_BYTES);
    }
}
