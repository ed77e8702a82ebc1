//! What a printed copy's QR code opens: the verification of the copy, in plain words.
//!
//! The code's URL is the API's `/api/v1/verify/{code}`; a browser (HTML before JSON in
//! `Accept`) gets this page, an API client the JSON (both in the OpenAPI document).

use actix_web::http::header;
use actix_web::{get, guard, web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::page::{html, local_time, query, PageResult};
use crate::api::State;
use crate::error::AppError;
use crate::service::copies::{check_code, VerifyResponse};

#[derive(Template)]
#[template(path = "verify.html", config = "src/web/askama.toml")]
struct VerifyPage {
    v: VerifyResponse,
    /// When the copy was stamped, in the service's time zone.
    issued_local: String,
}

/// Whether a request comes from a browser: it asks for HTML before JSON.
pub fn browser() -> impl guard::Guard {
    guard::fn_guard(|ctx| super::accepts_html(ctx.head().headers()))
}

/// The verification page of a copy's code; an unknown code is the 404 page.
pub async fn verify(st: State, req: HttpRequest, code: web::Path<String>) -> PageResult {
    match check_code(&st.db, code.into_inner()).await {
        Ok(v) => {
            let issued_local = local_time(&v.issued_at, "%d/%m/%Y %H:%M (UTC%:z)");
            html(&req, &VerifyPage { v, issued_local }, false)
        }
        Err(AppError::NotFound) => Ok(super::page::error_page_with(
            &AppError::NotFound,
            "Không tìm thấy mã xác minh",
            "Không có bản sao nào mang mã này. Hãy kiểm tra lại mã in dưới mã QR của bản sao; \
             một bản sao có mã không tìm thấy không phải do hệ thống này cấp."
                .to_owned(),
        )),
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
struct CodeForm {
    #[serde(default)]
    ma: String,
}

#[derive(Template)]
#[template(path = "verify_form.html", config = "src/web/askama.toml")]
struct VerifyForm {
    code: String,
}

/// A form to type the code printed under a copy's QR code; with `?ma=` it goes to the
/// code's verification page.
#[get("/xac-minh")]
pub async fn form(req: HttpRequest) -> PageResult {
    let f: CodeForm = query(&req)?;
    // A code is letters and digits; spaces or dashes typed with it are dropped.
    let code: String = f.ma.chars().filter(char::is_ascii_alphanumeric).collect();
    if code.is_empty() {
        return html(&req, &VerifyForm { code }, false);
    }
    let target = format!("/api/v1/verify/{code}");
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, target))
        .finish())
}
