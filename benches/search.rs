//! Search quality and latency: vanban (tantivy) against SQLite FTS5 and PostgreSQL
//! full-text search on the real corpus, in one run.
//!
//! cargo bench --bench search [-- --sample N --clients 8 --no-postgres --tune]
//!
//! Loads the 61,902 Pháp điển articles of `../shared/corpus` into each engine, then asks
//! the Zalo (1,375) and ALQAC (587) question sets, terms OR-ed and ranked, and scores
//! the ranked article ids against each question's `relevant_ids`: nDCG@10, Recall@10,
//! Recall@100 and MRR@10; then latency (single client) and throughput (N clients).

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

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus");

struct Args {
    sample: Option<usize>,
    clients: usize,
    postgres: bool,
    tune: bool,
}

fn args() -> Args {
    let mut a = Args {
        sample: None,
        clients: 8,
        postgres: true,
        tune: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--sample" => a.sample = it.next().and_then(|v| v.parse().ok()),
            "--clients" => a.clients = it.next().and_then(|v| v.parse().ok()).unwrap_or(8),
            "--no-postgres" => a.postgres = false,
            "--tune" => a.tune = true,
            _ => {}
        }
    }
    a
}

struct Question {
    query: String,
    relevant: HashSet<String>,
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

/// (id, heading + text) of every corpus article, NFC.
fn articles() -> Vec<(String, String)> {
    let mut out = vec![];
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
            }
        }
    }
    out
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

