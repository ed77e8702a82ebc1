//! Accounts and sessions: login (with per-account throttling), refresh-token rotation,
//! logout, and user administration.

use chrono::{NaiveDateTime, TimeDelta};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::documents::double_option;
use super::{clean_text, Caller};
use crate::auth::password::Hasher;
use crate::auth::token::{new_refresh_token, refresh_token_hash, TokenKeys};
use crate::auth::{password, Action, AuthError};
use crate::config::AuthSettings;
use crate::db::audit::{self, Actor, Event};
use crate::db::models::{RefreshToken, User};
use crate::db::users::UserChanges;
use crate::db::{self, Conn, Db, Tx};
use crate::domain::kinds::{Role, SessionKind};
use crate::error::{ApiResult, AppError};

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    pub refresh_token: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    pub token_type: &'static str,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    pub username: String,
    pub display_name: Option<String>,
    pub password: String,
    pub role: Role,
    /// Org unit id or code.
    pub org_unit: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    pub display_name: Option<String>,
    pub password: Option<String>,
    pub role: Option<Role>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub org_unit: Option<Option<String>>,
    pub active: Option<bool>,
}

fn clean_username(u: &str) -> ApiResult<String> {
    let u = clean_text("username", u, 64)?;
    if !u
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    {
        return Err(AppError::invalid(
            "username",
            "ASCII letters, digits, '_', '-' and '.' only",
        ));
    }
    Ok(u)
}

/// Creates an account (no permission check: the CLI and the demo loader use it).
pub fn insert_audited(
    conn: &mut Tx<'_>,
    actor: &Actor,
    req: &CreateUserRequest,
) -> ApiResult<User> {
    check_new_password(&req.password)?;
    let hash = password::hash(&req.password)?;
    insert_hashed(conn, actor, req, hash)
}

/// A new password must be acceptable before anything hashes it.
pub fn check_new_password(p: &str) -> ApiResult<()> {
    password::validate_new(p).map_err(|m| AppError::invalid("password", m))
}

/// Creates an account whose password was hashed beforehand (outside the transaction).
fn insert_hashed(
    conn: &mut Tx<'_>,
    actor: &Actor,
    req: &CreateUserRequest,
    hash: String,
) -> ApiResult<User> {
    let username = clean_username(&req.username)?;
    check_new_password(&req.password)?;
    let org_unit_id = match &req.org_unit {
        Some(o) => Some(super::documents::resolve_org_unit(conn, "org_unit", o)?),
        None => None,
    };
    let now = db::now();
    let inserted = db::users::insert(
        conn,
        &User {
            id: db::new_id(),
            display_name: match &req.display_name {
                Some(d) => clean_text("display_name", d, 200)?,
                None => username.clone(),
            },
            username,
            password_hash: hash,
            role: req.role,
            org_unit_id,
            active: true,
            failed_logins: 0,
            locked_until: None,
            created_at: now,
            updated_at: now,
            row_version: 1,
        },
    );
    let user = super::unique(inserted, || "that username is taken".into())?;
    audit::append(
        conn,
        actor,
        Event::detailed(
            "user.create",
            "user",
            &user.id,
            serde_json::json!({"username": user.username, "role": user.role}),
        ),
    )?;
    Ok(user)
}

/// Creates an account; `password_hash` is the request's password, hashed beforehand on the
/// hashing threads (argon2 never runs inside a write transaction).
pub fn create_user(
    conn: &mut Tx<'_>,
    caller: &Caller,
    req: &CreateUserRequest,
    password_hash: String,
) -> ApiResult<User> {
    caller.require(Action::ManageUsers)?;
    insert_hashed(conn, &caller.actor(), req, password_hash)
}

