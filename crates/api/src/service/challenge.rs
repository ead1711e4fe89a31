//! `/login/challenge`: the second step of a login. The challenge is looked up by the hash of
//! its id, checked against the browser session it was bound to, charged one attempt, and
//! consumed in the transaction that consumes the code.

use crate::auth::ClientInfo;
use crate::crypto::{ct_eq, is_token_shaped, sha256_hex};
use crate::db::users::{self, UserRow};
use crate::db::{challenges, recovery_codes, sessions};
use crate::error::{ApiError, ApiResult};
use crate::service::second_factor::{self, Factor};
use crate::service::{audit, sessions as session_service};
use crate::state::AppState;

pub struct ChallengeAnswer {
    pub challenge_id: String,
    pub factor: Factor,
    /// The requesting browser session's binding (None for non-browser clients).
    pub binding: Option<String>,
    /// Issue a bearer token instead of relying on the cookie.
    pub token: bool,
}

pub struct Authenticated {
    pub user: UserRow,
    pub recovery_codes_remaining: i64,
    pub bearer: Option<String>,
    /// Browser sign-ins: the key of the session written with (database) or just before (Redis)
    /// the code's consumption.
    pub cookie_key: Option<String>,
    /// The user's session epoch the new browser session belongs to.
    pub session_epoch: i64,
    pub used_recovery_code: bool,
}

async fn invalid(
    state: &AppState,
    client: &ClientInfo,
    user_id: Option<i64>,
    reason: &'static str,
) -> ApiError {
    audit::record(
        state,
        client,
        user_id,
        "2fa.challenge.failure",
        audit::FAILURE,
        Some(reason),
    )
    .await;
    ApiError::ChallengeInvalid
}

pub async fn answer(
    state: &AppState,
    client: &ClientInfo,
    answer: ChallengeAnswer,
) -> ApiResult<Authenticated> {
    if !is_token_shaped(&answer.challenge_id) {
        return Err(invalid(state, client, None, "unknown").await);
    }
    let id_hash = sha256_hex(&answer.challenge_id);
    let Some(challenge) = state
        .db
        .read(move |conn| Ok(challenges::find(conn, &id_hash)?))
        .await?
    else {
        return Err(invalid(state, client, None, "unknown").await);
    };
    let user_id = challenge.user_id;
    if let Some(expected) = &challenge.binding_hash {
        let presented = answer.binding.as_deref().map(sha256_hex);
        if !presented.is_some_and(|p| ct_eq(&p, expected)) {
            return Err(invalid(state, client, Some(user_id), "other_session").await);
        }
    }
    let now = state.now();
    let challenge_row = challenge.id;
    let used_recovery_code = answer.factor.is_recovery();
    // The challenge's own try is charged in the transaction that charges the account and IP.
    let guard = move |conn: &mut crate::db::DbConn| {
        if !challenges::charge(conn, challenge_row, now)? {
            return Err(ApiError::ChallengeInvalid);
        }
        users::find(conn, user_id)?.ok_or(ApiError::ChallengeInvalid)
    };
    let event = "2fa.challenge.failure";
    let (user, checked) =
        match second_factor::charge_and_check(state, client, user_id, answer.factor, event, guard)
            .await
        {
            Ok(value) => value,
            Err(ApiError::ChallengeInvalid) => {
                return Err(invalid(state, client, Some(user_id), "expired_burned_or_used").await)
            }
            Err(ApiError::TotpNotEnabled) => {
                // 2FA was switched off between the password step and now.
                return Err(invalid(state, client, Some(user_id), "not_enabled").await);
            }
            Err(err) => return Err(err),
        };
    let token = answer.token;
    let client_for_tx = client.clone();
    // A recovery-code login ends every other session: the epoch moves on by one.
    let epoch_after = user.session_epoch + i64::from(used_recovery_code);
    // Redis cannot join the database transaction, so the session is written there first, under
    // the epoch the transaction must arrive at: a crash before the commit leaves only a session
    // whose key nobody was ever sent, and a commit always has its session.
    let redis_key = match (&state.redis_sessions, token) {
        (Some(redis), false) => Some(
            redis
                .create(crate::session_store::signed_in_state(
                    user_id,
                    epoch_after,
                    client,
                ))
                .await
                .map_err(ApiError::internal)?,
        ),
        _ => None,
    };
    let preset_in_redis = redis_key.is_some();
    let result = second_factor::commit(
        state,
        client,
        user_id,
        checked,
        event,
        move |conn, _, now| {
            if !challenges::consume(conn, challenge_row, now)? {
                return Err(ApiError::ChallengeInvalid);
            }
            // The device may be lost: a recovery-code login ends every other session.
            if used_recovery_code {
                sessions::delete_for_user(conn, user_id)?;
            }
            let epoch = users::session_epoch(conn, user_id)?;
            if preset_in_redis && epoch != epoch_after {
                // The user's sessions were ended meanwhile: the one written ahead is void.
                return Err(ApiError::ChallengeInvalid);
            }
            let bearer = if token {
                Some(session_service::issue_bearer(
                    conn,
                    user_id,
                    &client_for_tx,
                    now,
                )?)
            } else {
                None
            };
            // A browser sign-in's session row is written here, in the transaction that consumes
            // the code, so a crash cannot spend a code without opening the session.
            let cookie_key = if token || preset_in_redis {
                None
            } else {
                Some(crate::session_store::preset(
                    conn,
                    user_id,
                    epoch,
                    &client_for_tx,
                    now,
                )?)
            };
            Ok((
                recovery_codes::remaining(conn, user_id)?,
                bearer,
                cookie_key,
                epoch,
            ))
        },
    )
    .await;
    if let (Err(_), Some(key), Some(redis)) = (&result, &redis_key, &state.redis_sessions) {
        if let Err(err) = redis.discard(key).await {
            tracing::warn!(error = %err, "could not discard a sign-in's unused session");
        }
    }
    let (remaining, bearer, cookie_key, session_epoch) = match result {
        Ok((remaining, bearer, cookie_key, epoch)) => {
            (remaining, bearer, cookie_key.or(redis_key), epoch)
        }
        Err(ApiError::TotpNotEnabled) => {
            // 2FA was switched off between the password step and now.
            return Err(invalid(state, client, Some(user_id), "not_enabled").await);
        }
        Err(err) => return Err(err),
    };
    audit::record(
        state,
        client,
        Some(user_id),
        "2fa.challenge.success",
        audit::SUCCESS,
        None,
    )
    .await;
    if used_recovery_code {
        audit::record(
            state,
            client,
            Some(user_id),
            "recovery_code.used",
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
            Some("recovery_code"),
        )
        .await;
    }
    Ok(Authenticated {
        user,
        recovery_codes_remaining: remaining,
        bearer,
        cookie_key,
        session_epoch,
        used_recovery_code,
    })
}
