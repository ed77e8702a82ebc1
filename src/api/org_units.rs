//! /api/v1/org-units: the units that issue and draft documents.

use actix_web::{get, patch, post, web, HttpResponse};

use super::dto::OrgUnitResponse;
use super::responses::{BodyErrors, IfMatchErrors, ReadErrors, WriteErrors};
use super::{parse_id, tagged, AuthUser, IfMatch, Json, State};
use crate::auth::Action;
use crate::db;
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
    let list = st
        .db
        .run(|conn| -> ApiResult<Vec<OrgUnitResponse>> {
            db::org_units::list(conn)?
                .into_iter()
                .map(OrgUnitResponse::from_row)
                .collect()
        })
        .await?;
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
    let caller = user.caller;
    let u = st
        .db
        .tx(move |conn| svc::create(conn, &caller, &body))
        .await?;
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
    let u = st
        .db
        .run(move |conn| -> ApiResult<_> { Ok(db::org_units::get(conn, &id)?) })
        .await?;
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
    let caller = user.caller;
    let u = st
        .db
        .tx(move |conn| svc::update(conn, &caller, &id, version, &body))
        .await?;
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