/// Updates an account; `password_hash` is the new password's hash when one is set.
pub fn update_user(
    conn: &mut Tx<'_>,
    caller: &Caller,
    id: &str,
    expected_version: i32,
    req: &UpdateUserRequest,
    password_hash: Option<String>,
) -> ApiResult<User> {
    caller.require(Action::ManageUsers)?;
    let current = db::users::get(conn, id)?;
    if current.row_version != expected_version {
        return Err(AppError::Stale);
    }
    if current.id == caller.user_id
        && (req.active == Some(false) || req.role.is_some_and(|r| r != Role::Admin))
    {
        return Err(AppError::Conflict {
            guard: Some("admin_keeps_own_access".into()),
            detail: "an admin cannot deactivate or demote their own account".into(),
        });
    }
    if req.password.is_some() != password_hash.is_some() {
        return Err(AppError::internal("a new password comes with its hash"));
    }
    let org_unit_id = match &req.org_unit {
        Some(Some(o)) => Some(Some(super::documents::resolve_org_unit(
            conn, "org_unit", o,
        )?)),
        Some(None) => Some(None),
        None => None,
    };
    let changes = UserChanges {
        display_name: req
            .display_name
            .as_deref()
            .map(|d| clean_text("display_name", d, 200))
            .transpose()?,
        password_hash,
        role: req.role,
        org_unit_id,
        active: req.active,
    };
    let updated = db::users::update(conn, id, expected_version, &changes)?;
    // A changed password, role or deactivation ends the user's sessions.
    if req.password.is_some() || req.role.is_some() || req.active == Some(false) {
        db::tokens::revoke_user(conn, id, db::now())?;
    }
    audit::append(
        conn,
        &caller.actor(),
        Event {
            action: "user.update",
            entity_type: "user",
            entity_id: id,
            from_state: Some(current.role.as_str()),
            to_state: Some(updated.role.as_str()),
            details: Some(serde_json::json!({
                "active": updated.active, "org_unit_id": updated.org_unit_id,
                "password_changed": req.password.is_some()
            })),
            ..Default::default()
        },
    )?;
    Ok(updated)
}

fn start_session(
    conn: &mut Conn,
    keys: &TokenKeys,
    settings: &AuthSettings,
    user: &User,
    family_id: String,
) -> ApiResult<TokenResponse> {
    let (token, hash) = new_refresh_token();
    let now = db::now();
    db::tokens::insert(
        conn,
        &RefreshToken {
            id: db::new_id(),
            user_id: user.id.clone(),
            family_id: family_id.clone(),
            token_hash: hash,
            expires_at: now + TimeDelta::seconds(settings.refresh_ttl_seconds),
            revoked_at: None,
            created_at: now,
            kind: SessionKind::Api,
        },
    )?;
    let access = keys.issue(
        &user.id,
        &user.username,
        user.role,
        user.org_unit_id.clone(),
        &family_id,
    )?;
    Ok(TokenResponse {
        access_token: access,
        refresh_token: token,
        expires_in: keys.access_ttl_seconds,
        token_type: "Bearer",
    })
}

/// A login under way: its throttle slots are taken and the account (if any) read; the
/// password is checked between [`begin_login`] and [`finish_login`], outside any
/// transaction and connection.
#[derive(Debug)]
pub struct LoginAttempt {
    user: Option<User>,
    account_key: String,
    address_key: String,
}

impl LoginAttempt {
    /// The hash to verify the password against (None: an unknown username, verified
    /// against a dummy hash so that the time taken reveals nothing).
    pub fn password_hash(&self) -> Option<String> {
        self.user.as_ref().map(|u| u.password_hash.clone())
    }
}

/// The throttle keys of a login: its client address, and that address with the account.
/// The username is hashed: any text may arrive there, and it may be a password typed in
/// the wrong box.
fn throttle_keys(client: &str, username: &str) -> (String, String) {
    let name = db::blobs::sha256_hex(username.trim().to_lowercase().as_bytes());
    (format!("login:{client}:{name}"), format!("login:{client}"))
}

/// Takes a slot from each login counter of this client: `max_failed_logins` per account
/// and `max_failed_logins_per_address` across accounts in the window. Either full: 429.
pub fn begin_login(
    tx: &mut Tx<'_>,
    settings: &AuthSettings,
    client: &str,
    username: &str,
) -> ApiResult<LoginAttempt> {
    let now = db::now();
    let window = TimeDelta::seconds(settings.failure_window_seconds);
    let cutoff = now - window;
    let (account_key, address_key) = throttle_keys(client, username);
    for (key, limit) in [
        (&address_key, settings.max_failed_logins_per_address),
        (&account_key, settings.max_failed_logins),
    ] {
        if let Err(start) = db::throttle::take(tx, key, limit, cutoff, now)? {
            // Returning the error rolls the transaction back: no slot is kept.
            crate::metrics::METRICS.login_throttled.inc();
            let secs = (start + window - now).num_seconds().max(1) as u64;
            return Err(AuthError::Locked {
                retry_after_secs: secs,
            }
            .into());
        }
    }
    let user = if username.len() <= 64 {
        db::users::by_username(tx, username.trim())?
    } else {
        None
    };
    Ok(LoginAttempt {
        user,
        account_key,
        address_key,
    })
}

