//! What the page benchmarks share (`pages`, `staff_pages`): their arguments, the demo district
//! with the corpus imported behind the real server, a one-connection client (with the
//! cookies of a signed-in browser when asked), and the measure of one page type.

// Every bench compiles `common`; only the page benchmarks use this part of it.
#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use vanban::search::SearchIndex;

pub const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus");
pub const BROWSER: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
/// The demo accounts' password in the benchmarks.
pub const PASSWORD: &str = "bench-password-123";

pub struct Args {
    pub requests: usize,
    pub files: usize,
}

/// `--requests N` (default 1000) and `--files N` (how many of the corpus's four article
/// files to import; default 4, all of it).
pub fn args() -> Args {
    let mut a = Args {
        requests: 1000,
        files: 4,
    };
    let v: Vec<String> = std::env::args().collect();
    let mut i = 1;
    while i < v.len() {
        let next = v.get(i + 1).and_then(|s| s.parse().ok());
        match v[i].as_str() {
            "--requests" => a.requests = next.expect("--requests N"),
            "--files" => a.files = next.expect("--files N"),
            _ => {}
        }
        i += 1;
    }
    a
}

/// The demo district with `files` corpus files imported and indexed, served by the real app
/// (2 workers) on loopback: the temporary directory that holds it, and its base URL.
pub fn demo_server(files: usize) -> (tempfile::TempDir, String) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", tmp.path().join("vanban.db").display());
    let db = vanban::db::Db::connect(&url, 4).expect("db");
    db.migrate().expect("migrate");
    {
        let mut conn = db.get().expect("conn");
        vanban::db::write_transaction(&mut conn, |c| vanban::demo::load(c, PASSWORD))
            .expect("demo");
    }
    let t = Instant::now();
    for i in 0..files.min(4) {
        let f = Path::new(CORPUS).join(format!("phapdien_articles.part0{i}.jsonl.gz"));
        vanban::import::import_file(&db, &f, false).expect("import");
    }
    let index = Arc::new(SearchIndex::open(Some(&tmp.path().join("index"))).expect("index"));
    let n = index
        .rebuild(&mut db.get().expect("conn"), |_, _| {})
        .expect("rebuild");
    println!(
        "demo + {} corpus file(s): {n} documents indexed in {:.0} s",
        files.min(4),
        t.elapsed().as_secs_f64()
    );
    let mut settings = vanban::config::Settings::load(None).expect("settings");
    settings.database.url = String::new();
    settings.workflow.comments_per_minute = 0;
    let keys = vanban::auth::token::TokenKeys::new(b"bench-secret-bench-secret-bench-secret", 3600);
    let base = super::start_server(Arc::new(vanban::api::AppState::new(
        settings, db, keys, index,
    )));
    (tmp, base)
}

pub fn enc(s: &str) -> String {
    serde_urlencoded::to_string([("q", s)]).unwrap()
}

pub struct Client {
    pub sys: actix_web::rt::SystemRunner,
    pub client: awc::Client,
    pub base: String,
    /// The `Cookie` header of a signed-in browser.
    pub cookies: Option<String>,
    /// The `Authorization` header of an API client.
    pub auth: Option<String>,
}

impl Client {
    pub fn new(base: &str) -> Self {
        let sys = actix_web::rt::System::new();
        let client = sys.block_on(async {
            awc::Client::builder()
                .timeout(Duration::from_secs(120))
                .disable_redirects()
                .finish()
        });
        Client {
            sys,
            client,
            base: base.to_owned(),
            cookies: None,
            auth: None,
        }
    }

    /// One request: its status, body and time.
    pub fn get(&self, path: &str, accept: &str) -> (u16, Vec<u8>, Duration) {
        let url = format!("{}{path}", self.base);
        let t = Instant::now();
        let (status, body) = self.sys.block_on(async {
            let mut req = self.client.get(url).insert_header(("Accept", accept));
            if let Some(c) = &self.cookies {
                req = req.insert_header(("Cookie", c.clone()));
            }
            if let Some(a) = &self.auth {
                req = req.insert_header(("Authorization", a.clone()));
            }
            let mut r = req.send().await.expect("request");
            let body = r.body().limit(64 << 20).await.expect("body");
            (r.status().as_u16(), body.to_vec())
        });
        (status, body, t.elapsed())
    }

