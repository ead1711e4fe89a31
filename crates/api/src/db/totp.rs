use diesel::prelude::*;

use super::schema::totp_credentials as totp;
use super::DbConn;

pub const PENDING: &str = "pending";
pub const ACTIVE: &str = "active";

/// A TOTP credential. No `Debug`: `secret_ct` is sealed, but keep it out of logs anyway.
#[derive(Queryable, Selectable, Clone)]
#[diesel(table_name = totp)]
pub struct TotpRow {
    pub user_id: i64,
    pub state: String,
    pub secret_ct: Vec<u8>,
    pub key_id: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub enabled_at: Option<i64>,
    pub last_used_step: Option<i64>,
}

impl TotpRow {
    pub fn is_active(&self) -> bool {
        self.state == ACTIVE
    }
}

pub fn find(conn: &mut DbConn, user_id: i64) -> QueryResult<Option<TotpRow>> {
    totp::table
        .find(user_id)
        .select(TotpRow::as_select())
        .get_result(conn)
        .optional()
}

/// Replaces any pending enrollment; returns false (and changes nothing) when one is active.
pub fn replace_pending(
    conn: &mut DbConn,
    user_id: i64,
    secret_ct: &[u8],
    key_id: &str,
    now: i64,
    expires_at: i64,
) -> QueryResult<bool> {
    let active = totp::table
        .filter(totp::user_id.eq(user_id).and(totp::state.eq(ACTIVE)))
        .count()
        .get_result::<i64>(conn)?;
    if active > 0 {
        return Ok(false);
    }
    diesel::delete(totp::table.filter(totp::user_id.eq(user_id))).execute(conn)?;
    diesel::insert_into(totp::table)
        .values((
            totp::user_id.eq(user_id),
            totp::state.eq(PENDING),
            totp::secret_ct.eq(secret_ct),
            totp::key_id.eq(key_id),
            totp::created_at.eq(now),
            totp::expires_at.eq(Some(expires_at)),
        ))
        .execute(conn)?;
    Ok(true)
}

/// Activates a still-valid pending enrollment and records the step its confirming code used.
/// `secret_ct` must still be the one the code was checked against (a parallel enable may have
/// replaced it).
pub fn activate(
    conn: &mut DbConn,
    user_id: i64,
    secret_ct: &[u8],
    step: i64,
    now: i64,
) -> QueryResult<bool> {
    let rows = diesel::update(
        totp::table.filter(
            totp::user_id
                .eq(user_id)
                .and(totp::state.eq(PENDING))
                .and(totp::secret_ct.eq(secret_ct))
                .and(totp::expires_at.gt(now)),
        ),
    )
    .set((
        totp::state.eq(ACTIVE),
        totp::enabled_at.eq(Some(now)),
        totp::expires_at.eq(None::<i64>),
        totp::last_used_step.eq(Some(step)),
    ))
    .execute(conn)?;
    Ok(rows == 1)
}

/// Compare-and-set of the last used time step: true for exactly one caller per step.
pub fn claim_step(conn: &mut DbConn, user_id: i64, step: i64) -> QueryResult<bool> {
    let rows = diesel::update(
        totp::table.filter(
            totp::user_id.eq(user_id).and(totp::state.eq(ACTIVE)).and(
                totp::last_used_step
                    .is_null()
                    .or(totp::last_used_step.lt(step)),
            ),
        ),
    )
    .set(totp::last_used_step.eq(Some(step)))
    .execute(conn)?;
    Ok(rows == 1)
}

pub fn delete(conn: &mut DbConn, user_id: i64) -> QueryResult<usize> {
    diesel::delete(totp::table.filter(totp::user_id.eq(user_id))).execute(conn)
}
