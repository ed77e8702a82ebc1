//! Logins against the rest of the service: the real server over HTTP on loopback, the demo
//! district, on SQLite and on PostgreSQL.
//!
//! cargo bench --bench login [-- --seconds 10 --clients 64 --backend both --hash-threads 0]
//!
//! 1. A read (`GET /api/v1/documents?limit=5`, anonymous, one client in a loop) calm, then
//!    while `--clients` concurrent clients log in for `--seconds`: half with unknown
//!    usernames, half with known usernames and wrong passwords. Every login comes from an
//!    address of its own (the server trusts 127.0.0.1 as a proxy and the client sends
//!    `X-Forwarded-For: 10.a.b.c`), so the per-address throttle evaluates every attempt, as
//!    it would for a spread-out attack.
//! 2. The timing oracle: sequential failed logins, a known username with a wrong password
//!    against an unknown username, each from a fresh address.
//! 3. The throttle: 40 concurrent wrong passwords for one account from one address, then 40
//!    concurrent unknown usernames from another address; how many were evaluated (401)
//!    rather than refused (429).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use vanban::api::AppState;
use vanban::auth::token::TokenKeys;
use vanban::config::Settings;
use vanban::db::{self, Db};

const PASSWORD: &str = "bench-password-123";
const KNOWN: [&str; 4] = ["viewer", "drafter", "approver", "legal_officer"];

struct Args {
    seconds: u64,
    clients: usize,
    backends: Vec<&'static str>,
    hash_threads: usize,
}

