//! The OpenAPI document: info, tags, both security schemes and the error body here; paths and
//! their schemas are collected by utoipa-actix-web from the same route table the server uses.

use actix_web::App;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

use crate::error::{ErrorBody, ErrorCode, ErrorDetail};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "twofa",
        description = "Accounts and TOTP two-factor authentication for Borg Backup Server. \
                       Every error is `{\"error\": {\"code\": \"...\", \"message\": \"...\"}}`; \
                       match on `code`. Browser clients use the session cookie and must send \
                       `Origin` and `Content-Type: application/json` on POSTs; other clients log \
                       in with `token: true` and send `Authorization: Bearer <token>`.",
        license(name = "AGPL-3.0-or-later", identifier = "AGPL-3.0-or-later"),
    ),
    tags(
        (name = "setup", description = "First run"),
        (name = "login", description = "Password step, second step, logout"),
        (name = "me", description = "The signed-in user"),
        (name = "two-factor", description = "Enroll, confirm, disable TOTP; recovery codes"),
        (name = "health", description = "Service health"),
        (name = "admin", description = "User management for administrators"),
    ),
    components(schemas(ErrorBody, ErrorDetail, ErrorCode)),
    modifiers(&SecuritySchemes),
)]
pub struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "twofa_session",
                "Browser session cookie (`__Host-twofa_session` when served over https)",
            ))),
        );
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "Token from `/api/login` or `/api/login/challenge` with `token: true`",
                    ))
                    .build(),
            ),
        );
    }
}

/// The complete document, built from the real route table.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_app, doc) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .service(utoipa_actix_web::scope("/api").configure(crate::routes::configure))
        .split_for_parts();
    with_common_errors(doc)
}

/// Answers any operation can give whatever its handler does (the extractors, the origin check,
/// the hashing pool, the body limit): documented once here so no path can leave them out.
fn with_common_errors(mut doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    const ANY: &[(&str, &str)] = &[
        (
            "500",
            "`internal`: an unexpected failure (details only in the server log)",
        ),
        (
            "503",
            "`overloaded`: too busy; retry after `Retry-After` seconds",
        ),
    ];
    const WRITES: &[(&str, &str)] = &[
        (
            "400",
            "`invalid_request`: malformed JSON, a wrong type, an unknown or missing field",
        ),
        (
            "403",
            "`cross_origin`: a cookie request from another origin or host",
        ),
        ("413", "`payload_too_large`: the body is over 4 KiB"),
        (
            "415",
            "`unsupported_media_type`: the body is not `application/json`",
        ),
    ];
    for item in doc.paths.paths.values_mut() {
        let reads = [item.get.as_mut()]
            .into_iter()
            .flatten()
            .map(|op| (op, false));
        let writes = [item.post.as_mut(), item.put.as_mut(), item.delete.as_mut()]
            .into_iter()
            .flatten()
            .map(|op| (op, true));
        for (op, is_write) in reads.chain(writes) {
            let extra = if is_write { WRITES } else { &[] };
            for (status, description) in ANY.iter().chain(extra) {
                op.responses
                    .responses
                    .entry((*status).to_owned())
                    .or_insert_with(|| error_response(description));
            }
        }
    }
    doc
}

fn error_response(description: &str) -> RefOr<Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                Content::new(Some(Ref::from_schema_name("ErrorBody"))),
            )
            .build(),
    )
}

pub fn yaml() -> anyhow::Result<String> {
    Ok(document().to_yaml()?)
}
