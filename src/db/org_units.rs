use diesel::prelude::*;

use super::models::OrgUnit;
use super::schema::org_units;
use super::{Conn, DbResult};

pub fn insert(conn: &mut Conn, unit: &OrgUnit) -> DbResult<OrgUnit> {
    Ok(diesel::insert_into(org_units::table)
        .values(unit)
        .returning(org_units::all_columns)
        .get_result(conn)?)
}

pub fn get(conn: &mut Conn, id: &str) -> DbResult<OrgUnit> {
    Ok(org_units::table.find(id).first(conn)?)
}

pub fn by_code(conn: &mut Conn, code: &str) -> DbResult<Option<OrgUnit>> {
    Ok(org_units::table
        .filter(org_units::code.eq(code))
        .first(conn)
        .optional()?)
}

pub fn by_name(conn: &mut Conn, name: &str) -> DbResult<Option<OrgUnit>> {
    Ok(org_units::table
        .filter(org_units::name.eq(name))
        .order(org_units::code.asc())
        .first(conn)
        .optional()?)
}

pub fn list(conn: &mut Conn) -> DbResult<Vec<OrgUnit>> {
    Ok(org_units::table.order(org_units::code.asc()).load(conn)?)
}

/// The units with these ids, by id.
pub fn by_ids(
    conn: &mut Conn,
    ids: &[&str],
) -> DbResult<std::collections::HashMap<String, OrgUnit>> {
    Ok(org_units::table
        .filter(org_units::id.eq_any(ids))
        .load::<OrgUnit>(conn)?
        .into_iter()
        .map(|u| (u.id.clone(), u))
        .collect())
}

/// The day a unit ceased, if it did.
pub fn abolished_on(conn: &mut Conn, id: &str) -> DbResult<Option<chrono::NaiveDate>> {
    Ok(org_units::table
        .find(id)
        .select(org_units::abolished_on)
        .first::<Option<chrono::NaiveDate>>(conn)
        .optional()?
        .flatten())
}

/// The unit and every unit above it, nearest first (bounded: a cycle cannot loop).
pub fn ancestors_and_self(conn: &mut Conn, id: &str) -> DbResult<Vec<String>> {
    let mut chain = vec![id.to_owned()];
    let mut current = id.to_owned();
    for _ in 0..16 {
        let parent: Option<Option<String>> = org_units::table
            .find(&current)
            .select(org_units::parent_id)
            .first(conn)
            .optional()?;
        match parent.flatten() {
            Some(p) if !chain.contains(&p) => {
                chain.push(p.clone());
                current = p;
            }
            _ => break,
        }
    }
    Ok(chain)
}

#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = org_units)]
pub struct OrgUnitChanges {
    pub code: Option<String>,
    pub name: Option<String>,
    pub kind: Option<crate::domain::kinds::OrgUnitKind>,
    pub parent_id: Option<Option<String>>,
    pub level: Option<Option<crate::domain::regime::UnitLevel>>,
    pub established_on: Option<Option<chrono::NaiveDate>>,
}

super::versioned_update!(org_units, OrgUnit, OrgUnitChanges);

/// The units that issued a document anyone may read (published or withdrawn), by code.
pub fn public_issuers(conn: &mut Conn) -> DbResult<Vec<OrgUnit>> {
    use super::schema::documents;
    let issuers = documents::table
        .filter(documents::state.eq_any(super::documents::published_states()))
        .filter(documents::issuer_id.is_not_null())
        .select(documents::issuer_id.assume_not_null());
    Ok(org_units::table
        .filter(org_units::id.eq_any(issuers))
        .order(org_units::code.asc())
        .load(conn)?)
}
