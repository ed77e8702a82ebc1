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
