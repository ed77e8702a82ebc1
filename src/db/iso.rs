//! ISO document control tables: control metadata, distribution lists, revision states,
//! review comments, change requests, controlled copies, acknowledgements.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::models::{
    Acknowledgement, ControlledCopy, IsoChangeRequest, IsoChangeRequestChanges, IsoDistributionRow,
    IsoDocument, IsoDocumentChanges, IsoReviewComment, IsoRevision, IsoRevisionChanges,
};
use super::schema::{
    iso_acknowledgements, iso_change_requests, iso_controlled_copies, iso_distribution,
    iso_documents, iso_review_comments, iso_revisions,
};
use super::{now, Conn, DbError, DbResult};

// --- control metadata ---

pub fn insert_document(conn: &mut Conn, d: &IsoDocument) -> DbResult<IsoDocument> {
    Ok(diesel::insert_into(iso_documents::table)
        .values(d)
        .returning(iso_documents::all_columns)
        .get_result(conn)?)
}

pub fn find_document(conn: &mut Conn, document_id: &str) -> DbResult<Option<IsoDocument>> {
    Ok(iso_documents::table
        .find(document_id)
        .first(conn)
        .optional()?)
}

pub fn get_document(conn: &mut Conn, document_id: &str) -> DbResult<IsoDocument> {
    Ok(iso_documents::table.find(document_id).first(conn)?)
}

/// Every controlled document, or those of the given owners.
pub fn list_documents(conn: &mut Conn, owners: Option<&[String]>) -> DbResult<Vec<IsoDocument>> {
    let mut q = iso_documents::table.into_boxed();
    if let Some(o) = owners {
        q = q.filter(iso_documents::owner_unit_id.eq_any(o.to_vec()));
    }
    Ok(q.order(iso_documents::document_id.asc()).load(conn)?)
}

/// The documents attached to this one (the forms and instructions of a procedure).
pub fn children_of(conn: &mut Conn, parent_id: &str) -> DbResult<Vec<String>> {
    Ok(iso_documents::table
        .filter(iso_documents::parent_id.eq(parent_id))
        .select(iso_documents::document_id)
        .load(conn)?)
}

/// Applies changes if the row is still at `expected_version` (optimistic concurrency);
/// the row version goes up even when nothing else changes (a new distribution list).
pub fn update_document(
    conn: &mut Conn,
    document_id: &str,
    expected_version: i32,
    changes: &IsoDocumentChanges,
) -> DbResult<IsoDocument> {
    let n = diesel::update(
        iso_documents::table
            .filter(iso_documents::document_id.eq(document_id))
            .filter(iso_documents::row_version.eq(expected_version)),
    )
    .set((
        changes,
        iso_documents::updated_at.eq(now()),
        iso_documents::row_version.eq(iso_documents::row_version + 1),
    ))
    .execute(conn)?;
    if n == 0 {
        get_document(conn, document_id)?;
        return Err(DbError::Stale);
    }
    get_document(conn, document_id)
}

// --- distribution list ---

pub fn distribution(conn: &mut Conn, document_id: &str) -> DbResult<Vec<IsoDistributionRow>> {
    Ok(iso_distribution::table
        .filter(iso_distribution::document_id.eq(document_id))
        .order(iso_distribution::ord.asc())
        .load(conn)?)
}

pub fn replace_distribution(
    conn: &mut Conn,
    document_id: &str,
    rows: &[IsoDistributionRow],
) -> DbResult<()> {
    diesel::delete(iso_distribution::table.filter(iso_distribution::document_id.eq(document_id)))
        .execute(conn)?;
    // One row at a time: multi-row inserts do not pass through MultiConnection, and a
    // distribution list is short.
    for r in rows {
        diesel::insert_into(iso_distribution::table)
            .values(r)
            .execute(conn)?;
    }
    Ok(())
}

// --- revisions ---

