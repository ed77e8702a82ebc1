//! Self-inspections, review flags, review campaigns and their items.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::models::{Document, ReviewCampaign, ReviewFlag, ReviewItem, SelfInspection};
use super::schema::{
    documents, relations, review_campaigns, review_flags, review_items, self_inspections,
};
use super::{Conn, DbError, DbResult};
use crate::domain::review::ReviewResult;

// ---- self-inspections ----

pub fn insert_inspection(conn: &mut Conn, s: &SelfInspection) -> DbResult<SelfInspection> {
    Ok(diesel::insert_into(self_inspections::table)
        .values(s)
        .returning(self_inspections::all_columns)
        .get_result(conn)?)
}

pub fn get_inspection(conn: &mut Conn, id: &str) -> DbResult<SelfInspection> {
    Ok(self_inspections::table.find(id).first(conn)?)
}

pub fn inspection_of(conn: &mut Conn, document_id: &str) -> DbResult<Option<SelfInspection>> {
    Ok(self_inspections::table
        .filter(self_inspections::document_id.eq(document_id))
        .first(conn)
        .optional()?)
}

#[derive(Debug, Clone, Default)]
pub struct InspectionFilter {
    pub document_id: Option<String>,
    pub issuer_id: Option<String>,
    pub state: Option<String>,
    /// Only those due strictly before this date.
    pub due_before: Option<NaiveDate>,
    pub limit: i64,
}

/// Soonest due first.
pub fn list_inspections(conn: &mut Conn, f: &InspectionFilter) -> DbResult<Vec<SelfInspection>> {
    let mut q = self_inspections::table.into_boxed();
    if let Some(d) = &f.document_id {
        q = q.filter(self_inspections::document_id.eq(d.clone()));
    }
    if let Some(i) = &f.issuer_id {
        q = q.filter(
            self_inspections::document_id.eq_any(
                documents::table
                    .filter(documents::issuer_id.eq(i.clone()))
                    .select(documents::id),
            ),
        );
    }
    if let Some(s) = &f.state {
        q = q.filter(self_inspections::state.eq(s.clone()));
    }
    if let Some(d) = f.due_before {
        q = q.filter(self_inspections::due_on.lt(d));
    }
    Ok(
        q.order((self_inspections::due_on.asc(), self_inspections::id.asc()))
            .limit(f.limit)
            .load(conn)?,
    )
}

/// The result of a self-inspection as stored.
pub struct InspectionRecord<'a> {
    pub state: &'a str,
    pub result: &'a str,
    pub findings: Option<&'a str>,
    pub handling: Option<&'a str>,
    pub by: Option<&'a str>,
    pub at: NaiveDateTime,
}

