//! Two `twofa` processes on one database: what a load balancer in front of several instances
//! relies on. On the PostgreSQL run (`TWOFA_TEST_BACKEND=postgres`) they share a PostgreSQL
//! database; on the SQLite run they share one SQLite file (two processes on one host), so the
//! same guarantees are checked on both backends. Each test runs twice: browser sessions in the
//! database, and in Redis (`TWOFA_SESSION_STORE`, see redis_sessions.rs).

use serde_json::Value;

use crate::client::{assert_error, expect_json, Client};
use crate::helpers::aligned_now;
use crate::ops_support::{enroll, ok, Server, Store, PASSWORD};
use crate::redis_sessions::redis_env;
use crate::tools::{totp_at, wrong_code};

pub const KEY: &str = "5eb63bbbe01eeed093cb22bb8f5acdc35eb63bbbe01eeed093cb22bb8f5acdc3";

/// Instances A and B on one store with the same key (as every instance of a deployment has),
/// both clocks pinned at `t`; alice (2FA on) enrolled through A.
pub async fn pair(extra: &[(&str, &str)]) -> (Store, Server, Server, String, Vec<String>, i64) {
    let store = Store::new().await;
    let mut env = vec![("TWOFA_SECRET_KEY", KEY)];
    env.extend_from_slice(extra);
    let stdin = format!("{PASSWORD}\n");
    ok(&store
        .cli(&["user", "add", "alice", "--admin"], Some(&stdin), &env)
        .await);
    let a = store.start(&env).await;
    let b = store.start(&env).await;
    let t = aligned_now();
    a.set_clock(t).await;
    b.set_clock(t).await;
    let (secret, codes) = enroll(&a, &a.new_client(), "alice").await;
    a.set_clock(t + 30).await;
    b.set_clock(t + 30).await;
    (store, a, b, secret, codes, t + 30)
}

async fn challenge_for_token(client: &Client) -> String {
    let body = expect_json(client.login_for_token("alice", PASSWORD).await, 200).await;
    assert_eq!(body["status"], "2fa_required", "{body}");
    body["challenge_id"].as_str().unwrap().to_owned()
}

fn token(body: &Value) -> String {
    body["token"].as_str().expect("token").to_owned()
}

async fn a_login_started_on_a_is_finished_on_b_and_its_session_works_on_both_with(
    sessions: &[(&str, &str)],
) {
    let (_store, a, b, secret, codes, now) = pair(sessions).await;
    // Non-browser client: password on A, code on B, token used on A.
    let challenge = challenge_for_token(&Client::bare(&a.base)).await;
    let body = expect_json(
        Client::bare(&b.base)
            .challenge_for_token(&challenge, &totp_at(&secret, now))
            .await,
        200,
    )
    .await;
    let me = expect_json(Client::bearer(&a.base, &token(&body)).me().await, 200).await;
    assert_eq!(me["user"]["username"], "alice");

    // Browser: the challenge is bound to the browser session; the balancer sends the same cookie
    // to whichever instance answers.
    a.set_clock(now + 30).await;
    b.set_clock(now + 30).await;
    let browser_a = a.new_client();
    let challenge = browser_a.start_challenge("alice", PASSWORD).await;
    let cookie = browser_a.session_cookie().expect("binding cookie from A");
    let browser_b = Client::with_cookie(&b.base, &cookie);
    let body = expect_json(
        browser_b
            .challenge_with_recovery_code(&challenge, &codes[0])
            .await,
        200,
    )
    .await;
    assert_eq!(body["recovery_codes_remaining"], 9);
    // A cookie session opened on A works on B.
    let browser = a.new_client();
    browser
        .sign_in("alice", PASSWORD, &totp_at(&secret, now + 30))
        .await;
    let cookie = browser.session_cookie().expect("session cookie");
    let me = expect_json(Client::with_cookie(&b.base, &cookie).me().await, 200).await;
    assert_eq!(me["two_factor"]["recovery_codes_remaining"], 9);
    // Logout on B ends it on A.
    assert_eq!(
        Client::with_cookie(&b.base, &cookie)
            .logout()
            .await
            .status()
            .as_u16(),
        204
    );
    assert_error(browser.me().await, 401, "unauthenticated").await;
}

#[tokio::test]
async fn a_login_started_on_a_is_finished_on_b_and_its_session_works_on_both() {
    a_login_started_on_a_is_finished_on_b_and_its_session_works_on_both_with(&[]).await;
}

#[tokio::test]
async fn a_login_started_on_a_is_finished_on_b_and_its_session_works_on_both_with_redis_sessions() {
    let redis = redis_env();
    a_login_started_on_a_is_finished_on_b_and_its_session_works_on_both_with(&redis.env()).await;
}

