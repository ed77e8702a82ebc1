//! Row structs, `Queryable` in `table!` column order (MultiConnection has no `Selectable`).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::*;
use crate::domain::kinds::{
    ChangeRequestOrigin, ChangeRequestState, DocumentKind, DocumentState, OrgUnitKind,
    RelationKind, RelationScope, RevisionState, Role, SessionKind,
};
use crate::domain::regime::{LegalRegime, ReorganisationRole, UnitLevel};
use crate::domain::review::{
    CampaignState, InspectionHandling, InspectionState, ReviewFlagCause, ReviewResult,
    SelfInspectionResult,
};

#[derive(Debug, Clone, Queryable, Insertable, PartialEq, Eq)]
#[diesel(table_name = org_units)]
pub struct OrgUnit {
    pub id: String,
    pub code: String,
    pub name: String,
    pub kind: OrgUnitKind,
    pub parent_id: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub row_version: i32,
    /// The tier of local government (none for bodies outside it).
    pub level: Option<UnitLevel>,
    pub established_on: Option<NaiveDate>,
    /// From this day the unit no longer exists (abolished or merged).
    pub abolished_on: Option<NaiveDate>,
}

impl OrgUnit {
    /// Whether the unit still exists on `on`.
    pub fn exists_on(&self, on: NaiveDate) -> bool {
        self.abolished_on.is_none_or(|a| on < a) && self.established_on.is_none_or(|e| e <= on)
    }
}

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: Role,
    pub org_unit_id: Option<String>,
    pub active: bool,
    pub failed_logins: i32,
    pub locked_until: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub row_version: i32,
}

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = refresh_tokens)]
pub struct RefreshToken {
    pub id: String,
    pub user_id: String,
    pub family_id: String,
    pub token_hash: String,
    pub expires_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub kind: SessionKind,
}

#[derive(Debug, Clone, Queryable, Insertable, PartialEq, Eq)]
#[diesel(table_name = documents)]
pub struct Document {
    pub id: String,
    pub kind: DocumentKind,
    pub number: Option<String>,
    pub number_key: Option<String>,
    pub title: String,
    pub title_key: String,
    pub issuer_id: Option<String>,
    pub field: Option<String>,
    pub signer: Option<String>,
    pub signed_on: Option<NaiveDate>,
    pub published_on: Option<NaiveDate>,
    pub effective_from: Option<NaiveDate>,
    pub effective_until: Option<NaiveDate>,
    pub state: DocumentState,
    pub external: bool,
    pub external_id: Option<String>,
    pub iso_code: Option<String>,
    pub iso_revision: Option<String>,
    pub ever_approved: bool,
    pub withdrawn_at: Option<NaiveDateTime>,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub row_version: i32,
    /// The regime the draft follows (drafted here); none for documents registered or
    /// imported already promulgated.
    pub legal_regime: Option<LegalRegime>,
    /// The unit that holds the document since a reorganisation; none: its issuer.
    pub holder_id: Option<String>,
}

impl Document {
    /// The unit the document belongs to now: its inheritor after a reorganisation, else
    /// its issuer.
    pub fn holder(&self) -> Option<&str> {
        self.holder_id.as_deref().or(self.issuer_id.as_deref())
    }
}

/// The editable fields of a document; `None` leaves a field as it is,
/// `Some(None)` clears a nullable one.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = documents)]
pub struct DocumentChanges {
    pub number: Option<Option<String>>,
    pub number_key: Option<Option<String>>,
    pub title: Option<String>,
    pub title_key: Option<String>,
    pub issuer_id: Option<Option<String>>,
    pub field: Option<Option<String>>,
    pub signer: Option<Option<String>>,
    pub signed_on: Option<Option<NaiveDate>>,
    pub published_on: Option<Option<NaiveDate>>,
    pub effective_from: Option<Option<NaiveDate>>,
    pub effective_until: Option<Option<NaiveDate>>,
    pub state: Option<DocumentState>,
    pub iso_code: Option<Option<String>>,
    pub iso_revision: Option<Option<String>>,
    pub ever_approved: Option<bool>,
    pub withdrawn_at: Option<Option<NaiveDateTime>>,
}

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = versions)]
pub struct Version {
    pub id: String,
    pub document_id: String,
    pub seq: i32,
    pub label: String,
    pub body: Option<String>,
    pub blob_sha256: Option<String>,
    pub file_name: Option<String>,
    pub change_summary: Option<String>,
    pub author_id: Option<String>,
    pub approved_at: Option<NaiveDateTime>,
    pub approved_by: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = provisions, treat_none_as_default_value = false)]
