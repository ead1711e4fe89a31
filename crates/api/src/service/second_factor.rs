//! Checking a second factor (TOTP code or recovery code) with throttling and single use.
//! The order is fixed: charge the attempt (account, then IP), then check the code. A TOTP step
//! is consumed by compare-and-set in the caller's transaction; so is a recovery code
//! (`used_at IS NULL`), after its one argon2 verification. Consuming in the same transaction as
//! the session it buys means a crash can never leave a code spent without a session.

use twofa_core::{RecoveryCode, TimeStep, TotpCode, TotpError, UnixTime};

use crate::auth::ClientInfo;
use crate::db::{recovery_codes, totp, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::service::{audit, throttle};
use crate::state::AppState;

/// Codes from one step either side of now are accepted (RFC 6238 §5.2).
pub const WINDOW: u8 = 1;

pub enum Factor {
    Totp(TotpCode),
    Recovery(RecoveryCode),
}

impl Factor {
    pub fn is_recovery(&self) -> bool {
        matches!(self, Factor::Recovery(_))
    }
}

pub fn parse_code(code: &str) -> ApiResult<TotpCode> {
    TotpCode::parse(code).map_err(|_| ApiError::InvalidCodeFormat)
}

/// Exactly one of `code` and `recovery_code`, each checked for format before anything else.
pub fn parse_factor(code: Option<&str>, recovery_code: Option<&str>) -> ApiResult<Factor> {
    match (code, recovery_code) {
        (Some(code), None) => Ok(Factor::Totp(parse_code(code)?)),
        (None, Some(recovery)) => Ok(Factor::Recovery(
            RecoveryCode::parse(recovery).map_err(|_| ApiError::InvalidCodeFormat)?,
        )),
        _ => Err(ApiError::InvalidRequest(
            "send exactly one of code and recovery_code".into(),
        )),
    }
}

/// A factor that checked out; it is consumed in the caller's transaction.
pub enum Proof {
    TotpStep(i64),
    RecoveryCode { id: i64 },
}

pub fn step_i64(step: TimeStep) -> i64 {
    i64::try_from(step.0).unwrap_or(i64::MAX)
}

pub fn unix(now: i64) -> UnixTime {
    UnixTime(u64::try_from(now).unwrap_or(0))
}

/// Opens the user's sealed secret; a failure means the key does not fit the row.
pub fn open_secret(state: &AppState, user_id: i64, sealed: &[u8]) -> ApiResult<twofa_core::Secret> {
    state.keys.secret_box.open(user_id, sealed).map_err(|e| {
        ApiError::internal(anyhow::anyhow!(
            "cannot open the TOTP secret of user {user_id}: {e}"
        ))
    })
}

pub fn totp_error(err: TotpError) -> ApiError {
    match err {
        TotpError::Replayed => ApiError::TotpReplayed,
        _ => ApiError::InvalidCode,
    }
}

async fn check(state: &AppState, user_id: i64, factor: Factor, now: i64) -> ApiResult<Proof> {
    match factor {
        Factor::Totp(code) => {
            let row = state
                .db
                .read(move |conn| Ok(totp::find(conn, user_id)?))
                .await?
                .filter(|t| t.is_active())
                .ok_or(ApiError::TotpNotEnabled)?;
            let secret = open_secret(state, user_id, &row.secret_ct)?;
            let last_used = row
                .last_used_step
                .and_then(|s| u64::try_from(s).ok())
                .map(TimeStep);
            let matched = twofa_core::verify(&secret, &code, unix(now), last_used, WINDOW)
                .map_err(totp_error)?;
            Ok(Proof::TotpStep(step_i64(matched.step)))
        }
        Factor::Recovery(code) => {
            let tag = state.keys.recovery.lookup_tag(&code);
            let found = state
                .db
                .read(move |conn| Ok(recovery_codes::find_unused(conn, user_id, &tag)?))
                .await?;
            // Unknown and already-used codes answer alike; at most one argon2 run per attempt.
            let (id, phc) = found.ok_or(ApiError::InvalidCode)?;
            let keys = state.keys.clone();
            let verified = state
                .hashing
                .run(move || keys.recovery.verify(&code, &phc))
                .await?;
            if verified {
                Ok(Proof::RecoveryCode { id })
            } else {
                Err(ApiError::InvalidCode)
            }
        }
    }
}

/// Consumes a proof; exactly one of any number of parallel callers succeeds.
pub fn consume(conn: &mut DbConn, user_id: i64, proof: &Proof, now: i64) -> ApiResult<()> {
    match *proof {
        Proof::TotpStep(step) => {
            if !totp::claim_step(conn, user_id, step)? {
                return Err(ApiError::TotpReplayed);
            }
        }
        Proof::RecoveryCode { id } => {
            // Of parallel attempts with one code, all may pass argon2; one wins here.
            if !recovery_codes::consume(conn, id, now)? {
                return Err(ApiError::InvalidCode);
            }
        }
    }
    Ok(())
}

/// Charges, checks and consumes a second factor, then runs `finish` in the same transaction.
/// Failures are counted toward the account lock and audited under `event`.
pub async fn verify_and_then<T, F>(
    state: &AppState,
    client: &ClientInfo,
    user_id: i64,
    factor: Factor,
    event: &'static str,
    finish: F,
) -> ApiResult<T>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConn, &Proof, i64) -> ApiResult<T> + Send + 'static,
{
    if let Err(err) = throttle::charge_second_factor(state, user_id, client.ip_key()).await {
        let what = if matches!(err, ApiError::AccountLocked { .. }) {
            "locked"
        } else {
            "ip"
        };
        audit::record(
            state,
            client,
            Some(user_id),
            "2fa.throttled",
            audit::FAILURE,
            Some(what),
        )
        .await;
        return Err(err);
    }
    let now = state.now();
    let result = match check(state, user_id, factor, now).await {
        Ok(proof) => {
            state
                .db
                .write(move |conn| {
                    consume(conn, user_id, &proof, now)?;
                    finish(conn, &proof, now)
                })
                .await
        }
        Err(err) => Err(err),
    };
    match &result {
        Ok(_) => throttle::second_factor_succeeded(state, user_id, client.ip_key()).await?,
        Err(err @ (ApiError::InvalidCode | ApiError::TotpReplayed)) => {
            let reason = if matches!(err, ApiError::TotpReplayed) {
                audit::record(
                    state,
                    client,
                    Some(user_id),
                    "totp.replay_detected",
                    audit::FAILURE,
                    None,
                )
                .await;
                "replayed"
            } else {
                "invalid_code"
            };
            audit::record(
                state,
                client,
                Some(user_id),
                event,
                audit::FAILURE,
                Some(reason),
            )
            .await;
            if throttle::second_factor_failed(state, user_id).await? {
                audit::record(
                    state,
                    client,
                    Some(user_id),
                    "2fa.locked",
                    audit::FAILURE,
                    None,
                )
                .await;
            }
        }
        Err(_) => {}
    }
    result
}
