//! Bodies a careless or hostile client sends: each gets its documented 4xx and error code
//! (never a 500), and none of them costs an attempt or changes state.

mod cases;

use serde_json::{json, Value};

use crate::client::{assert_error, expect_json};
use crate::helpers::{aligned_now, spawn_app, spawn_app_with};
use cases::{body_cases, case, code_cases, run};

#[tokio::test]
async fn bad_challenge_bodies_get_documented_errors_and_cost_no_attempt() {
    // Arrange: production throttles, so a charged attempt would burn or lock.
    let app = spawn_app_with(&[]).await;
    let user = app.enrolled_user().await;
    let id = app
        .client
        .start_challenge(&user.username, &user.password)
        .await;
    let good = app.code_now(&user.secret);
    let recovery = user.recovery_codes[0].clone();
    let with_code = |v: Value| json!({"challenge_id": id, "code": v});
    let with_recovery = |v: Value| json!({"challenge_id": id, "recovery_code": v});
    let mut cases = body_cases(&with_code(json!(good)));
    cases.extend(code_cases(&with_code, &good));
    cases.extend([
        case(
            "no code at all",
            json!({"challenge_id": id}).to_string(),
            400,
            "invalid_request",
        ),
        case(
            "both a code and a recovery code",
            json!({"challenge_id": id, "code": good, "recovery_code": recovery}).to_string(),
            400,
            "invalid_request",
        ),
        case(
            "the challenge id as a number",
            json!({"challenge_id": 7, "code": good}).to_string(),
            400,
            "invalid_request",
        ),
        case(
            "a recovery code as a number",
            with_recovery(json!(1234)).to_string(),
            400,
            "invalid_request",
        ),
        case(
            "a 1,000-character recovery code",
            with_recovery(json!("A".repeat(1000))).to_string(),
            400,
            "invalid_code_format",
        ),
    ]);

    // Act
    run(&app.client, "/api/login/challenge", cases).await;

    // Assert: the challenge and the account were never charged; "123 456" is accepted.
    let spaced = format!("{} {}", &good[..3], &good[3..]);
    let resp = app.client.challenge_with_code(&id, &spaced).await;
    assert_eq!(expect_json(resp, 200).await["recovery_codes_remaining"], 10);
}

#[tokio::test]
async fn bad_verify_bodies_get_documented_errors_and_leave_the_enrollment_pending() {
    // Arrange
    let app = spawn_app_with(&[]).await;
    app.set_clock(aligned_now()).await;
    let user = app.setup_user().await;
    expect_json(app.client.login(&user.username, &user.password).await, 200).await;
    let pending = expect_json(app.client.enable(&user.password).await, 200).await;
    let secret = pending["secret"].as_str().expect("secret").replace(' ', "");
    let good = app.code_now(&secret);
    let with_code = |v: Value| json!({"code": v});
    let mut cases = body_cases(&with_code(json!(good)));
    cases.extend(code_cases(&with_code, &good));

    // Act
    run(&app.client, "/api/2fa/verify", cases).await;

    // Assert
    let me = expect_json(app.client.me().await, 200).await;
    assert_eq!(me["two_factor"]["enabled"], false);
    let resp = app.client.verify(&format!(" {good} ")).await;
    assert_eq!(
        expect_json(resp, 200).await["recovery_codes"]
            .as_array()
            .unwrap()
            .len(),
        10
    );
}

#[tokio::test]
async fn bad_disable_bodies_get_documented_errors_and_leave_two_factor_on() {
    // Arrange
    let app = spawn_app_with(&[]).await;
    let user = app.enrolled_user().await;
    app.client
        .sign_in(&user.username, &user.password, &app.code_now(&user.secret))
        .await;
    app.advance_clock(30).await;
    let good = app.code_now(&user.secret);
    let pw = user.password.clone();
    let with_code = |v: Value| json!({"password": pw, "code": v});
    let mut cases = body_cases(&with_code(json!(good)));
    cases.extend(code_cases(&with_code, &good));
    cases.extend([
        case(
            "the password only",
            json!({"password": pw}).to_string(),
            400,
            "invalid_request",
        ),
        case(
            "the code only",
            json!({"code": good}).to_string(),
            400,
            "invalid_request",
        ),
        case(
            "the password as a number",
            json!({"password": 1, "code": good}).to_string(),
            400,
            "invalid_request",
        ),
    ]);

    // Act
    run(&app.client, "/api/2fa/disable", cases).await;

    // Assert
    let me = expect_json(app.client.me().await, 200).await;
    assert_eq!(me["two_factor"]["enabled"], true);
    let off = expect_json(app.client.disable_with_code(&pw, &good).await, 200).await;
    assert_eq!(off["two_factor"]["enabled"], false);
}

#[tokio::test]
async fn bad_login_bodies_get_documented_errors_and_no_throttle_charge() {
    // Arrange: a login limit of 3 would be reached if bad bodies counted as failures.
    let app = spawn_app_with(&[("TWOFA_LOGIN_FAILURE_LIMIT", "3")]).await;
    let user = app.setup_user().await;
    let valid = json!({"username": user.username, "password": user.password});
    let mut cases = body_cases(&valid);
    cases.extend([
        case(
            "the username as a number",
            json!({"username": 1, "password": "x"}).to_string(),
            400,
            "invalid_request",
        ),
        case(
            "no password",
            json!({"username": user.username}).to_string(),
            400,
            "invalid_request",
        ),
        case(
            "a password of null",
            json!({"username": user.username, "password": null}).to_string(),
            400,
            "invalid_request",
        ),
        case(
            "token as a string",
            json!({"username": user.username, "password": user.password, "token": "yes"})
                .to_string(),
            400,
            "invalid_request",
        ),
    ]);

    // Act
    run(&app.client, "/api/login", cases).await;

    // Assert
    let login = expect_json(app.client.login(&user.username, &user.password).await, 200).await;
    assert_eq!(login["status"], "authenticated");
}

#[tokio::test]
async fn unknown_paths_and_wrong_methods_get_json_errors() {
    // Arrange
    let app = spawn_app().await;

    // Act
    let missing = app.client.get("/api/no-such-thing").await;
    let get_disable = app.client.get("/api/2fa/disable").await;
    let get_challenge = app.client.get("/api/login/challenge?code=123456").await;

    // Assert
    assert_error(missing, 404, "not_found").await;
    assert_error(get_disable, 405, "method_not_allowed").await;
    assert_error(get_challenge, 405, "method_not_allowed").await;
}
