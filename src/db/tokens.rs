use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::models::RefreshToken;
use super::schema::refresh_tokens;
use super::{Conn, DbResult};

pub fn insert(conn: &mut Conn, t: &RefreshToken) -> DbResult<()> {
    diesel::insert_into(refresh_tokens::table)
        .values(t)
        .execute(conn)?;
    Ok(())
}

pub fn by_hash(conn: &mut Conn, hash: &str) -> DbResult<Option<RefreshToken>> {
    Ok(refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(hash))
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
