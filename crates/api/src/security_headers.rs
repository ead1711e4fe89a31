//! Response headers on every response, errors included (security checklist §L).

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web;

use crate::state::AppState;

const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'";
const SPA_CSP: &str = "default-src 'self'; img-src 'self' data:; object-src 'none'; \
                       base-uri 'none'; frame-ancestors 'none'";
/// Swagger UI needs its own scripts and inline styles.
const DOCS_CSP: &str =
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
                        object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let path = req.path().to_owned();
    let https = req
        .app_data::<web::Data<AppState>>()
        .is_some_and(|state| state.settings.https());
    // An `Err` here is already a JSON error carrying the API headers (see `json_errors`).
    let mut res = next.call(req).await?.map_into_boxed_body();
    let is_docs = path.starts_with("/api/docs");
    let is_api = (path.starts_with("/api/") || path == "/api") && !is_docs;
    let csp = if is_docs {
        DOCS_CSP
    } else if is_api {
        API_CSP
    } else {
        SPA_CSP
    };
    let headers = res.headers_mut();
    let mut set = |name: HeaderName, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::REFERRER_POLICY, "no-referrer");
    set(header::CONTENT_SECURITY_POLICY, csp);
    set(header::X_FRAME_OPTIONS, "DENY");
    set(
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    set(
        HeaderName::from_static("cross-origin-resource-policy"),
        "same-origin",
    );
    if is_api {
        // Auth responses carry session ids, secrets and codes: never store them anywhere.
        set(header::CACHE_CONTROL, "no-store");
    }
    if https {
        set(
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=63072000; includeSubDomains",
        );
    }
    Ok(res)
}

/// The API headers for error responses built outside this middleware's reach.
pub fn set_api_headers(headers: &mut actix_web::http::header::HeaderMap) {
    for (name, value) in [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::CONTENT_SECURITY_POLICY, API_CSP),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::CACHE_CONTROL, "no-store"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
}
