//! The revision workflow: one revision, its transitions, review comments and diffs.

use super::*;

routes! {
    tag "iso";

    /// One revision: state, revision number, effective date, what replaced it, and the
    /// obsolete stamp it must carry when it is superseded or withdrawn.
    get "/iso/revisions/{id}" => get_iso_revision(st, caller: Auth, id: Path)
        -> [RevisionOk, ReadErrors]
        { Ok(revision(svc::get_revision(&st.db, caller, id).await?)) }

    /// Submit a draft revision for review (ISO controller of the owner agency; `If-Match`).
    post "/iso/revisions/{id}/submit"
        => submit_iso_revision(st, caller: Auth, (id, version): IfMatch)
        -> [RevisionOk, WriteErrors, IfMatchErrors]
        { Ok(revision(svc::submit_revision(&st.db, caller, id, version).await?)) }

    /// Send a revision under review back to draft, with the reason (approver or the owner's
    /// ISO controller; `If-Match`).
    post "/iso/revisions/{id}/return" => return_iso_revision(
        st, caller: Auth, (id, version): IfMatch, body: Json<ReasonRequest>
    ) -> [RevisionOk, WriteErrors, BodyErrors, IfMatchErrors]
        { Ok(revision(svc::return_revision(&st.db, caller, id, version, body).await?)) }

    /// Approve a reviewed revision (approver, never its author; `If-Match`).
    post "/iso/revisions/{id}/approve"
        => approve_iso_revision(st, caller: Auth, (id, version): IfMatch)
        -> [RevisionOk, WriteErrors, IfMatchErrors]
        { Ok(revision(svc::approve_revision(&st.db, caller, id, version).await?)) }

    /// Issue an approved revision: current from its effective date, the previous one
    /// superseded, its copies recalled, numbered copies made for the distribution list
    /// (ISO controller of the owner agency; `If-Match`).
    post "/iso/revisions/{id}/issue" => issue_iso_revision(
        st, caller: Auth, (id, version): IfMatch, body: Json<IssueRequest>
    ) -> [RevisionOk, WriteErrors, BodyErrors, IfMatchErrors]
        { Ok(revision(svc::issue_revision(&st.db, caller, id, version, body).await?)) }

    /// Abandon a revision not yet issued (ISO controller of the owner agency; `If-Match`).
    /// The current revision is withdrawn with its document: `POST /documents/{id}/withdraw`.
    post "/iso/revisions/{id}/withdraw" => withdraw_iso_revision(
        st, caller: Auth, (id, version): IfMatch, body: Json<ReasonRequest>
    ) -> [RevisionOk, WriteErrors, BodyErrors, IfMatchErrors]
        { Ok(revision(svc::withdraw_revision(&st.db, caller, id, version, body).await?)) }

    /// Reviewers' comments on a revision, oldest first.
    get "/iso/revisions/{id}/comments" => list_review_comments(st, caller: Auth, id: Path)
        -> [(status = 200, body = Vec<ReviewCommentResponse>), ReadErrors]
        { ok(svc::list_comments(&st.db, caller, id).await?) }

    /// Comment on a revision while it is in review.
    post "/iso/revisions/{id}/comments"
        => create_review_comment(st, caller: Auth, id: Path, body: Json<CommentRequest>)
        -> [(status = 201, body = ReviewCommentResponse), WriteErrors, BodyErrors]
        { Ok(HttpResponse::Created().json(svc::add_comment(&st.db, caller, id, body).await?)) }

    /// What changed: a line diff of the revision's text against another revision of the
    /// same document (by default the one it follows).
    get "/iso/revisions/{id}/diff"
        => diff_iso_revision(st, caller: Auth, id: Path, q: Query<DiffQuery>)
        -> [(status = 200, body = DiffResponse), ReadErrors]
        {
            let against = match q.against {
                Some(a) => Some(
                    uuid::Uuid::parse_str(&a)
                        .map(|u| u.to_string())
                        .map_err(|_| AppError::invalid("against", "not a version id"))?,
                ),
                None => None,
            };
            ok(svc::diff_revision(&st.db, caller, id, against).await?)
        }
}
