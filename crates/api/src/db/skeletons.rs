//! Fills `users.username_skeleton` for rows created before the column existed (SQL cannot
//! compute a UTS #39 skeleton). Runs after the migrations on every start; a no-op once filled.

use std::collections::HashMap;

use diesel::prelude::*;

use super::schema::users;
use super::{write_transaction, DbConn};
use crate::error::ApiResult;

/// One transaction. Rows go by id, so when two existing accounts already look alike the older
/// one keeps the skeleton and the later one stays NULL (logged, never fatal: both still sign in).
/// Returns how many rows were filled.
pub fn backfill(conn: &mut DbConn, skeleton: impl Fn(&str) -> String) -> ApiResult<usize> {
    write_transaction(conn, |conn| {
        let missing: Vec<(i64, String)> = users::table
            .filter(users::username_skeleton.is_null())
            .order(users::id.asc())
            .select((users::id, users::username))
            .load(conn)?;
        if missing.is_empty() {
            return Ok(0);
        }
        let mut owners: HashMap<String, i64> = users::table
            .filter(users::username_skeleton.is_not_null())
            .select((users::username_skeleton.assume_not_null(), users::id))
            .load::<(String, i64)>(conn)?
            .into_iter()
            .collect();
        let mut filled = 0;
        for (id, username) in missing {
            let value = skeleton(&username);
            if let Some(&owner) = owners.get(&value) {
                // Ids only: a username is personal data and a log is no place for it.
                tracing::warn!(
                    user_id = id,
                    looks_like_user_id = owner,
                    "username looks like another account's; its skeleton stays empty; \
                     an administrator should check both accounts"
                );
                continue;
            }
            diesel::update(users::table.find(id))
                .set(users::username_skeleton.eq(&value))
                .execute(conn)?;
            owners.insert(value, id);
            filled += 1;
        }
        Ok(filled)
    })
}
