//! The staff pages (`/lam-viec/...`): the same accounts as the API, signed in with a cookie
//! session, calling the same use cases with the same caller. A page decides nothing: what
//! it lists is what the use case returns to that caller, and the actions it offers are the
//! ones the use case reports as allowed (`allowed_actions`, the policy's `allows`).
//!
//! Every form carries the form token of [`super::csrf`] and is refused without it; the
//! session cookie is `HttpOnly`, `SameSite=Lax` and `Secure` when the service is served over
//! TLS. A page asked for without a session answers 303 to the login page.

pub mod admin;
pub mod appraisals;
pub mod consultations;
pub mod documents;
pub mod iso;
pub mod login;
pub mod queue;
pub mod reports;
pub mod reviews;

use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::{header, StatusCode};
use actix_web::{web, FromRequest, HttpRequest, HttpResponse, ResponseError};
use serde::de::DeserializeOwned;

use super::csrf::{self, FormKey};
use super::page::{form_body, html, PageError, PageResult};
use crate::api::State;
use crate::error::AppError;
use crate::service::policy::{reaches, Area};
use crate::service::Caller;

/// The cookie that holds a web session.
pub const SESSION_COOKIE: &str = "vanban_session";

/// The routes of the staff pages.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(login::login_form)
        .service(login::submit)
        .service(login::logout)
        .service(queue::queue)
        .service(documents::list)
        .service(documents::create)
        .service(documents::show)
        .service(documents::update)
        .service(documents::transition)
        .service(documents::upload)
        .service(documents::file)
        .service(documents::relate)
        .service(documents::unrelate)
        .service(consultations::list)
        .service(consultations::show)
        .service(consultations::moderate)
        .service(consultations::dispose)
        .service(consultations::report)
        .service(appraisals::list)
        .service(appraisals::appraise)
        .service(reviews::list)
        .service(reviews::inspect)
        .service(reviews::resolve)
        .service(reviews::campaign)
        .service(reviews::record)
        .service(iso::list)
        .service(iso::copy_pdf)
        .service(iso::show)
        .service(iso::comment)
        .service(iso::step)
        .service(iso::acknowledge)
        .service(iso::review)
        .service(iso::returned)
        .service(reports::report)
        .service(reports::download)
        .service(admin::show)
        .service(admin::create_user)
        .service(admin::update_user)
        .service(admin::create_unit)
        .service(admin::update_unit);
}

/// Whether the service is reached over TLS (its public address is `https://`): then every
/// cookie is `Secure`.
pub fn secure(st: &State) -> bool {
    st.settings.server.base_url.starts_with("https://")
}

/// The session cookie carrying `value`; an empty value with max-age 0 removes it.
pub fn session_cookie(st: &State, value: String) -> Cookie<'static> {
    let mut c = Cookie::build(SESSION_COOKIE, value)
        .path("/")
        .http_only(true)
        .secure(secure(st))
        .same_site(SameSite::Lax)
        .finish();
    if c.value().is_empty() {
        c.make_removal();
    }
    c
}

/// A signed-in member of staff: the caller their session stands for.
pub struct Staff {
    pub caller: Caller,
    pub session_id: String,
    /// The form token of this browser, and the form cookie to set when it had none.
    pub token: String,
    cookie: Option<Cookie<'static>>,
}

/// No session (or an ended one): 303 to the login page, which brings the visitor back.
#[derive(Debug)]
pub struct SignIn {
    next: String,
}

impl std::fmt::Display for SignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("sign in first")
    }
}

impl ResponseError for SignIn {
    fn status_code(&self) -> StatusCode {
        StatusCode::SEE_OTHER
    }

    fn error_response(&self) -> HttpResponse {
        let to = format!("/dang-nhap?tiep={}", urlencode(&self.next));
        HttpResponse::SeeOther()
            .insert_header((header::LOCATION, to))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .finish()
    }
}

/// A path and query made safe for a `tiep=` parameter.
fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|q| q.trim_start_matches('=').to_owned())
        .unwrap_or_default()
}

