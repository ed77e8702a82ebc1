//! Search quality and latency: vanban (tantivy) against SQLite FTS5 and PostgreSQL
//! full-text search on the real corpus, in one run.
//!
//! cargo bench --bench search [-- --sample N --clients 8 --no-postgres --no-fts5 --no-http --tune
//!                                --rounds N --keep DIR --tune-only NAME]
//!
//! Loads the 61,902 Pháp điển articles of `../shared/corpus` into each engine (articles
//! per second and peak memory of each build), then asks the Zalo (1,375) and ALQAC (587)
//! question sets, terms OR-ed and ranked, and scores the ranked article ids against each
//! question's `relevant_ids`: nDCG@10, Recall@10, Recall@100 and MRR@10; then latency
//! (single client) and throughput (N clients). vanban is asked over HTTP (the real actix
//! app, `GET /api/v1/search?limit=100`, anonymous) with `syntax=plain` and in the default
//! syntax (no `syntax=`), and in-process (`SearchIndex::search`, the function behind that
//! route). The questions are also asked folded (NFD, marks removed, đ → d, as typed
//! without Vietnamese input): through vanban's default syntax, and through SQLite FTS5
//! with `remove_diacritics 2` on the same folded text. Then suggestions: p50/p99 of
//! `GET /api/v1/search/suggest` over 1,000 prefixes of corpus titles.
//!
//! `--tune` runs the weight grid as a two-fold cross-validation: the questions of both
//! sets are split by position (even, odd); each half chooses the best grid entry (mean
//! nDCG@10 of the accented and folded questions, default syntax, both sets), which is
//! then scored on the other half.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{HashMap, HashSet};
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use unicode_normalization::UnicodeNormalization;

use vanban::search::query::{Audience, Granularity, PlainWeights, Syntax};
use vanban::search::{SearchIndex, SearchRequest};

/// The allocator of the `vanban` binary, so that vanban is measured as it runs.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus");

struct Args {
    sample: Option<usize>,
    clients: usize,
    postgres: bool,
    fts5: bool,
    http: bool,
    tune: bool,
    /// Keep the database and the index in this directory, and reuse them when present.
    keep: Option<PathBuf>,
    /// Latency passes per row: p50 and p99 are the medians of the passes'.
    rounds: usize,
    /// Only the grid entries whose name contains one of these (comma-separated), and the
    /// default.
    tune_filter: Option<String>,
}

fn args() -> Args {
    let mut a = Args {
        sample: None,
        clients: 8,
        postgres: true,
        fts5: true,
        http: true,
        tune: false,
        keep: None,
        rounds: 1,
        tune_filter: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--sample" => a.sample = it.next().and_then(|v| v.parse().ok()),
            "--clients" => a.clients = it.next().and_then(|v| v.parse().ok()).unwrap_or(8),
            "--no-postgres" => a.postgres = false,
            "--no-fts5" => a.fts5 = false,
            "--no-http" => a.http = false,
            "--tune" => a.tune = true,
            "--tune-only" => {
                a.tune = true;
                a.tune_filter = it.next();
            }
            "--keep" => a.keep = it.next().map(PathBuf::from),
            "--rounds" => a.rounds = it.next().and_then(|v| v.parse().ok()).unwrap_or(1).max(1),
            _ => {}
        }
    }
    a
}

struct Question {
    query: String,
    relevant: HashSet<String>,
}

/// A question as typed without Vietnamese input: NFD, combining marks removed, đ → d.
fn fold(q: &str) -> String {
    q.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .map(|c| match c {
            'đ' => 'd',
            'Đ' => 'D',
            c => c,
        })
        .collect()
}

/// The same questions, folded.
fn folded(qs: &[Question]) -> Vec<Question> {
    qs.iter()
        .map(|q| Question {
            query: fold(&q.query),
            relevant: q.relevant.clone(),
        })
        .collect()
}