pub fn insert_revision(conn: &mut Conn, r: &IsoRevision) -> DbResult<IsoRevision> {
    Ok(diesel::insert_into(iso_revisions::table)
        .values(r)
        .returning(iso_revisions::all_columns)
        .get_result(conn)?)
}

pub fn get_revision(conn: &mut Conn, version_id: &str) -> DbResult<IsoRevision> {
    Ok(iso_revisions::table.find(version_id).first(conn)?)
}

pub fn find_revision(conn: &mut Conn, version_id: &str) -> DbResult<Option<IsoRevision>> {
    Ok(iso_revisions::table
        .find(version_id)
        .first(conn)
        .optional()?)
}

pub fn revisions(conn: &mut Conn, document_id: &str) -> DbResult<Vec<IsoRevision>> {
    Ok(iso_revisions::table
        .filter(iso_revisions::document_id.eq(document_id))
        .order(iso_revisions::created_at.asc())
        .load(conn)?)
}

pub fn revisions_of(conn: &mut Conn, document_ids: &[String]) -> DbResult<Vec<IsoRevision>> {
    Ok(iso_revisions::table
        .filter(iso_revisions::document_id.eq_any(document_ids.to_vec()))
        .load(conn)?)
}

pub fn current_revision(conn: &mut Conn, document_id: &str) -> DbResult<Option<IsoRevision>> {
    Ok(iso_revisions::table
        .filter(iso_revisions::document_id.eq(document_id))
        .filter(iso_revisions::state.eq("current"))
        .first(conn)
        .optional()?)
}

/// Changes a revision; with `expected_version`, only if it is still at that version.
pub fn update_revision(
    conn: &mut Conn,
    version_id: &str,
    expected_version: Option<i32>,
    changes: &IsoRevisionChanges,
) -> DbResult<IsoRevision> {
    let mut q = diesel::update(iso_revisions::table)
        .filter(iso_revisions::version_id.eq(version_id))
        .into_boxed();
    if let Some(v) = expected_version {
        q = q.filter(iso_revisions::row_version.eq(v));
    }
    let n = q
        .set((
            changes,
            iso_revisions::updated_at.eq(now()),
            iso_revisions::row_version.eq(iso_revisions::row_version + 1),
        ))
        .execute(conn)?;
    if n == 0 {
        get_revision(conn, version_id)?;
        return Err(DbError::Stale);
    }
    get_revision(conn, version_id)
}

// --- review comments ---

pub fn insert_comment(conn: &mut Conn, c: &IsoReviewComment) -> DbResult<IsoReviewComment> {
    Ok(diesel::insert_into(iso_review_comments::table)
        .values(c)
        .returning(iso_review_comments::all_columns)
        .get_result(conn)?)
}

pub fn comments(conn: &mut Conn, version_id: &str) -> DbResult<Vec<IsoReviewComment>> {
    Ok(iso_review_comments::table
        .filter(iso_review_comments::version_id.eq(version_id))
        .order((
            iso_review_comments::created_at.asc(),
            iso_review_comments::id.asc(),
        ))
        .load(conn)?)
}

// --- change requests ---

pub fn next_change_request_seq(conn: &mut Conn, document_id: &str) -> DbResult<i32> {
    let max: Option<i32> = iso_change_requests::table
        .filter(iso_change_requests::document_id.eq(document_id))
        .select(diesel::dsl::max(iso_change_requests::seq))
        .first(conn)?;
    Ok(max.unwrap_or(0) + 1)
}

pub fn insert_change_request(conn: &mut Conn, c: &IsoChangeRequest) -> DbResult<IsoChangeRequest> {
    Ok(diesel::insert_into(iso_change_requests::table)
        .values(c)
        .returning(iso_change_requests::all_columns)
        .get_result(conn)?)
}

pub fn get_change_request(conn: &mut Conn, id: &str) -> DbResult<IsoChangeRequest> {
    Ok(iso_change_requests::table.find(id).first(conn)?)
}

