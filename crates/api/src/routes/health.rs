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
    // Not the Redis session store: bearer clients need no Redis, and a liveness probe that
    // fails during a Redis outage would only restart instances that cannot start without it.
    database_answer(&state, false).await
}

/// 200 when the database (and, if asked and used, the Redis session store) answers, 503
/// otherwise; `/health` and `/ready` share it.
pub(crate) async fn database_answer(state: &AppState, with_session_store: bool) -> HttpResponse {
    let reachable = state
        .db
        .read(|conn| Ok(conn.batch_execute("SELECT 1")?))
        .await
        .is_ok();
    let session_store = match &state.redis_sessions {
        Some(redis) if with_session_store => Some(redis.ping().await.is_ok()),
        _ => None,
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
