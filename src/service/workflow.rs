//! Drafting to promulgation: transitions with their guards, appraisal opinions and
//! numbering at signing.

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::documents::DocumentResponse;
use super::documents::{self as docs};
use super::dto::DocumentSummary;
use super::review::summarised;
use super::{clean_opt, Caller};
use crate::auth::Action;
use crate::config::WorkflowSettings;
use crate::db::audit::{self, Event};
use crate::db::models::{Document, DocumentChanges};
use crate::db::workflow::{self as wf, Appraisal, AppraisalRequestRow, Consultation};
use crate::db::{self, Conn, Db, Tx};
use crate::domain::kinds::{DocumentKind, DocumentState, OrgUnitKind};
use crate::domain::regime::{Overrides, RegimeRules};
use crate::domain::workflow::{
    self as rules, AppraisalOpinion, CommentStatus, GuardFacts, WorkflowAction,
};
use crate::error::{ApiResult, AppError};

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionRequest {
    pub action: WorkflowAction,
    /// Why (required to return a draft for revision).
    pub reason: Option<String>,
    /// open_consultation: the last day comments are taken (default: the shortest allowed).
    pub closes_on: Option<NaiveDate>,
    /// sign: the date signed (default today).
    pub signed_on: Option<NaiveDate>,
    /// sign: the date the document takes effect.
    pub effective_from: Option<NaiveDate>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppraisalRequest {
    pub opinion: AppraisalOpinion,
    pub findings: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AppraisalResponse {
    pub id: String,
    pub document_id: String,
    pub version_id: String,
    pub opinion: AppraisalOpinion,
    pub findings: Option<String>,
    pub appraiser_id: Option<String>,
    #[serde(with = "crate::service::timestamp::utc")]
    pub created_at: NaiveDateTime,
}

impl AppraisalResponse {
    fn from_row(a: Appraisal) -> ApiResult<Self> {
        Ok(AppraisalResponse {
            opinion: a.opinion,
            id: a.id,
            document_id: a.document_id,
            version_id: a.version_id,
            findings: a.findings,
            appraiser_id: a.appraiser_id,
            created_at: a.created_at,
        })
    }
}

pub use super::today;

/// The facts the guards of `action` need, read from the database.
fn facts(
    conn: &mut Conn,
    caller: &Caller,
    doc: &Document,
    action: WorkflowAction,
    req: &TransitionRequest,
    law: &RegimeRules,
) -> ApiResult<GuardFacts> {
    let today = today();
    let latest = db::versions::latest(conn, &doc.id)?;
    let mut f = GuardFacts {
        today: Some(today),
        has_version: latest.is_some(),
        ..Default::default()
    };
    match action {
        WorkflowAction::OpenConsultation => {
            // Counted in working days (less holidays) or calendar days, as configured.
            let n = law.consultation_min_days.value;
            let earliest = if n == 0 {
                today
            } else {
                super::deadlines::current()
                    .due(today, n)
                    .unwrap_or(today + TimeDelta::days(i64::from(n)))
            };
            f.earliest_close = Some(earliest);
            f.consultation_basis = Some(law.consultation_min_days.basis.clone());
            f.consultation_closes_on = Some(req.closes_on.unwrap_or(earliest));
        }
        WorkflowAction::CloseConsultation => {
            f.open_consultation_closes_on =
                wf::open_consultation(conn, &doc.id)?.map(|c| c.closes_on);
        }
        WorkflowAction::Submit => {
            f.comments_pending =
                wf::count_comments(conn, &doc.id, CommentStatus::Pending.as_str(), false)? as usize;
            f.comments_without_disposition =
                wf::count_comments(conn, &doc.id, CommentStatus::Published.as_str(), true)?
                    as usize;
            f.appraisal = match wf::latest_appraisal(conn, &doc.id)? {
                Some(a) => {
                    let opinion: AppraisalOpinion = a.opinion;
                    let current = latest.as_ref().is_some_and(|v| v.id == a.version_id);
                    Some((opinion, current))
                }
                None => None,
            };
        }
        WorkflowAction::Sign => {
            f.signer_is_author = latest
                .as_ref()
                .and_then(|v| v.author_id.as_deref())
                .is_some_and(|a| a == caller.user_id);
            let signed = req.signed_on.unwrap_or(today);
            f.signed_on = Some(signed);
            f.effective_from = req.effective_from;
            f.earliest_effective =
                Some(signed + TimeDelta::days(i64::from(law.effective_min_days.value)));
            f.effective_basis = Some(law.effective_min_days.basis.clone());
        }
        _ => {}
    }
    Ok(f)
}

/// Takes a workflow action on a document (send the ETag you read as `expected_version`).
fn transition(
    conn: &mut Tx<'_>,
    caller: &Caller,
    id: &str,
    expected_version: i32,
    req: &TransitionRequest,
    settings: &WorkflowSettings,
) -> ApiResult<Document> {
    let doc = docs::get(conn, Some(caller), id)?;
    if doc.external || doc.kind.is_iso() {
        return Err(AppError::Conflict {
            guard: Some("legal_workflow_only".into()),
            detail: "external and ISO documents do not follow the drafting workflow".into(),
        });
    }
    if !rules::role_may(caller.role, req.action) {
        return Err(AppError::Forbidden(format!(
            "the {} role may not {}",
            caller.role.as_str(),
            req.action
        )));
    }
    super::policy::require_move_draft(conn, caller, &doc)?;
    let state = doc.state;
    if doc.row_version != expected_version {
        return Err(AppError::Stale);
    }
    let reason = clean_opt("reason", req.reason.as_deref(), 2000)?;
    if req.action == WorkflowAction::ReturnForRevision && reason.is_none() {
        return Err(AppError::invalid("reason", "say why the draft goes back"));
    }
    let law = super::regimes::rules_for(conn, &doc, &Overrides::from_settings(settings))?;
    let f = facts(conn, caller, &doc, req.action, req, &law)?;
    let next = rules::check(state, req.action, &f)?;
    let mut ch = DocumentChanges {
        state: Some(next),
        ..Default::default()
    };
    let mut details = effects(conn, caller, &doc, req.action, &f, &law, &mut ch)?;
    if let Some(d) = details.as_object_mut() {
        d.insert("legal_regime".into(), serde_json::json!(law.regime));
    }
    let updated = db::documents::update(conn, id, expected_version, &ch)?;
    audit::append(
        conn,
        &caller.actor(),
        Event {
            action: &format!("workflow.{}", req.action),
            entity_type: "document",
            entity_id: id,
            from_state: Some(state.as_str()),
            to_state: Some(next.as_str()),
            reason: reason.as_deref(),
            details: Some(details),
        },
    )?;
    Ok(updated)
}

/// What an action writes besides the document's new state: the consultation opened or
/// closed, the number given at signing, the appraisal request, the self-inspection opened
/// at promulgation. Returns the details of the audit entry.
fn effects(
    conn: &mut Tx<'_>,
    caller: &Caller,
    doc: &Document,
    action: WorkflowAction,
    f: &GuardFacts,
    law: &RegimeRules,
    ch: &mut DocumentChanges,
) -> ApiResult<serde_json::Value> {
    match action {
        WorkflowAction::OpenConsultation => {
            let v = db::versions::latest(conn, &doc.id)?.ok_or(AppError::NotFound)?;
            let c = wf::insert_consultation(
                conn,
                &Consultation {
                    id: db::new_id(),
                    document_id: doc.id.clone(),
                    version_id: v.id.clone(),
                    opens_on: f.today.unwrap_or_else(today),
                    closes_on: f.consultation_closes_on.unwrap_or_else(today),
                    closed_at: None,
                    created_by: Some(caller.user_id.clone()),
                    created_at: db::now(),
                },
            )?;
            Ok(
                serde_json::json!({"consultation_id": c.id, "version_id": v.id, "closes_on": c.closes_on}),
            )
        }
        WorkflowAction::CloseConsultation => match wf::open_consultation(conn, &doc.id)? {
            Some(c) => {
                wf::close_consultation(conn, &c.id, db::now())?;
                Ok(serde_json::json!({"consultation_id": c.id}))
            }
            None => Ok(serde_json::json!({})),
        },
        WorkflowAction::Sign => sign(conn, caller, doc, f, ch),
        WorkflowAction::RequestAppraisal => request_appraisal(conn, caller, doc, f, law),
        WorkflowAction::Publish => {
            ch.published_on = Some(Some(today()));
            // Self-inspection opens with promulgation (tự kiểm tra).
            let si = super::self_inspection::open_self_inspection(conn, &caller.actor(), doc)?;
            Ok(serde_json::json!({"self_inspection_id": si.id, "due_on": si.due_on}))
        }
        _ => Ok(serde_json::json!({})),
    }
}

/// Signing: the number in the issuer's register, the version approved, the signer.
fn sign(
    conn: &mut Tx<'_>,
    caller: &Caller,
    doc: &Document,
    f: &GuardFacts,
    ch: &mut DocumentChanges,
) -> ApiResult<serde_json::Value> {
    let signed_on = f.signed_on.unwrap_or_else(today);
    let issuer_id = doc
        .issuer_id
        .clone()
        .ok_or_else(|| AppError::invalid("issuer", "a document needs an issuer to be signed"))?;
    let issuer = db::org_units::get(conn, &issuer_id)?;
    let kind: DocumentKind = doc.kind;
    let year = chrono::Datelike::year(&signed_on);
    let n = wf::next_number(conn, &issuer_id, kind.as_str(), year)?;
    // The symbol names the issuing body as numbers are written (05/2017/QĐ-UBND): a
    // commune's People's Committee and the district's both sign "UBND".
    let symbol = match issuer.kind {
        OrgUnitKind::Council => "HĐND",
        OrgUnitKind::Committee | OrgUnitKind::Commune => "UBND",
        _ => issuer.code.as_str(),
    };
    let number = rules::format_number(n, signed_on, kind, symbol);
    let v = db::versions::latest(conn, &doc.id)?.ok_or(AppError::NotFound)?;
    if v.approved_at.is_none() {
        db::versions::approve(conn, &v.id, &caller.user_id, db::now())?;
    }
    let signer = db::users::get(conn, &caller.user_id)?.display_name;
    ch.number_key = Some(Some(crate::domain::number::number_key(&number)));
    ch.number = Some(Some(number.clone()));
    ch.signed_on = Some(Some(signed_on));
    ch.effective_from = Some(f.effective_from);
    ch.signer = Some(Some(signer));
    ch.ever_approved = Some(true);
    Ok(
        serde_json::json!({"number": number, "version_id": v.id, "signed_on": signed_on, "effective_from": f.effective_from}),
    )
}

/// A request for appraisal of the latest version, due as configured.
fn request_appraisal(
    conn: &mut Tx<'_>,
    caller: &Caller,
    doc: &Document,
    f: &GuardFacts,
    law: &RegimeRules,
) -> ApiResult<serde_json::Value> {
    let v = db::versions::latest(conn, &doc.id)?.ok_or(AppError::NotFound)?;
    let requested_on = f.today.unwrap_or_else(today);
    let deadlines = super::deadlines::current();
    let due_on = deadlines
        .due(requested_on, law.appraisal_days.value)
        .ok_or_else(|| AppError::internal("appraisal due date out of range"))?;
    let r = wf::insert_appraisal_request(
        conn,
        &wf::AppraisalRequestRow {
            id: db::new_id(),
            document_id: doc.id.clone(),
            version_id: v.id.clone(),
            requested_on,
            due_on,
            requested_by: Some(caller.user_id.clone()),
            appraisal_id: None,
            answered_at: None,
            created_at: db::now(),
        },
    )?;
    Ok(serde_json::json!({
        "appraisal_request_id": r.id, "version_id": v.id, "due_on": r.due_on,
        "days": law.appraisal_days.value, "basis": law.appraisal_days.basis,
        "working_days": deadlines.working_days, "appraiser": law.appraiser,
    }))
}

/// Records the justice office's opinion on the current version. `needs_revision` sends
/// the draft back to revising.
fn appraise(
    conn: &mut Tx<'_>,
    caller: &Caller,
    id: &str,
    req: &AppraisalRequest,
) -> ApiResult<Appraisal> {
    caller.require_because(Action::AppraiseDrafts, || {
        "only a legal officer appraises drafts".into()
    })?;
    let doc = docs::get(conn, Some(caller), id)?;
    let state = doc.state;
    if state != DocumentState::Appraisal {
        return Err(AppError::Conflict {
            guard: Some("appraisal_in_progress".into()),
            detail: format!("the document is {state}, not in appraisal"),
        });
    }
    let v = db::versions::latest(conn, &doc.id)?.ok_or(AppError::NotFound)?;
    let a = wf::insert_appraisal(
        conn,
        &Appraisal {
            id: db::new_id(),
            document_id: doc.id.clone(),
            version_id: v.id.clone(),
            opinion: req.opinion,
            findings: clean_opt("findings", req.findings.as_deref(), 20_000)?,
            appraiser_id: Some(caller.user_id.clone()),
            created_at: db::now(),
        },
    )?;
    wf::answer_appraisal_requests(conn, &a)?;
    let to = if req.opinion == AppraisalOpinion::NeedsRevision {
        db::documents::update(
            conn,
            id,
            doc.row_version,
            &DocumentChanges {
                state: Some(DocumentState::Revising),
                ..Default::default()
            },
        )?;
        DocumentState::Revising
    } else {
        state
    };
    audit::append(
        conn,
        &caller.actor(),
        Event {
            action: "workflow.appraisal",
            entity_type: "document",
            entity_id: id,
            from_state: Some(state.as_str()),
            to_state: Some(to.as_str()),
            details: Some(
                serde_json::json!({"appraisal_id": a.id, "opinion": a.opinion, "version_id": a.version_id}),
            ),
            ..Default::default()
        },
    )?;
    Ok(a)
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AppraisalRequestFilter {
    /// Waiting for an opinion.
    #[default]
    Open,
    /// Waiting past their due date.
    Overdue,
    All,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AppraisalRequestsQuery {
    /// `open` (default), `overdue` or `all`.
    pub state: Option<AppraisalRequestFilter>,
    /// The day `overdue` is judged on (default today).
    pub as_of: Option<NaiveDate>,
}

/// A draft sent to the justice office for appraisal.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppraisalRequestResponse {
    pub id: String,
    pub document: DocumentSummary,
    /// The version sent.
    pub version_id: String,
    pub requested_on: NaiveDate,
    /// Counted in days or working days as configured, the number of days set by the draft's
    /// regime (`GET /api/v1/legal-regimes`) unless `workflow.appraisal_days` overrides it.
    pub due_on: NaiveDate,
    /// Not answered and past its due date on `as_of`.
    pub overdue: bool,
    /// The opinion that answered it.
    pub appraisal_id: Option<String>,
    #[serde(with = "crate::service::timestamp::utc_option")]
    pub answered_at: Option<NaiveDateTime>,
}

/// The appraisal requests on drafts the caller may see, soonest due first; `open_only`
/// for those still waiting for an opinion.
fn appraisal_requests(
    conn: &mut Conn,
    caller: &Caller,
    open_only: bool,
) -> ApiResult<Vec<(AppraisalRequestRow, Document)>> {
    let rows = wf::appraisal_requests(conn, open_only)?;
    let ids: Vec<&str> = rows.iter().map(|r| r.document_id.as_str()).collect();
    let docs = db::review::documents_by_ids(conn, &ids)?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let d = docs
                .get(&r.document_id)
                .filter(|d| super::can_see(Some(caller), d))?;
            Some((r, d.clone()))
        })
        .collect())
}

