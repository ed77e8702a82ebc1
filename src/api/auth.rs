//! /api/v1/auth: login, refresh, logout, and who am I.

use actix_web::{get, post, HttpRequest, HttpResponse};

use super::dto::UserResponse;
use super::responses::{BodyErrors, PublicErrors, ReadErrors, ThrottledErrors, WriteErrors};
use super::{AuthUser, Json, State};
use crate::db;
use crate::error::ApiResult;
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
    let LoginRequest { username, password } = body.0;
    // Three steps, so that no connection is held and no SQLite write lock is taken while
    // argon2 runs: take the throttle slots and read the account; verify the password on
    // the hashing threads; record the outcome.
    let (settings, c) = (st.settings.auth.clone(), client.clone());
    let attempt = st
        .db
        .tx(move |tx| accounts::begin_login(tx, &settings, &c, &username))
        .await?;
    let ok = st.hasher.verify(password, attempt.password_hash()).await;
    let state = st.get_ref().clone();
    let tokens = st
        .db
        .tx(move |tx| {
            accounts::finish_login(tx, &state.keys, &state.settings.auth, &client, attempt, ok)
        })
        .await??;
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
    let state = st.get_ref().clone();
    let tokens = st
        .db
        // Not one transaction: revoking a replayed token's session must survive the 401.
        .run(move |conn| accounts::refresh(conn, &state.keys, &state.settings.auth, &body))
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
    st.db
        .tx(move |conn| accounts::logout(conn, &user.caller, &user.session_id))
        .await?;
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
    let id = user.caller.user_id;
    let u = st
        .db
        .run(move |conn| -> ApiResult<_> { Ok(db::users::get(conn, &id)?) })
        .await?;
    Ok(HttpResponse::Ok().json(UserResponse::from_row(u)?))
}
