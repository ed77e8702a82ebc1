//! /api/v1/review-campaigns, /api/v1/review-items, /api/v1/review-flags: review of
//! promulgated documents (rà soát).

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{get, post, put, web, HttpResponse};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::dto::OrgUnitRef;
use super::responses::{BodyErrors, IfMatchErrors, ReadErrors, WriteErrors};
use super::{parse_id, tagged, AuthUser, IfMatch, Json, State};
use crate::db::models::{Document, ReviewFlag, ReviewItem};
use crate::db::{self, Conn};
use crate::domain::review::{
    CampaignState, InspectionHandling, ResultCounts, ReviewFlagCause, ReviewResult,
};
use crate::error::{ApiResult, AppError};
pub use crate::service::dto::{summaries, unit_ref, DocumentSummary};
use crate::service::parse_stored as parse;
use crate::service::review::{
    self as svc, AgencyProgress, AssignRequest, CampaignView, CloseCampaignRequest,
    CreateCampaignRequest, FlagQuery, FlagView, ItemQuery, RecordReviewRequest,
};
use actix_web::http::StatusCode;

fn summary(map: &HashMap<String, DocumentSummary>, id: &str) -> ApiResult<DocumentSummary> {
    map.get(id)
        .cloned()
        .ok_or_else(|| AppError::internal("document summary missing"))
}

// ---- flags ----

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewFlagResponse {
    pub id: String,
    /// The document to review.
    pub document: DocumentSummary,
    pub cause_kind: ReviewFlagCause,
    pub cause_label_vi: &'static str,
    /// The document that changed its legal basis (absent for a self-inspection follow-up).
    pub cause_document: Option<DocumentSummary>,
    pub cause_relation_id: Option<String>,
    pub cause_self_inspection_id: Option<String>,
    /// For a self-inspection follow-up: the handling decided.
    pub action: Option<InspectionHandling>,
    /// The cause in words.
    pub detail: String,
    #[serde(with = "crate::service::timestamp::utc")]
    pub created_at: NaiveDateTime,
    pub open: bool,
    #[serde(with = "crate::service::timestamp::utc_option")]
    pub resolved_at: Option<NaiveDateTime>,
    pub resolved_by: Option<String>,
    pub resolution: Option<String>,
}

