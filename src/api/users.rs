//! /api/v1/users: account administration (admin only).

use actix_web::{get, patch, post, web, HttpResponse};

use super::dto::UserResponse;
use super::responses::{BodyErrors, IfMatchErrors, ReadErrors, WriteErrors};
use super::{parse_id, tagged, AuthUser, IfMatch, Json, State};
use crate::auth::Action;
use crate::error::ApiResult;
use crate::service::accounts::{self, CreateUserRequest, UpdateUserRequest};

/// All accounts.
#[utoipa::path(
    tag = "users",
    responses((status = 200, body = Vec<UserResponse>), ReadErrors),
    security(("bearer" = []))
)]
#[get("/users")]
pub async fn list_users(st: State, user: AuthUser) -> ApiResult<HttpResponse> {
    user.caller.require(Action::ManageUsers)?;
    let list = accounts::list_users(&st.db)
        .await?
        .into_iter()
        .map(UserResponse::from_row)
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(HttpResponse::Ok().json(list))
}

/// Create an account.
#[utoipa::path(
    tag = "users",
    request_body = CreateUserRequest,
    responses((status = 201, body = UserResponse), WriteErrors, BodyErrors),
    security(("bearer" = []))
)]
#[post("/users")]
pub async fn create_user(
    st: State,
    user: AuthUser,
    body: Json<CreateUserRequest>,
) -> ApiResult<HttpResponse> {
    user.caller.require(Action::ManageUsers)?;
    accounts::check_new_password(&body.password)?;
    let hash = st.hasher.hash(body.password.clone()).await?;
    let u = accounts::add_user(&st.db, user.caller, body.0, hash).await?;
    Ok({
        let body = UserResponse::from_row(u)?;
        tagged(
            actix_web::http::StatusCode::CREATED,
            &body.id,
            body.row_version,
            &body,
        )
    })
}

/// One account.
#[utoipa::path(
    tag = "users",
    params(("id" = String, Path)),
    responses((status = 200, body = UserResponse, headers(("ETag" = String))), ReadErrors),
    security(("bearer" = []))
)]
#[get("/users/{id}")]
pub async fn get_user(st: State, user: AuthUser, id: web::Path<String>) -> ApiResult<HttpResponse> {
    user.caller.require(Action::ManageUsers)?;
    let id = parse_id(&id)?;
    let u = accounts::get_user(&st.db, id).await?;
    Ok({
        let body = UserResponse::from_row(u)?;
        tagged(
            actix_web::http::StatusCode::OK,
            &body.id,
            body.row_version,
            &body,
        )
    })
}

/// Change an account's name, password, role, unit or active flag (send `If-Match`).
#[utoipa::path(
    tag = "users",
    params(("id" = String, Path), ("If-Match" = String, Header)),
    request_body = UpdateUserRequest,
    responses((status = 200, body = UserResponse), WriteErrors, BodyErrors, IfMatchErrors),
    security(("bearer" = []))
)]
#[patch("/users/{id}")]
pub async fn update_user(
    st: State,
    user: AuthUser,
    id: web::Path<String>,
    if_match: IfMatch,
    body: Json<UpdateUserRequest>,
) -> ApiResult<HttpResponse> {
    user.caller.require(Action::ManageUsers)?;
    let id = parse_id(&id)?;
    let version = if_match.row_version()?;
    let hash = match &body.password {
        Some(p) => {
            accounts::check_new_password(p)?;
            Some(st.hasher.hash(p.clone()).await?)
        }
        None => None,
    };
    let u = accounts::change_user(&st.db, user.caller, id, version, body.0, hash).await?;
    Ok({
        let body = UserResponse::from_row(u)?;
        tagged(
            actix_web::http::StatusCode::OK,
            &body.id,
            body.row_version,
            &body,
        )
    })
}
