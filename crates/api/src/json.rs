//! Every extractor failure and every routing miss answers in our JSON error shape: never
//! actix's plain text. Bodies are JSON only and at most 4 KiB.

use std::collections::BTreeMap;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};

use crate::error::{error_response, ApiError, ErrorCode};

pub const BODY_LIMIT: usize = 4 * 1024;

pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(BODY_LIMIT)
        .content_type_required(true)
        .error_handler(|err, _req| json_error(&err).into())
}

fn json_error(err: &JsonPayloadError) -> ApiError {
    match err {
        JsonPayloadError::OverflowKnownLength { .. } | JsonPayloadError::Overflow { .. } => {
            ApiError::PayloadTooLarge
        }
        JsonPayloadError::ContentType => ApiError::UnsupportedMediaType,
        JsonPayloadError::Deserialize(e) => ApiError::InvalidRequest(describe_serde(e)),
        JsonPayloadError::Payload(actix_web::error::PayloadError::Overflow) => {
            ApiError::PayloadTooLarge
        }
        _ => ApiError::InvalidRequest("the request body could not be read".into()),
    }
}

/// A body already parsed as JSON, checked against its request type with the same messages
/// the `Json` extractor gives.
pub fn from_value<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    serde_json::from_value(value).map_err(|e| ApiError::InvalidRequest(describe_serde(&e)))
}

/// Field-level messages help clients; messages that would echo submitted values do not.
fn describe_serde(err: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match err.classify() {
        Category::Syntax | Category::Eof | Category::Io => "the body is not valid JSON".into(),
        Category::Data => {
            let text = err.to_string();
            let safe = ["unknown field", "missing field", "duplicate field"];
            // `from_value` errors carry no position.
            let end = text.find(" at line ").unwrap_or(text.len());
            if safe.iter().any(|p| text.starts_with(p)) {
                text[..end].to_owned()
            } else {
                "a field has the wrong type (codes and ids are JSON strings)".into()
            }
        }
    }
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|_err: PathError, _req| ApiError::NotFound.into())
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|_err: QueryPayloadError, _req| {
        ApiError::InvalidRequest("invalid query string".into()).into()
    })
}

/// Methods served per API path, from the OpenAPI document, for 405 + `Allow`.
pub struct AllowTable(BTreeMap<String, String>);

impl AllowTable {
    pub fn from_openapi(doc: &utoipa::openapi::OpenApi) -> Self {
        let table = doc
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods: Vec<&str> = [
                    ("GET", item.get.is_some()),
                    // Every GET also answers HEAD (see `head`).
                    ("HEAD", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("DELETE", item.delete.is_some()),
                ]
                .into_iter()
                .filter_map(|(m, present)| present.then_some(m))
                .collect();
                (path.clone(), methods.join(", "))
            })
            .collect();
        AllowTable(table)
    }

    /// The methods of the documented path `path` matches: exactly, or segment by segment with
    /// `{name}` standing for any one segment (`/api/admin/users/7/disable`).
    fn allowed(&self, path: &str) -> Option<&String> {
        self.0.get(path).or_else(|| {
            let wanted: Vec<&str> = path.split('/').collect();
            self.0
                .iter()
                .find(|(pattern, _)| {
                    let parts: Vec<&str> = pattern.split('/').collect();
                    parts.len() == wanted.len()
                        && parts.iter().zip(&wanted).all(|(p, w)| {
                            p == w || (p.starts_with('{') && p.ends_with('}') && !w.is_empty())
                        })
                })
                .map(|(_, allow)| allow)
        })
    }
}

/// Default service of the `/api` scope: 405 with `Allow` for a known path, else 404.
pub async fn api_fallback(req: HttpRequest, table: web::Data<AllowTable>) -> HttpResponse {
    match table.allowed(req.path()) {
        Some(allow) => ApiError::MethodNotAllowed {
            allow: allow.clone(),
        }
        .error_response(),
        None => ApiError::NotFound.error_response(),
    }
}