/// Where a login may send the visitor back to: a path of this site, never another origin.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/lam-viec".to_owned(),
    }
}

impl FromRequest for Staff {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let st = req
                .app_data::<State>()
                .cloned()
                .ok_or_else(|| PageError(AppError::internal("application state missing")))?;
            let next = match req.method() {
                &actix_web::http::Method::GET => req
                    .uri()
                    .path_and_query()
                    .map(|p| p.as_str().to_owned())
                    .unwrap_or_else(|| "/lam-viec".into()),
                _ => "/lam-viec".into(),
            };
            let Some(cookie) = req.cookie(SESSION_COOKIE) else {
                return Err(SignIn { next }.into());
            };
            let value = cookie.value().to_owned();
            match crate::service::accounts::web_caller(&st.db, &st.settings.auth, value).await {
                Ok((caller, session_id)) => {
                    let (nonce, cookie) = csrf::nonce(&req, secure(&st));
                    let token = form_key(&st).token(&nonce);
                    Ok(Staff {
                        caller,
                        session_id,
                        token,
                        cookie,
                    })
                }
                Err(AppError::Unauthorized(_)) => Err(SignIn { next }.into()),
                Err(e) => Err(PageError(e).into()),
            }
        })
    }
}

pub fn form_key(st: &State) -> FormKey {
    FormKey::of(&st.keys)
}

/// One link of the staff menu.
pub struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// What every staff page shows around its content: who is signed in, the menu of what
/// their role may reach (from the policy), and the form token for the logout button.
pub struct Frame {
    pub name: String,
    pub role_label: &'static str,
    pub token: String,
    pub nav: Vec<NavLink>,
    /// A message after a form was taken (`?tb=`), shown once.
    pub notice: Option<String>,
    /// Why the form just posted was refused, shown above the page it came from.
    pub problem: Option<Problem>,
}

/// A use case's refusal of a form, in the pages' words.
pub struct Problem {
    pub title: &'static str,
    pub detail: String,
    /// `vi`, or `en` for a use case's own (English) detail.
    pub lang: &'static str,
}

impl Problem {
    pub fn of(e: &AppError) -> Self {
        let (title, detail) = super::page::explain(e);
        let lang = if detail.is_ascii() { "en" } else { "vi" };
        Problem {
            title,
            detail,
            lang,
        }
    }
}

/// What a posted form led to: 303 to `back` when the use case did it, else [`refused`].
pub async fn answered<T, F, Fut>(done: Result<T, AppError>, back: &str, redraw: F) -> PageResult
where
    F: FnOnce(AppError) -> Fut,
    Fut: Future<Output = PageResult>,
{
    match done {
        Ok(_) => Ok(see_other(back)),
        Err(e) => refused(e, redraw).await,
    }
}

/// A form the use case refused: the client's mistakes and refused guards redrawn on the
/// form's page (`redraw`, with the problem shown and the error's status); anything else
/// (not found included) the error page.
pub async fn refused<F, Fut>(e: AppError, redraw: F) -> PageResult
where
    F: FnOnce(AppError) -> Fut,
    Fut: Future<Output = PageResult>,
{
    if !e.status_code().is_client_error() || matches!(e, AppError::NotFound) {
        return Err(PageError(e));
    }
    let status = e.status_code();
    let mut res = redraw(e).await?;
    *res.status_mut() = status;
    Ok(res)
}

/// The staff menu: each entry with the part of the work it holds (the policy decides who
/// reaches it).
const MENU: &[(&str, &str, Area)] = &[
    ("/lam-viec", "Việc cần làm", Area::Queue),
    ("/lam-viec/van-ban", "Văn bản", Area::Documents),
    ("/lam-viec/gop-y", "Góp ý", Area::Comments),
    ("/lam-viec/tham-dinh", "Thẩm định", Area::Appraisals),
    ("/lam-viec/ra-soat", "Rà soát", Area::Reviews),
    ("/lam-viec/iso", "ISO", Area::Iso),
    ("/lam-viec/bao-cao", "Báo cáo", Area::Reports),
    ("/lam-viec/quan-tri", "Quản trị", Area::Admin),
];

