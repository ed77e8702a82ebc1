use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::models::RefreshToken;
use super::schema::refresh_tokens;
use super::{Conn, DbResult};
use crate::domain::kinds::SessionKind;

pub fn insert(conn: &mut Conn, t: &RefreshToken) -> DbResult<()> {
    diesel::insert_into(refresh_tokens::table)
        .values(t)
        .execute(conn)?;
    Ok(())
}

/// The token of a kind with this hash (a web session's cookie is no refresh token, and
/// the other way round).
pub fn by_hash(conn: &mut Conn, kind: SessionKind, hash: &str) -> DbResult<Option<RefreshToken>> {
    Ok(refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(hash))
        .filter(refresh_tokens::kind.eq(kind))
        .first(conn)
        .optional()?)
}

/// Marks one token used. Returns false when it was already revoked (a replay).
pub fn revoke_one(conn: &mut Conn, id: &str, at: NaiveDateTime) -> DbResult<bool> {
    let n = diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::id.eq(id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(Some(at)))
    .execute(conn)?;
    Ok(n == 1)
}

/// Moves a live token's expiry (a web session's idle timeout slides with its use).
pub fn extend(conn: &mut Conn, id: &str, until: NaiveDateTime) -> DbResult<()> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::id.eq(id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::expires_at.eq(until))
    .execute(conn)?;
    Ok(())
}

pub fn revoke_family(conn: &mut Conn, family_id: &str, at: NaiveDateTime) -> DbResult<usize> {
    Ok(diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(family_id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(Some(at)))
    .execute(conn)?)
}

/// True while the session (refresh family) has at least one live token.
pub fn family_active(conn: &mut Conn, family_id: &str, at: NaiveDateTime) -> DbResult<bool> {
    let n: i64 = refresh_tokens::table
        .filter(refresh_tokens::family_id.eq(family_id))
        .filter(refresh_tokens::revoked_at.is_null())
        .filter(refresh_tokens::expires_at.gt(at))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

pub fn revoke_user(conn: &mut Conn, user_id: &str, at: NaiveDateTime) -> DbResult<usize> {
    Ok(diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::user_id.eq(user_id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(Some(at)))
    .execute(conn)?)
}
