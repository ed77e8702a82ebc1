//! Issuing a revision: it becomes current, the previous one is superseded, the old
//! copies are recalled and the distribution list gets numbered copies of the new one.

use chrono::{NaiveDate, NaiveDateTime};

use super::{
    action_of, check_row_version, ensure_in_use, load_revision, reconcile_copies, require_owner,
    revision_response, IsoRevisionResponse, IssueRequest,
};
use crate::db::audit::Actor;
use crate::db::models::{
    Document, DocumentChanges, IsoDocumentChanges, IsoRevision, IsoRevisionChanges,
};
use crate::db::{self, iso as q, Tx};
use crate::domain::iso::{self as rules, IssuePlan, RevisionEvent};
use crate::domain::kinds::{ChangeRequestState, DocumentState};
use crate::error::{ApiResult, AppError};
use crate::service::iso_hooks::{audit_doc, recall, set_change_request_state, views};
use crate::service::{today, Caller};

use_cases! {
    /// Issues an approved revision at the row version read, effective on the day asked
    /// (default today).
    tx issue_revision(version_id: String, expected_version: i32, req: IssueRequest)
        -> IsoRevisionResponse = issue(&version_id, expected_version, &req, today());
}

/// Issues a revision effective on a past date as `caller` (the demo's history).
pub fn issue_on(
    conn: &mut Tx<'_>,
    caller: &Caller,
    version_id: &str,
    effective_from: NaiveDate,
) -> ApiResult<IsoRevisionResponse> {
    let rev = q::get_revision(conn, version_id)?;
    issue(
        conn,
        caller,
        version_id,
        rev.row_version,
        &IssueRequest {
            effective_from: Some(effective_from),
        },
        today(),
    )
}

/// Issues an approved revision (the owner's ISO controller): it becomes current from
/// its effective date, the previous one is superseded, the old copies are recalled and
/// the distribution list gets numbered copies of the new one, all in this transaction.
pub fn issue(
    conn: &mut Tx<'_>,
    caller: &Caller,
    version_id: &str,
    expected_version: i32,
    req: &IssueRequest,
    today: NaiveDate,
) -> ApiResult<IsoRevisionResponse> {
    let (rev, _, doc, iso) = load_revision(conn, Some(caller), version_id)?;
    require_owner(caller, &iso)?;
    ensure_in_use(&doc)?;
    let effective_from = req.effective_from.unwrap_or(today);
    let revs = q::revisions(conn, &doc.id)?;
    let plan = rules::plan_issue(&views(&revs)?, &rev.version_id, effective_from, today)?;
    check_row_version(rev.row_version, expected_version)?;
    let actor = caller.actor();
    let user_id = Some(caller.user_id.as_str());
    let now = db::now();
    supersede_previous(conn, &actor, &rev, &plan, now)?;
    let issued = make_current(conn, caller, &doc, &rev, &plan, effective_from, now)?;
    q::update_document(
        conn,
        &doc.id,
        iso.row_version,
        &IsoDocumentChanges {
            next_review_on: Some(rules::next_review(effective_from, iso.review_period_months)),
            ..Default::default()
        },
    )?;
    if let Some(c) = q::change_request_of_revision(conn, &rev.version_id)? {
        if c.state == ChangeRequestState::Accepted {
            set_change_request_state(conn, &actor, &c, ChangeRequestState::Implemented, None)?;
        }
    }
    recall(conn, &actor, &doc, Some(&rev.version_id))?;
    reconcile_copies(conn, &actor, user_id, &doc, &rev.version_id)?;
    let v = db::versions::get(conn, &rev.version_id)?;
    revision_response(conn, issued, &v)
}

/// The revision the new one supersedes changes first: the database allows one current
/// revision per document, even for an instant inside the transaction.
fn supersede_previous(
    conn: &mut Tx<'_>,
    actor: &Actor,
    rev: &IsoRevision,
    plan: &IssuePlan,
    now: NaiveDateTime,
) -> ApiResult<()> {
    for change in plan.changes.iter().skip(1) {
        q::update_revision(
            conn,
            &change.id,
            None,
            &IsoRevisionChanges {
                state: Some(change.to),
                superseded_at: Some(Some(now)),
                superseded_by: Some(Some(rev.version_id.clone())),
                ..Default::default()
            },
        )?;
        audit_doc(
            conn,
            actor,
            action_of(RevisionEvent::Supersede),
            &rev.document_id,
            Some((change.from, change.to)),
            None,
            serde_json::json!({"version_id": change.id, "superseded_by": rev.version_id}),
        )?;
    }
    Ok(())
}

/// The issued revision becomes current with its number, and its document shows it:
/// published from its first issue.
fn make_current(
    conn: &mut Tx<'_>,
    caller: &Caller,
    doc: &Document,
    rev: &IsoRevision,
    plan: &IssuePlan,
    effective_from: NaiveDate,
    now: NaiveDateTime,
) -> ApiResult<IsoRevision> {
    let first = plan
        .changes
        .first()
        .ok_or_else(|| AppError::internal("an issue plan without the issued revision"))?;
    let issued = q::update_revision(
        conn,
        &rev.version_id,
        Some(rev.row_version),
        &IsoRevisionChanges {
            state: Some(first.to),
            revision_no: Some(Some(plan.revision_no)),
            issued_at: Some(Some(now)),
            issued_by: Some(Some(caller.user_id.clone())),
            effective_from: Some(Some(effective_from)),
            ..Default::default()
        },
    )?;
    let label = rules::revision_label(plan.revision_no);
    let first_issue = doc.state == DocumentState::Drafting;
    audit_doc(
        conn,
        &caller.actor(),
        action_of(RevisionEvent::Issue),
        &doc.id,
        Some((first.from, first.to)),
        None,
        serde_json::json!({
            "version_id": rev.version_id, "revision_no": plan.revision_no,
            "revision_label": label, "effective_from": effective_from,
            "supersedes": plan.supersedes,
            "document_state": if first_issue { Some(DocumentState::Published.as_str()) } else { None },
        }),
    )?;
    db::documents::update(
        conn,
        &doc.id,
        doc.row_version,
        &DocumentChanges {
            iso_revision: Some(Some(label)),
            state: first_issue.then_some(DocumentState::Published),
            published_on: first_issue.then_some(Some(effective_from)),
            effective_from: first_issue.then_some(Some(effective_from)),
            ever_approved: Some(true),
            ..Default::default()
        },
    )?;
    Ok(issued)
}