/// Records the result if none was recorded yet; false if one was.
pub fn record_inspection(conn: &mut Conn, id: &str, r: &InspectionRecord<'_>) -> DbResult<bool> {
    let n = diesel::update(
        self_inspections::table
            .filter(self_inspections::id.eq(id))
            .filter(self_inspections::recorded_at.is_null()),
    )
    .set((
        self_inspections::state.eq(r.state),
        self_inspections::result.eq(Some(r.result)),
        self_inspections::findings.eq(r.findings),
        self_inspections::handling.eq(r.handling),
        self_inspections::recorded_by.eq(r.by),
        self_inspections::recorded_at.eq(Some(r.at)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

// ---- review flags ----

pub fn insert_flag(conn: &mut Conn, f: &ReviewFlag) -> DbResult<ReviewFlag> {
    Ok(diesel::insert_into(review_flags::table)
        .values(f)
        .returning(review_flags::all_columns)
        .get_result(conn)?)
}

pub fn get_flag(conn: &mut Conn, id: &str) -> DbResult<ReviewFlag> {
    Ok(review_flags::table.find(id).first(conn)?)
}

#[derive(Debug, Clone, Default)]
pub struct FlagFilter {
    pub document_id: Option<String>,
    pub issuer_id: Option<String>,
    /// `Some(true)`: open only; `Some(false)`: resolved only.
    pub open: Option<bool>,
    pub limit: i64,
}

/// Newest first.
pub fn list_flags(conn: &mut Conn, f: &FlagFilter) -> DbResult<Vec<ReviewFlag>> {
    let mut q = review_flags::table.into_boxed();
    if let Some(d) = &f.document_id {
        q = q.filter(review_flags::document_id.eq(d.clone()));
    }
    if let Some(i) = &f.issuer_id {
        q = q.filter(
            review_flags::document_id.eq_any(
                documents::table
                    .filter(documents::issuer_id.eq(i.clone()))
                    .select(documents::id),
            ),
        );
    }
    match f.open {
        Some(true) => q = q.filter(review_flags::resolved_at.is_null()),
        Some(false) => q = q.filter(review_flags::resolved_at.is_not_null()),
        None => {}
    }
    Ok(
        q.order((review_flags::created_at.desc(), review_flags::id.desc()))
            .limit(f.limit)
            .load(conn)?,
    )
}

/// Resolves an open flag; false if it was already resolved.
pub fn resolve_flag(
    conn: &mut Conn,
    id: &str,
    by: Option<&str>,
    at: NaiveDateTime,
    resolution: &str,
) -> DbResult<bool> {
    let n = diesel::update(
        review_flags::table
            .filter(review_flags::id.eq(id))
            .filter(review_flags::resolved_at.is_null()),
    )
    .set((
        review_flags::resolved_at.eq(Some(at)),
        review_flags::resolved_by.eq(by),
        review_flags::resolution.eq(Some(resolution)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// The documents that name `target_id` as their legal basis (căn cứ).
pub fn based_on(conn: &mut Conn, target_id: &str) -> DbResult<Vec<Document>> {
    Ok(documents::table
        .filter(
            documents::id.eq_any(
                relations::table
                    .filter(relations::target_id.eq(target_id))
                    .filter(relations::kind.eq("based_on"))
                    .select(relations::source_id),
            ),
        )
        .order(documents::id.asc())
        .load(conn)?)
}

/// Documents by id, keyed by id; ids without a document are left out.
pub fn documents_by_ids(conn: &mut Conn, ids: &[&str]) -> DbResult<HashMap<String, Document>> {
    Ok(documents::table
        .filter(documents::id.eq_any(ids))
        .load::<Document>(conn)?
        .into_iter()
        .map(|d| (d.id.clone(), d))
        .collect())
}

/// The follow-up flags that self-inspections opened, keyed by the self-inspection.
pub fn follow_ups(
    conn: &mut Conn,
    inspection_ids: &[&str],
) -> DbResult<HashMap<String, ReviewFlag>> {
    Ok(review_flags::table
        .filter(review_flags::cause_self_inspection_id.eq_any(inspection_ids))
        .load::<ReviewFlag>(conn)?
        .into_iter()
        .filter_map(|f| f.cause_self_inspection_id.clone().map(|k| (k, f)))
        .collect())
}

// ---- campaigns ----

pub fn insert_campaign(conn: &mut Conn, c: &ReviewCampaign) -> DbResult<ReviewCampaign> {
    Ok(diesel::insert_into(review_campaigns::table)
        .values(c)
        .returning(review_campaigns::all_columns)
        .get_result(conn)?)
}

pub fn get_campaign(conn: &mut Conn, id: &str) -> DbResult<ReviewCampaign> {
    Ok(review_campaigns::table.find(id).first(conn)?)
}

pub fn campaign_by_name(conn: &mut Conn, name: &str) -> DbResult<Option<ReviewCampaign>> {
    Ok(review_campaigns::table
        .filter(review_campaigns::name.eq(name))
        .order(review_campaigns::id.asc())
        .first(conn)
        .optional()?)
}

/// Newest first.
pub fn list_campaigns(conn: &mut Conn) -> DbResult<Vec<ReviewCampaign>> {
    Ok(review_campaigns::table
        .order((
            review_campaigns::created_at.desc(),
            review_campaigns::id.desc(),
        ))
        .load(conn)?)
}

/// Closes an open campaign; false if it was already closed.
pub fn close_campaign(
    conn: &mut Conn,
    id: &str,
    by: Option<&str>,
    at: NaiveDateTime,
    reason: Option<&str>,
) -> DbResult<bool> {
    let n = diesel::update(
        review_campaigns::table
            .filter(review_campaigns::id.eq(id))
            .filter(review_campaigns::state.eq("open")),
    )
    .set((
        review_campaigns::state.eq("closed"),
        review_campaigns::closed_at.eq(Some(at)),
        review_campaigns::closed_by.eq(by),
        review_campaigns::close_reason.eq(reason),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// What a campaign covers: documents published by these issuers, of these kinds,
/// signed in this range; or exactly these documents.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub issuer_ids: Vec<String>,
    pub kinds: Vec<String>,
    pub signed_from: Option<NaiveDate>,
    pub signed_to: Option<NaiveDate>,
    pub document_ids: Vec<String>,
}

/// The published documents a selection covers, oldest signature first.
pub fn select_documents(conn: &mut Conn, s: &Selection, limit: i64) -> DbResult<Vec<Document>> {
    let mut q = documents::table
        .filter(documents::state.eq("published"))
        .into_boxed();
    if !s.document_ids.is_empty() {
        q = q.filter(documents::id.eq_any(s.document_ids.clone()));
    }
    if !s.issuer_ids.is_empty() {
        q = q.filter(
            documents::issuer_id
                .assume_not_null()
                .eq_any(s.issuer_ids.clone()),
        );
    }
    if !s.kinds.is_empty() {
        q = q.filter(documents::kind.eq_any(s.kinds.clone()));
    }
    if let Some(from) = s.signed_from {
        q = q.filter(documents::signed_on.assume_not_null().ge(from));
    }
    if let Some(to) = s.signed_to {
        q = q.filter(documents::signed_on.assume_not_null().le(to));
    }
    Ok(q.order((
        documents::signed_on.asc(),
        documents::number_key.asc(),
        documents::id.asc(),
    ))
    .limit(limit)
    .load(conn)?)
}

pub fn insert_items(conn: &mut Conn, rows: &[ReviewItem]) -> DbResult<()> {
    // Chunked for SQLite's bound-parameter limit; multi-row inserts do not pass
    // through MultiConnection, so each backend gets its own statement.
    for chunk in rows.chunks(50) {
        let stmt = diesel::insert_into(review_items::table).values(chunk);
        match conn {
            Conn::Postgresql(c) => stmt.execute(c)?,
            Conn::Sqlite(c) => stmt.execute(c)?,
        };
    }
    Ok(())
}

pub fn get_item(conn: &mut Conn, id: &str) -> DbResult<ReviewItem> {
    Ok(review_items::table.find(id).first(conn)?)
}

#[derive(Debug, Clone, Default)]
pub struct ItemFilter {
    pub assignee_id: Option<String>,
    pub result: Option<String>,
    /// `Some(true)`: reviewed only; `Some(false)`: not yet reviewed.
    pub reviewed: Option<bool>,
}

/// The items of a campaign, in the order they were added.
pub fn items(conn: &mut Conn, campaign_id: &str, f: &ItemFilter) -> DbResult<Vec<ReviewItem>> {
    let mut q = review_items::table
        .filter(review_items::campaign_id.eq(campaign_id.to_owned()))
        .into_boxed();
    if let Some(a) = &f.assignee_id {
        q = q.filter(review_items::assignee_id.eq(a.clone()));
    }
    if let Some(r) = &f.result {
        q = q.filter(review_items::result.eq(r.clone()));
    }
    match f.reviewed {
        Some(true) => q = q.filter(review_items::result.is_not_null()),
        Some(false) => q = q.filter(review_items::result.is_null()),
        None => {}
    }
    Ok(q.order(review_items::id.asc()).load(conn)?)
}

/// Item counts per campaign and result (`None`: not reviewed yet).
pub fn counts_by_campaign(
    conn: &mut Conn,
    campaign_ids: &[String],
) -> DbResult<Vec<(String, Option<ReviewResult>, i64)>> {
    Ok(review_items::table
        .filter(review_items::campaign_id.eq_any(campaign_ids))
        .group_by((review_items::campaign_id, review_items::result))
        .select((
            review_items::campaign_id,
            review_items::result,
            diesel::dsl::count_star(),
        ))
        .load(conn)?)
}

/// A count of items by (assignee, result); `None` for unassigned or not reviewed.
pub type AssigneeCount = (Option<String>, Option<ReviewResult>, i64);

/// Item counts of one campaign per assignee and result.
pub fn counts_by_assignee(conn: &mut Conn, campaign_id: &str) -> DbResult<Vec<AssigneeCount>> {
    Ok(review_items::table
        .filter(review_items::campaign_id.eq(campaign_id))
        .group_by((review_items::assignee_id, review_items::result))
        .select((
            review_items::assignee_id,
            review_items::result,
            diesel::dsl::count_star(),
        ))
        .load(conn)?)
}

/// Assigns items of a campaign to a unit; returns how many changed.
pub fn assign(
    conn: &mut Conn,
    campaign_id: &str,
    item_ids: &[String],
    assignee_id: Option<&str>,
    at: NaiveDateTime,
) -> DbResult<usize> {
    Ok(diesel::update(
        review_items::table
            .filter(review_items::campaign_id.eq(campaign_id))
            .filter(review_items::id.eq_any(item_ids)),
    )
    .set((
        review_items::assignee_id.eq(assignee_id),
        review_items::updated_at.eq(at),
        review_items::row_version.eq(review_items::row_version + 1),
    ))
    .execute(conn)?)
}

/// The result of one item, if the item is still at `expected_version`.
pub struct ItemResult<'a> {
    pub result: &'a str,
    pub reasons: &'a str,
    pub proposed_action: Option<&'a str>,
    pub by: Option<&'a str>,
    pub at: NaiveDateTime,
}

pub fn record_item(
    conn: &mut Conn,
    id: &str,
    expected_version: i32,
    r: &ItemResult<'_>,
) -> DbResult<ReviewItem> {
    let n = diesel::update(
        review_items::table
            .filter(review_items::id.eq(id))
            .filter(review_items::row_version.eq(expected_version)),
    )
    .set((
        review_items::result.eq(Some(r.result)),
        review_items::reasons.eq(Some(r.reasons)),
        review_items::proposed_action.eq(r.proposed_action),
        review_items::reviewed_by.eq(r.by),
        review_items::reviewed_at.eq(Some(r.at)),
        review_items::updated_at.eq(r.at),
        review_items::row_version.eq(review_items::row_version + 1),
    ))
    .execute(conn)?;
    if n == 0 {
        get_item(conn, id)?;
        return Err(DbError::Stale);
    }
    get_item(conn, id)
}
