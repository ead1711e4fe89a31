//! `/api/admin`: user management for administrators (403 `forbidden` for everyone else).
//! Every change is audited on the affected user with `reason` = `admin:<admin id>`.

use actix_web::{get, post, web, HttpResponse};

use crate::auth::ClientInfo;
use crate::dto::rfc3339;
use crate::dto::EventView;
use crate::dto_admin::{
    AdminEventsResponse, AdminStepUpRequest, AdminUserResponse, AdminUserView, AdminUsersResponse,
    CreateUserRequest,
};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::service::admin;
use crate::service::step_up::Authority;
use crate::state::AppState;

use super::admin_auth::{Admin, AdminJson};

const EVENTS_SHOWN: i64 = 200;

async fn summary(state: &AppState, user_id: i64) -> ApiResult<AdminUserResponse> {
    let users = admin::list_users(state).await?;
    let user = users
        .iter()
        .find(|u| u.user.id == user_id)
        .ok_or(ApiError::NotFound)?;
    Ok(AdminUserResponse { user: user.into() })
}

/// Every user with their two-factor status.
#[utoipa::path(
    path = "/admin/users",
    tag = "admin",
    responses(
        (status = 200, body = AdminUsersResponse),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an administrator", body = ErrorBody),
    ),
    security(("cookie" = []), ("bearer" = []))
)]
#[get("/admin/users")]
pub async fn list_users(state: web::Data<AppState>, _admin: Admin) -> ApiResult<HttpResponse> {
    let users = admin::list_users(&state).await?;
    let users: Vec<AdminUserView> = users.iter().map(Into::into).collect();
    Ok(HttpResponse::Ok().json(AdminUsersResponse { users }))
}

/// Creates a user. Creating an administrator takes the creating administrator's confirmation in
/// `confirm`, as for a 2FA reset.
#[utoipa::path(
    path = "/admin/users",
    tag = "admin",
    request_body = CreateUserRequest,
    responses(
        (status = 201, body = AdminUserResponse),
        (status = 400, description = "`invalid_request` (`confirm` missing for an administrator, or sent for a plain user), `invalid_code_format` or `weak_password`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`; the administrator's `invalid_credentials`, `invalid_code` or `totp_replayed`", body = ErrorBody),
        (status = 403, description = "`forbidden` or `cross_origin`", body = ErrorBody),
        (
            status = 409,
            description = "`username_taken`: the name, or one that looks like it, exists",
            body = ErrorBody
        ),
        (status = 429, description = "the administrator's `account_locked` or `too_many_attempts`", body = ErrorBody),
    ),
    security(("cookie" = []), ("bearer" = []))
)]
#[post("/admin/users")]
pub async fn create_user(
    state: web::Data<AppState>,
    client: ClientInfo,
    AdminJson(admin, body): AdminJson<CreateUserRequest>,
) -> ApiResult<HttpResponse> {
    let CreateUserRequest {
        username,
        password,
        is_admin,
        confirm,
    } = body;
    let authority = match (is_admin, confirm) {
        (true, Some(confirm)) => admin.confirmed_by(confirm),
        (false, None) => Authority::Admin(admin.0.user.id),
        (true, None) => {
            return Err(ApiError::InvalidRequest(
                "creating an administrator needs your confirmation: send confirm with your \
                 password (and a current code when your 2FA is on)"
                    .into(),
            ))
        }
        (false, Some(_)) => {
            return Err(ApiError::InvalidRequest(
                "confirm is only for creating an administrator".into(),
            ))
        }
    };
    let user = admin::create_user(&state, &client, authority, username, password, is_admin).await?;
    Ok(HttpResponse::Created().json(summary(&state, user.id).await?))
}

