//! The 2FA policy: `TWOFA_REQUIRE_2FA` = off | admins | all with a grace period. Deadline =
//! max(account created, policy start) + grace days; past it, without 2FA, only /api/me,
//! /api/2fa/enable, /api/2fa/verify and /api/logout answer (others: 403 `enrollment_required`).

use serde_json::json;

use crate::client::{assert_error, expect_json, Client};
use crate::helpers::{aligned_now, spawn_app, spawn_app_with, TestApp};

const DAY: i64 = 86_400;
const PASSWORD: &str = "correct horse battery staple 42";

fn rfc3339(unix: i64) -> String {
    // Civil-from-days (Howard Hinnant), enough for an exact expected value without a date crate.
    let days = unix.div_euclid(DAY);
    let secs = unix.rem_euclid(DAY);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

async fn policy_app(mode: &str) -> TestApp {
    spawn_app_with(&[
        ("TWOFA_REQUIRE_2FA", mode),
        ("TWOFA_REQUIRE_2FA_GRACE_DAYS", "2"),
        ("TWOFA_IP_FAILURE_LIMIT", "100000"),
        ("TWOFA_ACCOUNT_FAILURE_LIMIT", "100000"),
        ("TWOFA_LOGIN_FAILURE_LIMIT", "100000"),
    ])
    .await
}

/// Pins the clock a minute past now (so accounts are created after the policy started), creates
/// the admin `alice` and signs her in on `app.client`. Returns the creation time.
async fn alice_signed_in(app: &TestApp) -> i64 {
    let created = aligned_now() + 60;
    app.set_clock(created).await;
    expect_json(app.client.setup("alice", PASSWORD).await, 201).await;
    expect_json(app.client.login("alice", PASSWORD).await, 200).await;
    created
}

#[tokio::test]
async fn past_the_deadline_only_enrolment_is_reachable_until_2fa_is_on() {
    let app = policy_app("all").await;
    let created = alice_signed_in(&app).await;
    let c = &app.client;
    let deadline = created + 2 * DAY;
    let me = expect_json(c.me().await, 200).await;
    assert_eq!(
        me["policy"],
        json!({"required": true, "deadline": rfc3339(deadline), "enrollment_required": false})
    );
    app.advance_clock(2 * DAY - 1).await;
    // Sessions end after 30 idle minutes: sign in again after every jump of the clock.
    expect_json(c.login("alice", PASSWORD).await, 200).await;
    expect_json(c.get("/api/me/events").await, 200).await;

    app.advance_clock(1).await;
    let me = expect_json(c.me().await, 200).await;
    assert_eq!(me["policy"]["enrollment_required"], true);
    assert_error(c.get("/api/me/events").await, 403, "enrollment_required").await;
    assert_error(c.get("/api/me/sessions").await, 403, "enrollment_required").await;
    assert_error(c.get("/api/admin/users").await, 403, "enrollment_required").await;
    assert_error(
        c.post("/api/me/sessions/revoke-others", json!({})).await,
        403,
        "enrollment_required",
    )
    .await;

    // Enrolment stays open, and 2FA lifts the restriction.
    let pending = expect_json(c.enable(PASSWORD).await, 200).await;
    let secret = pending["secret"].as_str().unwrap().replace(' ', "");
    expect_json(c.verify(&app.code_now(&secret)).await, 200).await;
    expect_json(c.get("/api/me/events").await, 200).await;
    let me = expect_json(c.me().await, 200).await;
    assert_eq!(me["policy"]["enrollment_required"], false);
    assert_eq!(me["policy"]["required"], true);
    assert_eq!(c.logout().await.status().as_u16(), 204);
}

#[tokio::test]
async fn logout_is_allowed_past_the_deadline() {
    let app = policy_app("all").await;
    alice_signed_in(&app).await;
    app.advance_clock(3 * DAY).await;
    expect_json(app.client.login("alice", PASSWORD).await, 200).await;
    assert_error(
        app.client.get("/api/me/events").await,
        403,
        "enrollment_required",
    )
    .await;
    assert_eq!(app.client.logout().await.status().as_u16(), 204);
    assert_error(app.client.me().await, 401, "unauthenticated").await;
}

#[tokio::test]
async fn admins_mode_leaves_other_users_alone() {
    let app = policy_app("admins").await;
    let created = alice_signed_in(&app).await;
    let body = json!({"username": "bob", "password": PASSWORD});
    expect_json(app.client.post("/api/admin/users", body).await, 201).await;
    let bob = Client::browser(&app.base);
    expect_json(bob.login("bob", PASSWORD).await, 200).await;
    let me = expect_json(bob.me().await, 200).await;
    assert_eq!(
        me["policy"],
        json!({"required": false, "deadline": null, "enrollment_required": false})
    );
    let me = expect_json(app.client.me().await, 200).await;
    assert_eq!(me["policy"]["deadline"], rfc3339(created + 2 * DAY));

    app.advance_clock(2 * DAY).await;
    expect_json(bob.login("bob", PASSWORD).await, 200).await;
    expect_json(app.client.login("alice", PASSWORD).await, 200).await;
    expect_json(bob.get("/api/me/events").await, 200).await;
    assert_error(
        app.client.get("/api/admin/users").await,
        403,
        "enrollment_required",
    )
    .await;
}

#[tokio::test]
async fn without_a_policy_nothing_is_required() {
    let app = spawn_app().await;
    alice_signed_in(&app).await;
    let me = expect_json(app.client.me().await, 200).await;
    assert_eq!(
        me["policy"],
        json!({"required": false, "deadline": null, "enrollment_required": false})
    );
    app.advance_clock(400 * DAY).await;
    expect_json(app.client.login("alice", PASSWORD).await, 200).await;
    expect_json(app.client.get("/api/me/events").await, 200).await;
}

#[test]
fn the_expected_dates_are_right() {
    assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
    assert_eq!(rfc3339(1_111_111_109), "2005-03-18T01:58:29Z");
    assert_eq!(rfc3339(1_709_251_200), "2024-03-01T00:00:00Z");
}
