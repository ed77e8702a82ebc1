use diesel::prelude::*;

use super::models::{ProvisionRow, Version};
use super::schema::{extractions, provisions, versions};
use super::{Conn, DbResult};

/// The version `id`, while it is not approved (approval is once, and freezes it).
macro_rules! unapproved {
    ($id:expr) => {
        versions::table
            .filter(versions::id.eq($id))
            .filter(versions::approved_at.is_null())
    };
}

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
    let approval = (
        versions::approved_at.eq(Some(at)),
        versions::approved_by.eq(Some(approver_id)),
    );
    Ok(diesel::update(unapproved!(id))
        .set(approval)
        .execute(conn)?
        == 1)
}

/// Changes the text fields of a version that is still unapproved; returns false if it is
/// approved (or gone) by now.
pub fn edit_unapproved(
    conn: &mut Conn,
    id: &str,
    label: &str,
    body: Option<&str>,
    change_summary: Option<&str>,
) -> DbResult<bool> {
    let text = (
        versions::label.eq(label),
        versions::body.eq(body),
        versions::change_summary.eq(change_summary),
    );
    Ok(diesel::update(unapproved!(id)).set(text).execute(conn)? == 1)
}

/// Replaces the provisions of a version.
pub fn replace_provisions(
    conn: &mut Conn,
    version_id: &str,
    rows: &[ProvisionRow],
) -> DbResult<()> {
    diesel::delete(provisions::table.filter(provisions::version_id.eq(version_id)))
        .execute(conn)?;
    insert_provisions(conn, rows)
}

/// Records how an uploaded file's text was read: from a text layer or not, over how many
/// pages.
pub fn record_extraction(
    conn: &mut Conn,
    version_id: &str,
    text_layer: bool,
    pages: i32,
) -> DbResult<()> {
    diesel::insert_into(extractions::table)
        .values((
            extractions::version_id.eq(version_id),
            extractions::text_layer.eq(text_layer),
            extractions::pages.eq(pages),
            extractions::created_at.eq(super::now()),
        ))
        .execute(conn)?;
    Ok(())
}
