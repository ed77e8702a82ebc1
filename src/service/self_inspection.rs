//! Self-inspection (tự kiểm tra): every promulgated document is checked by its issuer
//! within a configured time; a result other than lawful opens a follow-up, a review
//! flag on the document naming the handling (amend, suspend, repeal, correct).

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::deadlines::{self, Deadlines};
use super::documents as docs;
use super::dto::{summaries, DocumentSummary};
use super::review::{known_id, list_limit, only, summary};
use super::{clean_opt, Caller};
use crate::auth::Action;
use crate::db::audit::{self, Actor, Event};
use crate::db::models::{Document, ReviewFlag, SelfInspection};
use crate::db::review::{InspectionFilter, InspectionRecord};
use crate::db::{self, Conn, Tx};
use crate::domain::kinds::DocumentState;
use crate::domain::review::{
    check_inspection_result, inspection_start, is_overdue, InspectionHandling, InspectionState,
    ReviewFlagCause, SelfInspectionResult,
};
use crate::error::{ApiResult, AppError};

pub use super::today;

/// The refusal of a second self-inspection of one document.
fn one_per_document() -> AppError {
    AppError::Conflict {
        guard: Some("one_self_inspection_per_document".into()),
        detail: "this document already has its self-inspection".into(),
    }
}

/// Opens the self-inspection of a document being promulgated, due the configured
/// number of days (or working days) after its signing. The promulgation workflow calls
/// this when it publishes a document, in its own transaction; a document has one.
pub fn open_self_inspection(
    conn: &mut Tx<'_>,
    actor: &Actor,
    document: &Document,
) -> ApiResult<SelfInspection> {
    open_self_inspection_with(conn, actor, document, deadlines::current())
}

/// [`open_self_inspection`] with explicit deadlines.
pub fn open_self_inspection_with(
    conn: &mut Tx<'_>,
    actor: &Actor,
    document: &Document,
    deadlines: &Deadlines,
) -> ApiResult<SelfInspection> {
    if db::review::inspection_of(conn, &document.id)?.is_some() {
        return Err(one_per_document());
    }
    let start = inspection_start(document.signed_on, document.published_on, today());
    let law = super::regimes::rules_for(conn, document, &deadlines.overrides)?;
    let days = law.self_inspection_days.value;
    let due = deadlines
        .due(start, days)
        .ok_or_else(|| AppError::internal("self-inspection due date out of range"))?;
    let row = db::review::insert_inspection(
        conn,
        &SelfInspection {
            id: db::new_id(),
            document_id: document.id.clone(),
            started_on: start,
            due_on: due,
            state: InspectionState::Open,
            result: None,
            findings: None,
            handling: None,
            opened_by: actor.id.clone(),
            opened_at: db::now(),
            recorded_by: None,
            recorded_at: None,
        },
    )
    .map_err(|e| match e {
        db::DbError::Conflict(_) => one_per_document(),
        other => other.into(),
    })?;
    audit::append(
        conn,
        actor,
        Event {
            action: "self_inspection.open",
            entity_type: "self_inspection",
            entity_id: &row.id,
            to_state: Some(row.state.as_str()),
            details: Some(serde_json::json!({
                "document_id": document.id, "number": document.number,
                "started_on": row.started_on, "due_on": row.due_on,
                "working_days": deadlines.working_days, "days": days,
                "basis": law.self_inspection_days.basis, "legal_regime": law.regime,
            })),
            ..Default::default()
        },
    )?;
    Ok(row)
}

/// Opens the self-inspection of a document published before it existed (or by hand).
fn open_for_document(
    conn: &mut Tx<'_>,
    caller: &Caller,
    document_id: &str,
) -> ApiResult<SelfInspection> {
    caller.require(Action::RunReviews)?;
    let doc = docs::get(conn, Some(caller), document_id)?;
    if doc.state != DocumentState::Published {
        return Err(AppError::Conflict {
            guard: Some("self_inspection_after_promulgation".into()),
            detail: "only a promulgated (published) document is self-inspected".into(),
        });
    }
    open_self_inspection(conn, &caller.actor(), &doc)
}

/// A self-inspection with its document and the follow-up it opened.
#[derive(Debug, Clone)]
pub struct InspectionView {
    pub inspection: SelfInspection,
    pub document: Document,
    pub follow_up: Option<ReviewFlag>,
}

fn views(conn: &mut Conn, rows: Vec<SelfInspection>) -> ApiResult<Vec<InspectionView>> {
    let doc_ids: Vec<&str> = rows.iter().map(|r| r.document_id.as_str()).collect();
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let documents = db::review::documents_by_ids(conn, &doc_ids)?;
    let mut flags = db::review::follow_ups(conn, &ids)?;
    rows.into_iter()
        .map(|r| {
            let document = documents
                .get(&r.document_id)
                .cloned()
                .ok_or_else(|| AppError::internal("inspected document missing"))?;
            Ok(InspectionView {
                follow_up: flags.remove(&r.id),
                document,
                inspection: r,
            })
        })
        .collect()
}

