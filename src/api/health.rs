//! Liveness and readiness.

use actix_web::{get, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::responses::Unavailable;
use super::State;
use crate::error::ApiResult;

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
}

/// The process is up.
#[utoipa::path(tag = "health", responses((status = 200, body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// The database answers and every migration is applied.
#[utoipa::path(tag = "health", responses((status = 200, body = Health), Unavailable))]
#[get("/readyz")]
pub async fn readyz(st: State) -> ApiResult<HttpResponse> {
    crate::service::health::ready(&st.db).await?;
    Ok(HttpResponse::Ok().json(Health { status: "ready" }))
}

/// `GET /metrics`: the Prometheus text (version 0.0.4), for the bearer of `metrics.token`.
/// Not in the OpenAPI document: it is the operator's, not an integrator's. Without a token
/// configured the route does not exist (404); a missing or wrong token is a 401.
pub async fn metrics(st: State, req: actix_web::HttpRequest) -> ApiResult<HttpResponse> {
    let want = st.settings.metrics.token.trim();
    if want.is_empty() {
        return Err(crate::error::AppError::NotFound);
    }
    let given = super::bearer(&req)?.unwrap_or_default();
    // Compared in constant time: the token is a secret.
    let same: bool = subtle::ConstantTimeEq::ct_eq(given.as_bytes(), want.as_bytes()).into();
    if !same {
        return Err(crate::error::AppError::Unauthorized(
            "GET /metrics needs Authorization: Bearer <metrics.token>".into(),
        ));
    }
    let gauges = crate::service::health::gauges(&st.db, st.search.last_seq()).await?;
    let text = crate::metrics::render(&gauges).map_err(crate::error::AppError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(text))
}
