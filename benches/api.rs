//! The API against its floor: the real server over HTTP with a concurrent load
//! generator, beside the same operation done directly on the database, on SQLite and
//! on PostgreSQL, in one run.
//!
//! cargo bench --bench api [-- --seconds 5 --concurrency 16 --backend both]
//!
//! Operations: GET /documents/{id}; the filtered list of 50; POST of a new version with
//! 20 KB of text. The floor is the same use case called on a pooled connection from
//! as many threads as the load generator has connections.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use vanban::api::AppState;
use vanban::auth::token::TokenKeys;
use vanban::config::Settings;
use vanban::db::{self, Db};
use vanban::service::Caller;

const PASSWORD: &str = "bench-password-123";

struct Args {
    seconds: u64,
    concurrency: usize,
    backends: Vec<&'static str>,
    documents: usize,
}

fn args() -> Args {
    let mut a = Args {
        seconds: 5,
        concurrency: 16,
        backends: vec!["sqlite", "postgres"],
        documents: 2000,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--seconds" => a.seconds = it.next().and_then(|v| v.parse().ok()).unwrap_or(a.seconds),
            "--concurrency" => {
                a.concurrency = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(a.concurrency)
            }
            "--documents" => {
                a.documents = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(a.documents)
            }
            "--backend" => {
                a.backends = match it.next().as_deref() {
                    Some("sqlite") => vec!["sqlite"],
                    Some("postgres") => vec!["postgres"],
                    _ => vec!["sqlite", "postgres"],
                }
            }
            _ => {} // cargo bench passes --bench
        }
    }
    a
}

struct Stats {
    count: usize,
    errors: usize,
    elapsed: Duration,
    lat: Vec<Duration>,
}

impl Stats {
    fn rps(&self) -> f64 {
        self.count as f64 / self.elapsed.as_secs_f64()
    }
    fn pct(&self, p: f64) -> f64 {
        if self.lat.is_empty() {
            return f64::NAN;
        }
        let i = ((self.lat.len() as f64 - 1.0) * p).round() as usize;
        self.lat[i].as_secs_f64() * 1000.0
    }
}

fn finish(mut lat: Vec<Duration>, errors: usize, elapsed: Duration) -> Stats {
    lat.sort();
    Stats {
        count: lat.len(),
        errors,
        elapsed,
        lat,
    }
}

fn body_20kb() -> String {
    let mut s = String::from(
        "QUYẾT ĐỊNH\nCăn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;\n",
    );
    let mut n = 1;
    while s.len() < 20 * 1024 {
        s.push_str(&format!(
            "Điều {n}. Trách nhiệm của cơ quan, đơn vị\n1. Thực hiện cơ chế một cửa, một cửa liên thông trong giải quyết thủ tục hành chính.\na) Niêm yết công khai thủ tục hành chính tại trụ sở;\nb) Tiếp nhận và trả kết quả đúng hẹn.\n2. Báo cáo định kỳ về tình hình cải cách hành chính.\n"
        ));
        n += 1;
    }
    s
}

struct Fixture {
    db: Db,
    caller: Caller,
    ids: Vec<String>,
    _scratch: common::scratch::ScratchDb,
}

