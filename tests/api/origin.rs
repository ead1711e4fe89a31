//! CSRF defence: cookie-authenticated POSTs must come from the server's own origin; bearer
//! requests carry no ambient credential and skip the check.

use reqwest::Method;
use serde_json::json;

use crate::client::{assert_error, expect_json};
use crate::helpers::{spawn_app, TestApp, TestUser};

async fn logged_in(app: &TestApp) -> TestUser {
    let user = app.setup_user().await;
    expect_json(app.client.login(&user.username, &user.password).await, 200).await;
    user
}

#[tokio::test]
async fn a_cross_origin_cookie_post_is_refused_and_changes_nothing() {
    // Arrange
    let app = spawn_app().await;
    let user = logged_in(&app).await;
    let evil = app.client.with_origin(Some("http://evil.example"));

    // Act
    let logout = evil.logout().await;
    let enable = evil.enable(&user.password).await;

    // Assert
    assert_error(logout, 403, "cross_origin").await;
    assert_error(enable, 403, "cross_origin").await;
    expect_json(app.client.me().await, 200).await;
    assert_error(
        app.client.verify("123456").await,
        409,
        "no_pending_enrollment",
    )
    .await;
}

#[tokio::test]
async fn a_lookalike_origin_is_refused() {
    // Arrange
    let app = spawn_app().await;
    logged_in(&app).await;
    let lookalike = format!("{}.evil.example", app.origin());

    // Act
    let resp = app.client.with_origin(Some(&lookalike)).logout().await;

    // Assert
    assert_error(resp, 403, "cross_origin").await;
    expect_json(app.client.me().await, 200).await;
}

#[tokio::test]
async fn a_cookie_post_without_origin_headers_is_refused() {
    // Arrange
    let app = spawn_app().await;
    logged_in(&app).await;

    // Act: the cookie alone, no Origin and no Sec-Fetch-Site.
    let resp = app.client.with_origin(None).logout().await;

    // Assert
    assert_error(resp, 403, "cross_origin").await;
    expect_json(app.client.me().await, 200).await;
}

#[tokio::test]
async fn a_cross_site_fetch_metadata_header_is_refused() {
    // Arrange
    let app = spawn_app().await;
    logged_in(&app).await;

    // Act
    let resp = app
        .client
        .request(Method::POST, "/api/logout")
        .header("Sec-Fetch-Site", "cross-site")
        .send()
        .await
        .expect("answer");

    // Assert
    assert_error(resp, 403, "cross_origin").await;
    expect_json(app.client.me().await, 200).await;
}

#[tokio::test]
async fn a_same_origin_fetch_metadata_header_without_origin_is_accepted() {
    // Arrange
    let app = spawn_app().await;
    logged_in(&app).await;

    // Act
    let resp = app
        .client
        .with_origin(None)
        .request(Method::POST, "/api/logout")
        .header("Sec-Fetch-Site", "same-origin")
        .send()
        .await
        .expect("answer");

    // Assert
    assert_eq!(resp.status(), 204);
    assert_error(app.client.me().await, 401, "unauthenticated").await;
}

#[tokio::test]
async fn a_bearer_request_skips_the_origin_check() {
    // Arrange
    let app = spawn_app().await;
    let user = app.setup_user().await;
    let login = app
        .bare_client()
        .login_for_token(&user.username, &user.password)
        .await;
    let token = expect_json(login, 200).await["token"]
        .as_str()
        .expect("token")
        .to_owned();

    // Act: no Origin at all, and then a foreign one.
    let mobile = app.bearer_client(&token);
    let enable = mobile.enable(&user.password).await;
    let foreign = mobile
        .request(Method::POST, "/api/2fa/enable")
        .header("Origin", "http://evil.example")
        .json(&json!({"password": user.password}))
        .send()
        .await
        .expect("answer");

    // Assert
    expect_json(enable, 200).await;
    expect_json(foreign, 200).await;
}

#[tokio::test]
async fn a_rebound_host_cannot_create_the_first_admin_without_a_public_origin() {
    // Arrange: a fresh instance with no TWOFA_PUBLIC_ORIGIN, reached under a foreign DNS name.
    let app = spawn_app().await;
    let rebound = app.client.with_origin(Some("http://evil.example"));
    let body = json!({"username": "mallory", "password": "mallory password 123"});

    // Act
    let resp = rebound
        .request(Method::POST, "/api/setup")
        .header(reqwest::header::HOST, "evil.example")
        .json(&body)
        .send()
        .await
        .expect("answer");

    // Assert: refused with a hint, and the instance still awaits its real first admin.
    let err = assert_error(resp, 403, "cross_origin").await;
    let message = err["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("TWOFA_PUBLIC_ORIGIN"), "{message}");
    let port = app
        .origin()
        .rsplit(':')
        .next()
        .unwrap_or_default()
        .to_owned();
    let local = app
        .client
        .with_origin(Some(&format!("http://localhost:{port}")));
    let resp = local
        .request(Method::POST, "/api/setup")
        .header(reqwest::header::HOST, format!("localhost:{port}"))
        .json(&json!({"username": "alice", "password": "alice password 123"}))
        .send()
        .await
        .expect("answer");
    assert_eq!(resp.status(), 201);
}
