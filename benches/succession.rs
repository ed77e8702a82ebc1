//! The succession of Sơn Tây district's documents to its communes (the reorganisation of
//! 1 July 2025) as one transaction, on SQLite and PostgreSQL.
//!
//! cargo bench --bench succession [-- --rounds 5]
//!
//! Each round loads the demo into an empty database and records the reorganisation through
//! its use case (`service::reorganisations::record`), timed from BEGIN to COMMIT.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Instant;

use vanban::db::{self, Db};
use vanban::service::reorganisations::{self, CreateReorganisationRequest};

fn rounds() -> usize {
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--rounds" {
            return it.next().and_then(|v| v.parse().ok()).unwrap_or(5);
        }
    }
    5
}

fn request() -> CreateReorganisationRequest {
    serde_json::from_value(serde_json::json!({
        "effective_on": "2025-07-01",
        "basis": "Nghị quyết 1677/NQ-UBTVQH15 ngày 16/6/2025",
        "abolished": ["ST"],
        "successors": ["X-SONTAY", "X-SONTAYTHUONG", "X-SONTAYHA"],
        "default_successor": "X-SONTAY",
    }))
    .expect("request")
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let rounds = rounds();
    println!("backend    documents  one transaction (ms, median of {rounds})");
    for backend in ["sqlite", "postgres"] {
        let mut times = vec![];
        let mut documents = 0;
        for round in 0..rounds {
            let scratch = common::scratch::ScratchDb::new(backend, &format!("succession{round}"));
            let db = Db::connect(&scratch.url, 2).expect("connect");
            db.migrate().expect("migrate");
            let mut conn = db.get().expect("conn");
            db::write_transaction(&mut conn, |c| vanban::demo::load(c, "bench-password-123"))
                .expect("demo");
            let admin = db::users::by_username(&mut conn, "admin")
                .expect("q")
                .expect("admin");
            let caller = vanban::service::accounts::caller_of(&mut conn, &admin).expect("caller");
            let req = request();
            let started = Instant::now();
            let done =
                db::write_transaction(&mut conn, |tx| reorganisations::record(tx, &caller, &req))
                    .expect("reorganisation");
            times.push(started.elapsed().as_secs_f64() * 1000.0);
            documents = done.inherited.iter().map(|i| i.documents).sum();
        }
        println!("{backend:<10} {documents:>9}  {:.1}", median(times));
    }
}
