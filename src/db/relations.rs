use diesel::prelude::*;

use super::models::Relation;
use super::schema::relations;
use super::{Conn, DbResult};

pub fn insert(conn: &mut Conn, r: &Relation) -> DbResult<Relation> {
    Ok(diesel::insert_into(relations::table)
        .values(r)
        .returning(relations::all_columns)
        .get_result(conn)?)
}

pub fn get(conn: &mut Conn, id: &str) -> DbResult<Relation> {
    Ok(relations::table.find(id).first(conn)?)
}

pub fn delete(conn: &mut Conn, id: &str) -> DbResult<usize> {
    Ok(diesel::delete(relations::table.find(id)).execute(conn)?)
}

/// Relations where the document acts on others (it is based on / amends / ... them).
pub fn outgoing(conn: &mut Conn, document_id: &str) -> DbResult<Vec<Relation>> {
    Ok(relations::table
        .filter(relations::source_id.eq(document_id))
        .order((relations::effective_on.asc(), relations::id.asc()))
        .load(conn)?)
}

/// Relations where others act on the document.
pub fn incoming(conn: &mut Conn, document_id: &str) -> DbResult<Vec<Relation>> {
    Ok(relations::table
        .filter(relations::target_id.eq(document_id))
        .order((relations::effective_on.asc(), relations::id.asc()))
        .load(conn)?)
}

/// Relations where others act on any of these documents.
pub fn incoming_to_any(conn: &mut Conn, document_ids: &[&str]) -> DbResult<Vec<Relation>> {
    Ok(relations::table
        .filter(relations::target_id.eq_any(document_ids))
        .load(conn)?)
}