fn fixture(backend: &str, documents: usize) -> Fixture {
    let scratch = common::scratch::ScratchDb::new(backend, "api");
    let url = scratch.url.clone();
    let db = Db::connect(&url, 16).expect("connect");
    db.migrate().expect("migrate");
    let mut conn = db.get().expect("conn");
    db::write_transaction(&mut conn, |c| vanban::demo::load(c, PASSWORD)).expect("demo");
    let user = db::users::by_username(&mut conn, "legal_officer")
        .expect("q")
        .expect("user");
    let caller = Caller {
        user_id: user.id.clone(),
        username: user.username.clone(),
        role: vanban::domain::kinds::Role::LegalOfficer,
        org_unit_id: user.org_unit_id.clone(),
        org_chain: vec![],
        unit_abolished_on: None,
    };
    let mut ids = vec![];
    for chunk in 0..documents.div_ceil(200) {
        let batch: Vec<String> = db::write_transaction(&mut conn, |c| {
            (0..200)
                .filter(|i| chunk * 200 + i < documents)
                .map(|i| {
                    let req = vanban::service::documents::CreateDocumentRequest::draft(
                        if i % 2 == 0 {
                            vanban::domain::kinds::DocumentKind::Decision
                        } else {
                            vanban::domain::kinds::DocumentKind::Resolution
                        },
                        format!("Quyết định về cải cách hành chính số {}", chunk * 200 + i),
                        Some("UBND".into()),
                        Some("Cải cách hành chính".into()),
                    );
                    vanban::service::documents::create(c, &caller, &req).map(|d| d.id)
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .expect("seed documents");
        ids.extend(batch);
    }
    drop(conn);
    Fixture {
        db,
        caller,
        ids,
        _scratch: scratch,
    }
}

/// Runs `op` from `threads` threads for `secs`; each call gets a counter value.
fn floor(threads: usize, secs: u64, op: impl Fn(usize) -> bool + Sync) -> Stats {
    let counter = AtomicUsize::new(0);
    let deadline = Instant::now() + Duration::from_secs(secs);
    let started = Instant::now();
    let results: Vec<(Vec<Duration>, usize)> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut lat = vec![];
                    let mut errors = 0;
                    while Instant::now() < deadline {
                        let n = counter.fetch_add(1, Ordering::Relaxed);
                        let t = Instant::now();
                        if op(n) {
                            lat.push(t.elapsed());
                        } else {
                            errors += 1;
                        }
                    }
                    (lat, errors)
                })
            })
            .collect();
        hs.into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    let elapsed = started.elapsed();
    let errors = results.iter().map(|r| r.1).sum();
    finish(
        results.into_iter().flat_map(|r| r.0).collect(),
        errors,
        elapsed,
    )
}

#[derive(Clone, Copy)]
enum Op {
    Get,
    List,
    PostVersion,
}

async fn http_load(
    base: String,
    token: String,
    ids: Arc<Vec<String>>,
    op: Op,
    conc: usize,
    secs: u64,
) -> Stats {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let counter = Arc::new(AtomicUsize::new(0));
    let body = Arc::new(serde_json::json!({"label": "Dự thảo", "body": body_20kb()}));
    let started = Instant::now();
    let mut handles = vec![];
    for _ in 0..conc {
        let (base, token, ids, counter, body) = (
            base.clone(),
            token.clone(),
            ids.clone(),
            counter.clone(),
            body.clone(),
        );
        handles.push(actix_web::rt::spawn(async move {
            let client = awc::Client::builder().timeout(Duration::from_secs(30)).finish();
            let mut lat = vec![];
            let mut errors = 0;
            while Instant::now() < deadline {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                let id = &ids[n % ids.len()];
                let t = Instant::now();
                let auth = ("authorization", format!("Bearer {token}"));
                let res = match op {
                    Op::Get => client.get(format!("{base}/api/v1/documents/{id}")).insert_header(auth).send().await,
                    Op::List => {
                        client
                            .get(format!("{base}/api/v1/documents?kind=decision&field=C%E1%BA%A3i%20c%C3%A1ch%20h%C3%A0nh%20ch%C3%ADnh&limit=50"))
                            .insert_header(auth)
                            .send()
                            .await
                    }
                    Op::PostVersion => {
                        client.post(format!("{base}/api/v1/documents/{id}/versions")).insert_header(auth).send_json(&*body).await
                    }
                };
                match res {
                    Ok(mut r) if r.status().is_success() => {
                        let _ = r.body().limit(16 << 20).await;
                        lat.push(t.elapsed());
                    }
                    _ => errors += 1,
                }
            }
            (lat, errors)
        }));
    }
    let mut all = vec![];
    let mut errors = 0;
    for h in handles {
        if let Ok((l, e)) = h.await {
            all.extend(l);
            errors += e;
        }
    }
    finish(all, errors, started.elapsed())
}

