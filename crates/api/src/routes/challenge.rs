use actix_session::Session;
use actix_web::{post, web, HttpResponse};

use crate::auth::ClientInfo;
use crate::dto::{AuthenticatedStatus, ChallengeRequest, ChallengeResponse};
use crate::error::{ApiResult, ErrorBody};
use crate::service::challenge::{self, ChallengeAnswer};
use crate::service::second_factor;
use crate::service::sessions;
use crate::session_store::CHALLENGE_BINDING;
use crate::state::AppState;

/// Second step of a login: a TOTP code or a recovery code for the challenge. Success consumes
/// the challenge and opens the session; 5 failures burn the challenge.
#[utoipa::path(
    path = "/login/challenge",
    tag = "login",
    request_body = ChallengeRequest,
    responses(
        (status = 200, description = "Signed in", body = ChallengeResponse),
        (status = 400, description = "`invalid_request` or `invalid_code_format`", body = ErrorBody),
        (status = 401, description = "`invalid_code`, `totp_replayed` or `challenge_invalid`", body = ErrorBody),
        (status = 403, description = "`cross_origin`", body = ErrorBody),
        (status = 429, description = "`account_locked` or `too_many_attempts` (see `Retry-After`)", body = ErrorBody),
        (status = 503, description = "`overloaded`", body = ErrorBody),
    )
)]
#[post("/login/challenge")]
pub async fn answer_challenge(
    state: web::Data<AppState>,
    client: ClientInfo,
    session: Session,
    body: web::Json<ChallengeRequest>,
) -> ApiResult<HttpResponse> {
    let ChallengeRequest {
        challenge_id,
        code,
        recovery_code,
        token,
    } = body.into_inner();
    let factor = second_factor::parse_factor(code.as_deref(), recovery_code.as_deref())?;
    let answer = ChallengeAnswer {
        challenge_id,
        factor,
        binding: sessions::challenge_binding(&session),
        token,
    };
    let done = challenge::answer(&state, &client, answer).await?;
    if token {
        session.remove(CHALLENGE_BINDING);
    } else {
        sessions::start_cookie_session(&session, done.user.id, done.session_epoch, &client)?;
        if let Some(key) = &done.cookie_key {
            session
                .insert(crate::session_store::PRESET_KEY, key)
                .map_err(|e| crate::error::ApiError::internal(anyhow::anyhow!("session: {e}")))?;
        }
        sessions::audit_renewed(&state, &client, Some(done.user.id)).await;
    }
    Ok(HttpResponse::Ok().json(ChallengeResponse {
        status: AuthenticatedStatus::Authenticated,
        user: (&done.user).into(),
        recovery_codes_remaining: done.recovery_codes_remaining,
        token: done.bearer,
    }))
}
