//! Consultations, comments, appraisals and document numbering.

use diesel::prelude::*;

use super::schema::{appraisal_requests, appraisals, comments, consultations, number_sequences};
use super::{Conn, DbResult};
use crate::domain::workflow::{AppraisalOpinion, CommentStatus, Disposition};
use chrono::{NaiveDate, NaiveDateTime};

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = consultations)]
pub struct Consultation {
    pub id: String,
    pub document_id: String,
    pub version_id: String,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub closed_at: Option<NaiveDateTime>,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = comments)]
pub struct Comment {
    pub id: String,
    pub consultation_id: String,
    pub tracking_code: String,
    pub idempotency_key: Option<String>,
    pub author_name: String,
    pub author_email: Option<String>,
    pub organisation: Option<String>,
    pub provision_path: Option<String>,
    pub body: String,
    pub status: CommentStatus,
    pub moderation_reason: Option<String>,
    pub moderated_by: Option<String>,
    pub moderated_at: Option<NaiveDateTime>,
    pub disposition: Option<Disposition>,
    pub response: Option<String>,
    pub disposed_by: Option<String>,
    pub disposed_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub row_version: i32,
    /// With an idempotency key: the hash of the whole request that took the comment.
    pub request_fingerprint: Option<String>,
}

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = appraisals)]
pub struct Appraisal {
    pub id: String,
    pub document_id: String,
    pub version_id: String,
    pub opinion: AppraisalOpinion,
    pub findings: Option<String>,
    pub appraiser_id: Option<String>,
    pub created_at: NaiveDateTime,
}