pub fn change_requests(conn: &mut Conn, document_id: &str) -> DbResult<Vec<IsoChangeRequest>> {
    Ok(iso_change_requests::table
        .filter(iso_change_requests::document_id.eq(document_id))
        .order(iso_change_requests::seq.asc())
        .load(conn)?)
}

/// Change requests of these documents in one of these states.
pub fn change_requests_in(
    conn: &mut Conn,
    document_ids: &[String],
    states: &[&str],
) -> DbResult<Vec<IsoChangeRequest>> {
    Ok(iso_change_requests::table
        .filter(iso_change_requests::document_id.eq_any(document_ids.to_vec()))
        .filter(iso_change_requests::state.eq_any(states.to_vec()))
        .order((
            iso_change_requests::document_id.asc(),
            iso_change_requests::seq.asc(),
        ))
        .load(conn)?)
}

/// The change request that opened this revision, if any.
pub fn change_request_of_revision(
    conn: &mut Conn,
    version_id: &str,
) -> DbResult<Option<IsoChangeRequest>> {
    Ok(iso_change_requests::table
        .filter(iso_change_requests::revision_version_id.eq(version_id))
        .first(conn)
        .optional()?)
}

pub fn update_change_request(
    conn: &mut Conn,
    id: &str,
    expected_version: Option<i32>,
    changes: &IsoChangeRequestChanges,
) -> DbResult<IsoChangeRequest> {
    let mut q = diesel::update(iso_change_requests::table)
        .filter(iso_change_requests::id.eq(id))
        .into_boxed();
    if let Some(v) = expected_version {
        q = q.filter(iso_change_requests::row_version.eq(v));
    }
    let n = q
        .set((
            changes,
            iso_change_requests::updated_at.eq(now()),
            iso_change_requests::row_version.eq(iso_change_requests::row_version + 1),
        ))
        .execute(conn)?;
    if n == 0 {
        get_change_request(conn, id)?;
        return Err(DbError::Stale);
    }
    get_change_request(conn, id)
}

// --- controlled copies ---

pub fn insert_copy(conn: &mut Conn, c: &ControlledCopy) -> DbResult<ControlledCopy> {
    Ok(diesel::insert_into(iso_controlled_copies::table)
        .values(c)
        .returning(iso_controlled_copies::all_columns)
        .get_result(conn)?)
}

pub fn get_copy(conn: &mut Conn, id: &str) -> DbResult<ControlledCopy> {
    Ok(iso_controlled_copies::table.find(id).first(conn)?)
}

pub fn copies(conn: &mut Conn, document_id: &str) -> DbResult<Vec<ControlledCopy>> {
    Ok(iso_controlled_copies::table
        .filter(iso_controlled_copies::document_id.eq(document_id))
        .order((
            iso_controlled_copies::issued_at.asc(),
            iso_controlled_copies::copy_no.asc(),
        ))
        .load(conn)?)
}

pub fn copies_of(conn: &mut Conn, document_ids: &[String]) -> DbResult<Vec<ControlledCopy>> {
    Ok(iso_controlled_copies::table
        .filter(iso_controlled_copies::document_id.eq_any(document_ids.to_vec()))
        .order((
            iso_controlled_copies::document_id.asc(),
            iso_controlled_copies::issued_at.asc(),
            iso_controlled_copies::copy_no.asc(),
        ))
        .load(conn)?)
}

pub fn max_copy_no(conn: &mut Conn, version_id: &str) -> DbResult<i32> {
    let max: Option<i32> = iso_controlled_copies::table
        .filter(iso_controlled_copies::version_id.eq(version_id))
        .select(diesel::dsl::max(iso_controlled_copies::copy_no))
        .first(conn)?;
    Ok(max.unwrap_or(0))
}

