//! Turning TOTP on and off: enable (pending secret), verify (activate + recovery codes),
//! disable, and regenerating recovery codes. Every change ends the user's other sessions.

use twofa_core::{RecoveryCode, Secret, TotpCode};

use crate::auth::{ClientInfo, CurrentUser};
use crate::crypto;
use crate::db::{recovery_codes, sessions, totp, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::service::second_factor::{self, Factor};
use crate::service::{accounts, audit};
use crate::state::AppState;

/// A pending enrollment lives 10 minutes.
pub const ENROLLMENT_TTL_SECS: i64 = 600;

/// A wrong enrolment code that matches a step up to 20 steps (10 minutes) away is reported as
/// `clock_drift`; further off is more likely a typo or the wrong account than a clock.
pub const DRIFT_BOUND_STEPS: u8 = 20;

pub struct Enrollment {
    pub secret: String,
    pub otpauth_uri: String,
    pub qr_svg: String,
    pub expires_in: i64,
    /// The server's clock when the secret was issued, so the user can compare their phone's.
    pub server_time: i64,
}

pub async fn enable(
    state: &AppState,
    client: &ClientInfo,
    current: &CurrentUser,
    password: String,
) -> ApiResult<Enrollment> {
    accounts::confirm_password(state, client, &current.user, password).await?;
    let user_id = current.user.id;
    let secret = Secret::generate(&mut crypto::rng());
    let sealed = state
        .keys
        .secret_box
        .seal(user_id, &secret, &mut crypto::rng());
    let key_id = state.keys.secret_box.key_id();
    let now = state.now();
    let replaced = state
        .db
        .write(move |conn| {
            Ok(totp::replace_pending(
                conn,
                user_id,
                &sealed,
                &key_id,
                now,
                now + ENROLLMENT_TTL_SECS,
            )?)
        })
        .await?;
    if !replaced {
        return Err(ApiError::TotpAlreadyEnabled);
    }
    let otpauth_uri =
        twofa_core::otpauth_uri(&state.settings.issuer, &current.user.username, &secret);
    let qr_svg = twofa_core::qr_svg(&otpauth_uri)
        .map_err(|e| ApiError::internal(anyhow::anyhow!("QR rendering failed: {e}")))?;
    audit::record(
        state,
        client,
        Some(user_id),
        "2fa.enroll.started",
        audit::SUCCESS,
        None,
    )
    .await;
    Ok(Enrollment {
        secret: secret.to_base32(),
        otpauth_uri,
        qr_svg,
        expires_in: ENROLLMENT_TTL_SECS,
        server_time: now,
    })
}

/// Ten fresh codes: (display strings for the user once, (lookup tag, PHC) rows to store).
async fn new_recovery_codes(state: &AppState) -> ApiResult<(Vec<String>, Vec<(String, String)>)> {
    let keys = state.keys.clone();
    state
        .hashing
        .run(move |memory| {
            let mut rng = crypto::rng();
            let codes: Vec<RecoveryCode> = twofa_core::generate_recovery_codes(&mut rng);
            let shown = codes.iter().map(RecoveryCode::display).collect();
            let stored = codes
                .iter()
                .map(|code| {
                    let stored = keys.recovery.hash(code, &mut rng, memory);
                    (stored.lookup_tag, stored.phc)
                })
                .collect();
            (shown, stored)
        })
        .await
}

/// Confirms possession of the pending secret; returns the recovery codes (shown once).
pub async fn verify(
    state: &AppState,
    client: &ClientInfo,
    current: &CurrentUser,
    code: TotpCode,
) -> ApiResult<Vec<String>> {
    let user_id = current.user.id;
    let now = state.now();
    let row = state
        .db
        .read(move |conn| Ok(totp::find(conn, user_id)?))
        .await?
        .ok_or(ApiError::NoPendingEnrollment)?;
    if row.is_active() {
        return Err(ApiError::TotpAlreadyEnabled);
    }
    if row.expires_at.is_none_or(|at| at <= now) {
        return Err(ApiError::EnrollmentExpired);
    }
    crate::service::throttle::charge_second_factor(state, user_id, client.ip_key(), |_| Ok(()))
        .await?;
    match check_and_activate(state, client, current, row, code, now).await {
        // A wrong code was counted; anything else gives the attempt's charges back.
        Err(err) if !counted(&err) => {
            crate::service::throttle::second_factor_refund(state, user_id, client.ip_key()).await?;
            Err(err)
        }
        result => result,
    }
}

fn counted(err: &ApiError) -> bool {
    matches!(
        err,
        ApiError::InvalidCode | ApiError::TotpReplayed | ApiError::ClockDrift { .. }
    )
}

/// The charged part of `verify`: the code against the pending secret, then the activation.
async fn check_and_activate(
    state: &AppState,
    client: &ClientInfo,
    current: &CurrentUser,
    row: totp::TotpRow,
    code: TotpCode,
    now: i64,
) -> ApiResult<Vec<String>> {
    let user_id = current.user.id;
    let secret = second_factor::open_secret(state, user_id, &row.secret_ct)?;
    let matched = match twofa_core::verify(
        &secret,
        &code,
        second_factor::unix(now),
        None,
        second_factor::WINDOW,
    ) {
        Ok(matched) => matched,
        Err(err) => {
            // Enrolment is the one place to diagnose a skewed device clock: the caller already
            // holds the secret (it was just shown to them), so telling which far step matched
            // reveals nothing. At sign-in or disable it would be an oracle widening the
            // window for a code guesser; those keep a plain `invalid_code`.
            let drift = twofa_core::clock_drift(
                &secret,
                &code,
                second_factor::unix(now),
                second_factor::WINDOW,
                DRIFT_BOUND_STEPS,
            );
            let reason = if drift.is_some() {
                "clock_drift"
            } else {
                "invalid_code"
            };
            audit::record(
                state,
                client,
                Some(user_id),
                "2fa.enroll.failed",
                audit::FAILURE,
                Some(reason),
            )
            .await;
            // Counted like any wrong code: the diagnosis must not be a free extra guess.
            crate::service::throttle::second_factor_failed(state, user_id).await?;
            return Err(match drift {
                Some(drift) => ApiError::ClockDrift {
                    drift_seconds: drift.seconds(),
                },
                None => second_factor::totp_error(err),
            });
        }
    };
    let (shown, stored) = new_recovery_codes(state).await?;
    let step = second_factor::step_i64(matched.step);
    let keep = current.session_row_id().filter(|_| is_bearer(current));
    let seen = current.user.session_epoch;
    let sealed = row.secret_ct;
    let ended = state
        .db
        .write(move |conn| {
            if !totp::activate(conn, user_id, &sealed, step, now)? {
                return Err(ApiError::NoPendingEnrollment);
            }
            recovery_codes::replace_all(conn, user_id, &stored, now)?;
            sessions::delete_others(conn, user_id, keep, seen)?.ok_or(ApiError::Unauthenticated)
        })
        .await?;
    current.keep_session(ended.epoch)?;
    crate::service::throttle::second_factor_succeeded(state, user_id, client.ip_key()).await?;
    audit::record(
        state,
        client,
        Some(user_id),
        "2fa.enroll.completed",
        audit::SUCCESS,
        None,
    )
    .await;
    if ended.rows > 0 {
        audit::record(
            state,
            client,
            Some(user_id),
            "session.revoked_all",
            audit::SUCCESS,
            Some("2fa_enabled"),
        )
        .await;
    }
    Ok(shown)
}

/// Cookie sessions are renewed by the handler (their old row goes); a bearer token is kept.
fn is_bearer(current: &CurrentUser) -> bool {
    matches!(current.via, crate::auth::AuthVia::Bearer { .. })
}

async fn require_active(state: &AppState, user_id: i64) -> ApiResult<()> {
    let row = state
        .db
        .read(move |conn| Ok(totp::find(conn, user_id)?))
        .await?;
    if row.is_some_and(|r| r.is_active()) {
        Ok(())
    } else {
        Err(ApiError::TotpNotEnabled)
    }
}

pub async fn disable(
    state: &AppState,
    client: &ClientInfo,
    current: &CurrentUser,
    password: String,
    factor: Factor,
) -> ApiResult<()> {
    let user_id = current.user.id;
    require_active(state, user_id).await?;
    accounts::confirm_password(state, client, &current.user, password).await?;
    let keep = current.session_row_id().filter(|_| is_bearer(current));
    let seen = current.user.session_epoch;
    let ended = second_factor::verify_and_then(
        state,
        client,
        user_id,
        factor,
        "2fa.disable.failure",
        move |conn: &mut DbConn, _, _| {
            totp::delete(conn, user_id)?;
            recovery_codes::delete_all(conn, user_id)?;
            sessions::delete_others(conn, user_id, keep, seen)?.ok_or(ApiError::Unauthenticated)
        },
    )
    .await?;
    current.keep_session(ended.epoch)?;
    audit::record(
        state,
        client,
        Some(user_id),
        "2fa.disabled",
        audit::SUCCESS,
        None,
    )
    .await;
    audit::record(
        state,
        client,
        Some(user_id),
        "session.revoked_all",
        audit::SUCCESS,
        Some("2fa_disabled"),
    )
    .await;
    Ok(())
}

pub async fn regenerate_recovery_codes(
    state: &AppState,
    client: &ClientInfo,
    current: &CurrentUser,
    password: String,
    code: TotpCode,
) -> ApiResult<Vec<String>> {
    let user_id = current.user.id;
    require_active(state, user_id).await?;
    accounts::confirm_password(state, client, &current.user, password).await?;
    let (shown, stored) = new_recovery_codes(state).await?;
    second_factor::verify_and_then(
        state,
        client,
        user_id,
        Factor::Totp(code),
        "recovery_code.regenerate.failure",
        move |conn, _, now| {
            recovery_codes::replace_all(conn, user_id, &stored, now)?;
            Ok(())
        },
    )
    .await?;
    audit::record(
        state,
        client,
        Some(user_id),
        "recovery_code.regenerated",
        audit::SUCCESS,
        None,
    )
    .await;
    Ok(shown)
}
