use actix_web::{get, post, web, HttpResponse};

use crate::auth::CurrentUser;
use crate::db::audit;
use crate::dto::{
    rfc3339, EventView, EventsResponse, MeResponse, RevokedResponse, SessionView, SessionsResponse,
    TwoFactorView,
};
use crate::error::{ApiResult, ErrorBody};
use crate::service::{accounts, sessions};
use crate::state::AppState;

const EVENTS_SHOWN: i64 = 100;

/// The signed-in user and their two-factor status.
#[utoipa::path(
    tag = "me",
    responses(
        (status = 200, description = "The signed-in user", body = MeResponse),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
    ),
    security(("cookie" = []), ("bearer" = []))
)]
#[get("/me")]
pub async fn me(state: web::Data<AppState>, current: CurrentUser) -> ApiResult<HttpResponse> {
    let status = accounts::two_factor_status(&state, current.user.id).await?;
    Ok(HttpResponse::Ok().json(MeResponse {
        user: (&current.user).into(),
        two_factor: TwoFactorView {
            enabled: status.enabled,
            enabled_at: status.enabled_at.map(rfc3339),
            recovery_codes_remaining: status.recovery_codes_remaining,
        },
        policy: crate::service::policy::view(&state, &current.user, status.enabled),
    }))
}

/// The user's security events (sign-ins, 2FA changes, failures), newest first.
#[utoipa::path(
    path = "/me/events",
    tag = "me",
    responses(
        (status = 200, description = "Newest first (at most 100)", body = EventsResponse),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
    ),
    security(("cookie" = []), ("bearer" = []))
)]
#[get("/me/events")]
pub async fn events(state: web::Data<AppState>, current: CurrentUser) -> ApiResult<HttpResponse> {
    let user_id = current.user.id;
    let rows = state
        .db
        .read(move |conn| Ok(audit::list_for_user(conn, user_id, EVENTS_SHOWN)?))
        .await?;
    let events = rows
        .into_iter()
        .map(|e| EventView {
            at: rfc3339(e.at),
            event: e.event,
            outcome: e.outcome,
            reason: e.reason,
            ip: e.ip,
            user_agent: e.user_agent,
        })
        .collect();
    Ok(HttpResponse::Ok().json(EventsResponse { events }))
}

/// The user's open sessions (browser sessions and bearer tokens).
#[utoipa::path(
    path = "/me/sessions",
    tag = "me",
    responses(
        (status = 200, description = "Open sessions and tokens", body = SessionsResponse),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
    ),
    security(("cookie" = []), ("bearer" = []))
)]
#[get("/me/sessions")]
pub async fn list_sessions(
    state: web::Data<AppState>,
    current: CurrentUser,
) -> ApiResult<HttpResponse> {
    let rows = sessions::list(&state, &current.user).await?;
    let sessions = rows
        .into_iter()
        .map(|s| SessionView {
            current: current.is_session(&s.kind, s.id),
            id: s.id,
            kind: s.kind,
            created_at: rfc3339(s.created_at),
            last_seen_at: rfc3339(s.last_seen_at),
            ip: s.ip,
            user_agent: s.user_agent,
        })
        .collect();
    Ok(HttpResponse::Ok().json(SessionsResponse { sessions }))
}

/// Ends every other session and bearer token of the user.
#[utoipa::path(
    path = "/me/sessions/revoke-others",
    tag = "me",
    responses(
        (status = 200, description = "How many sessions ended", body = RevokedResponse),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`cross_origin`", body = ErrorBody),
    ),
    security(("cookie" = []), ("bearer" = []))
)]
#[post("/me/sessions/revoke-others")]
pub async fn revoke_other_sessions(
    state: web::Data<AppState>,
    client: crate::auth::ClientInfo,
    current: CurrentUser,
) -> ApiResult<HttpResponse> {
    let revoked = sessions::revoke_others(&state, &current).await?;
    crate::service::audit::record(
        &state,
        &client,
        Some(current.user.id),
        "session.revoked_all",
        crate::service::audit::SUCCESS,
        Some("user_request"),
    )
    .await;
    Ok(HttpResponse::Ok().json(RevokedResponse {
        revoked: revoked as u64,
    }))
}
