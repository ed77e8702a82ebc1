//! Systematisation (hệ thống hóa): for one issuer and one year, the documents in force
//! at the end of the year, those suspended then, and those that expired in full or in
//! part during the year, with what ended them. Legal normative documents only.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::documents as docs;
use super::documents::EffectResponse;
use super::dto::{summaries, unit_ref, DocumentRef, DocumentSummary, OrgUnitRef};
use crate::db::models::{Document, OrgUnit};
use crate::db::{self, Conn, Db};
use crate::domain::effect::{ends_in_full, ends_in_part, Effect, IncomingRelation};
use crate::domain::kinds::{DocumentKind, RelationKind, RelationScope};
use crate::domain::review::{systematization_lists, Listing};
use crate::error::{ApiResult, AppError};

/// One document in one list, with the relations that ended it (in full or in part).
#[derive(Debug, Clone)]
pub struct Entry {
    pub document: Document,
    pub effect: Effect,
    pub causes: Vec<(IncomingRelation, Option<Document>)>,
}

#[derive(Debug, Clone)]
pub struct Systematization {
    pub issuer: OrgUnit,
    pub year: i32,
    pub end_of_year: NaiveDate,
    pub in_force: Vec<Entry>,
    pub suspended: Vec<Entry>,
    pub expired_in_full: Vec<Entry>,
    pub expired_in_part: Vec<Entry>,
}

/// The documents of a unit that a systematisation lists (its own, and those it inherited
/// in a reorganisation), by signing date and number.
fn normative_documents(conn: &mut Conn, issuer_id: &str) -> ApiResult<Vec<Document>> {
    // Promulgated legal normative documents only: drafts have no effect, the lists are
    // public, and policy documents (schemes, plans, programmes) and ISO documents are
    // not systematised.
    let not_normative: Vec<DocumentKind> = DocumentKind::ALL
        .iter()
        .copied()
        .filter(|k| {
            k.is_iso()
                || matches!(
                    k,
                    DocumentKind::Scheme | DocumentKind::Plan | DocumentKind::Program
                )
        })
        .collect();
    Ok(db::documents::promulgated_by(
        conn,
        issuer_id,
        &not_normative,
    )?)
}

/// The promulgated documents that are the sources of the incoming relations, by id.
fn sources_of(
    conn: &mut Conn,
    incoming: &HashMap<String, Vec<IncomingRelation>>,
) -> ApiResult<HashMap<String, Document>> {
    let source_ids: Vec<&str> = incoming
        .values()
        .flatten()
        .map(|r| r.source_id.as_str())
        .collect();
    Ok(db::documents::promulgated_among(conn, &source_ids)?
        .into_iter()
        .map(|d| (d.id.clone(), d))
        .collect())
}

