//! Throttles an attacker cannot turn against the real user: the account lock ends by itself and
//! is not extended by more failures, even after 100 of them (checklist 22); a stranger without
//! the password cannot lock the second factor, and the password throttle ends too (22, 64);
//! the per-IP limit spans accounts and ignores `X-Forwarded-For` (24).

use reqwest::{Method, Response};
use serde_json::json;

use crate::attack_helpers::{enrolled_users, outcome, retry_after, PASSWORD};
use crate::client::{assert_error, expect_json, Client};
use crate::helpers::{aligned_now, spawn_app_with, STEP};
use crate::tools::wrong_code;

/// NIST SP 800-63B §5.2.2: waits of up to an hour; a longer lock is a denial of service.
const MAX_LOCK_SECS: u64 = 3600;

/// Both steps with `code`; the password step's own answer when it refuses (a server may report
/// the lock there already).
async fn attempt(client: &Client, name: &str, pw: &str, code: &str) -> Response {
    let login = client.login(name, pw).await;
    if login.status() != 200 {
        return login;
    }
    let body = expect_json(login, 200).await;
    let id = body["challenge_id"].as_str().expect("challenge_id");
    client.challenge_with_code(id, code).await
}

#[tokio::test]
async fn hammering_a_locked_account_neither_extends_the_lock_nor_makes_it_permanent() {
    // Arrange: production account limits (10 failures, 300 s), the IP limit out of the way.
    let app = spawn_app_with(&[("TWOFA_IP_FAILURE_LIMIT", "100000")]).await;
    let user = app.enrolled_user().await;
    let (name, pw) = (user.username.as_str(), user.password.as_str());
    let attacker = app.new_client();

    for round in 0..10 {
        // Act: ten wrong codes over two challenges lock the account...
        for _ in 0..2 {
            let id = attacker.start_challenge(name, pw).await;
            for _ in 0..5 {
                let wrong = wrong_code(&user.secret, app.now());
                let got = outcome(attacker.challenge_with_code(&id, &wrong).await).await;
                assert_eq!(got, "401 invalid_code", "round {round}");
            }
        }
        let locked = attempt(&attacker, name, pw, &wrong_code(&user.secret, app.now())).await;
        let first_wait = retry_after(&locked);
        assert!(
            (1..=MAX_LOCK_SECS).contains(&first_wait),
            "Retry-After {first_wait}"
        );
        assert_error(locked, 429, "account_locked").await;

        // ...and more failures during the lock do not push its end further out.
        let mut waited = 0;
        while waited + 60 < first_wait {
            app.advance_clock(60).await;
            waited += 60;
            let resp = attempt(&attacker, name, pw, &wrong_code(&user.secret, app.now())).await;
            let wait = retry_after(&resp);
            assert!(
                wait <= first_wait - waited,
                "lock extended to {wait} s (round {round})"
            );
            assert_error(resp, 429, "account_locked").await;
        }
        app.advance_clock((first_wait - waited + 1) as i64).await;
    }

    // Assert: after 100+ failures the real user still gets in with the right code, first try.
    app.advance_clock(STEP).await;
    app.new_client()
        .sign_in(name, pw, &app.code_now(&user.secret))
        .await;
}

#[tokio::test]
async fn a_stranger_without_the_password_cannot_lock_the_second_factor() {
    // Arrange: the password throttle out of the way, account limits at production values.
    let app = spawn_app_with(&[
        ("TWOFA_LOGIN_FAILURE_LIMIT", "100000"),
        ("TWOFA_IP_FAILURE_LIMIT", "100000"),
    ])
    .await;
    let user = app.enrolled_user().await;
    let stranger = app.new_client();

    // Act: many wrong passwords, and challenge ids made up.
    for i in 0..30 {
        let resp = stranger
            .login(&user.username, &format!("guess number {i:04}"))
            .await;
        assert_error(resp, 401, "invalid_credentials").await;
        let made_up = format!("{:032x}", rand::random::<u128>());
        let resp = stranger
            .challenge_with_code(&made_up, &wrong_code(&user.secret, app.now()))
            .await;
        assert_error(resp, 401, "challenge_invalid").await;
    }

    // Assert
    app.new_client()
        .sign_in(&user.username, &user.password, &app.code_now(&user.secret))
        .await;
}

#[tokio::test]
async fn the_password_throttle_ends_by_itself_under_continued_attack() {
    // Arrange
    let app = spawn_app_with(&[("TWOFA_LOGIN_FAILURE_LIMIT", "3")]).await;
    app.set_clock(aligned_now()).await;
    let user = app.setup_user().await;
    let stranger = app.new_client();
    for _ in 0..3 {
        let resp = stranger.login(&user.username, "wrong password 000").await;
        assert_error(resp, 401, "invalid_credentials").await;
    }
    let resp = stranger.login(&user.username, "wrong password 000").await;
    let first_wait = retry_after(&resp);
    assert!((1..=600).contains(&first_wait), "Retry-After {first_wait}");
    assert_error(resp, 429, "too_many_attempts").await;

    // Act: the stranger keeps trying every 30 s while throttled.
    let mut waited = 0;
    while waited + 30 < first_wait {
        app.advance_clock(30).await;
        waited += 30;
        let resp = stranger.login(&user.username, "wrong password 000").await;
        let wait = retry_after(&resp);
        assert!(wait <= first_wait - waited, "throttle extended to {wait} s");
        assert_error(resp, 429, "too_many_attempts").await;
    }
    app.advance_clock((first_wait - waited + 1) as i64).await;

    // Assert
    let body = expect_json(
        app.new_client().login(&user.username, &user.password).await,
        200,
    )
    .await;
    assert_eq!(body["status"], "authenticated", "{body}");
}

