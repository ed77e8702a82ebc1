//! Persistence: one schema and one set of queries for SQLite and PostgreSQL.
//!
//! Queries are plain functions taking `&mut Conn`. Backend-specific SQL lives only
//! in an explicit `match` on the connection, inside this layer. Model code returns
//! `QueryResult` or [`DbError`]; it never knows about HTTP.

pub mod audit;
pub mod blobs;
pub mod check;
pub mod columns;
pub mod copies;
pub mod documents;
pub mod iso;
pub mod models;
pub mod org_units;
pub mod relations;
pub mod reorganisations;
pub mod reports;
pub mod review;
pub mod schema;
pub mod search_feed;
pub mod throttle;
pub mod tokens;
pub mod users;
pub mod versions;
pub mod workflow;

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{CustomizeConnection, Pool, PooledConnection};
use diesel::{Connection, PgConnection, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

/// The connection to either backend, chosen at run time from the URL scheme.
#[derive(diesel::MultiConnection)]
pub enum Conn {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("stale write: the resource changed since it was read")]
    Stale,
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("stored file {0} does not match its hash")]
    Corrupt(String),
    /// Text the database cannot hold (PostgreSQL refuses NUL characters in text): the
    /// client's input, not a fault.
    #[error("text the database cannot store: {0}")]
    BadText(String),
    #[error(transparent)]
    Query(diesel::result::Error),
}

impl From<diesel::result::Error> for DbError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => DbError::NotFound,
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                DbError::Conflict(info.message().to_owned())
            }
            Error::DatabaseError(DatabaseErrorKind::ClosedConnection, info) => {
                DbError::Unavailable(info.message().to_owned())
            }
            // SQLSTATE 22021 (character_not_in_repertoire): "invalid byte sequence for
            // encoding "UTF8": 0x00"; diesel has no kind for it.
            Error::DatabaseError(_, info) if info.message().contains("invalid byte sequence") => {
                DbError::BadText(info.message().to_owned())
            }
            other => DbError::Query(other),
        }
    }
}

impl From<diesel::r2d2::PoolError> for DbError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        DbError::Unavailable(e.to_string())
    }
}

pub type DbResult<T> = Result<T, DbError>;

impl Backend {
    pub fn from_url(url: &str) -> Result<Self, String> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else if url.starts_with("sqlite:") || url.ends_with(".db") || url.ends_with(".sqlite") {
            Ok(Backend::Sqlite)
        } else {
            Err(format!(
                "unsupported database URL {url:?}: use sqlite://PATH or postgres://..."
            ))
        }
    }
}

/// The path SQLite opens for a `sqlite://` URL (diesel wants a plain path).
fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url)
}

/// Opens one connection, choosing the backend from the URL so that operators see the
/// backend's own error message rather than the derived `establish`'s generic one.
pub fn establish(url: &str) -> Result<Conn, String> {
    match Backend::from_url(url)? {
        Backend::Postgres => PgConnection::establish(url)
            .map(Conn::Postgresql)
            .map_err(|e| e.to_string()),
        Backend::Sqlite => {
            let path = sqlite_path(url);
            if let Some(parent) = std::path::Path::new(path).parent() {
                if !parent.as_os_str().is_empty() {
                    std::fs::create_dir_all(parent)
                        .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
                }
            }
            SqliteConnection::establish(path)
                .map(Conn::Sqlite)
                .map_err(|e| e.to_string())
        }
    }
}

/// r2d2 manager that opens connections through [`establish`].
pub struct Manager {
    url: String,
}

impl diesel::r2d2::ManageConnection for Manager {
    type Connection = Conn;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<Conn, Self::Error> {
        establish(&self.url).map_err(|e| {
            diesel::r2d2::Error::ConnectionError(diesel::ConnectionError::BadConnection(e))
        })
    }

    fn is_valid(&self, conn: &mut Conn) -> Result<(), Self::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut Conn) -> bool {
        false
    }
}

