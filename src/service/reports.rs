//! The periodic report on the legal workflow, per agency (see `domain::report`).
//!
//! A document counts for its drafting agency: the unit of the account that created it,
//! else its issuer. Review items count for the agency they are assigned to, else the
//! document's. Imported documents and ISO documents are not part of the workflow and are
//! left out.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::documents as docs;
use super::dto::{unit_ref, OrgUnitRef};
use super::Caller;
use crate::auth::Action;
use crate::db::models::OrgUnit;
use crate::db::{self, Conn, Db, DbError};
use crate::domain::kinds::DocumentKind;
use crate::domain::report::{
    tally, Agency, AppraisalFact, AppraisalRequestFact, CommentFact, ConsultationFact, Counts,
    DraftFact, Facts, InspectionFact, ReportPeriod, ReviewItemFact, Window,
};
use crate::domain::workflow::{AppraisalOpinion, CommentStatus};
use crate::error::ApiResult;

/// What the caller asks for.
#[derive(Debug, Clone)]
pub struct ReportRequest {
    pub year: i32,
    pub period: ReportPeriod,
    /// One agency (org unit id or code) instead of all.
    pub agency: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ActivityReport {
    pub year: i32,
    pub period: ReportPeriod,
    pub window: Window,
    /// Agencies with something to report, by code; `None` for what names no agency.
    pub rows: Vec<(Option<OrgUnit>, Counts)>,
    pub total: Counts,
}

/// The local calendar day of a stored (UTC) timestamp.
fn local_day(ts: NaiveDateTime) -> NaiveDate {
    ts.and_utc().with_timezone(&chrono::Local).date_naive()
}

pub fn activity(
    conn: &mut Conn,
    caller: &Caller,
    req: &ReportRequest,
    today: NaiveDate,
) -> ApiResult<ActivityReport> {
    caller.require(Action::ReadReports)?;
    let (from, to) = req.period.bounds(req.year)?;
    let window = Window::new(from, to, today);
    let only = match &req.agency {
        Some(a) => Some(docs::resolve_org_unit(conn, "agency", a)?),
        None => None,
    };
    let facts = facts(conn)?;
    let (mut by, mut total) = tally(&window, &facts);
    if let Some(only) = &only {
        let key = Some(only.clone());
        total = by.remove(&key).unwrap_or_default();
        by.clear();
        by.insert(key, total);
    }
    let units: HashMap<String, OrgUnit> = db::org_units::list(conn)?
        .into_iter()
        .map(|u| (u.id.clone(), u))
        .collect();
    let mut rows: Vec<(Option<OrgUnit>, Counts)> = by
        .into_iter()
        .map(|(agency, counts)| (agency.and_then(|id| units.get(&id).cloned()), counts))
        .collect();
    rows.sort_by(|a, b| {
        let key = |r: &(Option<OrgUnit>, Counts)| r.0.as_ref().map(|u| u.code.clone());
        // Units first, by code; what names no unit last.
        (key(a).is_none(), key(a)).cmp(&(key(b).is_none(), key(b)))
    });
    Ok(ActivityReport {
        year: req.year,
        period: req.period,
        window,
        rows,
        total,
    })
}

/// Every fact the report counts, each attributed to its agency. Facts about documents
/// outside the workflow (ISO, imported) are not counted.
fn facts(conn: &mut Conn) -> ApiResult<Facts> {
    let mut facts = Facts::default();
    let agency_of = draft_facts(conn, &mut facts)?;
    let of = |doc: &str| agency_of.get(doc).cloned();
    consultation_facts(conn, &of, &mut facts)?;
    appraisal_facts(conn, &of, &mut facts)?;
    review_facts(conn, &of, &mut facts)?;
    Ok(facts)
}

/// The agency of a document of the workflow (`None` for one outside it).
type AgencyOf<'a> = dyn Fn(&str) -> Option<Agency> + 'a;

/// The drafts, each attributed to its drafting agency; returns the agency of each.
fn draft_facts(conn: &mut Conn, facts: &mut Facts) -> ApiResult<HashMap<String, Agency>> {
    use crate::db::schema::{documents, users};
    let iso: Vec<&str> = DocumentKind::ALL
        .iter()
        .filter(|k| k.is_iso())
        .map(|k| k.as_str())
        .collect();
    let unit_of_user: HashMap<String, Option<String>> = users::table
        .select((users::id, users::org_unit_id))
        .load::<(String, Option<String>)>(conn)
        .map_err(DbError::from)?
        .into_iter()
        .collect();
    type DocRow = (
        String,
        Option<String>,
        Option<String>,
        NaiveDateTime,
        Option<NaiveDate>,
        Option<NaiveDateTime>,
    );
    let rows: Vec<DocRow> = documents::table
        .filter(documents::external.eq(false))
        .filter(documents::kind.ne_all(&iso))
        .select((
            documents::id,
            documents::created_by,
            documents::issuer_id,
            documents::created_at,
            documents::signed_on,
            documents::withdrawn_at,
        ))
        .load(conn)
        .map_err(DbError::from)?;
    let mut agency_of: HashMap<String, Agency> = HashMap::with_capacity(rows.len());
    for (id, created_by, issuer, created_at, signed_on, withdrawn_at) in rows {
        let agency = created_by
            .and_then(|u| unit_of_user.get(&u).cloned().flatten())
            .or(issuer);
        facts.drafts.push(DraftFact {
            agency: agency.clone(),
            created_on: local_day(created_at),
            signed_on,
            withdrawn_on: withdrawn_at.map(local_day),
        });
        agency_of.insert(id, agency);
    }
    Ok(agency_of)
}

/// Consultations held and the comments they received.
fn consultation_facts(conn: &mut Conn, of: &AgencyOf<'_>, facts: &mut Facts) -> ApiResult<()> {
    use crate::db::schema::{comments, consultations};
    let consultation_doc: HashMap<String, String> = consultations::table
        .select((consultations::id, consultations::document_id))
        .load::<(String, String)>(conn)
        .map_err(DbError::from)?
        .into_iter()
        .collect();
    for (doc, opens_on) in consultations::table
        .select((consultations::document_id, consultations::opens_on))
        .load::<(String, NaiveDate)>(conn)
        .map_err(DbError::from)?
    {
        if let Some(agency) = of(&doc) {
            facts
                .consultations
                .push(ConsultationFact { agency, opens_on });
        }
    }
    let rejected = CommentStatus::Rejected.as_str();
    for (consultation, created_at, status, disposed_at) in comments::table
        .select((
            comments::consultation_id,
            comments::created_at,
            comments::status,
            comments::disposed_at,
        ))
        .load::<(String, NaiveDateTime, String, Option<NaiveDateTime>)>(conn)
        .map_err(DbError::from)?
    {
        if let Some(agency) = consultation_doc.get(&consultation).and_then(|d| of(d)) {
            facts.comments.push(CommentFact {
                agency,
                received_on: local_day(created_at),
                rejected: status == rejected,
                answered_on: disposed_at.map(local_day),
            });
        }
    }
    Ok(())
}

/// Appraisal opinions and the requests for them.
fn appraisal_facts(conn: &mut Conn, of: &AgencyOf<'_>, facts: &mut Facts) -> ApiResult<()> {
    use crate::db::schema::{appraisal_requests, appraisals};
    let fit = AppraisalOpinion::FitToSubmit.as_str();
    for (doc, created_at, opinion) in appraisals::table
        .select((
            appraisals::document_id,
            appraisals::created_at,
            appraisals::opinion,
        ))
        .load::<(String, NaiveDateTime, String)>(conn)
        .map_err(DbError::from)?
    {
        if let Some(agency) = of(&doc) {
            facts.appraisals.push(AppraisalFact {
                agency,
                on: local_day(created_at),
                fit_to_submit: opinion == fit,
            });
        }
    }
    for (doc, requested_on, due_on, answered_at) in appraisal_requests::table
        .select((
            appraisal_requests::document_id,
            appraisal_requests::requested_on,
            appraisal_requests::due_on,
            appraisal_requests::answered_at,
        ))
        .load::<(String, NaiveDate, NaiveDate, Option<NaiveDateTime>)>(conn)
        .map_err(DbError::from)?
    {
        if let Some(agency) = of(&doc) {
            facts.appraisal_requests.push(AppraisalRequestFact {
                agency,
                requested_on,
                due_on,
                answered_on: answered_at.map(local_day),
            });
        }
    }
    Ok(())
}

/// Self-inspections and review items.
fn review_facts(conn: &mut Conn, of: &AgencyOf<'_>, facts: &mut Facts) -> ApiResult<()> {
    use crate::db::schema::{review_campaigns, review_items, self_inspections};
    for (doc, started_on, due_on, recorded_at) in self_inspections::table
        .select((
            self_inspections::document_id,
            self_inspections::started_on,
            self_inspections::due_on,
            self_inspections::recorded_at,
        ))
        .load::<(String, NaiveDate, NaiveDate, Option<NaiveDateTime>)>(conn)
        .map_err(DbError::from)?
    {
        if let Some(agency) = of(&doc) {
            facts.inspections.push(InspectionFact {
                agency,
                started_on,
                due_on,
                done_on: recorded_at.map(local_day),
            });
        }
    }
    let closed: HashMap<String, Option<NaiveDateTime>> = review_campaigns::table
        .select((review_campaigns::id, review_campaigns::closed_at))
        .load::<(String, Option<NaiveDateTime>)>(conn)
        .map_err(DbError::from)?
        .into_iter()
        .collect();
    for (campaign, doc, assignee, created_at, reviewed_at) in review_items::table
        .select((
            review_items::campaign_id,
            review_items::document_id,
            review_items::assignee_id,
            review_items::created_at,
            review_items::reviewed_at,
        ))
        .load::<(
            String,
            String,
            Option<String>,
            NaiveDateTime,
            Option<NaiveDateTime>,
        )>(conn)
        .map_err(DbError::from)?
    {
        // A campaign may review imported documents too: the assignee is what counts.
        let agency = assignee.or_else(|| of(&doc).flatten());
        facts.review_items.push(ReviewItemFact {
            agency,
            created_on: local_day(created_at),
            done_on: reviewed_at.map(local_day),
            closed_on: closed.get(&campaign).cloned().flatten().map(local_day),
        });
    }
    Ok(())
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PeriodResponse {
    pub period: ReportPeriod,
    /// "Quý III năm 2026".
    pub label_vi: String,
    pub year: i32,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The day open figures (drafts in progress, comments unanswered, inspections overdue,
    /// review items open) are taken on: the period's last day, or today while it runs.
    pub as_of: NaiveDate,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgencyActivity {
    /// The drafting agency (review items: the agency assigned); absent for what names none.
    pub agency: Option<OrgUnitRef>,
    #[serde(flatten)]
    pub counts: Counts,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActivityReportResponse {
    pub period: PeriodResponse,
    /// Agencies with something to report, by code.
    pub agencies: Vec<AgencyActivity>,
    pub total: Counts,
}

/// The read model of a report.
fn response(r: ActivityReport) -> ActivityReportResponse {
    ActivityReportResponse {
        period: PeriodResponse {
            period: r.period,
            label_vi: r.period.title_vi(r.year),
            year: r.year,
            from: r.window.from,
            to: r.window.to,
            as_of: r.window.as_of,
        },
        agencies: r
            .rows
            .iter()
            .map(|(unit, counts)| AgencyActivity {
                agency: unit.as_ref().map(unit_ref),
                counts: *counts,
            })
            .collect(),
        total: r.total,
    }
}

/// The periodic report the caller asks for, as it is answered; open figures are taken
/// on `today` while the period runs.
pub async fn activity_report(
    db: &Db,
    caller: Caller,
    req: ReportRequest,
    today: NaiveDate,
) -> ApiResult<ActivityReportResponse> {
    db.run(move |conn| activity(conn, &caller, &req, today))
        .await
        .map(response)
}
