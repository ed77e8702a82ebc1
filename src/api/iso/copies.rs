//! Controlled copies and their withdrawal.

use super::*;

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
    let list = svc::list_copies(&st.db, user.caller, id, outstanding).await?;
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
    let list = svc::list_outstanding_copies(&st.db, user.caller, owner).await?;
    Ok(HttpResponse::Ok().json(list))
}

by_id!(
    /// Confirm that a recalled copy was withdrawn (ISO controller of the owner agency; `If-Match`).
    post "/iso/copies/{id}/confirm-withdrawal" => confirm_copy_withdrawal(if_match: IfMatchHeader)
        -> [CopyOk, WriteErrors, IfMatchErrors],
    svc::confirm_withdrawal,
    |c| Ok(tagged(StatusCode::OK, &c.id, c.row_version, &c))
);
