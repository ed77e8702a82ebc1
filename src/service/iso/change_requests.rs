//! Change requests: raised, accepted into a new revision, or rejected.

use super::super::dto::ReasonRequest;
use super::{check_row_version, ensure_in_use, load, load_readable, require_owner};
use super::{AcceptChangeRequest, ChangeRequestResponse, RaiseChangeRequest};
use crate::auth::Action;
use crate::db::audit::{self, Actor, Event};
use crate::db::models::{Document, IsoChangeRequest, IsoChangeRequestChanges};
use crate::db::{self, iso as q, Conn, Tx};
use crate::domain::kinds::{ChangeRequestOrigin, ChangeRequestState};
use crate::error::ApiResult;
use crate::service::iso_hooks::guard;
use crate::service::versions::{self, NewVersion, Upload};
use crate::service::{clean_opt, clean_text, Caller};

use_cases! {
    /// Change requests raised against a document, in order.
    run list_change_requests(document_id: String) -> Vec<ChangeRequestResponse>
        = change_requests(&document_id)
        then |list| list.into_iter().map(ChangeRequestResponse::from_row).collect();
    /// Raises a change request against a document in use.
    tx raise_change_request(document_id: String, req: RaiseChangeRequest)
        -> ChangeRequestResponse = raise(&document_id, &req)
        then ChangeRequestResponse::from_row;
    /// One change request.
    run get_change_request(id: String) -> ChangeRequestResponse = change_request(&id)
        then ChangeRequestResponse::from_row;
    /// Accepts an open change request at the row version read: a revision draft opens.
    tx accept_change_request(id: String, expected_version: i32, req: AcceptChangeRequest)
        -> ChangeRequestResponse = accept(&id, expected_version, &req)
        then ChangeRequestResponse::from_row;
    /// Rejects an open change request at the row version read, with the reason.
    tx reject_change_request(id: String, expected_version: i32, req: ReasonRequest)
        -> ChangeRequestResponse = reject(&id, expected_version, &req.reason)
        then ChangeRequestResponse::from_row;
}

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

pub(super) fn raise_unchecked(
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
            origin,
            reason: reason.clone(),
            proposed_change: proposed,
            state: ChangeRequestState::Open,
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
    load_readable(conn, caller, document_id)?;
    Ok(q::change_requests(conn, document_id)?)
}

pub fn change_request(conn: &mut Conn, caller: &Caller, id: &str) -> ApiResult<IsoChangeRequest> {
    caller.require(Action::ReadIsoRecords)?;
    let c = q::get_change_request(conn, id)?;
    load(conn, Some(caller), &c.document_id)?;
    Ok(c)
}

pub(super) fn load_open_request(
    conn: &mut Conn,
    caller: &Caller,
    id: &str,
    expected_version: i32,
) -> ApiResult<(IsoChangeRequest, Document)> {
    let c = q::get_change_request(conn, id)?;
    let (doc, iso) = load(conn, Some(caller), &c.document_id)?;
    require_owner(caller, &iso)?;
    ensure_in_use(&doc)?;
    if c.state != ChangeRequestState::Open {
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

pub(super) fn accept_unchecked(
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
            state: Some(ChangeRequestState::Accepted),
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
            from_state: Some(c.state.as_str()),
            to_state: Some(updated.state.as_str()),
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
            state: Some(ChangeRequestState::Rejected),
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
            from_state: Some(c.state.as_str()),
            to_state: Some(updated.state.as_str()),
            reason: Some(&reason),
            details: Some(serde_json::json!({"change_request_id": c.id, "seq": c.seq})),
        },
    )?;
    Ok(updated)
}
