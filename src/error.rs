//! Errors. The rule: `anyhow` only in `main.rs`, CLI commands and background jobs;
//! `DbError` / `RuleError` / `AuthError` in the lower layers; [`AppError`] in handlers,
//! rendered as `application/problem+json` (RFC 9457) with a stable `type`.
//! A 5xx logs its cause with a correlation id and returns only that id.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::AuthError;
use crate::db::DbError;
use crate::domain::RuleError;

/// One failing field of a validation error.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// The field, as named in the request (`effective_from`, `file`, ...).
    pub field: String,
    pub message: String,
}

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// Stable identifier of the kind of problem, e.g. `/problems/validation`.
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// The workflow guard that refused the request (409).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guard: Option<String>,
    /// The failing fields (422).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub errors: Vec<FieldError>,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("not found")]
    NotFound,
    #[error("conflict: {detail}")]
    Conflict {
        guard: Option<String>,
        detail: String,
    },
    #[error("precondition failed")]
    PreconditionFailed,
    #[error("precondition required")]
    PreconditionRequired,
    #[error("payload too large: {0}")]
    PayloadTooLarge(String),
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(String),
    #[error("not acceptable: {0}")]
    NotAcceptable(String),
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

pub type ApiResult<T> = Result<T, AppError>;

impl AppError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::Validation(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }

    pub fn conflict(detail: impl Into<String>) -> Self {
        AppError::Conflict {
            guard: None,
            detail: detail.into(),
        }
    }

    pub fn internal(e: impl std::fmt::Display) -> Self {
        AppError::Internal(e.to_string())
    }

    fn slug(&self) -> &'static str {
        match self {
            AppError::BadRequest(_) => "bad-request",
            AppError::Validation(_) => "validation",
            AppError::Unauthorized(_) => "unauthorized",
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound => "not-found",
            AppError::Conflict { .. } => "conflict",
            AppError::PreconditionFailed => "precondition-failed",
            AppError::PreconditionRequired => "precondition-required",
            AppError::PayloadTooLarge(_) => "payload-too-large",
            AppError::UnsupportedMediaType(_) => "unsupported-media-type",
            AppError::NotAcceptable(_) => "not-acceptable",
            AppError::TooManyRequests { .. } => "too-many-requests",
            AppError::Unavailable(_) => "unavailable",
            AppError::Internal(_) => "internal",
        }
    }

    fn title(&self) -> &'static str {
        match self {
            AppError::BadRequest(_) => "The request is malformed",
            AppError::Validation(_) => "The request has invalid fields",
            AppError::Unauthorized(_) => "Authentication is required",
            AppError::Forbidden(_) => "Your role does not allow this",
            AppError::NotFound => "No such resource",
            AppError::Conflict { .. } => "The current state does not allow this",
            AppError::PreconditionFailed => "The resource changed since you read it",
            AppError::PreconditionRequired => "An If-Match header is required",
            AppError::PayloadTooLarge(_) => "The request body is too large",
            AppError::UnsupportedMediaType(_) => "Unsupported content type",
            AppError::NotAcceptable(_) => "This representation is not available",
            AppError::TooManyRequests { .. } => "Too many requests",
            AppError::Unavailable(_) => "The service is temporarily unavailable",
            AppError::Internal(_) => "Internal error",
        }
    }

    pub fn problem(&self) -> Problem {
        let status = self.status_code();
        let (detail, guard, errors) = match self {
            AppError::BadRequest(d)
            | AppError::Unauthorized(d)
            | AppError::Forbidden(d)
            | AppError::PayloadTooLarge(d)
            | AppError::UnsupportedMediaType(d)
            | AppError::NotAcceptable(d) => (Some(d.clone()), None, vec![]),
            AppError::Validation(errors) => (
                Some(
                    errors
                        .iter()
                        .map(|e| format!("{}: {}", e.field, e.message))
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
                None,
                errors.clone(),
            ),
            AppError::Conflict { guard, detail } => (Some(detail.clone()), guard.clone(), vec![]),
            AppError::PreconditionFailed => (
                Some("Read the resource again and send its current ETag in If-Match.".into()),
                None,
                vec![],
            ),
            AppError::PreconditionRequired => (
                Some("Send the ETag of the version you read in an If-Match header.".into()),
                None,
                vec![],
            ),
            AppError::TooManyRequests { retry_after_secs } => (
                Some(format!("Try again in {retry_after_secs} seconds.")),
                None,
                vec![],
            ),
            AppError::Unavailable(_) | AppError::Internal(_) => {
                let id = uuid::Uuid::new_v4().to_string();
                tracing::error!(correlation_id = %id, error = %self, "request failed");
                (Some(format!("correlation id {id}")), None, vec![])
            }
            AppError::NotFound => (None, None, vec![]),
        };
        Problem {
            type_: format!("/problems/{}", self.slug()),
            title: self.title().to_owned(),
            status: status.as_u16(),
            detail,
            instance: None,
            guard,
            errors,
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            AppError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::NotAcceptable(_) => StatusCode::NOT_ACCEPTABLE,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut builder = HttpResponse::build(self.status_code());
        builder.insert_header((header::CONTENT_TYPE, "application/problem+json"));
        match self {
            AppError::TooManyRequests { retry_after_secs } => {
                builder.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            AppError::Unauthorized(_) => {
                builder.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            _ => {}
        }
        builder.body(serde_json::to_string(&self.problem()).unwrap_or_default())
    }
}

impl From<DbError> for AppError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::NotFound => AppError::NotFound,
            DbError::Conflict(d) => AppError::conflict(d),
            DbError::Stale => AppError::PreconditionFailed,
            DbError::Unavailable(d) => AppError::Unavailable(d),
            DbError::Corrupt(d) => AppError::Internal(format!("stored file {d} fails its hash")),
            DbError::BadText(_) => AppError::BadRequest(
                "the request has a NUL or another character no text may hold".into(),
            ),
            DbError::Query(q) => AppError::from(q),
        }
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        match DbError::from(e) {
            DbError::Query(q) => AppError::Internal(q.to_string()),
            other => other.into(),
        }
    }
}