fn flag_responses(conn: &mut Conn, views: Vec<FlagView>) -> ApiResult<Vec<ReviewFlagResponse>> {
    let map = summaries(
        conn,
        views
            .iter()
            .flat_map(|v| std::iter::once(&v.document).chain(v.cause_document.as_ref())),
    )?;
    views
        .into_iter()
        .map(|v| {
            let f: ReviewFlag = v.flag;
            let cause: ReviewFlagCause = parse(&f.cause_kind)?;
            Ok(ReviewFlagResponse {
                document: summary(&map, &v.document.id)?,
                cause_document: v
                    .cause_document
                    .as_ref()
                    .map(|d| summary(&map, &d.id))
                    .transpose()?,
                cause_label_vi: cause.label_vi(),
                cause_kind: cause,
                action: f.action.as_deref().map(parse).transpose()?,
                open: f.resolved_at.is_none(),
                id: f.id,
                cause_relation_id: f.cause_relation_id,
                cause_self_inspection_id: f.cause_self_inspection_id,
                detail: f.detail,
                created_at: f.created_at,
                resolved_at: f.resolved_at,
                resolved_by: f.resolved_by,
                resolution: f.resolution,
            })
        })
        .collect()
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FlagState {
    Open,
    Resolved,
    All,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FlagListQuery {
    /// Flags of this document.
    pub document: Option<String>,
    /// Flags of documents of this issuer (org unit id or code).
    pub issuer: Option<String>,
    /// `open` (default), `resolved` or `all`.
    pub state: Option<FlagState>,
    /// 1 to 500, default 100.
    pub limit: Option<i64>,
}

fn limit_of(limit: Option<i64>) -> ApiResult<i64> {
    let limit = limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(AppError::invalid("limit", "between 1 and 500"));
    }
    Ok(limit)
}

/// Documents flagged for review: their legal basis was amended, replaced, repealed or
/// suspended, or their self-inspection asked for handling. Newest first.
#[utoipa::path(
    tag = "review",
    params(FlagListQuery),
    responses((status = 200, body = Vec<ReviewFlagResponse>), ReadErrors),
    security(("bearer" = []))
)]
#[get("/review-flags")]
pub async fn list_review_flags(
    st: State,
    user: AuthUser,
    query: web::Query<FlagListQuery>,
) -> ApiResult<HttpResponse> {
    let q = query.into_inner();
    let limit = limit_of(q.limit)?;
    let document_id = q.document.as_deref().map(parse_id).transpose()?;
    let caller = user.caller;
    let out = st
        .db
        .run(move |conn| {
            let views = svc::list_flags(
                conn,
                &caller,
                &FlagQuery {
                    document_id,
                    issuer: q.issuer,
                    open: match q.state.unwrap_or(FlagState::Open) {
                        FlagState::Open => Some(true),
                        FlagState::Resolved => Some(false),
                        FlagState::All => None,
                    },
                    limit,
                },
            )?;
            flag_responses(conn, views)
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveFlagRequest {
    /// What was done: the document was amended by ..., reviewed and still appropriate, ...
    pub resolution: String,
}

/// Resolve a flag with a note (once: a resolved flag is a 409).
#[utoipa::path(
    tag = "review",
    params(("id" = String, Path)),
    request_body = ResolveFlagRequest,
    responses((status = 200, body = ReviewFlagResponse), WriteErrors, BodyErrors),
    security(("bearer" = []))
)]
#[post("/review-flags/{id}/resolve")]
pub async fn resolve_review_flag(
    st: State,
    user: AuthUser,
    id: web::Path<String>,
    body: Json<ResolveFlagRequest>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&id)?;
    let caller = user.caller;
    let out = st
        .db
        .tx(move |conn| {
            let v = svc::resolve_flag(conn, &caller, &id, &body.resolution)?;
            flag_responses(conn, vec![v])?
                .pop()
                .ok_or_else(|| AppError::internal("empty flag"))
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

// ---- campaigns ----

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CampaignResponse {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    /// The criteria the campaign was opened with.
    #[schema(value_type = Object)]
    pub selection: serde_json::Value,
    pub state: CampaignState,
    pub state_label_vi: &'static str,
    /// Documents covered.
    pub total: i64,
    /// Documents with a result.
    pub reviewed: i64,
    pub unreviewed: i64,
    pub by_result: ResultCounts,
    pub created_by: Option<String>,
    #[serde(with = "crate::service::timestamp::utc")]
    pub created_at: NaiveDateTime,
    #[serde(with = "crate::service::timestamp::utc_option")]
    pub closed_at: Option<NaiveDateTime>,
    pub closed_by: Option<String>,
    pub close_reason: Option<String>,
}

impl CampaignResponse {
    fn from_view(v: CampaignView) -> ApiResult<Self> {
        let c = v.campaign;
        let state: CampaignState = parse(&c.state)?;
        Ok(CampaignResponse {
            selection: serde_json::from_str(&c.selection).map_err(AppError::internal)?,
            state_label_vi: state.label_vi(),
            state,
            total: v.total,
            reviewed: v.reviewed,
            unreviewed: v.total - v.reviewed,
            by_result: v.by_result,
            id: c.id,
            name: c.name,
            description: c.description,
            created_by: c.created_by,
            created_at: c.created_at,
            closed_at: c.closed_at,
            closed_by: c.closed_by,
            close_reason: c.close_reason,
        })
    }
}

/// Review campaigns, newest first, each with how many documents it covers, how many
/// are reviewed and the counts by result.
#[utoipa::path(
    tag = "review",
    responses((status = 200, body = Vec<CampaignResponse>), ReadErrors),
    security(("bearer" = []))
)]
#[get("/review-campaigns")]
pub async fn list_review_campaigns(st: State, user: AuthUser) -> ApiResult<HttpResponse> {
    let caller = user.caller;
    let views = st
        .db
        .run(move |conn| svc::list_campaigns(conn, &caller))
        .await?;
    let out: Vec<CampaignResponse> = views
        .into_iter()
        .map(CampaignResponse::from_view)
        .collect::<ApiResult<_>>()?;
    Ok(HttpResponse::Ok().json(out))
}

/// Open a review campaign over the published documents of some issuers, kinds and
/// signing dates (all of them that apply), or over a list of documents.
#[utoipa::path(
    tag = "review",
    request_body = CreateCampaignRequest,
    responses((status = 201, body = CampaignResponse), WriteErrors, BodyErrors),
    security(("bearer" = []))
)]
#[post("/review-campaigns")]
pub async fn create_review_campaign(
    st: State,
    user: AuthUser,
    body: Json<CreateCampaignRequest>,
) -> ApiResult<HttpResponse> {
    let caller = user.caller;
    let view = st
        .db
        .tx(move |conn| svc::create_campaign(conn, &caller, &body))
        .await?;
    let out = CampaignResponse::from_view(view)?;
    let mut resp = HttpResponse::Created().json(&out);
    if let Ok(v) = header::HeaderValue::from_str(&format!("/api/v1/review-campaigns/{}", out.id)) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    Ok(resp)
}

