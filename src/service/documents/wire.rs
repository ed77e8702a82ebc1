//! The wire shapes of documents: what a client sends to list them and what it reads back.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::db::models::{Document, OrgUnit};
use crate::domain::effect::Effect;
use crate::domain::kinds::{DocumentKind, DocumentState, LegalEffect};
use crate::domain::regime::LegalRegime;
use crate::error::ApiResult;
use crate::service::dto::OrgUnitRef;

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
    /// The unit the document belongs to now: its issuer, or the unit that inherited it in
    /// a reorganisation (sắp xếp đơn vị hành chính). Listing by `holder`, systematisation
    /// and the right to amend or repeal it follow this unit.
    pub holder: Option<OrgUnitRef>,
    pub field: Option<String>,
    pub signer: Option<String>,
    pub signed_on: Option<NaiveDate>,
    pub published_on: Option<NaiveDate>,
    pub effective_from: Option<NaiveDate>,
    pub effective_until: Option<NaiveDate>,
    pub state: DocumentState,
    pub state_label_vi: &'static str,
    /// The law the draft follows (the one in force when its drafting began); absent for
    /// documents registered or imported already promulgated.
    pub legal_regime: Option<LegalRegime>,
    pub legal_regime_label_vi: Option<&'static str>,
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
    /// The unit that inherited the document in a reorganisation, when it is not its issuer.
    pub fn inherited_by(&self) -> Option<&OrgUnitRef> {
        self.holder
            .as_ref()
            .filter(|h| self.issuer.as_ref().is_none_or(|i| i.id != h.id))
    }

    pub fn from_row(
        d: Document,
        units: &HashMap<String, OrgUnit>,
        effect: Effect,
        as_of: NaiveDate,
    ) -> ApiResult<Self> {
        let kind: DocumentKind = d.kind;
        let state: DocumentState = d.state;
        let unit = |id: Option<&str>| {
            id.and_then(|i| units.get(i)).map(|u| OrgUnitRef {
                id: u.id.clone(),
                code: u.code.clone(),
                name: u.name.clone(),
            })
        };
        Ok(DocumentResponse {
            issuer: unit(d.issuer_id.as_deref()),
            holder: unit(d.holder()),
            legal_regime: d.legal_regime,
            legal_regime_label_vi: d.legal_regime.map(LegalRegime::label_vi),
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

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DocumentQuery {
    pub kind: Option<DocumentKind>,
    /// Org unit id or code.
    pub issuer: Option<String>,
    /// Org unit id or code: the documents that belong to it now (issued by it, or
    /// inherited by it in a reorganisation).
    pub holder: Option<String>,
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
