//! The password step tells no one whether an account exists or has 2FA: identical answers for
//! every failure (checklist 62) in about the same time (63).

use std::time::Instant;

use reqwest::Response;

use crate::attack_helpers::{enrolled_users, PASSWORD};
use crate::client::expect_json;
use crate::helpers::{spawn_app, STEP};
use crate::tools::wrong_code;

/// Headers whose value differs on every answer by design and says nothing about the account.
const PER_REQUEST: [&str; 2] = ["date", "x-request-id"];

/// Status, headers (per-request values blanked, names kept), and body bytes.
async fn fingerprint(resp: Response) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let status = resp.status().as_u16();
    let mut headers: Vec<(String, String)> = resp
        .headers()
        .iter()
        .map(|(k, v)| {
            let value = if PER_REQUEST.contains(&k.as_str()) {
                String::new()
            } else {
                v.to_str().unwrap_or("").to_owned()
            };
            (k.to_string(), value)
        })
        .collect();
    headers.sort();
    let body = resp.bytes().await.expect("body").to_vec();
    (status, headers, body)
}

#[tokio::test]
async fn every_password_step_failure_gets_the_same_bytes() {
    // Arrange: a user with 2FA, one without, and one whose second factor is under attack.
    let app = spawn_app().await;
    let users = enrolled_users(&app, 2).await;
    let admin = app.new_client();
    admin
        .sign_in(
            &users[0].username,
            PASSWORD,
            &app.code_now(&users[0].secret),
        )
        .await;
    app.advance_clock(STEP).await;
    expect_json(
        admin
            .disable_with_code(PASSWORD, &app.code_now(&users[0].secret))
            .await,
        200,
    )
    .await;
    let attacked = &users[2];
    let attacker = app.new_client();
    let id = attacker.start_challenge(&attacked.username, PASSWORD).await;
    for _ in 0..5 {
        let wrong = wrong_code(&attacked.secret, app.now());
        attacker.challenge_with_code(&id, &wrong).await;
    }
    let wrong_pw = "not the password 1234";

    // Act
    let cases = [
        ("unknown user", "nobody-here"),
        ("user without 2FA", users[0].username.as_str()),
        ("user with 2FA", users[1].username.as_str()),
        ("user under attack", attacked.username.as_str()),
    ];
    let mut prints = Vec::new();
    for (what, name) in cases {
        prints.push((
            what,
            fingerprint(app.new_client().login(name, wrong_pw).await).await,
        ));
    }

    // Assert
    let (_, reference) = &prints[0];
    assert_eq!(reference.0, 401);
    assert!(
        !reference.1.iter().any(|(k, _)| k == "set-cookie"),
        "a failed login sets a cookie: {:?}",
        reference.1
    );
    let body: serde_json::Value = serde_json::from_slice(&reference.2).expect("JSON");
    assert_eq!(body["error"]["code"], "invalid_credentials", "{body}");
    for (what, print) in &prints[1..] {
        assert_eq!(print.0, reference.0, "{what}: status");
        assert_eq!(print.1, reference.1, "{what}: headers");
        assert_eq!(
            String::from_utf8_lossy(&print.2),
            String::from_utf8_lossy(&reference.2),
            "{what}: body"
        );
    }
}

#[tokio::test]
async fn unknown_users_and_wrong_passwords_take_about_the_same_time() {
    // Arrange
    let app = spawn_app().await;
    let user = app.setup_user().await;
    let client = app.new_client();
    // Warm-up: connection, caches, the first argon2 allocation.
    for _ in 0..3 {
        client.login("nobody-here", "warm up 1234").await;
        client.login(&user.username, "warm up 1234").await;
    }

    // Act: interleaved pairs, the order alternating, so machine noise hits both alike.
    let mut ratios = Vec::new();
    let mut unknown_ms = Vec::new();
    let mut known_ms = Vec::new();
    for i in 0..40 {
        let pw = format!("wrong password {i:04}");
        let ghost = format!("nobody-{i}");
        let names = if i % 2 == 0 {
            [ghost.as_str(), user.username.as_str()]
        } else {
            [user.username.as_str(), ghost.as_str()]
        };
        let mut took = [0.0; 2];
        for (slot, name) in names.iter().enumerate() {
            let t = Instant::now();
            let resp = client.login(name, &pw).await;
            took[slot] = t.elapsed().as_secs_f64() * 1e3;
            assert_eq!(resp.status(), 401);
        }
        let (u, k) = if i % 2 == 0 {
            (took[0], took[1])
        } else {
            (took[1], took[0])
        };
        unknown_ms.push(u);
        known_ms.push(k);
        ratios.push(u / k);
    }

    // Assert: without the dummy hash an unknown user answers in a few milliseconds against
    // tens for a real verification (ratio 0.1 or less); machine noise on a shared 2-core host
    // stays well inside a factor of 2 for the median pair.
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let ratio = median(ratios);
    assert!(
        (0.5..=2.0).contains(&ratio),
        "median pair ratio {ratio:.2}; medians unknown {:.1} ms, known {:.1} ms",
        median(unknown_ms),
        median(known_ms)
    );
}