fn get(conn: &mut Conn, caller: &Caller, id: &str) -> ApiResult<InspectionView> {
    caller.require(Action::ReadReviews)?;
    let row = db::review::get_inspection(conn, id)?;
    let v = only(views(conn, vec![row])?)?;
    super::ensure_visible(Some(caller), v.document.clone())?;
    Ok(v)
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InspectionQuery {
    /// `true`: only open self-inspections past their due date on `as_of`.
    pub overdue: Option<bool>,
    /// The date overdue is judged on (YYYY-MM-DD); default today.
    pub as_of: Option<NaiveDate>,
    pub state: Option<InspectionState>,
    /// Documents of this issuer (org unit id or code).
    pub issuer: Option<String>,
    /// The self-inspection of this document.
    pub document: Option<String>,
    /// 1 to 500, default 100.
    pub limit: Option<i64>,
}

/// The self-inspections asked for, with the day overdue is judged on.
fn list(
    conn: &mut Conn,
    caller: &Caller,
    q: &InspectionQuery,
) -> ApiResult<(Vec<InspectionView>, NaiveDate)> {
    let limit = list_limit(q.limit)?;
    let on = q.as_of.unwrap_or_else(today);
    let document_id = q.document.as_deref().map(known_id).transpose()?;
    let overdue_on = (q.overdue == Some(true)).then_some(on);
    caller.require(Action::ReadReviews)?;
    let issuer_id = match &q.issuer {
        Some(i) => Some(docs::resolve_org_unit(conn, "issuer", i)?),
        None => None,
    };
    let state = match (overdue_on, q.state) {
        (Some(_), Some(InspectionState::Recorded)) => {
            return Err(AppError::invalid(
                "state",
                "only an open self-inspection is overdue",
            ))
        }
        (Some(_), _) => Some(InspectionState::Open),
        (None, s) => s,
    };
    let rows = db::review::list_inspections(
        conn,
        &InspectionFilter {
            document_id,
            issuer_id,
            state: state.map(|s| s.as_str().to_owned()),
            due_before: overdue_on,
            limit,
        },
    )?;
    let visible = views(conn, rows)?
        .into_iter()
        .filter(|v| super::can_see(Some(caller), &v.document))
        .collect();
    Ok((visible, on))
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordInspectionRequest {
    pub result: SelfInspectionResult,
    /// What was found; required unless the document is lawful.
    pub findings: Option<String>,
    /// Required unless the document is lawful: how it is to be handled.
    pub handling: Option<InspectionHandling>,
}

/// Records the result, once. A handling opens the follow-up: a review flag on the
/// document, to be resolved when the amending / suspending / repealing / correcting
/// document is issued.
fn record_result(
    conn: &mut Tx<'_>,
    caller: &Caller,
    id: &str,
    req: &RecordInspectionRequest,
) -> ApiResult<InspectionView> {
    caller.require(Action::RunReviews)?;
    let current = db::review::get_inspection(conn, id)?;
    let doc = docs::get(conn, Some(caller), &current.document_id)?;
    let findings = clean_opt("findings", req.findings.as_deref(), 5000)?;
    check_inspection_result(current.state, req.result, findings.as_deref(), req.handling)?;
    let at = db::now();
    let recorded = db::review::record_inspection(
        conn,
        id,
        &InspectionRecord {
            state: InspectionState::Recorded.as_str(),
            result: req.result.as_str(),
            findings: findings.as_deref(),
            handling: req.handling.map(InspectionHandling::as_str),
            by: Some(&caller.user_id),
            at,
        },
    )?;
    if !recorded {
        return Err(AppError::Conflict {
            guard: Some("self_inspection_recorded_once".into()),
            detail: "the result of this self-inspection is already recorded".into(),
        });
    }
    audit::append(
        conn,
        &caller.actor(),
        Event {
            action: "self_inspection.record",
            entity_type: "self_inspection",
            entity_id: id,
            from_state: Some(current.state.as_str()),
            to_state: Some(InspectionState::Recorded.as_str()),
            details: Some(serde_json::json!({
                "document_id": doc.id, "result": req.result, "handling": req.handling,
                "findings": findings,
            })),
            ..Default::default()
        },
    )?;
    if let Some(handling) = req.handling {
        let detail = format!(
            "{}: {} — {}",
            ReviewFlagCause::SelfInspection.label_vi(),
            req.result.label_vi(),
            findings.as_deref().unwrap_or_default()
        );
        let flag = db::review::insert_flag(
            conn,
            &ReviewFlag {
                id: db::new_id(),
                document_id: doc.id.clone(),
                cause_kind: ReviewFlagCause::SelfInspection,
                cause_document_id: None,
                cause_relation_id: None,
                cause_self_inspection_id: Some(id.to_owned()),
                action: Some(handling),
                detail,
                created_by: Some(caller.user_id.clone()),
                created_at: at,
                resolved_at: None,
                resolved_by: None,
                resolution: None,
            },
        )?;
        super::review::audit_flag_opened(conn, &caller.actor(), &flag)?;
    }
    get(conn, caller, id)
}

/// The follow-up a handling opened: a review flag on the document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FollowUp {
    /// The review flag (see `/review-flags`).
    pub flag_id: String,
    pub action: Option<InspectionHandling>,
    pub open: bool,
    #[serde(with = "crate::service::timestamp::utc_option")]
    pub resolved_at: Option<NaiveDateTime>,
    pub resolution: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SelfInspectionResponse {
    pub id: String,
    pub document: DocumentSummary,
    pub state: InspectionState,
    pub state_label_vi: &'static str,
    /// The day the period counts from (the signing, else the publication).
    pub started_on: NaiveDate,
    pub due_on: NaiveDate,
    /// Open and past its due date (today, or `as_of` in a list).
    pub overdue: bool,
    pub result: Option<SelfInspectionResult>,
    pub result_label_vi: Option<&'static str>,
    pub findings: Option<String>,
    pub handling: Option<InspectionHandling>,
    pub handling_label_vi: Option<&'static str>,
    pub follow_up: Option<FollowUp>,
    pub opened_by: Option<String>,
    #[serde(with = "crate::service::timestamp::utc")]
    pub opened_at: NaiveDateTime,
    pub recorded_by: Option<String>,
    #[serde(with = "crate::service::timestamp::utc_option")]
    pub recorded_at: Option<NaiveDateTime>,
}

/// The read models of self-inspections, overdue judged on `on`.
fn responses(
    conn: &mut Conn,
    views: Vec<InspectionView>,
    on: NaiveDate,
) -> ApiResult<Vec<SelfInspectionResponse>> {
    let map = summaries(conn, views.iter().map(|v| &v.document))?;
    views
        .into_iter()
        .map(|v| {
            let s = v.inspection;
            let state: InspectionState = s.state;
            let result: Option<SelfInspectionResult> = s.result;
            let handling: Option<InspectionHandling> = s.handling;
            Ok(SelfInspectionResponse {
                document: summary(&map, &v.document.id)?,
                overdue: is_overdue(state, s.due_on, on),
                state_label_vi: state.label_vi(),
                state,
                result_label_vi: result.map(SelfInspectionResult::label_vi),
                result,
                handling_label_vi: handling.map(InspectionHandling::label_vi),
                handling,
                follow_up: v
                    .follow_up
                    .map(|f| -> ApiResult<FollowUp> {
                        Ok(FollowUp {
                            action: f.action,
                            open: f.resolved_at.is_none(),
                            flag_id: f.id,
                            resolved_at: f.resolved_at,
                            resolution: f.resolution,
                        })
                    })
                    .transpose()?,
                id: s.id,
                started_on: s.started_on,
                due_on: s.due_on,
                findings: s.findings,
                opened_by: s.opened_by,
                opened_at: s.opened_at,
                recorded_by: s.recorded_by,
                recorded_at: s.recorded_at,
            })
        })
        .collect()
}

/// The read model of one self-inspection, overdue judged today.
fn one(conn: &mut Conn, v: InspectionView) -> ApiResult<SelfInspectionResponse> {
    only(responses(conn, vec![v], today())?)
}

on_db! {
    /// Self-inspections the caller may see, as they are answered.
    run list_inspections(caller: Caller, q: InspectionQuery) -> Vec<SelfInspectionResponse>
        = |conn| {
        let (views, on) = list(conn, &caller, &q)?;
        responses(conn, views, on)
    };
    /// One self-inspection, as it is answered.
    run get_inspection(caller: Caller, id: String) -> SelfInspectionResponse = |conn| {
        let v = get(conn, &caller, &id)?;
        one(conn, v)
    };
    /// Records the result of a self-inspection in one transaction; see [`record_result`].
    tx record_inspection(caller: Caller, id: String, req: RecordInspectionRequest)
        -> SelfInspectionResponse = |conn| {
        let v = record_result(conn, &caller, &id, &req)?;
        one(conn, v)
    };
    /// Opens the self-inspection of a published document in one transaction; see
    /// [`open_for_document`].
    tx open_inspection(caller: Caller, id: String) -> SelfInspectionResponse = |conn| {
        let row = open_for_document(conn, &caller, &id)?;
        let v = get(conn, &caller, &row.id)?;
        one(conn, v)
    };
}
