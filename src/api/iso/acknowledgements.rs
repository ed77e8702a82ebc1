//! Read-and-understood acknowledgements.

use super::*;

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
    let (a, new) = svc::acknowledge_document(&st.db, user.caller, parse_id(&id)?, body.0).await?;
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(HttpResponse::build(status).json(a))
}

by_id!(
    /// Who has acknowledged the current revision and who has not.
    get "/iso/documents/{id}/acknowledgements" => list_acknowledgements()
        -> [(status = 200, body = AcknowledgementsResponse), ReadErrors],
    svc::list_acknowledgements,
    |r| Ok(HttpResponse::Ok().json(r))
);
