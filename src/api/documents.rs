//! /api/v1/documents: documents, their legal effect and their relations.

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use base64::Engine;
use chrono::NaiveDate;

use super::dto::{
    AsOfQuery, DocumentPage, DocumentQuery, DocumentResponse, EffectResponse, ReasonRequest,
    RelationResponse, RelationsResponse,
};
use super::responses::{BodyErrors, IfMatchErrors, PublicErrors, WriteErrors};
use super::{parse_id, tagged, AuthUser, IfMatch, Json, MaybeUser, State};
use crate::db::documents::ListFilter;
use crate::db::models::{Document, OrgUnit};
use crate::db::{self, Conn};
use crate::domain::kinds::Role;
use crate::error::{ApiResult, AppError};
use crate::service::documents::{self as svc, CreateDocumentRequest, UpdateDocumentRequest};
use crate::service::relations::{self as rel, CreateRelationRequest};
use crate::service::{visibility, Caller};

pub use crate::service::today;

fn units_for(conn: &mut Conn, docs: &[Document]) -> ApiResult<HashMap<String, OrgUnit>> {
    use crate::db::schema::org_units;
    use diesel::prelude::*;
    let ids: Vec<&str> = docs.iter().filter_map(|d| d.issuer_id.as_deref()).collect();
    let units: Vec<OrgUnit> = org_units::table
        .filter(org_units::id.eq_any(ids))
        .load(conn)
        .map_err(db::DbError::from)?;
    Ok(units.into_iter().map(|u| (u.id.clone(), u)).collect())
}

/// Full responses for a page of documents: issuers and legal effects in two queries.
pub fn responses(
    conn: &mut Conn,
    docs: Vec<Document>,
    as_of: NaiveDate,
    role: Option<Role>,
) -> ApiResult<Vec<DocumentResponse>> {
    let units = units_for(conn, &docs)?;
    let mut effects = svc::effects(conn, &docs, as_of)?;
    docs.into_iter()
        .map(|d| {
            let e = effects
                .remove(&d.id)
                .ok_or_else(|| AppError::internal("effect missing"))?;
            let mut r = DocumentResponse::from_row(d, &units, e, as_of)?;
            r.allowed_actions = crate::domain::workflow::allowed_actions(
                r.state,
                role,
                r.external || r.kind.is_iso(),
            );
            Ok(r)
        })
        .collect()
}

pub fn response(
    conn: &mut Conn,
    doc: Document,
    as_of: NaiveDate,
    role: Option<Role>,
) -> ApiResult<DocumentResponse> {
    responses(conn, vec![doc], as_of, role)?
        .pop()
        .ok_or_else(|| AppError::internal("empty response"))
}

