//! Sessions end when they must: at logout (checklist 44), after 30 idle minutes or 12 hours
//! (45), and for every other cookie and bearer token of the user when 2FA is enabled (42),
//! disabled (43) or a recovery code is used (35); users can end their other sessions (47).

use serde_json::Value;

use crate::attack_helpers::{header, set_cookies};
use crate::client::{assert_error, expect_json, Client, SESSION_COOKIE};
use crate::helpers::{aligned_now, spawn_app, TestApp, STEP};

const MINUTE: i64 = 60;

/// A bearer token from the password step of a user without 2FA.
async fn password_token(app: &TestApp, name: &str, pw: &str) -> String {
    let body = expect_json(app.bare_client().login_for_token(name, pw).await, 200).await;
    assert_eq!(body["status"], "authenticated", "{body}");
    body["token"].as_str().expect("token").to_owned()
}

/// A bearer token from both steps.
async fn full_token(app: &TestApp, name: &str, pw: &str, code: &str) -> String {
    let mobile = app.bare_client();
    let pre = expect_json(mobile.login_for_token(name, pw).await, 200).await;
    let id = pre["challenge_id"].as_str().expect("challenge_id");
    let body = expect_json(mobile.challenge_for_token(id, code).await, 200).await;
    body["token"].as_str().expect("token").to_owned()
}

async fn signed_in_jar(app: &TestApp, name: &str, pw: &str, code: &str) -> Client {
    let jar = app.new_client();
    jar.sign_in(name, pw, code).await;
    jar
}

async fn assert_ended(what: &str, client: &Client) {
    let resp = client.me().await;
    assert_eq!(resp.status(), 401, "{what} still works");
    assert_error(resp, 401, "unauthenticated").await;
}

#[tokio::test]
async fn logout_expires_the_cookie_clears_site_data_and_ends_the_session() {
    // Arrange
    let app = spawn_app().await;
    let user = app.setup_user().await;
    expect_json(app.client.login(&user.username, &user.password).await, 200).await;
    let old = app.client.session_cookie().expect("session cookie");

    // Act
    let resp = app.client.logout().await;

    // Assert
    assert_eq!(resp.status(), 204);
    let clear = header(resp.headers(), "clear-site-data").unwrap_or_default();
    assert!(clear.contains("\"cookies\""), "Clear-Site-Data {clear:?}");
    let cookie = set_cookies(resp.headers())
        .into_iter()
        .find(|c| c.name.ends_with(SESSION_COOKIE))
        .expect("logout sets the session cookie to expire");
    let max_age_zero = cookie.attr("max-age").flatten() == Some("0");
    let expired = cookie
        .attr("expires")
        .flatten()
        .is_some_and(|e| e.contains("1970"));
    assert!(max_age_zero || expired, "not expired: {}", cookie.raw);
    assert!(
        cookie.value.is_empty() || cookie.value != old,
        "{}",
        cookie.raw
    );
    assert_ended("the logged-out cookie", &app.cookie_client(&old)).await;
}

#[tokio::test]
async fn a_session_idle_for_thirty_minutes_ends() {
    // Arrange
    let app = spawn_app().await;
    app.set_clock(aligned_now()).await;
    let user = app.setup_user().await;
    expect_json(app.client.login(&user.username, &user.password).await, 200).await;
    let cookie = app.cookie_client(&app.client.session_cookie().expect("cookie"));
    let token = app.bearer_client(&password_token(&app, &user.username, &user.password).await);

    // Act + Assert: activity every 29 minutes keeps both alive, 31 idle minutes end them.
    for _ in 0..3 {
        app.advance_clock(29 * MINUTE).await;
        expect_json(cookie.me().await, 200).await;
        expect_json(token.me().await, 200).await;
    }
    app.advance_clock(31 * MINUTE).await;
    assert_ended("an idle cookie session", &cookie).await;
    assert_ended("an idle bearer token", &token).await;
}

#[tokio::test]
async fn a_busy_session_ends_after_twelve_hours() {
    // Arrange
    let app = spawn_app().await;
    app.set_clock(aligned_now()).await;
    let user = app.setup_user().await;
    expect_json(app.client.login(&user.username, &user.password).await, 200).await;
    let cookie = app.cookie_client(&app.client.session_cookie().expect("cookie"));
    let token = app.bearer_client(&password_token(&app, &user.username, &user.password).await);

    // Act + Assert: used every 10 minutes, alive at 11 h 50, gone at 12 h 1 min.
    for _ in 0..71 {
        app.advance_clock(10 * MINUTE).await;
        expect_json(cookie.me().await, 200).await;
        expect_json(token.me().await, 200).await;
    }
    app.advance_clock(11 * MINUTE).await;
    assert_ended("a 12-hour cookie session", &cookie).await;
    assert_ended("a 12-hour bearer token", &token).await;
}

