//! The revision workflow: review, approval, abandonment, comments and diffs. Issue, the
//! step with the most consequences, has a file of its own (`issue.rs`).

use super::super::dto::ReasonRequest;
use super::ReviewCommentResponse;
use super::{check_row_version, ensure_in_use, load_readable, load_revision, require_owner};
use super::{revision_response, CommentRequest, DiffResponse, IsoRevisionResponse};
use crate::auth::Action;
use crate::db::models::{
    Document, DocumentChanges, IsoDocument, IsoReviewComment, IsoRevision, IsoRevisionChanges,
    Version,
};
use crate::db::{self, iso as q, Conn, Tx};
use crate::domain::diff::{diff_lines, DiffOp};
use crate::domain::iso::{self as rules, RevisionEvent};
use crate::domain::kinds::{ChangeRequestState, RevisionState};
use crate::error::{ApiResult, AppError};
use crate::service::iso_hooks::{audit_doc, guard, set_change_request_state};
use crate::service::{clean_text, Caller};

use_cases! {
    /// Every revision of a quality document, oldest first.
    run list_revisions(document_id: String) -> Vec<IsoRevisionResponse>
        = revisions(&document_id);
    /// One revision with its control state.
    run get_revision(version_id: String) -> IsoRevisionResponse = revision(&version_id);
    /// Submits a draft for review, at the row version read.
    tx submit_revision(version_id: String, expected_version: i32) -> IsoRevisionResponse
        = submit(&version_id, expected_version);
    /// Sends a revision under review back to draft, at the row version read.
    tx return_revision(version_id: String, expected_version: i32, req: ReasonRequest)
        -> IsoRevisionResponse = return_to_draft(&version_id, expected_version, &req.reason);
    /// Approves a reviewed revision, at the row version read.
    tx approve_revision(version_id: String, expected_version: i32) -> IsoRevisionResponse
        = approve(&version_id, expected_version);
    /// Abandons a revision not yet issued, at the row version read.
    tx withdraw_revision(version_id: String, expected_version: i32, req: ReasonRequest)
        -> IsoRevisionResponse = abandon(&version_id, expected_version, &req.reason);
    /// Reviewers' comments on a revision, oldest first.
    run list_comments(version_id: String) -> Vec<ReviewCommentResponse>
        = comments(&version_id)
        then |list| Ok(list.into_iter().map(Into::into).collect());
    /// Comments on a revision in review.
    tx add_comment(version_id: String, req: CommentRequest) -> ReviewCommentResponse
        = comment(&version_id, &req) then |c| Ok(c.into());
    /// The line diff of a revision's text against another revision of its document (by
    /// default the one it follows).
    run diff_revision(version_id: String, against: Option<String>) -> DiffResponse
        = diff(&version_id, against.as_deref());
}

pub fn revisions(
    conn: &mut Conn,
    caller: &Caller,
    document_id: &str,
) -> ApiResult<Vec<IsoRevisionResponse>> {
    load_readable(conn, caller, document_id)?;
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

/// A revision about to take a step, with its version, its document and the metadata.
pub(super) struct Loaded {
    pub rev: IsoRevision,
    pub version: Version,
    pub doc: Document,
    pub iso: IsoDocument,
}

/// A step taken: the revision as changed, what was loaded before, the reason given.
pub(super) struct Taken {
    pub updated: IsoRevision,
    pub before: Loaded,
    pub reason: Option<String>,
}

/// A step to take: its event, what it writes beside the state, the reason given.
pub(super) struct Step {
    pub event: RevisionEvent,
    pub changes: IsoRevisionChanges,
    pub reason: Option<String>,
}

impl Step {
    /// The event alone, writing nothing else.
    fn of(event: RevisionEvent) -> Self {
        Step {
            event,
            changes: IsoRevisionChanges::default(),
            reason: None,
        }
    }
}

/// The audit action of a step of the workflow.
pub(super) fn action_of(event: RevisionEvent) -> &'static str {
    match event {
        RevisionEvent::Submit => "iso.revision.submit",
        RevisionEvent::Return => "iso.revision.return",
        RevisionEvent::Approve => "iso.revision.approve",
        RevisionEvent::Abandon => "iso.revision.withdraw",
        RevisionEvent::Issue => "iso.revision.issue",
        RevisionEvent::Supersede => "iso.revision.supersede",
        RevisionEvent::WithdrawDocument => "iso.revision.withdraw",
    }
}

