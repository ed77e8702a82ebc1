//! /api/v1/auth: login, refresh, logout, and who am I.

use actix_web::{get, post, HttpRequest, HttpResponse};

use super::responses::{BodyErrors, PublicErrors, ReadErrors, ThrottledErrors, WriteErrors};
use super::{AuthUser, Json, State};
use crate::error::ApiResult;
use crate::service::accounts::UserResponse;
use crate::service::accounts::{self, LoginRequest, RefreshRequest, TokenResponse};

/// Exchange a username and password for an access token and a refresh token.
/// Repeated failures lock the account for a while (429 with Retry-After).
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses((status = 200, body = TokenResponse), PublicErrors, BodyErrors, ThrottledErrors)
)]
#[post("/auth/login")]
pub async fn login(
    st: State,
    req: HttpRequest,
    body: Json<LoginRequest>,
) -> ApiResult<HttpResponse> {
    let client = super::client_of(&req, &st.settings.server.trusted_proxies);
    let tokens = accounts::login(
        &st.db,
        &st.hasher,
        st.keys.clone(),
        st.settings.auth.clone(),
        client,
        body.0,
    )
    .await?;
    Ok(HttpResponse::Ok().json(tokens))
}

/// Exchange a refresh token for a new pair; each refresh token works once.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses((status = 200, body = TokenResponse), PublicErrors, BodyErrors)
)]
#[post("/auth/refresh")]
pub async fn refresh(st: State, body: Json<RefreshRequest>) -> ApiResult<HttpResponse> {
    let tokens =
        accounts::refresh_session(&st.db, st.keys.clone(), st.settings.auth.clone(), body.0)
            .await?;
    Ok(HttpResponse::Ok().json(tokens))
}

/// End this session: its refresh token and access tokens stop working.
#[utoipa::path(
    tag = "auth",
    responses((status = 204), WriteErrors),
    security(("bearer" = []))
)]
#[post("/auth/logout")]
pub async fn logout(st: State, user: AuthUser) -> ApiResult<HttpResponse> {
    accounts::end_session(&st.db, user.caller, user.session_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The signed-in account.
#[utoipa::path(
    tag = "auth",
    responses((status = 200, body = UserResponse), ReadErrors),
    security(("bearer" = []))
)]
#[get("/auth/me")]
pub async fn me(st: State, user: AuthUser) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(accounts::me(&st.db, &user.caller).await?))
}
