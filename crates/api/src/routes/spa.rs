//! The built SPA from `TWOFA_STATIC_DIR`, with history fallback: unknown non-/api GETs get
//! `index.html`. Without a build, a plain page says how to make one instead of failing.
//!
//! Dotfiles (`/.env`, `/.git/..`), `..` and encoded separators or NUL never reach the file
//! service: they fall through to the app's default service, a JSON 404 `not_found`. The SPA
//! has no such files or routes, and actix-files would otherwise answer them with a plain-text 400.

use std::path::{Path, PathBuf};

use actix_files::{Files, NamedFile};
use actix_web::dev::{fn_service, ServiceRequest, ServiceResponse};
use actix_web::guard::{fn_guard, GuardContext};
use actix_web::{web, HttpResponse, ResponseError};

use crate::error::ApiError;
use crate::json::is_safe;

/// Logged once at start (the route table is built once per worker).
pub fn warn_if_missing(static_dir: &Path) {
    if !static_dir.join("index.html").is_file() {
        tracing::warn!(dir = %static_dir.display(), "no built web interface found; serving a notice page");
    }
}

pub fn configure(cfg: &mut web::ServiceConfig, static_dir: &Path) {
    let index = static_dir.join("index.html");
    if index.is_file() {
        cfg.service(
            Files::new("/", static_dir)
                .guard(fn_guard(is_plain_path))
                .index_file("index.html")
                .default_handler(fn_service(move |req: ServiceRequest| {
                    let index = index.clone();
                    async move { history_fallback(req, index).await }
                })),
        );
    } else {
        let dir = static_dir.display().to_string();
        cfg.service(
            web::resource("/{tail:.*}")
                .guard(fn_guard(is_plain_path))
                .default_service(web::to(move |req: actix_web::HttpRequest| {
                    let dir = dir.clone();
                    async move {
                        if !is_safe(req.method()) {
                            return ApiError::NotFound.error_response();
                        }
                        HttpResponse::Ok()
                            .content_type("text/plain; charset=utf-8")
                            .body(format!(
                                "twofa is running, but the web interface is not built.\n\n\
                     Build it with:  npm --prefix frontend ci && npm --prefix frontend run build\n\
                     or point TWOFA_STATIC_DIR at a built SPA (looked in: {dir}).\n\n\
                     The API is at /api (documentation: /api/docs).\n"
                            ))
                    }
                })),
        );
    }
}

/// False for a path with a hidden or `..` segment, a backslash, NUL or an encoded `/`, as
/// written or percent-encoded.
fn is_plain_path(ctx: &GuardContext<'_>) -> bool {
    let raw = ctx.head().uri.path();
    let decoded = percent_decoded(raw);
    let encoded_slash = raw.to_ascii_lowercase().contains("%2f");
    !encoded_slash
        && !decoded.iter().any(|b| *b == b'\\' || *b == 0)
        && !decoded
            .split(|b| *b == b'/')
            .any(|seg| seg.first() == Some(&b'.'))
}

fn percent_decoded(path: &str) -> Vec<u8> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| path.get(i + 1..i + 3))
            .flatten()
            .filter(|h| h.bytes().all(|c| c.is_ascii_hexdigit()))
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match escaped {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    out
}

async fn history_fallback(
    req: ServiceRequest,
    index: PathBuf,
) -> Result<ServiceResponse, actix_web::Error> {
    let (req, _) = req.into_parts();
    if !is_safe(req.method()) {
        return Ok(ServiceResponse::new(
            req,
            ApiError::NotFound.error_response(),
        ));
    }
    let file = web::block(move || NamedFile::open(index)).await??;
    let response = file.into_response(&req);
    Ok(ServiceResponse::new(req, response))
}
