//! Diacritics restored from the index's own statistics.
//!
//! A word typed without diacritics (`thoi`) may stand for several words (`thời`, `thôi`,
//! `thổi`, `thói`...). The index knows how often each one occurs (its document frequency
//! in `body`), and how often each pair of neighbouring syllables occurs (`body_pairs`):
//! `thời_hạn` is far more common than `thôi_hạn`. The likely accented forms of an
//! unaccented question are read from those counts with a first-order Markov chain over the
//! syllables (forward-backward), no external model: each word gets its candidates with a
//! probability, each neighbouring pair the probability of each candidate pair.
//!
//! The expansion is bounded: at most [`CANDIDATES`] forms per word are weighed, and the
//! query keeps at most [`KEPT`] of them per word and per pair, those above a probability,
//! and no more once those kept have most of it ([`Restoration::mass`]). A word typed with
//! diacritics is not expanded: it has one candidate, itself.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use tantivy::index::SegmentId;
use tantivy::schema::Field;
use tantivy::{Searcher, Term};

use super::analysis::QueryWord;
use super::SearchError;

/// Accented forms weighed per unaccented word, the most frequent first.
pub const CANDIDATES: usize = 6;
/// Forms kept in the query per word and per pair.
pub const KEPT: usize = 3;
/// Longest syllable the statistics keep (longer terms are not Vietnamese syllables).
const MAX_SYLLABLE_BYTES: usize = 24;

/// Folded syllable → its accented forms in the index with their document frequencies,
/// most frequent first, at most [`CANDIDATES`].
#[derive(Default)]
pub struct Syllables {
    forms: HashMap<Box<str>, Vec<(Box<str>, u64)>>,
}

impl Syllables {
    /// Reads the terms of `field` (the exact body field) in every segment.
    pub fn build(searcher: &Searcher, field: Field) -> Result<Self, SearchError> {
        let mut counts: HashMap<Box<str>, u64> = HashMap::new();
        for reader in searcher.segment_readers() {
            let inverted = reader.inverted_index(field)?;
            let mut stream = inverted
                .terms()
                .stream()
                .map_err(|e| SearchError::Index(e.to_string()))?;
            while stream.advance() {
                let key = stream.key();
                if key.len() > MAX_SYLLABLE_BYTES {
                    continue;
                }
                let Ok(term) = std::str::from_utf8(key) else {
                    continue;
                };
                if !term.chars().all(char::is_alphabetic) {
                    continue;
                }
                *counts.entry(term.into()).or_default() += u64::from(stream.value().doc_freq);
            }
        }
        let mut forms: HashMap<Box<str>, Vec<(Box<str>, u64)>> = HashMap::new();
        for (term, df) in counts {
            let folded = crate::domain::text::fold(&term);
            forms.entry(folded.into()).or_default().push((term, df));
        }
        for list in forms.values_mut() {
            list.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            list.truncate(CANDIDATES);
        }
        Ok(Syllables { forms })
    }

    /// The accented forms of a folded syllable, most frequent first.
    pub fn forms(&self, folded: &str) -> &[(Box<str>, u64)] {
        self.forms
            .get(folded)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }
}

/// The statistics of the segments last read, rebuilt when the segments change.
#[derive(Default)]
pub struct Statistics {
    current: RwLock<Option<(Vec<SegmentId>, Arc<Syllables>)>>,
}

impl Statistics {
    /// The statistics of the searcher's segments: the kept ones if they are of the same
    /// segments, else built (and kept).
    pub fn get(&self, searcher: &Searcher, field: Field) -> Result<Arc<Syllables>, SearchError> {
        let ids: Vec<SegmentId> = searcher
            .segment_readers()
            .iter()
            .map(|r| r.segment_id())
            .collect();
        if let Some((kept, s)) = self.current.read().ok().as_deref().and_then(Option::as_ref) {
            if *kept == ids {
                return Ok(s.clone());
            }
        }
        let built = Arc::new(Syllables::build(searcher, field)?);
        if let Ok(mut cur) = self.current.write() {
            *cur = Some((ids, built.clone()));
        }
        Ok(built)
    }
}

/// A word of the question with its likely forms.
#[derive(Debug, Clone, PartialEq)]
pub struct Restored {
    /// (exact term, probability), most likely first; the word itself when it was typed
    /// with diacritics or has no other form.
    pub forms: Vec<(String, f32)>,
    /// Document frequency expected of the word (its forms' frequencies by probability).
    pub doc_freq: f32,
    /// The forms are read from the statistics: the word was typed without diacritics and
    /// the index has it in some form.
    pub restored: bool,
}

