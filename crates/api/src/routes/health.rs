use actix_web::{get, web, HttpResponse};
use diesel::connection::SimpleConnection;

use crate::dto::HealthResponse;
use crate::state::AppState;

/// Liveness and database reachability.
#[utoipa::path(
    tag = "health",
    responses(
        (status = 200, description = "Serving; the database answers", body = HealthResponse),
        (status = 503, description = "The database does not answer", body = HealthResponse),
    )
)]
#[get("/health")]
pub async fn health(state: web::Data<AppState>) -> HttpResponse {
    database_answer(&state).await
}

/// 200 when the database answers a trivial query, 503 otherwise; `/health` and `/ready` share it.
pub(crate) async fn database_answer(state: &AppState) -> HttpResponse {
    let reachable = state
        .db
        .read(|conn| Ok(conn.batch_execute("SELECT 1")?))
        .await
        .is_ok();
    if reachable {
        HttpResponse::Ok().json(HealthResponse {
            status: "ok".into(),
            database: "ok".into(),
        })
    } else {
        HttpResponse::ServiceUnavailable().json(HealthResponse {
            status: "unavailable".into(),
            database: "unreachable".into(),
        })
    }
}
