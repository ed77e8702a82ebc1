use actix_web::http::StatusCode;

use crate::helpers::{Backend, TestApp};

/// The served document, the committed `schemas/openapi.json` and the code agree.
/// Regenerate with `cargo run -- openapi > schemas/openapi.json`.
#[actix_web::test]
async fn openapi_document_matches_the_committed_file() {
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        crate::helpers::Options {
            demo: false,
            tweak: |_| {},
        },
    )
    .await;
    let served = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(served.status, StatusCode::OK);
    let committed: serde_json::Value =
        serde_json::from_str(include_str!("../../schemas/openapi.json"))
            .expect("schemas/openapi.json is JSON");
    assert!(
        served.body == committed,
        "schemas/openapi.json is stale: run `cargo run -- openapi > schemas/openapi.json`"
    );
    let paths = committed["paths"].as_object().expect("paths");
    for p in [
        "/api/v1/auth/login",
        "/api/v1/documents",
        "/api/v1/documents/{id}",
        "/api/v1/documents/{id}/versions",
        "/api/v1/versions/{id}/file",
        "/api/v1/versions/{id}/structure",
        "/api/v1/documents/{id}/relations",
        "/api/v1/documents/{id}/effect",
        "/api/v1/audit/{entity_type}/{entity_id}",
        "/api/v1/users",
        "/api/v1/org-units",
        "/api/v1/openapi.json",
        "/api/v1/self-inspections",
        "/api/v1/documents/{id}/self-inspection",
        "/api/v1/review-flags",
        "/api/v1/review-campaigns",
        "/api/v1/review-campaigns/{id}/progress",
        "/api/v1/review-items/{id}/result",
        "/api/v1/systematization",
        "/api/v1/iso/documents/{id}",
        "/api/v1/iso/revisions/{id}/issue",
        "/api/v1/iso/compliance",
        "/healthz",
        "/readyz",
    ] {
        assert!(paths.contains_key(p), "{p} is documented");
    }
    let schemas = committed["components"]["schemas"]
        .as_object()
        .expect("schemas");
    for s in [
        "Problem",
        "DocumentKind",
        "RelationKind",
        "LegalEffect",
        "Role",
        "DocumentResponse",
        "RevisionState",
        "IsoRevisionResponse",
        "ComplianceReport",
    ] {
        assert!(schemas.contains_key(s), "{s} is documented");
    }
}

/// Every `$ref` in `v`.
fn refs<'a>(v: &'a serde_json::Value, out: &mut Vec<&'a str>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                match (k.as_str(), v) {
                    ("$ref", serde_json::Value::String(s)) => out.push(s),
                    _ => refs(v, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

/// The document tells the truth about errors: each one is declared as
/// `application/problem+json`, and each route declares the statuses its kind can answer
/// (the shared sets of `api::responses`); every reference resolves.
#[test]
fn errors_are_declared_as_problem_json_on_every_route() {
    let doc: serde_json::Value = serde_json::from_str(include_str!("../../schemas/openapi.json"))
        .expect("schemas/openapi.json is JSON");
    let mut all_refs = vec![];
    refs(&doc, &mut all_refs);
    for r in all_refs {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("unexpected reference {r}"));
        assert!(
            doc["components"]["schemas"].get(name).is_some(),
            "{r} does not resolve"
        );
    }
    let mut operations = 0;
    for (path, ops) in doc["paths"].as_object().expect("paths") {
        for (method, op) in ops.as_object().expect("operations") {
            operations += 1;
            let route = format!("{method} {path}");
            let responses = op["responses"].as_object().expect("responses");
            let has = |s: &str| responses.contains_key(s);
            for (status, response) in responses {
                if status.starts_with('4') || status.starts_with('5') {
                    let content = response["content"].as_object();
                    // A route that answers a browser with a page may say so of its errors too.
                    let answers_html = op["responses"]["200"]["content"].get("text/html").is_some();
                    let expected = if answers_html && response["content"].get("text/html").is_some()
                    {
                        vec!["application/problem+json", "text/html"]
                    } else {
                        vec!["application/problem+json"]
                    };
                    assert_eq!(
                        content.map(|c| c.keys().map(String::as_str).collect::<Vec<_>>()),
                        Some(expected),
                        "{route} {status}"
                    );
                    assert_eq!(
                        response["content"]["application/problem+json"]["schema"]["$ref"],
                        "#/components/schemas/Problem",
                        "{route} {status}"
                    );
                }
            }
            // The document itself reads nothing and cannot fail.
            if path.starts_with("/api/v1/") && path != "/api/v1/openapi.json" {
                for s in ["400", "404", "422", "503"] {
                    assert!(has(s), "{route} declares {s}");
                }
                // A token is optional only where the security list holds `{}`.
                let public = op["security"].as_array().is_none_or(|s| {
                    s.iter()
                        .any(|r| r.as_object().is_some_and(|o| o.is_empty()))
                });
                for s in ["401", "403"] {
                    assert!(public || has(s), "{route} needs a token: declares {s}");
                }
                if op.get("requestBody").is_some() {
                    for s in ["413", "415"] {
                        assert!(has(s), "{route} takes a body: declares {s}");
                    }
                }
                let if_match = op["parameters"].as_array().is_some_and(|ps| {
                    ps.iter()
                        .any(|p| p["in"] == "header" && p["name"] == "If-Match")
                });
                for s in ["412", "428"] {
                    assert!(!if_match || has(s), "{route} takes If-Match: declares {s}");
                }
            }
        }
    }
    assert!(operations > 90, "{operations} operations");
    let report = &doc["paths"]["/api/v1/reports/activity"]["get"]["responses"]["200"]["content"];
    for ct in ["application/json", "text/csv", "application/pdf"] {
        assert!(
            report.get(ct).is_some(),
            "the activity report is served as {ct}"
        );
    }
}
