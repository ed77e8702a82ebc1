//! Readiness: whether the service can answer use cases now.

use crate::db::{self, Db};
use crate::error::{ApiResult, AppError};

/// Ready when the database answers and every migration is applied; unavailable otherwise.
pub async fn ready(db: &Db) -> ApiResult<()> {
    if db.run(db::migrations_current).await? {
        Ok(())
    } else {
        Err(AppError::Unavailable("migrations are pending".into()))
    }
}

/// The state `GET /metrics` reports beside the counters: the pool, and how far the search
/// index is behind the audit log (document changes not applied yet, and the age of the
/// oldest; each process's index follows the log on its own).
pub async fn gauges(db: &Db, index_last_seq: i64) -> ApiResult<crate::metrics::Gauges> {
    let (pool_connections, pool_idle, pool_max) = db.pool_state();
    let (entries, oldest) = db
        .run(move |conn| db::audit::documents_after(conn, index_last_seq))
        .await?;
    let index_lag_seconds = oldest
        .map(|at| (db::now() - at).num_milliseconds().max(0) as f64 / 1000.0)
        .unwrap_or(0.0);
    Ok(crate::metrics::Gauges {
        pool_connections,
        pool_idle,
        pool_max,
        index_lag_entries: entries,
        index_lag_seconds,
        index_last_seq,
    })
}
