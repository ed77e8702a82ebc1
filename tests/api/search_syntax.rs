//! Any query text is an answer or a 400 problem, never a 500, in every syntax mode; only
//! the query syntax refuses a text.

use actix_web::http::StatusCode;
use serde_json::json;

use crate::both_backends;
use crate::helpers::{Backend, TestApp};

/// Percent-encodes a query-string value.
pub(crate) fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn field_wildcards_and_other_constructs_are_400s(b: Backend) {
    let app = TestApp::spawn(b).await;
    let refused = [
        "title:*",
        "body:*",
        "heading:*",
        "number:*",
        "year:*",
        "title:[a TO z]",
        "year:[2000 TO 2020]",
        "signed_day:>0",
        "title: IN [a b]",
        "body_pairs:\"cải_cách hành_chính\"",
        "public:0",
        "a^1e40",
        "a^-1",
    ];
    let nested = format!("{}a{}", "(".repeat(200), ")".repeat(200));
    for q in refused.iter().copied().chain([nested.as_str()]) {
        for extra in ["", "&sort=date", "&granularity=document"] {
            let r = app
                .get(
                    &format!("/api/v1/search?q={}&syntax=query{extra}", enc(q)),
                    None,
                )
                .await;
            r.problem(400);
        }
        app.post("/api/v1/search", None, json!({"q": q, "syntax": "query"}))
            .await
            .problem(400);
        // The same text as plain words, or in the default syntax, is an answer.
        for syntax in ["&syntax=plain", "&syntax=auto", ""] {
            let r = app
                .get(&format!("/api/v1/search?q={}{syntax}", enc(q)), None)
                .await;
            assert_eq!(r.status, StatusCode::OK, "{q}{syntax}: {}", r.body);
        }
        let r = app.post("/api/v1/search", None, json!({"q": q})).await;
        assert_eq!(r.status, StatusCode::OK, "{q}: {}", r.body);
    }
    // What the syntax offers still works.
    for q in [
        "*",
        "title:\"cải cách\"",
        "heading:phạm",
        "number:9/2015/QĐ-TTg",
        "cải -cách",
        "(cải OR thủ) AND tục",
        "\"một cửa\"~2",
        "thủ^2 tục",
        "cải*",
    ] {
        for syntax in ["&syntax=query", ""] {
            let r = app
                .get(&format!("/api/v1/search?q={}{syntax}", enc(q)), None)
                .await;
            assert_eq!(r.status, StatusCode::OK, "{q}: {}", r.body);
        }
    }
}
both_backends!(field_wildcards_and_other_constructs_are_400s);

async fn number_lookup_of_any_text_is_an_answer(b: Backend) {
    let app = TestApp::spawn(b).await;
    let long = "9".repeat(10_000);
    for number in [
        "%00",
        "9%2F2015%00",
        "%0A",
        "%20",
        long.as_str(),
        "%C4%90%E1%BB%80U",
    ] {
        let r = app
            .get(&format!("/api/v1/documents/by-number/{number}"), None)
            .await;
        r.problem(404);
    }
    let r = app
        .get("/api/v1/documents/by-number/09%2F2015%2Fqd-ttg", None)
        .await;
    assert!(r.status.is_redirection(), "{} {}", r.status, r.body);
}
both_backends!(number_lookup_of_any_text_is_an_answer);
