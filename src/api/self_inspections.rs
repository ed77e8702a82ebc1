//! /api/v1/self-inspections: the issuer's own check of each promulgated document.

use actix_web::http::header;
use actix_web::{get, post, web, HttpResponse};
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::responses::{BodyErrors, ReadErrors, WriteErrors};
use super::review::{summaries, DocumentSummary};
use super::{parse_id, AuthUser, Json, State};
use crate::db::Conn;
use crate::domain::review::{
    is_overdue, InspectionHandling, InspectionState, SelfInspectionResult,
};
use crate::error::{ApiResult, AppError};
use crate::service::self_inspection::{
    self as svc, today, InspectionView, ListQuery, RecordInspectionRequest,
};

fn parse<T: std::str::FromStr<Err = String>>(s: &str) -> ApiResult<T> {
    s.parse().map_err(AppError::internal)
}

/// The follow-up a handling opened: a review flag on the document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FollowUp {
    /// The review flag (see `/review-flags`).
    pub flag_id: String,
    pub action: Option<InspectionHandling>,
    pub open: bool,
    #[serde(with = "crate::service::timestamp::utc_option")]
    pub resolved_at: Option<NaiveDateTime>,
    pub resolution: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SelfInspectionResponse {
    pub id: String,
    pub document: DocumentSummary,
    pub state: InspectionState,
    pub state_label_vi: &'static str,
    /// The day the period counts from (the signing, else the publication).
    pub started_on: NaiveDate,
    pub due_on: NaiveDate,
    /// Open and past its due date (today, or `as_of` in a list).
    pub overdue: bool,
    pub result: Option<SelfInspectionResult>,
    pub result_label_vi: Option<&'static str>,
    pub findings: Option<String>,
    pub handling: Option<InspectionHandling>,
    pub handling_label_vi: Option<&'static str>,
    pub follow_up: Option<FollowUp>,
    pub opened_by: Option<String>,
    #[serde(with = "crate::service::timestamp::utc")]
    pub opened_at: NaiveDateTime,
    pub recorded_by: Option<String>,
    #[serde(with = "crate::service::timestamp::utc_option")]
    pub recorded_at: Option<NaiveDateTime>,
}

fn responses(
    conn: &mut Conn,
    views: Vec<InspectionView>,
    on: NaiveDate,
) -> ApiResult<Vec<SelfInspectionResponse>> {
    let map = summaries(conn, views.iter().map(|v| &v.document))?;
    views
        .into_iter()
        .map(|v| {
            let s = v.inspection;
            let state: InspectionState = parse(&s.state)?;
            let result: Option<SelfInspectionResult> =
                s.result.as_deref().map(parse).transpose()?;
            let handling: Option<InspectionHandling> =
                s.handling.as_deref().map(parse).transpose()?;
            Ok(SelfInspectionResponse {
                document: map
                    .get(&v.document.id)
                    .cloned()
                    .ok_or_else(|| AppError::internal("document summary missing"))?,
                overdue: is_overdue(state, s.due_on, on),
                state_label_vi: state.label_vi(),
                state,
                result_label_vi: result.map(SelfInspectionResult::label_vi),
                result,
                handling_label_vi: handling.map(InspectionHandling::label_vi),
                handling,
                follow_up: v
                    .follow_up
                    .map(|f| -> ApiResult<FollowUp> {
                        Ok(FollowUp {
                            action: f.action.as_deref().map(parse).transpose()?,
                            open: f.resolved_at.is_none(),
                            flag_id: f.id,
                            resolved_at: f.resolved_at,
                            resolution: f.resolution,
                        })
                    })
                    .transpose()?,
                id: s.id,
                started_on: s.started_on,
                due_on: s.due_on,
                findings: s.findings,
                opened_by: s.opened_by,
                opened_at: s.opened_at,
                recorded_by: s.recorded_by,
                recorded_at: s.recorded_at,
            })
        })
        .collect()
}

fn one(conn: &mut Conn, v: InspectionView) -> ApiResult<SelfInspectionResponse> {
    responses(conn, vec![v], today())?
        .pop()
        .ok_or_else(|| AppError::internal("empty response"))
}

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
    let out = st
        .db
        .run(move |conn| {
            let views = svc::list(
                conn,
                &caller,
                &ListQuery {
                    overdue_on: (q.overdue == Some(true)).then_some(on),
                    state: q.state,
                    issuer: q.issuer,
                    document_id,
                    limit,
                },
            )?;
            responses(conn, views, on)
        })
        .await?;
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
    let out = st
        .db
        .run(move |conn| {
            let v = svc::get(conn, &caller, &id)?;
            one(conn, v)
        })
        .await?;
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
    let out = st
        .db
        .tx(move |conn| {
            let v = svc::record_result(conn, &caller, &id, &body)?;
            one(conn, v)
        })
        .await?;
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
    let out = st
        .db
        .tx(move |conn| {
            let row = svc::open_for_document(conn, &caller, &id)?;
            let v = svc::get(conn, &caller, &row.id)?;
            one(conn, v)
        })
        .await?;
    let mut resp = HttpResponse::Created().json(&out);
    if let Ok(v) = header::HeaderValue::from_str(&format!("/api/v1/self-inspections/{}", out.id)) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    Ok(resp)
}
