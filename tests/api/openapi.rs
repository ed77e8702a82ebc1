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
