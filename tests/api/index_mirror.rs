//! An index folder knows which database it mirrors: `vanban reindex` refuses to rebuild one
//! that mirrors another database (unless `--force`), and `vanban serve` pointed at it
//! rebuilds it for its own database, so that no hit names a document it does not have.

use std::process::Command;
use std::time::Duration;

use crate::helpers::PASSWORD;
use crate::replicas::{free_port, serve, wait_ready};

/// `vanban --database-url DB ARGS` with the index folder `index`, run in `cwd`.
pub(crate) fn vanban(
    cwd: &std::path::Path,
    db: &str,
    index: &std::path::Path,
    args: &[&str],
) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vanban"))
        .current_dir(cwd)
        .arg("--database-url")
        .arg(db)
        .args(args)
        .env("VANBAN_DEMO_PASSWORD", PASSWORD)
        .env("VANBAN_SEARCH__INDEX_DIR", index)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run vanban");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[actix_web::test]
async fn an_index_serves_only_the_database_it_mirrors() {
    let t = tempfile::tempdir().expect("temp dir");
    let (a, b) = (
        format!("sqlite://{}", t.path().join("a.db").display()),
        format!("sqlite://{}", t.path().join("b.db").display()),
    );
    let index = t.path().join("index");
    for db in [&a, &b] {
        let (ok, out) = vanban(t.path(), db, &index, &["demo"]);
        assert!(ok, "demo: {out}");
    }
    let (ok, out) = vanban(t.path(), &a, &index, &["reindex"]);
    assert!(ok, "reindex of a: {out}");

    // Another database, the same folder: refused, with what to do.
    let (ok, out) = vanban(t.path(), &b, &index, &["reindex"]);
    assert!(!ok, "reindex of b into a's index succeeded: {out}");
    assert!(out.contains("mirrors another database"), "{out}");
    assert!(out.contains("--force"), "{out}");

    // Served on b, the folder is rebuilt for b: every hit opens.
    let port = free_port();
    let server = serve(&b, port, &index, false);
    let base = format!("http://127.0.0.1:{port}");
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(30))
        .finish();
    wait_ready(&client, &base).await;
    let mut r = client
        .get(format!(
            "{base}/api/v1/search?q=c%E1%BA%A3i+c%C3%A1ch+h%C3%A0nh+ch%C3%ADnh&granularity=document"
        ))
        .send()
        .await
        .expect("search");
    let hits: serde_json::Value = r.json().await.expect("hits");
    let hits = hits["hits"].as_array().expect("hits").clone();
    assert!(!hits.is_empty(), "b's documents are found");
    for h in &hits {
        let id = h["document_id"].as_str().unwrap();
        let d = client
            .get(format!("{base}/api/v1/documents/{id}"))
            .send()
            .await
            .expect("document");
        assert_eq!(d.status().as_u16(), 200, "a hit of another database: {id}");
    }
    drop(server);

    // The folder now mirrors b: b reindexes it, a is refused until --force.
    let (ok, out) = vanban(t.path(), &b, &index, &["reindex"]);
    assert!(ok, "reindex of b after serving b: {out}");
    let (ok, _) = vanban(t.path(), &a, &index, &["reindex"]);
    assert!(!ok);
    let (ok, out) = vanban(t.path(), &a, &index, &["reindex", "--force"]);
    assert!(ok, "reindex --force: {out}");
    let (ok, out) = vanban(t.path(), &a, &index, &["reindex"]);
    assert!(ok, "the forced folder mirrors a: {out}");
}

/// The value of `key=` in a log line of `out` that contains `line`.
fn logged(out: &str, line: &str, key: &str) -> i64 {
    let l = out
        .lines()
        .find(|l| l.contains(line))
        .unwrap_or_else(|| panic!("no '{line}' in {out}"));
    let at = l
        .find(&format!(" {key}="))
        .unwrap_or_else(|| panic!("no {key} in {l}"))
        + key.len()
        + 2;
    l[at..]
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{key} in {l}"))
}

#[test]
fn the_start_up_log_says_what_is_there() {
    let t = tempfile::tempdir().expect("temp dir");
    let db = format!("sqlite://{}", t.path().join("v.db").display());
    let index = t.path().join("index");
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_vanban"))
            .current_dir(t.path())
            .arg("--database-url")
            .arg(&db)
            .args(args)
            .env("VANBAN_DEMO_PASSWORD", PASSWORD)
            .env("VANBAN_SEARCH__INDEX_DIR", &index)
            .env("RUST_LOG", "info")
            .output()
            .expect("run vanban");
        // Not a terminal: the log is plain text.
        let text = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(
            !text.contains('\u{1b}'),
            "colour codes in a log that is not a terminal"
        );
        (out.status.success(), text)
    };
    let (ok, first) = run(&["demo"]);
    assert!(ok, "{first}");
    let (ok, again) = run(&["demo"]);
    assert!(ok, "{again}");
    let docs = logged(&first, "demo district loaded", "documents");
    assert!(docs > 0);
    assert_eq!(
        logged(&first, "demo district loaded", "added_documents"),
        docs
    );
    assert_eq!(logged(&again, "demo district loaded", "documents"), docs);
    assert_eq!(logged(&again, "demo district loaded", "added_documents"), 0);
    assert_eq!(
        logged(&again, "demo district loaded", "accounts"),
        logged(&first, "demo district loaded", "accounts")
    );
}