fn main() {
    let a = args();
    println!(
        "vanban API benchmark: {} s per operation, {} connections, {} documents, {} cores",
        a.seconds,
        a.concurrency,
        a.documents,
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    println!(
        "{:<9} {:<24} {:>10} {:>9} {:>9} {:>7} {:>13}",
        "backend", "operation", "req/s", "p50 ms", "p99 ms", "errors", "API/floor r/s"
    );
    for backend in &a.backends {
        let fx = fixture(backend, a.documents);
        let mut settings = Settings::load(None).expect("settings");
        settings.database.url = String::new();
        settings.server.json_limit_bytes = 4 << 20;
        settings.workflow.comments_per_minute = 0;
        let keys = TokenKeys::new(b"bench-secret-bench-secret-bench-secret", 3600);
        // An index that follows the database, as in `vanban serve`.
        let search = Arc::new(vanban::search::SearchIndex::open(None).expect("search index"));
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        search.follow(fx.db.clone(), Duration::from_millis(250), stop.clone());
        let state = Arc::new(AppState::new(settings, fx.db.clone(), keys, search));
        let base = common::start_server(state);
        let ids = Arc::new(fx.ids.clone());
        let secs = a.seconds;
        let conc = a.concurrency;
        let sys = actix_web::rt::System::new();
        let token = sys.block_on(async {
            let r = awc::Client::new()
                .post(format!("{base}/api/v1/auth/login"))
                .send_json(&serde_json::json!({"username": "legal_officer", "password": PASSWORD}))
                .await;
            let mut r = r.expect("login");
            let v: serde_json::Value = r.json().await.expect("login json");
            v["access_token"].as_str().expect("token").to_owned()
        });
        let today = chrono::Local::now().date_naive();
        let body = body_20kb();
        for (name, op) in [
            ("GET /documents/{id}", Op::Get),
            ("list of 50 (filtered)", Op::List),
            ("POST version, 20 KB", Op::PostVersion),
        ] {
            let api = sys.block_on(http_load(
                base.clone(),
                token.clone(),
                ids.clone(),
                op,
                conc,
                secs,
            ));
            let db = fx.db.clone();
            let caller = fx.caller.clone();
            let ids = ids.clone();
            let body = body.clone();
            let fl = floor(conc, secs, |n| {
                let Ok(mut c) = db.get() else { return false };
                let id = &ids[n % ids.len()];
                match op {
                    Op::Get => vanban::service::documents::get(&mut c, Some(&caller), id)
                        .and_then(|d| {
                            vanban::service::documents::response(&mut c, d, today, Some(&caller))
                        })
                        .map(|r| serde_json::to_vec(&r).is_ok())
                        .unwrap_or(false),
                    Op::List => {
                        let f = db::documents::ListFilter {
                            kind: Some("decision".into()),
                            field: Some("Cải cách hành chính".into()),
                            limit: 51,
                            ..Default::default()
                        };
                        db::documents::list(&mut c, &db::documents::Visibility::Everything, &f)
                            .map_err(vanban::error::AppError::from)
                            .and_then(|docs| {
                                vanban::service::documents::responses(
                                    &mut c,
                                    docs,
                                    today,
                                    Some(&caller),
                                )
                            })
                            .map(|r| serde_json::to_vec(&r).is_ok())
                            .unwrap_or(false)
                    }
                    Op::PostVersion => {
                        let req = vanban::service::versions::CreateVersionRequest {
                            label: Some("Dự thảo".into()),
                            body: Some(body.clone()),
                            change_summary: None,
                        };
                        db::write_transaction(&mut c, |c| {
                            vanban::service::versions::create(c, &caller, id, &req, None)
                        })
                        .is_ok()
                    }
                }
            });
            println!(
                "{:<9} {:<24} {:>10.0} {:>9.2} {:>9.2} {:>7} {:>13.2}",
                backend,
                name,
                api.rps(),
                api.pct(0.5),
                api.pct(0.99),
                api.errors,
                api.rps() / fl.rps()
            );
            println!(
                "{:<9} {:<24} {:>10.0} {:>9.2} {:>9.2} {:>7}",
                "",
                "  floor (database)",
                fl.rps(),
                fl.pct(0.5),
                fl.pct(0.99),
                fl.errors
            );
        }
        let consultation = open_consultation(&fx);
        let (sent, lost, dup, stats) = sys.block_on(comments_load(
            base.clone(),
            consultation.clone(),
            10_000,
            50,
        ));
        let stored = count_comments(&fx, &consultation);
        println!(
            "{:<9} {:<24} {:>10.0} {:>9.2} {:>9.2} {:>7}   {} comments sent twice each (retries with the same Idempotency-Key): {} stored, {} lost, {} duplicated",
            backend, "public comments", stats.rps(), stats.pct(0.5), stats.pct(0.99), stats.errors, sent, stored, lost, dup
        );
    }
}

/// A draft open for comment, straight in the database.
fn open_consultation(fx: &Fixture) -> String {
    let mut c = fx.db.get().expect("conn");
    let id = &fx.ids[0];
    db::write_transaction(&mut c, |c| -> Result<String, vanban::error::AppError> {
        let req = vanban::service::versions::CreateVersionRequest {
            label: Some("Dự thảo lấy ý kiến".into()),
            body: Some(body_20kb()),
            change_summary: None,
        };
        let v = vanban::service::versions::create(c, &fx.caller, id, &req, None)?;
        let today = chrono::Local::now().date_naive();
        let cons = db::workflow::insert_consultation(
            c,
            &db::workflow::Consultation {
                id: db::new_id(),
                document_id: id.clone(),
                version_id: v.id,
                opens_on: today,
                closes_on: today + chrono::TimeDelta::days(30),
                closed_at: None,
                created_by: None,
                created_at: db::now(),
            },
        )?;
        Ok(cons.id)
    })
    .expect("open consultation")
}

fn count_comments(fx: &Fixture, consultation: &str) -> usize {
    let mut c = fx.db.get().expect("conn");
    db::workflow::comments_of(&mut c, consultation)
        .map(|v| v.len())
        .unwrap_or(0)
}

/// Sends `n` comments from `clients` concurrent clients; each is sent twice with the
/// same Idempotency-Key, the second time as a retry would be. Returns (sent, lost,
/// duplicated, latency of every request).
async fn comments_load(
    base: String,
    consultation: String,
    n: usize,
    clients: usize,
) -> (usize, usize, usize, Stats) {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut handles = vec![];
    for _ in 0..clients {
        let (base, consultation, next) = (base.clone(), consultation.clone(), next.clone());
        handles.push(actix_web::rt::spawn(async move {
            let client = awc::Client::builder().timeout(Duration::from_secs(30)).finish();
            let url = format!("{base}/api/v1/public/consultations/{consultation}/comments");
            let mut lat = vec![];
            let mut errors = 0;
            let mut codes = vec![];
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break;
                }
                let body = serde_json::json!({"name": format!("Người góp ý {i}"), "body": format!("Ý kiến số {i} về dự thảo.")});
                let mut first: Option<String> = None;
                for _attempt in 0..2 {
                    let t = Instant::now();
                    match client.post(&url).insert_header(("idempotency-key", format!("bench-{i}"))).send_json(&body).await {
                        Ok(mut r) if r.status().is_success() => {
                            lat.push(t.elapsed());
                            let v: serde_json::Value = r.json().await.unwrap_or_default();
                            let code = v["tracking_code"].as_str().unwrap_or_default().to_owned();
                            match &first {
                                None => first = Some(code),
                                Some(c) if *c != code => errors += 1,
                                Some(_) => {}
                            }
                        }
                        _ => errors += 1,
                    }
                }
                codes.extend(first);
            }
            (lat, errors, codes)
        }));
    }
    let mut lat = vec![];
    let mut errors = 0;
    let mut codes = std::collections::HashSet::new();
    let mut received = 0;
    for h in handles {
        if let Ok((l, e, c)) = h.await {
            lat.extend(l);
            errors += e;
            received += c.len();
            codes.extend(c);
        }
    }
    let stats = finish(lat, errors, started.elapsed());
    (
        n,
        n.saturating_sub(codes.len()),
        received - codes.len(),
        stats,
    )
}
