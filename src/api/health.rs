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
