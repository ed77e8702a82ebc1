//! Reading the audit log: who did what to an entity, and who may see it.

use chrono::NaiveDateTime;
use serde::Serialize;
use utoipa::ToSchema;

use super::Caller;
use crate::auth::Action;
use crate::db::models::AuditRow;
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

// ---- Wire shapes ----

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditEntry {
    pub seq: i64,
    #[serde(with = "crate::service::timestamp::utc")]
    pub at: NaiveDateTime,
    pub actor_id: Option<String>,
    pub actor_name: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub reason: Option<String>,
    pub details: Option<serde_json::Value>,
    pub hash: String,
}

impl From<AuditRow> for AuditEntry {
    fn from(r: AuditRow) -> Self {
        AuditEntry {
            seq: r.seq,
            at: r.at,
            actor_id: r.actor_id,
            actor_name: r.actor_name,
            action: r.action,
            entity_type: r.entity_type,
            entity_id: r.entity_id,
            from_state: r.from_state,
            to_state: r.to_state,
            reason: r.reason,
            details: r.details.and_then(|d| serde_json::from_str(&d).ok()),
            hash: r.hash,
        }
    }
}
