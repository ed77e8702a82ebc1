//! The public pages: server time per page type and page weight, on the demo district with
//! the corpus imported, beside the JSON API answering the same question (a ratio: the
//! cost of rendering the page, on the same machine in the same run).
//!
//! cargo bench --bench pages [-- --requests 1000 --files 4]
//!
//! `--files` is how many of the corpus's four article files to import (4: all of it).
//! Each page type is asked `--requests` times, one request at a time over one kept-alive
//! connection, by an anonymous visitor; the time is the client's, on loopback.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::BufRead;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use vanban::search::SearchIndex;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus");
const BROWSER: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

struct Args {
    requests: usize,
    files: usize,
}

fn args() -> Args {
    let mut a = Args {
        requests: 1000,
        files: 4,
    };
    let v: Vec<String> = std::env::args().collect();
    let mut i = 1;
    while i < v.len() {
        let next = v.get(i + 1).and_then(|s| s.parse().ok());
        match v[i].as_str() {
            "--requests" => a.requests = next.expect("--requests N"),
            "--files" => a.files = next.expect("--files N"),
            _ => {}
        }
        i += 1;
    }
    a
}

/// The corpus's questions, with and without their diacritics (as people type them).
fn questions() -> Vec<String> {
    let path = Path::new(CORPUS).join("queries_zalo_ltr2021_phapdien.jsonl");
    let f = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = vec![];
    for line in std::io::BufReader::new(f).lines().map_while(Result::ok) {
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) {
            if let Some(q) = v["query"].as_str() {
                out.push(q.to_owned());
                out.push(vanban::domain::text::fold(q));
            }
        }
    }
    out
}

fn enc(s: &str) -> String {
    serde_urlencoded::to_string([("q", s)]).unwrap()
}

struct Client {
    sys: actix_web::rt::SystemRunner,
    client: awc::Client,
    base: String,
}

impl Client {
    fn new(base: &str) -> Self {
        let sys = actix_web::rt::System::new();
        let client = sys.block_on(async {
            awc::Client::builder()
                .timeout(Duration::from_secs(120))
                .finish()
        });
        Client {
            sys,
            client,
            base: base.to_owned(),
        }
    }

