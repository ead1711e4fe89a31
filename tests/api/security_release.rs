//! The binary built without the `test-clock` feature — what a release ships — has no test hook
//! and no header that skips the second factor (checklist 70).

use reqwest::Method;
use serde_json::json;

use crate::attack_helpers::{enroll, plain_bin, setup_admin, Server, PASSWORD};
use crate::client::{assert_error, expect_json};

#[tokio::test]
async fn the_release_build_has_no_test_clock_and_no_bypass_header() {
    // Arrange
    let dir = tempfile::tempdir().expect("temp dir");
    let server = Server::start(&plain_bin(), dir.path(), &[]).await;

    // Act + Assert: the clock route does not exist.
    let clock = server
        .client
        .post("/api/__test/clock", json!({"now": 1_000_000_000}))
        .await;
    assert_error(clock, 404, "not_found").await;

    // A user with 2FA (the real clock: enrolment takes well under a step's margin).
    setup_admin(&server.client, "alice").await;
    expect_json(server.client.login("alice", PASSWORD).await, 200).await;
    #[allow(clippy::disallowed_methods)] // the test's own clock, not the server's
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs() as i64;
    enroll(&server.client, now).await;
    assert_eq!(server.client.logout().await.status(), 204);

    // After the password step only, headers that some servers honour as bypasses change nothing.
    let attacker = server.new_client();
    attacker.start_challenge("alice", PASSWORD).await;
    for (name, value) in [
        ("X-Forwarded-For", "127.0.0.1"),
        ("X-Real-IP", "127.0.0.1"),
        ("X-Debug", "1"),
        ("X-Original-URL", "/api/me"),
        ("X-Rewrite-URL", "/api/me"),
        ("X-Test-Clock", "0"),
    ] {
        let resp = attacker
            .request(Method::GET, "/api/me")
            .header(name, value)
            .send()
            .await
            .expect("answer");
        assert_eq!(resp.status(), 401, "{name}: {value}");
        assert_error(resp, 401, "unauthenticated").await;
    }
}

#[test]
fn the_test_clock_is_not_a_default_feature() {
    let manifest = include_str!("../../crates/api/Cargo.toml");
    let default = manifest
        .lines()
        .find(|l| l.trim_start().starts_with("default"))
        .unwrap_or("");
    assert!(!default.contains("test-clock"), "twofa-api: {default}");
    assert!(
        manifest.contains("test-clock = []"),
        "the feature pulls in nothing else"
    );
}
