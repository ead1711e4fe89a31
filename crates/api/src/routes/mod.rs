//! The route table of `/api`, in one place. Handlers are thin: extract, call a service, shape
//! the response. `.service(..)` registrations are collected into the OpenAPI document.

pub mod admin;
mod admin_auth;
pub mod challenge;
pub mod health;
pub mod login;
pub mod me;
pub mod ops;
pub mod setup;
pub mod spa;
#[cfg(feature = "test-clock")]
pub mod test_clock;
pub mod two_factor;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(health::health)
        .service(ops::ready)
        .service(admin::list_users)
        .service(admin::create_user)
        .service(admin::reset_two_factor)
        .service(admin::disable_user)
        .service(admin::enable_user)
        .service(admin::user_events)
        .service(setup::setup_status)
        .service(setup::setup)
        .service(login::login)
        .service(challenge::answer_challenge)
        .service(login::logout)
        .service(me::me)
        .service(me::events)
        .service(me::list_sessions)
        .service(me::revoke_other_sessions)
        .service(two_factor::enable)
        .service(two_factor::verify)
        .service(two_factor::disable)
        .service(two_factor::regenerate_recovery_codes);
    cfg.route("/docs", actix_web::web::get().to(docs_redirect));
    // Not part of the API (and absent from release builds): lets tests move the clock.
    #[cfg(feature = "test-clock")]
    cfg.route(
        "/__test/clock",
        actix_web::web::post().to(test_clock::set_clock),
    );
}

async fn docs_redirect() -> actix_web::HttpResponse {
    actix_web::HttpResponse::PermanentRedirect()
        .insert_header((actix_web::http::header::LOCATION, "/api/docs/"))
        .finish()
}