pub struct ProvisionRow {
    pub id: String,
    pub version_id: String,
    pub ord: i32,
    pub depth: i32,
    pub kind: String,
    pub number: String,
    pub path: String,
    pub heading: Option<String>,
    pub body: String,
    pub external_id: Option<String>,
}

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = blobs)]
pub struct Blob {
    pub sha256: String,
    pub content_type: String,
    pub size: i64,
    pub data: Vec<u8>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Insertable, PartialEq, Eq)]
#[diesel(table_name = relations)]
pub struct Relation {
    pub id: String,
    pub source_id: String,
    pub target_id: String,
    pub kind: RelationKind,
    pub scope: RelationScope,
    pub effective_on: Option<NaiveDate>,
    pub effective_until: Option<NaiveDate>,
    pub note: Option<String>,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = audit_log)]
pub struct AuditRow {
    pub seq: i64,
    pub at: NaiveDateTime,
    pub actor_id: Option<String>,
    pub actor_name: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub reason: Option<String>,
    pub details: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Debug, Clone, Queryable, Insertable, PartialEq, Eq)]
#[diesel(table_name = self_inspections)]
pub struct SelfInspection {
    pub id: String,
    pub document_id: String,
    pub started_on: NaiveDate,
    pub due_on: NaiveDate,
    pub state: InspectionState,
    pub result: Option<SelfInspectionResult>,
    pub findings: Option<String>,
    pub handling: Option<InspectionHandling>,
    pub opened_by: Option<String>,
    pub opened_at: NaiveDateTime,
    pub recorded_by: Option<String>,
    pub recorded_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Insertable, PartialEq, Eq)]
#[diesel(table_name = review_flags)]
pub struct ReviewFlag {
    pub id: String,
    pub document_id: String,
    pub cause_kind: ReviewFlagCause,
    pub cause_document_id: Option<String>,
    pub cause_relation_id: Option<String>,
    pub cause_self_inspection_id: Option<String>,
    pub action: Option<InspectionHandling>,
    pub detail: String,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub resolved_at: Option<NaiveDateTime>,
    pub resolved_by: Option<String>,
    pub resolution: Option<String>,
}

#[derive(Debug, Clone, Queryable, Insertable, PartialEq, Eq)]
#[diesel(table_name = review_campaigns)]
pub struct ReviewCampaign {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    /// The selection it was opened with, as JSON.
    pub selection: String,
    pub state: CampaignState,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub closed_at: Option<NaiveDateTime>,
    pub closed_by: Option<String>,
    pub close_reason: Option<String>,
}

#[derive(Debug, Clone, Queryable, Insertable, PartialEq, Eq)]
#[diesel(table_name = review_items, treat_none_as_default_value = false)]
pub struct ReviewItem {
    pub id: String,
    pub campaign_id: String,
    pub document_id: String,
    pub assignee_id: Option<String>,
    pub result: Option<ReviewResult>,
    pub reasons: Option<String>,
    pub proposed_action: Option<String>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub row_version: i32,
}

/// Control metadata of an ISO quality document.
#[derive(Debug, Clone, Queryable, Insertable, PartialEq, Eq)]
#[diesel(table_name = iso_documents, treat_none_as_default_value = false)]
pub struct IsoDocument {
    pub document_id: String,
    pub owner_unit_id: String,
    pub review_period_months: i32,
    pub retention_years: Option<i32>,
    pub next_review_on: Option<NaiveDate>,
    pub last_reviewed_on: Option<NaiveDate>,
    pub parent_id: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub row_version: i32,
}

/// The editable control metadata; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = iso_documents)]
pub struct IsoDocumentChanges {
    pub owner_unit_id: Option<String>,
    pub review_period_months: Option<i32>,
    pub retention_years: Option<Option<i32>>,
    pub next_review_on: Option<Option<NaiveDate>>,
    pub last_reviewed_on: Option<Option<NaiveDate>>,
    pub parent_id: Option<Option<String>>,
}

#[derive(Debug, Clone, Queryable, Insertable, PartialEq, Eq)]
#[diesel(table_name = iso_distribution, treat_none_as_default_value = false)]
pub struct IsoDistributionRow {
    pub id: String,
    pub document_id: String,
    pub ord: i32,
    pub recipient_unit_id: Option<String>,
    pub recipient_user_id: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Insertable, PartialEq, Eq)]
