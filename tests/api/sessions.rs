//! Server-side sessions: what the password step grants, logout, id renewal, and which events end
//! other sessions.

use crate::client::{assert_error, expect_json};
use crate::helpers::{aligned_now, spawn_app, STEP};

#[tokio::test]
async fn the_password_step_alone_grants_nothing() {
    // Arrange
    let app = spawn_app().await;
    let user = app.enrolled_user().await;
    let (name, pw) = (user.username.as_str(), user.password.as_str());
    app.client.start_challenge(name, pw).await;
    let code = app.code_now(&user.secret);

    // Act
    let me = app.client.me().await;
    let enable = app.client.enable(pw).await;
    let verify = app.client.verify(&code).await;
    let disable = app.client.disable_with_code(pw, &code).await;
    let regenerate = app.client.regenerate_recovery_codes(pw, &code).await;

    // Assert
    for resp in [me, enable, verify, disable, regenerate] {
        assert_error(resp, 401, "unauthenticated").await;
    }
    // The code was not spent by any of them.
    app.new_client().sign_in(name, pw, &code).await;
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server() {
    // Arrange
    let app = spawn_app().await;
    let user = app.setup_user().await;
    expect_json(app.client.login(&user.username, &user.password).await, 200).await;
    let stolen = app
        .client
        .session_cookie()
        .expect("a session cookie after login");
    expect_json(app.cookie_client(&stolen).me().await, 200).await;

    // Act
    let resp = app.client.logout().await;

    // Assert
    assert_eq!(resp.status(), 204);
    assert_eq!(
        app.client.session_cookie(),
        None,
        "the cookie is expired in the browser"
    );
    assert_error(
        app.cookie_client(&stolen).me().await,
        401,
        "unauthenticated",
    )
    .await;
}

#[tokio::test]
async fn the_session_id_changes_at_login_challenge_verify_and_disable() {
    // Arrange
    let app = spawn_app().await;
    app.set_clock(aligned_now()).await;
    let user = app.setup_user().await;
    let (name, pw) = (user.username.as_str(), user.password.as_str());
    let c = &app.client;
    let mut seen: Vec<String> = Vec::new();
    let mut renewed = |step: &str| {
        let id = c
            .session_cookie()
            .unwrap_or_else(|| panic!("no session cookie after {step}"));
        assert!(!seen.contains(&id), "session id reused after {step}");
        seen.push(id);
    };

    // Act + Assert: each privilege change issues a new id.
    expect_json(c.login(name, pw).await, 200).await;
    renewed("login");
    expect_json(c.login(name, pw).await, 200).await;
    renewed("a second login");
    let secret = expect_json(c.enable(pw).await, 200).await["secret"]
        .as_str()
        .expect("secret")
        .replace(' ', "");
    expect_json(c.verify(&app.code_now(&secret)).await, 200).await;
    renewed("verify");
    app.advance_clock(STEP).await;
    c.sign_in(name, pw, &app.code_now(&secret)).await;
    renewed("challenge");
    app.advance_clock(STEP).await;
    expect_json(c.disable_with_code(pw, &app.code_now(&secret)).await, 200).await;
    renewed("disable");

    // Every superseded id is dead; the newest one works.
    let (current, old) = seen.split_last().expect("ids");
    for id in old {
        assert_error(app.cookie_client(id).me().await, 401, "unauthenticated").await;
    }
    expect_json(app.cookie_client(current).me().await, 200).await;
}

#[tokio::test]
async fn a_planted_session_id_is_never_adopted() {
    // Arrange
    let app = spawn_app().await;
    let user = app.setup_user().await;
    let planted = "A".repeat(64);
    let victim = app.cookie_client(&planted);

    // Act
    let login = victim.login(&user.username, &user.password).await;

    // Assert
    expect_json(login, 200).await;
    assert_error(
        app.cookie_client(&planted).me().await,
        401,
        "unauthenticated",
    )
    .await;
}

#[tokio::test]
async fn a_recovery_code_login_ends_the_users_other_sessions() {
    // Arrange
    let app = spawn_app().await;
    let user = app.enrolled_user().await;
    let (name, pw) = (user.username.as_str(), user.password.as_str());
    app.client
        .sign_in(name, pw, &app.code_now(&user.secret))
        .await;

    // Act
    let lost_phone = app.new_client();
    let id = lost_phone.start_challenge(name, pw).await;
    let resp = lost_phone
        .challenge_with_recovery_code(&id, &user.recovery_codes[1])
        .await;

    // Assert
    assert_eq!(expect_json(resp, 200).await["recovery_codes_remaining"], 9);
    assert_error(app.client.me().await, 401, "unauthenticated").await;
    expect_json(lost_phone.me().await, 200).await;
}

#[tokio::test]
async fn a_bearer_token_is_issued_only_after_the_second_factor() {
    // Arrange
    let app = spawn_app().await;
    let user = app.enrolled_user().await;
    let mobile = app.bare_client();

    // Act
    let pre = expect_json(
        mobile.login_for_token(&user.username, &user.password).await,
        200,
    )
    .await;

    // Assert
    assert_eq!(pre["status"], "2fa_required");
    assert!(
        pre.get("token").is_none(),
        "a token before the second factor: {pre}"
    );
    let id = pre["challenge_id"].as_str().expect("challenge_id");
    let granted = mobile
        .challenge_for_token(id, &app.code_now(&user.secret))
        .await;
    let token = expect_json(granted, 200).await["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let me = expect_json(app.bearer_client(&token).me().await, 200).await;
    assert_eq!(me["user"]["username"], user.username);
    // The auth scheme is case-insensitive (RFC 9110 §11.1).
    let lower = mobile
        .request(reqwest::Method::GET, "/api/me")
        .header("Authorization", format!("bearer {token}"))
        .send()
        .await
        .expect("request");
    assert_eq!(lower.status().as_u16(), 200);
    assert_eq!(app.bearer_client(&token).logout().await.status(), 204);
    assert_error(app.bearer_client(&token).me().await, 401, "unauthenticated").await;
}
