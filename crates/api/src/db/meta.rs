use diesel::prelude::*;

use super::schema::meta;
use super::DbConn;

pub const KEY_CHECK: &str = "secret_key_check";
pub const KEY_ID: &str = "secret_key_id";
pub const SETUP_DONE: &str = "setup_done";

pub fn get(conn: &mut DbConn, key: &str) -> QueryResult<Option<Vec<u8>>> {
    meta::table
        .find(key)
        .select(meta::value)
        .get_result(conn)
        .optional()
}

/// Fails with a unique violation when the key exists (used as a one-time latch).
pub fn insert(conn: &mut DbConn, key: &str, value: &[u8]) -> QueryResult<()> {
    diesel::insert_into(meta::table)
        .values((meta::key.eq(key), meta::value.eq(value)))
        .execute(conn)?;
    Ok(())
}

pub fn delete(conn: &mut DbConn, key: &str) -> QueryResult<()> {
    diesel::delete(meta::table.find(key)).execute(conn)?;
    Ok(())
}

pub fn set(conn: &mut DbConn, key: &str, value: &[u8]) -> QueryResult<()> {
    diesel::delete(meta::table.find(key)).execute(conn)?;
    insert(conn, key, value)
}

/// Every (key, value) whose key starts with `prefix` (a fixed string without LIKE wildcards).
pub fn with_prefix(conn: &mut DbConn, prefix: &str) -> QueryResult<Vec<(String, Vec<u8>)>> {
    meta::table
        .filter(meta::key.like(format!("{prefix}%")))
        .select((meta::key, meta::value))
        .load(conn)
}
