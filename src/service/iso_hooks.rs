//! What the generic document, version and copy use cases ask of ISO document control:
//! a quality document registered on creation, a revision per version, the draft-only
//! edit rule, withdrawal carried to revisions, copies and change requests, and the
//! stamps of obsolete revisions and controlled copies. It sits below those use cases
//! (it imports none of them) and `service::iso` builds on it.

use serde::Serialize;
use utoipa::ToSchema;

use crate::db::audit::{self, Actor, Event};
use crate::db::models::{
    ControlledCopy, Document, IsoChangeRequest, IsoChangeRequestChanges, IsoDistributionRow,
    IsoDocument, IsoRevision, IsoRevisionChanges, Version,
};
use crate::db::{self, iso as q, Conn, Tx};
use crate::domain::iso::{
    self as rules, CopyView, ObsoleteStamp, Recipient, RevisionEvent, RevisionView,
};
use crate::domain::kinds::{ChangeRequestState, RevisionState};
use crate::error::{ApiResult, AppError};

/// Review period given to a quality document registered without one.
pub const DEFAULT_REVIEW_PERIOD_MONTHS: i32 = 12;

pub(super) fn guard(name: &str, detail: impl Into<String>) -> AppError {
    AppError::Conflict {
        guard: Some(name.to_owned()),
        detail: detail.into(),
    }
}

fn view(r: &IsoRevision) -> ApiResult<RevisionView> {
    Ok(RevisionView {
        id: r.version_id.clone(),
        state: r.state,
        revision_no: r.revision_no,
        effective_from: r.effective_from,
    })
}

pub(super) fn views(revs: &[IsoRevision]) -> ApiResult<Vec<RevisionView>> {
    revs.iter().map(view).collect()
}

pub(super) fn copy_view(c: &ControlledCopy) -> CopyView {
    CopyView {
        id: c.id.clone(),
        version_id: c.version_id.clone(),
        recipient: recipient_of(&c.recipient_unit_id, &c.recipient_user_id)
            .unwrap_or(Recipient::Unit(String::new())),
        recall_requested: c.recall_requested_at.is_some(),
        withdrawn: c.withdrawn_at.is_some(),
    }
}

/// The units and the people a distribution list names.
pub(super) fn recipient_ids(rows: &[IsoDistributionRow]) -> (Vec<String>, Vec<String>) {
    let units = rows
        .iter()
        .filter_map(|r| r.recipient_unit_id.clone())
        .collect();
    let users = rows
        .iter()
        .filter_map(|r| r.recipient_user_id.clone())
        .collect();
    (units, users)
}

/// The recipient a row names: its unit, or else its person.
pub(super) fn recipient_of(unit: &Option<String>, user: &Option<String>) -> Option<Recipient> {
    match (unit, user) {
        (Some(u), _) => Some(Recipient::Unit(u.clone())),
        (None, Some(u)) => Some(Recipient::User(u.clone())),
        (None, None) => None,
    }
}

pub(super) fn audit_doc(
    conn: &mut Tx<'_>,
    actor: &Actor,
    action: &str,
    document_id: &str,
    states: Option<(RevisionState, RevisionState)>,
    reason: Option<&str>,
    details: serde_json::Value,
) -> ApiResult<()> {
    audit::append(
        conn,
        actor,
        Event {
            action,
            entity_type: "document",
            entity_id: document_id,
            from_state: states.map(|s| s.0.as_str()),
            to_state: states.map(|s| s.1.as_str()),
            reason,
            details: Some(details),
        },
    )?;
    Ok(())
}

/// The obsolete stamp of a revision, with the day it became obsolete and what replaced it.
pub(super) fn stamp_for(conn: &mut Conn, rev: &IsoRevision) -> ApiResult<Option<ObsoleteStamp>> {
    let state: RevisionState = rev.state;
    if !rules::is_obsolete(state) {
        return Ok(None);
    }
    let (since, replaced_by) = match state {
        RevisionState::Superseded => {
            let successor = match &rev.superseded_by {
                Some(s) => q::find_revision(conn, s)?,
                None => None,
            };
            let since = successor
                .as_ref()
                .and_then(|s| s.effective_from)
                .or(rev.superseded_at.map(|t| t.date()));
            (
                since,
                successor
                    .and_then(|s| s.revision_no)
                    .map(rules::revision_label),
            )
        }
        _ => {
            let current = q::current_revision(conn, &rev.document_id)?;
            (
                rev.withdrawn_at.map(|t| t.date()),
                current
                    .and_then(|c| c.revision_no)
                    .map(rules::revision_label),
            )
        }
    };
    Ok(rules::required_stamp(state, since, replaced_by))
}

