//! Diagnostic baselines: the same statements as the bare challenge endpoint, but cut into the
//! server's shape — 3 reads and 4 separate write transactions, each one `web::block` hop with a
//! pooled connection (SQLite: 1 writer + 4 readers; PostgreSQL: one pool of 10). If this variant
//! runs as slowly as twofa, the gap comes from how the work is split, not from the work.

use std::sync::Arc;

use actix_web::web;
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, Pool};
use diesel::sql_types::{BigInt, Text};
use diesel::{PgConnection, SqliteConnection};
use twofa_core::{TimeStep, TotpCode, UnixTime};

use crate::baseline::{ChallengeRow, Shared, TotpRow, UserRow, Verdict};

pub type SqlitePool = Pool<ConnectionManager<SqliteConnection>>;
pub type PgPool = Pool<ConnectionManager<PgConnection>>;

/// One step on a pooled connection on the blocking pool, as the server's `Db::read`/`write` do.
async fn hop<C, T, F>(pool: &Pool<ConnectionManager<C>>, f: F) -> Result<T, String>
where
    C: diesel::r2d2::R2D2Connection + 'static,
    T: Send + 'static,
    F: FnOnce(&mut C) -> diesel::QueryResult<T> + Send + 'static,
{
    let pool = pool.clone();
    web::block(move || {
        let mut c = pool.get().map_err(|e| e.to_string())?;
        f(&mut c).map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())?
}

macro_rules! split_fn {
    ($name:ident, $conn:ty, $tx:ident) => {
        pub async fn $name(
            read: &Pool<ConnectionManager<$conn>>,
            write: &Pool<ConnectionManager<$conn>>,
            shared: &Arc<Shared>,
            id_hash: String,
            code: TotpCode,
            now: i64,
        ) -> Result<Verdict, String> {
            let s = shared.clone();
            let found = hop(read, move |c| {
                diesel::sql_query(s.sql.find.as_str())
                    .bind::<Text, _>(id_hash)
                    .get_result::<ChallengeRow>(c)
                    .optional()
            })
            .await?;
            let Some(ch) = found else {
                return Ok(Verdict::ChallengeInvalid);
            };
            let (id, user_id) = (ch.id, ch.user_id);
            let s = shared.clone();
            let charged = hop(write, move |c| {
                c.$tx(|c| {
                    diesel::sql_query(s.sql.charge.as_str())
                        .bind::<BigInt, _>(id)
                        .bind::<BigInt, _>(now)
                        .execute(c)
                })
            })
            .await?;
            if charged != 1 {
                return Ok(Verdict::ChallengeInvalid);
            }
            let s = shared.clone();
            hop(read, move |c| {
                diesel::sql_query(s.sql.user.as_str())
                    .bind::<BigInt, _>(user_id)
                    .get_result::<UserRow>(c)
            })
            .await?;
            let s = shared.clone();
            hop(write, move |c| {
                c.$tx(|c| {
                    for key in [format!("account:{user_id}"), "ip2fa:127.0.0.1".to_owned()] {
                        diesel::sql_query(s.sql.throttle.as_str())
                            .bind::<Text, _>(key)
                            .bind::<BigInt, _>(now)
                            .execute(c)?;
                    }
                    diesel::QueryResult::Ok(())
                })
            })
            .await?;
            let s = shared.clone();
            let row = hop(read, move |c| {
                diesel::sql_query(s.sql.totp.as_str())
                    .bind::<BigInt, _>(user_id)
                    .get_result::<TotpRow>(c)
            })
            .await?;
            let secret = shared
                .sealing
                .open(user_id, &row.secret_ct)
                .map_err(|e| e.to_string())?;
            let last = row
                .last_used_step
                .and_then(|s| u64::try_from(s).ok())
                .map(TimeStep);
            let when = UnixTime(u64::try_from(now).unwrap_or(0));
            if twofa_core::verify(&secret, &code, when, last, 1).is_ok() {
                // The diagnostic only measures the wrong-code path.
                return Ok(Verdict::Accepted);
            }
            let s = shared.clone();
            hop(write, move |c| {
                c.$tx(|c| {
                    diesel::sql_query(s.sql.audit.as_str())
                        .bind::<BigInt, _>(now)
                        .bind::<BigInt, _>(user_id)
                        .execute(c)
                })
            })
            .await?;
            // The server's "lock once the limit is reached" check: one more write transaction.
            let s = shared.clone();
            hop(write, move |c| {
                c.$tx(|c| {
                    diesel::sql_query(s.sql.throttle_touch.as_str())
                        .bind::<Text, _>(format!("account:{user_id}"))
                        .execute(c)
                })
            })
            .await?;
            Ok(Verdict::InvalidCode)
        }
    };
}

split_fn!(
    attempt_sqlite_split,
    SqliteConnection,
    immediate_transaction
);
split_fn!(attempt_pg_split, PgConnection, transaction);
