//! Request ids, JSON logs, readiness and Prometheus metrics.

use serde_json::{json, Value};

use crate::client::{assert_error, expect_json, Client};
use crate::helpers::{spawn_app, spawn_app_with};
use crate::tools::wrong_code;

fn request_id(resp: &reqwest::Response) -> String {
    resp.headers()
        .get("x-request-id")
        .expect("X-Request-Id on every response")
        .to_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn every_response_carries_a_fresh_request_id_that_tags_its_log_lines() {
    let app = spawn_app().await;
    let ok = app.bare_client().get("/api/health").await;
    let not_found = app.bare_client().get("/api/nope").await;
    let refused = app.new_client().login("nobody", "wrong password").await;
    let ids: Vec<String> = [&ok, &not_found, &refused]
        .iter()
        .map(|r| request_id(r))
        .collect();
    for id in &ids {
        assert_eq!(id.len(), 32, "{id}");
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
    }
    assert!(ids[0] != ids[1] && ids[1] != ids[2] && ids[0] != ids[2]);
    assert_error(refused, 401, "invalid_credentials").await;

    // An untrusted peer cannot choose the id.
    let resp = app
        .bare_client()
        .request(reqwest::Method::GET, "/api/health")
        .header("X-Request-Id", "chosen-by-client")
        .send()
        .await
        .unwrap();
    assert_ne!(request_id(&resp), "chosen-by-client");

    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let log = app.server_log();
    for id in &ids {
        assert!(
            log.contains(&format!("request_id={id}")),
            "no log line with {id}:\n{log}"
        );
    }
    // The audit line of the failed login is inside the request's span.
    let audit_line = log
        .lines()
        .find(|l| l.contains("auth.password.failure"))
        .expect("audit log line");
    assert!(
        audit_line.contains(&format!("request_id={}", ids[2])),
        "{audit_line}"
    );
}

#[tokio::test]
async fn a_trusted_proxy_passes_its_request_id_through() {
    let app = spawn_app_with(&[("TWOFA_TRUSTED_PROXIES", "127.0.0.1")]).await;
    let send = |value: &'static str| {
        app.bare_client()
            .request(reqwest::Method::GET, "/api/health")
            .header("X-Request-Id", value)
            .send()
    };
    assert_eq!(request_id(&send("lb-7f3a.42").await.unwrap()), "lb-7f3a.42");
    let replaced = request_id(&send("has space").await.unwrap());
    assert_eq!(replaced.len(), 32);
}

#[tokio::test]
async fn json_logs_are_one_object_per_line_with_the_request_id() {
    let app = spawn_app_with(&[("TWOFA_LOG_FORMAT", "json")]).await;
    let resp = app.bare_client().get("/api/ready").await;
    let id = request_id(&resp);
    assert_eq!(
        expect_json(resp, 200).await,
        json!({"status": "ok", "database": "ok"})
    );
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let log = app.server_log();
    let lines: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert!(lines.len() > 2);
    let request_line = lines
        .iter()
        .find(|l| l["fields"]["message"] == "request" && l["fields"]["path"] == "/api/ready")
        .expect("the request's log line");
    assert_eq!(request_line["span"]["request_id"], id, "{request_line}");
}

fn metric(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|l| {
            l.strip_prefix(series)
                .and_then(|rest| rest.strip_prefix(' '))
        })
        .map_or(0.0, |v| v.trim().parse().expect("a number"))
}

#[tokio::test]
async fn metrics_count_logins_challenges_failures_lockouts_and_latency() {
    let app = spawn_app_with(&[
        ("TWOFA_ACCOUNT_FAILURE_LIMIT", "2"),
        ("TWOFA_IP_FAILURE_LIMIT", "100000"),
        ("TWOFA_LOGIN_FAILURE_LIMIT", "100000"),
    ])
    .await;
    let alice = app.enrolled_user().await;
    let c = Client::browser(&app.base);
    assert_error(
        c.login("alice", "not the password").await,
        401,
        "invalid_credentials",
    )
    .await;
    assert_error(
        c.login("nobody", "not the password").await,
        401,
        "invalid_credentials",
    )
    .await;
    c.sign_in(
        &alice.username,
        &alice.password,
        &app.code_now(&alice.secret),
    )
    .await;
    let challenge = c.start_challenge(&alice.username, &alice.password).await;
    let wrong = wrong_code(&alice.secret, app.now());
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(
            c.challenge_with_code(&challenge, &wrong)
                .await
                .status()
                .as_u16(),
        );
    }
    assert_eq!(statuses[0], 401);
    assert!(statuses.contains(&429), "{statuses:?}");

    let resp = app.bare_client().get("/metrics").await;
    assert_eq!(resp.status().as_u16(), 200);
    let ctype = resp.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(ctype.starts_with("text/plain; version=0.0.4"), "{ctype}");
    let text = resp.text().await.unwrap();
    // alice signed in with the password alone while enrolling (enrolled_user), then with 2FA.
    assert_eq!(
        metric(&text, r#"twofa_logins_total{factor="password"}"#),
        1.0,
        "{text}"
    );
    assert_eq!(
        metric(&text, r#"twofa_logins_total{factor="second_factor"}"#),
        1.0
    );
    assert_eq!(
        metric(&text, r#"twofa_challenges_total{result="issued"}"#),
        2.0
    );
    assert_eq!(
        metric(&text, r#"twofa_challenges_total{result="success"}"#),
        1.0
    );
    // One wrong password and one unknown user: public metrics must not tell them apart.
    assert_eq!(
        metric(
            &text,
            r#"twofa_auth_failures_total{event="auth.password.failure",reason="invalid_credentials"}"#
        ),
        2.0
    );
    assert!(!text.contains("unknown_user"), "{text}");
    assert!(!text.contains(r#"reason="wrong_password""#), "{text}");
    assert_eq!(metric(&text, "twofa_lockouts_total"), 1.0);
    assert_eq!(
        metric(
            &text,
            r#"twofa_http_request_duration_seconds_count{method="POST",route="/api/login",status="401"}"#
        ),
        2.0
    );
    assert!(text.contains(r#"twofa_http_request_duration_seconds_bucket{method="POST",route="/api/login/challenge",status="200",le="0.5"}"#));
}
