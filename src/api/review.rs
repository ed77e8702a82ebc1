//! /api/v1/review-campaigns, /api/v1/review-items, /api/v1/review-flags: review of
//! promulgated documents (rà soát).
//!
//! Also the small pieces the legal workflow's handlers share ([`Id`], [`Reply`], [`ok`],
//! [`created`]).

use actix_web::http::{header, StatusCode};
use actix_web::{get, post, put, web, HttpResponse};
use serde::Serialize;

use super::responses::{BodyErrors, IfMatchErrors, ReadErrors, WriteErrors};
use super::route::routes;
use super::tagged;
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

routes! {
    tag "review";

    /// Documents flagged for review: their legal basis was amended, replaced, repealed or
    /// suspended, or their self-inspection asked for handling. Newest first.
    get "/review-flags" => list_review_flags(st, caller: Auth, q: Query<FlagListQuery>)
        -> [(status = 200, body = Vec<ReviewFlagResponse>), ReadErrors]
        { ok(svc::review_flags(&st.db, caller, q).await?) }

    /// Resolve a flag with a note (once: a resolved flag is a 409).
    post "/review-flags/{id}/resolve"
        => resolve_review_flag(st, caller: Auth, id: Path, body: Json<ResolveFlagRequest>)
        -> [(status = 200, body = ReviewFlagResponse), WriteErrors, BodyErrors]
        { ok(svc::resolve_review_flag(&st.db, caller, id, body).await?) }

    /// Review campaigns, newest first, each with how many documents it covers, how many
    /// are reviewed and the counts by result.
    get "/review-campaigns" => list_review_campaigns(st, caller: Auth)
        -> [(status = 200, body = Vec<CampaignResponse>), ReadErrors]
        { ok(svc::review_campaigns(&st.db, caller).await?) }

    /// Open a review campaign over the published documents of some issuers, kinds and
    /// signing dates (all of them that apply), or over a list of documents.
    post "/review-campaigns"
        => create_review_campaign(st, caller: Auth, body: Json<CreateCampaignRequest>)
        -> [(status = 201, body = CampaignResponse), WriteErrors, BodyErrors]
        {
            let out = svc::open_review_campaign(&st.db, caller, body).await?;
            created(format!("/api/v1/review-campaigns/{}", out.id), &out)
        }

    /// One campaign with its counts.
    get "/review-campaigns/{id}" => get_review_campaign(st, caller: Auth, id: Path)
        -> [(status = 200, body = CampaignResponse), ReadErrors]
        { ok(svc::review_campaign(&st.db, caller, id).await?) }

    /// The items of a campaign: one per document, in the campaign's order.
    get "/review-campaigns/{id}/items"
        => list_review_items(st, caller: Auth, id: Path, q: Query<ItemListQuery>)
        -> [(status = 200, body = Vec<ReviewItemResponse>), ReadErrors]
        { ok(svc::review_items(&st.db, caller, id, q).await?) }

    /// How far a campaign is: reviewed / total, by result and by agency.
    get "/review-campaigns/{id}/progress" => review_campaign_progress(st, caller: Auth, id: Path)
        -> [(status = 200, body = ProgressResponse), ReadErrors]
        { ok(svc::review_progress(&st.db, caller, id).await?) }

    /// Assign items of an open campaign to an agency (or take them back with `null`).
    post "/review-campaigns/{id}/assignments"
        => assign_review_items(st, caller: Auth, id: Path, body: Json<AssignRequest>)
        -> [(status = 200, body = Vec<ReviewItemResponse>), WriteErrors, BodyErrors]
        { ok(svc::assign_review_items(&st.db, caller, id, body).await?) }

    /// Close a campaign. Items without a result keep it open unless `force` is set with a
    /// `reason` (409 `campaign_has_unreviewed_items`); a closed campaign is final.
    post "/review-campaigns/{id}/close"
        => close_review_campaign(st, caller: Auth, id: Path, body: Json<CloseCampaignRequest>)
        -> [(status = 200, body = CampaignResponse), WriteErrors, BodyErrors]
        { ok(svc::close_review_campaign(&st.db, caller, id, body).await?) }

    /// One item of a campaign, with its ETag.
    get "/review-items/{id}" => get_review_item(st, caller: Auth, id: Path)
        -> [(status = 200, body = ReviewItemResponse, headers(("ETag" = String))), ReadErrors]
        { tagged_item(svc::review_item(&st.db, caller, id).await?) }

    /// Record (or correct) the result of reviewing one document: still_appropriate, amend,
    /// replace, repeal or expired, with reasons and the action proposed. The staff of the
    /// assigned agency or a legal officer; send `If-Match`.
    put "/review-items/{id}/result" => record_review_result(
        st, caller: Auth, (id, version): IfMatch, body: Json<RecordReviewRequest>
    ) -> [
        (status = 200, body = ReviewItemResponse, headers(("ETag" = String))),
        WriteErrors, BodyErrors, IfMatchErrors
    ] { tagged_item(svc::record_review_result(&st.db, caller, id, version, body).await?) }
}
