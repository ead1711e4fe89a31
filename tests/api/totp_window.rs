//! Which time steps a code may come from (T-1, T, T+1) and the replay rule across steps and
//! endpoints.

use crate::client::{assert_error, expect_json};
use crate::helpers::{spawn_app, STEP};
use crate::tools::totp_at;

#[tokio::test]
async fn codes_one_step_either_side_are_accepted_and_two_steps_away_are_refused() {
    // Arrange: enrolment used an early step; the clock now stands ten steps later.
    let app = spawn_app().await;
    let user = app.enrolled_user().await;
    app.advance_clock(10 * STEP).await;
    let t = app.now();
    let at = |k: i64| totp_at(&user.secret, t + k * STEP);

    // Act + Assert: the far steps first, while no later step has been used.
    let id = app
        .client
        .start_challenge(&user.username, &user.password)
        .await;
    assert_error(
        app.client.challenge_with_code(&id, &at(-2)).await,
        401,
        "invalid_code",
    )
    .await;
    assert_error(
        app.client.challenge_with_code(&id, &at(2)).await,
        401,
        "invalid_code",
    )
    .await;
    for k in [-1, 0, 1] {
        let client = app.new_client();
        let id = client.start_challenge(&user.username, &user.password).await;
        let resp = client.challenge_with_code(&id, &at(k)).await;
        assert_eq!(resp.status(), 200, "step T{k:+} must be accepted");
    }
}

#[tokio::test]
async fn an_older_code_after_a_newer_one_is_a_replay() {
    // Arrange
    let app = spawn_app().await;
    let user = app.enrolled_user().await;
    let t = app.now();
    app.client
        .sign_in(
            &user.username,
            &user.password,
            &totp_at(&user.secret, t + STEP),
        )
        .await;

    // Act
    let other = app.new_client();
    let id = other.start_challenge(&user.username, &user.password).await;
    let resp = other
        .challenge_with_code(&id, &totp_at(&user.secret, t))
        .await;

    // Assert
    assert_error(resp, 401, "totp_replayed").await;
}

#[tokio::test]
async fn a_code_used_to_log_in_is_refused_by_disable() {
    // Arrange
    let app = spawn_app().await;
    let user = app.enrolled_user().await;
    let code = app.code_now(&user.secret);
    app.client
        .sign_in(&user.username, &user.password, &code)
        .await;

    // Act
    let resp = app.client.disable_with_code(&user.password, &code).await;

    // Assert
    assert_error(resp, 401, "totp_replayed").await;
    let me = expect_json(app.client.me().await, 200).await;
    assert_eq!(me["two_factor"]["enabled"], true, "2FA stays on: {me}");
}
