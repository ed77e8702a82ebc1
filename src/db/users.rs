use diesel::prelude::*;

use super::models::User;
use super::schema::users;
use super::{Conn, DbResult};

pub fn insert(conn: &mut Conn, user: &User) -> DbResult<User> {
    Ok(diesel::insert_into(users::table)
        .values(user)
        .returning(users::all_columns)
        .get_result(conn)?)
}

pub fn get(conn: &mut Conn, id: &str) -> DbResult<User> {
    Ok(users::table.find(id).first(conn)?)
}

pub fn by_username(conn: &mut Conn, username: &str) -> DbResult<Option<User>> {
    Ok(users::table
        .filter(users::username.eq(username))
        .first(conn)
        .optional()?)
}

pub fn list(conn: &mut Conn) -> DbResult<Vec<User>> {
    Ok(users::table.order(users::username.asc()).load(conn)?)
}

#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChanges {
    pub display_name: Option<String>,
    pub password_hash: Option<String>,
    pub role: Option<crate::domain::kinds::Role>,
    pub org_unit_id: Option<Option<String>>,
    pub active: Option<bool>,
}

super::versioned_update!(users, User, UserChanges);
