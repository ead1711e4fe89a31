//! `POST /api/__test/clock` — only in builds with the `test-clock` feature.

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockRequest {
    now: Option<i64>,
    advance: Option<i64>,
}

pub async fn set_clock(
    state: web::Data<AppState>,
    body: web::Json<ClockRequest>,
) -> ApiResult<HttpResponse> {
    match (body.now, body.advance) {
        (Some(now), None) => state.test_clock.pin(now),
        (None, Some(secs)) => state.test_clock.advance(secs),
        _ => {
            return Err(ApiError::InvalidRequest(
                "send exactly one of now and advance".into(),
            ))
        }
    }
    Ok(HttpResponse::NoContent().finish())
}
