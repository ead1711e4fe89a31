//! Queries behind user administration: enabling/disabling accounts, the 2FA overview of every
//! user, and removing a user's pending challenges.

use diesel::prelude::*;

use super::schema::{challenges, recovery_codes as rc, totp_credentials as totp, users};
use super::DbConn;

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

/// Takes the row locks of these users, in id order, for the rest of the transaction. On
/// PostgreSQL two administrators acting on each other at once then run one after the other, and
/// the second sees what the first did; SQLite's write transaction already holds the database.
pub fn lock_users(conn: &mut DbConn, ids: &[i64]) -> QueryResult<()> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    for id in ids {
        diesel::update(users::table.find(id))
            .set(users::session_epoch.eq(users::session_epoch))
            .execute(conn)?;
    }
    Ok(())
}

/// Sets or clears `disabled_at` only if it changes; false when it was already so (or no user).
pub fn change_disabled(conn: &mut DbConn, user_id: i64, at: Option<i64>) -> QueryResult<bool> {
    let target = users::table.find(user_id);
    let rows = match at {
        Some(_) => diesel::update(target.filter(users::disabled_at.is_null()))
            .set(users::disabled_at.eq(at))
            .execute(conn)?,
        None => diesel::update(target.filter(users::disabled_at.is_not_null()))
            .set(users::disabled_at.eq(at))
            .execute(conn)?,
    };
    Ok(rows == 1)
}
