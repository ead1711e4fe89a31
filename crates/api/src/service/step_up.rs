//! An administrator's step-up before an action that takes protection away from an account or
//! hands out access (resetting its second factor, disabling or re-enabling it, creating an
//! administrator): the administrator's own password, plus a current code from their
//! authenticator when their account has 2FA on. A stolen session or an unlocked browser alone
//! cannot do any of these; which administrator may act on which account is `admin_rules`.

use crate::auth::ClientInfo;
use crate::db::{users::UserRow, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::service::second_factor::{self, Factor};
use crate::service::{accounts, admin::Actor};
use crate::state::AppState;

/// What the administrator typed to confirm the action. The code is checked for format only once
/// it is known to be expected, so an administrator without 2FA who sends one hears that.
pub struct StepUp {
    pub password: String,
    pub code: Option<String>,
}

/// Who asks for an administrative action, and what confirms it.
pub enum Authority<'a> {
    /// The CLI runs with the database and the key in hand: its user already holds everything.
    Cli,
    /// An administrator, for an action that gives no one more power and takes no protection
    /// away (adding a user who is not an administrator).
    Admin(i64),
    /// An administrator who confirmed the action with what they typed.
    Confirmed { admin: &'a UserRow, step_up: StepUp },
}

impl Authority<'_> {
    pub fn actor(&self) -> Actor {
        match self {
            Authority::Cli => Actor::Cli,
            Authority::Admin(id) => Actor::Admin(*id),
            Authority::Confirmed { admin, .. } => Actor::Admin(admin.id),
        }
    }
}

/// Runs `lock`, then `action`, in one write transaction once the authority is confirmed (the
/// callers of actions that need a confirmation build `Authority::Confirmed` from the request
/// body). The administrator's code is consumed in that same transaction (replay-safe), after
/// `lock`, so the users rows are always locked before a TOTP row; failures count toward the
/// administrator's own password throttle and account lock, like the login.
pub async fn confirmed<T, L, F>(
    state: &AppState,
    client: &ClientInfo,
    authority: Authority<'_>,
    lock: L,
    action: F,
) -> ApiResult<T>
where
    T: Send + 'static,
    L: FnOnce(&mut DbConn) -> ApiResult<()> + Send + 'static,
    F: FnOnce(&mut DbConn, i64) -> ApiResult<T> + Send + 'static,
{
    let (admin, step_up) = match authority {
        Authority::Cli | Authority::Admin(_) => return write(state, lock, action).await,
        Authority::Confirmed { admin, step_up } => (admin, step_up),
    };
    // Said before any argon2 run: the administrator knows their own account's state.
    let has_two_factor = accounts::two_factor_status(state, admin.id).await?.enabled;
    let code = match (has_two_factor, step_up.code) {
        (true, Some(code)) => Some(second_factor::parse_code(&code)?),
        (false, None) => None,
        (true, None) => {
            return Err(ApiError::InvalidRequest(
                "your account has two-factor authentication on: send a current code from your \
                 authenticator as code"
                    .into(),
            ))
        }
        (false, Some(_)) => {
            return Err(ApiError::InvalidRequest(
                "your account has no two-factor authentication: send your password alone".into(),
            ))
        }
    };
    accounts::confirm_password(state, client, admin, step_up.password).await?;
    match code {
        None => write(state, lock, action).await,
        Some(code) => {
            second_factor::verify_after_and_then(
                state,
                client,
                admin.id,
                Factor::Totp(code),
                "admin.step_up.failure",
                lock,
                move |conn: &mut DbConn, _, now| action(conn, now),
            )
            .await
        }
    }
}

async fn write<T, L, F>(state: &AppState, lock: L, action: F) -> ApiResult<T>
where
    T: Send + 'static,
    L: FnOnce(&mut DbConn) -> ApiResult<()> + Send + 'static,
    F: FnOnce(&mut DbConn, i64) -> ApiResult<T> + Send + 'static,
{
    let now = state.now();
    state
        .db
        .write(move |conn| {
            lock(conn)?;
            action(conn, now)
        })
        .await
}
