use actix_web::http::StatusCode;
use serde_json::json;

use crate::both_backends;
use crate::helpers::{Backend, TestApp};

fn verify(app: &TestApp) -> vanban::db::audit::Verification {
    let mut c = app.conn();
    vanban::db::audit::verify(&mut c, |_, _| {}).expect("verify runs")
}

async fn audit_log_records_and_detects_tampering(b: Backend) {
    let app = TestApp::spawn(b).await;
    let drafter = app.login("drafter").await;
    let legal = app.login("legal_officer").await;
    let doc = app.draft(&drafter, "Nhật ký").await;
    let id = doc["id"].as_str().unwrap();
    let path = format!("/api/v1/documents/{id}");
    let etag = app.get(&path, Some(&drafter)).await.etag();
    let u = app
        .patch(&path, &drafter, Some(&etag), json!({"title": "Nhật ký 2"}))
        .await;
    app.post_with_etag(
        &format!("{path}/withdraw"),
        &legal,
        &u.etag(),
        json!({"reason": "Sai thẩm quyền"}),
    )
    .await;

    let log = app
        .get(&format!("/api/v1/audit/document/{id}"), Some(&legal))
        .await;
    assert_eq!(log.status, StatusCode::OK, "{}", log.body);
    let entries = log.body.as_array().unwrap();
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["document.create", "document.update", "document.withdraw"]
    );
    assert_eq!(entries[0]["actor_name"], "drafter");
    assert_eq!(entries[1]["details"]["title"]["from"], "Nhật ký");
    assert_eq!(entries[1]["details"]["title"]["to"], "Nhật ký 2");
    assert_eq!(entries[2]["from_state"], "drafting");
    assert_eq!(entries[2]["to_state"], "withdrawn");
    assert_eq!(entries[2]["reason"], "Sai thẩm quyền");
    // Roles without audit access get 403.
    let viewer = app.login("viewer").await;
    app.get(&format!("/api/v1/audit/document/{id}"), Some(&viewer))
        .await
        .problem(403);

    let v = verify(&app);
    assert!(v.breaks.is_empty(), "{:?}", v.breaks);
    assert!(v.entries > 50);

    // An edited row is found.
    let seq = entries[1]["seq"].as_i64().unwrap();
    app.sql(&format!(
        "UPDATE audit_log SET reason = 'rewritten' WHERE seq = {seq}"
    ));
    let v = verify(&app);
    assert!(
        v.breaks
            .contains(&vanban::domain::audit::ChainBreak::Content { seq }),
        "{:?}",
        v.breaks
    );

    // A deleted row is found, and so is a deleted tail.
    app.sql(&format!(
        "UPDATE audit_log SET reason = NULL WHERE seq = {seq}"
    ));
    assert!(verify(&app).breaks.is_empty());
    app.sql(&format!("DELETE FROM audit_log WHERE seq = {}", seq - 1));
    assert!(verify(&app)
        .breaks
        .iter()
        .any(|b| matches!(b, vanban::domain::audit::ChainBreak::Gap { .. })));
    let app2 = TestApp::spawn(b).await;
    app2.sql("DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)");
    assert!(verify(&app2)
        .breaks
        .iter()
        .any(|b| matches!(b, vanban::domain::audit::ChainBreak::Head { .. })));
}
both_backends!(audit_log_records_and_detects_tampering);

async fn demo_load_is_idempotent(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut c = app.conn();
    let report =
        vanban::db::write_transaction(&mut c, |c| vanban::demo::load(c, crate::helpers::PASSWORD))
            .unwrap();
    assert_eq!(report.org_units_added, 0);
    assert_eq!(report.documents_added, 0);
    assert_eq!(report.accounts_added, 0);
    drop(c);
    let r = app.get("/api/v1/documents?limit=200", None).await;
    // 17 documents of the district and its plan, 34 sample VBQPPL (demo::review), 4 sample ISO documents (demo::iso).
    assert_eq!(r.body["items"].as_array().unwrap().len(), 55);
    let units = app
        .get("/api/v1/org-units", Some(&app.login("viewer").await))
        .await;
    let units = units.body.as_array().unwrap();
    assert_eq!(units.iter().filter(|u| u["kind"] == "agency").count(), 13);
    // The district's nine communes and the three that succeeded it on 1 July 2025.
    assert_eq!(units.iter().filter(|u| u["kind"] == "commune").count(), 12);
    assert_eq!(
        units
            .iter()
            .filter(|u| u["kind"] == "commune" && u["established_on"] == "2025-07-01")
            .count(),
        3
    );
    assert!(units
        .iter()
        .all(|u| u["level"] == "commune" || u["kind"] != "commune"));
    assert!(units
        .iter()
        .any(|u| u["code"] == "TP" && u["name"] == "Phòng Tư pháp"));
    // The plan's full text is there, with its structure.
    let plan = app.get("/api/v1/documents?kind=scheme", None).await.body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let versions = app
        .get(&format!("/api/v1/documents/{plan}/versions"), None)
        .await;
    let vid = versions.body[0]["id"].as_str().unwrap();
    let v = app.get(&format!("/api/v1/versions/{vid}"), None).await;
    // A sample draft is open for public comment at once.
    let open = app.get("/api/v1/public/consultations", None).await;
    assert!(open.body.as_array().unwrap().iter().any(|c| c["title"]
        .as_str()
        .unwrap()
        .contains("dữ liệu mẫu")
        && c["provision_paths"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("dieu-3/khoan-1/diem-a"))));
    assert!(v.body["body"]
        .as_str()
        .unwrap()
        .contains("34 văn bản quy phạm pháp luật"));
}
both_backends!(demo_load_is_idempotent);

/// Every migration goes up, down and up again on both backends, and the result still
/// serves the demo.
async fn migrations_go_up_down_up(b: Backend) {
    use diesel_migrations::MigrationHarness;
    let db = crate::helpers::TestDb::new(b);
    let mut conn = vanban::db::establish(&db.url).expect("connect");
    vanban::db::run_migrations(&mut conn).expect("up");
    let source = match b {
        Backend::Sqlite => vanban::db::SQLITE_MIGRATIONS,
        Backend::Postgres => vanban::db::POSTGRES_MIGRATIONS,
    };
    conn.revert_all_migrations(source).expect("down");
    vanban::db::run_migrations(&mut conn).expect("up again");
    vanban::db::write_transaction(&mut conn, |c| {
        vanban::demo::load(c, crate::helpers::PASSWORD)
    })
    .expect("demo loads");
}
both_backends!(migrations_go_up_down_up);
