//! Queries behind user administration: enabling/disabling accounts, the 2FA overview of every
//! user, and removing a user's pending challenges.

use diesel::prelude::*;

use super::schema::{challenges, recovery_codes as rc, totp_credentials as totp, users};
use super::DbConn;

/// Sets or clears `disabled_at`; false when the user does not exist.
pub fn set_disabled(conn: &mut DbConn, user_id: i64, at: Option<i64>) -> QueryResult<bool> {
    let rows = diesel::update(users::table.find(user_id))
        .set(users::disabled_at.eq(at))
        .execute(conn)?;
    Ok(rows == 1)
}

/// `(user_id, state, enabled_at)` of every TOTP credential.
pub fn totp_states(conn: &mut DbConn) -> QueryResult<Vec<(i64, String, Option<i64>)>> {
    totp::table
        .select((totp::user_id, totp::state, totp::enabled_at))
        .load(conn)
}

/// `(user_id, unused codes)` for every user that has unused recovery codes.
pub fn unused_recovery_counts(conn: &mut DbConn) -> QueryResult<Vec<(i64, i64)>> {
    rc::table
        .filter(rc::used_at.is_null())
        .group_by(rc::user_id)
        .select((rc::user_id, diesel::dsl::count_star()))
        .load(conn)
}

pub fn delete_challenges(conn: &mut DbConn, user_id: i64) -> QueryResult<usize> {
    diesel::delete(challenges::table.filter(challenges::user_id.eq(user_id))).execute(conn)
}
