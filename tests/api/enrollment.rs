//! Turning 2FA on: a pending secret that expires, is replaced by a second enable, and becomes
//! active only through `verify`.

use crate::client::{assert_error, expect_json, Client};
use crate::helpers::{aligned_now, spawn_app, TestApp, TestUser};
use crate::tools::totp_at;

/// A user logged in with the password only, on the default client, clock pinned.
async fn logged_in_user(app: &TestApp) -> TestUser {
    app.set_clock(aligned_now()).await;
    let user = app.setup_user().await;
    let login = expect_json(app.client.login(&user.username, &user.password).await, 200).await;
    assert_eq!(login["status"], "authenticated");
    user
}

async fn pending_secret(client: &Client, password: &str) -> String {
    let body = expect_json(client.enable(password).await, 200).await;
    body["secret"].as_str().expect("secret").replace(' ', "")
}

#[tokio::test]
async fn a_pending_enrollment_expires_after_ten_minutes() {
    // Arrange
    let app = spawn_app().await;
    let user = logged_in_user(&app).await;
    let secret = pending_secret(&app.client, &user.password).await;

    // Act
    app.advance_clock(11 * 60).await;
    let resp = app.client.verify(&app.code_now(&secret)).await;

    // Assert
    assert_error(resp, 410, "enrollment_expired").await;
    let me = expect_json(app.client.me().await, 200).await;
    assert_eq!(me["two_factor"]["enabled"], false);
}

#[tokio::test]
async fn a_second_enable_replaces_the_first_pending_secret() {
    // Arrange
    let app = spawn_app().await;
    let user = logged_in_user(&app).await;
    let first = pending_secret(&app.client, &user.password).await;
    let second = pending_secret(&app.client, &user.password).await;
    assert_ne!(first, second, "each enable draws a new secret");

    // Act
    let with_first = app.client.verify(&app.code_now(&first)).await;
    let with_second = app.client.verify(&app.code_now(&second)).await;

    // Assert
    assert_error(with_first, 401, "invalid_code").await;
    let codes = expect_json(with_second, 200).await;
    assert_eq!(codes["recovery_codes"].as_array().map(Vec::len), Some(10));
}

#[tokio::test]
async fn enable_is_refused_while_two_factor_is_active() {
    // Arrange
    let app = spawn_app().await;
    let user = app.enrolled_user().await;
    app.client
        .sign_in(&user.username, &user.password, &app.code_now(&user.secret))
        .await;

    // Act
    let resp = app.client.enable(&user.password).await;

    // Assert: the active secret is untouched.
    assert_error(resp, 409, "totp_already_enabled").await;
    app.advance_clock(30).await;
    app.new_client()
        .sign_in(&user.username, &user.password, &app.code_now(&user.secret))
        .await;
}

#[tokio::test]
async fn verify_without_a_pending_enrollment_is_a_conflict() {
    // Arrange
    let app = spawn_app().await;
    logged_in_user(&app).await;

    // Act
    let resp = app.client.verify("123456").await;

    // Assert
    assert_error(resp, 409, "no_pending_enrollment").await;
}

#[tokio::test]
async fn enable_with_a_wrong_password_is_refused() {
    // Arrange
    let app = spawn_app().await;
    logged_in_user(&app).await;

    // Act
    let resp = app.client.enable("not the password").await;

    // Assert
    assert_error(resp, 401, "invalid_credentials").await;
    assert_error(
        app.client.verify("123456").await,
        409,
        "no_pending_enrollment",
    )
    .await;
}

#[tokio::test]
async fn recovery_codes_have_the_documented_format_and_are_distinct() {
    // Arrange
    let app = spawn_app().await;

    // Act
    let user = app.enrolled_user().await;

    // Assert
    let alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    for code in &user.recovery_codes {
        let groups: Vec<&str> = code.split('-').collect();
        assert_eq!(groups.len(), 4, "{code}");
        assert!(groups.iter().all(|g| g.len() == 4), "{code}");
        assert!(
            groups.concat().chars().all(|c| alphabet.contains(c)),
            "{code}"
        );
    }
    let mut unique = user.recovery_codes.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 10);
}

#[tokio::test]
async fn verify_ends_the_users_password_only_sessions() {
    // Arrange
    let app = spawn_app().await;
    let user = logged_in_user(&app).await;
    let other = app.new_client();
    expect_json(other.login(&user.username, &user.password).await, 200).await;
    let secret = pending_secret(&app.client, &user.password).await;

    // Act
    let resp = app.client.verify(&totp_at(&secret, app.now())).await;

    // Assert
    expect_json(resp, 200).await;
    assert_error(other.me().await, 401, "unauthenticated").await;
    let me = expect_json(app.client.me().await, 200).await;
    assert_eq!(me["two_factor"]["enabled"], true);
}
