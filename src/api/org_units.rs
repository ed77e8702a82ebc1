//! /api/v1/org-units: the units that issue and draft documents.

use actix_web::{get, patch, post, web, HttpResponse};

use actix_web::http::StatusCode;

use super::responses::{BodyErrors, IfMatchErrors, ReadErrors, WriteErrors};
use super::{parse_id, tagged_row, AuthUser, IfMatch, Json, State};
use crate::error::ApiResult;
use crate::service::org_units::OrgUnitResponse;
use crate::service::org_units::{self as svc, CreateOrgUnitRequest, UpdateOrgUnitRequest};

/// All org units, by code.
#[utoipa::path(
    tag = "org-units",
    responses((status = 200, body = Vec<OrgUnitResponse>), ReadErrors),
    security(("bearer" = []))
)]
#[get("/org-units")]
pub async fn list_org_units(st: State, user: AuthUser) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(svc::list_units(&st.db, &user.caller).await?))
}

/// Create an org unit (admin).
#[utoipa::path(
    tag = "org-units",
    request_body = CreateOrgUnitRequest,
    responses((status = 201, body = OrgUnitResponse), WriteErrors, BodyErrors),
    security(("bearer" = []))
)]
#[post("/org-units")]
pub async fn create_org_unit(
    st: State,
    user: AuthUser,
    body: Json<CreateOrgUnitRequest>,
) -> ApiResult<HttpResponse> {
    let u = svc::add_unit(&st.db, user.caller, body.0).await?;
    Ok(tagged_row(StatusCode::CREATED, &u))
}

/// One org unit.
#[utoipa::path(
    tag = "org-units",
    params(("id" = String, Path)),
    responses((status = 200, body = OrgUnitResponse, headers(("ETag" = String))), ReadErrors),
    security(("bearer" = []))
)]
#[get("/org-units/{id}")]
pub async fn get_org_unit(
    st: State,
    user: AuthUser,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let u = svc::get_unit(&st.db, &user.caller, parse_id(&id)?).await?;
    Ok(tagged_row(StatusCode::OK, &u))
}

/// Change an org unit (admin; send `If-Match`).
#[utoipa::path(
    tag = "org-units",
    params(("id" = String, Path), ("If-Match" = String, Header)),
    request_body = UpdateOrgUnitRequest,
    responses((status = 200, body = OrgUnitResponse), WriteErrors, BodyErrors, IfMatchErrors),
    security(("bearer" = []))
)]
#[patch("/org-units/{id}")]
pub async fn update_org_unit(
    st: State,
    user: AuthUser,
    id: web::Path<String>,
    if_match: IfMatch,
    body: Json<UpdateOrgUnitRequest>,
) -> ApiResult<HttpResponse> {
    let (id, version) = if_match.target(&id)?;
    let u = svc::change_unit(&st.db, user.caller, id, version, body.0).await?;
    Ok(tagged_row(StatusCode::OK, &u))
}
