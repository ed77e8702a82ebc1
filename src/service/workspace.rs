//! The document workspace: everything a member of staff works on for one document, read
//! for one caller (the document with the actions open to them, its versions and the
//! structure of the latest, its relations both ways, its appraisals and, for the roles that
//! read the audit log, its history), and the relation a page adds by the other document's
//! number.

use serde::Serialize;

use super::audit::{self, AuditEntry};
use super::documents::{self as docs, DocumentResponse};
use super::dto::OrgUnitRef;
use super::relations::{self, CreateRelationRequest, RelationResponse, RelationsResponse};
use super::versions::{self, StructureResponse, VersionResponse};
use super::workflow::{self, AppraisalResponse};
use super::{policy, Caller};
use crate::auth::Action;
use crate::db::Db;
use crate::domain::kinds::{DocumentKind, DocumentState, RelationKind};
use crate::error::{ApiResult, AppError};

/// One document as its workspace shows it to one caller.
#[derive(Debug, Clone, Serialize)]
pub struct Workspace {
    pub document: DocumentResponse,
    /// Oldest first.
    pub versions: Vec<VersionResponse>,
    /// The structure of the latest version with text.
    pub structure: Option<StructureResponse>,
    pub relations: RelationsResponse,
    pub appraisals: Vec<AppraisalResponse>,
    /// The document's audit history, newest last (absent for roles that do not read the
    /// audit log).
    pub history: Option<Vec<AuditEntry>>,
    /// Whether the caller may change the metadata and add versions now.
    pub may_edit: bool,
    /// Whether the caller may add and remove this document's relations.
    pub may_relate: bool,
}

/// The most entries of history a workspace shows.
const HISTORY_LIMIT: i64 = 200;

/// The workspace of a document the caller may see (404 otherwise).
pub async fn workspace(db: &Db, caller: Caller, id: String) -> ApiResult<Workspace> {
    let document = docs::get_document(db, Some(caller.clone()), id.clone(), super::today()).await?;
    let versions = versions::versions_of(db, Some(caller.clone()), id.clone()).await?;
    let structure = match versions.iter().rev().find(|v| v.has_text) {
        Some(v) => Some(versions::structure_of(db, Some(caller.clone()), v.id.clone()).await?),
        None => None,
    };
    let relations = relations::relations_of(db, Some(caller.clone()), id.clone()).await?;
    let appraisals = workflow::appraisals(db, caller.clone(), id.clone()).await?;
    let history = if caller.may(Action::ReadAudit) {
        let all = audit::history(db, caller.clone(), "document".into(), id, 0, HISTORY_LIMIT);
        Some(all.await?)
    } else {
        None
    };
    let (may_edit, may_relate) = rights(db, caller, id_of(&document)).await?;
    Ok(Workspace {
        may_edit,
        may_relate,
        document,
        versions,
        structure,
        relations,
        appraisals,
        history,
    })
}

fn id_of(d: &DocumentResponse) -> String {
    d.id.clone()
}

/// What the caller may write on the document: its metadata and versions (the checks of
/// [`super::versions::create`] and [`super::documents::update`]), and its relations (those
/// of [`super::relations::create`]).
async fn rights(db: &Db, caller: Caller, id: String) -> ApiResult<(bool, bool)> {
    db.run(move |conn| -> ApiResult<(bool, bool)> {
        let doc = docs::get(conn, Some(&caller), &id)?;
        let writes = policy::require_document_write(conn, &caller, &doc).is_ok();
        let edit = caller.may(Action::EditDocuments)
            && writes
            && docs::ensure_not_promulgated(&doc).is_ok()
            && doc.state != DocumentState::Withdrawn;
        let relate = policy::require_relate(conn, &caller, &doc, RelationKind::Amends).is_ok();
        Ok((edit, relate))
    })
    .await
}

/// Relates `source_id` to the document `target` names: its id, or its number when exactly
/// one visible document has it (a number shared by several asks for the id).
pub async fn relate_to(
    db: &Db,
    caller: Caller,
    source_id: String,
    target: String,
    mut req: CreateRelationRequest,
) -> ApiResult<RelationResponse> {
    let target = target.trim();
    if target.is_empty() {
        return Err(AppError::invalid("target", "name the other document"));
    }
    req.target_id = if uuid::Uuid::parse_str(target).is_ok() {
        target.to_owned()
    } else {
        let found = super::search::by_number(db, Some(caller.clone()), target).await?;
        match found.as_slice() {
            [one] => one.id.clone(),
            [] => return Err(AppError::invalid("target", "no document has this number")),
            _ => {
                return Err(AppError::invalid(
                    "target",
                    "several documents have this number; give the id",
                ))
            }
        }
    };
    relations::add_relation(db, caller, source_id, req).await
}

/// The kinds of document the caller may start a draft of (none for a role that drafts
/// nothing): the legal kinds a district issues, or the quality documents.
pub fn draft_kinds(caller: &Caller) -> Vec<DocumentKind> {
    use DocumentKind as K;
    [
        K::Resolution,
        K::Decision,
        K::Directive,
        K::Plan,
        K::Scheme,
        K::Program,
    ]
    .into_iter()
    .chain(DocumentKind::ALL.iter().copied().filter(|k| k.is_iso()))
    .filter(|k| policy::require_family(caller, *k).is_ok())
    .collect()
}

/// The units a new draft of the caller may be issued by (a legal officer any, others their
/// own unit and the units above it), in the order of the org chart.
pub async fn issuers(db: &Db, caller: Caller) -> ApiResult<Vec<OrgUnitRef>> {
    let units = super::org_units::list_units(db, &caller).await?;
    Ok(units
        .into_iter()
        .filter(|u| {
            policy::require_issuer(&caller, DocumentKind::Decision, Some(&u.id), false).is_ok()
        })
        .map(|u| OrgUnitRef {
            id: u.id,
            code: u.code,
            name: u.name,
        })
        .collect())
}
