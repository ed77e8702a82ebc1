//! Review (rà soát): flags raised when a document's legal basis changes, and review
//! campaigns over a set of documents with a result for each ([`campaigns`]). The read
//! models the use cases answer are in [`views`].

use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::documents as docs;
use super::{can_see, clean_text, Caller};
use crate::auth::Action;
use crate::db::audit::{self, Actor, Event};
use crate::db::models::{Document, Relation, ReviewFlag};
use crate::db::review::FlagFilter;
use crate::db::{self, Conn, Db, Tx};
use crate::domain::kinds::{DocumentState, RelationKind};
use crate::domain::review::{dependent_needs_review, flag_cause};
use crate::error::{ApiResult, AppError};

mod campaigns;
mod desk;
mod views;

pub use campaigns::*;
pub use desk::*;
pub use views::*;

/// The size of a page of a list (`limit`): 1 to 500, 100 unless asked.
pub fn list_limit(limit: Option<i64>) -> ApiResult<i64> {
    let limit = limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(AppError::invalid("limit", "between 1 and 500"));
    }
    Ok(limit)
}

/// An id sent by a client: a UUID, else nothing of that id exists (404).
pub fn known_id(raw: &str) -> ApiResult<String> {
    uuid::Uuid::parse_str(raw)
        .map(|u| u.to_string())
        .map_err(|_| AppError::NotFound)
}

/// The org unit named by an id or code in `field`, when one is named.
fn unit_named(conn: &mut Conn, field: &'static str, v: Option<&str>) -> ApiResult<Option<String>> {
    v.map(|v| docs::resolve_org_unit(conn, field, v))
        .transpose()
}

fn short_name(d: &Document) -> String {
    d.number.clone().unwrap_or_else(|| d.title.clone())
}

pub fn audit_flag_opened(conn: &mut Tx<'_>, actor: &Actor, flag: &ReviewFlag) -> ApiResult<()> {
    audit::append(
        conn,
        actor,
        Event {
            action: "review_flag.open",
            entity_type: "review_flag",
            entity_id: &flag.id,
            to_state: Some("open"),
            details: Some(serde_json::json!({
                "document_id": flag.document_id, "cause_kind": flag.cause_kind,
                "cause_document_id": flag.cause_document_id,
                "cause_relation_id": flag.cause_relation_id,
                "cause_self_inspection_id": flag.cause_self_inspection_id,
                "action": flag.action, "detail": flag.detail,
            })),
            ..Default::default()
        },
    )?;
    Ok(())
}

/// After a relation that amends, replaces, repeals or suspends its target: flags every
/// document based on that target for review, with the cause. Documents signed after the
/// change took effect, or already expired by then, are left alone.
pub fn flag_dependents(
    conn: &mut Tx<'_>,
    actor: &Actor,
    relation: &Relation,
) -> ApiResult<Vec<ReviewFlag>> {
    let kind: RelationKind = relation.kind;
    let Some(cause) = flag_cause(kind) else {
        return Ok(vec![]);
    };
    let source = db::documents::get(conn, &relation.source_id)?;
    let target = db::documents::get(conn, &relation.target_id)?;
    let on = relation.effective_on.unwrap_or_else(super::today);
    let mut flags = vec![];
    for dep in db::review::based_on(conn, &target.id)? {
        if dep.id == source.id || dep.state == DocumentState::Withdrawn {
            continue;
        }
        let effect = docs::effect(conn, &dep, on)?;
        if !dependent_needs_review(dep.signed_on, effect.effect, relation.effective_on) {
            continue;
        }
        let detail = format!(
            "{}: {} — {} bởi {}, từ {}",
            cause.label_vi(),
            short_name(&target),
            kind.label_vi(),
            short_name(&source),
            on.format("%d/%m/%Y"),
        );
        let flag = db::review::insert_flag(
            conn,
            &ReviewFlag {
                id: db::new_id(),
                document_id: dep.id.clone(),
                cause_kind: cause,
                cause_document_id: Some(source.id.clone()),
                cause_relation_id: Some(relation.id.clone()),
                cause_self_inspection_id: None,
                action: None,
                detail,
                created_by: actor.id.clone(),
                created_at: db::now(),
                resolved_at: None,
                resolved_by: None,
                resolution: None,
            },
        )?;
        audit_flag_opened(conn, actor, &flag)?;
        flags.push(flag);
    }
    Ok(flags)
}

