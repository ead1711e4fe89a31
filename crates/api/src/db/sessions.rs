//! Server-side sessions: browser cookie sessions and bearer tokens, keyed by SHA-256 of the key.

use diesel::prelude::*;

use super::schema::sessions as s;
use super::DbConn;

pub const COOKIE: &str = "cookie";
pub const BEARER: &str = "bearer";

/// Idle timeout and absolute lifetime (NIST 800-63B AAL2).
pub const IDLE_SECS: i64 = 30 * 60;
pub const ABSOLUTE_SECS: i64 = 12 * 60 * 60;

#[derive(Queryable, Selectable, Clone)]
#[diesel(table_name = s)]
pub struct SessionRow {
    pub id: i64,
    pub key_hash: String,
    pub kind: String,
    pub user_id: Option<i64>,
    pub state: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
}

pub struct NewSession<'a> {
    pub key_hash: &'a str,
    pub kind: &'a str,
    pub user_id: Option<i64>,
    pub state: &'a str,
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    pub now: i64,
}

pub fn insert(conn: &mut DbConn, new: &NewSession<'_>) -> QueryResult<()> {
    diesel::insert_into(s::table)
        .values((
            s::key_hash.eq(new.key_hash),
            s::kind.eq(new.kind),
            s::user_id.eq(new.user_id),
            s::state.eq(new.state),
            s::ip.eq(new.ip),
            s::user_agent.eq(new.user_agent),
            s::created_at.eq(new.now),
            s::last_seen_at.eq(new.now),
            s::expires_at.eq(new.now + ABSOLUTE_SECS),
        ))
        .execute(conn)?;
    Ok(())
}

/// A session that is neither idle-expired nor past its absolute lifetime.
pub fn find_live(
    conn: &mut DbConn,
    key_hash: &str,
    kind: &str,
    now: i64,
) -> QueryResult<Option<SessionRow>> {
    s::table
        .filter(
            s::key_hash
                .eq(key_hash)
                .and(s::kind.eq(kind))
                .and(s::expires_at.gt(now))
                .and(s::last_seen_at.gt(now - IDLE_SECS)),
        )
        .select(SessionRow::as_select())
        .first(conn)
        .optional()
}

pub fn touch(conn: &mut DbConn, id: i64, now: i64) -> QueryResult<()> {
    diesel::update(s::table.filter(s::id.eq(id).and(s::last_seen_at.lt(now))))
        .set(s::last_seen_at.eq(now))
        .execute(conn)?;
    Ok(())
}

/// Updates a live session's state; returns false when it is gone (revoked or expired).
pub fn update_state(
    conn: &mut DbConn,
    key_hash: &str,
    state: &str,
    user_id: Option<i64>,
    now: i64,
) -> QueryResult<bool> {
    let rows = diesel::update(
        s::table.filter(
            s::key_hash
                .eq(key_hash)
                .and(s::expires_at.gt(now))
                .and(s::last_seen_at.gt(now - IDLE_SECS)),
        ),
    )
    .set((
        s::state.eq(state),
        s::user_id.eq(user_id),
        s::last_seen_at.eq(now),
    ))
    .execute(conn)?;
    Ok(rows == 1)
}

pub fn delete_by_hash(conn: &mut DbConn, key_hash: &str) -> QueryResult<usize> {
    diesel::delete(s::table.filter(s::key_hash.eq(key_hash))).execute(conn)
}

/// What `delete_for_user` ended: rows of this table, and the user's new session epoch (a browser
/// session kept alive by the caller must carry it).
pub struct Ended {
    pub rows: usize,
    pub epoch: i64,
}

/// Ends every session of the user except the row `keep`, if given: deletes the rows here and
/// raises the user's session epoch, which ends browser sessions held in Redis too.
pub fn delete_for_user(conn: &mut DbConn, user_id: i64, keep: Option<i64>) -> QueryResult<Ended> {
    let rows = match keep {
        Some(keep) => diesel::delete(s::table.filter(s::user_id.eq(user_id).and(s::id.ne(keep))))
            .execute(conn)?,
        None => diesel::delete(s::table.filter(s::user_id.eq(user_id))).execute(conn)?,
    };
    let epoch = super::users::bump_session_epoch(conn, user_id)?;
    Ok(Ended { rows, epoch })
}

pub fn delete_by_id(conn: &mut DbConn, user_id: i64, id: i64) -> QueryResult<usize> {
    diesel::delete(s::table.filter(s::id.eq(id).and(s::user_id.eq(user_id)))).execute(conn)
}

pub fn list_live_for_user(
    conn: &mut DbConn,
    user_id: i64,
    now: i64,
) -> QueryResult<Vec<SessionRow>> {
    s::table
        .filter(
            s::user_id
                .eq(user_id)
                .and(s::expires_at.gt(now))
                .and(s::last_seen_at.gt(now - IDLE_SECS)),
        )
        .order(s::last_seen_at.desc())
        .select(SessionRow::as_select())
        .load(conn)
}

pub fn purge_expired(conn: &mut DbConn, now: i64) -> QueryResult<usize> {
    diesel::delete(
        s::table.filter(
            s::expires_at
                .le(now)
                .or(s::last_seen_at.le(now - IDLE_SECS)),
        ),
    )
    .execute(conn)
}