/// Records a login's outcome: a right password for an active account starts a session and
/// gives the slots back; anything else keeps them and is audited (against the account, or
/// against the client address for an unknown username, so both cost the same). The outer
/// result is the transaction's: a refused login is `Ok(Err(..))`, so that what it records
/// is committed.
pub fn finish_login<T>(
    tx: &mut Tx<'_>,
    settings: &AuthSettings,
    client: &str,
    attempt: LoginAttempt,
    password_ok: bool,
    start: impl FnOnce(&mut Tx<'_>, &AuthSettings, &User) -> ApiResult<T>,
) -> ApiResult<Result<T, AppError>> {
    let now = db::now();
    db::throttle::purge(
        tx,
        now - TimeDelta::seconds(settings.failure_window_seconds),
    )?;
    match attempt.user {
        Some(user) if password_ok => {
            db::throttle::clear(tx, &attempt.account_key)?;
            db::throttle::give_back(tx, &attempt.address_key)?;
            if !user.active {
                return Ok(Err(AuthError::Inactive.into()));
            }
            start(tx, settings, &user).map(Ok)
        }
        user => {
            let (entity_type, entity_id) = match &user {
                Some(u) => ("user", u.id.as_str()),
                None => ("client", client),
            };
            audit::append(
                tx,
                &Actor::system(),
                Event {
                    action: "auth.login_failed",
                    entity_type,
                    entity_id,
                    details: Some(serde_json::json!({ "client": client })),
                    ..Default::default()
                },
            )?;
            crate::metrics::METRICS.login_failures.inc();
            Ok(Err(AuthError::BadCredentials.into()))
        }
    }
}

/// Exchanges a refresh token for a new pair. A token used twice means it was stolen:
/// the whole session is revoked.
pub fn refresh(
    conn: &mut Conn,
    keys: &TokenKeys,
    settings: &AuthSettings,
    req: &RefreshRequest,
) -> ApiResult<TokenResponse> {
    let invalid = || {
        AppError::from(AuthError::InvalidToken(
            "unknown or expired refresh token".into(),
        ))
    };
    let hash = refresh_token_hash(req.refresh_token.trim());
    let stored = db::tokens::by_hash(conn, SessionKind::Api, &hash)?.ok_or_else(invalid)?;
    let now = db::now();
    if stored.revoked_at.is_some() {
        db::tokens::revoke_family(conn, &stored.family_id, now)?;
        return Err(invalid());
    }
    if stored.expires_at <= now || !db::tokens::revoke_one(conn, &stored.id, now)? {
        return Err(invalid());
    }
    let user = db::users::get(conn, &stored.user_id)?;
    if !user.active {
        return Err(AuthError::Inactive.into());
    }
    start_session(conn, keys, settings, &user, stored.family_id)
}

/// Ends the caller's session: its refresh tokens are revoked and its access tokens refused.
pub fn logout(conn: &mut Tx<'_>, caller: &Caller, session_id: &str) -> ApiResult<()> {
    db::tokens::revoke_family(conn, session_id, db::now())?;
    audit::append(
        conn,
        &caller.actor(),
        Event {
            action: "auth.logout",
            entity_type: "user",
            entity_id: &caller.user_id,
            ..Default::default()
        },
    )?;
    Ok(())
}

/// The caller an account acts as: its role and unit, and the chain of units above it for the
/// roles that see drafts by unit (the others read every draft).
pub fn caller_of(conn: &mut Conn, user: &User) -> ApiResult<Caller> {
    let role = user.role;
    let org_chain = match &user.org_unit_id {
        Some(o) if !crate::auth::allows(role, Action::ReadAllDrafts) => {
            db::org_units::ancestors_and_self(conn, o)?
        }
        _ => vec![],
    };
    let unit_abolished_on = match &user.org_unit_id {
        Some(o) => db::org_units::abolished_on(conn, o)?,
        None => None,
    };
    Ok(Caller {
        user_id: user.id.clone(),
        username: user.username.clone(),
        role,
        org_unit_id: user.org_unit_id.clone(),
        org_chain,
        unit_abolished_on,
    })
}

/// The caller a verified access token stands for: its account must exist and be active,
/// and its session must still be open (logout ends it).
pub async fn caller(db: &Db, user_id: String, session_id: String) -> ApiResult<Caller> {
    db.run(move |conn| -> ApiResult<Caller> {
        let user = db::users::get(conn, &user_id).map_err(|e| match e {
            db::DbError::NotFound => AppError::Unauthorized("unknown account".into()),
            other => other.into(),
        })?;
        if !user.active {
            return Err(AppError::Unauthorized("account is inactive".into()));
        }
        if !db::tokens::family_active(conn, &session_id, db::now())? {
            return Err(AppError::Unauthorized("session has ended".into()));
        }
        caller_of(conn, &user)
    })
    .await
}

/// Logs in: takes the throttle slots and reads the account, verifies the password on the
/// hashing threads, records the outcome. Three steps, so that no connection is held and no
/// SQLite write lock is taken while argon2 runs.
pub async fn login(
    db: &Db,
    hasher: &Hasher,
    keys: TokenKeys,
    settings: AuthSettings,
    client: String,
    req: LoginRequest,
) -> ApiResult<TokenResponse> {
    login_with(db, hasher, settings, client, req, move |tx, s, user| {
        start_session(tx, &keys, s, user, db::new_id())
    })
    .await
}

/// A login that starts the session `start` makes (API tokens, or a web session).
async fn login_with<T: Send + 'static>(
    db: &Db,
    hasher: &Hasher,
    settings: AuthSettings,
    client: String,
    req: LoginRequest,
    start: impl FnOnce(&mut Tx<'_>, &AuthSettings, &User) -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    let LoginRequest { username, password } = req;
    let (s, c) = (settings.clone(), client.clone());
    let attempt = db.tx(move |tx| begin_login(tx, &s, &c, &username)).await?;
    let ok = hasher.verify(password, attempt.password_hash()).await;
    db.tx(move |tx| finish_login(tx, &settings, &client, attempt, ok, start))
        .await?
}

/// Logs in from the web pages, with the API's throttling and checks: the new session's
/// cookie value (a refresh-token family of its own kind, which the API's refresh refuses).
pub async fn web_login(
    db: &Db,
    hasher: &Hasher,
    settings: AuthSettings,
    client: String,
    req: LoginRequest,
) -> ApiResult<String> {
    login_with(db, hasher, settings, client, req, |tx, s, user| {
        let (token, hash) = new_refresh_token();
        let now = db::now();
        db::tokens::insert(
            tx,
            &RefreshToken {
                id: db::new_id(),
                user_id: user.id.clone(),
                family_id: db::new_id(),
                token_hash: hash,
                expires_at: now
                    + TimeDelta::seconds(s.web_idle_seconds.min(s.web_absolute_seconds)),
                revoked_at: None,
                created_at: now,
                kind: SessionKind::Web,
            },
        )?;
        Ok(token)
    })
    .await
}

/// How often at most a web session's idle expiry is moved forward (one write a minute per
/// active session, not one per page).
const WEB_SLIDE_SECONDS: i64 = 60;

/// The caller a web session's cookie stands for, and the session's id. A session that was
/// ended (logout, a deactivation, a role or password change), idle too long or past its
/// absolute limit, or whose account is inactive, is `Unauthorized`. Each use moves the idle
/// expiry forward, never past the absolute limit.
pub async fn web_caller(
    db: &Db,
    settings: &AuthSettings,
    token: String,
) -> ApiResult<(Caller, String)> {
    let idle = TimeDelta::seconds(settings.web_idle_seconds);
    let absolute = TimeDelta::seconds(settings.web_absolute_seconds);
    db.run(move |conn| {
        let ended = || AppError::Unauthorized("session has ended".into());
        let session = db::tokens::by_hash(conn, SessionKind::Web, &refresh_token_hash(&token))?
            .ok_or_else(ended)?;
        let now = db::now();
        let limit = session.created_at + absolute;
        if session.revoked_at.is_some() || session.expires_at <= now || limit <= now {
            return Err(ended());
        }
        let user = db::users::get(conn, &session.user_id)?;
        if !user.active {
            return Err(ended());
        }
        let next = (now + idle).min(limit);
        if next - session.expires_at > TimeDelta::seconds(WEB_SLIDE_SECONDS) {
            db::tokens::extend(conn, &session.id, next)?;
        }
        Ok((caller_of(conn, &user)?, session.family_id))
    })
    .await
}

/// Exchanges a refresh token for a new pair (see [`refresh`]). Not one transaction:
/// revoking a replayed token's session must survive the refusal.
pub async fn refresh_session(
    db: &Db,
    keys: TokenKeys,
    settings: AuthSettings,
    req: RefreshRequest,
) -> ApiResult<TokenResponse> {
    db.run(move |conn| refresh(conn, &keys, &settings, &req))
        .await
}

/// Ends the caller's session (see [`logout`]).
pub async fn end_session(db: &Db, caller: Caller, session_id: String) -> ApiResult<()> {
    db.tx(move |conn| logout(conn, &caller, &session_id)).await
}

/// Every account (admin).
pub async fn list_users(db: &Db, caller: &Caller) -> ApiResult<Vec<UserResponse>> {
    let users = super::read_allowed(db, caller, Action::ManageUsers, db::users::list).await?;
    users.into_iter().map(UserResponse::from_row).collect()
}

/// One account (admin).
pub async fn get_user(db: &Db, caller: &Caller, id: String) -> ApiResult<UserResponse> {
    let read = move |conn: &mut Conn| db::users::get(conn, &id);
    UserResponse::from_row(super::read_allowed(db, caller, Action::ManageUsers, read).await?)
}

/// The caller's own account.
pub async fn me(db: &Db, caller: &Caller) -> ApiResult<UserResponse> {
    let id = caller.user_id.clone();
    UserResponse::from_row(db.run(move |conn| db::users::get(conn, &id)).await?)
}

/// A new password, checked, then hashed on the hashing threads (argon2 never runs inside
/// a write transaction).
async fn new_password_hash(hasher: &Hasher, password: &str) -> ApiResult<String> {
    check_new_password(password)?;
    Ok(hasher.hash(password.to_owned()).await?)
}

/// Creates an account (admin).
pub async fn add_user(
    db: &Db,
    hasher: &Hasher,
    caller: Caller,
    req: CreateUserRequest,
) -> ApiResult<UserResponse> {
    caller.require(Action::ManageUsers)?;
    let hash = new_password_hash(hasher, &req.password).await?;
    let u = db
        .tx(move |conn| create_user(conn, &caller, &req, hash))
        .await?;
    UserResponse::from_row(u)
}

/// Changes an account at its row version (admin); a new password is hashed first.
pub async fn change_user(
    db: &Db,
    hasher: &Hasher,
    caller: Caller,
    id: String,
    row_version: i32,
    req: UpdateUserRequest,
) -> ApiResult<UserResponse> {
    caller.require(Action::ManageUsers)?;
    let hash = match &req.password {
        Some(p) => Some(new_password_hash(hasher, p).await?),
        None => None,
    };
    let u = db
        .tx(move |conn| update_user(conn, &caller, &id, row_version, &req, hash))
        .await?;
    UserResponse::from_row(u)
}

// ---- Wire shapes ----

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserResponse {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub org_unit_id: Option<String>,
    pub active: bool,
    #[serde(with = "crate::service::timestamp::utc")]
    pub created_at: NaiveDateTime,
    #[serde(with = "crate::service::timestamp::utc")]
    pub updated_at: NaiveDateTime,
    pub row_version: i32,
}

impl UserResponse {
    pub fn from_row(u: User) -> ApiResult<Self> {
        Ok(UserResponse {
            role: u.role,
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            org_unit_id: u.org_unit_id,
            active: u.active,
            created_at: u.created_at,
            updated_at: u.updated_at,
            row_version: u.row_version,
        })
    }
}
