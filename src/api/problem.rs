//! The HTTP form of [`AppError`]: its status and its `application/problem+json` body
//! (RFC 9457) with a stable `type`. A 5xx logs its cause with a correlation id and returns
//! only that id. The one mapping from the service's errors to HTTP.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{AppError, FieldError};

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

fn slug(e: &AppError) -> &'static str {
    match e {
        AppError::BadRequest(_) => "bad-request",
        AppError::Validation(_) => "validation",
        AppError::Unauthorized(_) => "unauthorized",
        AppError::Forbidden(_) => "forbidden",
        AppError::NotFound => "not-found",
        AppError::Conflict { .. } => "conflict",
        AppError::Stale => "precondition-failed",
        AppError::PreconditionRequired => "precondition-required",
        AppError::TooLarge(_) => "payload-too-large",
        AppError::UnsupportedFormat(_) => "unsupported-media-type",
        AppError::NotAcceptable(_) => "not-acceptable",
        AppError::Throttled { .. } => "too-many-requests",
        AppError::Unavailable(_) => "unavailable",
        AppError::Internal(_) => "internal",
    }
}

fn title(e: &AppError) -> &'static str {
    match e {
        AppError::BadRequest(_) => "The request is malformed",
        AppError::Validation(_) => "The request has invalid fields",
        AppError::Unauthorized(_) => "Authentication is required",
        AppError::Forbidden(_) => "Your role does not allow this",
        AppError::NotFound => "No such resource",
        AppError::Conflict { .. } => "The current state does not allow this",
        AppError::Stale => "The resource changed since you read it",
        AppError::PreconditionRequired => "An If-Match header is required",
        AppError::TooLarge(_) => "The request body is too large",
        AppError::UnsupportedFormat(_) => "Unsupported content type",
        AppError::NotAcceptable(_) => "This representation is not available",
        AppError::Throttled { .. } => "Too many requests",
        AppError::Unavailable(_) => "The service is temporarily unavailable",
        AppError::Internal(_) => "Internal error",
    }
}

/// The problem document of an error.
pub fn problem(e: &AppError) -> Problem {
    let detail = match e {
        AppError::Unavailable(_) | AppError::Internal(_) => {
            let id = uuid::Uuid::new_v4().to_string();
            tracing::error!(correlation_id = %id, error = %e, "request failed");
            Some(format!("correlation id {id}"))
        }
        other => other.detail(),
    };
    let (guard, errors) = match e {
        AppError::Validation(errors) => (None, errors.clone()),
        AppError::Conflict { guard, .. } => (guard.clone(), vec![]),
        _ => (None, vec![]),
    };
    Problem {
        type_: format!("/problems/{}", slug(e)),
        title: title(e).to_owned(),
        status: e.status_code().as_u16(),
        detail,
        instance: None,
        guard,
        errors,
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
            AppError::Stale => StatusCode::PRECONDITION_FAILED,
            AppError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedFormat(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::NotAcceptable(_) => StatusCode::NOT_ACCEPTABLE,
            AppError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut builder = HttpResponse::build(self.status_code());
        builder.insert_header((header::CONTENT_TYPE, "application/problem+json"));
        match self {
            AppError::Throttled { retry_after_secs } => {
                builder.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            AppError::Unauthorized(_) => {
                builder.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            _ => {}
        }
        builder.body(serde_json::to_string(&problem(self)).unwrap_or_default())
    }
}
