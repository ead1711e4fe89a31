//! The login challenge: five minutes, five tries, one use.

use crate::client::{assert_error, expect_json};
use crate::helpers::{spawn_app, STEP};
use crate::tools::wrong_code;

#[tokio::test]
async fn a_challenge_answered_after_five_minutes_and_one_second_is_invalid() {
    // Arrange
    let app = spawn_app().await;
    let user = app.enrolled_user().await;
    let id = app
        .client
        .start_challenge(&user.username, &user.password)
        .await;

    // Act
    app.advance_clock(5 * 60 + 1).await;
    let resp = app
        .client
        .challenge_with_code(&id, &app.code_now(&user.secret))
        .await;

    // Assert
    assert_error(resp, 401, "challenge_invalid").await;
    assert_error(app.client.me().await, 401, "unauthenticated").await;
}

#[tokio::test]
async fn a_challenge_answered_after_four_minutes_fifty_nine_seconds_opens_a_session() {
    // Arrange
    let app = spawn_app().await;
    let user = app.enrolled_user().await;
    let id = app
        .client
        .start_challenge(&user.username, &user.password)
        .await;

    // Act
    app.advance_clock(5 * 60 - 1).await;
    let resp = app
        .client
        .challenge_with_code(&id, &app.code_now(&user.secret))
        .await;

    // Assert
    assert_eq!(expect_json(resp, 200).await["status"], "authenticated");
    expect_json(app.client.me().await, 200).await;
}

#[tokio::test]
async fn a_challenge_is_burned_after_five_wrong_codes() {
    // Arrange
    let app = spawn_app().await;
    let user = app.enrolled_user().await;
    let id = app
        .client
        .start_challenge(&user.username, &user.password)
        .await;
    let wrong = wrong_code(&user.secret, app.now());

    // Act
    for _ in 0..5 {
        let resp = app.client.challenge_with_code(&id, &wrong).await;
        assert_error(resp, 401, "invalid_code").await;
    }
    let right = app
        .client
        .challenge_with_code(&id, &app.code_now(&user.secret))
        .await;

    // Assert
    assert_error(right, 401, "challenge_invalid").await;
    assert_error(app.client.me().await, 401, "unauthenticated").await;
    // The account itself is not locked: a new challenge with the same code works.
    let fresh = app
        .client
        .start_challenge(&user.username, &user.password)
        .await;
    let resp = app
        .client
        .challenge_with_code(&fresh, &app.code_now(&user.secret))
        .await;
    expect_json(resp, 200).await;
}

#[tokio::test]
async fn a_challenge_can_be_used_only_once() {
    // Arrange
    let app = spawn_app().await;
    let user = app.enrolled_user().await;
    let id = app
        .client
        .start_challenge(&user.username, &user.password)
        .await;
    let first = app
        .client
        .challenge_with_code(&id, &app.code_now(&user.secret))
        .await;
    expect_json(first, 200).await;

    // Act: the next step's code, on another client, with the consumed id.
    app.advance_clock(STEP).await;
    let other = app.new_client();
    let second = other
        .challenge_with_code(&id, &app.code_now(&user.secret))
        .await;

    // Assert
    assert_error(second, 401, "challenge_invalid").await;
    assert_error(other.me().await, 401, "unauthenticated").await;
}

#[tokio::test]
async fn an_unknown_challenge_id_is_invalid() {
    // Arrange
    let app = spawn_app().await;
    let user = app.enrolled_user().await;
    let forged = "A".repeat(43);

    // Act
    let resp = app
        .client
        .challenge_with_code(&forged, &app.code_now(&user.secret))
        .await;

    // Assert
    assert_error(resp, 401, "challenge_invalid").await;
    // The code was not spent on the forged challenge.
    app.client
        .sign_in(&user.username, &user.password, &app.code_now(&user.secret))
        .await;
}
