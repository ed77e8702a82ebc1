//! /api/v1/org-units: the units that issue and draft documents.

use actix_web::{get, patch, post, web, HttpResponse};

use super::dto::OrgUnitResponse;
use super::responses::{BodyErrors, IfMatchErrors, ReadErrors, WriteErrors};
use super::{parse_id, tagged, AuthUser, IfMatch, Json, State};
use crate::auth::Action;
use crate::error::ApiResult;
use crate::service::org_units::{self as svc, CreateOrgUnitRequest, UpdateOrgUnitRequest};

/// All org units, by code.
#[utoipa::path(
    tag = "org-units",
    responses((status = 200, body = Vec<OrgUnitResponse>), ReadErrors),
    security(("bearer" = []))
)]
#[get("/org-units")]
pub async fn list_org_units(st: State, user: AuthUser) -> ApiResult<HttpResponse> {
    user.caller.require(Action::ReadOrgUnits)?;
    let list = svc::list_units(&st.db)
        .await?
        .into_iter()
        .map(OrgUnitResponse::from_row)
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(HttpResponse::Ok().json(list))
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
    user.caller.require(Action::ManageOrgUnits)?;
    let u = svc::add_unit(&st.db, user.caller, body.0).await?;
    Ok({
        let body = OrgUnitResponse::from_row(u)?;
        tagged(
            actix_web::http::StatusCode::CREATED,
            &body.id,
            body.row_version,
            &body,
        )
    })
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
    user.caller.require(Action::ReadOrgUnits)?;
    let id = parse_id(&id)?;
    let u = svc::get_unit(&st.db, id).await?;
    Ok({
        let body = OrgUnitResponse::from_row(u)?;
        tagged(
            actix_web::http::StatusCode::OK,
            &body.id,
            body.row_version,
            &body,
        )
    })
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
    user.caller.require(Action::ManageOrgUnits)?;
    let id = parse_id(&id)?;
    let version = if_match.row_version()?;
    let u = svc::change_unit(&st.db, user.caller, id, version, body.0).await?;
    Ok({
        let body = OrgUnitResponse::from_row(u)?;
        tagged(
            actix_web::http::StatusCode::OK,
            &body.id,
            body.row_version,
            &body,
        )
    })
}