impl From<RuleError> for AppError {
    fn from(e: RuleError) -> Self {
        match e {
            RuleError::Guard { guard, detail } => AppError::Conflict {
                guard: Some(guard.to_owned()),
                detail,
            },
            RuleError::Invalid { field, detail } => AppError::invalid(field, detail),
        }
    }
}

impl From<AuthError> for AppError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::Forbidden(d) => AppError::Forbidden(d),
            AuthError::Locked { retry_after_secs } => {
                AppError::TooManyRequests { retry_after_secs }
            }
            AuthError::Internal(d) => AppError::Internal(d),
            other => AppError::Unauthorized(other.to_string()),
        }
    }
}

/// Parses a JSON body. Broken syntax is a 400; well-formed JSON with a wrong field,
/// type or enum value is a 422 naming the field by its path (`issuer`, `items[2].kind`).
pub fn parse_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize(de) {
        Ok(v) => Ok(v),
        Err(e) => {
            let path = e.path().to_string();
            let inner = e.into_inner();
            use serde_json::error::Category;
            Err(match inner.classify() {
                // serde_json reports some type errors of well-formed JSON as syntax (a number
                // where an enum is expected is "expected value"): read such a body as a
                // value, whose errors are type errors with the field's path.
                Category::Syntax
                    if serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok() =>
                {
                    return match serde_json::from_slice::<serde_json::Value>(bytes) {
                        Ok(value) => serde_path_to_error::deserialize(value).map_err(|e| {
                            let path = e.path().to_string();
                            let field = if path == "." || path.is_empty() {
                                "body".to_owned()
                            } else {
                                path
                            };
                            AppError::invalid(field, e.into_inner().to_string())
                        }),
                        Err(e) => Err(AppError::BadRequest(format!("malformed JSON: {e}"))),
                    };
                }
                Category::Syntax | Category::Eof | Category::Io => {
                    AppError::BadRequest(format!("malformed JSON: {inner}"))
                }
                Category::Data => {
                    let field = if path == "." || path.is_empty() {
                        inner
                            .to_string()
                            .split('`')
                            .nth(1)
                            .unwrap_or("body")
                            .to_owned()
                    } else {
                        path
                    };
                    AppError::invalid(field, inner.to_string())
                }
            })
        }
    }
}
