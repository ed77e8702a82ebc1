//! The read models several capabilities share (a unit or a document referred to, a summary
//! of a document under review) and their conversion from rows. A capability's own request
//! and response types live beside its use cases (`documents::DocumentResponse`, ...).

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::models::{Document, OrgUnit};
use crate::db::{self, Conn};
use crate::domain::kinds::{DocumentKind, DocumentState};
use crate::error::ApiResult;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrgUnitRef {
    pub id: String,
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DocumentRef {
    pub id: String,
    pub kind: DocumentKind,
    pub number: Option<String>,
    pub title: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonRequest {
    pub reason: String,
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
        let kind: DocumentKind = d.kind;
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
            state: d.state,
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
