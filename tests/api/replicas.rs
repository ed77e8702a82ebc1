//! Several `vanban serve` processes on one PostgreSQL each keep their own search index
//! current: a document written through one is found through the other.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::{Backend, TestDb, PASSWORD};

pub struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

pub fn serve(db: &str, port: u16, index: &std::path::Path, demo: bool) -> Server {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vanban"));
    cmd.args([
        "--database-url",
        db,
        "serve",
        "--listen",
        &format!("127.0.0.1:{port}"),
    ])
    .env(
        "VANBAN_JWT_SECRET",
        "replica-test-secret-replica-test-secret",
    )
    .env("VANBAN_DEMO_PASSWORD", PASSWORD)
    .env("VANBAN_SEARCH__INDEX_DIR", index)
    .env("VANBAN_SEARCH__FOLLOW_INTERVAL_MS", "100")
    .env("VANBAN_SERVER__WORKERS", "1")
    .env("RUST_LOG", "warn")
    .stdout(Stdio::null())
    .stderr(Stdio::null());
    if demo {
        cmd.arg("--demo");
    }
    Server(cmd.spawn().expect("start vanban serve"))
}

pub async fn wait_ready(client: &awc::Client, base: &str) {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        if let Ok(r) = client.get(format!("{base}/readyz")).send().await {
            if r.status().is_success() {
                return;
            }
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{base} did not become ready");
}

#[actix_web::test]
async fn two_replicas_share_one_postgresql() {
    let db = TestDb::new(Backend::Postgres);
    let dirs = tempfile::tempdir().expect("temp dir");
    let (p1, p2) = (free_port(), free_port());
    let _a = serve(&db.url, p1, &dirs.path().join("a"), true);
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(30))
        .finish();
    let (a, b) = (
        format!("http://127.0.0.1:{p1}"),
        format!("http://127.0.0.1:{p2}"),
    );
    wait_ready(&client, &a).await;
    let _b = serve(&db.url, p2, &dirs.path().join("b"), false);
    wait_ready(&client, &b).await;

    let mut r = client
        .post(format!("{a}/api/v1/auth/login"))
        .send_json(&serde_json::json!({"username": "legal_officer", "password": PASSWORD}))
        .await
        .expect("login");
    let token: serde_json::Value = r.json().await.expect("json");
    let token = token["access_token"].as_str().expect("token").to_owned();
    let mut r = client
        .post(format!("{a}/api/v1/documents"))
        .insert_header(("authorization", format!("Bearer {token}")))
        .send_json(&serde_json::json!({"kind": "decision", "number": "77/2016/QĐ-UBND", "title": "Quyết định về quản lý zyxwvutsr", "issuer": "UBND", "external": true}))
        .await
        .expect("create");
    assert_eq!(r.status().as_u16(), 201, "{:?}", r.body().await);

    // Found through the other process, within a second or so of the commit.
    let started = Instant::now();
    loop {
        let mut r = client
            .get(format!(
                "{b}/api/v1/search?q=zyxwvutsr&granularity=document"
            ))
            .send()
            .await
            .expect("search");
        let v: serde_json::Value = r.json().await.expect("json");
        if v["total"].as_u64() == Some(1) {
            assert_eq!(v["hits"][0]["number"], "77/2016/QĐ-UBND");
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "not found through the second replica: {v}"
        );
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
}
