//! Rendering a page: the HTML response with its caching headers, and the error pages.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use askama::Template;
use sha2::{Digest, Sha256};

use crate::error::AppError;

pub type PageResult = Result<HttpResponse, PageError>;

/// A stored (UTC) time in the service's time zone, formatted with `fmt`.
pub fn local_time(t: &chrono::NaiveDateTime, fmt: &str) -> String {
    use chrono::TimeZone;
    chrono::Local.from_utc_datetime(t).format(fmt).to_string()
}

/// A day as the pages write it (`dd/mm/yyyy`).
pub fn day(d: &chrono::NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// A day that may be absent (nothing when it is).
pub fn day_of(d: &Option<chrono::NaiveDate>) -> String {
    d.as_ref().map(day).unwrap_or_default()
}

/// A stored time as the staff pages write it (`HH:MM dd/mm/yyyy`, local time).
pub fn moment(t: &chrono::NaiveDateTime) -> String {
    local_time(t, "%H:%M %d/%m/%Y")
}

/// A time that may be absent (nothing when it is).
pub fn moment_of(t: &Option<chrono::NaiveDateTime>) -> String {
    t.as_ref().map(moment).unwrap_or_default()
}

/// The id in a page's path: not an id is a page not found.
pub fn page_id(raw: &str) -> Result<String, PageError> {
    crate::api::parse_id(raw).map_err(PageError)
}

/// A page answered with `200 OK`, an `ETag` of its bytes and `Cache-Control: no-cache` (the
/// browser may keep it, but asks again: an answer to `If-None-Match` is a bodiless 304).
/// Pages that carry a form token are `private`: the token belongs to one browser.
pub fn html(req: &HttpRequest, page: &impl Template, private: bool) -> PageResult {
    let body = page.render().map_err(AppError::internal)?;
    let etag = format!(
        "\"{}\"",
        &hex::encode(Sha256::digest(body.as_bytes()))[..32]
    );
    let cache = if private {
        "private, no-cache"
    } else {
        "public, no-cache"
    };
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut res = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, cache))
        .insert_header((header::VARY, "Accept"));
    if fresh {
        return Ok(res.finish());
    }
    Ok(res.content_type("text/html; charset=utf-8").body(body))
}

/// Whether the client asked for HTML before JSON (a browser does; an API client sends
/// `application/json` or `*/*`).
pub fn accepts_html(headers: &actix_web::http::header::HeaderMap) -> bool {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    // The best (quality, earliness) of each: equal quality goes to the one named first.
    let mut html: Option<(i64, i64)> = None;
    let mut json: Option<(i64, i64)> = None;
    for (i, part) in accept.split(',').enumerate() {
        let mut it = part.split(';');
        let media = it.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = it
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if q <= 0.0 {
            continue;
        }
        let rank = Some(((q * 1000.0) as i64, -(i as i64)));
        match media.as_str() {
            "text/html" | "application/xhtml+xml" => html = html.max(rank),
            "application/json" | "application/problem+json" => json = json.max(rank),
            _ => {}
        }
    }
    match (html, json) {
        (Some(h), Some(j)) => h > j,
        (Some(_), None) => true,
        _ => false,
    }
}

/// An error answered as a page: the status of the API's problem, a Vietnamese title and
/// what the visitor can do. Internal details are never shown (they are logged).
#[derive(Debug)]
pub struct PageError(pub AppError);

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        PageError(e)
    }
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

#[derive(Template)]
#[template(path = "error.html", config = "src/web/askama.toml")]
struct ErrorPage<'a> {
    status: u16,
    title: &'a str,
    detail: String,
    /// `en` for a detail the use case wrote (in English), so that it is read as such.
    detail_lang: &'static str,
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        self.0.status_code()
    }

    fn error_response(&self) -> HttpResponse {
        error_page(&self.0)
    }
}

/// The page for an error of a use case.
pub fn error_page(e: &AppError) -> HttpResponse {
    let (title, detail) = explain(e);
    error_page_with(e, title, detail)
}

