//! Throttle counters in the database, so limits hold across several API instances.
//! Callers run these inside one write transaction.

use diesel::prelude::*;

use super::schema::throttles as t;
use super::DbConn;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charge {
    /// The attempt is allowed; `count` includes it.
    Allowed { count: i32 },
    /// Refused; retry after this many seconds.
    Refused { retry_after: i64 },
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = t)]
struct ThrottleRow {
    count: i32,
    window_start: i64,
    locked_until: Option<i64>,
}

fn find(conn: &mut DbConn, key: &str) -> QueryResult<Option<ThrottleRow>> {
    t::table
        .find(key)
        .select(ThrottleRow::as_select())
        .get_result(conn)
        .optional()
}

fn insert_first(conn: &mut DbConn, key: &str, now: i64) -> QueryResult<Charge> {
    diesel::insert_into(t::table)
        .values((t::key.eq(key), t::count.eq(1), t::window_start.eq(now)))
        .execute(conn)?;
    Ok(Charge::Allowed { count: 1 })
}

/// A conditional UPDATE can miss a row that a concurrent success deleted and another attempt
/// re-created (PostgreSQL, READ COMMITTED); such an attempt looks again instead of being refused.
const ROUNDS: usize = 4;

/// At most `limit` attempts per fixed window of `window` seconds.
pub fn charge_window(
    conn: &mut DbConn,
    key: &str,
    now: i64,
    window: i64,
    limit: i32,
) -> QueryResult<Charge> {
    for _ in 0..ROUNDS {
        let Some(row) = find(conn, key)? else {
            return insert_first(conn, key, now);
        };
        if row.window_start + window <= now {
            let rows = diesel::update(
                t::table
                    .find(key)
                    .filter(t::window_start.eq(row.window_start)),
            )
            .set((t::count.eq(1), t::window_start.eq(now)))
            .execute(conn)?;
            if rows == 1 {
                return Ok(Charge::Allowed { count: 1 });
            }
            continue;
        }
        if row.count >= limit {
            return Ok(Charge::Refused {
                retry_after: (row.window_start + window - now).max(1),
            });
        }
        let rows = diesel::update(t::table.find(key).filter(t::count.lt(limit)))
            .set(t::count.eq(t::count + 1))
            .execute(conn)?;
        if rows == 1 {
            let count = find(conn, key)?.map_or(1, |r| r.count);
            return Ok(Charge::Allowed { count });
        }
    }
    Ok(Charge::Refused { retry_after: 1 })
}

/// Consecutive failures: at `limit` the key is locked for `lock_secs`; a success resets it.
pub fn charge_consecutive(
    conn: &mut DbConn,
    key: &str,
    now: i64,
    limit: i32,
    lock_secs: i64,
) -> QueryResult<Charge> {
    for _ in 0..ROUNDS {
        let Some(row) = find(conn, key)? else {
            return insert_first(conn, key, now);
        };
        match row.locked_until {
            Some(until) if until > now => {
                return Ok(Charge::Refused {
                    retry_after: until - now,
                })
            }
            Some(until) => {
                // The lock has run out: start counting again.
                let rows = diesel::update(t::table.find(key).filter(t::locked_until.eq(until)))
                    .set((
                        t::count.eq(1),
                        t::window_start.eq(now),
                        t::locked_until.eq(None::<i64>),
                    ))
                    .execute(conn)?;
                if rows == 1 {
                    return Ok(Charge::Allowed { count: 1 });
                }
                continue;
            }
            None => {}
        }
        if row.count >= limit {
            // `limit` attempts are already charged and still in flight or just failed.
            return Ok(Charge::Refused {
                retry_after: lock_secs.max(1),
            });
        }
        let rows = diesel::update(
            t::table
                .find(key)
                .filter(t::count.lt(limit).and(t::locked_until.is_null())),
        )
        .set(t::count.eq(t::count + 1))
        .execute(conn)?;
        if rows == 1 {
            let count = find(conn, key)?.map_or(1, |r| r.count);
            return Ok(Charge::Allowed { count });
        }
    }
    Ok(Charge::Refused {
        retry_after: lock_secs.max(1),
    })
}

/// After a failure: lock the key once it has reached `limit`.
pub fn lock_if_reached(
    conn: &mut DbConn,
    key: &str,
    now: i64,
    limit: i32,
    lock_secs: i64,
) -> QueryResult<bool> {
    let rows = diesel::update(
        t::table
            .find(key)
            .filter(t::count.ge(limit).and(t::locked_until.is_null())),
    )
    .set(t::locked_until.eq(Some(now + lock_secs)))
    .execute(conn)?;
    Ok(rows == 1)
}

/// Gives back one charged attempt (the attempt succeeded, so it was not a failure).
pub fn refund(conn: &mut DbConn, key: &str) -> QueryResult<()> {
    diesel::update(t::table.find(key).filter(t::count.gt(0)))
        .set(t::count.eq(t::count - 1))
        .execute(conn)?;
    Ok(())
}

pub fn reset(conn: &mut DbConn, key: &str) -> QueryResult<()> {
    diesel::delete(t::table.find(key)).execute(conn)?;
    Ok(())
}
