//! /api/v1/iso: ISO 9001 document control (clause 7.5) — quality documents and their
//! control metadata, change requests, the revision workflow, controlled copies,
//! acknowledgements, periodic review and the compliance report.

use actix_web::http::{header, StatusCode};
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::documents::today;
use super::dto::ReasonRequest;
use super::responses::{BodyErrors, IfMatchErrors, ReadErrors, WriteErrors};
use super::{parse_id, tagged, AuthUser, IfMatch, Json, State};
use crate::error::{ApiResult, AppError};
use crate::service::iso::{
    self as svc, AcceptChangeRequest, AcknowledgeRequest, AcknowledgementResponse,
    AcknowledgementsResponse, ChangeRequestResponse, CommentRequest, ComplianceReport,
    ControlledCopyResponse, CreateIsoDocumentRequest, DiffResponse, DueReviewResponse,
    IsoDocumentResponse, IsoRevisionResponse, IssueRequest, RaiseChangeRequest,
    ReviewCommentResponse, ReviewRequest, ReviewResponse, UpdateIsoDocumentRequest,
};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OwnerQuery {
    /// Owner agency: org unit id or code.
    pub owner: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DueQuery {
    /// Owner agency: org unit id or code.
    pub owner: Option<String>,
    /// Reviews due within this many days count (0 to 366, default 30); overdue ones always do.
    pub within_days: Option<i64>,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ReportFormat {
    Json,
    Csv,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ComplianceQuery {
    /// Owner agency: org unit id or code; every agency when absent.
    pub owner: Option<String>,
    /// Reviews due within this many days count as due (0 to 366, default 30).
    pub within_days: Option<i64>,
    /// `json` (default) or `csv`; `Accept: text/csv` also selects CSV.
    pub format: Option<ReportFormat>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CopiesQuery {
    /// Only copies asked back and not yet returned.
    pub outstanding: Option<bool>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DiffQuery {
    /// The version to compare with (default: the revision this one follows).
    pub against: Option<String>,
}

fn within(days: Option<i64>) -> ApiResult<i64> {
    let d = days.unwrap_or(30);
    if (0..=366).contains(&d) {
        Ok(d)
    } else {
        Err(AppError::invalid("within_days", "between 0 and 366"))
    }
}

fn document(status: StatusCode, d: IsoDocumentResponse) -> HttpResponse {
    tagged(status, &d.id, d.row_version, &d)
}

fn revision(r: IsoRevisionResponse) -> HttpResponse {
    tagged(StatusCode::OK, &r.version_id, r.row_version, &r)
}

fn change_request(status: StatusCode, c: ChangeRequestResponse) -> HttpResponse {
    tagged(status, &c.id, c.row_version, &c)
}

/// Quality documents with their control metadata and current revision.
#[utoipa::path(
    tag = "iso",
    params(OwnerQuery),
    responses((status = 200, body = Vec<IsoDocumentResponse>), ReadErrors),
    security(("bearer" = []))
)]
#[get("/iso/documents")]
pub async fn list_iso_documents(
    st: State,
    user: AuthUser,
    query: web::Query<OwnerQuery>,
) -> ApiResult<HttpResponse> {
    let caller = user.caller;
    let owner = query.into_inner().owner;
    let list = st
        .db
        .run(move |conn| svc::list(conn, &caller, owner.as_deref(), today()))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// Register a quality document (ISO controller of the owner agency), with its code,
/// review and retention periods, distribution list and, optionally, its first draft.
#[utoipa::path(
    tag = "iso",
    request_body = CreateIsoDocumentRequest,
    responses(
        (status = 201, body = IsoDocumentResponse, headers(("ETag" = String))),
        WriteErrors, BodyErrors
    ),
    security(("bearer" = []))
)]
#[post("/iso/documents")]
pub async fn create_iso_document(
    st: State,
    user: AuthUser,
    body: Json<CreateIsoDocumentRequest>,
) -> ApiResult<HttpResponse> {
    let caller = user.caller;
    let d = st
        .db
        .tx(move |conn| {
            let doc = svc::create(conn, &caller, &body)?;
            svc::get(conn, &caller, &doc.id, today())
        })
        .await?;
    let location = format!("/api/v1/iso/documents/{}", d.id);
    let mut resp = document(StatusCode::CREATED, d);
    if let Ok(v) = header::HeaderValue::from_str(&location) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    Ok(resp)
}

/// A quality document: control metadata, current and open revision, distribution list.
#[utoipa::path(
    tag = "iso",
    params(("id" = String, Path)),
    responses(
        (status = 200, body = IsoDocumentResponse, headers(("ETag" = String))),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/iso/documents/{id}")]
pub async fn get_iso_document(
    st: State,
    user: AuthUser,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&id)?;
    let caller = user.caller;
    let d = st
        .db
        .run(move |conn| svc::get(conn, &caller, &id, today()))
        .await?;
    Ok(document(StatusCode::OK, d))
}

/// Change the control metadata or the distribution list (send `If-Match`).
#[utoipa::path(
    tag = "iso",
    params(("id" = String, Path), ("If-Match" = String, Header)),
    request_body = UpdateIsoDocumentRequest,
    responses(
        (status = 200, body = IsoDocumentResponse, headers(("ETag" = String))),
        WriteErrors, BodyErrors, IfMatchErrors
    ),
    security(("bearer" = []))
)]
#[patch("/iso/documents/{id}")]
pub async fn update_iso_document(
    st: State,
    user: AuthUser,
    id: web::Path<String>,
    if_match: IfMatch,
    body: Json<UpdateIsoDocumentRequest>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&id)?;
    let expected = if_match.row_version()?;
    let caller = user.caller;
    let d = st
        .db
        .tx(move |conn| {
            svc::update(conn, &caller, &id, expected, &body)?;
            svc::get(conn, &caller, &id, today())
        })
        .await?;
    Ok(document(StatusCode::OK, d))
}