/// One campaign with its counts.
#[utoipa::path(
    tag = "review",
    params(("id" = String, Path)),
    responses((status = 200, body = CampaignResponse), ReadErrors),
    security(("bearer" = []))
)]
#[get("/review-campaigns/{id}")]
pub async fn get_review_campaign(
    st: State,
    user: AuthUser,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&id)?;
    let caller = user.caller;
    let view = st
        .db
        .run(move |conn| svc::get_campaign(conn, &caller, &id))
        .await?;
    Ok(HttpResponse::Ok().json(CampaignResponse::from_view(view)?))
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewItemResponse {
    pub id: String,
    pub campaign_id: String,
    pub document: DocumentSummary,
    /// The agency that reviews it.
    pub assignee: Option<OrgUnitRef>,
    pub result: Option<ReviewResult>,
    pub result_label_vi: Option<&'static str>,
    pub reasons: Option<String>,
    pub proposed_action: Option<String>,
    pub reviewed_by: Option<String>,
    #[serde(with = "crate::service::timestamp::utc_option")]
    pub reviewed_at: Option<NaiveDateTime>,
    #[serde(with = "crate::service::timestamp::utc")]
    pub updated_at: NaiveDateTime,
    /// Send `If-Match` with the ETag (built from this) to record a result.
    pub row_version: i32,
}

