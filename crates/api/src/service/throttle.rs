//! Throttling policy: password failures per (submitted username, client IP) and per client IP
//! across usernames, consecutive second-factor
//! failures per account (temporary lock), second-factor failures per client IP. Attempts are
//! charged before the secret is checked and given back on success.

use crate::db::throttles::{self, Charge};
use crate::db::{is_unique_violation, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

const WINDOW_SECS: i64 = 600;

fn login_key(username_key: &str, ip: &str) -> String {
    // Keyed on the IP too, so a stranger's failures cannot lock the owner out of the password
    // step; hashed, as the submitted name can be long and need not exist.
    format!(
        "login:{}",
        crate::crypto::sha256_hex(&format!("{ip}\n{username_key}"))
    )
}

fn login_ip_key(ip: &str) -> String {
    format!("iplogin:{ip}")
}

fn account_key(user_id: i64) -> String {
    format!("account:{user_id}")
}

fn ip_key(ip: &str) -> String {
    format!("ip2fa:{ip}")
}

fn limit(value: u32) -> i32 {
    i32::try_from(value).unwrap_or(i32::MAX)
}

fn lock_secs(state: &AppState) -> i64 {
    i64::try_from(state.settings.account_lock_secs).unwrap_or(i64::MAX / 4)
}

fn retry(secs: i64) -> u64 {
    u64::try_from(secs.max(1)).unwrap_or(1)
}

/// Runs a throttle transaction, retrying when two instances create the same counter row at once.
/// An inner `Err` rolls the transaction back, so a refusal leaves every counter as it was.
async fn write_retrying<T, F>(state: &AppState, op: F) -> ApiResult<T>
where
    T: Send + 'static,
    F: Fn(&mut DbConn) -> diesel::QueryResult<ApiResult<T>> + Clone + Send + 'static,
{
    for _ in 0..3 {
        let op = op.clone();
        let outcome = state
            .db
            .write(move |conn| match op(conn) {
                Ok(result) => Ok(Some(result?)),
                Err(err) if is_unique_violation(&err) => Ok(None),
                Err(err) => Err(err.into()),
            })
            .await?;
        if let Some(value) = outcome {
            return Ok(value);
        }
    }
    Err(ApiError::internal(anyhow::anyhow!(
        "throttle row kept conflicting"
    )))
}

/// Charges one password attempt to (username, IP), then to the IP across usernames (one
/// transaction: a refusal leaves both counters as they were).
pub async fn charge_login(state: &AppState, username_key: &str, ip: &str) -> ApiResult<()> {
    let key = login_key(username_key, ip);
    let ip = login_ip_key(ip);
    let now = state.now();
    let max = limit(state.settings.login_failure_limit);
    let ip_max = limit(state.settings.login_ip_failure_limit);
    write_retrying(state, move |conn| {
        for (key, max) in [(&key, max), (&ip, ip_max)] {
            if let Charge::Refused { retry_after } =
                throttles::charge_window(conn, key, now, WINDOW_SECS, max)?
            {
                return Ok(Err(ApiError::TooManyAttempts {
                    retry_after: retry(retry_after),
                }));
            }
        }
        Ok(Ok(()))
    })
    .await
}

pub async fn refund_login(state: &AppState, username_key: &str, ip: &str) -> ApiResult<()> {
    refund(state, [login_key(username_key, ip), login_ip_key(ip)]).await
}

/// Gives one charge back to each key, in one transaction.
async fn refund(state: &AppState, keys: [String; 2]) -> ApiResult<()> {
    state
        .db
        .write(move |conn| {
            for key in &keys {
                throttles::refund(conn, key)?;
            }
            Ok(())
        })
        .await
}

/// Charges one second-factor attempt to the account, then to the IP, in one transaction that
/// starts with `guard`; its error, or a refused charge, rolls the whole transaction back.
pub async fn charge_second_factor<P, G>(
    state: &AppState,
    user_id: i64,
    ip: &str,
    guard: G,
) -> ApiResult<P>
where
    P: Send + 'static,
    G: Fn(&mut DbConn) -> ApiResult<P> + Clone + Send + 'static,
{
    charge_second_factor_then(state, user_id, ip, guard, |_, guarded| Ok(guarded)).await
}

/// [`charge_second_factor`], then `then` in the same transaction once both charges are in: the
/// reads, check and bookkeeping of the attempt itself share the charge's storage hop.
pub async fn charge_second_factor_then<P, G, R, H>(
    state: &AppState,
    user_id: i64,
    ip: &str,
    guard: G,
    then: H,
) -> ApiResult<R>
where
    P: Send + 'static,
    G: Fn(&mut DbConn) -> ApiResult<P> + Clone + Send + 'static,
    R: Send + 'static,
    H: Fn(&mut DbConn, P) -> diesel::QueryResult<R> + Clone + Send + 'static,
{
    let account = account_key(user_id);
    let ip = ip_key(ip);
    let now = state.now();
    let account_limit = limit(state.settings.account_failure_limit);
    let ip_limit = limit(state.settings.ip_failure_limit);
    let lock = lock_secs(state);
    write_retrying(state, move |conn| {
        let guarded = match guard(conn) {
            Ok(value) => value,
            Err(err) => return Ok(Err(err)),
        };
        if let Charge::Refused { retry_after } =
            throttles::charge_consecutive(conn, &account, now, account_limit, lock)?
        {
            return Ok(Err(ApiError::AccountLocked {
                retry_after: retry(retry_after),
            }));
        }
        if let Charge::Refused { retry_after } =
            throttles::charge_window(conn, &ip, now, WINDOW_SECS, ip_limit)?
        {
            return Ok(Err(ApiError::TooManyAttempts {
                retry_after: retry(retry_after),
            }));
        }
        Ok(Ok(then(conn, guarded)?))
    })
    .await
}

/// A wrong or replayed code, to be counted in a transaction: locks the account once it reached
/// the limit.
#[derive(Clone)]
pub struct FailureCount {
    account: String,
    now: i64,
    limit: i32,
    lock: i64,
}

impl FailureCount {
    pub fn new(state: &AppState, user_id: i64) -> FailureCount {
        FailureCount {
            account: account_key(user_id),
            now: state.now(),
            limit: limit(state.settings.account_failure_limit),
            lock: lock_secs(state),
        }
    }

    /// True when this failure locked the account.
    pub fn apply(&self, conn: &mut DbConn) -> diesel::QueryResult<bool> {
        throttles::lock_if_reached(conn, &self.account, self.now, self.limit, self.lock)
    }
}

/// A second factor that checked out, to be recorded in a transaction: the account's failure
/// count starts over and the IP's charge is given back.
pub struct SuccessReset {
    account: String,
    ip: String,
}

impl SuccessReset {
    pub fn new(user_id: i64, ip: &str) -> SuccessReset {
        SuccessReset {
            account: account_key(user_id),
            ip: ip_key(ip),
        }
    }

    pub fn apply(&self, conn: &mut DbConn) -> diesel::QueryResult<()> {
        throttles::reset(conn, &self.account)?;
        throttles::refund(conn, &self.ip)
    }
}

/// `FailureCount` in a transaction of its own; true when this failure locked the account.
pub async fn second_factor_failed(state: &AppState, user_id: i64) -> ApiResult<bool> {
    let failure = FailureCount::new(state, user_id);
    state.db.write(move |conn| Ok(failure.apply(conn)?)).await
}

/// A charged second-factor attempt that ended for a reason that is not the code's (the action
/// refused, the hashing threads were full, the database conflicted): the account and IP charges
/// are given back in a transaction of their own, so such endings never add up to a lock that no
/// failure ever set.
pub async fn second_factor_refund(state: &AppState, user_id: i64, ip: &str) -> ApiResult<()> {
    refund(state, [account_key(user_id), ip_key(ip)]).await
}

/// `SuccessReset` in a transaction of its own.
pub async fn second_factor_succeeded(state: &AppState, user_id: i64, ip: &str) -> ApiResult<()> {
    let reset = SuccessReset::new(user_id, ip);
    state.db.write(move |conn| Ok(reset.apply(conn)?)).await
}