/// Every revision of a quality document with its state, oldest first.
#[utoipa::path(
    tag = "iso",
    params(("id" = String, Path)),
    responses((status = 200, body = Vec<IsoRevisionResponse>), ReadErrors),
    security(("bearer" = []))
)]
#[get("/iso/documents/{id}/revisions")]
pub async fn list_iso_revisions(
    st: State,
    user: AuthUser,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&id)?;
    let caller = user.caller;
    let list = st
        .db
        .run(move |conn| svc::revisions(conn, &caller, &id))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// One revision: state, revision number, effective date, what replaced it, and the
/// obsolete stamp it must carry when it is superseded or withdrawn.
#[utoipa::path(
    tag = "iso",
    params(("id" = String, Path)),
    responses(
        (status = 200, body = IsoRevisionResponse, headers(("ETag" = String))),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/iso/revisions/{id}")]
pub async fn get_iso_revision(
    st: State,
    user: AuthUser,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&id)?;
    let caller = user.caller;
    let r = st
        .db
        .run(move |conn| svc::revision(conn, &caller, &id))
        .await?;
    Ok(revision(r))
}

/// Submit a draft revision for review (ISO controller of the owner agency; `If-Match`).
#[utoipa::path(
    tag = "iso",
    params(("id" = String, Path), ("If-Match" = String, Header)),
    responses(
        (status = 200, body = IsoRevisionResponse, headers(("ETag" = String))),
        WriteErrors, IfMatchErrors
    ),
    security(("bearer" = []))
)]
#[post("/iso/revisions/{id}/submit")]
pub async fn submit_iso_revision(
    st: State,
    user: AuthUser,
    id: web::Path<String>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&id)?;
    let expected = if_match.row_version()?;
    let caller = user.caller;
    let r = st
        .db
        .tx(move |conn| svc::submit(conn, &caller, &id, expected))
        .await?;
    Ok(revision(r))
}