/// Lost phone: removes the user's TOTP and recovery codes and ends their sessions. The
/// administrator confirms with their own password, and a current code when their account has 2FA
/// (recovery codes are not accepted here). Not for one's own account: that is `/2fa/disable`.
#[utoipa::path(
    path = "/admin/users/{id}/2fa/reset",
    tag = "admin",
    params(("id" = i64, Path, description = "User id")),
    request_body = AdminStepUpRequest,
    responses(
        (status = 200, body = AdminUserResponse),
        (status = 400, description = "`invalid_request` (code missing or not expected) or `invalid_code_format`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`; the administrator's `invalid_credentials`, `invalid_code` or `totp_replayed`", body = ErrorBody),
        (status = 403, description = "`forbidden`, `cross_origin`, or `enrollment_required`: an administrator without 2FA cannot reset an administrator who has it", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "`totp_not_enabled`: nothing to reset", body = ErrorBody),
        (status = 429, description = "the administrator's `account_locked` or `too_many_attempts`", body = ErrorBody),
    ),
    security(("cookie" = []), ("bearer" = []))
)]
#[post("/admin/users/{id}/2fa/reset")]
pub async fn reset_two_factor(
    state: web::Data<AppState>,
    client: ClientInfo,
    id: web::Path<i64>,
    AdminJson(admin, body): AdminJson<AdminStepUpRequest>,
) -> ApiResult<HttpResponse> {
    let authority = admin.confirmed_by(body);
    let user = admin::reset_two_factor(&state, &client, authority, *id).await?;
    Ok(HttpResponse::Ok().json(summary(&state, user.id).await?))
}

/// Disables the account: it cannot sign in (`invalid_credentials`) and its sessions end. The
/// administrator confirms as for a 2FA reset. An account already disabled is answered as it is,
/// with nothing checked or recorded.
#[utoipa::path(
    path = "/admin/users/{id}/disable",
    tag = "admin",
    params(("id" = i64, Path, description = "User id")),
    request_body = AdminStepUpRequest,
    responses(
        (status = 200, body = AdminUserResponse),
        (status = 400, description = "`invalid_request` (an administrator cannot disable themselves; code missing or not expected) or `invalid_code_format`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`; the administrator's `invalid_credentials`, `invalid_code` or `totp_replayed`", body = ErrorBody),
        (status = 403, description = "`forbidden`, `cross_origin`, or `enrollment_required`: an administrator without 2FA cannot disable an administrator who has it", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 429, description = "the administrator's `account_locked` or `too_many_attempts`", body = ErrorBody),
    ),
    security(("cookie" = []), ("bearer" = []))
)]
#[post("/admin/users/{id}/disable")]
pub async fn disable_user(
    state: web::Data<AppState>,
    client: ClientInfo,
    id: web::Path<i64>,
    AdminJson(admin, body): AdminJson<AdminStepUpRequest>,
) -> ApiResult<HttpResponse> {
    let authority = admin.confirmed_by(body);
    let user = admin::disable_user(&state, &client, authority, *id).await?;
    Ok(HttpResponse::Ok().json(summary(&state, user.id).await?))
}

/// Re-enables a disabled account: it gives the account its access (an administrator's, all of
/// it) back, so the administrator confirms as for disabling. An enabled account is answered as it
/// is, with nothing checked or recorded.
#[utoipa::path(
    path = "/admin/users/{id}/enable",
    tag = "admin",
    params(("id" = i64, Path, description = "User id")),
    request_body = AdminStepUpRequest,
    responses(
        (status = 200, body = AdminUserResponse),
        (status = 400, description = "`invalid_request` (code missing or not expected) or `invalid_code_format`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`; the administrator's `invalid_credentials`, `invalid_code` or `totp_replayed`", body = ErrorBody),
        (status = 403, description = "`forbidden` or `cross_origin`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 429, description = "the administrator's `account_locked` or `too_many_attempts`", body = ErrorBody),
    ),
    security(("cookie" = []), ("bearer" = []))
)]
#[post("/admin/users/{id}/enable")]
pub async fn enable_user(
    state: web::Data<AppState>,
    client: ClientInfo,
    id: web::Path<i64>,
    AdminJson(admin, body): AdminJson<AdminStepUpRequest>,
) -> ApiResult<HttpResponse> {
    let authority = admin.confirmed_by(body);
    let user = admin::enable_user(&state, &client, authority, *id).await?;
    Ok(HttpResponse::Ok().json(summary(&state, user.id).await?))
}

/// The user's security events, newest first.
#[utoipa::path(
    path = "/admin/users/{id}/events",
    tag = "admin",
    params(("id" = i64, Path, description = "User id")),
    responses(
        (status = 200, body = AdminEventsResponse),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
    ),
    security(("cookie" = []), ("bearer" = []))
)]
#[get("/admin/users/{id}/events")]
pub async fn user_events(
    state: web::Data<AppState>,
    _admin: Admin,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let rows = admin::events(&state, *id, EVENTS_SHOWN).await?;
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
    Ok(HttpResponse::Ok().json(AdminEventsResponse { events }))
}
