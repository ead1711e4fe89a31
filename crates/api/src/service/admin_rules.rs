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

/// The target exists, and an administrator signed in with a password only does not take
/// protection away from an administrator who has two-factor authentication on: the step-up of a
/// password-only administrator is a password, which is not enough to remove a second factor.
pub fn target_within_reach(conn: &mut DbConn, actor: Actor, target_id: i64) -> ApiResult<UserRow> {
    let target = users::find(conn, target_id)?.ok_or(ApiError::NotFound)?;
    if let Some(admin) = actor_still_admin(conn, actor)? {
        if target.is_admin && has_two_factor(conn, target.id)? && !has_two_factor(conn, admin.id)? {
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

fn has_two_factor(conn: &mut DbConn, user_id: i64) -> ApiResult<bool> {
    Ok(totp::find(conn, user_id)?.is_some_and(|t| t.is_active()))
}
