//! Controlled copies: the copies out, their recall and their return.

use std::collections::HashMap;

use super::ControlledCopyResponse;
use super::{check_row_version, copy_response, load, load_readable, owned_by, require_owner};
use crate::auth::Action;
use crate::db::{self, iso as q, Conn, Tx};
use crate::domain::iso as rules;
use crate::error::ApiResult;
use crate::service::iso_hooks::{audit_doc, guard};
use crate::service::Caller;

use_cases! {
    /// The controlled copies of a document, of every revision; only those asked back and
    /// not yet returned when `outstanding_only`.
    run list_copies(document_id: String, outstanding_only: bool)
        -> Vec<ControlledCopyResponse> = copies(&document_id, outstanding_only);
    /// Copies asked back and not yet returned, of one owner's documents or of all.
    run list_outstanding_copies(owner: Option<String>) -> Vec<ControlledCopyResponse>
        = outstanding_copies(owner.as_deref());
    /// Confirms that a recalled copy came back, at the row version read.
    tx confirm_withdrawal(copy_id: String, expected_version: i32) -> ControlledCopyResponse
        = confirm_copy_withdrawn(&copy_id, expected_version);
}

pub(super) fn revision_labels(
    conn: &mut Conn,
    document_ids: &[String],
) -> ApiResult<HashMap<String, String>> {
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
    load_readable(conn, caller, document_id)?;
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
    let ids: Vec<String> = owned_by(conn, owner)?
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