/// What a PDF stamp of a controlled copy needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ControlledCopyStamp {
    pub copy_no: i32,
    pub recipient: String,
    pub iso_code: String,
    pub revision: String,
}

/// A quality document created through `POST /documents` comes under control with the
/// defaults: owned by its issuer, reviewed every 12 months, kept permanently.
pub fn register_defaults(conn: &mut Tx<'_>, actor: &Actor, doc: &Document) -> ApiResult<()> {
    let owner = doc
        .issuer_id
        .clone()
        .ok_or_else(|| AppError::invalid("issuer", "a quality document needs its owner agency"))?;
    q::insert_document(
        conn,
        &new_control(doc.id.clone(), owner.clone(), DEFAULT_REVIEW_PERIOD_MONTHS),
    )?;
    audit_doc(
        conn,
        actor,
        "iso.register",
        &doc.id,
        None,
        None,
        serde_json::json!({"owner_unit_id": owner, "review_period_months": DEFAULT_REVIEW_PERIOD_MONTHS}),
    )
}

/// The control metadata of a document just registered: reviewed every `review_period`
/// months, kept permanently, a procedure of its own, not reviewed yet.
pub(super) fn new_control(
    document_id: String,
    owner_unit_id: String,
    review_period_months: i32,
) -> IsoDocument {
    let now = db::now();
    IsoDocument {
        document_id,
        owner_unit_id,
        review_period_months,
        retention_years: None,
        next_review_on: None,
        last_reviewed_on: None,
        parent_id: None,
        created_at: now,
        updated_at: now,
        row_version: 1,
    }
}

/// Before a version is added to a quality document: one revision open at a time.
pub fn before_new_revision(conn: &mut Conn, doc: &Document) -> ApiResult<()> {
    if !doc.kind.is_iso() {
        return Ok(());
    }
    let revs = q::revisions(conn, &doc.id)?;
    Ok(rules::check_can_open_revision(&views(&revs)?)?)
}

/// Every version of a quality document is a revision, born a draft.
pub fn record_new_revision(conn: &mut Conn, doc: &Document, v: &Version) -> ApiResult<()> {
    if !doc.kind.is_iso() {
        return Ok(());
    }
    let now = db::now();
    q::insert_revision(
        conn,
        &IsoRevision {
            version_id: v.id.clone(),
            document_id: doc.id.clone(),
            state: RevisionState::Draft,
            revision_no: None,
            submitted_at: None,
            issued_at: None,
            issued_by: None,
            effective_from: None,
            superseded_at: None,
            superseded_by: None,
            withdrawn_at: None,
            withdrawn_by: None,
            withdrawal_reason: None,
            created_at: now,
            updated_at: now,
            row_version: 1,
        },
    )?;
    Ok(())
}

/// A revision's text may change only while it is a draft: reviewers and the approver
/// must see what will be issued.
pub fn check_version_editable(conn: &mut Conn, v: &Version) -> ApiResult<()> {
    if let Some(rev) = q::find_revision(conn, &v.id)? {
        let state: RevisionState = rev.state;
        if state != RevisionState::Draft {
            return Err(guard(
                "revision_editable_only_in_draft",
                format!(
                    "this revision is {}: only a draft can change",
                    state.as_str()
                ),
            ));
        }
    }
    Ok(())
}

/// ISO revisions are approved through document control (review first, then approval).
pub fn refuse_generic_approval(conn: &mut Conn, v: &Version) -> ApiResult<()> {
    if q::find_revision(conn, &v.id)?.is_some() {
        return Err(guard(
            "iso_revisions_use_document_control",
            format!(
                "approve this revision with POST /api/v1/iso/revisions/{}/approve after its review",
                v.id
            ),
        ));
    }
    Ok(())
}

/// The control state of a version, for the version resource (None for legal documents).
pub fn revision_state(conn: &mut Conn, version_id: &str) -> ApiResult<Option<RevisionState>> {
    Ok(q::find_revision(conn, version_id)?.map(|r| r.state))
}

