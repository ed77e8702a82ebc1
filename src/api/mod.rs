//! HTTP only: thin handlers (parse, call one use case, add status and headers) and
//! extractors. The use cases decide who may do what; a file per resource; routes are
//! assembled in `app.rs`.

pub mod audit;
pub mod auth;
pub mod copies;
pub mod documents;
pub mod export;
pub mod health;
pub mod iso;
pub mod org_units;
pub mod problem;
pub mod queue;
pub mod reorganisations;
pub mod reports;
pub mod responses;
pub mod review;
pub mod route;
pub mod search;
pub mod self_inspections;
pub mod systematization;
pub mod users;
pub mod versions;
pub mod workflow;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};

use crate::auth::token::TokenKeys;
use crate::config::Settings;
use crate::db::Db;
use crate::error::{ApiResult, AppError};
/// The wire types, owned by the service.
pub use crate::service::dto;
use crate::service::Caller;

/// What every handler can reach.
pub struct AppState {
    pub settings: Settings,
    pub db: Db,
    pub keys: TokenKeys,
    pub search: Arc<crate::search::SearchIndex>,
    /// Public comments per client address (None: no limit).
    pub comment_limiter: Option<CommentLimiter>,
    /// The threads that run argon2.
    pub hasher: Arc<crate::auth::password::Hasher>,
}

pub type CommentLimiter = governor::DefaultKeyedRateLimiter<String>;

impl AppState {
    pub fn new(
        settings: Settings,
        db: Db,
        keys: TokenKeys,
        search: Arc<crate::search::SearchIndex>,
    ) -> Self {
        let comment_limiter = std::num::NonZeroU32::new(settings.workflow.comments_per_minute)
            .map(|n| governor::RateLimiter::keyed(governor::Quota::per_minute(n)));
        let hasher = Arc::new(crate::auth::password::Hasher::new(
            settings.auth.hash_threads,
        ));
        AppState {
            settings,
            db,
            keys,
            search,
            comment_limiter,
            hasher,
        }
    }
}

pub type State = web::Data<Arc<AppState>>;

fn state(req: &HttpRequest) -> ApiResult<Arc<AppState>> {
    req.app_data::<State>()
        .map(|s| s.get_ref().clone())
        .ok_or_else(|| AppError::internal("application state missing"))
}

fn bearer(req: &HttpRequest) -> ApiResult<Option<String>> {
    match req.headers().get(header::AUTHORIZATION) {
        None => Ok(None),
        Some(v) => {
            let v = v
                .to_str()
                .map_err(|_| AppError::Unauthorized("malformed Authorization header".into()))?;
            match v.split_once(' ') {
                Some((scheme, token))
                    if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
                {
                    Ok(Some(token.trim().to_owned()))
                }
                _ => Err(AppError::Unauthorized(
                    "expected Authorization: Bearer <token>".into(),
                )),
            }
        }
    }
}

/// Resolves a bearer token to a caller: the token must verify, its session must still
/// be open (logout ends it), and the account must still be active.
async fn authenticate(req: &HttpRequest) -> ApiResult<Option<(Caller, String)>> {
    let Some(token) = bearer(req)? else {
        return Ok(None);
    };
    let st = state(req)?;
    let claims = st.keys.verify(&token)?;
    let caller = crate::service::accounts::caller(&st.db, claims.sub, claims.sid.clone()).await?;
    Ok(Some((caller, claims.sid)))
}

/// An authenticated caller (401 without a valid token).
pub struct AuthUser {
    pub caller: Caller,
    pub session_id: String,
}

impl FromRequest for AuthUser {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            match authenticate(&req).await? {
                Some((caller, session_id)) => Ok(AuthUser { caller, session_id }),
                None => Err(AppError::Unauthorized("sign in first".into())),
            }
        })
    }
}

/// The caller if a token is sent, the public otherwise. A bad token is still a 401.
pub struct MaybeUser(pub Option<Caller>);

