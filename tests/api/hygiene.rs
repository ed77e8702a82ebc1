//! Input hygiene: text from outside is stored clean, served as written in JSON, shown as
//! text in files (no spreadsheet formulas), and every refusal is a problem.

use actix_web::http::{header, StatusCode};
use actix_web::test;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{Backend, Options, Response, TestApp};

fn no_comment_limit() -> Options {
    Options {
        demo: true,
        tweak: |s| s.workflow.comments_per_minute = 0,
    }
}

fn s(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("a string: {v}"))
        .to_owned()
}

/// The demo's consultation, open for comment: its id and the provisions it names.
async fn open_consultation(app: &TestApp) -> (String, Vec<String>) {
    let open = app.get("/api/v1/public/consultations", None).await;
    let c = &open.body[0];
    let paths = c["provision_paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(s)
        .collect();
    (s(&c["id"]), paths)
}

async fn comment(app: &TestApp, consultation: &str, key: Option<&str>, body: Value) -> Response {
    let mut req = test::TestRequest::post()
        .uri(&format!(
            "/api/v1/public/consultations/{consultation}/comments"
        ))
        .set_json(body);
    if let Some(k) = key {
        req = req.insert_header(("idempotency-key", k.to_owned()));
    }
    app.send(req).await
}

/// The cells of a CSV export (after its byte-order mark), header first.
fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(bytes).unwrap();
    let text = text.strip_prefix('\u{feff}').expect("a byte-order mark");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

const MARKUP: &str = "<b>&\"'";

/// Comment text comes back byte for byte in every JSON that carries it, shows as text in
/// the PDF, and cannot run as a formula in the CSV; numbers in CSV stay numbers.
async fn comment_text_is_raw_in_json_and_inert_in_files(b: Backend) {
    let app = TestApp::spawn_with(b, no_comment_limit()).await;
    let legal = app.login("legal_officer").await;
    let (cid, _) = open_consultation(&app).await;
    let name = format!("@Nguyễn Văn A {MARKUP}");
    let organisation = format!("+84 UBND xã {MARKUP}");
    let body = format!("=HYPERLINK(\"http://evil.example\",\"x\") {MARKUP}");
    let response = format!("-1+2 Đã tiếp thu {MARKUP}");
    let r = comment(
        &app,
        &cid,
        None,
        json!({"name": name, "organisation": organisation, "body": body}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let raw = |c: &Value| {
        assert_eq!(s(&c["author_name"]), name, "{c}");
        assert_eq!(s(&c["organisation"]), organisation, "{c}");
        assert_eq!(s(&c["body"]), body, "{c}");
    };
    raw(&r.body);
    let code = s(&r.body["tracking_code"]);
    raw(&app
        .get(&format!("/api/v1/public/comments/{code}"), None)
        .await
        .body);
    let list = app
        .get(
            &format!("/api/v1/consultations/{cid}/comments"),
            Some(&legal),
        )
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let mine = list
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["tracking_code"] == code.as_str())
        .unwrap()
        .clone();
    raw(&mine);
    let id = s(&mine["id"]);
    let r = app
        .post(
            &format!("/api/v1/comments/{id}/moderation"),
            Some(&legal),
            json!({"action": "publish"}),
        )
        .await;
    raw(&r.body);
    let r = app
        .post(
            &format!("/api/v1/comments/{id}/disposition"),
            Some(&legal),
            json!({"disposition": "accepted", "response": response}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    raw(&r.body);
    assert_eq!(s(&r.body["response"]), response);
    let status = app
        .get(&format!("/api/v1/public/comments/{code}"), None)
        .await;
    assert_eq!(s(&status.body["response"]), response);

    // The consolidated report: JSON as written.
    let rep = app
        .get(&format!("/api/v1/consultations/{cid}/report"), Some(&legal))
        .await;
    assert_eq!(rep.status, StatusCode::OK, "{}", rep.body);
    let in_report = rep.body["articles"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|a| a["comments"].as_array().unwrap().iter())
        .find(|c| c["tracking_code"] == code.as_str())
        .unwrap()
        .clone();
    raw(&in_report);
    assert_eq!(s(&in_report["response"]), response);

    // CSV: every formula starts with a quote, nothing else changes.
    let csv = app
        .get(
            &format!("/api/v1/consultations/{cid}/report?format=csv"),
            Some(&legal),
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    let rows = csv_rows(&csv.bytes);
    let col = |n: &str| rows[0].iter().position(|h| h == n).unwrap();
    let row = rows
        .iter()
        .find(|r| r[col("tracking_code")] == code)
        .unwrap();
    assert_eq!(row[col("author")], format!("'{name}"));
    assert_eq!(row[col("organisation")], format!("'{organisation}"));
    assert_eq!(row[col("comment")], format!("'{body}"));
    assert_eq!(row[col("response")], format!("'{response}"));
    assert_eq!(row[col("status")], "published");
    for r in &rows {
        for cell in r {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{cell:?} in {r:?}"
            );
        }
    }

    // PDF: the text as written (it is not HTML: nothing to escape, nothing escaped).
    let pdf = app
        .get(
            &format!("/api/v1/consultations/{cid}/report?format=pdf"),
            Some(&legal),
        )
        .await;
    assert_eq!(pdf.status, StatusCode::OK);
    let text = crate::copies::pdftotext(&pdf.bytes);
    assert!(text.contains(MARKUP), "{MARKUP} in:\n{text}");
    assert!(!text.contains("&lt;") && !text.contains("&amp;"), "{text}");
}
both_backends!(comment_text_is_raw_in_json_and_inert_in_files);

/// Another export through the same writer: an org unit named like a formula, in the ISO
/// compliance report; its counts stay numbers.
async fn every_csv_export_neutralises_formulas(b: Backend) {
    let app = TestApp::spawn(b).await;
    let admin = app.login("admin").await;
    let units = app.get("/api/v1/org-units", Some(&admin)).await;
    let vp = units
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["code"] == "VP")
        .unwrap()
        .clone();
    let path = format!("/api/v1/org-units/{}", s(&vp["id"]));
    let etag = app.get(&path, Some(&admin)).await.etag();
    let evil = "=cmd|' /C calc'!A0";
    let r = app
        .patch(&path, &admin, Some(&etag), json!({"name": evil}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["name"], evil);
    let viewer = app.login("viewer").await;
    let csv = app
        .get("/api/v1/iso/compliance?owner=VP&format=csv", Some(&viewer))
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    let rows = csv_rows(&csv.bytes);
    assert_eq!(
        rows[0],
        [
            "owner_code",
            "owner_name",
            "measure",
            "value",
            "clause",
            "requirement",
            "requirement_vi"
        ]
    );
    assert!(rows.len() > 1);
    for r in &rows[1..] {
        assert_eq!(r[1], format!("'{evil}"));
        assert!(r[3].parse::<i64>().is_ok(), "{r:?}");
    }
}
both_backends!(every_csv_export_neutralises_formulas);

/// The same key with the same request (whatever its spacing or key order) returns the
/// first comment; the same key with any field changed is a 409.
async fn idempotency_key_covers_the_whole_request(b: Backend) {
    let app = TestApp::spawn_with(b, no_comment_limit()).await;
    let (cid, paths) = open_consultation(&app).await;
    let first = json!({"name": "Lê Văn C", "email": "c@example.vn", "body": "Đề nghị làm rõ."});
    let r = comment(&app, &cid, Some("k-1"), first.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let code = s(&r.body["tracking_code"]);
    let same = |r: &Response| {
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(s(&r.body["tracking_code"]), code);
    };
    same(&comment(&app, &cid, Some("k-1"), first.clone()).await);
    // The same request written differently.
    let reordered = app
        .send(
            test::TestRequest::post()
                .uri(&format!("/api/v1/public/consultations/{cid}/comments"))
                .insert_header(("idempotency-key", "k-1"))
                .insert_header((header::CONTENT_TYPE, "application/json"))
                .set_payload(
                    r#"{ "body":"Đề nghị làm rõ.",  "email":"c@example.vn", "name":"Lê Văn C" }"#,
                ),
        )
        .await;
    same(&reordered);
    let changed = |field: &str, value: Value| {
        let mut v = first.clone();
        v[field] = value;
        v
    };
    for (what, body) in [
        ("name", changed("name", json!("Lê Văn D"))),
        ("email", changed("email", json!("d@example.vn"))),
        ("no email", {
            let mut v = first.clone();
            v.as_object_mut().unwrap().remove("email");
            v
        }),
        ("organisation", changed("organisation", json!("UBND xã"))),
        ("provision", changed("provision_path", json!(paths[0]))),
        ("body", changed("body", json!("Khác."))),
    ] {
        let r = comment(&app, &cid, Some("k-1"), body).await;
        assert_eq!(r.problem(409)["guard"], "idempotency_key_reused", "{what}");
    }
    same(&comment(&app, &cid, Some("k-1"), first.clone()).await);
    // Only one comment was taken.
    let n = app
        .get(&format!("/api/v1/public/comments/{code}"), None)
        .await;
    assert_eq!(n.status, StatusCode::OK);

    // A comment taken before fingerprints were stored is compared field by field.
    app.sql("UPDATE comments SET request_fingerprint = NULL");
    same(&comment(&app, &cid, Some("k-1"), first.clone()).await);
    let r = comment(&app, &cid, Some("k-1"), changed("name", json!("Lê Văn D"))).await;
    assert_eq!(r.problem(409)["guard"], "idempotency_key_reused");
}
both_backends!(idempotency_key_covers_the_whole_request);

#[track_caller]
fn invalid_field(r: &Response, field: &str) {
    let p = r.problem(422);
    assert_eq!(p["errors"][0]["field"], field, "{p}");
}

/// Text without a visible character is refused naming the field; bidirectional controls
/// are removed from what is stored.
async fn invisible_text_is_refused_and_bidi_controls_removed(b: Backend) {
    let app = TestApp::spawn_with(b, no_comment_limit()).await;
    let (cid, _) = open_consultation(&app).await;
    for name in [
        "\u{200b}",
        "\u{200b}\u{200c}\u{200d}\u{2060}\u{feff}",
        "\u{202e}",
        " \u{3164} ",
    ] {
        let r = comment(&app, &cid, None, json!({"name": name, "body": "Góp ý."})).await;
        invalid_field(&r, "name");
        let r = comment(&app, &cid, None, json!({"name": "Lê Văn C", "body": name})).await;
        invalid_field(&r, "body");
    }
    let r = comment(
        &app,
        &cid,
        None,
        json!({"name": "Nguyễn\u{202e} Văn A\u{202c}", "body": "Góp ý \u{2066}Điều 1\u{2069} \u{200f}", "organisation": "\u{202d}UBND"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let stored = app
        .get(
            &format!("/api/v1/public/comments/{}", s(&r.body["tracking_code"])),
            None,
        )
        .await;
    assert_eq!(stored.body["author_name"], "Nguyễn Văn A");
    assert_eq!(stored.body["body"], "Góp ý Điều 1");
    assert_eq!(stored.body["organisation"], "UBND");

    let drafter = app.login("drafter").await;
    for title in ["\u{200b}", "\u{2067}\u{2069}", "\u{feff} \u{2060}"] {
        let r = app
            .post(
                "/api/v1/documents",
                Some(&drafter),
                json!({"kind": "decision", "title": title, "issuer": "UBND"}),
            )
            .await;
        invalid_field(&r, "title");
    }
    let r = app
        .post(
            "/api/v1/documents",
            Some(&drafter),
            json!({"kind": "decision", "issuer": "UBND", "title": "Quyết định \u{202e}về việc\u{202c} ban hành quy chế"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["title"], "Quyết định về việc ban hành quy chế");
    // A version's text too.
    let v = app
        .post(
            &format!("/api/v1/documents/{}/versions", s(&r.body["id"])),
            Some(&drafter),
            json!({"body": "Điều 1. Phạm vi\u{202e} điều chỉnh\nQuy chế này\u{2066} áp dụng.\u{2069}"}),
        )
        .await;
    assert_eq!(v.status, StatusCode::CREATED, "{}", v.body);
    let got = app
        .get(
            &format!("/api/v1/versions/{}", s(&v.body["id"])),
            Some(&drafter),
        )
        .await;
    assert_eq!(
        got.body["body"],
        "Điều 1. Phạm vi điều chỉnh\nQuy chế này áp dụng."
    );
}
both_backends!(invisible_text_is_refused_and_bidi_controls_removed);

async fn post_raw(app: &TestApp, token: &str, path: &str, body: &str) -> Response {
    app.send(
        test::TestRequest::post()
            .uri(path)
            .insert_header((header::AUTHORIZATION, format!("Bearer {token}")))
            .insert_header((header::CONTENT_TYPE, "application/json"))
            .set_payload(body.to_owned()),
    )
    .await
}

/// Well-formed JSON of the wrong type is a 422 naming the field, broken JSON a 400; a
/// request target that is too long is a 414; all of them problems.
async fn type_errors_name_the_field_and_every_refusal_is_a_problem(b: Backend) {
    let app = TestApp::spawn(b).await;
    let drafter = app.login("drafter").await;
    let docs = "/api/v1/documents";
    for (body, field) in [
        (r#"{"kind":1}"#, "kind"),
        (r#"{"kind":true,"title":"x"}"#, "kind"),
        (r#"{"kind":[1],"title":"x"}"#, "kind"),
        (r#"{"kind":null,"title":"x"}"#, "kind"),
        (
            r#"{"kind":"decision","title":"x","external":"yes"}"#,
            "external",
        ),
        (
            r#"{"kind":"decision","title":"x","signed_on":5}"#,
            "signed_on",
        ),
    ] {
        let r = post_raw(&app, &drafter, docs, body).await;
        invalid_field(&r, field);
    }
    for body in [r#"{"kind":1"#, r#"{"kind":"#, "", "{\"kind\":1}}"] {
        post_raw(&app, &drafter, docs, body).await.problem(400);
    }
    // The same rule for a JSON version.
    let doc = app.draft(&drafter, "Dự thảo").await;
    let r = post_raw(
        &app,
        &drafter,
        &format!("/api/v1/documents/{}/versions", s(&doc["id"])),
        r#"{"body":["Điều 1."]}"#,
    )
    .await;
    invalid_field(&r, "body");
    // And a public comment.
    let (cid, _) = open_consultation(&app).await;
    let r = app
        .send(
            test::TestRequest::post()
                .uri(&format!("/api/v1/public/consultations/{cid}/comments"))
                .insert_header((header::CONTENT_TYPE, "application/json"))
                .set_payload(r#"{"name":"A","body":7}"#),
        )
        .await;
    invalid_field(&r, "body");

    // Query strings that do not parse are a 400 problem.
    app.get("/api/v1/search?q=a&limit=abc", None)
        .await
        .problem(400);
    app.get("/api/v1/documents?limit=-1x", Some(&drafter))
        .await
        .problem(400);
    // A request target beyond the limit is a 414 problem, before any extractor runs.
    let long = "a".repeat(16 * 1024);
    let r = app.get(&format!("/api/v1/search?q={long}"), None).await;
    let p = r.problem(414);
    assert_eq!(p["type"], "/problems/uri-too-long");
    assert!(r.header("x-request-id").is_some());
    let r = app
        .get(&format!("/api/v1/search?q={}", "b".repeat(60 * 1024)), None)
        .await;
    r.problem(414);
    let r = app
        .get(&format!("/api/v1/nothing/{}", "c".repeat(20 * 1024)), None)
        .await;
    r.problem(414);
}
both_backends!(type_errors_name_the_field_and_every_refusal_is_a_problem);