fn questions(file: &str, sample: Option<usize>) -> Vec<Question> {
    let path = Path::new(CORPUS).join(file);
    let f = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = vec![];
    for line in std::io::BufReader::new(f).lines().map_while(Result::ok) {
        let v: serde_json::Value = match serde_json::from_str(&line) {
            Ok(v) => v,
            Err(_) => continue,
        };
        let relevant = v["relevant_ids"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        out.push(Question {
            query: v["query"].as_str().unwrap_or_default().to_owned(),
            relevant,
        });
    }
    if let Some(n) = sample {
        // Every k-th question, so a sample spans the whole set.
        let k = (out.len() / n.max(1)).max(1);
        out = out.into_iter().step_by(k).take(n).collect();
    }
    out
}

fn article_files() -> Vec<PathBuf> {
    (0..4)
        .map(|i| Path::new(CORPUS).join(format!("phapdien_articles.part0{i}.jsonl.gz")))
        .collect()
}

/// (id, heading + text) of every corpus article, NFC, and the distinct titles of their
/// documents in the order first met.
fn articles() -> (Vec<(String, String)>, Vec<String>) {
    let mut out = vec![];
    let mut titles = vec![];
    let mut seen = HashSet::new();
    for p in article_files() {
        let f = std::fs::File::open(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        for line in std::io::BufReader::new(flate2::read::GzDecoder::new(f))
            .lines()
            .map_while(Result::ok)
        {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) {
                let text = format!(
                    "{}\n{}",
                    v["article_title"].as_str().unwrap_or_default(),
                    v["text"].as_str().unwrap_or_default()
                );
                out.push((
                    v["id"].as_str().unwrap_or_default().to_owned(),
                    text.nfc().collect(),
                ));
                let title = v["doc_title"].as_str().unwrap_or_default().trim();
                if !title.is_empty() && seen.insert(title.to_owned()) {
                    titles.push(title.nfc().collect());
                }
            }
        }
    }
    (out, titles)
}

/// 1,000 prefixes of titles, as a search box receives them: titles spread over the
/// corpus, cut after 3 to 24 characters, every other one folded.
fn title_prefixes(titles: &[String]) -> Vec<String> {
    let k = (titles.len() / 1000).max(1);
    titles
        .iter()
        .step_by(k)
        .cycle()
        .take(1000)
        .enumerate()
        .map(|(i, t)| {
            let cut: String = t.chars().take(3 + i % 22).collect();
            if i % 2 == 1 {
                fold(&cut)
            } else {
                cut
            }
        })
        .collect()
}

/// (p50, p99) in ms of asking every prefix in turn.
fn suggest_latency(prefixes: &[String], mut ask: impl FnMut(&str) -> usize) -> (f64, f64, f64) {
    let mut lat = Vec::with_capacity(prefixes.len());
    let mut found = 0;
    for p in prefixes {
        let t = Instant::now();
        found += usize::from(ask(p) > 0);
        lat.push(t.elapsed());
    }
    lat.sort();
    let pct = |p: f64| {
        lat.get(((lat.len().max(1) - 1) as f64 * p) as usize)
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or(0.0)
    };
    (
        pct(0.5),
        pct(0.99),
        found as f64 / prefixes.len().max(1) as f64,
    )
}

/// Lowercased NFC word runs: the terms a baseline engine is asked for.
fn words(q: &str) -> Vec<String> {
    let q: String = q.nfc().collect::<String>().to_lowercase();
    let mut seen = HashSet::new();
    q.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .filter(|w| seen.insert(w.to_string()))
        .map(str::to_owned)
        .collect()
}

#[derive(Default, Clone, Copy)]
struct Quality {
    ndcg10: f64,
    r10: f64,
    r100: f64,
    mrr10: f64,
}

fn score(ranked: &[String], relevant: &HashSet<String>) -> Quality {
    let mut q = Quality::default();
    let mut dcg = 0.0;
    for (i, id) in ranked.iter().take(10).enumerate() {
        if relevant.contains(id) {
            dcg += 1.0 / ((i + 2) as f64).log2();
            if q.mrr10 == 0.0 {
                q.mrr10 = 1.0 / (i + 1) as f64;
            }
        }
    }
    let ideal: f64 = (0..relevant.len().min(10))
        .map(|i| 1.0 / ((i + 2) as f64).log2())
        .sum();
    q.ndcg10 = if ideal > 0.0 { dcg / ideal } else { 0.0 };
    let n = relevant.len().max(1) as f64;
    q.r10 = ranked
        .iter()
        .take(10)
        .filter(|id| relevant.contains(*id))
        .count() as f64
        / n;
    q.r100 = ranked
        .iter()
        .take(100)
        .filter(|id| relevant.contains(*id))
        .count() as f64
        / n;
    q
}

struct Run {
    quality: Quality,
    p50: f64,
    p99: f64,
}

/// Quality of the ranked answers, and latency: p50 and p99 of one pass over the questions,
/// or with `rounds` passes the median of the passes' p50 and of their p99 (a pass on a
/// shared machine may meet another process's burst).
fn evaluate(qs: &[Question], rounds: usize, mut ask: impl FnMut(&str) -> Vec<String>) -> Run {
    let mut total = Quality::default();
    let mut p50s = vec![];
    let mut p99s = vec![];
    for round in 0..rounds.max(1) {
        let mut lat = Vec::with_capacity(qs.len());
        for q in qs {
            let t = Instant::now();
            let ranked = ask(&q.query);
            lat.push(t.elapsed());
            if round == 0 {
                let s = score(&ranked, &q.relevant);
                total.ndcg10 += s.ndcg10;
                total.r10 += s.r10;
                total.r100 += s.r100;
                total.mrr10 += s.mrr10;
            }
        }
        lat.sort();
        let pct = |p: f64| {
            lat.get(((lat.len().max(1) - 1) as f64 * p) as usize)
                .map(|d| d.as_secs_f64() * 1000.0)
                .unwrap_or(0.0)
        };
        p50s.push(pct(0.5));
        p99s.push(pct(0.99));
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(0.0)
    };
    let n = qs.len().max(1) as f64;
    Run {
        quality: Quality {
            ndcg10: total.ndcg10 / n,
            r10: total.r10 / n,
            r100: total.r100 / n,
            mrr10: total.mrr10 / n,
        },
        p50: median(&mut p50s),
        p99: median(&mut p99s),
    }
}

/// Queries per second with `clients` threads, each with its own asker.
fn throughput<A: FnMut(&str) -> Vec<String>>(
    qs: &[Question],
    clients: usize,
    make: impl Fn() -> A + Sync,
) -> f64 {
    let next = AtomicUsize::new(0);
    let started = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..clients {
            s.spawn(|| {
                let mut ask = make();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(q) = qs.get(i) else { break };
                    ask(&q.query);
                }
            });
        }
    });
    qs.len() as f64 / started.elapsed().as_secs_f64()
}

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = Text)]
    id: String,
}