impl FromRequest for MaybeUser {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { Ok(MaybeUser(authenticate(&req).await?.map(|(c, _)| c))) })
    }
}

/// The `If-Match` header: required on every write to a versioned resource.
pub struct IfMatch(pub String);

impl IfMatch {
    /// The row version encoded in an ETag made by [`row_etag`].
    pub fn row_version(&self) -> ApiResult<i32> {
        self.0
            .rsplit_once('-')
            .and_then(|(_, v)| v.parse().ok())
            .ok_or(AppError::Stale)
    }
}

impl IfMatch {
    /// The resource a guarded write targets: its id from the path (404 if malformed), then
    /// the row version the client read (412 if the header is not one of our ETags).
    pub fn target(&self, raw_id: &str) -> ApiResult<(String, i32)> {
        let id = parse_id(raw_id)?;
        Ok((id, self.row_version()?))
    }
}

impl FromRequest for IfMatch {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let value = req
            .headers()
            .get(header::IF_MATCH)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                v.trim()
                    .trim_start_matches("W/")
                    .trim_matches('"')
                    .to_owned()
            });
        std::future::ready(match value {
            Some(v) if !v.is_empty() => Ok(IfMatch(v)),
            _ => Err(AppError::PreconditionRequired),
        })
    }
}

/// A JSON body: `application/json`, within the configured size, parsed with field
/// paths in its errors (see [`crate::error::parse_json`]).
pub struct Json<T>(pub T);

impl<T> std::ops::Deref for Json<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: serde::de::DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| {
                let ct = ct.to_ascii_lowercase();
                ct.starts_with("application/json")
                    || (ct.starts_with("application/") && ct.contains("+json"))
            });
        let limit = req
            .app_data::<State>()
            .map(|s| s.settings.server.json_limit_bytes)
            .unwrap_or(1 << 20);
        let mut payload = payload.take();
        Box::pin(async move {
            if !is_json {
                return Err(AppError::UnsupportedFormat(
                    "send the body as application/json".into(),
                ));
            }
            let bytes = read_limited(&mut payload, limit).await?;
            crate::error::parse_json(&bytes).map(Json)
        })
    }
}

/// Reads a body up to `limit` bytes; more is a 413.
pub async fn read_limited(
    payload: &mut actix_web::dev::Payload,
    limit: usize,
) -> ApiResult<web::BytesMut> {
    use futures_util::StreamExt;
    let mut buf = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|e| AppError::BadRequest(format!("could not read the body: {e}")))?;
        if buf.len() + chunk.len() > limit {
            return Err(AppError::TooLarge(format!("at most {limit} bytes")));
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf)
}

/// A JSON response carrying the ETag of the row it shows, for the next `If-Match`.
pub fn tagged<T: serde::Serialize>(
    status: actix_web::http::StatusCode,
    id: &str,
    row_version: i32,
    body: &T,
) -> actix_web::HttpResponse {
    actix_web::HttpResponse::build(status)
        .insert_header((header::ETAG, row_etag(id, row_version)))
        .json(body)
}

/// A response body showing one versioned row: the id and row version its ETag is made of.
pub trait RowTagged: serde::Serialize {
    fn row_tag(&self) -> (&str, i32);
}

/// [`RowTagged`] for bodies whose row is `id` at `row_version`.
macro_rules! row_tagged {
    ($($body:ty),+) => {$(
        impl RowTagged for $body {
            fn row_tag(&self) -> (&str, i32) {
                (&self.id, self.row_version)
            }
        }
    )+};
}
row_tagged!(
    crate::service::documents::DocumentResponse,
    crate::service::org_units::OrgUnitResponse,
    crate::service::accounts::UserResponse
);

/// `body` as JSON with its row's ETag (see [`tagged`]).
pub fn tagged_row<T: RowTagged>(
    status: actix_web::http::StatusCode,
    body: &T,
) -> actix_web::HttpResponse {
    let (id, row_version) = body.row_tag();
    tagged(status, id, row_version, body)
}

