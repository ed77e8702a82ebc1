//! Change requests against quality documents.

use super::*;

by_id!(
    /// Change requests raised against a document, in order.
    get "/iso/documents/{id}/change-requests" => list_change_requests()
        -> [(status = 200, body = Vec<ChangeRequestResponse>), ReadErrors],
    svc::list_change_requests,
    |list| Ok(HttpResponse::Ok().json(list))
);

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
    let c = svc::raise_change_request(&st.db, user.caller, parse_id(&id)?, body.0).await?;
    Ok(change_request(StatusCode::CREATED, c))
}

by_id!(
    /// One change request.
    get "/iso/change-requests/{id}" => get_change_request()
        -> [ChangeRequestOk, ReadErrors],
    svc::get_change_request,
    |c| Ok(change_request(StatusCode::OK, c))
);

by_id!(
    /// Accept a change request: a revision draft opens from the current text (ISO
    /// controller of the owner agency; `If-Match`).
    post "/iso/change-requests/{id}/accept"
        => accept_change_request(if_match: IfMatchHeader, body: AcceptChangeRequest)
        -> [ChangeRequestOk, WriteErrors, BodyErrors, IfMatchErrors],
    svc::accept_change_request,
    |c| Ok(change_request(StatusCode::OK, c))
);

by_id!(
    /// Reject a change request with the reason (ISO controller of the owner agency; `If-Match`).
    post "/iso/change-requests/{id}/reject"
        => reject_change_request(if_match: IfMatchHeader, body: ReasonRequest)
        -> [ChangeRequestOk, WriteErrors, BodyErrors, IfMatchErrors],
    svc::reject_change_request,
    |c| Ok(change_request(StatusCode::OK, c))
);
