use diesel::prelude::*;

use super::models::{ProvisionRow, Version};
use super::schema::{provisions, versions};
use super::{Conn, DbResult};

pub fn next_seq(conn: &mut Conn, document_id: &str) -> DbResult<i32> {
    let max: Option<i32> = versions::table
        .filter(versions::document_id.eq(document_id))
        .select(diesel::dsl::max(versions::seq))
        .first(conn)?;
    Ok(max.unwrap_or(0) + 1)
}

pub fn insert(conn: &mut Conn, v: &Version) -> DbResult<Version> {
    Ok(diesel::insert_into(versions::table)
        .values(v)
        .returning(versions::all_columns)
        .get_result(conn)?)
}

pub fn insert_provisions(conn: &mut Conn, rows: &[ProvisionRow]) -> DbResult<()> {
    // Chunked: SQLite limits the number of bound parameters per statement.
    // Multi-row inserts do not pass through MultiConnection: dispatch per backend.
    for chunk in rows.chunks(200) {
        let stmt = diesel::insert_into(provisions::table).values(chunk);
        match conn {
            Conn::Postgresql(c) => stmt.execute(c)?,
            Conn::Sqlite(c) => stmt.execute(c)?,
        };
    }
    Ok(())
}

pub fn get(conn: &mut Conn, id: &str) -> DbResult<Version> {
    Ok(versions::table.find(id).first(conn)?)
}

pub fn list(conn: &mut Conn, document_id: &str) -> DbResult<Vec<Version>> {
    Ok(versions::table
        .filter(versions::document_id.eq(document_id))
        .order(versions::seq.asc())
        .load(conn)?)
}

pub fn latest(conn: &mut Conn, document_id: &str) -> DbResult<Option<Version>> {
    Ok(versions::table
        .filter(versions::document_id.eq(document_id))
        .order(versions::seq.desc())
        .first(conn)
        .optional()?)
}

pub fn provisions(conn: &mut Conn, version_id: &str) -> DbResult<Vec<ProvisionRow>> {
    Ok(provisions::table
        .filter(provisions::version_id.eq(version_id))
        .order(provisions::ord.asc())
        .load(conn)?)
}

/// Marks a version approved; returns false if it already was (approval is once).
pub fn approve(
    conn: &mut Conn,
    id: &str,
    approver_id: &str,
    at: chrono::NaiveDateTime,
) -> DbResult<bool> {
    let n = diesel::update(
        versions::table
            .filter(versions::id.eq(id))
            .filter(versions::approved_at.is_null()),
    )
    .set((
        versions::approved_at.eq(Some(at)),
        versions::approved_by.eq(Some(approver_id)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}