fn encode_cursor(d: &Document) -> String {
    let raw = format!("{}|{}", d.created_at.and_utc().timestamp_micros(), d.id);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

fn decode_cursor(c: &str) -> ApiResult<(chrono::NaiveDateTime, String)> {
    let bad = || AppError::invalid("cursor", "not a cursor returned by this API");
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(c)
        .map_err(|_| bad())?;
    let raw = String::from_utf8(raw).map_err(|_| bad())?;
    let (micros, id) = raw.split_once('|').ok_or_else(bad)?;
    let micros: i64 = micros.parse().map_err(|_| bad())?;
    let at = chrono::DateTime::from_timestamp_micros(micros)
        .ok_or_else(bad)?
        .naive_utc();
    // Only a document id reaches the database (PostgreSQL refuses text with a NUL).
    let id = uuid::Uuid::parse_str(id).map_err(|_| bad())?;
    Ok((at, id.to_string()))
}

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
    let q = query.into_inner();
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(AppError::invalid("limit", "between 1 and 200"));
    }
    let as_of = q.as_of.unwrap_or_else(today);
    let after = q.cursor.as_deref().map(decode_cursor).transpose()?;
    let text = match q.q.as_deref().map(str::trim) {
        Some(t) if !t.is_empty() => {
            if t.chars().count() > 200 {
                return Err(AppError::invalid("q", "at most 200 characters"));
            }
            Some(t.to_owned())
        }
        _ => None,
    };
    let vis = visibility(user.0.as_ref());
    let role = user.0.as_ref().map(|c| c.role);
    let page = st
        .db
        .run(move |conn| -> ApiResult<DocumentPage> {
            let issuer_id = match &q.issuer {
                Some(i) => Some(svc::resolve_org_unit(conn, "issuer", i)?),
                None => None,
            };
            let filter = ListFilter {
                kind: q.kind.map(|k| k.as_str().to_owned()),
                issuer_id,
                field: q.field.clone(),
                year: q.year,
                state: q.state.map(|s| s.as_str().to_owned()),
                legal_effect: q.legal_effect.map(|e| (e, as_of)),
                text,
                external: q.external,
                after,
                limit: limit + 1,
            };
            let mut docs = db::documents::list(conn, &vis, &filter)?;
            let more = docs.len() as i64 > limit;
            docs.truncate(limit as usize);
            let next_cursor = if more {
                docs.last().map(encode_cursor)
            } else {
                None
            };
            Ok(DocumentPage {
                items: responses(conn, docs, as_of, role)?,
                next_cursor,
            })
        })
        .await?;
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
    let caller = user.caller;
    let doc = st
        .db
        .tx(move |conn| {
            let d = svc::create(conn, &caller, &body)?;
            response(conn, d, today(), Some(caller.role))
        })
        .await?;
    let location = format!("/api/v1/documents/{}", doc.id);
    let mut resp = tagged(
        actix_web::http::StatusCode::CREATED,
        &doc.id,
        doc.row_version,
        &doc,
    );
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
    let doc = st
        .db
        .run(move |conn| {
            let d = svc::get(conn, user.0.as_ref(), &id)?;
            response(conn, d, as_of, user.0.as_ref().map(|c| c.role))
        })
        .await?;
    Ok(tagged(
        actix_web::http::StatusCode::OK,
        &doc.id,
        doc.row_version,
        &doc,
    ))
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
    let id = parse_id(&id)?;
    let version = if_match.row_version()?;
    let caller = user.caller;
    let doc = st
        .db
        .tx(move |conn| {
            let d = svc::update(conn, &caller, &id, version, &body)?;
            response(conn, d, today(), Some(caller.role))
        })
        .await?;
    Ok(tagged(
        actix_web::http::StatusCode::OK,
        &doc.id,
        doc.row_version,
        &doc,
    ))
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
    let id = parse_id(&id)?;
    let version = if_match.row_version()?;
    let caller = user.caller;
    st.db
        .tx(move |conn| svc::delete(conn, &caller, &id, version))
        .await?;
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
    let id = parse_id(&id)?;
    let version = if_match.row_version()?;
    let caller = user.caller;
    let doc = st
        .db
        .tx(move |conn| {
            let d = svc::withdraw(conn, &caller, &id, version, &body.reason)?;
            response(conn, d, today(), Some(caller.role))
        })
        .await?;
    Ok(tagged(
        actix_web::http::StatusCode::OK,
        &doc.id,
        doc.row_version,
        &doc,
    ))
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
    let e = st
        .db
        .run(move |conn| {
            let d = svc::get(conn, user.0.as_ref(), &id)?;
            svc::effect(conn, &d, as_of)
        })
        .await?;
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
    let (outgoing, incoming) = st
        .db
        .run(move |conn| rel::both_directions(conn, user.0.as_ref(), &id))
        .await?;
    let map =
        |v: Vec<(crate::db::models::Relation, Document)>| -> ApiResult<Vec<RelationResponse>> {
            v.into_iter()
                .map(|(r, d)| RelationResponse::from_row(r, Some(&d)))
                .collect()
        };
    Ok(HttpResponse::Ok().json(RelationsResponse {
        outgoing: map(outgoing)?,
        incoming: map(incoming)?,
    }))
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
    let caller: Caller = user.caller;
    let r = st
        .db
        .tx(move |conn| rel::create(conn, &caller, &id, &body))
        .await?;
    Ok(HttpResponse::Created().json(RelationResponse::from_row(r, None)?))
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
    let caller = user.caller;
    st.db
        .tx(move |conn| rel::delete(conn, &caller, &id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
