use actix_web::http::StatusCode;
use serde_json::Value;

use crate::both_backends;
use crate::helpers::{Backend, TestApp};

/// Every `*_at` (and `at`) field in `v`, with its path.
fn timestamps<'a>(v: &'a Value, path: String, out: &mut Vec<(String, &'a str)>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                let p = format!("{path}.{k}");
                if let (true, Value::String(s)) = (k == "at" || k.ends_with("_at"), v) {
                    out.push((p.clone(), s));
                }
                timestamps(v, p, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                timestamps(v, format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// Timestamps are served as RFC 3339 in UTC (`...Z`), as the OpenAPI `date-time`
/// format says, on documents, versions, audit entries, users, ISO revisions and copies.
async fn timestamps_are_rfc3339_utc(b: Backend) {
    let app = TestApp::spawn(b).await;
    let admin = app.login("admin").await;
    let iso = app.login("iso_controller").await;
    let drafter = app.login("drafter").await;
    let doc = app.draft(&drafter, "Quyết định về giờ làm việc").await;
    let id = doc["id"].as_str().unwrap().to_owned();

    let mut paths = vec![
        (format!("/api/v1/documents/{id}"), admin.clone()),
        (format!("/api/v1/documents/{id}/versions"), admin.clone()),
        (format!("/api/v1/audit/document/{id}"), admin.clone()),
        ("/api/v1/documents?limit=50".into(), admin.clone()),
        ("/api/v1/users".into(), admin.clone()),
        ("/api/v1/auth/me".into(), admin.clone()),
        ("/api/v1/self-inspections".into(), admin.clone()),
        ("/api/v1/review-flags?state=all".into(), admin.clone()),
        ("/api/v1/iso/copies/outstanding".into(), iso.clone()),
    ];
    let isos = app.get("/api/v1/iso/documents", Some(&iso)).await;
    assert_eq!(isos.status, StatusCode::OK, "{}", isos.body);
    let iso_id = isos.body["items"][0]["id"]
        .as_str()
        .or_else(|| isos.body[0]["id"].as_str())
        .expect("an ISO document in the demo")
        .to_owned();
    for sub in ["", "/revisions", "/copies", "/acknowledgements"] {
        paths.push((format!("/api/v1/iso/documents/{iso_id}{sub}"), iso.clone()));
    }

    let mut seen = 0;
    for (path, token) in &paths {
        let r = app.get(path, Some(token)).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
        let mut found = vec![];
        timestamps(&r.body, String::new(), &mut found);
        for (field, value) in found {
            let parsed = chrono::DateTime::parse_from_rfc3339(value);
            assert!(
                parsed.is_ok() && value.ends_with('Z'),
                "{path} {field} = {value:?} is not RFC 3339 in UTC"
            );
            seen += 1;
        }
    }
    assert!(seen > 20, "only {seen} timestamps seen");
}
both_backends!(timestamps_are_rfc3339_utc);
