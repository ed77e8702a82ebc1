//! The document workspace: everything a member of staff works on for one document, read
//! for one caller (the document with the actions open to them, its versions and the
//! structure of the latest, its relations both ways, its appraisals and, for the roles that
//! read the audit log, its history), and the relation a page adds by the other document's
//! number.

use serde::Serialize;

use super::audit::AuditEntry;
use super::documents::{self as docs, DocumentResponse};
use super::dto::OrgUnitRef;
use super::relations::{self, CreateRelationRequest, RelationResponse, RelationsResponse};
use super::versions::{self, StructureResponse, VersionResponse};
use super::workflow::{self, AppraisalResponse};
use super::{policy, Caller};
use crate::auth::Action;
use crate::db::{self, Db};
use crate::domain::kinds::{DocumentKind, RelationKind};
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

/// The workspace of a document the caller may see (404 otherwise), read on one connection:
/// the document is read and its visibility checked once.
pub async fn workspace(db: &Db, caller: Caller, id: String) -> ApiResult<Workspace> {
    db.run(move |conn| -> ApiResult<Workspace> {
        let doc = docs::get(conn, Some(&caller), &id)?;
        // What the writes check (`versions::create` and `documents::update` alike, and
        // `relations::create`).
        let may_edit = versions::check_writable(conn, &caller, &doc).is_ok();
        let may_relate = policy::require_relate(conn, &caller, &doc, RelationKind::Amends).is_ok();
        let rows = db::versions::list(conn, &id)?;
        let structure = match rows.iter().rev().find(|v| v.body.is_some()) {
            Some(v) => Some(versions::structure(conn, v)?),
            None => None,
        };
        let versions = rows
            .into_iter()
            .map(|v| versions::response(conn, v, false))
            .collect::<ApiResult<Vec<_>>>()?;
        let relations = relations::responses(conn, &caller, &doc)?;
        let appraisals = workflow::appraisals_of(conn, &id)?;
        let history = match caller.may(Action::ReadAudit) {
            true => Some(
                db::audit::for_entity(conn, "document", &id, 0, HISTORY_LIMIT)?
                    .into_iter()
                    .map(AuditEntry::from)
                    .collect(),
            ),
            false => None,
        };
        Ok(Workspace {
            document: docs::response(conn, doc, super::today(), Some(&caller))?,
            versions,
            structure,
            relations,
            appraisals,
            history,
            may_edit,
            may_relate,
        })
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
