//! Quality documents and their control metadata.

use super::*;

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
    let list = svc::list_documents(&st.db, user.caller, query.into_inner().owner).await?;
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
    let d = svc::create_document(&st.db, user.caller, body.0).await?;
    let location = format!("/api/v1/iso/documents/{}", d.id);
    let mut resp = document(StatusCode::CREATED, d);
    if let Ok(v) = header::HeaderValue::from_str(&location) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    Ok(resp)
}

by_id!(
    /// A quality document: control metadata, current and open revision, distribution list.
    get "/iso/documents/{id}" => get_iso_document()
        -> [DocumentOk, ReadErrors],
    svc::get_document,
    |d| Ok(document(StatusCode::OK, d))
);

by_id!(
    /// Change the control metadata or the distribution list (send `If-Match`).
    patch "/iso/documents/{id}"
        => update_iso_document(if_match: IfMatchHeader, body: UpdateIsoDocumentRequest)
        -> [DocumentOk, WriteErrors, BodyErrors, IfMatchErrors],
    svc::update_document,
    |d| Ok(document(StatusCode::OK, d))
);

by_id!(
    /// Every revision of a quality document with its state, oldest first.
    get "/iso/documents/{id}/revisions" => list_iso_revisions()
        -> [(status = 200, body = Vec<IsoRevisionResponse>), ReadErrors],
    svc::list_revisions,
    |list| Ok(HttpResponse::Ok().json(list))
);
