use actix_web::{get, post, web, HttpResponse};

use crate::auth::ClientInfo;
use crate::dto::{SetupRequest, SetupStatus, UserResponse};
use crate::error::{ApiResult, ErrorBody};
use crate::json::from_value;
use crate::service::accounts;
use crate::state::AppState;

/// Whether first-run setup is still open (no user exists yet). Needs no session.
#[utoipa::path(
    tag = "setup",
    responses(
        (status = 200, description = "`needed` is true only while no user exists", body = SetupStatus),
    )
)]
#[get("/setup")]
pub async fn setup_status(state: web::Data<AppState>) -> ApiResult<web::Json<SetupStatus>> {
    let needed = accounts::setup_needed(&state).await?;
    Ok(web::Json(SetupStatus { needed }))
}

/// First run: create the first administrator. Refused with `setup_done` once any user exists,
/// whatever the body holds (only a body that is not JSON at all is refused before that).
#[utoipa::path(
    tag = "setup",
    request_body = SetupRequest,
    responses(
        (status = 201, description = "The administrator was created", body = UserResponse),
        (status = 400, description = "`invalid_request` or `weak_password`", body = ErrorBody),
        (status = 409, description = "`setup_done`: a user already exists", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody),
    )
)]
#[post("/setup")]
pub async fn setup(
    state: web::Data<AppState>,
    client: ClientInfo,
    // Parsed as any JSON first: once setup is done the answer must not depend on the fields.
    body: web::Json<serde_json::Value>,
) -> ApiResult<HttpResponse> {
    if !accounts::setup_needed(&state).await? {
        return Err(crate::error::ApiError::SetupDone);
    }
    let SetupRequest { username, password } = from_value(body.into_inner())?;
    let user = accounts::setup(&state, &client, username, password).await?;
    Ok(HttpResponse::Created().json(UserResponse {
        user: (&user).into(),
    }))
}
