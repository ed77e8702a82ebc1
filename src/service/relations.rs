//! Relations between documents (căn cứ, sửa đổi, thay thế, bãi bỏ, ...).

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::documents as docs;
use super::dto::DocumentRef;
use super::{clean_opt, policy, Caller};
use crate::auth::Action;
use crate::db::audit::{self, Actor, Event};
use crate::db::models::{Document, Relation};
use crate::db::{self, Conn, Db, Tx};
use crate::domain::kinds::{RelationKind, RelationScope};
use crate::error::{ApiResult, AppError};

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRelationRequest {
    /// The document this one acts on (is based on, amends, repeals, ...).
    pub target_id: String,
    pub kind: RelationKind,
    /// `full` or `partial`; defaults to `partial` for `amends`, `full` otherwise.
    pub scope: Option<RelationScope>,
    /// The date from which the relation has effect. Required for `amends`, `replaces`,
    /// `repeals` and `suspends`; may be absent for `based_on`, `guides`, `corrects`
    /// when the acting document's date is not known.
    pub effective_on: Option<NaiveDate>,
    /// For a suspension: the date it ends, if known.
    pub effective_until: Option<NaiveDate>,
    pub note: Option<String>,
}

/// Creates a relation (no permission checks; used by the demo loader too).
pub fn insert_audited(
    conn: &mut Tx<'_>,
    actor: &Actor,
    source_id: &str,
    req: &CreateRelationRequest,
    created_by: Option<String>,
) -> ApiResult<Relation> {
    let scope = checked_scope(source_id, req)?;
    let inserted = db::relations::insert(
        conn,
        &Relation {
            id: db::new_id(),
            source_id: source_id.to_owned(),
            target_id: req.target_id.clone(),
            kind: req.kind,
            scope,
            effective_on: req.effective_on,
            effective_until: req.effective_until,
            note: clean_opt("note", req.note.as_deref(), 2000)?,
            created_by,
            created_at: db::now(),
        },
    );
    let r = super::unique(inserted, || {
        format!(
            "a {} relation between these documents already exists",
            req.kind
        )
    })?;
    let details = serde_json::json!({
        "relation_id": r.id, "kind": r.kind, "scope": r.scope,
        "source_id": r.source_id, "target_id": r.target_id, "effective_on": r.effective_on,
    });
    audit_both_ends(
        conn,
        actor,
        [
            ("relation.add", source_id),
            ("relation.received", &r.target_id),
        ],
        details,
    )?;
    // A changed legal basis puts every document based on it up for review.
    super::review::flag_dependents(conn, actor, &r)?;
    Ok(r)
}

/// The entry of a relation in the history of the documents at both of its ends.
fn audit_both_ends(
    conn: &mut Tx<'_>,
    actor: &Actor,
    ends: [(&str, &str); 2],
    details: serde_json::Value,
) -> ApiResult<()> {
    for (action, entity) in ends {
        let event = Event::detailed(action, "document", entity, details.clone());
        audit::append(conn, actor, event)?;
    }
    Ok(())
}

/// The request's dates and ends checked; its scope, by default `partial` for `amends` and
/// `full` otherwise.
fn checked_scope(source_id: &str, req: &CreateRelationRequest) -> ApiResult<RelationScope> {
    if source_id == req.target_id {
        return Err(AppError::invalid(
            "target_id",
            "a document cannot relate to itself",
        ));
    }
    let affects_effect = matches!(
        req.kind,
        RelationKind::Amends
            | RelationKind::Replaces
            | RelationKind::Repeals
            | RelationKind::Suspends
    );
    if affects_effect && req.effective_on.is_none() {
        return Err(AppError::invalid(
            "effective_on",
            "required: this relation changes the target's legal effect from a date",
        ));
    }
    if let (Some(u), Some(on)) = (req.effective_until, req.effective_on) {
        if u <= on {
            return Err(AppError::invalid(
                "effective_until",
                "must be after effective_on",
            ));
        }
    }
    Ok(req.scope.unwrap_or(match req.kind {
        RelationKind::Amends => RelationScope::Partial,
        _ => RelationScope::Full,
    }))
}

pub fn create(
    conn: &mut Tx<'_>,
    caller: &Caller,
    source_id: &str,
    req: &CreateRelationRequest,
) -> ApiResult<Relation> {
    // The role is checked before the document is read (a refusal tells nothing of it).
    if !policy::cites_own_basis(caller, req.kind) {
        caller.require(Action::ManageRelations)?;
    }
    let source = docs::get(conn, Some(caller), source_id)?;
    policy::require_relate(conn, caller, &source, req.kind)?;
    docs::get(conn, Some(caller), &req.target_id)
        .map_err(|_| AppError::invalid("target_id", "no such document"))?;
    insert_audited(
        conn,
        &caller.actor(),
        source_id,
        req,
        Some(caller.user_id.clone()),
    )
}

