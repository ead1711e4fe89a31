//! The rules an administrative action holds beyond the step-up: a password-only administrator
//! cannot strip or disable an administrator who has 2FA, two administrators disabling each
//! other at once leave one of them, repeated actions change and record nothing, and a body
//! never decides the answer before the caller's role does.

use serde_json::{json, Value};
use tokio::task::JoinSet;

use crate::client::{assert_error, expect_json, Client};
use crate::helpers::{aligned_now, spawn_app, TestApp};

const PASSWORD: &str = "a long enough admin password";

/// Alice (first administrator, 2FA off) signed in on `app.client`, the clock pinned; returns
/// her password.
async fn alice(app: &TestApp) -> String {
    app.set_clock(aligned_now()).await;
    let alice = app.setup_user().await;
    expect_json(
        app.client.login(&alice.username, &alice.password).await,
        200,
    )
    .await;
    alice.password
}

/// A second administrator without 2FA, created by the signed-in password-only alice.
async fn add_admin(app: &TestApp, alice_password: &str, name: &str) -> i64 {
    let body = json!({"username": name, "password": PASSWORD, "is_admin": true,
                      "confirm": {"password": alice_password}});
    let created = expect_json(app.client.post("/api/admin/users", body).await, 201).await;
    created["user"]["id"].as_i64().expect("id")
}

/// A plain user, created by the signed-in alice.
async fn add_user(app: &TestApp, name: &str) -> i64 {
    let body = json!({"username": name, "password": PASSWORD});
    let created = expect_json(app.client.post("/api/admin/users", body).await, 201).await;
    created["user"]["id"].as_i64().expect("id")
}

async fn bearer(app: &TestApp, name: &str) -> Client {
    let login = expect_json(app.new_client().login_for_token(name, PASSWORD).await, 200).await;
    app.bearer_client(login["token"].as_str().expect("token"))
}

async fn user(app: &TestApp, id: i64) -> Value {
    let list = expect_json(app.client.get("/api/admin/users").await, 200).await;
    list["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("user {id} missing from {list}"))
}

#[tokio::test]
async fn a_password_only_administrator_cannot_strip_or_disable_an_administrator_with_2fa() {
    let app = spawn_app().await;
    let alice_password = alice(&app).await;
    let bob_id = add_admin(&app, &alice_password, "bob").await;
    // Bob turns on 2FA.
    let bob = bearer(&app, "bob").await;
    let pending = expect_json(bob.enable(PASSWORD).await, 200).await;
    let secret = pending["secret"].as_str().unwrap().replace(' ', "");
    expect_json(bob.verify(&app.code_now(&secret)).await, 200).await;

    // Alice, with a password only, may not take bob's second factor away, nor lock him out.
    let confirm = json!({"password": alice_password});
    for path in [
        format!("/api/admin/users/{bob_id}/2fa/reset"),
        format!("/api/admin/users/{bob_id}/disable"),
    ] {
        assert_error(
            app.client.post(&path, confirm.clone()).await,
            403,
            "enrollment_required",
        )
        .await;
    }
    // Both refusals are on alice's record.
    let alice_events = expect_json(app.client.get("/api/admin/users/1/events").await, 200).await;
    let refusals = alice_events["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event"] == "admin.action.refused" && e["reason"] == "outranked")
        .count();
    assert_eq!(refusals, 2, "{alice_events}");
    let bob_now = user(&app, bob_id).await;
    assert_eq!(bob_now["two_factor"]["enabled"], true, "{bob_now}");
    assert_eq!(bob_now["disabled"], false, "{bob_now}");
    expect_json(bob.me().await, 200).await;

    // A plain user's lost phone is still hers to reset.
    let carol_id = add_user(&app, "carol").await;
    let carol_client = bearer(&app, "carol").await;
    let pending = expect_json(carol_client.enable(PASSWORD).await, 200).await;
    let secret = pending["secret"].as_str().unwrap().replace(' ', "");
    expect_json(carol_client.verify(&app.code_now(&secret)).await, 200).await;
    let path = format!("/api/admin/users/{carol_id}/2fa/reset");
    let reset = expect_json(app.client.post(&path, confirm).await, 200).await;
    assert_eq!(reset["user"]["two_factor"]["enabled"], false);
}

/// Two administrators disable each other at the same moment: one wins, the other's request
/// finds its own account disabled. Never both (that would leave no administrator).
#[tokio::test]
async fn two_administrators_disabling_each_other_at_once_leave_one() {
    let app = spawn_app().await;
    let alice_password = alice(&app).await;
    for round in 0..4 {
        let (x, y) = (format!("x{round}"), format!("y{round}"));
        let x_id = add_admin(&app, &alice_password, &x).await;
        let y_id = add_admin(&app, &alice_password, &y).await;
        let (x_client, y_client) = (bearer(&app, &x).await, bearer(&app, &y).await);
        let mut set = JoinSet::new();
        for (client, target) in [(x_client, y_id), (y_client, x_id)] {
            set.spawn(async move {
                let path = format!("/api/admin/users/{target}/disable");
                let resp = client.post(&path, json!({"password": PASSWORD})).await;
                let status = resp.status().as_u16();
                let body: Value = resp.json().await.unwrap_or_default();
                (status, body["error"]["code"].as_str().map(str::to_owned))
            });
        }
        let mut answers = Vec::new();
        while let Some(answer) = set.join_next().await {
            answers.push(answer.expect("request task"));
        }
        answers.sort();
        assert_eq!(
            answers,
            vec![(200, None), (401, Some("unauthenticated".to_owned()))],
            "round {round}"
        );
        let disabled = [x_id, y_id].len()
            - [user(&app, x_id).await, user(&app, y_id).await]
                .iter()
                .filter(|u| u["disabled"] == false)
                .count();
        assert_eq!(
            disabled, 1,
            "round {round}: exactly one of the two is disabled"
        );
    }
}

