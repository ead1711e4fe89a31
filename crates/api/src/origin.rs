//! CSRF defence for cookie-authenticated state changes (server contract): an `Origin` header,
//! when present, must equal the public origin; `Sec-Fetch-Site`, when present, must be
//! `same-origin` or `none`; a request carrying the session cookie and neither header is refused.
//! Requests with `Authorization` skip this (no ambient credentials); they still get the JSON
//! content-type rule.
//!
//! Without `TWOFA_PUBLIC_ORIGIN`, the expected origin comes from the `Host` header, which a DNS
//! rebinding page controls; so state changes are then accepted only for a loopback Host or the
//! exact bind address, whatever the credentials.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{web, ResponseError};

use actix_session::SessionExt;

use crate::auth::ClientInfo;
use crate::error::ApiError;
use crate::json::{is_json_content_type, is_safe};
use crate::service::audit;
use crate::session_store::USER_ID;
use crate::state::AppState;

pub async fn origin_check(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if let Err(err) = host_check(&req).and_then(|()| check(&req)) {
        if let (ApiError::CrossOrigin | ApiError::UnlistedHost, Some(state)) =
            (&err, req.app_data::<web::Data<AppState>>())
        {
            let client = ClientInfo::of(req.request());
            let user_id = req.get_session().get::<i64>(USER_ID).ok().flatten();
            audit::record(
                state,
                &client,
                user_id,
                "csrf.rejected",
                audit::FAILURE,
                None,
            )
            .await;
        }
        let (http_req, _) = req.into_parts();
        return Ok(ServiceResponse::new(http_req, err.error_response()));
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

fn is_state_change(req: &ServiceRequest) -> bool {
    let path = req.path();
    !is_safe(req.method()) && (path.starts_with("/api/") || path == "/api")
}

fn host_check(req: &ServiceRequest) -> Result<(), ApiError> {
    if !is_state_change(req) {
        return Ok(());
    }
    let Some(state) = req.app_data::<web::Data<AppState>>() else {
        return Err(ApiError::internal(anyhow::anyhow!("AppState missing")));
    };
    if state.settings.public_origin.is_some() {
        return Ok(());
    }
    // Browsers always send Host; a request without one cannot come from a rebinding page.
    let Some(host) = req.headers().get(header::HOST) else {
        return Ok(());
    };
    let host = host.to_str().unwrap_or("");
    // Parsed, not formatted: `bind.to_string()` per request was 1.4 % of the server's CPU on
    // the cheapest request (docs/benchmarks.md (4a)).
    let is_bind = host.parse::<std::net::SocketAddr>().ok() == Some(state.settings.bind);
    if is_bind || is_loopback_host(host) {
        return Ok(());
    }
    Err(ApiError::UnlistedHost)
}

/// `localhost`, 127.0.0.0/8 or `[::1]`, with or without a port.
fn is_loopback_host(host: &str) -> bool {
    let is_port = |p: &str| p.parse::<u16>().is_ok();
    let name = match host.strip_prefix('[') {
        Some(rest) => match rest.split_once(']') {
            Some((inner, "")) => inner,
            Some((inner, port)) if port.strip_prefix(':').is_some_and(is_port) => inner,
            _ => return false,
        },
        None => match host.rsplit_once(':') {
            Some((name, port)) if is_port(port) => name,
            Some(_) => return false,
            None => host,
        },
    };
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn check(req: &ServiceRequest) -> Result<(), ApiError> {
    if !is_state_change(req) {
        return Ok(());
    }
    let headers = req.headers();
    // A body must be JSON; a form or text/plain POST is how cross-site requests look.
    if let Some(content_type) = headers.get(header::CONTENT_TYPE) {
        if !is_json_content_type(content_type) {
            return Err(ApiError::UnsupportedMediaType);
        }
    }
    if headers.contains_key(header::AUTHORIZATION) {
        return Ok(());
    }
    let Some(state) = req.app_data::<web::Data<AppState>>() else {
        return Err(ApiError::internal(anyhow::anyhow!("AppState missing")));
    };
    let origin = headers
        .get(header::ORIGIN)
        .map(|v| v.to_str().unwrap_or(""));
    let fetch_site = headers
        .get("sec-fetch-site")
        .map(|v| v.to_str().unwrap_or(""));
    if let Some(origin) = origin {
        let expected = match &state.settings.public_origin {
            Some(public) => Some(public.clone()),
            None => headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .map(|host| format!("http://{host}")),
        };
        if expected.as_deref() != Some(origin) {
            return Err(ApiError::CrossOrigin);
        }
    }
    if let Some(site) = fetch_site {
        if site != "same-origin" && site != "none" {
            return Err(ApiError::CrossOrigin);
        }
    }
    if origin.is_none() && fetch_site.is_none() && carries_session_cookie(req, state) {
        return Err(ApiError::CrossOrigin);
    }
    Ok(())
}

fn carries_session_cookie(req: &ServiceRequest, state: &AppState) -> bool {
    req.cookie(&crate::startup::cookie_name(&state.settings))
        .is_some()
}
