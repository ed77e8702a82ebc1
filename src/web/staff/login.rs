//! Log in and log out of the staff pages: the API's login (same accounts, same throttling,
//! same audit of failures) starting a web session instead of API tokens.

use actix_web::http::StatusCode;
use actix_web::{get, post, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{form_key, safe_next, see_other, session_cookie, Form, Staff};
use crate::api::State;
use crate::error::AppError;
use crate::service::accounts::{self, LoginRequest};
use crate::web::csrf;
use crate::web::page::{html, query, PageError, PageResult};

#[derive(Template)]
#[template(path = "staff/login.html", config = "src/web/askama.toml")]
struct LoginPage {
    token: String,
    next: String,
    username: String,
    error: Option<String>,
}

#[derive(Deserialize)]
struct NextQuery {
    tiep: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    tiep: Option<String>,
}

fn render(
    st: &State,
    req: &HttpRequest,
    next: String,
    username: String,
    error: Option<String>,
    status: StatusCode,
) -> PageResult {
    let (nonce, cookie) = csrf::nonce(req, super::secure(st));
    let page = LoginPage {
        token: form_key(st).token(&nonce),
        next,
        username,
        error,
    };
    let mut res = html(req, &page, true)?;
    if res.status() != StatusCode::NOT_MODIFIED {
        *res.status_mut() = status;
    }
    if let Some(c) = cookie {
        res.add_cookie(&c).map_err(AppError::internal)?;
    }
    Ok(res)
}

/// The login form.
#[get("/dang-nhap")]
pub async fn login_form(st: State, req: HttpRequest) -> PageResult {
    let q: NextQuery = query(&req)?;
    let next = safe_next(q.tiep.as_deref());
    render(&st, &req, next, String::new(), None, StatusCode::OK)
}

/// A login: 303 to the page asked for (or the work queue) with the session cookie; the
/// form again with the reason when refused (a wrong password and an unknown account read
/// the same; too many failures is a 429 with the wait).
#[post("/dang-nhap")]
pub async fn submit(st: State, req: HttpRequest, posted: Form<LoginForm>) -> PageResult {
    let LoginForm {
        username,
        password,
        tiep,
    } = posted.0;
    let next = safe_next(tiep.as_deref());
    let client = crate::api::client_of(&req, &st.settings.server.trusted_proxies);
    let login = LoginRequest {
        username: username.clone(),
        password,
    };
    match accounts::web_login(&st.db, &st.hasher, st.settings.auth.clone(), client, login).await {
        Ok(token) => {
            let mut res = see_other(&next);
            res.add_cookie(&session_cookie(&st, token))
                .map_err(AppError::internal)?;
            Ok(res)
        }
        Err(e) => {
            let (status, message) = match &e {
                AppError::Throttled { retry_after_secs } => (
                    StatusCode::TOO_MANY_REQUESTS,
                    format!(
                        "Đăng nhập sai quá nhiều lần. Xin thử lại sau {} phút.",
                        retry_after_secs.div_ceil(60)
                    ),
                ),
                AppError::Unauthorized(_) | AppError::Forbidden(_) => (
                    StatusCode::UNAUTHORIZED,
                    "Tên đăng nhập hoặc mật khẩu không đúng, hoặc tài khoản đã bị khóa.".into(),
                ),
                _ => return Err(PageError(e)),
            };
            let mut res = render(&st, &req, next, username, Some(message), status)?;
            if let AppError::Throttled { retry_after_secs } = e {
                res.headers_mut().insert(
                    actix_web::http::header::RETRY_AFTER,
                    actix_web::http::header::HeaderValue::from(retry_after_secs),
                );
            }
            Ok(res)
        }
    }
}

#[derive(Deserialize)]
pub struct Empty {}

/// Logs out: the session ends everywhere (its cookie is refused from then on).
#[post("/dang-xuat")]
pub async fn logout(
    st: State,
    staff: Staff,
    _form: Form<Empty>,
) -> Result<HttpResponse, PageError> {
    accounts::end_session(&st.db, staff.caller, staff.session_id).await?;
    let mut res = see_other("/dang-nhap");
    res.add_cookie(&session_cookie(&st, String::new()))
        .map_err(AppError::internal)?;
    Ok(res)
}
