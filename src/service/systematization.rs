//! Systematisation (hệ thống hóa): for one issuer and one year, the documents in force
//! at the end of the year, those suspended then, and those that expired in full or in
//! part during the year, with what ended them. Legal normative documents only.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::documents as docs;
use crate::db::models::{Document, OrgUnit};
use crate::db::{self, Conn};
use crate::domain::effect::{ends_in_full, ends_in_part, Effect, IncomingRelation};
use crate::domain::kinds::DocumentKind;
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

pub fn systematize(conn: &mut Conn, issuer: &str, year: i32) -> ApiResult<Systematization> {
    use crate::db::schema::documents;
    use diesel::prelude::*;
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
    // Promulgated legal normative documents only: drafts have no effect, the lists are
    // public, and policy documents (schemes, plans, programmes) and ISO documents are
    // not systematised.
    let not_normative: Vec<&str> = DocumentKind::ALL
        .iter()
        .filter(|k| {
            k.is_iso()
                || matches!(
                    k,
                    DocumentKind::Scheme | DocumentKind::Plan | DocumentKind::Program
                )
        })
        .map(|k| k.as_str())
        .collect();
    let rows: Vec<Document> = documents::table
        .filter(documents::issuer_id.eq(&issuer_id))
        .filter(documents::state.eq_any(["published", "withdrawn"]))
        .filter(documents::kind.ne_all(not_normative))
        .order((
            documents::signed_on.asc(),
            documents::number_key.asc(),
            documents::id.asc(),
        ))
        .load(conn)
        .map_err(db::DbError::from)?;
    let incoming = docs::incoming_for(conn, &rows)?;
    let mut effects = docs::effects(conn, &rows, end)?;
    let in_year = |d: NaiveDate| first <= d && d <= end;

    let source_ids: Vec<&str> = incoming
        .values()
        .flatten()
        .map(|r| r.source_id.as_str())
        .collect();
    let sources: HashMap<String, Document> = documents::table
        .filter(documents::id.eq_any(&source_ids))
        .filter(documents::state.eq_any(["published", "withdrawn"]))
        .load::<Document>(conn)
        .map_err(db::DbError::from)?
        .into_iter()
        .map(|d| (d.id.clone(), d))
        .collect();

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
