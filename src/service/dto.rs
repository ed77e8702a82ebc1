//! Response bodies shared by several capabilities, and their conversion from rows.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub(super) use super::parse_stored as parse;
use crate::db::models::{AuditRow, Document, OrgUnit, Relation, User, Version};
use crate::db::{self, Conn};
use crate::domain::effect::Effect;
use crate::domain::kinds::{
    DocumentKind, DocumentState, LegalEffect, OrgUnitKind, RelationKind, RelationScope, Role,
};
use crate::error::ApiResult;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrgUnitRef {
    pub id: String,
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrgUnitResponse {
    pub id: String,
    pub code: String,
    pub name: String,
    pub kind: OrgUnitKind,
    pub label_vi: &'static str,
    pub parent_id: Option<String>,
    #[serde(with = "crate::service::timestamp::utc")]
    pub created_at: NaiveDateTime,
    #[serde(with = "crate::service::timestamp::utc")]
    pub updated_at: NaiveDateTime,
    pub row_version: i32,
}

impl OrgUnitResponse {
    pub fn from_row(u: OrgUnit) -> ApiResult<Self> {
        let kind: OrgUnitKind = parse(&u.kind)?;
        Ok(OrgUnitResponse {
            id: u.id,
            code: u.code,
            name: u.name,
            kind,
            label_vi: kind.label_vi(),
            parent_id: u.parent_id,
            created_at: u.created_at,
            updated_at: u.updated_at,
            row_version: u.row_version,
        })
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserResponse {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub org_unit_id: Option<String>,
    pub active: bool,
    #[serde(with = "crate::service::timestamp::utc")]
    pub created_at: NaiveDateTime,
    #[serde(with = "crate::service::timestamp::utc")]
    pub updated_at: NaiveDateTime,
    pub row_version: i32,
}

impl UserResponse {
    pub fn from_row(u: User) -> ApiResult<Self> {
        Ok(UserResponse {
            role: parse(&u.role)?,
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            org_unit_id: u.org_unit_id,
            active: u.active,
            created_at: u.created_at,
            updated_at: u.updated_at,
            row_version: u.row_version,
        })
    }
}

/// The legal effect of a document on a date, with the reason.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EffectResponse {
    pub as_of: NaiveDate,
    pub effect: LegalEffect,
    pub label_vi: &'static str,
    pub since: Option<NaiveDate>,
    /// Ids of the relations that decided it.
    pub because: Vec<String>,
}

impl EffectResponse {
    pub fn new(e: Effect, as_of: NaiveDate) -> Self {
        EffectResponse {
            as_of,
            label_vi: e.effect.label_vi(),
            effect: e.effect,
            since: e.since,
            because: e.because,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DocumentResponse {
    pub id: String,
    pub kind: DocumentKind,
    pub kind_label_vi: &'static str,
    pub number: Option<String>,
    pub title: String,
    pub issuer: Option<OrgUnitRef>,
    pub field: Option<String>,
    pub signer: Option<String>,
    pub signed_on: Option<NaiveDate>,
    pub published_on: Option<NaiveDate>,
    pub effective_from: Option<NaiveDate>,
    pub effective_until: Option<NaiveDate>,
    pub state: DocumentState,
    pub state_label_vi: &'static str,
    pub external: bool,
    /// The corpus id of an imported document.
    pub external_id: Option<String>,
    pub iso_code: Option<String>,
    pub iso_revision: Option<String>,
    /// True once any version was approved: the document can then only be withdrawn.
    pub ever_approved: bool,
    #[serde(with = "crate::service::timestamp::utc_option")]
    pub withdrawn_at: Option<NaiveDateTime>,
    pub legal_effect: EffectResponse,
    /// The workflow actions the caller may take now (`POST /documents/{id}/transitions`).
    pub allowed_actions: Vec<crate::domain::workflow::WorkflowAction>,
    #[serde(with = "crate::service::timestamp::utc")]
    pub created_at: NaiveDateTime,
    #[serde(with = "crate::service::timestamp::utc")]
    pub updated_at: NaiveDateTime,
    pub row_version: i32,
}

impl DocumentResponse {
    pub fn from_row(
        d: Document,
        units: &HashMap<String, OrgUnit>,
        effect: Effect,
        as_of: NaiveDate,
    ) -> ApiResult<Self> {
        let kind: DocumentKind = parse(&d.kind)?;
        let state: DocumentState = parse(&d.state)?;
        Ok(DocumentResponse {
            issuer: d
                .issuer_id
                .as_ref()
                .and_then(|i| units.get(i))
                .map(|u| OrgUnitRef {
                    id: u.id.clone(),
                    code: u.code.clone(),
                    name: u.name.clone(),
                }),
            id: d.id,
            kind,
            kind_label_vi: kind.label_vi(),
            number: d.number,
            title: d.title,
            field: d.field,
            signer: d.signer,
            signed_on: d.signed_on,
            published_on: d.published_on,
            effective_from: d.effective_from,
            effective_until: d.effective_until,
            state,
            state_label_vi: state.label_vi(),
            external: d.external,
            external_id: d.external_id,
            iso_code: d.iso_code,
            iso_revision: d.iso_revision,
            ever_approved: d.ever_approved,
            withdrawn_at: d.withdrawn_at,
            legal_effect: EffectResponse::new(effect, as_of),
            allowed_actions: vec![],
            created_at: d.created_at,
            updated_at: d.updated_at,
            row_version: d.row_version,
        })
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DocumentPage {
    pub items: Vec<DocumentResponse>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DocumentQuery {
    pub kind: Option<DocumentKind>,
    /// Org unit id or code.
    pub issuer: Option<String>,
    pub field: Option<String>,
    pub state: Option<DocumentState>,
    /// Legal effect on `as_of` (default today).
    pub legal_effect: Option<LegalEffect>,
    /// The date on which legal effect is judged (YYYY-MM-DD); default today.
    pub as_of: Option<NaiveDate>,
    /// Year signed.
    pub year: Option<i32>,
    /// Text in the number or title, with or without diacritics.
    pub q: Option<String>,
    pub external: Option<bool>,
    pub cursor: Option<String>,
    /// 1 to 200, default 50.
    pub limit: Option<i64>,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AsOfQuery {
    /// The date on which legal effect is judged (YYYY-MM-DD); default today.
    pub as_of: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FileInfo {
    pub sha256: String,
    pub content_type: String,
    pub size: i64,
    pub file_name: Option<String>,
    /// Where to download it.
    pub url: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VersionResponse {
    pub id: String,
    pub document_id: String,
    pub seq: i32,
    pub label: String,
    /// The full text (only when one version is read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    pub has_text: bool,
    pub file: Option<FileInfo>,
    pub change_summary: Option<String>,
    pub author_id: Option<String>,
    #[serde(with = "crate::service::timestamp::utc_option")]
    pub approved_at: Option<NaiveDateTime>,
    pub approved_by: Option<String>,
    /// Approved versions never change.
    pub immutable: bool,
    /// For a revision of an ISO document: draft, in_review, approved, current,
    /// superseded or withdrawn (absent for other documents).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<crate::domain::kinds::RevisionState>,
    /// For a revision of an ISO document: whether it is the one in use.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_current: Option<bool>,
    #[serde(with = "crate::service::timestamp::utc")]
    pub created_at: NaiveDateTime,
    pub etag: String,
}

impl VersionResponse {
    pub fn from_row(v: Version, file: Option<(String, i64)>, with_body: bool) -> Self {
        let etag = version_etag(&v);
        VersionResponse {
            file: v.blob_sha256.clone().map(|sha| {
                let (content_type, size) = file.unwrap_or_default();
                FileInfo {
                    url: format!("/api/v1/versions/{}/file", v.id),
                    sha256: sha,
                    content_type,
                    size,
                    file_name: v.file_name.clone(),
                }
            }),
            has_text: v.body.is_some(),
            body: if with_body { v.body } else { None },
            immutable: v.approved_at.is_some(),
            state: None,
            is_current: None,
            id: v.id,
            document_id: v.document_id,
            seq: v.seq,
            label: v.label,
            change_summary: v.change_summary,
            author_id: v.author_id,
            approved_at: v.approved_at,
            approved_by: v.approved_by,
            created_at: v.created_at,
            etag,
        }
    }
}

/// One provision of a version's structure.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProvisionNode {
    pub kind: crate::domain::structure::ProvisionKind,
    pub number: String,
    /// Stable address such as `dieu-5/khoan-2/diem-a`.
    pub path: String,
    pub heading: Option<String>,
    pub text: String,
    /// The corpus id of an imported article.
    pub external_id: Option<String>,
    #[schema(no_recursion)]
    pub children: Vec<ProvisionNode>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StructureResponse {
    pub version_id: String,
    pub provisions: Vec<ProvisionNode>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DocumentRef {
    pub id: String,
    pub kind: DocumentKind,
    pub number: Option<String>,
    pub title: String,
}

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
        let kind: RelationKind = parse(&r.kind)?;
        let other = match other {
            Some(d) => Some(DocumentRef {
                id: d.id.clone(),
                kind: parse(&d.kind)?,
                number: d.number.clone(),
                title: d.title.clone(),
            }),
            None => None,
        };
        Ok(RelationResponse {
            id: r.id,
            source_id: r.source_id,
            target_id: r.target_id,
            label_vi: kind.label_vi(),
            kind,
            scope: parse(&r.scope)?,
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

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditEntry {
    pub seq: i64,
    #[serde(with = "crate::service::timestamp::utc")]
    pub at: NaiveDateTime,
    pub actor_id: Option<String>,
    pub actor_name: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub reason: Option<String>,
    pub details: Option<serde_json::Value>,
    pub hash: String,
}

impl From<AuditRow> for AuditEntry {
    fn from(r: AuditRow) -> Self {
        AuditEntry {
            seq: r.seq,
            at: r.at,
            actor_id: r.actor_id,
            actor_name: r.actor_name,
            action: r.action,
            entity_type: r.entity_type,
            entity_id: r.entity_id,
            from_state: r.from_state,
            to_state: r.to_state,
            reason: r.reason,
            details: r.details.and_then(|d| serde_json::from_str(&d).ok()),
            hash: r.hash,
        }
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonRequest {
    pub reason: String,
}

/// The ETag of a version: it changes whenever anything editable changes.
pub fn version_etag(v: &Version) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for part in [
        v.label.as_str(),
        v.body.as_deref().unwrap_or(""),
        v.change_summary.as_deref().unwrap_or(""),
        v.blob_sha256.as_deref().unwrap_or(""),
        if v.approved_at.is_some() {
            "approved"
        } else {
            ""
        },
    ] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    hex::encode(&h.finalize()[..12])
}

pub fn unit_ref(u: &OrgUnit) -> OrgUnitRef {
    OrgUnitRef {
        id: u.id.clone(),
        code: u.code.clone(),
        name: u.name.clone(),
    }
}

/// The document a review is about.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DocumentSummary {
    pub id: String,
    pub kind: DocumentKind,
    pub kind_label_vi: &'static str,
    pub number: Option<String>,
    pub title: String,
    pub issuer: Option<OrgUnitRef>,
    pub signed_on: Option<NaiveDate>,
    pub effective_from: Option<NaiveDate>,
    pub state: DocumentState,
}

impl DocumentSummary {
    pub fn new(d: &Document, units: &HashMap<String, OrgUnit>) -> ApiResult<Self> {
        let kind: DocumentKind = parse(&d.kind)?;
        Ok(DocumentSummary {
            id: d.id.clone(),
            kind,
            kind_label_vi: kind.label_vi(),
            number: d.number.clone(),
            title: d.title.clone(),
            issuer: d
                .issuer_id
                .as_ref()
                .and_then(|i| units.get(i))
                .map(unit_ref),
            signed_on: d.signed_on,
            effective_from: d.effective_from,
            state: parse(&d.state)?,
        })
    }
}

/// Summaries of documents, with their issuers in one query.
pub fn summaries<'a>(
    conn: &mut Conn,
    docs: impl IntoIterator<Item = &'a Document>,
) -> ApiResult<HashMap<String, DocumentSummary>> {
    let docs: Vec<&Document> = docs.into_iter().collect();
    let ids: Vec<&str> = docs.iter().filter_map(|d| d.issuer_id.as_deref()).collect();
    let units = db::org_units::by_ids(conn, &ids)?;
    docs.into_iter()
        .map(|d| Ok((d.id.clone(), DocumentSummary::new(d, &units)?)))
        .collect()
}
