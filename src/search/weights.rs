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
    /// Restored forms are kept, most likely first, until they have this much of the
    /// probability (1.0: up to 3, each of at least `restore_keep`); the same for pairs.
    pub restore_mass: f32,
    /// Most restored pairs kept per pair of neighbouring words (1 to 3).
    pub restore_pairs: usize,
    /// Accented forms weighed per unaccented word (1 to 6), the most frequent first.
    pub restore_candidates: usize,
    /// The restored forms after the most likely one are asked on the heading and title
    /// fields too (false: on the body and its pairs only).
    pub restore_alternates_everywhere: bool,
    /// A word typed without diacritics is asked on the folded fields even when it has
    /// restored forms (false: only a word the index has no accented form of).
    pub folded_restored: bool,
    /// At most this many words of a question (the rarest first) are asked in their restored
    /// forms after the most likely one, and their pairs in the alternate pairs; the others
    /// in their most likely form only. Bounds what a long unaccented question asks.
    pub restore_alternates_max: usize,
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
            restore_smoothing: 0.01,
            restore_keep: 0.1,
            restore_mass: 0.8,
            restore_pairs: 3,
            restore_candidates: 6,
            restore_alternates_everywhere: false,
            folded_restored: false,
            restore_alternates_max: 2,
            phrase: 1.0,
        }
    }
}
