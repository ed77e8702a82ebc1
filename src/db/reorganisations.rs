//! Reorganisations of administrative units and the documents their successors inherit.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::models::{Document, Inheritance, Reorganisation, ReorganisationUnit};
use super::schema::{documents, inheritances, org_units, reorganisation_units, reorganisations};
use super::{Conn, DbResult};

pub fn insert(conn: &mut Conn, r: &Reorganisation) -> DbResult<Reorganisation> {
    Ok(diesel::insert_into(reorganisations::table)
        .values(r)
        .returning(reorganisations::all_columns)
        .get_result(conn)?)
}

// One row a statement: multi-row inserts do not pass through MultiConnection, and a
// reorganisation writes tens to thousands of rows in a transaction already open.
pub fn insert_units(conn: &mut Conn, rows: &[ReorganisationUnit]) -> DbResult<()> {
    for row in rows {
        diesel::insert_into(reorganisation_units::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

pub fn insert_inheritances(conn: &mut Conn, rows: &[Inheritance]) -> DbResult<()> {
    for row in rows {
        diesel::insert_into(inheritances::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

pub fn get(conn: &mut Conn, id: &str) -> DbResult<Reorganisation> {
    Ok(reorganisations::table.find(id).first(conn)?)
}

/// Every reorganisation, latest first.
pub fn list(conn: &mut Conn) -> DbResult<Vec<Reorganisation>> {
    Ok(reorganisations::table
        .order((
            reorganisations::effective_on.desc(),
            reorganisations::id.asc(),
        ))
        .load(conn)?)
}

pub fn units_of(conn: &mut Conn, id: &str) -> DbResult<Vec<ReorganisationUnit>> {
    Ok(reorganisation_units::table
        .filter(reorganisation_units::reorganisation_id.eq(id))
        .order(reorganisation_units::unit_id.asc())
        .load(conn)?)
}

pub fn inheritances_of(conn: &mut Conn, id: &str) -> DbResult<Vec<Inheritance>> {
    Ok(inheritances::table
        .filter(inheritances::reorganisation_id.eq(id))
        .order(inheritances::document_id.asc())
        .load(conn)?)
}

/// Marks the units abolished from `on` (those not abolished already).
pub fn abolish(conn: &mut Conn, unit_ids: &[String], on: NaiveDate) -> DbResult<usize> {
    Ok(diesel::update(
        org_units::table
            .filter(org_units::id.eq_any(unit_ids))
            .filter(org_units::abolished_on.is_null()),
    )
    .set((
        org_units::abolished_on.eq(Some(on)),
        org_units::updated_at.eq(super::now()),
        org_units::row_version.eq(org_units::row_version + 1),
    ))
    .execute(conn)?)
}

/// The legal (not ISO) documents that belong to one of `unit_ids` now: held by it, or
/// issued by it and never passed on.
pub fn legal_documents_held_by(conn: &mut Conn, unit_ids: &[String]) -> DbResult<Vec<Document>> {
    Ok(documents::table
        .filter(super::documents::held_by(unit_ids.to_vec()))
        .filter(documents::kind.not_like("iso_%"))
        .order(documents::id.asc())
        .load(conn)?)
}

/// Passes documents to a new holder.
pub fn set_holder(conn: &mut Conn, document_ids: &[String], holder: &str) -> DbResult<usize> {
    let mut n = 0;
    for chunk in document_ids.chunks(1000) {
        n += diesel::update(documents::table.filter(documents::id.eq_any(chunk)))
            .set((
                documents::holder_id.eq(Some(holder)),
                documents::updated_at.eq(super::now()),
                documents::row_version.eq(documents::row_version + 1),
            ))
            .execute(conn)?;
    }
    Ok(n)
}

/// Links the inheritances of a reorganisation to the review campaign opened over them.
pub fn set_campaign(
    conn: &mut Conn,
    reorganisation_id: &str,
    document_ids: &[String],
    campaign_id: &str,
) -> DbResult<()> {
    for chunk in document_ids.chunks(1000) {
        diesel::update(
            inheritances::table
                .filter(inheritances::reorganisation_id.eq(reorganisation_id))
                .filter(inheritances::document_id.eq_any(chunk)),
        )
        .set(inheritances::campaign_id.eq(Some(campaign_id)))
        .execute(conn)?;
    }
    Ok(())
}

/// Every unit below one of `roots` (not the roots themselves).
pub fn descendants(conn: &mut Conn, roots: &[String]) -> DbResult<Vec<String>> {
    let all: Vec<(String, Option<String>)> = org_units::table
        .select((org_units::id, org_units::parent_id))
        .load(conn)?;
    let mut found: Vec<String> = vec![];
    let mut frontier: Vec<String> = roots.to_vec();
    // Bounded by the number of units: each is added once.
    while let Some(p) = frontier.pop() {
        for (id, parent) in &all {
            if parent.as_deref() == Some(p.as_str()) && !found.contains(id) && !roots.contains(id) {
                found.push(id.clone());
                frontier.push(id.clone());
            }
        }
    }
    Ok(found)
}