/// ETag of a row with an id and a row version.
pub fn row_etag(id: &str, row_version: i32) -> String {
    format!("\"{id}-{row_version}\"")
}

/// Maps a path id that is not a UUID to 404 before touching the database.
pub fn parse_id(raw: &str) -> ApiResult<String> {
    uuid::Uuid::parse_str(raw)
        .map(|u| u.to_string())
        .map_err(|_| AppError::NotFound)
}

/// The public-comment limiter: one client (by its address, read through the trusted
/// proxies) may send so many comments a minute; beyond that, `Throttled` with the wait.
/// Every form that takes a public comment applies it before the comment is read.
pub fn throttle_comment(st: &AppState, req: &HttpRequest) -> ApiResult<()> {
    let Some(limiter) = &st.comment_limiter else {
        return Ok(());
    };
    let client = client_of(req, &st.settings.server.trusted_proxies);
    limiter.check_key(&client).map_err(|not_until| {
        let wait = not_until.wait_time_from(governor::clock::Clock::now(
            &governor::clock::DefaultClock::default(),
        ));
        AppError::Throttled {
            retry_after_secs: wait.as_secs().max(1),
        }
    })
}

/// The client address of a request as text ("unknown" without a peer address), read
/// through the trusted proxies.
pub fn client_of(req: &HttpRequest, trusted: &[std::net::IpAddr]) -> String {
    client_address(
        req.peer_addr().map(|a| a.ip()),
        req.headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok()),
        trusted,
    )
    .map(|ip| ip.to_string())
    .unwrap_or_else(|| "unknown".into())
}

/// The address of the client behind a request: the peer, unless the peer is a trusted
/// proxy; then the nearest address in `X-Forwarded-For` (read from the right, as each proxy
/// appends the address it got the request from) that is not a trusted proxy. An entry that
/// is not an address stops the walk: what lies left of it cannot be believed.
pub fn client_address(
    peer: Option<std::net::IpAddr>,
    forwarded_for: Option<&str>,
    trusted: &[std::net::IpAddr],
) -> Option<std::net::IpAddr> {
    let mut client = peer?;
    if !trusted.contains(&client) {
        return Some(client);
    }
    for hop in forwarded_for.unwrap_or_default().rsplit(',') {
        match hop.trim().parse::<std::net::IpAddr>() {
            Ok(ip) => {
                client = ip;
                if !trusted.contains(&ip) {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    Some(client)
}

#[cfg(test)]
mod client_tests {
    use super::client_address;
    use std::net::IpAddr;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let proxy = [ip("127.0.0.1"), ip("10.0.0.2")];
        // No proxy configured: the header is the client's word, ignored.
        assert_eq!(
            client_address(Some(ip("203.0.113.9")), Some("1.2.3.4"), &[]),
            Some(ip("203.0.113.9"))
        );
        // Through one trusted proxy.
        assert_eq!(
            client_address(Some(ip("127.0.0.1")), Some("198.51.100.7"), &proxy),
            Some(ip("198.51.100.7"))
        );
        // A client that forges the header gets its own address appended by the proxy.
        assert_eq!(
            client_address(
                Some(ip("127.0.0.1")),
                Some("1.1.1.1, 198.51.100.7, 10.0.0.2"),
                &proxy
            ),
            Some(ip("198.51.100.7"))
        );
        // A trusted proxy without the header, or with garbage: the proxy itself.
        assert_eq!(
            client_address(Some(ip("127.0.0.1")), None, &proxy),
            Some(ip("127.0.0.1"))
        );
        assert_eq!(
            client_address(Some(ip("127.0.0.1")), Some("nonsense"), &proxy),
            Some(ip("127.0.0.1"))
        );
        assert_eq!(client_address(None, Some("1.2.3.4"), &proxy), None);
    }
}
