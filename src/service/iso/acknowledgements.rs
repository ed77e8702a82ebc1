//! Read-and-understood acknowledgements of the current revision.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDateTime;

use super::{ensure_in_use, load, load_readable, user_ref};
use super::{
    AcknowledgeRequest, AcknowledgedBy, AcknowledgementResponse, AcknowledgementsResponse,
};
use crate::auth::Action;
use crate::db::audit::Actor;
use crate::db::models::{Acknowledgement, Document, User};
use crate::db::{self, iso as q, Conn, Tx};
use crate::domain::iso as rules;
use crate::error::{ApiResult, AppError};
use crate::service::iso_hooks::{audit_doc, guard, recipient_ids};
use crate::service::Caller;

use_cases! {
    /// Acknowledges the current revision as read and understood; says whether the
    /// acknowledgement is new (acknowledging twice is harmless).
    tx acknowledge_document(document_id: String, req: AcknowledgeRequest)
        -> (AcknowledgementResponse, bool) = acknowledge(&document_id, &req)
        then |(a, new)| Ok((a.into(), new));
    /// Who has acknowledged the current revision, and who has not.
    run list_acknowledgements(document_id: String) -> AcknowledgementsResponse
        = acknowledgements(&document_id);
}

/// The people who must acknowledge: those named on the list and the active accounts
/// of the units on it.
pub(super) fn recipient_users(conn: &mut Conn, document_id: &str) -> ApiResult<Vec<User>> {
    let (unit_ids, user_ids) = recipient_ids(&q::distribution(conn, document_id)?);
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
pub(super) fn acknowledge_unchecked(
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
    load_readable(conn, caller, document_id)?;
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
