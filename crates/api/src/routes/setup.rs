use actix_web::{post, web, HttpResponse};

use crate::auth::ClientInfo;
use crate::dto::{SetupRequest, UserResponse};
use crate::error::{ApiResult, ErrorBody};
use crate::service::accounts;
use crate::state::AppState;

/// First run: create the first administrator. Refused once any user exists.
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
    body: web::Json<SetupRequest>,
) -> ApiResult<HttpResponse> {
    let SetupRequest { username, password } = body.into_inner();
    let user = accounts::setup(&state, &client, username, password).await?;
    Ok(HttpResponse::Created().json(UserResponse {
        user: (&user).into(),
    }))
}