fn evaluate(qs: &[Question], mut ask: impl FnMut(&str) -> Vec<String>) -> Run {
    let mut total = Quality::default();
    let mut lat = vec![];
    for q in qs {
        let t = Instant::now();
        let ranked = ask(&q.query);
        lat.push(t.elapsed());
        let s = score(&ranked, &q.relevant);
        total.ndcg10 += s.ndcg10;
        total.r10 += s.r10;
        total.r100 += s.r100;
        total.mrr10 += s.mrr10;
    }
    let n = qs.len().max(1) as f64;
    lat.sort();
    let pct = |p: f64| {
        lat.get(((lat.len().max(1) - 1) as f64 * p) as usize)
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or(0.0)
    };
    Run {
        quality: Quality {
            ndcg10: total.ndcg10 / n,
            r10: total.r10 / n,
            r100: total.r100 / n,
            mrr10: total.mrr10 / n,
        },
        p50: pct(0.5),
        p99: pct(0.99),
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
        "{:<38} {:<6} {:>7.3} {:>7.3} {:>8.3} {:>7.3} {:>8.1} {:>8.1} {:>8.1}",
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

fn main() {
    let a = args();
    let zalo = questions("queries_zalo_ltr2021_phapdien.jsonl", a.sample);
    let alqac = questions("queries_alqac2025_phapdien.jsonl", a.sample);
    let sets = [("Zalo", &zalo), ("ALQAC", &alqac)];
    let tmp = tempfile::tempdir().expect("temp dir");

    // vanban: the real import, then a full reindex.
    let started = Instant::now();
    let url = format!("sqlite://{}", tmp.path().join("vanban.db").display());
    let db = vanban::db::Db::connect(&url, 4).expect("db");
    db.migrate().expect("migrate");
    for f in article_files() {
        vanban::import::import_file(&db, &f, false).expect("import");
    }
    let imported = started.elapsed();
    let index = Arc::new(SearchIndex::open(Some(&tmp.path().join("index"))).expect("index"));
    let t = Instant::now();
    let n = index
        .rebuild(&mut db.get().expect("conn"), |_, _| {})
        .expect("rebuild");
    let indexed = t.elapsed();
    println!(
        "vanban: imported in {:.1} s, indexed {n} documents in {:.1} s",
        imported.as_secs_f64(),
        indexed.as_secs_f64()
    );

    let vanban_ask = |idx: Arc<SearchIndex>| {
        move |q: &str| -> Vec<String> {
            let req = SearchRequest {
                q: q.to_owned(),
                syntax: Syntax::Plain,
                granularity: Granularity::Provision,
                limit: Some(100),
                ..Default::default()
            };
            idx.search(&req, &Audience::Everything)
                .map(|r| r.hits.into_iter().filter_map(|h| h.external_id).collect())
                .unwrap_or_default()
        }
    };

    if a.tune {
        let base = PlainWeights::default();
        println!("tuning on Zalo: heading title folded pair → nDCG@10");
        for heading in [1.5, 2.5] {
            for pair in [0.5, 1.0] {
                for folded in [0.1, 0.3] {
                    let w = PlainWeights {
                        heading,
                        pair,
                        folded,
                        title: 0.3,
                    };
                    index.set_plain_weights(w);
                    let r = evaluate(&zalo, vanban_ask(index.clone()));
                    println!(
                        "heading {heading:>4} title {:>4} folded {folded:>4} pair {pair:>4} → nDCG@10 {:.4} R@10 {:.4} MRR@10 {:.4}",
                        w.title, r.quality.ndcg10, r.quality.r10, r.quality.mrr10
                    );
                }
            }
        }
        index.set_plain_weights(base);
    }

    // SQLite FTS5, diacritics kept, bm25.
    let all = articles();
    let fts_path = tmp.path().join("fts.db");
    let t = Instant::now();
    {
        let mut c = SqliteConnection::establish(&fts_path.display().to_string()).expect("fts5 db");
        c.batch_execute(
            "PRAGMA journal_mode=WAL; CREATE VIRTUAL TABLE fts USING fts5(id UNINDEXED, body, tokenize = 'unicode61 remove_diacritics 0');",
        )
        .expect("fts5 table");
        c.transaction(|c| {
            for (id, body) in &all {
                diesel::sql_query("INSERT INTO fts (id, body) VALUES (?, ?)")
                    .bind::<Text, _>(id)
                    .bind::<Text, _>(body)
                    .execute(c)?;
            }
            diesel::QueryResult::Ok(())
        })
        .expect("fts5 load");
    }
    let fts_build = t.elapsed();
    let fts_ask = || {
        let mut c = SqliteConnection::establish(&fts_path.display().to_string()).expect("fts5 db");
        move |q: &str| -> Vec<String> {
            let w = words(q);
            if w.is_empty() {
                return vec![];
            }
            diesel::sql_query("SELECT id FROM fts WHERE fts MATCH ? ORDER BY bm25(fts) LIMIT 100")
                .bind::<Text, _>(fts5_query(&w))
                .load::<IdRow>(&mut c)
                .map(|r| r.into_iter().map(|x| x.id).collect())
                .unwrap_or_default()
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
    let mut pg_build = Duration::ZERO;
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
        pg_build = t.elapsed();
    }
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
        "build: vanban index {:.1} s; SQLite FTS5 {:.1} s; PostgreSQL {:.1} s",
        indexed.as_secs_f64(),
        fts_build.as_secs_f64(),
        pg_build.as_secs_f64()
    );
    println!(
        "{:<38} {:<6} {:>7} {:>7} {:>8} {:>7} {:>8} {:>8} {:>8}",
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
    let mut summary: HashMap<(&str, &str), Run> = HashMap::new();
    for (set, qs) in sets {
        let r = evaluate(qs, vanban_ask(index.clone()));
        let qps = throughput(qs, a.clients, || vanban_ask(index.clone()));
        print_row("vanban (tantivy)", set, &r, qps);
        summary.insert(("vanban", set), r);
        let r = evaluate(qs, fts_ask());
        let qps = throughput(qs, a.clients, fts_ask);
        print_row("SQLite FTS5 (unicode61, diacritics kept)", set, &r, qps);
        summary.insert(("fts5", set), r);
        if a.postgres {
            let r = evaluate(qs, pg_ask(false)());
            let qps = throughput(qs, a.clients, pg_ask(false));
            print_row("PostgreSQL FTS (simple, ts_rank(.,1))", set, &r, qps);
            summary.insert(("pg", set), r);
            let r = evaluate(qs, pg_ask(true)());
            let qps = throughput(qs, a.clients, pg_ask(true));
            print_row("PostgreSQL FTS (simple + unaccent)", set, &r, qps);
        }
    }
    for set in ["Zalo", "ALQAC"] {
        if let (Some(v), Some(f)) = (summary.get(&("vanban", set)), summary.get(&("fts5", set))) {
            print!(
                "{set}: vanban/FTS5 nDCG@10 {:.2}x, p50 latency {:.2}x",
                v.quality.ndcg10 / f.quality.ndcg10,
                v.p50 / f.p50
            );
            if let Some(p) = summary.get(&("pg", set)) {
                print!(
                    "; vanban/PostgreSQL nDCG@10 {:.2}x, p50 latency {:.2}x",
                    v.quality.ndcg10 / p.quality.ndcg10,
                    v.p50 / p.p50
                );
            }
            println!();
        }
    }
    if a.postgres {
        if let Ok(mut admin) = PgConnection::establish(&pg_admin) {
            let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {pg_name} WITH (FORCE)"));
        }
    }
}
