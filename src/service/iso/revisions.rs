//! The revision workflow: review, approval, issue, abandonment, comments and diffs.

use super::*;

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
pub(super) fn step(
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

pub(super) fn issue_unchecked(
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