/// (left term, right term, probability) of a neighbouring pair.
pub type PairForm = (String, String, f32);

/// How the chain weighs the candidates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Restoration {
    /// Weight of the independence estimate `df(x)·df(y)/N` added to a pair's count.
    pub smoothing: f32,
    /// Lowest probability of a kept form or pair.
    pub keep: f32,
    /// Forms are kept, most likely first, until those kept have this much of the
    /// probability (1: up to [`KEPT`]); the same for pairs.
    pub mass: f32,
    /// Most pairs kept per pair of words (at most [`KEPT`]).
    pub pairs: usize,
    /// Accented forms weighed per unaccented word (at most [`CANDIDATES`]), the most
    /// frequent first: the chain reads the count of every pair of neighbouring forms.
    pub candidates: usize,
}

/// The likely forms of `words` (one run of neighbouring words) and of each neighbouring
/// pair (`pairs[i]` is words `i` and `i + 1`).
pub fn restore(
    words: &[QueryWord],
    syllables: &Syllables,
    searcher: &Searcher,
    body: Field,
    body_pairs: Field,
    how: Restoration,
) -> Result<(Vec<Restored>, Vec<Vec<PairForm>>), SearchError> {
    let n = searcher.num_docs().max(1) as f64;
    let df = |term: &str| -> Result<u64, SearchError> {
        Ok(searcher.doc_freq(&Term::from_field_text(body, term))?)
    };
    // Candidates: (term, count) per word.
    let mut cands: Vec<Vec<(String, f64)>> = Vec::with_capacity(words.len());
    let mut known = Vec::with_capacity(words.len());
    for w in words {
        let accented = w.exact != w.folded;
        let forms = if accented {
            &[][..]
        } else {
            let all = syllables.forms(&w.folded);
            &all[..all.len().min(how.candidates.max(1))]
        };
        known.push(!forms.is_empty());
        if forms.is_empty() {
            cands.push(vec![(w.exact.clone(), df(&w.exact)?.max(1) as f64)]);
        } else {
            cands.push(
                forms
                    .iter()
                    .map(|(t, c)| (t.to_string(), (*c).max(1) as f64))
                    .collect(),
            );
        }
    }
    // Transitions t(x, y) / c(x), per pair.
    let mut trans: Vec<Vec<Vec<f64>>> = Vec::with_capacity(words.len().saturating_sub(1));
    let mut pair_token = String::new();
    for i in 1..cands.len() {
        let (left, right) = (&cands[i - 1], &cands[i]);
        let mut m = vec![vec![0.0; right.len()]; left.len()];
        for (a, (x, cx)) in left.iter().enumerate() {
            for (b, (y, cy)) in right.iter().enumerate() {
                let together = if left.len() * right.len() == 1 {
                    // Nothing to choose: the count does not matter.
                    0.0
                } else {
                    pair_token.clear();
                    pair_token.push_str(x);
                    pair_token.push('_');
                    pair_token.push_str(y);
                    searcher.doc_freq(&Term::from_field_text(body_pairs, &pair_token))? as f64
                };
                m[a][b] = (together + f64::from(how.smoothing) * cx * cy / n) / cx;
            }
        }
        trans.push(m);
    }
    let normalize = |v: &mut Vec<f64>| {
        let s: f64 = v.iter().sum();
        if s > 0.0 {
            v.iter_mut().for_each(|x| *x /= s);
        } else if !v.is_empty() {
            let u = 1.0 / v.len() as f64;
            v.iter_mut().for_each(|x| *x = u);
        }
    };
    // Forward.
    let mut alpha: Vec<Vec<f64>> = Vec::with_capacity(cands.len());
    for i in 0..cands.len() {
        let mut a: Vec<f64> = if i == 0 {
            cands[0].iter().map(|c| c.1).collect()
        } else {
            (0..cands[i].len())
                .map(|b| {
                    alpha[i - 1]
                        .iter()
                        .enumerate()
                        .map(|(a, p)| p * trans[i - 1][a][b])
                        .sum()
                })
                .collect()
        };
        normalize(&mut a);
        alpha.push(a);
    }
    // Backward.
    let mut beta: Vec<Vec<f64>> = vec![vec![]; cands.len()];
    for i in (0..cands.len()).rev() {
        let mut b: Vec<f64> = if i + 1 == cands.len() {
            vec![1.0; cands[i].len()]
        } else {
            (0..cands[i].len())
                .map(|a| {
                    beta[i + 1]
                        .iter()
                        .enumerate()
                        .map(|(b, p)| p * trans[i][a][b])
                        .sum()
                })
                .collect()
        };
        normalize(&mut b);
        beta[i] = b;
    }
    let mut restored = Vec::with_capacity(cands.len());
    for i in 0..cands.len() {
        let mut g: Vec<f64> = alpha[i].iter().zip(&beta[i]).map(|(a, b)| a * b).collect();
        normalize(&mut g);
        let doc_freq = g.iter().zip(&cands[i]).map(|(p, c)| p * c.1).sum::<f64>() as f32;
        let mut forms: Vec<(String, f32)> = cands[i]
            .iter()
            .zip(&g)
            .map(|(c, p)| (c.0.clone(), *p as f32))
            .collect();
        keep_likely(&mut forms, how.keep, how.mass, KEPT, |f| f.1);
        restored.push(Restored {
            forms,
            doc_freq,
            restored: known.get(i).copied().unwrap_or(false),
        });
    }
    let mut pairs = Vec::with_capacity(trans.len());
    for i in 1..cands.len() {
        let mut joint = vec![];
        for (a, (x, _)) in cands[i - 1].iter().enumerate() {
            for (b, (y, _)) in cands[i].iter().enumerate() {
                joint.push((x, y, alpha[i - 1][a] * trans[i - 1][a][b] * beta[i][b]));
            }
        }
        let s: f64 = joint.iter().map(|j| j.2).sum();
        let mut forms: Vec<PairForm> = joint
            .into_iter()
            .map(|(x, y, p)| {
                let p = if s > 0.0 { p / s } else { 0.0 };
                (x.clone(), y.clone(), p as f32)
            })
            .collect();
        keep_likely(&mut forms, how.keep, how.mass, how.pairs.min(KEPT), |f| f.2);
        pairs.push(forms);
    }
    Ok((restored, pairs))
}

