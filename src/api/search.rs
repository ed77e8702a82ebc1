//! /api/v1/search, number lookup and similar documents.

use actix_web::http::header;
use actix_web::{get, post, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::dto::DocumentRef;
use super::responses::{BodyErrors, PublicErrors};
use super::review::ok;
use super::route::routes;
use super::{MaybeUser, State};
use crate::error::{ApiResult, AppError};
use crate::search::suggest::{SuggestRequest, SuggestResponse};
use crate::search::{SearchHit, SearchRequest, SearchResponse};
use crate::service::search as svc;
use crate::service::Caller;

async fn run(st: &State, caller: Option<Caller>, req: SearchRequest) -> ApiResult<HttpResponse> {
    let max_offset = st.settings.search.max_offset;
    ok(svc::search(st.search.clone(), caller.as_ref(), req, max_offset).await?)
}

routes! {
    tag "search";

    /// Search documents and articles: a question or words, with, without or with some
    /// diacritics, and document numbers in any spelling. By default (`syntax=auto`) the text
    /// is ranked as a plain question, with "phrases" (ranked higher), `-word`, `OR` and
    /// `title:` / `heading:` / `body:` / `number:` honoured; `syntax=query` is the strict
    /// query syntax (a malformed query is a 400). Hits are articles (`granularity=provision`;
    /// a document without articles is a hit of its own, `provision_path` null) or documents.
    get "/search" => search_get(st, caller: Public, q: Query<SearchRequest>)
        -> [(status = 200, body = SearchResponse), PublicErrors]
        { run(&st, caller, q).await }

    /// The same search as a JSON body.
    post "/search" => search_post(st, caller: Public, body: Json<SearchRequest>)
        -> [(status = 200, body = SearchResponse), PublicErrors, BodyErrors]
        { run(&st, caller, body).await }

    /// Suggestions for a search box: up to 10 documents whose number or title, or articles
    /// whose heading, start with the text typed (with or without diacritics), among what the
    /// caller may see.
    get "/search/suggest" => suggest(st, caller: Public, q: Query<SuggestRequest>)
        -> [(status = 200, body = SuggestResponse), PublicErrors]
        { ok(svc::suggest(st.search.clone(), caller.as_ref(), q).await?) }

    /// Documents similar to this one (same subject).
    get "/documents/{id}/similar" => similar(st, caller: Public, id: Path)
        -> [(status = 200, body = Vec<SearchHit>), PublicErrors]
        { ok(svc::similar(&st.db, st.search.clone(), caller, id).await?) }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NumberChoices {
    pub number: String,
    pub choices: Vec<DocumentRef>,
}

/// Resolve a document number in any spelling (`09/2015/qd-ttg`, `9/2015/QĐ-TTg`): one
/// match → 303 to the document; several (same number, different issuers) → 300 with
/// the choices; none → 404.
#[utoipa::path(
    tag = "search",
    params(("number" = String, Path)),
    responses(
        (status = 303, description = "The document", headers(("Location" = String))),
        (status = 300, body = NumberChoices),
        PublicErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/documents/by-number/{number:.*}")]
pub async fn by_number(
    st: State,
    user: MaybeUser,
    number: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let number = number.into_inner();
    let docs = svc::by_number(&st.db, user.0, &number).await?;
    match docs.as_slice() {
        [] => Err(AppError::NotFound),
        [one] => Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, format!("/api/v1/documents/{}", one.id)))
            .finish()),
        many => {
            let choices = many
                .iter()
                .map(|d| {
                    Ok(DocumentRef {
                        id: d.id.clone(),
                        kind: d.kind,
                        number: d.number.clone(),
                        title: d.title.clone(),
                    })
                })
                .collect::<ApiResult<Vec<_>>>()?;
            Ok(HttpResponse::MultipleChoices().json(NumberChoices { number, choices }))
        }
    }
}