/// Safety net for anything that still produced a non-JSON error (e.g. a session store failure
/// inside actix-session, or actix-files refusing a path): rewrite it into the JSON shape, on
/// every path, API or not.
pub async fn json_errors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let res = match next.call(req).await {
        Ok(res) => res.map_into_boxed_body(),
        // Errors raised by middleware (e.g. actix-session) cannot become a `ServiceResponse` here
        // (the request is not ours to clone during routing); re-raise them in JSON instead.
        Err(err) => return Err(rewrite_error(err)),
    };
    let status = res.status();
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if status.as_u16() < 400 || is_json {
        return Ok(res);
    }
    let code = status_code(status);
    if code == ErrorCode::Internal {
        tracing::error!(status = status.as_u16(), "non-JSON server error rewritten");
    }
    let message = status.canonical_reason().unwrap_or("error").to_lowercase();
    let (req, old) = res.into_parts();
    let mut fresh = error_response(code, message);
    *fresh.status_mut() = status;
    for name in [header::ALLOW, header::RETRY_AFTER, header::SET_COOKIE] {
        for value in old.headers().get_all(&name) {
            fresh.headers_mut().append(name.clone(), value.clone());
        }
    }
    Ok(ServiceResponse::new(req, fresh))
}

fn status_code(status: actix_web::http::StatusCode) -> ErrorCode {
    match status.as_u16() {
        401 => ErrorCode::Unauthenticated,
        403 => ErrorCode::Forbidden,
        404 => ErrorCode::NotFound,
        405 => ErrorCode::MethodNotAllowed,
        413 => ErrorCode::PayloadTooLarge,
        415 => ErrorCode::UnsupportedMediaType,
        s if s >= 500 => ErrorCode::Internal,
        _ => ErrorCode::InvalidRequest,
    }
}

fn rewrite_error(err: actix_web::Error) -> actix_web::Error {
    if err.as_error::<ApiError>().is_some() {
        return err;
    }
    let status = err.as_response_error().status_code();
    tracing::error!(status = status.as_u16(), error = %err, "middleware error");
    let code = status_code(status);
    let mut response = error_response(
        code,
        status.canonical_reason().unwrap_or("error").to_lowercase(),
    );
    *response.status_mut() = status;
    actix_web::error::InternalError::from_response(err, response).into()
}

/// `application/json` or `application/*+json`, with no charset or UTF-8 (any case, quoted or
/// not): JSON is UTF-8 (RFC 8259), and a body declared in another charset would be read as
/// something its sender did not mean.
pub fn is_json_content_type(value: &header::HeaderValue) -> bool {
    let Ok(mime) = value
        .to_str()
        .unwrap_or("")
        .parse::<actix_web::mime::Mime>()
    else {
        return false;
    };
    let json = mime.type_() == actix_web::mime::APPLICATION
        && (mime.subtype() == actix_web::mime::JSON
            || mime.suffix() == Some(actix_web::mime::JSON));
    let utf8 = mime
        .get_param(actix_web::mime::CHARSET)
        .is_none_or(|charset| {
            charset
                .as_str()
                .trim_matches('"')
                .eq_ignore_ascii_case("utf-8")
        });
    json && utf8
}

pub fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_content_types() {
        let ok = |v: &'static str| is_json_content_type(&header::HeaderValue::from_static(v));
        for good in [
            "application/json",
            "Application/JSON",
            "application/json; charset=utf-8",
            "application/json; charset=UTF-8",
            "application/json;charset=\"utf-8\"",
            "application/merge-patch+json",
        ] {
            assert!(ok(good), "{good}");
        }
        for bad in [
            "application/json; charset=latin1",
            "application/json; charset=utf-16",
            "application/json; charset=utf8",
            "text/json",
            "text/plain",
            "application/x-www-form-urlencoded",
            "application/json;;",
            "",
        ] {
            assert!(!ok(bad), "{bad}");
        }
    }

    #[test]
    fn serde_messages_never_echo_values() {
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Body {
            code: String,
        }
        let number = serde_json::from_str::<Body>(r#"{"code": 123456}"#).unwrap_err();
        assert!(!describe_serde(&number).contains("123456"));
        let unknown = serde_json::from_str::<Body>(r#"{"code": "1", "user_id": 2}"#).unwrap_err();
        assert!(describe_serde(&unknown).starts_with("unknown field `user_id`"));
        let broken = serde_json::from_str::<Body>(r#"{"code": "#).unwrap_err();
        assert_eq!(describe_serde(&broken), "the body is not valid JSON");
    }
}
