//! The weights of the plain-text query, apart from the query so that the index can hold
//! them without depending on it.

/// Weights of the plain-text query, tuned on the corpus question sets
/// (docs/BENCHMARKS.md); the body's exact words weigh 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlainWeights {
    pub heading: f32,
    pub title: f32,
    pub folded: f32,
    pub pair: f32,
    /// Drop the question words ([`QUESTION_WORDS`](super::query::QUESTION_WORDS)).
    pub question_words: bool,
    /// A word in more than this share of the entries counts only through its pairs
    /// (1.0: every word counts on its own).
    pub common: f32,
    /// The folded path only for words typed without diacritics (a word typed with them
    /// is matched exactly).
    pub folded_unaccented_only: bool,
    /// Restoring the diacritics of unaccented words: the weight of the independence
    /// estimate in a pair's count (see `restore`).
    pub restore_smoothing: f32,
    /// Lowest probability of a restored form kept in the query.
    pub restore_keep: f32,
    /// Weight of a quoted phrase in the default syntax (the phrase is a boost, its words
    /// count as plain words).
    pub phrase: f32,
}

impl Default for PlainWeights {
    fn default() -> Self {
        PlainWeights {
            heading: 0.25,
            title: 0.3,
            folded: 0.1,
            pair: 1.0,
            question_words: false,
            common: 0.35,
            folded_unaccented_only: true,
            restore_smoothing: 0.05,
            restore_keep: 0.1,
            phrase: 1.0,
        }
    }
}