/// Send a revision under review back to draft, with the reason (approver or the owner's
/// ISO controller; `If-Match`).
#[utoipa::path(
    tag = "iso",
    params(("id" = String, Path), ("If-Match" = String, Header)),
    request_body = ReasonRequest,
    responses(
        (status = 200, body = IsoRevisionResponse, headers(("ETag" = String))),
        WriteErrors, BodyErrors, IfMatchErrors
    ),
    security(("bearer" = []))
)]
#[post("/iso/revisions/{id}/return")]
pub async fn return_iso_revision(
    st: State,
    user: AuthUser,
    id: web::Path<String>,
    if_match: IfMatch,
    body: Json<ReasonRequest>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&id)?;
    let expected = if_match.row_version()?;
    let caller = user.caller;
    let r = st
        .db
        .tx(move |conn| svc::return_to_draft(conn, &caller, &id, expected, &body.reason))
        .await?;
    Ok(revision(r))
}

/// Approve a reviewed revision (approver, never its author; `If-Match`).
#[utoipa::path(
    tag = "iso",
    params(("id" = String, Path), ("If-Match" = String, Header)),
    responses(
        (status = 200, body = IsoRevisionResponse, headers(("ETag" = String))),
        WriteErrors, IfMatchErrors
    ),
    security(("bearer" = []))
)]
#[post("/iso/revisions/{id}/approve")]
pub async fn approve_iso_revision(
    st: State,
    user: AuthUser,
    id: web::Path<String>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&id)?;
    let expected = if_match.row_version()?;
    let caller = user.caller;
    let r = st
        .db
        .tx(move |conn| svc::approve(conn, &caller, &id, expected))
        .await?;
    Ok(revision(r))
}

/// Issue an approved revision: current from its effective date, the previous one
/// superseded, its copies recalled, numbered copies made for the distribution list
/// (ISO controller of the owner agency; `If-Match`).
#[utoipa::path(
    tag = "iso",
    params(("id" = String, Path), ("If-Match" = String, Header)),
    request_body = IssueRequest,
    responses(
        (status = 200, body = IsoRevisionResponse, headers(("ETag" = String))),
        WriteErrors, BodyErrors, IfMatchErrors
    ),
    security(("bearer" = []))
)]
#[post("/iso/revisions/{id}/issue")]
pub async fn issue_iso_revision(
    st: State,
    user: AuthUser,
    id: web::Path<String>,
    if_match: IfMatch,
    body: Json<IssueRequest>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&id)?;
    let expected = if_match.row_version()?;
    let caller = user.caller;
    let r = st
        .db
        .tx(move |conn| svc::issue(conn, &caller, &id, expected, &body, today()))
        .await?;
    Ok(revision(r))
}

/// Abandon a revision not yet issued (ISO controller of the owner agency; `If-Match`).
/// The current revision is withdrawn with its document: `POST /documents/{id}/withdraw`.
#[utoipa::path(
    tag = "iso",
    params(("id" = String, Path), ("If-Match" = String, Header)),
    request_body = ReasonRequest,
    responses(
        (status = 200, body = IsoRevisionResponse, headers(("ETag" = String))),
        WriteErrors, BodyErrors, IfMatchErrors
    ),
    security(("bearer" = []))
)]
#[post("/iso/revisions/{id}/withdraw")]
pub async fn withdraw_iso_revision(
    st: State,
    user: AuthUser,
    id: web::Path<String>,
    if_match: IfMatch,
    body: Json<ReasonRequest>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&id)?;
    let expected = if_match.row_version()?;
    let caller = user.caller;
    let r = st
        .db
        .tx(move |conn| svc::abandon(conn, &caller, &id, expected, &body.reason))
        .await?;
    Ok(revision(r))
}

/// Reviewers' comments on a revision, oldest first.
#[utoipa::path(
    tag = "iso",
    params(("id" = String, Path)),
    responses((status = 200, body = Vec<ReviewCommentResponse>), ReadErrors),
    security(("bearer" = []))
)]
#[get("/iso/revisions/{id}/comments")]
pub async fn list_review_comments(
    st: State,
    user: AuthUser,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&id)?;
    let caller = user.caller;
    let list = st
        .db
        .run(move |conn| svc::comments(conn, &caller, &id))
        .await?;
    let list: Vec<ReviewCommentResponse> = list.into_iter().map(Into::into).collect();
    Ok(HttpResponse::Ok().json(list))
}

