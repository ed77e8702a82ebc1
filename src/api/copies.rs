//! Stamped PDF copies and their verification.

use actix_web::http::header;
use actix_web::{get, web, HttpResponse};

use super::responses::{Conflict, PayloadTooLarge, PublicErrors, ReadErrors, UnsupportedMediaType};
use super::route::routes;
use super::State;
use crate::error::ApiResult;
use crate::service::copies::{self as svc, PreparedCopy, StampQuery, VerifyResponse};
use crate::service::Caller;

/// Stamps a prepared copy on the blocking pool within the configured time, outside any
/// transaction (a hostile file holds no connection and no lock), records its verification
/// code, and answers with the stamped file.
async fn pdf_reply(
    st: &State,
    caller: Option<Caller>,
    prepared: PreparedCopy,
) -> ApiResult<HttpResponse> {
    let prepared = std::sync::Arc::new(prepared);
    let bytes = svc::execute(prepared.clone(), st.settings.pdf.clone()).await?;
    let code = prepared.code().to_owned();
    svc::record_copy(&st.db, caller, prepared).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/pdf"))
        .insert_header(("x-verification-code", code.clone()))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"{code}.pdf\""),
        ))
        .body(bytes))
}

routes! {
    tag "versions";

    /// A version as a PDF, stamped on every page with what it is (draft, official copy,
    /// numbered controlled copy, or expired / obsolete), page numbers, a verification code
    /// and its QR code. An uploaded PDF is never rewritten: the stamp is an incremental
    /// update appended to the original bytes. A version without a PDF is rendered from its text.
    get "/versions/{id}/pdf" => version_pdf(st, caller: Public, id: Path, q: Query<StampQuery>)
        -> [
            (status = 200, description = "The stamped PDF", content_type = "application/pdf",
             headers(("X-Verification-Code" = String))),
            PublicErrors, Conflict, PayloadTooLarge, UnsupportedMediaType
        ] {
            let base = st.settings.server.base_url.clone();
            let prepared = svc::prepare_version_copy(&st.db, caller.clone(), id, q, base).await?;
            pdf_reply(&st, caller, prepared).await
        }
}

/// The stamped PDF of a numbered controlled copy (the staff pages' download too).
pub async fn controlled_copy_file(
    st: &State,
    caller: Caller,
    id: String,
) -> ApiResult<HttpResponse> {
    let base = st.settings.server.base_url.clone();
    let prepared = svc::prepare_controlled(&st.db, caller.clone(), id, base).await?;
    pdf_reply(st, Some(caller), prepared).await
}

routes! {
    tag "iso";

    /// The PDF of one numbered controlled copy of an ISO document (its number, recipient,
    /// code and revision on every page; stamped obsolete once the revision is superseded).
    get "/iso/copies/{id}/pdf" => controlled_copy_pdf(st, caller: Auth, id: Path)
        -> [
            (status = 200, description = "The stamped copy", content_type = "application/pdf",
             headers(("X-Verification-Code" = String))),
            ReadErrors, Conflict
        ] {
            controlled_copy_file(&st, caller, id).await
        }
}

/// Which document, version, stamp and recipient a printed copy's code belongs to,
/// whether its source file is intact, and whether the document is still in force. The
/// URL a copy's QR code carries: a browser (`Accept` naming `text/html` before JSON) gets
/// the verification page in Vietnamese, and an unknown code the not-found page, in HTML.
#[utoipa::path(
    tag = "public",
    params(("code" = String, Path)),
    responses(
        PublicErrors,
        (status = 200, description = "The copy: JSON, or the verification page for a browser", content(
            (VerifyResponse = "application/json"),
            (String = "text/html")
        )),
        (status = 404, description = "No copy has this code: a problem, or the not-found page for a browser", content(
            (crate::api::problem::Problem = "application/problem+json"),
            (String = "text/html")
        ))
    )
)]
#[get("/verify/{code}")]
pub async fn verify(st: State, code: web::Path<String>) -> ApiResult<HttpResponse> {
    let r = svc::check_code(&st.db, code.into_inner()).await?;
    // The same URL answers a page to a browser (web::verify): caches must keep both.
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::VARY, "Accept"))
        .json(r))
}
