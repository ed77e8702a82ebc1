//! `vanban check`: is the database whole and does the search index mirror it? Re-hashes
//! every stored file, verifies the audit chain, compares the index with the documents
//! (missing, stale and extra entries, apart from changes the index has not reached yet), and
//! counts rows that point at nothing.

use std::collections::HashSet;
use std::path::Path;

use serde::Serialize;

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
    let keys = db::check::blob_keys(conn)?;
    let mut bad = vec![];
    for (i, k) in keys.iter().enumerate() {
        if db::blobs::sha256_hex(&db::check::blob_bytes(conn, k)?) != *k {
            bad.push(k.clone());
        }
        if i % 100 == 0 {
            progress(&format!("files {}/{}", i + 1, keys.len()));
        }
    }
    Ok((keys.len(), bad))
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
    let rows = db::check::document_versions(conn)?;
    let pending: HashSet<String> = db::check::documents_changed_after(conn, last_seq)?
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
    report.orphans = db::check::orphans(conn)?;
    Ok(report)
}
