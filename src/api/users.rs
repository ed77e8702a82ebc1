//! /api/v1/users: account administration (admin only).

use actix_web::{get, patch, post, web, HttpResponse};

use actix_web::http::StatusCode;

use super::responses::{BodyErrors, IfMatchErrors, ReadErrors, WriteErrors};
use super::{parse_id, tagged_row, AuthUser, IfMatch, Json, State};
use crate::error::ApiResult;
use crate::service::accounts::UserResponse;
use crate::service::accounts::{self, CreateUserRequest, UpdateUserRequest};

/// All accounts.
#[utoipa::path(
    tag = "users",
    responses((status = 200, body = Vec<UserResponse>), ReadErrors),
    security(("bearer" = []))
)]
#[get("/users")]
pub async fn list_users(st: State, user: AuthUser) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(accounts::list_users(&st.db, &user.caller).await?))
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
    let u = accounts::add_user(&st.db, &st.hasher, user.caller, body.0).await?;
    Ok(tagged_row(StatusCode::CREATED, &u))
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
    let u = accounts::get_user(&st.db, &user.caller, parse_id(&id)?).await?;
    Ok(tagged_row(StatusCode::OK, &u))
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
    let (id, version) = if_match.target(&id)?;
    let u = accounts::change_user(&st.db, &st.hasher, user.caller, id, version, body.0).await?;
    Ok(tagged_row(StatusCode::OK, &u))
}
