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

/// 200 when the database (and the Redis session store, if used) answers, 503 otherwise;
/// `/health` and `/ready` share it.
pub(crate) async fn database_answer(state: &AppState) -> HttpResponse {
    let reachable = state
        .db
        .read(|conn| Ok(conn.batch_execute("SELECT 1")?))
        .await
        .is_ok();
    let session_store = match &state.redis_sessions {
        Some(redis) => Some(redis.ping().await.is_ok()),
        None => None,
    };
    let word = |ok: bool| if ok { "ok" } else { "unreachable" }.to_owned();
    let body = HealthResponse {
        status: if reachable && session_store != Some(false) {
            "ok"
        } else {
            "unavailable"
        }
        .into(),
        database: word(reachable),
        session_store: session_store.map(word),
    };
    if body.status == "ok" {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}
