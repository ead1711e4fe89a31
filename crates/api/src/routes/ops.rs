use actix_web::{get, web, HttpResponse};

use crate::dto::HealthResponse;
use crate::state::AppState;

/// Readiness: 200 only while the database and the Redis session store (if used) answer (load
/// balancers route on this; `/health` is liveness).
#[utoipa::path(
    path = "/ready",
    tag = "health",
    responses(
        (status = 200, description = "Ready: the database (and the Redis session store, if used) answers", body = HealthResponse),
        (status = 503, description = "Not ready: the database or the Redis session store does not answer", body = HealthResponse),
    )
)]
#[get("/ready")]
pub async fn ready(state: web::Data<AppState>) -> HttpResponse {
    super::health::database_answer(&state, true).await
}