fn args() -> Args {
    let mut a = Args {
        seconds: 10,
        clients: 64,
        backends: vec!["sqlite", "postgres"],
        hash_threads: 0,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut num = |d: usize| it.next().and_then(|v| v.parse().ok()).unwrap_or(d);
        match flag.as_str() {
            "--seconds" => a.seconds = num(a.seconds as usize) as u64,
            "--clients" => a.clients = num(a.clients),
            "--hash-threads" => a.hash_threads = num(a.hash_threads),
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

/// Milliseconds at a percentile of sorted latencies.
fn pct(lat: &[Duration], p: f64) -> f64 {
    if lat.is_empty() {
        return f64::NAN;
    }
    let i = ((lat.len() as f64 - 1.0) * p).round() as usize;
    lat[i].as_secs_f64() * 1000.0
}

/// A fresh client address for each call.
fn next_address(n: &AtomicUsize) -> String {
    let i = n.fetch_add(1, Ordering::Relaxed);
    format!("10.{}.{}.{}", (i >> 16) & 255, (i >> 8) & 255, i & 255)
}

/// One login; its status and latency.
async fn login(
    client: &awc::Client,
    base: &str,
    from: &str,
    username: &str,
    password: &str,
) -> (u16, Duration) {
    let t = Instant::now();
    let r = client
        .post(format!("{base}/api/v1/auth/login"))
        .insert_header(("x-forwarded-for", from.to_owned()))
        .send_json(&serde_json::json!({"username": username, "password": password}))
        .await;
    match r {
        Ok(mut r) => {
            let _ = r.body().await;
            (r.status().as_u16(), t.elapsed())
        }
        Err(_) => (0, t.elapsed()),
    }
}

/// The read, in a loop until `stop`; sorted latencies and the number of failures.
async fn reads(base: String, stop: Arc<AtomicBool>) -> (Vec<Duration>, usize) {
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(60))
        .finish();
    let (mut lat, mut errors) = (vec![], 0);
    while !stop.load(Ordering::Relaxed) {
        let t = Instant::now();
        match client
            .get(format!("{base}/api/v1/documents?limit=5"))
            .send()
            .await
        {
            Ok(mut r) if r.status().is_success() => {
                let _ = r.body().await;
                lat.push(t.elapsed());
            }
            _ => errors += 1,
        }
    }
    lat.sort();
    (lat, errors)
}

async fn read_for(base: &str, secs: u64) -> (Vec<Duration>, usize) {
    let stop = Arc::new(AtomicBool::new(false));
    let h = actix_web::rt::spawn(reads(base.to_owned(), stop.clone()));
    actix_web::rt::time::sleep(Duration::from_secs(secs)).await;
    stop.store(true, Ordering::Relaxed);
    h.await.unwrap_or_default()
}

struct Load {
    calm: (Vec<Duration>, usize),
    loaded: (Vec<Duration>, usize),
    logins: usize,
    login_errors: usize,
    login_lat: Vec<Duration>,
    elapsed: Duration,
}

async fn under_load(base: &str, clients: usize, secs: u64, addr: Arc<AtomicUsize>) -> Load {
    let calm = read_for(base, secs.min(5)).await;
    let stop = Arc::new(AtomicBool::new(false));
    let reader = actix_web::rt::spawn(reads(base.to_owned(), stop.clone()));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(secs);
    let mut tasks = vec![];
    for c in 0..clients {
        let (base, addr) = (base.to_owned(), addr.clone());
        tasks.push(actix_web::rt::spawn(async move {
            let client = awc::Client::builder()
                .timeout(Duration::from_secs(60))
                .finish();
            let (mut lat, mut errors, mut n) = (vec![], 0, 0usize);
            while Instant::now() < deadline {
                let from = next_address(&addr);
                let (user, password) = if c % 2 == 0 {
                    (format!("nobody-{c}-{n}"), "guess-123")
                } else {
                    (KNOWN[n % KNOWN.len()].to_owned(), "guess-123")
                };
                let (status, t) = login(&client, &base, &from, &user, password).await;
                if status == 401 {
                    lat.push(t);
                } else {
                    errors += 1;
                }
                n += 1;
            }
            (lat, errors)
        }));
    }
    let (mut login_lat, mut login_errors) = (vec![], 0);
    for t in tasks {
        if let Ok((l, e)) = t.await {
            login_lat.extend(l);
            login_errors += e;
        }
    }
    let elapsed = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    let loaded = reader.await.unwrap_or_default();
    login_lat.sort();
    Load {
        calm,
        loaded,
        logins: login_lat.len(),
        login_errors,
        login_lat,
        elapsed,
    }
}

/// Sequential failed logins, alternating known and unknown usernames: median ms of each.
async fn oracle(base: &str, rounds: usize, addr: &AtomicUsize) -> (f64, f64) {
    let client = awc::Client::default();
    let (mut known, mut unknown) = (vec![], vec![]);
    for n in 0..rounds {
        let (s, t) = login(
            &client,
            base,
            &next_address(addr),
            KNOWN[n % 4],
            "guess-123",
        )
        .await;
        if s == 401 {
            known.push(t);
        }
        let (s, t) = login(
            &client,
            base,
            &next_address(addr),
            &format!("ghost-{n}"),
            "x",
        )
        .await;
        if s == 401 {
            unknown.push(t);
        }
    }
    known.sort();
    unknown.sort();
    (pct(&known, 0.5), pct(&unknown, 0.5))
}

/// `n` concurrent failed logins from one address; how many were evaluated (401) and
/// refused (429), and anything else.
async fn burst(base: &str, n: usize, from: &str, same_account: bool) -> (usize, usize, usize) {
    let mut tasks = vec![];
    for i in 0..n {
        let (base, from) = (base.to_owned(), from.to_owned());
        tasks.push(actix_web::rt::spawn(async move {
            let client = awc::Client::default();
            let user = if same_account {
                "viewer".to_owned()
            } else {
                format!("stranger-{i}")
            };
            login(&client, &base, &from, &user, "guess-123").await.0
        }));
    }
    let (mut ok401, mut ok429, mut other) = (0, 0, 0);
    for t in tasks {
        match t.await {
            Ok(401) => ok401 += 1,
            Ok(429) => ok429 += 1,
            _ => other += 1,
        }
    }
    (ok401, ok429, other)
}

fn main() {
    let a = args();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "vanban login benchmark: {} s of load, {} login clients, {} cores, hash threads {}",
        a.seconds,
        a.clients,
        cores,
        if a.hash_threads == 0 {
            format!("{cores} (default: one per core)")
        } else {
            a.hash_threads.to_string()
        }
    );
    for backend in &a.backends {
        let fx = common::scratch::ScratchDb::new(backend, "login");
        let db = Db::connect(&fx.url, 16).expect("connect");
        db.migrate().expect("migrate");
        {
            let mut conn = db.get().expect("conn");
            db::write_transaction(&mut conn, |c| vanban::demo::load(c, PASSWORD)).expect("demo");
        }
        let mut settings = Settings::load(None).expect("settings");
        settings.database.url = String::new();
        settings.server.trusted_proxies = vec![std::net::Ipv4Addr::LOCALHOST.into()];
        settings.auth.hash_threads = a.hash_threads;
        let keys = TokenKeys::new(b"bench-secret-bench-secret-bench-secret", 3600);
        let search = Arc::new(vanban::search::SearchIndex::open(None).expect("search index"));
        search
            .catch_up(&mut db.get().expect("conn"))
            .expect("index the demo");
        let state = Arc::new(AppState::new(settings, db.clone(), keys, search));
        let base = common::start_server(state);
        let sys = actix_web::rt::System::new();
        let addr = Arc::new(AtomicUsize::new(1));
        let load = sys.block_on(under_load(&base, a.clients, a.seconds, addr.clone()));
        let (known, unknown) = sys.block_on(oracle(&base, 30, &addr));
        let account = sys.block_on(burst(&base, 40, "192.0.2.1", true));
        let address = sys.block_on(burst(&base, 40, "192.0.2.2", false));

        let (calm50, calm99) = (pct(&load.calm.0, 0.5), pct(&load.calm.0, 0.99));
        let (load50, load99) = (pct(&load.loaded.0, 0.5), pct(&load.loaded.0, 0.99));
        println!("\n{backend}");
        println!(
            "  read GET /documents?limit=5 calm:       p50 {calm50:.2} ms  p99 {calm99:.2} ms  ({} reads, {} errors)",
            load.calm.0.len(),
            load.calm.1
        );
        println!(
            "  read during {} concurrent logins:       p50 {load50:.2} ms  p99 {load99:.2} ms  ({} reads, {} errors)",
            a.clients,
            load.loaded.0.len(),
            load.loaded.1
        );
        println!(
            "  ratio under load / calm:                p50 {:.1}x  p99 {:.1}x",
            load50 / calm50,
            load99 / calm99
        );
        println!(
            "  failed logins evaluated:                {:.1}/s  p50 {:.0} ms  p99 {:.0} ms  ({} in {:.1} s, {} not 401)",
            load.logins as f64 / load.elapsed.as_secs_f64(),
            pct(&load.login_lat, 0.5),
            pct(&load.login_lat, 0.99),
            load.logins,
            load.elapsed.as_secs_f64(),
            load.login_errors
        );
        println!(
            "  failed login alone, median of 30:       known {known:.1} ms  unknown {unknown:.1} ms  (unknown/known {:.2})",
            unknown / known
        );
        println!(
            "  40 concurrent, one account, one address: {} evaluated, {} refused (429), {} other",
            account.0, account.1, account.2
        );
        println!(
            "  40 concurrent, unknown names, one address: {} evaluated, {} refused (429), {} other",
            address.0, address.1, address.2
        );
        drop(fx);
    }
}