    /// Sends `Authorization: Bearer token` with every request (an API client).
    pub fn bearer(&mut self, token: &str) {
        self.auth = Some(format!("Bearer {token}"));
    }

    /// Signs in through the login page as a browser does (its form cookie and token, then
    /// the session cookie); later requests carry both cookies.
    pub fn sign_in(&mut self, username: &str) {
        let base = self.base.clone();
        let cookies = self.sys.block_on(async {
            let mut r = self
                .client
                .get(format!("{base}/dang-nhap"))
                .insert_header(("Accept", BROWSER))
                .send()
                .await
                .expect("login page");
            let form = set_cookie(r.headers(), vanban::web::csrf::COOKIE).expect("the form cookie");
            let html = String::from_utf8(r.body().await.expect("body").to_vec()).unwrap();
            let marker = "name=\"form_token\" value=\"";
            let at = html.find(marker).expect("a form token") + marker.len();
            let token = &html[at..at + html[at..].find('"').unwrap()];
            let body = serde_urlencoded::to_string([
                ("form_token", token),
                ("username", username),
                ("password", PASSWORD),
            ])
            .unwrap();
            let r = self
                .client
                .post(format!("{base}/dang-nhap"))
                .insert_header(("Cookie", format!("{}={form}", vanban::web::csrf::COOKIE)))
                .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
                .send_body(body)
                .await
                .expect("login");
            assert_eq!(r.status().as_u16(), 303, "the login of {username}");
            let session = set_cookie(r.headers(), vanban::web::staff::SESSION_COOKIE)
                .expect("a session cookie");
            format!(
                "{}={form}; {}={session}",
                vanban::web::csrf::COOKIE,
                vanban::web::staff::SESSION_COOKIE
            )
        });
        self.cookies = Some(cookies);
    }
}

/// The value of cookie `name` a response sets.
fn set_cookie(headers: &actix_web::http::header::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(actix_web::http::header::SET_COOKIE)
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next()?.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

pub struct Row {
    pub name: String,
    pub p50: f64,
    pub p99: f64,
    pub bytes: usize,
    pub errors: usize,
}

/// Asks `n` times for `path(i)` (after a few requests that warm the caches): the
/// percentiles of the client's time, the mean size and the answers that were not 2xx
/// (`expect_error` for a page type that is an error page).
pub fn measure(
    c: &Client,
    name: impl Into<String>,
    n: usize,
    accept: &str,
    expect_error: bool,
    mut path: impl FnMut(usize) -> String,
) -> Row {
    for i in 0..5 {
        c.get(&path(i), accept);
    }
    let mut times = Vec::with_capacity(n);
    let mut bytes = 0;
    let mut errors = 0;
    for i in 0..n {
        let (status, body, t) = c.get(&path(i), accept);
        if !(200..300).contains(&status) && !expect_error {
            errors += 1;
        }
        bytes += body.len();
        times.push(t);
    }
    times.sort();
    Row {
        name: name.into(),
        p50: percentile(&times, 0.5),
        p99: percentile(&times, 0.99),
        bytes: bytes / n.max(1),
        errors,
    }
}

/// The rows as a Markdown table.
pub fn print_rows(rows: &[Row], requests: usize) {
    println!(
        "\n| page ({requests} requests each) | p50 ms | p99 ms | HTML bytes (mean) | errors |"
    );
    println!("|---|---:|---:|---:|---:|");
    for row in rows {
        println!(
            "| {} | {:.2} | {:.2} | {} | {} |",
            row.name, row.p50, row.p99, row.bytes, row.errors
        );
    }
}

/// p50 and p99 of row `page` over row `api`.
pub fn ratio(rows: &[Row], page: &str, api: &str) -> (f64, f64) {
    let p = rows.iter().find(|x| x.name == page).unwrap();
    let j = rows.iter().find(|x| x.name == api).unwrap();
    (p.p50 / j.p50, p.p99 / j.p99)
}