#[derive(Debug)]
struct Pragmas;

impl CustomizeConnection<Conn, diesel::r2d2::Error> for Pragmas {
    fn on_acquire(&self, conn: &mut Conn) -> Result<(), diesel::r2d2::Error> {
        if let Conn::Sqlite(c) = conn {
            // WAL alone does not prevent "database is locked": busy_timeout does.
            c.batch_execute(
                "PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;",
            )
            .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

pub type PgPool = Pool<Manager>;
pub type PooledConn = PooledConnection<Manager>;

/// The connection pool and the backend it talks to.
#[derive(Clone)]
pub struct Db {
    pool: PgPool,
    backend: Backend,
}

impl Db {
    /// The pool's connections: (open, idle, most it opens).
    pub fn pool_state(&self) -> (u32, u32, u32) {
        let s = self.pool.state();
        (s.connections, s.idle_connections, self.pool.max_size())
    }

    pub fn connect(url: &str, max_size: u32) -> Result<Self, String> {
        let backend = Backend::from_url(url)?;
        // Fail fast with the backend's own message before building the pool. WAL is a
        // property of the file: set it once here, not from each new pooled connection
        // (concurrent switches would fight for the lock).
        let mut first = establish(url)?;
        if let Conn::Sqlite(c) = &mut first {
            c.batch_execute("PRAGMA busy_timeout=10000; PRAGMA journal_mode=WAL;")
                .map_err(|e| e.to_string())?;
        }
        drop(first);
        let pool = Pool::builder()
            .max_size(max_size)
            .connection_timeout(Duration::from_secs(10))
            .connection_customizer(Box::new(Pragmas))
            .build(Manager {
                url: url.to_owned(),
            })
            .map_err(|e| e.to_string())?;
        Ok(Db { pool, backend })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn get(&self) -> DbResult<PooledConn> {
        Ok(self.pool.get()?)
    }

    /// Runs blocking database work on actix's blocking thread pool. The pool checkout
    /// happens inside the closure too: waiting for a connection must not block a worker.
    pub async fn run<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut Conn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let pool = self.pool.clone();
        match tokio::task::spawn_blocking(move || {
            let mut conn = pool.get().map_err(DbError::from)?;
            f(&mut conn)
        })
        .await
        {
            Ok(r) => r,
            Err(e) => Err(DbError::Unavailable(format!("blocking task failed: {e}")).into()),
        }
    }

    /// Like [`Db::run`], inside one write transaction ([`write_transaction`]).
    pub async fn tx<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut Tx<'_>) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + From<diesel::result::Error> + Send + 'static,
    {
        self.run(move |conn| write_transaction(conn, f)).await
    }

    pub fn migrate(&self) -> Result<Vec<String>, String> {
        let mut conn = self.get().map_err(|e| e.to_string())?;
        run_migrations(&mut conn)
    }
}

/// True when every embedded migration has been applied to the database behind `conn`.
pub fn migrations_current(conn: &mut Conn) -> DbResult<bool> {
    let pending = match conn {
        Conn::Postgresql(_) => conn.pending_migrations(POSTGRES_MIGRATIONS),
        Conn::Sqlite(_) => conn.pending_migrations(SQLITE_MIGRATIONS),
    }
    .map_err(|e| DbError::Unavailable(e.to_string()))?;
    Ok(pending.is_empty())
}

/// A connection inside a write transaction. Only [`write_transaction`] (and [`Db::tx`],
/// which calls it) makes one, so whatever must be written atomically with the change it
/// belongs to, such as an audit entry ([`audit::append`]), cannot be written outside one.
/// It dereferences to the connection for every query.
pub struct Tx<'c>(&'c mut Conn);

impl std::ops::Deref for Tx<'_> {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        self.0
    }
}

impl std::ops::DerefMut for Tx<'_> {
    fn deref_mut(&mut self) -> &mut Conn {
        self.0
    }
}