impl Staff {
    /// The frame of a page of the menu entry `here` (its href), with the notice its query
    /// names.
    pub fn frame(&self, req: &HttpRequest, here: &str) -> Frame {
        let notice = serde_urlencoded::from_str::<Vec<(String, String)>>(req.query_string())
            .ok()
            .and_then(|q| q.into_iter().find(|(k, _)| k == "tb").map(|(_, v)| v))
            .and_then(|code| notice_text(&code).map(str::to_owned));
        Frame {
            name: self.caller.username.clone(),
            role_label: self.caller.role.label_vi(),
            token: self.token.clone(),
            nav: MENU
                .iter()
                .filter(|(_, _, a)| reaches(&self.caller, *a))
                .map(|(href, label, _)| NavLink {
                    href,
                    label,
                    current: here == *href,
                })
                .collect(),
            notice,
            problem: None,
        }
    }

    /// The frame of a page redrawn after a refused form.
    pub fn frame_with(&self, req: &HttpRequest, here: &str, problem: Option<&AppError>) -> Frame {
        let mut f = self.frame(req, here);
        f.problem = problem.map(Problem::of);
        f
    }

    /// A staff page: private (it shows one account's work), with the form cookie if new.
    pub fn page(&self, req: &HttpRequest, page: &impl askama::Template) -> PageResult {
        let mut res = html(req, page, true)?;
        if let Some(c) = &self.cookie {
            res.add_cookie(c).map_err(AppError::internal)?;
        }
        Ok(res)
    }
}

/// The messages a form's redirect may name (`?tb=code`); an unknown code shows nothing.
fn notice_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "saved" => "Đã lưu.",
        "done" => "Đã thực hiện.",
        _ => return None,
    })
}

/// 303 to `to` after a form was taken (post/redirect/get).
pub fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to.to_owned()))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

/// A form posted by a staff page: `application/x-www-form-urlencoded`, within the JSON
/// size limit, carrying this browser's form token (403 without it), read into `T`.
pub struct Form<T>(pub T);

#[derive(serde::Deserialize)]
struct TokenField {
    #[serde(default)]
    form_token: String,
}

impl<T: DeserializeOwned + 'static> FromRequest for Form<T> {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        let mut payload = payload.take();
        Box::pin(async move {
            let st = req
                .app_data::<State>()
                .cloned()
                .ok_or_else(|| PageError(AppError::internal("application state missing")))?;
            let bytes = form_body(&req, &mut payload, &st).await?;
            let token: TokenField = serde_urlencoded::from_bytes(&bytes).map_err(unreadable)?;
            check_token(&st, &req, &token.form_token)?;
            serde_urlencoded::from_bytes(&bytes)
                .map(Form)
                .map_err(unreadable)
        })
    }
}

/// A form without this browser's form token is refused (403), before anything is read.
pub fn check_token(st: &State, req: &HttpRequest, token: &str) -> Result<(), PageError> {
    if csrf::verify(req, &form_key(st), token.trim()) {
        return Ok(());
    }
    Err(PageError(AppError::Forbidden(
        "Biểu mẫu đã hết hạn hoặc không hợp lệ; xin tải lại trang và gửi lại.".into(),
    )))
}

/// A date field of a form: empty is none, else `YYYY-MM-DD` (what a date input sends).
pub fn date_field(field: &str, value: Option<&str>) -> Result<Option<chrono::NaiveDate>, AppError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| AppError::invalid(field.to_owned(), "a date such as 2026-12-31")),
    }
}

/// A form with nothing but its token (a button).
#[derive(serde::Deserialize)]
pub struct NoFields {}

fn unreadable(_: serde_urlencoded::de::Error) -> PageError {
    PageError(AppError::BadRequest(
        "Nội dung biểu mẫu không đọc được; xin tải lại trang và gửi lại.".into(),
    ))
}
