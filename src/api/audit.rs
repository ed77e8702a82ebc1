//! /api/v1/audit: the audit log of one entity.

use actix_web::{get, web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::responses::ReadErrors;
use super::{parse_id, AuthUser, State};
use crate::error::ApiResult;
use crate::service::audit as svc;
use crate::service::audit::AuditEntry;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Entries after this sequence number.
    pub after: Option<i64>,
    /// 1 to 500, default 100.
    pub limit: Option<i64>,
}

/// Who did what to an entity (`document`, `user`, `org_unit`, `self_inspection`,
/// `review_flag`, `review_campaign`, `review_item`), when, why, and from
/// which state to which, oldest first.
#[utoipa::path(
    tag = "audit",
    params(("entity_type" = String, Path), ("entity_id" = String, Path), AuditQuery),
    responses((status = 200, body = Vec<AuditEntry>), ReadErrors),
    security(("bearer" = []))
)]
#[get("/audit/{entity_type}/{entity_id}")]
pub async fn entity_audit(
    st: State,
    user: AuthUser,
    path: web::Path<(String, String)>,
    query: web::Query<AuditQuery>,
) -> ApiResult<HttpResponse> {
    let (entity_type, entity_id) = path.into_inner();
    let entity_id = parse_id(&entity_id)?;
    let limit = query.limit.unwrap_or(100);
    let after = query.after.unwrap_or(0);
    let entries = svc::history(&st.db, user.caller, entity_type, entity_id, after, limit).await?;
    Ok(HttpResponse::Ok().json(entries))
}
