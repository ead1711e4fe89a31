//! What an administrative action on an account must hold. Each rule is checked before the
//! step-up (a refusal costs no argon2 run) and again inside the action's transaction, once the
//! rows of the acting administrator and the target are locked (`user_admin::lock_users`), so two
//! administrators acting on each other at the same moment cannot both pass.

use crate::db::users::{self, UserRow};
use crate::db::{totp, user_admin, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::service::admin::Actor;

/// Locks the rows the action reads and writes: the acting administrator's and the target's.
pub fn lock(conn: &mut DbConn, actor: Actor, target_id: Option<i64>) -> ApiResult<()> {
    let mut ids: Vec<i64> = target_id.into_iter().collect();
    if let Actor::Admin(id) = actor {
        ids.push(id);
    }
    Ok(user_admin::lock_users(conn, &ids)?)
}

/// The acting administrator is still an enabled administrator: one disabled or demoted a moment
/// ago (by another administrator, at the same time) acts no more.
pub fn actor_still_admin(conn: &mut DbConn, actor: Actor) -> ApiResult<Option<UserRow>> {
    let Actor::Admin(id) = actor else {
        return Ok(None);
    };
    let admin = users::find(conn, id)?
        .filter(|u| u.is_admin && u.disabled_at.is_none())
        .ok_or(ApiError::Unauthenticated)?;
    Ok(Some(admin))
}

/// How long an administrator's own second factor must have been on before it counts against an
/// administrator who has one. Whoever holds a password-only administrator's password can enrol
/// an authenticator of their own in two calls; the wait turns that into a day during which the
/// real owner finds their account asking for a code they do not have (and the audit log shows
/// `2fa.enroll.completed`).
pub const FACTOR_MIN_AGE_SECS: i64 = 24 * 3600;

/// The target exists, and an administrator without a settled second factor does not take
/// protection away from an administrator who has one: the step-up of a password-only
/// administrator is a password, which is not enough to remove a second factor.
pub fn target_within_reach(
    conn: &mut DbConn,
    actor: Actor,
    target_id: i64,
    now: i64,
) -> ApiResult<UserRow> {
    let target = users::find(conn, target_id)?.ok_or(ApiError::NotFound)?;
    if let Some(admin) = actor_still_admin(conn, actor)? {
        let settled =
            factor_since(conn, admin.id)?.is_some_and(|since| now - since >= FACTOR_MIN_AGE_SECS);
        if target.is_admin && factor_since(conn, target.id)?.is_some() && !settled {
            return Err(ApiError::EnrollmentRequired);
        }
    }
    Ok(target)
}

/// A reset needs a credential to remove (active or pending).
pub fn reset_possible(conn: &mut DbConn, target_id: i64) -> ApiResult<()> {
    match totp::find(conn, target_id)? {
        Some(_) => Ok(()),
        None => Err(ApiError::TotpNotEnabled),
    }
}

/// When the user's active second factor was turned on (`None`: no active factor).
fn factor_since(conn: &mut DbConn, user_id: i64) -> ApiResult<Option<i64>> {
    Ok(totp::find(conn, user_id)?
        .filter(|t| t.is_active())
        .map(|t| t.enabled_at.unwrap_or(0)))
}
