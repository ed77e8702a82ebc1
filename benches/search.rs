//! Search quality and latency: vanban (tantivy) against SQLite FTS5 and PostgreSQL
//! full-text search on the real corpus, in one run.
//!
//! cargo bench --bench search [-- --sample N --clients 8 --no-postgres --no-fts5 --tune]
//!
//! Loads the 61,902 Pháp điển articles of `../shared/corpus` into each engine (articles
//! per second and peak memory of each build), then asks the Zalo (1,375) and ALQAC (587)
//! question sets, terms OR-ed and ranked, and scores the ranked article ids against each
//! question's `relevant_ids`: nDCG@10, Recall@10, Recall@100 and MRR@10; then latency
//! (single client) and throughput (N clients). vanban is asked twice: over HTTP (the real
//! actix app, `GET /api/v1/search?syntax=plain&limit=100`, anonymous) and in-process
//! (`SearchIndex::search`, the function behind that route).

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
}

fn args() -> Args {
    let mut a = Args {
        sample: None,
        clients: 8,
        postgres: true,
        fts5: true,
        http: true,
        tune: false,
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
        "{:<40} {:<6} {:>7.3} {:>7.3} {:>8.3} {:>7.3} {:>8.1} {:>8.1} {:>8.1}",
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
    grid
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

/// One HTTP client (its own event loop and connection) asking the running server.
fn http_asker(base: String) -> impl FnMut(&str) -> Vec<String> {
    let sys = actix_web::rt::System::new();
    let client = sys.block_on(async {
        awc::Client::builder()
            .timeout(Duration::from_secs(120))
            .finish()
    });
    move |q: &str| -> Vec<String> {
        let url = format!(
            "{base}/api/v1/search?q={}&syntax=plain&granularity=provision&limit=100",
            enc(q)
        );
        let body = sys.block_on(async {
            let mut r = client.get(url).send().await.ok()?;
            if !r.status().is_success() {
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

    // vanban: the real import, then a full reindex (the build measured).
    let started = Instant::now();
    let url = format!("sqlite://{}", tmp.path().join("vanban.db").display());
    let db = vanban::db::Db::connect(&url, 4).expect("db");
    db.migrate().expect("migrate");
    for f in article_files() {
        vanban::import::import_file(&db, &f, false).expect("import");
    }
    let imported = started.elapsed();
    let mem = PeakRss::start();
    let t = Instant::now();
    let index = Arc::new(SearchIndex::open(Some(&tmp.path().join("index"))).expect("index"));
    let n = index
        .rebuild(&mut db.get().expect("conn"), |_, _| {})
        .expect("rebuild");
    let indexed = t.elapsed();
    let (peak, added) = mem.stop();
    println!(
        "vanban: imported in {:.1} s, indexed {n} documents in {:.1} s",
        imported.as_secs_f64(),
        indexed.as_secs_f64()
    );
    let all = articles();
    builds.push(Build {
        engine: "vanban (tantivy), reindex from the database",
        seconds: indexed.as_secs_f64(),
        rows: all.len(),
        peak_mb: peak,
        added_mb: added,
    });

    let vanban_ask = |idx: Arc<SearchIndex>| {
        move |q: &str| -> Vec<String> {
            let req = SearchRequest {
                q: q.to_owned(),
                syntax: Syntax::Plain,
                granularity: Granularity::Provision,
                limit: Some(100),
                ..Default::default()
            };
            idx.search(&req, &Audience::Public)
                .map(|r| r.hits.into_iter().filter_map(|h| h.external_id).collect())
                .unwrap_or_default()
        }
    };

    if a.tune {
        let base = index.plain_weights();
        let grid = tune_grid(base);
        println!("tuning: nDCG@10 R@10 R@100 MRR@10 p50 ms, Zalo | ALQAC");
        for (name, w) in grid {
            index.set_plain_weights(w);
            let mut line = format!("{name:<40}");
            for (_, qs) in sets {
                let r = evaluate(qs, vanban_ask(index.clone()));
                line.push_str(&format!(
                    " {:.4} {:.4} {:.4} {:.4} {:>5.1} |",
                    r.quality.ndcg10, r.quality.r10, r.quality.r100, r.quality.mrr10, r.p50
                ));
            }
            println!("{line}");
        }
        index.set_plain_weights(base);
    }

    // SQLite FTS5, diacritics kept, bm25.
    let fts_path = tmp.path().join("fts.db");
    if a.fts5 {
        let mem = PeakRss::start();
        let t = Instant::now();
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
        drop(c);
        let seconds = t.elapsed().as_secs_f64();
        let (peak_mb, added_mb) = mem.stop();
        builds.push(Build {
            engine: "SQLite FTS5 (unicode61, diacritics kept)",
            seconds,
            rows: all.len(),
            peak_mb,
            added_mb,
        });
    }
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
        "{:<40} {:<6} {:>7} {:>7} {:>8} {:>7} {:>8} {:>8} {:>8}",
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
    for (set, qs) in sets {
        if let Some(base) = &base {
            let r = evaluate(qs, http_asker(base.clone()));
            let qps = throughput(qs, a.clients, || http_asker(base.clone()));
            print_row("vanban (tantivy), HTTP", set, &r, qps);
            summary.insert(("vanban HTTP", set), (r, qps));
        }
        let r = evaluate(qs, vanban_ask(index.clone()));
        let qps = throughput(qs, a.clients, || vanban_ask(index.clone()));
        print_row("vanban (tantivy), in-process", set, &r, qps);
        summary.insert(("vanban in-process", set), (r, qps));
        if a.fts5 {
            let r = evaluate(qs, fts_ask());
            let qps = throughput(qs, a.clients, fts_ask);
            print_row("SQLite FTS5 (unicode61, diacritics kept)", set, &r, qps);
            summary.insert(("FTS5", set), (r, qps));
        }
        if a.postgres {
            let r = evaluate(qs, pg_ask(false)());
            let qps = throughput(qs, a.clients, pg_ask(false));
            print_row("PostgreSQL FTS (simple, ts_rank(.,1))", set, &r, qps);
            summary.insert(("PostgreSQL", set), (r, qps));
            let r = evaluate(qs, pg_ask(true)());
            let qps = throughput(qs, a.clients, pg_ask(true));
            print_row("PostgreSQL FTS (simple + unaccent)", set, &r, qps);
        }
    }
    // Quality ratios are vanban/baseline (above 1: vanban better); p99 and throughput are
    // how many times lower vanban's p99 is, and how many times higher its throughput.
    for set in ["Zalo", "ALQAC"] {
        for v in ["vanban HTTP", "vanban in-process"] {
            let Some((vr, vq)) = summary.get(&(v, set)) else {
                continue;
            };
            for other in ["FTS5", "PostgreSQL"] {
                let Some((or, oq)) = summary.get(&(other, set)) else {
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
    }
    if a.postgres {
        if let Ok(mut admin) = PgConnection::establish(&pg_admin) {
            let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {pg_name} WITH (FORCE)"));
        }
    }
}
