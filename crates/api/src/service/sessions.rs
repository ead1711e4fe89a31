//! Opening, binding and ending sessions (cookie sessions via actix-session, bearer tokens as rows
//! of the same table).

use actix_session::Session;

use crate::auth::{ClientInfo, CurrentUser};
use crate::crypto::{random_token, sha256_hex};
use crate::db::sessions::{self, NewSession, SessionRow};
use crate::db::users::UserRow;
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult};
use crate::session_store::{CHALLENGE_BINDING, EPOCH, IP, USER_AGENT, USER_ID};
use crate::state::AppState;

/// Creates a bearer token for the user (inside the caller's transaction); returns the token.
pub fn issue_bearer(
    conn: &mut DbConn,
    user_id: i64,
    client: &ClientInfo,
    now: i64,
) -> ApiResult<String> {
    let token = random_token();
    sessions::insert(
        conn,
        &NewSession {
            key_hash: &sha256_hex(&token),
            kind: sessions::BEARER,
            user_id: Some(user_id),
            state: "{}",
            ip: client.ip.as_deref(),
            user_agent: client.user_agent.as_deref(),
            now,
        },
    )?;
    Ok(token)
}

fn session_error(err: impl std::fmt::Display) -> ApiError {
    ApiError::internal(anyhow::anyhow!("session: {err}"))
}

/// Logs the browser session in under a fresh id (the old id is destroyed: no fixation), as of
/// the user's session `epoch`.
pub fn start_cookie_session(
    session: &Session,
    user_id: i64,
    epoch: i64,
    client: &ClientInfo,
) -> ApiResult<()> {
    session.clear();
    session.renew();
    session.insert(USER_ID, user_id).map_err(session_error)?;
    session.insert(EPOCH, epoch).map_err(session_error)?;
    if let Some(ip) = &client.ip {
        session.insert(IP, ip).map_err(session_error)?;
    }
    if let Some(ua) = &client.user_agent {
        session.insert(USER_AGENT, ua).map_err(session_error)?;
    }
    Ok(())
}

/// After a correct password for a 2FA user: a fresh, unauthenticated browser session holding a
/// random binding; the challenge stores only its hash. Returns the binding hash.
pub fn bind_challenge(session: &Session) -> ApiResult<String> {
    let binding = random_token();
    session.clear();
    session.renew();
    session
        .insert(CHALLENGE_BINDING, &binding)
        .map_err(session_error)?;
    Ok(sha256_hex(&binding))
}

pub fn challenge_binding(session: &Session) -> Option<String> {
    session.get::<String>(CHALLENGE_BINDING).ok().flatten()
}

/// Ends the current session server-side (cookie: purge; bearer: delete the row).
pub async fn logout(state: &AppState, current: &CurrentUser) -> ApiResult<()> {
    match &current.via {
        crate::auth::AuthVia::Cookie { session, .. } => {
            session.purge();
            Ok(())
        }
        crate::auth::AuthVia::Bearer { row_id } => {
            let id = *row_id;
            let user_id = current.user.id;
            state
                .db
                .write(move |conn| {
                    sessions::delete_by_id(conn, user_id, id)?;
                    Ok(())
                })
                .await
        }
    }
}

/// The user's live sessions and tokens, newest first. With the Redis store, browser sessions
/// come from there (only those of the user's current epoch) and tokens from the database.
pub async fn list(state: &AppState, user: &UserRow) -> ApiResult<Vec<SessionRow>> {
    let now = state.now();
    let user_id = user.id;
    let mut rows = state
        .db
        .read(move |conn| Ok(sessions::list_live_for_user(conn, user_id, now)?))
        .await?;
    if let Some(redis) = &state.redis_sessions {
        rows.retain(|r| r.kind == sessions::BEARER);
        rows.extend(
            redis
                .list_for_user(user_id, user.session_epoch)
                .await
                .map_err(ApiError::internal)?,
        );
        rows.sort_by_key(|r| std::cmp::Reverse(r.last_seen_at));
    }
    Ok(rows)
}

/// Ends every session of the user except the calling one; returns how many ended.
pub async fn revoke_others(state: &AppState, current: &CurrentUser) -> ApiResult<usize> {
    let user_id = current.user.id;
    let keep = current.session_row_id();
    let seen = current.user.session_epoch;
    // Redis-held sessions end by the epoch below; count them first for the answer.
    let in_redis = match &state.redis_sessions {
        Some(redis) => redis
            .list_for_user(user_id, current.user.session_epoch)
            .await
            .map_err(ApiError::internal)?
            .iter()
            .filter(|r| !current.is_session(&r.kind, r.id))
            .count(),
        None => 0,
    };
    let ended = state
        .db
        .write(move |conn| {
            sessions::delete_others(conn, user_id, keep, seen)?.ok_or(ApiError::Unauthenticated)
        })
        .await?;
    current.keep_session(ended.epoch)?;
    Ok(ended.rows + in_redis)
}

/// Audits a session id renewal (login steps and 2FA changes).
pub async fn audit_renewed(state: &AppState, client: &ClientInfo, user_id: Option<i64>) {
    crate::service::audit::record(
        state,
        client,
        user_id,
        "session.renewed",
        crate::service::audit::SUCCESS,
        None,
    )
    .await;
}
