//! `X-Request-Id` on every response, and a `request` span carrying it around every log line of
//! the request. The id is generated here, or kept from the incoming header when the peer is a
//! trusted proxy (`TWOFA_TRUSTED_PROXIES`) and the value is short and plain.

use std::net::IpAddr;
use std::sync::OnceLock;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::InternalError;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage};
use rand_core::RngCore;
use tracing::Instrument;

use crate::state::AppState;

pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");
const MAX_LEN: usize = 64;

/// The request's id, for handlers that want it (`req.extensions().get::<RequestId>()`).
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

static TRUSTED: OnceLock<Vec<IpAddr>> = OnceLock::new();

/// Parses `TWOFA_TRUSTED_PROXIES` (comma-separated IP addresses).
pub fn parse_trusted(list: Option<&str>) -> anyhow::Result<Vec<IpAddr>> {
    list.unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse()
                .map_err(|_| anyhow::anyhow!("TWOFA_TRUSTED_PROXIES: {s:?} is not an IP address"))
        })
        .collect()
}

fn trusted(req: &ServiceRequest) -> &'static [IpAddr] {
    TRUSTED.get_or_init(|| {
        req.app_data::<web::Data<AppState>>()
            .and_then(|s| parse_trusted(s.settings.trusted_proxies.as_deref()).ok())
            .unwrap_or_default()
    })
}

fn acceptable(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= MAX_LEN
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

fn generate() -> String {
    // Not a secret: the thread's generator avoids seeding a fresh one from the OS per request.
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub async fn request_id(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let from_proxy = req
        .peer_addr()
        .is_some_and(|peer| trusted(&req).contains(&peer.ip()));
    let id = from_proxy
        .then(|| req.headers().get(&HEADER).and_then(|v| v.to_str().ok()))
        .flatten()
        .filter(|v| acceptable(v))
        .map_or_else(generate, str::to_owned);
    req.extensions_mut().insert(RequestId(id.clone()));
    // No `req.request().clone()` before `next.call`: routing needs the only reference to the
    // request (actix panics in `match_info_mut` otherwise).
    let span = tracing::info_span!("request", request_id = %id);
    let value = HeaderValue::from_str(&id).ok();
    match next.call(req).instrument(span).await {
        Ok(mut res) => {
            if let Some(value) = value {
                res.headers_mut().insert(HEADER, value);
            }
            Ok(res.map_into_boxed_body())
        }
        Err(err) => {
            // An error not yet turned into a response: build it here so it carries the id too.
            let mut response = err.error_response();
            if let Some(value) = value {
                response.headers_mut().insert(HEADER, value);
            }
            Err(InternalError::from_response(err, response).into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_short_plain_ids_are_kept() {
        assert!(acceptable("abc-123_X.y"));
        assert!(!acceptable(""));
        assert!(!acceptable(&"a".repeat(65)));
        assert!(!acceptable("a b"));
        assert!(!acceptable("a\nb"));
        assert_eq!(generate().len(), 32);
    }

    #[test]
    fn trusted_proxies_parse_or_fail_clearly() {
        assert_eq!(parse_trusted(None).unwrap(), Vec::<IpAddr>::new());
        assert_eq!(parse_trusted(Some("10.0.0.1, ::1")).unwrap().len(), 2);
        assert!(parse_trusted(Some("proxy.local")).is_err());
    }
}
