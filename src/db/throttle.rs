//! Counters of failed logins, kept in the database so that every replica sees the same
//! counts. A counter is a row per key with a fixed window; taking a slot is one
//! conditional `UPDATE`, so concurrent attempts on one key are serialised by its row lock
//! (PostgreSQL re-reads the row after waiting; SQLite's write transaction holds the lock).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{Text, Timestamp};

use super::schema::login_throttle as t;
use super::{Conn, DbResult, Tx};

/// Takes one slot of `key` if fewer than `limit` are taken in the window that began after
/// `cutoff` (an older window starts again at `now`). `Err(window_start)` when full.
pub fn take(
    tx: &mut Tx<'_>,
    key: &str,
    limit: i32,
    cutoff: NaiveDateTime,
    now: NaiveDateTime,
) -> DbResult<Result<(), NaiveDateTime>> {
    // Not through diesel's DSL: ON CONFLICT does not pass through MultiConnection. Both
    // backends take the same statement but name their parameters differently.
    let sql = match &**tx {
        Conn::Sqlite(_) => {
            "INSERT INTO login_throttle (key, window_start, failures) VALUES (?, ?, 0) \
             ON CONFLICT (key) DO NOTHING"
        }
        Conn::Postgresql(_) => {
            "INSERT INTO login_throttle (key, window_start, failures) VALUES ($1, $2, 0) \
             ON CONFLICT (key) DO NOTHING"
        }
    };
    let conn = tx.conn();
    diesel::sql_query(sql)
        .bind::<Text, _>(key)
        .bind::<Timestamp, _>(now)
        .execute(conn)?;
    diesel::update(t::table.find(key).filter(t::window_start.le(cutoff)))
        .set((t::failures.eq(0), t::window_start.eq(now)))
        .execute(conn)?;
    let taken = diesel::update(t::table.find(key).filter(t::failures.lt(limit)))
        .set(t::failures.eq(t::failures + 1))
        .execute(conn)?;
    if taken == 1 {
        return Ok(Ok(()));
    }
    let start: NaiveDateTime = t::table.find(key).select(t::window_start).first(conn)?;
    Ok(Err(start))
}

/// Gives back one slot of `key` (the attempt that took it succeeded).
pub fn give_back(tx: &mut Tx<'_>, key: &str) -> DbResult<()> {
    diesel::update(t::table.find(key).filter(t::failures.gt(0)))
        .set(t::failures.eq(t::failures - 1))
        .execute(tx.conn())?;
    Ok(())
}

/// Forgets `key` (a correct password from that address for that account).
pub fn clear(tx: &mut Tx<'_>, key: &str) -> DbResult<()> {
    diesel::delete(t::table.find(key)).execute(tx.conn())?;
    Ok(())
}

/// Drops counters whose window ended before `cutoff`.
pub fn purge(tx: &mut Tx<'_>, cutoff: NaiveDateTime) -> DbResult<usize> {
    Ok(diesel::delete(t::table.filter(t::window_start.le(cutoff))).execute(tx.conn())?)
}

/// The slots taken of `key` in its current window (for tests and metrics).
pub fn taken(conn: &mut Conn, key: &str) -> DbResult<i32> {
    Ok(t::table
        .find(key)
        .select(t::failures)
        .first(conn)
        .optional()?
        .unwrap_or(0))
}