/// A flag with the document to review and the document that caused it.
#[derive(Debug, Clone)]
pub struct FlagView {
    pub flag: ReviewFlag,
    pub document: Document,
    pub cause_document: Option<Document>,
}

fn flag_views(
    conn: &mut Conn,
    caller: &Caller,
    flags: Vec<ReviewFlag>,
) -> ApiResult<Vec<FlagView>> {
    let mut ids: Vec<&str> = flags.iter().map(|f| f.document_id.as_str()).collect();
    ids.extend(flags.iter().filter_map(|f| f.cause_document_id.as_deref()));
    let documents = db::review::documents_by_ids(conn, &ids)?;
    let mut out = vec![];
    for flag in flags {
        let Some(document) = documents.get(&flag.document_id).cloned() else {
            continue;
        };
        // A draft under review stays as hidden as the draft itself.
        if !can_see(Some(caller), &document) {
            continue;
        }
        let cause_document = flag
            .cause_document_id
            .as_ref()
            .and_then(|c| documents.get(c))
            .filter(|d| can_see(Some(caller), d))
            .cloned();
        out.push(FlagView {
            flag,
            document,
            cause_document,
        });
    }
    Ok(out)
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FlagState {
    Open,
    Resolved,
    All,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FlagListQuery {
    /// Flags of this document.
    pub document: Option<String>,
    /// Flags of documents of this issuer (org unit id or code).
    pub issuer: Option<String>,
    /// `open` (default), `resolved` or `all`.
    pub state: Option<FlagState>,
    /// 1 to 500, default 100.
    pub limit: Option<i64>,
}

fn list_flags(conn: &mut Conn, caller: &Caller, q: &FlagListQuery) -> ApiResult<Vec<FlagView>> {
    let limit = list_limit(q.limit)?;
    let document_id = q.document.as_deref().map(known_id).transpose()?;
    caller.require(Action::ReadReviews)?;
    let issuer_id = unit_named(conn, "issuer", q.issuer.as_deref())?;
    let flags = db::review::list_flags(
        conn,
        &FlagFilter {
            document_id,
            issuer_id,
            open: match q.state.unwrap_or(FlagState::Open) {
                FlagState::Open => Some(true),
                FlagState::Resolved => Some(false),
                FlagState::All => None,
            },
            limit,
        },
    )?;
    flag_views(conn, caller, flags)
}

/// Resolves a flag with a note; a resolved flag stays resolved.
fn resolve_flag(
    conn: &mut Tx<'_>,
    caller: &Caller,
    id: &str,
    resolution: &str,
) -> ApiResult<FlagView> {
    caller.require(Action::RunReviews)?;
    let flag = db::review::get_flag(conn, id)?;
    let resolution = clean_text("resolution", resolution, 2000)?;
    if !db::review::resolve_flag(conn, id, Some(&caller.user_id), db::now(), &resolution)? {
        return Err(AppError::Conflict {
            guard: Some("review_flag_resolved_once".into()),
            detail: "this flag is already resolved".into(),
        });
    }
    audit::append(
        conn,
        &caller.actor(),
        Event {
            action: "review_flag.resolve",
            entity_type: "review_flag",
            entity_id: id,
            from_state: Some("open"),
            to_state: Some("resolved"),
            reason: Some(&resolution),
            details: Some(serde_json::json!({"document_id": flag.document_id})),
        },
    )?;
    let flag = db::review::get_flag(conn, id)?;
    flag_views(conn, caller, vec![flag])?
        .pop()
        .ok_or(AppError::NotFound)
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveFlagRequest {
    /// What was done: the document was amended by ..., reviewed and still appropriate, ...
    pub resolution: String,
}

/// The flags the caller may see, newest first.
pub async fn review_flags(
    db: &Db,
    caller: Caller,
    q: FlagListQuery,
) -> ApiResult<Vec<ReviewFlagResponse>> {
    db.run(move |conn| {
        let views = list_flags(conn, &caller, &q)?;
        flag_responses(conn, views)
    })
    .await
}

/// Resolves a flag with a note, once.
pub async fn resolve_review_flag(
    db: &Db,
    caller: Caller,
    id: String,
    req: ResolveFlagRequest,
) -> ApiResult<ReviewFlagResponse> {
    db.tx(move |conn| {
        let view = resolve_flag(conn, &caller, &id, &req.resolution)?;
        only(flag_responses(conn, vec![view])?)
    })
    .await
}
