use actix_web::http::{header, StatusCode};
use actix_web::test;

use crate::both_backends;
use crate::helpers::{Backend, TestApp};

async fn raw(
    app: &TestApp,
    token: &str,
    method: &str,
    path: &str,
    ct: &str,
    body: Vec<u8>,
) -> crate::helpers::Response {
    let req = match method {
        "POST" => test::TestRequest::post(),
        "PATCH" => test::TestRequest::patch(),
        _ => test::TestRequest::get(),
    };
    app.send(
        req.uri(path)
            .insert_header((header::AUTHORIZATION, format!("Bearer {token}")))
            .insert_header((header::CONTENT_TYPE, ct.to_owned()))
            .set_payload(body),
    )
    .await
}

async fn every_bad_body_gets_a_problem(b: Backend) {
    let app = TestApp::spawn(b).await;
    let drafter = app.login("drafter").await;
    let json = "application/json";
    let docs = "/api/v1/documents";
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        ("malformed JSON", b"{\"kind\": ".to_vec(), 400),
        ("not an object", b"\"a string\"".to_vec(), 422),
        (
            "wrong type",
            br#"{"kind": "decision", "title": 42}"#.to_vec(),
            422,
        ),
        (
            "unknown enum value",
            br#"{"kind": "memo", "title": "x"}"#.to_vec(),
            422,
        ),
        (
            "unknown field",
            br#"{"kind": "decision", "title": "x", "colour": "red"}"#.to_vec(),
            422,
        ),
        (
            "bad date",
            br#"{"kind": "decision", "title": "x", "signed_on": "2017-02-30"}"#.to_vec(),
            422,
        ),
        ("missing field", br#"{"kind": "decision"}"#.to_vec(), 422),
        (
            "empty title",
            br#"{"kind": "decision", "title": "   "}"#.to_vec(),
            422,
        ),
        (
            "bad number",
            br#"{"kind": "decision", "title": "x", "number": "Quyet dinh"}"#.to_vec(),
            422,
        ),
        (
            "invalid UTF-8",
            b"{\"kind\": \"decision\", \"title\": \"\xff\xfe\"}".to_vec(),
            400,
        ),
        (
            "control characters",
            b"{\"kind\": \"decision\", \"title\": \"a\\u0007b\"}".to_vec(),
            422,
        ),
    ];
    for (what, body, status) in cases {
        let r = raw(&app, &drafter, "POST", docs, json, body).await;
        assert_eq!(r.status.as_u16(), status, "{what}: {}", r.body);
        r.problem(status);
    }
    let wrong_type = raw(
        &app,
        &drafter,
        "POST",
        docs,
        json,
        br#"{"kind": "decision", "title": 42}"#.to_vec(),
    )
    .await;
    assert_eq!(wrong_type.body["errors"][0]["field"], "title");

    // Oversize (the test limit is 64 KiB), wrong content type.
    let big = format!(
        r#"{{"kind": "decision", "title": "{}"}}"#,
        "a".repeat(70 * 1024)
    );
    raw(&app, &drafter, "POST", docs, json, big.into_bytes())
        .await
        .problem(413);
    raw(&app, &drafter, "POST", docs, "text/plain", b"{}".to_vec())
        .await
        .problem(415);

    // Unknown routes and ids, wrong methods: problems too.
    app.get("/api/v1/nothing-here", Some(&drafter))
        .await
        .problem(404);
    app.get("/api/v1/documents/not-a-uuid", Some(&drafter))
        .await
        .problem(404);
    app.get(
        "/api/v1/documents/00000000-0000-0000-0000-000000000000",
        Some(&drafter),
    )
    .await
    .problem(404);
    let r = app
        .call(
            actix_web::http::Method::PUT,
            "/api/v1/documents",
            Some(&drafter),
            None,
        )
        .await;
    assert!(r.status.is_client_error());
    r.problem(r.status.as_u16());
    // A malformed Authorization header.
    let r = app
        .send(
            test::TestRequest::get()
                .uri("/api/v1/users")
                .insert_header((header::AUTHORIZATION, "Basic abc")),
        )
        .await;
    r.problem(401);
    assert_eq!(app.get("/healthz", None).await.status, StatusCode::OK);
    assert_eq!(app.get("/readyz", None).await.status, StatusCode::OK);
}
both_backends!(every_bad_body_gets_a_problem);

/// A NUL in a text filter is the client's error on both backends (PostgreSQL refuses
/// NUL in text, which used to surface as a 500).
async fn nul_in_text_filters_is_a_client_error(b: Backend) {
    let app = TestApp::spawn(b).await;
    let legal = app.login("legal_officer").await;
    for path in [
        "/api/v1/documents?q=%00",
        "/api/v1/documents?q=a%00b",
        "/api/v1/documents?field=%00",
        "/api/v1/documents?issuer=%00",
        "/api/v1/review-flags?issuer=%00",
        "/api/v1/self-inspections?issuer=%00",
    ] {
        let r = app.get(path, Some(&legal)).await;
        let status = r.status.as_u16();
        assert!(
            (200..500).contains(&status) && status != 500,
            "{path}: {status} {}",
            r.body
        );
        if status >= 400 {
            r.problem(status);
        }
    }
}
both_backends!(nul_in_text_filters_is_a_client_error);
