use actix_web::{get, web, HttpResponse};

use crate::dto::HealthResponse;
use crate::state::AppState;

/// Readiness: 200 only while the database answers (load balancers route on this; `/health`
/// is liveness).
#[utoipa::path(
    path = "/ready",
    tag = "health",
    responses(
        (status = 200, description = "Ready: the database answers", body = HealthResponse),
        (status = 503, description = "Not ready: the database does not answer", body = HealthResponse),
    )
)]
#[get("/ready")]
pub async fn ready(state: web::Data<AppState>) -> HttpResponse {
    super::health::database_answer(&state).await
}
