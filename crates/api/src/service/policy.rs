//! The 2FA policy (`TWOFA_REQUIRE_2FA` = off | admins | all, `TWOFA_REQUIRE_2FA_GRACE_DAYS`) and
//! the gate every authenticated request passes (disabled accounts are refused there too).
//!
//! Deadline = max(account created, policy start) + grace days. The policy start is stored in the
//! database the first time any instance runs with the policy, so existing users get the full
//! grace period when an administrator turns it on, and every instance agrees on it. Turning the
//! policy off forgets the start; turning it on again starts a new grace period. Past the
//! deadline a user without 2FA can reach only what enrolment needs (`ENROLMENT_PATHS`).

use std::sync::OnceLock;

use crate::db::users::UserRow;
use crate::db::{meta, totp, DbConn};
use crate::dto::{rfc3339, TwoFactorPolicyView};
use crate::error::{ApiError, ApiResult};
use crate::settings::Require2fa;
use crate::state::AppState;

const SINCE_ADMINS: &str = "require_2fa_since_admins";
const SINCE_ALL: &str = "require_2fa_since_all";
const DAY_SECS: i64 = 86_400;

/// The only API paths open to a user whose deadline has passed without 2FA.
pub const ENROLMENT_PATHS: [&str; 4] = [
    "/api/me",
    "/api/2fa/enable",
    "/api/2fa/verify",
    "/api/logout",
];

#[derive(Clone, Copy, Debug, Default)]
struct Starts {
    admins: Option<i64>,
    all: Option<i64>,
}

static STARTS: OnceLock<Starts> = OnceLock::new();

/// Records (once, shared by every instance) when the current policy started; forgets the start
/// of a policy that is off. Called when the server starts.
pub fn start(state: &AppState) -> anyhow::Result<()> {
    let mode = state.settings.require_2fa;
    let now = state.now();
    let record = || {
        state.db.write_blocking(move |conn| {
            let admins = matches!(mode, Require2fa::Admins | Require2fa::All);
            let all = matches!(mode, Require2fa::All);
            Ok(Starts {
                admins: keep_start(conn, SINCE_ADMINS, admins, now)?,
                all: keep_start(conn, SINCE_ALL, all, now)?,
            })
        })
    };
    // A second instance starting at the same moment may lose the insert race (and, on
    // PostgreSQL, its transaction); the retry reads the winner's value.
    let starts = record()
        .or_else(|_| record())
        .map_err(|e| anyhow::anyhow!("cannot record the 2FA policy start: {e}"))?;
    if mode != Require2fa::Off {
        tracing::info!(
            ?mode,
            grace_days = state.settings.require_2fa_grace_days,
            "2FA policy in force"
        );
    }
    let _ = STARTS.set(starts);
    Ok(())
}

fn keep_start(conn: &mut DbConn, key: &str, on: bool, now: i64) -> ApiResult<Option<i64>> {
    if !on {
        meta::delete(conn, key)?;
        return Ok(None);
    }
    if let Some(stored) = meta::get(conn, key)? {
        return Ok(parse(&stored));
    }
    meta::insert(conn, key, now.to_string().as_bytes())?;
    Ok(Some(now))
}

fn parse(value: &[u8]) -> Option<i64> {
    std::str::from_utf8(value).ok()?.parse().ok()
}

/// When this user must have 2FA by; `None` when the policy does not cover them.
pub fn deadline(state: &AppState, user: &UserRow) -> Option<i64> {
    let starts = STARTS.get().copied().unwrap_or_default();
    let since = match state.settings.require_2fa {
        Require2fa::Off => None,
        Require2fa::Admins => user.is_admin.then_some(starts.admins).flatten(),
        Require2fa::All if user.is_admin => starts.admins.or(starts.all),
        Require2fa::All => starts.all,
    }?;
    let grace = i64::from(state.settings.require_2fa_grace_days) * DAY_SECS;
    Some(user.created_at.max(since) + grace)
}

/// The gate of every authenticated request: disabled accounts are signed out; past the
/// deadline without 2FA only the enrolment paths answer.
pub async fn check(state: &AppState, path: &str, user: &UserRow) -> ApiResult<()> {
    if user.disabled_at.is_some() {
        return Err(ApiError::Unauthenticated);
    }
    let Some(deadline) = deadline(state, user) else {
        return Ok(());
    };
    if state.now() < deadline || ENROLMENT_PATHS.contains(&path) {
        return Ok(());
    }
    let user_id = user.id;
    let enabled = state
        .db
        .read(move |conn| Ok(totp::find(conn, user_id)?.is_some_and(|t| t.is_active())))
        .await?;
    if enabled {
        Ok(())
    } else {
        Err(ApiError::EnrollmentRequired)
    }
}

/// What `/api/me` says about the policy, so the SPA can show the deadline before it passes.
pub fn view(state: &AppState, user: &UserRow, enabled: bool) -> TwoFactorPolicyView {
    let deadline = deadline(state, user);
    TwoFactorPolicyView {
        required: deadline.is_some(),
        deadline: deadline.map(rfc3339),
        enrollment_required: !enabled && deadline.is_some_and(|d| state.now() >= d),
    }
}
