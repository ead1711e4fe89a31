//! The sealed (AEAD) columns, for key rotation: every TOTP secret, pending or active.

use diesel::prelude::*;

use super::schema::totp_credentials as totp;
use super::DbConn;

/// `(user_id, secret_ct)` of every TOTP credential.
pub fn all_totp(conn: &mut DbConn) -> QueryResult<Vec<(i64, Vec<u8>)>> {
    totp::table
        .select((totp::user_id, totp::secret_ct))
        .load(conn)
}

pub fn reseal_totp(
    conn: &mut DbConn,
    user_id: i64,
    secret_ct: &[u8],
    key_id: &str,
) -> QueryResult<()> {
    diesel::update(totp::table.find(user_id))
        .set((totp::secret_ct.eq(secret_ct), totp::key_id.eq(key_id)))
        .execute(conn)?;
    Ok(())
}