    /// One request: its status, body and time.
    fn get(&self, path: &str, accept: &str) -> (u16, Vec<u8>, Duration) {
        let url = format!("{}{path}", self.base);
        let t = Instant::now();
        let (status, body) = self.sys.block_on(async {
            let mut r = self
                .client
                .get(url)
                .insert_header(("Accept", accept))
                .send()
                .await
                .expect("request");
            let body = r.body().limit(64 << 20).await.expect("body");
            (r.status().as_u16(), body.to_vec())
        });
        (status, body, t.elapsed())
    }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

struct Row {
    name: &'static str,
    p50: f64,
    p99: f64,
    bytes: usize,
    errors: usize,
}

fn measure(
    c: &Client,
    name: &'static str,
    n: usize,
    accept: &str,
    mut path: impl FnMut(usize) -> String,
) -> Row {
    // A few requests first, so that the caches a visitor meets are warm.
    for i in 0..5 {
        c.get(&path(i), accept);
    }
    let mut times = Vec::with_capacity(n);
    let mut bytes = 0;
    let mut errors = 0;
    for i in 0..n {
        let (status, body, t) = c.get(&path(i), accept);
        if !(200..300).contains(&status) && name != "not found page" {
            errors += 1;
        }
        bytes += body.len();
        times.push(t);
    }
    times.sort();
    Row {
        name,
        p50: percentile(&times, 0.5),
        p99: percentile(&times, 0.99),
        bytes: bytes / n.max(1),
        errors,
    }
}

fn main() {
    let a = args();
    let tmp = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", tmp.path().join("vanban.db").display());
    let db = vanban::db::Db::connect(&url, 4).expect("db");
    db.migrate().expect("migrate");
    {
        let mut conn = db.get().expect("conn");
        vanban::db::write_transaction(&mut conn, |c| vanban::demo::load(c, "bench-password-123"))
            .expect("demo");
    }
    let t = Instant::now();
    for i in 0..a.files.min(4) {
        let f = Path::new(CORPUS).join(format!("phapdien_articles.part0{i}.jsonl.gz"));
        vanban::import::import_file(&db, &f, false).expect("import");
    }
    let index = Arc::new(SearchIndex::open(Some(&tmp.path().join("index"))).expect("index"));
    let n = index
        .rebuild(&mut db.get().expect("conn"), |_, _| {})
        .expect("rebuild");
    println!(
        "demo + {} corpus file(s): {n} documents indexed in {:.0} s",
        a.files.min(4),
        t.elapsed().as_secs_f64()
    );
    let mut settings = vanban::config::Settings::load(None).expect("settings");
    settings.database.url = String::new();
    settings.workflow.comments_per_minute = 0;
    let keys = vanban::auth::token::TokenKeys::new(b"bench-secret-bench-secret-bench-secret", 3600);
    let base = common::start_server(Arc::new(vanban::api::AppState::new(
        settings, db, keys, index,
    )));
    let c = Client::new(&base);

    // Ids to visit: published documents (the demo's and the corpus's), one copy code.
    let (_, list, _) = c.get("/api/v1/documents?limit=200", "application/json");
    let list: serde_json::Value = serde_json::from_slice(&list).unwrap();
    let docs: Vec<String> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .collect();
    let (_, hits, _) = c.get(
        "/api/v1/search?q=c%E1%BA%A3i+c%C3%A1ch+h%C3%A0nh+ch%C3%ADnh&granularity=document",
        "application/json",
    );
    let hits: serde_json::Value = serde_json::from_slice(&hits).unwrap();
    let plan = hits["hits"][0]["document_id"].as_str().unwrap().to_owned();
    let (_, versions, _) = c.get(
        &format!("/api/v1/documents/{plan}/versions"),
        "application/json",
    );
    let versions: serde_json::Value = serde_json::from_slice(&versions).unwrap();
    let vid = versions[0]["id"].as_str().unwrap();
    let code = c.sys.block_on(async {
        let r = c
            .client
            .get(format!("{base}/api/v1/versions/{vid}/pdf"))
            .send()
            .await
            .expect("pdf");
        r.headers()
            .get("x-verification-code")
            .and_then(|v| v.to_str().ok())
            .unwrap()
            .to_owned()
    });
    let (_, open, _) = c.get("/api/v1/public/consultations", "application/json");
    let open: serde_json::Value = serde_json::from_slice(&open).unwrap();
    let consultation = open[0]["id"].as_str().unwrap_or_default().to_owned();
    let qs = questions();
    let q = |i: usize| enc(&qs[i % qs.len()]);
    let doc = |i: usize| docs[i % docs.len()].clone();
    let r = a.requests;

    let rows = vec![
        measure(&c, "home", r, BROWSER, |_| "/".into()),
        measure(&c, "search results", r, BROWSER, |i| {
            format!("/tim-kiem?{}", q(i))
        }),
        measure(
            &c,
            "  API: GET /api/v1/search",
            r,
            "application/json",
            |i| format!("/api/v1/search?{}", q(i)),
        ),
        measure(&c, "search results, filtered by kind", r, BROWSER, |i| {
            format!("/tim-kiem?{}&kind=decree&xem=van-ban", q(i))
        }),
        measure(&c, "document", r, BROWSER, |i| {
            format!("/van-ban/{}", doc(i))
        }),
        measure(
            &c,
            "  API: GET /api/v1/documents/{id}",
            r,
            "application/json",
            |i| format!("/api/v1/documents/{}", doc(i)),
        ),
        measure(&c, "document: the district plan", r, BROWSER, |_| {
            format!("/van-ban/{plan}")
        }),
        measure(&c, "document on a day", r, BROWSER, |i| {
            format!("/van-ban/{}?ngay=2015-06-30", doc(i))
        }),
        measure(&c, "consultations", r, BROWSER, |_| "/gop-y".into()),
        measure(&c, "consultation draft", r, BROWSER, |_| {
            format!("/gop-y/{consultation}")
        }),
        measure(&c, "copy verification", r, BROWSER, |_| {
            format!("/api/v1/verify/{code}")
        }),
        measure(&c, "systematisation", r, BROWSER, |_| {
            "/he-thong-hoa?issuer=UBND&year=2015".into()
        }),
        measure(&c, "API reference", r, BROWSER, |_| "/tai-lieu-api".into()),
        measure(&c, "not found page", r, BROWSER, |_| "/khong-co".into()),
    ];
    println!(
        "\n| page ({} requests each) | p50 ms | p99 ms | HTML bytes (mean) | errors |",
        r
    );
    println!("|---|---:|---:|---:|---:|");
    for row in &rows {
        println!(
            "| {} | {:.2} | {:.2} | {} | {} |",
            row.name, row.p50, row.p99, row.bytes, row.errors
        );
    }
    let ratio = |page: &str, api: &str| {
        let p = rows.iter().find(|x| x.name == page).unwrap();
        let j = rows.iter().find(|x| x.name == api).unwrap();
        (p.p50 / j.p50, p.p99 / j.p99)
    };
    let (s50, s99) = ratio("search results", "  API: GET /api/v1/search");
    let (d50, d99) = ratio("document", "  API: GET /api/v1/documents/{id}");
    println!("\npage / API: search results p50 {s50:.2}x p99 {s99:.2}x; document p50 {d50:.2}x p99 {d99:.2}x");
    let worst = rows
        .iter()
        .filter(|x| !x.name.starts_with("  API"))
        .map(|x| x.p99)
        .fold(0.0, f64::max);
    println!("worst page p99: {worst:.2} ms (target < 50 ms)");

    // Page weight: HTML + CSS + JS as a first visit loads them.
    let assets = vanban::web::assets::total_bytes();
    println!("\n| page | HTML bytes | + CSS and JS | total | target |");
    println!("|---|---:|---:|---:|---|");
    for (name, path) in [
        ("home", "/".to_owned()),
        (
            "results",
            "/tim-kiem?q=th%E1%BB%9Di+h%E1%BA%A1n+gi%E1%BA%A3i+quy%E1%BA%BFt+h%E1%BB%93+s%C6%A1"
                .to_owned(),
        ),
        ("document (the district plan)", format!("/van-ban/{plan}")),
    ] {
        let (_, body, _) = c.get(&path, BROWSER);
        let target = if name == "home" { "< 60 KB" } else { "" };
        println!(
            "| {name} | {} | {assets} | {} | {target} |",
            body.len(),
            body.len() + assets
        );
    }
}