#[tokio::test]
async fn repeating_disable_or_enable_changes_and_records_nothing() {
    let app = spawn_app().await;
    let alice_password = alice(&app).await;
    let bob_id = add_user(&app, "bob").await;
    let disable = format!("/api/admin/users/{bob_id}/disable");
    let enable = format!("/api/admin/users/{bob_id}/enable");
    let events = format!("/api/admin/users/{bob_id}/events");
    let count = |body: &Value, name: &str| {
        body["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["event"] == name)
            .count()
    };

    // Enabling an enabled account: as it is, nothing recorded.
    let same = expect_json(
        app.client
            .post(&enable, json!({"password": "not the password"}))
            .await,
        200,
    )
    .await;
    assert_eq!(same["user"]["disabled"], false);
    let first = expect_json(
        app.client
            .post(&disable, json!({"password": alice_password}))
            .await,
        200,
    )
    .await;
    let at = first["user"]["disabled_at"].clone();
    // Again: answered as it is before any confirmation is checked, nothing recorded.
    let again = expect_json(
        app.client
            .post(&disable, json!({"password": "not the password"}))
            .await,
        200,
    )
    .await;
    assert_eq!(again["user"]["disabled_at"], at);
    let log = expect_json(app.client.get(&events).await, 200).await;
    assert_eq!(count(&log, "admin.user_disabled"), 1, "{log}");
    assert_eq!(count(&log, "admin.user_enabled"), 0, "{log}");
}

#[tokio::test]
async fn the_role_is_answered_before_the_body_and_self_reset_is_refused() {
    let app = spawn_app().await;
    let alice_password = alice(&app).await;
    add_user(&app, "dave").await;
    let dave = bearer(&app, "dave").await;
    for (path, body) in [
        ("/api/admin/users/1/disable", json!({})),
        ("/api/admin/users/1/2fa/reset", json!({"x": 1})),
        ("/api/admin/users", json!({})),
    ] {
        assert_error(dave.post(path, body).await, 403, "forbidden").await;
    }

    // Alice enrols, then tries to reset her own 2FA through the admin API.
    let pending = expect_json(app.client.enable(&alice_password).await, 200).await;
    let secret = pending["secret"].as_str().unwrap().replace(' ', "");
    expect_json(app.client.verify(&app.code_now(&secret)).await, 200).await;
    app.advance_clock(30).await;
    let confirm = json!({"password": alice_password, "code": app.code_now(&secret)});
    assert_error(
        app.client
            .post("/api/admin/users/1/2fa/reset", confirm)
            .await,
        400,
        "invalid_request",
    )
    .await;
    expect_json(app.client.me().await, 200).await;
}

#[tokio::test]
async fn an_administrators_action_is_logged_with_its_request_id_and_ip() {
    let app = spawn_app().await;
    let alice_password = alice(&app).await;
    let bob_id = add_user(&app, "bob").await;
    let resp = app
        .client
        .post(
            &format!("/api/admin/users/{bob_id}/disable"),
            json!({"password": alice_password}),
        )
        .await;
    let id = resp
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .expect("x-request-id")
        .to_owned();
    expect_json(resp, 200).await;
    // The log thread writes in the background: give it a moment.
    let mut log = String::new();
    for _ in 0..50 {
        log = app.server_log();
        if log.contains("admin.user_disabled") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let line = log
        .lines()
        .find(|l| l.contains("admin.user_disabled"))
        .unwrap_or_else(|| panic!("no audit line in {log}"));
    assert!(line.contains(&format!("request_id={id}")), "{line}");
    assert!(line.contains("ip="), "{line}");
}

/// An administrator who turned 2FA on a moment ago (perhaps whoever holds their password) does
/// not yet outrank an administrator who has it; a day later they do.
#[tokio::test]
async fn a_fresh_second_factor_does_not_yet_count_against_an_administrator_with_2fa() {
    let app = spawn_app().await;
    let alice_password = alice(&app).await;
    let bob_id = add_admin(&app, &alice_password, "bob").await;
    add_admin(&app, &alice_password, "zed").await;
    let (bob, zed) = (bearer(&app, "bob").await, bearer(&app, "zed").await);
    let mut secrets = Vec::new();
    for client in [&bob, &zed] {
        let pending = expect_json(client.enable(PASSWORD).await, 200).await;
        let secret = pending["secret"].as_str().unwrap().replace(' ', "");
        expect_json(client.verify(&app.code_now(&secret)).await, 200).await;
        secrets.push(secret);
    }
    let zed_secret = secrets.pop().expect("zed's secret");

    let reset = format!("/api/admin/users/{bob_id}/2fa/reset");
    app.advance_clock(30).await;
    let confirm = json!({"password": PASSWORD, "code": app.code_now(&zed_secret)});
    assert_error(zed.post(&reset, confirm).await, 403, "enrollment_required").await;

    // A day later (a new sign-in: sessions do not last that long), zed's factor counts.
    app.advance_clock(24 * 3600).await;
    let zed = app.new_client();
    zed.sign_in("zed", PASSWORD, &app.code_now(&zed_secret))
        .await;
    app.advance_clock(30).await;
    let confirm = json!({"password": PASSWORD, "code": app.code_now(&zed_secret)});
    let done = expect_json(zed.post(&reset, confirm).await, 200).await;
    assert_eq!(done["user"]["two_factor"]["enabled"], false);
}