#[tokio::test]
async fn second_factor_failures_across_accounts_from_one_ip_are_throttled_whatever_xff_says() {
    // Arrange: an IP limit of 5; account limits out of the way.
    let app = spawn_app_with(&[
        ("TWOFA_IP_FAILURE_LIMIT", "5"),
        ("TWOFA_ACCOUNT_FAILURE_LIMIT", "100000"),
        ("TWOFA_LOGIN_FAILURE_LIMIT", "100000"),
    ])
    .await;
    let users = enrolled_users(&app, 2).await;
    let attacker = app.new_client();
    let answer = |id: &str, code: &str, n: u32| {
        attacker
            .request(Method::POST, "/api/login/challenge")
            .header("X-Forwarded-For", format!("198.51.100.{n}"))
            .header("X-Real-IP", format!("198.51.100.{n}"))
            .header("Forwarded", format!("for=198.51.100.{n}"))
            .json(&json!({"challenge_id": id, "code": code}))
            .send()
    };

    // Act: five failures spread over three accounts, each claiming another client address.
    let mut n = 1;
    for (user, tries) in users.iter().zip([2, 2, 1]) {
        let id = attacker.start_challenge(&user.username, PASSWORD).await;
        for _ in 0..tries {
            let wrong = wrong_code(&user.secret, app.now());
            let got = outcome(answer(&id, &wrong, n).await.expect("answer")).await;
            assert_eq!(got, "401 invalid_code");
            n += 1;
        }
    }
    let last = &users[2];
    let id = attacker.start_challenge(&last.username, PASSWORD).await;
    let resp = answer(&id, &app.code_now(&last.secret), n)
        .await
        .expect("answer");

    // Assert
    assert!(retry_after(&resp) > 0);
    assert_error(resp, 429, "too_many_attempts").await;
}

#[tokio::test]
async fn behind_a_configured_proxy_the_ip_limit_follows_the_forwarded_client() {
    // Arrange: the test client plays the reverse proxy at 127.0.0.1.
    let app = spawn_app_with(&[
        ("TWOFA_TRUSTED_PROXIES", "127.0.0.1"),
        ("TWOFA_IP_FAILURE_LIMIT", "3"),
        ("TWOFA_ACCOUNT_FAILURE_LIMIT", "100000"),
        ("TWOFA_LOGIN_FAILURE_LIMIT", "100000"),
    ])
    .await;
    let user = app.enrolled_user().await;
    let (name, pw) = (user.username.as_str(), user.password.as_str());
    let via_proxy = |client: &Client, id: &str, code: &str, ip: &str| {
        client
            .request(Method::POST, "/api/login/challenge")
            .header("X-Forwarded-For", ip)
            .json(&json!({"challenge_id": id, "code": code}))
            .send()
    };
    let attacker = app.new_client();
    let id = attacker.start_challenge(name, pw).await;
    for _ in 0..3 {
        let wrong = wrong_code(&user.secret, app.now());
        let resp = via_proxy(&attacker, &id, &wrong, "203.0.113.7")
            .await
            .expect("answer");
        assert_eq!(outcome(resp).await, "401 invalid_code");
    }

    // Act
    let again = attacker.start_challenge(name, pw).await;
    let blocked = via_proxy(
        &attacker,
        &again,
        &app.code_now(&user.secret),
        "203.0.113.7",
    )
    .await
    .expect("answer");
    let blocked = outcome(blocked).await;
    let owner = app.new_client();
    let id = owner.start_challenge(name, pw).await;
    let allowed = via_proxy(&owner, &id, &app.code_now(&user.secret), "198.51.100.20")
        .await
        .expect("answer");

    // Assert: the attacker's forwarded address is limited, the owner's is not.
    assert_eq!(blocked, "429 too_many_attempts");
    expect_json(allowed, 200).await;
}

#[tokio::test]
async fn a_success_resets_the_consecutive_failure_count() {
    // Arrange: production account limit (10), the IP limit out of the way.
    let app = spawn_app_with(&[("TWOFA_IP_FAILURE_LIMIT", "100000")]).await;
    let user = app.enrolled_user().await;
    let (name, pw) = (user.username.as_str(), user.password.as_str());
    let client = app.new_client();
    let fail = |n: usize| {
        let client = client.clone();
        let secret = user.secret.clone();
        let now = app.now();
        async move {
            for _ in 0..n {
                let id = client.start_challenge(name, pw).await;
                let got = outcome(
                    client
                        .challenge_with_code(&id, &wrong_code(&secret, now))
                        .await,
                );
                assert_eq!(got.await, "401 invalid_code");
            }
        }
    };

    // Act: 4 failures, a success, then 9 more failures.
    fail(4).await;
    client.sign_in(name, pw, &app.code_now(&user.secret)).await;
    app.advance_clock(STEP).await;
    fail(9).await;

    // Assert: 9 consecutive failures are under the limit, so the right code still works.
    app.new_client()
        .sign_in(name, pw, &app.code_now(&user.secret))
        .await;
}
