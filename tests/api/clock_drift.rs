//! Enrolment tells a user whose phone clock is off by up to 10 minutes by how much
//! (`clock_drift` with `drift_seconds`); that answer counts as a wrong code, and sign-in and
//! disable never give it (it would be an oracle for a code guesser).

use serde_json::Value;

use crate::client::{assert_error, expect_json};
use crate::helpers::{aligned_now, spawn_app, spawn_app_with, TestApp, RELAXED_THROTTLES};
use crate::tools::totp_at;

/// Logs the default client in (password only) and starts enrolment: the pending secret.
async fn pending_secret(app: &TestApp) -> String {
    app.set_clock(aligned_now()).await;
    let user = app.setup_user().await;
    expect_json(app.client.login(&user.username, &user.password).await, 200).await;
    let body = expect_json(app.client.enable(&user.password).await, 200).await;
    body["secret"].as_str().expect("secret").replace(' ', "")
}

/// The code a phone whose clock is `offset` seconds off the server's shows now.
fn code_from_phone(app: &TestApp, secret: &str, offset: i64) -> String {
    totp_at(secret, app.now() + offset)
}

async fn enroll_failure_reasons(app: &TestApp) -> Vec<String> {
    let body = expect_json(app.client.get("/api/me/events").await, 200).await;
    body["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["event"] == "2fa.enroll.failed")
        .map(|e| e["reason"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn drift_of(body: &Value) -> Option<i64> {
    body["error"]
        .get("drift_seconds")
        .map(|v| v.as_i64().expect("integer drift_seconds"))
}

#[tokio::test]
async fn a_phone_ahead_or_behind_gets_clock_drift_with_the_exact_offset() {
    // Arrange: the clock stands 10 s into a step, so offsets in whole steps keep that phase.
    let app = spawn_app().await;
    let secret = pending_secret(&app).await;

    // Act
    let ahead = app
        .client
        .verify(&code_from_phone(&app, &secret, 210))
        .await;
    let ahead = assert_error(ahead, 401, "clock_drift").await;
    let behind = app
        .client
        .verify(&code_from_phone(&app, &secret, -300))
        .await;
    let behind = assert_error(behind, 401, "clock_drift").await;
    let edge = app
        .client
        .verify(&code_from_phone(&app, &secret, 600))
        .await;
    let edge = assert_error(edge, 401, "clock_drift").await;
    let ok = app.client.verify(&app.code_now(&secret)).await;

    // Assert
    assert_eq!(drift_of(&ahead), Some(210), "{ahead}");
    let message = ahead["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("3 min 30 s ahead of this server"),
        "{message}"
    );
    assert!(message.contains("automatic"), "{message}");
    assert_eq!(drift_of(&behind), Some(-300), "{behind}");
    let message = behind["error"]["message"].as_str().unwrap();
    assert!(message.contains("5 min behind this server"), "{message}");
    assert_eq!(drift_of(&edge), Some(600), "{edge}");
    let codes = expect_json(ok, 200).await;
    assert_eq!(codes["recovery_codes"].as_array().map(Vec::len), Some(10));
    assert_eq!(
        enroll_failure_reasons(&app).await,
        ["clock_drift", "clock_drift", "clock_drift"]
    );
}

#[tokio::test]
async fn a_phone_off_by_more_than_ten_minutes_gets_a_plain_invalid_code() {
    // Arrange
    let app = spawn_app().await;
    let secret = pending_secret(&app).await;

    // Act + Assert: 21 steps and 15 minutes either way are not diagnosed.
    for offset in [630, -630, 900, -900] {
        let resp = app
            .client
            .verify(&code_from_phone(&app, &secret, offset))
            .await;
        let body = assert_error(resp, 401, "invalid_code").await;
        assert_eq!(drift_of(&body), None, "offset {offset}: {body}");
    }
    let me = expect_json(app.client.me().await, 200).await;
    assert_eq!(me["two_factor"]["enabled"], false);
    assert_eq!(enroll_failure_reasons(&app).await, ["invalid_code"; 4]);
}

#[tokio::test]
async fn one_step_off_is_still_accepted_not_diagnosed() {
    // Arrange
    let app = spawn_app().await;
    let secret = pending_secret(&app).await;

    // Act
    let resp = app.client.verify(&code_from_phone(&app, &secret, 30)).await;

    // Assert
    let codes = expect_json(resp, 200).await;
    assert_eq!(codes["recovery_codes"].as_array().map(Vec::len), Some(10));
}

#[tokio::test]
async fn a_clock_drift_answer_counts_toward_the_account_lock() {
    // Arrange: the account locks at the third second-factor failure.
    let limits: Vec<(&str, &str)> = RELAXED_THROTTLES
        .into_iter()
        .map(|(k, v)| {
            (
                k,
                if k == "TWOFA_ACCOUNT_FAILURE_LIMIT" {
                    "3"
                } else {
                    v
                },
            )
        })
        .collect();
    let app = spawn_app_with(&limits).await;
    let secret = pending_secret(&app).await;
    for offset in [120, 150, 180] {
        let resp = app
            .client
            .verify(&code_from_phone(&app, &secret, offset))
            .await;
        assert_error(resp, 401, "clock_drift").await;
    }

    // Act: the right code now.
    let resp = app.client.verify(&app.code_now(&secret)).await;

    // Assert
    assert_error(resp, 429, "account_locked").await;
    let me = expect_json(app.client.me().await, 200).await;
    assert_eq!(me["two_factor"]["enabled"], false);
}

#[tokio::test]
async fn sign_in_regenerate_and_disable_never_say_clock_drift() {
    // Arrange
    let app = spawn_app().await;
    let user = app.enrolled_user().await;
    let (name, pw) = (user.username.as_str(), user.password.as_str());
    let drifted = totp_at(&user.secret, app.now() + 210);

    // Act
    let id = app.client.start_challenge(name, pw).await;
    let at_login = app.client.challenge_with_code(&id, &drifted).await;
    let at_login = assert_error(at_login, 401, "invalid_code").await;
    let ok = app
        .client
        .challenge_with_code(&id, &app.code_now(&user.secret))
        .await;
    expect_json(ok, 200).await;
    app.advance_clock(30).await;
    let drifted = totp_at(&user.secret, app.now() + 420);
    let at_regenerate = app.client.regenerate_recovery_codes(pw, &drifted).await;
    let at_regenerate = assert_error(at_regenerate, 401, "invalid_code").await;
    let drifted = totp_at(&user.secret, app.now() - 300);
    let at_disable = app.client.disable_with_code(pw, &drifted).await;
    let at_disable = assert_error(at_disable, 401, "invalid_code").await;

    // Assert
    assert_eq!(drift_of(&at_login), None, "{at_login}");
    assert_eq!(drift_of(&at_regenerate), None, "{at_regenerate}");
    assert_eq!(drift_of(&at_disable), None, "{at_disable}");
    let me = expect_json(app.client.me().await, 200).await;
    assert_eq!(me["two_factor"]["enabled"], true);
}

#[tokio::test]
async fn enable_returns_the_server_time() {
    // Arrange
    let app = spawn_app().await;
    app.set_clock(1_800_000_010).await;
    let user = app.setup_user().await;
    expect_json(app.client.login(&user.username, &user.password).await, 200).await;

    // Act
    let body = expect_json(app.client.enable(&user.password).await, 200).await;

    // Assert
    assert_eq!(body["server_time"], "2027-01-15T08:00:10Z", "{body}");
}
