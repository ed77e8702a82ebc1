//! The revision workflow: one revision, its transitions, review comments and diffs.

use super::*;

by_id!(
    /// One revision: state, revision number, effective date, what replaced it, and the
    /// obsolete stamp it must carry when it is superseded or withdrawn.
    get "/iso/revisions/{id}" => get_iso_revision()
        -> [RevisionOk, ReadErrors],
    svc::get_revision,
    |r| Ok(revision(r))
);

by_id!(
    /// Submit a draft revision for review (ISO controller of the owner agency; `If-Match`).
    post "/iso/revisions/{id}/submit" => submit_iso_revision(if_match: IfMatchHeader)
        -> [RevisionOk, WriteErrors, IfMatchErrors],
    svc::submit_revision,
    |r| Ok(revision(r))
);

by_id!(
    /// Send a revision under review back to draft, with the reason (approver or the owner's
    /// ISO controller; `If-Match`).
    post "/iso/revisions/{id}/return"
        => return_iso_revision(if_match: IfMatchHeader, body: ReasonRequest)
        -> [RevisionOk, WriteErrors, BodyErrors, IfMatchErrors],
    svc::return_revision,
    |r| Ok(revision(r))
);

by_id!(
    /// Approve a reviewed revision (approver, never its author; `If-Match`).
    post "/iso/revisions/{id}/approve" => approve_iso_revision(if_match: IfMatchHeader)
        -> [RevisionOk, WriteErrors, IfMatchErrors],
    svc::approve_revision,
    |r| Ok(revision(r))
);

by_id!(
    /// Issue an approved revision: current from its effective date, the previous one
    /// superseded, its copies recalled, numbered copies made for the distribution list
    /// (ISO controller of the owner agency; `If-Match`).
    post "/iso/revisions/{id}/issue"
        => issue_iso_revision(if_match: IfMatchHeader, body: IssueRequest)
        -> [RevisionOk, WriteErrors, BodyErrors, IfMatchErrors],
    svc::issue_revision,
    |r| Ok(revision(r))
);

by_id!(
    /// Abandon a revision not yet issued (ISO controller of the owner agency; `If-Match`).
    /// The current revision is withdrawn with its document: `POST /documents/{id}/withdraw`.
    post "/iso/revisions/{id}/withdraw"
        => withdraw_iso_revision(if_match: IfMatchHeader, body: ReasonRequest)
        -> [RevisionOk, WriteErrors, BodyErrors, IfMatchErrors],
    svc::withdraw_revision,
    |r| Ok(revision(r))
);

by_id!(
    /// Reviewers' comments on a revision, oldest first.
    get "/iso/revisions/{id}/comments" => list_review_comments()
        -> [(status = 200, body = Vec<ReviewCommentResponse>), ReadErrors],
    svc::list_comments,
    |list| Ok(HttpResponse::Ok().json(list))
);

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
    let c = svc::add_comment(&st.db, user.caller, parse_id(&id)?, body.0).await?;
    Ok(HttpResponse::Created().json(c))
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
    let d = svc::diff_revision(&st.db, user.caller, id, against).await?;
    Ok(HttpResponse::Ok().json(d))
}
