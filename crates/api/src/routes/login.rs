use actix_session::Session;
use actix_web::{post, web, HttpResponse};

use crate::auth::{ClientInfo, CurrentUser};
use crate::dto::{LoginRequest, LoginResponse};
use crate::error::{ApiResult, ErrorBody};
use crate::service::accounts::{self, PasswordStep, CHALLENGE_TTL_SECS};
use crate::service::sessions;
use crate::state::AppState;

/// Password step. Without 2FA it opens the session (cookie, or a bearer token with
/// `token: true`); with 2FA it returns a challenge and grants nothing else.
#[utoipa::path(
    tag = "login",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "`authenticated`, or `2fa_required` with a challenge", body = LoginResponse),
        (status = 400, description = "`invalid_request`", body = ErrorBody),
        (status = 401, description = "`invalid_credentials` (same answer for unknown users)", body = ErrorBody),
        (status = 403, description = "`cross_origin`", body = ErrorBody),
        (status = 429, description = "`too_many_attempts` (see `Retry-After`)", body = ErrorBody),
        (status = 503, description = "`overloaded` (see `Retry-After`)", body = ErrorBody),
    )
)]
#[post("/login")]
pub async fn login(
    state: web::Data<AppState>,
    client: ClientInfo,
    session: Session,
    body: web::Json<LoginRequest>,
) -> ApiResult<HttpResponse> {
    let LoginRequest {
        username,
        password,
        token,
    } = body.into_inner();
    // A browser login binds the challenge to this browser's (fresh) session.
    let bind = || {
        if token {
            Ok(None)
        } else {
            sessions::bind_challenge(&session).map(Some)
        }
    };
    let response = match accounts::password_step(&state, &client, username, password, bind).await? {
        PasswordStep::Authenticated(user) => {
            let bearer = if token {
                let (user_id, now, client) = (user.id, state.now(), client.clone());
                Some(
                    state
                        .db
                        .write(move |conn| sessions::issue_bearer(conn, user_id, &client, now))
                        .await?,
                )
            } else {
                sessions::start_cookie_session(&session, user.id, user.session_epoch, &client)?;
                sessions::audit_renewed(&state, &client, Some(user.id)).await;
                None
            };
            crate::service::audit::record(
                &state,
                &client,
                Some(user.id),
                "auth.password.success",
                crate::service::audit::SUCCESS,
                None,
            )
            .await;
            LoginResponse::Authenticated {
                user: (&user).into(),
                token: bearer,
            }
        }
        PasswordStep::TwoFactorRequired { challenge_id } => {
            if !token {
                sessions::audit_renewed(&state, &client, None).await;
            }
            LoginResponse::TwoFactorRequired {
                challenge_id,
                expires_in: CHALLENGE_TTL_SECS,
            }
        }
    };
    Ok(HttpResponse::Ok().json(response))
}

/// Ends the session server-side (cookie or bearer token) and asks the browser to clear its data.
#[utoipa::path(
    tag = "login",
    responses(
        (status = 204, description = "Signed out (also when no session was open)"),
        (status = 403, description = "`cross_origin`", body = ErrorBody),
    ),
    security((), ("cookie" = []), ("bearer" = []))
)]
#[post("/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    client: ClientInfo,
    session: Session,
    current: Option<CurrentUser>,
) -> ApiResult<HttpResponse> {
    match &current {
        Some(current) => {
            sessions::logout(&state, current).await?;
            crate::service::audit::record(
                &state,
                &client,
                Some(current.user.id),
                "session.logout",
                crate::service::audit::SUCCESS,
                None,
            )
            .await;
        }
        // An unauthenticated browser session (e.g. a pending challenge) goes too.
        None => session.purge(),
    }
    Ok(HttpResponse::NoContent()
        .insert_header(("Clear-Site-Data", "\"cache\", \"cookies\", \"storage\""))
        .finish())
}
