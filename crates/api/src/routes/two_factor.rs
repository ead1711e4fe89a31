use actix_web::{post, web, HttpResponse};

use crate::auth::{AuthVia, ClientInfo, CurrentUser};
use crate::dto::{
    DisableRequest, DisableResponse, EnableRequest, EnableResponse, RecoveryCodesResponse,
    RegenerateRequest, TwoFactorView, VerifyRequest,
};
use crate::error::{ApiResult, ErrorBody};
use crate::service::{enrollment, second_factor, sessions};
use crate::state::AppState;

/// A 2FA change raises or lowers the session's strength: give the browser a fresh session id.
async fn renew_cookie_session(state: &AppState, client: &ClientInfo, current: &CurrentUser) {
    if let AuthVia::Cookie { session, .. } = &current.via {
        session.renew();
        sessions::audit_renewed(state, client, Some(current.user.id)).await;
    }
}

/// Start enrollment: a new secret, pending until confirmed with `/2fa/verify` (10 minutes).
/// A second call replaces a pending secret; an active one is never overwritten.
#[utoipa::path(
    path = "/2fa/enable",
    tag = "two-factor",
    request_body = EnableRequest,
    responses(
        (status = 200, description = "Pending enrollment: scan the QR code or type the secret, then call /api/2fa/verify", body = EnableResponse),
        (status = 401, description = "`unauthenticated` or `invalid_credentials`", body = ErrorBody),
        (status = 409, description = "`totp_already_enabled`", body = ErrorBody),
        (status = 429, description = "`too_many_attempts`", body = ErrorBody),
    ),
    security(("cookie" = []), ("bearer" = []))
)]
#[post("/2fa/enable")]
pub async fn enable(
    state: web::Data<AppState>,
    client: ClientInfo,
    current: CurrentUser,
    body: web::Json<EnableRequest>,
) -> ApiResult<HttpResponse> {
    let e = enrollment::enable(&state, &client, &current, body.into_inner().password).await?;
    Ok(HttpResponse::Ok().json(EnableResponse {
        secret: e.secret,
        otpauth_uri: e.otpauth_uri,
        qr_svg: e.qr_svg,
        expires_in: e.expires_in,
        server_time: crate::dto::rfc3339(e.server_time),
    }))
}

/// Confirm the pending secret with a current code: 2FA becomes active, other sessions end, and
/// the 10 recovery codes are returned — this once.
#[utoipa::path(
    path = "/2fa/verify",
    tag = "two-factor",
    request_body = VerifyRequest,
    responses(
        (status = 200, description = "The new recovery codes, shown this once", body = RecoveryCodesResponse),
        (status = 400, description = "`invalid_code_format`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `invalid_code`, or `clock_drift`: the code is wrong now but matches a time up to 10 minutes away, so the device clock is off by `error.drift_seconds` (positive: device ahead); counts as a wrong code", body = ErrorBody),
        (status = 409, description = "`no_pending_enrollment` or `totp_already_enabled`", body = ErrorBody),
        (status = 410, description = "`enrollment_expired`", body = ErrorBody),
        (status = 429, description = "`account_locked` or `too_many_attempts`", body = ErrorBody),
    ),
    security(("cookie" = []), ("bearer" = []))
)]
#[post("/2fa/verify")]
pub async fn verify(
    state: web::Data<AppState>,
    client: ClientInfo,
    current: CurrentUser,
    body: web::Json<VerifyRequest>,
) -> ApiResult<HttpResponse> {
    let code = second_factor::parse_code(&body.code)?;
    let recovery_codes = enrollment::verify(&state, &client, &current, code).await?;
    renew_cookie_session(&state, &client, &current).await;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(RecoveryCodesResponse { recovery_codes }))
}

/// Turn 2FA off: password plus a current code or a recovery code. Ends the other sessions.
#[utoipa::path(
    path = "/2fa/disable",
    tag = "two-factor",
    request_body = DisableRequest,
    responses(
        (status = 200, description = "Two-factor authentication is off", body = DisableResponse),
        (status = 400, description = "`invalid_request` or `invalid_code_format`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `invalid_credentials`, `invalid_code` or `totp_replayed`", body = ErrorBody),
        (status = 409, description = "`totp_not_enabled`", body = ErrorBody),
        (status = 429, description = "`account_locked` or `too_many_attempts`", body = ErrorBody),
    ),
    security(("cookie" = []), ("bearer" = []))
)]
#[post("/2fa/disable")]
pub async fn disable(
    state: web::Data<AppState>,
    client: ClientInfo,
    current: CurrentUser,
    body: web::Json<DisableRequest>,
) -> ApiResult<HttpResponse> {
    let DisableRequest {
        password,
        code,
        recovery_code,
    } = body.into_inner();
    let factor = second_factor::parse_factor(code.as_deref(), recovery_code.as_deref())?;
    enrollment::disable(&state, &client, &current, password, factor).await?;
    renew_cookie_session(&state, &client, &current).await;
    Ok(HttpResponse::Ok().json(DisableResponse {
        two_factor: TwoFactorView {
            enabled: false,
            enabled_at: None,
            recovery_codes_remaining: 0,
        },
    }))
}

/// Replace all recovery codes (password plus a current code); the old ones stop working.
#[utoipa::path(
    path = "/2fa/recovery-codes",
    tag = "two-factor",
    request_body = RegenerateRequest,
    responses(
        (status = 200, description = "The new recovery codes, shown this once", body = RecoveryCodesResponse),
        (status = 400, description = "`invalid_code_format`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `invalid_credentials`, `invalid_code` or `totp_replayed`", body = ErrorBody),
        (status = 409, description = "`totp_not_enabled`", body = ErrorBody),
        (status = 429, description = "`account_locked` or `too_many_attempts`", body = ErrorBody),
    ),
    security(("cookie" = []), ("bearer" = []))
)]
#[post("/2fa/recovery-codes")]
pub async fn regenerate_recovery_codes(
    state: web::Data<AppState>,
    client: ClientInfo,
    current: CurrentUser,
    body: web::Json<RegenerateRequest>,
) -> ApiResult<HttpResponse> {
    let RegenerateRequest { password, code } = body.into_inner();
    let code = second_factor::parse_code(&code)?;
    let recovery_codes =
        enrollment::regenerate_recovery_codes(&state, &client, &current, password, code).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(RecoveryCodesResponse { recovery_codes }))
}