pub fn systematize(conn: &mut Conn, issuer: &str, year: i32) -> ApiResult<Systematization> {
    if !(1900..=2100).contains(&year) {
        return Err(AppError::invalid("year", "between 1900 and 2100"));
    }
    let issuer_id = docs::resolve_org_unit(conn, "issuer", issuer)?;
    let issuer = db::org_units::get(conn, &issuer_id)?;
    let (Some(first), Some(end)) = (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) else {
        return Err(AppError::invalid("year", "not a year"));
    };
    let rows = normative_documents(conn, &issuer_id)?;
    let incoming = docs::incoming_for(conn, &rows)?;
    let mut effects = docs::effects(conn, &rows, end)?;
    let in_year = |d: NaiveDate| first <= d && d <= end;

    let sources = sources_of(conn, &incoming)?;

    let mut out = Systematization {
        issuer,
        year,
        end_of_year: end,
        in_force: vec![],
        suspended: vec![],
        expired_in_full: vec![],
        expired_in_part: vec![],
    };
    for d in rows {
        let effect = effects
            .remove(&d.id)
            .ok_or_else(|| AppError::internal("effect missing"))?;
        let inc = incoming.get(&d.id).map(Vec::as_slice).unwrap_or(&[]);
        for list in systematization_lists(year, &effect, inc) {
            let causes = |pred: &dyn Fn(&IncomingRelation) -> bool| -> Vec<_> {
                inc.iter()
                    .filter(|r| pred(r))
                    .map(|r| (r.clone(), sources.get(&r.source_id).cloned()))
                    .collect()
            };
            let entry = |causes| Entry {
                document: d.clone(),
                effect: effect.clone(),
                causes,
            };
            match list {
                Listing::InForce => out.in_force.push(entry(vec![])),
                Listing::Suspended => out
                    .suspended
                    .push(entry(causes(&|r| effect.because.contains(&r.id)))),
                Listing::ExpiredInFull => out.expired_in_full.push(entry(causes(&|r| {
                    effect.because.contains(&r.id) && ends_in_full(r.kind, r.scope)
                }))),
                Listing::ExpiredInPart => out.expired_in_part.push(entry(causes(&|r| {
                    ends_in_part(r.kind, r.scope) && in_year(r.effective_on)
                }))),
            }
        }
    }
    Ok(out)
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CauseResponse {
    pub relation_id: String,
    pub kind: RelationKind,
    pub label_vi: &'static str,
    pub scope: RelationScope,
    pub effective_on: NaiveDate,
    /// The document that repealed, replaced or suspended it (when published).
    pub document: Option<DocumentRef>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SystematizationEntry {
    pub document: DocumentSummary,
    /// Legal effect on 31 December of the year.
    pub legal_effect: EffectResponse,
    /// In the list of expired documents: `full` or `part`.
    pub expired_in: Option<String>,
    pub causes: Vec<CauseResponse>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SystematizationResponse {
    pub issuer: OrgUnitRef,
    pub year: i32,
    /// 31 December of the year.
    pub as_of: NaiveDate,
    /// In force, in whole or in part, at the end of the year.
    pub in_force: Vec<SystematizationEntry>,
    /// Suspended at the end of the year.
    pub suspended: Vec<SystematizationEntry>,
    /// Expired in full or in part during the year.
    pub expired: Vec<SystematizationEntry>,
}

/// The read model of a systematisation: its documents summarised, the expired list in
/// signing order.
fn build(conn: &mut Conn, s: Systematization) -> ApiResult<SystematizationResponse> {
    let all = s
        .in_force
        .iter()
        .chain(&s.suspended)
        .chain(&s.expired_in_full)
        .chain(&s.expired_in_part);
    let map = summaries(conn, all.map(|e| &e.document))?;
    let entry = |e: &Entry, expired_in: Option<&str>| -> ApiResult<SystematizationEntry> {
        Ok(SystematizationEntry {
            document: map
                .get(&e.document.id)
                .cloned()
                .ok_or_else(|| AppError::internal("document summary missing"))?,
            legal_effect: EffectResponse::new(e.effect.clone(), s.end_of_year),
            expired_in: expired_in.map(str::to_owned),
            causes: e
                .causes
                .iter()
                .map(|(r, d)| -> ApiResult<CauseResponse> {
                    Ok(CauseResponse {
                        relation_id: r.id.clone(),
                        kind: r.kind,
                        label_vi: r.kind.label_vi(),
                        scope: r.scope,
                        effective_on: r.effective_on,
                        document: d
                            .as_ref()
                            .map(|d| -> ApiResult<DocumentRef> {
                                Ok(DocumentRef {
                                    id: d.id.clone(),
                                    kind: d.kind,
                                    number: d.number.clone(),
                                    title: d.title.clone(),
                                })
                            })
                            .transpose()?,
                    })
                })
                .collect::<ApiResult<_>>()?,
        })
    };
    let mut expired: Vec<SystematizationEntry> = s
        .expired_in_full
        .iter()
        .map(|e| entry(e, Some("full")))
        .chain(s.expired_in_part.iter().map(|e| entry(e, Some("part"))))
        .collect::<ApiResult<_>>()?;
    expired.sort_by(|a, b| {
        (a.document.signed_on, &a.document.number).cmp(&(b.document.signed_on, &b.document.number))
    });
    Ok(SystematizationResponse {
        issuer: unit_ref(&s.issuer),
        year: s.year,
        as_of: s.end_of_year,
        in_force: s
            .in_force
            .iter()
            .map(|e| entry(e, None))
            .collect::<ApiResult<_>>()?,
        suspended: s
            .suspended
            .iter()
            .map(|e| entry(e, None))
            .collect::<ApiResult<_>>()?,
        expired,
    })
}

/// The systematisation of `issuer` for `year`, as it is answered.
pub async fn report(db: &Db, issuer: String, year: i32) -> ApiResult<SystematizationResponse> {
    db.run(move |conn| {
        let s = systematize(conn, &issuer, year)?;
        build(conn, s)
    })
    .await
}
