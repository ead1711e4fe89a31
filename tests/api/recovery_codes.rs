//! Regenerating recovery codes replaces the whole set.

use crate::client::{assert_error, expect_json};
use crate::helpers::{spawn_app, STEP};

#[tokio::test]
async fn regenerating_recovery_codes_invalidates_the_old_set() {
    // Arrange
    let app = spawn_app().await;
    let user = app.enrolled_user().await;
    let (name, pw) = (user.username.as_str(), user.password.as_str());
    app.client
        .sign_in(name, pw, &app.code_now(&user.secret))
        .await;
    app.advance_clock(STEP).await;

    // Act
    let resp = app
        .client
        .regenerate_recovery_codes(pw, &app.code_now(&user.secret))
        .await;

    // Assert
    assert_eq!(
        resp.headers()
            .get("cache-control")
            .map(|v| v.to_str().unwrap_or("")),
        Some("no-store")
    );
    let fresh: Vec<String> =
        serde_json::from_value(expect_json(resp, 200).await["recovery_codes"].clone())
            .expect("10 strings");
    assert_eq!(fresh.len(), 10);
    assert!(fresh.iter().all(|c| !user.recovery_codes.contains(c)));
    let other = app.new_client();
    let id = other.start_challenge(name, pw).await;
    let old = other
        .challenge_with_recovery_code(&id, &user.recovery_codes[0])
        .await;
    assert_error(old, 401, "invalid_code").await;
    let new = other.challenge_with_recovery_code(&id, &fresh[0]).await;
    assert_eq!(expect_json(new, 200).await["recovery_codes_remaining"], 9);
}

#[tokio::test]
async fn regenerating_recovery_codes_needs_the_password_and_a_current_code() {
    // Arrange
    let app = spawn_app().await;
    let user = app.enrolled_user().await;
    let (name, pw) = (user.username.as_str(), user.password.as_str());
    app.client
        .sign_in(name, pw, &app.code_now(&user.secret))
        .await;
    app.advance_clock(STEP).await;
    let code = app.code_now(&user.secret);

    // Act
    let wrong_password = app
        .client
        .regenerate_recovery_codes("nope nope nope", &code)
        .await;
    let no_code = app
        .client
        .post(
            "/api/2fa/recovery-codes",
            serde_json::json!({"password": pw}),
        )
        .await;

    // Assert
    assert_error(wrong_password, 401, "invalid_credentials").await;
    assert_error(no_code, 400, "invalid_request").await;
    let me = expect_json(app.client.me().await, 200).await;
    assert_eq!(me["two_factor"]["recovery_codes_remaining"], 10);
}
