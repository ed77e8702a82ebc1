use actix_web::http::StatusCode;

use crate::both_backends;
use crate::helpers::{Backend, TestApp};

const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/corpus/phapdien_articles.sample200.jsonl"
);

async fn corpus_import_is_idempotent_and_keeps_ids(b: Backend) {
    let app = TestApp::spawn(b).await;
    let path = std::path::Path::new(SAMPLE);
    let first = vanban::import::import_file(&app.db, path, false).expect("import");
    assert_eq!(first.records, 200);
    assert_eq!(first.provisions_added, 200);
    assert!(first.documents_added > 100);
    let again = vanban::import::import_file(&app.db, path, false).expect("import again");
    assert_eq!(again.documents_added, 0);
    assert_eq!(again.provisions_added, 0);
    assert_eq!(again.skipped, 200);

    // The first sample article: Luật Thanh niên, article 1, corpus id kept.
    let r = app.get("/api/v1/documents?q=57/2020/QH14", None).await;
    let docs = r.body["items"].as_array().unwrap();
    assert_eq!(docs.len(), 1, "{}", r.body);
    assert_eq!(docs[0]["kind"], "law");
    assert_eq!(docs[0]["issuer"]["name"], "Quốc hội");
    assert_eq!(docs[0]["external_id"], "57/2020/QH14");
    let id = docs[0]["id"].as_str().unwrap();
    let versions = app
        .get(&format!("/api/v1/documents/{id}/versions"), None)
        .await;
    let vid = versions.body[0]["id"].as_str().unwrap();
    let s = app
        .get(&format!("/api/v1/versions/{vid}/structure"), None)
        .await;
    assert_eq!(s.status, StatusCode::OK);
    let art = &s.body["provisions"][0];
    assert_eq!(art["path"], "dieu-1");
    assert_eq!(
        art["external_id"],
        "3600300000000000100000100000000000000000"
    );
}
both_backends!(corpus_import_is_idempotent_and_keeps_ids);