/// A quality document withdrawn from use: its revisions are withdrawn (the current one
/// included), every copy still out is recalled, open change requests are cancelled.
pub fn on_document_withdrawn(
    conn: &mut Tx<'_>,
    actor: &Actor,
    user_id: Option<&str>,
    doc: &Document,
    reason: &str,
) -> ApiResult<()> {
    if !doc.kind.is_iso() {
        return Ok(());
    }
    let now = db::now();
    let revs = q::revisions(conn, &doc.id)?;
    for change in rules::plan_withdraw_document(&views(&revs)?) {
        let to = rules::next_state(change.from, RevisionEvent::WithdrawDocument)?;
        q::update_revision(
            conn,
            &change.id,
            None,
            &IsoRevisionChanges {
                state: Some(to),
                withdrawn_at: Some(Some(now)),
                withdrawn_by: Some(user_id.map(str::to_owned)),
                withdrawal_reason: Some(Some(reason.to_owned())),
                ..Default::default()
            },
        )?;
        audit_doc(
            conn,
            actor,
            "iso.revision.withdraw",
            &doc.id,
            Some((change.from, to)),
            Some(reason),
            serde_json::json!({"version_id": change.id}),
        )?;
    }
    recall(conn, actor, doc, None)?;
    for c in open_change_requests(conn, std::slice::from_ref(&doc.id))? {
        set_change_request_state(conn, actor, &c, ChangeRequestState::Cancelled, Some(reason))?;
    }
    Ok(())
}

pub(super) fn set_change_request_state(
    conn: &mut Tx<'_>,
    actor: &Actor,
    c: &IsoChangeRequest,
    to: ChangeRequestState,
    reason: Option<&str>,
) -> ApiResult<IsoChangeRequest> {
    let updated = q::update_change_request(
        conn,
        &c.id,
        None,
        &IsoChangeRequestChanges {
            state: Some(to),
            ..Default::default()
        },
    )?;
    audit::append(
        conn,
        actor,
        Event {
            action: "iso.change_request.update",
            entity_type: "document",
            entity_id: &c.document_id,
            from_state: Some(c.state.as_str()),
            to_state: Some(to.as_str()),
            reason,
            details: Some(serde_json::json!({"change_request_id": c.id, "seq": c.seq})),
        },
    )?;
    Ok(updated)
}

/// Asks back every copy of the document that is not of `current` and still out.
pub(super) fn recall(
    conn: &mut Tx<'_>,
    actor: &Actor,
    doc: &Document,
    current: Option<&str>,
) -> ApiResult<usize> {
    let copies: Vec<CopyView> = q::copies(conn, &doc.id)?.iter().map(copy_view).collect();
    let ids = rules::copies_to_recall(&copies, current);
    recall_ids(
        conn,
        actor,
        &doc.id,
        &ids,
        serde_json::json!({"copy_ids": ids}),
    )
}

/// Asks back these copies of the document; audited with `details` when any was still out.
pub(super) fn recall_ids(
    conn: &mut Tx<'_>,
    actor: &Actor,
    document_id: &str,
    ids: &[String],
    details: serde_json::Value,
) -> ApiResult<usize> {
    let n = q::request_recall(conn, ids, db::now())?;
    if n > 0 {
        audit_doc(
            conn,
            actor,
            "iso.copies.recall",
            document_id,
            None,
            None,
            details,
        )?;
    }
    Ok(n)
}

/// The change requests of these documents still to be dealt with: open, or accepted
/// and not yet issued.
pub(super) fn open_change_requests(
    conn: &mut Conn,
    document_ids: &[String],
) -> ApiResult<Vec<IsoChangeRequest>> {
    Ok(q::change_requests_in(
        conn,
        document_ids,
        &[
            ChangeRequestState::Open.as_str(),
            ChangeRequestState::Accepted.as_str(),
        ],
    )?)
}

/// The stamp a version must carry wherever its file or text is served: the obsolete
/// stamp ("TÀI LIỆU LỖI THỜI") for a superseded or withdrawn ISO revision, whatever
/// stamp the request asked for; None otherwise (legal versions included).
pub fn required_stamp(conn: &mut Conn, version_id: &str) -> ApiResult<Option<ObsoleteStamp>> {
    match q::find_revision(conn, version_id)? {
        Some(rev) => stamp_for(conn, &rev),
        None => Ok(None),
    }
}

/// What the PDF stamp of a controlled copy prints.
pub fn controlled_copy_stamp(conn: &mut Conn, copy_id: &str) -> ApiResult<ControlledCopyStamp> {
    let c = q::get_copy(conn, copy_id)?;
    let doc = db::documents::get(conn, &c.document_id)?;
    let rev = q::get_revision(conn, &c.version_id)?;
    Ok(ControlledCopyStamp {
        copy_no: c.copy_no,
        recipient: c.recipient_name,
        iso_code: doc.iso_code.unwrap_or_default(),
        revision: rev
            .revision_no
            .map(rules::revision_label)
            .unwrap_or_default(),
    })
}
