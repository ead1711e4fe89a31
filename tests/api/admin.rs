//! `/api/admin`: user management for administrators; everyone else gets 403 `forbidden`.

use serde_json::{json, Value};

use crate::client::{assert_error, expect_json, Client};
use crate::helpers::{spawn_app, spawn_app_with, EnrolledUser, TestApp};

const BOB_PASSWORD: &str = "bob's long enough password";

async fn create_user(admin: &Client, name: &str, is_admin: bool) -> Value {
    let body = json!({"username": name, "password": BOB_PASSWORD, "is_admin": is_admin});
    expect_json(admin.post("/api/admin/users", body).await, 201).await
}

/// Alice (admin, 2FA on) signed in on `app.client`.
async fn admin_signed_in(app: &TestApp) -> i64 {
    admin_with_factor(app).await.0
}

async fn admin_with_factor(app: &TestApp) -> (i64, EnrolledUser) {
    let alice = app.enrolled_user().await;
    app.client
        .sign_in(
            &alice.username,
            &alice.password,
            &app.code_now(&alice.secret),
        )
        .await;
    let me = expect_json(app.client.me().await, 200).await;
    (me["user"]["id"].as_i64().expect("id"), alice)
}

/// Alice's confirmation for the next action: her password and the code of the next step (the
/// current one was spent signing in).
async fn step_up(app: &TestApp, alice: &EnrolledUser) -> Value {
    app.advance_clock(30).await;
    json!({"password": alice.password, "code": app.code_now(&alice.secret)})
}

async fn is_enrolled(admin: &Client, name: &str) -> bool {
    let list = expect_json(admin.get("/api/admin/users").await, 200).await;
    user_named(&list, name)["two_factor"]["enabled"] == true
}

/// Enables 2FA for the signed-in `client` at the app's pinned time.
async fn enroll(app: &TestApp, client: &Client, password: &str) {
    let pending = expect_json(client.enable(password).await, 200).await;
    let secret = pending["secret"].as_str().unwrap().replace(' ', "");
    expect_json(client.verify(&app.code_now(&secret)).await, 200).await;
}

/// Bob, created by the signed-in administrator, with 2FA on and signed in on the returned client.
async fn enrolled_bob(app: &TestApp) -> (i64, Client) {
    let created = create_user(&app.client, "bob", false).await;
    let bob = app.new_client();
    expect_json(bob.login("bob", BOB_PASSWORD).await, 200).await;
    enroll(app, &bob, BOB_PASSWORD).await;
    (created["user"]["id"].as_i64().expect("id"), bob)
}

fn user_named<'a>(list: &'a Value, name: &str) -> &'a Value {
    list["users"]
        .as_array()
        .expect("users")
        .iter()
        .find(|u| u["username"] == name)
        .unwrap_or_else(|| panic!("{name} missing from {list}"))
}