/// The title and explanation of a use case's error, in the pages' words (a use case's own
/// detail is kept as it is).
pub fn explain(e: &AppError) -> (&'static str, String) {
    let status = e.status_code();
    match e {
        AppError::NotFound => (
            "Không tìm thấy trang",
            "Địa chỉ này không có trang nào, hoặc văn bản chưa được công bố. Hãy kiểm tra \
             lại đường dẫn, hoặc tìm văn bản từ trang chủ."
                .to_owned(),
        ),
        AppError::BadRequest(d) => ("Yêu cầu không hợp lệ", d.clone()),
        AppError::Validation(fields) => (
            "Thông tin chưa hợp lệ",
            fields
                .iter()
                .map(|f| format!("{}: {}", f.field, f.message))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        AppError::Conflict { detail, .. } => ("Không thể thực hiện", detail.clone()),
        AppError::Throttled { retry_after_secs } => (
            "Quá nhiều yêu cầu",
            format!("Xin thử lại sau {retry_after_secs} giây."),
        ),
        AppError::TooLarge(d) => ("Nội dung quá dài", d.clone()),
        AppError::Unauthorized(_) => (
            "Không có quyền truy cập",
            "Trang này cần đăng nhập với quyền phù hợp.".to_owned(),
        ),
        AppError::Forbidden(d) => ("Không có quyền thực hiện", d.clone()),
        AppError::Stale => (
            "Nội dung đã thay đổi",
            "Đã có người sửa nội dung này sau khi bạn mở trang. Trang dưới đây là bản mới \
             nhất: xin xem lại rồi gửi lại."
                .to_owned(),
        ),
        AppError::UnsupportedFormat(d) => ("Định dạng không được chấp nhận", d.clone()),
        AppError::Unavailable(_) => (
            "Hệ thống tạm thời chưa sẵn sàng",
            "Xin thử lại sau ít phút.".to_owned(),
        ),
        _ if status.is_server_error() => {
            tracing::error!(error = %e, "page failed");
            (
                "Lỗi hệ thống",
                "Đã có lỗi khi tạo trang này. Lỗi đã được ghi lại; xin thử lại sau.".to_owned(),
            )
        }
        _ => ("Yêu cầu không hợp lệ", e.to_string()),
    }
}

/// The page for an error, with the title and explanation a page chose for it.
pub fn error_page_with(e: &AppError, title: &str, detail: String) -> HttpResponse {
    let status = e.status_code();
    // The pages' own words are Vietnamese; a use case's detail is English text.
    let detail_lang = if detail.is_ascii() { "en" } else { "vi" };
    let page = ErrorPage {
        status: status.as_u16(),
        title,
        detail,
        detail_lang,
    };
    let mut res = HttpResponse::build(status);
    res.insert_header((header::CACHE_CONTROL, "no-store"));
    if let AppError::Throttled { retry_after_secs } = e {
        res.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
    }
    match page.render() {
        Ok(body) => res.content_type("text/html; charset=utf-8").body(body),
        Err(_) => res
            .insert_header((
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            ))
            .body(title.to_owned()),
    }
}

/// The headers every response carries, and those of a page: a Content Security Policy
/// without inline scripts or styles (the pages load only their own assets), no framing,
/// no MIME sniffing, no referrer beyond this site.
pub fn security_headers(headers: &mut actix_web::http::header::HeaderMap, page: bool) {
    use actix_web::http::header::HeaderName;
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if page {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                 connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            ),
        );
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        );
        headers.insert(
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
        );
    }
}

/// A page's query string read into `T`; a malformed one is a 400 page (not the API's
/// problem document).
pub fn query<T: serde::de::DeserializeOwned>(req: &HttpRequest) -> Result<T, PageError> {
    serde_urlencoded::from_str(req.query_string()).map_err(|e| {
        PageError(AppError::BadRequest(format!(
            "Địa chỉ trang có tham số không đúng ({e})."
        )))
    })
}

/// The body of a urlencoded form, within the JSON size limit.
pub async fn form_body(
    req: &HttpRequest,
    payload: &mut actix_web::dev::Payload,
    st: &crate::api::State,
) -> Result<actix_web::web::BytesMut, PageError> {
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            ct.to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        });
    if !is_form {
        return Err(PageError(AppError::UnsupportedFormat(
            "Biểu mẫu phải được gửi dưới dạng application/x-www-form-urlencoded.".into(),
        )));
    }
    Ok(crate::api::read_limited(payload, st.settings.server.json_limit_bytes).await?)
}

#[cfg(test)]
mod tests {
    use super::accepts_html;
    use actix_web::http::header::{HeaderMap, HeaderValue, ACCEPT};

    fn with(accept: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(ACCEPT, HeaderValue::from_str(accept).unwrap());
        h
    }

    #[test]
    fn an_internal_error_is_a_page_that_hides_its_cause() {
        let res = super::error_page(&crate::error::AppError::Internal(
            "connection refused at 10.0.0.7:5432".into(),
        ));
        assert_eq!(res.status().as_u16(), 500);
        let bytes = actix_web::body::MessageBody::try_into_bytes(res.into_body())
            .unwrap_or_else(|_| panic!("a page body"));
        let body = String::from_utf8(bytes.to_vec()).unwrap();
        assert!(body.contains("Lỗi hệ thống"), "{body}");
        assert!(!body.contains("10.0.0.7"), "{body}");
        assert!(body.contains(r#"lang="vi""#));
    }

    #[test]
    fn a_browser_gets_html_and_an_api_client_json() {
        let chrome = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
        assert!(accepts_html(&with(chrome)));
        assert!(!accepts_html(&with("application/json")));
        assert!(!accepts_html(&with("*/*")));
        assert!(!accepts_html(&HeaderMap::new()));
        assert!(!accepts_html(&with("application/json, text/html;q=0.5")));
        assert!(accepts_html(&with("application/json;q=0.5, text/html")));
        assert!(!accepts_html(&with("text/html;q=0")));
        // Equal preference: the first named wins.
        assert!(!accepts_html(&with("application/json, text/html")));
    }
}
