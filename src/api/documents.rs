//! /api/v1/documents: documents, their legal effect and their relations.

use actix_web::http::{header, StatusCode};
use actix_web::{delete, get, patch, post, web, HttpResponse};

use super::dto::ReasonRequest;
use super::responses::{BodyErrors, IfMatchErrors, PublicErrors, WriteErrors};
use super::{parse_id, tagged_row, AuthUser, IfMatch, Json, MaybeUser, State};
use crate::error::ApiResult;
use crate::service::documents::{
    self as svc, AsOfQuery, CreateDocumentRequest, DocumentPage, DocumentQuery, DocumentResponse,
    EffectResponse, UpdateDocumentRequest,
};
use crate::service::relations::{
    self as rel, CreateRelationRequest, RelationResponse, RelationsResponse,
};

pub use crate::service::today;

/// List documents the caller may see, newest first.
#[utoipa::path(
    tag = "documents",
    params(DocumentQuery),
    responses((status = 200, body = DocumentPage), PublicErrors),
    security((), ("bearer" = []))
)]
#[get("/documents")]
pub async fn list_documents(
    st: State,
    user: MaybeUser,
    query: web::Query<DocumentQuery>,
) -> ApiResult<HttpResponse> {
    let page = svc::page(&st.db, user.0, query.into_inner()).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Create a document (a draft, or an external document recorded as promulgated).
#[utoipa::path(
    tag = "documents",
    request_body = CreateDocumentRequest,
    responses((status = 201, body = DocumentResponse), WriteErrors, BodyErrors),
    security(("bearer" = []))
)]
#[post("/documents")]
pub async fn create_document(
    st: State,
    user: AuthUser,
    body: Json<CreateDocumentRequest>,
) -> ApiResult<HttpResponse> {
    let doc = svc::create_document(&st.db, user.caller, body.0).await?;
    let location = format!("/api/v1/documents/{}", doc.id);
    let mut resp = tagged_row(StatusCode::CREATED, &doc);
    if let Ok(v) = header::HeaderValue::from_str(&location) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    Ok(resp)
}

/// Read a document, with its legal effect on `as_of` (default today).
#[utoipa::path(
    tag = "documents",
    params(("id" = String, Path), AsOfQuery),
    responses(
        (status = 200, body = DocumentResponse, headers(("ETag" = String))),
        PublicErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/documents/{id}")]
pub async fn get_document(
    st: State,
    user: MaybeUser,
    id: web::Path<String>,
    query: web::Query<AsOfQuery>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&id)?;
    let as_of = query.as_of.unwrap_or_else(today);
    let doc = svc::get_document(&st.db, user.0, id, as_of).await?;
    Ok(tagged_row(StatusCode::OK, &doc))
}

/// Change a document's metadata (send `If-Match` with the ETag you read).
#[utoipa::path(
    tag = "documents",
    params(("id" = String, Path), ("If-Match" = String, Header)),
    request_body = UpdateDocumentRequest,
    responses((status = 200, body = DocumentResponse), WriteErrors, BodyErrors, IfMatchErrors),
    security(("bearer" = []))
)]
#[patch("/documents/{id}")]
pub async fn update_document(
    st: State,
    user: AuthUser,
    id: web::Path<String>,
    if_match: IfMatch,
    body: Json<UpdateDocumentRequest>,
) -> ApiResult<HttpResponse> {
    let (id, version) = if_match.target(&id)?;
    let doc = svc::update_document(&st.db, user.caller, id, version, body.0).await?;
    Ok(tagged_row(StatusCode::OK, &doc))
}

/// Delete a document; only while none of its versions was ever approved.
#[utoipa::path(
    tag = "documents",
    params(("id" = String, Path), ("If-Match" = String, Header)),
    responses((status = 204), WriteErrors, IfMatchErrors),
    security(("bearer" = []))
)]
#[delete("/documents/{id}")]
pub async fn delete_document(
    st: State,
    user: AuthUser,
    id: web::Path<String>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let (id, version) = if_match.target(&id)?;
    svc::delete_document(&st.db, user.caller, id, version).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Withdraw a document: kept for the record, never erased.
#[utoipa::path(
    tag = "documents",
    params(("id" = String, Path), ("If-Match" = String, Header)),
    request_body = ReasonRequest,
    responses((status = 200, body = DocumentResponse), WriteErrors, BodyErrors, IfMatchErrors),
    security(("bearer" = []))
)]
#[post("/documents/{id}/withdraw")]
pub async fn withdraw_document(
    st: State,
    user: AuthUser,
    id: web::Path<String>,
    if_match: IfMatch,
    body: Json<ReasonRequest>,
) -> ApiResult<HttpResponse> {
    let (id, version) = if_match.target(&id)?;
    let doc = svc::withdraw_document(&st.db, user.caller, id, version, body.0.reason).await?;
    Ok(tagged_row(StatusCode::OK, &doc))
}

/// The legal effect of a document on a date, derived from its dates and relations.
#[utoipa::path(
    tag = "documents",
    params(("id" = String, Path), AsOfQuery),
    responses((status = 200, body = EffectResponse), PublicErrors),
    security((), ("bearer" = []))
)]
#[get("/documents/{id}/effect")]
pub async fn get_effect(
    st: State,
    user: MaybeUser,
    id: web::Path<String>,
    query: web::Query<AsOfQuery>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&id)?;
    let as_of = query.as_of.unwrap_or_else(today);
    let e = svc::effect_of(&st.db, user.0, id, as_of).await?;
    Ok(HttpResponse::Ok().json(EffectResponse::new(e, as_of)))
}

/// Both directions of a document's relations.
#[utoipa::path(
    tag = "relations",
    params(("id" = String, Path)),
    responses((status = 200, body = RelationsResponse), PublicErrors),
    security((), ("bearer" = []))
)]
#[get("/documents/{id}/relations")]
pub async fn list_relations(
    st: State,
    user: MaybeUser,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&id)?;
    Ok(HttpResponse::Ok().json(rel::relations_of(&st.db, user.0, id).await?))
}

/// Relate this document (the source) to another: it is based on, amends, replaces,
/// repeals, guides, corrects or suspends the target from `effective_on`.
#[utoipa::path(
    tag = "relations",
    params(("id" = String, Path)),
    request_body = CreateRelationRequest,
    responses((status = 201, body = RelationResponse), WriteErrors, BodyErrors),
    security(("bearer" = []))
)]
#[post("/documents/{id}/relations")]
pub async fn create_relation(
    st: State,
    user: AuthUser,
    id: web::Path<String>,
    body: Json<CreateRelationRequest>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&id)?;
    let r = rel::add_relation(&st.db, user.caller, id, body.0).await?;
    Ok(HttpResponse::Created().json(r))
}

/// Remove a relation.
#[utoipa::path(
    tag = "relations",
    params(("id" = String, Path)),
    responses((status = 204), WriteErrors),
    security(("bearer" = []))
)]
#[delete("/relations/{id}")]
pub async fn delete_relation(
    st: State,
    user: AuthUser,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&id)?;
    rel::remove_relation(&st.db, user.caller, id).await?;
    Ok(HttpResponse::NoContent().finish())
}
