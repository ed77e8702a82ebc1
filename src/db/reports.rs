//! What the periodic report on the legal workflow counts, read table by table: the
//! documents of the workflow, their consultations and comments, appraisals, self-inspections
//! and review items. The service attributes each row to its agency.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{
    appraisal_requests, appraisals, comments, consultations, documents, review_campaigns,
    review_items, self_inspections, users,
};
use super::{Conn, DbResult};
use crate::domain::kinds::DocumentKind;
use crate::domain::workflow::{AppraisalOpinion, CommentStatus};

/// A document of the workflow: drafted here (not external) and not an ISO document.
#[derive(Debug, Clone, Queryable)]
pub struct DraftRow {
    pub id: String,
    pub created_by: Option<String>,
    pub issuer_id: Option<String>,
    pub created_at: NaiveDateTime,
    pub signed_on: Option<NaiveDate>,
    pub withdrawn_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable)]
pub struct ConsultationRow {
    pub id: String,
    pub document_id: String,
    pub opens_on: NaiveDate,
}

#[derive(Debug, Clone, Queryable)]
pub struct CommentRow {
    pub consultation_id: String,
    pub created_at: NaiveDateTime,
    pub status: CommentStatus,
    pub disposed_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable)]
pub struct AppraisalRow {
    pub document_id: String,
    pub created_at: NaiveDateTime,
    pub opinion: AppraisalOpinion,
}

/// An appraisal request, or a self-inspection: a document, when it started, when it is
/// due, when it was done.
#[derive(Debug, Clone, Queryable)]
pub struct DueRow {
    pub document_id: String,
    pub started_on: NaiveDate,
    pub due_on: NaiveDate,
    pub done_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable)]
pub struct ReviewItemRow {
    pub campaign_id: String,
    pub document_id: String,
    pub assignee_id: Option<String>,
    pub created_at: NaiveDateTime,
    pub reviewed_at: Option<NaiveDateTime>,
}

/// The unit of every account, by account id.
pub fn units_of_users(conn: &mut Conn) -> DbResult<HashMap<String, Option<String>>> {
    Ok(users::table
        .select((users::id, users::org_unit_id))
        .load::<(String, Option<String>)>(conn)?
        .into_iter()
        .collect())
}

pub fn drafts(conn: &mut Conn) -> DbResult<Vec<DraftRow>> {
    let iso: Vec<DocumentKind> = DocumentKind::ALL
        .iter()
        .copied()
        .filter(|k| k.is_iso())
        .collect();
    Ok(documents::table
        .filter(documents::external.eq(false))
        .filter(documents::kind.ne_all(iso))
        .select((
            documents::id,
            documents::created_by,
            documents::issuer_id,
            documents::created_at,
            documents::signed_on,
            documents::withdrawn_at,
        ))
        .load(conn)?)
}

pub fn consultations(conn: &mut Conn) -> DbResult<Vec<ConsultationRow>> {
    Ok(consultations::table
        .select((
            consultations::id,
            consultations::document_id,
            consultations::opens_on,
        ))
        .load(conn)?)
}

pub fn comments(conn: &mut Conn) -> DbResult<Vec<CommentRow>> {
    Ok(comments::table
        .select((
            comments::consultation_id,
            comments::created_at,
            comments::status,
            comments::disposed_at,
        ))
        .load(conn)?)
}

pub fn appraisals(conn: &mut Conn) -> DbResult<Vec<AppraisalRow>> {
    Ok(appraisals::table
        .select((
            appraisals::document_id,
            appraisals::created_at,
            appraisals::opinion,
        ))
        .load(conn)?)
}

pub fn appraisal_requests(conn: &mut Conn) -> DbResult<Vec<DueRow>> {
    Ok(appraisal_requests::table
        .select((
            appraisal_requests::document_id,
            appraisal_requests::requested_on,
            appraisal_requests::due_on,
            appraisal_requests::answered_at,
        ))
        .load(conn)?)
}

pub fn self_inspections(conn: &mut Conn) -> DbResult<Vec<DueRow>> {
    Ok(self_inspections::table
        .select((
            self_inspections::document_id,
            self_inspections::started_on,
            self_inspections::due_on,
            self_inspections::recorded_at,
        ))
        .load(conn)?)
}

/// When each review campaign was closed (`None` while it is open), by campaign id.
pub fn campaign_closings(conn: &mut Conn) -> DbResult<HashMap<String, Option<NaiveDateTime>>> {
    Ok(review_campaigns::table
        .select((review_campaigns::id, review_campaigns::closed_at))
        .load::<(String, Option<NaiveDateTime>)>(conn)?
        .into_iter()
        .collect())
}

pub fn review_items(conn: &mut Conn) -> DbResult<Vec<ReviewItemRow>> {
    Ok(review_items::table
        .select((
            review_items::campaign_id,
            review_items::document_id,
            review_items::assignee_id,
            review_items::created_at,
            review_items::reviewed_at,
        ))
        .load(conn)?)
}
