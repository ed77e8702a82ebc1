//! The queries of `vanban check` (`service::check`).

use diesel::dsl::{exists, not};
use diesel::prelude::*;

use super::schema::{
    audit_log, blobs, documents, inheritances, provisions, relations, review_items, versions,
};
use super::{Conn, DbResult};

/// Every stored file's key.
pub fn blob_keys(conn: &mut Conn) -> DbResult<Vec<String>> {
    Ok(blobs::table
        .select(blobs::sha256)
        .order(blobs::sha256.asc())
        .load(conn)?)
}

/// A stored file's bytes, unchecked (the check hashes them itself).
pub fn blob_bytes(conn: &mut Conn, key: &str) -> DbResult<Vec<u8>> {
    Ok(blobs::table.find(key).select(blobs::data).first(conn)?)
}

/// Every document's id and row version.
pub fn document_versions(conn: &mut Conn) -> DbResult<Vec<(String, i32)>> {
    Ok(documents::table
        .select((documents::id, documents::row_version))
        .load(conn)?)
}

/// The documents changed after audit entry `seq`.
pub fn documents_changed_after(conn: &mut Conn, seq: i64) -> DbResult<Vec<String>> {
    Ok(audit_log::table
        .filter(audit_log::entity_type.eq("document"))
        .filter(audit_log::seq.gt(seq))
        .select(audit_log::entity_id)
        .distinct()
        .load(conn)?)
}

/// Rows that point at nothing, by kind. Foreign keys prevent most on a database that always
/// had them on; a copy restored by hand, or edited with them off, may not.
pub fn orphans(conn: &mut Conn) -> DbResult<Vec<(String, i64)>> {
    // A macro, not a closure: each column is a type of its own.
    macro_rules! doc_of {
        ($col:expr) => {
            documents::table.filter(documents::id.eq($col))
        };
    }
    Ok(vec![
        (
            "versions without their document".into(),
            versions::table
                .filter(not(exists(doc_of!(versions::document_id))))
                .count()
                .get_result(conn)?,
        ),
        (
            "versions whose file is missing".into(),
            versions::table
                .filter(versions::blob_sha256.is_not_null())
                .filter(not(exists(
                    blobs::table.filter(blobs::sha256.nullable().eq(versions::blob_sha256)),
                )))
                .count()
                .get_result(conn)?,
        ),
        (
            "provisions without their version".into(),
            provisions::table
                .filter(not(exists(
                    versions::table.filter(versions::id.eq(provisions::version_id)),
                )))
                .count()
                .get_result(conn)?,
        ),
        (
            "relations from a missing document".into(),
            relations::table
                .filter(not(exists(doc_of!(relations::source_id))))
                .count()
                .get_result(conn)?,
        ),
        (
            "relations to a missing document".into(),
            relations::table
                .filter(not(exists(doc_of!(relations::target_id))))
                .count()
                .get_result(conn)?,
        ),
        (
            "review items without their document".into(),
            review_items::table
                .filter(not(exists(doc_of!(review_items::document_id))))
                .count()
                .get_result(conn)?,
        ),
        (
            "inheritances without their document".into(),
            inheritances::table
                .filter(not(exists(doc_of!(inheritances::document_id))))
                .count()
                .get_result(conn)?,
        ),
    ])
}
