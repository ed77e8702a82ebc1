//! /api/v1/self-inspections: the issuer's own check of each promulgated document.

use actix_web::http::header;
use actix_web::{get, post, web, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;

use super::responses::{BodyErrors, ReadErrors, WriteErrors};
use super::{parse_id, AuthUser, Json, State};
use crate::domain::review::InspectionState;
use crate::error::{ApiResult, AppError};
use crate::service::self_inspection::{self as svc, today, ListQuery, RecordInspectionRequest};
pub use crate::service::self_inspection::{FollowUp, SelfInspectionResponse};

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InspectionQuery {
    /// `true`: only open self-inspections past their due date on `as_of`.
    pub overdue: Option<bool>,
    /// The date overdue is judged on (YYYY-MM-DD); default today.
    pub as_of: Option<NaiveDate>,
    pub state: Option<InspectionState>,
    /// Documents of this issuer (org unit id or code).
    pub issuer: Option<String>,
    /// The self-inspection of this document.
    pub document: Option<String>,
    /// 1 to 500, default 100.
    pub limit: Option<i64>,
}

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
) -> ApiResult<HttpResponse> {
    let q = query.into_inner();
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(AppError::invalid("limit", "between 1 and 500"));
    }
    let on = q.as_of.unwrap_or_else(today);
    let document_id = q.document.as_deref().map(parse_id).transpose()?;
    let caller = user.caller;
    let query = ListQuery {
        overdue_on: (q.overdue == Some(true)).then_some(on),
        state: q.state,
        issuer: q.issuer,
        document_id,
        limit,
    };
    let out = svc::list_inspections(&st.db, caller, query, on).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// One self-inspection.
#[utoipa::path(
    tag = "self-inspection",
    params(("id" = String, Path)),
    responses((status = 200, body = SelfInspectionResponse), ReadErrors),
    security(("bearer" = []))
)]
#[get("/self-inspections/{id}")]
pub async fn get_self_inspection(
    st: State,
    user: AuthUser,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&id)?;
    let caller = user.caller;
    let out = svc::get_inspection(&st.db, caller, id).await?;
    Ok(HttpResponse::Ok().json(out))
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
    id: web::Path<String>,
    body: Json<RecordInspectionRequest>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&id)?;
    let caller = user.caller;
    let out = svc::record_inspection(&st.db, caller, id, body.0).await?;
    Ok(HttpResponse::Ok().json(out))
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
pub async fn open_self_inspection(
    st: State,
    user: AuthUser,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&id)?;
    let caller = user.caller;
    let out = svc::open_inspection(&st.db, caller, id).await?;
    let mut resp = HttpResponse::Created().json(&out);
    if let Ok(v) = header::HeaderValue::from_str(&format!("/api/v1/self-inspections/{}", out.id)) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    Ok(resp)
}