// ---- the use cases, each in its own connection or transaction ----

/// Takes a workflow action at the document's row version; see [`transition`].
pub async fn transition_document(
    db: &Db,
    caller: Caller,
    id: String,
    expected_version: i32,
    req: TransitionRequest,
    settings: WorkflowSettings,
) -> ApiResult<DocumentResponse> {
    db.tx(move |conn| {
        let d = transition(conn, &caller, &id, expected_version, &req, &settings)?;
        docs::response(conn, d, today(), Some(&caller))
    })
    .await
}

/// Records an appraisal opinion; see [`appraise`].
pub async fn create_appraisal(
    db: &Db,
    caller: Caller,
    id: String,
    req: AppraisalRequest,
) -> ApiResult<AppraisalResponse> {
    AppraisalResponse::from_row(
        db.tx(move |conn| appraise(conn, &caller, &id, &req))
            .await?,
    )
}

/// The appraisals of a document the caller may see, oldest first.
pub async fn appraisals(db: &Db, caller: Caller, id: String) -> ApiResult<Vec<AppraisalResponse>> {
    db.run(move |conn| {
        docs::get(conn, Some(&caller), &id)?;
        appraisals_of(conn, &id)
    })
    .await
}

/// The appraisals of a document already read, oldest first.
pub fn appraisals_of(conn: &mut Conn, document_id: &str) -> ApiResult<Vec<AppraisalResponse>> {
    wf::appraisals_of(conn, document_id)?
        .into_iter()
        .map(AppraisalResponse::from_row)
        .collect()
}

