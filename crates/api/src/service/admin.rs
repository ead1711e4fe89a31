//! User administration shared by the admin API and the CLI: list, create, disable/enable users
//! and reset a user's second factor (lost phone). Each change commits together with its audit
//! event, so an action without its record (or the reverse) cannot happen.

use std::collections::HashMap;

use crate::auth::ClientInfo;
use crate::db::audit::{self, EventRow, NewEvent};
use crate::db::users::{self, UserRow};
use crate::db::{recovery_codes, sessions, totp, user_admin, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::service::accounts;
use crate::service::admin_rules as rules;
use crate::service::audit as audit_log;
use crate::service::step_up::{self, Authority};
use crate::state::AppState;

/// Who performs an administrative action; stored as the event's reason.
#[derive(Clone, Copy, Debug)]
pub enum Actor {
    Admin(i64),
    Cli,
}

impl Actor {
    fn reason(self) -> String {
        match self {
            Actor::Admin(id) => format!("admin:{id}"),
            Actor::Cli => "cli".into(),
        }
    }
}

pub struct UserSummary {
    pub user: UserRow,
    pub two_factor_enabled: bool,
    pub two_factor_enabled_at: Option<i64>,
    pub recovery_codes_remaining: i64,
}

/// Every user with their 2FA status, by id.
pub async fn list_users(state: &AppState) -> ApiResult<Vec<UserSummary>> {
    state
        .db
        .read(|conn| {
            let users = users::list(conn)?;
            let active: HashMap<i64, Option<i64>> = user_admin::totp_states(conn)?
                .into_iter()
                .filter(|(_, s, _)| s == totp::ACTIVE)
                .map(|(id, _, at)| (id, at))
                .collect();
            let codes: HashMap<i64, i64> = user_admin::unused_recovery_counts(conn)?
                .into_iter()
                .collect();
            Ok(users
                .into_iter()
                .map(|user| {
                    let enabled_at = active.get(&user.id).copied();
                    UserSummary {
                        two_factor_enabled: enabled_at.is_some(),
                        two_factor_enabled_at: enabled_at.flatten(),
                        recovery_codes_remaining: if enabled_at.is_some() {
                            codes.get(&user.id).copied().unwrap_or(0)
                        } else {
                            0
                        },
                        user,
                    }
                })
                .collect())
        })
        .await
}

pub async fn find_by_username(state: &AppState, username: &str) -> ApiResult<UserRow> {
    let key = accounts::username_key(username);
    state
        .db
        .read(move |conn| Ok(users::find_by_key(conn, &key)?))
        .await?
        .ok_or(ApiError::NotFound)
}

/// Creates a user. Creating an administrator hands out every power there is, so it takes the
/// same confirmation as a 2FA reset (`Authority::Confirmed`); a plain user does not.
pub async fn create_user(
    state: &AppState,
    client: &ClientInfo,
    authority: Authority<'_>,
    username: String,
    password: String,
    is_admin: bool,
) -> ApiResult<UserRow> {
    accounts::validate_username(&username)?;
    accounts::check_policy(&password)?;
    let phc = accounts::hash_password(state, password).await?;
    let record = Record::new(client, authority.actor());
    let stored = record.clone();
    let actor = stored.actor;
    let lock = move |conn: &mut DbConn| rules::lock(conn, actor, None);
    let (user, event) = step_up::confirmed(state, client, authority, lock, move |conn, now| {
        rules::actor_still_admin(conn, stored.actor)?;
        let key = accounts::username_key(&username);
        let skeleton = accounts::username_skeleton(&username);
        let user = users::insert(conn, &username, &key, &skeleton, &phc, is_admin, now)
            .map_err(users::taken_or_error)?;
        let event = if is_admin {
            "admin.admin_created"
        } else {
            "admin.user_created"
        };
        stored.store(conn, user.id, event, now)?;
        Ok((user, event))
    })
    .await?;
    record.announce(user.id, event);
    Ok(user)
}

/// Break-glass: removes the user's TOTP credential (active or pending) and recovery codes, ends
/// their sessions and pending sign-ins. `totp_not_enabled` when there is nothing to remove.
pub async fn reset_two_factor(
    state: &AppState,
    client: &ClientInfo,
    authority: Authority<'_>,
    user_id: i64,
) -> ApiResult<UserRow> {
    let actor = authority.actor();
    if matches!(actor, Actor::Admin(id) if id == user_id) {
        let err = ApiError::InvalidRequest(
            "to turn off two-factor authentication for your own account, use POST /api/2fa/disable"
                .into(),
        );
        return refused(state, client, actor, Err(err)).await;
    }
    let now = state.now();
    let checked = state
        .db
        .read(move |conn| {
            rules::target_within_reach(conn, actor, user_id, now)?;
            rules::reset_possible(conn, user_id)
        })
        .await;
    refused(state, client, actor, checked).await?;
    let record = Record::new(client, actor);
    let stored = record.clone();
    let lock = move |conn: &mut DbConn| rules::lock(conn, actor, Some(user_id));
    let user = step_up::confirmed(state, client, authority, lock, move |conn, now| {
        let user = rules::target_within_reach(conn, actor, user_id, now)?;
        rules::reset_possible(conn, user_id)?;
        totp::delete(conn, user_id)?;
        recovery_codes::delete_all(conn, user_id)?;
        sessions::delete_for_user(conn, user_id)?;
        user_admin::delete_challenges(conn, user_id)?;
        stored.store(conn, user_id, "admin.2fa_reset", now)?;
        Ok(user)
    })
    .await?;
    record.announce(user_id, "admin.2fa_reset");
    Ok(user)
}

/// Disables an account, ending every session and pending sign-in.
pub async fn disable_user(
    state: &AppState,
    client: &ClientInfo,
    authority: Authority<'_>,
    user_id: i64,
) -> ApiResult<UserRow> {
    set_disabled(state, client, authority, user_id, true).await
}

/// Re-enables a disabled account. It hands the account's access back, an administrator's
/// included, so it takes the same confirmation as disabling.
pub async fn enable_user(
    state: &AppState,
    client: &ClientInfo,
    authority: Authority<'_>,
    user_id: i64,
) -> ApiResult<UserRow> {
    set_disabled(state, client, authority, user_id, false).await
}

/// An account already in the asked state is answered as it is, with nothing asked, changed or
/// recorded.
async fn set_disabled(
    state: &AppState,
    client: &ClientInfo,
    authority: Authority<'_>,
    user_id: i64,
    disable: bool,
) -> ApiResult<UserRow> {
    let actor = authority.actor();
    if disable && matches!(actor, Actor::Admin(id) if id == user_id) {
        let err = ApiError::InvalidRequest("you cannot disable your own account".into());
        return refused(state, client, actor, Err(err)).await;
    }
    // Disabling takes protection away (the reach rule); enabling only needs a live administrator.
    let check = move |conn: &mut DbConn, now: i64| {
        if disable {
            rules::target_within_reach(conn, actor, user_id, now)
        } else {
            rules::actor_still_admin(conn, actor)?;
            users::find(conn, user_id)?.ok_or(ApiError::NotFound)
        }
    };
    let now = state.now();
    let target = refused(
        state,
        client,
        actor,
        state.db.read(move |conn| check(conn, now)).await,
    )
    .await?;
    if target.disabled_at.is_some() == disable {
        return Ok(target);
    }
    let event = if disable {
        "admin.user_disabled"
    } else {
        "admin.user_enabled"
    };
    let record = Record::new(client, actor);
    let stored = record.clone();
    let lock = move |conn: &mut DbConn| rules::lock(conn, actor, Some(user_id));
    let (user, changed) = step_up::confirmed(state, client, authority, lock, move |conn, now| {
        check(conn, now)?;
        let changed = user_admin::change_disabled(conn, user_id, disable.then_some(now))?;
        if changed {
            if disable {
                sessions::delete_for_user(conn, user_id)?;
                user_admin::delete_challenges(conn, user_id)?;
            }
            stored.store(conn, user_id, event, now)?;
        }
        let user = users::find(conn, user_id)?.ok_or(ApiError::NotFound)?;
        Ok((user, changed))
    })
    .await?;
    if changed {
        record.announce(user_id, event);
    }
    Ok(user)
}

/// A user's security events, newest first.
pub async fn events(state: &AppState, user_id: i64, limit: i64) -> ApiResult<Vec<EventRow>> {
    state
        .db
        .read(move |conn| {
            users::find(conn, user_id)?.ok_or(ApiError::NotFound)?;
            Ok(audit::list_for_user(conn, user_id, limit)?)
        })
        .await
}

/// Records, on the acting administrator, an action refused before any confirmation because it
/// would take away more than they may (an administrator with 2FA) or act on themselves: a stolen
/// session probing for what it can do leaves a trace.
async fn refused<T>(
    state: &AppState,
    client: &ClientInfo,
    actor: Actor,
    checked: ApiResult<T>,
) -> ApiResult<T> {
    let reason = match &checked {
        Err(ApiError::EnrollmentRequired) => "outranked",
        Err(ApiError::InvalidRequest(_)) => "own_account",
        _ => return checked,
    };
    if let Actor::Admin(id) = actor {
        let event = "admin.action.refused";
        audit_log::record(
            state,
            client,
            Some(id),
            event,
            audit_log::FAILURE,
            Some(reason),
        )
        .await;
    }
    checked
}

/// The audit record of an administrative action, on the affected user, naming the actor: stored
/// in the action's transaction, logged once it committed (in the request's span, so the line
/// carries the request id).
#[derive(Clone)]
struct Record {
    client: ClientInfo,
    actor: Actor,
}

impl Record {
    fn new(client: &ClientInfo, actor: Actor) -> Record {
        Record {
            client: client.clone(),
            actor,
        }
    }

    fn store(
        &self,
        conn: &mut DbConn,
        user_id: i64,
        event: &'static str,
        at: i64,
    ) -> ApiResult<()> {
        let reason = self.actor.reason();
        audit::insert(
            conn,
            &NewEvent {
                at,
                user_id: Some(user_id),
                ip: self.client.ip.as_deref(),
                user_agent: self.client.user_agent.as_deref(),
                event,
                outcome: "success",
                reason: Some(&reason),
            },
        )?;
        Ok(())
    }

    fn announce(&self, user_id: i64, event: &'static str) {
        let reason = self.actor.reason();
        let ip = self.client.ip.as_deref();
        tracing::info!(target: "audit", event, outcome = "success", reason, user_id, ip, "audit");
        crate::metrics::audit_event(event, "success", None);
    }
}
