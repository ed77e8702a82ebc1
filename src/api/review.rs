//! /api/v1/review-campaigns, /api/v1/review-items, /api/v1/review-flags: review of
//! promulgated documents (rà soát).
//!
//! Also the small pieces the legal workflow's handlers share ([`Id`], [`Reply`], [`ok`],
//! [`created`]).

use actix_web::http::{header, StatusCode};
use actix_web::{get, post, put, web, HttpResponse};
use serde::Serialize;

use super::responses::{BodyErrors, IfMatchErrors, ReadErrors, WriteErrors};
use super::{parse_id, tagged, AuthUser, IfMatch, Json, State};
use crate::error::ApiResult;
use crate::service::review::{self as svc, ItemListQuery};
pub use crate::service::review::{
    AgencyProgressResponse, AssignRequest, CampaignResponse, CloseCampaignRequest,
    CreateCampaignRequest, FlagListQuery, FlagState, ProgressResponse, RecordReviewRequest,
    ResolveFlagRequest, ReviewFlagResponse, ReviewItemResponse,
};

/// The id in a route's path, as sent (see [`parse_id`]).
pub(super) type Id = web::Path<String>;
/// What a handler answers.
pub(super) type Reply = ApiResult<HttpResponse>;

/// 200 with a JSON body.
pub(super) fn ok<T: Serialize>(body: T) -> Reply {
    Ok(HttpResponse::Ok().json(body))
}

/// 201 with a JSON body and the `Location` of what was made.
pub(super) fn created<T: Serialize>(location: String, body: &T) -> Reply {
    let mut resp = HttpResponse::Created().json(body);
    if let Ok(v) = header::HeaderValue::from_str(&location) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    Ok(resp)
}

/// 200 with an item and its ETag, for the next `If-Match`.
fn tagged_item(item: ReviewItemResponse) -> Reply {
    Ok(tagged(StatusCode::OK, &item.id, item.row_version, &item))
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
pub async fn list_review_flags(st: State, user: AuthUser, q: web::Query<FlagListQuery>) -> Reply {
    ok(svc::review_flags(&st.db, user.caller, q.into_inner()).await?)
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
    id: Id,
    body: Json<ResolveFlagRequest>,
) -> Reply {
    let id = parse_id(&id)?;
    ok(svc::resolve_review_flag(&st.db, user.caller, id, body.0).await?)
}

/// Review campaigns, newest first, each with how many documents it covers, how many
/// are reviewed and the counts by result.
#[utoipa::path(
    tag = "review",
    responses((status = 200, body = Vec<CampaignResponse>), ReadErrors),
    security(("bearer" = []))
)]
#[get("/review-campaigns")]
pub async fn list_review_campaigns(st: State, user: AuthUser) -> Reply {
    ok(svc::review_campaigns(&st.db, user.caller).await?)
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
) -> Reply {
    let out = svc::open_review_campaign(&st.db, user.caller, body.0).await?;
    created(format!("/api/v1/review-campaigns/{}", out.id), &out)
}

/// One campaign with its counts.
#[utoipa::path(
    tag = "review",
    params(("id" = String, Path)),
    responses((status = 200, body = CampaignResponse), ReadErrors),
    security(("bearer" = []))
)]
#[get("/review-campaigns/{id}")]
pub async fn get_review_campaign(st: State, user: AuthUser, id: Id) -> Reply {
    ok(svc::review_campaign(&st.db, user.caller, parse_id(&id)?).await?)
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
    id: Id,
    q: web::Query<ItemListQuery>,
) -> Reply {
    let id = parse_id(&id)?;
    ok(svc::review_items(&st.db, user.caller, id, q.into_inner()).await?)
}

/// How far a campaign is: reviewed / total, by result and by agency.
#[utoipa::path(
    tag = "review",
    params(("id" = String, Path)),
    responses((status = 200, body = ProgressResponse), ReadErrors),
    security(("bearer" = []))
)]
#[get("/review-campaigns/{id}/progress")]
pub async fn review_campaign_progress(st: State, user: AuthUser, id: Id) -> Reply {
    ok(svc::review_progress(&st.db, user.caller, parse_id(&id)?).await?)
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
    id: Id,
    body: Json<AssignRequest>,
) -> Reply {
    let id = parse_id(&id)?;
    ok(svc::assign_review_items(&st.db, user.caller, id, body.0).await?)
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
    id: Id,
    body: Json<CloseCampaignRequest>,
) -> Reply {
    let id = parse_id(&id)?;
    ok(svc::close_review_campaign(&st.db, user.caller, id, body.0).await?)
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
pub async fn get_review_item(st: State, user: AuthUser, id: Id) -> Reply {
    tagged_item(svc::review_item(&st.db, user.caller, parse_id(&id)?).await?)
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
    id: Id,
    if_match: IfMatch,
    body: Json<RecordReviewRequest>,
) -> Reply {
    let id = parse_id(&id)?;
    let version = if_match.row_version()?;
    tagged_item(svc::record_review_result(&st.db, user.caller, id, version, body.0).await?)
}