/// Comment on a revision while it is in review.
#[utoipa::path(
    tag = "iso",
    params(("id" = String, Path)),
    request_body = CommentRequest,
    responses((status = 201, body = ReviewCommentResponse), WriteErrors, BodyErrors),
    security(("bearer" = []))
)]
#[post("/iso/revisions/{id}/comments")]
pub async fn create_review_comment(
    st: State,
    user: AuthUser,
    id: web::Path<String>,
    body: Json<CommentRequest>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&id)?;
    let caller = user.caller;
    let c = st
        .db
        .tx(move |conn| svc::comment(conn, &caller, &id, &body))
        .await?;
    Ok(HttpResponse::Created().json(ReviewCommentResponse::from(c)))
}

/// What changed: a line diff of the revision's text against another revision of the
/// same document (by default the one it follows).
#[utoipa::path(
    tag = "iso",
    params(("id" = String, Path), DiffQuery),
    responses((status = 200, body = DiffResponse), ReadErrors),
    security(("bearer" = []))
)]
#[get("/iso/revisions/{id}/diff")]
pub async fn diff_iso_revision(
    st: State,
    user: AuthUser,
    id: web::Path<String>,
    query: web::Query<DiffQuery>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&id)?;
    let against = match query.into_inner().against {
        Some(a) => Some(
            uuid::Uuid::parse_str(&a)
                .map(|u| u.to_string())
                .map_err(|_| AppError::invalid("against", "not a version id"))?,
        ),
        None => None,
    };
    let caller = user.caller;
    let d = st
        .db
        .run(move |conn| svc::diff(conn, &caller, &id, against.as_deref()))
        .await?;
    Ok(HttpResponse::Ok().json(d))
}

/// Change requests raised against a document, in order.
#[utoipa::path(
    tag = "iso",
    params(("id" = String, Path)),
    responses((status = 200, body = Vec<ChangeRequestResponse>), ReadErrors),
    security(("bearer" = []))
)]
#[get("/iso/documents/{id}/change-requests")]
pub async fn list_change_requests(
    st: State,
    user: AuthUser,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&id)?;
    let caller = user.caller;
    let list = st
        .db
        .run(move |conn| svc::change_requests(conn, &caller, &id))
        .await?;
    let list = list
        .into_iter()
        .map(ChangeRequestResponse::from_row)
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(HttpResponse::Ok().json(list))
}

/// Raise a change request (phiếu yêu cầu sửa đổi tài liệu) against a document in use:
/// anyone on staff.
#[utoipa::path(
    tag = "iso",
    params(("id" = String, Path)),
    request_body = RaiseChangeRequest,
    responses(
        (status = 201, body = ChangeRequestResponse, headers(("ETag" = String))),
        WriteErrors, BodyErrors
    ),
    security(("bearer" = []))
)]
#[post("/iso/documents/{id}/change-requests")]
pub async fn raise_change_request(
    st: State,
    user: AuthUser,
    id: web::Path<String>,
    body: Json<RaiseChangeRequest>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&id)?;
    let caller = user.caller;
    let c = st
        .db
        .tx(move |conn| svc::raise(conn, &caller, &id, &body))
        .await?;
    Ok(change_request(
        StatusCode::CREATED,
        ChangeRequestResponse::from_row(c)?,
    ))
}

/// One change request.
#[utoipa::path(
    tag = "iso",
    params(("id" = String, Path)),
    responses(
        (status = 200, body = ChangeRequestResponse, headers(("ETag" = String))),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/iso/change-requests/{id}")]
pub async fn get_change_request(
    st: State,
    user: AuthUser,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&id)?;
    let caller = user.caller;
    let c = st
        .db
        .run(move |conn| svc::change_request(conn, &caller, &id))
        .await?;
    Ok(change_request(
        StatusCode::OK,
        ChangeRequestResponse::from_row(c)?,
    ))
}

