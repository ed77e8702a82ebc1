//! ISO 9001 document control (clause 7.5): quality documents with their control
//! metadata, change requests, the revision workflow (review, approval, issue),
//! controlled copies and their recall, read-and-understood acknowledgements, periodic
//! review, and the compliance report.
//!
//! A quality document is a document whose kind starts with `iso_`; its revisions are its
//! versions, each with a control state in `iso_revisions`. The state changes follow
//! `domain::iso`, which is where "exactly one current revision" is decided. Every change
//! appends an audit entry on the document (so the search index follows it too).

use crate::db::Tx;
use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::documents::{self as docs, double_option, resolve_org_unit, CreateDocumentRequest};
use super::versions::{self as versions, NewVersion, Upload};
use super::{clean_opt, clean_text, state_of, Caller};
use crate::auth::Action;
use crate::db::audit::{self, Actor, Event};
use crate::db::models::{
    Acknowledgement, ControlledCopy, Document, DocumentChanges, IsoChangeRequest,
    IsoChangeRequestChanges, IsoDistributionRow, IsoDocument, IsoDocumentChanges, IsoReviewComment,
    IsoRevision, IsoRevisionChanges, User, Version,
};
use crate::db::{self, iso as q, Conn};
use crate::domain::diff::{diff_lines, DiffLine, DiffOp};
use crate::domain::iso::{
    self as rules, CopyView, ObsoleteStamp, Recipient, RevisionEvent, RevisionView,
};
use crate::domain::kinds::{
    ChangeRequestOrigin, ChangeRequestState, DocumentKind, DocumentState, ReviewOutcome,
    RevisionState,
};
use crate::error::{ApiResult, AppError};

/// Review period given to a quality document registered without one.
pub const DEFAULT_REVIEW_PERIOD_MONTHS: i32 = 12;

fn guard(name: &str, detail: impl Into<String>) -> AppError {
    AppError::Conflict {
        guard: Some(name.to_owned()),
        detail: detail.into(),
    }
}

fn parse<T: std::str::FromStr<Err = String>>(s: &str) -> ApiResult<T> {
    s.parse().map_err(AppError::internal)
}

fn is_iso(doc: &Document) -> bool {
    doc.kind.starts_with("iso_")
}

// ---------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------

