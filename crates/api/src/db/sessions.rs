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
        .get_result(conn)
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

/// Ends every session of the user: deletes the rows here and raises the user's session epoch,
/// which ends browser sessions held in Redis too.
pub fn delete_for_user(conn: &mut DbConn, user_id: i64) -> QueryResult<Ended> {
    let rows = diesel::delete(s::table.filter(s::user_id.eq(user_id))).execute(conn)?;
    let epoch = super::users::bump_session_epoch(conn, user_id)?;
    Ok(Ended { rows, epoch })
}

/// Ends the user's sessions except the caller's own (`keep`, its row, if it has one here), for a
/// caller authorised under epoch `seen`. None, and nothing changed, when the epoch has moved on
/// since: the caller's session was itself ended meanwhile, and keeping it under the new epoch
/// would bring it back.
pub fn delete_others(
    conn: &mut DbConn,
    user_id: i64,
    keep: Option<i64>,
    seen: i64,
) -> QueryResult<Option<Ended>> {
    if !super::users::advance_session_epoch(conn, user_id, seen)? {
        return Ok(None);
    }
    let mine = s::user_id.eq(user_id);
    let rows = match keep {
        Some(keep) => diesel::delete(s::table.filter(mine.and(s::id.ne(keep)))).execute(conn)?,
        None => diesel::delete(s::table.filter(mine)).execute(conn)?,
    };
    Ok(Some(Ended {
        rows,
        epoch: seen + 1,
    }))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{users, Db};

    fn session(conn: &mut DbConn, user_id: i64, hash: &str) {
        let new = NewSession {
            key_hash: hash,
            kind: COOKIE,
            user_id: Some(user_id),
            state: "{}",
            ip: None,
            user_agent: None,
            now: 1,
        };
        insert(conn, &new).unwrap();
    }

    fn count(conn: &mut DbConn, user_id: i64) -> i64 {
        s::table
            .filter(s::user_id.eq(user_id))
            .count()
            .get_result(conn)
            .unwrap()
    }

    #[test]
    fn a_caller_authorised_under_an_ended_epoch_can_neither_keep_its_session_nor_end_others() {
        let dir = tempfile::tempdir().unwrap();
        let url = dir.path().join("t.db").to_str().unwrap().to_owned();
        let db = Db::connect(&url).unwrap();
        db.write_blocking(|conn| {
            let alice = users::insert(conn, "alice", "alice", "alice", "x", false, 1)?.id;
            session(conn, alice, "a");
            session(conn, alice, "b");
            // Both requests were authorised at epoch 0; one ends every session first.
            let first = delete_for_user(conn, alice)?;
            assert_eq!((first.rows, first.epoch), (2, 1));
            session(conn, alice, "c");
            // The late one must not move the epoch to 2 and keep its own session under it.
            assert!(delete_others(conn, alice, None, 0)?.is_none());
            assert_eq!(users::session_epoch(conn, alice)?, 1);
            assert_eq!(count(conn, alice), 1, "nothing deleted by the refused call");
            // Authorised under the current epoch it works, keeping the given row.
            let ended = delete_others(conn, alice, None, 1)?.expect("current epoch");
            assert_eq!((ended.rows, ended.epoch), (1, 2));
            Ok(())
        })
        .unwrap();
    }
}
