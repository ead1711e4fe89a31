//! Throttles kept in the database: per account (a lock that ends by itself), per client IP, and
//! per (username, client IP) and per client IP on the password step (the same for names that do
//! not exist).

use reqwest::header::RETRY_AFTER;
use reqwest::{Method, Response};
use serde_json::json;

use crate::client::{assert_error, expect_json, Client};
use crate::helpers::{aligned_now, spawn_app_with};
use crate::tools::wrong_code;

fn retry_after(resp: &Response) -> u64 {
    resp.headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok()?.parse().ok())
        .expect("429 carries Retry-After in seconds")
}

#[tokio::test]
async fn ten_second_factor_failures_lock_the_account_until_the_lock_ends() {
    // Arrange: production defaults (10 failures, 300 s lock).
    let app = spawn_app_with(&[]).await;
    let user = app.enrolled_user().await;
    let (name, pw) = (user.username.as_str(), user.password.as_str());
    let wrong = wrong_code(&user.secret, app.now());
    let jars = [app.new_client(), app.new_client()];
    for (round, tries) in [4, 3, 3].into_iter().enumerate() {
        let jar = &jars[round % 2];
        let id = jar.start_challenge(name, pw).await;
        for _ in 0..tries {
            assert_error(
                jar.challenge_with_code(&id, &wrong).await,
                401,
                "invalid_code",
            )
            .await;
        }
    }

    // Act
    let id = jars[0].start_challenge(name, pw).await;
    let locked = jars[0]
        .challenge_with_code(&id, &app.code_now(&user.secret))
        .await;

    // Assert
    let wait = retry_after(&locked);
    assert!((1..=300).contains(&wait), "Retry-After {wait}");
    assert_error(locked, 429, "account_locked").await;
    app.advance_clock(301).await;
    jars[1].sign_in(name, pw, &app.code_now(&user.secret)).await;
}

#[tokio::test]
async fn second_factor_failures_from_one_ip_are_throttled() {
    // Arrange
    let app = spawn_app_with(&[("TWOFA_IP_FAILURE_LIMIT", "3")]).await;
    let user = app.enrolled_user().await;
    let (name, pw) = (user.username.as_str(), user.password.as_str());
    let wrong = wrong_code(&user.secret, app.now());
    let id = app.client.start_challenge(name, pw).await;
    for _ in 0..3 {
        assert_error(
            app.client.challenge_with_code(&id, &wrong).await,
            401,
            "invalid_code",
        )
        .await;
    }

    // Act: a fresh challenge and the right code, with a forged client address.
    let other = app.new_client();
    let id = other.start_challenge(name, pw).await;
    let resp = other
        .request(reqwest::Method::POST, "/api/login/challenge")
        .header("X-Forwarded-For", "203.0.113.9")
        .json(&serde_json::json!({"challenge_id": id, "code": app.code_now(&user.secret)}))
        .send()
        .await
        .expect("answer");

    // Assert
    assert!(retry_after(&resp) > 0);
    assert_error(resp, 429, "too_many_attempts").await;
}

#[tokio::test]
async fn password_failures_are_throttled_alike_for_unknown_and_known_users() {
    // Arrange
    let app = spawn_app_with(&[("TWOFA_LOGIN_FAILURE_LIMIT", "3")]).await;
    // A still clock: both windows open at the same second, so Retry-After can be compared.
    app.set_clock(aligned_now()).await;
    let user = app.setup_user().await;
    for name in ["ghost", user.username.as_str()] {
        for _ in 0..3 {
            let resp = app.client.login(name, "wrong password 000").await;
            assert_error(resp, 401, "invalid_credentials").await;
        }
    }

    // Act
    let ghost = app.client.login("ghost", "wrong password 000").await;
    let known = app.client.login(&user.username, "wrong password 000").await;

    // Assert
    assert_eq!(retry_after(&ghost), retry_after(&known));
    let ghost = assert_error(ghost, 429, "too_many_attempts").await;
    let known = assert_error(known, 429, "too_many_attempts").await;
    assert_eq!(ghost, known);
    let right = app.client.login(&user.username, &user.password).await;
    assert_error(right, 429, "too_many_attempts").await;
}

async fn login_from(client: &Client, ip: &str, username: &str, password: &str) -> Response {
    client
        .request(Method::POST, "/api/login")
        .header("X-Forwarded-For", ip)
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .expect("answer")
}

#[tokio::test]
async fn a_strangers_password_failures_do_not_lock_the_owner_out_from_her_own_ip() {
    // Arrange: production limits; the test client reaches the server through a trusted proxy.
    let app = spawn_app_with(&[("TWOFA_TRUSTED_PROXIES", "127.0.0.1")]).await;
    let user = app.setup_user().await;
    let attacker = "198.51.100.7";
    for _ in 0..20 {
        let resp = login_from(&app.client, attacker, &user.username, "wrong password 000").await;
        assert_error(resp, 401, "invalid_credentials").await;
    }
    let refused = login_from(&app.client, attacker, &user.username, &user.password).await;
    assert_error(refused, 429, "too_many_attempts").await;

    // Act
    let owner = app.new_client();
    let resp = login_from(&owner, "203.0.113.20", &user.username, &user.password).await;

    // Assert
    let body = expect_json(resp, 200).await;
    assert_eq!(body["user"]["username"], user.username.as_str());
}

#[tokio::test]
async fn password_spraying_from_one_ip_is_throttled_across_usernames() {
    // Arrange
    let app = spawn_app_with(&[
        ("TWOFA_TRUSTED_PROXIES", "127.0.0.1"),
        ("TWOFA_LOGIN_IP_FAILURE_LIMIT", "5"),
    ])
    .await;
    let user = app.setup_user().await;
    let sprayer = "198.51.100.8";
    for i in 0..5 {
        let resp = login_from(&app.client, sprayer, &format!("user{i}"), "Winter2026!pw").await;
        assert_error(resp, 401, "invalid_credentials").await;
    }

    // Act: a sixth, untouched username from the same IP, then the owner from elsewhere.
    let sixth = login_from(&app.client, sprayer, "user5", "Winter2026!pw").await;
    let owner = login_from(
        &app.new_client(),
        "203.0.113.21",
        &user.username,
        &user.password,
    )
    .await;

    // Assert
    assert!(retry_after(&sixth) > 0);
    assert_error(sixth, 429, "too_many_attempts").await;
    expect_json(owner, 200).await;
}
