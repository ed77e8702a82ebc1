//! The request and response shapes of ISO document control.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::models::{
    Acknowledgement, ControlledCopy, Document, IsoChangeRequest, IsoReviewComment, User,
};
use crate::domain::diff::DiffLine;
use crate::domain::iso::ObsoleteStamp;
use crate::domain::kinds::{
    ChangeRequestOrigin, ChangeRequestState, DocumentKind, DocumentState, ReviewOutcome,
    RevisionState,
};
use crate::error::ApiResult;
use crate::service::documents::double_option;

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

// The responses.

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

pub(super) fn user_ref(u: &User) -> UserRef {
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

pub(super) fn doc_ref(d: &Document) -> ApiResult<IsoDocumentRef> {
    Ok(IsoDocumentRef {
        id: d.id.clone(),
        kind: d.kind,
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
        let state: ChangeRequestState = c.state;
        Ok(ChangeRequestResponse {
            origin: c.origin,
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

pub(super) fn copy_response(
    c: ControlledCopy,
    labels: &HashMap<String, String>,
) -> ControlledCopyResponse {
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
