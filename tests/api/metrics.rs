//! `GET /metrics`: Prometheus text for the bearer of `metrics.token`, and nothing without it.

use actix_web::http::{header, StatusCode};
use actix_web::test;

use crate::both_backends;
use crate::helpers::{Backend, Options, TestApp};

const TOKEN: &str = "metrics-token-for-the-tests-0123";

async fn scrape(app: &TestApp, token: Option<&str>) -> (StatusCode, String) {
    let mut req = test::TestRequest::get().uri("/metrics");
    if let Some(t) = token {
        req = req.insert_header((header::AUTHORIZATION, format!("Bearer {t}")));
    }
    let r = app.send(req).await;
    if r.status == StatusCode::OK {
        assert_eq!(
            r.header("content-type").as_deref(),
            Some("text/plain; version=0.0.4; charset=utf-8")
        );
    }
    (r.status, String::from_utf8_lossy(&r.bytes).into_owned())
}

/// The value of the series that starts with `prefix` (0 when absent).
fn value(text: &str, prefix: &str) -> f64 {
    text.lines()
        .find(|l| l.starts_with(prefix))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0)
}

async fn metrics_need_their_token(b: Backend) {
    let closed = TestApp::spawn(b).await;
    assert_eq!(scrape(&closed, Some(TOKEN)).await.0, StatusCode::NOT_FOUND);

    let app = TestApp::spawn_with(
        b,
        Options {
            demo: true,
            tweak: |s| s.metrics.token = TOKEN.into(),
        },
    )
    .await;
    assert_eq!(scrape(&app, None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        scrape(&app, Some("metrics-token-for-the-tests-0124"))
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );

    let (_, before) = scrape(&app, Some(TOKEN)).await;
    let id = app.id_of("63/2010/NĐ-CP").await;
    app.get(&format!("/api/v1/documents/{id}"), None)
        .await
        .status_is(200);
    app.get(
        "/api/v1/documents/00000000-0000-4000-8000-000000000000",
        None,
    )
    .await
    .status_is(404);
    let wrong = app
        .post(
            "/api/v1/auth/login",
            None,
            serde_json::json!({"username": "drafter", "password": "not-the-password"}),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    app.get("/api/v1/search?q=ngh%E1%BB%8B%20%C4%91%E1%BB%8Bnh", None)
        .await
        .status_is(200);

    let (status, text) = scrape(&app, Some(TOKEN)).await;
    assert_eq!(status, StatusCode::OK);
    let ok =
        r#"vanban_http_requests_total{method="GET",route="/api/v1/documents/{id}",status="200"}"#;
    let missing =
        r#"vanban_http_requests_total{method="GET",route="/api/v1/documents/{id}",status="404"}"#;
    // The counters are the process's (the tests share it): they grow by at least ours.
    assert!(value(&text, ok) >= value(&before, ok) + 1.0, "{text}");
    assert!(value(&text, missing) >= value(&before, missing) + 1.0);
    assert!(
        value(&text, "vanban_login_failures_total")
            >= value(&before, "vanban_login_failures_total") + 1.0
    );
    assert!(
        value(&text, "vanban_search_duration_seconds_count")
            >= value(&before, "vanban_search_duration_seconds_count") + 1.0
    );
    assert!(text.contains("vanban_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/v1/documents/{id}\",le=\"0.005\"}"));
    assert!(text.contains("\nvanban_db_pool_max 4\n"), "{text}");
    assert!(text.contains("\nvanban_search_index_lag_entries "));
    // Paths with ids are not series of their own.
    assert!(!text.contains(&id));
}
both_backends!(metrics_need_their_token);