async fn events_of(admin: &Client, id: i64) -> Vec<(String, String, Option<String>)> {
    let body = expect_json(
        admin.get(&format!("/api/admin/users/{id}/events")).await,
        200,
    )
    .await;
    body["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["event"].as_str().unwrap().to_owned(),
                e["outcome"].as_str().unwrap().to_owned(),
                e["reason"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

#[tokio::test]
async fn only_administrators_reach_the_admin_api() {
    let app = spawn_app().await;
    admin_signed_in(&app).await;
    let bob = create_user(&app.client, "bob", false).await;
    let bob_id = bob["user"]["id"].as_i64().unwrap();
    assert_eq!(bob["user"]["is_admin"], false);
    assert_eq!(bob["user"]["disabled"], false);
    assert_eq!(bob["user"]["two_factor"]["enabled"], false);

    let anonymous = app.new_client();
    assert_error(
        anonymous.get("/api/admin/users").await,
        401,
        "unauthenticated",
    )
    .await;

    let bob_client = app.new_client();
    let login = expect_json(bob_client.login("bob", BOB_PASSWORD).await, 200).await;
    assert_eq!(login["status"], "authenticated");
    let calls = [
        bob_client.get("/api/admin/users").await,
        bob_client
            .get(&format!("/api/admin/users/{bob_id}/events"))
            .await,
        bob_client
            .post(
                "/api/admin/users",
                json!({"username": "x", "password": BOB_PASSWORD}),
            )
            .await,
        bob_client
            .post(
                &format!("/api/admin/users/{bob_id}/2fa/reset"),
                json!({"password": BOB_PASSWORD}),
            )
            .await,
        bob_client
            .post(
                &format!("/api/admin/users/{bob_id}/disable"),
                json!({"password": BOB_PASSWORD}),
            )
            .await,
        bob_client
            .post(&format!("/api/admin/users/{bob_id}/enable"), json!({}))
            .await,
    ];
    for resp in calls {
        assert_error(resp, 403, "forbidden").await;
    }
}

#[tokio::test]
async fn create_and_list_users_with_their_two_factor_status() {
    let app = spawn_app().await;
    let (alice_id, alice) = admin_with_factor(&app).await;
    create_user(&app.client, "bob", false).await;
    let confirm = step_up(&app, &alice).await;
    let body = json!({"username": "carol", "password": BOB_PASSWORD, "is_admin": true, "confirm": confirm});
    let carol = expect_json(app.client.post("/api/admin/users", body).await, 201).await;
    assert_eq!(carol["user"]["is_admin"], true);
    assert_error(
        app.client
            .post(
                "/api/admin/users",
                json!({"username": "BOB", "password": BOB_PASSWORD}),
            )
            .await,
        409,
        "username_taken",
    )
    .await;
    for weak in ["short", "12345678", "aaaaaaaaaa"] {
        let body = json!({"username": "dave", "password": weak});
        let resp = app.client.post("/api/admin/users", body).await;
        assert_error(resp, 400, "weak_password").await;
    }
    assert_error(
        app.client
            .post(
                "/api/admin/users",
                json!({"username": "dave", "password": BOB_PASSWORD, "role": "x"}),
            )
            .await,
        400,
        "invalid_request",
    )
    .await;

    let list = expect_json(app.client.get("/api/admin/users").await, 200).await;
    assert_eq!(list["users"].as_array().unwrap().len(), 3, "{list}");
    let alice = user_named(&list, "alice");
    assert_eq!(alice["id"], alice_id);
    assert_eq!(alice["is_admin"], true);
    assert_eq!(alice["two_factor"]["enabled"], true);
    assert_eq!(alice["two_factor"]["recovery_codes_remaining"], 10);
    assert!(alice["two_factor"]["enabled_at"].is_string());
    let bob = user_named(&list, "bob");
    assert_eq!(bob["two_factor"]["enabled"], false);
    assert_eq!(bob["two_factor"]["recovery_codes_remaining"], 0);

    let bob_id = bob["id"].as_i64().unwrap();
    let events = events_of(&app.client, bob_id).await;
    assert_eq!(
        events[0],
        (
            "admin.user_created".into(),
            "success".into(),
            Some(format!("admin:{alice_id}"))
        )
    );
    assert_error(
        app.client.get("/api/admin/users/999/events").await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn reset_two_factor_ends_sessions_and_lets_the_password_sign_in() {
    let app = spawn_app().await;
    let (alice_id, alice) = admin_with_factor(&app).await;
    let (bob_id, bob) = enrolled_bob(&app).await;
    let fresh = app.new_client();
    let login = expect_json(fresh.login("bob", BOB_PASSWORD).await, 200).await;
    assert_eq!(login["status"], "2fa_required");

    let confirm = step_up(&app, &alice).await;
    let reset = expect_json(
        app.client
            .post(&format!("/api/admin/users/{bob_id}/2fa/reset"), confirm)
            .await,
        200,
    )
    .await;
    assert_eq!(reset["user"]["two_factor"]["enabled"], false);
    assert_eq!(reset["user"]["two_factor"]["recovery_codes_remaining"], 0);
    assert_error(bob.me().await, 401, "unauthenticated").await;
    let login = expect_json(fresh.login("bob", BOB_PASSWORD).await, 200).await;
    assert_eq!(login["status"], "authenticated", "{login}");

    let events = events_of(&app.client, bob_id).await;
    assert!(
        events.contains(&(
            "admin.2fa_reset".into(),
            "success".into(),
            Some(format!("admin:{alice_id}"))
        )),
        "{events:?}"
    );
    // Nothing to reset and no such user are said before the confirmation is checked.
    let wrong = json!({"password": "not alice's password", "code": "000000"});
    assert_error(
        app.client
            .post(
                &format!("/api/admin/users/{bob_id}/2fa/reset"),
                wrong.clone(),
            )
            .await,
        409,
        "totp_not_enabled",
    )
    .await;
    assert_error(
        app.client
            .post("/api/admin/users/999/2fa/reset", wrong)
            .await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn a_disabled_user_cannot_sign_in_until_enabled_again() {
    let app = spawn_app().await;
    let (alice_id, alice) = admin_with_factor(&app).await;
    let bob_id = create_user(&app.client, "bob", false).await["user"]["id"]
        .as_i64()
        .unwrap();
    let bob = app.new_client();
    expect_json(bob.login("bob", BOB_PASSWORD).await, 200).await;
    let token_login = expect_json(bob.login_for_token("bob", BOB_PASSWORD).await, 200).await;
    let token = token_login["token"].as_str().expect("token").to_owned();

    let confirm = step_up(&app, &alice).await;
    let disabled = expect_json(
        app.client
            .post(&format!("/api/admin/users/{bob_id}/disable"), confirm)
            .await,
        200,
    )
    .await;
    assert_eq!(disabled["user"]["disabled"], true);
    assert!(disabled["user"]["disabled_at"].is_string());
    assert_error(bob.me().await, 401, "unauthenticated").await;
    assert_error(app.bearer_client(&token).me().await, 401, "unauthenticated").await;
    // The same answer as a wrong password.
    assert_error(
        app.new_client().login("bob", BOB_PASSWORD).await,
        401,
        "invalid_credentials",
    )
    .await;
    assert_error(
        app.new_client().login("bob", "wrong password!!").await,
        401,
        "invalid_credentials",
    )
    .await;
    let confirm = step_up(&app, &alice).await;
    assert_error(
        app.client
            .post(&format!("/api/admin/users/{alice_id}/disable"), confirm)
            .await,
        400,
        "invalid_request",
    )
    .await;

    let enable = format!("/api/admin/users/{bob_id}/enable");
    // Giving access back takes the same confirmation as taking it away.
    assert_error(
        app.client.post(&enable, json!({})).await,
        400,
        "invalid_request",
    )
    .await;
    let wrong = json!({"password": "not alice's password", "code": app.code_now(&alice.secret)});
    assert_error(
        app.client.post(&enable, wrong).await,
        401,
        "invalid_credentials",
    )
    .await;
    let confirm = step_up(&app, &alice).await;
    let enabled = expect_json(app.client.post(&enable, confirm).await, 200).await;
    assert_eq!(enabled["user"]["disabled"], false);
    assert!(enabled["user"]["disabled_at"].is_null());
    let login = expect_json(app.new_client().login("bob", BOB_PASSWORD).await, 200).await;
    assert_eq!(login["status"], "authenticated");

    let events = events_of(&app.client, bob_id).await;
    let reason = Some(format!("admin:{alice_id}"));
    let names: Vec<&str> = events.iter().map(|e| e.0.as_str()).collect();
    assert!(events.contains(&(
        "admin.user_disabled".into(),
        "success".into(),
        reason.clone()
    )));
    assert!(events.contains(&("admin.user_enabled".into(), "success".into(), reason)));
    assert!(
        events.contains(&(
            "auth.password.failure".into(),
            "failure".into(),
            Some("disabled".into())
        )),
        "{names:?}"
    );
}

#[tokio::test]
async fn admin_api_works_with_a_bearer_token_and_checks_origin_for_cookies() {
    let app = spawn_app().await;
    let alice = app.enrolled_user().await;
    let c = app.new_client();
    let challenge = {
        let body = expect_json(
            c.login_for_token(&alice.username, &alice.password).await,
            200,
        )
        .await;
        body["challenge_id"].as_str().unwrap().to_owned()
    };
    let body = expect_json(
        c.challenge_for_token(&challenge, &app.code_now(&alice.secret))
            .await,
        200,
    )
    .await;
    let bearer = app.bearer_client(body["token"].as_str().expect("token"));
    create_user(&bearer, "bob", false).await;
    let list = expect_json(bearer.get("/api/admin/users").await, 200).await;
    assert_eq!(list["users"].as_array().unwrap().len(), 2);

    app.advance_clock(30).await;
    app.client
        .sign_in(
            &alice.username,
            &alice.password,
            &app.code_now(&alice.secret),
        )
        .await;
    let foreign = app.client.with_origin(Some("https://evil.example"));
    assert_error(
        foreign
            .post(
                "/api/admin/users",
                json!({"username": "eve", "password": BOB_PASSWORD}),
            )
            .await,
        403,
        "cross_origin",
    )
    .await;
}

#[tokio::test]
async fn resetting_or_disabling_needs_the_administrators_password_and_a_fresh_code() {
    let app = spawn_app().await;
    let (alice_id, alice) = admin_with_factor(&app).await;
    let (bob_id, bob) = enrolled_bob(&app).await;
    let reset = format!("/api/admin/users/{bob_id}/2fa/reset");
    let disable = format!("/api/admin/users/{bob_id}/disable");

    app.advance_clock(30).await;
    let code = app.code_now(&alice.secret);
    let refused = [
        (json!({}), 400, "invalid_request"),
        (json!({"password": alice.password}), 400, "invalid_request"),
        (
            json!({"password": alice.password, "code": "12345"}),
            400,
            "invalid_code_format",
        ),
        (
            json!({"password": alice.password, "code": code, "x": 1}),
            400,
            "invalid_request",
        ),
        (
            json!({"password": "not alice's password", "code": code}),
            401,
            "invalid_credentials",
        ),
        (
            json!({"password": alice.password, "code": bump(&code)}),
            401,
            "invalid_code",
        ),
    ];
    for (body, status, error) in refused {
        assert_error(app.client.post(&reset, body.clone()).await, status, error).await;
        assert_error(app.client.post(&disable, body).await, status, error).await;
    }
    // None of it touched bob, and a stolen session without the code is no way in either.
    assert!(is_enrolled(&app.client, "bob").await);
    expect_json(bob.me().await, 200).await;
    let failures = events_of(&app.client, alice_id).await;
    let step_up_failures = failures
        .iter()
        .filter(|e| e.0 == "admin.step_up.failure" && e.1 == "failure")
        .count();
    assert_eq!(step_up_failures, 2, "{failures:?}");
    assert!(failures.contains(&(
        "auth.password.failure".into(),
        "failure".into(),
        Some("step_up".into())
    )));

    let body = json!({"password": alice.password, "code": code});
    expect_json(app.client.post(&reset, body.clone()).await, 200).await;
    assert!(!is_enrolled(&app.client, "bob").await);
    // The code is spent: the next action needs the next one.
    assert_error(app.client.post(&disable, body).await, 401, "totp_replayed").await;
    let confirm = step_up(&app, &alice).await;
    let disabled = expect_json(app.client.post(&disable, confirm).await, 200).await;
    assert_eq!(disabled["user"]["disabled"], true);
}

/// The code's last digit changed: a wrong code in the right format.
fn bump(code: &str) -> String {
    let last = code.as_bytes()[5] - b'0';
    format!("{}{}", &code[..5], (last + 1) % 10)
}

#[tokio::test]
async fn an_administrator_without_two_factor_confirms_with_the_password_alone() {
    let app = spawn_app().await;
    let alice = app.setup_user().await;
    expect_json(
        app.client.login(&alice.username, &alice.password).await,
        200,
    )
    .await;
    let bob_id = create_user(&app.client, "bob", false).await["user"]["id"]
        .as_i64()
        .unwrap();
    let disable = format!("/api/admin/users/{bob_id}/disable");
    // A code, well-formed or not, is not expected from an administrator without 2FA.
    for code in ["123456", "abc"] {
        let body = json!({"password": alice.password, "code": code});
        assert_error(
            app.client.post(&disable, body).await,
            400,
            "invalid_request",
        )
        .await;
    }
    assert_error(
        app.client
            .post(&disable, json!({"password": "not alice's password"}))
            .await,
        401,
        "invalid_credentials",
    )
    .await;
    let disabled = expect_json(
        app.client
            .post(&disable, json!({"password": alice.password}))
            .await,
        200,
    )
    .await;
    assert_eq!(disabled["user"]["disabled"], true);
}

/// One code confirms one action: of parallel actions sent with the same code, one runs.
#[tokio::test]
async fn one_code_confirms_one_action_under_concurrency() {
    let app = spawn_app().await;
    let (_, alice) = admin_with_factor(&app).await;
    let mut ids = Vec::new();
    for name in ["bob", "carol", "dave", "erin", "frank", "grace"] {
        let created = create_user(&app.client, name, false).await;
        ids.push(created["user"]["id"].as_i64().unwrap());
    }
    let body = step_up(&app, &alice).await;
    let mut set = tokio::task::JoinSet::new();
    for id in ids {
        let (client, body) = (app.client.clone(), body.clone());
        set.spawn(async move {
            let resp = client
                .post(&format!("/api/admin/users/{id}/disable"), body)
                .await;
            let status = resp.status().as_u16();
            let body: Value = resp.json().await.unwrap_or_default();
            (status, body["error"]["code"].as_str().map(str::to_owned))
        });
    }
    let mut ok = 0;
    while let Some(result) = set.join_next().await {
        match result.expect("request task") {
            (200, _) => ok += 1,
            other => assert_eq!(other, (401, Some("totp_replayed".to_owned()))),
        }
    }
    assert_eq!(ok, 1, "exactly one disable ran");
    let list = expect_json(app.client.get("/api/admin/users").await, 200).await;
    let disabled = list["users"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["disabled"] == true)
        .count();
    assert_eq!(disabled, 1, "{list}");
}

#[tokio::test]
async fn creating_an_administrator_needs_the_creators_confirmation() {
    let app = spawn_app().await;
    let (_, alice) = admin_with_factor(&app).await;
    let admin = |name: &str, confirm: Option<Value>| {
        let mut body = json!({"username": name, "password": BOB_PASSWORD, "is_admin": true});
        if let Some(confirm) = confirm {
            body["confirm"] = confirm;
        }
        body
    };
    app.advance_clock(30).await;
    let code = app.code_now(&alice.secret);
    let refused = [
        (admin("mallory", None), 400, "invalid_request"),
        (
            admin("mallory", Some(json!({"password": alice.password}))),
            400,
            "invalid_request",
        ),
        (
            admin(
                "mallory",
                Some(json!({"password": "not alice's password", "code": code})),
            ),
            401,
            "invalid_credentials",
        ),
        (
            admin(
                "mallory",
                Some(json!({"password": alice.password, "code": bump(&code)})),
            ),
            401,
            "invalid_code",
        ),
        (
            json!({"username": "mallory", "password": BOB_PASSWORD,
                   "confirm": {"password": alice.password, "code": code}}),
            400,
            "invalid_request",
        ),
    ];
    for (body, status, error) in refused {
        assert_error(
            app.client.post("/api/admin/users", body).await,
            status,
            error,
        )
        .await;
    }
    let list = expect_json(app.client.get("/api/admin/users").await, 200).await;
    assert_eq!(
        list["users"].as_array().unwrap().len(),
        1,
        "nobody was added: {list}"
    );

    let confirm = json!({"password": alice.password, "code": code});
    let created = expect_json(
        app.client
            .post("/api/admin/users", admin("mallory", Some(confirm.clone())))
            .await,
        201,
    )
    .await;
    assert_eq!(created["user"]["is_admin"], true);
    // One code, one administrator.
    assert_error(
        app.client
            .post("/api/admin/users", admin("oscar", Some(confirm)))
            .await,
        401,
        "totp_replayed",
    )
    .await;
}

/// An action refused after a correct confirmation (here: the name is taken) is not the code's
/// fault: its charge is given back, so refusals never add up to a lock of the administrator.
#[tokio::test]
async fn refused_actions_after_a_correct_confirmation_never_lock_the_administrator() {
    // The default limits: ten charged attempts without an outcome would lock the account.
    let app = spawn_app_with(&[]).await;
    let (_, alice) = admin_with_factor(&app).await;
    create_user(&app.client, "bob", false).await;
    let confirm = step_up(&app, &alice).await;
    for _ in 0..12 {
        let body = json!({"username": "bob", "password": BOB_PASSWORD, "is_admin": true,
                          "confirm": confirm.clone()});
        let resp = app.client.post("/api/admin/users", body).await;
        assert_error(resp, 409, "username_taken").await;
    }
    // The same code still confirms (it was never consumed), and alice still signs in.
    let body = json!({"username": "carol", "password": BOB_PASSWORD, "is_admin": true,
                      "confirm": confirm});
    expect_json(app.client.post("/api/admin/users", body).await, 201).await;
    app.advance_clock(30).await;
    let fresh = app.new_client();
    fresh
        .sign_in(
            &alice.username,
            &alice.password,
            &app.code_now(&alice.secret),
        )
        .await;
    expect_json(fresh.me().await, 200).await;
}
