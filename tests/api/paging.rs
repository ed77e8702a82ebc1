//! Cursors, limits and offsets from outside: bounded, validated, never a crash or a 500.

use std::collections::HashSet;

use actix_web::http::StatusCode;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{Backend, Options, TestApp};

/// A search cursor as this API writes them (version 1, a big-endian u32 offset).
fn search_cursor(offset: u32) -> String {
    let mut raw = vec![1u8];
    raw.extend_from_slice(&offset.to_be_bytes());
    URL_SAFE_NO_PAD.encode(raw)
}

/// The server still answers a search.
async fn still_answers(app: &TestApp) {
    let r = app.get("/api/v1/search?q=a", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

async fn deep_search_cursors_are_refused(b: Backend) {
    let app = TestApp::spawn(b).await;
    let admin = app.login("admin").await;
    let shapes = [
        "",
        "&sort=date",
        "&sort=relevance",
        "&granularity=document",
        "&granularity=document&sort=date",
        "&syntax=plain&sort=date",
    ];
    let cursors = [
        "1000000000000".to_owned(),
        "18446744073709551615".to_owned(),
        "-1".to_owned(),
        search_cursor(1_000_000),
        search_cursor(u32::MAX),
        search_cursor(1_001),
        "AQAAAAo=".to_owned(),
        "%00".to_owned(),
    ];
    for token in [None, Some(admin.as_str())] {
        for shape in shapes {
            for cursor in &cursors {
                let r = app
                    .get(&format!("/api/v1/search?q=a{shape}&cursor={cursor}"), token)
                    .await;
                let p = r.problem(400);
                assert!(
                    p["detail"].as_str().is_some_and(|d| d.contains("cursor")),
                    "{p}"
                );
            }
        }
        for sort in ["date", "relevance"] {
            for granularity in ["document", "provision"] {
                for cursor in ["1000000000000".to_owned(), search_cursor(u32::MAX)] {
                    let body = json!({"q": "a", "sort": sort, "granularity": granularity, "cursor": cursor});
                    app.post("/api/v1/search", token, body).await.problem(400);
                }
            }
        }
        // A cursor that is not a string is a 422, like any wrong type.
        let body = json!({"q": "a", "sort": "date", "cursor": 1000000000000u64});
        let r = app.post("/api/v1/search", token, body).await;
        assert!(r.status.is_client_error(), "{}", r.body);
    }
    still_answers(&app).await;
    // A limit out of range is refused, not clamped: a 422 naming it; one that is not a
    // number at all is a malformed query, a 400.
    for (limit, status) in [
        ("0", 422),
        ("101", 422),
        ("-1", 400),
        ("18446744073709551616", 400),
        ("1e3", 400),
    ] {
        let r = app
            .get(&format!("/api/v1/search?q=a&sort=date&limit={limit}"), None)
            .await;
        let p = r.problem(status);
        if status == 422 {
            assert_eq!(p["errors"][0]["field"], "limit", "{limit}");
        }
    }
    let r = app
        .post(
            "/api/v1/search",
            None,
            json!({"q": "a", "limit": 1_000_000_000_000u64}),
        )
        .await;
    assert!(r.status.is_client_error(), "{}", r.body);
    still_answers(&app).await;
}
both_backends!(deep_search_cursors_are_refused);

/// Pages through every hit of `params`: disjoint pages, opaque cursors, and none past the
/// configured depth.
async fn pages(app: &TestApp, params: &str) -> (usize, usize) {
    let mut seen = HashSet::new();
    let mut cursor: Option<String> = None;
    let mut total;
    loop {
        let url = match &cursor {
            None => format!("/api/v1/search?{params}"),
            Some(c) => format!("/api/v1/search?{params}&cursor={c}"),
        };
        let r = app.get(&url, None).await;
        assert_eq!(r.status, StatusCode::OK, "{url}: {}", r.body);
        total = r.body["total"].as_u64().unwrap_or(0) as usize;
        for h in r.body["hits"].as_array().into_iter().flatten() {
            let key = format!("{}#{}", h["document_id"], h["provision_path"]);
            assert!(seen.insert(key), "{url}: a hit twice");
        }
        match &r.body["next_cursor"] {
            Value::String(c) => {
                assert!(c.parse::<u64>().is_err(), "an opaque cursor: {c}");
                cursor = Some(c.clone());
            }
            _ => break,
        }
    }
    (seen.len(), total)
}

async fn paging_stops_at_the_configured_depth(b: Backend) {
    let app = TestApp::spawn_with(
        b,
        Options {
            tweak: |s| s.search.max_offset = 6,
            ..Default::default()
        },
    )
    .await;
    for params in [
        "q=h%C3%A0nh&limit=2",
        "q=h%C3%A0nh&limit=3&sort=date",
        "q=h%C3%A0nh&limit=4&granularity=document",
    ] {
        let limit: usize = params
            .rsplit("limit=")
            .next()
            .and_then(|l| l.split('&').next())
            .and_then(|l| l.parse().ok())
            .unwrap_or(10);
        let (seen, total) = pages(&app, params).await;
        assert!(total > 8, "{params}: enough hits to page ({total})");
        // The last page starts at offset 6 at most.
        assert!(
            seen <= 6 + limit && seen > 6 - limit,
            "{params}: {seen} of {total}"
        );
    }
    app.get(
        &format!("/api/v1/search?q=a&cursor={}", search_cursor(7)),
        None,
    )
    .await
    .problem(400);
    let r = app
        .get(
            &format!("/api/v1/search?q=a&cursor={}", search_cursor(6)),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}
both_backends!(paging_stops_at_the_configured_depth);

/// A document-list cursor as this API writes them: `micros|id`, base64url.
fn list_cursor(raw: &str) -> String {
    URL_SAFE_NO_PAD.encode(raw)
}

async fn other_cursors_and_limits_are_bounded(b: Backend) {
    let app = TestApp::spawn(b).await;
    let admin = app.login("admin").await;
    let legal = app.login("legal_officer").await;
    // Document list: cursors whose time is out of any database's range, or not a time.
    for raw in [
        "-9223372036854775808|x",
        "9223372036854775807|x",
        "253402300800000000|x",
        "-62135596800000001|x",
        "-210866803200000000|x",
        "0|",
        "|",
        "1|\u{0}",
        "99999999999999999999|x",
    ] {
        let url = format!("/api/v1/documents?cursor={}", list_cursor(raw));
        let r = app.get(&url, Some(&admin)).await;
        assert!(
            r.status == StatusCode::OK || r.status == StatusCode::UNPROCESSABLE_ENTITY,
            "{raw}: {} {}",
            r.status,
            r.body
        );
        if r.status != StatusCode::OK {
            r.problem(422);
        }
    }
    for limit in [
        "0",
        "201",
        "-1",
        "9223372036854775807",
        "-9223372036854775808",
    ] {
        app.get(&format!("/api/v1/documents?limit={limit}"), None)
            .await
            .problem(422);
    }
    let r = app
        .get("/api/v1/documents?limit=99999999999999999999", None)
        .await;
    assert!(r.status.is_client_error(), "{}", r.body);
    // Audit: any i64 after is an answer; a limit out of range a 422.
    let id = app.id_of("63/2010/NĐ-CP").await;
    for after in ["-9223372036854775808", "9223372036854775807", "-1", "0"] {
        let r = app
            .get(
                &format!("/api/v1/audit/document/{id}?after={after}"),
                Some(&legal),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "after={after}: {}", r.body);
    }
    for limit in ["0", "501", "-9223372036854775808", "9223372036854775807"] {
        app.get(
            &format!("/api/v1/audit/document/{id}?limit={limit}"),
            Some(&legal),
        )
        .await
        .problem(422);
    }
    for path in ["/api/v1/review-flags", "/api/v1/self-inspections"] {
        for limit in ["0", "501", "-9223372036854775808", "9223372036854775807"] {
            app.get(&format!("{path}?limit={limit}"), Some(&admin))
                .await
                .problem(422);
        }
    }
    still_answers(&app).await;
}
both_backends!(other_cursors_and_limits_are_bounded);
