//! The periodic report on the legal workflow, per agency (see `domain::report`).
//!
//! A document counts for its drafting agency: the unit of the account that created it,
//! else its issuer. Review items count for the agency they are assigned to, else the
//! document's. Imported documents and ISO documents are not part of the workflow and are
//! left out.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;
use utoipa::ToSchema;

use super::documents as docs;
use super::dto::{unit_ref, OrgUnitRef};
use super::Caller;
use crate::auth::Action;
use crate::db::models::OrgUnit;
use crate::db::{self, Conn, Db};
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
    let unit_of_user = db::reports::units_of_users(conn)?;
    let rows = db::reports::drafts(conn)?;
    let mut agency_of: HashMap<String, Agency> = HashMap::with_capacity(rows.len());
    for d in rows {
        let agency = d
            .created_by
            .and_then(|u| unit_of_user.get(&u).cloned().flatten())
            .or(d.issuer_id);
        facts.drafts.push(DraftFact {
            agency: agency.clone(),
            created_on: local_day(d.created_at),
            signed_on: d.signed_on,
            withdrawn_on: d.withdrawn_at.map(local_day),
        });
        agency_of.insert(d.id, agency);
    }
    Ok(agency_of)
}

/// Consultations held and the comments they received.
fn consultation_facts(conn: &mut Conn, of: &AgencyOf<'_>, facts: &mut Facts) -> ApiResult<()> {
    let mut consultation_doc: HashMap<String, String> = HashMap::new();
    for c in db::reports::consultations(conn)? {
        if let Some(agency) = of(&c.document_id) {
            facts.consultations.push(ConsultationFact {
                agency,
                opens_on: c.opens_on,
            });
        }
        consultation_doc.insert(c.id, c.document_id);
    }
    for c in db::reports::comments(conn)? {
        if let Some(agency) = consultation_doc.get(&c.consultation_id).and_then(|d| of(d)) {
            facts.comments.push(CommentFact {
                agency,
                received_on: local_day(c.created_at),
                rejected: c.status == CommentStatus::Rejected,
                answered_on: c.disposed_at.map(local_day),
            });
        }
    }
    Ok(())
}

/// Appraisal opinions and the requests for them.
fn appraisal_facts(conn: &mut Conn, of: &AgencyOf<'_>, facts: &mut Facts) -> ApiResult<()> {
    for a in db::reports::appraisals(conn)? {
        if let Some(agency) = of(&a.document_id) {
            facts.appraisals.push(AppraisalFact {
                agency,
                on: local_day(a.created_at),
                fit_to_submit: a.opinion == AppraisalOpinion::FitToSubmit,
            });
        }
    }
    for r in db::reports::appraisal_requests(conn)? {
        if let Some(agency) = of(&r.document_id) {
            facts.appraisal_requests.push(AppraisalRequestFact {
                agency,
                requested_on: r.started_on,
                due_on: r.due_on,
                answered_on: r.done_at.map(local_day),
            });
        }
    }
    Ok(())
}

/// Self-inspections and review items.
fn review_facts(conn: &mut Conn, of: &AgencyOf<'_>, facts: &mut Facts) -> ApiResult<()> {
    for i in db::reports::self_inspections(conn)? {
        if let Some(agency) = of(&i.document_id) {
            facts.inspections.push(InspectionFact {
                agency,
                started_on: i.started_on,
                due_on: i.due_on,
                done_on: i.done_at.map(local_day),
            });
        }
    }
    let closed = db::reports::campaign_closings(conn)?;
    for item in db::reports::review_items(conn)? {
        // A campaign may review imported documents too: the assignee is what counts.
        let agency = item.assignee_id.or_else(|| of(&item.document_id).flatten());
        facts.review_items.push(ReviewItemFact {
            agency,
            created_on: local_day(item.created_at),
            done_on: item.reviewed_at.map(local_day),
            closed_on: closed
                .get(&item.campaign_id)
                .cloned()
                .flatten()
                .map(local_day),
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
