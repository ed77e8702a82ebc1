//! The error responses routes declare in the OpenAPI document, as shared sets: a route
//! lists its success responses and then its sets, e.g.
//! `responses((status = 200, body = DocumentResponse), WriteErrors, BodyErrors, IfMatchErrors)`.
//! Every error is an [`AppError`](crate::error::AppError) served as
//! `application/problem+json`; a set says which of them a kind of route can answer.
//!
//! - [`PublicErrors`]: any route (malformed or invalid query, unknown id, a bad token, the
//!   database unavailable).
//! - [`ReadErrors`]: a route that needs a token (adds 401 without one, 403).
//! - [`WriteErrors`]: an authenticated change (adds 409, the state does not allow it).
//! - [`BodyErrors`]: a route with a request body (malformed JSON, 413, 415, 422).
//! - [`IfMatchErrors`]: a write guarded by `If-Match` (412, 428).
//! - [`ThrottledErrors`]: a route with a rate limit (429 with `Retry-After`).

use std::collections::BTreeMap;

use utoipa::openapi::{response::Response, RefOr};
use utoipa::IntoResponses;

use crate::api::problem::Problem;

type Responses = BTreeMap<String, RefOr<Response>>;

/// The query string or body is malformed.
#[derive(IntoResponses)]
#[response(status = 400, content_type = "application/problem+json")]
pub struct BadRequest(pub Problem);

/// No token, or a token that is invalid, expired or of an ended session.
#[derive(IntoResponses)]
#[response(
    status = 401,
    content_type = "application/problem+json",
    headers(("WWW-Authenticate" = String))
)]
pub struct Unauthorized(pub Problem);

/// The caller's role or unit does not allow this.
#[derive(IntoResponses)]
#[response(status = 403, content_type = "application/problem+json")]
pub struct Forbidden(pub Problem);

/// No such resource (or not visible to the caller).
#[derive(IntoResponses)]
#[response(status = 404, content_type = "application/problem+json")]
pub struct NotFound(pub Problem);

/// The current state does not allow this; `guard` names the rule.
#[derive(IntoResponses)]
#[response(status = 409, content_type = "application/problem+json")]
pub struct Conflict(pub Problem);

/// `If-Match` does not match the current ETag: read the resource again.
#[derive(IntoResponses)]
#[response(status = 412, content_type = "application/problem+json")]
pub struct PreconditionFailed(pub Problem);

/// The request body is larger than the configured limit.
#[derive(IntoResponses)]
#[response(status = 413, content_type = "application/problem+json")]
pub struct PayloadTooLarge(pub Problem);

/// The request body is not of a type this route accepts.
#[derive(IntoResponses)]
#[response(status = 415, content_type = "application/problem+json")]
pub struct UnsupportedMediaType(pub Problem);

/// Well-formed, but some fields are invalid; `errors` names them.
#[derive(IntoResponses)]
#[response(status = 422, content_type = "application/problem+json")]
pub struct Unprocessable(pub Problem);

/// `If-Match` is required on this write.
#[derive(IntoResponses)]
#[response(status = 428, content_type = "application/problem+json")]
pub struct PreconditionRequired(pub Problem);

/// Too many requests: try again after `Retry-After` seconds.
#[derive(IntoResponses)]
#[response(
    status = 429,
    content_type = "application/problem+json",
    headers(("Retry-After" = u64, description = "Seconds to wait"))
)]
pub struct TooManyRequests(pub Problem);

/// The database or another dependency is unavailable for now; try again.
#[derive(IntoResponses)]
#[response(status = 503, content_type = "application/problem+json")]
pub struct Unavailable(pub Problem);

/// A set of error responses: the union of the responses of its members.
macro_rules! problem_set {
    ($(#[$doc:meta])* $name:ident = $($member:ty),+) => {
        $(#[$doc])*
        pub struct $name;

        impl IntoResponses for $name {
            fn responses() -> Responses {
                let mut all = Responses::new();
                $(all.extend(<$member as IntoResponses>::responses());)+
                all
            }
        }
    };
}

problem_set!(
    /// Any route: 400, 401 (a bad token), 404, 422, 503.
    PublicErrors = BadRequest, Unauthorized, NotFound, Unprocessable, Unavailable
);
problem_set!(
    /// A route that needs a token: [`PublicErrors`] and 403.
    ReadErrors = PublicErrors, Forbidden
);
problem_set!(
    /// An authenticated change: [`ReadErrors`] and 409.
    WriteErrors = ReadErrors, Conflict
);
problem_set!(
    /// A route with a request body: 400, 413, 415, 422.
    BodyErrors = BadRequest, PayloadTooLarge, UnsupportedMediaType, Unprocessable
);
problem_set!(
    /// A write guarded by `If-Match`: 412, 428.
    IfMatchErrors = PreconditionFailed, PreconditionRequired
);
problem_set!(
    /// A rate-limited route: 429 with `Retry-After`.
    ThrottledErrors = TooManyRequests
);

#[cfg(test)]
mod tests {
    use super::*;

    fn statuses<T: IntoResponses>() -> Vec<String> {
        T::responses().into_keys().collect()
    }

    #[test]
    fn sets_are_unions_of_their_members() {
        assert_eq!(
            statuses::<PublicErrors>(),
            ["400", "401", "404", "422", "503"]
        );
        assert_eq!(
            statuses::<WriteErrors>(),
            ["400", "401", "403", "404", "409", "422", "503"]
        );
        assert_eq!(statuses::<BodyErrors>(), ["400", "413", "415", "422"]);
        assert_eq!(statuses::<IfMatchErrors>(), ["412", "428"]);
    }

    #[test]
    fn every_error_is_problem_json() {
        for (status, response) in WriteErrors::responses()
            .into_iter()
            .chain(BodyErrors::responses())
            .chain(IfMatchErrors::responses())
            .chain(ThrottledErrors::responses())
        {
            let RefOr::T(response) = response else {
                panic!("{status} is inline");
            };
            assert_eq!(
                response.content.keys().collect::<Vec<_>>(),
                ["application/problem+json"],
                "{status}"
            );
        }
    }
}