async fn a_code_accepted_on_a_is_refused_on_b_with(sessions: &[(&str, &str)]) {
    let (_store, a, b, secret, codes, now) = pair(sessions).await;
    let code = totp_at(&secret, now);
    let challenge = challenge_for_token(&Client::bare(&a.base)).await;
    expect_json(
        Client::bare(&a.base)
            .challenge_for_token(&challenge, &code)
            .await,
        200,
    )
    .await;
    let challenge = challenge_for_token(&Client::bare(&b.base)).await;
    assert_error(
        Client::bare(&b.base)
            .challenge_for_token(&challenge, &code)
            .await,
        401,
        "totp_replayed",
    )
    .await;
    // A recovery code used on B is gone on A.
    let on_b = challenge_for_token(&Client::bare(&b.base)).await;
    let body = serde_json::json!({"challenge_id": on_b, "recovery_code": codes[3], "token": true});
    expect_json(
        Client::bare(&b.base)
            .post("/api/login/challenge", body)
            .await,
        200,
    )
    .await;
    let on_a = challenge_for_token(&Client::bare(&a.base)).await;
    let body = serde_json::json!({"challenge_id": on_a, "recovery_code": codes[3], "token": true});
    assert_error(
        Client::bare(&a.base)
            .post("/api/login/challenge", body)
            .await,
        401,
        "invalid_code",
    )
    .await;
}

#[tokio::test]
async fn a_code_accepted_on_a_is_refused_on_b() {
    a_code_accepted_on_a_is_refused_on_b_with(&[]).await;
}

#[tokio::test]
async fn a_code_accepted_on_a_is_refused_on_b_with_redis_sessions() {
    let redis = redis_env();
    a_code_accepted_on_a_is_refused_on_b_with(&redis.env()).await;
}

async fn throttles_count_failures_on_both_instances_with(sessions: &[(&str, &str)]) {
    let (_store, a, b, secret, _codes, now) =
        pair(&[sessions, &[("TWOFA_ACCOUNT_FAILURE_LIMIT", "3")]].concat()).await;
    let wrong = wrong_code(&secret, now);
    // Two failures on A, one on B: neither instance alone saw three.
    for (server, expected) in [(&a, 401), (&a, 401), (&b, 401)] {
        let client = Client::bare(&server.base);
        let challenge = challenge_for_token(&client).await;
        let resp = client.challenge_for_token(&challenge, &wrong).await;
        assert_eq!(resp.status().as_u16(), expected);
    }
    // The account is locked everywhere, even for the right code.
    for server in [&a, &b] {
        let client = Client::bare(&server.base);
        let challenge = challenge_for_token(&client).await;
        let resp = client
            .challenge_for_token(&challenge, &totp_at(&secret, now))
            .await;
        assert!(resp.headers().contains_key("retry-after"));
        assert_error(resp, 429, "account_locked").await;
    }
}

#[tokio::test]
async fn throttles_count_failures_on_both_instances() {
    throttles_count_failures_on_both_instances_with(&[]).await;
}

#[tokio::test]
async fn throttles_count_failures_on_both_instances_with_redis_sessions() {
    let redis = redis_env();
    throttles_count_failures_on_both_instances_with(&redis.env()).await;
}

async fn an_admin_action_on_b_takes_effect_on_a_with(sessions: &[(&str, &str)]) {
    let (_store, a, b, secret, _codes, now) = pair(sessions).await;
    let admin_b = Client::bare(&b.base);
    let challenge = challenge_for_token(&admin_b).await;
    let body = expect_json(
        admin_b
            .challenge_for_token(&challenge, &totp_at(&secret, now))
            .await,
        200,
    )
    .await;
    let admin_b = Client::bearer(&b.base, &token(&body));
    let created = serde_json::json!({"username": "bob", "password": PASSWORD});
    let bob = expect_json(admin_b.post("/api/admin/users", created).await, 201).await;
    let bob_id = bob["user"]["id"].as_i64().unwrap();
    let bob_a = a.new_client();
    expect_json(bob_a.login("bob", PASSWORD).await, 200).await;
    let path = format!("/api/admin/users/{bob_id}/disable");
    // The administrator confirms with the code of the next step (this one signed them in).
    b.set_clock(now + 30).await;
    let confirm = serde_json::json!({"password": PASSWORD, "code": totp_at(&secret, now + 30)});
    expect_json(admin_b.post(&path, confirm).await, 200).await;
    assert_error(bob_a.me().await, 401, "unauthenticated").await;
    assert_error(
        a.new_client().login("bob", PASSWORD).await,
        401,
        "invalid_credentials",
    )
    .await;
}

#[tokio::test]
async fn an_admin_action_on_b_takes_effect_on_a() {
    an_admin_action_on_b_takes_effect_on_a_with(&[]).await;
}

#[tokio::test]
async fn an_admin_action_on_b_takes_effect_on_a_with_redis_sessions() {
    let redis = redis_env();
    an_admin_action_on_b_takes_effect_on_a_with(&redis.env()).await;
}
