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

use common::pages::{args, demo_server, enc, measure, print_rows, ratio, Client, BROWSER, CORPUS};

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

fn main() {
    let a = args();
    let (_tmp, base) = demo_server(a.files);
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
        measure(&c, "home", r, BROWSER, false, |_| "/".into()),
        measure(&c, "search results", r, BROWSER, false, |i| {
            format!("/tim-kiem?{}", q(i))
        }),
        measure(
            &c,
            "  API: GET /api/v1/search",
            r,
            "application/json",
            false,
            |i| format!("/api/v1/search?{}", q(i)),
        ),
        measure(
            &c,
            "search results, filtered by kind",
            r,
            BROWSER,
            false,
            |i| format!("/tim-kiem?{}&kind=decree&xem=van-ban", q(i)),
        ),
        measure(&c, "document", r, BROWSER, false, |i| {
            format!("/van-ban/{}", doc(i))
        }),
        measure(
            &c,
            "  API: GET /api/v1/documents/{id}",
            r,
            "application/json",
            false,
            |i| format!("/api/v1/documents/{}", doc(i)),
        ),
        measure(&c, "document: the district plan", r, BROWSER, false, |_| {
            format!("/van-ban/{plan}")
        }),
        measure(&c, "document on a day", r, BROWSER, false, |i| {
            format!("/van-ban/{}?ngay=2015-06-30", doc(i))
        }),
        measure(&c, "consultations", r, BROWSER, false, |_| "/gop-y".into()),
        measure(&c, "consultation draft", r, BROWSER, false, |_| {
            format!("/gop-y/{consultation}")
        }),
        measure(&c, "copy verification", r, BROWSER, false, |_| {
            format!("/api/v1/verify/{code}")
        }),
        measure(&c, "systematisation", r, BROWSER, false, |_| {
            "/he-thong-hoa?issuer=UBND&year=2015".into()
        }),
        measure(&c, "API reference", r, BROWSER, false, |_| {
            "/tai-lieu-api".into()
        }),
        measure(&c, "not found page", r, BROWSER, true, |_| {
            "/khong-co".into()
        }),
    ];
    print_rows(&rows, r);
    let (s50, s99) = ratio(&rows, "search results", "  API: GET /api/v1/search");
    let (d50, d99) = ratio(&rows, "document", "  API: GET /api/v1/documents/{id}");
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
