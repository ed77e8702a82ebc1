//! `vanban check`: is the database whole and does the search index mirror it? Re-hashes
//! every stored file, verifies the audit chain, compares the index with the documents
//! (missing, stale and extra entries, apart from changes the index has not reached yet), and
//! counts rows that point at nothing.

use std::collections::HashSet;
use std::path::Path;

use diesel::dsl::{exists, not};
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{
    audit_log, blobs, documents, inheritances, provisions, relations, review_items, versions,
};
use crate::db::{self, Conn};
use crate::error::{ApiResult, AppError};

/// What the check found; [`CheckReport::problems`] is zero for a sound database.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CheckReport {
    pub blobs_checked: usize,
    /// Files whose bytes no longer hash to their key.
    pub corrupt_blobs: Vec<String>,
    pub audit_entries: i64,
    pub audit_breaks: Vec<String>,
    /// Whether an index of this schema was found in the folder.
    pub index_found: bool,
    pub index_documents: usize,
    /// Documents of the database the index lacks.
    pub index_missing: Vec<String>,
    /// Documents indexed at another row version than the database's.
    pub index_stale: Vec<String>,
    /// Entries for documents the database does not hold.
    pub index_extra: Vec<String>,
    /// Documents changed after the last audit entry the index applied (a running server
    /// indexes them within its follow interval): not counted as problems.
    pub index_pending: usize,
    /// Rows that point at a row that is not there, by kind.
    pub orphans: Vec<(String, i64)>,
}

impl CheckReport {
    pub fn index_problems(&self) -> usize {
        usize::from(!self.index_found)
            + self.index_missing.len()
            + self.index_stale.len()
            + self.index_extra.len()
    }

    pub fn problems(&self) -> usize {
        self.corrupt_blobs.len()
            + self.audit_breaks.len()
            + self.index_problems()
            + self.orphans.iter().filter(|(_, n)| *n > 0).count()
    }
}

/// Re-hashes every blob, one at a time (a file may be large).
fn corrupt_blobs(
    conn: &mut Conn,
    progress: &mut dyn FnMut(&str),
) -> ApiResult<(usize, Vec<String>)> {
    let keys: Vec<String> = blobs::table
        .select(blobs::sha256)
        .order(blobs::sha256.asc())
        .load(conn)
        .map_err(db::DbError::from)?;
    let mut bad = vec![];
    for (i, k) in keys.iter().enumerate() {
        let data: Vec<u8> = blobs::table
            .find(k)
            .select(blobs::data)
            .first(conn)
            .map_err(db::DbError::from)?;
        if db::blobs::sha256_hex(&data) != *k {
            bad.push(k.clone());
        }
        if i % 100 == 0 {
            progress(&format!("files {}/{}", i + 1, keys.len()));
        }
    }
    Ok((keys.len(), bad))
}

/// Rows that point at nothing. Foreign keys prevent most on a database that always had them
/// on; a copy restored by hand, or edited with them off, may not.
fn orphans(conn: &mut Conn) -> ApiResult<Vec<(String, i64)>> {
    let e =
        |r: Result<i64, diesel::result::Error>| r.map_err(|e| AppError::from(db::DbError::from(e)));
    // A macro, not a closure: each column is a type of its own.
    macro_rules! doc_of {
        ($col:expr) => {
            documents::table.filter(documents::id.eq($col))
        };
    }
    Ok(vec![
        (
            "versions without their document".into(),
            e(versions::table
                .filter(not(exists(doc_of!(versions::document_id))))
                .count()
                .get_result(conn))?,
        ),
        (
            "versions whose file is missing".into(),
            e(versions::table
                .filter(versions::blob_sha256.is_not_null())
                .filter(not(exists(
                    blobs::table.filter(blobs::sha256.nullable().eq(versions::blob_sha256)),
                )))
                .count()
                .get_result(conn))?,
        ),
        (
            "provisions without their version".into(),
            e(provisions::table
                .filter(not(exists(
                    versions::table.filter(versions::id.eq(provisions::version_id)),
                )))
                .count()
                .get_result(conn))?,
        ),
        (
            "relations from a missing document".into(),
            e(relations::table
                .filter(not(exists(doc_of!(relations::source_id))))
                .count()
                .get_result(conn))?,
        ),
        (
            "relations to a missing document".into(),
            e(relations::table
                .filter(not(exists(doc_of!(relations::target_id))))
                .count()
                .get_result(conn))?,
        ),
        (
            "review items without their document".into(),
            e(review_items::table
                .filter(not(exists(doc_of!(review_items::document_id))))
                .count()
                .get_result(conn))?,
        ),
        (
            "inheritances without their document".into(),
            e(inheritances::table
                .filter(not(exists(doc_of!(inheritances::document_id))))
                .count()
                .get_result(conn))?,
        ),
    ])
}

/// Compares the index in `dir` with the documents of the database.
fn compare_index(conn: &mut Conn, dir: &Path, report: &mut CheckReport) -> ApiResult<()> {
    let Some(crate::search::index::Snapshot {
        documents: indexed,
        last_seq,
    }) = crate::search::index::snapshot(dir).map_err(AppError::internal)?
    else {
        return Ok(());
    };
    report.index_found = true;
    report.index_documents = indexed.len();
    let rows: Vec<(String, i32)> = documents::table
        .select((documents::id, documents::row_version))
        .load(conn)
        .map_err(db::DbError::from)?;
    let pending: HashSet<String> = audit_log::table
        .filter(audit_log::entity_type.eq("document"))
        .filter(audit_log::seq.gt(last_seq))
        .select(audit_log::entity_id)
        .load::<String>(conn)
        .map_err(db::DbError::from)?
        .into_iter()
        .collect();
    report.index_pending = pending.len();
    let mut in_db: HashSet<&str> = HashSet::with_capacity(rows.len());
    for (id, version) in &rows {
        in_db.insert(id.as_str());
        if pending.contains(id) {
            continue;
        }
        match indexed.get(id) {
            None => report.index_missing.push(id.clone()),
            Some(v) if *v != i64::from(*version) => report.index_stale.push(id.clone()),
            Some(_) => {}
        }
    }
    report.index_extra = indexed
        .keys()
        .filter(|id| !in_db.contains(id.as_str()) && !pending.contains(*id))
        .cloned()
        .collect();
    for list in [
        &mut report.index_missing,
        &mut report.index_stale,
        &mut report.index_extra,
    ] {
        list.sort();
    }
    Ok(())
}

/// Runs every check on `conn`, with the index in `index_dir`; `progress` hears what it is
/// doing.
pub fn check(
    conn: &mut Conn,
    index_dir: &Path,
    mut progress: impl FnMut(&str),
) -> ApiResult<CheckReport> {
    let mut report = CheckReport::default();
    progress("files");
    (report.blobs_checked, report.corrupt_blobs) = corrupt_blobs(conn, &mut progress)?;
    progress("audit log");
    let v = db::audit::verify(conn, |done, total| {
        if done % 5_000 == 0 {
            progress(&format!("audit log {done}/{total}"));
        }
    })?;
    report.audit_entries = v.entries;
    report.audit_breaks = v.breaks.iter().map(|b| b.to_string()).collect();
    progress("search index");
    compare_index(conn, index_dir, &mut report)?;
    progress("references");
    report.orphans = orphans(conn)?;
    Ok(report)
}