/// The justice office's work list: appraisal requests, soonest due first.
pub async fn appraisal_request_list(
    db: &Db,
    caller: Caller,
    q: AppraisalRequestsQuery,
) -> ApiResult<Vec<AppraisalRequestResponse>> {
    let filter = q.state.unwrap_or_default();
    let as_of = q.as_of.unwrap_or_else(today);
    db.run(move |conn| -> ApiResult<Vec<AppraisalRequestResponse>> {
        let rows = appraisal_requests(conn, &caller, filter != AppraisalRequestFilter::All)?;
        Ok(summarised(conn, rows)?
            .into_iter()
            .map(|(r, document)| AppraisalRequestResponse {
                overdue: r.answered_at.is_none() && r.due_on < as_of,
                id: r.id,
                document,
                version_id: r.version_id,
                requested_on: r.requested_on,
                due_on: r.due_on,
                appraisal_id: r.appraisal_id,
                answered_at: r.answered_at,
            })
            .filter(|r| filter != AppraisalRequestFilter::Overdue || r.overdue)
            .collect())
    })
    .await
}

/// The justice office's work list as its page shows it: the requests, and whether the caller
/// records opinions (the form is offered only then).
#[derive(Debug, Serialize)]
pub struct AppraisalDesk {
    pub requests: Vec<AppraisalRequestResponse>,
    pub may_answer: bool,
}

/// The appraisal requests (as `GET /appraisal-requests` answers) with the caller's right to
/// answer them.
pub async fn appraisal_desk(
    db: &Db,
    caller: Caller,
    q: AppraisalRequestsQuery,
) -> ApiResult<AppraisalDesk> {
    let may_answer = caller.may(crate::auth::Action::AppraiseDrafts);
    Ok(AppraisalDesk {
        requests: appraisal_request_list(db, caller, q).await?,
        may_answer,
    })
}