/// Asks these copies back (those not asked yet).
pub fn request_recall(conn: &mut Conn, ids: &[String], at: NaiveDateTime) -> DbResult<usize> {
    if ids.is_empty() {
        return Ok(0);
    }
    Ok(diesel::update(
        iso_controlled_copies::table
            .filter(iso_controlled_copies::id.eq_any(ids.to_vec()))
            .filter(iso_controlled_copies::recall_requested_at.is_null()),
    )
    .set((
        iso_controlled_copies::recall_requested_at.eq(Some(at)),
        iso_controlled_copies::row_version.eq(iso_controlled_copies::row_version + 1),
    ))
    .execute(conn)?)
}

/// Records a copy as returned, if it is still at `expected_version` and not yet returned.
pub fn confirm_withdrawn(
    conn: &mut Conn,
    id: &str,
    expected_version: i32,
    by: &str,
    at: NaiveDateTime,
) -> DbResult<ControlledCopy> {
    let n = diesel::update(
        iso_controlled_copies::table
            .filter(iso_controlled_copies::id.eq(id))
            .filter(iso_controlled_copies::row_version.eq(expected_version))
            .filter(iso_controlled_copies::withdrawn_at.is_null()),
    )
    .set((
        iso_controlled_copies::withdrawn_at.eq(Some(at)),
        iso_controlled_copies::withdrawal_confirmed_by.eq(Some(by)),
        iso_controlled_copies::row_version.eq(iso_controlled_copies::row_version + 1),
    ))
    .execute(conn)?;
    if n == 0 {
        get_copy(conn, id)?;
        return Err(DbError::Stale);
    }
    get_copy(conn, id)
}

// --- acknowledgements ---

pub fn insert_acknowledgement(conn: &mut Conn, a: &Acknowledgement) -> DbResult<Acknowledgement> {
    Ok(diesel::insert_into(iso_acknowledgements::table)
        .values(a)
        .returning(iso_acknowledgements::all_columns)
        .get_result(conn)?)
}

pub fn acknowledgements(conn: &mut Conn, version_id: &str) -> DbResult<Vec<Acknowledgement>> {
    Ok(iso_acknowledgements::table
        .filter(iso_acknowledgements::version_id.eq(version_id))
        .order(iso_acknowledgements::acknowledged_at.asc())
        .load(conn)?)
}

pub fn acknowledgements_of(
    conn: &mut Conn,
    version_ids: &[String],
) -> DbResult<Vec<Acknowledgement>> {
    Ok(iso_acknowledgements::table
        .filter(iso_acknowledgements::version_id.eq_any(version_ids.to_vec()))
        .load(conn)?)
}

// --- people and units named by the lists above ---

pub fn users_by_ids(conn: &mut Conn, ids: &[String]) -> DbResult<Vec<super::models::User>> {
    use super::schema::users;
    Ok(users::table
        .filter(users::id.eq_any(ids.to_vec()))
        .order(users::username.asc())
        .load(conn)?)
}

/// Active accounts whose unit is one of `unit_ids`.
pub fn active_users_in_units(
    conn: &mut Conn,
    unit_ids: &[String],
) -> DbResult<Vec<super::models::User>> {
    use super::schema::users;
    Ok(users::table
        .filter(users::org_unit_id.eq_any(unit_ids.to_vec()))
        .filter(users::active.eq(true))
        .order(users::username.asc())
        .load(conn)?)
}

pub fn units_by_ids(conn: &mut Conn, ids: &[String]) -> DbResult<Vec<super::models::OrgUnit>> {
    use super::schema::org_units;
    Ok(org_units::table
        .filter(org_units::id.eq_any(ids.to_vec()))
        .order(org_units::code.asc())
        .load(conn)?)
}

/// ISO documents (any kind starting with `iso_`) carrying this code.
pub fn documents_with_code(
    conn: &mut Conn,
    iso_code: &str,
) -> DbResult<Vec<super::models::Document>> {
    use super::schema::documents;
    Ok(documents::table
        .filter(documents::iso_code.eq(iso_code))
        .filter(documents::kind.like("iso\\_%").escape('\\'))
        .load(conn)?)
}
