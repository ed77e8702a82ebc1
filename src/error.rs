//! Errors. The rule: `anyhow` only in `main.rs`, CLI commands and background jobs;
//! `DbError` / `RuleError` / `AuthError` in the lower layers; [`AppError`] from the service
//! up. Its HTTP form (status, `application/problem+json`) is `api::problem`.

use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::AuthError;
use crate::db::DbError;
use crate::domain::RuleError;
use crate::search::SearchError;

/// One failing field of a validation error.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// The field, as named in the request (`effective_from`, `file`, ...).
    pub field: String,
    pub message: String,
}

/// What went wrong, as the service sees it; `api/problem.rs` gives each its status and
/// problem type.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request cannot be read (malformed JSON, a bad id, a syntax error in a query).
    #[error("bad request: {0}")]
    BadRequest(String),
    /// Well-formed but invalid input, by field.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// No valid credentials.
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// The caller's role or scope does not allow it.
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("not found")]
    NotFound,
    /// A rule of the domain refused it (`guard` names the rule).
    #[error("conflict: {detail}")]
    Conflict {
        guard: Option<String>,
        detail: String,
    },
    /// The resource changed since the caller read it (a stale ETag).
    #[error("stale: the resource changed since it was read")]
    Stale,
    /// A change was asked without saying which state of the resource it applies to.
    #[error("precondition required")]
    PreconditionRequired,
    /// The input is over a configured size.
    #[error("too large: {0}")]
    TooLarge(String),
    /// The input is in a format the service does not take.
    #[error("unsupported format: {0}")]
    UnsupportedFormat(String),
    /// None of the representations asked for can be given.
    #[error("not acceptable: {0}")]
    NotAcceptable(String),
    /// Too many attempts from this client; try again after the given seconds.
    #[error("throttled")]
    Throttled { retry_after_secs: u64 },
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

    /// What went wrong, in words for the one who asked; `None` where the kind says it all.
    /// An internal or unavailable cause is for the log, not for the asker.
    pub fn detail(&self) -> Option<String> {
        match self {
            AppError::BadRequest(d)
            | AppError::Unauthorized(d)
            | AppError::Forbidden(d)
            | AppError::TooLarge(d)
            | AppError::UnsupportedFormat(d)
            | AppError::NotAcceptable(d)
            | AppError::Unavailable(d)
            | AppError::Internal(d) => Some(d.clone()),
            AppError::Validation(errors) => Some(
                errors
                    .iter()
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            AppError::Conflict { detail, .. } => Some(detail.clone()),
            AppError::Stale => {
                Some("Read the resource again and send its current ETag in If-Match.".into())
            }
            AppError::PreconditionRequired => {
                Some("Send the ETag of the version you read in an If-Match header.".into())
            }
            AppError::Throttled { retry_after_secs } => {
                Some(format!("Try again in {retry_after_secs} seconds."))
            }
            AppError::NotFound => None,
        }
    }
}

impl From<DbError> for AppError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::NotFound => AppError::NotFound,
            DbError::Conflict(d) => AppError::conflict(d),
            DbError::Stale => AppError::Stale,
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
            AuthError::Locked { retry_after_secs } => AppError::Throttled { retry_after_secs },
            AuthError::Internal(d) => AppError::Internal(d),
            other => AppError::Unauthorized(other.to_string()),
        }
    }
}

impl From<SearchError> for AppError {
    fn from(e: SearchError) -> Self {
        match e {
            SearchError::Query(m) => AppError::BadRequest(m),
            SearchError::Invalid { field, message } => AppError::invalid(field, message),
            SearchError::Db(d) => d.into(),
            SearchError::Index(m) => AppError::Internal(m),
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
