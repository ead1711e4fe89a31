//! A challenge belongs to the session and the user it was issued to (checklist 28), and the 2FA
//! endpoints act only on the caller, refusing fields that name another account (61).

use serde_json::{json, Value};

use crate::attack_helpers::{enrolled_users, outcome, PASSWORD};
use crate::client::{assert_error, expect_json, Client};
use crate::helpers::{spawn_app, STEP};

async fn challenge_for_token(mobile: &Client, name: &str) -> String {
    let body = expect_json(mobile.login_for_token(name, PASSWORD).await, 200).await;
    assert_eq!(body["status"], "2fa_required", "{body}");
    body["challenge_id"]
        .as_str()
        .expect("challenge_id")
        .to_owned()
}

#[tokio::test]
async fn a_challenge_answered_outside_the_session_that_received_it_is_invalid() {
    // Arrange
    let app = spawn_app().await;
    let user = app.enrolled_user().await;
    let owner = app.new_client();
    let id = owner.start_challenge(&user.username, &user.password).await;
    let code = app.code_now(&user.secret);

    // Act
    let other_browser = app.new_client().challenge_with_code(&id, &code).await;
    let no_cookie = app.bare_client().challenge_with_code(&id, &code).await;

    // Assert
    assert_error(other_browser, 401, "challenge_invalid").await;
    assert_error(no_cookie, 401, "challenge_invalid").await;
    let body = expect_json(owner.challenge_with_code(&id, &code).await, 200).await;
    assert_eq!(body["status"], "authenticated");
}

#[tokio::test]
async fn one_users_challenge_cannot_be_answered_with_another_users_code() {
    // Arrange
    let app = spawn_app().await;
    let users = enrolled_users(&app, 1).await;
    let (a, b) = (&users[0], &users[1]);
    let mobile = app.bare_client();
    let challenge_a = challenge_for_token(&mobile, &a.username).await;
    let jar_a = app.new_client();
    let cookie_challenge_a = jar_a.start_challenge(&a.username, PASSWORD).await;

    // Act
    let code_b = app.code_now(&b.secret);
    let by_token = mobile.challenge_for_token(&challenge_a, &code_b).await;
    let by_cookie = jar_a
        .challenge_with_code(&cookie_challenge_a, &code_b)
        .await;
    let by_recovery = mobile
        .challenge_with_recovery_code(&challenge_a, &b.recovery_codes[0])
        .await;

    // Assert
    assert_error(by_token, 401, "invalid_code").await;
    assert_error(by_cookie, 401, "invalid_code").await;
    assert_error(by_recovery, 401, "invalid_code").await;
    // B's code and recovery code were not spent on A's challenge.
    let jar_b = app.new_client();
    jar_b.sign_in(&b.username, PASSWORD, &code_b).await;
    let me = expect_json(jar_b.me().await, 200).await;
    assert_eq!(me["two_factor"]["recovery_codes_remaining"], 10, "{me}");
}

#[tokio::test]
async fn two_factor_endpoints_refuse_fields_naming_another_account() {
    // Arrange
    let app = spawn_app().await;
    let users = enrolled_users(&app, 1).await;
    let (a, b) = (&users[0], &users[1]);
    let jar_b = app.new_client();
    jar_b
        .sign_in(&b.username, PASSWORD, &app.code_now(&b.secret))
        .await;
    let b_id = expect_json(jar_b.me().await, 200).await["user"]["id"].clone();
    app.advance_clock(STEP).await;
    let jar_a = app.new_client();
    jar_a
        .sign_in(&a.username, PASSWORD, &app.code_now(&a.secret))
        .await;
    app.advance_clock(STEP).await;
    let code_a = app.code_now(&a.secret);
    let foreign: [(&str, Value); 4] = [
        ("user_id", b_id.clone()),
        ("username", json!(b.username)),
        ("account", json!(b.username)),
        ("email", json!(b.username)),
    ];

    // Act
    let mut got = Vec::new();
    for (field, value) in &foreign {
        for (path, mut body) in [
            (
                "/api/2fa/disable",
                json!({"password": PASSWORD, "code": code_a}),
            ),
            (
                "/api/2fa/recovery-codes",
                json!({"password": PASSWORD, "code": code_a}),
            ),
            ("/api/2fa/enable", json!({"password": PASSWORD})),
            ("/api/2fa/verify", json!({"code": code_a})),
        ] {
            body[*field] = value.clone();
            let resp = jar_a.post(path, body).await;
            got.push((format!("{path} with {field}"), outcome(resp).await));
        }
    }

    // Assert: every request refused as malformed; both users keep 2FA and their codes.
    for (what, outcome) in &got {
        assert_eq!(outcome, "400 invalid_request", "{what}");
    }
    for jar in [&jar_a, &jar_b] {
        let me = expect_json(jar.me().await, 200).await;
        assert_eq!(me["two_factor"]["enabled"], true, "{me}");
        assert_eq!(me["two_factor"]["recovery_codes_remaining"], 10, "{me}");
    }
    // A's code was not spent by the refused requests.
    expect_json(jar_a.disable_with_code(PASSWORD, &code_a).await, 200).await;
}
