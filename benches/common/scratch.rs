//! A scratch database for the benchmarks that need an empty one of each backend.
// Each benchmark is its own crate and compiles every shared module; not all use this one.
#![allow(dead_code)]

use diesel::Connection;

/// An empty database of one backend for a benchmark: a SQLite file in a temporary folder,
/// or a PostgreSQL database (on `VANBAN_TEST_POSTGRES_URL`, default the local server)
/// dropped with it.
pub struct ScratchDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pg_drop: Option<(String, String)>,
}

impl ScratchDb {
    pub fn new(backend: &str, tag: &str) -> ScratchDb {
        match backend {
            "sqlite" => {
                let dir = tempfile::tempdir().expect("temp dir");
                ScratchDb {
                    url: format!("sqlite://{}", dir.path().join("bench.db").display()),
                    _dir: Some(dir),
                    pg_drop: None,
                }
            }
            _ => {
                let admin = std::env::var("VANBAN_TEST_POSTGRES_URL")
                    .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
                let name = format!("vanban_bench_{tag}_{}", std::process::id());
                let mut c =
                    diesel::PgConnection::establish(&admin).expect("PostgreSQL for the benchmark");
                for sql in [
                    format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                    format!("CREATE DATABASE {name}"),
                ] {
                    diesel::connection::SimpleConnection::batch_execute(&mut c, &sql)
                        .expect("create bench database");
                }
                let base = admin
                    .rsplit_once('/')
                    .map(|(b, _)| b.to_owned())
                    .unwrap_or(admin.clone());
                ScratchDb {
                    url: format!("{base}/{name}"),
                    _dir: None,
                    pg_drop: Some((admin, name)),
                }
            }
        }
    }
}

impl Drop for ScratchDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.pg_drop {
            if let Ok(mut c) = diesel::PgConnection::establish(admin) {
                let _ = diesel::connection::SimpleConnection::batch_execute(
                    &mut c,
                    &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                );
            }
        }
    }
}
