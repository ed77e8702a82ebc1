//! /api/v1/self-inspections: the issuer's own check of each promulgated document.

use actix_web::{get, post, web};

use super::responses::{BodyErrors, ReadErrors, WriteErrors};
use super::review::{created, ok, Id, Reply};
use super::{parse_id, AuthUser, Json, State};
use crate::service::self_inspection::{self as svc, InspectionQuery, RecordInspectionRequest};
pub use crate::service::self_inspection::{FollowUp, SelfInspectionResponse};

/// Self-inspections, soonest due first; `overdue=true` lists those past their due date.
#[utoipa::path(
    tag = "self-inspection",
    params(InspectionQuery),
    responses((status = 200, body = Vec<SelfInspectionResponse>), ReadErrors),
    security(("bearer" = []))
)]
#[get("/self-inspections")]
pub async fn list_self_inspections(
    st: State,
    user: AuthUser,
    query: web::Query<InspectionQuery>,
) -> Reply {
    ok(svc::list_inspections(&st.db, user.caller, query.into_inner()).await?)
}

/// One self-inspection.
#[utoipa::path(
    tag = "self-inspection",
    params(("id" = String, Path)),
    responses((status = 200, body = SelfInspectionResponse), ReadErrors),
    security(("bearer" = []))
)]
#[get("/self-inspections/{id}")]
pub async fn get_self_inspection(st: State, user: AuthUser, id: Id) -> Reply {
    ok(svc::get_inspection(&st.db, user.caller, parse_id(&id)?).await?)
}

/// Record the result of a self-inspection (once). Anything but `lawful` needs findings
/// and a handling, which opens the follow-up: a review flag on the document.
#[utoipa::path(
    tag = "self-inspection",
    params(("id" = String, Path)),
    request_body = RecordInspectionRequest,
    responses((status = 200, body = SelfInspectionResponse), WriteErrors, BodyErrors),
    security(("bearer" = []))
)]
#[post("/self-inspections/{id}/result")]
pub async fn record_self_inspection(
    st: State,
    user: AuthUser,
    id: Id,
    body: Json<RecordInspectionRequest>,
) -> Reply {
    let id = parse_id(&id)?;
    ok(svc::record_inspection(&st.db, user.caller, id, body.0).await?)
}

/// Open the self-inspection of a published document, as promulgation does (for
/// documents published before it did, or imported).
#[utoipa::path(
    tag = "self-inspection",
    params(("id" = String, Path)),
    responses((status = 201, body = SelfInspectionResponse), WriteErrors),
    security(("bearer" = []))
)]
#[post("/documents/{id}/self-inspection")]
pub async fn open_self_inspection(st: State, user: AuthUser, id: Id) -> Reply {
    let out = svc::open_inspection(&st.db, user.caller, parse_id(&id)?).await?;
    created(format!("/api/v1/self-inspections/{}", out.id), &out)
}