impl Tx<'_> {
    /// The connection, for diesel's generic query methods (`execute`, `load`, ...).
    pub fn conn(&mut self) -> &mut Conn {
        self.0
    }
}

/// Runs `f` in a transaction meant to write.
pub fn write_transaction<T, E, F>(conn: &mut Conn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut Tx<'_>) -> Result<T, E>,
    E: From<DbError> + From<diesel::result::Error>,
{
    match conn {
        // A deferred SQLite transaction that reads, then writes, fails at once with
        // "database is locked" when another writer got there first; BEGIN IMMEDIATE
        // takes the write lock up front and waits for it (busy_timeout) instead.
        Conn::Sqlite(_) => {
            conn.batch_execute("BEGIN IMMEDIATE")
                .map_err(DbError::from)?;
            match f(&mut Tx(conn)) {
                Ok(v) => match conn.batch_execute("COMMIT") {
                    Ok(()) => Ok(v),
                    Err(e) => {
                        let _ = conn.batch_execute("ROLLBACK");
                        Err(DbError::from(e).into())
                    }
                },
                Err(e) => {
                    let _ = conn.batch_execute("ROLLBACK");
                    Err(e)
                }
            }
        }
        Conn::Postgresql(_) => conn.transaction(|c| f(&mut Tx(c))),
    }
}

pub fn run_migrations(conn: &mut Conn) -> Result<Vec<String>, String> {
    let applied = match conn {
        Conn::Postgresql(_) => conn.run_pending_migrations(POSTGRES_MIGRATIONS),
        Conn::Sqlite(_) => conn.run_pending_migrations(SQLITE_MIGRATIONS),
    }
    .map_err(|e| e.to_string())?;
    Ok(applied.iter().map(|m| m.to_string()).collect())
}

/// What a database holds, for the start-up log.
#[derive(Debug, Clone, Copy)]
pub struct Totals {
    pub org_units: i64,
    pub documents: i64,
    pub accounts: i64,
}

pub fn totals(conn: &mut Conn) -> DbResult<Totals> {
    use diesel::prelude::*;
    use schema::{documents, org_units, users};
    Ok(Totals {
        org_units: org_units::table.count().get_result(conn)?,
        documents: documents::table.count().get_result(conn)?,
        accounts: users::table.count().get_result(conn)?,
    })
}

/// Current time truncated to microseconds: PostgreSQL keeps microseconds, SQLite
/// nanoseconds, and a value read back must equal the one written.
pub fn now() -> chrono::NaiveDateTime {
    use chrono::{DurationRound, TimeDelta};
    let now = chrono::Utc::now().naive_utc();
    now.duration_trunc(TimeDelta::microseconds(1))
        .unwrap_or(now)
}

pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// `pub fn update(conn, id, expected_version, changes)` for a table whose rows carry
/// `id`, `updated_at` and `row_version`: applies `changes` only if the row is still at
/// `expected_version` (optimistic concurrency), bumping both; a row at another version is
/// [`DbError::Stale`], a missing one [`DbError::NotFound`]. The module must have
/// `get(conn, id)`.
macro_rules! versioned_update {
    ($table:ident, $row:ty, $changes:ty) => {
        /// Applies changes if the row is still at `expected_version` (optimistic concurrency).
        pub fn update(
            conn: &mut $crate::db::Conn,
            id: &str,
            expected_version: i32,
            changes: &$changes,
        ) -> $crate::db::DbResult<$row> {
            let n = diesel::update(
                $table::table
                    .filter($table::id.eq(id))
                    .filter($table::row_version.eq(expected_version)),
            )
            .set((
                changes,
                $table::updated_at.eq($crate::db::now()),
                $table::row_version.eq($table::row_version + 1),
            ))
            .execute(conn)?;
            if n == 0 {
                get(conn, id)?;
                return Err($crate::db::DbError::Stale);
            }
            get(conn, id)
        }
    };
}
pub(crate) use versioned_update;