fn item_responses(
    conn: &mut Conn,
    rows: Vec<(ReviewItem, Document)>,
) -> ApiResult<Vec<ReviewItemResponse>> {
    let map = summaries(conn, rows.iter().map(|(_, d)| d))?;
    let unit_ids: Vec<&str> = rows
        .iter()
        .filter_map(|(i, _)| i.assignee_id.as_deref())
        .collect();
    let units = db::org_units::by_ids(conn, &unit_ids)?;
    rows.into_iter()
        .map(|(i, d)| {
            let result: Option<ReviewResult> = i.result.as_deref().map(parse).transpose()?;
            Ok(ReviewItemResponse {
                document: summary(&map, &d.id)?,
                assignee: i
                    .assignee_id
                    .as_ref()
                    .and_then(|a| units.get(a))
                    .map(unit_ref),
                result_label_vi: result.map(ReviewResult::label_vi),
                result,
                id: i.id,
                campaign_id: i.campaign_id,
                reasons: i.reasons,
                proposed_action: i.proposed_action,
                reviewed_by: i.reviewed_by,
                reviewed_at: i.reviewed_at,
                updated_at: i.updated_at,
                row_version: i.row_version,
            })
        })
        .collect()
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ItemListQuery {
    /// Items assigned to this org unit (id or code).
    pub assignee: Option<String>,
    pub result: Option<ReviewResult>,
    /// `true`: only items with a result; `false`: only those without.
    pub reviewed: Option<bool>,
}

/// The items of a campaign: one per document, in the campaign's order.
#[utoipa::path(
    tag = "review",
    params(("id" = String, Path), ItemListQuery),
    responses((status = 200, body = Vec<ReviewItemResponse>), ReadErrors),
    security(("bearer" = []))
)]
#[get("/review-campaigns/{id}/items")]
pub async fn list_review_items(
    st: State,
    user: AuthUser,
    id: web::Path<String>,
    query: web::Query<ItemListQuery>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&id)?;
    let q = query.into_inner();
    let caller = user.caller;
    let out = st
        .db
        .run(move |conn| {
            let rows = svc::items(
                conn,
                &caller,
                &id,
                &ItemQuery {
                    assignee: q.assignee,
                    result: q.result,
                    reviewed: q.reviewed,
                },
            )?;
            item_responses(conn, rows)
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgencyProgressResponse {
    /// The agency; absent for the items not assigned yet.
    pub agency: Option<OrgUnitRef>,
    pub total: i64,
    pub reviewed: i64,
    pub by_result: ResultCounts,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProgressResponse {
    pub campaign_id: String,
    pub state: CampaignState,
    pub total: i64,
    pub reviewed: i64,
    pub unreviewed: i64,
    pub by_result: ResultCounts,
    pub by_agency: Vec<AgencyProgressResponse>,
}

/// How far a campaign is: reviewed / total, by result and by agency.
#[utoipa::path(
    tag = "review",
    params(("id" = String, Path)),
    responses((status = 200, body = ProgressResponse), ReadErrors),
    security(("bearer" = []))
)]
#[get("/review-campaigns/{id}/progress")]
pub async fn review_campaign_progress(
    st: State,
    user: AuthUser,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&id)?;
    let caller = user.caller;
    let out = st
        .db
        .run(move |conn| -> ApiResult<ProgressResponse> {
            let (view, agencies): (CampaignView, Vec<AgencyProgress>) =
                svc::progress(conn, &caller, &id)?;
            let ids: Vec<&str> = agencies
                .iter()
                .filter_map(|a| a.agency_id.as_deref())
                .collect();
            let units = db::org_units::by_ids(conn, &ids)?;
            let mut by_agency: Vec<AgencyProgressResponse> = agencies
                .iter()
                .map(|a| AgencyProgressResponse {
                    agency: a
                        .agency_id
                        .as_ref()
                        .and_then(|i| units.get(i))
                        .map(unit_ref),
                    total: a.total,
                    reviewed: a.reviewed,
                    by_result: a.by_result,
                })
                .collect();
            // Agencies by code, the unassigned items last.
            by_agency.sort_by(|a, b| {
                let key = |x: &AgencyProgressResponse| {
                    x.agency
                        .as_ref()
                        .map(|u| (0, u.code.clone()))
                        .unwrap_or((1, String::new()))
                };
                key(a).cmp(&key(b))
            });
            Ok(ProgressResponse {
                campaign_id: view.campaign.id.clone(),
                state: parse(&view.campaign.state)?,
                total: view.total,
                reviewed: view.reviewed,
                unreviewed: view.total - view.reviewed,
                by_result: view.by_result,
                by_agency,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Assign items of an open campaign to an agency (or take them back with `null`).
#[utoipa::path(
    tag = "review",
    params(("id" = String, Path)),
    request_body = AssignRequest,
    responses((status = 200, body = Vec<ReviewItemResponse>), WriteErrors, BodyErrors),
    security(("bearer" = []))
)]
#[post("/review-campaigns/{id}/assignments")]
pub async fn assign_review_items(
    st: State,
    user: AuthUser,
    id: web::Path<String>,
    body: Json<AssignRequest>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&id)?;
    let caller = user.caller;
    let out = st
        .db
        .tx(move |conn| {
            let rows = svc::assign(conn, &caller, &id, &body)?;
            item_responses(conn, rows)
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Close a campaign. Items without a result keep it open unless `force` is set with a
/// `reason` (409 `campaign_has_unreviewed_items`); a closed campaign is final.
#[utoipa::path(
    tag = "review",
    params(("id" = String, Path)),
    request_body = CloseCampaignRequest,
    responses((status = 200, body = CampaignResponse), WriteErrors, BodyErrors),
    security(("bearer" = []))
)]
#[post("/review-campaigns/{id}/close")]
pub async fn close_review_campaign(
    st: State,
    user: AuthUser,
    id: web::Path<String>,
    body: Json<CloseCampaignRequest>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&id)?;
    let caller = user.caller;
    let view = st
        .db
        .tx(move |conn| svc::close_campaign(conn, &caller, &id, &body))
        .await?;
    Ok(HttpResponse::Ok().json(CampaignResponse::from_view(view)?))
}

/// One item of a campaign, with its ETag.
#[utoipa::path(
    tag = "review",
    params(("id" = String, Path)),
    responses(
        (status = 200, body = ReviewItemResponse, headers(("ETag" = String))),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/review-items/{id}")]
pub async fn get_review_item(
    st: State,
    user: AuthUser,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&id)?;
    let caller = user.caller;
    let item = st
        .db
        .run(move |conn| {
            let row = svc::get_item(conn, &caller, &id)?;
            item_responses(conn, vec![row])?
                .pop()
                .ok_or_else(|| AppError::internal("empty item"))
        })
        .await?;
    Ok(tagged(StatusCode::OK, &item.id, item.row_version, &item))
}

/// Record (or correct) the result of reviewing one document: still_appropriate, amend,
/// replace, repeal or expired, with reasons and the action proposed. The staff of the
/// assigned agency or a legal officer; send `If-Match`.
#[utoipa::path(
    tag = "review",
    params(("id" = String, Path), ("If-Match" = String, Header)),
    request_body = RecordReviewRequest,
    responses(
        (status = 200, body = ReviewItemResponse, headers(("ETag" = String))),
        WriteErrors, BodyErrors, IfMatchErrors
    ),
    security(("bearer" = []))
)]
#[put("/review-items/{id}/result")]
pub async fn record_review_result(
    st: State,
    user: AuthUser,
    id: web::Path<String>,
    if_match: IfMatch,
    body: Json<RecordReviewRequest>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&id)?;
    let version = if_match.row_version()?;
    let caller = user.caller;
    let item = st
        .db
        .tx(move |conn| {
            let row = svc::record_item(conn, &caller, &id, version, &body)?;
            item_responses(conn, vec![row])?
                .pop()
                .ok_or_else(|| AppError::internal("empty item"))
        })
        .await?;
    Ok(tagged(StatusCode::OK, &item.id, item.row_version, &item))
}