fn fts5_query(words: &[String]) -> String {
    words
        .iter()
        .map(|w| format!("\"{}\"", w.replace('"', "")))
        .collect::<Vec<_>>()
        .join(" OR ")
}

fn print_row(engine: &str, set: &str, r: &Run, qps: f64) {
    println!(
        "{:<42} {:<6} {:>7.3} {:>7.3} {:>8.3} {:>7.3} {:>8.1} {:>8.1} {:>8.1}",
        engine,
        set,
        r.quality.ndcg10,
        r.quality.r10,
        r.quality.r100,
        r.quality.mrr10,
        r.p50,
        r.p99,
        qps
    );
}

/// The weights tried by `--tune`, each against the default.
fn tune_grid(base: PlainWeights) -> Vec<(String, PlainWeights)> {
    let c = PlainWeights {
        common: 0.35,
        heading: 0.25,
        pair: 1.0,
        ..base
    };
    let mut grid = vec![("c".to_owned(), c)];
    for heading in [0.0, 0.1] {
        grid.push((
            format!("c heading {heading}"),
            PlainWeights { heading, ..c },
        ));
    }
    for title in [0.0, 0.15, 0.6] {
        grid.push((format!("c title {title}"), PlainWeights { title, ..c }));
    }
    for folded in [0.0, 0.05, 0.2] {
        grid.push((format!("c folded {folded}"), PlainWeights { folded, ..c }));
    }
    for pair in [0.75, 1.25] {
        grid.push((format!("c pair {pair}"), PlainWeights { pair, ..c }));
    }
    for common in [0.25, 0.5] {
        grid.push((format!("c common {common}"), PlainWeights { common, ..c }));
    }
    grid.push((
        "c folded unaccented".to_owned(),
        PlainWeights {
            folded_unaccented_only: true,
            ..c
        },
    ));
    grid.push((
        "c question words".to_owned(),
        PlainWeights {
            question_words: true,
            ..c
        },
    ));
    for restore_smoothing in [0.01, 0.05, 0.2, 1.0] {
        grid.push((
            format!("c smoothing {restore_smoothing}"),
            PlainWeights {
                restore_smoothing,
                ..c
            },
        ));
    }
    for restore_keep in [0.05, 0.2, 0.5] {
        grid.push((
            format!("c keep {restore_keep}"),
            PlainWeights { restore_keep, ..c },
        ));
    }
    for phrase in [0.0, 3.0] {
        grid.push((format!("c phrase {phrase}"), PlainWeights { phrase, ..c }));
    }
    // What a folded question costs: forms kept by their share of the probability, pairs
    // per pair of words, forms weighed, the alternates on the body only, the folded
    // fields only for words without restored forms; then together.
    for restore_mass in [0.8, 0.9, 0.95] {
        grid.push((
            format!("c speed mass {restore_mass}"),
            PlainWeights { restore_mass, ..c },
        ));
    }
    for restore_pairs in [1, 2] {
        grid.push((
            format!("c speed pairs {restore_pairs}"),
            PlainWeights { restore_pairs, ..c },
        ));
    }
    for restore_candidates in [3, 4] {
        grid.push((
            format!("c speed candidates {restore_candidates}"),
            PlainWeights {
                restore_candidates,
                ..c
            },
        ));
    }
    let body_only = PlainWeights {
        restore_alternates_everywhere: false,
        ..c
    };
    grid.push(("c speed alternates on body".to_owned(), body_only));
    let no_folded = PlainWeights {
        folded_restored: false,
        ..c
    };
    grid.push(("c speed folded unrestored".to_owned(), no_folded));
    // The defaults before the cost was tuned (docs/BENCHMARKS.md).
    grid.push((
        "c speed before".to_owned(),
        PlainWeights {
            restore_smoothing: 0.05,
            restore_mass: 1.0,
            restore_alternates_everywhere: true,
            folded_restored: true,
            ..c
        },
    ));
    let both = PlainWeights {
        folded_restored: false,
        ..body_only
    };
    grid.push(("c speed body+unrestored".to_owned(), both));
    for restore_mass in [0.8, 0.9] {
        let m = PlainWeights {
            restore_mass,
            ..both
        };
        grid.push((format!("c speed body+unrestored mass {restore_mass}"), m));
        grid.push((
            format!("c speed body+unrestored mass {restore_mass} pairs 2"),
            PlainWeights {
                restore_pairs: 2,
                ..m
            },
        ));
        grid.push((
            format!("c speed body+unrestored mass {restore_mass} candidates 4"),
            PlainWeights {
                restore_candidates: 4,
                ..m
            },
        ));
        grid.push((
            format!("c speed body+unrestored mass {restore_mass} smoothing 0.01"),
            PlainWeights {
                restore_smoothing: 0.01,
                ..m
            },
        ));
    }
    // A cap on the words asked in their alternate forms (the rarest first): what a long
    // folded question asks stays bounded.
    for restore_alternates_max in [2, 4, 6, 8] {
        grid.push((
            format!("c speed cap {restore_alternates_max}"),
            PlainWeights {
                restore_alternates_max,
                ..c
            },
        ));
    }
    grid
}