#[tokio::test]
async fn enabling_two_factor_ends_password_only_cookies_and_tokens() {
    // Arrange
    let app = spawn_app().await;
    app.set_clock(aligned_now()).await;
    let user = app.setup_user().await;
    let (name, pw) = (user.username.as_str(), user.password.as_str());
    let other_jar = app.new_client();
    expect_json(other_jar.login(name, pw).await, 200).await;
    let token = app.bearer_client(&password_token(&app, name, pw).await);
    expect_json(app.client.login(name, pw).await, 200).await;
    let before = app.client.session_cookie().expect("cookie");

    // Act
    let secret = expect_json(app.client.enable(pw).await, 200).await["secret"]
        .as_str()
        .expect("secret")
        .replace(' ', "");
    expect_json(app.client.verify(&app.code_now(&secret)).await, 200).await;

    // Assert
    assert_ended("a password-only cookie", &other_jar).await;
    assert_ended("a password-only bearer token", &token).await;
    assert_ended(
        "the enrolling session's old id",
        &app.cookie_client(&before),
    )
    .await;
    expect_json(app.client.me().await, 200).await;
}

#[tokio::test]
async fn disabling_two_factor_ends_every_other_cookie_and_token() {
    // Arrange
    let app = spawn_app().await;
    let user = app.enrolled_user().await;
    let (name, pw) = (user.username.as_str(), user.password.as_str());
    let a = signed_in_jar(&app, name, pw, &app.code_now(&user.secret)).await;
    app.advance_clock(STEP).await;
    let b = signed_in_jar(&app, name, pw, &app.code_now(&user.secret)).await;
    app.advance_clock(STEP).await;
    let m = app.bearer_client(&full_token(&app, name, pw, &app.code_now(&user.secret)).await);
    app.advance_clock(STEP).await;
    let a_before = a.session_cookie().expect("cookie");

    // Act
    expect_json(
        a.disable_with_code(pw, &app.code_now(&user.secret)).await,
        200,
    )
    .await;

    // Assert
    assert_ended("jar B", &b).await;
    assert_ended("bearer token M", &m).await;
    assert_ended("A's id before disable", &app.cookie_client(&a_before)).await;
    let me = expect_json(a.me().await, 200).await;
    assert_eq!(me["two_factor"]["enabled"], false, "{me}");
}

#[tokio::test]
async fn a_recovery_code_login_ends_other_cookies_and_tokens() {
    // Arrange
    let app = spawn_app().await;
    let user = app.enrolled_user().await;
    let (name, pw) = (user.username.as_str(), user.password.as_str());
    let a = signed_in_jar(&app, name, pw, &app.code_now(&user.secret)).await;
    app.advance_clock(STEP).await;
    let m = app.bearer_client(&full_token(&app, name, pw, &app.code_now(&user.secret)).await);

    // Act
    let c = app.new_client();
    let id = c.start_challenge(name, pw).await;
    let resp = c
        .challenge_with_recovery_code(&id, &user.recovery_codes[0])
        .await;

    // Assert
    let body = expect_json(resp, 200).await;
    assert_eq!(body["recovery_codes_remaining"], 9, "{body}");
    assert_ended("jar A", &a).await;
    assert_ended("bearer token M", &m).await;
    expect_json(c.me().await, 200).await;
}

#[tokio::test]
async fn a_user_lists_their_sessions_and_ends_the_others() {
    // Arrange
    let app = spawn_app().await;
    let user = app.setup_user().await;
    let (name, pw) = (user.username.as_str(), user.password.as_str());
    let a = app.new_client();
    let b = app.new_client();
    expect_json(a.login(name, pw).await, 200).await;
    expect_json(b.login(name, pw).await, 200).await;
    let m = app.bearer_client(&password_token(&app, name, pw).await);

    // Act
    let listed = expect_json(a.get("/api/me/sessions").await, 200).await;
    let revoke = a
        .request(reqwest::Method::POST, "/api/me/sessions/revoke-others")
        .send()
        .await
        .expect("answer");

    // Assert
    let sessions = listed["sessions"].as_array().expect("sessions array");
    assert_eq!(sessions.len(), 3, "A, B and M: {listed}");
    let text = listed.to_string();
    for secret in [a.session_cookie(), b.session_cookie()]
        .into_iter()
        .flatten()
    {
        assert!(!text.contains(&secret), "a session id in clear: {text}");
    }
    assert!(
        revoke.status().is_success(),
        "revoke-others: {}",
        revoke.status()
    );
    assert_ended("jar B", &b).await;
    assert_ended("bearer token M", &m).await;
    let after = expect_json(a.get("/api/me/sessions").await, 200).await;
    assert_eq!(
        after["sessions"].as_array().map(Vec::len),
        Some(1),
        "{after}"
    );
    let _: Value = expect_json(a.me().await, 200).await;
}