/// Takes a step on the revision at `version_id` as the caller: `allowed` checks what
/// the step asks of the caller and the revision and says which step it is and what it
/// writes; the state change is checked by `domain::iso`, made at the row version the
/// caller read, and audited.
fn take(
    conn: &mut Tx<'_>,
    caller: &Caller,
    version_id: &str,
    expected_version: i32,
    allowed: impl FnOnce(&Loaded) -> ApiResult<Step>,
) -> ApiResult<Taken> {
    let (rev, version, doc, iso) = load_revision(conn, Some(caller), version_id)?;
    let loaded = Loaded {
        rev,
        version,
        doc,
        iso,
    };
    let Step {
        event,
        mut changes,
        reason,
    } = allowed(&loaded)?;
    let rev = &loaded.rev;
    let from: RevisionState = rev.state;
    let to = rules::next_state(from, event)?;
    check_row_version(rev.row_version, expected_version)?;
    changes.state = Some(to);
    let updated = q::update_revision(conn, &rev.version_id, Some(expected_version), &changes)?;
    audit_doc(
        conn,
        &caller.actor(),
        action_of(event),
        &rev.document_id,
        Some((from, to)),
        reason.as_deref(),
        serde_json::json!({"version_id": rev.version_id}),
    )?;
    Ok(Taken {
        updated,
        before: loaded,
        reason,
    })
}

/// The draft goes to review (the owner's ISO controller).
pub fn submit(
    conn: &mut Tx<'_>,
    caller: &Caller,
    version_id: &str,
    expected_version: i32,
) -> ApiResult<IsoRevisionResponse> {
    let t = take(conn, caller, version_id, expected_version, |r| {
        require_owner(caller, &r.iso)?;
        ensure_in_use(&r.doc)?;
        Ok(Step {
            changes: IsoRevisionChanges {
                submitted_at: Some(Some(db::now())),
                ..Default::default()
            },
            ..Step::of(RevisionEvent::Submit)
        })
    })?;
    revision_response(conn, t.updated, &t.before.version)
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
    let t = take(conn, caller, version_id, expected_version, |r| {
        if caller.require(Action::ApproveVersions).is_err() {
            require_owner(caller, &r.iso)?;
        }
        ensure_in_use(&r.doc)?;
        Ok(Step {
            reason: Some(clean_text("reason", reason, 2000)?),
            ..Step::of(RevisionEvent::Return)
        })
    })?;
    revision_response(conn, t.updated, &t.before.version)
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
    let t = take(conn, caller, version_id, expected_version, |r| {
        ensure_in_use(&r.doc)?;
        if r.version.author_id.as_deref() == Some(caller.user_id.as_str()) {
            return Err(guard(
                "approver_is_not_author",
                "the author of a revision may not approve it",
            ));
        }
        Ok(Step::of(RevisionEvent::Approve))
    })?;
    db::versions::approve(conn, version_id, &caller.user_id, db::now())?;
    mark_ever_approved(conn, &t.before.doc)?;
    let v = db::versions::get(conn, version_id)?;
    revision_response(conn, t.updated, &v)
}

/// Records that the document has had an approved text (it can no longer be deleted).
pub(super) fn mark_ever_approved(conn: &mut Tx<'_>, doc: &Document) -> ApiResult<()> {
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
    Ok(())
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
    let t = take(conn, caller, version_id, expected_version, |r| {
        require_owner(caller, &r.iso)?;
        let reason = clean_text("reason", reason, 2000)?;
        Ok(Step {
            event: RevisionEvent::Abandon,
            changes: IsoRevisionChanges {
                withdrawn_at: Some(Some(db::now())),
                withdrawn_by: Some(Some(caller.user_id.clone())),
                withdrawal_reason: Some(Some(reason.clone())),
                ..Default::default()
            },
            reason: Some(reason),
        })
    })?;
    if let Some(c) = q::change_request_of_revision(conn, version_id)? {
        if c.state == ChangeRequestState::Accepted {
            set_change_request_state(
                conn,
                &caller.actor(),
                &c,
                ChangeRequestState::Cancelled,
                t.reason.as_deref(),
            )?;
        }
    }
    revision_response(conn, t.updated, &t.before.version)
}

pub fn comment(
    conn: &mut Tx<'_>,
    caller: &Caller,
    version_id: &str,
    req: &CommentRequest,
) -> ApiResult<IsoReviewComment> {
    caller.require(Action::CommentOnRevisions)?;
    let (rev, _, doc, _) = load_revision(conn, Some(caller), version_id)?;
    if rev.state != RevisionState::InReview {
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
