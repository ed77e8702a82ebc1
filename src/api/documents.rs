//! /api/v1/documents: documents, their legal effect and their relations.

use actix_web::http::{header, StatusCode};
use actix_web::{delete, get, patch, post, HttpResponse};

use super::dto::ReasonRequest;
use super::responses::{BodyErrors, IfMatchErrors, PublicErrors, WriteErrors};
use super::review::ok;
use super::route::routes;
use super::tagged_row;
use crate::service::documents::{
    self as svc, AsOfQuery, CreateDocumentRequest, DocumentPage, DocumentQuery, DocumentResponse,
    EffectResponse, UpdateDocumentRequest,
};
use crate::service::relations::{
    self as rel, CreateRelationRequest, RelationResponse, RelationsResponse,
};

pub use crate::service::today;

routes! {
    tag "documents";

    /// List documents the caller may see, newest first.
    get "/documents" => list_documents(st, caller: Public, q: Query<DocumentQuery>)
        -> [(status = 200, body = DocumentPage), PublicErrors]
        { ok(svc::page(&st.db, caller, q).await?) }

    /// Create a document (a draft, or an external document recorded as promulgated).
    post "/documents" => create_document(st, caller: Auth, body: Json<CreateDocumentRequest>)
        -> [(status = 201, body = DocumentResponse), WriteErrors, BodyErrors]
        {
            let doc = svc::create_document(&st.db, caller, body).await?;
            let location = format!("/api/v1/documents/{}", doc.id);
            let mut resp = tagged_row(StatusCode::CREATED, &doc);
            if let Ok(v) = header::HeaderValue::from_str(&location) {
                resp.headers_mut().insert(header::LOCATION, v);
            }
            Ok(resp)
        }

    /// Read a document, with its legal effect on `as_of` (default today).
    get "/documents/{id}" => get_document(st, caller: Public, id: Path, q: Query<AsOfQuery>)
        -> [(status = 200, body = DocumentResponse, headers(("ETag" = String))), PublicErrors]
        {
            let doc = svc::get_document(&st.db, caller, id, q.as_of.unwrap_or_else(today)).await?;
            Ok(tagged_row(StatusCode::OK, &doc))
        }

    /// Change a document's metadata (send `If-Match` with the ETag you read).
    patch "/documents/{id}" => update_document(
        st, caller: Auth, (id, version): IfMatch, body: Json<UpdateDocumentRequest>
    ) -> [(status = 200, body = DocumentResponse), WriteErrors, BodyErrors, IfMatchErrors]
        {
            let doc = svc::update_document(&st.db, caller, id, version, body).await?;
            Ok(tagged_row(StatusCode::OK, &doc))
        }

    /// Delete a document; only while none of its versions was ever approved.
    delete "/documents/{id}" => delete_document(st, caller: Auth, (id, version): IfMatch)
        -> [(status = 204), WriteErrors, IfMatchErrors]
        {
            svc::delete_document(&st.db, caller, id, version).await?;
            Ok(HttpResponse::NoContent().finish())
        }

    /// Withdraw a document: kept for the record, never erased.
    post "/documents/{id}/withdraw" => withdraw_document(
        st, caller: Auth, (id, version): IfMatch, body: Json<ReasonRequest>
    ) -> [(status = 200, body = DocumentResponse), WriteErrors, BodyErrors, IfMatchErrors]
        {
            let doc = svc::withdraw_document(&st.db, caller, id, version, body.reason).await?;
            Ok(tagged_row(StatusCode::OK, &doc))
        }

    /// The legal effect of a document on a date, derived from its dates and relations.
    get "/documents/{id}/effect" => get_effect(st, caller: Public, id: Path, q: Query<AsOfQuery>)
        -> [(status = 200, body = EffectResponse), PublicErrors]
        {
            let as_of = q.as_of.unwrap_or_else(today);
            let e = svc::effect_of(&st.db, caller, id, as_of).await?;
            ok(EffectResponse::new(e, as_of))
        }
}

routes! {
    tag "relations";

    /// Both directions of a document's relations.
    get "/documents/{id}/relations" => list_relations(st, caller: Public, id: Path)
        -> [(status = 200, body = RelationsResponse), PublicErrors]
        { ok(rel::relations_of(&st.db, caller, id).await?) }

    /// Relate this document (the source) to another: it is based on, amends, replaces,
    /// repeals, guides, corrects or suspends the target from `effective_on`.
    post "/documents/{id}/relations"
        => create_relation(st, caller: Auth, id: Path, body: Json<CreateRelationRequest>)
        -> [(status = 201, body = RelationResponse), WriteErrors, BodyErrors]
        { Ok(HttpResponse::Created().json(rel::add_relation(&st.db, caller, id, body).await?)) }

    /// Remove a relation.
    delete "/relations/{id}" => delete_relation(st, caller: Auth, id: Path)
        -> [(status = 204), WriteErrors]
        {
            rel::remove_relation(&st.db, caller, id).await?;
            Ok(HttpResponse::NoContent().finish())
        }
}