/// Sorts by probability and keeps the first (always), then the next ones while fewer
/// than `most` are kept, those kept have less than `mass` of the probability, and the
/// next has at least `keep`.
fn keep_likely<T>(v: &mut Vec<T>, keep: f32, mass: f32, most: usize, p: impl Fn(&T) -> f32) {
    v.sort_by(|a, b| p(b).total_cmp(&p(a)));
    let mut n = 0;
    let mut kept = 0.0;
    while n < v.len().min(most.max(1))
        && (n == 0 || (kept < mass && v.get(n).is_some_and(|x| p(x) >= keep)))
    {
        kept += v.get(n).map_or(0.0, &p);
        n += 1;
    }
    v.truncate(n);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_likely_forms_are_kept_first_and_bounded() {
        let mut v = vec![("a", 0.05), ("b", 0.6), ("c", 0.2), ("d", 0.1), ("e", 0.05)];
        keep_likely(&mut v, 0.1, 1.0, KEPT, |x| x.1);
        assert_eq!(v, vec![("b", 0.6), ("c", 0.2), ("d", 0.1)]);
        let mut one = vec![("a", 0.01), ("b", 0.02)];
        keep_likely(&mut one, 0.5, 1.0, KEPT, |x| x.1);
        assert_eq!(one, vec![("b", 0.02)]);
        let mut two = vec![("a", 0.05), ("b", 0.6), ("c", 0.2), ("d", 0.1), ("e", 0.05)];
        keep_likely(&mut two, 0.1, 1.0, 2, |x| x.1);
        assert_eq!(two, vec![("b", 0.6), ("c", 0.2)]);
    }

    #[test]
    fn a_form_with_most_of_the_probability_is_kept_alone() {
        let mut v = vec![("a", 0.05), ("b", 0.9), ("c", 0.05)];
        keep_likely(&mut v, 0.01, 0.85, KEPT, |x| x.1);
        assert_eq!(v, vec![("b", 0.9)]);
        let mut w = vec![("a", 0.3), ("b", 0.6), ("c", 0.1)];
        keep_likely(&mut w, 0.01, 0.85, KEPT, |x| x.1);
        assert_eq!(w, vec![("b", 0.6), ("a", 0.3)]);
    }
}
