//! `vanban check`: a sound database passes; a corrupted file, a broken chain, an index out
//! of step and a dangling relation are each found; `--repair` rebuilds the index only.

use crate::both_backends;
use crate::helpers::{Backend, TestApp};
use crate::index_mirror::vanban;
use vanban::service::check;

/// The index folder of a check, rebuilt for the app's database.
fn fresh_index(app: &TestApp, dir: &std::path::Path) {
    let index = vanban::search::SearchIndex::open(Some(dir)).expect("open index");
    let mut conn = app.conn();
    index.rebuild(&mut conn, |_, _| {}).expect("rebuild");
    index.catch_up(&mut conn).expect("catch up");
}

async fn the_check_finds_each_kind_of_damage(b: Backend) {
    let app = TestApp::spawn(b).await;
    let dir = tempfile::tempdir().expect("dir");
    fresh_index(&app, dir.path());
    let mut conn = app.conn();
    let sound = check::check(&mut conn, dir.path(), |_| {}).expect("check");
    assert_eq!(sound.problems(), 0, "{sound:?}");
    assert!(sound.index_found && sound.index_documents > 50);

    // A change the index has not applied yet is pending, not a problem.
    let id = app.id_of("63/2010/NĐ-CP").await;
    let legal = app.login("legal_officer").await;
    let etag = app
        .get(&format!("/api/v1/documents/{id}"), Some(&legal))
        .await
        .etag();
    app.patch(
        &format!("/api/v1/documents/{id}"),
        &legal,
        Some(&etag),
        serde_json::json!({"field": "Tổ chức bộ máy"}),
    )
    .await
    .status_is(200);
    let r = check::check(&mut conn, dir.path(), |_| {}).expect("check");
    assert_eq!(r.problems(), 0, "{r:?}");
    assert_eq!(r.index_pending, 1);

    // Out of step behind the index's back; a dangling relation; a corrupted file.
    fresh_index(&app, dir.path());
    let other = app.id_of("130/2005/NĐ-CP").await;
    app.sql(&format!(
        "UPDATE documents SET row_version = row_version + 5 WHERE id = '{other}'"
    ));
    let byte = match b {
        Backend::Sqlite => "X'41'",
        Backend::Postgres => "decode('41', 'hex')",
    };
    app.sql(&format!("INSERT INTO blobs (sha256, content_type, size, data, created_at) VALUES ('00', 'text/plain', 1, {byte}, '2026-01-01 00:00:00')"));
    let r = check::check(&mut conn, dir.path(), |_| {}).expect("check");
    assert_eq!(r.index_stale, vec![other.clone()], "{r:?}");
    assert_eq!(r.corrupt_blobs, vec!["00".to_owned()]);
    assert_eq!(r.problems(), 2);
}
both_backends!(the_check_finds_each_kind_of_damage);

/// The command: exit status, report, and what `--repair` repairs.
#[actix_web::test]
async fn the_command_exits_non_zero_and_repairs_the_index() {
    let work = tempfile::tempdir().expect("dir");
    let db = format!("sqlite://{}", work.path().join("v.db").display());
    let index = work.path().join("index");
    let (ok, out) = vanban(work.path(), &db, &index, &["demo"]);
    assert!(ok, "{out}");
    // No index yet: a problem, repaired.
    let (ok, out) = vanban(work.path(), &db, &index, &["check"]);
    assert!(!ok, "{out}");
    assert!(out.contains("no search index"), "{out}");
    let (ok, out) = vanban(work.path(), &db, &index, &["check", "--repair"]);
    assert!(ok, "{out}");
    assert!(out.contains("repaired"), "{out}");
    let (ok, out) = vanban(work.path(), &db, &index, &["check"]);
    assert!(ok, "{out}");
    assert!(out.contains("0 problem(s)"), "{out}");

    // A dangling relation (foreign keys off, as a hand edit would have them): found, and
    // not something --repair touches.
    let path = work.path().join("v.db");
    let status = std::process::Command::new("python3")
        .arg("-c")
        .arg(format!(
            "import sqlite3; c = sqlite3.connect({:?}); c.execute(\"INSERT INTO relations (id, source_id, target_id, kind, scope, created_at) SELECT '00000000-0000-4000-8000-000000000001', id, '00000000-0000-4000-8000-00000000dead', 'guides', 'full', '2026-01-01 00:00:00' FROM documents LIMIT 1\"); c.commit()",
            path.display().to_string()
        ))
        .status()
        .expect("python3");
    assert!(status.success());
    let (ok, out) = vanban(work.path(), &db, &index, &["check", "--json"]);
    assert!(!ok);
    let report: serde_json::Value =
        serde_json::from_str(out.split("\nError").next().unwrap_or(&out)).unwrap_or_default();
    let dangling = report["orphans"]
        .as_array()
        .and_then(|o| {
            o.iter()
                .find(|p| p[0] == "relations to a missing document")
                .cloned()
        })
        .unwrap_or_default();
    assert_eq!(dangling[1], 1, "{out}");
    let (ok, out) = vanban(work.path(), &db, &index, &["check", "--repair"]);
    assert!(!ok, "{out}");
}
