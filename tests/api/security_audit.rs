//! Audit events (checklist 67): every flow leaves its event, once, with a UTC time, outcome, IP
//! and user agent, readable by the user at `GET /api/me/events` — and no secret in them (68).

use std::collections::BTreeMap;

use reqwest::header::USER_AGENT;
use reqwest::Method;
use serde_json::{json, Value};

use crate::client::expect_json;
use crate::helpers::spawn_app_with;
use crate::security_logs::run_every_flow;

/// Checklist 67's names, as the server spells them.
const EXPECTED: [&str; 17] = [
    "auth.password.success",
    "auth.password.failure",
    "2fa.challenge.issued",
    "2fa.challenge.success",
    "2fa.challenge.failure",
    "2fa.enroll.started",
    "2fa.enroll.completed",
    "2fa.enroll.failed",
    "2fa.disabled",
    "totp.replay_detected",
    "recovery_code.used",
    "recovery_code.regenerated",
    "2fa.throttled",
    "2fa.locked",
    "session.renewed",
    "session.revoked_all",
    "csrf.rejected",
];

/// Events the run triggers exactly once.
const ONCE: [&str; 6] = [
    "2fa.enroll.completed",
    "2fa.enroll.failed",
    "2fa.disabled",
    "totp.replay_detected",
    "recovery_code.used",
    "recovery_code.regenerated",
];

fn is_utc_rfc3339(at: &str) -> bool {
    let b = at.as_bytes();
    at.len() >= 20
        && at.ends_with('Z')
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && at[..4].bytes().all(|c| c.is_ascii_digit())
}

#[tokio::test]
async fn every_flow_leaves_its_audit_event_with_time_outcome_ip_and_agent() {
    // Arrange
    let app = spawn_app_with(&[
        ("TWOFA_ACCOUNT_FAILURE_LIMIT", "3"),
        ("TWOFA_IP_FAILURE_LIMIT", "100000"),
        ("TWOFA_LOGIN_FAILURE_LIMIT", "100000"),
    ])
    .await;
    let secrets = run_every_flow(&app).await;
    let reader = app.new_client();
    let login = reader
        .request(Method::POST, "/api/login")
        .header(USER_AGENT, "twofa-audit-test/1.0")
        .json(&json!({"username": "alice", "password": "correct horse battery staple 42"}))
        .send()
        .await
        .expect("answer");
    expect_json(login, 200).await;

    // Act
    let resp = reader.get("/api/me/events").await;
    let text = resp.text().await.expect("body");
    let body: Value = serde_json::from_str(&text).expect("JSON");

    // Assert
    let events = body["events"].as_array().expect("events array");
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for e in events {
        let name = e["event"].as_str().expect("event name");
        *counts.entry(name).or_default() += 1;
        let at = e["at"].as_str().unwrap_or_default();
        assert!(is_utc_rfc3339(at), "{name}: time {at:?}");
        let outcome = e["outcome"].as_str().unwrap_or_default();
        assert!(
            ["success", "failure"].contains(&outcome),
            "{name}: outcome {outcome:?}"
        );
        assert_eq!(e["ip"], "127.0.0.1", "{name}: {e}");
        assert!(
            e.get("user_agent").is_some(),
            "{name}: no user_agent field: {e}"
        );
        assert!(e.get("reason").is_some(), "{name}: no reason field: {e}");
    }
    let missing: Vec<&str> = EXPECTED
        .iter()
        .copied()
        .filter(|name| !counts.contains_key(name))
        .collect();
    assert!(
        missing.is_empty(),
        "events missing: {missing:?}; present: {counts:?}"
    );
    for name in ONCE {
        assert_eq!(counts.get(name), Some(&1), "{name}: {counts:?}");
    }
    let newest = &events[0];
    assert_eq!(
        newest["event"], "auth.password.success",
        "newest first: {newest}"
    );
    assert_eq!(newest["user_agent"], "twofa-audit-test/1.0", "{newest}");
    let reasons: Vec<&str> = events
        .iter()
        .filter(|e| e["event"] == "2fa.challenge.failure")
        .filter_map(|e| e["reason"].as_str())
        .collect();
    for reason in ["invalid_code", "replayed"] {
        assert!(
            reasons.iter().any(|r| r.contains(reason)),
            "no challenge failure with reason {reason}: {reasons:?}"
        );
    }
    for (what, value) in &secrets.text {
        assert!(!text.contains(value.as_str()), "{what} in the audit events");
    }
}
