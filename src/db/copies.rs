//! Copies that leave the system: the cached renderings of versions' text as PDF and the
//! verification codes printed on stamped copies.

use diesel::prelude::*;

use super::schema::{renditions, verifications};
use super::{Conn, DbResult};
use crate::domain::kinds::StampChoice;

/// The verification code of one stamped copy: which document, version and stamp it is.
#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = verifications)]
pub struct Verification {
    pub code: String,
    pub document_id: String,
    pub version_id: String,
    pub stamp: StampChoice,
    pub recipient: Option<String>,
    pub copy_no: Option<i32>,
    pub source_sha256: String,
    pub issued_by: Option<String>,
    pub issued_at: chrono::NaiveDateTime,
}

/// The blob a text rendering is cached under, by the hash of what was rendered.
pub fn rendition(conn: &mut Conn, source_hash: &str) -> DbResult<Option<String>> {
    Ok(renditions::table
        .find(source_hash)
        .select(renditions::blob_sha256)
        .first(conn)
        .optional()?)
}

/// Caches a rendering; when another request rendered the same text meanwhile, the first
/// row stays.
pub fn keep_rendition(conn: &mut Conn, source_hash: &str, blob_sha256: &str) -> DbResult<()> {
    let exists: i64 = renditions::table
        .filter(renditions::source_hash.eq(source_hash))
        .count()
        .get_result(conn)?;
    if exists == 0 {
        diesel::insert_into(renditions::table)
            .values((
                renditions::source_hash.eq(source_hash),
                renditions::blob_sha256.eq(blob_sha256),
                renditions::created_at.eq(super::now()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn insert_verification(conn: &mut Conn, row: &Verification) -> DbResult<()> {
    diesel::insert_into(verifications::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn verification(conn: &mut Conn, code: &str) -> DbResult<Option<Verification>> {
    Ok(verifications::table.find(code).first(conn).optional()?)
}

/// A verification code issued, with the recipient and the number of its controlled copy.
pub type IssuedCode = (String, Option<String>, Option<i32>);

/// The codes issued for a version with this stamp from this source, oldest first.
pub fn codes_of(
    conn: &mut Conn,
    version_id: &str,
    stamp: StampChoice,
    source_sha256: &str,
) -> DbResult<Vec<IssuedCode>> {
    Ok(verifications::table
        .filter(verifications::version_id.eq(version_id))
        .filter(verifications::stamp.eq(stamp))
        .filter(verifications::source_sha256.eq(source_sha256))
        .order(verifications::issued_at.asc())
        .select((
            verifications::code,
            verifications::recipient,
            verifications::copy_no,
        ))
        .load(conn)?)
}