/// A draft sent to the justice office, and the day its appraisal opinion is due.
#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = appraisal_requests)]
pub struct AppraisalRequestRow {
    pub id: String,
    pub document_id: String,
    pub version_id: String,
    pub requested_on: NaiveDate,
    pub due_on: NaiveDate,
    pub requested_by: Option<String>,
    pub appraisal_id: Option<String>,
    pub answered_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

pub fn insert_consultation(conn: &mut Conn, c: &Consultation) -> DbResult<Consultation> {
    Ok(diesel::insert_into(consultations::table)
        .values(c)
        .returning(consultations::all_columns)
        .get_result(conn)?)
}

pub fn consultation(conn: &mut Conn, id: &str) -> DbResult<Consultation> {
    Ok(consultations::table.find(id).first(conn)?)
}

/// The consultation still running on a document, if any.
pub fn open_consultation(conn: &mut Conn, document_id: &str) -> DbResult<Option<Consultation>> {
    Ok(consultations::table
        .filter(consultations::document_id.eq(document_id))
        .filter(consultations::closed_at.is_null())
        .first(conn)
        .optional()?)
}

/// Consultations open for comment on a date.
pub fn open_on(conn: &mut Conn, day: NaiveDate) -> DbResult<Vec<Consultation>> {
    Ok(consultations::table
        .filter(consultations::closed_at.is_null())
        .filter(consultations::opens_on.le(day))
        .filter(consultations::closes_on.ge(day))
        .order(consultations::closes_on.asc())
        .load(conn)?)
}

/// A consultation (open on a day, or closed) with its document, its draft version, the issuer's name
/// and the paths of the draft's provisions in order.
pub struct OpenDraft {
    pub consultation: Consultation,
    pub document: super::models::Document,
    pub version: super::models::Version,
    pub issuer: Option<String>,
    pub provision_paths: Vec<String>,
}

/// The consultations open on `day`, closing soonest first, with what a reader needs of
/// each: five queries, whatever their number.
pub fn open_drafts(conn: &mut Conn, day: NaiveDate) -> DbResult<Vec<OpenDraft>> {
    let open = open_on(conn, day)?;
    with_drafts(conn, open)
}

/// Consultations whose period had ended by `day` (closed early, or past their closing
/// date), the latest to close first, at most `limit`.
pub fn closed_by(conn: &mut Conn, day: NaiveDate, limit: i64) -> DbResult<Vec<Consultation>> {
    Ok(consultations::table
        .filter(consultations::opens_on.le(day))
        .filter(
            consultations::closed_at
                .is_not_null()
                .or(consultations::closes_on.lt(day)),
        )
        .order((consultations::closes_on.desc(), consultations::id.asc()))
        .limit(limit)
        .load(conn)?)
}

/// The consultations whose period had ended by `day`, with their documents and drafts
/// (see [`closed_by`], [`open_drafts`]).
pub fn closed_drafts(conn: &mut Conn, day: NaiveDate, limit: i64) -> DbResult<Vec<OpenDraft>> {
    let closed = closed_by(conn, day, limit)?;
    with_drafts(conn, closed)
}

/// Consultations with their documents, draft versions, issuers' names and provision
/// paths, in the order given.
pub fn with_drafts(conn: &mut Conn, open: Vec<Consultation>) -> DbResult<Vec<OpenDraft>> {
    use super::models::{Document, Version};
    use super::schema::{documents, provisions, versions};
    use std::collections::HashMap;
    let doc_ids: Vec<&str> = open.iter().map(|c| c.document_id.as_str()).collect();
    let version_ids: Vec<&str> = open.iter().map(|c| c.version_id.as_str()).collect();
    let docs: HashMap<String, Document> = documents::table
        .filter(documents::id.eq_any(&doc_ids))
        .load::<Document>(conn)?
        .into_iter()
        .map(|d| (d.id.clone(), d))
        .collect();
    let vers: HashMap<String, Version> = versions::table
        .filter(versions::id.eq_any(&version_ids))
        .load::<Version>(conn)?
        .into_iter()
        .map(|v| (v.id.clone(), v))
        .collect();
    let issuer_ids: Vec<&str> = docs
        .values()
        .filter_map(|d| d.issuer_id.as_deref())
        .collect();
    let units = super::org_units::by_ids(conn, &issuer_ids)?;
    let mut paths: HashMap<String, Vec<String>> = HashMap::new();
    for (version_id, path) in provisions::table
        .filter(provisions::version_id.eq_any(&version_ids))
        .order((provisions::version_id.asc(), provisions::ord.asc()))
        .select((provisions::version_id, provisions::path))
        .load::<(String, String)>(conn)?
    {
        paths.entry(version_id).or_default().push(path);
    }
    open.into_iter()
        .map(|c| {
            // Two consultations of one document or version share the rows.
            let document = docs
                .get(&c.document_id)
                .cloned()
                .ok_or(super::DbError::NotFound)?;
            let version = vers
                .get(&c.version_id)
                .cloned()
                .ok_or(super::DbError::NotFound)?;
            let issuer = match &document.issuer_id {
                Some(i) => Some(units.get(i).ok_or(super::DbError::NotFound)?.name.clone()),
                None => None,
            };
            let provision_paths = paths.get(&c.version_id).cloned().unwrap_or_default();
            Ok(OpenDraft {
                consultation: c,
                document,
                version,
                issuer,
                provision_paths,
            })
        })
        .collect()
}

pub fn close_consultation(conn: &mut Conn, id: &str, at: NaiveDateTime) -> DbResult<()> {
    diesel::update(consultations::table.find(id))
        .set(consultations::closed_at.eq(Some(at)))
        .execute(conn)?;
    Ok(())
}

pub fn insert_comment(conn: &mut Conn, c: &Comment) -> DbResult<Comment> {
    Ok(diesel::insert_into(comments::table)
        .values(c)
        .returning(comments::all_columns)
        .get_result(conn)?)
}

pub fn comment(conn: &mut Conn, id: &str) -> DbResult<Comment> {
    Ok(comments::table.find(id).first(conn)?)
}

pub fn comment_by_tracking(conn: &mut Conn, code: &str) -> DbResult<Option<Comment>> {
    Ok(comments::table
        .filter(comments::tracking_code.eq(code))
        .first(conn)
        .optional()?)
}

pub fn comment_by_key(
    conn: &mut Conn,
    consultation_id: &str,
    key: &str,
) -> DbResult<Option<Comment>> {
    Ok(comments::table
        .filter(comments::consultation_id.eq(consultation_id))
        .filter(comments::idempotency_key.eq(key))
        .first(conn)
        .optional()?)
}

pub fn comments_of(conn: &mut Conn, consultation_id: &str) -> DbResult<Vec<Comment>> {
    Ok(comments::table
        .filter(comments::consultation_id.eq(consultation_id))
        .order((comments::created_at.asc(), comments::id.asc()))
        .load(conn)?)
}

/// Comments on every consultation of a document with a status.
pub fn count_comments(
    conn: &mut Conn,
    document_id: &str,
    status: &str,
    without_disposition: bool,
) -> DbResult<i64> {
    let ids = consultations::table
        .filter(consultations::document_id.eq(document_id))
        .select(consultations::id);
    let mut q = comments::table
        .filter(comments::consultation_id.eq_any(ids))
        .filter(comments::status.eq(status))
        .into_boxed();
    if without_disposition {
        q = q.filter(comments::disposition.is_null());
    }
    Ok(q.count().get_result(conn)?)
}

#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = comments)]
pub struct CommentChanges {
    pub status: Option<CommentStatus>,
    pub moderation_reason: Option<Option<String>>,
    pub moderated_by: Option<Option<String>>,
    pub moderated_at: Option<Option<NaiveDateTime>>,
    pub disposition: Option<Option<Disposition>>,
    pub response: Option<Option<String>>,
    pub disposed_by: Option<Option<String>>,
    pub disposed_at: Option<Option<NaiveDateTime>>,
}

/// Applies changes if the comment is still at `expected_version`; false if it moved.
pub fn update_comment(
    conn: &mut Conn,
    id: &str,
    expected_version: i32,
    ch: &CommentChanges,
) -> DbResult<bool> {
    let n = diesel::update(
        comments::table
            .filter(comments::id.eq(id))
            .filter(comments::row_version.eq(expected_version)),
    )
    .set((ch, comments::row_version.eq(comments::row_version + 1)))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn insert_appraisal(conn: &mut Conn, a: &Appraisal) -> DbResult<Appraisal> {
    Ok(diesel::insert_into(appraisals::table)
        .values(a)
        .returning(appraisals::all_columns)
        .get_result(conn)?)
}

pub fn latest_appraisal(conn: &mut Conn, document_id: &str) -> DbResult<Option<Appraisal>> {
    Ok(appraisals::table
        .filter(appraisals::document_id.eq(document_id))
        .order((appraisals::created_at.desc(), appraisals::id.desc()))
        .first(conn)
        .optional()?)
}

pub fn insert_appraisal_request(
    conn: &mut Conn,
    r: &AppraisalRequestRow,
) -> DbResult<AppraisalRequestRow> {
    Ok(diesel::insert_into(appraisal_requests::table)
        .values(r)
        .returning(appraisal_requests::all_columns)
        .get_result(conn)?)
}

/// Marks the document's unanswered appraisal requests answered by `appraisal`.
pub fn answer_appraisal_requests(conn: &mut Conn, a: &Appraisal) -> DbResult<usize> {
    Ok(diesel::update(
        appraisal_requests::table
            .filter(appraisal_requests::document_id.eq(&a.document_id))
            .filter(appraisal_requests::answered_at.is_null()),
    )
    .set((
        appraisal_requests::appraisal_id.eq(&a.id),
        appraisal_requests::answered_at.eq(a.created_at),
    ))
    .execute(conn)?)
}

/// Appraisal requests, the latest first; `open_only` for those not answered yet.
pub fn appraisal_requests(conn: &mut Conn, open_only: bool) -> DbResult<Vec<AppraisalRequestRow>> {
    let mut q = appraisal_requests::table
        .order((
            appraisal_requests::due_on.asc(),
            appraisal_requests::id.asc(),
        ))
        .into_boxed();
    if open_only {
        q = q.filter(appraisal_requests::answered_at.is_null());
    }
    Ok(q.load(conn)?)
}

pub fn appraisals_of(conn: &mut Conn, document_id: &str) -> DbResult<Vec<Appraisal>> {
    Ok(appraisals::table
        .filter(appraisals::document_id.eq(document_id))
        .order(appraisals::created_at.asc())
        .load(conn)?)
}

/// The next number of an issuer's documents of a kind in a year. The update takes the
/// row lock, so concurrent signers get consecutive numbers, never the same one.
pub fn next_number(conn: &mut Conn, issuer_id: &str, kind: &str, year: i32) -> DbResult<i32> {
    use diesel::sql_types::{Integer, Text};
    let seed = match conn {
        Conn::Postgresql(_) => {
            "INSERT INTO number_sequences (issuer_id, kind, year, last_number) VALUES ($1, $2, $3, 0) ON CONFLICT DO NOTHING"
        }
        Conn::Sqlite(_) => {
            "INSERT OR IGNORE INTO number_sequences (issuer_id, kind, year, last_number) VALUES (?, ?, ?, 0)"
        }
    };
    diesel::sql_query(seed)
        .bind::<Text, _>(issuer_id)
        .bind::<Text, _>(kind)
        .bind::<Integer, _>(year)
        .execute(conn)?;
    let key = number_sequences::table
        .filter(number_sequences::issuer_id.eq(issuer_id))
        .filter(number_sequences::kind.eq(kind))
        .filter(number_sequences::year.eq(year));
    diesel::update(key)
        .set(number_sequences::last_number.eq(number_sequences::last_number + 1))
        .execute(conn)?;
    Ok(key.select(number_sequences::last_number).first(conn)?)
}
