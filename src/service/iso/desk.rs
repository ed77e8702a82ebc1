//! ISO document control as the staff pages show it: the quality documents with the reviews
//! due, the copies still out and the compliance report; and one document's control — its
//! revisions, the steps the caller may take on the open revision (the checks of the
//! revision use cases), its review comments, its copies, its acknowledgements.

use serde::Serialize;

use super::{
    compliance_report, list_acknowledgements, list_comments, list_copies, list_documents,
    list_due_reviews, list_outstanding_copies, list_revisions, AcknowledgementsResponse,
    ComplianceReport, ControlledCopyResponse, DueReviewResponse, IsoDocumentResponse,
    IsoRevisionResponse, ReviewCommentResponse,
};
use crate::auth::Action;
use crate::db::Db;
use crate::domain::iso::{next_state, RevisionEvent};
use crate::domain::kinds::{DocumentState, RevisionState};
use crate::error::{ApiResult, AppError};
use crate::service::Caller;

crate::vocabulary! {
    /// A step of the revision workflow a page offers (`POST /iso/revisions/{id}/…`).
    RevisionStep {
        Submit => "submit", "Trình xem xét";
        Return => "return", "Trả lại để sửa";
        Approve => "approve", "Phê duyệt";
        Issue => "issue", "Ban hành";
        Withdraw => "withdraw", "Hủy bản sửa đổi";
    }
}

impl RevisionStep {
    fn event(self) -> RevisionEvent {
        match self {
            RevisionStep::Submit => RevisionEvent::Submit,
            RevisionStep::Return => RevisionEvent::Return,
            RevisionStep::Approve => RevisionEvent::Approve,
            RevisionStep::Issue => RevisionEvent::Issue,
            RevisionStep::Withdraw => RevisionEvent::Abandon,
        }
    }

    /// Whether the step asks for a reason.
    pub fn needs_reason(self) -> bool {
        matches!(self, RevisionStep::Return | RevisionStep::Withdraw)
    }
}

/// Whether the caller is the ISO controller of the unit `owner_id` (or of a unit above it):
/// the check of the revision use cases.
fn controls(caller: &Caller, owner_id: &str) -> bool {
    super::require_owner_unit(caller, owner_id).is_ok()
}

/// The steps the caller may take on revision `r` of document `d` now: those its state allows
/// and the caller's part permits — submit, issue and withdraw for the owner's controller,
/// return for the controller or an approver, approve for an approver who did not write it.
pub fn revision_steps(
    caller: &Caller,
    d: &IsoDocumentResponse,
    r: &IsoRevisionResponse,
) -> Vec<RevisionStep> {
    if d.document_state == DocumentState::Withdrawn {
        return vec![];
    }
    let owner = controls(caller, &d.owner.id);
    let approver = caller.may(Action::ApproveVersions);
    RevisionStep::ALL
        .iter()
        .copied()
        .filter(|s| next_state(r.state, s.event()).is_ok())
        .filter(|s| match s {
            RevisionStep::Submit | RevisionStep::Issue | RevisionStep::Withdraw => owner,
            RevisionStep::Return => owner || approver,
            RevisionStep::Approve => {
                approver && r.author_id.as_deref() != Some(caller.user_id.as_str())
            }
        })
        .collect()
}

/// The ISO page.
#[derive(Debug, Serialize)]
pub struct IsoDesk {
    pub documents: Vec<IsoDocumentResponse>,
    pub due: Vec<DueReviewResponse>,
    pub copies_out: Vec<ControlledCopyResponse>,
    /// Absent for the roles that do not read it.
    pub compliance: Option<ComplianceReport>,
}

/// A list the role may not read is shown empty, not refused: the ISO page is everyone's.
fn or_empty<T: Default>(r: ApiResult<T>) -> ApiResult<T> {
    match r {
        Err(AppError::Forbidden(_)) => Ok(T::default()),
        other => other,
    }
}

/// The quality documents, the periodic reviews due within 30 days, the copies still out and
/// the compliance report.
pub async fn iso_desk(db: &Db, caller: Caller) -> ApiResult<IsoDesk> {
    Ok(IsoDesk {
        documents: or_empty(list_documents(db, caller.clone(), None).await)?,
        due: or_empty(list_due_reviews(db, caller.clone(), None, Some(30)).await)?,
        copies_out: or_empty(list_outstanding_copies(db, caller.clone(), None).await)?,
        compliance: match compliance_report(db, caller, None, None).await {
            Ok(r) => Some(r),
            Err(AppError::Forbidden(_)) => None,
            Err(e) => return Err(e),
        },
    })
}

/// One quality document's control page.
#[derive(Debug, Serialize)]
pub struct IsoWorkspace {
    pub document: IsoDocumentResponse,
    pub revisions: Vec<IsoRevisionResponse>,
    /// The steps the caller may take on the open revision.
    pub steps: Vec<RevisionStep>,
    /// The open revision's review comments.
    pub comments: Vec<ReviewCommentResponse>,
    /// The caller may comment now (the open revision is in review).
    pub may_comment: bool,
    pub copies: Vec<ControlledCopyResponse>,
    /// The caller confirms copies returned and records periodic reviews.
    pub controls: bool,
    pub acknowledgements: AcknowledgementsResponse,
    /// The caller is among those who have not acknowledged the current revision.
    pub may_acknowledge: bool,
}

/// A quality document's control page for the caller.
pub async fn iso_workspace(db: &Db, caller: Caller, id: String) -> ApiResult<IsoWorkspace> {
    let document = super::get_document(db, caller.clone(), id.clone()).await?;
    let revisions = list_revisions(db, caller.clone(), id.clone()).await?;
    let (steps, comments, in_review) = match &document.open_revision {
        Some(r) => (
            revision_steps(&caller, &document, r),
            list_comments(db, caller.clone(), r.version_id.clone()).await?,
            r.state == RevisionState::InReview,
        ),
        None => (vec![], vec![], false),
    };
    let copies = list_copies(db, caller.clone(), id.clone(), false).await?;
    let acknowledgements = list_acknowledgements(db, caller.clone(), id).await?;
    Ok(IsoWorkspace {
        may_comment: in_review && caller.may(Action::CommentOnRevisions),
        controls: controls(&caller, &document.owner.id),
        may_acknowledge: acknowledgements
            .missing
            .iter()
            .any(|u| u.id == caller.user_id),
        document,
        revisions,
        steps,
        comments,
        copies,
        acknowledgements,
    })
}
