use std::time::{Duration, Instant};

use actix_web::http::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{Backend, TestApp};

fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => out.push(*b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

async fn search(app: &TestApp, token: Option<&str>, params: &str) -> Value {
    let r = app.get(&format!("/api/v1/search?{params}"), token).await;
    assert_eq!(r.status, StatusCode::OK, "{params}: {}", r.body);
    r.body
}

/// Waits (at most a second, as promised) until a search finds something.
async fn eventually(app: &TestApp, token: Option<&str>, params: &str) -> Value {
    let started = Instant::now();
    loop {
        let r = search(app, token, params).await;
        if r["total"].as_u64().unwrap_or(0) > 0 || started.elapsed() > Duration::from_secs(1) {
            return r;
        }
        actix_web::rt::time::sleep(Duration::from_millis(25)).await;
    }
}

/// The reform plan is the first hit, and the facets count kinds.
fn assert_plan_first(r: &Value, q: &str) {
    assert!(
        r["hits"][0]["title"]
            .as_str()
            .is_some_and(|t| t.contains("cải cách hành chính")),
        "{q}: {r}"
    );
    assert!(
        r["facets"]["kind"]
            .as_array()
            .is_some_and(|k| !k.is_empty()),
        "{q}: {r}"
    );
}

async fn words_with_or_without_diacritics(b: Backend) {
    let app = TestApp::spawn(b).await;
    for q in [
        "cải cách hành chính",
        "cai cach hanh chinh",
        "CẢI CÁCH HÀNH CHÍNH",
    ] {
        let r = search(&app, None, &format!("q={}&granularity=document", enc(q))).await;
        assert_plan_first(&r, q);
    }
    // Phrases across syllables; snippets mark the words, as safe HTML.
    let r = search(&app, None, &format!("q={}", enc("\"một cửa liên thông\""))).await;
    assert!(r["total"].as_u64().unwrap() > 0);
    let snippet = r["hits"][0]["snippet"].as_str().unwrap();
    assert!(snippet.contains("<mark>"), "{snippet}");
    // A syntax error in the query syntax is a 400 problem, never a 500; in the default
    // syntax the same text is a question.
    app.get(
        &format!("/api/v1/search?q={}&syntax=query", enc("title:(")),
        None,
    )
    .await
    .problem(400);
    search(&app, None, &format!("q={}", enc("title:("))).await;
    app.get("/api/v1/search?q=x&limit=1000", None)
        .await
        .problem(422);
    app.get("/api/v1/search?q=", None).await.problem(400);
}
both_backends!(words_with_or_without_diacritics);

async fn questions_in_plain_text(b: Backend) {
    let app = TestApp::spawn(b).await;
    // A citizen's question, with or without diacritics: every word counts, the words
    // of the subject rank the document first.
    for q in [
        "Cải cách hành chính được quy định như thế nào?",
        "cai cach hanh chinh duoc quy dinh nhu the nao?",
    ] {
        let r = search(
            &app,
            None,
            &format!("q={}&syntax=plain&granularity=document", enc(q)),
        )
        .await;
        assert_plan_first(&r, q);
        assert!(r["total"].as_u64().unwrap() >= r["hits"].as_array().unwrap().len() as u64);
    }
    // Articles, with the question's words marked in the snippet.
    let q = "Thủ tục một cửa liên thông là gì?";
    let r = search(&app, None, &format!("q={}&syntax=plain&limit=5", enc(q))).await;
    let snippet = r["hits"][0]["snippet"].as_str().unwrap();
    assert!(snippet.contains("<mark>"), "{r}");
    // Nothing is syntax: what would be a syntax error is words.
    let r = search(
        &app,
        None,
        &format!("q={}&syntax=plain", enc("title:( \"cải cách -hành chính")),
    )
    .await;
    assert!(r["total"].as_u64().unwrap() > 0, "{r}");
    // The count and the facets agree with the pages.
    let all = search(
        &app,
        None,
        &format!(
            "q={}&syntax=plain&granularity=document&limit=100",
            enc("quyết định ủy ban")
        ),
    )
    .await;
    let total = all["total"].as_u64().unwrap();
    assert_eq!(all["hits"].as_array().unwrap().len() as u64, total.min(100));
    let by_kind: u64 = all["facets"]["kind"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["count"].as_u64().unwrap())
        .sum();
    assert_eq!(by_kind, total, "{all}");
    // Sorted by date: the same matches, count and facets, the latest signed first.
    let by_date = search(
        &app,
        None,
        &format!(
            "q={}&syntax=plain&granularity=document&limit=100&sort=date",
            enc("quyết định ủy ban")
        ),
    )
    .await;
    assert_eq!(by_date["total"], all["total"], "{by_date}");
    assert_eq!(by_date["facets"], all["facets"], "{by_date}");
    let ids = |r: &Value| -> Vec<String> {
        r["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["document_id"].as_str().unwrap().to_owned())
            .collect()
    };
    let (mut dated, mut ranked) = (ids(&by_date), ids(&all));
    let mut signed = vec![];
    for id in &dated {
        let d = app.get(&format!("/api/v1/documents/{id}"), None).await;
        assert_eq!(d.status, StatusCode::OK, "{}", d.body);
        signed.push(d.body["signed_on"].as_str().unwrap_or_default().to_owned());
    }
    assert!(signed.len() > 1, "{by_date}");
    assert!(signed.windows(2).all(|w| w[0] >= w[1]), "{signed:?}");
    dated.sort();
    ranked.sort();
    assert_eq!(dated, ranked);
}
both_backends!(questions_in_plain_text);

async fn numbers_in_any_spelling(b: Backend) {
    let app = TestApp::spawn(b).await;
    for n in ["09/2015/QĐ-TTg", "09/2015/qd-ttg", "9/2015/QĐ-TTg"] {
        let r = search(&app, None, &format!("q={}&granularity=document", enc(n))).await;
        assert_eq!(r["hits"][0]["number"], "09/2015/QĐ-TTg", "{n}: {r}");
        let path: String = n
            .chars()
            .map(|c| {
                if c.is_ascii() {
                    c.to_string()
                } else {
                    enc(&c.to_string())
                }
            })
            .collect();
        let by = app
            .get(&format!("/api/v1/documents/by-number/{path}"), None)
            .await;
        assert_eq!(by.status, StatusCode::SEE_OTHER, "{n}");
        assert_eq!(
            by.header("location").unwrap(),
            format!("/api/v1/documents/{}", app.id_of("09/2015/QĐ-TTg").await)
        );
    }
    app.get("/api/v1/documents/by-number/999/2099/Q%C4%90-XYZ", None)
        .await
        .problem(404);
    // The same number from two issuers: the choices.
    let legal = app.login("legal_officer").await;
    let r = app
        .post(
            "/api/v1/documents",
            Some(&legal),
            json!({"kind": "decision", "number": "390/QĐ-UBND", "title": "Quyết định của UBND huyện", "issuer": "UBND", "external": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let by = app
        .get("/api/v1/documents/by-number/390/qd-ubnd", None)
        .await;
    assert_eq!(by.status, StatusCode::MULTIPLE_CHOICES, "{}", by.body);
    assert_eq!(by.body["choices"].as_array().unwrap().len(), 2);
}
both_backends!(numbers_in_any_spelling);

async fn changes_are_searchable_within_a_second_and_drafts_stay_private(b: Backend) {
    let app = TestApp::spawn(b).await;
    let drafter = app.login("drafter").await;
    let doc = app.draft(&drafter, "Quy chế quản lý xyzzyquy").await;
    let id = doc["id"].as_str().unwrap();
    let v = app
        .post(
            &format!("/api/v1/documents/{id}/versions"),
            Some(&drafter),
            json!({"body": "Điều 1. Phạm vi\nQuy định về plughwort <script>alert(1)</script> trong huyện."}),
        )
        .await;
    assert_eq!(v.status, StatusCode::CREATED);
    let r = eventually(&app, Some(&drafter), "q=plughwort").await;
    assert_eq!(r["total"], 1, "{r}");
    let hit = &r["hits"][0];
    assert_eq!(hit["document_id"], id);
    assert_eq!(hit["provision_path"], "dieu-1");
    let snippet = hit["snippet"].as_str().unwrap();
    assert!(
        snippet.contains("&lt;script&gt;") && !snippet.contains("<script>"),
        "{snippet}"
    );
    // The public and a commune viewer do not find the draft.
    assert_eq!(search(&app, None, "q=plughwort").await["total"], 0);
    let viewer = app.login("viewer").await;
    assert_eq!(
        search(&app, Some(&viewer), "q=xyzzyquy&granularity=document").await["total"],
        0
    );
    assert_eq!(
        search(&app, Some(&drafter), "q=xyzzyquy&granularity=document").await["total"],
        1
    );
}
both_backends!(changes_are_searchable_within_a_second_and_drafts_stay_private);

async fn point_in_time(b: Backend) {
    let app = TestApp::spawn(b).await;
    // 14/2008/NĐ-CP was replaced by 37/2014/NĐ-CP on 2014-06-20.
    let q = format!("q={}&granularity=document", enc("14/2008/NĐ-CP"));
    let before = search(&app, None, &format!("{q}&as_of=2014-01-01")).await;
    assert_eq!(before["hits"][0]["number"], "14/2008/NĐ-CP", "{before}");
    let after = search(&app, None, &format!("{q}&as_of=2016-06-30")).await;
    assert!(
        after["hits"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["number"] != "14/2008/NĐ-CP"),
        "{after}"
    );
    let expired = search(&app, None, &format!("{q}&legal_effect=expired")).await;
    assert_eq!(expired["hits"][0]["number"], "14/2008/NĐ-CP");
    // Filters and the JSON form.
    let r = app
        .post("/api/v1/search", None, json!({"q": "thủ tục hành chính", "kind": "decree", "granularity": "document", "limit": 50}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body["total"].as_u64().unwrap() >= 2, "{}", r.body);
    assert!(r.body["hits"]
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["kind"] == "decree"));
    // Similar documents to 63/2010/NĐ-CP (kiểm soát thủ tục hành chính).
    let d63 = app.id_of("63/2010/NĐ-CP").await;
    let s = app
        .get(&format!("/api/v1/documents/{d63}/similar"), None)
        .await;
    assert_eq!(s.status, StatusCode::OK);
    let similar = s.body.as_array().unwrap();
    assert!(!similar.is_empty(), "something is like it");
    assert!(similar.iter().all(|h| h["document_id"] != d63.as_str()));
    // 48/2013/NĐ-CP amends it and shares its subject (kiểm soát thủ tục hành chính).
    let numbers: Vec<&str> = similar
        .iter()
        .filter_map(|h| h["number"].as_str())
        .collect();
    assert!(numbers.contains(&"48/2013/NĐ-CP"), "{numbers:?}");
}
both_backends!(point_in_time);