/// Accept a change request: a revision draft opens from the current text (ISO
/// controller of the owner agency; `If-Match`).
#[utoipa::path(
    tag = "iso",
    params(("id" = String, Path), ("If-Match" = String, Header)),
    request_body = AcceptChangeRequest,
    responses(
        (status = 200, body = ChangeRequestResponse, headers(("ETag" = String))),
        WriteErrors, BodyErrors, IfMatchErrors
    ),
    security(("bearer" = []))
)]
#[post("/iso/change-requests/{id}/accept")]
pub async fn accept_change_request(
    st: State,
    user: AuthUser,
    id: web::Path<String>,
    if_match: IfMatch,
    body: Json<AcceptChangeRequest>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&id)?;
    let expected = if_match.row_version()?;
    let caller = user.caller;
    let c = st
        .db
        .tx(move |conn| svc::accept(conn, &caller, &id, expected, &body))
        .await?;
    Ok(change_request(
        StatusCode::OK,
        ChangeRequestResponse::from_row(c)?,
    ))
}

/// Reject a change request with the reason (ISO controller of the owner agency; `If-Match`).
#[utoipa::path(
    tag = "iso",
    params(("id" = String, Path), ("If-Match" = String, Header)),
    request_body = ReasonRequest,
    responses(
        (status = 200, body = ChangeRequestResponse, headers(("ETag" = String))),
        WriteErrors, BodyErrors, IfMatchErrors
    ),
    security(("bearer" = []))
)]
#[post("/iso/change-requests/{id}/reject")]
pub async fn reject_change_request(
    st: State,
    user: AuthUser,
    id: web::Path<String>,
    if_match: IfMatch,
    body: Json<ReasonRequest>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&id)?;
    let expected = if_match.row_version()?;
    let caller = user.caller;
    let c = st
        .db
        .tx(move |conn| svc::reject(conn, &caller, &id, expected, &body.reason))
        .await?;
    Ok(change_request(
        StatusCode::OK,
        ChangeRequestResponse::from_row(c)?,
    ))
}

/// The controlled copies of a document, of every revision.
#[utoipa::path(
    tag = "iso",
    params(("id" = String, Path), CopiesQuery),
    responses((status = 200, body = Vec<ControlledCopyResponse>), ReadErrors),
    security(("bearer" = []))
)]
#[get("/iso/documents/{id}/copies")]
pub async fn list_copies(
    st: State,
    user: AuthUser,
    id: web::Path<String>,
    query: web::Query<CopiesQuery>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&id)?;
    let outstanding = query.outstanding.unwrap_or(false);
    let caller = user.caller;
    let list = st
        .db
        .run(move |conn| svc::copies(conn, &caller, &id, outstanding))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// Copies still to be withdrawn: recalled and not yet confirmed returned.
#[utoipa::path(
    tag = "iso",
    params(OwnerQuery),
    responses((status = 200, body = Vec<ControlledCopyResponse>), ReadErrors),
    security(("bearer" = []))
)]
#[get("/iso/copies/outstanding")]
pub async fn outstanding_copies(
    st: State,
    user: AuthUser,
    query: web::Query<OwnerQuery>,
) -> ApiResult<HttpResponse> {
    let owner = query.into_inner().owner;
    let caller = user.caller;
    let list = st
        .db
        .run(move |conn| svc::outstanding_copies(conn, &caller, owner.as_deref()))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// Confirm that a recalled copy was withdrawn (ISO controller of the owner agency; `If-Match`).
#[utoipa::path(
    tag = "iso",
    params(("id" = String, Path), ("If-Match" = String, Header)),
    responses(
        (status = 200, body = ControlledCopyResponse, headers(("ETag" = String))),
        WriteErrors, IfMatchErrors
    ),
    security(("bearer" = []))
)]
#[post("/iso/copies/{id}/confirm-withdrawal")]
pub async fn confirm_copy_withdrawal(
    st: State,
    user: AuthUser,
    id: web::Path<String>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&id)?;
    let expected = if_match.row_version()?;
    let caller = user.caller;
    let c = st
        .db
        .tx(move |conn| svc::confirm_copy_withdrawn(conn, &caller, &id, expected))
        .await?;
    Ok(tagged(StatusCode::OK, &c.id, c.row_version, &c))
}

