use diesel::prelude::*;

use super::schema::users;
use super::{is_unique_violation, DbConn};
use crate::error::ApiError;

/// A user row. No `Debug`: it holds the password hash.
#[derive(Queryable, Selectable, Clone)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub username_key: String,
    pub password_hash: String,
    pub is_admin: bool,
    pub created_at: i64,
    /// Set while an administrator has disabled the account.
    pub disabled_at: Option<i64>,
    /// Browser sessions opened under another epoch are over (see db::sessions::delete_for_user).
    pub session_epoch: i64,
}

pub fn count(conn: &mut DbConn) -> QueryResult<i64> {
    users::table.count().get_result(conn)
}

pub fn insert(
    conn: &mut DbConn,
    username: &str,
    username_key: &str,
    username_skeleton: &str,
    password_hash: &str,
    is_admin: bool,
    now: i64,
) -> QueryResult<UserRow> {
    diesel::insert_into(users::table)
        .values((
            users::username.eq(username),
            users::username_key.eq(username_key),
            users::username_skeleton.eq(username_skeleton),
            users::password_hash.eq(password_hash),
            users::is_admin.eq(is_admin),
            users::created_at.eq(now),
        ))
        .execute(conn)?;
    users::table
        .filter(users::username_key.eq(username_key))
        .select(UserRow::as_select())
        .get_result(conn)
}

/// A clash on `username_key` or `username_skeleton` (both unique): the name, or one that looks
/// like it, is taken. Another request may have won the race, so only the index can tell.
pub fn taken_or_error(err: diesel::result::Error) -> ApiError {
    if is_unique_violation(&err) {
        ApiError::UsernameTaken
    } else {
        err.into()
    }
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<UserRow>> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .get_result(conn)
        .optional()
}

pub fn find_by_key(conn: &mut DbConn, username_key: &str) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(users::username_key.eq(username_key))
        .select(UserRow::as_select())
        .get_result(conn)
        .optional()
}

pub fn list(conn: &mut DbConn) -> QueryResult<Vec<UserRow>> {
    users::table
        .order(users::id.asc())
        .select(UserRow::as_select())
        .load(conn)
}

/// Ends every browser session opened under the current epoch; returns the new epoch.
pub fn bump_session_epoch(conn: &mut DbConn, id: i64) -> QueryResult<i64> {
    diesel::update(users::table.find(id))
        .set(users::session_epoch.eq(users::session_epoch + 1))
        .execute(conn)?;
    session_epoch(conn, id)
}

/// Raises the epoch only if it is still `from`; false when another change got there first.
pub fn advance_session_epoch(conn: &mut DbConn, id: i64, from: i64) -> QueryResult<bool> {
    let rows = diesel::update(users::table.find(id).filter(users::session_epoch.eq(from)))
        .set(users::session_epoch.eq(from + 1))
        .execute(conn)?;
    Ok(rows == 1)
}

pub fn session_epoch(conn: &mut DbConn, id: i64) -> QueryResult<i64> {
    users::table
        .find(id)
        .select(users::session_epoch)
        .get_result(conn)
}