#[diesel(table_name = iso_revisions, treat_none_as_default_value = false)]
pub struct IsoRevision {
    pub version_id: String,
    pub document_id: String,
    pub state: RevisionState,
    pub revision_no: Option<i32>,
    pub submitted_at: Option<NaiveDateTime>,
    pub issued_at: Option<NaiveDateTime>,
    pub issued_by: Option<String>,
    pub effective_from: Option<NaiveDate>,
    pub superseded_at: Option<NaiveDateTime>,
    pub superseded_by: Option<String>,
    pub withdrawn_at: Option<NaiveDateTime>,
    pub withdrawn_by: Option<String>,
    pub withdrawal_reason: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub row_version: i32,
}

/// A change of a revision's control state; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = iso_revisions)]
pub struct IsoRevisionChanges {
    pub state: Option<RevisionState>,
    pub revision_no: Option<Option<i32>>,
    pub submitted_at: Option<Option<NaiveDateTime>>,
    pub issued_at: Option<Option<NaiveDateTime>>,
    pub issued_by: Option<Option<String>>,
    pub effective_from: Option<Option<NaiveDate>>,
    pub superseded_at: Option<Option<NaiveDateTime>>,
    pub superseded_by: Option<Option<String>>,
    pub withdrawn_at: Option<Option<NaiveDateTime>>,
    pub withdrawn_by: Option<Option<String>>,
    pub withdrawal_reason: Option<Option<String>>,
}

#[derive(Debug, Clone, Queryable, Insertable, PartialEq, Eq)]
#[diesel(table_name = iso_review_comments, treat_none_as_default_value = false)]
pub struct IsoReviewComment {
    pub id: String,
    pub version_id: String,
    pub author_id: Option<String>,
    pub author_name: String,
    pub body: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Insertable, PartialEq, Eq)]
#[diesel(table_name = iso_change_requests, treat_none_as_default_value = false)]
pub struct IsoChangeRequest {
    pub id: String,
    pub document_id: String,
    pub seq: i32,
    pub origin: ChangeRequestOrigin,
    pub reason: String,
    pub proposed_change: Option<String>,
    pub state: ChangeRequestState,
    pub raised_by: Option<String>,
    pub raised_at: NaiveDateTime,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub decision_note: Option<String>,
    pub revision_version_id: Option<String>,
    pub updated_at: NaiveDateTime,
    pub row_version: i32,
}

#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = iso_change_requests)]
pub struct IsoChangeRequestChanges {
    pub state: Option<ChangeRequestState>,
    pub decided_by: Option<Option<String>>,
    pub decided_at: Option<Option<NaiveDateTime>>,
    pub decision_note: Option<Option<String>>,
    pub revision_version_id: Option<Option<String>>,
}

#[derive(Debug, Clone, Queryable, Insertable, PartialEq, Eq)]
#[diesel(table_name = iso_controlled_copies, treat_none_as_default_value = false)]
pub struct ControlledCopy {
    pub id: String,
    pub document_id: String,
    pub version_id: String,
    pub copy_no: i32,
    pub recipient_unit_id: Option<String>,
    pub recipient_user_id: Option<String>,
    pub recipient_name: String,
    pub issued_at: NaiveDateTime,
    pub issued_by: Option<String>,
    pub recall_requested_at: Option<NaiveDateTime>,
    pub withdrawn_at: Option<NaiveDateTime>,
    pub withdrawal_confirmed_by: Option<String>,
    pub row_version: i32,
}

#[derive(Debug, Clone, Queryable, Insertable, PartialEq, Eq)]
#[diesel(table_name = iso_acknowledgements)]
pub struct Acknowledgement {
    pub id: String,
    pub document_id: String,
    pub version_id: String,
    pub user_id: String,
    pub acknowledged_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = reorganisations)]
pub struct Reorganisation {
    pub id: String,
    pub effective_on: NaiveDate,
    pub basis: String,
    pub note: Option<String>,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = reorganisation_units)]
pub struct ReorganisationUnit {
    pub reorganisation_id: String,
    pub unit_id: String,
    pub role: ReorganisationRole,
}

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = inheritances, treat_none_as_default_value = false)]
pub struct Inheritance {
    pub reorganisation_id: String,
    pub document_id: String,
    pub from_unit_id: String,
    pub to_unit_id: String,
    pub campaign_id: Option<String>,
}