pub fn delete(conn: &mut Tx<'_>, caller: &Caller, id: &str) -> ApiResult<()> {
    // Removing a citation, even an ISO document's, stays with the relation managers.
    caller.require(Action::ManageRelations)?;
    let r = db::relations::get(conn, id)?;
    let source = docs::get(conn, Some(caller), &r.source_id)?;
    policy::require_relation_scope(conn, caller, &source)?;
    db::relations::delete(conn, id)?;
    audit_both_ends(
        conn,
        &caller.actor(),
        [
            ("relation.remove", &r.source_id),
            ("relation.removed", &r.target_id),
        ],
        serde_json::json!({
            "relation_id": r.id, "kind": r.kind, "source_id": r.source_id, "target_id": r.target_id
        }),
    )
}

/// Relations, each with the document at its other end.
pub type Linked = Vec<(Relation, crate::db::models::Document)>;

/// Both directions, each with the other document, keeping only documents the caller sees.
pub fn both_directions(
    conn: &mut Conn,
    caller: Option<&Caller>,
    id: &str,
) -> ApiResult<(Linked, Linked)> {
    docs::get(conn, caller, id)?;
    linked(conn, caller, id)
}

/// [`both_directions`] of a document the caller is known to see.
fn linked(conn: &mut Conn, caller: Option<&Caller>, id: &str) -> ApiResult<(Linked, Linked)> {
    let with_other = |conn: &mut Conn, rels: Vec<Relation>, outgoing: bool| -> ApiResult<Vec<_>> {
        let mut out = vec![];
        for r in rels {
            let other_id = if outgoing { &r.target_id } else { &r.source_id };
            let other = db::documents::get(conn, other_id)?;
            if super::can_see(caller, &other) {
                out.push((r, other));
            }
        }
        Ok(out)
    };
    let outgoing = db::relations::outgoing(conn, id)?;
    let outgoing = with_other(conn, outgoing, true)?;
    let incoming = db::relations::incoming(conn, id)?;
    let incoming = with_other(conn, incoming, false)?;
    Ok((outgoing, incoming))
}

/// The read model of both directions of a visible document's relations.
pub fn responses(conn: &mut Conn, caller: &Caller, doc: &Document) -> ApiResult<RelationsResponse> {
    read_model(linked(conn, Some(caller), &doc.id)?)
}

fn read_model((outgoing, incoming): (Linked, Linked)) -> ApiResult<RelationsResponse> {
    let map = |v: Linked| -> ApiResult<Vec<RelationResponse>> {
        v.into_iter()
            .map(|(r, d)| RelationResponse::from_row(r, Some(&d)))
            .collect()
    };
    Ok(RelationsResponse {
        outgoing: map(outgoing)?,
        incoming: map(incoming)?,
    })
}

/// Both directions of the relations of a document the caller may see.
pub async fn relations_of(
    db: &Db,
    caller: Option<Caller>,
    id: String,
) -> ApiResult<RelationsResponse> {
    db.run(move |conn| both_directions(conn, caller.as_ref(), &id))
        .await
        .and_then(read_model)
}

/// Relates document `source_id` to another.
pub async fn add_relation(
    db: &Db,
    caller: Caller,
    source_id: String,
    req: CreateRelationRequest,
) -> ApiResult<RelationResponse> {
    let r = db
        .tx(move |conn| create(conn, &caller, &source_id, &req))
        .await?;
    RelationResponse::from_row(r, None)
}

/// Removes a relation.
pub async fn remove_relation(db: &Db, caller: Caller, id: String) -> ApiResult<()> {
    db.tx(move |conn| delete(conn, &caller, &id)).await
}

// ---- Wire shapes ----

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RelationResponse {
    pub id: String,
    pub source_id: String,
    pub target_id: String,
    pub kind: RelationKind,
    pub label_vi: &'static str,
    pub scope: RelationScope,
    pub effective_on: Option<NaiveDate>,
    pub effective_until: Option<NaiveDate>,
    pub note: Option<String>,
    /// The document at the other end (absent when the relation itself is returned).
    pub other: Option<DocumentRef>,
    #[serde(with = "crate::service::timestamp::utc")]
    pub created_at: NaiveDateTime,
}

impl RelationResponse {
    pub fn from_row(r: Relation, other: Option<&Document>) -> ApiResult<Self> {
        let kind: RelationKind = r.kind;
        let other = other.map(|d| DocumentRef {
            id: d.id.clone(),
            kind: d.kind,
            number: d.number.clone(),
            title: d.title.clone(),
        });
        Ok(RelationResponse {
            id: r.id,
            source_id: r.source_id,
            target_id: r.target_id,
            label_vi: kind.label_vi(),
            kind,
            scope: r.scope,
            effective_on: r.effective_on,
            effective_until: r.effective_until,
            note: r.note,
            other,
            created_at: r.created_at,
        })
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RelationsResponse {
    /// What this document acts on: what it is based on, amends, repeals...
    pub outgoing: Vec<RelationResponse>,
    /// What acts on this document: what is based on it, amends it, repeals it...
    pub incoming: Vec<RelationResponse>,
}