/// Most nDCG@10 (mean of the four groups) a setting may lose, on the half that chooses
/// it, to be chosen for its lower cost.
const COST_TOLERANCE: f64 = 0.002;

/// One grid entry on each half (even, odd questions): the mean nDCG@10 of the four
/// groups, and of the folded questions the mean postings read and milliseconds.
struct Tuned {
    name: String,
    ndcg: [f64; 2],
    postings: [f64; 2],
    ms: [f64; 2],
}

/// The weight grid, cross-validated: each half of the questions chooses an entry, which
/// is scored on the other half. Two choices: the best nDCG@10, and the cheapest entry
/// (fewest postings read by the folded questions) within [`COST_TOLERANCE`] of the
/// default's nDCG@10.
fn tune(index: &Arc<SearchIndex>, a: &Args, groups: [&Vec<Question>; 4]) {
    let base = index.plain_weights();
    let grid: Vec<(String, PlainWeights)> = tune_grid(base)
        .into_iter()
        .enumerate()
        .filter(|(i, (name, _))| {
            *i == 0
                || a.tune_filter
                    .as_ref()
                    .is_none_or(|f| f.split(',').any(|part| name.contains(part)))
        })
        .map(|(_, e)| e)
        .collect();
    println!(
        "tuning, default syntax, nDCG@10 of Zalo, Zalo folded, ALQAC, ALQAC folded; \
         then the mean of the four, and the folded questions' postings read and ms, on the \
         even and the odd questions"
    );
    let mut results: Vec<Tuned> = vec![];
    for (name, w) in grid {
        index.set_plain_weights(w);
        let mut line = format!("{name:<34}");
        let mut t = Tuned {
            name,
            ndcg: [0.0; 2],
            postings: [0.0; 2],
            ms: [0.0; 2],
        };
        let mut folded_counts = [0usize; 2];
        for (g, qs) in groups.iter().enumerate() {
            let is_folded = g % 2 == 1;
            let mut sums = [0.0; 2];
            let mut counts = [0usize; 2];
            for (i, q) in qs.iter().enumerate() {
                let req = SearchRequest {
                    q: q.query.clone(),
                    granularity: Granularity::Provision,
                    limit: Some(100),
                    ..Default::default()
                };
                let started = Instant::now();
                let ranked: Vec<String> = index
                    .search(&req, &Audience::Public)
                    .map(|r| r.hits.into_iter().filter_map(|h| h.external_id).collect())
                    .unwrap_or_default();
                let ms = started.elapsed().as_secs_f64() * 1000.0;
                sums[i % 2] += score(&ranked, &q.relevant).ndcg10;
                counts[i % 2] += 1;
                if is_folded {
                    let (_, postings) = index.query_cost(&q.query).unwrap_or_default();
                    t.postings[i % 2] += postings as f64;
                    t.ms[i % 2] += ms;
                    folded_counts[i % 2] += 1;
                }
            }
            for ((half, sum), count) in t.ndcg.iter_mut().zip(sums).zip(counts) {
                *half += sum / count.max(1) as f64 / groups.len() as f64;
            }
            line.push_str(&format!(
                " {:.4}",
                (sums[0] + sums[1]) / qs.len().max(1) as f64
            ));
        }
        for ((postings, ms), count) in t.postings.iter_mut().zip(&mut t.ms).zip(folded_counts) {
            *postings /= count.max(1) as f64;
            *ms /= count.max(1) as f64;
        }
        println!(
            "{line} | even {:.4} odd {:.4} | postings {:.0} {:.0} | ms {:.2} {:.2}",
            t.ndcg[0], t.ndcg[1], t.postings[0], t.postings[1], t.ms[0], t.ms[1]
        );
        results.push(t);
    }
    index.set_plain_weights(base);
    let Some(default) = results.first() else {
        return;
    };
    for (chosen_on, judged_on) in [(0, 1), (1, 0)] {
        let half = |h: usize| ["even", "odd"][h];
        if let Some(best) = results
            .iter()
            .max_by(|x, y| x.ndcg[chosen_on].total_cmp(&y.ndcg[chosen_on]))
        {
            println!(
                "best on the {} half: {} ({:.4}); on the {} half it scores {:.4} (default {:.4})",
                half(chosen_on),
                best.name,
                best.ndcg[chosen_on],
                half(judged_on),
                best.ndcg[judged_on],
                default.ndcg[judged_on]
            );
        }
        if let Some(cheap) = results
            .iter()
            .filter(|r| r.ndcg[chosen_on] >= default.ndcg[chosen_on] - COST_TOLERANCE)
            .min_by(|x, y| x.postings[chosen_on].total_cmp(&y.postings[chosen_on]))
        {
            println!(
                "cheapest on the {} half within {COST_TOLERANCE} of the default: {} \
                 ({:.4}, postings {:.0} against {:.0}); on the {} half it scores {:.4} \
                 (default {:.4}), postings {:.0} against {:.0}, ms {:.2} against {:.2}",
                half(chosen_on),
                cheap.name,
                cheap.ndcg[chosen_on],
                cheap.postings[chosen_on],
                default.postings[chosen_on],
                half(judged_on),
                cheap.ndcg[judged_on],
                default.ndcg[judged_on],
                cheap.postings[judged_on],
                default.postings[judged_on],
                cheap.ms[judged_on],
                default.ms[judged_on]
            );
        }
    }
}