/// A recipient of controlled copies: an org unit (id or code) or a person (id or username).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RecipientRequest {
    pub org_unit: Option<String>,
    pub user: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateIsoDocumentRequest {
    /// One of the `iso_` kinds.
    pub kind: DocumentKind,
    /// e.g. `QT-TP-01`; unique among quality documents.
    pub iso_code: String,
    pub title: String,
    /// The owner agency (org unit id or code); its ISO controller controls the document.
    pub owner: String,
    pub field: Option<String>,
    /// Months between periodic reviews (1 to 60); default 12.
    pub review_period_months: Option<i32>,
    /// Years the obsolete revisions and records are kept; absent or null: permanently.
    pub retention_years: Option<i32>,
    /// For a form or an instruction: the procedure that uses it.
    pub parent_id: Option<String>,
    /// Who receives a controlled copy of each issued revision.
    #[serde(default)]
    pub distribution: Vec<RecipientRequest>,
    /// The first draft revision: its label, text and change summary (optional).
    pub label: Option<String>,
    pub body: Option<String>,
    pub change_summary: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateIsoDocumentRequest {
    pub owner: Option<String>,
    pub review_period_months: Option<i32>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>)]
    pub retention_years: Option<Option<i32>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub parent_id: Option<Option<String>>,
    /// Replaces the list. While a revision is current, new recipients get a copy at once
    /// and copies of recipients taken off the list are recalled.
    pub distribution: Option<Vec<RecipientRequest>>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueRequest {
    /// The day the revision takes effect (default today); not in the future, not
    /// before the current revision's.
    pub effective_from: Option<NaiveDate>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RaiseChangeRequest {
    /// Why the document must change.
    pub reason: String,
    /// What should change, if the requester knows.
    pub proposed_change: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptChangeRequest {
    pub note: Option<String>,
    /// Label of the revision draft it opens.
    pub label: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentRequest {
    pub body: String,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcknowledgeRequest {
    /// The revision the reader read; refused if it is no longer the current one.
    pub version_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    pub outcome: ReviewOutcome,
    /// Required when a change is needed: it becomes the change request's reason.
    pub note: Option<String>,
}

// ---------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitRef {
    pub id: String,
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserRef {
    pub id: String,
    pub username: String,
    pub display_name: String,
}

fn user_ref(u: &User) -> UserRef {
    UserRef {
        id: u.id.clone(),
        username: u.username.clone(),
        display_name: u.display_name.clone(),
    }
}

/// One entry of a distribution list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecipientResponse {
    pub org_unit: Option<UnitRef>,
    pub user: Option<UserRef>,
    /// As printed on a controlled copy.
    pub name: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IsoDocumentRef {
    pub id: String,
    pub kind: DocumentKind,
    pub iso_code: Option<String>,
    pub title: String,
}

fn doc_ref(d: &Document) -> ApiResult<IsoDocumentRef> {
    Ok(IsoDocumentRef {
        id: d.id.clone(),
        kind: parse(&d.kind)?,
        iso_code: d.iso_code.clone(),
        title: d.title.clone(),
    })
}

/// A revision with its control state.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IsoRevisionResponse {
    pub version_id: String,
    pub document_id: String,
    pub seq: i32,
    pub label: String,
    pub state: RevisionState,
    pub state_label_vi: &'static str,
    pub is_current: bool,
    /// 3 for "Lần ban hành 03"; assigned when issued.
    pub revision_no: Option<i32>,
    pub revision_label: Option<String>,
    /// What changed in this revision.
    pub change_summary: Option<String>,
    pub author_id: Option<String>,
    #[serde(with = "crate::service::timestamp::utc_option")]
    pub submitted_at: Option<NaiveDateTime>,
    #[serde(with = "crate::service::timestamp::utc_option")]
    pub approved_at: Option<NaiveDateTime>,
    pub approved_by: Option<String>,
    #[serde(with = "crate::service::timestamp::utc_option")]
    pub issued_at: Option<NaiveDateTime>,
    pub issued_by: Option<String>,
    pub effective_from: Option<NaiveDate>,
    #[serde(with = "crate::service::timestamp::utc_option")]
    pub superseded_at: Option<NaiveDateTime>,
    /// The version that replaced it.
    pub superseded_by: Option<String>,
    #[serde(with = "crate::service::timestamp::utc_option")]
    pub withdrawn_at: Option<NaiveDateTime>,
    pub withdrawal_reason: Option<String>,
    /// The change request that opened it.
    pub change_request_id: Option<String>,
    /// Present exactly when the revision is obsolete: it must be served with this stamp.
    pub obsolete_stamp: Option<ObsoleteStamp>,
    pub row_version: i32,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IsoDocumentResponse {
    pub id: String,
    pub kind: DocumentKind,
    pub kind_label_vi: &'static str,
    pub iso_code: Option<String>,
    pub title: String,
    pub field: Option<String>,
    /// The document's own state: `published` once first issued, `withdrawn` at the end.
    pub document_state: DocumentState,
    pub owner: UnitRef,
    pub review_period_months: i32,
    /// Null: kept permanently.
    pub retention_years: Option<i32>,
    pub next_review_on: Option<NaiveDate>,
    pub last_reviewed_on: Option<NaiveDate>,
    pub review_overdue: bool,
    /// The procedure a form or instruction belongs to.
    pub parent: Option<IsoDocumentRef>,
    /// The forms and instructions attached to this procedure.
    pub attachments: Vec<IsoDocumentRef>,
    /// The revision in use; null before the first issue and after withdrawal.
    pub current_revision: Option<IsoRevisionResponse>,
    /// A revision being prepared (draft, in review or approved), if any.
    pub open_revision: Option<IsoRevisionResponse>,
    pub distribution: Vec<RecipientResponse>,
    pub row_version: i32,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChangeRequestResponse {
    pub id: String,
    pub document_id: String,
    /// Numbered per document.
    pub seq: i32,
    pub origin: ChangeRequestOrigin,
    pub reason: String,
    pub proposed_change: Option<String>,
    pub state: ChangeRequestState,
    pub state_label_vi: &'static str,
    pub raised_by: Option<String>,
    #[serde(with = "crate::service::timestamp::utc")]
    pub raised_at: NaiveDateTime,
    pub decided_by: Option<String>,
    #[serde(with = "crate::service::timestamp::utc_option")]
    pub decided_at: Option<NaiveDateTime>,
    pub decision_note: Option<String>,
    /// The revision draft an accepted request opened.
    pub revision_version_id: Option<String>,
    pub row_version: i32,
}

impl ChangeRequestResponse {
    pub fn from_row(c: IsoChangeRequest) -> ApiResult<Self> {
        let state: ChangeRequestState = parse(&c.state)?;
        Ok(ChangeRequestResponse {
            origin: parse(&c.origin)?,
            state_label_vi: state.label_vi(),
            state,
            id: c.id,
            document_id: c.document_id,
            seq: c.seq,
            reason: c.reason,
            proposed_change: c.proposed_change,
            raised_by: c.raised_by,
            raised_at: c.raised_at,
            decided_by: c.decided_by,
            decided_at: c.decided_at,
            decision_note: c.decision_note,
            revision_version_id: c.revision_version_id,
            row_version: c.row_version,
        })
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ControlledCopyResponse {
    pub id: String,
    pub document_id: String,
    pub version_id: String,
    pub revision_label: Option<String>,
    /// "Bản sao kiểm soát số N", numbered per revision.
    pub copy_no: i32,
    pub recipient_unit_id: Option<String>,
    pub recipient_user_id: Option<String>,
    pub recipient_name: String,
    #[serde(with = "crate::service::timestamp::utc")]
    pub issued_at: NaiveDateTime,
    #[serde(with = "crate::service::timestamp::utc_option")]
    pub recall_requested_at: Option<NaiveDateTime>,
    #[serde(with = "crate::service::timestamp::utc_option")]
    pub withdrawn_at: Option<NaiveDateTime>,
    pub withdrawal_confirmed_by: Option<String>,
    /// Asked back and not returned yet.
    pub outstanding: bool,
    pub row_version: i32,
}

fn copy_response(c: ControlledCopy, labels: &HashMap<String, String>) -> ControlledCopyResponse {
    ControlledCopyResponse {
        revision_label: labels.get(&c.version_id).cloned(),
        outstanding: c.recall_requested_at.is_some() && c.withdrawn_at.is_none(),
        id: c.id,
        document_id: c.document_id,
        version_id: c.version_id,
        copy_no: c.copy_no,
        recipient_unit_id: c.recipient_unit_id,
        recipient_user_id: c.recipient_user_id,
        recipient_name: c.recipient_name,
        issued_at: c.issued_at,
        recall_requested_at: c.recall_requested_at,
        withdrawn_at: c.withdrawn_at,
        withdrawal_confirmed_by: c.withdrawal_confirmed_by,
        row_version: c.row_version,
    }
}

/// What a PDF stamp of a controlled copy needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ControlledCopyStamp {
    pub copy_no: i32,
    pub recipient: String,
    pub iso_code: String,
    pub revision: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewCommentResponse {
    pub id: String,
    pub version_id: String,
    pub author_id: Option<String>,
    pub author_name: String,
    pub body: String,
    #[serde(with = "crate::service::timestamp::utc")]
    pub created_at: NaiveDateTime,
}

impl From<IsoReviewComment> for ReviewCommentResponse {
    fn from(c: IsoReviewComment) -> Self {
        ReviewCommentResponse {
            id: c.id,
            version_id: c.version_id,
            author_id: c.author_id,
            author_name: c.author_name,
            body: c.body,
            created_at: c.created_at,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AcknowledgedBy {
    pub user: UserRef,
    #[serde(with = "crate::service::timestamp::utc")]
    pub acknowledged_at: NaiveDateTime,
}

/// Who has read and understood the current revision, and who has not.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AcknowledgementsResponse {
    pub document_id: String,
    /// Null when nothing is current: nothing to acknowledge.
    pub version_id: Option<String>,
    pub revision_label: Option<String>,
    pub acknowledged: Vec<AcknowledgedBy>,
    pub missing: Vec<UserRef>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AcknowledgementResponse {
    pub document_id: String,
    pub version_id: String,
    pub user_id: String,
    #[serde(with = "crate::service::timestamp::utc")]
    pub acknowledged_at: NaiveDateTime,
}

impl From<Acknowledgement> for AcknowledgementResponse {
    fn from(a: Acknowledgement) -> Self {
        AcknowledgementResponse {
            document_id: a.document_id,
            version_id: a.version_id,
            user_id: a.user_id,
            acknowledged_at: a.acknowledged_at,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DueReviewResponse {
    pub document: IsoDocumentRef,
    pub owner: UnitRef,
    pub next_review_on: NaiveDate,
    pub last_reviewed_on: Option<NaiveDate>,
    /// Negative when overdue.
    pub days_left: i64,
    pub overdue: bool,
    /// A change request still open on the document (a review may have raised it).
    pub open_change_request_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewResponse {
    pub document: IsoDocumentResponse,
    pub outcome: ReviewOutcome,
    /// The change request a review that found a change needed raised.
    pub change_request: Option<ChangeRequestResponse>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DiffResponse {
    /// Null when there is no earlier revision: the diff is against an empty text.
    pub from_version_id: Option<String>,
    pub to_version_id: String,
    pub added: usize,
    pub removed: usize,
    pub lines: Vec<DiffLine>,
}

/// One measure of one agency in the compliance report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ComplianceRow {
    pub owner_code: String,
    pub owner_name: String,
    /// `documents_current`, `reviews_due`, `reviews_overdue`, `copies_current`,
    /// `copies_not_withdrawn`, `acknowledgements_missing`, `change_requests_open`.
    pub measure: String,
    pub value: i64,
    /// The clause of TCVN ISO 9001:2015 the measure answers, e.g. `7.5.3.2 c)`.
    pub clause: String,
    pub requirement: String,
    pub requirement_vi: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ComplianceReport {
    pub as_of: NaiveDate,
    /// A review due within this many days counts as due.
    pub within_days: i64,
    pub rows: Vec<ComplianceRow>,
}

// ---------------------------------------------------------------------------------
// Loading and permissions
// ---------------------------------------------------------------------------------

/// A quality document the caller may see, with its control metadata.
fn load(conn: &mut Conn, caller: Option<&Caller>, id: &str) -> ApiResult<(Document, IsoDocument)> {
    let doc = docs::get(conn, caller, id)?;
    if !is_iso(&doc) {
        return Err(AppError::NotFound);
    }
    let iso = q::find_document(conn, id)?.ok_or(AppError::NotFound)?;
    Ok((doc, iso))
}

/// The ISO controller of the owner agency, or of a unit above it.
fn require_owner(caller: &Caller, iso: &IsoDocument) -> ApiResult<()> {
    caller.require(Action::ControlIsoDocuments)?;
    if caller.org_chain.iter().any(|u| u == &iso.owner_unit_id) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "only the ISO controller of the owner agency controls this document".into(),
        ))
    }
}

/// The caller controls this quality document (for its `based_on` relations).
pub fn require_controller_of(conn: &mut Conn, caller: &Caller, doc: &Document) -> ApiResult<()> {
    let iso = match is_iso(doc) {
        true => q::find_document(conn, &doc.id)?,
        false => None,
    };
    match iso {
        Some(iso) => require_owner(caller, &iso),
        None => Err(AppError::Forbidden(
            "an ISO controller records the legal basis of quality documents only".into(),
        )),
    }
}

fn ensure_in_use(doc: &Document) -> ApiResult<()> {
    if state_of(doc)? == DocumentState::Withdrawn {
        return Err(guard(
            "withdrawn_is_final",
            "the document was withdrawn from use",
        ));
    }
    Ok(())
}

fn view(r: &IsoRevision) -> ApiResult<RevisionView> {
    Ok(RevisionView {
        id: r.version_id.clone(),
        state: parse(&r.state)?,
        revision_no: r.revision_no,
        effective_from: r.effective_from,
    })
}

fn views(revs: &[IsoRevision]) -> ApiResult<Vec<RevisionView>> {
    revs.iter().map(view).collect()
}

fn copy_view(c: &ControlledCopy) -> CopyView {
    CopyView {
        id: c.id.clone(),
        version_id: c.version_id.clone(),
        recipient: match (&c.recipient_unit_id, &c.recipient_user_id) {
            (Some(u), _) => Recipient::Unit(u.clone()),
            (None, Some(u)) => Recipient::User(u.clone()),
            (None, None) => Recipient::Unit(String::new()),
        },
        recall_requested: c.recall_requested_at.is_some(),
        withdrawn: c.withdrawn_at.is_some(),
    }
}

/// A revision, its version and its document (visible to the caller), and the metadata.
fn load_revision(
    conn: &mut Conn,
    caller: Option<&Caller>,
    version_id: &str,
) -> ApiResult<(IsoRevision, Version, Document, IsoDocument)> {
    let rev = q::get_revision(conn, version_id)?;
    let (doc, iso) = load(conn, caller, &rev.document_id)?;
    let v = db::versions::get(conn, version_id)?;
    Ok((rev, v, doc, iso))
}

fn check_row_version(actual: i32, expected: i32) -> ApiResult<()> {
    if actual == expected {
        Ok(())
    } else {
        Err(AppError::PreconditionFailed)
    }
}

fn audit_doc(
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

// ---------------------------------------------------------------------------------
// Building responses
// ---------------------------------------------------------------------------------

/// The obsolete stamp of a revision, with the day it became obsolete and what replaced it.
fn stamp_for(conn: &mut Conn, rev: &IsoRevision) -> ApiResult<Option<ObsoleteStamp>> {
    let state: RevisionState = parse(&rev.state)?;
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

pub fn revision_response(
    conn: &mut Conn,
    rev: IsoRevision,
    v: &Version,
) -> ApiResult<IsoRevisionResponse> {
    let state: RevisionState = parse(&rev.state)?;
    let obsolete_stamp = stamp_for(conn, &rev)?;
    let change_request_id = q::change_request_of_revision(conn, &rev.version_id)?.map(|c| c.id);
    Ok(IsoRevisionResponse {
        version_id: rev.version_id,
        document_id: rev.document_id,
        seq: v.seq,
        label: v.label.clone(),
        state_label_vi: state.label_vi(),
        is_current: state == RevisionState::Current,
        state,
        revision_label: rev.revision_no.map(rules::revision_label),
        revision_no: rev.revision_no,
        change_summary: v.change_summary.clone(),
        author_id: v.author_id.clone(),
        submitted_at: rev.submitted_at,
        approved_at: v.approved_at,
        approved_by: v.approved_by.clone(),
        issued_at: rev.issued_at,
        issued_by: rev.issued_by,
        effective_from: rev.effective_from,
        superseded_at: rev.superseded_at,
        superseded_by: rev.superseded_by,
        withdrawn_at: rev.withdrawn_at,
        withdrawal_reason: rev.withdrawal_reason,
        change_request_id,
        obsolete_stamp,
        row_version: rev.row_version,
    })
}

fn unit_ref(conn: &mut Conn, id: &str) -> ApiResult<UnitRef> {
    let u = db::org_units::get(conn, id)?;
    Ok(UnitRef {
        id: u.id,
        code: u.code,
        name: u.name,
    })
}

fn distribution_response(
    conn: &mut Conn,
    rows: &[IsoDistributionRow],
) -> ApiResult<Vec<RecipientResponse>> {
    let unit_ids: Vec<String> = rows
        .iter()
        .filter_map(|r| r.recipient_unit_id.clone())
        .collect();
    let user_ids: Vec<String> = rows
        .iter()
        .filter_map(|r| r.recipient_user_id.clone())
        .collect();
    let units: HashMap<String, _> = q::units_by_ids(conn, &unit_ids)?
        .into_iter()
        .map(|u| (u.id.clone(), u))
        .collect();
    let users: HashMap<String, _> = q::users_by_ids(conn, &user_ids)?
        .into_iter()
        .map(|u| (u.id.clone(), u))
        .collect();
    Ok(rows
        .iter()
        .map(|r| {
            let unit = r.recipient_unit_id.as_ref().and_then(|i| units.get(i));
            let user = r.recipient_user_id.as_ref().and_then(|i| users.get(i));
            RecipientResponse {
                name: unit
                    .map(|u| u.name.clone())
                    .or_else(|| user.map(|u| u.display_name.clone()))
                    .unwrap_or_default(),
                org_unit: unit.map(|u| UnitRef {
                    id: u.id.clone(),
                    code: u.code.clone(),
                    name: u.name.clone(),
                }),
                user: user.map(user_ref),
            }
        })
        .collect())
}

pub fn document_response(
    conn: &mut Conn,
    doc: &Document,
    iso: &IsoDocument,
    today: NaiveDate,
) -> ApiResult<IsoDocumentResponse> {
    use crate::db::schema::iso_documents;
    use diesel::prelude::*;
    let kind: DocumentKind = parse(&doc.kind)?;
    let revs = q::revisions(conn, &doc.id)?;
    let mut current = None;
    let mut open = None;
    for r in revs {
        let state: RevisionState = parse(&r.state)?;
        let v = db::versions::get(conn, &r.version_id)?;
        match state {
            RevisionState::Current => current = Some(revision_response(conn, r, &v)?),
            RevisionState::Draft | RevisionState::InReview | RevisionState::Approved => {
                open = Some(revision_response(conn, r, &v)?)
            }
            _ => {}
        }
    }
    let parent = match &iso.parent_id {
        Some(p) => Some(doc_ref(&db::documents::get(conn, p)?)?),
        None => None,
    };
    let child_ids: Vec<String> = iso_documents::table
        .filter(iso_documents::parent_id.eq(&doc.id))
        .select(iso_documents::document_id)
        .load(conn)
        .map_err(db::DbError::from)?;
    let mut attachments = vec![];
    for c in child_ids {
        attachments.push(doc_ref(&db::documents::get(conn, &c)?)?);
    }
    let rows = q::distribution(conn, &doc.id)?;
    Ok(IsoDocumentResponse {
        id: doc.id.clone(),
        kind,
        kind_label_vi: kind.label_vi(),
        iso_code: doc.iso_code.clone(),
        title: doc.title.clone(),
        field: doc.field.clone(),
        document_state: state_of(doc)?,
        owner: unit_ref(conn, &iso.owner_unit_id)?,
        review_period_months: iso.review_period_months,
        retention_years: iso.retention_years,
        next_review_on: iso.next_review_on,
        last_reviewed_on: iso.last_reviewed_on,
        review_overdue: iso.next_review_on.is_some_and(|d| d < today) && current.is_some(),
        parent,
        attachments,
        current_revision: current,
        open_revision: open,
        distribution: distribution_response(conn, &rows)?,
        row_version: iso.row_version,
    })
}

// ---------------------------------------------------------------------------------
// Hooks from the generic document and version use cases
// ---------------------------------------------------------------------------------

/// A quality document created through `POST /documents` comes under control with the
/// defaults: owned by its issuer, reviewed every 12 months, kept permanently.
pub fn register_defaults(conn: &mut Tx<'_>, actor: &Actor, doc: &Document) -> ApiResult<()> {
    let owner = doc
        .issuer_id
        .clone()
        .ok_or_else(|| AppError::invalid("issuer", "a quality document needs its owner agency"))?;
    let now = db::now();
    q::insert_document(
        conn,
        &IsoDocument {
            document_id: doc.id.clone(),
            owner_unit_id: owner.clone(),
            review_period_months: DEFAULT_REVIEW_PERIOD_MONTHS,
            retention_years: None,
            next_review_on: None,
            last_reviewed_on: None,
            parent_id: None,
            created_at: now,
            updated_at: now,
            row_version: 1,
        },
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

/// Before a version is added to a quality document: one revision open at a time.
pub fn before_new_revision(conn: &mut Conn, doc: &Document) -> ApiResult<()> {
    if !is_iso(doc) {
        return Ok(());
    }
    let revs = q::revisions(conn, &doc.id)?;
    Ok(rules::check_can_open_revision(&views(&revs)?)?)
}

/// Every version of a quality document is a revision, born a draft.
pub fn record_new_revision(conn: &mut Conn, doc: &Document, v: &Version) -> ApiResult<()> {
    if !is_iso(doc) {
        return Ok(());
    }
    let now = db::now();
    q::insert_revision(
        conn,
        &IsoRevision {
            version_id: v.id.clone(),
            document_id: doc.id.clone(),
            state: RevisionState::Draft.as_str().to_owned(),
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
        let state: RevisionState = parse(&rev.state)?;
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
    q::find_revision(conn, version_id)?
        .map(|r| parse(&r.state))
        .transpose()
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
    if !is_iso(doc) {
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
                state: Some(to.as_str().to_owned()),
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
    let open = q::change_requests_in(
        conn,
        std::slice::from_ref(&doc.id),
        &[
            ChangeRequestState::Open.as_str(),
            ChangeRequestState::Accepted.as_str(),
        ],
    )?;
    for c in open {
        set_change_request_state(conn, actor, &c, ChangeRequestState::Cancelled, Some(reason))?;
    }
    Ok(())
}

fn set_change_request_state(
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
            state: Some(to.as_str().to_owned()),
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
            from_state: Some(&c.state),
            to_state: Some(to.as_str()),
            reason,
            details: Some(serde_json::json!({"change_request_id": c.id, "seq": c.seq})),
        },
    )?;
    Ok(updated)
}

/// Asks back every copy of the document that is not of `current` and still out.
fn recall(
    conn: &mut Tx<'_>,
    actor: &Actor,
    doc: &Document,
    current: Option<&str>,
) -> ApiResult<usize> {
    let copies: Vec<CopyView> = q::copies(conn, &doc.id)?.iter().map(copy_view).collect();
    let ids = rules::copies_to_recall(&copies, current);
    let n = q::request_recall(conn, &ids, db::now())?;
    if n > 0 {
        audit_doc(
            conn,
            actor,
            "iso.copies.recall",
            &doc.id,
            None,
            None,
            serde_json::json!({"copy_ids": ids}),
        )?;
    }
    Ok(n)
}

// ---------------------------------------------------------------------------------
// Quality documents
// ---------------------------------------------------------------------------------

fn resolve_user(conn: &mut Conn, key: &str) -> ApiResult<User> {
    if let Ok(u) = db::users::get(conn, key) {
        return Ok(u);
    }
    db::users::by_username(conn, key)?
        .ok_or_else(|| AppError::invalid("distribution", format!("no account {key:?}")))
}

fn resolve_distribution(
    conn: &mut Conn,
    document_id: &str,
    list: &[RecipientRequest],
) -> ApiResult<Vec<IsoDistributionRow>> {
    if list.len() > 500 {
        return Err(AppError::invalid("distribution", "at most 500 recipients"));
    }
    let mut rows: Vec<IsoDistributionRow> = vec![];
    let now = db::now();
    for (i, r) in list.iter().enumerate() {
        let (unit, user) = match (&r.org_unit, &r.user) {
            (Some(u), None) => (Some(resolve_org_unit(conn, "distribution", u)?), None),
            (None, Some(u)) => (None, Some(resolve_user(conn, u)?.id)),
            _ => {
                return Err(AppError::invalid(
                    format!("distribution[{i}]"),
                    "give either org_unit or user",
                ))
            }
        };
        let dup = rows
            .iter()
            .any(|x| x.recipient_unit_id == unit && x.recipient_user_id == user);
        if !dup {
            rows.push(IsoDistributionRow {
                id: db::new_id(),
                document_id: document_id.to_owned(),
                ord: rows.len() as i32 + 1,
                recipient_unit_id: unit,
                recipient_user_id: user,
                created_at: now,
            });
        }
    }
    Ok(rows)
}

fn recipients_of(rows: &[IsoDistributionRow]) -> Vec<Recipient> {
    rows.iter()
        .filter_map(|r| match (&r.recipient_unit_id, &r.recipient_user_id) {
            (Some(u), _) => Some(Recipient::Unit(u.clone())),
            (None, Some(u)) => Some(Recipient::User(u.clone())),
            _ => None,
        })
        .collect()
}

fn check_parent(conn: &mut Conn, kind: DocumentKind, parent_id: &str) -> ApiResult<String> {
    if !matches!(kind, DocumentKind::IsoForm | DocumentKind::IsoInstruction) {
        return Err(AppError::invalid(
            "parent_id",
            "only forms and instructions are attached to a procedure",
        ));
    }
    let parent = db::documents::get(conn, parent_id)
        .map_err(|_| AppError::invalid("parent_id", "no such document"))?;
    if parent.kind != DocumentKind::IsoProcedure.as_str() {
        return Err(AppError::invalid("parent_id", "must be an ISO procedure"));
    }
    Ok(parent.id)
}

fn ensure_code_free(conn: &mut Conn, code: &str, except: Option<&str>) -> ApiResult<()> {
    let clash = q::documents_with_code(conn, code)?
        .into_iter()
        .any(|d| Some(d.id.as_str()) != except);
    if clash {
        return Err(guard(
            "iso_code_unique",
            format!("{code} is already the code of another quality document"),
        ));
    }
    Ok(())
}

/// Registers a quality document with its control metadata, and its first draft if a
/// text is given.
pub fn create(
    conn: &mut Tx<'_>,
    caller: &Caller,
    req: &CreateIsoDocumentRequest,
) -> ApiResult<Document> {
    caller.require(Action::ControlIsoDocuments)?;
    if !req.kind.is_iso() {
        return Err(AppError::invalid("kind", "one of the iso_ kinds"));
    }
    let code = rules::parse_iso_code(&req.iso_code)?;
    let owner = resolve_org_unit(conn, "owner", &req.owner)?;
    let review_period = req
        .review_period_months
        .unwrap_or(DEFAULT_REVIEW_PERIOD_MONTHS);
    rules::check_review_period(review_period)?;
    rules::check_retention(req.retention_years)?;
    let parent_id = match &req.parent_id {
        Some(p) => Some(check_parent(conn, req.kind, p)?),
        None => None,
    };
    let now = db::now();
    let probe = IsoDocument {
        document_id: String::new(),
        owner_unit_id: owner.clone(),
        review_period_months: review_period,
        retention_years: req.retention_years,
        next_review_on: None,
        last_reviewed_on: None,
        parent_id,
        created_at: now,
        updated_at: now,
        row_version: 1,
    };
    require_owner(caller, &probe)?;
    ensure_code_free(conn, &code, None)?;
    let doc = docs::new_document(
        conn,
        &CreateDocumentRequest {
            kind: req.kind,
            number: None,
            title: req.title.clone(),
            issuer: Some(owner.clone()),
            field: req.field.clone(),
            signer: None,
            signed_on: None,
            published_on: None,
            effective_from: None,
            effective_until: None,
            external: false,
            iso_code: Some(code),
            iso_revision: None,
        },
        Some(caller.user_id.clone()),
    )?;
    let actor = caller.actor();
    let doc = docs::insert_audited(conn, &actor, &doc)?;
    let iso = q::insert_document(
        conn,
        &IsoDocument {
            document_id: doc.id.clone(),
            ..probe
        },
    )?;
    let rows = resolve_distribution(conn, &doc.id, &req.distribution)?;
    q::replace_distribution(conn, &doc.id, &rows)?;
    audit_doc(
        conn,
        &actor,
        "iso.register",
        &doc.id,
        None,
        None,
        serde_json::json!({
            "owner_unit_id": iso.owner_unit_id, "review_period_months": iso.review_period_months,
            "retention_years": iso.retention_years, "parent_id": iso.parent_id,
            "recipients": rows.len(),
        }),
    )?;
    if req.body.is_some() || req.label.is_some() {
        let body = match req.body.as_deref() {
            Some(b) => Some(clean_text("body", b, versions::MAX_BODY_CHARS)?),
            None => None,
        };
        versions::insert_version(
            conn,
            &actor,
            &doc,
            NewVersion {
                label: clean_opt("label", req.label.as_deref(), 200)?,
                body,
                change_summary: clean_opt("change_summary", req.change_summary.as_deref(), 10_000)?,
                ..Default::default()
            },
        )?;
    }
    Ok(doc)
}

pub fn get(
    conn: &mut Conn,
    caller: &Caller,
    id: &str,
    today: NaiveDate,
) -> ApiResult<IsoDocumentResponse> {
    caller.require(Action::ReadIsoRecords)?;
    let (doc, iso) = load(conn, Some(caller), id)?;
    document_response(conn, &doc, &iso, today)
}

/// Quality documents the caller may see, by code; optionally of one owner.
pub fn list(
    conn: &mut Conn,
    caller: &Caller,
    owner: Option<&str>,
    today: NaiveDate,
) -> ApiResult<Vec<IsoDocumentResponse>> {
    caller.require(Action::ReadIsoRecords)?;
    let owners = match owner {
        Some(o) => Some(vec![resolve_org_unit(conn, "owner", o)?]),
        None => None,
    };
    let mut out = vec![];
    for iso in q::list_documents(conn, owners.as_deref())? {
        let doc = db::documents::get(conn, &iso.document_id)?;
        if super::can_see(Some(caller), &doc) {
            out.push(document_response(conn, &doc, &iso, today)?);
        }
    }
    out.sort_by(|a, b| a.iso_code.cmp(&b.iso_code).then(a.id.cmp(&b.id)));
    Ok(out)
}

/// Issues copies of the current revision to recipients without one, and recalls the
/// copies of recipients taken off the list.
fn reconcile_copies(
    conn: &mut Tx<'_>,
    actor: &Actor,
    user_id: Option<&str>,
    doc: &Document,
    current: &str,
) -> ApiResult<(usize, usize)> {
    let list = recipients_of(&q::distribution(conn, &doc.id)?);
    let of_current: Vec<CopyView> = q::copies(conn, &doc.id)?
        .iter()
        .filter(|c| c.version_id == current)
        .map(copy_view)
        .collect();
    let plan = rules::plan_distribution(&list, &of_current);
    let now = db::now();
    let first_no = q::max_copy_no(conn, current)? + 1;
    let mut issued = vec![];
    for (next, r) in (first_no..).zip(plan.issue.iter()) {
        let (unit, user, name) = match r {
            Recipient::Unit(u) => (Some(u.clone()), None, db::org_units::get(conn, u)?.name),
            Recipient::User(u) => (None, Some(u.clone()), db::users::get(conn, u)?.display_name),
        };
        let c = q::insert_copy(
            conn,
            &ControlledCopy {
                id: db::new_id(),
                document_id: doc.id.clone(),
                version_id: current.to_owned(),
                copy_no: next,
                recipient_unit_id: unit,
                recipient_user_id: user,
                recipient_name: name,
                issued_at: now,
                issued_by: user_id.map(str::to_owned),
                recall_requested_at: None,
                withdrawn_at: None,
                withdrawal_confirmed_by: None,
                row_version: 1,
            },
        )?;
        issued.push(serde_json::json!({"copy_id": c.id, "copy_no": c.copy_no, "recipient": c.recipient_name}));
    }
    if !issued.is_empty() {
        audit_doc(
            conn,
            actor,
            "iso.copies.issue",
            &doc.id,
            None,
            None,
            serde_json::json!({"version_id": current, "copies": issued}),
        )?;
    }
    let recalled = q::request_recall(conn, &plan.recall, now)?;
    if recalled > 0 {
        audit_doc(
            conn,
            actor,
            "iso.copies.recall",
            &doc.id,
            None,
            None,
            serde_json::json!({"copy_ids": plan.recall, "why": "taken off the distribution list"}),
        )?;
    }
    Ok((issued.len(), recalled))
}

pub fn update(
    conn: &mut Tx<'_>,
    caller: &Caller,
    id: &str,
    expected_version: i32,
    req: &UpdateIsoDocumentRequest,
) -> ApiResult<(Document, IsoDocument)> {
    let (doc, iso) = load(conn, Some(caller), id)?;
    require_owner(caller, &iso)?;
    ensure_in_use(&doc)?;
    check_row_version(iso.row_version, expected_version)?;
    let kind: DocumentKind = parse(&doc.kind)?;
    let mut ch = IsoDocumentChanges::default();
    if let Some(o) = &req.owner {
        let owner = resolve_org_unit(conn, "owner", o)?;
        // Handing a document to another agency is the current owner's decision, and the
        // new owner must be one the caller controls too, or nobody could take it back.
        require_owner(
            caller,
            &IsoDocument {
                owner_unit_id: owner.clone(),
                ..iso.clone()
            },
        )?;
        ch.owner_unit_id = Some(owner);
    }
    if let Some(m) = req.review_period_months {
        rules::check_review_period(m)?;
        ch.review_period_months = Some(m);
        // The next review moves with the period, counted from the last review or issue.
        let from = iso
            .last_reviewed_on
            .or(q::current_revision(conn, id)?.and_then(|c| c.effective_from));
        if let Some(from) = from {
            ch.next_review_on = Some(rules::next_review(from, m));
        }
    }
    if let Some(r) = req.retention_years {
        rules::check_retention(r)?;
        ch.retention_years = Some(r);
    }
    if let Some(p) = &req.parent_id {
        ch.parent_id = Some(match p {
            Some(p) => Some(check_parent(conn, kind, p)?),
            None => None,
        });
    }
    let rows = match &req.distribution {
        Some(list) => Some(resolve_distribution(conn, id, list)?),
        None => None,
    };
    let updated = q::update_document(conn, id, expected_version, &ch)?;
    let actor = caller.actor();
    audit_doc(
        conn,
        &actor,
        "iso.update",
        id,
        None,
        None,
        serde_json::json!({
            "owner_unit_id": updated.owner_unit_id, "review_period_months": updated.review_period_months,
            "retention_years": updated.retention_years, "parent_id": updated.parent_id,
            "next_review_on": updated.next_review_on,
            "recipients": rows.as_ref().map(Vec::len),
        }),
    )?;
    if let Some(rows) = rows {
        q::replace_distribution(conn, id, &rows)?;
        if let Some(current) = q::current_revision(conn, id)? {
            reconcile_copies(
                conn,
                &actor,
                Some(&caller.user_id),
                &doc,
                &current.version_id,
            )?;
        }
    }
    Ok((doc, updated))
}

// ---------------------------------------------------------------------------------
// Revisions
// ---------------------------------------------------------------------------------

pub fn revisions(
    conn: &mut Conn,
    caller: &Caller,
    document_id: &str,
) -> ApiResult<Vec<IsoRevisionResponse>> {
    caller.require(Action::ReadIsoRecords)?;
    load(conn, Some(caller), document_id)?;
    let mut out = vec![];
    for v in db::versions::list(conn, document_id)? {
        if let Some(rev) = q::find_revision(conn, &v.id)? {
            out.push(revision_response(conn, rev, &v)?);
        }
    }
    Ok(out)
}

pub fn revision(
    conn: &mut Conn,
    caller: &Caller,
    version_id: &str,
) -> ApiResult<IsoRevisionResponse> {
    caller.require(Action::ReadIsoRecords)?;
    let (rev, v, _, _) = load_revision(conn, Some(caller), version_id)?;
    revision_response(conn, rev, &v)
}

/// One step of the revision workflow with its audit entry.
#[allow(clippy::too_many_arguments)]
fn step(
    conn: &mut Tx<'_>,
    actor: &Actor,
    rev: &IsoRevision,
    expected_version: Option<i32>,
    event: RevisionEvent,
    mut changes: IsoRevisionChanges,
    reason: Option<&str>,
    action: &str,
) -> ApiResult<IsoRevision> {
    let from: RevisionState = parse(&rev.state)?;
    let to = rules::next_state(from, event)?;
    if let Some(e) = expected_version {
        check_row_version(rev.row_version, e)?;
    }
    changes.state = Some(to.as_str().to_owned());
    let updated = q::update_revision(conn, &rev.version_id, expected_version, &changes)?;
    audit_doc(
        conn,
        actor,
        action,
        &rev.document_id,
        Some((from, to)),
        reason,
        serde_json::json!({"version_id": rev.version_id}),
    )?;
    Ok(updated)
}

/// The draft goes to review (the owner's ISO controller).
pub fn submit(
    conn: &mut Tx<'_>,
    caller: &Caller,
    version_id: &str,
    expected_version: i32,
) -> ApiResult<IsoRevisionResponse> {
    let (rev, v, doc, iso) = load_revision(conn, Some(caller), version_id)?;
    require_owner(caller, &iso)?;
    ensure_in_use(&doc)?;
    let updated = step(
        conn,
        &caller.actor(),
        &rev,
        Some(expected_version),
        RevisionEvent::Submit,
        IsoRevisionChanges {
            submitted_at: Some(Some(db::now())),
            ..Default::default()
        },
        None,
        "iso.revision.submit",
    )?;
    revision_response(conn, updated, &v)
}

/// Sends a revision under review back to draft, with the reason (the approver, or the
/// owner's ISO controller).
pub fn return_to_draft(
    conn: &mut Tx<'_>,
    caller: &Caller,
    version_id: &str,
    expected_version: i32,
    reason: &str,
) -> ApiResult<IsoRevisionResponse> {
    let (rev, v, doc, iso) = load_revision(conn, Some(caller), version_id)?;
    if caller.require(Action::ApproveVersions).is_err() {
        require_owner(caller, &iso)?;
    }
    ensure_in_use(&doc)?;
    let reason = clean_text("reason", reason, 2000)?;
    let updated = step(
        conn,
        &caller.actor(),
        &rev,
        Some(expected_version),
        RevisionEvent::Return,
        IsoRevisionChanges::default(),
        Some(&reason),
        "iso.revision.return",
    )?;
    revision_response(conn, updated, &v)
}

/// Approves a reviewed revision (an approver who is not its author); the version
/// becomes immutable.
pub fn approve(
    conn: &mut Tx<'_>,
    caller: &Caller,
    version_id: &str,
    expected_version: i32,
) -> ApiResult<IsoRevisionResponse> {
    caller.require(Action::ApproveVersions)?;
    let (rev, v, doc, _) = load_revision(conn, Some(caller), version_id)?;
    ensure_in_use(&doc)?;
    if v.author_id.as_deref() == Some(caller.user_id.as_str()) {
        return Err(guard(
            "approver_is_not_author",
            "the author of a revision may not approve it",
        ));
    }
    let updated = step(
        conn,
        &caller.actor(),
        &rev,
        Some(expected_version),
        RevisionEvent::Approve,
        IsoRevisionChanges::default(),
        None,
        "iso.revision.approve",
    )?;
    db::versions::approve(conn, version_id, &caller.user_id, db::now())?;
    if !doc.ever_approved {
        db::documents::update(
            conn,
            &doc.id,
            doc.row_version,
            &DocumentChanges {
                ever_approved: Some(true),
                ..Default::default()
            },
        )?;
    }
    let v = db::versions::get(conn, version_id)?;
    revision_response(conn, updated, &v)
}

/// Issues an approved revision: it becomes current from its effective date, the
/// previous one is superseded, the old copies are recalled and the distribution list
/// gets numbered copies of the new one, all in this transaction.
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
    issue_unchecked(
        conn,
        &caller.actor(),
        Some(&caller.user_id),
        (rev, doc, iso),
        Some(expected_version),
        req.effective_from.unwrap_or(today),
        today,
    )
}

fn issue_unchecked(
    conn: &mut Tx<'_>,
    actor: &Actor,
    user_id: Option<&str>,
    (rev, doc, iso): (IsoRevision, Document, IsoDocument),
    expected_version: Option<i32>,
    effective_from: NaiveDate,
    today: NaiveDate,
) -> ApiResult<IsoRevisionResponse> {
    ensure_in_use(&doc)?;
    let revs = q::revisions(conn, &doc.id)?;
    let plan = rules::plan_issue(&views(&revs)?, &rev.version_id, effective_from, today)?;
    if let Some(e) = expected_version {
        check_row_version(rev.row_version, e)?;
    }
    let now = db::now();
    // The revision it supersedes changes first: the database allows one current
    // revision per document, even for an instant inside this transaction.
    for change in plan.changes.iter().skip(1) {
        q::update_revision(
            conn,
            &change.id,
            None,
            &IsoRevisionChanges {
                state: Some(change.to.as_str().to_owned()),
                superseded_at: Some(Some(now)),
                superseded_by: Some(Some(rev.version_id.clone())),
                ..Default::default()
            },
        )?;
        audit_doc(
            conn,
            actor,
            "iso.revision.supersede",
            &doc.id,
            Some((change.from, change.to)),
            None,
            serde_json::json!({"version_id": change.id, "superseded_by": rev.version_id}),
        )?;
    }
    let first = plan
        .changes
        .first()
        .ok_or_else(|| AppError::internal("an issue plan without the issued revision"))?;
    let issued = q::update_revision(
        conn,
        &rev.version_id,
        expected_version,
        &IsoRevisionChanges {
            state: Some(first.to.as_str().to_owned()),
            revision_no: Some(Some(plan.revision_no)),
            issued_at: Some(Some(now)),
            issued_by: Some(user_id.map(str::to_owned)),
            effective_from: Some(Some(effective_from)),
            ..Default::default()
        },
    )?;
    let label = rules::revision_label(plan.revision_no);
    let first_issue = state_of(&doc)? == DocumentState::Drafting;
    audit_doc(
        conn,
        actor,
        "iso.revision.issue",
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
    // The document: published from its first issue, showing its current revision.
    db::documents::update(
        conn,
        &doc.id,
        doc.row_version,
        &DocumentChanges {
            iso_revision: Some(Some(label)),
            state: first_issue.then(|| DocumentState::Published.as_str().to_owned()),
            published_on: first_issue.then_some(Some(effective_from)),
            effective_from: first_issue.then_some(Some(effective_from)),
            ever_approved: Some(true),
            ..Default::default()
        },
    )?;
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
        if c.state == ChangeRequestState::Accepted.as_str() {
            set_change_request_state(conn, actor, &c, ChangeRequestState::Implemented, None)?;
        }
    }
    recall(conn, actor, &doc, Some(&rev.version_id))?;
    reconcile_copies(conn, actor, user_id, &doc, &rev.version_id)?;
    let v = db::versions::get(conn, &rev.version_id)?;
    revision_response(conn, issued, &v)
}

/// Abandons a revision not yet issued (the owner's ISO controller). The current
/// revision leaves only with its document (`POST /documents/{id}/withdraw`).
pub fn abandon(
    conn: &mut Tx<'_>,
    caller: &Caller,
    version_id: &str,
    expected_version: i32,
    reason: &str,
) -> ApiResult<IsoRevisionResponse> {
    let (rev, v, _, iso) = load_revision(conn, Some(caller), version_id)?;
    require_owner(caller, &iso)?;
    let reason = clean_text("reason", reason, 2000)?;
    let actor = caller.actor();
    let updated = step(
        conn,
        &actor,
        &rev,
        Some(expected_version),
        RevisionEvent::Abandon,
        IsoRevisionChanges {
            withdrawn_at: Some(Some(db::now())),
            withdrawn_by: Some(Some(caller.user_id.clone())),
            withdrawal_reason: Some(Some(reason.clone())),
            ..Default::default()
        },
        Some(&reason),
        "iso.revision.withdraw",
    )?;
    if let Some(c) = q::change_request_of_revision(conn, version_id)? {
        if c.state == ChangeRequestState::Accepted.as_str() {
            set_change_request_state(
                conn,
                &actor,
                &c,
                ChangeRequestState::Cancelled,
                Some(&reason),
            )?;
        }
    }
    revision_response(conn, updated, &v)
}

pub fn comment(
    conn: &mut Tx<'_>,
    caller: &Caller,
    version_id: &str,
    req: &CommentRequest,
) -> ApiResult<IsoReviewComment> {
    caller.require(Action::CommentOnRevisions)?;
    let (rev, _, doc, _) = load_revision(conn, Some(caller), version_id)?;
    if rev.state != RevisionState::InReview.as_str() {
        return Err(guard(
            "comments_only_in_review",
            "reviewers comment while the revision is in review",
        ));
    }
    let body = clean_text("body", &req.body, 10_000)?;
    let c = q::insert_comment(
        conn,
        &IsoReviewComment {
            id: db::new_id(),
            version_id: version_id.to_owned(),
            author_id: Some(caller.user_id.clone()),
            author_name: caller.username.clone(),
            body,
            created_at: db::now(),
        },
    )?;
    audit_doc(
        conn,
        &caller.actor(),
        "iso.revision.comment",
        &doc.id,
        None,
        None,
        serde_json::json!({"version_id": version_id, "comment_id": c.id}),
    )?;
    Ok(c)
}

pub fn comments(
    conn: &mut Conn,
    caller: &Caller,
    version_id: &str,
) -> ApiResult<Vec<IsoReviewComment>> {
    caller.require(Action::ReadIsoRecords)?;
    load_revision(conn, Some(caller), version_id)?;
    Ok(q::comments(conn, version_id)?)
}

/// The text diff from another revision of the same document (by default the one it
/// follows: the previous issue, or for a revision not yet issued the current one).
pub fn diff(
    conn: &mut Conn,
    caller: &Caller,
    version_id: &str,
    against: Option<&str>,
) -> ApiResult<DiffResponse> {
    caller.require(Action::ReadIsoRecords)?;
    let (rev, v, doc, _) = load_revision(conn, Some(caller), version_id)?;
    let from_id = match against {
        Some(a) => {
            let other = db::versions::get(conn, a)
                .map_err(|_| AppError::invalid("against", "no such version"))?;
            if other.document_id != doc.id {
                return Err(AppError::invalid(
                    "against",
                    "a revision of the same document",
                ));
            }
            Some(other.id)
        }
        None => {
            let revs = q::revisions(conn, &doc.id)?;
            let before = match rev.revision_no {
                Some(n) => revs.iter().find(|r| r.revision_no == Some(n - 1)),
                None => revs
                    .iter()
                    .filter(|r| r.revision_no.is_some())
                    .max_by_key(|r| r.revision_no),
            };
            before.map(|r| r.version_id.clone())
        }
    };
    let old = match &from_id {
        Some(id) => db::versions::get(conn, id)?.body.unwrap_or_default(),
        None => String::new(),
    };
    let lines = diff_lines(&old, v.body.as_deref().unwrap_or(""));
    Ok(DiffResponse {
        added: lines.iter().filter(|l| l.op == DiffOp::Insert).count(),
        removed: lines.iter().filter(|l| l.op == DiffOp::Delete).count(),
        from_version_id: from_id,
        to_version_id: v.id,
        lines,
    })
}

// ---------------------------------------------------------------------------------
// Change requests
// ---------------------------------------------------------------------------------

/// Anyone on staff raises a change request against a document in use.
pub fn raise(
    conn: &mut Tx<'_>,
    caller: &Caller,
    document_id: &str,
    req: &RaiseChangeRequest,
) -> ApiResult<IsoChangeRequest> {
    caller.require(Action::RaiseChangeRequests)?;
    let (doc, _) = load(conn, Some(caller), document_id)?;
    raise_unchecked(
        conn,
        &caller.actor(),
        Some(&caller.user_id),
        &doc,
        ChangeRequestOrigin::Request,
        &req.reason,
        req.proposed_change.as_deref(),
    )
}

fn raise_unchecked(
    conn: &mut Tx<'_>,
    actor: &Actor,
    user_id: Option<&str>,
    doc: &Document,
    origin: ChangeRequestOrigin,
    reason: &str,
    proposed: Option<&str>,
) -> ApiResult<IsoChangeRequest> {
    ensure_in_use(doc)?;
    if q::current_revision(conn, &doc.id)?.is_none() {
        return Err(guard(
            "change_requests_on_documents_in_use",
            "the document has no issued revision to change yet",
        ));
    }
    let reason = clean_text("reason", reason, 5000)?;
    let proposed = clean_opt("proposed_change", proposed, 20_000)?;
    let now = db::now();
    let seq = q::next_change_request_seq(conn, &doc.id)?;
    let c = q::insert_change_request(
        conn,
        &IsoChangeRequest {
            id: db::new_id(),
            document_id: doc.id.clone(),
            seq,
            origin: origin.as_str().to_owned(),
            reason: reason.clone(),
            proposed_change: proposed,
            state: ChangeRequestState::Open.as_str().to_owned(),
            raised_by: user_id.map(str::to_owned),
            raised_at: now,
            decided_by: None,
            decided_at: None,
            decision_note: None,
            revision_version_id: None,
            updated_at: now,
            row_version: 1,
        },
    )?;
    audit::append(
        conn,
        actor,
        Event {
            action: "iso.change_request.raise",
            entity_type: "document",
            entity_id: &doc.id,
            to_state: Some(ChangeRequestState::Open.as_str()),
            reason: Some(&reason),
            details: Some(
                serde_json::json!({"change_request_id": c.id, "seq": c.seq, "origin": c.origin}),
            ),
            ..Default::default()
        },
    )?;
    Ok(c)
}

pub fn change_requests(
    conn: &mut Conn,
    caller: &Caller,
    document_id: &str,
) -> ApiResult<Vec<IsoChangeRequest>> {
    caller.require(Action::ReadIsoRecords)?;
    load(conn, Some(caller), document_id)?;
    Ok(q::change_requests(conn, document_id)?)
}

pub fn change_request(conn: &mut Conn, caller: &Caller, id: &str) -> ApiResult<IsoChangeRequest> {
    caller.require(Action::ReadIsoRecords)?;
    let c = q::get_change_request(conn, id)?;
    load(conn, Some(caller), &c.document_id)?;
    Ok(c)
}

fn load_open_request(
    conn: &mut Conn,
    caller: &Caller,
    id: &str,
    expected_version: i32,
) -> ApiResult<(IsoChangeRequest, Document)> {
    let c = q::get_change_request(conn, id)?;
    let (doc, iso) = load(conn, Some(caller), &c.document_id)?;
    require_owner(caller, &iso)?;
    ensure_in_use(&doc)?;
    if c.state != ChangeRequestState::Open.as_str() {
        return Err(guard(
            "decide_only_open_requests",
            format!("this change request is already {}", c.state),
        ));
    }
    check_row_version(c.row_version, expected_version)?;
    Ok((c, doc))
}

/// The owner accepts a change request: a revision draft opens, starting from the
/// current revision's text and file.
pub fn accept(
    conn: &mut Tx<'_>,
    caller: &Caller,
    id: &str,
    expected_version: i32,
    req: &AcceptChangeRequest,
) -> ApiResult<IsoChangeRequest> {
    let (c, doc) = load_open_request(conn, caller, id, expected_version)?;
    let note = clean_opt("note", req.note.as_deref(), 5000)?;
    let label = clean_opt("label", req.label.as_deref(), 200)?;
    accept_unchecked(
        conn,
        &caller.actor(),
        Some(&caller.user_id),
        c,
        &doc,
        note,
        label,
    )
}

fn accept_unchecked(
    conn: &mut Tx<'_>,
    actor: &Actor,
    user_id: Option<&str>,
    c: IsoChangeRequest,
    doc: &Document,
    note: Option<String>,
    label: Option<String>,
) -> ApiResult<IsoChangeRequest> {
    let current = q::current_revision(conn, &doc.id)?.ok_or_else(|| {
        guard(
            "change_requests_on_documents_in_use",
            "the document has no current revision",
        )
    })?;
    let base = db::versions::get(conn, &current.version_id)?;
    let upload = match &base.blob_sha256 {
        Some(sha) => {
            let blob = db::blobs::get(conn, sha)?;
            Some(Upload {
                content_type: blob.content_type,
                file_name: base.file_name.clone(),
                data: blob.data,
            })
        }
        None => None,
    };
    let v =
        versions::insert_version(
            conn,
            actor,
            doc,
            NewVersion {
                label: Some(label.unwrap_or_else(|| {
                    format!("Dự thảo sửa đổi theo phiếu yêu cầu số {:02}", c.seq)
                })),
                body: base.body.clone(),
                change_summary: None,
                upload,
                provisions: None,
            },
        )?;
    let updated = q::update_change_request(
        conn,
        &c.id,
        Some(c.row_version),
        &IsoChangeRequestChanges {
            state: Some(ChangeRequestState::Accepted.as_str().to_owned()),
            decided_by: Some(user_id.map(str::to_owned)),
            decided_at: Some(Some(db::now())),
            decision_note: Some(note),
            revision_version_id: Some(Some(v.id.clone())),
        },
    )?;
    audit::append(
        conn,
        actor,
        Event {
            action: "iso.change_request.accept",
            entity_type: "document",
            entity_id: &doc.id,
            from_state: Some(&c.state),
            to_state: Some(&updated.state),
            details: Some(
                serde_json::json!({"change_request_id": c.id, "seq": c.seq, "revision_version_id": v.id}),
            ),
            ..Default::default()
        },
    )?;
    Ok(updated)
}

pub fn reject(
    conn: &mut Tx<'_>,
    caller: &Caller,
    id: &str,
    expected_version: i32,
    reason: &str,
) -> ApiResult<IsoChangeRequest> {
    let (c, doc) = load_open_request(conn, caller, id, expected_version)?;
    let reason = clean_text("reason", reason, 5000)?;
    let updated = q::update_change_request(
        conn,
        id,
        Some(expected_version),
        &IsoChangeRequestChanges {
            state: Some(ChangeRequestState::Rejected.as_str().to_owned()),
            decided_by: Some(Some(caller.user_id.clone())),
            decided_at: Some(Some(db::now())),
            decision_note: Some(Some(reason.clone())),
            ..Default::default()
        },
    )?;
    audit::append(
        conn,
        &caller.actor(),
        Event {
            action: "iso.change_request.reject",
            entity_type: "document",
            entity_id: &doc.id,
            from_state: Some(&c.state),
            to_state: Some(&updated.state),
            reason: Some(&reason),
            details: Some(serde_json::json!({"change_request_id": c.id, "seq": c.seq})),
        },
    )?;
    Ok(updated)
}

// ---------------------------------------------------------------------------------
// Controlled copies
// ---------------------------------------------------------------------------------

fn revision_labels(conn: &mut Conn, document_ids: &[String]) -> ApiResult<HashMap<String, String>> {
    Ok(q::revisions_of(conn, document_ids)?
        .into_iter()
        .filter_map(|r| {
            r.revision_no
                .map(|n| (r.version_id, rules::revision_label(n)))
        })
        .collect())
}

pub fn copies(
    conn: &mut Conn,
    caller: &Caller,
    document_id: &str,
    outstanding_only: bool,
) -> ApiResult<Vec<ControlledCopyResponse>> {
    caller.require(Action::ReadIsoRecords)?;
    load(conn, Some(caller), document_id)?;
    let labels = revision_labels(conn, &[document_id.to_owned()])?;
    Ok(q::copies(conn, document_id)?
        .into_iter()
        .map(|c| copy_response(c, &labels))
        .filter(|c| !outstanding_only || c.outstanding)
        .collect())
}

/// Copies asked back and not yet returned, across the documents of one owner or all.
pub fn outstanding_copies(
    conn: &mut Conn,
    caller: &Caller,
    owner: Option<&str>,
) -> ApiResult<Vec<ControlledCopyResponse>> {
    caller.require(Action::ReadIsoRecords)?;
    let owners = match owner {
        Some(o) => Some(vec![resolve_org_unit(conn, "owner", o)?]),
        None => None,
    };
    let ids: Vec<String> = q::list_documents(conn, owners.as_deref())?
        .into_iter()
        .map(|d| d.document_id)
        .collect();
    let labels = revision_labels(conn, &ids)?;
    Ok(q::copies_of(conn, &ids)?
        .into_iter()
        .map(|c| copy_response(c, &labels))
        .filter(|c| c.outstanding)
        .collect())
}

/// The owner's ISO controller confirms that a recalled copy came back.
pub fn confirm_copy_withdrawn(
    conn: &mut Tx<'_>,
    caller: &Caller,
    copy_id: &str,
    expected_version: i32,
) -> ApiResult<ControlledCopyResponse> {
    let c = q::get_copy(conn, copy_id)?;
    let (doc, iso) = load(conn, Some(caller), &c.document_id)?;
    require_owner(caller, &iso)?;
    if c.withdrawn_at.is_some() {
        return Err(guard(
            "copy_withdrawn_once",
            "this copy is already withdrawn",
        ));
    }
    if c.recall_requested_at.is_none() {
        return Err(guard(
            "withdraw_only_recalled_copies",
            "this copy is of the current revision and was not recalled",
        ));
    }
    check_row_version(c.row_version, expected_version)?;
    let updated =
        q::confirm_withdrawn(conn, copy_id, expected_version, &caller.user_id, db::now())?;
    audit_doc(
        conn,
        &caller.actor(),
        "iso.copy.withdrawn",
        &doc.id,
        None,
        None,
        serde_json::json!({"copy_id": copy_id, "copy_no": c.copy_no, "version_id": c.version_id, "recipient": c.recipient_name}),
    )?;
    let labels = revision_labels(conn, std::slice::from_ref(&doc.id))?;
    Ok(copy_response(updated, &labels))
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

// ---------------------------------------------------------------------------------
// Read and understood
// ---------------------------------------------------------------------------------

/// The people who must acknowledge: those named on the list and the active accounts
/// of the units on it.
fn recipient_users(conn: &mut Conn, document_id: &str) -> ApiResult<Vec<User>> {
    let rows = q::distribution(conn, document_id)?;
    let unit_ids: Vec<String> = rows
        .iter()
        .filter_map(|r| r.recipient_unit_id.clone())
        .collect();
    let user_ids: Vec<String> = rows
        .iter()
        .filter_map(|r| r.recipient_user_id.clone())
        .collect();
    let mut users: BTreeMap<String, User> = BTreeMap::new();
    for u in q::active_users_in_units(conn, &unit_ids)?
        .into_iter()
        .chain(
            q::users_by_ids(conn, &user_ids)?
                .into_iter()
                .filter(|u| u.active),
        )
    {
        users.insert(u.username.clone(), u);
    }
    Ok(users.into_values().collect())
}

pub fn acknowledge(
    conn: &mut Tx<'_>,
    caller: &Caller,
    document_id: &str,
    req: &AcknowledgeRequest,
) -> ApiResult<(Acknowledgement, bool)> {
    caller.require(Action::AcknowledgeDocuments)?;
    let (doc, _) = load(conn, Some(caller), document_id)?;
    acknowledge_unchecked(
        conn,
        &caller.actor(),
        &caller.user_id,
        &doc,
        req.version_id.as_deref(),
    )
}

/// Returns the acknowledgement and whether it is new (acknowledging twice is harmless).
fn acknowledge_unchecked(
    conn: &mut Tx<'_>,
    actor: &Actor,
    user_id: &str,
    doc: &Document,
    version_id: Option<&str>,
) -> ApiResult<(Acknowledgement, bool)> {
    ensure_in_use(doc)?;
    let current = q::current_revision(conn, &doc.id)?.ok_or_else(|| {
        guard(
            "acknowledge_current_revision",
            "the document has no current revision",
        )
    })?;
    if version_id.is_some_and(|v| v != current.version_id) {
        return Err(guard(
            "acknowledge_current_revision",
            "that revision is no longer current: read the current one",
        ));
    }
    if !recipient_users(conn, &doc.id)?
        .iter()
        .any(|u| u.id == user_id)
    {
        return Err(AppError::Forbidden(
            "you are not on this document's distribution list".into(),
        ));
    }
    if let Some(a) = q::acknowledgements(conn, &current.version_id)?
        .into_iter()
        .find(|a| a.user_id == user_id)
    {
        return Ok((a, false));
    }
    let a = q::insert_acknowledgement(
        conn,
        &Acknowledgement {
            id: db::new_id(),
            document_id: doc.id.clone(),
            version_id: current.version_id.clone(),
            user_id: user_id.to_owned(),
            acknowledged_at: db::now(),
        },
    )?;
    audit_doc(
        conn,
        actor,
        "iso.acknowledge",
        &doc.id,
        None,
        None,
        serde_json::json!({"version_id": current.version_id, "user_id": user_id}),
    )?;
    Ok((a, true))
}

pub fn acknowledgements(
    conn: &mut Conn,
    caller: &Caller,
    document_id: &str,
) -> ApiResult<AcknowledgementsResponse> {
    caller.require(Action::ReadIsoRecords)?;
    load(conn, Some(caller), document_id)?;
    let Some(current) = q::current_revision(conn, document_id)? else {
        return Ok(AcknowledgementsResponse {
            document_id: document_id.to_owned(),
            version_id: None,
            revision_label: None,
            acknowledged: vec![],
            missing: vec![],
        });
    };
    let acks: HashMap<String, NaiveDateTime> = q::acknowledgements(conn, &current.version_id)?
        .into_iter()
        .map(|a| (a.user_id, a.acknowledged_at))
        .collect();
    let mut acknowledged = vec![];
    let mut missing = vec![];
    for u in recipient_users(conn, document_id)? {
        match acks.get(&u.id) {
            Some(at) => acknowledged.push(AcknowledgedBy {
                user: user_ref(&u),
                acknowledged_at: *at,
            }),
            None => missing.push(user_ref(&u)),
        }
    }
    Ok(AcknowledgementsResponse {
        document_id: document_id.to_owned(),
        version_id: Some(current.version_id),
        revision_label: current.revision_no.map(rules::revision_label),
        acknowledged,
        missing,
    })
}

// ---------------------------------------------------------------------------------
// Periodic review
// ---------------------------------------------------------------------------------

/// Documents in use whose review falls within `within_days` of `today` (or is overdue).
pub fn due_reviews(
    conn: &mut Conn,
    caller: &Caller,
    owner: Option<&str>,
    within_days: i64,
    today: NaiveDate,
) -> ApiResult<Vec<DueReviewResponse>> {
    caller.require(Action::ReadIsoRecords)?;
    let owners = match owner {
        Some(o) => Some(vec![resolve_org_unit(conn, "owner", o)?]),
        None => None,
    };
    let mut out = vec![];
    for iso in q::list_documents(conn, owners.as_deref())? {
        let Some(next) = iso.next_review_on else {
            continue;
        };
        if !rules::review_due(Some(next), today, within_days) {
            continue;
        }
        let doc = db::documents::get(conn, &iso.document_id)?;
        if state_of(&doc)? == DocumentState::Withdrawn
            || q::current_revision(conn, &doc.id)?.is_none()
            || !super::can_see(Some(caller), &doc)
        {
            continue;
        }
        let open = q::change_requests_in(
            conn,
            std::slice::from_ref(&doc.id),
            &[
                ChangeRequestState::Open.as_str(),
                ChangeRequestState::Accepted.as_str(),
            ],
        )?;
        let days_left = (next - today).num_days();
        out.push(DueReviewResponse {
            document: doc_ref(&doc)?,
            owner: unit_ref(conn, &iso.owner_unit_id)?,
            next_review_on: next,
            last_reviewed_on: iso.last_reviewed_on,
            days_left,
            overdue: days_left < 0,
            open_change_request_id: open.into_iter().next().map(|c| c.id),
        });
    }
    out.sort_by(|a, b| {
        a.next_review_on
            .cmp(&b.next_review_on)
            .then(a.document.id.cmp(&b.document.id))
    });
    Ok(out)
}

/// Records a periodic review: a confirmed document gets its next review date; one that
/// needs a change gets a change request.
pub fn record_review(
    conn: &mut Tx<'_>,
    caller: &Caller,
    document_id: &str,
    expected_version: i32,
    req: &ReviewRequest,
    today: NaiveDate,
) -> ApiResult<ReviewResponse> {
    let (doc, iso) = load(conn, Some(caller), document_id)?;
    require_owner(caller, &iso)?;
    ensure_in_use(&doc)?;
    if q::current_revision(conn, document_id)?.is_none() {
        return Err(guard(
            "review_documents_in_use",
            "the document has no issued revision to review",
        ));
    }
    check_row_version(iso.row_version, expected_version)?;
    let actor = caller.actor();
    let note = clean_opt("note", req.note.as_deref(), 5000)?;
    let (changes, change_request) = match req.outcome {
        ReviewOutcome::Confirmed => (
            IsoDocumentChanges {
                last_reviewed_on: Some(Some(today)),
                next_review_on: Some(rules::next_review(today, iso.review_period_months)),
                ..Default::default()
            },
            None,
        ),
        ReviewOutcome::ChangeNeeded => {
            let reason = note
                .clone()
                .ok_or_else(|| AppError::invalid("note", "say what needs to change"))?;
            let c = raise_unchecked(
                conn,
                &actor,
                Some(&caller.user_id),
                &doc,
                ChangeRequestOrigin::PeriodicReview,
                &reason,
                None,
            )?;
            // The review stays due until the revised document is issued.
            (
                IsoDocumentChanges {
                    last_reviewed_on: Some(Some(today)),
                    ..Default::default()
                },
                Some(c),
            )
        }
    };
    let updated = q::update_document(conn, document_id, expected_version, &changes)?;
    audit::append(
        conn,
        &actor,
        Event {
            action: "iso.review",
            entity_type: "document",
            entity_id: document_id,
            reason: note.as_deref(),
            details: Some(serde_json::json!({
                "outcome": req.outcome, "reviewed_on": today,
                "next_review_on": updated.next_review_on,
                "change_request_id": change_request.as_ref().map(|c| &c.id),
            })),
            ..Default::default()
        },
    )?;
    Ok(ReviewResponse {
        document: document_response(conn, &doc, &updated, today)?,
        outcome: req.outcome,
        change_request: change_request
            .map(ChangeRequestResponse::from_row)
            .transpose()?,
    })
}

// ---------------------------------------------------------------------------------
// Compliance report
// ---------------------------------------------------------------------------------

/// The measures of the report, each with the clause 7.5 requirement it answers.
pub const MEASURES: &[(&str, &str, &str, &str)] = &[
    (
        "documents_current",
        "7.5.2 c)",
        "Documented information is reviewed and approved for suitability and adequacy before issue: documents with an approved, current revision",
        "Xem xét và phê duyệt sự phù hợp và thỏa đáng: tài liệu có lần ban hành hiện hành đã được phê duyệt",
    ),
    (
        "reviews_due",
        "7.5.2 c)",
        "Documented information is reviewed and updated as necessary: periodic reviews due or overdue",
        "Xem xét, cập nhật khi cần thiết: tài liệu đến hạn hoặc quá hạn xem xét định kỳ",
    ),
    (
        "reviews_overdue",
        "7.5.2 c)",
        "Documented information is reviewed and updated as necessary: periodic reviews overdue",
        "Xem xét, cập nhật khi cần thiết: tài liệu quá hạn xem xét định kỳ",
    ),
    (
        "copies_current",
        "7.5.3.2 a)",
        "Distribution, access, retrieval and use: controlled copies of current revisions in the places of use",
        "Phân phối, tiếp cận, khôi phục và sử dụng: bản sao kiểm soát của lần ban hành hiện hành tại nơi sử dụng",
    ),
    (
        "copies_not_withdrawn",
        "7.5.3.2 d)",
        "Retention and disposition; obsolete documents kept from unintended use: recalled copies not yet withdrawn",
        "Lưu giữ và hủy bỏ, ngăn ngừa việc sử dụng tài liệu lỗi thời: bản sao đã yêu cầu thu hồi nhưng chưa thu hồi",
    ),
    (
        "acknowledgements_missing",
        "7.5.3.1 a)",
        "Documented information is available and suitable for use where and when it is needed: recipients who have not confirmed reading the current revision",
        "Sẵn có và phù hợp để sử dụng tại nơi và khi cần: người nhận chưa xác nhận đã đọc lần ban hành hiện hành",
    ),
    (
        "change_requests_open",
        "7.5.3.2 c)",
        "Control of changes (e.g. version control): change requests open or accepted and not yet issued",
        "Kiểm soát các thay đổi (ví dụ kiểm soát phiên bản): phiếu yêu cầu sửa đổi chưa xử lý xong",
    ),
];

pub fn compliance(
    conn: &mut Conn,
    caller: &Caller,
    owner: Option<&str>,
    within_days: i64,
    today: NaiveDate,
) -> ApiResult<ComplianceReport> {
    caller.require(Action::ReadIsoRecords)?;
    let owners = match owner {
        Some(o) => Some(vec![resolve_org_unit(conn, "owner", o)?]),
        None => None,
    };
    let isos = q::list_documents(conn, owners.as_deref())?;
    let mut by_owner: BTreeMap<String, Vec<IsoDocument>> = BTreeMap::new();
    for i in isos {
        by_owner.entry(i.owner_unit_id.clone()).or_default().push(i);
    }
    let mut units = vec![];
    for (owner_id, list) in by_owner {
        let u = db::org_units::get(conn, &owner_id)?;
        units.push((u, list));
    }
    units.sort_by(|a, b| a.0.code.cmp(&b.0.code));
    let mut rows = vec![];
    for (unit, list) in units {
        let mut m: HashMap<&str, i64> = HashMap::new();
        let ids: Vec<String> = list.iter().map(|i| i.document_id.clone()).collect();
        let revs = q::revisions_of(conn, &ids)?;
        let current: HashMap<String, String> = revs
            .iter()
            .filter(|r| r.state == RevisionState::Current.as_str())
            .map(|r| (r.document_id.clone(), r.version_id.clone()))
            .collect();
        for iso in &list {
            if !current.contains_key(&iso.document_id) {
                continue;
            }
            *m.entry("documents_current").or_default() += 1;
            if rules::review_due(iso.next_review_on, today, within_days) {
                *m.entry("reviews_due").or_default() += 1;
            }
            if iso.next_review_on.is_some_and(|d| d < today) {
                *m.entry("reviews_overdue").or_default() += 1;
            }
        }
        let current_versions: HashSet<&String> = current.values().collect();
        for c in q::copies_of(conn, &ids)? {
            if c.withdrawn_at.is_some() {
                continue;
            }
            if c.recall_requested_at.is_some() {
                *m.entry("copies_not_withdrawn").or_default() += 1;
            } else if current_versions.contains(&c.version_id) {
                *m.entry("copies_current").or_default() += 1;
            }
        }
        let versions: Vec<String> = current.values().cloned().collect();
        let acks: HashSet<(String, String)> = q::acknowledgements_of(conn, &versions)?
            .into_iter()
            .map(|a| (a.version_id, a.user_id))
            .collect();
        for (doc_id, version_id) in &current {
            for u in recipient_users(conn, doc_id)? {
                if !acks.contains(&(version_id.clone(), u.id)) {
                    *m.entry("acknowledgements_missing").or_default() += 1;
                }
            }
        }
        let open = q::change_requests_in(
            conn,
            &ids,
            &[
                ChangeRequestState::Open.as_str(),
                ChangeRequestState::Accepted.as_str(),
            ],
        )?;
        m.insert("change_requests_open", open.len() as i64);
        for (measure, clause, requirement, requirement_vi) in MEASURES {
            rows.push(ComplianceRow {
                owner_code: unit.code.clone(),
                owner_name: unit.name.clone(),
                measure: (*measure).to_owned(),
                value: m.get(measure).copied().unwrap_or(0),
                clause: (*clause).to_owned(),
                requirement: (*requirement).to_owned(),
                requirement_vi: (*requirement_vi).to_owned(),
            });
        }
    }
    Ok(ComplianceReport {
        as_of: today,
        within_days,
        rows,
    })
}

/// The report as CSV.
pub fn compliance_csv(report: &ComplianceReport) -> ApiResult<Vec<u8>> {
    super::export::csv_table(
        &[
            "owner_code",
            "owner_name",
            "measure",
            "value",
            "clause",
            "requirement",
            "requirement_vi",
        ],
        report.rows.iter().map(|r| {
            vec![
                r.owner_code.clone(),
                r.owner_name.clone(),
                r.measure.clone(),
                r.value.to_string(),
                r.clause.clone(),
                r.requirement.clone(),
                r.requirement_vi.clone(),
            ]
        }),
    )
}

// ---------------------------------------------------------------------------------
// For the PDF endpoint and the search index
// ---------------------------------------------------------------------------------

/// The stamp a version must carry wherever its file or text is served: the obsolete
/// stamp ("TÀI LIỆU LỖI THỜI") for a superseded or withdrawn ISO revision, whatever
/// stamp the request asked for; None otherwise (legal versions included).
pub fn required_stamp(conn: &mut Conn, version_id: &str) -> ApiResult<Option<ObsoleteStamp>> {
    match q::find_revision(conn, version_id)? {
        Some(rev) => stamp_for(conn, &rev),
        None => Ok(None),
    }
}

// ---------------------------------------------------------------------------------
// Used by the demo loader: the same rules, acting as a given account.
// ---------------------------------------------------------------------------------

/// The caller an account acts as (its unit chain included), for loaders that replay
/// the workflow as real accounts.
pub fn caller_for(conn: &mut Conn, user: &User) -> ApiResult<Caller> {
    let org_chain = match &user.org_unit_id {
        Some(o) => db::org_units::ancestors_and_self(conn, o)?,
        None => vec![],
    };
    Ok(Caller {
        user_id: user.id.clone(),
        username: user.username.clone(),
        role: user.role.parse().map_err(AppError::internal)?,
        org_unit_id: user.org_unit_id.clone(),
        org_chain,
    })
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
        super::today(),
    )
}
