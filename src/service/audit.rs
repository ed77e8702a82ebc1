//! Reading the audit log: who did what to an entity, and who may see it.

use super::dto::AuditEntry;
use super::Caller;
use crate::auth::Action;
use crate::db::{self, Db};
use crate::error::{ApiResult, AppError};

/// The entity types whose history can be read.
pub const AUDITED: [&str; 7] = [
    "document",
    "user",
    "org_unit",
    "self_inspection",
    "review_flag",
    "review_campaign",
    "review_item",
];

/// Whether `entity_type` has a readable history.
pub fn is_audited(entity_type: &str) -> bool {
    AUDITED.contains(&entity_type)
}

/// The history of one entity after sequence number `after`, at most `limit` (1 to 500)
/// entries, oldest first. The role must read the audit log; an entity type without a
/// history is not found. A live document's history needs the document to be visible to
/// the caller; a deleted document's history stays readable.
pub async fn history(
    db: &Db,
    caller: Caller,
    entity_type: String,
    entity_id: String,
    after: i64,
    limit: i64,
) -> ApiResult<Vec<AuditEntry>> {
    caller.require(Action::ReadAudit)?;
    if !is_audited(&entity_type) {
        return Err(AppError::NotFound);
    }
    if !(1..=500).contains(&limit) {
        return Err(AppError::invalid("limit", "between 1 and 500"));
    }
    db.run(move |conn| -> ApiResult<_> {
        if entity_type == "document" {
            if let Ok(d) = db::documents::get(conn, &entity_id) {
                super::ensure_visible(Some(&caller), d)?;
            }
        }
        let rows = db::audit::for_entity(conn, &entity_type, &entity_id, after, limit)?;
        Ok(rows.into_iter().map(AuditEntry::from).collect())
    })
    .await
}
