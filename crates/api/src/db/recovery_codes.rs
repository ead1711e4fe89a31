use diesel::prelude::*;

use super::schema::recovery_codes as rc;
use super::DbConn;

/// Replaces the user's whole set (old codes stop working in the same transaction).
pub fn replace_all(
    conn: &mut DbConn,
    user_id: i64,
    codes: &[(String, String)],
    now: i64,
) -> QueryResult<()> {
    diesel::delete(rc::table.filter(rc::user_id.eq(user_id))).execute(conn)?;
    let rows: Vec<_> = codes
        .iter()
        .map(|(tag, phc)| {
            (
                rc::user_id.eq(user_id),
                rc::lookup_tag.eq(tag.as_str()),
                rc::phc.eq(phc.as_str()),
                rc::created_at.eq(now),
            )
        })
        .collect();
    for row in rows {
        diesel::insert_into(rc::table).values(row).execute(conn)?;
    }
    Ok(())
}

/// The unused code with this lookup tag: (row id, PHC hash).
pub fn find_unused(
    conn: &mut DbConn,
    user_id: i64,
    lookup_tag: &str,
) -> QueryResult<Option<(i64, String)>> {
    rc::table
        .filter(
            rc::user_id
                .eq(user_id)
                .and(rc::lookup_tag.eq(lookup_tag))
                .and(rc::used_at.is_null()),
        )
        .select((rc::id, rc::phc))
        .get_result(conn)
        .optional()
}

/// Marks a code used; true for exactly one caller.
pub fn consume(conn: &mut DbConn, id: i64, now: i64) -> QueryResult<bool> {
    let rows = diesel::update(rc::table.filter(rc::id.eq(id).and(rc::used_at.is_null())))
        .set(rc::used_at.eq(Some(now)))
        .execute(conn)?;
    Ok(rows == 1)
}

pub fn remaining(conn: &mut DbConn, user_id: i64) -> QueryResult<i64> {
    rc::table
        .filter(rc::user_id.eq(user_id).and(rc::used_at.is_null()))
        .count()
        .get_result(conn)
}

pub fn delete_all(conn: &mut DbConn, user_id: i64) -> QueryResult<usize> {
    diesel::delete(rc::table.filter(rc::user_id.eq(user_id))).execute(conn)
}
