//! Turning 2FA off needs the password and a second factor, and really removes the factor.

use crate::client::{assert_error, expect_json};
use crate::helpers::{spawn_app, STEP};
use crate::tools::wrong_code;

#[tokio::test]
async fn disable_refuses_a_wrong_password_without_spending_the_code() {
    // Arrange
    let app = spawn_app().await;
    let user = app.enrolled_user().await;
    app.client
        .sign_in(&user.username, &user.password, &app.code_now(&user.secret))
        .await;
    app.advance_clock(STEP).await;
    let code = app.code_now(&user.secret);

    // Act
    let wrong_password = app
        .client
        .disable_with_code("not the password", &code)
        .await;
    let wrong = app
        .client
        .disable_with_code(&user.password, &wrong_code(&user.secret, app.now()))
        .await;

    // Assert
    assert_error(wrong_password, 401, "invalid_credentials").await;
    assert_error(wrong, 401, "invalid_code").await;
    let off = expect_json(
        app.client.disable_with_code(&user.password, &code).await,
        200,
    )
    .await;
    assert_eq!(off["two_factor"]["enabled"], false);
}

#[tokio::test]
async fn disable_with_a_recovery_code_removes_the_factor() {
    // Arrange
    let app = spawn_app().await;
    let user = app.enrolled_user().await;
    app.client
        .sign_in(&user.username, &user.password, &app.code_now(&user.secret))
        .await;

    // Act
    let resp = app
        .client
        .disable_with_recovery_code(&user.password, &user.recovery_codes[9])
        .await;

    // Assert
    assert_eq!(expect_json(resp, 200).await["two_factor"]["enabled"], false);
    let login = app.new_client().login(&user.username, &user.password).await;
    assert_eq!(expect_json(login, 200).await["status"], "authenticated");
    let again = app.client.disable_with_code(&user.password, "123456").await;
    assert_error(again, 409, "totp_not_enabled").await;
}

#[tokio::test]
async fn re_enabling_after_disable_makes_the_old_secret_and_codes_useless() {
    // Arrange
    let app = spawn_app().await;
    let old = app.enrolled_user().await;
    let c = &app.client;
    c.sign_in(&old.username, &old.password, &app.code_now(&old.secret))
        .await;
    app.advance_clock(STEP).await;
    expect_json(
        c.disable_with_code(&old.password, &app.code_now(&old.secret))
            .await,
        200,
    )
    .await;

    // Act
    let pending = expect_json(c.enable(&old.password).await, 200).await;
    let secret = pending["secret"].as_str().expect("secret").replace(' ', "");
    app.advance_clock(STEP).await;
    expect_json(c.verify(&app.code_now(&secret)).await, 200).await;
    app.advance_clock(STEP).await;

    // Assert
    assert_ne!(secret, old.secret);
    let other = app.new_client();
    let id = other.start_challenge(&old.username, &old.password).await;
    let old_totp = other
        .challenge_with_code(&id, &app.code_now(&old.secret))
        .await;
    assert_error(old_totp, 401, "invalid_code").await;
    let old_recovery = other
        .challenge_with_recovery_code(&id, &old.recovery_codes[0])
        .await;
    assert_error(old_recovery, 401, "invalid_code").await;
    other
        .sign_in(&old.username, &old.password, &app.code_now(&secret))
        .await;
}