/// Acknowledge the current revision as read and understood (a recipient). 201 the
/// first time, 200 when already acknowledged.
#[utoipa::path(
    tag = "iso",
    params(("id" = String, Path)),
    request_body = AcknowledgeRequest,
    responses(
        (status = 201, body = AcknowledgementResponse),
        (status = 200, body = AcknowledgementResponse),
        WriteErrors, BodyErrors
    ),
    security(("bearer" = []))
)]
#[post("/iso/documents/{id}/acknowledge")]
pub async fn acknowledge_document(
    st: State,
    user: AuthUser,
    id: web::Path<String>,
    body: Json<AcknowledgeRequest>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&id)?;
    let caller = user.caller;
    let (a, new) = st
        .db
        .tx(move |conn| svc::acknowledge(conn, &caller, &id, &body))
        .await?;
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(HttpResponse::build(status).json(AcknowledgementResponse::from(a)))
}

/// Who has acknowledged the current revision and who has not.
#[utoipa::path(
    tag = "iso",
    params(("id" = String, Path)),
    responses((status = 200, body = AcknowledgementsResponse), ReadErrors),
    security(("bearer" = []))
)]
#[get("/iso/documents/{id}/acknowledgements")]
pub async fn list_acknowledgements(
    st: State,
    user: AuthUser,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&id)?;
    let caller = user.caller;
    let r = st
        .db
        .run(move |conn| svc::acknowledgements(conn, &caller, &id))
        .await?;
    Ok(HttpResponse::Ok().json(r))
}

/// Documents whose periodic review is due (within `within_days`) or overdue.
#[utoipa::path(
    tag = "iso",
    params(DueQuery),
    responses((status = 200, body = Vec<DueReviewResponse>), ReadErrors),
    security(("bearer" = []))
)]
#[get("/iso/reviews/due")]
pub async fn due_reviews(
    st: State,
    user: AuthUser,
    query: web::Query<DueQuery>,
) -> ApiResult<HttpResponse> {
    let q = query.into_inner();
    let days = within(q.within_days)?;
    let caller = user.caller;
    let list = st
        .db
        .run(move |conn| svc::due_reviews(conn, &caller, q.owner.as_deref(), days, today()))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// Record a periodic review: `confirmed` sets the next review date, `change_needed`
/// raises a change request (ISO controller of the owner agency; `If-Match` of the document).
#[utoipa::path(
    tag = "iso",
    params(("id" = String, Path), ("If-Match" = String, Header)),
    request_body = ReviewRequest,
    responses((status = 200, body = ReviewResponse), WriteErrors, BodyErrors, IfMatchErrors),
    security(("bearer" = []))
)]
#[post("/iso/documents/{id}/review")]
pub async fn review_document(
    st: State,
    user: AuthUser,
    id: web::Path<String>,
    if_match: IfMatch,
    body: Json<ReviewRequest>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&id)?;
    let expected = if_match.row_version()?;
    let caller = user.caller;
    let r: ReviewResponse = st
        .db
        .tx(move |conn| svc::record_review(conn, &caller, &id, expected, &body, today()))
        .await?;
    Ok(tagged(
        StatusCode::OK,
        &r.document.id,
        r.document.row_version,
        &r,
    ))
}

/// The clause 7.5 compliance report per owner agency: documents current, reviews due
/// and overdue, copies in use and not withdrawn, acknowledgements missing, change
/// requests open, each row naming the requirement it answers. JSON, or CSV with
/// `format=csv` or `Accept: text/csv`.
#[utoipa::path(
    tag = "iso",
    params(ComplianceQuery),
    responses(
        (status = 200, description = "The report", content(
            (ComplianceReport = "application/json"),
            (String = "text/csv")
        )),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/iso/compliance")]
pub async fn compliance_report(
    st: State,
    user: AuthUser,
    query: web::Query<ComplianceQuery>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let q = query.into_inner();
    let days = within(q.within_days)?;
    let wants_csv = match q.format {
        Some(f) => f == ReportFormat::Csv,
        None => req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.to_ascii_lowercase().contains("text/csv")),
    };
    let caller = user.caller;
    let as_of: NaiveDate = today();
    let report = st
        .db
        .run(move |conn| svc::compliance(conn, &caller, q.owner.as_deref(), days, as_of))
        .await?;
    if wants_csv {
        return Ok(HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"iso-compliance-{as_of}.csv\""),
            ))
            .body(svc::compliance_csv(&report)?));
    }
    Ok(HttpResponse::Ok().json(report))
}
