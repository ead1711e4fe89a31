use diesel::prelude::*;

use super::schema::challenges as ch;
use super::DbConn;

/// Failed tries after which a challenge is burned.
pub const MAX_ATTEMPTS: i32 = 5;

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = ch)]
pub struct ChallengeRow {
    pub id: i64,
    pub user_id: i64,
    pub binding_hash: Option<String>,
    pub attempts: i32,
    pub expires_at: i64,
    pub consumed_at: Option<i64>,
}

pub fn insert(
    conn: &mut DbConn,
    id_hash: &str,
    user_id: i64,
    binding_hash: Option<&str>,
    now: i64,
    expires_at: i64,
) -> QueryResult<()> {
    diesel::insert_into(ch::table)
        .values((
            ch::id_hash.eq(id_hash),
            ch::user_id.eq(user_id),
            ch::binding_hash.eq(binding_hash),
            ch::created_at.eq(now),
            ch::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConn, id_hash: &str) -> QueryResult<Option<ChallengeRow>> {
    ch::table
        .filter(ch::id_hash.eq(id_hash))
        .select(ChallengeRow::as_select())
        .get_result(conn)
        .optional()
}

/// Charges one attempt before the code is looked at; false when the challenge is expired,
/// consumed or out of attempts. One conditional UPDATE, so parallel requests cannot overshoot.
pub fn charge(conn: &mut DbConn, id: i64, now: i64) -> QueryResult<bool> {
    let rows = diesel::update(
        ch::table.filter(
            ch::id
                .eq(id)
                .and(ch::attempts.lt(MAX_ATTEMPTS))
                .and(ch::consumed_at.is_null())
                .and(ch::expires_at.gt(now)),
        ),
    )
    .set(ch::attempts.eq(ch::attempts + 1))
    .execute(conn)?;
    Ok(rows == 1)
}

/// Single use: true for exactly one caller.
pub fn consume(conn: &mut DbConn, id: i64, now: i64) -> QueryResult<bool> {
    let rows = diesel::update(
        ch::table.filter(
            ch::id
                .eq(id)
                .and(ch::consumed_at.is_null())
                .and(ch::expires_at.gt(now)),
        ),
    )
    .set(ch::consumed_at.eq(Some(now)))
    .execute(conn)?;
    Ok(rows == 1)
}

/// Removes challenges that can no longer be used (expired a while ago).
pub fn purge_expired(conn: &mut DbConn, before: i64) -> QueryResult<usize> {
    diesel::delete(ch::table.filter(ch::expires_at.lt(before))).execute(conn)
}