/// A field of /proc/<pid>/status in MB (VmRSS, VmHWM).
fn status_mb(pid: &str, field: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

/// Peak memory of an in-process build: the peak resident set is reset to the current one
/// before (`/proc/self/clear_refs`), and the growth of the peak over that is the build's.
struct PeakRss {
    before: f64,
}

impl PeakRss {
    fn start() -> Self {
        let _ = std::fs::write("/proc/self/clear_refs", "5");
        PeakRss {
            before: status_mb("self", "VmRSS:"),
        }
    }
    /// (peak of the process during the build, growth over the start) in MB.
    fn stop(self) -> (f64, f64) {
        let peak = status_mb("self", "VmHWM:");
        (peak, peak - self.before)
    }
}

struct Build {
    engine: &'static str,
    seconds: f64,
    rows: usize,
    peak_mb: f64,
    added_mb: f64,
}

/// Percent-encodes a query-string value.
fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(*b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[derive(serde::Deserialize)]
struct HttpHit {
    external_id: Option<String>,
}

#[derive(serde::Deserialize)]
struct HttpResponse {
    hits: Vec<HttpHit>,
}

/// Questions answered with an error status, over HTTP.
static HTTP_ERRORS: AtomicUsize = AtomicUsize::new(0);

/// One HTTP client (its own event loop and connection) asking the running server, with
/// `syntax` (`&syntax=plain`) or in the default syntax (`""`).
fn http_asker(base: String, syntax: &'static str) -> impl FnMut(&str) -> Vec<String> {
    let sys = actix_web::rt::System::new();
    let client = sys.block_on(async {
        awc::Client::builder()
            .timeout(Duration::from_secs(120))
            .finish()
    });
    move |q: &str| -> Vec<String> {
        let url = format!(
            "{base}/api/v1/search?q={}{syntax}&granularity=provision&limit=100",
            enc(q)
        );
        let body = sys.block_on(async {
            let mut r = client.get(url).send().await.ok()?;
            if !r.status().is_success() {
                HTTP_ERRORS.fetch_add(1, Ordering::Relaxed);
                return None;
            }
            r.body().limit(64 << 20).await.ok()
        });
        body.and_then(|b| serde_json::from_slice::<HttpResponse>(&b).ok())
            .map(|r| r.hits.into_iter().filter_map(|h| h.external_id).collect())
            .unwrap_or_default()
    }
}

/// The real app with the index built here (anonymous requests: the public audience).
fn start_server(db: vanban::db::Db, index: Arc<SearchIndex>) -> String {
    let mut settings = vanban::config::Settings::load(None).expect("settings");
    settings.database.url = String::new();
    let keys = vanban::auth::token::TokenKeys::new(b"bench-secret-bench-secret-bench-secret", 3600);
    common::start_server(Arc::new(vanban::api::AppState::new(
        settings, db, keys, index,
    )))
}

fn main() {
    let a = args();
    let zalo = questions("queries_zalo_ltr2021_phapdien.jsonl", a.sample);
    let alqac = questions("queries_alqac2025_phapdien.jsonl", a.sample);
    let sets = [("Zalo", &zalo), ("ALQAC", &alqac)];
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut builds: Vec<Build> = vec![];

    // vanban: the real import, then a full reindex (the build measured); with `--keep`, a
    // database and index kept by an earlier run are reused (no build measured).
    let dir = a.keep.clone().unwrap_or_else(|| tmp.path().to_owned());
    std::fs::create_dir_all(&dir).expect("keep dir");
    let db_path = dir.join("vanban.db");
    let reuse = a.keep.is_some() && db_path.exists() && dir.join("index").exists();
    let started = Instant::now();
    let url = format!("sqlite://{}", db_path.display());
    let db = vanban::db::Db::connect(&url, 4).expect("db");
    db.migrate().expect("migrate");
    if !reuse {
        for f in article_files() {
            vanban::import::import_file(&db, &f, false).expect("import");
        }
    }
    let imported = started.elapsed();
    let mem = PeakRss::start();
    let t = Instant::now();
    let index = Arc::new(SearchIndex::open(Some(&dir.join("index"))).expect("index"));
    let n = if reuse {
        index
            .catch_up(&mut db.get().expect("conn"))
            .expect("catch up") as u64
    } else {
        index
            .rebuild(&mut db.get().expect("conn"), |_, _| {})
            .expect("rebuild")
    };
    let indexed = t.elapsed();
    let (peak, added) = mem.stop();
    println!(
        "vanban: imported in {:.1} s, indexed {n} documents in {:.1} s{}",
        imported.as_secs_f64(),
        indexed.as_secs_f64(),
        if reuse {
            " (kept from an earlier run)"
        } else {
            ""
        }
    );
    let (all, titles) = articles();
    builds.extend((!reuse).then_some(Build {
        engine: "vanban (tantivy), reindex from the database",
        seconds: indexed.as_secs_f64(),
        rows: all.len(),
        peak_mb: peak,
        added_mb: added,
    }));

    let vanban_ask = |idx: Arc<SearchIndex>, syntax: Syntax| {
        move |q: &str| -> Vec<String> {
            let req = SearchRequest {
                q: q.to_owned(),
                syntax,
                granularity: Granularity::Provision,
                limit: Some(100),
                ..Default::default()
            };
            idx.search(&req, &Audience::Public)
                .map(|r| r.hits.into_iter().filter_map(|h| h.external_id).collect())
                .unwrap_or_default()
        }
    };
    let zalo_folded = folded(&zalo);
    let alqac_folded = folded(&alqac);

    if a.tune {
        tune(&index, &a, [&zalo, &zalo_folded, &alqac, &alqac_folded]);
    }

    // SQLite FTS5, bm25: diacritics kept (`fts`), and removed (`fts_folded`,
    // `remove_diacritics 2`, đ → d in the text too: unicode61 keeps đ, which has no
    // decomposition, and a folded question has none).
    let fts_path = tmp.path().join("fts.db");
    if a.fts5 {
        for (table, engine, remove, fold_d) in [
            ("fts", "SQLite FTS5 (unicode61, diacritics kept)", 0, false),
            ("fts_folded", "SQLite FTS5 (remove_diacritics 2)", 2, true),
        ] {
            let mem = PeakRss::start();
            let t = Instant::now();
            let mut c =
                SqliteConnection::establish(&fts_path.display().to_string()).expect("fts5 db");
            c.batch_execute(&format!(
                "PRAGMA journal_mode=WAL; CREATE VIRTUAL TABLE {table} USING fts5(id UNINDEXED, body, tokenize = 'unicode61 remove_diacritics {remove}');"
            ))
            .expect("fts5 table");
            let insert = format!("INSERT INTO {table} (id, body) VALUES (?, ?)");
            c.transaction(|c| {
                for (id, body) in &all {
                    let body = if fold_d {
                        body.replace('đ', "d").replace('Đ', "D")
                    } else {
                        body.clone()
                    };
                    diesel::sql_query(&insert)
                        .bind::<Text, _>(id)
                        .bind::<Text, _>(body)
                        .execute(c)?;
                }
                diesel::QueryResult::Ok(())
            })
            .expect("fts5 load");
            drop(c);
            let seconds = t.elapsed().as_secs_f64();
            let (peak_mb, added_mb) = mem.stop();
            builds.push(Build {
                engine,
                seconds,
                rows: all.len(),
                peak_mb,
                added_mb,
            });
        }
    }
    let fts_ask = |table: &'static str| {
        let path = fts_path.display().to_string();
        move || {
            let mut c = SqliteConnection::establish(&path).expect("fts5 db");
            let sql = format!(
                "SELECT id FROM {table} WHERE {table} MATCH ? ORDER BY bm25({table}) LIMIT 100"
            );
            move |q: &str| -> Vec<String> {
                let w = words(q);
                if w.is_empty() {
                    return vec![];
                }
                diesel::sql_query(&sql)
                    .bind::<Text, _>(fts5_query(&w))
                    .load::<IdRow>(&mut c)
                    .map(|r| r.into_iter().map(|x| x.id).collect())
                    .unwrap_or_default()
            }
        }
    };

    // PostgreSQL: `simple` dictionary, GIN, ts_rank(…, 1); and an `unaccent` variant.
    let pg_admin = std::env::var("VANBAN_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let pg_name = format!("vanban_bench_fts_{}", std::process::id());
    let pg_url = format!(
        "{}/{pg_name}",
        pg_admin
            .rsplit_once('/')
            .map(|(b, _)| b)
            .unwrap_or(&pg_admin)
    );
    if a.postgres {
        let mut admin = PgConnection::establish(&pg_admin).expect("PostgreSQL");
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {pg_name}"))
            .ok();
        admin
            .batch_execute(&format!("CREATE DATABASE {pg_name}"))
            .expect("create db");
        let t = Instant::now();
        let mut c = PgConnection::establish(&pg_url).expect("bench db");
        #[derive(QueryableByName)]
        struct Pid {
            #[diesel(sql_type = diesel::sql_types::Integer)]
            pid: i32,
        }
        let backend = diesel::sql_query("SELECT pg_backend_pid() AS pid")
            .get_result::<Pid>(&mut c)
            .map(|p| p.pid.to_string())
            .unwrap_or_default();
        c.batch_execute(
            "CREATE EXTENSION IF NOT EXISTS unaccent; CREATE TABLE articles (id text, body text);",
        )
        .expect("pg table");
        c.transaction(|c| {
            for chunk in all.chunks(500) {
                let mut sql = String::from("INSERT INTO articles (id, body) VALUES ");
                for (i, _) in chunk.iter().enumerate() {
                    if i > 0 {
                        sql.push(',');
                    }
                    sql.push_str(&format!("(${}, ${})", 2 * i + 1, 2 * i + 2));
                }
                let mut q = diesel::sql_query(sql).into_boxed::<diesel::pg::Pg>();
                for (id, body) in chunk {
                    q = q.bind::<Text, _>(id).bind::<Text, _>(body);
                }
                q.execute(c)?;
            }
            diesel::QueryResult::Ok(())
        })
        .expect("pg load");
        c.batch_execute(
            "ALTER TABLE articles ADD COLUMN tsv tsvector, ADD COLUMN tsv_u tsvector; \
             UPDATE articles SET tsv = to_tsvector('simple', body), tsv_u = to_tsvector('simple', unaccent(body)); \
             CREATE INDEX articles_tsv ON articles USING gin(tsv); CREATE INDEX articles_tsv_u ON articles USING gin(tsv_u); \
             ANALYZE articles;",
        )
        .expect("pg index");
        // The server process that did the work (its peak includes the shared buffers it touched).
        let peak_mb = status_mb(&backend, "VmHWM:");
        builds.push(Build {
            engine: "PostgreSQL FTS (both tsvector columns, GIN)",
            seconds: t.elapsed().as_secs_f64(),
            rows: all.len(),
            peak_mb,
            added_mb: f64::NAN,
        });
    }
    drop(all);
    let pg_ask = |unaccent: bool| {
        let url = pg_url.clone();
        move || {
            let mut c = PgConnection::establish(&url).expect("pg");
            move |q: &str| -> Vec<String> {
                let w = words(q);
                if w.is_empty() {
                    return vec![];
                }
                let tsq = w.join(" | ");
                let sql = if unaccent {
                    "SELECT id FROM articles, to_tsquery('simple', unaccent($1)) q WHERE tsv_u @@ q ORDER BY ts_rank(tsv_u, q, 1) DESC LIMIT 100"
                } else {
                    "SELECT id FROM articles, to_tsquery('simple', $1) q WHERE tsv @@ q ORDER BY ts_rank(tsv, q, 1) DESC LIMIT 100"
                };
                diesel::sql_query(sql)
                    .bind::<Text, _>(tsq)
                    .load::<IdRow>(&mut c)
                    .map(|r| r.into_iter().map(|x| x.id).collect())
                    .unwrap_or_default()
            }
        }
    };

    println!(
        "machine: {} cores, {}",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|s| s
                .lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned()))
            .unwrap_or_default()
    );
    println!(
        "{:<44} {:>9} {:>10} {:>13} {:>14}",
        "build", "seconds", "articles/s", "peak RSS MB", "RSS added MB"
    );
    for b in &builds {
        // A server's memory is not this process's: nothing "added" to report for it.
        let added = if b.added_mb.is_nan() {
            "-".to_owned()
        } else {
            format!("{:.0}", b.added_mb)
        };
        println!(
            "{:<44} {:>9.1} {:>10.0} {:>13.0} {:>14}",
            b.engine,
            b.seconds,
            b.rows as f64 / b.seconds,
            b.peak_mb,
            added
        );
    }

    let base = a.http.then(|| start_server(db.clone(), index.clone()));
    println!(
        "{:<42} {:<6} {:>7} {:>7} {:>8} {:>7} {:>8} {:>8} {:>8}",
        "engine",
        "set",
        "nDCG@10",
        "R@10",
        "R@100",
        "MRR@10",
        "p50 ms",
        "p99 ms",
        format!("q/s x{}", a.clients)
    );
    let mut summary: HashMap<(&str, &str), (Run, f64)> = HashMap::new();
    let folded_sets = [("Zalo", &zalo_folded), ("ALQAC", &alqac_folded)];
    for ((set, qs), (_, fqs)) in sets.into_iter().zip(folded_sets) {
        if let Some(base) = &base {
            for (name, key, syntax, qs) in [
                (
                    "vanban HTTP, syntax=plain",
                    "vanban HTTP",
                    "&syntax=plain",
                    qs,
                ),
                ("vanban HTTP, default syntax", "vanban HTTP default", "", qs),
                (
                    "vanban HTTP, default, folded",
                    "vanban HTTP folded",
                    "",
                    fqs,
                ),
            ] {
                HTTP_ERRORS.store(0, Ordering::Relaxed);
                let r = evaluate(qs, a.rounds, http_asker(base.clone(), syntax));
                let errors = HTTP_ERRORS.load(Ordering::Relaxed);
                let qps = throughput(qs, a.clients, || http_asker(base.clone(), syntax));
                print_row(name, set, &r, qps);
                if errors > 0 {
                    println!("{set:<6} {name}: {errors} questions answered with an error");
                }
                summary.insert((key, set), (r, qps));
            }
        }
        for (name, key, syntax, qs) in [
            (
                "vanban in-process, syntax=plain",
                "vanban in-process",
                Syntax::Plain,
                qs,
            ),
            (
                "vanban in-process, default, folded",
                "vanban in-process folded",
                Syntax::Auto,
                fqs,
            ),
        ] {
            let r = evaluate(qs, a.rounds, vanban_ask(index.clone(), syntax));
            let qps = throughput(qs, a.clients, || vanban_ask(index.clone(), syntax));
            print_row(name, set, &r, qps);
            summary.insert((key, set), (r, qps));
        }
        if a.fts5 {
            for (name, key, table, qs) in [
                (
                    "SQLite FTS5 (unicode61, diacritics kept)",
                    "FTS5",
                    "fts",
                    qs,
                ),
                (
                    "SQLite FTS5 (remove_diacritics 2), folded",
                    "FTS5 folded",
                    "fts_folded",
                    fqs,
                ),
            ] {
                let r = evaluate(qs, 1, fts_ask(table)());
                let qps = throughput(qs, a.clients, fts_ask(table));
                print_row(name, set, &r, qps);
                summary.insert((key, set), (r, qps));
            }
        }
        if a.postgres {
            let r = evaluate(qs, 1, pg_ask(false)());
            let qps = throughput(qs, a.clients, pg_ask(false));
            print_row("PostgreSQL FTS (simple, ts_rank(.,1))", set, &r, qps);
            summary.insert(("PostgreSQL", set), (r, qps));
            let r = evaluate(qs, 1, pg_ask(true)());
            let qps = throughput(qs, a.clients, pg_ask(true));
            print_row("PostgreSQL FTS (simple + unaccent)", set, &r, qps);
        }
    }
    // Quality ratios are vanban/baseline (above 1: vanban better); p99 and throughput are
    // how many times lower vanban's p99 is, and how many times higher its throughput.
    for set in ["Zalo", "ALQAC"] {
        for (v, others) in [
            ("vanban HTTP", &["FTS5", "PostgreSQL"][..]),
            ("vanban in-process", &["FTS5", "PostgreSQL"][..]),
            ("vanban HTTP folded", &["FTS5 folded"][..]),
        ] {
            let Some((vr, vq)) = summary.get(&(v, set)) else {
                continue;
            };
            for other in others {
                let Some((or, oq)) = summary.get(&(*other, set)) else {
                    continue;
                };
                println!(
                    "{set:<6} {v}/{other}: nDCG@10 {:.2}x, R@10 {:.2}x, R@100 {:.2}x, MRR@10 {:.2}x; p99 {:.1}x lower, throughput {:.1}x higher",
                    vr.quality.ndcg10 / or.quality.ndcg10,
                    vr.quality.r10 / or.quality.r10,
                    vr.quality.r100 / or.quality.r100,
                    vr.quality.mrr10 / or.quality.mrr10,
                    or.p99 / vr.p99,
                    vq / oq
                );
            }
        }
        // The targets of the default syntax and of folded questions, against the accented
        // `syntax=plain` row (today's) and the accented default-syntax row.
        let get = |k: &'static str| summary.get(&(k, set)).map(|x| &x.0);
        if let (Some(plain), Some(default), Some(folded)) = (
            get("vanban HTTP"),
            get("vanban HTTP default"),
            get("vanban HTTP folded"),
        ) {
            println!(
                "{set:<6} default/plain nDCG@10 {:.3}x, p99 {:.2}x; folded/default nDCG@10 {:.3}x; folded p99 {:.2}x of plain's",
                default.quality.ndcg10 / plain.quality.ndcg10,
                default.p99 / plain.p99,
                folded.quality.ndcg10 / default.quality.ndcg10,
                folded.p99 / plain.p99
            );
        }
        if let (Some(plain), Some(folded)) =
            (get("vanban in-process"), get("vanban in-process folded"))
        {
            println!(
                "{set:<6} in-process folded/plain: nDCG@10 {:.3}x, p50 {:.2}x, p99 {:.2}x",
                folded.quality.ndcg10 / plain.quality.ndcg10,
                folded.p50 / plain.p50,
                folded.p99 / plain.p99
            );
        }
    }
    // Suggestions: 1,000 title prefixes, one client.
    let prefixes = title_prefixes(&titles);
    let (p50, p99, found) = suggest_latency(&prefixes, |p| {
        index
            .suggest(p, &Audience::Public, None)
            .map(|r| r.suggestions.len())
            .unwrap_or(0)
    });
    println!(
        "suggest, in-process: {} prefixes, p50 {p50:.2} ms, p99 {p99:.2} ms, {:.1}% with suggestions",
        prefixes.len(),
        found * 100.0
    );
    if let Some(base) = &base {
        let sys = actix_web::rt::System::new();
        let client = sys.block_on(async { awc::Client::builder().finish() });
        let (p50, p99, found) = suggest_latency(&prefixes, |p| {
            let url = format!("{base}/api/v1/search/suggest?q={}", enc(p));
            sys.block_on(async {
                let mut r = client.get(url).send().await.ok()?;
                let body = r.body().await.ok()?;
                let v: serde_json::Value = serde_json::from_slice(&body).ok()?;
                v["suggestions"].as_array().map(Vec::len)
            })
            .unwrap_or(0)
        });
        println!(
            "suggest, HTTP: {} prefixes, p50 {p50:.2} ms, p99 {p99:.2} ms, {:.1}% with suggestions",
            prefixes.len(),
            found * 100.0
        );
    }
    if a.postgres {
        if let Ok(mut admin) = PgConnection::establish(&pg_admin) {
            let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {pg_name} WITH (FORCE)"));
        }
    }
}
